"""objgraph's own documentation doctests, run against `import objref as
objgraph`.

objgraph's test suite runs its docs/*.txt as doctests (tests.py: ELLIPSIS,
the NODES_VARY and RANDOM_OUTPUT flags, a fresh temporary directory as cwd
and as tempfile.tempdir, uncollectable.txt left out on Python 3.4 and
newer, where such cycles are collected).  Debian ships those files in
python-objgraph-doc (/usr/share/doc/python-objgraph-doc/html/_sources);
OBJGRAPH_DOCS names another directory.  Here `import objgraph` inside each
document gives objref, so every example a user copies from objgraph's
documentation is checked to print what objgraph prints.  Without the files
the tests are skipped, saying where they were looked for and how to get
them.  Nothing of objgraph is copied into this repository.
"""
import doctest
import glob
import os
import re
import shutil
import sys
import tempfile
import unittest

import objref

PLACES = [os.environ.get('OBJGRAPH_DOCS'), '/usr/share/doc/python-objgraph-doc/html/_sources',
          '/usr/share/doc/python3-objgraph/docs']
# objgraph's tests.py leaves it out from Python 3.4 on (the cycle it shows is collected).
LEFT_OUT = {'uncollectable.txt'}

NODES_VARY = doctest.register_optionflag('NODES_VARY')
RANDOM_OUTPUT = doctest.register_optionflag('RANDOM_OUTPUT')


class Checker(doctest.OutputChecker):
    """objgraph's checker: RANDOM_OUTPUT accepts anything, NODES_VARY
    accepts any "(N nodes)"."""
    nodes = re.compile(r'\(\d+ nodes\)$', re.MULTILINE)

    def check_output(self, want, got, optionflags):
        if optionflags & RANDOM_OUTPUT:
            return True
        if optionflags & NODES_VARY:
            want = self.nodes.sub('(X nodes)', want)
            got = self.nodes.sub('(X nodes)', got)
        return doctest.OutputChecker.check_output(self, want, got, optionflags)


def docs_dir():
    for place in PLACES:
        if place and glob.glob(os.path.join(place, '*.txt')):
            return place
    return None


def documents(place):
    """The documents with examples, as objgraph's tests.py picks them."""
    found = []
    for path in sorted(glob.glob(os.path.join(place, '*.txt'))):
        if os.path.basename(path) in LEFT_OUT:
            continue
        with open(path, encoding='utf-8') as f:
            if '>>>' in f.read():
                found.append(path)
    return found


def set_up(test):
    test.saved = (os.getcwd(), tempfile.tempdir, sys.modules.get('objgraph'))
    test.tmp = tempfile.mkdtemp(prefix='objref-objgraph-docs-')
    tempfile.tempdir = test.tmp
    os.chdir(test.tmp)
    sys.modules['objgraph'] = objref


def tear_down(test):
    cwd, tempdir, module = test.saved
    os.chdir(cwd)
    tempfile.tempdir = tempdir
    if module is None:
        sys.modules.pop('objgraph', None)
    else:
        sys.modules['objgraph'] = module
    shutil.rmtree(test.tmp)


class DocsFound(unittest.TestCase):
    def test_documents_with_examples(self):
        place = docs_dir()
        if not place:
            self.skipTest("objgraph's docs not found (looked in %s): apt-get install "
                          "python-objgraph-doc, or set OBJGRAPH_DOCS to objgraph's docs/ "
                          "directory" % ', '.join(p for p in PLACES if p))
        names = [os.path.basename(p) for p in documents(place)]
        # objgraph 3.5's documents with examples: a partial install is not a pass.
        for name in ('chain.txt', 'extra-info.txt', 'generator-sample.txt', 'highlighting.txt',
                     'index.txt', 'quoting.txt', 'references.txt'):
            self.assertIn(name, names)


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromTestCase(DocsFound))
    place = docs_dir()
    if place:
        suite.addTests(doctest.DocFileSuite(*documents(place), module_relative=False,
                                            setUp=set_up, tearDown=tear_down,
                                            optionflags=doctest.ELLIPSIS, checker=Checker()))
    return suite


if __name__ == '__main__':
    unittest.main()

"""objref-chain on a program that calls gc.freeze() (the pre-fork pattern):
the heap it reports is the program's whole heap, not the few objects made
after the freeze, and frozen garbage cycles are found.

    OBJREF_CHAIN=build/cli/objref-chain OBJREF_SOURCE_DIR=. \\
        python3 -m unittest discover -s tests/cli -p 'test_frozen_cli.py'
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

CHAIN = os.environ.get('OBJREF_CHAIN')
SOURCE_DIR = os.environ.get('OBJREF_SOURCE_DIR',
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PREFORK = os.path.join(SOURCE_DIR, 'examples', 'frozen', 'prefork_server.py')
TIMEOUT = 120

SCRIPT = textwrap.dedent('''
    import gc

    class Item:
        def __init__(self, i):
            self.i = i
            self.tags = ["t%d" % i]

    class Session:
        pass

    class Cache:
        pass

    def leak(n):
        keep = []
        for _ in range(n):
            s = Session()
            c = Cache()
            s.cache = c
            c.session = s
            keep.append(s)
        return keep

    ITEMS = [Item(i) for i in range(5000)]
    gc.collect()
    KEEP = leak(3)
    gc.freeze()           # as a pre-fork server does before forking workers
    del KEEP[:]           # three frozen Session <-> Cache cycles
''')


def setUpModule():
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not an executable objref-chain')


class TestFrozenHeap(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-frozen-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.script = os.path.join(self.dir, 'prefork.py')
        with open(self.script, 'w') as f:
            f.write(SCRIPT)

    def chain(self, *args):
        proc = subprocess.run([CHAIN] + list(args) + [self.script], cwd=self.dir, timeout=TIMEOUT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(proc.returncode, 0, 'stdout:\n%s\nstderr:\n%s' % (proc.stdout, proc.stderr))
        return proc

    def test_heap_is_the_whole_frozen_heap(self):
        proc = self.chain('--no-picture', '--top', '5')
        m = re.search(r'heap ([\d,]+) objects', proc.stdout + proc.stderr)
        self.assertIsNotNone(m, proc.stdout + proc.stderr)
        # 5,000 Items, their dicts and lists, and the interpreter's own
        self.assertGreater(int(m.group(1).replace(',', '')), 15000, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r'(?m)^\s*\S*Item\s.*5,?000')

    def test_chain_to_a_frozen_object(self):
        proc = self.chain('--no-picture', '--type', 'Item')
        self.assertIn('module __main__ .ITEMS -> list [*] -> Item', proc.stdout)
        self.assertIn('samples of 5,000', proc.stdout)

    def test_frozen_cycles_found(self):
        proc = self.chain('--no-picture', '--cycles')
        out = proc.stdout
        self.assertRegex(out, r'objects frozen by gc\.freeze\(\)\n')  # listed: no caveat
        shape = re.search(r'(?m)^shape \d+: (\d+) instances, .*\n  (.*)\n  (.*)\n', out)
        self.assertIsNotNone(shape, out)
        self.assertEqual(shape.group(1), '3', out)
        self.assertIn('Session', shape.group(2))
        self.assertIn('Cache', shape.group(2))
        self.assertTrue(shape.group(3).startswith('frozen by gc.freeze()'), out)


class TestPreforkServer(unittest.TestCase):
    """examples/frozen/prefork_server.py: Sessions leak into a dict frozen
    at load time, and the load-time template loader is frozen garbage."""

    @classmethod
    def setUpClass(cls):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([CHAIN, '--json', '--no-picture', '--type', 'Session', '--every',
                                   '__main__:serve=500', '--cycles', PREFORK], cwd=tmp,
                                  timeout=TIMEOUT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True)
        if proc.returncode != 0:
            raise AssertionError('objref-chain failed: %s' % proc.stderr)
        cls.r = json.loads(proc.stdout)

    def test_growth(self):
        growing = {g['type']: g for g in self.r['growing']}
        session = growing['Session']
        self.assertEqual((session['first'], session['last']), (499, 3000))
        self.assertEqual((session['rises'], session['intervals']), (6, 6))
        # one new str per request (its rid): the route paths the Sessions
        # reach were frozen at load time and counted from the start (a
        # census blind to the frozen heap counted them as they were reached)
        self.assertAlmostEqual(growing['str']['objects_per_ckpt'], session['objects_per_ckpt'], delta=1)

    def test_chain_names_the_frozen_holder(self):
        chains = self.r['chains']
        p = chains['patterns'][0]
        self.assertEqual(p['count'], chains['samples'])
        self.assertEqual(p['root'], {'kind': 'module', 'module': '__main__', 'name': 'SESSIONS'})
        self.assertEqual([s['label'] for s in p['steps']], ['__dict__', "['SESSIONS']", '[*]', None])
        self.assertEqual(p['explained'], chains['new_objects'])

    def test_frozen_garbage(self):
        summary = self.r['cycles']['summary']
        self.assertTrue(summary['frozen_listed'])
        self.assertGreater(summary['freeze_count'], 8000)
        # Loader, its list, 20 Templates (and before 3.11 their 21 dicts)
        self.assertEqual(summary['frozen_objects'], 22 if sys.version_info >= (3, 11) else 43)
        shapes = [(s['shape'], s['kind'], s['count']) for s in self.r['cycles']['shapes']]
        self.assertIn(('Loader .templates -> list [*] -> Template .loader -> Loader', 'frozen', 1), shapes)


if __name__ == '__main__':
    unittest.main()

"""objref-chain on a program that calls gc.freeze() (the pre-fork pattern):
the heap it reports is the program's whole heap, not the few objects made
after the freeze, and frozen garbage cycles are found.

    OBJREF_CHAIN=build/cli/objref-chain OBJREF_SOURCE_DIR=. \\
        python3 -m unittest discover -s tests/cli -p 'test_frozen_cli.py'
"""
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest

CHAIN = os.environ.get('OBJREF_CHAIN')
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


if __name__ == '__main__':
    unittest.main()

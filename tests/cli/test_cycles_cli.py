"""objref-chain --cycles: garbage cycles at the end of a run, text and JSON.

    OBJREF_CHAIN=build/cli/objref-chain OBJREF_SOURCE_DIR=. \\
        python3 -m unittest discover -s tests/cli -p 'test_cycles_cli.py'
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from tests.cli.test_docs import png_texts

CHAIN = os.environ.get('OBJREF_CHAIN')
SOURCE_DIR = os.environ.get('OBJREF_SOURCE_DIR',
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EXAMPLES = os.path.join(SOURCE_DIR, 'examples', 'cycles')
TIMEOUT = 120


def setUpModule():
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not an executable objref-chain')


class TestCycles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-cycles-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def chain(self, *args):
        proc = subprocess.run([CHAIN] + list(args), cwd=self.dir, timeout=TIMEOUT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(proc.returncode, 0, 'stdout:\n%s\nstderr:\n%s' % (proc.stdout, proc.stderr))
        return proc

    def section(self, stdout):
        lines = stdout.splitlines()
        start = [i for i, line in enumerate(lines) if line.startswith('garbage cycles ')]
        self.assertEqual(len(start), 1, stdout)
        return lines[start[0] + 1:]

    def test_gc_disabled_text(self):
        proc = self.chain('--cycles', '--no-picture', os.path.join(EXAMPLES, 'gc_disabled.py'), '7')
        lines = self.section(proc.stdout)
        # garbage the interpreter's start left (gc is disabled before any
        # collection: a class collections defines and replaces, on some
        # versions) may come as other shapes
        self.assertRegex(lines[0], r'^garbage: [\d,]+ objects \(.*\) no root reaches; [\d,]+ in \d+ cycles '
                                   r'of \d+ shapes?$')
        self.assertTrue(lines[1].startswith('gc: disabled (gc.isenabled() is False)'), lines[1])
        at = lines.index('  Request .response -> Response .request -> Request')
        self.assertRegex(lines[at - 1], r'^shape \d+: 70 instances, ')
        self.assertEqual(lines[at + 1], '  collectable, but gc is disabled')
        self.assertRegex(lines[at + 2], r'^  example: Request at 0x[0-9a-f]+ \.response -> Response at ')
        self.assertEqual(lines[at + 3], '  fix: make Response .request (to Request) a weak reference: '
                                        'that breaks every instance')

    def test_count_per_tick(self):
        # a checkpoint per tick: the census says how many cycles each tick leaves
        proc = self.chain('--cycles', '--no-picture', '--every', 'gc_disabled:tick=1',
                          os.path.join(EXAMPLES, 'gc_disabled.py'), '8')
        self.assertRegex(proc.stdout, r'\n  Request +\+10/ckpt .* rose in 8/8 intervals')
        self.assertRegex(proc.stdout, r'\nshape \d+: 80 instances, [^\n]*\n'
                                      r'  Request \.response -> Response \.request -> Request\n'
                                      r'  collectable, but gc is disabled\n')

    def test_capsule_json(self):
        proc = self.chain('--cycles', '--json', '--no-picture', os.path.join(EXAMPLES, 'capsule.py'), '2')
        doc = json.loads(proc.stdout)
        self.assertEqual(doc['schema'], 'objref-chain/1')
        cyc = doc['cycles']
        self.assertGreaterEqual(cyc['summary']['shapes'], 1)
        self.assertIs(cyc['summary']['gc_enabled'], True)
        shapes = [s for s in cyc['shapes'] if 'PyCapsule' in s['shape']]
        self.assertEqual(len(shapes), 1, cyc['shapes'])
        shape = shapes[0]
        self.assertEqual(shape['shape'], 'Node .handle -> PyCapsule (hidden) -> Node')
        self.assertEqual(shape['count'], 2)
        self.assertEqual(shape['kind'], 'untraversable')
        self.assertTrue(shape['reason'].startswith('uncollectable: passes through an object the '
                                                   'collector cannot traverse (PyCapsule at 0x'))
        self.assertNotIn('example_objects', shape)

    def test_picture(self):
        proc = self.chain('--cycles', '-o', 'c.dot', os.path.join(EXAMPLES, 'gc_disabled.py'), '1')
        self.assertRegex(proc.stdout, r'\nwrote c\.dot \(garbage cycles, \d+ shapes?\)\n')
        with open(os.path.join(self.dir, 'c.dot')) as f:
            dot = f.read()
        self.assertIn('<B>Request</B>', dot)
        self.assertIn('collectable, but gc is disabled', dot)
        proc = self.chain('--cycles', os.path.join(EXAMPLES, 'gc_disabled.py'), '1')
        self.assertRegex(proc.stdout, r'\nwrote objref-cycles\.png \(DOT inside\), objref-cycles\.dot '
                                      r'\(garbage cycles, \d+ shapes?\)\n')
        self.assertTrue(os.path.exists(os.path.join(self.dir, 'objref-cycles.png')))
        with open(os.path.join(self.dir, 'objref-cycles.dot')) as f:
            self.assertEqual(f.read(), png_texts(os.path.join(self.dir, 'objref-cycles.png'))['DOT'])

    def test_no_garbage_no_picture(self):
        script = os.path.join(self.dir, 'clean.py')
        with open(script, 'w') as f:
            f.write('import gc\nx = [1, 2]\ngc.collect()\n')
        proc = self.chain('--cycles', script)
        self.assertNotIn('wrote', proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, 'objref-cycles.png')))

    def test_without_cycles_no_section(self):
        proc = self.chain('--no-picture', os.path.join(EXAMPLES, 'gc_disabled.py'), '1')
        self.assertNotIn('garbage cycles', proc.stdout)
        self.assertNotIn('"cycles"', self.chain('--json', '--no-picture',
                                                 os.path.join(EXAMPLES, 'gc_disabled.py'), '1').stdout)


if __name__ == '__main__':
    unittest.main()

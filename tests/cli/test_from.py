"""objref-chain --from FILE ...: the report of a live run from dump files,
without an interpreter; --dump, --dump-every and --heapsnapshot.

    OBJREF_CHAIN=$PWD/build/cli/objref-chain OBJREF_SOURCE_DIR=$PWD PYTHONPATH=build/python \\
        python3 -m unittest tests.cli.test_from -v

A dump from Python 3.8 is written with the 3.8 build of the module
(build-py/3.8/python, made by `tests/run_pythons.sh 3.8`, or
$OBJREF_PY38_MODULE_DIR); without it that test skips, saying so.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import unittest

CHAIN = os.environ.get('OBJREF_CHAIN')
SOURCE_DIR = os.environ.get('OBJREF_SOURCE_DIR',
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LEAKY = os.path.join(SOURCE_DIR, 'examples', 'leaky_service.py')
PY38 = '/root/.pyenv/versions/3.8.18/bin/python3.8'
TIMEOUT = 180

# A program that writes a dump with objref.dump (args: PATH), used for the
# dumps of two processes and the 3.8 dump.
DUMPER = textwrap.dedent('''
    import sys, objref
    class Session:
        registry = []
        def __init__(self, user):
            self.user = user
            Session.registry.append(self)
    for i in range(40):
        Session("u%d" % i)
    for path in sys.argv[1:]:
        objref.dump(path)
        Session("late")
''')


def setUpModule():
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not an executable objref-chain')


def module_dir():
    """Where the objref module objref-chain was built with is (for dumps written by Python)."""
    return os.path.join(os.path.dirname(os.path.dirname(CHAIN)), 'python')


class FromBase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-from-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def run_chain(self, *args, status=0):
        p = subprocess.run([CHAIN] + list(args), cwd=self.dir, timeout=TIMEOUT,
                           capture_output=True, text=True)
        if status is not None:
            self.assertEqual(p.returncode, status, 'stdout:\n%s\nstderr:\n%s' % (p.stdout, p.stderr))
        return p

    def path(self, name):
        return os.path.join(self.dir, name)

    def python_dump(self, *names, python=sys.executable, pythonpath=None):
        script = self.path('dumper.py')
        with open(script, 'w') as f:
            f.write(DUMPER)
        env = dict(os.environ, PYTHONPATH=pythonpath or module_dir())
        subprocess.run([python, script] + [self.path(n) for n in names], check=True, env=env,
                       timeout=TIMEOUT, cwd=self.dir)
        return [self.path(n) for n in names]


def report_body(text):
    """The report without what only a run knows: its header line (program,
    seconds, checkpoints) and the label of the last checkpoint."""
    lines = text.splitlines()
    start = [i for i, l in enumerate(lines) if l.startswith('objref-chain: ')]
    body = lines[start[-1] + 1:]
    return [re.sub(r'at the last checkpoint \([^)]*\)', 'at the last checkpoint (*)', l) for l in body]


def section(lines, head):
    """The lines from the one starting with head up to the next report section."""
    at = [i for i, l in enumerate(lines) if l.startswith(head)]
    assert len(at) == 1, (head, lines)
    out = [lines[at[0]]]
    for l in lines[at[0] + 1:]:
        if not l.startswith(' ') and not l.startswith('root:') and not l.startswith('gc:') and \
                not l.startswith('garbage:') and not l.startswith('shape '):
            break
        out.append(l)
    return out


# The live census and a snapshot's census agree on every version: a
# snapshot's census leaves out the frozen objects its walk finds where the
# collector does not list its permanent generation (3.12.0-3.12.9 freeze the
# static types' __mro__ and __bases__ tuples at startup), as the live census
# never sees them (lib/census.c); and capture reads a closure's variable names
# from the code object's fields, where PyCode_GetFreevars would leave a cached
# tuple in the heap (3.12+).  So the report and the JSON compare exactly.


class RoundTrip(FromBase):
    """A live run and a --from of its --dump: the same census, chains, cycles, JSON."""

    ARGS = ['--no-picture', '--top', '8', '--cycles', '--type', 'Session']

    def test_text(self):
        live = self.run_chain(*self.ARGS, '--dump', 'run.objref', LEAKY)
        self.assertTrue(os.path.exists(self.path('run.objref')))
        self.assertFalse([f for f in os.listdir(self.dir) if f.endswith('.tmp')])
        dumped = self.run_chain(*self.ARGS, '--from', 'run.objref')
        self.assertEqual(dumped.stderr, '')
        self.assertTrue(dumped.stdout.startswith('objref-chain: run.objref ran 0.0 s, 1 checkpoint, heap '),
                        dumped.stdout)
        body = report_body(dumped.stdout)
        # the share a pattern's holder explains needs the run's survivors,
        # which a dump does not carry: a run knows it and one dump cannot
        live_body = [l for l in report_body(live.stdout) if not l.startswith('  explains:')]
        self.assertEqual(live_body, body)
        # and they are the whole report: the census, the chains and the cycles
        self.assertTrue(any(l.startswith('most common types') for l in body), body)
        self.assertIn('  module __main__ .Session -> type .registry -> list [*] -> Session', body)
        self.assertTrue(any(l.startswith('garbage cycles') for l in body), body)

    def test_json(self):
        live = self.run_chain(*self.ARGS, '--json', '--dump', 'run.objref', LEAKY)
        dumped = self.run_chain(*self.ARGS, '--json', '--from', 'run.objref')
        a = json.loads(live.stdout.splitlines()[-1])
        b = json.loads(dumped.stdout)
        self.assertEqual(b['program'], 'run.objref')
        self.assertEqual(b['checkpoints'], 1)
        for k in ('program', 'seconds', 'checkpoints', 'growing'):
            del a[k], b[k]  # what a run knows and one dump cannot (growth needs two)
        for r in (a, b):  # and the survivors, and the share of them a holder explains
            for k in ('new_objects', 'survivors'):
                del r['chains'][k]
            for p in r['chains']['patterns']:
                for k in ('holder', 'holder_text', 'explained'):
                    del p[k]
        self.assertEqual(a, b)
        self.assertEqual(a['chains']['type'], 'Session')
        self.assertEqual(a['chains']['instances'], 90)

    def test_heapsnapshot(self):
        self.run_chain('--no-picture', '--dump', 'run.objref', LEAKY)
        p = self.run_chain('--no-picture', '--from', 'run.objref', '--heapsnapshot', 'run.heapsnapshot')
        self.assertIn('wrote run.heapsnapshot (Chrome heap snapshot of run.objref)', p.stdout)
        with open(self.path('run.heapsnapshot')) as f:
            snap = json.load(f)
        fields = snap['snapshot']['meta']['node_fields']
        self.assertEqual(len(snap['nodes']) // len(fields), snap['snapshot']['node_count'])
        self.assertTrue([s for s in snap['strings'] if s.endswith('Session')], 'no Session node')

    def test_picture_without_interpreter(self):
        """The chains' picture is drawn by libobjref alone: a PNG with its DOT inside."""
        self.run_chain('--no-picture', '--dump', 'run.objref', LEAKY)
        p = self.run_chain('--from', 'run.objref', '--type', 'Session')
        self.assertIn('wrote objref-Session.png (DOT inside), objref-Session.dot', p.stdout)
        with open(self.path('objref-Session.png'), 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')
        dot = self.run_chain('--extract-dot', 'objref-Session.png').stdout
        with open(self.path('objref-Session.dot')) as f:
            self.assertEqual(dot, f.read())


class Diff(FromBase):
    """Two dumps 10 checkpoints apart of the leaky service: growth and chains as in a live run."""

    def test_two_dumps_ten_checkpoints_apart(self):
        self.run_chain('--no-picture', '--dump', 'svc.objref', '--dump-every', '10', LEAKY)
        # 30 ticks: the program's objref.checkpoint() after each (--dump-every
        # counts them), a dump every 10, and the end's
        self.assertEqual(sorted(f for f in os.listdir(self.dir) if f.endswith('.objref')),
                         ['svc-1.objref', 'svc-2.objref', 'svc-3.objref', 'svc.objref'])
        dumped = self.run_chain('--no-picture', '--from', 'svc-1.objref', '--from', 'svc-2.objref')
        live = self.run_chain('--no-picture', LEAKY)
        rows = {l.split()[0]: l.split()[1] for l in dumped.stdout.splitlines() if '/ckpt' in l}
        # 10 ticks of 1,000 events, 1,000 cached dicts (and their ints), 3 Sessions
        # (before 3.11 each Session has its __dict__: 30 dicts more)
        for t in ('tuple', 'int'):
            self.assertEqual(rows.get(t), '+10,000/ckpt', dumped.stdout)
        self.assertIn(rows.get('dict'), ('+10,000/ckpt', '+10,030/ckpt'), dumped.stdout)
        self.assertEqual(rows.get('Session'), '+30/ckpt', dumped.stdout)
        live_rows = [l.split()[0] for l in live.stdout.splitlines() if '/ckpt' in l]
        self.assertLessEqual(set(live_rows), set(rows), (live.stdout, dumped.stdout))
        # the chains of the new objects of the fastest-growing type: a live run's
        chains = section(report_body(dumped.stdout), 'chains for ')
        live_chains = section(report_body(live.stdout), 'chains for ')
        # the same patterns (which samples of a pattern a dump and a live run
        # take may differ: their baselines are the dump before and the first
        # checkpoint; before 3.11 the new Sessions' dicts are dicts too)
        def patterns(lines):
            return {l for l in lines[1:]
                    if not l.startswith(('  [', '  suspect:', '  explains:', '  chosen:',
                                         '  one leak with it:'))}
        self.assertTrue(patterns(chains))
        self.assertLessEqual(patterns(chains), patterns(live_chains), (chains, live_chains))
        if sys.version_info >= (3, 11):  # the shares differ: the baselines do
            # (what the chosen type retains differs too: measured from the baselines)
            skip = ('  explains:', '  chosen:', '  one leak with it:')
            self.assertEqual([l for l in chains[1:] if not l.startswith(skip)],
                             [l for l in live_chains[1:] if not l.startswith(skip)])
            self.assertEqual(chains[0].split('(')[0], live_chains[0].split('(')[0])
        body = [l for l in chains[1:] if not l.startswith(('  chosen:', '  one leak with it:'))]
        self.assertIn(body[0], ('  module __main__ .CACHE -> dict [*] -> dict',
                                  '  module __main__ .Session -> type .registry -> list [*] -> '
                                  'Session __dict__ -> dict'))
        self.assertRegex(chains[0], r'^chains for dict \(5 samples of [\d,]+, 1 pattern')

    def test_new_objects_are_sampled(self):
        """With two dumps the samples are objects the first did not have."""
        a, b = self.python_dump('a.objref', 'b.objref')
        p = self.run_chain('--no-picture', '--json', '--type', 'Session', '--samples', '1',
                           '--from', a, '--from', b)
        chains = json.loads(p.stdout)['chains']
        self.assertEqual(chains['instances'], 41)
        self.assertEqual(chains['samples'], 1)


class BadInput(FromBase):
    """Each bad input: one line naming the file and the reason, exit 2, nothing else."""

    def dump(self):
        if not hasattr(self, '_good'):
            self.run_chain('--no-picture', '--dump', 'good.objref', LEAKY)
            self._good = self.path('good.objref')
        return self._good

    def write(self, name, data):
        with open(self.path(name), 'wb') as f:
            f.write(data)
        return self.path(name)

    def refused(self, words, *paths):
        args = []
        for p in paths:
            args += ['--from', p]
        r = self.run_chain(*args, status=2)
        self.assertEqual(r.stdout, '')
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith('objref-chain: '), lines[0])
        for w in words:
            self.assertIn(w, lines[0])
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(('.png', '.dot')) and
                          self.path(f) not in paths], [])
        return lines[0]

    def good_bytes(self):
        with open(self.dump(), 'rb') as f:
            return f.read()

    def test_truncated(self):
        data = self.good_bytes()
        p = self.write('cut.objref', data[:len(data) // 2])
        self.refused([p, 'truncated'], p)

    def test_flipped_bits(self):
        data = bytearray(self.good_bytes())
        data[len(data) // 2] ^= 0x5a
        p = self.write('flipped.objref', bytes(data))
        self.refused([p, 'checksum'], p)

    def test_wrong_magic(self):
        data = bytearray(self.good_bytes())
        data[0:4] = b'NOPE'
        p = self.write('magic.objref', bytes(data))
        self.refused([p, 'magic'], p)

    def test_future_version(self):
        data = bytearray(self.good_bytes())
        data[8:12] = struct.pack('<I', 99)
        p = self.write('future.objref', bytes(data))
        self.refused([p, 'newer'], p)

    def test_empty(self):
        p = self.write('empty.objref', b'')
        self.refused([p, 'empty'], p)

    def test_directory(self):
        os.mkdir(self.path('adir'))
        self.refused([self.path('adir'), 'directory'], self.path('adir'))

    def test_another_tools_file(self):
        p = self.write('pic.png', b'\x89PNG\r\n\x1a\n' + b'\0' * 300)
        self.refused([p, 'not an objref dump'], p)

    def test_missing(self):
        self.refused([self.path('none.objref'), 'No such file'], self.path('none.objref'))

    def test_bad_file_after_a_good_one(self):
        """Every dump is checked before anything is printed."""
        p = self.write('empty.objref', b'')
        self.refused([p, 'empty'], self.dump(), p)

    def test_two_processes(self):
        a, = self.python_dump('a.objref')
        b, = self.python_dump('b.objref')
        self.refused([b, 'another process', a], a, b)

    def test_out_of_time_order(self):
        a, b = self.python_dump('a.objref', 'b.objref')
        self.refused([a, 'oldest first'], b, a)

    def test_usage(self):
        r = self.run_chain('--from', 'x.objref', LEAKY, status=2)
        self.assertIn('no SCRIPT or -m MODULE goes with it', r.stderr)
        r = self.run_chain('--heapsnapshot', 'x.heapsnapshot', LEAKY, status=2)
        self.assertIn('--heapsnapshot goes with --from', r.stderr)
        r = self.run_chain('--dump-every', '3', LEAKY, status=2)
        self.assertIn('--dump-every goes with --dump', r.stderr)
        r = self.run_chain('--dump', '/nonexistent-dir/x.objref', LEAKY, status=None)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot write the dump '/nonexistent-dir/x.objref'", r.stderr)


class CrossVersion(FromBase):
    """A dump written by Python 3.8 read by this objref-chain (no interpreter of its own runs)."""

    def test_dump_from_3_8(self):
        mod = os.environ.get('OBJREF_PY38_MODULE_DIR') or os.path.join(SOURCE_DIR, 'build-py', '3.8',
                                                                        'python')
        if not os.access(PY38, os.X_OK) or not os.path.isdir(mod) or \
                not any(f.startswith('objref.cpython-38') for f in os.listdir(mod)):
            self.skipTest('no Python 3.8 build of the module (tests/run_pythons.sh 3.8, or '
                          'OBJREF_PY38_MODULE_DIR)')
        a, b = self.python_dump('a.objref', 'b.objref', python=PY38, pythonpath=mod)
        p = self.run_chain('--no-picture', '--json', '--type', 'Session', '--from', a, '--from', b)
        r = json.loads(p.stdout)
        self.assertEqual(r['chains']['instances'], 41)
        self.assertEqual(r['chains']['patterns'][0]['text'],
                         'module __main__ .Session -> type .registry -> list [*] -> Session')
        self.assertIn('Session', [g['type'] for g in r['growing']])
        with open(a, 'rb') as f:
            head = f.read(256)
        self.assertEqual(head[184:188], b'3.8.')


class CrossVersionReverse(FromBase):
    """A dump written by this Python read by the objref-chain built for 3.8."""

    def test_read_by_3_8(self):
        chain38 = os.path.join(SOURCE_DIR, 'build-py', '3.8', 'cli', 'objref-chain')
        if not os.access(chain38, os.X_OK):
            self.skipTest('no objref-chain built for 3.8 (tests/run_pythons.sh 3.8)')
        a, b = self.python_dump('a.objref', 'b.objref')
        p = subprocess.run([chain38, '--no-picture', '--json', '--type', 'Session', '--from', a,
                            '--from', b], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual(r['chains']['instances'], 41)
        self.assertIn('Session', [g['type'] for g in r['growing']])


if __name__ == '__main__':
    unittest.main()

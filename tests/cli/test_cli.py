"""End-to-end tests of objref-chain.

Run through ctest (cli.e2e), or by hand:

    OBJREF_CHAIN=build/cli/objref-chain OBJREF_SOURCE_DIR=. \\
        python3 -m unittest discover -s tests/cli -t . -v

Each test runs objref-chain in a subprocess with a timeout, on small
programs written to a temporary directory (or on examples/), and checks its
exit status, its stderr messages and its report on stdout.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

CHAIN = os.environ.get('OBJREF_CHAIN')
SOURCE_DIR = os.environ.get('OBJREF_SOURCE_DIR',
                            os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))
EXAMPLES = os.path.join(SOURCE_DIR, 'examples')
TIMEOUT = 60

HEADER = re.compile(r'^objref-chain: (.*) ran ([0-9.]+) s, (\d+) checkpoints?, heap ([0-9,]+) objects',
                    re.M)


def setUpModule():
    if not CHAIN:
        raise unittest.SkipTest('OBJREF_CHAIN is not set: point it at the objref-chain '
                                'binary (ctest sets it)')
    if not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN=%s is not an executable' % CHAIN)
    # Children inherit an ignored SIGINT (a background job of a
    # non-interactive shell); a caught one is reset to the default on exec,
    # and then objref-chain's Python installs its handler, as a terminal would.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def stacks(pid):
    """The C stacks of every thread of a process that did not stop (gdb),
    for a failure's message; or why they could not be had."""
    try:
        r = subprocess.run(['gdb', '-p', str(pid), '-batch', '-nx', '-ex', 'thread apply all bt 40'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 'no stacks (gdb: %s)' % e
    return '\n'.join(line for line in r.stdout.splitlines()
                     if line.startswith(('#', 'Thread')))


def report(stdout):
    """(program, seconds, checkpoints, objects) from the report's first line."""
    m = HEADER.search(stdout)
    if not m:
        raise AssertionError('no report header in stdout:\n' + stdout)
    return m.group(1), float(m.group(2)), int(m.group(3)), int(m.group(4).replace(',', ''))


def growing_names(stdout):
    """Type names listed under 'growing types'."""
    lines = stdout.splitlines()
    start = [i for i, line in enumerate(lines) if line.startswith('growing types')]
    if not start:
        raise AssertionError('no growing-types table in stdout:\n' + stdout)
    names = []
    for line in lines[start[0] + 1:]:
        if not line.startswith('  '):
            break
        names.append(line.split()[0])
    return names


class ChainTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-cli-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def chain(self, *args, cwd=None, timeout=TIMEOUT):
        return subprocess.run([CHAIN] + list(args), cwd=cwd or self.dir, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def python(self, exe, *args, cwd=None):
        return subprocess.run([exe] + list(args), cwd=cwd or self.dir, timeout=TIMEOUT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def assertStatus(self, proc, status):
        self.assertEqual(proc.returncode, status,
                         'exit status %r, expected %r\nstdout:\n%s\nstderr:\n%s'
                         % (proc.returncode, status, proc.stdout, proc.stderr))

    def chain_python_version(self):
        out = subprocess.run([CHAIN, '--version'], stdout=subprocess.PIPE, text=True,
                             timeout=TIMEOUT).stdout
        m = re.search(r'Python (\d+)\.(\d+)', out)
        self.assertIsNotNone(m, out)
        return int(m.group(1)), int(m.group(2))


PROBE = '''\
import json, sys, __main__
print(json.dumps({
    "argv": sys.argv,
    "file": __main__.__dict__.get("__file__"),
    "path0": sys.path[0],
    "name": __name__,
    "cached": repr(__main__.__dict__.get("__cached__", "absent")),
    "loader": type(__main__.__dict__.get("__loader__")).__name__,
    "spec": [getattr(__spec__, "name", None), getattr(__spec__, "origin", None)],
    "executable": sys.executable,
}))
'''


class TestLikePython(ChainTest):
    """The program sees what `python SCRIPT ARGS` would show it."""

    def probe(self, *args, cwd=None):
        proc = self.chain(*args, cwd=cwd)
        self.assertStatus(proc, 0)
        return json.loads(proc.stdout.splitlines()[0]), proc

    def test_script_matches_python(self):
        self.write('sub/probe.py', PROBE)
        seen, proc = self.probe('sub/probe.py', 'a', '--top', '3')
        self.assertEqual(seen['argv'], ['sub/probe.py', 'a', '--top', '3'])
        self.assertEqual(seen['name'], '__main__')
        self.assertEqual(seen['path0'], os.path.realpath(os.path.join(self.dir, 'sub')))
        # absolute from Python 3.9 on, as given on 3.8
        self.assertEqual(os.path.realpath(os.path.join(self.dir, seen['file'])),
                         os.path.realpath(os.path.join(self.dir, 'sub', 'probe.py')))
        # --top after SCRIPT belonged to the script: the default report ran
        self.assertNotIn('most common types', proc.stdout)
        # sys.executable is a Python, not objref-chain: compare with it
        exe = seen['executable']
        self.assertNotEqual(os.path.realpath(exe), os.path.realpath(CHAIN))
        plain = self.python(exe, 'sub/probe.py', 'a', '--top', '3')
        self.assertStatus(plain, 0)
        self.assertEqual(seen, json.loads(plain.stdout))

    def test_symlinked_script_uses_target_directory(self):
        target = self.write('real/probe.py', PROBE)
        os.symlink(target, os.path.join(self.dir, 'link.py'))
        seen, _ = self.probe('link.py')
        self.assertEqual(seen['path0'], os.path.realpath(os.path.join(self.dir, 'real')))
        self.assertEqual(seen['argv'], ['link.py'])
        plain = self.python(seen['executable'], 'link.py')
        self.assertEqual(seen, json.loads(plain.stdout))

    def test_dash_m_matches_python(self):
        self.write('pkgdir/mymod.py', PROBE)
        cwd = os.path.join(self.dir, 'pkgdir')
        seen, _ = self.probe('-m', 'mymod', 'x', '--every', 'y', cwd=cwd)
        self.assertEqual(seen['argv'], [os.path.join(os.path.realpath(cwd), 'mymod.py'),
                                        'x', '--every', 'y'])
        self.assertEqual(seen['name'], '__main__')
        self.assertEqual(seen['path0'], os.path.realpath(cwd))
        plain = self.python(seen['executable'], '-m', 'mymod', 'x', '--every', 'y', cwd=cwd)
        self.assertEqual(seen, json.loads(plain.stdout))

    def test_dash_m_missing_module(self):
        proc = self.chain('-m', 'no_such_module_objref')
        self.assertStatus(proc, 1)
        self.assertIn('No module named no_such_module_objref', proc.stderr)

    def test_directory_with_main(self):
        self.write('app/__main__.py', PROBE)
        seen, _ = self.probe('app', 'q')
        self.assertEqual(seen['argv'], ['app', 'q'])
        plain = self.python(seen['executable'], 'app', 'q')
        self.assertEqual(seen, json.loads(plain.stdout))


class TestExitStatus(ChainTest):
    def test_sys_exit_status_propagated(self):
        self.write('e3.py', 'import sys\nsys.exit(3)\n')
        proc = self.chain('e3.py')
        self.assertStatus(proc, 3)
        self.assertEqual(report(proc.stdout)[2], 1)

    def test_sys_exit_none_is_zero(self):
        self.write('e0.py', 'import sys\nsys.exit()\n')
        self.assertStatus(self.chain('e0.py'), 0)

    def test_sys_exit_message(self):
        self.write('em.py', 'import sys\nsys.exit("giving up now")\n')
        proc = self.chain('em.py')
        self.assertStatus(proc, 1)
        self.assertIn('giving up now', proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)

    def test_uncaught_exception(self):
        self.write('boom.py', 'def f():\n    raise ValueError("boom 42")\nf()\n')
        proc = self.chain('boom.py')
        self.assertStatus(proc, 1)
        self.assertIn('Traceback (most recent call last)', proc.stderr)
        self.assertIn('ValueError: boom 42', proc.stderr)
        self.assertIn('boom.py", line 2', proc.stderr)
        report(proc.stdout)  # the report still comes

    def test_syntax_error(self):
        self.write('syn.py', 'x = 1\ndef f(:\n    pass\n')
        proc = self.chain('syn.py')
        self.assertStatus(proc, 1)
        self.assertIn('SyntaxError', proc.stderr)
        self.assertIn('syn.py", line 2', proc.stderr)
        self.assertEqual(report(proc.stdout)[2], 1)
        self.assertIn('no type grew across 1 checkpoint', proc.stdout)

    def test_missing_script(self):
        proc = self.chain('nope.py')
        self.assertStatus(proc, 2)
        self.assertIn("objref-chain: cannot open script 'nope.py': No such file or directory",
                      proc.stderr)
        self.assertEqual(proc.stdout, '')

    def test_unknown_option(self):
        self.write('ok.py', 'pass\n')
        proc = self.chain('--frobnicate', 'ok.py')
        self.assertStatus(proc, 2)
        self.assertIn("unknown option '--frobnicate'", proc.stderr)
        for opt in ('--type T', '--samples K', '--top N', '--growth', '--every MODULE:FUNC=N',
                    '--interval SEC', '--duration SEC', '--log FILE', '--json', '-m MODULE',
                    '--help'):
            self.assertIn(opt, proc.stderr)
        self.assertEqual(proc.stdout, '')

    def test_bad_values(self):
        self.write('ok.py', 'pass\n')
        cases = [
            (['--top', 'abc'], "--top 'abc'"),
            (['--top', '0'], "--top '0'"),
            (['--every', 'app.handle'], 'MODULE:FUNC=N'),
            (['--every', 'app:handle=0'], 'MODULE:FUNC=N'),
            (['--interval', '-1'], "--interval '-1'"),
            (['--duration', 'soon'], "--duration 'soon'"),
            (['--type', ''], '--type needs a type name'),
            (['--samples', '0'], "--samples '0'"),
            (['--max-depth', 'deep'], "--max-depth 'deep'"),
            (['--log', os.path.join(self.dir, 'no', 'such', 'dir', 'log.txt')],
             'cannot write log'),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                proc = self.chain(*(args + ['ok.py']))
                self.assertStatus(proc, 2)
                self.assertIn(message, proc.stderr)
                self.assertEqual(proc.stdout, '')

    def test_no_script(self):
        proc = self.chain()
        self.assertStatus(proc, 2)
        self.assertIn('no script given', proc.stderr)

    def test_help_and_version(self):
        proc = self.chain('--help')
        self.assertStatus(proc, 0)
        for text in ('exit status', '130', 'usage error', '--every MODULE:FUNC=N'):
            self.assertIn(text, proc.stdout)
        proc = self.chain('--version')
        self.assertStatus(proc, 0)
        self.assertRegex(proc.stdout, r'^objref-chain \d+\.\d+\.\d+ .*Python \d+\.\d+')


class TestReport(ChainTest):
    def test_report_after_program_output(self):
        self.write('hello.py', 'print("hello from the program")\n')
        proc = self.chain('hello.py')
        self.assertStatus(proc, 0)
        self.assertLess(proc.stdout.index('hello from the program'),
                        proc.stdout.index('objref-chain: hello.py ran'))

    def test_no_growth_explains_why(self):
        self.write('one.py', 'x = 1\n')
        proc = self.chain('one.py')
        self.assertStatus(proc, 0)
        self.assertIn('no type grew across 1 checkpoint', proc.stdout)
        self.assertIn('--interval', proc.stdout)
        self.assertIn('objref.checkpoint()', proc.stdout)

    def test_leaky_service_growth(self):
        proc = self.chain('--growth', os.path.join(EXAMPLES, 'leaky_service.py'))
        self.assertStatus(proc, 0)
        program, _, checkpoints, _ = report(proc.stdout)
        self.assertTrue(program.endswith('leaky_service.py'), program)
        self.assertEqual(checkpoints, 31)  # 30 ticks + the end
        names = growing_names(proc.stdout)
        for name in ('tuple', 'dict', 'Session'):
            self.assertIn(name, names)

    def test_top(self):
        proc = self.chain('--top', '4', os.path.join(EXAMPLES, 'leaky_service.py'))
        self.assertStatus(proc, 0)
        lines = proc.stdout.splitlines()
        head = [i for i, line in enumerate(lines) if line.startswith('most common types')]
        self.assertEqual(len(head), 1, proc.stdout)
        rows = lines[head[0] + 1:head[0] + 5]
        self.assertTrue(all(re.match(r'^\S+ +\d+$', r) for r in rows), rows)
        counts = [int(r.split()[1]) for r in rows]
        self.assertEqual(counts, sorted(counts, reverse=True))
        # untracked objects are counted: 30,000 atomic tuples and dicts
        self.assertIn('tuple', [r.split()[0] for r in rows])
        self.assertGreaterEqual(dict((r.split()[0], int(r.split()[1])) for r in rows)['tuple'],
                                30000)
        self.assertNotIn('growing types', proc.stdout)  # --top alone: no growth table


EVERY_APP = '''\
import threading
KEEP = []

def handle(i):
    KEEP.append((i, 'x'))

class Handler:
    def handle(self, i):
        KEEP.append([i])

for i in range(30):
    handle(i)
t = threading.Thread(target=lambda: [handle(i) for i in range(20)])
t.start()
t.join()
h = Handler()
for i in range(40):
    h.handle(i)
'''


class TestCheckpoints(ChainTest):
    def handle_calls(self):
        """Calls of app:handle in EVERY_APP: 30 in main + 20 in a thread; before
        3.11 (no co_qualname) the 40 calls of Handler.handle count too."""
        return 50 if self.chain_python_version() >= (3, 11) else 90

    def test_every_counts_calls_in_all_threads(self):
        self.write('app.py', EVERY_APP)
        proc = self.chain('--every', 'app:handle=10', 'app.py')
        self.assertStatus(proc, 0)
        # a checkpoint every 10 calls, + the end
        self.assertEqual(report(proc.stdout)[2], self.handle_calls() // 10 + 1)

    def test_every_other_module_never_fires(self):
        self.write('app.py', EVERY_APP)
        proc = self.chain('--every', 'other:handle=10', 'app.py')
        self.assertStatus(proc, 0)
        self.assertEqual(report(proc.stdout)[2], 1)

    def test_every_class_method(self):
        if self.chain_python_version() < (3, 11):
            self.skipTest('Class.method is told apart from 3.11 on (co_qualname)')
        self.write('app.py', EVERY_APP)
        proc = self.chain('--every', 'app:Handler.handle=10', 'app.py')
        self.assertStatus(proc, 0)
        self.assertEqual(report(proc.stdout)[2], 5)  # 40 calls: 4, + the end

    def test_every_with_log_headers(self):
        self.write('app.py', EVERY_APP)
        log = os.path.join(self.dir, 'log.txt')
        proc = self.chain('--every', 'app:handle=25', '--log', log, 'app.py')
        self.assertStatus(proc, 0)
        with open(log) as f:
            headers = [line for line in f if line.startswith('# checkpoint')]
        self.assertEqual(len(headers), self.handle_calls() // 25 + 1, headers)
        self.assertIn('every app:handle', headers[0])
        self.assertIn('end', headers[-1])

    def test_interval(self):
        self.write('slow.py', '''\
            import time
            for i in range(12):
                time.sleep(0.1)
            ''')
        proc = self.chain('--interval', '0.3', 'slow.py')
        self.assertStatus(proc, 0)
        _, seconds, checkpoints, _ = report(proc.stdout)
        self.assertGreaterEqual(seconds, 1.1)
        self.assertGreaterEqual(checkpoints, 3)  # >= 2 interval checkpoints + the end
        self.assertLessEqual(checkpoints, 6)

    def test_log_has_one_census_per_checkpoint(self):
        # gc.collect(): an automatic collection freeing start-up garbage
        # between two checkpoints would blur the +500 steps
        self.write('grow.py', '''\
            import gc, objref
            KEEP = []
            for i in range(5):
                KEEP.extend((i, k, 'x') for k in range(500))
                gc.collect()
                objref.checkpoint('step %d' % i)
            ''')
        log = os.path.join(self.dir, 'census.log')
        with open(log, 'w') as f:
            f.write('stale line from an earlier run\n')
        proc = self.chain('--log', log, 'grow.py')
        self.assertStatus(proc, 0)
        with open(log) as f:
            text = f.read()
        self.assertNotIn('stale line', text)  # the log describes one run
        self.assertEqual(len(re.findall(r'^# checkpoint', text, re.M)), 6)  # 5 + the end
        tuples = [int(n) for n in re.findall(r'^tuple +(\d+)$', text, re.M)]
        self.assertEqual(len(tuples), 6, text)
        steps = [b - a for a, b in zip(tuples[:5], tuples[1:5])]
        self.assertTrue(all(450 <= d <= 550 for d in steps), tuples)  # +500 per step


class TestStopping(ChainTest):
    def test_duration_stops_forever(self):
        start = time.monotonic()
        proc = self.chain('--interval', '0.4', '--duration', '2',
                          os.path.join(EXAMPLES, 'forever.py'), timeout=30)
        elapsed = time.monotonic() - start
        self.assertStatus(proc, 0)
        self.assertGreaterEqual(elapsed, 1.9)
        self.assertLess(elapsed, 6)
        self.assertIn('stopped %s after --duration 2 s' % os.path.join(EXAMPLES, 'forever.py'),
                      proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        _, seconds, checkpoints, _ = report(proc.stdout)
        self.assertAlmostEqual(seconds, 2.0, delta=0.5)
        self.assertGreaterEqual(checkpoints, 4)  # 4 interval ticks + the one at --duration
        self.assertIn('tuple', growing_names(proc.stdout))

    def test_duration_program_that_ignores_sigint(self):
        self.write('ign.py', '''\
            import signal, time
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                time.sleep(0.01)
            ''')
        proc = self.chain('--duration', '0.5', 'ign.py', timeout=30)
        self.assertStatus(proc, 0)
        self.assertIn('stopped ign.py after --duration 0.5 s', proc.stderr)
        report(proc.stdout)

    def test_duration_program_that_will_not_stop(self):
        self.write('stubborn.py', '''\
            import time
            while True:
                try:
                    time.sleep(0.05)
                except KeyboardInterrupt:
                    pass
            ''')
        start = time.monotonic()
        proc = self.chain('--duration', '0.5', 'stubborn.py', timeout=30)
        self.assertStatus(proc, 0)
        self.assertLess(time.monotonic() - start, 10)
        self.assertIn('did not stop within 5 s', proc.stderr)
        self.assertEqual(report(proc.stdout)[2], 1)

    def test_sigint_reports_and_exits_130(self):
        proc = subprocess.Popen([CHAIN, os.path.join(EXAMPLES, 'forever.py')], cwd=self.dir,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = proc.stdout.readline()  # the program is running
            self.assertIn('forever: serving', first)
            time.sleep(0.3)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 130, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertIn('interrupted', err)
        self.assertNotIn('Traceback', err)
        self.assertGreaterEqual(report(out)[2], 1)


if __name__ == '__main__':
    unittest.main()


ROOTS = os.path.join(EXAMPLES, 'roots')


class TestChains(ChainTest):
    """objref-chain --type T: who holds the objects."""

    def chains_section(self, stdout):
        lines = stdout.splitlines()
        start = [i for i, line in enumerate(lines) if line.startswith('chains for ')]
        self.assertTrue(start, 'no chains section in stdout:\n' + stdout)
        return lines[start[0]:]

    def test_type_prints_the_chain_and_root(self):
        proc = self.chain('--type', 'Payload', os.path.join(ROOTS, 'module_global.py'))
        self.assertStatus(proc, 0)
        section = self.chains_section(proc.stdout)
        self.assertRegex(section[0], r'^chains for Payload \(5 samples of 5, 1 pattern, 5/5 samples')
        self.assertEqual(section[1], "  module __main__ .STATE -> dict ['sessions'] -> list [*] "
                                     "-> Session .history -> list [*] -> tuple [*] -> Payload")
        self.assertEqual(section[2], '  root: module global __main__.STATE')
        self.assertTrue(section[3].startswith('  suspect: list [*]'), section[3])

    def test_without_type_the_fastest_growing_type_is_chained(self):
        proc = self.chain(os.path.join(EXAMPLES, 'leaky_service.py'))
        self.assertStatus(proc, 0)
        first = growing_names(proc.stdout)[0]
        section = self.chains_section(proc.stdout)
        self.assertTrue(section[0].startswith('chains for %s (' % first), section[0])

    def test_unknown_type_suggests_close_names(self):
        proc = self.chain('--type', 'Sesion', os.path.join(EXAMPLES, 'leaky_service.py'))
        self.assertStatus(proc, 2)
        self.assertIn("no live object of type 'Sesion'", proc.stderr)
        self.assertRegex(proc.stderr, r'closest: [^\n]*\bSession\b')
        self.assertIn('growing: ', proc.stderr)
        report(proc.stdout)  # the report is still printed

    def test_json(self):
        proc = self.chain('--json', '--type', 'Orphan', os.path.join(ROOTS, 'held_from_c.py'))
        self.assertStatus(proc, 0)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc['schema'], 'objref-chain/1')
        self.assertEqual(doc['checkpoints'], 6)
        self.assertEqual(doc['chains']['type'], 'Orphan')
        pattern = doc['chains']['patterns'][0]
        self.assertEqual(pattern['root'], {'kind': 'held_from_c', 'unexplained': 1})
        self.assertEqual(pattern['steps'], [{'type': 'Orphan', 'label': None}])
        self.assertIn('Orphan', [g['type'] for g in doc['growing']])


def png_texts(path):
    """{keyword: text} of a PNG's iTXt chunks, every chunk's CRC checked."""
    import struct
    import zlib
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG: ' + path
    texts, at = {}, 8
    while at < len(data):
        n, kind = struct.unpack('>I4s', data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        assert struct.unpack('>I', data[at + 8 + n:at + 12 + n])[0] == zlib.crc32(kind + body)
        if kind == b'iTXt':
            key, rest = body.split(b'\0', 1)
            text = rest[2:].split(b'\0', 2)[2]
            texts[key.decode()] = (zlib.decompress(text) if rest[0] else text).decode()
        at += 12 + n
    return texts


class TestPictures(ChainTest):
    """The picture beside the report: objref-TYPE.png with its DOT inside."""

    def test_default_png_and_dot(self):
        proc = self.chain('--type', 'Session', os.path.join(EXAMPLES, 'leaky_service.py'))
        self.assertStatus(proc, 0)
        self.assertIn('wrote objref-Session.png (DOT inside), objref-Session.dot\n', proc.stdout)
        png = os.path.join(self.dir, 'objref-Session.png')
        with open(os.path.join(self.dir, 'objref-Session.dot')) as f:
            dot = f.read()
        texts = png_texts(png)
        self.assertEqual(texts['DOT'], dot)
        self.assertIn('objref-chain', texts['Command'])
        self.assertRegex(texts['Python'], r'^3\.\d+\.\d+')
        # the chain, from the module down, with the suspect reference in red
        self.assertIn('label=<<B>module</B><BR/>__main__', dot)
        self.assertIn('label=<<B>Session</B>', dot)
        self.assertRegex(dot, r'color="#d62828",\n\t\tfontcolor="#d62828",\n\t\tlabel=<<B>')
        # --extract-dot gives it back
        out = self.chain('--extract-dot', png)
        self.assertStatus(out, 0)
        self.assertEqual(out.stdout, dot)

    def test_output_formats(self):
        script = os.path.join(EXAMPLES, 'leaky_service.py')
        proc = self.chain('-o', 'pic.svg', '--type', 'Session', script)
        self.assertStatus(proc, 0)
        self.assertIn('wrote pic.svg, pic.dot', proc.stdout)
        import xml.etree.ElementTree as ET
        self.assertTrue(ET.parse(os.path.join(self.dir, 'pic.svg')).getroot().tag.endswith('svg'))
        proc = self.chain('--output', 'only.dot', '--type', 'Session', script)
        self.assertStatus(proc, 0)
        self.assertIn('wrote only.dot\n', proc.stdout)
        self.assertFalse([f for f in os.listdir(self.dir) if f.startswith('only.') and f != 'only.dot'])

    def test_no_picture(self):
        proc = self.chain('--no-picture', '--type', 'Session', os.path.join(EXAMPLES, 'leaky_service.py'))
        self.assertStatus(proc, 0)
        self.assertNotIn('wrote ', proc.stdout)
        self.assertEqual([f for f in os.listdir(self.dir) if f.startswith('objref-')], [])

    def test_unwritable_output_fails_before_the_program_runs(self):
        marker = os.path.join(self.dir, 'ran')
        script = self.write('app.py', """
            open(%r, 'w').close()
            """ % marker)
        proc = self.chain('-o', '/nonexistent/dir/x.png', script)
        self.assertStatus(proc, 2)
        self.assertIn("cannot write the picture '/nonexistent/dir/x.png': directory "
                      "'/nonexistent/dir'", proc.stderr)
        self.assertIn('choose another path with -o', proc.stderr)
        self.assertFalse(os.path.exists(marker))
        proc = self.chain('-o', 'x.gif', script)
        self.assertStatus(proc, 2)
        self.assertIn('name the picture .png, .svg, .pdf or .dot', proc.stderr)

    def test_extract_dot_errors(self):
        proc = self.chain('--extract-dot', os.path.join(self.dir, 'missing.png'))
        self.assertStatus(proc, 2)
        self.assertIn('cannot read', proc.stderr)
        notpng = self.write('n.png', 'text')
        proc = self.chain('--extract-dot', notpng)
        self.assertStatus(proc, 2)
        self.assertIn('is not a PNG file', proc.stderr)

    def test_no_dot_program_needed(self):
        env = dict(os.environ, PATH=self.dir)
        proc = subprocess.run([CHAIN, '--type', 'Session', os.path.join(EXAMPLES, 'leaky_service.py')],
                              cwd=self.dir, env=env, timeout=TIMEOUT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('DOT', png_texts(os.path.join(self.dir, 'objref-Session.png')))

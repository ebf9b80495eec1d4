"""objref-chain --pid: attach to a running service, dump its heap by fork a
few times, report what grows — and leave the service exactly as it was.

The services here are started with the interpreter running these tests
(sys.executable), so every per-Python build of the suite attaches to its
own version.  They need gdb (Debian's; the Makefile installs it) and ptrace
permission (root, or kernel.yama.ptrace_scope 0); without either the tests
skip, saying so.
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
TIMEOUT = 120

# A service: a worker thread "serves" a request every 5 ms and keeps every
# Session in a module-global dict (the leak); another thread waits in a
# blocking queue.get(); the main thread ticks every 2 ms in time.sleep and
# records the largest gap between two ticks.  On SIGUSR1 it writes its state
# (gc, threads, gap, requests served) as JSON to STATE.
SERVICE = textwrap.dedent('''
    import gc, json, os, queue, signal, sys, threading, time
    STATE, MODE = sys.argv[1], sys.argv[2]
    SESSIONS = {}
    served = [0]
    class Session:
        def __init__(self, i):
            self.id = i
            self.history = [("GET", "/item/%d" % i)]
    def serve():
        i = 0
        while True:
            SESSIONS["s%d" % i] = Session(i)
            i += 1
            served[0] = i
            time.sleep(0.005)
    idle_q = queue.Queue()
    threading.Thread(target=serve, daemon=True).start()
    threading.Thread(target=idle_q.get, daemon=True).start()
    if MODE == "frozen":
        gc.collect(); gc.freeze()
    if MODE == "nogc":
        gc.disable()
    gc.set_threshold(1234, 11, 12)
    gap = [0.0]
    def report(*_):
        with open(STATE + ".tmp", "w") as f:
            json.dump({"gc_enabled": gc.isenabled(), "threshold": gc.get_threshold(),
                       "threads": threading.active_count(), "gap": gap[0], "served": served[0],
                       "modules": sorted(sys.modules)}, f)
        os.rename(STATE + ".tmp", STATE)
    signal.signal(signal.SIGUSR1, report)
    report()
    last = time.perf_counter()
    if MODE == "sleep":
        time.sleep(3600)
    while True:
        time.sleep(0.002)
        now = time.perf_counter()
        gap[0] = max(gap[0], now - last)
        last = now
''')


def setUpModule():
    if 'libasan' in os.environ.get('LD_PRELOAD', ''):
        raise unittest.SkipTest('the sanitizer build: its payload would need the sanitizer runtime in '
                                'the target and gdb is too slow there; --pid is tested in the plain '
                                'and per-Python builds')
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not set to the objref-chain binary (ctest sets it)')
    if not shutil.which('gdb'):
        raise unittest.SkipTest('gdb is not installed (apt-get install gdb): --pid needs it')
    try:
        with open('/proc/sys/kernel/yama/ptrace_scope') as f:
            scope = int(f.read())
    except OSError:
        scope = 0
    if scope != 0 and os.geteuid() != 0:
        raise unittest.SkipTest('ptrace is restricted (kernel.yama.ptrace_scope=%d) and this is not '
                                'root' % scope)
    signal.signal(signal.SIGINT, signal.default_int_handler)


class Service:
    def __init__(self, mode='tick'):
        self.dir = tempfile.mkdtemp(prefix='objref-attach-test-')
        self.state_path = os.path.join(self.dir, 'state.json')
        script = os.path.join(self.dir, 'service.py')
        with open(script, 'w') as f:
            f.write(SERVICE)
        self.proc = subprocess.Popen([sys.executable, script, self.state_path, mode],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while not os.path.exists(self.state_path):
            if time.time() > deadline or self.proc.poll() is not None:
                raise AssertionError('the service did not start: %r' % self.proc.stderr.read())
            time.sleep(0.05)
        time.sleep(0.3)
        self.before = self.state()

    def state(self):
        os.remove(self.state_path)
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.time() + 10
        while not os.path.exists(self.state_path):
            if time.time() > deadline:
                raise AssertionError('the service does not answer SIGUSR1')
            time.sleep(0.02)
        with open(self.state_path) as f:
            return json.load(f)

    def tasks(self):
        return len(os.listdir('/proc/%d/task' % self.proc.pid))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def payload_paths(pid):
    """The payload files pid has mapped (other tests may attach to their
    own services at the same time: only this one's count)."""
    with open('/proc/%d/maps' % pid) as f:
        return {line.split(None, 5)[5].strip() for line in f if 'objref-payload-' in line}


def exchange_dir(pid):
    """The exchange directory of the attach to pid: the payload's copy's."""
    paths = payload_paths(pid)
    return os.path.dirname(paths.pop().split(' (deleted)')[0]) if len(paths) == 1 else None


def attach(pid, *args, env=None, cwd=None):
    return subprocess.run([CHAIN, '--pid', str(pid)] + list(args), capture_output=True, text=True,
                          timeout=TIMEOUT, env=env, cwd=cwd)


class AttachToService(unittest.TestCase):
    def check_unharmed(self, svc, tasks_before):
        after = svc.state()
        self.assertIsNone(svc.proc.poll(), 'the service died')
        for key in ('gc_enabled', 'threshold'):
            self.assertEqual(after[key], svc.before[key], key)
        self.assertEqual(after['modules'], svc.before['modules'], 'modules imported into the target')
        time.sleep(0.2)
        self.assertGreater(svc.state()['served'], after['served'], 'the service stopped serving')
        deadline = time.time() + 10  # the payload's thread ends after its last dump
        while svc.tasks() > tasks_before and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(svc.tasks(), tasks_before, 'a thread was left behind')
        # the exchange directory (with the payload's copy) is gone
        xdir = exchange_dir(svc.proc.pid)
        self.assertTrue(xdir and xdir.startswith('/tmp/objref-attach-'), xdir)
        self.assertFalse(os.path.exists(xdir), xdir)
        return after

    def attach_and_check(self, mode):
        svc = Service(mode)
        try:
            tasks = svc.tasks()
            out = tempfile.mkdtemp(prefix='objref-dumps-')
            pics = tempfile.mkdtemp(prefix='objref-pictures-')
            r = attach(svc.proc.pid, '--count', '3', '--interval', '0.6', '--dump-dir', out, cwd=pics)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('objref-chain: pid %d ran' % svc.proc.pid, r.stdout)
            self.assertIn('3 checkpoints', r.stdout)
            # the leak: Session grows by about 0.6 s / 5 ms per dump
            growing = [line.split()[0] for line in r.stdout.splitlines() if '/ckpt' in line]
            self.assertIn('Session', growing, r.stdout)
            self.assertEqual(sorted(os.listdir(out)), ['dump-1.objref', 'dump-2.objref', 'dump-3.objref'])
            self.assertEqual(r.stderr.count('paused'), 3, r.stderr)
            # the report of --from: the chains of the growing type that holds
            # the others (a Session holds its str, list, tuple and int), its picture
            self.assertIn('chains for Session (', r.stdout)
            self.assertRegex(r.stdout, r'\n  chosen: Session, of the \d+ types that grew,')
            self.assertIn('paused at most', r.stdout)
            self.assertEqual([f for f in os.listdir(pics) if f.endswith('.png')],
                             ['objref-Session.png'], r.stdout)
            self.check_unharmed(svc, tasks)
            # loaded from the exchange directory (a path in the target's own
            # mount namespace), which is gone now
            payload = payload_paths(svc.proc.pid)
            self.assertEqual(len(payload), 1, payload)
            self.assertRegex(payload.pop(), r'^/tmp/objref-attach-\d+/objref-payload-3\.\d+\.so \(deleted\)$')
            shutil.rmtree(out)
            shutil.rmtree(pics)
            return r
        finally:
            svc.close()

    def test_ticking_service(self):
        self.attach_and_check('tick')

    def test_chains_of_the_sessions(self):
        """--type Session: the chains of the newest Sessions, from the service's global dict."""
        svc = Service('tick')
        pics = tempfile.mkdtemp(prefix='objref-pictures-')
        try:
            r = attach(svc.proc.pid, '--count', '2', '--interval', '0.5', '--type', 'Session',
                       '--json', cwd=pics)
            self.assertEqual(r.returncode, 0, r.stderr)
            report = json.loads(r.stdout)  # stdout is the JSON alone
            chains = report['chains']
            self.assertEqual(chains['type'], 'Session')
            self.assertGreater(chains['instances'], 50)
            self.assertEqual(chains['samples'], 5)
            for p in chains['patterns']:
                steps = p['steps']
                self.assertEqual(p['status'], 'found')
                # ... -> dict ['SESSIONS'] -> dict ['s123'] -> Session: the service's global
                self.assertEqual([s['type'] for s in steps[-3:]], ['dict', 'dict', 'Session'], p['text'])
                self.assertEqual(steps[-3]['label'], "['SESSIONS']", p['text'])
                self.assertRegex(steps[-2]['label'], r"^\['s\d+'\]$", p['text'])
                self.assertIn(p['root']['kind'], ('frame', 'module'), p['root_text'])
                self.assertIn('service.py' if p['root']['kind'] == 'frame' else '__main__',
                              p['root_text'])
            self.assertIn('paused at most', r.stderr)
            self.assertTrue(os.path.exists(os.path.join(pics, 'objref-Session.png')), r.stderr)
            self.assertIsNone(svc.proc.poll(), 'the service died')
        finally:
            svc.close()
            shutil.rmtree(pics, ignore_errors=True)

    def test_html_report(self):
        """--html FILE: the page of an attached service, made from its dumps."""
        svc = Service('tick')
        pics = tempfile.mkdtemp(prefix='objref-pictures-')
        try:
            r = attach(svc.proc.pid, '--count', '2', '--interval', '0.5', '--type', 'Session',
                       '--no-picture', '--html', 'service.html', cwd=pics)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('wrote service.html (HTML report)', r.stdout)
            self.assertEqual(os.listdir(pics), ['service.html'], 'no picture, no temporary file')
            with open(os.path.join(pics, 'service.html'), encoding='utf-8') as f:
                html = f.read()
            self.assertIn('<title>objref-chain: pid %d</title>' % svc.proc.pid, html)
            # the summary says how long the service paused, as stdout does
            self.assertRegex(html, r'\npid %d kept running: paused at most [0-9.]+ ms per dump' % svc.proc.pid)
            self.assertIn('<h2>Chains for Session</h2>', html)
            self.assertTrue('module __main__ .SESSIONS -&gt; dict [&#39;s' in html, 'no chain text')
            self.assertTrue('root: module global __main__.SESSIONS' in html, 'no root')
            self.assertIn('<div class="pic">', html)  # the chains' picture, drawn for the page
            # one key of SESSIONS per sample: 5 patterns, each with its picture and its DOT
            # the keys of SESSIONS lead to sessions new since the first dump:
            # one pattern through the dict, its picture and its DOT once
            self.assertIn('1 pattern, 5/5 samples share the first', html)
            self.assertNotIn('<h2>Chains for Session: pattern', html)
            self.assertEqual(html.count('<details class="dot"><summary>DOT source</summary><pre>digraph'), 1)
            self.assertIn('<h2>Retained sizes by type</h2>', html)
            self.assertEqual(html.count('<script'), 1, "only the page's own script")
            self.assertIsNone(svc.proc.poll(), 'the service died')
        finally:
            svc.close()
            shutil.rmtree(pics, ignore_errors=True)

    def test_service_asleep_the_whole_time(self):
        """The main thread never wakes: the injected thread must not wait for it."""
        self.attach_and_check('sleep')

    def test_gc_disabled_stays_disabled(self):
        self.attach_and_check('nogc')

    def test_frozen_heap(self):
        self.attach_and_check('frozen')

    def test_second_attach_is_refused(self):
        svc = Service('sleep')
        try:
            first = subprocess.Popen([CHAIN, '--pid', str(svc.proc.pid), '--count', '2',
                                      '--interval', '2'], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            time.sleep(0.5)
            second = attach(svc.proc.pid, '--count', '1')
            out, err = first.communicate(timeout=TIMEOUT)
            self.assertEqual(first.returncode, 0, err)
            self.assertEqual(second.returncode, 2, second.stderr)
            self.assertIn('another objref-chain is attached to pid %d' % svc.proc.pid, second.stderr)
        finally:
            svc.close()


class AttachErrors(unittest.TestCase):
    def one_line_error(self, r, status, words):
        self.assertEqual(r.returncode, status, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith('objref-chain: '), lines[0])
        for w in words:
            self.assertIn(w, lines[0])
        self.assertEqual(r.stdout, '')

    def test_no_such_pid(self):
        self.one_line_error(attach(2 ** 22 + 12345), 2, ['no process with pid 4206649'])

    def test_not_python(self):
        p = subprocess.Popen(['sleep', '60'])
        try:
            self.one_line_error(attach(p.pid), 2, ['pid %d' % p.pid, 'is not a Python process'])
        finally:
            p.kill()
            p.wait()

    def test_stopped_target(self):
        svc = Service('sleep')
        try:
            os.kill(svc.proc.pid, signal.SIGSTOP)
            time.sleep(0.2)
            self.one_line_error(attach(svc.proc.pid), 2, ['is stopped', 'kill -CONT %d' % svc.proc.pid])
            os.kill(svc.proc.pid, signal.SIGCONT)
            time.sleep(0.2)
            self.assertIsNone(svc.proc.poll())
        finally:
            svc.close()

    def test_no_payload_for_that_version(self):
        svc = Service('sleep')
        try:
            env = dict(os.environ, OBJREF_ATTACH_PATH='/nonexistent')
            # hide the build's own payload: run a copy of objref-chain from elsewhere
            tmp = tempfile.mkdtemp(prefix='objref-chain-copy-')
            try:
                shutil.copy(CHAIN, tmp)
                r = subprocess.run([os.path.join(tmp, 'objref-chain'), '--pid', str(svc.proc.pid)],
                                   capture_output=True, text=True, timeout=TIMEOUT, env=env)
            finally:
                shutil.rmtree(tmp)
            version = '%d.%d' % sys.version_info[:2]
            if 'no payload' not in r.stderr and r.returncode == 0:
                self.skipTest('objref is installed system-wide: its payload was found')
            self.one_line_error(r, 2, ['Python %s' % version, 'objref-payload-%s.so' % version,
                                       'make build PYTHON=python%s' % version])
        finally:
            svc.close()

    def test_gdb_missing(self):
        svc = Service('sleep')
        try:
            empty = tempfile.mkdtemp(prefix='objref-no-gdb-')
            try:
                r = attach(svc.proc.pid, env=dict(os.environ, PATH=empty))
            finally:
                os.rmdir(empty)
            self.one_line_error(r, 2, ['gdb is not installed', 'apt-get install gdb'])
            self.assertIsNone(svc.proc.poll())
        finally:
            svc.close()

    def test_ptrace_not_permitted(self):
        """Another user's process: the kernel's ptrace access check refuses
        /proc/PID/exe; the message names the permission and the fix."""
        if os.geteuid() != 0 or not shutil.which('setpriv'):
            self.skipTest('needs root (to run objref-chain as another user) and setpriv')
        svc = Service('sleep')
        try:
            r = subprocess.run(['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups',
                                CHAIN, '--pid', str(svc.proc.pid)], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if 'Permission denied' not in r.stderr and r.returncode != 2:
                self.skipTest('objref-chain cannot run as nobody here: %s' % r.stderr.strip())
            self.one_line_error(r, 2, ['ptrace of pid %d is not permitted' % svc.proc.pid,
                                       "as pid %d's user or as root" % svc.proc.pid, 'CAP_SYS_PTRACE'])
            self.assertIsNone(svc.proc.poll())
        finally:
            svc.close()

    def test_target_exits_during_the_dumps(self):
        svc = Service('sleep')
        try:
            p = subprocess.Popen([CHAIN, '--pid', str(svc.proc.pid), '--count', '3', '--interval', '1'],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first = p.stderr.readline()
            self.assertIn('dump 1 of 3 from pid %d' % svc.proc.pid, first)
            xdir = exchange_dir(svc.proc.pid)
            self.assertTrue(xdir and os.path.isdir(xdir), xdir)
            svc.proc.kill()
            out, err = p.communicate(timeout=TIMEOUT)
            self.assertEqual(p.returncode, 2, err)
            self.assertEqual(err.strip().splitlines(), ['objref-chain: pid %d exited during dump 2 of 3'
                                                        % svc.proc.pid])
            self.assertEqual(out, '')
            self.assertFalse(os.path.exists(xdir), 'exchange directory left')
        finally:
            svc.close()

    def test_usage(self):
        r = subprocess.run([CHAIN, '--pid', '1', 'app.py'], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 2)
        self.assertIn('no SCRIPT or -m MODULE goes with it', r.stderr)
        r = subprocess.run([CHAIN, '--count', '2', 'app.py'], capture_output=True, text=True,
                           timeout=TIMEOUT)
        self.assertEqual(r.returncode, 2)
        self.assertIn('--count goes with --pid', r.stderr)


if __name__ == '__main__':
    unittest.main()

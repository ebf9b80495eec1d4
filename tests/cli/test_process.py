"""objref-chain and the processes and signals of the program it observes.

- A program that forks: only the process objref-chain started reports,
  once (one report, one picture, one '# checkpoint 1' in --log, one JSON
  document); the child leaves as python would leave it.
- SIGTERM is handled as SIGINT: last checkpoint, report, pictures, exit 143.
- An early interruption with no --type says the program stopped before any
  type grew.
- Output paths: -o is proven writable (a file created and removed) before
  the program runs; a picture asked for that cannot be written after the
  run is exit status 4.

Run through ctest (cli.e2e), or by hand:

    OBJREF_CHAIN=build/cli/objref-chain python3 -m unittest tests/cli/test_process.py -v
"""
import json
import os
import re
import signal
import subprocess
import time
import unittest

from tests.cli.test_cli import CHAIN, HEADER, TIMEOUT, ChainTest, report, setUpModule, stacks  # noqa: F401

FORK_EXIT = '''\
import os, sys
keep = [tuple([i]) for i in range(2000)]
pid = os.fork()
if pid == 0:
    print("child", os.getpid(), flush=True)
    sys.exit({child_status})
_, status = os.waitpid(pid, 0)
print("parent saw", os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
      else status >> 8, flush=True)
'''

# The child returns from the script (no sys.exit), after running the
# function --every watches; the parent takes checkpoints of its own too.
FORK_RETURN = '''\
import os, time
keep = []
def handle():
    keep.append(tuple(range(len(keep), len(keep) + 3)))
for _ in range(3):
    handle()
pid = os.fork()
for _ in range(5):
    handle()
time.sleep(0.3)
if pid:
    os.waitpid(pid, 0)
'''

# Writes READY once it runs, then waits to be stopped.
WAITER = '''\
import os, signal, sys, time
{setup}
keep = []
for i in range(3):
    keep.append([tuple([i, j]) for j in range(500)])
with open("ready", "w"):
    pass
deadline = time.time() + 60
while time.time() < deadline:
    time.sleep(0.05)
sys.exit(99)  # never stopped: the test fails on the status
'''


STUBBORN = '''\
import time
open("ready", "w").close()
while True:
    try:
        time.sleep(10)
    except KeyboardInterrupt:
        print("ignored", flush=True)
'''


class ProcessTest(ChainTest):
    def start(self, *args):
        return subprocess.Popen([CHAIN] + list(args), cwd=self.dir, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def wait_ready(self, proc):
        ready = os.path.join(self.dir, 'ready')
        deadline = time.time() + TIMEOUT
        while not os.path.exists(ready):
            if proc.poll() is not None or time.time() > deadline:
                out, err = proc.communicate()
                self.fail('the program did not start (status %r)\nstdout:\n%s\nstderr:\n%s'
                          % (proc.returncode, out, err))
            time.sleep(0.02)

    def wait_for_line(self, proc, text):
        line = proc.stdout.readline()
        self.assertEqual(line.strip(), text)

    def stop(self, proc, sig):
        self.wait_ready(proc)
        proc.send_signal(sig)
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            where = stacks(proc.pid)
            proc.kill()
            out, err = proc.communicate()
            self.fail('objref-chain did not stop after %s\nstderr:\n%s\nstacks:\n%s'
                      % (sig, err, where))
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def log_headers(self, name='log.txt'):
        with open(os.path.join(self.dir, name)) as f:
            return [line for line in f if line.startswith('# checkpoint')]


class TestFork(ProcessTest):
    def test_child_sys_exit_reports_once(self):
        self.write('fork.py', FORK_EXIT.format(child_status=0))
        proc = self.chain('--type', 'tuple', '-o', 'pic.png', '--log', 'log.txt', 'fork.py')
        self.assertStatus(proc, 0)
        self.assertEqual(len(HEADER.findall(proc.stdout)), 1, proc.stdout)
        self.assertEqual(proc.stdout.count('wrote pic.png'), 1, proc.stdout)
        self.assertIn('parent saw 0', proc.stdout)
        self.assertEqual(proc.stdout.count('child '), 1, proc.stdout)
        headers = self.log_headers()
        self.assertEqual(len(headers), 1, headers)
        self.assertTrue(headers[0].startswith('# checkpoint 1 end'), headers)
        self.assertTrue(os.path.exists(os.path.join(self.dir, 'pic.png')))

    def test_child_status_is_the_childs(self):
        # The child's sys.exit(5) reaches the parent as python would give it.
        self.write('fork.py', FORK_EXIT.format(child_status=5))
        proc = self.chain('--no-picture', 'fork.py')
        self.assertStatus(proc, 0)
        self.assertIn('parent saw 5', proc.stdout)
        self.assertEqual(len(HEADER.findall(proc.stdout)), 1, proc.stdout)

    def test_json_is_one_document(self):
        self.write('fork.py', FORK_EXIT.format(child_status=0).replace(
            'print(', 'print(file=sys.stderr, *[').replace(', flush=True)', '], flush=True)'))
        proc = self.chain('--json', '--type', 'tuple', '-o', 'pic.png', 'fork.py')
        self.assertStatus(proc, 0)
        doc = json.loads(proc.stdout)  # raises on a second document
        self.assertIsInstance(doc, dict)
        self.assertEqual(proc.stderr.count('wrote pic.png'), 1, proc.stderr)

    def test_child_returning_from_script_takes_no_checkpoint(self):
        self.write('fork.py', FORK_RETURN)
        proc = self.chain('--every', 'fork:handle=2', '--interval', '0.1', '--no-picture',
                          '--log', 'log.txt', 'fork.py')
        self.assertStatus(proc, 0)
        self.assertEqual(len(HEADER.findall(proc.stdout)), 1, proc.stdout)
        _, _, checkpoints, _ = report(proc.stdout)
        headers = self.log_headers()
        # Every census in the log is one of the parent's (the report counts
        # them): the child's --every calls and its end wrote none.
        self.assertEqual(len(headers), checkpoints, headers)
        numbers = [int(h.split()[2]) for h in headers]
        self.assertEqual(numbers, list(range(1, checkpoints + 1)), headers)
        self.assertEqual(sum(1 for h in headers if ' end ' in h), 1, headers)


FOLLOW = '''\
import os, sys
keep = [tuple([i]) for i in range(1000)]
pid = os.fork()
if pid == 0:
    more = [tuple([i, i]) for i in range(500)]
    sys.exit(3)
_, status = os.waitpid(pid, 0)
print("child", pid, "status", status >> 8, file=sys.stderr, flush=True)
'''


class TestFollowFork(ProcessTest):
    def child_pid(self, stderr):
        m = re.search(r'^child (\d+) status (\d+)$', stderr, re.M)
        self.assertTrue(m, stderr)
        self.assertEqual(m.group(2), '3')  # the child's own status reached its parent
        return m.group(1)

    def test_one_report_per_pid(self):
        self.write('fork.py', FOLLOW)
        proc = self.chain('--follow-fork', '--type', 'tuple', '-o', 'pic.png', '--log', 'log.txt',
                          'fork.py')
        self.assertStatus(proc, 0)
        pid = self.child_pid(proc.stderr)
        programs = [m.group(1) for m in HEADER.finditer(proc.stdout)]
        self.assertEqual(sorted(programs), sorted(['fork.py', 'fork.py [pid %s]' % pid]))
        for name in ('pic.png', 'pic.%s.png' % pid):
            self.assertEqual(proc.stdout.count('wrote %s ' % name), 1, proc.stdout)
            self.assertTrue(os.path.exists(os.path.join(self.dir, name)), name)
        self.assertEqual(len(self.log_headers('log.txt')), 1)
        self.assertEqual(len(self.log_headers('log.txt.%s' % pid)), 1)

    def test_default_picture_names(self):
        self.write('fork.py', FOLLOW)
        proc = self.chain('--follow-fork', '--type', 'tuple', 'fork.py')
        self.assertStatus(proc, 0)
        pid = self.child_pid(proc.stderr)
        for name in ('objref-tuple.png', 'objref-tuple.%s.png' % pid):
            self.assertTrue(os.path.exists(os.path.join(self.dir, name)), name)

    def test_json_per_pid(self):
        self.write('fork.py', FOLLOW)
        proc = self.chain('--follow-fork', '--json', '--type', 'tuple', '--no-picture', 'fork.py')
        self.assertStatus(proc, 0)
        pid = self.child_pid(proc.stderr)
        self.assertEqual(json.loads(proc.stdout)['program'], 'fork.py')
        with open(os.path.join(self.dir, 'objref-chain.%s.json' % pid)) as f:
            self.assertEqual(json.load(f)['program'], 'fork.py [pid %s]' % pid)
        self.assertIn('objref-chain.%s.json: the report of pid %s' % (pid, pid), proc.stderr)


class TestSigterm(ProcessTest):
    def test_sigterm_reports_and_exits_143(self):
        self.write('wait.py', WAITER.format(setup=''))
        proc = self.stop(self.start('--type', 'tuple', '-o', 'pic.png', 'wait.py'),
                         signal.SIGTERM)
        self.assertStatus(proc, 143)
        self.assertIn('terminated (SIGTERM)', proc.stderr)
        self.assertEqual(len(HEADER.findall(proc.stdout)), 1, proc.stdout)
        self.assertIn('chains for tuple', proc.stdout)
        self.assertIn('wrote pic.png', proc.stdout)
        self.assertTrue(os.path.exists(os.path.join(self.dir, 'pic.png')))

    def test_programs_own_handler_runs(self):
        # The program's signal.signal(SIGTERM, ...) replaces ours, as under python.
        setup = ('signal.signal(signal.SIGTERM, lambda s, f: sys.exit(7))\n'
                 'assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL')
        self.write('wait.py', WAITER.format(setup=setup))
        proc = self.stop(self.start('--no-picture', 'wait.py'), signal.SIGTERM)
        self.assertStatus(proc, 7)
        self.assertEqual(len(HEADER.findall(proc.stdout)), 1, proc.stdout)

    def test_getsignal_says_default(self):
        # The program sees SIGTERM's disposition as python shows it.
        self.write('probe.py', 'import signal\n'
                   'print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)\n')
        proc = self.chain('--no-picture', 'probe.py')
        self.assertStatus(proc, 0)
        self.assertTrue(proc.stdout.startswith('True\n'), proc.stdout)

    def test_sigint_ignored_sigterm_kills_as_python(self):
        # No KeyboardInterrupt can be raised: SIGTERM kills, as under python.
        self.write('wait.py', WAITER.format(setup='signal.signal(signal.SIGINT, signal.SIG_IGN)'))
        proc = self.stop(self.start('--no-picture', 'wait.py'), signal.SIGTERM)
        self.assertStatus(proc, -signal.SIGTERM)

    def test_sigint_ignored_at_start(self):
        # A background job of a shell starts with SIGINT ignored: Python
        # installs no SIGINT handler, and SIGTERM must still give a report.
        self.write('wait.py', WAITER.format(setup=''))
        proc = subprocess.Popen([CHAIN, '--type', 'tuple', '--no-picture', 'wait.py'],
                                cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        proc = self.stop(proc, signal.SIGTERM)
        self.assertStatus(proc, 143)
        self.assertIn('chains for tuple', proc.stdout)

    def test_second_sigterm_kills(self):
        # A program that swallows KeyboardInterrupt is killed by the next one.
        self.write('stubborn.py', STUBBORN)
        proc = self.start('--no-picture', 'stubborn.py')
        self.wait_ready(proc)
        proc.send_signal(signal.SIGTERM)
        self.wait_for_line(proc, 'ignored')
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, -signal.SIGTERM, err)

    def test_help_documents_statuses(self):
        proc = self.chain('--help')
        self.assertStatus(proc, 0)
        self.assertRegex(proc.stdout, r'\n  143 +stopped by SIGTERM')
        self.assertRegex(proc.stdout, r'\n  4 +the picture asked for')


# A checkpoint, then nothing grows until the interruption.
EARLY = """\
import objref, time
objref.checkpoint()
open("ready", "w").close()
time.sleep(60)
"""


class TestEarlyStop(ProcessTest):
    def test_early_sigint_without_type(self):
        self.write('wait.py', EARLY)
        proc = self.stop(self.start('--no-picture', 'wait.py'), signal.SIGINT)
        self.assertStatus(proc, 130)
        self.assertIn('wait.py was stopped (SIGINT) before any type grew', proc.stderr)
        self.assertIn('--type T', proc.stderr)
        self.assertNotIn('no live object', proc.stderr)

    def test_early_sigterm_without_type(self):
        self.write('wait.py', EARLY)
        proc = self.stop(self.start('--no-picture', 'wait.py'), signal.SIGTERM)
        self.assertStatus(proc, 143)
        self.assertIn('wait.py was stopped (SIGTERM) before any type grew', proc.stderr)

    def test_named_type_keeps_its_message(self):
        # With --type the user's own name is at fault: status 2, as before.
        self.write('wait.py', WAITER.format(setup=''))
        proc = self.stop(self.start('--type', 'NoSuchType', '--no-picture', 'wait.py'),
                         signal.SIGINT)
        self.assertStatus(proc, 2)
        self.assertIn("no live object of type 'NoSuchType'", proc.stderr)


class TestOutputPaths(ProcessTest):
    MARK = 'open("ran", "w").close()\n'

    def assertRefusedBeforeRun(self, path):
        self.write('mark.py', self.MARK)
        proc = self.chain('-o', path, 'mark.py')
        self.assertStatus(proc, 2)
        self.assertIn("cannot write the picture '%s'" % path, proc.stderr)
        self.assertIn('choose another path with -o', proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, 'ran')), 'the program ran')
        self.assertFalse(os.path.exists(path))

    def test_proc_refused(self):
        self.assertRefusedBeforeRun('/proc/objref-x.png')

    def test_sys_refused(self):
        if not os.path.isdir('/sys/kernel'):
            self.skipTest('no /sys here')
        self.assertRefusedBeforeRun('/sys/objref-x.png')

    def test_missing_directory_refused(self):
        self.assertRefusedBeforeRun(os.path.join(self.dir, 'no', 'such', 'x.png'))

    def test_directory_refused(self):
        os.mkdir(os.path.join(self.dir, 'd.png'))
        self.write('mark.py', self.MARK)
        proc = self.chain('-o', 'd.png', 'mark.py')
        self.assertStatus(proc, 2)
        self.assertFalse(os.path.exists(os.path.join(self.dir, 'ran')))

    def test_check_leaves_nothing_and_keeps_existing(self):
        self.write('mark.py', self.MARK + 'import sys\n'
                   'print(sorted(f for f in __import__("os").listdir(".") if "pic" in f))\n')
        with open(os.path.join(self.dir, 'pic.dot'), 'w') as f:
            f.write('old')
        proc = self.chain('--no-picture', '-o', 'pic.png', 'mark.py')
        self.assertStatus(proc, 0)
        # While the program ran: no pic.png made by the check, pic.dot intact.
        self.assertTrue(proc.stdout.startswith("['pic.dot']\n"), proc.stdout)
        with open(os.path.join(self.dir, 'pic.dot')) as f:
            self.assertEqual(f.read(), 'old')

    def test_failed_write_after_run_is_status_4(self):
        # The program removes the directory -o names: the picture cannot be
        # written after the run, and the run must not pass for a good one.
        os.mkdir(os.path.join(self.dir, 'out'))
        self.write('rm.py', 'import shutil\nkeep = [tuple([i]) for i in range(100)]\n'
                   'shutil.rmtree("out")\n')
        proc = self.chain('--type', 'tuple', '-o', 'out/pic.png', 'rm.py')
        self.assertStatus(proc, 4)
        self.assertIn("cannot write 'out/pic.dot'", proc.stderr)
        self.assertEqual(len(HEADER.findall(proc.stdout)), 1, proc.stdout)


if __name__ == '__main__':
    unittest.main()

"""Checkpoints whose census a forked child takes (--interval, --every):
the program goes on meanwhile, a child that dies is reported and the
program is unharmed, no zombie is left, --census-in-process keeps the old
way; --dump-every counts the program's objref.checkpoint() calls too."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

from tests.cli.test_cli import CHAIN, TIMEOUT, setUpModule  # noqa: F401

# A service ticking every millisecond for SECONDS (argv[1]): it prints its
# largest gap, and at its end the zombie children it has (state Z).
TICKER = textwrap.dedent('''
    import os, sys, time
    leak = []
    t_end = time.monotonic() + float(sys.argv[1])
    last = time.monotonic()
    gap = 0.0
    ticks = 0
    while last < t_end:
        time.sleep(0.001)
        now = time.monotonic()
        gap = max(gap, now - last)
        last = now
        ticks += 1
        leak.append((ticks, [ticks]))
    time.sleep(0.3)   # a child still counting has ended by now

    def zombies():
        found = []
        for d in os.listdir('/proc'):
            if not d.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % d) as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(')') + 2:].split()
            if fields[0] == 'Z' and int(fields[1]) == os.getpid():
                found.append(int(d))
        return found

    print('ticks %d largest-gap-ms %.0f zombies %s' % (ticks, gap * 1000, zombies()), flush=True)
''')

LOG_LINE = re.compile(r'^# checkpoint (\d+) (\S+) t=([0-9.]+)s objects=(\d+)', re.M)


class CensusForkTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-census-fork-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        with open(os.path.join(self.dir, 'ticker.py'), 'w') as f:
            f.write(TICKER)

    def chain(self, *args, fault=None, env_extra=None):
        env = dict(os.environ, **(env_extra or {}))
        env.pop('OBJREF_CENSUS_FAULT_FOR_TESTS', None)
        if fault:
            env['OBJREF_CENSUS_FAULT_FOR_TESTS'] = fault
        return subprocess.run([CHAIN, '--no-picture'] + list(args), cwd=self.dir, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT)

    def ticker_line(self, stdout):
        m = re.search(r'^ticks (\d+) largest-gap-ms (\d+) zombies (\[.*\])$', stdout, re.M)
        self.assertIsNotNone(m, stdout)
        return int(m.group(1)), int(m.group(2)), eval(m.group(3))

    def log(self):
        with open(os.path.join(self.dir, 'ckpt.log')) as f:
            return [(int(n), label, float(t), int(objs)) for n, label, t, objs in LOG_LINE.findall(f.read())]

    def test_program_ticks_while_the_child_counts(self):
        # Each child sleeps 1 s before it counts: an in-process census of
        # that length would stop the ticks; the forked one must not.
        r = self.chain('--interval', '0.3', '--log', 'ckpt.log', 'ticker.py', '2', fault='slow')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn('note:', r.stderr)  # the census was forked, not taken in process
        ticks, gap, zombies = self.ticker_line(r.stdout)
        self.assertLess(gap, 500, r.stdout)  # a child takes > 1 s; the program never waited it out
        self.assertEqual(zombies, [])
        log = self.log()
        intervals = [c for c in log if c[1] == 'interval']
        self.assertGreaterEqual(len(intervals), 2, log)
        self.assertEqual(log[-1][1], 'end')
        self.assertEqual([c[0] for c in log], list(range(1, len(log) + 1)))
        times = [c[2] for c in log]
        self.assertEqual(times, sorted(times), log)
        # the census is the heap at the fork: the program's tuples grow in between
        self.assertTrue(all(a[3] < b[3] for a, b in zip(intervals, intervals[1:])), log)
        self.assertIn('tuple', r.stdout)

    def test_forked_and_in_process_reports_agree(self):
        a = self.chain('--interval', '0.2', '--log', 'ckpt.log', 'ticker.py', '1')
        self.assertEqual(a.returncode, 0, a.stderr)
        forked = self.log()
        os.unlink(os.path.join(self.dir, 'ckpt.log'))
        b = self.chain('--census-in-process', '--interval', '0.2', '--log', 'ckpt.log', 'ticker.py', '1')
        self.assertEqual(b.returncode, 0, b.stderr)
        here = self.log()
        for r in (a, b):  # the same report: the leak's chain, a type of the leak growing
            self.assertIn('module __main__ .leak -> list [*] -> tuple', r.stdout)
            # (3.13 makes and frees tuples of its own: there the lists grow steadily)
            self.assertRegex(r.stdout, r'(?m)^growing types .*\n  (tuple|list|int) +\+[0-9,]+/ckpt')
        self.assertGreaterEqual(len(forked), 3)
        self.assertGreaterEqual(len(here), 3)

    def test_child_killed_is_reported_and_program_unharmed(self):
        r = self.chain('--interval', '0.2', 'ticker.py', '1', fault='kill')
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        ticks, gap, zombies = self.ticker_line(r.stdout)  # the program ran to its end
        self.assertGreater(ticks, 200)
        self.assertEqual(zombies, [])
        self.assertRegex(r.stderr, r"objref-chain: checkpoint 'interval' \(census in a forked child\): "
                         r"the census process \d+ was killed by signal 9 \(Killed\), perhaps by the "
                         r"out-of-memory killer\n")
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)

    def test_child_stalled_is_reported_and_program_unharmed(self):
        r = self.chain('--interval', '0.2', 'ticker.py', '2', fault='hang',
                       env_extra={'OBJREF_CHILD_STALL_SECONDS': '1'})
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        ticks, gap, zombies = self.ticker_line(r.stdout)  # the program ran to its end
        self.assertEqual(zombies, [])
        self.assertRegex(r.stderr, r"objref-chain: checkpoint 'interval' \(census in a forked child\): "
                         r"the census process \d+ made no progress for 1 s \(asleep, using no CPU "
                         r"time: a lock held at the fork by a thread that did not survive it\?\); "
                         r"it was killed\n")

    def test_child_exiting_without_report(self):
        r = self.chain('--interval', '0.2', 'ticker.py', '0.6', fault='exit')
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        self.ticker_line(r.stdout)
        self.assertRegex(r.stderr, r'the census process \d+ exited with status 7 without a complete report')

    def test_census_in_process_option(self):
        r = self.chain('--census-in-process', '--interval', '0.2', '--log', 'ckpt.log', 'ticker.py', '0.7',
                       fault='kill')  # no child: the fault never fires
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(len([c for c in self.log() if c[1] == 'interval']), 2)

    def test_every_is_forked_too(self):
        with open(os.path.join(self.dir, 'svc.py'), 'w') as f:
            f.write('leak = []\ndef handle(i):\n    leak.append((i, [i]))\n'
                    'for i in range(3000):\n    handle(i)\n')
        r = self.chain('--every', 'svc:handle=1000', '--log', 'ckpt.log', 'svc.py', fault='kill')
        self.assertEqual(r.returncode, 3)  # the forked census's child was killed: it was forked
        self.assertIn("checkpoint 'every svc:handle'", r.stderr)


class DumpEveryTest(unittest.TestCase):
    """--dump-every N counts every checkpoint: objref-chain's and the program's."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-dump-every-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def test_program_checkpoints_count(self):
        with open(os.path.join(self.dir, 'own.py'), 'w') as f:
            f.write('import objref\nleak = []\nfor i in range(5):\n'
                    '    leak.append([i])\n    objref.checkpoint("mine")\n')
        r = subprocess.run([CHAIN, '--no-picture', '--dump', 'own.objref', '--dump-every', '2',
                            '--log', 'ckpt.log', 'own.py'], cwd=self.dir, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.dir, 'ckpt.log')) as f:
            labels = [l.split()[3] for l in f if l.startswith('# checkpoint ')]
        self.assertEqual(labels, ['mine'] * 5 + ['end'])
        # 6 checkpoints, a dump every 2: after the 2nd, 4th (the program's) and 6th (the end)
        dumps = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.dir, 'own-*.objref')))
        self.assertEqual(dumps, ['own-1.objref', 'own-2.objref', 'own-3.objref'])
        self.assertTrue(os.path.exists(os.path.join(self.dir, 'own.objref')))
        self.assertEqual(glob.glob(os.path.join(self.dir, '*.tmp')), [])


if __name__ == '__main__':
    unittest.main()

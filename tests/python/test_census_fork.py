"""The census a forked child takes (objref-chain's checkpoints) has the rows
the in-process census has, on a hand-made heap; a child that dies is an
error naming it, and leaves no zombie."""
import array
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import objref


class Made:
    pass


class Slotted:
    __slots__ = ('a', 'b')


def rows(data):
    out = {}
    for line in data.decode().splitlines():
        name, count, size = line.split('\t')
        out[name] = (int(count), int(size))
    return out


def zombies():
    found = []
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open('/proc/%s/stat' % d) as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(')') + 2:].split()
            if fields[0] == 'Z' and int(fields[1]) == os.getpid():
                found.append(int(d))
    return found


class CensusForkTest(unittest.TestCase):
    def setUp(self):
        os.environ.pop('OBJREF_CENSUS_FAULT_FOR_TESTS', None)
        self.heap = [Made() for _ in range(1234)]
        self.slots = [Slotted() for _ in range(321)]
        self.strs = ['made-%d' % i for i in range(777)]
        self.nested = {i: (i, [i], {'k': i}) for i in range(456)}

    def compare(self, untracked):
        # Nothing is made between the two censuses but the first's bytes
        # object: the second sees one more bytes of that size (held by a
        # list made before, so the census reaches it: from 3.11 a running
        # frame's locals are no object's references).
        box = [None, None]
        box[0] = objref._census_rows(True, untracked)
        box[1] = objref._census_rows(False, untracked)
        forked, here = box
        a, b = rows(forked), rows(here)
        if untracked:
            count, size = a.pop('bytes')
            self.assertEqual(b.pop('bytes'), (count + 1, size + sys.getsizeof(forked)))
        self.assertEqual(a, b)
        self.assertGreaterEqual(a['Made'][0], 1234)
        self.assertGreaterEqual(a['Slotted'][0], 321)
        self.assertEqual(forked.decode().splitlines()[0].split('\t')[0],
                         here.decode().splitlines()[0].split('\t')[0])  # the same walk order
        return a

    def test_same_rows_with_untracked(self):
        a = self.compare(True)
        self.assertGreaterEqual(a['str'][0], 777)

    def test_same_rows_tracked_only(self):
        a = self.compare(False)
        self.assertNotIn('str', a)  # str objects are not tracked

    def test_same_addresses(self):
        # The baseline of the first forked checkpoint: the addresses the
        # child lists (without references) are those objref's in-process
        # walk visits; the second sees the first's tuple and two bytes too.
        box = [None, None]
        box[0] = objref._census_rows(True, True, True)
        box[1] = objref._census_rows(False, True, True)
        forked = array.array('Q', box[0][1])
        here = array.array('Q', box[1][1])
        self.assertEqual(list(forked), sorted(forked))
        extra = set(here) - set(forked)
        self.assertEqual(extra, {id(box[0]), id(box[0][0]), id(box[0][1])})
        self.assertEqual(len(here), len(forked) + 3)
        self.assertIn(id(self.heap[0]), set(forked))
        self.assertIn(id(self.strs[5]), set(forked))  # untracked, reached

    def test_child_killed(self):
        os.environ['OBJREF_CENSUS_FAULT_FOR_TESTS'] = 'kill'
        try:
            with self.assertRaisesRegex(RuntimeError, r'the census process \d+ was killed by signal 9'):
                objref._census_rows(True)
        finally:
            del os.environ['OBJREF_CENSUS_FAULT_FOR_TESTS']
        self.assertEqual(zombies(), [])
        self.assertIn('Made', rows(objref._census_rows(True)))  # and the next one works

    def test_child_stalled_is_killed(self):
        """A child asleep without using CPU time (a lock nobody releases)
        is killed after OBJREF_CHILD_STALL_SECONDS: nobody waits forever."""
        os.environ['OBJREF_CENSUS_FAULT_FOR_TESTS'] = 'hang'
        os.environ['OBJREF_CHILD_STALL_SECONDS'] = '1'
        try:
            with self.assertRaisesRegex(RuntimeError, r'the census process \d+ made no progress '
                                        r'for 1 s \(asleep, using no CPU time: .*\); it was killed'):
                objref._census_rows(True)
        finally:
            del os.environ['OBJREF_CENSUS_FAULT_FOR_TESTS']
            del os.environ['OBJREF_CHILD_STALL_SECONDS']
        self.assertEqual(zombies(), [])
        self.assertIn('Made', rows(objref._census_rows(True)))  # and the next one works

    @unittest.skipUnless(hasattr(sys, 'addaudithook'), 'no audit hooks')
    def test_child_runs_no_audit_hook(self):
        """A forked child runs no Python code: before 3.12 it lists the
        heap by reading the collector's lists, not with gc.get_objects()
        (whose audit event would run the program's hook in the child, and
        whose references would copy every page of the heap).  Neither does
        the census in the program's process: the one event the hook sees
        is the program's own gc.get_objects() call, the hook's check."""
        program = textwrap.dedent('''\
            import os, sys, objref
            fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
            def hook(event, args):
                if event.startswith('gc.'):
                    os.write(fd, ('%d %s\\n' % (os.getpid(), event)).encode())
            sys.addaudithook(hook)
            keep = [{'k': [i]} for i in range(5000)]
            rows, addrs = objref._census_rows(True, True, True)
            assert len(addrs) // 8 > 5000
            objref.dump(os.path.join(os.path.dirname(sys.argv[1]), 'h.objref'),
                        fork=True).wait(timeout=120)
            objref._census_rows(False, True)  # in process
            import gc
            gc.get_objects()  # the program's own call: the hook must see it
            print(os.getpid())
            ''')
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, 'events')
            open(log, 'w').close()
            proc = subprocess.run([sys.executable, '-c', program, log], timeout=300,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(log) as f:
                lines = f.read().split()
        parent = proc.stdout.strip()
        self.assertEqual(lines, [parent, 'gc.get_objects'])

    def test_no_zombies(self):
        for _ in range(5):
            objref._census_rows(True)
        self.assertEqual(zombies(), [])


if __name__ == '__main__':
    unittest.main()

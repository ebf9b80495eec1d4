"""A forked census or dump child takes its memory from mmap, never from the
C library's allocator: a thread gone at the fork may have held its lock
(a sanitizer's allocator, an LD_PRELOADed one, tracemalloc's table lock),
and the child would wait forever.  A spy preloaded in a fresh interpreter
(tests/spy/malloc_spy.c, OBJREF_MALLOC_SPY) makes a child that calls
malloc, calloc, realloc or free exit with status 86; the census and the
dump must come back whole, with threads allocating all along."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

SPY = os.environ.get('OBJREF_MALLOC_SPY')

PROGRAM = textwrap.dedent('''\
    import os, sys, threading, objref
    stop = threading.Event()
    def churn():  # allocations in other threads, during the forks
        while not stop.is_set():
            x = [str(i) * 50 for i in range(200)]
            del x
    threads = [threading.Thread(target=churn) for _ in range(3)]
    for t in threads:
        t.start()
    KEEP = [('k%d' % i, {'v': 'é' * (i % 7)}) for i in range(20000)]
    try:
        for i in range(2):  # the child runs at nice 10: slow beside three churning threads
            rows = objref._census_rows(True, True, False)
            rows, addrs = objref._census_rows(True, True, True)
            assert b'tuple\\t' in rows, rows[:200]
            assert len(addrs) // 8 > 20000, len(addrs)
        for compress in (False, True):
            path = os.path.join(sys.argv[1], 'heap%d.objref' % compress)
            st = objref.dump(path, fork=True, compress=compress).wait(timeout=120)
            assert st['objects'] > 20000, st
            snap = objref.load(path)
    finally:
        stop.set()
        for t in threads:
            t.join()
    print('ok')
    ''')


@unittest.skipUnless(SPY, 'no malloc spy built (OBJREF_MALLOC_SPY: the sanitizer build has none)')
class ForkedChildrenAllocate(unittest.TestCase):
    def run_spied(self, program, extra_env=None):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, LD_PRELOAD=SPY, **(extra_env or {}))
            return subprocess.run([sys.executable, '-c', program, d], env=env, timeout=300,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_no_malloc_in_forked_children(self):
        proc = self.run_spied(PROGRAM)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn('malloc_spy', proc.stderr)
        self.assertEqual(proc.stdout.strip(), 'ok')

    def test_no_malloc_while_tracemalloc_traces(self):
        """tracemalloc's hooks take a lock on every allocation: the child
        must not go through them either."""
        proc = self.run_spied(PROGRAM, {'PYTHONTRACEMALLOC': '1'})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), 'ok')

    def test_the_spy_catches_a_malloc(self):
        """The check can fail: a child that allocates (here Python's own
        after-fork work, or the malloc after it) is caught."""
        proc = self.run_spied(textwrap.dedent('''\
            import ctypes, os
            libc = ctypes.CDLL(None)
            libc.malloc.restype = ctypes.c_void_p
            pid = os.fork()
            if pid == 0:
                libc.malloc(100)
                os._exit(0)
            print(os.WEXITSTATUS(os.waitpid(pid, 0)[1]))
            '''))
        self.assertEqual(proc.stdout.strip(), '86', proc.stderr)
        self.assertIn('malloc_spy: a forked child called ', proc.stderr)


if __name__ == '__main__':
    unittest.main()

"""Out of memory during a capture: a MemoryError that says what was being
captured and how large the heap was, and nothing half-built kept (no
reference held, the next capture works).

Each case runs in a child process whose address space is limited (RLIMIT_AS)
to a little above what it uses, just before one capture call.
"""
import os
import subprocess
import sys
import unittest

CHILD = r"""
import resource, sys, objref
call = %(call)s
call()                                        # warm, on a small heap: the runtime taken
heap = [[float(i)] for i in range(300000)]   # then 600,000 objects, 300,000 untracked
marker = heap[7]
before = sys.getrefcount(marker)
vm = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (vm + (3 << 20), hard))
try:
    call()
    outcome = "no error"
except MemoryError as e:
    outcome = "MemoryError: %%s" %% e
finally:
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
print(outcome)
print("refs", sys.getrefcount(marker) - before)
print("again", call() is not None)
"""

CASES = {
    "snapshot": "lambda: objref.snapshot()",
    "census": "lambda: objref.typestats(untracked=True)",
    "checkpoint": "lambda: objref.checkpoint()",
}


@unittest.skipUnless(sys.platform.startswith("linux"), "RLIMIT_AS and /proc: Linux")
@unittest.skipIf("asan" in os.environ.get("LD_PRELOAD", ""), "the sanitizer runtime reserves the address space")
class OutOfMemoryTest(unittest.TestCase):

    def run_child(self, call):
        r = subprocess.run([sys.executable, "-c", CHILD % {"call": call}], capture_output=True,
                           text=True, timeout=300, env=dict(os.environ))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        return r.stdout.splitlines()

    def test_memory_error_says_what_and_how_large(self):
        for name, call in CASES.items():
            with self.subTest(name):
                outcome, refs, again = self.run_child(call)
                if outcome == "no error":
                    self.skipTest("%s fitted in the limit (allocator kept memory)" % name)
                self.assertRegex(outcome, r"^MemoryError: out of memory (taking a (snapshot|census) "
                                 r"of the heap|listing the collector's objects)")
                self.assertRegex(outcome, r"\d+ (objects|tracked)")
                self.assertNotIn("gc.get_objects() failed", outcome)
                self.assertEqual(refs, "refs 0")      # nothing pinned kept
                self.assertEqual(again, "again True")


if __name__ == "__main__":
    unittest.main()

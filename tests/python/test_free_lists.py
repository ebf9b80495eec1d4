"""Objects on a free list are dead, even when their owner's traversal
reports them.

From 3.12 _asyncio keeps up to 255 freed future iterators (the objects an
`await fut` creates) on a free list in its module state, and its
module_traverse visits that list.  Those objects have a refcount of 0.  A
capture that took a strong reference to one and dropped it freed it a
second time: the free list then looped on itself, and the program's next
gc.collect() never returned.  objref-chain on an asyncio program hung that
way, at the exit of the program.

Each check runs in a child process, so a hang is a failed test (killed at
the timeout), not a hung suite.
"""
import subprocess
import sys
import textwrap
import unittest

FILL_FREE_LIST = textwrap.dedent("""
    import asyncio, gc, sys
    import objref

    async def main():
        loop = asyncio.get_running_loop()
        for i in range(300):
            fut = loop.create_future()
            loop.call_soon(fut.set_result, i)
            await fut   # a future iterator, freed to the free list after

    asyncio.run(main())
    gc.collect()
    FUTURE_ITER = "_asyncio.FutureIter"
""")


def run_child(body, timeout=90):
    code = FILL_FREE_LIST + textwrap.dedent(body) + "\ngc.collect()\nprint('collected')\n"
    try:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("the child did not finish in %d s: a capture left a loop in a free "
                             "list or in the collector's lists" % timeout)
    return r


class FreeListTest(unittest.TestCase):
    def assert_child_ok(self, body):
        r = run_child(body)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("collected", r.stdout, r.stderr)
        return r.stdout

    def test_no_dead_object_is_counted(self):
        out = self.assert_child_ok("""
            stats = objref.typestats(shortnames=False, untracked=True)
            live = sum(1 for o in gc.get_objects() if type(o).__name__ == "FutureIter")
            print("counted", stats.get(FUTURE_ITER, 0), "live", live)
        """)
        counted = out.split("counted ")[1].split()
        self.assertEqual(counted[0], counted[2], out)

    def test_strong_references_leave_the_free_list_alone(self):
        # the first checkpoint lists every object with a strong reference
        # (its baseline); each later one counts again
        self.assert_child_ok("""
            for _ in range(3):
                objref.checkpoint()
            objref.get_new_ids()
            objref.get_new_ids()
        """)

    def test_snapshot_and_dump_leave_the_free_list_alone(self):
        out = self.assert_child_ok("""
            import os, tempfile
            snap = objref.snapshot()
            print("futureiters", snap.census(shortnames=False).get(FUTURE_ITER, (0, 0))[0])
            del snap
            with tempfile.TemporaryDirectory() as d:
                objref.dump(os.path.join(d, "heap.objref"))
        """)
        self.assertIn("futureiters 0", out)


if __name__ == "__main__":
    unittest.main()

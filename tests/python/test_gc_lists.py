"""Before 3.12 a capture walks the collector's generation lists itself
(one pass, no audit event); when a list cannot be walked (not found, or a
link that does not check) it starts over with gc.get_objects().  Both ways
must count and show the same heap.

OBJREF_GC_LISTS_FAULT_FOR_TESTS=N breaks the walk after N objects, as a
link that does not check would (0: the lists are not found).  Each run is
a child process: the variable is read at each capture, and the child's
audit hook shows which way a capture went.
"""
import json
import subprocess
import sys
import textwrap
import unittest

CHILD = textwrap.dedent("""
    import gc, json, os, sys
    import objref

    gc.disable()

    class Planted:
        pass

    keep = [Planted() for _ in range(5000)]
    floats = [float(i) + 0.5 for i in range(7000)]
    listed = []
    sys.addaudithook(lambda ev, args: listed.append(1) if ev == "gc.get_objects" else None)

    def measure():
        del listed[:]
        tracked = objref.typestats(shortnames=False)
        untracked = objref.typestats(shortnames=False, untracked=True)
        snap = objref.snapshot().census(shortnames=False)
        # a predicate of its own: with is_proper_module itself the chain is
        # searched forward from the modules and no list is walked
        chain = objref.find_backref_chain(keep[17], lambda o: objref.is_proper_module(o))
        return {"census": tracked.get("__main__.Planted", 0),
                "census_untracked": untracked.get("__main__.Planted", 0),
                "floats": untracked.get("builtins.float", 0),
                "snapshot": snap.get("__main__.Planted", (0, 0))[0],
                "snapshot_floats": snap.get("builtins.float", (0, 0))[0],
                "chain": [type(o).__name__ for o in chain],
                "listed_by_gc_get_objects": len(listed)}

    out = {}
    for fault in sys.argv[1:]:
        os.environ.pop("OBJREF_GC_LISTS_FAULT_FOR_TESTS", None)
        if fault != "none":
            os.environ["OBJREF_GC_LISTS_FAULT_FOR_TESTS"] = fault
        out[fault] = measure()
    print(json.dumps(out))
""")


@unittest.skipIf(sys.version_info >= (3, 12), "from 3.12 the collector lists its objects "
                 "(PyUnstable_GC_VisitObjects): no list is walked")
class GcListsTest(unittest.TestCase):

    def run_child(self, *faults):
        r = subprocess.run([sys.executable, "-c", CHILD] + list(faults),
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_a_broken_walk_starts_over_and_counts_the_same(self):
        # 0: lists not found; 3: broken at the first generation's first
        # objects; 6000: broken late, after much was counted (and, with
        # untracked objects, queued)
        res = self.run_child("none", "0", "3", "6000")
        walked = res["none"]
        self.assertEqual(walked["listed_by_gc_get_objects"], 0,
                         "with the lists walked, no capture should call gc.get_objects()")
        for key in ("census", "census_untracked", "snapshot"):
            self.assertEqual(walked[key], 5000, key)
        self.assertGreaterEqual(walked["floats"], 7000)
        self.assertGreater(len(walked["chain"]), 2, walked["chain"])
        self.assertEqual(walked["chain"][0], "module")
        for fault in ("0", "3", "6000"):
            got = res[fault]
            with self.subTest(fault=fault):
                # each of the four captures fell back to gc.get_objects()
                self.assertGreaterEqual(got["listed_by_gc_get_objects"], 4, got)
                for key in ("census", "census_untracked", "snapshot", "floats",
                            "snapshot_floats", "chain"):
                    self.assertEqual(got[key], walked[key], key)


if __name__ == "__main__":
    unittest.main()

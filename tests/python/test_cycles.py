"""Garbage cycles: found on a snapshot without gc.collect(), grouped by shape,
with the reason they stay (examples/cycles/*.py, each run in a child
interpreter so its leaks and collector settings stay there)."""
import io
import json
import os
import subprocess
import sys
import textwrap
import unittest

import objref
from tests.python.support import Tripwire, load_objgraph

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "cycles")


def run(code):
    """Run code in a child interpreter with objref and the examples on its
    path; returns what it printed last, as JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [EXAMPLES, os.path.dirname(objref.__file__), ROOT, env.get("PYTHONPATH", "")])
    prelude = "import json, gc, objref\n"
    out = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if out.returncode != 0:
        raise AssertionError("child failed (%d): %s" % (out.returncode, out.stderr.decode()))
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


# What a child reports of a shape (objects cannot cross the process).
SHAPES = """
def shapes():
    return [{k: v for k, v in s.items() if k not in ("example_objects", "culprit", "instances")}
            for s in objref.cycles()]
"""


class GcDisabledTest(unittest.TestCase):
    """gc.disable() and a Request <-> Response cycle per request."""

    @classmethod
    def setUpClass(cls):
        cls.res = run(SHAPES + """
import gc_disabled
gc.disable()
counts = []
for tick in range(6):
    gc_disabled.tick()            # 10 requests, 10 cycles
    if tick in (2, 5):
        counts.append([s["count"] for s in shapes() if s["shape"].startswith("Request")])
again = [s["count"] for s in shapes() if s["shape"].startswith("Request")]
print(json.dumps({"counts": counts, "again": again, "shapes": shapes(),
                  "summary": objref._cycles()[0]}))
""")

    def request_shape(self):
        found = [s for s in self.res["shapes"] if s["shape"].startswith("Request")]
        self.assertEqual(len(found), 1, self.res["shapes"])
        return found[0]

    def test_the_shape(self):
        s = self.request_shape()
        self.assertEqual(s["shape"], "Request .response -> Response .request -> Request")
        # the steps in their canonical rotation: instance __dict__s are steps
        # of their own before 3.11 (inline attributes from 3.11)
        self.assertEqual({t for t, _ in s["steps"]} - {"dict"}, {"Request", "Response"})
        self.assertIn(s["length"], (2, 4))
        self.assertTrue(s["example"].startswith("Request at 0x"), s["example"])

    def test_count_per_tick(self):
        (c3,), (c6,) = self.res["counts"]
        self.assertEqual((c6 - c3) / 3, 10)   # ten cycles per tick
        self.assertEqual(c6, 60)

    def test_evidence_stays(self):
        # no collection ran: the next look finds the same cycles
        self.assertEqual(self.res["again"], [60])

    def test_reason_says_gc_is_disabled(self):
        s = self.request_shape()
        self.assertEqual(s["reason"], "collectable, but gc is disabled")
        self.assertEqual(s["kind"], "collectable")
        self.assertTrue(s["gc_disabled"])
        self.assertIs(self.res["summary"]["gc_enabled"], False)

    def test_fix_is_the_back_pointer(self):
        s = self.request_shape()
        self.assertEqual(s["fix"], "make Response .request (to Request) a weak reference: "
                                   "that breaks every instance")

    def test_bytes(self):
        s = self.request_shape()
        self.assertEqual(s["objects"] % 60, 0)
        self.assertGreater(s["bytes"], 60 * 2 * 16)
        self.assertGreaterEqual(s["retained_bytes"], s["bytes"])


class UncollectableTest(unittest.TestCase):

    def test_legacy_finalizer(self):
        res = run(SHAPES + """
import legacy_del
if legacy_del.Legacy is None:
    print(json.dumps(None))
else:
    legacy_del.leak(3)
    before = shapes()
    gc.collect()                  # the collector moves them to gc.garbage
    print(json.dumps({"before": before, "after": shapes(), "garbage": len(gc.garbage)}))
""")
        if res is None:
            self.skipTest("this interpreter has no _testcapi.with_tp_del")
        for when in ("before", "after"):
            legacy = [s for s in res[when] if "Legacy" in s["shape"]]
            self.assertEqual(len(legacy), 1, res[when])
            self.assertEqual(legacy[0]["count"], 3)
            self.assertEqual(legacy[0]["reason"], "uncollectable: legacy finalizer (type Legacy has tp_del)")
            self.assertEqual(legacy[0]["kind"], "gc.garbage")
        self.assertGreaterEqual(res["garbage"], 3)

    def test_debug_saveall(self):
        res = run(SHAPES + """
import gc_disabled
gc.set_debug(gc.DEBUG_SAVEALL)
gc_disabled.tick()
gc.collect()                      # saved in gc.garbage instead of freed
print(json.dumps({"shapes": shapes(), "garbage": len(gc.garbage)}))
""")
        self.assertGreaterEqual(res["garbage"], 20)   # 10 pairs (and their dicts before 3.11)
        found = [s for s in res["shapes"] if s["shape"].startswith("Request")]
        self.assertEqual(len(found), 1, res["shapes"])
        self.assertEqual(found[0]["count"], 10)
        self.assertEqual(found[0]["reason"], "uncollectable: in gc.garbage (gc.DEBUG_SAVEALL is on)")

    def test_untraversable_capsule(self):
        res = run(SHAPES + """
import capsule
capsule.leak(4)
gc.collect()                      # cannot free them
print(json.dumps(shapes()))
""")
        found = [s for s in res if "PyCapsule" in s["shape"]]
        self.assertEqual(len(found), 1, res)
        s = found[0]
        self.assertEqual(s["shape"], "Node .handle -> PyCapsule (hidden) -> Node")
        self.assertEqual(s["count"], 4)
        self.assertTrue(s["reason"].startswith(
            "uncollectable: passes through an object the collector cannot traverse (PyCapsule at 0x"),
            s["reason"])
        self.assertEqual(s["kind"], "untraversable")

    def test_untraversable_ctypes(self):
        res = run(SHAPES + """
import ctypes_ref
ctypes_ref.leak(3)
gc.collect()                      # cannot free them
print(json.dumps(shapes()))
""")
        found = [s for s in res if "c_void_p" in s["shape"]]
        self.assertEqual(len(found), 1, res)
        self.assertEqual(found[0]["shape"], "Node .self_ptr -> c_void_p (hidden) -> Node")
        self.assertEqual(found[0]["count"], 3)
        self.assertTrue(found[0]["reason"].startswith(
            "uncollectable: passes through an object the collector cannot traverse (c_void_p at 0x"))

    def test_frozen_named(self):
        res = run(SHAPES + """
import frozen
frozen.leak(3)
summary, _, text, _ = objref._cycles()
print(json.dumps({"summary": summary, "text": text, "shapes": shapes()}))
""")
        summary = res["summary"]
        self.assertGreater(summary["freeze_count"], 0)
        self.assertIn("objects frozen by gc.freeze()", res["text"])
        if not summary["frozen_listed"]:
            self.assertIn("the permanent generation could not be listed", res["text"])
            self.skipTest("found: gc.freeze()'s permanent generation could not be listed on this "
                          "Python (%d.%d); the frozen garbage is named in the summary only"
                          % sys.version_info[:2])
        frozen = [s for s in res["shapes"] if s["kind"] == "frozen"]
        self.assertEqual(len(frozen), 1, res["shapes"])
        self.assertEqual(frozen[0]["count"], 3)
        self.assertTrue(frozen[0]["reason"].startswith("frozen by gc.freeze()"))


class CyclesApiTest(unittest.TestCase):

    def test_no_collection_runs(self):
        res = run(SHAPES + """
import gc_disabled
gc.disable()                      # only objref could start a collection now
runs = []
gc.callbacks.append(lambda phase, info: runs.append(phase))
gc_disabled.tick()
shapes()
print(json.dumps(runs))
""")
        self.assertEqual(res, [])

    def test_allocation_site_with_tracemalloc(self):
        res = run(SHAPES + """
import tracemalloc
tracemalloc.start()
import gc_disabled
gc_disabled.tick()
sites = [s["alloc_site"] for s in shapes() if s["shape"].startswith("Request")]
own = tracemalloc.get_object_traceback(gc_disabled.Request("/"))
print(json.dumps({"sites": sites, "tracemalloc_sees_instances": own is not None}))
""")
        if not res["tracemalloc_sees_instances"]:
            self.skipTest("tracemalloc of this Python finds no traceback for instances with "
                          "inline attributes (3.11): neither can objref")
        self.assertEqual(len(res["sites"]), 1)
        self.assertRegex(res["sites"][0], r"gc_disabled\.py:\d+$")

    def test_no_site_without_tracemalloc(self):
        res = run(SHAPES + """
import gc_disabled
gc_disabled.tick()
print(json.dumps([s["alloc_site"] for s in shapes() if s["shape"].startswith("Request")]))
""")
        self.assertEqual(res, [None])

    def test_show_cycles_text(self):
        res = run("""
import io, gc_disabled
gc.disable()
gc_disabled.tick()
out = io.StringIO()
objref.show_cycles(limit=1, file=out)
print(json.dumps(out.getvalue()))
""")
        self.assertRegex(res, r"^garbage: [\d,]+ objects ")
        self.assertIn("\nshape 1: 10 instances, ", res)
        self.assertIn("\n  collectable, but gc is disabled\n", res)

    def test_show_cycles_picture(self):
        res = run("""
import io, os, tempfile, gc_disabled, capsule
gc.disable()
gc_disabled.tick()
capsule.leak(1)
d = tempfile.mkdtemp()
out = io.StringIO()
objref.show_cycles(file=out, filename=os.path.join(d, "c.png"))
dot = objref.extract_dot(os.path.join(d, "c.png"))
print(json.dumps({"text": out.getvalue(), "dot": dot}))
""")
        self.assertRegex(res["text"], r"Image generated as .*c\.png \(2 shapes\)\n$")
        dot = res["dot"]
        for text in ("<B>Request</B>", "<B>Response</B>", "<B>Node</B>", "<B>PyCapsule</B>",
                     "label=<(hidden)>", "collectable, but gc is disabled",
                     "uncollectable: passes through an object the collector cannot traverse"):
            self.assertIn(text, dot)
        self.assertIn("color=\"#d62828\"", dot)   # the fix hint's reference

    def test_garbage_kinds(self):
        res = run("""
import gc_disabled, capsule
gc_disabled.tick()
capsule.leak(1)
kinds = {}
for obj, kind in objref.garbage():
    kinds.setdefault(type(obj).__name__, set()).add(kind)
print(json.dumps({k: sorted(v) for k, v in kinds.items()}))
""")
        self.assertEqual(res["Request"], ["collectable"])
        self.assertEqual(res["Node"], ["untraversable"])
        self.assertEqual(res["PyCapsule"], ["untraversable"])

    def test_examples_keep_program_code_from_running(self):
        Tripwire.calls = []
        a, b = Tripwire(), Tripwire()
        a.other, b.other = b, a
        del a, b
        try:
            shapes = objref.cycles()
            self.assertTrue(any("Tripwire" in s["shape"] for s in shapes))
            self.assertEqual(Tripwire.calls, [])
        finally:
            del shapes
            import gc
            gc.collect()

    def test_limit(self):
        with self.assertRaises(ValueError):
            objref.cycles(limit=-1)
        self.assertEqual(objref.cycles(limit=0), [])


class LeakingObjectsTest(unittest.TestCase):
    """objgraph.get_leaking_objects, on the same objects."""

    def test_same_as_objgraph_on_given_objects(self):
        objgraph = load_objgraph()
        x, y = [1], {"k": 2}
        z = [x, y]
        objects = [x, y, z, (z,)]
        mine = objref.get_leaking_objects(objects)
        theirs = objgraph.get_leaking_objects(objects)
        self.assertEqual([id(o) for o in mine], [id(o) for o in theirs])
        self.assertEqual([id(o) for o in mine], [id(objects[3])])

    def test_leaked_reference_found_like_objgraph(self):
        res = run("""
import ctypes, sys
sys.path.insert(0, %r)
from tests.python.support import load_objgraph
objgraph = load_objgraph()
leaked = [object()]
ctypes.pythonapi.Py_IncRef(ctypes.py_object(leaked))
addr = id(leaked)
del leaked
mine = {id(o) for o in objref.get_leaking_objects()}
theirs = {id(o) for o in objgraph.get_leaking_objects()}
print(json.dumps({"mine": addr in mine, "theirs": addr in theirs}))
""" % ROOT)
        self.assertEqual(res, {"mine": True, "theirs": True})


if __name__ == "__main__":
    unittest.main()

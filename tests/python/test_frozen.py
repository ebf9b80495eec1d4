"""Frozen heaps: after gc.freeze() (the pre-fork pattern of gunicorn and
uwsgi) the collector's listing leaves out the permanent generation on
3.8-3.11, 3.12 before 3.12.10 and 3.13 before 3.13.3; objref lists it
itself (capture/capture_frozen.c).  The census, the forked census, the
snapshot, chains and garbage cycles of a frozen heap are those of the same
heap unfrozen.  Each case runs in a child interpreter, so the freeze stays
there."""
import json
import os
import subprocess
import sys
import textwrap
import unittest

import objref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROOTS = os.path.join(ROOT, "examples", "roots")

HEAP = """
import gc, json, objref

class Node:
    pass

HEAP = []
for i in range(5000):
    n = Node()
    n.items = [i, "node-%d" % i, float(i) + 0.5]
    n.meta = {"k": i, "name": "meta-%d" % i}
    HEAP.append(n)
gc.collect()
gc.disable()
"""


def run(code):
    """Run code in a child interpreter with objref and examples/roots on
    its path; what it printed last, as JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(objref.__file__), ROOTS, ROOT, env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, timeout=300,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if out.returncode != 0:
        raise AssertionError("child failed (%d): %s" % (out.returncode, out.stderr))
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows(text):
    out = {}
    for line in text.splitlines():
        name, count, _ = line.split("\t")
        out[name] = int(count)
    return out


class FrozenCensusTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # Between the two censuses only the first census's result is made
        # (a dict of str keys and int values, and the dict `out`).
        cls.res = run(HEAP + """
out = {"unfrozen": objref.typestats(untracked=True)}
out["unfrozen_tracked"] = objref.typestats()
gc.freeze()
out["freeze_count"] = gc.get_freeze_count()
out["listed"] = len(gc.get_objects())
out["frozen"] = objref.typestats(untracked=True)
out["frozen_tracked"] = objref.typestats()
out["forked"] = objref._census_rows(True, True).decode()
snap = objref.snapshot()
out["snapshot"] = {k: v[0] for k, v in snap.census().items()}
out["flagged"] = sum(1 for n in HEAP[:100] if snap.object(id(n))["flags"] & snap.F_FROZEN)
out["summary"] = objref._cycles()[0]
print(json.dumps(out))
""")

    def slack(self, name):
        # what the comparison itself made: one census dict (and `out`), its
        # str keys and int values
        made = len(self.res["unfrozen"]) + len(self.res["unfrozen_tracked"])
        return {"dict": 3, "str": made, "int": made}.get(name, 0)

    def assertSameCensus(self, unfrozen, frozen, what):
        for name in sorted(set(unfrozen) | set(frozen)):
            with self.subTest(census=what, type=name):
                a, b = unfrozen.get(name, 0), frozen.get(name, 0)
                self.assertLessEqual(abs(a - b), self.slack(name),
                                     "%s: %d unfrozen, %d frozen" % (name, a, b))

    def test_the_heap_is_frozen(self):
        # the case this file is about: the collector's listing (on the
        # Pythons that leave the permanent generation out) sees nothing of it
        self.assertGreater(self.res["freeze_count"], 5000 * 3)
        self.assertLess(self.res["listed"], 100)

    def test_census_equals_the_unfrozen_census(self):
        self.assertEqual(self.res["frozen"]["Node"], 5000)
        self.assertGreaterEqual(self.res["frozen"]["float"], 5000)
        self.assertSameCensus(self.res["unfrozen"], self.res["frozen"], "untracked=True")

    def test_tracked_census_equals_the_unfrozen_census(self):
        self.assertEqual(self.res["frozen_tracked"]["Node"], 5000)
        self.assertNotIn("str", self.res["frozen_tracked"])
        self.assertSameCensus(self.res["unfrozen_tracked"], self.res["frozen_tracked"], "tracked")

    def test_forked_census_counts_the_frozen_heap(self):
        # the forked child gathers with the same code, without Python calls
        forked = rows(self.res["forked"])
        self.assertEqual(forked["Node"], 5000)
        for name in ("Node", "list", "float", "function", "type", "module"):
            with self.subTest(type=name):
                self.assertEqual(forked[name], self.res["frozen"][name])

    def test_snapshot_census_and_flags(self):
        snap = self.res["snapshot"]
        for name in ("Node", "list", "float", "function", "type", "module"):
            with self.subTest(type=name):
                self.assertEqual(snap[name], self.res["frozen"][name])
        self.assertEqual(self.res["flagged"], 100)
        self.assertTrue(self.res["summary"]["frozen_listed"])
        self.assertEqual(self.res["summary"]["freeze_count"], self.res["freeze_count"])


class NothingListedTest(unittest.TestCase):
    """A capture right after gc.freeze(): the collector lists nothing at all
    (from 3.12 its state is then found from a frozen object)."""

    def test_census_is_every_frozen_object(self):
        res = run("""
import gc, json, objref
gc.disable()
gc.freeze()
stats = objref.typestats()
print(json.dumps({"total": sum(stats.values()), "freeze_count": gc.get_freeze_count(),
                  "listed": len(gc.get_objects()), "modules": stats.get("module", 0)}))
""")
        self.assertGreater(res["freeze_count"], 1000)
        # every frozen object, and the few made since (the census's own dict)
        self.assertLessEqual(res["freeze_count"], res["total"])
        self.assertLessEqual(res["total"], res["freeze_count"] + res["listed"] + 2)
        self.assertGreater(res["modules"], 10)


class FrozenGarbageTest(unittest.TestCase):

    def test_frozen_cycle_found_and_named_with_gc_disabled(self):
        res = run("""
import gc, json, objref
gc.collect()                      # the interpreter's start-up garbage
gc.disable()

class Session:
    pass

class Cache:
    pass

class Later:
    pass

class LaterPeer:
    pass

def leak(n):
    keep = []
    for _ in range(n):
        s = Session()
        c = Cache()
        s.cache = c
        c.session = s
        keep.append(s)
    gc.freeze()
    del keep[:]

leak(4)
a = Later()                       # made after the freeze: collectable
a.peer = LaterPeer()
a.peer.back = a
del a
shapes = [{k: v for k, v in s.items() if k in ("shape", "kind", "count", "reason")}
          for s in objref.cycles()]
summary = objref._cycles()[0]
print(json.dumps({"shapes": shapes, "summary": summary}))
""")
        frozen = [s for s in res["shapes"] if "Session" in s["shape"]]
        self.assertEqual(len(frozen), 1, res["shapes"])
        self.assertIn("Cache", frozen[0]["shape"])
        self.assertEqual(frozen[0]["kind"], "frozen")
        self.assertEqual(frozen[0]["count"], 4)
        self.assertTrue(frozen[0]["reason"].startswith("frozen by gc.freeze()"), frozen[0]["reason"])
        later = [s for s in res["shapes"] if "Later" in s["shape"]]
        self.assertEqual([(s["kind"], s["count"]) for s in later], [("collectable", 1)], res["shapes"])
        self.assertTrue(res["summary"]["frozen_listed"])
        # 4 Sessions and 4 Caches, and before 3.11 their 8 __dict__s
        self.assertEqual(res["summary"]["frozen_objects"], 8 if sys.version_info >= (3, 11) else 16)


class FrozenChainTest(unittest.TestCase):

    def test_chain_from_a_frozen_object_to_its_module(self):
        res = run("""
import gc, json, objref
gc.disable()
import module_global                       # five Payloads in STATE
gc.freeze()
snap = objref.snapshot()
flags = snap.object(id(module_global.STATE["sessions"][2].history[0][1]))["flags"]
chains = objref.chains("Payload", samples=5)
print(json.dumps({"frozen": bool(flags & snap.F_FROZEN),
                  "census": snap.census().get("Payload", [0])[0], "chains": chains}))
""")
        self.assertTrue(res["frozen"])
        self.assertEqual(res["census"], 5)
        chains = res["chains"]
        self.assertEqual(chains["instances"], 5)
        p = chains["patterns"][0]
        self.assertEqual(p["count"], chains["samples"])
        self.assertEqual(p["root"], {"kind": "module", "module": "module_global", "name": "STATE"})
        self.assertEqual(p["text"], "module module_global .STATE -> dict ['sessions'] -> list [*] "
                                    "-> Session .history -> list [*] -> tuple [*] -> Payload")


if __name__ == "__main__":
    unittest.main()

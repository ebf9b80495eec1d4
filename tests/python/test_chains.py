"""Retention chains: for each kind of root, an example program in
examples/roots leaks, and objref names the root and every labelled step.
Each example runs in a fresh interpreter (the one under test), imported as
a module, so its globals are a real module's."""
import json
import os
import subprocess
import sys
import textwrap
import unittest

import objref
from tests.python.support import OBJGRAPH_FILES

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples", "roots")
MODULE_DIR = os.path.dirname(os.path.abspath(objref.__file__))


def run(code):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([MODULE_DIR, ROOTS, os.path.dirname(OBJGRAPH_FILES[0])])
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, timeout=120,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if out.returncode != 0:
        raise AssertionError("example failed (%d):\n%s" % (out.returncode, out.stderr))
    return json.loads(out.stdout.strip().splitlines()[-1])


def chains(module, typename, samples=3):
    return run("""
        import json, objref, %s
        print(json.dumps(objref.chains(%r, samples=%d)))
        """ % (module, typename, samples))


def labels(pattern):
    return [(s["type"], s["label"]) for s in pattern["steps"]]


class ChainsByRootTest(unittest.TestCase):

    def test_module_global(self):
        r = chains("module_global", "Payload")
        p = r["patterns"][0]
        self.assertEqual((r["samples"], p["count"]), (3, 3))
        self.assertEqual(p["root"], {"kind": "module", "module": "module_global", "name": "STATE"})
        self.assertEqual(p["root_text"], "module global module_global.STATE")
        self.assertEqual(p["text"], "module module_global .STATE -> dict ['sessions'] -> list [*] "
                                    "-> Session .history -> list [*] -> tuple [*] -> Payload")
        self.assertEqual(p["steps"][p["suspect"]]["type"], "list")  # STATE['sessions'] grows

    def test_class_attribute(self):
        p = chains("class_registry", "Plugin")["patterns"][0]
        self.assertEqual(p["root"]["module"], "class_registry")
        self.assertEqual(p["root"]["name"], "Registry")
        self.assertEqual(p["text"], "module class_registry .Registry -> type .items -> list [*] -> Plugin")

    def test_thread_local(self):
        p = chains("thread_local", "Job")["patterns"][0]
        root = p["root"]
        with open(os.path.join(ROOTS, "thread_local.py")) as f:
            waiting = [i for i, line in enumerate(f, 1) if "stop.wait()" in line][0]
        self.assertEqual((root["kind"], root["name"], root["function"], root["thread"]),
                         ("frame", "pending", "worker", "worker-1"))
        self.assertEqual(os.path.basename(root["file"]), "thread_local.py")
        self.assertEqual(root["line"], waiting)
        self.assertEqual(p["root_text"], "local pending of worker() at %s:%d, thread worker-1"
                         % (root["file"], waiting))
        self.assertEqual(labels(p), [("list", "[*]"), ("Job", None)])

    def test_held_from_c(self):
        p = chains("held_from_c", "Orphan")["patterns"][0]
        self.assertEqual(p["root"], {"kind": "held_from_c", "unexplained": 1})
        self.assertEqual(labels(p), [("Orphan", None)])

    def test_lru_cache_keeps_self(self):
        p = chains("lru_method", "Handler")["patterns"][0]
        self.assertEqual(p["root"]["name"], "Handler")
        steps = labels(p)
        self.assertEqual(steps[0], ("module", "__dict__"))
        self.assertIn(("type", "__dict__"), steps)
        self.assertIn(("dict", "['render']"), steps)
        self.assertEqual(steps[-1], ("Handler", None))
        self.assertIn("_lru_cache_wrapper", [t for t, _ in steps])

    def test_closures(self):
        p = chains("closures", "Context")["patterns"][0]
        self.assertEqual(p["root_text"], "module global closures.CALLBACKS")
        self.assertEqual(p["text"], "module closures .CALLBACKS -> list [*] -> function .__closure__ "
                                    "-> tuple cell ctx -> cell .cell_contents -> Context")

    def test_garbage_cycle(self):
        r = chains("gc_cycle", "Node")
        p = r["patterns"][0]
        self.assertEqual(p["status"], "unreachable")
        self.assertEqual(p["root"]["kind"], "garbage")
        self.assertIn("garbage held only by reference cycles", p["root_text"])

    def test_unknown_type(self):
        with self.assertRaises(LookupError):
            objref.chains("NoSuchTypeAnywhere")


class ObjgraphAgreementTest(unittest.TestCase):
    """Where objgraph's find_backref_chain reaches a module, objref's chain
    has the same length."""

    def test_same_length_as_objgraph(self):
        if not any(os.path.exists(f) for f in OBJGRAPH_FILES):
            self.skipTest("python3-objgraph is not installed")
        r = run("""
            import json, objgraph, objref, module_global, closures, class_registry
            out = []
            for obj in (module_global.STATE["sessions"][2].history[0][1],
                        closures.CALLBACKS[1].__closure__[0].cell_contents,
                        class_registry.Registry.items[3]):
                theirs = objgraph.find_backref_chain(obj, objgraph.is_proper_module)
                ours = objref.find_backref_chain(obj, objref.is_proper_module)
                out.append([len(theirs), len(ours), type(ours[0]).__name__, ours[-1] is obj])
            print(json.dumps(out))
            """)
        for theirs, ours, root_type, ends in r:
            self.assertGreater(theirs, 1)
            self.assertEqual(ours, theirs)
            self.assertEqual(root_type, "module")
            self.assertTrue(ends)


class ForwardSearchTest(unittest.TestCase):
    """find_backref_chain(obj, objref.is_proper_module) searches forward
    from the modules, without a snapshot; any other predicate takes the
    snapshot's backward search.  Both must find chains of one length (the
    shortest), through real references, ignore what extra_ignore names and
    stop at the same max_depth."""

    def test_same_chains_as_the_snapshot(self):
        r = run("""
            import gc, json, sys, types, objref, module_global, closures, class_registry, lru_method

            class Node:
                pass


            def slow(o):
                return objref.is_proper_module(o)


            def referents_ok(chain):
                return all(any(r is b for r in gc.get_referents(a)) for a, b in zip(chain, chain[1:]))


            def main():  # the targets are locals: no global of __main__ holds them
                # two ways down to end, one a step longer: only the
                # shortest counts
                mod = types.ModuleType("fwd_demo")
                sys.modules["fwd_demo"] = mod
                end = Node()
                mod.short = [[end]]
                mod.long = [[[end]]]
                # a chain through a frozen object and a type's __dict__
                holder = type("Holder", (), {})
                holder.kept = {"deep": [Node()]}
                mod.holder = holder
                gc.freeze()
                far = Node()
                holder.kept["deep"].append([far])
                # untracked on the way: a tuple of atoms is never entered
                mod.atoms = (1, 2, "x")

                targets = [end, far, holder.kept["deep"][0], module_global.STATE["sessions"][2].history[0][1],
                           closures.CALLBACKS[1].__closure__[0].cell_contents,
                           class_registry.Registry.items[3], mod]
                out = []
                for t in targets:
                    fast = objref.find_backref_chain(t, objref.is_proper_module)
                    back = objref.find_backref_chain(t, slow)
                    row = {"fast": len(fast), "back": len(back), "ok": referents_ok(fast),
                           "first": type(fast[0]).__name__, "last": fast[-1] is t}
                    n = len(fast)
                    if n > 2:
                        # max_depth: n - 1 references reach it, n - 2 do not
                        row["at"] = [len(objref.find_backref_chain(t, p, max_depth=n - 1)) for p in
                                     (objref.is_proper_module, slow)]
                        row["below"] = [len(objref.find_backref_chain(t, p, max_depth=n - 2)) for p in
                                        (objref.is_proper_module, slow)]
                        # ignoring a step of the chain: both go around it alike
                        ign = [id(fast[n // 2])]
                        got = [objref.find_backref_chain(t, p, extra_ignore=ign) for p in
                               (objref.is_proper_module, slow)]
                        row["ignored"] = [len(c) for c in got]
                        row["passes_ignored"] = any(o is fast[n // 2] for c in got for o in c)
                    out.append(row)
                    del fast, back
                gc.unfreeze()
                return out


            print(json.dumps(main()))
            """)
        for i, row in enumerate(r):
            self.assertEqual(row["fast"], row["back"], (i, row))
            self.assertTrue(row["ok"], (i, row))
            self.assertEqual(row["first"], "module", (i, row))
            self.assertTrue(row["last"], (i, row))
            if "at" in row:
                self.assertEqual(row["at"], [row["fast"]] * 2, (i, row))
                self.assertEqual(row["below"], [1, 1], (i, row))
                self.assertEqual(row["ignored"][0], row["ignored"][1], (i, row))
                self.assertFalse(row["passes_ignored"], (i, row))
        self.assertEqual(r[0]["fast"], 5)   # fwd_demo, its dict, .short, [0], end
        self.assertEqual(r[-1]["fast"], 1)  # a module is its own chain
        self.assertEqual(r[1]["fast"], 8)   # ... Holder, its dict, .kept, ["deep"], [1], far


class WhyAliveTest(unittest.TestCase):

    def test_why_alive_prints_and_returns(self):
        import io
        mod = sys.modules[__name__]
        mod.HOLDER = {"key": [object()]}  # no local refers to it: the module is the root
        out = io.StringIO()
        try:
            chain = objref.why_alive(mod.HOLDER["key"][0], file=out)
            self.assertIs(chain[-1], mod.HOLDER["key"][0])
        finally:
            del mod.HOLDER
        self.assertIs(chain[0], mod)
        text = out.getvalue()
        self.assertIn(".HOLDER -> dict ['key'] -> list [0] -> object", text)
        self.assertIn("root: module global %s.HOLDER" % __name__, text)

    def test_find_ref_chain_forward(self):
        class Target:
            pass
        t = Target()
        start = [{"a": (1, t)}]
        chain = objref.find_ref_chain(start, lambda o: isinstance(o, Target))
        self.assertEqual([type(o).__name__ for o in chain], ["list", "dict", "tuple", "Target"])
        self.assertIs(chain[-1], t)


if __name__ == "__main__":
    unittest.main()

"""Root records of a snapshot: modules, every thread's frame locals, objects
held from C, the gc.freeze() permanent generation, gc.garbage."""
import ctypes
import gc
import sys
import threading
import unittest

import objref

from .support import Tripwire

S = objref.Snapshot
F_IMMORTAL, F_TYPE = 4, 16


class Payload:
    pass


class Leaky:
    pass


MODULE_GLOBAL = [Payload()]


def incref(obj):
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


def decref_at(addr):
    obj = ctypes.cast(addr, ctypes.py_object).value
    ctypes.pythonapi.Py_DecRef(ctypes.py_object(obj))


def tearDownModule():
    gc.collect()  # leave no cyclic garbage to the tests that count growth


def roots_at(snap, addr, kind=None):
    return [r for r in snap.roots() if r.addr == addr and (kind is None or r.kind == kind)]


def reaches(snap, start, target, limit=100000):
    """Does a path of snapshot edges lead from start to target?"""
    seen, todo = {start}, [start]
    while todo and len(seen) < limit:
        addr = todo.pop()
        if addr == target:
            return True
        for _, a, _ in snap.referents(addr):
            if a not in seen:
                seen.add(a)
                todo.append(a)
    return False


class RootRecordTest(unittest.TestCase):

    def test_record_fields(self):
        snap = objref.snapshot()
        self.assertTrue(snap.validate())
        kinds = {S.ROOT_MODULE, S.ROOT_FRAME, S.ROOT_HELD_FROM_C, S.ROOT_IMMORTAL,
                 S.ROOT_FROZEN, S.ROOT_GC_GARBAGE}
        for r in snap.roots():
            kind, name, addr = r  # still a (kind, name, addr) sequence
            self.assertIn(kind, kinds)
            self.assertTrue(snap.object(addr)["flags"] & S.F_ROOT)
            if kind != S.ROOT_FRAME:
                self.assertEqual((r.thread, r.function, r.file, r.line, r.depth), (0, "", "", 0, 0))
            if kind == S.ROOT_IMMORTAL:  # immortal (3.12+), or a static type
                self.assertTrue(snap.object(addr)["flags"] & (F_IMMORTAL | F_TYPE))

    def test_hidden_references_are_labelled_edges(self):
        class Base:
            pass

        class Sub(Base):
            pass

        snap = objref.snapshot()
        labels = {(label, a) for label, a, t in snap.referents(id(list))}
        self.assertTrue(any(label == "__dict__" for label, a in labels))  # static types are not traversed
        # list.__mro__: the tuple, or when it is not in the snapshot (an
        # untracked tuple nothing else holds) its items
        self.assertTrue({(".__mro__", id(list.__mro__)), (".__mro__", id(object))} & labels, labels)
        labels = {label: t for label, a, t in snap.referents(id(Base))}
        self.assertEqual(labels.get(".__subclasses__"), "dict")
        del Sub

    def test_static_types_nothing_reaches_are_immortal_roots(self):
        # Internal static types (iterators, frame, cell ...) that no module
        # names live forever and hold their __dict__: IMMORTAL roots, so
        # their dicts and descriptors are not taken for garbage.
        snap = objref.snapshot()
        types = [r for r in snap.roots()
                 if r.kind == S.ROOT_IMMORTAL and snap.object(r.addr)["flags"] & F_TYPE]
        self.assertTrue(types)
        for r in types[:20]:
            dicts = [a for label, a, t in snap.referents(r.addr) if label == "__dict__"]
            self.assertEqual(len(dicts), 1, snap.object(r.addr)["desc"])
            self.assertEqual(roots_at(snap, dicts[0]), [])

    def test_module_global_reached_from_module_root(self):
        mod = sys.modules[__name__]
        snap = objref.snapshot()
        self.assertEqual([r.name for r in roots_at(snap, id(mod), S.ROOT_MODULE)], [__name__])
        mdict = [a for label, a, t in snap.referents(id(mod)) if label == "__dict__"]
        self.assertEqual(mdict, [id(mod.__dict__)])
        labels = [label for label, a, t in snap.referents(id(mod.__dict__)) if a == id(MODULE_GLOBAL)]
        self.assertEqual(labels, ["['MODULE_GLOBAL']"])
        self.assertEqual(roots_at(snap, id(MODULE_GLOBAL)), [])


class FrameRootTest(unittest.TestCase):

    def test_local_of_function_blocked_in_thread(self):
        ready, stop = threading.Event(), threading.Event()
        seen = {}

        def worker():
            pending = [Payload() for _ in range(3)]
            seen["addr"] = id(pending)  # only the address: the local alone holds it
            seen["line"] = sys._getframe().f_lineno + 2
            ready.set()
            stop.wait()
            return len(pending)

        t = threading.Thread(target=worker, name="roots-worker", daemon=True)
        t.start()
        self.assertTrue(ready.wait(10))
        try:
            snap = objref.snapshot()
        finally:
            stop.set()
            t.join()
        roots = roots_at(snap, seen["addr"], S.ROOT_FRAME)
        self.assertEqual(len(roots), 1, roots)
        r = roots[0]
        self.assertEqual(r.name, "pending")
        self.assertEqual(r.thread, t.ident)
        self.assertNotEqual(r.thread, threading.get_ident())
        self.assertEqual(r.function, worker.__qualname__)
        self.assertEqual(r.file, worker.__code__.co_filename)
        self.assertEqual(r.line, seen["line"])
        self.assertGreaterEqual(r.depth, 1)  # Event.wait runs inside it
        self.assertEqual(snap.object(seen["addr"])["type"], "list")

    def test_untracked_local_of_current_frame(self):
        # An untracked dict nothing but this frame holds: from 3.11 no
        # traversal shows it, yet it must be in the snapshot, as a root.
        atomic = {"k": 12345}
        self.assertFalse(gc.is_tracked(atomic))
        snap = objref.snapshot()
        self.assertEqual(snap.object(id(atomic))["type"], "dict")
        roots = roots_at(snap, id(atomic))
        self.assertEqual([(r.kind, r.name) for r in roots], [(S.ROOT_FRAME, "atomic")])
        self.assertEqual(roots[0].thread, threading.get_ident())
        self.assertEqual(roots[0].depth, 0)  # objref.snapshot() has no Python frame
        self.assertEqual(roots[0].function, "FrameRootTest.test_untracked_local_of_current_frame")
        self.assertEqual(roots[0].file, FrameRootTest.test_untracked_local_of_current_frame.__code__.co_filename)

    def test_cell_variable_and_its_cell(self):
        captured = {"in": "a cell"}

        def inner():
            return captured

        cell = id(inner.__closure__[0])
        del inner  # now only this frame holds the cell
        snap = objref.snapshot()
        self.assertEqual([r.name for r in roots_at(snap, id(captured), S.ROOT_FRAME)], ["captured"])
        self.assertEqual(roots_at(snap, cell, S.ROOT_HELD_FROM_C), [])

    def test_unbound_cell_variable(self):
        def f():
            snap = objref.snapshot()  # `later` is a cell, still empty
            later = [1]
            return snap, lambda: later

        snap, fn = f()
        self.assertEqual(roots_at(snap, id(fn.__closure__[0]), S.ROOT_HELD_FROM_C), [])

    def test_argument_and_unbound_local(self):
        def callee(arg):
            snap = objref.snapshot()
            later = 1  # unbound when the snapshot is taken
            return snap, later

        value = Payload()
        snap, _ = callee(value)
        names = sorted((r.name, r.function.rsplit(".", 1)[-1])
                       for r in roots_at(snap, id(value), S.ROOT_FRAME))
        self.assertEqual(names, [("arg", "callee"), ("value", "test_argument_and_unbound_local")])
        self.assertEqual([r for r in snap.roots() if r.kind == S.ROOT_FRAME and r.name == "later"], [])

    def test_running_function_held_by_its_frame(self):
        snap = (lambda: objref.snapshot())()  # the lambda: only its frame holds it
        roots = [r for r in snap.roots() if r.kind == S.ROOT_FRAME and r.name == "<function>"]
        lambdas = [r for r in roots if r.function.endswith("<lambda>")]
        self.assertEqual(len(lambdas), 1, [(r.name, r.function) for r in roots])
        self.assertEqual((lambdas[0].depth, lambdas[0].thread), (0, threading.get_ident()))
        self.assertEqual(snap.object(lambdas[0].addr)["type"], "function")

    def test_thread_local_and_thread_state_dict(self):
        local = threading.local()
        local.payload = Payload()
        addr = id(local.payload)
        snap = objref.snapshot()
        self.assertEqual(roots_at(snap, addr), [])
        self.assertTrue(reaches(snap, id(local), addr))
        # the thread state's dict (PyThreadState_GetDict, which repr() of a
        # list uses; threading.local does before 3.13) is held from C
        repr([local])
        snap = objref.snapshot()
        states = [r for r in snap.roots() if r.kind == S.ROOT_HELD_FROM_C and r.name == "thread state dict"]
        self.assertTrue(states)
        self.assertTrue(all(snap.object(r.addr)["type"] == "dict" for r in states))

    def test_no_code_of_the_program_runs(self):
        Tripwire.calls.clear()
        wire = Tripwire()
        ready, stop = threading.Event(), threading.Event()

        def worker(w=Tripwire()):
            local_wire = w  # noqa: F841
            ready.set()
            stop.wait()

        t = threading.Thread(target=worker, daemon=True)
        t.start()
        self.assertTrue(ready.wait(10))
        try:
            snap = objref.snapshot()
        finally:
            stop.set()
            t.join()
        self.assertTrue(roots_at(snap, id(wire), S.ROOT_FRAME))
        self.assertEqual(Tripwire.calls, [])

    def test_repeated_snapshots_add_no_roots(self):
        # 3.11 materializes each running frame's f_locals on the first
        # capture: the second must not report them.
        objref.snapshot()
        first = objref.snapshot()
        second = objref.snapshot()
        held = [{r.addr for r in s.roots() if r.kind == S.ROOT_HELD_FROM_C} for s in (first, second)]
        self.assertLessEqual(len(held[1] - held[0]), 1, held[1] - held[0])


class HeldFromCTest(unittest.TestCase):

    def test_leaked_incref_is_held_from_c(self):
        leaky = Leaky()
        addr = id(leaky)
        incref(leaky)
        del leaky  # now only the leaked reference keeps it
        try:
            snap = objref.snapshot()
            self.assertEqual(snap.object(addr)["type"], "Leaky")
            self.assertEqual([(r.kind, r.extra) for r in roots_at(snap, addr)],
                             [(S.ROOT_HELD_FROM_C, 1)])
        finally:
            decref_at(addr)

    def test_held_container_not_its_items(self):
        item = Payload()
        box = [item, item]
        addr, item_addr = id(box), id(item)
        incref(box)
        incref(box)
        del box, item
        try:
            snap = objref.snapshot()
            self.assertEqual([(r.kind, r.extra) for r in roots_at(snap, addr)],
                             [(S.ROOT_HELD_FROM_C, 2)])
            self.assertEqual(roots_at(snap, item_addr), [])
        finally:
            decref_at(addr)
            decref_at(addr)

    def test_reachable_object_is_not_held_from_c(self):
        # A leaked reference to an object a root reaches does not keep it
        # alive (yet): its chain is the root's.
        leaky = Leaky()
        incref(leaky)
        try:
            snap = objref.snapshot()
            self.assertEqual([r.kind for r in roots_at(snap, id(leaky))], [S.ROOT_FRAME])
        finally:
            ctypes.pythonapi.Py_DecRef(ctypes.py_object(leaky))

    def test_ordinary_objects_are_not_held(self):
        def make_closure(v):
            return lambda: v

        def suspended():
            local = Payload()
            yield local

        gen = suspended()
        next(gen)
        things = [Payload(), {"k": Payload()}, (Payload(),), make_closure(Payload()),
                  Payload().__init__, gen, {Payload()}, type("Dyn", (Payload,), {})]
        keep = list(things)
        snap = objref.snapshot()
        held = {r.addr for r in snap.roots() if r.kind == S.ROOT_HELD_FROM_C}
        ours = set()
        for obj in keep:
            ours.add(id(obj))
            ours.update(a for _, a, _ in snap.referents(id(obj)))
        self.assertEqual(held & ours, set())
        self.assertEqual(held & {id(MODULE_GLOBAL), id(MODULE_GLOBAL[0])}, set())


class FrozenTest(unittest.TestCase):

    def setUp(self):
        gc.collect()

    def tearDown(self):
        gc.unfreeze()

    def test_frozen_objects_flagged_modules_still_rooted(self):
        frozen = [Payload()]
        gc.freeze()
        self.assertGreater(gc.get_freeze_count(), 0)
        later = [Payload()]
        snap = objref.snapshot()
        self.assertTrue(snap.object(id(frozen))["flags"] & S.F_FROZEN)
        self.assertFalse(snap.object(id(later))["flags"] & S.F_FROZEN)
        # reached from this frame: frozen, but not a FROZEN root
        self.assertEqual([r.kind for r in roots_at(snap, id(frozen))], [S.ROOT_FRAME])
        # every module is frozen: still found, still roots
        mod = sys.modules[__name__]
        self.assertTrue(roots_at(snap, id(mod), S.ROOT_MODULE))
        self.assertTrue(snap.object(id(MODULE_GLOBAL))["flags"] & S.F_FROZEN)

    def test_frozen_cycle_held_from_c_is_reached_from_that_root(self):
        cycle = [Payload()]
        cycle.append(cycle)
        cycle_addr = id(cycle)
        gc.freeze()
        holder = Leaky()  # not frozen: created after the freeze
        holder.cycle = cycle
        holder_addr = id(holder)
        incref(holder)
        del holder, cycle
        try:
            snap = objref.snapshot()
            self.assertEqual([r.kind for r in roots_at(snap, holder_addr)], [S.ROOT_HELD_FROM_C])
            self.assertEqual(roots_at(snap, cycle_addr), [])  # the holder explains it
            self.assertTrue(snap.object(cycle_addr)["flags"] & S.F_FROZEN)
        finally:
            decref_at(holder_addr)

    def test_frozen_cycle_only_garbage_reaches_is_a_frozen_root(self):
        cycle = [Payload()]
        cycle.append(cycle)
        cycle_addr = id(cycle)
        gc.freeze()
        gc.disable()
        try:
            garbage = [cycle]  # a cycle the collector would free; the frozen one stays
            garbage.append(garbage)
            garbage_addr = id(garbage)
            del garbage, cycle
            snap = objref.snapshot()
            self.assertEqual(roots_at(snap, garbage_addr), [])
            self.assertEqual([r.kind for r in roots_at(snap, cycle_addr)], [S.ROOT_FROZEN])
        finally:
            gc.enable()


class GcGarbageTest(unittest.TestCase):

    def test_gc_garbage_members(self):
        gc.collect()
        debug = gc.get_debug()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            obj = Payload()
            obj.me = obj
            addr = id(obj)
            del obj
            gc.collect()
            index = [i for i, x in enumerate(gc.garbage) if id(x) == addr]
            self.assertEqual(len(index), 1)
            snap = objref.snapshot()
            roots = roots_at(snap, addr, S.ROOT_GC_GARBAGE)
            self.assertEqual([(r.name, r.extra) for r in roots], [("gc.garbage", index[0])])
        finally:
            gc.set_debug(debug)
            del gc.garbage[:]


if __name__ == "__main__":
    unittest.main()

"""Label coverage (issue 11, item 1) as a ratio, on a small heap of the
objects whose references a person names: caught exceptions with their
tracebacks and contexts, bound methods, builtin methods, closures and
their cells, functools.partial, lru_cache wrappers.  Of the references
from these objects in a full snapshot, at least 99 % carry a label, on
every supported Python.  bench/labels_bench.py measures the whole heap.
"""
import functools
import sys
import types
import unittest

import objref

NAMED = {"ValueError", "KeyError", "traceback", "method", "builtin_function_or_method", "cell",
         "function", "functools.partial", "functools._lru_cache_wrapper"}
if sys.version_info < (3, 11):
    NAMED.add("frame")  # 3.11+ frames' locals are named on a chain's step, not in the snapshot


class Holder:
    def run(self):
        return self


def make_heap(n=200):
    kept = []
    for i in range(n):
        try:
            try:
                {}["missing %d" % i]
            except KeyError:
                raise ValueError("order %d" % i)
        except ValueError as e:
            kept.append(e)
        h = Holder()
        kept.append(h.run)
        kept.append([].append)
        box = ["closed over %d" % i]
        kept.append(lambda: box)
        kept.append(functools.partial(print, i, sep=","))

    @functools.lru_cache(maxsize=None)
    def square(x):
        return x * x
    for i in range(n):
        square(i)
    kept.append(square)
    return kept


class LabelCoverage(unittest.TestCase):
    def test_named_kinds_are_labelled(self):
        kept = make_heap()
        r = objref._label_coverage(top=50, only=NAMED)
        self.assertGreater(r["only_total"], 2000)
        ratio = r["only_labelled"] / r["only_total"]
        gaps = [g for g in r["gaps"] if g[0] in NAMED]
        self.assertGreaterEqual(ratio, 0.99, gaps)
        del kept

    def test_whole_heap_ratio_is_measured(self):
        r = objref._label_coverage(top=5)
        self.assertGreater(r["total"], 0)
        self.assertLessEqual(r["labelled"], r["total"])
        self.assertLessEqual(len(r["gaps"]), 5)
        counts = [g[2] for g in r["gaps"]]
        self.assertEqual(counts, sorted(counts, reverse=True))


# Another module's code sets an attribute on instances it did not define
# (a factory's `obj.manager = self`): the name is only in that module.
FACTORY_SRC = """
def attach(obj, manager):
    obj.manager = manager
    return obj


def attach_guarded(obj, manager):
    obj.guard = manager
    obj.stash = manager
    return obj
"""


def factory_module():
    name = "objref_labels_factory"
    if name not in sys.modules:
        mod = types.ModuleType(name)
        exec(FACTORY_SRC, mod.__dict__)
        sys.modules[name] = mod
    return sys.modules[name]


class Manager:
    pass


class Widget:
    count = 0  # a class-level default: the instance's own value is read

    def __init__(self, i):
        self.key = "widget %d" % i
        self.parts = [i]
        self.count = [i, i]


GETTER_RAN = []


class Guarded:
    """`guard` is a property: reading it would run the program's code, so
    it is never read; its getter and __getattr__ count their calls."""

    def __init__(self):
        self.plain = ["plain"]

    @property
    def guard(self):
        GETTER_RAN.append("guard")
        return self.__dict__.get("_guard")

    @guard.setter
    def guard(self, value):
        GETTER_RAN.append("setter")  # only the test's own assignment

    def __getattr__(self, name):
        GETTER_RAN.append("__getattr__ " + name)
        raise AttributeError(name)


class Defaulted:
    parent = None  # a class default: an instance without its own reads it

    def __init__(self, with_parent):
        if with_parent:
            self.parent = Manager()
        self.other = None


def labels_of(snap, obj):
    return {addr: label for label, addr, _ in snap.referents(id(obj))}


class InlineAttributes(unittest.TestCase):
    """From 3.11 instance attributes live inline; a full snapshot names
    them (before 3.11 the instance's __dict__ does, by key)."""

    def names(self, snap, obj):
        if sys.version_info >= (3, 11):
            return labels_of(snap, obj)
        return {a: "." + lab[2:-2] for a, lab in labels_of(snap, obj.__dict__).items()
                if lab.startswith("['")}

    def test_attribute_set_by_another_module_is_named(self):
        mod = factory_module()
        boss = Manager()
        widgets = [mod.attach(Widget(i), boss) for i in range(20)]
        snap = objref.snapshot()
        for w in widgets[:3] + widgets[-3:]:
            names = self.names(snap, w)
            self.assertEqual(names.get(id(boss)), ".manager", names)
            self.assertEqual(names.get(id(w.key)), ".key", names)
            self.assertEqual(names.get(id(w.parts)), ".parts", names)
            self.assertEqual(names.get(id(w.count)), ".count", names)
            self.assertNotIn(".?", names.values())

    @unittest.skipIf(sys.version_info < (3, 11), "instances have a dict object before 3.11")
    def test_no_instance_dict_is_made(self):
        import gc
        mod = factory_module()
        widgets = [mod.attach(Widget(i), Manager()) for i in range(5)]
        before = [[type(r) for r in gc.get_referents(w)] for w in widgets]
        self.assertNotIn(dict, before[0])
        objref.snapshot()
        self.assertEqual([[type(r) for r in gc.get_referents(w)] for w in widgets], before)

    def test_descriptor_and_getattr_never_run(self):
        mod = factory_module()
        boss = Manager()
        g = mod.attach_guarded(Guarded(), boss)
        del GETTER_RAN[:]
        snap = objref.snapshot()
        objref._label_coverage(top=5)
        self.assertEqual(GETTER_RAN, [])
        names = self.names(snap, g)
        self.assertEqual(names.get(id(g.plain)), ".plain", names)
        self.assertEqual(names.get(id(boss)), ".stash", names)  # `guard` stored nothing
        del GETTER_RAN[:]

    def test_class_default_is_not_the_instance_value(self):
        kept = [Defaulted(True), Defaulted(False), Defaulted(True)]
        snap = objref.snapshot()
        names = self.names(snap, kept[1])
        self.assertEqual(names.get(id(None)), ".other", names)
        self.assertEqual(self.names(snap, kept[0]).get(id(kept[0].parent)), ".parent")

    @unittest.skipIf(sys.version_info < (3, 11), "instances have a dict object before 3.11")
    def test_materialized_dict_is_named(self):
        w = Widget(1)
        vars(w)  # 3.11/3.12: the attributes move into a dict object
        snap = objref.snapshot()
        labels = labels_of(snap, w)
        self.assertNotIn(".?", labels.values())
        self.assertTrue("__dict__" in labels.values() or ".key" in labels.values(), labels)

    def test_instances_are_labelled(self):
        mod = factory_module()
        boss = Manager()
        kept = [mod.attach(Widget(i), boss) for i in range(300)]
        kept += [mod.attach_guarded(Guarded(), boss) for i in range(100)]
        only = {t.__module__ + "." + t.__qualname__ for t in (Widget, Guarded)}
        only |= {t.__qualname__ for t in (Widget, Guarded)}
        r = objref._label_coverage(top=50, only=only)
        self.assertGreater(r["only_total"], 700)  # 2 (before 3.11) to 5 per instance
        ratio = r["only_labelled"] / r["only_total"]
        self.assertGreaterEqual(ratio, 0.99, [g for g in r["gaps"] if g[0] in only])
        del kept


if __name__ == "__main__":
    unittest.main()

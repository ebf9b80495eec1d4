"""A deterministic heap for benchmarks: about N tracked objects of the
shapes a service holds (instances with __dict__ and __slots__, dicts, lists,
tuples, sets, with str and int inside), plus live cycles."""
import random


class Record:
    def __init__(self, i):
        self.id = i
        self.name = "record-%d" % i
        self.tags = [i, i + 1]


class Point:
    __slots__ = ("x", "y", "label")

    def __init__(self, i):
        self.x = i
        self.y = -i
        self.label = ("p", i)


class Node:
    def __init__(self, parent):
        self.parent = parent
        self.children = []


def build(n_tracked, seed=1234):
    """Return a list holding about n_tracked GC-tracked objects."""
    rnd = random.Random(seed)
    root = []
    made = 0
    while made < n_tracked:
        kind = rnd.randrange(6)
        i = made
        if kind == 0:
            root.append(Record(i))            # instance, its list (+ dict before 3.11)
            made += 2
        elif kind == 1:
            root.append(Point(i))             # slotted instance + atomic tuple
            made += 1
        elif kind == 2:
            root.append({"k": [i], "v": {i}})  # dict, list, set
            made += 3
        elif kind == 3:
            root.append(([i, str(i)], (i, [])))  # tuple, list, tuple, list
            made += 4
        elif kind == 4:
            parent = Node(None)               # a live cycle: parent <-> child
            child = Node(parent)
            parent.children.append(child)
            root.append(parent)
            made += 4
        else:
            root.append([str(i) * 2, i * 7, float(i)])
            made += 1
    return root


class Leak:
    """The planted leak: what the chains benchmarks search for."""


class Holder:
    def __init__(self, inner):
        self.inner = inner


PLANTED = {}


def plant(depth, extra=0, count=10):
    """Plant `count` Leak objects, each `depth` references below the module
    global PLANTED['root'] (dicts, lists and instances alternating), with
    `extra` more referrers per step that lead nowhere (observers holding a
    back-pointer, kept alive by a cycle of their own, not by any root),
    which make a backward search branch.  Run with gc disabled."""
    roots = []
    for _ in range(count):
        node = Leak()
        for level in range(depth - 1):
            kind = level % 3
            node = {"child": node} if kind == 0 else [node] if kind == 1 else Holder(node)
            for _ in range(extra):
                observer = [node]
                observer.append(observer)  # a referrer no root reaches
        roots.append(node)
    PLANTED["root"] = roots
    return roots

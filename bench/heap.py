"""A deterministic heap for benchmarks: about N tracked objects of the
shapes a service holds (instances with __dict__ and with __slots__, dicts,
lists, tuples, sets, with str and int inside), live cycles, planted leaks at
a chosen depth with extra referrers per step, and garbage cycles on demand.

Deterministic: one seeded random.Random draws every choice, and nothing
iterates a set or dict of str, so the heap's shape does not depend on hash
order (PYTHONHASHSEED).  Build with the collector disabled, or call
gc.collect() before measuring: build() itself makes no garbage.
"""
import random
import sys

# Before 3.11 every instance of a class without __slots__ has a dict object
# from the start; from 3.11 its attributes live inline until vars() asks.
_DICTS = 1 if sys.version_info < (3, 11) else 0


class Record:
    """An instance with a __dict__ (inline values on 3.11+)."""

    def __init__(self, i):
        self.id = i
        self.name = "record-%d" % i
        self.tags = [i, i + 1]


class Config:
    """An instance whose __dict__ has been materialized (vars() touched):
    a real dict object on every Python version."""

    def __init__(self, i):
        self.key = "cfg-%d" % i
        self.value = [i, str(i)]  # a container: the dict stays tracked
        vars(self)


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


def _add_one(root, rnd, i):
    """Append one group of objects to root; return how many tracked
    objects it adds once the collector has untracked the tuples of atoms."""
    kind = rnd.randrange(7)
    if kind == 0:
        root.append(Record(i))                    # instance + its list (+ dict before 3.11)
        return 2 + _DICTS
    if kind == 1:
        root.append(Point(i))                     # slotted instance (its tuple holds atoms only)
        return 1
    if kind == 2:
        root.append({"k": [i], "v": {i, i + 1}})  # dict, list, set
        return 3
    if kind == 3:
        root.append(([i, str(i)], (i, [])))       # tuple, list, tuple, list
        return 4
    if kind == 4:
        parent = Node(None)                       # a live cycle: parent <-> child
        child = Node(parent)
        parent.children.append(child)
        root.append(parent)
        return 4 + 2 * _DICTS
    if kind == 5:
        root.append(Config(i))                    # instance + its dict + list
        return 3
    root.append([str(i) * 2, i * 7, float(i)])    # a list of atoms
    return 1


def build(n_tracked, seed=1234):
    """Return a list holding about n_tracked GC-tracked objects (the list
    itself and the objects below it).  Same seed, same heap."""
    rnd = random.Random(seed)
    root = []
    made = 0
    while made < n_tracked:
        made += _add_one(root, rnd, made)
    return root


class Leak:
    """The planted leak: what the chains benchmarks search for."""


class Holder:
    """A chain step.  Slotted, so that a chain of depth D is D references
    on every version (before 3.11 an instance's __dict__ is one more)."""
    __slots__ = ("inner",)

    def __init__(self, inner):
        self.inner = inner


class Observer:
    """An extra referrer of a chain step: holds a back-pointer to the step
    and is kept alive only by a cycle through itself (no root reaches it)."""
    __slots__ = ("target", "me")

    def __init__(self, target):
        self.target = target
        self.me = self


PLANTED = {}


def _observe(node, extra):
    """Give node `extra` more referrers that lead nowhere: lists and
    slotted instances alternating, each in a cycle of its own."""
    for j in range(extra):
        if j % 2 == 0:
            observer = [node]
            observer.append(observer)
        else:
            Observer(node)


def plant(depth, extra=0, count=10, key=None):
    """Plant `count` Leak objects, each `depth` references below the module
    global PLANTED[key] (dicts, lists and instances alternating, the Leak
    being the depth-th object), with `extra` more referrers per step (see
    _observe) which make a backward search branch.  Plantings under
    different keys coexist.  Run with gc disabled.  Returns the list of
    the top objects of the chains."""
    roots = []
    for _ in range(count):
        node = Leak()
        for level in range(depth - 1):
            kind = level % 3
            node = {"child": node} if kind == 0 else [node] if kind == 1 else Holder(node)
            _observe(node, extra)
        roots.append(node)
    PLANTED["root" if key is None else key] = roots
    return roots


def leaf_of(top, depth):
    """The Leak at the bottom of a planted chain whose top object is top."""
    node = top
    for _ in range(depth - 1):
        node = node["child"] if isinstance(node, dict) else node[0] if isinstance(node, list) else node.inner
    return node


def make_garbage(n_objects):
    """Make about n_objects objects held only by reference cycles (pairs of
    Node and a list, each pair a cycle), unreachable at return.  With the
    collector disabled they stay until gc.collect().  Returns the count."""
    made = 0
    while made < n_objects:
        a = Node(None)
        b = [a, made]
        a.children = b
        made += 2
    return made

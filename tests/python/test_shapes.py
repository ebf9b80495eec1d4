"""Pathological heap shapes: every capture function of the module runs over
them without recursion trouble, crash or wrong counts.

Bounded here (1e5 at most); the big versions (1e6 nodes, 1e6-key dict,
nesting of 1e6) are timed in bench/shapes_bench.py, never asserted on time.
"""
import gc
import io
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

import objref

LONG = 100000   # linked list, cycle and dict sizes
DEEP = 50000    # nesting depth: far past sys.getrecursionlimit()


class Node:
    __slots__ = ('next', '__weakref__')


class Ring:
    def __init__(self):
        self.next = None


class Box:
    pass


def linked_list(n):
    head = None
    for _ in range(n):
        node = Node()
        node.next = head
        head = node
    return head


def ring(n):
    first = last = Ring()
    for _ in range(n - 1):
        r = Ring()
        last.next = r
        last = r
    last.next = first
    return first


def nested(depth):
    inner = outer = []
    for _ in range(depth - 1):
        nxt = []
        inner.append(nxt)
        inner = nxt
    return outer, inner


def self_referencing():
    lst = []
    lst.append(lst)
    d = {}
    d['self'] = d
    b = Box()
    b.me = b
    t = ([],)
    t[0].append(t)
    s = set()
    fs = frozenset([b])
    s.add(fs)
    return [lst, d, b, t, s]


class TestShapes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='objref-shapes-')
        cls.head = linked_list(LONG)
        cls.ring = ring(LONG)
        cls.outer = nested(DEEP)[0]
        cls.big = {('k', i): i for i in range(LONG)}
        cls.selfref = self_referencing()
        gc.collect()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)
        # Unlink the deep shapes iteratively: their own deallocation is fine
        # (CPython's trashcan), this only keeps tearDown cheap.
        cls.head = cls.ring = cls.outer = cls.big = cls.selfref = None
        gc.collect()

    def quietly(self, fn, *a, **kw):
        with redirect_stdout(io.StringIO()):
            return fn(*a, **kw)

    def test_counts(self):
        self.assertEqual(objref.count('Node'), LONG)
        self.assertEqual(objref.count('Ring'), LONG)
        self.assertGreaterEqual(objref.count('list'), DEEP)
        stats = objref.typestats()
        self.assertEqual(stats['Node'], LONG)
        self.assertEqual(stats['Box'], 1)

    def test_checkpoint_and_growth(self):
        objref.reset()
        objref.checkpoint()
        extra = linked_list(1000)
        objref.checkpoint()
        grown = dict((name, inc) for name, _, inc in objref.growth())
        self.quietly(objref.show_growth)
        objref.reset()
        del extra
        self.assertIsInstance(grown, dict)

    def test_snapshot(self):
        snap = objref.snapshot()
        self.assertIsNotNone(snap)

    def test_chain_to_the_end_of_a_long_list(self):
        # The last node is LONG references from any root: beyond max_depth
        # the search says so rather than recursing.
        tail = self.head
        for _ in range(LONG - 1):
            tail = tail.next
        chain = objref.find_backref_chain(tail, objref.is_proper_module, max_depth=LONG + 10)
        self.assertIs(chain[-1], tail)
        self.assertGreaterEqual(len(chain), LONG)
        short = objref.find_backref_chain(tail, objref.is_proper_module, max_depth=20)
        self.assertEqual(short, [tail])

    def test_chain_to_the_innermost_list(self):
        innermost = self.outer
        while innermost:
            innermost = innermost[0]
        chain = objref.find_backref_chain(innermost, objref.is_proper_module,
                                          max_depth=DEEP + 10)
        self.assertIs(chain[-1], innermost)
        self.assertGreaterEqual(len(chain), DEEP)
        down = objref.find_ref_chain(self.outer, lambda o: o is innermost, max_depth=DEEP + 10)
        self.assertEqual(len(down), DEEP)

    def test_chains_report(self):
        result = objref.chains('Ring', samples=3)
        text = objref.format_chains(result)
        self.assertIn('Ring', text)

    def test_cycles(self):
        # Alive cycles are not garbage; a dropped ring of LONG is.
        gc.disable()
        try:
            r = ring(LONG)
            r = None
            found = sum(1 for o, kind in objref.garbage() if type(o) is Ring)
            kinds = objref.cycles()  # its examples keep the ring alive
        finally:
            gc.enable()
        self.assertEqual(found, LONG)
        self.assertTrue(any(k['objects'] >= LONG and 'Ring' in k['shape'] for k in kinds), kinds[:2])
        kinds = None
        gc.collect()

    def test_pictures_of_self_references(self):
        for i, obj in enumerate(self.selfref):
            self.quietly(objref.show_refs, [obj], max_depth=4,
                         filename=os.path.join(self.dir, 'r%d.dot' % i))
            self.quietly(objref.show_backrefs, [obj], max_depth=3,
                         filename=os.path.join(self.dir, 'b%d.dot' % i))
        self.quietly(objref.show_refs, [self.outer], max_depth=50,
                     filename=os.path.join(self.dir, 'deep.dot'))
        self.quietly(objref.show_refs, [self.big], max_depth=2, too_many=5,
                     filename=os.path.join(self.dir, 'big.dot'))
        self.assertGreater(os.path.getsize(os.path.join(self.dir, 'deep.dot')), 0)

    def test_why_alive(self):
        self.quietly(objref.why_alive, self.selfref[2])


if __name__ == '__main__':
    unittest.main()

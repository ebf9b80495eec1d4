"""Pathological heap shapes at full size (tests/python/test_shapes.py runs
them at 1e5): a linked list of 1e6 nodes, a ring of 1e6, lists nested 1e6
deep, a dict of 1e6 keys, each with the capture functions timed once.
Nothing is asserted on time; a crash or a recursion error is the failure.

    PYTHONPATH=build/python python3 bench/shapes_bench.py [--n N]
"""
import argparse
import gc
import sys
import time

import objref


class Node:
    __slots__ = ("next",)


def linked(n):
    head = None
    for _ in range(n):
        node = Node()
        node.next = head
        head = node
    return head


def nested(n):
    outer = inner = []
    for _ in range(n - 1):
        nxt = []
        inner.append(nxt)
        inner = nxt
    return outer, inner


def timed(label, fn):
    t0 = time.perf_counter()
    r = fn()
    print("  %-40s %8.1f ms" % (label, (time.perf_counter() - t0) * 1e3))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000000)
    n = ap.parse_args().n
    print("Python %d.%d.%d, n = %s" % (sys.version_info[:3] + (format(n, ","),)))
    head = timed("build linked list", lambda: linked(n))
    outer, inner = timed("build nesting", lambda: nested(n))
    big = timed("build dict", lambda: {("k", i): i for i in range(n)})
    gc.collect()
    timed("count('Node')", lambda: objref.count("Node"))
    timed("typestats()", objref.typestats)
    timed("checkpoint()", objref.checkpoint)
    timed("snapshot()", objref.snapshot)
    timed("find_backref_chain(innermost, depth n)",
          lambda: objref.find_backref_chain(inner, objref.is_proper_module, max_depth=n + 10))
    timed("chains('Node', samples=5)", lambda: objref.chains("Node", samples=5))
    gc.disable()
    ring_head = linked(n)
    last = ring_head
    while last.next is not None:
        last = last.next
    last.next = ring_head
    ring_head = last = None
    timed("cycles() with a ring of n", objref.cycles)
    gc.enable()
    timed("gc.collect()", gc.collect)
    del head, outer, inner, big


if __name__ == "__main__":
    main()

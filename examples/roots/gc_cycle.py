"""Garbage held only by reference cycles, with the collector disabled."""
import gc

import _tick


class Node:
    def __init__(self):
        self.peer = None


def tick(n):
    a, b = Node(), Node()
    a.peer, b.peer = b, a      # a <-> b: unreachable once tick returns


gc.disable()
_tick.run(tick)

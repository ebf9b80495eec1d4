"""Leak held from C: a reference taken with Py_IncRef and never released,
as a C extension with a missing Py_DECREF would."""
import ctypes

import _tick


class Orphan:
    def __init__(self, n):
        self.n = n


def tick(n):
    o = Orphan(n)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(o))   # never decref'ed


_tick.run(tick)

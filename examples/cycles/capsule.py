"""A cycle through a pointer the collector cannot see: a PyCapsule (made
with ctypes) whose pointer holds a reference to the Node that holds the
capsule.  The Node's refcount shows one reference no traversal explains, so
the collector treats it as held from outside, forever."""
import ctypes
import sys

PyCapsule_New = ctypes.pythonapi.PyCapsule_New
PyCapsule_New.restype = ctypes.py_object
PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
Py_IncRef = ctypes.pythonapi.Py_IncRef
Py_IncRef.argtypes = [ctypes.py_object]


class Node:
    pass


def leak(n=3):
    for _ in range(n):
        node = Node()
        Py_IncRef(node)                       # the capsule's reference
        node.handle = PyCapsule_New(id(node), b"example.node", None)


if __name__ == "__main__":
    leak(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

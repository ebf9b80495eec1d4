"""A cycle through a ctypes object holding a reference by address: the
Node keeps a c_void_p with its own address and, to be safe, took a
reference for it (Py_IncRef).  No traversal shows that reference: the
collector treats the Node as held from outside, forever."""
import ctypes
import sys

Py_IncRef = ctypes.pythonapi.Py_IncRef
Py_IncRef.argtypes = [ctypes.py_object]


class Node:
    pass


def leak(n=3):
    for _ in range(n):
        node = Node()
        Py_IncRef(node)                   # the reference the pointer stands for
        node.self_ptr = ctypes.c_void_p(id(node))


if __name__ == "__main__":
    leak(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

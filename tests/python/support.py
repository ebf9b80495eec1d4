"""Shared helpers of the Python-level tests."""
import importlib.util
import os
import unittest

import objref  # noqa: F401  (the module under test; PYTHONPATH points at the build)

OBJGRAPH_FILES = ("/usr/lib/python3/dist-packages/objgraph.py",)


def load_objgraph():
    """Debian's python3-objgraph, importable from any interpreter version.

    objgraph is one pure-Python file; other interpreters than Debian's own
    python3 do not have dist-packages on their path, so load the file itself.
    """
    try:
        import objgraph
        return objgraph
    except ImportError:
        pass
    for path in OBJGRAPH_FILES:
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location("objgraph", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    raise unittest.SkipTest("python3-objgraph is not installed (apt-get install python3-objgraph)")


class Tripwire:
    """An object whose Python-level hooks count their calls: capture must
    never run any of them."""
    calls = []

    def __repr__(self):
        Tripwire.calls.append("__repr__")
        return "Tripwire()"

    def __eq__(self, other):
        Tripwire.calls.append("__eq__")
        return False

    def __hash__(self):
        Tripwire.calls.append("__hash__")
        return 1

    def __getattr__(self, name):
        Tripwire.calls.append("__getattr__ " + name)
        raise AttributeError(name)

    def __sizeof__(self):
        Tripwire.calls.append("__sizeof__")
        return 1

    def __len__(self):
        Tripwire.calls.append("__len__")
        return 0

    @property
    def prop(self):
        Tripwire.calls.append("prop")
        return 1

"""A cycle through an object with a legacy tp_del finalizer: the collector
never frees it (it would move it to gc.garbage).  _testcapi.with_tp_del
makes such a class where the interpreter has it (CPython's test module)."""
import sys

try:
    import _testcapi
    with_tp_del = getattr(_testcapi, "with_tp_del", None)
except ImportError:
    with_tp_del = None


def make_class():
    if with_tp_del is None:
        return None

    class Legacy:
        def __tp_del__(self):
            pass
    return with_tp_del(Legacy)


Legacy = make_class()


class Holder:
    pass


def leak(n=3):
    for _ in range(n):
        a = Legacy()
        h = Holder()
        a.holder = h
        h.legacy = a


if __name__ == "__main__":
    if Legacy is None:
        sys.exit("this interpreter has no _testcapi.with_tp_del")
    leak()

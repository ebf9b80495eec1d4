"""Garbage frozen by gc.freeze(): a cycle dropped after a freeze (the
pre-fork pattern) stays until gc.unfreeze(), whatever collections run."""
import gc


class Session:
    pass


class Cache:
    pass


def leak(n=3):
    keep = []
    for _ in range(n):
        s = Session()
        c = Cache()
        s.cache = c
        c.session = s
        keep.append(s)
    gc.freeze()
    del keep[:]


if __name__ == "__main__":
    leak()

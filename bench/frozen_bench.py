"""Capture of a heap with nothing frozen, then of the same heap after
gc.freeze() (the pre-fork pattern): the census (tracked only, and with the
untracked objects), the forked census and the snapshot.  With nothing
frozen, listing the permanent generation costs two reads; after a freeze
it is a walk of its list (capture/capture_frozen.c).

    PYTHONPATH=build/python python3 bench/frozen_bench.py [--objects N] [--repeat R]

Prints one line per measurement (best of --repeat runs) and the object
counts, which must be the same frozen and unfrozen.
"""
import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heap  # noqa: E402
import objref  # noqa: E402


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        del out
    return min(times)


def measure(repeat):
    rows = [
        ("census (tracked)", lambda: objref.typestats()),
        ("census (untracked=True)", lambda: objref.typestats(untracked=True)),
        ("forked census (untracked)", lambda: objref._census_rows(True, True)),
        ("snapshot", lambda: objref.snapshot()),
    ]
    return [(name, best(fn, repeat)) for name, fn in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=100000, help="tracked objects of the heap")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    keep = heap.build(args.objects)
    gc.collect()
    gc.disable()
    print("Python %d.%d.%d, heap of %s tracked objects (gc.get_objects(): %s)"
          % (sys.version_info[:3] + (format(args.objects, ","), format(len(gc.get_objects()), ","))))
    counts = {"unfrozen": sum(objref.typestats(untracked=True).values())}
    unfrozen = measure(args.repeat)
    gc.freeze()
    counts["frozen"] = sum(objref.typestats(untracked=True).values())
    frozen = measure(args.repeat)
    print("gc.freeze(): %s objects frozen, gc.get_objects() lists %s"
          % (format(gc.get_freeze_count(), ","), format(len(gc.get_objects()), ",")))
    gc.unfreeze()
    print("%-28s %12s %12s" % ("", "not frozen", "frozen"))
    for (name, a), (_, b) in zip(unfrozen, frozen):
        print("%-28s %9.1f ms %9.1f ms" % (name, a * 1e3, b * 1e3))
    print("%-28s %12s %12s" % ("objects counted (untracked)", format(counts["unfrozen"], ","),
                               format(counts["frozen"], ",")))
    del keep


if __name__ == "__main__":
    main()

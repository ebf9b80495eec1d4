"""Garbage cycles on a heap of about a million objects: garbage identified
on a built snapshot (the collector's rule, no collection), components,
the whole cycles analysis, against gc.collect() (which frees the evidence);
then one cycle of a million objects.

    PYTHONPATH=build/python python3 bench/cycles_bench.py [--objects N] [--garbage G]

Prints one line per measurement (best of --repeat runs).
"""
import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heap  # noqa: E402
import objref  # noqa: E402


class Ring:
    __slots__ = ("next",)


def make_ring(n):
    """One cycle of n objects, unreachable at return."""
    first = prev = Ring()
    for _ in range(n - 1):
        r = Ring()
        prev.next = r
        prev = r
    prev.next = first
    return n


def best(fn, repeat):
    runs = [fn() for _ in range(repeat)]
    return {k: min(r[k] for r in runs) if isinstance(runs[0][k], float) else runs[0][k]
            for k in runs[0]}


def show(title, t):
    print("%s: %s objects in the snapshot (%s garbage, %s shapes)"
          % (title, format(t["objects"], ","), format(t["garbage_objects"], ","), t["shapes"]))
    print("  capture %.0f ms" % (t["capture"] * 1e3))
    print("  garbage identification  %7.1f ms" % (t["garbage"] * 1e3))
    print("  components of garbage   %7.1f ms (%s)" % (t["scc_garbage"] * 1e3,
                                                      format(t["components_garbage"], ",")))
    print("  components of all       %7.1f ms (%s)" % (t["scc_all"] * 1e3, format(t["components_all"], ",")))
    print("  whole cycles analysis   %7.1f ms" % (t["cycles_find"] * 1e3))


def heap_part(args, untracked):
    keep = heap.build(args.objects)
    heap.make_garbage(args.garbage)
    show("heap", best(lambda: objref._cycles_timing(untracked), args.repeat))
    t0 = time.perf_counter()
    freed = gc.collect()
    print("  gc.collect()            %7.1f ms (freed %s objects: the evidence is gone)"
          % ((time.perf_counter() - t0) * 1e3, format(freed, ",")))
    return len(keep)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=1000000, help="tracked objects of the heap")
    ap.add_argument("--garbage", type=int, default=100000, help="objects in garbage cycles")
    ap.add_argument("--ring", type=int, default=1000000, help="objects of the single cycle")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tracked-only", action="store_true", help="snapshot without untracked objects")
    args = ap.parse_args()

    untracked = not args.tracked_only
    print("Python %d.%d.%d, %s" % (sys.version_info[:3] + ("tracked only" if args.tracked_only
                                                          else "with untracked objects",)))
    gc.collect()
    gc.disable()
    heap_part(args, untracked)
    gc.collect()
    make_ring(args.ring)
    show("one cycle of %s" % format(args.ring, ","), best(lambda: objref._cycles_timing(untracked),
                                                            args.repeat))
    gc.enable()
    gc.collect()


if __name__ == "__main__":
    main()

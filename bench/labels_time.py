"""The time of a full snapshot with labels, on one benchmark heap: the
best of --repeat runs of objref.snapshot().  Run it once per build to
compare two builds of the same Python on the same seeded heap (one
process each: both import as `objref`).

    PYTHONPATH=build/python python3 bench/labels_time.py [--size 1e6] [--heap service] [--repeat 5]
"""
import argparse
import gc
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import heaps  # noqa: E402
import objref  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="1e6")
    ap.add_argument("--heap", choices=heaps.NAMES, default="service")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    planted = heaps.build(args.heap, int(float(args.size)))
    planted.plant()
    gc.collect()
    gc.disable()
    best = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        snap = objref.snapshot()
        dt = time.perf_counter() - t0
        n = snap.stats()["objects"] if hasattr(snap, "stats") else 0
        del snap
        best = dt if best is None else min(best, dt)
    print("Python %s %s heap, %s tracked: snapshot best of %d: %.3f s (%s objects)" %
          (sys.version.split()[0], args.heap, args.size, args.repeat, best, n))


if __name__ == "__main__":
    main()

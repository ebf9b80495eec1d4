"""The time of a full snapshot with labels, on one benchmark heap: the
best of --repeat runs of objref.snapshot(), and alternating with it the
walk of an in-process dump (the same walk without attribute lookups: the
names of inline attributes left out, 3.11+), same process, same heap.
Run it with two builds to compare them too (one process each: both
import as `objref`).

    PYTHONPATH=build/python python3 bench/labels_time.py [--size 1e6] [--heap service] [--repeat 5]
"""
import argparse
import gc
import os
import sys
import tempfile
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
    best = walk = None
    path = os.path.join(tempfile.mkdtemp(prefix="objref-labels-time-"), "heap.dump")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        snap = objref.snapshot()
        dt = time.perf_counter() - t0
        n = snap.stats()["objects"]
        del snap
        best = dt if best is None else min(best, dt)
        w = objref.dump(path)["walk_s"]
        os.unlink(path)
        walk = w if walk is None else min(walk, w)
    os.rmdir(os.path.dirname(path))
    print("Python %s %s heap, %s tracked, %d objects, best of %d: snapshot() %.3f s, "
          "dump walk without lookups %.3f s, ratio %.3f" %
          (sys.version.split()[0], args.heap, args.size, n, args.repeat, best, walk, best / walk))


if __name__ == "__main__":
    main()

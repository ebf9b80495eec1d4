"""The dominator tree (retained sizes) against heap size, on both heaps:
the tree on a built full snapshot, the per-type sums, and the capture for
scale; best of --repeat runs per size.

    PYTHONPATH=build/python python3 bench/dominators_bench.py --sizes 1e5,1e6 [--heap service]
"""
import argparse
import gc
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import heaps  # noqa: E402
import objref  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e5,1e6")
    ap.add_argument("--heap", choices=heaps.NAMES, default="service")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print("%-8s %-10s %10s %10s %11s %10s %10s %9s" % ("heap", "tracked", "objects", "edges", "capture s",
                                                       "tree ms", "types ms", "ms/M trk"))
    for n in [int(float(s)) for s in args.sizes.split(",")]:
        planted = heaps.build(args.heap, n)
        gc.collect()
        gc.disable()
        planted.plant()
        tracked = len(gc.get_objects())
        best = None
        for _ in range(args.repeat):
            t = objref._dominators_timing()
            if best is None or t["dominators"] < best["dominators"]:
                best = t
        print("%-8s %-10d %10d %10d %11.2f %10.1f %10.1f %9.1f" % (
            args.heap, tracked, best["objects"], best["edges"], best["capture"], best["dominators"] * 1e3,
            best["by_type"] * 1e3, best["dominators"] * 1e3 / tracked * 1e6), flush=True)
        del planted
        gc.enable()
        gc.collect()


if __name__ == "__main__":
    main()

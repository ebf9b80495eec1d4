"""Census and snapshot against the floor (a bare C walk) and objgraph, on
one heap, in one run.  Medians of --repeat runs.

    python3 bench/census_bench.py --objects 1000000
"""
import argparse
import gc
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import heap  # noqa: E402
import objref  # noqa: E402
import objref_floor  # noqa: E402
from tests.python.support import load_objgraph  # noqa: E402


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    objgraph = load_objgraph()
    keep = heap.build(args.objects)
    gc.collect()
    gc.disable()  # no collection in the middle of a timing
    tracked = objref_floor.walk()[0]
    rows = []
    floor = median_time(objref_floor.walk, args.repeat)
    rows.append(("floor: bare C walk", floor, None))
    t = median_time(objref.typestats, args.repeat)
    rows.append(("objref.typestats()", t, floor))
    t = median_time(objgraph.typestats, args.repeat)
    rows.append(("objgraph.typestats()", t, floor))
    t = median_time(lambda: objref.typestats(untracked=True), args.repeat)
    rows.append(("objref.typestats(untracked=True)", t, floor))
    snaps = []
    t = median_time(lambda: snaps.append(objref.snapshot()) or snaps.pop(), args.repeat)
    rows.append(("objref.snapshot()", t, floor))
    snap = objref.snapshot()
    st = snap.stats()
    print("Python %s, %d tracked objects (heap.build(%d))" % (sys.version.split()[0], tracked, args.objects))
    print("%-36s %10s %8s" % ("what", "median s", "x floor"))
    for name, secs, base in rows:
        print("%-36s %10.4f %8s" % (name, secs, "%.2f" % (secs / base) if base else "-"))
    print("snapshot: %d objects (%d tracked), %d edges, %d strings" %
          (st["objects"], st["tracked"], st["edges"], st["strings"]))
    print("snapshot memory: %.1f bytes/object, %.1f bytes/edge, strings %.1f MB" %
          (st["bytes_objects"] / st["objects"], st["bytes_edges"] / max(st["edges"], 1),
           st["bytes_strings"] / 1e6))
    print("snapshot per million tracked: %.3f s" % (rows[4][1] / tracked * 1e6))
    print("peak RSS: %.0f MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    del keep


if __name__ == "__main__":
    main()

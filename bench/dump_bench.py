"""Heap dumps, measured in one run on one heap (bench/heap.py):

  - the pause of objref.dump(path, fork=True) (the time until it returns)
    against a blocking objref.snapshot() of the same heap;
  - the forked child's walk and write times;
  - the copy-on-write cost: the child's private dirty memory at its peak
    (pages it copied or allocated: system memory added while it runs), and
    the parent's RSS change while the child runs;
  - dump size per object and per edge, plain and gzip-compressed;
  - load time (mapped, with and without checksums) against the capture;
  - a dump in process (fork=False) for comparison;
  - the Chrome .heapsnapshot export of the dump: time and size.

    PYTHONPATH=build/python python3 bench/dump_bench.py [--tracked 1000000] [--repeat 3]

Prints one table; --json FILE also writes the numbers.
"""
import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heap  # noqa: E402
import objref  # noqa: E402


def kb_field(path, field):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb(pid="self"):
    kb = kb_field("/proc/%s/status" % pid, "VmRSS")
    return kb / 1024.0 if kb is not None else None


def private_dirty_mb(pid):
    """Private_Dirty of a process: the pages it owns alone (copied on
    write, or allocated)."""
    kb = kb_field("/proc/%d/smaps_rollup" % pid, "Private_Dirty")
    return kb / 1024.0 if kb is not None else None


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return time.perf_counter() - t0, r


def forked_dump(path, compress=False, sample=False):
    """Dump with fork=True.  sample: read the child's memory every 0.2 s
    while it runs (reading smaps_rollup walks the child's page tables and
    slows it: the timed runs do not sample)."""
    rss0 = rss_mb()
    pause, job = timed(lambda: objref.dump(path, fork=True, compress=compress))
    child_peak, parent_peak = 0.0, rss0
    while sample and not job.done():
        pd = private_dirty_mb(job.pid)
        if pd is not None:
            child_peak = max(child_peak, pd)
        parent_peak = max(parent_peak, rss_mb())
        time.sleep(0.2)
    st = job.wait()
    return pause, st, child_peak, parent_peak - rss0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracked", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()

    gc.disable()
    root = heap.build(args.tracked)
    gc.collect()
    tracked = len(gc.get_objects())
    d = tempfile.mkdtemp(prefix="objref-dump-bench-")
    path = os.path.join(d, "heap.objref")
    rows = {"python": sys.version.split()[0], "tracked": tracked}

    snaps = []
    for _ in range(args.repeat):
        t, s = timed(objref.snapshot)
        snaps.append(t)
        stats = s.stats()
        del s
    rows["snapshot_s"] = statistics.median(snaps)
    rows["objects"] = stats["objects"]
    rows["edges"] = stats["edges"]

    pauses, walks, writes, child_mb, parent_mb = [], [], [], [], []
    for _ in range(args.repeat):
        pause, st, _, _ = forked_dump(path)
        pauses.append(pause)
        walks.append(st["walk_s"])
        writes.append(st["write_s"])
    _, _, cpeak, pdelta = forked_dump(path, sample=True)
    child_mb.append(cpeak)
    parent_mb.append(pdelta)
    rows["fork_pause_s"] = statistics.median(pauses)
    rows["fork_pause_max_s"] = max(pauses)
    rows["pause_ratio"] = rows["fork_pause_s"] / rows["snapshot_s"]
    rows["child_walk_s"] = statistics.median(walks)
    rows["child_write_s"] = statistics.median(writes)
    rows["child_private_dirty_mb"] = max(child_mb)
    rows["parent_rss_delta_mb"] = max(parent_mb)
    rows["parent_rss_mb"] = rss_mb()
    size = os.path.getsize(path)
    rows["file_mb"] = size / 1e6
    rows["bytes_per_object"] = size / rows["objects"]
    rows["bytes_per_edge_part"] = 8.0  # an edge is a uint32 target + a uint32 label
    rows["bytes_per_object_part"] = (size - 8.0 * rows["edges"]) / rows["objects"]

    loads, loads_nocrc = [], []
    for _ in range(args.repeat):
        t, s = timed(lambda: objref.load(path))
        loads.append(t)
        del s
        t, s = timed(lambda: objref.load(path, verify=False))
        loads_nocrc.append(t)
        del s
    rows["load_s"] = statistics.median(loads)
    rows["load_nocrc_s"] = statistics.median(loads_nocrc)
    rows["load_ratio"] = rows["load_s"] / rows["snapshot_s"]
    rows["load_nocrc_ratio"] = rows["load_nocrc_s"] / rows["snapshot_s"]

    t, st = timed(lambda: objref.dump(path))
    rows["inprocess_dump_s"] = t

    hs = os.path.join(d, "heap.heapsnapshot")
    t, _ = timed(lambda: objref.write_heapsnapshot(path, hs))
    rows["heapsnapshot_s"] = t
    rows["heapsnapshot_mb"] = os.path.getsize(hs) / 1e6

    pause, st, _, _ = forked_dump(path + ".gz", compress=True)
    rows["gz_file_mb"] = os.path.getsize(path + ".gz") / 1e6
    rows["gz_write_s"] = st["write_s"]
    t, s = timed(lambda: objref.load(path + ".gz"))
    rows["gz_load_s"] = t
    del s

    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)
    del root

    print("dump_bench: Python %(python)s, %(tracked)d tracked objects; snapshot: %(objects)d objects, "
          "%(edges)d edges" % rows)
    print("  blocking objref.snapshot()          %8.3f s" % rows["snapshot_s"])
    print("  dump(fork=True) returns after       %8.4f s  (%.2f %% of the snapshot; max %.4f s)"
          % (rows["fork_pause_s"], 100 * rows["pause_ratio"], rows["fork_pause_max_s"]))
    print("  child: walk %.3f s, write %.3f s; private dirty peak %.0f MB"
          % (rows["child_walk_s"], rows["child_write_s"], rows["child_private_dirty_mb"]))
    print("  parent RSS %.0f MB, +%.1f MB while the child ran"
          % (rows["parent_rss_mb"], rows["parent_rss_delta_mb"]))
    print("  file %.1f MB: %.1f B/object overall = %.1f B/object + 8 B/edge; gzip %.1f MB (write %.2f s)"
          % (rows["file_mb"], rows["bytes_per_object"], rows["bytes_per_object_part"],
             rows["gz_file_mb"], rows["gz_write_s"]))
    print("  load (mmap, checksums) %.3f s = %.1f %% of the snapshot; without checksums %.3f s = %.1f %%;"
          " gzip %.3f s" % (rows["load_s"], 100 * rows["load_ratio"], rows["load_nocrc_s"],
                           100 * rows["load_nocrc_ratio"], rows["gz_load_s"]))
    print("  dump(fork=False) in process          %8.3f s" % rows["inprocess_dump_s"])
    print("  .heapsnapshot from the dump: %.2f s, %.0f MB" % (rows["heapsnapshot_s"], rows["heapsnapshot_mb"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()

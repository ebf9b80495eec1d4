"""One heap size, every row of the table, in one process: build the heap,
plant the leaks, time each operation on each side, write JSON.

    PYTHONPATH=build/python:build/bench python3 bench/run_size.py \
        --objects 1000000 --repeat 5 --json out.json [--heap service]

Two heaps (--heap): "objref", bench/heap.py; "service", the richer heap of
../shared/bench/heapgen.py (imported as it is; OBJREF_HEAPGEN names another
copy), whose leaks are fetched inside each timed call (a leaf kept in a
variable of this process would be a root of its own).

The driver (bench/bench.py) runs this once per size, so that each size
starts from a fresh process and its peak RSS means something.
"""
import argparse
import contextlib
import gc
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import heap  # noqa: E402
import heaps  # noqa: E402
import measure  # noqa: E402
import objref  # noqa: E402
import objref_floor  # noqa: E402
from rows import CYCLES, GARBAGE_LIVE, GARBAGE_TIMING, ROWS  # noqa: E402
from tests.python.support import load_objgraph  # noqa: E402

NOT_BUILT = {"na": "not built yet"}


class Runner:
    def __init__(self, args, objgraph, tracked, workdir):
        self.args = args
        self.objgraph = objgraph
        self.tracked = tracked
        self.workdir = workdir
        self.rows = {key: {} for key, *_ in ROWS}

    def cell(self, key, side, fn, setup=None, check=None, inner=None, walk=None):
        """Measure one cell; record an error instead of raising."""
        try:
            r = measure.run_cell(fn, self.args.repeat, self.args.budget, setup, inner, walk)
            res = r.pop("result")
            if check is not None:
                r["check"] = check(res)
        except Exception as e:  # the table shows it; the test fails on it
            r = {"error": "%s: %s" % (type(e).__name__, e)}
        self.rows[key][side] = r
        return r

    def put(self, key, side, value):
        self.rows[key][side] = value


def chain_check(expected):
    def check(chain):
        return "ok" if len(chain) == expected else "chain of %d, expected %d" % (len(chain), expected)
    return check


def census_rows(run, og):
    run.cell("census", "floor", objref_floor.walk)
    run.cell("census", "objref", objref.typestats)
    run.cell("census", "peer", og.typestats)
    run.cell("census_untracked", "floor", objref_floor.walk)
    run.cell("census_untracked", "objref", lambda: objref.typestats(untracked=True), walk=gc.get_objects)
    with open(os.devnull, "w") as null:
        objref.show_growth(file=null, collect=False)  # the peaks: later calls compare
        run.cell("show_growth_nocollect", "floor", objref_floor.walk)
        run.cell("show_growth_nocollect", "objref", lambda: objref.show_growth(file=null, collect=False))
    run.cell("by_type", "floor", objref_floor.walk)
    run.cell("by_type", "objref", lambda: objref.by_type("Record"))
    run.cell("by_type", "peer", lambda: og.by_type("Record"))
    run.cell("snapshot", "floor", objref_floor.walk)
    run.cell("snapshot", "objref", objref.snapshot, walk=gc.get_objects)


def one_chain_rows(run, og, planted):
    """find_backref_chain on each side, the leaf fetched inside the timed
    call (planted.leaf(key))."""
    for key in ("chain_d3", "chain_d12", "chain_d12_f8"):
        want = planted.chain_length(key)
        run.cell(key, "objref", lambda: objref.find_backref_chain(planted.leaf(key), objref.is_proper_module,
                                                                  max_depth=want),
                 check=chain_check(want))
        run.cell(key, "peer", lambda: og.find_backref_chain(planted.leaf(key), og.is_proper_module,
                                                            max_depth=want),
                 check=chain_check(want))


def further_chain(repeat):
    """The cost of one more chain from the same snapshot: chains() for all
    30 planted Leaks against chains() for one, interleaved, (fastest of
    30 - fastest of 1) / 29.  The difference of two ~equal times is small
    against their noise: the fastest runs and 29 chains keep it readable."""
    one, thirty = [], []
    for _ in range(max(repeat, 5)):
        for n, times in ((1, one), (30, thirty)):
            t = time.perf_counter()
            objref.chains("Leak", samples=n, max_depth=20)
            times.append(time.perf_counter() - t)
    return {"median": max(min(thirty) - min(one), 0.0) / 29, "runs": len(one), "derived": True,
            "one": min(one), "thirty": min(thirty)}


def ten_chain_rows(run, og, planted):
    if not planted.TEN:
        for key in ("chains10", "further_chain"):
            for side in ("objref", "peer"):
                run.put(key, side, {"skipped": planted.TEN_WHY})
        return
    leaves10 = planted.leaves10()

    def samples_check(res):
        n = sum(p["count"] for p in res["patterns"])
        return "ok" if n == 10 else "%d samples in the patterns, expected 10" % n

    ten = run.cell("chains10", "objref", lambda: objref.chains("Leak", samples=10, max_depth=20),
                   check=samples_check)
    further = further_chain(run.args.repeat)
    one_peer = run.rows["chain_d12_f8"].get("peer", {})
    estimate = 10 * one_peer.get("median", 0)
    if estimate > run.args.max_cell:
        run.put("chains10", "peer", {"skipped": "estimated %.0f s for one run (10 × one chain)" % estimate})
    else:
        run.cell("chains10", "peer",
                 lambda: [og.find_backref_chain(x, og.is_proper_module, max_depth=16) for x in leaves10],
                 check=lambda chains: "ok" if all(len(c) == 16 for c in chains) else "short chain")
    if "median" in ten:
        run.put("further_chain", "objref", further)
    peer = run.rows["chains10"]["peer"]
    if "median" in peer:
        run.put("further_chain", "peer", {"median": peer["median"] / 10, "runs": peer["runs"],
                                          "derived": True})
    elif "median" in one_peer:
        run.put("further_chain", "peer", {"median": one_peer["median"], "runs": one_peer["runs"],
                                          "derived": True})


def growth_and_graph_rows(run, og, planted):
    """These collect garbage (show_growth and objgraph's show_backrefs call
    gc.collect): run them after the chains, whose observers are garbage."""
    with open(os.devnull, "w") as null:
        objref.show_growth(file=null)
        og.show_growth(file=null)
        run.cell("show_growth", "objref", lambda: objref.show_growth(file=null))
        run.cell("show_growth", "peer", lambda: og.show_growth(file=null))
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):  # both say where they wrote
        show_backrefs_row(run, og, planted)


def show_backrefs_row(run, og, planted):
    if hasattr(objref, "show_backrefs"):
        png = os.path.join(run.workdir, "backrefs.png")

        def png_check(_):
            with open(png, "rb") as f:
                return "ok" if f.read(8) == b"\x89PNG\r\n\x1a\n" else "not a PNG"
        run.cell("show_backrefs", "objref", lambda: objref.show_backrefs([planted.leaf("chain_d12")], max_depth=14,
                                                                       filename=png),
                 check=png_check)
    else:
        run.put("show_backrefs", "objref", NOT_BUILT)
    dot = os.path.join(run.workdir, "backrefs.dot")
    run.cell("show_backrefs", "peer", lambda: og.show_backrefs([planted.leaf("chain_d12")], max_depth=14, filename=dot))


def garbage_rows(run):
    """objref's garbage finders (each run on fresh garbage: the previous
    run's is collected first, untimed) against gc.collect()."""
    n = max(1000, run.tracked // 100)

    def fresh_garbage():
        gc.collect()
        heap.make_garbage(n)

    def found(count):
        return "ok" if count >= n else "found %d of the %d planted" % (count, n)
    live = getattr(objref, GARBAGE_LIVE, None)
    if live is None:
        run.put("garbage", "objref", NOT_BUILT)
    else:
        run.cell("garbage", "objref", live, setup=fresh_garbage, check=lambda res: found(len(res)))
    timing = getattr(objref, GARBAGE_TIMING, None)
    if timing is None:
        run.put("garbage_snap", "objref", NOT_BUILT)
    else:
        run.cell("garbage_snap", "objref", timing, setup=fresh_garbage, inner=lambda res: res["garbage"],
                 check=lambda res: found(res["garbage_objects"]))
    cycles = getattr(objref, CYCLES, None)
    if cycles is None:
        run.put("cycles", "objref", NOT_BUILT)
    else:
        run.cell("cycles", "objref", cycles, setup=fresh_garbage,
                 check=lambda res: found(sum(shape["objects"] for shape in res)))
    for key in ("garbage", "garbage_snap", "cycles"):
        run.cell(key, "peer", gc.collect, setup=lambda: heap.make_garbage(n),
                 check=lambda freed: found(freed))
    return n


def dominator_rows(run):
    """The dominator tree on a built full snapshot (the step alone, as
    objref._dominators_timing() times it inside one capture)."""
    run.cell("dominators", "objref", objref._dominators_timing, inner=lambda res: res["dominators"],
             check=lambda res: "ok" if res["reachable"] > run.tracked // 2 else
             "only %d reachable objects" % res["reachable"])


def snapshot_stats():
    snap = objref.snapshot()
    st = snap.stats()
    del snap
    return st


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=5, help="runs per cell (the median is reported)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="stop repeating a cell once its runs took this many seconds")
    ap.add_argument("--max-cell", type=float, default=300.0,
                    help="skip a cell whose single run is estimated longer than this")
    ap.add_argument("--json", required=True)
    ap.add_argument("--heap", choices=heaps.NAMES, default="objref")
    args = ap.parse_args()

    og = load_objgraph()
    planted = heaps.build(args.heap, args.objects)
    gc.collect()
    gc.disable()  # no collection in the middle of a timing
    planted.plant()
    tracked = objref_floor.walk()[0]
    heap_rss = measure.rss_mb()
    walk = measure.run_cell(gc.get_objects, args.repeat, args.budget)
    walk.pop("result")
    with tempfile.TemporaryDirectory(prefix="objref-bench-") as workdir:
        run = Runner(args, og, tracked, workdir)
        census_rows(run, og)
        one_chain_rows(run, og, planted)
        ten_chain_rows(run, og, planted)
        stats = snapshot_stats()
        growth_and_graph_rows(run, og, planted)
        garbage = garbage_rows(run)
        dominator_rows(run)
    out = {"heap": args.heap, "heap_text": planted.TEXT, "get_objects": walk,
           "objects_requested": args.objects, "tracked": tracked, "repeat": args.repeat,
           "budget": args.budget, "python": sys.version.split()[0],
           "objgraph": getattr(og, "__version__", "?"), "heap_rss_mb": heap_rss,
           "garbage_objects": garbage, "snapshot": stats, "rows": run.rows}
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)
    del planted


if __name__ == "__main__":
    main()

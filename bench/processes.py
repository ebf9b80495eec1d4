"""One result per heap size from the several processes that measured it
(bench.py --processes N).

A process has a speed of its own on a virtual machine: on the 2-CPU VM of
docs/benchmarks*.md, fresh processes running the same script on the same
heap fell into two groups, a D=12 chain at 1e6 taking 0.10 s in some and
0.18 s in others (the sequential gc.get_objects() 1.1× slower, objgraph's
chain 1.26×), for minutes at a time, whatever the CPU, the address layout
or objref's kept arrays.  Cells that chase pointers through memory move
the most, so one process per size can put a slow 1e6 beside a fast 1e7 or
the reverse.  pyperf's remedy is to measure in several processes; here
each cell keeps the process with the lowest median, for each side on its
own (objref, its peer and the floor alike), and records every process's
median in "process_medians" for the report's spread table.
"""
import copy

INF = float("inf")


def _median(cell):
    return cell.get("median") if isinstance(cell, dict) else None


def merge(results):
    """results: run_size.py's JSON for one heap and size, one per process.
    Returns one result in the same shape: each cell the fastest process's
    (an error in any process wins: the table must show it), plus
    "processes" and per cell "process" (its index) and "process_medians".
    The heap walk is the fastest process's too: the faster unit is the
    stricter one for the rows counted in walks."""
    if len(results) == 1:
        return results[0]
    out = copy.deepcopy(results[0])
    out["processes"] = len(results)
    walks = [_median(r.get("get_objects", {})) for r in results]
    best = min(range(len(results)), key=lambda i: walks[i] if walks[i] else INF)
    out["get_objects"] = dict(results[best].get("get_objects", {}), process=best, process_medians=walks)
    for key, cells in out["rows"].items():
        for side in list(cells):
            cands = [r["rows"].get(key, {}).get(side, {}) for r in results]
            errors = [c for c in cands if "error" in c]
            if errors:
                cells[side] = copy.deepcopy(errors[0])
                continue
            timed = [i for i, c in enumerate(cands) if _median(c) is not None]
            if not timed:
                continue  # skipped or not built in every process: the first says why
            i = min(timed, key=lambda k: cands[k]["median"])
            cells[side] = dict(copy.deepcopy(cands[i]), process=i,
                               process_medians=[_median(c) for c in cands])
    return out

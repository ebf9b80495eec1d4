"""docs/benchmarks.md from the results of bench/bench.py: the targets met
or missed, one table per heap size, the snapshot's memory, the machine."""
import statistics

from rows import ROWS, TARGETS

SIDES = ("floor", "objref", "peer")


def fmt_time(s):
    if s >= 1.0:
        return "%.2f s" % s
    if s >= 1e-3:
        return "%.1f ms" % (s * 1e3)
    return "%.3f ms" % (s * 1e3)


def fmt_cell(c):
    if not c:
        return "–"
    if "na" in c:
        return "n/a (%s)" % c["na"]
    if "skipped" in c:
        return "skipped: %s" % c["skipped"]
    if "error" in c:
        return "error: %s" % c["error"]
    if c.get("derived") and c["median"] == 0:
        return "≈ 0 (below noise)"
    text = fmt_time(c["median"])
    if c.get("check", "ok") != "ok":
        text += " (wrong: %s)" % c["check"]
    return text


def ratio(a, b):
    """a / b as text, or – when either side has no time."""
    if a and b and "median" in a and "median" in b and b["median"] > 0:
        return "%.2f×" % (a["median"] / b["median"])
    return "–"


def unit_walk(cell, size):
    """The heap walk a cell is counted in: gc.get_objects()'s median at the
    start of the size's run, or during the cell's own runs (walk_times),
    whichever is faster: the process's state moves a walk by a quarter
    either way, and a slower walk would flatter the ratio."""
    walks = [w for w in (size.get("get_objects", {}).get("median"),
                         statistics.median(cell["walk_times"]) if cell.get("walk_times") else None) if w]
    return min(walks) if walks else None


def target_value(tkey, cells, size):
    """objref's number in the target's unit, or None."""
    _, kind, _ = TARGETS[tkey]
    ours = cells.get("objref", {})
    if "median" not in ours:
        return None
    t = ours["median"]
    if kind == "x_floor":
        floor = cells.get("floor", {})
        return t / floor["median"] if floor.get("median") else None
    if kind == "x_walks":
        unit = unit_walk(ours, size)
        return t / unit if unit else None
    if kind == "x_peer":
        peer = cells.get("peer", {})
        return peer["median"] / t if peer.get("median") and t > 0 else None
    if kind == "s_per_million":
        return t / size["tracked"] * 1e6
    if kind == "ms":
        return t * 1e3
    if kind == "ms_per_million":
        return t * 1e3 / size["tracked"] * 1e6
    return None


UNITS = {"x_floor": "× floor", "x_walks": "walks", "x_peer": "× faster", "s_per_million": "s/M", "ms": "ms",
         "ms_per_million": "ms/M", "bytes": "B"}
AT_LEAST = ("x_peer",)  # kinds whose value must reach the limit; the others must stay below it


def met(tkey, value):
    _, kind, limit = TARGETS[tkey]
    return value >= limit if kind in AT_LEAST else value <= limit


def shortfall(tkey, value):
    """How far a missed value is from its limit, as a factor ≥ 1."""
    _, kind, limit = TARGETS[tkey]
    if kind in AT_LEAST:
        return limit / value if value > 0 else float("inf")
    return value / limit


def verdict(tkey, value):
    _, kind, limit = TARGETS[tkey]
    if value is None:
        return "–"
    num = "%.3g %s" % (value, UNITS[kind])
    if met(tkey, value):
        return "met (below noise)" if value == 0 else "met (%s)" % num
    return "**missed** by %.2f× (%s, target %g)" % (shortfall(tkey, value), num, limit)


def memory_values(size):
    st = size["snapshot"]
    return {"bytes_object": st["bytes_objects"] / st["objects"],
            "bytes_edge": st["bytes_edges"] / max(st["edges"], 1)}


def size_table(size):
    out = ["| operation | vs | floor | objref | peer | objref ÷ floor | peer ÷ objref | target (objref) "
           "| peak RSS MB floor / objref / peer | runs |",
           "|---|---|--:|--:|--:|--:|--:|---|--:|--:|"]
    for key, label, _sides, peer, tkey in ROWS:
        cells = size["rows"].get(key, {})
        rss = " / ".join("%.0f" % cells[s]["peak_rss_mb"] if "peak_rss_mb" in cells.get(s, {}) else "–"
                         for s in SIDES)
        runs = " / ".join(str(cells[s]["runs"]) if "runs" in cells.get(s, {}) else "–" for s in SIDES)
        target = verdict(tkey, target_value(tkey, cells, size)) if tkey else "–"
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, peer or "–", fmt_cell(cells.get("floor")), fmt_cell(cells.get("objref")),
            fmt_cell(cells.get("peer")), ratio(cells.get("objref"), cells.get("floor")),
            ratio(cells.get("peer"), cells.get("objref")), target, rss, runs))
    return out


def memory_table(sizes):
    out = ["| heap | snapshot objects (tracked) | edges | bytes/object | bytes/edge | strings MB "
           "| heap RSS MB |", "|--:|--:|--:|--:|--:|--:|--:|"]
    for size in sizes:
        st, mv = size["snapshot"], memory_values(size)
        out.append("| %s | %s (%s) | %s | %s | %s | %.1f | %.0f |" % (
            heap_short(size), format(st["objects"], ","), format(st["tracked"], ","), format(st["edges"], ","),
            verdict("bytes_object", mv["bytes_object"]), verdict("bytes_edge", mv["bytes_edge"]),
            st["bytes_strings"] / 1e6, size["heap_rss_mb"]))
    return out


def size_short(size):
    return ("%.0e" % size["objects_requested"]).replace("e+0", "e").replace("e+", "e")


def heap_short(size):
    return "%s %s" % (size.get("heap", "objref"), size_short(size))


def heap_name(size):
    walk = size.get("get_objects", {}).get("median")
    return "%s heap, %s, %s tracked objects%s" % (
        size.get("heap", "objref"), size_short(size), format(size["tracked"], ","),
        " (gc.get_objects(): %s)" % fmt_time(walk) if walk else "")


def why(tkey, size):
    """A data-driven sentence on why objref misses a target at this size."""
    rows = size["rows"]
    snap = rows.get("snapshot", {}).get("objref", {}).get("median")
    st = size["snapshot"]
    if tkey == "chain":
        one = rows.get("chain_d12_f8", {}).get("objref", {}).get("median")
        ten = rows.get("chains10", {}).get("objref", {}).get("median")
        floor = rows.get("census", {}).get("floor", {}).get("median")
        if one and ten and floor:
            return ("one chain is a search forward from the modules over what they reach within the "
                    "chain's depth, no snapshot (%.0f × the floor's bare walk); 10 chains, %s against %s "
                    "for one, take a snapshot of the tracked objects" % (one / floor, fmt_time(ten),
                                                                          fmt_time(one)))
    if tkey in ("chain_x", "chain_x8"):
        one = rows.get("chain_d12" if tkey == "chain_x" else "chain_d12_f8", {}).get("objref", {}).get("median")
        walk = size.get("get_objects", {}).get("median")
        if one and walk:
            return ("one chain is a search forward from the modules that traverses every object they "
                    "reach within the chain's depth: %.1f heap walks here" % (one / walk))
    if tkey == "census_untracked":
        walk = size.get("get_objects", {}).get("median")
        if walk:
            return ("the census with untracked objects follows every reference of every tracked object "
                    "(tp_traverse) and dedups the untracked ones it reaches through an address set: "
                    "%.1f objects per tracked one on this heap" % (st["objects"] / st["tracked"]))
    if tkey == "snapshot":
        return ("the snapshot holds %.1f objects per tracked object (untracked str/int/float/tuples included) "
                "and labels each of %d edges" % (st["objects"] / st["tracked"], st["edges"]))
    if tkey == "census":
        return ("typestats does more per object than the floor, which reads each object's type and "
                "nothing else: it also sizes every variable-size object (lists, dicts, sets, tuples, "
                "str: a read of its length or table) for the bytes column, and counts through a "
                "type cache")
    if tkey == "garbage":
        t = rows.get("garbage_snap", {}).get("objref", {}).get("median")
        if t:
            return ("the identification visits every object of the snapshot, untracked ones included "
                    "(%s objects, %s edges for %s tracked): %.1f ms per million snapshot objects"
                    % (format(st["objects"], ","), format(st["edges"], ","), format(size["tracked"], ","),
                       t * 1e3 / st["objects"] * 1e6))
    if tkey == "dominators":
        return ("the tree is built over every object of the full snapshot (%s objects, %s edges), "
                "untracked ones included" % (format(st["objects"], ","), format(st["edges"], ",")))
    if tkey == "further":
        return "the derived cost of one more chain from one snapshot"
    return ""


def growth_note(tkey, seen):
    """A sentence when a per-million cost rises with the heap (from 1e6 on)
    by over 15%."""
    if seen:
        seen = [(s, v) for s, v in seen if s.get("heap") == seen[-1][0].get("heap")]
    if TARGETS[tkey][1] != "s_per_million" or len(seen) < 2:
        return ""
    (s0, v0), (s1, v1) = seen[0], seen[-1]
    if v1 < v0 * 1.15:
        return ""
    return (" It also grows faster than the heap: %.3g s per million at %s, %.3g at %s, the mark of "
            "memory-bound random access (the objects' headers, address-to-id lookups) outgrowing the CPU "
            "caches; not profiled here." % (v0, heap_short(s0), v1, heap_short(s1)))


def summary(sizes):
    out = ["| target | " + " | ".join(heap_short(s) for s in sizes) + " |",
           "|---|" + "---|" * len(sizes)]
    misses = []
    for tkey, (text, _kind, limit) in TARGETS.items():
        cols, missed, seen = [], [], []
        for size in sizes:
            if tkey.startswith("bytes_"):
                values = [memory_values(size)[tkey]]
            else:
                values = [target_value(tkey, size["rows"].get(k, {}), size)
                          for k, *_r, t in ROWS if t == tkey]
                values = [v for v in values if v is not None]
            if not values:
                cols.append("n/a (not built yet)" if tkey == "garbage" else "–")
                continue
            worst = min(values) if TARGETS[tkey][1] in AT_LEAST else max(values)
            cols.append(verdict(tkey, worst))
            if size["objects_requested"] >= 1000000:  # below, fixed costs blur a per-million cost
                seen.append((size, worst))
            if not met(tkey, worst):
                missed.append((size, worst))
        out.append("| %s | %s |" % (text, " | ".join(cols)))
        if missed:
            # the why at the largest heap, where fixed costs matter least
            size = missed[-1][0]
            misses.append("- %s: missed at %s. Why (at %s): %s.%s" % (
                text, ", ".join("%s by %.2f×" % (heap_short(s), shortfall(tkey, v)) for s, v in missed),
                heap_short(size), why(tkey, size) or "see the table", growth_note(tkey, seen)))
    return out, misses


# Issue 14's last target: at 1e7 the ratios of its rows (census, census
# with untracked objects, snapshot, the D=12 chains) hold within 25 % of
# 1e6's.
SCALING = [("census", "x_peer"), ("census_untracked", "x_walks"), ("snapshot", "x_walks"),
           ("chain_d12", "x_peer"), ("chain_d12_f8", "x_peer")]
HOLD = 0.75  # the larger heap keeps at least this share of the smaller one's ratio
LABELS = {key: label for key, label, *_ in ROWS}


def row_value(key, kind, size):
    """objref's ratio on a row: × faster than its peer (x_peer) or heap
    walks (x_walks, lower is better); None when not measured."""
    cells = size["rows"].get(key, {})
    ours = cells.get("objref", {})
    if not ours.get("median"):
        return None
    if kind == "x_walks":
        unit = unit_walk(ours, size)
        return ours["median"] / unit if unit else None
    peer = cells.get("peer", {})
    return peer["median"] / ours["median"] if peer.get("median") else None


def kept(kind, base, big):
    """The share of the base size's ratio the bigger size keeps: 1 as good,
    above 1 better (fewer walks, or more × faster)."""
    return big / base if kind == "x_peer" else base / big


def scaling(sizes):
    """Per heap with two sizes from 1e6 up: each ratio row at every size,
    and whether the largest keeps HOLD of the first's."""
    out = []
    for heap in dict.fromkeys(s.get("heap", "objref") for s in sizes):
        mine = [s for s in sizes if s.get("heap", "objref") == heap and s["objects_requested"] >= 1000000]
        if len(mine) < 2:
            continue
        base, big = mine[0], mine[-1]
        out += ["| %s heap | unit | %s | %s ÷ %s | within 25 %% |" % (
                    heap, " | ".join(size_short(s) for s in mine), size_short(big), size_short(base)),
                "|---|---|" + "--:|" * len(mine) + "--:|---|"]
        for key, kind in SCALING:
            values = [row_value(key, kind, s) for s in mine]
            if values[0] is None or values[-1] is None:
                continue
            k = kept(kind, values[0], values[-1])
            out.append("| %s | %s | %s | %.2f | %s |" % (
                LABELS[key], UNITS[kind], " | ".join("%.3g" % v if v is not None else "–" for v in values),
                values[-1] / values[0], "held (keeps %.0f %%)" % (k * 100) if k >= HOLD
                else "**not held** (keeps %.0f %%)" % (k * 100)))
        out.append("")
    return out


def spread(sizes):
    """The medians of every process of the sizes measured in several, for
    the heap walk and the ratio rows."""
    out = []
    for size in sizes:
        if size.get("processes", 1) < 2:
            continue
        if not out:
            out = ["| heap | row | side | median in each process | slowest ÷ fastest |", "|---|---|---|---|--:|"]
        walk = size.get("get_objects", {})
        lines = [("gc.get_objects()", "–", walk.get("process_medians"))]
        for key, _kind in SCALING:
            for side in SIDES:
                lines.append((LABELS[key], side, size["rows"].get(key, {}).get(side, {}).get("process_medians")))
        for label, side, meds in lines:
            meds = [m for m in meds or [] if m]
            if len(meds) > 1:
                out.append("| %s | %s | %s | %s | %.2f× |" % (heap_short(size), label, side,
                                                             " / ".join(fmt_time(m) for m in meds),
                                                             max(meds) / min(meds)))
    return out + [""] if out else []


def processes_text(meta):
    n = meta.get("processes", 1)
    if n < 2:
        return ""
    return (" Each size ran in %d processes, in turn with the other sizes; every cell shows the process "
            "whose median was the lowest, for each side on its own (objref, its peer and the floor alike), "
            "and the heap walk the fastest process's (the stricter unit): a process on this machine has a "
            "speed of its own (see Process to process)." % n)


def write(path, meta, sizes, plots):
    lines = ["# Benchmarks: objref against objgraph and a bare C walk", "",
             "Generated by `make bench` (bench/run.sh → bench/bench.py) on %s; do not edit by hand: "
             "re-run it. The plot is drawn by bench/plot.py with cairo (libcairo.so.2 through ctypes)."
             % meta["date"], "",
             "- machine: %s; %s; %s CPUs; %s" % (meta["uname"], meta["cpu"], meta["cpus"], meta["memory"]),
             "- Python %s (%s), objgraph %s (Debian python3-objgraph), objref %s" % (
                 meta["python"], meta["python_path"], meta["objgraph"], meta["commit"]),
             "- load average before / after: %s / %s. %s" % (meta["load_before"], meta["load_after"],
                                                             meta["load_note"]),
             "- every cell: the median of up to %d runs on the same heap in one process, stopping early when a "
             "cell's runs pass %.0f s (the runs column says how many); peak RSS is the process's high-water "
             "mark during the cell's runs, the highest of them (reset through /proc/self/clear_refs "
             "before each), the heap under test included.%s"
             % (meta["repeat"], meta["budget"], processes_text(meta)), ""]
    lines += ["## Targets (DESIGN.md §6; issue 14's in heap walks and against objgraph)", "",
              "A heap walk is `gc.get_objects()` timed in the same process on the same heap (its time is in "
              "each table's heading); ratios of one run, since absolute times on a shared machine move by "
              "2× between runs. The rows in heap walks also time a `gc.get_objects()` just before each of "
              "their runs, and count in the faster of that walk and the one at the start: the process's "
              "state moves a walk by a quarter either way, and a slower unit would flatter the ratio.", ""]
    table, misses = summary(sizes)
    lines += table + [""]
    if misses:
        lines += ["Missed:", ""] + misses + [""]
    scale = scaling(sizes)
    if scale:
        lines += ["## The ratios as the heap grows (issue 14: within 25 % from 1e6 to 1e7)", "",
                  "Each ratio row at every size from 1e6 up, and the share of its 1e6 value the largest "
                  "size keeps (× faster: the larger the better; walks: the fewer).", ""] + scale
    for heap, name in plots:
        lines += ["![time against heap size, %s heap](%s)" % (heap, name), ""]
    for size in sizes:
        lines += ["## %s" % heap_name(size), ""] + size_table(size) + [""]
    for s in meta.get("skipped", []):
        lines += ["## %s" % s, ""]
    lines += ["## Memory of a snapshot", ""] + memory_table(sizes) + [""]
    sp = spread(sizes)
    if sp:
        lines += ["## Process to process", "",
                  "Each size ran in %d processes, one size's after another's; every cell above shows the "
                  "process with the lowest median, for each side on its own (bench/processes.py says "
                  "why). Here the medians of each process, in the order they ran." % meta["processes"],
                  ""] + sp
    lines += ["## What each row measures", "",
              "- floor: bench/floor.c, a bare C walk of the GC-tracked objects touching each one's type "
              "(PyUnstable_GC_VisitObjects on 3.12+, gc.get_objects before).",
              "- heaps: " + "; ".join(sorted({"%s: %s" % (s.get("heap", "objref"), s.get("heap_text", ""))
                                               for s in sizes})) +
              ". The collector is disabled during timings.",
              "- census with untracked objects: `typestats(untracked=True)`, which also counts the str, int, "
              "float, bytes and atomic tuples/dicts that gc.get_objects() does not list.",
              "- chains: `find_backref_chain(leaf, is_proper_module)` on both sides, everything included "
              "(for objref a search forward from the modules, no snapshot); both chains checked to have "
              "the expected length. 10 chains: "
              "`objref.chains('Leak', samples=10)` against 10 calls of objgraph's. Each further chain: "
              "(chains() of all 30 planted Leaks − chains() of one) / 29, fastest runs of each, "
              "interleaved (the difference of two nearly equal times: medians would be noise); for "
              "objgraph, its 10 chains / 10.",
              "- show_growth: objgraph's always calls gc.collect(), as objref's does by default; "
              "`collect=False` is objref alone against the floor.",
              "- show_backrefs: objref renders the PNG in-process; objgraph's time is writing the .dot file "
              "only (it needs Graphviz's `dot` program for a PNG, which is not installed here).",
              "- garbage: each run on fresh garbage (%s objects in 2-object cycles, 1%% of the heap), "
              "against gc.collect() (which frees it). `objref.garbage()` and `objref.cycles()` take their "
              "own snapshot and analyse it; the built-snapshot row is the garbage-identification step "
              "alone, as `objref._cycles_timing()` times it inside one snapshot (per million tracked "
              "objects for the target)." % "/".join(str(s["garbage_objects"]) for s in sizes),
              "- show_backrefs: the leaf of a D=12 chain, `max_depth=14`, default `too_many=10`, on both "
              "sides.",
              "- dominator tree: `objref._dominators_timing()`'s own timing of lib/dominators.c on one full "
              "snapshot (semidominators with path compression, then SEMI-NCA), the per-type retained sums "
              "not included.",
              "- n/a (not built yet): the API is not in objref yet (issues 4 and 5); the row fills in when "
              "it is.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))

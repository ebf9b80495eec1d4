"""The rows of the benchmark table: what each measures, on which sides,
and the DESIGN.md §6 target it is judged against.  Shared by the runner
(run_size.py), the report (report.py) and the quick-mode test."""

# Sides of a row: the floor (a bare C walk, bench/floor.c), objref, and the
# peer it is compared with (objgraph, or gc.collect for garbage).  Every
# size also times gc.get_objects() once (the "heap walk" of issue 14's
# targets): the unit of the x_walks targets, measured in the same run.
FLOOR, OBJREF, PEER = "floor", "objref", "peer"

# The heaps: bench/heap.py (ours) and ../shared/bench/heapgen.py (a richer
# service-like heap: more untracked objects and references per tracked one).
HEAPS = ("objref", "service")

# key, label, sides measured, peer name, target key (see TARGETS) or None
ROWS = [
    ("census", "census: typestats()", (FLOOR, OBJREF, PEER), "objgraph", "census"),
    ("census_untracked", "census: typestats(untracked=True)", (FLOOR, OBJREF), None, "census_untracked"),
    ("show_growth_nocollect", "show_growth(collect=False)", (FLOOR, OBJREF), None, None),
    ("by_type", "by_type('Record')", (FLOOR, OBJREF, PEER), "objgraph", None),
    ("snapshot", "snapshot() alone", (FLOOR, OBJREF), None, "snapshot"),
    ("chain_d3", "1 chain, D=3 (capture included)", (OBJREF, PEER), "objgraph", "chain"),
    ("chain_d12", "1 chain, D=12", (OBJREF, PEER), "objgraph", "chain_x"),
    ("chain_d12_f8", "1 chain, D=12, F=8", (OBJREF, PEER), "objgraph", "chain_x8"),
    ("chains10", "10 chains, D=12, F=8", (OBJREF, PEER), "objgraph", None),
    ("further_chain", "each further chain (derived)", (OBJREF, PEER), "objgraph", "further"),
    ("show_growth", "show_growth() (gc.collect included)", (OBJREF, PEER), "objgraph", None),
    ("show_backrefs", "show_backrefs, D=12 leak, max_depth=14", (OBJREF, PEER), "objgraph (.dot only)", None),
    ("garbage", "garbage() (live: snapshot, analysis, list)", (OBJREF, PEER), "gc.collect()", None),
    ("garbage_snap", "garbage found on a built snapshot", (OBJREF, PEER), "gc.collect()", "garbage"),
    ("cycles", "cycles() report (live)", (OBJREF, PEER), "gc.collect()", None),
    ("dominators", "dominator tree + retained sizes (built snapshot)", (OBJREF,), None, "dominators"),
]

ROW_KEYS = [r[0] for r in ROWS]

# key: (text, kind, limit).  kinds: x_floor (objref / floor), x_walks (objref
# / gc.get_objects() of the same run), x_peer (peer / objref: at least the
# limit), s_per_million (objref seconds per million tracked objects), ms
# (objref milliseconds), ms_per_million.  Issue 14's targets are the x_walks
# and x_peer ones.
TARGETS = {
    "census": ("census of tracked objects ≥ 2.4 × faster than objgraph typestats", "x_peer", 2.4),
    "census_untracked": ("census with untracked objects ≤ 2.5 heap walks (gc.get_objects())", "x_walks", 2.5),
    "snapshot": ("full snapshot ≤ 7 heap walks (gc.get_objects())", "x_walks", 7.0),
    "chain": ("one chain ≤ 0.5 s at 1e6, capture included (scaled: per million)", "s_per_million", 0.5),
    "chain_x": ("one chain D=12, capture included, ≥ 7 × faster than objgraph", "x_peer", 7.0),
    "chain_x8": ("one chain D=12 with 8 observers per step ≥ 35 × faster than objgraph", "x_peer", 35.0),
    "further": ("each further chain ≤ 1 ms", "ms", 1.0),
    "garbage": ("garbage without gc.collect ≤ 20 ms per million objects (built snapshot, per million "
                "tracked)", "ms_per_million", 20.0),
    "dominators": ("dominator tree ≤ 300 ms per million tracked objects", "ms_per_million", 300.0),
    "bytes_object": ("snapshot ≤ 48 bytes per object", "bytes", 48.0),
    "bytes_edge": ("snapshot ≤ 8 bytes per edge", "bytes", 8.0),
}

# objref's garbage finders (issue 5): garbage() and cycles() on the live
# heap; _cycles_timing() times each step of the analysis on one snapshot
# (its "garbage" step is the built-snapshot row).
GARBAGE_LIVE, GARBAGE_TIMING, CYCLES = "garbage", "_cycles_timing", "cycles"

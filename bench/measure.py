"""Timing and memory of one measured cell: the median of up to `repeat`
runs of a callable, and the process's peak RSS while it ran.

Peak RSS per cell: Linux keeps a high-water mark of the resident set
(VmHWM); writing "5" to /proc/self/clear_refs resets it to the current RSS,
so the mark read after the cell is the peak of that cell alone (the heap
under test included).  Where that is not possible (not Linux), the peak is
the process's peak so far (getrusage) and is marked as such.
"""
import resource
import statistics
import time


def _status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak():
    """Reset the peak-RSS mark to the current RSS; False if impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_mb():
    kb = _status_kb("VmRSS")
    return kb / 1024.0 if kb is not None else None


def peak_mb():
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0


def run_cell(fn, repeat, budget, setup=None, inner=None, walk=None):
    """Run fn() up to `repeat` times (setup() untimed before each run),
    stopping early once the runs so far took more than `budget` seconds.
    With inner, a run's time is inner(result) (a step the callee timed
    itself) instead of the wall time of fn().  With walk, walk() is timed
    just before each run (run twice, the second timed; its result dropped
    at once): "walk_times", the unit's time in the state the runs met.
    Returns {median, runs, times, peak_rss_mb, peak_exact} and, as
    "result", what the last run returned.  The peak is the highest of the
    runs' own (the paired walk's excluded)."""
    exact = reset_peak()
    times, walks, result, spent, peak = [], [], None, 0.0, 0.0
    for _ in range(repeat):
        result = None  # the previous run's result must not add to this run's peak
        if setup is not None:
            setup()
        if walk is not None:
            # twice, the second timed: the first after the previous run
            # pays for the pages that run gave back (on the 1e5 heaps 2-3×
            # the walk at the start, the second 1-2×), which would flatter
            # the ratio
            walk()
            t = time.perf_counter()
            walk()
            walks.append(time.perf_counter() - t)
        if exact:
            reset_peak()
        t = time.perf_counter()
        result = fn()
        wall = time.perf_counter() - t
        peak = max(peak, peak_mb())
        times.append(inner(result) if inner is not None else wall)
        spent += wall
        if spent > budget:
            break
    r = {"median": statistics.median(times), "runs": len(times),
         "times": times, "peak_rss_mb": peak, "peak_exact": exact,
         "result": result}
    if walk is not None:
        r["walk_times"] = walks
    return r

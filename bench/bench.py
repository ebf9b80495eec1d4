"""The benchmark driver: one process per heap size (bench/run_size.py), or
N with --processes N (each cell then shows its fastest: bench/processes.py),
then docs/benchmarks.md, its plot and the raw JSON.

    python3 bench/bench.py --build-dir build            # 1e5, 1e6, 3e6, 1e7 if memory allows
    python3 bench/bench.py --quick --out-dir build/bench-quick   # 1e5 only, under a minute
    python3 bench/bench.py --heaps service --sizes 1e6  # one heap, one size
    python3 bench/bench.py --sizes 1e6,1e7 --processes 2  # 1e6, 1e7, 1e6, 1e7

Each size runs on each heap (bench/heaps.py: ours, and the service-like heap
of ../shared/bench/heapgen.py when it is there — skipped, saying so, when not).

`make bench` runs it through bench/run.sh.  The build directory must hold
python/objref*.so and bench/objref_floor*.so (cmake --build).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import heaps  # noqa: E402
import plot  # noqa: E402
import processes  # noqa: E402
import report  # noqa: E402

BIG = 10000000  # 1e7: run only when memory allows


def meminfo_kb(field):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def git_commit():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=True).stdout.strip()
        return "commit " + rev
    except (OSError, subprocess.CalledProcessError):
        return "(no git)"


def load():
    return " ".join("%.2f" % x for x in os.getloadavg())


def run_size(args, heap, n, json_path, process=0):
    env = dict(os.environ)
    build = os.path.abspath(args.build_dir)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(build, "python"), os.path.join(build, "bench")])
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    cmd = [sys.executable, os.path.join(HERE, "run_size.py"), "--objects", str(n),
           "--repeat", str(args.repeat), "--budget", str(args.budget),
           "--max-cell", str(args.max_cell), "--json", json_path, "--heap", heap]
    t = time.time()
    what = "%s heap, %s objects%s" % (heap, format(n, ","),
                                      ", process %d of %d" % (process + 1, args.processes)
                                      if args.processes > 1 else "")
    print("bench: %s ..." % what, flush=True)
    subprocess.run(cmd, env=env, check=True)
    print("bench: %s done in %.0f s" % (what, time.time() - t), flush=True)
    with open(json_path) as f:
        return json.load(f)


def memory_needed_gb(results, n):
    """Peak RSS scaled linearly from the largest heap measured, +25%."""
    last = max(results, key=lambda r: r["tracked"])
    peak = max(c.get("peak_rss_mb", 0) for row in last["rows"].values() for c in row.values())
    return peak / 1024.0 * n / last["objects_requested"] * 1.25


def heaps_missing():
    try:
        heaps.import_heapgen()
    except ImportError as e:
        return str(e)
    return ""


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.environ.get("OBJREF_BUILD_DIR", "build"))
    ap.add_argument("--heaps", default=",".join(heaps.NAMES), help="heaps to run: objref, service")
    ap.add_argument("--sizes", default="1e5,1e6,3e6,1e7",
                    help="heap sizes in tracked objects; 1e7 only if memory allows")
    ap.add_argument("--quick", action="store_true", help="1e5 only, small budgets (the test suite's mode)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--processes", type=int, default=1,
                    help="processes per size, each size's in turn with the others'; every cell shows its "
                         "fastest process (bench/processes.py)")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per cell before it stops repeating")
    ap.add_argument("--max-cell", type=float, default=300.0, help="skip a cell estimated longer than this")
    ap.add_argument("--out-dir", help="default: docs/, or BUILD/bench-quick with --quick")
    ap.add_argument("--name", default="benchmarks", help="NAME.md, NAME.png and NAME.json in --out-dir")
    ap.add_argument("--source-label", help="what objref was built from, when not this tree's git commit")
    args = ap.parse_args()
    if args.processes < 1:
        ap.error("--processes must be at least 1")
    if args.quick:
        args.sizes, args.budget, args.max_cell = "1e5", 3.0, 20.0
    if args.out_dir is None:
        args.out_dir = os.path.join(args.build_dir, "bench-quick") if args.quick else os.path.join(ROOT, "docs")
    args.sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    args.heaps = [h.strip() for h in args.heaps.split(",") if h.strip()]
    for h in args.heaps:
        if h not in heaps.NAMES:
            ap.error("unknown heap %r (choose from %s)" % (h, ", ".join(heaps.NAMES)))
    return args


def main():
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "uname": " ".join(platform.uname()[i] for i in (0, 2, 4)), "cpu": cpu_model(),
            "cpus": os.cpu_count(), "memory": "%.1f GB RAM" % (meminfo_kb("MemTotal") / 2 ** 20),
            "python": platform.python_version(), "python_path": sys.executable,
            "commit": args.source_label or git_commit(), "repeat": args.repeat, "budget": args.budget,
            "processes": args.processes,
            "load_before": load(), "loads": [], "skipped": []}
    results = []
    for heap in args.heaps:
        if heap == "service" and not heaps.heapgen_available():
            meta["skipped"].append("service heap: skipped: %s" % heaps_missing())
            continue
        mine, skipped = {}, set()  # size -> one result per process
        for p in range(args.processes):
            for n in args.sizes:
                if n in skipped:
                    continue
                if n >= BIG and n not in mine and mine:
                    need = memory_needed_gb([r for rs in mine.values() for r in rs], n)
                    avail = meminfo_kb("MemAvailable") / 2 ** 20
                    if need > avail:
                        meta["skipped"].append("%s heap, %.0e: skipped: needs about %.0f GB, %.0f GB available"
                                               % (heap, n, need, avail))
                        skipped.add(n)
                        continue
                tmp = os.path.join(args.out_dir, "%s-%s-%d-%d.json.tmp" % (args.name, heap, n, p))
                mine.setdefault(n, []).append(run_size(args, heap, n, tmp, p))
                meta["loads"].append(os.getloadavg()[0])
                os.remove(tmp)
        results += [processes.merge(mine[n]) for n in args.sizes if n in mine]
    meta["load_after"] = load()
    meta["objgraph"] = results[0]["objgraph"] if results else "?"
    # The benchmark itself keeps one core busy (load 1): more means other work ran alongside.
    busy = max(meta["loads"] or [0]) > 1.5
    meta["load_note"] = ("Other work (builds, tests) shared the %d cores during the run (1-minute load up to "
                         "%.1f, the benchmark's own share being 1): expect noise of some percent." %
                         (os.cpu_count(), max(meta["loads"])) if busy else "")
    pngs = []
    for heap in args.heaps:
        mine = [r for r in results if r["heap"] == heap]
        if mine:
            pngs.append((heap, args.name + (".png" if not pngs else "-%s.png" % heap)))
            plot.draw(os.path.join(args.out_dir, pngs[-1][1]), mine,
                      "objref vs objgraph on the %s heap: time against heap size (Python %s)"
                      % (heap, meta["python"]))
    report.write(os.path.join(args.out_dir, args.name + ".md"), meta, results, pngs)
    with open(os.path.join(args.out_dir, args.name + ".json"), "w") as f:
        json.dump({"meta": meta, "sizes": results}, f, indent=1)
    print("bench: wrote %s" % os.path.join(args.out_dir, args.name + ".md"))


if __name__ == "__main__":
    main()

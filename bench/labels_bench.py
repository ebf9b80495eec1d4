"""Label coverage: the share of the references of a full snapshot that
carry a name a person would read (every label but "unnamed" and ".?"), on
both benchmark heaps, plus one instance of every stdlib class that builds
without arguments; and the unlabelled ones by (referrer type, referent
type), most first.

    PYTHONPATH=build/python python3 bench/labels_bench.py [--size 1e5] [--heap service] [--top 15]

Target (issue 11, item 1): >= 99 % on every supported Python.  A coverage
measure, never a time: tests/python/test_labels_coverage.py asserts the
same ratio on a small heap.
"""
import argparse
import gc
import importlib
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import heaps  # noqa: E402
import objref  # noqa: E402

# Modules whose classes are built without arguments (no network, no files,
# no threads started, no process-wide settings changed by a constructor).
STDLIB = ("collections", "collections.abc", "decimal", "fractions", "functools", "io", "itertools",
          "array", "queue", "string", "email.message", "html.parser", "argparse", "json",
          "configparser", "difflib", "random", "heapq", "types", "datetime", "enum", "weakref",
          "contextlib", "threading", "asyncio", "xml.etree.ElementTree", "csv",
          "logging", "dataclasses", "inspect", "textwrap", "pprint", "reprlib", "statistics",
          "uuid", "zipfile", "tarfile", "selectors", "sched", "shlex", "codecs", "struct")


def stdlib_instances():
    """One instance of every class of STDLIB that constructs without
    arguments (whatever raises is skipped)."""
    made = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in STDLIB:
            try:
                mod = importlib.import_module(name)
            except ImportError:
                continue
            for attr in sorted(vars(mod)):
                cls = getattr(mod, attr, None)
                if not isinstance(cls, type) or attr.startswith("_") or issubclass(cls, BaseException):
                    continue
                if name == "threading" and attr in ("Thread", "Timer"):
                    continue
                try:
                    made.append(cls())
                except Exception:
                    pass
    # what a service keeps besides: a caught exception, a suspended generator
    try:
        raise ValueError("kept")
    except ValueError as e:
        made.append(e)

    def gen():
        local = ["held by a suspended frame"]
        yield local
    g = gen()
    next(g)
    made.append(g)
    return made


def coverage(top):
    r = objref._label_coverage(top=top)
    return r["labelled"], r["total"], r["gaps"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="1e5")
    ap.add_argument("--heap", choices=heaps.NAMES + ("both",), default="both")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    n = int(float(args.size))
    names = heaps.NAMES if args.heap == "both" else (args.heap,)
    keep = stdlib_instances()
    print("Python %s, %d stdlib instances" % (sys.version.split()[0], len(keep)))
    worst = 1.0
    for name in names:
        if name == "service" and not heaps.heapgen_available():
            print("%-8s skipped: heapgen.py not found" % name)
            continue
        planted = heaps.build(name, n)
        planted.plant()
        gc.collect()
        labelled, total, gaps = coverage(args.top)
        share = labelled / total if total else 1.0
        worst = min(worst, share)
        print("%-8s %10d references, %10d labelled: %.2f %%" % (name, total, labelled, 100 * share))
        for frm, to, count in gaps:
            print("    %7d  %s -> %s" % (count, frm, to))
        del planted
        gc.enable()
        gc.collect()
    print("worst: %.2f %% (target 99 %%)" % (100 * worst))
    del keep


if __name__ == "__main__":
    main()

"""Pages a forked census child faults in, and how many of them are the
program's heap copied on write.

The child of a forked census (objref-chain's checkpoints) should only read
the program's heap: every page it writes is copied, and on a service of
gigabytes that copy is memory the machine may not have.  This builds
bench/heap.py's heap of N tracked objects, takes forked censuses (with the
addresses objref-chain asks for) and prints the child's minor page faults
and CPU time (getrusage(RUSAGE_CHILDREN)).  Its own arrays (the address
list, its sort buffer, the set of untracked objects) account for about
100 bytes per object; the difference between two builds on one heap is
the heap pages one of them copies (perf record -e minor-faults on the
child tells which function faults).

    PYTHONPATH=build/python python3 bench/fork_pages_bench.py [--objects 1e6] [--repeat 3]

Before 3.12 the child listed the heap with gc.get_objects(), taking a
reference to every object (a write to each object's page); it now walks
the collector's lists.  Compare two builds in one run, never absolute
numbers across runs.
"""
import argparse
import gc
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heap  # noqa: E402  (bench/heap.py)
import objref  # noqa: E402


def minflt():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--objects', type=float, default=1e6)
    ap.add_argument('--repeat', type=int, default=3)
    args = ap.parse_args()
    h = heap.build(int(args.objects))  # noqa: F841  (kept alive)
    gc.collect()
    page = os.sysconf('SC_PAGESIZE')
    for _ in range(args.repeat):
        f0, c0 = minflt(), cpu()
        _, addrs = objref._census_rows(True, True, True)
        faults, secs = minflt() - f0, cpu() - c0
        print('Python %s: %d objects, the child faulted %d pages (%.0f MB) in, CPU %.2f s' % (
            sys.version.split()[0], len(addrs) // 8, faults, faults * page / 2**20, secs))


if __name__ == '__main__':
    main()

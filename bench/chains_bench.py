"""Retention chains on one heap, objref against objgraph, in one run:
one chain at depth D (snapshot included), then ten chains from the same
call, and D=12 with F extra referrers per step.

    python3 bench/chains_bench.py --objects 1000000
"""
import argparse
import gc
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import heap  # noqa: E402
import objref  # noqa: E402
from tests.python.support import load_objgraph  # noqa: E402


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def leaf_of(root, depth):
    node = root
    for _ in range(depth - 1):
        node = node["child"] if isinstance(node, dict) else node[0] if isinstance(node, list) else node.inner
    return node


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--objgraph-repeat", type=int, default=1)
    args = ap.parse_args()
    objgraph = load_objgraph()
    keep = heap.build(args.objects)
    gc.collect()
    gc.disable()
    print("Python %s, heap.build(%d): %d tracked objects" % (sys.version.split()[0], args.objects,
                                                            len(gc.get_objects())))
    print("%-44s %10s %10s %8s" % ("what", "objref s", "objgraph s", "ratio"))
    for depth, extra in ((3, 0), (12, 0), (12, 8)):
        roots = heap.plant(depth, extra)
        leaf = leaf_of(roots[0], depth)
        ours, chain = timed(lambda: objref.find_backref_chain(leaf, objref.is_proper_module,
                                                               max_depth=depth + 4), args.repeat)
        assert chain[-1] is leaf and len(chain) == depth + 4, len(chain)  # module, its dict, PLANTED, list
        theirs, chain2 = timed(lambda: objgraph.find_backref_chain(leaf, objgraph.is_proper_module,
                                                                   max_depth=depth + 4),
                               args.objgraph_repeat)
        assert len(chain2) == len(chain), (len(chain2), len(chain))
        print("%-44s %10.3f %10.3f %8.1f" % ("1 chain, D=%d, F=%d (snapshot included)" % (depth, extra),
                                             ours, theirs, theirs / ours))
    # ten chains from one snapshot: objref.chains() picks 10 samples of Leak
    ours, res = timed(lambda: objref.chains("Leak", samples=10, max_depth=20), args.repeat)
    one, _ = timed(lambda: objref.chains("Leak", samples=1, max_depth=20), args.repeat)
    leaves = [leaf_of(r, 12) for r in heap.PLANTED["root"]]
    theirs, _ = timed(lambda: [objgraph.find_backref_chain(x, objgraph.is_proper_module, max_depth=16)
                               for x in leaves], args.objgraph_repeat)
    print("%-44s %10.3f %10.3f %8.1f" % ("10 chains, D=12, F=8", ours, theirs, theirs / ours))
    print("each further chain from the same snapshot: %.3f ms" % ((ours - one) / 9 * 1000))
    print("patterns: %s" % [(p["count"], p["text"][:60]) for p in res["patterns"]])
    del keep


if __name__ == "__main__":
    main()

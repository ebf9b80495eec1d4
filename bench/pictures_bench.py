"""The picture of a 50-object chain (issue 4's target: <= 0.3 s for graph,
layout, PNG and text chunks).

    PYTHONPATH=build/python python3 bench/pictures_bench.py [--runs 7]

Prints the medians of: show_chain to PNG (snapshot of this small heap,
view, DOT through libcgraph, layout and PNG through libgvc in a forked
child, text chunks), and render_dot alone (the same DOT, fork to file)."""
import argparse
import contextlib
import io
import statistics
import time

import objref


class Node:
    def __init__(self, child):
        self.child = child


class Leaf:
    pass


def build(length):
    x = Leaf()
    for i in range(length - 2):
        x = [x] if i % 2 else Node(x)
    return {"root": x}


ROOT = None


def main():
    global ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--length", type=int, default=50)
    ap.add_argument("--out", default="/tmp/objref-chain50.png")
    a = ap.parse_args()
    ROOT = build(a.length)
    found = objref.by_type("Leaf")
    chain = objref.find_backref_chain(found[0], objref.is_proper_module,
                                      max_depth=a.length + 10, extra_ignore=[id(found)])
    del found
    whole, render = [], []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            objref.show_chain(chain, filename=a.out)
        whole.append(time.perf_counter() - t0)
        dot = objref.extract_dot(a.out)
        t0 = time.perf_counter()
        objref.render_dot(dot, a.out)
        render.append(time.perf_counter() - t0)
    nodes = sum(1 for line in dot.splitlines() if line.startswith("\tn") and " -> " not in line)
    print("chain of %d objects, picture of %d nodes (median of %d)" % (len(chain), nodes, a.runs))
    print("  show_chain to PNG, snapshot included: %.3f s" % statistics.median(whole))
    print("  render_dot to PNG (layout, PNG, chunks): %.3f s" % statistics.median(render))


if __name__ == "__main__":
    main()

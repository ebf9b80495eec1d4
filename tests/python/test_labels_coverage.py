"""Label coverage (issue 11, item 1) as a ratio, on a small heap of the
objects whose references a person names: caught exceptions with their
tracebacks and contexts, bound methods, builtin methods, closures and
their cells, functools.partial, lru_cache wrappers.  Of the references
from these objects in a full snapshot, at least 99 % carry a label, on
every supported Python.  bench/labels_bench.py measures the whole heap.
"""
import functools
import sys
import unittest

import objref

NAMED = {"ValueError", "KeyError", "traceback", "method", "builtin_function_or_method", "cell",
         "function", "functools.partial", "functools._lru_cache_wrapper"}
if sys.version_info < (3, 11):
    NAMED.add("frame")  # 3.11+ frames' locals are named on a chain's step, not in the snapshot


class Holder:
    def run(self):
        return self


def make_heap(n=200):
    kept = []
    for i in range(n):
        try:
            try:
                {}["missing %d" % i]
            except KeyError:
                raise ValueError("order %d" % i)
        except ValueError as e:
            kept.append(e)
        h = Holder()
        kept.append(h.run)
        kept.append([].append)
        box = ["closed over %d" % i]
        kept.append(lambda: box)
        kept.append(functools.partial(print, i, sep=","))

    @functools.lru_cache(maxsize=None)
    def square(x):
        return x * x
    for i in range(n):
        square(i)
    kept.append(square)
    return kept


class LabelCoverage(unittest.TestCase):
    def test_named_kinds_are_labelled(self):
        kept = make_heap()
        r = objref._label_coverage(top=50, only=NAMED)
        self.assertGreater(r["only_total"], 2000)
        ratio = r["only_labelled"] / r["only_total"]
        gaps = [g for g in r["gaps"] if g[0] in NAMED]
        self.assertGreaterEqual(ratio, 0.99, gaps)
        del kept

    def test_whole_heap_ratio_is_measured(self):
        r = objref._label_coverage(top=5)
        self.assertGreater(r["total"], 0)
        self.assertLessEqual(r["labelled"], r["total"])
        self.assertLessEqual(len(r["gaps"]), 5)
        counts = [g[2] for g in r["gaps"]]
        self.assertEqual(counts, sorted(counts, reverse=True))


if __name__ == "__main__":
    unittest.main()

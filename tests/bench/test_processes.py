"""bench/processes.py's merge of one size measured in several processes,
and report.py's tables built on it (the ratios as the heap grows, process
to process), on hand-made results: no heap, no timing."""
import os
import sys
import unittest

ROOT = os.environ.get("OBJREF_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import processes  # noqa: E402
import report  # noqa: E402


def cell(median, **extra):
    return dict({"median": median, "runs": 3, "times": [median] * 3, "peak_rss_mb": 100.0}, **extra)


def result(n, walk, rows):
    return {"heap": "service", "objects_requested": n, "tracked": n, "get_objects": {"median": walk},
            "rows": rows}


class Merge(unittest.TestCase):
    def test_one_process_is_returned_as_it_is(self):
        r = result(10, 1.0, {"census": {"objref": cell(2.0)}})
        self.assertIs(processes.merge([r]), r)

    def test_each_side_keeps_its_fastest_process(self):
        a = result(10, 1.0, {"chain_d12": {"objref": cell(0.2), "peer": cell(3.0)},
                             "snapshot": {"floor": cell(1.1), "objref": cell(6.0, walk_times=[1.0])}})
        b = result(10, 0.9, {"chain_d12": {"objref": cell(0.1), "peer": cell(3.5)},
                             "snapshot": {"floor": cell(1.2), "objref": cell(7.0, walk_times=[0.9])}})
        m = processes.merge([a, b])
        self.assertEqual(m["processes"], 2)
        rows = m["rows"]
        self.assertEqual((rows["chain_d12"]["objref"]["median"], rows["chain_d12"]["objref"]["process"]), (0.1, 1))
        self.assertEqual((rows["chain_d12"]["peer"]["median"], rows["chain_d12"]["peer"]["process"]), (3.0, 0))
        self.assertEqual(rows["chain_d12"]["objref"]["process_medians"], [0.2, 0.1])
        self.assertEqual(rows["snapshot"]["floor"]["median"], 1.1)
        # the cell keeps its own process's walks; the size's walk is the fastest process's
        self.assertEqual(rows["snapshot"]["objref"]["walk_times"], [1.0])
        self.assertEqual(m["get_objects"]["median"], 0.9)
        self.assertEqual(m["get_objects"]["process_medians"], [1.0, 0.9])
        # the inputs are left as they were
        self.assertNotIn("process", a["rows"]["chain_d12"]["objref"])
        self.assertEqual(a["get_objects"], {"median": 1.0})

    def test_an_error_in_any_process_is_shown(self):
        a = result(10, 1.0, {"census": {"objref": cell(2.0)}})
        b = result(10, 1.0, {"census": {"objref": {"error": "RuntimeError: boom"}}})
        self.assertEqual(processes.merge([a, b])["rows"]["census"]["objref"], {"error": "RuntimeError: boom"})

    def test_a_cell_skipped_everywhere_says_why(self):
        skip = {"skipped": "estimated 900 s"}
        a = result(10, 1.0, {"chains10": {"peer": dict(skip)}})
        b = result(10, 1.0, {"chains10": {"peer": dict(skip)}})
        self.assertEqual(processes.merge([a, b])["rows"]["chains10"]["peer"], skip)


def size(n, walk, snapshot, chain, peer, processes_medians=None):
    rows = {"census": {"objref": cell(1.0), "peer": cell(3.0)},
            "census_untracked": {"objref": cell(2.0 * walk)},
            "snapshot": {"objref": cell(snapshot * walk)},
            "chain_d12": {"objref": cell(chain, process_medians=processes_medians or [chain]),
                          "peer": cell(peer)},
            "chain_d12_f8": {"objref": cell(chain), "peer": cell(peer * 5)}}
    r = result(n, walk, rows)
    if processes_medians:
        r["processes"] = len(processes_medians)
    return r


class Tables(unittest.TestCase):
    def scaling_rows(self, sizes):
        return {line.split(" | ")[0].strip("| "): line for line in report.scaling(sizes)}

    def test_a_ratio_that_keeps_three_quarters_holds(self):
        rows = self.scaling_rows([size(10 ** 6, 0.1, 6.0, 0.1, 3.0), size(10 ** 7, 1.0, 7.0, 1.3, 30.0)])
        self.assertIn("| 6 | 7 | 1.17 | held (keeps 86 %) |", rows["snapshot() alone"])
        # 30 / 1.3 = 23.1 against 30: 0.77
        self.assertIn("| 30 | 23.1 | 0.77 | held (keeps 77 %) |", rows["1 chain, D=12"])
        self.assertIn("held (keeps 100 %)", rows["census: typestats()"])

    def test_a_ratio_that_loses_more_does_not(self):
        rows = self.scaling_rows([size(10 ** 6, 0.1, 6.0, 0.1, 3.0), size(10 ** 7, 1.0, 8.5, 1.5, 30.0)])
        self.assertIn("**not held** (keeps 71 %)", rows["snapshot() alone"])
        self.assertIn("**not held** (keeps 67 %)", rows["1 chain, D=12"])

    def test_no_table_below_two_sizes_from_1e6(self):
        self.assertEqual(report.scaling([size(10 ** 5, 0.01, 6.0, 0.01, 0.3), size(10 ** 6, 0.1, 6.0, 0.1, 3.0)]),
                         [])

    def test_spread_lists_every_process(self):
        lines = report.spread([size(10 ** 6, 0.1, 6.0, 0.1, 3.0, processes_medians=[0.2, 0.1])])
        chain = [x for x in lines if "| 1 chain, D=12 | objref |" in x]
        self.assertEqual(len(chain), 1)
        self.assertIn("| 200.0 ms / 100.0 ms | 2.00× |", chain[0])
        self.assertEqual(report.spread([size(10 ** 6, 0.1, 6.0, 0.1, 3.0)]), [])


if __name__ == "__main__":
    unittest.main()

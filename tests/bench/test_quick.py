"""The benchmark harness in quick mode (bench/bench.py --quick: 1e5
objects, one process, under a minute), so that `make bench` keeps working.
These tests check the shape of what it writes, never the times."""
import json
import os
import re
import statistics
import subprocess
import sys
import unittest

import objref

ROOT = os.environ.get("OBJREF_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from rows import ROWS, TARGETS  # noqa: E402

TIME = re.compile(r"^\d+(\.\d+)? (s|ms)$")
RATIO = re.compile(r"^\d+\.\d\d×$")


def build_dir():
    """The build whose objref is on PYTHONPATH (ctest runs in the build dir)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(objref.__file__)))


class QuickBench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.environ.get("OBJREF_TEST_SLOW") == "0":
            raise unittest.SkipTest("OBJREF_TEST_SLOW=0: the quick benchmark runs in the main build "
                                    "and in the oldest and newest Python of tests/run_pythons.sh")
        cls.out = os.path.join(build_dir(), "bench-quick")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "bench.py"), "--quick",
                        "--build-dir", build_dir(), "--out-dir", cls.out], check=True, timeout=600)
        with open(os.path.join(cls.out, "benchmarks.json")) as f:
            cls.data = json.load(f)
        with open(os.path.join(cls.out, "benchmarks.md")) as f:
            cls.md = f.read()
        cls.size = cls.data["sizes"][0]

    def table_rows(self, size=None):
        """{label: [cells]} of one heap's per-size table in the markdown
        (the section under its '## <heap> heap, 1e5, …' heading)."""
        heading = "## %s heap, " % (size or self.size)["heap"]
        rows, inside = {}, False
        for line in self.md.splitlines():
            if line.startswith("## "):
                inside = line.startswith(heading)
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if inside and len(cells) == 10:
                rows[cells[0]] = cells
        return rows

    def test_one_size_of_about_1e5_per_heap(self):
        heaps = [s["heap"] for s in self.data["sizes"]]
        self.assertEqual(heaps[0], "objref")
        self.assertEqual(len(heaps), len(set(heaps)))  # one size per heap
        if "service" not in heaps:  # heapgen.py absent: the report says so
            self.assertTrue(any(x.startswith("service heap: skipped") for x in self.data["meta"]["skipped"]))
        for size in self.data["sizes"]:
            self.assertEqual(size["objects_requested"], 100000)
            self.assertGreater(size["tracked"], 90000, size["heap"])
            self.assertGreater(size["get_objects"]["median"], 0.0, size["heap"])

    def test_every_row_and_side_present(self):
        for size in self.data["sizes"]:
            for key, label, sides, _peer, _t in ROWS:
                cells = size["rows"][key]
                self.assertEqual(sorted(cells), sorted(sides), (size["heap"], key))
                self.assertIn(label, self.table_rows(size))

    def test_cells_measured_or_said_why_not(self):
        for size in self.data["sizes"]:
            self.cells_measured(size)

    def cells_measured(self, size):
        for key, cells in size["rows"].items():
            for side, c in cells.items():
                where = "%s %s/%s: %r" % (size["heap"], key, side, c)
                self.assertNotIn("error", c, where)
                if "na" in c:
                    self.assertEqual(c["na"], "not built yet", where)
                    continue
                if "skipped" in c:
                    continue
                if c.get("derived"):
                    self.assertGreaterEqual(c["median"], 0.0, where)
                else:
                    self.assertGreater(c["median"], 0.0, where)
                self.assertGreaterEqual(c["runs"], 1, where)
                if not c.get("derived"):
                    self.assertGreater(c["peak_rss_mb"], 0.0, where)
                self.assertEqual(c.get("check", "ok"), "ok", where)

    def test_na_only_where_the_api_is_missing(self):
        rows = self.size["rows"]
        self.assertEqual("na" in rows["show_backrefs"]["objref"], not hasattr(objref, "show_backrefs"))
        for key in ("census", "chain_d12_f8", "chains10", "further_chain"):
            self.assertIn("median", rows[key]["objref"], key)
            self.assertIn("median", rows[key]["peer"], key)

    def test_numbers_and_ratios_parse(self):
        for size in self.data["sizes"]:
            self.numbers_parse(size)

    def numbers_parse(self, size):
        table = self.table_rows(size)
        for key, label, _sides, _peer, _t in ROWS:
            cells = size["rows"][key]
            _, _, floor, ours, peer, x_floor, x_peer = table[label][:7]
            for side, text in (("floor", floor), ("objref", ours), ("peer", peer)):
                if cells.get(side, {}).get("median"):
                    self.assertRegex(text, TIME, (label, side))
                elif "median" in cells.get(side, {}):
                    self.assertEqual(text, "≈ 0 (below noise)", (label, side))
            if cells.get("objref", {}).get("median") and "median" in cells.get("floor", {}):
                self.assertRegex(x_floor, RATIO, label)
            if cells.get("objref", {}).get("median") and "median" in cells.get("peer", {}):
                self.assertRegex(x_peer, RATIO, label)
                want = cells["peer"]["median"] / cells["objref"]["median"]
                self.assertAlmostEqual(float(x_peer[:-1]), want, delta=0.006 + want * 1e-3)

    def test_targets_reported(self):
        for text, _kind, _limit in TARGETS.values():
            line = [x for x in self.md.splitlines() if x.startswith("| " + text + " |")]
            self.assertEqual(len(line), 1, text)
            self.assertRegex(line[0], r"met|missed|n/a")

    def test_walks_timed_beside_the_runs(self):
        # The rows in heap walks time a gc.get_objects() before each run,
        # and count in the faster of those walks' median and the walk at
        # the start of the size's run, as the table prints it.
        for size in self.data["sizes"]:
            for key, (text, kind, _limit) in TARGETS.items():
                if kind != "x_walks":
                    continue
                c = size["rows"][key]["objref"]
                self.assertEqual(len(c["walk_times"]), len(c["times"]), (size["heap"], key))
                self.assertTrue(all(w > 0 for w in c["walk_times"]), c)
                unit = min(statistics.median(c["walk_times"]), size["get_objects"]["median"])
                line = [x for x in self.md.splitlines() if x.startswith("| " + text + " |")][0]
                self.assertIn("(%.3g walks" % (c["median"] / unit), line)

    def test_service_heap_chains(self):
        """The service heap's chains have their planted length on both sides
        (the check column), and its 10-chain rows say why they are skipped."""
        sizes = [s for s in self.data["sizes"] if s["heap"] == "service"]
        if not sizes:
            self.skipTest("../shared/bench/heapgen.py is not here: the service heap did not run")
        rows = sizes[0]["rows"]
        for key in ("chain_d3", "chain_d12", "chain_d12_f8"):
            for side in ("objref", "peer"):
                self.assertEqual(rows[key][side].get("check"), "ok", (key, side, rows[key][side]))
        self.assertIn("skipped", rows["chains10"]["objref"])

    def test_snapshot_memory(self):
        st = self.size["snapshot"]
        self.assertGreaterEqual(st["objects"], st["tracked"])
        self.assertGreater(st["edges"], st["objects"] // 2)
        self.assertRegex(self.md, r"\| met \(\d+(\.\d+)? B\)|missed")

    def test_machine_and_plot(self):
        self.assertIn("Python %d.%d" % sys.version_info[:2], self.md)
        self.assertIn("![time against heap size, objref heap](benchmarks.png)", self.md)
        with open(os.path.join(self.out, "benchmarks.png"), "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(png), 5000)


if __name__ == "__main__":
    unittest.main()

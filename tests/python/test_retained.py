"""Retained sizes (the dominator tree, lib/dominators.c) seen from Python:
what a holder keeps alive alone is its retained size; what two holders
share, neither retains; no code of the program runs."""
import sys
import unittest

import objref
from tests.python.support import Tripwire


class RetainHolder:
    def __init__(self, payload):
        self.payload = payload


class SharedHolder:
    def __init__(self, payload):
        self.payload = payload


def row(rows, name):
    found = [r for r in rows if r[0] == name]
    return found[0] if found else None


class RetainedByType(unittest.TestCase):
    def test_alone_retains_its_payload(self):
        strs = ["retained-%d" % i for i in range(5000)]
        payload = list(strs)
        expect = sys.getsizeof(payload) + sum(sys.getsizeof(s) for s in strs)
        holder = RetainHolder(payload)
        del strs, payload
        rows = objref.retained_by_type(limit=None)
        name, count, own, retained = row(rows, "RetainHolder")
        self.assertEqual(count, 1)
        self.assertLess(own, 1000)  # the instance alone (and its dict before 3.11)
        self.assertGreaterEqual(retained, expect)
        self.assertLess(retained, expect * 1.2 + 10000)
        del holder

    def test_shared_is_retained_by_neither(self):
        payload = ["shared-%d" % i for i in range(5000)]
        a, b = SharedHolder(payload), SharedHolder(payload)
        del payload
        name, count, own, retained = row(objref.retained_by_type(limit=None), "SharedHolder")
        self.assertEqual(count, 2)
        self.assertLess(retained, 5000)  # the payload is kept by both: by neither alone
        del a, b

    def test_sorted_limited_and_long_names(self):
        rows = objref.retained_by_type(limit=5)
        self.assertEqual(len(rows), 5)
        self.assertEqual([r[3] for r in rows], sorted((r[3] for r in rows), reverse=True))
        keep = RetainHolder([1])
        longrows = objref.retained_by_type(limit=None, shortnames=False)
        self.assertIsNotNone(row(longrows, __name__ + ".RetainHolder"))
        del keep

    def test_no_program_code_runs(self):
        Tripwire.calls.clear()
        keep = [Tripwire() for _ in range(10)]
        objref.retained_by_type(limit=None)
        self.assertEqual(Tripwire.calls, [])
        del keep

    def test_timing_fields(self):
        t = objref._dominators_timing()
        for k in ("capture", "dominators", "by_type"):
            self.assertGreaterEqual(t[k], 0.0)
        self.assertGreater(t["reachable"], 1000)
        self.assertLessEqual(t["reachable"], t["objects"])
        self.assertGreater(t["total_bytes"], 100000)


if __name__ == "__main__":
    unittest.main()

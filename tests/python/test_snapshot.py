"""Snapshot: what capture records — labels, sizes, flags, roots — and the
checkpoint series."""
import gc
import io
import json
import os
import subprocess
import sys
import textwrap
import unittest

import objref

F_TRACKED, F_GCTYPE, F_IMMORTAL, F_MODULE, F_TYPE = 1, 2, 4, 8, 16


class Slotted:
    __slots__ = ("first", "second")


class Leaked:
    pass


class Plain:
    def method(self):
        return self


def make_closure():
    captured = ["captured"]

    def inner():
        return captured
    return inner


def labels_to(snap, src, dst):
    return [label for label, addr, _ in snap.referents(id(src)) if addr == id(dst)]


class SnapshotTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.payload = ["payload"]
        self.slotted = Slotted()
        self.slotted.first = self.payload
        self.plain = Plain()
        self.plain.attr = self.payload
        self.bound = self.plain.method
        self.fn = make_closure()
        self.key = "a key %d" % id(self)
        self.mapping = {self.key: self.payload, 7: "seven"}
        self.seq = [None, None, None, self.payload]
        self.defaults = lambda x=self.payload: x
        self.atomic = (12345678901, "atomic-%d" % id(self))
        gc.collect()
        self.snap = objref.snapshot()

    def test_valid(self):
        self.assertTrue(self.snap.validate())
        st = self.snap.stats()
        self.assertEqual(st["objects"], len(self.snap))
        self.assertGreater(st["edges"], st["objects"] // 2)
        self.assertGreater(st["objects"], st["tracked"])  # untracked objects are in

    def test_labels(self):
        s = self.snap
        self.assertEqual(labels_to(s, self.mapping, self.payload), ["['%s']" % self.key])
        self.assertIn("key", labels_to(s, self.mapping, self.key))
        self.assertEqual(labels_to(s, self.seq, self.payload), ["[3]"])
        self.assertEqual(labels_to(s, self.slotted, self.payload), [".first"])
        self.assertEqual(labels_to(s, self.bound, self.plain), [".__self__"])
        self.assertEqual(labels_to(s, self.fn, self.fn.__closure__), [".__closure__"])
        self.assertEqual(labels_to(s, self.fn.__closure__, self.fn.__closure__[0]), ["cell captured"])
        self.assertEqual(labels_to(s, self.fn.__closure__[0], self.fn.__closure__[0].cell_contents),
                         [".cell_contents"])
        self.assertEqual(labels_to(s, self.defaults, self.defaults.__defaults__), [".__defaults__"])
        self.assertEqual(labels_to(s, self.plain, Plain), ["__class__"])
        mod = sys.modules[__name__]
        self.assertEqual(labels_to(s, mod, mod.__dict__), ["__dict__"])
        self.assertEqual(labels_to(s, mod.__dict__, Slotted), ["['Slotted']"])

    def test_instance_attribute(self):
        got = labels_to(self.snap, self.plain, self.payload)
        if sys.version_info >= (3, 11) and not hasattr(self.plain, "__dict__x"):
            # 3.11+: attributes live inline; their names are not public, the
            # snapshot finds them in the code that sets them (".attr"),
            # unless a __dict__ exists.
            via_dict = [label for label, addr, t in self.snap.referents(id(self.plain)) if t == "dict"]
            self.assertTrue(got == [".attr"] or via_dict, got)
        else:
            dict_labels = labels_to(self.snap, self.plain, self.plain.__dict__)
            self.assertEqual(dict_labels, ["__dict__"])
            self.assertEqual(labels_to(self.snap, self.plain.__dict__, self.payload), ["['attr']"])

    def test_untracked_reached(self):
        info = self.snap.object(id(self.atomic))
        self.assertIsNotNone(info)
        self.assertFalse(info["flags"] & F_TRACKED)
        self.assertTrue(info["flags"] & F_GCTYPE)
        s = self.snap.object(id(self.atomic[1]))
        self.assertEqual(s["type"], "str")
        self.assertEqual(s["desc"], "'atomic-%d'" % id(self))
        self.assertEqual(self.snap.object(id(self.atomic[0]))["desc"], "12345678901")

    def test_sizes_match_getsizeof(self):
        for obj in (self.atomic, self.seq, self.key, self.atomic[0], 1.5, b"bytes!",
                    "\u20ac uro", "\U0001f600", 2 ** 200, 0, {1, 2, 3}, frozenset(range(50)),
                    bytearray(b"xyz"), ["x"] * 100):
            holder = [obj]
            snap = objref.snapshot()
            with self.subTest(obj=type(obj).__name__):
                self.assertEqual(snap.object(id(obj))["size"], sys.getsizeof(obj))
            del holder

    def test_frame_size_is_sane(self):
        frame = sys._getframe()  # a frame object, as a traceback holds
        holder = [frame]
        snap = objref.snapshot()
        size = snap.object(id(frame))["size"]
        self.assertGreater(size, 40)
        self.assertLess(size, 4096)
        del holder, frame

    def test_dict_size_estimated_close(self):
        for n in (0, 1, 5, 6, 100, 10000):
            d = {i: i for i in range(n)}
            holder = [d]  # an empty dict is untracked: reach it from a list
            snap = objref.snapshot()
            got = snap.object(id(d))["size"]
            real = sys.getsizeof(d)
            with self.subTest(n=n):
                self.assertLess(abs(got - real), max(real * 0.35, 64), (got, real))
            del holder

    def test_flags_and_roots(self):
        mod = sys.modules[__name__]
        info = self.snap.object(id(mod))
        self.assertTrue(info["flags"] & F_MODULE)
        self.assertEqual(info["desc"], __name__)
        self.assertTrue(self.snap.object(id(Plain))["flags"] & F_TYPE)
        self.assertEqual(self.snap.object(id(Plain))["desc"], __name__ + ".Plain")
        roots = {name: addr for kind, name, addr in self.snap.roots()}
        self.assertEqual(roots[__name__], id(mod))
        if sys.version_info >= (3, 12):
            self.assertTrue(self.snap.object(id(None)) is None or
                            self.snap.object(id(None))["flags"] & F_IMMORTAL)

    def test_refcount(self):
        obj = ["refcounted"]
        holders = [obj, obj, obj]
        snap = objref.snapshot()
        # the local, three list slots, and getrefcount's own argument is not there
        self.assertEqual(snap.object(id(obj))["refcnt"], sys.getrefcount(obj) - 1)
        del holders

    def test_packed_objects_resolve_to_themselves(self):
        # Objects made one after another lie 16 or 32 bytes apart, in
        # every bit of the capture's marks (a bit per 16 bytes), across
        # words and megabytes: each edge must name its own target, in order.
        floats = [float(i) + 0.5 for i in range(200000)]
        pairs = [(i, -i) for i in range(0, 200000, 7)]
        holder = [floats, pairs]
        snap = objref.snapshot()
        got = [addr for _, addr, _ in snap.referents(id(floats))]
        self.assertEqual(got, [id(f) for f in floats])
        self.assertEqual([addr for _, addr, _ in snap.referents(id(pairs))], [id(p) for p in pairs])
        for i in (0, 1, 63, 64, 65, 4095, 4096, 199999):
            self.assertEqual(snap.object(id(floats[i]))["desc"], repr(floats[i]))
        self.assertEqual([addr for _, addr, _ in snap.referents(id(pairs[-1]))],
                         [id(pairs[-1][0]), id(pairs[-1][1])])
        self.assertEqual(snap.object(id(pairs[-1][1]))["desc"], str(pairs[-1][1]))
        del holder

    def test_targets_without_codes_resolve_alike(self):
        # A heap spread over more than 64 GB leaves some edges' targets
        # without a code among the capture's marks: they wait as addresses.
        # The test hook gives codes to the first N megabytes only.
        script = textwrap.dedent("""
            import gc, json, objref
            floats = [float(i) + 0.5 for i in range(100000)]
            rows = [{"n": i, "f": floats[i]} for i in range(0, 100000, 3)]
            holder = [floats, rows]
            gc.collect()
            snap = objref.snapshot()
            ok = [a for _, a, _ in snap.referents(id(floats))] == [id(f) for f in floats]
            ok = ok and [a for _, a, _ in snap.referents(id(rows))] == [id(r) for r in rows]
            ok = ok and all(sorted(a for _, a, _ in snap.referents(id(r))) ==
                            sorted(id(x) for x in list(r) + list(r.values())) for r in rows[::97])
            print(json.dumps({"ok": ok, "valid": snap.validate(), "n": len(snap)}))
        """)
        for codes in ("0", "2", "65535"):
            env = dict(os.environ, OBJREF_MARK_CODES_FOR_TESTS=codes,
                       PYTHONPATH=os.path.dirname(os.path.dirname(objref.__file__)) + os.pathsep +
                       os.path.dirname(objref.__file__) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                                 text=True, check=True).stdout
            with self.subTest(codes=codes):
                got = json.loads(out)
                self.assertTrue(got["ok"])
                self.assertTrue(got["valid"])
                self.assertGreater(got["n"], 150000)

    def test_memory_kept_between_snapshots(self):
        # The working arrays a snapshot freed are kept for the next one
        # (OBJREF_KEEP_MB); a snapshot written over kept, unzeroed arrays
        # records what one written over fresh pages does, and
        # release_memory() gives the kept bytes back.
        script = textwrap.dedent("""
            import gc, json, objref
            rows = [{"k%d" % i: (i, str(i), [i]) } for i in range(60000)]
            gc.collect(); gc.disable()
            def shape(s):
                st = s.stats()
                refs = [s.referents(id(r)) + s.referents(id(t)) for r in rows[::50] for t in r.values()]
                return {"n": st["objects"], "valid": s.validate(), "refs": refs}
            objref.release_memory()
            s = objref.snapshot(); fresh = shape(s); del s
            kept = objref.release_memory()  # the second snapshot meets fresh pages again
            s = objref.snapshot(); del s
            s = objref.snapshot(); reused = shape(s); del s
            print(json.dumps({"fresh": fresh, "reused": reused, "kept": kept,
                              "left": objref.release_memory(), "again": objref.release_memory()}))
        """)
        for mb in ("512", "0"):
            env = dict(os.environ, OBJREF_KEEP_MB=mb,
                       PYTHONPATH=os.path.dirname(os.path.dirname(objref.__file__)) + os.pathsep +
                       os.path.dirname(objref.__file__) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            got = json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                                            text=True, check=True).stdout)
            fresh, reused = got["fresh"], got["reused"]
            with self.subTest(keep_mb=mb):
                self.assertTrue(fresh["valid"])
                self.assertTrue(reused["valid"])
                self.assertEqual(fresh["refs"], reused["refs"])
                self.assertGreater(fresh["n"], 300000)
                self.assertEqual(got["again"], 0)
                if mb == "0":
                    self.assertEqual([got["kept"], got["left"]], [0, 0])
                else:  # at least the object array: 40 bytes an object
                    self.assertGreater(got["kept"], 40 * fresh["n"])
                    self.assertGreater(got["left"], 40 * fresh["n"])

    def test_float_descriptions_are_their_repr(self):
        # Short decimals (prices, 0.25, 3.0) are written without the
        # interpreter's shortest-digits code: every float must still read
        # exactly as repr() writes it, short or not, at every magnitude.
        import random
        import struct
        rng = random.Random(14)
        vals = [0.1, 0.3, 0.1 + 0.2, 1 / 3, 2.675, 1e-4, 9.999999999999999e-05, 1e15,
                999999999999999.9, 123456789012345.67, 4503599627370495.5, 1e16, 1e-5,
                19.99, 29.99 * 3, 5e-324, 1.7976931348623157e308, -2.5, 100.0, 1e22]
        for e in range(-5, 17):
            for d in range(0, 11):
                for _ in range(12):
                    x = round(rng.random() * 10 ** e, d)
                    vals += [x, -x]
        for _ in range(3000):
            vals.append(struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0])
            vals.append(1.6e9 + rng.random() * 1e7)
        holder = [float(v) for v in vals]
        snap = objref.snapshot()
        wrong = [(repr(v), snap.object(id(v))["desc"]) for v in holder
                 if snap.object(id(v))["desc"] != repr(v)]
        self.assertEqual(wrong, [])
        self.assertGreater(len(holder), 8000)
        del holder

    def test_number_descriptions_are_their_repr(self):
        nums = [0, -1, 2 ** 63 - 1, -2 ** 63, 1.0, -0.0, 1e300, 12.5, float("inf")]
        holder = [nums]
        snap = objref.snapshot()
        for n in nums:
            with self.subTest(n=n):
                self.assertEqual(snap.object(id(n))["desc"], repr(n))
        big = [2 ** 63, -2 ** 63 - 1]
        snap = objref.snapshot()
        self.assertEqual([snap.object(id(b))["desc"] for b in big], ["> 2**63", "< -2**63"])
        del holder

    def test_container_descriptions_are_their_length(self):
        # "len N" is written once per length and reused: every container
        # still says its own length, short or long, subclass or not.
        class Tup(tuple):
            pass

        class Lst(list):
            pass
        lengths = [0, 1, 2, 3, 7, 255, 256, 257, 1000]
        made = []
        for n in lengths:
            made += [tuple(range(n)), list(range(n)), dict.fromkeys(range(n)), set(range(n)),
                     frozenset(range(n)), Tup(range(n)), Lst(range(n))]
        made += [tuple(range(3)) for _ in range(50)]
        snap = objref.snapshot()
        wrong = [(type(c).__name__, len(c), snap.object(id(c))["desc"]) for c in made
                 if snap.object(id(c))["desc"] != "len %d" % len(c)]
        self.assertEqual(wrong, [])
        self.assertEqual(len(made), 7 * len(lengths) + 50)
        del made

    def test_census_of_snapshot_matches_live(self):
        # Snapshot first: it includes what frame locals hold, such as the
        # census dict (and its keys) if `live` were taken before it.
        snap = objref.snapshot()
        live = objref.typestats(untracked=True)
        census = snap.census()
        for name in ("Slotted", "Plain", "function", "type", "module"):
            with self.subTest(type=name):
                self.assertEqual(census[name][0], live[name])
        self.assertLess(abs(census["str"][0] - live["str"]), 30)
        tracked = snap.census(tracked_only=True)
        self.assertNotIn("str", tracked)

    def test_census_of_snapshot_equals_live(self):
        # Every row, every version: a snapshot's census and the live census
        # taken right after it count the same objects (the live one also
        # counts the Snapshot object).  Frozen objects the walk finds but
        # the collector does not list are left out of a snapshot's census
        # (3.12.0-3.12.9 freeze the static types' __mro__/__bases__ tuples),
        # and naming a closure's cells leaves nothing behind (3.12 would
        # cache a co_freevars tuple in each code object).  At module level
        # of a fresh interpreter: what only a running function's locals
        # hold, the snapshot finds through its frame roots and the census
        # (which follows references from the collector's objects) cannot.
        script = textwrap.dedent("""
            import gc, json, objref

            def closure():
                cell = ["x"]
                return lambda: cell

            keep = [closure() for _ in range(3)]
            gc.collect()
            gc.disable()
            snap = objref.snapshot()
            live = objref.typestats(untracked=True, shortnames=False)
            census = snap.census(shortnames=False)
            print(json.dumps({"live": live, "census": {k: v[0] for k, v in census.items()}}))
        """)
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(objref.__file__)) + os.pathsep +
                   os.path.dirname(objref.__file__) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             check=True).stdout
        got = json.loads(out)
        live, census = got["live"], got["census"]
        self.assertEqual(live.pop("objref.Snapshot"), 1)
        diff = {k: (census.get(k, 0), live.get(k, 0)) for k in set(census) | set(live)
                if census.get(k) != live.get(k)}
        if sys.version_info < (3, 11):
            # The script's own running frame, an object before 3.11 that is
            # untracked while it runs, and its code: only the frame roots
            # reach them.
            self.assertEqual(diff.pop("builtins.frame", None), (1, 0))
            code = diff.pop("builtins.code", (0, 0))
            self.assertEqual(code[0] - code[1], 1)
        self.assertEqual(diff, {})
        self.assertGreater(census["builtins.function"], 3)


class SeriesTest(unittest.TestCase):

    def setUp(self):
        objref.reset()

    def tearDown(self):
        objref.reset()

    def test_growing_types(self):
        leak, churn = [], []
        for i in range(6):
            leak.extend(Leaked() for j in range(500))
            churn[:] = [Plain() for _ in range(300 if i % 2 else 10)]
            objref.checkpoint("tick %d" % i)
        rows = objref.growing_types()
        names = [r[0] for r in rows]
        self.assertEqual(names[0], "Leaked")
        self.assertNotIn("Plain", names)  # up and down is not growth
        name, first, last, per_ckpt, bytes_per, rises, intervals, steady = rows[0]
        self.assertEqual((first, last), (500, 3000))
        self.assertEqual((rises, intervals, steady), (5, 5, 0))
        self.assertEqual(per_ckpt, 500)
        self.assertEqual(bytes_per, 500 * sys.getsizeof(leak[0]))
        cks = objref.checkpoints()
        self.assertEqual(len(cks), 6)
        self.assertEqual(cks[2][0], "tick 2")
        out = io.StringIO()
        self.assertGreaterEqual(objref.show_growing_types(file=out), 1)
        self.assertRegex(out.getvalue().splitlines()[0],
                         r"^  Leaked +\+500/ckpt  \(\+\d+(\.\d)? KB\)  now 3,000, "
                         r"rose in 5/5 intervals, steady since ckpt 1$")
        del leak, churn

    def test_one_checkpoint_is_not_a_trend(self):
        objref.checkpoint()
        self.assertEqual(objref.growing_types(), [])


if __name__ == "__main__":
    unittest.main()

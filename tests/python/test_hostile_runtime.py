"""A program that patches the runtime must not get its code run by a capture.

The matrix: every entry point a program can replace or hook (builtins.__import__,
gc.get_objects/isenabled/disable/enable/collect, sys.modules['gc'|'_tracemalloc'|
'operator'] replaced by hostile objects, an audit hook, sys.setprofile,
sys.settrace) times every capture function of the module.  For each pair the
spy must record no call, and the result must equal the result without the
patch.  Exceptions, as documented: growth() and get_new_ids() collect (the
interpreter's own gc.collect, never a replacement).  An audit hook sees no
event: capture lists the collector's objects by walking its lists, not with
gc.get_objects() (whose audit event "gc.get_objects" would run the hook).
"""
import builtins
import gc
import io
import os
import re
import sys
import tempfile
import tracemalloc
import unittest

import objref

REAL = {name: getattr(gc, name) for name in ("get_objects", "isenabled", "disable", "enable", "collect")}
CALLS = []          # (entry point, detail): each time program code ran
AUDIT_ARMED = [False]
AUDIT_ALLOWED = set()  # gc.get_objects() is never called


def _audit(event, args):
    if AUDIT_ARMED[0] and event not in AUDIT_ALLOWED:
        CALLS.append(("audit hook", event))


sys.addaudithook(_audit)  # cannot be removed: armed only around a call


class HostileMarker:
    pass


class HostileCycle:
    """Instances form garbage cycles; the method names the attribute, so
    capture can name the inline attribute (3.11+)."""

    def link(self, other):
        self.partner = other


class HostileModule:
    """Stands in for a module in sys.modules: any attribute read is program
    code running."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattribute__(self, attr):
        CALLS.append(("sys.modules", object.__getattribute__(self, "_name") + "." + attr))
        raise AttributeError(attr)


MARKERS = [HostileMarker() for _ in range(40)]


def _spy(name, result):
    def spy(*args, **kwargs):
        CALLS.append((name, "called"))
        return result
    return spy


class Patch:
    """One entry point replaced by a spy while installed."""

    def __init__(self, name, install, uninstall):
        self.name, self.install, self.uninstall = name, install, uninstall


def gc_patch(attr, result):
    return Patch("gc." + attr, lambda: setattr(gc, attr, _spy("gc." + attr, result)),
                 lambda: setattr(gc, attr, REAL[attr]))


def modules_patch(key):
    saved = {}

    def install():
        saved["had"] = key in sys.modules
        saved["mod"] = sys.modules.get(key)
        sys.modules[key] = HostileModule(key)

    def uninstall():
        if saved["had"]:
            sys.modules[key] = saved["mod"]
        else:
            del sys.modules[key]
    return Patch("sys.modules[%r]" % key, install, uninstall)


def import_patch():
    real = builtins.__import__

    def spy(*args, **kwargs):
        CALLS.append(("builtins.__import__", args[0] if args else "?"))
        return real(*args, **kwargs)
    return Patch("builtins.__import__", lambda: setattr(builtins, "__import__", spy),
                 lambda: setattr(builtins, "__import__", real))


def audit_patch():
    return Patch("audit hook", lambda: AUDIT_ARMED.__setitem__(0, True),
                 lambda: AUDIT_ARMED.__setitem__(0, False))


# The test's own code that runs around a capture call (the case lambdas,
# _show, run_case): its events are not the program's.
HARNESS = {"<lambda>", "<listcomp>", "<setcomp>", "<genexpr>", "_show", "run_case"}


def _harness(frame):
    return frame.f_code.co_filename == __file__ and frame.f_code.co_name in HARNESS


def profile_patch():
    """sys.setprofile: the harness's own calls (of the capture function,
    of sys.setprofile) are not the program's code."""
    def prof(frame, event, arg):
        if not _harness(frame):
            CALLS.append(("sys.setprofile", event + " " + frame.f_code.co_name))
    return Patch("sys.setprofile", lambda: sys.setprofile(prof), lambda: sys.setprofile(None))


def trace_patch():
    def trace(frame, event, arg):
        if not _harness(frame):
            CALLS.append(("sys.settrace", event + " " + frame.f_code.co_name))
        return None
    return Patch("sys.settrace", lambda: sys.settrace(trace), lambda: sys.settrace(None))


def _show(fn, *args, **kwargs):
    out = io.StringIO()
    fn(*args, file=out, **kwargs)
    return out.getvalue()


def _lines(text, word):
    """The lines of text naming word, without addresses and line numbers
    (the frames of the test differ between runs)."""
    text = re.sub(r"0x[0-9a-f]+", "0x?", text)
    text = re.sub(r":\d+", ":?", text)
    return sorted(line.strip() for line in text.splitlines() if word in line)


class HostileRuntimeTest(unittest.TestCase):
    """Each capture function, unpatched then under each patch."""

    @classmethod
    def setUpClass(cls):
        tracemalloc.start()        # so the cycles report reads _tracemalloc
        cls.tmp = tempfile.mkdtemp(prefix="objref-hostile-")

    @classmethod
    def tearDownClass(cls):
        tracemalloc.stop()
        for f in os.listdir(cls.tmp):
            os.unlink(os.path.join(cls.tmp, f))
        os.rmdir(cls.tmp)

    def setUp(self):
        REAL["disable"]()          # the garbage below must stay until compared
        for _ in range(3):
            a, b = HostileCycle(), HostileCycle()
            a.link(b)
            b.link(a)
        del a, b

    def tearDown(self):
        REAL["enable"]()
        REAL["collect"]()

    def cases(self):
        m = MARKERS
        dot = os.path.join(self.tmp, "refs.dot")
        # (id() raises the audit event "builtins.id": taken before the calls)
        one, five = id(m[1]), {id(x) for x in m[:5]}
        ids = lambda r: sorted(map(id, r))  # noqa: E731

        def read_dot(_):
            with open(dot) as f:
                return _lines(f.read(), "HostileMarker")
        return [
            ("count", lambda: objref.count("HostileMarker"), lambda r: r),
            ("typestats", lambda: objref.typestats(), lambda r: r.get("HostileMarker")),
            ("typestats untracked", lambda: objref.typestats(untracked=True),
             lambda r: (r.get("HostileMarker"), r.get("HostileCycle"))),
            ("most_common_types", lambda: objref.most_common_types(limit=100000),
             lambda r: dict(r).get("HostileMarker")),
            ("show_most_common_types",
             lambda: _show(objref.show_most_common_types, limit=100000),
             lambda r: _lines(r, "HostileMarker")),
            ("by_type", lambda: objref.by_type("HostileMarker"), ids),
            ("at", lambda: objref.at(one), lambda r: r is m[1]),
            ("at_addrs", lambda: objref.at_addrs(five), ids),
            ("get_leaking_objects", lambda: objref.get_leaking_objects(),
             lambda r: sorted(id(o) for o in r if type(o) is HostileCycle)),
            ("growth", lambda: objref.growth(limit=100000, peak_stats={}),
             lambda r: [x for x in r if x[0] == "HostileMarker"]),
            ("show_growth", lambda: _show(objref.show_growth, limit=100000, peak_stats={}),
             lambda r: _lines(r, "HostileMarker")),
            ("get_new_ids", lambda: objref.get_new_ids(file=io.StringIO()), lambda r: type(r).__name__),
            ("checkpoint", lambda: objref.checkpoint(), lambda r: type(r).__name__),
            ("snapshot", lambda: objref.snapshot(), lambda s: s.census().get("HostileMarker")),
            ("find_backref_chain", lambda: objref.find_backref_chain(m[3], objref.is_proper_module),
             lambda r: [type(x).__name__ for x in r]),
            ("find_ref_chain", lambda: objref.find_ref_chain(m, objref.is_proper_module),
             lambda r: [type(x).__name__ for x in r]),
            ("why_alive", lambda: _show(objref.why_alive, m[4]), lambda r: _lines(r, "Hostile")),
            ("chains", lambda: objref.chains("HostileMarker"),
             lambda r: [p["text"] for p in r["patterns"]]),
            ("show_chains", lambda: _show(objref.show_chains, "HostileMarker"),
             lambda r: _lines(r, "HostileMarker")),
            ("cycles", lambda: objref.cycles(),
             lambda r: sorted((d["shape"], d["count"], d["kind"], d["alloc_site"] is not None)
                              for d in r if "HostileCycle" in d["shape"])),
            ("show_cycles", lambda: _show(objref.show_cycles), lambda r: _lines(r, "HostileCycle")),
            ("garbage", lambda: objref.garbage(),
             lambda r: sorted(kind for o, kind in r if type(o) is HostileCycle)),
            ("show_backrefs", lambda: objref.show_backrefs([m[7]], filename=dot, max_depth=2), read_dot),
            ("show_refs", lambda: objref.show_refs([m], filename=dot, max_depth=1), read_dot),
        ]

    def patches(self):
        return [import_patch(), gc_patch("get_objects", []), gc_patch("isenabled", False),
                gc_patch("disable", None), gc_patch("enable", None), gc_patch("collect", 0),
                modules_patch("gc"), modules_patch("_tracemalloc"), modules_patch("operator"),
                audit_patch(), profile_patch(), trace_patch()]

    def run_case(self, fn, patch=None):
        CALLS.clear()
        if patch:
            patch.install()
        try:
            return fn()
        finally:
            if patch:
                patch.uninstall()

    def test_matrix(self):
        import contextlib
        with contextlib.redirect_stdout(io.StringIO()):  # "Graph written to ..."
            self.matrix()

    def matrix(self):
        failures = []
        for name, fn, probe in self.cases():
            want = probe(self.run_case(fn))
            for patch in self.patches():
                with self.subTest(function=name, patch=patch.name):
                    got = probe(self.run_case(fn, patch))
                    calls = list(CALLS)
                    self.assertEqual(calls, [], "%s under %s ran program code" % (name, patch.name))
                    self.assertEqual(got, want, "%s under %s" % (name, patch.name))
                    if calls or got != want:
                        failures.append((name, patch.name))
        self.assertEqual(failures, [])

    def test_probes_see_the_heap(self):
        """The probes compare something: the markers and cycles are found."""
        self.assertEqual(objref.count("HostileMarker"), len(MARKERS))
        self.assertEqual(objref.snapshot().census()["HostileMarker"][0], len(MARKERS))
        shapes = [d for d in objref.cycles() if "HostileCycle" in d["shape"]]
        self.assertEqual(sum(d["count"] for d in shapes), 3)
        if sys.version_info[:2] != (3, 11):  # 3.11's tracemalloc misses objects with a managed dict
            self.assertTrue(all(d["alloc_site"] for d in shapes), shapes)
        if sys.version_info >= (3, 11):
            self.assertIn(".partner", shapes[0]["shape"])  # the inline attribute, named

    def test_the_spies_would_see(self):
        """Each spy records a call when program code does reach it."""
        for patch in (import_patch(), gc_patch("get_objects", []), modules_patch("operator")):
            CALLS.clear()
            patch.install()
            try:
                if patch.name == "builtins.__import__":
                    __import__("os")
                elif patch.name == "gc.get_objects":
                    gc.get_objects()
                else:
                    try:
                        sys.modules["operator"].itemgetter
                    except AttributeError:
                        pass
            finally:
                patch.uninstall()
            self.assertNotEqual(CALLS, [], patch.name)
        CALLS.clear()


class PatchedBeforeImportTest(unittest.TestCase):
    """Replacements made before objref is imported: gc's functions are
    taken from the module's definition, not its attributes; a module the
    program replaced outright is refused with a clear error."""

    def child(self, code):
        import subprocess
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ))
        return r.returncode, r.stdout.strip(), r.stderr.strip()

    def test_functions_replaced_before_import(self):
        rc, out, err = self.child(
            "import gc\n"
            "calls = []\n"
            "for n in ('get_objects', 'isenabled', 'disable', 'enable', 'collect'):\n"
            "    setattr(gc, n, lambda *a, n=n, **k: calls.append(n) or [])\n"
            "import objref\n"
            "class T: pass\n"
            "ts = [T() for _ in range(17)]\n"
            "print(objref.count('T'), objref.snapshot().census()['T'][0], calls)\n")
        self.assertEqual((rc, out), (0, "17 17 []"), err)

    def test_module_replaced_before_import(self):
        rc, out, err = self.child("import sys\nsys.modules['gc'] = object()\nimport objref\n")
        self.assertNotEqual(rc, 0)
        self.assertIn("ImportError: objref: sys.modules['gc'] is not the interpreter's gc module", err)


if __name__ == "__main__":
    unittest.main()

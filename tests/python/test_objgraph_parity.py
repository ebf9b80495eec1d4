"""objgraph parity of the pictures and get_leaking_objects: each test states
what objgraph documents (its docstrings, docs/*.txt doctests and tests.py of
mgedmin/objgraph 3.5+) and checks objref does the same.  objgraph itself is
not needed: where its algorithm is one line over the gc module, the test
runs that line."""
import gc
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import types
import unittest

import objref

def _package_parent():
    """The directory holding the objref package (__init__.py around the
    extension): objref itself, or build/package beside the bare module the
    build's tests import."""
    here = os.path.abspath(objref.__file__)
    if os.path.basename(here) == "__init__.py":
        return os.path.dirname(os.path.dirname(here))
    return os.path.join(os.path.dirname(os.path.dirname(here)), "package")


PACKAGE_PARENT = _package_parent()


def node_lines(dot):
    """{node name: its attribute text} of an agwrite DOT (one node may span lines)."""
    nodes, cur = {}, None
    for line in dot.splitlines():
        m = re.match(r"\t(n\d+)\t\[(.*)", line)
        if m:
            cur = m.group(1)
            nodes[cur] = m.group(2)
        elif cur and line.startswith("\t\t"):
            nodes[cur] += " " + line.strip()
        else:
            cur = None
    return nodes


def edge_pairs(dot):
    return re.findall(r"^\t(n\d+) -> (n\d+)", dot, re.M)


def more_nodes(dot):
    return [n for n, attrs in node_lines(dot).items() if re.search(r"label=<\d+ more ", attrs)]


class Quiet:
    """sys.stdout captured (what objgraph prints goes there)."""

    def __enter__(self):
        self.old, sys.stdout = sys.stdout, io.StringIO()
        return self

    def __exit__(self, *exc):
        self.text = sys.stdout.getvalue()
        sys.stdout = self.old


class NodeCountTest(unittest.TestCase):
    """docs/references.txt: "(N nodes)" counts objects, not the "N more"
    placeholder; show_backrefs' too_many counts referring objects."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="objref-parity-")

    def tearDown(self):
        for f in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, f))
        os.rmdir(self.dir)

    def draw(self, fn, *args, **kw):
        path = os.path.join(self.dir, "g.dot")
        with Quiet() as q:
            fn(*args, filename=path, **kw)
        with open(path) as f:
            return q.text, f.read()

    def test_too_many_references(self):
        # objgraph: show_refs([range(12)], too_many=10) -> "(11 nodes)" (a
        # list of 12 on Python 2: the list and 10 of its items)
        said, dot = self.draw(objref.show_refs, [list(range(100, 112))], too_many=10)
        self.assertRegex(said, r"^Graph written to .*g\.dot \(11 nodes\)$")
        self.assertEqual(len(more_nodes(dot)), 1)
        self.assertEqual(len(node_lines(dot)), 12)  # the placeholder is drawn, not counted

    def test_too_many_backreferences_count_referrers(self):
        # objgraph: 42 lists holding 'moo', too_many=5, max_depth=1 -> "(6 nodes)"
        # (held by self only: no frame of ours refers to it directly)
        self.moo = "moo-parity"
        self.refs_to_moo = [[self.moo] * 7]  # one referrer holding it 7 times
        self.refs_to_moo += [[self.moo] for n in range(42)]
        said, dot = self.draw(objref.show_backrefs, [self.moo], too_many=5, max_depth=1)
        self.assertRegex(said, r"\(6 nodes\)")
        sources = set(a for a, b in edge_pairs(dot) if b == "n0" and a not in more_nodes(dot))
        self.assertEqual(len(sources), 5)  # five referring objects (all their references drawn)

    def test_float_limits(self):
        # objgraph compares `n >= too_many` and `depth >= max_depth`: floats work
        x = [[[["deep"]]], list(range(200, 210))]
        _, with_ints = self.draw(objref.show_refs, [x], max_depth=2, too_many=3)
        _, with_floats = self.draw(objref.show_refs, [x], max_depth=1.5, too_many=2.5)
        self.assertEqual(len(node_lines(with_ints)), len(node_lines(with_floats)))
        _, unlimited = self.draw(objref.show_refs, [x], max_depth=float("inf"),
                                 too_many=float("inf"))
        self.assertEqual(more_nodes(unlimited), [])
        self.assertGreater(len(node_lines(unlimited)), len(node_lines(with_ints)))
        with self.assertRaises(ValueError):
            objref.show_refs([x], too_many=float("nan"), output=io.StringIO())
        with self.assertRaises(TypeError):
            objref.show_refs([x], max_depth="3", output=io.StringIO())


class ExtraNodeAttrsTest(unittest.TestCase):
    """tests.py: extra_node_attrs(obj) -> dict; None values left out."""

    def test_attributes_on_every_object_node(self):
        x = ["attrs"]
        out = io.StringIO()
        objref.show_refs([x], max_depth=1, output=out,
                         extra_node_attrs=lambda o: {"URL": "http://e.com/" + type(o).__name__,
                                                     "shape": "diamond", "ignored": None})
        nodes = node_lines(out.getvalue())
        self.assertEqual(len(nodes), 2)
        for attrs in nodes.values():
            self.assertIn("shape=diamond", attrs)
            self.assertNotIn("ignored", attrs)
        self.assertIn('URL="http://e.com/list"', out.getvalue())
        self.assertIn('URL="http://e.com/str"', out.getvalue())

    def test_bad_key_and_bad_result(self):
        with self.assertRaisesRegex(ValueError, "extra_node_attrs"):
            objref.show_refs([["k"]], output=io.StringIO(),
                             extra_node_attrs=lambda o: {"no spaces": "x"})
        with self.assertRaises(Exception):
            objref.show_refs([["k"]], output=io.StringIO(), extra_node_attrs=lambda o: 42)

    def test_show_chain_too(self):
        target = ["chained-attrs"]
        holder = {"t": target}
        out = io.StringIO()
        objref.show_chain([holder, target], output=out, extra_node_attrs=lambda o: {"shape": "oval"})
        self.assertEqual(out.getvalue().count("shape=oval"), 2)


class ShowChainTest(unittest.TestCase):
    """objgraph.show_chain(*chains, **kw) passes kw on to show_backrefs (with
    max_depth and filter of its own)."""

    def setUp(self):
        self.c = ["end"]
        self.b = [self.c]
        self.a = [self.b]
        self.chain = [self.a, self.b, self.c]

    def draw(self, *chains, **kw):
        """objgraph's "(N nodes)" of the picture."""
        d = tempfile.mkdtemp(prefix="objref-chain-")
        path = os.path.join(d, "chain.dot")
        try:
            with Quiet() as q:
                objref.show_chain(*chains, filename=path, **kw)
        finally:
            if os.path.exists(path):
                os.unlink(path)
            os.rmdir(d)
        return int(re.search(r"\((\d+) nodes\)", q.text).group(1))

    def test_whole_chain(self):
        self.assertEqual(self.draw(self.chain), 3)
        out = io.StringIO()
        objref.show_chain(self.chain, output=out)
        self.assertEqual(len(edge_pairs(out.getvalue())), 2)

    def test_too_many_zero_keeps_only_the_end(self):
        self.assertEqual(self.draw(self.chain, too_many=0), 1)
        self.assertEqual(self.draw(self.chain, too_many=1.0), 3)

    def test_two_chains_share_one_slot_with_too_many_1(self):
        self.other = [self.b]
        self.assertEqual(self.draw(self.chain, [self.other, self.b, self.c], too_many=1), 3)
        self.assertEqual(self.draw(self.chain, [self.other, self.b, self.c], too_many=2), 4)

    def test_extra_ignore_cuts_the_chain(self):
        self.assertEqual(self.draw(self.chain, extra_ignore=[id(self.b)]), 1)
        self.assertEqual(self.draw(self.chain, backrefs=False, extra_ignore=[id(self.c)]), 2)

    def test_max_depth_and_filter_are_show_chains_own(self):
        # objgraph: show_backrefs(..., max_depth=..., filter=..., **kw) -> TypeError
        with self.assertRaises(TypeError):
            self.draw(self.chain, max_depth=2)
        with self.assertRaises(TypeError):
            self.draw(self.chain, filter=bool)


class IsProperModuleTest(unittest.TestCase):
    """objgraph's docstring doctest, and obj= as a keyword."""

    def test_doctest(self):
        self.assertIs(objref.is_proper_module([]), False)
        self.assertIs(objref.is_proper_module(types), True)
        self.assertIs(objref.is_proper_module(types.ModuleType("foo")), False)

    def test_keyword(self):
        self.assertIs(objref.is_proper_module(obj=types), True)
        with self.assertRaises(TypeError):
            objref.is_proper_module()


class TempdirTest(unittest.TestCase):
    """objgraph writes its temporary files with tempfile.mkstemp: in
    tempfile.tempdir when the program sets it."""

    def test_tempfile_tempdir(self):
        d = tempfile.mkdtemp(prefix="objref-tempdir-")
        old = tempfile.tempdir
        tempfile.tempdir = d
        try:
            with Quiet() as q:
                objref.show_refs([["in tempdir"]], max_depth=1)
            self.assertIn("Graph written to %s/objref-" % d, q.text)
            names = os.listdir(d)
            self.assertTrue(any(n.endswith(".dot") for n in names), names)
        finally:
            tempfile.tempdir = old
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
            os.rmdir(d)


def run_child(code):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([PACKAGE_PARENT, env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if out.returncode != 0:
        raise AssertionError("child failed (%d): %s" % (out.returncode, out.stderr.decode()))
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


@unittest.skipUnless(os.path.exists(os.path.join(PACKAGE_PARENT, "objref", "__init__.py")),
                     "the objref package (build/package) is not built")
class IPythonTest(unittest.TestCase):
    """objgraph inside IPython (the __IPYTHON__ builtin) returns the picture
    instead of writing files, unless filename or output is given (the
    package objref/__init__.py decides at import, as objgraph does).
    IPython is faked here; objref never imports it."""

    # A temporary directory of the child's own: tests run in parallel
    # write objref-* files into the shared one.
    PRELUDE = """
        import builtins, json, sys, types, os, tempfile
        import atexit, shutil
        os.environ['TMPDIR'] = tempfile.mkdtemp(prefix='ipython-test-')
        tempfile.tempdir = None
        atexit.register(shutil.rmtree, os.environ['TMPDIR'], True)
        builtins.__IPYTHON__ = True
        sys.modules['IPython'] = types.ModuleType('IPython')
    """

    def test_picture_object(self):
        res = run_child(self.PRELUDE + """
        import objref
        x = ['inline']
        before = set(os.listdir(tempfile.gettempdir()))
        p = objref.show_refs([x], max_depth=1)
        b = objref.show_backrefs([x], max_depth=1)
        c = objref.show_chain([x])
        written = set(os.listdir(tempfile.gettempdir())) - before
        d = os.path.join(tempfile.mkdtemp(), 'f.dot')
        f = objref.show_refs([x], filename=d)
        d2 = os.path.join(tempfile.mkdtemp(), 'g.dot')
        g = objref.show_refs([x], 1, (), None, 10, None, d2)  # filename by position
        h = objref.show_refs([x], 1, [id(x)])  # extra_ignore by position
        print(json.dumps({'type': type(p).__name__, 'dot': p.source.startswith('digraph'),
                          'svg': '<svg' in p._repr_svg_(), 'png': p._repr_png_()[:4] == b'\\x89PNG',
                          'back': type(b).__name__, 'chain': type(c).__name__,
                          'files': sorted(n for n in written if n.startswith('objref-')),
                          'file': f is None and os.path.exists(d),
                          'positional': g is None and os.path.exists(d2),
                          'positional_ignore': type(h).__name__,
                          'ipython_imported_by_us': 'IPython.display' in sys.modules}))
        """)
        self.assertEqual(res, {"type": "Picture", "dot": True, "svg": True, "png": True,
                               "back": "Picture", "chain": "Picture", "files": [], "file": True,
                               "positional": True, "positional_ignore": "Picture",
                               "ipython_imported_by_us": False})

    def test_graphviz_source_when_graphviz_is_imported(self):
        res = run_child(self.PRELUDE + """
        gv = types.ModuleType('graphviz')
        gv.Source = lambda text: ('Source', text[:7])
        sys.modules['graphviz'] = gv
        import objref
        print(json.dumps(objref.show_refs([['x']], max_depth=1)))
        """)
        self.assertEqual(res, ["Source", "digraph"])

    def test_not_inside_ipython(self):
        res = run_child("""
        import builtins, json, sys, io
        import objref
        out = io.StringIO()
        print(json.dumps([objref.show_refs([['x']], output=out), 'IPython' in sys.modules]))
        """)
        self.assertEqual(res, [None, False])


class LeakingObjectsTest(unittest.TestCase):
    """objgraph.get_leaking_objects(): of gc.get_objects(), those that no
    object of it refers to, as gc.get_referents tells (objgraph's one line,
    run here).  Objects held only by the interpreter's own tables (a type's
    subclasses, a module's m_copy) are in both lists."""

    @staticmethod
    def objgraph_way(objects):
        ids = set(id(i) for i in objects)
        for i in objects:
            ids.difference_update(id(j) for j in gc.get_referents(i))
        return [i for i in objects if id(i) in ids]

    def test_same_objects_as_objgraphs_algorithm(self):
        gc.collect()
        was = gc.isenabled()
        gc.disable()
        try:
            before = set(id(o) for o in gc.get_objects())
            theirs = set(id(o) for o in self.objgraph_way(gc.get_objects())) & before
            mine = set(id(o) for o in objref.get_leaking_objects()) & before
        finally:
            if was:
                gc.enable()
        # an address freed between the two calls may hold a new object
        # (the calls' own temporaries): compare what is still there
        alive = set(id(o) for o in gc.get_objects()) & before
        self.assertGreater(len(theirs), 10)
        self.assertEqual([repr(objref.at(i))[:300] for i in (theirs - mine) & alive], [])
        self.assertEqual([repr(objref.at(i))[:300] for i in (mine - theirs) & alive], [])


if __name__ == "__main__":
    unittest.main()


class GetNewIdsTest(unittest.TestCase):
    """objgraph's tests.py GetNewIdsTest and its get_new_ids doctest."""

    def setUp(self):
        objref.get_new_ids(limit=0, shortnames=True)

    def test_get_new_ids(self):
        x = type('MyClass', (), {'__module__': 'mymodule'})()  # noqa
        new_ids = objref.get_new_ids(limit=0)
        self.assertIn(id(x), new_ids['MyClass'])
        new_ids = objref.get_new_ids(limit=0)
        self.assertNotIn(id(x), new_ids['MyClass'])

    def test_get_new_ids_skip_update(self):
        x = type('MyClass', (), {'__module__': 'mymodule'})()  # noqa
        new_ids = objref.get_new_ids(limit=0)
        self.assertIn(id(x), new_ids['MyClass'])
        new_ids = objref.get_new_ids(skip_update=True, limit=0)
        self.assertIn(id(x), new_ids['MyClass'])

    def test_get_new_ids_long_typename(self):
        objref.get_new_ids(limit=0, shortnames=False)
        x = type('MyClass', (), {'__module__': 'mymodule'})()  # noqa
        new_ids = objref.get_new_ids(limit=0)
        self.assertIn(id(x), new_ids['mymodule.MyClass'])
        objref.get_new_ids(limit=0, shortnames=True)

    def test_prints(self):
        objref.get_new_ids(limit=0)
        objref.get_new_ids(limit=0)
        self.a = [0, 1, 2]
        self.b = [3, 4, 5]
        out = io.StringIO()
        objref.get_new_ids(limit=1, file=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 5)
        self.assertEqual(lines[0], "=" * 56)
        self.assertEqual(lines[1].split(), ["Type", "Old_ids", "Current_ids", "New_ids",
                                            "Count_Deltas"])
        name, old, current, new, delta = lines[3].split()
        self.assertEqual(name, "list")  # the two lists (the test runner may add one)
        self.assertGreaterEqual(int(delta), 2)
        self.assertEqual(int(current) - int(old), int(delta))
        self.assertGreaterEqual(int(new), int(delta))
        self.assertEqual(lines[4], "=" * 56)

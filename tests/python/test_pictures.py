"""Pictures: objgraph's show_backrefs / show_refs / show_chain, drawn by
libgvc in-process (no `dot` program), PNGs that carry their DOT.

DOT is compared as text (node and edge lines); pictures by what can be
read back (text chunks, size, well-formed SVG), never by their bytes."""
import contextlib
import gc
import html
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import unittest
import xml.etree.ElementTree as ET
import zlib

import objref
from tests.python.support import Tripwire, load_objgraph

MODULE_DIR = os.path.dirname(os.path.abspath(objref.__file__))


def png_chunks(path):
    """[(type, data)] of a PNG file, checking every CRC."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, at = [], 8
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        crc, = struct.unpack(">I", data[at + 8 + n:at + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xffffffff, "bad CRC in %r" % kind
        chunks.append((kind.decode("ascii"), body))
        at += 12 + n
    return chunks


def itxt(chunks):
    """{keyword: text} of the iTXt chunks."""
    out = {}
    for kind, body in chunks:
        if kind != "iTXt":
            continue
        key, rest = body.split(b"\0", 1)
        compressed, _method = rest[0], rest[1]
        _lang, _tkey, text = rest[2:].split(b"\0", 2)
        out[key.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode("utf-8")
    return out


def _attrs(text):
    """key=value pairs of an agwrite attribute list: "quoted", <html> (nested
    angle brackets) or bare values."""
    out, i = {}, 0
    while i < len(text):
        m = re.compile(r"[\s,]*(\w+)=").match(text, i)
        if not m:
            break
        key, i = m.group(1), m.end()
        if text[i] == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out[key], i = text[i + 1:j], j + 1
        elif text[i] == "<":
            depth, j = 0, i
            while True:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            out[key], i = text[i + 1:j - 1], j
        else:
            m = re.compile(r"[^\s,\]]+").match(text, i)
            out[key], i = m.group(0), m.end()
    return out


def parse_dot(dot):
    """({node: attrs}, [(from, to, attrs)]) of the DOT that agwrite writes:
    one statement per line, continued on lines that start with two tabs."""
    stmts = []
    for line in dot.splitlines():
        if line.startswith("\t\t") and stmts:
            stmts[-1] += " " + line.strip()
        elif line.startswith("\t"):
            stmts.append(line[1:])
    nodes, edges_ = {}, []
    for st in stmts:
        m = re.match(r"(n\d+)(?: -> (n\d+))?\s*(?:\[(.*)\])?;?$", st, re.S)
        if not m:
            continue
        attrs = _attrs(m.group(3) or "")
        if m.group(2):
            edges_.append((m.group(1), m.group(2), attrs))
        else:
            nodes[m.group(1)] = attrs
    return nodes, edges_


def text_of(html_label):
    return html.unescape(re.sub(r"<[^>]*>", " ", html_label or "")).strip()


def node_labels(dot):
    """{node name: label text with the markup removed}."""
    return {n: text_of(a.get("label")) for n, a in parse_dot(dot)[0].items()}


def edges(dot):
    """[(from, to, label text)]."""
    return [(a, b, text_of(attrs.get("label"))) for a, b, attrs in parse_dot(dot)[1]]


class Holder:
    def __init__(self, payload):
        self.payload = payload


REGISTRY = {}


class ShowBackrefs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="objref-pictures-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def quiet(self, fn, *args, **kw):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            fn(*args, **kw)
        return out.getvalue()

    def test_dot_structure(self):
        target = ("leaked", 42)
        h = Holder([target])
        REGISTRY["k"] = h
        try:
            path = os.path.join(self.tmp, "b.dot")
            said = self.quiet(objref.show_backrefs, [target], max_depth=6, filename=path)
            self.assertRegex(said, r"^Graph written to .*b\.dot \(\d+ nodes\)\n$")
            with open(path) as f:
                dot = f.read()
        finally:
            del REGISTRY["k"]
        self.assertTrue(dot.startswith("digraph objref {"))
        labels = node_labels(dot)
        # the target first, highlighted as the sample
        self.assertIn("tuple", labels["n0"])
        self.assertEqual(parse_dot(dot)[0]["n0"]["fillcolor"], "#ffe08a")
        texts = [(labels[a].split()[0], labels[b].split()[0], lab) for a, b, lab in edges(dot)]
        self.assertIn(("list", "tuple", "[0]"), texts)
        self.assertIn(("dict", "Holder", "['k']"), texts)
        self.assertTrue(any(lab == ".payload" or lab == "['payload']" for _, _, lab in texts), texts)
        # the module is reached and drawn green
        mods = [n for n, t in labels.items() if t.split()[0] == "module"]
        self.assertTrue(mods)
        self.assertEqual(parse_dot(dot)[0][mods[0]]["fillcolor"], "#b9e4c9")

    def test_max_depth_and_too_many(self):
        target = ["shared"]
        holders = [[target] for _ in range(25)]
        out = io.StringIO()
        objref.show_backrefs([target], max_depth=1, too_many=10, output=out)
        dot = out.getvalue()
        labels = node_labels(dot)
        # 10 drawn + one "more" node (+ on 3.11+ the running frame: not an object)
        into = [e for e in edges(dot) if e[1] == "n0" and not labels[e[0]].startswith("frame ")]
        self.assertEqual(len(into), 11)
        more = [t for t in labels.values() if "more referrer" in t]
        self.assertEqual(len(more), 1)
        n = int(more[0].split()[0])
        self.assertGreaterEqual(n, 15)  # 25 holders (+ this frame's locals on 3.10-)
        # max_depth=1: nothing beyond the referrers
        self.assertEqual(len([t for t in labels.values() if not t.startswith("frame ")]), 12)
        del holders

    def test_filter_highlight_extra_info(self):
        target = ["x"]
        a, b = [target], {"t": target}
        out = io.StringIO()
        objref.show_backrefs([target], max_depth=1, output=out,
                             filter=lambda o: not isinstance(o, dict),
                             highlight=lambda o: isinstance(o, list) and o is a,
                             extra_info=lambda o: "len=%d" % len(o) if isinstance(o, list) else "other")
        dot = out.getvalue()
        labels = node_labels(dot)
        self.assertFalse([t for t in labels.values() if t.startswith("dict")])
        self.assertTrue(all(t.endswith("len=1") or t.endswith("other") for n, t in labels.items()
                            if "more" not in t and not t.startswith("frame ")), labels)
        self.assertIn('fillcolor="#a9c8f0"', dot)  # the highlighted list
        del a, b

    def test_show_refs_svg_escaping(self):
        evil = {'"]; evil [shape=none': 1, "<script>alert(1)</script>": 2, "a & b": 3}
        path = os.path.join(self.tmp, "r.svg")
        said = self.quiet(objref.show_refs, [evil], filename=path)
        self.assertIn("Image generated as " + path, said)
        with open(path, encoding="utf-8") as f:
            svg = f.read()
        root = ET.fromstring(svg)  # well-formed
        self.assertTrue(root.tag.endswith("svg"))
        self.assertFalse([e for e in root.iter() if e.tag.endswith("script")])
        texts = " ".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
        self.assertIn("['<script>alert(1)</script>']", texts)
        self.assertIn("['\"]; evil [shape=none']", texts)
        self.assertIn("['a & b']", texts)
        # and the graph: the dict, its three values, nothing named evil
        dot = io.StringIO()
        objref.show_refs([evil], max_depth=1, output=dot)
        self.assertEqual(len(node_labels(dot.getvalue())), 1 + 3)

    def test_png_carries_dot(self):
        target = ("png", 1)
        keep = [target]
        path = os.path.join(self.tmp, "b.png")
        said = self.quiet(objref.show_backrefs, [target], filename=path)
        m = re.match(r"Graph written to (\S+) \((\d+) nodes\)\nImage generated as (\S+)\n$", said)
        self.assertTrue(m, said)
        self.assertEqual(m.group(3), path)
        with open(m.group(1)) as f:
            dot = f.read()
        os.unlink(m.group(1))
        chunks = png_chunks(path)
        self.assertEqual(chunks[0][0], "IHDR")
        width, height = struct.unpack(">II", chunks[0][1][:8])
        self.assertGreater(width, 50)
        self.assertGreater(height, 50)
        texts = itxt(chunks)
        self.assertEqual(texts["DOT"], dot)
        self.assertEqual(objref.extract_dot(path), dot)
        self.assertTrue(texts["Software"].startswith("objref %s (Graphviz " % objref.__version__))
        self.assertEqual(texts["Python"], sys.version.split()[0])
        self.assertIn("Command", texts)
        del keep

    def test_show_chain(self):
        target = ("chained", 7)
        REGISTRY["c"] = Holder([target])
        try:
            chain = objref.find_backref_chain(target, objref.is_proper_module)
            out = io.StringIO()
            objref.show_chain(chain, output=out)
        finally:
            del REGISTRY["c"]
        dot = out.getvalue()
        labels = node_labels(dot)
        self.assertEqual(len(labels), len(chain))
        self.assertEqual(len(edges(dot)), len(chain) - 1)
        self.assertEqual(labels["n0"].split()[0], "module")
        self.assertIn("['REGISTRY']", [e[2] for e in edges(dot)])

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "Cannot specify both output and filename"):
            objref.show_backrefs([1], filename="x.dot", output=io.StringIO())
        with self.assertRaisesRegex(ValueError, "name it .png, .svg, .pdf or .dot"):
            objref.show_backrefs([[]], filename=os.path.join(self.tmp, "x.gif"))
        with self.assertRaises(OSError):
            objref.show_backrefs([[]], filename="/nonexistent/dir/x.dot")
        # an unwritable image: the DOT is kept and said where
        said = self.quiet(objref.show_backrefs, [[]], filename="/nonexistent/dir/x.png")
        m = re.search(r"Image not generated: cannot write '/nonexistent/dir/x.png'.*; the DOT is in (\S+)",
                      said)
        self.assertTrue(m, said)
        self.assertTrue(os.path.getsize(m.group(1)) > 0)
        os.unlink(m.group(1))
        with self.assertRaises(OSError):
            objref.extract_dot(os.path.join(self.tmp, "none.png"))
        notpng = os.path.join(self.tmp, "n.png")
        with open(notpng, "w") as f:
            f.write("plain text")
        with self.assertRaisesRegex(ValueError, "not a PNG"):
            objref.extract_dot(notpng)

    def test_node_cap(self):
        many = [("item", i) for i in range(2500)]
        # the default cap: 2,000 nodes, the rest counted and said
        out = os.path.join(self.tmp, "cap.dot")
        said = self.quiet(objref.show_refs, [many], max_depth=1, too_many=3000, filename=out)
        self.assertIn("objref: 501 objects were left out: a picture shows at most 2000 nodes", said)
        with open(out) as f:
            dot = f.read()
        self.assertEqual(len(node_labels(dot)), 2000)
        self.assertIn("truncated: 501 more objects not drawn (the picture's limit is 2000 nodes)",
                      html.unescape(dot))
        # past the cap (max_nodes raised): the DOT only
        png = os.path.join(self.tmp, "cap.png")
        said = self.quiet(objref.show_refs, [many], max_depth=1, too_many=3000, max_nodes=3000,
                          filename=png)
        m = re.search(r"Image not generated: 2501 nodes are more than a picture can show \(2000\); "
                      r"the DOT is in (\S+)", said)
        self.assertTrue(m, said)
        self.assertFalse(os.path.exists(png))
        os.unlink(m.group(1))

    def test_render_timeout_leaves_caller_alive(self):
        dot = "digraph {%s}" % " ".join("n%d -> n%d; n%d -> n%d;" % (i, i + 1, i + 1, i // 2)
                                       for i in range(1500))
        path = os.path.join(self.tmp, "slow.png")
        with self.assertRaisesRegex(RuntimeError, "took more than"):
            objref.render_dot(dot, path, timeout=0.001)
        self.assertFalse(os.path.exists(path))
        objref.render_dot("digraph { a -> b }", path)
        self.assertTrue(itxt(png_chunks(path))["DOT"].startswith("digraph"))

    def test_no_program_code_runs(self):
        Tripwire.calls = []
        t = Tripwire()
        holder = {"t": t}
        out = io.StringIO()
        objref.show_backrefs([t], output=out, refcounts=True)
        objref.show_refs([holder], output=out)
        self.assertEqual(Tripwire.calls, [])
        self.assertIn("Tripwire", out.getvalue())


class NoDotProgram(unittest.TestCase):
    """Pictures come from libgvc: with no `dot` on PATH they still appear."""

    def test_png_without_dot_on_path(self):
        tmp = tempfile.mkdtemp(prefix="objref-nodot-")
        try:
            env = dict(os.environ, PATH=tmp, PYTHONPATH=MODULE_DIR)
            code = textwrap.dedent("""
                import objref, sys
                x = [("a", 1)]
                objref.show_backrefs(x[0], filename=sys.argv[1])
                """)
            out = subprocess.run([sys.executable, "-c", code, os.path.join(tmp, "x.png")], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 universal_newlines=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("Image generated as", out.stdout)
            self.assertIn("DOT", itxt(png_chunks(os.path.join(tmp, "x.png"))))
        finally:
            shutil.rmtree(tmp)


class LikeObjgraph(unittest.TestCase):
    """The same objects as objgraph's picture of the same call."""

    def test_same_nodes_as_objgraph_refs(self):
        objgraph = load_objgraph()
        leaf = ("leaf", 1)
        obj = {"a": [leaf, leaf], "b": Holder(leaf)}
        theirs, ours = io.StringIO(), io.StringIO()
        objgraph.show_refs([obj], max_depth=2, output=theirs)
        objref.show_refs([obj], max_depth=2, output=ours)
        n_theirs = len(set(re.findall(r"^  (o\d+)\[label=", theirs.getvalue(), re.M)))
        n_ours = len(node_labels(ours.getvalue()))
        self.assertEqual(n_ours, n_theirs)
        gc.collect()


if __name__ == "__main__":
    unittest.main()

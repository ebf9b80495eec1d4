"""The Chrome .heapsnapshot export, read by a real parser: memlab's
(@memlab/core from npm, installed once on first use into build-cache/memlab
beside the checkout, shared by every build's tests, or into
$OBJREF_MEMLAB_DIR; the test skips, saying why, when node, npm or the
registry is missing).

The retainer path memlab finds for a leaked sample must carry the same
labels as objref's own chain to it."""
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import objref

SOURCE = os.environ.get("OBJREF_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MEMLAB = os.environ.get("OBJREF_MEMLAB_DIR") or os.path.join(SOURCE, "build-cache", "memlab")

# The leak: module global -> dict -> list -> dict -> list -> tuple.
REGISTRY = {"sessions": [{"history": [(i, j, "h") for j in range(4)]} for i in range(6)]}

NODE_SCRIPT = r"""
const path = require('path');
const core = require(path.join(process.argv[1], 'node_modules', '@memlab', 'core'));
(async () => {
  const snap = await core.utils.getSnapshotFromFile(process.argv[2], {buildNodeIdIndex: true});
  const finder = new core.TraceFinder();
  finder.annotateShortestPaths(snap);
  let node = snap.getNodeById(Number(process.argv[3]));
  if (!node) { console.log(JSON.stringify({error: 'no node'})); return; }
  const steps = [];
  while (node && node.pathEdge) {
    const e = node.pathEdge;
    steps.unshift({from: e.fromNode.name, fromId: e.fromNode.id, type: e.type,
                   name: e.name_or_index, to: node.name});
    node = e.fromNode;
  }
  console.log(JSON.stringify({nodes: snap.nodes.length, steps}));
})().catch(e => { console.log(JSON.stringify({error: String(e)})); });
"""


def ensure_memlab():
    """The directory holding node_modules/@memlab/core, or a skip.  Builds
    testing at once (ctest -j, several Pythons) install it once: the first
    holds a lock on the directory while npm runs."""
    if not shutil.which("node") or not shutil.which("npm"):
        raise unittest.SkipTest("node or npm is not installed: memlab cannot be fetched")
    os.makedirs(MEMLAB, exist_ok=True)
    with open(os.path.join(MEMLAB, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return install_memlab()


def install_memlab():
    if os.path.isfile(os.path.join(MEMLAB, "node_modules", "@memlab", "core", "package.json")):
        return MEMLAB
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
    try:
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@memlab/core"], cwd=MEMLAB,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
                           universal_newlines=True)
    except subprocess.TimeoutExpired:
        raise unittest.SkipTest("npm install @memlab/core timed out (registry unreachable?)")
    if r.returncode != 0:
        raise unittest.SkipTest("npm install @memlab/core failed (registry unreachable?): %s"
                                % r.stdout.strip().splitlines()[-1:])
    return MEMLAB


def objref_chain_labels(snap, addr):
    """objref's chain from the nearest module to the object at addr, as
    (type, label) steps read from the snapshot's own edges."""
    obj = objref.at(addr, untracked=True)
    chain = objref.find_backref_chain(obj, objref.is_proper_module)
    del obj
    steps = []
    for a, b in zip(chain, chain[1:]):
        labels = [lab for lab, to, _ in snap.referents(id(a)) if to == id(b)]
        steps.append((type(a).__name__, labels[0]))
    return id(chain[0]), steps


class HeapSnapshotTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="objref-hs-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_memlab_retainer_path_matches_chain(self):
        memlab = ensure_memlab()
        addr = id(REGISTRY["sessions"][3]["history"][2])
        snap = objref.snapshot()
        out = os.path.join(self.dir, "heap.heapsnapshot")
        objref.write_heapsnapshot(snap, out)
        hid = objref._heapsnapshot_id(snap, addr)
        r = subprocess.run(["node", "-e", NODE_SCRIPT, memlab, out, str(hid)], timeout=300,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", got)
        self.assertEqual(got["nodes"], len(snap) + 1 + len({x.kind for x in snap.roots()}))
        steps = got["steps"]
        self.assertEqual(steps[-1]["to"], "tuple")
        module_addr, want = objref_chain_labels(snap, addr)
        module_id = objref._heapsnapshot_id(snap, module_addr)
        starts = [i for i, s in enumerate(steps) if s["fromId"] == module_id]
        self.assertTrue(starts, "memlab's path does not pass through the module: %s" % steps)
        mine = [(s["from"], "[%d]" % s["name"] if s["type"] == "element" else s["name"])
                for s in steps[starts[0]:]]
        self.assertEqual(mine, want)
        self.assertIn(("list", "[3]"), mine)
        self.assertIn(("dict", "['history']"), mine)

    def test_from_dump_file(self):
        memlab = ensure_memlab()
        dump = os.path.join(self.dir, "heap.objref")
        objref.dump(dump)
        out = os.path.join(self.dir, "from-dump.heapsnapshot")
        objref.write_heapsnapshot(dump, out)
        snap = objref.load(dump)
        addr = id(REGISTRY["sessions"][1]["history"][0])
        hid = objref._heapsnapshot_id(snap, addr)
        r = subprocess.run(["node", "-e", NODE_SCRIPT, memlab, out, str(hid)], timeout=300,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", got)
        self.assertEqual(got["steps"][-1]["to"], "tuple")
        self.assertEqual(got["steps"][-1]["name"], 0)
        with self.assertRaises(OSError):
            objref.write_heapsnapshot(os.path.join(self.dir, "missing.objref"), out + "2")
        bad = os.path.join(self.dir, "bad.objref")
        with open(bad, "wb") as f:
            f.write(b"not a dump")
        with self.assertRaises(objref.DumpError) as cm:
            objref.write_heapsnapshot(bad, out + "2")
        self.assertIn(bad, str(cm.exception))
        self.assertFalse(os.path.exists(out + "2"))


if __name__ == "__main__":
    unittest.main()

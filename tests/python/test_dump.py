"""Heap dumps: objref.dump (in process and forked), objref.load, the
DumpJob, the failure cases, and dumps read across Python versions."""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import objref

ROOT_FRAME = 2


class DumpLeaked:
    pass


class Holder:
    def __init__(self, n):
        self.items = [DumpLeaked() for _ in range(n)]


def check_heap(test, snap, holder):
    """The snapshot holds holder, its list and every DumpLeaked, labelled."""
    test.assertTrue(snap.validate())
    info = snap.object(id(holder))
    test.assertIsNotNone(info)
    test.assertEqual(info["type"], "Holder")
    labels = {label: addr for label, addr, _ in snap.referents(id(holder.__dict__))} \
        if snap.object(id(holder.__dict__)) else {}
    items = [a for lab, a, t in snap.referents(id(holder.items)) if t == "DumpLeaked"]
    test.assertEqual(items, [id(x) for x in holder.items])
    test.assertGreaterEqual(snap.census()["DumpLeaked"][0], len(holder.items))
    return labels


class DumpTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="objref-dump-")
        self.holder = Holder(500)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name="heap.objref"):
        return os.path.join(self.dir, name)

    def assert_no_leftovers(self, path):
        self.assertFalse(os.path.exists(path + ".tmp"), "a partial file was left")

    def test_dump_in_process(self):
        st = objref.dump(self.path())
        self.assertEqual(st["fork"], 0)
        self.assertEqual(st["file_size"], os.path.getsize(self.path()))
        snap = objref.load(self.path())
        self.assertEqual(len(snap), st["objects"])
        check_heap(self, snap, self.holder)
        self.assert_no_leftovers(self.path())

    def test_dump_forked(self):
        job = objref.dump(self.path(), fork=True)
        self.assertNotEqual(job.pid, os.getpid())
        self.assertEqual(job.path, self.path())
        st = job.wait(timeout=60)
        self.assertTrue(job.done())
        self.assertEqual(job.wait(), st)  # settled once, same answer after
        self.assertEqual(st["fork"], 1)
        self.assertEqual(st["pid"], job.pid)
        snap = objref.load(self.path())
        self.assertEqual(len(snap), st["objects"])
        check_heap(self, snap, self.holder)
        info = objref.dump_info(self.path())
        self.assertEqual(info["pid"], os.getpid())  # the heap's process, not the child
        self.assertEqual(info["python_hexversion"], sys.hexversion)
        self.assertEqual(info["python_version"], "%d.%d.%d" % sys.version_info[:3])
        self.assert_no_leftovers(self.path())

    def test_sequence_and_process(self):
        a = objref.dump(self.path("a"))
        b = objref.dump(self.path("b"), fork=True).wait(timeout=60)
        self.assertEqual(b["sequence"], a["sequence"] + 1)
        ia, ib = objref.dump_info(self.path("a")), objref.dump_info(self.path("b"))
        self.assertEqual((ia["pid"], ia["process_start"], ia["boot_id"]),
                         (ib["pid"], ib["process_start"], ib["boot_id"]))
        self.assertNotEqual(ia["process_start"], 0)
        self.assertLessEqual(ia["time_ns"], ib["time_ns"])

    def test_new_objects_between_dumps(self):
        objref.dump(self.path("a"))
        old = self.holder.items[:10]
        added = Holder(50)
        objref.dump(self.path("b"), fork=True).wait(timeout=60)
        a, b = objref.load(self.path("a")), objref.load(self.path("b"))
        new = set(objref.new_objects(b, a))
        # The rule: new unless "a" had an object of the same type at the
        # same address.  A DumpLeaked freed after "a" (an earlier test's) may
        # hand its block to an added one, which then counts as old.
        for x in added.items + [added]:
            was = a.object(id(x))
            self.assertEqual(id(x) in new, was is None or was["type"] != type(x).__name__)
        self.assertFalse({id(x) for x in old} & new)
        self.assertGreater(len(new), 0)
        with self.assertRaises(objref.DumpError) as cm:
            objref.new_objects(a, b)  # out of order
        self.assertIn("time order", str(cm.exception))

    def test_compressed(self):
        st = objref.dump(self.path(), fork=True, compress=True).wait(timeout=60)
        with open(self.path(), "rb") as f:
            self.assertEqual(f.read(2), b"\x1f\x8b")
        self.assertEqual(objref.dump_info(self.path())["compressed"], 1)
        snap = objref.load(self.path())
        self.assertEqual(len(snap), st["objects"])
        check_heap(self, snap, self.holder)

    def test_other_threads_frames_are_roots(self):
        """Raw fork: the child still sees the other threads' frames."""
        ready, stop = threading.Event(), threading.Event()
        marker = []

        def worker():
            pending = [DumpLeaked() for _ in range(3)]
            marker.append(pending)
            ready.set()
            stop.wait()
            return pending

        t = threading.Thread(target=worker)
        t.start()
        try:
            ready.wait(10)
            objref.dump(self.path(), fork=True).wait(timeout=60)
        finally:
            stop.set()
            t.join()
        snap = objref.load(self.path())
        frame_locals = {(r.name, r.addr) for r in snap.roots() if r.kind == ROOT_FRAME}
        self.assertIn(("pending", id(marker[0])), frame_locals)

    def test_second_dump_while_one_runs(self):
        job = objref.dump(self.path("a"), fork=True)
        with self.assertRaises(RuntimeError) as cm:
            objref.dump(self.path("b"))
        self.assertIn("already being written", str(cm.exception))
        self.assertFalse(os.path.exists(self.path("b.tmp")))
        job.wait(timeout=60)
        objref.dump(self.path("b"))  # fine once the first is done

    def test_dropped_job_is_reaped_by_next_dump(self):
        pid = objref.dump(self.path("a"), fork=True).pid
        deadline = time.time() + 60
        while True:  # the next dump reaps the dropped job once it is done
            try:
                objref.dump(self.path("b"))
                break
            except RuntimeError:
                self.assertLess(time.time(), deadline)
                time.sleep(0.05)
        with self.assertRaises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def test_child_killed(self):
        big = Holder(300000)  # a walk long enough to be interrupted
        job = objref.dump(self.path(), fork=True)
        os.kill(job.pid, signal.SIGKILL)
        with self.assertRaises(objref.DumpError) as cm:
            job.wait(timeout=60)
        self.assertIn("killed by signal 9", str(cm.exception))
        self.assertFalse(os.path.exists(self.path()))
        self.assert_no_leftovers(self.path())
        del big

    def test_child_stalled_is_killed(self):
        """A child asleep without using CPU time (a lock nobody releases)
        is killed after OBJREF_CHILD_STALL_SECONDS; no file is left."""
        os.environ["OBJREF_DUMP_FAULT_FOR_TESTS"] = "hang"
        os.environ["OBJREF_CHILD_STALL_SECONDS"] = "1"
        try:
            job = objref.dump(self.path(), fork=True)
            with self.assertRaises(objref.DumpError) as cm:
                job.wait(timeout=60)
        finally:
            del os.environ["OBJREF_DUMP_FAULT_FOR_TESTS"]
            del os.environ["OBJREF_CHILD_STALL_SECONDS"]
        self.assertRegex(str(cm.exception), r"the dump process \d+ made no progress for 1 s "
                         r"\(asleep, using no CPU time: .*\); it was killed and .* was not written")
        self.assertFalse(os.path.exists(self.path()))
        self.assert_no_leftovers(self.path())
        objref.dump(self.path(), fork=True).wait(timeout=60)  # and the next one works
        self.assertTrue(os.path.exists(self.path()))

    def test_replaced_import_never_called(self):
        """Capture reaches gc without builtins.__import__ (capture_runtime.c):
        a replaced one is never called, in this process or in the forked
        child (the spy would leave a marker file)."""
        import builtins
        marker = self.path() + ".imported"
        original = builtins.__import__

        def spy(*a, **k):
            open(marker, "w").close()
            return original(*a, **k)
        builtins.__import__ = spy
        try:
            job = objref.dump(self.path(), fork=True)
            job.wait(timeout=120)
            objref.dump(self.path(), fork=False)
        finally:
            builtins.__import__ = original
        self.assertTrue(os.path.exists(self.path()))
        self.assertFalse(os.path.exists(marker), "builtins.__import__ was called")
        self.assert_no_leftovers(self.path())

    def test_unwritable_path(self):
        bad = os.path.join(self.dir, "no", "such", "dir", "x.objref")
        for fork in (False, True):
            with self.assertRaises(FileNotFoundError) as cm:
                objref.dump(bad, fork=fork)
            self.assertEqual(cm.exception.filename, bad + ".tmp")

    def test_file_too_big(self):
        """A write that fails in the child (here RLIMIT_FSIZE, as a full
        disk would): an OSError naming the file, nothing left behind."""
        code = (
            "import objref, resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
            "for fork in (False, True):\n"
            "    try:\n"
            "        r = objref.dump(sys.argv[1], fork=fork)\n"
            "        r = r.wait() if fork else r\n"
            "    except OSError as e:\n"
            "        print(fork, e.errno, e.filename, e.strerror)\n"
        )
        out = subprocess.run([sys.executable, "-c", code, self.path()], env=os.environ,
                             stdout=subprocess.PIPE, universal_newlines=True, timeout=120)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 2, out.stdout)
        for line in lines:
            self.assertIn("27 %s.tmp" % self.path(), line)  # EFBIG
        self.assertFalse(os.path.exists(self.path()))
        self.assert_no_leftovers(self.path())

    def test_load_bad_files(self):
        good = self.path()
        objref.dump(good)
        with open(good, "rb") as f:
            data = f.read()
        cases = {
            "empty": (b"", "empty file"),
            "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 300, "not an objref dump"),
            "truncated": (data[: len(data) // 2], "truncated"),
            "flipped": (data[:5000] + bytes([data[5000] ^ 1]) + data[5001:], "checksum mismatch"),
        }
        for name, (content, reason) in cases.items():
            p = self.path(name)
            with open(p, "wb") as f:
                f.write(content)
            with self.assertRaises(objref.DumpError, msg=name) as cm:
                objref.load(p)
            self.assertIn(p, str(cm.exception))
            self.assertIn(reason, str(cm.exception))
        with self.assertRaises(OSError) as cm:
            objref.load(self.dir)
        self.assertIn("is a directory", str(cm.exception))
        with self.assertRaises(OSError):
            objref.load(self.path("missing"))


def other_builds():
    """(minor version, python, module dir) of the other Pythons built by
    tests/run_pythons.sh (build-py/3.X)."""
    src = os.environ.get("OBJREF_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    found = []
    for d in sorted(glob.glob(os.path.join(src, "build-py", "3.*"))):
        minor = os.path.basename(d)
        if minor == "%d.%d" % sys.version_info[:2] or not glob.glob(os.path.join(d, "python", "objref*.so")):
            continue
        cache = os.path.join(d, "CMakeCache.txt")
        exe = None
        if os.path.exists(cache):
            with open(cache) as f:
                for line in f:
                    if line.startswith("Python3_EXECUTABLE:"):
                        exe = line.split("=", 1)[1].strip()
        if exe and os.path.exists(exe):
            found.append((minor, exe, os.path.join(d, "python")))
    return found


class CrossVersionTest(unittest.TestCase):
    """A dump written by one Python is read by another, both ways."""

    def test_cross_version(self):
        builds = other_builds()
        if not builds:
            self.skipTest("no other Python's build (run tests/run_pythons.sh 3.8 3.13 first)")
        d = tempfile.mkdtemp(prefix="objref-xdump-")
        try:
            mine = os.path.join(d, "mine.objref")
            objref.dump(mine, fork=True).wait(timeout=60)
            for minor, exe, moddir in builds:
                theirs = os.path.join(d, "theirs-%s.objref" % minor)
                code = (
                    "import objref, sys\n"
                    "class DumpLeaked: pass\n"
                    "keep = [DumpLeaked() for _ in range(321)]\n"
                    "objref.dump(sys.argv[1], fork=True).wait()\n"
                    "s = objref.load(sys.argv[2])\n"
                    "print(len(s))\n"
                )
                env = dict(os.environ, PYTHONPATH=moddir)
                out = subprocess.run([exe, "-c", code, theirs, mine], env=env, timeout=120,
                                     stdout=subprocess.PIPE, universal_newlines=True)
                self.assertEqual(out.returncode, 0, minor)
                self.assertEqual(int(out.stdout), len(objref.load(mine)))
                snap = objref.load(theirs)
                self.assertTrue(snap.validate())
                self.assertEqual(snap.census()["DumpLeaked"][0], 321)
                info = objref.dump_info(theirs)
                self.assertEqual(info["python_version"].rsplit(".", 1)[0], minor)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

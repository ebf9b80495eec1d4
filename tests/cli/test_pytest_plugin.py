"""objref's pytest plugin (python/objref/pytest_plugin.py), run in a
subprocess pytest over a test file with a leaking test, a clean one, one
that fills a bounded cache once and one that uses a session-scoped fixture.

    OBJREF_CHAIN=$PWD/build/cli/objref-chain python3 -m unittest tests.cli.test_pytest_plugin -v

The package comes from the build (package/objref beside cli/objref-chain);
pytest is Debian's python3-pytest for the system Python: other Pythons
skip, saying so.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

CHAIN = os.environ.get('OBJREF_CHAIN')
TIMEOUT = 300

SAMPLE = textwrap.dedent('''\
    import pytest

    LEAK = []
    CACHE = {}


    class Leaky:
        pass


    class Cached:
        pass


    class Shared:
        pass


    @pytest.fixture(scope='session')
    def shared():
        return [Shared() for _ in range(3)]


    @pytest.mark.objref_no_leaks
    def test_leaks():
        LEAK.append(Leaky())


    @pytest.mark.objref_no_leaks
    def test_clean():
        made = [Leaky() for _ in range(10)]
        assert len(made) == 10


    @pytest.mark.objref_no_leaks(warmups=1, repeat=3)
    def test_bounded_cache():
        for k in range(5):
            CACHE.setdefault(k, Cached())


    @pytest.mark.objref_no_leaks
    def test_session_fixture(shared):
        assert len(shared) == 3


    def test_unmarked_leak():
        LEAK.append(Leaky())
    ''')


def package_dir():
    return os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(CHAIN))), 'package')


def entry_points_txt():
    """The entry_points.txt the in-tree backend writes into the wheel."""
    src = os.environ.get('OBJREF_SOURCE_DIR', os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    with open(os.path.join(src, 'packaging', 'objref_build.py')) as f:
        text = f.read()
    m = re.search(r"entry_points\.txt',\s*((?:b'[^']*'\s*)+)\)", text)
    return ''.join(re.findall(r"b'([^']*)'", m.group(1))).encode().decode('unicode_escape')


def setUpModule():
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not an executable objref-chain')
    if not os.path.exists(os.path.join(package_dir(), 'objref', 'pytest_plugin.py')):
        raise unittest.SkipTest('no package built in %s' % package_dir())
    try:
        import pytest  # noqa: F401
    except ImportError:
        raise unittest.SkipTest('pytest is not importable by %s (Python %s): Debian\'s python3-pytest '
                                'serves the system Python only' % (sys.executable, sys.version.split()[0]))


class TestPlugin(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-pytest-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, 'test_sample.py'), 'w') as f:
            f.write(SAMPLE)

    def pytest(self, *args, entry_point=False, load=True):
        """pytest over test_sample.py; entry_point: the plugin found as an
        installed package's would be (a dist-info with the wheel's
        entry_points.txt), plugin autoloading on; load: -p objref.pytest_plugin."""
        env = dict(os.environ, PYTHONPATH=package_dir(), PYTHONDONTWRITEBYTECODE='1',
                   PYTEST_DISABLE_PLUGIN_AUTOLOAD='1')
        if entry_point:
            site = os.path.join(self.dir, 'site')
            info = os.path.join(site, 'objref-0.0.dist-info')
            os.makedirs(info)
            with open(os.path.join(info, 'METADATA'), 'w') as f:
                f.write('Metadata-Version: 2.1\nName: objref\nVersion: 0.0\n')
            with open(os.path.join(info, 'entry_points.txt'), 'w') as f:
                f.write(entry_points_txt())
            env['PYTHONPATH'] = package_dir() + os.pathsep + site
            del env['PYTEST_DISABLE_PLUGIN_AUTOLOAD']
        plugin = ['-p', 'objref.pytest_plugin'] if load else []
        proc = subprocess.run([sys.executable, '-m', 'pytest'] + plugin + ['-rA',
                               '-p', 'no:cacheprovider', 'test_sample.py'] + list(args),
                              cwd=self.dir, env=env, timeout=TIMEOUT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return proc

    def outcomes(self, stdout):
        return dict((m.group(2), m.group(1)) for m in
                    re.finditer(r'^(PASSED|FAILED) test_sample\.py::(\w+)', stdout, re.M))

    def test_marked(self):
        proc = self.pytest()
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(self.outcomes(proc.stdout), {
            'test_leaks': 'FAILED', 'test_clean': 'PASSED', 'test_bounded_cache': 'PASSED',
            'test_session_fixture': 'PASSED', 'test_unmarked_leak': 'PASSED'}, proc.stdout)
        # the leaked type with its count, and the chain with its root and labels
        self.assertRegex(proc.stdout, r'test_sample\.Leaky: \+1 per run \(\+\d+ bytes, \d+ bytes retained')
        self.assertIn('module test_sample .LEAK -> list [', proc.stdout)
        self.assertIn('root: module global test_sample.LEAK', proc.stdout)
        # nothing of pytest's, of the fixture's or of the cache's is accused
        for name in ('Shared', 'Cached', '_pytest', 'builtins.'):
            self.assertNotRegex(proc.stdout, r'^  \S*%s\S*: \+\d+ per run' % re.escape(name))

    def test_every_test_and_pictures(self):
        pics = os.path.join(self.dir, 'pics')
        proc = self.pytest('--objref-leaks', '--objref-leaks-picture', pics)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        out = self.outcomes(proc.stdout)
        self.assertEqual(out['test_unmarked_leak'], 'FAILED', proc.stdout)
        self.assertEqual(out['test_leaks'], 'FAILED', proc.stdout)
        self.assertEqual(out['test_clean'], 'PASSED', proc.stdout)
        self.assertEqual(sorted(os.listdir(pics)), ['test_sample.py__test_leaks.png',
                                                    'test_sample.py__test_unmarked_leak.png'])
        with open(os.path.join(pics, 'test_sample.py__test_leaks.png'), 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')

    def test_ignore(self):
        with open(os.path.join(self.dir, 'test_sample.py'), 'a') as f:
            f.write('\n\n@pytest.mark.objref_no_leaks(ignore=("Leaky",))\n'
                    'def test_ignored_leak():\n    LEAK.append(Leaky())\n')
        proc = self.pytest('-k', 'ignored_leak')
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_a_chain_per_leaked_type(self):
        with open(os.path.join(self.dir, 'test_sample.py'), 'a') as f:
            f.write('\n\nclass Other:\n    pass\n\n\nOTHERS = []\n\n\n'
                    '@pytest.mark.objref_no_leaks\ndef test_two_leaks():\n'
                    '    LEAK.append(Leaky())\n    OTHERS.append(Other())\n')
        proc = self.pytest('-k', 'two_leaks')
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        for name, chain in (('Leaky', 'module test_sample .LEAK -> list ['),
                            ('Other', 'module test_sample .OTHERS -> list [')):
            self.assertIn('the chain to one of test_sample.%s (objref.why_alive):' % name, proc.stdout)
            self.assertIn(chain, proc.stdout)

    def test_entry_point(self):
        """Installed, the plugin loads by itself, and -p objref.pytest_plugin
        besides does not load it twice."""
        for load in (False, True):
            proc = self.pytest('-k', 'test_leaks or test_clean', entry_point=True, load=load)
            self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
            self.assertEqual(self.outcomes(proc.stdout), {'test_leaks': 'FAILED', 'test_clean': 'PASSED'},
                             proc.stdout)
            self.assertIn('root: module global test_sample.LEAK', proc.stdout)
            shutil.rmtree(os.path.join(self.dir, 'site'))

    def test_bad_mark(self):
        with open(os.path.join(self.dir, 'test_sample.py'), 'a') as f:
            f.write('\n\n@pytest.mark.objref_no_leaks(repeat=1)\ndef test_bad():\n    pass\n')
        proc = self.pytest()
        self.assertEqual(proc.returncode, 4, proc.stdout + proc.stderr)  # pytest's usage error
        self.assertIn('objref_no_leaks needs warmups >= 0 and repeat >= 2', proc.stderr)
        self.assertNotIn('PASSED', proc.stdout, 'no test ran')


if __name__ == '__main__':
    unittest.main()

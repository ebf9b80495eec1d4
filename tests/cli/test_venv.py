"""objref-chain runs the program where `python app.py` would run it: an
active virtualenv (VIRTUAL_ENV) or the interpreter named by --python PATH,
with the same sys.executable, sys.prefix and sys.path; another Python
version goes to the objref-chain built for it; bad interpreters are one
line each naming them and the fix.

The virtualenv is made by the interpreter running the tests (the one the
objref-chain under test embeds: ctest and tests/run_pythons.sh run them so),
with `-m venv --without-pip`, and a module that exists only inside it.
"""
import glob
import json
import os
import re
import subprocess
import sys
import unittest

from tests.cli.test_cli import CHAIN, SOURCE_DIR, TIMEOUT, ChainTest, setUpModule  # noqa: F401

PROBE = '''\
import json, sys
import venvonly
print(json.dumps({"value": venvonly.VALUE, "executable": sys.executable,
                  "prefix": sys.prefix, "base_prefix": sys.base_prefix, "path": sys.path,
                  "version": "%d.%d" % sys.version_info[:2]}))
'''
PYENV = os.path.expanduser('~/.pyenv/versions')


def pyenv_python(minor):
    """A pyenv interpreter of version 3.minor, newest first, or None."""
    found = sorted(glob.glob(os.path.join(PYENV, '3.%d.*' % minor, 'bin', 'python3.%d' % minor)),
                   reverse=True)
    return found[0] if found else None


class VenvTest(ChainTest):
    def setUp(self):
        super().setUp()
        out = subprocess.run([CHAIN, '--version'], stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r'Python (\d+)\.(\d+)', out)
        self.embedded = (int(m.group(1)), int(m.group(2)))
        if sys.version_info[:2] != self.embedded:
            self.skipTest('the tests run on Python %d.%d, objref-chain embeds %d.%d'
                          % (sys.version_info[:2] + self.embedded))
        self.venv = os.path.join(self.dir, 'venv')
        made = subprocess.run([sys.executable, '-m', 'venv', '--without-pip', self.venv],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=TIMEOUT)
        if made.returncode:
            self.skipTest('python -m venv failed here: ' + made.stdout[-300:])
        site = glob.glob(os.path.join(self.venv, 'lib', 'python3.*', 'site-packages'))[0]
        with open(os.path.join(site, 'venvonly.py'), 'w') as f:
            f.write('VALUE = 42\n')
        self.write('app.py', PROBE)
        self.env = dict(os.environ)
        self.env.pop('VIRTUAL_ENV', None)

    def run_chain(self, *args, env=None):
        return subprocess.run([CHAIN, '--no-picture'] + list(args), cwd=self.dir,
                              env=env or self.env, timeout=TIMEOUT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)

    def seen(self, proc):
        self.assertStatus(proc, 0)
        return json.loads(proc.stdout.splitlines()[0])

    def plain(self):
        """What `venv/bin/python app.py` shows."""
        proc = subprocess.run([os.path.join(self.venv, 'bin', 'python'), 'app.py'], cwd=self.dir,
                              env=self.env, timeout=TIMEOUT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        return self.seen(proc)


class TestVirtualenv(VenvTest):
    def test_active_virtualenv(self):
        env = dict(self.env, VIRTUAL_ENV=self.venv,
                   PATH=os.path.join(self.venv, 'bin') + os.pathsep + self.env['PATH'])
        proc = self.run_chain('app.py', env=env)
        seen = self.seen(proc)
        self.assertEqual(seen, self.plain())
        self.assertEqual(seen['prefix'], self.venv)
        self.assertEqual(seen['value'], 42)
        self.assertIn('sys.prefix %s\n' % self.venv, proc.stdout)

    def test_python_option(self):
        # Relative, as a user types it; no VIRTUAL_ENV: pyvenv.cfg decides.
        proc = self.run_chain('--python', 'venv/bin/python', 'app.py')
        seen = self.seen(proc)
        self.assertEqual(seen, self.plain())
        self.assertEqual(seen['executable'], os.path.join(self.venv, 'bin', 'python'))
        self.assertIn('ran as %s/bin/python' % self.venv, proc.stdout)

    def test_wrapper_script_like_a_pyenv_shim(self):
        # A shell script that execs the interpreter (what pyenv's shims are):
        # the program runs as the Python it execs names itself.
        shim = self.write('shim/python3', '#!/bin/sh\nexec "%s" "$@"\n'
                          % os.path.join(self.venv, 'bin', 'python'))
        os.chmod(shim, 0o755)
        seen = self.seen(self.run_chain('--python', shim, 'app.py'))
        self.assertEqual(seen['executable'], os.path.join(self.venv, 'bin', 'python'))
        self.assertEqual(seen['prefix'], self.venv)

    def test_module_in_virtualenv(self):
        self.write('venvmain.py', 'import venvonly, sys\nprint("main", venvonly.VALUE, sys.prefix)\n')
        proc = self.run_chain('--python', 'venv/bin/python', '-m', 'venvmain')
        self.assertStatus(proc, 0)
        self.assertIn('main 42 %s\n' % self.venv, proc.stdout)

    def test_without_the_virtualenv_the_module_is_missing(self):
        # The module lives only in the venv: the tests above could not pass
        # by accident.
        proc = self.run_chain('app.py')
        self.assertStatus(proc, 1)
        self.assertIn("No module named 'venvonly'", proc.stderr)
        self.assertNotIn('ran as', proc.stdout)

    def test_json_keeps_stdout_json(self):
        env = dict(self.env, VIRTUAL_ENV=self.venv)
        self.write('quiet.py', 'import venvonly\n')
        proc = self.run_chain('--json', 'quiet.py', env=env)
        self.assertStatus(proc, 0)
        json.loads(proc.stdout)
        self.assertIn('sys.prefix %s' % self.venv, proc.stderr)


class TestBadInterpreters(VenvTest):
    def assertRefused(self, proc, *parts):
        self.assertStatus(proc, 2)
        self.assertEqual(proc.stderr.count('\n'), 1, proc.stderr)
        self.assertTrue(proc.stderr.startswith('objref-chain: '), proc.stderr)
        for part in parts:
            self.assertIn(part, proc.stderr)
        self.assertEqual(proc.stdout, '')

    def test_missing_file(self):
        self.assertRefused(self.run_chain('--python', '/no/such/python', 'app.py'),
                           "'/no/such/python'", 'No such file', '--python /usr/bin/python3')

    def test_not_on_path(self):
        self.assertRefused(self.run_chain('--python', 'no-such-python-here', 'app.py'),
                           'not found on PATH')

    def test_not_a_python(self):
        self.assertRefused(self.run_chain('--python', '/bin/ls', 'app.py'),
                           "'/bin/ls' is not a Python interpreter", 'CPython 3.8 to 3.13')

    def test_too_old(self):
        tried = 0
        for exe in glob.glob(os.path.join(PYENV, '2.7.*', 'bin', 'python2.7')) + \
                [pyenv_python(6), pyenv_python(7)]:
            if exe:
                tried += 1
                v = re.search(r'python(\d\.\d+)$', exe).group(1)
                self.assertRefused(self.run_chain('--python', exe, 'app.py'),
                                   'is Python %s;' % v, 'supports Python 3.8 to 3.13')
        if not tried:
            self.skipTest('no Python 2.7, 3.6 or 3.7 in pyenv')

    def test_too_new(self):
        # No 3.14 here: an executable that answers the version question as
        # a 3.14 would (what objref-chain asks is `-c CODE`; it prints
        # "objref-interp X.Y").
        fake = self.write('python3.14', '#!/bin/sh\necho "objref-interp 3.14"\n')
        os.chmod(fake, 0o755)
        self.assertRefused(self.run_chain('--python', fake, 'app.py'),
                           'is Python 3.14;', 'supports Python 3.8 to 3.13')

    def test_venv_whose_interpreter_was_deleted(self):
        gone = os.path.join(self.dir, 'gone')
        os.makedirs(os.path.join(gone, 'bin'))
        with open(os.path.join(gone, 'pyvenv.cfg'), 'w') as f:
            f.write('home = /opt/removed/bin\nversion = 3.11.0\n')
        os.symlink('/opt/removed/bin/python3.11', os.path.join(gone, 'bin', 'python'))
        env = dict(self.env, VIRTUAL_ENV=gone)
        self.assertRefused(self.run_chain('app.py', env=env),
                           "'%s/bin/python' links to '/opt/removed/bin/python3.11', which no "
                           "longer exists" % gone, 'python3 -m venv --clear')
        self.assertRefused(self.run_chain('--python', os.path.join(gone, 'bin', 'python'),
                                          'app.py'), 'which no longer exists')


class TestOtherVersions(VenvTest):
    def other(self):
        for minor in (12, 10, 13, 9, 8, 11):
            if minor != self.embedded[1] and pyenv_python(minor):
                return minor, pyenv_python(minor)
        self.skipTest('no other supported Python in pyenv')

    def test_no_build_for_that_version(self):
        minor, exe = self.other()
        env = dict(self.env, OBJREF_LIBEXEC=os.path.join(self.dir, 'empty'))
        proc = self.run_chain('--python', exe, 'app.py', env=env)
        self.assertStatus(proc, 2)
        self.assertIn("'%s' is Python 3.%d and this objref-chain embeds Python 3.%d"
                      % (exe, minor, self.embedded[1]), proc.stderr)
        self.assertIn('no objref-chain-3.%d found' % minor, proc.stderr)
        self.assertIn('make install PYTHON=%s' % exe, proc.stderr)

    def test_build_for_that_version_runs(self):
        # tests/run_pythons.sh builds build-py/3.X/cli/objref-chain.
        minor, exe = self.other()
        build = os.path.join(SOURCE_DIR, 'build-py', '3.%d' % minor, 'cli', 'objref-chain')
        if not os.access(build, os.X_OK):
            self.skipTest('no %s (tests/run_pythons.sh 3.%d builds it)' % (build, minor))
        libexec = os.path.join(self.dir, 'libexec')
        os.mkdir(libexec)
        os.symlink(build, os.path.join(libexec, 'objref-chain-3.%d' % minor))
        self.write('ver.py', 'import sys\nprint("version %d.%d" % sys.version_info[:2])\n')
        proc = self.run_chain('--python', exe, 'ver.py', env=dict(self.env, OBJREF_LIBEXEC=libexec))
        self.assertStatus(proc, 0)
        self.assertIn('version 3.%d\n' % minor, proc.stdout)
        self.assertIn('(Python 3.%d.' % minor, proc.stdout)


class TestDefaultInterpreter(VenvTest):
    """Neither --python nor VIRTUAL_ENV: the python3 on PATH, as
    `python3 app.py` in a shell would run."""

    def path_with(self, python3=None):
        """PATH = one directory holding only `python3` (a script with that
        text, or nothing); the scripts name their shell by absolute path."""
        d = os.path.join(self.dir, 'pathdir')
        os.makedirs(d, exist_ok=True)
        if python3 is not None:
            exe = self.write('pathdir/python3', python3)
            os.chmod(exe, 0o755)
        return dict(self.env, PATH=d)

    def test_python3_on_path_is_the_default(self):
        # A venv's bin first on PATH, not activated: its python3 runs the program.
        env = dict(self.env, PATH=os.path.join(self.venv, 'bin') + os.pathsep + self.env['PATH'])
        proc = self.run_chain('app.py', env=env)
        seen = self.seen(proc)
        self.assertEqual(seen['prefix'], self.venv)
        self.assertEqual(seen['value'], 42)
        self.assertEqual(seen['executable'], os.path.join(self.venv, 'bin', 'python3'))
        self.assertEqual(proc.stderr, '')

    def test_no_python3_on_path(self):
        self.write('plain.py', 'import sys\nprint("plain", "%d.%d" % sys.version_info[:2])\n')
        proc = self.run_chain('plain.py', env=self.path_with())
        self.assertStatus(proc, 0)
        self.assertIn('plain %d.%d\n' % self.embedded, proc.stdout)
        self.assertNotIn('note:', proc.stderr)

    def assertNoted(self, proc, *parts):
        self.assertStatus(proc, 0)
        self.assertIn('plain %d.%d\n' % self.embedded, proc.stdout)
        note = [line for line in proc.stderr.splitlines() if 'note:' in line]
        self.assertEqual(len(note), 1, proc.stderr)
        self.assertIn("the python3 on PATH ('", note[0])
        self.assertIn("objref-chain's own Python %d.%d" % self.embedded, note[0])
        for part in parts:
            self.assertIn(part, note[0])

    def test_unsupported_python3_on_path_is_noted(self):
        self.write('plain.py', 'import sys\nprint("plain", "%d.%d" % sys.version_info[:2])\n')
        env = self.path_with('#!/bin/sh\necho "objref-interp 3.7 /opt/py37/bin/python3.7"\n')
        self.assertNoted(self.run_chain('plain.py', env=env), "'/opt/py37/bin/python3.7') is Python 3.7",
                         'does not support', '--python')

    def test_not_a_python_on_path_is_noted(self):
        self.write('plain.py', 'import sys\nprint("plain", "%d.%d" % sys.version_info[:2])\n')
        env = self.path_with('#!/bin/sh\nexit 3\n')
        self.assertNoted(self.run_chain('plain.py', env=env), 'did not answer as a Python interpreter')

    def test_other_version_without_build_is_noted(self):
        other = 12 if self.embedded[1] != 12 else 10
        self.write('plain.py', 'import sys\nprint("plain", "%d.%d" % sys.version_info[:2])\n')
        env = self.path_with('#!/bin/sh\necho "objref-interp 3.%d /opt/py/bin/python3.%d"\n'
                             % (other, other))
        env['OBJREF_LIBEXEC'] = os.path.join(self.dir, 'empty')
        self.assertNoted(self.run_chain('plain.py', env=env),
                         'is Python 3.%d and no objref-chain for 3.%d is installed' % (other, other),
                         'make install PYTHON=/opt/py/bin/python3.%d' % other)

    def test_other_version_with_a_build_runs_it(self):
        minor, exe = TestOtherVersions.other(self)
        build = os.path.join(SOURCE_DIR, 'build-py', '3.%d' % minor, 'cli', 'objref-chain')
        if not os.access(build, os.X_OK):
            self.skipTest('no %s (tests/run_pythons.sh 3.%d builds it)' % (build, minor))
        libexec = os.path.join(self.dir, 'libexec')
        os.mkdir(libexec)
        os.symlink(build, os.path.join(libexec, 'objref-chain-3.%d' % minor))
        self.write('ver.py', 'import sys\nprint("version %d.%d" % sys.version_info[:2])\n')
        env = self.path_with('#!/bin/sh\nexec "%s" "$@"\n' % exe)
        env['OBJREF_LIBEXEC'] = libexec
        proc = self.run_chain('ver.py', env=env)
        self.assertStatus(proc, 0)
        self.assertIn('version 3.%d\n' % minor, proc.stdout)


class TestInstallLayout(VenvTest):
    def test_install_puts_a_versioned_build_in_libexec(self):
        # The build directory of the objref-chain under test (BUILD/cli/).
        build = os.path.dirname(os.path.dirname(os.path.realpath(CHAIN)))
        if not os.path.exists(os.path.join(build, 'cmake_install.cmake')):
            self.skipTest('%s is not a CMake build directory' % build)
        dest = os.path.join(self.dir, 'dest')
        proc = subprocess.run(['cmake', '--install', build, '--prefix', '/opt/objref'],
                              env=dict(self.env, DESTDIR=dest), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        prefix = os.path.join(dest, 'opt', 'objref')
        versioned = os.path.join(prefix, 'libexec', 'objref', 'objref-chain-%d.%d' % self.embedded)
        self.assertTrue(os.access(versioned, os.X_OK), proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(prefix, 'libexec', 'objref', 'objref-chain')))
        out = subprocess.run([versioned, '--version'], stdout=subprocess.PIPE, text=True,
                             timeout=TIMEOUT).stdout
        self.assertIn('Python %d.%d.' % self.embedded, out)


if __name__ == '__main__':
    unittest.main()

"""`python -m objref [objref-chain's options] SCRIPT|-m MODULE [ARGS...]`:
the same C code as objref-chain (objref_cli_main), run by the interpreter
already running: the same report, options and exit statuses.

The package is the build's package/objref (the extension _objref with
objref-chain's code, __init__.py, __main__.py), found beside the
objref-chain under test; the tests run with the interpreter it was built
for (ctest and tests/run_pythons.sh run them so).
"""
import glob
import json
import os
import re
import subprocess
import sys
import unittest

from tests.cli.test_cli import CHAIN, HEADER, TIMEOUT, ChainTest, report, setUpModule  # noqa: F401

LEAK = '''\
import objref, sys
keep = []
for i in range(3):
    keep.extend(tuple([i, j]) for j in range(300))
    objref.checkpoint()
print("argv", sys.argv, __name__, flush=True)
'''


def package_dir():
    return os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(CHAIN))), 'package')


class PythonMTest(ChainTest):
    def setUp(self):
        super().setUp()
        pkg = package_dir()
        if not glob.glob(os.path.join(pkg, 'objref', '_objref*')):
            self.skipTest('no package built in %s' % pkg)
        out = subprocess.run([CHAIN, '--version'], stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r'Python (\d+)\.(\d+)', out)
        if sys.version_info[:2] != (int(m.group(1)), int(m.group(2))):
            self.skipTest('the package is built for Python %s.%s' % m.groups())
        self.env = dict(os.environ, PYTHONPATH=pkg)
        self.env.pop('VIRTUAL_ENV', None)

    def python_m(self, *args, exe=None):
        return subprocess.run([exe or sys.executable, '-m', 'objref'] + list(args), cwd=self.dir,
                              env=self.env, timeout=TIMEOUT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)

    def chains_lines(self, stdout):
        return [line for line in stdout.splitlines() if '->' in line or line.startswith('chains for')]


class TestPythonM(PythonMTest):
    def test_same_report_as_objref_chain(self):
        self.write('leak.py', LEAK)
        proc = self.python_m('--type', 'tuple', '--no-picture', 'leak.py', 'a', 'b')
        self.assertStatus(proc, 0)
        self.assertIn("argv ['leak.py', 'a', 'b'] __main__\n", proc.stdout)
        name, _, checkpoints, _ = report(proc.stdout)
        self.assertEqual((name, checkpoints), ('leak.py', 4))
        chain = subprocess.run([CHAIN, '--type', 'tuple', '--no-picture', 'leak.py', 'a', 'b'],
                               cwd=self.dir, env=self.env, timeout=TIMEOUT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        self.assertStatus(chain, 0)
        lines = self.chains_lines(proc.stdout)
        self.assertTrue(lines and lines[0].startswith('chains for tuple'), proc.stdout)
        self.assertIn('  module __main__ .keep -> list [*] -> tuple', lines)
        self.assertEqual(lines[1:], self.chains_lines(chain.stdout)[1:])
        self.assertIn('ran as %s' % sys.executable, proc.stdout)

    def test_run_module(self):
        self.write('pkg/__init__.py', '')
        self.write('pkg/tool.py', LEAK)
        proc = self.python_m('--no-picture', '--json', '-m', 'pkg.tool', 'x')
        self.assertStatus(proc, 0)
        first, rest = proc.stdout.split('\n', 1)
        self.assertIn("'x']", first)
        self.assertTrue(first.startswith("argv ['"), first)
        doc = json.loads(rest)
        self.assertIsInstance(doc, dict)

    def test_picture(self):
        self.write('leak.py', LEAK)
        proc = self.python_m('--type', 'tuple', '-o', 'pic.png', 'leak.py')
        self.assertStatus(proc, 0)
        self.assertIn('wrote pic.png', proc.stdout)
        self.assertTrue(os.path.getsize(os.path.join(self.dir, 'pic.png')) > 0)

    def test_exit_statuses(self):
        self.write('five.py', 'import sys\nsys.exit(5)\n')
        self.assertStatus(self.python_m('--no-picture', 'five.py'), 5)
        self.write('boom.py', 'raise ValueError("boom")\n')
        proc = self.python_m('--no-picture', 'boom.py')
        self.assertStatus(proc, 1)
        self.assertIn('ValueError: boom', proc.stderr)
        proc = self.python_m('--bogus', 'five.py')
        self.assertStatus(proc, 2)
        self.assertIn("unknown option '--bogus'", proc.stderr)
        proc = self.python_m('--python', '/usr/bin/python3', 'five.py')
        self.assertStatus(proc, 2)
        self.assertIn('python -m objref` runs the program with the Python running it', proc.stderr)
        self.assertStatus(self.python_m('no-such-script.py'), 2)

    def test_fork_reports_once(self):
        self.write('fork.py', 'import os, sys\nkeep = [tuple([i]) for i in range(500)]\n'
                   'pid = os.fork()\nif pid == 0:\n    sys.exit(0)\nos.waitpid(pid, 0)\n')
        proc = self.python_m('--json', '--type', 'tuple', '--no-picture', 'fork.py')
        self.assertStatus(proc, 0)
        json.loads(proc.stdout)

    def test_virtualenv_python(self):
        venv = os.path.join(self.dir, 'venv')
        made = subprocess.run([sys.executable, '-m', 'venv', '--without-pip', venv],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=TIMEOUT)
        if made.returncode:
            self.skipTest('python -m venv failed: ' + made.stdout[-300:])
        site = glob.glob(os.path.join(venv, 'lib', 'python3.*', 'site-packages'))[0]
        with open(os.path.join(site, 'venvonly.py'), 'w') as f:
            f.write('VALUE = 42\n')
        self.write('app.py', 'import sys, venvonly\nprint(venvonly.VALUE, sys.prefix)\n')
        proc = self.python_m('--no-picture', 'app.py', exe=os.path.join(venv, 'bin', 'python'))
        self.assertStatus(proc, 0)
        self.assertIn('42 %s\n' % venv, proc.stdout)
        self.assertIn('sys.prefix %s\n' % venv, proc.stdout)

    def test_main_restored(self):
        # The program ran in its own __main__; objref's is back afterwards.
        self.write('probe.py', 'import sys\nprint("main", sorted(k for k in globals() '
                   'if not k.startswith("__")))\n')
        proc = self.python_m('--no-picture', 'probe.py')
        self.assertStatus(proc, 0)
        self.assertIn("main ['sys']\n", proc.stdout)


if __name__ == '__main__':
    unittest.main()

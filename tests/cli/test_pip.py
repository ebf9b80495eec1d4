"""`pip install .` from the checkout into a fresh virtualenv, offline (no
index: the in-tree backend needs nothing from PyPI), with the interpreter
running the tests; then `python -m objref` and the installed objref-chain
entry point run a program that imports a module found only in that venv.

Slow (a CMake build of the package: about 30 s); skipped when this Python
cannot make a venv with pip (Debian's python3 without python3-venv), and
where OBJREF_TEST_SLOW=0 (the sanitizer build, and the Pythons between the
oldest and the newest in tests/run_pythons.sh).
"""
import os
import subprocess
import sys
import unittest

from tests.cli.test_cli import SOURCE_DIR, ChainTest, report

APP = '''\
import sys, venvonly, objref
keep = []
for i in range(3):
    keep.extend(tuple([i, j]) for j in range(200))
    objref.checkpoint()
print("prefix", sys.prefix, flush=True)
'''


class TestPipInstall(ChainTest):
    def test_pip_install_offline_then_run(self):
        if os.environ.get('OBJREF_TEST_SLOW') == '0':
            self.skipTest('OBJREF_TEST_SLOW=0: pip install runs in the main build and in the '
                          'oldest and newest Python of tests/run_pythons.sh')
        venv = os.path.join(self.dir, 'venv')
        env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
        made = subprocess.run([sys.executable, '-m', 'venv', venv], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300)
        if made.returncode:
            self.skipTest('this Python cannot make a venv with pip: ' + made.stdout[-300:])
        py = os.path.join(venv, 'bin', 'python')
        pip = subprocess.run([py, '-m', 'pip', 'install', '--no-index', SOURCE_DIR],
                             env=dict(env, OBJREF_BUILD_DIR=os.path.join(self.dir, 'build')),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=900, cwd=self.dir)
        self.assertEqual(pip.returncode, 0, pip.stdout[-3000:])
        site = subprocess.run([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                              stdout=subprocess.PIPE, text=True, env=env).stdout.strip()
        # the pytest plugin is registered by the wheel's pytest11 entry point
        eps = subprocess.run([py, '-c', 'import importlib.metadata as m; print(sorted((e.group, e.name, '
                              'e.value) for e in m.distribution("objref").entry_points))'],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.assertIn("('pytest11', 'objref.pytest_plugin', 'objref.pytest_plugin')", eps.stdout)
        self.assertTrue(os.path.exists(os.path.join(site, 'objref', 'pytest_plugin.py')))
        with open(os.path.join(site, 'venvonly.py'), 'w') as f:
            f.write('VALUE = 1\n')
        self.write('app.py', APP)
        runs = {
            'python -m objref': [py, '-m', 'objref'],
            'objref-chain': [os.path.join(venv, 'bin', 'objref-chain')],
        }
        for what, cmd in runs.items():
            proc = subprocess.run(cmd + ['--type', 'tuple', '--no-picture', 'app.py'],
                                  cwd=self.dir, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=120)
            self.assertStatus(proc, 0)
            self.assertIn('prefix %s\n' % venv, proc.stdout, what)
            self.assertEqual(report(proc.stdout)[2], 4, what)
            self.assertIn('module __main__ .keep -> list [*] -> tuple', proc.stdout, what)
            self.assertIn('sys.prefix %s\n' % venv, proc.stdout, what)


if __name__ == '__main__':
    unittest.main()

"""The pytest plugin's overhead: a suite of 200 small tests run by pytest
without the plugin, with it loaded but idle, and with --objref-leaks
(every test checked: warmups=1, repeat=3, so each test runs 5 times and 4
censuses are taken).  Prints the best of --runs wall times per mode.

    PYTHONPATH=build/package /usr/bin/python3 bench/pytest_plugin_bench.py [--runs 3] [--tests 200]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TEST = '''
def test_{i}():
    data = {{k: [k] * 3 for k in range(20)}}
    text = ",".join(str(v) for v in data)
    assert len(text) > 10
'''


def write_suite(d, n):
    per_file = 20
    for f in range(0, n, per_file):
        with open(os.path.join(d, 'test_s%03d.py' % f), 'w') as out:
            for i in range(f, min(n, f + per_file)):
                out.write(TEST.format(i=i))


def run(d, args):
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD='1', PYTHONDONTWRITEBYTECODE='1')
    env['PYTHONPATH'] = os.pathsep.join(os.path.abspath(p) for p in
                                        env.get('PYTHONPATH', '').split(os.pathsep) if p)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider'] + args,
                          cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit('pytest failed:\n' + proc.stdout[-2000:])
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--tests', type=int, default=200)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix='objref-pytest-bench-')
    try:
        write_suite(d, a.tests)
        modes = [('without the plugin', []),
                 ('plugin loaded, idle', ['-p', 'objref.pytest_plugin']),
                 ('--objref-leaks', ['-p', 'objref.pytest_plugin', '--objref-leaks'])]
        best = {}
        for name, args in modes:
            best[name] = min(run(d, args) for _ in range(a.runs))
        base = best[modes[0][0]]
        print('%d tests, best of %d runs (Python %s)' % (a.tests, a.runs, sys.version.split()[0]))
        for name, _ in modes:
            print('  %-22s %6.2f s  (%+.2f s, %.1f ms per test)'
                  % (name, best[name], best[name] - base, 1000 * (best[name] - base) / a.tests))
    finally:
        shutil.rmtree(d, True)


if __name__ == '__main__':
    main()

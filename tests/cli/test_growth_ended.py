"""Growth that ends before the program does (issue 11, item 3): a pool of
worker threads whose thread-local buffers grow for the whole run, then the
pool is shut down and the buffers cleared before exit.  The report must
name the type, say it was freed at exit, and show chains taken at a
checkpoint while it grew, through the real holder.

Run through ctest (cli.e2e), or by hand:

    OBJREF_CHAIN=build/cli/objref-chain OBJREF_SOURCE_DIR=. \\
        python3 -m unittest tests.cli.test_growth_ended -v
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

CHAIN = os.environ.get('OBJREF_CHAIN')
SOURCE_DIR = os.environ.get('OBJREF_SOURCE_DIR',
                            os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))
POOL = os.path.join(SOURCE_DIR, 'examples', 'accuracy', 'worker_pool.py')
TIMEOUT = 90


def setUpModule():
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not set to the objref-chain binary')


def run(*args, script=POOL, script_args=(), read=None):
    """objref-chain ARGS SCRIPT in a fresh directory: (stdout, stderr, the
    files it wrote there); with read, the text of that file instead of the
    list."""
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([CHAIN] + list(args) + [script] + list(script_args), cwd=tmp,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        files = sorted(os.listdir(tmp))
        if read and p.returncode == 0:
            with open(os.path.join(tmp, read)) as f:
                files = f.read()
    if p.returncode != 0:
        raise AssertionError('objref-chain failed (%d): %s%s' % (p.returncode, p.stdout, p.stderr))
    return p.stdout, p.stderr, files


class GrowthEnded(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # ~10 checkpoints at 0.3 s while the pool runs 3 s, then "end"
        cls.text, cls.err, cls.files = run('--interval', '0.3')
        cls.json_out, _, _ = run('--interval', '0.3', '--json', '--no-picture')
        cls.doc = json.loads(cls.json_out)

    def test_text_names_the_type_freed_at_exit(self):
        text = self.text
        self.assertNotIn('no type grew across', text)
        m = re.search(r'^no type grew to the end; these grew, then were freed before the last of (\d+) '
                      r'checkpoints \(per checkpoint while growing\):$', text, re.M)
        self.assertIsNotNone(m, text)
        n = int(m.group(1))
        self.assertGreaterEqual(n, 6, text)
        # the first row is Sample, not noise; its rate per checkpoint while
        # it grew: 4 workers, one Sample each per ~10 ms, 0.3 s apart
        # (sleeps overrun: a loaded machine appends fewer)
        row = re.search(r'^  (\S+) +\+([\d,]+)/ckpt .* for (\d+) checkpoints, up to ([\d,]+) at '
                        r'ckpt (\d+); freed at exit$', text, re.M)
        self.assertIsNotNone(row, text)
        self.assertEqual(row.group(1), 'Sample', text)
        rate = int(row.group(2).replace(',', ''))
        self.assertGreater(rate, 30, text)
        self.assertLessEqual(rate, 130, text)
        self.assertGreaterEqual(int(row.group(3)), n // 2, text)

    def test_chains_taken_at_a_checkpoint(self):
        text = self.text
        self.assertIn('chains for Sample (', text)
        m = re.search(r'^  taken at checkpoint (\d+) \(([\d.]+) s\) while Sample grew, not at the '
                      r'end', text, re.M)
        self.assertIsNotNone(m, text)
        n = int(re.search(r'ran [\d.]+ s, (\d+) checkpoints', text).group(1))
        self.assertLess(int(m.group(1)), n, text)  # before the last one ("end")
        self.assertGreaterEqual(int(m.group(1)), 3, text)
        # the chain goes through the pool's list of buffers or the
        # thread-local dicts: the real holders, not a transient
        first = text.split('chains for Sample', 1)[1].splitlines()[2]
        self.assertRegex(first, r'(Pool \.buffers -> list \[\*\] -> list \[\*\] -> Sample'
                                r'|\.LOCAL -> .*\[\'buffer\'\] -> list \[\*\] -> Sample)$', text)
        # a picture was drawn from them
        self.assertIn('objref-Sample.png', self.files)

    def test_json(self):
        d = self.doc
        self.assertEqual(d['growing'], [])
        ended = d['grew_then_freed']
        self.assertEqual(ended[0]['type'], 'Sample')
        self.assertTrue(ended[0]['freed_at_exit'])
        self.assertEqual(ended[0]['last'], 0)
        self.assertGreater(ended[0]['peak'], 10 * ended[0]['grew_for'])
        self.assertEqual(ended[0]['grew_for'] + 1, ended[0]['peak_checkpoint'])
        c = d['chains']
        self.assertEqual(c['type'], 'Sample')
        self.assertLess(c['taken_at_checkpoint'], d['checkpoints'])
        self.assertGreater(c['taken_at_seconds'], 0)
        self.assertEqual(c['patterns'][0]['steps'][-1]['type'], 'Sample')

    def test_type_named(self):
        """--type Sample: the kept chains, not "no live object"."""
        text, err, _ = run('--interval', '0.3', '--type', 'Sample', '--no-picture')
        self.assertNotIn('no live object', err)
        self.assertRegex(text, r'taken at checkpoint \d+ \([\d.]+ s\) while Sample grew')

    def test_html(self):
        """--html: the summary names the type, the chains say when they were
        taken, and the chart draws Sample's rise and fall."""
        _, _, page = run('--interval', '0.3', '--no-picture', '--html', 'r.html', read='r.html')
        self.assertIn('these grew, then were freed before the last of', page)
        self.assertRegex(page, r'taken at checkpoint \d+ \([\d.]+ s\) while Sample grew')
        self.assertIn('<title>Sample</title></polyline>', page)

    def test_beside_a_slow_leak(self):
        """A slow leak that goes on to the end (+3/ckpt) beside the pool:
        both are reported, and the pool, which dwarfs it, is chained from
        the chains kept while it grew."""
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, 'slow_leak.py')
            with open(script, 'w') as f:
                f.write('import runpy, threading, time\n'
                        'class Slow:\n'
                        '    pass\n'
                        'KEPT = []\n'
                        'def leak(stop):\n'
                        '    while not stop.is_set():\n'
                        '        KEPT.append(Slow())\n'
                        '        time.sleep(0.1)\n'
                        'stop = threading.Event()\n'
                        't = threading.Thread(target=leak, args=(stop,))\n'
                        't.start()\n'
                        'runpy.run_path(%r)["main"](3.0)\n'
                        'stop.set()\n'
                        't.join()\n' % POOL)
            text, _, _ = run('--interval', '0.3', '--no-picture', script=script)
        self.assertRegex(text, r'growing types .*\n  Slow ', text)
        self.assertRegex(text, r'these grew faster, then were freed before the last of \d+ '
                               r'checkpoints \(per checkpoint while growing\):\n  Sample ', text)
        self.assertIn('chains for Sample (', text)
        self.assertRegex(text, r'taken at checkpoint \d+ \([\d.]+ s\) while Sample grew')

    def test_growth_to_the_end_unchanged(self):
        """A pool never shut down: Sample grows to the end, its chains are
        taken at the end, as before."""
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, 'no_shutdown.py')
            with open(script, 'w') as f:
                f.write('import runpy, time\n'
                        'm = runpy.run_path(%r)\n'
                        'pool = m["Pool"](4)\n'
                        'pool.start()\n'
                        'time.sleep(2.0)\n'
                        'pool.stopping.set()\n'
                        'for t in pool.threads:\n'
                        '    t.join()\n' % POOL)
            text, _, _ = run('--interval', '0.3', '--no-picture', script=script)
        self.assertRegex(text, r'growing types .*\n  Sample ')
        self.assertNotIn('taken at checkpoint', text)
        self.assertNotIn('freed before the last', text)


if __name__ == '__main__':
    unittest.main()

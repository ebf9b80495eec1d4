"""objref-chain --extract-dot on fuzzed PNG files (tests/python/pngfuzz.py):
exit 0 with the DOT on stdout, or exit 2 with one line on stderr naming the
file; never a signal, never a hang, never anything else."""
import os
import signal
import subprocess
import unittest

from tests.cli.test_cli import CHAIN, ChainTest, setUpModule  # noqa: F401
from tests.python import pngfuzz

N = 500


class TestExtractDotFuzzCli(ChainTest):
    def test_fuzzed(self):
        path = os.path.join(self.dir, 'f.png')
        statuses = {}
        for i, data in enumerate(pngfuzz.cases(N, seed=15)):
            with open(path, 'wb') as f:
                f.write(data)
            proc = subprocess.run([CHAIN, '--extract-dot', path], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=30)
            err = proc.stderr.decode('utf-8', 'replace')
            self.assertIn(proc.returncode, (0, 2), 'case %d: status %d (%s)\n%s' % (
                i, proc.returncode, signal.Signals(-proc.returncode).name
                if proc.returncode < 0 else 'exit', err))
            if proc.returncode == 2:
                self.assertEqual(err.count('\n'), 1, 'case %d: %r' % (i, err))
                self.assertTrue(err.startswith("objref-chain: --extract-dot: '%s'" % path),
                                'case %d: %r' % (i, err))
            else:
                self.assertEqual(err, '', 'case %d' % i)
            statuses[proc.returncode] = statuses.get(proc.returncode, 0) + 1
        self.assertGreater(statuses.get(0, 0), 0, statuses)
        self.assertGreater(statuses.get(2, 0), 0, statuses)


if __name__ == '__main__':
    unittest.main()

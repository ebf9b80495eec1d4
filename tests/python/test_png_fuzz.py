"""objref.extract_dot on a few thousand fuzzed PNG files (see pngfuzz.py):
each call returns the DOT text or raises a clean error (ValueError, LookupError,
OSError, MemoryError) with a message naming the file; none crashes, hangs
or raises anything else.  The CLI half is tests/cli/test_fuzz_cli.py."""
import os
import shutil
import tempfile
import unittest

import objref
from tests.python import pngfuzz

N = 3000


class TestExtractDotFuzz(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-fuzz-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_seed_image_carries_dot(self):
        # The fuzz starts from a good image: its DOT comes back whole.
        self.assertTrue(objref.extract_dot(pngfuzz.SEED_IMAGE).startswith('digraph'))

    def test_fuzzed(self):
        path = os.path.join(self.dir, 'f.png')
        outcomes = {}
        for i, data in enumerate(pngfuzz.cases(N)):
            with open(path, 'wb') as f:
                f.write(data)
            try:
                dot = objref.extract_dot(path)
            except (ValueError, LookupError, OSError, MemoryError) as e:
                msg = str(e)
                self.assertTrue(msg and '\n' not in msg.strip(), 'case %d: %r' % (i, msg))
                self.assertIn(path, msg, 'case %d: the message names no file: %r' % (i, msg))
                outcomes[type(e).__name__] = outcomes.get(type(e).__name__, 0) + 1
            else:
                self.assertIsInstance(dot, str, 'case %d' % i)
                outcomes['dot'] = outcomes.get('dot', 0) + 1
        # Both outcomes happen: the fuzz reaches past the signature and CRCs.
        self.assertGreater(outcomes.get('dot', 0), 0, outcomes)
        self.assertGreater(outcomes.get('ValueError', 0), 0, outcomes)


if __name__ == '__main__':
    unittest.main()

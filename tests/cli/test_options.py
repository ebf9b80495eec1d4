"""objref-chain's command line: one option table, a parser that only parses.

--help and the usage error's list of valid options are both made from the
table in cli/options.c, so every option appears in both; parsing creates
no file (the --log file is made only once the whole command line is good)."""
import os
import re
import subprocess
import unittest

from tests.cli.test_cli import ChainTest, setUpModule  # noqa: F401


class Options(ChainTest):
    def test_help_and_usage_list_the_same_options(self):
        helped = self.chain('--help')
        self.assertStatus(helped, 0)
        listed = self.chain('--frobnicate', 'x.py')
        self.assertStatus(listed, 2)
        valid = listed.stderr.split('valid options:')[1].split('Try')[0]
        names = re.findall(r'--[a-z-]+|-[a-z]\b', valid)
        self.assertGreaterEqual(len(names), 17)
        for name in names:
            self.assertIn(name, helped.stdout)

    def test_parsing_creates_no_log(self):
        log = os.path.join(self.dir, 'run.log')
        self.write('ok.py', 'pass\n')
        proc = self.chain('--log', log, '--frobnicate', 'ok.py')
        self.assertStatus(proc, 2)
        self.assertFalse(os.path.exists(log), 'a rejected command line created the log')
        proc = self.chain('--log', log, 'ok.py')
        self.assertStatus(proc, 0)
        self.assertTrue(os.path.exists(log))

    def test_help_ends_the_options(self):
        proc = self.chain('--help', '--frobnicate')
        self.assertStatus(proc, 0)
        self.assertIn('exit status', proc.stdout)


if __name__ == '__main__':
    unittest.main()

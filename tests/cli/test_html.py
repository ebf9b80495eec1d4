"""objref-chain --html FILE (a run, --from dumps; --pid in test_attach.py)
and objref.write_html(path): one self-contained page, opened in headless Chromium when it is installed (Debian's chromium).

    OBJREF_CHAIN=$PWD/build/cli/objref-chain OBJREF_SOURCE_DIR=$PWD PYTHONPATH=build/python \\
        python3 -m unittest tests.cli.test_html -v
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
TIMEOUT = 120
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')

# A heap whose text is hostile: a type named like a tag, dict keys that are
# scripts, one of which would retitle the page if it ran.
HOSTILE = textwrap.dedent('''\
    import objref
    Evil = type("<img src=x onerror=alert(2)>", (), {})
    HOLD = {"<script>document.title='pwned'</script>": [], "<script>alert(1)</script>": []}
    for i in range(4):
        for j in range(50):
            HOLD["<script>document.title='pwned'</script>"].append(Evil())
            HOLD["<script>alert(1)</script>"].append(Evil())
        objref.checkpoint("step %d" % i)
    ''')


MANY = textwrap.dedent('''\
    import objref
    class Leaf:
        pass
    for i in range(3):
        for j in range(40):  # each list its own root, so its own pattern
            globals().setdefault("KEEP%d" % j, []).append(Leaf())
        objref.checkpoint("step %d" % i)
    ''')


def unescape(text):
    return (text.replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"')
            .replace('&#39;', "'").replace('&amp;', '&'))


def pattern_sections(html, type_html):
    """[(title, picture's title, its DOT)] of the per-pattern sections."""
    out = []
    for sec in html.split('<section>')[1:]:
        m = re.match(r'\n<h2>(Chains for %s: pattern \d+ of \d+ \(\d+/\d+ samples\))</h2>' %
                     re.escape(type_html), sec)
        if not m:
            continue
        svg = re.search(r'<div class="pic">\n<svg.*?<text[^>]*>(who holds [^<]*)</text>', sec, re.S)
        dot = re.search(r'<details class="dot"><summary>DOT source</summary><pre>(.*?)</pre></details>',
                        sec, re.S)
        out.append((m.group(1), svg and svg.group(1), dot and unescape(dot.group(1))))
    return out


def setUpModule():
    if not CHAIN or not os.access(CHAIN, os.X_OK):
        raise unittest.SkipTest('OBJREF_CHAIN is not an executable objref-chain')


def chromium(page):
    """(dumped DOM, the log lines that are the page's own: console messages,
    refused or failed loads); chromium's D-Bus and GPU chatter left out."""
    # the sanitizer build preloads its runtime into the tests' children:
    # not into the browser, which hangs under it
    env = {k: v for k, v in os.environ.items()
           if k not in ('LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS')}
    proc = subprocess.run([CHROMIUM, '--headless', '--disable-gpu', '--no-sandbox', '--dump-dom',
                           '--enable-logging=stderr', '--v=0', 'file://' + page],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT,
                          env=env)
    name = os.path.basename(page)
    ours = [line for line in proc.stderr.splitlines()
            if ':CONSOLE' in line or name in line or 'net::ERR' in line or
            (('Refused' in line or 'Failed' in line) and 'dbus' not in line)]
    return proc.stdout, ours


class TestHtml(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='objref-html-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, 'hostile.py'), 'w') as f:
            f.write(HOSTILE)

    def chain(self, *args, status=0):
        proc = subprocess.run([CHAIN] + list(args), cwd=self.dir, timeout=TIMEOUT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(proc.returncode, status, 'stdout:\n%s\nstderr:\n%s' % (proc.stdout, proc.stderr))
        return proc

    def read(self, name):
        with open(os.path.join(self.dir, name), encoding='utf-8') as f:
            return f.read()

    def check_page(self, page, title):
        """What any page of the hostile heap must show, as written and as rendered."""
        html = self.read(page)
        self.assertIn('Content-Security-Policy', html)
        self.assertEqual(html.count('<script'), 1, 'only the page\'s own script')
        self.assertIn('&lt;script&gt;alert(1)&lt;/script&gt;', html)
        self.assertIn('<div class="pic">', html)
        self.assertNotRegex(html, r'(?i)(src|href)="(https?:)?//', 'nothing from the network')
        if not CHROMIUM:
            self.skipTest('chromium is not installed (apt-get install chromium): the page was '
                          'checked as text only')
        dom, log = chromium(os.path.join(self.dir, page))
        self.assertEqual(log, [], 'console messages or refused loads')
        # the heap's script did not retitle the page
        self.assertEqual(re.search(r'<title>(.*?)</title>', dom).group(1), title)
        self.assertNotIn('pwned</title>', dom.split('</head>')[0])
        # the chains picture is in the DOM, with the hostile key as text
        self.assertTrue(re.search(r'<div class="pic">\s*<svg[^>]*>\s*<g id="graph0" class="graph"', dom),
                        'no chains picture in the DOM')
        self.assertTrue('&lt;script&gt;alert(1)&lt;/script&gt;' in dom, 'the hostile key is not text')
        self.assertFalse('<script>alert(1)</script>' in dom, 'the hostile key is markup')
        self.assertTrue('<table id="census">' in dom, 'no census table')
        return dom

    def test_cli_page(self):
        proc = self.chain('--html', 'page.html', '--no-picture', 'hostile.py')
        self.assertIn('wrote page.html (HTML report)', proc.stdout)
        self.assertEqual(sorted(os.listdir(self.dir)), ['hostile.py', 'page.html'],
                         'no temporary file left, no picture with --no-picture')
        html = self.read('page.html')
        self.assertIn('<h2>Chains for &lt;img src=x onerror=alert(2)&gt;</h2>', html)
        self.assertIn('<h2>Retained sizes by type</h2>', html)
        self.assertIn('<svg id="chart"', html)
        self.check_page('page.html', 'objref-chain: hostile.py')

    def test_from_page(self):
        """--from dumps --html: the same page from dump files, no interpreter."""
        with open(os.path.join(self.dir, 'dumping.py'), 'w') as f:
            f.write(HOSTILE.replace('    objref.checkpoint("step %d" % i)\n',
                                    '    objref.checkpoint("step %d" % i)\n'
                                    '    if i == 1:\n        objref.dump("early.objref")\n'))
        self.chain('--no-picture', '--dump', 'late.objref', 'dumping.py')
        proc = self.chain('--html', 'from.html', '--no-picture', '--from', 'early.objref',
                          '--from', 'late.objref')
        self.assertIn('wrote from.html (HTML report)', proc.stdout)
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if not n.endswith('.py')),
                         ['early.objref', 'from.html', 'late.objref'], 'no temporary file left')
        html = self.read('from.html')
        self.assertIn('objref-chain: early.objref .. late.objref ran', html)
        self.assertIn('<h2>Chains for &lt;img src=x onerror=alert(2)&gt;</h2>', html)
        self.assertIn('root: module global __main__.HOLD', html)
        # retained sizes computed in C from the last dump
        retained = html.split('<h2>Retained sizes by type</h2>')[1].split('</pre>')[0]
        # its rows: type, objects, bytes, retained (never less than bytes);
        # whether the 400 small hostile objects make the top rows depends on
        # the Python's own heap, so their row is checked only when listed
        rows = [l.split() for l in retained.splitlines()[2:] if l.strip()]
        self.assertGreaterEqual(len(rows), 10, retained)
        for r in rows:
            self.assertGreaterEqual(int(r[-1]), int(r[-2]), r)
        evil = [l for l in retained.splitlines() if 'onerror=alert(2)' in l]
        for l in evil:
            self.assertRegex(l, r'^__main__\.&lt;img src=x onerror=alert\(2\)&gt; +400 +\d+ +\d+$')
        self.assertNotIn('<img src=x', retained)
        self.assertIn('<svg id="chart"', html)
        # two patterns (the two keys of HOLD): a picture each, with its DOT
        sections = pattern_sections(html, '&lt;img src=x onerror=alert(2)&gt;')
        self.assertEqual(len(sections), 2, html.count('<h2>'))
        self.assertTrue(all(dot and dot.startswith('digraph') for _, _, dot in sections))
        self.check_page('from.html', 'objref-chain: early.objref .. late.objref')

    def test_a_picture_per_pattern(self):
        """Each chain pattern has its own picture, with its DOT; past
        OBJREF_CHAINS_PATTERN_PICTURES (8) a note says how many are left."""
        for samples, pictured in (('2', 2), ('12', 8)):
            with self.subTest(samples=samples):
                with open(os.path.join(self.dir, 'many.py'), 'w') as f:
                    f.write(MANY)
                self.chain('--html', 'many.html', '--no-picture', '--type', 'Leaf', '--samples',
                           samples, 'many.py')
                html = self.read('many.html')
                npatterns = int(re.search(r'chains for Leaf \(\d+ samples of 120, (\d+) patterns',
                                          html).group(1))
                self.assertEqual(npatterns, int(samples))  # one key per sample
                sections = pattern_sections(html, 'Leaf')
                self.assertEqual(len(sections), pictured, [t for t, _, _ in sections])
                for k, (title, picture, dot) in enumerate(sections):
                    self.assertTrue(title.startswith('Chains for Leaf: pattern %d of %d (1/%s samples)'
                                                     % (k + 1, npatterns, samples)), title)
                    self.assertEqual(picture, 'who holds Leaf: 1 sample of 120')
                    self.assertTrue(dot and dot.startswith('digraph'), dot)
                    self.assertIn('who holds Leaf: 1 sample of 120', dot)
                note = '(the first 8 patterns of 12 have a picture of their own'
                self.assertEqual(note in html, pictured < npatterns)

    def test_from_page_unwritable(self):
        self.chain('--no-picture', '--dump', 'one.objref', 'hostile.py')
        proc = self.chain('--html', '/nonexistent-dir/page.html', '--from', 'one.objref', status=2)
        self.assertIn("cannot write the HTML report '/nonexistent-dir/page.html'", proc.stderr)
        self.assertEqual(proc.stdout, '')

    def test_cli_cycles_section(self):
        script = os.path.join(os.environ.get('OBJREF_SOURCE_DIR', '.'), 'examples', 'cycles',
                              'gc_disabled.py')
        if not os.path.exists(script):
            self.skipTest('examples/cycles/gc_disabled.py not found (OBJREF_SOURCE_DIR)')
        self.chain('--html', 'cycles.html', '--cycles', '--no-picture', script, '7')
        html = self.read('cycles.html')
        self.assertIn('<h2>Garbage cycles</h2>', html)
        self.assertIn('Request .response -&gt; Response .request -&gt; Request', html)
        self.assertGreaterEqual(html.count('<div class="pic">'), 1)

    def test_cli_unwritable(self):
        proc = self.chain('--html', '/nonexistent-dir/page.html', 'hostile.py', status=2)
        self.assertIn("cannot write the HTML report '/nonexistent-dir/page.html'", proc.stderr)
        self.assertEqual(proc.stdout, '', 'the program did not run')

    def test_module_write_html(self):
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(os.path.abspath(p) for p in
                                            env.get('PYTHONPATH', '').split(os.pathsep) if p)
        with open(os.path.join(self.dir, 'hostile.py'), 'a') as f:
            f.write('objref.write_html("module.html")\n')
        proc = subprocess.run([sys.executable, 'hostile.py'], cwd=self.dir, env=env, timeout=TIMEOUT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        html = self.read('module.html')
        self.assertIn('objref.write_html: 4 checkpoints', html)
        self.assertIn('<h2>Chains for &lt;img src=x onerror=alert(2)&gt;</h2>', html)
        self.assertEqual([n for n in os.listdir(self.dir) if 'tmp' in n], [])
        self.check_page('module.html', 'objref report')

    def test_detector_sees_a_bad_page(self):
        """The checks above can fail: a page with a script and a network
        load added is caught by the log and the policy."""
        if not CHROMIUM:
            self.skipTest('chromium is not installed (apt-get install chromium)')
        self.chain('--html', 'page.html', '--no-picture', 'hostile.py')
        html = self.read('page.html').replace(
            '</body>', '<script>document.title="injected"</script>'
                       '<img src="http://127.0.0.1:9/x.png"></body>')
        with open(os.path.join(self.dir, 'bad.html'), 'w') as f:
            f.write(html)
        dom, log = chromium(os.path.join(self.dir, 'bad.html'))
        self.assertTrue(any('Content Security Policy' in line for line in log), log)
        self.assertNotIn('<title>injected</title>', dom)


if __name__ == '__main__':
    unittest.main()

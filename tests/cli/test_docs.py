"""The pictures in docs/ are what the tool draws today.

docs/pictures.txt lists each picture and the objref-chain arguments that
made it (`make docs`).  Each PNG must be a valid PNG (every chunk's CRC
right) carrying a DOT chunk equal, byte for byte, to the DOT objref-chain
writes now for the same arguments.  When it differs: run `make docs` and
commit docs/img.  Pictures made by another Python version than the
objref-chain under test (3.11.7 against 3.11.2 included: the heap of the
same example differs) are skipped, saying so."""
import os
import struct
import subprocess
import tempfile
import unittest
import zlib

from tests.cli.test_cli import CHAIN, SOURCE_DIR, TIMEOUT, setUpModule  # noqa: F401

DOCS = os.path.join(SOURCE_DIR, 'docs')


def png_texts(path):
    """{keyword: text} of a PNG's iTXt/tEXt chunks; every CRC checked."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise AssertionError('%s is not a PNG' % path)
    texts, at, kinds = {}, 8, []
    while at < len(data):
        n, kind = struct.unpack('>I4s', data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        crc, = struct.unpack('>I', data[at + 8 + n:at + 12 + n])
        if crc != zlib.crc32(kind + body):
            raise AssertionError('%s: bad CRC in chunk %r' % (path, kind))
        kinds.append(kind)
        if kind == b'iTXt':
            key, rest = body.split(b'\0', 1)
            text = rest[2:].split(b'\0', 2)[2]
            texts[key.decode('latin-1')] = (zlib.decompress(text) if rest[0] else text).decode()
        elif kind == b'tEXt':
            key, text = body.split(b'\0', 1)
            texts[key.decode('latin-1')] = text.decode('latin-1')
        at += 12 + n
    if kinds[0] != b'IHDR' or kinds[-1] != b'IEND' or b'IDAT' not in kinds:
        raise AssertionError('%s: not a complete PNG (%r)' % (path, kinds))
    return texts


def pictures():
    with open(os.path.join(DOCS, 'pictures.txt')) as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                name, *args = line.split()
                yield name, args


class DocsPictures(unittest.TestCase):
    def chain_python(self):
        out = subprocess.run([CHAIN, '--version'], stdout=subprocess.PIPE,
                             universal_newlines=True, timeout=TIMEOUT)
        return out.stdout.split('Python ')[1].split(')')[0]

    def test_every_listed_picture_exists(self):
        listed = {name for name, _ in pictures()}
        self.assertTrue(listed)
        present = {f for f in os.listdir(os.path.join(DOCS, 'img')) if f.endswith('.png')}
        self.assertEqual(present - listed, set(), 'pictures in docs/img that no line of '
                         'docs/pictures.txt makes')
        self.assertEqual(listed - present, set(), 'run `make docs`')

    def test_pictures_carry_todays_dot(self):
        python = self.chain_python()
        tmp = tempfile.mkdtemp(prefix='objref-docs-')
        env = dict(os.environ, PYTHONHASHSEED='0')
        for name, args in pictures():
            with self.subTest(picture=name):
                texts = png_texts(os.path.join(DOCS, 'img', name))
                self.assertIn('DOT', texts)
                if any(a.startswith('{') for a in args):
                    self.check_attached(name, args, texts, python, tmp, env)
                    continue
                made_by = texts.get('Python', '?')
                if made_by != python:
                    self.skipTest('docs/img/%s was drawn with Python %s, objref-chain has %s'
                                  % (name, made_by, python))
                dot = os.path.join(tmp, name[:-4] + '.dot')
                proc = subprocess.run([CHAIN, '-o', dot] + args, cwd=SOURCE_DIR, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      universal_newlines=True, timeout=TIMEOUT)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                with open(dot) as f:
                    self.assertEqual(texts['DOT'], f.read(),
                                     'docs/img/%s is stale: run `make docs`' % name)


    def check_attached(self, name, args, texts, python, tmp, env):
        """A picture of a service objref-chain attaches to ({SCRIPT}): the
        Makefile starts SCRIPT with the Python objref-chain was built with;
        so does this, when it runs under that Python and --pid can work."""
        import shutil
        import signal
        import sys
        from tests.cli import test_attach
        here = '%d.%d.%d' % sys.version_info[:3]
        # an attached service's picture names no Python: `make docs` draws
        # every picture with one build, whose Python the others name
        made_by = texts.get('Python') or next(
            (png_texts(os.path.join(DOCS, 'img', n)).get('Python') for n, _ in pictures()
             if 'Python' in png_texts(os.path.join(DOCS, 'img', n))), '?')
        if made_by != python:
            self.skipTest('docs/img/%s was drawn with Python %s, objref-chain has %s'
                          % (name, made_by, python))
        if here != python:
            self.skipTest('docs/img/%s attaches to a service run by Python %s (objref-chain\'s); '
                          'this is %s' % (name, python, here))
        if 'libasan' in os.environ.get('LD_PRELOAD', '') or not shutil.which('gdb'):
            self.skipTest('docs/img/%s: --pid needs gdb and a build without the sanitizer' % name)
        script = next(a for a in args if a.startswith('{'))[1:-1]
        svc = subprocess.Popen([sys.executable, os.path.join(SOURCE_DIR, script)], env=env,
                               stdout=subprocess.PIPE, universal_newlines=True)
        try:
            self.assertIn('ready', svc.stdout.readline())
            dot = os.path.join(tmp, name[:-4] + '.dot')
            argv = [str(svc.pid) if a.startswith('{') else a for a in args]
            proc = test_attach.attach(argv[argv.index('--pid') + 1],
                                      *(argv[:argv.index('--pid')] + argv[argv.index('--pid') + 2:]
                                        + ['-o', dot]), env=env, cwd=SOURCE_DIR)
            if proc.returncode != 0 and 'ptrace' in proc.stderr:
                self.skipTest('docs/img/%s: %s' % (name, proc.stderr.strip()))
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(dot) as f:
                self.assertEqual(texts['DOT'], f.read(), 'docs/img/%s is stale: run `make docs`' % name)
            self.assertIsNone(svc.poll(), 'the service died')
        finally:
            svc.send_signal(signal.SIGKILL)
            svc.wait()
            svc.stdout.close()


if __name__ == '__main__':
    unittest.main()

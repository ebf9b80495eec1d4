"""A PEP 517 backend for `pip install .`: CMake builds the package objref
(the extension with objref-chain's code, python/objref/*.py) for the
interpreter running the build, and a wheel is zipped from it by hand.

No build dependency is downloaded (pyproject.toml requires nothing): the
wheel format is written here (a zip with objref/ and objref-VERSION.dist-info
holding METADATA, WHEEL, entry_points.txt and RECORD), so the build works
offline and with --no-build-isolation.  Graphviz (libgvc, libcgraph) and
libpng are found by CMake through pkg-config.

Environment: OBJREF_CMAKE (cmake), OBJREF_CMAKE_ARGS (extra -D...),
OBJREF_BUILD_DIR (default: a temporary directory), JOBS (2).
"""
import base64
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = 'objref'


def _version():
    with open(os.path.join(ROOT, 'CMakeLists.txt')) as f:
        m = re.search(r'project\(objref VERSION ([0-9.]+)', f.read())
    return m.group(1)


def _tag():
    py = 'cp%d%d' % sys.version_info[:2]
    plat = re.sub(r'[-.]', '_', sysconfig.get_platform())
    return '%s-%s-%s' % (py, py, plat)


def _cmake_build(build_dir):
    cmake = os.environ.get('OBJREF_CMAKE', 'cmake')
    if not shutil.which(cmake):
        raise RuntimeError('objref: cmake not found; install it (apt-get install cmake, or '
                           'make deps in the checkout)')
    configure = [cmake, '-S', ROOT, '-B', build_dir, '-DOBJREF_PYTHON_ONLY=ON',
                 '-DOBJREF_BUILD_TESTS=OFF', '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
                 '-DPython3_EXECUTABLE=' + sys.executable]
    configure += shlex.split(os.environ.get('OBJREF_CMAKE_ARGS', ''))
    for cmd in (configure, [cmake, '--build', build_dir, '--target', 'objref_package',
                            '-j' + os.environ.get('JOBS', '2')]):
        print('objref_build:', ' '.join(cmd), flush=True)
        subprocess.run(cmd, check=True, stdout=sys.stderr)
    return os.path.join(build_dir, 'package', NAME)


def _metadata(version):
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    return ('Metadata-Version: 2.1\nName: %s\nVersion: %s\n'
            'Summary: Find memory leaks in Python processes and draw who holds the leaked objects\n'
            'Requires-Python: >=3.8,<3.14\nDescription-Content-Type: text/markdown\n\n%s'
            % (NAME, version, readme))


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    return '%s,sha256=%s,%d' % (arcname, digest, len(data))


def _write_wheel(wheel_directory, package_dir, version):
    tag = _tag()
    dist_info = '%s-%s.dist-info' % (NAME, version)
    path = os.path.join(wheel_directory, '%s-%s-%s.whl' % (NAME, version, tag))
    files = []
    for fn in sorted(os.listdir(package_dir)):
        if fn.endswith('.py') or fn.startswith('_objref'):
            with open(os.path.join(package_dir, fn), 'rb') as f:
                files.append(('%s/%s' % (NAME, fn), f.read()))
    files += [
        (dist_info + '/METADATA', _metadata(version).encode()),
        (dist_info + '/WHEEL', ('Wheel-Version: 1.0\nGenerator: objref_build\n'
                                'Root-Is-Purelib: false\nTag: %s\n' % tag).encode()),
        (dist_info + '/entry_points.txt',
         b'[console_scripts]\nobjref-chain = objref.__main__:console\n\n'
         b'[pytest11]\nobjref.pytest_plugin = objref.pytest_plugin\n'),
    ]
    record = [_record_line(n, d) for n, d in files] + [dist_info + '/RECORD,,']
    tmp = path + '.part'
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith('.so') else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        z.writestr(dist_info + '/RECORD', '\n'.join(record) + '\n')
    os.replace(tmp, path)
    return os.path.basename(path)


# ---- PEP 517 hooks -----------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = _version()
    build_dir = os.environ.get('OBJREF_BUILD_DIR')
    tmp = None
    if not build_dir:
        tmp = build_dir = tempfile.mkdtemp(prefix='objref-wheel-')
    try:
        return _write_wheel(wheel_directory, _cmake_build(build_dir), version)
    finally:
        if tmp:
            shutil.rmtree(tmp, True)


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_sdist(sdist_directory, config_settings=None):
    raise RuntimeError('objref: no sdist; install from the checkout: pip install .')

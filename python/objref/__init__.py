"""objref: who holds the leaked objects (objgraph-compatible names).

The package around the extension: _objref*.so is the module objref (its
init function is PyInit_objref) plus objref-chain's code, loaded here under
the name objref and its names re-exported, so `import objref` and
`import objref as objgraph` see the same functions as before, and
`python -m objref` (objref/__main__.py) can call objref-chain's C entry.
"""
import importlib.machinery as _machinery
import importlib.util as _util
import os as _os


def _load():
    here = _os.path.dirname(_os.path.abspath(__file__))
    for suffix in _machinery.EXTENSION_SUFFIXES:
        path = _os.path.join(here, '_objref' + suffix)
        if _os.path.exists(path):
            loader = _machinery.ExtensionFileLoader('objref', path)
            spec = _util.spec_from_file_location('objref', path, loader=loader)
            module = _util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError('objref: no _objref extension for this Python in %s (suffixes %s); '
                      'build it for this interpreter: pip install . or make install PYTHON=...'
                      % (here, ', '.join(_machinery.EXTENSION_SUFFIXES)))


_ext = _load()
globals().update((k, v) for k, v in vars(_ext).items()
                 if not (k.startswith('__') and k.endswith('__')))
__doc__ = _ext.__doc__ or __doc__
__all__ = [k for k in vars(_ext) if not k.startswith('_')]
del _load

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


class Picture(object):
    """A picture of show_refs / show_backrefs / show_chain inside IPython
    (objgraph returns graphviz.Source there): its DOT text in `source`;
    IPython displays it inline through _repr_svg_ (or _repr_png_), drawn
    by objref's own renderer, so neither graphviz nor `dot` is needed."""

    def __init__(self, source):
        self.source = source

    def _render(self, suffix):
        import tempfile
        fd, path = tempfile.mkstemp(prefix='objref-', suffix=suffix)
        _os.close(fd)
        try:
            _ext.render_dot(self.source, path)
            with open(path, 'rb') as f:
                return f.read()
        finally:
            _os.unlink(path)

    def _repr_svg_(self):
        return self._render('.svg').decode('utf-8')

    def _repr_png_(self):
        return self._render('.png')

    def __str__(self):
        return self.source

    def __repr__(self):
        return '<objref.Picture: %d lines of DOT>' % self.source.count('\n')


def _interactive():
    """Inside IPython (objgraph's test: the __IPYTHON__ builtin), with IPython
    already imported (it is never imported here)."""
    import builtins
    import sys
    return hasattr(builtins, '__IPYTHON__') and 'IPython' in sys.modules


# show_refs' and show_backrefs' parameters, in order
_GRAPH_ARGS = ('objs', 'max_depth', 'extra_ignore', 'filter', 'too_many', 'highlight',
               'filename', 'extra_info', 'refcounts', 'shortnames', 'output',
               'extra_node_attrs', 'max_nodes', 'timeout')


def _inline(draw):
    """draw, returning the picture instead of writing files when neither
    filename nor output is given (objgraph's IPython mode)."""
    import functools

    @functools.wraps(draw)
    def inline(*args, **kw):
        if draw is not _ext.show_chain and len(args) > 1:  # all but objs by name
            if len(args) > len(_GRAPH_ARGS):
                return draw(*args, **kw)  # the extension says what is wrong
            dup = set(_GRAPH_ARGS[1:len(args)]) & set(kw)
            if dup:
                return draw(*args, **kw)
            kw.update(zip(_GRAPH_ARGS[1:], args[1:]))
            args = args[:1]
        if kw.get('filename') is not None or kw.get('output') is not None:
            return draw(*args, **kw)
        import io
        import sys
        out = io.StringIO()
        if draw is not _ext.show_chain:  # this call holds objs: not referrers to draw
            kw['extra_ignore'] = list(kw.get('extra_ignore') or ()) + [
                id(sys._getframe()), id(args), id(kw)]
        draw(*args, output=out, **kw)
        graphviz = sys.modules.get('graphviz')
        if graphviz is not None and hasattr(graphviz, 'Source'):
            return graphviz.Source(out.getvalue())
        return Picture(out.getvalue())
    return inline


if _interactive():  # decided at import, as objgraph decides IS_INTERACTIVE
    show_refs = _inline(_ext.show_refs)
    show_backrefs = _inline(_ext.show_backrefs)
    show_chain = _inline(_ext.show_chain)

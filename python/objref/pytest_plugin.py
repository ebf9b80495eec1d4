"""objref's pytest plugin: fail a test that leaks, with the chain that keeps
the leaked objects alive.

    pytest --objref-leaks                  check every test
    @pytest.mark.objref_no_leaks(warmups=1, repeat=3, ignore=("re.Pattern",))
                                           check one test
    pytest --objref-leaks-picture DIR      also draw DIR/<test>.png per failing test

Registered through the package's `pytest11` entry point; also loadable with
`pytest -p objref.pytest_plugin`.

A checked test runs `warmups` times (caches filled once are filled then),
then `repeat` times more, each run with its function-scoped fixtures set up
and torn down, a gc.collect() after each.  A census of the heap
(objref.typestats: every object, tracked by the collector or not) is taken
before the first repeat and after each.  A type whose count grows by
the same positive number in every repeat is leaked; a sample of it is
chained from its root (objref.why_alive: the chain as objref-chain prints
it).  Wider-scoped fixtures are not torn down between the runs (their
objects are made once), and a type whose sample is held by pytest's own
objects (its items, reports, captured output) or by this plugin is not
accused, nor is one whose samples no root reaches.  The bytes are the
leaked count times the type's mean size in a snapshot; the retained bytes
(objref.retained_by_type) are those of all the type's objects.  Then the
test runs once more, as pytest would run it, and that
run is what is reported: a leak turns its call phase into a failure.
"""
import gc
import io
import os
import re

import pytest
from _pytest.runner import runtestprotocol

import objref

_MARK = 'objref_no_leaks'
_DEFAULTS = {'warmups': 1, 'repeat': 3, 'ignore': ()}
_CHAINS_SHOWN = 3  # leaked types whose chain the failure message shows
# Objects held through these modules' objects are pytest's or ours.
_OWN_MODULES = ('_pytest', 'pytest', 'pluggy', 'objref.pytest_plugin', 'py', '_py', 'iniconfig')
_SAMPLES = 5


def pytest_addoption(parser):
    group = parser.getgroup('objref', 'leak checks by objref')
    group.addoption('--objref-leaks', action='store_true', default=False,
                    help='fail every test that leaks objects (objects it made alive after its '
                         'teardown in every one of several runs), with the chain that holds them')
    group.addoption('--objref-leaks-picture', metavar='DIR', default=None,
                    help='write a PNG of the chain of each failing test into DIR')


def pytest_configure(config):
    config.addinivalue_line(
        'markers', '%s(warmups=1, repeat=3, ignore=()): fail the test if it leaks objects '
                   '(see objref.pytest_plugin)' % _MARK)


def pytest_collection_modifyitems(config, items):
    """A bad objref_no_leaks mark is a usage error before any test runs."""
    for item in items:
        _settings(item)


def _settings(item):
    marker = item.get_closest_marker(_MARK)
    if marker is None and not item.config.getoption('objref_leaks'):
        return None
    s = dict(_DEFAULTS)
    if marker is not None:
        unknown = set(marker.kwargs) - set(_DEFAULTS)
        if unknown or marker.args:
            raise pytest.UsageError('%s: @pytest.mark.%s takes warmups=, repeat=, ignore= only (got %s)'
                                    % (item.nodeid, _MARK, ', '.join(sorted(unknown)) or 'positional'))
        s.update(marker.kwargs)
    if s['warmups'] < 0 or s['repeat'] < 2:
        raise pytest.UsageError('%s: objref_no_leaks needs warmups >= 0 and repeat >= 2 (got %r, %r)'
                                % (item.nodeid, s['warmups'], s['repeat']))
    if isinstance(s['ignore'], str):
        s['ignore'] = (s['ignore'],)
    return s


def _record(store):
    """Append a census of every live object (objref.typestats: counts by
    type, untracked objects included) to store, a bytearray: the plugin's
    own state between censuses is that one object, whose count stays 1
    however many censuses it holds."""
    gc.collect()
    census = objref.typestats(shortnames=False, untracked=True)
    for name, count in census.items():
        store += b'%s\x00%d\n' % (name.encode('utf-8', 'replace'), count)
    store += b'\x01'
    del census


def _parse(store):
    """The censuses in store: [{name: count}]."""
    out = []
    for block in bytes(store).split(b'\x01')[:-1]:
        c = {}
        for line in block.split(b'\n')[:-1]:
            name, count = line.split(b'\x00')
            c[name.decode('utf-8')] = int(count)
        out.append(c)
    return out


def _ignored(name, ignore):
    short = name.rsplit('.', 1)[-1]
    return name in ignore or short in ignore


def _run_quietly(item):
    """One run of item (setup, call, teardown; wider fixtures kept); True if it passed.
    The next item named is the item's parent: its teardown pops the item
    (its function-scoped fixtures, its finalizers) and keeps the rest."""
    reports = runtestprotocol(item, nextitem=item.parent, log=False)
    ok = all(not r.failed for r in reports)
    del reports
    return ok


def _own(obj):
    mod = getattr(type(obj), '__module__', '') or ''
    return isinstance(mod, str) and (mod in _OWN_MODULES or mod.split('.')[0] in _OWN_MODULES)


def _new_addresses(name, before):
    """The addresses of the objects of type name not in before, newest last;
    no object is held after the call."""
    return [id(o) for o in objref.by_type(name, untracked=True) if id(o) not in before]


def _why(addr):
    """why_alive's text and chain for the object at addr, which no frame of
    ours holds in a variable (a local would be the nearest root)."""
    out = io.StringIO()
    chain = objref.why_alive(objref.at(addr, untracked=True), file=out)
    return out.getvalue(), chain


def _chain_text(name, before):
    """(text, address) of the chain to one new object of type name that is
    not held by pytest's objects nor by ours; (None, None) when every
    sample is, or none is left.  No object of the chain is kept: a chain
    held here would be the nearest root of the next type's chain."""
    for addr in reversed(_new_addresses(name, before)[-_SAMPLES:]):  # the newest first
        text, chain = _why(addr)
        ok = len(chain) > 1 and __file__ not in text and not any(_own(o) for o in chain[:-1])
        del chain
        if ok:
            return text, addr
    return None, None


def _measure(item, s):
    """Run the warmups and repeats; the leaked types as [(name, count,
    bytes, chain text, sample's address)], or None when the test failed on
    its own."""
    for _ in range(s['warmups']):
        if not _run_quietly(item):
            return None
    store = bytearray()
    _record(store)
    for _ in range(s['repeat']):
        if not _run_quietly(item):
            return None
        _record(store)
    leaked = _leaked(_parse(store), s['ignore'])
    del store
    if not leaked:
        return []
    sizes = _sizes({name for name, _ in leaked})
    # one more run, to tell its new objects from the old ones by address
    before = {name: {id(o) for o in objref.by_type(name, untracked=True)} for name, _ in leaked}
    if not _run_quietly(item):
        return None
    gc.collect()
    result = []
    for name, n in leaked:
        text, addr = _chain_text(name, before[name])
        if text is not None:
            count, nbytes = sizes.get(name, (0, 0))
            result.append((name, n, n * nbytes // count if count else 0, text, addr))
    result.sort(key=lambda r: (-r[2], r[0]))
    return result


def _leaked(counts, ignore):
    """Types that grew by one same positive count in every repeat:
    [(name, count per run)]."""
    rows = []
    for name in counts[-1]:
        if _ignored(name, ignore):
            continue
        d = [counts[i + 1].get(name, 0) - counts[i].get(name, 0) for i in range(len(counts) - 1)]
        if min(d) > 0 and len(set(d)) == 1:
            rows.append((name, d[0]))
    return rows


def _sizes(names):
    """{type name: (count, bytes)} of the live objects of these types, from
    one snapshot (objects' own sizes, as objref measures them)."""
    snap = objref.snapshot()
    try:
        return {k: v for k, v in snap.census(shortnames=False).items() if k in names}
    finally:
        del snap


def _retained(names):
    """{type name: retained bytes of all its objects} when objref measures it."""
    try:
        rows = objref.retained_by_type(limit=None, shortnames=False)
    except Exception:  # a failed measurement costs the column, not the report
        return {}
    return {row[0]: row[3] for row in rows if row[0] in names}


def _message(item, s, leaks):
    retained = _retained({row[0] for row in leaks})
    lines = ['objref: %s leaked objects: alive after its teardown and a collection, as many more '
             'in each of %d runs (after %d warm-up run%s):'
             % (item.nodeid, s['repeat'], s['warmups'], '' if s['warmups'] == 1 else 's')]
    for name, n, nbytes, _, _ in leaks:
        extra = (', %d bytes retained in all' % retained[name]) if name in retained else ''
        lines.append('  %s: +%d per run (+%d bytes%s)' % (name, n, nbytes, extra))
    for name, _, _, text, _ in leaks[:_CHAINS_SHOWN]:
        lines.append('the chain to one of %s (objref.why_alive):' % name)
        lines.extend('  ' + line for line in text.rstrip('\n').splitlines())
    if len(leaks) > _CHAINS_SHOWN:
        lines.append('(the chains of the first %d types; %d more leaked)'
                     % (_CHAINS_SHOWN, len(leaks) - _CHAINS_SHOWN))
    if s['ignore']:
        lines.append('ignored: %s' % ', '.join(s['ignore']))
    return '\n'.join(lines)


def _picture(item, leaks):
    d = item.config.getoption('objref_leaks_picture')
    if not d:
        return None
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, re.sub(r'[^A-Za-z0-9_.-]', '_', item.nodeid) + '.png')
    try:
        # the sample, by its address: a leaked object stays where it is
        _, chain = _why(leaks[0][4])
        objref.show_chain(chain, filename=path)
        del chain
    except Exception as e:  # the failure message stands without its picture
        return 'picture not written: %s' % e
    return 'picture: %s' % path


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    s = _settings(item)
    if s is None:
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    leaks = _measure(item, s)
    message = None
    if leaks:
        message = _message(item, s, leaks)
        note = _picture(item, leaks)
        if note:
            message += '\n' + note
    del leaks
    reports = runtestprotocol(item, nextitem=nextitem, log=False)
    for rep in reports:
        if message and rep.when == 'call' and rep.passed:
            rep.outcome = 'failed'
            rep.longrepr = message
        item.ihook.pytest_runtest_logreport(report=rep)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True

"""Hostile objects: capture never runs the program's Python code.

A few hundred objects of classes whose every Python-level hook records its
call (__repr__, __str__, __eq__, __hash__, __getattr__, __getattribute__,
__len__, __sizeof__, __iter__, __del__, __bool__, __class__ lies,
properties, descriptors, metaclass hooks, hostile dict keys and str
subclasses used as attribute names) are kept alive while every capture
function of the module runs over the heap.  None of the hooks may run, and
the counts must be right.  (growth's and get_new_ids' documented
gc.collect() may finalize garbage; the objects here are alive, so even
their __del__ must not run.)
"""
import gc
import io
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

import objref

CALLS = []
N = 60  # objects per hostile class: a few hundred in all


def record(what):
    CALLS.append(what)


class Meta(type):
    def __getattribute__(cls, name):
        if not name.startswith('__'):
            record('Meta.__getattribute__ ' + name)
        return type.__getattribute__(cls, name)

    def __repr__(cls):
        record('Meta.__repr__')
        return 'Meta'

    def __eq__(cls, other):
        record('Meta.__eq__')
        return cls is other

    def __hash__(cls):
        record('Meta.__hash__')
        return id(cls)


class Hooks:
    """Every hook records its call."""

    def __repr__(self):
        record('__repr__')
        return 'Hooks()'

    def __str__(self):
        record('__str__')
        return 'Hooks'

    def __eq__(self, other):
        record('__eq__')
        return self is other

    def __hash__(self):
        record('__hash__')
        return id(self) >> 4

    def __getattr__(self, name):
        record('__getattr__ ' + name)
        raise AttributeError(name)

    def __len__(self):
        record('__len__')
        return 0

    def __bool__(self):
        record('__bool__')
        return True

    def __iter__(self):
        record('__iter__')
        return iter(())

    def __sizeof__(self):
        record('__sizeof__')
        return 1

    def __del__(self):
        record('__del__')

    def __reduce_ex__(self, protocol):
        record('__reduce_ex__')
        return object.__reduce_ex__(self, protocol)

    @property
    def prop(self):
        record('prop')
        return 1


class Attribute(Hooks):
    """Every attribute access records, even those of its own methods."""

    def __getattribute__(self, name):
        record('__getattribute__ ' + name)
        return object.__getattribute__(self, name)


class Liar(Hooks):
    """Claims to be another class."""

    @property
    def __class__(self):
        record('__class__')
        return dict


class Descriptor:
    def __get__(self, obj, owner=None):
        record('Descriptor.__get__')
        return 1

    def __set__(self, obj, value):
        record('Descriptor.__set__')


class Slotted(metaclass=Meta):
    __slots__ = ('a', 'b', '__weakref__')
    managed = Descriptor()

    def __repr__(self):
        record('Slotted.__repr__')
        return 'Slotted'


class HostileStr(str):
    def __eq__(self, other):
        record('HostileStr.__eq__')
        return str.__eq__(self, other)

    def __hash__(self):
        record('HostileStr.__hash__')
        return str.__hash__(self)


class HostileDict(dict):
    def __getitem__(self, key):
        record('HostileDict.__getitem__')
        return dict.__getitem__(self, key)

    def keys(self):
        record('HostileDict.keys')
        return dict.keys(self)

    def items(self):
        record('HostileDict.items')
        return dict.items(self)


class HostileList(list):
    def __getitem__(self, i):
        record('HostileList.__getitem__')
        return list.__getitem__(self, i)

    def __len__(self):
        record('HostileList.__len__')
        return list.__len__(self)


def build():
    """The hostile heap: objects of every kind, referring to each other."""
    objs = []
    for i in range(N):
        h = Hooks()
        a = Attribute()
        liar = Liar()
        s = Slotted()
        s.a, s.b = h, a
        d = HostileDict()
        d[h] = a                 # a hostile key
        d[HostileStr('k%d' % i)] = liar
        lst = HostileList([h, a, liar, s, d])
        object.__setattr__(a, 'peer', liar)
        h.__dict__[HostileStr('name%d' % i)] = lst   # a hostile attribute name
        objs.append((h, a, liar, s, d, lst))
    return objs


class TestHostileObjects(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='objref-hostile-')
        cls.objs = build()
        gc.collect()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)
        del cls.objs
        CALLS.clear()

    def setUp(self):
        del CALLS[:]

    def assertNoCalls(self, what):
        self.assertEqual(CALLS, [], '%s ran the program\'s code: %s' % (what, CALLS[:10]))

    def quietly(self, fn, *args, **kw):
        with redirect_stdout(io.StringIO()):
            return fn(*args, **kw)

    def test_counts(self):
        for name, cls in (('Hooks', Hooks), ('Attribute', Attribute), ('Liar', Liar),
                          ('Slotted', Slotted), ('HostileDict', HostileDict),
                          ('HostileList', HostileList)):
            # Slotted has no __dict__ and no gc-visible identity issue; each
            # class has exactly N live instances (build() made N of each).
            self.assertEqual(objref.count(name), N, name)
        self.assertNoCalls('count')

    def test_census_functions(self):
        stats = objref.typestats()
        self.assertEqual(stats.get('Liar'), N)   # the type, not what __class__ says
        self.assertGreaterEqual(stats.get('HostileStr', 0), 2 * N)
        objref.most_common_types(limit=20)
        self.quietly(objref.show_most_common_types, limit=20)
        self.assertEqual(len(objref.by_type('Attribute')), N)
        self.assertNoCalls('census')

    def test_growth_and_checkpoints(self):
        objref.reset()
        objref.checkpoint()
        self.objs.append(build())
        del CALLS[:]  # build() itself hashed the hostile keys
        objref.checkpoint()
        self.quietly(objref.show_growth)
        objref.growth()
        objref.growing_types()
        self.quietly(objref.show_growing_types)
        self.quietly(objref.get_new_ids)
        self.objs.pop()
        objref.reset()
        self.assertNoCalls('growth')

    def test_chains(self):
        target = self.objs[3][2]
        chain = objref.find_backref_chain(target, objref.is_proper_module)
        self.assertIs(chain[-1], target)
        objref.find_ref_chain(self.objs[0][0], lambda o: type(o) is Liar)
        # the predicate above is the caller's own code: only it may run
        del CALLS[:]
        result = objref.chains('Liar', samples=5)
        self.quietly(objref.show_chains, 'Attribute')
        self.assertTrue(result)
        objref.format_chains(result)
        self.quietly(objref.why_alive, target)
        self.assertNoCalls('chains')

    def test_snapshot_and_cycles(self):
        snap = objref.snapshot()
        self.assertIsNotNone(snap)
        del snap
        objref.cycles()
        objref.garbage()
        objref.get_leaking_objects()
        self.quietly(objref.show_cycles, limit=3)
        self.assertNoCalls('snapshot/cycles')

    def test_pictures(self):
        h = self.objs[5][0]
        path = os.path.join(self.dir, 'refs.dot')
        self.quietly(objref.show_refs, [h], max_depth=3, filename=path)
        self.quietly(objref.show_backrefs, [self.objs[5][2]], max_depth=3,
                     filename=os.path.join(self.dir, 'back.dot'))
        chain = objref.find_backref_chain(self.objs[5][3], objref.is_proper_module)
        self.quietly(objref.show_chain, chain, filename=os.path.join(self.dir, 'chain.dot'))
        self.assertTrue(os.path.getsize(path) > 0)
        self.assertNoCalls('pictures')

    def test_spies_work(self):
        # The spies do record: a test of the hooks above could otherwise pass
        # by never being able to fail.
        h, a, liar, s = self.objs[0][:4]
        repr(h), hash(a), liar.__class__, s.managed, getattr(h, 'missing', None)
        self.assertEqual(CALLS, ['__repr__', '__hash__', '__class__', 'Descriptor.__get__',
                                 '__getattr__ missing'])

    def test_at(self):
        h = self.objs[7][0]
        self.assertIs(objref.at(id(h)), h)
        self.assertNoCalls('at')


if __name__ == '__main__':
    unittest.main()

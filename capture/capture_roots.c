/*
 * capture/capture_roots.c — the root records of a snapshot: what keeps objects
 * alive that no object of the snapshot shows (include/objref/snapshot.h
 * lists the kinds).
 *
 * Two passes around the walk of capture_walk.c:
 *
 *   objref__roots_gather (before the walk) reads sys.modules, every thread's
 *   running frames and their locals (capture_frames.c), and gc.garbage, and
 *   appends what it finds to the walk's object set: the walk then visits
 *   objects only they reach (an untracked dict held by a 3.11+ frame, a
 *   frozen module).  It holds no reference when it returns, so the
 *   refcounts the walk reads are the program's own.
 *
 *   objref__roots_record (after the walk, before the builder finishes) adds
 *   the records and flags, from the objects and edges built.
 *
 * Roots are decided in order, each kind only where the earlier ones do not
 * reach (along the edges, which include the references traversal hides but
 * capture can name: capture_hidden.c):
 *   MODULE, FRAME (locals), GC_GARBAGE;
 *   FRAME roots named "<frame>", "<function>", "<f_locals>", "<code>": what
 *   a running frame holds besides its locals;
 *   HELD_FROM_C roots named "sys.modules", "sys.__dict__",
 *   "builtins.__dict__", "thread state dict": what the interpreter holds;
 *   IMMORTAL: immortal objects (static types first) holding references;
 *   HELD_FROM_C (below), each decided on the reach so far;
 *   FROZEN: frozen objects nothing else reaches.
 * So an object alive for a reason capture can see is reachable from a root
 * record, and one that is not is garbage, or one of the shared objects
 * below whose refcounts say nothing.
 *
 * Held from C.  An object nothing above reaches, with more references than
 * edges into it (less, from 3.11, what running frames' cells explain: one
 * per cell variable bound to its contents, one per unbound one for an
 * empty cell), is a HELD_FROM_C root; extra: the difference.  Never one:
 * immortal objects (and, on 3.11, the statically allocated ones, refcount
 * near 1e9), static types, None/True/False/Ellipsis/NotImplemented,
 * interned strings, strings of at most one character, bytes of at most one
 * byte, the empty tuple and frozenset, small ints (-5..256), tuples of
 * interned strings only (before 3.12: argument parsers' keyword tables),
 * PyModuleDef objects: shared or cached by the interpreter; and dicts and
 * sets of weak references only (type subclass tables, ABC caches), which
 * keep nothing alive.
 */
#include <string.h>
#include "capture_internal.h"

/* A multiset of objects. */
typedef struct {
	objref__objset set;
	uint32_t *count;
	size_t cap;
} tally;

struct objref__roots {
	objref__frames fr;    /* every thread's running frames and their locals */
	tally cells;          /* contents -> running frames' cells holding them (3.11+) */
	PyObject *garbage;    /* gc.garbage, borrowed (the gc module holds it) */
	uint8_t *listed;      /* tracked ids the collector lists outside its
				 * permanent generation; NULL: those below ntracked */
	long frozen;          /* gc.get_freeze_count() */
	objref_gc_state gc;   /* for the snapshot: enabled, debug flags ... */
};

/* ---- tallies ----------------------------------------------------------- */

static int tally_add(tally *t, PyObject *op, uint32_t k)
{
	int added;
	uint32_t i;

	if (!op)
		return 0;
	if ((i = objref__objset_add(&t->set, op, &added)) == OBJREF_NO_ID ||
	    objref__grow((void **)&t->count, &t->cap, i + 1, sizeof(uint32_t)) < 0)
		return OBJREF_ENOMEM;
	t->count[i] = added ? k : t->count[i] + k;
	return 0;
}

/* Take up to `want` of op's count away; returns how many were taken. */
static uint32_t tally_take(tally *t, PyObject *op, uint32_t want)
{
	uint32_t i = objref__objset_find(&t->set, op), k;

	if (i == OBJREF_NO_ID)
		return 0;
	k = OBJREF__MIN(want, t->count[i]);
	t->count[i] -= k;
	return k;
}

static void tally_dispose(tally *t)
{
	objref__objset_dispose(&t->set);
	objref__free(t->count);
}

/* ---- modules, gc ------------------------------------------------------- */

static int seed_modules(objref__objset *objs)
{
	PyObject *modules = PyImport_GetModuleDict(), *k, *v;
	Py_ssize_t pos = 0;

	while (modules && PyDict_Check(modules) && PyDict_Next(modules, &pos, &k, &v))
		if (objref__objset_insert(objs, v) < 0)
			return OBJREF_ENOMEM;
	return 0;
}

/* f(), a function of the gc module taken at objref's import (never a
 * replacement the program installed).  New reference or NULL, no error
 * set. */
static PyObject *gc_call(objref__cfunc f)
{
	PyObject *res = objref__runtime_call(f, NULL);

	if (!res)
		PyErr_Clear();
	return res;
}

/* Which gathered ids are outside the permanent generation, when gathering
 * also listed it: those gc.get_objects() returns. */
static int find_listed(objref__roots *r, const objref__runtime *rt, objref__objset *objs)
{
	PyObject *all;
	int err;

	if ((err = objref__objset_ids(objs)) < 0)  /* with marks, once */
		return err;
	all = gc_call(rt->get_objects);

	if (!all || !PyList_Check(all)) {
		Py_XDECREF(all);
		return 0;  /* then none is known frozen */
	}
	if (!(r->listed = objref__calloc(OBJREF__MAX(objs->n, 1), 1)))
		err = OBJREF_ENOMEM;
	for (Py_ssize_t i = 0; !err && i < PyList_GET_SIZE(all); i++) {
		uint32_t id = objref__objset_find(objs, PyList_GET_ITEM(all, i));
		if (id != OBJREF_NO_ID)
			r->listed[id] = 1;
	}
	Py_DECREF(all);
	return err;
}

/* gc.get_debug().  Whether the collector is enabled the session knew
 * before pausing it: objref__roots_gc_enabled. */
static void gather_gc_state(objref_gc_state *st, const objref__runtime *rt)
{
	PyObject *v;

	st->known = 1;
	if ((v = gc_call(rt->get_debug))) {
		st->debug = PyLong_Check(v) ? (uint32_t)PyLong_AsUnsignedLongMask(v) : 0;
		Py_DECREF(v);
	}
	PyErr_Clear();
}

/* gc.garbage, the debug flags and the permanent generation's size, from
 * the interpreter's gc module (taken at objref's import, whatever
 * sys.modules['gc'] is now). */
static int gather_gc(objref__roots *r, objref__objset *objs)
{
	const objref__runtime *rt = objref__runtime_get();
	PyObject *d, *n;

	if (!rt || !(d = PyModule_GetDict(rt->gc))) {
		PyErr_Clear();
		return objref__error(OBJREF_EPYTHON, "the gc module is not the interpreter's own");
	}
	gather_gc_state(&r->gc, rt);
	r->garbage = objref__dict_get_safe(d, "garbage");
	if (r->garbage && !PyList_CheckExact(r->garbage))
		r->garbage = NULL;
	for (Py_ssize_t i = 0; r->garbage && i < PyList_GET_SIZE(r->garbage); i++)
		if (objref__objset_insert(objs, PyList_GET_ITEM(r->garbage, i)) < 0)
			return OBJREF_ENOMEM;
	if ((n = gc_call(rt->get_freeze_count))) {
		r->frozen = PyLong_Check(n) ? PyLong_AsLong(n) : 0;
		Py_DECREF(n);
		PyErr_Clear();
	}
	r->gc.freeze_count = r->frozen > 0 ? (uint64_t)r->frozen : 0;
	r->gc.frozen_listed = objref__frozen_listed_by_collector();
	r->gc.garbage_list = (uint64_t)(uintptr_t)r->garbage;
	return r->frozen > 0 && objref__frozen_listed_by_collector() ? find_listed(r, rt, objs) : 0;
}

void objref__roots_gc_enabled(objref__roots *r, int enabled)
{
	r->gc.enabled = enabled;
}

void objref__roots_frozen_listed(objref__roots *r, int walked)
{
	if (walked)
		r->gc.frozen_listed = 1;
}

int objref__roots_gather(objref__roots **out, objref__objset *objs)
{
	objref__roots *r = objref__calloc(1, sizeof(*r));
	int err;

	*out = r;
	if (!r)
		return OBJREF_ENOMEM;
	if ((err = gather_gc(r, objs)) < 0 || (err = seed_modules(objs)) < 0 ||
	    (err = objref__frames_gather(&r->fr, objs)) < 0)
		return err;
	/* From 3.11 a frame's slot holds the cell of a cell variable, which no
	 * edge shows; before, the frame object (in the snapshot) shows it. */
	for (size_t i = 0; i < r->fr.nlocals && !err && PY_VERSION_HEX >= 0x030B0000; i++)
		if (r->fr.locals[i].cell)
			err = tally_add(&r->cells, r->fr.locals[i].value, 1);
	return err;
}

/* ---- after the walk: the records ---------------------------------------- */

typedef struct {
	objref_id fn;         /* a function of running code ... */
	uint32_t code;        /* ... that code, by index in fr.running */
} running_fn;

typedef struct {
	objref__roots *r;
	objref_builder *b;
	const objref__objset *objs;
	objref_object *obj;     /* the builder's objects, ids as in objs */
	size_t n, ntracked;
	const uint64_t *off;    /* CSR offsets of the walk's edges (the builder's) */
	const objref_id *adj;   /* their targets, by source */
	objref_id *adj_own;     /* adj when we had to sort them */
	uint32_t *indeg;        /* edges into each object */
	uint8_t *reach;         /* reached from a root record */
	objref_id *queue;
	size_t head, tail;
	running_fn *fns;        /* functions of running code */
	objref_id *cand;        /* collect_unreached */
	size_t ncand, cand_cap;
	size_t nfns, fns_cap;
	PyObject **qualnames;   /* by running code: a function's __qualname__ */
	char text[512];
} recorder;

static int intern_str(objref_str *out, recorder *c, PyObject *s)
{
	size_t n = objref__utf8(c->text, sizeof(c->text), s, 0);
	return objref_builder_string(out, c->b, c->text, n);
}

static int intern_c(objref_str *out, recorder *c, const char *s)
{
	return objref_builder_string(out, c->b, s, strlen(s));
}

/* Mark id reached and queue it for the reach search. */
static void reached(recorder *c, objref_id id)
{
	if (!c->reach[id]) {
		c->reach[id] = 1;
		c->queue[c->tail++] = id;
	}
}

static int add_root(recorder *c, const objref_root *root)
{
	int err = objref_builder_root(c->b, root);

	if (err < 0)
		return err;
	c->obj[root->object].flags |= OBJREF_F_ROOT;
	reached(c, root->object);
	return 0;
}

static int is_static_type(PyObject *op, uint32_t flags)
{
	return (flags & OBJREF_F_TYPE) && !(((PyTypeObject *)op)->tp_flags & Py_TPFLAGS_HEAPTYPE);
}

/* ---- edges, and one pass over the objects -------------------------------- */

/* In-degrees of the edges built, and their CSR offsets (the builder's,
 * which objref_builder_finish reuses); the walk adds them in source
 * order: sort them if not. */
static int index_edges(recorder *c)
{
	const objref_id *src, *dst;
	size_t ne;
	int sorted, err;

	if ((err = objref_builder_edge_start(&c->off, c->b)) < 0)
		return err;
	objref_builder_edges(&src, &dst, &ne, &sorted, c->b);
	if (!(c->indeg = objref__calloc(c->n + 1, sizeof(uint32_t))))
		return OBJREF_ENOMEM;
	for (size_t e = 0; e < ne; e++)
		c->indeg[dst[e]]++;
	c->adj = dst;
	if (!sorted) {
		uint64_t *next = objref__malloc((c->n + 1) * sizeof(uint64_t));
		if (!next || !(c->adj_own = objref__malloc(OBJREF__MAX(ne, 1) * sizeof(objref_id)))) {
			objref__free(next);
			return OBJREF_ENOMEM;
		}
		memcpy(next, c->off, (c->n + 1) * sizeof(uint64_t));
		for (size_t e = 0; e < ne; e++)
			c->adj_own[next[src[e]]++] = dst[e];
		objref__free(next);
		c->adj = c->adj_own;
	}
	return 0;
}

/* The functions of running code (a running frame holds its function: from
 * 3.11 the interpreter frame, before the caller's value stack).  Before
 * 3.11 code has no qualified name: qualnames[k] is that of a function of
 * running code k. */
static int find_running_functions(recorder *c)
{
	const objref__objset *running = &c->r->fr.running;

	if (!(c->qualnames = objref__calloc(running->n + 1, sizeof(PyObject *))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < c->n && running->n; i++) {
		PyFunctionObject *fn = (PyFunctionObject *)c->objs->objs[i];
		uint32_t k;
		if (!(c->obj[i].flags & OBJREF_F_FUNCTION) ||
		    (k = objref__objset_find(running, fn->func_code)) == OBJREF_NO_ID)
			continue;
		if (objref__grow((void **)&c->fns, &c->fns_cap, c->nfns + 1, sizeof(running_fn)) < 0)
			return OBJREF_ENOMEM;
		c->fns[c->nfns++] = (running_fn){ (objref_id)i, k };
		if (!c->qualnames[k])
			c->qualnames[k] = fn->func_qualname;
	}
	return 0;
}

/* ---- module, frame and gc.garbage roots ---------------------------------- */

static int record_modules(recorder *c)
{
	PyObject *modules = PyImport_GetModuleDict(), *k, *v;
	Py_ssize_t pos = 0;
	int err = 0;

	while (!err && modules && PyDict_Check(modules) && PyDict_Next(modules, &pos, &k, &v)) {
		objref_root r = { .kind = OBJREF_ROOT_MODULE };
		if ((r.object = objref__objset_find(c->objs, v)) == OBJREF_NO_ID || !PyUnicode_Check(k))
			continue;
		if (!(err = intern_str(&r.name, c, k)))
			err = add_root(c, &r);
	}
	return err;
}

/* A FRAME root for frame f (its fields filled in) on object id. */
static int frame_root(recorder *c, const objref__frame *f, objref_id id, objref_str name)
{
	objref_root root = { .kind = OBJREF_ROOT_FRAME, .object = id, .name = name,
			     .depth = f->depth, .thread = f->thread, .line = f->line };
#if PY_VERSION_HEX >= 0x030B0000
	PyObject *q = f->code->co_qualname;
#else
	PyObject *q = c->qualnames[objref__objset_find(&c->r->fr.running, (PyObject *)f->code)];
#endif
	int err;

	if ((err = intern_str(&root.function, c, q ? q : f->code->co_name)) < 0 ||
	    (err = intern_str(&root.file, c, f->code->co_filename)) < 0)
		return err;
	return add_root(c, &root);
}

static int record_locals(recorder *c)
{
	const objref__frames *fr = &c->r->fr;
	int err = 0;

	for (size_t i = 0; i < fr->nlocals && !err; i++) {
		objref_id id = objref__objset_find(c->objs, fr->locals[i].value);
		objref_str name;
		if (id != OBJREF_NO_ID && !(err = intern_str(&name, c, fr->locals[i].name)))
			err = frame_root(c, &fr->frames[fr->locals[i].frame], id, name);
	}
	return err;
}

/* What a running frame holds besides its locals, where nothing reached it:
 * FRAME roots named "<frame>", "<function>", "<f_locals>", "<code>". */
static int record_frame_held(recorder *c)
{
	const objref__frames *fr = &c->r->fr;
	int err = 0;

	for (size_t i = 0; i < fr->nframes && !err; i++) {
		const objref__frame *f = &fr->frames[i];
		uint32_t k = objref__objset_find(&fr->running, (PyObject *)f->code);
		struct { PyObject *op; const char *name; } held[] = {
			{ f->object, "<frame>" }, { f->locals, "<f_locals>" }, { (PyObject *)f->code, "<code>" }
		};
		objref_str name;
		/* a module's code runs in a function made for it (3.11.5+) whose
		   globals are the module's: the module is the root, not it */
		int module_code = f->code && PyUnicode_CompareWithASCIIString(
			((PyCodeObject *)f->code)->co_name, "<module>") == 0;
		for (size_t j = 0; j < c->nfns && !err && !module_code; j++) {  /* its function: unexplained, unreached */
			objref_id id = c->fns[j].fn;
			if (c->fns[j].code == k && !c->reach[id] && c->obj[id].refcnt > c->indeg[id] &&
			    !(err = intern_c(&name, c, "<function>")))
				err = frame_root(c, f, id, name);
		}
		for (size_t j = 0; j < sizeof(held) / sizeof(held[0]) && !err; j++) {
			objref_id id = held[j].op ? objref__objset_find(c->objs, held[j].op) : OBJREF_NO_ID;
			if (id != OBJREF_NO_ID && !c->reach[id] && !(err = intern_c(&name, c, held[j].name)))
				err = frame_root(c, f, id, name);
		}
	}
	return err;
}

/* What the interpreter holds, where nothing reached it: HELD_FROM_C roots
 * named after it. */
static int record_interpreter_held(recorder *c)
{
	PyObject *modules = PyImport_GetModuleDict();
	PyObject *sys = objref__dict_get_safe(modules, "sys");
	PyObject *builtins = objref__dict_get_safe(modules, "builtins");
	struct { PyObject *op; const char *name; } held[] = {
		{ modules, "sys.modules" },
		{ sys && PyModule_Check(sys) ? PyModule_GetDict(sys) : NULL, "sys.__dict__" },
		{ builtins && PyModule_Check(builtins) ? PyModule_GetDict(builtins) : NULL, "builtins.__dict__" },
	};
	const objref__frames *fr = &c->r->fr;
	int err = 0;

	for (size_t j = 0; j < sizeof(held) / sizeof(held[0]) + fr->ntsdicts && !err; j++) {
		int ts = j >= sizeof(held) / sizeof(held[0]);
		PyObject *op = ts ? fr->tsdicts[j - sizeof(held) / sizeof(held[0])] : held[j].op;
		objref_root r = { .kind = OBJREF_ROOT_HELD_FROM_C };
		if (!op || (r.object = objref__objset_find(c->objs, op)) == OBJREF_NO_ID || c->reach[r.object])
			continue;
		r.extra = c->obj[r.object].refcnt > c->indeg[r.object] ?
			c->obj[r.object].refcnt - c->indeg[r.object] : 0;
		if (!(err = intern_c(&r.name, c, ts ? "thread state dict" : held[j].name)))
			err = add_root(c, &r);
	}
	return err;
}

static int record_garbage(recorder *c)
{
	PyObject *g = c->r->garbage;
	objref_str name;
	int err = 0;

	if (!g || (err = intern_c(&name, c, "gc.garbage")) < 0)
		return err;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(g) && !err; i++) {
		objref_root r = { .kind = OBJREF_ROOT_GC_GARBAGE, .name = name, .extra = (uint32_t)i };
		if ((r.object = objref__objset_find(c->objs, PyList_GET_ITEM(g, i))) != OBJREF_NO_ID)
			err = add_root(c, &r);
	}
	return err;
}

/* Continue the reach search from what is queued, breadth first. */
static void search(recorder *c)
{
	for (; c->head < c->tail; c->head++) {
		objref_id id = c->queue[c->head];
		for (uint64_t e = c->off[id]; e < c->off[id + 1]; e++)
			reached(c, c->adj[e]);
	}
}

/* ---- frozen, immortal, held from C -------------------------------------- */

static int is_frozen(const recorder *c, objref_id id)
{
	const objref__roots *r = c->r;

	if (r->frozen <= 0 || !(c->obj[id].flags & OBJREF_F_TRACKED))
		return 0;
	/* Tracked but not listed by the collector: in its permanent
	 * generation, unless we created it during the capture. */
	if (r->listed ? id >= c->ntracked || r->listed[id] : id < c->ntracked)
		return 0;
	return objref__objset_find(&r->fr.ours, c->objs->objs[id]) == OBJREF_NO_ID;
}

/* An immortal object, or a static type (immortal in all but name before
 * 3.12), that holds references. */
static int immortal_holder(const recorder *c, size_t i)
{
	uint32_t flags = c->obj[i].flags;

	return ((flags & OBJREF_F_IMMORTAL) || is_static_type(c->objs->objs[i], flags)) &&
	       c->off[i + 1] > c->off[i];
}

/* Interned strings only: before 3.12, an argument parser's keyword table. */
static int interned_strs(PyObject *t)
{
	for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++)
		if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(t, i)) ||
		    !PyUnicode_CHECK_INTERNED(PyTuple_GET_ITEM(t, i)))
			return 0;
	return 1;
}

/* A dict or set of weak references only keeps nothing alive but those:
 * a static type's subclass table (3.12+), an ABC cache (3.8's _abc).
 * (Iterating an exact set runs no code.) */
static int weak_only(PyObject *op)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v, *it;
	int weak = 1;

	if (PyDict_CheckExact(op)) {
		while (weak && PyDict_Next(op, &pos, &k, &v))
			weak = PyWeakref_CheckRef(v);
		return weak && PyDict_GET_SIZE(op) > 0;
	}
	if (!PyAnySet_CheckExact(op) || PySet_GET_SIZE(op) == 0 || !(it = PyObject_GetIter(op)))
		return 0;
	while (weak && (v = PyIter_Next(it))) {
		weak = PyWeakref_CheckRef(v);
		Py_DECREF(v);
	}
	Py_DECREF(it);
	return weak;
}

/* Objects whose refcount says nothing: shared, cached or static. */
static int never_held(PyObject *op, const objref_object *o)
{
	if ((o->flags & OBJREF_F_IMMORTAL) || o->refcnt >= 500000000u) /* 3.11 statics: 1e9 */
		return 1;
	if (is_static_type(op, o->flags))
		return 1;
	if (op == Py_None || op == Py_True || op == Py_False || op == Py_Ellipsis ||
	    op == Py_NotImplemented || Py_TYPE(op) == &PyModuleDef_Type)
		return 1;
	if (PyUnicode_CheckExact(op))
		return PyUnicode_CHECK_INTERNED(op) || PyUnicode_GET_LENGTH(op) <= 1;
	if (PyLong_CheckExact(op)) {
		int overflow;
		long v = PyLong_AsLongAndOverflow(op, &overflow);
		return !overflow && v >= -5 && v <= 256;
	}
	if (PyBytes_CheckExact(op))
		return PyBytes_GET_SIZE(op) <= 1;
	if (PyTuple_CheckExact(op))
		return PyTuple_GET_SIZE(op) == 0 || (PY_VERSION_HEX < 0x030C0000 && interned_strs(op));
	if (PyFrozenSet_CheckExact(op) && PySet_GET_SIZE(op) == 0)
		return 1;
	return weak_only(op);
}

/* The references of op the snapshot does not explain, less what running
 * frames' cells explain (3.11+). */
static uint32_t unexplained(recorder *c, PyObject *op, uint32_t u)
{
	uint32_t k;

	if (!PyCell_Check(op))
		return u;
	if (PyCell_GET(op))  /* the cell of a variable bound to its contents */
		return u - tally_take(&c->r->cells, PyCell_GET(op), u);
	k = OBJREF__MIN(u, c->r->fr.empty_cells);  /* ... of one not bound yet */
	c->r->fr.empty_cells -= k;
	return u - k;
}

/* The objects that may still need a root, in one pass: those nothing
 * reached yet that are immortal holders or have unexplained references. */
static int collect_unreached(recorder *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->reach[i] || (c->obj[i].refcnt <= c->indeg[i] && !immortal_holder(c, i)))
			continue;
		if (objref__grow((void **)&c->cand, &c->cand_cap, c->ncand + 1, sizeof(objref_id)) < 0)
			return OBJREF_ENOMEM;
		c->cand[c->ncand++] = (objref_id)i;
	}
	return 0;
}

/* An IMMORTAL root on object i if nothing reached it and it is an immortal
 * holder: static types first (pass 0), then the others (pass 1, 3.12+'s
 * immortal tuples ...), searching after each so that what one reaches needs
 * no root of its own. */
static int record_immortal(recorder *c, size_t i, int pass)
{
	objref_root r = { .kind = OBJREF_ROOT_IMMORTAL, .object = (objref_id)i };
	int err;

	if (c->reach[i] || !immortal_holder(c, i) ||
	    is_static_type(c->objs->objs[i], c->obj[i].flags) != (pass == 0))
		return 0;
	if ((err = add_root(c, &r)) < 0)
		return err;
	search(c);
	return 0;
}

/* A HELD_FROM_C root on object i if nothing reached it and it has
 * references the snapshot does not explain.  (No search in between: every
 * such object is a root, whatever the order.) */
static int record_held(recorder *c, size_t i)
{
	const objref_object *o = &c->obj[i];
	objref_root r = { .kind = OBJREF_ROOT_HELD_FROM_C, .object = (objref_id)i };
	PyObject *op = c->objs->objs[i];

	if (c->reach[i] || o->refcnt <= c->indeg[i])
		return 0;
	if (!(r.extra = unexplained(c, op, o->refcnt - c->indeg[i])) || never_held(op, o))
		return 0;
	return add_root(c, &r);
}

/* OBJREF_F_FROZEN on every frozen object; a FROZEN root on those no other
 * root reaches: only freezing keeps them from the collector. */
static int record_frozen(recorder *c, size_t i)
{
	objref_root r = { .kind = OBJREF_ROOT_FROZEN, .object = (objref_id)i };

	if (!is_frozen(c, r.object))
		return 0;
	c->obj[i].flags |= OBJREF_F_FROZEN;
	return c->reach[i] ? 0 : add_root(c, &r);
}

int objref__roots_record(objref__roots *r, objref_builder *b, const objref__objset *objs, size_t ntracked)
{
	recorder c;
	int err;

	memset(&c, 0, sizeof(c));
	objref_builder_gc_state(b, &r->gc);
	c.r = r;
	c.b = b;
	c.objs = objs;
	c.ntracked = ntracked;
	c.obj = objref_builder_objects(b, &c.n);
	if (!(c.reach = objref__calloc(c.n + 1, 1)) ||
	    !(c.queue = objref__malloc((c.n + 1) * sizeof(objref_id)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	/* Roots in order of how much they explain: each search goes on from
	 * what the earlier ones reached, and a later kind is recorded only
	 * where nothing earlier reaches. */
	if ((err = index_edges(&c)) < 0 || (err = find_running_functions(&c)) < 0 ||
	    (err = record_modules(&c)) < 0 || (err = record_locals(&c)) < 0 ||
	    (err = record_garbage(&c)) < 0)
		goto cleanup;
	search(&c);
	if ((err = record_frame_held(&c)) < 0)
		goto cleanup;
	search(&c);
	if ((err = record_interpreter_held(&c)) < 0)
		goto cleanup;
	search(&c);
	if ((err = collect_unreached(&c)) < 0)
		goto cleanup;
	for (int pass = 0; pass < 2 && !err; pass++)
		for (size_t j = 0; j < c.ncand && !err; j++)
			err = record_immortal(&c, c.cand[j], pass);
	for (size_t j = 0; j < c.ncand && !err; j++)
		err = record_held(&c, c.cand[j]);
	search(&c);
	for (size_t i = 0; i < c.n && !err && r->frozen > 0; i++)
		err = record_frozen(&c, i);
	PyErr_Clear();
cleanup:
	objref__free(c.adj_own);
	objref__free(c.indeg);
	objref__free(c.reach);
	objref__free(c.queue);
	objref__free(c.fns);
	objref__free(c.cand);
	objref__free(c.qualnames);
	return err;
}

void objref__roots_free(objref__roots *r)
{
	if (!r)
		return;
	objref__frames_dispose(&r->fr);
	tally_dispose(&r->cells);
	objref__free(r->listed);
	objref__free(r);
}

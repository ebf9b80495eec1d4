/*
 * capture/capture.c — capture sessions, gathering the tracked objects, and
 * the census of a live heap.  Object sets are in capture_objset.c, the full
 * snapshot in capture_walk.c.
 */
#include <string.h>
#if defined(__linux__)
#endif
#include "capture_internal.h"

/* ---- session ---------------------------------------------------------- */

/* gc.isenabled/disable/enable before 3.10, where PyGC_* do not exist: the
 * gc module's own functions (capture_runtime.c), never replacements. */
#if PY_VERSION_HEX < 0x030A0000
static int gc_call(objref__cfunc f)
{
	PyObject *r = objref__runtime_call(f, NULL);
	int v = -1;

	if (r) {
		v = r == Py_True;
		Py_DECREF(r);
	}
	return v;
}
#endif

int objref__session_enter(objref__session *s)
{
	const objref__runtime *rt;

	objref__pyerr_fetch(&s->exc);
	s->gc_was_enabled = 0;
	if (!(rt = objref__runtime_get())) {
		PyErr_Clear();
		objref__session_exit(s);
		return objref__error(OBJREF_EPYTHON, "the gc module is not the interpreter's own");
	}
#if PY_VERSION_HEX >= 0x030A0000
	s->gc_was_enabled = PyGC_Disable();
#else
	s->gc_was_enabled = gc_call(rt->isenabled);
	if (s->gc_was_enabled < 0 || gc_call(rt->disable) < 0) {
		PyErr_Clear();
		objref__session_exit(s);
		return objref__error(OBJREF_EPYTHON, "cannot pause the garbage collector");
	}
#endif
	return 0;
}

void objref__session_exit(objref__session *s)
{
	if (s->gc_was_enabled > 0) {
#if PY_VERSION_HEX >= 0x030A0000
		PyGC_Enable();
#else
		if (gc_call(objref__runtime_get()->enable) < 0)
			PyErr_Clear();
#endif
	}
	PyErr_Clear(); /* nothing of ours may leak out as a pending error */
	objref__pyerr_restore(&s->exc);
}

/* ---- gathering the tracked objects ----------------------------------- */

#if PY_VERSION_HEX >= 0x030C0000
/* Called by the collector for each object: only record the address (no
 * Python allocation here, as PyUnstable_GC_VisitObjects requires). */
static int gather_one(PyObject *op, void *arg)
{
	objref__objset *s = arg;

	if (objref__grow((void **)&s->objs, &s->cap, s->n + 1, sizeof(PyObject *)) < 0)
		return 0; /* stop; the caller sees the error */
	s->objs[s->n++] = op;
	return 1;
}
#endif

/* Append the permanent generation's objects the collector did not list
 * to t (before 3.12 copying the list's items into t->own first, only when
 * something is frozen). */
static int gather_frozen(objref__tracked *t, PyObject *first)
{
	objref__objset fz;
	int err;

	memset(&fz, 0, sizeof(fz));
	if (t->keep)
		err = objref__frozen_gather(&t->frozen, &t->lists, &fz, first, t->keep);
	else
		err = objref__frozen_gather(&t->frozen, &t->lists, &t->own, first, NULL);
	if (!err && fz.n) {
		if ((err = objref__grow((void **)&t->own.objs, &t->own.cap, t->n + fz.n,
			     sizeof(PyObject *))) == 0) {
			if (t->n)
				memcpy(t->own.objs, t->items, t->n * sizeof(PyObject *));
			memcpy(t->own.objs + t->n, fz.objs, fz.n * sizeof(PyObject *));
			t->own.n = t->n + fz.n;
		}
	}
	objref__objset_dispose(&fz);
	if (!err && (t->keep ? t->own.n > 0 : 1)) {
		t->items = t->own.objs;
		t->n = t->own.n;
	}
	return err == OBJREF_ENOMEM
		? objref__error(OBJREF_ENOMEM, "out of memory listing gc.freeze()'s permanent generation")
		: err;
}

int objref__gather_tracked(objref__tracked *t)
{
	memset(t, 0, sizeof(*t));
#if PY_VERSION_HEX >= 0x030C0000
	objref_error_clear();
	PyUnstable_GC_VisitObjects(gather_one, &t->own);
	t->items = t->own.objs;
	t->n = t->nlisted = t->own.n;
	if (objref_error_last()[0])
		return OBJREF_ENOMEM;
	return gather_frozen(t, t->n ? t->items[0] : NULL);
#else
	int nomem, walked = objref__gc_lists_walk(&t->own, &t->lists);

	if (walked < 0)
		return objref__error(OBJREF_ENOMEM, "out of memory listing the collector's objects");
	if (walked) {
		/* In the program's process the walk took a reference to each,
		 * as gc.get_objects() does: a capture may free objects (3.11's
		 * f_locals refresh).  A forked child took none. */
		t->held = !objref__gc_lists_child();
		t->items = t->own.objs;
		t->n = t->nlisted = t->own.n;
		if (objref__frozen_walk(&t->frozen, &t->own, t->lists) < 0)
			return objref__error(OBJREF_ENOMEM,
				"out of memory listing gc.freeze()'s permanent generation");
		t->items = t->own.objs;
		t->n = t->own.n;
		return 0;
	}
	t->keep = objref__runtime_call(objref__runtime_get()->get_objects, NULL);
	if (!t->keep || !PyList_Check(t->keep)) {
		nomem = PyErr_ExceptionMatches(PyExc_MemoryError);
		Py_CLEAR(t->keep);
		PyErr_Clear();
		return nomem ? objref__error(OBJREF_ENOMEM, "out of memory listing the collector's objects")
			: objref__error(OBJREF_EPYTHON, "gc.get_objects() failed");
	}
	t->items = PySequence_Fast_ITEMS(t->keep);
	t->n = t->nlisted = (size_t)PyList_GET_SIZE(t->keep);
	return gather_frozen(t, t->n ? t->items[0] : NULL);
#endif
}

void objref__tracked_check_frozen(objref__tracked *t)
{
	PyObject *v;
	long count = -1;

	if (t->frozen != OBJREF__FROZEN_WALKED)
		return;
	if ((v = objref__runtime_call(objref__runtime_get()->get_freeze_count, NULL))) {
		count = PyLong_Check(v) ? PyLong_AsLong(v) : -1;
		Py_DECREF(v);
	}
	PyErr_Clear();
	if (count < 0 || (size_t)count != t->n - t->nlisted) {
		t->n = t->nlisted;
		t->frozen = OBJREF__FROZEN_UNREAD;
	}
}

int objref__tracked_frozen_again(objref__tracked *t)
{
	int err;

	if (t->frozen != OBJREF__FROZEN_WALKED)
		return 0;
	if (t->keep && !t->own.n) { /* the listed ones are in the list only */
		if ((err = objref__grow((void **)&t->own.objs, &t->own.cap, t->nlisted + 1,
			     sizeof(PyObject *))) < 0)
			return err;
		if (t->nlisted)
			memcpy(t->own.objs, t->items, t->nlisted * sizeof(PyObject *));
	}
	t->own.n = t->nlisted;
	if ((err = objref__frozen_walk(&t->frozen, &t->own, t->lists)) < 0) {
		t->frozen = OBJREF__FROZEN_UNREAD;
		t->items = t->own.objs;
		t->n = t->nlisted;
		return err;
	}
	t->items = t->own.objs;
	t->n = t->own.n;
	objref__tracked_check_frozen(t);
	return 0;
}

void objref__tracked_dispose(objref__tracked *t)
{
	Py_CLEAR(t->keep);
	for (size_t i = 0; t->held && i < t->nlisted; i++) {
		if (i + 16 < t->nlisted)  /* the refcounts, a miss each */
			objref__prefetch(t->own.objs[i + 16]);
		Py_DECREF(t->own.objs[i]);
	}
	t->held = 0;
	objref__objset_dispose(&t->own);
	t->items = NULL;
	t->n = t->nlisted = 0;
}

/* ---- walking the untracked objects reachable from tracked ones -------- */

typedef struct {
	objref__markset untracked; /* discovered in order; also the work queue */
	PyObject **refs;          /* one object's references, as traversal gave them */
	size_t nrefs, refs_cap;
	int failed;
} reach;

/* How many untracked objects the last walk found: the next one sizes its
 * queue from it (heaps change slowly between checkpoints). */
static size_t last_untracked;

static int visit_reach(PyObject *t, void *arg)
{
	reach *r = arg;

	if (!t)
		return 0;
	if (objref__grow((void **)&r->refs, &r->refs_cap, r->nrefs + 1, sizeof(PyObject *)) < 0) {
		r->failed = 1;
		return -1;
	}
	objref__prefetch_gc_head(t);  /* is it tracked, is it alive? */
	objref__prefetch(t);
	r->refs[r->nrefs++] = t;
	return 0;
}

/* References gathered before reach_add reads them: those of many objects,
 * so that the header of each, asked for as traversal reported it, has
 * arrived when read. */
#define REACH_BATCH 256

/* Add the untracked ones of the references gathered (whose headers were
 * asked for as traversal reported them: is it tracked, is it alive?). */
static int reach_add(reach *r)
{
	for (size_t i = 0; i < r->nrefs; i++)
		if (!objref__is_tracked(r->refs[i]) && objref__is_live(r->refs[i]) &&
		    objref__markset_add(&r->untracked, r->refs[i]) < 0)
			return OBJREF_ENOMEM;
	r->nrefs = 0;
	return 0;
}

/* Visit what op refers to: tp_traverse, plus dict keys (which dicts of str
 * keys do not traverse). */
static int reach_from(reach *r, PyObject *op)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;

	if (trav && PyObject_IS_GC(op) && trav(op, visit_reach, r) < 0 && r->failed)
		return OBJREF_ENOMEM;
	if (objref__walk_dict_keys(op)) {
		Py_ssize_t pos = 0;
		PyObject *k, *v;
		while (PyDict_Next(op, &pos, &k, &v))
			if (visit_reach(k, r) < 0)
				return OBJREF_ENOMEM;
	}
	return r->nrefs >= REACH_BATCH ? reach_add(r) : 0;
}

/* The i-th untracked object queued, NULL when the walk is over: when the
 * queue runs out, the references gathered are added first (*err: 0 or
 * OBJREF_ENOMEM). */
static PyObject *reach_next(reach *r, size_t i, int *err)
{
	if (i == r->untracked.n && (*err = reach_add(r)) < 0)
		return NULL;
	if (i + 8 < r->untracked.n)  /* its header: type, size, traversal */
		objref__prefetch(r->untracked.objs[i + 8]);
	return i < r->untracked.n ? r->untracked.objs[i] : NULL;
}

/* Size r's queue for about as many untracked objects as the last walk
 * found (or as many as ntracked, the first time). */
static int reach_reserve(reach *r, size_t ntracked)
{
	size_t room = last_untracked ? last_untracked + last_untracked / 8 : ntracked;

	return room > 1024 ? objref__markset_reserve(&r->untracked, room) : 0;
}

static void reach_dispose(reach *r)
{
	if (!r->failed && r->untracked.n)
		last_untracked = r->untracked.n;
	objref__markset_dispose(&r->untracked);
	objref__free(r->refs);
	r->refs = NULL;
	r->nrefs = r->refs_cap = 0;
}

/* Everything untracked that the tracked objects reach, in r. */
static int reach_untracked(reach *r, const objref__tracked *tracked)
{
	PyObject *op;
	int err = 0;

	for (size_t i = 0; i < tracked->n && !err; i++)
		err = reach_from(r, tracked->items[i]);
	for (size_t i = 0; !err && (op = reach_next(r, i, &err)); i++)
		err = reach_from(r, op);
	return err;
}

/* ---- census ----------------------------------------------------------- */

/*
 * Counting by type.  Most objects are of fixed-size types (instances,
 * functions, floats ...): their bytes are count * size, so the hot loop
 * only finds the type (a direct-mapped cache in front of the hash) and
 * counts.  Variable-size kinds (str, int, containers) are sized per object.
 */
typedef struct {
	PyTypeObject *tp;
	uint32_t id;
} tcache_entry;

#define TCACHE_SIZE 256

typedef struct {
	objref__objset types;  /* type objects, in first-seen order */
	uint64_t *count, *bytes;
	objref__size_class *size;
	size_t cap;
	tcache_entry cache[TCACHE_SIZE];
} tally;

static int tally_new_type(tally *t, PyObject *op, uint32_t *out)
{
	int added;
	uint32_t id = objref__objset_add(&t->types, (PyObject *)Py_TYPE(op), &added);

	if (id == OBJREF_NO_ID)
		return OBJREF_ENOMEM;
	if (added) {
		size_t cap = t->cap;
		if (objref__grow((void **)&t->count, &cap, id + 1, sizeof(uint64_t)) < 0 ||
		    !(t->bytes = objref__realloc(t->bytes, cap * sizeof(uint64_t))) ||
		    !(t->size = objref__realloc(t->size, cap * sizeof(objref__size_class))))
			return OBJREF_ENOMEM;
		t->cap = cap;
		t->count[id] = t->bytes[id] = 0;
		objref__size_class_of(&t->size[id], Py_TYPE(op));
	}
	*out = id;
	return 0;
}

static inline int tally_add(tally *t, PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);
	tcache_entry *e = &t->cache[((uintptr_t)tp >> 6) & (TCACHE_SIZE - 1)];
	uint32_t id, flags = 0;
	int err;

	if (e->tp == tp) {
		id = e->id;
	} else {
		if ((err = tally_new_type(t, op, &id)) < 0)
			return err;
		e->tp = tp;
		e->id = id;
	}
	t->count[id]++;
	if (t->size[id].kind != OBJREF__SZ_FIXED)
		t->bytes[id] += objref__sizeof_class(op, &t->size[id], &flags);
	return 0;
}

static void tally_dispose(tally *t)
{
	objref__objset_dispose(&t->types);
	objref__free(t->count);
	objref__free(t->bytes);
	objref__free(t->size);
}

static int tally_census(objref_census **out, const tally *t, int longnames)
{
	char name[256], mod[256], qual[256], full[520];
	int err = objref_census_new(out);

	for (size_t i = 0; i < t->types.n && !err; i++) {
		objref__type_names((PyTypeObject *)t->types.objs[i], name, sizeof(name), mod,
			sizeof(mod), qual, sizeof(qual));
		int len = longnames && mod[0] ? snprintf(full, sizeof(full), "%s.%s", mod, name)
					      : snprintf(full, sizeof(full), "%s", name);
		err = objref_census_add(*out, full, (size_t)len, t->count[i],
			t->size[i].kind == OBJREF__SZ_FIXED ? t->size[i].fixed * t->count[i] : t->bytes[i]);
	}
	if (err) {
		objref_census_free(*out);
		*out = NULL;
	}
	return err;
}

typedef struct {
	tally t;
	reach r;
	int untracked;
	int err;
	size_t listed;    /* the tracked objects, when listed first (before 3.12) */
	PyObject *first;  /* the first object the collector listed (from 3.12) */
} census_walk;

/* One tracked object: count it and, with untracked objects wanted, queue
 * the untracked ones it refers to.  C allocations only. */
static inline int census_one(PyObject *op, census_walk *c)
{
	int err = tally_add(&c->t, op);

	return err ? err : c->untracked ? reach_from(&c->r, op) : 0;
}

#if PY_VERSION_HEX >= 0x030C0000
static int census_visit(PyObject *op, void *arg)
{
	census_walk *c = arg;

	if (!c->first)
		c->first = op;
	c->err = census_one(op, c);
	return c->err == 0;
}

#endif

/* census_one over the permanent generation's objects the collector's
 * listing left out, gathered in fz (err: how gathering went). */
static int census_gathered(census_walk *c, objref__objset *fz, int err)
{
	for (size_t i = 0; i < fz->n && !err; i++)
		err = census_one(fz->objs[i], c);
	objref__objset_dispose(fz);
	return err;
}

#if PY_VERSION_HEX >= 0x030C0000
static int census_frozen(census_walk *c)
{
	objref__objset fz = { 0 };
	objref__frozen_status st;

	return census_gathered(c, &fz, objref__frozen_gather(&st, NULL, &fz, c->first, NULL));
}
#endif

#if PY_VERSION_HEX < 0x030C0000
static int census_node(PyObject *op, void *arg)
{
	census_walk *c = arg;

	c->listed++;
	return census_one(op, c);
}

/* census_one over the permanent generation of the lists walked. */
static int census_frozen_of(census_walk *c, const void *lists)
{
	objref__objset fz = { 0 };
	objref__frozen_status st;

	return census_gathered(c, &fz, objref__frozen_walk(&st, &fz, lists));
}

/* Forget what a walk that could not finish counted. */
static int census_restart(census_walk *c)
{
	tally_dispose(&c->t);
	memset(&c->t, 0, sizeof(c->t));
	c->r.failed = 1;  /* a partial count is no size hint */
	reach_dispose(&c->r);
	memset(&c->r, 0, sizeof(c->r));
	c->listed = 0;
	return c->untracked ? reach_reserve(&c->r, 0) : 0;
}
#endif

/* census_one over every tracked object as the collector's lists are
 * walked: one pass over the heap. */
static int census_tracked(census_walk *c)
{
#if PY_VERSION_HEX >= 0x030C0000
	PyUnstable_GC_VisitObjects(census_visit, c);
	return c->err ? c->err : census_frozen(c);
#else
	objref__tracked t;
	const void *lists;
	int err = objref__gc_lists_visit(census_node, c, &lists);

	if (err)
		return err < 0 ? err : census_frozen_of(c, lists);
	/* the lists could not be walked: count what gc.get_objects() lists */
	if ((err = census_restart(c)) < 0)
		return err;
	err = objref__gather_tracked(&t);
	c->listed = t.n;
	for (size_t i = 0; i < t.n && !err; i++)
		err = census_one(t.items[i], c);
	objref__tracked_dispose(&t);
	return err;
#endif
}

/* The objects counted so far. */
static uint64_t tally_total(const tally *t)
{
	uint64_t n = 0;

	for (size_t i = 0; i < t->types.n; i++)
		n += t->count[i];
	return n;
}

/* Out of memory: say what was being captured and how far it got (the
 * allocator's own message only names a size). */
static int census_nomem(const census_walk *c)
{
	char last[160], listed[64] = "";

	snprintf(last, sizeof(last), "%s", objref_error_last());
	if (c->listed)
		snprintf(listed, sizeof(listed), " of %zu tracked by the collector", c->listed);
	return objref__error(OBJREF_ENOMEM, "out of memory taking a census of the heap after %llu objects%s "
		"(%zu types; %s)", (unsigned long long)tally_total(&c->t), listed, c->t.types.n, last);
}

int objref_capture_census(objref_census **out, unsigned flags)
{
	objref__session session;
	census_walk *c = objref__calloc(1, sizeof(census_walk));
	PyObject *op;
	int err;

	*out = NULL;
	if (!c)
		return objref__error(OBJREF_ENOMEM, "out of memory starting a census of the heap");
	c->untracked = (flags & OBJREF_CAPTURE_UNTRACKED) != 0;
	if ((err = objref__session_enter(&session)) < 0) {
		objref__free(c);
		return err;
	}
	err = c->untracked ? reach_reserve(&c->r, 0) : 0;
	err = err ? err : census_tracked(c);
	/* The queue grows while it is walked: untracked objects reach more. */
	for (size_t i = 0; !err && c->untracked && (op = reach_next(&c->r, i, &err)); i++)
		if (!(err = tally_add(&c->t, op)))
			err = reach_from(&c->r, op);
	if (!err)
		err = tally_census(out, &c->t, (flags & OBJREF_CAPTURE_LONGNAMES) != 0);
	if (err == OBJREF_ENOMEM)
		err = census_nomem(c);
	tally_dispose(&c->t);
	if (err)
		c->r.failed = 1;  /* a partial count is no size hint */
	reach_dispose(&c->r);
	objref__free(c);
	objref__session_exit(&session);
	return err;
}

/* Strong references to every object the walk sees, in *objs (malloc'ed). */
static int gather_all(PyObject ***objs, size_t *n, unsigned flags)
{
	objref__session session;
	objref__tracked tracked;
	reach r;
	int err;

	*objs = NULL;
	*n = 0;
	memset(&r, 0, sizeof(r));
	memset(&tracked, 0, sizeof(tracked));
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	if ((err = objref__gather_tracked(&tracked)) < 0)
		goto cleanup;
	objref__tracked_check_frozen(&tracked);
	if ((flags & OBJREF_CAPTURE_UNTRACKED) &&
	    ((err = reach_reserve(&r, tracked.n)) < 0 || (err = reach_untracked(&r, &tracked)) < 0))
		goto cleanup;
	if (!(*objs = objref__malloc((tracked.n + r.untracked.n + 1) * sizeof(PyObject *)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < tracked.n; i++)
		(*objs)[(*n)++] = Py_NewRef(tracked.items[i]);
	for (size_t i = 0; i < r.untracked.n; i++)
		(*objs)[(*n)++] = Py_NewRef(r.untracked.objs[i]);
cleanup:
	if (err == OBJREF_ENOMEM)
		err = objref__error(OBJREF_ENOMEM, "out of memory listing the live objects: %zu tracked by "
			"the collector, %zu untracked found", tracked.n, r.untracked.n);
	objref__tracked_dispose(&tracked);
	if (err)
		r.failed = 1;
	reach_dispose(&r);
	objref__session_exit(&session);
	return err;
}

int objref_capture_each(int (*fn)(void *obj, void *arg), void *arg, unsigned flags)
{
	PyObject **objs;
	size_t n;
	int err = gather_all(&objs, &n, flags);

	/* Outside the session: fn may run code (a user's filter) and raise. */
	for (size_t i = 0; i < n && !err; i++)
		err = fn(objs[i], arg);
	for (size_t i = 0; i < n; i++)
		Py_DECREF(objs[i]);
	objref__free(objs);
	return err;
}

size_t objref_capture_typename(char *buf, size_t size, const void *obj, int longname)
{
	char name[256], mod[256], qual[256];
	int n;

	objref__type_names(Py_TYPE((PyObject *)obj), name, sizeof(name), mod, sizeof(mod), qual,
		sizeof(qual));
	n = longname && mod[0] ? snprintf(buf, size, "%s.%s", mod, name) : snprintf(buf, size, "%s", name);
	return n < 0 ? 0 : (size_t)n;
}

void objref_capture_release(void **objs, size_t n)
{
	for (size_t i = 0; objs && i < n; i++)
		Py_DECREF((PyObject *)objs[i]);
	objref__free(objs);
}

void *objref_capture_dict_get(void *dict, const char *name)
{
	return objref__dict_get_safe((PyObject *)dict, name);
}

int objref_capture_is_tracked(void *obj)
{
	return objref__is_tracked((PyObject *)obj);
}

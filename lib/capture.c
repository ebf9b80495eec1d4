/*
 * lib/capture.c — capture sessions, gathering the tracked objects, object
 * sets, and the census of a live heap.  The full snapshot is in
 * capture_walk.c.
 */
#include <string.h>
#include "capture_internal.h"

/* ---- session ---------------------------------------------------------- */

/* gc.isenabled/disable/enable before 3.10, where PyGC_* do not exist.  The
 * gc module is looked up in sys.modules (no import hook runs) and imported
 * only if absent. */
#if PY_VERSION_HEX < 0x030A0000
static int gc_call(const char *method)
{
	PyObject *gc = PyImport_ImportModule("gc"), *r;
	int v = -1;

	if (gc && (r = PyObject_CallMethod(gc, method, NULL))) {
		v = r == Py_True;
		Py_DECREF(r);
	}
	Py_XDECREF(gc);
	return v;
}
#endif

int objref__session_enter(objref__session *s)
{
#if PY_VERSION_HEX >= 0x030C0000
	s->exc = PyErr_GetRaisedException();
#else
	PyErr_Fetch(&s->exc_type, &s->exc_value, &s->exc_tb);
#endif
#if PY_VERSION_HEX >= 0x030A0000
	s->gc_was_enabled = PyGC_Disable();
#else
	s->gc_was_enabled = gc_call("isenabled");
	if (s->gc_was_enabled < 0 || gc_call("disable") < 0) {
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
		if (gc_call("enable") < 0)
			PyErr_Clear();
#endif
	}
	PyErr_Clear(); /* nothing of ours may leak out as a pending error */
#if PY_VERSION_HEX >= 0x030C0000
	PyErr_SetRaisedException(s->exc);
#else
	PyErr_Restore(s->exc_type, s->exc_value, s->exc_tb);
#endif
}

/* ---- object sets ------------------------------------------------------ */

void objref__objset_dispose(objref__objset *s)
{
	objref__free(s->objs);
	objref__free(s->slots);
	memset(s, 0, sizeof(*s));
}

static size_t slot_for(const objref__objset *s, PyObject *op)
{
	size_t mask = s->slots_cap - 1, h = objref__hash64((uint64_t)(uintptr_t)op) & mask;

	while (s->slots[h] && s->objs[s->slots[h] - 1] != op)
		h = (h + 1) & mask;
	return h;
}

static int reindex(objref__objset *s)
{
	size_t cap = s->slots_cap ? s->slots_cap * 2 : 1024;

	while (cap < s->n * 2 + 2)
		cap *= 2;
	objref__free(s->slots);
	if (!(s->slots = objref__calloc(cap, sizeof(uint32_t)))) {
		s->slots_cap = 0;
		return OBJREF_ENOMEM;
	}
	s->slots_cap = cap;
	for (size_t i = 0; i < s->n; i++)
		s->slots[slot_for(s, s->objs[i])] = (uint32_t)i + 1;
	return 0;
}

int objref__objset_index(objref__objset *s)
{
	return reindex(s);
}

uint32_t objref__objset_find(const objref__objset *s, PyObject *op)
{
	size_t h;

	if (!s->slots_cap)
		return OBJREF_NO_ID;
	h = slot_for(s, op);
	return s->slots[h] ? s->slots[h] - 1 : OBJREF_NO_ID;
}

uint32_t objref__objset_add(objref__objset *s, PyObject *op, int *added)
{
	size_t h;

	*added = 0;
	if ((s->n + 1) * 2 > s->slots_cap && reindex(s) < 0)
		return OBJREF_NO_ID;
	h = slot_for(s, op);
	if (s->slots[h])
		return s->slots[h] - 1;
	if (s->n >= OBJREF_NO_ID - 1 ||
	    objref__grow((void **)&s->objs, &s->cap, s->n + 1, sizeof(PyObject *)) < 0)
		return OBJREF_NO_ID;
	s->objs[s->n] = op;
	s->slots[h] = (uint32_t)++s->n;
	*added = 1;
	return (uint32_t)(s->n - 1);
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

int objref__gather_tracked(objref__objset *s, PyObject **keep)
{
	*keep = NULL;
#if PY_VERSION_HEX >= 0x030C0000
	objref_error_clear();
	PyUnstable_GC_VisitObjects(gather_one, s);
	return objref_error_last()[0] ? OBJREF_ENOMEM : 0;
#else
	PyObject *gc = PyImport_ImportModule("gc");
	PyObject *list = gc ? PyObject_CallMethod(gc, "get_objects", NULL) : NULL;
	Py_ssize_t n;

	Py_XDECREF(gc);
	if (!list || !PyList_Check(list)) {
		Py_XDECREF(list);
		PyErr_Clear();
		return objref__error(OBJREF_EPYTHON, "gc.get_objects() failed");
	}
	n = PyList_GET_SIZE(list);
	if (objref__grow((void **)&s->objs, &s->cap, (size_t)n + 1, sizeof(PyObject *)) < 0) {
		Py_DECREF(list);
		return OBJREF_ENOMEM;
	}
	memcpy(s->objs, PySequence_Fast_ITEMS(list), (size_t)n * sizeof(PyObject *));
	s->n = (size_t)n;
	*keep = list;
	return 0;
#endif
}

/* ---- walking the untracked objects reachable from tracked ones -------- */

typedef struct {
	objref__objset untracked; /* discovered in order; also the work queue */
	int failed;
} reach;

static int visit_reach(PyObject *t, void *arg)
{
	reach *r = arg;
	int added;

	if (!t || objref__is_tracked(t))
		return 0;
	if (objref__objset_add(&r->untracked, t, &added) == OBJREF_NO_ID) {
		r->failed = 1;
		return -1;
	}
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
	return 0;
}

/* Everything untracked that the tracked objects in `tracked` reach, in r. */
static int reach_untracked(reach *r, const objref__objset *tracked)
{
	int err = 0;

	for (size_t i = 0; i < tracked->n && !err; i++)
		err = reach_from(r, tracked->objs[i]);
	for (size_t i = 0; i < r->untracked.n && !err; i++)
		err = reach_from(r, r->untracked.objs[i]);
	return err;
}

/* ---- census ----------------------------------------------------------- */

typedef struct {
	objref__objset types;  /* type objects, in first-seen order */
	uint64_t *count, *bytes;
	size_t cap;
} tally;

static int tally_add(tally *t, PyObject *op)
{
	int added;
	uint32_t flags = 0;
	uint32_t id = objref__objset_add(&t->types, (PyObject *)Py_TYPE(op), &added);

	if (id == OBJREF_NO_ID)
		return OBJREF_ENOMEM;
	if (added && (objref__grow((void **)&t->count, &t->cap, id + 1, sizeof(uint64_t)) < 0 ||
		      !(t->bytes = objref__realloc(t->bytes, t->cap * sizeof(uint64_t)))))
		return OBJREF_ENOMEM;
	if (added)
		t->count[id] = t->bytes[id] = 0;
	t->count[id]++;
	t->bytes[id] += objref__sizeof(op, &flags);
	return 0;
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
		err = objref_census_add(*out, full, (size_t)len, t->count[i], t->bytes[i]);
	}
	if (err) {
		objref_census_free(*out);
		*out = NULL;
	}
	return err;
}

int objref_capture_census(objref_census **out, unsigned flags)
{
	objref__session session;
	objref__objset tracked = { 0 };
	reach r = { { 0 }, 0 };
	tally t = { { 0 }, NULL, NULL, 0 };
	PyObject *keep = NULL;
	int err;

	*out = NULL;
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	if ((err = objref__gather_tracked(&tracked, &keep)) < 0)
		goto cleanup;
	if ((flags & OBJREF_CAPTURE_UNTRACKED) && (err = reach_untracked(&r, &tracked)) < 0)
		goto cleanup;
	for (size_t i = 0; i < tracked.n && !err; i++)
		err = tally_add(&t, tracked.objs[i]);
	for (size_t i = 0; i < r.untracked.n && !err; i++)
		err = tally_add(&t, r.untracked.objs[i]);
	if (!err)
		err = tally_census(out, &t, (flags & OBJREF_CAPTURE_LONGNAMES) != 0);
cleanup:
	Py_XDECREF(keep);
	objref__objset_dispose(&tracked);
	objref__objset_dispose(&r.untracked);
	objref__objset_dispose(&t.types);
	objref__free(t.count);
	objref__free(t.bytes);
	objref__session_exit(&session);
	return err;
}

/* ---- each ------------------------------------------------------------- */

/* Strong references to every object the walk sees, in *objs (malloc'ed). */
static int gather_all(PyObject ***objs, size_t *n, unsigned flags)
{
	objref__session session;
	objref__objset tracked = { 0 };
	reach r = { { 0 }, 0 };
	PyObject *keep = NULL;
	int err;

	*objs = NULL;
	*n = 0;
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	if ((err = objref__gather_tracked(&tracked, &keep)) < 0)
		goto cleanup;
	if ((flags & OBJREF_CAPTURE_UNTRACKED) && (err = reach_untracked(&r, &tracked)) < 0)
		goto cleanup;
	if (!(*objs = objref__malloc((tracked.n + r.untracked.n + 1) * sizeof(PyObject *)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < tracked.n; i++)
		(*objs)[(*n)++] = Py_NewRef(tracked.objs[i]);
	for (size_t i = 0; i < r.untracked.n; i++)
		(*objs)[(*n)++] = Py_NewRef(r.untracked.objs[i]);
cleanup:
	Py_XDECREF(keep);
	objref__objset_dispose(&tracked);
	objref__objset_dispose(&r.untracked);
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

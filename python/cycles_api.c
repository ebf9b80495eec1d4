/*
 * python/cycles_api.c — garbage cycles from Python: objref.cycles(),
 * objref.show_cycles(), objgraph's get_leaking_objects(), and _cycles()
 * for objref-chain (summary, shapes, text in one snapshot).
 *
 * One pinned snapshot with the untracked objects (an untraversable object
 * in a cycle, a PyCapsule, is not tracked), analysed by libobjref; no
 * collection runs, so the garbage is still there to be shown.
 */
#include <string.h>
#include "module.h"
#include "objref/render.h"
#include "objref/cycles_report.h"

typedef struct {
	objref_snapshot *snap;
	void **objs;
	size_t n;
	objref_cycles *cyc;
} cycles_run;

static void run_dispose(cycles_run *r)
{
	objref_cycles_free(r->cyc);
	objref_capture_release(r->objs, r->n);
	objref_snapshot_free(r->snap);
	memset(r, 0, sizeof(*r));
}

/* Snapshot, analysis, inline attribute names.  0 or -1 with an exception. */
static int run_take(cycles_run *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = objref_capture_snapshot_pinned(&r->snap, &r->objs, &r->n, OBJREF_CAPTURE_UNTRACKED)) < 0 ||
	    (err = objref_cycles_find(&r->cyc, r->snap)) < 0 ||
	    (err = objref_cycles_name_refs(r->cyc, objref_capture_namer,
		    &(objref_capture_pinned){ .snap = r->snap, .objs = r->objs, .n = r->n })) < 0) {
		run_dispose(r);
		objref_py_error(err);
		return -1;
	}
	return 0;
}

static PyObject *obj_at(const cycles_run *r, objref_id id)
{
	return id < r->n && r->objs[id] ? Py_NewRef((PyObject *)r->objs[id]) : Py_NewRef(Py_None);
}

static size_t alloc_site(void *arg, objref_id id, char *buf, size_t size)
{
	const cycles_run *r = arg;
	return id < r->n ? objref_capture_alloc_site(buf, size, r->objs[id]) : 0;
}

/* The report of r (the engine's: lib/report_cycles.c).  limit: shapes
 * (-1: all); picture: also the DOT of up to picture_limit shapes.  0, or -1
 * with an exception. */
static int report_of(objref_cycles_report **out, cycles_run *r, Py_ssize_t limit, int picture,
	size_t picture_limit)
{
	objref_cycles_report_options o = OBJREF_CYCLES_REPORT_OPTIONS_INIT;
	int err;

	o.limit = limit < 0 ? SIZE_MAX : (size_t)limit;
	o.picture = picture;
	o.picture_limit = picture_limit;
	o.live.alloc_site = alloc_site;
	o.live.arg = r;
	if ((err = objref_cycles_report_build(out, r->snap, r->cyc, &o)) < 0) {
		objref_py_error(err);
		return -1;
	}
	return 0;
}

/* The report of a snapshot taken now: objref-chain's (capi.h). */
int objref_py_cycles_report(objref_cycles_report **out, size_t limit, int picture)
{
	cycles_run r;
	int rc;

	*out = NULL;
	if (run_take(&r) < 0)
		return -1;
	rc = report_of(out, &r, limit == SIZE_MAX ? -1 : (Py_ssize_t)limit, picture,
		OBJREF_CYCLES_REPORT_DRAWN);
	run_dispose(&r);
	return rc;
}

/* ---- conversions ------------------------------------------------------------- */

static PyObject *str_or_none(const char *s)
{
	return s ? PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace") : Py_NewRef(Py_None);
}

static PyObject *steps_list(const objref_report_cycle_shape *s)
{
	PyObject *list = PyList_New((Py_ssize_t)s->nsteps);

	for (size_t j = 0; list && j < s->nsteps; j++) {
		PyObject *step = Py_BuildValue("(ss)", s->steps[j].type, s->steps[j].label);
		if (!step) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)j, step);
	}
	return list;
}

static PyObject *example_objects(const cycles_run *r, const objref_cycle_shape *sh)
{
	size_t n = sh->nsteps < 64 ? sh->nsteps : 64;
	PyObject *list = PyList_New((Py_ssize_t)n);

	for (size_t j = 0; list && j < n; j++)
		PyList_SET_ITEM(list, (Py_ssize_t)j, obj_at(r, sh->example[j]));
	return list;
}

/* Up to 100 instances of shape i: one member of each. */
static PyObject *instances(const cycles_run *r, size_t i)
{
	objref_id ids[100];
	size_t n = objref_cycles_instances(ids, 100, r->cyc, i);
	PyObject *list = PyList_New((Py_ssize_t)n);

	for (size_t k = 0; list && k < n; k++)
		PyList_SET_ITEM(list, (Py_ssize_t)k, obj_at(r, ids[k]));
	return list;
}

/* One shape as a dict: the report's words, and the live objects. */
static PyObject *shape_dict(const cycles_run *r, const objref_report_cycle_shape *s)
{
	const objref_cycle_shape *sh = objref_cycles_shape(r->cyc, s->index);

	return Py_BuildValue("{sNsNsnsnsKsnsKsnsssNsNsNsNsNsNsNsNsN}",
		"shape", str_or_none(s->shape), "example", str_or_none(s->example),
		"count", (Py_ssize_t)s->count, "objects", (Py_ssize_t)s->objects,
		"bytes", (unsigned long long)s->bytes, "retained_objects", (Py_ssize_t)s->retained_objects,
		"retained_bytes", (unsigned long long)s->retained_bytes, "length", (Py_ssize_t)s->length,
		"kind", objref_garbage_class_name(s->cls),
		"collectable", PyBool_FromLong(s->cls == OBJREF_GARBAGE_COLLECTABLE),
		"gc_disabled", PyBool_FromLong(s->gc_disabled), "reason", str_or_none(s->reason),
		"steps", steps_list(s), "example_objects", example_objects(r, sh),
		"instances", instances(r, s->index),
		"culprit", sh->culprit == OBJREF_NO_ID ? Py_NewRef(Py_None) : obj_at(r, sh->culprit),
		"fix", str_or_none(s->fix), "alloc_site", str_or_none(s->alloc_site));
}

static PyObject *shapes_list(const cycles_run *r, const objref_cycles_report *rep)
{
	PyObject *list = PyList_New((Py_ssize_t)rep->nshapes);

	for (size_t i = 0; list && i < rep->nshapes; i++) {
		PyObject *d = shape_dict(r, &rep->shapes[i]);
		if (!d) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, d);
	}
	return list;
}

static PyObject *summary_dict(const objref_cycles_report *rep)
{
	const objref_cycles_summary *s = &rep->summary;

	return Py_BuildValue("{snsKsnsnsnsnsnsnsnsNsksKsN}",
		"garbage_objects", (Py_ssize_t)s->garbage_objects,
		"garbage_bytes", (unsigned long long)s->garbage_bytes,
		"collectable_objects", (Py_ssize_t)s->by_class[OBJREF_GARBAGE_COLLECTABLE],
		"frozen_objects", (Py_ssize_t)s->by_class[OBJREF_GARBAGE_FROZEN],
		"untraversable_objects", (Py_ssize_t)s->by_class[OBJREF_GARBAGE_UNTRAVERSABLE],
		"gc_garbage_objects", (Py_ssize_t)s->by_class[OBJREF_GARBAGE_GC_GARBAGE],
		"cyclic_objects", (Py_ssize_t)s->cyclic_objects, "cycles", (Py_ssize_t)s->components,
		"shapes", (Py_ssize_t)s->nshapes,
		"gc_enabled", rep->gc.known ? PyBool_FromLong(rep->gc.enabled) : Py_NewRef(Py_None),
		"gc_debug", (unsigned long)rep->gc.debug,
		"freeze_count", (unsigned long long)rep->gc.freeze_count,
		"frozen_listed", PyBool_FromLong(rep->gc.frozen_listed));
}

static int parse_limit(PyObject *o, Py_ssize_t *out)
{
	*out = -1;
	if (!o || o == Py_None)
		return 0;
	*out = PyLong_AsSsize_t(o);
	if (*out == -1 && PyErr_Occurred())
		return -1;
	if (*out < 0) {
		PyErr_SetString(PyExc_ValueError, "limit must be >= 0 or None");
		return -1;
	}
	return 0;
}

static PyObject *py_cycles(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"limit", NULL};
	PyObject *lim = Py_None, *res = NULL;
	objref_cycles_report *rep;
	Py_ssize_t limit;
	cycles_run r;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:cycles", kwlist, &lim) || parse_limit(lim, &limit) < 0 ||
	    run_take(&r) < 0)
		return NULL;
	if (report_of(&rep, &r, limit, 0, 0) == 0)
		res = shapes_list(&r, rep);
	objref_cycles_report_free(rep);
	run_dispose(&r);
	return res;
}

/* _cycles(limit, picture=False): (summary, shapes, text, picture) from one
 * snapshot; picture: (DOT, shapes drawn) of the top shapes when asked and
 * there are any, else None. */
static PyObject *py_cycles_all(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"limit", "picture", NULL};
	PyObject *lim = Py_None, *res = NULL;
	objref_cycles_report *rep = NULL;
	Py_ssize_t limit;
	int picture = 0;
	cycles_run r;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op:_cycles", kwlist, &lim, &picture) ||
	    parse_limit(lim, &limit) < 0 || run_take(&r) < 0)
		return NULL;
	if (report_of(&rep, &r, limit, picture, OBJREF_CYCLES_REPORT_DRAWN) == 0)
		res = Py_BuildValue("(NNNN)", summary_dict(rep), shapes_list(&r, rep),
			str_or_none(rep->text), rep->dot && rep->summary.nshapes ?
			Py_BuildValue("(sn)", rep->dot, (Py_ssize_t)rep->drawn) : Py_NewRef(Py_None));
	objref_cycles_report_free(rep);
	run_dispose(&r);
	return res;
}

static PyObject *py_show_cycles(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"limit", "file", "filename", "timeout", NULL};
	PyObject *lim = NULL, *file = Py_None;
	const char *filename = NULL;
	objref_cycles_report *rep = NULL;
	double timeout = 60.0;
	Py_ssize_t limit = 10;
	cycles_run r;
	int rc;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOzd:show_cycles", kwlist, &lim, &file, &filename,
			&timeout) || (lim && parse_limit(lim, &limit) < 0))
		return NULL;
	if (filename && !objref_render_format_of(filename))
		return PyErr_Format(PyExc_ValueError, "cannot tell the format of '%s': name it .png, "
			".svg, .pdf or .dot", filename);
	if (run_take(&r) < 0)
		return NULL;
	rc = report_of(&rep, &r, limit, filename != NULL, limit < 0 ? SIZE_MAX : (size_t)limit);
	run_dispose(&r);
	if (rc == 0 && filename && rep->dot)
		rc = objref_py_render(rep->dot, filename, timeout);
	if (rc == 0)
		rc = objref_py_write(file, rep->text);
	if (rc == 0 && filename) {
		char line[1024];
		snprintf(line, sizeof(line), "Image generated as %s (%zu shape%s)\n", filename, rep->drawn,
			rep->drawn == 1 ? "" : "s");
		rc = objref_py_write(file, line);
	}
	objref_cycles_report_free(rep);
	return rc < 0 ? NULL : Py_NewRef(Py_None);
}

/* garbage(): every garbage object with its kind, [(obj, kind), ...]. */
static PyObject *py_garbage(PyObject *self, PyObject *noargs)
{
	const uint8_t *cls;
	PyObject *list;
	cycles_run r;

	(void)self;
	(void)noargs;
	if (run_take(&r) < 0)
		return NULL;
	cls = objref_cycles_classes(r.cyc);
	list = PyList_New(0);
	for (size_t i = 0; list && i < r.n; i++) {
		PyObject *t;
		if (!cls[i] || !r.objs[i])
			continue;
		t = Py_BuildValue("(Os)", (PyObject *)r.objs[i], objref_garbage_class_name(cls[i]));
		if (!t || PyList_Append(list, t) < 0)
			Py_CLEAR(list);
		Py_XDECREF(t);
	}
	run_dispose(&r);
	return list;
}

/* _cycles_timing(untracked=True): seconds of each step on one snapshot of
 * the live heap, for bench/cycles_bench.py. */
static PyObject *py_cycles_timing(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"untracked", NULL};
	objref_snapshot *snap = NULL;
	objref_cycles *cyc = NULL;
	objref_id *comp = NULL, *culprits = NULL;
	uint8_t *cls = NULL;
	size_t ncomp_all = 0, ncomp_garbage = 0, nculprits = 0, ngarbage = 0;
	double t0, t_capture, t_index, t_garbage, t_scc_garbage, t_scc_all, t_find;
	PyObject *res = NULL;
	int untracked = 1, err;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:_cycles_timing", kwlist, &untracked))
		return NULL;
	t0 = objref_py_now();
	if ((err = objref_capture_snapshot(&snap, untracked ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0)
		return objref_py_error(err);
	t_capture = objref_py_now() - t0;
	t_index = 0;  /* the analysis needs no address index */
	t0 = objref_py_now();
	if ((err = objref_garbage_find(&cls, &culprits, &nculprits, snap)) < 0)
		goto fail;
	t_garbage = objref_py_now() - t0;
	for (size_t i = 0; i < objref_snapshot_nobjects(snap); i++)
		ngarbage += cls[i] != 0;
	t0 = objref_py_now();
	if ((err = objref_scc(&comp, &ncomp_garbage, snap, cls, NULL, NULL, 0)) < 0)
		goto fail;
	t_scc_garbage = objref_py_now() - t0;
	objref_cycles_array_free(comp);
	comp = NULL;
	t0 = objref_py_now();
	if ((err = objref_scc(&comp, &ncomp_all, snap, NULL, NULL, NULL, 0)) < 0)
		goto fail;
	t_scc_all = objref_py_now() - t0;
	t0 = objref_py_now();
	if ((err = objref_cycles_find(&cyc, snap)) < 0)
		goto fail;
	t_find = objref_py_now() - t0;
	res = Py_BuildValue("{sdsdsdsdsdsdsnsnsnsnsn}", "capture", t_capture, "address_index", t_index,
		"garbage", t_garbage,
		"scc_garbage", t_scc_garbage, "scc_all", t_scc_all, "cycles_find", t_find,
		"objects", (Py_ssize_t)objref_snapshot_nobjects(snap), "garbage_objects", (Py_ssize_t)ngarbage,
		"components_all", (Py_ssize_t)ncomp_all, "components_garbage", (Py_ssize_t)ncomp_garbage,
		"shapes", (Py_ssize_t)objref_cycles_nshapes(cyc));
	goto done;
fail:
	objref_py_error(err);
done:
	objref_cycles_free(cyc);
	objref_cycles_array_free(comp);
	objref_cycles_array_free(cls);
	objref_cycles_array_free(culprits);
	objref_snapshot_free(snap);
	return res;
}

/* ---- get_leaking_objects ---------------------------------------------- */

static int visit_discard(PyObject *o, void *arg)
{
	PyObject *key = PyLong_FromVoidPtr(o);

	if (!key)
		return -1;
	if (PySet_Discard((PyObject *)arg, key) < 0) {
		Py_DECREF(key);
		return -1;
	}
	Py_DECREF(key);
	return 0;
}

/* objgraph's algorithm over the given objects: those no other one refers
 * to (tp_traverse, as gc.get_referents). */
static PyObject *leaking_among(PyObject *objects)
{
	PyObject *seq = PySequence_Fast(objects, "objects must be iterable"), *ids = NULL, *res = NULL;
	Py_ssize_t n;

	if (!seq || !(ids = PySet_New(NULL)))
		goto done;
	n = PySequence_Fast_GET_SIZE(seq);
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *key = PyLong_FromVoidPtr(PySequence_Fast_GET_ITEM(seq, i));
		int rc = key ? PySet_Add(ids, key) : -1;
		Py_XDECREF(key);
		if (rc < 0)
			goto done;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
		traverseproc tr = Py_TYPE(o)->tp_traverse;
		if (PyObject_IS_GC(o) && tr && tr(o, visit_discard, ids) < 0)
			goto done;
	}
	if (!(res = PyList_New(0)))
		goto done;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *o = PySequence_Fast_GET_ITEM(seq, i), *key = PyLong_FromVoidPtr(o);
		int in = key ? PySet_Contains(ids, key) : -1;
		Py_XDECREF(key);
		if (in < 0 || (in && PyList_Append(res, o) < 0)) {
			Py_CLEAR(res);
			goto done;
		}
	}
done:
	Py_XDECREF(ids);
	Py_XDECREF(seq);
	return res;
}

/*
 * The live heap: objgraph's definition over gc.get_objects() — the tracked
 * objects that no tracked object refers to through tp_traverse (what
 * gc.get_referents reports).  The snapshot knows more references than
 * tp_traverse tells (a type's subclass table, a module's m_copy dict, ...):
 * an object held only that way is a root of the interpreter, which is what
 * objgraph's documentation says this list is full of, so those references
 * are not used here (the chains reports do use them).  No gc.collect()
 * first (objgraph collects): garbage cycles refer to themselves, so they
 * are not listed either way.
 */
static PyObject *leaking_heap(void)
{
	objref_snapshot *snap = NULL;
	void **objs = NULL;
	size_t n = 0;
	PyObject *tracked = NULL, *res = NULL;
	int err;

	if ((err = objref_capture_snapshot_pinned(&snap, &objs, &n, 0)) < 0)
		return objref_py_error(err);
	if (!(tracked = PyList_New(0)))
		goto done;
	for (objref_id v = 0; v < n; v++)
		if ((objref_snapshot_object(snap, v)->flags & OBJREF_F_TRACKED) && objs[v] &&
		    PyList_Append(tracked, (PyObject *)objs[v]) < 0)
			goto done;
	res = leaking_among(tracked);
done:
	Py_XDECREF(tracked);
	objref_capture_release(objs, n);
	objref_snapshot_free(snap);
	return res;
}

static PyObject *py_get_leaking_objects(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"objects", NULL};
	PyObject *objects = Py_None;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:get_leaking_objects", kwlist, &objects))
		return NULL;
	return objects == Py_None ? leaking_heap() : leaking_among(objects);
}

PyMethodDef objref_cycles_methods[] = {
	{"cycles", FN(py_cycles), KW,
	 "cycles(limit=None) -> list of dict\n\n"
	 "Garbage cycles of the live heap grouped by shape, most memory first,\n"
	 "found on a snapshot without gc.collect(): per shape its text, count,\n"
	 "objects, bytes, retained bytes, kind and reason (collectable, frozen,\n"
	 "untraversable, gc.garbage), an example (with its live objects), the\n"
	 "fix hint and, when tracemalloc traces, an allocation site.\n"
	 "The returned example objects keep their cycles alive."},
	{"show_cycles", FN(py_show_cycles), KW,
	 "show_cycles(limit=10, file=None, filename=None, timeout=60)\n\n"
	 "Print the garbage cycles report; with filename (.png .svg .pdf .dot)\n"
	 "also draw the examples of the top shapes (at most 6) in one picture."},
	{"garbage", py_garbage, METH_NOARGS,
	 "garbage() -> [(obj, kind), ...]\n\n"
	 "Every object no root reaches, found without gc.collect(), with its\n"
	 "kind: 'collectable', 'frozen', 'untraversable' or 'gc.garbage'.\n"
	 "The list keeps them alive."},
	{"_cycles_timing", FN(py_cycles_timing), KW,
	 "_cycles_timing(untracked=True) -> dict of seconds per step (benchmarks)."},
	{"_cycles", FN(py_cycles_all), KW,
	 "_cycles(limit=None, picture=False) -> (summary, shapes, text, (dot, drawn) or None), "
	 "from one snapshot."},
	{"get_leaking_objects", FN(py_get_leaking_objects), KW,
	 "get_leaking_objects(objects=None) -> list\n\n"
	 "objgraph.get_leaking_objects: the objects (default: every tracked\n"
	 "object) that none of them refers to, as gc.get_referents tells.\n"
	 "Without gc.collect()."},
	{NULL, NULL, 0, NULL}
};

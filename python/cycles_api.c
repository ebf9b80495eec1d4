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

static const char *const kind_names[] = {
	"alive", "collectable", "frozen", "untraversable", "gc.garbage"
};

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

/* A str from a filled buffer, or NULL with an exception. */
static PyObject *buf_str(objref_buf *b, int err)
{
	PyObject *s;

	if (err < 0 || objref_buf_failed(b)) {
		objref_buf_dispose(b);
		return objref_py_error(err < 0 ? err : OBJREF_ENOMEM);
	}
	s = PyUnicode_DecodeUTF8(b->data ? b->data : "", (Py_ssize_t)b->len, "replace");
	objref_buf_dispose(b);
	return s;
}

static int set_item(PyObject *d, const char *key, PyObject *v)
{
	int rc = v ? PyDict_SetItemString(d, key, v) : -1;

	Py_XDECREF(v);
	return rc;
}

/* The allocation site of a member of shape i (the example's first, then
 * one of each of the first instances) into site; its length or 0. */
static size_t find_site(char *site, size_t size, const cycles_run *r, size_t i)
{
	const objref_cycle_shape *sh = objref_cycles_shape(r->cyc, i);
	objref_id ids[4];
	size_t n = objref_cycles_instances(ids, 4, r->cyc, i), len = 0;

	for (size_t j = 0; j < sh->nsteps && j < 8 && !len; j++)
		if (sh->example[j] < r->n)
			len = objref_capture_alloc_site(site, size, r->objs[sh->example[j]]);
	for (size_t k = 0; k < n && !len; k++)
		if (ids[k] < r->n)
			len = objref_capture_alloc_site(site, size, r->objs[ids[k]]);
	return len;
}

static PyObject *alloc_site(const cycles_run *r, size_t i)
{
	char site[512];

	if (!find_site(site, sizeof(site), r, i))
		return Py_NewRef(Py_None);
	return PyUnicode_DecodeUTF8(site, (Py_ssize_t)strlen(site), "replace");
}

/* The steps of shape i: [(type name, label text), ...] (first 64). */
static PyObject *shape_steps(const cycles_run *r, const objref_cycle_shape *sh)
{
	PyObject *list = PyList_New(0);
	char label[256];

	for (size_t j = 0; list && j < sh->nsteps && j < 64; j++) {
		const objref_type *t = objref_snapshot_type(r->snap, sh->steps[j].type);
		PyObject *step;
		objref_label_format(label, sizeof(label), r->snap, sh->steps[j].label);
		step = Py_BuildValue("(ss)", objref_snapshot_string(r->snap, t->name), label);
		if (!step || PyList_Append(list, step) < 0)
			Py_CLEAR(list);
		Py_XDECREF(step);
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

/* One shape as a dict. */
static PyObject *shape_dict(const cycles_run *r, size_t i)
{
	const objref_cycle_shape *sh = objref_cycles_shape(r->cyc, i);
	const objref_gc_state *gc = objref_snapshot_gc(r->snap);
	PyObject *d = PyDict_New();
	objref_buf text = {0}, example = {0}, fix = {0};
	char reason[512];
	int err;

	if (!d)
		return NULL;
	objref_cycles_reason(reason, sizeof(reason), r->cyc, i);
	err = objref_cycles_format_fix(&fix, r->cyc, i);
	if (set_item(d, "shape", buf_str(&text, objref_cycles_format_shape(&text, r->cyc, i, 0))) < 0 ||
	    set_item(d, "example", buf_str(&example, objref_cycles_format_shape(&example, r->cyc, i, 1))) < 0 ||
	    set_item(d, "count", PyLong_FromSize_t(sh->count)) < 0 ||
	    set_item(d, "objects", PyLong_FromSize_t(sh->objects)) < 0 ||
	    set_item(d, "bytes", PyLong_FromUnsignedLongLong(sh->bytes)) < 0 ||
	    set_item(d, "retained_objects", PyLong_FromSize_t(sh->retained_objects)) < 0 ||
	    set_item(d, "retained_bytes", PyLong_FromUnsignedLongLong(sh->retained_bytes)) < 0 ||
	    set_item(d, "length", PyLong_FromSize_t(sh->nsteps)) < 0 ||
	    set_item(d, "kind", PyUnicode_FromString(kind_names[sh->cls])) < 0 ||
	    set_item(d, "collectable", PyBool_FromLong(sh->cls == OBJREF_GARBAGE_COLLECTABLE)) < 0 ||
	    set_item(d, "gc_disabled", PyBool_FromLong(gc->known && !gc->enabled)) < 0 ||
	    set_item(d, "reason", PyUnicode_DecodeUTF8(reason, (Py_ssize_t)strlen(reason), "replace")) < 0 ||
	    set_item(d, "steps", shape_steps(r, sh)) < 0 ||
	    set_item(d, "example_objects", example_objects(r, sh)) < 0 ||
	    set_item(d, "instances", instances(r, i)) < 0 ||
	    set_item(d, "culprit", sh->culprit == OBJREF_NO_ID ? Py_NewRef(Py_None) : obj_at(r, sh->culprit)) < 0 ||
	    set_item(d, "fix", fix.len ? buf_str(&fix, err) : (objref_buf_dispose(&fix), Py_NewRef(Py_None))) < 0 ||
	    set_item(d, "alloc_site", alloc_site(r, i)) < 0)
		Py_CLEAR(d);
	objref_buf_dispose(&fix);
	return d;
}

static PyObject *shapes_list(const cycles_run *r, Py_ssize_t limit)
{
	size_t n = objref_cycles_nshapes(r->cyc);
	PyObject *list;

	if (limit >= 0 && (size_t)limit < n)
		n = (size_t)limit;
	if (!(list = PyList_New((Py_ssize_t)n)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		PyObject *d = shape_dict(r, i);
		if (!d) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, d);
	}
	return list;
}

static PyObject *summary_dict(const cycles_run *r)
{
	const objref_gc_state *gc = objref_snapshot_gc(r->snap);
	objref_cycles_summary s;
	PyObject *d = PyDict_New();

	objref_cycles_summary_get(&s, r->cyc);
	if (d && (set_item(d, "garbage_objects", PyLong_FromSize_t(s.garbage_objects)) < 0 ||
		  set_item(d, "garbage_bytes", PyLong_FromUnsignedLongLong(s.garbage_bytes)) < 0 ||
		  set_item(d, "collectable_objects", PyLong_FromSize_t(s.by_class[OBJREF_GARBAGE_COLLECTABLE])) < 0 ||
		  set_item(d, "frozen_objects", PyLong_FromSize_t(s.by_class[OBJREF_GARBAGE_FROZEN])) < 0 ||
		  set_item(d, "untraversable_objects", PyLong_FromSize_t(s.by_class[OBJREF_GARBAGE_UNTRAVERSABLE])) < 0 ||
		  set_item(d, "gc_garbage_objects", PyLong_FromSize_t(s.by_class[OBJREF_GARBAGE_GC_GARBAGE])) < 0 ||
		  set_item(d, "cyclic_objects", PyLong_FromSize_t(s.cyclic_objects)) < 0 ||
		  set_item(d, "cycles", PyLong_FromSize_t(s.components)) < 0 ||
		  set_item(d, "shapes", PyLong_FromSize_t(s.nshapes)) < 0 ||
		  set_item(d, "gc_enabled", gc->known ? PyBool_FromLong(gc->enabled) : Py_NewRef(Py_None)) < 0 ||
		  set_item(d, "gc_debug", PyLong_FromUnsignedLong(gc->debug)) < 0 ||
		  set_item(d, "freeze_count", PyLong_FromUnsignedLongLong(gc->freeze_count)) < 0 ||
		  set_item(d, "frozen_listed", PyBool_FromLong(gc->frozen_listed)) < 0))
		Py_CLEAR(d);
	return d;
}

/* objref_cycles_format's extra: the allocation site line. */
static int extra_site(objref_buf *b, size_t i, void *arg)
{
	char site[512];

	if (!find_site(site, sizeof(site), arg, i))
		return 0;
	return objref_buf_printf(b, "  allocated at %s (tracemalloc)\n", site) < 0 ? OBJREF_ENOMEM : 0;
}

static PyObject *report_text(const cycles_run *r, Py_ssize_t limit)
{
	objref_buf b = {0};

	return buf_str(&b, objref_cycles_format(&b, r->cyc, limit < 0 ? 0 : (size_t)limit, extra_site,
		(void *)r));
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
	PyObject *lim = Py_None, *res;
	Py_ssize_t limit;
	cycles_run r;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:cycles", kwlist, &lim) || parse_limit(lim, &limit) < 0 ||
	    run_take(&r) < 0)
		return NULL;
	res = shapes_list(&r, limit);
	run_dispose(&r);
	return res;
}

/* _cycles(limit, picture=False): (summary, shapes, text, picture) from one
 * snapshot (objref-chain); picture: (DOT, shapes drawn) of the top shapes
 * when asked and there are any, else None. */
/* Shapes drawn in one picture at most. */
#define DRAWN_SHAPES 6

static int cycles_dot(objref_buf *dot, size_t *drawn, const cycles_run *r, size_t limit);

/* (DOT, shapes drawn) of r's picture, or None when there is no shape. */
static PyObject *picture_of(const cycles_run *r)
{
	objref_buf dot = {0};
	size_t drawn;
	PyObject *res;

	if (!objref_cycles_nshapes(r->cyc))
		return Py_NewRef(Py_None);
	if (cycles_dot(&dot, &drawn, r, DRAWN_SHAPES) < 0)
		return NULL;
	res = Py_BuildValue("(sn)", dot.data ? dot.data : "", (Py_ssize_t)drawn);
	objref_buf_dispose(&dot);
	return res;
}

static PyObject *py_cycles_all(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"limit", "picture", NULL};
	PyObject *lim = Py_None, *sum = NULL, *shapes = NULL, *text = NULL, *pic = NULL, *res = NULL;
	Py_ssize_t limit;
	int picture = 0;
	cycles_run r;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op:_cycles", kwlist, &lim, &picture) ||
	    parse_limit(lim, &limit) < 0 || run_take(&r) < 0)
		return NULL;
	if ((sum = summary_dict(&r)) && (shapes = shapes_list(&r, limit)) && (text = report_text(&r, limit)) &&
	    (pic = picture ? picture_of(&r) : Py_NewRef(Py_None)))
		res = PyTuple_Pack(4, sum, shapes, text, pic);
	Py_XDECREF(sum);
	Py_XDECREF(shapes);
	Py_XDECREF(text);
	Py_XDECREF(pic);
	run_dispose(&r);
	return res;
}

/* The DOT of the first shapes of r (at most limit and DRAWN_SHAPES) into
 * *dot; *drawn gets how many.  0, or -1 with an exception. */
static int cycles_dot(objref_buf *dot, size_t *drawn, const cycles_run *r, size_t limit)
{
	objref_dot_options o = { 0, 0, "objref: garbage cycles (found without a collection)" };
	objref_view *v = NULL;
	size_t n = objref_cycles_nshapes(r->cyc);
	int err;

	*drawn = 0;
	n = n < limit ? n : limit;
	n = n < DRAWN_SHAPES ? n : DRAWN_SHAPES;
	if ((err = objref_view_new(&v, r->snap, 0)) < 0)
		return objref_py_error(err), -1;
	for (size_t i = 0; i < n && !err; i++)
		if ((err = objref_cycles_view(v, r->cyc, i)) == 0)
			(*drawn)++;
	if (err == OBJREF_ENOTFOUND)
		err = 0;  /* the view is full: what fitted is drawn */
	if (!err)
		err = objref_view_dot(dot, v, &o);
	objref_view_free(v);
	return err < 0 ? (objref_py_error(err), -1) : 0;
}

/* The picture of the first shapes of r into filename (.png .svg .pdf
 * .dot); *drawn gets how many.  0, or -1 with an exception. */
static int draw(size_t *drawn, const cycles_run *r, size_t limit, const char *filename, double timeout)
{
	objref_buf dot = {0};
	int rc;

	if (!objref_render_format_of(filename)) {
		PyErr_Format(PyExc_ValueError, "cannot tell the format of '%s': name it .png, .svg, .pdf "
			"or .dot", filename);
		return -1;
	}
	rc = cycles_dot(&dot, drawn, r, limit);
	if (rc == 0)
		rc = objref_py_render(dot.data, filename, timeout);
	objref_buf_dispose(&dot);
	return rc;
}

static PyObject *py_show_cycles(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"limit", "file", "filename", "timeout", NULL};
	PyObject *lim = NULL, *file = Py_None, *text;
	const char *filename = NULL;
	double timeout = 60.0;
	Py_ssize_t limit = 10;
	size_t drawn = 0;
	cycles_run r;
	int rc;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOzd:show_cycles", kwlist, &lim, &file, &filename,
			&timeout) || (lim && parse_limit(lim, &limit) < 0) || run_take(&r) < 0)
		return NULL;
	text = report_text(&r, limit);
	if (text && filename && draw(&drawn, &r, limit < 0 ? SIZE_MAX : (size_t)limit, filename, timeout) < 0)
		Py_CLEAR(text);
	run_dispose(&r);
	if (!text)
		return NULL;
	rc = objref_py_write(file, PyUnicode_AsUTF8(text));
	Py_DECREF(text);
	if (rc == 0 && filename) {
		char line[1024];
		snprintf(line, sizeof(line), "Image generated as %s (%zu shape%s)\n", filename, drawn,
			drawn == 1 ? "" : "s");
		rc = objref_py_write(file, line);
	}
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
		t = Py_BuildValue("(Os)", (PyObject *)r.objs[i], kind_names[cls[i]]);
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

/* The live heap: tracked objects no tracked object of the snapshot refers
 * to.  No gc.collect() first (objgraph collects): garbage cycles refer to
 * themselves, so they are not listed either way. */
static PyObject *leaking_heap(void)
{
	objref_snapshot *snap = NULL;
	void **objs = NULL;
	size_t n = 0;
	uint8_t *referred = NULL;
	PyObject *res = NULL;
	int err;

	if ((err = objref_capture_snapshot_pinned(&snap, &objs, &n, 0)) < 0)
		return objref_py_error(err);
	if (!(referred = PyMem_Calloc(n + 1, 1))) {
		PyErr_NoMemory();
		goto done;
	}
	for (objref_id v = 0; v < n; v++) {
		const objref_id *dst;
		const objref_label *lab;
		size_t k;
		if (!(objref_snapshot_object(snap, v)->flags & OBJREF_F_TRACKED) ||
		    objref_snapshot_edges(&dst, &lab, &k, snap, v) < 0)
			continue;
		for (size_t e = 0; e < k; e++)  /* objgraph drops self-referents too */
			referred[dst[e]] = 1;
	}
	if (!(res = PyList_New(0)))
		goto done;
	for (objref_id v = 0; v < n; v++)
		if (!referred[v] && (objref_snapshot_object(snap, v)->flags & OBJREF_F_TRACKED) && objs[v] &&
		    PyList_Append(res, (PyObject *)objs[v]) < 0) {
			Py_CLEAR(res);
			break;
		}
done:
	PyMem_Free(referred);
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
	 "object) that no other of them refers to.  Without gc.collect()."},
	{NULL, NULL, 0, NULL}
};

/*
 * python/dominators_api.c — retained sizes in the module: retained_by_type()
 * and the benchmarks' _dominators_timing().  The engine is
 * lib/dominators.c; this file captures, makes one engine call, converts.
 */
#include <stdlib.h>
#include <string.h>
#include "module.h"
#include "objref/dominators.h"

typedef struct {
	objref_type_id type;
	uint64_t count, bytes, retained;
} type_row;

static int by_retained_desc(const void *a, const void *b)
{
	const type_row *x = a, *y = b;

	if (x->retained != y->retained)
		return x->retained < y->retained ? 1 : -1;
	return x->type < y->type ? -1 : x->type > y->type;
}

/* The rows of every type with a reachable object, most retained first
 * (PyMem; *n rows), or NULL with an exception. */
static type_row *type_rows(size_t *n, const objref_snapshot *snap, const objref_dominators *d)
{
	size_t ntypes = objref_snapshot_ntypes(snap), nobj = objref_snapshot_nobjects(snap), k = 0;
	type_row *rows = PyMem_Calloc(ntypes ? ntypes : 1, sizeof(*rows));
	uint64_t *ret = PyMem_Calloc(ntypes ? ntypes : 1, sizeof(*ret));
	int err;

	if (!rows || !ret) {
		PyMem_Free(rows);
		PyMem_Free(ret);
		PyErr_NoMemory();
		return NULL;
	}
	if ((err = objref_dominators_by_type(ret, d, snap)) < 0) {
		PyMem_Free(rows);
		PyMem_Free(ret);
		objref_py_error(err);
		return NULL;
	}
	for (size_t t = 0; t < ntypes; t++)
		rows[t] = (type_row){ (objref_type_id)t, 0, 0, ret[t] };
	for (objref_id id = 0; id < nobj; id++) {
		const objref_object *o = objref_snapshot_object(snap, id);
		if (objref_dominators_reachable(d, id)) {
			rows[o->type].count++;
			rows[o->type].bytes += o->size;
		}
	}
	PyMem_Free(ret);
	for (size_t t = 0; t < ntypes; t++)
		if (rows[t].count)
			rows[k++] = rows[t];
	qsort(rows, k, sizeof(*rows), by_retained_desc);
	*n = k;
	return rows;
}

static PyObject *row_tuple(const objref_snapshot *snap, const type_row *r, int shortnames)
{
	const objref_type *t = objref_snapshot_type(snap, r->type);
	const char *mod = objref_snapshot_string(snap, t->module);
	const char *name = objref_snapshot_string(snap, shortnames ? t->name : t->qualname);
	PyObject *text = shortnames || !*mod ? PyUnicode_FromString(name) :
		PyUnicode_FromFormat("%s.%s", mod, name);

	if (!text)
		return NULL;
	return Py_BuildValue("(NKKK)", text, (unsigned long long)r->count, (unsigned long long)r->bytes,
		(unsigned long long)r->retained);
}

/* The limit types that retain most, for the HTML report: names copied
 * (objref_py_retained_free).  0, or -1 with an exception. */
int objref_py_retained_rows(objref_html_retained **out, size_t *nout, size_t limit)
{
	objref_snapshot *snap = NULL;
	objref_dominators *d = NULL;
	type_row *rows = NULL;
	objref_html_retained *res = NULL;
	size_t n = 0;
	int err, rc = -1;

	*out = NULL;
	*nout = 0;
	if ((err = objref_capture_snapshot(&snap, OBJREF_CAPTURE_UNTRACKED)) < 0) {
		objref_py_error(err);
		return -1;
	}
	if ((err = objref_dominators_build(&d, snap, NULL)) < 0) {
		objref_py_error(err);
		goto done;
	}
	if (!(rows = type_rows(&n, snap, d)))
		goto done;
	n = n < limit ? n : limit;
	if (!(res = PyMem_Calloc(n ? n : 1, sizeof(*res)))) {
		PyErr_NoMemory();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const objref_type *t = objref_snapshot_type(snap, rows[i].type);
		const char *name = objref_snapshot_string(snap, t->name);
		char *copy = PyMem_Malloc(strlen(name) + 1);
		if (!copy) {
			objref_py_retained_free(res, i);
			res = NULL;
			PyErr_NoMemory();
			goto done;
		}
		res[i] = (objref_html_retained){ strcpy(copy, name), rows[i].count, rows[i].bytes,
			rows[i].retained };
	}
	*out = res;
	*nout = n;
	rc = 0;
done:
	PyMem_Free(rows);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return rc;
}

void objref_py_retained_free(objref_html_retained *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		PyMem_Free((char *)rows[i].name);
	PyMem_Free(rows);
}

static PyObject *py_retained_by_type(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "limit", "shortnames", "untracked", NULL };
	PyObject *limit_obj = NULL;
	Py_ssize_t limit = 20;
	int shortnames = 1, untracked = 1, err;
	objref_snapshot *snap = NULL;
	objref_dominators *d = NULL;
	type_row *rows = NULL;
	size_t n = 0;
	PyObject *list = NULL;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|Opp:retained_by_type", kwlist, &limit_obj, &shortnames,
			&untracked))
		return NULL;
	if (limit_obj == Py_None)
		limit = -1; /* every type */
	else if (limit_obj && (limit = PyNumber_AsSsize_t(limit_obj, PyExc_OverflowError)) == -1 &&
		 PyErr_Occurred())
		return NULL;
	if ((err = objref_capture_snapshot(&snap, untracked ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0)
		return objref_py_error(err);
	if ((err = objref_dominators_build(&d, snap, NULL)) < 0) {
		objref_py_error(err);
		goto done;
	}
	if (!(rows = type_rows(&n, snap, d)))
		goto done;
	if (limit >= 0 && (size_t)limit < n)
		n = (size_t)limit;
	if (!(list = PyList_New((Py_ssize_t)n)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		PyObject *t = row_tuple(snap, &rows[i], shortnames);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
done:
	PyMem_Free(rows);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return list;
}

/* _dominators_timing(untracked=True): seconds of the capture, the dominator
 * tree and the per-type sums on one snapshot of the live heap (bench/). */
static PyObject *py_dominators_timing(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "untracked", NULL };
	int untracked = 1, err;
	objref_snapshot *snap = NULL;
	objref_dominators *d = NULL;
	objref_snapshot_stats st;
	uint64_t *by = NULL;
	double t0, t_capture, t_tree, t_types;
	PyObject *res = NULL;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:_dominators_timing", kwlist, &untracked))
		return NULL;
	t0 = objref_py_now();
	if ((err = objref_capture_snapshot(&snap, untracked ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0)
		return objref_py_error(err);
	t_capture = objref_py_now() - t0;
	t0 = objref_py_now();
	if ((err = objref_dominators_build(&d, snap, NULL)) < 0)
		goto fail;
	t_tree = objref_py_now() - t0;
	if (!(by = PyMem_Calloc(objref_snapshot_ntypes(snap) + 1, sizeof(*by)))) {
		PyErr_NoMemory();
		goto done;
	}
	t0 = objref_py_now();
	if ((err = objref_dominators_by_type(by, d, snap)) < 0)
		goto fail;
	t_types = objref_py_now() - t0;
	objref_snapshot_stats_get(&st, snap);
	res = Py_BuildValue("{sdsdsdsnsnsnsK}", "capture", t_capture, "dominators", t_tree, "by_type", t_types,
		"objects", (Py_ssize_t)st.nobjects, "edges", (Py_ssize_t)st.nedges,
		"reachable", (Py_ssize_t)objref_dominators_nreachable(d),
		"total_bytes", (unsigned long long)objref_dominators_total(d));
	goto done;
fail:
	objref_py_error(err);
done:
	PyMem_Free(by);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return res;
}


PyMethodDef objref_dominators_methods[] = {
	{ "retained_by_type", FN(py_retained_by_type), KW,
	  "retained_by_type(limit=20 (None: all), shortnames=True, untracked=True) -> [(type, count, bytes, retained)]\n\n"
	  "Types by the bytes they keep alive (Eclipse MAT's retained size): for\n"
	  "each type, what freeing all of its objects would free, from the\n"
	  "dominator tree of one snapshot of the heap.  Objects no root reaches\n"
	  "(garbage) are left out.  Most retained first." },
	{ "_dominators_timing", FN(py_dominators_timing), KW,
	  "_dominators_timing(untracked=True) -> dict of seconds per step (benchmarks)." },
	{ NULL, NULL, 0, NULL }
};

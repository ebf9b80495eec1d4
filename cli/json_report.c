/*
 * cli/json_report.c — the --json report (see json_report.h), built as
 * Python objects and written by the json module.
 */
#include "objref/growth.h"
#include "json_report.h"
#include "cycles.h"
#include "pycompat.h"

/* Adds to d[key] and drops the reference to v; -1 when v is NULL. */
static int put(PyObject *d, const char *key, PyObject *v)
{
	int rc = v ? PyDict_SetItemString(d, key, v) : -1;

	Py_XDECREF(v);
	return rc;
}

static PyObject *growing_list(const objref_series *s)
{
	objref_growing_row *rows;
	size_t n;
	PyObject *list;

	if (objref_series_growing(&rows, &n, s, NULL) < 0)
		return PyErr_NoMemory();
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		const objref_growing_row *r = &rows[i];
		PyObject *steady = r->steady_since < r->intervals ? PyLong_FromUnsignedLong(r->steady_since + 1)
			: Py_NewRef(Py_None);
		PyObject *d = Py_BuildValue("{sssKsKsdsdsIsIsN}", "type", r->name, "first",
			(unsigned long long)r->first, "last", (unsigned long long)r->last,
			"objects_per_ckpt", r->objects_per_ckpt, "bytes_per_ckpt", r->bytes_per_ckpt,
			"rises", r->rises, "intervals", r->intervals, "steady_since", steady);
		if (!d) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, d);
	}
	objref_free(rows);
	return list;
}

static PyObject *top_list(const objref_census *last, unsigned long top)
{
	objref_census *c;
	PyObject *list;
	size_t n;

	if (!last || objref_census_copy(&c, last) < 0)
		return PyList_New(0);
	objref_census_sort(c);
	n = objref_census_len(c) < top ? objref_census_len(c) : top;
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		const objref_census_row *row = &objref_census_rows(c)[i];
		PyObject *d = Py_BuildValue("{sssKsK}", "type", row->name, "count",
			(unsigned long long)row->count, "bytes", (unsigned long long)row->bytes);
		if (!d) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, d);
	}
	objref_census_free(c);
	return list;
}

static PyObject *report_dict(const chain_report *r, PyObject *chains)
{
	size_t n = objref_series_len(r->series);
	const objref_census *last = n ? objref_series_census(r->series, n - 1) : NULL;
	PyObject *d = PyDict_New();

	if (!d || put(d, "schema", PyUnicode_FromString("objref-chain/1")) < 0 ||
	    put(d, "program", PyUnicode_FromString(r->display)) < 0 ||
	    put(d, "seconds", PyFloat_FromDouble(r->seconds)) < 0 ||
	    put(d, "checkpoints", PyLong_FromSize_t(n)) < 0 ||
	    put(d, "heap", last ? Py_BuildValue("{sKsK}", "objects",
			(unsigned long long)objref_census_total_count(last), "bytes",
			(unsigned long long)objref_census_total_bytes(last)) : Py_NewRef(Py_None)) < 0 ||
	    put(d, "growing", growing_list(r->series)) < 0 ||
	    (r->top && put(d, "top", top_list(last, r->top)) < 0) ||
	    put(d, "chains", Py_NewRef(chains ? chains : Py_None)) < 0 ||
	    (r->cycles && put(d, "cycles", chain_cycles_json(r->cycles)) < 0))
		Py_CLEAR(d);
	return d;
}

int chain_report_json(objref_buf *b, const chain_report *r, PyObject *chains)
{
	PyObject *d = report_dict(r, chains), *json = d ? PyImport_ImportModule("json") : NULL;
	PyObject *text = json ? PyObject_CallMethod(json, "dumps", "O", d) : NULL;
	const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
	int err = s ? objref_buf_printf(b, "%s\n", s) : -1;

	if (!s) {
		PyErr_Print();
		fprintf(stderr, "objref-chain: the JSON report could not be written\n");
	}
	Py_XDECREF(d);
	Py_XDECREF(json);
	Py_XDECREF(text);
	return err;
}

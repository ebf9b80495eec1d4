/*
 * cli/json_report.c — the --json report (see json_report.h), written with
 * libobjref's JSON writer: the same bytes json.dumps wrote before.
 */
#include "objref/growth.h"
#include "objref/json.h"
#include "json_report.h"
#include "cycles.h"
#include "pycompat.h"

static void growing_list(objref_json *w, const objref_series *s)
{
	objref_growing_row *rows;
	size_t n;

	if (objref_series_growing(&rows, &n, s, NULL) < 0) {
		w->failed = OBJREF_ENOMEM;
		return;
	}
	objref_json_array(w);
	for (size_t i = 0; i < n; i++) {
		const objref_growing_row *r = &rows[i];
		objref_json_object(w);
		objref_json_key(w, "type");
		objref_json_str(w, r->name);
		objref_json_key(w, "first");
		objref_json_uint(w, r->first);
		objref_json_key(w, "last");
		objref_json_uint(w, r->last);
		objref_json_key(w, "objects_per_ckpt");
		objref_json_double(w, r->objects_per_ckpt);
		objref_json_key(w, "bytes_per_ckpt");
		objref_json_double(w, r->bytes_per_ckpt);
		objref_json_key(w, "rises");
		objref_json_uint(w, r->rises);
		objref_json_key(w, "intervals");
		objref_json_uint(w, r->intervals);
		objref_json_key(w, "steady_since");
		if (r->steady_since < r->intervals)
			objref_json_uint(w, (uint64_t)r->steady_since + 1);
		else
			objref_json_null(w);
		objref_json_end(w);
	}
	objref_json_end(w);
	objref_free(rows);
}

static void top_list(objref_json *w, const objref_census *last, unsigned long top)
{
	objref_census *c;
	size_t n;

	objref_json_array(w);
	if (last && objref_census_copy(&c, last) == 0) {
		objref_census_sort(c);
		n = objref_census_len(c) < top ? objref_census_len(c) : top;
		for (size_t i = 0; i < n; i++) {
			const objref_census_row *row = &objref_census_rows(c)[i];
			objref_json_object(w);
			objref_json_key(w, "type");
			objref_json_str(w, row->name);
			objref_json_key(w, "count");
			objref_json_uint(w, row->count);
			objref_json_key(w, "bytes");
			objref_json_uint(w, row->bytes);
			objref_json_end(w);
		}
		objref_census_free(c);
	}
	objref_json_end(w);
}

/* A Python value as json.dumps writes it (dicts with str keys, lists,
 * tuples, str, int, float, bool, None): for the cycles part, which the
 * module still builds as Python objects.  0, or -1 (an exception set, or
 * the writer failed). */
static int py_value(objref_json *w, PyObject *v)
{
	if (v == Py_None)
		return objref_json_null(w);
	if (PyBool_Check(v))
		return objref_json_bool(w, v == Py_True);
	if (PyLong_Check(v)) {
		int overflow;
		long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
		if (overflow)
			return objref_json_uint(w, PyLong_AsUnsignedLongLong(v));
		return x == -1 && PyErr_Occurred() ? -1 : objref_json_int(w, x);
	}
	if (PyFloat_Check(v))
		return objref_json_double(w, PyFloat_AS_DOUBLE(v));
	if (PyUnicode_Check(v)) {
		Py_ssize_t len;
		const char *s = PyUnicode_AsUTF8AndSize(v, &len);
		return s ? objref_json_strn(w, s, (size_t)len) : -1;
	}
	if (PyList_Check(v) || PyTuple_Check(v)) {
		PyObject *seq = PySequence_Fast(v, "");
		objref_json_array(w);
		for (Py_ssize_t i = 0; seq && i < PySequence_Fast_GET_SIZE(seq); i++)
			if (py_value(w, PySequence_Fast_GET_ITEM(seq, i)) < 0) {
				Py_DECREF(seq);
				return -1;
			}
		Py_XDECREF(seq);
		return seq ? objref_json_end(w) : -1;
	}
	if (PyDict_Check(v)) {
		PyObject *k, *x;
		Py_ssize_t pos = 0;
		objref_json_object(w);
		while (PyDict_Next(v, &pos, &k, &x)) {
			const char *key = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
			if (!key || objref_json_key(w, key) < 0 || py_value(w, x) < 0)
				return -1;
		}
		return objref_json_end(w);
	}
	PyErr_Format(PyExc_TypeError, "a %s in the cycles report", Py_TYPE(v)->tp_name);
	return -1;
}

static int cycles_value(objref_json *w, PyObject *cycles)
{
	PyObject *d = chain_cycles_json(cycles);
	int rc = d ? py_value(w, d) : -1;

	Py_XDECREF(d);
	return rc;
}

static void report(objref_json *w, const chain_report *r, const objref_chains_report *chains)
{
	size_t n = objref_series_len(r->series);
	const objref_census *last = n ? objref_series_census(r->series, n - 1) : NULL;

	objref_json_object(w);
	objref_json_key(w, "schema");
	objref_json_str(w, "objref-chain/1");
	objref_json_key(w, "program");
	objref_json_str(w, r->display);
	objref_json_key(w, "seconds");
	objref_json_double(w, r->seconds);
	objref_json_key(w, "checkpoints");
	objref_json_uint(w, n);
	objref_json_key(w, "heap");
	if (last) {
		objref_json_object(w);
		objref_json_key(w, "objects");
		objref_json_uint(w, objref_census_total_count(last));
		objref_json_key(w, "bytes");
		objref_json_uint(w, objref_census_total_bytes(last));
		objref_json_end(w);
	} else {
		objref_json_null(w);
	}
	objref_json_key(w, "growing");
	growing_list(w, r->series);
	if (r->top) {
		objref_json_key(w, "top");
		top_list(w, last, r->top);
	}
	objref_json_key(w, "chains");
	if (chains)
		objref_chains_report_json(w, chains, 1);
	else
		objref_json_null(w);
	if (r->cycles) {
		objref_json_key(w, "cycles");
		if (cycles_value(w, r->cycles) < 0 && !w->failed)
			w->failed = OBJREF_ERROR;
	}
	objref_json_end(w);
}

int chain_report_json(objref_buf *b, const chain_report *r, const objref_chains_report *chains)
{
	objref_json w = OBJREF_JSON_INIT(b);

	report(&w, r, chains);
	if (objref_json_failed(&w) || objref_buf_printf(b, "\n") < 0) {
		if (PyErr_Occurred())
			PyErr_Print();
		fprintf(stderr, "objref-chain: the JSON report could not be written\n");
		return -1;
	}
	return 0;
}

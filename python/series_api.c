/*
 * python/series_api.c — the checkpoint series: checkpoint(), checkpoints(),
 * reset(), growing_types(), the --log file and snapshot().  The census is
 * capture's, the series and the growth libobjref's (objref/growth.h).
 */
#include <stdlib.h>
#include <string.h>
#include "module.h"

/* Append the census of checkpoint i to the log, in show_most_common_types
 * layout after a header, so `grep "^tuple " log` follows one type.
 * 0, or -1 with an exception. */
static int append_log(objref_modstate *st, size_t i)
{
	objref_census *c = NULL;
	objref_buf b = { 0 };
	FILE *f;
	int err, ok;

	if (!st->log_path)
		return 0;
	if ((err = objref_census_sorted(&c, objref_series_census(st->series, i))) < 0) {
		objref_py_error(err);
		return -1;
	}
	objref_buf_printf(&b, "# checkpoint %zu%s%s t=%.2fs objects=%llu bytes=%llu\n", i + 1,
		objref_series_label(st->series, i)[0] ? " " : "", objref_series_label(st->series, i),
		objref_series_time(st->series, i), (unsigned long long)objref_census_total_count(c),
		(unsigned long long)objref_census_total_bytes(c));
	objref_format_most_common(&b, objref_census_rows(c), objref_census_len(c));
	objref_census_free(c);
	if (objref_buf_failed(&b)) {
		objref_buf_dispose(&b);
		PyErr_NoMemory();
		return -1;
	}
	f = fopen(st->log_path, "a");
	ok = f && fwrite(b.data, 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = 0;
	objref_buf_dispose(&b);
	if (!ok) {
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, st->log_path);
		return -1;
	}
	return 0;
}

static int collect_addr(void *obj, void *arg)
{
	objref_modstate *st = arg;
	size_t n = st->nfirst_addrs;

	if ((n & (n - 1)) == 0 || n == 0) {  /* grow at powers of two */
		uint64_t *a = PyMem_Realloc(st->first_addrs, (n ? 2 * n : 1024) * sizeof(uint64_t));
		if (!a)
			return -1;
		st->first_addrs = a;
	}
	st->first_addrs[st->nfirst_addrs++] = (uint64_t)(uintptr_t)obj;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Remember which objects were alive at the first checkpoint: chains()
 * prefers samples born after it (the ones a leak added). */
static int remember_first(objref_modstate *st)
{
	PyMem_Free(st->first_addrs);
	st->first_addrs = NULL;
	st->nfirst_addrs = 0;
	if (objref_capture_each(collect_addr, st, OBJREF_CAPTURE_UNTRACKED) != 0) {
		PyMem_Free(st->first_addrs);
		st->first_addrs = NULL;
		st->nfirst_addrs = 0;
		PyErr_NoMemory();
		return -1;
	}
	if (st->nfirst_addrs) /* an empty heap walk (a frozen heap before 3.12) left no array */
		qsort(st->first_addrs, st->nfirst_addrs, sizeof(uint64_t), cmp_u64);
	return 0;
}

/* A checkpoint: the census added to the series and the log; the first one
 * also remembers the baseline.  0, or -1 with an exception. */
int objref_py_checkpoint(objref_modstate *st, const char *label, int untracked)
{
	objref_census *c;
	int err;

	if (objref_series_len(st->series) == 0 && remember_first(st) < 0)
		return -1;
	if (objref_series_len(st->series) > 0 && objref_py_remember_survivors(st) < 0)
		return -1;
	if ((err = objref_capture_census(&c, untracked ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0 ||
	    (err = objref_series_add(st->series, c, objref_py_now() - st->t0, label)) < 0) {
		objref_py_error(err);
		return -1;
	}
	return append_log(st, objref_series_len(st->series) - 1);
}

static PyObject *py_checkpoint(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "label", "untracked", NULL };
	objref_modstate *st = objref_py_state(module);
	const char *label = NULL;
	int untracked = 1;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|zp:checkpoint", kwlist, &label, &untracked) ||
	    objref_py_checkpoint(st, label, untracked) < 0)
		return NULL;
	return PyLong_FromSize_t(objref_series_len(st->series) - 1);
}

static PyObject *py_checkpoints(PyObject *module, PyObject *unused)
{
	objref_modstate *st = objref_py_state(module);
	size_t n = objref_series_len(st->series);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (size_t i = 0; list && i < n; i++) {
		const objref_census *c = objref_series_census(st->series, i);
		PyObject *t = Py_BuildValue("(sdKK)", objref_series_label(st->series, i),
			objref_series_time(st->series, i),
			(unsigned long long)objref_census_total_count(c),
			(unsigned long long)objref_census_total_bytes(c));
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

static PyObject *py_reset(PyObject *module, PyObject *unused)
{
	objref_modstate *st = objref_py_state(module);

	(void)unused;
	objref_series_clear(st->series);
	PyMem_Free(st->first_addrs);
	st->first_addrs = NULL;
	st->nfirst_addrs = 0;
	objref_py_forget_survivors(st);
	Py_RETURN_NONE;
}

/* The growing rows of the series, with the options from args. */
static int growing_rows(objref_growing_row **rows, size_t *n, PyObject *module, PyObject *args,
	PyObject *kw, PyObject **file, Py_ssize_t *limit)
{
	static char *kwlist[] = { "limit", "min_rise_fraction", "min_net", "file", NULL };
	objref_growth_opts o = OBJREF_GROWTH_OPTS_INIT;
	PyObject *lim = Py_None;
	unsigned long long min_net = 0;
	int err;

	*file = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OdKO", kwlist, &lim, &o.min_rise_fraction,
			&min_net, file))
		return -1;
	o.min_net = min_net;
	*limit = lim == Py_None ? -1 : PyLong_AsSsize_t(lim);
	if (*limit == -1 && PyErr_Occurred())
		return -1;
	if ((err = objref_series_growing(rows, n, objref_py_state(module)->series, &o)) < 0) {
		objref_py_error(err);
		return -1;
	}
	if (*limit >= 0 && (size_t)*limit < *n)
		*n = (size_t)*limit;
	return 0;
}

static PyObject *py_growing_types(PyObject *module, PyObject *args, PyObject *kw)
{
	objref_growing_row *rows;
	PyObject *file, *list;
	Py_ssize_t limit;
	size_t n;

	if (growing_rows(&rows, &n, module, args, kw, &file, &limit) < 0)
		return NULL;
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		const objref_growing_row *r = &rows[i];
		PyObject *t = Py_BuildValue("(sKKddIII)", r->name, (unsigned long long)r->first,
			(unsigned long long)r->last, r->objects_per_ckpt, r->bytes_per_ckpt,
			r->rises, r->intervals, r->steady_since);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	objref_free(rows);
	return list;
}

static PyObject *py_show_growing_types(PyObject *module, PyObject *args, PyObject *kw)
{
	objref_growing_row *rows;
	objref_buf b = { 0 };
	PyObject *file;
	Py_ssize_t limit;
	size_t n;
	int rc;

	if (growing_rows(&rows, &n, module, args, kw, &file, &limit) < 0)
		return NULL;
	if (objref_format_growing(&b, rows, n) < 0) {
		objref_free(rows);
		objref_buf_dispose(&b);
		return PyErr_NoMemory();
	}
	rc = n ? objref_py_write(file, b.data) : 0;
	objref_free(rows);
	objref_buf_dispose(&b);
	if (rc < 0)
		return NULL;
	return PyLong_FromSize_t(n);
}

/* Log each checkpoint's census to path (NULL: stop).  0, or -1 with an
 * exception. */
int objref_py_set_log(objref_modstate *st, const char *path)
{
	PyMem_Free(st->log_path);
	st->log_path = NULL;
	if (path && !(st->log_path = PyMem_Malloc(strlen(path) + 1))) {
		PyErr_NoMemory();
		return -1;
	}
	if (path)
		memcpy(st->log_path, path, strlen(path) + 1);
	return 0;
}

static PyObject *py_configure(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "log", NULL };
	PyObject *log = Py_None, *bytes = NULL;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:_configure", kwlist, &log))
		return NULL;
	if (log != Py_None && !PyUnicode_FSConverter(log, &bytes))
		return NULL;
	rc = objref_py_set_log(objref_py_state(module), bytes ? PyBytes_AS_STRING(bytes) : NULL);
	Py_XDECREF(bytes);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *py_snapshot(PyObject *module, PyObject *unused)
{
	objref_snapshot *snap;
	int err;

	(void)unused;
	if ((err = objref_capture_snapshot(&snap, OBJREF_CAPTURE_UNTRACKED)) < 0)
		return objref_py_error(err);
	return objref_py_snapshot_wrap(objref_py_state(module)->snapshot_type, snap);
}

PyMethodDef objref_series_methods[] = {
	{ "checkpoint", (PyCFunction)(void (*)(void))py_checkpoint, METH_VARARGS | METH_KEYWORDS,
	  "checkpoint(label=None, untracked=True)\n--\n\n"
	  "Record a census of the live heap (untracked objects included by default)\n"
	  "as the next checkpoint of the series; returns its index." },
	{ "checkpoints", py_checkpoints, METH_NOARGS,
	  "checkpoints()\n--\n\nThe checkpoints so far: [(label, seconds, objects, bytes)]." },
	{ "reset", py_reset, METH_NOARGS, "reset()\n--\n\nForget every checkpoint." },
	{ "growing_types", (PyCFunction)(void (*)(void))py_growing_types, METH_VARARGS | METH_KEYWORDS,
	  "growing_types(limit=None, min_rise_fraction=0.5, min_net=0)\n--\n\n"
	  "Types whose counts trend up across the checkpoints: rising in more than\n"
	  "min_rise_fraction of the intervals, with net growth above min_net and\n"
	  "above the sum of their falls.  Ranked by objects, then bytes, per\n"
	  "checkpoint.  Tuples: (name, first, last, objects_per_ckpt,\n"
	  "bytes_per_ckpt, rises, intervals, steady_since)." },
	{ "show_growing_types", (PyCFunction)(void (*)(void))py_show_growing_types,
	  METH_VARARGS | METH_KEYWORDS,
	  "show_growing_types(limit=None, min_rise_fraction=0.5, min_net=0, file=None)\n--\n\n"
	  "Print the growing types table; returns the number of rows." },
	{ "snapshot", py_snapshot, METH_NOARGS,
	  "snapshot()\n--\n\nA full snapshot of the heap: objects (untracked ones too),\n"
	  "labelled references, types and roots." },
	{ "_configure", (PyCFunction)(void (*)(void))py_configure, METH_VARARGS | METH_KEYWORDS,
	  "_configure(log=None)\n--\n\nFor objref-chain: append each checkpoint's census to log." },
	{ NULL, NULL, 0, NULL }
};

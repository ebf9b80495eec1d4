/*
 * capture/capture_blocks.c — what the allocator holds, to compare with what
 * a heap walk reaches (objref/unexplained.h): sys.getallocatedblocks(), and,
 * when tracemalloc traces, the live traced blocks and the reached objects
 * grouped by allocation site.  The interpreter's own C functions are called
 * (capture_runtime.c): no Python code of the program, no Lib/tracemalloc.py.
 */
#include <stdio.h>
#include <string.h>
#include "capture_internal.h"

/* Room for "path:line". */
#define SITE_MAX 1024

int objref_capture_allocated_blocks(int64_t *blocks)
{
	objref__pyerr saved;
	const objref__cfunc *f;
	PyObject *v = NULL;
	long long n = -1;

	*blocks = -1;
	objref__pyerr_fetch(&saved);
	if ((f = objref__runtime_allocated_blocks()) && (v = objref__runtime_call(*f, NULL)))
		n = PyLong_Check(v) ? PyLong_AsLongLong(v) : -1;
	Py_XDECREF(v);
	PyErr_Clear();
	objref__pyerr_restore(&saved);
	if (!f || !v)
		return objref__error(OBJREF_EPYTHON, "sys.getallocatedblocks could not be called");
	/* 0: no pymalloc (PYTHONMALLOC=malloc) counts blocks: unknown */
	*blocks = n > 0 ? (int64_t)n : -1;
	return 0;
}

int objref_capture_tracemalloc_start(int nframe)
{
	objref__pyerr saved;
	const objref__runtime *rt;
	PyObject *arg = NULL, *v = NULL;

	if (nframe < 1)
		return objref__error(OBJREF_EINVAL, "tracemalloc needs 1 frame or more, not %d", nframe);
	objref__pyerr_fetch(&saved);
	if ((rt = objref__runtime_tracemalloc_import()) && (arg = PyLong_FromLong(nframe)))
		v = objref__runtime_call(rt->tm_start, arg);
	Py_XDECREF(arg);
	Py_XDECREF(v);
	PyErr_Clear();
	objref__pyerr_restore(&saved);
	return v ? 0 : objref__error(OBJREF_EPYTHON, "tracemalloc could not be started");
}

/* "path:line" of a raw traceback's most recent frame into buf; its
 * length, 0 when the traceback has none. */
static size_t site_of(char *buf, size_t size, PyObject *tb)
{
	PyObject *fr;
	size_t n;

	if (!tb || !PyTuple_Check(tb) || PyTuple_GET_SIZE(tb) < 1)
		return 0;
	fr = PyTuple_GET_ITEM(tb, 0); /* frames, the most recent first */
	if (!PyTuple_Check(fr) || PyTuple_GET_SIZE(fr) != 2 ||
	    !PyUnicode_Check(PyTuple_GET_ITEM(fr, 0)) || !PyLong_Check(PyTuple_GET_ITEM(fr, 1)))
		return 0;
	n = objref__utf8(buf, size, PyTuple_GET_ITEM(fr, 0), 0);
	if (n + 24 >= size)
		return 0;
	return n + (size_t)snprintf(buf + n, size - n, ":%ld", PyLong_AsLong(PyTuple_GET_ITEM(fr, 1)));
}

/* Whether tracemalloc traces now; its runtime in *rt. */
static int tracing_now(const objref__runtime **rt)
{
	PyObject *on;
	int yes;

	if (!(*rt = objref__runtime_tracemalloc()))
		return 0;
	on = objref__runtime_call((*rt)->tm_is_tracing, NULL);
	yes = on == Py_True;
	Py_XDECREF(on);
	PyErr_Clear();
	return yes;
}

/* One trace, (domain, size, traceback[, total_nframe]), into c. */
static int add_trace(objref_census *c, PyObject *t, char *buf)
{
	size_t n;

	if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 3 || !PyLong_Check(PyTuple_GET_ITEM(t, 0)) ||
	    PyLong_AsLong(PyTuple_GET_ITEM(t, 0)) != 0 || !PyLong_Check(PyTuple_GET_ITEM(t, 1)))
		return 0; /* another domain than the interpreter's (0) */
	if (!(n = site_of(buf, SITE_MAX, PyTuple_GET_ITEM(t, 2))))
		return 0;
	return objref_census_add(c, buf, n, 1, (uint64_t)PyLong_AsSize_t(PyTuple_GET_ITEM(t, 1)));
}

int objref_capture_traced_sites(objref_census **out)
{
	const objref__runtime *rt;
	objref__pyerr saved;
	objref_census *c = NULL;
	PyObject *traces = NULL;
	char buf[SITE_MAX];
	int err = 0;

	*out = NULL;
	objref__pyerr_fetch(&saved);
	if (!tracing_now(&rt))
		goto cleanup;
	if (!(traces = objref__runtime_call(rt->tm_traces, NULL)) || !PyList_Check(traces)) {
		err = objref__error(OBJREF_EPYTHON, "tracemalloc's traces could not be read");
		goto cleanup;
	}
	if ((err = objref_census_new(&c)) < 0)
		goto cleanup;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(traces) && !err; i++)
		err = add_trace(c, PyList_GET_ITEM(traces, i), buf);
cleanup:
	Py_XDECREF(traces);
	PyErr_Clear();
	objref__pyerr_restore(&saved);
	if (err)
		objref_census_free(c);
	else
		*out = c;
	return err;
}

typedef struct {
	const objref__runtime *rt;
	objref_census *c;
	char buf[SITE_MAX];
} reached_walk;

static int add_reached(void *obj, void *arg)
{
	reached_walk *w = arg;
	PyObject *tb = objref__runtime_call(w->rt->tm_traceback, (PyObject *)obj);
	size_t n = site_of(w->buf, sizeof(w->buf), tb);
	int err = n ? objref_census_add(w->c, w->buf, n, 1, 0) : 0;

	Py_XDECREF(tb);
	PyErr_Clear();
	return err;
}

int objref_capture_reached_sites(objref_census **out)
{
	objref__pyerr saved;
	reached_walk *w;
	int err = 0;

	*out = NULL;
	if (!(w = objref__calloc(1, sizeof(*w))))
		return OBJREF_ENOMEM;
	objref__pyerr_fetch(&saved);
	if (!tracing_now(&w->rt))
		goto cleanup;
	if ((err = objref_census_new(&w->c)) < 0)
		goto cleanup;
	if ((err = objref_capture_each(add_reached, w, OBJREF_CAPTURE_UNTRACKED)) != 0) {
		objref_census_free(w->c);
		err = err < 0 ? err : OBJREF_ENOMEM;
		goto cleanup;
	}
	*out = w->c;
cleanup:
	PyErr_Clear();
	objref__pyerr_restore(&saved);
	objref__free(w);
	return err;
}

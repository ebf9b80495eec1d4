/*
 * capture/capture_alloc.c — where an object was allocated, when tracemalloc
 * is tracing: read from the _tracemalloc builtin module (its C functions;
 * the tracemalloc Python module is not needed).
 */
#include <string.h>
#include "capture_internal.h"

/* _tracemalloc.<fn>(arg) when _tracemalloc is the builtin; new ref or NULL. */
static PyObject *tm_call(PyObject *mod, const char *fn, PyObject *arg)
{
	PyObject *f = PyObject_GetAttrString(mod, fn), *r = NULL;

	if (f && PyCFunction_Check(f))
		r = arg ? PyObject_CallFunctionObjArgs(f, arg, NULL) : PyObject_CallObject(f, NULL);
	Py_XDECREF(f);
	return r;
}

size_t objref_capture_alloc_site(char *buf, size_t size, void *obj)
{
	objref__session session;
	PyObject *mod, *on = NULL, *tb = NULL;
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	if (objref__session_enter(&session) < 0)
		return 0;
	if ((mod = PyImport_ImportModule("_tracemalloc")) && (on = tm_call(mod, "is_tracing", NULL)) &&
	    on == Py_True && (tb = tm_call(mod, "_get_object_traceback", obj)) && PyTuple_Check(tb) &&
	    PyTuple_GET_SIZE(tb) > 0) {
		/* frames, the most recent first: (filename, lineno) */
		PyObject *fr = PyTuple_GET_ITEM(tb, 0);
		if (PyTuple_Check(fr) && PyTuple_GET_SIZE(fr) == 2 &&
		    PyUnicode_Check(PyTuple_GET_ITEM(fr, 0)) && PyLong_Check(PyTuple_GET_ITEM(fr, 1))) {
			n = objref__utf8(buf, size, PyTuple_GET_ITEM(fr, 0), 0);
			if (n + 24 < size)
				n += (size_t)snprintf(buf + n, size - n, ":%ld",
					PyLong_AsLong(PyTuple_GET_ITEM(fr, 1)));
		}
	}
	Py_XDECREF(tb);
	Py_XDECREF(on);
	Py_XDECREF(mod);
	objref__session_exit(&session);  /* clears what failed */
	return n;
}

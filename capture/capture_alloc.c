/*
 * capture/capture_alloc.c — where an object was allocated, when tracemalloc
 * is tracing: read with the _tracemalloc builtin module's own functions,
 * taken at objref's import (capture_runtime.c); the tracemalloc Python
 * module is not needed and a replaced sys.modules['_tracemalloc'] is not
 * looked at.
 */
#include <string.h>
#include "capture_internal.h"


size_t objref_capture_alloc_site(char *buf, size_t size, void *obj)
{
	objref__session session;
	const objref__runtime *rt;
	PyObject *on = NULL, *tb = NULL;
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	if (objref__session_enter(&session) < 0)
		return 0;
	if ((rt = objref__runtime_tracemalloc()) && (on = objref__runtime_call(rt->tm_is_tracing, NULL)) && on == Py_True &&
	    (tb = objref__runtime_call(rt->tm_traceback, (PyObject *)obj)) && PyTuple_Check(tb) &&
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
	objref__session_exit(&session);  /* clears what failed */
	return n;
}

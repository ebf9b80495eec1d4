/*
 * python/util.c — what every file of the `objref` module shares: its
 * state, the one mapping of objref error codes to exceptions, writing to a
 * Python file, the clock.
 */
#include <time.h>
#include "module.h"

objref_modstate *objref_py_state(PyObject *module)
{
	return (objref_modstate *)PyModule_GetState(module);
}

PyObject *objref_py_error(int code)
{
	const char *msg = objref_error_last();

	if (PyErr_Occurred())
		return NULL;
	PyErr_SetString(code == OBJREF_ENOMEM ? PyExc_MemoryError :
			code == OBJREF_EINVAL ? PyExc_ValueError :
			code == OBJREF_ENOTFOUND ? PyExc_LookupError : PyExc_RuntimeError,
			msg[0] ? msg : "objref failed");
	return NULL;
}

int objref_py_write(PyObject *file, const char *text)
{
	if (!file || file == Py_None) {
		file = PySys_GetObject("stdout"); /* borrowed */
		if (!file || file == Py_None)
			return 0; /* no stdout (pythonw, closed): nothing to print to */
	}
	return PyFile_WriteString(text, file);
}

double objref_py_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

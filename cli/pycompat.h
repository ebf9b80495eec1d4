/*
 * cli/pycompat.h — the few CPython APIs that differ between 3.8 and 3.13,
 * behind one spelling.  Include after <Python.h>.
 */
#ifndef OBJREF_CLI_PYCOMPAT_H
#define OBJREF_CLI_PYCOMPAT_H

#include <Python.h>
#if PY_VERSION_HEX < 0x030B0000
#include <frameobject.h> /* PyFrameObject fields before 3.11 */
#endif

#if PY_VERSION_HEX < 0x030A0000
/* Py_NewRef arrived in 3.10. */
static inline PyObject *chain_newref(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#define Py_NewRef chain_newref
#endif

/* The code object of a frame: a new reference. */
static inline PyCodeObject *chain_frame_code(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x03090000
	return PyFrame_GetCode(f);
#else
	Py_INCREF(f->f_code);
	return f->f_code;
#endif
}

/* The globals of a frame: a new reference. */
static inline PyObject *chain_frame_globals(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
	return PyFrame_GetGlobals(f);
#else
	Py_INCREF(f->f_globals);
	return f->f_globals;
#endif
}

/*
 * A pending exception taken out of the thread state (and normalized), so
 * that Python can be called, and put back later.  Holding it keeps its
 * traceback, and so the frames' locals, alive.
 */
typedef struct {
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *exc;
#else
	PyObject *type, *value, *tb;
#endif
} chain_pyerr;

static inline void chain_pyerr_fetch(chain_pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	e->exc = PyErr_GetRaisedException();
#else
	PyErr_Fetch(&e->type, &e->value, &e->tb);
	if (e->type) {
		PyErr_NormalizeException(&e->type, &e->value, &e->tb);
		if (e->tb && e->value)
			PyException_SetTraceback(e->value, e->tb);
	}
#endif
}

/* Put the exception back (none: nothing happens); e is emptied. */
static inline void chain_pyerr_restore(chain_pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	if (e->exc)
		PyErr_SetRaisedException(e->exc);
	e->exc = NULL;
#else
	if (e->type)
		PyErr_Restore(e->type, e->value, e->tb);
	else {
		Py_XDECREF(e->value);
		Py_XDECREF(e->tb);
	}
	e->type = e->value = e->tb = NULL;
#endif
}

static inline void chain_pyerr_clear(chain_pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	Py_CLEAR(e->exc);
#else
	Py_CLEAR(e->type);
	Py_CLEAR(e->value);
	Py_CLEAR(e->tb);
#endif
}

/* The exception object (borrowed), or NULL if none was pending. */
static inline PyObject *chain_pyerr_value(const chain_pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	return e->exc;
#else
	return e->value ? e->value : e->type;
#endif
}

static inline int chain_pyerr_matches(const chain_pyerr *e, PyObject *type)
{
	PyObject *v = chain_pyerr_value(e);
	return v && PyErr_GivenExceptionMatches(v, type);
}

#endif

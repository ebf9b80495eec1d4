/*
 * capture/pycompat.h — the CPython APIs that differ between 3.8 and 3.13,
 * behind one spelling, for capture and the two faces (python/module.h and
 * cli/pycompat.h may include it instead of their own copies).  Include
 * after <Python.h>; header-only.
 */
#ifndef OBJREF_PYCOMPAT_H
#define OBJREF_PYCOMPAT_H

#include <Python.h>
#if PY_VERSION_HEX < 0x030B0000
#include <frameobject.h> /* PyFrameObject fields before 3.11 */
#endif

/* Py_NewRef arrived in 3.10.  (Defined once even if another header of ours
 * defined it first.) */
#if PY_VERSION_HEX < 0x030A0000 && !defined(Py_NewRef)
static inline PyObject *objref__newref(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#define Py_NewRef objref__newref
#endif

/* The code object of a frame: a new reference. */
static inline PyCodeObject *objref__frame_code(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x03090000
	return PyFrame_GetCode(f);
#else
	Py_INCREF(f->f_code);
	return f->f_code;
#endif
}

/*
 * A pending exception taken out of the thread state, so that the C API can
 * be called, and put back later (CPython's Python/gc.c does the same
 * around finalizers).  Holding it keeps its traceback, and so the frames'
 * locals, alive.  Zero-initialise, or fill with objref__pyerr_fetch.
 */
typedef struct {
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *exc;
#else
	PyObject *type, *value, *tb;
#endif
} objref__pyerr;

/* Take the pending exception (if any) out, as it is: no code runs (an
 * unnormalized exception stays unnormalized). */
static inline void objref__pyerr_fetch(objref__pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	e->exc = PyErr_GetRaisedException();
#else
	PyErr_Fetch(&e->type, &e->value, &e->tb);
#endif
}

/* The same, normalized so that its value can be inspected (before 3.12
 * this may instantiate the exception's class: not for capture, which never
 * runs the program's code; for the faces). */
static inline void objref__pyerr_fetch_normalized(objref__pyerr *e)
{
	objref__pyerr_fetch(e);
#if PY_VERSION_HEX < 0x030C0000
	if (e->type) {
		PyErr_NormalizeException(&e->type, &e->value, &e->tb);
		if (e->tb && e->value)
			PyException_SetTraceback(e->value, e->tb);
	}
#endif
}

/* Put the exception back (none: any pending one is cleared, as the saved
 * state was "no exception"); e is emptied. */
static inline void objref__pyerr_restore(objref__pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	PyErr_SetRaisedException(e->exc);
	e->exc = NULL;
#else
	PyErr_Restore(e->type, e->value, e->tb);
	e->type = e->value = e->tb = NULL;
#endif
}

/* Drop the saved exception; e is emptied. */
static inline void objref__pyerr_clear(objref__pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	Py_CLEAR(e->exc);
#else
	Py_CLEAR(e->type);
	Py_CLEAR(e->value);
	Py_CLEAR(e->tb);
#endif
}

/* The exception object (borrowed), or NULL if none was pending (before
 * 3.12, unless normalized, possibly its type). */
static inline PyObject *objref__pyerr_value(const objref__pyerr *e)
{
#if PY_VERSION_HEX >= 0x030C0000
	return e->exc;
#else
	return e->value ? e->value : e->type;
#endif
}

#endif

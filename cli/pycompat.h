/*
 * cli/pycompat.h — the CPython APIs that differ between 3.8 and 3.13, for
 * objref-chain: capture's one shim (capture/pycompat.h: Py_NewRef, frame
 * code, the pending-exception save and restore) under the names the CLI's
 * files use, plus what only the CLI needs.  Include after <Python.h>.
 */
#ifndef OBJREF_CLI_PYCOMPAT_H
#define OBJREF_CLI_PYCOMPAT_H

#include <Python.h>
#include "../capture/pycompat.h"

/* The code object of a frame: a new reference. */
static inline PyCodeObject *chain_frame_code(PyFrameObject *f)
{
	return objref__frame_code(f);
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
 * A pending exception taken out of the thread state (and normalized, so
 * that its value can be printed), so that Python can be called, and put
 * back later.  Holding it keeps its traceback, and so the frames' locals,
 * alive.
 */
typedef objref__pyerr chain_pyerr;

static inline void chain_pyerr_fetch(chain_pyerr *e)
{
	objref__pyerr_fetch_normalized(e);
}

/* The exception object (borrowed), or NULL if none was pending. */
static inline PyObject *chain_pyerr_value(const chain_pyerr *e)
{
	return objref__pyerr_value(e);
}

/* Put the exception back (none saved: any pending one stays); e is emptied. */
static inline void chain_pyerr_restore(chain_pyerr *e)
{
	if (chain_pyerr_value(e))
		objref__pyerr_restore(e);
	else
		objref__pyerr_clear(e);
}

static inline void chain_pyerr_clear(chain_pyerr *e)
{
	objref__pyerr_clear(e);
}

static inline int chain_pyerr_matches(const chain_pyerr *e, PyObject *type)
{
	PyObject *v = chain_pyerr_value(e);
	return v && PyErr_GivenExceptionMatches(v, type);
}

#endif

/*
 * capture/capture_runtime.c — the interpreter's own functions that capture
 * calls, taken once, when objref is imported, so that nothing the program
 * does later can stand in for them.
 *
 * A program may replace gc.get_objects, gc.isenabled ..., put another
 * object in sys.modules['gc'], or hook builtins.__import__; none of that
 * reaches capture.  The gc and _tracemalloc modules are found in the
 * interpreter's module dict (the real one, even if sys.modules is
 * rebound) with exact-str comparison, imported without builtins.__import__
 * only if absent, and accepted only if their PyModuleDef is the module's
 * own (m_name "gc": only C code can make such a module).  Their functions
 * are then called as C, through the PyModuleDef's method table, so a
 * replacement assigned to the module's attribute is never called (and no
 * object is created for them).  _tracemalloc is taken only when
 * tracemalloc is tracing (asked through its C API), or looked up later.
 *
 * Invariant: once objref__runtime_get has succeeded, every module field is
 * a strong reference (or NULL where said) held until the process ends; the
 * functions are C functions of the interpreter, whose calls run no Python
 * code of the program (audit hooks excepted: CPython raises
 * the "gc.get_objects" audit event on every call of it, 3.8-3.11).
 */
#include <string.h>
#include "capture_internal.h"

static objref__runtime R;
static int ready;

/* The builtin module called name: new reference, or NULL with an
 * exception set.  Imported (without builtins.__import__) when absent and
 * may_import. */
static PyObject *real_module(const char *name, int may_import)
{
	PyObject *m = objref__dict_get_safe(PyImport_GetModuleDict(), name);
	PyModuleDef *def;

	if (m)
		Py_INCREF(m);
	else if (!may_import) {
		PyErr_Format(PyExc_ImportError, "objref: %s is not imported", name);
		return NULL;
	} else if (!(m = PyImport_ImportModuleLevel(name, NULL, NULL, NULL, 0)))
		return NULL;
	if (!PyModule_CheckExact(m) || !(def = PyModule_GetDef(m)) || !def->m_name ||
	    strcmp(def->m_name, name) != 0) {
		PyErr_Clear();
		PyErr_Format(PyExc_ImportError,
			"objref: sys.modules['%s'] is not the interpreter's %s module (the program replaced it "
			"before objref was imported); import objref first", name, name);
		Py_DECREF(m);
		return NULL;
	}
	return m;
}

/* The C entry of function `name` in module m's PyModuleDef; ml NULL with
 * an exception set when there is none. */
static objref__cfunc real_function(PyObject *m, const char *name)
{
	PyModuleDef *def = PyModule_GetDef(m);
	objref__cfunc f = { NULL, m };

	for (PyMethodDef *ml = def ? def->m_methods : NULL; ml && ml->ml_name; ml++)
		if (strcmp(ml->ml_name, name) == 0) {
			f.ml = ml;
			return f;
		}
	PyErr_Format(PyExc_ImportError, "objref: the %s module has no function %s", def ? def->m_name : "?",
		name);
	return f;
}

/* operator.itemgetter, the type of the _operator builtin: new reference or
 * NULL with an exception set. */
static PyObject *real_itemgetter(void)
{
	PyObject *m = real_module("_operator", 1), *t;

	if (!m)
		return NULL;
	t = objref__dict_get_safe(PyModule_GetDict(m), "itemgetter");
	if (!t || !PyType_Check(t) || strcmp(((PyTypeObject *)t)->tp_name, "operator.itemgetter") != 0) {
		Py_DECREF(m);
		PyErr_SetString(PyExc_ImportError, "objref: _operator.itemgetter is not the interpreter's");
		return NULL;
	}
	Py_INCREF(t);
	Py_DECREF(m);
	return t;
}

static int take(objref__cfunc *slot, PyObject *m, const char *name)
{
	*slot = real_function(m, name);
	return slot->ml ? 0 : -1;
}

/* Is tracemalloc tracing?  Asked through its public C API, so the module
 * need not be imported: tracking a block fails with -2 when it is not
 * (the probe block, in a domain of our own, is untracked at once). */
static int tracing(void)
{
	static char probe;
	const unsigned int domain = 0x6f626a72u; /* "objr" */

	if (PyTraceMalloc_Track(domain, (uintptr_t)&probe, 1) != 0)
		return 0;
	PyTraceMalloc_Untrack(domain, (uintptr_t)&probe);
	return 1;
}

/* Take _tracemalloc and its functions into R; import it only if allowed. */
static int take_tracemalloc(int may_import)
{
	PyObject *m = real_module("_tracemalloc", may_import);

	if (!m)
		return -1;
	if (take(&R.tm_is_tracing, m, "is_tracing") < 0 || take(&R.tm_traceback, m, "_get_object_traceback") < 0 ||
	    take(&R.tm_traces, m, "_get_traces") < 0 || take(&R.tm_start, m, "start") < 0) {
		Py_DECREF(m);
		return -1;
	}
	R.tracemalloc = m;
	return 0;
}

const objref__runtime *objref__runtime_get(void)
{
	if (ready)
		return &R;
	memset(&R, 0, sizeof(R));
	if (!(R.gc = real_module("gc", 1)) || take(&R.get_objects, R.gc, "get_objects") < 0 ||
	    take(&R.isenabled, R.gc, "isenabled") < 0 || take(&R.disable, R.gc, "disable") < 0 ||
	    take(&R.enable, R.gc, "enable") < 0 || take(&R.collect, R.gc, "collect") < 0 ||
	    take(&R.get_debug, R.gc, "get_debug") < 0 ||
	    take(&R.get_freeze_count, R.gc, "get_freeze_count") < 0 ||
	    (tracing() && take_tracemalloc(1) < 0) || !(R.itemgetter = real_itemgetter())) {
		Py_CLEAR(R.gc);
		Py_CLEAR(R.tracemalloc);
		Py_CLEAR(R.itemgetter);
		return NULL;
	}
	ready = 1;
	return &R;
}

const objref__runtime *objref__runtime_tracemalloc(void)
{
	const objref__runtime *r = objref__runtime_get();

	if (!r || r->tracemalloc)
		return r && r->tracemalloc ? r : NULL;
	/* imported since objref was (tracemalloc.start() imports it): look,
	 * do not import */
	if (take_tracemalloc(0) < 0) {
		PyErr_Clear();
		return NULL;
	}
	return &R;
}

const objref__runtime *objref__runtime_tracemalloc_import(void)
{
	const objref__runtime *r = objref__runtime_get();

	if (!r || r->tracemalloc)
		return r;
	return take_tracemalloc(1) < 0 ? NULL : &R;
}

const objref__cfunc *objref__runtime_allocated_blocks(void)
{
	static objref__cfunc f;
	PyObject *sys;

	if (f.ml)
		return &f;
	if (!(sys = real_module("sys", 0)))
		return NULL;
	f = real_function(sys, "getallocatedblocks");
	if (!f.ml) {
		Py_DECREF(sys);
		return NULL;
	}
	return &f; /* the module's reference is kept: f.self borrows it */
}

/* f() or f(arg) by the function's calling convention: new reference, or
 * NULL with an exception set. */
PyObject *objref__runtime_call(objref__cfunc f, PyObject *arg)
{
	PyObject *args[1] = { arg }, *tuple, *r;
	Py_ssize_t n = arg ? 1 : 0;

	switch (f.ml->ml_flags & (METH_VARARGS | METH_KEYWORDS | METH_NOARGS | METH_O | METH_FASTCALL)) {
	case METH_NOARGS:
		if (!arg)
			return f.ml->ml_meth(f.self, NULL);
		break;
	case METH_O:
		if (arg)
			return f.ml->ml_meth(f.self, arg);
		break;
	case METH_FASTCALL:
		return ((_PyCFunctionFast)(void (*)(void))f.ml->ml_meth)(f.self, args, n);
	case METH_FASTCALL | METH_KEYWORDS:
		return ((_PyCFunctionFastWithKeywords)(void (*)(void))f.ml->ml_meth)(f.self, args, n, NULL);
	case METH_VARARGS:
	case METH_VARARGS | METH_KEYWORDS:
		if (!(tuple = arg ? PyTuple_Pack(1, arg) : PyTuple_New(0)))
			return NULL;
		r = f.ml->ml_flags & METH_KEYWORDS
			? ((PyCFunctionWithKeywords)(void (*)(void))f.ml->ml_meth)(f.self, tuple, NULL)
			: f.ml->ml_meth(f.self, tuple);
		Py_DECREF(tuple);
		return r;
	}
	PyErr_Format(PyExc_SystemError, "objref: cannot call %s this way", f.ml->ml_name);
	return NULL;
}

int objref_capture_init(void)
{
	return objref__runtime_get() ? 0 : OBJREF_EPYTHON;
}

int objref_capture_gc_collect(long *found)
{
	const objref__runtime *r = objref__runtime_get();
	PyObject *v = r ? objref__runtime_call(r->collect, NULL) : NULL;

	*found = 0;
	if (!v)
		return OBJREF_EPYTHON;
	*found = PyLong_Check(v) ? PyLong_AsLong(v) : 0;
	Py_DECREF(v);
	return 0;
}

void *objref_capture_itemgetter(void)
{
	const objref__runtime *r = objref__runtime_get();

	return r ? r->itemgetter : NULL;
}

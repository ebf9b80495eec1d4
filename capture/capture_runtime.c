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
 * are then made afresh from the PyModuleDef's method table, so a
 * replacement assigned to the module's attribute is never called.
 *
 * Invariant: once objref__runtime_get has succeeded, every field is a
 * strong reference (or NULL where said) held until the process ends; the
 * functions are builtin functions of the interpreter, whose calls from C
 * run no Python code of the program (audit hooks excepted: CPython raises
 * the "gc.get_objects" audit event on every call of it, 3.8-3.11).
 */
#include <string.h>
#include "capture_internal.h"

static objref__runtime R;
static int ready;

/* The builtin module called name: new reference, or NULL with an
 * exception set. */
static PyObject *real_module(const char *name)
{
	PyObject *m = objref__dict_get_safe(PyImport_GetModuleDict(), name);
	PyModuleDef *def;

	if (m)
		Py_INCREF(m);
	else if (!(m = PyImport_ImportModuleLevel(name, NULL, NULL, NULL, 0)))
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

/* A fresh builtin function for method `name` of module m's PyModuleDef:
 * new reference, or NULL with an exception set. */
static PyObject *real_function(PyObject *m, const char *name)
{
	PyModuleDef *def = PyModule_GetDef(m);

	for (PyMethodDef *ml = def ? def->m_methods : NULL; ml && ml->ml_name; ml++)
		if (strcmp(ml->ml_name, name) == 0)
			return PyCFunction_NewEx(ml, m, NULL);
	PyErr_Format(PyExc_ImportError, "objref: the %s module has no function %s", def ? def->m_name : "?",
		name);
	return NULL;
}

/* operator.itemgetter, the type of the _operator builtin: new reference or
 * NULL with an exception set. */
static PyObject *real_itemgetter(void)
{
	PyObject *m = real_module("_operator"), *t;

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

static int take(PyObject **slot, PyObject *m, const char *name)
{
	return (*slot = real_function(m, name)) ? 0 : -1;
}

const objref__runtime *objref__runtime_get(void)
{
	objref__runtime r;

	if (ready)
		return &R;
	memset(&r, 0, sizeof(r));
	if (!(r.gc = real_module("gc")) || take(&r.get_objects, r.gc, "get_objects") < 0 ||
	    take(&r.isenabled, r.gc, "isenabled") < 0 || take(&r.disable, r.gc, "disable") < 0 ||
	    take(&r.enable, r.gc, "enable") < 0 || take(&r.collect, r.gc, "collect") < 0 ||
	    take(&r.get_debug, r.gc, "get_debug") < 0 ||
	    take(&r.get_freeze_count, r.gc, "get_freeze_count") < 0 ||
	    !(r.tracemalloc = real_module("_tracemalloc")) ||
	    take(&r.tm_is_tracing, r.tracemalloc, "is_tracing") < 0 ||
	    take(&r.tm_traceback, r.tracemalloc, "_get_object_traceback") < 0 ||
	    !(r.itemgetter = real_itemgetter())) {
		PyObject **f = (PyObject **)&r;
		for (size_t i = 0; i < sizeof(r) / sizeof(PyObject *); i++)
			Py_XDECREF(f[i]);
		return NULL;
	}
	R = r;
	ready = 1;
	return &R;
}

/* f() for a function of the runtime: new reference, or NULL with an
 * exception set. */
PyObject *objref__runtime_call(PyObject *f, PyObject *arg)
{
	return arg ? PyObject_CallFunctionObjArgs(f, arg, NULL) : PyObject_CallObject(f, NULL);
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

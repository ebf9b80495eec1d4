/*
 * cli/every.c — the --every profile hook (see every.h).
 *
 * The hook runs on every Python call of every thread, so the common case
 * must cost little: compare the code's co_name with FUNC by pointer (names
 * of code objects are interned, as is ours; two distinct interned strings
 * differ).  Only a matching name leads to the module test, which reads the
 * frame's globals with PyDict_Next comparing exact str keys: a lookup
 * (PyDict_GetItem) could call __eq__ of the program's keys, and the hook
 * never runs the program's Python code.
 */
#include <Python.h>
#include <stdio.h>
#include <string.h>
#include "every.h"
#include "pycompat.h"

static struct {
	PyObject *name;      /* interned: the last part of FUNC, for co_name */
	PyObject *qualname;  /* FUNC, for co_qualname (3.11+): handle, Class.method */
	PyObject *module;    /* MODULE */
	PyObject *dunder;    /* interned "__name__" */
	PyObject *main_str;  /* "__main__", when MODULE names the program */
	unsigned long n, calls;
	int active;
	char label[256];     /* "every app:handle" */
	chain_every_cb cb;   /* called with label every n calls */
	void *arg;
} E;

/* a == b for str objects, without running Python code. */
static int str_equal(PyObject *a, PyObject *b)
{
	if (a == b)
		return 1;
	if (!a || !b || !PyUnicode_Check(a) || !PyUnicode_Check(b))
		return 0;
	if (PyUnicode_CHECK_INTERNED(a) && PyUnicode_CHECK_INTERNED(b))
		return 0;
	return PyUnicode_Compare(a, b) == 0;
}

static int code_matches(PyCodeObject *code)
{
	if (!str_equal(code->co_name, E.name))
		return 0;
#if PY_VERSION_HEX >= 0x030B0000
	return str_equal(code->co_qualname, E.qualname);
#else
	return 1; /* no co_qualname: any function or method of that name */
#endif
}

/* globals['__name__'] is MODULE (or __main__ when MODULE is the program). */
static int module_matches(PyObject *globals)
{
	Py_ssize_t pos = 0;
	PyObject *key, *value;

	if (!PyDict_Check(globals))
		return 0;
	while (PyDict_Next(globals, &pos, &key, &value)) {
		if (!PyUnicode_CheckExact(key) || !str_equal(key, E.dunder))
			continue;
		return str_equal(value, E.module) || (E.main_str && str_equal(value, E.main_str));
	}
	return 0;
}

static int frame_matches(PyFrameObject *frame)
{
	PyCodeObject *code = chain_frame_code(frame);
	PyObject *globals;
	int hit = code_matches(code);

	Py_DECREF(code);
	if (!hit)
		return 0;
	globals = chain_frame_globals(frame);
	hit = globals && module_matches(globals);
	Py_XDECREF(globals);
	return hit;
}

static int every_hook(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
	(void)obj;
	(void)arg;
	if (what == PyTrace_CALL && E.active && frame_matches(frame) && ++E.calls % E.n == 0)
		E.cb(E.arg, E.label);
	return 0;
}

/*
 * The profile function threading.setprofile() gives to threads started
 * later: on its first event it puts the C hook in its place (and passes
 * that event on), so each thread pays for a Python-level call only once.
 */
static PyObject *install_in_thread(PyObject *self, PyObject *args)
{
	PyObject *frame, *event, *arg;

	(void)self;
	if (!PyArg_ParseTuple(args, "OOO", &frame, &event, &arg))
		return NULL;
	PyEval_SetProfile(every_hook, NULL);
	if (PyErr_Occurred())
		return NULL;
	if (PyFrame_Check(frame) && PyUnicode_Check(event) &&
	    PyUnicode_CompareWithASCIIString(event, "call") == 0)
		every_hook(NULL, (PyFrameObject *)frame, PyTrace_CALL, arg);
	Py_RETURN_NONE;
}

static PyMethodDef install_def = {
	"_objref_every_profile", install_in_thread, METH_VARARGS,
	"objref-chain --every: installs the C profile hook in a new thread."
};

/* threading.setprofile(install_in_thread) */
static int hook_new_threads(void)
{
	PyObject *threading = PyImport_ImportModule("threading");
	PyObject *fn = threading ? PyCFunction_New(&install_def, NULL) : NULL;
	PyObject *r = fn ? PyObject_CallMethod(threading, "setprofile", "O", fn) : NULL;

	Py_XDECREF(threading);
	Py_XDECREF(fn);
	Py_XDECREF(r);
	return r ? 0 : -1;
}

/* E.name, E.qualname, E.module from the spec. */
static int set_names(const chain_every_spec *spec, const char *main_name)
{
	const char *dot = strrchr(spec->func, '.');

	E.name = PyUnicode_InternFromString(dot ? dot + 1 : spec->func);
	E.qualname = PyUnicode_FromString(spec->func);
	E.module = PyUnicode_FromString(spec->module);
	E.dunder = PyUnicode_InternFromString("__name__");
	if (main_name && strcmp(main_name, spec->module) == 0)
		E.main_str = PyUnicode_InternFromString("__main__");
	return E.name && E.qualname && E.module && E.dunder ? 0 : -1;
}

int chain_every_start(const chain_every_spec *spec, const char *main_name, chain_every_cb cb,
	void *arg)
{
	if (set_names(spec, main_name) < 0)
		return -1;
#if PY_VERSION_HEX < 0x030B0000
	if (strchr(spec->func, '.'))
		fprintf(stderr, "objref-chain: note: before Python 3.11 code objects have no "
			"qualified name: --every counts every function or method '%s' of %s\n",
			PyUnicode_AsUTF8(E.name), spec->module);
#endif
	E.n = spec->n;
	E.cb = cb;
	E.arg = arg;
	snprintf(E.label, sizeof(E.label), "every %s:%s", spec->module, spec->func);
#if PY_VERSION_HEX >= 0x030C0000
	PyEval_SetProfileAllThreads(every_hook, NULL);
#else
	PyEval_SetProfile(every_hook, NULL);
#endif
	if (PyErr_Occurred() || hook_new_threads() < 0)
		return -1;
	E.active = 1;
	return 0;
}

void chain_every_stop(void)
{
	E.active = 0;
}

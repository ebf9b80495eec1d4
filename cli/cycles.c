/*
 * cli/cycles.c — garbage cycles in objref-chain's report (see cycles.h).
 * The analysis is objref._cycles(): one snapshot, no collection.
 */
#include "cycles.h"
#include "pycompat.h"
#include <string.h>
#include <strings.h>
#include <unistd.h>

static PyObject *plain_shape(PyObject *shape);

PyObject *chain_cycles_get(int plain)
{
	PyObject *m = PyImport_ImportModule("objref"), *f = NULL, *r = NULL, *shapes;

	if (m && (f = PyObject_GetAttrString(m, "_cycles")))
		r = PyObject_CallFunction(f, "(i)", CHAIN_CYCLES_SHOWN);
	Py_XDECREF(m);
	Py_XDECREF(f);
	if (r && (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 3 || !PyList_Check(PyTuple_GET_ITEM(r, 1)))) {
		Py_DECREF(r);
		PyErr_SetString(PyExc_TypeError, "objref._cycles() did not return (summary, shapes, text)");
		return NULL;
	}
	shapes = r ? PyTuple_GET_ITEM(r, 1) : NULL;
	for (Py_ssize_t i = 0; plain && shapes && i < PyList_GET_SIZE(shapes); i++) {
		PyObject *d = plain_shape(PyList_GET_ITEM(shapes, i));
		if (!d) {
			Py_CLEAR(r);
			break;
		}
		PyList_SetItem(shapes, i, d);  /* steals d, drops the old dict */
	}
	return r;
}

int chain_cycles_text(objref_buf *b, PyObject *cyc)
{
	const char *text = PyUnicode_AsUTF8(PyTuple_GET_ITEM(cyc, 2));

	if (!text) {
		PyErr_Clear();
		return 0;
	}
	objref_buf_printf(b, "garbage cycles (found without a collection):\n%s", text);
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/* A shape's dict without its live objects. */
static PyObject *plain_shape(PyObject *shape)
{
	static const char *const drop[] = { "example_objects", "culprit", "instances" };
	PyObject *d = PyDict_Copy(shape);

	for (size_t i = 0; d && i < sizeof(drop) / sizeof(drop[0]); i++)
		if (PyDict_GetItemString(d, drop[i]) && PyDict_DelItemString(d, drop[i]) < 0)
			Py_CLEAR(d);
	return d;
}

PyObject *chain_cycles_json(PyObject *cyc)
{
	PyObject *shapes = PyTuple_GET_ITEM(cyc, 1), *list, *res;
	Py_ssize_t n = PyList_Check(shapes) ? PyList_GET_SIZE(shapes) : 0;

	if (!(list = PyList_New(n)))
		return NULL;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *d = plain_shape(PyList_GET_ITEM(shapes, i));
		if (!d) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, d);
	}
	res = Py_BuildValue("{sOsN}", "summary", PyTuple_GET_ITEM(cyc, 0), "shapes", list);
	return res;
}

int chain_cycles_picture(objref_buf *msg, const char *path)
{
	PyObject *m = PyImport_ImportModule("objref"), *f = NULL, *r = NULL;
	const char *ext = strrchr(path, '.');
	int is_dot = ext && !strcasecmp(ext, ".dot");
	char dot_path[4096];

	snprintf(dot_path, sizeof(dot_path), "%.*s.dot", ext ? (int)(ext - path) : (int)strlen(path), path);
	if (m && (f = PyObject_GetAttrString(m, "_draw_cycles")))
		r = PyObject_CallFunction(f, "(snz)", path, (Py_ssize_t)6, is_dot ? NULL : dot_path);
	Py_XDECREF(m);
	Py_XDECREF(f);
	if (!r) {
		PyObject *type, *value, *tb, *text;
		PyErr_Fetch(&type, &value, &tb);
		text = value ? PyObject_Str(value) : NULL;
		objref_buf_printf(msg, "objref-chain: no picture of the cycles '%s': %s%s%s\n", path,
			text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "the drawing failed",
			!is_dot && access(dot_path, F_OK) == 0 ? "; the DOT is in " : "",
			!is_dot && access(dot_path, F_OK) == 0 ? dot_path : "");
		PyErr_Clear();
		Py_XDECREF(text);
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(tb);
		return -1;
	}
	if (is_dot)
		objref_buf_printf(msg, "wrote %s (garbage cycles, %ld shape%s)\n", path, PyLong_AsLong(r),
			PyLong_AsLong(r) == 1 ? "" : "s");
	else
		objref_buf_printf(msg, "wrote %s%s, %s (garbage cycles, %ld shape%s)\n", path,
			!strcasecmp(ext, ".png") ? " (DOT inside)" : "", dot_path, PyLong_AsLong(r),
			PyLong_AsLong(r) == 1 ? "" : "s");
	Py_DECREF(r);
	return 0;
}

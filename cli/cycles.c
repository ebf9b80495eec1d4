/*
 * cli/cycles.c — garbage cycles in objref-chain's report (see cycles.h).
 * The analysis is objref._cycles(): one snapshot, no collection.
 */
#include "cycles.h"
#include "pycompat.h"

static PyObject *plain_shape(PyObject *shape);

PyObject *chain_cycles_get(int plain, int picture)
{
	PyObject *m = PyImport_ImportModule("objref"), *f = NULL, *r = NULL, *shapes;

	if (m && (f = PyObject_GetAttrString(m, "_cycles")))
		r = PyObject_CallFunction(f, "(ii)", CHAIN_CYCLES_SHOWN, picture);
	Py_XDECREF(m);
	Py_XDECREF(f);
	if (r && (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 4 || !PyList_Check(PyTuple_GET_ITEM(r, 1)))) {
		Py_DECREF(r);
		PyErr_SetString(PyExc_TypeError, "objref._cycles() did not return (summary, shapes, text, picture)");
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

/*
 * bench/floor.c — the floor for census timings: a bare C walk of the
 * GC-tracked objects, gathered exactly as objref's capture gathers them,
 * touching each object's type and nothing else.  Benchmark only.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

typedef struct {
	size_t n;
	size_t sum;
} floor_acc;

#if PY_VERSION_HEX >= 0x030C0000
static int visit(PyObject *op, void *arg)
{
	floor_acc *a = arg;
	a->n++;
	a->sum += (size_t)Py_TYPE(op)->tp_basicsize;
	return 1;
}
#endif

static PyObject *floor_walk(PyObject *self, PyObject *unused)
{
	floor_acc a = { 0, 0 };

	(void)self;
	(void)unused;
#if PY_VERSION_HEX >= 0x030C0000
	PyUnstable_GC_VisitObjects(visit, &a);
#else
	PyObject *gc = PyImport_ImportModule("gc"), *list;
	if (!gc)
		return NULL;
	list = PyObject_CallMethod(gc, "get_objects", NULL);
	Py_DECREF(gc);
	if (!list)
		return NULL;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
		a.n++;
		a.sum += (size_t)Py_TYPE(PyList_GET_ITEM(list, i))->tp_basicsize;
	}
	Py_DECREF(list);
#endif
	return Py_BuildValue("(nn)", (Py_ssize_t)a.n, (Py_ssize_t)a.sum);
}

static PyMethodDef floor_methods[] = {
	{ "walk", floor_walk, METH_NOARGS, "walk() -> (objects, sum of basic sizes)" },
	{ NULL, NULL, 0, NULL }
};

static struct PyModuleDef floor_def = {
	PyModuleDef_HEAD_INIT, "objref_floor", "A bare walk of the GC objects.", 0, floor_methods,
	NULL, NULL, NULL, NULL
};

/* Exported by hand: the build hides symbols by default and, before 3.9,
 * PyMODINIT_FUNC does not say so itself. */
__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit_objref_floor(void)
{
	return PyModule_Create(&floor_def);
}

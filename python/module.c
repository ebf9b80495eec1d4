/*
 * python/module.c — the `objref` module's definition: its state, its
 * methods (from the *_api.c files) and its C API capsule (capi.c).
 */
#include "module.h"

/* ---- module definition ------------------------------------------------ */

static int add_methods(PyObject *m, PyMethodDef *defs)
{
	PyObject *name = PyModule_GetNameObject(m);
	int rc = name ? 0 : -1;

	for (PyMethodDef *d = defs; d->ml_name && rc == 0; d++) {
		PyObject *f = PyCFunction_NewEx(d, m, name);
		if (!f || (rc = PyModule_AddObject(m, d->ml_name, f)) < 0) {
			Py_XDECREF(f);
			rc = -1;
		}
	}
	Py_XDECREF(name);
	return rc;
}

static int objref_exec(PyObject *m)
{
	objref_modstate *st = objref_py_state(m);
	PyObject *collections;

	if (objref_capture_init() < 0) /* gc's own functions, before the program can replace them */
		return -1;
	st->t0 = objref_py_now();
	if (objref_series_new(&st->series) < 0) {
		PyErr_NoMemory();
		return -1;
	}
	if (!(st->peak_stats = PyDict_New()) || !(st->new_ids = PyDict_New()))
		return -1;
	if (!(collections = PyImport_ImportModule("collections")))
		return -1;
	st->defaultdict = PyObject_GetAttrString(collections, "defaultdict");
	Py_DECREF(collections);
	if (!st->defaultdict || !(st->snapshot_type = objref_py_snapshot_type_new(m)))
		return -1;
	if (add_methods(m, objref_census_methods) < 0 || add_methods(m, objref_series_methods) < 0 ||
	    add_methods(m, objref_chains_methods) < 0 || add_methods(m, objref_pictures_methods) < 0)
		return -1;
	if (add_methods(m, objref_cycles_methods) < 0 || add_methods(m, objref_dominators_methods) < 0 ||
	    add_methods(m, objref_html_methods) < 0 || add_methods(m, objref_report_methods) < 0 ||
	    objref_py_dump_init(m) < 0)
		return -1;
	if (PyModule_AddObject(m, "Snapshot", Py_NewRef(st->snapshot_type)) < 0) {
		Py_DECREF(st->snapshot_type);
		return -1;
	}
	if (objref_py_capi_add(m, st) < 0)
		return -1;
	return PyModule_AddStringConstant(m, "__version__", objref_version());
}

static int objref_traverse(PyObject *m, visitproc visit, void *arg)
{
	objref_modstate *st = objref_py_state(m);

	if (st) {
		Py_VISIT(st->peak_stats);
		Py_VISIT(st->new_ids);
		Py_VISIT(st->defaultdict);
		Py_VISIT(st->snapshot_type);
	}
	return 0;
}

static int objref_clear(PyObject *m)
{
	objref_modstate *st = objref_py_state(m);

	if (st) {
		Py_CLEAR(st->peak_stats);
		Py_CLEAR(st->new_ids);
		Py_CLEAR(st->defaultdict);
		Py_CLEAR(st->snapshot_type);
	}
	return 0;
}

static void objref_free_state(void *m)
{
	objref_modstate *st = objref_py_state((PyObject *)m);

	objref_clear((PyObject *)m);
	if (st) {
		objref_series_free(st->series);
		st->series = NULL;
		PyMem_Free(st->log_path);
		st->log_path = NULL;
		PyMem_Free(st->first_addrs);
		st->first_addrs = NULL;
		objref_new_ids_free(st->ids_table);
		st->ids_table = NULL;
		objref_py_forget_survivors(st);
	}
}

static PyModuleDef_Slot objref_slots[] = {
	{ Py_mod_exec, (void *)objref_exec },
	{ 0, NULL }
};

PyDoc_STRVAR(objref_doc,
"objref: find what leaks in a Python process and who holds it.\n\n"
"objgraph-compatible names (import objref as objgraph): count, typestats,\n"
"most_common_types, show_most_common_types, growth, show_growth, by_type,\n"
"at, at_addrs, get_new_ids.  They count what gc.get_objects() sees, as\n"
"objgraph does, and what gc.freeze() hides from it; pass untracked=True\n"
"to also count the str, int, float, bytes and atomic tuples and dicts the\n"
"collector does not track.\n\n"
"New: checkpoint(), growing_types(), show_growing_types(), snapshot().");

static struct PyModuleDef objref_def = {
	PyModuleDef_HEAD_INIT, "objref", objref_doc, sizeof(objref_modstate), NULL,
	objref_slots, objref_traverse, objref_clear, objref_free_state
};

/* Visible although symbols are hidden by default: before 3.9,
 * PyMODINIT_FUNC does not say so itself. */
__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit_objref(void)
{
	return PyModuleDef_Init(&objref_def);
}

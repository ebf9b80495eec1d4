/*
 * lib/capture_hidden.c — references that tp_traverse does not report but
 * capture can name from public struct fields ("hidden edges"):
 *
 *   static type   __dict__ (per interpreter for builtin types from 3.12),
 *                 __mro__, __bases__, and before 3.12 its subclass table:
 *                 static types are never traversed;
 *   heap type     __name__, __qualname__, __slots__, its subclass table
 *                 (type_traverse shows the rest);
 *   code object   co_consts, co_names, co_filename, co_name and the other
 *                 object fields: code objects are not traversed;
 *   module        its PyModuleDef's m_copy (the dict a single-phase
 *                 extension module is re-created from).
 *
 * A target outside the snapshot is looked through when it is a tuple or a
 * code object (a constant nobody else holds still holds its items), so a
 * code object's nested constants reach the snapshot too.  Iterative.
 */
#include "capture_internal.h"

static int push_work(objref__hidden *h, PyObject *op)
{
	if (objref__grow((void **)&h->work, &h->work_cap, h->nwork + 1, sizeof(PyObject *)) < 0)
		return OBJREF_ENOMEM;
	h->work[h->nwork++] = op;
	return 0;
}

static int hidden_of_code(objref__hidden *h, PyCodeObject *co);

/* Pass target t to fn if it is in the snapshot; else look through it. */
static int target(objref__hidden *h, PyObject *t)
{
	uint32_t id = t ? objref__objset_find(h->objs, t) : OBJREF_NO_ID;

	if (id != OBJREF_NO_ID)
		return h->fn(h->arg, id);
	if (t && PyCode_Check(t))  /* its fields are never code objects: one call deep */
		return hidden_of_code(h, (PyCodeObject *)t);
	return t && PyTuple_CheckExact(t) ? push_work(h, t) : 0;
}

static int hidden_of_type(objref__hidden *h, PyTypeObject *tp)
{
	int err = 0;

	if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
		PyHeapTypeObject *ht = (PyHeapTypeObject *)tp;
		err = err ? err : target(h, ht->ht_name);
		err = err ? err : target(h, ht->ht_qualname);
		err = err ? err : target(h, ht->ht_slots);
		return err ? err : target(h, (PyObject *)tp->tp_subclasses);
	}
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *d = PyType_GetDict(tp);
	err = target(h, d);
	Py_XDECREF(d);  /* the interpreter (or the type) holds it */
#else
	err = target(h, tp->tp_dict);
	err = err ? err : target(h, (PyObject *)tp->tp_subclasses);
#endif
	err = err ? err : target(h, tp->tp_mro);
	return err ? err : target(h, tp->tp_bases);
}

static int hidden_of_code(objref__hidden *h, PyCodeObject *co)
{
	PyObject *fields[] = {
		co->co_consts, co->co_names, co->co_filename, co->co_name,
#if PY_VERSION_HEX >= 0x030B0000
		co->co_qualname, co->co_localsplusnames, co->co_localspluskinds, co->co_linetable,
		co->co_exceptiontable,
#else
		co->co_code, co->co_varnames, co->co_freevars, co->co_cellvars,
#if PY_VERSION_HEX >= 0x030A0000
		co->co_linetable,
#else
		co->co_lnotab,
#endif
#endif
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !err; i++)
		err = target(h, fields[i]);
	return err;
}

int objref__hidden_refs(objref__hidden *h, PyObject *op, uint32_t flags)
{
	int err = 0;

	if (flags & OBJREF_F_TYPE) {
		err = hidden_of_type(h, (PyTypeObject *)op);
	} else if (flags & OBJREF_F_CODE) {
		err = hidden_of_code(h, (PyCodeObject *)op);
	} else if (flags & OBJREF_F_MODULE) {
		PyModuleDef *def = PyModule_GetDef(op);
		err = def ? target(h, def->m_base.m_copy) : 0;
	}
	while (!err && h->nwork) {
		PyObject *t = h->work[--h->nwork];
		for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t) && !err; i++)
			err = target(h, PyTuple_GET_ITEM(t, i));
	}
	h->nwork = 0;
	return err;
}

void objref__hidden_dispose(objref__hidden *h)
{
	objref__free(h->work);
	h->work = NULL;
	h->nwork = h->work_cap = 0;
}

/*
 * capture/capture_hidden.c — references that tp_traverse does not report but
 * capture can name from public struct fields, added to the snapshot as
 * labelled edges ("hidden references"):
 *
 *   static type   __dict__ (per interpreter for builtin types from 3.12),
 *                 .__mro__, .__bases__, and before 3.12 its subclass table
 *                 (.__subclasses__): static types are never traversed;
 *   heap type     .__name__, .__qualname__, .__slots__, .__subclasses__
 *                 (type_traverse shows the rest);
 *   code object   .co_consts, .co_names, .co_filename, .co_name and its
 *                 other object fields: code objects are not traversed;
 *   module        .m_copy: the dict a single-phase extension module is
 *                 re-created from (its PyModuleDef's m_base.m_copy).
 *
 * With a reach function (capture_chain.c's search: no builder, no object
 * set) a tracked target is passed to it instead, and an untracked one
 * looked through.
 *
 * A target is linked if the snapshot has it, or added if it is tracked (a
 * frozen tuple, say: the walk then visits it).  An untracked target
 * outside the snapshot is looked through when it is a tuple or a code
 * object (a constant nobody else holds still holds its items): its items
 * are linked under the field that led to them.  Iterative.
 */
#include <string.h>
#include "capture_internal.h"

static int push_work(objref__hidden *h, PyObject *op, const char *field)
{
	if (objref__grow((void **)&h->work, &h->work_cap, h->nwork + 1, sizeof(*h->work)) < 0)
		return OBJREF_ENOMEM;
	h->work[h->nwork].op = op;
	h->work[h->nwork++].field = field;
	return 0;
}

/* The label of a field, interned once per capture. */
static int field_label(objref_label *out, objref__hidden *h, const char *field)
{
	size_t i = 0;
	objref_str s;
	int err;

	while (i < h->nlabels && h->labels[i].field != field)
		i++;
	if (i == h->nlabels) {
		if (i == sizeof(h->labels) / sizeof(h->labels[0]))
			return objref__error(OBJREF_EINVAL, "too many hidden fields");
		if (strcmp(field, "__dict__") == 0)
			h->labels[i].label = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT);
		else if ((err = objref_builder_string(&s, h->b, field, strlen(field))) < 0)
			return err;
		else
			h->labels[i].label = OBJREF_LABEL(OBJREF_LABEL_ATTR, s);
		h->labels[i].field = field;
		h->nlabels++;
	}
	*out = h->labels[i].label;
	return 0;
}

static int hidden_of_code(objref__hidden *h, PyCodeObject *co);

/* Link target t (see the top of the file). */
static int target(objref__hidden *h, PyObject *t, const char *field)
{
	objref_label label = 0;
	int err;

	if (!t)
		return 0;
	if (h->reach && objref__is_tracked(t))
		return h->reach(h->reach_arg, t);
	if (!h->reach && (objref__is_tracked(t) || objref__markset_has(h->seen, t)))
		return (err = field_label(&label, h, field)) < 0 ? err :
			h->link(h->link_arg, h->src, t, label);
	if (PyCode_Check(t))  /* its fields are never code objects: one call deep */
		return hidden_of_code(h, (PyCodeObject *)t);
	return PyTuple_CheckExact(t) ? push_work(h, t, field) : 0;
}

static int hidden_of_type(objref__hidden *h, PyTypeObject *tp)
{
	int err = 0;

	if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
		PyHeapTypeObject *ht = (PyHeapTypeObject *)tp;
		err = err ? err : target(h, ht->ht_name, "__name__");
		err = err ? err : target(h, ht->ht_qualname, "__qualname__");
		err = err ? err : target(h, ht->ht_slots, "__slots__");
		return err ? err : target(h, (PyObject *)tp->tp_subclasses, "__subclasses__");
	}
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *d = PyType_GetDict(tp);
	err = target(h, d, "__dict__");
	Py_XDECREF(d);  /* the interpreter (or the type) holds it */
#else
	err = target(h, tp->tp_dict, "__dict__");
	err = err ? err : target(h, (PyObject *)tp->tp_subclasses, "__subclasses__");
#endif
	err = err ? err : target(h, tp->tp_mro, "__mro__");
	return err ? err : target(h, tp->tp_bases, "__bases__");
}

#define FIELD(name) { co->name, #name }

static int hidden_of_code(objref__hidden *h, PyCodeObject *co)
{
	const struct { PyObject *op; const char *name; } fields[] = {
		FIELD(co_consts), FIELD(co_names), FIELD(co_filename), FIELD(co_name),
#if PY_VERSION_HEX >= 0x030B0000
		FIELD(co_qualname), FIELD(co_localsplusnames), FIELD(co_localspluskinds),
		FIELD(co_linetable), FIELD(co_exceptiontable),
#else
		FIELD(co_code), FIELD(co_varnames), FIELD(co_freevars), FIELD(co_cellvars),
#if PY_VERSION_HEX >= 0x030A0000
		FIELD(co_linetable),
#else
		FIELD(co_lnotab),
#endif
#endif
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !err; i++)
		err = target(h, fields[i].op, fields[i].name);
	return err;
}

int objref__hidden_edges(objref__hidden *h, objref_id id, PyObject *op, uint32_t flags)
{
	int err = 0;

	h->src = id;
	if (flags & OBJREF_F_TYPE) {
		err = hidden_of_type(h, (PyTypeObject *)op);
	} else if (flags & OBJREF_F_CODE) {
		err = hidden_of_code(h, (PyCodeObject *)op);
	} else if (flags & OBJREF_F_MODULE) {
		PyModuleDef *def = PyModule_GetDef(op);
		err = def ? target(h, def->m_base.m_copy, "m_copy") : 0;
	}
	while (!err && h->nwork) {
		PyObject *t = h->work[--h->nwork].op;
		const char *field = h->work[h->nwork].field;
		for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t) && !err; i++)
			err = target(h, PyTuple_GET_ITEM(t, i), field);
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

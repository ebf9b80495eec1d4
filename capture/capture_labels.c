/*
 * capture/capture_labels.c — what a reference of the snapshot is called.
 *
 * Types: each type seen gets its members' offsets and labels (T_OBJECT
 * members over the MRO, "__dict__" as the instance dict), read once.
 * Hints: for the object being walked, (object, label) pairs read from
 * fields we can name — items, dict entries, members and slots, __dict__,
 * a function's, type's, frame's, exception's or method's fields.  Each
 * reference traversal reports takes the label of its next unused hint
 * (matching by object, indexed when there are many), else the role it can
 * only have (the class, a set item, a property's name), else from 3.11
 * the name of the inline attribute that holds it (capture_inline.c).
 * Labels never add or drop a reference: edges are traversal's.
 */
#include <string.h>
#include "capture_walk.h"

/* ---- types ------------------------------------------------------------ */

static int intern(objref_str *out, objref__walk *w, const char *s)
{
	return objref_builder_string(out, w->b, s, strlen(s));
}

/* ---- types ------------------------------------------------------------ */

static int add_members(objref__walk *w, objref__type_info *ti, PyTypeObject *base)
{
	for (PyMemberDef *m = base->tp_members; m && m->name; m++) {
		objref_str s;
		int err;
		objref_label label;
		if (m->type != OBJREF__T_OBJECT && m->type != OBJREF__T_OBJECT_EX)
			continue;
		if (strcmp(m->name, "__dict__") == 0) {
			label = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT);
		} else if ((err = intern(&s, w, m->name)) < 0) {
			return err;
		} else {
			label = OBJREF_LABEL(OBJREF_LABEL_ATTR, s);
		}
		Py_ssize_t *o = objref__realloc(ti->offsets, (ti->nmembers + 1) * sizeof(*o));
		if (!o)
			return OBJREF_ENOMEM;
		ti->offsets = o;
		objref_label *l = objref__realloc(ti->labels, (ti->nmembers + 1) * sizeof(*l));
		if (!l)
			return OBJREF_ENOMEM;
		ti->labels = l;
		ti->offsets[ti->nmembers] = m->offset;
		ti->labels[ti->nmembers++] = label;
	}
	return 0;
}

static int new_type(objref__walk *w, objref__type_info *ti, PyTypeObject *tp)
{
	char name[256], mod[256], qual[256];
	PyObject *mro = tp->tp_mro;
	int err;

	memset(ti, 0, sizeof(*ti));
	objref__type_names(tp, name, sizeof(name), mod, sizeof(mod), qual, sizeof(qual));
	objref__size_class_of(&ti->size, tp);
	ti->by_len = objref__described_by_len(tp);
	if ((err = objref_builder_type(&ti->id, w->b, (uint64_t)(uintptr_t)tp, mod, name, qual)) < 0)
		return err;
	objref_builder_type_at(w->b, ti->id)->flags = objref__type_flags(tp, mod);
	if (!mro || !PyTuple_Check(mro))
		return add_members(w, ti, tp);
	for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro) && !err; i++)
		if (PyType_Check(PyTuple_GET_ITEM(mro, i)))
			err = add_members(w, ti, (PyTypeObject *)PyTuple_GET_ITEM(mro, i));
	return err;
}

objref__type_info *objref__walk_type_of(objref__walk *w, PyObject *op)
{
	int added;
	uint32_t id = objref__objset_add(&w->types, (PyObject *)Py_TYPE(op), &added);

	if (id == OBJREF_NO_ID)
		return NULL;
	if (added) {
		if (objref__grow((void **)&w->tinfo, &w->tinfo_cap, id + 1, sizeof(objref__type_info)) < 0 ||
		    new_type(w, &w->tinfo[id], Py_TYPE(op)) < 0) {
			w->types.n--; /* not usable; the capture fails */
			return NULL;
		}
	}
	return &w->tinfo[id];
}

void objref__walk_dispose_types(objref__walk *w)
{
	for (size_t i = 0; i < w->types.n; i++) {
		objref__free(w->tinfo[i].offsets);
		objref__free(w->tinfo[i].labels);
	}
	objref__free(w->tinfo);
	objref__objset_dispose(&w->types);
}

/* ---- hints ------------------------------------------------------------ */

static int hint_add(objref__walk *w, PyObject *obj, objref_label label)
{
	if (!obj)
		return 0;
	if (objref__grow((void **)&w->hints, &w->hints_cap, w->nhints + 1, sizeof(objref__hint)) < 0)
		return OBJREF_ENOMEM;
	w->hints[w->nhints++] = (objref__hint){ obj, label, 0 };
	return 0;
}

static int hint_attr(objref__walk *w, PyObject *obj, const char *name)
{
	objref_str s;
	int err;

	if (!obj)
		return 0;
	return (err = intern(&s, w, name)) < 0 ? err : hint_add(w, obj, OBJREF_LABEL(OBJREF_LABEL_ATTR, s));
}

static objref_label index_label(Py_ssize_t i)
{
	return OBJREF_LABEL(OBJREF_LABEL_INDEX, (uint64_t)i < OBJREF_LABEL_PAYLOAD_MAX ? (uint32_t)i
		: OBJREF_LABEL_PAYLOAD_MAX);
}

/* The free variables' names of a code object, read from its fields: from
 * 3.11 the last co_nfreevars of co_localsplusnames (PyCode_GetFreevars
 * would build a tuple, and from 3.12 cache it in the code object: a new
 * object in the observed heap, left behind by every capture that named a
 * closure).  Borrowed; *first: the index of the first free variable. */
static PyObject *free_names(PyCodeObject *co, Py_ssize_t *first)
{
#if PY_VERSION_HEX >= 0x030B0000
	PyObject *names = co->co_localsplusnames;

	if (!names || !PyTuple_Check(names) || co->co_nfreevars > PyTuple_GET_SIZE(names))
		return NULL;
	*first = PyTuple_GET_SIZE(names) - co->co_nfreevars;
	return names;
#else
	*first = 0;
	return co->co_freevars && PyTuple_Check(co->co_freevars) ? co->co_freevars : NULL;
#endif
}

/* A closure tuple's items are cells of the free variables, by name. */
static int hint_sequence(objref__walk *w, PyObject *op)
{
	uint32_t cid = PyTuple_Check(op) ? objref__objset_find(&w->closures, op) : OBJREF_NO_ID;
	PyObject *names = NULL;
	Py_ssize_t n = PyTuple_Check(op) ? PyTuple_GET_SIZE(op) : PyList_GET_SIZE(op), first = 0;
	int err = 0;

	if (cid != OBJREF_NO_ID)
		names = free_names((PyCodeObject *)w->closure_code[cid], &first);
	for (Py_ssize_t i = 0; i < n && !err; i++) {
		PyObject *item = PyTuple_Check(op) ? PyTuple_GET_ITEM(op, i) : PyList_GET_ITEM(op, i);
		objref_str s;
		if (names && first + i < PyTuple_GET_SIZE(names)) {
			objref__utf8(w->text, sizeof(w->text), PyTuple_GET_ITEM(names, first + i), 0);
			if (!(err = intern(&s, w, w->text)))
				err = hint_add(w, item, OBJREF_LABEL(OBJREF_LABEL_CELL, s));
		} else {
			err = hint_add(w, item, index_label(i));
		}
	}
	return err;
}

static int hint_dict(objref__walk *w, PyObject *op)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	int err = 0;

	while (!err && PyDict_Next(op, &pos, &k, &v)) {
		objref_str s;
		objref__render_key(w->text, sizeof(w->text), k);
		if (!(err = intern(&s, w, w->text)) &&
		    !(err = hint_add(w, v, OBJREF_LABEL(OBJREF_LABEL_KEY, s))))
			err = hint_add(w, k, OBJREF_LABEL(OBJREF_LABEL_DICTKEY, 0));
	}
	return err;
}

static int hint_function(objref__walk *w, PyFunctionObject *f)
{
	int err = 0;

	err = err ? err : hint_attr(w, f->func_code, "__code__");
	err = err ? err : hint_attr(w, f->func_globals, "__globals__");
	err = err ? err : hint_attr(w, f->func_defaults, "__defaults__");
	err = err ? err : hint_attr(w, f->func_kwdefaults, "__kwdefaults__");
	err = err ? err : hint_attr(w, f->func_closure, "__closure__");
	err = err ? err : hint_attr(w, f->func_name, "__name__");
	err = err ? err : hint_attr(w, f->func_qualname, "__qualname__");
	err = err ? err : hint_attr(w, f->func_annotations, "__annotations__");
#if PY_VERSION_HEX >= 0x030C0000
	err = err ? err : hint_attr(w, f->func_typeparams, "__type_params__");
#endif
	err = err ? err : hint_add(w, f->func_dict, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT));
	return err;
}

static int hint_type(objref__walk *w, PyTypeObject *tp)
{
	int err = hint_add(w, tp->tp_dict, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT));

	err = err ? err : hint_attr(w, tp->tp_mro, "__mro__");
	err = err ? err : hint_attr(w, tp->tp_bases, "__bases__");
	err = err ? err : hint_attr(w, (PyObject *)tp->tp_base, "__base__");
	if (!err && (tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
		PyHeapTypeObject *ht = (PyHeapTypeObject *)tp;
		err = err ? err : hint_attr(w, ht->ht_name, "__name__");
		err = err ? err : hint_attr(w, ht->ht_qualname, "__qualname__");
		err = err ? err : hint_attr(w, ht->ht_slots, "__slots__");
	}
	return err;
}

/* Locals of a frame, by name: the frame's layout is public before 3.11. */
static int hint_frame(objref__walk *w, PyFrameObject *f)
{
	int err = 0;
#if PY_VERSION_HEX < 0x030B0000
	PyCodeObject *co = f->f_code;
	PyObject *groups[3] = { co->co_varnames, co->co_cellvars, co->co_freevars };
	Py_ssize_t at = 0;

	err = err ? err : hint_attr(w, (PyObject *)f->f_back, "f_back");
	err = err ? err : hint_attr(w, (PyObject *)f->f_code, "f_code");
	err = err ? err : hint_attr(w, f->f_globals, "f_globals");
	err = err ? err : hint_attr(w, f->f_builtins, "f_builtins");
	err = err ? err : hint_attr(w, f->f_locals, "f_locals");
	for (int g = 0; g < 3 && !err; g++) {
		Py_ssize_t n = g == 0 ? co->co_nlocals : PyTuple_GET_SIZE(groups[g]);
		for (Py_ssize_t i = 0; i < n && !err; i++, at++) {
			objref_str s;
			if (!f->f_localsplus[at] || i >= PyTuple_GET_SIZE(groups[g]))
				continue;
			objref__utf8(w->text, sizeof(w->text), PyTuple_GET_ITEM(groups[g], i), 0);
			if (!(err = intern(&s, w, w->text)))
				err = hint_add(w, f->f_localsplus[at], OBJREF_LABEL(OBJREF_LABEL_LOCAL, s));
		}
	}
#else
	(void)w;
	(void)f;
#endif
	return err;
}

/* References the collector shows that have a name but no member entry:
 * an exception's, a traceback's, a bound method's, a builtin function's. */
static int hint_named(objref__walk *w, PyObject *op)
{
	int err = 0;

	if (PyExceptionInstance_Check(op)) {
		PyBaseExceptionObject *e = (PyBaseExceptionObject *)op;
		err = err ? err : hint_attr(w, e->traceback, "__traceback__");
		err = err ? err : hint_attr(w, e->context, "__context__");
		err = err ? err : hint_attr(w, e->cause, "__cause__");
		err = err ? err : hint_attr(w, e->args, "args");
		err = err ? err : hint_add(w, e->dict, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT));
	} else if (PyTraceBack_Check(op)) {
		PyTracebackObject *tb = (PyTracebackObject *)op;
		err = err ? err : hint_attr(w, (PyObject *)tb->tb_next, "tb_next");
		err = err ? err : hint_attr(w, (PyObject *)tb->tb_frame, "tb_frame");
	} else if (PyMethod_Check(op)) {
		err = err ? err : hint_attr(w, PyMethod_GET_FUNCTION(op), "__func__");
		err = err ? err : hint_attr(w, PyMethod_GET_SELF(op), "__self__");
	} else if (PyCFunction_Check(op)) {
		PyCFunctionObject *f = (PyCFunctionObject *)op;
		err = err ? err : hint_attr(w, f->m_self, "__self__");
		err = err ? err : hint_attr(w, f->m_module, "__module__");
	}
	return err;
}

/* Where op keeps its instance dict pointer, or NULL: at tp_dictoffset, or
 * before 3.12 counted from the end of a variable-size object when negative
 * (an int or bytes subclass: enum members of IntEnum), as the interpreter
 * computes it.  From 3.11 a managed dict is not reached this way. */
static PyObject **dict_slot(PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);
	Py_ssize_t off = tp->tp_dictoffset;

	if (off > 0)
		return (PyObject **)((char *)op + off);
#if PY_VERSION_HEX < 0x030C0000
#ifdef Py_TPFLAGS_MANAGED_DICT
	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT)
		return NULL;
#endif
	if (off < 0) {
		Py_ssize_t n = Py_SIZE(op) < 0 ? -Py_SIZE(op) : Py_SIZE(op);
		size_t size = (size_t)(tp->tp_basicsize + n * tp->tp_itemsize);
		size = (size + SIZEOF_VOID_P - 1) & ~(size_t)(SIZEOF_VOID_P - 1);
		return (PyObject **)((char *)op + (Py_ssize_t)size + off);
	}
#endif
	return NULL;
}

/* Every hint for op, from its type's members and its kind. */
int objref__walk_collect_hints(objref__walk *w, PyObject *op, const objref__type_info *ti)
{
	PyObject **dictp;
	int err = 0;

	w->nhints = 0;
	for (size_t i = 0; i < ti->nmembers && !err; i++)
		err = hint_add(w, *(PyObject **)((char *)op + ti->offsets[i]), ti->labels[i]);
	if (!err && (dictp = dict_slot(op)))
		err = hint_add(w, *dictp, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT));
	if (err)
		return err;
	if (PyTuple_Check(op) || PyList_Check(op))
		return hint_sequence(w, op);
	if (PyDict_Check(op))
		return hint_dict(w, op);
	if (PyFunction_Check(op))
		return hint_function(w, (PyFunctionObject *)op);
	if (PyType_Check(op))
		return hint_type(w, (PyTypeObject *)op);
	if (PyModule_Check(op))
		return hint_add(w, PyModule_GetDict(op), OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT));
	if (PyCell_Check(op))
		return hint_attr(w, PyCell_GET(op), "cell_contents");
	if (PyFrame_Check(op))
		return hint_frame(w, (PyFrameObject *)op);
	return hint_named(w, op);
}

#define HINT_INDEX_MIN 16

static size_t hint_slot(const objref__walk *w, PyObject *t)
{
	size_t mask = w->hslots_cap - 1, h = objref__hash64((uint64_t)(uintptr_t)t) & mask;

	while (w->hslots[h] && w->hints[w->hslots[h] - 1].obj != t)
		h = (h + 1) & mask;
	return h;
}

/* With many hints (big containers of a subclass), index them by object so
 * matching stays linear whatever order traversal visits them in. */
int objref__walk_index_hints(objref__walk *w)
{
	size_t cap = 64;

	if (w->nhints < HINT_INDEX_MIN)
		return 0;
	while (cap < w->nhints * 2)
		cap *= 2;
	if (cap > w->hslots_cap) {
		objref__free(w->hslots);
		w->hslots_cap = 0;
		if (!(w->hslots = objref__malloc(cap * sizeof(uint32_t))))
			return OBJREF_ENOMEM;
	}
	w->hslots_cap = cap;
	memset(w->hslots, 0, cap * sizeof(uint32_t));
	if (objref__grow((void **)&w->hnext, &w->hnext_cap, w->nhints, sizeof(uint32_t)) < 0)
		return OBJREF_ENOMEM;
	for (size_t j = w->nhints; j-- > 0;) {  /* chains in hint order */
		size_t h = hint_slot(w, w->hints[j].obj);
		w->hnext[j] = w->hslots[h];
		w->hslots[h] = (uint32_t)j + 1;
	}
	return 0;
}

/* The first unused hint for t, or -1; marks it used. */
static long take_hint(objref__walk *w, PyObject *t)
{
	if (w->nhints >= HINT_INDEX_MIN) {
		size_t h = hint_slot(w, t);
		uint32_t j = w->hslots[h];
		if (!j)
			return -1;
		w->hslots[h] = w->hnext[j - 1] ? w->hnext[j - 1] : j; /* keep the key while chains last */
		if (w->hints[j - 1].used)
			return -1;
		w->hints[j - 1].used = 1;
		return (long)j - 1;
	}
	for (size_t j = 0; j < w->nhints; j++)
		if (!w->hints[j].used && w->hints[j].obj == t) {
			w->hints[j].used = 1;
			return (long)j;
		}
	return -1;
}

/* The label of traversed reference t: its next unused hint, else the role
 * it can only have. */
static objref_label match_hint(objref__walk *w, PyObject *op, PyObject *t)
{
	long j = take_hint(w, t);

	if (j >= 0)
		return w->hints[j].label;
	if (t == (PyObject *)Py_TYPE(op))
		return OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_CLASS);
	if (PyAnySet_Check(op))
		return OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_SET_ITEM);
	/* a property's name (3.10+, set by __set_name__): every other field
	 * is a member */
	if (Py_TYPE(op) == &PyProperty_Type && PyUnicode_CheckExact(t))
		return w->name_label;
#ifdef Py_TPFLAGS_MANAGED_DICT
	if (Py_TYPE(op)->tp_flags & Py_TPFLAGS_MANAGED_DICT)
		return OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
#endif
	return OBJREF_LABEL(OBJREF_LABEL_NONE, 0);
}

/* The labels of the traversed references of op: hints, roles, and from
 * 3.11 the names of its inline attributes. */
int objref__walk_label_targets(objref__walk *w, PyObject *op)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	const objref_label cls = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_CLASS);
	size_t nunnamed = 0, nclass = 0;
	int err;

	if (objref__grow((void **)&w->labels, &w->labels_cap, w->ntargets, sizeof(objref_label)) < 0)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < w->ntargets; i++) {
		w->labels[i] = match_hint(w, op, w->targets[i]);
		nunnamed += w->labels[i] == unnamed;
		nclass += w->labels[i] == cls;
	}
	if (!nunnamed || w->no_lookups)
		return 0;
	/* The class seen more than once: one is __class__, the others may be
	 * attributes (an enum member's __objclass__) */
	for (size_t i = 0; nclass > 1 && i < w->ntargets; i++)
		if (w->labels[i] == cls && nclass-- > 1)
			w->labels[i] = unnamed;
	err = objref__inline_name(&w->inl, op, w->targets, w->labels, w->ntargets);
	for (size_t i = 0; i < w->ntargets; i++)
		if (w->labels[i] == unnamed && w->targets[i] == (PyObject *)Py_TYPE(op))
			w->labels[i] = cls;
	return err;
}

/* Closure tuples, so their items can be named after the free variables:
 * of the functions among objects from .. to-1 (none for a snapshot of
 * references only, which names nothing). */
int objref__walk_find_closures(objref__walk *w, size_t from, size_t to)
{
	for (size_t i = from; i < to && !w->refs_only; i++) {
		PyObject *op = w->objs.objs[i], *cl;
		int added;
		uint32_t cid;
		if (i + 16 < to)  /* its type: a miss each, the objects far apart */
			objref__prefetch(w->objs.objs[i + 16]);
		if (!PyFunction_Check(op) || !(cl = ((PyFunctionObject *)op)->func_closure))
			continue;
		if ((cid = objref__objset_add(&w->closures, cl, &added)) == OBJREF_NO_ID ||
		    objref__grow((void **)&w->closure_code, &w->closure_cap, cid + 1, sizeof(PyObject *)) < 0)
			return OBJREF_ENOMEM;
		w->closure_code[cid] = ((PyFunctionObject *)op)->func_code;
	}
	return 0;
}


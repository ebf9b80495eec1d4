/*
 * capture/capture_walk.c — the full snapshot of a live heap.
 *
 * Objects get ids in discovery order: first the tracked objects (as the
 * collector lists them), then the seeds of the roots (capture_roots.c:
 * frame locals, modules), then the others as references reach them.
 * Object i is processed when the loop reaches i, so its edges are added in
 * increasing source order and the builder needs no sort.
 *
 * Edges are exactly the references tp_traverse reports, plus dict keys
 * (which a dict of str keys does not traverse), plus the references of
 * types, code objects and modules that traversal hides (capture_hidden.c).
 * Labels come from "hints":
 * (object, label) pairs read from fields we can name — items, dict entries,
 * members and slots, __dict__, a function's or frame's fields.  A traversed
 * reference that matches an unused hint takes its label; the others stay
 * unlabelled.  So labels never add or drop a reference.
 */
#include <string.h>
#include "capture_internal.h"
#include "objref/census.h"

typedef struct {
	PyObject *obj;
	objref_label label;
	int used;
} hint;

typedef struct {
	objref_type_id id;
	objref__size_class size; /* how its instances are sized, worked out once */
	size_t nmembers;
	Py_ssize_t *offsets;  /* T_OBJECT / T_OBJECT_EX members over the MRO */
	objref_label *labels;
} type_info;

typedef struct {
	objref_builder *b;
	objref__objset objs;      /* every object; id == builder id */
	size_t ntracked;          /* ids below: listed by the collector (each holds a
				   * reference from `keep` before 3.12); the permanent
				   * generation it left out follows the roots' seeds */
	int refcnt_bias;          /* 1 when capture holds each listed tracked object */
	int tracked_only;         /* no OBJREF_CAPTURE_UNTRACKED: leave untracked objects out */
	objref__objset untracked_seeds; /* tracked_only: the untracked objects the roots
				   * seeded, the only ones edges may reach */
	int no_lookups;           /* OBJREF__CAPTURE_NO_LOOKUPS: inline attributes unnamed */
	int refs_only;            /* OBJREF_CAPTURE_REFS_ONLY: no descriptions, no labels */
	objref__objset types;
	type_info *tinfo;
	size_t tinfo_cap;
	objref__objset closures;  /* closure tuples of functions */
	PyObject **closure_code;  /* their function's code, by closure id */
	size_t closure_cap;
	hint *hints;
	size_t nhints, hints_cap;
	uint32_t *hslots;         /* many hints: object -> first unused hint + 1 */
	uint32_t *hnext;          /* next hint of the same object + 1 */
	size_t hslots_cap, hnext_cap;
	PyObject **targets;
	size_t ntargets, targets_cap;
	objref_label *labels;     /* of targets */
	size_t labels_cap;
	objref__inline inl;       /* inline attributes' names (capture_inline.c) */
	objref_label name_label;  /* .__name__, interned once */
	objref__hidden hidden;    /* references traversal hides (capture_hidden.c) */
	char text[512];
} walk;

/* How far ahead the walk asks for memory it will probe: enough to overlap
 * a few cache misses, few enough to stay in the cache until used. */
#define PREFETCH_AHEAD 8

static int intern(objref_str *out, walk *w, const char *s)
{
	return objref_builder_string(out, w->b, s, strlen(s));
}

/* ---- types ------------------------------------------------------------ */

static int add_members(walk *w, type_info *ti, PyTypeObject *base)
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

static int new_type(walk *w, type_info *ti, PyTypeObject *tp)
{
	char name[256], mod[256], qual[256];
	PyObject *mro = tp->tp_mro;
	int err;

	memset(ti, 0, sizeof(*ti));
	objref__type_names(tp, name, sizeof(name), mod, sizeof(mod), qual, sizeof(qual));
	objref__size_class_of(&ti->size, tp);
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

static type_info *type_of(walk *w, PyObject *op)
{
	int added;
	uint32_t id = objref__objset_add(&w->types, (PyObject *)Py_TYPE(op), &added);

	if (id == OBJREF_NO_ID)
		return NULL;
	if (added) {
		if (objref__grow((void **)&w->tinfo, &w->tinfo_cap, id + 1, sizeof(type_info)) < 0 ||
		    new_type(w, &w->tinfo[id], Py_TYPE(op)) < 0) {
			w->types.n--; /* not usable; the capture fails */
			return NULL;
		}
	}
	return &w->tinfo[id];
}

static void dispose_types(walk *w)
{
	for (size_t i = 0; i < w->types.n; i++) {
		objref__free(w->tinfo[i].offsets);
		objref__free(w->tinfo[i].labels);
	}
	objref__free(w->tinfo);
	objref__objset_dispose(&w->types);
}

/* ---- hints ------------------------------------------------------------ */

static int hint_add(walk *w, PyObject *obj, objref_label label)
{
	if (!obj)
		return 0;
	if (objref__grow((void **)&w->hints, &w->hints_cap, w->nhints + 1, sizeof(hint)) < 0)
		return OBJREF_ENOMEM;
	w->hints[w->nhints++] = (hint){ obj, label, 0 };
	return 0;
}

static int hint_attr(walk *w, PyObject *obj, const char *name)
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
static int hint_sequence(walk *w, PyObject *op)
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

static int hint_dict(walk *w, PyObject *op)
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

static int hint_function(walk *w, PyFunctionObject *f)
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

static int hint_type(walk *w, PyTypeObject *tp)
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
static int hint_frame(walk *w, PyFrameObject *f)
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
static int hint_named(walk *w, PyObject *op)
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
static int collect_hints(walk *w, PyObject *op, const type_info *ti)
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

/* ---- edges ------------------------------------------------------------ */

static int collect_target(PyObject *t, void *arg)
{
	walk *w = arg;

	if (!t || !objref__is_live(t))
		return 0;
	if (objref__grow((void **)&w->targets, &w->targets_cap, w->ntargets + 1, sizeof(PyObject *)) < 0)
		return -1;
	w->targets[w->ntargets++] = t;
	return 0;
}

#define HINT_INDEX_MIN 16

static size_t hint_slot(const walk *w, PyObject *t)
{
	size_t mask = w->hslots_cap - 1, h = objref__hash64((uint64_t)(uintptr_t)t) & mask;

	while (w->hslots[h] && w->hints[w->hslots[h] - 1].obj != t)
		h = (h + 1) & mask;
	return h;
}

/* With many hints (big containers of a subclass), index them by object so
 * matching stays linear whatever order traversal visits them in. */
static int index_hints(walk *w)
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
static long take_hint(walk *w, PyObject *t)
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
static objref_label match_hint(walk *w, PyObject *op, PyObject *t)
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

static int add_edge(walk *w, objref_id src, PyObject *t, objref_label label)
{
	int added;
	uint32_t dst;

	/* Without OBJREF_CAPTURE_UNTRACKED the walk stays among the tracked
	 * objects (and the roots' seeds): no chain to a tracked object passes
	 * through an untracked one, which holds only atoms. */
	if (w->tracked_only && !objref__is_tracked(t) &&
	    (!w->untracked_seeds.n || objref__objset_find(&w->untracked_seeds, t) == OBJREF_NO_ID))
		return 0;
	dst = objref__objset_add(&w->objs, t, &added);
	return dst == OBJREF_NO_ID ? OBJREF_ENOMEM : objref_builder_edge(w->b, src, dst, label);
}

/* The labels of the traversed references of op: hints, roles, and from
 * 3.11 the names of its inline attributes. */
static int label_targets(walk *w, PyObject *op)
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

/* The targets gathered, as edges from id, their labels given or none. */
static int add_targets(walk *w, objref_id id, const objref_label *labels)
{
	int err = 0;

	for (size_t i = 0; i < w->ntargets && i < PREFETCH_AHEAD; i++)
		objref__objset_prefetch(&w->objs, w->targets[i]);
	for (size_t i = 0; i < w->ntargets && !err; i++) {
		if (i + PREFETCH_AHEAD < w->ntargets)
			objref__objset_prefetch(&w->objs, w->targets[i + PREFETCH_AHEAD]);
		err = add_edge(w, id, w->targets[i], labels ? labels[i] : OBJREF_LABEL(OBJREF_LABEL_NONE, 0));
	}
	return err;
}

/* OBJREF_CAPTURE_REFS_ONLY: the references traversal tells (and a dict's
 * keys, with untracked objects), unlabelled. */
static int emit_refs(walk *w, objref_id id, PyObject *op)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;

	w->ntargets = 0;
	if (trav && PyObject_IS_GC(op) && trav(op, collect_target, w) < 0)
		return OBJREF_ENOMEM;
	if (!w->tracked_only && objref__walk_dict_keys(op)) {
		Py_ssize_t pos = 0;
		PyObject *k, *v;
		while (PyDict_Next(op, &pos, &k, &v))
			if (collect_target(k, w) < 0)
				return OBJREF_ENOMEM;
	}
	return add_targets(w, id, NULL);
}

static int emit_edges(walk *w, objref_id id, PyObject *op, const type_info *ti)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;
	int err;

	if (w->refs_only)
		return emit_refs(w, id, op);
	if ((err = collect_hints(w, op, ti)) < 0)
		return err;
	/* Exact lists, tuples and dicts reference their items and nothing else
	 * (keys included, which dicts of str keys do not traverse). */
	if (PyList_CheckExact(op) || PyTuple_CheckExact(op) || PyDict_CheckExact(op)) {
		for (size_t j = 0; j < w->nhints && j < PREFETCH_AHEAD; j++)
			objref__objset_prefetch(&w->objs, w->hints[j].obj);
		for (size_t j = 0; j < w->nhints && !err; j++) {
			if (j + PREFETCH_AHEAD < w->nhints)
				objref__objset_prefetch(&w->objs, w->hints[j + PREFETCH_AHEAD].obj);
			err = add_edge(w, id, w->hints[j].obj, w->hints[j].label);
		}
		return err;
	}
	if ((err = index_hints(w)) < 0)
		return err;
	w->ntargets = 0;
	if (trav && PyObject_IS_GC(op) && trav(op, collect_target, w) < 0)
		return OBJREF_ENOMEM;
	if ((err = label_targets(w, op)) < 0 || (err = add_targets(w, id, w->labels)) < 0)
		return err;
	/* Dict keys are references even where traversal skips them. */
	for (size_t j = 0; j < w->nhints && !err; j++)
		if (!w->hints[j].used && OBJREF_LABEL_KIND(w->hints[j].label) == OBJREF_LABEL_DICTKEY)
			err = add_edge(w, id, w->hints[j].obj, w->hints[j].label);
	return err;
}

/* ---- objects ---------------------------------------------------------- */

static int add_object(walk *w, objref_id id)
{
	PyObject *op = w->objs.objs[id];
	type_info *ti = type_of(w, op);
	objref_object o = { .addr = (uint64_t)(uintptr_t)op };
	Py_ssize_t rc = Py_REFCNT(op) - (id < w->ntracked ? w->refcnt_bias : 0);
	objref_id got;
	size_t n;
	int err;

	if (!ti)
		return OBJREF_ENOMEM;
	o.type = ti->id;
	o.refcnt = rc < 0 ? 0 : (uint64_t)rc > UINT32_MAX ? UINT32_MAX : (uint32_t)rc;
	o.flags = objref__object_flags(op);
	o.size = objref__sizeof_class(op, &ti->size, &o.flags);
	if (!w->refs_only && (n = objref__describe(w->text, sizeof(w->text), op)) &&
	    (err = objref_builder_string(&o.desc, w->b, w->text, n)) < 0)
		return err;
	if ((err = objref_builder_object(&got, w->b, &o)) < 0 || (err = emit_edges(w, id, op, ti)) < 0)
		return err;
	return objref__hidden_edges(&w->hidden, id, op, o.flags);
}

/* Closure tuples, so their items can be named after the free variables:
 * of the functions among objects from .. to-1 (none for a snapshot of
 * references only, which names nothing). */
static int find_closures(walk *w, size_t from, size_t to)
{
	for (size_t i = from; i < to && !w->refs_only; i++) {
		PyObject *op = w->objs.objs[i], *cl;
		int added;
		uint32_t cid;
		if (!PyFunction_Check(op) || !(cl = ((PyFunctionObject *)op)->func_closure))
			continue;
		if ((cid = objref__objset_add(&w->closures, cl, &added)) == OBJREF_NO_ID ||
		    objref__grow((void **)&w->closure_code, &w->closure_cap, cid + 1, sizeof(PyObject *)) < 0)
			return OBJREF_ENOMEM;
		w->closure_code[cid] = ((PyFunctionObject *)op)->func_code;
	}
	return 0;
}

static void walk_dispose(walk *w)
{
	objref_builder_free(w->b);
	objref__objset_dispose(&w->objs);
	objref__objset_dispose(&w->closures);
	objref__objset_dispose(&w->untracked_seeds);
	objref__free(w->closure_code);
	objref__free(w->hints);
	objref__free(w->hslots);
	objref__free(w->hnext);
	objref__free(w->targets);
	objref__free(w->labels);
	objref__inline_dispose(&w->inl);
	objref__hidden_dispose(&w->hidden);
	dispose_types(w);
}

/* Out of memory: say what was being captured and how large the heap was
 * (the allocator's own message only names a size). */
static int walk_nomem(const walk *w, size_t listed)
{
	const objref_id *src, *dst;
	size_t nedges = 0;
	int sorted;
	char last[160];

	if (w->b)
		objref_builder_edges(&src, &dst, &nedges, &sorted, w->b);
	snprintf(last, sizeof(last), "%s", objref_error_last());
	return objref__error(OBJREF_ENOMEM, "out of memory taking a snapshot of the heap of %zu objects "
		"tracked by the collector, after %zu objects and %zu references (%s)", listed,
		w->objs.n, nedges, last);
}

/* The objects of the permanent generation the collector's listing left
 * out (capture_frozen.c), listed again now, after the roots' seeds (those
 * among them keep their ids). */
static int add_frozen(walk *w, objref__tracked *tracked)
{
	size_t from = w->objs.n;
	int err, added;

	if ((err = objref__tracked_frozen_again(tracked)) < 0)
		return err;
	for (size_t i = tracked->nlisted; i < tracked->n; i++)
		if (objref__objset_add(&w->objs, tracked->items[i], &added) == OBJREF_NO_ID)
			return OBJREF_ENOMEM;
	return find_closures(w, from, w->objs.n);
}

/* Without untracked objects, the few the roots seeded (a frame's
 * untracked locals ...) in a set of their own: an edge to an untracked
 * object is looked up there, not in the set of every object. */
static int index_untracked_seeds(walk *w)
{
	int added;

	for (size_t i = w->ntracked; w->tracked_only && i < w->objs.n; i++)
		if (!objref__is_tracked(w->objs.objs[i]) &&
		    objref__objset_add(&w->untracked_seeds, w->objs.objs[i], &added) == OBJREF_NO_ID)
			return OBJREF_ENOMEM;
	return 0;
}

/* Objects a capture of ntracked tracked objects will likely hold. */
static size_t expected_objects(size_t ntracked, int tracked_only)
{
	return tracked_only ? ntracked + 1024 : ntracked * 3 + 1024;
}

/* The snapshot; with pin, also a new reference to every object by id,
 * taken inside the walk while each is certainly alive. */
static int capture(objref_snapshot **out, PyObject ***pin, unsigned flags)
{
	objref__session session;
	objref__tracked tracked;
	objref__roots *roots = NULL;
	objref_str name;
	walk w;
	size_t room;
	int err;

	*out = NULL;
	if (pin)
		*pin = NULL;
	memset(&w, 0, sizeof(w));
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	memset(&tracked, 0, sizeof(tracked));
	if ((err = objref_builder_new(&w.b)) < 0 || (err = objref__gather_tracked(&tracked)) < 0)
		goto cleanup;
	objref__tracked_check_frozen(&tracked);
	w.hidden.b = w.b;
	w.inl.b = w.b;
	if ((err = intern(&name, &w, "__name__")) < 0)
		goto cleanup;
	w.name_label = OBJREF_LABEL(OBJREF_LABEL_ATTR, name);
	w.hidden.objs = &w.objs;
	w.refcnt_bias = tracked.keep || tracked.held ? 1 : 0;
	w.tracked_only = !(flags & OBJREF_CAPTURE_UNTRACKED);
	w.no_lookups = !!(flags & OBJREF__CAPTURE_NO_LOOKUPS);
	w.refs_only = !!(flags & OBJREF_CAPTURE_REFS_ONLY);
	/* The object set sized once: the tracked objects index into it as they
	 * are copied, and the untracked ones a heap usually holds (one to two
	 * per tracked object) fit without a rehash. */
	room = expected_objects(tracked.n, w.tracked_only);
	if ((err = objref__objset_reserve(&w.objs, room)) < 0 ||
	    (err = objref_builder_reserve(w.b, room, room * 2)) < 0)
		goto cleanup;
	if (tracked.nlisted) /* nothing listed: items may be NULL */
		memcpy(w.objs.objs, tracked.items, tracked.nlisted * sizeof(PyObject *));
	w.objs.n = w.ntracked = tracked.nlisted;
	if ((err = objref__objset_index(&w.objs)) < 0 || (err = find_closures(&w, 0, w.ntracked)) < 0 ||
	    (err = objref__roots_gather(&roots, &w.objs)) < 0)  /* seeds: frames, modules */
		goto cleanup;
	/* The permanent generation after the seeds: gathering them may have
	 * freed some of it (3.11's f_locals refresh), so it is listed again. */
	if ((err = add_frozen(&w, &tracked)) < 0 || (err = index_untracked_seeds(&w)) < 0)
		goto cleanup;
	objref__roots_gc_enabled(roots, session.gc_was_enabled > 0);
	objref__roots_frozen_listed(roots, tracked.frozen == OBJREF__FROZEN_WALKED);
	for (size_t i = 0; i < w.objs.n && !err; i++) {
		if (i + PREFETCH_AHEAD < w.objs.n)  /* its header: refcount, type */
			objref__prefetch(w.objs.objs[i + PREFETCH_AHEAD]);
		err = add_object(&w, (objref_id)i);
	}
	if (!err)
		err = objref__roots_record(roots, w.b, &w.objs, w.ntracked);
	if (!err && pin) {
		/* the references held to the listed objects become pins */
		size_t held = tracked.held ? w.ntracked : 0;

		if (!(*pin = objref__malloc(OBJREF__MAX(w.objs.n, 1) * sizeof(PyObject *))))
			err = OBJREF_ENOMEM;
		if (!err && held) {
			memcpy(*pin, w.objs.objs, held * sizeof(PyObject *));
			tracked.held = 0;
		}
		for (size_t i = held; !err && i < w.objs.n; i++)
			(*pin)[i] = Py_NewRef(w.objs.objs[i]);
	}
	if (!err) {
		err = objref_builder_finish(out, w.b);
		w.b = NULL;
	}
#ifndef NDEBUG
	/* Debug builds (and the sanitizer build) check every capture. */
	if (!err && (err = objref_snapshot_validate(*out)) < 0) {
		objref_snapshot_free(*out);
		*out = NULL;
	}
#endif
cleanup:
	if (err == OBJREF_ENOMEM)
		err = walk_nomem(&w, tracked.n);
	if (err && pin && *pin) {
		/* the snapshot failed after pinning: nothing may stay held */
		for (size_t i = 0; i < w.objs.n; i++)
			Py_DECREF((*pin)[i]);
		objref__free(*pin);
		*pin = NULL;
	}
	objref__roots_free(roots);
	objref__tracked_dispose(&tracked);
	walk_dispose(&w);
	objref__session_exit(&session);
	return err;
}

int objref_capture_snapshot(objref_snapshot **out, unsigned flags)
{
	return capture(out, NULL, flags);
}

int objref_capture_snapshot_pinned(objref_snapshot **out, void ***objs, size_t *n, unsigned flags)
{
	PyObject **pin = NULL;
	int err = capture(out, &pin, flags);

	*objs = (void **)pin;
	*n = err ? 0 : objref_snapshot_nobjects(*out);
	return err;
}

/*
 * capture/capture_inline.c — the names of inline attributes in a full
 * snapshot (3.11+).
 *
 * From 3.11 an instance without a dict object keeps its attributes as
 * "inline values" whose names only the type's private shared keys know;
 * tp_traverse shows the values, in the order of those keys, skipping the
 * missing ones.  Asking for obj.__dict__ would make a dict and change the
 * object, so the walk learns the names per type instead:
 *
 *   - names learned so far are kept in the order traversal showed their
 *     values; an instance's unnamed references are matched against them in
 *     that order, each confirmed by reading the attribute with the generic
 *     lookup (the value must be the very object traversal showed);
 *   - a reference no learned name accounts for sends a few instances of the
 *     type through the names of the class's own code, and one through the
 *     names of every module's code (an attribute set by another module, a
 *     factory's `obj.manager = self`), within a budget per snapshot;
 *   - a materialized __dict__ (the only unnamed reference, an exact dict
 *     whose entries are the instance's attributes) is labelled __dict__.
 *
 * Every label is confirmed on its own instance, so a wrong order only
 * costs lookups.  A name is read only if no class of the MRO defines it as
 * a descriptor (then the generic lookup reads the instance's value and
 * runs nothing); __getattr__ and __getattribute__ overrides are bypassed.
 * Names are exact str only: the generic lookup of any other name would
 * make the instance's dict from its inline values.
 * Missing attributes make the lookup raise (cleared at once) before 3.13;
 * from 3.13 PyObject_GetOptionalAttr reports them without an exception.
 */
#include <string.h>
#include "capture_internal.h"

/* Instances of one type searched with the class's code names; with every
 * module's code names; reads of those names in one snapshot (about a
 * microsecond each when the name is missing: the lookup raises). */
#define DISCOVER_MAX 8
#define POOL_SEARCHES_MAX 1
#define CAND_PROBES_MAX (1u << 19)
#define POOL_PROBES_MAX (1u << 18)
#define REORDER_MAX 4  /* times a type's names are put in traversal order */

struct objref__inline_type {
	PyObject **names;        /* learned names, strong; in traversal order */
	PyObject **cls;          /* their class defaults (borrowed) or NULL */
	objref_label *labels;
	size_t n, cap;
	PyObject **cands;        /* the class's code names not learned, strong */
	size_t ncands, cands_cap;
	int cands_done;
	unsigned searched;       /* instances searched with cands */
	unsigned pooled;         /* instances searched with the pool */
	unsigned reordered;      /* times the names were put in traversal order */
};

#define UNPROBED ((PyObject *)1)  /* vals[j]: not read yet on this instance */

/* ---- reading an attribute without running code ------------------------- */

/* May obj.name be read with the generic lookup, for instances of tp?  Only
 * if no class of the MRO defines name as a descriptor; a plain class
 * attribute (a default value) is fine, the instance's own value wins, and
 * is then *cls (borrowed; else NULL). */
static int class_value(PyTypeObject *tp, PyObject *name, PyObject **cls)
{
	PyObject *mro = tp->tp_mro;

	*cls = NULL;
	for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); i++) {
		PyObject *base = PyTuple_GET_ITEM(mro, i), *d, *v;
		if (!PyType_Check(base) || !(d = objref__type_dict((PyTypeObject *)base)))
			continue;
		/* the lookup the generic getattr itself does first */
		v = PyDict_GetItemWithError(d, name);
		Py_DECREF(d);
		if (v) {  /* the first class defining it decides */
			*cls = v;
			return !Py_TYPE(v)->tp_descr_get && !Py_TYPE(v)->tp_descr_set;
		}
		if (PyErr_Occurred()) {
			PyErr_Clear();
			return 0;
		}
	}
	return 1;
}

static int probe_safe(PyTypeObject *tp, PyObject *name)
{
	PyObject *cls;

	return class_value(tp, name, &cls);
}

/* The instance's own value of attribute name: new reference or NULL.
 * cls: the class's default for it (the lookup's answer when the instance
 * has none), taken for absent: an instance holding the very same object
 * cannot be told from one without the attribute. */
static PyObject *probe(PyObject *obj, PyObject *name, PyObject *cls)
{
	PyObject *v;

#if PY_VERSION_HEX >= 0x030D0000
	if (Py_TYPE(obj)->tp_getattro == PyObject_GenericGetAttr) {
		v = NULL;
		if (PyObject_GetOptionalAttr(obj, name, &v) < 0)
			PyErr_Clear();
	} else
#endif
	if (!(v = PyObject_GenericGetAttr(obj, name)))
		PyErr_Clear();
	if (v && v == cls) {
		Py_DECREF(v);
		v = NULL;
	}
	return v;
}

/* ---- per type ------------------------------------------------------------ */

static objref__inline_type *type_of(objref__inline *in, PyTypeObject *tp)
{
	int added;
	uint32_t id = objref__objset_add(&in->types, (PyObject *)tp, &added);

	if (id == OBJREF_NO_ID)
		return NULL;
	if (added) {
		if (objref__grow((void **)&in->tinfo, &in->tinfo_cap, id + 1,
			sizeof(objref__inline_type)) < 0) {
			in->types.n--;
			return NULL;
		}
		memset(&in->tinfo[id], 0, sizeof(objref__inline_type));
	}
	return &in->tinfo[id];
}

static int known(const objref__inline_type *t, PyObject *name)
{
	for (size_t j = 0; j < t->n; j++)
		if (t->names[j] == name ||
		    (PyUnicode_GET_LENGTH(t->names[j]) == PyUnicode_GET_LENGTH(name) &&
		     PyUnicode_Compare(t->names[j], name) == 0))
			return 1;
	return 0;
}

/* Room for n names in the per-instance scratch. */
static int grow_scratch(objref__inline *in, size_t n)
{
	size_t cap = in->vals_cap;

	if (objref__grow((void **)&in->vals, &in->vals_cap, n, sizeof(PyObject *)) < 0)
		return OBJREF_ENOMEM;
	return objref__grow((void **)&in->used, &cap, n, 1);
}

/* Append name (its value on the instance being named: v; its class
 * default: cls) to t's names. */
static int learn(objref__inline *in, objref__inline_type *t, PyObject *name, PyObject *cls,
	PyObject *v)
{
	char text[256];
	size_t len = objref__utf8(text, sizeof(text), name, 0);
	objref_str s;
	int err;

	size_t cap = t->cap, cap2 = t->cap;

	if (objref__grow((void **)&t->names, &t->cap, t->n + 1, sizeof(PyObject *)) < 0 ||
	    objref__grow((void **)&t->labels, &cap, t->n + 1, sizeof(objref_label)) < 0 ||
	    objref__grow((void **)&t->cls, &cap2, t->n + 1, sizeof(PyObject *)) < 0 ||
	    grow_scratch(in, t->n + 1) < 0)
		return OBJREF_ENOMEM;
	if ((err = objref_builder_string(&s, in->b, text, len)) < 0)
		return err;
	Py_INCREF(name);
	t->names[t->n] = name;
	t->cls[t->n] = cls;
	t->labels[t->n] = OBJREF_LABEL(OBJREF_LABEL_ATTR, s);
	in->used[t->n] = 0;
	in->vals[t->n++] = v;
	return 0;
}

typedef struct {
	objref__names names;  /* first: the walker's callback gets it */
	objref__inline_type *t;
	PyTypeObject *tp;
	int failed;
} cand_walk;

static int add_cand(objref__names *n, PyObject *name)
{
	cand_walk *c = (cand_walk *)n;
	objref__inline_type *t = c->t;

	if (!probe_safe(c->tp, name))
		return 0;
	if (objref__grow((void **)&t->cands, &t->cands_cap, t->ncands + 1, sizeof(PyObject *)) < 0) {
		c->failed = 1;
		return 1;
	}
	Py_INCREF(name);
	t->cands[t->ncands++] = name;
	return 0;
}

/* The names of the class's code that may be read, once per type. */
static int class_cands(objref__inline_type *t, PyTypeObject *tp)
{
	cand_walk c;

	if (t->cands_done)
		return 0;
	t->cands_done = 1;
	memset(&c, 0, sizeof(c));
	c.names.each = add_cand;
	c.t = t;
	c.tp = tp;
	objref__names_of_class(&c.names, tp);
	objref__names_dispose(&c.names);
	return c.failed || c.names.failed ? OBJREF_ENOMEM : 0;
}

typedef struct {
	objref__names names;
	objref__inline *in;
	int failed;
} pool_walk;

static int add_pool(objref__names *n, PyObject *name)
{
	pool_walk *p = (pool_walk *)n;
	objref__inline *in = p->in;

	if (objref__grow((void **)&in->pool, &in->pool_cap, in->npool + 1, sizeof(PyObject *)) < 0) {
		p->failed = 1;
		return 1;
	}
	Py_INCREF(name);
	in->pool[in->npool++] = name;
	return 0;
}

/* Every module's code names, once per snapshot. */
static int module_pool(objref__inline *in)
{
	pool_walk p;

	if (in->pool_done)
		return 0;
	in->pool_done = 1;
	memset(&p, 0, sizeof(p));
	p.names.each = add_pool;
	p.in = in;
	objref__names_of_modules(&p.names);
	objref__names_dispose(&p.names);
	return p.failed || p.names.failed ? OBJREF_ENOMEM : 0;
}

/* ---- types whose search of every module's code found nothing ---------
 *
 * That search may read up to POOL_PROBES_MAX names a snapshot, and a
 * process takes many (a service's checkpoints, a test suite's): a type
 * whose search found no name is not searched again while the modules are
 * the same (their number unchanged), for the life of the process.  The
 * type is known by its address and version tag; a ring of the last few
 * hundred such types. */

typedef struct {
	const PyTypeObject *tp;
	unsigned int tag;
	Py_ssize_t modules;
} fruitless;

#define FRUITLESS_MAX 512
static fruitless fruitless_types[FRUITLESS_MAX];
static size_t fruitless_next;

static Py_ssize_t modules_now(void)
{
	PyObject *m = PyImport_GetModuleDict();
	return m && PyDict_Check(m) ? PyDict_Size(m) : -1;
}

static int was_fruitless(const PyTypeObject *tp)
{
	Py_ssize_t modules = modules_now();

	for (size_t i = 0; i < FRUITLESS_MAX; i++)
		if (fruitless_types[i].tp == tp && fruitless_types[i].tag == tp->tp_version_tag &&
		    fruitless_types[i].modules == modules)
			return 1;
	return 0;
}

static void remember_fruitless(const PyTypeObject *tp)
{
	fruitless *f = &fruitless_types[fruitless_next++ % FRUITLESS_MAX];

	f->tp = tp;
	f->tag = tp->tp_version_tag;
	f->modules = modules_now();
}

/* ---- per instance -------------------------------------------------------- */

/* Read the names of list[0..n) that t does not know on obj and learn those
 * present, until one is found for each of the nu unnamed references (by
 * value, targets[in->unnamed[0..nu)]) or *spent reaches max reads. */
static int search(objref__inline *in, objref__inline_type *t, PyObject *obj, PyObject **list,
	size_t n, PyObject **targets, size_t nu, size_t *spent, size_t max)
{
	size_t want = nu;
	int err = 0;

	for (size_t k = 0; k < n && want && *spent < max && !err; k++) {
		PyObject *v, *cls;
		if (known(t, list[k]) || !class_value(Py_TYPE(obj), list[k], &cls))
			continue;
		++*spent;
		if ((v = probe(obj, list[k], cls))) {
			int counts = 0;
			for (size_t i = 0; i < nu && !counts; i++)
				counts = targets[in->unnamed[i]] == v;
			if ((err = learn(in, t, list[k], cls, v)) < 0)
				Py_DECREF(v);
			want -= counts;
		}
	}
	return err;
}

/* The value of t->names[j] on obj, read once per instance (borrowed from
 * in->vals; NULL when absent). */
static PyObject *value_of(objref__inline *in, objref__inline_type *t, PyObject *obj, size_t j)
{
	if (in->vals[j] == UNPROBED)
		in->vals[j] = probe(obj, t->names[j], t->cls[j]);
	return in->vals[j];
}

/* Match the unnamed references u[0..nu) of obj to learned names: first
 * forward along the learned order, then any name not used yet.  Matched
 * ones get their label and leave u (nu shrinks). */
static void match(objref__inline *in, objref__inline_type *t, PyObject *obj, PyObject **targets,
	objref_label *labels, size_t *nu)
{
	size_t j = 0, left = 0;
	size_t *u = in->unnamed;

	for (size_t i = 0; i < *nu; i++) {
		PyObject *target = targets[u[i]];
		long found = -1;
		for (size_t jj = j; jj < t->n && found < 0; jj++) {
			PyObject *v = in->used[jj] ? NULL : value_of(in, t, obj, jj);
			if (v == target)
				found = (long)jj;
			else if (v)
				break;  /* present, another value: target comes earlier */
		}
		for (size_t jj = 0; jj < t->n && found < 0; jj++)
			if (!in->used[jj] && value_of(in, t, obj, jj) == target)
				found = (long)jj;
		in->unsorted |= found >= 0 && (size_t)found < j;
		if (found < 0) {
			u[left++] = u[i];
			continue;
		}
		labels[u[i]] = t->labels[found];
		in->used[found] = 1;
		j = (size_t)found + 1;
	}
	*nu = left;
}

/* Put t's names in the order traversal showed them on an instance whose
 * every unnamed reference got a name (labels[u[0..nu)], traversal order),
 * the names it lacks after them: later instances then match each
 * reference at the first name tried.  0 or OBJREF_ENOMEM. */
static int reorder(objref__inline_type *t, const objref_label *labels, const size_t *u, size_t nu)
{
	size_t *perm = objref__malloc((t->n + 1) * sizeof(size_t)), np = 0, last = 0;
	unsigned char *taken = objref__malloc(t->n + 1);
	int sorted = 1;

	if (!perm || !taken) {
		objref__free(perm);
		objref__free(taken);
		return OBJREF_ENOMEM;
	}
	memset(taken, 0, t->n);
	for (size_t i = 0; i < nu; i++)
		for (size_t j = 0; j < t->n; j++)
			if (!taken[j] && t->labels[j] == labels[u[i]]) {
				sorted &= np == 0 || j > last;
				taken[j] = 1;
				perm[np++] = last = j;
				break;
			}
	for (size_t j = 0; j < t->n; j++)
		if (!taken[j])
			perm[np++] = j;
	if (!sorted && np == t->n) {
		PyObject **names = objref__malloc(t->n * sizeof(PyObject *));
		PyObject **cls = objref__malloc(t->n * sizeof(PyObject *));
		objref_label *lab = objref__malloc(t->n * sizeof(objref_label));
		if (names && cls && lab) {
			for (size_t k = 0; k < t->n; k++) {
				names[k] = t->names[perm[k]];
				cls[k] = t->cls[perm[k]];
				lab[k] = t->labels[perm[k]];
			}
			memcpy(t->names, names, t->n * sizeof(PyObject *));
			memcpy(t->cls, cls, t->n * sizeof(PyObject *));
			memcpy(t->labels, lab, t->n * sizeof(objref_label));
			t->reordered++;
		}
		objref__free(names);
		objref__free(cls);
		objref__free(lab);
	}
	objref__free(perm);
	objref__free(taken);
	return 0;
}

/* Is d, an exact dict, obj's materialized __dict__?  Each str entry that
 * may be read is obj's attribute of that name, and at least one is. */
static int is_instance_dict(PyObject *obj, PyObject *d)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	int seen = 0;

	if (!PyDict_CheckExact(d))
		return 0;
	while (PyDict_Next(d, &pos, &k, &v)) {
		PyObject *got, *cls;
		if (!PyUnicode_CheckExact(k) || !class_value(Py_TYPE(obj), k, &cls))
			continue;
		got = probe(obj, k, cls);
		Py_XDECREF(got);
		if (got != v)
			return 0;
		seen = 1;
	}
	return seen;
}

static void release_vals(objref__inline *in, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (in->vals[j] != UNPROBED)
			Py_XDECREF(in->vals[j]);
}

int objref__inline_name(objref__inline *in, PyObject *op, PyObject **targets, objref_label *labels,
	size_t n)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	objref__inline_type *t = type_of(in, Py_TYPE(op));
	size_t nu = 0, nall;
	int err = 0, searched = 0;

	if (!t || objref__grow((void **)&in->unnamed, &in->unnamed_cap, n, sizeof(size_t)) < 0 ||
	    objref__grow((void **)&in->all, &in->all_cap, n, sizeof(size_t)) < 0)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (labels[i] == unnamed)
			in->unnamed[nu++] = i;
	memcpy(in->all, in->unnamed, nu * sizeof(size_t));
	nall = nu;
	in->unsorted = 0;
	if (nu == 1 && is_instance_dict(op, targets[in->unnamed[0]])) {
		labels[in->unnamed[0]] = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT);
		return 0;
	}
	if (grow_scratch(in, t->n + 1) < 0)
		return OBJREF_ENOMEM;
	for (size_t j = 0; j < t->n; j++) {
		in->vals[j] = UNPROBED;
		in->used[j] = 0;
	}
	match(in, t, op, targets, labels, &nu);
	/* What the learned names do not account for: search the class's code
	 * names, then every module's, on a few instances of the type. */
	if (nu && t->searched < DISCOVER_MAX) {
		t->searched++;
		searched = 1;
		if (!(err = class_cands(t, Py_TYPE(op))) &&
		    !(err = search(in, t, op, t->cands, t->ncands, targets, nu, &in->cand_probes, CAND_PROBES_MAX)))
			match(in, t, op, targets, labels, &nu);
	}
	if (!err && nu && t->pooled < POOL_SEARCHES_MAX && !was_fruitless(Py_TYPE(op))) {
		size_t before = nu;
		t->pooled++;
		searched = 1;
		if (!(err = module_pool(in)) &&
		    !(err = search(in, t, op, in->pool, in->npool, targets, nu, &in->pool_probes, POOL_PROBES_MAX)))
			match(in, t, op, targets, labels, &nu);
		if (!err && nu == before && in->pool_probes < POOL_PROBES_MAX)
			remember_fruitless(Py_TYPE(op)); /* the whole pool read: none named */
	}
	release_vals(in, t->n);
	if (!err && !nu && (searched || in->unsorted) && t->reordered < REORDER_MAX)
		err = reorder(t, labels, in->all, nall);
	return err;
}

void objref__inline_dispose(objref__inline *in)
{
	for (size_t i = 0; i < in->types.n; i++) {
		objref__inline_type *t = &in->tinfo[i];
		for (size_t j = 0; j < t->n; j++)
			Py_DECREF(t->names[j]);
		for (size_t j = 0; j < t->ncands; j++)
			Py_DECREF(t->cands[j]);
		objref__free(t->names);
		objref__free(t->cls);
		objref__free(t->labels);
		objref__free(t->cands);
	}
	for (size_t j = 0; j < in->npool; j++)
		Py_DECREF(in->pool[j]);
	objref__free(in->tinfo);
	objref__free(in->pool);
	objref__free(in->vals);
	objref__free(in->used);
	objref__free(in->unnamed);
	objref__free(in->all);
	objref__objset_dispose(&in->types);
	memset(in, 0, sizeof(*in));
}

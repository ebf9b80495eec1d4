/*
 * capture/capture_chain.c — objgraph's find_backref_chain(obj,
 * is_proper_module) without a snapshot.
 *
 * A backward search needs every object's referrers, so a snapshot of the
 * whole heap before its first step: the collector's lists walked, every
 * reference stored, then reversed.  The same shortest chain is a shortest
 * path from the set of modules to obj, which a breadth-first search
 * forward from the modules finds as well: a module's references are its
 * traversal, and the search stores only what it reached (an object set
 * whose ids are the queue, in discovery order, and each object's parent),
 * and stops at the level where it reaches obj.
 *
 * The graph is a tracked-only snapshot's: the objects the collector tracks,
 * the references traversal reports to live ones (objref__is_live), and the
 * hidden references capture_hidden.c adds.  So the chain is as long as the
 * one the snapshot's backward search finds; among chains of equal length
 * the two may choose differently.  Sources are what the snapshot's C test
 * for is_proper_module accepts: the module values of sys.modules under str
 * keys.  An untracked object holds only untracked ones (the collector
 * untracks a tuple or dict only then), so no chain to a tracked object
 * passes through one: they are never entered.
 *
 * Like every capture: the GIL held, the collector paused, no Python code
 * of the program run, no reference taken until the chain is known.
 */
#include <string.h>
#include "capture_internal.h"
#include "objref/capture.h"

/* How far ahead the search asks for an object's header, and how many
 * objects of a level it traverses before it looks at what they refer to:
 * the references of a batch are many, so the header and the set slot of
 * each, asked for as traversal reports it, have arrived when read. */
#define PREFETCH_AHEAD 8
#define BATCH 64

typedef struct {
	objref__objset objs;   /* reached, ids in breadth-first order */
	objref_id *parent;     /* by id; OBJREF_NO_ID for a module */
	size_t parent_cap;
	PyObject **refs;       /* the references of a batch's objects */
	objref_id *from;       /* the object that reported each */
	size_t nrefs, refs_cap, from_cap;
	objref_id current;     /* the object traversed */
	objref__hidden hidden; /* no builder: hidden references only reach */
} search;

/* The most objects a search reached: the next one reserves that many,
 * so a search of the same heap never rehashes its set. */
static size_t reached_before;

/* Traversal's visitor: note t, and ask for what reach() will read of it
 * (its refcount and collector header, its slot in the set). */
static int collect(PyObject *t, void *arg)
{
	search *s = arg;

	if (!t)
		return 0;
	if (s->nrefs == s->refs_cap &&
	    (objref__grow((void **)&s->refs, &s->refs_cap, s->nrefs + 1, sizeof(PyObject *)) < 0 ||
	     objref__grow((void **)&s->from, &s->from_cap, s->refs_cap, sizeof(objref_id)) < 0))
		return -1;
	objref__prefetch_gc_head(t);
	objref__prefetch(t);
	objref__objset_prefetch(&s->objs, t);
	s->refs[s->nrefs] = t;
	s->from[s->nrefs++] = s->current;
	return 0;
}

/* Room for the parents of every object reached. */
static int parent_room(search *s)
{
	return objref__grow((void **)&s->parent, &s->parent_cap, OBJREF__MAX(s->objs.n, 1),
		sizeof(objref_id));
}

/* The objects [from, n) were reached from `by`: their parent.  The id of
 * obj if it is among them, else OBJREF_NO_ID. */
static objref_id reached(search *s, size_t from, objref_id by, PyObject *obj)
{
	for (size_t j = from; j < s->objs.n; j++) {
		s->parent[j] = by;
		if (s->objs.objs[j] == obj)
			return (objref_id)j;
	}
	return OBJREF_NO_ID;
}

/* Traverse op (id): its references are noted for reach(); its hidden
 * ones (types, code, modules) are reached now.  The id of obj if one of
 * them is obj, else OBJREF_NO_ID (*err: 0 or OBJREF_ENOMEM). */
static objref_id traverse(search *s, objref_id id, PyObject *op, PyObject *obj, int *err)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;
	uint32_t flags = PyModule_Check(op) ? OBJREF_F_MODULE : PyType_Check(op) ? OBJREF_F_TYPE :
		PyCode_Check(op) ? OBJREF_F_CODE : 0;
	size_t n = s->objs.n;

	s->current = id;
	*err = 0;
	if (trav && PyObject_IS_GC(op) && trav(op, collect, s) < 0)
		*err = OBJREF_ENOMEM;
	else if (flags && (*err = objref__hidden_edges(&s->hidden, id, op, flags)) == 0 &&
		 s->objs.n > n && (*err = parent_room(s)) == 0)
		return reached(s, n, id, obj);
	return OBJREF_NO_ID;
}

/* Reach the references noted: the live tracked ones not reached yet.
 * The id of obj if one is obj, else OBJREF_NO_ID (*err: 0 or
 * OBJREF_ENOMEM). */
static objref_id reach(search *s, PyObject *obj, int *err)
{
	int added;

	*err = 0;
	for (size_t k = 0; k < s->nrefs; k++) {
		PyObject *t = s->refs[k];
		size_t n = s->objs.n;

		if (!objref__is_live(t) || !objref__is_tracked(t))
			continue;
		if (objref__objset_add(&s->objs, t, &added) == OBJREF_NO_ID ||
		    (added && s->objs.n > s->parent_cap && parent_room(s) < 0)) {
			*err = OBJREF_ENOMEM;
			break;
		}
		if (added && reached(s, n, s->from[k], obj) != OBJREF_NO_ID)
			return (objref_id)n;
	}
	return OBJREF_NO_ID;
}

/* The modules of sys.modules (str keys) not ignored: the search's first
 * level, after the `first` ignored objects.  *end: obj's id if it is one
 * of them.  0 or OBJREF_ENOMEM. */
static int seed_modules(search *s, objref_id *end, PyObject *obj, size_t first)
{
	PyObject *modules = PyImport_GetModuleDict(), *k, *v;
	Py_ssize_t pos = 0;
	uint32_t id;
	int added, err;

	while (modules && PyDict_Check(modules) && PyDict_Next(modules, &pos, &k, &v)) {
		if (!PyUnicode_Check(k) || !PyModule_Check(v))
			continue;
		if ((id = objref__objset_add(&s->objs, v, &added)) == OBJREF_NO_ID)
			return OBJREF_ENOMEM;
		if (id >= first && v == obj)
			*end = id;
	}
	if ((err = parent_room(s)) < 0)
		return err;
	for (size_t i = first; i < s->objs.n; i++)
		s->parent[i] = OBJREF_NO_ID;
	return 0;
}

/*
 * Level by level from the modules [first, n), a batch of up to BATCH
 * objects of one level at a time: the id where obj was reached,
 * OBJREF_NO_ID when not within max_depth references (*err: 0 or
 * OBJREF_ENOMEM).  Everything a batch reaches is on the next level, so
 * the ids stay in breadth-first order.
 */
static objref_id breadth_first(search *s, PyObject *obj, size_t first, size_t max_depth, int *err)
{
	size_t level = 0, level_end = s->objs.n, i = first;
	objref_id end = OBJREF_NO_ID;

	*err = 0;
	while (i < s->objs.n && end == OBJREF_NO_ID && !*err) {
		size_t stop;

		if (i == level_end) {
			level++;
			level_end = s->objs.n;
		}
		if (level >= max_depth)
			break;  /* what this level reaches is too far */
		stop = OBJREF__MIN(i + BATCH, level_end);
		s->nrefs = 0;
		for (; i < stop && end == OBJREF_NO_ID && !*err; i++) {
			if (i + PREFETCH_AHEAD < stop)  /* its header: type, traversal */
				objref__prefetch(s->objs.objs[i + PREFETCH_AHEAD]);
			end = traverse(s, (objref_id)i, s->objs.objs[i], obj, err);
		}
		if (end == OBJREF_NO_ID && !*err)
			end = reach(s, obj, err);
	}
	return *err ? OBJREF_NO_ID : end;
}

/* The chain from a module to the object with id `end`, module first, as
 * new references.  0 or OBJREF_ENOMEM. */
static int take_chain(void ***chain, size_t *n, const search *s, objref_id end)
{
	size_t len = 0;
	PyObject **c;

	for (objref_id x = end; x != OBJREF_NO_ID; x = s->parent[x])
		len++;
	if (!(c = objref__malloc(len * sizeof(PyObject *))))
		return OBJREF_ENOMEM;
	*n = len;
	for (objref_id x = end; x != OBJREF_NO_ID; x = s->parent[x])
		c[--len] = Py_NewRef(s->objs.objs[x]);
	*chain = (void **)c;
	return 0;
}

int objref_capture_backref_chain(void ***chain, size_t *n, void *obj, size_t max_depth,
	const uintptr_t *ignore, size_t nignore)
{
	objref__session session;
	search s;
	objref_id end;
	size_t first;
	int err, added;

	*chain = NULL;
	*n = 0;
	if (!obj || !objref__is_tracked((PyObject *)obj))
		return objref__error(OBJREF_EINVAL, "the object is not tracked by the collector");
	memset(&s, 0, sizeof(s));
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	s.hidden.objs = &s.objs;
	if ((err = objref__objset_reserve(&s.objs, OBJREF__MAX(reached_before, 4096))) < 0)
		goto cleanup;
	/* The ignored objects first: reached, never expanded. */
	for (size_t i = 0; i < nignore && !err; i++)
		if ((PyObject *)ignore[i] != obj && ignore[i] &&
		    objref__objset_add(&s.objs, (PyObject *)ignore[i], &added) == OBJREF_NO_ID)
			err = OBJREF_ENOMEM;
	first = s.objs.n;
	end = OBJREF_NO_ID;
	if (!err && (err = seed_modules(&s, &end, obj, first)) == 0 && end == OBJREF_NO_ID)
		end = breadth_first(&s, obj, first, max_depth, &err);
	if (!err && end != OBJREF_NO_ID)
		err = take_chain(chain, n, &s, end);
cleanup:
	reached_before = OBJREF__MAX(reached_before, s.objs.n);
	objref__hidden_dispose(&s.hidden);
	objref__objset_dispose(&s.objs);
	objref__free(s.parent);
	objref__free(s.refs);
	objref__free(s.from);
	objref__session_exit(&session);
	return err;
}

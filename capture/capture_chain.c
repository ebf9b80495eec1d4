/*
 * capture/capture_chain.c — objgraph's find_backref_chain(obj,
 * is_proper_module) without a snapshot.
 *
 * A backward search needs every object's referrers, so a snapshot of the
 * whole heap before its first step: the collector's lists walked, every
 * reference stored, then reversed.  The same shortest chain is a shortest
 * path from the set of modules to obj, which a breadth-first search
 * forward from the modules finds as well: a module's references are its
 * traversal, and the search stores only what it reached (in a queue, in
 * discovery order, with each object's parent, and as a mark per object),
 * and stops at the level where it reaches obj.
 *
 * What it reached is an objref__markset (capture_marks.c): a bit per 16
 * bytes of heap, so a million objects' marks stay in the cache where an
 * address hash of them would not.
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
 * the references of a batch are many, so the header of each, asked for as
 * traversal reports it, has arrived when read. */
#define PREFETCH_AHEAD 8
#define BATCH 64

/* ---- the search --------------------------------------------------------- */

typedef struct {
	objref__markset seen;  /* reached, in breadth-first order: ids */
	objref_id *parent;     /* by id; OBJREF_NO_ID for a module */
	size_t parent_cap;
	PyObject **refs;       /* the references a batch's objects reported */
	objref_id *from;       /* the object that reported each */
	size_t nrefs, refs_cap, from_cap;
	objref_id current;     /* the object traversed */
	PyObject *obj;         /* the object searched for */
	objref_id end;         /* its id once reached */
	objref__hidden hidden; /* reaches through reach_hidden */
} search;

/* The most objects a search reached: the next one has room for as many. */
static size_t reached_before;

/* Put t, reached from `by`, in the queue unless marked already.  0 or
 * OBJREF_ENOMEM; s->end set when t is the object searched for. */
static int reach_one(search *s, PyObject *t, objref_id by)
{
	size_t id = s->seen.n;
	int fresh = objref__markset_add(&s->seen, t);

	if (fresh <= 0)
		return fresh;
	if ((id >= OBJREF_NO_ID - 1 ||
	     objref__grow((void **)&s->parent, &s->parent_cap, s->seen.cap, sizeof(objref_id)) < 0))
		return OBJREF_ENOMEM;
	s->parent[id] = by;
	if (t == s->obj)
		s->end = (objref_id)id;
	return 0;
}

/* capture_hidden.c's reach: a tracked target of a hidden reference. */
static int reach_hidden(void *arg, PyObject *t)
{
	search *s = arg;

	return reach_one(s, t, s->current);
}

/* Traversal's visitor: note t, and ask for its header (refcount, type,
 * the collector's flags) that reach_refs() will read. */
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
	s->refs[s->nrefs] = t;
	s->from[s->nrefs++] = s->current;
	return 0;
}

/* Traverse op (id): its references are noted for reach_refs(); its
 * hidden ones (types, code, modules) are reached now.  0 or
 * OBJREF_ENOMEM. */
static int traverse(search *s, objref_id id, PyObject *op)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;
	uint32_t flags = PyModule_Check(op) ? OBJREF_F_MODULE : PyType_Check(op) ? OBJREF_F_TYPE :
		PyCode_Check(op) ? OBJREF_F_CODE : 0;

	s->current = id;
	if (trav && PyObject_IS_GC(op) && trav(op, collect, s) < 0)
		return OBJREF_ENOMEM;
	return flags ? objref__hidden_edges(&s->hidden, id, op, flags) : 0;
}

/* Reach the live tracked references noted.  0 or OBJREF_ENOMEM. */
static int reach_refs(search *s)
{
	int err = 0;

	for (size_t k = 0; k < s->nrefs && !err && s->end == OBJREF_NO_ID; k++) {
		PyObject *t = s->refs[k];
		if (objref__is_live(t) && objref__is_tracked(t))
			err = reach_one(s, t, s->from[k]);
	}
	s->nrefs = 0;
	return err;
}

/* The modules of sys.modules (str keys) not ignored: the first level. */
static int seed_modules(search *s)
{
	PyObject *modules = PyImport_GetModuleDict(), *k, *v;
	Py_ssize_t pos = 0;
	int err = 0;

	while (!err && s->end == OBJREF_NO_ID && modules && PyDict_Check(modules) &&
	       PyDict_Next(modules, &pos, &k, &v))
		if (PyUnicode_Check(k) && PyModule_Check(v))
			err = reach_one(s, v, OBJREF_NO_ID);
	return err;
}

/*
 * Level by level from the modules, a batch of up to BATCH objects of one
 * level at a time, until obj is reached (s->end) or max_depth references
 * are passed.  Everything a batch reaches is on the next level, so the
 * ids stay in breadth-first order.  0 or OBJREF_ENOMEM.
 */
static int breadth_first(search *s, size_t max_depth)
{
	size_t level = 0, level_end = s->seen.n, i = 0;
	int err = 0;

	while (i < s->seen.n && s->end == OBJREF_NO_ID && !err) {
		size_t stop;

		if (i == level_end) {
			level++;
			level_end = s->seen.n;
		}
		if (level >= max_depth)
			break;  /* what this level reaches is too far */
		stop = OBJREF__MIN(i + BATCH, level_end);
		for (; i < stop && s->end == OBJREF_NO_ID && !err; i++) {
			if (i + PREFETCH_AHEAD < stop)  /* its header: type, traversal */
				objref__prefetch(s->seen.objs[i + PREFETCH_AHEAD]);
			err = traverse(s, (objref_id)i, s->seen.objs[i]);
		}
		if (!err && s->end == OBJREF_NO_ID)
			err = reach_refs(s);
	}
	return err;
}

/* The chain from a module to obj, module first, as new references.  0 or
 * OBJREF_ENOMEM. */
static int take_chain(void ***chain, size_t *n, const search *s)
{
	size_t len = 0;
	PyObject **c;

	for (objref_id x = s->end; x != OBJREF_NO_ID; x = s->parent[x])
		len++;
	if (!(c = objref__malloc(len * sizeof(PyObject *))))
		return OBJREF_ENOMEM;
	*n = len;
	for (objref_id x = s->end; x != OBJREF_NO_ID; x = s->parent[x])
		c[--len] = Py_NewRef(s->seen.objs[x]);
	*chain = (void **)c;
	return 0;
}

int objref_capture_backref_chain(void ***chain, size_t *n, void *obj, size_t max_depth,
	const uintptr_t *ignore, size_t nignore)
{
	objref__session session;
	search s;
	int err;

	*chain = NULL;
	*n = 0;
	if (!obj || !objref__is_tracked((PyObject *)obj))
		return objref__error(OBJREF_EINVAL, "the object is not tracked by the collector");
	memset(&s, 0, sizeof(s));
	s.obj = obj;
	s.end = OBJREF_NO_ID;
	s.hidden.reach = reach_hidden;
	s.hidden.reach_arg = &s;
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	if (reached_before &&
	    (objref__markset_reserve(&s.seen, reached_before) < 0 ||
	     objref__grow((void **)&s.parent, &s.parent_cap, s.seen.cap, sizeof(objref_id)) < 0))
		err = OBJREF_ENOMEM;
	/* The ignored objects: marked, so never reached. */
	for (size_t i = 0; i < nignore && !err; i++)
		if (ignore[i] && (PyObject *)ignore[i] != obj &&
		    objref__markset_mark(&s.seen, (PyObject *)ignore[i]) < 0)
			err = OBJREF_ENOMEM;
	if (!err && (err = seed_modules(&s)) == 0 && s.end == OBJREF_NO_ID)
		err = breadth_first(&s, max_depth);
	if (!err && s.end != OBJREF_NO_ID)
		err = take_chain(chain, n, &s);
	reached_before = OBJREF__MAX(reached_before, s.seen.n);
	objref__hidden_dispose(&s.hidden);
	objref__markset_dispose(&s.seen);
	objref__free(s.parent);
	objref__free(s.refs);
	objref__free(s.from);
	objref__session_exit(&session);
	return err;
}

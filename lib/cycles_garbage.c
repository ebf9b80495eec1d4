/*
 * lib/cycles_garbage.c — the garbage of a snapshot by the collector's rule,
 * and strongly connected components (iterative Tarjan).
 *
 * Garbage, in four passes over the graph (include/objref/cycles.h says what
 * the classes mean):
 *   1. indeg[i]: the references into i that objects of the snapshot explain;
 *   2. alive: what the named root records reach (never through gc.garbage's
 *      list: its items are alive only if something else holds them);
 *   3. the objects nothing alive reaches that hold unexplained references
 *      (refcount > indeg): each one is held from outside the snapshot —
 *      unless it is an instance of a program's class and a bounded search
 *      from it, through objects not alive, finds an untraversable object
 *      (no GC support, not atomic): then it is taken to be held by that
 *      object, inside its own cycle (a "culprit" pair);
 *      the others are alive, with what they reach;
 *   4. the rest is garbage: what gc.garbage's items and objects with a
 *      legacy finalizer (tp_del) reach is GC_GARBAGE,
 *      what culprits' held objects reach UNTRAVERSABLE, frozen objects
 *      FROZEN, the others COLLECTABLE.
 */
#include <string.h>
#include "internal.h"
#include "snapshot_internal.h"
#include "objref/cycles.h"

/* Visits allowed to the searches of pass 3, all of them together. */
#define CULPRIT_BUDGET (4u << 20)

typedef struct {
	objref_snapshot *s;
	uint32_t *indeg;
	uint8_t *cls;          /* 0 alive-unknown, ALIVE, then classes */
	objref_id *queue;
	size_t head, tail;
	objref_id gl;          /* gc.garbage's list, or NO_ID */
	objref_id *pairs;      /* culprits: held, holder */
	size_t npairs, pairs_cap;
	uint32_t *stamp;       /* pass 3: search number that saw an object */
	size_t budget;
} garbage;

#define ALIVE 0xffu

/*
 * Can this object hold references the collector does not see?  Objects of
 * types without GC support that are not atomic; and, when they show no
 * reference, instances of OBJREF_T_HIDES_REFS types: PyCapsules, whose
 * traversal (GC support from 3.13) shows only what a traverse function the
 * capsule's creator set shows, and ctypes objects (c_void_p, pointers ...),
 * which hold addresses as plain data.
 */
/* Does object id show no reference but to its class? */
static int shows_nothing(const objref_snapshot *s, objref_id id)
{
	for (uint64_t e = s->edge_start[id]; e < s->edge_start[id + 1]; e++)
		if (s->edge_label[e] != OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_CLASS))
			return 0;
	return 1;
}

static int is_untraversable(const objref_snapshot *s, objref_id id)
{
	const objref_object *o = &s->objects[id];
	const objref_type *t = &s->types[o->type];
	uint32_t tf = t->flags;

	if (shows_nothing(s, id) && (tf & OBJREF_T_HIDES_REFS) && !(o->flags & OBJREF_F_TYPE))
		return 1;
	if (o->flags & (OBJREF_F_GCTYPE | OBJREF_F_TYPE | OBJREF_F_MODULE | OBJREF_F_CODE))
		return 0;
	if (!(tf & OBJREF_T_KNOWN) || (tf & (OBJREF_T_GC | OBJREF_T_ATOMIC)))
		return 0;
	/* PyModuleDef: the interpreter's, listed in its extension cache */
	return !(tf & OBJREF_T_INTERNAL);
}

/* Breadth-first from the queue: objects with cls == from become to.  The
 * out-edges of gc.garbage's list are not followed. */
static void spread(garbage *g, uint8_t from, uint8_t to)
{
	const objref_snapshot *s = g->s;

	while (g->head < g->tail) {
		objref_id v = g->queue[g->head++];
		if (v == g->gl)
			continue;
		for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1]; e++) {
			objref_id w = s->edge_dst[e];
			if (g->cls[w] == from) {
				g->cls[w] = to;
				g->queue[g->tail++] = w;
			}
		}
	}
	g->head = g->tail = 0;
}

static void seed(garbage *g, objref_id id, uint8_t from, uint8_t to)
{
	if (id < g->s->nobjects && g->cls[id] == from) {
		g->cls[id] = to;
		g->queue[g->tail++] = id;
	}
}

static int named_root(const objref_root *r)
{
	switch (r->kind) {
	case OBJREF_ROOT_MODULE: case OBJREF_ROOT_FRAME: case OBJREF_ROOT_IMMORTAL:
		return 1;
	case OBJREF_ROOT_HELD_FROM_C:
		return r->name != 0;
	default:
		return 0;  /* gc.garbage, frozen, anonymous held-from-C: by refcounts */
	}
}

/* Pass 3 for one object: the nearest untraversable object that a (held
 * from outside) reaches through objects not alive, or NO_ID. */
static objref_id find_holder(garbage *g, objref_id a, uint32_t stamp)
{
	const objref_snapshot *s = g->s;
	size_t head = 0, tail = 0;
	objref_id found = OBJREF_NO_ID;

	g->queue[tail++] = a;
	g->stamp[a] = stamp;
	while (head < tail && found == OBJREF_NO_ID && g->budget > 0) {
		objref_id v = g->queue[head++];
		g->budget--;
		for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1]; e++) {
			objref_id w = s->edge_dst[e];
			if (g->cls[w] == ALIVE || g->stamp[w] == stamp)
				continue;
			g->stamp[w] = stamp;
			if (is_untraversable(s, w)) {
				found = w;
				break;
			}
			g->queue[tail++] = w;
		}
	}
	return found;
}

/* Can object id be held by a hidden reference of an untraversable object
 * (rather than by the interpreter or an extension)?  Only an instance of a
 * program's class: types, modules and immortals are the interpreter's, and
 * builtin containers held from C are an extension's state far more often
 * than a cycle's. */
static int may_be_held_hidden(const objref_snapshot *s, objref_id id)
{
	const objref_object *o = &s->objects[id];

	if (o->flags & (OBJREF_F_IMMORTAL | OBJREF_F_TYPE | OBJREF_F_MODULE))
		return 0;
	return !(s->types[o->type].flags & OBJREF_T_BUILTIN);
}

static int held_by_culprit(garbage *g)
{
	const objref_snapshot *s = g->s;
	const objref_object *o = s->objects;
	size_t n = s->nobjects, nheld = 0;
	objref_id *held = objref__malloc((n + 1) * sizeof(objref_id));
	uint32_t k = 0;
	int err = 0;

	if (!held || !(g->stamp = objref__calloc(n + 1, sizeof(uint32_t)))) {
		objref__free(held);
		return OBJREF_ENOMEM;
	}
	g->budget = CULPRIT_BUDGET;
	for (objref_id i = 0; i < n && !err; i++) {
		objref_id holder = OBJREF_NO_ID;
		if (g->cls[i] == ALIVE || o[i].refcnt <= g->indeg[i])
			continue;
		if (g->budget && may_be_held_hidden(s, i))
			holder = find_holder(g, i, ++k);
		if (holder == OBJREF_NO_ID) {
			held[nheld++] = i;  /* held from outside: alive (below) */
			continue;
		}
		if ((err = objref__grow((void **)&g->pairs, &g->pairs_cap, g->npairs + 2,
				sizeof(objref_id))) < 0)
			break;
		g->pairs[g->npairs++] = i;
		g->pairs[g->npairs++] = holder;
	}
	objref__free(g->stamp);
	g->stamp = NULL;
	for (size_t j = 0; j < nheld && !err; j++)
		seed(g, held[j], 0, ALIVE);
	objref__free(held);
	if (!err)
		spread(g, 0, ALIVE);
	return err;
}

static void classify(garbage *g)
{
	const objref_snapshot *s = g->s;
	int legacy = 0;

	for (size_t r = 0; r < s->nroots; r++)
		if (s->roots[r].kind == OBJREF_ROOT_GC_GARBAGE)
			seed(g, s->roots[r].object, 0, OBJREF_GARBAGE_GC_GARBAGE);
	if (g->gl != OBJREF_NO_ID)
		for (uint64_t e = s->edge_start[g->gl]; e < s->edge_start[g->gl + 1]; e++)
			seed(g, s->edge_dst[e], 0, OBJREF_GARBAGE_GC_GARBAGE);
	spread(g, 0, OBJREF_GARBAGE_GC_GARBAGE);
	/* the next collection moves legacy finalizers, and what they reach,
	 * out of its way (to gc.garbage): never freed either */
	for (size_t t = 0; t < s->ntypes && !legacy; t++)
		legacy = (s->types[t].flags & OBJREF_T_LEGACY_DEL) != 0;
	for (objref_id i = 0; i < s->nobjects && legacy; i++)
		if (!g->cls[i] && (s->types[s->objects[i].type].flags & OBJREF_T_LEGACY_DEL))
			seed(g, i, 0, OBJREF_GARBAGE_GC_GARBAGE);
	spread(g, 0, OBJREF_GARBAGE_GC_GARBAGE);
	for (size_t j = 0; j < g->npairs; j += 2)
		seed(g, g->pairs[j], 0, OBJREF_GARBAGE_UNTRAVERSABLE);
	spread(g, 0, OBJREF_GARBAGE_UNTRAVERSABLE);
	for (size_t i = 0; i < s->nobjects; i++) {
		if (g->cls[i] == ALIVE)
			g->cls[i] = OBJREF_GARBAGE_NONE;
		else if (g->cls[i] == 0)  /* only garbage reads the object table */
			g->cls[i] = (s->objects[i].flags & OBJREF_F_FROZEN) ? OBJREF_GARBAGE_FROZEN
									    : OBJREF_GARBAGE_COLLECTABLE;
	}
}

/* The id of gc.garbage's list. */
static objref_id garbage_list(objref_snapshot *snap)
{
	uint64_t addr = snap->gc.garbage_list;

	return addr ? objref_snapshot_find(snap, addr) : OBJREF_NO_ID;
}

int objref_garbage_find(uint8_t **out, objref_id **culprits, size_t *nculprits, objref_snapshot *snap)
{
	garbage g;
	size_t n = snap->nobjects;
	int err = OBJREF_ENOMEM;

	*out = NULL;
	if (culprits)
		*culprits = NULL;
	if (nculprits)
		*nculprits = 0;
	memset(&g, 0, sizeof(g));
	g.s = snap;
	g.gl = garbage_list(snap);
	if (!(g.indeg = objref__calloc(n + 1, sizeof(uint32_t))) || !(g.cls = objref__calloc(n + 1, 1)) ||
	    !(g.queue = objref__malloc((n + 1) * sizeof(objref_id))))
		goto cleanup;
	for (size_t e = 0; e < snap->nedges; e++)
		g.indeg[snap->edge_dst[e]]++;
	for (size_t r = 0; r < snap->nroots; r++)
		if (named_root(&snap->roots[r]))
			seed(&g, snap->roots[r].object, 0, ALIVE);
	spread(&g, 0, ALIVE);
	if ((err = held_by_culprit(&g)) < 0)
		goto cleanup;
	classify(&g);
	*out = g.cls;
	g.cls = NULL;
	if (culprits) {
		*culprits = g.pairs;
		*nculprits = g.npairs / 2;
		g.pairs = NULL;
	}
	err = 0;
cleanup:
	objref__free(g.indeg);
	objref__free(g.cls);
	objref__free(g.queue);
	objref__free(g.pairs);
	return err;
}

void objref_cycles_array_free(void *p)
{
	objref__free(p);
}

/* ---- strongly connected components ---------------------------------------- */

typedef struct {
	objref_id v;
	uint64_t e;      /* next snapshot edge of v to look at */
	uint32_t x;      /* next extra edge of v */
} tarjan_frame;

typedef struct {
	const objref_snapshot *s;
	const uint8_t *mask;
	const uint32_t *xstart;   /* extra edges, CSR by source (or NULL) */
	const objref_id *xdst;
	uint32_t *index, *low;
	objref_id *comp;
	objref_id *stack;         /* Tarjan's stack of visited, unassigned objects */
	size_t sp;
	tarjan_frame *calls;      /* the explicit call stack */
	size_t cp;
	uint32_t next_index;
	size_t ncomp;
} tarjan;

static void visit(tarjan *t, objref_id v)
{
	t->index[v] = t->low[v] = t->next_index++;
	t->stack[t->sp++] = v;
	t->calls[t->cp].v = v;
	t->calls[t->cp].e = t->s->edge_start[v];
	t->calls[t->cp].x = t->xstart ? t->xstart[v] : 0;
	t->cp++;
}

/* The next successor of the frame's object inside the mask, or NO_ID. */
static objref_id next_succ(tarjan *t, tarjan_frame *f)
{
	const objref_snapshot *s = t->s;

	while (f->e < s->edge_start[f->v + 1]) {
		objref_id w = s->edge_dst[f->e++];
		if (!t->mask || t->mask[w])
			return w;
	}
	while (t->xstart && f->x < t->xstart[f->v + 1]) {
		objref_id w = t->xdst[f->x++];
		if (!t->mask || t->mask[w])
			return w;
	}
	return OBJREF_NO_ID;
}

static void strongconnect(tarjan *t, objref_id root)
{
	visit(t, root);
	while (t->cp) {
		tarjan_frame *f = &t->calls[t->cp - 1];
		objref_id v = f->v, w = next_succ(t, f);
		if (w != OBJREF_NO_ID) {
			if (t->index[w] == UINT32_MAX)
				visit(t, w);
			else if (t->comp[w] == OBJREF_NO_ID && t->index[w] < t->low[v])
				t->low[v] = t->index[w];  /* w is on the stack */
			continue;
		}
		if (t->low[v] == t->index[v]) {
			objref_id x;
			do {
				x = t->stack[--t->sp];
				t->comp[x] = (objref_id)t->ncomp;
			} while (x != v);
			t->ncomp++;
		}
		if (--t->cp) {
			objref_id u = t->calls[t->cp - 1].v;
			if (t->low[v] < t->low[u])
				t->low[u] = t->low[v];
		}
	}
}

/* The extra edges as CSR by source. */
static int extra_csr(uint32_t **start, objref_id **dst, size_t n, const objref_id *src,
	const objref_id *to, size_t nextra)
{
	*start = objref__calloc(n + 2, sizeof(uint32_t));
	*dst = objref__malloc((nextra + 1) * sizeof(objref_id));
	if (!*start || !*dst)
		return OBJREF_ENOMEM;
	for (size_t k = 0; k < nextra; k++)
		(*start)[src[k] + 2]++;
	for (size_t i = 0; i < n; i++)
		(*start)[i + 2] += (*start)[i + 1];
	for (size_t k = 0; k < nextra; k++)
		(*dst)[(*start)[src[k] + 1]++] = to[k];
	return 0;
}

int objref_scc(objref_id **comp, size_t *ncomp, const objref_snapshot *snap, const uint8_t *mask,
	const objref_id *extra_src, const objref_id *extra_dst, size_t nextra)
{
	size_t n = snap->nobjects;
	uint32_t *xstart = NULL;
	objref_id *xdst = NULL;
	tarjan t;
	int err = OBJREF_ENOMEM;

	memset(&t, 0, sizeof(t));
	*comp = NULL;
	*ncomp = 0;
	for (size_t k = 0; k < nextra; k++)
		if (extra_src[k] >= n || extra_dst[k] >= n)
			return objref__error(OBJREF_EINVAL, "extra edge %zu names a missing object", k);
	if (nextra && extra_csr(&xstart, &xdst, n, extra_src, extra_dst, nextra) < 0)
		goto cleanup;
	t.s = snap;
	t.mask = mask;
	t.xstart = xstart;
	t.xdst = xdst;
	if (!(t.index = objref__malloc((n + 1) * sizeof(uint32_t))) ||
	    !(t.low = objref__malloc((n + 1) * sizeof(uint32_t))) ||
	    !(t.comp = objref__malloc((n + 1) * sizeof(objref_id))) ||
	    !(t.stack = objref__malloc((n + 1) * sizeof(objref_id))) ||
	    !(t.calls = objref__malloc((n + 1) * sizeof(tarjan_frame))))
		goto cleanup;
	memset(t.index, 0xff, (n + 1) * sizeof(uint32_t));
	memset(t.comp, 0xff, (n + 1) * sizeof(objref_id));
	for (objref_id v = 0; v < n; v++)
		if ((!mask || mask[v]) && t.index[v] == UINT32_MAX)
			strongconnect(&t, v);
	*comp = t.comp;
	*ncomp = t.ncomp;
	t.comp = NULL;
	err = 0;
cleanup:
	objref__free(xstart);
	objref__free(xdst);
	objref__free(t.index);
	objref__free(t.low);
	objref__free(t.comp);
	objref__free(t.stack);
	objref__free(t.calls);
	return err;
}

/*
 * lib/dominators.c — the dominator tree of a snapshot and retained sizes
 * (contract in include/objref/dominators.h).
 *
 * Vertices are numbered by a depth-first search from the synthetic root in
 * preorder, 1 .. n (1 is the synthetic root, 0 means "none"); every array
 * of the computation is indexed by that number, so the inner loops walk
 * memory in order.  Invariants the steps rely on:
 *   - parent[w] < w and every dominator of w is a tree ancestor, so
 *     idom[w] < w: a pass from n down to 2 sees every child before its
 *     immediate dominator (retained sizes), a pass from 2 up sees every
 *     immediate dominator before its children (SEMI-NCA);
 *   - during the semidominator pass ancestor[] is the forest of vertices
 *     already processed (all numbered above the current one), linked to
 *     their tree parents; label[v] is the vertex of least semi on the
 *     compressed path from v up to its forest root (excluded).
 */
#include <string.h>
#if defined(__linux__)
#endif
#include "internal.h"
#include "snapshot_internal.h"
#include "objref/dominators.h"

#define UNREACHED (OBJREF_NO_ID - 1) /* idom_of[] of an object no root reaches */

struct objref_dominators {
	size_t nobjects;
	size_t nreached;  /* reachable objects (the synthetic root not counted) */
	uint64_t total;   /* bytes of the reachable objects */
	objref_id *idom_of; /* per object: immediate dominator, NO_ID or UNREACHED */
	uint64_t *retained; /* per object */
};

/* The working arrays, indexed by preorder number (n + 2 entries). */
typedef struct {
	const objref_snapshot *s;
	uint32_t n;          /* vertices numbered, the synthetic root included */
	uint32_t *dfn;       /* per object: its number, 0 when unreached */
	objref_id *vert;     /* number -> object (vert[1] unused) */
	uint32_t *parent;    /* DFS tree parent */
	uint64_t *size;      /* number -> the object's size, then its retained size */
	uint32_t (*arcs)[2]; /* every reference among numbered vertices, as numbers, in the
			      * order the search met them; narcs of them */
	size_t narcs;
	uint32_t *pred_start; /* predecessors of w: pred[pred_start[w] .. pred_start[w+1]) */
	uint32_t *pred;
	uint32_t *semi, *label, *ancestor; /* ancestor becomes idom */
	uint32_t *stack;     /* path of a compression */
} dom_work;

/* An array of count items (zeroed with zero).  The arrays are touched at
 * random, once per build: with 4 KiB pages a build of 1e6 objects spent a
 * fifth of its time in page faults and the rest waiting on TLB misses, so
 * the allocator advises large ones onto huge pages (lib/alloc.c). */
static void *big(size_t count, size_t each, int zero)
{
	count = count ? count : 1;
	return zero ? objref__calloc(count, each) : objref__malloc(count * each);
}

static void work_free(dom_work *w)
{
	objref__free(w->dfn);
	objref__free(w->vert);
	objref__free(w->parent);
	objref__free(w->size);
	objref__free(w->arcs);
	objref__free(w->pred_start);
	objref__free(w->pred);
	objref__free(w->semi);
	objref__free(w->label);
	objref__free(w->ancestor);
	objref__free(w->stack);
}

/* ---- 1. depth-first numbering ------------------------------------------- */

/*
 * One pass over the reachable graph numbers the vertices, records every
 * reference it meets as a pair of numbers (so the predecessor lists are
 * built from one sequential array, not a second walk of the snapshot) and
 * counts each vertex's predecessors in pred_start[w + 1].
 */
typedef struct {
	objref_id id;
	uint64_t next; /* next edge of id to follow */
} dfs_frame;

static uint32_t visit(dom_work *w, objref_id id, uint32_t parent)
{
	uint32_t v = ++w->n;

	w->dfn[id] = v;
	w->vert[v] = id;
	w->parent[v] = parent;
	w->size[v] = w->s->objects[id].size;
	return v;
}

static void arc(dom_work *w, uint32_t from, uint32_t to)
{
	w->arcs[w->narcs][0] = from;
	w->arcs[w->narcs][1] = to;
	w->narcs++;
	w->pred_start[to + 1]++;
}

/* Number everything reachable from object `start` (already unnumbered),
 * whose tree parent is the synthetic root.  *stk grows as needed. */
static int dfs_from(dom_work *w, objref_id start, dfs_frame **stk, size_t *cap)
{
	const objref_snapshot *s = w->s;
	size_t top = 0;

	arc(w, 1, visit(w, start, 1));
	(*stk)[top++] = (dfs_frame){ start, s->edge_start[start] };
	while (top > 0) {
		dfs_frame *f = &(*stk)[top - 1];
		objref_id next;
		uint32_t from = w->dfn[f->id];

		if (f->next == s->edge_start[f->id + 1]) {
			top--;
			continue;
		}
		next = s->edge_dst[f->next++];
		if (w->dfn[next]) {
			arc(w, from, w->dfn[next]);
			continue;
		}
		arc(w, from, visit(w, next, from));
		if (top == *cap && objref__grow((void **)stk, cap, top + 1, sizeof(**stk)) < 0)
			return OBJREF_ENOMEM;
		(*stk)[top++] = (dfs_frame){ next, s->edge_start[next] };
	}
	return 0;
}

static int number(dom_work *w)
{
	const objref_snapshot *s = w->s;
	size_t cap = 64;
	dfs_frame *stk = objref__malloc(cap * sizeof(*stk));
	int rc = stk ? 0 : OBJREF_ENOMEM;

	w->n = 1; /* the synthetic root */
	w->size[1] = 0;
	for (size_t r = 0; rc == 0 && r < s->nroots; r++) {
		objref_id id = s->roots[r].object;
		if (w->dfn[id])
			arc(w, 1, w->dfn[id]);
		else
			rc = dfs_from(w, id, &stk, &cap);
	}
	objref__free(stk);
	return rc;
}

/* ---- 2. predecessors ----------------------------------------------------- */

static int predecessors(dom_work *w)
{
	uint32_t total = 0;

	for (uint32_t v = 1; v <= w->n + 1; v++) {
		total += w->pred_start[v];
		w->pred_start[v] = total;
	}
	if (!(w->pred = big(total, sizeof(uint32_t), 0)))
		return OBJREF_ENOMEM;
	/* pred_start[to] is the fill cursor of `to`: it ends where to + 1's
	 * list starts, and the shift below puts the starts back */
	for (size_t a = 0; a < w->narcs; a++)
		w->pred[w->pred_start[w->arcs[a][1]]++] = w->arcs[a][0];
	for (uint32_t v = w->n + 1; v > 0; v--)
		w->pred_start[v] = w->pred_start[v - 1];
	w->pred_start[0] = 0;
	objref__free(w->arcs);
	w->arcs = NULL;
	return 0;
}

/* ---- 3. semidominators and immediate dominators -------------------------- */

/* Path compression from v (linked) up its forest path, iteratively. */
static void compress(dom_work *w, uint32_t v)
{
	uint32_t *anc = w->ancestor, *label = w->label, *semi = w->semi;
	size_t sp = 0;

	while (anc[anc[v]] != 0) {
		w->stack[sp++] = v;
		v = anc[v];
	}
	while (sp > 0) {
		uint32_t x = w->stack[--sp], a = anc[x];
		if (semi[label[a]] < semi[label[x]])
			label[x] = label[a];
		anc[x] = anc[a];
	}
}

static uint32_t eval(dom_work *w, uint32_t v)
{
	if (w->ancestor[v] == 0)
		return v;
	compress(w, v);
	return w->label[v];
}

static void semidominators(dom_work *w)
{
	for (uint32_t v = 1; v <= w->n; v++)
		w->semi[v] = w->label[v] = v;
	for (uint32_t x = w->n; x >= 2; x--) {
		for (size_t p = w->pred_start[x]; p < w->pred_start[x + 1]; p++) {
			uint32_t u = eval(w, w->pred[p]);
			if (w->semi[u] < w->semi[x])
				w->semi[x] = w->semi[u];
		}
		w->ancestor[x] = w->parent[x];
	}
}

/* SEMI-NCA: idom[x] is the nearest common ancestor, in the dominator tree
 * built so far, of parent[x] and semi[x]; stored in ancestor[]. */
static void immediate(dom_work *w)
{
	uint32_t *idom = w->ancestor;

	idom[1] = 0;
	for (uint32_t x = 2; x <= w->n; x++) {
		uint32_t d = w->parent[x];
		while (d > w->semi[x])
			d = idom[d];
		idom[x] = d;
	}
}

/* ---- 4. the result --------------------------------------------------------- */

static int result(objref_dominators **out, dom_work *w)
{
	const objref_snapshot *s = w->s;
	const uint32_t *idom = w->ancestor;
	objref_dominators *d = objref__calloc(1, sizeof(*d));

	if (!d || !(d->idom_of = big(s->nobjects, sizeof(objref_id), 0)) ||
	    !(d->retained = big(s->nobjects, sizeof(uint64_t), 1))) {
		objref_dominators_free(d);
		return OBJREF_ENOMEM;
	}
	d->nobjects = s->nobjects;
	d->nreached = w->n - 1;
	/* children before their immediate dominators, in number order */
	for (uint32_t x = w->n; x >= 2; x--)
		w->size[idom[x]] += w->size[x];
	d->total = w->size[1];
	for (size_t i = 0; i < s->nobjects; i++)
		d->idom_of[i] = w->dfn[i] ? OBJREF_NO_ID : UNREACHED;
	for (uint32_t x = 2; x <= w->n; x++) {
		objref_id id = w->vert[x];
		if (idom[x] != 1)
			d->idom_of[id] = w->vert[idom[x]];
		d->retained[id] = w->size[x];
	}
	*out = d;
	return 0;
}

int objref_dominators_build(objref_dominators **out, const objref_snapshot *snap,
	const objref_dominators_options *opts)
{
	dom_work w = { 0 };
	size_t cells;
	int rc;

	*out = NULL;
	if (!snap)
		return objref__error(OBJREF_EINVAL, "dominators: no snapshot");
	if (opts && opts->version != OBJREF_DOMINATORS_OPTIONS_VERSION)
		return objref__error(OBJREF_EINVAL, "dominators: options version %u, this library knows %u",
			opts->version, OBJREF_DOMINATORS_OPTIONS_VERSION);
	if (snap->nobjects >= UNREACHED - 2)
		return objref__error(OBJREF_EINVAL, "dominators: %zu objects, at most %u", snap->nobjects,
			(unsigned)(UNREACHED - 3));
	w.s = snap;
	if (snap->nedges + snap->nroots >= UINT32_MAX)
		return objref__error(OBJREF_EINVAL, "dominators: %zu references, at most %u", snap->nedges,
			(unsigned)(UINT32_MAX - 1 - snap->nroots));
	cells = snap->nobjects + 2;
	if (!(w.dfn = big(snap->nobjects, sizeof(uint32_t), 1)) ||
	    !(w.vert = big(cells, sizeof(objref_id), 0)) ||
	    !(w.parent = big(cells, sizeof(uint32_t), 0)) ||
	    !(w.size = big(cells, sizeof(uint64_t), 0)) ||
	    !(w.arcs = big(snap->nedges + snap->nroots + 1, sizeof(*w.arcs), 0)) ||
	    !(w.pred_start = big(cells + 1, sizeof(uint32_t), 1))) {
		rc = OBJREF_ENOMEM;
		goto cleanup;
	}
	if ((rc = number(&w)) < 0 || (rc = predecessors(&w)) < 0)
		goto cleanup;
	cells = (size_t)w.n + 1;
	if (!(w.semi = big(cells, sizeof(uint32_t), 0)) ||
	    !(w.label = big(cells, sizeof(uint32_t), 0)) ||
	    !(w.ancestor = big(cells, sizeof(uint32_t), 1)) ||
	    !(w.stack = objref__malloc(cells * sizeof(uint32_t)))) {
		rc = OBJREF_ENOMEM;
		goto cleanup;
	}
	semidominators(&w);
	immediate(&w);
	rc = result(out, &w);
cleanup:
	work_free(&w);
	return rc;
}

void objref_dominators_free(objref_dominators *d)
{
	if (!d)
		return;
	objref__free(d->idom_of);
	objref__free(d->retained);
	objref__free(d);
}

int objref_dominators_reachable(const objref_dominators *d, objref_id id)
{
	return id < d->nobjects && d->idom_of[id] != UNREACHED;
}

objref_id objref_dominators_idom(const objref_dominators *d, objref_id id)
{
	if (id >= d->nobjects || d->idom_of[id] == UNREACHED)
		return OBJREF_NO_ID;
	return d->idom_of[id];
}

uint64_t objref_dominators_retained(const objref_dominators *d, objref_id id)
{
	return id < d->nobjects ? d->retained[id] : 0;
}

uint64_t objref_dominators_total(const objref_dominators *d)
{
	return d->total;
}

size_t objref_dominators_nreachable(const objref_dominators *d)
{
	return d->nreached;
}

/* ---- retained bytes per type ---------------------------------------------- */

/*
 * A walk of the dominator tree (children lists built from idom_of, the
 * synthetic root's children first) keeping, per type, how many objects of
 * that type are on the path from the root: an object counts for its type
 * only when none is.
 */
int objref_dominators_by_type(uint64_t *out, const objref_dominators *d, const objref_snapshot *snap)
{
	size_t n = d->nobjects, top = 0, *start = NULL;
	objref_id *kids = NULL, *stk = NULL;
	uint8_t *entered = NULL;
	uint32_t *onpath = NULL;
	int rc = OBJREF_ENOMEM;

	if (snap->nobjects != n)
		return objref__error(OBJREF_EINVAL, "dominators: built for %zu objects, snapshot has %zu", n,
			snap->nobjects);
	memset(out, 0, snap->ntypes * sizeof(*out));
	/* children of object i at kids[start[i] .. start[i+1]); of the
	 * synthetic root at kids[start[n] .. start[n+1]) */
	if (!(start = objref__calloc(n + 2, sizeof(size_t))) ||
	    !(kids = objref__malloc((n ? n : 1) * sizeof(objref_id))) ||
	    !(stk = objref__malloc((n ? n : 1) * sizeof(objref_id))) ||
	    !(entered = objref__calloc(n ? n : 1, 1)) ||
	    !(onpath = objref__calloc(snap->ntypes ? snap->ntypes : 1, sizeof(uint32_t))))
		goto cleanup;
	for (size_t i = 0; i < n; i++)
		if (d->idom_of[i] != UNREACHED)
			start[(d->idom_of[i] == OBJREF_NO_ID ? n : d->idom_of[i]) + 1]++;
	for (size_t i = 1; i < n + 2; i++)
		start[i] += start[i - 1];
	for (size_t i = 0; i < n; i++)
		if (d->idom_of[i] != UNREACHED)
			kids[start[d->idom_of[i] == OBJREF_NO_ID ? n : d->idom_of[i]]++] = (objref_id)i;
	for (size_t i = n + 1; i > 0; i--)
		start[i] = start[i - 1];
	start[0] = 0;
	for (size_t k = start[n]; k < start[n + 1]; k++)
		stk[top++] = kids[k];
	while (top > 0) {
		objref_id id = stk[top - 1];
		objref_type_id t = snap->objects[id].type;
		if (entered[id]) { /* leaving id */
			onpath[t]--;
			top--;
			continue;
		}
		entered[id] = 1;
		if (onpath[t]++ == 0)
			out[t] += d->retained[id];
		/* the stack holds each object at most once: n entries suffice */
		for (size_t k = start[id]; k < start[id + 1]; k++)
			stk[top++] = kids[k];
	}
	rc = 0;
cleanup:
	objref__free(start);
	objref__free(kids);
	objref__free(stk);
	objref__free(entered);
	objref__free(onpath);
	return rc;
}

/*
 * lib/paths_index.c — the reverse index (who refers to each object) and the
 * breadth-first searches over it and over the snapshot's references.
 *
 * The reverse index is built by a counting sort over the snapshot's CSR,
 * with no temporary array: start[] first counts the referrers of each
 * object, becomes the offset of each object's block by a prefix sum, serves
 * as the fill cursor (after the fill start[i] is the end of block i), and is
 * shifted by one place to end as the offsets again.  Its invariants are in
 * include/objref/paths.h.
 *
 * A search is one breadth-first walk over a CSR (the reverse index going
 * backward, the snapshot's edges going forward) with an explicit queue.
 * Visited marks carry a generation number, so starting a search costs
 * nothing and a search costs only what it visits.
 */
#include <stdlib.h>
#include <string.h>
#include "snapshot_internal.h"
#include "objref/paths.h"
#include "objref/roots.h"

struct objref_revindex {
	const objref_snapshot *snap; /* built from; only compared, never read */
	size_t nobjects, nedges;
	uint64_t *start;      /* nobjects + 1 offsets into src and label */
	objref_id *src;       /* nedges referrers */
	objref_label *label;  /* nedges labels */
};

void objref_revindex_free(objref_revindex *ri)
{
	if (!ri)
		return;
	objref__free(ri->start);
	objref__free(ri->src);
	objref__free(ri->label);
	objref__free(ri);
}

/* start[i] = first slot of object i's referrers (start[n] = nedges). */
static void count_referrers(uint64_t *start, const objref_snapshot *s)
{
	uint64_t sum = 0;

	for (size_t e = 0; e < s->nedges; e++)
		start[s->edge_dst[e]]++;
	for (size_t i = 0; i <= s->nobjects; i++) {
		uint64_t c = start[i];
		start[i] = sum;
		sum += c;
	}
}

/* Place every edge in its target's block, sources in increasing order. */
static void fill_referrers(objref_revindex *ri, const objref_snapshot *s)
{
	for (size_t i = 0; i < s->nobjects; i++) {
		for (uint64_t e = s->edge_start[i]; e < s->edge_start[i + 1]; e++) {
			uint64_t at = ri->start[s->edge_dst[e]]++;
			ri->src[at] = (objref_id)i;
			ri->label[at] = s->edge_label[e];
		}
	}
	/* start[i] is now the end of block i: shift back to beginnings */
	memmove(ri->start + 1, ri->start, s->nobjects * sizeof(uint64_t));
	ri->start[0] = 0;
}

int objref_revindex_new(objref_revindex **out, const objref_snapshot *snap)
{
	objref_revindex *ri = objref__calloc(1, sizeof(*ri));
	size_t ne = OBJREF__MAX(snap->nedges, 1);

	*out = NULL;
	if (!ri)
		return OBJREF_ENOMEM;
	ri->snap = snap;
	ri->nobjects = snap->nobjects;
	ri->nedges = snap->nedges;
	if (!(ri->start = objref__calloc(snap->nobjects + 1, sizeof(uint64_t))) ||
	    !(ri->src = objref__malloc(ne * sizeof(objref_id))) ||
	    !(ri->label = objref__malloc(ne * sizeof(objref_label)))) {
		objref_revindex_free(ri);
		return OBJREF_ENOMEM;
	}
	count_referrers(ri->start, snap);
	fill_referrers(ri, snap);
	*out = ri;
	return 0;
}

int objref_revindex_referrers(const objref_id **src, const objref_label **labels, size_t *n,
	const objref_revindex *ri, objref_id id)
{
	if (id >= ri->nobjects)
		return objref__error(OBJREF_EINVAL, "object id %u out of range (%zu objects)",
			id, ri->nobjects);
	*src = ri->src + ri->start[id];
	*labels = ri->label + ri->start[id];
	*n = (size_t)(ri->start[id + 1] - ri->start[id]);
	return 0;
}

size_t objref_revindex_bytes(const objref_revindex *ri)
{
	return (ri->nobjects + 1) * sizeof(uint64_t) +
		OBJREF__MAX(ri->nedges, 1) * (sizeof(objref_id) + sizeof(objref_label));
}

/* ---- the searcher --------------------------------------------------------- */

/*
 * Invariants: object id was reached by the current search iff mark[id] ==
 * gen (ignored objects are marked as reached and never queued); then
 * parent[id] is the object it was reached from (OBJREF_NO_ID for the start)
 * and via[id] the label of the reference between the two.  queue[0..qlen)
 * holds the objects reached in the order reached, so each BFS level is a
 * contiguous run of it.  rank[id] is the rank of id as a default root
 * (0: not one); rootix lists the root records by object, the most
 * preferred record of each object first.  dist, once computed, is each
 * object's distance from the nearest default root along references
 * (UINT32_MAX: no root reaches it).
 */
struct objref_paths {
	const objref_snapshot *snap;
	const objref_revindex *ri;
	objref_revindex *own_ri; /* built by objref_paths_new, or NULL */
	uint32_t *mark;
	uint32_t gen;
	objref_id *parent;
	objref_label *via;
	uint8_t *rank;
	objref_root_index rootix;
	uint32_t *dist;
	objref_id *queue;
	size_t qcap;
};

/* What a search walks: CSR adjacency, and which way it follows references. */
typedef struct {
	const uint64_t *start;
	const objref_id *adj;
	const objref_label *label;
	int forward;
} graph;

/* What a search looks for and how far. */
typedef struct {
	objref_paths_pred pred; /* NULL: the default roots, by rank */
	void *arg;
	size_t max_depth;
	unsigned flags;
	int by_dist;  /* past max_depth, answer from s->dist instead of searching */
} goal;

/* What a search found. */
typedef struct {
	objref_id hit;     /* the goal chosen, or OBJREF_NO_ID */
	size_t hit_depth;
	unsigned hit_rank; /* its rank, 1 the best */
	objref_id deepest; /* first object reached at the deepest level <= max_depth */
	int cut;           /* STOP_AT_DEPTH: something was left unexplored */
	int stopped;       /* by_dist: the search stopped at max_depth */
} outcome;

void objref_paths_options_init(objref_paths_options *opts)
{
	*opts = (objref_paths_options)OBJREF_PATHS_OPTIONS_INIT;
}

const objref_revindex *objref_paths_revindex(const objref_paths *s)
{
	return s->ri;
}

void objref_paths_free(objref_paths *s)
{
	if (!s)
		return;
	objref_revindex_free(s->own_ri);
	objref__free(s->mark);
	objref__free(s->parent);
	objref__free(s->via);
	objref__free(s->rank);
	objref_root_index_dispose(&s->rootix);
	objref__free(s->dist);
	objref__free(s->queue);
	objref__free(s);
}

static void rank_roots(uint8_t *rank, const objref_snapshot *snap)
{
	for (size_t r = 0; r < snap->nroots; r++) {
		objref_id id = snap->roots[r].object;
		uint8_t k = (uint8_t)objref_root_rank(snap->roots[r].kind);
		if (id < snap->nobjects && (!rank[id] || k < rank[id]))
			rank[id] = k;
	}
	for (size_t i = 0; i < snap->nobjects; i++) {
		uint32_t f = snap->objects[i].flags;
		if ((f & OBJREF_F_MODULE) || ((f & OBJREF_F_ROOT) && !rank[i]))
			rank[i] = 1;
	}
}

int objref_paths_new(objref_paths **out, const objref_snapshot *snap, const objref_revindex *ri)
{
	size_t n = OBJREF__MAX(snap->nobjects, 1);
	objref_paths *s;
	int err = OBJREF_ENOMEM;

	*out = NULL;
	if (ri && (ri->snap != snap || ri->nobjects != snap->nobjects || ri->nedges != snap->nedges))
		return objref__error(OBJREF_EINVAL, "the reverse index belongs to another snapshot");
	if (!(s = objref__calloc(1, sizeof(*s))))
		return OBJREF_ENOMEM;
	s->snap = snap;
	if (!ri && (err = objref_revindex_new(&s->own_ri, snap)) < 0)
		goto fail;
	s->ri = ri ? ri : s->own_ri;
	if (!(s->mark = objref__calloc(n, sizeof(uint32_t))) ||
	    !(s->parent = objref__malloc(n * sizeof(objref_id))) ||
	    !(s->via = objref__malloc(n * sizeof(objref_label))) ||
	    !(s->rank = objref__calloc(n, 1)) ||
	    objref_root_index_init(&s->rootix, snap) < 0) {
		err = OBJREF_ENOMEM;
		goto fail;
	}
	rank_roots(s->rank, snap);
	*out = s;
	return 0;
fail:
	objref_paths_free(s);
	return err;
}

int objref_paths_is_root(const objref_paths *s, objref_id id)
{
	return id < s->snap->nobjects ? s->rank[id] : 0;
}

const objref_root *objref_paths_root_of(const objref_paths *s, objref_id id)
{
	return objref_root_of(&s->rootix, s->snap, id);
}

void objref_chain_dispose(objref_chain *chain)
{
	if (!chain)
		return;
	objref__free(chain->ids);
	objref__free(chain->labels);
	memset(chain, 0, sizeof(*chain));
}

/* ---- one breadth-first search -------------------------------------------- */

/* The rank of id as a goal (0: not one), or -1 when the predicate asks
 * to stop. */
static long goal_rank(const objref_paths *s, const goal *g, objref_id id)
{
	int r;

	if (!g->pred)
		return s->rank[id];
	r = g->pred(s->snap, id, g->arg);
	return r < 0 ? -1 : r;
}

/*
 * Weigh y, reached at depth d, as the goal.  Within max_depth the best rank
 * wins, the nearest among equals; past it (only searched when nothing was
 * within) any goal ends the search.  Returns 1 when the search is over, 0
 * to go on, OBJREF_ERROR when the predicate stopped it.
 */
static int consider(outcome *out, const objref_paths *s, const goal *gl, objref_id y, size_t d)
{
	long r = goal_rank(s, gl, y);

	if (r < 0)
		return objref__error(OBJREF_ERROR, "the predicate stopped the search");
	if (r == 0 || (unsigned long)r >= out->hit_rank)
		return 0;
	out->hit = y;
	out->hit_depth = d;
	out->hit_rank = (unsigned)OBJREF__MIN((unsigned long)r, UINT32_MAX);
	return d > gl->max_depth || r == 1;
}

/* A new generation: every mark becomes stale at once. */
static void next_generation(objref_paths *s)
{
	if (++s->gen == 0) {
		memset(s->mark, 0, OBJREF__MAX(s->snap->nobjects, 1) * sizeof(uint32_t));
		s->gen = 1;
	}
}

/* Mark the ignored objects as reached, so the search never passes them. */
static void ignore(objref_paths *s, const objref_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] < s->snap->nobjects)
			s->mark[ids[i]] = s->gen;
}

/* Room in the queue for one more object. */
static int queue_room(objref_paths *s, size_t qlen)
{
	return objref__grow((void **)&s->queue, &s->qcap, qlen + 1, sizeof(objref_id));
}

/* Nonzero when x has a neighbour the search has not reached. */
static int has_unreached(const objref_paths *s, const graph *g, objref_id x)
{
	for (uint64_t e = g->start[x]; e < g->start[x + 1]; e++)
		if (s->mark[g->adj[e]] != s->gen)
			return 1;
	return 0;
}

/* y is reached from x by a reference labelled `via`. */
static void reach(objref_paths *s, objref_id y, objref_id x, objref_label via)
{
	s->mark[y] = s->gen;
	s->parent[y] = x;
	s->via[y] = via;
}

/*
 * The search proper: level by level from start (already reached), until
 * the best goal is certain, the queue runs out, or (STOP_AT_DEPTH)
 * max_depth.  Returns 0, OBJREF_ENOMEM or OBJREF_ERROR.
 */
static int bfs(outcome *out, objref_paths *s, const graph *g, const goal *gl, objref_id start)
{
	size_t qlen = 1, level = 0, level_end = 1, deepest_level = 0;
	int done;

	out->hit = OBJREF_NO_ID;
	out->hit_depth = 0;
	out->hit_rank = UINT32_MAX;
	out->deepest = start;
	out->cut = 0;
	out->stopped = 0;
	if ((done = consider(out, s, gl, start, 0)) != 0)
		return done < 0 ? done : 0;
	for (size_t head = 0; head < qlen; head++) {
		objref_id x = s->queue[head];

		if (head == level_end) {
			level++;
			level_end = qlen;
		}
		if (level >= gl->max_depth && out->hit != OBJREF_NO_ID)
			break; /* everything within max_depth was weighed */
		if (level >= gl->max_depth && gl->by_dist) {
			out->stopped = 1;
			break;
		}
		if (level >= gl->max_depth && (gl->flags & OBJREF_PATHS_STOP_AT_DEPTH)) {
			if ((out->cut = has_unreached(s, g, x)))
				break;
			continue;
		}
		for (uint64_t e = g->start[x]; e < g->start[x + 1]; e++) {
			objref_id y = g->adj[e];

			if (s->mark[y] == s->gen)
				continue;
			if (qlen == s->qcap && queue_room(s, qlen) < 0)
				return OBJREF_ENOMEM;
			reach(s, y, x, g->label[e]);
			s->queue[qlen++] = y;
			if (level + 1 <= gl->max_depth && level + 1 > deepest_level) {
				deepest_level = level + 1;
				out->deepest = y;
			}
			if ((done = consider(out, s, gl, y, level + 1)) != 0)
				return done < 0 ? done : 0;
		}
	}
	return 0;
}

/* Room in chain for n objects and n labels; on failure the chain is empty. */
static int chain_room(objref_chain *c, size_t n)
{
	size_t cap = OBJREF__MAX(OBJREF__MAX(n, 2 * c->cap), 16);
	objref_id *ids;
	objref_label *labels;

	if (n <= c->cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(objref_id))
		return objref__error(OBJREF_ENOMEM, "a chain of %zu objects is too long", n);
	if (!(ids = objref__realloc(c->ids, cap * sizeof(objref_id))))
		return OBJREF_ENOMEM;
	c->ids = ids;
	if (!(labels = objref__realloc(c->labels, cap * sizeof(objref_label))))
		return OBJREF_ENOMEM;
	c->labels = labels;
	c->cap = cap;
	return 0;
}

/*
 * The chain through the search tree from `end` back to the start: for a
 * backward search end ... start (references go from end toward the
 * start), for a forward one start ... end.
 */
static int make_chain(objref_chain *c, const objref_paths *s, objref_id end, int forward)
{
	size_t n = 1, i;
	objref_id x;
	int err;

	for (x = end; s->parent[x] != OBJREF_NO_ID; x = s->parent[x])
		n++;
	if ((err = chain_room(c, n)) < 0)
		return err;
	for (i = 0, x = end; i < n; i++, x = s->parent[x]) {
		size_t at = forward ? n - 1 - i : i;
		c->ids[at] = x;
		if (!forward && i + 1 < n)
			c->labels[at] = s->via[x];      /* x -> parent[x] */
		else if (forward && at > 0)
			c->labels[at - 1] = s->via[x];  /* parent[x] -> x */
	}
	c->n = n;
	return 0;
}

/*
 * s->dist, computed once per searcher: one breadth-first pass along
 * references from every default root at once.  Returns 0 or OBJREF_ENOMEM.
 */
static int root_distances(objref_paths *s)
{
	const objref_snapshot *snap = s->snap;
	size_t n = OBJREF__MAX(snap->nobjects, 1), qlen = 0;
	objref_id *q;

	if (s->dist)
		return 0;
	if (!(q = objref__malloc(n * sizeof(objref_id))))
		return OBJREF_ENOMEM;
	if (!(s->dist = objref__malloc(n * sizeof(uint32_t)))) {
		objref__free(q);
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < snap->nobjects; i++) {
		s->dist[i] = s->rank[i] ? 0 : UINT32_MAX;
		if (s->rank[i])
			q[qlen++] = (objref_id)i;
	}
	for (size_t head = 0; head < qlen; head++) {
		objref_id x = q[head];
		for (uint64_t e = snap->edge_start[x]; e < snap->edge_start[x + 1]; e++) {
			objref_id y = snap->edge_dst[e];
			if (s->dist[y] == UINT32_MAX) {
				s->dist[y] = s->dist[x] + 1;
				q[qlen++] = y;
			}
		}
	}
	objref__free(q);
	return 0;
}

/*
 * From x (dist[x] > steps), `steps` references back toward the nearest
 * root, each time to the first referrer one closer; the steps are written
 * into the search tree.  Returns where it ends.
 */
static objref_id descend(objref_paths *s, objref_id x, size_t steps)
{
	const objref_revindex *ri = s->ri;

	while (steps-- > 0) {
		for (uint64_t k = ri->start[x]; k < ri->start[x + 1]; k++) {
			objref_id y = ri->src[k];
			if (s->dist[y] + 1 == s->dist[x]) {
				s->parent[y] = x;
				s->via[y] = ri->label[k];
				x = y;
				break;
			}
		}
	}
	return x;
}

/* The search stopped at max_depth without a root: the distances tell
 * whether one is further away, and the way to it. */
static int answer_by_dist(outcome *out, objref_paths *s, const goal *gl, objref_id start)
{
	int err = root_distances(s);

	if (err < 0)
		return err;
	if (s->dist[start] != UINT32_MAX) {
		out->hit_depth = s->dist[start];
		out->deepest = descend(s, start, gl->max_depth);
	}
	return 0;
}

/* The ancestor of x (toward the start) `up` levels up the search tree. */
static objref_id climb(const objref_paths *s, objref_id x, size_t up)
{
	while (up-- > 0)
		x = s->parent[x];
	return x;
}

/* Run a search from start and turn its outcome into the chain. */
static int search(objref_chain *c, objref_paths *s, const graph *g, const goal *gl,
	objref_id start, const objref_paths_options *o)
{
	const char *what = g->forward ? "target" : "root";
	outcome out;
	int err;

	c->n = 0;
	c->status = OBJREF_PATH_UNREACHABLE;
	c->distance = 0;
	if (start >= s->snap->nobjects)
		return objref__error(OBJREF_EINVAL, "object id %u out of range (%zu objects)",
			start, s->snap->nobjects);
	if (queue_room(s, 0) < 0)
		return OBJREF_ENOMEM;
	next_generation(s);
	ignore(s, o->ignore, o->nignore);
	s->mark[start] = s->gen;
	s->parent[start] = OBJREF_NO_ID;
	s->queue[0] = start;
	if ((err = bfs(&out, s, g, gl, start)) < 0 ||
	    (out.stopped && (err = answer_by_dist(&out, s, gl, start)) < 0))
		return err;

	if (out.hit != OBJREF_NO_ID && out.hit_depth <= gl->max_depth) {
		c->status = OBJREF_PATH_FOUND;
		c->distance = out.hit_depth;
		return make_chain(c, s, out.hit, g->forward);
	}
	if (out.hit != OBJREF_NO_ID || out.cut || out.hit_depth) {
		c->status = OBJREF_PATH_TOO_DEEP;
		c->distance = out.hit_depth;
		if (out.hit != OBJREF_NO_ID)
			out.deepest = climb(s, out.hit, out.hit_depth - gl->max_depth);
	}
	if ((err = make_chain(c, s, out.deepest, g->forward)) < 0)
		return err;
	if (c->status == OBJREF_PATH_UNREACHABLE)
		return objref__error(OBJREF_ENOTFOUND, "no %s is reachable %s object %u", what,
			g->forward ? "from" : "to", start);
	if (c->distance)
		return objref__error(OBJREF_ENOTFOUND, "no %s within %zu references of object %u "
			"(the nearest is %zu away)", what, gl->max_depth, start, c->distance);
	return objref__error(OBJREF_ENOTFOUND, "no %s within %zu references of object %u", what,
		gl->max_depth, start);
}

static const objref_paths_options *options_or_default(const objref_paths_options *o,
	objref_paths_options *dflt)
{
	if (o)
		return o;
	objref_paths_options_init(dflt);
	return dflt;
}

int objref_paths_find(objref_chain *chain, objref_paths *s, objref_id sample,
	const objref_paths_options *opts)
{
	objref_paths_options dflt;
	const objref_paths_options *o = options_or_default(opts, &dflt);
	graph g = { s->ri->start, s->ri->src, s->ri->label, 0 };
	goal gl = { o->is_root, o->is_root_arg, o->max_depth, o->flags,
		!o->is_root && !o->nignore && !(o->flags & OBJREF_PATHS_STOP_AT_DEPTH) };

	return search(chain, s, &g, &gl, sample, o);
}

int objref_paths_find_forward(objref_chain *chain, objref_paths *s, objref_id start,
	objref_paths_pred pred, void *arg, const objref_paths_options *opts)
{
	objref_paths_options dflt;
	const objref_paths_options *o = options_or_default(opts, &dflt);
	const objref_snapshot *snap = s->snap;
	graph g = { snap->edge_start, snap->edge_dst, snap->edge_label, 1 };
	goal gl = { pred, arg, o->max_depth, o->flags, 0 };

	if (!pred) {
		chain->n = 0;
		return objref__error(OBJREF_EINVAL, "a forward search needs a predicate");
	}
	return search(chain, s, &g, &gl, start, o);
}

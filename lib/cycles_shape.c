/*
 * lib/cycles_shape.c — garbage components grouped by shape.
 *
 * For each garbage component with a cycle (more than one object, or one
 * referring to itself): its canonical member is the one with the lowest
 * type id (then the lowest object id); a breadth-first search inside the
 * component finds the shortest cycle through it; the cycle's (type, folded
 * label) sequence is rotated to its least rotation and looked up in a hash
 * table of shapes, keyed by that sequence and the component's class.
 * Then one multi-source search gives each shape the garbage only its
 * instances reach (retained), and the shapes are sorted.
 */
#include <stdlib.h>
#include <string.h>
#include "cycles_internal.h"

typedef struct {
	objref_cycles *c;
	const objref_snapshot *s;
	uint32_t *cstart;          /* members of component k: members[cstart[k] .. cstart[k+1]) */
	objref_id *members;
	objref_id *xsrc, *xdst;    /* the inferred edges: holder -> held */
	size_t nx;
	uint32_t *xstart;          /* by source, CSR */
	objref_id *xto;
	objref_id *par;            /* BFS parents */
	objref_label *parlab;
	uint32_t *seen;            /* component + 1 that the BFS saw it in */
	objref_id *queue;
	objref_id *cyc;            /* the cycle found: ids and labels */
	objref_label *cyclab;
	objref_cycle_step *seq;    /* its steps */
	uint32_t *table;           /* hash table of shape indices, UINT32_MAX empty */
	size_t tmask;
} builder;

static int step_cmp(const objref_cycle_step *a, const objref_cycle_step *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->label < b->label ? -1 : a->label > b->label;
}

/* The start of the least rotation of seq[0..n). */
static size_t least_rotation(const objref_cycle_step *seq, size_t n)
{
	size_t i = 0, j = 1, k = 0;

	while (i < n && j < n && k < n) {
		int d = step_cmp(&seq[(i + k) % n], &seq[(j + k) % n]);
		if (d == 0) {
			k++;
			continue;
		}
		if (d > 0)
			i += k + 1;
		else
			j += k + 1;
		if (i == j)
			j++;
		k = 0;
	}
	return i < j ? i : j;
}

/* Group the garbage objects by component. */
static int group_members(builder *b)
{
	objref_cycles *c = b->c;
	size_t n = b->s->nobjects;

	if (!(b->cstart = objref__calloc(c->ncomp + 2, sizeof(uint32_t))) ||
	    !(b->members = objref__malloc((n + 1) * sizeof(objref_id))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (c->comp[i] != OBJREF_NO_ID)
			b->cstart[c->comp[i] + 2]++;
	for (size_t k = 0; k < c->ncomp; k++)
		b->cstart[k + 2] += b->cstart[k + 1];
	for (size_t i = 0; i < n; i++)
		if (c->comp[i] != OBJREF_NO_ID)
			b->members[b->cstart[c->comp[i] + 1]++] = (objref_id)i;
	return 0;
}

/* The inferred edges (holder -> held) of the culprit pairs still garbage. */
static int inferred_edges(builder *b)
{
	objref_cycles *c = b->c;
	size_t n = b->s->nobjects;

	if (!(b->xsrc = objref__malloc((c->npairs + 1) * sizeof(objref_id))) ||
	    !(b->xdst = objref__malloc((c->npairs + 1) * sizeof(objref_id))) ||
	    !(b->xstart = objref__calloc(n + 2, sizeof(uint32_t))) ||
	    !(b->xto = objref__malloc((c->npairs + 1) * sizeof(objref_id))))
		return OBJREF_ENOMEM;
	for (size_t k = 0; k < c->npairs; k++) {
		objref_id held = c->pairs[2 * k], holder = c->pairs[2 * k + 1];
		if (c->cls[held] == OBJREF_GARBAGE_UNTRAVERSABLE && c->cls[holder]) {
			b->xsrc[b->nx] = holder;
			b->xdst[b->nx++] = held;
			b->xstart[holder + 2]++;
		}
	}
	for (size_t i = 0; i < n; i++)
		b->xstart[i + 2] += b->xstart[i + 1];
	for (size_t k = 0; k < b->nx; k++)
		b->xto[b->xstart[b->xsrc[k] + 1]++] = b->xdst[k];
	return 0;
}

#define HIDDEN_LABEL OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_HIDDEN)

/* Look at w from v (label l) in the BFS of component k from m: returns 1
 * when the edge closes the cycle. */
static int bfs_edge(builder *b, size_t *tail, objref_id v, objref_id w, objref_label l,
	objref_id m, uint32_t k)
{
	if (b->c->comp[w] != k)
		return 0;
	if (w == m) {
		b->par[m] = v;
		b->parlab[m] = l;
		return 1;
	}
	if (b->seen[w] == k + 1)
		return 0;
	b->seen[w] = k + 1;
	b->par[w] = v;
	b->parlab[w] = l;
	b->queue[(*tail)++] = w;
	return 0;
}

/* The shortest cycle through m inside component k, into b->cyc/cyclab;
 * returns its length (0: none, m alone without a self-reference). */
static size_t shortest_cycle(builder *b, objref_id m, uint32_t k)
{
	const objref_snapshot *s = b->s;
	size_t head = 0, tail = 0, len = 0;
	int closed = 0;

	b->queue[tail++] = m;
	b->seen[m] = k + 1;
	while (head < tail && !closed) {
		objref_id v = b->queue[head++];
		for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1] && !closed; e++)
			closed = bfs_edge(b, &tail, v, s->edge_dst[e], s->edge_label[e], m, k);
		for (uint32_t x = b->xstart[v]; x < b->xstart[v + 1] && !closed; x++)
			closed = bfs_edge(b, &tail, v, b->xto[x], HIDDEN_LABEL, m, k);
	}
	if (!closed)
		return 0;
	/* walk back from m's parent to m: the cycle reversed */
	for (objref_id v = m;;) {
		b->cyc[len] = b->par[v];
		b->cyclab[len++] = b->parlab[v];
		v = b->par[v];
		if (v == m)
			break;
	}
	for (size_t i = 0, j = len - 1; i < j; i++, j--) {
		objref_id t = b->cyc[i]; objref_label tl = b->cyclab[i];
		b->cyc[i] = b->cyc[j]; b->cyclab[i] = b->cyclab[j];
		b->cyc[j] = t; b->cyclab[j] = tl;
	}
	return len;  /* cyc[0] == m; cyclab[i]: the reference cyc[i] -> cyc[i+1] */
}

/* The hash of seq[0..n) read from r on, and of the class. */
static uint64_t seq_hash(const objref_cycle_step *seq, size_t n, size_t r, objref_garbage_class cls)
{
	uint64_t h = objref__hash64(n * 8 + (uint64_t)cls);

	for (size_t i = 0; i < n; i++) {
		const objref_cycle_step *st = &seq[(r + i) % n];
		h = objref__hash64(h ^ (((uint64_t)st->type << 32) | st->label));
	}
	return h;
}

static int pool_reserve(objref_cycles *c, size_t need)
{
	if (objref__grow((void **)&c->steps, &c->steps_cap, need, sizeof(objref_cycle_step)) < 0 ||
	    objref__grow((void **)&c->ex_ids, &c->ids_cap, need, sizeof(objref_id)) < 0 ||
	    objref__grow((void **)&c->ex_labels, &c->labels_cap, need, sizeof(objref_label)) < 0)
		return OBJREF_ENOMEM;
	return 0;
}

/* A new shape for component k (cycle in b->cyc rotated by r). */
static int new_shape(uint32_t *out, builder *b, size_t len, size_t r, objref_garbage_class cls,
	uint64_t h, uint32_t k)
{
	objref_cycles *c = b->c;
	objref__shape *sh;

	if (objref__grow((void **)&c->shapes, &c->shapes_cap, c->nshapes + 1, sizeof(*sh)) < 0 ||
	    pool_reserve(c, c->pool_len + len) < 0)
		return OBJREF_ENOMEM;
	sh = &c->shapes[c->nshapes];
	memset(sh, 0, sizeof(*sh));
	sh->hash = h;
	sh->off = c->pool_len;
	sh->pub.nsteps = len;
	sh->pub.cls = cls;
	sh->pub.culprit = OBJREF_NO_ID;
	sh->pub.fix = -1;
	sh->pub.example_size = b->cstart[k + 1] - b->cstart[k];
	for (size_t i = 0; i < len; i++) {
		c->steps[c->pool_len + i] = b->seq[(r + i) % len];
		c->ex_ids[c->pool_len + i] = b->cyc[(r + i) % len];
		c->ex_labels[c->pool_len + i] = b->cyclab[(r + i) % len];
	}
	c->pool_len += len;
	*out = (uint32_t)c->nshapes++;
	return 0;
}

static uint32_t find_shape(builder *b, const objref_cycle_step *seq, size_t len, size_t r,
	objref_garbage_class cls, uint64_t h, size_t *slot)
{
	objref_cycles *c = b->c;
	size_t i = h & b->tmask;

	for (;; i = (i + 1) & b->tmask) {
		uint32_t si = b->table[i];
		const objref__shape *sh;
		size_t j;
		if (si == UINT32_MAX)
			break;
		sh = &c->shapes[si];
		if (sh->hash != h || sh->pub.nsteps != len || sh->pub.cls != cls)
			continue;
		for (j = 0; j < len && !step_cmp(&c->steps[sh->off + j], &seq[(r + j) % len]); j++)
			;
		if (j == len)
			return si;
	}
	*slot = i;
	return UINT32_MAX;
}

/* The culprit of component k of a shape of class cls. */
static objref_id culprit_of(builder *b, uint32_t k, objref_garbage_class cls)
{
	const objref_cycles *c = b->c;

	if (cls == OBJREF_GARBAGE_UNTRAVERSABLE) {
		for (size_t j = 0; j < b->nx; j++)
			if (c->comp[b->xdst[j]] == k)
				return b->xsrc[j];
	} else if (cls == OBJREF_GARBAGE_GC_GARBAGE) {
		for (uint32_t j = b->cstart[k]; j < b->cstart[k + 1]; j++)
			if (b->s->types[b->s->objects[b->members[j]].type].flags & OBJREF_T_LEGACY_DEL)
				return b->members[j];
	}
	return OBJREF_NO_ID;
}

/* Component k: find its cycle and add it to its shape. */
static int add_component(builder *b, uint32_t k)
{
	objref_cycles *c = b->c;
	const objref_snapshot *s = b->s;
	objref_id m = OBJREF_NO_ID;
	objref_garbage_class cls = OBJREF_GARBAGE_NONE;
	uint64_t bytes = 0, h;
	size_t len, r, slot = 0;
	uint32_t si;
	objref__shape *sh;

	for (uint32_t j = b->cstart[k]; j < b->cstart[k + 1]; j++) {
		objref_id v = b->members[j];
		if (m == OBJREF_NO_ID || s->objects[v].type < s->objects[m].type)
			m = v;
		if (c->cls[v] > cls)
			cls = (objref_garbage_class)c->cls[v];
		bytes += s->objects[v].size;
	}
	if (!(len = shortest_cycle(b, m, k)))
		return 0;
	for (size_t i = 0; i < len; i++) {
		b->seq[i].type = s->objects[b->cyc[i]].type;
		b->seq[i].label = objref__cyc_fold(b->cyclab[i]);
	}
	r = least_rotation(b->seq, len);
	h = seq_hash(b->seq, len, r, cls);
	if ((si = find_shape(b, b->seq, len, r, cls, h, &slot)) == UINT32_MAX) {
		if (new_shape(&si, b, len, r, cls, h, k) < 0)
			return OBJREF_ENOMEM;
		b->table[slot] = si;
		c->shapes[si].pub.culprit = culprit_of(b, k, cls);
	}
	sh = &c->shapes[si];
	sh->pub.count++;
	sh->pub.objects += b->cstart[k + 1] - b->cstart[k];
	sh->pub.bytes += bytes;
	if (sh->nsamples < OBJREF__CYC_SAMPLES)
		sh->samples[sh->nsamples++] = k;
	c->comp_shape[k] = si;
	c->comp_rep[k] = m;
	c->sum.components++;
	c->sum.cyclic_objects += b->cstart[k + 1] - b->cstart[k];
	return 0;
}

static int alloc_scratch(builder *b)
{
	objref_cycles *c = b->c;
	size_t n = b->s->nobjects, cap = 16;

	while (cap < 2 * c->ncomp + 16)
		cap <<= 1;
	b->tmask = cap - 1;
	if (!(b->par = objref__malloc((n + 1) * sizeof(objref_id))) ||
	    !(b->parlab = objref__malloc((n + 1) * sizeof(objref_label))) ||
	    !(b->seen = objref__calloc(n + 1, sizeof(uint32_t))) ||
	    !(b->queue = objref__malloc((n + 1) * sizeof(objref_id))) ||
	    !(b->cyc = objref__malloc((n + 1) * sizeof(objref_id))) ||
	    !(b->cyclab = objref__malloc((n + 1) * sizeof(objref_label))) ||
	    !(b->seq = objref__malloc((n + 1) * sizeof(objref_cycle_step))) ||
	    !(b->table = objref__malloc(cap * sizeof(uint32_t))) ||
	    !(c->comp_shape = objref__malloc((c->ncomp + 1) * sizeof(uint32_t))) ||
	    !(c->comp_rep = objref__malloc((c->ncomp + 1) * sizeof(objref_id))))
		return OBJREF_ENOMEM;
	memset(b->table, 0xff, cap * sizeof(uint32_t));
	memset(c->comp_shape, 0xff, (c->ncomp + 1) * sizeof(uint32_t));
	memset(c->comp_rep, 0xff, (c->ncomp + 1) * sizeof(objref_id));
	return 0;
}

/* Retained: garbage reached first from a shape's instances counts to it. */
static void retain(builder *b)
{
	objref_cycles *c = b->c;
	const objref_snapshot *s = b->s;
	uint32_t *owner = b->seen;  /* reused: shape + 1, 0 none */
	size_t head = 0, tail = 0;

	memset(owner, 0, (s->nobjects + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < s->nobjects; i++)
		if (c->comp[i] != OBJREF_NO_ID && c->comp_shape[c->comp[i]] != UINT32_MAX) {
			owner[i] = c->comp_shape[c->comp[i]] + 1;
			b->queue[tail++] = (objref_id)i;
		}
	while (head < tail) {
		objref_id v = b->queue[head++];
		objref__shape *sh = &c->shapes[owner[v] - 1];
		sh->pub.retained_objects++;
		sh->pub.retained_bytes += s->objects[v].size;
		for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1]; e++) {
			objref_id w = s->edge_dst[e];
			if (c->cls[w] && !owner[w]) {
				owner[w] = owner[v];
				b->queue[tail++] = w;
			}
		}
	}
}

static int shape_order(const void *pa, const void *pb)
{
	const objref__shape *a = pa, *b = pb;

	if (a->pub.retained_bytes != b->pub.retained_bytes)
		return a->pub.retained_bytes > b->pub.retained_bytes ? -1 : 1;
	if (a->pub.count != b->pub.count)
		return a->pub.count > b->pub.count ? -1 : 1;
	return a->off < b->off ? -1 : a->off > b->off;
}

/* Sort the shapes, renumber comp_shape, and set the public pointers. */
static int finish_shapes(objref_cycles *c)
{
	uint32_t *newpos = objref__malloc((c->nshapes + 1) * sizeof(uint32_t));

	if (!newpos)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < c->nshapes; i++)
		c->shapes[i].old = (uint32_t)i;
	if (c->nshapes)
		qsort(c->shapes, c->nshapes, sizeof(*c->shapes), shape_order);
	for (size_t i = 0; i < c->nshapes; i++) {
		objref__shape *sh = &c->shapes[i];
		newpos[sh->old] = (uint32_t)i;
		sh->pub.steps = c->steps + sh->off;
		sh->pub.example = c->ex_ids + sh->off;
		sh->pub.example_labels = c->ex_labels + sh->off;
	}
	for (size_t k = 0; k < c->ncomp; k++)
		if (c->comp_shape[k] != UINT32_MAX)
			c->comp_shape[k] = newpos[c->comp_shape[k]];
	objref__free(newpos);
	c->sum.nshapes = c->nshapes;
	return 0;
}

static void builder_dispose(builder *b)
{
	objref__free(b->cstart);
	objref__free(b->members);
	objref__free(b->xsrc);
	objref__free(b->xdst);
	objref__free(b->xstart);
	objref__free(b->xto);
	objref__free(b->par);
	objref__free(b->parlab);
	objref__free(b->seen);
	objref__free(b->queue);
	objref__free(b->cyc);
	objref__free(b->cyclab);
	objref__free(b->seq);
	objref__free(b->table);
}

static int has_cycle(const builder *b, uint32_t k)
{
	const objref_snapshot *s = b->s;
	objref_id v = b->members[b->cstart[k]];

	if (b->cstart[k + 1] - b->cstart[k] > 1)
		return 1;
	for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1]; e++)
		if (s->edge_dst[e] == v)
			return 1;
	return 0;
}

static void summarise(objref_cycles *c)
{
	const objref_snapshot *s = c->snap;

	for (size_t i = 0; i < s->nobjects; i++) {
		if (!c->cls[i])
			continue;
		c->sum.garbage_objects++;
		c->sum.garbage_bytes += s->objects[i].size;
		c->sum.by_class[c->cls[i]]++;
	}
}

int objref_cycles_find(objref_cycles **out, objref_snapshot *snap)
{
	objref_cycles *c = objref__calloc(1, sizeof(*c));
	builder b;
	int err = OBJREF_ENOMEM;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	if (!c)
		return OBJREF_ENOMEM;
	c->snap = snap;
	b.c = c;
	b.s = snap;
	if ((err = objref_garbage_find(&c->cls, &c->pairs, &c->npairs, snap)) < 0 ||
	    (err = inferred_edges(&b)) < 0 ||
	    (err = objref_scc(&c->comp, &c->ncomp, snap, c->cls, b.xsrc, b.xdst, b.nx)) < 0 ||
	    (err = group_members(&b)) < 0 || (err = alloc_scratch(&b)) < 0)
		goto cleanup;
	for (uint32_t k = 0; k < c->ncomp && !err; k++)
		if (has_cycle(&b, k))
			err = add_component(&b, k);
	if (err < 0)
		goto cleanup;
	summarise(c);
	retain(&b);
	if ((err = finish_shapes(c)) < 0 || (err = objref__cycles_fix(c, b.cstart, b.members, b.xstart, b.xto)) < 0)
		goto cleanup;
	*out = c;
	c = NULL;
cleanup:
	builder_dispose(&b);
	objref_cycles_free(c);
	return err;
}

void objref_cycles_free(objref_cycles *c)
{
	if (!c)
		return;
	objref__free(c->cls);
	objref__free(c->pairs);
	objref__free(c->comp);
	objref__free(c->comp_shape);
	objref__free(c->comp_rep);
	objref__free(c->shapes);
	objref__free(c->steps);
	objref__free(c->ex_ids);
	objref__free(c->ex_labels);
	objref__free(c);
}

void objref_cycles_summary_get(objref_cycles_summary *out, const objref_cycles *c)
{
	*out = c->sum;
}

size_t objref_cycles_nshapes(const objref_cycles *c)
{
	return c->nshapes;
}

const objref_cycle_shape *objref_cycles_shape(const objref_cycles *c, size_t i)
{
	return i < c->nshapes ? &c->shapes[i].pub : NULL;
}

const uint8_t *objref_cycles_classes(const objref_cycles *c)
{
	return c->cls;
}

long objref_cycles_shape_of(const objref_cycles *c, objref_id id)
{
	uint32_t k;

	if (id >= c->snap->nobjects || (k = c->comp[id]) == OBJREF_NO_ID || c->comp_shape[k] == UINT32_MAX)
		return -1;
	return (long)c->comp_shape[k];
}

size_t objref_cycles_instances(objref_id *ids, size_t max, const objref_cycles *c, size_t i)
{
	size_t n = 0;

	for (size_t k = 0; k < c->ncomp && n < max; k++)
		if (c->comp_shape[k] == i)
			ids[n++] = c->comp_rep[k];
	return n;
}

int objref_cycles_set_label(objref_cycles *c, size_t i, size_t step, objref_label l)
{
	objref__shape *sh;

	if (i >= c->nshapes || step >= c->shapes[i].pub.nsteps)
		return objref__error(OBJREF_EINVAL, "no step %zu of shape %zu", step, i);
	sh = &c->shapes[i];
	c->steps[sh->off + step].label = objref__cyc_fold(l);
	c->ex_labels[sh->off + step] = l;
	objref__cycles_choose_fix(c, sh);
	return 0;
}

/*
 * lib/view.c — the part of a snapshot to draw (include/objref/view.h).
 *
 * Nodes live in one array; an open-addressing table maps object ids to
 * OBJECT nodes, another maps (from, to, label) to edges, so both stay O(1)
 * per insertion whatever the walk.  Root records are copied into an array
 * sorted by object, best rank first, for objref_view_root_of.
 */
#include <stdlib.h>
#include <string.h>
#include "objref/view.h"
#include "internal.h"
#include "objref/roots.h"
#include "view_internal.h"

#define EMPTY UINT32_MAX

struct objref_view {
	const objref_snapshot *snap;
	size_t max_nodes;
	objref_view_node *nodes;
	size_t nnodes, cap_nodes;
	objref_view_edge *edges;
	size_t nedges, cap_edges;
	uint32_t *node_slots; /* object id -> node index; power-of-2 size */
	size_t node_mask;
	uint32_t *edge_slots; /* edge hash -> edge index */
	size_t edge_mask;
	objref_root_index rootix; /* root records by object, then rank (objref/roots.h) */
	uint32_t *roots;      /* rootix.order */
	size_t nroots;
	uint8_t *truncated_bits; /* objects left out for lack of room; lazily made */
	size_t truncated;
};

/* ---- lifetime ------------------------------------------------------------ */

static int index_roots(objref_view *v)
{
	int err = objref_root_index_init(&v->rootix, v->snap);

	v->roots = v->rootix.order;
	v->nroots = v->rootix.n;
	return err;
}

static uint32_t *new_slots(size_t n)
{
	uint32_t *s = objref__malloc(n * sizeof(*s));

	if (s)
		memset(s, 0xff, n * sizeof(*s));
	return s;
}

int objref_view_new(objref_view **out, const objref_snapshot *snap, size_t max_nodes)
{
	objref_view *v;

	*out = NULL;
	if (!snap)
		return objref__error(OBJREF_EINVAL, "objref_view_new: no snapshot");
	if (!(v = objref__calloc(1, sizeof(*v))))
		return OBJREF_ENOMEM;
	v->snap = snap;
	v->max_nodes = max_nodes ? max_nodes : OBJREF_VIEW_MAX_NODES;
	if (v->max_nodes >= EMPTY)
		v->max_nodes = EMPTY - 1;
	v->node_mask = v->edge_mask = 63;
	if (!(v->node_slots = new_slots(64)) || !(v->edge_slots = new_slots(64)) || index_roots(v) < 0) {
		objref_view_free(v);
		return OBJREF_ENOMEM;
	}
	*out = v;
	return 0;
}

void objref_view_free(objref_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nnodes; i++)
		objref__free(v->nodes[i].extra);
	objref__free(v->nodes);
	objref__free(v->edges);
	objref__free(v->node_slots);
	objref__free(v->edge_slots);
	objref_root_index_dispose(&v->rootix);
	objref__free(v->truncated_bits);
	objref__free(v);
}

const objref_snapshot *objref_view_snapshot(const objref_view *v)
{
	return v->snap;
}

const objref_view_node *objref_view_nodes(const objref_view *v, size_t *n)
{
	*n = v->nnodes;
	return v->nodes;
}

const objref_view_edge *objref_view_edges(const objref_view *v, size_t *n)
{
	*n = v->nedges;
	return v->edges;
}

size_t objref_view_truncated(const objref_view *v)
{
	return v->truncated;
}

/* ---- roots ----------------------------------------------------------------- */

/* The first position in v->roots of object id's records, or nroots. */
static size_t roots_lower(const objref_view *v, objref_id id)
{
	const objref_root *r = objref_snapshot_roots(v->snap, &(size_t){0});
	size_t lo = 0, hi = v->nroots;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[v->roots[mid]].object < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const objref_root *objref_view_root_of(const objref_view *v, objref_id id)
{
	return objref_root_of(&v->rootix, v->snap, id);
}

/* ---- nodes ----------------------------------------------------------------- */

static int rehash_nodes(objref_view *v)
{
	size_t size = (v->node_mask + 1) * 2;
	uint32_t *s = new_slots(size);

	if (!s)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < v->nnodes; i++) {
		if (v->nodes[i].kind != OBJREF_VN_OBJECT)
			continue;
		size_t h = objref__hash64(v->nodes[i].id) & (size - 1);
		while (s[h] != EMPTY)
			h = (h + 1) & (size - 1);
		s[h] = (uint32_t)i;
	}
	objref__free(v->node_slots);
	v->node_slots = s;
	v->node_mask = size - 1;
	return 0;
}

uint32_t objref_view_find(const objref_view *v, objref_id id)
{
	size_t h = objref__hash64(id) & v->node_mask;

	for (; v->node_slots[h] != EMPTY; h = (h + 1) & v->node_mask)
		if (v->nodes[v->node_slots[h]].id == id)
			return v->node_slots[h];
	return EMPTY;
}

/* Count `id` once as left out for lack of room. */
static int note_truncated(objref_view *v, objref_id id)
{
	size_t n = objref_snapshot_nobjects(v->snap);

	if (!v->truncated_bits && !(v->truncated_bits = objref__calloc((n + 7) / 8, 1)))
		return OBJREF_ENOMEM;
	if (!(v->truncated_bits[id / 8] & (1u << (id % 8)))) {
		v->truncated_bits[id / 8] |= (uint8_t)(1u << (id % 8));
		v->truncated++;
	}
	return objref__error(OBJREF_ENOTFOUND, "the view is full (%zu nodes)", v->max_nodes);
}

/* Append a node; *out is its index.  No room: OBJREF_ENOTFOUND. */
int objref__view_push(uint32_t *out, objref_view *v, const objref_view_node *n)
{
	if (v->nnodes >= v->max_nodes)
		return OBJREF_ENOTFOUND;
	if (objref__grow((void **)&v->nodes, &v->cap_nodes, v->nnodes + 1, sizeof(*v->nodes)) < 0)
		return OBJREF_ENOMEM;
	v->nodes[v->nnodes] = *n;
	*out = (uint32_t)v->nnodes++;
	return 0;
}

objref_view_node *objref__view_node(objref_view *v, uint32_t node)
{
	return &v->nodes[node];
}

int objref_view_object(uint32_t *out, objref_view *v, objref_id id, uint32_t flags)
{
	objref_view_node n = { OBJREF_VN_OBJECT, id, flags, 0, 0, NULL };
	uint32_t at = objref_view_find(v, id);
	int err;

	*out = EMPTY;
	if (id >= objref_snapshot_nobjects(v->snap))
		return objref__error(OBJREF_EINVAL, "object %u is not in the snapshot", id);
	if (at != EMPTY) {
		v->nodes[at].flags |= flags;
		*out = at;
		return 0;
	}
	if ((v->nnodes + 1) * 2 > v->node_mask + 1 && rehash_nodes(v) < 0)
		return OBJREF_ENOMEM;
	if ((err = objref__view_push(&at, v, &n)) == OBJREF_ENOTFOUND)
		return note_truncated(v, id);
	if (err < 0)
		return err;
	size_t h = objref__hash64(id) & v->node_mask;
	while (v->node_slots[h] != EMPTY)
		h = (h + 1) & v->node_mask;
	v->node_slots[h] = at;
	*out = at;
	return 0;
}

int objref_view_node_flag(objref_view *v, uint32_t node, uint32_t flags)
{
	if (node >= v->nnodes)
		return objref__error(OBJREF_EINVAL, "no node %u in the view", node);
	v->nodes[node].flags |= flags;
	return 0;
}

int objref_view_node_extra(objref_view *v, uint32_t node, const char *text)
{
	char *copy = NULL;

	if (node >= v->nnodes)
		return objref__error(OBJREF_EINVAL, "no node %u in the view", node);
	if (text && !(copy = objref__strndup(text, strlen(text))))
		return OBJREF_ENOMEM;
	objref__free(v->nodes[node].extra);
	v->nodes[node].extra = copy;
	return 0;
}

/* ---- edges ----------------------------------------------------------------- */

static size_t edge_hash(uint32_t from, uint32_t to, objref_label l)
{
	return (size_t)objref__hash64(((uint64_t)from << 32 | to) ^ ((uint64_t)l * 0x9e3779b97f4a7c15ULL));
}

static int rehash_edges(objref_view *v)
{
	size_t size = (v->edge_mask + 1) * 2;
	uint32_t *s = new_slots(size);

	if (!s)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < v->nedges; i++) {
		const objref_view_edge *e = &v->edges[i];
		size_t h = edge_hash(e->from, e->to, e->label) & (size - 1);
		while (s[h] != EMPTY)
			h = (h + 1) & (size - 1);
		s[h] = (uint32_t)i;
	}
	objref__free(v->edge_slots);
	v->edge_slots = s;
	v->edge_mask = size - 1;
	return 0;
}

int objref_view_edge_add(objref_view *v, uint32_t from, uint32_t to, objref_label label, uint32_t flags)
{
	size_t h;

	if (from >= v->nnodes || to >= v->nnodes)
		return objref__error(OBJREF_EINVAL, "edge %u -> %u: no such node", from, to);
	for (h = edge_hash(from, to, label) & v->edge_mask; v->edge_slots[h] != EMPTY;
	     h = (h + 1) & v->edge_mask) {
		objref_view_edge *e = &v->edges[v->edge_slots[h]];
		if (e->from == from && e->to == to && e->label == label) {
			e->flags |= flags;
			return 0;
		}
	}
	if (objref__grow((void **)&v->edges, &v->cap_edges, v->nedges + 1, sizeof(*v->edges)) < 0)
		return OBJREF_ENOMEM;
	if ((v->nedges + 1) * 2 > v->edge_mask + 1) {
		if (rehash_edges(v) < 0)
			return OBJREF_ENOMEM;
		for (h = edge_hash(from, to, label) & v->edge_mask; v->edge_slots[h] != EMPTY;)
			h = (h + 1) & v->edge_mask;
	}
	v->edges[v->nedges] = (objref_view_edge){ from, to, label, flags };
	v->edge_slots[h] = (uint32_t)v->nedges++;
	return 0;
}

/* ---- frames and chains ----------------------------------------------------- */

/* Add the FRAME nodes of object node `node`. */
static int frames_of(objref_view *v, uint32_t node)
{
	size_t nr;
	const objref_root *r = objref_snapshot_roots(v->snap, &nr);
	objref_id id = v->nodes[node].id;

	for (size_t at = roots_lower(v, id); at < v->nroots && r[v->roots[at]].object == id; at++) {
		const objref_root *rec = &r[v->roots[at]];
		objref_view_node f = { OBJREF_VN_FRAME, id, 0, 0, v->roots[at], NULL };
		uint32_t fi;
		int err;

		if (rec->kind != OBJREF_ROOT_FRAME)
			continue;
		for (fi = 0; fi < v->nnodes; fi++)
			if (v->nodes[fi].kind == OBJREF_VN_FRAME && v->nodes[fi].count == f.count)
				break;
		if (fi == v->nnodes && (err = objref__view_push(&fi, v, &f)) < 0)
			return err == OBJREF_ENOTFOUND ? note_truncated(v, id) : err;
		if ((err = objref_view_edge_add(v, fi, node, OBJREF_LABEL(OBJREF_LABEL_LOCAL, rec->name), 0)) < 0)
			return err;
	}
	return 0;
}

int objref_view_add_frames(objref_view *v)
{
	size_t n = v->nnodes;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		if (v->nodes[i].kind == OBJREF_VN_OBJECT) {
			int e = frames_of(v, (uint32_t)i);
			if (e == OBJREF_ENOMEM)
				return e;
			if (e < 0)
				err = e;
		}
	return err;
}

int objref_view_add_chain(objref_view *v, const objref_chain *c, size_t suspect)
{
	uint32_t prev = EMPTY, flags = c->status == OBJREF_PATH_UNREACHABLE ? OBJREF_VN_GARBAGE : 0;
	int err;

	if (!c->n)
		return objref__error(OBJREF_EINVAL, "an empty chain");
	for (size_t i = 0; i < c->n; i++) {
		uint32_t at;
		if ((err = objref_view_object(&at, v, c->ids[i], flags | (i + 1 == c->n ? OBJREF_VN_SAMPLE : 0))) < 0)
			return err;
		if (i == 0 && c->status == OBJREF_PATH_FOUND) {
			const objref_root *r = objref_view_root_of(v, c->ids[0]);
			if (r && r->kind == OBJREF_ROOT_FRAME && (err = frames_of(v, at)) < 0)
				return err;
		}
		if (prev != EMPTY && (err = objref_view_edge_add(v, prev, at, c->labels[i - 1],
				i - 1 == suspect ? OBJREF_VE_SUSPECT : 0)) < 0)
			return err;
		prev = at;
	}
	return 0;
}

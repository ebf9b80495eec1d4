/*
 * lib/view_walk.c — objgraph's show_backrefs / show_refs walk over a
 * snapshot (objref_view_walk in include/objref/view.h).
 *
 * The same breadth-first order as objgraph's _show_graph: the starts, then
 * level by level; per object at most too_many neighbours that are neither
 * ignored nor filtered out (backward: referring objects, counted once with
 * all their references drawn), the rest counted in one MORE node.  The
 * queue holds node indices; a node's depth is set when it is first added.
 */
#include <stdlib.h>
#include <string.h>
#include "objref/view.h"
#include "internal.h"
#include "view_internal.h"

void objref_view_walk_options_init(objref_view_walk_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_depth = 3;
	o->too_many = 10;
}

typedef struct {
	objref_view *v;
	const objref_view_walk_options *o;
	const objref_snapshot *snap;
	const objref_revindex *ri;
	uint8_t *ignored;  /* bitmap over objects, or NULL */
	uint32_t *queue;
	size_t head, len, cap;
	int full;          /* a neighbour did not fit */
} walk;

static int is_ignored(const walk *w, objref_id id)
{
	return w->ignored && (w->ignored[id / 8] & (1u << (id % 8)));
}

static int make_ignored(walk *w)
{
	size_t n = objref_snapshot_nobjects(w->snap);

	if (!w->o->nignore)
		return 0;
	if (!(w->ignored = objref__calloc((n + 7) / 8, 1)))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < w->o->nignore; i++)
		if (w->o->ignore[i] < n)
			w->ignored[w->o->ignore[i] / 8] |= (uint8_t)(1u << (w->o->ignore[i] % 8));
	return 0;
}

static int enqueue(walk *w, uint32_t node)
{
	if (objref__grow((void **)&w->queue, &w->cap, w->len + 1, sizeof(*w->queue)) < 0)
		return OBJREF_ENOMEM;
	w->queue[w->len++] = node;
	return 0;
}

/* objgraph culls its backward walk at proper modules. */
static int culled(const walk *w, objref_id id)
{
	const objref_object *o = objref_snapshot_object(w->snap, id);
	const objref_root *r;

	if (w->o->forward)
		return 0;
	if (o->flags & OBJREF_F_MODULE)
		return 1;
	r = objref_view_root_of(w->v, id);
	return r && r->kind == OBJREF_ROOT_MODULE;
}

/* A str key of a dict: the collector does not follow it (dicts with only
 * str keys traverse their values), and the reference's label already
 * names it, so a forward walk leaves it out, as objgraph's does. */
static int key_string(const walk *w, objref_id id, objref_label label)
{
	const objref_type *t;

	if (OBJREF_LABEL_KIND(label) != OBJREF_LABEL_DICTKEY)
		return 0;
	t = objref_snapshot_type(w->snap, objref_snapshot_object(w->snap, id)->type);
	return (t->flags & OBJREF_T_STR) != 0;
}

/* One neighbour `nb` of node `at` through a reference labelled `label`:
 * 1 drawn, 0 skipped (ignored, filtered, or no room), negative on error. */
static int neighbour(walk *w, uint32_t at, objref_id nb, objref_label label)
{
	objref_view *v = w->v;
	uint32_t node, known;
	int keep, err;

	if (is_ignored(w, nb))
		return 0;
	if (w->o->filter && (keep = w->o->filter(w->snap, nb, w->o->filter_arg)) <= 0)
		return keep < 0 ? objref__error(OBJREF_ERROR, "the filter stopped the walk") : 0;
	known = objref_view_find(v, nb);
	if ((err = objref_view_object(&node, v, nb, 0)) == OBJREF_ENOTFOUND) {
		w->full = 1;
		return 0;
	}
	if (err < 0)
		return err;
	if (known == UINT32_MAX) {
		objref__view_node(v, node)->depth = objref__view_node(v, at)->depth + 1;
		if ((err = enqueue(w, node)) < 0)
			return err;
	}
	err = w->o->forward ? objref_view_edge_add(v, at, node, label, 0)
			    : objref_view_edge_add(v, node, at, label, 0);
	return err < 0 ? err : 1;
}

/* The MORE node of `at`: `skipped` neighbours not drawn. */
static int more(walk *w, uint32_t at, size_t skipped)
{
	size_t n;
	const objref_view_node *nodes = objref_view_nodes(w->v, &n);
	objref_view_node m = { OBJREF_VN_MORE, nodes[at].id,
		w->o->forward ? OBJREF_VN_REFERENTS : 0, nodes[at].depth + 1,
		skipped > UINT32_MAX ? UINT32_MAX : (uint32_t)skipped, NULL };
	uint32_t mi;
	int err;

	if ((err = objref__view_push(&mi, w->v, &m)) == OBJREF_ENOTFOUND) {
		w->full = 1;
		return 0;
	}
	if (err < 0)
		return err;
	return w->o->forward ? objref_view_edge_add(w->v, at, mi, 0, 0)
			     : objref_view_edge_add(w->v, mi, at, 0, 0);
}

/* Draw the neighbours of node `at`. */
static int expand(walk *w, uint32_t at)
{
	size_t n, drawn = 0, skipped = 0;
	const objref_view_node *nodes = objref_view_nodes(w->v, &n);
	objref_id id = nodes[at].id;
	const objref_id *nb;
	const objref_label *labels;
	int err, last_drawn = 0;

	if (nodes[at].depth >= w->o->max_depth || culled(w, id))
		return 0;
	if (w->o->forward)
		err = objref_snapshot_edges(&nb, &labels, &n, w->snap, id);
	else
		err = objref_revindex_referrers(&nb, &labels, &n, w->ri, id);
	if (err < 0)
		return err;
	for (size_t k = 0; k < n; k++) {
		if (w->o->forward && key_string(w, nb[k], labels[k]))
			continue;
		/* objgraph counts referrers (gc.get_referrers lists each once),
		 * not references: a referrer's further references to `at` (its
		 * block is sorted by referrer) are drawn with it, not counted */
		if (!w->o->forward && k && nb[k] == nb[k - 1]) {
			if (last_drawn && (err = neighbour(w, at, nb[k], labels[k])) < 0)
				return err;
			continue;
		}
		last_drawn = 0;
		if (drawn >= w->o->too_many) {
			if (!is_ignored(w, nb[k]) && (!w->o->filter ||
					w->o->filter(w->snap, nb[k], w->o->filter_arg) > 0))
				skipped++;
			continue;
		}
		if ((err = neighbour(w, at, nb[k], labels[k])) < 0)
			return err;
		last_drawn = err;
		drawn += (size_t)err;
	}
	return skipped ? more(w, at, skipped) : 0;
}

int objref_view_walk(objref_view *v, const objref_revindex *ri, const objref_id *starts, size_t nstarts,
	const objref_view_walk_options *o)
{
	walk w = { v, o, objref_view_snapshot(v), ri, NULL, NULL, 0, 0, 0, 0 };
	objref_view_walk_options defaults;
	int err = 0;

	if (!o) {
		objref_view_walk_options_init(&defaults);
		w.o = o = &defaults;
	}
	if (!o->forward && !ri)
		return objref__error(OBJREF_EINVAL, "a backward walk needs the reverse index");
	if ((err = make_ignored(&w)) < 0)
		goto cleanup;
	for (size_t i = 0; i < nstarts; i++) {
		uint32_t node, known = objref_view_find(v, starts[i]);
		size_t q = known == UINT32_MAX ? w.len : 0;
		if ((err = objref_view_object(&node, v, starts[i], OBJREF_VN_SAMPLE)) == OBJREF_ENOTFOUND) {
			w.full = 1;
			continue;
		}
		if (err < 0)
			goto cleanup;
		objref__view_node(v, node)->depth = 0;
		while (q < w.len && w.queue[q] != node)
			q++;
		if (q == w.len && (err = enqueue(&w, node)) < 0)
			goto cleanup;
	}
	for (w.head = 0; w.head < w.len; w.head++)
		if ((err = expand(&w, w.queue[w.head])) < 0)
			goto cleanup;
	if (!o->forward && (err = objref_view_add_frames(v)) == OBJREF_ENOTFOUND)
		w.full = 1;
	else if (err < 0)
		goto cleanup;
	err = w.full ? objref__error(OBJREF_ENOTFOUND, "the picture is limited to its node cap; %zu "
		"objects left out", objref_view_truncated(v)) : 0;
cleanup:
	objref__free(w.ignored);
	objref__free(w.queue);
	return err;
}

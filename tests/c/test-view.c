/*
 * tests/c/test-view.c — views: objgraph's show_backrefs / show_refs walk,
 * too_many, the node cap, chains with a suspect, frames of 3.11+ locals.
 * On hand-built heaps (paths-fixtures.c: the base heap's picture is in
 * that file).
 */
#include "paths-fixtures.h"
#include "objref/view.h"

/* The node of object id, or fail. */
static uint32_t node_of(const objref_view *v, objref_id id)
{
	return objref_view_find(v, id);
}

/* 1 if the view has an edge from -> to (node indices) labelled l. */
static int has_edge(const objref_view *v, uint32_t from, uint32_t to, objref_label l)
{
	size_t n;
	const objref_view_edge *e = objref_view_edges(v, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].from == from && e[i].to == to && e[i].label == l)
			return 1;
	return 0;
}

int test_view_walk_backrefs(void)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_view_walk_options o;
	objref_id start = B_T;
	size_t nn, ne;

	ASSERT_OK(ph_base_heap(&snap));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	objref_view_walk_options_init(&o);
	ASSERT_EQ(o.max_depth, 3);
	ASSERT_EQ(o.too_many, 10);
	ASSERT_OK(objref_view_walk(v, ri, &start, 1, &o));
	/* depth 1: L2 [1] and L [3]; depth 2: SDICT ['items'], L [0] itself, CACHE ['k'];
	 * depth 3: SESSION __dict__, ADICT ['up'] (not expanded further). */
	const objref_view_node *nodes = objref_view_nodes(v, &nn);
	objref_view_edges(v, &ne);
	ASSERT_EQ(nn, 7);
	ASSERT_EQ(nodes[0].id, B_T);
	ASSERT_EQ(nodes[0].flags & OBJREF_VN_SAMPLE, OBJREF_VN_SAMPLE);
	ASSERT_EQ(nodes[node_of(v, B_L2)].depth, 1);
	ASSERT_EQ(nodes[node_of(v, B_SDICT)].depth, 2);
	ASSERT_EQ(nodes[node_of(v, B_SESSION)].depth, 3);
	ASSERT_EQ(node_of(v, B_L1), UINT32_MAX); /* depth 4: beyond max_depth */
	ASSERT(has_edge(v, node_of(v, B_L2), 0, IDX(1)));
	ASSERT(has_edge(v, node_of(v, B_L), 0, IDX(3)));
	ASSERT(has_edge(v, node_of(v, B_L), node_of(v, B_L), IDX(0)));
	ASSERT(has_edge(v, node_of(v, B_SDICT), node_of(v, B_L2), ph_key_find(snap, "'items'")));
	ASSERT(has_edge(v, node_of(v, B_CACHE), node_of(v, B_L), ph_key_find(snap, "'k'")));
	ASSERT_EQ(ne, 8);
	ASSERT_EQ(objref_view_truncated(v), 0);

	/* Deeper: the walk stops at the module (objgraph culls at modules). */
	objref_view_free(v);
	ASSERT_OK(objref_view_new(&v, snap, 0));
	o.max_depth = 20;
	ASSERT_OK(objref_view_walk(v, ri, &start, 1, &o));
	ASSERT_NE(node_of(v, B_APP), UINT32_MAX);
	ASSERT_NE(node_of(v, B_OTHER), UINT32_MAX);
	ASSERT_EQ(node_of(v, B_GT), UINT32_MAX); /* only refers to the module app */
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

int test_view_walk_forward(void)
{
	objref_snapshot *snap = NULL;
	objref_view *v = NULL;
	objref_view_walk_options o;
	objref_id start = B_CACHE;
	size_t nn;

	ASSERT_OK(ph_base_heap(&snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	objref_view_walk_options_init(&o);
	o.forward = 1;
	o.max_depth = 1;
	ASSERT_OK(objref_view_walk(v, NULL, &start, 1, &o));
	objref_view_nodes(v, &nn);
	ASSERT_EQ(nn, 3);
	ASSERT(has_edge(v, 0, node_of(v, B_L), ph_key_find(snap, "'k'")));
	ASSERT(has_edge(v, 0, node_of(v, B_ADICT), ph_key_find(snap, "'up'")));
	/* A backward walk without the reverse index is refused. */
	o.forward = 0;
	ASSERT_EQ(objref_view_walk(v, NULL, &start, 1, &o), OBJREF_EINVAL);
	objref_view_free(v);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A list with 15 referrers (dicts), one of them ignored, one filtered. */
static int star(objref_snapshot **out, objref_id *target)
{
	heap h;

	CHECK(ph_heap_new(&h));
	*target = ph_add(&h, h.t_list, 0, NULL);
	for (int i = 0; i < 15; i++) {
		objref_id d = ph_add(&h, h.t_dict, 0, NULL);
		ph_ref(&h, d, *target, ph_key(&h, "'x'"));
	}
	return ph_heap_finish(out, &h);
}

static int not_id_5(const objref_snapshot *snap, objref_id id, void *arg)
{
	(void)snap;
	(void)arg;
	return id != 5;
}

int test_view_too_many(void)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_view_walk_options o;
	objref_id target, ignore[] = { 3, OBJREF_NO_ID };
	size_t nn, ne;

	CHECK(star(&snap, &target));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	objref_view_walk_options_init(&o);
	o.ignore = ignore;
	o.nignore = 2;
	o.filter = not_id_5;
	ASSERT_OK(objref_view_walk(v, ri, &target, 1, &o));
	const objref_view_node *nodes = objref_view_nodes(v, &nn);
	objref_view_edges(v, &ne);
	/* 15 referrers - 1 ignored - 1 filtered = 13: 10 drawn, 3 in the MORE node */
	ASSERT_EQ(nn, 1 + 10 + 1);
	ASSERT_EQ(nodes[nn - 1].kind, OBJREF_VN_MORE);
	ASSERT_EQ(nodes[nn - 1].count, 3);
	ASSERT_EQ(nodes[nn - 1].flags & OBJREF_VN_REFERENTS, 0);
	ASSERT_EQ(node_of(v, 3), UINT32_MAX);
	ASSERT_EQ(node_of(v, 5), UINT32_MAX);
	ASSERT(has_edge(v, (uint32_t)(nn - 1), 0, 0));
	ASSERT_EQ(ne, 11);
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

int test_view_node_cap(void)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_view_walk_options o;
	objref_id target;
	size_t nn, ne;

	CHECK(star(&snap, &target));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 5));
	objref_view_walk_options_init(&o);
	o.too_many = 100;
	ASSERT_EQ(objref_view_walk(v, ri, &target, 1, &o), OBJREF_ENOTFOUND);
	ASSERT_STR_PREFIX(objref_error_last(), "the picture is limited");
	objref_view_nodes(v, &nn);
	objref_view_edges(v, &ne);
	ASSERT_EQ(nn, 5);
	ASSERT_EQ(ne, 4);
	ASSERT_EQ(objref_view_truncated(v), 11);
	/* Counted once each, however often they are met. */
	ASSERT_EQ(objref_view_walk(v, ri, &target, 1, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(objref_view_truncated(v), 11);
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

int test_view_chain(void)
{
	objref_snapshot *snap = NULL;
	objref_view *v = NULL;
	objref_id ids[] = { B_OTHER, B_ODICT, B_L1, B_SESSION };
	objref_label labels[4];
	objref_chain c = { ids, labels, 4, 4, OBJREF_PATH_FOUND, 3 };
	size_t nn, ne;

	ASSERT_OK(ph_base_heap(&snap));
	labels[0] = DICT;
	labels[1] = ph_key_find(snap, "'REG'");
	labels[2] = IDX(0);
	ASSERT_OK(objref_view_new(&v, snap, 0));
	ASSERT_OK(objref_view_add_chain(v, &c, 2));
	ASSERT_OK(objref_view_add_chain(v, &c, SIZE_MAX)); /* again: nothing new */
	const objref_view_node *nodes = objref_view_nodes(v, &nn);
	const objref_view_edge *e = objref_view_edges(v, &ne);
	ASSERT_EQ(nn, 4);
	ASSERT_EQ(ne, 3);
	ASSERT_EQ(nodes[3].flags, OBJREF_VN_SAMPLE);
	ASSERT_EQ(nodes[0].flags, 0);
	ASSERT_EQ(e[2].flags, OBJREF_VE_SUSPECT);
	ASSERT_EQ(e[0].flags, 0);
	/* An unreachable chain is garbage. */
	c.status = OBJREF_PATH_UNREACHABLE;
	ids[0] = B_G1;
	ids[1] = B_G2;
	c.n = 2;
	ASSERT_OK(objref_view_add_chain(v, &c, SIZE_MAX));
	nodes = objref_view_nodes(v, &nn);
	ASSERT_EQ(nodes[node_of(v, B_G1)].flags, OBJREF_VN_GARBAGE);
	c.n = 0;
	ASSERT_EQ(objref_view_add_chain(v, &c, SIZE_MAX), OBJREF_EINVAL);
	objref_view_free(v);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A tuple held by a running frame's local only (3.11+: no frame object). */
int view_frame_heap(objref_snapshot **out)
{
	heap h;
	objref_root r;

	CHECK(ph_heap_new(&h));
	ph_add(&h, h.t_tuple, 0, "len 1");
	ph_add(&h, h.t_list, 0, NULL);
	ph_ref(&h, 1, 0, IDX(0));
	memset(&r, 0, sizeof(r));
	r.kind = OBJREF_ROOT_FRAME;
	r.object = 1;
	r.name = ph_intern(&h, "pending");
	r.function = ph_intern(&h, "Worker.run");
	r.file = ph_intern(&h, "/srv/app/worker.py");
	r.line = 42;
	r.thread = 12345;
	if (objref_builder_root(h.b, &r) != 0)
		h.failed = 1;
	return ph_heap_finish(out, &h);
}

int test_view_frames(void)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_id start = 0;
	size_t nn;

	CHECK(view_frame_heap(&snap));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	ASSERT_OK(objref_view_walk(v, ri, &start, 1, NULL));
	const objref_view_node *nodes = objref_view_nodes(v, &nn);
	ASSERT_EQ(nn, 3);
	ASSERT_EQ(nodes[2].kind, OBJREF_VN_FRAME);
	ASSERT_EQ(nodes[2].id, 1);
	ASSERT_EQ(nodes[2].count, 0);
	ASSERT(has_edge(v, 2, 1, OBJREF_LABEL(OBJREF_LABEL_LOCAL, ph_str_find(snap, "pending"))));
	ASSERT_NE(objref_view_root_of(v, 1), NULL);
	ASSERT_EQ(objref_view_root_of(v, 0), NULL);
	/* Again: one FRAME node per root record. */
	ASSERT_OK(objref_view_add_frames(v));
	objref_view_nodes(v, &nn);
	ASSERT_EQ(nn, 3);
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

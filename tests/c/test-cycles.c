/*
 * tests/c/test-cycles.c — garbage by the collector's rule, components, and
 * cycles grouped by shape, on hand-built snapshots.
 *
 * Each graph is built like capture builds one: refcounts equal to the
 * references the objects of the snapshot hold (plus what is held from
 * outside), a module root for what the program keeps, the instance
 * attribute as "X __dict__ -> dict ['name']".
 */
#include "fixtures.h"
#include "objref/view.h"

typedef struct {
	objref_builder *b;
	objref_type_id t_mod, t_dict, t_list, t_req, t_resp, t_parent, t_child, t_node, t_capsule,
		t_legacy, t_str;
	objref_id module, mdict;
	uint64_t addr;
	uint32_t *refs;   /* references added into each object, to set refcounts */
	size_t nrefs;
} graph;

static int g_type(objref_type_id *out, graph *g, const char *module, const char *name, uint32_t tflags)
{
	CHECK(fx_type(out, g->b, 0x9000 + 0x100 * (g->addr & 0xff), module, name, name));
	g->addr++;
	objref_builder_type_at(g->b, *out)->flags = tflags | fx_type_facts(module, name);
	return TEST_OK;
}

static int g_obj(objref_id *out, graph *g, objref_type_id t, uint64_t size, uint32_t flags)
{
	CHECK(fx_object(out, g->b, 0x100000 + 0x40 * g->addr++, t, size, flags));
	objref_builder_object_at(g->b, *out)->refcnt = 0;
	ASSERT_EQ(*out, g->nrefs);
	g->nrefs++;
	return TEST_OK;
}

/* A reference src -[label]-> dst, counted in dst's refcount. */
static int g_ref(graph *g, objref_id src, objref_id dst, objref_label label)
{
	ASSERT_OK(objref_builder_edge(g->b, src, dst, label));
	objref_builder_object_at(g->b, dst)->refcnt++;
	return TEST_OK;
}

static int g_key(objref_label *out, graph *g, const char *key)
{
	char text[64];
	objref_str s;

	snprintf(text, sizeof(text), "'%s'", key);
	ASSERT_OK(objref_builder_string(&s, g->b, text, strlen(text)));
	*out = OBJREF_LABEL(OBJREF_LABEL_KEY, s);
	return TEST_OK;
}

/* An instance with a __dict__; *dict gets the dict. */
static int g_inst(objref_id *out, objref_id *dict, graph *g, objref_type_id t, uint32_t extra_flags)
{
	CHECK(g_obj(out, g, t, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | extra_flags));
	CHECK(g_obj(dict, g, g->t_dict, 232, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | extra_flags));
	CHECK(g_ref(g, *out, *dict, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)));
	return TEST_OK;
}

/* inst.__dict__[key] = value */
static int g_attr(graph *g, objref_id dict, const char *key, objref_id value)
{
	objref_label l;

	CHECK(g_key(&l, g, key));
	CHECK(g_ref(g, dict, value, l));
	return TEST_OK;
}

static int g_new(graph *g)
{
	const uint32_t gc = OBJREF_T_KNOWN | OBJREF_T_GC;
	objref_root r;

	memset(g, 0, sizeof(*g));
	ASSERT_OK(objref_builder_new(&g->b));
	CHECK(g_type(&g->t_mod, g, "builtins", "module", gc));
	CHECK(g_type(&g->t_dict, g, "builtins", "dict", gc));
	CHECK(g_type(&g->t_list, g, "builtins", "list", gc));
	CHECK(g_type(&g->t_req, g, "app", "Request", gc));
	CHECK(g_type(&g->t_resp, g, "app", "Response", gc));
	CHECK(g_type(&g->t_parent, g, "app", "Parent", gc));
	CHECK(g_type(&g->t_child, g, "app", "Child", gc));
	CHECK(g_type(&g->t_node, g, "app", "Node", gc));
	CHECK(g_type(&g->t_capsule, g, "builtins", "PyCapsule", OBJREF_T_KNOWN));
	CHECK(g_type(&g->t_legacy, g, "_testcapi", "LegacyDel", gc | OBJREF_T_LEGACY_DEL));
	CHECK(g_type(&g->t_str, g, "builtins", "str", OBJREF_T_KNOWN | OBJREF_T_ATOMIC));
	/* module app, held by sys.modules (outside this snapshot) */
	CHECK(g_inst(&g->module, &g->mdict, g, g->t_mod, OBJREF_F_MODULE));
	objref_builder_object_at(g->b, g->module)->refcnt++;
	memset(&r, 0, sizeof(r));
	r.kind = OBJREF_ROOT_MODULE;
	r.object = g->module;
	ASSERT_OK(objref_builder_string(&r.name, g->b, "app", 3));
	ASSERT_OK(objref_builder_root(g->b, &r));
	return TEST_OK;
}

static int g_finish(objref_snapshot **out, graph *g, const objref_gc_state *gc)
{
	if (gc)
		objref_builder_gc_state(g->b, gc);
	ASSERT_OK(objref_builder_finish(out, g->b));
	g->b = NULL;
	ASSERT_OK(objref_snapshot_validate(*out));
	return TEST_OK;
}

/* A Request <-> Response pair; *req gets the request. */
static int g_pair(objref_id *req, graph *g)
{
	objref_id rd, resp, sd;

	CHECK(g_inst(req, &rd, g, g->t_req, 0));
	CHECK(g_inst(&resp, &sd, g, g->t_resp, 0));
	CHECK(g_attr(g, rd, "response", resp));
	CHECK(g_attr(g, sd, "request", *req));
	return TEST_OK;
}

static const char *shape_text(const objref_cycles *c, size_t i, int example)
{
	static char text[512];
	objref_buf b = {0};

	if (objref_cycles_format_shape(&b, c, i, example) != 0 || !b.data)
		return "(error)";
	snprintf(text, sizeof(text), "%s", b.data);
	objref_buf_dispose(&b);
	return text;
}

static const char *reason_text(const objref_cycles *c, size_t i)
{
	static char text[256];

	objref_cycles_reason(text, sizeof(text), c, i);
	return text;
}

static const char *fix_text(const objref_cycles *c, size_t i)
{
	static char text[256];
	objref_buf b = {0};

	text[0] = '\0';
	if (objref_cycles_format_fix(&b, c, i) == 0 && b.data)
		snprintf(text, sizeof(text), "%s", b.data);
	objref_buf_dispose(&b);
	return text;
}

TEST_IMPL(cycles_gc_disabled)
{
	objref_gc_state gc = { .known = 1, .enabled = 0 };
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_cycles_summary sum;
	const objref_cycle_shape *sh;
	objref_id req, kept;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_pair(&kept, &g));          /* one pair the program keeps */
	CHECK(g_attr(&g, g.mdict, "LAST", kept));
	for (int i = 0; i < 5; i++)        /* five dropped: garbage */
		CHECK(g_pair(&req, &g));
	CHECK(g_finish(&snap, &g, &gc));
	ASSERT_OK(objref_cycles_find(&c, snap));
	objref_cycles_summary_get(&sum, c);
	ASSERT_EQ(sum.garbage_objects, 20);
	ASSERT_EQ(sum.by_class[OBJREF_GARBAGE_COLLECTABLE], 20);
	ASSERT_EQ(sum.components, 5);
	ASSERT_EQ(sum.cyclic_objects, 20);
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	sh = objref_cycles_shape(c, 0);
	ASSERT_EQ(sh->count, 5);
	ASSERT_EQ(sh->objects, 20);
	ASSERT_EQ(sh->bytes, 5 * (2 * 48 + 2 * 232));
	ASSERT_EQ(sh->retained_bytes, sh->bytes);
	ASSERT_EQ(sh->nsteps, 4);
	ASSERT_EQ(sh->cls, OBJREF_GARBAGE_COLLECTABLE);
	ASSERT_STR_EQ(shape_text(c, 0, 0), "Request .response -> Response .request -> Request");
	ASSERT_STR_CONTAINS(shape_text(c, 0, 1), "Request at 0x");
	ASSERT_STR_EQ(reason_text(c, 0), "collectable, but gc is disabled");
	ASSERT_EQ(objref_cycles_classes(c)[kept], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_shape_of(c, kept), -1);
	ASSERT_EQ(objref_cycles_shape_of(c, req), 0);
	ASSERT_GE(sh->fix, 0);
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Instances entered at different members, and an enabled collector. */
TEST_IMPL(cycles_shape_rotation)
{
	objref_gc_state gc = { .known = 1, .enabled = 1 };
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id a, ad, b, bd;
	graph g;

	CHECK(g_new(&g));
	/* first pair: Response created first (lower ids) */
	CHECK(g_inst(&b, &bd, &g, g.t_resp, 0));
	CHECK(g_inst(&a, &ad, &g, g.t_req, 0));
	CHECK(g_attr(&g, ad, "response", b));
	CHECK(g_attr(&g, bd, "request", a));
	CHECK(g_pair(&a, &g));
	CHECK(g_finish(&snap, &g, &gc));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	ASSERT_EQ(objref_cycles_shape(c, 0)->count, 2);
	ASSERT_STR_EQ(reason_text(c, 0), "collectable: the next collection frees it");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Parent.children [*] -> Child .parent -> Parent: the back-pointer. */
TEST_IMPL(cycles_fix_backpointer)
{
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id p, pd, list, ch, cd;
	const objref_cycle_shape *sh;
	graph g;

	CHECK(g_new(&g));
	for (int i = 0; i < 3; i++) {
		CHECK(g_inst(&p, &pd, &g, g.t_parent, 0));
		CHECK(g_obj(&list, &g, g.t_list, 88, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
		CHECK(g_attr(&g, pd, "children", list));
		for (uint32_t k = 0; k < 2; k++) {
			CHECK(g_inst(&ch, &cd, &g, g.t_child, 0));
			CHECK(g_ref(&g, list, ch, OBJREF_LABEL(OBJREF_LABEL_INDEX, k)));
			CHECK(g_attr(&g, cd, "parent", p));
		}
	}
	CHECK(g_finish(&snap, &g, NULL));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	sh = objref_cycles_shape(c, 0);
	ASSERT_EQ(sh->count, 3);
	ASSERT_EQ(sh->objects, 3 * 7);
	ASSERT_EQ(sh->nsteps, 5);
	ASSERT_STR_EQ(shape_text(c, 0, 0), "Child .parent -> Parent .children -> list [*] -> Child");
	ASSERT_STR_EQ(fix_text(c, 0), "make Child .parent (to Parent) a weak reference: that breaks every instance");
	/* with no collector state recorded, nothing is said about it */
	ASSERT_STR_EQ(reason_text(c, 0), "collectable: the next collection frees it");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A doubly linked ring: neither .next nor .prev alone breaks it... but a
 * linear doubly linked list is broken by dropping .prev. */
TEST_IMPL(cycles_fix_none)
{
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id n[4], d[4];
	graph g;

	CHECK(g_new(&g));
	for (int i = 0; i < 4; i++)
		CHECK(g_inst(&n[i], &d[i], &g, g.t_node, 0));
	for (int i = 0; i < 4; i++) {
		CHECK(g_attr(&g, d[i], "next", n[(i + 1) % 4]));
		CHECK(g_attr(&g, d[i], "prev", n[(i + 3) % 4]));
	}
	CHECK(g_finish(&snap, &g, NULL));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	ASSERT_EQ(objref_cycles_shape(c, 0)->fix, -1);
	ASSERT_STR_EQ(fix_text(c, 0), "");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(cycles_legacy_del)
{
	objref_gc_state gc = { .known = 1, .enabled = 1 };
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id x, xd, r, rd;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_inst(&x, &xd, &g, g.t_legacy, 0));
	CHECK(g_inst(&r, &rd, &g, g.t_req, 0));
	CHECK(g_attr(&g, xd, "other", r));
	CHECK(g_attr(&g, rd, "other", x));
	CHECK(g_pair(&r, &g));  /* an ordinary cycle beside it */
	CHECK(g_finish(&snap, &g, &gc));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 2);
	ASSERT_EQ(objref_cycles_classes(c)[x], OBJREF_GARBAGE_GC_GARBAGE);
	for (size_t i = 0; i < 2; i++) {
		const objref_cycle_shape *sh = objref_cycles_shape(c, i);
		if (sh->cls == OBJREF_GARBAGE_GC_GARBAGE) {
			ASSERT_EQ(sh->culprit, x);
			ASSERT_STR_EQ(reason_text(c, i), "uncollectable: legacy finalizer (type LegacyDel has tp_del)");
		} else {
			ASSERT_EQ(sh->cls, OBJREF_GARBAGE_COLLECTABLE);
		}
	}
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* gc.garbage (a list the gc module holds) lists a cycle: its items are
 * garbage of that class; an item something else holds is alive. */
TEST_IMPL(cycles_gc_garbage_list)
{
	objref_gc_state gc = { .known = 1, .enabled = 1, .debug = OBJREF_GC_DEBUG_SAVEALL };
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id list, a, b, kept;
	objref_root root;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_obj(&list, &g, g.t_list, 88, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
	CHECK(g_attr(&g, g.mdict, "garbage", list));
	gc.garbage_list = objref_builder_object_at(g.b, list)->addr;
	CHECK(g_pair(&a, &g));
	CHECK(g_pair(&b, &g));
	CHECK(g_pair(&kept, &g));
	CHECK(g_ref(&g, list, a, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
	CHECK(g_ref(&g, list, kept, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1)));
	CHECK(g_attr(&g, g.mdict, "KEPT", kept));
	memset(&root, 0, sizeof(root));
	root.kind = OBJREF_ROOT_GC_GARBAGE;
	root.object = a;
	ASSERT_OK(objref_builder_root(g.b, &root));
	CHECK(g_finish(&snap, &g, &gc));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_classes(c)[a], OBJREF_GARBAGE_GC_GARBAGE);
	ASSERT_EQ(objref_cycles_classes(c)[b], OBJREF_GARBAGE_COLLECTABLE);
	ASSERT_EQ(objref_cycles_classes(c)[kept], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_classes(c)[list], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_nshapes(c), 2);
	ASSERT_EQ(objref_cycles_shape(c, 0)->count, 1);
	for (size_t i = 0; i < 2; i++)
		if (objref_cycles_shape(c, i)->cls == OBJREF_GARBAGE_GC_GARBAGE)
			ASSERT_STR_EQ(reason_text(c, i), "uncollectable: in gc.garbage (gc.DEBUG_SAVEALL is on)");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Node -> PyCapsule, the capsule's pointer holding the Node: the Node's
 * reference is unexplained, the capsule has no traversal. */
TEST_IMPL(cycles_untraversable)
{
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id n, nd, cap, held, hd, s;
	const objref_cycle_shape *sh;
	char expect[128];
	graph g;

	CHECK(g_new(&g));
	CHECK(g_inst(&n, &nd, &g, g.t_node, 0));
	CHECK(g_obj(&cap, &g, g.t_capsule, 72, 0));
	CHECK(g_attr(&g, nd, "cap", cap));
	objref_builder_object_at(g.b, n)->refcnt++;  /* the capsule's pointer */
	/* control: held from outside (a leaked reference), reaching only a str */
	CHECK(g_inst(&held, &hd, &g, g.t_node, 0));
	CHECK(g_obj(&s, &g, g.t_str, 50, 0));
	CHECK(g_attr(&g, hd, "name", s));
	objref_builder_object_at(g.b, held)->refcnt++;
	CHECK(g_finish(&snap, &g, NULL));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_classes(c)[n], OBJREF_GARBAGE_UNTRAVERSABLE);
	ASSERT_EQ(objref_cycles_classes(c)[cap], OBJREF_GARBAGE_UNTRAVERSABLE);
	ASSERT_EQ(objref_cycles_classes(c)[held], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_classes(c)[s], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	sh = objref_cycles_shape(c, 0);
	ASSERT_EQ(sh->culprit, cap);
	ASSERT_EQ(sh->nsteps, 3);
	snprintf(expect, sizeof(expect), "uncollectable: passes through an object the collector cannot "
		"traverse (PyCapsule at 0x%llx)", (unsigned long long)objref_snapshot_object(snap, cap)->addr);
	ASSERT_STR_EQ(reason_text(c, 0), expect);
	ASSERT_STR_EQ(shape_text(c, 0, 0), "Node .cap -> PyCapsule (hidden) -> Node");
	ASSERT_STR_EQ(fix_text(c, 0), "clear Node .cap (to PyCapsule) when done, or let the PyCapsule not own "
		"its reference: no collection can break this cycle");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(cycles_frozen)
{
	objref_gc_state gc = { .known = 1, .enabled = 1, .freeze_count = 4, .frozen_listed = 1 };
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_id a, ad, b, bd;
	objref_root root;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_inst(&a, &ad, &g, g.t_req, OBJREF_F_FROZEN));
	CHECK(g_inst(&b, &bd, &g, g.t_resp, OBJREF_F_FROZEN));
	CHECK(g_attr(&g, ad, "response", b));
	CHECK(g_attr(&g, bd, "request", a));
	memset(&root, 0, sizeof(root));
	root.kind = OBJREF_ROOT_FROZEN;  /* capture records these: not a reason to live */
	root.object = a;
	ASSERT_OK(objref_builder_root(g.b, &root));
	CHECK(g_finish(&snap, &g, &gc));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	ASSERT_EQ(objref_cycles_shape(c, 0)->cls, OBJREF_GARBAGE_FROZEN);
	ASSERT_STR_PREFIX(reason_text(c, 0), "frozen by gc.freeze()");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Objects held from outside the snapshot are alive, with what they reach;
 * acyclic garbage hanging off a cycle counts as retained by its shape. */
TEST_IMPL(cycles_external_and_retained)
{
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_cycles_summary sum;
	objref_id ext, ed, a, b, ad, bd, tail, td, tp, tpd, cap, lst, cap2;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_inst(&ext, &ed, &g, g.t_node, 0));
	objref_builder_object_at(g.b, ext)->refcnt++;  /* a C extension holds it */
	CHECK(g_inst(&a, &ad, &g, g.t_node, 0));
	CHECK(g_attr(&g, ed, "next", a));
	CHECK(g_attr(&g, ad, "next", ext));  /* a cycle, alive */
	CHECK(g_inst(&a, &ad, &g, g.t_req, 0));
	CHECK(g_inst(&b, &bd, &g, g.t_resp, 0));
	CHECK(g_attr(&g, ad, "response", b));
	CHECK(g_attr(&g, bd, "request", a));
	CHECK(g_inst(&tail, &td, &g, g.t_node, 0));
	CHECK(g_attr(&g, bd, "body", tail));
	/* a type the interpreter holds, reaching a capsule: alive, however
	 * it looks like a cycle through the capsule */
	CHECK(g_inst(&tp, &tpd, &g, g.t_node, OBJREF_F_TYPE));
	CHECK(g_obj(&cap, &g, g.t_capsule, 72, 0));
	CHECK(g_attr(&g, tpd, "api", cap));
	objref_builder_object_at(g.b, tp)->refcnt++;
	/* a builtin container an extension holds, reaching a capsule: alive */
	CHECK(g_obj(&lst, &g, g.t_list, 88, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
	CHECK(g_obj(&cap2, &g, g.t_capsule, 72, 0));
	CHECK(g_ref(&g, lst, cap2, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
	objref_builder_object_at(g.b, lst)->refcnt++;
	CHECK(g_finish(&snap, &g, NULL));
	ASSERT_OK(objref_cycles_find(&c, snap));
	objref_cycles_summary_get(&sum, c);
	ASSERT_EQ(objref_cycles_classes(c)[tp], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_classes(c)[cap], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_classes(c)[lst], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_classes(c)[cap2], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(sum.garbage_objects, 6);
	ASSERT_EQ(sum.cyclic_objects, 4);
	ASSERT_EQ(objref_cycles_classes(c)[ext], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	ASSERT_EQ(objref_cycles_shape(c, 0)->retained_objects, 6);
	ASSERT_EQ(objref_cycles_shape(c, 0)->retained_bytes, 3 * (48 + 232));
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Components of a small graph: 0->1->2->0, 2->3, 3->3, 4 alone. */
TEST_IMPL(scc_basic)
{
	static const int edges[][2] = { {0, 1}, {1, 2}, {2, 0}, {2, 3}, {3, 3} };
	objref_snapshot *snap = NULL;
	objref_builder *b = NULL;
	objref_type_id t;
	objref_id id, *comp = NULL;
	size_t ncomp;
	uint8_t mask[5] = {1, 1, 1, 1, 0};

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, "builtins", "list", "list"));
	for (int i = 0; i < 5; i++)
		CHECK(fx_object(&id, b, 0x1000 + 0x10 * i, t, 56, OBJREF_F_TRACKED));
	for (size_t e = 0; e < ARRAY_SIZE(edges); e++)
		ASSERT_OK(objref_builder_edge(b, edges[e][0], edges[e][1], 0));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_scc(&comp, &ncomp, snap, NULL, NULL, NULL, 0));
	ASSERT_EQ(ncomp, 3);
	ASSERT_EQ(comp[0], comp[1]);
	ASSERT_EQ(comp[1], comp[2]);
	ASSERT_NE(comp[2], comp[3]);
	ASSERT_LT(comp[3], comp[0]);  /* reverse topological order */
	objref_cycles_array_free(comp);
	ASSERT_OK(objref_scc(&comp, &ncomp, snap, mask, NULL, NULL, 0));
	ASSERT_EQ(ncomp, 2);
	ASSERT_EQ(comp[4], OBJREF_NO_ID);
	objref_cycles_array_free(comp);
	/* an inferred edge 4 -> 0 and 3 -> 4 joins everything */
	{
		objref_id xs[] = {4, 3}, xd[] = {0, 4};
		ASSERT_OK(objref_scc(&comp, &ncomp, snap, NULL, xs, xd, 2));
		ASSERT_EQ(ncomp, 1);
		objref_cycles_array_free(comp);
	}
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* One cycle of a million objects: no recursion, one shape. */
TEST_IMPL(cycles_million)
{
	enum { N = 1000000 };
	objref_snapshot *snap = NULL;
	objref_builder *b = NULL;
	objref_cycles *c = NULL;
	objref_type_id t;
	objref_str next;
	objref_id id;
	const objref_cycle_shape *sh;

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, "app", "Node", "Node"));
	objref_builder_type_at(b, t)->flags = OBJREF_T_KNOWN | OBJREF_T_GC;
	ASSERT_OK(objref_builder_string(&next, b, "next", 4));
	for (uint32_t i = 0; i < N; i++) {
		CHECK(fx_object(&id, b, 0x100000 + 0x40 * (uint64_t)i, t, 56, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
		ASSERT_OK(objref_builder_edge(b, i, (i + 1) % N, OBJREF_LABEL(OBJREF_LABEL_ATTR, next)));
	}
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	sh = objref_cycles_shape(c, 0);
	ASSERT_EQ(sh->count, 1);
	ASSERT_EQ(sh->objects, N);
	ASSERT_EQ(sh->nsteps, N);
	ASSERT_EQ(sh->fix, 0);
	ASSERT_STR_CONTAINS(shape_text(c, 0, 0), "(1000000 steps in all)");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* The text report of the gc-disabled graph. */
TEST_IMPL(cycles_report)
{
	objref_gc_state gc = { .known = 1, .enabled = 0 };
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_buf text = {0};
	objref_id req;
	graph g;

	CHECK(g_new(&g));
	for (int i = 0; i < 3; i++)
		CHECK(g_pair(&req, &g));
	CHECK(g_finish(&snap, &g, &gc));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_OK(objref_cycles_format(&text, c, 10, NULL, NULL));
	ASSERT_STR_PREFIX(text.data, "garbage: 12 objects (");
	ASSERT_STR_CONTAINS(text.data, "in 3 cycles of 1 shape\n");
	ASSERT_STR_CONTAINS(text.data, "gc: disabled");
	ASSERT_STR_CONTAINS(text.data, "shape 1: 3 instances, 12 objects in cycles");
	ASSERT_STR_CONTAINS(text.data, "\n  Request .response -> Response .request -> Request\n");
	ASSERT_STR_CONTAINS(text.data, "\n  collectable, but gc is disabled\n");
	ASSERT_STR_CONTAINS(text.data, "\n  fix: make ");
	objref_buf_dispose(&text);
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Every graph above in one snapshot, analysed and reported. */
static int fault_graph(objref_snapshot **out)
{
	objref_gc_state gc = { .known = 1, .enabled = 0 };
	objref_id x, xd, r, rd, n, nd, cap, list;
	graph g;

	CHECK(g_new(&g));
	for (int i = 0; i < 3; i++)
		CHECK(g_pair(&r, &g));
	CHECK(g_inst(&x, &xd, &g, g.t_legacy, 0));
	CHECK(g_inst(&r, &rd, &g, g.t_req, 0));
	CHECK(g_attr(&g, xd, "other", r));
	CHECK(g_attr(&g, rd, "other", x));
	CHECK(g_inst(&n, &nd, &g, g.t_node, 0));
	CHECK(g_obj(&cap, &g, g.t_capsule, 72, 0));
	CHECK(g_attr(&g, nd, "cap", cap));
	objref_builder_object_at(g.b, n)->refcnt++;
	CHECK(g_obj(&list, &g, g.t_list, 88, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
	CHECK(g_attr(&g, g.mdict, "garbage", list));
	gc.garbage_list = objref_builder_object_at(g.b, list)->addr;
	CHECK(g_pair(&r, &g));
	CHECK(g_ref(&g, list, r, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
	CHECK(g_finish(out, &g, &gc));
	return TEST_OK;
}

static int fault_cycles(objref_buf *text, objref_snapshot *snap)
{
	objref_cycles *c = NULL;
	objref_view *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = objref_cycles_find(&c, snap)) == 0)
		rc = objref_cycles_format(text, c, 0, NULL, NULL);
	if (!rc)
		rc = objref_view_new(&v, snap, 0);
	for (size_t i = 0; !rc && i < objref_cycles_nshapes(c); i++)
		rc = objref_cycles_view(v, c, i);
	if (!rc) {
		objref_view_nodes(v, &n);
		rc = objref_buf_printf(text, "view: %zu nodes\n", n);
	}
	objref_view_free(v);
	objref_cycles_free(c);
	return rc;
}

/* Each allocation of the analysis and its report fails in turn: ENOMEM
 * with a message, or the same text; never a crash or a leak. */
TEST_IMPL(fault_cycles)
{
	objref_snapshot *snap = NULL;
	objref_buf ref = {0};
	unsigned long total, k, failed = 0;

	CHECK(fault_graph(&snap));
	objref_alloc_fail_nth(0);
	ASSERT_OK(fault_cycles(&ref, snap));
	total = objref_alloc_fail_nth(0);
	ASSERT_GT(total, 20);
	ASSERT_STR_CONTAINS(ref.data, "legacy finalizer");
	ASSERT_STR_CONTAINS(ref.data, "cannot traverse");
	ASSERT_STR_CONTAINS(ref.data, "in gc.garbage");
	/* 4 shapes: Request/Response pairs, the legacy pair, the gc.garbage pair
	 * (4 objects each with their dicts) and Node/dict/PyCapsule (3) */
	ASSERT_STR_CONTAINS(ref.data, "view: 15 nodes");
	for (k = 1; k <= total; k++) {
		objref_buf text = {0};
		int rc;
		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = fault_cycles(&text, snap);
		objref_alloc_fail_nth(0);
		if (rc != 0) {
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			ASSERT_NE(objref_error_last()[0], '\0');
			failed++;
		} else {
			ASSERT_NOT_NULL(text.data);
			ASSERT_STR_EQ(text.data, ref.data);
		}
		objref_buf_dispose(&text);
	}
	ASSERT_GT(failed, 0);
	objref_buf_dispose(&ref);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A ctypes object (GC support, no reference shown but its class) holding
 * an address with a reference taken for it. */
TEST_IMPL(cycles_untraversable_ctypes)
{
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_type_id t_vp, t_meta;
	objref_id n, nd, vp, vpt;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_type(&t_meta, &g, "_ctypes", "PyCSimpleType", OBJREF_T_KNOWN | OBJREF_T_GC));
	CHECK(g_type(&t_vp, &g, "ctypes", "c_void_p", OBJREF_T_KNOWN | OBJREF_T_GC));
	CHECK(g_inst(&n, &nd, &g, g.t_node, 0));
	CHECK(g_obj(&vpt, &g, t_meta, 900, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_TYPE));
	CHECK(g_attr(&g, g.mdict, "c_void_p", vpt));
	CHECK(g_obj(&vp, &g, t_vp, 40, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
	CHECK(g_ref(&g, vp, vpt, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_CLASS)));
	CHECK(g_attr(&g, nd, "ptr", vp));
	objref_builder_object_at(g.b, n)->refcnt++;
	CHECK(g_finish(&snap, &g, NULL));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_classes(c)[n], OBJREF_GARBAGE_UNTRAVERSABLE);
	ASSERT_EQ(objref_cycles_classes(c)[vp], OBJREF_GARBAGE_UNTRAVERSABLE);
	ASSERT_EQ(objref_cycles_classes(c)[vpt], OBJREF_GARBAGE_NONE);
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	ASSERT_EQ(objref_cycles_shape(c, 0)->culprit, vp);
	ASSERT_STR_EQ(shape_text(c, 0, 0), "Node .ptr -> c_void_p (hidden) -> Node");
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* The picture of a shape: its cycle, the culprit highlighted, the fix
 * hint's reference as the suspect edge, the inferred one labelled. */
TEST_IMPL(cycles_view)
{
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	objref_view *v = NULL;
	const objref_view_node *nodes;
	const objref_view_edge *edges;
	objref_id n, nd, cap;
	size_t nn, ne, suspect = 0, hidden = 0;
	graph g;

	CHECK(g_new(&g));
	CHECK(g_inst(&n, &nd, &g, g.t_node, 0));
	CHECK(g_obj(&cap, &g, g.t_capsule, 72, 0));
	CHECK(g_attr(&g, nd, "cap", cap));
	objref_builder_object_at(g.b, n)->refcnt++;
	CHECK(g_finish(&snap, &g, NULL));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	ASSERT_OK(objref_cycles_view(v, c, 0));
	ASSERT_ERR(objref_cycles_view(v, c, 1), OBJREF_EINVAL);
	nodes = objref_view_nodes(v, &nn);
	edges = objref_view_edges(v, &ne);
	ASSERT_EQ(nn, 3);
	ASSERT_EQ(ne, 3);
	for (size_t i = 0; i < nn; i++) {
		ASSERT_NE(nodes[i].flags & OBJREF_VN_GARBAGE, 0);
		ASSERT_EQ((nodes[i].flags & OBJREF_VN_HIGHLIGHT) != 0, nodes[i].id == cap);
	}
	for (size_t i = 0; i < ne; i++) {
		if (edges[i].flags & OBJREF_VE_SUSPECT) {
			suspect++;
			ASSERT_STR_EQ(fx_label(snap, edges[i].label), "['cap']");
		}
		hidden += edges[i].label == OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_HIDDEN);
	}
	ASSERT_EQ(suspect, 1);
	ASSERT_EQ(hidden, 1);
	ASSERT_NOT_NULL(nodes[0].extra);
	ASSERT_STR_PREFIX(nodes[0].extra, "shape 1: 1 instance, 3 objects: uncollectable: passes through");
	objref_view_free(v);
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

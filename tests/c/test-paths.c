/*
 * tests/c/test-paths.c — retention chains on hand-built snapshots: the
 * reverse index, breadth-first search back to roots (and forward), depth
 * limits, garbage, the ignore set, scratch reuse, grouping and the text of
 * a chain.
 *
 * Timing (RelWithDebInfo, gcc -O2, one core of a 2-core VM; printed by
 * paths_bench_1e6 and paths_long_chain, which check results, not times):
 *   1,000,000 objects, 2,999,700 references with random targets, 100
 *   module roots: reverse index 60-87 ms (20-36 ms when references are
 *   local, each object referred to by one of the 50 objects before it),
 *   searcher 4-6 ms, 10 searches 0.16 ms warm, 0.7-6 ms on the first touch
 *   of the searcher's pages (chains of 4 to 7 objects);
 *   a linear chain of 1,000,000 objects: one unbounded search back from its
 *   end 13-21 ms; a sample too deep for max_depth costs one pass over the
 *   snapshot the first time (the distances to the roots, ~20 ms), then
 *   about 6 us.
 */
#include <time.h>
#include "fixtures.h"

#define IDX(i) OBJREF_LABEL(OBJREF_LABEL_INDEX, (i))
#define DICT OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)
#define NOLABEL OBJREF_LABEL(OBJREF_LABEL_NONE, 0)

/* ---- a small heap builder: errors are collected, checked at finish ---- */

typedef struct {
	objref_builder *b;
	int failed;
	uint64_t next_addr;
	objref_type_id t_module, t_dict, t_list, t_tuple, t_session, t_frame, t_int;
} heap;

static int heap_new(heap *h)
{
	memset(h, 0, sizeof(*h));
	h->next_addr = 0x10000;
	ASSERT_OK(objref_builder_new(&h->b));
	CHECK(fx_type(&h->t_module, h->b, 0x100, "builtins", "module", NULL));
	CHECK(fx_type(&h->t_dict, h->b, 0x200, "builtins", "dict", NULL));
	CHECK(fx_type(&h->t_list, h->b, 0x300, "builtins", "list", NULL));
	CHECK(fx_type(&h->t_tuple, h->b, 0x400, "builtins", "tuple", NULL));
	CHECK(fx_type(&h->t_session, h->b, 0x500, "app", "Session", NULL));
	CHECK(fx_type(&h->t_frame, h->b, 0x600, "builtins", "frame", NULL));
	CHECK(fx_type(&h->t_int, h->b, 0x700, "builtins", "int", NULL));
	return TEST_OK;
}

static objref_str intern(heap *h, const char *s)
{
	objref_str id = 0;

	if (objref_builder_string(&id, h->b, s, strlen(s)) != 0)
		h->failed = 1;
	return id;
}

static objref_id add(heap *h, objref_type_id type, uint32_t flags, const char *desc)
{
	objref_object o;
	objref_id id = 0;

	memset(&o, 0, sizeof(o));
	o.addr = h->next_addr;
	h->next_addr += 0x40;
	o.type = type;
	o.size = 64;
	o.refcnt = 1;
	o.flags = flags | OBJREF_F_TRACKED;
	o.desc = desc ? intern(h, desc) : 0;
	if (objref_builder_object(&id, h->b, &o) != 0)
		h->failed = 1;
	return id;
}

static void ref(heap *h, objref_id src, objref_id dst, objref_label label)
{
	if (objref_builder_edge(h->b, src, dst, label) != 0)
		h->failed = 1;
}

static objref_label key(heap *h, const char *k)
{
	return OBJREF_LABEL(OBJREF_LABEL_KEY, intern(h, k));
}

static objref_label attr(heap *h, const char *name)
{
	return OBJREF_LABEL(OBJREF_LABEL_ATTR, intern(h, name));
}

static void root(heap *h, objref_root_kind kind, objref_id id, const char *name)
{
	objref_root r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.object = id;
	r.name = intern(h, name);
	if (objref_builder_root(h->b, &r) != 0)
		h->failed = 1;
}

static int heap_finish(objref_snapshot **out, heap *h)
{
	ASSERT_EQ(h->failed, 0);
	ASSERT_OK(objref_builder_finish(out, h->b));
	h->b = NULL;
	ASSERT_OK(objref_snapshot_validate(*out));
	return TEST_OK;
}

/*
 * The base heap.  Two ways reach the sample tuple T (id 0):
 *
 *   short (4): module app -> its __dict__ ['CACHE'] -> dict ['k'] -> list [3] -> T
 *   long (6):  module other -> its __dict__ ['REG'] -> list [0] -> Session
 *              __dict__ -> dict ['items'] -> list [1] -> T
 *
 * The long way's objects have the lower ids, so taking referrers in id
 * order depth-first would find it first.  Cycles: T -> list(1), CACHE ->
 * app's __dict__, list(7) -> itself.  Garbage: lists 11 <-> 12 -> tuple
 * 13 -> module app (a reference out of garbage changes nothing).
 */
enum {
	B_T, B_L2, B_SESSION, B_SDICT, B_L1, B_ODICT, B_OTHER, B_L, B_CACHE, B_ADICT, B_APP,
	B_G1, B_G2, B_GT, B_COUNT
};

static int base_heap(objref_snapshot **out)
{
	heap h;
	objref_id id;

	CHECK(heap_new(&h));
	static const struct { int type; uint32_t flags; const char *desc; } objs[B_COUNT] = {
		{6, 0, "len 2"}, {2, 0, NULL}, {4, 0, NULL}, {1, 0, NULL}, {2, 0, NULL},
		{1, 0, NULL}, {0, OBJREF_F_MODULE, "other"}, {2, 0, NULL}, {1, 0, NULL},
		{1, 0, NULL}, {0, OBJREF_F_MODULE, "app"}, {2, 0, NULL}, {2, 0, NULL}, {3, 0, NULL},
	};
	for (int i = 0; i < B_COUNT; i++) {
		objref_type_id t = objs[i].type == 0 ? h.t_module : objs[i].type == 1 ? h.t_dict
			: objs[i].type == 2 ? h.t_list : objs[i].type == 4 ? h.t_session : h.t_tuple;
		id = add(&h, t, objs[i].flags, objs[i].desc);
		ASSERT_EQ(id, i);
	}
	ref(&h, B_T, B_L2, IDX(0));        /* cycle back */
	ref(&h, B_L2, B_T, IDX(1));
	ref(&h, B_SESSION, B_SDICT, DICT);
	ref(&h, B_SDICT, B_L2, key(&h, "'items'"));
	ref(&h, B_L1, B_SESSION, IDX(0));
	ref(&h, B_ODICT, B_L1, key(&h, "'REG'"));
	ref(&h, B_OTHER, B_ODICT, DICT);
	ref(&h, B_L, B_L, IDX(0));         /* itself */
	ref(&h, B_L, B_T, IDX(3));
	ref(&h, B_CACHE, B_L, key(&h, "'k'"));
	ref(&h, B_CACHE, B_ADICT, key(&h, "'up'"));
	ref(&h, B_ADICT, B_CACHE, key(&h, "'CACHE'"));
	ref(&h, B_APP, B_ADICT, DICT);
	ref(&h, B_G1, B_G2, IDX(0));
	ref(&h, B_G2, B_G1, IDX(0));
	ref(&h, B_G2, B_GT, IDX(1));
	ref(&h, B_GT, B_APP, IDX(0));
	return heap_finish(out, &h);
}

/* ---- chain checks ---- */

/* Every step of c is a reference of snap with that label; n >= 1. */
static int chain_real(const objref_snapshot *snap, const objref_chain *c)
{
	ASSERT_GE(c->n, 1);
	for (size_t i = 0; i + 1 < c->n; i++) {
		const objref_id *t;
		const objref_label *l;
		size_t n, j;

		ASSERT_OK(objref_snapshot_edges(&t, &l, &n, snap, c->ids[i]));
		for (j = 0; j < n; j++)
			if (t[j] == c->ids[i + 1] && l[j] == c->labels[i])
				break;
		if (j == n)
			fprintf(stderr, "step %zu: no reference %u -> %u labelled 0x%x\n", i,
				c->ids[i], c->ids[i + 1], c->labels[i]);
		ASSERT_LT(j, n);
	}
	return TEST_OK;
}

static int chain_is(const objref_chain *c, const objref_id *ids, size_t n)
{
	if (c->n != n)
		fprintf(stderr, "chain of %zu objects, expected %zu\n", c->n, n);
	ASSERT_EQ(c->n, n);
	for (size_t i = 0; i < n; i++) {
		if (c->ids[i] != ids[i])
			fprintf(stderr, "chain object %zu\n", i);
		ASSERT_EQ(c->ids[i], ids[i]);
	}
	return TEST_OK;
}

/* The text of a chain (a static buffer, for asserts). */
static const char *chain_text(const objref_snapshot *snap, const objref_chain *c, unsigned flags)
{
	static char text[4096];
	objref_buf b = {0};
	int rc = objref_chain_format(&b, snap, c, flags);

	snprintf(text, sizeof(text), "%s", rc ? "<objref_chain_format failed>" : b.data ? b.data : "");
	objref_buf_dispose(&b);
	return text;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the reverse index ---- */

/* The reverse index is the transpose: for every object, its referrers in
 * increasing source order, one per edge (duplicates, self-references). */
TEST_IMPL(paths_revindex_transpose)
{
	enum { N = 300 };
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	heap h;
	uint64_t x = 12345;
	size_t total = 0;
	objref_id id;

	CHECK(heap_new(&h));
	for (int i = 0; i < N; i++)
		id = add(&h, h.t_list, 0, NULL);
	(void)id;
	/* edges in a scrambled source order, some objects with none */
	for (int e = 0; e < 5 * N; e++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		objref_id s = (objref_id)((x >> 33) % N), d = (objref_id)((x >> 13) % (N / 3));
		if (s % 7 == 0)
			continue;
		ref(&h, s, d, IDX(e));
		if (e % 50 == 0)
			ref(&h, s, s, IDX(e));
	}
	ref(&h, 5, 6, IDX(1));
	ref(&h, 5, 6, IDX(1)); /* a duplicate */
	CHECK(heap_finish(&snap, &h));
	ASSERT_OK(objref_revindex_new(&ri, snap));

	for (objref_id dst = 0; dst < N; dst++) {
		const objref_id *src;
		const objref_label *lab;
		size_t n, k = 0;

		ASSERT_OK(objref_revindex_referrers(&src, &lab, &n, ri, dst));
		/* walk the forward CSR in source order: the same sequence */
		for (objref_id s = 0; s < N; s++) {
			const objref_id *t;
			const objref_label *l;
			size_t m;

			ASSERT_OK(objref_snapshot_edges(&t, &l, &m, snap, s));
			for (size_t j = 0; j < m; j++) {
				if (t[j] != dst)
					continue;
				ASSERT_LT(k, n);
				ASSERT_EQ(src[k], s);
				ASSERT_EQ(lab[k], l[j]);
				k++;
			}
		}
		ASSERT_EQ(k, n);
		total += n;
	}
	{
		objref_snapshot_stats st;
		objref_snapshot_stats_get(&st, snap);
		ASSERT_EQ(total, st.nedges);
		ASSERT_GT(total, 3 * N);
		/* 8 bytes per object and 8 per edge */
		ASSERT_LE(objref_revindex_bytes(ri), 8 * (st.nobjects + 1) + 8 * st.nedges);
	}
	/* objects of the last two thirds have no referrers but themselves */
	{
		const objref_id *src;
		const objref_label *lab;
		size_t n;
		ASSERT_OK(objref_revindex_referrers(&src, &lab, &n, ri, N - 1));
		ASSERT_LE(n, 1);
		ASSERT_ERR(objref_revindex_referrers(&src, &lab, &n, ri, N), OBJREF_EINVAL);
		ASSERT_ERR(objref_revindex_referrers(&src, &lab, &n, ri, OBJREF_NO_ID), OBJREF_EINVAL);
	}
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Empty snapshots and snapshots without references. */
TEST_IMPL(paths_revindex_empty)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	const objref_id *src;
	const objref_label *lab;
	size_t n = 99;
	heap h;

	CHECK(heap_new(&h));
	CHECK(heap_finish(&snap, &h));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_ERR(objref_revindex_referrers(&src, &lab, &n, ri, 0), OBJREF_EINVAL);
	ASSERT_OK(objref_paths_new(&s, snap, ri));
	ASSERT_ERR(objref_paths_find(&c, s, 0, NULL), OBJREF_EINVAL);
	ASSERT_EQ(c.n, 0);
	objref_paths_free(s);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);

	CHECK(heap_new(&h));
	add(&h, h.t_tuple, 0, NULL);
	add(&h, h.t_module, OBJREF_F_MODULE, "m");
	CHECK(heap_finish(&snap, &h));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_revindex_referrers(&src, &lab, &n, ri, 1));
	ASSERT_EQ(n, 0);
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_ERR(objref_paths_find(&c, s, 0, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_OK(objref_paths_find(&c, s, 1, NULL));
	ASSERT_EQ(c.n, 1);
	objref_paths_free(s);
	objref_revindex_free(ri);
	objref_chain_dispose(&c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* ---- backward search ---- */

/* The shortest chain wins over a longer one found first depth-first, with
 * the label of every step; the text shows it. */
TEST_IMPL(paths_shortest)
{
	static const objref_id expect[] = { B_APP, B_ADICT, B_CACHE, B_L, B_T };
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_OK(objref_paths_find(&c, s, B_T, NULL));
	ASSERT_EQ(c.status, OBJREF_PATH_FOUND);
	ASSERT_EQ(c.distance, 4);
	CHECK(chain_is(&c, expect, ARRAY_SIZE(expect)));
	CHECK(chain_real(snap, &c));
	ASSERT_STR_EQ(fx_label(snap, c.labels[0]), "__dict__");
	ASSERT_STR_EQ(fx_label(snap, c.labels[1]), "['CACHE']");
	ASSERT_STR_EQ(fx_label(snap, c.labels[2]), "['k']");
	ASSERT_STR_EQ(fx_label(snap, c.labels[3]), "[3]");
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "module app .CACHE -> dict ['k'] -> list [3] -> tuple");
	ASSERT_STR_EQ(chain_text(snap, &c, OBJREF_CHAIN_FOLD),
		"module app .CACHE -> dict ['k'] -> list [*] -> tuple");

	/* from the middle of the long way: its own root is nearer */
	ASSERT_OK(objref_paths_find(&c, s, B_SDICT, NULL));
	{
		static const objref_id mid[] = { B_OTHER, B_ODICT, B_L1, B_SESSION, B_SDICT };
		CHECK(chain_is(&c, mid, ARRAY_SIZE(mid)));
	}
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "module other .REG -> list [0] -> Session __dict__ -> dict");
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* max_depth cuts: TOO_DEEP with the distance of the nearest root and the
 * part of its chain within reach; STOP_AT_DEPTH does not look further. */
TEST_IMPL(paths_max_depth)
{
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_paths_options_init(&o);
	ASSERT_EQ(o.max_depth, 20);

	o.max_depth = 4;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.n, 5);

	o.max_depth = 3;
	objref_error_clear();
	ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, 4);
	{
		static const objref_id part[] = { B_ADICT, B_CACHE, B_L, B_T };
		CHECK(chain_is(&c, part, ARRAY_SIZE(part)));
	}
	CHECK(chain_real(snap, &c));
	ASSERT_STR_CONTAINS(objref_error_last(), "nearest is 4 away");
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "... dict ['CACHE'] -> dict ['k'] -> list [3] -> tuple");
	/* the same answer by searching on (an ignore set rules out the
	 * distances to the roots) */
	{
		static const objref_id part[] = { B_ADICT, B_CACHE, B_L, B_T };
		objref_id nothing = OBJREF_NO_ID;
		o.ignore = &nothing;
		o.nignore = 1;
		ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ENOTFOUND);
		ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
		ASSERT_EQ(c.distance, 4);
		CHECK(chain_is(&c, part, ARRAY_SIZE(part)));
		o.ignore = NULL;
		o.nignore = 0;
	}
	/* from the middle of the long way, by distances: the way toward the
	 * nearest root, OTHER (ODICT, L1, SESSION are 1, 2, 3 from it) */
	o.max_depth = 1;
	ASSERT_ERR(objref_paths_find(&c, s, B_SDICT, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.distance, 4);
	{
		static const objref_id part[] = { B_SESSION, B_SDICT };
		CHECK(chain_is(&c, part, ARRAY_SIZE(part)));
	}
	o.max_depth = 3;

	/* objgraph's way: stop at max_depth; the first object reached there */
	o.flags = OBJREF_PATHS_STOP_AT_DEPTH;
	ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, 0);
	{
		static const objref_id part[] = { B_SESSION, B_SDICT, B_L2, B_T };
		CHECK(chain_is(&c, part, ARRAY_SIZE(part)));
	}
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "... Session .items -> list [1] -> tuple");
	o.max_depth = 4;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.n, 5);

	/* depth 0: only the sample itself could be a root */
	o.max_depth = 0;
	o.flags = 0;
	ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, 4);
	ASSERT_EQ(c.n, 1);
	ASSERT_OK(objref_paths_find(&c, s, B_APP, &o));
	ASSERT_EQ(c.n, 1);
	ASSERT_EQ(c.ids[0], B_APP);
	ASSERT_EQ(c.distance, 0);
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "module app");
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Garbage held by a cycle: UNREACHABLE, whatever max_depth; the partial
 * chain starts at the deepest object reached. */
TEST_IMPL(paths_garbage_cycle)
{
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_error_clear();
	ASSERT_ERR(objref_paths_find(&c, s, B_GT, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.distance, 0);
	{
		static const objref_id part[] = { B_G1, B_G2, B_GT };
		CHECK(chain_is(&c, part, ARRAY_SIZE(part)));
	}
	CHECK(chain_real(snap, &c));
	ASSERT_STR_CONTAINS(objref_error_last(), "no root is reachable");
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "list [0] -> list [1] -> tuple");

	objref_paths_options_init(&o);
	o.max_depth = 1;
	ASSERT_ERR(objref_paths_find(&c, s, B_GT, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.n, 2);
	ASSERT_EQ(c.ids[0], B_G2);
	/* stopping at depth 1 cannot tell: something was left unexplored */
	o.flags = OBJREF_PATHS_STOP_AT_DEPTH;
	ASSERT_ERR(objref_paths_find(&c, s, B_GT, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	o.max_depth = 2;
	ASSERT_ERR(objref_paths_find(&c, s, B_GT, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	/* the garbage references live objects: that roots nothing */
	ASSERT_ERR(objref_paths_find(&c, s, B_G1, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A dense blob of cycles far from any root, and a big rootless ring: both
 * searches end, with the right answer. */
TEST_IMPL(paths_cycles_terminate)
{
	enum { BLOB = 40, RING = 1000 };
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_id m, a, b2, first, ring;
	heap h;

	CHECK(heap_new(&h));
	m = add(&h, h.t_module, OBJREF_F_MODULE, "m");
	a = add(&h, h.t_dict, 0, NULL);
	b2 = add(&h, h.t_list, 0, NULL);
	first = add(&h, h.t_list, 0, NULL);
	for (int i = 1; i < BLOB; i++)
		add(&h, h.t_list, 0, NULL);
	for (int i = 0; i < BLOB; i++)
		for (int j = 0; j < BLOB; j++)
			ref(&h, first + i, first + j, IDX(j));
	ref(&h, m, a, DICT);
	ref(&h, a, b2, key(&h, "'x'"));
	ref(&h, b2, first + BLOB - 1, IDX(7));
	ring = add(&h, h.t_tuple, 0, NULL);
	for (int i = 1; i < RING; i++)
		add(&h, h.t_tuple, 0, NULL);
	for (int i = 0; i < RING; i++)
		ref(&h, ring + i, ring + (i + 1) % RING, IDX(0));
	ref(&h, ring, first, IDX(1)); /* the ring holds the blob too */
	CHECK(heap_finish(&snap, &h));

	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_OK(objref_paths_find(&c, s, first + 3, NULL));
	{
		objref_id expect[] = { m, a, b2, first + BLOB - 1, first + 3 };
		CHECK(chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	ASSERT_ERR(objref_paths_find(&c, s, ring + RING / 2, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.n, 21); /* the deepest within max_depth: 20 back along the ring */
	ASSERT_EQ(c.ids[0], ring + RING / 2 - 20);
	CHECK(chain_real(snap, &c));
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* extra_ignore: the short way's list is ignored, so the long way is
 * found; ignoring both leaves nothing; bad ids and the sample itself in the
 * set are harmless. */
TEST_IMPL(paths_ignore)
{
	static const objref_id long_way[] = { B_OTHER, B_ODICT, B_L1, B_SESSION, B_SDICT, B_L2, B_T };
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;
	objref_id ign[4];

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_paths_options_init(&o);
	o.ignore = ign;

	ign[0] = B_L;
	o.nignore = 1;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	CHECK(chain_is(&c, long_way, ARRAY_SIZE(long_way)));
	CHECK(chain_real(snap, &c));
	ASSERT_STR_EQ(chain_text(snap, &c, OBJREF_CHAIN_FOLD),
		"module other .REG -> list [*] -> Session .items -> list [*] -> tuple");

	ign[0] = B_APP; /* the root itself */
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	CHECK(chain_is(&c, long_way, ARRAY_SIZE(long_way)));

	ign[0] = B_L;
	ign[1] = B_L1;
	o.nignore = 2;
	ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);

	ign[0] = OBJREF_NO_ID;
	ign[1] = B_T;
	ign[2] = 1000;
	o.nignore = 3;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.n, 5);
	/* the next search forgets the ignore set */
	ign[0] = B_L;
	o.nignore = 1;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.n, 7);
	ASSERT_OK(objref_paths_find(&c, s, B_T, NULL));
	ASSERT_EQ(c.n, 5);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

struct calls {
	unsigned char seen[B_COUNT];
	int twice;
	objref_id want;
};

static int is_want(const objref_snapshot *snap, objref_id id, void *arg)
{
	struct calls *k = arg;

	(void)snap;
	if (id < B_COUNT && k->seen[id]++)
		k->twice = 1;
	return id == k->want;
}

/* Default roots: the root flag, root records, modules.  A predicate
 * replaces them, called at most once per object. */
TEST_IMPL(paths_roots)
{
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;
	struct calls k;
	objref_id flagged, recorded, module, plain, frame, held;
	heap h;

	CHECK(heap_new(&h));
	flagged = add(&h, h.t_dict, OBJREF_F_ROOT, NULL);
	recorded = add(&h, h.t_dict, 0, NULL);
	module = add(&h, h.t_module, OBJREF_F_MODULE, "mm");
	plain = add(&h, h.t_list, 0, NULL);
	frame = add(&h, h.t_frame, OBJREF_F_FRAME, "main app.py:3");
	held = add(&h, h.t_tuple, 0, NULL);
	root(&h, OBJREF_ROOT_HELD_FROM_C, recorded, "");
	root(&h, OBJREF_ROOT_FRAME, frame, "x");
	ref(&h, frame, plain, OBJREF_LABEL(OBJREF_LABEL_LOCAL, intern(&h, "x")));
	ref(&h, plain, held, IDX(0));
	CHECK(heap_finish(&snap, &h));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT(objref_paths_is_root(s, flagged));
	ASSERT(objref_paths_is_root(s, recorded));
	ASSERT(objref_paths_is_root(s, module));
	ASSERT(objref_paths_is_root(s, frame));
	ASSERT(!objref_paths_is_root(s, plain));
	ASSERT(!objref_paths_is_root(s, held));
	ASSERT(!objref_paths_is_root(s, 100));
	ASSERT_OK(objref_paths_find(&c, s, held, NULL));
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "frame (main app.py:3) local x -> list [0] -> tuple");
	objref_paths_free(s);
	objref_snapshot_free(snap);

	/* a predicate instead of the default roots */
	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_paths_options_init(&o);
	memset(&k, 0, sizeof(k));
	k.want = B_OTHER;
	o.is_root = is_want;
	o.is_root_arg = &k;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.n, 7);
	ASSERT_EQ(c.ids[0], B_OTHER);
	ASSERT_EQ(k.twice, 0);
	ASSERT_EQ(k.seen[B_T], 1);    /* the sample is asked too */
	ASSERT_EQ(k.seen[B_APP], 1);  /* a module, but not a root now */
	ASSERT_EQ(k.seen[B_G1], 0);   /* never reached */
	/* the sample itself may be the answer */
	memset(&k, 0, sizeof(k));
	k.want = B_T;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.n, 1);
	ASSERT_EQ(c.distance, 0);
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "tuple (len 2)");
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Roots have ranks: a module or frame root beats a nearer root held from
 * C, gc.garbage, frozen or immortal, if it is within max_depth; among the
 * lesser kinds the better rank wins, then the nearer. */
TEST_IMPL(paths_root_ranks)
{
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;
	objref_id m, d, l, smp, held, imm, x, held2, smp2, both, garb, froz, flagged;
	heap h;

	CHECK(heap_new(&h));
	m = add(&h, h.t_module, OBJREF_F_MODULE, "app");
	d = add(&h, h.t_dict, 0, NULL);
	l = add(&h, h.t_list, 0, NULL);
	smp = add(&h, h.t_tuple, 0, NULL);
	held = add(&h, h.t_dict, OBJREF_F_ROOT, NULL);
	imm = add(&h, h.t_tuple, OBJREF_F_ROOT | OBJREF_F_IMMORTAL, NULL);
	x = add(&h, h.t_list, 0, NULL);
	held2 = add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	smp2 = add(&h, h.t_tuple, 0, NULL);
	both = add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	garb = add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	froz = add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	flagged = add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	ref(&h, m, d, DICT);
	ref(&h, d, l, key(&h, "'x'"));
	ref(&h, l, smp, IDX(0));
	ref(&h, d, garb, key(&h, "'g'"));
	ref(&h, held, smp, key(&h, "'k'"));
	ref(&h, imm, smp2, IDX(0));
	ref(&h, held2, x, IDX(1));
	ref(&h, x, smp2, IDX(2));
	root(&h, OBJREF_ROOT_HELD_FROM_C, held, "");
	root(&h, OBJREF_ROOT_IMMORTAL, imm, "");
	root(&h, OBJREF_ROOT_HELD_FROM_C, held2, "");
	root(&h, OBJREF_ROOT_HELD_FROM_C, both, "");
	root(&h, OBJREF_ROOT_FRAME, both, "v");
	root(&h, OBJREF_ROOT_GC_GARBAGE, garb, "");
	root(&h, OBJREF_ROOT_FROZEN, froz, "");
	CHECK(heap_finish(&snap, &h));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));

	ASSERT_EQ(objref_paths_is_root(s, m), 1);
	ASSERT_EQ(objref_paths_is_root(s, both), 1);
	ASSERT_EQ(objref_paths_is_root(s, flagged), 1);
	ASSERT_EQ(objref_paths_is_root(s, garb), 2);
	ASSERT_EQ(objref_paths_is_root(s, froz), 3);
	ASSERT_EQ(objref_paths_is_root(s, held), 4);
	ASSERT_EQ(objref_paths_is_root(s, imm), 5);
	ASSERT_EQ(objref_paths_is_root(s, smp), 0);
	ASSERT_NULL(objref_paths_root_of(s, m));
	ASSERT_NULL(objref_paths_root_of(s, flagged));
	ASSERT_NULL(objref_paths_root_of(s, smp));
	ASSERT_NULL(objref_paths_root_of(s, 1000));
	ASSERT_NOT_NULL(objref_paths_root_of(s, both));
	ASSERT_EQ(objref_paths_root_of(s, both)->kind, OBJREF_ROOT_FRAME);
	ASSERT_EQ(objref_paths_root_of(s, held)->kind, OBJREF_ROOT_HELD_FROM_C);
	ASSERT_EQ(objref_paths_root_of(s, held)->object, held);
	ASSERT_EQ(objref_paths_root_of(s, froz)->kind, OBJREF_ROOT_FROZEN);

	/* the module, three away, over the held dict next door */
	ASSERT_OK(objref_paths_find(&c, s, smp, NULL));
	{
		objref_id expect[] = { m, d, l, smp };
		CHECK(chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	/* out of the module's reach, the held dict will do */
	objref_paths_options_init(&o);
	o.max_depth = 2;
	ASSERT_OK(objref_paths_find(&c, s, smp, &o));
	{
		objref_id expect[] = { held, smp };
		CHECK(chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "dict ['k'] -> tuple");
	/* held from C (4) two away beats immortal (5) next door */
	ASSERT_OK(objref_paths_find(&c, s, smp2, NULL));
	{
		objref_id expect[] = { held2, x, smp2 };
		CHECK(chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	o.max_depth = 1;
	ASSERT_OK(objref_paths_find(&c, s, smp2, &o));
	ASSERT_EQ(c.ids[0], imm);
	/* a lesser root as the sample: the module still wins if in reach */
	ASSERT_OK(objref_paths_find(&c, s, garb, NULL));
	ASSERT_EQ(c.n, 3);
	ASSERT_EQ(c.ids[0], m);
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "module app .g -> list");
	ASSERT_OK(objref_paths_find(&c, s, held, NULL));
	ASSERT_EQ(c.n, 1);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

static int ranked(const objref_snapshot *snap, objref_id id, void *arg)
{
	const int *ranks = arg;

	(void)snap;
	return id < B_COUNT ? ranks[id] : 0;
}

/* A predicate ranks too, and can stop the search. */
TEST_IMPL(paths_predicate_ranks)
{
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;
	int ranks[B_COUNT] = {0};

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_paths_options_init(&o);
	o.is_root = ranked;
	o.is_root_arg = ranks;
	ranks[B_APP] = 2;
	ranks[B_OTHER] = 1;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.ids[0], B_OTHER);
	ASSERT_EQ(c.n, 7);
	ranks[B_OTHER] = 3;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.ids[0], B_APP);
	ranks[B_CACHE] = 7;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.ids[0], B_APP);
	ranks[B_ADICT] = 7; /* equal ranks: the nearer */
	ranks[B_APP] = 7;
	ranks[B_OTHER] = 7;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	ASSERT_EQ(c.ids[0], B_CACHE);
	/* a negative answer stops the search */
	ranks[B_L] = -1;
	objref_error_clear();
	ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ERROR);
	ASSERT_EQ(c.n, 0);
	ASSERT_STR_CONTAINS(objref_error_last(), "predicate");
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_APP, ranked, ranks, NULL), OBJREF_ERROR);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

static int is_tuple(const objref_snapshot *snap, objref_id id, void *arg)
{
	(void)arg;
	return strcmp(objref_snapshot_string(snap, objref_snapshot_type(snap,
		objref_snapshot_object(snap, id)->type)->name), "tuple") == 0;
}

static int is_session(const objref_snapshot *snap, objref_id id, void *arg)
{
	(void)arg;
	return strcmp(objref_snapshot_string(snap, objref_snapshot_type(snap,
		objref_snapshot_object(snap, id)->type)->name), "Session") == 0;
}

/* objgraph.find_ref_chain: forward to the nearest object a predicate
 * accepts; the chain runs start ... target. */
TEST_IMPL(paths_forward)
{
	static const objref_id from_app[] = { B_APP, B_ADICT, B_CACHE, B_L, B_T };
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_OK(objref_paths_find_forward(&c, s, B_APP, is_tuple, NULL, NULL));
	CHECK(chain_is(&c, from_app, ARRAY_SIZE(from_app)));
	CHECK(chain_real(snap, &c));
	ASSERT_EQ(c.distance, 4);
	ASSERT_STR_EQ(chain_text(snap, &c, 0), "module app .CACHE -> dict ['k'] -> list [3] -> tuple");

	ASSERT_OK(objref_paths_find_forward(&c, s, B_OTHER, is_tuple, NULL, NULL));
	ASSERT_EQ(c.n, 7);
	CHECK(chain_real(snap, &c));
	objref_paths_options_init(&o);
	o.max_depth = 3;
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_OTHER, is_tuple, NULL, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, 6);
	{
		static const objref_id part[] = { B_OTHER, B_ODICT, B_L1, B_SESSION };
		CHECK(chain_is(&c, part, ARRAY_SIZE(part)));
	}
	/* no Session is reachable from the app side, garbage included */
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_GT, is_session, NULL, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.ids[0], B_GT);
	CHECK(chain_real(snap, &c));
	/* ignoring the way there */
	o.max_depth = 20;
	{
		objref_id ign = B_L;
		o.ignore = &ign;
		o.nignore = 1;
		ASSERT_ERR(objref_paths_find_forward(&c, s, B_APP, is_tuple, NULL, &o), OBJREF_ENOTFOUND);
	}
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_APP, NULL, NULL, NULL), OBJREF_EINVAL);
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_COUNT, is_tuple, NULL, NULL), OBJREF_EINVAL);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A reverse index given by the caller is shared; one of another snapshot
 * is refused. */
TEST_IMPL(paths_shared_index)
{
	objref_snapshot *snap = NULL, *other = NULL;
	objref_revindex *ri = NULL;
	objref_paths *s1 = NULL, *s2 = NULL;
	objref_chain c1 = {0}, c2 = {0};

	CHECK(base_heap(&snap));
	CHECK(base_heap(&other));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_ERR(objref_paths_new(&s1, other, ri), OBJREF_EINVAL);
	ASSERT_NULL(s1);
	ASSERT_OK(objref_paths_new(&s1, snap, ri));
	ASSERT_OK(objref_paths_new(&s2, snap, ri));
	ASSERT_OK(objref_paths_find(&c1, s1, B_T, NULL));
	ASSERT_OK(objref_paths_find(&c2, s2, B_SDICT, NULL));
	ASSERT_EQ(c1.n, 5);
	ASSERT_EQ(c2.n, 5);
	ASSERT_EQ(c2.ids[0], B_OTHER);
	objref_paths_free(s1);
	/* chains outlive their searcher */
	ASSERT_EQ(c1.ids[4], B_T);
	ASSERT_OK(objref_paths_find(&c1, s2, B_T, NULL));
	ASSERT_EQ(c1.ids[0], B_APP);
	objref_paths_free(s2);
	objref_revindex_free(ri);
	objref_chain_dispose(&c1);
	objref_chain_dispose(&c2);
	objref_snapshot_free(other);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A chain of a million objects: no recursion, no stack to overflow. */
TEST_IMPL(paths_long_chain)
{
	enum { N = 1000000 };
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	objref_paths_options o;
	double t0 = now_ms();
	heap h;

	CHECK(heap_new(&h));
	add(&h, h.t_module, OBJREF_F_MODULE, "m");
	for (objref_id i = 1; i < N; i++) {
		add(&h, h.t_list, 0, NULL);
		ref(&h, i - 1, i, IDX(i % 7));
	}
	CHECK(heap_finish(&snap, &h));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));

	/* default depth: too deep, and by how much */
	ASSERT_ERR(objref_paths_find(&c, s, N - 1, NULL), OBJREF_ENOTFOUND);
	printf("  building %d objects and the first search: %.1f ms\n", N, now_ms() - t0);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, N - 1);
	ASSERT_EQ(c.n, 21);
	ASSERT_EQ(c.ids[0], N - 21);
	CHECK(chain_real(snap, &c));
	/* the distances to the roots are computed once: later samples cost
	 * their 20 steps, and nothing more is allocated */
	objref_alloc_fail_nth(0);
	t0 = now_ms();
	for (objref_id i = 1; i <= 10; i++) {
		ASSERT_ERR(objref_paths_find(&c, s, N / 2 + 1000 * i, NULL), OBJREF_ENOTFOUND);
		ASSERT_EQ(c.distance, N / 2 + 1000 * i);
		ASSERT_EQ(c.ids[0], N / 2 + 1000 * i - 20);
	}
	printf("  10 more samples too deep: %.3f ms\n", now_ms() - t0);
	ASSERT_EQ(objref_alloc_fail_nth(0), 0);
	/* searching on instead (an ignore set) gives the same */
	objref_paths_options_init(&o);
	{
		objref_id nothing = OBJREF_NO_ID;
		o.ignore = &nothing;
		o.nignore = 1;
		ASSERT_ERR(objref_paths_find(&c, s, N - 1, &o), OBJREF_ENOTFOUND);
		ASSERT_EQ(c.distance, N - 1);
		ASSERT_EQ(c.ids[0], N - 21);
		o.nignore = 0;
	}

	o.max_depth = SIZE_MAX;
	t0 = now_ms();
	ASSERT_OK(objref_paths_find(&c, s, N - 1, &o));
	printf("  unbounded search back along %d objects: %.1f ms\n", N, now_ms() - t0);
	ASSERT_EQ(c.n, N);
	ASSERT_EQ(c.ids[0], 0);
	ASSERT_EQ(c.ids[N - 1], N - 1);
	ASSERT_EQ(c.labels[N - 2], IDX((N - 1) % 7));
	for (objref_id i = 0; i < N; i += 99991)
		ASSERT_EQ(c.ids[i], i);
	ASSERT_STR_PREFIX(chain_text(snap, &c, OBJREF_CHAIN_FOLD), "module m [*] -> list [*] -> list");

	/* and forward */
	ASSERT_ERR(objref_paths_find_forward(&c, s, 0, is_tuple, NULL, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Searches after the first reuse the searcher's memory: the same search
 * again, or a smaller one, into the same chain allocates nothing; into a
 * fresh chain, only the chain. */
TEST_IMPL(paths_reuse_memory)
{
	objref_snapshot *snap = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0}, fresh = {0};
	unsigned long made;

	CHECK(base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_alloc_fail_nth(0);
	ASSERT_OK(objref_paths_find(&c, s, B_T, NULL));
	made = objref_alloc_fail_nth(0);
	ASSERT_GT(made, 0); /* the queue and the chain */
	for (int i = 0; i < 1000; i++) {
		ASSERT_OK(objref_paths_find(&c, s, B_T, NULL));
		ASSERT_ERR(objref_paths_find(&c, s, B_GT, NULL), OBJREF_ENOTFOUND);
		ASSERT_OK(objref_paths_find(&c, s, B_L2, NULL));
	}
	made = objref_alloc_fail_nth(0);
	ASSERT_EQ(made, 0);
	ASSERT_EQ(c.n, 6); /* still right after 3000 generations */
	ASSERT_OK(objref_paths_find(&fresh, s, B_T, NULL));
	made = objref_alloc_fail_nth(0);
	ASSERT_EQ(made, 2);
	objref_chain_dispose(&fresh);
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* ---- grouping ---- */

/*
 * The grouping heap: module app with
 *   .CACHE -> dict ['k'] -> list [0..2] -> 3 tuples           (shape A)
 *   .REG -> list [0], [1] -> 2 Sessions .hist -> list -> tuple  (shape B)
 *   .BYID -> dict [1], [2] (int keys) -> 2 tuples              (shape C)
 *   .BYNAME -> dict ['a'], ['b'] -> 2 tuples                   (D, D')
 *   .REG -> list [2] -> Session .other -> list [0] -> tuple     (E)
 *   module lib, the same as shape A                            (A')
 */
struct gheap {
	objref_snapshot *snap;
	objref_id a[3], b[2], cc[2], d[2], e, a2;
	objref_chain chains[12];
};

static objref_id module_with_cache(heap *h, const char *name, objref_id *dict, objref_id *tup,
	int ntup)
{
	objref_id m = add(h, h->t_module, OBJREF_F_MODULE, name);
	objref_id md = add(h, h->t_dict, 0, NULL);
	objref_id cache = add(h, h->t_dict, 0, NULL);
	objref_id list = add(h, h->t_list, 0, NULL);

	ref(h, m, md, DICT);
	ref(h, md, cache, key(h, "'CACHE'"));
	ref(h, cache, list, key(h, "'k'"));
	for (int i = 0; i < ntup; i++) {
		tup[i] = add(h, h->t_tuple, 0, NULL);
		ref(h, list, tup[i], IDX(i));
	}
	*dict = md;
	return m;
}

static objref_id session_holding(heap *h, objref_id reg, int at, const char *attr_key,
	int index)
{
	objref_id s = add(h, h->t_session, 0, NULL);
	objref_id sd = add(h, h->t_dict, 0, NULL);
	objref_id l = add(h, h->t_list, 0, NULL);
	objref_id t = add(h, h->t_tuple, 0, NULL);

	ref(h, reg, s, IDX(at));
	ref(h, s, sd, DICT);
	ref(h, sd, l, key(h, attr_key));
	ref(h, l, t, IDX(index));
	return t;
}

static int group_heap(struct gheap *g)
{
	objref_id md, libd, reg, byid, byname, m;
	heap h;

	memset(g, 0, sizeof(*g));
	CHECK(heap_new(&h));
	m = module_with_cache(&h, "app", &md, g->a, 3);
	(void)m;
	reg = add(&h, h.t_list, 0, NULL);
	ref(&h, md, reg, key(&h, "'REG'"));
	g->b[0] = session_holding(&h, reg, 0, "'hist'", 0);
	g->b[1] = session_holding(&h, reg, 1, "'hist'", 4);
	g->e = session_holding(&h, reg, 2, "'other'", 0);
	byid = add(&h, h.t_dict, 0, NULL);
	ref(&h, md, byid, key(&h, "'BYID'"));
	byname = add(&h, h.t_dict, 0, NULL);
	ref(&h, md, byname, key(&h, "'BYNAME'"));
	for (int i = 0; i < 2; i++) {
		g->cc[i] = add(&h, h.t_tuple, 0, NULL);
		ref(&h, byid, g->cc[i], key(&h, i ? "2" : "1"));
		g->d[i] = add(&h, h.t_tuple, 0, NULL);
		ref(&h, byname, g->d[i], key(&h, i ? "'b'" : "'a'"));
	}
	module_with_cache(&h, "lib", &libd, &g->a2, 1);
	return heap_finish(&g->snap, &h);
}

static int group_find(struct gheap *g, objref_paths *s, const objref_id *samples, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		ASSERT_OK(objref_paths_find(&g->chains[i], s, samples[i], NULL));
		CHECK(chain_real(g->snap, &g->chains[i]));
	}
	return TEST_OK;
}

static void group_dispose(struct gheap *g)
{
	for (size_t i = 0; i < ARRAY_SIZE(g->chains); i++)
		objref_chain_dispose(&g->chains[i]);
	objref_snapshot_free(g->snap);
}

/* Five samples, two shapes: groups of 3 and 2, biggest first, indices
 * folded, members in the order given. */
TEST_IMPL(paths_group_two_shapes)
{
	struct gheap g;
	objref_paths *s = NULL;
	objref_chain_group *groups = NULL;
	size_t n = 0;

	CHECK(group_heap(&g));
	ASSERT_OK(objref_paths_new(&s, g.snap, NULL));
	{
		/* B first, interleaved */
		objref_id samples[] = { g.b[0], g.a[0], g.b[1], g.a[1], g.a[2] };
		CHECK(group_find(&g, s, samples, ARRAY_SIZE(samples)));
		ASSERT_OK(objref_paths_group(&groups, &n, g.snap, g.chains, ARRAY_SIZE(samples), 0));
	}
	ASSERT_EQ(n, 2);
	ASSERT_EQ(groups[0].count, 3);
	ASSERT_EQ(groups[0].example, 1);
	ASSERT_EQ(groups[0].members[0], 1);
	ASSERT_EQ(groups[0].members[1], 3);
	ASSERT_EQ(groups[0].members[2], 4);
	ASSERT_EQ(groups[0].samples[0], g.a[0]);
	ASSERT_EQ(groups[0].samples[1], g.a[1]);
	ASSERT_EQ(groups[0].samples[2], g.a[2]);
	ASSERT_EQ(groups[1].count, 2);
	ASSERT_EQ(groups[1].example, 0);
	ASSERT_EQ(groups[1].members[0], 0);
	ASSERT_EQ(groups[1].members[1], 2);
	ASSERT_EQ(groups[1].samples[1], g.b[1]);
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[groups[0].example], OBJREF_CHAIN_FOLD),
		"module app .CACHE -> dict ['k'] -> list [*] -> tuple");
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[groups[1].example], OBJREF_CHAIN_FOLD),
		"module app .REG -> list [*] -> Session .hist -> list [*] -> tuple");
	/* unfolded, the example shows its own indices */
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[groups[1].example], 0),
		"module app .REG -> list [0] -> Session .hist -> list [0] -> tuple");
	objref_free(groups);

	/* none */
	ASSERT_OK(objref_paths_group(&groups, &n, g.snap, g.chains, 0, 0));
	ASSERT_NULL(groups);
	ASSERT_EQ(n, 0);
	objref_paths_free(s);
	group_dispose(&g);
	return TEST_OK;
}

/* Equal counts: the shorter shape first, then the one seen first. */
TEST_IMPL(paths_group_ties)
{
	struct gheap g;
	objref_paths *s = NULL;
	objref_chain_group *groups = NULL;
	size_t n = 0;

	CHECK(group_heap(&g));
	ASSERT_OK(objref_paths_new(&s, g.snap, NULL));
	{
		objref_id samples[] = { g.b[0], g.a[0], g.b[1], g.a[1], g.d[0], g.cc[0], g.cc[1] };
		CHECK(group_find(&g, s, samples, ARRAY_SIZE(samples)));
		ASSERT_OK(objref_paths_group(&groups, &n, g.snap, g.chains, ARRAY_SIZE(samples), 0));
	}
	/* A (len 5), B (len 7) and C (len 4; int keys fold) have 2 each; D has 1 */
	ASSERT_EQ(n, 4);
	ASSERT_EQ(groups[0].count, 2);
	ASSERT_EQ(groups[0].example, 5); /* C: shortest */
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[5], OBJREF_CHAIN_FOLD),
		"module app .BYID -> dict [*] -> tuple");
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[5], 0), "module app .BYID -> dict [1] -> tuple");
	ASSERT_EQ(groups[1].example, 1); /* A */
	ASSERT_EQ(groups[2].example, 0); /* B */
	ASSERT_EQ(groups[3].count, 1);
	ASSERT_EQ(groups[3].example, 4);
	objref_free(groups);
	objref_paths_free(s);
	group_dispose(&g);
	return TEST_OK;
}

/* What a signature keeps: string keys, attribute names (even with
 * FOLD_KEYS), the root module, the status. */
TEST_IMPL(paths_group_signature)
{
	struct gheap g;
	objref_paths *s = NULL;
	objref_chain_group *groups = NULL;
	size_t n = 0;
	objref_paths_options o;

	CHECK(group_heap(&g));
	ASSERT_OK(objref_paths_new(&s, g.snap, NULL));
	{
		/* D, D', B, E, A (app), A' (lib) */
		objref_id samples[] = { g.d[0], g.d[1], g.b[0], g.e, g.a[0], g.a2 };
		CHECK(group_find(&g, s, samples, ARRAY_SIZE(samples)));
	}
	ASSERT_OK(objref_paths_group(&groups, &n, g.snap, g.chains, 6, 0));
	ASSERT_EQ(n, 6); /* every one alone */
	ASSERT_EQ(groups[0].example, 0);
	ASSERT_EQ(groups[5].example, 3); /* longest last (B and E tie, B first) */
	objref_free(groups);

	ASSERT_OK(objref_paths_group(&groups, &n, g.snap, g.chains, 6, OBJREF_CHAIN_FOLD_KEYS));
	ASSERT_EQ(n, 5); /* D and D' merge; .hist and .other stay apart; app and lib too */
	ASSERT_EQ(groups[0].count, 2);
	ASSERT_EQ(groups[0].members[1], 1);
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[0], OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS),
		"module app .BYNAME -> dict [*] -> tuple");
	ASSERT_STR_EQ(chain_text(g.snap, &g.chains[3], OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS),
		"module app .REG -> list [*] -> Session .other -> list [*] -> tuple");
	objref_free(groups);

	/* a partial chain groups apart from a found one of the same shape */
	objref_paths_options_init(&o);
	o.max_depth = 3;
	ASSERT_ERR(objref_paths_find(&g.chains[1], s, g.a[1], &o), OBJREF_ENOTFOUND);
	ASSERT_ERR(objref_paths_find(&g.chains[0], s, g.a[0], &o), OBJREF_ENOTFOUND);
	o.max_depth = 4;
	ASSERT_OK(objref_paths_find(&g.chains[2], s, g.a[2], &o));
	ASSERT_OK(objref_paths_group(&groups, &n, g.snap, g.chains, 3, 0));
	ASSERT_EQ(n, 2);
	ASSERT_EQ(groups[0].count, 2);
	ASSERT_EQ(groups[0].example, 0);
	ASSERT_EQ(g.chains[groups[0].example].status, OBJREF_PATH_TOO_DEEP);
	objref_free(groups);

	/* bad input */
	g.chains[11].n = 0;
	ASSERT_ERR(objref_paths_group(&groups, &n, g.snap, &g.chains[11], 1, 0), OBJREF_EINVAL);
	objref_paths_free(s);
	group_dispose(&g);
	return TEST_OK;
}

/* ---- text ---- */

/* The text of chains built by hand: roots, attributes, odd keys, unnamed
 * references, long labels, partial chains, bad chains. */
TEST_IMPL(paths_format)
{
	objref_snapshot *snap = NULL;
	objref_id m, nodesc, dict, sess, sd, lst, tup, frame;
	objref_label k_weird, k_long, k_ok, k_int, a_hist;
	char longkey[600];
	objref_buf b = {0};
	heap h;

	CHECK(heap_new(&h));
	m = add(&h, h.t_module, OBJREF_F_MODULE, "pkg.mod");
	nodesc = add(&h, h.t_module, OBJREF_F_MODULE, NULL);
	dict = add(&h, h.t_dict, 0, "len 3");
	sess = add(&h, h.t_session, 0, NULL);
	sd = add(&h, h.t_dict, 0, NULL);
	lst = add(&h, h.t_list, 0, NULL);
	tup = add(&h, h.t_tuple, 0, NULL);
	frame = add(&h, h.t_frame, OBJREF_F_FRAME, NULL);
	k_weird = key(&h, "'a b'");
	k_ok = key(&h, "'ok'");
	k_int = key(&h, "42");
	a_hist = attr(&h, "history");
	memset(longkey, 'x', sizeof(longkey));
	longkey[0] = '\'';
	longkey[sizeof(longkey) - 2] = '\'';
	longkey[sizeof(longkey) - 1] = '\0';
	k_long = key(&h, longkey);
	CHECK(heap_finish(&snap, &h));

#define CH(...) (&(objref_chain){ .ids = (objref_id[]){ __VA_ARGS__ }, \
	.n = sizeof((objref_id[]){ __VA_ARGS__ }) / sizeof(objref_id), .labels = labels })
	{
		objref_label labels[] = { DICT, k_ok, IDX(5) };
		ASSERT_STR_EQ(chain_text(snap, CH(m, sd, lst, tup), 0), "module pkg.mod .ok -> list [5] -> tuple");
		/* the __dict__ of the last-but-one step has nothing after its key */
		ASSERT_STR_EQ(chain_text(snap, CH(sess, sd, lst), 0), "Session .ok -> list");
		ASSERT_STR_EQ(chain_text(snap, CH(sess, sd), 0), "Session __dict__ -> dict");
		/* not a dict: no attribute */
		ASSERT_STR_EQ(chain_text(snap, CH(sess, lst, tup), 0), "Session __dict__ -> list ['ok'] -> tuple");
	}
	{
		/* a slot: an attribute label of its own */
		objref_label labels[] = { a_hist, IDX(OBJREF_LABEL_PAYLOAD_MAX) };
		ASSERT_STR_EQ(chain_text(snap, CH(sess, lst, tup), 0), "Session .history -> list [*] -> tuple");
	}
	{
		objref_label labels[] = { k_int, NOLABEL, k_weird };
		/* a root with a description; an int key folds, a str key does not */
		ASSERT_STR_EQ(chain_text(snap, CH(dict, lst, tup), 0), "dict (len 3) [42] -> list -> tuple");
		ASSERT_STR_EQ(chain_text(snap, CH(dict, lst, tup), OBJREF_CHAIN_FOLD),
			"dict (len 3) [*] -> list -> tuple");
		ASSERT_STR_EQ(chain_text(snap, CH(nodesc), 0), "module");
		ASSERT_STR_EQ(chain_text(snap, CH(frame), 0), "frame");
	}
	{
		objref_label labels[] = { DICT, k_weird, IDX(0) };
		/* a key that is no identifier stays a key */
		ASSERT_STR_EQ(chain_text(snap, CH(sess, sd, lst, tup), OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS),
			"Session __dict__ -> dict ['a b'] -> list [*] -> tuple");
	}
	{
		objref_label labels[] = { k_ok, k_long };
		objref_chain *c = CH(dict, sd, tup);
		ASSERT_OK(objref_chain_format(&b, snap, c, 0));
		ASSERT_EQ(b.len, strlen("dict (len 3) ['ok'] -> dict [") + strlen(longkey) + strlen("] -> tuple"));
		ASSERT_STR_PREFIX(b.data, "dict (len 3) ['ok'] -> dict ['xxxxxxxx");
		objref_buf_dispose(&b);
		ASSERT_STR_EQ(chain_text(snap, c, OBJREF_CHAIN_FOLD_KEYS), "dict (len 3) [*] -> dict [*] -> tuple");
		c->status = OBJREF_PATH_TOO_DEEP;
		ASSERT_STR_EQ(chain_text(snap, c, OBJREF_CHAIN_FOLD_KEYS), "... dict [*] -> dict [*] -> tuple");
		c->status = OBJREF_PATH_UNREACHABLE;
		ASSERT_STR_EQ(chain_text(snap, c, OBJREF_CHAIN_FOLD_KEYS), "dict [*] -> dict [*] -> tuple");
		/* appended, not replaced */
		ASSERT_OK(objref_buf_put(&b, "> ", 2));
		ASSERT_OK(objref_chain_format(&b, snap, c, OBJREF_CHAIN_FOLD_KEYS));
		ASSERT_STR_EQ(b.data, "> dict [*] -> dict [*] -> tuple");
		objref_buf_dispose(&b);
	}
	{
		objref_label labels[] = { IDX(0) };
		ASSERT_ERR(objref_chain_format(&b, snap, CH(lst, 99), 0), OBJREF_EINVAL);
		ASSERT_ERR(objref_chain_format(&b, snap, &(objref_chain){0}, 0), OBJREF_EINVAL);
		objref_buf_dispose(&b);
	}
#undef CH
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* ---- fault injection ---- */

/* Build, index, search (back, forward, failing), group, format: the text
 * records every answer. */
static int fault_paths_path(objref_buf *text)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_paths *s = NULL, *own = NULL;
	objref_chain c[4] = {{0}};
	objref_chain_group *groups = NULL;
	objref_paths_options o;
	size_t n = 0;
	int rc;

	/* base_heap asserts; here every failure must come back as a code */
	{
		heap h;
		memset(&h, 0, sizeof(h));
		if ((rc = objref_builder_new(&h.b)) != 0)
			return rc;
		if ((rc = objref_builder_type(&h.t_list, h.b, 1, "builtins", "list", NULL)) != 0 ||
		    (rc = objref_builder_type(&h.t_module, h.b, 2, "builtins", "module", NULL)) != 0 ||
		    (rc = objref_builder_type(&h.t_dict, h.b, 3, "builtins", "dict", NULL)) != 0) {
			objref_builder_free(h.b);
			return rc;
		}
		h.next_addr = 0x1000;
		add(&h, h.t_module, OBJREF_F_MODULE, "app");
		add(&h, h.t_dict, 0, NULL);
		ref(&h, 0, 1, DICT);
		for (objref_id i = 2; i < 60; i++) {
			add(&h, h.t_list, 0, NULL);
			ref(&h, i / 2, i, i % 3 ? IDX(i) : key(&h, "'k'"));
		}
		add(&h, h.t_list, 0, NULL); /* 60: garbage */
		ref(&h, 60, 60, IDX(0));
		ref(&h, 60, 59, IDX(1));
		root(&h, OBJREF_ROOT_HELD_FROM_C, 30, "");
		root(&h, OBJREF_ROOT_IMMORTAL, 31, "");
		if (h.failed) {
			objref_builder_free(h.b);
			return OBJREF_ENOMEM;
		}
		if ((rc = objref_builder_finish(&snap, h.b)) != 0)
			return rc;
	}
	if ((rc = objref_revindex_new(&ri, snap)) != 0 ||
	    (rc = objref_paths_new(&s, snap, ri)) != 0 ||
	    (rc = objref_paths_new(&own, snap, NULL)) != 0)
		goto cleanup;
	for (int i = 0; i < 3; i++) {
		if ((rc = objref_paths_find(&c[i], i == 1 ? own : s, (objref_id)(40 + 7 * i), NULL)) != 0)
			goto cleanup;
		objref_buf_printf(text, "%u: ", 40 + 7 * i);
		if ((rc = objref_chain_format(text, snap, &c[i], 0)) != 0 || (rc = objref_buf_put(text, "\n", 1)))
			goto cleanup;
	}
	objref_paths_options_init(&o);
	o.max_depth = 2;
	rc = objref_paths_find(&c[3], s, 60, &o);
	if (rc != OBJREF_ENOTFOUND)
		goto cleanup;
	objref_buf_printf(text, "60: %d ", c[3].status);
	if ((rc = objref_chain_format(text, snap, &c[3], 0)) != 0)
		goto cleanup;
	if ((rc = objref_paths_find(&c[3], own, 59, &o)) != OBJREF_ENOTFOUND)
		goto cleanup;
	objref_buf_printf(text, "\n59: %d %zu ", c[3].status, c[3].distance);
	if ((rc = objref_chain_format(text, snap, &c[3], 0)) != 0)
		goto cleanup;
	if ((rc = objref_paths_find_forward(&c[3], s, 0, is_tuple, NULL, NULL)) != OBJREF_ENOTFOUND)
		goto cleanup;
	if ((rc = objref_paths_group(&groups, &n, snap, c, 4, 0)) != 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		objref_buf_printf(text, "\n%zu ", groups[i].count);
		if ((rc = objref_chain_format(text, snap, &c[groups[i].example], OBJREF_CHAIN_FOLD)) != 0)
			goto cleanup;
	}
	rc = objref_buf_failed(text) ? OBJREF_ENOMEM : 0;
cleanup:
	objref_free(groups);
	for (int i = 0; i < 4; i++)
		objref_chain_dispose(&c[i]);
	objref_paths_free(own);
	objref_paths_free(s);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return rc;
}

/* Every allocation of the path fails in turn: OBJREF_ENOMEM with a
 * message, or the very same text; never a crash or a leak. */
TEST_IMPL(paths_fault)
{
	objref_buf ref_text = {0};
	unsigned long total, k, failed = 0;
	int rc;

	objref_alloc_fail_nth(0);
	rc = fault_paths_path(&ref_text);
	total = objref_alloc_fail_nth(0);
	ASSERT_OK(rc);
	ASSERT_STR_PREFIX(ref_text.data, "40: module app __dict__ -> dict [2] -> list [5] -> list [10]");
	ASSERT_STR_CONTAINS(ref_text.data, "\n54: module app .k -> list ['k'] -> list [13]");
	ASSERT_STR_CONTAINS(ref_text.data, "\n60: 2 list\n59: 1 6 ... list [29] -> list [59] -> list\n"
		"2 module app __dict__ -> dict [*]");
	ASSERT_GT(total, 20);
	for (k = 1; k <= total; k++) {
		objref_buf text = {0};

		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = fault_paths_path(&text);
		objref_alloc_fail_nth(0);
		if (rc != 0) {
			if (rc != OBJREF_ENOMEM)
				fprintf(stderr, "allocation %lu of %lu: rc %d (%s)\n", k, total, rc,
					objref_error_last());
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			ASSERT_NE(objref_error_last()[0], '\0');
			failed++;
		} else {
			ASSERT_STR_EQ(text.data, ref_text.data);
		}
		objref_buf_dispose(&text);
	}
	ASSERT_GT(failed, total / 2);
	objref_buf_dispose(&ref_text);
	return TEST_OK;
}

/* ---- scale ---- */

/*
 * A million objects, three references each (two from older objects, one
 * from anywhere: cycles), 100 module roots: the reverse index and ten
 * searches, timed; every chain found is real and starts at a module.
 */
TEST_IMPL(paths_bench_1e6)
{
	enum { N = 1000000, ROOTS = 100 };
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_paths *s = NULL;
	objref_chain c = {0};
	uint64_t x = 88172645463325252ULL;
	double t0, t_ri, t_new, t_search;
	size_t longest = 0;
	heap h;

#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	CHECK(heap_new(&h));
	for (objref_id i = 0; i < N; i++)
		add(&h, i < ROOTS ? h.t_module : i % 3 ? h.t_list : h.t_tuple,
			i < ROOTS ? OBJREF_F_MODULE : 0, NULL);
	for (objref_id i = ROOTS; i < N; i++) {
		ref(&h, (objref_id)(NEXT() % i), i, IDX(0));
		ref(&h, (objref_id)(NEXT() % i), i, IDX(1));
		ref(&h, (objref_id)(ROOTS + NEXT() % (N - ROOTS)), i, IDX(2));
	}
	CHECK(heap_finish(&snap, &h));

	t0 = now_ms();
	ASSERT_OK(objref_revindex_new(&ri, snap));
	t_ri = now_ms() - t0;
	t0 = now_ms();
	ASSERT_OK(objref_paths_new(&s, snap, ri));
	t_new = now_ms() - t0;
	t0 = now_ms();
	for (int i = 0; i < 10; i++) {
		ASSERT_OK(objref_paths_find(&c, s, (objref_id)(N - 1 - 12345 * i), NULL));
		longest = c.n > longest ? c.n : longest;
	}
	t_search = now_ms() - t0;
	printf("  %d objects, %d references: reverse index %.1f ms, searcher %.1f ms, "
		"10 searches %.2f ms (longest chain %zu)\n", N, 3 * (N - ROOTS), t_ri, t_new,
		t_search, longest);
	for (int i = 0; i < 10; i++) {
		ASSERT_OK(objref_paths_find(&c, s, (objref_id)(N - 1 - 12345 * i), NULL));
		CHECK(chain_real(snap, &c));
		ASSERT_LT(c.ids[0], ROOTS);
	}
#undef NEXT
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

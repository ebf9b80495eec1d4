/*
 * tests/c/test-paths.c — retention chains on hand-built snapshots: the
 * reverse index, breadth-first search back to roots (and forward), depth
 * limits, garbage, the ignore set, scratch reuse.  Grouping, text, fault
 * injection and scale: test-paths-group.c.
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
#include "paths-fixtures.h"

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

	CHECK(ph_heap_new(&h));
	for (int i = 0; i < N; i++)
		id = ph_add(&h, h.t_list, 0, NULL);
	(void)id;
	/* edges in a scrambled source order, some objects with none */
	for (int e = 0; e < 5 * N; e++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		objref_id s = (objref_id)((x >> 33) % N), d = (objref_id)((x >> 13) % (N / 3));
		if (s % 7 == 0)
			continue;
		ph_ref(&h, s, d, IDX(e));
		if (e % 50 == 0)
			ph_ref(&h, s, s, IDX(e));
	}
	ph_ref(&h, 5, 6, IDX(1));
	ph_ref(&h, 5, 6, IDX(1)); /* a duplicate */
	CHECK(ph_heap_finish(&snap, &h));
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

	CHECK(ph_heap_new(&h));
	CHECK(ph_heap_finish(&snap, &h));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_ERR(objref_revindex_referrers(&src, &lab, &n, ri, 0), OBJREF_EINVAL);
	ASSERT_OK(objref_paths_new(&s, snap, ri));
	ASSERT_ERR(objref_paths_find(&c, s, 0, NULL), OBJREF_EINVAL);
	ASSERT_EQ(c.n, 0);
	objref_paths_free(s);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);

	CHECK(ph_heap_new(&h));
	ph_add(&h, h.t_tuple, 0, NULL);
	ph_add(&h, h.t_module, OBJREF_F_MODULE, "m");
	CHECK(ph_heap_finish(&snap, &h));
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

	CHECK(ph_base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_OK(objref_paths_find(&c, s, B_T, NULL));
	ASSERT_EQ(c.status, OBJREF_PATH_FOUND);
	ASSERT_EQ(c.distance, 4);
	CHECK(ph_chain_is(&c, expect, ARRAY_SIZE(expect)));
	CHECK(ph_chain_real(snap, &c));
	ASSERT_STR_EQ(fx_label(snap, c.labels[0]), "__dict__");
	ASSERT_STR_EQ(fx_label(snap, c.labels[1]), "['CACHE']");
	ASSERT_STR_EQ(fx_label(snap, c.labels[2]), "['k']");
	ASSERT_STR_EQ(fx_label(snap, c.labels[3]), "[3]");
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "module app .CACHE -> dict ['k'] -> list [3] -> tuple");
	ASSERT_STR_EQ(ph_chain_text(snap, &c, OBJREF_CHAIN_FOLD),
		"module app .CACHE -> dict ['k'] -> list [*] -> tuple");

	/* from the middle of the long way: its own root is nearer */
	ASSERT_OK(objref_paths_find(&c, s, B_SDICT, NULL));
	{
		static const objref_id mid[] = { B_OTHER, B_ODICT, B_L1, B_SESSION, B_SDICT };
		CHECK(ph_chain_is(&c, mid, ARRAY_SIZE(mid)));
	}
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "module other .REG -> list [0] -> Session __dict__ -> dict");
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

	CHECK(ph_base_heap(&snap));
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
		CHECK(ph_chain_is(&c, part, ARRAY_SIZE(part)));
	}
	CHECK(ph_chain_real(snap, &c));
	ASSERT_STR_CONTAINS(objref_error_last(), "nearest is 4 away");
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "... dict ['CACHE'] -> dict ['k'] -> list [3] -> tuple");
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
		CHECK(ph_chain_is(&c, part, ARRAY_SIZE(part)));
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
		CHECK(ph_chain_is(&c, part, ARRAY_SIZE(part)));
	}
	o.max_depth = 3;

	/* objgraph's way: stop at max_depth; the first object reached there */
	o.flags = OBJREF_PATHS_STOP_AT_DEPTH;
	ASSERT_ERR(objref_paths_find(&c, s, B_T, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, 0);
	{
		static const objref_id part[] = { B_SESSION, B_SDICT, B_L2, B_T };
		CHECK(ph_chain_is(&c, part, ARRAY_SIZE(part)));
	}
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "... Session .items -> list [1] -> tuple");
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
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "module app");
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

	CHECK(ph_base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_error_clear();
	ASSERT_ERR(objref_paths_find(&c, s, B_GT, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.distance, 0);
	{
		static const objref_id part[] = { B_G1, B_G2, B_GT };
		CHECK(ph_chain_is(&c, part, ARRAY_SIZE(part)));
	}
	CHECK(ph_chain_real(snap, &c));
	ASSERT_STR_CONTAINS(objref_error_last(), "no root is reachable");
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "list [0] -> list [1] -> tuple");

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

	CHECK(ph_heap_new(&h));
	m = ph_add(&h, h.t_module, OBJREF_F_MODULE, "m");
	a = ph_add(&h, h.t_dict, 0, NULL);
	b2 = ph_add(&h, h.t_list, 0, NULL);
	first = ph_add(&h, h.t_list, 0, NULL);
	for (int i = 1; i < BLOB; i++)
		ph_add(&h, h.t_list, 0, NULL);
	for (int i = 0; i < BLOB; i++)
		for (int j = 0; j < BLOB; j++)
			ph_ref(&h, first + i, first + j, IDX(j));
	ph_ref(&h, m, a, DICT);
	ph_ref(&h, a, b2, ph_key(&h, "'x'"));
	ph_ref(&h, b2, first + BLOB - 1, IDX(7));
	ring = ph_add(&h, h.t_tuple, 0, NULL);
	for (int i = 1; i < RING; i++)
		ph_add(&h, h.t_tuple, 0, NULL);
	for (int i = 0; i < RING; i++)
		ph_ref(&h, ring + i, ring + (i + 1) % RING, IDX(0));
	ph_ref(&h, ring, first, IDX(1)); /* the ring holds the blob too */
	CHECK(ph_heap_finish(&snap, &h));

	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_OK(objref_paths_find(&c, s, first + 3, NULL));
	{
		objref_id expect[] = { m, a, b2, first + BLOB - 1, first + 3 };
		CHECK(ph_chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	ASSERT_ERR(objref_paths_find(&c, s, ring + RING / 2, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.n, 21); /* the deepest within max_depth: 20 back along the ring */
	ASSERT_EQ(c.ids[0], ring + RING / 2 - 20);
	CHECK(ph_chain_real(snap, &c));
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

	CHECK(ph_base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	objref_paths_options_init(&o);
	o.ignore = ign;

	ign[0] = B_L;
	o.nignore = 1;
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	CHECK(ph_chain_is(&c, long_way, ARRAY_SIZE(long_way)));
	CHECK(ph_chain_real(snap, &c));
	ASSERT_STR_EQ(ph_chain_text(snap, &c, OBJREF_CHAIN_FOLD),
		"module other .REG -> list [*] -> Session .items -> list [*] -> tuple");

	ign[0] = B_APP; /* the root itself */
	ASSERT_OK(objref_paths_find(&c, s, B_T, &o));
	CHECK(ph_chain_is(&c, long_way, ARRAY_SIZE(long_way)));

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

	CHECK(ph_heap_new(&h));
	flagged = ph_add(&h, h.t_dict, OBJREF_F_ROOT, NULL);
	recorded = ph_add(&h, h.t_dict, 0, NULL);
	module = ph_add(&h, h.t_module, OBJREF_F_MODULE, "mm");
	plain = ph_add(&h, h.t_list, 0, NULL);
	frame = ph_add(&h, h.t_frame, OBJREF_F_FRAME, "main app.py:3");
	held = ph_add(&h, h.t_tuple, 0, NULL);
	ph_root(&h, OBJREF_ROOT_HELD_FROM_C, recorded, "");
	ph_root(&h, OBJREF_ROOT_FRAME, frame, "x");
	ph_ref(&h, frame, plain, OBJREF_LABEL(OBJREF_LABEL_LOCAL, ph_intern(&h, "x")));
	ph_ref(&h, plain, held, IDX(0));
	CHECK(ph_heap_finish(&snap, &h));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT(objref_paths_is_root(s, flagged));
	ASSERT(objref_paths_is_root(s, recorded));
	ASSERT(objref_paths_is_root(s, module));
	ASSERT(objref_paths_is_root(s, frame));
	ASSERT(!objref_paths_is_root(s, plain));
	ASSERT(!objref_paths_is_root(s, held));
	ASSERT(!objref_paths_is_root(s, 100));
	ASSERT_OK(objref_paths_find(&c, s, held, NULL));
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "frame (main app.py:3) local x -> list [0] -> tuple");
	objref_paths_free(s);
	objref_snapshot_free(snap);

	/* a predicate instead of the default roots */
	CHECK(ph_base_heap(&snap));
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
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "tuple (len 2)");
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

	CHECK(ph_heap_new(&h));
	m = ph_add(&h, h.t_module, OBJREF_F_MODULE, "app");
	d = ph_add(&h, h.t_dict, 0, NULL);
	l = ph_add(&h, h.t_list, 0, NULL);
	smp = ph_add(&h, h.t_tuple, 0, NULL);
	held = ph_add(&h, h.t_dict, OBJREF_F_ROOT, NULL);
	imm = ph_add(&h, h.t_tuple, OBJREF_F_ROOT | OBJREF_F_IMMORTAL, NULL);
	x = ph_add(&h, h.t_list, 0, NULL);
	held2 = ph_add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	smp2 = ph_add(&h, h.t_tuple, 0, NULL);
	both = ph_add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	garb = ph_add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	froz = ph_add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	flagged = ph_add(&h, h.t_list, OBJREF_F_ROOT, NULL);
	ph_ref(&h, m, d, DICT);
	ph_ref(&h, d, l, ph_key(&h, "'x'"));
	ph_ref(&h, l, smp, IDX(0));
	ph_ref(&h, d, garb, ph_key(&h, "'g'"));
	ph_ref(&h, held, smp, ph_key(&h, "'k'"));
	ph_ref(&h, imm, smp2, IDX(0));
	ph_ref(&h, held2, x, IDX(1));
	ph_ref(&h, x, smp2, IDX(2));
	ph_root(&h, OBJREF_ROOT_HELD_FROM_C, held, "");
	ph_root(&h, OBJREF_ROOT_IMMORTAL, imm, "");
	ph_root(&h, OBJREF_ROOT_HELD_FROM_C, held2, "");
	ph_root(&h, OBJREF_ROOT_HELD_FROM_C, both, "");
	ph_root(&h, OBJREF_ROOT_FRAME, both, "v");
	ph_root(&h, OBJREF_ROOT_GC_GARBAGE, garb, "");
	ph_root(&h, OBJREF_ROOT_FROZEN, froz, "");
	CHECK(ph_heap_finish(&snap, &h));
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
		CHECK(ph_chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	/* out of the module's reach, the held dict will do */
	objref_paths_options_init(&o);
	o.max_depth = 2;
	ASSERT_OK(objref_paths_find(&c, s, smp, &o));
	{
		objref_id expect[] = { held, smp };
		CHECK(ph_chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "dict ['k'] -> tuple");
	/* held from C (4) two away beats immortal (5) next door */
	ASSERT_OK(objref_paths_find(&c, s, smp2, NULL));
	{
		objref_id expect[] = { held2, x, smp2 };
		CHECK(ph_chain_is(&c, expect, ARRAY_SIZE(expect)));
	}
	o.max_depth = 1;
	ASSERT_OK(objref_paths_find(&c, s, smp2, &o));
	ASSERT_EQ(c.ids[0], imm);
	/* a lesser root as the sample: the module still wins if in reach */
	ASSERT_OK(objref_paths_find(&c, s, garb, NULL));
	ASSERT_EQ(c.n, 3);
	ASSERT_EQ(c.ids[0], m);
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "module app .g -> list");
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

	CHECK(ph_base_heap(&snap));
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

	CHECK(ph_base_heap(&snap));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));
	ASSERT_OK(objref_paths_find_forward(&c, s, B_APP, ph_is_tuple, NULL, NULL));
	CHECK(ph_chain_is(&c, from_app, ARRAY_SIZE(from_app)));
	CHECK(ph_chain_real(snap, &c));
	ASSERT_EQ(c.distance, 4);
	ASSERT_STR_EQ(ph_chain_text(snap, &c, 0), "module app .CACHE -> dict ['k'] -> list [3] -> tuple");

	ASSERT_OK(objref_paths_find_forward(&c, s, B_OTHER, ph_is_tuple, NULL, NULL));
	ASSERT_EQ(c.n, 7);
	CHECK(ph_chain_real(snap, &c));
	objref_paths_options_init(&o);
	o.max_depth = 3;
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_OTHER, ph_is_tuple, NULL, &o), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, 6);
	{
		static const objref_id part[] = { B_OTHER, B_ODICT, B_L1, B_SESSION };
		CHECK(ph_chain_is(&c, part, ARRAY_SIZE(part)));
	}
	/* no Session is reachable from the app side, garbage included */
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_GT, is_session, NULL, NULL), OBJREF_ENOTFOUND);
	ASSERT_EQ(c.status, OBJREF_PATH_UNREACHABLE);
	ASSERT_EQ(c.ids[0], B_GT);
	CHECK(ph_chain_real(snap, &c));
	/* ignoring the way there */
	o.max_depth = 20;
	{
		objref_id ign = B_L;
		o.ignore = &ign;
		o.nignore = 1;
		ASSERT_ERR(objref_paths_find_forward(&c, s, B_APP, ph_is_tuple, NULL, &o), OBJREF_ENOTFOUND);
	}
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_APP, NULL, NULL, NULL), OBJREF_EINVAL);
	ASSERT_ERR(objref_paths_find_forward(&c, s, B_COUNT, ph_is_tuple, NULL, NULL), OBJREF_EINVAL);
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

	CHECK(ph_base_heap(&snap));
	CHECK(ph_base_heap(&other));
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
	double t0 = ph_now_ms();
	heap h;

	CHECK(ph_heap_new(&h));
	ph_add(&h, h.t_module, OBJREF_F_MODULE, "m");
	for (objref_id i = 1; i < N; i++) {
		ph_add(&h, h.t_list, 0, NULL);
		ph_ref(&h, i - 1, i, IDX(i % 7));
	}
	CHECK(ph_heap_finish(&snap, &h));
	ASSERT_OK(objref_paths_new(&s, snap, NULL));

	/* default depth: too deep, and by how much */
	ASSERT_ERR(objref_paths_find(&c, s, N - 1, NULL), OBJREF_ENOTFOUND);
	printf("  building %d objects and the first search: %.1f ms\n", N, ph_now_ms() - t0);
	ASSERT_EQ(c.status, OBJREF_PATH_TOO_DEEP);
	ASSERT_EQ(c.distance, N - 1);
	ASSERT_EQ(c.n, 21);
	ASSERT_EQ(c.ids[0], N - 21);
	CHECK(ph_chain_real(snap, &c));
	/* the distances to the roots are computed once: later samples cost
	 * their 20 steps, and nothing more is allocated */
	objref_alloc_fail_nth(0);
	t0 = ph_now_ms();
	for (objref_id i = 1; i <= 10; i++) {
		ASSERT_ERR(objref_paths_find(&c, s, N / 2 + 1000 * i, NULL), OBJREF_ENOTFOUND);
		ASSERT_EQ(c.distance, N / 2 + 1000 * i);
		ASSERT_EQ(c.ids[0], N / 2 + 1000 * i - 20);
	}
	printf("  10 more samples too deep: %.3f ms\n", ph_now_ms() - t0);
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
	t0 = ph_now_ms();
	ASSERT_OK(objref_paths_find(&c, s, N - 1, &o));
	printf("  unbounded search back along %d objects: %.1f ms\n", N, ph_now_ms() - t0);
	ASSERT_EQ(c.n, N);
	ASSERT_EQ(c.ids[0], 0);
	ASSERT_EQ(c.ids[N - 1], N - 1);
	ASSERT_EQ(c.labels[N - 2], IDX((N - 1) % 7));
	for (objref_id i = 0; i < N; i += 99991)
		ASSERT_EQ(c.ids[i], i);
	ASSERT_STR_PREFIX(ph_chain_text(snap, &c, OBJREF_CHAIN_FOLD), "module m [*] -> list [*] -> list");

	/* and forward */
	ASSERT_ERR(objref_paths_find_forward(&c, s, 0, ph_is_tuple, NULL, &o), OBJREF_ENOTFOUND);
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

	CHECK(ph_base_heap(&snap));
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

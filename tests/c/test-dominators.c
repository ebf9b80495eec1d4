/*
 * tests/c/test-dominators.c — the dominator tree and retained sizes
 * (include/objref/dominators.h) on hand-built graphs: the textbook example
 * of Lengauer and Tarjan, sharing between roots, garbage, types counted
 * once, a million-object chain, random graphs against a brute-force
 * definition, and every allocation failing in turn.
 */
#include "fixtures.h"

/* A graph given as edges between object ids 0..n-1, every object of type
 * 0 (or types[i]) with size sizes[i] (or 1), roots[] as module roots. */
typedef struct {
	size_t n;
	const uint32_t (*edges)[2];
	size_t nedges;
	const uint32_t *roots;
	size_t nroots;
	const uint64_t *sizes;
	const uint32_t *types;
	size_t ntypes;
} graph_spec;

static int graph_build(objref_snapshot **out, const graph_spec *g)
{
	objref_builder *b = NULL;
	objref_type_id t;
	objref_id id;
	objref_root root;

	ASSERT_OK(objref_builder_new(&b));
	for (size_t i = 0; i < (g->ntypes ? g->ntypes : 1); i++) {
		char name[32];
		snprintf(name, sizeof(name), "T%zu", i);
		CHECK(fx_type(&t, b, 0x1000 + i, "app", name, name));
	}
	for (size_t i = 0; i < g->n; i++)
		CHECK(fx_object(&id, b, 0x10000 + 0x40 * i, g->types ? g->types[i] : 0,
			g->sizes ? g->sizes[i] : 1, OBJREF_F_TRACKED));
	for (size_t e = 0; e < g->nedges; e++)
		ASSERT_OK(objref_builder_edge(b, g->edges[e][0], g->edges[e][1],
			OBJREF_LABEL(OBJREF_LABEL_INDEX, e)));
	for (size_t r = 0; r < g->nroots; r++) {
		memset(&root, 0, sizeof(root));
		root.kind = OBJREF_ROOT_MODULE;
		root.object = g->roots[r];
		ASSERT_OK(objref_builder_root(b, &root));
	}
	ASSERT_OK(objref_builder_finish(out, b));
	return TEST_OK;
}

/* Lengauer & Tarjan (1979), figure 1: R A B C D E F G H I J K L. */
enum { R, A, B, C, D, E, F, G, H, I, J, K, L, NLT };

TEST_IMPL(dominators_textbook)
{
	static const uint32_t edges[][2] = {
		{R, A}, {R, B}, {R, C}, {A, D}, {B, A}, {B, D}, {B, E}, {C, F}, {C, G}, {D, L},
		{E, H}, {F, I}, {G, I}, {G, J}, {H, E}, {H, K}, {I, K}, {J, I}, {K, I}, {K, R}, {L, H},
	};
	static const uint32_t roots[] = { R };
	/* expected immediate dominators; R is a root: NO_ID */
	static const uint32_t want[NLT] = {
		[R] = OBJREF_NO_ID, [A] = R, [B] = R, [C] = R, [D] = R, [E] = R, [F] = C, [G] = C,
		[H] = R, [I] = R, [J] = G, [K] = R, [L] = D,
	};
	graph_spec g = { NLT, edges, ARRAY_SIZE(edges), roots, 1, NULL, NULL, 0 };
	objref_snapshot *snap;
	objref_dominators *d;

	CHECK(graph_build(&snap, &g));
	ASSERT_OK(objref_dominators_build(&d, snap, NULL));
	for (uint32_t v = 0; v < NLT; v++) {
		if (objref_dominators_idom(d, v) != want[v])
			fprintf(stderr, "vertex %u\n", v);
		ASSERT_EQ(objref_dominators_idom(d, v), want[v]);
		ASSERT_NE(objref_dominators_reachable(d, v), 0);
	}
	/* sizes are 1: R retains everything, C retains C F G J, D retains D L */
	ASSERT_EQ(objref_dominators_retained(d, R), NLT);
	ASSERT_EQ(objref_dominators_retained(d, C), 4);
	ASSERT_EQ(objref_dominators_retained(d, D), 2);
	ASSERT_EQ(objref_dominators_retained(d, I), 1);
	ASSERT_EQ(objref_dominators_total(d), NLT);
	ASSERT_EQ(objref_dominators_nreachable(d), NLT);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A diamond under a: a dominates d although d has two referrers; sizes add
 * up along the tree, not along the references. */
TEST_IMPL(dominators_diamond_sizes)
{
	static const uint32_t edges[][2] = { {0, 1}, {1, 2}, {1, 3}, {2, 4}, {3, 4} };
	static const uint32_t roots[] = { 0 };
	static const uint64_t sizes[] = { 100, 1, 2, 4, 8 };
	graph_spec g = { 5, edges, ARRAY_SIZE(edges), roots, 1, sizes, NULL, 0 };
	objref_snapshot *snap;
	objref_dominators *d;

	CHECK(graph_build(&snap, &g));
	ASSERT_OK(objref_dominators_build(&d, snap, NULL));
	ASSERT_EQ(objref_dominators_idom(d, 4), 1);
	ASSERT_EQ(objref_dominators_idom(d, 2), 1);
	ASSERT_EQ(objref_dominators_retained(d, 1), 1 + 2 + 4 + 8);
	ASSERT_EQ(objref_dominators_retained(d, 2), 2);
	ASSERT_EQ(objref_dominators_retained(d, 0), 115);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Two roots share x: neither retains it; an object no root reaches (a
 * garbage cycle 4 <-> 5) is outside the tree, and what it points at is
 * not kept by it. */
TEST_IMPL(dominators_shared_and_garbage)
{
	static const uint32_t edges[][2] = { {0, 2}, {1, 2}, {2, 3}, {4, 5}, {5, 4}, {5, 3} };
	static const uint32_t roots[] = { 0, 1 };
	static const uint64_t sizes[] = { 10, 20, 30, 40, 50, 60 };
	graph_spec g = { 6, edges, ARRAY_SIZE(edges), roots, 2, sizes, NULL, 0 };
	objref_snapshot *snap;
	objref_dominators *d;

	CHECK(graph_build(&snap, &g));
	ASSERT_OK(objref_dominators_build(&d, snap, NULL));
	ASSERT_EQ(objref_dominators_idom(d, 2), OBJREF_NO_ID);
	ASSERT_EQ(objref_dominators_idom(d, 3), 2);
	ASSERT_EQ(objref_dominators_retained(d, 0), 10);
	ASSERT_EQ(objref_dominators_retained(d, 1), 20);
	ASSERT_EQ(objref_dominators_retained(d, 2), 70);
	ASSERT_EQ(objref_dominators_reachable(d, 4), 0);
	ASSERT_EQ(objref_dominators_reachable(d, 5), 0);
	ASSERT_EQ(objref_dominators_retained(d, 5), 0);
	ASSERT_EQ(objref_dominators_idom(d, 5), OBJREF_NO_ID);
	ASSERT_EQ(objref_dominators_total(d), 100);
	ASSERT_EQ(objref_dominators_nreachable(d), 4);
	ASSERT_EQ(objref_dominators_reachable(d, 99), 0); /* out of range */
	ASSERT_EQ(objref_dominators_retained(d, 99), 0);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Per type, an object dominated by one of its own type is not counted
 * again: list(0) -> list(1) -> list(2) -> str(3); list(0) -> str(4). */
TEST_IMPL(dominators_by_type_once)
{
	static const uint32_t edges[][2] = { {0, 1}, {1, 2}, {2, 3}, {0, 4}, {5, 4} };
	static const uint32_t roots[] = { 0, 5 };
	static const uint64_t sizes[] = { 1, 2, 4, 8, 16, 32 };
	static const uint32_t types[] = { 0, 0, 0, 1, 1, 2 };
	graph_spec g = { 6, edges, ARRAY_SIZE(edges), roots, 2, sizes, types, 3 };
	objref_snapshot *snap;
	objref_dominators *d;
	uint64_t by[3];

	CHECK(graph_build(&snap, &g));
	ASSERT_OK(objref_dominators_build(&d, snap, NULL));
	ASSERT_OK(objref_dominators_by_type(by, d, snap));
	ASSERT_EQ(by[0], 1 + 2 + 4 + 8); /* list 0 retains lists 1, 2 and str 3 */
	ASSERT_EQ(by[1], 8 + 16);        /* str 3 (under lists) and str 4 (shared) */
	ASSERT_EQ(by[2], 32);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* No roots: nothing is reachable, nothing retained. */
TEST_IMPL(dominators_no_roots)
{
	static const uint32_t edges[][2] = { {0, 1} };
	graph_spec g = { 2, edges, 1, NULL, 0, NULL, NULL, 0 };
	objref_snapshot *snap;
	objref_dominators *d;
	objref_dominators_options opts = OBJREF_DOMINATORS_OPTIONS_INIT;
	uint64_t by[1];

	CHECK(graph_build(&snap, &g));
	ASSERT_OK(objref_dominators_build(&d, snap, &opts));
	ASSERT_EQ(objref_dominators_nreachable(d), 0);
	ASSERT_EQ(objref_dominators_reachable(d, 0), 0);
	ASSERT_OK(objref_dominators_by_type(by, d, snap));
	ASSERT_EQ(by[0], 0);
	objref_dominators_free(d);
	opts.version = 99;
	ASSERT_ERR(objref_dominators_build(&d, snap, &opts), OBJREF_EINVAL);
	ASSERT_NULL(d);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A chain of a million objects, linked backwards from the last (so the
 * search goes as deep as it can): no deep C stack, exact sums. */
TEST_IMPL(dominators_million_chain)
{
	enum { N = 1000000 };
	objref_builder *b = NULL;
	objref_snapshot *snap;
	objref_dominators *d;
	objref_type_id t;
	objref_id id;
	objref_root root = { 0 };
	uint64_t by[1];

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, "builtins", "list", "list"));
	for (uint32_t i = 0; i < N; i++)
		CHECK(fx_object(&id, b, 0x100000 + 0x40ull * i, t, 2, OBJREF_F_TRACKED));
	for (uint32_t i = 0; i + 1 < N; i++)
		ASSERT_OK(objref_builder_edge(b, i, i + 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
	ASSERT_OK(objref_builder_edge(b, N - 1, 0, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1))); /* a ring */
	root.kind = OBJREF_ROOT_MODULE;
	root.object = 0;
	ASSERT_OK(objref_builder_root(b, &root));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_dominators_build(&d, snap, NULL));
	ASSERT_EQ(objref_dominators_retained(d, 0), 2ull * N);
	ASSERT_EQ(objref_dominators_retained(d, N / 2), 2ull * (N - N / 2));
	ASSERT_EQ(objref_dominators_idom(d, N - 1), N - 2);
	ASSERT_OK(objref_dominators_by_type(by, d, snap));
	ASSERT_EQ(by[0], 2ull * N);
	objref_dominators_free(d);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* ---- random graphs against the definition ------------------------------- */

static uint32_t lcg(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

/* Reachable from the roots in g without passing through `cut` (or any
 * vertex when cut == n); seen[] gets the result. */
static void reach(uint8_t *seen, size_t n, const uint32_t (*edges)[2], size_t ne, const uint32_t *roots,
	size_t nr, size_t cut)
{
	uint32_t stack[64];
	size_t top = 0;

	memset(seen, 0, n);
	for (size_t r = 0; r < nr; r++)
		if (roots[r] != cut && !seen[roots[r]]) {
			seen[roots[r]] = 1;
			stack[top++] = roots[r];
		}
	while (top > 0) {
		uint32_t v = stack[--top];
		for (size_t e = 0; e < ne; e++)
			if (edges[e][0] == v && edges[e][1] != cut && !seen[edges[e][1]]) {
				seen[edges[e][1]] = 1;
				stack[top++] = edges[e][1];
			}
	}
}

/* 300 random graphs of up to 40 vertices: a dominates b iff b is reachable
 * and not reachable once a is cut; the immediate dominator is the
 * dominator of b that every other dominator of b dominates. */
TEST_IMPL(dominators_random_brute_force)
{
	enum { MAXN = 40, MAXE = 120 };
	uint64_t rng = 12345;

	for (int round = 0; round < 300; round++) {
		size_t n = 2 + lcg(&rng) % (MAXN - 1), ne = lcg(&rng) % MAXE, nr = 1 + lcg(&rng) % 3;
		uint32_t edges[MAXE][2], roots[3];
		uint8_t all[MAXN], cut[MAXN][MAXN]; /* cut[a][b]: b reachable with a cut */
		graph_spec g;
		objref_snapshot *snap;
		objref_dominators *d;

		for (size_t e = 0; e < ne; e++) {
			edges[e][0] = lcg(&rng) % n;
			edges[e][1] = lcg(&rng) % n;
		}
		for (size_t r = 0; r < nr; r++)
			roots[r] = lcg(&rng) % n;
		g = (graph_spec){ n, (const uint32_t (*)[2])edges, ne, roots, nr, NULL, NULL, 0 };
		CHECK(graph_build(&snap, &g));
		ASSERT_OK(objref_dominators_build(&d, snap, NULL));
		reach(all, n, (const uint32_t (*)[2])edges, ne, roots, nr, n);
		for (size_t a = 0; a < n; a++)
			reach(cut[a], n, (const uint32_t (*)[2])edges, ne, roots, nr, a);
		for (size_t b = 0; b < n; b++) {
			uint32_t want = OBJREF_NO_ID;
			ASSERT_EQ(objref_dominators_reachable(d, (objref_id)b), all[b]);
			if (!all[b])
				continue;
			for (size_t a = 0; a < n; a++) {
				int dominates = a != b && !cut[a][b];
				/* the immediate one: dominated by every other dominator */
				if (dominates && (want == OBJREF_NO_ID || cut[want][a] == 0))
					want = (uint32_t)a;
			}
			if (objref_dominators_idom(d, (objref_id)b) != want)
				fprintf(stderr, "round %d, vertex %zu of %zu\n", round, b, n);
			ASSERT_EQ(objref_dominators_idom(d, (objref_id)b), want);
		}
		objref_dominators_free(d);
		objref_snapshot_free(snap);
	}
	return TEST_OK;
}

/* Every allocation of build and by_type fails in turn: OBJREF_ENOMEM with
 * a message, nothing leaked (the sanitizer build and valgrind check). */
TEST_IMPL(fault_dominators)
{
	static const uint32_t edges[][2] = {
		{R, A}, {R, B}, {R, C}, {A, D}, {B, A}, {B, D}, {B, E}, {C, F}, {C, G}, {D, L},
		{E, H}, {F, I}, {G, I}, {G, J}, {H, E}, {H, K}, {I, K}, {J, I}, {K, I}, {K, R}, {L, H},
	};
	static const uint32_t roots[] = { R };
	graph_spec g = { NLT, edges, ARRAY_SIZE(edges), roots, 1, NULL, NULL, 0 };
	objref_snapshot *snap;
	objref_dominators *d = NULL;
	unsigned long total, k;
	uint64_t by[1];
	int rc;

	CHECK(graph_build(&snap, &g));
	objref_alloc_fail_nth(0);
	ASSERT_OK(objref_dominators_build(&d, snap, NULL));
	ASSERT_OK(objref_dominators_by_type(by, d, snap));
	total = objref_alloc_fail_nth(0);
	objref_dominators_free(d);
	ASSERT_GT(total, 10);
	for (k = 1; k <= total; k++) {
		objref_error_clear();
		d = NULL;
		objref_alloc_fail_nth(k);
		rc = objref_dominators_build(&d, snap, NULL);
		if (rc == 0)
			rc = objref_dominators_by_type(by, d, snap);
		objref_alloc_fail_nth(0);
		ASSERT_EQ(rc, OBJREF_ENOMEM);
		ASSERT_NE(objref_error_last()[0], '\0');
		objref_dominators_free(d);
	}
	objref_snapshot_free(snap);
	return TEST_OK;
}

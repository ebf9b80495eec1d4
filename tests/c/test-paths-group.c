/*
 * tests/c/test-paths-group.c — chains grouped by shape, their text, fault
 * injection over the whole paths API, and a 1e6-object snapshot.
 */
#include "paths-fixtures.h"

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
	objref_id m = ph_add(h, h->t_module, OBJREF_F_MODULE, name);
	objref_id md = ph_add(h, h->t_dict, 0, NULL);
	objref_id cache = ph_add(h, h->t_dict, 0, NULL);
	objref_id list = ph_add(h, h->t_list, 0, NULL);

	ph_ref(h, m, md, DICT);
	ph_ref(h, md, cache, ph_key(h, "'CACHE'"));
	ph_ref(h, cache, list, ph_key(h, "'k'"));
	for (int i = 0; i < ntup; i++) {
		tup[i] = ph_add(h, h->t_tuple, 0, NULL);
		ph_ref(h, list, tup[i], IDX(i));
	}
	*dict = md;
	return m;
}

static objref_id session_holding(heap *h, objref_id reg, int at, const char *attr_key,
	int index)
{
	objref_id s = ph_add(h, h->t_session, 0, NULL);
	objref_id sd = ph_add(h, h->t_dict, 0, NULL);
	objref_id l = ph_add(h, h->t_list, 0, NULL);
	objref_id t = ph_add(h, h->t_tuple, 0, NULL);

	ph_ref(h, reg, s, IDX(at));
	ph_ref(h, s, sd, DICT);
	ph_ref(h, sd, l, ph_key(h, attr_key));
	ph_ref(h, l, t, IDX(index));
	return t;
}

static int group_heap(struct gheap *g)
{
	objref_id md, libd, reg, byid, byname, m;
	heap h;

	memset(g, 0, sizeof(*g));
	CHECK(ph_heap_new(&h));
	m = module_with_cache(&h, "app", &md, g->a, 3);
	(void)m;
	reg = ph_add(&h, h.t_list, 0, NULL);
	ph_ref(&h, md, reg, ph_key(&h, "'REG'"));
	g->b[0] = session_holding(&h, reg, 0, "'hist'", 0);
	g->b[1] = session_holding(&h, reg, 1, "'hist'", 4);
	g->e = session_holding(&h, reg, 2, "'other'", 0);
	byid = ph_add(&h, h.t_dict, 0, NULL);
	ph_ref(&h, md, byid, ph_key(&h, "'BYID'"));
	byname = ph_add(&h, h.t_dict, 0, NULL);
	ph_ref(&h, md, byname, ph_key(&h, "'BYNAME'"));
	for (int i = 0; i < 2; i++) {
		g->cc[i] = ph_add(&h, h.t_tuple, 0, NULL);
		ph_ref(&h, byid, g->cc[i], ph_key(&h, i ? "2" : "1"));
		g->d[i] = ph_add(&h, h.t_tuple, 0, NULL);
		ph_ref(&h, byname, g->d[i], ph_key(&h, i ? "'b'" : "'a'"));
	}
	module_with_cache(&h, "lib", &libd, &g->a2, 1);
	return ph_heap_finish(&g->snap, &h);
}

static int group_find(struct gheap *g, objref_paths *s, const objref_id *samples, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		ASSERT_OK(objref_paths_find(&g->chains[i], s, samples[i], NULL));
		CHECK(ph_chain_real(g->snap, &g->chains[i]));
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
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[groups[0].example], OBJREF_CHAIN_FOLD),
		"module app .CACHE -> dict ['k'] -> list [*] -> tuple");
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[groups[1].example], OBJREF_CHAIN_FOLD),
		"module app .REG -> list [*] -> Session .hist -> list [*] -> tuple");
	/* unfolded, the example shows its own indices */
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[groups[1].example], 0),
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
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[5], OBJREF_CHAIN_FOLD),
		"module app .BYID -> dict [*] -> tuple");
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[5], 0), "module app .BYID -> dict [1] -> tuple");
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
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[0], OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS),
		"module app .BYNAME -> dict [*] -> tuple");
	ASSERT_STR_EQ(ph_chain_text(g.snap, &g.chains[3], OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS),
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

	CHECK(ph_heap_new(&h));
	m = ph_add(&h, h.t_module, OBJREF_F_MODULE, "pkg.mod");
	nodesc = ph_add(&h, h.t_module, OBJREF_F_MODULE, NULL);
	dict = ph_add(&h, h.t_dict, 0, "len 3");
	sess = ph_add(&h, h.t_session, 0, NULL);
	sd = ph_add(&h, h.t_dict, 0, NULL);
	lst = ph_add(&h, h.t_list, 0, NULL);
	tup = ph_add(&h, h.t_tuple, 0, NULL);
	frame = ph_add(&h, h.t_frame, OBJREF_F_FRAME, NULL);
	k_weird = ph_key(&h, "'a b'");
	k_ok = ph_key(&h, "'ok'");
	k_int = ph_key(&h, "42");
	a_hist = ph_attr(&h, "history");
	memset(longkey, 'x', sizeof(longkey));
	longkey[0] = '\'';
	longkey[sizeof(longkey) - 2] = '\'';
	longkey[sizeof(longkey) - 1] = '\0';
	k_long = ph_key(&h, longkey);
	CHECK(ph_heap_finish(&snap, &h));

#define CH(...) (&(objref_chain){ .ids = (objref_id[]){ __VA_ARGS__ }, \
	.n = sizeof((objref_id[]){ __VA_ARGS__ }) / sizeof(objref_id), .labels = labels })
	{
		objref_label labels[] = { DICT, k_ok, IDX(5) };
		ASSERT_STR_EQ(ph_chain_text(snap, CH(m, sd, lst, tup), 0), "module pkg.mod .ok -> list [5] -> tuple");
		/* the __dict__ of the last-but-one step has nothing after its key */
		ASSERT_STR_EQ(ph_chain_text(snap, CH(sess, sd, lst), 0), "Session .ok -> list");
		ASSERT_STR_EQ(ph_chain_text(snap, CH(sess, sd), 0), "Session __dict__ -> dict");
		/* not a dict: no attribute */
		ASSERT_STR_EQ(ph_chain_text(snap, CH(sess, lst, tup), 0), "Session __dict__ -> list ['ok'] -> tuple");
	}
	{
		/* a slot: an attribute label of its own */
		objref_label labels[] = { a_hist, IDX(OBJREF_LABEL_PAYLOAD_MAX) };
		ASSERT_STR_EQ(ph_chain_text(snap, CH(sess, lst, tup), 0), "Session .history -> list [*] -> tuple");
	}
	{
		objref_label labels[] = { k_int, NOLABEL, k_weird };
		/* a root with a description; an int key folds, a str key does not */
		ASSERT_STR_EQ(ph_chain_text(snap, CH(dict, lst, tup), 0), "dict (len 3) [42] -> list -> tuple");
		ASSERT_STR_EQ(ph_chain_text(snap, CH(dict, lst, tup), OBJREF_CHAIN_FOLD),
			"dict (len 3) [*] -> list -> tuple");
		ASSERT_STR_EQ(ph_chain_text(snap, CH(nodesc), 0), "module");
		ASSERT_STR_EQ(ph_chain_text(snap, CH(frame), 0), "frame");
	}
	{
		objref_label labels[] = { DICT, k_weird, IDX(0) };
		/* a key that is no identifier stays a key */
		ASSERT_STR_EQ(ph_chain_text(snap, CH(sess, sd, lst, tup), OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS),
			"Session __dict__ -> dict ['a b'] -> list [*] -> tuple");
	}
	{
		objref_label labels[] = { k_ok, k_long };
		objref_chain *c = CH(dict, sd, tup);
		ASSERT_OK(objref_chain_format(&b, snap, c, 0));
		ASSERT_EQ(b.len, strlen("dict (len 3) ['ok'] -> dict [") + strlen(longkey) + strlen("] -> tuple"));
		ASSERT_STR_PREFIX(b.data, "dict (len 3) ['ok'] -> dict ['xxxxxxxx");
		objref_buf_dispose(&b);
		ASSERT_STR_EQ(ph_chain_text(snap, c, OBJREF_CHAIN_FOLD_KEYS), "dict (len 3) [*] -> dict [*] -> tuple");
		c->status = OBJREF_PATH_TOO_DEEP;
		ASSERT_STR_EQ(ph_chain_text(snap, c, OBJREF_CHAIN_FOLD_KEYS), "... dict [*] -> dict [*] -> tuple");
		c->status = OBJREF_PATH_UNREACHABLE;
		ASSERT_STR_EQ(ph_chain_text(snap, c, OBJREF_CHAIN_FOLD_KEYS), "dict [*] -> dict [*] -> tuple");
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
		objref_builder_type_at(h.b, h.t_list)->flags = fx_type_facts("builtins", "list");
		objref_builder_type_at(h.b, h.t_module)->flags = fx_type_facts("builtins", "module");
		objref_builder_type_at(h.b, h.t_dict)->flags = fx_type_facts("builtins", "dict");
		h.next_addr = 0x1000;
		ph_add(&h, h.t_module, OBJREF_F_MODULE, "app");
		ph_add(&h, h.t_dict, 0, NULL);
		ph_ref(&h, 0, 1, DICT);
		for (objref_id i = 2; i < 60; i++) {
			ph_add(&h, h.t_list, 0, NULL);
			ph_ref(&h, i / 2, i, i % 3 ? IDX(i) : ph_key(&h, "'k'"));
		}
		ph_add(&h, h.t_list, 0, NULL); /* 60: garbage */
		ph_ref(&h, 60, 60, IDX(0));
		ph_ref(&h, 60, 59, IDX(1));
		ph_root(&h, OBJREF_ROOT_HELD_FROM_C, 30, "");
		ph_root(&h, OBJREF_ROOT_IMMORTAL, 31, "");
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
	if ((rc = objref_paths_find_forward(&c[3], s, 0, ph_is_tuple, NULL, NULL)) != OBJREF_ENOTFOUND)
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
	CHECK(ph_heap_new(&h));
	for (objref_id i = 0; i < N; i++)
		ph_add(&h, i < ROOTS ? h.t_module : i % 3 ? h.t_list : h.t_tuple,
			i < ROOTS ? OBJREF_F_MODULE : 0, NULL);
	for (objref_id i = ROOTS; i < N; i++) {
		ph_ref(&h, (objref_id)(NEXT() % i), i, IDX(0));
		ph_ref(&h, (objref_id)(NEXT() % i), i, IDX(1));
		ph_ref(&h, (objref_id)(ROOTS + NEXT() % (N - ROOTS)), i, IDX(2));
	}
	CHECK(ph_heap_finish(&snap, &h));

	t0 = ph_now_ms();
	ASSERT_OK(objref_revindex_new(&ri, snap));
	t_ri = ph_now_ms() - t0;
	t0 = ph_now_ms();
	ASSERT_OK(objref_paths_new(&s, snap, ri));
	t_new = ph_now_ms() - t0;
	t0 = ph_now_ms();
	for (int i = 0; i < 10; i++) {
		ASSERT_OK(objref_paths_find(&c, s, (objref_id)(N - 1 - 12345 * i), NULL));
		longest = c.n > longest ? c.n : longest;
	}
	t_search = ph_now_ms() - t0;
	printf("  %d objects, %d references: reverse index %.1f ms, searcher %.1f ms, "
		"10 searches %.2f ms (longest chain %zu)\n", N, 3 * (N - ROOTS), t_ri, t_new,
		t_search, longest);
	for (int i = 0; i < 10; i++) {
		ASSERT_OK(objref_paths_find(&c, s, (objref_id)(N - 1 - 12345 * i), NULL));
		CHECK(ph_chain_real(snap, &c));
		ASSERT_LT(c.ids[0], ROOTS);
	}
#undef NEXT
	objref_chain_dispose(&c);
	objref_paths_free(s);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/*
 * tests/c/test-chains-age.c — the chains report's rules of age
 * (lib/report_chains_new.c) on one hand-built heap: samples are survivors,
 * spread over them; keys that differ under one container fold (for
 * grouping); the share of
 * the new survivors each pattern's holder explains; patterns entering
 * through one holder are one; a root that is itself new is looked through.
 *
 * The heap (ids in brackets; * = alive at the baseline):
 *
 *   [0]* module sys (MODULE root) __dict__-> [1]* dict ['modules']-> [2]* dict
 *   [2] ['_tenant_1']-> [3] module _tenant_1 (MODULE root, new)
 *         __dict__-> [4] dict ['TABLE']-> [5] RuleTable
 *   [2] ['_tenant_2']-> [6] module _tenant_2 (MODULE root, new)
 *         __dict__-> [7] dict ['TABLE']-> [8] RuleTable
 *   [9]* module app (MODULE root) __dict__-> [10]* dict ['AUDIT']-> [11]* dict
 *   [11] ['r1'] ['r2'] ['r3'] ['r4']-> [12] [13] [14] [15] tuple
 *         (12, 13, 14 survived a checkpoint; 15 is newer)
 *   [16] list (local pending of handle(), a new frame) [0]-> [17] tuple (survived)
 */
#include "fixtures.h"

enum { T_MODULE, T_DICT, T_RULES, T_TUPLE, T_LIST };

static uint64_t addr_of(objref_id i)
{
	return 0x7f0000002000ull + 0x40ull * i;
}

static int age_heap(objref_snapshot **out)
{
	static const char *const types[][2] = { { "builtins", "module" }, { "builtins", "dict" },
		{ "rules", "RuleTable" }, { "builtins", "tuple" }, { "builtins", "list" } };
	static const uint8_t type_of[18] = { T_MODULE, T_DICT, T_DICT, T_MODULE, T_DICT, T_RULES,
		T_MODULE, T_DICT, T_RULES, T_MODULE, T_DICT, T_DICT, T_TUPLE, T_TUPLE, T_TUPLE,
		T_TUPLE, T_LIST, T_TUPLE };
	static const char *const strs[] = { "sys", "'modules'", "'_tenant_1'", "'_tenant_2'",
		"_tenant_1", "_tenant_2", "'TABLE'", "app", "'AUDIT'", "'r1'", "'r2'", "'r3'", "'r4'",
		"pending", "handle", "app.py" };
	enum { S_SYS, S_MODULES, S_KT1, S_KT2, S_T1, S_T2, S_TABLE, S_APP, S_AUDIT, S_R1, S_R2,
		S_R3, S_R4, S_PENDING, S_HANDLE, S_FILE, S_N };
	static const struct { objref_id from, to; int kind, payload; } edges[] = {
		{ 0, 1, OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT }, { 1, 2, OBJREF_LABEL_KEY, S_MODULES },
		{ 2, 3, OBJREF_LABEL_KEY, S_KT1 }, { 2, 6, OBJREF_LABEL_KEY, S_KT2 },
		{ 3, 4, OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT }, { 4, 5, OBJREF_LABEL_KEY, S_TABLE },
		{ 6, 7, OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT }, { 7, 8, OBJREF_LABEL_KEY, S_TABLE },
		{ 9, 10, OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT }, { 10, 11, OBJREF_LABEL_KEY, S_AUDIT },
		{ 11, 12, OBJREF_LABEL_KEY, S_R1 }, { 11, 13, OBJREF_LABEL_KEY, S_R2 },
		{ 11, 14, OBJREF_LABEL_KEY, S_R3 }, { 11, 15, OBJREF_LABEL_KEY, S_R4 },
		{ 16, 17, OBJREF_LABEL_INDEX, 0 } };
	objref_builder *b = NULL;
	objref_str s[S_N];
	objref_type_id t;
	objref_object o;
	objref_root r;
	objref_id id;
	int rc;

	*out = NULL;
	if ((rc = objref_builder_new(&b)) < 0)
		return rc;
	for (size_t i = 0; i < S_N; i++)
		if ((rc = objref_builder_string(&s[i], b, strs[i], strlen(strs[i]))) < 0)
			goto fail;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if ((rc = objref_builder_type(&t, b, 0x100 + i, types[i][0], types[i][1], types[i][1])) < 0)
			goto fail;
		objref_builder_type_at(b, t)->flags = fx_type_facts(types[i][0], types[i][1]);
	}
	for (objref_id i = 0; i < 18; i++) {
		int module = type_of[i] == T_MODULE;
		memset(&o, 0, sizeof(o));
		o.addr = addr_of(i);
		o.type = type_of[i];
		o.size = 56;
		o.refcnt = 1;
		o.flags = OBJREF_F_TRACKED | (module ? OBJREF_F_MODULE | OBJREF_F_ROOT : 0) |
			(i == 16 ? OBJREF_F_ROOT : 0);
		o.desc = i == 0 ? s[S_SYS] : i == 3 ? s[S_T1] : i == 6 ? s[S_T2] : i == 9 ? s[S_APP] : 0;
		if ((rc = objref_builder_object(&id, b, &o)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(edges); i++) {
		uint32_t payload = edges[i].kind == OBJREF_LABEL_KEY ? s[edges[i].payload]
			: (uint32_t)edges[i].payload;
		if ((rc = objref_builder_edge(b, edges[i].from, edges[i].to,
				OBJREF_LABEL(edges[i].kind, payload))) < 0)
			goto fail;
	}
	for (objref_id i = 0; i < 18; i++) {
		if (type_of[i] != T_MODULE)
			continue;
		memset(&r, 0, sizeof(r));
		r.kind = OBJREF_ROOT_MODULE;
		r.object = i;
		r.name = i == 0 ? s[S_SYS] : i == 3 ? s[S_T1] : i == 6 ? s[S_T2] : s[S_APP];
		if ((rc = objref_builder_root(b, &r)) < 0)
			goto fail;
	}
	memset(&r, 0, sizeof(r));
	r.kind = OBJREF_ROOT_FRAME;
	r.object = 16;
	r.name = s[S_PENDING];
	r.thread = 7;
	r.function = s[S_HANDLE];
	r.file = s[S_FILE];
	r.line = 3;
	if ((rc = objref_builder_root(b, &r)) < 0)
		goto fail;
	return objref_builder_finish(out, b);
fail:
	objref_builder_free(b);
	return rc;
}

static uint64_t baseline[6], survivors[10];
static size_t nbaseline, nsurvivors;

/* old: 0 1 2 9 10 11; survived: 3..8 (the tenants), 12 13 14, 16 17 */
static void ages(void)
{
	static const objref_id old[] = { 0, 1, 2, 9, 10, 11 };
	static const objref_id surv[] = { 3, 4, 5, 6, 7, 8, 12, 13, 14, 17 };

	nbaseline = nsurvivors = 0;
	for (size_t i = 0; i < ARRAY_SIZE(old); i++)
		baseline[nbaseline++] = addr_of(old[i]);
	for (size_t i = 0; i < ARRAY_SIZE(surv); i++)
		survivors[nsurvivors++] = addr_of(surv[i]);
}

static int report(objref_chains_report **r, objref_snapshot *snap, objref_paths **paths,
	const char *type, size_t k, int with_ages)
{
	objref_chains_report_options o = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	int rc;

	ages();
	if ((rc = objref_paths_new(paths, snap, NULL)) < 0)
		return rc;
	o.type = type;
	o.samples = k;
	if (with_ages) {
		o.baseline = baseline;
		o.nbaseline = nbaseline;
		o.survivors = survivors;
		o.nsurvivors = nsurvivors;
	}
	return objref_chains_report_build(r, snap, *paths, &o);
}

TEST_IMPL(chains_age_survivors)
{
	objref_snapshot *snap;
	objref_paths *paths;
	objref_chains_report *r;
	objref_buf b = { 0 };
	const objref_report_pattern *p;

	ASSERT_OK(age_heap(&snap));
	/* 3 samples of the 4 new survivors 12 13 14 17, shared by holder: the
	 * AUDIT dict holds 3 of them, nothing old holds 17 (a new frame's
	 * list): 3 to AUDIT (D'Hondt), none to the newest, 15 (no survivor) */
	ASSERT_OK(report(&r, snap, &paths, "tuple", 3, 1));
	ASSERT_EQ(r->instances, 5);
	ASSERT_EQ(r->samples, 3);
	ASSERT_EQ(r->survivors, 1);
	ASSERT_EQ(r->new_objects, 4);
	ASSERT_EQ(r->npatterns, 1);
	p = &r->patterns[0];
	ASSERT_EQ(p->count, 3);
	/* 'r1' 'r2' 'r3' under the same dict fold for grouping, though they
	 * are str keys: one pattern, showing its example's key */
	ASSERT_STR_EQ(p->text, "module app .AUDIT -> dict ['r1'] -> tuple");
	ASSERT_EQ(p->holder, 2);
	ASSERT_EQ(p->holder_id, 11);
	ASSERT_STR_EQ(p->holder_text, "module app .AUDIT -> dict");
	ASSERT_EQ(p->explained, 3); /* 12 13 14, not 17 (a frame's) nor 15 (no survivor) */
	ASSERT_OK(objref_chains_report_text(&b, r));
	ASSERT_NOT_NULL(strstr(b.data, "  explains: 75 % of the new tuple that survived a "
		"checkpoint (3 of 4) enter through module app .AUDIT -> dict, there before them\n"));
	objref_buf_dispose(&b);
	objref_chains_report_free(r);
	objref_paths_free(paths);

	/* without ages: the first two in snapshot order, 12 and 13; nothing is
	 * known new, so their str keys keep them apart: two patterns */
	ASSERT_OK(report(&r, snap, &paths, "tuple", 2, 0));
	ASSERT_EQ(r->new_objects, 0);
	ASSERT_EQ(r->npatterns, 2);
	ASSERT_STR_EQ(r->patterns[0].text, "module app .AUDIT -> dict ['r1'] -> tuple");
	ASSERT_EQ(r->patterns[0].holder, -1);
	objref_chains_report_free(r);
	objref_paths_free(paths);
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(chains_age_merge_by_holder)
{
	objref_snapshot *snap;
	objref_paths *paths;
	objref_chains_report *r;

	ASSERT_OK(age_heap(&snap));
	/* all 4 survivors: 3 through AUDIT (one pattern), 1 through the frame */
	ASSERT_OK(report(&r, snap, &paths, "tuple", 4, 1));
	ASSERT_EQ(r->samples, 4);
	ASSERT_EQ(r->npatterns, 2);
	ASSERT_EQ(r->patterns[0].count, 3);
	ASSERT_EQ(r->patterns[0].explained, 3);
	ASSERT_EQ(r->patterns[1].count, 1);
	ASSERT_EQ(r->patterns[1].holder, -1); /* the frame's list is new: no old holder */
	ASSERT_EQ(r->patterns[1].root.kind, OBJREF_ROOT_FRAME);
	objref_chains_report_free(r);
	objref_paths_free(paths);
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(chains_age_new_roots)
{
	objref_snapshot *snap;
	objref_paths *paths;
	objref_chains_report *r;
	const objref_report_pattern *p;

	ASSERT_OK(age_heap(&snap));
	/* the tenants' modules are new roots: looked through to sys.modules,
	 * their names folded, one pattern */
	ASSERT_OK(report(&r, snap, &paths, "RuleTable", 5, 1));
	ASSERT_EQ(r->samples, 2);
	ASSERT_EQ(r->npatterns, 1);
	p = &r->patterns[0];
	ASSERT_EQ(p->count, 2);
	ASSERT_STR_EQ(p->text, "module sys .modules -> dict ['_tenant_1'] -> module .TABLE -> RuleTable");
	ASSERT_STR_EQ(p->root.text, "module global sys.modules");
	ASSERT_EQ(p->explained, 2);
	objref_chains_report_free(r);
	objref_paths_free(paths);

	/* without a baseline nothing is new: each tenant's module is the root */
	ASSERT_OK(report(&r, snap, &paths, "RuleTable", 5, 0));
	ASSERT_EQ(r->npatterns, 2);
	ASSERT_STR_EQ(r->patterns[0].text, "module _tenant_1 .TABLE -> RuleTable");
	objref_chains_report_free(r);
	objref_paths_free(paths);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* The report and its text over the age heap, into text: 0 or an error. */
static int age_text(objref_buf *text, objref_snapshot *snap)
{
	objref_chains_report *r = NULL;
	objref_paths *paths = NULL;
	int rc = report(&r, snap, &paths, "tuple", 3, 1);

	if (rc == 0)
		rc = objref_chains_report_text(text, r);
	objref_chains_report_free(r);
	objref_paths_free(paths);
	return rc;
}

TEST_IMPL(chains_age_fault)
{
	objref_snapshot *snap;
	objref_buf ref = { 0 };
	unsigned long total, failed = 0;
	int rc;

	ASSERT_OK(age_heap(&snap));
	objref_alloc_fail_nth(0);
	rc = age_text(&ref, snap);
	total = objref_alloc_fail_nth(0);
	ASSERT_OK(rc);
	ASSERT_NOT_NULL(strstr(ref.data, "explains: 75 %"));
	ASSERT_GT(total, 10);
	for (unsigned long k = 1; k <= total; k++) {
		objref_buf text = { 0 };
		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = age_text(&text, snap);
		objref_alloc_fail_nth(0);
		if (rc != 0) {
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			failed++;
		} else {
			ASSERT_STR_EQ(text.data, ref.data);
		}
		objref_buf_dispose(&text);
	}
	ASSERT_GT(failed, total / 2);
	objref_buf_dispose(&ref);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Without a type: the candidate whose new objects keep the most alive.
 * New: modules 3 6 (each with its dict and RuleTable: 3 x 56 bytes), dicts
 * 4 7 (2 x 56), RuleTables 5 8, tuples 12-15 and 17 (56 each). */
TEST_IMPL(chains_age_choose_type)
{
	static const char *const candidates[] = { "tuple", "RuleTable", "module", "dict" };
	objref_chains_report_options o = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_snapshot *snap;
	objref_paths *paths;
	objref_chains_report *r;
	objref_buf b = { 0 };

	ASSERT_OK(age_heap(&snap));
	ages();
	ASSERT_OK(objref_paths_new(&paths, snap, NULL));
	o.samples = 2;
	o.candidates = candidates;
	o.ncandidates = ARRAY_SIZE(candidates);
	o.baseline = baseline;
	o.nbaseline = nbaseline;
	o.survivors = survivors;
	o.nsurvivors = nsurvivors;
	ASSERT_OK(objref_chains_report_build(&r, snap, paths, &o));
	ASSERT_STR_EQ(r->type, "module");
	ASSERT_EQ(r->nchoices, 4);
	ASSERT_STR_EQ(r->choices[0].type, "module");
	ASSERT_EQ(r->choices[0].retained, 6 * 56);
	ASSERT_EQ(r->choices[0].new_objects, 2);
	ASSERT_STR_EQ(r->choices[1].type, "tuple");
	ASSERT_EQ(r->choices[1].retained, 5 * 56);
	ASSERT_STR_EQ(r->choices[2].type, "dict");
	ASSERT_EQ(r->choices[2].retained, 4 * 56);
	ASSERT_STR_EQ(r->choices[3].type, "RuleTable");
	ASSERT_EQ(r->choices[3].retained, 2 * 56);
	/* inside the new modules: both new dicts and RuleTables, no tuple */
	ASSERT_EQ(r->choices[0].inside, 0);
	ASSERT_EQ(r->choices[1].inside, 0);
	ASSERT_EQ(r->choices[2].inside, 2);
	ASSERT_EQ(r->choices[3].inside, 2);
	ASSERT_OK(objref_chains_report_text(&b, r));
	ASSERT_NOT_NULL(strstr(b.data, "  chosen: module, of the 4 types that grew, its new objects "
		"keep the most alive (336 B; tuple 280 B, dict 224 B, RuleTable 112 B)\n"
		"  one leak with it: 100 % of the new dict, 100 % of the new RuleTable are inside "
		"its new objects\n"));
	objref_buf_dispose(&b);
	objref_chains_report_free(r);

	/* every allocation of the choice failing in turn: ENOMEM, nothing kept */
	for (unsigned long k = 1, total = 0; k == 1 || k <= total; k++) {
		int rc;
		if (k == 1) { /* count them first */
			objref_alloc_fail_nth(0);
			ASSERT_OK(objref_chains_report_build(&r, snap, paths, &o));
			total = objref_alloc_fail_nth(0);
			objref_chains_report_free(r);
		}
		objref_alloc_fail_nth(k);
		rc = objref_chains_report_build(&r, snap, paths, &o);
		objref_alloc_fail_nth(0);
		if (rc == 0) {
			ASSERT_STR_EQ(r->type, "module");
			objref_chains_report_free(r);
		} else {
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			ASSERT_NULL(r);
		}
	}

	/* without a baseline nothing is known new: the fastest, no choices */
	o.baseline = NULL;
	o.nbaseline = 0;
	o.survivors = NULL;
	o.nsurvivors = 0;
	ASSERT_OK(objref_chains_report_build(&r, snap, paths, &o));
	ASSERT_STR_EQ(r->type, "tuple");
	ASSERT_EQ(r->nchoices, 0);
	objref_chains_report_free(r);

	/* neither a type nor candidates: refused */
	o.ncandidates = 0;
	ASSERT_EQ(objref_chains_report_build(&r, snap, paths, &o), OBJREF_EINVAL);
	objref_paths_free(paths);
	objref_snapshot_free(snap);
	return TEST_OK;
}

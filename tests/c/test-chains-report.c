/*
 * tests/c/test-chains-report.c — the chains report (objref/chains_report.h)
 * on one hand-built heap: its C data, its text, its JSON, and every
 * allocation failing in turn.
 *
 * The heap (ids in brackets):
 *
 *   [0] module app (MODULE root) __dict__-> [1] dict ['CACHE']-> [2] list
 *         [2] list [0] [1] [2] -> [3] [4] [5] tuple      (3 is at the baseline)
 *   [6] Session (held from C, 2 unexplained) .? -> [7] tuple
 *   [8] list (local pending of worker() at app.py:17, thread 42) [0]-> [9] tuple
 *   [10] tuple [0]-> [11] tuple [0]-> [10]               (garbage cycle)
 */
#include "report-fixtures.h"

enum { T_MODULE, T_DICT, T_LIST, T_SESSION, T_TUPLE };

#define TRK OBJREF_F_TRACKED
#define IDX(i) OBJREF_LABEL_INDEX, (i), NULL

/* The heap above; every allocation through the library (fault tests). */
static int chains_heap(objref_snapshot **out)
{
	static const rf_type types[] = { { "builtins", "module", RF_FACTS },
		{ "builtins", "dict", RF_FACTS }, { "builtins", "list", RF_FACTS },
		{ "app", "Session", RF_FACTS }, { "builtins", "tuple", RF_FACTS } };
	static const rf_object objects[] = {
		{ T_MODULE, 56, TRK | OBJREF_F_MODULE | OBJREF_F_ROOT, "app" }, { T_DICT, 56, TRK, NULL },
		{ T_LIST, 56, TRK, NULL }, { T_TUPLE, 56, TRK, NULL }, { T_TUPLE, 56, TRK, NULL },
		{ T_TUPLE, 56, TRK, NULL }, { T_SESSION, 56, TRK | OBJREF_F_ROOT, NULL },
		{ T_TUPLE, 56, TRK, NULL }, { T_LIST, 56, TRK | OBJREF_F_ROOT, NULL },
		{ T_TUPLE, 56, TRK, NULL }, { T_TUPLE, 56, TRK, NULL }, { T_TUPLE, 56, TRK, NULL } };
	static const rf_edge edges[] = {
		{ 0, 1, OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT, NULL },
		{ 1, 2, OBJREF_LABEL_KEY, 0, "'CACHE'" },
		{ 2, 3, IDX(0) }, { 2, 4, IDX(1) }, { 2, 5, IDX(2) },
		{ 6, 7, OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED, NULL },
		{ 8, 9, IDX(0) }, { 10, 11, IDX(0) }, { 11, 10, IDX(0) } };
	static const rf_root roots[] = {
		{ OBJREF_ROOT_MODULE, 0, "app", 0, 0, NULL, NULL, 0 },
		{ OBJREF_ROOT_HELD_FROM_C, 6, NULL, 2, 0, NULL, NULL, 0 },
		{ OBJREF_ROOT_FRAME, 8, "pending", 0, 42, "worker", "app.py", 17 } };
	static const rf_heap heap = { .type_addr = 0x100, .base_addr = 0x7f0000001000ull,
		.stride = 0x40, .types = types, .ntypes = ARRAY_SIZE(types), .objects = objects,
		.nobjects = ARRAY_SIZE(objects), .edges = edges, .nedges = ARRAY_SIZE(edges),
		.roots = roots, .nroots = ARRAY_SIZE(roots), .gc = NULL };

	return rf_heap_build(out, &heap);
}

static void thread_42(void *arg, uint64_t ident, char *buf, size_t size)
{
	(void)arg;
	snprintf(buf, size, "%s", ident == 42 ? "worker-1" : "");
}

/* The live callback of a face with tracemalloc: the Session [6] was
 * allocated at app.py:31; nothing else is known. */
static size_t session_site(void *arg, objref_id id, char *buf, size_t size)
{
	(void)arg;
	return id == 6 ? (size_t)snprintf(buf, size, "app.py:31") : 0;
}

/* The live callback of a face: names the unnamed attribute "history". */
static void name_history(void *arg, objref_chain *c)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	objref_snapshot *snap = arg;
	objref_str s;

	for (size_t i = 0; i + 1 < c->n; i++)
		if (c->labels[i] == unnamed && objref_snapshot_add_string(&s, snap, "history", 7) == 0)
			c->labels[i] = OBJREF_LABEL(OBJREF_LABEL_ATTR, s);
}

static const uint64_t baseline[] = { 0x7f00000010c0ull /* [3] */ };

/* Build the report of tuples with samples k; text and JSON into *text.
 * live: see below; picture: the DOT too. */
static int report_path(objref_buf *text, size_t k, int live, int picture)
{
	objref_chains_report_options o = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_snapshot *snap = NULL;
	objref_paths *paths = NULL;
	objref_chains_report *r = NULL;
	objref_json w = OBJREF_JSON_INIT(text);
	int rc;

	if ((rc = chains_heap(&snap)) < 0 || (rc = objref_paths_new(&paths, snap, NULL)) < 0)
		goto cleanup;
	o.type = "tuple";
	o.samples = k;
	o.picture = picture;
	o.baseline = baseline;
	o.nbaseline = ARRAY_SIZE(baseline);
	/* live 1: thread names; 2: and attribute names (best effort: a
	 * failure to intern the name leaves ".?", as in the faces) */
	if (live)
		o.live = (objref_report_live){ .name_attributes = live > 1 ? name_history : NULL,
			.thread_name = thread_42, .arg = snap };
	if ((rc = objref_chains_report_build(&r, snap, paths, &o)) < 0 ||
	    (rc = objref_chains_report_text(text, r)) < 0 ||
	    (rc = objref_chains_report_json(&w, r, 1)) < 0)
		goto cleanup;
	rc = objref_buf_put(text, "\n", 1);
cleanup:
	objref_chains_report_free(r);
	objref_paths_free(paths);
	objref_snapshot_free(snap);
	return rc;
}

TEST_IMPL(chains_report_data)
{
	objref_chains_report_options o = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_snapshot *snap;
	objref_paths *paths;
	objref_chains_report *r;
	const objref_report_pattern *p;

	ASSERT_OK(chains_heap(&snap));
	ASSERT_OK(objref_paths_new(&paths, snap, NULL));
	o.type = "tuple";
	o.samples = 3;
	o.baseline = baseline;
	o.nbaseline = ARRAY_SIZE(baseline);
	ASSERT_OK(objref_chains_report_build(&r, snap, paths, &o));
	/* 7 tuples; the baseline's [3] comes last, so the first 3 new ones are
	 * the samples: [4] [5] (module) and [7] (held from C) */
	ASSERT_EQ(r->instances, 7);
	ASSERT_EQ(r->samples, 3);
	ASSERT_STR_EQ(r->type, "tuple");
	ASSERT_EQ(r->npatterns, 2);
	p = &r->patterns[0];
	ASSERT_EQ(p->count, 2);
	ASSERT_EQ(p->status, OBJREF_PATH_FOUND);
	ASSERT_STR_EQ(p->text, "module app .CACHE -> list [*] -> tuple");
	ASSERT_EQ(p->root.how, OBJREF_REPORT_ROOT_RECORD);
	ASSERT_EQ(p->root.kind, OBJREF_ROOT_MODULE);
	ASSERT_STR_EQ(p->root.module, "app");
	ASSERT_STR_EQ(p->root.name, "CACHE");
	ASSERT_STR_EQ(p->root.text, "module global app.CACHE");
	ASSERT_EQ(p->nsteps, 4);
	ASSERT_STR_EQ(p->steps[0].type, "module");
	ASSERT_STR_EQ(p->steps[0].label, "__dict__");
	ASSERT_STR_EQ(p->steps[1].label, "['CACHE']");
	ASSERT_STR_EQ(p->steps[2].type, "list");
	ASSERT_STR_EQ(p->steps[2].label, "[*]");
	ASSERT_NULL(p->steps[3].label);
	/* both chains share the list, not the tuple: the list is the suspect */
	ASSERT_EQ(p->suspect, 2);
	ASSERT_STR_EQ(p->suspect_text, "[*]");
	p = &r->patterns[1];
	ASSERT_EQ(p->count, 1);
	ASSERT_EQ(p->suspect, -1);
	ASSERT_STR_EQ(p->suspect_text, "");
	ASSERT_EQ(p->root.kind, OBJREF_ROOT_HELD_FROM_C);
	ASSERT_EQ(p->root.unexplained, 2);
	ASSERT_STR_EQ(p->text, "Session .? -> tuple");
	ASSERT_NULL(r->dot);
	objref_chains_report_free(r);

	/* a type nobody has */
	o.type = "app.Nothing";
	ASSERT_EQ(objref_chains_report_build(&r, snap, paths, &o), OBJREF_ENOTFOUND);
	ASSERT_NULL(r);
	ASSERT_STR_EQ(objref_error_last(), "no live object of type 'app.Nothing'");
	o.type = "app.Session"; /* module-qualified names match too */
	ASSERT_OK(objref_chains_report_build(&r, snap, paths, &o));
	ASSERT_EQ(r->instances, 1);
	ASSERT_STR_EQ(r->patterns[0].root.text, "held from C: 2 references the heap does not "
		"explain (a C extension, or a missing Py_DECREF)");
	objref_chains_report_free(r);
	/* where it was allocated, when the face knows */
	o.live.alloc_site = session_site;
	ASSERT_OK(objref_chains_report_build(&r, snap, paths, &o));
	ASSERT_STR_EQ(r->patterns[0].root.text, "held from C: 2 references the heap does not "
		"explain (a C extension, or a missing Py_DECREF); allocated at app.py:31 (tracemalloc)");
	objref_chains_report_free(r);
	o.live.alloc_site = NULL;
	o.samples = 0;
	ASSERT_EQ(objref_chains_report_build(&r, snap, paths, &o), OBJREF_EINVAL);
	objref_paths_free(paths);
	objref_snapshot_free(snap);
	return TEST_OK;
}

static const char expected_text[] =
	"chains for tuple (7 samples of 7, 4 patterns, 3/7 samples share the first):\n"
	"  [3/7]\n"
	"  module app .CACHE -> list [*] -> tuple\n"
	"  root: module global app.CACHE\n"
	"  suspect: list [*] (the samples' chains part after it: new objects enter here)\n"
	"  [2/7]\n"
	"  tuple [*] -> tuple\n"
	"  root: no root: garbage held only by reference cycles (a collection would free it; "
	"is gc disabled or frozen?)\n"
	"  [1/7]\n"
	"  Session .history -> tuple\n"
	"  root: held from C: 2 references the heap does not explain (a C extension, or a "
	"missing Py_DECREF)\n"
	"  [1/7]\n"
	"  list [*] -> tuple\n"
	"  root: local pending of worker() at app.py:17, thread worker-1\n";

TEST_IMPL(chains_report_text)
{
	objref_buf b = { 0 };
	const char *json;

	ASSERT_OK(report_path(&b, 10, 2, 0));
	json = strstr(b.data, "\n{");
	ASSERT_NOT_NULL(json);
	ASSERT_EQ((size_t)(json + 1 - b.data), strlen(expected_text));
	ASSERT_OK(strncmp(b.data, expected_text, strlen(expected_text)));
	objref_buf_dispose(&b);
	return TEST_OK;
}

TEST_IMPL(chains_report_json)
{
	objref_buf b = { 0 };
	const char *json;

	ASSERT_OK(report_path(&b, 10, 0, 0));
	json = strstr(b.data, "\n{");
	ASSERT_NOT_NULL(json);
	/* without the live callbacks: ".?" and "thread ?" with the ident */
	ASSERT_STR_EQ(json + 1,
		"{\"type\": \"tuple\", \"instances\": 7, \"samples\": 7, \"new_objects\": 6, \"survivors\": false, \"patterns\": ["
		"{\"count\": 3, \"status\": \"found\", \"text\": \"module app .CACHE -> list [*] -> tuple\", "
		"\"root\": {\"kind\": \"module\", \"module\": \"app\", \"name\": \"CACHE\"}, "
		"\"root_text\": \"module global app.CACHE\", \"steps\": ["
		"{\"type\": \"module\", \"label\": \"__dict__\"}, {\"type\": \"dict\", \"label\": \"['CACHE']\"}, "
		"{\"type\": \"list\", \"label\": \"[*]\"}, {\"type\": \"tuple\", \"label\": null}], "
		"\"suspect\": 2, \"suspect_text\": \"[*]\", "
		"\"holder\": null, \"holder_text\": \"\", \"explained\": 0}, "
		"{\"count\": 2, \"status\": \"unreachable\", \"text\": \"tuple [*] -> tuple\", "
		"\"root\": {\"kind\": \"garbage\"}, \"root_text\": \"no root: garbage held only by reference "
		"cycles (a collection would free it; is gc disabled or frozen?)\", \"steps\": ["
		"{\"type\": \"tuple\", \"label\": \"[*]\"}, {\"type\": \"tuple\", \"label\": null}], "
		"\"suspect\": null, \"suspect_text\": \"\", "
		"\"holder\": null, \"holder_text\": \"\", \"explained\": 0}, "
		"{\"count\": 1, \"status\": \"found\", \"text\": \"Session .? -> tuple\", "
		"\"root\": {\"kind\": \"held_from_c\", \"unexplained\": 2}, \"root_text\": \"held from C: 2 "
		"references the heap does not explain (a C extension, or a missing Py_DECREF)\", "
		"\"steps\": [{\"type\": \"Session\", \"label\": \".?\"}, {\"type\": \"tuple\", \"label\": null}], "
		"\"suspect\": null, \"suspect_text\": \"\", "
		"\"holder\": null, \"holder_text\": \"\", \"explained\": 0}, "
		"{\"count\": 1, \"status\": \"found\", \"text\": \"list [*] -> tuple\", "
		"\"root\": {\"kind\": \"frame\", \"name\": \"pending\", \"function\": \"worker\", "
		"\"file\": \"app.py\", \"line\": 17, \"thread_ident\": 42, \"thread\": \"\"}, "
		"\"root_text\": \"local pending of worker() at app.py:17, thread ? (ident 42)\", "
		"\"steps\": [{\"type\": \"list\", \"label\": \"[*]\"}, {\"type\": \"tuple\", \"label\": null}], "
		"\"suspect\": null, \"suspect_text\": \"\", "
		"\"holder\": null, \"holder_text\": \"\", \"explained\": 0}]}\n");
	objref_buf_dispose(&b);
	return TEST_OK;
}

TEST_IMPL(chains_report_dot)
{
	objref_buf b = { 0 };

	ASSERT_OK(report_path(&b, 3, 1, 1));
	/* the picture's title and the suspect edge */
	ASSERT_NOT_NULL(strstr(b.data, "\"dot\": \"digraph objref {"));
	ASSERT_NOT_NULL(strstr(b.data, "who holds tuple: 3 samples of 7"));
	objref_buf_dispose(&b);
	return TEST_OK;
}

/* Every allocation of build + text + JSON failing in turn: OBJREF_ENOMEM
 * with a message, or the same output. */
static int fault_path(objref_buf *out, void *arg)
{
	(void)arg;
	return report_path(out, 10, 1, 0);
}

TEST_IMPL(chains_report_fault)
{
	return rf_fault_each(fault_path, NULL, 20);
}

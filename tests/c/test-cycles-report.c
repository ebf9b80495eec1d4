/*
 * tests/c/test-cycles-report.c — the garbage-cycles report
 * (objref/cycles_report.h) on one hand-built heap: its C data, its text,
 * its JSON, the allocation-site callback, and every allocation failing in
 * turn.
 *
 * The heap: module app (a MODULE root) and three Request <-> Response
 * pairs that nothing holds (.response / .request, slots-like attribute
 * references), with the collector disabled: 3 instances of one
 * collectable shape, 6 garbage objects of 48 bytes.
 */
#include "report-fixtures.h"

static int cycles_heap(objref_snapshot **out)
{
	static const objref_gc_state gc = { .known = 1, .enabled = 0 };
	static const rf_type types[] = { { "builtins", "module", OBJREF_T_KNOWN | OBJREF_T_GC },
		{ "app", "Request", OBJREF_T_KNOWN | OBJREF_T_GC },
		{ "app", "Response", OBJREF_T_KNOWN | OBJREF_T_GC } };
	/* refcnt 1: the module's is sys.modules', the others' their partner's */
	static const rf_object objects[] = {
		{ 0, 72, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_MODULE | OBJREF_F_ROOT, "app" },
		{ 1, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL },
		{ 2, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL },
		{ 1, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL },
		{ 2, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL },
		{ 1, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL },
		{ 2, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL } };
	static const rf_edge edges[] = {
		{ 1, 2, OBJREF_LABEL_ATTR, 0, "response" }, { 2, 1, OBJREF_LABEL_ATTR, 0, "request" },
		{ 3, 4, OBJREF_LABEL_ATTR, 0, "response" }, { 4, 3, OBJREF_LABEL_ATTR, 0, "request" },
		{ 5, 6, OBJREF_LABEL_ATTR, 0, "response" }, { 6, 5, OBJREF_LABEL_ATTR, 0, "request" } };
	static const rf_root roots[] = { { OBJREF_ROOT_MODULE, 0, "app", 0, 0, NULL, NULL, 0 } };
	static const rf_heap heap = { .type_addr = 0x100, .base_addr = 0x7f0000002000ull,
		.stride = 0x40, .types = types, .ntypes = ARRAY_SIZE(types), .objects = objects,
		.nobjects = ARRAY_SIZE(objects), .edges = edges, .nedges = ARRAY_SIZE(edges),
		.roots = roots, .nroots = ARRAY_SIZE(roots), .gc = &gc };

	return rf_heap_build(out, &heap);
}

/* The face's tracemalloc: the first Request was allocated at app.py:12. */
static size_t site_of(void *arg, objref_id id, char *buf, size_t size)
{
	(void)arg;
	return id == 1 ? (size_t)snprintf(buf, size, "app.py:12") : 0;
}

/* Analysis, report (picture when asked), text and JSON into *out. */
static int cycles_path(objref_buf *out, int picture)
{
	objref_cycles_report_options o = OBJREF_CYCLES_REPORT_OPTIONS_INIT;
	objref_snapshot *snap = NULL;
	objref_cycles *cyc = NULL;
	objref_cycles_report *r = NULL;
	objref_json w = OBJREF_JSON_INIT(out);
	int rc;

	o.picture = picture;
	o.live.alloc_site = site_of;
	if ((rc = cycles_heap(&snap)) < 0 || (rc = objref_cycles_find(&cyc, snap)) < 0 ||
	    (rc = objref_cycles_report_build(&r, snap, cyc, &o)) < 0 ||
	    (rc = objref_cycles_report_text(out, r)) < 0 || (rc = objref_cycles_report_json(&w, r)) < 0)
		goto cleanup;
	rc = objref_buf_put(out, "\n", 1);
cleanup:
	objref_cycles_report_free(r);
	objref_cycles_free(cyc);
	objref_snapshot_free(snap);
	return rc;
}

TEST_IMPL(cycles_report_data)
{
	objref_cycles_report_options o = OBJREF_CYCLES_REPORT_OPTIONS_INIT;
	objref_snapshot *snap;
	objref_cycles *cyc;
	objref_cycles_report *r;
	const objref_report_cycle_shape *s;

	ASSERT_OK(cycles_heap(&snap));
	ASSERT_OK(objref_cycles_find(&cyc, snap));
	o.live.alloc_site = site_of;
	ASSERT_OK(objref_cycles_report_build(&r, snap, cyc, &o));
	ASSERT_EQ(r->summary.garbage_objects, 6);
	ASSERT_EQ(r->summary.garbage_bytes, 6 * 48);
	ASSERT_EQ(r->summary.components, 3);
	ASSERT_EQ(r->gc.known, 1);
	ASSERT_EQ(r->gc.enabled, 0);
	ASSERT_EQ(r->nshapes, 1);
	ASSERT_NULL(r->dot);
	s = &r->shapes[0];
	ASSERT_EQ(s->count, 3);
	ASSERT_EQ(s->objects, 6);
	ASSERT_EQ(s->bytes, 6 * 48);
	ASSERT_EQ(s->length, 2);
	ASSERT_EQ(s->cls, OBJREF_GARBAGE_COLLECTABLE);
	ASSERT_EQ(s->gc_disabled, 1);
	ASSERT_STR_EQ(s->shape, "Request .response -> Response .request -> Request");
	ASSERT_STR_EQ(s->reason, "collectable, but gc is disabled");
	ASSERT_EQ(s->nsteps, 2);
	ASSERT_STR_EQ(s->steps[0].type, "Request");
	ASSERT_STR_EQ(s->steps[0].label, ".response");
	ASSERT_STR_EQ(s->steps[1].type, "Response");
	ASSERT_STR_EQ(s->steps[1].label, ".request");
	ASSERT_NOT_NULL(s->fix);
	ASSERT_STR_EQ(s->alloc_site, "app.py:12");
	ASSERT_NOT_NULL(strstr(r->text, "  allocated at app.py:12 (tracemalloc)\n"));
	objref_cycles_report_free(r);

	/* limit 0: no shape in the data, every shape in the text */
	o.limit = 0;
	o.live.alloc_site = NULL;
	ASSERT_OK(objref_cycles_report_build(&r, snap, cyc, &o));
	ASSERT_EQ(r->nshapes, 0);
	ASSERT_NOT_NULL(strstr(r->text, "Request .response -> Response .request -> Request"));
	ASSERT_NULL(strstr(r->text, "allocated at"));
	objref_cycles_report_free(r);
	objref_cycles_free(cyc);
	objref_snapshot_free(snap);
	return TEST_OK;
}

static const char head[] = "garbage cycles (found without a collection):\n";
static const char summary[] = "{\"summary\": {\"garbage_objects\": 6, \"garbage_bytes\": 288, "
	"\"collectable_objects\": 6, \"frozen_objects\": 0, \"untraversable_objects\": 0, "
	"\"gc_garbage_objects\": 0, \"cyclic_objects\": 6, \"cycles\": 3, \"shapes\": 1, "
	"\"gc_enabled\": false, \"gc_debug\": 0, \"freeze_count\": 0, \"frozen_listed\": false}, "
	"\"shapes\": [{\"shape\": \"Request .response -> Response .request -> Request\", "
	"\"example\": \"Request at 0x";

TEST_IMPL(cycles_report_text_json)
{
	objref_buf b = { 0 };
	const char *json;

	ASSERT_OK(cycles_path(&b, 0));
	ASSERT_OK(strncmp(b.data, head, strlen(head)));
	json = strstr(b.data, "\n{\"summary\"");
	ASSERT_NOT_NULL(json);
	ASSERT_OK(strncmp(json + 1, summary, strlen(summary)));
	ASSERT_NOT_NULL(strstr(json, "\"count\": 3, \"objects\": 6, \"bytes\": 288, \"retained_objects\": 6, "
		"\"retained_bytes\": 288, \"length\": 2, \"kind\": \"collectable\", \"collectable\": true, "
		"\"gc_disabled\": true, \"reason\": \"collectable, but gc is disabled\", \"steps\": "
		"[[\"Request\", \".response\"], [\"Response\", \".request\"]], \"fix\": \"make "));
	ASSERT_NOT_NULL(strstr(json, "\"alloc_site\": \"app.py:12\"}]}\n"));
	objref_buf_dispose(&b);

	ASSERT_OK(cycles_path(&b, 1));
	ASSERT_NOT_NULL(strstr(b.data, "garbage cycles (found without a collection)"));
	objref_buf_dispose(&b);
	return TEST_OK;
}

/* Every allocation of analysis + report + text + JSON failing in turn. */
static int fault_path(objref_buf *out, void *arg)
{
	(void)arg;
	return cycles_path(out, 0);
}

TEST_IMPL(cycles_report_fault)
{
	return rf_fault_each(fault_path, NULL, 20);
}

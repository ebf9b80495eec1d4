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
#include "fixtures.h"

static int cycles_heap(objref_snapshot **out)
{
	const objref_gc_state gc = { .known = 1, .enabled = 0 };
	objref_builder *b = NULL;
	objref_type_id t_mod, t_req, t_resp;
	objref_str s_app, s_response, s_request;
	objref_object o;
	objref_root r;
	objref_id id;
	int rc;

	*out = NULL;
	if ((rc = objref_builder_new(&b)) < 0)
		return rc;
	if ((rc = objref_builder_string(&s_app, b, "app", 3)) < 0 ||
	    (rc = objref_builder_string(&s_response, b, "response", 8)) < 0 ||
	    (rc = objref_builder_string(&s_request, b, "request", 7)) < 0 ||
	    (rc = objref_builder_type(&t_mod, b, 0x100, "builtins", "module", "module")) < 0 ||
	    (rc = objref_builder_type(&t_req, b, 0x200, "app", "Request", "Request")) < 0 ||
	    (rc = objref_builder_type(&t_resp, b, 0x300, "app", "Response", "Response")) < 0)
		goto fail;
	objref_builder_type_at(b, t_mod)->flags = OBJREF_T_KNOWN | OBJREF_T_GC;
	objref_builder_type_at(b, t_req)->flags = OBJREF_T_KNOWN | OBJREF_T_GC;
	objref_builder_type_at(b, t_resp)->flags = OBJREF_T_KNOWN | OBJREF_T_GC;
	for (objref_id i = 0; i < 7; i++) {
		memset(&o, 0, sizeof(o));
		o.addr = 0x7f0000002000ull + 0x40ull * i;
		o.type = i == 0 ? t_mod : i % 2 ? t_req : t_resp;
		o.size = i == 0 ? 72 : 48;
		o.refcnt = 1; /* the module: sys.modules; the others: their partner */
		o.flags = OBJREF_F_TRACKED | OBJREF_F_GCTYPE | (i == 0 ? OBJREF_F_MODULE | OBJREF_F_ROOT : 0);
		o.desc = i == 0 ? s_app : 0;
		if ((rc = objref_builder_object(&id, b, &o)) < 0)
			goto fail;
	}
	for (objref_id i = 1; i < 7; i += 2)
		if ((rc = objref_builder_edge(b, i, i + 1, OBJREF_LABEL(OBJREF_LABEL_ATTR, s_response))) < 0 ||
		    (rc = objref_builder_edge(b, i + 1, i, OBJREF_LABEL(OBJREF_LABEL_ATTR, s_request))) < 0)
			goto fail;
	memset(&r, 0, sizeof(r));
	r.kind = OBJREF_ROOT_MODULE;
	r.object = 0;
	r.name = s_app;
	if ((rc = objref_builder_root(b, &r)) < 0)
		goto fail;
	objref_builder_gc_state(b, &gc);
	return objref_builder_finish(out, b);
fail:
	objref_builder_free(b);
	return rc;
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
TEST_IMPL(cycles_report_fault)
{
	objref_buf ref = { 0 };
	unsigned long total, failed = 0;
	int rc;

	objref_alloc_fail_nth(0);
	rc = cycles_path(&ref, 0);
	total = objref_alloc_fail_nth(0);
	ASSERT_OK(rc);
	ASSERT_GT(total, 20);
	for (unsigned long k = 1; k <= total; k++) {
		objref_buf text = { 0 };
		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = cycles_path(&text, 0);
		objref_alloc_fail_nth(0);
		if (rc != 0) {
			if (rc != OBJREF_ENOMEM || !objref_error_last()[0])
				fprintf(stderr, "allocation %lu of %lu: rc %d\n", k, total, rc);
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			ASSERT_NE(objref_error_last()[0], '\0');
			failed++;
		} else {
			ASSERT_STR_EQ(text.data, ref.data);
		}
		objref_buf_dispose(&text);
	}
	ASSERT_GT(failed, total / 2);
	objref_buf_dispose(&ref);
	return TEST_OK;
}

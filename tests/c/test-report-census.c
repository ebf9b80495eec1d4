/*
 * tests/c/test-report-census.c — the census views of objgraph's functions
 * (objref/census_report.h) and the show_chain picture
 * (objref/pictures_report.h), on hand-built censuses and heaps, with every
 * allocation failed in turn.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "paths-fixtures.h"
#include "report-fixtures.h"
#include "objref/census_report.h"
#include "objref/pictures_report.h"
#include "objref/run_report.h"

/* objgraph.most_common_types: sorted(stats.items(), key=itemgetter(1),
 * reverse=True)[:limit] — a stable sort, equal counts in census order. */
TEST_IMPL(census_top)
{
	objref_census *c = NULL, *top = NULL;

	CHECK(fx_census(&c, "a=1/10 b=5/50 c=5/55 d=2/20"));
	ASSERT_OK(objref_census_top(&top, c, 2));
	ASSERT_EQ(objref_census_len(top), 2);
	ASSERT_STR_EQ(objref_census_rows(top)[0].name, "b");
	ASSERT_STR_EQ(objref_census_rows(top)[1].name, "c");
	ASSERT_EQ(objref_census_rows(top)[1].bytes, 55);
	objref_census_free(top);
	ASSERT_OK(objref_census_top(&top, c, 0));  /* limit None or 0: all */
	ASSERT_EQ(objref_census_len(top), 4);
	ASSERT_STR_EQ(objref_census_rows(top)[3].name, "a");
	objref_census_free(top);
	ASSERT_OK(objref_census_top(&top, c, 99));
	ASSERT_EQ(objref_census_len(top), 4);
	ASSERT_STR_EQ(objref_census_rows(c)[0].name, "a"); /* c itself untouched */
	objref_census_free(top);
	objref_census_free(c);
	return TEST_OK;
}

/* objgraph.get_new_ids: rows.sort(key=itemgetter(col, 0), reverse=True);
 * '%-*s%13s%13s%13s%13s' header, '%-*s%13d%13d%+13d%+13d' rows. */
TEST_IMPL(new_ids_table)
{
	objref_new_ids_row rows[] = {
		{ "list", 10, 12, 3, 2 },
		{ "dict", 5, 4, 0, -1 },
		{ "Zébra", 0, 2, 2, 2 },
		{ "tuple", 7, 7, 0, 0 },
	};
	objref_new_ids_column by;
	objref_buf b = OBJREF_BUF_INIT;
	const char *want =
		"=========================================================\n"
		"Type       Old_ids  Current_ids      New_ids Count_Deltas\n"
		"=========================================================\n"
		"list            10           12           +3           +2\n"
		"Zébra            0            2           +2           +2\n"
		"tuple            7            7           +0           +0\n"
		"dict             5            4           +0           -1\n"
		"=========================================================\n";

	ASSERT_OK(objref_new_ids_column_of(&by, "deltas"));
	ASSERT_EQ(by, OBJREF_NEW_IDS_DELTAS);
	ASSERT_EQ(objref_new_ids_column_of(&by, "size"), OBJREF_EINVAL);
	ASSERT(strstr(objref_error_last(), "'old', 'current', 'new', 'deltas'") != NULL);
	objref_new_ids_sort(rows, 4, OBJREF_NEW_IDS_DELTAS);
	/* equal deltas: the larger name first ("list" > "Zébra", by code point) */
	ASSERT_STR_EQ(rows[0].name, "list");
	ASSERT_STR_EQ(rows[1].name, "Zébra");
	ASSERT_OK(objref_format_new_ids(&b, rows, 4));
	ASSERT_STR_EQ(b.data, want);
	objref_buf_dispose(&b);

	ASSERT_OK(objref_new_ids_column_of(&by, "old"));
	objref_new_ids_sort(rows, 4, by);
	ASSERT_STR_EQ(rows[0].name, "list");
	ASSERT_STR_EQ(rows[1].name, "tuple");
	ASSERT_STR_EQ(rows[3].name, "Zébra");
	ASSERT_OK(objref_format_new_ids(&b, rows, 0));  /* nothing at all */
	ASSERT_EQ(b.len, 0);
	objref_buf_dispose(&b);
	return TEST_OK;
}

/* module M -> A -> B -> C, OTHER -> B, M -> OTHER. */
enum { H_M, H_A, H_B, H_C, H_OTHER };

static int chain_heap(objref_snapshot **out)
{
	heap h;

	CHECK(ph_heap_new(&h));
	ph_add(&h, h.t_module, OBJREF_F_TRACKED | OBJREF_F_MODULE, "m");
	ph_add(&h, h.t_list, OBJREF_F_TRACKED, NULL);
	ph_add(&h, h.t_list, OBJREF_F_TRACKED, NULL);
	ph_add(&h, h.t_list, OBJREF_F_TRACKED, NULL);
	ph_add(&h, h.t_list, OBJREF_F_TRACKED, NULL);
	ph_ref(&h, H_M, H_A, ph_attr(&h, "a"));
	ph_ref(&h, H_M, H_OTHER, ph_attr(&h, "other"));
	ph_ref(&h, H_A, H_B, IDX(0));
	ph_ref(&h, H_B, H_C, IDX(0));
	ph_ref(&h, H_OTHER, H_B, IDX(0));
	ph_root(&h, OBJREF_ROOT_MODULE, H_M, "m");
	return ph_heap_finish(out, &h);
}

/* The view of chains [A, B, C] and [OTHER, B, C] as show_chain draws them. */
static int draw(size_t *objects, const objref_snapshot *snap, const objref_chain_view_options *o)
{
	objref_id ids1[] = { H_A, H_B, H_C }, ids2[] = { H_OTHER, H_B, H_C };
	objref_label l1[] = { IDX(0), IDX(0), 0 }, l2[] = { IDX(0), IDX(0), 0 };
	objref_chain chains[2] = {
		{ ids1, l1, 3, 3, OBJREF_PATH_FOUND, 2 },
		{ ids2, l2, 3, 3, OBJREF_PATH_FOUND, 2 },
	};
	objref_view *v = NULL;
	int err;

	if ((err = objref_view_new(&v, snap, 0)) < 0)
		return err;
	err = objref_view_add_chains(v, chains, 2, o);
	*objects = objref_view_object_count(v);
	objref_view_free(v);
	return err;
}

/* objgraph.show_chain: show_backrefs(ends, filter=in_chains, **kw): too_many
 * and extra_ignore limit what the walk from the ends reaches. */
TEST_IMPL(view_add_chains)
{
	objref_snapshot *snap = NULL;
	objref_chain_view_options o = OBJREF_CHAIN_VIEW_OPTIONS_INIT;
	objref_id ignore[] = { H_B };
	size_t n;

	CHECK(chain_heap(&snap));
	ASSERT_OK(draw(&n, snap, NULL));
	ASSERT_EQ(n, 4);                  /* A, B, C, OTHER */
	o.too_many = 1;                   /* B: one referrer (A), OTHER left out */
	ASSERT_OK(draw(&n, snap, &o));
	ASSERT_EQ(n, 3);
	o.too_many = 0;                   /* only the end */
	ASSERT_OK(draw(&n, snap, &o));
	ASSERT_EQ(n, 1);
	o.too_many = SIZE_MAX;
	o.ignore = ignore;                /* the walk stops before B */
	o.nignore = 1;
	ASSERT_OK(draw(&n, snap, &o));
	ASSERT_EQ(n, 1);
	o.backrefs = 0;                   /* from the starts: A and OTHER, not B */
	ASSERT_OK(draw(&n, snap, &o));
	ASSERT_EQ(n, 2);
	o.nignore = 0;
	ASSERT_OK(draw(&n, snap, &o));
	ASSERT_EQ(n, 4);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A view's objgraph node count leaves out the "N more" placeholder. */
TEST_IMPL(view_object_count)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_view_walk_options o;
	objref_id start = H_M;
	size_t nn;

	CHECK(chain_heap(&snap));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	objref_view_walk_options_init(&o);
	o.forward = 1;
	o.too_many = 1;
	o.max_depth = 1;
	ASSERT_OK(objref_view_walk(v, ri, &start, 1, &o));
	objref_view_nodes(v, &nn);
	ASSERT_EQ(nn, 3);                          /* M, A, "1 more" */
	ASSERT_EQ(objref_view_object_count(v), 2); /* objgraph: "(2 nodes)" */
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Every allocation of the views above failed in turn: OBJREF_ENOMEM, no
 * leak (valgrind/ASan), and the same result once nothing fails. */
static int views_once(objref_buf *out, const objref_snapshot *snap)
{
	objref_census *c = NULL, *top = NULL;
	objref_new_ids_row rows[] = { { "a", 1, 2, 1, 1 }, { "b", 3, 1, 0, -2 } };
	objref_chain_view_options o = OBJREF_CHAIN_VIEW_OPTIONS_INIT;
	size_t n = 0;
	int err;

	if ((err = objref_census_new(&c)) < 0 || (err = objref_census_add(c, "x", 1, 3, 0)) < 0 ||
	    (err = objref_census_add(c, "y", 1, 5, 0)) < 0 || (err = objref_census_top(&top, c, 1)) < 0)
		goto cleanup;
	objref_new_ids_sort(rows, 2, OBJREF_NEW_IDS_NEW);
	if ((err = objref_format_new_ids(out, rows, 2)) < 0 || (err = draw(&n, snap, &o)) < 0)
		goto cleanup;
	err = objref_buf_printf(out, "%s %zu\n", objref_census_rows(top)[0].name, n);
cleanup:
	objref_census_free(top);
	objref_census_free(c);
	return err;
}

static int views_path(objref_buf *out, void *snap)
{
	return views_once(out, snap);
}

TEST_IMPL(fault_census_views)
{
	objref_snapshot *snap = NULL;
	objref_buf ref = OBJREF_BUF_INIT;

	CHECK(chain_heap(&snap));
	ASSERT_OK(views_once(&ref, snap));
	ASSERT(strstr(ref.data, "y 4\n") != NULL);
	objref_buf_dispose(&ref);
	CHECK(rf_fault_each(views_path, snap, 3));
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* The run report's JSON document (objref/run_report.h): keys in
 * objref-chain's order, "top" only when asked, "chains": null without a
 * chains report, no "cycles" without one; every allocation failed in turn. */
static int run_doc(objref_buf *out, const objref_series *s, size_t top)
{
	objref_run_report r = OBJREF_RUN_REPORT_INIT;

	r.program = "app \"1\".py";
	r.seconds = 1.5;
	r.series = s;
	r.top = top;
	return objref_run_report_json(out, &r);
}

static int run_path(objref_buf *out, void *s)
{
	return run_doc(out, s, 2);
}

TEST_IMPL(run_report_json)
{
	static const char *const names[] = { "Leak", "dict" };
	static const uint64_t counts[] = { 1, 2, 3, 5, 5, 5 }, bytes[] = { 48, 232 };
	objref_series *s = NULL;
	objref_buf b = OBJREF_BUF_INIT;
	objref_run_report none = OBJREF_RUN_REPORT_INIT;

	CHECK(fx_series(&s, 3, 2, names, counts, bytes));
	ASSERT_OK(run_doc(&b, s, 1));
	ASSERT_STR_EQ(b.data,
		"{\"schema\": \"objref-chain/1\", \"program\": \"app \\\"1\\\".py\", \"seconds\": 1.5, "
		"\"checkpoints\": 3, \"heap\": {\"objects\": 8, \"bytes\": 1304}, \"growing\": "
		"[{\"type\": \"Leak\", \"first\": 1, \"last\": 3, \"objects_per_ckpt\": 1.0, "
		"\"bytes_per_ckpt\": 48.0, \"rises\": 2, \"intervals\": 2, \"steady_since\": 1}], "
		"\"top\": [{\"type\": \"dict\", \"count\": 5, \"bytes\": 1160}], \"chains\": null}");
	objref_buf_dispose(&b);
	ASSERT_OK(run_doc(&b, s, 0));
	ASSERT(strstr(b.data, "\"top\"") == NULL);
	ASSERT_EQ(objref_run_report_json(&b, &none), OBJREF_EINVAL);
	objref_buf_dispose(&b);

	CHECK(rf_fault_each(run_path, s, 3));
	objref_buf_dispose(&b);
	objref_series_free(s);
	return TEST_OK;
}

/* get_new_ids' memory: old := current at each call; rows for the types with
 * old or current ids; new = current \ old (objgraph's set difference). */
static int ids_call(objref_new_ids *t, const char *const *names, const uint64_t *addrs, size_t n)
{
	objref_new_ids_rotate(t);
	for (size_t i = 0; i < n; i++) {
		int err = objref_new_ids_add(t, names[i], addrs[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

TEST_IMPL(new_ids_memory)
{
	static const char *const first[] = { "list", "dict", "list" };
	static const uint64_t a1[] = { 0x30, 0x10, 0x20 };
	static const char *const second[] = { "list", "list", "list", "tuple" };
	static const uint64_t a2[] = { 0x40, 0x20, 0x50, 0x60 };
	objref_new_ids *t = NULL;
	objref_new_ids_row *rows;
	const uint64_t *added;
	size_t n, k;

	ASSERT_OK(objref_new_ids_create(&t));
	ASSERT_OK(ids_call(t, first, a1, 3));
	ASSERT_OK(objref_new_ids_rows(&rows, &n, t));
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(rows[0].name, "list");
	ASSERT_EQ(rows[0].current, 2);
	ASSERT_EQ(rows[0].added, 2);
	ASSERT_EQ(rows[0].delta, 2);
	ASSERT_OK(ids_call(t, second, a2, 4));
	ASSERT_OK(objref_new_ids_rows(&rows, &n, t));
	ASSERT_EQ(n, 3);                         /* dict: old 1, current 0 */
	ASSERT_STR_EQ(rows[1].name, "dict");
	ASSERT_EQ(rows[1].old, 1);
	ASSERT_EQ(rows[1].delta, -1);
	ASSERT_EQ(rows[0].old, 2);
	ASSERT_EQ(rows[0].current, 3);
	ASSERT_EQ(rows[0].added, 2);             /* 0x40 and 0x50; 0x20 was there */
	added = objref_new_ids_added(t, 0, &k);
	ASSERT_EQ(k, 2);
	ASSERT_EQ(added[0], 0x40);
	ASSERT_EQ(added[1], 0x50);
	ASSERT_STR_EQ(rows[2].name, "tuple");
	ASSERT_OK(ids_call(t, second, a2, 4));
	ASSERT_OK(objref_new_ids_rows(&rows, &n, t));
	ASSERT_EQ(n, 2);                         /* dict forgotten: neither old nor current */
	ASSERT_EQ(rows[0].added, 0);
	objref_new_ids_added(t, 0, &k);
	ASSERT_EQ(k, 0);
	objref_new_ids_free(t);
	return TEST_OK;
}

static int ids_path(objref_buf *out, void *arg)
{
	static const char *const names[] = { "a", "b", "a", "c", "a" };
	static const uint64_t addrs[] = { 5, 4, 3, 2, 1 };
	objref_new_ids *t = NULL;
	objref_new_ids_row *rows;
	size_t n;
	int err;

	(void)arg;
	if ((err = objref_new_ids_create(&t)) < 0 || (err = ids_call(t, names, addrs, 5)) < 0 ||
	    (err = objref_new_ids_rows(&rows, &n, t)) < 0 || (err = ids_call(t, names, addrs, 3)) < 0 ||
	    (err = objref_new_ids_rows(&rows, &n, t)) < 0)
		goto cleanup;
	objref_new_ids_sort(rows, n, OBJREF_NEW_IDS_DELTAS);
	err = objref_format_new_ids(out, rows, n);
cleanup:
	objref_new_ids_free(t);
	return err;
}

TEST_IMPL(fault_new_ids)
{
	return rf_fault_each(ids_path, NULL, 5);
}

/* objgraph's presentation of a picture: what is written where, and said
 * (render_: the drawing tests' sanitizer settings). */
TEST_IMPL(render_present)
{
	char dir[] = "/tmp/objref-present-XXXXXX", dot_path[256], svg[256], temp_dot[256], temp_png[256];
	const char *dot = "digraph g { a -> b }\n";
	objref_present_options o = OBJREF_PRESENT_OPTIONS_INIT;
	objref_buf msg = OBJREF_BUF_INIT;
	char expect[1024];

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(dot_path, sizeof(dot_path), "%s/g.dot", dir);
	snprintf(svg, sizeof(svg), "%s/g.svg", dir);
	snprintf(temp_dot, sizeof(temp_dot), "%s/t.dot", dir);
	snprintf(temp_png, sizeof(temp_png), "%s/t.png", dir);
	o.objects = 2;
	o.nodes = 3;

	o.filename = dot_path;                   /* .dot: the DOT only */
	ASSERT_OK(objref_picture_present(&msg, dot, &o));
	snprintf(expect, sizeof(expect), "Graph written to %s (2 nodes)\n", dot_path);
	ASSERT_STR_EQ(msg.data, expect);
	ASSERT_EQ(access(dot_path, R_OK), 0);
	objref_buf_dispose(&msg);

	o.filename = svg;                        /* an image: the DOT beside, in the temp */
	o.dot_temp = temp_dot;
	o.lost = 1;
	ASSERT_OK(objref_picture_present(&msg, dot, &o));
	snprintf(expect, sizeof(expect), "objref: 1 object was left out: a picture shows at most 3 "
		"nodes (lower max_depth or too_many, or raise max_nodes)\nGraph written to %s (2 nodes)\n"
		"Image generated as %s\n", temp_dot, svg);
	ASSERT_STR_EQ(msg.data, expect);
	ASSERT_EQ(access(svg, R_OK), 0);
	objref_buf_dispose(&msg);

	o.filename = NULL;                       /* nothing asked: temporary DOT and PNG */
	o.lost = 0;
	o.image_temp = temp_png;
	o.nodes = OBJREF_RENDER_MAX_NODES + 1;   /* too big to draw: said, DOT kept */
	ASSERT_OK(objref_picture_present(&msg, dot, &o));
	ASSERT(strstr(msg.data, "Image not generated: ") != NULL);
	ASSERT(strstr(msg.data, temp_dot) != NULL);
	ASSERT_EQ(access(temp_png, F_OK), -1);
	objref_buf_dispose(&msg);

	o.dot_temp = NULL;                       /* no name for the DOT */
	ASSERT_EQ(objref_picture_present(&msg, dot, &o), OBJREF_EINVAL);
	objref_buf_dispose(&msg);
	snprintf(expect, sizeof(expect), "%s/no/such/dir.dot", dir);
	o.filename = expect;                     /* an unwritable DOT: the error */
	ASSERT_EQ(objref_picture_present(&msg, dot, &o), OBJREF_EIO);
	objref_buf_dispose(&msg);

	unlink(dot_path);
	unlink(svg);
	unlink(temp_dot);
	ASSERT_EQ(rmdir(dir), 0);
	return TEST_OK;
}

/* show_backrefs' too_many counts referring objects, as gc.get_referrers
 * lists them (each once): a list holding the target three times takes one
 * of the too_many places, and its three references are all drawn. */
TEST_IMPL(view_too_many_referrers)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_view_walk_options o;
	const objref_view_node *nodes;
	objref_id target = 0;
	size_t nn, ne, more = 0;
	heap h;

	CHECK(ph_heap_new(&h));
	ph_add(&h, h.t_tuple, OBJREF_F_TRACKED, NULL);                 /* 0: the target */
	for (int i = 0; i < 4; i++)
		ph_add(&h, h.t_list, OBJREF_F_TRACKED, NULL);          /* 1..4 */
	ph_ref(&h, 1, 0, IDX(0));
	ph_ref(&h, 1, 0, IDX(1));
	ph_ref(&h, 1, 0, IDX(2));
	ph_ref(&h, 2, 0, IDX(0));
	ph_ref(&h, 3, 0, IDX(0));
	ph_ref(&h, 4, 0, IDX(0));
	CHECK(ph_heap_finish(&snap, &h));
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	objref_view_walk_options_init(&o);
	o.max_depth = 1;
	o.too_many = 2;
	ASSERT_OK(objref_view_walk(v, ri, &target, 1, &o));
	nodes = objref_view_nodes(v, &nn);
	objref_view_edges(v, &ne);
	ASSERT_EQ(objref_view_object_count(v), 3);   /* the target, lists 1 and 2 */
	ASSERT_NE(objref_view_find(v, 1), UINT32_MAX);
	ASSERT_NE(objref_view_find(v, 2), UINT32_MAX);
	ASSERT_EQ(objref_view_find(v, 3), UINT32_MAX);
	for (size_t i = 0; i < nn; i++)
		if (nodes[i].kind == OBJREF_VN_MORE)
			more += nodes[i].count;
	ASSERT_EQ(more, 2);                          /* lists 3 and 4, once each */
	ASSERT_EQ(ne, 3 + 1 + 1);                    /* list 1's three, list 2's, the MORE box's */
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/*
 * tests/c/test-unexplained.c — memory that no object explains
 * (objref/unexplained.h): the verdict on the allocator's blocks against the
 * census' objects, the allocation sites, and their text and JSON, on
 * hand-built numbers.
 */
#include <string.h>
#include "fixtures.h"
#include "objref/unexplained.h"

/* A series of n checkpoints whose census holds objects[k] strs, with the
 * allocator's blocks[k] (-1: unknown). */
static int series_of(objref_series **out, size_t n, const uint64_t *objects, const int64_t *blocks)
{
	static const char *const names[] = { "str" };
	static const uint64_t unit[] = { 50 };
	int err = fx_series(out, n, 1, names, objects, unit);

	for (size_t k = 0; !err && k < n; k++)
		objref_series_set_blocks(*out, k, blocks[k]);
	return err;
}

/* A C leak: 100 blocks a checkpoint more, the objects flat (one fall). */
static const uint64_t flat[] = { 1000, 1001, 999, 1000, 1002, 1000 };
static const int64_t c_leak[] = { 5000, 5101, 5199, 5230, 5402, 5500 };

TEST_IMPL(unexplained_c_leak)
{
	objref_series *s = NULL;
	objref_unexplained u;

	CHECK(series_of(&s, 6, flat, c_leak));
	objref_series_unexplained(&u, s);
	ASSERT_EQ(u.measured, 1);
	ASSERT_EQ(u.leaking, 1);
	/* the first checkpoint is the warm-up: from the second on */
	ASSERT_EQ(u.intervals, 4);
	ASSERT_EQ(u.rises, 4);
	ASSERT_EQ(u.first, 4100);
	ASSERT_EQ(u.last, 4500);
	ASSERT_DBL_NEAR(u.blocks_per_ckpt, 100.0, 1e-9);
	ASSERT_DBL_NEAR(u.objects_per_ckpt, -0.25, 1e-9);
	objref_series_free(s);
	return 0;
}

/* A leak of Python objects brings blocks of its own (a dict's keys
 * table): the census' growth explains them; noise below the floor, a
 * growth that does not last, and unknown counts are no verdict. */
TEST_IMPL(unexplained_no_verdict)
{
	static const uint64_t growing[] = { 1000, 1200, 1400, 1600, 1800, 2000 };
	static const int64_t with_tables[] = { 5000, 5390, 5790, 6190, 6590, 6990 };
	static const int64_t noise[] = { 5000, 5050, 5100, 5150, 5200, 5250 };
	static const int64_t spike[] = { 5000, 5000, 5000, 5000, 5000, 9000 };
	static const int64_t unknown[] = { 5000, 5100, -1, 5300, 5400, 5500 };
	objref_series *s = NULL;
	objref_unexplained u;

	CHECK(series_of(&s, 6, growing, with_tables));
	objref_series_unexplained(&u, s);
	ASSERT_EQ(u.measured, 1);
	ASSERT_EQ(u.leaking, 0);
	ASSERT_DBL_NEAR(u.blocks_per_ckpt, 200.0, 1e-9);  /* < 2 x 200 objects */
	objref_series_free(s);

	CHECK(series_of(&s, 6, flat, noise));  /* +50/ckpt: under the floor */
	objref_series_unexplained(&u, s);
	ASSERT_EQ(u.leaking, 0);
	objref_series_free(s);

	CHECK(series_of(&s, 6, flat, spike));  /* one rise in 5 intervals */
	objref_series_unexplained(&u, s);
	ASSERT_EQ(u.measured, 1);
	ASSERT_EQ(u.leaking, 0);
	objref_series_free(s);

	CHECK(series_of(&s, 6, flat, unknown));
	objref_series_unexplained(&u, s);
	ASSERT_EQ(u.measured, 0);
	ASSERT_EQ(u.leaking, 0);
	objref_series_free(s);

	CHECK(series_of(&s, 5, flat, c_leak));  /* 3 intervals after the warm-up: too few */
	objref_series_unexplained(&u, s);
	ASSERT_EQ(u.measured, 0);
	objref_series_free(s);

	/* a step at the first interval (objref's own first state) is left out */
	{
		static const int64_t step[] = { 5000, 5300, 5301, 5300, 5302, 5300 };
		CHECK(series_of(&s, 6, flat, step));
		objref_series_unexplained(&u, s);
		ASSERT_EQ(u.measured, 1);
		ASSERT_EQ(u.leaking, 0);
		objref_series_free(s);
	}
	return 0;
}

/* Traced blocks by site before and now, the reached objects now. */
static int sites_of(objref_census **before, objref_census **now, objref_census **reached)
{
	int err;

	/* app.py:35 leaked 500 strs of 96 bytes; app.py:20 grew dicts the walk
	 * reaches (with their keys tables); app.py:7 grew by one block */
	if ((err = fx_census(before, "app.py:35=10/960 app.py:20=100/9000 app.py:7=3/300")) < 0 ||
	    (err = fx_census(now, "app.py:35=510/48960 app.py:20=300/27000 app.py:7=8/800 "
			"lib.py:2=40/4000")) < 0)
		return err;
	return fx_census(reached, "app.py:20=150 app.py:35=0 lib.py:2=1");
}

TEST_IMPL(unexplained_sites)
{
	objref_census *before = NULL, *now = NULL, *reached = NULL;
	objref_site_row *rows = NULL;
	objref_alloc_sites a;
	double bytes;
	size_t n;

	CHECK(sites_of(&before, &now, &reached));
	a = (objref_alloc_sites){ before, now, reached, 0 };
	ASSERT_OK(objref_unexplained_sites(&rows, &n, &bytes, &a, 5, 5.0, 10));
	/* app.py:20: 150 unreached of 300 are not 2 x the 150 reached; app.py:7
	 * grew by 1 a checkpoint, under the floor; lib.py:2 is new (before: 0) */
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(rows[0].site, "app.py:35");
	ASSERT_DBL_NEAR(rows[0].blocks_per_ckpt, 100.0, 1e-9);
	ASSERT_DBL_NEAR(rows[0].bytes_per_ckpt, 9600.0, 1e-9);
	ASSERT_EQ(rows[0].blocks, 510);
	ASSERT_EQ(rows[0].reached, 0);
	ASSERT_STR_EQ(rows[1].site, "lib.py:2");
	ASSERT_DBL_NEAR(rows[1].blocks_per_ckpt, 39.0 / 5, 1e-9); /* capped by the unreached */
	ASSERT_DBL_NEAR(bytes, 9600.0 + 39.0 / 5 * 100, 1e-9);
	ASSERT_PTR_EQ(rows[0].site, objref_census_find(now, "app.py:35")->name);
	objref_free(rows);

	/* the limit keeps the first; the bytes are all of them */
	ASSERT_OK(objref_unexplained_sites(&rows, &n, &bytes, &a, 5, 5.0, 1));
	ASSERT_EQ(n, 1);
	ASSERT_DBL_NEAR(bytes, 9600.0 + 39.0 / 5 * 100, 1e-9);
	objref_free(rows);

	a.now = NULL;
	ASSERT_EQ(objref_unexplained_sites(&rows, &n, &bytes, &a, 5, 5.0, 1), OBJREF_EINVAL);
	ASSERT_NULL(rows);
	objref_census_free(before);
	objref_census_free(now);
	objref_census_free(reached);
	return 0;
}

TEST_IMPL(unexplained_text)
{
	objref_census *before = NULL, *now = NULL, *reached = NULL;
	objref_series *s = NULL;
	objref_alloc_sites a;
	objref_buf b = { 0 };

	CHECK(series_of(&s, 6, flat, c_leak));
	ASSERT_OK(objref_unexplained_text(&b, s, NULL));
	ASSERT_STR_EQ(b.data,
		"memory no object explains: +100 blocks/ckpt alive but unreachable from any object: "
		"leaked references from C?\n"
		"  (the allocator's blocks less the objects a heap walk reaches rose in 4 of 4 intervals; "
		"the objects: +0/ckpt); run with --tracemalloc for their bytes and allocation sites\n");
	objref_buf_dispose(&b);

	CHECK(sites_of(&before, &now, &reached));
	a = (objref_alloc_sites){ before, now, reached, 0 };
	ASSERT_OK(objref_unexplained_text(&b, s, &a));
	ASSERT_STR_EQ(b.data,
		"memory no object explains: +100 blocks/ckpt (10 KB) alive but unreachable from any object: "
		"leaked references from C?\n"
		"  (the allocator's blocks less the objects a heap walk reaches rose in 4 of 4 intervals; "
		"the objects: +0/ckpt)\n"
		"  allocated at (tracemalloc, per checkpoint):\n"
		"    app.py:35  +100/ckpt  (+9.4 KB)\n"
		"    lib.py:2   +8/ckpt  (+780 B)\n");
	objref_buf_dispose(&b);
	objref_series_free(s);

	/* no verdict: nothing written */
	CHECK(series_of(&s, 2, flat, c_leak));
	ASSERT_OK(objref_unexplained_text(&b, s, &a));
	ASSERT_EQ(b.len, 0);
	objref_series_free(s);
	objref_census_free(before);
	objref_census_free(now);
	objref_census_free(reached);
	return 0;
}

TEST_IMPL(unexplained_json)
{
	static const int64_t unknown[] = { -1, -1, -1, -1, -1, -1 };
	objref_census *before = NULL, *now = NULL, *reached = NULL;
	objref_series *s = NULL;
	objref_alloc_sites a;
	objref_buf b = { 0 };
	objref_json w = OBJREF_JSON_INIT(&b);

	CHECK(sites_of(&before, &now, &reached));
	a = (objref_alloc_sites){ before, now, reached, 0 };
	CHECK(series_of(&s, 6, flat, c_leak));
	objref_json_object(&w);
	ASSERT_OK(objref_unexplained_json(&w, s, NULL));
	objref_json_end(&w);
	ASSERT_STR_EQ(b.data, "{\"unexplained\": {\"leaking\": true, \"blocks_per_ckpt\": 100.0, "
		"\"objects_per_ckpt\": -0.25, \"rises\": 4, \"intervals\": 4, \"bytes_per_ckpt\": null, "
		"\"sites\": []}}");
	objref_buf_dispose(&b);
	w = (objref_json)OBJREF_JSON_INIT(&b);
	objref_json_object(&w);
	ASSERT_OK(objref_unexplained_json(&w, s, &a));
	objref_json_end(&w);
	ASSERT_STR_CONTAINS(b.data, "\"bytes_per_ckpt\": 10380.0, \"sites\": [{\"site\": \"app.py:35\", "
		"\"blocks_per_ckpt\": 100.0, \"bytes_per_ckpt\": 9600.0, \"blocks\": 510, \"reached\": 0}, ");
	objref_buf_dispose(&b);

	/* traced from checkpoint 3 on: the sites' rates over the 2 intervals since */
	a.before_at = 3;
	w = (objref_json)OBJREF_JSON_INIT(&b);
	objref_json_object(&w);
	ASSERT_OK(objref_unexplained_json(&w, s, &a));
	objref_json_end(&w);
	ASSERT_STR_CONTAINS(b.data, "\"sites\": [{\"site\": \"app.py:35\", \"blocks_per_ckpt\": 250.0, ");
	objref_buf_dispose(&b);
	a.before_at = 0;
	objref_series_free(s);

	/* not measured, or no verdict: no key */
	CHECK(series_of(&s, 6, flat, unknown));
	w = (objref_json)OBJREF_JSON_INIT(&b);
	objref_json_object(&w);
	ASSERT_OK(objref_unexplained_json(&w, s, &a));
	objref_json_end(&w);
	ASSERT_STR_EQ(b.data, "{}");
	objref_buf_dispose(&b);
	objref_series_free(s);
	CHECK(series_of(&s, 2, flat, c_leak));
	w = (objref_json)OBJREF_JSON_INIT(&b);
	objref_json_object(&w);
	ASSERT_OK(objref_unexplained_json(&w, s, &a));
	objref_json_end(&w);
	ASSERT_STR_EQ(b.data, "{}");
	objref_buf_dispose(&b);
	objref_series_free(s);
	objref_census_free(before);
	objref_census_free(now);
	objref_census_free(reached);
	return 0;
}

/* Every allocation of the text with sites fails in turn: an error, never
 * a crash or a leak. */
TEST_IMPL(unexplained_fault)
{
	objref_census *before = NULL, *now = NULL, *reached = NULL;
	objref_series *s = NULL;
	objref_alloc_sites a;
	unsigned long total;

	CHECK(sites_of(&before, &now, &reached));
	a = (objref_alloc_sites){ before, now, reached, 0 };
	CHECK(series_of(&s, 6, flat, c_leak));
	for (unsigned long k = 1;; k++) {
		objref_buf b = { 0 };
		int rc;
		objref_alloc_fail_nth(k);
		rc = objref_unexplained_text(&b, s, &a);
		total = objref_alloc_fail_nth(0);
		objref_buf_dispose(&b);
		if (rc == 0 && total < k)
			break;  /* the kth allocation was never made: all were tried */
		ASSERT(rc == 0 || rc == OBJREF_ENOMEM);
	}
	objref_series_free(s);
	objref_census_free(before);
	objref_census_free(now);
	objref_census_free(reached);
	return 0;
}

/*
 * tests/c/test-fault.c — fault injection: every allocation of a path is made
 * to fail in turn (objref_alloc_fail_nth), and the path must report
 * OBJREF_ENOMEM with a message, or — if the library can do without that
 * allocation — produce exactly the output of the run without faults.  It
 * must never crash, and never leak: the sanitizer build's leak checker
 * (run after each test by the runner) and valgrind say so.
 */
#include "fixtures.h"

/* A small heap: 40 objects of 4 types in a chain, a root, some labels. */
static int fault_build(objref_snapshot **out)
{
	static const char *const spec[4][2] = {
		{"builtins", "dict"}, {"builtins", "list"}, {"app", "Session"}, {"builtins", "tuple"},
	};
	objref_builder *b = NULL;
	objref_str s_app, s_items;
	objref_type_id t;
	objref_id id;
	objref_object o;
	objref_root root;
	uint32_t i;
	int rc;

	*out = NULL;
	if ((rc = objref_builder_new(&b)) != 0)
		return rc;
	if ((rc = objref_builder_string(&s_app, b, "app", 3)) != 0)
		goto fail;
	if ((rc = objref_builder_string(&s_items, b, "'items'", 7)) != 0)
		goto fail;
	for (i = 0; i < 4; i++)
		if ((rc = objref_builder_type(&t, b, 0x100 + i, spec[i][0], spec[i][1], spec[i][1])) != 0)
			goto fail;
		else
			objref_builder_type_at(b, t)->flags = fx_type_facts(spec[i][0], spec[i][1]);
	for (i = 0; i < 40; i++) {
		memset(&o, 0, sizeof(o));
		o.addr = 0x7f0000100000ull - 0x40ull * i;
		o.size = 50 + i;
		o.type = i % 4;
		o.refcnt = 1;
		o.flags = i % 3 ? OBJREF_F_TRACKED : 0;
		o.desc = i % 5 ? 0 : s_app;
		if ((rc = objref_builder_object(&id, b, &o)) != 0)
			goto fail;
	}
	/* sources in decreasing order: finish has to sort */
	for (i = 39; i > 0; i--)
		if ((rc = objref_builder_edge(b, i, i - 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, i % 5))) != 0)
			goto fail;
	if ((rc = objref_builder_edge(b, 0, 39, OBJREF_LABEL(OBJREF_LABEL_KEY, s_items))) != 0)
		goto fail;
	memset(&root, 0, sizeof(root));
	root.kind = OBJREF_ROOT_MODULE;
	root.object = 0;
	root.name = s_app;
	if ((rc = objref_builder_root(b, &root)) != 0)
		goto fail;
	return objref_builder_finish(out, b); /* consumes b either way */
fail:
	objref_builder_free(b);
	return rc;
}

/* Build, census, growth, series, reports: text gets every report. */
static int fault_path(objref_buf *text)
{
	objref_snapshot *snap = NULL;
	objref_census *c = NULL, *c2 = NULL, *copy = NULL, *peaks = NULL;
	objref_series *s = NULL;
	objref_growth_row *g = NULL;
	objref_growing_row *gr = NULL;
	objref_snapshot_stats st;
	const objref_id *targets;
	const objref_label *labels;
	size_t n = 0, i;
	char label[64];
	int rc;

	if ((rc = fault_build(&snap)) != 0)
		goto cleanup;
	if ((rc = objref_snapshot_validate(snap)) != 0)
		goto cleanup;
	if ((rc = objref_census_from_snapshot(&c, snap, OBJREF_CENSUS_LONGNAMES)) != 0)
		goto cleanup;
	objref_census_sort(c);
	if ((rc = objref_format_most_common(text, objref_census_rows(c), objref_census_len(c))) != 0)
		goto cleanup;
	if ((rc = objref_format_census(text, objref_census_rows(c), objref_census_len(c))) != 0)
		goto cleanup;
	if ((rc = objref_census_new(&peaks)) != 0)
		goto cleanup;
	if ((rc = objref_growth_since_peak(&g, &n, peaks, c)) != 0)
		goto cleanup;
	if ((rc = objref_format_growth(text, g, n)) != 0)
		goto cleanup;

	if ((rc = objref_series_new(&s)) != 0)
		goto cleanup;
	if ((rc = objref_census_copy(&copy, c)) != 0)
		goto cleanup;
	rc = objref_series_add(s, copy, 0.0, "first");
	copy = NULL; /* owned by the series, even on failure */
	if (rc != 0)
		goto cleanup;
	if ((rc = objref_census_from_snapshot(&c2, snap, OBJREF_CENSUS_LONGNAMES)) != 0)
		goto cleanup;
	if ((rc = objref_census_add(c2, "app.Session", 11, 100, 4800)) != 0)
		goto cleanup;
	if ((rc = objref_census_add(c2, "app.New", 7, 3, 300)) != 0)
		goto cleanup;
	rc = objref_series_add(s, c2, 1.0, "second");
	c2 = NULL;
	if (rc != 0)
		goto cleanup;
	if ((rc = objref_series_growing(&gr, &n, s, NULL)) != 0)
		goto cleanup;
	if ((rc = objref_format_growing(text, gr, n)) != 0)
		goto cleanup;

	if ((rc = objref_snapshot_edges(&targets, &labels, &n, snap, 0)) != 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		size_t len = objref_label_format(label, sizeof(label), snap, labels[i]);
		if ((rc = objref_buf_put(text, label, len)) != 0)
			goto cleanup;
	}
	objref_snapshot_stats_get(&st, snap);
	if ((rc = objref_format_count(text, st.nobjects)) != 0)
		goto cleanup;
	if ((rc = objref_format_bytes(text, (double)st.heap_bytes, 1)) != 0)
		goto cleanup;

cleanup:
	objref_free(gr);
	objref_free(g);
	objref_series_free(s);
	objref_census_free(copy);
	objref_census_free(c2);
	objref_census_free(peaks);
	objref_census_free(c);
	objref_snapshot_free(snap);
	return rc;
}

TEST_IMPL(fault_build_census)
{
	objref_buf ref = {0};
	unsigned long total, k, failed = 0, tolerated = 0;
	int rc;

	objref_alloc_fail_nth(0);
	rc = fault_path(&ref);
	total = objref_alloc_fail_nth(0);
	ASSERT_OK(rc);
	ASSERT_NOT_NULL(ref.data);
	ASSERT_GT(total, 10);

	/* past the last allocation: nothing fails */
	{
		objref_buf text = {0};
		objref_alloc_fail_nth(total + 1);
		rc = fault_path(&text);
		objref_alloc_fail_nth(0);
		ASSERT_OK(rc);
		ASSERT_STR_EQ(text.data, ref.data);
		objref_buf_dispose(&text);
	}

	for (k = 1; k <= total; k++) {
		objref_buf text = {0};

		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = fault_path(&text);
		objref_alloc_fail_nth(0);
		if (rc != 0) {
			if (rc != OBJREF_ENOMEM || objref_error_last()[0] == '\0')
				fprintf(stderr, "allocation %lu of %lu failed: rc %d, message \"%s\"\n",
					k, total, rc, objref_error_last());
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			ASSERT_NE(objref_error_last()[0], '\0');
			failed++;
		} else {
			if (!text.data || strcmp(text.data, ref.data) != 0)
				fprintf(stderr, "allocation %lu of %lu failed, the path succeeded "
					"with different output:\n%s\n--- expected:\n%s\n", k, total,
					text.data ? text.data : "(null)", ref.data);
			ASSERT_NOT_NULL(text.data);
			ASSERT_STR_EQ(text.data, ref.data);
			tolerated++;
		}
		objref_buf_dispose(&text);
	}
	/* most allocations are needed, so most failures must show */
	ASSERT_GT(failed, 0);
	ASSERT_GE(failed, tolerated);
	objref_buf_dispose(&ref);
	return TEST_OK;
}

/* The series owns a census it is given, even when adding fails. */
TEST_IMPL(fault_series_add)
{
	enum { ADDS = 40 };
	unsigned long total, k;
	objref_series *s = NULL;
	objref_census *c = NULL;
	size_t i, ok;

	/* count the allocations of ADDS appends (census building excluded) */
	ASSERT_OK(objref_series_new(&s));
	total = 0;
	for (i = 0; i < ADDS; i++) {
		CHECK(fx_census(&c, "a=1 b=2"));
		objref_alloc_fail_nth(0);
		ASSERT_OK(objref_series_add(s, c, (double)i, "l"));
		total += objref_alloc_fail_nth(0);
	}
	objref_series_free(s);
	ASSERT_GT(total, 0);

	for (k = 1; k <= total; k++) {
		unsigned long seen = 0;
		int failed_once = 0;

		ASSERT_OK(objref_series_new(&s));
		ok = 0;
		for (i = 0; i < ADDS; i++) {
			unsigned long made;
			int rc;

			CHECK(fx_census(&c, "a=1 b=2"));
			/* arm so that allocation number k of all appends fails */
			objref_alloc_fail_nth(0);
			if (!failed_once)
				objref_alloc_fail_nth(k - seen);
			rc = objref_series_add(s, c, (double)i, "l");
			made = objref_alloc_fail_nth(0);
			seen += made;
			if (rc != 0) {
				ASSERT_EQ(rc, OBJREF_ENOMEM);
				failed_once = 1;
			} else {
				ok++;
			}
			if (!failed_once && seen >= k)
				failed_once = 1; /* the armed allocation was passed */
		}
		ASSERT_EQ(objref_series_len(s), ok);
		for (i = 0; i < ok; i++)
			ASSERT_EQ(objref_census_find(objref_series_census(s, i), "b")->count, 2);
		objref_series_free(s);
	}
	return TEST_OK;
}

/* A buffer that failed keeps its text and refuses later appends. */
TEST_IMPL(fault_buf)
{
	static char big[10000];
	objref_buf b = {0};
	unsigned long total, k;

	memset(big, 'z', sizeof(big) - 1);
	ASSERT_OK(objref_buf_put(&b, "hello", 5));
	objref_alloc_fail_nth(0);
	ASSERT_OK(objref_buf_printf(&b, "%s", big));
	total = objref_alloc_fail_nth(0);
	ASSERT_GT(total, 0);
	objref_buf_dispose(&b);

	for (k = 1; k <= total; k++) {
		objref_buf f = {0};
		int rc;

		ASSERT_OK(objref_buf_put(&f, "hello", 5));
		objref_alloc_fail_nth(k);
		rc = objref_buf_printf(&f, "%s", big);
		objref_alloc_fail_nth(0);
		ASSERT_EQ(rc, OBJREF_ENOMEM);
		ASSERT_NE(objref_buf_failed(&f), 0);
		ASSERT_EQ(f.len, 5);
		ASSERT_EQ(memcmp(f.data, "hello", 6), 0);
		/* later appends fail too, even with memory available */
		ASSERT_LT(objref_buf_put(&f, "x", 1), 0);
		ASSERT_LT(objref_buf_printf(&f, "%d", 1), 0);
		ASSERT_LT(objref_format_count(&f, 12345), 0);
		ASSERT_EQ(f.len, 5);
		ASSERT_STR_EQ(f.data, "hello");
		objref_buf_dispose(&f);
	}

	/* the very first allocation of an empty buffer */
	{
		objref_buf e = {0};
		objref_alloc_fail_nth(1);
		ASSERT_EQ(objref_buf_put(&e, "abc", 3), OBJREF_ENOMEM);
		objref_alloc_fail_nth(0);
		ASSERT_NE(objref_buf_failed(&e), 0);
		ASSERT_EQ(e.len, 0);
		objref_buf_dispose(&e);
	}
	return TEST_OK;
}

/* objref_snapshot_find scans for its first lookups and then builds its
 * index: if that allocation fails it may answer OBJREF_NO_ID (or search
 * without the index), but must answer right once memory is back. */
enum { FIND_LOOKUPS = 16 }; /* more than the lookups answered by a scan */

TEST_IMPL(fault_snapshot_find)
{
	objref_snapshot *snap = NULL;
	unsigned long total, k;
	uint64_t addr;

	ASSERT_OK(fault_build(&snap));
	addr = objref_snapshot_object(snap, 17)->addr;
	objref_alloc_fail_nth(0);
	for (int i = 0; i < FIND_LOOKUPS; i++)
		ASSERT_EQ(objref_snapshot_find(snap, addr), 17);
	total = objref_alloc_fail_nth(0);
	ASSERT(total >= 1); /* the index was built */
	objref_snapshot_free(snap);

	for (k = 1; k <= total; k++) {
		ASSERT_OK(fault_build(&snap));
		objref_alloc_fail_nth(k);
		for (int i = 0; i < FIND_LOOKUPS; i++) {
			objref_id id = objref_snapshot_find(snap, addr);
			ASSERT(id == 17 || id == OBJREF_NO_ID);
		}
		objref_alloc_fail_nth(0);
		ASSERT_EQ(objref_snapshot_find(snap, addr), 17);
		ASSERT_EQ(objref_snapshot_find(snap, addr + 1), OBJREF_NO_ID);
		objref_snapshot_free(snap);
	}
	return TEST_OK;
}

/* Building fails cleanly at every allocation, with finish consuming the
 * builder (no leak whichever call fails). */
TEST_IMPL(fault_builder)
{
	objref_snapshot *snap = NULL;
	unsigned long total, k;
	int rc;

	objref_alloc_fail_nth(0);
	ASSERT_OK(fault_build(&snap));
	total = objref_alloc_fail_nth(0);
	ASSERT_OK(objref_snapshot_validate(snap));
	objref_snapshot_free(snap);

	for (k = 1; k <= total; k++) {
		snap = NULL;
		objref_alloc_fail_nth(k);
		rc = fault_build(&snap);
		objref_alloc_fail_nth(0);
		if (rc == 0) {
			ASSERT_OK(objref_snapshot_validate(snap));
			ASSERT_EQ(objref_snapshot_nobjects(snap), 40);
			objref_snapshot_free(snap);
		} else {
			ASSERT_EQ(rc, OBJREF_ENOMEM);
		}
	}
	return TEST_OK;
}

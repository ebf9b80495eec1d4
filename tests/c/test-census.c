/*
 * tests/c/test-census.c — counting by type name: add, find, totals, sort,
 * copy, and the census of a snapshot (short and long names, tracked only).
 */
#include "fixtures.h"

#define ASSERT_ROW(c, nm, cnt, byt) \
	do { \
		const objref_census_row *row_ = objref_census_find(c, nm); \
		ASSERT_NOT_NULL(row_); \
		ASSERT_STR_EQ(row_->name, nm); \
		ASSERT_EQ(row_->count, cnt); \
		ASSERT_EQ(row_->bytes, byt); \
	} while (0)

TEST_IMPL(census_add_find_totals)
{
	objref_census *c = NULL;
	const objref_census_row *rows;

	ASSERT_OK(objref_census_new(&c));
	ASSERT_EQ(objref_census_len(c), 0);
	ASSERT_EQ(objref_census_total_count(c), 0);
	ASSERT_EQ(objref_census_total_bytes(c), 0);
	ASSERT_NULL(objref_census_find(c, "dict"));

	ASSERT_OK(objref_census_add(c, "dict", 4, 2, 464));
	ASSERT_OK(objref_census_add(c, "tuple", 5, 3, 168));
	ASSERT_OK(objref_census_add(c, "dict", 4, 1, 232)); /* merges */
	ASSERT_OK(objref_census_add(c, "dictionary", 4, 1, 10)); /* only len bytes: "dict" */
	ASSERT_OK(objref_census_add(c, "di", 2, 5, 0)); /* a prefix is another name */
	ASSERT_OK(objref_census_add(c, "big", 3, 5000000000ull, 1ull << 40));

	ASSERT_EQ(objref_census_len(c), 4);
	ASSERT_ROW(c, "dict", 4, 706);
	ASSERT_ROW(c, "tuple", 3, 168);
	ASSERT_ROW(c, "di", 5, 0);
	ASSERT_ROW(c, "big", 5000000000ull, 1ull << 40);
	ASSERT_NULL(objref_census_find(c, "dictionary"));
	ASSERT_NULL(objref_census_find(c, "d"));
	ASSERT_NULL(objref_census_find(c, ""));
	ASSERT_EQ(objref_census_total_count(c), 4 + 3 + 5 + 5000000000ull);
	ASSERT_EQ(objref_census_total_bytes(c), 706 + 168 + (1ull << 40));

	/* insertion order until sorted */
	rows = objref_census_rows(c);
	ASSERT_STR_EQ(rows[0].name, "dict");
	ASSERT_STR_EQ(rows[1].name, "tuple");
	ASSERT_STR_EQ(rows[2].name, "di");
	ASSERT_STR_EQ(rows[3].name, "big");
	/* find returns a pointer into the rows */
	ASSERT_PTR_EQ(objref_census_find(c, "tuple"), &rows[1]);
	objref_census_free(c);
	return TEST_OK;
}

/* The name is copied: the caller's buffer may change afterwards. */
TEST_IMPL(census_name_copied)
{
	objref_census *c = NULL;
	char name[16];

	ASSERT_OK(objref_census_new(&c));
	strcpy(name, "Session");
	ASSERT_OK(objref_census_add(c, name, strlen(name), 1, 48));
	strcpy(name, "Garbage");
	ASSERT_ROW(c, "Session", 1, 48);
	ASSERT_NULL(objref_census_find(c, "Garbage"));
	objref_census_free(c);
	return TEST_OK;
}

/* Many rows: lookup survives growth of the table. */
TEST_IMPL(census_many_rows)
{
	enum { N = 3000 };
	objref_census *c = NULL;
	char name[32];
	size_t i;

	ASSERT_OK(objref_census_new(&c));
	for (i = 0; i < N; i++) {
		int len = snprintf(name, sizeof(name), "mod%zu.Class", i);
		ASSERT_OK(objref_census_add(c, name, (size_t)len, i + 1, 0));
	}
	for (i = 0; i < N; i += 2) {
		int len = snprintf(name, sizeof(name), "mod%zu.Class", i);
		ASSERT_OK(objref_census_add(c, name, (size_t)len, 1, 0));
	}
	ASSERT_EQ(objref_census_len(c), N);
	for (i = 0; i < N; i++) {
		const objref_census_row *row;
		snprintf(name, sizeof(name), "mod%zu.Class", i);
		row = objref_census_find(c, name);
		ASSERT_NOT_NULL(row);
		ASSERT_EQ(row->count, i + 1 + (i % 2 == 0));
	}
	objref_census_free(c);
	return TEST_OK;
}

/* Most first; equal counts keep insertion order (stable, like sorted()). */
TEST_IMPL(census_sort_stable)
{
	objref_census *c = NULL;
	const objref_census_row *rows;
	static const char *const expect[] = {"y", "w", "b", "x", "z", "a", "v"};
	size_t i;

	CHECK(fx_census(&c, "x=5/50 y=7/1 z=5/40 w=7/2 v=1 b=6 a=5/60"));
	objref_census_sort(c);
	ASSERT_EQ(objref_census_len(c), ARRAY_SIZE(expect));
	rows = objref_census_rows(c);
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		ASSERT_STR_EQ(rows[i].name, expect[i]);
	ASSERT_EQ(rows[0].bytes, 1);
	ASSERT_EQ(rows[3].bytes, 50);
	/* find still works after the sort moved rows */
	ASSERT_ROW(c, "z", 5, 40);
	ASSERT_ROW(c, "b", 6, 0);
	/* sorting again changes nothing */
	objref_census_sort(c);
	rows = objref_census_rows(c);
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		ASSERT_STR_EQ(rows[i].name, expect[i]);
	objref_census_free(c);
	return TEST_OK;
}

/* Stability over many ties (a merge sort, or qsort with a tie-break). */
TEST_IMPL(census_sort_stable_many)
{
	enum { N = 1000 };
	objref_census *c = NULL;
	const objref_census_row *rows;
	char name[16];
	size_t i;

	ASSERT_OK(objref_census_new(&c));
	for (i = 0; i < N; i++) {
		int len = snprintf(name, sizeof(name), "t%04zu", i);
		ASSERT_OK(objref_census_add(c, name, (size_t)len, i % 3, 0));
	}
	objref_census_sort(c);
	rows = objref_census_rows(c);
	for (i = 1; i < N; i++) {
		ASSERT_GE(rows[i - 1].count, rows[i].count);
		if (rows[i - 1].count == rows[i].count)
			ASSERT_LT(strcmp(rows[i - 1].name, rows[i].name), 0);
	}
	objref_census_free(c);
	return TEST_OK;
}

/* A deep copy: later changes to either side do not show in the other. */
TEST_IMPL(census_copy)
{
	objref_census *c = NULL, *d = NULL;

	CHECK(fx_census(&c, "dict=3/696 tuple=2/120"));
	ASSERT_OK(objref_census_copy(&d, c));
	ASSERT_EQ(objref_census_len(d), 2);
	ASSERT_PTR_NE(objref_census_find(d, "dict")->name, objref_census_find(c, "dict")->name);
	ASSERT_OK(objref_census_add(c, "dict", 4, 10, 0));
	ASSERT_OK(objref_census_add(c, "list", 4, 1, 0));
	ASSERT_OK(objref_census_add(d, "set", 3, 1, 0));
	ASSERT_ROW(d, "dict", 3, 696);
	ASSERT_NULL(objref_census_find(d, "list"));
	ASSERT_NULL(objref_census_find(c, "set"));
	objref_census_free(c);
	/* the copy outlives the original */
	ASSERT_ROW(d, "tuple", 2, 120);
	ASSERT_EQ(objref_census_total_count(d), 6);
	objref_census_free(d);
	return TEST_OK;
}

/* Short names: __name__, same-named classes of two modules lumped together;
 * types without objects have no row. */
TEST_IMPL(census_from_snapshot_short)
{
	objref_snapshot *snap = NULL;
	objref_census *c = NULL;

	CHECK(fx_census_snapshot(&snap));
	ASSERT_OK(objref_census_from_snapshot(&c, snap, 0));
	ASSERT_ROW(c, "dict", 3, 696);
	ASSERT_ROW(c, "tuple", 3, 168);
	ASSERT_ROW(c, "Session", 3, 144);
	ASSERT_ROW(c, "Inner", 1, 56);
	ASSERT_ROW(c, "int", 4, 112);
	ASSERT_ROW(c, "weird", 1, 16);
	ASSERT_NULL(objref_census_find(c, "set"));
	ASSERT_NULL(objref_census_find(c, "Outer.Inner"));
	ASSERT_NULL(objref_census_find(c, "app.Session"));
	ASSERT_EQ(objref_census_len(c), 6);
	ASSERT_EQ(objref_census_total_count(c), 15);
	ASSERT_EQ(objref_census_total_bytes(c), 696 + 168 + 144 + 56 + 112 + 16);
	objref_census_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Long names: objgraph's _long_typename, "module.__name__" (not qualname),
 * and the bare name when the module is empty. */
TEST_IMPL(census_from_snapshot_long)
{
	objref_snapshot *snap = NULL;
	objref_census *c = NULL;

	CHECK(fx_census_snapshot(&snap));
	ASSERT_OK(objref_census_from_snapshot(&c, snap, OBJREF_CENSUS_LONGNAMES));
	ASSERT_ROW(c, "builtins.dict", 3, 696);
	ASSERT_ROW(c, "builtins.tuple", 3, 168);
	ASSERT_ROW(c, "app.Session", 2, 96);
	ASSERT_ROW(c, "other.Session", 1, 48);
	ASSERT_ROW(c, "m.Inner", 1, 56);
	ASSERT_ROW(c, "builtins.int", 4, 112);
	ASSERT_ROW(c, "weird", 1, 16);
	ASSERT_NULL(objref_census_find(c, "Session"));
	ASSERT_NULL(objref_census_find(c, "m.Outer.Inner"));
	ASSERT_NULL(objref_census_find(c, "builtins.set"));
	ASSERT_EQ(objref_census_len(c), 7);
	objref_census_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Tracked only: what gc.get_objects() sees. */
TEST_IMPL(census_tracked_only)
{
	objref_snapshot *snap = NULL;
	objref_census *c = NULL;

	CHECK(fx_census_snapshot(&snap));
	ASSERT_OK(objref_census_from_snapshot(&c, snap, OBJREF_CENSUS_TRACKED_ONLY));
	ASSERT_ROW(c, "dict", 3, 696);
	ASSERT_ROW(c, "tuple", 2, 120);
	ASSERT_ROW(c, "Session", 3, 144);
	ASSERT_NULL(objref_census_find(c, "int")); /* all untracked: no row */
	ASSERT_EQ(objref_census_len(c), 5);
	ASSERT_EQ(objref_census_total_count(c), 10);
	objref_census_free(c);

	ASSERT_OK(objref_census_from_snapshot(&c, snap,
		OBJREF_CENSUS_TRACKED_ONLY | OBJREF_CENSUS_LONGNAMES));
	ASSERT_ROW(c, "builtins.tuple", 2, 120);
	ASSERT_ROW(c, "app.Session", 2, 96);
	ASSERT_NULL(objref_census_find(c, "builtins.int"));
	ASSERT_EQ(objref_census_total_count(c), 10);
	objref_census_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(census_from_empty_snapshot)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_census *c = NULL;

	ASSERT_OK(objref_builder_new(&b));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_census_from_snapshot(&c, snap, 0));
	ASSERT_EQ(objref_census_len(c), 0);
	ASSERT_EQ(objref_census_total_count(c), 0);
	objref_census_sort(c);
	objref_census_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* objref_census_sorted: a sorted copy, the original untouched. */
TEST_IMPL(census_sorted_copy)
{
	objref_census *c, *s;

	CHECK(fx_census(&c, "a=1/10 b=3/30 c=2/20 d=3/31"));
	ASSERT_OK(objref_census_sorted(&s, c));
	ASSERT_EQ(objref_census_len(s), 4);
	ASSERT_STR_EQ(objref_census_rows(s)[0].name, "b");
	ASSERT_STR_EQ(objref_census_rows(s)[1].name, "d");
	ASSERT_STR_EQ(objref_census_rows(s)[2].name, "c");
	ASSERT_STR_EQ(objref_census_rows(s)[3].name, "a");
	ASSERT_STR_EQ(objref_census_rows(c)[0].name, "a");
	ASSERT_EQ(objref_census_total_bytes(s), 91);
	objref_census_free(s);
	objref_census_free(c);
	return TEST_OK;
}

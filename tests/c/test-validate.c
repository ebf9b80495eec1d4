/*
 * tests/c/test-validate.c — every corruption that can be built through the
 * public API is caught: by the builder call that makes it, by
 * objref_builder_finish, or by objref_snapshot_validate (OBJREF_ECORRUPT).
 * The header promises no particular stage; it promises that a snapshot that
 * validates satisfies the invariants.
 */
#include "fixtures.h"

/*
 * b holds a corruption made by a call that returned corrupt_rc.  Passes if
 * that call failed, or finish fails, or validate returns OBJREF_ECORRUPT;
 * every failure must leave a message.  Consumes b.
 */
static int expect_caught(objref_builder *b, int corrupt_rc, const char *what)
{
	objref_snapshot *snap = NULL;
	int rc;

	if (corrupt_rc < 0) {
		ASSERT_NE(objref_error_last()[0], '\0');
		objref_builder_free(b);
		return TEST_OK;
	}
	objref_error_clear();
	rc = objref_builder_finish(&snap, b);
	if (rc < 0) {
		ASSERT_NE(objref_error_last()[0], '\0');
		return TEST_OK;
	}
	rc = objref_snapshot_validate(snap);
	objref_snapshot_free(snap);
	if (rc != OBJREF_ECORRUPT)
		fprintf(stderr, "corruption not caught: %s\n", what);
	ASSERT_EQ(rc, OBJREF_ECORRUPT);
	ASSERT_NE(objref_error_last()[0], '\0');
	return TEST_OK;
}

/* Two types, three objects, one edge: valid. */
static int base(objref_builder **b)
{
	objref_type_id t;
	objref_id id;

	ASSERT_OK(objref_builder_new(b));
	CHECK(fx_type(&t, *b, 0x10, "builtins", "dict", "dict"));
	CHECK(fx_type(&t, *b, 0x20, "builtins", "list", "list"));
	CHECK(fx_object(&id, *b, 0x1000, 0, 64, OBJREF_F_TRACKED));
	CHECK(fx_object(&id, *b, 0x1040, 1, 56, OBJREF_F_TRACKED));
	CHECK(fx_object(&id, *b, 0x1080, 1, 56, OBJREF_F_TRACKED));
	ASSERT_OK(objref_builder_edge(*b, 0, 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
	return TEST_OK;
}

TEST_IMPL(snapshot_validate)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;

	CHECK(base(&b));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(snapshot_validate_edge_target)
{
	objref_builder *b = NULL;

	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_edge(b, 0, 3, 0), "edge to id == nobjects"));
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_edge(b, 1, 1000000, 0), "edge to id 1000000"));
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_edge(b, 1, OBJREF_NO_ID, 0), "edge to OBJREF_NO_ID"));
	return TEST_OK;
}

TEST_IMPL(snapshot_validate_edge_source)
{
	objref_builder *b = NULL;

	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_edge(b, 3, 0, 0), "edge from id == nobjects"));
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_edge(b, OBJREF_NO_ID, 0, 0), "edge from OBJREF_NO_ID"));
	return TEST_OK;
}

TEST_IMPL(snapshot_validate_object_type)
{
	objref_builder *b = NULL;
	objref_id id;
	objref_object o;

	memset(&o, 0, sizeof(o));
	o.addr = 0x2000;
	o.type = 2; /* only 0 and 1 exist */
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_object(&id, b, &o), "object with type id == ntypes"));

	/* the same through objref_builder_object_at, which bypasses the checks
	 * objref_builder_object may make */
	CHECK(base(&b));
	objref_builder_object_at(b, 1)->type = 77;
	CHECK(expect_caught(b, 0, "type id set through objref_builder_object_at"));
	return TEST_OK;
}

TEST_IMPL(snapshot_validate_desc_string)
{
	objref_builder *b = NULL;
	objref_id id;
	objref_object o;

	memset(&o, 0, sizeof(o));
	o.addr = 0x2000;
	o.desc = 123456;
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_object(&id, b, &o), "object desc string out of range"));

	CHECK(base(&b));
	objref_builder_object_at(b, 2)->desc = 999;
	CHECK(expect_caught(b, 0, "desc set through objref_builder_object_at"));
	return TEST_OK;
}

/* Label payloads of KEY, ATTR, LOCAL and CELL are string ids. */
TEST_IMPL(snapshot_validate_label_string)
{
	static const objref_label_kind kinds[] = {
		OBJREF_LABEL_KEY, OBJREF_LABEL_ATTR, OBJREF_LABEL_LOCAL, OBJREF_LABEL_CELL,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		objref_builder *b = NULL;
		char what[64];

		snprintf(what, sizeof(what), "label kind %d with string 5000", (int)kinds[i]);
		CHECK(base(&b));
		CHECK(expect_caught(b, objref_builder_edge(b, 1, 2, OBJREF_LABEL(kinds[i], 5000)), what));
	}
	return TEST_OK;
}

TEST_IMPL(snapshot_validate_duplicate_addr)
{
	objref_builder *b = NULL;
	objref_id id;
	objref_object o;

	memset(&o, 0, sizeof(o));
	o.addr = 0x1040; /* object 1's address */
	o.type = 0;
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_object(&id, b, &o), "two objects at 0x1040"));

	CHECK(base(&b));
	objref_builder_object_at(b, 2)->addr = 0x1000;
	CHECK(expect_caught(b, 0, "address set through objref_builder_object_at"));
	return TEST_OK;
}

TEST_IMPL(snapshot_validate_root)
{
	objref_builder *b = NULL;
	objref_root r;

	memset(&r, 0, sizeof(r));
	r.kind = OBJREF_ROOT_MODULE;
	r.object = 3; /* no such object */
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_root(b, &r), "root object out of range"));

	r.object = 1;
	r.name = 4242; /* no such string */
	CHECK(base(&b));
	CHECK(expect_caught(b, objref_builder_root(b, &r), "root name out of range"));
	return TEST_OK;
}

/* Type names are copied into the string table: no way to corrupt them, and
 * a huge number of edges on one object is fine. */
TEST_IMPL(snapshot_validate_many_edges_one_object)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	const objref_id *targets;
	const objref_label *labels;
	size_t n;
	uint32_t i;

	CHECK(base(&b));
	for (i = 0; i < 10000; i++)
		ASSERT_OK(objref_builder_edge(b, 2, i % 3, OBJREF_LABEL(OBJREF_LABEL_INDEX, i)));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));
	ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, 2));
	ASSERT_EQ(n, 10000);
	ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, 0));
	ASSERT_EQ(n, 1);
	objref_snapshot_free(snap);
	return TEST_OK;
}

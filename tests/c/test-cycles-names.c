/*
 * tests/c/test-cycles-names.c — objref_cycles_name_refs: the unnamed
 * references of a shape go out to a naming function in one call, and the
 * labels it fills in come back into the shape, its text and its fix.
 */
#include "fixtures.h"

/* A ring of n app.Node objects, each holding the next through an unnamed
 * inline attribute (what capture records on 3.11+). */
static int ring(objref_snapshot **out, uint32_t n)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	objref_builder *b = NULL;
	objref_type_id t;
	objref_id id;

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, "app", "Node", "Node"));
	objref_builder_type_at(b, t)->flags |= OBJREF_T_KNOWN | OBJREF_T_GC;
	for (uint32_t i = 0; i < n; i++) {
		CHECK(fx_object(&id, b, 0x100000 + 0x40 * (uint64_t)i, t, 56, OBJREF_F_TRACKED | OBJREF_F_GCTYPE));
		ASSERT_OK(objref_builder_edge(b, i, (i + 1) % n, unnamed));
	}
	ASSERT_OK(objref_builder_finish(out, b));
	return TEST_OK;
}

typedef struct {
	objref_snapshot *snap;
	size_t calls, n;
	objref_ref seen[8];
	int fail;
} namer;

/* Names the reference from holder h "next_<h>"; leaves holder 1's alone. */
static int name_them(objref_ref *refs, size_t n, void *arg)
{
	namer *nm = arg;
	char text[32];
	objref_str s;
	int err;

	nm->calls++;
	nm->n = n;
	if (nm->fail)
		return OBJREF_ENOMEM;
	for (size_t k = 0; k < n; k++) {
		if (k < 8)
			nm->seen[k] = refs[k];
		if (refs[k].holder == 1)
			continue;
		snprintf(text, sizeof(text), "next_%u", (unsigned)refs[k].holder);
		if ((err = objref_snapshot_add_string(&s, nm->snap, text, strlen(text))) < 0)
			return err;
		refs[k].label = OBJREF_LABEL(OBJREF_LABEL_ATTR, s);
	}
	return 0;
}

TEST_IMPL(cycles_name_refs)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	const objref_cycle_shape *sh;
	namer nm;

	CHECK(ring(&snap, 3));
	ASSERT_OK(objref_cycles_find(&c, snap));
	ASSERT_EQ(objref_cycles_nshapes(c), 1);
	memset(&nm, 0, sizeof(nm));
	nm.snap = snap;
	ASSERT_OK(objref_cycles_name_refs(c, name_them, &nm));
	ASSERT_EQ(nm.calls, 1);
	ASSERT_EQ(nm.n, 3);
	sh = objref_cycles_shape(c, 0);
	for (size_t j = 0; j < 3; j++) {
		/* each reference handed out is the example's step j */
		ASSERT_EQ(nm.seen[j].holder, sh->example[j]);
		ASSERT_EQ(nm.seen[j].target, sh->example[(j + 1) % 3]);
		ASSERT_EQ(nm.seen[j].label, unnamed);
		if (sh->example[j] == 1) {
			ASSERT_EQ(sh->example_labels[j], unnamed);
		} else {
			ASSERT_EQ(OBJREF_LABEL_KIND(sh->example_labels[j]), OBJREF_LABEL_ATTR);
			char want[32];
			snprintf(want, sizeof(want), "next_%u", (unsigned)sh->example[j]);
			ASSERT_STR_EQ(objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(sh->example_labels[j])), want);
		}
	}
	/* named once: a second pass hands out only what is still unnamed */
	memset(&nm, 0, sizeof(nm));
	nm.snap = snap;
	ASSERT_OK(objref_cycles_name_refs(c, name_them, &nm));
	ASSERT_EQ(nm.n, 1);
	ASSERT_EQ(nm.seen[0].holder, 1);
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* The namer's error comes back and no label changes; no unnamed
 * reference: the namer is not called. */
TEST_IMPL(cycles_name_refs_errors)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	objref_snapshot *snap = NULL;
	objref_cycles *c = NULL;
	namer nm;

	CHECK(ring(&snap, 2));
	ASSERT_OK(objref_cycles_find(&c, snap));
	memset(&nm, 0, sizeof(nm));
	nm.snap = snap;
	nm.fail = 1;
	ASSERT_EQ(objref_cycles_name_refs(c, name_them, &nm), OBJREF_ENOMEM);
	ASSERT_EQ(objref_cycles_shape(c, 0)->example_labels[0], unnamed);
	/* the array handed out is allocated: fail that allocation */
	objref_alloc_fail_nth(1);
	nm.fail = 0;
	nm.calls = 0;
	ASSERT_EQ(objref_cycles_name_refs(c, name_them, &nm), OBJREF_ENOMEM);
	objref_alloc_fail_nth(0);
	ASSERT_EQ(nm.calls, 0);
	objref_cycles_free(c);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/*
 * tests/c/test-snapshot.c — building snapshots by hand and reading them
 * back: strings, types, objects, CSR edges, roots, find by address, stats.
 */
#include "fixtures.h"

/* Same bytes, same id; string 0 is ""; lengths are honoured. */
TEST_IMPL(strings_intern)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_str empty, a1, a2, b1, abc, abc_prefix, nul_in;

	ASSERT_OK(objref_builder_new(&b));
	ASSERT_OK(objref_builder_string(&empty, b, "", 0));
	ASSERT_EQ(empty, 0);
	ASSERT_OK(objref_builder_string(&a1, b, "alpha", 5));
	ASSERT_OK(objref_builder_string(&b1, b, "beta", 4));
	ASSERT_OK(objref_builder_string(&a2, b, "alpha", 5));
	ASSERT_EQ(a1, a2);
	ASSERT_NE(a1, b1);
	ASSERT_NE(a1, 0);
	ASSERT_NE(b1, 0);
	/* not NUL-terminated: only len bytes count */
	ASSERT_OK(objref_builder_string(&abc_prefix, b, "abcdef", 3));
	ASSERT_OK(objref_builder_string(&abc, b, "abc", 3));
	ASSERT_EQ(abc, abc_prefix);
	/* a prefix is a different string */
	ASSERT_OK(objref_builder_string(&a2, b, "alph", 4));
	ASSERT_NE(a1, a2);
	/* an embedded NUL makes a different string from its prefix */
	ASSERT_OK(objref_builder_string(&nul_in, b, "ab\0c", 4));
	ASSERT_NE(nul_in, abc);

	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_STR_EQ(objref_snapshot_string(snap, 0), "");
	ASSERT_STR_EQ(objref_snapshot_string(snap, a1), "alpha");
	ASSERT_STR_EQ(objref_snapshot_string(snap, b1), "beta");
	ASSERT_STR_EQ(objref_snapshot_string(snap, abc), "abc");
	ASSERT_STR_EQ(objref_snapshot_string(snap, a2), "alph");
	/* out of range reads as "" */
	ASSERT_STR_EQ(objref_snapshot_string(snap, 1000000), "");
	ASSERT_STR_EQ(objref_snapshot_string(snap, UINT32_MAX), "");
	ASSERT_OK(objref_snapshot_validate(snap));
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Many strings: interning survives growth of the table. */
TEST_IMPL(strings_many)
{
	enum { N = 5000 };
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	static objref_str ids[N];
	char s[32];
	size_t i;

	ASSERT_OK(objref_builder_new(&b));
	for (i = 0; i < N; i++) {
		int len = snprintf(s, sizeof(s), "name_%zu", i);
		ASSERT_OK(objref_builder_string(&ids[i], b, s, (size_t)len));
	}
	for (i = 0; i < N; i += 7) {
		objref_str again;
		int len = snprintf(s, sizeof(s), "name_%zu", i);
		ASSERT_OK(objref_builder_string(&again, b, s, (size_t)len));
		ASSERT_EQ(again, ids[i]);
	}
	ASSERT_OK(objref_builder_finish(&snap, b));
	for (i = 0; i < N; i += 13) {
		snprintf(s, sizeof(s), "name_%zu", i);
		ASSERT_STR_EQ(objref_snapshot_string(snap, ids[i]), s);
	}
	objref_snapshot_free(snap);
	return TEST_OK;
}

/*
 * Interning is by bytes (len of them), and stays so however large the table
 * grows: a string holding a NUL gets the same id before and after the
 * table's index is rebuilt, and never the id of its prefix before the NUL.
 */
TEST_IMPL(strings_embedded_nul)
{
	objref_builder *b = NULL;
	objref_str with_nul, again, prefix, other;
	char s[32];
	size_t i;

	ASSERT_OK(objref_builder_new(&b));
	/* Strings are C strings: an embedded NUL ends one (snapshot.h). */
	ASSERT_OK(objref_builder_string(&with_nul, b, "ab\0cd", 5));
	ASSERT_OK(objref_builder_string(&prefix, b, "ab", 2));
	ASSERT_EQ(prefix, with_nul);
	/* enough strings to make any hash index grow several times */
	for (i = 0; i < 2000; i++) {
		int len = snprintf(s, sizeof(s), "filler_%zu", i);
		ASSERT_OK(objref_builder_string(&other, b, s, (size_t)len));
	}
	ASSERT_OK(objref_builder_string(&again, b, "ab\0cd", 5));
	ASSERT_EQ(again, with_nul);
	ASSERT_OK(objref_builder_string(&again, b, "ab", 2));
	ASSERT_EQ(again, prefix);
	objref_builder_free(b);
	return TEST_OK;
}

/*
 * Text stored without interning (objects' descriptions) stays out of the
 * index: it never shares an interned string's id, and only shares another
 * text's when that one is still in the small cache of recent texts; the
 * interned strings added between them are still found after the index has
 * grown many times over.
 */
TEST_IMPL(strings_text_unshared)
{
	enum { N = 3000 };
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	static objref_str key[N], text[N];
	objref_str again, t1, t2;
	char s[32];
	size_t i;

	ASSERT_OK(objref_builder_new(&b));
	for (i = 0; i < N; i++) {
		int len = snprintf(s, sizeof(s), "key_%zu", i);
		ASSERT_OK(objref_builder_string(&key[i], b, s, (size_t)len));
		ASSERT_OK(objref_builder_text(&again, b, s, (size_t)len));
		ASSERT_NE(again, key[i]);    /* the same bytes, not shared */
		len = snprintf(s, sizeof(s), "text_%zu", i);
		ASSERT_OK(objref_builder_text(&text[i], b, s, (size_t)len));
	}
	/* a text repeated at once is shared; after many others, not always */
	ASSERT_OK(objref_builder_text(&t1, b, "same", 4));
	ASSERT_OK(objref_builder_text(&t2, b, "same", 4));
	ASSERT_EQ(t1, t2);
	ASSERT_OK(objref_builder_text(&again, b, "text_2999", 9));
	ASSERT_EQ(again, text[N - 1]);
	for (i = 0; i < N; i++) {
		int len = snprintf(s, sizeof(s), "key_%zu", i);
		ASSERT_OK(objref_builder_string(&again, b, s, (size_t)len));
		ASSERT_EQ(again, key[i]);
	}
	/* a text is not in the index: interning its bytes makes a new string */
	ASSERT_OK(objref_builder_string(&again, b, "text_7", 6));
	ASSERT_NE(again, text[7]);
	ASSERT_OK(objref_builder_string(&t1, b, "text_7", 6));
	ASSERT_EQ(t1, again);
	/* an embedded NUL ends a text as it ends an interned string */
	ASSERT_OK(objref_builder_text(&t2, b, "ab\0cd", 5));

	ASSERT_OK(objref_builder_finish(&snap, b));
	for (i = 0; i < N; i += 11) {
		snprintf(s, sizeof(s), "text_%zu", i);
		ASSERT_STR_EQ(objref_snapshot_string(snap, text[i]), s);
		snprintf(s, sizeof(s), "key_%zu", i);
		ASSERT_STR_EQ(objref_snapshot_string(snap, key[i]), s);
	}
	ASSERT_STR_EQ(objref_snapshot_string(snap, t2), "ab");
	ASSERT_OK(objref_snapshot_validate(snap));
	objref_snapshot_free(snap);
	return TEST_OK;
}

TEST_IMPL(snapshot_empty)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_snapshot_stats st;
	const objref_id *targets;
	const objref_label *labels;
	size_t n = 99;

	ASSERT_OK(objref_builder_new(&b));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_NOT_NULL(snap);
	ASSERT_EQ(objref_snapshot_nobjects(snap), 0);
	ASSERT_EQ(objref_snapshot_ntypes(snap), 0);
	ASSERT_NULL(objref_snapshot_object(snap, 0));
	ASSERT_NULL(objref_snapshot_type(snap, 0));
	ASSERT_ERR(objref_snapshot_edges(&targets, &labels, &n, snap, 0), OBJREF_EINVAL);
	ASSERT_EQ(objref_snapshot_find(snap, 0x1000), OBJREF_NO_ID);
	n = 99;
	(void)objref_snapshot_roots(snap, &n);
	ASSERT_EQ(n, 0);
	objref_snapshot_stats_get(&st, snap);
	ASSERT_EQ(st.nobjects, 0);
	ASSERT_EQ(st.nedges, 0);
	ASSERT_EQ(st.ntypes, 0);
	ASSERT_EQ(st.nroots, 0);
	ASSERT_EQ(st.tracked, 0);
	ASSERT_EQ(st.heap_bytes, 0);
	ASSERT_GE(st.nstrings, 1); /* "" is always there */
	ASSERT_OK(objref_snapshot_validate(snap));
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Every field written through the builder reads back unchanged. */
TEST_IMPL(snapshot_accessors)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_type_id t_dict, t_od;
	objref_object o;
	objref_str desc;
	objref_id id0, id1;
	const objref_object *p;
	const objref_type *t;
	objref_snapshot_stats st;

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t_dict, b, 0x7f00aa00, "builtins", "dict", "dict"));
	CHECK(fx_type(&t_od, b, 0x7f00bb00, "collections", "OrderedDict", "OrderedDict"));
	ASSERT_EQ(t_dict, 0);
	ASSERT_EQ(t_od, 1);
	ASSERT_OK(objref_builder_string(&desc, b, "dict of 3 items", 15));

	memset(&o, 0, sizeof(o));
	o.addr = 0xffff800012345678ull; /* above INT64_MAX: addresses are unsigned */
	o.size = 5000000000ull;         /* above 32 bits */
	o.type = t_od;
	o.refcnt = UINT32_MAX;
	o.flags = OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_SIZE_EST;
	o.desc = desc;
	ASSERT_OK(objref_builder_object(&id0, b, &o));
	ASSERT_EQ(id0, 0);
	CHECK(fx_object(&id1, b, 0x1000, t_dict, 232, 0));
	ASSERT_EQ(id1, 1);

	/* objref_builder_object_at: updates before finishing are kept */
	ASSERT_NOT_NULL(objref_builder_object_at(b, id1));
	objref_builder_object_at(b, id1)->refcnt = 7;
	ASSERT_EQ(objref_builder_object_at(b, id0)->addr, 0xffff800012345678ull);
	ASSERT_NULL(objref_builder_object_at(b, 2));

	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_EQ(objref_snapshot_nobjects(snap), 2);
	ASSERT_EQ(objref_snapshot_ntypes(snap), 2);

	p = objref_snapshot_object(snap, 0);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(p->addr, 0xffff800012345678ull);
	ASSERT_EQ(p->size, 5000000000ull);
	ASSERT_EQ(p->type, t_od);
	ASSERT_EQ(p->refcnt, UINT32_MAX);
	ASSERT_EQ(p->flags, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_SIZE_EST);
	ASSERT_STR_EQ(objref_snapshot_string(snap, p->desc), "dict of 3 items");
	p = objref_snapshot_object(snap, 1);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(p->addr, 0x1000);
	ASSERT_EQ(p->refcnt, 7);
	ASSERT_EQ(p->desc, 0);
	ASSERT_NULL(objref_snapshot_object(snap, 2));
	ASSERT_NULL(objref_snapshot_object(snap, OBJREF_NO_ID));

	t = objref_snapshot_type(snap, t_od);
	ASSERT_NOT_NULL(t);
	ASSERT_EQ(t->addr, 0x7f00bb00);
	ASSERT_STR_EQ(objref_snapshot_string(snap, t->name), "OrderedDict");
	ASSERT_STR_EQ(objref_snapshot_string(snap, t->module), "collections");
	ASSERT_STR_EQ(objref_snapshot_string(snap, t->qualname), "OrderedDict");
	t = objref_snapshot_type(snap, t_dict);
	ASSERT_STR_EQ(objref_snapshot_string(snap, t->module), "builtins");
	ASSERT_NULL(objref_snapshot_type(snap, 2));

	objref_snapshot_stats_get(&st, snap);
	ASSERT_EQ(st.nobjects, 2);
	ASSERT_EQ(st.ntypes, 2);
	ASSERT_EQ(st.nedges, 0);
	ASSERT_EQ(st.tracked, 1);
	ASSERT_EQ(st.heap_bytes, 5000000232ull);
	ASSERT_GE(st.nstrings, 6); /* "", dict of 3 items, builtins, dict, collections, OrderedDict */
	ASSERT_GE(st.bytes_objects, 2 * sizeof(objref_object));
	ASSERT_GE(st.bytes_strings, strlen("dict of 3 itemsbuiltinsdictcollectionsOrderedDict"));
	ASSERT_OK(objref_snapshot_validate(snap));
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Names given to objref_builder_type are copied, not kept. */
TEST_IMPL(snapshot_type_names_copied)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_type_id t;
	char module[16], name[16];

	strcpy(module, "mymod");
	strcpy(name, "Thing");
	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, module, name, name));
	memset(module, 'X', sizeof(module) - 1);
	memset(name, 'Y', sizeof(name) - 1);
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_STR_EQ(objref_snapshot_string(snap, objref_snapshot_type(snap, t)->module), "mymod");
	ASSERT_STR_EQ(objref_snapshot_string(snap, objref_snapshot_type(snap, t)->name), "Thing");
	objref_snapshot_free(snap);
	return TEST_OK;
}

struct pair { objref_id dst; objref_label label; };

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	return x->label < y->label ? -1 : x->label > y->label;
}

/* Object i's references as (dst, label) pairs sorted, into out[0..*n). */
static int edges_sorted(struct pair *out, size_t *n, size_t max, const objref_snapshot *snap,
	objref_id id)
{
	const objref_id *targets = NULL;
	const objref_label *labels = NULL;
	size_t i;

	ASSERT_OK(objref_snapshot_edges(&targets, &labels, n, snap, id));
	ASSERT_LE(*n, max);
	for (i = 0; i < *n; i++) {
		out[i].dst = targets[i];
		out[i].label = labels[i];
	}
	qsort(out, *n, sizeof(*out), pair_cmp);
	return TEST_OK;
}

#define ASSERT_EDGE(p, d, l) do { ASSERT_EQ((p).dst, d); ASSERT_EQ((p).label, l); } while (0)

static int five_objects(objref_builder **b)
{
	objref_type_id t;
	objref_id id;
	uint32_t i;

	ASSERT_OK(objref_builder_new(b));
	CHECK(fx_type(&t, *b, 0x10, "builtins", "list", "list"));
	for (i = 0; i < 5; i++)
		CHECK(fx_object(&id, *b, 0x1000 + 0x20 * i, t, 56, OBJREF_F_TRACKED));
	return TEST_OK;
}

/* Edges added in no particular order come out grouped by source (CSR). */
TEST_IMPL(snapshot_edges_csr)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_str name;
	struct pair e[8];
	size_t n;
	objref_label l_attr;

	CHECK(five_objects(&b));
	ASSERT_OK(objref_builder_string(&name, b, "items", 5));
	l_attr = OBJREF_LABEL(OBJREF_LABEL_ATTR, name);
	ASSERT_OK(objref_builder_edge(b, 3, 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
	ASSERT_OK(objref_builder_edge(b, 0, 2, l_attr));
	ASSERT_OK(objref_builder_edge(b, 3, 0, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1)));
	ASSERT_OK(objref_builder_edge(b, 1, 4, OBJREF_LABEL(OBJREF_LABEL_NONE, 0)));
	ASSERT_OK(objref_builder_edge(b, 0, 3, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)));
	ASSERT_OK(objref_builder_edge(b, 4, 4, OBJREF_LABEL(OBJREF_LABEL_INDEX, 2)));
	ASSERT_OK(objref_builder_edge(b, 3, 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 2)));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));

	CHECK(edges_sorted(e, &n, 8, snap, 0));
	ASSERT_EQ(n, 2);
	ASSERT_EDGE(e[0], 2, l_attr);
	ASSERT_EDGE(e[1], 3, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT));
	CHECK(edges_sorted(e, &n, 8, snap, 1));
	ASSERT_EQ(n, 1);
	ASSERT_EDGE(e[0], 4, 0);
	CHECK(edges_sorted(e, &n, 8, snap, 2));
	ASSERT_EQ(n, 0);
	CHECK(edges_sorted(e, &n, 8, snap, 3));
	ASSERT_EQ(n, 3); /* a duplicate target with another label is another edge */
	ASSERT_EDGE(e[0], 0, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1));
	ASSERT_EDGE(e[1], 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0));
	ASSERT_EDGE(e[2], 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 2));
	CHECK(edges_sorted(e, &n, 8, snap, 4));
	ASSERT_EQ(n, 1);
	ASSERT_EDGE(e[0], 4, OBJREF_LABEL(OBJREF_LABEL_INDEX, 2));

	{
		objref_snapshot_stats st;
		const objref_id *targets;
		const objref_label *labels;

		objref_snapshot_stats_get(&st, snap);
		ASSERT_EQ(st.nedges, 7);
		ASSERT_GE(st.bytes_edges, 7 * (sizeof(objref_id) + sizeof(objref_label)));
		ASSERT_ERR(objref_snapshot_edges(&targets, &labels, &n, snap, 5), OBJREF_EINVAL);
		ASSERT_ERR(objref_snapshot_edges(&targets, &labels, &n, snap, OBJREF_NO_ID), OBJREF_EINVAL);
	}
	objref_snapshot_free(snap);
	return TEST_OK;
}

/*
 * The references of one object keep the order they were added in (the
 * traversal order capture saw: [0], [1], [2] ...), both when sources come in
 * increasing order (no sort) and when they do not (the sort must be stable).
 */
TEST_IMPL(snapshot_edges_order_kept)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		objref_builder *b = NULL;
		objref_snapshot *snap = NULL;
		const objref_id *targets;
		const objref_label *labels;
		size_t n, i;
		static const objref_id dst[] = {4, 1, 3, 1, 0, 2};

		CHECK(five_objects(&b));
		if (pass == 1) /* a later source first forces the sort */
			ASSERT_OK(objref_builder_edge(b, 4, 0, 0));
		for (i = 0; i < ARRAY_SIZE(dst); i++)
			ASSERT_OK(objref_builder_edge(b, 2, dst[i], OBJREF_LABEL(OBJREF_LABEL_INDEX, i)));
		if (pass == 1)
			ASSERT_OK(objref_builder_edge(b, 0, 1, 0));
		ASSERT_OK(objref_builder_finish(&snap, b));
		ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, 2));
		ASSERT_EQ(n, ARRAY_SIZE(dst));
		for (i = 0; i < n; i++) {
			ASSERT_EQ(targets[i], dst[i]);
			ASSERT_EQ(labels[i], OBJREF_LABEL(OBJREF_LABEL_INDEX, i));
		}
		ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, 4));
		ASSERT_EQ(n, (size_t)pass);
		ASSERT_OK(objref_snapshot_validate(snap));
		objref_snapshot_free(snap);
	}
	return TEST_OK;
}

/*
 * objref_builder_edge_start: the offsets asked for during the build are
 * those of the edges so far, and finish uses offsets for every edge, not
 * the ones asked for before more objects and edges came.
 */
TEST_IMPL(snapshot_edge_start_kept_and_renewed)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	const uint64_t *start;
	const objref_id *targets;
	const objref_label *labels;
	objref_id id;
	objref_type_id t;
	size_t n;

	CHECK(five_objects(&b));
	ASSERT_OK(objref_builder_edge(b, 0, 1, 0));
	ASSERT_OK(objref_builder_edge(b, 0, 2, 0));
	ASSERT_OK(objref_builder_edge(b, 3, 4, 0));
	ASSERT_OK(objref_builder_edge_start(&start, b));
	ASSERT_EQ(start[0], 0);
	ASSERT_EQ(start[1], 2);
	ASSERT_EQ(start[3], 2);
	ASSERT_EQ(start[4], 3);
	ASSERT_EQ(start[5], 3);
	/* asked again with nothing added: the same offsets */
	{
		const uint64_t *again;
		ASSERT_OK(objref_builder_edge_start(&again, b));
		ASSERT_PTR_EQ(again, start);
	}
	/* then a sixth object and two more edges, one of them from it */
	CHECK(fx_type(&t, b, 0x9000, "builtins", "dict", "dict"));
	CHECK(fx_object(&id, b, 0x2000, t, 64, OBJREF_F_TRACKED));
	ASSERT_EQ(id, 5);
	ASSERT_OK(objref_builder_edge(b, 4, 0, 0));
	ASSERT_OK(objref_builder_edge(b, 5, 3, 0));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));
	ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, 4));
	ASSERT_EQ(n, 1);
	ASSERT_EQ(targets[0], 0);
	ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, 5));
	ASSERT_EQ(n, 1);
	ASSERT_EQ(targets[0], 3);
	objref_snapshot_free(snap);

	/* an edge to a missing object is refused when the offsets are asked for */
	CHECK(five_objects(&b));
	ASSERT_OK(objref_builder_edge(b, 0, 7, 0));
	ASSERT_ERR(objref_builder_edge_start(&start, b), OBJREF_EINVAL);
	objref_builder_free(b);
	return TEST_OK;
}

/*
 * Edges in source order, with objects that have none between them, are
 * kept by source as they come; the first one out of order (or from an
 * object not added yet) turns them back into triples, and every edge
 * keeps its source, its target and its order.
 */
TEST_IMPL(snapshot_edges_sorted_then_not)
{
	static const objref_id want[5][3] = { { 1, 2, 4 }, { 0 }, { 0 }, { 4, 1 }, { 0 } };
	/* the edges of object i: want[i][0 .. nwant[i]) */
	static const size_t nwant[5] = { 3, 1, 0, 2, 0 };

	for (int late = 0; late < 3; late++) {
		objref_builder *b = NULL;
		objref_snapshot *snap = NULL;
		const objref_id *targets;
		const objref_label *labels;
		size_t n;

		CHECK(five_objects(&b));
		ASSERT_OK(objref_builder_edge(b, 0, 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
		ASSERT_OK(objref_builder_edge(b, 0, 2, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1)));
		ASSERT_OK(objref_builder_edge(b, 3, 4, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
		if (late == 1) {  /* out of order: back to object 0, then 1 */
			ASSERT_OK(objref_builder_edge(b, 0, 4, OBJREF_LABEL(OBJREF_LABEL_INDEX, 2)));
			ASSERT_OK(objref_builder_edge(b, 1, 0, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
			ASSERT_OK(objref_builder_edge(b, 3, 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1)));
		} else {
			ASSERT_OK(objref_builder_edge(b, 3, 1, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1)));
			ASSERT_OK(objref_builder_edge(b, late ? 7 : 1, 0, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)));
		}
		if (late == 2) {  /* an edge from an object not added yet: refused at finish */
			ASSERT_ERR(objref_builder_finish(&snap, b), OBJREF_EINVAL);
			continue;
		}
		if (late == 0)  /* 1 after 3: out of order too; then 0's third edge */
			ASSERT_OK(objref_builder_edge(b, 0, 4, OBJREF_LABEL(OBJREF_LABEL_INDEX, 2)));
		ASSERT_OK(objref_builder_finish(&snap, b));
		ASSERT_OK(objref_snapshot_validate(snap));
		for (objref_id i = 0; i < 5; i++) {
			ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, i));
			ASSERT_EQ(n, nwant[i]);
			for (size_t k = 0; k < n; k++) {  /* each source's edges in the order added */
				ASSERT_EQ(targets[k], want[i][k]);
				ASSERT_EQ(OBJREF_LABEL_PAYLOAD(labels[k]), k);
			}
		}
		objref_snapshot_free(snap);
	}
	return TEST_OK;
}

/* A larger graph with edges in reverse order: every edge is found again. */
TEST_IMPL(snapshot_edges_many)
{
	enum { N = 2000 };
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_type_id t;
	objref_id id;
	uint32_t i, k;

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, "builtins", "list", "list"));
	for (i = 0; i < N; i++)
		CHECK(fx_object(&id, b, 0x100000 + 16ull * i, t, 56, OBJREF_F_TRACKED));
	/* object i refers to (i*7+k) % N for k < i % 4, added last source first */
	for (i = N; i-- > 0;)
		for (k = 0; k < i % 4; k++)
			ASSERT_OK(objref_builder_edge(b, i, (i * 7 + k) % N,
				OBJREF_LABEL(OBJREF_LABEL_INDEX, k)));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));
	for (i = 0; i < N; i++) {
		const objref_id *targets;
		const objref_label *labels;
		size_t n;
		uint32_t seen = 0;

		ASSERT_OK(objref_snapshot_edges(&targets, &labels, &n, snap, i));
		ASSERT_EQ(n, i % 4);
		for (k = 0; k < n; k++) {
			uint32_t idx = OBJREF_LABEL_PAYLOAD(labels[k]);
			ASSERT_EQ(OBJREF_LABEL_KIND(labels[k]), OBJREF_LABEL_INDEX);
			ASSERT_LT(idx, n);
			ASSERT_EQ(targets[k], (i * 7 + idx) % N);
			seen |= 1u << idx;
		}
		ASSERT_EQ(seen, (1u << n) - 1);
	}
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* objref_snapshot_find: every address maps to its id; others to NO_ID. */
TEST_IMPL(snapshot_find)
{
	enum { N = 300 };
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_type_id t;
	objref_id id;
	uint32_t i;

	ASSERT_OK(objref_builder_new(&b));
	CHECK(fx_type(&t, b, 0x10, "builtins", "dict", "dict"));
	/* addresses decreasing and scattered, so the index must sort */
	for (i = 0; i < N; i++) {
		uint64_t addr = 0x7f0000000000ull - 0x40ull * ((i * 37u) % N) * 3;
		CHECK(fx_object(&id, b, addr, t, 64, OBJREF_F_TRACKED));
	}
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));
	for (i = 0; i < N; i++) {
		uint64_t addr = objref_snapshot_object(snap, i)->addr;
		ASSERT_EQ(objref_snapshot_find(snap, addr), i);
		/* neighbours that are no object */
		ASSERT_EQ(objref_snapshot_find(snap, addr + 8), OBJREF_NO_ID);
		ASSERT_EQ(objref_snapshot_find(snap, addr - 8), OBJREF_NO_ID);
	}
	ASSERT_EQ(objref_snapshot_find(snap, 0), OBJREF_NO_ID);
	ASSERT_EQ(objref_snapshot_find(snap, UINT64_MAX), OBJREF_NO_ID);
	ASSERT_EQ(objref_snapshot_find(snap, 0x7f0000000000ull + 0x40), OBJREF_NO_ID);
	ASSERT_EQ(objref_snapshot_find(snap, 0x7f0000000000ull), 0);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* Root records come back as given. */
TEST_IMPL(snapshot_roots)
{
	objref_builder *b = NULL;
	objref_snapshot *snap = NULL;
	objref_root r;
	objref_str name;
	const objref_root *roots;
	size_t n = 0;
	objref_snapshot_stats st;

	CHECK(five_objects(&b));
	ASSERT_OK(objref_builder_string(&name, b, "app", 3));
	memset(&r, 0, sizeof(r));
	r.kind = OBJREF_ROOT_MODULE;
	r.object = 3;
	r.name = name;
	ASSERT_OK(objref_builder_root(b, &r));
	r.kind = OBJREF_ROOT_HELD_FROM_C;
	r.object = 1;
	r.name = 0;
	r.extra = 2;
	ASSERT_OK(objref_builder_root(b, &r));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_OK(objref_snapshot_validate(snap));

	roots = objref_snapshot_roots(snap, &n);
	ASSERT_EQ(n, 2);
	ASSERT_NOT_NULL(roots);
	ASSERT_EQ(roots[0].kind, OBJREF_ROOT_MODULE);
	ASSERT_EQ(roots[0].object, 3);
	ASSERT_STR_EQ(objref_snapshot_string(snap, roots[0].name), "app");
	ASSERT_EQ(roots[1].kind, OBJREF_ROOT_HELD_FROM_C);
	ASSERT_EQ(roots[1].object, 1);
	ASSERT_EQ(roots[1].extra, 2);
	objref_snapshot_stats_get(&st, snap);
	ASSERT_EQ(st.nroots, 2);
	objref_snapshot_free(snap);
	return TEST_OK;
}

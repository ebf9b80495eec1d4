/*
 * tests/c/test-heapsnapshot.c — the Chrome .heapsnapshot export: counts,
 * layout of the arrays, ids, names, escaping, errors.  (A real parser,
 * memlab's, reads it in tests/python/test_heapsnapshot.py.)
 */
#include "fixtures.h"
#include "dump-fixtures.h"

static int to_buf(const void *data, size_t len, void *arg)
{
	return objref_buf_put(arg, data, len);
}

/* The numbers of the JSON array named key ("nodes", "edges") into *out
 * (malloc'ed); their count. */
static size_t numbers_of(uint64_t **out, const char *json, const char *key)
{
	char pat[32];
	const char *p;
	size_t n = 0, cap = 1024;

	snprintf(pat, sizeof(pat), "\"%s\":[", key);
	p = strstr(json, pat);
	*out = malloc(cap * sizeof(uint64_t));
	if (!p || !*out)
		return 0;
	for (p += strlen(pat); *p && *p != ']'; ) {
		char *end;
		uint64_t v = strtoull(p, &end, 10);
		if (end == p)
			break;
		if (n == cap)
			*out = realloc(*out, (cap *= 2) * sizeof(uint64_t));
		(*out)[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

static uint64_t header_number(const char *json, const char *key)
{
	char pat[40];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : UINT64_MAX;
}

int test_dump_heapsnapshot_layout(void)
{
	objref_snapshot *s = NULL;
	objref_buf b = { 0 };
	uint64_t *nodes, *edges, nn, ne, sum = 0;
	size_t nnodes, nedges, n = 0;

	ASSERT_EQ(dfx_heap(&s), 0);
	ASSERT_EQ(objref_heapsnapshot_write(s, to_buf, &b), 0);
	ASSERT_STR_PREFIX(b.data, "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\"");
	{
		objref_snapshot_stats st;
		objref_snapshot_stats_get(&st, s);
		n = st.nobjects;
		nn = header_number(b.data, "node_count");
		ne = header_number(b.data, "edge_count");
		ASSERT_EQ(nn, 1 + 6 + st.nobjects);          /* root, 6 root kinds, objects */
		ASSERT_EQ(ne, 6 + st.nroots + st.nedges);
	}
	nnodes = numbers_of(&nodes, b.data, "nodes");
	nedges = numbers_of(&edges, b.data, "edges");
	ASSERT_EQ(nnodes, nn * 7);
	ASSERT_EQ(nedges, ne * 3);
	for (size_t i = 0; i < nn; i++) {
		sum += nodes[i * 7 + 4];                      /* edge_count */
		ASSERT_EQ(nodes[i * 7 + 2] & 1, 1);           /* odd ids */
		for (size_t j = 0; j < i; j++)
			ASSERT_NE(nodes[i * 7 + 2], nodes[j * 7 + 2]);
		ASSERT_EQ(nodes[i * 7], i < 7 ? 9 : 3);       /* synthetic, then object */
	}
	ASSERT_EQ(sum, ne);
	for (size_t e = 0; e < ne; e++) {
		ASSERT_EQ(edges[e * 3 + 2] % 7, 0);           /* to_node: a node's first field */
		ASSERT_LT(edges[e * 3 + 2] / 7, nn);
		ASSERT(edges[e * 3] >= 1 && edges[e * 3] <= 3);
	}
	/* Object 0 (module app) is node 7; its one edge, __dict__, a property
	 * to object 1. */
	ASSERT_EQ(nodes[7 * 7 + 2], objref_heapsnapshot_id(s, 0));
	ASSERT_EQ(nodes[7 * 7 + 3], 72);
	ASSERT_STR_CONTAINS(b.data, "\"app.web.Session\"");
	ASSERT_STR_CONTAINS(b.data, "\"['cache']\"");
	ASSERT_STR_CONTAINS(b.data, "\"(thread frames)\"");
	ASSERT_STR_CONTAINS(b.data, "\"local pending in Worker.run (/srv/app/worker.py:42, thread 140000000001)\"");
	ASSERT_STR_CONTAINS(b.data, "\"strings\":[\"\"");
	ASSERT_EQ(b.data[b.len - 2], '}');
	(void)n;
	free(nodes);
	free(edges);
	objref_buf_dispose(&b);
	objref_snapshot_free(s);
	return TEST_OK;
}

/* Names from the heap are data: quotes, backslashes, controls and broken
 * UTF-8 come out as valid JSON. */
int test_dump_heapsnapshot_escaping(void)
{
	objref_builder *bl = NULL;
	objref_snapshot *s = NULL;
	objref_buf b = { 0 };
	objref_type_id t;
	objref_id id;
	objref_object o = { .addr = 0x1000, .size = 8 };
	objref_str key;

	ASSERT_EQ(objref_builder_new(&bl), 0);
	ASSERT_EQ(objref_builder_type(&t, bl, 0x10, "m\"q", "we\\ird\n\x01\xc3(", NULL), 0);
	o.type = t;
	ASSERT_EQ(objref_builder_object(&id, bl, &o), 0);
	ASSERT_EQ(objref_builder_string(&key, bl, "'a\"b'", 5), 0);
	ASSERT_EQ(objref_builder_edge(bl, 0, 0, OBJREF_LABEL(OBJREF_LABEL_KEY, key)), 0);
	ASSERT_EQ(objref_builder_finish(&s, bl), 0);
	ASSERT_EQ(objref_heapsnapshot_write(s, to_buf, &b), 0);
	ASSERT_STR_CONTAINS(b.data, "\"m\\\"q.we\\\\ird\\u000a\\u0001\\ufffd(\"");
	ASSERT_STR_CONTAINS(b.data, "\"['a\\\"b']\"");
	objref_buf_dispose(&b);
	objref_snapshot_free(s);
	return TEST_OK;
}

static int fail_after(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	return --*(int *)arg <= 0 ? OBJREF_EIO : 0;
}

int test_dump_heapsnapshot_errors(void)
{
	objref_snapshot *s = NULL;
	objref_buf b = { 0 }, again = { 0 };
	unsigned long made;
	int calls = 1;

	ASSERT_EQ(dfx_heap(&s), 0);
	ASSERT_EQ(objref_heapsnapshot_write(s, fail_after, &calls), OBJREF_EIO);
	objref_alloc_fail_nth(0);
	ASSERT_EQ(objref_heapsnapshot_write(s, to_buf, &b), 0);
	made = objref_alloc_fail_nth(0);
	ASSERT_GT(made, 0);
	for (unsigned long n = 1; n <= made; n++) {
		objref_buf_dispose(&again);
		objref_alloc_fail_nth(n);
		ASSERT_EQ(objref_heapsnapshot_write(s, to_buf, &again), OBJREF_ENOMEM);
	}
	objref_alloc_fail_nth(0);
	objref_buf_dispose(&again);
	ASSERT_EQ(objref_heapsnapshot_write_file(s, "/nonexistent-dir/x.heapsnapshot"), OBJREF_EIO);
	ASSERT_STR_CONTAINS(objref_error_last(), "/nonexistent-dir/x.heapsnapshot.tmp: cannot create");
	objref_buf_dispose(&b);
	objref_snapshot_free(s);
	return TEST_OK;
}

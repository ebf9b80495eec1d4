/*
 * tests/c/paths-fixtures.c — the heap builder and chain checks of the
 * paths tests (see paths-fixtures.h).
 */
#include "paths-fixtures.h"

/* ---- a small heap builder: errors are collected, checked at finish ---- */


int ph_heap_new(heap *h)
{
	memset(h, 0, sizeof(*h));
	h->next_addr = 0x10000;
	ASSERT_OK(objref_builder_new(&h->b));
	CHECK(fx_type(&h->t_module, h->b, 0x100, "builtins", "module", NULL));
	CHECK(fx_type(&h->t_dict, h->b, 0x200, "builtins", "dict", NULL));
	CHECK(fx_type(&h->t_list, h->b, 0x300, "builtins", "list", NULL));
	CHECK(fx_type(&h->t_tuple, h->b, 0x400, "builtins", "tuple", NULL));
	CHECK(fx_type(&h->t_session, h->b, 0x500, "app", "Session", NULL));
	CHECK(fx_type(&h->t_frame, h->b, 0x600, "builtins", "frame", NULL));
	CHECK(fx_type(&h->t_int, h->b, 0x700, "builtins", "int", NULL));
	return TEST_OK;
}

objref_str ph_intern(heap *h, const char *s)
{
	objref_str id = 0;

	if (objref_builder_string(&id, h->b, s, strlen(s)) != 0)
		h->failed = 1;
	return id;
}

objref_id ph_add(heap *h, objref_type_id type, uint32_t flags, const char *desc)
{
	objref_object o;
	objref_id id = 0;

	memset(&o, 0, sizeof(o));
	o.addr = h->next_addr;
	h->next_addr += 0x40;
	o.type = type;
	o.size = 64;
	o.refcnt = 1;
	o.flags = flags | OBJREF_F_TRACKED;
	o.desc = desc ? ph_intern(h, desc) : 0;
	if (objref_builder_object(&id, h->b, &o) != 0)
		h->failed = 1;
	return id;
}

void ph_ref(heap *h, objref_id src, objref_id dst, objref_label label)
{
	if (objref_builder_edge(h->b, src, dst, label) != 0)
		h->failed = 1;
}

objref_label ph_key(heap *h, const char *k)
{
	return OBJREF_LABEL(OBJREF_LABEL_KEY, ph_intern(h, k));
}

objref_label ph_attr(heap *h, const char *name)
{
	return OBJREF_LABEL(OBJREF_LABEL_ATTR, ph_intern(h, name));
}

void ph_root(heap *h, objref_root_kind kind, objref_id id, const char *name)
{
	objref_root r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.object = id;
	r.name = ph_intern(h, name);
	if (objref_builder_root(h->b, &r) != 0)
		h->failed = 1;
}

int ph_heap_finish(objref_snapshot **out, heap *h)
{
	ASSERT_EQ(h->failed, 0);
	ASSERT_OK(objref_builder_finish(out, h->b));
	h->b = NULL;
	ASSERT_OK(objref_snapshot_validate(*out));
	return TEST_OK;
}

/*
 * The base heap.  Two ways reach the sample tuple T (id 0):
 *
 *   short (4): module app -> its __dict__ ['CACHE'] -> dict ['k'] -> list [3] -> T
 *   long (6):  module other -> its __dict__ ['REG'] -> list [0] -> Session
 *              __dict__ -> dict ['items'] -> list [1] -> T
 *
 * The long way's objects have the lower ids, so taking referrers in id
 * order depth-first would find it first.  Cycles: T -> list(1), CACHE ->
 * app's __dict__, list(7) -> itself.  Garbage: lists 11 <-> 12 -> tuple
 * 13 -> module app (a reference out of garbage changes nothing).
 */

int ph_base_heap(objref_snapshot **out)
{
	heap h;
	objref_id id;

	CHECK(ph_heap_new(&h));
	static const struct { int type; uint32_t flags; const char *desc; } objs[B_COUNT] = {
		{6, 0, "len 2"}, {2, 0, NULL}, {4, 0, NULL}, {1, 0, NULL}, {2, 0, NULL},
		{1, 0, NULL}, {0, OBJREF_F_MODULE, "other"}, {2, 0, NULL}, {1, 0, NULL},
		{1, 0, NULL}, {0, OBJREF_F_MODULE, "app"}, {2, 0, NULL}, {2, 0, NULL}, {3, 0, NULL},
	};
	for (int i = 0; i < B_COUNT; i++) {
		objref_type_id t = objs[i].type == 0 ? h.t_module : objs[i].type == 1 ? h.t_dict
			: objs[i].type == 2 ? h.t_list : objs[i].type == 4 ? h.t_session : h.t_tuple;
		id = ph_add(&h, t, objs[i].flags, objs[i].desc);
		ASSERT_EQ(id, i);
	}
	ph_ref(&h, B_T, B_L2, IDX(0));        /* cycle back */
	ph_ref(&h, B_L2, B_T, IDX(1));
	ph_ref(&h, B_SESSION, B_SDICT, DICT);
	ph_ref(&h, B_SDICT, B_L2, ph_key(&h, "'items'"));
	ph_ref(&h, B_L1, B_SESSION, IDX(0));
	ph_ref(&h, B_ODICT, B_L1, ph_key(&h, "'REG'"));
	ph_ref(&h, B_OTHER, B_ODICT, DICT);
	ph_ref(&h, B_L, B_L, IDX(0));         /* itself */
	ph_ref(&h, B_L, B_T, IDX(3));
	ph_ref(&h, B_CACHE, B_L, ph_key(&h, "'k'"));
	ph_ref(&h, B_CACHE, B_ADICT, ph_key(&h, "'up'"));
	ph_ref(&h, B_ADICT, B_CACHE, ph_key(&h, "'CACHE'"));
	ph_ref(&h, B_APP, B_ADICT, DICT);
	ph_ref(&h, B_G1, B_G2, IDX(0));
	ph_ref(&h, B_G2, B_G1, IDX(0));
	ph_ref(&h, B_G2, B_GT, IDX(1));
	ph_ref(&h, B_GT, B_APP, IDX(0));
	return ph_heap_finish(out, &h);
}

/* ---- chain checks ---- */

/* Every step of c is a reference of snap with that label; n >= 1. */
int ph_chain_real(const objref_snapshot *snap, const objref_chain *c)
{
	ASSERT_GE(c->n, 1);
	for (size_t i = 0; i + 1 < c->n; i++) {
		const objref_id *t;
		const objref_label *l;
		size_t n, j;

		ASSERT_OK(objref_snapshot_edges(&t, &l, &n, snap, c->ids[i]));
		for (j = 0; j < n; j++)
			if (t[j] == c->ids[i + 1] && l[j] == c->labels[i])
				break;
		if (j == n)
			fprintf(stderr, "step %zu: no reference %u -> %u labelled 0x%x\n", i,
				c->ids[i], c->ids[i + 1], c->labels[i]);
		ASSERT_LT(j, n);
	}
	return TEST_OK;
}

int ph_chain_is(const objref_chain *c, const objref_id *ids, size_t n)
{
	if (c->n != n)
		fprintf(stderr, "chain of %zu objects, expected %zu\n", c->n, n);
	ASSERT_EQ(c->n, n);
	for (size_t i = 0; i < n; i++) {
		if (c->ids[i] != ids[i])
			fprintf(stderr, "chain object %zu\n", i);
		ASSERT_EQ(c->ids[i], ids[i]);
	}
	return TEST_OK;
}

/* The text of a chain (a static buffer, for asserts). */
const char *ph_chain_text(const objref_snapshot *snap, const objref_chain *c, unsigned flags)
{
	static char text[4096];
	objref_buf b = {0};
	int rc = objref_chain_format(&b, snap, c, flags);

	snprintf(text, sizeof(text), "%s", rc ? "<objref_chain_format failed>" : b.data ? b.data : "");
	objref_buf_dispose(&b);
	return text;
}

double ph_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int ph_is_tuple(const objref_snapshot *snap, objref_id id, void *arg)
{
	(void)arg;
	return strcmp(objref_snapshot_string(snap, objref_snapshot_type(snap,
		objref_snapshot_object(snap, id)->type)->name), "tuple") == 0;
}

/* The id of string s in snap, or 0 ("") when absent. */
objref_str ph_str_find(const objref_snapshot *snap, const char *s)
{
	objref_snapshot_stats st;

	objref_snapshot_stats_get(&st, snap);
	for (size_t i = 1; i < st.nstrings; i++)
		if (!strcmp(objref_snapshot_string(snap, (objref_str)i), s))
			return (objref_str)i;
	return 0;
}

objref_label ph_key_find(const objref_snapshot *snap, const char *k)
{
	return OBJREF_LABEL(OBJREF_LABEL_KEY, ph_str_find(snap, k));
}

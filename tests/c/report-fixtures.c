/*
 * tests/c/report-fixtures.c — the report tests' heaps and fault loop
 * (report-fixtures.h).
 */
#include <string.h>
#include "report-fixtures.h"

static int intern(objref_str *out, objref_builder *b, const char *s)
{
	*out = 0;
	return s ? objref_builder_string(out, b, s, strlen(s)) : 0;
}

static int add_types(objref_builder *b, const rf_heap *h)
{
	objref_type_id t;
	int rc;

	for (size_t i = 0; i < h->ntypes; i++) {
		const rf_type *ty = &h->types[i];
		if ((rc = objref_builder_type(&t, b, h->type_addr + i, ty->module, ty->name, ty->name)) < 0)
			return rc;
		objref_builder_type_at(b, t)->flags = ty->flags == RF_FACTS ?
			fx_type_facts(ty->module, ty->name) : ty->flags;
	}
	return 0;
}

static int add_objects(objref_builder *b, const rf_heap *h)
{
	objref_object o;
	objref_id id;
	int rc;

	for (size_t i = 0; i < h->nobjects; i++) {
		memset(&o, 0, sizeof(o));
		o.addr = h->base_addr + h->stride * i;
		o.type = h->objects[i].type;
		o.size = h->objects[i].size;
		o.refcnt = 1;
		o.flags = h->objects[i].flags;
		if ((rc = intern(&o.desc, b, h->objects[i].desc)) < 0 ||
		    (rc = objref_builder_object(&id, b, &o)) < 0)
			return rc;
	}
	return 0;
}

static int add_edges(objref_builder *b, const rf_heap *h)
{
	int rc;

	for (size_t i = 0; i < h->nedges; i++) {
		const rf_edge *e = &h->edges[i];
		objref_str s = 0;
		uint32_t v = e->num;
		if (e->str) {
			if ((rc = intern(&s, b, e->str)) < 0)
				return rc;
			v = s;
		}
		if ((rc = objref_builder_edge(b, e->from, e->to, OBJREF_LABEL(e->kind, v))) < 0)
			return rc;
	}
	return 0;
}

static int add_roots(objref_builder *b, const rf_heap *h)
{
	objref_root r;
	int rc;

	for (size_t i = 0; i < h->nroots; i++) {
		const rf_root *x = &h->roots[i];
		memset(&r, 0, sizeof(r));
		r.kind = x->kind;
		r.object = x->object;
		r.extra = x->extra;
		r.thread = x->thread;
		r.line = x->line;
		if ((rc = intern(&r.name, b, x->name)) < 0 || (rc = intern(&r.function, b, x->function)) < 0 ||
		    (rc = intern(&r.file, b, x->file)) < 0 || (rc = objref_builder_root(b, &r)) < 0)
			return rc;
	}
	return 0;
}

int rf_heap_build(objref_snapshot **out, const rf_heap *h)
{
	objref_builder *b = NULL;
	int rc;

	*out = NULL;
	if ((rc = objref_builder_new(&b)) < 0)
		return rc;
	if ((rc = add_types(b, h)) < 0 || (rc = add_objects(b, h)) < 0 || (rc = add_edges(b, h)) < 0 ||
	    (rc = add_roots(b, h)) < 0) {
		objref_builder_free(b);
		return rc;
	}
	if (h->gc)
		objref_builder_gc_state(b, h->gc);
	return objref_builder_finish(out, b);
}

int rf_fault_each(int (*path)(objref_buf *out, void *arg), void *arg, unsigned long min_allocs)
{
	objref_buf ref = OBJREF_BUF_INIT;
	unsigned long total, failed = 0;
	int rc;

	objref_alloc_fail_nth(0);
	rc = path(&ref, arg);
	total = objref_alloc_fail_nth(0);
	ASSERT_OK(rc);
	ASSERT_GT(total, min_allocs);
	for (unsigned long k = 1; k <= total; k++) {
		objref_buf text = OBJREF_BUF_INIT;
		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = path(&text, arg);
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

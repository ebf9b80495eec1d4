/*
 * lib/report_cycles.c — the garbage-cycles report (objref/cycles_report.h):
 * each shape worded once, the text, the JSON and the picture's DOT.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "objref/cycles_report.h"
#include "objref/render.h"
#include "objref/view.h"
#include "internal.h"

const char *objref_garbage_class_name(objref_garbage_class cls)
{
	static const char *const names[] = { "alive", "collectable", "frozen", "untraversable",
		"gc.garbage" };
	return (unsigned)cls < 5 ? names[cls] : "alive";
}

static char *dup(const char *s)
{
	return objref__strndup(s, strlen(s));
}

/* A filled buffer as an owned string ("" when empty); NULL when it failed. */
static char *take(objref_buf *b, int err)
{
	char *s;

	if (err < 0 || objref_buf_failed(b)) {
		objref_buf_dispose(b);
		return NULL;
	}
	s = b->data ? b->data : dup("");
	b->data = NULL;
	objref_buf_dispose(b);
	return s;
}

/* The allocation site of a member of shape i (the example's first eight,
 * then one of each of the first four instances) into site; its length. */
static size_t find_site(char *site, size_t size, const objref_cycles *cyc, size_t i,
	const objref_report_live *live)
{
	const objref_cycle_shape *sh = objref_cycles_shape(cyc, i);
	objref_id ids[4];
	size_t n, len = 0;

	if (!live->alloc_site)
		return 0;
	n = objref_cycles_instances(ids, 4, cyc, i);
	for (size_t j = 0; j < sh->nsteps && j < 8 && !len; j++)
		len = live->alloc_site(live->arg, sh->example[j], site, size);
	for (size_t k = 0; k < n && !len; k++)
		len = live->alloc_site(live->arg, ids[k], site, size);
	return len;
}

static int fill_steps(objref_report_cycle_shape *out, const objref_snapshot *snap,
	const objref_cycle_shape *sh)
{
	size_t n = sh->nsteps < OBJREF_CYCLES_REPORT_STEPS ? sh->nsteps : OBJREF_CYCLES_REPORT_STEPS;
	char label[256];

	if (!(out->steps = objref__calloc(OBJREF__MAX(n, 1), sizeof(*out->steps))))
		return OBJREF_ENOMEM;
	out->nsteps = n;
	for (size_t j = 0; j < n; j++) {
		const objref_type *t = objref_snapshot_type(snap, sh->steps[j].type);
		objref_label_format(label, sizeof(label), snap, sh->steps[j].label);
		if (!(out->steps[j].type = dup(objref_snapshot_string(snap, t->name))) ||
		    !(out->steps[j].label = dup(label)))
			return OBJREF_ENOMEM;
	}
	return 0;
}

static int fill_shape(objref_report_cycle_shape *out, const objref_snapshot *snap,
	const objref_cycles *cyc, size_t i, const objref_report_live *live)
{
	const objref_cycle_shape *sh = objref_cycles_shape(cyc, i);
	const objref_gc_state *gc = objref_snapshot_gc(snap);
	objref_buf text = { 0 }, example = { 0 }, fix = { 0 };
	char reason[512], site[512];

	out->index = i;
	out->count = sh->count;
	out->objects = sh->objects;
	out->bytes = sh->bytes;
	out->retained_objects = sh->retained_objects;
	out->retained_bytes = sh->retained_bytes;
	out->length = sh->nsteps;
	out->cls = sh->cls;
	out->gc_disabled = gc->known && !gc->enabled;
	objref_cycles_reason(reason, sizeof(reason), cyc, i);
	if (!(out->shape = take(&text, objref_cycles_format_shape(&text, cyc, i, 0))) ||
	    !(out->example = take(&example, objref_cycles_format_shape(&example, cyc, i, 1))) ||
	    !(out->reason = dup(reason)) || !(out->fix = take(&fix, objref_cycles_format_fix(&fix, cyc, i))))
		return objref__error(OBJREF_ENOMEM, "out of memory wording a cycle");
	if (!out->fix[0]) {
		objref__free(out->fix);
		out->fix = NULL;
	}
	if (find_site(site, sizeof(site), cyc, i, live) && !(out->alloc_site = dup(site)))
		return OBJREF_ENOMEM;
	return fill_steps(out, snap, sh);
}

typedef struct {
	const objref_cycles *cyc;
	const objref_report_live *live;
} site_arg;

/* objref_cycles_format's extra: the allocation site line. */
static int extra_site(objref_buf *b, size_t i, void *arg)
{
	const site_arg *a = arg;
	char site[512];

	if (!find_site(site, sizeof(site), a->cyc, i, a->live))
		return 0;
	return objref_buf_printf(b, "  allocated at %s (tracemalloc)\n", site) < 0 ? OBJREF_ENOMEM : 0;
}

/* The DOT of the first shapes (at most limit and OBJREF_CYCLES_REPORT_DRAWN). */
static int cycles_dot(objref_buf *dot, size_t *drawn, const objref_snapshot *snap,
	const objref_cycles *cyc, size_t limit)
{
	objref_dot_options o = OBJREF_DOT_OPTIONS_INIT;
	objref_view *v = NULL;
	size_t n = objref_cycles_nshapes(cyc);
	int err;

	o.title = "objref: garbage cycles (found without a collection)";
	*drawn = 0;
	n = n < limit ? n : limit;
	n = n < OBJREF_CYCLES_REPORT_DRAWN ? n : OBJREF_CYCLES_REPORT_DRAWN;
	if ((err = objref_view_new(&v, snap, 0)) < 0)
		return err;
	for (size_t i = 0; i < n && !err; i++)
		if ((err = objref_cycles_view(v, cyc, i)) == 0)
			(*drawn)++;
	if (err == OBJREF_ENOTFOUND)
		err = 0;  /* the view is full: what fitted is drawn */
	if (!err)
		err = objref_view_dot(dot, v, &o);
	objref_view_free(v);
	return err;
}

int objref_cycles_report_build(objref_cycles_report **out, const objref_snapshot *snap,
	const objref_cycles *cyc, const objref_cycles_report_options *o)
{
	size_t n = objref_cycles_nshapes(cyc), limit = o->limit;
	site_arg sa = { cyc, &o->live };
	objref_cycles_report *r;
	objref_buf text = { 0 };
	int err = OBJREF_ENOMEM;

	*out = NULL;
	if (!(r = objref__calloc(1, sizeof(*r))))
		return OBJREF_ENOMEM;
	objref_cycles_summary_get(&r->summary, cyc);
	r->gc = *objref_snapshot_gc(snap);
	n = n < limit ? n : limit;
	if (!(r->shapes = objref__calloc(OBJREF__MAX(n, 1), sizeof(*r->shapes))))
		goto fail;
	for (; r->nshapes < n; r->nshapes++)
		if ((err = fill_shape(&r->shapes[r->nshapes], snap, cyc, r->nshapes, &o->live)) < 0) {
			r->nshapes++; /* so that free releases its parts */
			goto fail;
		}
	err = objref_cycles_format(&text, cyc, limit == SIZE_MAX ? 0 : limit, extra_site, &sa);
	if (!(r->text = take(&text, err))) {
		err = err < 0 ? err : OBJREF_ENOMEM;
		goto fail;
	}
	if (o->picture) {
		objref_buf dot = { 0 };
		err = cycles_dot(&dot, &r->drawn, snap, cyc, o->picture_limit);
		if (!(r->dot = take(&dot, err))) {
			err = err < 0 ? err : OBJREF_ENOMEM;
			goto fail;
		}
	}
	*out = r;
	return 0;
fail:
	objref_cycles_report_free(r);
	return err < 0 ? err : OBJREF_ENOMEM;
}

void objref_cycles_report_free(objref_cycles_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nshapes; i++) {
		objref_report_cycle_shape *s = &r->shapes[i];
		objref__free(s->shape);
		objref__free(s->example);
		objref__free(s->reason);
		objref__free(s->fix);
		objref__free(s->alloc_site);
		for (size_t j = 0; s->steps && j < s->nsteps; j++) {
			objref__free(s->steps[j].type);
			objref__free(s->steps[j].label);
		}
		objref__free(s->steps);
	}
	objref__free(r->shapes);
	objref__free(r->text);
	objref__free(r->dot);
	objref__free(r);
}

int objref_cycles_report_text(objref_buf *b, const objref_cycles_report *r)
{
	objref_buf_printf(b, "garbage cycles (found without a collection):\n%s", r->text);
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/* ---- JSON ----------------------------------------------------------------------- */

static void key_uint(objref_json *w, const char *key, uint64_t v)
{
	objref_json_key(w, key);
	objref_json_uint(w, v);
}

static void key_str(objref_json *w, const char *key, const char *v)
{
	objref_json_key(w, key);
	objref_json_str(w, v);
}

static void key_bool(objref_json *w, const char *key, int v)
{
	objref_json_key(w, key);
	objref_json_bool(w, v);
}

static void summary_json(objref_json *w, const objref_cycles_report *r)
{
	const objref_cycles_summary *s = &r->summary;

	objref_json_object(w);
	key_uint(w, "garbage_objects", s->garbage_objects);
	key_uint(w, "garbage_bytes", s->garbage_bytes);
	key_uint(w, "collectable_objects", s->by_class[OBJREF_GARBAGE_COLLECTABLE]);
	key_uint(w, "frozen_objects", s->by_class[OBJREF_GARBAGE_FROZEN]);
	key_uint(w, "untraversable_objects", s->by_class[OBJREF_GARBAGE_UNTRAVERSABLE]);
	key_uint(w, "gc_garbage_objects", s->by_class[OBJREF_GARBAGE_GC_GARBAGE]);
	key_uint(w, "cyclic_objects", s->cyclic_objects);
	key_uint(w, "cycles", s->components);
	key_uint(w, "shapes", s->nshapes);
	objref_json_key(w, "gc_enabled");
	if (r->gc.known)
		objref_json_bool(w, r->gc.enabled);
	else
		objref_json_null(w);
	key_uint(w, "gc_debug", r->gc.debug);
	key_uint(w, "freeze_count", r->gc.freeze_count);
	key_bool(w, "frozen_listed", r->gc.frozen_listed);
	objref_json_end(w);
}

static void shape_json(objref_json *w, const objref_report_cycle_shape *s)
{
	objref_json_object(w);
	key_str(w, "shape", s->shape);
	key_str(w, "example", s->example);
	key_uint(w, "count", s->count);
	key_uint(w, "objects", s->objects);
	key_uint(w, "bytes", s->bytes);
	key_uint(w, "retained_objects", s->retained_objects);
	key_uint(w, "retained_bytes", s->retained_bytes);
	key_uint(w, "length", s->length);
	key_str(w, "kind", objref_garbage_class_name(s->cls));
	key_bool(w, "collectable", s->cls == OBJREF_GARBAGE_COLLECTABLE);
	key_bool(w, "gc_disabled", s->gc_disabled);
	key_str(w, "reason", s->reason);
	objref_json_key(w, "steps");
	objref_json_array(w);
	for (size_t j = 0; j < s->nsteps; j++) {
		objref_json_array(w);
		objref_json_str(w, s->steps[j].type);
		objref_json_str(w, s->steps[j].label);
		objref_json_end(w);
	}
	objref_json_end(w);
	key_str(w, "fix", s->fix);
	key_str(w, "alloc_site", s->alloc_site);
	objref_json_end(w);
}

int objref_cycles_report_json(objref_json *w, const objref_cycles_report *r)
{
	objref_json_object(w);
	objref_json_key(w, "summary");
	summary_json(w, r);
	objref_json_key(w, "shapes");
	objref_json_array(w);
	for (size_t i = 0; i < r->nshapes; i++)
		shape_json(w, &r->shapes[i]);
	objref_json_end(w);
	objref_json_end(w);
	return objref_buf_failed(w->out) ? OBJREF_ENOMEM : w->failed;
}

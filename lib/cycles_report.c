/*
 * lib/cycles_report.c — the text of garbage cycles: reasons, the cycle of a
 * shape ("Request .response -> Response .request -> Request"), fix hints
 * and the whole report.
 *
 * An instance's attribute held in its __dict__ is two steps in the graph
 * ("Node __dict__ -> dict ['parent']"); the text shows one ("Node .parent").
 */
#include <stdio.h>
#include <string.h>
#include "cycles_internal.h"
#include "labels_internal.h"

#define SHOW_STEPS 12   /* longer cycles show their first steps and "..." */

static const char *type_name(const objref_snapshot *s, objref_type_id t)
{
	return objref_snapshot_string(s, s->types[t].name);
}

/* Does step i ("X __dict__") fold into step i+1 (a dict's "['k']")? */
static int folds(const objref_snapshot *s, const objref_cycle_step *st, size_t n, size_t i)
{
	const objref_cycle_step *next = &st[(i + 1) % n];

	return n > 1 && objref__is_attr_pair(s, st[i].label, next->type, next->label);
}

/* A label as text; a dict key 'name' after a fold as ".name". */
static int put_label(objref_buf *b, const objref_snapshot *s, objref_label l, int as_attr)
{
	char text[256];
	const char *k = objref_snapshot_string(s, OBJREF_LABEL_PAYLOAD(l));
	size_t n = strlen(k);

	if (as_attr && objref__key_is_str(k))
		return objref_buf_printf(b, " .%.*s", (int)(n - 2), k + 1);
	objref_label_format(text, sizeof(text), s, l);
	return text[0] ? objref_buf_printf(b, " %s", text) : 0;
}

/* The step to start the text at: the program's own type with the least
 * name (not a builtin's), else the first step not the dict of a folded
 * pair.  Deterministic: it depends on the shape only. */
static size_t text_start(const objref_snapshot *s, const objref_cycle_step *st, size_t n)
{
	size_t best = n;

	for (size_t i = 0; i < n && i < 4096; i++) {
		const objref_type *t = &s->types[st[i].type];
		if (t->flags & OBJREF_T_BUILTIN)
			continue;
		if (best == n || strcmp(type_name(s, st[i].type), type_name(s, st[best].type)) < 0)
			best = i;
	}
	if (best < n)
		return best;
	for (size_t i = 0; i < n; i++)
		if (!folds(s, st, n, (i + n - 1) % n))
			return i;
	return 0;
}

static int put_cycle(objref_buf *b, const objref_cycles *c, const objref_cycle_shape *sh, int example)
{
	const objref_snapshot *s = c->snap;
	const objref_cycle_step *st = sh->steps;
	size_t n = sh->nsteps, at = text_start(s, st, n), shown = 0;

	for (size_t j = 0; j < n; j++) {
		size_t i = (at + j) % n;
		int fold = folds(s, st, n, i);
		if (shown == SHOW_STEPS && n - j > 2) {
			objref_buf_printf(b, "... (%zu steps in all) -> ", n);
			j = n - 2;  /* then the last step */
			continue;
		}
		objref_buf_printf(b, "%s", type_name(s, st[i].type));
		if (example)
			objref_buf_printf(b, " at 0x%llx", (unsigned long long)s->objects[sh->example[i]].addr);
		if (fold) {
			i = (i + 1) % n;
			j++;
		}
		put_label(b, s, example ? sh->example_labels[i] : st[i].label, fold);
		objref_buf_printf(b, " -> ");
		shown++;
	}
	objref_buf_printf(b, "%s", type_name(s, st[at].type));
	if (example)
		objref_buf_printf(b, " at 0x%llx", (unsigned long long)s->objects[sh->example[at]].addr);
	return objref_buf_failed(b) ? objref__error(OBJREF_ENOMEM, "out of memory formatting a cycle") : 0;
}

int objref_cycles_format_shape(objref_buf *b, const objref_cycles *c, size_t i, int example)
{
	if (i >= c->nshapes)
		return objref__error(OBJREF_EINVAL, "no shape %zu (%zu shapes)", i, c->nshapes);
	return put_cycle(b, c, &c->shapes[i].pub, example);
}

int objref_cycles_format_fix(objref_buf *b, const objref_cycles *c, size_t i)
{
	const objref_snapshot *s;
	const objref_cycle_shape *sh;
	size_t f, prev;

	if (i >= c->nshapes)
		return objref__error(OBJREF_EINVAL, "no shape %zu (%zu shapes)", i, c->nshapes);
	s = c->snap;
	sh = &c->shapes[i].pub;
	if (sh->fix < 0)
		return 0;
	f = (size_t)sh->fix;
	prev = (f + sh->nsteps - 1) % sh->nsteps;
	/* an untraversable object cannot be weakly referred to (nor hold a
	 * weak reference): the cycle is broken by hand */
	objref_buf_printf(b, sh->cls == OBJREF_GARBAGE_UNTRAVERSABLE ? "clear " : "make ");
	if (folds(s, sh->steps, sh->nsteps, prev)) {
		objref_buf_printf(b, "%s", type_name(s, sh->steps[prev].type));
		put_label(b, s, sh->steps[f].label, 1);
	} else {
		objref_buf_printf(b, "%s", type_name(s, sh->steps[f].type));
		put_label(b, s, sh->steps[f].label, 0);
	}
	if (sh->cls == OBJREF_GARBAGE_UNTRAVERSABLE)
		objref_buf_printf(b, " (to %s) when done, or let the %s not own its reference: no "
			"collection can break this cycle", type_name(s, sh->steps[(f + 1) % sh->nsteps].type),
			sh->culprit != OBJREF_NO_ID ? type_name(s, s->objects[sh->culprit].type) : "holder");
	else
		objref_buf_printf(b, " (to %s) a weak reference: that breaks every instance",
			type_name(s, sh->steps[(f + 1) % sh->nsteps].type));
	return objref_buf_failed(b) ? objref__error(OBJREF_ENOMEM, "out of memory formatting a cycle") : 0;
}

size_t objref_cycles_reason(char *buf, size_t size, const objref_cycles *c, size_t i)
{
	const objref_snapshot *s = c->snap;
	const objref_cycle_shape *sh;
	const objref_object *o;
	int n;

	if (i >= c->nshapes)
		return 0;
	sh = &c->shapes[i].pub;
	o = sh->culprit != OBJREF_NO_ID ? &s->objects[sh->culprit] : NULL;
	switch (sh->cls) {
	case OBJREF_GARBAGE_FROZEN:
		n = snprintf(buf, size, "frozen by gc.freeze(): no collection looks at it until gc.unfreeze()");
		break;
	case OBJREF_GARBAGE_UNTRAVERSABLE:
		n = o ? snprintf(buf, size, "uncollectable: passes through an object the collector cannot "
				"traverse (%s at 0x%llx)", type_name(s, o->type), (unsigned long long)o->addr)
		      : snprintf(buf, size, "uncollectable: passes through an object the collector cannot traverse");
		break;
	case OBJREF_GARBAGE_GC_GARBAGE:
		if (o)
			n = snprintf(buf, size, "uncollectable: legacy finalizer (type %s has tp_del)",
				type_name(s, o->type));
		else if (s->gc.debug & OBJREF_GC_DEBUG_SAVEALL)
			n = snprintf(buf, size, "uncollectable: in gc.garbage (gc.DEBUG_SAVEALL is on)");
		else
			n = snprintf(buf, size, "uncollectable: in gc.garbage");
		break;
	default:
		n = s->gc.known && !s->gc.enabled
			? snprintf(buf, size, "collectable, but gc is disabled")
			: snprintf(buf, size, "collectable: the next collection frees it");
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

static int put_summary(objref_buf *b, const objref_cycles *c)
{
	const objref_cycles_summary *sum = &c->sum;
	const objref_gc_state *gc = &c->snap->gc;

	objref_buf_printf(b, "garbage: ");
	objref_format_count(b, sum->garbage_objects);
	objref_buf_printf(b, " objects (");
	objref_format_bytes(b, (double)sum->garbage_bytes, 0);
	objref_buf_printf(b, ") no root reaches; ");
	objref_format_count(b, sum->cyclic_objects);
	objref_buf_printf(b, " in ");
	objref_format_count(b, sum->components);
	objref_buf_printf(b, " cycles of %zu shape%s\n", sum->nshapes, sum->nshapes == 1 ? "" : "s");
	if (gc->known)
		objref_buf_printf(b, "gc: %s%s", gc->enabled ? "enabled" : "disabled (gc.isenabled() is False)",
			gc->debug & OBJREF_GC_DEBUG_SAVEALL ? ", DEBUG_SAVEALL on" : "");
	if (gc->known && gc->freeze_count)
		objref_buf_printf(b, ", %llu objects frozen by gc.freeze()%s",
			(unsigned long long)gc->freeze_count, gc->frozen_listed ? "" :
			" (the permanent generation could not be listed on this Python: frozen "
			"garbage that nothing else reaches is not seen)");
	if (gc->known)
		objref_buf_printf(b, "\n");
	return 0;
}

int objref_cycles_format(objref_buf *b, const objref_cycles *c, size_t limit,
	objref_cycles_extra_fn extra, void *arg)
{
	char reason[256];
	int err = 0;

	put_summary(b, c);
	for (size_t i = 0; i < c->nshapes && (!limit || i < limit) && !err; i++) {
		const objref_cycle_shape *sh = &c->shapes[i].pub;
		objref_buf_printf(b, "shape %zu: ", i + 1);
		objref_format_count(b, sh->count);
		objref_buf_printf(b, " instance%s, ", sh->count == 1 ? "" : "s");
		objref_format_count(b, sh->objects);
		objref_buf_printf(b, " objects in cycles (");
		objref_format_bytes(b, (double)sh->bytes, 0);
		objref_buf_printf(b, "), ");
		objref_format_bytes(b, (double)sh->retained_bytes, 0);
		objref_buf_printf(b, " retained\n  ");
		put_cycle(b, c, sh, 0);
		objref_cycles_reason(reason, sizeof(reason), c, i);
		objref_buf_printf(b, "\n  %s\n  example: ", reason);
		put_cycle(b, c, sh, 1);
		if (sh->fix >= 0) {
			objref_buf_printf(b, "\n  fix: ");
			objref_cycles_format_fix(b, c, i);
		}
		objref_buf_printf(b, "\n");
		if (extra)
			err = extra(b, i, arg);
	}
	if (limit && c->nshapes > limit)
		objref_buf_printf(b, "%zu more shapes\n", c->nshapes - limit);
	if (err)
		return err;
	return objref_buf_failed(b) ? objref__error(OBJREF_ENOMEM, "out of memory formatting cycles") : 0;
}

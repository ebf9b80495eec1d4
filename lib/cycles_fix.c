/*
 * lib/cycles_fix.c — the fix hint of a shape: one kind of reference (the
 * references of objects of the step's type with the step's label) whose
 * replacement by a weak reference leaves every sampled instance acyclic.
 *
 * Candidates are the shape's steps with a label a program can make weak (an
 * attribute, a dict value, a sequence item, a closure cell); each is tried
 * on up to OBJREF__CYC_SAMPLES instances: Kahn's algorithm on the instance's
 * component without that kind of reference must remove every member.  Of
 * the candidates that break every sample, one named like a back-pointer
 * (parent, owner, prev ...) is preferred (chosen again when an inline
 * attribute gets its name), then one from a younger object to an older.
 */
#include <ctype.h>
#include <string.h>
#include "cycles_internal.h"

#define MAX_CANDIDATES 16  /* objref__shape.valid holds as many */

typedef struct {
	const objref_cycles *c;
	const objref_snapshot *s;
	const uint32_t *cstart, *xstart;
	const objref_id *members, *xto;
	uint32_t *kin;       /* in-degree inside the component, per object */
	objref_id *queue;
} fixer;

static int eligible(objref_label l)
{
	switch (OBJREF_LABEL_KIND(l)) {
	case OBJREF_LABEL_KEY: case OBJREF_LABEL_ATTR: case OBJREF_LABEL_INDEX: case OBJREF_LABEL_CELL:
		return 1;
	case OBJREF_LABEL_SPECIAL:  /* an inline attribute, named later */
		return OBJREF_LABEL_PAYLOAD(l) == OBJREF_SP_ATTR_UNNAMED;
	default:
		return 0;
	}
}

static int backname(const objref_snapshot *s, objref_label l)
{
	static const char *const names[] = {
		"parent", "owner", "prev", "back", "container", "manager", "outer", "master", "self"
	};
	const char *t;
	char low[64];
	size_t n = 0;

	if (OBJREF_LABEL_KIND(l) != OBJREF_LABEL_KEY && OBJREF_LABEL_KIND(l) != OBJREF_LABEL_ATTR)
		return 0;
	for (t = objref_snapshot_string(s, OBJREF_LABEL_PAYLOAD(l)); *t && n < sizeof(low) - 1; t++)
		low[n++] = (char)tolower((unsigned char)*t);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(low, names[i]))
			return 1;
	return 0;
}

/* Is the reference v -[l]-> excluded by the candidate step? */
static int cut(const fixer *f, objref_id v, objref_label l, const objref_cycle_step *cand)
{
	return f->s->objects[v].type == cand->type && objref__cyc_fold(l) == cand->label;
}

/* Does component k stay cyclic without the candidate's references? */
static int still_cyclic(fixer *f, objref_id k, const objref_cycle_step *cand)
{
	const objref_snapshot *s = f->s;
	const objref_id *comp = f->c->comp;
	uint32_t lo = f->cstart[k], hi = f->cstart[k + 1];
	size_t head = 0, tail = 0;

	for (uint32_t j = lo; j < hi; j++) {
		objref_id v = f->members[j];
		for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1]; e++)
			if (comp[s->edge_dst[e]] == k && !cut(f, v, s->edge_label[e], cand))
				f->kin[s->edge_dst[e]]++;
		for (uint32_t x = f->xstart[v]; x < f->xstart[v + 1]; x++)
			if (comp[f->xto[x]] == k)
				f->kin[f->xto[x]]++;
	}
	for (uint32_t j = lo; j < hi; j++)
		if (!f->kin[f->members[j]])
			f->queue[tail++] = f->members[j];
	while (head < tail) {
		objref_id v = f->queue[head++];
		for (uint64_t e = s->edge_start[v]; e < s->edge_start[v + 1]; e++) {
			objref_id w = s->edge_dst[e];
			if (comp[w] == k && !cut(f, v, s->edge_label[e], cand) && --f->kin[w] == 0)
				f->queue[tail++] = w;
		}
		for (uint32_t x = f->xstart[v]; x < f->xstart[v + 1]; x++)
			if (comp[f->xto[x]] == k && --f->kin[f->xto[x]] == 0)
				f->queue[tail++] = f->xto[x];
	}
	for (uint32_t j = lo; j < hi; j++)
		f->kin[f->members[j]] = 0;
	return tail < hi - lo;
}

/*
 * Of the valid steps: one named like a back-pointer first; then one from a
 * younger object to an older one (ids follow the collector's lists, which
 * keep allocation order within a generation: a child made after its
 * parent points back to it); then the first.
 */
void objref__cycles_choose_fix(const objref_cycles *c, objref__shape *sh)
{
	const objref_cycle_step *st = c->steps + sh->off;
	const objref_id *ex = c->ex_ids + sh->off;
	int best = -1, best_score = -1;

	size_t n = sh->pub.nsteps;

	for (size_t k = 0; k < sh->nvalid; k++) {
		size_t j = sh->valid[k], prev = (j + n - 1) % n;
		/* an instance's __dict__ is tracked when it first holds a
		 * container, later than its instance: age the instance */
		objref_id src = n > 1 && st[prev].label == OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)
			? ex[prev] : ex[j];
		int score = 2 * backname(c->snap, st[j].label) + (src > ex[(j + 1) % n]);
		if (score > best_score) {
			best = (int)j;
			best_score = score;
		}
	}
	sh->pub.fix = best;
}

static void fix_shape(fixer *f, objref__shape *sh)
{
	const objref_cycle_step *st = sh->pub.steps;
	int tried = 0;

	sh->nvalid = 0;
	for (size_t j = 0; j < sh->pub.nsteps && tried < MAX_CANDIDATES; j++) {
		int dup = 0, ok = 1;
		if (!eligible(st[j].label))
			continue;
		for (size_t i = 0; i < j && !dup; i++)
			dup = st[i].type == st[j].type && st[i].label == st[j].label;
		if (dup)
			continue;
		tried++;
		for (size_t k = 0; k < sh->nsamples && ok; k++)
			ok = !still_cyclic(f, sh->samples[k], &st[j]);
		if (ok)
			sh->valid[sh->nvalid++] = (uint32_t)j;
	}
	objref__cycles_choose_fix(f->c, sh);
}

int objref__cycles_fix(objref_cycles *c, const uint32_t *cstart, const objref_id *members,
	const uint32_t *xstart, const objref_id *xto)
{
	fixer f = { c, c->snap, cstart, xstart, members, xto, NULL, NULL };
	size_t n = c->snap->nobjects;

	if (!c->nshapes)
		return 0;
	if (!(f.kin = objref__calloc(n + 1, sizeof(uint32_t))) ||
	    !(f.queue = objref__malloc((n + 1) * sizeof(objref_id)))) {
		objref__free(f.kin);
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < c->nshapes; i++)
		fix_shape(&f, &c->shapes[i]);
	objref__free(f.kin);
	objref__free(f.queue);
	return 0;
}

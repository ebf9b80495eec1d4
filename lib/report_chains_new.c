/*
 * lib/report_chains_new.c — age in the chains report
 * (report_chains_internal.h): new objects and survivors, the nearest old
 * holder of every new object, new roots ranked after old ones, and keys
 * folded under a container the samples share.
 */
#include <string.h>
#include "report_chains_internal.h"
#include "labels_internal.h"
#include "internal.h"

static int addr_in(const uint64_t *sorted, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] == a)
			return 1;
		if (sorted[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int objref__ages_init(objref__ages *a, const objref_snapshot *snap,
	const objref_chains_report_options *o)
{
	size_t n = objref_snapshot_nobjects(snap);

	memset(a, 0, sizeof(*a));
	a->snap = snap;
	a->known = o->baseline != NULL;
	if (!(a->age = objref__calloc(OBJREF__MAX(n, 1), 1)))
		return OBJREF_ENOMEM;
	for (objref_id i = 0; a->known && i < n; i++) {
		uint64_t addr = objref_snapshot_object(snap, i)->addr;
		if (addr_in(o->baseline, o->nbaseline, addr))
			continue;
		a->age[i] = o->survivors && addr_in(o->survivors, o->nsurvivors, addr)
			? OBJREF__SURVIVOR : OBJREF__NEW;
	}
	return 0;
}

int objref__ages_holders(objref__ages *a)
{
	size_t n = objref_snapshot_nobjects(a->snap), head = 0, tail = 0;
	objref_id *queue;

	if (a->holder)
		return 0;
	if (!(a->holder = objref__malloc(OBJREF__MAX(n, 1) * sizeof(objref_id))) ||
	    !(queue = objref__malloc(OBJREF__MAX(n, 1) * sizeof(objref_id)))) {
		objref__free(a->holder);
		a->holder = NULL;
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		a->holder[i] = OBJREF_NO_ID;
	/* level 1: the new objects an old one refers to; then on, through new ones */
	for (objref_id i = 0; a->known && i < n; i++) {
		const objref_id *t;
		const objref_label *l;
		size_t m = 0;
		if (a->age[i] != OBJREF__OLD || objref_snapshot_edges(&t, &l, &m, a->snap, i) < 0)
			continue;
		for (size_t k = 0; k < m; k++)
			if (t[k] < n && a->age[t[k]] != OBJREF__OLD && a->holder[t[k]] == OBJREF_NO_ID) {
				a->holder[t[k]] = i;
				queue[tail++] = t[k];
			}
	}
	while (head < tail) {
		objref_id x = queue[head++];
		const objref_id *t;
		const objref_label *l;
		size_t m = 0;
		if (objref_snapshot_edges(&t, &l, &m, a->snap, x) < 0)
			continue;
		for (size_t k = 0; k < m; k++)
			if (t[k] < n && a->age[t[k]] != OBJREF__OLD && a->holder[t[k]] == OBJREF_NO_ID) {
				a->holder[t[k]] = a->holder[x];
				queue[tail++] = t[k];
			}
	}
	objref__free(queue);
	return 0;
}

void objref__ages_dispose(objref__ages *a)
{
	objref__free(a->age);
	objref__free(a->holder);
	memset(a, 0, sizeof(*a));
}

int objref__old_roots_first(const objref_snapshot *snap, objref_id id, void *arg)
{
	const objref__root_arg *r = arg;
	int rank = objref_paths_is_root(r->paths, id);

	(void)snap;
	if (rank > 0 && r->ages->known && r->ages->age[id] != OBJREF__OLD)
		return rank + 5; /* after IMMORTAL (5), the last of the old ranks */
	return rank;
}

/* Step i of c is an attribute name: "X __dict__ -> dict ['name']". */
static int is_attr_step(const objref_snapshot *snap, const objref_chain *c, size_t i)
{
	return i > 0 && objref__is_attr_pair(snap, c->labels[i - 1],
		objref_snapshot_object(snap, c->ids[i])->type, c->labels[i]);
}

static int foldable(const objref_snapshot *snap, const objref_chain *c, size_t i)
{
	objref_label_kind k = OBJREF_LABEL_KIND(c->labels[i]);

	return (k == OBJREF_LABEL_KEY || k == OBJREF_LABEL_INDEX) && !is_attr_step(snap, c, i);
}

void objref__fold_shared_keys(objref_chain *chains, size_t n, const objref_snapshot *snap,
	const objref__ages *ages)
{
	for (size_t a = 0; a < n; a++) {
		objref_chain *x = &chains[a];
		for (size_t i = 0; i + 1 < x->n; i++) {
			if (!foldable(snap, x, i) || !ages->known || ages->age[x->ids[i + 1]] == OBJREF__OLD)
				continue;
			for (size_t b = 0; b < n; b++) {
				objref_chain *y = &chains[b];
				if (b == a)
					continue;
				for (size_t j = 0; j + 1 < y->n; j++) {
					if (y->ids[j] != x->ids[i] || y->ids[j + 1] == x->ids[i + 1] ||
					    !foldable(snap, y, j) || y->labels[j] == x->labels[i] ||
					    ages->age[y->ids[j + 1]] == OBJREF__OLD)
						continue;
					/* the same container, two different keys: both fold */
					x->labels[i] = OBJREF__FOLDED;
					y->labels[j] = OBJREF__FOLDED;
				}
			}
		}
	}
}

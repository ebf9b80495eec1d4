/*
 * lib/labels.c — how labels read (labels_internal.h).
 */
#include <stdlib.h>
#include <string.h>
#include "labels_internal.h"
#include "objref/paths.h"
#include "internal.h"

int objref__key_is_str(const char *key)
{
	size_t len = strlen(key);

	return len >= 2 && key[0] == '\'' && key[len - 1] == '\'';
}

int objref__type_is_dict(const objref_snapshot *snap, objref_type_id t)
{
	const objref_type *tp = objref_snapshot_type(snap, t);

	return tp && (tp->flags & OBJREF_T_DICT);
}

int objref__is_attr_pair(const objref_snapshot *snap, objref_label held, objref_type_id dict_type,
	objref_label key)
{
	return held == OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT) &&
		OBJREF_LABEL_KIND(key) == OBJREF_LABEL_KEY && objref__type_is_dict(snap, dict_type) &&
		objref__key_is_str(objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(key)));
}

/* ---- coverage ---------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_gap(const void *a, const void *b)
{
	const objref_label_gap *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

int objref_label_coverage(size_t *labelled, size_t *total, objref_label_gap **gaps,
	size_t *ngaps, const objref_snapshot *snap)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	size_t n = objref_snapshot_nobjects(snap), bad = 0, all = 0, k = 0;
	uint64_t *pairs = NULL;
	objref_label_gap *g = NULL;

	*gaps = NULL;
	*ngaps = *labelled = *total = 0;
	/* two passes: count, then the (from type, to type) pairs of the gaps */
	for (int pass = 0; pass < 2; pass++) {
		for (objref_id i = 0; i < n; i++) {
			const objref_id *t;
			const objref_label *l;
			size_t m = 0;
			if (objref_snapshot_edges(&t, &l, &m, snap, i) < 0)
				continue;
			for (size_t e = 0; e < m; e++) {
				int none = OBJREF_LABEL_KIND(l[e]) == OBJREF_LABEL_NONE || l[e] == unnamed;
				if (pass == 0) {
					all++;
					bad += none;
				} else if (none) {
					pairs[k++] = (uint64_t)objref_snapshot_object(snap, i)->type << 32 |
						objref_snapshot_object(snap, t[e])->type;
				}
			}
		}
		if (pass == 0 && (!bad || !(pairs = objref__malloc(bad * sizeof(uint64_t)))))
			break;
	}
	*total = all;
	*labelled = all - bad;
	if (!bad)
		return 0;
	if (!pairs)
		return OBJREF_ENOMEM;
	qsort(pairs, k, sizeof(uint64_t), cmp_u64);
	if (!(g = objref__malloc(k * sizeof(*g)))) {
		objref__free(pairs);
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		if (i == 0 || pairs[i] != pairs[i - 1])
			g[(*ngaps)++] = (objref_label_gap){ (objref_type_id)(pairs[i] >> 32),
				(objref_type_id)(pairs[i] & 0xffffffffu), 0 };
		g[*ngaps - 1].count++;
	}
	qsort(g, *ngaps, sizeof(*g), cmp_gap);
	objref__free(pairs);
	*gaps = g;
	return 0;
}

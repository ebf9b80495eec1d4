/*
 * lib/roots.c — the root vocabulary (objref/roots.h): ranks, names, and the
 * best record of an object.
 */
#include <stdlib.h>
#include "objref/roots.h"
#include "internal.h"

int objref_root_rank(objref_root_kind kind)
{
	switch (kind) {
	case OBJREF_ROOT_MODULE:
	case OBJREF_ROOT_FRAME: return 1;
	case OBJREF_ROOT_GC_GARBAGE: return 2;
	case OBJREF_ROOT_FROZEN: return 3;
	case OBJREF_ROOT_HELD_FROM_C: return 4;
	default: return 5; /* IMMORTAL, and kinds this version does not know */
	}
}

const char *objref_root_kind_name(objref_root_kind kind)
{
	switch (kind) {
	case OBJREF_ROOT_MODULE: return "module";
	case OBJREF_ROOT_FRAME: return "frame";
	case OBJREF_ROOT_HELD_FROM_C: return "held_from_c";
	case OBJREF_ROOT_IMMORTAL: return "immortal";
	case OBJREF_ROOT_FROZEN: return "frozen";
	case OBJREF_ROOT_GC_GARBAGE: return "gc_garbage";
	}
	return "root";
}

/* Root records by object, then rank, then position. */
static int cmp_record(const void *a, const void *b, void *arg)
{
	const objref_root *roots = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int ki = objref_root_rank(roots[i].kind), kj = objref_root_rank(roots[j].kind);

	if (roots[i].object != roots[j].object)
		return roots[i].object < roots[j].object ? -1 : 1;
	if (ki != kj)
		return ki - kj;
	return (i > j) - (i < j);
}

int objref_root_index_init(objref_root_index *ix, const objref_snapshot *snap)
{
	size_t n;
	const objref_root *roots = objref_snapshot_roots(snap, &n);

	ix->order = NULL;
	ix->n = 0;
	if (!(ix->order = objref__malloc(OBJREF__MAX(n, 1) * sizeof(uint32_t))))
		return OBJREF_ENOMEM;
	for (size_t r = 0; r < n; r++)
		ix->order[r] = (uint32_t)r;
	qsort_r(ix->order, n, sizeof(uint32_t), cmp_record, (void *)roots);
	ix->n = n;
	return 0;
}

void objref_root_index_dispose(objref_root_index *ix)
{
	objref__free(ix->order);
	ix->order = NULL;
	ix->n = 0;
}

const objref_root *objref_root_of(const objref_root_index *ix, const objref_snapshot *snap,
	objref_id id)
{
	const objref_root *roots = objref_snapshot_roots(snap, &(size_t){0});
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (roots[ix->order[mid]].object < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && roots[ix->order[lo]].object == id ? &roots[ix->order[lo]] : NULL;
}

/*
 * lib/snapshot_internal.h — the layout behind objref_snapshot (invariants in
 * include/objref/snapshot.h).
 */
#ifndef OBJREF_SNAPSHOT_INTERNAL_H
#define OBJREF_SNAPSHOT_INTERNAL_H

#include "objref/snapshot.h"
#include "strtab.h"

struct objref_snapshot {
	objref_object *objects;
	size_t nobjects;
	uint64_t *edge_start;     /* nobjects + 1 offsets into edge_dst/label */
	objref_id *edge_dst;
	objref_label *edge_label;
	size_t nedges;
	objref_type *types;
	size_t ntypes;
	objref__strtab strings;   /* frozen: no index */
	objref_root *roots;
	size_t nroots;
	objref_id *by_addr;       /* lazily built: ids sorted by address */
	objref_gc_state gc;       /* the collector's state at capture */
	/* A snapshot loaded from a dump (dump_read.c) borrows its arrays from
	 * the file's mapping: objref_snapshot_free frees by_addr and the
	 * strings if owned, then calls release (which unmaps and frees the
	 * rest, not snap itself).  NULL for built snapshots. */
	void (*release)(objref_snapshot *snap);
	void *release_arg;
	int strings_borrowed;     /* strings.arena and .off point into the mapping */
};

/*
 * For capture's root pass, before objref_builder_finish: the objects added
 * so far (writable: flags may still change) and the edges, as parallel
 * arrays of sources and targets in the order they were added.  *sorted
 * tells whether the sources are non-decreasing.  The objects stay valid
 * until the next objref_builder_object, the edges until the next
 * objref_builder_edge.
 */
objref_object *objref__builder_objects(objref_builder *b, size_t *n);
void objref__builder_edges(const objref_id **src, const objref_id **dst, size_t *n, int *sorted,
	const objref_builder *b);

#endif

/*
 * lib/snapshot_internal.h — the layout behind objref_snapshot (invariants in
 * include/objref/snapshot.h).
 */
#ifndef OBJREF_SNAPSHOT_INTERNAL_H
#define OBJREF_SNAPSHOT_INTERNAL_H

#include "objref/sys/builder.h"
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
	size_t scans;             /* lookups answered by a scan before by_addr */
	objref_gc_state gc;       /* the collector's state at capture */
	/* A snapshot loaded from a dump (dump_read.c) borrows its arrays from
	 * the file's mapping: objref_snapshot_free frees by_addr and the
	 * strings if owned, then calls release (which unmaps and frees the
	 * rest, not snap itself).  NULL for built snapshots. */
	void (*release)(objref_snapshot *snap);
	void *release_arg;
	int strings_borrowed;     /* strings.arena and .off point into the mapping */
};

#endif

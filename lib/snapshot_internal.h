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
	objref_gc_state gc;       /* the collector's state at capture */
};

#endif

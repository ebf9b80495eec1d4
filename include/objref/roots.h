/*
 * objref/roots.h — the one vocabulary of roots: how much a kind of root is
 * preferred as the start of a chain, its name in words and in JSON, and the
 * best root record of an object.  The paths searcher, the views and the
 * reports all answer "which root holds this object" through this module.
 */
#ifndef OBJREF_ROOTS_H
#define OBJREF_ROOTS_H

#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The rank of a root kind, in the order of preference that
 * include/objref/snapshot.h gives: 1 MODULE and FRAME, 2 GC_GARBAGE,
 * 3 FROZEN, 4 HELD_FROM_C, 5 IMMORTAL and kinds this version does not know.
 * Smaller is better.
 */
OBJREF_EXTERN int objref_root_rank(objref_root_kind kind);

/* The kind as a word of the JSON schema ("module", "frame", "held_from_c",
 * "immortal", "frozen", "gc_garbage"; "root" for an unknown kind).  A
 * static string. */
OBJREF_EXTERN const char *objref_root_kind_name(objref_root_kind kind);

/*
 * An index of a snapshot's root records by object, then rank, then
 * position: a sorted array of record indices.  Zero-initialise; fill with
 * objref_root_index_init, release with objref_root_index_dispose.
 */
typedef struct {
	uint32_t *order; /* nroots record indices */
	size_t n;
} objref_root_index;

/* Build the index of snap's roots into *ix.  Returns 0 or OBJREF_ENOMEM
 * (then *ix is empty).  snap must outlive the lookups. */
OBJREF_EXTERN int objref_root_index_init(objref_root_index *ix, const objref_snapshot *snap);
OBJREF_EXTERN void objref_root_index_dispose(objref_root_index *ix);

/* The most preferred root record of `id` (borrowed from snap), or NULL when
 * it has none (not a root, or a root by its flags only).  O(log roots). */
OBJREF_EXTERN const objref_root *objref_root_of(const objref_root_index *ix,
	const objref_snapshot *snap, objref_id id);

#ifdef __cplusplus
}
#endif

#endif

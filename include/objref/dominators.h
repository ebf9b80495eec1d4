/*
 * objref/dominators.h — who keeps what alive: the dominator tree of a
 * snapshot and the retained size of every object and type.
 *
 * The graph is the snapshot's references below a synthetic root whose
 * children are the objects of the root records.  Object a dominates b when
 * every path from the synthetic root to b passes through a; b's immediate
 * dominator is the closest such a.  Freeing a frees everything a
 * dominates, so its retained size is its own size plus the retained sizes
 * of the objects it immediately dominates (Eclipse MAT's and Chrome
 * DevTools' "retained size").
 *
 * Weak references are not edges of a snapshot (a weakref's tp_traverse does
 * not show its referent), so they never keep anything in the tree.  Objects
 * no root reaches (garbage, see cycles.h) are not in the tree: their
 * retained size is 0 and objref_dominators_reachable says so.
 *
 * Computed once, in O((objects + edges) log objects) time (Lengauer and
 * Tarjan's semidominators with path compression, then Georgiadis' SEMI-NCA
 * step), iteratively: a chain of a million objects needs no deep stack.
 * Memory while building: about 40 bytes per reachable object and 4 per
 * reference; kept afterwards: 12 bytes per object of the snapshot.
 */
#ifndef OBJREF_DOMINATORS_H
#define OBJREF_DOMINATORS_H

#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct objref_dominators objref_dominators;

/* Options of objref_dominators_build. */
typedef struct {
	unsigned version; /* OBJREF_DOMINATORS_OPTIONS_VERSION */
	unsigned flags;   /* none yet: 0 */
} objref_dominators_options;

#define OBJREF_DOMINATORS_OPTIONS_VERSION 1
#define OBJREF_DOMINATORS_OPTIONS_INIT { OBJREF_DOMINATORS_OPTIONS_VERSION, 0 }

/*
 * Build the dominator tree of snap (opts may be NULL: the defaults).
 * Returns 0 and *out (free it with objref_dominators_free), or
 * OBJREF_ENOMEM, or OBJREF_EINVAL for a NULL snapshot or an unknown options
 * version.  The result refers to snap by ids only: it stays valid when snap
 * is freed, but means nothing for another snapshot.
 */
OBJREF_EXTERN int objref_dominators_build(objref_dominators **out, const objref_snapshot *snap,
	const objref_dominators_options *opts);

/* Free the result; NULL is allowed. */
OBJREF_EXTERN void objref_dominators_free(objref_dominators *d);

/* Whether a root reaches object id (0 for ids out of range). */
OBJREF_EXTERN int objref_dominators_reachable(const objref_dominators *d, objref_id id);

/*
 * The immediate dominator of object id: OBJREF_NO_ID when only the
 * synthetic root dominates it (a root object, or one that two roots reach
 * by separate paths), when no root reaches it, or for ids out of range.
 */
OBJREF_EXTERN objref_id objref_dominators_idom(const objref_dominators *d, objref_id id);

/* The retained size of object id in bytes (0 when unreachable). */
OBJREF_EXTERN uint64_t objref_dominators_retained(const objref_dominators *d, objref_id id);

/* Bytes of every reachable object together (the synthetic root's retained size). */
OBJREF_EXTERN uint64_t objref_dominators_total(const objref_dominators *d);

/* Reachable objects counted. */
OBJREF_EXTERN size_t objref_dominators_nreachable(const objref_dominators *d);

/*
 * Retained bytes per type: out[t] (an array of objref_snapshot_ntypes(snap)
 * entries that the caller provides) becomes the bytes freed if every object
 * of type t were freed — the sum of the retained sizes of the objects of t
 * that no other object of t dominates, so nothing is counted twice.  snap
 * must be the snapshot d was built from.  Returns 0, OBJREF_ENOMEM or
 * OBJREF_EINVAL (a snapshot of another size).
 */
OBJREF_EXTERN int objref_dominators_by_type(uint64_t *out, const objref_dominators *d,
	const objref_snapshot *snap);

#ifdef __cplusplus
}
#endif
#endif

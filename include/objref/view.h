/*
 * objref/view.h — the part of a snapshot to draw.
 *
 * A view is a small graph over a snapshot: the objects to show (nodes),
 * the references between them (edges, with the snapshot's labels), and a
 * few nodes that are not objects: "N more referrers" where a walk left
 * neighbours out, and the running frames whose locals hold an object.  It
 * is plain C (no Graphviz, no Python): the walks of objgraph's
 * show_backrefs / show_refs, chains and cycles all fill a view, and
 * objref_view_dot (render.h) turns one into DOT.
 *
 * Invariants:
 *   - an object appears at most once as an OBJECT node;
 *   - every edge joins two nodes of the view; identical edges (same ends,
 *     same label) are kept once;
 *   - there are at most max_nodes nodes; what a walk could not add because
 *     of that is counted in objref_view_truncated().
 */
#ifndef OBJREF_VIEW_H
#define OBJREF_VIEW_H

#include "snapshot.h"
#include "paths.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct objref_view objref_view;

typedef enum {
	OBJREF_VN_OBJECT = 0, /* an object of the snapshot */
	OBJREF_VN_MORE,       /* "count more referrers" (or references) of `id` */
	OBJREF_VN_FRAME       /* a running frame holding `id` in a local:
				 `count` is the index of its root record */
} objref_view_node_kind;

/* Node flags (how it is drawn; several may be set). */
enum {
	OBJREF_VN_SAMPLE = 1u << 0,    /* a start object / sample: highlighted */
	OBJREF_VN_HIGHLIGHT = 1u << 1, /* the caller's highlight (objgraph's highlight=) */
	OBJREF_VN_GARBAGE = 1u << 2,   /* no root reaches it: grey */
	OBJREF_VN_REFERENTS = 1u << 3  /* MORE: references left out, not referrers */
};

/* Edge flags. */
enum {
	OBJREF_VE_SUSPECT = 1u << 0 /* where the leak enters: drawn bold red */
};

typedef struct {
	objref_view_node_kind kind;
	objref_id id;   /* OBJECT: the object; MORE, FRAME: the object they attach to */
	uint32_t flags; /* OBJREF_VN_* */
	uint32_t depth; /* references from the nearest start object (walks), or 0 */
	uint32_t count; /* MORE: neighbours left out; FRAME: root record index */
	char *extra;    /* more text under the label (extra_info), owned by the view, or NULL */
} objref_view_node;

typedef struct {
	uint32_t from, to;  /* node indices: `from` refers to `to` */
	objref_label label; /* the snapshot's label of the reference */
	uint32_t flags;     /* OBJREF_VE_* */
} objref_view_edge;

#define OBJREF_VIEW_MAX_NODES 2000

/*
 * A new empty view of snap holding at most max_nodes nodes (0 means
 * OBJREF_VIEW_MAX_NODES).  snap must outlive the view.  Free with
 * objref_view_free.  Returns 0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_view_new(objref_view **out, const objref_snapshot *snap, size_t max_nodes);

/* Free a view and the node texts it owns; NULL is allowed. */
OBJREF_EXTERN void objref_view_free(objref_view *v);

OBJREF_EXTERN const objref_snapshot *objref_view_snapshot(const objref_view *v);

/* The nodes and edges (borrowed: valid until the view changes or is
 * freed). */
OBJREF_EXTERN const objref_view_node *objref_view_nodes(const objref_view *v, size_t *n);
OBJREF_EXTERN const objref_view_edge *objref_view_edges(const objref_view *v, size_t *n);

/* Objects a walk or a chain wanted to add but could not, because the view
 * was full (each counted once). */
OBJREF_EXTERN size_t objref_view_truncated(const objref_view *v);

/*
 * The node of object `id`, adding it (with `flags`, depth 0) if it is not
 * there; flags of an existing node are or-ed in.  *out is its index.
 * Returns 0; OBJREF_ENOTFOUND when the view is full (the object is counted
 * as truncated, *out is UINT32_MAX); OBJREF_EINVAL (id out of range) or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_view_object(uint32_t *out, objref_view *v, objref_id id, uint32_t flags);

/* The node of `id`, or UINT32_MAX when the view has none.  O(1). */
OBJREF_EXTERN uint32_t objref_view_find(const objref_view *v, objref_id id);

/* Add a reference from node `from` to node `to` (an identical one is kept
 * once; flags are or-ed in).  Returns 0, OBJREF_EINVAL or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_view_edge_add(objref_view *v, uint32_t from, uint32_t to, objref_label label,
	uint32_t flags);

/* Or `flags` into node `node`'s flags.  Returns 0 or OBJREF_EINVAL. */
OBJREF_EXTERN int objref_view_node_flag(objref_view *v, uint32_t node, uint32_t flags);

/* Set the extra text of a node (copied; NULL clears it).  Returns 0,
 * OBJREF_EINVAL or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_view_node_extra(objref_view *v, uint32_t node, const char *text);

/*
 * Add a chain (paths.h): its objects, and its references with their
 * labels; the last object gets OBJREF_VN_SAMPLE, the reference
 * chain->labels[suspect] (suspect < chain->n - 1) gets OBJREF_VE_SUSPECT
 * (pass SIZE_MAX for none).  An UNREACHABLE chain's objects are marked
 * garbage.  A chain whose first object is a FRAME root record's object
 * starts at a FRAME node.  Chains sharing objects share nodes.  Returns 0,
 * OBJREF_ENOTFOUND (the view filled up: what fitted stays), OBJREF_EINVAL
 * or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_view_add_chain(objref_view *v, const objref_chain *chain, size_t suspect);

/*
 * A FRAME node for every FRAME root record of the objects already in the
 * view (one per record), each with a reference to its object labelled
 * with the variable name.  Returns 0, OBJREF_ENOTFOUND (full) or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_view_add_frames(objref_view *v);

/* The best root record of object `id` (as objref_paths_root_of ranks
 * them), or NULL.  O(log roots). */
OBJREF_EXTERN const objref_root *objref_view_root_of(const objref_view *v, objref_id id);

/* ---- objgraph's show_backrefs / show_refs walk ---------------------------- */

/* Keep a neighbour: 1 yes, 0 no, negative to stop the walk (OBJREF_ERROR). */
typedef int (*objref_view_filter)(const objref_snapshot *snap, objref_id id, void *arg);

typedef struct {
	size_t max_depth;      /* objgraph's default: 3 */
	size_t too_many;       /* neighbours drawn per object; the rest become one
				  MORE node (objgraph's default: 10) */
	const objref_id *ignore; /* never drawn (ids out of range are skipped) */
	size_t nignore;
	objref_view_filter filter; /* NULL: keep every neighbour */
	void *filter_arg;
	int forward;           /* 0: referrers (show_backrefs); 1: references (show_refs) */
} objref_view_walk_options;

/* Defaults: max_depth 3, too_many 10, nothing ignored, no filter, backward. */
OBJREF_EXTERN void objref_view_walk_options_init(objref_view_walk_options *o);

/*
 * objgraph's graph walk: breadth-first from the starts (marked
 * OBJREF_VN_SAMPLE, depth 0), adding for each object within max_depth its
 * referrers (or references) in the snapshot's order, at most too_many of
 * them that are neither ignored nor filtered out, and one MORE node
 * counting the rest.  A backward walk stops at modules and at objects with
 * a MODULE root record (objgraph stops at proper modules), and ends with
 * objref_view_add_frames.  ri is the snapshot's reverse index (needed
 * backward; may be NULL forward).  Iterative.  Returns 0, OBJREF_ENOTFOUND
 * when the view filled up (what fitted stays; see objref_view_truncated),
 * OBJREF_ERROR when the filter stopped it, OBJREF_EINVAL or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_view_walk(objref_view *v, const objref_revindex *ri, const objref_id *starts,
	size_t nstarts, const objref_view_walk_options *o);

#ifdef __cplusplus
}
#endif
#endif

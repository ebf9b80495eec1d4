/*
 * objref/sys/builder.h — building a snapshot: for capture, loaders of dump
 * files and tests (libgit2's include/git2/sys/ is the model: back-end APIs
 * apart from what readers use).  objref/snapshot.h is the read side.
 *
 * A builder takes types, objects (ids given in order 0, 1, 2 ...), edges,
 * strings and roots, and objref_builder_finish turns it into an immutable
 * snapshot whose invariants (objref/snapshot.h) hold.  Every function
 * returns 0 or a negative OBJREF_E* code unless it says otherwise.
 */
#ifndef OBJREF_SYS_BUILDER_H
#define OBJREF_SYS_BUILDER_H

#include "../snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new empty builder; free it with objref_builder_free unless finished. */
OBJREF_EXTERN int objref_builder_new(objref_builder **out);
OBJREF_EXTERN void objref_builder_free(objref_builder *b);

/* Intern a string: len bytes, need not be NUL-terminated; an embedded NUL
 * ends it (strings are C strings). */
OBJREF_EXTERN int objref_builder_string(objref_str *out, objref_builder *b, const char *s, size_t len);

/* Store a string without interning it: a new id even when equal bytes
 * were added before.  For strings that are mostly unique (objects'
 * descriptions), which interning would only hash and index. */
OBJREF_EXTERN int objref_builder_text(objref_str *out, objref_builder *b, const char *s, size_t len);

/* Add a type; names are copied. */
OBJREF_EXTERN int objref_builder_type(objref_type_id *out, objref_builder *b, uint64_t addr,
	const char *module, const char *name, const char *qualname);

/* Room for nobjects objects and nedges edges in all, so that adding up to
 * that many does not reallocate (a capture sizes them once from the
 * heap's object count: growing by copying faults every page in twice).
 * Only capacity: what was added stays.  0 or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_builder_reserve(objref_builder *b, size_t nobjects, size_t nedges);

/* Add an object; ids are given in order 0, 1, 2, ... */
OBJREF_EXTERN int objref_builder_object(objref_id *out, objref_builder *b, const objref_object *obj);

/* The type already added with id `id` (to set its flags), or NULL. */
OBJREF_EXTERN objref_type *objref_builder_type_at(objref_builder *b, objref_type_id id);

/* Record the collector's state (copied). */
OBJREF_EXTERN void objref_builder_gc_state(objref_builder *b, const objref_gc_state *gc);

/* The object already added with id `id`, for updates before finishing. */
OBJREF_EXTERN objref_object *objref_builder_object_at(objref_builder *b, objref_id id);

/* Add a reference src -> dst.  Edges may come in any order; adding them in
 * increasing src order avoids a sort at finish. */
OBJREF_EXTERN int objref_builder_edge(objref_builder *b, objref_id src, objref_id dst, objref_label label);

/* The targets of the edges added so far (*n of them), to be rewritten in
 * place before finishing: a capture adds each edge as it walks and turns
 * its target into an id once the walk has found every object. */
OBJREF_EXTERN objref_id *objref_builder_edge_targets(objref_builder *b, size_t *n);

OBJREF_EXTERN int objref_builder_root(objref_builder *b, const objref_root *root);

/*
 * For a capture's root pass, before objref_builder_finish: the objects
 * added so far (writable: flags may still change), *n of them.  The
 * pointer stays valid until the next objref_builder_object.
 */
OBJREF_EXTERN objref_object *objref_builder_objects(objref_builder *b, size_t *n);

/*
 * The edges added so far as parallel arrays of sources and targets (*n of
 * them) in the order they were added; *sorted tells whether the sources
 * are non-decreasing.  While they are, *src is NULL: the edges are kept
 * by source already (objref_builder_edge_start).  Valid until the next
 * objref_builder_edge.
 */
OBJREF_EXTERN void objref_builder_edges(const objref_id **src, const objref_id **dst, size_t *n,
	int *sorted, const objref_builder *b);

/*
 * The CSR offsets of the edges added so far by source: object i's edges
 * are [start[i], start[i+1]) once sorted by source (in the order added
 * when *sorted above), nobjects + 1 entries.  Computed once and reused by
 * objref_builder_finish while no object or edge is added.  Valid until
 * the next objref_builder_object, objref_builder_edge or finish.
 * OBJREF_EINVAL when an edge names a missing object, OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_builder_edge_start(const uint64_t **start, objref_builder *b);

/* Turn the builder into a snapshot.  The builder is consumed (freed) whether
 * this succeeds or fails. */
OBJREF_EXTERN int objref_builder_finish(objref_snapshot **out, objref_builder *b);

#ifdef __cplusplus
}
#endif
#endif

/*
 * objref/cycles.h — garbage on a snapshot, strongly connected components,
 * and garbage cycles grouped by shape.
 *
 * Garbage is decided on the snapshot by the collector's own rule, without a
 * collection (which would free the evidence): an object holds references
 * nobody in the snapshot explains when its refcount exceeds the edges into
 * it; such objects, and the named root records (modules, frame locals,
 * what the interpreter holds, immortals), are alive, and so is everything
 * they reach.  The rest is garbage.  Each garbage object gets a class:
 *
 *   COLLECTABLE     the next collection frees it (unless gc is disabled:
 *                   objref_gc_state.enabled says);
 *   FROZEN          frozen by gc.freeze(): no collection looks at it until
 *                   gc.unfreeze();
 *   UNTRAVERSABLE   it is held by an object whose references the collector
 *                   cannot see: an object with unexplained references (an
 *                   instance of a class not in builtins) that
 *                   reaches, through garbage only, an object of a type
 *                   without GC support that can hold references (a
 *                   PyCapsule, a C extension's object).  The collector sees
 *                   the unexplained reference as external, so never frees
 *                   the cycle;
 *   GC_GARBAGE      only gc.garbage's list holds it (a legacy tp_del
 *                   finalizer put it there, or DEBUG_SAVEALL), or it is,
 *                   or is reached from, an object with a legacy tp_del
 *                   finalizer, which the next collection puts there.
 *
 * Components are found with an iterative Tarjan (explicit stacks: a cycle
 * of millions of objects is fine).  A garbage component with a cycle is an
 * instance of a shape: the shortest cycle through its canonical member, as
 * the cyclic sequence of (type, label) with indices folded to [*], rotated
 * to its least rotation, so that every instance of the same structure gives
 * the same shape wherever the walk entered it.
 */
#ifndef OBJREF_CYCLES_H
#define OBJREF_CYCLES_H

#include "snapshot.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The class of a garbage object (0: alive). */
typedef enum {
	OBJREF_GARBAGE_NONE = 0,
	OBJREF_GARBAGE_COLLECTABLE = 1,
	OBJREF_GARBAGE_FROZEN = 2,
	OBJREF_GARBAGE_UNTRAVERSABLE = 3,
	OBJREF_GARBAGE_GC_GARBAGE = 4
} objref_garbage_class;

/*
 * Decide the garbage of a snapshot.  *out gets an array of nobjects bytes,
 * one objref_garbage_class per object; the caller frees it with
 * objref_cycles_array_free.  *culprits (may be NULL) gets, for
 * UNTRAVERSABLE objects that hold unexplained references, the
 * untraversable object found (an array of *nculprits pairs: held, holder),
 * freed likewise.  Returns 0, OBJREF_ENOMEM.  O(objects + edges) plus a
 * bounded search per object with unexplained references nothing alive
 * reaches.
 */
OBJREF_EXTERN int objref_garbage_find(uint8_t **out, objref_id **culprits, size_t *nculprits,
	objref_snapshot *snap);

/*
 * Strongly connected components of the objects with mask[i] != 0 (all when
 * mask is NULL), along the snapshot's edges between them plus nextra more
 * (extra_src[k] -> extra_dst[k]; may be 0).  *comp gets an array of
 * nobjects component ids (OBJREF_NO_ID outside the mask), numbered
 * 0 .. *ncomp-1 in reverse topological order (a component's successors
 * have lower numbers).  Free it with objref_cycles_array_free.  Iterative:
 * memory O(objects), no recursion.  Returns 0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_scc(objref_id **comp, size_t *ncomp, const objref_snapshot *snap,
	const uint8_t *mask, const objref_id *extra_src, const objref_id *extra_dst, size_t nextra);

/* Free an array objref_garbage_find or objref_scc returned; NULL is allowed. */
OBJREF_EXTERN void objref_cycles_array_free(void *p);

/* One step of a cycle: an object of `type`, and the reference it holds to
 * the next step (the last step's reference leads back to the first). */
typedef struct {
	objref_type_id type;
	objref_label label;  /* in a shape, INDEX payloads fold to [*] */
} objref_cycle_step;

/* A shape and its instances. */
typedef struct {
	const objref_cycle_step *steps;   /* nsteps, least rotation */
	size_t nsteps;
	objref_garbage_class cls;         /* every instance's class */
	size_t count;                     /* instances: garbage components */
	size_t objects;                   /* objects in those components */
	uint64_t bytes;                   /* their sizes */
	size_t retained_objects;          /* objects plus the garbage only they reach */
	uint64_t retained_bytes;
	const objref_id *example;         /* one instance's cycle: nsteps objects, the
					   * rotation of steps */
	const objref_label *example_labels; /* its labels, indices unfolded */
	size_t example_size;              /* objects in that instance's component */
	objref_id culprit;                /* GC_GARBAGE: a member whose type has tp_del;
					   * UNTRAVERSABLE: the untraversable object;
					   * else OBJREF_NO_ID */
	int fix;                          /* the step whose reference, made weak, breaks
					   * every sampled instance; -1: none does */
} objref_cycle_shape;

/* The whole analysis. */
typedef struct objref_cycles objref_cycles;

typedef struct {
	size_t garbage_objects;        /* every garbage object */
	uint64_t garbage_bytes;
	size_t by_class[5];            /* garbage objects per objref_garbage_class */
	size_t cyclic_objects;         /* in garbage components with a cycle */
	size_t components;             /* garbage components with a cycle */
	size_t nshapes;
} objref_cycles_summary;

/*
 * Find the garbage of snap, its components with cycles and their shapes.
 * Shapes come sorted by retained bytes, then instances, most first.  Free
 * with objref_cycles_free; it borrows snap, which must outlive it.
 * Returns 0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_cycles_find(objref_cycles **out, objref_snapshot *snap);
/* Free an analysis; NULL is allowed.  Every pointer obtained from it
 * (shapes, steps, examples, classes) becomes invalid. */
OBJREF_EXTERN void objref_cycles_free(objref_cycles *cyc);

/* Totals of the garbage and its cycles, copied into *out. */
OBJREF_EXTERN void objref_cycles_summary_get(objref_cycles_summary *out, const objref_cycles *cyc);
/* How many shapes the analysis found. */
OBJREF_EXTERN size_t objref_cycles_nshapes(const objref_cycles *cyc);
/* Shape i (0 = the most retained), borrowed from cyc; NULL when out of range. */
OBJREF_EXTERN const objref_cycle_shape *objref_cycles_shape(const objref_cycles *cyc, size_t i);
/* The per-object classes (nobjects bytes, borrowed). */
OBJREF_EXTERN const uint8_t *objref_cycles_classes(const objref_cycles *cyc);
/* The shape of the component object id belongs to, or -1 (not in a shape). */
OBJREF_EXTERN long objref_cycles_shape_of(const objref_cycles *cyc, objref_id id);

/*
 * Up to max members of instances of shape i, one per instance (the
 * instance's member of the shape's first step type), into ids; returns how
 * many.  For allocation sites and per-instance lookups.
 */
OBJREF_EXTERN size_t objref_cycles_instances(objref_id *ids, size_t max, const objref_cycles *cyc,
	size_t i);

/*
 * Give step `step` of shape i the label l (a name learnt after the
 * analysis: an inline attribute's, 3.11+): the shape's step (folded) and
 * its example's label change.  Returns 0 or OBJREF_EINVAL.
 */
OBJREF_EXTERN int objref_cycles_set_label(objref_cycles *cyc, size_t i, size_t step, objref_label l);

/*
 * A function that names references: it may replace refs[k].label (given
 * as OBJREF_SP_ATTR_UNNAMED) by a better one, and returns 0 or a negative
 * OBJREF_E* code.  Capture's objref_capture_namer is one (arg: an
 * objref_capture_pinned).
 */
typedef int (*objref_name_refs_fn)(objref_ref *refs, size_t n, void *arg);

/*
 * Name the unnamed references (OBJREF_SP_ATTR_UNNAMED) along the examples
 * of cyc's shapes: hands them to fn(refs, n, arg) in one call and sets the
 * labels it filled in as objref_cycles_set_label would.  Returns 0, fn's
 * error, or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_cycles_name_refs(objref_cycles *cyc, objref_name_refs_fn fn, void *arg);

/* "collectable", "collectable, but gc is disabled", "frozen by gc.freeze()",
 * "uncollectable: passes through an object the collector cannot traverse",
 * "uncollectable: legacy finalizer" ... : the reason of shape i, into buf. */
OBJREF_EXTERN size_t objref_cycles_reason(char *buf, size_t size, const objref_cycles *cyc, size_t i);

/*
 * The text report: a summary line, then per shape (the first `limit`,
 * 0 = all) its instances, bytes, reason, cycle, example with addresses and
 * the fix hint; extra (may be NULL) is called after each shape's lines to
 * add its own (an allocation site).  Appends to b; returns 0,
 * OBJREF_ENOMEM, or what extra returned.
 */
typedef int (*objref_cycles_extra_fn)(objref_buf *b, size_t shape, void *arg);
OBJREF_EXTERN int objref_cycles_format(objref_buf *b, const objref_cycles *cyc, size_t limit,
	objref_cycles_extra_fn extra, void *arg);

/* The text of the cycle of shape i as "Request .response -> Response
 * .request -> (Request)", an instance's "X __dict__ -> dict ['k']" steps
 * shown as "X .k"; with example != 0 the example's labels and addresses. */
OBJREF_EXTERN int objref_cycles_format_shape(objref_buf *b, const objref_cycles *cyc, size_t i,
	int example);

/* The fix hint of shape i: "make Child.parent a weak reference", or "" */
OBJREF_EXTERN int objref_cycles_format_fix(objref_buf *b, const objref_cycles *cyc, size_t i);

#ifdef __cplusplus
}
#endif
#endif

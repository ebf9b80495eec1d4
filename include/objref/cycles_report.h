/*
 * objref/cycles_report.h — the garbage-cycles report: the analysis of
 * objref/cycles.h worded once, as C data, text, JSON (schema
 * objref-chain/1's "cycles") and the DOT of the top shapes.
 *
 * Plain C: allocation sites (tracemalloc) come from the face through
 * objref_report_live.alloc_site; inline attribute names must already be in
 * the analysis (objref_cycles_set_label).
 */
#ifndef OBJREF_CYCLES_REPORT_H
#define OBJREF_CYCLES_REPORT_H

#include "cycles.h"
#include "chains_report.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Shapes drawn in one picture at most. */
#define OBJREF_CYCLES_REPORT_DRAWN 6
/* Steps of a shape listed in its data at most. */
#define OBJREF_CYCLES_REPORT_STEPS 64

typedef struct {
	unsigned int version;
	size_t limit;            /* shapes in the data, and in the text (where 0
				    means all, as objref_cycles_format has it);
				    SIZE_MAX: all */
	int picture;             /* also the DOT of the first shapes ... */
	size_t picture_limit;    /* ... at most this many (and OBJREF_CYCLES_REPORT_DRAWN) */
	objref_report_live live; /* alloc_site only */
} objref_cycles_report_options;

#define OBJREF_CYCLES_REPORT_OPTIONS_VERSION 1
#define OBJREF_CYCLES_REPORT_OPTIONS_INIT { .version = OBJREF_CYCLES_REPORT_OPTIONS_VERSION, \
	.limit = SIZE_MAX, .picture = 0, .picture_limit = OBJREF_CYCLES_REPORT_DRAWN, \
	.live = { NULL, NULL, NULL, NULL } }

/* One shape, worded.  Strings are owned by the report. */
typedef struct {
	size_t index;            /* the shape's index in the analysis */
	char *shape;             /* "Request .response -> Response .request -> Request" */
	char *example;           /* the same with one instance's addresses */
	size_t count, objects, retained_objects, length;
	uint64_t bytes, retained_bytes;
	objref_garbage_class cls;
	int gc_disabled;         /* the collector was disabled at capture */
	char *reason;            /* "collectable, but gc is disabled" ... */
	objref_report_step *steps; /* length steps, at most OBJREF_CYCLES_REPORT_STEPS;
				      each label set */
	size_t nsteps;
	char *fix;               /* the fix hint, or NULL */
	char *alloc_site;        /* where a member was allocated, or NULL */
} objref_report_cycle_shape;

typedef struct {
	objref_cycles_summary summary;
	objref_gc_state gc;
	objref_report_cycle_shape *shapes; /* the first `limit` shapes */
	size_t nshapes;
	char *text;              /* objref_cycles_format's text, allocation sites included */
	char *dot;               /* options.picture: the picture (empty of shapes when
				    summary.nshapes is 0) */
	size_t drawn;            /* shapes in it */
} objref_cycles_report;

/*
 * Word the analysis cyc of snap.  The live callback runs during the call
 * only.  *out: objref_cycles_report_free.  Returns 0 or OBJREF_ENOMEM
 * (*out NULL).
 */
OBJREF_EXTERN int objref_cycles_report_build(objref_cycles_report **out,
	const objref_snapshot *snap, const objref_cycles *cyc, const objref_cycles_report_options *o);
OBJREF_EXTERN void objref_cycles_report_free(objref_cycles_report *r);

/* The kind of a garbage class in words: "alive", "collectable", "frozen",
 * "untraversable", "gc.garbage". */
OBJREF_EXTERN const char *objref_garbage_class_name(objref_garbage_class cls);

/*
 * The picture of the cycles (the report layer draws; the analysis does not
 * know views).  Add the example of shape i to the view v of the same
 * snapshot: its cycle's objects (at most 60 steps), marked garbage, the culprit
 * highlighted, the fix hint's reference marked as the suspect edge, and a
 * note (shape, instances, reason) under its first object.  Several shapes
 * may share a view.  Returns 0, OBJREF_EINVAL, OBJREF_ENOTFOUND (the view
 * is full) or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_cycles_view(objref_view *v, const objref_cycles *cyc, size_t i);

/* "garbage cycles (found without a collection):\n" and the text, appended
 * to b.  0 or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_cycles_report_text(objref_buf *b, const objref_cycles_report *r);

/* {"summary": {...}, "shapes": [{...}]} written by w. */
OBJREF_EXTERN int objref_cycles_report_json(objref_json *w, const objref_cycles_report *r);

#ifdef __cplusplus
}
#endif

#endif

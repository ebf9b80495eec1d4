/*
 * objref/growth.h — what grows: objgraph's peak-based growth, and trends over
 * a series of checkpoints.
 */
#ifndef OBJREF_GROWTH_H
#define OBJREF_GROWTH_H

#include "census.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One row of objgraph.growth(): a type whose count passed its peak. */
typedef struct {
	const char *name; /* borrowed from the census `now` */
	uint64_t count;   /* count now */
	uint64_t delta;   /* count now minus the previous peak */
} objref_growth_row;

/*
 * objgraph.growth() semantics: for every row of `now` whose count exceeds its
 * row in `peaks` (0 if absent), report the difference and raise the peak.
 * Rows come sorted by delta, largest first (stable).  *out is malloc'ed:
 * free it with objref_free(); the names stay valid while `now` lives and is
 * not modified.
 */
OBJREF_EXTERN int objref_growth_since_peak(objref_growth_row **out, size_t *n,
	objref_census *peaks, const objref_census *now);

/* A series of censuses taken at checkpoints. */
typedef struct objref_series objref_series;

OBJREF_EXTERN int objref_series_new(objref_series **out);
OBJREF_EXTERN void objref_series_free(objref_series *s);

/* Append a checkpoint.  The series takes ownership of c, even on failure.
 * label may be NULL.  t: seconds since any fixed origin. */
OBJREF_EXTERN int objref_series_add(objref_series *s, objref_census *c, double t, const char *label);
OBJREF_EXTERN size_t objref_series_len(const objref_series *s);
OBJREF_EXTERN const objref_census *objref_series_census(const objref_series *s, size_t i);
OBJREF_EXTERN double objref_series_time(const objref_series *s, size_t i);
OBJREF_EXTERN const char *objref_series_label(const objref_series *s, size_t i);
/* The memory blocks the interpreter's allocator held at checkpoint i
 * (sys.getallocatedblocks(), measured by the face when the census was
 * taken), or -1 when unknown (not measured, or i out of range).  A
 * checkpoint starts unknown; a negative value sets it unknown. */
OBJREF_EXTERN void objref_series_set_blocks(objref_series *s, size_t i, int64_t blocks);
OBJREF_EXTERN int64_t objref_series_blocks(const objref_series *s, size_t i);
/* Drop every checkpoint. */
OBJREF_EXTERN void objref_series_clear(objref_series *s);

/* One growing type. */
typedef struct {
	const char *name;        /* borrowed from the series' last census */
	uint64_t first, last;    /* count at the first and last checkpoint */
	uint64_t last_bytes;
	double objects_per_ckpt; /* (last - first) / intervals */
	double bytes_per_ckpt;
	uint32_t rises;          /* intervals in which the count went up */
	uint32_t falls;          /* intervals in which it went down */
	uint32_t intervals;      /* checkpoints - 1 */
	uint32_t steady_since;   /* checkpoint from which every interval rose */
} objref_growing_row;

typedef struct {
	/* A type grows when it rose in more than this fraction of intervals;
	 * 0.5 means "most intervals". */
	double min_rise_fraction;
	/* ... and its net growth exceeds this many objects, and exceeds the sum
	 * of its falls (the noise of a type that comes and goes). */
	uint64_t min_net;
} objref_growth_opts;

#define OBJREF_GROWTH_OPTS_INIT { 0.5, 0 }

/*
 * The types whose counts trend up across the checkpoints of s (at least 2),
 * ranked by objects per checkpoint, then bytes per checkpoint.  *out is
 * malloc'ed (free with objref_free()); names are valid while s lives and no
 * checkpoint is added.  opts may be NULL for the defaults.
 */
OBJREF_EXTERN int objref_series_growing(objref_growing_row **out, size_t *n,
	const objref_series *s, const objref_growth_opts *opts);


/* A type that grew over most of the series, then fell before its end: the
 * objects a run accumulated and freed as it stopped (a pool shut down, a
 * cache cleared at exit). */
typedef struct {
	const char *name;        /* borrowed from the census of the peak */
	uint64_t first, peak, last; /* count at the first checkpoint, the peak, the last */
	uint64_t peak_bytes, last_bytes;
	double objects_per_ckpt; /* (peak - first) / peak_at: while it grew */
	double bytes_per_ckpt;
	uint32_t rises;          /* intervals up to the peak in which it rose */
	uint32_t peak_at;        /* the peak's checkpoint (0-based): it grew for
				    peak_at intervals */
	uint32_t intervals;      /* of the whole series: checkpoints - 1 */
	double peak_seconds;     /* the peak checkpoint's time */
	uint32_t fell_at;        /* the first checkpoint after the peak at which the
				    count had made 90 % of its fall to the last
				    (0-based) */
	const char *last_label;  /* the last checkpoint's label ("" without one) */
} objref_ended_row;

/*
 * The types that grew, then fell: at their peak p (the first checkpoint at
 * which the count is largest), checkpoints 0..p pass the growth rule of
 * objref_series_growing (rises in more than opts->min_rise_fraction of the
 * p intervals, at least two; net growth above min_net and above the sum of
 * the falls), p covers more than min_rise_fraction of the whole series'
 * intervals, the last count is below the peak, and the whole series does
 * not pass the rule (those types are objref_series_growing's).  A spike
 * (one rise) or a type that grew for the first half only is not reported.
 * Ranked as objref_series_growing ranks, by objects per checkpoint while
 * growing.  *out is malloc'ed (objref_free); names valid while s lives and
 * no checkpoint is added.  Fewer than 4 checkpoints: none.
 */
OBJREF_EXTERN int objref_series_ended(objref_ended_row **out, size_t *n,
	const objref_series *s, const objref_growth_opts *opts);

/*
 * The rows of objref_series_ended a report shows: all of them when no type
 * grows to the end (objref_series_growing finds none), else those that
 * grew, while they grew, at least OBJREF_ENDED_DOMINANCE times as fast
 * (objects per checkpoint) as the fastest type growing to the end: beside
 * a leak that goes on, the ups and downs of the others are noise, unless
 * they dwarf it.  As objref_series_ended for the rest.
 */
#define OBJREF_ENDED_DOMINANCE 10.0

OBJREF_EXTERN int objref_series_ended_reported(objref_ended_row **out, size_t *n,
	const objref_series *s, const objref_growth_opts *opts);

/*
 * When to keep the chains of a growing type while it grows, so a growth
 * that ends before the program does (objref_series_ended) can still be
 * explained: call objref_growth_watch_due after each checkpoint, and
 * objref_growth_watch_taken after each take.  The watched type is `only`
 * (objref-chain's --type; "module.Name" matches the row "Name") or, NULL,
 * the fastest-growing type of objref_series_growing.  A checkpoint at
 * which it is growing is "confirmed"; the chains are due at the confirmed
 * checkpoints numbered 2, 4, 8, 16 ... (powers of two), and at the first
 * confirmed checkpoint after the fastest-growing type changed, once
 * between two powers of two: at most 2 log2(N) takes over N checkpoints.
 *
 * A take pauses the program (a snapshot of its heap): one that would make
 * the pauses so far exceed OBJREF_GROWTH_WATCH_BUDGET of `elapsed` (the
 * seconds the program has run) waits for the next confirmed checkpoint at
 * which it fits.  Its cost is estimated from the last census' objects at
 * the last take's seconds per object (1 us before the first).
 *
 * The types are ranked (objref_series_growing, O(types x checkpoints)) at
 * each of the first 16 checkpoints and then when their number is a power
 * of two; between two rankings, a checkpoint confirms the last leader when
 * its count rose in the last interval: O(types x N) over N checkpoints.
 * Returns 1 (due: *type is the type to chain, owned by w, valid until the
 * next call), 0 (not due: *type NULL), or OBJREF_ENOMEM.
 */
typedef struct {
	char *type;         /* the type the chains were last due for, or NULL */
	char *leader;       /* the watched type at the last ranking, or NULL */
	uint32_t confirmed; /* checkpoints at which the watched type grew */
	int spent;          /* a take for a change of type since the last power of two */
	int deferred;       /* a take was due but over the budget */
	double paused;      /* seconds the takes took, all told */
	double per_object;  /* seconds an object at the last take, or 0 */
} objref_growth_watch;

#define OBJREF_GROWTH_WATCH_INIT { NULL, NULL, 0, 0, 0, 0.0, 0.0 }
/* The share of the program's time the takes may pause it. */
#define OBJREF_GROWTH_WATCH_BUDGET 0.2

OBJREF_EXTERN int objref_growth_watch_due(const char **type, objref_growth_watch *w,
	const objref_series *s, const char *only, double elapsed);
/* A take done: it took `seconds`, over a heap of `objects` objects. */
OBJREF_EXTERN void objref_growth_watch_taken(objref_growth_watch *w, double seconds,
	uint64_t objects);
/* Free what w holds; w is as OBJREF_GROWTH_WATCH_INIT after. */
OBJREF_EXTERN void objref_growth_watch_dispose(objref_growth_watch *w);


#ifdef __cplusplus
}
#endif
#endif

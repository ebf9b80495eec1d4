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


#ifdef __cplusplus
}
#endif
#endif

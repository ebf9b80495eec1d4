/*
 * objref/unexplained.h — memory that no object explains.
 *
 * A C extension that leaks references to objects nobody else holds (an
 * extra Py_INCREF on a fresh str) makes memory grow while no type a heap
 * walk reaches grows.  The allocator still counts those blocks: the faces
 * record its count at each checkpoint (objref_series_set_blocks) and,
 * when tracemalloc traces, the live traced blocks grouped by allocation
 * site ("app.py:12") in censuses whose rows are sites (count = blocks,
 * bytes = bytes); this decides and formats.  Plain C.
 *
 *   memory no object explains: +186 blocks/ckpt (18 KB) alive but unreachable from any object: leaked references from C?
 *     (the allocator's blocks less the objects a heap walk reaches rose in 13 of 14 intervals; the objects: +0/ckpt)
 *     allocated at (tracemalloc, per checkpoint):
 *       /srv/app.py:35  +187/ckpt  (+18 KB)
 */
#ifndef OBJREF_UNEXPLAINED_H
#define OBJREF_UNEXPLAINED_H

#include "buf.h"
#include "json.h"
#include "growth.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The noise floor: fewer unexplained blocks a checkpoint are never a
 * verdict (the interpreter's own caches come and go by tens). */
#define OBJREF_UNEXPLAINED_MIN 64.0
/* ... nor are they when the census' objects grew by more than 1 / this
 * of them: the containers a leak of Python objects fills bring blocks of
 * their own (a dict's keys table, a list's items), about one an object. */
#define OBJREF_UNEXPLAINED_RATIO 2.0
/* Sites: shown when their unexplained blocks are more than this times the
 * objects the walk reached there (an object's own extra blocks are not). */
#define OBJREF_UNEXPLAINED_SITE_RATIO 2.0

/* The first checkpoints left out: the first census makes objref's own
 * lasting state (caches, the baseline) after the blocks were counted, a
 * step of blocks no object explains. */
#define OBJREF_UNEXPLAINED_WARMUP 1
/* Intervals needed after it: a short run's one-off steps (a snapshot
 * taken in process, a module's first use) are not a trend. */
#define OBJREF_UNEXPLAINED_MIN_INTERVALS 4

/* The allocator's blocks against the census' objects over a series, from
 * checkpoint OBJREF_UNEXPLAINED_WARMUP on. */
typedef struct {
	int measured;            /* OBJREF_UNEXPLAINED_MIN_INTERVALS or more after
				    the warm-up, every checkpoint of them with its
				    blocks */
	int leaking;             /* the verdict (objref_series_unexplained) */
	int64_t first, last;     /* blocks - objects after the warm-up and at the last */
	double blocks_per_ckpt;  /* (last - first) / intervals */
	double objects_per_ckpt; /* the census' objects, per interval */
	uint32_t rises;          /* intervals in which blocks - objects rose */
	uint32_t intervals;      /* checkpoints - 1 - OBJREF_UNEXPLAINED_WARMUP */
} objref_unexplained;

/*
 * Fill *u from s.  Leaking when measured and blocks - objects grew by
 * OBJREF_UNEXPLAINED_MIN a checkpoint or more, rose in more than half the
 * intervals, grew by more than the sum of its falls (the growth rule of
 * objref_series_growing), and more than OBJREF_UNEXPLAINED_RATIO times
 * the census' own growth.  Never fails.
 */
OBJREF_EXTERN void objref_series_unexplained(objref_unexplained *u, const objref_series *s);

/* One allocation site whose traced blocks no reached object explains. */
typedef struct {
	const char *site;        /* borrowed from the `now` census */
	double blocks_per_ckpt;  /* unexplained blocks there, per interval */
	double bytes_per_ckpt;
	uint64_t blocks;         /* live traced blocks there now */
	uint64_t reached;        /* objects the heap walk reached there now */
} objref_site_row;

/* The sites as measured: traced blocks by site at checkpoint `before_at`
 * (0-based; the first at which tracemalloc traced) and at the report
 * (`now`: after the last checkpoint), and the reached objects by site at
 * the report (count only).  now NULL: tracemalloc did not trace. */
typedef struct {
	const objref_census *before, *now, *reached;
	size_t before_at;
} objref_alloc_sites;

/* ... and when they are this share of the verdict's blocks a checkpoint
 * or more (a site that grew by a block or two is not a leak's). */
#define OBJREF_UNEXPLAINED_SITE_SHARE 0.05

/*
 * The sites of `a` whose blocks grew since `before` and are mostly
 * unreached (more than OBJREF_UNEXPLAINED_SITE_RATIO times the reached
 * objects there), ranked by unexplained blocks per checkpoint (the
 * growth, capped by the unreached blocks now, over `intervals`), that
 * many at least `floor` and 1; at most `limit`; *bytes_per_ckpt (may be NULL) gets the sum over all of them,
 * not only the first `limit`.  *out is malloc'ed (objref_free), its sites
 * valid while a->now lives unchanged.  0, OBJREF_EINVAL (no `now`), or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_unexplained_sites(objref_site_row **out, size_t *n, double *bytes_per_ckpt,
	const objref_alloc_sites *a, uint32_t intervals, double floor, size_t limit);

/* How many sites the reports show. */
#define OBJREF_UNEXPLAINED_SITES_SHOWN 5

/*
 * The report's lines (see the top of this file) when s's verdict is
 * leaking; nothing otherwise.  The sites' rates are over the intervals
 * from sites->before_at to the last checkpoint.  sites may be NULL (or all NULL): without
 * tracemalloc, the line says bytes and sites need it.  0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_unexplained_text(objref_buf *b, const objref_series *s,
	const objref_alloc_sites *sites);

/*
 * The same as the key "unexplained" of an object w is writing and its
 * value, when s's verdict is leaking (nothing otherwise, as the text):
 * {"leaking", "blocks_per_ckpt", "objects_per_ckpt", "rises", "intervals",
 *  "bytes_per_ckpt" (null untraced), "sites": [{"site", "blocks_per_ckpt",
 *  "bytes_per_ckpt", "blocks", "reached"}]}.  0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_unexplained_json(objref_json *w, const objref_series *s,
	const objref_alloc_sites *sites);

#ifdef __cplusplus
}
#endif
#endif

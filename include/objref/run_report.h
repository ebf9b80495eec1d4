/*
 * objref/run_report.h — the whole report of a run as one JSON document,
 * schema "objref-chain/1", written here once for objref-chain's --json and
 * the module's objref.report_json():
 *
 *   {"schema": "objref-chain/1", "program": "app.py", "seconds": 1.2,
 *    "checkpoints": 31, "heap": {"objects": N, "bytes": N} | null,
 *    "growing": [{"type", "first", "last", "objects_per_ckpt",
 *                 "bytes_per_ckpt", "rises", "intervals", "steady_since"}],
 *    "grew_then_freed": [...objref_ended_json]          (when some type grew, then
 *                                                        was freed: objref_series_
 *                                                        ended_reported)
 *    "top": [{"type", "count", "bytes"}],               (when top > 0)
 *    "chains": null | {...objref_chains_report_json},
 *    "cycles": {...objref_cycles_report_json},           (when cycles)
 *    "unexplained": {...objref_unexplained_json}}        (when memory grew
 *                                                        that no object
 *                                                        explains)
 *
 * steady_since numbers checkpoints from 1 (null: not steady).
 */
#ifndef OBJREF_RUN_REPORT_H
#define OBJREF_RUN_REPORT_H

#include "buf.h"
#include "growth.h"
#include "chains_report.h"
#include "cycles_report.h"
#include "unexplained.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	const char *program;                 /* "app.py", "-m pkg" */
	double seconds;                      /* how long it ran */
	const objref_series *series;         /* its checkpoints (required) */
	size_t top;                          /* rows of the last census; 0: no "top" */
	const objref_chains_report *chains;  /* NULL: "chains": null */
	const objref_cycles_report *cycles;  /* NULL: no "cycles" */
	const objref_alloc_sites *sites;     /* tracemalloc's sites, or NULL */
} objref_run_report;

#define OBJREF_RUN_REPORT_INIT { .program = "", .seconds = 0, .series = NULL, .top = 0, \
	.chains = NULL, .cycles = NULL, .sites = NULL }

/*
 * Append the JSON document of r to out, on one line, without a newline.
 * Returns 0, OBJREF_EINVAL (no series) or OBJREF_ENOMEM (out then holds
 * part of a document: discard it).
 */
OBJREF_EXTERN int objref_run_report_json(objref_buf *out, const objref_run_report *r);

/* The rows of objref_series_ended (objref_format_ended's) as a JSON array: {type, first, peak, last, objects_per_ckpt,
 * bytes_per_ckpt, rises, grew_for, peak_checkpoint (from 1), peak_seconds,
 * freed_by_checkpoint (from 1), freed_at_exit}. */
OBJREF_EXTERN int objref_ended_json(objref_json *w, const objref_ended_row *rows, size_t n);

#ifdef __cplusplus
}
#endif
#endif

/*
 * objref/report.h — text tables, formatted into a growable buffer.  The
 * caller decides where the text goes (stdout, a log, a Python file object).
 */
#ifndef OBJREF_REPORT_H
#define OBJREF_REPORT_H

#include "buf.h"
#include "growth.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "1,048,395" */
OBJREF_EXTERN int objref_format_count(objref_buf *b, uint64_t n);
/* "244 MB", "88 KB", "512 B"; signed variant prints "+88 KB" / "-1 KB" */
OBJREF_EXTERN int objref_format_bytes(objref_buf *b, double bytes, int with_sign);

/* objgraph.show_most_common_types: "%-*s %i\n" per row (the first n rows). */
OBJREF_EXTERN int objref_format_most_common(objref_buf *b, const objref_census_row *rows, size_t n);

/* The same with a bytes column: "%-*s %*i %*s\n". */
OBJREF_EXTERN int objref_format_census(objref_buf *b, const objref_census_row *rows, size_t n);

/* objgraph.show_growth: "%-*s%9d %+9d\n" per row. */
OBJREF_EXTERN int objref_format_growth(objref_buf *b, const objref_growth_row *rows, size_t n);

/* The growing-types table: type, objects and bytes per checkpoint, how
 * steady ("rose in 11/11 intervals", "steady since ckpt 1"). */
OBJREF_EXTERN int objref_format_growing(objref_buf *b, const objref_growing_row *rows, size_t n);

/* The types that grew, then were freed (objref_series_ended):
 *   "  tuple  +60/ckpt  (+4 KB)  for 10 checkpoints, up to 612 at ckpt 11; freed at exit (12 left)"
 * "at exit" when the count fell (90 % of its fall) at the last checkpoint
 * and that one is labelled "end" (objref-chain's), else "by ckpt K" (the
 * first after the fall, from 1); "540 of 600 freed" when not all were. */
OBJREF_EXTERN int objref_format_ended(objref_buf *b, const objref_ended_row *rows, size_t n);

#ifdef __cplusplus
}
#endif
#endif

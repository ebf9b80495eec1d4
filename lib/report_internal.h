/*
 * lib/report_internal.h — what the text reports of lib/report.c share with
 * the other report files (report_growth.c): a table of types by growth
 * rate with aligned columns.
 */
#ifndef OBJREF_REPORT_INTERNAL_H
#define OBJREF_REPORT_INTERNAL_H

#include "objref/report.h"

/* Characters (UTF-8 code points) in s: the width a name takes. */
size_t objref__utf8_width(const char *s);

/* One row's aligned fields: the widths of the name, count and bytes
 * columns, and the row's own count ("+1,000/ckpt") and bytes ("+88 KB"). */
typedef struct {
	size_t width, cwidth, bwidth;
	const char *count, *bytes;
} objref__rate_cols;

/* Row i of rows: its name and rates per checkpoint. */
typedef void (*objref__rate_of)(const void *rows, size_t i, const char **name, double *objects,
	double *bytes);
/* Write row i with its columns; 0 or OBJREF_ENOMEM. */
typedef int (*objref__rate_row)(objref_buf *b, const void *rows, size_t i, const objref__rate_cols *c);

/* The n rows, columns aligned over all of them.  0 or OBJREF_ENOMEM. */
int objref__format_rates(objref_buf *b, const void *rows, size_t n, objref__rate_of rate,
	objref__rate_row row);

#endif

/*
 * lib/report_growth.c — growth that ended before the last checkpoint
 * (objref_series_ended), as text and as JSON rows.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "report_internal.h"
#include "objref/report.h"
#include "objref/run_report.h"

/* Whether the count fell to its last at the last checkpoint, the end of
 * the program (objref-chain labels it "end"). */
static int at_exit(const objref_ended_row *r)
{
	return r->fell_at == r->intervals && strcmp(r->last_label, "end") == 0;
}

/* "freed at exit (12 left)", "540 of 600 freed by ckpt 9". */
static int freed(objref_buf *b, const objref_ended_row *r)
{
	char when[32];

	if (at_exit(r))
		snprintf(when, sizeof(when), "at exit");
	else
		snprintf(when, sizeof(when), "by ckpt %u", r->fell_at + 1);

	if (r->last > r->first) {
		objref_format_count(b, r->peak - r->last);
		objref_buf_printf(b, " of ");
		objref_format_count(b, r->peak - r->first);
		return objref_buf_printf(b, " freed %s", when);
	}
	objref_buf_printf(b, "freed %s", when);
	if (!r->last)
		return 0;
	objref_buf_printf(b, " (");
	objref_format_count(b, r->last);
	return objref_buf_printf(b, " left)");
}

static void ended_rate(const void *rows, size_t i, const char **name, double *objects,
	double *bytes)
{
	const objref_ended_row *r = (const objref_ended_row *)rows + i;

	*name = r->name;
	*objects = r->objects_per_ckpt;
	*bytes = r->bytes_per_ckpt;
}

static int ended_row(objref_buf *b, const void *rows, size_t i, const objref__rate_cols *c)
{
	const objref_ended_row *r = (const objref_ended_row *)rows + i;

	objref_buf_printf(b, "  %s%*s %*s  (%s)%*s  for %u checkpoint%s, up to ", r->name,
		(int)(c->width - objref__utf8_width(r->name)), "", (int)c->cwidth, c->count, c->bytes,
		(int)(c->bwidth - strlen(c->bytes)), "", r->peak_at, r->peak_at == 1 ? "" : "s");
	objref_format_count(b, r->peak);
	/* checkpoints are numbered from 1 in text */
	objref_buf_printf(b, " at ckpt %u; ", r->peak_at + 1);
	freed(b, r);
	return objref_buf_put(b, "\n", 1);
}

int objref_format_ended(objref_buf *b, const objref_ended_row *rows, size_t n)
{
	return objref__format_rates(b, rows, n, ended_rate, ended_row);
}

int objref_ended_json(objref_json *w, const objref_ended_row *rows, size_t n)
{
	objref_json_array(w);
	for (size_t i = 0; i < n; i++) {
		const objref_ended_row *r = &rows[i];
		objref_json_object(w);
		objref_json_key(w, "type");
		objref_json_str(w, r->name);
		objref_json_key(w, "first");
		objref_json_uint(w, r->first);
		objref_json_key(w, "peak");
		objref_json_uint(w, r->peak);
		objref_json_key(w, "last");
		objref_json_uint(w, r->last);
		objref_json_key(w, "objects_per_ckpt");
		objref_json_double(w, r->objects_per_ckpt);
		objref_json_key(w, "bytes_per_ckpt");
		objref_json_double(w, r->bytes_per_ckpt);
		objref_json_key(w, "rises");
		objref_json_uint(w, r->rises);
		objref_json_key(w, "grew_for");
		objref_json_uint(w, r->peak_at);
		objref_json_key(w, "peak_checkpoint");
		objref_json_uint(w, (uint64_t)r->peak_at + 1);
		objref_json_key(w, "peak_seconds");
		objref_json_double(w, r->peak_seconds);
		objref_json_key(w, "freed_by_checkpoint");
		objref_json_uint(w, (uint64_t)r->fell_at + 1);
		objref_json_key(w, "freed_at_exit");
		objref_json_bool(w, at_exit(r));
		objref_json_end(w);
	}
	objref_json_end(w);
	return objref_json_failed(w) ? OBJREF_ENOMEM : 0;
}

/*
 * lib/report_growth.c — growth that ended before the last checkpoint
 * (objref_series_ended), as text and as JSON rows.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "objref/report.h"
#include "objref/run_report.h"

/* Characters (UTF-8 code points) in s. */
static size_t chars_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* "+60/ckpt", "+0.5/ckpt" into out. */
static int per_ckpt(objref_buf *out, double v)
{
	int err = objref_buf_put(out, "+", 1);

	if (!err && v < 10 && v != (double)(uint64_t)v)
		return objref_buf_printf(out, "%.1f/ckpt", v);
	if (!err)
		err = objref_format_count(out, (uint64_t)(v + 0.5));
	return err ? err : objref_buf_put(out, "/ckpt", 5);
}

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

static int ended_row(objref_buf *b, const objref_ended_row *r, size_t width, size_t cwidth,
	const char *count, size_t bwidth, const char *bytes)
{
	objref_buf_printf(b, "  %s%*s %*s  (%s)%*s  for %u checkpoint%s, up to ", r->name,
		(int)(width - chars_of(r->name)), "", (int)cwidth, count, bytes,
		(int)(bwidth - strlen(bytes)), "", r->peak_at, r->peak_at == 1 ? "" : "s");
	objref_format_count(b, r->peak);
	/* checkpoints are numbered from 1 in text */
	objref_buf_printf(b, " at ckpt %u; ", r->peak_at + 1);
	freed(b, r);
	return objref_buf_put(b, "\n", 1);
}

int objref_format_ended(objref_buf *b, const objref_ended_row *rows, size_t n)
{
	objref_buf *cols = objref__calloc(OBJREF__MAX(2 * n, 1), sizeof(objref_buf));
	size_t width = 0, cwidth = 0, bwidth = 0;
	int err = cols ? 0 : OBJREF_ENOMEM;

	for (size_t i = 0; i < n && !err; i++) {
		err = per_ckpt(&cols[2 * i], rows[i].objects_per_ckpt);
		if (!err)
			err = objref_format_bytes(&cols[2 * i + 1], rows[i].bytes_per_ckpt, 1);
		width = OBJREF__MAX(width, chars_of(rows[i].name));
		cwidth = OBJREF__MAX(cwidth, cols[2 * i].len);
		bwidth = OBJREF__MAX(bwidth, cols[2 * i + 1].len);
	}
	for (size_t i = 0; i < n && !err; i++)
		err = ended_row(b, &rows[i], width, cwidth, cols[2 * i].data, bwidth, cols[2 * i + 1].data);
	for (size_t i = 0; cols && i < 2 * n; i++)
		objref_buf_dispose(&cols[i]);
	objref__free(cols);
	return err ? err : objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
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

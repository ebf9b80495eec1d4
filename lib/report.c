/*
 * lib/report.c — text tables into a growable buffer.  Layouts of objgraph's
 * tables are reproduced byte for byte (Python's %-*s pads by characters, so
 * widths count UTF-8 code points, not bytes).
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "report_internal.h"
#include "objref/report.h"

int objref_buf_vprintf(objref_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int need;

	if (b->failed)
		return OBJREF_ENOMEM;
	va_copy(ap2, ap);
	need = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (need < 0)
		return objref__error(OBJREF_EINVAL, "bad format string");
	if (objref__grow((void **)&b->data, &b->cap, b->len + (size_t)need + 1, 1) < 0) {
		b->failed = 1;
		return OBJREF_ENOMEM;
	}
	vsnprintf(b->data + b->len, (size_t)need + 1, fmt, ap);
	b->len += (size_t)need;
	return 0;
}

int objref_buf_printf(objref_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = objref_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

int objref_buf_put(objref_buf *b, const char *s, size_t len)
{
	if (b->failed)
		return OBJREF_ENOMEM;
	if (objref__grow((void **)&b->data, &b->cap, b->len + len + 1, 1) < 0) {
		b->failed = 1;
		return OBJREF_ENOMEM;
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int objref_buf_failed(const objref_buf *b)
{
	return b->failed;
}

void objref_buf_dispose(objref_buf *b)
{
	objref__free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Characters (UTF-8 code points) in s. */
static size_t width_of(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* s left-aligned in a field of `width` characters (Python's "%-*s"). */
static int put_padded(objref_buf *b, const char *s, size_t width)
{
	size_t w = width_of(s);
	int err = objref_buf_put(b, s, strlen(s));

	for (; !err && w < width; w++)
		err = objref_buf_put(b, " ", 1);
	return err;
}

int objref_format_count(objref_buf *b, uint64_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n), err = 0;

	for (int i = 0; i < len && !err; i++) {
		err = objref_buf_put(b, &digits[i], 1);
		if (!err && i < len - 1 && (len - 1 - i) % 3 == 0)
			err = objref_buf_put(b, ",", 1);
	}
	return err;
}

int objref_format_bytes(objref_buf *b, double bytes, int with_sign)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double v = bytes < 0 ? -bytes : bytes;
	const char *sign = bytes < 0 ? "-" : with_sign ? "+" : "";
	size_t u = 0;

	while (v >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		return objref_buf_printf(b, "%s%.0f B", sign, v);
	return objref_buf_printf(b, v < 10 ? "%s%.1f %s" : "%s%.0f %s", sign, v, units[u]);
}

static size_t widest_census(const objref_census_row *rows, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w = OBJREF__MAX(w, width_of(rows[i].name));
	return w;
}

int objref_format_most_common(objref_buf *b, const objref_census_row *rows, size_t n)
{
	size_t width = widest_census(rows, n);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		err = put_padded(b, rows[i].name, width);
		if (!err)
			err = objref_buf_printf(b, " %llu\n", (unsigned long long)rows[i].count);
	}
	return err;
}

int objref_format_census(objref_buf *b, const objref_census_row *rows, size_t n)
{
	size_t width = widest_census(rows, n);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		objref_buf sz = { 0 };
		err = put_padded(b, rows[i].name, width);
		if (!err && !(err = objref_format_bytes(&sz, (double)rows[i].bytes, 0)))
			err = objref_buf_printf(b, " %10llu %10s\n",
				(unsigned long long)rows[i].count, sz.data);
		objref_buf_dispose(&sz);
	}
	return err;
}

int objref_format_growth(objref_buf *b, const objref_growth_row *rows, size_t n)
{
	size_t width = 0;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		width = OBJREF__MAX(width, width_of(rows[i].name));
	for (size_t i = 0; i < n && !err; i++) {
		err = put_padded(b, rows[i].name, width);
		if (!err)
			err = objref_buf_printf(b, "%9llu %+9lld\n", (unsigned long long)rows[i].count,
				(long long)rows[i].delta);
	}
	return err;
}

/* "+1,000/ckpt" into a fresh buffer. */
static int per_ckpt(objref_buf *out, double v)
{
	int err = objref_buf_put(out, v < 0 ? "-" : "+", 1);
	double a = v < 0 ? -v : v;

	if (!err && a < 10 && a != (double)(uint64_t)a)
		return objref_buf_printf(out, "%.1f/ckpt", a);
	if (!err)
		err = objref_format_count(out, (uint64_t)(a + 0.5));
	return err ? err : objref_buf_put(out, "/ckpt", 5);
}

int objref__format_rates(objref_buf *b, const void *rows, size_t n, objref__rate_of rate,
	objref__rate_row row)
{
	objref_buf *cols = objref__calloc(OBJREF__MAX(2 * n, 1), sizeof(objref_buf));
	objref__rate_cols c = { 0, 0, 0, NULL, NULL };
	int err = cols ? 0 : OBJREF_ENOMEM;

	/* cols[2i]: "+1,000/ckpt"; cols[2i+1]: "+88 KB" — columns aligned. */
	for (size_t i = 0; i < n && !err; i++) {
		const char *name;
		double objects, bytes;
		rate(rows, i, &name, &objects, &bytes);
		err = per_ckpt(&cols[2 * i], objects);
		if (!err)
			err = objref_format_bytes(&cols[2 * i + 1], bytes, 1);
		c.width = OBJREF__MAX(c.width, width_of(name));
		c.cwidth = OBJREF__MAX(c.cwidth, cols[2 * i].len);
		c.bwidth = OBJREF__MAX(c.bwidth, cols[2 * i + 1].len);
	}
	for (size_t i = 0; i < n && !err; i++) {
		c.count = cols[2 * i].data;
		c.bytes = cols[2 * i + 1].data;
		err = row(b, rows, i, &c);
	}
	for (size_t i = 0; cols && i < 2 * n; i++)
		objref_buf_dispose(&cols[i]);
	objref__free(cols);
	return err ? err : objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

size_t objref__utf8_width(const char *s)
{
	return width_of(s);
}

static void growing_rate(const void *rows, size_t i, const char **name, double *objects,
	double *bytes)
{
	const objref_growing_row *r = (const objref_growing_row *)rows + i;

	*name = r->name;
	*objects = r->objects_per_ckpt;
	*bytes = r->bytes_per_ckpt;
}

static int growing_row(objref_buf *b, const void *rows, size_t i, const objref__rate_cols *c)
{
	const objref_growing_row *r = (const objref_growing_row *)rows + i;
	int err = objref_buf_put(b, "  ", 2);

	if (!err)
		err = put_padded(b, r->name, c->width);
	if (!err)
		err = objref_buf_printf(b, " %*s  (%s)%*s  now ", (int)c->cwidth, c->count, c->bytes,
			(int)(c->bwidth - strlen(c->bytes)), "");
	if (!err)
		err = objref_format_count(b, r->last);
	if (!err)
		err = objref_buf_printf(b, ", rose in %u/%u intervals", r->rises, r->intervals);
	/* Checkpoints are numbered from 1 in text. */
	if (!err && r->steady_since < r->intervals)
		err = objref_buf_printf(b, ", steady since ckpt %u", r->steady_since + 1);
	return err ? err : objref_buf_put(b, "\n", 1);
}

int objref_format_growing(objref_buf *b, const objref_growing_row *rows, size_t n)
{
	return objref__format_rates(b, rows, n, growing_rate, growing_row);
}

/*
 * lib/unexplained.c — memory that no object explains (objref/unexplained.h):
 * the allocator's blocks against the census' objects, and the allocation
 * sites of the blocks no reached object accounts for.
 */
#include <string.h>
#include "internal.h"
#include "objref/report.h"
#include "objref/unexplained.h"

/* "+12", "-3", "+0" (rounded) into b. */
static int format_signed(objref_buf *b, double v)
{
	int err = objref_buf_put(b, v < -0.5 ? "-" : "+", 1);

	return err ? err : objref_format_count(b, (uint64_t)((v < 0 ? -v : v) + 0.5));
}

/* blocks - objects at checkpoint i (blocks known). */
static int64_t unexplained_at(const objref_series *s, size_t i)
{
	return objref_series_blocks(s, i) - (int64_t)objref_census_total_count(objref_series_census(s, i));
}

void objref_series_unexplained(objref_unexplained *u, const objref_series *s)
{
	const size_t w = OBJREF_UNEXPLAINED_WARMUP;
	size_t n = objref_series_len(s);
	int64_t prev = 0, falls = 0, net;
	double objects;

	memset(u, 0, sizeof(*u));
	if (n < w + 1 + OBJREF_UNEXPLAINED_MIN_INTERVALS)
		return;
	for (size_t i = w; i < n; i++)
		if (objref_series_blocks(s, i) < 0)
			return;
	u->measured = 1;
	u->intervals = (uint32_t)(n - 1 - w);
	for (size_t i = w; i < n; i++) {
		int64_t v = unexplained_at(s, i);
		if (i == w)
			u->first = v;
		else if (v > prev)
			u->rises++;
		else
			falls += prev - v;
		prev = v;
	}
	u->last = prev;
	net = u->last - u->first;
	objects = (double)objref_census_total_count(objref_series_census(s, n - 1)) -
		(double)objref_census_total_count(objref_series_census(s, w));
	u->blocks_per_ckpt = (double)net / u->intervals;
	u->objects_per_ckpt = objects / u->intervals;
	u->leaking = net > falls && (double)u->rises > 0.5 * u->intervals &&
		u->blocks_per_ckpt >= OBJREF_UNEXPLAINED_MIN &&
		u->blocks_per_ckpt > OBJREF_UNEXPLAINED_RATIO * (objects > 0 ? u->objects_per_ckpt : 0);
}

/* Site row i of `now` as an unexplained row: 1 when it is one. */
static int site_row(objref_site_row *r, const objref_alloc_sites *a, size_t i, uint32_t intervals,
	double floor)
{
	const objref_census_row *now = &objref_census_rows(a->now)[i];
	const objref_census_row *was = a->before ? objref_census_find(a->before, now->name) : NULL;
	const objref_census_row *hit = a->reached ? objref_census_find(a->reached, now->name) : NULL;
	uint64_t reached = hit ? hit->count : 0, before = was ? was->count : 0, grew, unreached;

	if (now->count <= before || now->count <= reached)
		return 0;
	grew = now->count - before;
	unreached = now->count - reached;
	if ((double)unreached <= OBJREF_UNEXPLAINED_SITE_RATIO * (double)reached)
		return 0;
	r->site = now->name;
	r->blocks = now->count;
	r->reached = reached;
	r->blocks_per_ckpt = (double)(grew < unreached ? grew : unreached) / (intervals ? intervals : 1);
	r->bytes_per_ckpt = r->blocks_per_ckpt * (double)now->bytes / (double)now->count;
	return r->blocks_per_ckpt >= floor && r->blocks_per_ckpt >= 1.0;
}

int objref_unexplained_sites(objref_site_row **out, size_t *n, double *bytes_per_ckpt,
	const objref_alloc_sites *a, uint32_t intervals, double floor, size_t limit)
{
	size_t len, k = 0;
	objref_site_row *rows;
	double bytes = 0;

	*out = NULL;
	*n = 0;
	if (bytes_per_ckpt)
		*bytes_per_ckpt = 0;
	if (!a || !a->now)
		return objref__error(OBJREF_EINVAL, "no allocation sites were measured");
	len = objref_census_len(a->now);
	if (!(rows = objref__malloc(OBJREF__MAX(len, 1) * sizeof(*rows))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		objref_site_row r;
		size_t j;
		if (!site_row(&r, a, i, intervals, floor))
			continue;
		bytes += r.bytes_per_ckpt;
		for (j = k; j > 0 && (rows[j - 1].blocks_per_ckpt < r.blocks_per_ckpt ||
		     (rows[j - 1].blocks_per_ckpt == r.blocks_per_ckpt &&
		      strcmp(rows[j - 1].site, r.site) > 0)); j--)
			rows[j] = rows[j - 1];
		rows[j] = r;
		k++;
	}
	*out = rows;
	*n = k < limit ? k : limit;
	if (bytes_per_ckpt)
		*bytes_per_ckpt = bytes;
	return 0;
}

static int traced(const objref_alloc_sites *a)
{
	return a && a->now;
}

/* The intervals from the checkpoint of a->before to the last of s. */
static uint32_t site_intervals(const objref_series *s, const objref_alloc_sites *a)
{
	size_t n = objref_series_len(s);

	return a->before_at + 1 < n ? (uint32_t)(n - 1 - a->before_at) : 1;
}

/* "    /srv/app.py:27  +100/ckpt  (+5.9 KB)" for each site. */
static int sites_text(objref_buf *b, const objref_site_row *rows, size_t n)
{
	size_t width = 0;

	for (size_t i = 0; i < n; i++)
		width = OBJREF__MAX(width, strlen(rows[i].site));
	objref_buf_printf(b, "  allocated at (tracemalloc, per checkpoint):\n");
	for (size_t i = 0; i < n; i++) {
		objref_buf_printf(b, "    %-*s  +", (int)width, rows[i].site);
		objref_format_count(b, (uint64_t)(rows[i].blocks_per_ckpt + 0.5));
		objref_buf_printf(b, "/ckpt  (");
		objref_format_bytes(b, rows[i].bytes_per_ckpt, 1);
		objref_buf_printf(b, ")\n");
	}
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

int objref_unexplained_text(objref_buf *b, const objref_series *s, const objref_alloc_sites *sites)
{
	objref_unexplained u;
	objref_site_row *rows = NULL;
	size_t n = 0;
	double bytes = 0;
	int err = 0;

	objref_series_unexplained(&u, s);
	if (!u.leaking)
		return 0;
	if (traced(sites) && (err = objref_unexplained_sites(&rows, &n, &bytes, sites,
			site_intervals(s, sites),
			OBJREF_UNEXPLAINED_SITE_SHARE * u.blocks_per_ckpt, OBJREF_UNEXPLAINED_SITES_SHOWN)) < 0)
		return err;
	objref_buf_printf(b, "memory no object explains: +");
	objref_format_count(b, (uint64_t)(u.blocks_per_ckpt + 0.5));
	objref_buf_printf(b, " blocks/ckpt");
	if (traced(sites) && bytes > 0) {
		objref_buf_printf(b, " (");
		objref_format_bytes(b, bytes, 0);
		objref_buf_printf(b, ")");
	}
	objref_buf_printf(b, " alive but unreachable from any object: leaked references from C?\n");
	objref_buf_printf(b, "  (the allocator's blocks less the objects a heap walk reaches rose in %u "
		"of %u intervals; the objects: ", u.rises, u.intervals);
	format_signed(b, u.objects_per_ckpt);
	objref_buf_printf(b, "/ckpt)%s\n", traced(sites) ? "" :
		"; run with --tracemalloc for their bytes and allocation sites");
	if (n)
		err = sites_text(b, rows, n);
	else if (traced(sites))
		objref_buf_printf(b, "  no traced allocation site accounts for them (allocated "
			"before tracing began, or by C code tracemalloc does not see)\n");
	objref_free(rows);
	return err ? err : objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

static void site_json(objref_json *w, const objref_site_row *r)
{
	objref_json_object(w);
	objref_json_key(w, "site");
	objref_json_str(w, r->site);
	objref_json_key(w, "blocks_per_ckpt");
	objref_json_double(w, r->blocks_per_ckpt);
	objref_json_key(w, "bytes_per_ckpt");
	objref_json_double(w, r->bytes_per_ckpt);
	objref_json_key(w, "blocks");
	objref_json_uint(w, r->blocks);
	objref_json_key(w, "reached");
	objref_json_uint(w, r->reached);
	objref_json_end(w);
}

int objref_unexplained_json(objref_json *w, const objref_series *s, const objref_alloc_sites *sites)
{
	objref_unexplained u;
	objref_site_row *rows = NULL;
	size_t n = 0;
	double bytes = 0;
	int err;

	objref_series_unexplained(&u, s);
	if (!u.leaking)
		return 0;
	if (traced(sites) && (err = objref_unexplained_sites(&rows, &n, &bytes, sites,
			site_intervals(s, sites),
			OBJREF_UNEXPLAINED_SITE_SHARE * u.blocks_per_ckpt, OBJREF_UNEXPLAINED_SITES_SHOWN)) < 0)
		return err;
	objref_json_key(w, "unexplained");
	objref_json_object(w);
	objref_json_key(w, "leaking");
	objref_json_bool(w, u.leaking);
	objref_json_key(w, "blocks_per_ckpt");
	objref_json_double(w, u.blocks_per_ckpt);
	objref_json_key(w, "objects_per_ckpt");
	objref_json_double(w, u.objects_per_ckpt);
	objref_json_key(w, "rises");
	objref_json_uint(w, u.rises);
	objref_json_key(w, "intervals");
	objref_json_uint(w, u.intervals);
	objref_json_key(w, "bytes_per_ckpt");
	if (traced(sites))
		objref_json_double(w, bytes);
	else
		objref_json_null(w);
	objref_json_key(w, "sites");
	objref_json_array(w);
	for (size_t i = 0; i < n; i++)
		site_json(w, &rows[i]);
	objref_json_end(w);
	objref_json_end(w);
	objref_free(rows);
	return objref_json_failed(w) ? OBJREF_ENOMEM : 0;
}

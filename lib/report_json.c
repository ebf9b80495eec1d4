/*
 * lib/report_json.c — the run report as one JSON document
 * (include/objref/run_report.h).  Key order and number formats are
 * objref-chain's --json (the golden files of tests/cli compare bytes).
 */
#include "objref/census_report.h"
#include "objref/json.h"
#include "objref/run_report.h"
#include "internal.h"

static void growing_row(objref_json *w, const objref_growing_row *r)
{
	objref_json_object(w);
	objref_json_key(w, "type");
	objref_json_str(w, r->name);
	objref_json_key(w, "first");
	objref_json_uint(w, r->first);
	objref_json_key(w, "last");
	objref_json_uint(w, r->last);
	objref_json_key(w, "objects_per_ckpt");
	objref_json_double(w, r->objects_per_ckpt);
	objref_json_key(w, "bytes_per_ckpt");
	objref_json_double(w, r->bytes_per_ckpt);
	objref_json_key(w, "rises");
	objref_json_uint(w, r->rises);
	objref_json_key(w, "intervals");
	objref_json_uint(w, r->intervals);
	objref_json_key(w, "steady_since");
	if (r->steady_since < r->intervals)
		objref_json_uint(w, (uint64_t)r->steady_since + 1);
	else
		objref_json_null(w);
	objref_json_end(w);
}

static void census_row(objref_json *w, const objref_census_row *r)
{
	objref_json_object(w);
	objref_json_key(w, "type");
	objref_json_str(w, r->name);
	objref_json_key(w, "count");
	objref_json_uint(w, r->count);
	objref_json_key(w, "bytes");
	objref_json_uint(w, r->bytes);
	objref_json_end(w);
}

/* "growing": the series' growing types. */
static int growing(objref_json *w, const objref_series *s)
{
	objref_growing_row *rows;
	size_t n;
	int err;

	if ((err = objref_series_growing(&rows, &n, s, NULL)) < 0)
		return err;
	objref_json_array(w);
	for (size_t i = 0; i < n; i++)
		growing_row(w, &rows[i]);
	objref_json_end(w);
	objref_free(rows);
	return 0;
}

/* "grew_then_freed": the types that grew over most of the run and were
 * freed before its end (objref_series_ended_reported: all when no type
 * grows to the end, else the ones that dwarf it), when there are; the key
 * is left out otherwise. */
static int ended(objref_json *w, const objref_series *s)
{
	objref_ended_row *rows;
	size_t n;
	int err;

	if ((err = objref_series_ended_reported(&rows, &n, s, NULL)) < 0)
		return err;
	if (n) {
		objref_json_key(w, "grew_then_freed");
		err = objref_ended_json(w, rows, n);
	}
	objref_free(rows);
	return err;
}

/* "top": the `top` most common types of the last census (none: []). */
static int top(objref_json *w, const objref_census *last, size_t limit)
{
	objref_census *c = NULL;
	int err;

	if (last && (err = objref_census_top(&c, last, limit)) < 0)
		return err;
	objref_json_array(w);
	for (size_t i = 0; c && i < objref_census_len(c); i++)
		census_row(w, &objref_census_rows(c)[i]);
	objref_json_end(w);
	objref_census_free(c);
	return 0;
}

static void heap(objref_json *w, const objref_census *last)
{
	if (!last) {
		objref_json_null(w);
		return;
	}
	objref_json_object(w);
	objref_json_key(w, "objects");
	objref_json_uint(w, objref_census_total_count(last));
	objref_json_key(w, "bytes");
	objref_json_uint(w, objref_census_total_bytes(last));
	objref_json_end(w);
}

int objref_run_report_json(objref_buf *out, const objref_run_report *r)
{
	objref_json w = OBJREF_JSON_INIT(out);
	size_t n;
	const objref_census *last;
	int err;

	if (!r || !r->series)
		return objref__error(OBJREF_EINVAL, "a run report needs its series of checkpoints");
	n = objref_series_len(r->series);
	last = n ? objref_series_census(r->series, n - 1) : NULL;
	objref_json_object(&w);
	objref_json_key(&w, "schema");
	objref_json_str(&w, "objref-chain/1");
	objref_json_key(&w, "program");
	objref_json_str(&w, r->program ? r->program : "");
	objref_json_key(&w, "seconds");
	objref_json_double(&w, r->seconds);
	objref_json_key(&w, "checkpoints");
	objref_json_uint(&w, n);
	objref_json_key(&w, "heap");
	heap(&w, last);
	objref_json_key(&w, "growing");
	if ((err = growing(&w, r->series)) < 0 || (err = ended(&w, r->series)) < 0)
		return err;
	if (r->top) {
		objref_json_key(&w, "top");
		if ((err = top(&w, last, r->top)) < 0)
			return err;
	}
	objref_json_key(&w, "chains");
	if (r->chains)
		objref_chains_report_json(&w, r->chains, 1);
	else
		objref_json_null(&w);
	if (r->cycles) {
		objref_json_key(&w, "cycles");
		objref_cycles_report_json(&w, r->cycles);
	}
	if ((err = objref_unexplained_json(&w, r->series, r->sites)) < 0)
		return err;
	objref_json_end(&w);
	return objref_json_failed(&w) ? OBJREF_ENOMEM : 0;
}

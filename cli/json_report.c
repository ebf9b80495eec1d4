/*
 * cli/json_report.c — the --json report (see json_report.h), written with
 * libobjref's JSON writer: the same bytes json.dumps wrote before.
 */
#include "objref/growth.h"
#include "objref/json.h"
#include "json_report.h"
#include "pycompat.h"

static void growing_list(objref_json *w, const objref_series *s)
{
	objref_growing_row *rows;
	size_t n;

	if (objref_series_growing(&rows, &n, s, NULL) < 0) {
		w->failed = OBJREF_ENOMEM;
		return;
	}
	objref_json_array(w);
	for (size_t i = 0; i < n; i++) {
		const objref_growing_row *r = &rows[i];
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
	objref_json_end(w);
	objref_free(rows);
}

static void top_list(objref_json *w, const objref_census *last, unsigned long top)
{
	objref_census *c;
	size_t n;

	objref_json_array(w);
	if (last && objref_census_sorted(&c, last) == 0) {
		n = objref_census_len(c) < top ? objref_census_len(c) : top;
		for (size_t i = 0; i < n; i++) {
			const objref_census_row *row = &objref_census_rows(c)[i];
			objref_json_object(w);
			objref_json_key(w, "type");
			objref_json_str(w, row->name);
			objref_json_key(w, "count");
			objref_json_uint(w, row->count);
			objref_json_key(w, "bytes");
			objref_json_uint(w, row->bytes);
			objref_json_end(w);
		}
		objref_census_free(c);
	}
	objref_json_end(w);
}

static void report(objref_json *w, const chain_report *r, const objref_chains_report *chains)
{
	size_t n = objref_series_len(r->series);
	const objref_census *last = n ? objref_series_census(r->series, n - 1) : NULL;

	objref_json_object(w);
	objref_json_key(w, "schema");
	objref_json_str(w, "objref-chain/1");
	objref_json_key(w, "program");
	objref_json_str(w, r->display);
	objref_json_key(w, "seconds");
	objref_json_double(w, r->seconds);
	objref_json_key(w, "checkpoints");
	objref_json_uint(w, n);
	objref_json_key(w, "heap");
	if (last) {
		objref_json_object(w);
		objref_json_key(w, "objects");
		objref_json_uint(w, objref_census_total_count(last));
		objref_json_key(w, "bytes");
		objref_json_uint(w, objref_census_total_bytes(last));
		objref_json_end(w);
	} else {
		objref_json_null(w);
	}
	objref_json_key(w, "growing");
	growing_list(w, r->series);
	if (r->top) {
		objref_json_key(w, "top");
		top_list(w, last, r->top);
	}
	objref_json_key(w, "chains");
	if (chains)
		objref_chains_report_json(w, chains, 1);
	else
		objref_json_null(w);
	if (r->cycles) {
		objref_json_key(w, "cycles");
		objref_cycles_report_json(w, r->cycles);
	}
	objref_json_end(w);
}

int chain_report_json(objref_buf *b, const chain_report *r, const objref_chains_report *chains)
{
	objref_json w = OBJREF_JSON_INIT(b);

	report(&w, r, chains);
	if (objref_json_failed(&w) || objref_buf_printf(b, "\n") < 0) {
		if (Py_IsInitialized() && PyErr_Occurred()) /* --from runs no interpreter */
			PyErr_Print();
		fprintf(stderr, "objref-chain: the JSON report could not be written\n");
		return -1;
	}
	return 0;
}

/*
 * cli/report.c — the text report of a run (see report.h).  Reads the
 * series only; formats with objref/report.h.
 */
#include "objref/growth.h"
#include "objref/unexplained.h"
#include "report.h"

/* "objref-chain: app.py ran 1.2 s, 31 checkpoints, heap 61,874 objects (9 MB)" */
static int header(objref_buf *b, const chain_report *r)
{
	size_t n = objref_series_len(r->series);
	const objref_census *last = n ? objref_series_census(r->series, n - 1) : NULL;

	objref_buf_printf(b, "objref-chain: %s ran %.1f s, %zu checkpoint%s", r->display,
		r->seconds, n, n == 1 ? "" : "s");
	if (last) {
		objref_buf_printf(b, ", heap ");
		objref_format_count(b, objref_census_total_count(last));
		objref_buf_printf(b, " objects (");
		objref_format_bytes(b, (double)objref_census_total_bytes(last), 0);
		objref_buf_printf(b, ")");
	}
	return objref_buf_printf(b, "\n");
}

/* The N most common types at the last checkpoint, objgraph's format. */
static int most_common(objref_buf *b, const chain_report *r)
{
	size_t n = objref_series_len(r->series), rows;
	objref_census *copy;
	int err;

	if (!n)
		return objref_buf_printf(b, "no checkpoint was taken: no census to show\n");
	if ((err = objref_census_sorted(&copy, objref_series_census(r->series, n - 1))) < 0)
		return err;
	rows = objref_census_len(copy) < r->top ? objref_census_len(copy) : r->top;
	objref_buf_printf(b, "most common types at the last checkpoint (%s), %zu of %zu types:\n",
		objref_series_label(r->series, n - 1), rows, objref_census_len(copy));
	err = objref_format_most_common(b, objref_census_rows(copy), rows);
	objref_census_free(copy);
	return err;
}

/* Why no growth can be shown, and what would let it be. */
static int no_growth(objref_buf *b, size_t n)
{
	if (n >= 2)
		return objref_buf_printf(b, "no type grew across %zu checkpoints\n", n);
	return objref_buf_printf(b,
		"no type grew across %zu checkpoint%s: growth needs at least 2; take more with\n"
		"  --interval SEC, --every MODULE:FUNC=N, or objref.checkpoint() in the program\n",
		n, n == 1 ? "" : "s");
}

/* The types that grew over most of the run and were freed before its end,
 * as objref_series_ended_reported has them (the JSON report's
 * grew_then_freed); with no growth at all, why none can be shown. */
static int ended(objref_buf *b, const chain_report *r, size_t ngrowing)
{
	size_t n = objref_series_len(r->series), k;
	objref_ended_row *rows;
	int err;

	if ((err = objref_series_ended_reported(&rows, &k, r->series, NULL)) < 0)
		return err;
	if (!k && !ngrowing)
		err = no_growth(b, n);
	else if (k && !ngrowing)
		err = objref_buf_printf(b, "no type grew to the end; these grew, then were freed before "
			"the last of %zu checkpoints (per checkpoint while growing):\n", n);
	else if (k)
		err = objref_buf_printf(b, "these grew faster, then were freed before the last of %zu "
			"checkpoints (per checkpoint while growing):\n", n);
	if (!err && k)
		err = objref_format_ended(b, rows, k);
	objref_free(rows);
	return err;
}

static int growing(objref_buf *b, const chain_report *r)
{
	size_t n = objref_series_len(r->series), k;
	objref_growing_row *rows;
	int err;

	if ((err = objref_series_growing(&rows, &k, r->series, NULL)) < 0)
		return err;
	if (k && !(err = objref_buf_printf(b,
			"growing types (per checkpoint, trend over %zu samples):\n", n)))
		err = objref_format_growing(b, rows, k);
	objref_free(rows);
	return err ? err : ended(b, r, k);
}

int chain_report_format(objref_buf *b, const chain_report *r)
{
	int err = header(b, r);

	if (!err && r->top)
		err = most_common(b, r);
	if (!err && r->growth)
		err = growing(b, r);
	if (!err && r->growth)
		err = objref_unexplained_text(b, r->series, r->sites);
	return err ? err : objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/*
 * cli/html.c — objref-chain --html FILE (see html.h).
 */
#include <stdio.h>
#include <string.h>
#include "html.h"
#include "output_check.h"
#include "objref/census.h"

/* Heaps above this many objects get no retained sizes: the snapshot and
 * the dominator tree would cost seconds more (about 1 s per million). */
#define CHAIN_HTML_RETAINED_MAX 2000000u
#define CHAIN_HTML_RETAINED_ROWS 20

int chain_html_check(const char *path)
{
	return chain_output_check(path, "the HTML report", "name a file in a writable directory");
}

/* The retained sizes, when cheap; else why not, in note. */
static void get_retained(objref_html_report *r, char *note, size_t size, const objref_CAPI *api,
	const objref_series *s)
{
	size_t k = objref_series_len(s);
	uint64_t n = k ? objref_census_total_count(objref_series_census(s, k - 1)) : 0;
	objref_html_retained *rows = NULL;
	size_t nrows = 0;

	if (n > CHAIN_HTML_RETAINED_MAX) {
		snprintf(note, size, "not measured: the heap holds %llu objects (more than %u, where "
			"the dominator tree would cost seconds); use objref.retained_by_type() in the "
			"program", (unsigned long long)n, CHAIN_HTML_RETAINED_MAX);
		r->retained_note = note;
		return;
	}
	if (api->retained(api->state, &rows, &nrows, CHAIN_HTML_RETAINED_ROWS) < 0) {
		PyErr_Clear();
		snprintf(note, size, "not measured: %s", "the snapshot for the dominator tree failed");
		r->retained_note = note;
		return;
	}
	r->retained = rows;
	r->nretained = nrows;
	if (!nrows)
		r->retained_note = "no object reachable from a root";
}

int chain_html_write(FILE *msg, const char *path, const objref_CAPI *api, const chain_html_parts *p)
{
	objref_html_report r = OBJREF_HTML_REPORT_INIT;
	char title[512], note[256];
	int rc;

	snprintf(title, sizeof(title), "objref-chain: %s", p->display ? p->display : "");
	r.title = title;
	r.summary = p->summary;
	r.series = p->series;
	r.chains = p->chains;
	r.cycles = p->cycles;
	r.isolate = 1;
	get_retained(&r, note, sizeof(note), api, p->series);
	rc = objref_html_report_file(path, &r);
	if (r.retained)
		api->retained_free((objref_html_retained *)r.retained, r.nretained);
	if (rc < 0) {
		fprintf(stderr, "objref-chain: cannot write the HTML report: %s\n", objref_error_last());
		return -1;
	}
	fprintf(msg, "wrote %s (HTML report)\n", path);
	return 0;
}

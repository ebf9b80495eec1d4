/*
 * cli/html.c — objref-chain --html FILE (see html.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "html.h"
#include "output_check.h"
#include "objref/census.h"
#include "objref/dominators.h"

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

/* The page of r into path; says so on msg.  0, or -1 after a message. */
static int write_page(FILE *msg, const char *path, const chain_html_parts *p, objref_html_report *r)
{
	char title[512];

	snprintf(title, sizeof(title), "objref-chain: %s", p->display ? p->display : "");
	r->title = title;
	r->summary = p->summary;
	r->series = p->series;
	r->chains = p->chains;
	r->cycles = p->cycles;
	r->isolate = 1;
	if (objref_html_report_file(path, r) < 0) {
		fprintf(stderr, "objref-chain: cannot write the HTML report: %s\n", objref_error_last());
		return -1;
	}
	fprintf(msg, "wrote %s (HTML report)\n", path);
	return 0;
}

int chain_html_write(FILE *msg, const char *path, const objref_CAPI *api, const chain_html_parts *p)
{
	objref_html_report r = OBJREF_HTML_REPORT_INIT;
	char note[256];
	int rc;

	get_retained(&r, note, sizeof(note), api, p->series);
	rc = write_page(msg, path, p, &r);
	if (r.retained)
		api->retained_free((objref_html_retained *)r.retained, r.nretained);
	return rc;
}

/* ---- from a dump (--from, --pid): plain C, no interpreter ---------------- */

typedef struct {
	objref_html_retained row;
	char *name; /* "module.qualname", owned */
} retained_row;

static int by_retained_desc(const void *a, const void *b)
{
	const retained_row *x = a, *y = b;

	if (x->row.retained != y->row.retained)
		return x->row.retained < y->row.retained ? 1 : -1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* The retained sizes of snap's types, most retained first, at most
 * CHAIN_HTML_RETAINED_ROWS of them into *out (names owned), or a note.
 * 0, or -1 (out of memory). */
static int snapshot_retained(retained_row **out, size_t *nout, char *note, size_t size,
	const objref_snapshot *snap)
{
	size_t ntypes = objref_snapshot_ntypes(snap), nobj = objref_snapshot_nobjects(snap), k = 0;
	objref_dominators *d = NULL;
	retained_row *rows = NULL;
	uint64_t *ret = NULL;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	if (nobj > CHAIN_HTML_RETAINED_MAX) {
		snprintf(note, size, "not measured: the dump holds %zu objects (more than %u, where the "
			"dominator tree would cost seconds)", nobj, CHAIN_HTML_RETAINED_MAX);
		return 0;
	}
	if (!(rows = calloc(ntypes ? ntypes : 1, sizeof(*rows))) ||
	    !(ret = calloc(ntypes ? ntypes : 1, sizeof(*ret))) ||
	    objref_dominators_build(&d, snap, NULL) < 0 || objref_dominators_by_type(ret, d, snap) < 0)
		goto cleanup;
	for (size_t t = 0; t < ntypes; t++)
		rows[t].row.retained = ret[t];
	for (objref_id id = 0; id < nobj; id++) {
		const objref_object *o = objref_snapshot_object(snap, id);
		if (objref_dominators_reachable(d, id)) {
			rows[o->type].row.count++;
			rows[o->type].row.bytes += o->size;
		}
	}
	for (size_t t = 0; t < ntypes; t++) {
		const objref_type *ty = objref_snapshot_type(snap, (objref_type_id)t);
		const char *mod = objref_snapshot_string(snap, ty->module);
		const char *name = objref_snapshot_string(snap, ty->qualname);
		size_t len;
		if (!rows[t].row.count)
			continue;
		len = strlen(mod) + strlen(name) + 2;
		if (!(rows[k].name = malloc(len)))
			goto cleanup;
		snprintf(rows[k].name, len, "%s%s%s", strcmp(mod, "builtins") && *mod ? mod : "",
			strcmp(mod, "builtins") && *mod ? "." : "", name);
		rows[k].row.name = rows[k].name;
		rows[k].row.count = rows[t].row.count;
		rows[k].row.bytes = rows[t].row.bytes;
		rows[k].row.retained = rows[t].row.retained;
		k++;
	}
	qsort(rows, k, sizeof(*rows), by_retained_desc);
	for (size_t i = CHAIN_HTML_RETAINED_ROWS; i < k; i++)
		free(rows[i].name);
	*nout = k < CHAIN_HTML_RETAINED_ROWS ? k : CHAIN_HTML_RETAINED_ROWS;
	*out = rows;
	rows = NULL;
	if (!k)
		snprintf(note, size, "no object reachable from a root");
	rc = 0;
cleanup:
	if (rows)
		for (size_t i = 0; i < k; i++)
			free(rows[i].name);
	free(rows);
	free(ret);
	objref_dominators_free(d);
	return rc;
}

int chain_html_write_dump(FILE *msg, const char *path, const objref_snapshot *last,
	const chain_html_parts *p)
{
	objref_html_report r = OBJREF_HTML_REPORT_INIT;
	objref_html_retained *flat = NULL;
	retained_row *rows = NULL;
	size_t n = 0;
	char note[256] = "";
	int rc;

	if (snapshot_retained(&rows, &n, note, sizeof(note), last) < 0 ||
	    (n && !(flat = calloc(n, sizeof(*flat))))) {
		snprintf(note, sizeof(note), "not measured: out of memory");
		n = 0;
	}
	for (size_t i = 0; i < n; i++)
		flat[i] = rows[i].row;
	r.retained = flat;
	r.nretained = flat ? n : 0;
	r.retained_note = note[0] ? note : NULL;
	rc = write_page(msg, path, p, &r);
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].name);
	free(rows);
	free(flat);
	return rc;
}

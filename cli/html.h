/*
 * cli/html.h — objref-chain --html FILE: the run's report as one HTML page,
 * made by libobjref's objref_html_report_file (objref/html_report.h), the
 * function objref.write_html() calls too.
 */
#ifndef OBJREF_CLI_HTML_H
#define OBJREF_CLI_HTML_H

#include "../python/capi.h"

/* What the page shows: the report's parts, owned by the caller. */
typedef struct {
	const char *display;                 /* the program: "app.py" */
	const char *summary;                 /* the text report's lines, or NULL */
	const objref_series *series;
	const objref_chains_report *chains;  /* or NULL */
	const objref_cycles_report *cycles;  /* --cycles, or NULL */
} chain_html_parts;

/*
 * Write the page into path (a temporary name, renamed), with the retained
 * sizes of the top 20 types when the heap is small enough for them to be
 * cheap (a snapshot and a dominator tree: see CHAIN_HTML_RETAINED_MAX).
 * Says what it wrote on `msg` ("wrote FILE").  Returns 0, or -1 after a
 * message on stderr (the Python exception, if any, cleared).  GIL held.
 */
int chain_html_write(FILE *msg, const char *path, const objref_CAPI *api, const chain_html_parts *p);

/*
 * The same page for dumps (--from, --pid): the retained sizes of the top 20
 * types computed in C from last (the newest dump), when it holds at most
 * CHAIN_HTML_RETAINED_MAX objects.  No interpreter needed.  Returns 0, or
 * -1 after a message on stderr.
 */
int chain_html_write_dump(FILE *msg, const char *path, const objref_snapshot *last,
	const chain_html_parts *p);

/* --html FILE can be written (checked before the run).  0, or -1 after a message. */
int chain_html_check(const char *path);

#endif

/*
 * objref/html.h — a leak report as one self-contained HTML file: no
 * network, no external script, style or font; opens in any browser.
 *
 * The page holds the run's summary, a chart of the growing types over the
 * checkpoints (inline SVG drawn here), the census of the last checkpoint as
 * a table that sorts by any column and filters by name, then one section
 * per report (chain patterns, cycles, retained sizes …), each with its text
 * and, where it has one, its picture as inline SVG (from libgvc).
 *
 * Every text that comes from the heap is data: it is escaped (objref's XML
 * escaping: & < > " ' as entities, control characters and invalid UTF-8 as
 * U+FFFD), and a Content-Security-Policy allows no script but the page's
 * own (by a nonce drawn per file), no network access and no plugins.
 */
#ifndef OBJREF_HTML_H
#define OBJREF_HTML_H

#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One section of the page. */
typedef struct {
	const char *title; /* a heading: "Chains for tuple" */
	const char *text;  /* preformatted text (a report as objref-chain prints it), or NULL */
	const char *svg;   /* an SVG document rendered by libgvc from objref's DOT, or NULL;
			    * its XML prolog and doctype are dropped, the rest inlined as is */
	const char *dot;   /* the DOT the svg was drawn from, shown (escaped) under it, or NULL */
} objref_html_section;

typedef struct {
	unsigned version;   /* OBJREF_HTML_DOC_VERSION */
	const char *title;  /* the page's title: "objref-chain: app.py" */
	const char *summary; /* preformatted lines under the title, or NULL */
	const objref_series *series; /* the checkpoints: chart and census table; NULL: none */
	size_t chart_types; /* types drawn in the chart (0: 8) */
	size_t table_rows;  /* rows of the census table (0: 200) */
	const objref_html_section *sections;
	size_t nsections;
} objref_html_doc;

#define OBJREF_HTML_DOC_VERSION 1
#define OBJREF_HTML_DOC_INIT { .version = OBJREF_HTML_DOC_VERSION }

/*
 * Append the page to out.  Returns 0, OBJREF_EINVAL (an unknown doc
 * version, a section whose svg is not an <svg> document) or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_html_write(objref_buf *out, const objref_html_doc *doc);

#ifdef __cplusplus
}
#endif
#endif

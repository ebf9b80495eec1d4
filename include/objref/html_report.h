/*
 * objref/html_report.h — the HTML page of a run, made from its reports:
 * the one place that turns a series, a chains report, a cycles report and
 * retained sizes into an objref_html_doc (objref/html.h) and writes it.
 * objref-chain --html and objref.write_html() both call it.
 */
#ifndef OBJREF_HTML_REPORT_H
#define OBJREF_HTML_REPORT_H

#include "html.h"
#include "chains_report.h"
#include "cycles_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Retained size of one type (objref/dominators.h's objref_dominators_by_type). */
typedef struct {
	const char *name;   /* the type's name */
	uint64_t count;     /* reachable objects of the type */
	uint64_t bytes;     /* their shallow sizes */
	uint64_t retained;  /* what freeing them all would free */
} objref_html_retained;

typedef struct {
	unsigned version;           /* OBJREF_HTML_REPORT_VERSION */
	const char *title;          /* the page's title */
	const char *summary;        /* preformatted lines under the title, or NULL */
	const objref_series *series; /* the checkpoints (chart, census table), or NULL */
	const objref_chains_report *chains; /* a section with its text and, when it
					       has DOT, its picture; or NULL */
	const objref_cycles_report *cycles; /* a section likewise, or NULL */
	const objref_html_retained *retained; /* most retained first, or NULL */
	size_t nretained;
	const char *retained_note;  /* why there are no retained sizes, or NULL */
	int isolate;                /* draw each picture in a forked child (render.h) */
} objref_html_report;

#define OBJREF_HTML_REPORT_VERSION 1
#define OBJREF_HTML_REPORT_INIT { .version = OBJREF_HTML_REPORT_VERSION }

/*
 * Append the page of r to out: its pictures drawn as SVG by libgvc (in a
 * forked child with r->isolate, through a temporary file in $TMPDIR or
 * /tmp).  A picture that cannot be drawn is replaced by a line saying why;
 * the rest of the page is written.  Returns 0, OBJREF_EINVAL (unknown
 * version) or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_html_report_write(objref_buf *out, const objref_html_report *r);

/*
 * Write the page of r into the file path: to a temporary name beside it,
 * then renamed, so a failure leaves no half file.  Returns 0, OBJREF_EIO
 * (path not writable: the message names it), OBJREF_EINVAL or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_html_report_file(const char *path, const objref_html_report *r);

#ifdef __cplusplus
}
#endif
#endif

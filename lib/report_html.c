/*
 * lib/report_html.c — the page of a run from its reports (contract in
 * objref/html_report.h): one section per report, each with the text the
 * report prints and its picture as SVG, then objref_html_write.
 *
 * A picture is drawn by libgvc into memory, or, with isolate, by a forked
 * child into a temporary file read back here: a crash or a runaway layout
 * costs the picture, not the page (nor the process that asked).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "objref/html_report.h"
#include "objref/render.h"

/* chains, one per pattern picture, cycles, retained sizes */
#define NSECTIONS (3 + OBJREF_CHAINS_PATTERN_PICTURES)

/* The sections' texts and pictures, owned here until the page is written. */
typedef struct {
	objref_html_section sec[NSECTIONS];
	objref_buf text[NSECTIONS], svg[NSECTIONS];
	char *title[NSECTIONS];
	size_t n;
} sections;

static void sections_dispose(sections *s)
{
	for (size_t i = 0; i < NSECTIONS; i++) {
		objref_buf_dispose(&s->text[i]);
		objref_buf_dispose(&s->svg[i]);
		objref__free(s->title[i]);
	}
}

/* The whole file at path into out (NUL-terminated). */
static int read_all(objref_buf *out, const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return objref__error(OBJREF_EIO, "cannot read '%s': %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			objref_buf_put(out, buf, (size_t)n);
	close(fd);
	return objref_buf_failed(out) ? OBJREF_ENOMEM : 0;
}

/* dot as SVG in a forked child, through a temporary file. */
static int svg_isolated(objref_buf *out, const char *dot)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	objref_render_options o = OBJREF_RENDER_OPTIONS_INIT;
	int fd, rc;

	o.format = "svg";
	o.isolate = 1;
	snprintf(path, sizeof(path), "%s/objref-html-XXXXXX.svg", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemps(path, 4)) < 0)
		return objref__error(OBJREF_EIO, "cannot create a temporary file in %s: %s",
			dir && *dir ? dir : "/tmp", strerror(errno));
	close(fd);
	if ((rc = objref_render_file(path, dot, &o)) == 0)
		rc = read_all(out, path);
	unlink(path);
	return rc;
}

/* One section: a title, the text in t, the picture of dot (if any). */
static int add_section(sections *s, const objref_html_report *r, const char *title, const char *dot)
{
	size_t i = s->n++;
	int rc = 0;

	if (!(s->title[i] = objref__strndup(title, strlen(title))))
		return OBJREF_ENOMEM;
	s->sec[i].title = s->title[i];
	if (dot && *dot) {
		rc = r->isolate ? svg_isolated(&s->svg[i], dot) : objref_render_data(&s->svg[i], dot, "svg", NULL, 0);
		if (rc == OBJREF_ENOMEM)
			return rc;
		if (rc < 0) {
			objref_buf_printf(&s->text[i], "\n(the picture could not be drawn: %s)\n",
				objref_error_last());
			objref_buf_dispose(&s->svg[i]);
		}
		objref_buf_put(&s->svg[i], "", 1); /* NUL-terminated even when empty */
	}
	if (objref_buf_failed(&s->text[i]) || objref_buf_failed(&s->svg[i]))
		return OBJREF_ENOMEM;
	s->sec[i].text = s->text[i].len ? s->text[i].data : NULL;
	s->sec[i].svg = s->svg[i].len > 1 ? s->svg[i].data : NULL;
	s->sec[i].dot = s->sec[i].svg ? dot : NULL;
	return 0;
}

/* The retained sizes as a table of text. */
static void retained_text(objref_buf *b, const objref_html_report *r)
{
	if (!r->nretained) {
		objref_buf_printf(b, "%s\n", r->retained_note ? r->retained_note : "none measured");
		return;
	}
	objref_buf_printf(b, "%-40s %12s %12s %12s\n", "type", "objects", "bytes", "retained");
	for (size_t i = 0; i < r->nretained; i++) {
		const objref_html_retained *t = &r->retained[i];
		objref_buf_printf(b, "%-40s %12llu %12llu %12llu\n", t->name, (unsigned long long)t->count,
			(unsigned long long)t->bytes, (unsigned long long)t->retained);
	}
}

/* The chains: the report's text with the picture of every sample's chain,
 * then, when there is more than one pattern, a section per pattern with
 * its own picture (the first OBJREF_CHAINS_PATTERN_PICTURES; a note says
 * how many more there are). */
static int chains_sections(sections *s, const objref_html_report *r, const objref_chains_report *c)
{
	char title[512];
	size_t shown = c->npatterns > 1 ? c->npattern_dots : 0;
	int rc;

	snprintf(title, sizeof(title), "Chains for %s", c->type);
	if (objref_chains_report_text(&s->text[s->n], c) < 0)
		return OBJREF_ENOMEM;
	if (shown)
		objref_buf_printf(&s->text[s->n], "\nthe picture shows every sample's chain; each pattern "
			"follows with a picture of its own\n");
	if (shown && shown < c->npatterns)
		objref_buf_printf(&s->text[s->n], "(the first %zu patterns of %zu have a picture of their "
			"own: the others are in the text above)\n", shown, c->npatterns);
	if ((rc = add_section(s, r, title, c->dot)) < 0)
		return rc;
	for (size_t i = 0; i < shown; i++) {
		const objref_report_pattern *p = &c->patterns[i];
		snprintf(title, sizeof(title), "Chains for %s: pattern %zu of %zu (%zu/%zu samples)", c->type,
			i + 1, c->npatterns, p->count, c->samples);
		objref_buf_printf(&s->text[s->n], "%s\nroot: %s\n", p->text, p->root.text);
		if (p->suspect >= 0 && (size_t)p->suspect < p->nsteps)
			objref_buf_printf(&s->text[s->n], "suspect: %s %s (the samples' chains part after it: "
				"new objects enter here)\n", p->steps[p->suspect].type, p->suspect_text);
		if ((rc = add_section(s, r, title, c->pattern_dots[i])) < 0)
			return rc;
	}
	return 0;
}

/* Sections in s, then the page into out. */
static int write_page(objref_buf *out, sections *s, const objref_html_report *r)
{
	objref_html_doc doc = OBJREF_HTML_DOC_INIT;
	int rc;

	if (r->chains && (rc = chains_sections(s, r, r->chains)) < 0)
		return rc;
	if (r->cycles) {
		objref_buf_printf(&s->text[s->n], "%s", r->cycles->text ? r->cycles->text : "");
		if ((rc = add_section(s, r, "Garbage cycles",
				r->cycles->summary.nshapes ? r->cycles->dot : NULL)) < 0)
			return rc;
	}
	if (r->retained || r->retained_note) {
		retained_text(&s->text[s->n], r);
		if ((rc = add_section(s, r, "Retained sizes by type", NULL)) < 0)
			return rc;
	}
	doc.title = r->title;
	doc.summary = r->summary;
	doc.series = r->series;
	doc.sections = s->sec;
	doc.nsections = s->n;
	return objref_html_write(out, &doc);
}

int objref_html_report_write(objref_buf *out, const objref_html_report *r)
{
	sections s;
	int rc;

	if (!r || r->version != OBJREF_HTML_REPORT_VERSION)
		return objref__error(OBJREF_EINVAL, "html report: version %u, this library knows %u",
			r ? r->version : 0, OBJREF_HTML_REPORT_VERSION);
	memset(&s, 0, sizeof(s));
	rc = write_page(out, &s, r);
	sections_dispose(&s);
	if (rc == OBJREF_ENOMEM)
		return objref__error(OBJREF_ENOMEM, "html report: out of memory");
	return rc;
}

int objref_html_report_file(const char *path, const objref_html_report *r)
{
	objref_buf b = { 0 };
	int rc;

	if ((rc = objref_html_report_write(&b, r)) == 0)
		rc = objref__write_renamed(path, b.data ? b.data : "", b.len);
	objref_buf_dispose(&b);
	return rc;
}

/*
 * lib/html.c — the self-contained HTML report (contract in objref/html.h).
 *
 * The page is written top to bottom into one buffer: head (policy, style),
 * title and summary, the chart, the census table, the sections, the
 * script.  Everything from the heap goes through text(), which escapes; the
 * only markup taken as is comes from this file and from libgvc's SVG of a
 * DOT whose labels dot.c escaped.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "internal.h"
#include "objref/html.h"
#include "objref/render.h"

#define CHART_W 760
#define CHART_H 300
#define CHART_LEFT 70
#define CHART_RIGHT 200 /* the legend */
#define CHART_TOP 20
#define CHART_BOTTOM 40

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
	"#7f7f7f", "#bcbd22",
};

/* s escaped, its line breaks kept (the escaping makes every other control
 * character U+FFFD): text of a <pre> stays in lines. */
static int text(objref_buf *b, const char *s)
{
	const char *nl;
	int rc = 0;

	for (; s && (nl = strchr(s, '\n')) && rc == 0; s = nl + 1)
		if ((rc = objref_xml_escape(b, s, (size_t)(nl - s))) == 0)
			rc = objref_buf_put(b, "\n", 1);
	return s && rc == 0 ? objref_xml_escape(b, s, strlen(s)) : rc;
}

/* 32 hex digits from the kernel's random source (the clock if it fails). */
static void make_nonce(char out[33])
{
	unsigned char r[16];
	static const char hex[] = "0123456789abcdef";

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
		for (size_t i = 0; i < sizeof(r); i++, t = t * 6364136223846793005ull + 1)
			r[i] = (unsigned char)(t >> 33);
	}
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[32] = '\0';
}

static const char style[] =
	"body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
	"h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}"
	"pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:13px}"
	"table{border-collapse:collapse;font-size:13px}th,td{padding:2px 10px;text-align:right}"
	"th{cursor:pointer;background:#eee;position:sticky;top:0}td.n,th.n{text-align:left}"
	"tr:nth-child(even){background:#fafafa}input{margin:8px 0;padding:3px;width:260px}"
	".pic{overflow:auto;max-height:900px;border:1px solid #ddd}.pic svg{max-width:100%;height:auto}.grow{color:#b00}";

/* Sort on a header click (numbers by data-v), filter rows by name. */
static const char script[] =
	"(function(){var t=document.getElementById('census');if(!t)return;"
	"var b=t.tBodies[0],f=document.getElementById('filter');"
	"function key(r,i){var c=r.cells[i];var v=c.getAttribute('data-v');"
	"return v===null?c.textContent.toLowerCase():parseFloat(v);}"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h,i){"
	"h.addEventListener('click',function(){var d=h.getAttribute('data-d')==='1'?-1:1;"
	"h.setAttribute('data-d',d===1?'1':'0');"
	"var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){"
	"var a=key(x,i),c=key(y,i);return a<c?d:a>c?-d:0;});"
	"rows.forEach(function(r){b.appendChild(r);});});});"
	"f.addEventListener('input',function(){var q=f.value.toLowerCase();"
	"Array.prototype.forEach.call(b.rows,function(r){"
	"r.hidden=q&&r.cells[0].textContent.toLowerCase().indexOf(q)<0;});});})();";

static int head(objref_buf *b, const objref_html_doc *d, const char *nonce)
{
	objref_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"script-src 'nonce-%s'; style-src 'nonce-%s'; img-src data:; base-uri 'none'; "
		"form-action 'none'\">\n<meta name=\"generator\" content=\"objref %s\">\n<title>",
		nonce, nonce, objref_version());
	text(b, d->title ? d->title : "objref report");
	objref_buf_printf(b, "</title>\n<style nonce=\"%s\">%s</style></head>\n<body>\n<h1>", nonce, style);
	text(b, d->title ? d->title : "objref report");
	objref_buf_printf(b, "</h1>\n");
	if (d->summary) {
		objref_buf_printf(b, "<pre id=\"summary\">");
		text(b, d->summary);
		objref_buf_printf(b, "</pre>\n");
	}
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/* ---- the chart ------------------------------------------------------------- */

typedef struct {
	const char *name;
	uint64_t last;
} named_count;

static int by_count_desc(const void *a, const void *b)
{
	const named_count *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The names charted: the growing types and those that grew and were freed
 * before the end (objref_series_ended_reported), else the most common ones. */
static int chart_names(named_count **out, size_t *n, const objref_series *s, size_t want)
{
	const objref_census *last = objref_series_census(s, objref_series_len(s) - 1);
	objref_growing_row *rows = NULL;
	objref_ended_row *ended = NULL;
	size_t nrows = 0, nended = 0, k = 0, nlast = objref_census_len(last);
	named_count *names;
	int rc;

	if ((rc = objref_series_growing(&rows, &nrows, s, NULL)) < 0)
		return rc;
	if ((rc = objref_series_ended_reported(&ended, &nended, s, NULL)) < 0) {
		objref_free(rows);
		return rc;
	}
	if (!(names = objref__malloc(OBJREF__MAX(nrows + nended, nlast) * sizeof(*names) + 1))) {
		objref_free(rows);
		objref_free(ended);
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < nrows && k < want; i++)
		names[k++] = (named_count){ rows[i].name, rows[i].last };
	for (size_t i = 0; i < nended && k < want; i++)
		names[k++] = (named_count){ ended[i].name, ended[i].peak };
	objref_free(ended);
	if (k == 0) {
		for (size_t i = 0; i < nlast; i++)
			names[i] = (named_count){ objref_census_rows(last)[i].name, objref_census_rows(last)[i].count };
		qsort(names, nlast, sizeof(*names), by_count_desc);
		k = nlast < want ? nlast : want;
	}
	objref_free(rows);
	*out = names;
	*n = k;
	return 0;
}

static uint64_t count_at(const objref_series *s, size_t i, const char *name)
{
	const objref_census_row *r = objref_census_find(objref_series_census(s, i), name);

	return r ? r->count : 0;
}

static void chart_axes(objref_buf *b, const objref_series *s, uint64_t top)
{
	size_t k = objref_series_len(s);
	int plot_w = CHART_W - CHART_LEFT - CHART_RIGHT, plot_h = CHART_H - CHART_TOP - CHART_BOTTOM;

	objref_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", CHART_LEFT, CHART_TOP,
		CHART_LEFT, CHART_TOP + plot_h, CHART_LEFT, CHART_TOP + plot_h, CHART_LEFT + plot_w,
		CHART_TOP + plot_h);
	for (int t = 0; t <= 4; t++) {
		int y = CHART_TOP + plot_h - plot_h * t / 4;
		objref_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", CHART_LEFT, y,
			CHART_LEFT + plot_w, y, CHART_LEFT - 6, y + 4);
		objref_format_count(b, top * (uint64_t)t / 4);
		objref_buf_printf(b, "</text>\n");
	}
	for (size_t i = 0; i < k; i++) {
		int x = CHART_LEFT + (k > 1 ? (int)((size_t)plot_w * i / (k - 1)) : plot_w / 2);
		if (k > 8 && i != 0 && i != k - 1 && i != k / 2)
			continue;
		objref_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">", x,
			CHART_TOP + plot_h + 16);
		text(b, objref_series_label(s, i) ? objref_series_label(s, i) : "");
		objref_buf_printf(b, "</text>\n");
	}
	objref_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">checkpoint"
		"</text>\n", CHART_LEFT + plot_w / 2, CHART_H - 6);
}

static int chart(objref_buf *b, const objref_html_doc *d)
{
	const objref_series *s = d->series;
	size_t k = objref_series_len(s), n = 0;
	int plot_w = CHART_W - CHART_LEFT - CHART_RIGHT, plot_h = CHART_H - CHART_TOP - CHART_BOTTOM;
	named_count *names = NULL;
	uint64_t top = 1;
	int rc;

	if ((rc = chart_names(&names, &n, s, d->chart_types ? d->chart_types : 8)) < 0)
		return rc;
	for (size_t t = 0; t < n; t++)
		for (size_t i = 0; i < k; i++)
			if (count_at(s, i, names[t].name) > top)
				top = count_at(s, i, names[t].name);
	objref_buf_printf(b, "<h2>Growth</h2>\n<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", CHART_W, CHART_H, CHART_W,
		CHART_H);
	chart_axes(b, s, top);
	for (size_t t = 0; t < n; t++) {
		const char *colour = palette[t % (sizeof(palette) / sizeof(palette[0]))];
		objref_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
		for (size_t i = 0; i < k; i++) {
			double x = CHART_LEFT + (k > 1 ? (double)plot_w * (double)i / (double)(k - 1) : plot_w / 2.0);
			double y = CHART_TOP + plot_h - (double)plot_h * (double)count_at(s, i, names[t].name) /
				(double)top;
			objref_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		objref_buf_printf(b, "\"><title>");
		text(b, names[t].name);
		objref_buf_printf(b, "</title></polyline>\n<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
			"fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">", CHART_W - CHART_RIGHT + 14,
			CHART_TOP + (int)t * 20, colour, CHART_W - CHART_RIGHT + 32, CHART_TOP + (int)t * 20 + 11);
		text(b, names[t].name);
		objref_buf_printf(b, "</text>\n");
	}
	objref_buf_printf(b, "</svg>\n");
	objref__free(names);
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/* ---- the census table ---------------------------------------------------- */

static int rows_by_count(const void *a, const void *b)
{
	const objref_census_row *x = *(const objref_census_row *const *)a;
	const objref_census_row *y = *(const objref_census_row *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int census_table(objref_buf *b, const objref_html_doc *d)
{
	const objref_series *s = d->series;
	size_t k = objref_series_len(s), n, limit = d->table_rows ? d->table_rows : 200;
	const objref_census *last = objref_series_census(s, k - 1);
	const objref_census_row **rows;

	n = objref_census_len(last);
	if (!(rows = objref__malloc((n ? n : 1) * sizeof(*rows))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < n; i++)
		rows[i] = &objref_census_rows(last)[i];
	qsort(rows, n, sizeof(*rows), rows_by_count);
	objref_buf_printf(b, "<h2>Census at the last checkpoint</h2>\n<p>%s%zu types",
		n > limit ? "the most common of " : "", n);
	if (n > limit)
		objref_buf_printf(b, " (%zu shown)", limit);
	objref_buf_printf(b, "; click a column to sort.</p>\n<input id=\"filter\" type=\"search\" "
		"placeholder=\"filter by type name\" aria-label=\"filter by type name\">\n<table id=\"census\">"
		"<thead><tr><th class=\"n\">type</th><th>objects</th><th>bytes</th><th>change since the first "
		"checkpoint</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n && i < limit; i++) {
		const objref_census_row *first = objref_census_find(objref_series_census(s, 0), rows[i]->name);
		int64_t change = (int64_t)rows[i]->count - (int64_t)(first ? first->count : 0);
		objref_buf_printf(b, "<tr><td class=\"n\">");
		text(b, rows[i]->name);
		objref_buf_printf(b, "</td><td data-v=\"%llu\">", (unsigned long long)rows[i]->count);
		objref_format_count(b, rows[i]->count);
		objref_buf_printf(b, "</td><td data-v=\"%llu\">", (unsigned long long)rows[i]->bytes);
		objref_format_bytes(b, (double)rows[i]->bytes, 0);
		objref_buf_printf(b, "</td><td data-v=\"%lld\"%s>%s", (long long)change,
			change > 0 ? " class=\"grow\"" : "", change > 0 ? "+" : change < 0 ? "-" : "");
		objref_format_count(b, (uint64_t)(change < 0 ? -change : change));
		objref_buf_printf(b, "</td></tr>\n");
	}
	objref_buf_printf(b, "</tbody></table>\n");
	objref__free(rows);
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/* ---- sections and the whole -------------------------------------------------- */

static int section(objref_buf *b, const objref_html_section *sec)
{
	objref_buf_printf(b, "<section>\n<h2>");
	text(b, sec->title ? sec->title : "");
	objref_buf_printf(b, "</h2>\n");
	if (sec->text) {
		objref_buf_printf(b, "<pre>");
		text(b, sec->text);
		objref_buf_printf(b, "</pre>\n");
	}
	if (sec->svg) {
		const char *svg = strstr(sec->svg, "<svg");
		if (!svg)
			return objref__error(OBJREF_EINVAL, "html: the picture of section \"%s\" is not an SVG "
				"document", sec->title ? sec->title : "");
		objref_buf_printf(b, "<div class=\"pic\">\n%s</div>\n", svg);
		if (sec->dot) {  /* the picture's source, as a PNG of objref carries it */
			objref_buf_printf(b, "<details class=\"dot\"><summary>DOT source</summary><pre>");
			text(b, sec->dot);
			objref_buf_printf(b, "</pre></details>\n");
		}
	}
	objref_buf_printf(b, "</section>\n");
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

int objref_html_write(objref_buf *out, const objref_html_doc *d)
{
	char nonce[33];
	int rc;

	if (!d || d->version != OBJREF_HTML_DOC_VERSION)
		return objref__error(OBJREF_EINVAL, "html: document version %u, this library knows %u",
			d ? d->version : 0, OBJREF_HTML_DOC_VERSION);
	make_nonce(nonce);
	if ((rc = head(out, d, nonce)) < 0)
		return rc;
	if (d->series && objref_series_len(d->series) >= 2 && (rc = chart(out, d)) < 0)
		return rc;
	if (d->series && objref_series_len(d->series) >= 1 && (rc = census_table(out, d)) < 0)
		return rc;
	for (size_t i = 0; i < d->nsections; i++)
		if ((rc = section(out, &d->sections[i])) < 0)
			return rc;
	objref_buf_printf(out, "<footer><p>objref %s</p></footer>\n<script nonce=\"%s\">%s</script>\n"
		"</body></html>\n", objref_version(), nonce, script);
	if (objref_buf_failed(out))
		return objref__error(OBJREF_ENOMEM, "html: out of memory writing the page");
	return 0;
}

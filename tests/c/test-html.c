/*
 * tests/c/test-html.c — the self-contained HTML report (objref/html.h):
 * structure, escaping of heap text, the policy and its nonce, the chart and
 * the table, bad input, and every allocation failing in turn.
 */
#include "fixtures.h"
#include "objref/html.h"

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Three checkpoints: Session grows 10 -> 20 -> 30, a hostile type name
 * stays at 5, dict shrinks. */
static int html_series(objref_series **out)
{
	static const char *const names[] = { "Session", "<script>alert(1)</script>", "dict", "a&b\"c'" };
	static const uint64_t counts[] = { 10, 20, 30, 5, 5, 5, 9, 8, 7, 1, 1, 1 };
	static const uint64_t bytes[] = { 48, 100, 232, 8 };

	return fx_series(out, 3, 4, names, counts, bytes);
}

static const char svg_doc[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
	"<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
	"<svg width=\"10pt\" height=\"10pt\" xmlns=\"http://www.w3.org/2000/svg\"><g id=\"graph0\"/></svg>\n";

static int html_page(objref_buf *b, const objref_series *s)
{
	objref_html_section secs[] = {
		{ "Chains for Session", "module app .CACHE -> dict ['</pre><script>bad()</script>'] -> Session",
		  svg_doc },
		{ "Cycles", "no garbage", NULL },
	};
	objref_html_doc d = OBJREF_HTML_DOC_INIT;

	d.title = "objref-chain: app.py <&>";
	d.summary = "objref-chain: app.py ran 3.0 s, 3 checkpoints";
	d.series = s;
	d.sections = secs;
	d.nsections = 2;
	return objref_html_write(b, &d);
}

TEST_IMPL(html_report)
{
	objref_series *s;
	objref_buf b = OBJREF_BUF_INIT;
	const char *p, *csp;
	char nonce[40];

	CHECK(html_series(&s));
	ASSERT_OK(html_page(&b, s));
	ASSERT_STR_PREFIX(b.data, "<!DOCTYPE html>");
	ASSERT_STR_CONTAINS(b.data, "</html>\n");
	/* heap text is text: no tag of it survives */
	ASSERT_STR_CONTAINS(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;");
	ASSERT_STR_CONTAINS(b.data, "&lt;/pre&gt;&lt;script&gt;bad()&lt;/script&gt;");
	ASSERT_STR_CONTAINS(b.data, "a&amp;b&quot;c&#39;");
	ASSERT_STR_CONTAINS(b.data, "<title>objref-chain: app.py &lt;&amp;&gt;</title>");
	ASSERT_EQ(count_of(b.data, "<script"), 1);
	ASSERT_EQ(count_of(b.data, "alert(1)</script>"), 0);
	/* the policy allows the page's own script by its nonce, nothing else */
	csp = strstr(b.data, "Content-Security-Policy");
	ASSERT_NOT_NULL(csp);
	ASSERT_NOT_NULL(p = strstr(csp, "script-src 'nonce-"));
	ASSERT_EQ(sscanf(p, "script-src 'nonce-%32[0-9a-f]'", nonce), 1);
	ASSERT_EQ(strlen(nonce), 32);
	ASSERT_STR_CONTAINS(csp, "default-src 'none'");
	{
		char tag[64];
		snprintf(tag, sizeof(tag), "<script nonce=\"%s\">", nonce);
		ASSERT_STR_CONTAINS(b.data, tag);
		snprintf(tag, sizeof(tag), "<style nonce=\"%s\">", nonce);
		ASSERT_STR_CONTAINS(b.data, tag);
	}
	/* the chart draws the growing type only; the table has every type */
	ASSERT_EQ(count_of(b.data, "<polyline"), 1);
	ASSERT_STR_CONTAINS(b.data, "<title>Session</title></polyline>");
	ASSERT_EQ(count_of(b.data, "<tr><td class=\"n\">"), 4);
	ASSERT_STR_CONTAINS(b.data, "<td data-v=\"20\" class=\"grow\">+20</td>");
	ASSERT_STR_CONTAINS(b.data, "<td data-v=\"-2\">-2</td>");
	/* the picture inlined without its prolog */
	ASSERT_EQ(count_of(b.data, "<?xml"), 0);
	ASSERT_EQ(count_of(b.data, "<!DOCTYPE svg"), 0);
	ASSERT_STR_CONTAINS(b.data, "<div class=\"pic\">\n<svg width=\"10pt\"");
	/* two pages differ in their nonce */
	{
		objref_buf b2 = OBJREF_BUF_INIT;
		ASSERT_OK(html_page(&b2, s));
		ASSERT_EQ(strstr(b2.data, nonce) == NULL, 1);
		objref_buf_dispose(&b2);
	}
	objref_buf_dispose(&b);
	objref_series_free(s);
	return TEST_OK;
}

/* A growth that ended before the last checkpoint (a pool shut down at
 * exit): with no type growing to the end, the chart draws it, rise and
 * fall, instead of the most common types. */
TEST_IMPL(html_chart_ended)
{
	static const char *const names[] = { "Sample", "dict", "str" };
	static const uint64_t counts[] = { 0, 60, 120, 180, 240, 0,  9, 9, 9, 9, 9, 9,
		50, 50, 50, 50, 50, 50 };
	objref_series *s;
	objref_buf b = OBJREF_BUF_INIT;

	CHECK(fx_series(&s, 6, 3, names, counts, NULL));
	ASSERT_OK(html_page(&b, s));
	ASSERT_EQ(count_of(b.data, "<polyline"), 1);
	ASSERT_STR_CONTAINS(b.data, "<title>Sample</title></polyline>");
	objref_buf_dispose(&b);
	objref_series_free(s);
	return TEST_OK;
}

TEST_IMPL(html_bad_input)
{
	objref_html_section sec = { "x", NULL, "<g/>" };
	objref_html_doc d = OBJREF_HTML_DOC_INIT;
	objref_buf b = OBJREF_BUF_INIT;

	d.sections = &sec;
	d.nsections = 1;
	ASSERT_ERR(objref_html_write(&b, &d), OBJREF_EINVAL);
	ASSERT_STR_CONTAINS(objref_error_last(), "not an SVG");
	d.version = 7;
	ASSERT_ERR(objref_html_write(&b, &d), OBJREF_EINVAL);
	/* no series, no sections: a page with a title only */
	objref_buf_dispose(&b);
	d = (objref_html_doc)OBJREF_HTML_DOC_INIT;
	ASSERT_OK(objref_html_write(&b, &d));
	ASSERT_EQ(count_of(b.data, "<table"), 0);
	ASSERT_EQ(count_of(b.data, "<svg"), 0);
	objref_buf_dispose(&b);
	return TEST_OK;
}

TEST_IMPL(fault_html)
{
	objref_series *s;
	objref_buf b = OBJREF_BUF_INIT;
	unsigned long total, k;
	int rc;

	CHECK(html_series(&s));
	objref_alloc_fail_nth(0);
	ASSERT_OK(html_page(&b, s));
	total = objref_alloc_fail_nth(0);
	objref_buf_dispose(&b);
	ASSERT_GT(total, 3);
	for (k = 1; k <= total; k++) {
		objref_buf t = OBJREF_BUF_INIT;
		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = html_page(&t, s);
		objref_alloc_fail_nth(0);
		ASSERT_EQ(rc, OBJREF_ENOMEM);
		ASSERT_NE(objref_error_last()[0], '\0');
		objref_buf_dispose(&t);
	}
	objref_series_free(s);
	return TEST_OK;
}

/* ---- the page of a run's reports (objref/html_report.h) ------------------- */

#include "objref/html_report.h"

static const char chains_dot[] =
	"digraph G { n0 [label=<module app>]; n1 [label=<dict>]; n0 -> n1 [label=<.CACHE>]; }\n";

static int report_page(objref_buf *b, const objref_series *s, int isolate)
{
	static const objref_html_retained ret[] = {
		{ "dict", 3, 696, 4000 },
		{ "<b>Evil</b>", 1, 56, 56 },
	};
	objref_chains_report chains = { .type = "Session", .instances = 30, .samples = 0,
		.patterns = NULL, .npatterns = 0, .dot = (char *)chains_dot };
	objref_html_report r = OBJREF_HTML_REPORT_INIT;

	r.title = "objref-chain: app.py";
	r.summary = "line one\nline <two>";
	r.series = s;
	r.chains = &chains;
	r.retained = ret;
	r.nretained = 2;
	r.isolate = isolate;
	return objref_html_report_write(b, &r);
}

TEST_IMPL(html_report_page)
{
	objref_series *s;
	objref_buf b = OBJREF_BUF_INIT;
	objref_html_report bad = OBJREF_HTML_REPORT_INIT;

	CHECK(html_series(&s));
	ASSERT_OK(report_page(&b, s, 0));
	/* the chains section: its text and libgvc's picture of its DOT */
	ASSERT_STR_CONTAINS(b.data, "<h2>Chains for Session</h2>");
	ASSERT_STR_CONTAINS(b.data, "chains for Session");
	ASSERT_EQ(count_of(b.data, "<svg"), 2); /* the chart and the chains */
	ASSERT_STR_CONTAINS(b.data, "class=\"graph\"");
	ASSERT_STR_CONTAINS(b.data, ".CACHE</text>");
	/* line breaks of preformatted text are kept, the rest escaped */
	ASSERT_STR_CONTAINS(b.data, "<pre id=\"summary\">line one\nline &lt;two&gt;</pre>");
	/* the retained sizes, the type names escaped */
	ASSERT_STR_CONTAINS(b.data, "<h2>Retained sizes by type</h2>");
	ASSERT_STR_CONTAINS(b.data, "&lt;b&gt;Evil&lt;/b&gt;");
	ASSERT_EQ(count_of(b.data, "<b>"), 0);
	objref_buf_dispose(&b);
	/* the same picture drawn in a forked child */
	ASSERT_OK(report_page(&b, s, 1));
	ASSERT_EQ(count_of(b.data, "<svg"), 2);
	ASSERT_STR_CONTAINS(b.data, ".CACHE</text>");
	objref_buf_dispose(&b);
	bad.version = 9;
	ASSERT_ERR(objref_html_report_write(&b, &bad), OBJREF_EINVAL);
	objref_buf_dispose(&b);
	/* a file that cannot be written leaves nothing behind */
	bad.version = OBJREF_HTML_REPORT_VERSION;
	ASSERT_ERR(objref_html_report_file("/nonexistent-dir/page.html", &bad), OBJREF_EIO);
	ASSERT_STR_CONTAINS(objref_error_last(), "/nonexistent-dir/page.html");
	objref_series_free(s);
	return TEST_OK;
}

TEST_IMPL(fault_html_report)
{
	objref_series *s;
	objref_buf b = OBJREF_BUF_INIT;
	unsigned long total, k;
	int rc;

	CHECK(html_series(&s));
	objref_alloc_fail_nth(0);
	ASSERT_OK(report_page(&b, s, 0));
	total = objref_alloc_fail_nth(0);
	objref_buf_dispose(&b);
	ASSERT_GT(total, 3);
	for (k = 1; k <= total; k++) {
		objref_buf t = OBJREF_BUF_INIT;
		objref_error_clear();
		objref_alloc_fail_nth(k);
		rc = report_page(&t, s, 0);
		objref_alloc_fail_nth(0);
		/* a failure inside Graphviz's part costs the picture only */
		if (rc == 0) {
			ASSERT_STR_CONTAINS(t.data, "</html>");
		} else {
			ASSERT_EQ(rc, OBJREF_ENOMEM);
			ASSERT_NE(objref_error_last()[0], '\0');
		}
		objref_buf_dispose(&t);
	}
	objref_series_free(s);
	return TEST_OK;
}

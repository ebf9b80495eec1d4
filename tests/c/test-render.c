/*
 * tests/c/test-render.c — DOT through libcgraph, PNG/SVG through libgvc,
 * PNG text chunks through libpng.  DOT is compared as text; pictures by
 * what can be read back (text chunks, size, well-formed SVG), never by
 * their bytes (fonts differ between machines).
 */
#include <graphviz/cgraph.h>
#include <png.h>
#include <unistd.h>
#include "paths-fixtures.h"
#include "objref/render.h"

/* The DOT of a walk back from `start` over snap (defaults), into *out. */
static int dot_of(objref_buf *out, const objref_snapshot *snap, objref_id start,
	const objref_dot_options *o)
{
	objref_revindex *ri = NULL;
	objref_view *v = NULL;

	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	ASSERT_OK(objref_view_walk(v, ri, &start, 1, NULL));
	ASSERT_OK(objref_view_dot(out, v, o));
	objref_view_free(v);
	objref_revindex_free(ri);
	return TEST_OK;
}

/* Nodes and edges of a DOT text, as Graphviz parses it. */
static int parse_counts(const char *dot, int *nodes, int *edges)
{
	Agraph_t *g = agmemread(dot);

	ASSERT(g != NULL);
	*nodes = agnnodes(g);
	*edges = agnedges(g);
	agclose(g);
	return TEST_OK;
}

int test_dot_structure(void)
{
	objref_snapshot *snap = NULL;
	objref_buf b = { 0 };
	objref_dot_options o = { 0, 1, "tuples" };
	int nodes, edges;

	ASSERT_OK(ph_base_heap(&snap));
	CHECK(dot_of(&b, snap, B_T, &o));
	/* libcgraph's text: a digraph, our defaults, nodes n0.. in view order. */
	ASSERT_STR_PREFIX(b.data, "digraph objref {");
	ASSERT(strstr(b.data, "rankdir=TB"));
	ASSERT(strstr(b.data, "n0\t[color=\"#a07800\",\n\t\tfillcolor=\"#ffe08a\",\n\t\tlabel=<<B>tuple</B><BR/>len 2<BR/>"));
	ASSERT(strstr(b.data, "refcount 1"));
	ASSERT(strstr(b.data, "label=<tuples>"));
	ASSERT(strstr(b.data, "penwidth=2.5"));
	ASSERT(strstr(b.data, "n1 -> n0\t[label=<[1]>]"));
	ASSERT(strstr(b.data, "label=<[&#39;items&#39;]>"));
	CHECK(parse_counts(b.data, &nodes, &edges));
	ASSERT_EQ(nodes, 7);
	ASSERT_EQ(edges, 8);
	/* The same view gives the same text. */
	objref_buf again = { 0 };
	CHECK(dot_of(&again, snap, B_T, &o));
	ASSERT_STR_EQ(again.data, b.data);
	objref_buf_dispose(&again);
	objref_buf_dispose(&b);

	/* Modules are green; a walk to them shows "module" and the name. */
	objref_view *v = NULL;
	objref_revindex *ri = NULL;
	objref_view_walk_options wo;
	objref_id start = B_T;
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 0));
	objref_view_walk_options_init(&wo);
	wo.max_depth = 20;
	ASSERT_OK(objref_view_walk(v, ri, &start, 1, &wo));
	ASSERT_OK(objref_view_dot(&b, v, NULL));
	ASSERT(strstr(b.data, "fillcolor=\"#b9e4c9\",\n\t\tlabel=<<B>module</B><BR/>app<BR/>"));
	objref_buf_dispose(&b);
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

int test_dot_frames_more_truncated(void)
{
	objref_snapshot *snap = NULL;
	objref_revindex *ri = NULL;
	objref_view *v = NULL;
	objref_buf b = { 0 };
	objref_id start = 0;

	CHECK(view_frame_heap(&snap));
	CHECK(dot_of(&b, snap, 0, NULL));
	ASSERT(strstr(b.data, "label=<<B>frame</B> Worker.run()<BR/>worker.py:42>"));
	ASSERT(strstr(b.data, "fillcolor=\"#ffc98b\""));
	ASSERT(strstr(b.data, "n2 -> n1\t[label=<local pending>]"));
	ASSERT(!strstr(b.data, "/srv/app")); /* file names only: pictures stay the same elsewhere */
	objref_buf_dispose(&b);

	/* A view of 2 nodes: the frame did not fit, and the label says so. */
	ASSERT_OK(objref_revindex_new(&ri, snap));
	ASSERT_OK(objref_view_new(&v, snap, 2));
	ASSERT_EQ(objref_view_walk(v, ri, &start, 1, NULL), OBJREF_ENOTFOUND);
	ASSERT_OK(objref_view_dot(&b, v, NULL));
	ASSERT(strstr(b.data, "truncated: 1 more object not drawn (the picture&#39;s limit is 2 nodes)")
		|| strstr(b.data, "truncated: 1 more object not drawn (the picture's limit is 2 nodes)"));
	objref_buf_dispose(&b);
	objref_view_free(v);
	objref_revindex_free(ri);
	objref_snapshot_free(snap);
	return TEST_OK;
}

/* A dict whose keys are hostile strings, holding one list. */
static const char *const evil_keys[] = {
	"\"]; evil [shape=none", "<script>alert(1)</script>", "a\\lb\\N & c", "tab\tnl\nend",
};

static int evil_heap(objref_snapshot **out)
{
	heap h;
	objref_id d, l;

	CHECK(ph_heap_new(&h));
	l = ph_add(&h, h.t_list, 0, "<b>not bold</b> & \"quoted\"");
	d = ph_add(&h, h.t_dict, 0, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(evil_keys); i++)
		ph_ref(&h, d, l, ph_key(&h, evil_keys[i]));
	return ph_heap_finish(out, &h);
}

int test_dot_escaping(void)
{
	objref_snapshot *snap = NULL;
	objref_buf b = { 0 }, svg = { 0 };
	int nodes, edges;

	CHECK(evil_heap(&snap));
	CHECK(dot_of(&b, snap, 0, NULL));
	CHECK(parse_counts(b.data, &nodes, &edges));
	ASSERT_EQ(nodes, 2); /* no node named evil */
	ASSERT_EQ(edges, 4);
	ASSERT(!strstr(b.data, "\tevil"));
	ASSERT(strstr(b.data, "[&quot;]; evil [shape=none]"));
	ASSERT(strstr(b.data, "[&lt;script&gt;alert(1)&lt;/script&gt;]"));
	ASSERT(strstr(b.data, "[a\\lb\\N &amp; c]"));
	ASSERT(strstr(b.data, "&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quoted&quot;"));
	ASSERT(strstr(b.data, "tab\xef\xbf\xbdnl\xef\xbf\xbd" "end"));

	/* The SVG shows the keys as text: no element of theirs. */
	ASSERT_OK(objref_render_data(&svg, b.data, "svg", NULL, 0));
	ASSERT_STR_PREFIX(strstr(svg.data, "<svg"), "<svg");
	ASSERT(strstr(svg.data, "</svg>"));
	ASSERT(!strstr(svg.data, "<script"));
	ASSERT(!strstr(svg.data, "<b>"));
	ASSERT(strstr(svg.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ASSERT(strstr(svg.data, "a\\lb\\N &amp; c"));
	objref_buf_dispose(&svg);
	objref_buf_dispose(&b);
	objref_snapshot_free(snap);
	return TEST_OK;
}

int test_xml_escape(void)
{
	objref_buf b = { 0 };

	ASSERT_OK(objref_xml_escape(&b, "a&b<c>d\"e'f", 11));
	ASSERT_STR_EQ(b.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	b.len = 0;
	/* invalid UTF-8 (a lone continuation byte, a truncated sequence) and a NUL */
	ASSERT_OK(objref_xml_escape(&b, "\x80x\xc3\0y\xc3\xa9", 7));
	ASSERT_STR_EQ(b.data, "\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbdy\xc3\xa9");
	objref_buf_dispose(&b);
	return TEST_OK;
}

/* Width and height of a PNG file, read with libpng. */
static int png_size(const char *path, unsigned *w, unsigned *h)
{
	FILE *f = fopen(path, "rb");
	png_structp png;
	png_infop info;

	ASSERT(f != NULL);
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png_create_info_struct(png);
	ASSERT(png && info);
	if (setjmp(png_jmpbuf(png))) {
		fclose(f);
		ASSERT(!"libpng failed");
	}
	png_init_io(png, f);
	png_read_info(png, info);
	*w = png_get_image_width(png, info);
	*h = png_get_image_height(png, info);
	png_destroy_read_struct(&png, &info, NULL);
	fclose(f);
	return TEST_OK;
}

static int render_to_png(int isolate)
{
	objref_snapshot *snap = NULL;
	objref_buf b = { 0 };
	objref_png_text texts[] = { { "Command", "objref-chain --type tuple app.py" },
		{ "Python", "3.11.2 \xc3\xa9" } };
	objref_render_options o = { NULL, isolate, 0, texts, 2 };
	char path[] = "/tmp/objref-test-XXXXXX.png", *text = NULL;
	size_t len;
	unsigned w, h;
	int fd = mkstemps(path, 4);

	ASSERT_GE(fd, 0);
	close(fd);
	ASSERT_OK(ph_base_heap(&snap));
	CHECK(dot_of(&b, snap, B_T, NULL));
	ASSERT_OK(objref_render_file(path, b.data, &o));
	CHECK(png_size(path, &w, &h));
	ASSERT_GT(w, 100);
	ASSERT_GT(h, 100);
	ASSERT_OK(objref_png_get_text(&text, &len, path, "DOT"));
	ASSERT_STR_EQ(text, b.data);
	ASSERT_EQ(len, b.len);
	objref_free(text);
	ASSERT_OK(objref_png_get_text(&text, &len, path, "Software"));
	ASSERT_STR_PREFIX(text, "objref " OBJREF_VERSION " (Graphviz ");
	objref_free(text);
	ASSERT_OK(objref_png_get_text(&text, &len, path, "Python"));
	ASSERT_STR_EQ(text, "3.11.2 \xc3\xa9");
	objref_free(text);
	ASSERT_EQ(objref_png_get_text(&text, &len, path, "Title"), OBJREF_ENOTFOUND);
	ASSERT(strstr(objref_error_last(), "no 'Title' text chunk"));
	unlink(path);
	objref_buf_dispose(&b);
	objref_snapshot_free(snap);
	return TEST_OK;
}

int test_render_png_in_process(void)
{
	return render_to_png(0);
}

int test_render_png_isolated(void)
{
	return render_to_png(1);
}

int test_render_errors(void)
{
	objref_render_options iso = { NULL, 1, 0, NULL, 0 };
	objref_buf b = { 0 };
	char *text;
	size_t len;

	/* Unknown format, unwritable path, DOT that does not parse. */
	ASSERT_EQ(objref_render_file("/tmp/x.gif", "digraph{}", NULL), OBJREF_EINVAL);
	ASSERT(strstr(objref_error_last(), "name it .png, .svg, .pdf or .dot"));
	ASSERT_EQ(objref_render_data(&b, "digraph{}", "gif", NULL, 0), OBJREF_EINVAL);
	ASSERT_EQ(objref_render_file("/nonexistent/dir/a.dot", "digraph{}", NULL), OBJREF_EIO);
	ASSERT(strstr(objref_error_last(), "cannot write '/nonexistent/dir/a.dot'"));
	ASSERT_EQ(objref_render_file("/nonexistent/dir/a.png", "digraph{a->b}", &iso), OBJREF_ERROR);
	ASSERT(strstr(objref_error_last(), "cannot write '/nonexistent/dir/a.png'"));
	ASSERT_EQ(objref_render_data(&b, "digraph { a -> ", "png", NULL, 0), OBJREF_EINVAL);
	ASSERT(strstr(objref_error_last(), "does not parse"));
	/* A picture after those still works: the context survived. */
	ASSERT_OK(objref_render_data(&b, "digraph { a -> b }", "png", NULL, 0));
	ASSERT_GT(b.len, 100);
	objref_buf_dispose(&b);
	/* Reading: not a PNG; no file. */
	ASSERT_EQ(objref_png_get_text(&text, &len, "/proc/self/status", "DOT"), OBJREF_EINVAL);
	ASSERT_EQ(objref_png_get_text(&text, &len, "/nonexistent.png", "DOT"), OBJREF_EIO);
	return TEST_OK;
}

int test_png_add_text(void)
{
	objref_buf png = { 0 }, out = { 0 };
	objref_png_text bad = { "", "x" }, big = { "Big", NULL };
	char *large = malloc(100000), *text;
	char path[] = "/tmp/objref-test-XXXXXX.png";
	size_t len;
	int fd;

	ASSERT(large != NULL);
	memset(large, 'x', 99999);
	large[99999] = '\0';
	big.text = large;
	ASSERT_EQ(objref_png_add_text(&out, (const unsigned char *)"GIF89a", 6, NULL, 0), OBJREF_EINVAL);
	ASSERT_OK(objref_render_data(&png, "digraph { a }", "png", NULL, 0));
	ASSERT_EQ(objref_png_add_text(&out, (unsigned char *)png.data, png.len, &bad, 1), OBJREF_EINVAL);
	out.len = 0;
	/* 100 KB of text compresses: the file grows by far less. */
	ASSERT_OK(objref_png_add_text(&out, (unsigned char *)png.data, png.len, &big, 1));
	ASSERT_LT(out.len, png.len + 2000);
	ASSERT_GE((fd = mkstemps(path, 4)), 0);
	ASSERT_EQ(write(fd, out.data, out.len), (ssize_t)out.len);
	close(fd);
	ASSERT_OK(objref_png_get_text(&text, &len, path, "Big"));
	ASSERT_EQ(len, 99999);
	ASSERT_STR_EQ(text, large);
	objref_free(text);
	unlink(path);
	free(large);
	objref_buf_dispose(&png);
	objref_buf_dispose(&out);
	return TEST_OK;
}

/* A child that crashes or runs late is reported; the caller goes on, and
 * no file is left behind. */
int test_render_isolation(void)
{
	objref_render_options o = { NULL, 1, 0, NULL, 0 };
	objref_buf dot = { 0 };
	char path[] = "/tmp/objref-test-XXXXXX";
	int fd = mkstemp(path);
	char png[64];

	ASSERT_GE(fd, 0);
	close(fd);
	unlink(path);
	snprintf(png, sizeof(png), "%s.png", path);
	setenv("OBJREF_RENDER_CRASH_FOR_TESTS", "1", 1);
	ASSERT_EQ(objref_render_file(png, "digraph { a -> b }", &o), OBJREF_ERROR);
	unsetenv("OBJREF_RENDER_CRASH_FOR_TESTS");
	ASSERT(strstr(objref_error_last(), "Graphviz crashed drawing"));
	/* (under AddressSanitizer the child reports the SEGV and exits 1) */
	ASSERT(strstr(objref_error_last(), "signal 11") || strstr(objref_error_last(), "exit status 1"));
	ASSERT_NE(access(png, F_OK), 0);

	/* 1,500 nodes cannot be laid out in 1 ms: the child is killed. */
	objref_buf_printf(&dot, "digraph {");
	for (int i = 0; i < 1500; i++)
		objref_buf_printf(&dot, " n%d -> n%d; n%d -> n%d;", i, i + 1, i + 1, i / 2);
	objref_buf_printf(&dot, " }");
	o.timeout_ms = 1;
	ASSERT_EQ(objref_render_file(png, dot.data, &o), OBJREF_ERROR);
	ASSERT(strstr(objref_error_last(), "took more than 0.0 s"));
	ASSERT_NE(access(png, F_OK), 0);
	/* And the next picture is drawn. */
	o.timeout_ms = 0;
	ASSERT_OK(objref_render_file(png, "digraph { a -> b }", &o));
	ASSERT_EQ(access(png, F_OK), 0);
	unlink(png);
	objref_buf_dispose(&dot);
	return TEST_OK;
}

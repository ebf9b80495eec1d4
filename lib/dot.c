/*
 * lib/dot.c — a view as DOT, through libcgraph (objref_view_dot).
 *
 * The graph is made with agopen/agnode/agedge, its attributes set with
 * agxset, and written with agwrite: no DOT is printed by hand.  Every
 * label is an HTML-like label (agstrdup_html) whose text is XML-escaped,
 * so a heap string is always text: it can close no quote, open no
 * attribute, and inject no markup into an SVG.
 *
 * The look: roots from the top down (rankdir TB, references point from
 * referrer to referent); a node shows its type in bold, a short
 * description, and its size; modules are green, running frames orange,
 * objects held from C red, garbage grey, samples yellow with a thick
 * border; the suspect reference is bold red.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "objref/render.h"
#include "gv_internal.h"
#include "internal.h"

#define DESC_CHARS 40
#define FONT "DejaVu Sans"

/* ---- XML escaping ------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
		: (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (!len || len > n || (len == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

int objref_xml_escape(objref_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(p + i, len - i);
		const char *ent = NULL;

		if (n == 1) {
			switch (p[i]) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&#39;"; break;
			default: if (p[i] < 0x20 || p[i] == 0x7f) ent = "\xef\xbf\xbd";
			}
		}
		if (!n) {
			ent = "\xef\xbf\xbd";
			n = 1;
		}
		if (ent ? objref_buf_put(out, ent, strlen(ent)) : objref_buf_put(out, s + i, n))
			return OBJREF_ENOMEM;
		i += n;
	}
	return 0;
}

/* Escape at most `chars` characters of s, then "…" if there were more. */
static int escape_short(objref_buf *out, const char *s, size_t chars)
{
	size_t len = strlen(s), at = 0, k = 0;

	while (at < len && k < chars) {
		size_t n = utf8_len((const unsigned char *)s + at, len - at);
		at += n ? n : 1;
		k++;
	}
	if (objref_xml_escape(out, s, at) < 0)
		return OBJREF_ENOMEM;
	return at < len ? objref_buf_printf(out, "\xe2\x80\xa6") : 0;
}

/* ---- labels ------------------------------------------------------------- */

typedef struct {
	const objref_view *v;
	const objref_snapshot *snap;
	const objref_dot_options *o;
	Agraph_t *g;
	Agsym_t *label, *fill, *color, *pen, *style, *font, *fsize;
	objref_buf text;
} dot;

static const char *type_name(const dot *d, objref_id id, objref_buf *tmp)
{
	const objref_type *t = objref_snapshot_type(d->snap, objref_snapshot_object(d->snap, id)->type);
	const char *mod = objref_snapshot_string(d->snap, t->module);

	if (!d->o->longnames || (t->flags & OBJREF_T_BUILTIN) || !*mod)
		return objref_snapshot_string(d->snap, t->qualname);
	tmp->len = 0;
	objref_buf_printf(tmp, "%s.%s", mod, objref_snapshot_string(d->snap, t->qualname));
	return tmp->failed ? "?" : tmp->data;
}

/* Why a root is one, when its colour alone would not say it. */
static void root_note(dot *d, objref_id id)
{
	const objref_root *r = objref_view_root_of(d->v, id);

	if (!r)
		return;
	if (r->kind == OBJREF_ROOT_HELD_FROM_C && r->extra)
		objref_buf_printf(&d->text, "<BR/><I>held from C: %u unexplained ref%s</I>", r->extra,
			r->extra == 1 ? "" : "s");
	else if (r->kind == OBJREF_ROOT_HELD_FROM_C)
		objref_buf_printf(&d->text, "<BR/><I>held by the interpreter</I>");
	else if (r->kind == OBJREF_ROOT_GC_GARBAGE)
		objref_buf_printf(&d->text, "<BR/><I>in gc.garbage</I>");
	else if (r->kind == OBJREF_ROOT_FROZEN)
		objref_buf_printf(&d->text, "<BR/><I>frozen (gc.freeze)</I>");
}

static void object_label(dot *d, const objref_view_node *n)
{
	const objref_object *o = objref_snapshot_object(d->snap, n->id);
	const char *desc = objref_snapshot_string(d->snap, o->desc);
	objref_buf tmp = { 0 }, *b = &d->text;
	const char *type = type_name(d, n->id, &tmp);

	objref_buf_printf(b, "<B>");
	objref_xml_escape(b, type, strlen(type));
	objref_buf_printf(b, "</B>");
	if (*desc) {
		objref_buf_printf(b, "<BR/>");
		escape_short(b, desc, DESC_CHARS);
	}
	root_note(d, n->id);
	objref_buf_printf(b, "<BR/><FONT POINT-SIZE=\"8\">");
	objref_format_bytes(b, (double)o->size, 0);
	if (d->o->refcounts)
		objref_buf_printf(b, ", refcount %u", o->refcnt);
	objref_buf_printf(b, "</FONT>");
	objref_buf_dispose(&tmp);
}

static void frame_label(dot *d, const objref_view_node *n)
{
	size_t nr;
	const objref_root *r = &objref_snapshot_roots(d->snap, &nr)[n->count];
	const char *file = objref_snapshot_string(d->snap, r->file), *base = strrchr(file, '/');
	objref_buf *b = &d->text;

	objref_buf_printf(b, "<B>frame</B> ");
	escape_short(b, objref_snapshot_string(d->snap, r->function), DESC_CHARS);
	objref_buf_printf(b, "()<BR/>");
	escape_short(b, base ? base + 1 : file, DESC_CHARS);
	objref_buf_printf(b, ":%u", r->line);
}

static void more_label(dot *d, const objref_view_node *n)
{
	objref_buf_printf(&d->text, "%u more %s", n->count,
		n->flags & OBJREF_VN_REFERENTS ? (n->count == 1 ? "reference" : "references")
					       : (n->count == 1 ? "referrer" : "referrers"));
}

/* Fill and border of an object node: by root, then by flags. */
static void object_colours(const dot *d, const objref_view_node *n, const char **fill, const char **line)
{
	const objref_object *o = objref_snapshot_object(d->snap, n->id);
	const objref_root *r = objref_view_root_of(d->v, n->id);
	objref_root_kind k = r ? r->kind : 0;

	*fill = "#f4f4f4";
	*line = "#8a8a8a";
	if ((o->flags & OBJREF_F_MODULE) || k == OBJREF_ROOT_MODULE) {
		*fill = "#b9e4c9"; *line = "#2e7d4f";
	} else if (k == OBJREF_ROOT_HELD_FROM_C) {
		*fill = "#f6b1b1"; *line = "#b22222";
	} else if (k == OBJREF_ROOT_GC_GARBAGE || (n->flags & OBJREF_VN_GARBAGE)) {
		*fill = "#d4d4d4"; *line = "#5f5f5f";
	} else if (k == OBJREF_ROOT_FROZEN) {
		*fill = "#d3e5f5"; *line = "#4a7aa8";
	} else if (n->flags & OBJREF_VN_HIGHLIGHT) {
		*fill = "#a9c8f0"; *line = "#3a6ea5";
	} else if (n->flags & OBJREF_VN_SAMPLE) {
		*fill = "#ffe08a"; *line = "#a07800";
	}
}

/* ---- the graph ----------------------------------------------------------- */

static void set_html(dot *d, void *obj, Agsym_t *sym)
{
	char *h = agstrdup_html(d->g, d->text.failed ? "?" : d->text.data);

	agxset(obj, sym, h);
	agstrfree(d->g, h);
	d->text.len = 0;
	if (d->text.data)
		d->text.data[0] = '\0';
}

static int add_node(dot *d, size_t i, Agnode_t **out)
{
	const objref_view_node *n = &objref_view_nodes(d->v, &(size_t){0})[i];
	const char *fill = "#ffc98b", *line = "#c76a00";
	char name[32];

	snprintf(name, sizeof(name), "n%zu", i);
	if (!(*out = agnode(d->g, name, 1)))
		return OBJREF_ERROR;
	if (n->kind == OBJREF_VN_OBJECT) {
		object_label(d, n);
		object_colours(d, n, &fill, &line);
	} else if (n->kind == OBJREF_VN_FRAME) {
		frame_label(d, n);
	} else {
		more_label(d, n);
		fill = "#ffffff"; line = "#d62828";
		agxset(*out, d->style, "dashed,rounded,filled");
		agxset(*out, d->fsize, "8");
	}
	if (n->extra) {
		objref_buf_printf(&d->text, "<BR/><FONT POINT-SIZE=\"8\">");
		objref_xml_escape(&d->text, n->extra, strlen(n->extra));
		objref_buf_printf(&d->text, "</FONT>");
	}
	set_html(d, *out, d->label);
	agxset(*out, d->fill, (char *)fill);
	agxset(*out, d->color, (char *)line);
	if (n->flags & OBJREF_VN_SAMPLE)
		agxset(*out, d->pen, "2.5");
	return 0;
}

static int add_edge(dot *d, Agnode_t **nodes, const objref_view_edge *e, Agsym_t **esyms)
{
	Agedge_t *ae = agedge(d->g, nodes[e->from], nodes[e->to], NULL, 1);
	char text[512];
	size_t n;

	if (!ae)
		return OBJREF_ERROR;
	n = objref_label_format(text, sizeof(text), d->snap, e->label);
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	if (e->flags & OBJREF_VE_SUSPECT)
		objref_buf_printf(&d->text, "<B>");
	escape_short(&d->text, text, DESC_CHARS);
	if (e->flags & OBJREF_VE_SUSPECT)
		objref_buf_printf(&d->text, "</B>");
	set_html(d, ae, esyms[0]);
	if (e->flags & OBJREF_VE_SUSPECT) {
		agxset(ae, esyms[1], "#d62828");
		agxset(ae, esyms[2], "2.5");
		agxset(ae, esyms[3], "#d62828");
	}
	if (objref_view_nodes(d->v, &(size_t){0})[e->from].kind == OBJREF_VN_MORE ||
	    objref_view_nodes(d->v, &(size_t){0})[e->to].kind == OBJREF_VN_MORE) {
		agxset(ae, esyms[1], "#d62828");
		agxset(ae, esyms[4], "dotted");
	}
	return 0;
}

static int is_dot_id(const char *s)
{
	if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* The caller's attributes (o->node_attrs), over objref's own. */
static int add_node_attrs(dot *d, Agnode_t **nodes, size_t nn)
{
	for (size_t i = 0; i < d->o->nnode_attrs; i++) {
		const objref_dot_attr *a = &d->o->node_attrs[i];
		Agsym_t *sym;
		if (a->node >= nn || !is_dot_id(a->key) || !a->value)
			return objref__error(OBJREF_EINVAL, "node attribute %zu: the key must be a DOT "
				"identifier ([A-Za-z_][A-Za-z0-9_]*) of a node of the picture", i);
		if (!(sym = agattr(d->g, AGNODE, (char *)a->key, NULL)) &&
		    !(sym = agattr(d->g, AGNODE, (char *)a->key, "")))
			return OBJREF_ERROR;
		agxset(nodes[a->node], sym, (char *)a->value);
	}
	return 0;
}

static void graph_defaults(dot *d)
{
	objref_buf *b = &d->text;
	size_t lost = objref_view_truncated(d->v), nn;

	agattr(d->g, AGRAPH, "rankdir", "TB");
	agattr(d->g, AGRAPH, "fontname", FONT);
	agattr(d->g, AGRAPH, "fontsize", "11");
	agattr(d->g, AGRAPH, "nodesep", "0.3");
	agattr(d->g, AGRAPH, "ranksep", "0.45");
	agattr(d->g, AGRAPH, "labelloc", "t");
	agattr(d->g, AGNODE, "shape", "box");
	agattr(d->g, AGNODE, "margin", "0.12,0.05");
	d->style = agattr(d->g, AGNODE, "style", "rounded,filled");
	d->font = agattr(d->g, AGNODE, "fontname", FONT);
	d->fsize = agattr(d->g, AGNODE, "fontsize", "10");
	d->fill = agattr(d->g, AGNODE, "fillcolor", "#f4f4f4");
	d->color = agattr(d->g, AGNODE, "color", "#8a8a8a");
	d->pen = agattr(d->g, AGNODE, "penwidth", "1");
	d->label = agattr(d->g, AGNODE, "label", "");
	if (d->o->title || lost) {
		Agsym_t *gl = agattr(d->g, AGRAPH, "label", "");
		if (d->o->title)
			objref_xml_escape(b, d->o->title, strlen(d->o->title));
		if (lost) {
			objref_view_nodes(d->v, &nn);
			objref_buf_printf(b, "%s<FONT COLOR=\"#d62828\">truncated: %zu more object%s "
				"not drawn (the picture's limit is %zu nodes)</FONT>",
				d->o->title ? "<BR/>" : "", lost, lost == 1 ? "" : "s", nn);
		}
		set_html(d, d->g, gl);
	}
}

int objref_view_dot(objref_buf *out, const objref_view *v, const objref_dot_options *o)
{
	static const objref_dot_options defaults = OBJREF_DOT_OPTIONS_INIT;
	dot d = { v, objref_view_snapshot(v), o ? o : &defaults, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, { 0 } };
	size_t nn, ne;
	const objref_view_edge *edges = objref_view_edges(v, &ne);
	Agnode_t **nodes = NULL;
	Agsym_t *esyms[5];
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = NULL;
	int err = OBJREF_ENOMEM;

	objref_view_nodes(v, &nn);
	if (!(nodes = objref__calloc(nn + 1, sizeof(*nodes))))
		return OBJREF_ENOMEM;
	objref__gv_lock();
	objref__gv_errors_clear();
	if (!(d.g = agopen("objref", Agdirected, NULL)))
		goto cleanup;
	graph_defaults(&d);
	esyms[0] = agattr(d.g, AGEDGE, "label", "");
	esyms[1] = agattr(d.g, AGEDGE, "color", "#555555");
	esyms[2] = agattr(d.g, AGEDGE, "penwidth", "1");
	esyms[3] = agattr(d.g, AGEDGE, "fontcolor", "#333333");
	esyms[4] = agattr(d.g, AGEDGE, "style", "solid");
	agattr(d.g, AGEDGE, "fontname", FONT);
	agattr(d.g, AGEDGE, "fontsize", "9");
	agattr(d.g, AGEDGE, "arrowsize", "0.7");
	err = OBJREF_ERROR;
	for (size_t i = 0; i < nn; i++)
		if (add_node(&d, i, &nodes[i]) < 0)
			goto cleanup;
	for (size_t i = 0; i < ne; i++)
		if (add_edge(&d, nodes, &edges[i], esyms) < 0)
			goto cleanup;
	if ((err = add_node_attrs(&d, nodes, nn)) < 0) {
		if (err == OBJREF_EINVAL)
			goto cleanup;
		err = OBJREF_ERROR;
		goto cleanup;
	}
	err = OBJREF_ERROR;
	if (!(f = open_memstream(&text, &tlen))) {
		err = objref__error(OBJREF_ENOMEM, "no memory for the DOT text");
		goto cleanup;
	}
	if (agwrite(d.g, f) != 0 || fclose(f) != 0) {
		f = NULL;
		goto cleanup;
	}
	f = NULL;
	err = d.text.failed || objref_buf_put(out, text, tlen) < 0 ? OBJREF_ENOMEM : 0;
cleanup:
	if (f)
		fclose(f);
	if (err == OBJREF_ERROR)
		objref__error(err, "Graphviz could not build the graph: %s",
			*objref__gv_errors() ? objref__gv_errors() : "out of memory");
	if (d.g)
		agclose(d.g);
	objref__gv_unlock();
	free(text);
	objref__free(nodes);
	objref_buf_dispose(&d.text);
	return err;
}

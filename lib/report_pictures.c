/*
 * lib/report_pictures.c — objgraph's show_chain picture and the node count
 * the faces print (include/objref/pictures_report.h).
 */
#include <stdint.h>
#include <string.h>
#include "objref/pictures_report.h"
#include "internal.h"

/* The neighbour pairs drawn so far (from, to): a few per chain step. */
typedef struct {
	objref_id (*pairs)[2];
	size_t n, cap;
} drawn_pairs;

static int ignored(const objref_chain_view_options *o, objref_id id)
{
	for (size_t i = 0; i < o->nignore; i++)
		if (o->ignore[i] == id)
			return 1;
	return 0;
}

/* May the walk go from `at` to `next`?  1 yes (and recorded), 0 no,
 * OBJREF_ENOMEM. */
static int step_ok(drawn_pairs *d, const objref_chain_view_options *o, objref_id at, objref_id next)
{
	size_t fan = 0;

	if (ignored(o, next))
		return 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->pairs[i][0] != at)
			continue;
		if (d->pairs[i][1] == next)
			return 1;
		fan++;
	}
	if (fan >= o->too_many)
		return 0;
	if (objref__grow((void **)&d->pairs, &d->cap, d->n + 1, sizeof(*d->pairs)) < 0)
		return OBJREF_ENOMEM;
	d->pairs[d->n][0] = at;
	d->pairs[d->n][1] = next;
	d->n++;
	return 1;
}

/* The part of c the walk reaches: ids[*first .. *last]. */
static int reach(size_t *first, size_t *last, drawn_pairs *d, const objref_chain_view_options *o,
	const objref_chain *c)
{
	int ok = 1;

	if (o->backrefs) {
		*first = *last = c->n - 1;
		while (*first > 0 && (ok = step_ok(d, o, c->ids[*first], c->ids[*first - 1])) == 1)
			(*first)--;
	} else {
		*first = *last = 0;
		while (*last + 1 < c->n && (ok = step_ok(d, o, c->ids[*last], c->ids[*last + 1])) == 1)
			(*last)++;
	}
	return ok < 0 ? ok : 0;
}

int objref_view_add_chains(objref_view *v, const objref_chain *chains, size_t n,
	const objref_chain_view_options *o)
{
	static const objref_chain_view_options defaults = OBJREF_CHAIN_VIEW_OPTIONS_INIT;
	drawn_pairs d = { NULL, 0, 0 };
	int err = 0;

	if (!o)
		o = &defaults;
	for (size_t i = 0; i < n && !err; i++) {
		const objref_chain *c = &chains[i];
		size_t first, last;
		objref_chain part;
		if (!c->n || ignored(o, o->backrefs ? c->ids[c->n - 1] : c->ids[0]))
			continue;
		if ((err = reach(&first, &last, &d, o, c)) < 0)
			break;
		part = *c;
		part.ids = c->ids + first;
		part.labels = c->labels + first;
		part.n = last - first + 1;
		part.cap = part.n;
		if ((err = objref_view_add_chain(v, &part, SIZE_MAX)) == 0 && !o->backrefs)
			err = objref_view_node_flag(v, objref_view_find(v, part.ids[0]), OBJREF_VN_SAMPLE);
	}
	objref__free(d.pairs);
	return err;
}

size_t objref_view_object_count(const objref_view *v)
{
	size_t n, count = 0;
	const objref_view_node *nodes = objref_view_nodes(v, &n);

	for (size_t i = 0; i < n; i++)
		count += nodes[i].kind == OBJREF_VN_OBJECT;
	return count;
}

int objref_picture_present(objref_buf *msg, const char *dot, const objref_present_options *o)
{
	const char *fmt = o->filename ? objref_render_format_of(o->filename) : "png";
	const char *dot_path = fmt && !strcmp(fmt, "dot") ? o->filename : o->dot_temp;
	const char *image = o->filename ? o->filename : o->image_temp;
	int err;

	if (!dot_path || (dot_path != o->filename && !image))
		return objref__error(OBJREF_EINVAL, "a picture needs a file name for its DOT and image");
	if (o->lost)
		objref_buf_printf(msg, "objref: %zu object%s left out: a picture shows at most %zu nodes "
			"(lower max_depth or too_many, or raise max_nodes)\n", o->lost,
			o->lost == 1 ? " was" : "s were", o->nodes);
	if ((err = objref_render_file(dot_path, dot, &o->render)) < 0)
		return err;
	objref_buf_printf(msg, "Graph written to %s (%zu nodes)\n", dot_path, o->objects);
	if (dot_path == o->filename)
		return 0;
	if (o->nodes > OBJREF_RENDER_MAX_NODES)
		objref_buf_printf(msg, "Image not generated: %zu nodes are more than a picture can show "
			"(%d); the DOT is in %s\n", o->nodes, OBJREF_RENDER_MAX_NODES, dot_path);
	else if (objref_render_file(image, dot, &o->render) < 0)
		objref_buf_printf(msg, "Image not generated: %s; the DOT is in %s\n",
			*objref_error_last() ? objref_error_last() : "Graphviz failed", dot_path);
	else
		objref_buf_printf(msg, "Image generated as %s\n", image);
	return 0;
}

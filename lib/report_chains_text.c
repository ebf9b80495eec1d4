/*
 * lib/report_chains_text.c — the words of the chains report
 * (objref/chains_report.h): each root described once, the text
 * objref-chain prints, and the JSON of schema objref-chain/1.
 */
#include <stdio.h>
#include <string.h>
#include "objref/chains_report.h"
#include "objref/roots.h"
#include "internal.h"

static char *dup(const char *s)
{
	return objref__strndup(s, strlen(s));
}

/* *dst = a copy of s: 0, or 1 when it could not be made. */
static int set(char **dst, const char *s)
{
	return !(*dst = dup(s));
}

/* The attribute a chain takes first out of a module: "CACHE" in
 * module app .CACHE -> ..., or NULL. */
static const char *first_global(const objref_snapshot *snap, const objref_chain *c, char *buf,
	size_t size)
{
	size_t len;

	if (c->n < 3 || OBJREF_LABEL_KIND(c->labels[0]) != OBJREF_LABEL_SPECIAL ||
	    OBJREF_LABEL_PAYLOAD(c->labels[0]) != OBJREF_SP_DICT ||
	    OBJREF_LABEL_KIND(c->labels[1]) != OBJREF_LABEL_KEY)
		return NULL;
	snprintf(buf, size, "%s", objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(c->labels[1])));
	len = strlen(buf);
	if (len < 2 || buf[0] != '\'' || buf[len - 1] != '\'')
		return NULL;
	memmove(buf, buf + 1, len - 2);
	buf[len - 2] = '\0';
	return buf;
}

/* A frame-local root: "local pending of worker() at app.py:17, thread worker-1". */
static int frame_root(objref_report_root *root, objref_buf *text, const objref_snapshot *snap,
	const objref_root *r, const objref_report_live *live)
{
	char thread[128] = "";

	if (live && live->thread_name)
		live->thread_name(live->arg, r->thread, thread, sizeof(thread));
	int bad = set(&root->name, objref_snapshot_string(snap, r->name)) |
		set(&root->function, objref_snapshot_string(snap, r->function)) |
		set(&root->file, objref_snapshot_string(snap, r->file)) | set(&root->thread, thread);

	root->line = r->line;
	root->thread_ident = r->thread;
	objref_buf_printf(text, "local %s of %s() at %s:%u, thread %s",
		objref_snapshot_string(snap, r->name), objref_snapshot_string(snap, r->function),
		objref_snapshot_string(snap, r->file), r->line, thread[0] ? thread : "?");
	if (!thread[0])
		objref_buf_printf(text, " (ident %llu)", (unsigned long long)r->thread);
	return bad;
}

/* "; allocated at app.py:12 (tracemalloc)" after the text of a root held
 * from C, when the face knows where it was allocated. */
static void held_site(objref_buf *text, objref_id id, const objref_report_live *live)
{
	char site[1024];

	if (live && live->alloc_site && live->alloc_site(live->arg, id, site, sizeof(site)) > 0)
		objref_buf_printf(text, "; allocated at %s (tracemalloc)", site);
}

/* The root of a chain that reached one: 0, or 1 when a string could not
 * be copied. */
static int record_root(objref_report_root *root, objref_buf *text, const objref_snapshot *snap,
	const objref_paths *s, const objref_chain *c, const objref_report_live *live)
{
	const objref_object *o = objref_snapshot_object(snap, c->ids[0]);
	const objref_root *r = objref_paths_root_of(s, c->ids[0]);
	char global[256];

	if (!r) {
		const char *name = o->flags & OBJREF_F_MODULE ? objref_snapshot_string(snap, o->desc) : "";
		root->how = OBJREF_REPORT_ROOT_MODULE_FLAG;
		objref_buf_printf(text, "module %s", name);
		return set(&root->module, name);
	}
	root->kind = r->kind;
	switch (r->kind) {
	case OBJREF_ROOT_MODULE: {
		const char *mod = objref_snapshot_string(snap, r->name);
		const char *g = first_global(snap, c, global, sizeof(global));
		objref_buf_printf(text, g ? "module global %s.%s" : "module %s", mod, g ? g : "");
		return set(&root->module, mod) | (g ? set(&root->name, g) : 0);
	}
	case OBJREF_ROOT_FRAME:
		return frame_root(root, text, snap, r, live);
	case OBJREF_ROOT_HELD_FROM_C:
		root->unexplained = r->extra;
		objref_buf_printf(text, "held from C: %u reference%s the heap does not explain "
			"(a C extension, or a missing Py_DECREF)", r->extra, r->extra == 1 ? "" : "s");
		held_site(text, c->ids[0], live);
		return 0;
	default:
		objref_buf_printf(text, "%s %s", objref_root_kind_name(r->kind),
			objref_snapshot_string(snap, r->name));
		return set(&root->name, objref_snapshot_string(snap, r->name));
	}
}

int objref_report_root_describe(objref_report_root *root, const objref_snapshot *snap,
	const objref_paths *s, const objref_chain *c, const objref_report_live *live)
{
	objref_buf text = { 0 };
	int bad = 0;

	memset(root, 0, sizeof(*root));
	if (c->status == OBJREF_PATH_UNREACHABLE) {
		root->how = OBJREF_REPORT_ROOT_GARBAGE;
		objref_buf_printf(&text, "no root: garbage held only by reference cycles "
			"(a collection would free it; is gc disabled or frozen?)");
	} else if (c->status == OBJREF_PATH_TOO_DEEP) {
		root->how = OBJREF_REPORT_ROOT_TOO_DEEP;
		root->distance = c->distance;
		objref_buf_printf(&text, "no root within max_depth (nearest at %zu references)",
			c->distance);
	} else {
		bad = record_root(root, &text, snap, s, c, live);
	}
	if (bad || objref_buf_failed(&text) || !(root->text = text.data ? text.data : dup(""))) {
		objref_buf_dispose(&text);
		root->text = NULL;
		objref_report_root_dispose(root);
		return objref__error(OBJREF_ENOMEM, "out of memory describing a root");
	}
	return 0;
}

void objref_report_root_dispose(objref_report_root *root)
{
	objref__free(root->module);
	objref__free(root->name);
	objref__free(root->function);
	objref__free(root->file);
	objref__free(root->thread);
	objref__free(root->text);
	memset(root, 0, sizeof(*root));
}

/* ---- text ------------------------------------------------------------------ */

/* "  explains: 86 % of the new str that survived a checkpoint (1,403 of
 * 1,637) enter through module __main__ .AUDIT -> dict, there before them" */
static void explains(objref_buf *b, const objref_chains_report *r, const objref_report_pattern *p)
{
	unsigned pct = (unsigned)((p->explained * 100 + r->new_objects / 2) / r->new_objects);

	if (pct == 100 && p->explained < r->new_objects)
		pct = 99; /* never round a part up to the whole */
	objref_buf_printf(b, "  explains: %u %% of the new %s%s (", pct, r->type,
		r->survivors ? " that survived a checkpoint" : "");
	objref_format_count(b, p->explained);
	objref_buf_printf(b, " of ");
	objref_format_count(b, r->new_objects);
	objref_buf_printf(b, ") enter through %s, there before them\n", p->holder_text);
}

/* "  chosen: Session, of the 3 types that grew, its new objects keep the
 * most alive (1.2 MB; str 300 KB, int 26 KB)": why this type; then "  one
 * leak with it: 100 % of the new str, ... are inside its new objects" for
 * the types most of whose new objects it dominates. */
static void chosen(objref_buf *b, const objref_chains_report *r)
{
	const size_t shown = 4;
	size_t inside = 0;

	objref_buf_printf(b, "  chosen: %s, of the %zu types that grew, its new objects keep the most alive (",
		r->type, r->nchoices);
	objref_format_bytes(b, (double)r->choices[0].retained, 0);
	for (size_t i = 1; i < r->nchoices && i <= shown; i++) {
		objref_buf_printf(b, "%s%s ", i == 1 ? "; " : ", ", r->choices[i].type);
		objref_format_bytes(b, (double)r->choices[i].retained, 0);
	}
	objref_buf_printf(b, "%s)\n", r->nchoices > shown + 1 ? ", ..." : "");
	for (size_t i = 1; i < r->nchoices; i++) {
		const objref_report_choice *c = &r->choices[i];
		if (!c->new_objects || 2 * c->inside < c->new_objects)
			continue; /* most of its new objects are not the chosen's */
		objref_buf_printf(b, "%s%zu %% of the new %s", inside++ ? ", " : "  one leak with it: ",
			(size_t)(100.0 * c->inside / c->new_objects), c->type);
	}
	if (inside)
		objref_buf_printf(b, " are inside its new objects\n");
}

int objref_chains_report_text(objref_buf *b, const objref_chains_report *r)
{
	size_t n = r->npatterns;

	objref_buf_printf(b, "chains for %s (%zu sample%s of ", r->type, r->samples,
		r->samples == 1 ? "" : "s");
	objref_format_count(b, r->instances);
	objref_buf_printf(b, ", %zu pattern%s, %zu/%zu samples share the first):\n", n,
		n == 1 ? "" : "s", n ? r->patterns[0].count : 0, r->samples);
	if (r->nchoices)
		chosen(b, r);
	if (r->taken_at)
		objref_buf_printf(b, "  taken at checkpoint %zu (%.1f s) while %s grew, not at the end (they were freed by then)\n",
			r->taken_at, r->taken_seconds, r->type);
	for (size_t i = 0; i < n; i++) {
		const objref_report_pattern *p = &r->patterns[i];
		if (n > 1)
			objref_buf_printf(b, "  [%zu/%zu]\n", p->count, r->samples);
		objref_buf_printf(b, "  %s\n  root: %s\n", p->text, p->root.text);
		if (p->suspect >= 0 && (size_t)p->suspect < p->nsteps)
			objref_buf_printf(b, "  suspect: %s %s (the samples' chains part after it: "
				"new objects enter here)\n", p->steps[p->suspect].type, p->suspect_text);
		if (p->holder >= 0 && r->new_objects)
			explains(b, r, p);
	}
	return objref_buf_failed(b) ? OBJREF_ENOMEM : 0;
}

/* ---- JSON ------------------------------------------------------------------- */

static void key_str(objref_json *w, const char *key, const char *value)
{
	objref_json_key(w, key);
	objref_json_str(w, value);
}

static void key_uint(objref_json *w, const char *key, uint64_t value)
{
	objref_json_key(w, key);
	objref_json_uint(w, value);
}

int objref_report_root_json(objref_json *w, const objref_report_root *root)
{
	objref_json_object(w);
	switch (root->how) {
	case OBJREF_REPORT_ROOT_GARBAGE:
		key_str(w, "kind", "garbage");
		break;
	case OBJREF_REPORT_ROOT_TOO_DEEP:
		key_str(w, "kind", "too_deep");
		key_uint(w, "distance", root->distance);
		break;
	case OBJREF_REPORT_ROOT_MODULE_FLAG:
		key_str(w, "kind", "module");
		key_str(w, "module", root->module);
		break;
	case OBJREF_REPORT_ROOT_RECORD:
		key_str(w, "kind", objref_root_kind_name(root->kind));
		if (root->kind == OBJREF_ROOT_MODULE) {
			key_str(w, "module", root->module);
			key_str(w, "name", root->name); /* null when the chain takes no global */
		} else if (root->kind == OBJREF_ROOT_FRAME) {
			key_str(w, "name", root->name);
			key_str(w, "function", root->function);
			key_str(w, "file", root->file);
			key_uint(w, "line", root->line);
			key_uint(w, "thread_ident", root->thread_ident);
			key_str(w, "thread", root->thread);
		} else if (root->kind == OBJREF_ROOT_HELD_FROM_C) {
			key_uint(w, "unexplained", root->unexplained);
		} else {
			key_str(w, "name", root->name);
		}
		break;
	}
	return objref_json_end(w);
}

static const char *status_name(objref_path_status s)
{
	static const char *const names[] = { "found", "too_deep", "unreachable" };
	return (unsigned)s < 3 ? names[s] : "found";
}

static void pattern_json(objref_json *w, const objref_report_pattern *p)
{
	objref_json_object(w);
	key_uint(w, "count", p->count);
	key_str(w, "status", status_name(p->status));
	key_str(w, "text", p->text);
	objref_json_key(w, "root");
	objref_report_root_json(w, &p->root);
	key_str(w, "root_text", p->root.text);
	objref_json_key(w, "steps");
	objref_json_array(w);
	for (size_t i = 0; i < p->nsteps; i++) {
		objref_json_object(w);
		key_str(w, "type", p->steps[i].type);
		key_str(w, "label", p->steps[i].label);
		objref_json_end(w);
	}
	objref_json_end(w);
	objref_json_key(w, "suspect");
	if (p->suspect >= 0)
		objref_json_int(w, p->suspect);
	else
		objref_json_null(w);
	key_str(w, "suspect_text", p->suspect_text);
	objref_json_key(w, "holder");
	if (p->holder >= 0)
		objref_json_int(w, p->holder);
	else
		objref_json_null(w);
	key_str(w, "holder_text", p->holder_text);
	key_uint(w, "explained", p->explained);
	objref_json_end(w);
}

int objref_chains_report_json(objref_json *w, const objref_chains_report *r, int with_dot)
{
	objref_json_object(w);
	key_str(w, "type", r->type);
	key_uint(w, "instances", r->instances);
	key_uint(w, "samples", r->samples);
	key_uint(w, "new_objects", r->new_objects);
	objref_json_key(w, "survivors");
	objref_json_bool(w, r->survivors);
	if (r->taken_at) { /* only then: the goldens of the usual reports stay */
		key_uint(w, "taken_at_checkpoint", r->taken_at);
		objref_json_key(w, "taken_at_seconds");
		objref_json_double(w, r->taken_seconds);
	}
	if (r->nchoices) { /* only without --type, among two growing types or more */
		objref_json_key(w, "chosen_among");
		objref_json_array(w);
		for (size_t i = 0; i < r->nchoices; i++) {
			objref_json_object(w);
			key_str(w, "type", r->choices[i].type);
			key_uint(w, "new_objects", r->choices[i].new_objects);
			key_uint(w, "retained_bytes", r->choices[i].retained);
			key_uint(w, "inside_chosen", r->choices[i].inside);
			objref_json_end(w);
		}
		objref_json_end(w);
	}
	objref_json_key(w, "patterns");
	objref_json_array(w);
	for (size_t i = 0; i < r->npatterns; i++)
		pattern_json(w, &r->patterns[i]);
	objref_json_end(w);
	if (with_dot && r->dot)
		key_str(w, "dot", r->dot);
	objref_json_end(w);
	return objref_buf_failed(w->out) ? OBJREF_ENOMEM : w->failed;
}

/*
 * objref/render.h — pictures: a view as DOT (libcgraph), DOT as PNG, SVG
 * or PDF (libgvc, in this process or in a forked child), and the text
 * chunks that make every PNG carry its DOT source (libpng).
 *
 * Graphviz 2.42 is neither thread-safe nor safe with more than one context
 * per process (see docs/design-notes.md): every Graphviz call of the
 * library is made under one mutex, with one context kept for the life of
 * the process, and one graph finished before the next is started.
 */
#ifndef OBJREF_RENDER_H
#define OBJREF_RENDER_H

#include "report.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One more DOT attribute of one view node (objgraph's extra_node_attrs). */
typedef struct {
	uint32_t node;     /* index in objref_view_nodes */
	const char *key;   /* a DOT identifier: [A-Za-z_][A-Za-z0-9_]* */
	const char *value; /* any UTF-8 text (written quoted by agwrite) */
} objref_dot_attr;

typedef struct {
	int longnames;     /* module-qualified type names (objgraph's shortnames=False) */
	int refcounts;     /* write each object's reference count */
	const char *title; /* a line above the picture, or NULL */
	const objref_dot_attr *node_attrs; /* set last, over objref's own; or NULL */
	size_t nnode_attrs;
} objref_dot_options;

#define OBJREF_DOT_OPTIONS_INIT { .longnames = 0, .refcounts = 0, .title = NULL, \
	.node_attrs = NULL, .nnode_attrs = 0 }

/*
 * Append the DOT text of v to out, built with libcgraph and written with
 * agwrite.  Nodes are named n0, n1 ... in view order, so the same view
 * gives the same text.  Every string from the heap (type names,
 * descriptions, labels, extra text) is XML-escaped into an HTML-like label:
 * it can change neither the graph nor the markup of an SVG made from it.
 * A view that lost objects to its node cap says so in the graph's label.
 * o may be NULL (OBJREF_DOT_OPTIONS_INIT).  Returns 0, OBJREF_ENOMEM,
 * OBJREF_EINVAL (a node attribute whose key is not a DOT identifier or
 * whose node is out of range) or OBJREF_ERROR (Graphviz refused, with its
 * message).
 */
OBJREF_EXTERN int objref_view_dot(objref_buf *out, const objref_view *v, const objref_dot_options *o);

/* Escape s (len bytes) for the text of an HTML-like label: & < > " ' as
 * entities, control characters as U+FFFD, invalid UTF-8 bytes as U+FFFD.
 * Returns 0 or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_xml_escape(objref_buf *out, const char *s, size_t len);

/* "png", "svg", "pdf" or "dot" for a path's extension (case-insensitive),
 * else NULL. */
OBJREF_EXTERN const char *objref_render_format_of(const char *path);

/* One PNG text chunk: a Latin-1 keyword of 1-79 characters, UTF-8 text. */
typedef struct {
	const char *key;
	const char *text;
} objref_png_text;

#define OBJREF_RENDER_MAX_NODES OBJREF_VIEW_MAX_NODES

typedef struct {
	const char *format;     /* "png", "svg", "pdf"; NULL: from the path */
	int isolate;            /* render in a forked child: a crash or a runaway
				   layout cannot reach the caller */
	unsigned timeout_ms;    /* isolate: kill the child after this (0: 60 s) */
	const objref_png_text *texts; /* PNG: more text chunks (command line ...) */
	size_t ntexts;
} objref_render_options;

#define OBJREF_RENDER_OPTIONS_INIT { .format = NULL, .isolate = 0, .timeout_ms = 0, \
	.texts = NULL, .ntexts = 0 }

/*
 * Lay out the DOT text `dot` with Graphviz's dot layout and render it in
 * `format` ("png", "svg", "pdf") into out, in this process.  A PNG gets
 * text chunks: "DOT" (the text rendered), "Software" (objref and Graphviz
 * versions) and the caller's.  Returns 0; OBJREF_EINVAL (unknown format,
 * DOT that does not parse), OBJREF_ERROR (Graphviz failed: the message
 * says how, e.g. a missing plugin and which package brings it),
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_render_data(objref_buf *out, const char *dot, const char *format,
	const objref_png_text *texts, size_t ntexts);

/*
 * Render `dot` into the file `path` (written to a temporary file beside it
 * and renamed, so a failure leaves no half file).  With o->isolate the
 * layout runs in a forked child that only calls C code: if it crashes or
 * runs past the time limit it is killed and an error is returned, the
 * caller untouched.  Call it with no Python code needing to run meanwhile
 * in the child (the child never returns to the caller).  Returns 0,
 * OBJREF_EIO (path not writable), OBJREF_ERROR (Graphviz failed, crashed
 * or timed out; the message says which), OBJREF_EINVAL, OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_render_file(const char *path, const char *dot, const objref_render_options *o);

/* ---- PNG text chunks ------------------------------------------------------- */

/*
 * Copy the PNG `png` (len bytes) into out with an iTXt chunk for each text
 * (compressed past 1 KB), written by libpng right after IHDR.  The image
 * data is copied, not decoded: the cost does not depend on the picture's
 * size.  Returns 0, OBJREF_EINVAL (not a PNG, a palette PNG, a bad
 * keyword) or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_png_add_text(objref_buf *out, const unsigned char *png, size_t len,
	const objref_png_text *texts, size_t n);

/*
 * Read the text chunk `key` of the PNG file `path` with libpng (tEXt, zTXt
 * or iTXt; chunks of any size).  *out is NUL-terminated, *len bytes, freed
 * with objref_free.  Returns 0; OBJREF_EIO (unreadable), OBJREF_EINVAL
 * (not a PNG, or corrupt), OBJREF_ENOTFOUND (no such chunk; the message
 * says so) or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_png_get_text(char **out, size_t *len, const char *path, const char *key);

#ifdef __cplusplus
}
#endif
#endif

/*
 * objref/pictures_report.h — the pictures of objgraph's show_chain and the
 * facts the faces print about a picture, decided here once for the module
 * (python/pictures_api.c) and any other face.  The backward and forward
 * walks of show_backrefs / show_refs are objref_view_walk (view.h).
 */
#ifndef OBJREF_PICTURES_REPORT_H
#define OBJREF_PICTURES_REPORT_H

#include "paths.h"
#include "render.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How objgraph.show_chain draws chains: it walks from the chains' ends
 * (show_backrefs from each chain's last object, or show_refs from its
 * first with backrefs = 0), keeping only the chains' objects. */
typedef struct {
	int backrefs;            /* chains run root ... object (find_backref_chain) */
	size_t too_many;         /* per object at most this many chain neighbours
				    away from where the walk starts (SIZE_MAX: all) */
	const objref_id *ignore; /* never drawn: a chain stops before them */
	size_t nignore;
} objref_chain_view_options;

#define OBJREF_CHAIN_VIEW_OPTIONS_INIT { .backrefs = 1, .too_many = SIZE_MAX, .ignore = NULL, \
	.nignore = 0 }

/*
 * Add chains[0..n) to v as objgraph.show_chain would draw them: each chain
 * from its walk end (the last object with backrefs, else the first) as far
 * as objgraph's walk would reach it — up to an object of o->ignore (not
 * drawn), or to an object that already has o->too_many other chain
 * neighbours drawn on that side.  What is kept is added with
 * objref_view_add_chain (labels kept, shared objects shared); forward
 * chains also mark their first object OBJREF_VN_SAMPLE.  Empty chains are
 * skipped.  o NULL: OBJREF_CHAIN_VIEW_OPTIONS_INIT.  Returns 0,
 * OBJREF_ENOTFOUND (the view filled up: what fitted stays) or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_view_add_chains(objref_view *v, const objref_chain *chains, size_t n,
	const objref_chain_view_options *o);

/* The number objgraph prints as "(N nodes)": the object nodes of v (not
 * the "N more" placeholders nor the frames of root records). */
OBJREF_EXTERN size_t objref_view_object_count(const objref_view *v);

/* Where objgraph's show_* put a picture (the caller names the files; a
 * file object as output is the caller's business). */
typedef struct {
	const char *filename;    /* the file asked for (.dot, .png, .svg, .pdf), or NULL */
	const char *dot_temp;    /* the DOT when filename is not a .dot (a temporary name) */
	const char *image_temp;  /* the image when there is no filename (a temporary .png) */
	size_t objects;          /* objgraph's "(N nodes)": objref_view_object_count */
	size_t nodes;            /* every node of the view (the drawing's size) */
	size_t lost;             /* objects the node cap left out (objref_view_truncated) */
	objref_render_options render;
} objref_present_options;

#define OBJREF_PRESENT_OPTIONS_INIT { .filename = NULL, .dot_temp = NULL, .image_temp = NULL, \
	.objects = 0, .nodes = 0, .lost = 0, .render = OBJREF_RENDER_OPTIONS_INIT }

/*
 * Present `dot` as objgraph does, saying what happened in msg (lines for
 * the user): a filename ending in .dot gets the DOT ("Graph written to F
 * (N nodes)"); otherwise the DOT goes to dot_temp and the image, drawn
 * with o->render, to filename or image_temp ("Image generated as F"), or,
 * when it cannot be drawn (too many nodes for a picture, Graphviz failed),
 * a line saying why and where the DOT is.  Objects left out by the node
 * cap are said first.  Returns 0 when the DOT was written (the image may
 * still have failed: msg says so), or the error of writing the DOT
 * (OBJREF_EIO ..., with its message).
 */
OBJREF_EXTERN int objref_picture_present(objref_buf *msg, const char *dot, const objref_present_options *o);

#ifdef __cplusplus
}
#endif
#endif

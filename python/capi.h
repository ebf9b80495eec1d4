/*
 * python/capi.h — the C API the `objref` module exports to objref-chain,
 * in the style of CPython's Include/datetime.h (PyDateTime_CAPI,
 * PyDateTime_IMPORT): a struct of entry points in a capsule, so the CLI
 * shares the program's state (the checkpoint series, the baseline, the
 * --log) and calls the engine in C, never the module's Python functions.
 *
 *   const objref_CAPI *api = OBJREF_CAPI_IMPORT();   (NULL: an exception is set)
 *   api->checkpoint(api->state, "end");
 *
 * Every entry point is called with the GIL held, and returns 0, or -1 with
 * a Python exception set.  `state` is the module's; it lives as long as the
 * module (objref-chain keeps it imported until Py_FinalizeEx).
 */
#ifndef OBJREF_PY_CAPI_H
#define OBJREF_PY_CAPI_H

#include <Python.h>
#include "objref/growth.h"
#include "objref/chains_report.h"
#include "objref/cycles_report.h"
#include "objref/html_report.h"

#define OBJREF_CAPI_NAME "objref._C_API"
#define OBJREF_CAPI_VERSION 2

typedef struct {
	unsigned int version;      /* OBJREF_CAPI_VERSION */
	void *state;               /* the first argument of every entry point */
	/* The checkpoints the program took (objref.checkpoint()), owned by
	 * the module: read it, never free it. */
	objref_series *series;
	/* objref.checkpoint(label): a census of the live heap (untracked
	 * objects included) added to the series and the log. */
	int (*checkpoint)(void *state, const char *label);
	/* Append each checkpoint's census to the file at path (NULL: stop). */
	int (*set_log)(void *state, const char *path);
	/* The chains report of o->type over a snapshot taken now, with the
	 * module's baseline and the live facts filled in (o->baseline and
	 * o->live are ignored).  *out: objref_chains_report_free.  LookupError
	 * when no object of the type is alive. */
	int (*chains_report)(void *state, objref_chains_report **out,
		const objref_chains_report_options *o);
	/* The garbage cycles of a snapshot taken now (no collection runs):
	 * up to limit shapes (SIZE_MAX: all), the picture's DOT of the first
	 * ones when picture is set.  *out: objref_cycles_report_free. */
	int (*cycles_report)(void *state, objref_cycles_report **out, size_t limit, int picture);
	/* Draw DOT into path (.png, .svg, .pdf), isolated in a child, the GIL
	 * released; PNGs carry the DOT, the command line and the Python. */
	int (*render)(void *state, const char *dot, const char *path);
	/* objref.dump(path, fork) for objref-chain: first waits for the
	 * previous forked dump of this entry point if it is still being
	 * written (its failure is this call's); then, path not NULL, a dump of
	 * the live heap into path, in a forked child (fork) or in process.  A
	 * forked dump is waited for (the file complete on return) when `wait`
	 * is set, else by the next call (path NULL: only that).  Waits release
	 * the GIL.  OSError or RuntimeError naming the file. */
	int (*dump)(void *state, const char *path, int fork, int wait);
	/* Retained sizes (objref/dominators.h) of the `limit` types that
	 * retain most, from a snapshot taken now: *rows and *n, released with
	 * retained_free(*rows, *n). */
	int (*retained)(void *state, objref_html_retained **rows, size_t *n, size_t limit);
	void (*retained_free)(objref_html_retained *rows, size_t n);
	/* A checkpoint whose census a forked child takes (the program pauses
	 * for the fork): its census joins the series with the fork's time
	 * once collected, by checkpoint_settle or before any later
	 * checkpoint (the program's objref.checkpoint() too).  Returns 0
	 * (forked), 1 when fork was not safe or failed and the census was
	 * taken in process (why: the reason), or -1 (a RuntimeError naming
	 * an earlier forked census that failed, or the in-process failure). */
	int (*checkpoint_fork)(void *state, const char *label, char *why, size_t size);
	/* Collect the forked census if ready (block: wait for it, the GIL
	 * released).  -1 with a RuntimeError when it failed (killed, ...). */
	int (*checkpoint_settle)(void *state, int block);
	/* fn(arg) after each checkpoint taken — objref-chain's and the
	 * program's objref.checkpoint() — with the GIL held (NULL: none). */
	void (*checkpoint_hook)(void *state, void (*fn)(void *arg), void *arg);
	/* tracemalloc.start(nframe), through the _tracemalloc builtin (no
	 * Lib/tracemalloc.py).  (version 2) */
	int (*tracemalloc_start)(void *state, int nframe);
	/* The live blocks tracemalloc traces, by allocation site, into
	 * *traced, and when reached is not NULL the objects a heap walk
	 * reaches, by site, into *reached (a tracemalloc lookup per object:
	 * for a report); both NULL when tracemalloc does not trace.  Free them
	 * with objref_census_free (objref/unexplained.h reads them). */
	int (*alloc_sites)(void *state, objref_census **traced, objref_census **reached);
} objref_CAPI;

#define OBJREF_CAPI_IMPORT() ((const objref_CAPI *)PyCapsule_Import(OBJREF_CAPI_NAME, 0))

#endif

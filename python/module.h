/*
 * python/module.h — what the files of the `objref` extension module share.
 * The module is thin: it converts arguments, calls libobjref and the
 * capture layer, and formats results as objgraph does.
 */
#ifndef OBJREF_PY_MODULE_H
#define OBJREF_PY_MODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "objref/objref.h"
#include "objref/capture.h"
#include "objref/chains_report.h"
#include "capi.h"

#include "../capture/pycompat.h" /* Py_NewRef, the pending-exception save and restore */

/* Per-module state (multi-phase init: no C globals). */
typedef struct {
	objref_series *series;    /* checkpoints: objref.checkpoint() */
	double t0;                /* monotonic seconds at module exec */
	PyObject *peak_stats;     /* growth()'s default peak table (a dict) */
	PyObject *new_ids;        /* get_new_ids(): {"new": the dict it returns, "shortnames": last} */
	struct objref_new_ids *ids_table; /* get_new_ids(): the ids of the last two calls (engine) */
	PyObject *defaultdict;    /* collections.defaultdict */
	PyObject *snapshot_type;  /* objref.Snapshot */
	char *log_path;           /* _configure(log=...) */
	uint64_t *first_addrs;    /* sorted ids of the objects alive at the first checkpoint */
	size_t nfirst_addrs;
	objref_CAPI capi;         /* the objref._C_API capsule's struct (capi.h) */
	/* sorted ids alive at the last checkpoint, at the one before it and at
	   the second (chains_api.c): the chains report's survivors and, after
	   the program's start-up, its baseline */
	uint64_t *last_addrs, *prev_addrs, *second_addrs;
	size_t nlast_addrs, nprev_addrs, nsecond_addrs;
	size_t last_index, prev_index; /* the checkpoints they were taken at */
} objref_modstate;

objref_modstate *objref_py_state(PyObject *module);

/* Set a Python exception from an objref error code; returns NULL. */
PyObject *objref_py_error(int code);

/* Write text to `file` (None: sys.stdout). 0 or -1 with an exception. */
int objref_py_write(PyObject *file, const char *text);

/* Seconds on a monotonic clock. */
double objref_py_now(void);

/* The census for objgraph-style arguments: objects (None: the live heap),
 * filter (None or a callable), shortnames, untracked.  NULL with an
 * exception set on failure. */
objref_census *objref_py_census(PyObject *objects, PyObject *filter, int shortnames, int untracked);

/* A checkpoint (series_api.c): the census of the live heap added to the
 * series and the log; the first also remembers the baseline.  0, or -1
 * with an exception. */
int objref_py_checkpoint(objref_modstate *st, const char *label, int untracked);
/* A checkpoint whose census a forked child takes (series_api.c; capi.h's
 * checkpoint_fork): 0 forked, 1 taken in process (why: the reason), -1
 * with an exception. */
int objref_py_checkpoint_fork(objref_modstate *st, const char *label, char *why, size_t size);
/* Add the forked census to the series when ready (block: wait, the GIL
 * released).  0, or -1 with a RuntimeError for a forked census that
 * failed (now or earlier). */
int objref_py_checkpoint_settle(objref_modstate *st, int block);
/* fn(arg) after each checkpoint taken, objref.checkpoint() too (NULL: none). */
void objref_py_checkpoint_hook(void (*fn)(void *arg), void *arg);
/* At checkpoints 1, 2, 4, 8 ... (chains_api.c): the ids alive then
 * remembered (and those of the one before kept), so that the chains report
 * samples objects that survived a checkpoint; a walk of the heap at
 * log2(checkpoints) of them, not at each.  0, or -1 with an exception. */
int objref_py_remember_survivors(objref_modstate *st);
/* 1 when the next checkpoint is one whose addresses are remembered. */
int objref_py_survivors_due(objref_modstate *st);
/* The same from addresses listed elsewhere (a forked census's child),
 * copied; call before the checkpoint's census joins the series.  0, or -1
 * with a MemoryError. */
int objref_py_take_survivors(objref_modstate *st, const uint64_t *addrs, size_t n);
/* Forget them (reset, module free). */
void objref_py_forget_survivors(objref_modstate *st);
/* Log each checkpoint's census to path (NULL: stop).  0, or -1 with an exception. */
int objref_py_set_log(objref_modstate *st, const char *path);
/* Add the objref._C_API capsule over st->capi to m (capi.c).  0 or -1. */
int objref_py_capi_add(PyObject *m, objref_modstate *st);

/* Method table entries: a function taking keywords, cast as PyMethodDef wants. */
#define KW (METH_VARARGS | METH_KEYWORDS)
#define FN(f) (PyCFunction)(void (*)(void))(f)

/* Method tables of the other files. */
extern PyMethodDef objref_census_methods[];
extern PyMethodDef objref_series_methods[];
extern PyMethodDef objref_chains_methods[];
extern PyMethodDef objref_cycles_methods[];
extern PyMethodDef objref_pictures_methods[];
extern PyMethodDef objref_dominators_methods[];
extern PyMethodDef objref_report_methods[];

/* objref.dump, load, dump_info, DumpJob, DumpError (dump_api.c). */
int objref_py_dump_init(PyObject *module);
/* objref-chain's --dump (capi.h): first wait for its dump still being
 * written, if any; then (path not NULL) a dump of the live heap into path,
 * in a forked child (fork) or in process; a forked one is waited for when
 * `wait` is set, else at the next call.  Waits release the GIL.  0, or -1
 * with an exception (OSError, RuntimeError) naming the file. */
int objref_py_dump_file(const char *path, int fork, int wait);

/* Draw DOT text into path (pictures_api.c): isolated, the GIL released.
 * 0, or -1 with an exception.  OBJREF_PY_RENDER_TIMEOUT: the default. */
#define OBJREF_PY_RENDER_TIMEOUT 60.0
int objref_py_render(const char *dot, const char *path, double timeout);

/* The value of the exact-str key `name` of a dict, read without running code. */
#define objref_py_dict_get_safe(d, name) ((PyObject *)objref_capture_dict_get((d), (name)))

/* ---- pinned snapshots (pinned.c) ---- */

/* A full snapshot with the objects behind its ids held. */
typedef struct {
	objref_snapshot *snap;
	void **objs;          /* a new reference per id */
	size_t n;
	objref_paths *paths;
} objref_py_pinned;

/* Take one: 0, or -1 with an exception.  flags: OBJREF_CAPTURE_*;
 * OBJREF_CAPTURE_UNTRACKED when a chain may end at, or start from, an
 * untracked object; OBJREF_CAPTURE_REFS_ONLY for a question answered with
 * the objects, not the snapshot's texts. */
int objref_py_pin(objref_py_pinned *p, unsigned flags);
/* Release everything (needs the GIL); p is zeroed. */
void objref_py_unpin(objref_py_pinned *p);
/* The id of obj, or OBJREF_NO_ID when the snapshot lacks it. */
objref_id objref_py_id_of(objref_py_pinned *p, PyObject *obj);
/* The addresses extra_ignore (an iterable of id() values) names, in
 * *addrs (PyMem_Free, also after an error); 0 or -1 with an exception. */
int objref_py_addresses(PyObject *extra, uintptr_t **addrs, size_t *n);
/* The ids of extra_ignore (an iterable of id() values) in *ids (PyMem_Free);
 * 0 or -1 with an exception. */
int objref_py_ignore_ids(objref_py_pinned *p, PyObject *extra, objref_id **ids, size_t *n);
/* Name the inline attributes (3.11+) a chain passes through. */
void objref_py_name_attributes(objref_py_pinned *p, objref_chain *c);

/* The chains report of o->type (chains_api.c): over a pinned snapshot of
 * tracked objects, or of every object when the type may be untracked or
 * none was found; the module's baseline and the live facts (thread names,
 * inline attributes) filled in.  *out: objref_chains_report_free.  0, or -1
 * with an exception (LookupError: no live object of the type). */
int objref_py_chains_report(objref_chains_report **out, const objref_modstate *st,
	const objref_chains_report_options *o);

/* The garbage-cycles report of a snapshot taken now (cycles_api.c): up to
 * limit shapes (SIZE_MAX: all), with the picture of the first ones when
 * picture is set.  *out: objref_cycles_report_free.  0, or -1 with an
 * exception. */
int objref_py_cycles_report(objref_cycles_report **out, size_t limit, int picture);

/* Retained sizes of the `limit` types that retain most, from the dominator
 * tree of a snapshot taken now (dominators_api.c).  *out: free with
 * objref_py_retained_free(*out, *n).  0, or -1 with an exception. */
int objref_py_retained_rows(objref_html_retained **out, size_t *n, size_t limit);
void objref_py_retained_free(objref_html_retained *rows, size_t n);

/* objref.write_html (html_api.c). */
extern PyMethodDef objref_html_methods[];

/* The Snapshot type (snapshot_type.c). */
PyObject *objref_py_snapshot_type_new(PyObject *module);
PyObject *objref_py_snapshot_wrap(PyObject *type, objref_snapshot *snap);
/* The snapshot inside an objref.Snapshot (borrowed), or NULL (no exception
 * set) when obj is not one. */
objref_snapshot *objref_py_snapshot_get(PyObject *module, PyObject *obj);

#endif

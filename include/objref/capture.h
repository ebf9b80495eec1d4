/*
 * objref/capture.h — reading a live CPython heap.
 *
 * These functions live in capture/, a build unit of their own: the CMake
 * OBJECT library objref_capture, compiled against one Python's headers and
 * linked into each face built for that Python (the `objref` module,
 * `objref-chain`).  They are not part of libobjref, which has no Python in
 * it; capture calls libobjref (the builder), never the other way round.
 *
 * Every function here must be called with the GIL held.  None of them runs
 * Python code of the observed program (no repr, getattr, __eq__, __hash__,
 * __sizeof__ of user classes), none triggers a collection (the collector is
 * paused during the walk and restored after), and a pending exception is
 * kept intact.  Objects created by the capture itself are not reported.
 */
#ifndef OBJREF_CAPTURE_H
#define OBJREF_CAPTURE_H

#include "census.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	/* Also visit the objects the collector does not track (str, int,
	 * float, bytes, atomic tuples and dicts) reachable from tracked ones. */
	OBJREF_CAPTURE_UNTRACKED = 1u << 0,
	/* Census rows named "module.name" (objgraph shortnames=False). */
	OBJREF_CAPTURE_LONGNAMES = 1u << 1,
	/* A snapshot of the graph only: objects (types, sizes, refcounts,
	 * flags), references and roots, without descriptions or labels
	 * (every object's text empty; only the few references traversal
	 * hides, as a code object's, keep their field's name).  For questions
	 * answered with the live objects, as find_backref_chain's. */
	OBJREF_CAPTURE_REFS_ONLY = 1u << 2
};

/*
 * Take the interpreter's own functions capture calls (gc's, _tracemalloc's,
 * operator.itemgetter), made afresh from their modules' definitions so that
 * nothing the program replaces later (gc.get_objects, sys.modules['gc'],
 * builtins.__import__) is ever called.  Call once when the face is
 * imported (the module's exec does); later calls do nothing.  It may
 * import gc, _tracemalloc and _operator (builtins, without
 * builtins.__import__); no capture function imports anything.  Returns 0,
 * or OBJREF_EPYTHON with a Python exception set (ImportError: a module
 * the program replaced before objref was imported).
 */
OBJREF_EXTERN int objref_capture_init(void);

/*
 * gc.collect() of the interpreter's gc module (the face's documented
 * collections: growth(), get_new_ids()), never a replacement the program
 * installed.  *found: what it returned.  Returns 0 or OBJREF_EPYTHON with
 * a Python exception set.  Finalizers of the program may run: that is what
 * a collection does.
 */
OBJREF_EXTERN int objref_capture_gc_collect(long *found);

/* operator.itemgetter (the type; borrowed, alive for the process), as the
 * interpreter defines it, or NULL with an exception set: for sorting rows
 * in the face without importing operator. */
OBJREF_EXTERN void *objref_capture_itemgetter(void);

/* A census of the live heap.  flags: OBJREF_CAPTURE_*. */
OBJREF_EXTERN int objref_capture_census(objref_census **out, unsigned flags);

/* A snapshot: every tracked object, labelled references, types,
 * descriptions and roots; with OBJREF_CAPTURE_UNTRACKED also the untracked
 * objects reachable from them (str, int, atomic tuples and dicts: about as
 * many again, so a tracked-only snapshot is about twice as fast). */
OBJREF_EXTERN int objref_capture_snapshot(objref_snapshot **out, unsigned flags);

/*
 * A full snapshot, and the live objects behind its ids: (*objs)[id] is a new
 * reference to the object with that id (*n of them), so the caller may run
 * Python code (a predicate) and still map ids back to objects.  Release
 * them with objref_capture_release (which needs the GIL).
 */
OBJREF_EXTERN int objref_capture_snapshot_pinned(objref_snapshot **out, void ***objs, size_t *n,
	unsigned flags);
OBJREF_EXTERN void objref_capture_release(void **objs, size_t n);

/*
 * objgraph's find_backref_chain(obj, is_proper_module, max_depth,
 * extra_ignore) without a snapshot: the shortest chain of references from
 * a module of sys.modules to obj, a tracked object, found by a
 * breadth-first search forward from the modules that stops where it
 * reaches obj.  It is as long as the chain a tracked-only snapshot's
 * backward search finds (same objects, same references); among chains of
 * equal length it may choose another.  ignore: the addresses of objects the
 * chain may not pass (nignore of them).  *chain: new references, module
 * first, obj last, *n of them; NULL and 0 when no module is within
 * max_depth references.  Release with objref_capture_release.  0,
 * OBJREF_EINVAL (obj untracked), OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_capture_backref_chain(void ***chain, size_t *n, void *obj,
	size_t max_depth, const uintptr_t *ignore, size_t nignore);

/*
 * The name of the attribute of `obj` whose value is `target`, for
 * attributes stored inline (3.11+), whose names CPython keeps private.
 * Tries the attribute names used by the code of obj's class and module,
 * reading only names no class of its MRO defines (so no descriptor runs)
 * and never creating obj's __dict__.  Writes the name into buf and returns
 * its length, or 0 when not found.  For the few objects of a reported
 * chain: it costs a lookup per candidate name.
 */
OBJREF_EXTERN size_t objref_capture_attr_name(char *buf, size_t size, void *obj, void *target);

/*
 * The name a person would use for a reference from `from` to `to` that the
 * collector shows without one (a chain's unlabelled step): an exception's
 * __traceback__, __context__, __cause__, args; a traceback's tb_next,
 * tb_frame; a bound method's __func__, __self__; a cell's cell_contents; a
 * generator's or coroutine's frame and awaited object; on 3.11+ a frame's
 * f_back, f_code, f_globals, f_builtins and its locals by name (also a
 * generator's, whose frame lives inside it).  *is_local: the name is a
 * local variable's.  Runs no Python code (3.11: reading a frame's locals
 * fills its f_locals dict).  Its length, 0 when none.
 */
OBJREF_EXTERN size_t objref_capture_ref_name(char *buf, size_t size, int *is_local, void *from,
	void *to);

/*
 * Name the inline attributes (3.11+, labelled OBJREF_SP_ATTR_UNNAMED,
 * shown ".?") among refs[0..n): for each such reference whose holder and
 * target are below nobjs, find the attribute as objref_capture_attr_name
 * does, intern its name into snap and set refs[k].label to
 * OBJREF_LABEL_ATTR of it.  Other references are left as they are.  snap
 * and objs[0..nobjs) come from objref_capture_snapshot_pinned.  Returns 0
 * or OBJREF_ENOMEM (the labels set so far stay).  For the few references
 * of a report: a lookup per candidate name.
 */
OBJREF_EXTERN int objref_capture_name_refs(objref_ref *refs, size_t n, objref_snapshot *snap,
	void **objs, size_t nobjs);

/* A pinned snapshot: the snapshot and its live objects, as
 * objref_capture_snapshot_pinned gives them (borrowed here). */
typedef struct {
	objref_snapshot *snap;
	void **objs;
	size_t n;
} objref_capture_pinned;

/* objref_capture_name_refs in the shape of a naming callback
 * (objref_name_refs_fn of objref/cycles.h): arg is an
 * objref_capture_pinned. */
OBJREF_EXTERN int objref_capture_namer(objref_ref *refs, size_t n, void *arg);

/*
 * Where obj was allocated, "file.py:12", when tracemalloc is tracing (read
 * from the _tracemalloc builtin); its length, 0 when unknown.
 */
OBJREF_EXTERN size_t objref_capture_alloc_site(char *buf, size_t size, void *obj);

/*
 * What the allocator holds, for objref/unexplained.h.  GIL held; a pending
 * exception is kept; no Python code of the program runs.
 *
 * objref_capture_allocated_blocks: sys.getallocatedblocks() (the sys
 * module's own function, whatever sys.getallocatedblocks is now) in
 * *blocks, -1 when the allocator does not count (PYTHONMALLOC=malloc).
 * 0 or OBJREF_EPYTHON.
 *
 * objref_capture_tracemalloc_start: tracemalloc.start(nframe), through
 * the _tracemalloc builtin.  0, OBJREF_EINVAL (nframe < 1), OBJREF_EPYTHON.
 *
 * objref_capture_traced_sites: the live blocks tracemalloc traces (the
 * interpreter's domain), grouped by the most recent frame of their
 * traceback, "path:line", as a census whose rows are sites (count: blocks,
 * bytes: bytes).  *out NULL when tracemalloc does not trace.
 *
 * objref_capture_reached_sites: the objects objref_capture_each reaches
 * (untracked too) grouped by the site tracemalloc has for each (count
 * only); objects without a trace are not counted.  *out NULL when not
 * tracing.  A tracemalloc lookup per object: for a report, not a
 * checkpoint.
 *
 * Both: 0, OBJREF_ENOMEM or OBJREF_EPYTHON; free *out with
 * objref_census_free.
 */
OBJREF_EXTERN int objref_capture_allocated_blocks(int64_t *blocks);
OBJREF_EXTERN int objref_capture_tracemalloc_start(int nframe);
OBJREF_EXTERN int objref_capture_traced_sites(objref_census **out);
OBJREF_EXTERN int objref_capture_reached_sites(objref_census **out);

/* Is obj tracked by the cyclic collector? */
OBJREF_EXTERN int objref_capture_is_tracked(void *obj);

/* The str value of obj's instance attribute `name` (e.g. a Thread's
 * "_name"), read like objref_capture_attr_name reads: only when no class of
 * obj's MRO defines `name`.  Returns its length, 0 when absent or not a
 * str. */
OBJREF_EXTERN size_t objref_capture_instance_str(char *buf, size_t size, void *obj, const char *name);

/* The value of the exact-str key `name` of a dict (borrowed), or NULL:
 * found with PyDict_Next and exact-str comparison, so no __eq__ or
 * __hash__ of the program runs. */
OBJREF_EXTERN void *objref_capture_dict_get(void *dict, const char *name);

/*
 * Call fn(obj, arg) for every live object (PyObject *, borrowed) — tracked
 * ones, plus untracked reachable ones with OBJREF_CAPTURE_UNTRACKED.  The
 * objects are gathered first, so fn may allocate; fn must not free objects
 * of the heap.  A non-zero return from fn stops the walk and is returned.
 */
OBJREF_EXTERN int objref_capture_each(int (*fn)(void *obj, void *arg), void *arg, unsigned flags);

/* The short or long type name of a live object as objgraph would print it,
 * written into buf (NUL-terminated, truncated to size).  Never calls
 * Python code: reads the type's fields.  Returns the length needed. */
OBJREF_EXTERN size_t objref_capture_typename(char *buf, size_t size, const void *obj, int longname);

#ifdef __cplusplus
}
#endif
#endif

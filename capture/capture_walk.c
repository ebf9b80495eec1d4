/*
 * capture/capture_walk.c — the full snapshot of a live heap.
 *
 * Objects get ids in discovery order: first the tracked objects (as the
 * collector lists them), then the seeds of the roots (capture_roots.c:
 * frame locals, modules), then the others as references reach them.
 * Object i is processed when the loop reaches i, so its edges are added in
 * increasing source order and the builder needs no sort.  There is no
 * address hash: the object set is indexed by the walk's marks
 * (objref__markset, a bit per 16 bytes), and each edge keeps its target's
 * code among the marks; once every object is found, the marks rank the
 * objects into ids and one pass over the edges turns the codes into ids,
 * asking for what it will read far ahead (resolve_targets).
 *
 * Edges are exactly the references tp_traverse reports, plus dict keys
 * (which a dict of str keys does not traverse), plus the references of
 * types, code objects and modules that traversal hides (capture_hidden.c).
 * Labels come from "hints" (capture_labels.c), so labels never add or
 * drop a reference.
 */
#include <stdlib.h>
#include <string.h>
#include "capture_walk.h"
#include "objref/census.h"

/* How far ahead the walk asks for memory it will probe: enough to overlap
 * a few cache misses, few enough to stay in the cache until used. */
#define PREFETCH_AHEAD 8

/* ---- edges ------------------------------------------------------------ */

/* Gather op's traversed references in w->targets, dead ones included:
 * add_targets reads each (is it alive?) after asking for its header. */
static int collect_target(PyObject *t, void *arg)
{
	objref__walk *w = arg;

	if (!t)
		return 0;
	if (objref__grow((void **)&w->targets, &w->targets_cap, w->ntargets + 1, sizeof(PyObject *)) < 0)
		return -1;
	/* its refcount (alive?) and the collector's flags (tracked?), read
	 * once traversal is over: asked for now */
	objref__prefetch_gc_head(t);
	objref__prefetch(t);
	w->targets[w->ntargets++] = t;
	return 0;
}

/* An edge from src to t, t joining the walk when new.  The edge's target
 * is t's code among the marks until resolve_targets makes it an id (t's
 * address waits in pend when it has no code). */
static int walk_link(objref__walk *w, objref_id src, PyObject *t, objref_label label)
{
	uint32_t code;
	int fresh = objref__markset_mark_code(&w->seen, t, &code), err;

	if (fresh < 0)
		return OBJREF_ENOMEM;
	if (fresh) {
		if (w->objs.n >= OBJREF_NO_ID - 1 ||
		    objref__grow((void **)&w->objs.objs, &w->objs.cap, w->objs.n + 1, sizeof(PyObject *)) < 0)
			return OBJREF_ENOMEM;
		w->objs.objs[w->objs.n++] = t;
	}
	if (code == OBJREF__MARK_NO_CODE) {
		if (objref__grow((void **)&w->pend, &w->pend_cap, w->npend + 1, sizeof(PyObject *)) < 0)
			return OBJREF_ENOMEM;
		w->pend[w->npend++] = t;
	}
	return (err = objref_builder_edge(w->b, src, code, label)) < 0 ? err : 0;
}

/* The hidden references' link (capture_hidden.c). */
static int link_hidden(void *arg, objref_id src, PyObject *t, objref_label label)
{
	return walk_link(arg, src, t, label);
}

static int add_edge(objref__walk *w, objref_id src, PyObject *t, objref_label label)
{
	/* Without OBJREF_CAPTURE_UNTRACKED the walk stays among the tracked
	 * objects (and the roots' seeds): no chain to a tracked object passes
	 * through an untracked one, which holds only atoms. */
	if (w->tracked_only && !objref__is_tracked(t) &&
	    (!w->untracked_seeds.n || objref__objset_find(&w->untracked_seeds, t) == OBJREF_NO_ID))
		return 0;
	return walk_link(w, src, t, label);
}

/* Forget the dead references gathered (objref__is_live), before they are
 * labelled: labelling may look at a target. */
static void drop_dead_targets(objref__walk *w)
{
	size_t n = 0;

	for (size_t i = 0; i < w->ntargets; i++)
		if (objref__is_live(w->targets[i]))
			w->targets[n++] = w->targets[i];
	w->ntargets = n;
}

/* The live targets gathered, as edges from id, their labels given or
 * none; with labels, the targets were already sifted (drop_dead_targets).
 * (A container's items, added from hints, are alive: it holds them.) */
static int add_targets(objref__walk *w, objref_id id, const objref_label *labels)
{
	int err = 0;

	for (size_t i = 0; i < w->ntargets && i < PREFETCH_AHEAD; i++)
		objref__prefetch_gc_head(w->targets[i]);  /* alive? tracked? */
	for (size_t i = 0; i < w->ntargets && !err; i++) {
		if (i + PREFETCH_AHEAD < w->ntargets)
			objref__prefetch_gc_head(w->targets[i + PREFETCH_AHEAD]);
		if (labels || objref__is_live(w->targets[i]))
			err = add_edge(w, id, w->targets[i], labels ? labels[i] : OBJREF_LABEL(OBJREF_LABEL_NONE, 0));
	}
	return err;
}

/* OBJREF_CAPTURE_REFS_ONLY: the references traversal tells (and a dict's
 * keys, with untracked objects), unlabelled. */
static int emit_refs(objref__walk *w, objref_id id, PyObject *op)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;

	w->ntargets = 0;
	if (trav && PyObject_IS_GC(op) && trav(op, collect_target, w) < 0)
		return OBJREF_ENOMEM;
	if (!w->tracked_only && objref__walk_dict_keys(op)) {
		Py_ssize_t pos = 0;
		PyObject *k, *v;
		while (PyDict_Next(op, &pos, &k, &v))
			if (collect_target(k, w) < 0)
				return OBJREF_ENOMEM;
	}
	return add_targets(w, id, NULL);
}

static int emit_edges(objref__walk *w, objref_id id, PyObject *op, const objref__type_info *ti)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;
	int err;

	if (w->refs_only)
		return emit_refs(w, id, op);
	if ((err = objref__walk_collect_hints(w, op, ti)) < 0)
		return err;
	/* Exact lists, tuples and dicts reference their items and nothing else
	 * (keys included, which dicts of str keys do not traverse). */
	if (PyList_CheckExact(op) || PyTuple_CheckExact(op) || PyDict_CheckExact(op)) {
		for (size_t j = 0; j < w->nhints && !err; j++)
			err = add_edge(w, id, w->hints[j].obj, w->hints[j].label);
		return err;
	}
	if ((err = objref__walk_index_hints(w)) < 0)
		return err;
	w->ntargets = 0;
	if (trav && PyObject_IS_GC(op) && trav(op, collect_target, w) < 0)
		return OBJREF_ENOMEM;
	drop_dead_targets(w);
	if ((err = objref__walk_label_targets(w, op)) < 0 || (err = add_targets(w, id, w->labels)) < 0)
		return err;
	/* Dict keys are references even where traversal skips them. */
	for (size_t j = 0; j < w->nhints && !err; j++)
		if (!w->hints[j].used && OBJREF_LABEL_KIND(w->hints[j].label) == OBJREF_LABEL_DICTKEY)
			err = add_edge(w, id, w->hints[j].obj, w->hints[j].label);
	return err;
}

/* ---- objects ---------------------------------------------------------- */

/* Start loading the separate block that holds a list's items or a dict's
 * keys and values, which labelling reads first (op's header has arrived:
 * it was asked for earlier). */
static inline void prefetch_items(PyObject *op)
{
	if (PyList_CheckExact(op) && PyList_GET_SIZE(op))
		objref__prefetch(((PyListObject *)op)->ob_item);
	else if (PyDict_CheckExact(op) && PyDict_GET_SIZE(op))
		objref__prefetch(((PyDictObject *)op)->ma_keys);
}

/* op's description into *desc (left alone when op has none).  Most
 * containers are short and share their "len N" with many others: that
 * string is written and looked up once per walk, then reused. */
static int describe(objref__walk *w, PyObject *op, const objref__type_info *ti, objref_str *desc)
{
	Py_ssize_t len = ti->by_len ? objref__described_len(op) : -1;
	size_t n;
	int err;

	if (len >= 0 && len < OBJREF__LEN_DESCS && w->len_desc[len]) {
		*desc = w->len_desc[len] - 1;
		return 0;
	}
	if (!(n = objref__describe(w->text, sizeof(w->text), op)))
		return 0;
	if ((err = objref_builder_text(desc, w->b, w->text, n)) < 0)
		return err;
	if (len >= 0 && len < OBJREF__LEN_DESCS)
		w->len_desc[len] = *desc + 1;
	return 0;
}

static int add_object(objref__walk *w, objref_id id)
{
	PyObject *op = w->objs.objs[id];
	objref__type_info *ti = objref__walk_type_of(w, op);
	objref_object o = { .addr = (uint64_t)(uintptr_t)op };
	Py_ssize_t rc = Py_REFCNT(op) - (id < w->ntracked ? w->refcnt_bias : 0);
	objref_id got;
	int err;

	if (!ti)
		return OBJREF_ENOMEM;
	o.type = ti->id;
	o.refcnt = rc < 0 ? 0 : (uint64_t)rc > UINT32_MAX ? UINT32_MAX : (uint32_t)rc;
	o.flags = objref__object_flags(op);
	o.size = objref__sizeof_class(op, &ti->size, &o.flags);
	if (!w->refs_only && (err = describe(w, op, ti, &o.desc)) < 0)
		return err;
	if ((err = objref_builder_object(&got, w->b, &o)) < 0 || (err = emit_edges(w, id, op, ti)) < 0)
		return err;
	return objref__hidden_edges(&w->hidden, id, op, o.flags);
}

static void walk_dispose(objref__walk *w)
{
	objref_builder_free(w->b);
	objref__objset_dispose(&w->objs);
	objref__markset_dispose(&w->seen);
	objref__free(w->pend);
	objref__objset_dispose(&w->closures);
	objref__objset_dispose(&w->untracked_seeds);
	objref__free(w->closure_code);
	objref__free(w->hints);
	objref__free(w->hslots);
	objref__free(w->hnext);
	objref__free(w->targets);
	objref__free(w->labels);
	objref__inline_dispose(&w->inl);
	objref__hidden_dispose(&w->hidden);
	objref__walk_dispose_types(w);
}

/* Out of memory: say what was being captured and how large the heap was
 * (the allocator's own message only names a size). */
static int walk_nomem(const objref__walk *w, size_t listed)
{
	const objref_id *src, *dst;
	size_t nedges = 0;
	int sorted;
	char last[160];

	if (w->b)
		objref_builder_edges(&src, &dst, &nedges, &sorted, w->b);
	snprintf(last, sizeof(last), "%s", objref_error_last());
	return objref__error(OBJREF_ENOMEM, "out of memory taking a snapshot of the heap of %zu objects "
		"tracked by the collector, after %zu objects and %zu references (%s)", listed,
		w->objs.n, nedges, last);
}

/* The objects of the permanent generation the collector's listing left
 * out (capture_frozen.c), listed again now, after the roots' seeds (those
 * among them keep their ids). */
static int add_frozen(objref__walk *w, objref__tracked *tracked)
{
	size_t from = w->objs.n;
	int err;

	if ((err = objref__tracked_frozen_again(tracked)) < 0)
		return err;
	for (size_t i = tracked->nlisted; i < tracked->n; i++)
		if (objref__objset_insert(&w->objs, tracked->items[i]) < 0)
			return OBJREF_ENOMEM;
	return objref__walk_find_closures(w, from, w->objs.n);
}

/* Without untracked objects, the few the roots seeded (a frame's
 * untracked locals ...) in a set of their own: an edge to an untracked
 * object is looked up there, not in the set of every object. */
static int index_untracked_seeds(objref__walk *w)
{
	int added;

	for (size_t i = w->ntracked; w->tracked_only && i < w->objs.n; i++)
		if (!objref__is_tracked(w->objs.objs[i]) &&
		    objref__objset_add(&w->untracked_seeds, w->objs.objs[i], &added) == OBJREF_NO_ID)
			return OBJREF_ENOMEM;
	return 0;
}

/* How far ahead resolve_targets asks for the marks it will read, and
 * for the id those give: the loop does nothing else, so many misses can
 * overlap. */
#define RESOLVE_AHEAD 16

/* Every object has its id among the marks (objref__objset_ids), and each
 * edge's target, a code among the marks (or an address in pend), becomes
 * that id. */
static int resolve_targets(objref__walk *w)
{
	const objref__markset *m = &w->seen;
	size_t n, at = 0;
	objref_id *dst = objref_builder_edge_targets(w->b, &n);
	const uint32_t *ids;
	int err;

	if ((err = objref__objset_ids(&w->objs)) < 0)
		return err;
	ids = w->objs.rank_ids;
	for (size_t k = 0; k < n; k++) {
		size_t r;
		if (k + 2 * RESOLVE_AHEAD < n && dst[k + 2 * RESOLVE_AHEAD] != OBJREF__MARK_NO_CODE)
			objref__markset_prefetch_code(m, dst[k + 2 * RESOLVE_AHEAD]);
		if (k + RESOLVE_AHEAD < n && dst[k + RESOLVE_AHEAD] != OBJREF__MARK_NO_CODE)
			objref__prefetch(&ids[objref__markset_rank_of_code(m, dst[k + RESOLVE_AHEAD])]);
		if (dst[k] != OBJREF__MARK_NO_CODE)
			r = objref__markset_rank_of_code(m, dst[k]);
		else if (at < w->npend)
			r = objref__markset_rank_of(m, w->pend[at++]);
		else
			r = SIZE_MAX;
		if (r >= w->objs.n)
			return objref__error(OBJREF_EINVAL, "capture: an edge's target was never added");
		dst[k] = ids[r];
	}
	if (at != w->npend)
		return objref__error(OBJREF_EINVAL, "capture: %zu edges' targets left", w->npend - at);
	/* not needed again: its memory goes before the roots take theirs */
	objref__free(w->pend);
	w->pend = NULL;
	w->npend = w->pend_cap = 0;
	return 0;
}

/* Objects a capture of ntracked tracked objects will likely hold. */
static size_t expected_objects(size_t ntracked, int tracked_only)
{
	return tracked_only ? ntracked + 1024 : ntracked * 3 + 1024;
}

/* The snapshot; with pin, also a new reference to every object by id,
 * taken inside the walk while each is certainly alive. */
static int capture(objref_snapshot **out, PyObject ***pin, unsigned flags)
{
	objref__session session;
	objref__tracked tracked;
	objref__roots *roots = NULL;
	objref_str name;
	objref__walk w;
	size_t room;
	int err;

	*out = NULL;
	if (pin)
		*pin = NULL;
	memset(&w, 0, sizeof(w));
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	memset(&tracked, 0, sizeof(tracked));
	if ((err = objref_builder_new(&w.b)) < 0 || (err = objref__gather_tracked(&tracked)) < 0)
		goto cleanup;
	objref__tracked_check_frozen(&tracked);
	w.hidden.b = w.b;
	w.inl.b = w.b;
	if ((err = objref_builder_string(&name, w.b, "__name__", strlen("__name__"))) < 0)
		goto cleanup;
	w.name_label = OBJREF_LABEL(OBJREF_LABEL_ATTR, name);
	w.hidden.seen = &w.seen;
	w.hidden.link = link_hidden;
	w.hidden.link_arg = &w;
	w.refcnt_bias = tracked.keep || tracked.held ? 1 : 0;
	w.tracked_only = !(flags & OBJREF_CAPTURE_UNTRACKED);
	w.no_lookups = !!(flags & OBJREF__CAPTURE_NO_LOOKUPS);
	w.refs_only = !!(flags & OBJREF_CAPTURE_REFS_ONLY);
	/* Edges keep their targets' codes; tests give codes to fewer megabytes
	 * to take the path of a heap spread over more than 64 GB. */
	w.seen.coded_megas = OBJREF__MARK_CODED_MEGAS;
	if (getenv("OBJREF_MARK_CODES_FOR_TESTS"))
		w.seen.coded_megas = OBJREF__MIN(OBJREF__MARK_CODED_MEGAS,
			(size_t)strtoul(getenv("OBJREF_MARK_CODES_FOR_TESTS"), NULL, 10));
	/* The object array sized once, for the untracked objects a heap
	 * usually holds too (one to two per tracked object); the marks, which
	 * the walk asks, index it. */
	room = expected_objects(tracked.n, w.tracked_only);
	objref__objset_use_marks(&w.objs, &w.seen);
	if ((err = objref__objset_reserve(&w.objs, room, 0)) < 0 ||
	    (err = objref_builder_reserve(w.b, room, room * 2)) < 0)
		goto cleanup;
	if (tracked.nlisted) /* nothing listed: items may be NULL */
		memcpy(w.objs.objs, tracked.items, tracked.nlisted * sizeof(PyObject *));
	w.objs.n = w.ntracked = tracked.nlisted;
	if ((err = objref__objset_index(&w.objs)) < 0 ||
	    (err = objref__walk_find_closures(&w, 0, w.ntracked)) < 0 ||
	    (err = objref__roots_gather(&roots, &w.objs)) < 0)  /* seeds: frames, modules */
		goto cleanup;
	/* The permanent generation after the seeds: gathering them may have
	 * freed some of it (3.11's f_locals refresh), so it is listed again. */
	if ((err = add_frozen(&w, &tracked)) < 0 || (err = index_untracked_seeds(&w)) < 0)
		goto cleanup;
	objref__roots_gc_enabled(roots, session.gc_was_enabled > 0);
	objref__roots_frozen_listed(roots, tracked.frozen == OBJREF__FROZEN_WALKED);
	for (size_t i = 0; i < w.objs.n && !err; i++) {
		if (i + PREFETCH_AHEAD < w.objs.n) {  /* its headers: refcount, type; tracked? */
			objref__prefetch(w.objs.objs[i + PREFETCH_AHEAD]);
			objref__prefetch((char *)w.objs.objs[i + PREFETCH_AHEAD] + 32);
			objref__prefetch_gc_head(w.objs.objs[i + PREFETCH_AHEAD]);
		}
		if (i + PREFETCH_AHEAD / 2 < w.objs.n)  /* header here: its items */
			prefetch_items(w.objs.objs[i + PREFETCH_AHEAD / 2]);
		err = add_object(&w, (objref_id)i);
	}
	if (!err)
		err = resolve_targets(&w);
	if (!err)
		err = objref__roots_record(roots, w.b, &w.objs, w.ntracked);
	if (!err && pin) {
		/* the references held to the listed objects become pins */
		size_t held = tracked.held ? w.ntracked : 0;

		if (!(*pin = objref__malloc(OBJREF__MAX(w.objs.n, 1) * sizeof(PyObject *))))
			err = OBJREF_ENOMEM;
		if (!err && held) {
			memcpy(*pin, w.objs.objs, held * sizeof(PyObject *));
			tracked.held = 0;
		}
		for (size_t i = held; !err && i < w.objs.n; i++)
			(*pin)[i] = Py_NewRef(w.objs.objs[i]);
	}
	if (!err) {
		err = objref_builder_finish(out, w.b);
		w.b = NULL;
	}
#ifndef NDEBUG
	/* Debug builds (and the sanitizer build) check every capture. */
	if (!err && (err = objref_snapshot_validate(*out)) < 0) {
		objref_snapshot_free(*out);
		*out = NULL;
	}
#endif
cleanup:
	if (err == OBJREF_ENOMEM)
		err = walk_nomem(&w, tracked.n);
	if (err && pin && *pin) {
		/* the snapshot failed after pinning: nothing may stay held */
		for (size_t i = 0; i < w.objs.n; i++)
			Py_DECREF((*pin)[i]);
		objref__free(*pin);
		*pin = NULL;
	}
	objref__roots_free(roots);
	objref__tracked_dispose(&tracked);
	walk_dispose(&w);
	objref__session_exit(&session);
	return err;
}

int objref_capture_snapshot(objref_snapshot **out, unsigned flags)
{
	return capture(out, NULL, flags);
}

int objref_capture_snapshot_pinned(objref_snapshot **out, void ***objs, size_t *n, unsigned flags)
{
	PyObject **pin = NULL;
	int err = capture(out, &pin, flags);

	*objs = (void **)pin;
	*n = err ? 0 : objref_snapshot_nobjects(*out);
	return err;
}

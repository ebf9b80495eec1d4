/*
 * python/chains_api.c — who holds an object: objgraph's find_backref_chain
 * and find_ref_chain, and objref's why_alive, chains and show_chains.
 *
 * Every call takes one pinned snapshot (the objects behind its ids held
 * with strong references, so a Python predicate may run safely), builds the
 * reverse index once, and answers every search from it.
 */
#include <string.h>
#include "module.h"
#include "objref/paths.h"
#include "objref/render.h"

/* ---- predicates --------------------------------------------------------- */

/* A module object that sys.modules lists under its own name (objgraph's
 * is_proper_module), read without running code: the module's __name__ and
 * sys.modules are scanned with exact-str comparison. */
static int proper_module(PyObject *obj)
{
	PyObject *name, *modules = PySys_GetObject("modules"), *k, *v;
	Py_ssize_t pos = 0;

	if (!PyModule_Check(obj) || !modules || !PyDict_Check(modules))
		return 0;
	name = objref_py_dict_get_safe(PyModule_GetDict(obj), "__name__");
	if (!name || !PyUnicode_CheckExact(name))
		return 0;
	while (PyDict_Next(modules, &pos, &k, &v))
		if (PyUnicode_CheckExact(k) && PyUnicode_Compare(k, name) == 0)
			return v == obj;
	return 0;
}

static PyObject *py_is_proper_module(PyObject *m, PyObject *obj)
{
	(void)m;
	return PyBool_FromLong(proper_module(obj));
}

typedef struct {
	PyObject *pred;   /* NULL: modules of sys.modules, in C */
	void **objs;
	int failed;
} pred_bridge;

/* The predicate over snapshot ids: the C test for is_proper_module, else
 * the caller's Python function (as objgraph calls it on every visit). */
static int call_pred(const objref_snapshot *snap, objref_id id, void *arg)
{
	pred_bridge *b = arg;
	PyObject *r;
	int yes;

	if (b->failed)
		return 0;
	if (!b->pred) {
		const objref_object *o = objref_snapshot_object(snap, id);
		return (o->flags & OBJREF_F_MODULE) && (o->flags & OBJREF_F_ROOT);
	}
	r = PyObject_CallFunctionObjArgs(b->pred, (PyObject *)b->objs[id], NULL);
	yes = r ? PyObject_IsTrue(r) : -1;
	Py_XDECREF(r);
	if (yes < 0)
		b->failed = 1;
	return yes > 0;
}

/* ---- find_backref_chain / find_ref_chain -------------------------------- */



/* The objects of a chain as a list (new references). */
static PyObject *chain_objects(objref_py_pinned *p, const objref_chain *c)
{
	PyObject *list = PyList_New((Py_ssize_t)c->n);

	for (size_t i = 0; list && i < c->n; i++)
		PyList_SET_ITEM(list, (Py_ssize_t)i, Py_NewRef((PyObject *)p->objs[c->ids[i]]));
	return list;
}

static PyObject *find_chain(PyObject *m, PyObject *args, PyObject *kw, int forward)
{
	static char *kwlist[] = { "obj", "predicate", "max_depth", "extra_ignore", NULL };
	PyObject *obj, *pred, *extra = NULL, *res = NULL;
	Py_ssize_t max_depth = OBJREF_PATHS_DEFAULT_DEPTH;
	objref_paths_options opts;
	objref_chain chain = { 0 };
	pred_bridge bridge;
	objref_id start, *ign = NULL;
	objref_py_pinned p;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, forward ? "OO|nO:find_ref_chain" :
			"OO|nO:find_backref_chain", kwlist, &obj, &pred, &max_depth, &extra))
		return NULL;
	/* Backward from a tracked object, every chain is among tracked objects. */
	if (objref_py_pin(&p, forward || !objref_capture_is_tracked(obj)) < 0)
		return NULL;
	objref_paths_options_init(&opts);
	opts.max_depth = max_depth < 0 ? 0 : (size_t)max_depth;
	opts.flags = OBJREF_PATHS_STOP_AT_DEPTH; /* objgraph looks no deeper */
	bridge = (pred_bridge){ PyObject_GetAttrString(m, "is_proper_module"), p.objs, 0 };
	if (bridge.pred == pred)
		Py_CLEAR(bridge.pred); /* the C test: no Python call per object */
	else
		Py_XDECREF(bridge.pred), bridge.pred = pred;
	PyErr_Clear();
	if (extra && objref_py_ignore_ids(&p, extra, &ign, &opts.nignore) < 0)
		goto cleanup;
	opts.ignore = ign;
	opts.is_root = call_pred;
	opts.is_root_arg = &bridge;
	if ((start = objref_py_id_of(&p, obj)) == OBJREF_NO_ID) {
		res = Py_BuildValue("[O]", obj); /* not in the heap's graph: objgraph's [obj] */
		goto cleanup;
	}
	rc = forward ? objref_paths_find_forward(&chain, p.paths, start, call_pred, &bridge, &opts)
		     : objref_paths_find(&chain, p.paths, start, &opts);
	if (bridge.failed)
		goto cleanup;
	if (rc == OBJREF_ENOMEM || rc == OBJREF_EINVAL) {
		objref_py_error(rc);
		goto cleanup;
	}
	/* objgraph returns [obj] when no chain is found */
	res = chain.status == OBJREF_PATH_FOUND ? chain_objects(&p, &chain) : Py_BuildValue("[O]", obj);
cleanup:
	objref_chain_dispose(&chain);
	PyMem_Free(ign);
	objref_py_unpin(&p);
	return res;
}

static PyObject *py_find_backref_chain(PyObject *m, PyObject *args, PyObject *kw)
{
	return find_chain(m, args, kw, 0);
}

static PyObject *py_find_ref_chain(PyObject *m, PyObject *args, PyObject *kw)
{
	return find_chain(m, args, kw, 1);
}

/* ---- roots, in words ------------------------------------------------------ */

static const char *root_kind_name(objref_root_kind k)
{
	switch (k) {
	case OBJREF_ROOT_MODULE: return "module";
	case OBJREF_ROOT_FRAME: return "frame";
	case OBJREF_ROOT_HELD_FROM_C: return "held_from_c";
	case OBJREF_ROOT_IMMORTAL: return "immortal";
	case OBJREF_ROOT_FROZEN: return "frozen";
	case OBJREF_ROOT_GC_GARBAGE: return "gc_garbage";
	}
	return "root";
}

/* The name of the thread with threading.get_ident() `ident`, read from
 * threading._active without running code (the Thread's _name attribute is
 * read only when no class defines it).  "" when unknown. */
static void thread_name(char *buf, size_t size, uint64_t ident)
{
	PyObject *modules = PySys_GetObject("modules"), *threading, *active, *k, *v; /* borrowed */
	Py_ssize_t pos = 0;

	buf[0] = '\0';
	threading = objref_py_dict_get_safe(modules, "threading");
	active = threading && PyModule_Check(threading) ?
		objref_py_dict_get_safe(PyModule_GetDict(threading), "_active") : NULL;
	while (active && PyDict_Check(active) && PyDict_Next(active, &pos, &k, &v)) {
		if (PyLong_CheckExact(k) && PyLong_AsUnsignedLongLong(k) == ident) {
			objref_capture_instance_str(buf, size, v, "_name");
			break;
		}
	}
	PyErr_Clear();
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
static PyObject *frame_root(const objref_snapshot *snap, const objref_root *r, objref_buf *text)
{
	const char *var = objref_snapshot_string(snap, r->name);
	const char *fn = objref_snapshot_string(snap, r->function);
	const char *file = objref_snapshot_string(snap, r->file);
	char thread[128];

	thread_name(thread, sizeof(thread), r->thread);
	objref_buf_printf(text, "local %s of %s() at %s:%u, thread %s", var, fn, file, r->line,
		thread[0] ? thread : "?");
	if (!thread[0])
		objref_buf_printf(text, " (ident %llu)", (unsigned long long)r->thread);
	return Py_BuildValue("{sssssssssIsKss}", "kind", "frame", "name", var, "function", fn,
		"file", file, "line", r->line, "thread_ident", (unsigned long long)r->thread,
		"thread", thread);
}

/* {kind, name, ...} for the root of a chain, and its line of text in *text. */
static PyObject *root_dict(const objref_snapshot *snap, const objref_paths *paths,
	const objref_chain *c, objref_buf *text)
{
	const objref_root *r;
	const objref_object *o;
	char global[256];

	if (c->status == OBJREF_PATH_UNREACHABLE) {
		objref_buf_printf(text, "no root: garbage held only by reference cycles "
			"(a collection would free it; is gc disabled or frozen?)");
		return Py_BuildValue("{ss}", "kind", "garbage");
	}
	if (c->status == OBJREF_PATH_TOO_DEEP) {
		objref_buf_printf(text, "no root within max_depth (nearest at %zu references)", c->distance);
		return Py_BuildValue("{sssn}", "kind", "too_deep", "distance", (Py_ssize_t)c->distance);
	}
	o = objref_snapshot_object(snap, c->ids[0]);
	if (!(r = objref_paths_root_of(paths, c->ids[0]))) {
		const char *name = o->flags & OBJREF_F_MODULE ? objref_snapshot_string(snap, o->desc) : "";
		objref_buf_printf(text, "module %s", name);
		return Py_BuildValue("{ssss}", "kind", "module", "module", name);
	}
	switch (r->kind) {
	case OBJREF_ROOT_MODULE: {
		const char *mod = objref_snapshot_string(snap, r->name);
		const char *g = first_global(snap, c, global, sizeof(global));
		objref_buf_printf(text, g ? "module global %s.%s" : "module %s", mod, g ? g : "");
		return Py_BuildValue("{sssssz}", "kind", "module", "module", mod, "name", g);
	}
	case OBJREF_ROOT_FRAME:
		return frame_root(snap, r, text);
	case OBJREF_ROOT_HELD_FROM_C:
		objref_buf_printf(text, "held from C: %u reference%s the heap does not explain "
			"(a C extension, or a missing Py_DECREF)", r->extra, r->extra == 1 ? "" : "s");
		return Py_BuildValue("{sssI}", "kind", "held_from_c", "unexplained", r->extra);
	default:
		objref_buf_printf(text, "%s %s", root_kind_name(r->kind), objref_snapshot_string(snap, r->name));
		return Py_BuildValue("{ssss}", "kind", root_kind_name(r->kind), "name",
			objref_snapshot_string(snap, r->name));
	}
}

/* ---- chains for a type ---------------------------------------------------- */

/* The last position where every member of group g has the same object: the
 * container the samples' chains share last, through which new objects
 * enter.  -1 with fewer than two members. */
static Py_ssize_t suspect_of(const objref_chain *chains, const objref_chain_group *g)
{
	const objref_chain *first = &chains[g->members[0]];
	Py_ssize_t last = -1;

	if (g->count < 2 || first->status != OBJREF_PATH_FOUND)
		return -1;
	for (size_t j = 0; j + 1 < first->n; j++) {
		for (size_t k = 1; k < g->count; k++)
			if (chains[g->members[k]].ids[j] != first->ids[j])
				return last;
		last = (Py_ssize_t)j;
	}
	return last;
}

/* The label of step i as grouping shows it ([*] for indices). */
static void folded_label(char *buf, size_t size, const objref_snapshot *snap, objref_label l)
{
	/* as OBJREF_CHAIN_FOLD: indices, and dict keys that are not strings */
	if (OBJREF_LABEL_KIND(l) == OBJREF_LABEL_INDEX ||
	    (OBJREF_LABEL_KIND(l) == OBJREF_LABEL_KEY &&
	     objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(l))[0] != '\''))
		l = OBJREF_LABEL(OBJREF_LABEL_INDEX, OBJREF_LABEL_PAYLOAD_MAX);
	objref_label_format(buf, size, snap, l);
}

static const char *type_name_of(const objref_snapshot *snap, objref_id id)
{
	const objref_object *o = objref_snapshot_object(snap, id);
	return objref_snapshot_string(snap, objref_snapshot_type(snap, o->type)->name);
}

/* [{type, label}] along a chain; the last step has label None. */
static PyObject *steps_list(const objref_snapshot *snap, const objref_chain *c)
{
	PyObject *list = PyList_New((Py_ssize_t)c->n);
	char label[600];

	for (size_t i = 0; list && i < c->n; i++) {
		PyObject *step;
		if (i + 1 < c->n)
			folded_label(label, sizeof(label), snap, c->labels[i]);
		step = Py_BuildValue("{sssz}", "type", type_name_of(snap, c->ids[i]), "label",
			i + 1 < c->n ? label : NULL);
		if (!step) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, step);
	}
	return list;
}

/* One pattern as a dict: count, text, root, root_text, steps, suspect. */
static PyObject *pattern_dict(const objref_snapshot *snap, const objref_paths *paths,
	const objref_chain *chains, const objref_chain_group *g)
{
	const objref_chain *ex = &chains[g->example];
	static const char *status[] = { "found", "too_deep", "unreachable" };
	objref_buf text = { 0 }, root = { 0 };
	Py_ssize_t suspect = suspect_of(chains, g);
	PyObject *rd, *steps, *res = NULL;
	char label[600] = "";

	objref_chain_format(&text, snap, ex, OBJREF_CHAIN_FOLD);
	rd = root_dict(snap, paths, ex, &root);
	steps = steps_list(snap, ex);
	if (suspect >= 0)
		folded_label(label, sizeof(label), snap, ex->labels[suspect]);
	if (rd && steps && !objref_buf_failed(&text) && !objref_buf_failed(&root))
		res = Py_BuildValue("{snsssssOsssOsNss}", "count", (Py_ssize_t)g->count,
			"status", status[ex->status], "text", text.data ? text.data : "",
			"root", rd, "root_text", root.data ? root.data : "", "steps", steps,
			"suspect", suspect >= 0 ? PyLong_FromSsize_t(suspect) : Py_NewRef(Py_None),
			"suspect_text", suspect >= 0 ? label : "");
	else if (!PyErr_Occurred())
		PyErr_NoMemory();
	Py_XDECREF(rd);
	Py_XDECREF(steps);
	objref_buf_dispose(&text);
	objref_buf_dispose(&root);
	return res;
}

/* Does type t answer to name ("Session" or "app.Session")? */
static int type_is(const objref_snapshot *snap, objref_type_id t, const char *name)
{
	const objref_type *tp = objref_snapshot_type(snap, t);
	const char *short_name = objref_snapshot_string(snap, tp->name);
	const char *mod = objref_snapshot_string(snap, tp->module);
	size_t ml = strlen(mod);

	if (!strchr(name, '.'))
		return strcmp(short_name, name) == 0;
	return strncmp(name, mod, ml) == 0 && name[ml] == '.' && strcmp(name + ml + 1, short_name) == 0;
}

static int addr_in(const uint64_t *sorted, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] == a)
			return 1;
		if (sorted[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Up to k samples of the type, newest first: objects that were not alive
 * at the first checkpoint (when there was one), then the others, in
 * snapshot order (the youngest generation first). */
static size_t pick_samples(objref_id *out, size_t k, size_t *instances, const objref_snapshot *snap,
	const char *name, const objref_modstate *st)
{
	size_t ntypes = objref_snapshot_ntypes(snap), n = objref_snapshot_nobjects(snap), got = 0;
	char *match = PyMem_Calloc(ntypes + 1, 1);

	*instances = 0;
	if (!match)
		return 0;
	for (objref_type_id t = 0; t < ntypes; t++)
		match[t] = (char)type_is(snap, t, name);
	for (int pass = st->first_addrs ? 0 : 1; pass < 2; pass++) {
		for (objref_id i = 0; i < n; i++) {
			const objref_object *o = objref_snapshot_object(snap, i);
			int old;
			if (!match[o->type])
				continue;
			if (pass == 1 || !st->first_addrs)
				*instances += 1;
			old = st->first_addrs && addr_in(st->first_addrs, st->nfirst_addrs, o->addr);
			if (got < k && (pass == 0 ? !old : (!st->first_addrs || old)))
				out[got++] = i;
		}
	}
	PyMem_Free(match);
	return got;
}

/* The chains of up to k samples of a type, grouped: a dict with type,
 * instances, samples and patterns.  NULL with an exception. */
/* Can instances of the type called name be untracked?  Builtin types
 * without GC support, and tuples and dicts (the collector untracks those
 * holding only atoms). */
static int may_be_untracked(const char *name)
{
	static const char *const untracked[] = { "tuple", "dict", "str", "int", "float", "bytes",
		"bool", "complex", "bytearray", "range", "slice", "NoneType", "code", NULL };
	const char *short_name = strncmp(name, "builtins.", 9) == 0 ? name + 9 : name;

	for (int i = 0; untracked[i]; i++)
		if (strcmp(short_name, untracked[i]) == 0)
			return 1;
	return 0;
}

static PyObject *chains_of_snapshot(PyObject *m, const char *name, size_t k, size_t max_depth,
	int untracked, int picture);

/* The chains of a type: from a snapshot of tracked objects (twice as fast)
 * unless the type's instances may be untracked, or none was found there. */
static PyObject *chains_of(PyObject *m, const char *name, size_t k, size_t max_depth, int picture)
{
	int untracked = may_be_untracked(name);
	PyObject *r = chains_of_snapshot(m, name, k, max_depth, untracked, picture);

	if (!r && !untracked && PyErr_ExceptionMatches(PyExc_LookupError)) {
		PyErr_Clear();
		r = chains_of_snapshot(m, name, k, max_depth, 1, picture);
	}
	return r;
}

/*
 * The picture of the chains: every sample's chain, chains sharing objects
 * sharing nodes, each pattern's suspect reference in bold red.  DOT into
 * *out; 0 or an objref error code.
 */
/* Chains a before b in a picture: by their labels, step by step (indices
 * by number), then length. */
static int chain_before(const objref_chain *a, const objref_chain *b)
{
	for (size_t i = 0; i + 1 < a->n && i + 1 < b->n; i++)
		if (a->labels[i] != b->labels[i])
			return a->labels[i] < b->labels[i];
	return a->n < b->n;
}

/* The members of g in drawing order, so that a picture does not depend on
 * which sample was found first (the heap's order varies with the
 * environment): [0] [1] [2] ... from left to right.  Insertion sort: a
 * group has at most `samples` members. */
static void drawing_order(size_t *order, const objref_chain *chains, const objref_chain_group *g)
{
	for (size_t i = 0; i < g->count; i++) {
		size_t j = i;
		for (; j > 0 && chain_before(&chains[g->members[i]], &chains[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = g->members[i];
	}
}

static int chains_dot(objref_buf *out, const objref_snapshot *snap, const objref_chain *chains,
	const objref_chain_group *groups, size_t ngroups, const char *name, size_t instances)
{
	objref_view *v = NULL;
	objref_buf title = { 0 };
	objref_dot_options o = { 0, 0, NULL };
	int err;

	if ((err = objref_view_new(&v, snap, 0)) < 0)
		return err;
	for (size_t g = 0; g < ngroups && (err == 0 || err == OBJREF_ENOTFOUND); g++) {
		Py_ssize_t suspect = suspect_of(chains, &groups[g]);
		size_t *order = PyMem_Calloc(groups[g].count, sizeof(size_t));
		if (!order) {
			err = OBJREF_ENOMEM;
			break;
		}
		drawing_order(order, chains, &groups[g]);
		for (size_t i = 0; i < groups[g].count && (err == 0 || err == OBJREF_ENOTFOUND); i++)
			err = objref_view_add_chain(v, &chains[order[i]],
				suspect >= 0 ? (size_t)suspect : SIZE_MAX);
		PyMem_Free(order);
	}
	if (err == 0 || err == OBJREF_ENOTFOUND) {
		size_t k = 0;
		for (size_t g = 0; g < ngroups; g++)
			k += groups[g].count;
		objref_buf_printf(&title, "who holds %s: %zu sample%s of ", name, k, k == 1 ? "" : "s");
		objref_format_count(&title, instances);
		o.title = objref_buf_failed(&title) ? NULL : title.data;
		err = objref_view_dot(out, v, &o);
	}
	objref_buf_dispose(&title);
	objref_view_free(v);
	return err;
}

static PyObject *chains_of_snapshot(PyObject *m, const char *name, size_t k, size_t max_depth,
	int untracked, int picture)
{
	objref_chain *chains = NULL;
	objref_chain_group *groups = NULL;
	objref_id *samples = NULL;
	size_t nsamples = 0, ngroups = 0, instances = 0;
	objref_paths_options opts;
	PyObject *patterns = NULL, *res = NULL;
	objref_py_pinned p;
	int err = 0;

	if (objref_py_pin(&p, untracked) < 0)
		return NULL;
	samples = PyMem_Calloc(k + 1, sizeof(objref_id));
	chains = PyMem_Calloc(k + 1, sizeof(objref_chain));
	if (!samples || !chains) {
		PyErr_NoMemory();
		goto cleanup;
	}
	nsamples = pick_samples(samples, k, &instances, p.snap, name, objref_py_state(m));
	if (!nsamples) {
		PyErr_Format(PyExc_LookupError, "no live object of type '%s'", name);
		goto cleanup;
	}
	objref_paths_options_init(&opts);
	opts.max_depth = max_depth;
	for (size_t i = 0; i < nsamples && err != OBJREF_ENOMEM; i++) {
		err = objref_paths_find(&chains[i], p.paths, samples[i], &opts);
		objref_py_name_attributes(&p, &chains[i]);
	}
	if (err == OBJREF_ENOMEM ||
	    (err = objref_paths_group(&groups, &ngroups, p.snap, chains, nsamples, 0)) < 0) {
		objref_py_error(err);
		goto cleanup;
	}
	if (!(patterns = PyList_New((Py_ssize_t)ngroups)))
		goto cleanup;
	for (size_t g = 0; g < ngroups; g++) {
		PyObject *d = pattern_dict(p.snap, p.paths, chains, &groups[g]);
		if (!d)
			goto cleanup;
		PyList_SET_ITEM(patterns, (Py_ssize_t)g, d);
	}
	res = Py_BuildValue("{sssnsnsO}", "type", name, "instances", (Py_ssize_t)instances,
		"samples", (Py_ssize_t)nsamples, "patterns", patterns);
	if (res && picture) {
		objref_buf dot = { 0 };
		PyObject *text = NULL;
		if ((err = chains_dot(&dot, p.snap, chains, groups, ngroups, name, instances)) < 0) {
			Py_CLEAR(res);
			objref_py_error(err);
		} else if (!(text = PyUnicode_FromString(dot.data ? dot.data : "")) ||
			   PyDict_SetItemString(res, "dot", text) < 0) {
			Py_CLEAR(res);
		}
		Py_XDECREF(text);
		objref_buf_dispose(&dot);
	}
cleanup:
	Py_XDECREF(patterns);
	for (size_t i = 0; chains && i < nsamples; i++)
		objref_chain_dispose(&chains[i]);
	PyMem_Free(chains);
	PyMem_Free(samples);
	objref_free(groups);
	objref_py_unpin(&p);
	return res;
}

static int parse_chains_args(PyObject *args, PyObject *kw, const char *fmt, const char **name,
	Py_ssize_t *k, Py_ssize_t *depth, PyObject **file)
{
	static char *kwlist[] = { "typename", "samples", "max_depth", "file", NULL };
	static char *kwlist3[] = { "typename", "samples", "max_depth", NULL };

	*k = 5;
	*depth = OBJREF_PATHS_DEFAULT_DEPTH;
	*file = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, strchr(fmt, 'O') ? kwlist : kwlist3, name, k,
			depth, file))
		return -1;
	if (*k < 1 || *depth < 1) {
		PyErr_SetString(PyExc_ValueError, "samples and max_depth must be at least 1");
		return -1;
	}
	return 0;
}

static PyObject *py_chains(PyObject *m, PyObject *args, PyObject *kw)
{
	const char *name;
	Py_ssize_t k, depth;
	PyObject *file;

	static char *kwlist[] = { "typename", "samples", "max_depth", "picture", NULL };
	int picture = 0;

	(void)file;
	k = 5;
	depth = OBJREF_PATHS_DEFAULT_DEPTH;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|nnp:chains", kwlist, &name, &k, &depth, &picture))
		return NULL;
	if (k < 1 || depth < 1)
		return PyErr_Format(PyExc_ValueError, "samples and max_depth must be at least 1");
	return chains_of(m, name, (size_t)k, (size_t)depth, picture);
}

/* d[key] as UTF-8 (str values only), or "". */
static const char *str_at(PyObject *d, const char *key)
{
	PyObject *v = PyDict_Check(d) ? PyDict_GetItemString(d, key) : NULL;
	const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;

	if (!s)
		PyErr_Clear();
	return s ? s : "";
}

/* d[key] as an integer (int values only), or -1. */
static Py_ssize_t int_at(PyObject *d, const char *key)
{
	PyObject *v = PyDict_Check(d) ? PyDict_GetItemString(d, key) : NULL;
	Py_ssize_t n = v && PyLong_Check(v) ? PyLong_AsSsize_t(v) : -1;

	if (n == -1)
		PyErr_Clear();
	return n;
}

/* The text of chains_of's result, as objref-chain prints it:
 *
 *   chains for tuple (5 samples of 30,000, 1 pattern, 5/5 samples share the first):
 *     module app .CACHE -> dict ['k'] -> list [*] -> tuple
 *     root: module global app.CACHE
 *     suspect: list [*] (...)
 */
static int chains_text(objref_buf *b, PyObject *res)
{
	PyObject *patterns = PyDict_GetItemString(res, "patterns");
	Py_ssize_t n, samples = int_at(res, "samples");

	if (!patterns || !PyList_Check(patterns) || !(n = PyList_GET_SIZE(patterns)) ||
	    !PyDict_Check(PyList_GET_ITEM(patterns, 0))) {
		PyErr_SetString(PyExc_TypeError, "format_chains() takes the dict chains() returns");
		return -1;
	}
	objref_buf_printf(b, "chains for %s (%zd sample%s of ", str_at(res, "type"), samples,
		samples == 1 ? "" : "s");
	objref_format_count(b, (uint64_t)int_at(res, "instances"));
	objref_buf_printf(b, ", %zd pattern%s, %zd/%zd samples share the first):\n", n, n == 1 ? "" : "s",
		int_at(PyList_GET_ITEM(patterns, 0), "count"), samples);
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *p = PyList_GET_ITEM(patterns, i), *steps;
		Py_ssize_t si = int_at(p, "suspect");
		if (n > 1)
			objref_buf_printf(b, "  [%zd/%zd]\n", int_at(p, "count"), samples);
		objref_buf_printf(b, "  %s\n  root: %s\n", str_at(p, "text"), str_at(p, "root_text"));
		steps = PyDict_Check(p) ? PyDict_GetItemString(p, "steps") : NULL;
		if (si >= 0 && steps && PyList_Check(steps) && si < PyList_GET_SIZE(steps))
			objref_buf_printf(b, "  suspect: %s %s (the samples' chains part after it: "
				"new objects enter here)\n", str_at(PyList_GET_ITEM(steps, si), "type"),
				str_at(p, "suspect_text"));
	}
	return objref_buf_failed(b) ? -1 : 0;
}

static PyObject *py_show_chains(PyObject *m, PyObject *args, PyObject *kw)
{
	const char *name;
	Py_ssize_t k, depth;
	PyObject *file, *res;
	objref_buf b = { 0 };
	int rc;

	if (parse_chains_args(args, kw, "s|nnO:show_chains", &name, &k, &depth, &file) < 0 ||
	    !(res = chains_of(m, name, (size_t)k, (size_t)depth, 0)))
		return NULL;
	if (chains_text(&b, res) < 0) {
		objref_buf_dispose(&b);
		Py_DECREF(res);
		return PyErr_NoMemory();
	}
	rc = objref_py_write(file, b.data);
	objref_buf_dispose(&b);
	if (rc < 0)
		Py_CLEAR(res);
	return res;
}

static PyObject *py_format_chains(PyObject *m, PyObject *res)
{
	objref_buf b = { 0 };
	PyObject *text;

	(void)m;
	if (!PyDict_Check(res) || !PyDict_GetItemString(res, "patterns"))
		return PyErr_Format(PyExc_TypeError, "format_chains() takes the dict chains() returns");
	if (chains_text(&b, res) < 0) {
		objref_buf_dispose(&b);
		return PyErr_Occurred() ? NULL : PyErr_NoMemory();
	}
	text = PyUnicode_FromString(b.data ? b.data : "");
	objref_buf_dispose(&b);
	return text;
}

/* why_alive(obj): the chain from the nearest root to obj, printed, and
 * returned as the list of objects (root first); [obj] when no root holds it. */
static PyObject *py_why_alive(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "obj", "max_depth", "file", NULL };
	PyObject *obj, *file = Py_None, *res = NULL, *rd = NULL;
	Py_ssize_t depth = OBJREF_PATHS_DEFAULT_DEPTH;
	objref_paths_options opts;
	objref_chain chain = { 0 };
	objref_buf b = { 0 };
	objref_id id;
	objref_py_pinned p;
	int err;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|nO:why_alive", kwlist, &obj, &depth, &file) ||
	    objref_py_pin(&p, !objref_capture_is_tracked(obj)) < 0)
		return NULL;
	objref_paths_options_init(&opts);
	opts.max_depth = depth < 1 ? 1 : (size_t)depth;
	if ((id = objref_py_id_of(&p, obj)) == OBJREF_NO_ID) {
		objref_buf_printf(&b, "why_alive: the %s is not in the heap's graph: only the caller "
			"holds it\n", Py_TYPE(obj)->tp_name);
		res = Py_BuildValue("[O]", obj);
	} else if ((err = objref_paths_find(&chain, p.paths, id, &opts)) == OBJREF_ENOMEM) {
		objref_py_error(err);
	} else {
		objref_py_name_attributes(&p, &chain);
		objref_buf_printf(&b, "why_alive: %s\n  ", type_name_of(p.snap, id));
		objref_chain_format(&b, p.snap, &chain, 0);
		objref_buf_printf(&b, "\n  root: ");
		rd = root_dict(p.snap, p.paths, &chain, &b);
		objref_buf_printf(&b, "\n");
		res = chain.status == OBJREF_PATH_FOUND ? chain_objects(&p, &chain) : Py_BuildValue("[O]", obj);
	}
	if (res && objref_py_write(file, b.data ? b.data : "") < 0)
		Py_CLEAR(res);
	Py_XDECREF(rd);
	objref_buf_dispose(&b);
	objref_chain_dispose(&chain);
	objref_py_unpin(&p);
	return res;
}

PyMethodDef objref_chains_methods[] = {
	{ "is_proper_module", py_is_proper_module, METH_O,
	  "is_proper_module(obj)\n--\n\nTrue for a module that sys.modules lists under its name." },
	{ "find_backref_chain", FN(py_find_backref_chain), KW,
	  "find_backref_chain(obj, predicate, max_depth=20, extra_ignore=())\n--\n\n"
	  "A shortest chain of references to obj from an object satisfying predicate\n"
	  "(usually is_proper_module): [root, ..., obj]; [obj] if none within max_depth." },
	{ "find_ref_chain", FN(py_find_ref_chain), KW,
	  "find_ref_chain(obj, predicate, max_depth=20, extra_ignore=())\n--\n\n"
	  "A shortest chain of references from obj to an object satisfying predicate." },
	{ "why_alive", FN(py_why_alive), KW,
	  "why_alive(obj, max_depth=20, file=None)\n--\n\n"
	  "Print the chain from the nearest root (module global, frame local, a\n"
	  "reference held from C ...) to obj; return its objects, root first." },
	{ "chains", FN(py_chains), KW,
	  "chains(typename, samples=5, max_depth=20)\n--\n\n"
	  "Chains to up to `samples` instances of a type (the newest first), grouped\n"
	  "by shape: {type, instances, samples, patterns: [{count, text, root,\n"
	  "root_text, steps, suspect, status}]}." },
	{ "format_chains", py_format_chains, METH_O,
	  "format_chains(result)\n--\n\nThe text of a chains() result, as show_chains prints it." },
	{ "show_chains", FN(py_show_chains), KW,
	  "show_chains(typename, samples=5, max_depth=20, file=None)\n--\n\n"
	  "Print chains(typename) as objref-chain does; return it." },
	{ NULL, NULL, 0, NULL }
};

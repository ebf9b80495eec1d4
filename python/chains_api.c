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
#include "objref/chains_report.h"

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

static PyObject *py_is_proper_module(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "obj", NULL };
	PyObject *obj;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O:is_proper_module", kwlist, &obj))
		return NULL;
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

/* Is pred this module's is_proper_module (tested in C, no call)? */
static int is_module_test(PyObject *m, PyObject *pred)
{
	PyObject *ours = PyObject_GetAttrString(m, "is_proper_module");
	int yes = ours == pred;

	Py_XDECREF(ours);
	PyErr_Clear();
	return yes;
}

/* find_backref_chain(obj, is_proper_module) of a tracked obj: the search
 * forward from the modules (objref_capture_backref_chain), no snapshot. */
static PyObject *module_chain(PyObject *obj, Py_ssize_t max_depth, PyObject *extra)
{
	uintptr_t *ign = NULL;
	size_t nign = 0, n;
	void **chain;
	PyObject *res = NULL;
	int err;

	if (extra && objref_py_addresses(extra, &ign, &nign) < 0)
		goto cleanup;
	if ((err = objref_capture_backref_chain(&chain, &n, obj, max_depth < 0 ? 0 : (size_t)max_depth,
			ign, nign)) < 0) {
		objref_py_error(err);
		goto cleanup;
	}
	if (!chain) {
		res = Py_BuildValue("[O]", obj); /* objgraph's answer when none is found */
		goto cleanup;
	}
	if (!(res = PyList_New((Py_ssize_t)n))) {
		objref_capture_release(chain, n);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)  /* the list takes the references */
		PyList_SET_ITEM(res, (Py_ssize_t)i, (PyObject *)chain[i]);
	objref_capture_release(chain, 0);
cleanup:
	PyMem_Free(ign);
	return res;
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
	if (!forward && objref_capture_is_tracked(obj) && is_module_test(m, pred))
		return module_chain(obj, max_depth, extra);
	/* Backward from a tracked object, every chain is among tracked objects.
	 * The chain is a list of objects: the snapshot's texts go unused. */
	if (objref_py_pin(&p, OBJREF_CAPTURE_REFS_ONLY |
			(forward || !objref_capture_is_tracked(obj) ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0)
		return NULL;
	objref_paths_options_init(&opts);
	opts.max_depth = max_depth < 0 ? 0 : (size_t)max_depth;
	opts.flags = OBJREF_PATHS_STOP_AT_DEPTH; /* objgraph looks no deeper */
	/* the C test: no Python call per object */
	bridge = (pred_bridge){ is_module_test(m, pred) ? NULL : pred, p.objs, 0 };
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

/* ---- what only the live interpreter knows ------------------------------------ */

/* The name of the thread with threading.get_ident() `ident`, read from
 * threading._active without running code (the Thread's _name attribute is
 * read only when no class defines it).  "" when unknown. */
static void thread_name(void *arg, uint64_t ident, char *buf, size_t size)
{
	PyObject *modules = PySys_GetObject("modules"), *threading, *active, *k, *v; /* borrowed */
	Py_ssize_t pos = 0;

	(void)arg;
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

static void name_attributes(void *arg, objref_chain *c)
{
	objref_py_name_attributes(arg, c);
}

/* Where the object `id` was allocated, when tracemalloc traces. */
static size_t alloc_site(void *arg, objref_id id, char *buf, size_t size)
{
	objref_py_pinned *p = arg;

	return id < p->n && p->objs[id] ? objref_capture_alloc_site(buf, size, p->objs[id]) : 0;
}

static objref_report_live live_of(objref_py_pinned *p)
{
	objref_report_live live = { .name_attributes = name_attributes, .thread_name = thread_name,
		.alloc_site = alloc_site, .arg = p };
	return live;
}

/* ---- conversions -------------------------------------------------------------- */

/* {kind, ...} of a root, as the JSON schema has it (chains_report.h). */
static PyObject *root_dict(const objref_report_root *r)
{
	switch (r->how) {
	case OBJREF_REPORT_ROOT_GARBAGE:
		return Py_BuildValue("{ss}", "kind", "garbage");
	case OBJREF_REPORT_ROOT_TOO_DEEP:
		return Py_BuildValue("{sssn}", "kind", "too_deep", "distance", (Py_ssize_t)r->distance);
	case OBJREF_REPORT_ROOT_MODULE_FLAG:
		return Py_BuildValue("{ssss}", "kind", "module", "module", r->module);
	case OBJREF_REPORT_ROOT_RECORD:
		break;
	}
	switch (r->kind) {
	case OBJREF_ROOT_MODULE:
		return Py_BuildValue("{sssssz}", "kind", "module", "module", r->module, "name", r->name);
	case OBJREF_ROOT_FRAME:
		return Py_BuildValue("{sssssssssIsKss}", "kind", "frame", "name", r->name, "function",
			r->function, "file", r->file, "line", r->line, "thread_ident",
			(unsigned long long)r->thread_ident, "thread", r->thread);
	case OBJREF_ROOT_HELD_FROM_C:
		return Py_BuildValue("{sssI}", "kind", "held_from_c", "unexplained", r->unexplained);
	default:
		return Py_BuildValue("{ssss}", "kind", objref_root_kind_name(r->kind), "name", r->name);
	}
}

static PyObject *steps_list(const objref_report_pattern *p)
{
	PyObject *list = PyList_New((Py_ssize_t)p->nsteps);

	for (size_t i = 0; list && i < p->nsteps; i++) {
		PyObject *step = Py_BuildValue("{sssz}", "type", p->steps[i].type, "label",
			p->steps[i].label);
		if (!step) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, step);
	}
	return list;
}

static PyObject *pattern_dict(const objref_report_pattern *p)
{
	static const char *status[] = { "found", "too_deep", "unreachable" };

	return Py_BuildValue("{snsssssNsssNsNsssNsssn}", "count", (Py_ssize_t)p->count,
		"status", status[p->status], "text", p->text, "root", root_dict(&p->root),
		"root_text", p->root.text, "steps", steps_list(p),
		"suspect", p->suspect >= 0 ? PyLong_FromLong(p->suspect) : Py_NewRef(Py_None),
		"suspect_text", p->suspect_text, "holder",
		p->holder >= 0 ? PyLong_FromLong(p->holder) : Py_NewRef(Py_None),
		"holder_text", p->holder_text ? p->holder_text : "", "explained",
		(Py_ssize_t)p->explained);
}

/* The report as chains() returns it: {type, instances, samples, patterns[, dot]}. */
static PyObject *report_dict(const objref_chains_report *r)
{
	PyObject *patterns = PyList_New((Py_ssize_t)r->npatterns), *res = NULL;

	for (size_t g = 0; patterns && g < r->npatterns; g++) {
		PyObject *d = pattern_dict(&r->patterns[g]);
		if (!d)
			goto cleanup;
		PyList_SET_ITEM(patterns, (Py_ssize_t)g, d);
	}
	if (!patterns || !(res = Py_BuildValue("{sssnsnsOsnsO}", "type", r->type, "instances",
			(Py_ssize_t)r->instances, "samples", (Py_ssize_t)r->samples, "patterns", patterns,
			"new_objects", (Py_ssize_t)r->new_objects, "survivors",
			r->survivors ? Py_True : Py_False)))
		goto cleanup;
	if (r->dot) {
		PyObject *dot = PyUnicode_FromString(r->dot);
		if (!dot || PyDict_SetItemString(res, "dot", dot) < 0)
			Py_CLEAR(res);
		Py_XDECREF(dot);
	}
cleanup:
	Py_XDECREF(patterns);
	return res;
}

/* ---- survivors ------------------------------------------------------------ */

typedef struct {
	uint64_t *a;
	size_t n;
} addr_list;

static int collect(void *obj, void *arg)
{
	addr_list *l = arg;

	if ((l->n & (l->n - 1)) == 0) { /* grow at powers of two (and at 0) */
		uint64_t *a = PyMem_Realloc(l->a, (l->n ? 2 * l->n : 1024) * sizeof(uint64_t));
		if (!a)
			return -1;
		l->a = a;
	}
	l->a[l->n++] = (uint64_t)(uintptr_t)obj;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Keep l (this checkpoint's addresses, PyMem-owned) as checkpoint k's. */
static int keep_survivors(objref_modstate *st, size_t k, addr_list l)
{
	/* sorted only when a report needs them (sort_survivors): a checkpoint
	   pays the walk, not the sort */
	if (k == 1 && l.n) { /* the second checkpoint */
		PyMem_Free(st->second_addrs);
		if (!(st->second_addrs = PyMem_Malloc(l.n * sizeof(uint64_t)))) {
			PyMem_Free(l.a);
			st->nsecond_addrs = 0;
			PyErr_Format(PyExc_MemoryError, "out of memory taking a snapshot of the heap's "
				"addresses for the chains' survivors (%zu objects)", l.n);
			return -1;
		}
		memcpy(st->second_addrs, l.a, l.n * sizeof(uint64_t));
		st->nsecond_addrs = l.n;
	}
	PyMem_Free(st->prev_addrs);
	st->prev_addrs = st->last_addrs;
	st->nprev_addrs = st->nlast_addrs;
	st->prev_index = st->last_index;
	st->last_addrs = l.a;
	st->nlast_addrs = l.n;
	st->last_index = k;
	return 0;
}

int objref_py_survivors_due(objref_modstate *st)
{
	size_t k = objref_series_len(st->series); /* the next checkpoint's index */

	return k != 0 && (k & (k - 1)) == 0;
}

int objref_py_remember_survivors(objref_modstate *st)
{
	addr_list l = { NULL, 0 };

	if (!objref_py_survivors_due(st))
		return 0;
	if (objref_capture_each(collect, &l, OBJREF_CAPTURE_UNTRACKED) != 0) {
		PyMem_Free(l.a);
		PyErr_Clear();
		PyErr_Format(PyExc_MemoryError, "out of memory taking a snapshot of the heap's "
			"addresses for the chains' survivors (%zu objects listed)", l.n);
		return -1;
	}
	return keep_survivors(st, objref_series_len(st->series), l);
}

int objref_py_take_survivors(objref_modstate *st, const uint64_t *addrs, size_t n)
{
	addr_list l = { NULL, n };

	if (n && !(l.a = PyMem_Malloc(n * sizeof(uint64_t)))) {
		PyErr_Format(PyExc_MemoryError, "out of memory keeping the heap's addresses for the "
			"chains' survivors (%zu objects)", n);
		return -1;
	}
	if (n)
		memcpy(l.a, addrs, n * sizeof(uint64_t));
	return keep_survivors(st, objref_series_len(st->series), l);
}

/* Sort the remembered addresses (once: sorting sorted ones is cheap). */
static void sort_survivors(objref_modstate *st)
{
	if (st->nprev_addrs)
		qsort(st->prev_addrs, st->nprev_addrs, sizeof(uint64_t), cmp_addr);
	if (st->nlast_addrs)
		qsort(st->last_addrs, st->nlast_addrs, sizeof(uint64_t), cmp_addr);
	if (st->nsecond_addrs)
		qsort(st->second_addrs, st->nsecond_addrs, sizeof(uint64_t), cmp_addr);
}

void objref_py_forget_survivors(objref_modstate *st)
{
	PyMem_Free(st->prev_addrs);
	PyMem_Free(st->last_addrs);
	PyMem_Free(st->second_addrs);
	st->prev_addrs = st->last_addrs = st->second_addrs = NULL;
	st->nprev_addrs = st->nlast_addrs = st->nsecond_addrs = 0;
	st->prev_index = st->last_index = 0;
}

/* ---- chains for a type ---------------------------------------------------- */

/* Can instances of the type called name be untracked?  Builtin types
 * without GC support, and tuples and dicts (the collector untracks those
 * holding only atoms).  Decides which snapshot to take, before there is
 * one to read flags from. */
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

/* One pinned snapshot, the report built over it: 0, or -1 with an
 * exception (LookupError: no live object of the type). */
static int report_of_snapshot(objref_chains_report **out, const objref_modstate *st,
	const objref_chains_report_options *base, int untracked)
{
	objref_chains_report_options o = *base;
	objref_py_pinned p;
	int err;

	*out = NULL;
	if (objref_py_pin(&p, untracked ? OBJREF_CAPTURE_UNTRACKED : 0) < 0)
		return -1;
	size_t n = objref_series_len(st->series), at = 0;

	sort_survivors((objref_modstate *)st);
	o.baseline = st->first_addrs;
	o.nbaseline = st->nfirst_addrs;
	/* survived a checkpoint: alive at the latest remembered one before the
	   last (the last is taken as the program ends, with its transient
	   objects) */
	if (st->last_addrs && st->last_index + 1 < n) {
		o.survivors = st->last_addrs, o.nsurvivors = st->nlast_addrs, at = st->last_index;
	} else if (st->prev_addrs) {
		o.survivors = st->prev_addrs, o.nsurvivors = st->nprev_addrs, at = st->prev_index;
	} else {
		o.survivors = st->last_addrs, o.nsurvivors = st->nlast_addrs, at = st->last_index;
	}
	if (n >= 4 && at >= 2 && st->second_addrs) {
		/* what the program built as it started (imports, caches filled
		   once) is no growth: new means new since the second checkpoint */
		o.baseline = st->second_addrs;
		o.nbaseline = st->nsecond_addrs;
	}
	o.live = live_of(&p);
	err = objref_chains_report_build(out, p.snap, p.paths, &o);
	objref_py_unpin(&p);
	if (err < 0)
		objref_py_error(err);
	return err < 0 ? -1 : 0;
}

/* The chains report of a type: from a snapshot of tracked objects (twice
 * as fast) unless the type's instances may be untracked, or none was found
 * there.  0, or -1 with an exception. */
int objref_py_chains_report(objref_chains_report **out, const objref_modstate *st,
	const objref_chains_report_options *o)
{
	int untracked = o->type && may_be_untracked(o->type);
	int rc;

	for (size_t i = 0; !o->type && i < o->ncandidates; i++)
		untracked |= may_be_untracked(o->candidates[i]);
	rc = report_of_snapshot(out, st, o, untracked);

	if (rc < 0 && !untracked && PyErr_ExceptionMatches(PyExc_LookupError)) {
		PyErr_Clear();
		rc = report_of_snapshot(out, st, o, 1);
	}
	return rc;
}

static PyObject *chains_of(PyObject *m, const char *name, size_t k, size_t max_depth, int picture)
{
	objref_chains_report_options o = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_chains_report *r;
	PyObject *res;

	o.type = name;
	o.samples = k;
	o.max_depth = max_depth;
	o.picture = picture;
	if (objref_py_chains_report(&r, objref_py_state(m), &o) < 0)
		return NULL;
	res = report_dict(r);
	objref_chains_report_free(r);
	return res;
}

static PyObject *py_chains(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "typename", "samples", "max_depth", "picture", NULL };
	Py_ssize_t k = 5, depth = OBJREF_PATHS_DEFAULT_DEPTH;
	const char *name;
	int picture = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|nnp:chains", kwlist, &name, &k, &depth, &picture))
		return NULL;
	if (k < 1 || depth < 1)
		return PyErr_Format(PyExc_ValueError, "samples and max_depth must be at least 1");
	return chains_of(m, name, (size_t)k, (size_t)depth, picture);
}

/* ---- a chains() result back to C, for its text ------------------------------- */

/* d[key] as UTF-8 (str values only), or "". */
static char *str_at(PyObject *d, const char *key)
{
	PyObject *v = PyDict_Check(d) ? PyDict_GetItemString(d, key) : NULL;
	const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;

	if (!s)
		PyErr_Clear();
	return (char *)(s ? s : "");
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

/* The report a chains() dict describes, its strings borrowed from it (only
 * what the text needs); steps and patterns in *mem (PyMem_Free).  0, or
 * -1 with an exception. */
static int report_from_dict(objref_chains_report *r, void **mem, PyObject *res)
{
	PyObject *patterns = PyDict_Check(res) ? PyDict_GetItemString(res, "patterns") : NULL;
	Py_ssize_t n;
	objref_report_step *steps;

	*mem = NULL;
	if (!patterns || !PyList_Check(patterns) || !(n = PyList_GET_SIZE(patterns)) ||
	    !PyDict_Check(PyList_GET_ITEM(patterns, 0))) {
		PyErr_SetString(PyExc_TypeError, "format_chains() takes the dict chains() returns");
		return -1;
	}
	memset(r, 0, sizeof(*r));
	if (!(*mem = PyMem_Calloc((size_t)n, sizeof(objref_report_pattern) + sizeof(*steps)))) {
		PyErr_NoMemory();
		return -1;
	}
	r->patterns = *mem;
	steps = (objref_report_step *)(r->patterns + n);
	r->npatterns = (size_t)n;
	r->type = str_at(res, "type");
	r->samples = (size_t)int_at(res, "samples");
	r->instances = (size_t)int_at(res, "instances");
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *d = PyList_GET_ITEM(patterns, i), *sl;
		objref_report_pattern *p = &r->patterns[i];
		Py_ssize_t si = int_at(d, "suspect");
		p->count = (size_t)int_at(d, "count");
		p->text = str_at(d, "text");
		p->root.text = str_at(d, "root_text");
		p->suspect = -1;
		sl = PyDict_Check(d) ? PyDict_GetItemString(d, "steps") : NULL;
		if (si >= 0 && sl && PyList_Check(sl) && si < PyList_GET_SIZE(sl)) {
			/* the text reads the suspect's step only: one step, at index 0 */
			steps[i].type = str_at(PyList_GET_ITEM(sl, si), "type");
			p->steps = &steps[i];
			p->nsteps = 1;
			p->suspect = 0;
			p->suspect_text = str_at(d, "suspect_text");
		}
		p->holder = int_at(d, "holder");
		p->holder_text = str_at(d, "holder_text");
		p->explained = int_at(d, "explained") < 0 ? 0 : (size_t)int_at(d, "explained");
	}
	r->new_objects = int_at(res, "new_objects") < 0 ? 0 : (size_t)int_at(res, "new_objects");
	r->survivors = PyDict_Check(res) && PyDict_GetItemString(res, "survivors") == Py_True;
	return 0;
}

static PyObject *py_show_chains(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "typename", "samples", "max_depth", "file", NULL };
	objref_chains_report_options o = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	Py_ssize_t k = 5, depth = OBJREF_PATHS_DEFAULT_DEPTH;
	PyObject *file = Py_None, *res = NULL;
	objref_chains_report *r;
	objref_buf b = { 0 };

	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|nnO:show_chains", kwlist, &o.type, &k, &depth,
			&file))
		return NULL;
	if (k < 1 || depth < 1)
		return PyErr_Format(PyExc_ValueError, "samples and max_depth must be at least 1");
	o.samples = (size_t)k;
	o.max_depth = (size_t)depth;
	if (objref_py_chains_report(&r, objref_py_state(m), &o) < 0)
		return NULL;
	if (objref_chains_report_text(&b, r) < 0)
		PyErr_NoMemory();
	else if ((res = report_dict(r)) && objref_py_write(file, b.data) < 0)
		Py_CLEAR(res);
	objref_buf_dispose(&b);
	objref_chains_report_free(r);
	return res;
}

static PyObject *py_format_chains(PyObject *m, PyObject *res)
{
	objref_chains_report r;
	objref_buf b = { 0 };
	PyObject *text = NULL;
	void *mem;

	(void)m;
	if (report_from_dict(&r, &mem, res) < 0)
		return NULL;
	if (objref_chains_report_text(&b, &r) < 0)
		PyErr_NoMemory();
	else
		text = PyUnicode_FromString(b.data ? b.data : "");
	PyMem_Free(mem);
	objref_buf_dispose(&b);
	return text;
}

static const char *type_name_of(const objref_snapshot *snap, objref_id id)
{
	const objref_object *o = objref_snapshot_object(snap, id);
	return objref_snapshot_string(snap, objref_snapshot_type(snap, o->type)->name);
}

/* why_alive(obj): the chain from the nearest root to obj, printed, and
 * returned as the list of objects (root first); [obj] when no root holds it. */
static PyObject *py_why_alive(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "obj", "max_depth", "file", NULL };
	PyObject *obj, *file = Py_None, *res = NULL;
	objref_report_root root = { 0 };
	objref_report_live live;
	Py_ssize_t depth = OBJREF_PATHS_DEFAULT_DEPTH;
	objref_paths_options opts;
	objref_chain chain = { 0 };
	objref_buf b = { 0 };
	objref_id id;
	objref_py_pinned p;
	int err;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|nO:why_alive", kwlist, &obj, &depth, &file) ||
	    objref_py_pin(&p, objref_capture_is_tracked(obj) ? 0 : OBJREF_CAPTURE_UNTRACKED) < 0)
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
		live = live_of(&p);
		if (objref_report_root_describe(&root, p.snap, p.paths, &chain, &live) < 0)
			objref_buf_printf(&b, "\n  root: ?\n");
		else
			objref_buf_printf(&b, "\n  root: %s\n", root.text);
		res = chain.status == OBJREF_PATH_FOUND ? chain_objects(&p, &chain) : Py_BuildValue("[O]", obj);
	}
	if (res && objref_py_write(file, b.data ? b.data : "") < 0)
		Py_CLEAR(res);
	objref_report_root_dispose(&root);
	objref_buf_dispose(&b);
	objref_chain_dispose(&chain);
	objref_py_unpin(&p);
	return res;
}

/* ---- label coverage (bench/labels_bench.py) ------------------------------- */

static PyObject *type_name_obj(const objref_snapshot *snap, objref_type_id t)
{
	const objref_type *tp = objref_snapshot_type(snap, t);
	const char *mod = objref_snapshot_string(snap, tp->module);

	if (!*mod || strcmp(mod, "builtins") == 0)
		return PyUnicode_FromString(objref_snapshot_string(snap, tp->name));
	return PyUnicode_FromFormat("%s.%s", mod, objref_snapshot_string(snap, tp->name));
}

/* Of the references from objects whose type's name (as type_name_obj
 * writes it) is in `only` (a set): *total and *labelled. */
static int coverage_of(size_t *labelled, size_t *total, const objref_snapshot *snap, PyObject *only)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	size_t ntypes = objref_snapshot_ntypes(snap), n = objref_snapshot_nobjects(snap);
	char *in = PyMem_Calloc(ntypes + 1, 1);

	*labelled = *total = 0;
	if (!in) {
		PyErr_NoMemory();
		return -1;
	}
	for (objref_type_id t = 0; t < ntypes; t++) {
		PyObject *name = type_name_obj(snap, t);
		int r = name ? PySet_Contains(only, name) : -1;
		Py_XDECREF(name);
		if (r < 0) {
			PyMem_Free(in);
			return -1;
		}
		in[t] = (char)r;
	}
	for (objref_id i = 0; i < n; i++) {
		const objref_id *to;
		const objref_label *l;
		size_t m = 0;
		if (!in[objref_snapshot_object(snap, i)->type] ||
		    objref_snapshot_edges(&to, &l, &m, snap, i) < 0)
			continue;
		for (size_t e = 0; e < m; e++)
			*labelled += OBJREF_LABEL_KIND(l[e]) != OBJREF_LABEL_NONE && l[e] != unnamed;
		*total += m;
	}
	PyMem_Free(in);
	return 0;
}

/* _label_coverage(untracked=True, top=20, only=None): {"total", "labelled",
 * "gaps": [(referrer type, referent type, count)]} over a full snapshot of
 * the live heap; with `only` (a set of type names), also "only_total" and
 * "only_labelled": the references from objects of those types. */
static PyObject *py_label_coverage(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "untracked", "top", "only", NULL };
	int untracked = 1, err;
	Py_ssize_t top = 20;
	PyObject *only = NULL;
	size_t only_total = 0, only_labelled = 0;
	objref_snapshot *snap = NULL;
	objref_label_gap *gaps = NULL;
	size_t labelled, total, ngaps;
	PyObject *list = NULL, *res = NULL;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pnO!:_label_coverage", kwlist, &untracked, &top,
			&PySet_Type, &only))
		return NULL;
	if ((err = objref_capture_snapshot(&snap, untracked ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0)
		return objref_py_error(err);
	if ((err = objref_label_coverage(&labelled, &total, &gaps, &ngaps, snap)) < 0) {
		objref_py_error(err);
		goto cleanup;
	}
	if (!(list = PyList_New(0)))
		goto cleanup;
	for (size_t i = 0; i < ngaps && (Py_ssize_t)i < top; i++) {
		PyObject *t = Py_BuildValue("(NNn)", type_name_obj(snap, gaps[i].from),
			type_name_obj(snap, gaps[i].to), (Py_ssize_t)gaps[i].count);
		if (!t || PyList_Append(list, t) < 0) {
			Py_XDECREF(t);
			goto cleanup;
		}
		Py_DECREF(t);
	}
	if (only && coverage_of(&only_labelled, &only_total, snap, only) < 0)
		goto cleanup;
	res = Py_BuildValue("{snsnsOsnsn}", "total", (Py_ssize_t)total, "labelled", (Py_ssize_t)labelled,
		"gaps", list, "only_total", (Py_ssize_t)only_total, "only_labelled",
		(Py_ssize_t)only_labelled);
cleanup:
	Py_XDECREF(list);
	objref_free(gaps);
	objref_snapshot_free(snap);
	return res;
}

PyMethodDef objref_chains_methods[] = {
	{ "_label_coverage", FN(py_label_coverage), KW,
	  "_label_coverage(untracked=True, top=20) -> {total, labelled, gaps}: the references of a\n"
	  "full snapshot that carry a label, and the top unlabelled (referrer type, referent type)." },
	{ "is_proper_module", FN(py_is_proper_module), KW,
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

/*
 * python/census_api.c — objgraph's census functions with objgraph's names,
 * arguments, results and output layout: count, typestats,
 * most_common_types, show_most_common_types, growth, show_growth, by_type,
 * at, at_addrs, get_new_ids.
 *
 * Default: count what gc.get_objects() sees, as objgraph does, so a script
 * doing `import objref as objgraph` keeps its numbers (and logs stay
 * comparable), and the objects gc.freeze() hides from it (which objgraph
 * misses).  untracked=True adds the objects the collector does not
 * track (str, int, atomic tuples and dicts) reachable from tracked ones.
 */
#include <string.h>
#include "module.h"
#include "objref/census_report.h"

#define MODSTATE(m) objref_py_state(m)

typedef struct {
	objref_census *census;
	PyObject *filter;
	int longnames;
	int err;  /* objref error, or -1 with a Python exception */
} census_walk;

static int add_to_census(void *obj, void *arg)
{
	census_walk *w = arg;
	char name[512];
	size_t len;
	int err;

	if (w->filter && w->filter != Py_None) {
		PyObject *r = PyObject_CallFunctionObjArgs(w->filter, (PyObject *)obj, NULL);
		int keep = r ? PyObject_IsTrue(r) : -1;
		Py_XDECREF(r);
		if (keep < 0)
			return w->err = -1;
		if (!keep)
			return 0;
	}
	len = objref_capture_typename(name, sizeof(name), obj, w->longnames);
	if ((err = objref_census_add(w->census, name, len < sizeof(name) ? len : sizeof(name) - 1, 1, 0)) < 0)
		return w->err = err;
	return 0;
}

/* Call fn for each object of `objects` (an iterable), or of the live heap. */
static int each_object(PyObject *objects, int untracked, int (*fn)(void *, void *), void *arg)
{
	PyObject *it, *o;
	int rc = 0;

	if (!objects || objects == Py_None)
		return objref_capture_each(fn, arg, untracked ? OBJREF_CAPTURE_UNTRACKED : 0);
	if (!(it = PyObject_GetIter(objects)))
		return -1;
	while (!rc && (o = PyIter_Next(it))) {
		rc = fn(o, arg);
		Py_DECREF(o);
	}
	Py_DECREF(it);
	return rc ? rc : PyErr_Occurred() ? -1 : 0;
}

objref_census *objref_py_census(PyObject *objects, PyObject *filter, int shortnames, int untracked)
{
	census_walk w = { NULL, filter, !shortnames, 0 };
	int err;

	if ((!objects || objects == Py_None) && (!filter || filter == Py_None)) {
		unsigned flags = (untracked ? OBJREF_CAPTURE_UNTRACKED : 0) |
			(shortnames ? 0 : OBJREF_CAPTURE_LONGNAMES);
		if ((err = objref_capture_census(&w.census, flags)) < 0)
			return objref_py_error(err), NULL;
		return w.census;
	}
	if ((err = objref_census_new(&w.census)) < 0)
		return objref_py_error(err), NULL;
	err = each_object(objects, untracked, add_to_census, &w);
	if (err || w.err) {
		objref_census_free(w.census);
		if (!PyErr_Occurred())
			objref_py_error(w.err ? w.err : err);
		return NULL;
	}
	return w.census;
}

/* [(name, count)] of the first `limit` rows (limit <= 0: all). */
static PyObject *rows_list(const objref_census *c, Py_ssize_t limit)
{
	size_t n = objref_census_len(c);
	PyObject *list;

	if (limit > 0 && (size_t)limit < n)
		n = (size_t)limit;
	if (!(list = PyList_New((Py_ssize_t)n)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const objref_census_row *r = &objref_census_rows(c)[i];
		PyObject *t = Py_BuildValue("(sK)", r->name, (unsigned long long)r->count);
		if (!t) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

/* objgraph's `limit`: None or 0 means no limit. */
static int parse_limit(PyObject *o, Py_ssize_t *limit)
{
	*limit = 0;
	if (!o || o == Py_None)
		return 0;
	*limit = PyLong_AsSsize_t(o);
	return *limit == -1 && PyErr_Occurred() ? -1 : 0;
}

static PyObject *py_typestats(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "objects", "shortnames", "filter", "untracked", NULL };
	PyObject *objects = Py_None, *filter = Py_None, *dict;
	int shortnames = 1, untracked = 0;
	objref_census *c;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OpOp:typestats", kwlist, &objects, &shortnames,
			&filter, &untracked) ||
	    !(c = objref_py_census(objects, filter, shortnames, untracked)))
		return NULL;
	dict = PyDict_New();
	for (size_t i = 0; dict && i < objref_census_len(c); i++) {
		const objref_census_row *r = &objref_census_rows(c)[i];
		PyObject *v = PyLong_FromUnsignedLongLong(r->count);
		if (!v || PyDict_SetItemString(dict, r->name, v) < 0)
			Py_CLEAR(dict);
		Py_XDECREF(v);
	}
	objref_census_free(c);
	return dict;
}

static char *most_common_kw[] = { "limit", "objects", "shortnames", "file", "filter", "untracked", NULL };

static PyObject *py_most_common_types(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "limit", "objects", "shortnames", "filter", "untracked", NULL };
	PyObject *lim = NULL, *objects = Py_None, *filter = Py_None, *res;
	int shortnames = 1, untracked = 0, err;
	Py_ssize_t limit = 10;
	objref_census *c, *top;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOpOp:most_common_types", kwlist, &lim, &objects,
			&shortnames, &filter, &untracked) ||
	    (lim && parse_limit(lim, &limit) < 0) ||
	    !(c = objref_py_census(objects, filter, shortnames, untracked)))
		return NULL;
	err = objref_census_top(&top, c, (size_t)limit);
	objref_census_free(c);
	if (err < 0)
		return objref_py_error(err);
	res = rows_list(top, 0);
	objref_census_free(top);
	return res;
}

static PyObject *py_show_most_common_types(PyObject *m, PyObject *args, PyObject *kw)
{
	PyObject *lim = NULL, *objects = Py_None, *filter = Py_None, *file = Py_None;
	int shortnames = 1, untracked = 0, rc;
	Py_ssize_t limit = 10;
	objref_census *c, *top;
	objref_buf b = OBJREF_BUF_INIT;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOpOOp:show_most_common_types", most_common_kw,
			&lim, &objects, &shortnames, &file, &filter, &untracked) ||
	    (lim && parse_limit(lim, &limit) < 0) ||
	    !(c = objref_py_census(objects, filter, shortnames, untracked)))
		return NULL;
	if (objref_census_top(&top, c, (size_t)limit) == 0) {
		objref_format_most_common(&b, objref_census_rows(top), objref_census_len(top));
		objref_census_free(top);
	} else {
		b.failed = 1;
	}
	objref_census_free(c);
	if (objref_buf_failed(&b)) {
		objref_buf_dispose(&b);
		return PyErr_NoMemory();
	}
	rc = objref_py_write(file, b.data ? b.data : "");
	objref_buf_dispose(&b);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* gc.collect(), as objgraph's growth() and get_new_ids() do. */
static int collect(void)
{
	long found;

	return objref_capture_gc_collect(&found) < 0 ? -1 : 0;
}

/* The peaks of a peak_stats dict as a census (int values only; others
 * count as 0, as objgraph's get(name, 0) would for a missing one).
 * NULL with an exception. */
static objref_census *peaks_of(PyObject *peaks)
{
	objref_census *c;
	PyObject *k, *v;
	Py_ssize_t pos = 0, len;
	int err;

	if ((err = objref_census_new(&c)) < 0)
		return objref_py_error(err), NULL;
	while (PyDict_Next(peaks, &pos, &k, &v)) {
		const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8AndSize(k, &len) : NULL;
		unsigned long long n = name && PyLong_Check(v) ? PyLong_AsUnsignedLongLong(v) : 0;
		if (PyErr_Occurred())
			PyErr_Clear(), n = 0;
		if (name && n && (err = objref_census_add(c, name, (size_t)len, n, 0)) < 0) {
			objref_census_free(c);
			return objref_py_error(err), NULL;
		}
	}
	return c;
}

/* peak_stats[name] = count for every type of now whose peak rose (in the
 * census's order, as objgraph updates it).  0, or -1 with an exception. */
static int store_peaks(PyObject *peaks, const objref_census *peak, const objref_census *now)
{
	for (size_t i = 0; i < objref_census_len(now); i++) {
		const objref_census_row *r = &objref_census_rows(now)[i], *p = objref_census_find(peak, r->name);
		PyObject *v;
		int rc;
		if (!p || p->count != r->count)
			continue;
		if (!(v = PyLong_FromUnsignedLongLong(r->count)))
			return -1;
		rc = PyDict_SetItemString(peaks, r->name, v);
		Py_DECREF(v);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* objgraph.growth()'s rows: the types above their peak in peak_stats (a
 * dict it updates), largest delta first, at most limit (<= 0: all) — the
 * engine's objref_growth_since_peak over the dict's peaks.  *now holds the
 * rows' names (objref_census_free it, and objref_free *rows).  0, or -1
 * with an exception. */
static int growth_rows(objref_growth_row **rows, size_t *n, objref_census **now, PyObject *m,
	Py_ssize_t limit, PyObject *peaks, int shortnames, PyObject *filter, int untracked, int do_collect)
{
	objref_census *peak = NULL;
	int err, rc = -1;

	*rows = NULL;
	*n = 0;
	*now = NULL;
	if (!peaks || peaks == Py_None)
		peaks = MODSTATE(m)->peak_stats;
	if (!PyDict_Check(peaks)) {
		PyErr_Format(PyExc_TypeError, "peak_stats must be a dict, not %.100s", Py_TYPE(peaks)->tp_name);
		return -1;
	}
	if ((do_collect && collect() < 0) || !(*now = objref_py_census(NULL, filter, shortnames, untracked)))
		return -1;
	if (!(peak = peaks_of(peaks)))
		goto cleanup;
	if ((err = objref_growth_since_peak(rows, n, peak, *now)) < 0) {
		objref_py_error(err);
		goto cleanup;
	}
	if (store_peaks(peaks, peak, *now) < 0)
		goto cleanup;
	if (limit > 0 && (size_t)limit < *n)
		*n = (size_t)limit;
	rc = 0;
cleanup:
	objref_census_free(peak);
	if (rc < 0) {
		objref_free(*rows);
		objref_census_free(*now);
		*rows = NULL;
		*now = NULL;
	}
	return rc;
}

static char *growth_kw[] = { "limit", "peak_stats", "shortnames", "filter", "untracked", "collect", NULL };
static char *show_growth_kw[] = { "limit", "peak_stats", "shortnames", "file", "filter", "untracked",
	"collect", NULL };

static PyObject *py_growth(PyObject *m, PyObject *args, PyObject *kw)
{
	PyObject *lim = NULL, *peaks = Py_None, *filter = Py_None, *res;
	int shortnames = 1, untracked = 0, do_collect = 1;
	Py_ssize_t limit = 10;
	objref_growth_row *rows;
	objref_census *now;
	size_t n;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOpOpp:growth", growth_kw, &lim, &peaks,
			&shortnames, &filter, &untracked, &do_collect) ||
	    (lim && parse_limit(lim, &limit) < 0) ||
	    growth_rows(&rows, &n, &now, m, limit, peaks, shortnames, filter, untracked, do_collect) < 0)
		return NULL;
	res = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; res && i < n; i++) {
		PyObject *t = Py_BuildValue("(sKK)", rows[i].name, (unsigned long long)rows[i].count,
			(unsigned long long)rows[i].delta);
		if (!t)
			Py_CLEAR(res);
		else
			PyList_SET_ITEM(res, (Py_ssize_t)i, t);
	}
	objref_free(rows);
	objref_census_free(now);
	return res;
}

static PyObject *py_show_growth(PyObject *m, PyObject *args, PyObject *kw)
{
	PyObject *lim = NULL, *peaks = Py_None, *filter = Py_None, *file = Py_None;
	int shortnames = 1, untracked = 0, do_collect = 1, rc = 0;
	Py_ssize_t limit = 10;
	objref_growth_row *rows;
	objref_census *now;
	objref_buf b = OBJREF_BUF_INIT;
	size_t n;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOpOOpp:show_growth", show_growth_kw, &lim, &peaks,
			&shortnames, &file, &filter, &untracked, &do_collect) ||
	    (lim && parse_limit(lim, &limit) < 0) ||
	    growth_rows(&rows, &n, &now, m, limit, peaks, shortnames, filter, untracked, do_collect) < 0)
		return NULL;
	if (n && objref_format_growth(&b, rows, n) < 0)
		PyErr_NoMemory(), rc = -1;
	else if (n)
		rc = objref_py_write(file, b.data);
	objref_free(rows);
	objref_census_free(now);
	objref_buf_dispose(&b);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* ---- by name: count, by_type ---------------------------------------- */

/* Types already named, direct-mapped by address: a name is made once per
 * type, not once per object. */
#define NAME_CACHE 64

typedef struct {
	const char *name;
	int longnames;
	Py_ssize_t count;
	PyObject *list;   /* NULL: only count */
	struct { PyTypeObject *tp; int match; } seen[NAME_CACHE];
} name_match;

static int match_name(void *obj, void *arg)
{
	name_match *mm = arg;
	PyTypeObject *tp = Py_TYPE((PyObject *)obj);
	size_t h = ((uintptr_t)tp >> 6) & (NAME_CACHE - 1);

	if (mm->seen[h].tp != tp) {
		char name[512];
		objref_capture_typename(name, sizeof(name), obj, mm->longnames);
		mm->seen[h].tp = tp;
		mm->seen[h].match = strcmp(name, mm->name) == 0;
	}
	if (!mm->seen[h].match)
		return 0;
	mm->count++;
	return mm->list && PyList_Append(mm->list, (PyObject *)obj) < 0 ? -1 : 0;
}

static int by_name(name_match *mm, PyObject *objects, int untracked)
{
	int rc;

	mm->longnames = strchr(mm->name, '.') != NULL; /* objgraph: a dot means module.Name */
	rc = each_object(objects, untracked, match_name, mm);
	if (rc && !PyErr_Occurred())
		objref_py_error(rc);
	return rc ? -1 : 0;
}

static PyObject *py_count(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "typename", "objects", "untracked", NULL };
	name_match mm = { NULL, 0, 0, NULL };
	PyObject *objects = Py_None;
	int untracked = 0;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|Op:count", kwlist, &mm.name, &objects, &untracked) ||
	    by_name(&mm, objects, untracked) < 0)
		return NULL;
	return PyLong_FromSsize_t(mm.count);
}

static PyObject *py_by_type(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "typename", "objects", "untracked", NULL };
	name_match mm = { NULL, 0, 0, NULL };
	PyObject *objects = Py_None;
	int untracked = 0;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|Op:by_type", kwlist, &mm.name, &objects, &untracked) ||
	    !(mm.list = PyList_New(0)))
		return NULL;
	if (by_name(&mm, objects, untracked) < 0)
		Py_CLEAR(mm.list);
	return mm.list;
}

/* ---- by address: at, at_addrs --------------------------------------- */

typedef struct {
	void *addr;        /* at(): the one address */
	PyObject *addrs;   /* at_addrs(): a container of ints */
	PyObject *found;   /* at(): borrowed result; at_addrs(): the list */
} addr_match;

static int match_addr(void *obj, void *arg)
{
	addr_match *am = arg;
	PyObject *id;
	int in;

	if (!am->addrs) {
		if (obj == am->addr) {
			am->found = Py_NewRef((PyObject *)obj);
			return 1; /* stop */
		}
		return 0;
	}
	if (!(id = PyLong_FromVoidPtr(obj)))
		return -1;
	in = PySequence_Contains(am->addrs, id);
	Py_DECREF(id);
	if (in < 0 || (in && PyList_Append(am->found, (PyObject *)obj) < 0))
		return -1;
	return 0;
}

static PyObject *py_at(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "addr", "untracked", NULL };
	addr_match am = { NULL, NULL, NULL };
	PyObject *addr;
	int untracked = 0, rc;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p:at", kwlist, &addr, &untracked))
		return NULL;
	am.addr = PyLong_AsVoidPtr(addr);
	if (PyErr_Occurred())
		return NULL;
	rc = objref_capture_each(match_addr, &am, untracked ? OBJREF_CAPTURE_UNTRACKED : 0);
	if (rc < 0)
		return PyErr_Occurred() ? NULL : objref_py_error(rc);
	return am.found ? am.found : Py_NewRef(Py_None);
}

static PyObject *py_at_addrs(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "address_set", "untracked", NULL };
	addr_match am = { NULL, NULL, NULL };
	int untracked = 0, rc;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p:at_addrs", kwlist, &am.addrs, &untracked) ||
	    !(am.found = PyList_New(0)))
		return NULL;
	rc = objref_capture_each(match_addr, &am, untracked ? OBJREF_CAPTURE_UNTRACKED : 0);
	if (rc) {
		Py_CLEAR(am.found);
		if (!PyErr_Occurred())
			objref_py_error(rc);
	}
	return am.found;
}

/* ---- get_new_ids ------------------------------------------------------ */

typedef struct {
	objref_new_ids *table;
	int longnames;
	int err;
} ids_walk;

static int add_id(void *obj, void *arg)
{
	ids_walk *w = arg;
	char name[512];

	objref_capture_typename(name, sizeof(name), obj, w->longnames);
	return (w->err = objref_new_ids_add(w->table, name, (uint64_t)(uintptr_t)obj)) < 0 ? -1 : 0;
}

/* The engine's table of the live heap now (objref_new_ids_rows); the
 * module keeps the memory (st->ids_table).  0, or -1 with an exception. */
static int record_ids(objref_modstate *st, int shortnames, objref_new_ids_row **rows, size_t *n)
{
	ids_walk w = { NULL, !shortnames, 0 };
	int err;

	if (!st->ids_table && (err = objref_new_ids_create(&st->ids_table)) < 0)
		return objref_py_error(err), -1;
	w.table = st->ids_table;
	objref_new_ids_rotate(w.table);
	if ((err = objref_capture_each(add_id, &w, 0)) != 0 || w.err < 0 ||
	    (err = objref_new_ids_rows(rows, n, w.table)) < 0) {
		if (!PyErr_Occurred())
			objref_py_error(w.err < 0 ? w.err : err);
		return -1;
	}
	return 0;
}

/* new_ids (objgraph's defaultdict(set), the same object from call to
 * call) := {type: set of new ids} of the rows.  0, or -1 with an exception. */
static int fill_new_ids(PyObject *new_ids, const objref_new_ids *t, const objref_new_ids_row *rows,
	size_t n)
{
	PyDict_Clear(new_ids);
	for (size_t i = 0; i < n; i++) {
		size_t k;
		const uint64_t *added = objref_new_ids_added(t, i, &k);
		PyObject *set = PySet_New(NULL);
		int rc = set ? PyDict_SetItemString(new_ids, rows[i].name, set) : -1;
		for (size_t j = 0; rc == 0 && j < k; j++) {
			PyObject *id = PyLong_FromVoidPtr((void *)(uintptr_t)added[j]);
			rc = id ? PySet_Add(set, id) : -1;
			Py_XDECREF(id);
		}
		Py_XDECREF(set);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* objgraph's table of rows, sorted by `by` and cut to `limit` (negative:
 * all), written to file: objref_new_ids_sort and objref_format_new_ids.
 * 0, or -1 with an exception. */
static int print_ids_table(objref_new_ids_row *rows, size_t n, objref_new_ids_column by, Py_ssize_t limit,
	PyObject *file)
{
	objref_buf b = OBJREF_BUF_INIT;
	int rc;

	objref_new_ids_sort(rows, n, by);
	if (limit >= 0 && (size_t)limit < n)
		n = (size_t)limit;
	if (objref_format_new_ids(&b, rows, n) < 0) {
		objref_buf_dispose(&b);
		PyErr_NoMemory();
		return -1;
	}
	rc = b.len ? objref_py_write(file, b.data) : 0;
	objref_buf_dispose(&b);
	return rc;
}

/* The dict get_new_ids returns (a defaultdict(set)), created on first use. */
static PyObject *new_ids_dict(objref_modstate *st)
{
	PyObject *d = PyDict_GetItemString(st->new_ids, "new"); /* borrowed */
	int rc;

	if (d)
		return d;
	if (!(d = PyObject_CallFunctionObjArgs(st->defaultdict, (PyObject *)&PySet_Type, NULL)))
		return NULL;
	rc = PyDict_SetItemString(st->new_ids, "new", d);
	Py_DECREF(d);
	return rc < 0 ? NULL : d;
}

static PyObject *py_get_new_ids(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "skip_update", "limit", "sortby", "shortnames", "file", NULL };
	objref_modstate *st = MODSTATE(m);
	PyObject *limit = NULL, *shortnames = Py_None, *file = Py_None, *new_ids;
	const char *sortby = "deltas";
	objref_new_ids_column by;
	objref_new_ids_row *rows;
	Py_ssize_t lim = 10;  /* objgraph: limit=10; None: all rows */
	size_t n;
	int skip = 0, shorts;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pOsOO:get_new_ids", kwlist, &skip, &limit, &sortby,
			&shortnames, &file) || !(new_ids = new_ids_dict(st)))
		return NULL;
	if (objref_new_ids_column_of(&by, sortby) < 0)
		return PyErr_Format(PyExc_KeyError, "%s", objref_error_last());
	if (skip)
		return Py_NewRef(new_ids);
	if (limit == Py_None)
		lim = -1;
	else if (limit && (lim = PyLong_AsSsize_t(limit)) == -1 && PyErr_Occurred())
		return NULL;
	if (shortnames == Py_None)  /* objgraph remembers the last choice (first: short) */
		shortnames = PyDict_GetItemString(st->new_ids, "shortnames");
	else if (PyDict_SetItemString(st->new_ids, "shortnames", shortnames) < 0)
		return NULL;
	shorts = shortnames ? PyObject_IsTrue(shortnames) : 1;
	if (shorts < 0 || collect() < 0 || record_ids(st, shorts, &rows, &n) < 0 ||
	    fill_new_ids(new_ids, st->ids_table, rows, n) < 0 || print_ids_table(rows, n, by, lim, file) < 0)
		return NULL;
	return Py_NewRef(new_ids);
}

PyMethodDef objref_census_methods[] = {
	{ "count", FN(py_count), KW, "count(typename, objects=None, untracked=False)\n--\n\n"
	  "Count live objects of a type (short name, or 'module.Name')." },
	{ "typestats", FN(py_typestats), KW,
	  "typestats(objects=None, shortnames=True, filter=None, untracked=False)\n--\n\n"
	  "{type name: count} of live objects." },
	{ "most_common_types", FN(py_most_common_types), KW,
	  "most_common_types(limit=10, objects=None, shortnames=True, filter=None, untracked=False)\n--\n\n"
	  "[(type name, count)], most frequent first." },
	{ "show_most_common_types", FN(py_show_most_common_types), KW,
	  "show_most_common_types(limit=10, objects=None, shortnames=True, file=None, filter=None, "
	  "untracked=False)\n--\n\nPrint the most common types, as objgraph does." },
	{ "growth", FN(py_growth), KW,
	  "growth(limit=10, peak_stats=None, shortnames=True, filter=None, untracked=False, collect=True)"
	  "\n--\n\n[(type name, count, increase)] since the peaks in peak_stats.\n"
	  "Calls gc.collect() first, as objgraph does (collect=False to skip)." },
	{ "show_growth", FN(py_show_growth), KW,
	  "show_growth(limit=10, peak_stats=None, shortnames=True, file=None, filter=None, "
	  "untracked=False, collect=True)\n--\n\nPrint the increase in peak object counts." },
	{ "by_type", FN(py_by_type), KW, "by_type(typename, objects=None, untracked=False)\n--\n\n"
	  "The live objects of a type." },
	{ "at", FN(py_at), KW, "at(addr, untracked=False)\n--\n\nThe object whose id() is addr, or None." },
	{ "at_addrs", FN(py_at_addrs), KW, "at_addrs(address_set, untracked=False)\n--\n\n"
	  "The objects whose id() is in address_set." },
	{ "get_new_ids", FN(py_get_new_ids), KW,
	  "get_new_ids(skip_update=False, limit=10, sortby='deltas', shortnames=None, file=None)\n--\n\n"
	  "{type name: set of ids} created since the last call, with objgraph's table." },
	{ NULL, NULL, 0, NULL }
};

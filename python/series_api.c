/*
 * python/series_api.c — the checkpoint series: checkpoint(), checkpoints(),
 * reset(), growing_types(), the --log file and snapshot().  The census is
 * capture's, the series and the growth libobjref's (objref/growth.h).
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include "module.h"
#include "objref/capture_census.h"

/* Append the census of checkpoint i to the log, in show_most_common_types
 * layout after a header, so `grep "^tuple " log` follows one type.
 * 0, or -1 with an exception. */
static int append_log(objref_modstate *st, size_t i)
{
	objref_census *c = NULL;
	objref_buf b = { 0 };
	FILE *f;
	int err, ok;

	if (!st->log_path)
		return 0;
	if ((err = objref_census_sorted(&c, objref_series_census(st->series, i))) < 0) {
		objref_py_error(err);
		return -1;
	}
	objref_buf_printf(&b, "# checkpoint %zu%s%s t=%.2fs objects=%llu bytes=%llu\n", i + 1,
		objref_series_label(st->series, i)[0] ? " " : "", objref_series_label(st->series, i),
		objref_series_time(st->series, i), (unsigned long long)objref_census_total_count(c),
		(unsigned long long)objref_census_total_bytes(c));
	objref_format_most_common(&b, objref_census_rows(c), objref_census_len(c));
	objref_census_free(c);
	if (objref_buf_failed(&b)) {
		objref_buf_dispose(&b);
		PyErr_NoMemory();
		return -1;
	}
	f = fopen(st->log_path, "a");
	ok = f && fwrite(b.data, 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = 0;
	objref_buf_dispose(&b);
	if (!ok) {
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, st->log_path);
		return -1;
	}
	return 0;
}

static int collect_addr(void *obj, void *arg)
{
	objref_modstate *st = arg;
	size_t n = st->nfirst_addrs;

	if ((n & (n - 1)) == 0 || n == 0) {  /* grow at powers of two */
		uint64_t *a = PyMem_Realloc(st->first_addrs, (n ? 2 * n : 1024) * sizeof(uint64_t));
		if (!a)
			return -1;
		st->first_addrs = a;
	}
	st->first_addrs[st->nfirst_addrs++] = (uint64_t)(uintptr_t)obj;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Remember which objects were alive at the first checkpoint: chains()
 * prefers samples born after it (the ones a leak added). */
static int remember_first(objref_modstate *st)
{
	PyMem_Free(st->first_addrs);
	st->first_addrs = NULL;
	st->nfirst_addrs = 0;
	if (objref_capture_each(collect_addr, st, OBJREF_CAPTURE_UNTRACKED) != 0) {
		PyMem_Free(st->first_addrs);
		st->first_addrs = NULL;
		st->nfirst_addrs = 0;
		PyErr_NoMemory();
		return -1;
	}
	if (st->nfirst_addrs) /* an empty heap walk (a frozen heap before 3.12) left no array */
		qsort(st->first_addrs, st->nfirst_addrs, sizeof(uint64_t), cmp_u64);
	return 0;
}

/* ---- checkpoints whose census a forked child takes (objref-chain) ----
 *
 * One at a time, kept here (process state, as the forked dump's is in
 * capture_dump.c): its census enters the series when it is collected,
 * with the time of its fork, before any later checkpoint, so the series
 * stays in time order whoever takes the next one. */
static struct {
	objref_capture_census_job *job;
	pid_t owner;             /* the process that forked it (a fork of ours has no reader) */
	int busy;                /* a thread waits for it, the GIL released */
	char label[256];
	int has_label;
	double t;                /* its time in the series: the fork's */
	int64_t blocks;          /* the allocator's blocks at the fork, or -1 */
	char failure[600];       /* a forked census that failed, not told yet */
	void (*hook)(void *arg); /* after each checkpoint taken (objref-chain's --dump-every) */
	void *hook_arg;
} F;

static void call_hook(void)
{
	if (F.hook)
		F.hook(F.hook_arg);
}

/* Addresses from the child (objref_free'd here) as the baseline.  The copy
 * (megabytes: 8 bytes per live object) is made with the GIL released. */
static int take_first(objref_modstate *st, uint64_t *addrs, size_t n)
{
	uint64_t *copy = n ? PyMem_Malloc(n * sizeof(uint64_t)) : NULL;

	if (n && !copy) {
		objref_free(addrs);
		return OBJREF_ENOMEM;
	}
	Py_BEGIN_ALLOW_THREADS
	if (n)
		memcpy(copy, addrs, n * sizeof(uint64_t));
	objref_free(addrs);
	Py_END_ALLOW_THREADS
	PyMem_Free(st->first_addrs);
	st->first_addrs = copy;
	st->nfirst_addrs = n;
	return 0;
}

/* The pending exception, as "what: message" in F.failure; cleared. */
static void keep_exception(const char *what)
{
	PyObject *type, *value, *tb, *text;

	PyErr_Fetch(&type, &value, &tb);
	text = value ? PyObject_Str(value) : NULL;
	snprintf(F.failure, sizeof(F.failure), "%s: %s", what,
		text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "failed");
	PyErr_Clear();
	Py_XDECREF(text);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
}

/* Collect the forked census when it is ready (block: wait for it, the GIL
 * released) and add it to the series and the log.  0 (done, or nothing
 * to do yet), or -1 with the failure kept in F.failure (no exception). */
static int settle(objref_modstate *st, int block)
{
	objref_capture_census_job *job = F.job;
	objref_census *c = NULL;
	uint64_t *addrs = NULL;
	size_t naddrs = 0;
	int err, first;

	if (job && F.owner != getpid()) { /* in a child the program forked: not ours */
		F.job = NULL;
		return 0;
	}
	while (F.busy && block) { /* another thread collects it: wait for that */
		Py_BEGIN_ALLOW_THREADS
		usleep(1000);
		Py_END_ALLOW_THREADS
	}
	if (F.busy || !(job = F.job) || (!block && !objref_capture_census_ready(job)))
		return 0;
	/* The reader thread's buffer is parsed (and, not ready, waited for)
	 * with the GIL released: the program goes on. */
	F.busy = 1;
	Py_BEGIN_ALLOW_THREADS
	err = objref_capture_census_finish(job, &c, &addrs, &naddrs);
	Py_END_ALLOW_THREADS
	F.job = NULL;
	first = objref_series_len(st->series) == 0;
	if (!err && first) {
		err = take_first(st, addrs, naddrs);
	} else {
		if (!err && addrs && objref_py_take_survivors(st, addrs, naddrs) < 0) {
			PyErr_Clear();
			err = OBJREF_ENOMEM;
		}
		objref_free(addrs);
	}
	F.busy = 0;
	if (err)
		objref_census_free(c);
	else if (!(err = objref_series_add(st->series, c, F.t, F.has_label ? F.label : NULL)))
		objref_series_set_blocks(st->series, objref_series_len(st->series) - 1, F.blocks);
	if (err) {
		snprintf(F.failure, sizeof(F.failure), "checkpoint '%s' (census in a forked child): %s",
			F.label, objref_error_last());
		return -1;
	}
	if (append_log(st, objref_series_len(st->series) - 1) < 0) {
		keep_exception("--log");
		return -1;
	}
	return 0;
}

/* A failure kept by settle() as a RuntimeError; -1. */
static int raise_failure(void)
{
	PyErr_SetString(PyExc_RuntimeError, F.failure);
	F.failure[0] = '\0';
	return -1;
}

int objref_py_checkpoint_settle(objref_modstate *st, int block)
{
	settle(st, block);
	return F.failure[0] ? raise_failure() : 0;
}

void objref_py_checkpoint_hook(void (*fn)(void *arg), void *arg)
{
	F.hook = fn;
	F.hook_arg = arg;
}

/* The in-process checkpoint, without the hook. */
static int checkpoint_here(objref_modstate *st, const char *label, int untracked)
{
	objref_census *c;
	int64_t blocks;
	int err;

	/* A forked census still counting comes first in the series; its
	 * failure is told to objref-chain (checkpoint_settle), not to the
	 * program's objref.checkpoint(). */
	settle(st, 1);
	if (objref_series_len(st->series) == 0 && remember_first(st) < 0)
		return -1;
	if (objref_series_len(st->series) > 0 && objref_py_remember_survivors(st) < 0)
		return -1;
	/* the allocator's count of the moment of the census (blocks - objects:
	   objref/unexplained.h); meaningful beside a census of every object */
	if (objref_capture_allocated_blocks(&blocks) < 0 || !untracked)
		blocks = -1;
	if ((err = objref_capture_census(&c, untracked ? OBJREF_CAPTURE_UNTRACKED : 0)) < 0 ||
	    (err = objref_series_add(st->series, c, objref_py_now() - st->t0, label)) < 0) {
		objref_py_error(err);
		return -1;
	}
	objref_series_set_blocks(st->series, objref_series_len(st->series) - 1, blocks);
	return append_log(st, objref_series_len(st->series) - 1);
}

/* A checkpoint: the census added to the series and the log; the first one
 * also remembers the baseline.  0, or -1 with an exception. */
int objref_py_checkpoint(objref_modstate *st, const char *label, int untracked)
{
	if (checkpoint_here(st, label, untracked) < 0)
		return -1;
	call_hook();
	return 0;
}

int objref_py_checkpoint_fork(objref_modstate *st, const char *label, char *why, size_t size)
{
	double t;
	int err;

	if (size)
		why[0] = '\0';
	if (settle(st, 1) < 0)
		return raise_failure();
	t = objref_py_now() - st->t0;
	if (objref_capture_allocated_blocks(&F.blocks) < 0)
		F.blocks = -1;
	/* the child lists the addresses too for the baseline and where the
	   chains' survivors are remembered (objref_py_survivors_due) */
	err = objref_capture_census_fork(&F.job, OBJREF_CAPTURE_UNTRACKED,
		objref_series_len(st->series) == 0 || objref_py_survivors_due(st));
	if (err == OBJREF_ENOMEM) {
		objref_py_error(err);
		return -1;
	}
	if (err < 0) { /* fork is not safe here, or failed: the census in process */
		if (size)
			snprintf(why, size, "%s", objref_error_last());
		return objref_py_checkpoint(st, label, 1) < 0 ? -1 : 1;
	}
	F.owner = getpid();
	F.t = t;
	F.has_label = label != NULL;
	snprintf(F.label, sizeof(F.label), "%s", label ? label : "");
	call_hook();
	return 0;
}

static PyObject *py_checkpoint(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "label", "untracked", NULL };
	objref_modstate *st = objref_py_state(module);
	const char *label = NULL;
	int untracked = 1;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|zp:checkpoint", kwlist, &label, &untracked) ||
	    objref_py_checkpoint(st, label, untracked) < 0)
		return NULL;
	return PyLong_FromSize_t(objref_series_len(st->series) - 1);
}

static PyObject *py_checkpoints(PyObject *module, PyObject *unused)
{
	objref_modstate *st = objref_py_state(module);
	size_t n = objref_series_len(st->series);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (size_t i = 0; list && i < n; i++) {
		const objref_census *c = objref_series_census(st->series, i);
		PyObject *t = Py_BuildValue("(sdKK)", objref_series_label(st->series, i),
			objref_series_time(st->series, i),
			(unsigned long long)objref_census_total_count(c),
			(unsigned long long)objref_census_total_bytes(c));
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

static PyObject *py_reset(PyObject *module, PyObject *unused)
{
	objref_modstate *st = objref_py_state(module);

	(void)unused;
	settle(st, 1); /* a forked census still counting belongs to the series cleared */
	F.failure[0] = '\0';
	objref_series_clear(st->series);
	PyMem_Free(st->first_addrs);
	st->first_addrs = NULL;
	st->nfirst_addrs = 0;
	objref_py_forget_survivors(st);
	Py_RETURN_NONE;
}

/* The growing rows of the series, with the options from args. */
static int growing_rows(objref_growing_row **rows, size_t *n, PyObject *module, PyObject *args,
	PyObject *kw, PyObject **file, Py_ssize_t *limit)
{
	static char *kwlist[] = { "limit", "min_rise_fraction", "min_net", "file", NULL };
	objref_growth_opts o = OBJREF_GROWTH_OPTS_INIT;
	PyObject *lim = Py_None;
	unsigned long long min_net = 0;
	int err;

	*file = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OdKO", kwlist, &lim, &o.min_rise_fraction,
			&min_net, file))
		return -1;
	o.min_net = min_net;
	*limit = lim == Py_None ? -1 : PyLong_AsSsize_t(lim);
	if (*limit == -1 && PyErr_Occurred())
		return -1;
	if ((err = objref_series_growing(rows, n, objref_py_state(module)->series, &o)) < 0) {
		objref_py_error(err);
		return -1;
	}
	if (*limit >= 0 && (size_t)*limit < *n)
		*n = (size_t)*limit;
	return 0;
}

static PyObject *py_growing_types(PyObject *module, PyObject *args, PyObject *kw)
{
	objref_growing_row *rows;
	PyObject *file, *list;
	Py_ssize_t limit;
	size_t n;

	if (growing_rows(&rows, &n, module, args, kw, &file, &limit) < 0)
		return NULL;
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		const objref_growing_row *r = &rows[i];
		PyObject *t = Py_BuildValue("(sKKddIII)", r->name, (unsigned long long)r->first,
			(unsigned long long)r->last, r->objects_per_ckpt, r->bytes_per_ckpt,
			r->rises, r->intervals, r->steady_since);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	objref_free(rows);
	return list;
}

static PyObject *py_show_growing_types(PyObject *module, PyObject *args, PyObject *kw)
{
	objref_growing_row *rows;
	objref_buf b = { 0 };
	PyObject *file;
	Py_ssize_t limit;
	size_t n;
	int rc;

	if (growing_rows(&rows, &n, module, args, kw, &file, &limit) < 0)
		return NULL;
	if (objref_format_growing(&b, rows, n) < 0) {
		objref_free(rows);
		objref_buf_dispose(&b);
		return PyErr_NoMemory();
	}
	rc = n ? objref_py_write(file, b.data) : 0;
	objref_free(rows);
	objref_buf_dispose(&b);
	if (rc < 0)
		return NULL;
	return PyLong_FromSize_t(n);
}

/* Log each checkpoint's census to path (NULL: stop).  0, or -1 with an
 * exception. */
int objref_py_set_log(objref_modstate *st, const char *path)
{
	PyMem_Free(st->log_path);
	st->log_path = NULL;
	if (path && !(st->log_path = PyMem_Malloc(strlen(path) + 1))) {
		PyErr_NoMemory();
		return -1;
	}
	if (path)
		memcpy(st->log_path, path, strlen(path) + 1);
	return 0;
}

static PyObject *py_configure(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "log", NULL };
	PyObject *log = Py_None, *bytes = NULL;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:_configure", kwlist, &log))
		return NULL;
	if (log != Py_None && !PyUnicode_FSConverter(log, &bytes))
		return NULL;
	rc = objref_py_set_log(objref_py_state(module), bytes ? PyBytes_AS_STRING(bytes) : NULL);
	Py_XDECREF(bytes);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *py_snapshot(PyObject *module, PyObject *unused)
{
	objref_snapshot *snap;
	int err;

	(void)unused;
	if ((err = objref_capture_snapshot(&snap, OBJREF_CAPTURE_UNTRACKED)) < 0)
		return objref_py_error(err);
	return objref_py_snapshot_wrap(objref_py_state(module)->snapshot_type, snap);
}

static PyObject *py_release_memory(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	return PyLong_FromSize_t(objref_release_memory());
}

typedef struct {
	uint64_t *a;
	size_t n, cap;
} addr_array;

static int add_addr(void *obj, void *arg)
{
	addr_array *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		uint64_t *a = PyMem_Realloc(l->a, cap * sizeof(uint64_t));
		if (!a)
			return OBJREF_ENOMEM;
		l->a = a;
		l->cap = cap;
	}
	l->a[l->n++] = (uint64_t)(uintptr_t)obj;
	return 0;
}

/* _census_rows(fork, untracked=True, addrs=False): the census of the live heap as one
 * bytes object ("name\tcount\tbytes\n" per row, in census order), so a
 * test comparing two censuses adds one object between them.  fork: counted
 * by a forked child (objref/capture_census.h), waited for with the GIL
 * released; with addrs, (that, the sorted live addresses as
 * native uint64 in bytes). */
static PyObject *py_census_rows(PyObject *module, PyObject *args)
{
	unsigned flags;
	int fork, untracked = 1, want = 0, err;
	objref_capture_census_job *job;
	objref_census *c = NULL;
	uint64_t *addrs = NULL;
	size_t naddrs = 0;
	addr_array here = { 0 };
	objref_buf b = { 0 };
	PyObject *r;

	(void)module;
	if (!PyArg_ParseTuple(args, "p|pp:_census_rows", &fork, &untracked, &want))
		return NULL;
	flags = untracked ? OBJREF_CAPTURE_UNTRACKED : 0;
	if (!fork) {
		err = objref_capture_census(&c, flags);
		if (!err && want && (err = objref_capture_each(add_addr, &here, flags)) == 0 && here.n)
			qsort(here.a, here.n, sizeof(uint64_t), cmp_u64);
	} else if ((err = objref_capture_census_fork(&job, flags, want)) == 0) {
		Py_BEGIN_ALLOW_THREADS
		err = objref_capture_census_finish(job, &c, &addrs, &naddrs);
		Py_END_ALLOW_THREADS
	}
	if (err < 0) {
		PyMem_Free(here.a);
		if (fork && err == OBJREF_ERROR) {
			PyErr_SetString(PyExc_RuntimeError, objref_error_last());
			return NULL;
		}
		return objref_py_error(err);
	}
	for (size_t i = 0; i < objref_census_len(c); i++) {
		const objref_census_row *row = &objref_census_rows(c)[i];
		objref_buf_printf(&b, "%s\t%llu\t%llu\n", row->name, (unsigned long long)row->count,
			(unsigned long long)row->bytes);
	}
	objref_census_free(c);
	r = objref_buf_failed(&b) ? PyErr_NoMemory() : PyBytes_FromStringAndSize(b.data ? b.data : "",
		(Py_ssize_t)b.len);
	objref_buf_dispose(&b);
	if (r && want) {
		const uint64_t *a = fork ? addrs : here.a;
		size_t n = fork ? naddrs : here.n;
		PyObject *ab = PyBytes_FromStringAndSize(n ? (const char *)a : "",
			(Py_ssize_t)(n * sizeof(uint64_t)));
		PyObject *t = ab ? PyTuple_Pack(2, r, ab) : NULL;
		Py_XDECREF(ab);
		Py_DECREF(r);
		r = t;
	}
	objref_free(addrs);
	PyMem_Free(here.a);
	return r;
}

PyMethodDef objref_series_methods[] = {
	{ "checkpoint", (PyCFunction)(void (*)(void))py_checkpoint, METH_VARARGS | METH_KEYWORDS,
	  "checkpoint(label=None, untracked=True)\n--\n\n"
	  "Record a census of the live heap (untracked objects included by default)\n"
	  "as the next checkpoint of the series; returns its index." },
	{ "checkpoints", py_checkpoints, METH_NOARGS,
	  "checkpoints()\n--\n\nThe checkpoints so far: [(label, seconds, objects, bytes)]." },
	{ "reset", py_reset, METH_NOARGS, "reset()\n--\n\nForget every checkpoint." },
	{ "growing_types", (PyCFunction)(void (*)(void))py_growing_types, METH_VARARGS | METH_KEYWORDS,
	  "growing_types(limit=None, min_rise_fraction=0.5, min_net=0)\n--\n\n"
	  "Types whose counts trend up across the checkpoints: rising in more than\n"
	  "min_rise_fraction of the intervals, with net growth above min_net and\n"
	  "above the sum of their falls.  Ranked by objects, then bytes, per\n"
	  "checkpoint.  Tuples: (name, first, last, objects_per_ckpt,\n"
	  "bytes_per_ckpt, rises, intervals, steady_since)." },
	{ "show_growing_types", (PyCFunction)(void (*)(void))py_show_growing_types,
	  METH_VARARGS | METH_KEYWORDS,
	  "show_growing_types(limit=None, min_rise_fraction=0.5, min_net=0, file=None)\n--\n\n"
	  "Print the growing types table; returns the number of rows." },
	{ "snapshot", py_snapshot, METH_NOARGS,
	  "snapshot()\n--\n\nA full snapshot of the heap: objects (untracked ones too),\n"
	  "labelled references, types and roots." },
	{ "release_memory", py_release_memory, METH_NOARGS,
	  "release_memory()\n--\n\nFree now the working arrays objref keeps between captures\n"
	  "(never more than its arrays ever held at once; OBJREF_KEEP_MB caps\n"
	  "it; the kernel may already reclaim them under memory pressure);\n"
	  "returns the bytes freed." },
	{ "_census_rows", py_census_rows, METH_VARARGS,
	  "_census_rows(fork, untracked=True, addrs=False)\n--\n\nFor tests: the census as bytes, "
	  "one 'name\\tcount\\tbytes' line per row,\ncounted in process or by a forked child; with "
	  "addrs, (that, the live addresses\nas sorted native uint64)." },
	{ "_configure", (PyCFunction)(void (*)(void))py_configure, METH_VARARGS | METH_KEYWORDS,
	  "_configure(log=None)\n--\n\nFor objref-chain: append each checkpoint's census to log." },
	{ NULL, NULL, 0, NULL }
};

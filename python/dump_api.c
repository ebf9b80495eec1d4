/*
 * python/dump_api.c — objref.dump(), objref.load(), objref.dump_info() and
 * the DumpJob a forked dump returns.  See lib/capture_dump.c for the
 * capture side and lib/dump_*.c for the format.
 *
 * dump(fork=True): with the GIL held, a raw fork() (not os.fork(): its
 * after-fork handler would delete the other threads' states, and with them
 * their frames, which are roots).  The child captures, writes PATH.tmp with
 * write(2), renames it to PATH, reports its stats through a pipe and
 * leaves with _exit().  The parent returns a DumpJob at once.
 *
 * Process state: one forked dump runs at a time per process (the running
 * job is held here until reaped, so a dropped job is still reaped by the
 * next dump), and dumps are numbered per process.  Both are per process,
 * not per module instance, hence C statics.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "module.h"
#include "objref/capture_dump.h"
#include "objref/heapsnapshot.h"

static PyObject *running_job; /* the unreaped forked dump, or NULL */
static uint64_t dump_seq;     /* dumps started by this process */

typedef struct {
	PyObject_HEAD
	objref_capture_dump_job job; /* zeroed once reaped */
	int finished;
	PyObject *path;       /* str */
	uint64_t sequence;
	int compress;
	double t_start;
	PyObject *result;     /* stats dict once finished well */
	PyObject *error;      /* the exception once finished badly */
	PyObject *dump_error; /* objref.DumpError */
	int pid_shown;        /* the child's pid, kept after reaping */
} job_object;

/* ---- errors and stats ------------------------------------------------- */

/* An exception for a failed dump: OSError (with errno and the file) for
 * I/O, MemoryError, else objref.DumpError. */
static PyObject *make_error(PyObject *dump_error, int code, int sys_errno, const char *msg,
	PyObject *file)
{
	if (code == OBJREF_EIO && sys_errno)
		return PyObject_CallFunction(PyExc_OSError, "isO", sys_errno, msg, file ? file : Py_None);
	if (code == OBJREF_EIO)
		return PyObject_CallFunction(PyExc_OSError, "s", msg);
	if (code == OBJREF_ENOMEM)
		return PyObject_CallFunction(PyExc_MemoryError, "s", msg);
	return PyObject_CallFunction(dump_error, "s", msg);
}

static int raise_error(PyObject *dump_error, int code, int sys_errno, const char *msg, PyObject *file)
{
	PyObject *e = make_error(dump_error, code, sys_errno, msg, file);

	if (e) {
		PyErr_SetObject((PyObject *)Py_TYPE(e), e);
		Py_DECREF(e);
	}
	return -1;
}

static PyObject *stats_dict(const objref_capture_dump_stats *st, PyObject *path, uint64_t seq,
	int forked, int compress, pid_t pid, double elapsed)
{
	return Py_BuildValue("{sOsKsisisKsKsKsKsKsKsdsdsdsi}",
		"path", path, "sequence", (unsigned long long)seq, "fork", forked, "pid", (int)pid,
		"objects", (unsigned long long)st->nobjects, "edges", (unsigned long long)st->nedges,
		"types", (unsigned long long)st->ntypes, "strings", (unsigned long long)st->nstrings,
		"roots", (unsigned long long)st->nroots, "file_size", (unsigned long long)st->file_size,
		"walk_s", (double)st->walk_ns / 1e9, "write_s", (double)st->write_ns / 1e9,
		"elapsed_s", elapsed, "compressed", compress);
}

/* ---- the job ---------------------------------------------------------- */

/* Turn the reaped child's report into the job's result or error. */
static void settle(job_object *j, const objref_capture_dump_stats *st, int pid)
{
	j->finished = 1;
	if (running_job == (PyObject *)j)
		Py_CLEAR(running_job);
	if (st->status == 0) {
		j->result = stats_dict(st, j->path, j->sequence, 1, j->compress, pid,
			objref_py_now() - j->t_start);
		if (j->result)
			return;
		PyErr_Clear();
		j->error = make_error(j->dump_error, OBJREF_ENOMEM, 0, "out of memory reporting a dump", NULL);
	} else {
		PyObject *tmp = PyUnicode_FromFormat("%U.tmp", j->path);
		j->error = make_error(j->dump_error, st->status, st->sys_errno, st->message, tmp);
		Py_XDECREF(tmp);
	}
	if (!j->error)
		PyErr_Clear();
}

/* Reap the child if it is done.  block: wait for it (timeout < 0: for
 * ever), the GIL released while sleeping.  Returns 1 when finished, 0
 * when still running, -1 with an exception (a signal handler raised). */
static int job_poll(job_object *j, int block, double timeout)
{
	double t0 = objref_py_now();
	objref_capture_dump_stats st;
	int pid = j->job.pid;

	while (!j->finished) {
		if (objref_capture_dump_reap(&st, &j->job, 0)) {
			settle(j, &st, pid);
			break;
		}
		if (!block || (timeout >= 0 && objref_py_now() - t0 >= timeout))
			return 0;
		Py_BEGIN_ALLOW_THREADS
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		Py_END_ALLOW_THREADS
		if (PyErr_CheckSignals() < 0)
			return -1;
	}
	return 1;
}

static PyObject *job_outcome(job_object *j)
{
	if (j->result)
		return Py_NewRef(j->result);
	if (j->error)
		PyErr_SetObject((PyObject *)Py_TYPE(j->error), j->error);
	else
		PyErr_SetString(j->dump_error, "objref.dump failed");
	return NULL;
}

static PyObject *job_wait(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "timeout", NULL };
	job_object *j = (job_object *)self;
	PyObject *timeout = Py_None;
	double t = -1;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:wait", kwlist, &timeout))
		return NULL;
	if (timeout != Py_None && ((t = PyFloat_AsDouble(timeout)) == -1 && PyErr_Occurred()))
		return NULL;
	if ((rc = job_poll(j, 1, t < 0 ? -1 : t)) < 0)
		return NULL;
	if (rc == 0) {
		PyErr_Format(PyExc_TimeoutError, "objref.dump: the dump process %d is still writing %U",
			j->job.pid, j->path);
		return NULL;
	}
	return job_outcome(j);
}

static PyObject *job_done(PyObject *self, PyObject *unused)
{
	int rc = job_poll((job_object *)self, 0, 0);

	(void)unused;
	return rc < 0 ? NULL : PyBool_FromLong(rc);
}

static PyObject *job_get_pid(PyObject *self, void *closure)
{
	(void)closure;
	job_object *j = (job_object *)self;
	return PyLong_FromLong((long)j->pid_shown);
}

static PyObject *job_get_path(PyObject *self, void *closure)
{
	(void)closure;
	return Py_NewRef(((job_object *)self)->path);
}

static PyObject *job_repr(PyObject *self)
{
	job_object *j = (job_object *)self;
	return PyUnicode_FromFormat("<objref.DumpJob pid=%d path=%R %s>", j->pid_shown, j->path,
		!j->finished ? "running" : j->result ? "done" : "failed");
}

static void job_dealloc(PyObject *self)
{
	job_object *j = (job_object *)self;
	PyTypeObject *tp = Py_TYPE(self);

	Py_XDECREF(j->path);
	Py_XDECREF(j->result);
	Py_XDECREF(j->error);
	Py_XDECREF(j->dump_error);
	PyObject_Free(self);
	Py_DECREF(tp);
}

static PyMethodDef job_methods[] = {
	{ "wait", FN(job_wait), KW,
	  "wait(timeout=None)\n--\n\nWait for the dump to be written; its stats dict, or the\n"
	  "exception that ended it.  TimeoutError if still running after timeout s." },
	{ "done", job_done, METH_NOARGS, "done()\n--\n\nTrue once the dump process has finished." },
	{ NULL, NULL, 0, NULL }
};

static PyGetSetDef job_getset[] = {
	{ "pid", job_get_pid, NULL, "the dump process", NULL },
	{ "path", job_get_path, NULL, "the file being written", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static PyType_Slot job_slots[] = {
	{ Py_tp_dealloc, job_dealloc },
	{ Py_tp_repr, job_repr },
	{ Py_tp_methods, job_methods },
	{ Py_tp_getset, job_getset },
	{ Py_tp_doc, "A heap dump being written by a forked process (objref.dump(fork=True))." },
	{ 0, NULL }
};

static PyType_Spec job_spec = {
	"objref.DumpJob", sizeof(job_object), 0, Py_TPFLAGS_DEFAULT, job_slots
};

/* ---- dump ------------------------------------------------------------- */

static PyObject *start_job(PyObject *module, PyObject *path, const char *path_c,
	objref_dump_info *info, int compress)
{
	PyObject *type = PyObject_GetAttrString(module, "DumpJob");
	PyObject *err_type = PyObject_GetAttrString(module, "DumpError");
	objref_capture_dump_stats st;
	job_object *j = NULL;

	if (!type || !err_type || !(j = PyObject_New(job_object, (PyTypeObject *)type)))
		goto cleanup;
	memset(&j->job, 0, sizeof(j->job));
	j->finished = 0;
	j->path = Py_NewRef(path);
	j->sequence = info->sequence;
	j->compress = compress;
	j->result = j->error = NULL;
	j->dump_error = Py_NewRef(err_type);
	j->t_start = objref_py_now();
	if (objref_capture_dump_fork(&j->job, &st, path_c, info, compress) < 0) {
		PyObject *tmp = PyUnicode_FromFormat("%U.tmp", path);
		raise_error(err_type, st.status, st.sys_errno, st.message, tmp);
		Py_XDECREF(tmp);
		j->finished = 1;
		Py_CLEAR(j);
		goto cleanup;
	}
	j->pid_shown = j->job.pid;
	running_job = Py_NewRef((PyObject *)j);
cleanup:
	Py_XDECREF(type);
	Py_XDECREF(err_type);
	return (PyObject *)j;
}

/* Refuse a dump while a forked one runs (reaping a finished one). */
static int check_not_running(void)
{
	job_object *j = (job_object *)running_job;
	int rc;

	if (!j)
		return 0;
	Py_INCREF(j);
	rc = job_poll(j, 0, 0);
	if (rc == 0)
		PyErr_Format(PyExc_RuntimeError, "objref.dump: a dump is already being written "
			"(pid %d, to %U): wait for it with job.wait() first", j->pid_shown, j->path);
	Py_DECREF(j);
	return rc == 1 ? 0 : -1;
}

static PyObject *py_dump(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "fork", "compress", NULL };
	PyObject *path_obj, *bytes = NULL, *path = NULL, *err_type = NULL, *tmp = NULL, *ret = NULL;
	objref_capture_dump_stats st;
	objref_dump_info info;
	int fork_ = 0, compress = 0;
	double t0 = objref_py_now();

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pp:dump", kwlist, &path_obj, &fork_, &compress))
		return NULL;
	if (check_not_running() < 0 || !PyUnicode_FSConverter(path_obj, &bytes) ||
	    !(path = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(bytes))))
		goto cleanup;
	objref_capture_dump_info(&info);
	info.sequence = ++dump_seq;
	if (fork_) {
		ret = start_job(module, path, PyBytes_AS_STRING(bytes), &info, compress);
		goto cleanup;
	}
	if (objref_capture_dump(&st, PyBytes_AS_STRING(bytes), &info, compress) < 0) {
		if ((err_type = PyObject_GetAttrString(module, "DumpError")) &&
		    (tmp = PyUnicode_FromFormat("%U.tmp", path)))
			raise_error(err_type, st.status, st.sys_errno, st.message, tmp);
		goto cleanup;
	}
	ret = stats_dict(&st, path, info.sequence, 0, compress, getpid(), objref_py_now() - t0);
cleanup:
	Py_XDECREF(bytes);
	Py_XDECREF(path);
	Py_XDECREF(err_type);
	Py_XDECREF(tmp);
	return ret;
}

/* objref-chain's forked dump not waited for yet (objref_py_dump_file). */
static objref_capture_dump_job cli_job;
static int cli_job_running;

/* Wait for objref-chain's pending dump, the GIL released: 0, or -1 with an
 * exception naming its file. */
static int cli_job_wait(void)
{
	objref_capture_dump_stats st;

	if (!cli_job_running)
		return 0;
	Py_BEGIN_ALLOW_THREADS
	objref_capture_dump_reap(&st, &cli_job, 1);
	Py_END_ALLOW_THREADS
	cli_job_running = 0;
	if (st.status >= 0)
		return 0;
	PyErr_Format(st.sys_errno ? PyExc_OSError : PyExc_RuntimeError, "%s", st.message);
	return -1;
}

int objref_py_dump_file(const char *path, int fork_, int wait)
{
	objref_capture_dump_stats st;
	objref_dump_info info;

	if (cli_job_wait() < 0)
		return -1;
	if (!path)
		return 0;
	if (check_not_running() < 0)
		return -1;
	objref_capture_dump_info(&info);
	info.sequence = ++dump_seq;
	if (!fork_) {
		if (objref_capture_dump(&st, path, &info, 0) < 0)
			goto fail;
		return 0;
	}
	if (objref_capture_dump_fork(&cli_job, &st, path, &info, 0) < 0)
		goto fail;
	cli_job_running = 1;
	return wait ? cli_job_wait() : 0;
fail:
	PyErr_Format(st.sys_errno ? PyExc_OSError : PyExc_RuntimeError, "%s", st.message);
	return -1;
}

/* ---- load ------------------------------------------------------------- */

static PyObject *info_dict(const objref_dump_info *i)
{
	return Py_BuildValue("{sIsssssssIsIsKsKsKsKsKsIsisK}",
		"format_version", i->format_version, "objref_version", i->objref_version,
		"python_version", i->python_version, "python_build", i->python_build,
		"python_hexversion", i->python_hexversion, "pid", i->pid,
		"process_start", (unsigned long long)i->process_start,
		"boot_id", (unsigned long long)i->boot_id, "sequence", (unsigned long long)i->sequence,
		"time_ns", (unsigned long long)i->time_ns, "walk_ns", (unsigned long long)i->walk_ns,
		"capture_flags", i->capture_flags, "compressed", (int)i->compressed,
		"file_size", (unsigned long long)i->file_size);
}

/* Load path with flags; NULL with the exception set. */
static objref_snapshot *load_path(PyObject *module, PyObject *path_obj, unsigned flags,
	objref_dump_info *info)
{
	objref_snapshot *snap = NULL;
	PyObject *bytes = NULL, *err_type;
	int err;

	if (!PyUnicode_FSConverter(path_obj, &bytes))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	err = objref_dump_load(&snap, info, PyBytes_AS_STRING(bytes), flags);
	Py_END_ALLOW_THREADS
	if (err < 0 && (err_type = PyObject_GetAttrString(module, "DumpError"))) {
		raise_error(err_type, err, 0, objref_error_last(), NULL);
		Py_DECREF(err_type);
	}
	Py_DECREF(bytes);
	return snap;
}

static PyObject *py_load(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "verify", NULL };
	PyObject *path;
	objref_snapshot *snap;
	int verify = 1;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p:load", kwlist, &path, &verify))
		return NULL;
	if (!(snap = load_path(module, path, verify ? 0 : OBJREF_DUMP_NO_CHECKSUMS, NULL)))
		return NULL;
	return objref_py_snapshot_wrap(objref_py_state(module)->snapshot_type, snap);
}

static PyObject *py_dump_info(PyObject *module, PyObject *path)
{
	objref_dump_info info;
	objref_snapshot *snap = load_path(module, path, 0, &info);

	if (!snap)
		return NULL;
	objref_snapshot_free(snap);
	return info_dict(&info);
}

static PyObject *py_write_heapsnapshot(PyObject *module, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "snapshot", "out", NULL };
	PyObject *src, *out, *bytes = NULL, *err_type;
	objref_snapshot *snap, *loaded = NULL;
	int err;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:write_heapsnapshot", kwlist, &src, &out))
		return NULL;
	if (!(snap = objref_py_snapshot_get(module, src)) &&
	    !(snap = loaded = load_path(module, src, 0, NULL)))
		return NULL;
	if (!PyUnicode_FSConverter(out, &bytes)) {
		objref_snapshot_free(loaded);
		return NULL;
	}
	/* A Snapshot is immutable and owned by src, which the arguments keep
	 * alive: the GIL can go while the JSON is written. */
	Py_BEGIN_ALLOW_THREADS
	err = objref_heapsnapshot_write_file(snap, PyBytes_AS_STRING(bytes));
	Py_END_ALLOW_THREADS
	Py_DECREF(bytes);
	objref_snapshot_free(loaded);
	if (err < 0) {
		if ((err_type = PyObject_GetAttrString(module, "DumpError"))) {
			raise_error(err_type, err, 0, objref_error_last(), NULL);
			Py_DECREF(err_type);
		}
		return NULL;
	}
	Py_RETURN_NONE;
}

static PyObject *py_heapsnapshot_id(PyObject *module, PyObject *args)
{
	PyObject *src;
	unsigned long long addr;
	objref_snapshot *snap;
	objref_id id;

	if (!PyArg_ParseTuple(args, "OK:heapsnapshot_id", &src, &addr))
		return NULL;
	if (!(snap = objref_py_snapshot_get(module, src)))
		return PyErr_Format(PyExc_TypeError, "heapsnapshot_id: expected an objref.Snapshot");
	if ((id = objref_snapshot_find(snap, addr)) == OBJREF_NO_ID)
		return PyErr_Format(PyExc_LookupError, "no object at 0x%llx in the snapshot", addr);
	return PyLong_FromUnsignedLong(objref_heapsnapshot_id(snap, id));
}

static PyObject *py_new_objects(PyObject *module, PyObject *args)
{
	PyObject *now_obj, *before_obj, *list = NULL, *err_type;
	objref_snapshot *now, *before;
	uint8_t *is_new = NULL;
	size_t nnew;
	int err;

	if (!PyArg_ParseTuple(args, "OO:new_objects", &now_obj, &before_obj))
		return NULL;
	if (!(now = objref_py_snapshot_get(module, now_obj)) ||
	    !(before = objref_py_snapshot_get(module, before_obj)))
		return PyErr_Format(PyExc_TypeError, "new_objects: expected two objref.Snapshot objects");
	if ((err = objref_dump_new_since(&is_new, &nnew, now, before)) < 0) {
		if ((err_type = PyObject_GetAttrString(module, "DumpError"))) {
			raise_error(err_type, err, 0, objref_error_last(), NULL);
			Py_DECREF(err_type);
		}
		return NULL;
	}
	if ((list = PyList_New((Py_ssize_t)nnew))) {
		Py_ssize_t k = 0;
		for (objref_id i = 0; i < objref_snapshot_nobjects(now) && list; i++) {
			PyObject *addr;
			if (!is_new[i])
				continue;
			if (!(addr = PyLong_FromUnsignedLongLong(objref_snapshot_object(now, i)->addr)))
				Py_CLEAR(list);
			else
				PyList_SET_ITEM(list, k++, addr);
		}
	}
	objref_free(is_new);
	return list;
}

static PyMethodDef dump_methods[] = {
	{ "new_objects", py_new_objects, METH_VARARGS,
	  "new_objects(now, before)\n--\n\n"
	  "The id() values of the objects of Snapshot `now` that are new since `before`:\n"
	  "no object of `before` had the same address and type (docs/dump-format.md,\n"
	  "'Identities across dumps').  Loaded dumps of two processes, or given out of\n"
	  "order, raise DumpError." },
	{ "write_heapsnapshot", FN(py_write_heapsnapshot), KW,
	  "write_heapsnapshot(snapshot, out)\n--\n\n"
	  "Write a Snapshot, or the dump file at a path, as Chrome's .heapsnapshot JSON\n"
	  "(DevTools' Memory panel, memlab) into out." },
	{ "_heapsnapshot_id", py_heapsnapshot_id, METH_VARARGS,
	  "_heapsnapshot_id(snapshot, addr)\n--\n\nThe .heapsnapshot id the object at addr would get\n"
	  "(before the writer makes ids unique)." },
	{ "dump", FN(py_dump), KW,
	  "dump(path, fork=False, compress=False)\n--\n\n"
	  "Write a full snapshot of the heap to path (through path.tmp, renamed when\n"
	  "complete).  fork=False: in this process, returns a stats dict.  fork=True:\n"
	  "a forked child walks and writes while this process goes on; returns a\n"
	  "DumpJob (.pid, .wait(timeout=None) -> stats, .done()).  One forked dump\n"
	  "at a time.  compress: gzip the file (load() reads both)." },
	{ "load", FN(py_load), KW,
	  "load(path, verify=True)\n--\n\n"
	  "A Snapshot from a dump file (mapped, used in place).  verify=False skips\n"
	  "the section checksums (ids are still bounds-checked).  Raises\n"
	  "objref.DumpError naming the file and the problem for a bad file." },
	{ "dump_info", py_dump_info, METH_O,
	  "dump_info(path)\n--\n\nThe header of a dump file as a dict (versions, pid, sequence, time)." },
	{ NULL, NULL, 0, NULL }
};

int objref_py_dump_init(PyObject *module)
{
	PyObject *name = PyModule_GetNameObject(module), *type, *err;
	int rc = name ? 0 : -1;

	for (PyMethodDef *d = dump_methods; d->ml_name && rc == 0; d++) {
		PyObject *f = PyCFunction_NewEx(d, module, name);
		if (!f || PyModule_AddObject(module, d->ml_name, f) < 0) {
			Py_XDECREF(f);
			rc = -1;
		}
	}
	Py_XDECREF(name);
	if (rc < 0 || !(type = PyType_FromSpec(&job_spec)))
		return -1;
	if (PyModule_AddObject(module, "DumpJob", type) < 0) {
		Py_DECREF(type);
		return -1;
	}
	err = PyErr_NewExceptionWithDoc("objref.DumpError",
		"A dump could not be written or read: the message names the file and the problem.",
		NULL, NULL);
	if (!err || PyModule_AddObject(module, "DumpError", err) < 0) {
		Py_XDECREF(err);
		return -1;
	}
	return 0;
}

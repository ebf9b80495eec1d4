/*
 * cli/observe.c — the observation of one program run (see observe.h).
 *
 * Checkpoints go through objref.checkpoint(), the same function programs
 * call, so every census lands in the module's one series (and in its --log).
 * The report reads that series directly through the objref._series capsule.
 * All state here is touched with the GIL held only.
 */
#include <Python.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "objref/growth.h"
#include "every.h"
#include "follow.h"
#include "interp.h"
#include "observe.h"
#include "pycompat.h"
#include "chains.h"
#include "cycles.h"
#include "json_report.h"
#include "pictures.h"
#include "report.h"
#include "timer.h"

static struct {
	const chain_options *opts;
	PyObject *checkpoint;   /* objref.checkpoint */
	objref_series *series;  /* owned by the objref module */
	double t_start, t_end;  /* chain_clock(); t_end 0 until the end */
	int failed;             /* a checkpoint failed: the run exits 3 */
	double last_capture;    /* seconds the last checkpoint took */
	PyObject *chains;       /* objref.chains() at the first report, or None */
	objref_buf chains_why;  /* why there are none, for stderr */
	int type_error;         /* --type named no live type: the run exits 2 */
	PyObject *cycles;       /* --cycles: objref._cycles() at the first report, or None */
	pid_t pid;              /* the observed process: a forked child is not observed */
	const char *interrupted; /* "SIGINT"/"SIGTERM": how the program was stopped, or NULL */
	int output_failed;      /* a picture asked for with -o was not written: exit 4 */
	int forked;             /* --follow-fork: this is a child that adopted the observation */
} S;

/* "objref-chain: WHAT failed: <the exception>"; the exception is cleared. */
static void report_python_failure(const char *what)
{
	chain_pyerr e;
	PyObject *text;
	const char *msg = NULL;

	chain_pyerr_fetch(&e);
	text = chain_pyerr_value(&e) ? PyObject_Str(chain_pyerr_value(&e)) : NULL;
	if (text)
		msg = PyUnicode_AsUTF8(text);
	PyErr_Clear();
	fprintf(stderr, "objref-chain: %s failed: %s%s%s\n", what,
		chain_pyerr_value(&e) ? Py_TYPE(chain_pyerr_value(&e))->tp_name : "error",
		msg && *msg ? ": " : "", msg ? msg : "");
	Py_XDECREF(text);
	chain_pyerr_clear(&e);
}

/* objref._configure(log=ABSOLUTE_PATH): the program may chdir. */
static int configure_log(PyObject *objref, const char *path)
{
	char *abs = realpath(path, NULL);
	PyObject *fn = NULL, *args = NULL, *kw = NULL, *r = NULL;

	fn = PyObject_GetAttrString(objref, "_configure");
	args = fn ? PyTuple_New(0) : NULL;
	kw = args ? Py_BuildValue("{s:s}", "log", abs ? abs : path) : NULL;
	r = kw ? PyObject_Call(fn, args, kw) : NULL;
	free(abs);
	Py_XDECREF(fn);
	Py_XDECREF(args);
	Py_XDECREF(kw);
	if (!r)
		return -1;
	Py_DECREF(r);
	return 0;
}

int chain_observe_start(const chain_options *o, const char *main_name)
{
	PyObject *objref = PyImport_ImportModule("objref");

	S.opts = o;
	S.pid = getpid();
	if (!objref) {
		report_python_failure("import of the built-in objref module");
		return -1;
	}
	S.checkpoint = PyObject_GetAttrString(objref, "checkpoint");
	S.series = S.checkpoint ? PyCapsule_Import("objref._series", 0) : NULL;
	if (S.series && o->log_path && configure_log(objref, o->log_path) < 0) {
		Py_DECREF(objref);
		report_python_failure("--log");
		return -1;
	}
	Py_DECREF(objref);
	if (!S.series) {
		report_python_failure("setting up objref");
		return -1;
	}
	if (o->has_every && chain_every_start(&o->every, main_name) < 0) {
		report_python_failure("--every");
		return -1;
	}
	return 0;
}

int chain_observe_script_started(void)
{
	S.t_start = chain_clock();
	if (!S.opts->interval && !S.opts->duration)
		return 0;
	return chain_timer_start(S.opts->interval, S.opts->duration, S.opts->display);
}

int chain_observe_script_ended(void)
{
	int stopped;

	chain_every_stop();
	if (!S.forked)  /* a forked child has no timer thread */
		chain_timer_finish();
	stopped = !S.forked && chain_timer_stopped();
	chain_observe_mark_end();
	if (!stopped)
		chain_observe_checkpoint("end");
	return stopped;
}

int chain_observe_checkpoint(const char *label)
{
	chain_pyerr saved;
	PyObject *r;

	if (S.failed || !S.checkpoint)
		return -1;
	if (chain_observe_in_child())
		return 0; /* --every in a forked child: not observed */
	chain_pyerr_fetch(&saved);
	S.last_capture = chain_clock();
	r = PyObject_CallFunction(S.checkpoint, "s", label);
	S.last_capture = chain_clock() - S.last_capture;
	if (r) {
		Py_DECREF(r);
	} else {
		char what[128];
		snprintf(what, sizeof(what), "checkpoint '%s' (heap capture)", label);
		report_python_failure(what);
		S.failed = 1;
	}
	chain_pyerr_restore(&saved);
	return r ? 0 : -1;
}

/* --follow-fork: this child observes itself from now on, under its own
 * names (follow.h); a --log of its own, started empty.  0 or -1. */
static int adopt_child(void)
{
	static chain_options child;
	pid_t pid = getpid();
	chain_pyerr saved;
	PyObject *objref;
	FILE *f;
	int err = 0;

	if (chain_follow_options(&child, S.opts, pid) < 0) {
		fprintf(stderr, "objref-chain: pid %ld: names too long for --follow-fork\n", (long)pid);
		return -1;
	}
	S.opts = &child;
	S.pid = pid;
	S.forked = 1;
	if (!child.log_path)
		return 0;
	if ((f = fopen(child.log_path, "w")))
		fclose(f);
	chain_pyerr_fetch(&saved);
	objref = PyImport_ImportModule("objref");
	if (!objref || configure_log(objref, child.log_path) < 0) {
		report_python_failure("--log of a forked child");
		err = -1;
	}
	Py_XDECREF(objref);
	chain_pyerr_restore(&saved);
	return err;
}

int chain_observe_in_child(void)
{
	if (!S.pid || getpid() == S.pid)
		return 0;
	if (!S.opts->follow_fork)
		return 1;
	return adopt_child() < 0;
}

int chain_observe_forked(void)
{
	return S.forked;
}

void chain_observe_interrupted(const char *how)
{
	S.interrupted = how;
}

void chain_observe_mark_end(void)
{
	if (!S.t_end)
		S.t_end = chain_clock();
}

/* The chains, searched once: at the first report, while the program's
 * objects are alive (at its end, or at the --duration deadline). */
static void find_chains(void)
{
	chain_pyerr saved;

	if (S.chains)
		return;
	if (S.opts->cycles && !S.opts->type) {  /* --cycles alone: no chains */
		S.chains = Py_NewRef(Py_None);
		return;
	}
	/* A heap big enough for a census to take a second takes longer to
	 * snapshot: say what is going on, on a terminal only. */
	if (S.last_capture > 1.0 && isatty(STDERR_FILENO)) {
		fprintf(stderr, "objref-chain: taking a snapshot of the heap for the chains "
			"(the last census took %.1f s)...\n", S.last_capture);
		fflush(stderr);
	}
	chain_pyerr_fetch(&saved);
	S.chains = chain_chains_get(&S.chains_why, &S.type_error, S.opts, S.series);
	if (!S.chains) {
		report_python_failure("the chains search");
		S.failed = 1;
		S.chains = Py_NewRef(Py_None);
	}
	chain_pyerr_restore(&saved);
}

/* The garbage cycles (--cycles), searched once at the first report. */
static void find_cycles(void)
{
	chain_pyerr saved;

	if (S.cycles || !S.opts->cycles)
		return;
	chain_pyerr_fetch(&saved);
	if (!(S.cycles = chain_cycles_get(1, !S.opts->no_picture))) {
		report_python_failure("the cycles search");
		S.failed = 1;
		S.cycles = Py_NewRef(Py_None);
	}
	chain_pyerr_restore(&saved);
}

int chain_observe_render(objref_buf *b)
{
	chain_report r = {
		.display = S.opts->display,
		.seconds = (S.t_end ? S.t_end : chain_clock()) - S.t_start,
		.series = S.series,
		.top = S.opts->top,
		.growth = S.opts->growth,
	};
	int err;

	find_cycles();
	find_chains();
	if (S.cycles && S.cycles != Py_None)
		r.cycles = S.cycles;
	if (S.opts->json)
		return chain_report_json(b, &r, S.chains);
	err = chain_report_format(b, &r);
	if (!err && S.chains != Py_None)
		err = chain_chains_text(b, S.chains);
	if (!err && r.cycles)
		err = chain_cycles_text(b, S.cycles);
	return err;
}

/* The picture of the top garbage cycles, drawn from the analysis the
 * report used: -o FILE when no chains are drawn, else objref-cycles.png;
 * only when there is garbage to show. */
static void write_cycles_picture(void)
{
	PyObject *pic = PyTuple_GET_ITEM(S.cycles, 3);
	const char *path = S.opts->output && !S.opts->type ? S.opts->output : "objref-cycles.png";
	char per_pid[4096];
	const char *dot = PyTuple_Check(pic) ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(pic, 0)) : NULL;
	Py_ssize_t drawn = PyTuple_Check(pic) ? PyLong_AsSsize_t(PyTuple_GET_ITEM(pic, 1)) : 0;
	objref_buf msg = { 0 };
	char note[64];
	chain_pyerr saved;

	if (!dot) {
		PyErr_Clear();
		return;
	}
	if (S.forked && path != S.opts->output &&
	    chain_follow_name(per_pid, sizeof(per_pid), path, S.pid) == 0)
		path = per_pid;
	snprintf(note, sizeof(note), "garbage cycles, %zd shape%s", drawn, drawn == 1 ? "" : "s");
	chain_pyerr_fetch(&saved);
	if (chain_picture_write(&msg, path, dot, note) < 0 && path == S.opts->output)
		S.output_failed = 1;
	chain_pyerr_restore(&saved);
	if (msg.len)
		fputs(msg.data, S.opts->json ? stderr : stdout);
	fflush(S.opts->json ? stderr : stdout);
	objref_buf_dispose(&msg);
}

/* The options the chains picture is written with: a forked child without
 * -o gets objref-TYPE.PID.png (TYPE as pictures.c keeps it safe). */
static const chain_options *child_picture_options(void)
{
	static chain_options o;
	static char name[4096];
	PyObject *t = S.forked && !S.opts->output && PyDict_Check(S.chains) ?
		PyDict_GetItemString(S.chains, "type") : NULL;
	const char *type = t ? PyUnicode_AsUTF8(t) : NULL;
	size_t n;

	if (!type) {
		PyErr_Clear();
		return S.opts;
	}
	n = (size_t)snprintf(name, sizeof(name), "objref-%s", type);
	for (size_t i = 7; i < n && i < sizeof(name); i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", name[i]))
			name[i] = '_';
	if (n + 32 >= sizeof(name))
		return S.opts;
	snprintf(name + n, sizeof(name) - n, ".%ld.png", (long)S.pid);
	o = *S.opts;
	o.output = name;
	return &o;
}

/* The picture of the chains, after the text: the lines saying what was
 * written go with the report (stderr with --json: stdout is JSON). */
static void write_pictures(void)
{
	objref_buf msg = { 0 };
	chain_pyerr saved;

	if (!S.opts->no_picture && S.cycles && S.cycles != Py_None)
		write_cycles_picture();
	if (S.opts->no_picture || !S.chains || S.chains == Py_None)
		return;
	chain_pyerr_fetch(&saved);
	if (chain_pictures_write(&msg, child_picture_options(), S.chains) < 0 && S.opts->output)
		S.output_failed = 1;
	chain_pyerr_restore(&saved);
	if (msg.len)
		fputs(msg.data, S.opts->json ? stderr : stdout);
	fflush(S.opts->json ? stderr : stdout);
	objref_buf_dispose(&msg);
}

/* sys.stdout.flush(), as Python does before it exits. */
static void flush_python_file(const char *name)
{
	PyObject *f = PySys_GetObject(name); /* borrowed */
	PyObject *r;

	if (!f || f == Py_None)
		return;
	r = PyObject_CallMethod(f, "flush", NULL);
	if (r)
		Py_DECREF(r);
	else
		PyErr_Clear();
}

void chain_flush_python_std(void)
{
	flush_python_file("stderr");
	flush_python_file("stdout");
}

/* With --python or an active virtualenv: which interpreter the program ran
 * as, and its sys.prefix (the virtualenv's), read without running code. */
static void interpreter_line(FILE *out)
{
	PyObject *prefix = PySys_GetObject("prefix"); /* borrowed */
	const char *p = prefix && PyUnicode_Check(prefix) ? PyUnicode_AsUTF8(prefix) : NULL;

	if (!chain_interp_executable())
		return;
	if (!p)
		PyErr_Clear();
	fprintf(out, "ran as %s (Python %s), sys.prefix %s\n", chain_interp_executable(),
		PY_VERSION, p ? p : "?");
}

void chain_observe_report(void)
{
	objref_buf b = { 0 };

	chain_flush_python_std();
	if (!S.series)
		return;
	find_chains();
	if (S.chains_why.len && S.interrupted && !S.opts->type) {
		/* The type picked grew only by the interruption's own traceback
		 * (frame, KeyboardInterrupt): there is nothing to chain. */
		fprintf(stderr, "objref-chain: %s was stopped (%s) before any type grew; let it "
			"run longer (more checkpoints: --interval SEC, --every MODULE:FUNC=N), or "
			"name the type to chain with --type T\n", S.opts->display, S.interrupted);
	} else if (S.chains_why.len) {
		fputs(S.chains_why.data, stderr);
	}
	if (chain_observe_render(&b) < 0 || objref_buf_failed(&b))
		fprintf(stderr, "objref-chain: out of memory while writing the report\n");
	else
		fputs(b.data ? b.data : "", stdout);
	interpreter_line(S.opts->json ? stderr : stdout);
	fflush(stdout);
	objref_buf_dispose(&b);
	write_pictures();
}

int chain_observe_failed(void)
{
	return S.failed;
}

int chain_observe_output_failed(void)
{
	return S.output_failed;
}

int chain_observe_type_error(void)
{
	return S.type_error;
}

void chain_observe_dispose(void)
{
	Py_CLEAR(S.checkpoint);
	Py_CLEAR(S.chains);
	Py_CLEAR(S.cycles);
	objref_buf_dispose(&S.chains_why);
	S.series = NULL;
}

/*
 * cli/observe.c — the observation of one program run (see observe.h).
 *
 * Checkpoints go through the module's C API (python/capi.h), the same
 * engine objref.checkpoint() calls, so every census lands in the module's
 * one series (and in its --log); the report reads that series and builds
 * the chains report in C.  All state here is touched with the GIL held only.
 */
#include <Python.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "objref/growth.h"
#include "objref/unexplained.h"
#include "dumps.h"
#include "every.h"
#include "follow.h"
#include "interp.h"
#include "observe.h"
#include "pycompat.h"
#include "chains.h"
#include "html.h"
#include "json_report.h"
#include "pictures.h"
#include "report.h"
#include "timer.h"

/* How many shapes of garbage cycles the report shows. */
#define CHAIN_CYCLES_SHOWN 10

static struct {
	const chain_options *opts;
	const objref_CAPI *api; /* the objref module's C API */
	objref_series *series;  /* owned by the objref module */
	double t_start, t_end;  /* chain_clock(); t_end 0 until the end */
	int failed;             /* a checkpoint failed: the run exits 3 */
	double last_capture;    /* seconds the last checkpoint took */
	int chains_done;        /* the chains were looked for (at the first report) */
	objref_chains_report *chains; /* what they found, or NULL */
	objref_buf chains_why;  /* why there are none, for stderr */
	int type_error;         /* --type named no live type: the run exits 2 */
	int cycles_done;        /* --cycles: looked for (at the first report) */
	objref_cycles_report *cycles; /* what was found, or NULL */
	pid_t pid;              /* the observed process: a forked child is not observed */
	const char *interrupted; /* "SIGINT"/"SIGTERM": how the program was stopped, or NULL */
	int output_failed;      /* a picture asked for with -o was not written: exit 4 */
	int forked;             /* --follow-fork: this is a child that adopted the observation */
	int census_here;        /* a forked census was not possible: said once, then in process */
	objref_growth_watch watch; /* when to keep the growing type's chains */
	size_t watched;         /* checkpoints in the series when the watch last looked */
	objref_chains_report *kept; /* the growing type's chains taken at a checkpoint, or NULL */
	int sites_done;         /* the allocation sites of the report were measured */
	int sites_failed;       /* reading them failed: not tried again */
	size_t sites_at;        /* the checkpoint sites_before was taken at (0-based) */
	objref_census *sites_before; /* traced blocks by site at the first checkpoint, or NULL */
	objref_census *sites_now, *sites_reached; /* ... at the report, and reached objects */
	objref_alloc_sites sites; /* the three, for the report; .now NULL: none */
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

/* --log, as an absolute path: the program may chdir. */
static int configure_log(const char *path)
{
	char *abs = realpath(path, NULL);
	int rc = S.api->set_log(S.api->state, abs ? abs : path);

	free(abs);
	return rc;
}

/* After every checkpoint taken, the program's objref.checkpoint() too:
 * --dump-every counts them all (in the observed process only). */
static void on_module_checkpoint(void *arg)
{
	(void)arg;
	if (!S.api || S.failed || S.forked || !S.pid || getpid() != S.pid)
		return;
	if (chain_dumps_checkpoint(S.api) < 0)
		S.failed = 1;
}

static void on_every(void *arg, const char *label)
{
	(void)arg;
	chain_observe_checkpoint(label);
}

static void on_tick(void *arg)
{
	(void)arg;
	chain_observe_checkpoint("interval");
}

static void on_stop(void *arg, objref_buf *report)
{
	(void)arg;
	chain_observe_checkpoint("duration");
	chain_observe_mark_end();
	chain_observe_render(report);
}

static int on_failed(void *arg)
{
	(void)arg;
	return chain_observe_failed();
}

int chain_observe_start(const chain_options *o, const char *main_name)
{
	S.opts = o;
	S.pid = getpid();
	if (!(S.api = OBJREF_CAPI_IMPORT())) {
		report_python_failure("import of the built-in objref module");
		return -1;
	}
	if (S.api->version != OBJREF_CAPI_VERSION) {
		fprintf(stderr, "objref-chain: the objref module's C API is version %u, not %u\n",
			S.api->version, OBJREF_CAPI_VERSION);
		S.api = NULL;
		return -1;
	}
	S.series = S.api->series;
	if (o->tracemalloc && S.api->tracemalloc_start(S.api->state, (int)o->tracemalloc) < 0) {
		report_python_failure("--tracemalloc");
		return -1;
	}
	if (o->log_path && configure_log(o->log_path) < 0) {
		report_python_failure("--log");
		return -1;
	}
	if (chain_dumps_start(o) < 0)
		return -1;
	S.api->checkpoint_hook(S.api->state, on_module_checkpoint, NULL);
	if (o->has_every && chain_every_start(&o->every, main_name, on_every, NULL) < 0) {
		report_python_failure("--every");
		return -1;
	}
	return 0;
}

static int settle_census(int block);

int chain_observe_script_started(void)
{
	chain_timer_callbacks cb = { .tick = on_tick, .stop = on_stop, .failed = on_failed, .arg = NULL };

	S.t_start = chain_clock();
	if (!S.opts->interval && !S.opts->duration)
		return 0;
	return chain_timer_start(S.opts->interval, S.opts->duration, S.opts->display, &cb);
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
	else
		settle_census(1);
	if (!S.forked && S.api && chain_dumps_end(S.api, !S.failed) < 0)
		S.failed = 1;
	return stopped;
}

/* "objref-chain: <the RuntimeError's message>" for a forked census that
 * failed; the exception is cleared. */
static void report_census_failure(void)
{
	chain_pyerr e;
	PyObject *text;

	chain_pyerr_fetch(&e);
	text = chain_pyerr_value(&e) ? PyObject_Str(chain_pyerr_value(&e)) : NULL;
	PyErr_Clear();
	fprintf(stderr, "objref-chain: %s\n",
		text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "a forked census failed");
	PyErr_Clear();
	Py_XDECREF(text);
	chain_pyerr_clear(&e);
}

/* Collect the forked census still counting (block: wait for it, the GIL
 * released).  0, or -1 after saying why it failed. */
static int settle_census(int block)
{
	chain_pyerr saved;
	int rc;

	if (!S.api)
		return 0;
	chain_pyerr_fetch(&saved);
	if ((rc = S.api->checkpoint_settle(S.api->state, block)) < 0) {
		report_census_failure();
		S.failed = 1;
	}
	chain_pyerr_restore(&saved);
	return rc;
}

/* Whether the census of this checkpoint is taken in a forked child: the
 * --interval and --every ones (the program goes on meanwhile); the end's
 * and --duration's are taken in process (the report follows at once). */
static int census_forked(const char *label)
{
	return !S.opts->census_in_process && !S.census_here && !S.forked &&
	       strcmp(label, "end") != 0 && strcmp(label, "duration") != 0;
}

/* Before a checkpoint of the run (not the last): when the watch says the
 * chains of the growing type are due (objref_growth_watch_due: at most
 * 2 log2 N of N checkpoints, pausing the program a fifth of its time at
 * most), take them now, in process, and keep them
 * instead of the ones kept before: if the growth ends before the program
 * does, the report shows them (find_chains).  Nothing of the program is
 * held after the call: the report is C data.  A failure keeps the older
 * chains and is not the run's. */
static void keep_chains(void)
{
	objref_chains_report_options ro = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_chains_report *r = NULL;
	size_t n = objref_series_len(S.series);
	const char *type;
	chain_pyerr saved;
	double t;

	if (n == S.watched || (S.opts->cycles && !S.opts->type))
		return;
	S.watched = n;
	if (objref_growth_watch_due(&type, &S.watch, S.series, S.opts->type,
			chain_clock() - S.t_start) != 1)
		return;
	t = chain_clock();
	ro.type = type;
	ro.samples = S.opts->samples;
	ro.max_depth = S.opts->max_depth;
	ro.picture = !S.opts->no_picture || S.opts->html;
	chain_pyerr_fetch(&saved);
	if (S.api->chains_report(S.api->state, &r, &ro) < 0) {
		PyErr_Clear();
		r = NULL;
	}
	chain_pyerr_restore(&saved);
	t = chain_clock() - t;
	objref_growth_watch_taken(&S.watch, t, n ? objref_census_total_count(
		objref_series_census(S.series, n - 1)) : 0);
	if (!r)
		return;
	r->taken_at = n + 1; /* the checkpoint about to be taken, numbered from 1 */
	r->taken_seconds = chain_clock() - S.t_start;
	objref_chains_report_free(S.kept);
	S.kept = r;
}

/* When tracemalloc traces: its live blocks by site, at the first
 * checkpoint of objref-chain at which it does (the baseline of the sites'
 * growth, objref/unexplained.h), numbered as the checkpoint about to be
 * added.  A failure leaves the report without sites, and says so. */
static void first_sites(void)
{
	S.sites_at = objref_series_len(S.series);
	if (S.api->alloc_sites(S.api->state, &S.sites_before, NULL) < 0) {
		report_python_failure("reading tracemalloc's traces");
		S.sites_failed = 1;
	}
}

int chain_observe_checkpoint(const char *label)
{
	chain_pyerr saved;
	char why[512];
	int rc;

	if (S.failed || !S.api)
		return -1;
	if (chain_observe_in_child())
		return 0; /* --every in a forked child: not observed */
	if (settle_census(1) < 0)
		return -1;
	if (strcmp(label, "end") != 0 && strcmp(label, "duration") != 0)
		keep_chains();
	chain_pyerr_fetch(&saved);
	if (!S.sites_before && !S.sites_failed)
		first_sites();
	S.last_capture = chain_clock();
	if (census_forked(label)) {
		rc = S.api->checkpoint_fork(S.api->state, label, why, sizeof(why));
		if (rc == 1) { /* taken in process: say so once, and stay so */
			fprintf(stderr, "objref-chain: note: checkpoints take their census in the "
				"program's process (it pauses for the heap walk): no forked census: %s\n", why);
			S.census_here = 1;
			rc = 0;
		}
	} else {
		rc = S.api->checkpoint(S.api->state, label);
	}
	S.last_capture = chain_clock() - S.last_capture;
	if (rc < 0) {
		char what[128];
		snprintf(what, sizeof(what), "checkpoint '%s' (heap capture)", label);
		report_python_failure(what);
		S.failed = 1;
	}
	chain_pyerr_restore(&saved);
	if (S.failed) /* --dump-every's dump (the checkpoint hook) may have failed */
		rc = -1;
	return rc;
}

/* --follow-fork: this child observes itself from now on, under its own
 * names (follow.h); a --log of its own, started empty.  0 or -1. */
static int adopt_child(void)
{
	static chain_options child;
	pid_t pid = getpid();
	chain_pyerr saved;
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
	if (configure_log(child.log_path) < 0) {
		report_python_failure("--log of a forked child");
		err = -1;
	}
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

/* The chains kept at a checkpoint (keep_chains) when they are the report's:
 * the type to chain (--type, else the first the report lists as grown and
 * freed: objref_series_ended_reported) grew over most of the run and was
 * freed before its end.  Else NULL. */
static objref_chains_report *kept_chains(void)
{
	objref_ended_row *ended = NULL;
	size_t nended = 0;
	objref_chains_report *r = NULL;
	const char *want, *dot;

	if (!S.kept || objref_series_ended_reported(&ended, &nended, S.series, NULL) < 0)
		return NULL;
	want = S.opts->type ? S.opts->type : nended ? ended[0].name : NULL;
	dot = want ? strrchr(want, '.') : NULL;
	for (size_t i = 0; want && i < nended && !r; i++)
		if (strcmp(S.kept->type, want) == 0 && (strcmp(ended[i].name, want) == 0 ||
		    (dot && strcmp(ended[i].name, dot + 1) == 0)))
			r = S.kept;
	objref_free(ended);
	return r;
}

/* No chains, and no chains kept for the type that grew and was freed
 * before the end: say why, on stderr. */
static void why_not_kept(void)
{
	objref_ended_row *ended = NULL;
	size_t n = 0;

	if (objref_series_ended_reported(&ended, &n, S.series, NULL) < 0 || !n) {
		objref_free(ended);
		return;
	}
	objref_buf_printf(&S.chains_why, "objref-chain: no chains for %s: its objects were freed "
		"before the end, and none were kept while it grew", ended[0].name);
	if (S.watch.deferred)
		objref_buf_printf(&S.chains_why, " (a snapshot of this heap would have paused the "
			"program more than %.0f %% of its run: let it run longer)",
			100 * OBJREF_GROWTH_WATCH_BUDGET);
	objref_buf_printf(&S.chains_why, "; name it with --type %s to follow it\n", ended[0].name);
	objref_free(ended);
}

/* The chains, searched once: at the first report, while the program's
 * objects are alive (at its end, or at the --duration deadline); or, for
 * a growth that ended before that, the ones kept while it grew. */
static void find_chains(void)
{
	chain_pyerr saved;

	if (S.chains_done)
		return;
	S.chains_done = 1;
	if (S.opts->cycles && !S.opts->type)  /* --cycles alone: no chains */
		return;
	if ((S.chains = kept_chains())) {
		S.kept = NULL;
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
	if (chain_chains_get(&S.chains, &S.chains_why, &S.type_error, S.api, S.opts, S.series) < 0) {
		report_python_failure("the chains search");
		S.failed = 1;
	}
	chain_pyerr_restore(&saved);
	if (!S.chains && !S.chains_why.len && !S.opts->type)
		why_not_kept();
}

/* The garbage cycles (--cycles), searched once at the first report. */
static void find_cycles(void)
{
	chain_pyerr saved;

	if (S.cycles_done || !S.opts->cycles)
		return;
	S.cycles_done = 1;
	chain_pyerr_fetch(&saved);
	if (S.api->cycles_report(S.api->state, &S.cycles, CHAIN_CYCLES_SHOWN,
			!S.opts->no_picture || S.opts->html) < 0) {
		report_python_failure("the cycles search");
		S.failed = 1;
	}
	chain_pyerr_restore(&saved);
}

/* The sites at the report, measured once (a walk with a tracemalloc lookup
 * per object) and only when memory no object explains grew and the
 * sites' baseline was taken; r->sites set when they were. */
static void find_sites(chain_report *r)
{
	objref_unexplained u;
	chain_pyerr saved;

	if (!S.sites_done && S.sites_before) {
		S.sites_done = 1;
		objref_series_unexplained(&u, S.series);
		chain_pyerr_fetch(&saved);
		if (u.leaking && S.api->alloc_sites(S.api->state, &S.sites_now, &S.sites_reached) < 0)
			report_python_failure("reading tracemalloc's traces");
		chain_pyerr_restore(&saved);
		S.sites = (objref_alloc_sites){ S.sites_before, S.sites_now, S.sites_reached,
			S.sites_at };
	}
	r->sites = S.sites.now ? &S.sites : NULL;
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
	find_sites(&r);
	r.cycles = S.cycles;
	if (S.opts->json)
		return chain_report_json(b, &r, S.chains);
	err = chain_report_format(b, &r);
	if (!err && S.chains)
		err = objref_chains_report_text(b, S.chains);
	if (!err && r.cycles)
		err = objref_cycles_report_text(b, S.cycles);
	return err;
}

/* The picture of the top garbage cycles, drawn from the analysis the
 * report used: -o FILE when no chains are drawn, else objref-cycles.png;
 * only when there is garbage to show. */
static void write_cycles_picture(void)
{
	const char *path = S.opts->output && !S.opts->type ? S.opts->output : "objref-cycles.png";
	const char *dot = S.cycles->summary.nshapes ? S.cycles->dot : NULL;
	size_t drawn = S.cycles->drawn;
	char per_pid[4096];
	objref_buf msg = { 0 };
	char note[64];
	chain_pyerr saved;

	if (!dot)
		return;
	if (S.forked && path != S.opts->output &&
	    chain_follow_name(per_pid, sizeof(per_pid), path, S.pid) == 0)
		path = per_pid;
	snprintf(note, sizeof(note), "garbage cycles, %zu shape%s", drawn, drawn == 1 ? "" : "s");
	chain_pyerr_fetch(&saved);
	if (chain_picture_write(&msg, S.api, path, dot, note) < 0 && path == S.opts->output)
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
	const char *type = S.forked && !S.opts->output && S.chains ? S.chains->type : NULL;
	size_t n;

	if (!type)
		return S.opts;
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

	if (!S.opts->no_picture && S.cycles)
		write_cycles_picture();
	if (S.opts->no_picture || !S.chains)
		return;
	chain_pyerr_fetch(&saved);
	if (chain_pictures_write(&msg, S.api, child_picture_options(), S.chains) < 0 && S.opts->output)
		S.output_failed = 1;
	chain_pyerr_restore(&saved);
	if (msg.len)
		fputs(msg.data, S.opts->json ? stderr : stdout);
	fflush(S.opts->json ? stderr : stdout);
	objref_buf_dispose(&msg);
}

/* --html FILE: the page of the report (a forked child's under its own
 * name); a page not written makes the run exit 4, as a picture would. */
static void write_html(void)
{
	chain_report r = {
		.display = S.opts->display,
		.seconds = (S.t_end ? S.t_end : chain_clock()) - S.t_start,
		.series = S.series,
		.top = S.opts->top,
		.growth = S.opts->growth,
	};
	chain_html_parts p = { .display = S.opts->display, .series = S.series, .chains = S.chains,
		.cycles = S.cycles };
	const char *path = S.opts->html;
	char per_pid[4096];
	objref_buf summary = { 0 };
	chain_pyerr saved;
	FILE *msg = S.opts->json ? stderr : stdout;

	if (S.forked && chain_follow_name(per_pid, sizeof(per_pid), path, S.pid) == 0)
		path = per_pid;
	find_sites(&r);
	if (chain_report_format(&summary, &r) == 0 && !objref_buf_failed(&summary))
		p.summary = summary.data;
	chain_pyerr_fetch(&saved);
	if (chain_html_write(msg, path, S.api, &p) < 0)
		S.output_failed = 1;
	chain_pyerr_restore(&saved);
	fflush(msg);
	objref_buf_dispose(&summary);
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

	if (!chain_interp_named())
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
	if (S.opts->html)
		write_html();
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
	objref_chains_report_free(S.chains);
	S.chains = NULL;
	S.chains_done = 0;
	S.api = NULL;
	objref_cycles_report_free(S.cycles);
	S.cycles = NULL;
	S.cycles_done = 0;
	objref_buf_dispose(&S.chains_why);
	objref_chains_report_free(S.kept);
	S.kept = NULL;
	objref_growth_watch_dispose(&S.watch);
	S.watched = 0;
	objref_census_free(S.sites_before);
	objref_census_free(S.sites_now);
	objref_census_free(S.sites_reached);
	S.sites_before = S.sites_now = S.sites_reached = NULL;
	S.sites = (objref_alloc_sites){ NULL, NULL, NULL, 0 };
	S.sites_done = S.sites_failed = 0;
	S.sites_at = 0;
	S.series = NULL;
}

/*
 * cli/from.c — objref-chain --from (see from.h): dumps in, the report of
 * a live run out.  Plain C over libobjref: the report is written by the
 * writers a live run uses (report.c, json_report.c, objref_chains_report_*,
 * objref_cycles_report_*, pictures.c), the samples are picked by
 * objref_chains_report_build's one policy, given as baseline the objects
 * the dump before the last already had (objref_dump_new_since).
 *
 * No Python interpreter is initialised here: a dump of any supported
 * Python is read by any build.  What only a live interpreter knows (names
 * of inline attributes, thread names, allocation sites) is not in a dump:
 * the report says ".?" and "thread ?" there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "objref/objref.h"
#include "objref/dump.h"
#include "objref/heapsnapshot.h"
#include "chains.h"
#include "from.h"
#include "html.h"
#include "json_report.h"
#include "pictures.h"
#include "report.h"

/* How many shapes of garbage cycles the report shows (as observe.c). */
#define FROM_CYCLES_SHOWN 10

/* The dumps, loaded: the series of their censuses and the last two. */
typedef struct {
	objref_series *series;
	objref_snapshot *last, *before; /* before: NULL with one dump */
	objref_dump_info first_info, last_info;
	const char *first_path, *last_path;
} from_dumps;

static void dumps_dispose(from_dumps *d)
{
	objref_series_free(d->series);
	objref_snapshot_free(d->last);
	objref_snapshot_free(d->before);
	memset(d, 0, sizeof(*d));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* Is `info` (of path) a later dump of the process of the ones before it?
 * 0, or 2 after the one-line message. */
static int check_order(const from_dumps *d, const objref_dump_info *info, const char *path)
{
	const objref_dump_info *prev = &d->last_info;
	int older;

	/* dumps written without a process (objref_dump_write of a built
	 * snapshot: pid 0) are taken as given */
	if ((d->first_info.pid || info->pid) && !objref_dump_same_process(&d->first_info, info)) {
		fprintf(stderr, "objref-chain: %s: a dump of another process (pid %u) than %s (pid %u); "
			"--from compares dumps of one process\n", path, info->pid, d->first_path,
			d->first_info.pid);
		return CHAIN_EXIT_USAGE;
	}
	older = prev->sequence && info->sequence ? info->sequence <= prev->sequence
						 : info->time_ns < prev->time_ns;
	if (older) {
		fprintf(stderr, "objref-chain: %s: taken before %s (dump %llu, not after %llu); give "
			"the dumps oldest first\n", path, d->last_path, (unsigned long long)info->sequence,
			(unsigned long long)prev->sequence);
		return CHAIN_EXIT_USAGE;
	}
	return 0;
}

/* A libobjref failure: 2 for a bad file (the message names it), 3 for
 * memory. */
static int load_failed(int err)
{
	fprintf(stderr, "objref-chain: %s\n", err == OBJREF_ENOMEM ? "out of memory reading the dumps"
		: objref_error_last());
	return err == OBJREF_ENOMEM ? CHAIN_EXIT_INTERNAL : CHAIN_EXIT_USAGE;
}

/* Load one dump into d: its census into the series, the snapshot kept as
 * the last.  0 or the exit status after a message. */
static int load_one(from_dumps *d, const char *path, size_t i)
{
	objref_snapshot *snap = NULL;
	objref_census *c = NULL;
	objref_dump_info info;
	int err;

	if ((err = objref_dump_load(&snap, &info, path, 0)) < 0)
		return load_failed(err);
	if (i == 0) {
		d->first_info = info;
		d->first_path = path;
	} else if ((err = check_order(d, &info, path)) != 0) {
		objref_snapshot_free(snap);
		return err;
	}
	if ((err = objref_census_from_snapshot(&c, snap, 0)) < 0 ||
	    (err = objref_series_add(d->series, c,
		    (double)(info.time_ns - d->first_info.time_ns) / 1e9, base_name(path))) < 0) {
		objref_snapshot_free(snap); /* the series owns c, added or not */
		return load_failed(err);
	}
	objref_snapshot_free(d->before);
	d->before = d->last;
	d->last = snap;
	d->last_info = info;
	d->last_path = path;
	return 0;
}

static int load_dumps(from_dumps *d, const char *const *paths, size_t n)
{
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = objref_series_new(&d->series)) < 0)
		return load_failed(rc);
	for (size_t i = 0; i < n; i++)
		if ((rc = load_one(d, paths[i], i)) != 0)
			return rc;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The addresses of the last dump's objects that the dump before it
 * already had, sorted: the chains report's baseline, so that its samples
 * are the new objects first.  *out NULL with one dump.  0 or a negative
 * OBJREF_E* code. */
static int old_addresses(uint64_t **out, size_t *n, from_dumps *d)
{
	size_t nobj = objref_snapshot_nobjects(d->last), nnew, k = 0;
	uint8_t *is_new = NULL;
	int err;

	*out = NULL;
	*n = 0;
	if (!d->before)
		return 0;
	if ((err = objref_dump_new_since(&is_new, &nnew, d->last, d->before)) < 0)
		return err;
	if (!(*out = malloc((nobj - nnew + 1) * sizeof(uint64_t)))) {
		objref_free(is_new);
		return OBJREF_ENOMEM;
	}
	for (objref_id i = 0; i < nobj; i++)
		if (!is_new[i])
			(*out)[k++] = objref_snapshot_object(d->last, i)->addr;
	objref_free(is_new);
	qsort(*out, k, sizeof(uint64_t), cmp_u64);
	*n = k;
	return 0;
}

/* The addresses of the last dump's objects, sorted: with a dump before
 * it, the chains report's survivors (the last dump is a checkpoint after
 * the baseline), so that its samples spread over the new objects as a live
 * run's do.  *out NULL with one dump.  0 or OBJREF_ENOMEM. */
static int last_addresses(uint64_t **out, size_t *n, from_dumps *d)
{
	size_t nobj = objref_snapshot_nobjects(d->last);

	*out = NULL;
	*n = 0;
	if (!d->before)
		return 0;
	if (!(*out = malloc((nobj + 1) * sizeof(uint64_t))))
		return OBJREF_ENOMEM;
	for (objref_id i = 0; i < nobj; i++)
		(*out)[i] = objref_snapshot_object(d->last, i)->addr;
	qsort(*out, nobj, sizeof(uint64_t), cmp_u64);
	*n = nobj;
	return 0;
}

/* The chains report of --type, or of the fastest-growing type, over the
 * last dump: *out, or NULL when there is nothing to chain (then `why` may
 * say why, and *type_error is set when --type named no instance).  0 or a
 * negative OBJREF_E* code. */
static int chains_of(objref_chains_report **out, objref_buf *why, int *type_error,
	const chain_options *o, from_dumps *d)
{
	objref_chains_report_options ro = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_paths *s = NULL;
	uint64_t *base = NULL, *alive = NULL;
	chain_growing g = { NULL, NULL, 0 };
	int err;

	*out = NULL;
	*type_error = 0;
	if (o->cycles && !o->type)  /* --cycles alone: no chains, as a live run */
		return 0;
	ro.type = o->type;
	if (!ro.type && !chain_growing_get(&g, d->series)) {
		chain_growing_dispose(&g);
		return 0;
	}
	ro.candidates = g.names;
	ro.ncandidates = g.n;
	ro.samples = o->samples;
	ro.max_depth = o->max_depth;
	ro.picture = !o->no_picture || o->html; /* the page draws it */
	if ((err = old_addresses(&base, &ro.nbaseline, d)) < 0 ||
	    (err = last_addresses(&alive, &ro.nsurvivors, d)) < 0 ||
	    (err = objref_paths_new(&s, d->last, NULL)) < 0)
		goto cleanup;
	ro.baseline = base;
	ro.survivors = alive;
	err = objref_chains_report_build(out, d->last, s, &ro);
	if (err == OBJREF_ENOTFOUND) {
		chain_chains_why(why, d->series, o->type ? o->type : g.names[0], "in the last dump");
		*type_error = o->type != NULL;
		err = 0;
	}
cleanup:
	objref_paths_free(s);
	free(base);
	free(alive);
	chain_growing_dispose(&g);
	return err;
}

/* The garbage cycles of the last dump (--cycles).  0 or a negative code. */
static int cycles_of(objref_cycles_report **out, const chain_options *o, from_dumps *d)
{
	objref_cycles_report_options co = OBJREF_CYCLES_REPORT_OPTIONS_INIT;
	objref_cycles *cyc = NULL;
	int err;

	*out = NULL;
	if (!o->cycles)
		return 0;
	co.limit = FROM_CYCLES_SHOWN;
	co.picture = !o->no_picture || o->html;
	if ((err = objref_cycles_find(&cyc, d->last)) == 0)
		err = objref_cycles_report_build(out, d->last, cyc, &co);
	objref_cycles_free(cyc);
	return err;
}

/* The pictures after the text, as a live run writes them (observe.c):
 * the cycles' (-o FILE when no --type, else objref-cycles.png), then the
 * chains'.  1 when an output named by -o failed, else 0. */
static int write_pictures(const chain_options *o, const objref_chains_report *chains,
	const objref_cycles_report *cycles)
{
	FILE *out = o->json ? stderr : stdout;
	objref_buf msg = OBJREF_BUF_INIT;
	int failed = 0;

	if (!o->no_picture && cycles && cycles->dot && cycles->summary.nshapes) {
		const char *path = o->output && !o->type ? o->output : "objref-cycles.png";
		char note[64];
		snprintf(note, sizeof(note), "garbage cycles, %zu shape%s", cycles->drawn,
			cycles->drawn == 1 ? "" : "s");
		if (chain_picture_write(&msg, NULL, path, cycles->dot, note) < 0 && path == o->output)
			failed = 1;
	}
	if (!o->no_picture && chains && chains->dot &&
	    chain_pictures_write(&msg, NULL, o, chains) < 0 && o->output)
		failed = 1;
	if (msg.len)
		fputs(msg.data, out);
	fflush(out);
	objref_buf_dispose(&msg);
	return failed;
}

/* The report's text or JSON, on stdout. */
static int print_report(const chain_report *r, const chain_options *o,
	const objref_chains_report *chains)
{
	objref_buf b = OBJREF_BUF_INIT;
	int err;

	if (o->json) {
		err = chain_report_json(&b, r, chains);
	} else {
		err = chain_report_format(&b, r);
		if (!err && chains)
			err = objref_chains_report_text(&b, chains);
		if (!err && r->cycles)
			err = objref_cycles_report_text(&b, r->cycles);
	}
	if (err < 0 || objref_buf_failed(&b)) {
		fprintf(stderr, "objref-chain: out of memory while writing the report\n");
		objref_buf_dispose(&b);
		return CHAIN_EXIT_INTERNAL;
	}
	fputs(b.data ? b.data : "", stdout);
	fflush(stdout);
	objref_buf_dispose(&b);
	return 0;
}

/* --heapsnapshot OUT: the last dump for Chrome DevTools.  0 or 4. */
static int write_heapsnapshot(const chain_options *o, const from_dumps *d)
{
	FILE *out = o->json ? stderr : stdout;

	if (!o->heapsnapshot)
		return 0;
	if (objref_heapsnapshot_write_file(d->last, o->heapsnapshot) < 0) {
		fprintf(stderr, "objref-chain: --heapsnapshot: %s\n", objref_error_last());
		return CHAIN_EXIT_OUTPUT;
	}
	fprintf(out, "wrote %s (Chrome heap snapshot of %s)\n", o->heapsnapshot, d->last_path);
	fflush(out);
	return 0;
}

/* --html FILE: the page of the report, retained sizes from the last dump.
 * 0 or 4. */
static int write_html(const chain_options *o, const chain_report *r, const objref_chains_report *chains,
	const from_dumps *d, const char *note)
{
	chain_html_parts p = { .display = r->display, .series = d->series, .chains = chains,
		.cycles = r->cycles };
	objref_buf summary = OBJREF_BUF_INIT;
	int rc;

	if (!o->html)
		return 0;
	if (chain_report_format(&summary, r) == 0 && note)
		objref_buf_printf(&summary, "%s\n", note);
	if (!objref_buf_failed(&summary))
		p.summary = summary.data;
	rc = chain_html_write_dump(o->json ? stderr : stdout, o->html, d->last, &p);
	fflush(o->json ? stderr : stdout);
	objref_buf_dispose(&summary);
	return rc < 0 ? CHAIN_EXIT_OUTPUT : 0;
}

int chain_from_report(const chain_options *o, const char *const *paths, size_t n,
	const char *display, const char *note)
{
	from_dumps d;
	objref_chains_report *chains = NULL;
	objref_cycles_report *cycles = NULL;
	objref_buf why = OBJREF_BUF_INIT, name = OBJREF_BUF_INIT;
	chain_report r = { 0 };
	int type_error = 0, err, rc;

	if ((rc = load_dumps(&d, paths, n)) != 0)
		goto cleanup;
	if ((err = cycles_of(&cycles, o, &d)) < 0 || (err = chains_of(&chains, &why, &type_error, o, &d)) < 0) {
		fprintf(stderr, "objref-chain: %s\n", err == OBJREF_ENOMEM ? "out of memory" : objref_error_last());
		rc = CHAIN_EXIT_INTERNAL;
		goto cleanup;
	}
	if (!display) {
		objref_buf_printf(&name, n == 1 ? "%s" : "%s .. %s", paths[0], paths[n - 1]);
		display = name.data ? name.data : paths[0];
	}
	r.display = display;
	r.seconds = (double)(d.last_info.time_ns - d.first_info.time_ns) / 1e9;
	r.series = d.series;
	r.top = o->top;
	r.growth = o->growth;
	r.cycles = cycles;
	if (why.len)
		fputs(why.data, stderr);
	if ((rc = print_report(&r, o, chains)) != 0)
		goto cleanup;
	if (write_pictures(o, chains, cycles))
		rc = CHAIN_EXIT_OUTPUT;
	if (write_heapsnapshot(o, &d))
		rc = CHAIN_EXIT_OUTPUT;
	if (write_html(o, &r, chains, &d, note))
		rc = CHAIN_EXIT_OUTPUT;
	if (type_error)  /* 2 before 4, as a live run */
		rc = CHAIN_EXIT_USAGE;
cleanup:
	objref_chains_report_free(chains);
	objref_cycles_report_free(cycles);
	objref_buf_dispose(&why);
	objref_buf_dispose(&name);
	dumps_dispose(&d);
	return rc;
}

int chain_from_run(const chain_options *o)
{
	return chain_from_report(o, o->from, o->nfrom, NULL, NULL);
}

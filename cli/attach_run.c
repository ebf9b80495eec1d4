/*
 * cli/attach_run.c — objref-chain --pid: the dumps of a running process
 * (cli/attach.c), then the same growth report as a live run, from the dumps
 * alone: plain C, no interpreter in this process.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objref/objref.h"
#include "objref/dump.h"
#include "attach.h"
#include "attach_run.h"
#include "report.h"

/* A series of the censuses of the dumps, in order. */
static int dumps_series(objref_series **out, const chain_attach_dump *d, size_t n, double *seconds)
{
	objref_series *s = NULL;
	objref_snapshot *snap = NULL;
	objref_census *c = NULL;
	objref_dump_info info, first = { 0 };
	int rc;

	if ((rc = objref_series_new(&s)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char label[32];
		if ((rc = objref_dump_load(&snap, &info, d[i].path, 0)) < 0 ||
		    (rc = objref_census_from_snapshot(&c, snap, 0)) < 0)
			goto fail;
		if (i == 0)
			first = info;
		snprintf(label, sizeof(label), "dump %zu", i + 1);
		rc = objref_series_add(s, c, (double)(info.time_ns - first.time_ns) / 1e9, label);
		c = NULL; /* the series owns it, added or not */
		objref_snapshot_free(snap);
		snap = NULL;
		if (rc < 0)
			goto fail;
		*seconds = (double)(info.time_ns - first.time_ns) / 1e9;
	}
	*out = s;
	return 0;
fail:
	objref_census_free(c);
	objref_snapshot_free(snap);
	objref_series_free(s);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int chain_attach_run(const chain_options *o)
{
	chain_attach_options ao = CHAIN_ATTACH_OPTIONS_INIT;
	chain_attach_dump *dumps = NULL;
	objref_series *series = NULL;
	objref_buf text = OBJREF_BUF_INIT;
	char tmpdir[] = "/tmp/objref-dumps-XXXXXX", display[64];
	chain_report r = { 0 };
	size_t n = 0;
	double seconds = 0, worst = 0;
	int rc;

	ao.pid = o->pid;
	ao.count = o->count ? (int)o->count : 3;
	ao.interval = o->interval > 0 ? o->interval : 10.0;
	ao.verbose = o->verbose;
	if (o->dump_dir) {
		if (mkdir(o->dump_dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "objref-chain: cannot create --dump-dir %s: %s\n", o->dump_dir,
				strerror(errno));
			return CHAIN_EXIT_USAGE;
		}
		if (access(o->dump_dir, W_OK) < 0) {
			fprintf(stderr, "objref-chain: --dump-dir %s is not writable: %s\n", o->dump_dir,
				strerror(errno));
			return CHAIN_EXIT_USAGE;
		}
		ao.dump_dir = o->dump_dir;
	} else if (!(ao.dump_dir = mkdtemp(tmpdir))) {
		fprintf(stderr, "objref-chain: cannot create a directory for the dumps in /tmp: %s\n",
			strerror(errno));
		return CHAIN_EXIT_INTERNAL;
	}
	rc = chain_attach_dumps(&dumps, &n, &ao);
	if (rc == 0 && (rc = dumps_series(&series, dumps, n, &seconds)) < 0) {
		fprintf(stderr, "objref-chain: %s\n", objref_error_last());
		rc = CHAIN_EXIT_INTERNAL;
	}
	if (rc == 0) {
		snprintf(display, sizeof(display), "pid %d", o->pid);
		r.display = display;
		r.seconds = seconds;
		r.series = series;
		r.top = o->top;
		r.growth = o->growth;
		if (chain_report_format(&text, &r) < 0) {
			fprintf(stderr, "objref-chain: %s\n", objref_error_last());
			rc = CHAIN_EXIT_INTERNAL;
		} else {
			fwrite(text.data, 1, text.len, stdout);
		}
		for (size_t i = 0; i < n; i++)
			if ((double)dumps[i].pause_ns / 1e6 > worst)
				worst = (double)dumps[i].pause_ns / 1e6;
		printf("pid %d kept running: paused at most %.1f ms per dump (the fork; gdb's stop to load "
			"objref came once, before the first)\n", o->pid, worst);
	}
	if (o->dump_dir && n > 0)
		printf("dumps: %s/dump-1.objref .. dump-%zu.objref\n", o->dump_dir, n);
	else if (!o->dump_dir)
		nftw(ao.dump_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	objref_buf_dispose(&text);
	objref_series_free(series);
	free(dumps);
	return rc;
}

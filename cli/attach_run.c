/*
 * cli/attach_run.c — objref-chain --pid: the dumps of a running process
 * (cli/attach.c), then the report of --from over them (cli/from.h): growth,
 * chains of the newest instances, --cycles, the picture, from the dumps
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
#include "from.h"

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
	const char **paths = NULL;
	char tmpdir[] = "/tmp/objref-dumps-XXXXXX", display[64], note[160];
	size_t n = 0;
	double worst = 0;
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
	if (rc == 0 && !(paths = calloc(n + 1, sizeof(*paths)))) {
		fprintf(stderr, "objref-chain: out of memory\n");
		rc = CHAIN_EXIT_INTERNAL;
	}
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			paths[i] = dumps[i].path;
		snprintf(display, sizeof(display), "pid %d", o->pid);
		for (size_t i = 0; i < n; i++)
			if ((double)dumps[i].pause_ns / 1e6 > worst)
				worst = (double)dumps[i].pause_ns / 1e6;
		snprintf(note, sizeof(note), "pid %d kept running: paused at most %.1f ms per dump "
			"(the fork; gdb's stop to load objref came once, before the first)", o->pid, worst);
		rc = chain_from_report(o, paths, n, display, note);
		fprintf(o->json ? stderr : stdout, "%s\n", note);
	}
	if (o->dump_dir && n > 0)
		fprintf(o->json ? stderr : stdout, "dumps: %s/dump-1.objref .. dump-%zu.objref\n", o->dump_dir, n);
	else if (!o->dump_dir)
		nftw(ao.dump_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(paths);
	free(dumps);
	return rc;
}

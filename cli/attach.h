/*
 * cli/attach.h — objref-chain --pid: dumps of a running Python process.
 *
 * gdb loads a payload built for the target's Python version into it
 * (attach/inject_gdb.py, attach/payload.c); the payload's thread takes
 * `count` fork-based dumps `interval` seconds apart into the target's own
 * /tmp, reached through /proc/PID/root; they are moved to `dump_dir`.  The
 * target keeps running throughout and is never left stopped: gdb runs under
 * a hard time limit, and a target gdb leaves in a stop is sent SIGCONT.
 *
 * Plain C with no Python: the analysis of the dumps is the --from path.
 */
#ifndef OBJREF_CLI_ATTACH_H
#define OBJREF_CLI_ATTACH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	int pid;
	int count;            /* dumps to take (>= 1) */
	double interval;      /* seconds between dumps */
	const char *dump_dir; /* where the dumps are kept (must exist, writable) */
	double gdb_timeout;   /* seconds gdb may take to find a safe point and inject */
	double dump_timeout;  /* seconds one dump may take (walk and write) */
	int compress;         /* gzip the dumps */
	int verbose;          /* echo gdb's output on stderr */
} chain_attach_options;

#define CHAIN_ATTACH_OPTIONS_INIT { .count = 3, .interval = 10.0, .gdb_timeout = 30.0, \
	.dump_timeout = 600.0 }

/* What one dump cost the target, as the payload measured it. */
typedef struct {
	char path[4096];      /* the dump, in dump_dir */
	uint64_t pause_ns;    /* the target's pause: the GIL held around fork() */
	uint64_t walk_ns;     /* the child's heap walk */
	uint64_t write_ns;    /* the child's write */
	uint64_t objects;
} chain_attach_dump;

/*
 * Attach to o->pid and take its dumps.  Returns 0 with *dumps (malloc'ed,
 * *ndumps entries), or an exit status (CHAIN_EXIT_USAGE for a target or a
 * permission we cannot use, CHAIN_EXIT_INTERNAL for a failure on our side)
 * after printing one line on stderr that names the thing and the fix.
 * Dumps taken before a failure are kept in dump_dir and listed.
 */
int chain_attach_dumps(chain_attach_dump **dumps, size_t *ndumps, const chain_attach_options *o);

/*
 * The minor version ("3.11") of the CPython that process pid runs, read
 * from /proc/PID/maps and /proc/PID/exe.  Returns 0, or -1 with a message
 * in err (no such process, not a Python process).
 */
int chain_attach_python_version(char *buf, size_t size, int pid, char *err, size_t errsize);

#endif

/*
 * objref/capture_dump.h — dumping the live heap to a file, in process or
 * from a forked child.  Part of the per-Python capture unit (see
 * objref/capture.h): call with the GIL held.
 */
#ifndef OBJREF_CAPTURE_DUMP_H
#define OBJREF_CAPTURE_DUMP_H

#include "dump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a dump cost and holds. */
typedef struct {
	int32_t status;        /* 0, or the OBJREF_E* code of the failure */
	int32_t sys_errno;     /* errno of an I/O failure, else 0 */
	char message[480];     /* objref_error_last() of the failure */
	uint64_t nobjects, nedges, ntypes, nstrings, nroots;
	uint64_t file_size;    /* bytes written (compressed size when compressed) */
	uint64_t walk_ns;      /* the capture */
	uint64_t write_ns;     /* writing, fsync and rename */
} objref_capture_dump_stats;

/*
 * Fill *info for a dump of this process: objref and Python versions and
 * build, pid, the process's start time and boot id (its identity beside
 * the pid), the wall-clock time, capture flags.  sequence is left 0 for
 * the caller.
 */
OBJREF_EXTERN void objref_capture_dump_info(objref_dump_info *info);

/*
 * Capture a full snapshot (untracked objects included) and write it to fd
 * (opened on tmp_path by the caller), fsync, close fd, and rename tmp_path
 * to path; on failure tmp_path is removed.  info->walk_ns is set here.
 * Fills *st (status too) and returns st->status.
 *
 * In-process or in a forked child alike: in the child (the parent held the
 * GIL at fork(), so no other thread was touching objects) the capture runs
 * as it does in process.  It allocates Python objects and changes
 * refcounts (3.8-3.11: gc.get_objects(); 3.11+: frame objects of running
 * frames), which only costs the child copy-on-write pages: the child's
 * memory is private and it leaves with _exit().  It runs no bytecode:
 * objref_capture_dump_fork_safe says when the one import hook that could
 * (builtins.__import__, called for `gc` before 3.12) is not the builtin.
 */
OBJREF_EXTERN int objref_capture_dump_fd(objref_capture_dump_stats *st, int fd,
	const char *tmp_path, const char *path, objref_dump_info *info, int compress);

/* 0 when a forked child can capture without running Python code (before
 * 3.12 this imports `gc` into the parent if it is not imported yet, so the
 * child finds it in sys.modules); else OBJREF_EINVAL with a message saying
 * what would run, or OBJREF_EPYTHON. */
OBJREF_EXTERN int objref_capture_dump_fork_safe(void);

/*
 * The whole in-process dump: create path.tmp, then objref_capture_dump_fd.
 * Returns st->status (an unwritable path: OBJREF_EIO with st->sys_errno).
 */
OBJREF_EXTERN int objref_capture_dump(objref_capture_dump_stats *st, const char *path,
	objref_dump_info *info, int compress);

/* A forked dump in progress. */
typedef struct {
	int pid;             /* the child */
	int report_fd;       /* the pipe it reports through; -1 once read */
	char *path, *tmp;    /* the file and its temporary name (library-owned) */
	uint64_t start_ns;   /* CLOCK_MONOTONIC at the fork */
} objref_capture_dump_job;

/*
 * Start a forked dump of the live heap into path (GIL held; returns in the
 * time of a fork).  path.tmp is created here, so an unwritable path fails
 * at once; then a raw fork() (not os.fork(): other threads' states, and
 * their frames, must survive in the child).  The child resets SIGINT,
 * SIGTERM and SIGHUP to their defaults, ignores SIGPIPE, runs
 * objref_capture_dump_fd, writes its stats to the pipe and _exit()s; it
 * never returns from here.  Returns 0 with *job filled, or st->status (no
 * child, no file left): OBJREF_EIO (st->sys_errno), OBJREF_EINVAL (a
 * forked dump of this process is not reaped yet, or fork would run
 * Python code), OBJREF_ENOMEM.  One forked dump per process at a time:
 * the next may start once objref_capture_dump_reap said finished.
 */
OBJREF_EXTERN int objref_capture_dump_fork(objref_capture_dump_job *job,
	objref_capture_dump_stats *st, const char *path, objref_dump_info *info, int compress);

/*
 * Reap a forked dump: block != 0 waits for it (the GIL is not needed).
 * Returns 0 while it runs, 1 once finished: *st then holds the child's
 * stats (st->status 0), or the failure — the child's own error, a child
 * killed by a signal ("killed by signal 9 (Killed), perhaps by the
 * out-of-memory killer"), a child that exited without reporting, or one
 * reaped by someone else before it reported (SIGCHLD ignored) — with
 * path.tmp removed.  The job's resources are released either way.
 */
OBJREF_EXTERN int objref_capture_dump_reap(objref_capture_dump_stats *st, objref_capture_dump_job *job,
	int block);

#ifdef __cplusplus
}
#endif
#endif

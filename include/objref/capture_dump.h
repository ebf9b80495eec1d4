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

/* 0 when a forked child can capture without running Python code; else
 * OBJREF_EINVAL with a message saying what would run. */
OBJREF_EXTERN int objref_capture_dump_fork_safe(void);

#ifdef __cplusplus
}
#endif
#endif

/*
 * objref/capture_census.h — a census of the live heap taken in a forked
 * child, so that the program pauses for the fork only.  Part of the
 * per-Python capture unit (see objref/capture.h).
 *
 *   objref_capture_census_job *job;
 *   objref_capture_census_fork(&job, OBJREF_CAPTURE_UNTRACKED, 0);   (GIL held)
 *   ... the program goes on; objref_capture_census_ready(job) turns 1 ...
 *   objref_capture_census_finish(job, &census, NULL, NULL);
 */
#ifndef OBJREF_CAPTURE_CENSUS_H
#define OBJREF_CAPTURE_CENSUS_H

#include "census.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct objref_capture_census_job objref_capture_census_job;

/*
 * Fork a child that takes objref_capture_census(flags) — C only: no
 * bytecode, no import, no lock; before 3.12 the collector's list
 * (gc.get_objects) is made in the child, whose pages are its own — and,
 * with addrs set, the addresses of the same live objects (those
 * objref_capture_each visits; no reference taken), then writes them to a pipe with write(2) and
 * _exit()s.  A reader thread of the parent (signals blocked) reads the
 * pipe and reaps the child, so the program goes on meanwhile and no
 * zombie is left.  GIL held; returns in the time of a fork.  0 with *job,
 * or OBJREF_EINVAL (fork would not be safe: objref_capture_dump_fork_safe),
 * OBJREF_EIO (pipe, fork or thread creation failed: errno in the message),
 * OBJREF_ENOMEM; no child is left then.
 */
OBJREF_EXTERN int objref_capture_census_fork(objref_capture_census_job **job, unsigned flags,
	int addrs);

/* 1 once the child's report is read and the child reaped; 0 while it
 * runs.  Any thread; no GIL needed. */
OBJREF_EXTERN int objref_capture_census_ready(const objref_capture_census_job *job);

/* The child's pid. */
OBJREF_EXTERN int objref_capture_census_pid(const objref_capture_census_job *job);

/*
 * Wait for the job (blocking when not ready: release the GIL around the
 * call then) and free it.  On success *out is the census (free with
 * objref_census_free) and, when the fork asked for them, *addrs (free
 * with objref_free) holds the *naddrs live addresses, sorted (addrs and
 * naddrs may be NULL).  Failure: OBJREF_ERROR with a message naming the
 * child and what happened — killed by a signal ("killed by signal 9
 * (Killed), perhaps by the out-of-memory killer"), exited without a
 * complete report — or the child's own error code and message (ENOMEM).
 */
OBJREF_EXTERN int objref_capture_census_finish(objref_capture_census_job *job, objref_census **out,
	uint64_t **addrs, size_t *naddrs);

#ifdef __cplusplus
}
#endif
#endif

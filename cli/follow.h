/*
 * cli/follow.h — --follow-fork: a child the program forks is observed too,
 * from the fork on, and reports under its own names.
 *
 * When the child returns to objref-chain (sys.exit or the end of the
 * script) it takes its end checkpoint and writes its own report: the
 * header names "SCRIPT [pid N]"; its pictures, --log and --json document
 * carry the pid (pic.png -> pic.N.png, objref-T.png -> objref-T.N.png,
 * census.log -> census.log.N, objref-chain.N.json: stdout stays the
 * parent's one document).  The checkpoints before the fork are the
 * parent's, which the child's heap continues.  --interval and --duration
 * do not tick in a child (their thread is the parent's); --every does.
 * SIGTERM kills a child as it would under python.
 */
#ifndef OBJREF_CLI_FOLLOW_H
#define OBJREF_CLI_FOLLOW_H

#include <sys/types.h>
#include "options.h"

/* *child = the parent's options renamed for pid (display, -o, --log), with
 * no --interval/--duration.  The strings live in static storage (one child
 * per process).  Returns 0, or -1 when a name does not fit. */
int chain_follow_options(chain_options *child, const chain_options *parent, pid_t pid);

/* path with ".PID" put before its extension (pic.png -> pic.123.png), in
 * out.  Returns 0, or -1 when it does not fit. */
int chain_follow_name(char *out, size_t size, const char *path, pid_t pid);

/* --json in a child: stdout (fd 1) becomes objref-chain.PID.json, said on
 * stderr.  Returns 0 or -1 after a message. */
int chain_follow_json_to_file(pid_t pid);

#endif

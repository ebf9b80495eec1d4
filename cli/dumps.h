/*
 * cli/dumps.h — objref-chain --dump FILE and --dump-every N: dump files of
 * the observed run (objref/dump.h), written through the module's C API
 * (api->dump: in a forked child, the program paused for the fork), read
 * later with --from.  Called with the GIL held, in the observed process.
 */
#ifndef OBJREF_CLI_DUMPS_H
#define OBJREF_CLI_DUMPS_H

#include "../python/capi.h"
#include "options.h"

/* Before the run: --dump's directory must be writable now, and FILE is
 * made absolute (the program may chdir).  0, or -1 after a message. */
int chain_dumps_start(const chain_options *o);

/* After each checkpoint objref-chain takes: with --dump-every N, every Nth
 * starts FILE-1.objref, FILE-2.objref ... (FILE without its .objref) in a
 * forked child and returns: the program goes on while the child walks; the
 * dump is waited for at the next one (or at the end).  0, or -1 after a
 * message on stderr naming the file whose dump failed. */
int chain_dumps_checkpoint(const objref_CAPI *api);

/* At the end of the run, after the last checkpoint: wait for the dump
 * still being written, then (write set) FILE, waited for.  0, or -1 after
 * a message on stderr. */
int chain_dumps_end(const objref_CAPI *api, int write);

#endif

/*
 * cli/attach_run.h — objref-chain --pid: attach, dump, report.
 */
#ifndef OBJREF_CLI_ATTACH_RUN_H
#define OBJREF_CLI_ATTACH_RUN_H

#include "options.h"

/* Take the dumps of o->pid (cli/attach.h) and print the report of --from
 * over them (cli/from.h): growth, chains, --cycles, the picture.  Returns
 * the exit status. */
int chain_attach_run(const chain_options *o);

#endif

/*
 * cli/run.h — one run of objref-chain: start the embedded interpreter, run
 * and observe the program, report, finalize.
 */
#ifndef OBJREF_CLI_RUN_H
#define OBJREF_CLI_RUN_H

#include "options.h"

/* Returns the exit status of objref-chain (see options.h). */
int chain_run(const chain_options *o);

/* The same run inside the interpreter already running (`python -m objref`,
 * GIL held): no start, no finalization.  Returns the exit status. */
int chain_run_embedded(const chain_options *o);

#endif

/*
 * cli/run.h — one run of objref-chain: start the embedded interpreter, run
 * and observe the program, report, finalize.
 */
#ifndef OBJREF_CLI_RUN_H
#define OBJREF_CLI_RUN_H

#include "options.h"

/* Returns the exit status of objref-chain (see options.h). */
int chain_run(const chain_options *o);

#endif

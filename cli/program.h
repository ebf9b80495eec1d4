/*
 * cli/program.h — running the observed program in the embedded interpreter
 * exactly as `python SCRIPT ARGS` or `python -m MODULE ARGS` would.
 */
#ifndef OBJREF_CLI_PROGRAM_H
#define OBJREF_CLI_PROGRAM_H

#include <Python.h>
#include "options.h"

/*
 * Set sys.path[0] and __main__ up, then run the program.  safe_path: the
 * interpreter was configured not to prepend the script's directory
 * (PYTHONSAFEPATH, 3.11+).  Returns the result (a new reference), or NULL
 * with the program's exception set — SystemExit included: Python does not
 * exit the process.  GIL held.
 */
PyObject *chain_program_run(const chain_options *o, int safe_path);

/* How --every MODULE may name the program's __main__: the script's file
 * name without its extension ("app" for dir/app.py), or the -m module.
 * malloc'ed; NULL when out of memory. */
char *chain_program_main_name(const chain_options *o);

#endif

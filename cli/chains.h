/*
 * cli/chains.h — who holds the objects: the chains part of the report, for
 * --type T or, without it, the fastest-growing type.  Called with the GIL
 * held while the program's objects are still alive (at its end, or at the
 * --duration deadline).
 */
#ifndef OBJREF_CLI_CHAINS_H
#define OBJREF_CLI_CHAINS_H

#include <Python.h>
#include "objref/growth.h"
#include "objref/report.h"
#include "options.h"

/*
 * objref.chains() for the type to chain: a new reference to its dict, or
 * Py_None when there is nothing to chain (no --type and nothing grew).
 * When --type names no live type, appends to `why` a message with the
 * closest names and the growing types, sets *type_error and returns
 * Py_None.  NULL with a Python exception on other failures.
 */
PyObject *chain_chains_get(objref_buf *why, int *type_error, const chain_options *o,
	const objref_series *series);

/* The text of a chains() result (objref.format_chains), appended to b. */
int chain_chains_text(objref_buf *b, PyObject *result);

#endif

/*
 * cli/chains.h — who holds the objects: the chains part of the report, for
 * --type T or, without it, the fastest-growing type.  Called with the GIL
 * held while the program's objects are still alive (at its end, or at the
 * --duration deadline).
 */
#ifndef OBJREF_CLI_CHAINS_H
#define OBJREF_CLI_CHAINS_H

#include "../python/capi.h"
#include "objref/chains_report.h"
#include "options.h"

/*
 * The chains report of the type to chain (libobjref's, through the
 * module's C API): *out, or NULL when there is nothing to chain (no --type
 * and nothing grew).  When --type names no live type, appends to `why` a
 * message with the closest names and the growing types, sets *type_error
 * and leaves *out NULL.  Returns 0, or -1 with a Python exception on other
 * failures.  *out: objref_chains_report_free.
 */
int chain_chains_get(objref_chains_report **out, objref_buf *why, int *type_error,
	const objref_CAPI *api, const chain_options *o, const objref_series *series);

/* The fastest-growing type of the series into buf (the type chained
 * without --type); 1, or 0 when nothing grew. */
int chain_chains_fastest_growing(char *buf, size_t size, const objref_series *s);

/* "objref-chain: no live object of type 'T' WHEN; closest: ...; growing:
 * ...\n" appended to why: what to say when T has no instance. */
void chain_chains_why(objref_buf *why, const objref_series *series, const char *type,
	const char *when);

#endif

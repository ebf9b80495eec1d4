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

/* The growing types of a series, fastest first: without --type, the
 * chains report chooses among them (objref_chains_report_options
 * .candidates).  names[i] is rows[i].name. */
typedef struct {
	objref_growing_row *rows;
	const char **names;
	size_t n;
} chain_growing;

/* Fill g from s; the number of growing types (0: none, or out of memory).
 * Free g with chain_growing_dispose either way. */
size_t chain_growing_get(chain_growing *g, const objref_series *s);
void chain_growing_dispose(chain_growing *g);

/* "objref-chain: no live object of type 'T' WHEN; closest: ...; growing:
 * ...\n" appended to why: what to say when T has no instance. */
void chain_chains_why(objref_buf *why, const objref_series *series, const char *type,
	const char *when);

#endif

/*
 * objref/census.h — live objects counted by type name, with bytes.
 *
 * A census is a table of rows {name, count, bytes} keyed by type name.  Names
 * are either short (type.__name__, objgraph's shortnames=True: same-named
 * classes of different modules are lumped together) or long
 * ("module.__name__", objgraph's _long_typename).  Censuses from different
 * moments compare by name, never by type identity.
 *
 * Rows keep insertion order until objref_census_sort(); a row pointer stays
 * valid until the next objref_census_add() or objref_census_sort().
 */
#ifndef OBJREF_CENSUS_H
#define OBJREF_CENSUS_H

#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	const char *name; /* owned by the census */
	uint64_t count;
	uint64_t bytes;
} objref_census_row;

typedef struct objref_census objref_census;

enum {
	OBJREF_CENSUS_LONGNAMES = 1u << 0,    /* "module.name" instead of "name" */
	OBJREF_CENSUS_TRACKED_ONLY = 1u << 1  /* count what gc.get_objects() sees */
};

OBJREF_EXTERN int objref_census_new(objref_census **out);
OBJREF_EXTERN void objref_census_free(objref_census *c);

/* Add count objects and bytes to the row called name (len bytes, or up to
 * an embedded NUL), creating the row if needed.  The name is copied. */
OBJREF_EXTERN int objref_census_add(objref_census *c, const char *name, size_t len,
	uint64_t count, uint64_t bytes);

OBJREF_EXTERN size_t objref_census_len(const objref_census *c);
OBJREF_EXTERN const objref_census_row *objref_census_rows(const objref_census *c);

/* The row called name, or NULL. */
OBJREF_EXTERN const objref_census_row *objref_census_find(const objref_census *c, const char *name);

/* Totals over all rows. */
OBJREF_EXTERN uint64_t objref_census_total_count(const objref_census *c);
OBJREF_EXTERN uint64_t objref_census_total_bytes(const objref_census *c);

/* Sort rows by count, most first; equal counts keep their order (a stable
 * sort, as Python's sorted() in objgraph.most_common_types). */
OBJREF_EXTERN void objref_census_sort(objref_census *c);

/* A census of a snapshot.  flags: OBJREF_CENSUS_*.  Free with
 * objref_census_free. */
OBJREF_EXTERN int objref_census_from_snapshot(objref_census **out, const objref_snapshot *snap,
	unsigned flags);

/* A deep copy of c. */
OBJREF_EXTERN int objref_census_copy(objref_census **out, const objref_census *c);

/* A copy of c sorted as objref_census_sort sorts (the "most common types"
 * table of a checkpoint).  *out: objref_census_free.  0 or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_census_sorted(objref_census **out, const objref_census *c);

#ifdef __cplusplus
}
#endif
#endif

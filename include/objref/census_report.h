/*
 * objref/census_report.h — the census views of objgraph's functions, built
 * here once for every face: the "most common types" rows and
 * get_new_ids' table.  (growth() is objref_growth_since_peak, growth.h;
 * the text of the other tables is report.h.)
 */
#ifndef OBJREF_CENSUS_REPORT_H
#define OBJREF_CENSUS_REPORT_H

#include "buf.h"
#include "census.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * objgraph.most_common_types: a copy of c sorted by count, most first
 * (stable: equal counts keep c's order), cut to its first `limit` rows
 * (0: all, objgraph's limit=None or 0).  *out: objref_census_free.
 * Returns 0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_census_top(objref_census **out, const objref_census *c, size_t limit);

/* The columns of get_new_ids' table, as its sortby names them. */
typedef enum {
	OBJREF_NEW_IDS_OLD = 1,     /* "old": ids at the call before */
	OBJREF_NEW_IDS_CURRENT = 2, /* "current": ids now */
	OBJREF_NEW_IDS_NEW = 3,     /* "new": ids now that were not there before */
	OBJREF_NEW_IDS_DELTAS = 4   /* "deltas": current - old */
} objref_new_ids_column;

/* One type of get_new_ids' table. */
typedef struct {
	const char *name; /* borrowed */
	uint64_t old, current, added;
	int64_t delta;
} objref_new_ids_row;

/* The column that sortby names ("old", "current", "new", "deltas") in
 * *out: 0, or OBJREF_EINVAL with a message listing the four. */
OBJREF_EXTERN int objref_new_ids_column_of(objref_new_ids_column *out, const char *sortby);

/* Sort rows as objgraph does: by the column, then by name, both
 * descending (names compare as Python's str: by code point). */
OBJREF_EXTERN void objref_new_ids_sort(objref_new_ids_row *rows, size_t n, objref_new_ids_column by);

/*
 * Append objgraph's get_new_ids table of rows[0..n) to b: a rule of '='
 * (the widest name + 52 characters), the header "Type Old_ids Current_ids
 * New_ids Count_Deltas", a rule, one line per row (new ids and deltas with
 * their sign), a rule.  Names are padded by characters (UTF-8 code
 * points), as Python's %-*s pads.  n == 0 appends nothing.  Returns 0 or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_format_new_ids(objref_buf *b, const objref_new_ids_row *rows, size_t n);

/*
 * get_new_ids' memory: per type name, the addresses of the objects alive at
 * the last call ("current") and at the one before ("old").  A call:
 * objref_new_ids_rotate, objref_new_ids_add for every live object, then
 * objref_new_ids_rows for the table.
 */
typedef struct objref_new_ids objref_new_ids;

OBJREF_EXTERN int objref_new_ids_create(objref_new_ids **out);
OBJREF_EXTERN void objref_new_ids_free(objref_new_ids *t);

/* A new generation: what was current becomes old; current is empty. */
OBJREF_EXTERN void objref_new_ids_rotate(objref_new_ids *t);

/* One live object of the type called name at addr, in the current
 * generation.  0 or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_new_ids_add(objref_new_ids *t, const char *name, uint64_t addr);

/*
 * The table of the generation just recorded: one row per type with old or
 * current objects (types with neither are forgotten, as objgraph drops
 * them), in the order the types were first seen: counts of old and current
 * addresses, of the current ones not in old ("new"), and current - old.
 * *rows and the names stay valid until the next call on t.  0 or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_new_ids_rows(objref_new_ids_row **rows, size_t *n, objref_new_ids *t);

/* The new addresses (sorted) of the type of row i of the last
 * objref_new_ids_rows; *n of them. */
OBJREF_EXTERN const uint64_t *objref_new_ids_added(const objref_new_ids *t, size_t i, size_t *n);

#ifdef __cplusplus
}
#endif
#endif

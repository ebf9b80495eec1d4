/*
 * lib/strtab.h — an interning string table.
 *
 * Strings live NUL-terminated in one arena; string i starts at off[i].
 * Strings are C strings: interning bytes that hold a NUL keeps what comes
 * before it.  Invariants: string 0 is ""; ids are dense; interning the same bytes twice
 * returns the same id; a string appended (objref__strtab_append) is not
 * indexed: it shares the id of an equal string appended recently (a small
 * cache by hash), else gets an id of its own, and interning equal bytes
 * later does not find it (until the index is rebuilt after a freeze); the index is open-addressed with capacity a power of
 * two, at most half full, each slot holding id+1 in its low 32 bits (0 =
 * empty) and the upper 32 bits of the string's hash in its high ones, so a
 * probe compares bytes only when the hashes agree.
 */
#ifndef OBJREF_STRTAB_H
#define OBJREF_STRTAB_H

#include "internal.h"

typedef struct {
	char *arena;
	size_t arena_len, arena_cap;
	uint64_t *off;      /* off[i]: start of string i in arena */
	size_t n, off_cap;
	uint64_t *index;    /* hash slots: hash tag << 32 | (id + 1), or 0 */
	size_t index_cap;
	size_t nindexed;    /* strings in the index */
	uint64_t *recent;   /* OBJREF__STRTAB_RECENT slots, by hash: an appended
			     * string's hash tag << 32 | (id + 1), or 0 */
} objref__strtab;

int objref__strtab_init(objref__strtab *t);
void objref__strtab_dispose(objref__strtab *t);
int objref__strtab_intern(uint32_t *out, objref__strtab *t, const char *s, size_t len);
/* Store a string without the index: for the many strings seen once or a
 * few times (each object's description), which would only fill it.  An
 * equal string appended recently, still in the cache, is shared. */
#define OBJREF__STRTAB_RECENT 65536
int objref__strtab_append(uint32_t *out, objref__strtab *t, const char *s, size_t len);
/* Drop the hash index (the table stays readable, no longer internable). */
void objref__strtab_freeze(objref__strtab *t);

static inline const char *objref__strtab_get(const objref__strtab *t, uint32_t id)
{
	return id < t->n ? t->arena + t->off[id] : "";
}

static inline size_t objref__strtab_bytes(const objref__strtab *t)
{
	return t->arena_cap + t->off_cap * sizeof(uint64_t) + t->index_cap * sizeof(uint64_t);
}

#endif

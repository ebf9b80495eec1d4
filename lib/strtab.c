/*
 * lib/strtab.c — the interning string table (see strtab.h for invariants).
 */
#include <string.h>
#include "strtab.h"

int objref__strtab_init(objref__strtab *t)
{
	uint32_t id;
	int err;

	memset(t, 0, sizeof(*t));
	if ((err = objref__strtab_intern(&id, t, "", 0)) < 0)
		objref__strtab_dispose(t);
	return err;
}

void objref__strtab_dispose(objref__strtab *t)
{
	objref__free(t->arena);
	objref__free(t->off);
	objref__free(t->index);
	objref__free(t->recent);
	memset(t, 0, sizeof(*t));
}

void objref__strtab_freeze(objref__strtab *t)
{
	objref__free(t->index);
	objref__free(t->recent);
	t->index = NULL;
	t->recent = NULL;
	t->index_cap = 0;
	t->nindexed = 0;
}

/* Is string id exactly the len bytes at s (which hold no NUL)?  The
 * bounds check keeps memcmp inside the arena; as s holds no NUL, equal
 * bytes and a NUL right after them mean the stored string is exactly s. */
static int equal_at(const objref__strtab *t, uint32_t id, const char *s, size_t len)
{
	const char *p = t->arena + t->off[id];

	return t->off[id] + len < t->arena_len && p[len] == '\0' && memcmp(p, s, len) == 0;
}

/* Eight bytes at a time, each word mixed in by splitmix64's finaliser: a
 * short string (most are) takes one or two rounds where a byte-wise hash
 * takes a multiply per byte.  The hash lives in memory only (an index is
 * rebuilt from the strings when read back), so the byte order does not
 * matter.  The high 32 bits tag the slot. */
static uint64_t hash_of(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = objref__hash64(h ^ w);
	}
	/* the last 1 to 7 bytes in fixed-size reads (a copy of a variable
	 * size is a call): two overlapping halves, or the first, middle and
	 * last byte; the length, in h already, tells the cases apart */
	if (len >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, s, 4);
		memcpy(&hi, s + len - 4, 4);
		w = (uint64_t)hi << 32 | lo;
	} else if (len) {
		const unsigned char *u = (const unsigned char *)s;
		w = (uint64_t)u[0] | (uint64_t)u[len / 2] << 8 | (uint64_t)u[len - 1] << 16;
	} else {
		w = 0;
	}
	return objref__hash64(h ^ w);
}

#define TAG(h) ((h) & 0xffffffff00000000ULL)

/* Rebuild the index with twice the capacity, from the strings it holds
 * (appended ones stay out), or from every string when there is no index
 * (a frozen table).  The strings' hashes are computed first, so that the
 * slot each insertion will probe (random, in a table far larger than the
 * caches) is asked for a few insertions ahead. */
#define REHASH_AHEAD 8

static int rehash(objref__strtab *t)
{
	size_t cap = t->index_cap ? t->index_cap * 2 : 64, n = t->index ? t->nindexed : t->n;
	uint64_t *idx, *hashes;
	uint32_t *ids;

	while (cap < (n + 1) * 2)
		cap *= 2;
	idx = objref__calloc(cap, sizeof(uint64_t));
	hashes = objref__malloc((n + 1) * sizeof(uint64_t));
	ids = objref__malloc((n + 1) * sizeof(uint32_t));
	if (!idx || !hashes || !ids) {
		objref__free(idx);
		objref__free(hashes);
		objref__free(ids);
		return OBJREF_ENOMEM;
	}
	if (t->index) {
		size_t k = 0;
		for (size_t h = 0; h < t->index_cap && k < n; h++)
			if (t->index[h])
				ids[k++] = (uint32_t)t->index[h] - 1;
		n = k;
	} else {
		for (size_t i = 0; i < n; i++)
			ids[i] = (uint32_t)i;
	}
	objref__free(t->index);  /* not read again: the arena has every string */
	for (size_t i = 0; i < n; i++)
		hashes[i] = hash_of(t->arena + t->off[ids[i]], strlen(t->arena + t->off[ids[i]]));
	for (size_t i = 0; i < n; i++) {
		size_t h = hashes[i] & (cap - 1);
#if defined(__GNUC__) || defined(__clang__)
		if (i + REHASH_AHEAD < n)
			__builtin_prefetch(&idx[hashes[i + REHASH_AHEAD] & (cap - 1)]);
#endif
		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = TAG(hashes[i]) | ((uint64_t)ids[i] + 1);
	}
	objref__free(hashes);
	objref__free(ids);
	t->index = idx;
	t->index_cap = cap;
	t->nindexed = n;
	return 0;
}

/* Copy len bytes (no NUL among them) to the arena as string t->n. */
static int store(uint32_t *out, objref__strtab *t, const char *s, size_t len)
{
	int err;

	if (t->n >= UINT32_MAX - 1)
		return objref__error(OBJREF_ENOMEM, "string table is full");
	if ((err = objref__grow((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1)) < 0 ||
	    (err = objref__grow((void **)&t->off, &t->off_cap, t->n + 1, sizeof(uint64_t))) < 0)
		return err;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = '\0';
	t->off[t->n] = t->arena_len;
	t->arena_len += len + 1;
	*out = (uint32_t)t->n++;
	return 0;
}

int objref__strtab_append(uint32_t *out, objref__strtab *t, const char *s, size_t len)
{
	uint64_t hash;
	size_t h;
	uint32_t id;
	int err;

	len = strnlen(s, len);
	if (!t->recent && !(t->recent = objref__calloc(OBJREF__STRTAB_RECENT, sizeof(uint64_t))))
		return OBJREF_ENOMEM;
	hash = hash_of(s, len);
	h = (size_t)hash & (OBJREF__STRTAB_RECENT - 1);
	if (t->recent[h] && TAG(t->recent[h]) == TAG(hash) &&
	    (id = (uint32_t)t->recent[h] - 1) < t->n && equal_at(t, id, s, len)) {
		*out = id;
		return 0;
	}
	if ((err = store(out, t, s, len)) < 0)
		return err;
	t->recent[h] = TAG(hash) | ((uint64_t)*out + 1);
	return 0;
}

int objref__strtab_intern(uint32_t *out, objref__strtab *t, const char *s, size_t len)
{
	uint64_t hash;
	size_t h;
	int err;

	len = strnlen(s, len); /* strings are C strings: an embedded NUL ends one */
	if ((!t->index || (t->nindexed + 1) * 2 > t->index_cap) && (err = rehash(t)) < 0)
		return err;
	hash = hash_of(s, len);
	h = hash & (t->index_cap - 1);
	for (; t->index[h]; h = (h + 1) & (t->index_cap - 1)) {
		uint32_t id = (uint32_t)t->index[h] - 1;
		if (TAG(t->index[h]) == TAG(hash) && equal_at(t, id, s, len)) {
			*out = id;
			return 0;
		}
	}
	if ((err = store(out, t, s, len)) < 0)
		return err;
	t->index[h] = TAG(hash) | ((uint64_t)*out + 1);
	t->nindexed++;
	return 0;
}

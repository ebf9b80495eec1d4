/*
 * capture/capture_marks.c — a set of objects for walks that only ask "seen
 * before?": a bit per 16 bytes of address space (two objects never share
 * 16 bytes), in a bitmap per megabyte the heap uses (8 kB), found through
 * a small open-addressing table, plus the objects in the order they were
 * added (the walk's queue).
 *
 * Against the address hash of objref__objset (16 bytes a slot, at most
 * two thirds full, ids kept), a million objects' marks take 1 to 2 MB where the
 * hash takes 32 to 64 MB: the marks stay in the cache, the hash's probes
 * are misses.  No ids: a search, a census and a snapshot's walk ask it
 * "seen before?".  Ranked (objref__markset_rank), the marks number the
 * objects: a count of the marks before each 64-bit word, and a popcount
 * within it.  A snapshot's walk gives its objects ids through the ranks,
 * once, after the walk (capture_walk.c).
 */
#include <string.h>
#include "capture_internal.h"

#define GRAIN_SHIFT 4
#define MEGA_SHIFT 20
#define GRAINS ((size_t)1 << (MEGA_SHIFT - GRAIN_SHIFT))
#define MEGA_WORDS (GRAINS / 64)

/* The number of bits set in x: the instruction where the build may use it,
 * else the classic SWAR sum (a dozen operations, no table, no call). */
static inline unsigned popcount64(uint64_t x)
{
#if defined(__POPCNT__) || (defined(__GNUC__) && !defined(__x86_64__) && !defined(__i386__))
	return (unsigned)__builtin_popcountll(x);
#else
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
#endif
}

static inline size_t slot_of(const objref__markset *s, uintptr_t key)
{
	size_t mask = s->slots_cap - 1, h = (size_t)objref__hash64(key) & mask;

	while (s->slots[h].mega && s->slots[h].mega != key)
		h = (h + 1) & mask;
	return h;
}

static int grow_slots(objref__markset *s)
{
	size_t oldcap = s->slots_cap, cap = oldcap ? oldcap * 2 : 256;
	objref__markslot *old = s->slots;

	if (!(s->slots = objref__calloc(cap, sizeof(objref__markslot)))) {
		s->slots = old;
		return OBJREF_ENOMEM;
	}
	s->slots_cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].mega)
			s->slots[slot_of(s, old[i].mega)] = old[i];
	objref__free(old);
	return 0;
}

/* The bitmap of the megabyte holding op, made at first sight; NULL out
 * of memory.  The last one asked for is kept at hand: objects made
 * together lie together. */
static uint64_t *bits_of(objref__markset *s, const PyObject *op)
{
	uintptr_t key = ((uintptr_t)op >> MEGA_SHIFT) + 1;
	size_t h;

	if (key == s->last)
		return s->last_bits;
	if ((s->nmegas + 1) * 2 > s->slots_cap && grow_slots(s) < 0)
		return NULL;
	h = slot_of(s, key);
	if (!s->slots[h].mega) {
		if (!(s->slots[h].bits = objref__calloc(MEGA_WORDS, sizeof(uint64_t))))
			return NULL;
		s->slots[h].mega = key;
		s->nmegas++;
	}
	s->last = key;
	return s->last_bits = s->slots[h].bits;
}

int objref__markset_mark(objref__markset *s, const PyObject *op)
{
	uint64_t *bits = bits_of(s, op), bit;
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1);

	if (!bits)
		return OBJREF_ENOMEM;
	bit = (uint64_t)1 << (grain & 63);
	if (bits[grain >> 6] & bit)
		return 0;
	bits[grain >> 6] |= bit;
	return 1;
}

int objref__markset_has(const objref__markset *s, const PyObject *op)
{
	uintptr_t key = ((uintptr_t)op >> MEGA_SHIFT) + 1;
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1);
	const uint64_t *bits = NULL;

	if (key == s->last) {
		bits = s->last_bits;
	} else if (s->slots_cap) {
		size_t h = slot_of(s, key);
		bits = s->slots[h].mega ? s->slots[h].bits : NULL;
	}
	return bits && (bits[grain >> 6] >> (grain & 63) & 1);
}

int objref__markset_add(objref__markset *s, PyObject *op)
{
	int fresh;

	if (s->n == s->cap &&
	    objref__grow((void **)&s->objs, &s->cap, s->n + 1, sizeof(PyObject *)) < 0)
		return OBJREF_ENOMEM;
	if ((fresh = objref__markset_mark(s, op)) > 0)
		s->objs[s->n++] = op;
	return fresh;
}

int objref__markset_reserve(objref__markset *s, size_t room)
{
	return room > s->cap ? objref__grow((void **)&s->objs, &s->cap, room, sizeof(PyObject *)) : 0;
}

int objref__markset_rank(objref__markset *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->slots_cap; i++) {
		objref__markslot *m = &s->slots[i];
		uint32_t before = 0;

		if (!m->mega)
			continue;
		if (!m->before && !(m->before = objref__malloc(MEGA_WORDS * sizeof(uint16_t))))
			return OBJREF_ENOMEM;
		if (n > UINT32_MAX)
			return objref__error(OBJREF_EINVAL, "capture: more than 2^32 objects marked");
		m->base = (uint32_t)n;
		/* at most 65,472 marks before the last word: a uint16_t holds it */
		for (size_t w = 0; w < MEGA_WORDS; w++) {
			m->before[w] = (uint16_t)before;
			before += popcount64(m->bits[w]);
		}
		n += before;
	}
	s->nranked = n;
	return 0;
}

size_t objref__markset_rank_of(const objref__markset *s, const PyObject *op)
{
	uintptr_t key = ((uintptr_t)op >> MEGA_SHIFT) + 1;
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1), h;
	const objref__markslot *m;
	uint64_t word;

	if (!s->slots_cap)
		return SIZE_MAX;
	h = slot_of(s, key);
	m = &s->slots[h];
	if (!m->mega || !m->before)
		return SIZE_MAX;
	word = m->bits[grain >> 6];
	if (!(word >> (grain & 63) & 1))
		return SIZE_MAX;
	return (size_t)m->base + m->before[grain >> 6] +
	       (size_t)popcount64(word & (((uint64_t)1 << (grain & 63)) - 1));
}

void objref__markset_prefetch(const objref__markset *s, const PyObject *op)
{
	uintptr_t key = ((uintptr_t)op >> MEGA_SHIFT) + 1;
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1);
	const objref__markslot *m;

	if (!s->slots_cap)
		return;
	m = &s->slots[slot_of(s, key)];
	if (m->mega && m->before) {
		objref__prefetch(&m->bits[grain >> 6]);
		objref__prefetch(&m->before[grain >> 6]);
	}
}

void objref__markset_dispose(objref__markset *s)
{
	for (size_t i = 0; i < s->slots_cap; i++) {
		objref__free(s->slots[i].bits);
		objref__free(s->slots[i].before);
	}
	objref__free(s->slots);
	objref__free(s->objs);
	memset(s, 0, sizeof(*s));
}

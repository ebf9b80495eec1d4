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
 * within it.  The megabytes are numbered as they are first marked, so a
 * mark has a code of 32 bits (the megabyte's number, the bit in it) that
 * a snapshot's walk keeps in place of an edge's target; after the walk
 * the code gives the target's rank without a search, and the rank its id
 * (capture_walk.c).
 */
#include <string.h>
#include "capture_internal.h"

#define GRAIN_SHIFT OBJREF__MARK_GRAIN_SHIFT
#define MEGA_SHIFT OBJREF__MARK_MEGA_SHIFT
#define GRAINS OBJREF__MARK_GRAINS
#define MEGA_WORDS OBJREF__MARK_WORDS

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

/* Make the megabyte holding op the last one asked for (s->last, its
 * number and bitmap), made and numbered at first sight.  0 or
 * OBJREF_ENOMEM. */
static int use_mega(objref__markset *s, const PyObject *op)
{
	uintptr_t key = ((uintptr_t)op >> MEGA_SHIFT) + 1;
	size_t h;

	if (key == s->last)
		return 0;
	if ((s->nmegas + 1) * 2 > s->slots_cap && grow_slots(s) < 0)
		return OBJREF_ENOMEM;
	h = slot_of(s, key);
	if (!s->slots[h].mega) {
		objref__markmega *m;
		if (s->nmegas >= UINT32_MAX ||
		    objref__grow((void **)&s->megas, &s->megas_cap, s->nmegas + 1, sizeof(*m)) < 0)
			return OBJREF_ENOMEM;
		m = &s->megas[s->nmegas];
		memset(m, 0, sizeof(*m));
		if (!(m->bits = objref__calloc(MEGA_WORDS, sizeof(uint64_t))))
			return OBJREF_ENOMEM;
		s->slots[h].mega = key;
		s->slots[h].num = (uint32_t)s->nmegas++;
	}
	s->last = key;
	s->last_num = s->slots[h].num;
	s->last_bits = s->megas[s->last_num].bits;
	return 0;
}

/* Elsewhere than the megabyte marked last: it becomes the last one, and the
 * inline path marks op there. */
int objref__markset_mark_code_far(objref__markset *s, const PyObject *op, uint32_t *code)
{
	return use_mega(s, op) < 0 ? OBJREF_ENOMEM : objref__markset_mark_code(s, op, code);
}

int objref__markset_mark(objref__markset *s, const PyObject *op)
{
	uint32_t code;

	return objref__markset_mark_code(s, op, &code);
}

/* The bitmap of the megabyte holding op, or NULL when nothing there is
 * marked. */
static const objref__markmega *mega_of(const objref__markset *s, const PyObject *op)
{
	uintptr_t key = ((uintptr_t)op >> MEGA_SHIFT) + 1;
	size_t h;

	if (key == s->last)
		return &s->megas[s->last_num];
	if (!s->slots_cap)
		return NULL;
	h = slot_of(s, key);
	return s->slots[h].mega ? &s->megas[s->slots[h].num] : NULL;
}

int objref__markset_has(const objref__markset *s, const PyObject *op)
{
	const objref__markmega *m = mega_of(s, op);
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1);

	return m && (m->bits[grain >> 6] >> (grain & 63) & 1);
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

	for (size_t i = 0; i < s->nmegas; i++) {
		objref__markmega *m = &s->megas[i];
		uint32_t before = 0;

		if (!m->before && !(m->before = objref__malloc(MEGA_WORDS * sizeof(uint16_t))))
			return OBJREF_ENOMEM;
		if (n > UINT32_MAX)
			return objref__error(OBJREF_EINVAL, "capture: more than 2^32 objects marked");
		m->base = (uint32_t)n;
		/* at most 65,472 marks before the last word: a uint16_t holds it */
		for (size_t w = 0; w < MEGA_WORDS; w++) {
			m->before[w] = (uint16_t)before;
			before += objref__popcount64(m->bits[w]);
		}
		n += before;
	}
	s->nranked = n;
	return 0;
}

size_t objref__markset_rank_of(const objref__markset *s, const PyObject *op)
{
	const objref__markmega *m = mega_of(s, op);
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1);

	if (!m || !m->before || !(m->bits[grain >> 6] >> (grain & 63) & 1))
		return SIZE_MAX;
	return objref__markmega_rank(m, grain);
}

void objref__markset_prefetch(const objref__markset *s, const PyObject *op)
{
	const objref__markmega *m = mega_of(s, op);
	size_t grain = ((uintptr_t)op >> GRAIN_SHIFT) & (GRAINS - 1);

	if (m && m->before) {
		objref__prefetch(&m->bits[grain >> 6]);
		objref__prefetch(&m->before[grain >> 6]);
	}
}

void objref__markset_dispose(objref__markset *s)
{
	for (size_t i = 0; i < s->nmegas; i++) {
		objref__free(s->megas[i].bits);
		objref__free(s->megas[i].before);
	}
	objref__free(s->megas);
	objref__free(s->slots);
	objref__free(s->objs);
	memset(s, 0, sizeof(*s));
}

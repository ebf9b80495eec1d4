/*
 * capture/capture_objset.c — a set of objects: a dense array of them (ids
 * are positions) and an index from address to id, either an address hash
 * (open addressing, sized once where it can be) or, for a snapshot's walk,
 * the walk's own marks (capture_marks.c) ranked into ids once the objects
 * are all there.
 */
#include <string.h>
#include "capture_internal.h"

void objref__objset_dispose(objref__objset *s)
{
	objref__free(s->objs);
	objref__free(s->slots);
	objref__free(s->rank_ids);
	memset(s, 0, sizeof(*s));
}

static size_t slot_for(const objref__objset *s, PyObject *op)
{
	size_t h = objref__objset_home(s->slots_cap, op);

	while (s->slots[h].key && s->slots[h].key != op)
		if (++h == s->slots_cap)
			h = 0;
	return h;
}

/* Put objs[from ..] in the index (which has room for them). */
static void index_from(objref__objset *s, size_t from)
{
	for (size_t i = from; i < s->n; i++) {
		size_t h;
		if (i + 16 < s->n)
			objref__objset_prefetch(s, s->objs[i + 16]);
		h = slot_for(s, s->objs[i]);
		s->slots[h].key = s->objs[i];
		s->slots[h].id = (uint32_t)i;
	}
	s->indexed = s->n;
}

/* A fresh index, twice as large at least, with room for `room` objects,
 * holding every object. */
static int reindex(objref__objset *s, size_t room)
{
	size_t cap = OBJREF__MAX(OBJREF__OBJSET_SLOTS(room), s->slots_cap ? s->slots_cap * 2 : 1024);

	objref__free(s->slots);
	if (!(s->slots = objref__calloc(cap, sizeof(objref__objslot)))) {
		s->slots_cap = 0;
		s->indexed = 0;
		return OBJREF_ENOMEM;
	}
	s->slots_cap = cap;
	index_from(s, 0);
	return 0;
}

/* The objects appended since (by gathering) join the index: in place when
 * it has room, as after objref__objset_reserve, so the capture's index is
 * allocated once, not again at twice its size. */
int objref__objset_index(objref__objset *s)
{
	if (s->marks) {
		for (; s->indexed < s->n; s->indexed++)
			if (objref__markset_mark(s->marks, s->objs[s->indexed]) < 0)
				return OBJREF_ENOMEM;
		return 0;
	}
	if (OBJREF__OBJSET_SLOTS(s->n) > s->slots_cap)
		return reindex(s, s->n);
	index_from(s, s->indexed);
	return 0;
}

int objref__objset_reserve(objref__objset *s, size_t room, size_t indexed)
{
	int err;

	if (room > s->cap && (err = objref__grow((void **)&s->objs, &s->cap, room, sizeof(PyObject *))) < 0)
		return err;
	return !s->marks && OBJREF__OBJSET_SLOTS(indexed) > s->slots_cap ? reindex(s, indexed) : 0;
}

void objref__objset_use_marks(objref__objset *s, objref__markset *marks)
{
	s->marks = marks;
}

int objref__objset_ids(objref__objset *s)
{
	objref__markset *marks = s->marks;
	int err;

	if (!marks || (s->rank_ids && s->ranked == s->n))
		return 0;
	if ((err = objref__markset_rank(marks)) < 0)
		return err;
	if (marks->nranked != s->n)
		return objref__error(OBJREF_EINVAL, "capture: %zu objects but %zu marks", s->n,
				     marks->nranked);
	objref__free(s->rank_ids);
	s->ranked = 0;
	if (!(s->rank_ids = objref__malloc(OBJREF__MAX(s->n, 1) * sizeof(uint32_t))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		size_t r;
		if (i + 16 < s->n)
			objref__markset_prefetch(marks, s->objs[i + 16]);
		if ((r = objref__markset_rank_of(marks, s->objs[i])) >= s->n)
			return objref__error(OBJREF_EINVAL, "capture: an object was not marked");
		s->rank_ids[r] = (uint32_t)i;
	}
	s->ranked = s->n;
	return 0;
}

uint32_t objref__objset_find(const objref__objset *s, PyObject *op)
{
	size_t h;

	if (s->marks) {
		if (!s->rank_ids || s->ranked != s->n)
			return OBJREF_NO_ID;
		h = objref__markset_rank_of(s->marks, op);
		return h < s->n ? s->rank_ids[h] : OBJREF_NO_ID;
	}
	if (!s->slots_cap)
		return OBJREF_NO_ID;
	h = slot_for(s, op);
	return s->slots[h].key ? s->slots[h].id : OBJREF_NO_ID;
}

uint32_t objref__objset_add(objref__objset *s, PyObject *op, int *added)
{
	size_t h;

	*added = 0;
	if (s->marks) {
		int fresh = objref__objset_insert(s, op);
		if (fresh < 0 || (!fresh && objref__objset_ids(s) < 0))
			return OBJREF_NO_ID;
		*added = fresh;
		return fresh ? (uint32_t)(s->n - 1) : objref__objset_find(s, op);
	}
	if (OBJREF__OBJSET_SLOTS(s->n + 1) > s->slots_cap && reindex(s, s->n + 1) < 0)
		return OBJREF_NO_ID;
	h = slot_for(s, op);
	if (s->slots[h].key)
		return s->slots[h].id;
	if (s->n >= OBJREF_NO_ID - 1 ||
	    objref__grow((void **)&s->objs, &s->cap, s->n + 1, sizeof(PyObject *)) < 0)
		return OBJREF_NO_ID;
	s->objs[s->n] = op;
	s->slots[h].key = op;
	s->slots[h].id = (uint32_t)s->n;
	*added = 1;
	s->indexed = s->n + 1;
	return (uint32_t)s->n++;
}

int objref__objset_insert(objref__objset *s, PyObject *op)
{
	int added, fresh;

	if (!s->marks)
		return objref__objset_add(s, op, &added) == OBJREF_NO_ID ? OBJREF_ENOMEM : added;
	if (s->n >= OBJREF_NO_ID - 1 ||
	    objref__grow((void **)&s->objs, &s->cap, s->n + 1, sizeof(PyObject *)) < 0 ||
	    (fresh = objref__markset_mark(s->marks, op)) < 0)
		return OBJREF_ENOMEM;
	if (fresh) {
		s->objs[s->n++] = op;
		s->indexed = s->n;
	}
	return fresh;
}

int objref__objset_has(const objref__objset *s, PyObject *op)
{
	if (s->marks)
		return objref__markset_has(s->marks, op);
	return objref__objset_find(s, op) != OBJREF_NO_ID;
}

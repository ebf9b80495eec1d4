/*
 * lib/snapshot.c — reading a built snapshot: accessors, address lookup,
 * label text and the invariant validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot_internal.h"

void objref_snapshot_free(objref_snapshot *snap)
{
	if (!snap)
		return;
	if (snap->release) {  /* loaded from a dump: arrays borrowed */
		objref__free(snap->by_addr);
		if (snap->strings_borrowed) {
			objref__free(snap->strings.index);
			objref__free(snap->strings.recent);
		} else {
			objref__strtab_dispose(&snap->strings);
		}
		snap->release(snap);
		objref__free(snap);
		return;
	}
	objref__free(snap->objects);
	objref__free(snap->edge_start);
	objref__free(snap->edge_dst);
	objref__free(snap->edge_label);
	objref__free(snap->types);
	objref__strtab_dispose(&snap->strings);
	objref__free(snap->roots);
	objref__free(snap->by_addr);
	objref__free(snap);
}

size_t objref_snapshot_nobjects(const objref_snapshot *snap)
{
	return snap->nobjects;
}

const objref_gc_state *objref_snapshot_gc(const objref_snapshot *snap)
{
	return &snap->gc;
}

size_t objref_snapshot_ntypes(const objref_snapshot *snap)
{
	return snap->ntypes;
}

void objref_snapshot_stats_get(objref_snapshot_stats *out, const objref_snapshot *snap)
{
	memset(out, 0, sizeof(*out));
	out->nobjects = snap->nobjects;
	out->nedges = snap->nedges;
	out->ntypes = snap->ntypes;
	out->nstrings = snap->strings.n;
	out->nroots = snap->nroots;
	for (size_t i = 0; i < snap->nobjects; i++) {
		out->tracked += (snap->objects[i].flags & OBJREF_F_TRACKED) != 0;
		out->heap_bytes += snap->objects[i].size;
	}
	out->bytes_objects = snap->nobjects * sizeof(objref_object) +
		(snap->nobjects + 1) * sizeof(uint64_t);
	out->bytes_edges = snap->nedges * (sizeof(objref_id) + sizeof(objref_label));
	out->bytes_strings = objref__strtab_bytes(&snap->strings);
}

const objref_object *objref_snapshot_object(const objref_snapshot *snap, objref_id id)
{
	return id < snap->nobjects ? &snap->objects[id] : NULL;
}

const objref_type *objref_snapshot_type(const objref_snapshot *snap, objref_type_id id)
{
	return id < snap->ntypes ? &snap->types[id] : NULL;
}

const char *objref_snapshot_string(const objref_snapshot *snap, objref_str id)
{
	return objref__strtab_get(&snap->strings, id);
}

int objref_snapshot_edges(const objref_id **targets, const objref_label **labels, size_t *n,
	const objref_snapshot *snap, objref_id id)
{
	if (id >= snap->nobjects)
		return objref__error(OBJREF_EINVAL, "object id %u out of range (%zu objects)",
			id, snap->nobjects);
	*targets = snap->edge_dst + snap->edge_start[id];
	*labels = snap->edge_label + snap->edge_start[id];
	*n = (size_t)(snap->edge_start[id + 1] - snap->edge_start[id]);
	return 0;
}

int objref_snapshot_add_string(objref_str *out, objref_snapshot *snap, const char *s, size_t len)
{
	/* The table was frozen (its index dropped): interning rebuilds it.  A
	 * loaded dump's table lives in the file's mapping: copy it first. */
	if (snap->strings_borrowed) {
		objref__strtab *t = &snap->strings;
		char *arena = objref__malloc(t->arena_len);
		uint64_t *off = objref__malloc(OBJREF__MAX(t->n, 1) * sizeof(uint64_t));
		if (!arena || !off) {
			objref__free(arena);
			objref__free(off);
			return OBJREF_ENOMEM;
		}
		memcpy(arena, t->arena, t->arena_len);
		memcpy(off, t->off, t->n * sizeof(uint64_t));
		t->arena = arena;
		t->arena_cap = t->arena_len;
		t->off = off;
		t->off_cap = OBJREF__MAX(t->n, 1);
		snap->strings_borrowed = 0;
	}
	return objref__strtab_intern(out, &snap->strings, s, len);
}

const objref_root *objref_snapshot_roots(const objref_snapshot *snap, size_t *n)
{
	*n = snap->nroots;
	return snap->roots;
}

static int cmp_by_addr(const void *a, const void *b, void *objects)
{
	const objref_object *o = objects;
	uint64_t x = o[*(const objref_id *)a].addr, y = o[*(const objref_id *)b].addr;
	return (x > y) - (x < y);
}

/* ids 0..n-1 sorted by address (malloc'ed), or NULL. */
static objref_id *ids_by_address(const objref_snapshot *s)
{
	objref_id *ids = objref__malloc(OBJREF__MAX(s->nobjects, 1) * sizeof(objref_id));

	if (!ids)
		return NULL;
	for (size_t i = 0; i < s->nobjects; i++)
		ids[i] = (objref_id)i;
	qsort_r(ids, s->nobjects, sizeof(objref_id), cmp_by_addr, s->objects);
	return ids;
}

/* A scan reads every object's address (a millisecond per million
 * objects), the index sorts them (about forty): the first lookups of a
 * snapshot scan (one chain asks for one object), later ones build it. */
#define SCANS_BEFORE_INDEX 8

objref_id objref_snapshot_find(objref_snapshot *snap, uint64_t addr)
{
	size_t lo = 0, hi = snap->nobjects;

	if (!snap->by_addr && snap->scans < SCANS_BEFORE_INDEX) {
		snap->scans++;
		for (size_t i = 0; i < snap->nobjects; i++)
			if (snap->objects[i].addr == addr)
				return (objref_id)i;
		return OBJREF_NO_ID;
	}
	if (!snap->by_addr && !(snap->by_addr = ids_by_address(snap)))
		return OBJREF_NO_ID;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t a = snap->objects[snap->by_addr[mid]].addr;
		if (a == addr)
			return snap->by_addr[mid];
		if (a < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return OBJREF_NO_ID;
}

static const char *const special_names[OBJREF_SP_COUNT] = {
	[OBJREF_SP_CLASS] = "__class__",
	[OBJREF_SP_DICT] = "__dict__",
	[OBJREF_SP_SET_ITEM] = "{item}",
	[OBJREF_SP_ATTR_UNNAMED] = ".?",
	[OBJREF_SP_HIDDEN] = "(hidden)",
};

size_t objref_label_format(char *buf, size_t size, const objref_snapshot *snap, objref_label label)
{
	uint32_t p = OBJREF_LABEL_PAYLOAD(label);
	const char *s = objref_snapshot_string(snap, p);
	int n;

	switch (OBJREF_LABEL_KIND(label)) {
	case OBJREF_LABEL_KEY:   n = snprintf(buf, size, "[%s]", s); break;
	case OBJREF_LABEL_INDEX:
		n = p == OBJREF_LABEL_PAYLOAD_MAX ? snprintf(buf, size, "[*]")
						  : snprintf(buf, size, "[%u]", p);
		break;
	case OBJREF_LABEL_ATTR:  n = snprintf(buf, size, ".%s", s); break;
	case OBJREF_LABEL_LOCAL: n = snprintf(buf, size, "local %s", s); break;
	case OBJREF_LABEL_CELL:  n = snprintf(buf, size, "cell %s", s); break;
	case OBJREF_LABEL_DICTKEY: n = snprintf(buf, size, "key"); break;
	case OBJREF_LABEL_SPECIAL:
		n = snprintf(buf, size, "%s", p < OBJREF_SP_COUNT && special_names[p]
			? special_names[p] : "?");
		break;
	default:                 n = snprintf(buf, size, "%s", ""); break;
	}
	return n < 0 ? 0 : (size_t)n;
}

/* The string-id payload of a label, or UINT32_MAX when it has none. */
static uint32_t label_string(objref_label l)
{
	switch (OBJREF_LABEL_KIND(l)) {
	case OBJREF_LABEL_KEY: case OBJREF_LABEL_ATTR:
	case OBJREF_LABEL_LOCAL: case OBJREF_LABEL_CELL:
		return OBJREF_LABEL_PAYLOAD(l);
	default:
		return UINT32_MAX;
	}
}

static int validate_objects(const objref_snapshot *s)
{
	for (size_t i = 0; i < s->nobjects; i++) {
		const objref_object *o = &s->objects[i];
		if (o->type >= s->ntypes)
			return objref__error(OBJREF_ECORRUPT, "object %zu has type %u of %zu",
				i, o->type, s->ntypes);
		if (o->desc >= s->strings.n)
			return objref__error(OBJREF_ECORRUPT, "object %zu has description %u of %zu strings",
				i, o->desc, s->strings.n);
	}
	for (size_t i = 0; i < s->ntypes; i++) {
		const objref_type *t = &s->types[i];
		if (t->name >= s->strings.n || t->module >= s->strings.n || t->qualname >= s->strings.n)
			return objref__error(OBJREF_ECORRUPT, "type %zu names a missing string", i);
	}
	return 0;
}

static int validate_edges(const objref_snapshot *s)
{
	if (s->edge_start[0] != 0 || s->edge_start[s->nobjects] != s->nedges)
		return objref__error(OBJREF_ECORRUPT, "edge offsets span %llu..%llu, expected 0..%zu",
			(unsigned long long)s->edge_start[0],
			(unsigned long long)s->edge_start[s->nobjects], s->nedges);
	for (size_t i = 0; i < s->nobjects; i++)
		if (s->edge_start[i] > s->edge_start[i + 1])
			return objref__error(OBJREF_ECORRUPT, "edge offsets decrease at object %zu", i);
	for (size_t e = 0; e < s->nedges; e++) {
		uint32_t str = label_string(s->edge_label[e]);
		if (s->edge_dst[e] >= s->nobjects)
			return objref__error(OBJREF_ECORRUPT, "edge %zu points to object %u of %zu",
				e, s->edge_dst[e], s->nobjects);
		if (str != UINT32_MAX && str >= s->strings.n)
			return objref__error(OBJREF_ECORRUPT, "edge %zu label names string %u of %zu",
				e, str, s->strings.n);
	}
	return 0;
}

static int validate_addresses(const objref_snapshot *s)
{
	objref_id *ids = ids_by_address(s);
	int err = 0;

	if (!ids)
		return OBJREF_ENOMEM;
	for (size_t i = 1; i < s->nobjects && !err; i++)
		if (s->objects[ids[i]].addr == s->objects[ids[i - 1]].addr)
			err = objref__error(OBJREF_ECORRUPT, "objects %u and %u share address 0x%llx",
				ids[i - 1], ids[i], (unsigned long long)s->objects[ids[i]].addr);
	objref__free(ids);
	return err;
}

int objref_snapshot_validate(const objref_snapshot *s)
{
	int err;

	if (s->strings.n == 0 || objref__strtab_get(&s->strings, 0)[0] != '\0')
		return objref__error(OBJREF_ECORRUPT, "string 0 is not the empty string");
	if ((err = validate_objects(s)) < 0 || (err = validate_edges(s)) < 0)
		return err;
	for (size_t i = 0; i < s->nroots; i++)
		if (s->roots[i].object >= s->nobjects || s->roots[i].name >= s->strings.n ||
		    s->roots[i].function >= s->strings.n || s->roots[i].file >= s->strings.n)
			return objref__error(OBJREF_ECORRUPT, "root %zu refers to a missing object or string", i);
	return validate_addresses(s);
}

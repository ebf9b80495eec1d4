/*
 * lib/census.c — counts and bytes per type name.
 *
 * Invariants: rows[0..n) hold distinct names; index is open-addressed
 * (capacity a power of two, at most half full) with slots holding row+1,
 * 0 for empty; it always agrees with rows (rebuilt after a sort).
 */
#include <stdio.h>
#include <string.h>
#include "snapshot_internal.h"
#include "objref/census.h"

struct objref_census {
	objref_census_row *rows;
	size_t n, cap;
	uint32_t *index;
	size_t index_cap;
};

int objref_census_new(objref_census **out)
{
	*out = objref__calloc(1, sizeof(objref_census));
	return *out ? 0 : OBJREF_ENOMEM;
}

void objref_census_free(objref_census *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		objref__free((char *)c->rows[i].name);
	objref__free(c->rows);
	objref__free(c->index);
	objref__free(c);
}

static size_t slot_of(const objref_census *c, const char *name, size_t len)
{
	size_t h = objref__hash_bytes(name, len) & (c->index_cap - 1);

	while (c->index[h]) {
		const char *r = c->rows[c->index[h] - 1].name;
		if (strncmp(r, name, len) == 0 && r[len] == '\0')
			break;
		h = (h + 1) & (c->index_cap - 1);
	}
	return h;
}

static int reindex(objref_census *c, size_t cap)
{
	uint32_t *idx = objref__calloc(cap, sizeof(uint32_t));

	if (!idx)
		return OBJREF_ENOMEM;
	objref__free(c->index);
	c->index = idx;
	c->index_cap = cap;
	for (size_t i = 0; i < c->n; i++)
		c->index[slot_of(c, c->rows[i].name, strlen(c->rows[i].name))] = (uint32_t)i + 1;
	return 0;
}

int objref_census_add(objref_census *c, const char *name, size_t len, uint64_t count, uint64_t bytes)
{
	size_t h;
	char *copy;
	int err;

	len = strnlen(name, len); /* names are C strings */
	if ((c->n + 1) * 2 > c->index_cap && (err = reindex(c, c->index_cap ? c->index_cap * 2 : 64)) < 0)
		return err;
	h = slot_of(c, name, len);
	if (c->index[h]) {
		c->rows[c->index[h] - 1].count += count;
		c->rows[c->index[h] - 1].bytes += bytes;
		return 0;
	}
	if ((err = objref__grow((void **)&c->rows, &c->cap, c->n + 1, sizeof(*c->rows))) < 0)
		return err;
	if (!(copy = objref__strndup(name, len)))
		return OBJREF_ENOMEM;
	c->rows[c->n] = (objref_census_row){ copy, count, bytes };
	c->index[h] = (uint32_t)++c->n;
	return 0;
}

size_t objref_census_len(const objref_census *c)
{
	return c->n;
}

const objref_census_row *objref_census_rows(const objref_census *c)
{
	return c->rows;
}

const objref_census_row *objref_census_find(const objref_census *c, const char *name)
{
	size_t h;

	if (!c->index_cap)
		return NULL;
	h = slot_of(c, name, strlen(name));
	return c->index[h] ? &c->rows[c->index[h] - 1] : NULL;
}

uint64_t objref_census_total_count(const objref_census *c)
{
	uint64_t t = 0;
	for (size_t i = 0; i < c->n; i++)
		t += c->rows[i].count;
	return t;
}

uint64_t objref_census_total_bytes(const objref_census *c)
{
	uint64_t t = 0;
	for (size_t i = 0; i < c->n; i++)
		t += c->rows[i].bytes;
	return t;
}

/* Stable merge sort by count, descending (tmp has n rows). */
static void merge_sort(objref_census_row *a, objref_census_row *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(a, tmp, mid);
	merge_sort(a + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = a[j].count > a[i].count ? a[j++] : a[i++];
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
}

void objref_census_sort(objref_census *c)
{
	objref_census_row *tmp = objref__malloc(OBJREF__MAX(c->n, 1) * sizeof(*tmp));

	if (tmp) {
		merge_sort(c->rows, tmp, c->n);
		objref__free(tmp);
	} else {
		/* No memory for the merge: a stable insertion sort instead. */
		for (size_t i = 1; i < c->n; i++) {
			objref_census_row r = c->rows[i];
			size_t j = i;
			for (; j > 0 && c->rows[j - 1].count < r.count; j--)
				c->rows[j] = c->rows[j - 1];
			c->rows[j] = r;
		}
	}
	if (!c->index)
		return;
	memset(c->index, 0, c->index_cap * sizeof(uint32_t));
	for (size_t i = 0; i < c->n; i++)
		c->index[slot_of(c, c->rows[i].name, strlen(c->rows[i].name))] = (uint32_t)i + 1;
}

int objref_census_copy(objref_census **out, const objref_census *c)
{
	int err = objref_census_new(out);

	for (size_t i = 0; !err && i < c->n; i++)
		err = objref_census_add(*out, c->rows[i].name, strlen(c->rows[i].name),
			c->rows[i].count, c->rows[i].bytes);
	if (err) {
		objref_census_free(*out);
		*out = NULL;
	}
	return err;
}

/* Write "module.name" or "name" for type t into buf. */
static size_t type_name(char *buf, size_t size, const objref_snapshot *s, objref_type_id t,
	int longname)
{
	const char *name = objref_snapshot_string(s, s->types[t].name);
	const char *mod = objref_snapshot_string(s, s->types[t].module);
	size_t need;

	if (longname && mod[0])
		need = (size_t)snprintf(buf, size, "%s.%s", mod, name);
	else
		need = (size_t)snprintf(buf, size, "%s", name);
	return OBJREF__MIN(need, size - 1);
}

int objref_census_from_snapshot(objref_census **out, const objref_snapshot *s, unsigned flags)
{
	uint64_t *count = objref__calloc(s->ntypes + 1, sizeof(uint64_t));
	uint64_t *bytes = objref__calloc(s->ntypes + 1, sizeof(uint64_t));
	objref_type_id *order = objref__malloc((s->ntypes + 1) * sizeof(objref_type_id));
	size_t norder = 0;
	char name[512];
	int err = OBJREF_ENOMEM;

	*out = NULL;
	if (!count || !bytes || !order || (err = objref_census_new(out)) < 0)
		goto cleanup;
	/* Rows appear in the order their type is first met, as objgraph's
	 * dict does when it walks gc.get_objects().
	 *
	 * Objects of the permanent generation are counted only where the
	 * walk listed all of it (gc.frozen_listed: the collector's own
	 * listing from 3.12.10 and 3.13.3, capture/capture_frozen.c's walk of
	 * it before), as the live census (objref_capture_census) counts them.
	 * Where it could not be listed, the walk of a snapshot finds the
	 * frozen objects traversal reaches and the census cannot (it starts
	 * from what the collector lists): they are left out. */
	for (size_t i = 0; i < s->nobjects; i++) {
		const objref_object *o = &s->objects[i];
		if ((flags & OBJREF_CENSUS_TRACKED_ONLY) && !(o->flags & OBJREF_F_TRACKED))
			continue;
		if ((o->flags & OBJREF_F_FROZEN) && !s->gc.frozen_listed)
			continue;
		if (!count[o->type]++)
			order[norder++] = o->type;
		bytes[o->type] += o->size;
	}
	for (size_t i = 0; i < norder && !err; i++) {
		size_t len = type_name(name, sizeof(name), s, order[i], flags & OBJREF_CENSUS_LONGNAMES);
		err = objref_census_add(*out, name, len, count[order[i]], bytes[order[i]]);
	}
cleanup:
	if (err < 0) {
		objref_census_free(*out);
		*out = NULL;
	}
	objref__free(count);
	objref__free(bytes);
	objref__free(order);
	return err;
}

int objref_census_sorted(objref_census **out, const objref_census *c)
{
	int err = objref_census_copy(out, c);

	if (err == 0)
		objref_census_sort(*out);
	return err;
}

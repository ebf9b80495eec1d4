/*
 * lib/report_census.c — the census views of objgraph's functions
 * (include/objref/census_report.h).
 */
#include <stdlib.h>
#include <string.h>
#include "objref/census_report.h"
#include "internal.h"

int objref_census_top(objref_census **out, const objref_census *c, size_t limit)
{
	objref_census *sorted = NULL, *top = NULL;
	size_t n;
	int err;

	*out = NULL;
	if ((err = objref_census_sorted(&sorted, c)) < 0)
		return err;
	n = objref_census_len(sorted);
	if (!limit || limit >= n) {
		*out = sorted;
		return 0;
	}
	if ((err = objref_census_new(&top)) < 0)
		goto cleanup;
	for (size_t i = 0; i < limit; i++) {
		const objref_census_row *r = &objref_census_rows(sorted)[i];
		if ((err = objref_census_add(top, r->name, strlen(r->name), r->count, r->bytes)) < 0)
			goto cleanup;
	}
	*out = top;
	top = NULL;
cleanup:
	objref_census_free(top);
	objref_census_free(sorted);
	return err;
}

int objref_new_ids_column_of(objref_new_ids_column *out, const char *sortby)
{
	static const char *const names[] = { "old", "current", "new", "deltas" };

	for (int i = 0; i < 4; i++)
		if (sortby && strcmp(sortby, names[i]) == 0) {
			*out = (objref_new_ids_column)(i + 1);
			return 0;
		}
	return objref__error(OBJREF_EINVAL, "sortby must be one of 'old', 'current', 'new', "
		"'deltas', not '%s'", sortby ? sortby : "(null)");
}


static int64_t column(const objref_new_ids_row *r, objref_new_ids_column c)
{
	switch (c) {
	case OBJREF_NEW_IDS_OLD: return (int64_t)r->old;
	case OBJREF_NEW_IDS_CURRENT: return (int64_t)r->current;
	case OBJREF_NEW_IDS_NEW: return (int64_t)r->added;
	default: return r->delta;
	}
}

/* a before b: larger column first, then larger name. */
static int before(const objref_new_ids_row *a, const objref_new_ids_row *b, objref_new_ids_column c)
{
	int64_t x = column(a, c), y = column(b, c);

	if (x != y)
		return x > y;
	return strcmp(a->name, b->name) > 0;
}

void objref_new_ids_sort(objref_new_ids_row *rows, size_t n, objref_new_ids_column by)
{
	/* insertion sort: a row per type (a few thousand at most); qsort
	 * would need `by` in a global */
	for (size_t i = 1; i < n; i++) {
		objref_new_ids_row r = rows[i];
		size_t j = i;
		for (; j > 0 && before(&r, &rows[j - 1], by); j--)
			rows[j] = rows[j - 1];
		rows[j] = r;
	}
}

/* Characters (UTF-8 code points) in s. */
static size_t chars_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static int rule(objref_buf *b, size_t width)
{
	int err = 0;

	for (size_t i = 0; i < width && !err; i++)
		err = objref_buf_put(b, "=", 1);
	return err ? err : objref_buf_put(b, "\n", 1);
}

static int padded(objref_buf *b, const char *s, size_t width)
{
	int err = objref_buf_put(b, s, strlen(s));

	for (size_t w = chars_of(s); !err && w < width; w++)
		err = objref_buf_put(b, " ", 1);
	return err;
}

int objref_format_new_ids(objref_buf *b, const objref_new_ids_row *rows, size_t n)
{
	size_t width = 0;
	int err;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		width = OBJREF__MAX(width, chars_of(rows[i].name));
	if ((err = rule(b, width + 52)) < 0 || (err = padded(b, "Type", width)) < 0 ||
	    (err = objref_buf_printf(b, "%13s%13s%13s%13s\n", "Old_ids", "Current_ids", "New_ids",
		    "Count_Deltas")) < 0 || (err = rule(b, width + 52)) < 0)
		return err;
	for (size_t i = 0; i < n; i++)
		if ((err = padded(b, rows[i].name, width)) < 0 ||
		    (err = objref_buf_printf(b, "%13llu%13llu%+13lld%+13lld\n",
			    (unsigned long long)rows[i].old, (unsigned long long)rows[i].current,
			    (long long)rows[i].added, (long long)rows[i].delta)) < 0)
			return err;
	return rule(b, width + 52);
}

/* ---- get_new_ids' memory -------------------------------------------------- */

typedef struct {
	uint64_t *v;
	size_t n, cap;
} addrs;

/* One type: its addresses at the two generations and the new ones. */
typedef struct {
	addrs old, cur, added;
} ids_of_type;

/* Invariants: names' row k is the type ids[k] (names only grows); old is
 * sorted; rows[r] is the type at index row_type[r]. */
struct objref_new_ids {
	objref_census *names;
	ids_of_type *ids;
	size_t cap;
	objref_new_ids_row *rows;
	size_t *row_type;
	size_t nrows;
};

int objref_new_ids_create(objref_new_ids **out)
{
	objref_new_ids *t = objref__calloc(1, sizeof(*t));
	int err;

	*out = NULL;
	if (!t)
		return OBJREF_ENOMEM;
	if ((err = objref_census_new(&t->names)) < 0) {
		objref__free(t);
		return err;
	}
	*out = t;
	return 0;
}

void objref_new_ids_free(objref_new_ids *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < objref_census_len(t->names); i++) {
		objref__free(t->ids[i].old.v);
		objref__free(t->ids[i].cur.v);
		objref__free(t->ids[i].added.v);
	}
	objref_census_free(t->names);
	objref__free(t->ids);
	objref__free(t->rows);
	objref__free(t->row_type);
	objref__free(t);
}

void objref_new_ids_rotate(objref_new_ids *t)
{
	for (size_t i = 0; i < objref_census_len(t->names); i++) {
		addrs keep = t->ids[i].old;
		t->ids[i].old = t->ids[i].cur;
		t->ids[i].cur = keep;
		t->ids[i].cur.n = 0;
	}
}

static int push(addrs *a, uint64_t v)
{
	if (objref__grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v)) < 0)
		return OBJREF_ENOMEM;
	a->v[a->n++] = v;
	return 0;
}

int objref_new_ids_add(objref_new_ids *t, const char *name, uint64_t addr)
{
	const objref_census_row *r = objref_census_find(t->names, name);
	size_t k = objref_census_len(t->names), cap = t->cap;
	int err;

	if (r)
		k = (size_t)(r - objref_census_rows(t->names));
	else {
		if (objref__grow((void **)&t->ids, &t->cap, k + 1, sizeof(*t->ids)) < 0)
			return OBJREF_ENOMEM;
		if (t->cap > cap)
			memset(&t->ids[cap], 0, (t->cap - cap) * sizeof(*t->ids));
		if ((err = objref_census_add(t->names, name, strlen(name), 1, 0)) < 0)
			return err;
	}
	return push(&t->ids[k].cur, addr);
}

static int cmp_addr(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* added := cur \ old (both sorted). */
static int difference(ids_of_type *ty)
{
	size_t j = 0;
	int err;

	ty->added.n = 0;
	for (size_t i = 0; i < ty->cur.n; i++) {
		while (j < ty->old.n && ty->old.v[j] < ty->cur.v[i])
			j++;
		if ((j == ty->old.n || ty->old.v[j] != ty->cur.v[i]) && (err = push(&ty->added, ty->cur.v[i])) < 0)
			return err;
	}
	return 0;
}

int objref_new_ids_rows(objref_new_ids_row **rows, size_t *n, objref_new_ids *t)
{
	size_t types = objref_census_len(t->names), cap = 0;
	int err;

	*rows = NULL;
	*n = t->nrows = 0;
	objref__free(t->rows);
	objref__free(t->row_type);
	t->rows = NULL;
	if (!(t->row_type = objref__calloc(types + 1, sizeof(*t->row_type))) ||
	    objref__grow((void **)&t->rows, &cap, types + 1, sizeof(*t->rows)) < 0)
		return OBJREF_ENOMEM;
	for (size_t k = 0; k < types; k++) {
		ids_of_type *ty = &t->ids[k];
		objref_new_ids_row *r = &t->rows[t->nrows];
		if (!ty->old.n && !ty->cur.n)
			continue;
		if (ty->cur.n) /* qsort wants an array, even for no element */
			qsort(ty->cur.v, ty->cur.n, sizeof(*ty->cur.v), cmp_addr);
		if ((err = difference(ty)) < 0)
			return err;
		r->name = objref_census_rows(t->names)[k].name;
		r->old = ty->old.n;
		r->current = ty->cur.n;
		r->added = ty->added.n;
		r->delta = (int64_t)ty->cur.n - (int64_t)ty->old.n;
		t->row_type[t->nrows++] = k;
	}
	*rows = t->rows;
	*n = t->nrows;
	return 0;
}

const uint64_t *objref_new_ids_added(const objref_new_ids *t, size_t i, size_t *n)
{
	const ids_of_type *ty = &t->ids[t->row_type[i]];

	*n = ty->added.n;
	return ty->added.v;
}

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

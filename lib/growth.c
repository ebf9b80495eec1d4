/*
 * lib/growth.c — objgraph's peak growth, and growth trends over a series of
 * checkpoints.
 */
#include <string.h>
#include "internal.h"
#include "objref/growth.h"

/* Stable insertion of a growth row by delta, descending. */
static void insert_by_delta(objref_growth_row *rows, size_t n, objref_growth_row r)
{
	size_t j = n;
	for (; j > 0 && rows[j - 1].delta < r.delta; j--)
		rows[j] = rows[j - 1];
	rows[j] = r;
}

int objref_growth_since_peak(objref_growth_row **out, size_t *n, objref_census *peaks,
	const objref_census *now)
{
	size_t len = objref_census_len(now), k = 0;
	const objref_census_row *rows = objref_census_rows(now);
	objref_growth_row *res = objref__malloc(OBJREF__MAX(len, 1) * sizeof(*res));
	int err = 0;

	*out = NULL;
	*n = 0;
	if (!res)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < len && !err; i++) {
		const objref_census_row *p = objref_census_find(peaks, rows[i].name);
		uint64_t peak = p ? p->count : 0;
		if (rows[i].count <= peak)
			continue;
		err = objref_census_add(peaks, rows[i].name, strlen(rows[i].name),
			rows[i].count - peak, 0);
		insert_by_delta(res, k++, (objref_growth_row){ rows[i].name, rows[i].count,
			rows[i].count - peak });
	}
	if (err) {
		objref__free(res);
		return err;
	}
	*out = res;
	*n = k;
	return 0;
}

typedef struct {
	objref_census *census;
	double t;
	char *label;
	int64_t blocks; /* the allocator's blocks at the checkpoint; -1: unknown */
} checkpoint;

struct objref_series {
	checkpoint *ck;
	size_t n, cap;
};

int objref_series_new(objref_series **out)
{
	*out = objref__calloc(1, sizeof(objref_series));
	return *out ? 0 : OBJREF_ENOMEM;
}

void objref_series_clear(objref_series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		objref_census_free(s->ck[i].census);
		objref__free(s->ck[i].label);
	}
	s->n = 0;
}

void objref_series_free(objref_series *s)
{
	if (!s)
		return;
	objref_series_clear(s);
	objref__free(s->ck);
	objref__free(s);
}

int objref_series_add(objref_series *s, objref_census *c, double t, const char *label)
{
	char *copy = NULL;
	int err;

	if ((err = objref__grow((void **)&s->ck, &s->cap, s->n + 1, sizeof(*s->ck))) < 0 ||
	    (label && !(copy = objref__strndup(label, strlen(label))))) {
		objref_census_free(c);
		return err ? err : OBJREF_ENOMEM;
	}
	s->ck[s->n++] = (checkpoint){ c, t, copy, -1 };
	return 0;
}

size_t objref_series_len(const objref_series *s)
{
	return s->n;
}

const objref_census *objref_series_census(const objref_series *s, size_t i)
{
	return i < s->n ? s->ck[i].census : NULL;
}

double objref_series_time(const objref_series *s, size_t i)
{
	return i < s->n ? s->ck[i].t : 0.0;
}

const char *objref_series_label(const objref_series *s, size_t i)
{
	return i < s->n && s->ck[i].label ? s->ck[i].label : "";
}

void objref_series_set_blocks(objref_series *s, size_t i, int64_t blocks)
{
	if (i < s->n)
		s->ck[i].blocks = blocks < 0 ? -1 : blocks;
}

int64_t objref_series_blocks(const objref_series *s, size_t i)
{
	return i < s->n ? s->ck[i].blocks : -1;
}

/* The trend of one type over the series; returns 1 when it grows. */
static int trend(objref_growing_row *r, const objref_series *s, const objref_census_row *last,
	const objref_growth_opts *o)
{
	uint64_t prev = 0, prev_bytes = 0, falls_sum = 0, first_bytes = 0;

	memset(r, 0, sizeof(*r));
	r->name = last->name;
	r->intervals = (uint32_t)(s->n - 1);
	for (size_t i = 0; i < s->n; i++) {
		const objref_census_row *c = objref_census_find(s->ck[i].census, last->name);
		uint64_t v = c ? c->count : 0, b = c ? c->bytes : 0;
		if (i == 0) {
			r->first = v;
			first_bytes = b;
		} else if (v > prev) {
			r->rises++;
		} else {
			if (v < prev) {
				r->falls++;
				falls_sum += prev - v;
			}
			r->steady_since = (uint32_t)i;
		}
		prev = v;
		prev_bytes = b;
	}
	r->last = prev;
	r->last_bytes = prev_bytes;
	r->objects_per_ckpt = ((double)r->last - (double)r->first) / r->intervals;
	r->bytes_per_ckpt = ((double)prev_bytes - (double)first_bytes) / r->intervals;
	return r->last > r->first && r->last - r->first > o->min_net &&
		r->last - r->first > falls_sum &&
		(double)r->rises > o->min_rise_fraction * r->intervals;
}

static int rank_before(const objref_growing_row *a, const objref_growing_row *b)
{
	if (a->objects_per_ckpt != b->objects_per_ckpt)
		return a->objects_per_ckpt > b->objects_per_ckpt;
	if (a->bytes_per_ckpt != b->bytes_per_ckpt)
		return a->bytes_per_ckpt > b->bytes_per_ckpt;
	return strcmp(a->name, b->name) < 0;
}

int objref_series_growing(objref_growing_row **out, size_t *n, const objref_series *s,
	const objref_growth_opts *opts)
{
	static const objref_growth_opts defaults = OBJREF_GROWTH_OPTS_INIT;
	const objref_census *lastc;
	objref_growing_row *res;
	size_t k = 0, len;

	*out = NULL;
	*n = 0;
	if (s->n < 2)
		return 0;
	lastc = s->ck[s->n - 1].census;
	len = objref_census_len(lastc);
	if (!(res = objref__malloc(OBJREF__MAX(len, 1) * sizeof(*res))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		objref_growing_row r;
		size_t j;
		if (!trend(&r, s, &objref_census_rows(lastc)[i], opts ? opts : &defaults))
			continue;
		for (j = k; j > 0 && rank_before(&r, &res[j - 1]); j--)
			res[j] = res[j - 1];
		res[j] = r;
		k++;
	}
	*out = res;
	*n = k;
	return 0;
}

/* ---- growth that ended before the last checkpoint ------------------------ */

/* The count of name at checkpoint i (0 without a row). */
static uint64_t count_at(const objref_series *s, size_t i, const char *name, uint64_t *bytes)
{
	const objref_census_row *c = objref_census_find(s->ck[i].census, name);

	if (bytes)
		*bytes = c ? c->bytes : 0;
	return c ? c->count : 0;
}

/* The first checkpoint at which name has its largest count. */
static size_t peak_of(const objref_series *s, const char *name)
{
	size_t p = 0;
	uint64_t best = 0;

	for (size_t i = 0; i < s->n; i++) {
		uint64_t v = count_at(s, i, name, NULL);
		if (v > best) {
			best = v;
			p = i;
		}
	}
	return p;
}

/* Whether name grew over checkpoints 0..p and fell after p (see
 * objref_series_ended); *r filled when it did. */
static int ended(objref_ended_row *r, const objref_series *s, const char *name,
	const objref_growth_opts *o)
{
	size_t p = peak_of(s, name);
	uint64_t prev = 0, falls_sum = 0, first_bytes = 0, peak_bytes = 0, net;

	memset(r, 0, sizeof(*r));
	/* two rises at least (one is a spike), something after the peak, and
	   the growth over more than min_rise_fraction of the run */
	if (p < 2 || p + 1 >= s->n || (double)p <= o->min_rise_fraction * (double)(s->n - 1))
		return 0;
	for (size_t i = 0; i <= p; i++) {
		uint64_t b, v = count_at(s, i, name, &b);
		if (i == 0) {
			r->first = v;
			first_bytes = b;
		} else if (v > prev) {
			r->rises++;
		} else if (v < prev) {
			falls_sum += prev - v;
		}
		prev = v;
		peak_bytes = b;
	}
	r->peak = prev;
	r->last = count_at(s, s->n - 1, name, &r->last_bytes);
	net = r->peak - r->first; /* p is the first maximum: peak > first */
	if (r->last >= r->peak || net <= o->min_net || net <= falls_sum ||
	    (double)r->rises <= o->min_rise_fraction * (double)p)
		return 0;
	r->name = objref_census_find(s->ck[p].census, name)->name;
	r->peak_bytes = peak_bytes;
	r->peak_at = (uint32_t)p;
	r->intervals = (uint32_t)(s->n - 1);
	r->objects_per_ckpt = (double)net / (double)p;
	r->bytes_per_ckpt = ((double)peak_bytes - (double)first_bytes) / (double)p;
	r->peak_seconds = s->ck[p].t;
	r->fell_at = (uint32_t)(s->n - 1);
	for (size_t i = p + 1; i < s->n; i++)
		if (count_at(s, i, name, NULL) <= r->last + (r->peak - r->last) / 10) {
			r->fell_at = (uint32_t)i;
			break;
		}
	r->last_label = s->ck[s->n - 1].label ? s->ck[s->n - 1].label : "";
	return 1;
}

static int ended_before(const objref_ended_row *a, const objref_ended_row *b)
{
	if (a->objects_per_ckpt != b->objects_per_ckpt)
		return a->objects_per_ckpt > b->objects_per_ckpt;
	if (a->bytes_per_ckpt != b->bytes_per_ckpt)
		return a->bytes_per_ckpt > b->bytes_per_ckpt;
	return strcmp(a->name, b->name) < 0;
}

/* Whether name trends up over the whole series (objref_series_growing's rule). */
static int grows(const objref_series *s, const char *name, const objref_growth_opts *o)
{
	objref_census_row row = { 0 };
	objref_growing_row r;

	row.name = name;
	return trend(&r, s, &row, o);
}

int objref_series_ended(objref_ended_row **out, size_t *n, const objref_series *s,
	const objref_growth_opts *opts)
{
	static const objref_growth_opts defaults = OBJREF_GROWTH_OPTS_INIT;
	const objref_growth_opts *o = opts ? opts : &defaults;
	objref_census *seen = NULL;
	objref_ended_row *res = NULL;
	size_t k = 0, cap = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (s->n < 4) /* two rises and a fall */
		return 0;
	if ((err = objref_census_new(&seen)) < 0)
		return err;
	for (size_t i = 0; i < s->n && !err; i++) {
		const objref_census *c = s->ck[i].census;
		for (size_t j = 0; j < objref_census_len(c) && !err; j++) {
			const char *name = objref_census_rows(c)[j].name;
			objref_ended_row r;
			size_t at;
			if (objref_census_find(seen, name))
				continue;
			if ((err = objref_census_add(seen, name, strlen(name), 1, 0)) < 0)
				break;
			if (!ended(&r, s, name, o) || grows(s, name, o))
				continue;
			if ((err = objref__grow((void **)&res, &cap, k + 1, sizeof(*res))) < 0)
				break;
			for (at = k; at > 0 && ended_before(&r, &res[at - 1]); at--)
				res[at] = res[at - 1];
			res[at] = r;
			k++;
		}
	}
	objref_census_free(seen);
	if (err) {
		objref__free(res);
		return err;
	}
	*out = res;
	*n = k;
	return 0;
}

int objref_series_ended_reported(objref_ended_row **out, size_t *n, const objref_series *s,
	const objref_growth_opts *opts)
{
	objref_growing_row *grow = NULL;
	size_t ngrow = 0, k = 0;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = objref_series_growing(&grow, &ngrow, s, opts)) < 0)
		return err;
	if ((err = objref_series_ended(out, n, s, opts)) < 0) {
		objref_free(grow);
		return err;
	}
	/* ranked by rate: the rows that dominate are a prefix */
	while (ngrow && k < *n &&
	       (*out)[k].objects_per_ckpt >= OBJREF_ENDED_DOMINANCE * grow[0].objects_per_ckpt)
		k++;
	if (ngrow)
		*n = k;
	objref_free(grow);
	return 0;
}

/* ---- when to keep the chains of a growing type ---------------------------- */

/* name is the row called `want`, or `want` is "module.name" of it. */
static int names_match(const char *name, const char *want)
{
	const char *dot = strrchr(want, '.');

	return strcmp(name, want) == 0 || (dot && strcmp(name, dot + 1) == 0);
}

/* The count of the row `want` names (names_match) at checkpoint i. */
static uint64_t count_named(const objref_series *s, size_t i, const char *want)
{
	const objref_census *c = s->ck[i].census;
	const char *dot = strrchr(want, '.');
	const objref_census_row *r = objref_census_find(c, want);

	if (!r && dot)
		r = objref_census_find(c, dot + 1);
	return r ? r->count : 0;
}

/* The watched type by the growth rule over the whole series, copied into
 * w->leader (NULL when it does not grow).  0 or OBJREF_ENOMEM. */
static int rank_leader(objref_growth_watch *w, const objref_series *s, const char *only)
{
	objref_growing_row *rows = NULL;
	const char *leader = NULL;
	size_t n = 0;
	int err;

	if ((err = objref_series_growing(&rows, &n, s, NULL)) < 0)
		return err;
	for (size_t i = 0; i < n && !leader; i++)
		if (!only || names_match(rows[i].name, only))
			leader = only ? only : rows[i].name;
	if (!leader || !w->leader || strcmp(leader, w->leader) != 0) {
		char *copy = leader ? objref__strndup(leader, strlen(leader)) : NULL;
		if (leader && !copy)
			err = OBJREF_ENOMEM;
		else {
			objref__free(w->leader);
			w->leader = copy;
		}
	}
	objref_free(rows);
	return err;
}

int objref_growth_watch_due(const char **type, objref_growth_watch *w, const objref_series *s,
	const char *only, double elapsed)
{
	size_t n = s->n;
	int err, changed, due, confirmed, pow2;
	double cost;
	uint32_t c;

	*type = NULL;
	if (n < 2)
		return 0;
	if (n <= 16 || (n & (n - 1)) == 0) {
		if ((err = rank_leader(w, s, only)) < 0)
			return err;
		confirmed = w->leader != NULL;
	} else { /* between two rankings: the leader still rose */
		confirmed = w->leader && count_named(s, n - 1, w->leader) > count_named(s, n - 2, w->leader);
	}
	if (!confirmed)
		return 0;
	c = ++w->confirmed;
	pow2 = (c & (c - 1)) == 0;
	if (pow2)
		w->spent = 0;
	changed = !w->type || strcmp(w->type, w->leader) != 0;
	due = c >= 2 && (pow2 || (changed && !w->spent) || w->deferred);
	if (!due)
		return 0;
	/* the pause it would cost, from the last take's (1 us an object before) */
	cost = (double)objref_census_total_count(s->ck[n - 1].census) *
		(w->per_object > 0 ? w->per_object : 1e-6);
	if (w->paused + cost > OBJREF_GROWTH_WATCH_BUDGET * elapsed) {
		w->deferred = 1; /* the next confirmed checkpoint tries again */
		return 0;
	}
	w->deferred = 0;
	if (changed) {
		char *copy = objref__strndup(w->leader, strlen(w->leader));
		if (!copy)
			return OBJREF_ENOMEM;
		objref__free(w->type);
		w->type = copy;
		w->spent = !pow2;
	}
	*type = w->type;
	return 1;
}

void objref_growth_watch_taken(objref_growth_watch *w, double seconds, uint64_t objects)
{
	w->paused += seconds;
	if (objects)
		w->per_object = seconds / (double)objects;
}

void objref_growth_watch_dispose(objref_growth_watch *w)
{
	objref__free(w->type);
	objref__free(w->leader);
	memset(w, 0, sizeof(*w));
}

/*
 * lib/paths_group.c — chains grouped by shape, and chains as text.
 *
 * Both see a chain's steps through objref_chain_step_label(), so what grouping calls the
 * same is what the text shows the same: list/tuple indices and non-string
 * dict keys fold to "[*]" (OBJREF_CHAIN_FOLD), string keys too with
 * OBJREF_CHAIN_FOLD_KEYS — except a string key of a __dict__, which is an
 * attribute name and always kept.
 */
#include <stdlib.h>
#include <string.h>
#include "snapshot_internal.h"
#include "objref/paths.h"
#include "labels_internal.h"

#define FOLDED OBJREF__FOLDED /* "[*]" */
#define DICT_LABEL OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)

/* ---- steps ---------------------------------------------------------------- */

static const char *type_name(const objref_snapshot *snap, objref_id id)
{
	return objref_snapshot_string(snap, snap->types[snap->objects[id].type].name);
}

static int is_identifier(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(ch >= 0x80 || ch == '_' || (ch >= '0' && ch <= '9') ||
		      ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
			return 0;
	}
	return 1;
}

/* Step i (the reference ids[i] -> ids[i+1]) is a string key of a dict that
 * ids[i-1] holds as its __dict__: an attribute of ids[i-1]. */
static int is_attr_step(const objref_snapshot *snap, const objref_chain *c, size_t i)
{
	return i > 0 && objref__is_attr_pair(snap, c->labels[i - 1],
		snap->objects[c->ids[i]].type, c->labels[i]);
}

objref_label objref_chain_step_label(const objref_snapshot *snap, const objref_chain *c, size_t i,
	unsigned flags)
{
	objref_label l = c->labels[i];

	switch (OBJREF_LABEL_KIND(l)) {
	case OBJREF_LABEL_INDEX:
		return flags & OBJREF_CHAIN_FOLD ? FOLDED : l;
	case OBJREF_LABEL_KEY:
		if (!(flags & (OBJREF_CHAIN_FOLD | OBJREF_CHAIN_FOLD_KEYS)) || is_attr_step(snap, c, i))
			return l;
		if (flags & OBJREF_CHAIN_FOLD_KEYS)
			return FOLDED;
		return objref__key_is_str(objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(l))) ? l : FOLDED;
	default:
		return l;
	}
}

static int check_chain(const objref_snapshot *snap, const objref_chain *c)
{
	if (c->n == 0)
		return objref__error(OBJREF_EINVAL, "an empty chain");
	for (size_t i = 0; i < c->n; i++)
		if (c->ids[i] >= snap->nobjects)
			return objref__error(OBJREF_EINVAL, "chain object %u out of range (%zu objects)",
				c->ids[i], snap->nobjects);
	return 0;
}

/* ---- text ----------------------------------------------------------------- */

static int put_str(objref_buf *b, const char *s)
{
	return objref_buf_put(b, s, strlen(s));
}

/* The first object of a chain that reached its root. */
static int put_root(objref_buf *b, const objref_snapshot *snap, objref_id id)
{
	const objref_object *o = &snap->objects[id];
	const char *desc = objref_snapshot_string(snap, o->desc);

	if (o->flags & OBJREF_F_MODULE)
		return objref_buf_printf(b, "module%s%s", *desc ? " " : "", desc);
	if (*desc)
		return objref_buf_printf(b, "%s (%s)", type_name(snap, id), desc);
	return put_str(b, type_name(snap, id));
}

static int put_label(objref_buf *b, const objref_snapshot *snap, objref_label l)
{
	char small[256], *text = small;
	size_t need = objref_label_format(small, sizeof(small), snap, l);
	int err;

	if (need == 0)
		return 0;
	if (need >= sizeof(small)) {
		if (!(text = objref__malloc(need + 1))) {
			b->failed = 1;
			return OBJREF_ENOMEM;
		}
		objref_label_format(text, need + 1, snap, l);
	}
	err = objref_buf_put(b, " ", 1);
	err = err ? err : objref_buf_put(b, text, need);
	if (text != small)
		objref__free(text);
	return err;
}

/* Steps i and i+1 read "X __dict__ -> dict ['name'] ->": write " .name"
 * and return 1; else 0. */
static int put_attr(objref_buf *b, const objref_snapshot *snap, const objref_chain *c, size_t i,
	int *err)
{
	const char *key;
	size_t len;

	if (i + 2 >= c->n || !is_attr_step(snap, c, i + 1))
		return 0;
	key = objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(c->labels[i + 1]));
	len = strlen(key) - 2;
	if (!is_identifier(key + 1, len))
		return 0;
	*err = objref_buf_printf(b, " .%.*s", (int)len, key + 1);
	return 1;
}

int objref_chain_format(objref_buf *b, const objref_snapshot *snap, const objref_chain *c,
	unsigned flags)
{
	size_t i = 0;
	int err;

	if ((err = check_chain(snap, c)) < 0)
		return err;
	if (c->status == OBJREF_PATH_TOO_DEEP && (err = put_str(b, "... ")) < 0)
		return err;
	err = c->status == OBJREF_PATH_FOUND ? put_root(b, snap, c->ids[0])
		: put_str(b, type_name(snap, c->ids[0]));
	while (!err && i + 1 < c->n) {
		if (put_attr(b, snap, c, i, &err)) {
			i += 2;
		} else {
			err = put_label(b, snap, objref_chain_step_label(snap, c, i, flags));
			i += 1;
		}
		err = err ? err : put_str(b, " -> ");
		err = err ? err : put_str(b, type_name(snap, c->ids[i]));
	}
	return err;
}

/* ---- grouping ------------------------------------------------------------- */

/* A run of chains with one signature, after sorting. */
typedef struct {
	size_t begin;  /* into order[] */
	size_t count;
	size_t first;  /* smallest chain index */
	size_t len;    /* objects in each chain */
} run;

typedef struct {
	const uint32_t *sig; /* all signatures, back to back */
	const size_t *off;   /* chain i's signature is sig[off[i] .. off[i+1]) */
} sigs;

/*
 * Chain c's signature: status, module root (or OBJREF_NO_ID), length, then
 * type and folded label of every step, then the sample's type.  2n + 2
 * words.
 */
static void signature(uint32_t *out, const objref_snapshot *snap, const objref_chain *c,
	unsigned flags)
{
	objref_id first = c->ids[0];
	size_t i;

	*out++ = (uint32_t)c->status;
	*out++ = c->status == OBJREF_PATH_FOUND && (snap->objects[first].flags & OBJREF_F_MODULE)
		? first : OBJREF_NO_ID;
	*out++ = (uint32_t)c->n;
	for (i = 0; i + 1 < c->n; i++) {
		*out++ = snap->objects[c->ids[i]].type;
		*out++ = objref_chain_step_label(snap, c, i, flags);
	}
	*out = snap->objects[c->ids[i]].type;
}

static int cmp_signature(const void *a, const void *b, void *arg)
{
	const sigs *s = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t nx = s->off[x + 1] - s->off[x], ny = s->off[y + 1] - s->off[y];

	if (nx != ny)
		return nx < ny ? -1 : 1;
	for (size_t i = 0; i < nx; i++) {
		uint32_t p = s->sig[s->off[x] + i], q = s->sig[s->off[y] + i];
		if (p != q)
			return p < q ? -1 : 1;
	}
	return (x > y) - (x < y);
}

/* Most members first, then shorter chains, then the group seen first. */
static int cmp_run(const void *a, const void *b)
{
	const run *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

/* Chain indices sorted by signature into order; runs of equal ones into
 * runs (*nruns of them). */
static void find_runs(run *runs, size_t *nruns, size_t *order, const sigs *s,
	const objref_chain *chains, size_t k)
{
	size_t nr = 0;

	for (size_t i = 0; i < k; i++)
		order[i] = i;
	qsort_r(order, k, sizeof(size_t), cmp_signature, (void *)s);
	for (size_t i = 0; i < k; i++) {
		size_t x = order[i];
		size_t len = s->off[x + 1] - s->off[x];
		if (i == 0 || len != s->off[order[i - 1] + 1] - s->off[order[i - 1]] ||
		    memcmp(s->sig + s->off[x], s->sig + s->off[order[i - 1]], len * sizeof(uint32_t)))
			runs[nr++] = (run){ i, 0, x, chains[x].n };
		runs[nr - 1].count++;
	}
	qsort(runs, nr, sizeof(run), cmp_run);
	*nruns = nr;
}

/* The caller's block: groups, then every member index, then every sample. */
static objref_chain_group *make_groups(const run *runs, size_t nr, const size_t *order,
	const objref_chain *chains, size_t k)
{
	size_t bytes = nr * sizeof(objref_chain_group) + k * (sizeof(size_t) + sizeof(objref_id));
	objref_chain_group *g = objref__malloc(bytes);
	size_t *members;
	objref_id *samples;

	if (!g)
		return NULL;
	members = (size_t *)(g + nr);
	samples = (objref_id *)(members + k);
	for (size_t r = 0; r < nr; r++) {
		g[r].count = runs[r].count;
		g[r].example = runs[r].first;
		g[r].members = members;
		g[r].samples = samples;
		for (size_t j = 0; j < runs[r].count; j++) {
			const objref_chain *c = &chains[order[runs[r].begin + j]];
			*members++ = order[runs[r].begin + j];
			*samples++ = c->ids[c->n - 1];
		}
	}
	return g;
}

int objref_paths_group(objref_chain_group **out, size_t *ngroups, const objref_snapshot *snap,
	const objref_chain *chains, size_t k, unsigned flags)
{
	uint32_t *sig = NULL;
	size_t *off = NULL, *order = NULL, nr = 0, total = 0;
	run *runs = NULL;
	int err = 0;

	*out = NULL;
	*ngroups = 0;
	flags |= OBJREF_CHAIN_FOLD;
	for (size_t i = 0; i < k; i++) {
		if ((err = check_chain(snap, &chains[i])) < 0)
			return err;
		total += 2 * chains[i].n + 2;
	}
	if (k == 0)
		return 0;
	if (!(sig = objref__malloc(total * sizeof(uint32_t))) ||
	    !(off = objref__malloc((k + 1) * sizeof(size_t))) ||
	    !(order = objref__malloc(k * sizeof(size_t))) ||
	    !(runs = objref__malloc(k * sizeof(run)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	off[0] = 0;
	for (size_t i = 0; i < k; i++) {
		signature(sig + off[i], snap, &chains[i], flags);
		off[i + 1] = off[i] + 2 * chains[i].n + 2;
	}
	find_runs(runs, &nr, order, &(sigs){ sig, off }, chains, k);
	if (!(*out = make_groups(runs, nr, order, chains, k))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	*ngroups = nr;
cleanup:
	objref__free(sig);
	objref__free(off);
	objref__free(order);
	objref__free(runs);
	return err;
}

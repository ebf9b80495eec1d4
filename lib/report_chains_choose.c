/*
 * lib/report_chains_choose.c — which growing type to chain when the user
 * named none.
 *
 * A leak rarely grows one type: a leaked Session brings its dict, list,
 * bytes, str and int, all growing at the same rate, and the type with the
 * largest count is often the least telling one (an int whose samples are
 * garbage about to be freed).  The type to chain is the one whose growth
 * holds the others: among the candidates (the growing types), the one
 * whose objects new since the baseline keep the most bytes alive.  That
 * is their retained size over the snapshot's dominator tree (Eclipse
 * MAT's and Chrome DevTools' measure), each byte counted once: a new
 * object of the type that another new object of the type dominates is
 * already inside that one's size.
 *
 * The other growing types' new objects that the chosen type's new objects
 * dominate are part of its leak (a leaked Order with its dict, list and
 * str is one leak, not four rows): the report counts them per type.
 *
 * Cost: one dominator tree of the snapshot (objref/dominators.h, about
 * 0.3 s per million objects) and two walks up the tree per candidate,
 * each object visited once per walk (memo).
 */
#include <string.h>
#include "objref/dominators.h"
#include "internal.h"
#include "report_chains_internal.h"

/* Does type t answer to name ("Session" or "app.Session")? */
int objref__report_type_is(const objref_snapshot *snap, objref_type_id t, const char *name)
{
	const objref_type *tp = objref_snapshot_type(snap, t);
	const char *short_name = objref_snapshot_string(snap, tp->name);
	const char *mod = objref_snapshot_string(snap, tp->module);
	size_t ml = strlen(mod);

	if (!strchr(name, '.'))
		return strcmp(short_name, name) == 0;
	return strncmp(name, mod, ml) == 0 && name[ml] == '.' && strcmp(name + ml + 1, short_name) == 0;
}

/* The most candidates weighed; the rest grow slower. */
#define MAX_CANDIDATES 16

/* memo per object: is a new object of the candidate above it in the tree? */
enum { UNKNOWN = 0, ABOVE = 1, NONE = 2 };

typedef struct {
	const objref_snapshot *snap;
	const objref__ages *ages;
	const objref_dominators *d;
	const char *match;       /* per type: the candidate's */
	unsigned char *memo;     /* per object */
	objref_id *path;         /* the walk up, to fill memo */
	size_t path_cap;
} weigh;

static int is_new_of(const weigh *w, objref_id id)
{
	return w->ages->age[id] != OBJREF__OLD &&
	       w->match[objref_snapshot_object(w->snap, id)->type];
}

/* Is a new object of the candidate above id (strictly) in the tree?
 * 1, 0, or OBJREF_ENOMEM. */
static int dominated_by_own(weigh *w, objref_id id)
{
	size_t n = 0;
	objref_id y = objref_dominators_idom(w->d, id);
	unsigned char found = NONE;

	while (y != OBJREF_NO_ID) {
		if (w->memo[y] != UNKNOWN) {
			found = w->memo[y];
			break;
		}
		if (is_new_of(w, y)) {
			found = ABOVE;
			w->memo[y] = ABOVE; /* what is below y has y above it */
			break;
		}
		if (n == w->path_cap &&
		    objref__grow((void **)&w->path, &w->path_cap, n + 1, sizeof(*w->path)) < 0)
			return OBJREF_ENOMEM;
		w->path[n++] = y;
		y = objref_dominators_idom(w->d, y);
	}
	/* memo[y] for y on the path: is a new object of the candidate above
	 * y, or y itself one?  The path holds no such object: the answer is
	 * the one found above it. */
	while (n)
		w->memo[w->path[--n]] = found;
	return found == ABOVE;
}

/* Per type: does it answer to name?  NULL when out of memory. */
static char *match_of(const objref_snapshot *snap, const char *name)
{
	size_t ntypes = objref_snapshot_ntypes(snap);
	char *match = objref__calloc(ntypes + 1, 1);

	for (objref_type_id t = 0; match && t < ntypes; t++)
		match[t] = (char)objref__report_type_is(snap, t, name);
	return match;
}

/* What candidate c's new objects retain, and how many there are. */
static int weigh_one(weigh *w, const char *name, uint64_t *retained, size_t *count)
{
	size_t nobj = objref_snapshot_nobjects(w->snap);
	char *match = match_of(w->snap, name);
	int err = 0;

	*retained = 0;
	*count = 0;
	if (!match)
		return OBJREF_ENOMEM;
	w->match = match;
	memset(w->memo, UNKNOWN, nobj);
	for (objref_id i = 0; i < nobj && !err; i++) {
		int above;
		if (!is_new_of(w, i) || !objref_dominators_reachable(w->d, i))
			continue;
		++*count;
		if ((above = dominated_by_own(w, i)) < 0)
			err = above;
		else if (!above)
			*retained += objref_dominators_retained(w->d, i);
	}
	objref__free(match);
	return err;
}

/* For each other choice, how many of its new objects a new object of the
 * chosen (choices[0]) dominates: the growth that is part of the chosen's. */
static int count_inside(weigh *w, objref_report_choice *c, size_t n)
{
	size_t nobj = objref_snapshot_nobjects(w->snap);
	char *chosen = match_of(w->snap, c[0].type), *other = NULL;
	int err = chosen ? 0 : OBJREF_ENOMEM;

	w->match = chosen; /* the memo answers: a new chosen object above? */
	if (chosen)
		memset(w->memo, UNKNOWN, nobj);
	for (size_t k = 1; k < n && !err; k++) {
		if (!(other = match_of(w->snap, c[k].type))) {
			err = OBJREF_ENOMEM;
			break;
		}
		for (objref_id i = 0; i < nobj && !err; i++) {
			int above;
			if (w->ages->age[i] == OBJREF__OLD ||
			    !other[objref_snapshot_object(w->snap, i)->type] ||
			    !objref_dominators_reachable(w->d, i))
				continue;
			if ((above = dominated_by_own(w, i)) < 0)
				err = above;
			else
				c[k].inside += (size_t)above;
		}
		objref__free(other);
	}
	objref__free(chosen);
	return err;
}

/* r->choices in order: the chosen first, then by what they retain. */
static void order_choices(objref_report_choice *c, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		objref_report_choice x = c[i];
		size_t j = i;
		while (j > 0 && c[j - 1].retained < x.retained) {
			c[j] = c[j - 1];
			j--;
		}
		c[j] = x;
	}
}

static int fill_choices(objref_chains_report *r, const objref_snapshot *snap,
	const objref__ages *ages, const char *const *names, size_t n)
{
	objref_dominators_options dopt = OBJREF_DOMINATORS_OPTIONS_INIT;
	objref_dominators *d = NULL;
	weigh w = { snap, ages, NULL, NULL, NULL, NULL, 0 };
	int err;

	if (!(r->choices = objref__calloc(n, sizeof(*r->choices))) ||
	    !(w.memo = objref__malloc(OBJREF__MAX(objref_snapshot_nobjects(snap), 1)))) {
		err = OBJREF_ENOMEM;
		goto done;
	}
	if ((err = objref_dominators_build(&d, snap, &dopt)) < 0)
		goto done;
	w.d = d;
	for (size_t i = 0; i < n && !err; i++) {
		objref_report_choice *c = &r->choices[i];
		if (!(c->type = objref__strndup(names[i], strlen(names[i]))))
			err = OBJREF_ENOMEM;
		else
			err = weigh_one(&w, names[i], &c->retained, &c->new_objects);
		r->nchoices = i + 1;
	}
	if (!err) {
		order_choices(r->choices, r->nchoices);
		if (r->choices[0].retained)
			err = count_inside(&w, r->choices, r->nchoices);
	}
done:
	objref_dominators_free(d);
	objref__free(w.memo);
	objref__free(w.path);
	return err;
}

int objref__choose_type(const char **type, objref_chains_report *r, const objref_snapshot *snap,
	const objref__ages *ages, const objref_chains_report_options *o)
{
	size_t n = OBJREF__MIN(o->ncandidates, MAX_CANDIDATES);
	int err;

	*type = n ? o->candidates[0] : NULL;
	if (n < 2 || !ages->known)
		return 0;
	if ((err = fill_choices(r, snap, ages, o->candidates, n)) < 0)
		return err;
	if (r->choices[0].retained == 0) { /* nothing new retains anything: the fastest */
		for (size_t i = 0; i < r->nchoices; i++)
			objref__free(r->choices[i].type);
		objref__free(r->choices);
		r->choices = NULL;
		r->nchoices = 0;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(o->candidates[i], r->choices[0].type) == 0)
			*type = o->candidates[i];
	return 0;
}

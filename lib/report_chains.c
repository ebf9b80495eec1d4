/*
 * lib/report_chains.c — building the chains report (objref/chains_report.h):
 * samples given the baseline, one search per sample, grouping, suspects,
 * one root record per pattern, and the picture's DOT.  The words of the
 * report (root texts, the text, the JSON) are in report_chains_text.c.
 */
#include <string.h>
#include "objref/chains_report.h"
#include "objref/render.h"
#include "objref/view.h"
#include "internal.h"
#include "report_chains_internal.h"

/* The class a sample is taken from, best first: new objects that survived
 * a checkpoint, other new ones, the rest (everything without a baseline). */
static int sample_class(const objref__ages *a, objref_id i)
{
	return a->age[i] == OBJREF__SURVIVOR ? 0 : a->age[i] == OBJREF__NEW ? 1 : 2;
}

/* Members of class cls of the type whose nearest old holder is h (n: none),
 * `want` of them spread over them at the middle of their shares (not the
 * first in snapshot order, the youngest generation: an address freed and
 * reused since the checkpoint looks like a survivor there), into out. */
static void spread(objref_id *out, size_t *got, const objref_snapshot *snap, const objref__ages *a,
	const char *match, int cls, objref_id h, size_t members, size_t want)
{
	size_t n = objref_snapshot_nobjects(snap), seen = 0, taken = 0;

	for (objref_id i = 0; i < n && taken < want; i++) {
		objref_id hi = a->holder[i] == OBJREF_NO_ID ? (objref_id)n : a->holder[i];
		if (!match[objref_snapshot_object(snap, i)->type] || sample_class(a, i) != cls || hi != h)
			continue;
		if (seen++ == (2 * taken + 1) * members / (2 * want)) {
			out[(*got)++] = i;
			taken++;
		}
	}
}

/* The samples of class cls (survivors, else new objects) shared among
 * their nearest old holders in proportion to how many each holds (the
 * largest first, D'Hondt), spread within each: a holder of half the new
 * objects gets half the samples, one of a few gets none.  0 or
 * OBJREF_ENOMEM. */
static int by_holder(objref_id *out, size_t *got, const objref_snapshot *snap, objref__ages *a,
	const char *match, int cls, size_t want)
{
	size_t n = objref_snapshot_nobjects(snap), nh = 0;
	uint32_t *cnt = NULL, *quota = NULL;
	objref_id *hs = NULL;
	int err;

	if ((err = objref__ages_holders(a)) < 0)
		return err;
	if (!(cnt = objref__calloc(n + 1, sizeof(uint32_t))) ||
	    !(quota = objref__calloc(n + 1, sizeof(uint32_t))) ||
	    !(hs = objref__malloc((n + 1) * sizeof(objref_id)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	for (objref_id i = 0; i < n; i++) {
		objref_id h = a->holder[i] == OBJREF_NO_ID ? (objref_id)n : a->holder[i];
		if (!match[objref_snapshot_object(snap, i)->type] || sample_class(a, i) != cls)
			continue;
		if (cnt[h]++ == 0)
			hs[nh++] = h;
	}
	for (size_t k = 0; k < want; k++) { /* D'Hondt: the next sample to the largest cnt/(quota+1) */
		size_t best = 0;
		for (size_t j = 1; j < nh; j++)
			if ((uint64_t)cnt[hs[j]] * (quota[hs[best]] + 1) >
			    (uint64_t)cnt[hs[best]] * (quota[hs[j]] + 1))
				best = j;
		quota[hs[best]]++;
	}
	for (size_t j = 0; j < nh; j++)
		if (quota[hs[j]])
			spread(out, got, snap, a, match, cls, hs[j], cnt[hs[j]], quota[hs[j]]);
	err = 0;
cleanup:
	objref__free(cnt);
	objref__free(quota);
	objref__free(hs);
	return err;
}

/* Up to o->samples samples of the type in out: survivors first (else the
 * objects new since the baseline), shared among their holders by how
 * many each holds (by_holder), then the others in snapshot order (the
 * youngest generation first).  *got, *instances and r->new_objects/
 * survivors set.  0 or OBJREF_ENOMEM. */
static int pick_samples(objref_id *out, size_t *got, objref_chains_report *r,
	const objref_snapshot *snap, objref__ages *a, const char *match,
	const objref_chains_report_options *o)
{
	size_t n = objref_snapshot_nobjects(snap), per[3] = { 0, 0, 0 };
	int err;

	*got = 0;
	for (objref_id i = 0; i < n; i++)
		if (match[objref_snapshot_object(snap, i)->type])
			per[sample_class(a, i)]++;
	r->instances = per[0] + per[1] + per[2];
	r->survivors = per[0] > 0;
	r->new_objects = per[0] ? per[0] : per[1];
	if (per[0] && (err = by_holder(out, got, snap, a, match, 0, OBJREF__MIN(o->samples, per[0]))) < 0)
		return err;
	for (int cls = 1; cls < 3 && *got < o->samples; cls++) {
		size_t want = OBJREF__MIN(o->samples - *got, per[cls]), taken = 0;
		for (objref_id i = 0; i < n && taken < want; i++)
			if (match[objref_snapshot_object(snap, i)->type] && sample_class(a, i) == cls) {
				out[(*got)++] = i;
				taken++;
			}
	}
	return 0;
}

/* The last position where every member of group g has the same object: the
 * container the samples' chains share last, through which new objects
 * enter.  -1 with fewer than two members. */
static long suspect_of(const objref_chain *chains, const objref_chain_group *g)
{
	const objref_chain *first = &chains[g->members[0]];
	long last = -1;

	if (g->count < 2 || first->status != OBJREF_PATH_FOUND)
		return -1;
	for (size_t j = 0; j + 1 < first->n; j++) {
		for (size_t k = 1; k < g->count; k++)
			if (chains[g->members[k]].ids[j] != first->ids[j])
				return last;
		last = (long)j;
	}
	return last;
}

/* The label of step i of c as grouping shows it (OBJREF_CHAIN_FOLD). */
static void folded_label(char *buf, size_t size, const objref_snapshot *snap, const objref_chain *c,
	size_t i)
{
	objref_label_format(buf, size, snap, objref_chain_step_label(snap, c, i, OBJREF_CHAIN_FOLD));
}

static const char *type_name_of(const objref_snapshot *snap, objref_id id)
{
	const objref_object *o = objref_snapshot_object(snap, id);
	return objref_snapshot_string(snap, objref_snapshot_type(snap, o->type)->name);
}

static char *dup(const char *s)
{
	return objref__strndup(s, strlen(s));
}

/* The steps of chain c: types and folded labels. */
static int fill_steps(objref_report_pattern *p, const objref_snapshot *snap, const objref_chain *c)
{
	char label[600];

	if (!(p->steps = objref__calloc(OBJREF__MAX(c->n, 1), sizeof(*p->steps))))
		return OBJREF_ENOMEM;
	p->nsteps = c->n;
	for (size_t i = 0; i < c->n; i++) {
		if (!(p->steps[i].type = dup(type_name_of(snap, c->ids[i]))))
			return OBJREF_ENOMEM;
		if (i + 1 < c->n) {
			folded_label(label, sizeof(label), snap, c, i);
			if (!(p->steps[i].label = dup(label)))
				return OBJREF_ENOMEM;
		}
	}
	return 0;
}

static int fill_pattern(objref_report_pattern *p, const objref_snapshot *snap, objref_paths *s,
	const objref_chain *chains, const objref_chain_group *g, const objref_report_live *live)
{
	const objref_chain *ex = &chains[g->example];
	objref_buf text = { 0 };
	char label[600] = "";
	int err;

	p->count = g->count;
	p->status = ex->status;
	p->suspect = suspect_of(chains, g);
	objref_chain_format(&text, snap, ex, OBJREF_CHAIN_FOLD);
	if (objref_buf_failed(&text)) {
		objref_buf_dispose(&text);
		return OBJREF_ENOMEM;
	}
	p->text = text.data ? text.data : dup("");
	if (!p->text)
		return OBJREF_ENOMEM;
	if ((err = objref_report_root_describe(&p->root, snap, s, ex, live)) < 0 ||
	    (err = fill_steps(p, snap, ex)) < 0)
		return err;
	if (p->suspect >= 0)
		folded_label(label, sizeof(label), snap, ex, (size_t)p->suspect);
	return (p->suspect_text = dup(label)) ? 0 : OBJREF_ENOMEM;
}

/* Chains a before b in a picture: by their labels, step by step (indices
 * by number), then length. */
static int chain_before(const objref_chain *a, const objref_chain *b)
{
	for (size_t i = 0; i + 1 < a->n && i + 1 < b->n; i++)
		if (a->labels[i] != b->labels[i])
			return a->labels[i] < b->labels[i];
	return a->n < b->n;
}

/* The members of g in drawing order, so that a picture does not depend on
 * which sample was found first (the heap's order varies with the
 * environment): [0] [1] [2] ... from left to right.  Insertion sort: a
 * group has at most `samples` members. */
static void drawing_order(size_t *order, const objref_chain *chains, const objref_chain_group *g)
{
	for (size_t i = 0; i < g->count; i++) {
		size_t j = i;
		for (; j > 0 && chain_before(&chains[g->members[i]], &chains[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = g->members[i];
	}
}

/* The picture of the chains: every sample's chain, chains sharing objects
 * sharing nodes, each pattern's suspect reference in bold red. */
static int chains_dot(objref_buf *out, const objref_snapshot *snap, const objref_chain *chains,
	const objref_chain_group *groups, size_t ngroups, const char *name, size_t instances)
{
	objref_view *v = NULL;
	objref_buf title = { 0 };
	objref_dot_options o = OBJREF_DOT_OPTIONS_INIT;
	size_t *order = NULL;
	int err;

	if ((err = objref_view_new(&v, snap, 0)) < 0)
		return err;
	for (size_t g = 0; g < ngroups && (err == 0 || err == OBJREF_ENOTFOUND); g++) {
		long suspect = suspect_of(chains, &groups[g]);
		if (!(order = objref__calloc(groups[g].count, sizeof(size_t)))) {
			err = OBJREF_ENOMEM;
			goto cleanup;
		}
		drawing_order(order, chains, &groups[g]);
		for (size_t i = 0; i < groups[g].count && (err == 0 || err == OBJREF_ENOTFOUND); i++)
			err = objref_view_add_chain(v, &chains[order[i]],
				suspect >= 0 ? (size_t)suspect : SIZE_MAX);
		objref__free(order);
		order = NULL;
	}
	if (err == 0 || err == OBJREF_ENOTFOUND) {
		size_t k = 0;
		for (size_t g = 0; g < ngroups; g++)
			k += groups[g].count;
		objref_buf_printf(&title, "who holds %s: %zu sample%s of ", name, k, k == 1 ? "" : "s");
		objref_format_count(&title, instances);
		if (objref_buf_failed(&title)) {
			err = OBJREF_ENOMEM;
			goto cleanup;
		}
		o.title = title.data;
		err = objref_view_dot(out, v, &o);
	}
cleanup:
	objref_buf_dispose(&title);
	objref_view_free(v);
	return err;
}

/* The picture of each of the first OBJREF_CHAINS_PATTERN_PICTURES patterns
 * alone, into r->pattern_dots.  0 or a negative code. */
static int pattern_dots(objref_chains_report *r, const objref_snapshot *snap, const objref_chain *chains,
	const objref_chain_group *groups, size_t ngroups, const char *name)
{
	size_t n = OBJREF__MIN(ngroups, OBJREF_CHAINS_PATTERN_PICTURES);
	int err;

	if (!n)
		return 0;
	if (!(r->pattern_dots = objref__calloc(n, sizeof(char *))))
		return OBJREF_ENOMEM;
	for (; r->npattern_dots < n; r->npattern_dots++) {
		objref_buf dot = { 0 };
		if ((err = chains_dot(&dot, snap, chains, &groups[r->npattern_dots], 1, name,
				r->instances)) < 0) {
			objref_buf_dispose(&dot);
			return err;
		}
		if (!(r->pattern_dots[r->npattern_dots] = dot.data ? dot.data : dup("")))
			return OBJREF_ENOMEM;
	}
	return 0;
}

/* Search every sample's chain, old roots before new ones.  0 or
 * OBJREF_ENOMEM. */
static int search(objref_chain *chains, objref_paths *s, const objref_id *samples, size_t n,
	const objref_chains_report_options *o, const objref__ages *ages)
{
	objref__root_arg roots = { s, ages };
	objref_paths_options opts;
	int err = 0;

	objref_paths_options_init(&opts);
	opts.max_depth = o->max_depth;
	if (ages->known) {
		opts.is_root = objref__old_roots_first;
		opts.is_root_arg = &roots;
	}
	for (size_t i = 0; i < n; i++) {
		if ((err = objref_paths_find(&chains[i], s, samples[i], &opts)) == OBJREF_ENOMEM)
			return err;
		if (o->live.name_attributes)
			o->live.name_attributes(o->live.arg, &chains[i]);
	}
	return 0;
}

/* The labels of every chain into (back == 0) or back from (back == 1)
 * saved: the text and the picture show the keys folding hid. */
static void keep_labels(objref_label *saved, objref_chain *chains, size_t n, int back)
{
	for (size_t i = 0; i < n; i++) {
		size_t m = chains[i].n ? chains[i].n - 1 : 0;
		if (back)
			memcpy(chains[i].labels, saved, m * sizeof(objref_label));
		else
			memcpy(saved, chains[i].labels, m * sizeof(objref_label));
		saved += m;
	}
}

/* The holder of group g: the last object of its example chain that was
 * alive at the baseline, before the first new one that leads to the
 * sample; and how many of the type's counted new objects have it as their
 * nearest old holder.  0 or OBJREF_ENOMEM. */
static int find_holder(objref_report_pattern *p, const objref_snapshot *snap,
	const objref_chain *ex, objref__ages *a, const char *match, int survivors)
{
	size_t n = objref_snapshot_nobjects(snap);
	objref_id h;
	objref_chain head;
	objref_buf text = { 0 };
	int err;

	p->holder = -1;
	p->explained = 0;
	p->holder_id = OBJREF_NO_ID;
	if (!a->known || ex->n < 2 || a->age[ex->ids[ex->n - 1]] == OBJREF__OLD)
		return 0;
	for (size_t j = ex->n - 1; j-- > 0;)
		if (a->age[ex->ids[j]] == OBJREF__OLD) {
			p->holder = (long)j;
			break;
		}
	if (p->holder < 0)
		return 0;
	if ((err = objref__ages_holders(a)) < 0)
		return err;
	h = p->holder_id = ex->ids[p->holder];
	for (objref_id i = 0; i < n; i++)
		if (a->holder[i] == h && match[objref_snapshot_object(snap, i)->type] &&
		    a->age[i] == (survivors ? OBJREF__SURVIVOR : OBJREF__NEW))
			p->explained++;
	head = *ex;
	head.n = (size_t)p->holder + 1;
	objref_chain_format(&text, snap, &head, OBJREF_CHAIN_FOLD);
	if (objref_buf_failed(&text)) {
		objref_buf_dispose(&text);
		return OBJREF_ENOMEM;
	}
	p->holder_text = text.data;
	return 0;
}

static void pattern_free(objref_report_pattern *p)
{
	objref__free(p->text);
	objref__free(p->suspect_text);
	objref__free(p->holder_text);
	objref_report_root_dispose(&p->root);
	for (size_t k = 0; p->steps && k < p->nsteps; k++) {
		objref__free(p->steps[k].type);
		objref__free(p->steps[k].label);
	}
	objref__free(p->steps);
}

/* Patterns whose samples enter through the same holder are one: their
 * counts summed into the first (the biggest), the others dropped; then
 * biggest first again (stable). */
static void merge_by_holder(objref_chains_report *r)
{
	size_t kept = 0;

	for (size_t i = 0; i < r->npatterns; i++) {
		objref_report_pattern *p = &r->patterns[i];
		size_t j = 0;
		while (j < kept && (p->holder_id == OBJREF_NO_ID ||
			r->patterns[j].holder_id != p->holder_id))
			j++;
		if (j < kept) {
			r->patterns[j].count += p->count;
			pattern_free(p);
		} else {
			r->patterns[kept++] = *p;
		}
	}
	r->npatterns = kept;
	for (size_t i = 1; i < kept; i++) { /* insertion sort: at most `samples` */
		objref_report_pattern p = r->patterns[i];
		size_t j = i;
		for (; j > 0 && r->patterns[j - 1].count < p.count; j--)
			r->patterns[j] = r->patterns[j - 1];
		r->patterns[j] = p;
	}
}

/* match[t]: type t is the report's type. */
static char *matching_types(const objref_snapshot *snap, const char *name)
{
	size_t ntypes = objref_snapshot_ntypes(snap);
	char *match = objref__calloc(ntypes + 1, 1);

	for (objref_type_id t = 0; match && t < ntypes; t++)
		match[t] = (char)objref__report_type_is(snap, t, name);
	return match;
}

int objref_chains_report_build(objref_chains_report **out, const objref_snapshot *snap,
	objref_paths *s, const objref_chains_report_options *o)
{
	objref_chains_report_options chosen;
	objref_chains_report *r = NULL;
	objref_chain *chains = NULL;
	objref_chain_group *groups = NULL;
	objref_id *samples = NULL;
	objref__ages ages = { 0 };
	char *match = NULL;
	objref_label *saved = NULL;
	size_t nsamples = 0, ngroups = 0, nlabels = 0;
	int err;

	*out = NULL;
	if (!o || (!o->type && !o->ncandidates) || !o->samples || !o->max_depth)
		return objref__error(OBJREF_EINVAL, "a chains report needs a type, samples and max_depth");
	chosen = *o;
	o = &chosen;
	if (!(r = objref__calloc(1, sizeof(*r))) ||
	    !(samples = objref__calloc(o->samples + 1, sizeof(objref_id))) ||
	    !(chains = objref__calloc(o->samples + 1, sizeof(objref_chain)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	if ((err = objref__ages_init(&ages, snap, o)) < 0 ||
	    (!o->type && (err = objref__choose_type(&chosen.type, r, snap, &ages, o)) < 0))
		goto cleanup;
	if (!(r->type = dup(o->type)) || !(match = matching_types(snap, o->type))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	if ((err = pick_samples(samples, &nsamples, r, snap, &ages, match, o)) < 0)
		goto cleanup;
	if (!nsamples) {
		err = objref__error(OBJREF_ENOTFOUND, "no live object of type '%s'", o->type);
		goto cleanup;
	}
	r->samples = nsamples;
	if ((err = search(chains, s, samples, nsamples, o, &ages)) < 0)
		goto cleanup;
	for (size_t i = 0; i < nsamples; i++)
		nlabels += chains[i].n;
	if (!(saved = objref__malloc(OBJREF__MAX(nlabels, 1) * sizeof(objref_label)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	keep_labels(saved, chains, nsamples, 0);
	/* the keys the chains take out of one container fold for grouping; the
	   pattern shows its example's own key (which entry holds it) */
	objref__fold_shared_keys(chains, nsamples, snap, &ages);
	err = objref_paths_group(&groups, &ngroups, snap, chains, nsamples, 0);
	keep_labels(saved, chains, nsamples, 1);
	if (err < 0)
		goto cleanup;
	if (!(r->patterns = objref__calloc(OBJREF__MAX(ngroups, 1), sizeof(*r->patterns)))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	for (; r->npatterns < ngroups; r->npatterns++) {
		objref_report_pattern *p = &r->patterns[r->npatterns];
		if ((err = fill_pattern(p, snap, s, chains, &groups[r->npatterns], &o->live)) < 0 ||
		    (err = find_holder(p, snap, &chains[groups[r->npatterns].example], &ages, match,
				r->survivors)) < 0 ||
		    (!p->holder_text && !(p->holder_text = dup("")) && (err = OBJREF_ENOMEM))) {
			r->npatterns++; /* so that free releases its parts */
			goto cleanup;
		}
	}
	merge_by_holder(r);
	if (o->picture) {
		objref_buf dot = { 0 };
		if ((err = chains_dot(&dot, snap, chains, groups, ngroups, o->type, r->instances)) < 0) {
			objref_buf_dispose(&dot);
			goto cleanup;
		}
		r->dot = dot.data ? dot.data : dup("");
		if (!r->dot || (err = pattern_dots(r, snap, chains, groups, ngroups, o->type)) < 0) {
			err = r->dot ? err : OBJREF_ENOMEM;
			goto cleanup;
		}
	}
	*out = r;
	r = NULL;
	err = 0;
cleanup:
	for (size_t i = 0; chains && i < nsamples; i++)
		objref_chain_dispose(&chains[i]);
	objref__free(chains);
	objref__free(samples);
	objref__free(match);
	objref__free(saved);
	objref__ages_dispose(&ages);
	objref_free(groups);
	objref_chains_report_free(r);
	return err;
}

void objref_chains_report_free(objref_chains_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npatterns; i++)
		pattern_free(&r->patterns[i]);
	objref__free(r->patterns);
	objref__free(r->type);
	objref__free(r->dot);
	for (size_t i = 0; r->pattern_dots && i < r->npattern_dots; i++)
		objref__free(r->pattern_dots[i]);
	objref__free(r->pattern_dots);
	for (size_t i = 0; i < r->nchoices; i++)
		objref__free(r->choices[i].type);
	objref__free(r->choices);
	objref__free(r);
}

/*
 * lib/builder.c — building a snapshot: objects, types and strings are
 * appended.  Edges that come in source order, as a capture adds them, are
 * kept as CSR from the start: targets and labels appended, each source's
 * first edge noted in `start`.  The first edge out of order turns them into
 * (src, dst, label) triples, sorted into CSR at finish (a counting sort).
 */
#include <string.h>
#include "snapshot_internal.h"

struct objref_builder {
	objref_object *objects;
	size_t nobjects, objects_cap;
	objref_type *types;
	size_t ntypes, types_cap;
	objref_id *esrc, *edst;     /* esrc: only once the edges are out of order */
	objref_label *elab;
	size_t nedges, esrc_cap, edst_cap, elab_cap;
	int edges_sorted;           /* the sources are non-decreasing so far */
	uint64_t *start;            /* CSR offsets by source: sorted, start[0 ..
				     * started) as the edges come; else when asked */
	size_t start_cap, started;
	size_t start_nobjects, start_nedges; /* complete for that many objects and edges */
	objref_root *roots;
	size_t nroots, roots_cap;
	objref__strtab strings;
	objref_gc_state gc;
};

int objref_builder_new(objref_builder **out)
{
	objref_builder *b = objref__calloc(1, sizeof(*b));
	int err;

	*out = NULL;
	if (!b)
		return OBJREF_ENOMEM;
	if ((err = objref__strtab_init(&b->strings)) < 0) {
		objref__free(b);
		return err;
	}
	b->edges_sorted = 1;
	b->start_nobjects = SIZE_MAX;  /* none computed */
	*out = b;
	return 0;
}

void objref_builder_free(objref_builder *b)
{
	if (!b)
		return;
	objref__free(b->objects);
	objref__free(b->types);
	objref__free(b->esrc);
	objref__free(b->edst);
	objref__free(b->elab);
	objref__free(b->roots);
	objref__free(b->start);
	objref__strtab_dispose(&b->strings);
	objref__free(b);
}

int objref_builder_reserve(objref_builder *b, size_t nobjects, size_t nedges)
{
	int err;

	if ((err = objref__grow((void **)&b->objects, &b->objects_cap, nobjects, sizeof(objref_object))) < 0 ||
	    (b->edges_sorted &&
	     (err = objref__grow((void **)&b->start, &b->start_cap, nobjects + 1, sizeof(uint64_t))) < 0) ||
	    (!b->edges_sorted &&
	     (err = objref__grow((void **)&b->esrc, &b->esrc_cap, nedges, sizeof(objref_id))) < 0) ||
	    (err = objref__grow((void **)&b->edst, &b->edst_cap, nedges, sizeof(objref_id))) < 0 ||
	    (err = objref__grow((void **)&b->elab, &b->elab_cap, nedges, sizeof(objref_label))) < 0)
		return err;
	return 0;
}

int objref_builder_string(objref_str *out, objref_builder *b, const char *s, size_t len)
{
	return objref__strtab_intern(out, &b->strings, s, len);
}

int objref_builder_text(objref_str *out, objref_builder *b, const char *s, size_t len)
{
	return objref__strtab_append(out, &b->strings, s, len);
}

int objref_builder_type(objref_type_id *out, objref_builder *b, uint64_t addr,
	const char *module, const char *name, const char *qualname)
{
	objref_type t = { .addr = addr };
	int err;

	if (!name)
		return objref__error(OBJREF_EINVAL, "a type needs a name");
	if ((err = objref__grow((void **)&b->types, &b->types_cap, b->ntypes + 1, sizeof(t))) < 0 ||
	    (err = objref_builder_string(&t.name, b, name, strlen(name))) < 0 ||
	    (err = objref_builder_string(&t.module, b, module ? module : "builtins",
			strlen(module ? module : "builtins"))) < 0 ||
	    (err = objref_builder_string(&t.qualname, b, qualname ? qualname : name,
			strlen(qualname ? qualname : name))) < 0)
		return err;
	b->types[b->ntypes] = t;
	*out = (objref_type_id)b->ntypes++;
	return 0;
}

int objref_builder_object(objref_id *out, objref_builder *b, const objref_object *obj)
{
	int err;

	if (b->nobjects >= OBJREF_NO_ID)
		return objref__error(OBJREF_EINVAL, "too many objects for 32-bit ids");
	if ((err = objref__grow((void **)&b->objects, &b->objects_cap, b->nobjects + 1,
			sizeof(*obj))) < 0)
		return err;
	b->objects[b->nobjects] = *obj;
	*out = (objref_id)b->nobjects++;
	return 0;
}

objref_type *objref_builder_type_at(objref_builder *b, objref_type_id id)
{
	return id < b->ntypes ? &b->types[id] : NULL;
}

void objref_builder_gc_state(objref_builder *b, const objref_gc_state *gc)
{
	b->gc = *gc;
}

objref_object *objref_builder_object_at(objref_builder *b, objref_id id)
{
	return id < b->nobjects ? &b->objects[id] : NULL;
}

objref_object *objref_builder_objects(objref_builder *b, size_t *n)
{
	*n = b->nobjects;
	return b->objects;
}

void objref_builder_edges(const objref_id **src, const objref_id **dst, size_t *n, int *sorted,
	const objref_builder *b)
{
	*src = b->esrc;
	*dst = b->edst;
	*n = b->nedges;
	*sorted = b->edges_sorted;
}

/* The first edge out of source order: the edges so far get their sources
 * back from the offsets, and are kept as triples from now on. */
static int unsort_edges(objref_builder *b)
{
	size_t e = 0;

	if (objref__grow((void **)&b->esrc, &b->esrc_cap, OBJREF__MAX(b->edst_cap, 1), sizeof(objref_id)) < 0)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < b->started; i++) {
		size_t end = i + 1 < b->started ? b->start[i + 1] : b->nedges;
		for (; e < end; e++)
			b->esrc[e] = (objref_id)i;
	}
	objref__free(b->start);
	b->start = NULL;
	b->start_cap = b->started = b->start_nedges = 0;
	b->start_nobjects = SIZE_MAX;  /* none computed */
	b->edges_sorted = 0;
	return 0;
}

int objref_builder_edge(objref_builder *b, objref_id src, objref_id dst, objref_label label)
{
	size_t n = b->nedges + 1;
	int err;

	/* out of order, or from an object not added yet (which CSR cannot
	 * hold before it is: its id may be anything) */
	if (b->edges_sorted && (src + (size_t)1 < b->started || src >= b->nobjects) &&
	    (err = unsort_edges(b)) < 0)
		return err;
	if (b->edges_sorted && src >= b->started) {
		/* src's first edge: objects started .. src begin here */
		if ((err = objref__grow((void **)&b->start, &b->start_cap, (size_t)src + 2, sizeof(uint64_t))) < 0)
			return err;
		for (size_t i = b->started; i <= src; i++)
			b->start[i] = b->nedges;
		b->started = (size_t)src + 1;
	}
	if ((!b->edges_sorted &&
	     (err = objref__grow((void **)&b->esrc, &b->esrc_cap, n, sizeof(objref_id))) < 0) ||
	    (err = objref__grow((void **)&b->edst, &b->edst_cap, n, sizeof(objref_id))) < 0 ||
	    (err = objref__grow((void **)&b->elab, &b->elab_cap, n, sizeof(objref_label))) < 0)
		return err;
	if (!b->edges_sorted)
		b->esrc[b->nedges] = src;
	b->edst[b->nedges] = dst;
	b->elab[b->nedges] = label;
	b->nedges = n;
	return 0;
}

objref_id *objref_builder_edge_targets(objref_builder *b, size_t *n)
{
	*n = b->nedges;
	return b->edst;
}

int objref_builder_root(objref_builder *b, const objref_root *root)
{
	int err = objref__grow((void **)&b->roots, &b->roots_cap, b->nroots + 1, sizeof(*root));

	if (err < 0)
		return err;
	b->roots[b->nroots++] = *root;
	return 0;
}

/* Edge offsets from the source ids; checks every id is in range. */
static int count_edges(uint64_t *start, const objref_builder *b)
{
	for (size_t e = 0; e < b->nedges; e++) {
		if (b->esrc[e] >= b->nobjects || b->edst[e] >= b->nobjects)
			return objref__error(OBJREF_EINVAL, "edge %zu (%u -> %u) names a missing object (%zu objects)",
				e, b->esrc[e], b->edst[e], b->nobjects);
		start[b->esrc[e] + 1]++;
	}
	for (size_t i = 0; i < b->nobjects; i++)
		start[i + 1] += start[i];
	return 0;
}

/* The offsets kept as the edges came, completed for the objects with no
 * edge after the last source; checks every id is in range. */
static int complete_start(objref_builder *b)
{
	int err;

	for (size_t e = 0; e < b->nedges; e++)
		if (b->edst[e] >= b->nobjects)
			return objref__error(OBJREF_EINVAL, "edge %zu (-> %u) names a missing object (%zu objects)",
				e, b->edst[e], b->nobjects);
	if ((err = objref__grow((void **)&b->start, &b->start_cap, b->nobjects + 1, sizeof(uint64_t))) < 0)
		return err;
	/* not b->started: a later edge may still start at an object here */
	for (size_t i = b->started; i <= b->nobjects; i++)
		b->start[i] = b->nedges;
	return 0;
}

/* b->start: the offsets of the objects and edges added so far, computed
 * unless they already are. */
static int index_sources(objref_builder *b)
{
	int err;

	if (b->start && b->start_nobjects == b->nobjects && b->start_nedges == b->nedges)
		return 0;
	if (b->edges_sorted) {
		if ((err = complete_start(b)) < 0)
			return err;
	} else {
		objref__free(b->start);
		b->start_cap = 0;
		if (!(b->start = objref__calloc(b->nobjects + 1, sizeof(uint64_t))))
			return OBJREF_ENOMEM;
		b->start_cap = b->nobjects + 1;
		if ((err = count_edges(b->start, b)) < 0) {
			objref__free(b->start);
			b->start = NULL;
			b->start_cap = 0;
			return err;
		}
	}
	b->start_nobjects = b->nobjects;
	b->start_nedges = b->nedges;
	return 0;
}

int objref_builder_edge_start(const uint64_t **start, objref_builder *b)
{
	int err = index_sources(b);

	*start = err ? NULL : b->start;
	return err;
}

/* Stable counting sort of the edges by source into s (start already set). */
static int sort_edges(objref_snapshot *s, objref_builder *b)
{
	uint64_t *next = objref__malloc((b->nobjects + 1) * sizeof(uint64_t));
	objref_id *dst = objref__malloc(OBJREF__MAX(b->nedges, 1) * sizeof(objref_id));
	objref_label *lab = objref__malloc(OBJREF__MAX(b->nedges, 1) * sizeof(objref_label));

	if (!next || !dst || !lab) {
		objref__free(next);
		objref__free(dst);
		objref__free(lab);
		return OBJREF_ENOMEM;
	}
	memcpy(next, s->edge_start, (b->nobjects + 1) * sizeof(uint64_t));
	for (size_t e = 0; e < b->nedges; e++) {
		uint64_t at = next[b->esrc[e]]++;
		dst[at] = b->edst[e];
		lab[at] = b->elab[e];
	}
	objref__free(next);
	s->edge_dst = dst;
	s->edge_label = lab;
	return 0;
}

int objref_builder_finish(objref_snapshot **out, objref_builder *b)
{
	objref_snapshot *s = objref__calloc(1, sizeof(*s));
	int err = OBJREF_ENOMEM;

	*out = NULL;
	if (!s || (err = index_sources(b)) < 0)
		goto cleanup;
	s->edge_start = b->start;  /* the root pass's, when it asked for them */
	b->start = NULL;
	b->start_cap = b->started = 0;
	if (b->edges_sorted) {
		s->edge_dst = b->edst;
		s->edge_label = b->elab;
		b->edst = NULL;
		b->elab = NULL;
	} else if ((err = sort_edges(s, b)) < 0) {
		goto cleanup;
	}
	if (!s->edge_dst && (!(s->edge_dst = objref__calloc(1, sizeof(objref_id))) ||
			     !(s->edge_label = objref__calloc(1, sizeof(objref_label))))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	s->nedges = b->nedges;
	s->objects = b->objects;
	s->nobjects = b->nobjects;
	s->types = b->types;
	s->ntypes = b->ntypes;
	s->roots = b->roots;
	s->nroots = b->nroots;
	s->gc = b->gc;
	s->strings = b->strings;
	objref__strtab_freeze(&s->strings);
	b->objects = NULL;
	b->types = NULL;
	b->roots = NULL;
	memset(&b->strings, 0, sizeof(b->strings));
	*out = s;
	s = NULL;
	err = 0;
cleanup:
	objref_snapshot_free(s);
	objref_builder_free(b);
	return err;
}

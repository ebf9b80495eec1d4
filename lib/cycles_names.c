/*
 * lib/cycles_names.c — names learnt after the analysis.
 *
 * Some references along a shape's example are labelled "unnamed"
 * (OBJREF_SP_ATTR_UNNAMED: an attribute stored inline, 3.11+, whose name
 * only the live heap can tell).  objref_cycles_name_refs hands them to a
 * naming function (capture's objref_capture_namer, or a test's) and takes
 * back the labels it filled in.  The cycles analysis never calls capture:
 * the function comes in as a callback.
 */
#include <string.h>
#include "cycles_internal.h"

/* Steps of a shape named at most (a ring of a million steps shows a dozen). */
#define NAME_STEPS 4096

static const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);

/* The unnamed references of every shape's example, shape by shape and
 * step by step, into refs (NULL: count only); returns how many. */
static size_t gather(objref_ref *refs, const objref_cycles *cyc)
{
	size_t n = 0;

	for (size_t i = 0; i < objref_cycles_nshapes(cyc); i++) {
		const objref_cycle_shape *sh = objref_cycles_shape(cyc, i);
		for (size_t j = 0; j < sh->nsteps && j < NAME_STEPS; j++) {
			if (sh->example_labels[j] != unnamed)
				continue;
			if (refs)
				refs[n] = (objref_ref){ .holder = sh->example[j],
					.target = sh->example[(j + 1) % sh->nsteps], .label = unnamed };
			n++;
		}
	}
	return n;
}

/* Set the labels fn named, walking the steps in gather's order. */
static int apply(objref_cycles *cyc, const objref_ref *refs, size_t n)
{
	size_t k = 0;
	int err = 0;

	for (size_t i = 0; i < objref_cycles_nshapes(cyc) && !err; i++) {
		const objref_cycle_shape *sh = objref_cycles_shape(cyc, i);
		for (size_t j = 0; j < sh->nsteps && j < NAME_STEPS && k < n && !err; j++) {
			if (sh->example_labels[j] != unnamed)
				continue;
			if (refs[k].holder != sh->example[j])
				return objref__error(OBJREF_EINVAL, "named reference %zu moved", k);
			if (refs[k].label != unnamed)
				err = objref_cycles_set_label(cyc, i, j, refs[k].label);
			k++;
		}
	}
	return err;
}

int objref_cycles_name_refs(objref_cycles *cyc, objref_name_refs_fn fn, void *arg)
{
	size_t n = gather(NULL, cyc);
	objref_ref *refs;
	int err;

	if (n == 0)
		return 0;
	if (!(refs = objref__malloc(n * sizeof(*refs))))
		return OBJREF_ENOMEM;
	gather(refs, cyc);
	if ((err = fn(refs, n, arg)) >= 0)
		err = apply(cyc, refs, n);
	objref__free(refs);
	return err;
}

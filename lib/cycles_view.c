/*
 * lib/cycles_view.c — the picture of a shape: its example instance's cycle
 * as a view (view.h) for objref_view_dot.
 */
#include <stdio.h>
#include "cycles_internal.h"
#include "objref/view.h"
#include "objref/cycles_report.h"

/* Steps of a cycle drawn at most; a longer one is cut (its text says so). */
#define VIEW_STEPS 60

int objref_cycles_view(objref_view *v, const objref_cycles *c, size_t i)
{
	const objref_cycle_shape *sh;
	uint32_t first = UINT32_MAX, prev = UINT32_MAX, node;
	char text[512], reason[256];
	size_t n;
	int err;

	if (i >= c->nshapes)
		return objref__error(OBJREF_EINVAL, "no shape %zu (%zu shapes)", i, c->nshapes);
	sh = &c->shapes[i].pub;
	n = sh->nsteps < VIEW_STEPS ? sh->nsteps : VIEW_STEPS;
	for (size_t j = 0; j < n; j++) {
		uint32_t flags = OBJREF_VN_GARBAGE | (sh->example[j] == sh->culprit ? OBJREF_VN_HIGHLIGHT : 0);
		if ((err = objref_view_object(&node, v, sh->example[j], flags)) < 0)
			return err;
		if (prev != UINT32_MAX && (err = objref_view_edge_add(v, prev, node, sh->example_labels[j - 1],
				sh->fix == (int)(j - 1) ? OBJREF_VE_SUSPECT : 0)) < 0)
			return err;
		if (j == 0)
			first = node;
		prev = node;
	}
	if (n == sh->nsteps && (err = objref_view_edge_add(v, prev, first, sh->example_labels[n - 1],
			sh->fix == (int)(n - 1) ? OBJREF_VE_SUSPECT : 0)) < 0)
		return err;
	objref_cycles_reason(reason, sizeof(reason), c, i);
	snprintf(text, sizeof(text), "shape %zu: %zu instance%s, %zu objects%s: %s", i + 1, sh->count,
		sh->count == 1 ? "" : "s", sh->objects,
		n < sh->nsteps ? " (cycle cut: first steps only)" : "", reason);
	return objref_view_node_extra(v, first, text);
}

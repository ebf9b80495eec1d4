/*
 * lib/cycles_internal.h — the layout behind objref_cycles, shared by
 * cycles_shape.c (building) and cycles_report.c (text).
 */
#ifndef OBJREF_CYCLES_INTERNAL_H
#define OBJREF_CYCLES_INTERNAL_H

#include "internal.h"
#include "snapshot_internal.h"
#include "objref/cycles.h"

#define OBJREF__CYC_SAMPLES 3

/* A shape while building: offsets into the pools (pointers are set at the
 * end, when the pools stop moving). */
typedef struct {
	objref_cycle_shape pub;
	uint64_t hash;
	size_t off;                /* steps and example at off .. off+nsteps */
	objref_id samples[OBJREF__CYC_SAMPLES]; /* components of the first instances */
	size_t nsamples;
	uint32_t old;              /* its index before sorting */
	uint32_t valid[16];        /* steps whose weakening breaks every sample */
	size_t nvalid;
} objref__shape;

struct objref_cycles {
	objref_snapshot *snap;
	uint8_t *cls;              /* per object: objref_garbage_class */
	objref_id *pairs;          /* culprits: held, holder */
	size_t npairs;
	objref_id *comp;           /* per object: garbage component or NO_ID */
	size_t ncomp;
	uint32_t *comp_shape;      /* per component: shape index or UINT32_MAX */
	objref_id *comp_rep;       /* per component: its canonical member */
	objref__shape *shapes;
	size_t nshapes, shapes_cap;
	objref_cycle_step *steps;  /* pools */
	objref_id *ex_ids;
	objref_label *ex_labels;
	size_t pool_len, steps_cap, ids_cap, labels_cap;
	objref_cycles_summary sum;
};

/* INDEX labels fold to [*]. */
static inline objref_label objref__cyc_fold(objref_label l)
{
	return OBJREF_LABEL_KIND(l) == OBJREF_LABEL_INDEX
		? OBJREF_LABEL(OBJREF_LABEL_INDEX, OBJREF_LABEL_PAYLOAD_MAX) : l;
}

/*
 * Choose each shape's fix hint (cycles_fix.c): components' members are
 * members[cstart[k] .. cstart[k+1]); the inferred edges of object v are
 * xto[xstart[v] .. xstart[v+1]).  Returns 0 or OBJREF_ENOMEM.
 */
int objref__cycles_fix(objref_cycles *c, const uint32_t *cstart, const objref_id *members,
	const uint32_t *xstart, const objref_id *xto);

/* Set sh->pub.fix from its valid steps and their labels now. */
void objref__cycles_choose_fix(const objref_cycles *c, objref__shape *sh);

#endif

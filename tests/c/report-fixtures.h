/*
 * tests/c/report-fixtures.h — what the report tests share (chains, cycles
 * and census reports): a hand-built heap written as tables, built with
 * every allocation through the library (so the fault tests reach them),
 * and the fail-every-allocation-in-turn loop over a report path.
 */
#ifndef OBJREF_TEST_REPORT_FIXTURES_H
#define OBJREF_TEST_REPORT_FIXTURES_H

#include "fixtures.h"

/* A type: flags RF_FACTS for the identity flags capture would set
 * (fx_type_facts); qualname = name. */
#define RF_FACTS UINT32_MAX
typedef struct {
	const char *module, *name;
	uint32_t flags;
} rf_type;

/* An object: refcnt 1; desc interned when not NULL. */
typedef struct {
	uint32_t type;   /* index in the heap's types */
	uint64_t size;
	uint32_t flags;  /* OBJREF_F_* */
	const char *desc;
} rf_object;

/* A reference from -> to labelled kind (OBJREF_LABEL_*): num for INDEX and
 * SPECIAL, str (interned) for KEY and ATTR. */
typedef struct {
	objref_id from, to;
	unsigned kind;
	uint32_t num;
	const char *str;
} rf_edge;

/* A root record; the strings interned when not NULL. */
typedef struct {
	objref_root_kind kind;
	objref_id object;
	const char *name;
	uint32_t extra;
	uint64_t thread;
	const char *function, *file;
	uint32_t line;
} rf_root;

typedef struct {
	uint64_t type_addr;               /* type i at type_addr + i */
	uint64_t base_addr, stride;       /* object i at base_addr + stride * i */
	const rf_type *types;
	size_t ntypes;
	const rf_object *objects;
	size_t nobjects;
	const rf_edge *edges;
	size_t nedges;
	const rf_root *roots;
	size_t nroots;
	const objref_gc_state *gc;        /* NULL: left unknown */
} rf_heap;

/* The snapshot of h: 0, or the library's negative code (the builder is
 * freed; OBJREF_ENOMEM under fault injection). */
int rf_heap_build(objref_snapshot **out, const rf_heap *h);

/*
 * The fault test of a report path: path(out, arg) once for the reference
 * output (it must succeed and make more than min_allocs allocations), then
 * with each of its allocations failing in turn: every run must give
 * OBJREF_ENOMEM with a message, or the reference output; more than half
 * must fail.  TEST_OK or TEST_FAIL (after printing why).
 */
int rf_fault_each(int (*path)(objref_buf *out, void *arg), void *arg, unsigned long min_allocs);

#endif

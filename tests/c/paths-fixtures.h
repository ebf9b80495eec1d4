/*
 * tests/c/paths-fixtures.h — what the paths tests share: a small heap
 * builder (errors collected, checked at finish), the base heap of the
 * search tests, and checks on chains.
 */
#ifndef OBJREF_TEST_PATHS_FIXTURES_H
#define OBJREF_TEST_PATHS_FIXTURES_H

#include <time.h>
#include "fixtures.h"

#define IDX(i) OBJREF_LABEL(OBJREF_LABEL_INDEX, (i))
#define DICT OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)
#define NOLABEL OBJREF_LABEL(OBJREF_LABEL_NONE, 0)

typedef struct {
	objref_builder *b;
	int failed;
	uint64_t next_addr;
	objref_type_id t_module, t_dict, t_list, t_tuple, t_session, t_frame, t_int;
} heap;

enum {
	B_T, B_L2, B_SESSION, B_SDICT, B_L1, B_ODICT, B_OTHER, B_L, B_CACHE, B_ADICT, B_APP,
	B_G1, B_G2, B_GT, B_COUNT
};

int ph_heap_new(heap *h);
objref_str ph_intern(heap *h, const char *s);
objref_id ph_add(heap *h, objref_type_id type, uint32_t flags, const char *desc);
void ph_ref(heap *h, objref_id src, objref_id dst, objref_label label);
objref_label ph_key(heap *h, const char *k);
objref_label ph_attr(heap *h, const char *name);
void ph_root(heap *h, objref_root_kind kind, objref_id id, const char *name);
int ph_heap_finish(objref_snapshot **out, heap *h);
int ph_base_heap(objref_snapshot **out);
int ph_chain_real(const objref_snapshot *snap, const objref_chain *c);
int ph_chain_is(const objref_chain *c, const objref_id *ids, size_t n);
const char *ph_chain_text(const objref_snapshot *snap, const objref_chain *c, unsigned flags);
double ph_now_ms(void);
/* A string of a built snapshot by its text (0 when absent), and the dict
 * key label naming it. */
objref_str ph_str_find(const objref_snapshot *snap, const char *s);
objref_label ph_key_find(const objref_snapshot *snap, const char *k);
/* A tuple in a list held only by a running frame's local "pending"
 * (Worker.run, /srv/app/worker.py:42): the 3.11+ case (test-view.c). */
int view_frame_heap(objref_snapshot **out);
/* A forward-search predicate: objects whose type is called "tuple". */
int ph_is_tuple(const objref_snapshot *snap, objref_id id, void *arg);

#endif

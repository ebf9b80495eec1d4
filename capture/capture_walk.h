/*
 * capture/capture_walk.h — the state of one snapshot's walk, shared by the
 * walk (capture_walk.c: objects, edges, the capture) and the labels
 * (capture_labels.c: what each type's members are called, and the hints
 * that name a traversed reference).  Private to capture/.
 */
#ifndef OBJREF_CAPTURE_WALK_H
#define OBJREF_CAPTURE_WALK_H

#include "capture_internal.h"

/* A reference we can name, read from a field of the object being walked:
 * a traversed reference to obj takes the label of its first unused hint. */
typedef struct {
	PyObject *obj;
	objref_label label;
	int used;
} objref__hint;

typedef struct {
	objref_type_id id;
	objref__size_class size; /* how its instances are sized, worked out once */
	int by_len;           /* described by its length (objref__described_by_len) */
	size_t nmembers;
	Py_ssize_t *offsets;  /* T_OBJECT / T_OBJECT_EX members over the MRO */
	objref_label *labels;
} objref__type_info;

/* Containers shorter than this have their "len N" written once per walk. */
#define OBJREF__LEN_DESCS 256

typedef struct objref__walk {
	objref_builder *b;
	objref__objset objs;      /* every object; id == builder id.  Indexed by
				   * `seen`: the walk appends what it marks there */
	objref__markset seen;     /* every object so far: the walk asks it, not
				   * the index (in the cache where the index's
				   * probes miss) */
	PyObject **pend;          /* the targets of the edges whose target has no
				   * code among the marks (a heap spread over more
				   * than 64 GB), in the builder's order */
	size_t npend, pend_cap;
	size_t ntracked;          /* ids below: listed by the collector (each holds a
				   * reference from `keep` before 3.12); the permanent
				   * generation it left out follows the roots' seeds */
	int refcnt_bias;          /* 1 when capture holds each listed tracked object */
	int tracked_only;         /* no OBJREF_CAPTURE_UNTRACKED: leave untracked objects out */
	objref__objset untracked_seeds; /* tracked_only: the untracked objects the roots
				   * seeded, the only ones edges may reach */
	int no_lookups;           /* OBJREF__CAPTURE_NO_LOOKUPS: inline attributes unnamed */
	int refs_only;            /* OBJREF_CAPTURE_REFS_ONLY: no descriptions, no labels */
	objref__objset types;
	objref__type_info *tinfo;
	size_t tinfo_cap;
	objref__objset closures;  /* closure tuples of functions */
	PyObject **closure_code;  /* their function's code, by closure id */
	size_t closure_cap;
	objref__hint *hints;
	size_t nhints, hints_cap;
	uint32_t *hslots;         /* many hints: object -> first unused hint + 1 */
	uint32_t *hnext;          /* next hint of the same object + 1 */
	size_t hslots_cap, hnext_cap;
	PyObject **targets;
	size_t ntargets, targets_cap;
	objref_label *labels;     /* of targets */
	size_t labels_cap;
	objref__inline inl;       /* inline attributes' names (capture_inline.c) */
	objref_label name_label;  /* .__name__, interned once */
	objref__hidden hidden;    /* references traversal hides (capture_hidden.c) */
	uint32_t len_desc[OBJREF__LEN_DESCS]; /* "len N"'s string + 1, by N, once written */
	char text[512];
} objref__walk;

/* ---- capture_labels.c -------------------------------------------------- */

/* The type info of op's type, made at first sight (its members' offsets
 * and labels over the MRO, how its instances are sized); NULL out of
 * memory. */
objref__type_info *objref__walk_type_of(objref__walk *w, PyObject *op);
void objref__walk_dispose_types(objref__walk *w);

/* w->hints: every (object, label) pair op's fields name, from its type's
 * members and its kind (items, dict entries, a function's or frame's
 * fields ...).  OBJREF_ENOMEM. */
int objref__walk_collect_hints(objref__walk *w, PyObject *op, const objref__type_info *ti);

/* With many hints, index them by object (call before labelling). */
int objref__walk_index_hints(objref__walk *w);

/* w->labels[i] for each of w->targets (op's traversed references): its
 * hint, the role it can only have, or from 3.11 its inline attribute's
 * name; none when unknown. */
int objref__walk_label_targets(objref__walk *w, PyObject *op);

/* Note the closure tuples of the functions among w->objs [from, to), so
 * their items are named after the free variables (none with refs_only). */
int objref__walk_find_closures(objref__walk *w, size_t from, size_t to);

#endif

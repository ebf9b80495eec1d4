/*
 * lib/report_chains_internal.h — what the chains report knows about age
 * (lib/report_chains_new.c): which objects are new since the baseline and
 * which of them survived a checkpoint, each new object's nearest holder
 * that was alive at the baseline, roots that are themselves new, and keys
 * folded under a shared container.
 */
#ifndef OBJREF_REPORT_CHAINS_INTERNAL_H
#define OBJREF_REPORT_CHAINS_INTERNAL_H

#include "objref/chains_report.h"

enum { OBJREF__OLD = 0, OBJREF__NEW = 1, OBJREF__SURVIVOR = 2 };

typedef struct {
	const objref_snapshot *snap;
	int known;           /* a baseline was given: age means something */
	unsigned char *age;  /* per object: OBJREF__OLD, __NEW or __SURVIVOR */
	objref_id *holder;   /* per object: a new object's nearest holder alive at the
				baseline (OBJREF_NO_ID: none, or old); NULL until
				objref__ages_holders */
} objref__ages;

/* Does type t answer to name ("Session" or "app.Session")? */
int objref__report_type_is(const objref_snapshot *snap, objref_type_id t, const char *name);

/* Without o->type: which of o->candidates to chain (report_chains_choose.c).
 * *type is the chosen name (one of o->candidates); r->choices lists what
 * each candidate's new objects retain when there were two or more and a
 * baseline.  0 or OBJREF_ENOMEM. */
int objref__choose_type(const char **type, objref_chains_report *r, const objref_snapshot *snap,
	const objref__ages *ages, const objref_chains_report_options *o);

/* The age of every object of snap from o's baseline and survivors (all
 * OBJREF__OLD without a baseline).  0 or OBJREF_ENOMEM. */
int objref__ages_init(objref__ages *a, const objref_snapshot *snap,
	const objref_chains_report_options *o);

/* Fill a->holder: one breadth-first search forward from every old object
 * at once, through new objects only, so each new object gets the old
 * object that reaches it in the fewest references.  O(objects +
 * references).  0 or OBJREF_ENOMEM. */
int objref__ages_holders(objref__ages *a);

void objref__ages_dispose(objref__ages *a);

/* The default roots (objref_paths_is_root) ranked so that a root that is
 * itself new (a module made at run time, a new thread's frame) comes after
 * every old one: a search looks through it to a holder that existed at the
 * baseline, and stops at it only when none is within reach.  arg: an
 * objref__root_arg. */
typedef struct {
	objref_paths *paths;
	const objref__ages *ages;
} objref__root_arg;
int objref__old_roots_first(const objref_snapshot *snap, objref_id id, void *arg);

/* Where the chains of the samples pass through the same container object
 * with different keys or indices to objects new since the baseline (entries
 * the run added: AUDIT ['r3704'], AUDIT ['r3705']; sys.modules ['_tenant_7'],
 * ['_tenant_8']), the label becomes "[*]" in every one of them, whatever
 * the key's type; attribute names are kept, and so are keys to objects that
 * were there before (distinct holders).  For grouping: the report puts the
 * keys back for its text. */
void objref__fold_shared_keys(objref_chain *chains, size_t n, const objref_snapshot *snap,
	const objref__ages *ages);

#endif

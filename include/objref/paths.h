/*
 * objref/paths.h — why is it alive: retention chains over a snapshot.
 *
 *   objref_revindex   the reverse of the snapshot's references: for every
 *                     object, the objects that refer to it (built once per
 *                     snapshot, O(objects + edges));
 *   objref_paths      a searcher: breadth-first search from a sample back to
 *                     the nearest root (objgraph.find_backref_chain), or
 *                     forward to the nearest object satisfying a predicate
 *                     (objgraph.find_ref_chain), with scratch memory reused
 *                     from one search to the next;
 *   objref_chain      the answer: objects from the root to the sample, with
 *                     the label of every reference between them;
 *   grouping          k chains (one per sample) grouped by shape, biggest
 *                     group first;
 *   objref_chain_format
 *                     "module app .CACHE -> dict ['k'] -> list [*] -> tuple".
 *
 * Everything here only reads the snapshot; a searcher is used by one thread
 * at a time, while any number of searchers may share one snapshot and one
 * reverse index.
 */
#ifndef OBJREF_PATHS_H
#define OBJREF_PATHS_H

#include "snapshot.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- reverse index ------------------------------------------------------ */

/*
 * The transpose of the snapshot's CSR.  Invariants: the referrers of object
 * i are the slots start[i] .. start[i+1]-1 of src[] and label[]; slot k
 * stands for the reference src[k] -> i labelled label[k]; there is exactly
 * one slot per edge of the snapshot (duplicates and self-references kept);
 * the referrers of one object come in increasing src order, and the edges
 * of one src in their order in the snapshot.  Memory: 8 bytes per object
 * plus 8 bytes per edge.
 */
typedef struct objref_revindex objref_revindex;

/*
 * Build the reverse index of snap (a counting sort, O(objects + edges), no
 * recursion).  *out is owned by the caller: free it with
 * objref_revindex_free.  It does not refer to snap after it is built, but
 * only makes sense with it.  Returns 0 or OBJREF_ENOMEM (then *out is NULL).
 */
OBJREF_EXTERN int objref_revindex_new(objref_revindex **out, const objref_snapshot *snap);

/* Free a reverse index; NULL is allowed.  Arrays obtained from
 * objref_revindex_referrers become invalid. */
OBJREF_EXTERN void objref_revindex_free(objref_revindex *ri);

/*
 * The referrers of object `id`: *src and *labels are set to arrays of *n
 * entries (borrowed from ri, valid until it is freed); entry k is the
 * reference (*src)[k] -> id labelled (*labels)[k].  Returns 0, or
 * OBJREF_EINVAL when id is out of range.
 */
OBJREF_EXTERN int objref_revindex_referrers(const objref_id **src, const objref_label **labels,
	size_t *n, const objref_revindex *ri, objref_id id);

/* Bytes of memory the index holds. */
OBJREF_EXTERN size_t objref_revindex_bytes(const objref_revindex *ri);

/* ---- chains --------------------------------------------------------------- */

typedef enum {
	OBJREF_PATH_FOUND = 0,    /* a root (forward: a target) within max_depth */
	OBJREF_PATH_TOO_DEEP = 1, /* none within max_depth; a larger max_depth may find one */
	OBJREF_PATH_UNREACHABLE = 2 /* none at all: no root reaches the sample (garbage,
				       held by a cycle or nothing); forward: no target
				       is reachable from the start */
} objref_path_status;

/*
 * A chain of references: ids[0] -> ids[1] -> ... -> ids[n-1], where
 * labels[i] labels the reference ids[i] -> ids[i+1] (n-1 labels).  A
 * backward search gives root ... sample; a forward search start ... target.
 *
 * Zero-initialise ({0}) before the first search and release with
 * objref_chain_dispose; a search overwrites the chain and grows its arrays
 * only when they are too small, so one chain reused for many searches
 * allocates (almost) nothing.
 */
typedef struct {
	objref_id *ids;       /* n objects */
	objref_label *labels; /* n - 1 labels (allocated for n) */
	size_t n;
	size_t cap;           /* capacity of ids and labels */
	objref_path_status status;
	/*
	 * FOUND: n - 1, the length of the chain.  TOO_DEEP: how many references
	 * separate the sample from its nearest root (> max_depth), or 0 when
	 * OBJREF_PATHS_STOP_AT_DEPTH kept the search from finding out.
	 * UNREACHABLE: 0.
	 */
	size_t distance;
} objref_chain;

/* Free the arrays of a chain and zero it; the struct itself is the
 * caller's.  NULL is allowed. */
OBJREF_EXTERN void objref_chain_dispose(objref_chain *chain);

/* ---- searching ------------------------------------------------------------ */

/*
 * A predicate over objects, called at most once per object per search:
 * 0 when `id` is not what the search looks for; 1 when it is; a larger
 * number when it is, but less preferred (a rank: see objref_paths_find); a
 * negative number to stop the search, which then returns OBJREF_ERROR.
 */
typedef int (*objref_paths_pred)(const objref_snapshot *snap, objref_id id, void *arg);

enum {
	/*
	 * Do not look past max_depth (objgraph's behaviour): TOO_DEEP then
	 * means "something was left unexplored at max_depth".  Without it, a
	 * search that finds nothing within max_depth tells TOO_DEEP (and the
	 * distance) from UNREACHABLE: with the default roots and no ignore set
	 * from the distances of every object to the nearest root, computed on
	 * the first such search (one pass over the snapshot, 4 bytes per
	 * object kept by the searcher); otherwise by searching on, unbounded,
	 * which costs at most the objects that reach the sample but calls the
	 * predicate on each.
	 */
	OBJREF_PATHS_STOP_AT_DEPTH = 1u << 0
};

typedef struct {
	size_t max_depth;        /* most references in a chain; objgraph's default is 20 */
	const objref_id *ignore; /* extra_ignore: objects never passed through (the
				    sample itself still is the start); ids out of
				    range are skipped, so OBJREF_NO_ID may appear */
	size_t nignore;
	objref_paths_pred is_root; /* backward search: NULL for the default roots
				      (objref_paths_is_root) */
	void *is_root_arg;
	unsigned flags;          /* OBJREF_PATHS_* */
} objref_paths_options;

#define OBJREF_PATHS_DEFAULT_DEPTH 20

/* The defaults, as objref_paths_options_init sets them:
 * `objref_paths_options o = OBJREF_PATHS_OPTIONS_INIT;` */
#define OBJREF_PATHS_OPTIONS_INIT { .max_depth = OBJREF_PATHS_DEFAULT_DEPTH, .ignore = NULL, \
	.nignore = 0, .is_root = NULL, .is_root_arg = NULL, .flags = 0 }

/* Fill *opts with the defaults: max_depth 20, no ignore set, the default
 * roots, no flags. */
OBJREF_EXTERN void objref_paths_options_init(objref_paths_options *opts);

typedef struct objref_paths objref_paths;

/*
 * A searcher over snap.  ri is a reverse index of snap that the caller
 * keeps alive as long as the searcher, or NULL to have the searcher build
 * (and own) one.  The searcher holds 13 bytes per object (marks, the search
 * tree, root ranks), 4 per root record, a queue that grows to the largest
 * search made, and, once a search needs them, 4 bytes per object of
 * distances to the roots (see OBJREF_PATHS_STOP_AT_DEPTH).  snap must outlive it.  Free with
 * objref_paths_free.  Returns 0, OBJREF_EINVAL (ri belongs to another
 * snapshot) or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_paths_new(objref_paths **out, const objref_snapshot *snap,
	const objref_revindex *ri);

/* Free a searcher (and the reverse index it built, if any); NULL is
 * allowed.  Chains it produced stay valid: they belong to the caller. */
OBJREF_EXTERN void objref_paths_free(objref_paths *s);

/* The reverse index the searcher uses (given or its own), valid while the
 * searcher lives. */
OBJREF_EXTERN const objref_revindex *objref_paths_revindex(const objref_paths *s);

/*
 * The default roots, ranked in the order of preference that
 * include/objref/snapshot.h gives: 0 when `id` is no root, else
 *   1  a module (OBJREF_F_MODULE: objgraph's is_proper_module), a MODULE
 *      or FRAME root record, or OBJREF_F_ROOT without any record;
 *   2  GC_GARBAGE;  3  FROZEN;  4  HELD_FROM_C;  5  IMMORTAL.
 * An object with several records takes the best.  O(1).
 */
OBJREF_EXTERN int objref_paths_is_root(const objref_paths *s, objref_id id);

/* The most preferred root record of `id` (borrowed from the snapshot), or
 * NULL when it has none (not a root, or a root by its flags only).
 * O(log roots). */
OBJREF_EXTERN const objref_root *objref_paths_root_of(const objref_paths *s, objref_id id);

/*
 * objgraph.find_backref_chain: breadth-first from `sample` through its
 * referrers to the nearest root, iteratively (no recursion, any depth).
 * Roots have ranks (objref_paths_is_root, or the values of opts->is_root):
 * the chain leads to a root of the best rank within max_depth, and is the
 * shortest to such a root; among equally short ones, the first found when
 * referrers are taken in increasing id order.  A rank-1 root ends the
 * search at once; if the best within reach is of a lesser rank, everything
 * within max_depth is searched first.  The sample counts too: a sample that
 * is a root of the best rank found gives the chain [sample].  opts NULL
 * means the defaults.
 *
 * Returns 0 with chain->status FOUND and chain = root ... sample; or
 * OBJREF_ENOTFOUND with a partial chain and a message, chain->status telling
 * which case:
 *   TOO_DEEP     the chain from the object at depth max_depth toward the
 *                nearest root (or, with OBJREF_PATHS_STOP_AT_DEPTH, the
 *                first object reached at max_depth) down to the sample;
 *   UNREACHABLE  the chain from the first object reached at the deepest
 *                level searched (at most max_depth) to the sample.
 * Or OBJREF_EINVAL (sample out of range), OBJREF_ENOMEM, OBJREF_ERROR (the
 * predicate stopped the search); the chain is then empty.  Cost: the
 * objects and references visited; the only allocations are the growth of
 * the queue and of the chain.
 */
OBJREF_EXTERN int objref_paths_find(objref_chain *chain, objref_paths *s, objref_id sample,
	const objref_paths_options *opts);

/*
 * objgraph.find_ref_chain: breadth-first from `start` along its references
 * to the nearest object for which pred is nonzero (pred is required, and
 * may rank as is_root does; opts->is_root is not used).  The chain is
 * start ... target.  Returns and statuses as objref_paths_find, with
 * "target" for "root": TOO_DEEP says a target exists beyond max_depth,
 * UNREACHABLE that none is reachable.
 */
OBJREF_EXTERN int objref_paths_find_forward(objref_chain *chain, objref_paths *s, objref_id start,
	objref_paths_pred pred, void *arg, const objref_paths_options *opts);

/* ---- label coverage ------------------------------------------------------ */

/* Unlabelled references from objects of type `from` to objects of type `to`. */
typedef struct {
	objref_type_id from, to;
	size_t count;
} objref_label_gap;

/*
 * How many of snap's references carry a label a person can read: every
 * one but OBJREF_LABEL_NONE and the unnamed inline attribute (".?").
 * *labelled and *total set; *gaps (the caller's: objref_free) lists the
 * unlabelled ones by (referrer type, referent type), most first (*ngaps of
 * them; NULL when none).  Returns 0 or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_label_coverage(size_t *labelled, size_t *total, objref_label_gap **gaps,
	size_t *ngaps, const objref_snapshot *snap);

/* ---- grouping and text -------------------------------------------------- */

enum {
	/* Labels as grouping compares them: list/tuple indices, and dict keys
	 * that are not strings (numbers, objects), all become "[*]". */
	OBJREF_CHAIN_FOLD = 1u << 0,
	/* Fold every dict key, strings included (caches keyed by ids). */
	OBJREF_CHAIN_FOLD_KEYS = 1u << 1
};

/* One group of chains with the same signature. */
typedef struct {
	size_t count;             /* chains in the group */
	size_t example;           /* index of the first member: the one to show */
	const size_t *members;    /* count indices into the chains given, increasing */
	const objref_id *samples; /* count sample ids: the last object of each member */
} objref_chain_group;

/*
 * Group k chains by signature: their status, their length, the type and the
 * folded label (OBJREF_CHAIN_FOLD, plus OBJREF_CHAIN_FOLD_KEYS if in flags)
 * of every step, and — when the chain starts at a module — which module.
 * Attribute, local and cell names and string dict keys are kept: they are
 * names in the program.  Groups come by count, most first; equal counts put
 * shorter chains first, then the group seen first.
 *
 * *out is one block (groups, then their member arrays) owned by the caller:
 * free it with objref_free().  Members refer to chains by index, so show a
 * group with objref_chain_format(b, snap, &chains[g->example],
 * OBJREF_CHAIN_FOLD | flags).  k == 0 gives *out NULL and *ngroups 0.
 * Returns 0, OBJREF_EINVAL (an empty chain or an id out of range) or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_paths_group(objref_chain_group **out, size_t *ngroups,
	const objref_snapshot *snap, const objref_chain *chains, size_t k, unsigned flags);

/*
 * The label of step i of chain c (the reference ids[i] -> ids[i+1]) as
 * grouping compares it and the text shows it: with OBJREF_CHAIN_FOLD
 * indices and non-string keys read "[*]" (OBJREF_CHAIN_FOLD_KEYS: string
 * keys too), except the key of an attribute ("X __dict__ -> dict ['k']").
 */
OBJREF_EXTERN objref_label objref_chain_step_label(const objref_snapshot *snap,
	const objref_chain *c, size_t i, unsigned flags);

/*
 * Append the text of a chain to b, without a newline:
 *
 *   module app .CACHE -> dict ['k'] -> list [3] -> tuple
 *
 * Every object is its type name followed by the label of the reference to
 * the next.  The first object of a FOUND chain is shown as "module <name>"
 * for a module, else "<type> (<description>)" (the description only if it
 * has one).  A __dict__ reference followed by a string key of that dict is
 * written as an attribute: "Session __dict__ -> dict ['history'] -> list"
 * becomes "Session .history -> list".  A TOO_DEEP chain starts with "... ".  flags:
 * OBJREF_CHAIN_FOLD and OBJREF_CHAIN_FOLD_KEYS write the folded labels.
 * Returns 0, OBJREF_EINVAL (empty chain, id out of range) or OBJREF_ENOMEM
 * (then b has failed, see objref_buf).
 */
OBJREF_EXTERN int objref_chain_format(objref_buf *b, const objref_snapshot *snap,
	const objref_chain *chain, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif

/*
 * objref/chains_report.h — the chains report: who holds the objects of a
 * type.  From a snapshot (and the addresses alive at the baseline, when
 * there is one) it picks samples, searches the chain of each from the
 * nearest root, groups the chains by shape, finds each pattern's suspect
 * (the last object every member passes through) and describes its root;
 * then writes it as text, as JSON (objref/json.h) and as DOT.
 *
 * Plain C: the facts only the live interpreter knows (names of inline
 * attributes, names of threads) come from the face through the callbacks
 * of objref_chains_report_options; without them the report says ".?" and
 * "thread ?".
 */
#ifndef OBJREF_CHAINS_REPORT_H
#define OBJREF_CHAINS_REPORT_H

#include "paths.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a face tells the report that a snapshot cannot. */
typedef struct {
	/* Rename the steps of `chain` that capture could not name (inline
	 * attributes, OBJREF_SP_ATTR_UNNAMED) in place; may add strings to the
	 * snapshot the chain is of.  NULL: leave them. */
	void (*name_attributes)(void *arg, objref_chain *chain);
	/* The name of the thread with threading.get_ident() `ident` into buf
	 * ("" when unknown).  NULL: unknown. */
	void (*thread_name)(void *arg, uint64_t ident, char *buf, size_t size);
	/* Where the object `id` was allocated ("app.py:12", tracemalloc) into
	 * buf; its length, 0 when unknown.  NULL: unknown.  The root text of a
	 * chain held from C ends with it. */
	size_t (*alloc_site)(void *arg, objref_id id, char *buf, size_t size);
	void *arg;
} objref_report_live;

typedef struct {
	unsigned int version;
	const char *type;        /* "Session" or "app.Session" (required) */
	size_t samples;          /* chains searched, the newest objects first */
	size_t max_depth;        /* longest chain searched */
	int picture;             /* also build the DOT of the chains */
	const uint64_t *baseline; /* sorted addresses alive at the first checkpoint,
				     or NULL: objects not among them are sampled first */
	size_t nbaseline;
	objref_report_live live;
	/* sorted addresses alive at a later checkpoint than the baseline (the
	   one before the last), or NULL: the objects new since the baseline
	   that are among them survived a checkpoint, and are sampled first,
	   spread over them; the report's shares are measured over them */
	const uint64_t *survivors;
	size_t nsurvivors;
	/* When type is NULL: the growing types to choose from (fastest first).
	   The report chains the one whose objects new since the baseline keep
	   the most bytes alive (retained size over the snapshot's dominator
	   tree: a leaked Session with its dict, list and str is chosen over
	   the str), the first on a tie or without a baseline. */
	const char *const *candidates;
	size_t ncandidates;
} objref_chains_report_options;

#define OBJREF_CHAINS_REPORT_OPTIONS_VERSION 1
#define OBJREF_CHAINS_REPORT_OPTIONS_INIT { \
	.version = OBJREF_CHAINS_REPORT_OPTIONS_VERSION, .type = NULL, .samples = 5, \
	.max_depth = OBJREF_PATHS_DEFAULT_DEPTH, .picture = 0, .baseline = NULL, .nbaseline = 0, \
	.live = { NULL, NULL, NULL, NULL }, .survivors = NULL, .nsurvivors = 0, \
	.candidates = NULL, .ncandidates = 0 }

/* What holds a pattern's chains. */
typedef enum {
	OBJREF_REPORT_ROOT_RECORD = 0, /* a root record of the snapshot: see kind */
	OBJREF_REPORT_ROOT_MODULE_FLAG, /* a module by its flags, without a record */
	OBJREF_REPORT_ROOT_GARBAGE,     /* no root: held only by reference cycles */
	OBJREF_REPORT_ROOT_TOO_DEEP     /* none within max_depth */
} objref_report_root_how;

/* A growing type the report chose from (options.candidates). */
typedef struct {
	char *type;
	size_t new_objects;  /* its objects new since the baseline */
	uint64_t retained;   /* the bytes they keep alive, counted once */
	size_t inside;       /* of new_objects, those inside the chosen type's new
				objects (one of them dominates each): part of
				its leak; 0 for the chosen itself */
} objref_report_choice;

/* One root record per pattern.  Strings are owned by the report. */
typedef struct {
	objref_report_root_how how;
	objref_root_kind kind;   /* RECORD: the record's kind */
	char *module;            /* MODULE record or flag: the module's name */
	char *name;              /* MODULE: the global the chain takes, or NULL;
				    FRAME: the variable; other records: their name */
	char *function, *file;   /* FRAME: the frame's function and file */
	uint32_t line;           /* FRAME */
	uint64_t thread_ident;   /* FRAME */
	char *thread;            /* FRAME: the thread's name, "" when unknown */
	uint32_t unexplained;    /* HELD_FROM_C: references the heap does not explain */
	size_t distance;         /* TOO_DEEP */
	char *text;              /* "module global app.CACHE", "local x of f() at ..." */
} objref_report_root;

/* One step of a pattern: the object's type, the folded label to the next
 * (NULL on the last step). */
typedef struct {
	char *type;
	char *label;
} objref_report_step;

typedef struct {
	size_t count;            /* samples whose chains have this shape */
	objref_path_status status;
	char *text;              /* the example chain, folded */
	objref_report_root root;
	objref_report_step *steps;
	size_t nsteps;
	long suspect;            /* step where new objects enter, or -1 */
	char *suspect_text;      /* its folded label, "" without a suspect */
	/* With a baseline: the holder, the nearest object on the example chain
	   that was alive at the baseline and through which the sample's new
	   objects enter (its step, or -1), and how many of the type's new
	   objects (survivors when given) enter through it: `explained` of
	   the report's `new_objects`. */
	long holder;
	char *holder_text;       /* the chain up to the holder, folded; "" without one */
	size_t explained;
	objref_id holder_id;     /* the holder's snapshot id, or OBJREF_NO_ID */
} objref_report_pattern;

typedef struct {
	char *type;
	size_t instances;        /* live objects of the type in the snapshot */
	size_t samples;
	objref_report_pattern *patterns; /* biggest first; with a baseline, the
					    samples that enter through one holder are
					    one pattern (the biggest shape's chain shown) */
	size_t npatterns;
	char *dot;               /* options.picture: the picture's DOT, else NULL */
	char **pattern_dots;     /* options.picture: the DOT of each of the first
				    npattern_dots patterns alone (at most
				    OBJREF_CHAINS_PATTERN_PICTURES), else NULL */
	size_t npattern_dots;
	/* With a baseline: the type's objects new since it (that survived a
	   checkpoint, when survivors were given; `survivors` says so). */
	size_t new_objects;
	int survivors;
	/* Taken before the report was written, while the type grew (the
	   objects of a growth that ended before the program did are gone by
	   then): the checkpoint (numbered from 1) and the seconds since the
	   program started; 0 when the snapshot is the report's own. */
	size_t taken_at;
	double taken_seconds;
	/* options.candidates, when the report chose among two or more: each
	   with what its new objects retain, the chosen (type) first */
	objref_report_choice *choices;
	size_t nchoices;
} objref_chains_report;

/* Patterns that get a picture of their own (the HTML report shows them). */
#define OBJREF_CHAINS_PATTERN_PICTURES 8

/*
 * Build the chains report of o->type (or of the candidate chosen, see
 * objref_chains_report_options.candidates) over snap, searching with s (a
 * searcher over snap).  The live callbacks run during the call only.
 * *out is the caller's: free it with objref_chains_report_free.  Returns 0,
 * OBJREF_ENOTFOUND (no live object of the type: *out NULL, with a
 * message), OBJREF_EINVAL (no type, samples or max_depth 0) or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_chains_report_build(objref_chains_report **out,
	const objref_snapshot *snap, objref_paths *s, const objref_chains_report_options *o);

/* Free a report; NULL is allowed. */
OBJREF_EXTERN void objref_chains_report_free(objref_chains_report *r);

/*
 * The text objref-chain prints, appended to b:
 *
 *   chains for tuple (5 samples of 30,000, 1 pattern, 5/5 samples share the first):
 *     module app .CACHE -> dict ['k'] -> list [*] -> tuple
 *     root: module global app.CACHE
 *     suspect: list [*] (the samples' chains part after it: ...)
 *
 * Returns 0 or OBJREF_ENOMEM (b failed).
 */
OBJREF_EXTERN int objref_chains_report_text(objref_buf *b, const objref_chains_report *r);

/* The report as one JSON object value (schema objref-chain/1's "chains"),
 * written by w.  with_dot: include "dot" when the report has one.  A report
 * taken at a checkpoint (taken_at) also has "taken_at_checkpoint" and
 * "taken_at_seconds". */
OBJREF_EXTERN int objref_chains_report_json(objref_json *w, const objref_chains_report *r,
	int with_dot);

/*
 * The text of a root, as the report words it (for why_alive and any chain):
 * appended to b, and described in *root (strings owned by the caller:
 * objref_report_root_dispose).  chain: a searched chain; its first object's
 * root record is found with s.  live: thread names.  Returns 0 or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_report_root_describe(objref_report_root *root,
	const objref_snapshot *snap, const objref_paths *s, const objref_chain *chain,
	const objref_report_live *live);
OBJREF_EXTERN void objref_report_root_dispose(objref_report_root *root);

/* A root as JSON (the "root" object of a pattern). */
OBJREF_EXTERN int objref_report_root_json(objref_json *w, const objref_report_root *root);

#ifdef __cplusplus
}
#endif

#endif

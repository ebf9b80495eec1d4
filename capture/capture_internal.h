/*
 * capture/capture_internal.h — what the capture files share.  Capture is
 * the only code beside the two faces (python/, cli/) that includes
 * Python.h; lib/ never does.  Public C API only (PyUnstable_* allowed),
 * never Py_BUILD_CORE; version differences are handled here, by
 * PY_VERSION_HEX, with the oldest supported being 3.8.
 */
#ifndef OBJREF_CAPTURE_INTERNAL_H
#define OBJREF_CAPTURE_INTERNAL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h> /* PyMemberDef; in Python.h from 3.12 */
#endif
#include "pycompat.h"
#include "internal.h"
#include "objref/capture.h"
#include "objref/snapshot.h"
#include "objref/sys/builder.h"


/* Member types of PyMemberDef (T_OBJECT, T_OBJECT_EX / Py_T_OBJECT_EX):
 * the values are part of the stable ABI and the same in 3.8–3.13. */
#define OBJREF__T_OBJECT 6
#define OBJREF__T_OBJECT_EX 16

/* The collector's per-object header (two pointers on every 3.8–3.13 build
 * with the GIL), counted in sizes as sys.getsizeof does. */
#define OBJREF__GC_HEAD_SIZE (2 * sizeof(void *))

/* ---- the interpreter's own functions (capture_runtime.c) --------------- */

/* A function of a builtin module as C: its entry of the module's
 * PyModuleDef method table and the module it is called on.  NULL ml: not
 * available. */
typedef struct {
	PyMethodDef *ml;
	PyObject *self;        /* borrowed from objref__runtime */
} objref__cfunc;

/* Taken once (at objref's import: objref_capture_init); strong references
 * kept for the life of the process.  Functions are C entries of their
 * module's PyModuleDef, so the program's replacements are never called,
 * and no object is created for them. */
typedef struct {
	PyObject *gc;          /* the gc module */
	objref__cfunc get_objects, isenabled, disable, enable, collect, get_debug, get_freeze_count;
	PyObject *tracemalloc; /* the _tracemalloc module; NULL until tracing was seen */
	objref__cfunc tm_is_tracing, tm_traceback, tm_traces, tm_start;
	PyObject *itemgetter;  /* operator.itemgetter (the type) */
} objref__runtime;

/* The runtime, taken on the first call (which may import gc and
 * _operator, builtins, without builtins.__import__; and _tracemalloc when
 * tracemalloc is tracing); NULL with a Python exception set when a module
 * is not the interpreter's own. */
const objref__runtime *objref__runtime_get(void);

/* _tracemalloc's functions, looked up (never imported) if not taken yet:
 * NULL when tracemalloc was never imported or not as the interpreter's. */
const objref__runtime *objref__runtime_tracemalloc(void);

/* sys.getallocatedblocks, the sys module's own (its PyModuleDef's entry,
 * as gc's are taken), taken on the first call: NULL with an exception
 * set when the sys module is not the interpreter's. */
const objref__cfunc *objref__runtime_allocated_blocks(void);

/* _tracemalloc imported (without builtins.__import__) and taken, to start
 * tracing: NULL with an exception set. */
const objref__runtime *objref__runtime_tracemalloc_import(void);

/* f() or f(arg): new reference, or NULL with an exception set. */
PyObject *objref__runtime_call(objref__cfunc f, PyObject *arg);

/* ---- the capture session: collector paused, pending exception saved ---- */
typedef struct {
	int gc_was_enabled;
	objref__pyerr exc;   /* the program's pending exception, put back at exit */
} objref__session;

int objref__session_enter(objref__session *s);
void objref__session_exit(objref__session *s);

/* ---- a set of objects: a dense array plus an address index ---- */
struct objref__markset;

typedef struct {
	PyObject *key;      /* NULL: empty */
	uint32_t id;
} objref__objslot;

typedef struct {
	PyObject **objs;    /* borrowed: kept alive by the heap (gc paused, no code runs) */
	size_t n, cap;
	objref__objslot *slots; /* open addressing on the address, at most two
				 * thirds full (OBJREF__OBJSET_SLOTS); the key is
				 * kept in the slot so a probe touches one cache
				 * line, not the object table too */
	size_t slots_cap;
	size_t indexed;     /* objs[0 .. indexed) are in the index */
	struct objref__markset *marks; /* or, with objref__objset_use_marks, the
				 * index is a set of marks: an object's rank
				 * among them ... */
	uint32_t *rank_ids;  /* ... and the id of each rank, */
	size_t ranked;       /* for the first `ranked` objects (objref__objset_ids) */
} objref__objset;

void objref__objset_dispose(objref__objset *s);
/* The id of op, adding it when absent (*added = 1).  OBJREF_NO_ID on ENOMEM. */
uint32_t objref__objset_add(objref__objset *s, PyObject *op, int *added);
/* Add op when absent: 1 when added, 0 when there, OBJREF_ENOMEM. */
int objref__objset_insert(objref__objset *s, PyObject *op);
/* Is op in s? */
int objref__objset_has(const objref__objset *s, PyObject *op);
/* The id of op, or OBJREF_NO_ID.  With marks, only after objref__objset_ids
 * and until s grows. */
uint32_t objref__objset_find(const objref__objset *s, PyObject *op);
/* Index the objects appended without it (by gathering). */
int objref__objset_index(objref__objset *s);
/* Room for `room` objects in the array and `indexed` in the index (none
 * with marks), so that adding that many neither reallocates nor
 * rehashes.  0 or OBJREF_ENOMEM. */
int objref__objset_reserve(objref__objset *s, size_t room, size_t indexed);
/* Index s, still empty, by `marks` instead of an address hash: adding
 * marks an object, objref__objset_index marks the appended ones.  A
 * snapshot's walk marks what it finds in the same marks and appends it:
 * it asks the marks, in the cache, where the hash's probes miss.  The
 * marks must outlive s, and must mark nothing that s does not hold. */
void objref__objset_use_marks(objref__objset *s, struct objref__markset *marks);
/* With marks: give every object of s its id for objref__objset_find (a
 * rank among the marks, then an array of 4 bytes an object): O(objects),
 * so once the objects are all there.  Every object of s must be marked
 * and every mark an object of s (else OBJREF_EINVAL).  Without marks:
 * nothing to do. */
int objref__objset_ids(objref__objset *s);

/* ---- a set of objects with no ids: marks (capture_marks.c) ---- */
#define OBJREF__MARK_GRAIN_SHIFT 4   /* a bit per 16 bytes */
#define OBJREF__MARK_MEGA_SHIFT 20   /* a bitmap per megabyte */
#define OBJREF__MARK_GRAINS ((size_t)1 << (OBJREF__MARK_MEGA_SHIFT - OBJREF__MARK_GRAIN_SHIFT))
#define OBJREF__MARK_WORDS (OBJREF__MARK_GRAINS / 64)
/* Megabytes numbered below this have codes (objref__markset_mark_code) */
#define OBJREF__MARK_CODED_MEGAS 65535u
#define OBJREF__MARK_NO_CODE UINT32_MAX

typedef struct {
	uint64_t *bits;     /* a bit per 16 bytes of the megabyte */
	uint16_t *before;   /* objref__markset_rank: the marks before each word of bits */
	uint32_t base;      /* ... and before this megabyte */
} objref__markmega;

typedef struct {
	uintptr_t mega;     /* address >> 20, plus one: 0 is empty */
	uint32_t num;       /* its number: megas[num] */
} objref__markslot;

typedef struct objref__markset {
	PyObject **objs;    /* borrowed, in the order added */
	size_t n, cap;
	objref__markmega *megas; /* the megabytes in the order first marked */
	size_t nmegas, megas_cap;
	objref__markslot *slots; /* open addressing on the megabyte, at most half full */
	size_t slots_cap;
	uintptr_t last;     /* the megabyte asked for last (key), its number and bits */
	uint32_t last_num;
	uint64_t *last_bits;
	size_t coded_megas; /* megabytes numbered below this (at most
			     * OBJREF__MARK_CODED_MEGAS) have codes; 0: none */
	size_t nranked;     /* after objref__markset_rank: how many marks */
} objref__markset;

/* Add op (to objs, marked): 1 when it was not there, 0 when it was,
 * OBJREF_ENOMEM. */
int objref__markset_add(objref__markset *s, PyObject *op);
/* Mark op without adding it to objs (an object a walk must not enter):
 * 1, 0 or OBJREF_ENOMEM as above. */
int objref__markset_mark(objref__markset *s, const PyObject *op);
/* Mark op as objref__markset_mark does, and give its code: 32 bits that
 * name its bit (the megabyte's number, the bit in it), for
 * objref__markset_rank_of_code; OBJREF__MARK_NO_CODE when op's megabyte
 * was numbered too late (a heap spread over more than 64 GB). */
static inline int objref__markset_mark_code(objref__markset *s, const PyObject *op, uint32_t *code);
/* Is op marked? */
int objref__markset_has(const objref__markset *s, const PyObject *op);
/* Room for `room` objects in objs.  0 or OBJREF_ENOMEM. */
int objref__markset_reserve(objref__markset *s, size_t room);
/* Number the marks 0 .. nranked - 1 (an order of the address space, not
 * of marking), so that objref__markset_rank_of answers with a few reads
 * of the bitmaps (2 bytes more per 64 bits).  Marking afterwards is not
 * allowed.  0 or OBJREF_ENOMEM. */
int objref__markset_rank(objref__markset *s);
/* op's rank, or SIZE_MAX when op is not marked. */
size_t objref__markset_rank_of(const objref__markset *s, const PyObject *op);
/* Start loading what objref__markset_rank_of(s, op) will read. */
void objref__markset_prefetch(const objref__markset *s, const PyObject *op);

/* The number of bits set in x: the instruction where the build may use it,
 * else the classic SWAR sum (a dozen operations, no table, no call). */
static inline unsigned objref__popcount64(uint64_t x)
{
#if defined(__POPCNT__) || (defined(__GNUC__) && !defined(__x86_64__) && !defined(__i386__))
	return (unsigned)__builtin_popcountll(x);
#else
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
#endif
}

int objref__markset_mark_code_far(objref__markset *s, const PyObject *op, uint32_t *code);

/* In the megabyte marked last (objects made together lie together), here;
 * elsewhere, in capture_marks.c. */
static inline int objref__markset_mark_code(objref__markset *s, const PyObject *op, uint32_t *code)
{
	size_t grain = ((uintptr_t)op >> OBJREF__MARK_GRAIN_SHIFT) & (OBJREF__MARK_GRAINS - 1);
	uint64_t bit = (uint64_t)1 << (grain & 63), *word;

	if (((uintptr_t)op >> OBJREF__MARK_MEGA_SHIFT) + 1 != s->last)
		return objref__markset_mark_code_far(s, op, code);
	*code = s->last_num < s->coded_megas ? s->last_num << 16 | (uint32_t)grain : OBJREF__MARK_NO_CODE;
	word = &s->last_bits[grain >> 6];
	if (*word & bit)
		return 0;
	*word |= bit;
	return 1;
}

/* The rank of the marked grain of megabyte m, once ranked: the marks
 * before its megabyte, before its word, and before it in the word. */
static inline size_t objref__markmega_rank(const objref__markmega *m, size_t grain)
{
	return (size_t)m->base + m->before[grain >> 6] +
	       objref__popcount64(m->bits[grain >> 6] & (((uint64_t)1 << (grain & 63)) - 1));
}

/* The rank of a marked object by its code (not OBJREF__MARK_NO_CODE), once
 * ranked: two reads and a popcount, no search. */
static inline size_t objref__markset_rank_of_code(const objref__markset *s, uint32_t code)
{
	return objref__markmega_rank(&s->megas[code >> 16], code & 0xffff);
}

/* Start loading what objref__markset_rank_of_code will read. */
static inline void objref__markset_prefetch_code(const objref__markset *s, uint32_t code)
{
#if defined(__GNUC__) || defined(__clang__)
	const objref__markmega *m = &s->megas[code >> 16];

	__builtin_prefetch(&m->bits[(code & 0xffff) >> 6]);
	__builtin_prefetch(&m->before[(code & 0xffff) >> 6]);
#else
	(void)s;
	(void)code;
#endif
}
void objref__markset_dispose(objref__markset *s);

/* The home slot of an address among cap slots.  Each 1 kB block of the
 * address space (objects made together, which often refer to each other)
 * goes to a random place in the index (splitmix64 of the block number),
 * and its objects, 16-byte aligned, to consecutive slots from there:
 * references within a block probe nearby slots, in the same cache lines,
 * instead of one random line each.  The block is small on purpose: under linear
 * probing a block's slots are one run, and runs that meet make one
 * cluster a missing key must scan to its end; with 1 MB blocks (runs of
 * up to 65,536 slots) a dense arena made clusters of tens of thousands
 * of slots, and lookups of objects not in the set (hidden references of
 * code objects) took most of a snapshot's time in the sanitizer build. */
static inline size_t objref__objset_home(size_t cap, const PyObject *op)
{
	uint64_t a = (uint64_t)(uintptr_t)op, h = objref__hash64(a >> 10);
	size_t block;

	/* the block's place in [0, cap - 64): the hash scaled, not masked, so
	 * the capacity need not be a power of two */
#if defined(__SIZEOF_INT128__)
	block = (size_t)(((unsigned __int128)h * (cap - 64)) >> 64);
#else
	block = (size_t)(h % (cap - 64));
#endif
	return block + (size_t)((a >> 4) & 63);
}

/* Slots for n objects: at most two thirds full, plus a block's run.  Not
 * rounded up to a power of two, which would double a capture's index
 * half the time. */
#define OBJREF__OBJSET_SLOTS(n) ((n) + (n) / 2 + 64)

/* Start loading the memory at p into the cache. */
static inline void objref__prefetch(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
	__builtin_prefetch(p);
#else
	(void)p;
#endif
}

/* Start loading the collector's header before op (its tracked flag) and
 * op's refcount and type beside it. */
static inline void objref__prefetch_gc_head(const PyObject *op)
{
	objref__prefetch((const char *)op - 2 * sizeof(void *));
}

/* Start loading op's slot into the cache: the walk calls this a few
 * references ahead, so the random probes of a large index overlap instead
 * of waiting one after the other. */
static inline void objref__objset_prefetch(const objref__objset *s, const PyObject *op)
{
#if defined(__GNUC__) || defined(__clang__)
	if (s->slots_cap)
		__builtin_prefetch(&s->slots[objref__objset_home(s->slots_cap, op)]);
#else
	(void)s;
	(void)op;
#endif
}

/* ---- gc.freeze()'s permanent generation (capture_frozen.c) ----------- */

typedef enum {
	OBJREF__FROZEN_NONE,   /* nothing frozen */
	OBJREF__FROZEN_LISTED, /* the collector's listing has them (3.12.10+, 3.13.3+) */
	OBJREF__FROZEN_WALKED, /* listed by walking the permanent generation */
	OBJREF__FROZEN_UNREAD  /* the collector's lists not found: none listed */
} objref__frozen_status;

/* Does PyUnstable_GC_VisitObjects list the permanent generation (3.12.10
 * and 3.13.3 on, gh-131740)?  By the running Python's version. */
int objref__frozen_listed_by_collector(void);

/*
 * Append the objects of gc.freeze()'s permanent generation to out->objs
 * (out->n, out->cap; the index is not touched), in the collector's order,
 * unless the collector's own listing has them or nothing is frozen.  The
 * collector's lists are found from what it just listed: first, the first
 * object its listing gave (NULL: none), and tail, the list gc.get_objects()
 * returned (before 3.12; NULL from 3.12); *lists (if lists is not NULL) is
 * set to them, NULL if not found, for objref__frozen_walk.  No Python code
 * runs and no Python object is made.  *st says what was done; on an
 * unknown layout nothing is appended (OBJREF__FROZEN_UNREAD).  0 or
 * OBJREF_ENOMEM (out as it was).
 */
int objref__frozen_gather(objref__frozen_status *st, const void **lists, objref__objset *out,
	PyObject *first, PyObject *tail);

/* Before 3.12, in the parent before a fork (GIL held, the collector
 * paused by the caller: making a list must not start a collection and its
 * finalizers): find the collector's lists (once per interpreter; makes
 * one empty list), for the child's objref__gc_lists_walk. */
void objref__gc_lists_prepare(void);

/* In the forked child (objref__capture_child_enter): walk the lists
 * found before the fork from now on. */
void objref__gc_lists_in_child(void);

/* Before 3.12: append every tracked object of the collector's three
 * generations to out, in gc.get_objects()' order; *lists set for
 * objref__frozen_walk.  In the program's process, with the collector
 * paused by the caller, a new reference to each, as gc.get_objects()
 * takes (the lists are found there the first time, as
 * objref__gc_lists_prepare does); in a forked child none (no page of the
 * heap copied).  1 done, 0 not possible (lists not found, a link that
 * does not check: out and references as they were), OBJREF_ENOMEM. */
int objref__gc_lists_walk(objref__objset *out, const void **lists);

/* Before 3.12: fn on every tracked object of the collector's three
 * generations, in gc.get_objects()' order, as the walk reaches it (one
 * pass over the heap), with no reference taken: fn runs no code and
 * frees nothing.  1 done (*lists set for objref__frozen_walk), 0 not
 * possible (lists not found, or a link that does not check: fn may have
 * seen some objects, the caller starts over another way), or fn's
 * negative OBJREF_E*, which stops the walk. */
int objref__gc_lists_visit(int (*fn)(PyObject *op, void *arg), void *arg, const void **lists);

/* 1 in a forked child that walks the lists found before the fork. */
int objref__gc_lists_child(void);

/* The same, again, from the lists objref__frozen_gather found (not NULL):
 * the permanent generation as it is now. */
int objref__frozen_walk(objref__frozen_status *st, objref__objset *out, const void *lists);

/* The GC-tracked objects: `items` points into our own array, or into
 * gc.get_objects()'s list (held in `keep`) before 3.12 where the
 * collector's lists could not be walked and nothing is frozen.
 * items[0 .. nlisted) are what the collector listed (in the program's
 * process each held, by `keep` or by a reference of ours: `held`),
 * items[nlisted .. n) the permanent generation's objects it left out
 * (`frozen`: OBJREF__FROZEN_WALKED), borrowed: alive while no code runs. */
typedef struct {
	PyObject **items;
	size_t n, nlisted;
	PyObject *keep;      /* the list, or NULL */
	int held;            /* own.objs[0 .. nlisted) each hold a reference */
	objref__objset own;  /* the array, from 3.12 or when frozen */
	objref__frozen_status frozen;
	const void *lists;   /* the collector's lists, when found */
} objref__tracked;

/* The tracked objects in *t (zeroed first), gc.freeze()'s permanent
 * generation included.  Before 3.12 walks the collector's lists, else
 * calls gc.get_objects() (the only Python object it makes); nothing
 * that could run code.  0 or a
 * negative OBJREF_E*; free t with objref__tracked_dispose either way. */
int objref__gather_tracked(objref__tracked *t);

/* With the snapshot's Python calls allowed (never in a forked census):
 * if the permanent generation listed is not gc.get_freeze_count() objects
 * long, leave it out (t->n = t->nlisted, OBJREF__FROZEN_UNREAD): what
 * traversal reaches of it is still found. */
void objref__tracked_check_frozen(objref__tracked *t);

/* List the permanent generation into t again (items[nlisted ..)), as it
 * is now: after code that may have freed some of it (on 3.11, refreshing
 * a frame's f_locals drops the values it held).  Only when t->frozen is
 * OBJREF__FROZEN_WALKED; checked again as objref__tracked_check_frozen
 * does.  0 or OBJREF_ENOMEM. */
int objref__tracked_frozen_again(objref__tracked *t);
void objref__tracked_dispose(objref__tracked *t);

/* A type's dict as a new reference, or NULL: from 3.12 static builtin types
 * keep theirs in the interpreter (tp_dict is NULL) and PyType_GetDict is
 * the public way to it. */
static inline PyObject *objref__type_dict(PyTypeObject *tp)
{
#if PY_VERSION_HEX >= 0x030C0000
	return PyType_GetDict(tp);
#else
	PyObject *d = tp->tp_dict;
	Py_XINCREF(d);
	return d;
#endif
}

/* Is op tracked by the collector? */
static inline int objref__is_tracked(PyObject *op)
{
#if PY_VERSION_HEX >= 0x03090000
	return PyObject_GC_IsTracked(op);
#else
	return PyObject_IS_GC(op) && _PyObject_GC_IS_TRACKED(op);
#endif
}

/* Is op, which a traversal reported, alive?  A dead one (refcount 0) is
 * an object on a free list that its owner still visits: from 3.12
 * _asyncio's module_traverse reports its free list of future iterators.
 * It is no live object to count or to show, and a strong reference to it
 * would free it again when dropped: the free list would then loop on
 * itself, and every later collection with it. */
static inline int objref__is_live(PyObject *op)
{
	return Py_REFCNT(op) > 0;
}

/* Does traversal of op need PyDict_Next for its keys (tp_traverse may skip
 * str keys)? */
static inline int objref__walk_dict_keys(PyObject *op)
{
	return PyDict_Check(op);
}

/* ---- hidden references (capture_hidden.c) ------------------------------- */

/* Adds the references tp_traverse does not report but capture can name (a
 * static type's __dict__, a code object's constants ...) as edges. */
typedef struct {
	objref_builder *b;      /* labels are interned here */
	const objref__markset *seen; /* the walk's objects so far */
	/* The walk's edge from src to t (added to the walk when new): 0 or a
	 * negative OBJREF_E* code. */
	int (*link)(void *arg, objref_id src, PyObject *t, objref_label label);
	void *link_arg;
	/* Instead of b, seen and link (a search): each tracked target is
	 * passed to reach, which returns 0 or a negative OBJREF_E* code. */
	int (*reach)(void *arg, PyObject *t);
	void *reach_arg;
	objref_id src;
	struct { const char *field; objref_label label; } labels[24]; /* interned once */
	size_t nlabels;
	struct { PyObject *op; const char *field; } *work; /* scratch */
	size_t nwork, work_cap;
} objref__hidden;

/* Add the hidden references of object id (op; flags: its OBJREF_F_*, only
 * types, code objects and modules have any) as edges from id, in the
 * builder's source order when called as the walk reaches id.  0 or a
 * negative OBJREF_E* code. */
int objref__hidden_edges(objref__hidden *h, objref_id id, PyObject *op, uint32_t flags);
void objref__hidden_dispose(objref__hidden *h);

/* ---- running frames (capture_frames.c) --------------------------------- */

typedef struct {
	PyCodeObject *code;   /* borrowed: the running frame holds it */
	PyObject *object;     /* the frame object (created from 3.11), borrowed */
	PyObject *locals;     /* its f_locals or namespace dict if read, borrowed */
	uint64_t thread;      /* its thread's ident */
	uint32_t line, depth; /* depth 0: the thread's innermost frame */
} objref__frame;

typedef struct {
	PyObject *value;      /* borrowed: the frame (or its cell) holds it */
	PyObject *name;       /* borrowed: the code's names, or a dict key */
	uint32_t frame;       /* index into frames */
	uint8_t cell;         /* a cell or free variable, read through its cell */
} objref__local;

typedef struct {
	objref__frame *frames;
	size_t nframes, frames_cap;
	objref__local *locals;  /* frame by frame, in frame order */
	size_t nlocals, locals_cap;
	PyObject **tsdicts;     /* each thread state's dict (PyThreadState_GetDict) */
	size_t ntsdicts, tsdicts_cap;
	objref__objset running; /* the code of running frames */
	objref__objset ours;    /* objects the gathering created (3.11 f_locals) */
	uint32_t empty_cells;   /* unbound cell and free variables (3.11+): the
				 * frames still hold their empty cells */
} objref__frames;

/* Read every thread's running frames (of this interpreter), their bound
 * locals and the thread states' dicts into r (zeroed by the caller),
 * appending each local's value (and, before 3.11, each frame) to objs.  Holds no reference on return.  0 or
 * OBJREF_ENOMEM; free r with objref__frames_dispose either way. */
int objref__frames_gather(objref__frames *r, objref__objset *objs);
void objref__frames_dispose(objref__frames *r);

/* ---- roots (capture_roots.c) ------------------------------------------- */

typedef struct objref__roots objref__roots;

/*
 * Before the walk: read sys.modules, every thread's running frames and
 * their locals, and gc.garbage, appending what they hold to objs (the
 * walk's object set, its tracked objects already in) so the walk visits
 * it.  Holds no reference on return.  From 3.11 this creates the frame
 * objects of the running frames (kept by the frames, as sys._getframe()
 * would), and on 3.11 each frame's f_locals dict (as frame.f_locals
 * would).  *out is set even on failure; free it with objref__roots_free.
 */
int objref__roots_gather(objref__roots **out, objref__objset *objs);

/* Whether the collector was enabled before the session paused it (for the
 * snapshot's objref_gc_state). */
void objref__roots_gc_enabled(objref__roots *r, int enabled);

/* Whether the walk's objects include gc.freeze()'s whole permanent
 * generation, found by capture_frozen.c (walked: 1) where the collector's
 * listing leaves it out (for objref_gc_state.frozen_listed; the objects
 * the collector listed are the walk's first ntracked, the frozen ones
 * follow them). */
void objref__roots_frozen_listed(objref__roots *r, int walked);

/*
 * After the walk, before the builder finishes: add the root records and
 * the OBJREF_F_ROOT / OBJREF_F_FROZEN flags.  objs is the walk's object
 * set (ids as in b), of which the first ntracked were gathered from the
 * collector.  No Python code may have run since objref__roots_gather.
 */
int objref__roots_record(objref__roots *r, objref_builder *b, const objref__objset *objs,
	size_t ntracked);
void objref__roots_free(objref__roots *r);

/* ---- the names the program's code uses (capture_attr.c) ---------------- */

/* A walk over the names (co_names, and identifiers among co_consts, exact
 * str) of code objects, each passed
 * once to each(); each returns nonzero to stop.  Nested code (co_consts) is
 * followed with a work list.  Zero-initialise, set each, call one of the
 * two, then dispose. */
typedef struct objref__names objref__names;
struct objref__names {
	int (*each)(objref__names *s, PyObject *name);  /* name borrowed */
	objref__objset seen;     /* code objects, dicts and names already passed */
	PyObject **stack;        /* code objects still to read */
	size_t nstack, stack_cap;
	int failed, stop;        /* failed: out of memory, names left out */
};

/* The names of the methods of tp and its bases, then of its module's
 * functions and classes. */
void objref__names_of_class(objref__names *s, PyTypeObject *tp);
/* The names of the functions and classes of every module in sys.modules. */
void objref__names_of_modules(objref__names *s);
void objref__names_dispose(objref__names *s);

/* ---- inline attributes in a full snapshot (capture_inline.c) ------------- */

/* A capture flag of the unit's own, beside OBJREF_CAPTURE_*: no attribute
 * lookups (the names of inline attributes stay unknown, ".?").  Dumps take
 * it: the same walk runs in a forked child, which must add no Python calls
 * of its own. */
#define OBJREF__CAPTURE_NO_LOOKUPS (1u << 31)

typedef struct objref__inline_type objref__inline_type;

/* What the walk learns about the attribute names of the types with inline
 * values (3.11+), so that each instance costs about one lookup per
 * reference.  Zero-initialise with the builder set; dispose once. */
typedef struct {
	objref_builder *b;            /* labels are interned here */
	objref__objset types;         /* types met, id -> tinfo[id] */
	objref__inline_type *tinfo;
	size_t tinfo_cap;
	PyObject **pool;              /* every module's code names, when first needed */
	size_t npool, pool_cap;
	int pool_done;
	size_t cand_probes, pool_probes; /* reads spent searching, bounded */
	PyObject **vals;              /* scratch: values probed on one instance */
	unsigned char *used;          /* scratch: names matched on it */
	size_t vals_cap;              /* of both */
	size_t *unnamed;              /* scratch: indices of unnamed references */
	size_t unnamed_cap;
	size_t *all;                  /* scratch: all of them, in traversal order */
	size_t all_cap;
	int unsorted;                 /* scratch: a name matched out of order */
} objref__inline;

/* Name the references of op (targets[0..n), in traversal order) whose
 * label is OBJREF_SP_ATTR_UNNAMED: the values of its inline attributes get
 * OBJREF_LABEL_ATTR of their name, its materialized __dict__ OBJREF_SP_DICT;
 * the others stay as they are.  Reads attributes only with the generic
 * lookup and only names that no class of the MRO defines as a descriptor,
 * so no code of the program runs and op is not changed.  0 or
 * OBJREF_ENOMEM. */
int objref__inline_name(objref__inline *in, PyObject *op, PyObject **targets, objref_label *labels,
	size_t n);
void objref__inline_dispose(objref__inline *in);

/* ---- describe: names, sizes, descriptions, all without running code ---- */

/* UTF-8 of a str object into buf (truncated to size-1 bytes, at a character
 * boundary, NUL-terminated); with `quoted`, control characters, quotes and
 * backslashes are escaped as repr() would.  Returns bytes written. */
size_t objref__utf8(char *buf, size_t size, PyObject *str, int quoted);
/* The same, also telling how many characters were written. */
size_t objref__utf8_count(char *buf, size_t size, PyObject *str, int quoted, Py_ssize_t *chars);

/* The value of key `name` (an exact str) in dict d, found with PyDict_Next
 * and exact-str comparison only, so no __eq__ or __hash__ runs.  Borrowed. */
PyObject *objref__dict_get_safe(PyObject *d, const char *name);

/* __name__, __module__ ("" if unknown) and __qualname__ of a type. */
void objref__type_names(PyTypeObject *tp, char *name, size_t nsize, char *module, size_t msize,
	char *qualname, size_t qsize);

/* How the instances of one type are sized, worked out once per type so the
 * census and the walk do no type checks per object.  objref__sizeof_class
 * gives an object's shallow size as sys.getsizeof would report it for
 * builtins, and sets OBJREF_F_SIZE_EST in *flags where it estimates. */
typedef enum {
	OBJREF__SZ_FIXED, OBJREF__SZ_VAR, OBJREF__SZ_STR, OBJREF__SZ_INT, OBJREF__SZ_DICT,
	OBJREF__SZ_LIST, OBJREF__SZ_SET, OBJREF__SZ_BYTEARRAY, OBJREF__SZ_GENERIC
} objref__size_kind;

typedef struct {
	objref__size_kind kind;
	uint64_t extra;  /* GC header and pre-header bytes */
	uint64_t fixed;  /* the size of every instance, for OBJREF__SZ_FIXED */
} objref__size_class;

void objref__size_class_of(objref__size_class *c, PyTypeObject *tp);
uint64_t objref__sizeof_class(PyObject *op, const objref__size_class *c, uint32_t *flags);

/* OBJREF_F_* flags that follow from the object itself. */
uint32_t objref__object_flags(PyObject *op);

/* OBJREF_T_* of a type: GC support, legacy tp_del, tp_finalize, atomic,
 * and the identity facts (str, dict, builtin, hides references, internal).
 * module: its __module__ as objref__type_names found it.  Once per type. */
uint32_t objref__type_flags(PyTypeObject *tp, const char *module);

/* A short safe description of op into buf; returns its length (0: none). */
size_t objref__describe(char *buf, size_t size, PyObject *op);

/* Are tp's instances described by their length ("len N": tuples, lists,
 * dicts and sets, subclasses too)?  Such a description is the same for
 * every container of that length, which a walk may keep instead of
 * writing it again.  Asked once per type. */
int objref__described_by_len(PyTypeObject *tp);
/* The length op is described by, read from its size field (len() could
 * run a subclass's __len__); op's type is described by its length. */
Py_ssize_t objref__described_len(PyObject *op);

/* The rendered key of a dict entry for a KEY label: 'name' for str keys,
 * the number for int keys, <type> otherwise. */
size_t objref__render_key(char *buf, size_t size, PyObject *key);

/* First thing in a forked child (capture_dump.c): SIGINT, SIGTERM and
 * SIGHUP back to their defaults (Python's handlers would only set flags),
 * SIGPIPE ignored (a parent gone is EPIPE); objref's allocations and
 * Python's three allocator domains served from mmap (lib/internal.h
 * objref__alloc_private): no allocator lock taken by a thread that did
 * not survive the fork, tracemalloc's included, is ever waited for. */
void objref__capture_child_enter(void);

#endif

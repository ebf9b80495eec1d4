/*
 * objref/snapshot.h — a heap snapshot as plain C data.
 *
 * A snapshot is immutable once built.  It holds:
 *   - a type table: one entry per distinct Python type seen;
 *   - an object table: one entry per object (GC-tracked objects and the
 *     untracked objects reachable from them);
 *   - the references between objects, in CSR form, each with a label;
 *   - a string table holding type names, descriptions and label names.
 *
 * Invariants (checked by objref_snapshot_validate):
 *   - object ids are dense: 0 <= id < nobjects;
 *   - every object's type id is < ntypes;
 *   - edge_start is non-decreasing, edge_start[0] == 0 and
 *     edge_start[nobjects] == nedges; the references of object i are the
 *     edges edge_start[i] .. edge_start[i+1]-1;
 *   - every edge target is < nobjects;
 *   - every string id (descriptions, names, label payloads that name
 *     strings, the strings of root records) is < nstrings; string 0 is "";
 *   - every root's object is < nobjects;
 *   - no two objects share an address.
 *
 * No Python is needed to read or build a snapshot: analyses and their tests
 * work on snapshots built by hand with objref_builder_* (objref/sys/builder.h:
 * this header is the read side).
 */
#ifndef OBJREF_SNAPSHOT_H
#define OBJREF_SNAPSHOT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t objref_id;      /* index into the object table */
typedef uint32_t objref_type_id; /* index into the type table */
typedef uint32_t objref_str;     /* index into the string table; 0 is "" */

#define OBJREF_NO_ID UINT32_MAX

/* Object flags. */
enum {
	OBJREF_F_TRACKED = 1u << 0,   /* tracked by the cyclic collector */
	OBJREF_F_GCTYPE = 1u << 1,    /* its type supports GC (tracked or not) */
	OBJREF_F_IMMORTAL = 1u << 2,  /* immortal (3.12+) */
	OBJREF_F_MODULE = 1u << 3,    /* a module object */
	OBJREF_F_TYPE = 1u << 4,      /* a type object */
	OBJREF_F_FRAME = 1u << 5,     /* a frame object */
	OBJREF_F_FUNCTION = 1u << 6,  /* a Python function */
	OBJREF_F_CODE = 1u << 7,      /* a code object */
	OBJREF_F_SIZE_EST = 1u << 8,  /* size is an estimate (dict tables) */
	OBJREF_F_FINALIZED = 1u << 9, /* the collector already ran its finalizer */
	OBJREF_F_ROOT = 1u << 10,     /* listed in the root records */
	OBJREF_F_FROZEN = 1u << 11    /* in gc.freeze()'s permanent generation */
};

/*
 * An edge label: 4 bits of kind, 28 bits of payload.  The payload is a
 * string id for KEY, ATTR, LOCAL and CELL; a number for INDEX (saturating at
 * OBJREF_LABEL_PAYLOAD_MAX); an objref_special for SPECIAL.
 */
typedef uint32_t objref_label;

typedef enum {
	OBJREF_LABEL_NONE = 0,  /* a reference the collector sees, unnamed */
	OBJREF_LABEL_KEY = 1,   /* dict value: ['k'] (payload: rendered key) */
	OBJREF_LABEL_INDEX = 2, /* sequence item: [3] */
	OBJREF_LABEL_ATTR = 3,  /* attribute or slot: .name */
	OBJREF_LABEL_LOCAL = 4, /* frame local: local name */
	OBJREF_LABEL_CELL = 5,  /* closure cell of free variable: cell name */
	OBJREF_LABEL_SPECIAL = 6, /* a fixed role, see objref_special */
	OBJREF_LABEL_DICTKEY = 7  /* a dict's key object itself */
} objref_label_kind;

typedef enum {
	OBJREF_SP_CLASS = 1,    /* __class__ (instance to its heap type) */
	OBJREF_SP_DICT,         /* __dict__ */
	OBJREF_SP_SET_ITEM,     /* member of a set or frozenset */
	OBJREF_SP_ATTR_UNNAMED, /* an attribute whose name the public API hides */
	OBJREF_SP_HIDDEN,       /* inferred, not seen: a reference no traversal shows
				 * (cycles through untraversable objects) */
	OBJREF_SP_COUNT
} objref_special;

#define OBJREF_LABEL_PAYLOAD_MAX 0x0fffffffu
#define OBJREF_LABEL(kind, payload) \
	((objref_label)(((uint32_t)(kind) << 28) | ((uint32_t)(payload) & OBJREF_LABEL_PAYLOAD_MAX)))
#define OBJREF_LABEL_KIND(l) ((objref_label_kind)((l) >> 28))
#define OBJREF_LABEL_PAYLOAD(l) ((uint32_t)(l) & OBJREF_LABEL_PAYLOAD_MAX)

/* One object.  32 bytes; with its CSR offset, 40 bytes per object. */
typedef struct {
	uint64_t addr;       /* id() of the object in the observed process */
	uint64_t size;       /* shallow size in bytes, as sys.getsizeof would say */
	objref_type_id type; /* index into the type table */
	uint32_t refcnt;     /* reference count, saturated at UINT32_MAX */
	uint32_t flags;      /* OBJREF_F_* */
	objref_str desc;     /* short safe description, or 0 */
} objref_object;

/*
 * Type flags: what capture knew about a type, so that the analyses and
 * reports decide by flags and never by comparing type or module names.
 * Capture sets them once per type (capture/capture_describe.c); a
 * hand-built or loaded snapshot carries whatever its maker set.
 *
 * The first five say what the collector can do with the instances; the
 * others are facts about the type's identity.
 */
enum {
	OBJREF_T_KNOWN = 1u << 0,    /* GC, LEGACY_DEL, FINALIZE, ATOMIC were read
				      * (else unknown) */
	OBJREF_T_GC = 1u << 1,       /* Py_TPFLAGS_HAVE_GC: the collector sees into it */
	OBJREF_T_LEGACY_DEL = 1u << 2, /* tp_del: a legacy finalizer (gc.garbage) */
	OBJREF_T_FINALIZE = 1u << 3, /* tp_finalize (__del__): collectable since 3.4 */
	OBJREF_T_ATOMIC = 1u << 4,   /* holds no references (str, int, float, bytes ...) */
	/* Exactly str (not a subclass): a dict's str keys are named by the
	 * labels of its references, so walks may leave them out. */
	OBJREF_T_STR = 1u << 5,
	/* Exactly dict (not a subclass): the type of an instance __dict__, so
	 * "X __dict__ -> dict ['k']" reads as the attribute "X .k". */
	OBJREF_T_DICT = 1u << 6,
	/* Defined by the interpreter core: its __module__ is "builtins" (dict,
	 * str, function, PyCapsule ...).  Long names print without a module;
	 * reports prefer the program's own types to these. */
	OBJREF_T_BUILTIN = 1u << 7,
	/* Instances may own references their tp_traverse does not show:
	 * PyCapsule (its pointer and destructor are opaque) and ctypes objects
	 * (every subclass of _ctypes._CData: pointers held as plain data).  A
	 * cycle through one is invisible to the collector. */
	OBJREF_T_HIDES_REFS = 1u << 8,
	/* Interpreter bookkeeping that no program holds, such as PyModuleDef
	 * (kept in the interpreter's extension cache): never a suspect. */
	OBJREF_T_INTERNAL = 1u << 9
};

/* One type. */
typedef struct {
	uint64_t addr;     /* id() of the type object */
	objref_str name;   /* __name__, e.g. "OrderedDict" */
	objref_str module; /* __module__, e.g. "collections"; "builtins" for builtins */
	objref_str qualname; /* __qualname__ (heap types), else same as name */
	uint32_t flags;    /* OBJREF_T_*; 0 when unknown */
} objref_type;

/*
 * The collector's state when the snapshot was taken.  `known` is 0 when
 * nobody said (hand-built snapshots): then every other field is 0.
 */
typedef struct {
	int known;             /* 1 when the fields below were read */
	int enabled;           /* gc.isenabled() */
	uint32_t debug;        /* gc.get_debug() (DEBUG_SAVEALL is 32) */
	uint64_t freeze_count; /* gc.get_freeze_count() */
	int frozen_listed;     /* the walk lists the permanent generation */
	uint64_t garbage_list; /* id() of the gc.garbage list, 0 if unknown */
} objref_gc_state;

#define OBJREF_GC_DEBUG_SAVEALL 32u

/*
 * Roots: what keeps objects alive that no object of the snapshot shows.
 * Capture decides them in this order, each kind only where the earlier ones
 * do not reach along the edges (capture/capture_roots.c has the rules):
 *
 *   MODULE       a value of sys.modules.  name: its key.
 *   FRAME        a local variable of a running frame of some thread (cell
 *                and free variables by their contents).  object: the value;
 *                name: the variable; thread, function, file, line, depth:
 *                the frame.  From 3.11 running frames are not objects, so
 *                these records are the only way to their locals.  Then,
 *                where nothing else reaches them, what a running frame holds
 *                besides: name "<frame>", "<function>", "<f_locals>" or
 *                "<code>".
 *   GC_GARBAGE   an item of gc.garbage.  name: "gc.garbage"; extra: index.
 *   HELD_FROM_C  what the interpreter holds, where nothing reaches it: name
 *                "sys.modules", "sys.__dict__", "builtins.__dict__" or
 *                "thread state dict".
 *   IMMORTAL     an immortal object (3.12+) or a static type, holding
 *                references, that nothing reaches.
 *   HELD_FROM_C  an object nothing reaches with more references than edges
 *                into it: a leaked Py_INCREF, an extension's static or
 *                module state, the interpreter's own state, a value-stack
 *                temporary.  name: ""; extra: the references unexplained.
 *   FROZEN       an object of gc.freeze()'s permanent generation that
 *                nothing reaches: only freezing keeps the collector from
 *                it.  (Every frozen object found has OBJREF_F_FROZEN.)
 *
 * So an object alive for a reason capture can see is reachable from a root;
 * one that is not is garbage (or a shared atomic object: a small int, an
 * interned string).  Edges include the references a type, code object or
 * module holds that tp_traverse hides (".__mro__", ".co_consts", "__dict__"
 * of a static type, ".m_copy" ...).
 */
typedef enum {
	OBJREF_ROOT_MODULE = 1, /* a module in sys.modules; name: module name */
	OBJREF_ROOT_FRAME,      /* a running frame's local; name: variable */
	OBJREF_ROOT_HELD_FROM_C,/* refcount above the references seen */
	OBJREF_ROOT_IMMORTAL,
	OBJREF_ROOT_FROZEN,     /* gc.freeze() permanent generation */
	OBJREF_ROOT_GC_GARBAGE  /* listed in gc.garbage */
} objref_root_kind;

typedef struct {
	objref_root_kind kind;
	objref_id object;
	objref_str name;
	uint32_t extra; /* HELD_FROM_C: unexplained references; GC_GARBAGE: index */
	/* FRAME roots only (0 for the other kinds): the frame. */
	uint32_t depth;      /* 0: the thread's innermost frame, 1: its caller ... */
	uint64_t thread;     /* threading.get_ident() of the thread running it */
	objref_str function; /* qualified name of its code ("Worker.run") */
	objref_str file;     /* co_filename */
	uint32_t line;       /* the line it is executing */
} objref_root;

typedef struct objref_snapshot objref_snapshot;
typedef struct objref_builder objref_builder; /* objref/sys/builder.h */

/* One reference holder -> target and its label: how modules hand each
 * other references to look at (objref_cycles_name_refs gives capture the
 * unnamed ones, capture gives them back named). */
typedef struct {
	objref_id holder;
	objref_id target;
	objref_label label;
} objref_ref;

/* Sizes and counts of a snapshot. */
typedef struct {
	size_t nobjects, nedges, ntypes, nstrings, nroots;
	size_t tracked;       /* objects with OBJREF_F_TRACKED */
	size_t bytes_objects; /* memory of the object table and CSR offsets */
	size_t bytes_edges;   /* memory of edge targets and labels */
	size_t bytes_strings; /* memory of the string table */
	uint64_t heap_bytes;  /* sum of object sizes */
} objref_snapshot_stats;

/* Free a snapshot; NULL is allowed.  Every pointer obtained from it becomes
 * invalid. */
OBJREF_EXTERN void objref_snapshot_free(objref_snapshot *snap);

OBJREF_EXTERN size_t objref_snapshot_nobjects(const objref_snapshot *snap);
OBJREF_EXTERN size_t objref_snapshot_ntypes(const objref_snapshot *snap);
OBJREF_EXTERN void objref_snapshot_stats_get(objref_snapshot_stats *out, const objref_snapshot *snap);

/* The object, type or string with the given id; the pointer lives as long as
 * the snapshot.  Ids out of range return NULL ("" for strings). */
OBJREF_EXTERN const objref_object *objref_snapshot_object(const objref_snapshot *snap, objref_id id);
OBJREF_EXTERN const objref_type *objref_snapshot_type(const objref_snapshot *snap, objref_type_id id);
OBJREF_EXTERN const char *objref_snapshot_string(const objref_snapshot *snap, objref_str id);

/* The references of object `id`: sets *targets and *labels to arrays of
 * length *n (borrowed from the snapshot).  Returns 0 or OBJREF_EINVAL. */
OBJREF_EXTERN int objref_snapshot_edges(const objref_id **targets, const objref_label **labels,
	size_t *n, const objref_snapshot *snap, objref_id id);

/* The object with id() `addr`, or OBJREF_NO_ID.  The first call builds an
 * address index (4 bytes per object) kept until the snapshot is freed. */
OBJREF_EXTERN objref_id objref_snapshot_find(objref_snapshot *snap, uint64_t addr);

OBJREF_EXTERN const objref_root *objref_snapshot_roots(const objref_snapshot *snap, size_t *n);

/* The collector's state at capture (borrowed; all 0 when not recorded). */
OBJREF_EXTERN const objref_gc_state *objref_snapshot_gc(const objref_snapshot *snap);

/*
 * Intern one more string into a built snapshot (a name learnt after the
 * capture, such as an inline attribute's).  The only change a built
 * snapshot allows: ids stay valid, but pointers returned by
 * objref_snapshot_string before the call may not.  Returns 0 or
 * OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_snapshot_add_string(objref_str *out, objref_snapshot *snap, const char *s,
	size_t len);

/*
 * Render a label as the text of a chain step into buf (at most size bytes,
 * NUL-terminated): "['k']", "[3]", ".name", "local x", "cell x",
 * "__class__", "key", "{item}".  Returns the length it needed.
 */
OBJREF_EXTERN size_t objref_label_format(char *buf, size_t size, const objref_snapshot *snap,
	objref_label label);

/*
 * Check every invariant listed above.  Returns 0, or OBJREF_ECORRUPT with a
 * message naming the first violation.  O(objects + edges).
 */
OBJREF_EXTERN int objref_snapshot_validate(const objref_snapshot *snap);

#ifdef __cplusplus
}
#endif
#endif

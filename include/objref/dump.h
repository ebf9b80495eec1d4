/*
 * objref/dump.h — heap dump files: a snapshot written to disk and read back
 * anywhere, by any build, with no Python interpreter.
 *
 * A dump is the snapshot's own arrays (objects, CSR edges, labels, types,
 * strings, roots) as little-endian fixed-width sections behind a versioned
 * header, each section with a CRC-32.  Loading maps the file and points the
 * snapshot's arrays into the mapping: no step proportional to the edges
 * except the checks chosen in objref_dump_load_options.  docs/dump-format.md
 * describes every field, the identity rule and the compatibility promise.
 *
 * A dump written compressed (gzip of the whole file) is inflated into memory
 * on load; everything else is the same.
 */
#ifndef OBJREF_DUMP_H
#define OBJREF_DUMP_H

#include "snapshot.h"
#include "census.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The format version this build writes; it reads every version up to it. */
#define OBJREF_DUMP_FORMAT_VERSION 1

/*
 * What a dump says about where it came from.  Filled by the writer's
 * caller (capture knows the Python, the pid, the sequence); a loaded dump
 * returns it.  Strings are NUL-terminated and truncated to their arrays.
 */
typedef struct {
	uint32_t format_version;   /* OBJREF_DUMP_FORMAT_VERSION of the writer */
	char objref_version[16];   /* objref_version() of the writer */
	char python_version[24];   /* "3.11.2", or "" when not from a live Python */
	char python_build[48];     /* e.g. "main, Mar 13 2023 12:18:29 [GCC 12.2.0]" */
	uint32_t python_hexversion;/* PY_VERSION_HEX, 0 when unknown */
	uint32_t pid;              /* the process the heap belongs to, 0 when unknown */
	uint64_t process_start;    /* the process's identity beside its pid: its start
				    * time in clock ticks since boot (/proc/PID/stat
				    * field 22), 0 when unknown */
	uint64_t boot_id;          /* a hash of /proc/sys/kernel/random/boot_id, 0 when
				    * unknown: pid + start + boot name one process */
	uint64_t sequence;         /* the process's dump number: 1, 2, 3 ... (0: unknown) */
	uint64_t time_ns;          /* wall-clock time of the capture (ns since 1970) */
	uint32_t capture_flags;    /* OBJREF_CAPTURE_* the snapshot was taken with */
	uint32_t compressed;       /* load only: 1 when the file was gzip-compressed */
	uint64_t walk_ns;          /* how long the capture took, 0 when unknown */
	uint64_t file_size;        /* load only: bytes of the (uncompressed) dump */
} objref_dump_info;

/* Fill *info with this build's version and everything else 0. */
OBJREF_EXTERN void objref_dump_info_init(objref_dump_info *info);

typedef struct {
	unsigned int version;     /* OBJREF_DUMP_OPTIONS_VERSION */
	int compress;             /* gzip the whole file (level 1: fast) */
	const objref_dump_info *info; /* NULL: objref_dump_info_init's */
} objref_dump_options;

#define OBJREF_DUMP_OPTIONS_VERSION 1
#define OBJREF_DUMP_OPTIONS_INIT { OBJREF_DUMP_OPTIONS_VERSION, 0, NULL }

/*
 * Write snap to path: into "path.tmp" (created 0644, truncated) with
 * write(2), fsync'ed, then renamed over path.  On failure nothing is left at
 * "path.tmp" and path is untouched.  opts may be NULL (the defaults).
 * Returns 0, OBJREF_EIO (with the file and the system's reason),
 * OBJREF_EINVAL or OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_dump_write(const objref_snapshot *snap, const char *path,
	const objref_dump_options *opts);

/*
 * Write snap to an open file descriptor at its current offset, with
 * write(2) only (async-signal-safe apart from the library's allocations:
 * usable in a forked child).  `name` is used in error messages.  The caller
 * renames and closes.  Returns as objref_dump_write.
 */
OBJREF_EXTERN int objref_dump_write_fd(int fd, const char *name, const objref_snapshot *snap,
	const objref_dump_options *opts);

/* Load flags: the checks made at load (docs/dump-format.md, "Trust"). */
enum {
	/* Skip the CRC-32 of the sections (the header's is always checked). */
	OBJREF_DUMP_NO_CHECKSUMS = 1u << 0,
	/* Skip the bounds checks of ids inside the sections (edge targets,
	 * type ids, string ids, CSR offsets).  Only for files this process has
	 * just written: analyses trust those bounds, so a corrupt file loaded
	 * this way may crash them. */
	OBJREF_DUMP_NO_BOUNDS = 1u << 1,
	/* Read the file into memory instead of mapping it. */
	OBJREF_DUMP_NO_MMAP = 1u << 2
};

/*
 * Load the dump at path as a snapshot (arrays in place in a private
 * mapping; strings copied only if objref_snapshot_add_string is called).
 * flags: OBJREF_DUMP_* (0: every check).  *info (may be NULL) receives the
 * header.  Free the snapshot with objref_snapshot_free, which unmaps.
 * Returns 0, or with *out NULL and a message naming path and the reason:
 *   OBJREF_EIO       cannot open or read it, or a directory;
 *   OBJREF_EINVAL    not an objref dump (empty, another tool's file, wrong
 *                    magic), or a newer format version than this build's;
 *   OBJREF_ECORRUPT  truncated, a checksum mismatch, or an inconsistent
 *                    header, section table or id;
 *   OBJREF_ENOMEM.
 */
OBJREF_EXTERN int objref_dump_load(objref_snapshot **out, objref_dump_info *info,
	const char *path, unsigned flags);

/* As objref_dump_load, from a buffer of len bytes (copied). */
OBJREF_EXTERN int objref_dump_load_buffer(objref_snapshot **out, objref_dump_info *info,
	const void *data, size_t len, const char *name, unsigned flags);

/* The header of a snapshot loaded from a dump (borrowed), or NULL for one
 * captured or built. */
OBJREF_EXTERN const objref_dump_info *objref_dump_info_of(const objref_snapshot *snap);

/* ---- identities across dumps ------------------------------------------- */

/*
 * Two dumps belong to one process when pid, process_start and boot_id are
 * equal and known.  Returns 1 or 0.
 */
OBJREF_EXTERN int objref_dump_same_process(const objref_dump_info *a, const objref_dump_info *b);

/*
 * The stable id of object `id`: the same number for the same object in
 * every dump of one process while the object lives.  It is made of the
 * object's address and its type's address (CPython never moves an object,
 * and reuses an address only after a free): ((addr >> 3) << 8 |
 * hash8(type addr)) << 1 | 1 — odd, below 2^53 (a JavaScript number), as
 * Chrome's heap snapshots want.  OBJREF_NO_ID's stable id is 0.
 */
OBJREF_EXTERN uint64_t objref_dump_stable_id(const objref_snapshot *snap, objref_id id);

/*
 * Mark the objects of `now` that are new since `before`: (*out)[id] is 1
 * when no object of `before` has the same address and the same type
 * address, else 0.  Objects freed between the dumps and replaced at the
 * same address by one of the same type count as old.  *out is malloc'ed
 * (objref_free).  Returns 0, OBJREF_EINVAL (the dumps come from different
 * processes, or `before` is not older: their info says so) or
 * OBJREF_ENOMEM.  Two snapshots without dump info are compared as given.
 */
OBJREF_EXTERN int objref_dump_new_since(uint8_t **out, size_t *nnew, objref_snapshot *now,
	objref_snapshot *before);

#ifdef __cplusplus
}
#endif
#endif

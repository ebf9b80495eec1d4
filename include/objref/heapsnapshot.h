/*
 * objref/heapsnapshot.h — a snapshot as Chrome's .heapsnapshot JSON, for
 * DevTools' Memory panel and memlab.
 *
 * The mapping (docs/dump-format.md, "Chrome heap snapshots"):
 *   node 0              synthetic root ""
 *   nodes 1..k          one synthetic node per kind of root record present:
 *                       "(modules)", "(thread frames)", "(held from C)",
 *                       "(immortal)", "(frozen)", "(gc.garbage)"; the root
 *                       records are their edges
 *   nodes k+1..         the objects in id order: type "object", named by
 *                       their type ("dict", "app.Session"), self size,
 *                       id odd, below 2^32 and stable across dumps of one
 *                       process (from the address and the type's address;
 *                       DevTools keeps ids in 32-bit arrays)
 *   edges               [3] list/tuple items: "element" with the index;
 *                       ['k'], .name, local x, cell x, __dict__, __class__,
 *                       key, {item}: "property" named by objref's label text
 *                       (so a retainer path reads like objref's chain);
 *                       unnamed references: "internal" named "".
 *                       CPython's traversal never shows a weak reference's
 *                       referent, so no "weak" edge is ever written.
 */
#ifndef OBJREF_HEAPSNAPSHOT_H
#define OBJREF_HEAPSNAPSHOT_H

#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the JSON goes: called with consecutive pieces; a non-zero return
 * stops the writer, which returns it. */
typedef int (*objref_write_fn)(const void *data, size_t len, void *arg);

/*
 * Stream snap as .heapsnapshot JSON through fn, in pieces of at most
 * 64 KiB (memory: 4 bytes per object for the ids, plus the distinct label
 * texts; never the file).  Returns 0, OBJREF_ENOMEM, or fn's non-zero
 * return.
 */
OBJREF_EXTERN int objref_heapsnapshot_write(const objref_snapshot *snap, objref_write_fn fn, void *arg);

/* The same into path (through path.tmp, renamed when complete).  Returns
 * 0, OBJREF_EIO naming the file, or OBJREF_ENOMEM. */
OBJREF_EXTERN int objref_heapsnapshot_write_file(const objref_snapshot *snap, const char *path);

/* The .heapsnapshot id of object id of snap as objref_heapsnapshot_write
 * writes it when no other object of snap claims the same number first
 * (then the writer takes the next free odd number). */
OBJREF_EXTERN uint32_t objref_heapsnapshot_id(const objref_snapshot *snap, objref_id id);

#ifdef __cplusplus
}
#endif
#endif

/*
 * lib/capture_internal.h — what the capture files share.  The only library
 * code that includes Python.h.  Public C API only (PyUnstable_* allowed),
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
#include "internal.h"
#include "objref/capture.h"
#include "objref/snapshot.h"

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *Py_NewRef(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#endif

/* Member types of PyMemberDef (T_OBJECT, T_OBJECT_EX / Py_T_OBJECT_EX):
 * the values are part of the stable ABI and the same in 3.8–3.13. */
#define OBJREF__T_OBJECT 6
#define OBJREF__T_OBJECT_EX 16

/* The collector's per-object header (two pointers on every 3.8–3.13 build
 * with the GIL), counted in sizes as sys.getsizeof does. */
#define OBJREF__GC_HEAD_SIZE (2 * sizeof(void *))

/* ---- the capture session: collector paused, pending exception saved ---- */
typedef struct {
	int gc_was_enabled;
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *exc;
#else
	PyObject *exc_type, *exc_value, *exc_tb;
#endif
} objref__session;

int objref__session_enter(objref__session *s);
void objref__session_exit(objref__session *s);

/* ---- a set of objects: a dense array plus an address index ---- */
typedef struct {
	PyObject **objs;    /* borrowed: kept alive by the heap (gc paused, no code runs) */
	size_t n, cap;
	uint32_t *slots;    /* open addressing, id + 1, 0 = empty; at most half full */
	size_t slots_cap;
} objref__objset;

void objref__objset_dispose(objref__objset *s);
/* The id of op, adding it when absent (*added = 1).  OBJREF_NO_ID on ENOMEM. */
uint32_t objref__objset_add(objref__objset *s, PyObject *op, int *added);
uint32_t objref__objset_find(const objref__objset *s, PyObject *op);
/* Build the index of objects appended without one (by gathering). */
int objref__objset_index(objref__objset *s);

/* The GC-tracked objects, borrowed: `items` points into gc.get_objects()'s
 * list (held in `keep`) before 3.12, into our own array from 3.12. */
typedef struct {
	PyObject **items;
	size_t n;
	PyObject *keep;      /* the list, or NULL */
	objref__objset own;  /* the array, from 3.12 */
} objref__tracked;

int objref__gather_tracked(objref__tracked *t);
void objref__tracked_dispose(objref__tracked *t);

/* Is op tracked by the collector? */
static inline int objref__is_tracked(PyObject *op)
{
#if PY_VERSION_HEX >= 0x03090000
	return PyObject_GC_IsTracked(op);
#else
	return PyObject_IS_GC(op) && _PyObject_GC_IS_TRACKED(op);
#endif
}

/* Does traversal of op need PyDict_Next for its keys (tp_traverse may skip
 * str keys)? */
static inline int objref__walk_dict_keys(PyObject *op)
{
	return PyDict_Check(op);
}

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

/* Shallow size in bytes as sys.getsizeof would report for builtins; sets
 * OBJREF_F_SIZE_EST in *flags where it estimates. */
uint64_t objref__sizeof(PyObject *op, uint32_t *flags);

/* How the instances of one type are sized, worked out once per type so the
 * census loop does no type checks per object. */
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

/* A short safe description of op into buf; returns its length (0: none). */
size_t objref__describe(char *buf, size_t size, PyObject *op);

/* The rendered key of a dict entry for a KEY label: 'name' for str keys,
 * the number for int keys, <type> otherwise. */
size_t objref__render_key(char *buf, size_t size, PyObject *key);

#endif

/*
 * objref/common.h — error codes, export macro, version, allocation hooks.
 *
 * Every objref function that can fail returns 0 on success or a negative
 * OBJREF_E* code; the message of the last failure on this thread is kept for
 * objref_error_last().  Out-parameters come first.  The library never prints
 * and never exits: the faces (CLI, Python module) decide what to show.
 */
#ifndef OBJREF_COMMON_H
#define OBJREF_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(OBJREF_STATIC_DEFINE)
#  define OBJREF_EXTERN
#else
#  define OBJREF_EXTERN __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define OBJREF_VERSION "0.1.0"

typedef enum {
	OBJREF_OK = 0,
	OBJREF_ERROR = -1,     /* generic failure; see objref_error_last() */
	OBJREF_ENOMEM = -2,    /* an allocation failed */
	OBJREF_EINVAL = -3,    /* an argument is out of range or malformed */
	OBJREF_ENOTFOUND = -4, /* a name, address or type does not exist */
	OBJREF_EIO = -5,       /* a file could not be read or written */
	OBJREF_EPYTHON = -6,   /* the interpreter reported an error (capture) */
	OBJREF_ECORRUPT = -7   /* a snapshot violates its invariants */
} objref_error_code;

/* The message of the last error set on this thread ("" if none).  Valid
 * until the next failing objref call on the same thread. */
OBJREF_EXTERN const char *objref_error_last(void);

/* Clear the last error of this thread. */
OBJREF_EXTERN void objref_error_clear(void);

/* The library version, e.g. "0.1.0". */
OBJREF_EXTERN const char *objref_version(void);

/* Free memory returned by objref (rows, strings, buffers handed out):
 * what a contract comment says to free "with objref_free".  NULL is
 * allowed. */
OBJREF_EXTERN void objref_free(void *p);

/*
 * Give back now the memory objref keeps between captures: the working
 * arrays of 2 MB or more that a capture or an analysis freed, kept for the
 * next one (never more, with the arrays in use, than objref's arrays ever
 * held at once, so keeping does not raise the process's peak; at most
 * OBJREF_KEEP_MB megabytes when that is set, 0 keeping none).  The count
 * of what was held at once starts again from here.
 * Their pages are already the kernel's to reclaim under memory pressure
 * (MADV_FREE) but still count in the process's RSS until it does.
 * Returns the bytes freed.
 */
OBJREF_EXTERN size_t objref_release_memory(void);

/*
 * Fault injection for tests: make the nth allocation from now fail (1 = the
 * next one), then succeed again.  0 turns it off.  Returns how many
 * allocations were made since the last call, so a test can learn the number
 * of allocations a path makes and then fail each of them in turn.
 */
OBJREF_EXTERN unsigned long objref_alloc_fail_nth(unsigned long nth);

#ifdef __cplusplus
}
#endif
#endif

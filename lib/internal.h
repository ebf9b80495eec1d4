/*
 * lib/internal.h — what the library's files share and nobody else sees:
 * the allocator wrapper, error setting, and small helpers.
 */
#ifndef OBJREF_INTERNAL_H
#define OBJREF_INTERNAL_H

#include <stdarg.h>
#include <sys/types.h>
#include "objref/common.h"

/*
 * The one allocator.  Every allocation of the library goes through these,
 * so objref_alloc_fail_nth() can make any of them fail in tests.  On
 * failure they set the error message and return NULL; the caller returns
 * OBJREF_ENOMEM.  objref__free(NULL) is a no-op.
 */
void *objref__malloc(size_t size);
void *objref__calloc(size_t n, size_t size);
void *objref__realloc(void *p, size_t size);
void objref__free(void *p);
char *objref__strndup(const char *s, size_t len);

/* Set how many bytes of freed big blocks are kept for the next capture
 * (objref_release_memory); returns the limit it replaces.  For tests: the
 * default comes from OBJREF_KEEP_MB. */
size_t objref__keep_limit(size_t bytes);

/*
 * In a forked child, before it allocates: from then on the allocator above
 * takes its memory from mmap, never from the C library's malloc (whose
 * locks a thread gone at the fork may hold).  For the rest of the
 * process's life, which is one capture: small blocks are not reused.  The
 * objref__private_* functions are that allocator for other users in the
 * child (Python's allocator domains): a block from before the fork passed
 * to them is never freed, and growing it fails.
 */
void objref__alloc_private(void);
void *objref__private_malloc(size_t size);
void *objref__private_calloc(size_t n, size_t size);
void *objref__private_realloc(void *p, size_t size);
void objref__private_free(void *p);

/* Up to size - 1 bytes of the file at path (a /proc file, a small
 * request) into buf, NUL-terminated (empty on failure); the length, or -1
 * with errno.  open/read/close only: usable in a forked child. */
ssize_t objref__read_file(const char *path, char *buf, size_t size);

/*
 * Watching a forked child of ours (lib/proc.c) so that nobody waits for
 * it forever: a child that uses no CPU time while asleep in the kernel
 * for stall_s seconds waits on something that will not come (a lock that
 * a thread gone at the fork held).  Call objref__child_watch every second
 * or so with a zeroed watch: OBJREF__CHILD_STALLED then, _GONE when the
 * child has exited, else _BUSY (also when /proc cannot tell).  The stall time is
 * 10 s, or OBJREF_CHILD_STALL_SECONDS from the environment (tests).
 */
typedef struct {
	int seen;
	unsigned long long ticks; /* CPU time at the last look */
	double since;             /* when it last used CPU time, or woke */
} objref__watch;
enum { OBJREF__CHILD_BUSY, OBJREF__CHILD_STALLED, OBJREF__CHILD_GONE };
int objref__child_watch(objref__watch *w, int pid, double stall_s);
double objref__child_stall_seconds(void);

/* Sort n 64-bit values in place, ascending, with objref's allocator (no
 * qsort: glibc's mallocs).  0 or OBJREF_ENOMEM (then a is unchanged). */
int objref__sort_u64(uint64_t *a, size_t n);

/* Grow *p (an array of elem-sized items with capacity *cap) to hold at least
 * need items, doubling.  Returns 0 or OBJREF_ENOMEM (then *p is unchanged).
 * Inline where it has room already (the walks call it once per reference). */
int objref__grow_to(void **p, size_t *cap, size_t need, size_t elem);
static inline int objref__grow(void **p, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? 0 : objref__grow_to(p, cap, need, elem);
}

/* Set the message for objref_error_last() and return code. */
int objref__error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 64-bit mixing hash (splitmix64 finaliser) and a byte-string hash (FNV-1a). */
static inline uint64_t objref__hash64(uint64_t x)
{
	x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27; x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t objref__hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

#define OBJREF__MIN(a, b) ((a) < (b) ? (a) : (b))
#define OBJREF__MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * Write len bytes of data into the file path without ever leaving half a
 * file there: into "PATH.tmp.PID" first, then renamed over path (a failed
 * write removes the temporary).  Returns 0 or OBJREF_EIO (the message
 * names path and why).  Defined in lib/render.c.
 */
int objref__write_renamed(const char *path, const void *data, size_t len);

#endif

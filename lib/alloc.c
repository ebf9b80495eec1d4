/*
 * lib/alloc.c — the allocator wrapper and its fault injection.
 *
 * Contract: objref__malloc/calloc/realloc behave as the C library's, except
 * that a failure sets the error message.  When a test arms
 * objref_alloc_fail_nth(n), the n-th allocation from then on fails once.
 * The counters are process-global and not thread-safe: fault injection is a
 * single-threaded test facility.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include "internal.h"

static unsigned long alloc_count;   /* allocations since the last arm */
static unsigned long alloc_fail_at; /* 0: never fail */

unsigned long objref_alloc_fail_nth(unsigned long nth)
{
	unsigned long made = alloc_count;
	alloc_count = 0;
	alloc_fail_at = nth;
	return made;
}

/* Count an allocation; true when this one must fail. */
static int should_fail(void)
{
	alloc_count++;
	if (alloc_fail_at && alloc_count == alloc_fail_at) {
		alloc_fail_at = 0;
		return 1;
	}
	return 0;
}

static void *fail(size_t size)
{
	objref__error(OBJREF_ENOMEM, "out of memory allocating %zu bytes", size);
	return NULL;
}

void *objref__malloc(size_t size)
{
	void *p = should_fail() ? NULL : malloc(size ? size : 1);
	return p ? p : fail(size);
}

void *objref__calloc(size_t n, size_t size)
{
	void *p = should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
	return p ? p : fail(n * size);
}

void *objref__realloc(void *old, size_t size)
{
	void *p = should_fail() ? NULL : realloc(old, size ? size : 1);
	return p ? p : fail(size);
}

void objref__free(void *p)
{
	free(p);
}

void objref_free(void *p)
{
	free(p);
}

char *objref__strndup(const char *s, size_t len)
{
	char *d = objref__malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* A large array (a snapshot's objects and edges, a capture's object index)
 * is touched page by page as it fills: on transparent huge pages, where
 * the kernel offers them on request, it faults in 2 MB at a time instead
 * of 4 kB, and random probes miss the TLB less.  Advice only: nothing
 * changes when it is refused. */
void objref__advise_huge(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + bytes) & ~(huge - 1);

	if (bytes >= 2 * huge && hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

int objref__grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return objref__error(OBJREF_ENOMEM, "array of %zu items is too large", need);
	np = objref__realloc(*p, ncap * elem);
	if (!np)
		return OBJREF_ENOMEM;
	*p = np;
	*cap = ncap;
	objref__advise_huge(np, ncap * elem);
	return 0;
}

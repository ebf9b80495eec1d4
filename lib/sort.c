/*
 * lib/sort.c — sorting without the C library's qsort: glibc's takes a
 * scratch buffer from malloc, which a forked child must not call
 * (lib/alloc.c, objref__alloc_private); objref's allocator is used instead.
 */
#include <string.h>
#include "internal.h"

/* Least significant digit first, 16 bits a pass; a pass whose digit is
 * the same in every value (the low bits of aligned addresses, the high
 * ones of a 47-bit address space) is skipped. */
int objref__sort_u64(uint64_t *a, size_t n)
{
	uint64_t *tmp, *src = a, *dst, all_or = 0, all_and = ~(uint64_t)0;
	size_t *count;

	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		all_or |= a[i];
		all_and &= a[i];
	}
	if (!(tmp = objref__malloc(n * sizeof(*tmp))))
		return OBJREF_ENOMEM;
	if (!(count = objref__malloc(65536 * sizeof(*count)))) {
		objref__free(tmp);
		return OBJREF_ENOMEM;
	}
	dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;
		uint64_t *t;

		if ((((all_or ^ all_and) >> shift) & 0xffff) == 0)
			continue; /* every value has the same digit here */
		memset(count, 0, 65536 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xffff]++;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	objref__free(count);
	objref__free(tmp);
	return 0;
}

/*
 * tests/c/test-alloc.c — the forked child's allocator, the huge-page advice
 * on large arrays, the big blocks kept between captures and the sort that needs no malloc (lib/alloc.c,
 * lib/sort.c; internal, so lib/internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "../../lib/internal.h"

static uint64_t next_random(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s ^ (*s >> 29);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Against qsort: random 64-bit values, aligned addresses (digits skipped),
 * duplicates, sorted and reversed input, 0 and 1 values. */
TEST_IMPL(sort_u64)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 1000, 70000 };
	uint64_t seed = 42;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int shape = 0; shape < 5; shape++) {
			size_t n = sizes[k];
			uint64_t *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b));
			ASSERT(a && b);
			for (size_t i = 0; i < n; i++) {
				uint64_t r = next_random(&seed);
				a[i] = shape == 0 ? r
				     : shape == 1 ? 0x7f0000000000ULL + (r % 4096) * 16 /* addresses */
				     : shape == 2 ? r % 7                                /* duplicates */
				     : shape == 3 ? (uint64_t)i << 20                    /* sorted */
				     : ~(uint64_t)i;                                    /* reversed */
			}
			memcpy(b, a, n * sizeof(*a));
			qsort(b, n, sizeof(*b), cmp_u64);
			ASSERT_OK(objref__sort_u64(a, n));
			ASSERT(n == 0 || memcmp(a, b, n * sizeof(*a)) == 0);
			free(a);
			free(b);
		}
	}
	return TEST_OK;
}

/* In a child: blocks of every size keep their bytes through growth (in
 * place, moved, remapped), calloc zeroes what was used before, a block
 * from before private mode is freed as a no-op and cannot be grown. */
static int private_child(void *before)
{
	unsigned char *small, *other, *big, *z;
	size_t cap = 0;
	uint64_t *arr = NULL;

	objref__alloc_private();
	if (!(small = objref__malloc(10)))
		return 1;
	memset(small, 0xab, 10);
	if (!(small = objref__realloc(small, 100))) /* the newest block: grows in place */
		return 2;
	if (!(other = objref__malloc(32)))
		return 3;
	memset(other, 0xcd, 32);
	if (!(small = objref__realloc(small, 5000))) /* no longer the newest: moved */
		return 4;
	for (int i = 0; i < 10; i++)
		if (small[i] != 0xab)
			return 5;
	if (!(big = objref__malloc(300 << 10)))
		return 6;
	memset(big, 0x5a, 300 << 10);
	if (!(big = objref__realloc(big, 5 << 20))) /* a mapping of its own: mremap */
		return 7;
	if (big[0] != 0x5a || big[(300 << 10) - 1] != 0x5a)
		return 8;
	objref__free(big);
	if (other[31] != 0xcd)
		return 15;
	objref__free(small); /* the newest small block: its room is taken back */
	if (!(z = objref__calloc(8, 4)) || z != small)
		return 9;
	for (int i = 0; i < 32; i++)
		if (z[i])
			return 10;
	for (size_t i = 0; i < 1000000; i++) { /* objref__grow, past the big-block size */
		if (objref__grow((void **)&arr, &cap, i + 1, sizeof(*arr)) < 0)
			return 11;
		arr[i] = i;
	}
	for (size_t i = 0; i < 1000000; i++)
		if (arr[i] != i)
			return 12;
	objref__free(before);                        /* from malloc: left alone */
	if (objref__realloc(before, 100) != NULL) /* its size is unknown */
		return 13;
	if (objref_error_last()[0] == '\0')
		return 14;
	return 0;
}

TEST_IMPL(alloc_private)
{
	void *before = malloc(40);
	int status = 0;
	pid_t pid;

	ASSERT(before);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(private_child(before));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	free(before);
	return TEST_OK;
}

/* Does the mapping holding p carry flag (a VmFlags word of
 * /proc/self/smaps, "hg": advised onto huge pages)?  1, 0, or -1 when
 * smaps cannot be read. */
static int vma_has_flag(const void *p, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int inside = 0, found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		} else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
			char *w = strtok(line + 8, " \n");
			for (; w; w = strtok(NULL, " \n"))
				found |= strcmp(w, flag) == 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Arrays of megabytes, from malloc, calloc or growth, are advised onto
 * huge pages before their first touch (a snapshot of a million objects
 * faulted 15,000 4 kB pages a capture without it); growth keeps the
 * bytes.  Where the kernel has no transparent huge pages, nothing to see. */
TEST_IMPL(alloc_huge_advice)
{
	const size_t mb8 = (size_t)8 << 20;
	unsigned char *m, *c;
	uint64_t *arr = NULL;
	size_t cap = 0, n = mb8 / sizeof(*arr);

	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0 || vma_has_flag(&cap, "rd") < 0) {
		fprintf(stderr, "alloc_huge_advice: no transparent huge pages or smaps here, not checked\n");
		return TEST_OK;
	}
	ASSERT((m = objref__malloc(mb8)) != NULL);
	ASSERT((c = objref__calloc(mb8 / 8, 8)) != NULL);
	/* the middle of each lies in its 2 MB-aligned interior */
	ASSERT_EQ(vma_has_flag(m + mb8 / 2, "hg"), 1);
	ASSERT_EQ(vma_has_flag(c + mb8 / 2, "hg"), 1);
	ASSERT_EQ(c[0] | c[mb8 / 2] | c[mb8 - 1], 0);
	objref__free(m);
	objref__free(c);
	/* grown from small to 8 MB: every step's values kept, the last array advised */
	for (size_t i = 0; i < n; i++) {
		ASSERT_OK(objref__grow((void **)&arr, &cap, i + 1, sizeof(*arr)));
		arr[i] = i * 2654435761u;
	}
	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(arr[i], i * 2654435761u);
	ASSERT_EQ(vma_has_flag(arr + n / 2, "hg"), 1);
	objref__free(arr);
	return TEST_OK;
}

/* A freed block of megabytes is kept for the next request it fits (not
 * one under a quarter of its size), calloc's reads zero, the limit bounds
 * what is kept, and objref_release_memory() gives every kept byte back. */
TEST_IMPL(alloc_keeps_big_blocks)
{
	const size_t mb = (size_t)1 << 20;
	size_t was = objref__keep_limit(64 * mb);
	unsigned char *a, *b, *c, *d;

	objref_release_memory();
	/* 48 MB in use once (not kept: the limit 0), so what is kept below,
	 * never more than was in use at once, has room */
	objref__keep_limit(0);
	ASSERT((a = objref__malloc(48 * mb)) != NULL);
	objref__free(a);
	ASSERT_EQ(objref_release_memory(), 0);
	ASSERT((a = objref__malloc(48 * mb)) != NULL);
	objref__free(a);
	objref__keep_limit(64 * mb);
	ASSERT((a = objref__malloc(16 * mb)) != NULL);
	memset(a, 0xab, 16 * mb);
	objref__free(a);
	ASSERT((b = objref__malloc(3 * mb)) != NULL);  /* under a quarter: a fresh block */
	ASSERT(b != a);
	ASSERT((c = objref__malloc(12 * mb)) != NULL); /* fits: the kept one */
	ASSERT(c == a);
	c[12 * mb - 1] = 1;
	objref__free(c);
	ASSERT((d = objref__calloc(13 * mb / 8, 8)) != NULL);
	ASSERT(d == a);
	for (size_t i = 0; i < 13 * mb; i += 4093)
		ASSERT_EQ(d[i], 0);
	ASSERT_EQ(d[13 * mb - 1], 0);
	objref__free(d);
	objref__free(b);
	/* a, then b: both kept (at least their sizes), and all given back */
	ASSERT_GE(objref_release_memory(), 19 * mb);
	ASSERT_EQ(objref_release_memory(), 0);
	/* small blocks are never kept; nothing over the limit is */
	objref__keep_limit(8 * mb);
	ASSERT((a = objref__malloc(mb)) != NULL);
	objref__free(a);
	ASSERT((a = objref__malloc(16 * mb)) != NULL);
	objref__free(a);
	ASSERT_EQ(objref_release_memory(), 0);
	/* with the limit 0 (OBJREF_KEEP_MB=0), nothing is kept */
	objref__keep_limit(0);
	ASSERT((a = objref__malloc(4 * mb)) != NULL);
	objref__free(a);
	ASSERT_EQ(objref_release_memory(), 0);
	objref__keep_limit(was);
	return TEST_OK;
}

/* Never more kept than objref's big blocks ever held at once: a block that
 * no kept one fits first frees the kept ones that would go over, so a
 * larger capture after a smaller one does not add its arrays to the
 * smaller one's.  release_memory() starts the count again. */
TEST_IMPL(alloc_keeps_no_more_than_was_in_use)
{
	const size_t mb = (size_t)1 << 20;
	size_t was = objref__keep_limit(SIZE_MAX >> 1), got;
	unsigned char *a, *b;

	objref_release_memory();
	ASSERT((a = objref__malloc(16 * mb)) != NULL);
	objref__free(a); /* kept: 16 MB, as much as was in use */
	ASSERT((b = objref__malloc(40 * mb)) != NULL);
	ASSERT(b != a);
	objref__free(b); /* kept; the 16 MB block was freed for it */
	got = objref_release_memory();
	ASSERT_GE(got, 40 * mb);
	ASSERT_LT(got, 56 * mb);
	/* a freed block that was never in use beside the kept ones is kept */
	ASSERT((a = objref__malloc(8 * mb)) != NULL);
	ASSERT((b = objref__malloc(8 * mb)) != NULL);
	objref__free(a);
	objref__free(b);
	got = objref_release_memory();
	ASSERT_GE(got, 16 * mb);
	ASSERT_LT(got, 20 * mb);
	objref__keep_limit(was);
	return TEST_OK;
}

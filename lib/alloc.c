/*
 * lib/alloc.c — the allocator wrapper and its fault injection.
 *
 * Contract: objref__malloc/calloc/realloc behave as the C library's, except
 * that a failure sets the error message.  When a test arms
 * objref_alloc_fail_nth(n), the n-th allocation from then on fails once.
 * The counters are process-global and not thread-safe: fault injection is a
 * single-threaded test facility.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

/* An array this large is advised onto huge pages (advise_huge) and, freed,
 * kept for the next capture (keep). */
#define BIG ((size_t)2 << 20)

static void advise_huge(void *p, size_t bytes);
static void *reuse(size_t size);
static int keep(void *p);
static size_t big_size(void *p);
static void make_room(size_t size);
static void account(size_t gone, size_t made);
static int private_mode; /* objref__alloc_private() was called: a forked child */
static void *private_malloc(size_t size);
static void *private_realloc(void *old, size_t size);
static void private_free(void *p);

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

/* Every allocation of megabytes is one of a capture's or an analysis's
 * arrays, touched page by page as it fills and then at random: advised
 * onto huge pages before the first touch (advise_huge).  A
 * snapshot of a million objects faulted 15,000 4 kB pages a capture in
 * the arrays that were malloc'ed rather than grown. */
void *objref__malloc(size_t size)
{
	void *p;

	if (should_fail())
		return fail(size);
	if (private_mode) {
		p = private_malloc(size);
	} else if (!(p = reuse(size))) {
		make_room(size);
		if ((p = malloc(size ? size : 1))) {
			advise_huge(p, size);
			account(0, big_size(p));
		}
	}
	return p ? p : fail(size);
}

void *objref__calloc(size_t n, size_t size)
{
	size_t bytes = size && n <= SIZE_MAX / size ? n * size : 0; /* 0 on overflow: calloc fails */
	void *p;

	if (should_fail())
		return fail(n * size);
	if (private_mode) {
		p = objref__private_calloc(n, size);
	} else if ((p = reuse(bytes))) {
		memset(p, 0, bytes);
	} else {
		make_room(bytes);
		if ((p = calloc(n ? n : 1, size ? size : 1))) {
			advise_huge(p, bytes);  /* calloc of a new mapping touches nothing */
			account(0, big_size(p));
		}
	}
	return p ? p : fail(n * size);
}

void *objref__realloc(void *old, size_t size)
{
	size_t was;
	void *p;

	if (should_fail())
		return fail(size);
	if (private_mode)
		return (p = private_realloc(old, size)) ? p : fail(size);
	was = big_size(old);
	make_room(size > was ? size - was : 0);
	if ((p = realloc(old, size ? size : 1)))
		account(was, big_size(p));
	return p ? p : fail(size);
}

void objref__free(void *p)
{
	if (private_mode)
		private_free(p);
	else if (!keep(p))
		free(p);
}

void objref_free(void *p)
{
	objref__free(p);
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
static void advise_huge(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t huge = BIG;
	uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + bytes) & ~(huge - 1);

	if (bytes >= BIG && hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

int objref__grow_to(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return objref__error(OBJREF_ENOMEM, "array of %zu items is too large", need);
	if (ncap * elem >= BIG && (*cap || !*p) && !private_mode) {
		/* realloc would copy into pages faulted 4 kB at a time: the new
		 * array is a kept one, or advised before the copy touches it */
		if (!(np = objref__malloc(ncap * elem)))
			return OBJREF_ENOMEM;
		if (*cap)
			memcpy(np, *p, *cap * elem);
		objref__free(*p);
	} else if (!(np = objref__realloc(*p, ncap * elem))) {
		return OBJREF_ENOMEM;
	} else {
		advise_huge(np, ncap * elem);
	}
	*p = np;
	*cap = ncap;
	return 0;
}

/* ---- blocks kept for the next capture ----------------------------------
 *
 * A capture fills a few hundred megabytes of fresh arrays, and the kernel
 * zeroes each page before the first touch: at a million objects a tenth
 * of the snapshot's time, at ten million a quarter.  So a freed block of
 * BIG bytes or more is kept (at most KEPT_SLOTS blocks) and a later
 * request that it fits takes it back, its pages still mapped.
 *
 * How much: never more than objref's big blocks ever held at once.  The
 * blocks in use (live_big) and the kept ones together stay within the
 * high-water mark of the blocks in use (peak_big): a block is kept only
 * when that holds, and a new block that no kept one fits first frees kept
 * blocks, the largest first, until it holds.  So keeping never raises the
 * process's peak: repeated captures of one heap reuse their own arrays,
 * and a smaller capture after a larger one gives the surplus back.
 * OBJREF_KEEP_MB caps the kept bytes further (0: keep nothing).
 *
 * A kept block's whole huge pages are given to the kernel lazily
 * (MADV_FREE): under memory pressure they are reclaimed, and a later
 * touch faults a zero page as before; without that pressure they are
 * reused as they are.  objref_release_memory() frees them all now, and
 * the high-water mark starts again from the blocks in use.  A
 * lock guards the list and the counts: a dump's reader thread and a
 * rendering without the GIL allocate too.  A forked child never comes
 * here (private_mode). */

#define KEPT_SLOTS 32
#if defined(__SANITIZE_ADDRESS__)
#define OBJREF__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OBJREF__ASAN 1
#endif
#endif
#if defined(OBJREF__ASAN) || !defined(MADV_FREE)
#define KEEP_NOTHING 1 /* ASan: a kept block would hide a use after free */
#endif

typedef struct {
	void *p;
	size_t size; /* malloc_usable_size(p) */
} kept_block;

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static kept_block kept[KEPT_SLOTS];
static size_t nkept, kept_bytes;
static size_t live_big, peak_big;    /* big blocks in use: now, and at most */
static size_t keep_limit = SIZE_MAX; /* SIZE_MAX: not read yet */

/* The cap: OBJREF_KEEP_MB (megabytes) read at the first call, unless a
 * test set it; without it none (SIZE_MAX / 2), or 0 under ASan.  Under
 * kept_lock. */
static size_t keep_limit_now(void)
{
	if (keep_limit == SIZE_MAX) {
		const char *e = getenv("OBJREF_KEEP_MB");
		char *end = NULL;
		unsigned long long mb = e && *e ? strtoull(e, &end, 10) : 0;

#ifdef KEEP_NOTHING
		keep_limit = 0;
#else
		keep_limit = SIZE_MAX >> 1;
#endif
		if (e && *e && !*end && mb <= SIZE_MAX >> 21)
			keep_limit = (size_t)mb << 20;
	}
	return keep_limit;
}

size_t objref__keep_limit(size_t bytes)
{
	size_t was;

	pthread_mutex_lock(&kept_lock);
	was = keep_limit_now();
	keep_limit = bytes;
	pthread_mutex_unlock(&kept_lock);
	return was;
}

/* p's usable size if it is a big block (not the forked child's), else 0. */
static size_t big_size(void *p)
{
	size_t size = p && !private_mode ? malloc_usable_size(p) : 0;

	return size >= BIG ? size : 0;
}

/* Under kept_lock: the blocks in use went from live_big to that less gone
 * plus made; the high-water mark follows. */
static void account_locked(size_t gone, size_t made)
{
	live_big = (live_big > gone ? live_big - gone : 0) + made;
	if (live_big > peak_big)
		peak_big = live_big;
}

static void account(size_t gone, size_t made)
{
	if (!gone && !made)
		return;
	pthread_mutex_lock(&kept_lock);
	account_locked(gone, made);
	pthread_mutex_unlock(&kept_lock);
}

/* Before a new block of size bytes that no kept one fits: free kept
 * blocks, the largest first, until the kept ones, those in use and the new
 * one together stay within the most ever in use (peak_big, which the new
 * block may raise). */
static void make_room(size_t size)
{
	if (size < BIG)
		return;
	pthread_mutex_lock(&kept_lock);
	while (nkept && kept_bytes + live_big + size > OBJREF__MAX(peak_big, live_big + size)) {
		size_t big = 0;

		for (size_t i = 1; i < nkept; i++)
			if (kept[i].size > kept[big].size)
				big = i;
		free(kept[big].p);
		kept_bytes -= kept[big].size;
		kept[big] = kept[--nkept];
	}
	pthread_mutex_unlock(&kept_lock);
}

/* A kept block of at least size bytes, and at most four times that (a
 * larger one waits for a larger request), the smallest; NULL if none. */
static void *reuse(size_t size)
{
	size_t best = KEPT_SLOTS;
	void *p = NULL;

	if (size < BIG)
		return NULL;
	pthread_mutex_lock(&kept_lock);
	for (size_t i = 0; i < nkept; i++)
		if (kept[i].size >= size && kept[i].size / 4 <= size &&
		    (best == KEPT_SLOTS || kept[i].size < kept[best].size))
			best = i;
	if (best < KEPT_SLOTS) {
		p = kept[best].p;
		kept_bytes -= kept[best].size;
		account_locked(0, kept[best].size);
		kept[best] = kept[--nkept];
	}
	pthread_mutex_unlock(&kept_lock);
	return p;
}

/* Keep p for a later request instead of freeing it: 1, or 0 (not kept:
 * small, no room, over what was ever in use, or the kernel cannot take its
 * pages lazily). */
static int keep(void *p)
{
	size_t size = big_size(p);
	int kept_it = 0;

	if (!size)
		return 0;
	pthread_mutex_lock(&kept_lock);
	account_locked(size, 0);
	if (nkept < KEPT_SLOTS && size <= keep_limit_now() && kept_bytes <= keep_limit - size &&
	    kept_bytes + size + live_big <= peak_big) {
#if defined(__linux__) && defined(MADV_FREE)
		uintptr_t lo = ((uintptr_t)p + BIG - 1) & ~(BIG - 1), hi = ((uintptr_t)p + size) & ~(BIG - 1);

		kept_it = hi <= lo || madvise((void *)lo, hi - lo, MADV_FREE) == 0;
#endif
		if (kept_it) {
			kept[nkept].p = p;
			kept[nkept++].size = size;
			kept_bytes += size;
		}
	}
	pthread_mutex_unlock(&kept_lock);
	return kept_it;
}

size_t objref_release_memory(void)
{
	size_t freed;

	pthread_mutex_lock(&kept_lock);
	for (size_t i = 0; i < nkept; i++)
		free(kept[i].p);
	freed = kept_bytes;
	nkept = kept_bytes = 0;
	peak_big = live_big;  /* what is kept from now on: at most what is used from now on */
	pthread_mutex_unlock(&kept_lock);
	return freed;
}

/* ---- the forked child's allocator --------------------------------------
 *
 * A child forked from a threaded program may find the C library's
 * allocator locked for good: a thread that no longer exists held it at
 * the fork.  glibc resets its own locks in the child, but a sanitizer's
 * allocator, an LD_PRELOADed one or tracemalloc's table lock may not.  So
 * the child takes its memory from the kernel: blocks from 256 kB are a
 * mapping of their own (grown by mremap, returned by munmap), smaller ones
 * are carved from 1 MB+ chunks and never reused (the child lives for one
 * capture).  Each block has a 16-byte head (its size and a tag derived
 * from its address).  The mappings are listed, sorted by address: a
 * pointer outside them is a block from before the fork, whose memory is
 * never read (its head is another allocator's, or a redzone).  Such a
 * block is never freed (the child exits soon) and cannot be grown (its
 * size is unknown): that fails.
 */

typedef struct {
	size_t size;   /* usable bytes, a multiple of 16 */
	uintptr_t tag; /* tag_of(the block's address) */
} block_head;

typedef struct {
	uintptr_t lo, hi; /* [lo, hi): one mapping of ours */
} mapping;

#define BIG_BLOCK ((size_t)256 << 10)

static char *chunk_next, *chunk_end;
static char *last_small; /* the newest small block: it may grow in place */
static size_t chunk_size = (size_t)1 << 20;
static mapping *maps;    /* sorted by lo; itself a mapping, not listed */
static size_t nmaps, maps_bytes;

static uintptr_t tag_of(const void *user)
{
	return (uintptr_t)user ^ (uintptr_t)0x6f626a7265662d63ULL;
}

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (n + page - 1) & ~(page - 1);
}

/* The index of the first mapping whose lo is above a. */
static size_t maps_after(uintptr_t a)
{
	size_t lo = 0, hi = nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (maps[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for one more mapping in the list: 0, or -1. */
static int maps_reserve(void)
{
	if ((nmaps + 1) * sizeof(*maps) > maps_bytes) {
		size_t nb = maps_bytes ? maps_bytes * 2 : page_round(1024 * sizeof(*maps));
		void *nm = maps ? mremap(maps, maps_bytes, nb, MREMAP_MAYMOVE)
				: mmap(NULL, nb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (nm == MAP_FAILED)
			return -1;
		maps = nm;
		maps_bytes = nb;
	}
	return 0;
}

/* Lists [m, m + bytes); maps_reserve() made room. */
static void maps_add(void *m, size_t bytes)
{
	uintptr_t lo = (uintptr_t)m;
	size_t at = maps_after(lo);

	memmove(maps + at + 1, maps + at, (nmaps - at) * sizeof(*maps));
	maps[at].lo = lo;
	maps[at].hi = lo + bytes;
	nmaps++;
}

static void maps_remove(void *m)
{
	size_t at = maps_after((uintptr_t)m);

	if (at > 0 && maps[at - 1].lo == (uintptr_t)m) {
		memmove(maps + at - 1, maps + at, (nmaps - at) * sizeof(*maps));
		nmaps--;
	}
}

/* A fresh mapping of bytes (page-rounded), listed; NULL if none. */
static void *map_new(size_t bytes)
{
	void *m;

	if (maps_reserve() < 0)
		return NULL;
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	maps_add(m, bytes);
	return m;
}

/* Whether p is a block of ours: its head lies in a listed mapping. */
static block_head *ours(void *p)
{
	block_head *h = (block_head *)p - 1;
	uintptr_t a = (uintptr_t)h;
	size_t at = maps_after(a);

	if (at == 0 || a >= maps[at - 1].hi)
		return NULL;
	return h->tag == tag_of(p) ? h : NULL;
}

static void *private_malloc(size_t size)
{
	size_t need = size ? (size + 15) & ~(size_t)15 : 16;
	block_head *h;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (need >= BIG_BLOCK) {
		if (!(h = map_new(page_round(need + sizeof(*h)))))
			return NULL;
	} else {
		if ((size_t)(chunk_end - chunk_next) < need + sizeof(*h)) {
			void *m = map_new(chunk_size);
			if (!m)
				return NULL;
			chunk_next = m;
			chunk_end = chunk_next + chunk_size;
			if (chunk_size < ((size_t)64 << 20))
				chunk_size *= 2;
		}
		h = (block_head *)chunk_next;
		chunk_next += need + sizeof(*h);
		last_small = (char *)(h + 1);
	}
	h->size = need;
	h->tag = tag_of(h + 1);
	return h + 1;
}

static void *private_realloc(void *old, size_t size)
{
	size_t need = size ? (size + 15) & ~(size_t)15 : 16;
	block_head *h;
	void *p;

	if (!old)
		return private_malloc(size);
	if (!(h = ours(old)) || size > SIZE_MAX / 2)
		return NULL; /* from before the fork: its size is unknown */
	if (need <= h->size)
		return old;
	if (h->size >= BIG_BLOCK && maps_reserve() == 0) {
		/* Refused when the huge-page advice split the mapping in
		 * parts (EFAULT): then moved by a copy, below. */
		size_t nb = page_round(need + sizeof(*h));
		void *m = mremap(h, page_round(h->size + sizeof(*h)), nb, MREMAP_MAYMOVE);
		if (m != MAP_FAILED) {
			maps_remove(h);
			maps_add(m, nb);
			h = m;
			h->size = need;
			h->tag = tag_of(h + 1);
			return h + 1;
		}
	}
	if (old == last_small && need < BIG_BLOCK &&
	    (size_t)(chunk_end - (char *)old) >= need) { /* the newest small block grows in place */
		chunk_next = (char *)old + need;
		h->size = need;
		return old;
	}
	if (!(p = private_malloc(size)))
		return NULL;
	memcpy(p, old, h->size);
	private_free(old);
	return p;
}

static void private_free(void *p)
{
	block_head *h;

	if (!p || !(h = ours(p)))
		return;
	if (h->size >= BIG_BLOCK) {
		h->tag = 0;
		maps_remove(h);
		munmap(h, page_round(h->size + sizeof(*h)));
	} else if (p == last_small) {
		h->tag = 0;
		chunk_next = (char *)h;
		last_small = NULL;
	}
}

void objref__alloc_private(void)
{
	private_mode = 1;
}

void *objref__private_malloc(size_t size)
{
	return private_malloc(size);
}

void *objref__private_calloc(size_t n, size_t size)
{
	void *p = size && n > SIZE_MAX / size ? NULL : private_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *objref__private_realloc(void *p, size_t size)
{
	return private_realloc(p, size);
}

void objref__private_free(void *p)
{
	private_free(p);
}

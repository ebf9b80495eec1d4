/*
 * tests/spy/malloc_spy.c — LD_PRELOADed by tests/python/test_fork_alloc.py:
 * a process forked by fork() (its pthread_atfork child handler) that then
 * calls the C library's allocator says which function on stderr and
 * _exits with status 86.  objref's forked children (census, dump) must
 * take their memory from mmap only (lib/alloc.c, objref__alloc_private).
 * A process that execs starts clean: the handler is registered again.
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

/* The project builds with hidden visibility: these must be seen. */
#define SPY __attribute__((visibility("default")))

static volatile int in_child;

static void forked(void)
{
	in_child = 1;
}

__attribute__((constructor)) static void spy_init(void)
{
	pthread_atfork(NULL, NULL, forked);
}

static void caught(const char *fn)
{
	static const char head[] = "malloc_spy: a forked child called ";
	ssize_t r = write(2, head, sizeof(head) - 1);

	r += write(2, fn, strlen(fn));
	r += write(2, "\n", 1);
	_exit(r > 0 ? 86 : 87);
}

SPY void *malloc(size_t n)
{
	if (in_child)
		caught("malloc");
	return __libc_malloc(n);
}

SPY void *calloc(size_t n, size_t size)
{
	if (in_child)
		caught("calloc");
	return __libc_calloc(n, size);
}

SPY void *realloc(void *p, size_t n)
{
	if (in_child)
		caught("realloc");
	return __libc_realloc(p, n);
}

SPY void free(void *p)
{
	if (in_child && p)
		caught("free");
	__libc_free(p);
}

SPY void *memalign(size_t align, size_t n)
{
	if (in_child)
		caught("memalign");
	return __libc_memalign(align, n);
}

SPY void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

SPY int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = memalign(align, n);
	if (!p)
		return 12; /* ENOMEM */
	*out = p;
	return 0;
}

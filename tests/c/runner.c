/*
 * tests/c/runner.c — objref-tests: the one runner of the C tests.
 *
 *   objref-tests              run every test, each in a forked child
 *   objref-tests --no-fork    run every test in this process
 *   objref-tests NAME...      run the named tests in this process
 *                             ("c.NAME", as ctest calls them, is accepted)
 *   objref-tests --list       print the names, one a line
 *
 * A named test runs in this process, so it can be debugged as it is:
 * `gdb --args objref-tests NAME`, `valgrind objref-tests NAME`.  Running
 * everything forks one child per test, so a test that crashes, aborts (a
 * UBSan or ASan report) or leaks (LeakSanitizer's check at the child's exit)
 * fails alone and the others still run.  Before and after each test the
 * fault injector is disarmed and the error cleared.
 *
 * The last line of stdout is "N passed, N failed"; the exit status is 0 when
 * nothing failed, 1 when something did, 2 on a usage error.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test-list.h"

#if defined(__SANITIZE_ADDRESS__)
#  define TEST_HAVE_LSAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define TEST_HAVE_LSAN 1
#  endif
#endif
#ifdef TEST_HAVE_LSAN
#  include <sanitizer/lsan_interface.h>
#endif

typedef struct {
	const char *name;
	int (*fn)(void);
} test_entry;

static const test_entry tests[] = {
#define X(name) {#name, test_##name},
	TEST_LIST(X)
#undef X
};

void test__fail_head(const char *file, int line)
{
	fflush(stdout);
	fprintf(stderr, "Assertion failed in %s on line %d: ", file, line);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const test_entry *find_test(const char *name)
{
	size_t i;

	if (strncmp(name, "c.", 2) == 0)
		name += 2;
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

/* The test body with the library's global state reset around it. */
static int call_test(const test_entry *t)
{
	int rc;

	objref_alloc_fail_nth(0);
	objref_error_clear();
	rc = t->fn();
	objref_alloc_fail_nth(0);
	objref_error_clear();
	fflush(stderr);
	return rc;
}

/*
 * In-process runs under ASan: ask LeakSanitizer after each passing test, so
 * a leak fails the test that made it.  It reports every live leak each time,
 * and a failed test leaks what it had allocated, so checking stops at the
 * first failure or leak (the check at exit still runs).
 */
static int leaked(const test_entry *t, int failed)
{
#ifdef TEST_HAVE_LSAN
	static int checks_on = 1;

	if (!checks_on)
		return 0;
	if (failed) {
		checks_on = 0;
		return 0;
	}
	if (__lsan_do_recoverable_leak_check()) {
		checks_on = 0;
		fprintf(stderr, "%s: LeakSanitizer found a leak (see above)\n", t->name);
		return 1;
	}
#else
	(void)t;
	(void)failed;
#endif
	return 0;
}

static int run_in_process(const test_entry *t)
{
	int rc = call_test(t);

	if (leaked(t, rc != TEST_OK))
		rc = TEST_FAIL;
	return rc != TEST_OK;
}

/* Run t in a child; why it failed goes to stderr. */
static int run_forked(const test_entry *t)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("objref-tests: fork");
		return run_in_process(t);
	}
	if (pid == 0)
		exit(call_test(t) == TEST_OK ? 0 : 1); /* exit, not _exit: LSan checks at exit */
	while (waitpid(pid, &status, 0) < 0) {
		perror("objref-tests: waitpid");
		return 1;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "%s: killed by signal %d (%s)\n", t->name, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
		return 1;
	}
	if (WEXITSTATUS(status) > 1)
		fprintf(stderr, "%s: the test process exited with status %d%s\n", t->name,
			WEXITSTATUS(status), WEXITSTATUS(status) == 23 ? " (LeakSanitizer found a leak)" : "");
	return WEXITSTATUS(status) != 0;
}

static int run(const test_entry *t, int forked)
{
	double t0 = now_ms();
	int failed = forked ? run_forked(t) : run_in_process(t);

	fflush(stderr);
	printf("%-6s %s (%.1f ms)\n", failed ? "FAILED" : "ok", t->name, now_ms() - t0);
	fflush(stdout);
	return failed;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: objref-tests [--no-fork] [NAME...]\n"
		"       objref-tests --list\n"
		"  no NAME: run every test, each in a child process (--no-fork: all in this one)\n"
		"  NAME...: run these tests in this process (for gdb, valgrind)\n");
}

int main(int argc, char **argv)
{
	size_t i, passed = 0, failed = 0;
	int a = 1, forked = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (a < argc && strcmp(argv[a], "--no-fork") == 0) {
		forked = 0;
		a++;
	}
	for (int j = a; j < argc; j++) {
		if (!find_test(argv[j])) {
			fprintf(stderr, "objref-tests: no test called '%s' (see --list)\n", argv[j]);
			usage(stderr);
			return 2;
		}
	}

	if (a == argc) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			if (run(&tests[i], forked))
				failed++;
			else
				passed++;
	} else {
		for (; a < argc; a++)
			if (run(find_test(argv[a]), 0))
				failed++;
			else
				passed++;
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}

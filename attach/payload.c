/*
 * attach/payload.c — what objref-chain --pid loads into a running Python
 * process (through gdb, see attach/inject_gdb.py): a library, built for one
 * Python version, whose one entry point starts a thread and returns.
 *
 * The interrupted thread (wherever gdb stopped it) runs no Python code and
 * takes no interpreter lock: objref_payload_start only creates a thread,
 * with every signal blocked so the process's signals keep going to its own
 * threads.  That thread, for each dump asked for: takes the GIL
 * (PyGILState_Ensure), fork()s — the child walks the heap and writes the
 * dump (capture/dump: C only, write(2), _exit) —, releases the GIL at once
 * (the process pauses for the fork, not for the walk), waits for the child
 * and writes a status file.  Then it ends: no thread is left behind.
 *
 * Files are exchanged in the target's own /tmp (objref-chain reaches it
 * through /proc/PID/root, so a process in a container works):
 *
 *   /tmp/objref-attach-TOKEN/request     "count K\ninterval_ms M\ncompress C\n" (objref-chain)
 *   /tmp/objref-attach-TOKEN/objref-payload-3.X.so   this library, as gdb dlopen()s it
 *   /tmp/objref-attach-TOKEN/dump-N.objref         the dumps (N = 1 .. K)
 *   /tmp/objref-attach-TOKEN/status-N    "ok PAUSE_NS WALK_NS WRITE_NS OBJECTS\n" or "error MESSAGE\n"
 *   /tmp/objref-attach-TOKEN/done        written last ("ok\n" or "error MESSAGE\n")
 *   /tmp/objref-attach-TOKEN/cancel      objref-chain gave up: stop before the next dump
 *
 * Every file is written under a .tmp name and renamed.  One payload thread
 * runs at a time per process: a second start while one runs returns 1.
 */
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "objref/capture_dump.h"
#include "objref/dump.h"

#define PAYLOAD_EXPORT __attribute__((visibility("default")))

typedef struct {
	char dir[96];
	long count;
	long interval_ms;
	int compress;
} request;

static atomic_int running;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Write text to dir/name through dir/name.tmp and a rename. */
static void put_file(const char *dir, const char *name, const char *text)
{
	char path[160], tmp[168];
	size_t len = strlen(text), put = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return;
	while (put < len) {
		ssize_t w = write(fd, text + put, len - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		put += (size_t)w;
	}
	if (close(fd) == 0 && put == len)
		rename(tmp, path);
	else
		unlink(tmp);
}

static int exists(const char *dir, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int read_request(request *r)
{
	char path[160], buf[256];

	snprintf(path, sizeof(path), "%s/request", r->dir);
	if (objref__read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	r->count = 1;
	r->interval_ms = 0;
	r->compress = 0;
	if (sscanf(buf, "count %ld\ninterval_ms %ld\ncompress %d", &r->count, &r->interval_ms,
		    &r->compress) < 2 || r->count < 1 || r->count > 1000 || r->interval_ms < 0)
		return -1;
	return 0;
}

/* One dump, forked by the capture unit (objref_capture_dump_fork: the
 * child walks, writes and _exit()s); the GIL is held for the fork only.
 * Writes the status line for status-N. */
static void dump_one(char *status, size_t size, const request *r, long seq)
{
	char path[160];
	objref_capture_dump_stats st;
	objref_capture_dump_job job;
	objref_dump_info info;
	PyGILState_STATE gil;
	uint64_t t0, pause;
	int rc;

	snprintf(path, sizeof(path), "%s/dump-%ld.objref", r->dir, seq);
	objref_capture_dump_info(&info); /* reads /proc: not while the process waits */
	info.sequence = (uint64_t)seq;
	gil = PyGILState_Ensure();
	t0 = now_ns();
	rc = objref_capture_dump_fork(&job, &st, path, &info, r->compress);
	pause = now_ns() - t0;
	PyGILState_Release(gil);
	if (rc == 0)
		objref_capture_dump_reap(&st, &job, 1);
	if (st.status != 0)
		snprintf(status, size, "error %s\n", st.message[0] ? st.message : "the dump failed");
	else
		snprintf(status, size, "ok %llu %llu %llu %llu\n", (unsigned long long)pause,
			(unsigned long long)st.walk_ns, (unsigned long long)st.write_ns,
			(unsigned long long)st.nobjects);
}

/* Sleep ms in steps of 50 ms; 0 when objref-chain cancelled (or the
 * directory is gone). */
static int wait_interval(const request *r)
{
	for (long left = r->interval_ms; left > 0; left -= 50) {
		struct timespec ts = { 0, (left < 50 ? left : 50) * 1000000L };
		nanosleep(&ts, NULL);
		if (exists(r->dir, "cancel") || access(r->dir, F_OK) != 0)
			return 0;
	}
	return 1;
}

static void *payload_main(void *arg)
{
	request *r = arg;
	char status[512], name[32];
	int failed = 0;

	objref__keep_limit(0);  /* nothing of ours stays in the target after the dumps */
	if (read_request(r) < 0) {
		put_file(r->dir, "done", "error the request file is missing or malformed\n");
		goto out;
	}
	for (long seq = 1; seq <= r->count; seq++) {
		if (seq > 1 && !wait_interval(r))
			break;
		if (!Py_IsInitialized()) {
			snprintf(status, sizeof(status), "error the interpreter is shutting down\n");
			failed = 1;
		} else {
			dump_one(status, sizeof(status), r, seq);
			failed = strncmp(status, "ok", 2) != 0;
		}
		snprintf(name, sizeof(name), "status-%ld", seq);
		put_file(r->dir, name, status);
		if (failed)
			break;
	}
	put_file(r->dir, "done", failed ? status : "ok\n");
out:
	free(r);
	atomic_store(&running, 0);
	return NULL;
}

/*
 * Start the payload thread for the exchange directory /tmp/objref-attach-TOKEN.
 * Returns 0 (started), 1 (a payload thread already runs here), -1 (no
 * memory or no thread: nothing started).  Called by gdb on an interrupted
 * thread: runs no Python code, takes no lock of the interpreter.
 */
PAYLOAD_EXPORT int objref_payload_start(long token)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	request *r;
	int rc;

	if (atomic_exchange(&running, 1))
		return 1;
	if (!(r = calloc(1, sizeof(*r)))) {
		atomic_store(&running, 0);
		return -1;
	}
	snprintf(r->dir, sizeof(r->dir), "/tmp/objref-attach-%ld", token);
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, payload_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		free(r);
		atomic_store(&running, 0);
		return -1;
	}
	return 0;
}

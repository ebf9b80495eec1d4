/*
 * lib/capture_dump.c — a dump of the live heap: the dump's header facts
 * about this process, and capture + write + rename in one call usable in a
 * forked child (objref/capture_dump.h has the contract).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "capture_internal.h"
#include "objref/capture_dump.h"

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Field 22 of /proc/self/stat: the start time in clock ticks since boot.
 * The command name (field 2) may hold spaces and parentheses: count from
 * the last ')'. */
static uint64_t process_start(void)
{
	char buf[1024], *p;
	unsigned long long v = 0;

	if (objref__read_file("/proc/self/stat", buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return 0;
	/* After ')': field 3 (state) is the 1st, so field 22 is the 20th. */
	for (int field = 3; field <= 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%llu", &v) != 1)
		v = 0;
	return v;
}

static uint64_t boot_id(void)
{
	char buf[64];
	ssize_t n = objref__read_file("/proc/sys/kernel/random/boot_id", buf, sizeof(buf));

	return n > 0 ? objref__hash_bytes(buf, (size_t)n) : 0;
}

/* The running interpreter's sys.hexversion (the headers' PY_VERSION_HEX
 * may name an older patch release than the library loaded). */
static uint32_t runtime_hexversion(const char *version)
{
#if PY_VERSION_HEX >= 0x030B0000
	(void)version;
	return (uint32_t)Py_Version;
#else
	unsigned major = 0, minor = 0, micro = 0;

	if (sscanf(version, "%u.%u.%u", &major, &minor, &micro) != 3)
		return (uint32_t)PY_VERSION_HEX;
	return (uint32_t)(major << 24 | minor << 16 | micro << 8 | (PY_VERSION_HEX & 0xff));
#endif
}

void objref_capture_dump_info(objref_dump_info *info)
{
	const char *v = Py_GetVersion(); /* "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]" */
	size_t vlen = strcspn(v, " ");
	const char *build = v + vlen + (v[vlen] == ' ');

	objref_dump_info_init(info);
	snprintf(info->python_version, sizeof(info->python_version), "%.*s", (int)vlen, v);
	snprintf(info->python_build, sizeof(info->python_build), "%s", build);
	info->python_hexversion = runtime_hexversion(v);
	info->pid = (uint32_t)getpid();
	info->process_start = process_start();
	info->boot_id = boot_id();
	info->time_ns = now_ns(CLOCK_REALTIME);
	info->capture_flags = OBJREF_CAPTURE_UNTRACKED;
}

int objref_capture_dump_fork_safe(void)
{
	objref__session paused;

	/* This thread's error message is a thread-local of a dlopen()ed
	 * library: its first use allocates (glibc's __tls_get_addr calls
	 * malloc), which the child must never do.  It is made here. */
	objref_error_clear();
	/* The child must run no import machinery (bytecode, and the import
	 * lock another thread may hold at the fork): the runtime the capture
	 * uses (capture_runtime.c: the real gc and _operator, taken without
	 * builtins.__import__) is made ready here, in the parent. */
	if (objref_capture_init() < 0)
		return objref__error(OBJREF_EPYTHON, "cannot reach the gc module before forking a dump: %s",
			objref_error_last());
	/* before 3.12: the child lists without gc.get_objects() */
	if (objref__session_enter(&paused) == 0) {
		objref__gc_lists_prepare();
		objref__session_exit(&paused);
	}
	objref_error_clear();
	return 0;
}

/* path + ".tmp" (objref__malloc), or NULL. */
static char *tmp_name(const char *path)
{
	size_t n = strlen(path);
	char *t = objref__malloc(n + 5);

	if (t) {
		memcpy(t, path, n);
		memcpy(t + n, ".tmp", 5);
	}
	return t;
}

static int fail(objref_capture_dump_stats *st, int code)
{
	st->status = code;
	snprintf(st->message, sizeof(st->message), "%s", objref_error_last());
	return code;
}

int objref_capture_dump_fd(objref_capture_dump_stats *st, int fd, const char *tmp_path,
	const char *path, objref_dump_info *info, int compress)
{
	objref_dump_options opts = OBJREF_DUMP_OPTIONS_INIT;
	objref_snapshot *snap = NULL;
	objref_snapshot_stats ss;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), t1;
	off_t end;
	int err;

	memset(st, 0, sizeof(*st));
	/* No attribute lookups: in a forked child the walk adds no Python
	 * calls to those it needs; in process the dump is the same. */
	if ((err = objref_capture_snapshot(&snap, OBJREF_CAPTURE_UNTRACKED |
			OBJREF__CAPTURE_NO_LOOKUPS)) < 0)
		goto cleanup;
	t1 = now_ns(CLOCK_MONOTONIC);
	st->walk_ns = info->walk_ns = t1 - t0;
	objref_snapshot_stats_get(&ss, snap);
	st->nobjects = ss.nobjects;
	st->nedges = ss.nedges;
	st->ntypes = ss.ntypes;
	st->nstrings = ss.nstrings;
	st->nroots = ss.nroots;
	opts.compress = compress;
	opts.info = info;
	if ((err = objref_dump_write_fd(fd, tmp_path, snap, &opts)) < 0) {
		st->sys_errno = errno;
		goto cleanup;
	}
	if (fsync(fd) < 0 && errno != EINVAL) {
		st->sys_errno = errno;
		err = objref__error(OBJREF_EIO, "%s: cannot write: %s", tmp_path, strerror(errno));
		goto cleanup;
	}
	end = lseek(fd, 0, SEEK_CUR);
	st->file_size = end > 0 ? (uint64_t)end : 0;
	err = close(fd);
	fd = -1;
	if (err < 0) {
		st->sys_errno = errno;
		err = objref__error(OBJREF_EIO, "%s: cannot write: %s", tmp_path, strerror(errno));
		goto cleanup;
	}
	if (rename(tmp_path, path) < 0) {
		st->sys_errno = errno;
		err = objref__error(OBJREF_EIO, "%s: cannot rename to %s: %s", tmp_path, path,
			strerror(errno));
	}
	st->write_ns = now_ns(CLOCK_MONOTONIC) - t1;
cleanup:
	objref_snapshot_free(snap);
	if (fd >= 0)
		close(fd);
	if (err < 0) {
		unlink(tmp_path);
		return fail(st, err);
	}
	return 0;
}

int objref_capture_dump(objref_capture_dump_stats *st, const char *path, objref_dump_info *info,
	int compress)
{
	char *tmp = tmp_name(path);
	int fd;

	memset(st, 0, sizeof(*st));
	if (!tmp)
		return fail(st, OBJREF_ENOMEM);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		st->sys_errno = errno;
		objref__error(OBJREF_EIO, "%s: cannot create: %s", tmp, strerror(errno));
		objref__free(tmp);
		return fail(st, OBJREF_EIO);
	}
	objref_capture_dump_fd(st, fd, tmp, path, info, compress);
	objref__free(tmp);
	return st->status;
}

/* ---- forked dumps ------------------------------------------------------ */

/* The unreaped forked dump of this process, 0 when none: process state,
 * shared by every face (module, CLI, attach payload) in the process. */
static pid_t running_pid;
static objref__watch running_watch; /* is it still at work? */
static double running_stalled;      /* > 0: killed, asleep and idle that long */

static void *py_malloc(void *ctx, size_t size)
{
	(void)ctx;
	return objref__private_malloc(size);
}

static void *py_calloc(void *ctx, size_t n, size_t size)
{
	(void)ctx;
	return objref__private_calloc(n, size);
}

static void *py_realloc(void *ctx, void *p, size_t size)
{
	(void)ctx;
	return objref__private_realloc(p, size);
}

static void py_free(void *ctx, void *p)
{
	(void)ctx;
	objref__private_free(p);
}

void objref__capture_child_enter(void)
{
	PyMemAllocatorEx mmapped = { NULL, py_malloc, py_calloc, py_realloc, py_free };
	struct sigaction dfl, ign;

	/* Python's handlers only set flags nobody reads here: a ^C or a
	 * SIGTERM must end the child.  A parent gone: EPIPE, not death. */
	memset(&dfl, 0, sizeof(dfl));
	memset(&ign, 0, sizeof(ign));
	dfl.sa_handler = SIG_DFL;
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	objref__alloc_private();
	objref__gc_lists_in_child();
	/* What Python allocates here (gc.get_objects' list before 3.12, a
	 * str's UTF-8 form) comes from the same pages; what it frees from
	 * before the fork stays where it is. */
	PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &mmapped);
	PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mmapped);
	PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &mmapped);
}

/* The forked child: capture, write, report, _exit.  Never returns. */
static void child_main(int fd, int report, const char *tmp, const char *path, objref_dump_info *info,
	int compress, int hang)
{
	objref_capture_dump_stats st;
	size_t put = 0;

	objref__capture_child_enter();
	while (hang) /* tests: as on a lock nobody will release */
		pause();
	objref_capture_dump_fd(&st, fd, tmp, path, info, compress);
	while (put < sizeof(st)) {
		ssize_t w = write(report, (const char *)&st + put, sizeof(st) - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		put += (size_t)w;
	}
	_exit(st.status == 0 ? 0 : 1);
}

static void job_dispose(objref_capture_dump_job *job)
{
	if (job->report_fd >= 0)
		close(job->report_fd);
	objref__free(job->path);
	objref__free(job->tmp);
	memset(job, 0, sizeof(*job));
	job->report_fd = -1;
}

int objref_capture_dump_fork(objref_capture_dump_job *job, objref_capture_dump_stats *st,
	const char *path, objref_dump_info *info, int compress)
{
	int pfd[2] = { -1, -1 }, fd = -1, err;
	/* Tests make the child wait forever; read before the fork. */
	const char *fault = getenv("OBJREF_DUMP_FAULT_FOR_TESTS");
	int hang = fault && strcmp(fault, "hang") == 0;
	pid_t pid;

	memset(st, 0, sizeof(*st));
	memset(job, 0, sizeof(*job));
	job->report_fd = -1;
	if (running_pid) {
		objref__error(OBJREF_EINVAL, "a dump is already being written (pid %d): wait for it first",
			(int)running_pid);
		return fail(st, OBJREF_EINVAL);
	}
	if ((err = objref_capture_dump_fork_safe()) < 0)
		return fail(st, err);
	if (!(job->path = objref__strndup(path, strlen(path))) || !(job->tmp = tmp_name(path))) {
		job_dispose(job);
		return fail(st, OBJREF_ENOMEM);
	}
	if ((fd = open(job->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0) {
		st->sys_errno = errno;
		objref__error(OBJREF_EIO, "%s: cannot create: %s", job->tmp, strerror(errno));
		goto fail;
	}
	job->start_ns = now_ns(CLOCK_MONOTONIC);
	pid = fork(); /* the GIL is held: no other thread is inside an object */
	if (pid == 0) {
		close(pfd[0]);
		child_main(fd, pfd[1], job->tmp, job->path, info, compress, hang);
	}
	if (pid < 0) {
		st->sys_errno = errno;
		objref__error(OBJREF_EIO, "cannot fork a dump process: %s", strerror(errno));
		goto fail;
	}
	close(pfd[1]);
	close(fd);
	job->pid = (int)pid;
	job->report_fd = pfd[0];
	running_pid = pid;
	memset(&running_watch, 0, sizeof(running_watch));
	running_stalled = 0;
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(job->tmp);
	}
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	job_dispose(job);
	return fail(st, OBJREF_EIO);
}

/* Read the child's report; 1 when complete. */
static int read_report(objref_capture_dump_stats *st, int fd)
{
	size_t got = 0;

	while (got < sizeof(*st)) {
		ssize_t r = read(fd, (char *)st + got, sizeof(*st) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	st->message[sizeof(st->message) - 1] = '\0';
	return got == sizeof(*st);
}

/* The child is gone (status from waitpid, or lost: reaped elsewhere). */
static void settle(objref_capture_dump_stats *st, objref_capture_dump_job *job, int status, int lost)
{
	int reported = read_report(st, job->report_fd);

	if (!reported)
		memset(st, 0, sizeof(*st));
	if (reported && st->status == 0 && (lost || (WIFEXITED(status) && WEXITSTATUS(status) == 0)))
		return;
	unlink(job->tmp); /* a child that died mid-write leaves no partial file */
	if (reported && st->status < 0)
		return;
	if (running_stalled > 0 && running_pid == (pid_t)job->pid)
		objref__error(OBJREF_ERROR, "the dump process %d made no progress for %.0f s (asleep, "
			"using no CPU time: a lock held at the fork by a thread that did not survive it?); "
			"it was killed and %s was not written", job->pid, running_stalled, job->path);
	else if (!lost && WIFSIGNALED(status))
		objref__error(OBJREF_ERROR, "the dump process %d was killed by signal %d (%s)%s; %s was not written",
			job->pid, WTERMSIG(status), strsignal(WTERMSIG(status)),
			WTERMSIG(status) == SIGKILL ? ", perhaps by the out-of-memory killer" : "", job->path);
	else if (lost)
		objref__error(OBJREF_ERROR, "the dump process %d was reaped by someone else (SIGCHLD "
			"ignored, or a waitpid(-1) loop) before it reported; %s was not kept", job->pid, job->path);
	else
		objref__error(OBJREF_ERROR, "the dump process %d exited with status %d without "
			"reporting; %s was not written", job->pid, WEXITSTATUS(status), job->path);
	fail(st, OBJREF_ERROR);
}

int objref_capture_dump_reap(objref_capture_dump_stats *st, objref_capture_dump_job *job, int block)
{
	int status = 0;

	for (;;) {
		pid_t r = waitpid((pid_t)job->pid, &status, WNOHANG);
		if (r == (pid_t)job->pid || (r < 0 && errno == ECHILD)) {
			settle(st, job, status, r < 0);
			break;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			struct pollfd pfd = { job->report_fd, POLLIN, 0 };
			if (running_pid == (pid_t)job->pid && !running_stalled &&
			    objref__child_watch(&running_watch, job->pid, objref__child_stall_seconds()) ==
				    OBJREF__CHILD_STALLED) {
				running_stalled = objref__child_stall_seconds();
				kill((pid_t)job->pid, SIGKILL);
			}
			if (!block)
				return 0;
			/* Its report, or a second: then look again.  The report
			 * is its last act: then it exits at once. */
			if (poll(&pfd, 1, 1000) <= 0)
				continue;
			while ((r = waitpid((pid_t)job->pid, &status, 0)) < 0 && errno == EINTR)
				;
			settle(st, job, status, r < 0);
			break;
		}
		objref__error(OBJREF_ERROR, "waiting for the dump process %d: %s", job->pid, strerror(errno));
		settle(st, job, 0, 1);
		break;
	}
	if (running_pid == (pid_t)job->pid)
		running_pid = 0;
	job_dispose(job);
	return 1;
}

/*
 * capture/capture_census_fork.c — a census taken in a forked child (see
 * objref/capture_census.h).
 *
 * The child counts with capture.c's census (and, for a baseline, lists the
 * live addresses as objref_capture_each would, without taking references),
 * serialises the result into one
 * buffer and writes it to a pipe:
 *
 *   header   magic, status, nrows, naddrs, message[480]
 *   rows     nrows × { u32 len, name[len], u64 count, u64 bytes }
 *   addrs    naddrs × u64, sorted
 *   trailer  magic again: a report without it was cut short
 *
 * Native byte order: the reader is the parent, on the same machine.  The
 * parent's reader thread reads until EOF, then reaps the child; the
 * parent's GIL holder collects the result when it is ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "capture_internal.h"
#include "objref/capture_census.h"
#include "objref/capture_dump.h"

#define REPORT_MAGIC 0x6f62637au /* "obcz" */

typedef struct {
	uint32_t magic;
	int32_t status;
	uint64_t nrows, naddrs;
	char message[480];
} report_header;

struct objref_capture_census_job {
	pid_t pid;
	int fd;                 /* the pipe's read end, the reader's */
	int want_addrs;
	pthread_t reader;
	atomic_int ready;       /* set by the reader once it reaped the child */
	/* filled by the reader */
	char *data;
	size_t len, cap;
	int read_errno;         /* a read that failed */
	int status;             /* waitpid's */
	int reaped;             /* 0: reaped by someone else (ECHILD) */
	double stalled;         /* > 0: killed after that many seconds asleep, idle */
};

/* ---- the child ---------------------------------------------------------- */

typedef struct {
	char *p;
	size_t len, cap;
	int failed;
} outbuf;

static void put(outbuf *b, const void *data, size_t n)
{
	if (b->failed || objref__grow((void **)&b->p, &b->cap, b->len + n, 1) < 0) {
		b->failed = 1;
		return;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* The live addresses, as objref_capture_each lists them (tracked objects,
 * then the untracked ones they reach), but without a reference taken: in
 * the child a Py_INCREF would copy the page of every object. */
typedef struct {
	objref__objset untracked; /* discovered in order; also the work queue */
	int failed;
} addr_walk;

static int visit_untracked(PyObject *t, void *arg)
{
	addr_walk *w = arg;
	int added;

	if (!t || objref__is_tracked(t) || !objref__is_live(t))
		return 0;
	if (objref__objset_add(&w->untracked, t, &added) == OBJREF_NO_ID) {
		w->failed = 1;
		return -1;
	}
	return 0;
}

static int reach(addr_walk *w, PyObject *op)
{
	traverseproc trav = Py_TYPE(op)->tp_traverse;

	if (trav && PyObject_IS_GC(op) && trav(op, visit_untracked, w) < 0 && w->failed)
		return OBJREF_ENOMEM;
	if (objref__walk_dict_keys(op)) {
		Py_ssize_t pos = 0;
		PyObject *k, *v;
		while (PyDict_Next(op, &pos, &k, &v))
			if (visit_untracked(k, w) < 0)
				return OBJREF_ENOMEM;
	}
	return 0;
}

/* *a: the n live addresses (objref__malloc), unsorted. */
static int live_addrs(uint64_t **a, size_t *n, unsigned flags)
{
	objref__session session;
	objref__tracked t;
	addr_walk w = { { 0 }, 0 };
	int err;

	*a = NULL;
	*n = 0;
	if ((err = objref__session_enter(&session)) < 0)
		return err;
	if ((err = objref__gather_tracked(&t)) < 0)
		goto cleanup;
	for (size_t i = 0; i < t.n && !err && (flags & OBJREF_CAPTURE_UNTRACKED); i++)
		err = reach(&w, t.items[i]);
	for (size_t i = 0; i < w.untracked.n && !err; i++)
		err = reach(&w, w.untracked.objs[i]);
	if (!err && !(*a = objref__malloc((t.n + w.untracked.n + 1) * sizeof(uint64_t))))
		err = OBJREF_ENOMEM;
	for (size_t i = 0; !err && i < t.n; i++)
		(*a)[(*n)++] = (uint64_t)(uintptr_t)t.items[i];
	for (size_t i = 0; !err && i < w.untracked.n; i++)
		(*a)[(*n)++] = (uint64_t)(uintptr_t)w.untracked.objs[i];
	if (err == OBJREF_ENOMEM)
		err = objref__error(OBJREF_ENOMEM, "out of memory listing the live objects: %zu tracked "
			"by the collector, %zu untracked found", t.n, w.untracked.n);
cleanup:
	objref__tracked_dispose(&t);
	objref__objset_dispose(&w.untracked);
	objref__session_exit(&session);
	return err;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the parent is gone: nobody to tell */
		p += w;
		n -= (size_t)w;
	}
}

/* Count, serialise, write, _exit.  Never returns. */
static void child_main(int fd, unsigned flags, int want_addrs, const char *fault)
{
	report_header h;
	objref_census *c = NULL;
	uint64_t *addrs = NULL;
	size_t naddrs = 0;
	outbuf b = { 0 };
	uint32_t magic = REPORT_MAGIC;
	int err;

	objref__capture_child_enter();
	/* On a busy machine the program's threads come first. */
	if (nice(10) < 0)
		errno = 0;
	if (fault && strcmp(fault, "kill") == 0)
		raise(SIGKILL);
	if (fault && strcmp(fault, "exit") == 0)
		_exit(7);
	if (fault && strcmp(fault, "slow") == 0) /* the program must not wait for us */
		sleep(1);
	while (fault && strcmp(fault, "hang") == 0) /* as on a lock nobody will release */
		pause();
	memset(&h, 0, sizeof(h));
	h.magic = REPORT_MAGIC;
	err = objref_capture_census(&c, flags);
	if (!err && want_addrs) {
		err = live_addrs(&addrs, &naddrs, flags);
		if (!err)
			err = objref__sort_u64(addrs, naddrs);
	}
	h.status = err;
	if (err) {
		snprintf(h.message, sizeof(h.message), "%s", objref_error_last());
	} else {
		h.nrows = objref_census_len(c);
		h.naddrs = naddrs;
	}
	put(&b, &h, sizeof(h));
	for (size_t i = 0; !err && i < h.nrows; i++) {
		const objref_census_row *r = &objref_census_rows(c)[i];
		uint32_t len = (uint32_t)strlen(r->name);
		put(&b, &len, sizeof(len));
		put(&b, r->name, len);
		put(&b, &r->count, sizeof(r->count));
		put(&b, &r->bytes, sizeof(r->bytes));
	}
	if (!err && naddrs)
		put(&b, addrs, naddrs * sizeof(uint64_t));
	put(&b, &magic, sizeof(magic));
	if (b.failed) { /* no room for the report: say so in a bare header */
		h.status = OBJREF_ENOMEM;
		h.nrows = h.naddrs = 0;
		snprintf(h.message, sizeof(h.message), "out of memory writing the census report");
		write_all(fd, (const char *)&h, sizeof(h));
		write_all(fd, (const char *)&magic, sizeof(magic));
	} else {
		write_all(fd, b.p, b.len);
	}
	_exit(err || b.failed ? 1 : 0);
}

/* ---- the parent's reader thread ---------------------------------------- */

static void *reader_main(void *arg)
{
	objref_capture_census_job *job = arg;
	int status = 0;
	pid_t r;

	objref__watch watch = { 0 };
	double stall = objref__child_stall_seconds();

	for (;;) {
		struct pollfd pfd = { job->fd, POLLIN, 0 };
		ssize_t n;
		int ready = poll(&pfd, 1, 1000);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0) { /* a second without a byte: is it still at work? */
			int how = objref__child_watch(&watch, job->pid, stall);
			if (how == OBJREF__CHILD_GONE)
				break; /* exited; the pipe's write end kept by another fork */
			if (how == OBJREF__CHILD_STALLED && !job->stalled) {
				job->stalled = stall;
				kill(job->pid, SIGKILL); /* its pipe closes: EOF below */
			}
			continue;
		}
		if (objref__grow((void **)&job->data, &job->cap, job->len + 65536, 1) < 0) {
			job->read_errno = ENOMEM;
			break;
		}
		n = read(job->fd, job->data + job->len, job->cap - job->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			job->read_errno = errno;
		if (n <= 0)
			break;
		job->len += (size_t)n;
	}
	close(job->fd); /* a child still writing (we ran out of memory) gets EPIPE */
	job->fd = -1;
	while ((r = waitpid(job->pid, &status, 0)) < 0 && errno == EINTR)
		;
	job->reaped = r == job->pid;
	job->status = status;
	atomic_store(&job->ready, 1);
	return NULL;
}

/* ---- the API ------------------------------------------------------------- */

int objref_capture_census_fork(objref_capture_census_job **out, unsigned flags, int addrs)
{
	objref_capture_census_job *job;
	/* Tests make the child die ("kill": SIGKILL, "exit": no report),
	 * dawdle ("slow": 1 s) or never end ("hang"); read before the fork. */
	const char *fault = getenv("OBJREF_CENSUS_FAULT_FOR_TESTS");
	sigset_t all, old;
	int pfd[2], err;
	pid_t pid;

	*out = NULL;
	if ((err = objref_capture_dump_fork_safe()) < 0)
		return err;
	if (!(job = objref__calloc(1, sizeof(*job))))
		return objref__error(OBJREF_ENOMEM, "out of memory starting a forked census");
	job->want_addrs = addrs;
	job->fd = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		err = objref__error(OBJREF_EIO, "cannot create the pipe of a forked census: %s",
			strerror(errno));
		objref__free(job);
		return err;
	}
	pid = fork(); /* the GIL is held: no other thread is inside an object */
	if (pid == 0) {
		close(pfd[0]);
		child_main(pfd[1], flags, addrs, fault);
	}
	close(pfd[1]);
	if (pid < 0) {
		err = objref__error(OBJREF_EIO, "cannot fork a census process: %s", strerror(errno));
		close(pfd[0]);
		objref__free(job);
		return err;
	}
	job->pid = pid;
	job->fd = pfd[0];
	/* The reader inherits a full mask: signals are the program's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&job->reader, NULL, reader_main, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		/* No reader: end the child and reap it here rather than leave it. */
		kill(pid, SIGKILL);
		close(job->fd);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		objref__free(job);
		return objref__error(OBJREF_EIO, "cannot start the reader thread of a forked census: %s",
			strerror(err));
	}
	*out = job;
	return 0;
}

int objref_capture_census_ready(const objref_capture_census_job *job)
{
	return atomic_load(&((objref_capture_census_job *)job)->ready);
}

int objref_capture_census_pid(const objref_capture_census_job *job)
{
	return (int)job->pid;
}

/* Why the child gave no complete report: from its exit status. */
static int child_failed(const objref_capture_census_job *job)
{
	int st = job->status;

	if (job->stalled > 0)
		return objref__error(OBJREF_ERROR, "the census process %d made no progress for %.0f s "
			"(asleep, using no CPU time: a lock held at the fork by a thread that did not "
			"survive it?); it was killed", (int)job->pid, job->stalled);
	if (job->read_errno)
		return objref__error(OBJREF_ERROR, "reading the report of the census process %d: %s",
			(int)job->pid, strerror(job->read_errno));
	if (job->reaped && WIFSIGNALED(st))
		return objref__error(OBJREF_ERROR, "the census process %d was killed by signal %d (%s)%s",
			(int)job->pid, WTERMSIG(st), strsignal(WTERMSIG(st)),
			WTERMSIG(st) == SIGKILL ? ", perhaps by the out-of-memory killer" : "");
	if (job->reaped)
		return objref__error(OBJREF_ERROR, "the census process %d exited with status %d without "
			"a complete report", (int)job->pid, WEXITSTATUS(st));
	return objref__error(OBJREF_ERROR, "the census process %d ended without a complete report "
		"(reaped by someone else: SIGCHLD ignored, or a waitpid(-1) loop)", (int)job->pid);
}

/* Parse the reader's buffer into a census (and addresses). */
static int parse(const objref_capture_census_job *job, objref_census **out, uint64_t **addrs,
	size_t *naddrs)
{
	const char *p = job->data, *end = job->data + job->len;
	report_header h;
	uint32_t magic;
	int err;

	if (job->len < sizeof(h) + sizeof(magic))
		return child_failed(job);
	memcpy(&h, p, sizeof(h));
	memcpy(&magic, end - sizeof(magic), sizeof(magic));
	if (h.magic != REPORT_MAGIC || magic != REPORT_MAGIC)
		return child_failed(job);
	h.message[sizeof(h.message) - 1] = '\0';
	if (h.status < 0)
		return objref__error(h.status, "the census process %d: %s", (int)job->pid, h.message);
	p += sizeof(h);
	end -= sizeof(magic);
	if ((err = objref_census_new(out)) < 0)
		return err;
	for (uint64_t i = 0; i < h.nrows && !err; i++) {
		uint32_t len;
		uint64_t count, bytes;
		if ((size_t)(end - p) < sizeof(len))
			break;
		memcpy(&len, p, sizeof(len));
		if ((size_t)(end - p) - sizeof(len) < (size_t)len + 16)
			break;
		p += sizeof(len);
		memcpy(&count, p + len, sizeof(count));
		memcpy(&bytes, p + len + 8, sizeof(bytes));
		err = objref_census_add(*out, p, len, count, bytes);
		p += len + 16;
	}
	if (!err && (objref_census_len(*out) != h.nrows ||
		     (size_t)(end - p) != h.naddrs * sizeof(uint64_t)))
		err = objref__error(OBJREF_ERROR, "the census process %d sent a malformed report",
			(int)job->pid);
	if (!err && addrs && h.naddrs) {
		if (!(*addrs = objref__malloc(h.naddrs * sizeof(uint64_t))))
			err = OBJREF_ENOMEM;
		else
			memcpy(*addrs, p, h.naddrs * sizeof(uint64_t));
		*naddrs = err ? 0 : (size_t)h.naddrs;
	}
	if (err) {
		objref_census_free(*out);
		*out = NULL;
	}
	return err;
}

int objref_capture_census_finish(objref_capture_census_job *job, objref_census **out,
	uint64_t **addrs, size_t *naddrs)
{
	int err;

	*out = NULL;
	if (addrs)
		*addrs = NULL;
	if (naddrs)
		*naddrs = 0;
	pthread_join(job->reader, NULL);
	err = parse(job, out, addrs, naddrs);
	objref__free(job->data);
	objref__free(job);
	return err;
}

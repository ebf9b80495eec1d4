/*
 * cli/attach.c — objref-chain --pid (contract in attach.h).
 *
 * Order of work, each step able to stop with a one-line message:
 *   target   the process exists, is not stopped, runs CPython 3.8-3.13;
 *   means    gdb is installed, a payload for that version is built, ptrace
 *            is allowed (Yama's ptrace_scope, CAP_SYS_PTRACE);
 *   lock     no other objref-chain is attached to the same pid;
 *   inject   the exchange directory in the target's /tmp, the request and a
 *            copy of the payload (loaded from there: a path that exists in
 *            the target's mount namespace), gdb;
 *   collect  each dump's status, the dump moved to dump_dir;
 *   cleanup  the exchange directory removed; a "cancel" file first when we
 *            stop early, so the payload's thread ends before its next dump.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "options.h"

#ifndef OBJREF_ATTACH_INSTALL_DIR
#define OBJREF_ATTACH_INSTALL_DIR "/usr/local/libexec/objref"
#endif

#define CAP_SYS_PTRACE_BIT 19

typedef struct {
	const chain_attach_options *o;
	char minor[16];       /* "3.11" */
	char payload[PATH_MAX];
	char script[PATH_MAX];
	char xdir[PATH_MAX];  /* the exchange directory, seen from here */
	long token;
	int lock_fd;
	char out[65536];      /* gdb's output */
	size_t nout;
} attach_job;

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("objref-chain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The whole small file at path into buf (NUL-terminated); bytes read or -1. */
static ssize_t slurp(char *buf, size_t size, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* The state letter of /proc/PID/stat (R S D T t Z ...), or 0. */
static char proc_state(int pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (slurp(buf, sizeof(buf), path) <= 0 || !(p = strrchr(buf, ')')))
		return 0;
	return p[1] == ' ' ? p[2] : 0;
}

/* ---- the target ------------------------------------------------------------ */

/* "3.X" from the first match of prefix + digits in text; 0 or -1. */
static int version_after(char *buf, size_t size, const char *text, const char *prefix)
{
	for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
		const char *d = p + strlen(prefix);
		int minor = 0, n = 0;
		while (isdigit((unsigned char)d[n]) && n < 3)
			minor = minor * 10 + (d[n++] - '0');
		if (n > 0 && !isdigit((unsigned char)d[n])) {
			snprintf(buf, size, "3.%d", minor);
			return 0;
		}
	}
	return -1;
}

int chain_attach_python_version(char *buf, size_t size, int pid, char *err, size_t errsize)
{
	static char maps[1 << 20];
	char path[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) < 0) {
		if (errno == ENOENT)
			snprintf(err, errsize, "no process with pid %d", pid);
		else if (errno == EACCES || errno == EPERM)  /* the ptrace access check */
			snprintf(err, errsize, "cannot read /proc/%d/exe: %s: ptrace of pid %d is not permitted; "
				"run objref-chain as pid %d's user or as root (in a container grant CAP_SYS_PTRACE: "
				"docker run --cap-add=SYS_PTRACE)", pid, strerror(errno), pid, pid);
		else
			snprintf(err, errsize, "cannot read /proc/%d/exe: %s", pid, strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (slurp(maps, sizeof(maps), path) < 0) {
		snprintf(err, errsize, "cannot read /proc/%d/maps: %s", pid, strerror(errno));
		return -1;
	}
	/* libpython3.X.so, a python3.X executable, or files of lib/python3.X/ */
	if (version_after(buf, size, maps, "libpython3.") == 0 ||
	    version_after(buf, size, strrchr(exe, '/') ? strrchr(exe, '/') : exe, "/python3.") == 0 ||
	    version_after(buf, size, maps, "/python3.") == 0)
		return 0;
	snprintf(err, errsize, "pid %d (%s) is not a Python process: no libpython3.X and no python3.X "
		"in its executable or its memory maps", pid, exe);
	return -1;
}

static int check_target(attach_job *j)
{
	char err[PATH_MAX + 256];
	int minor;

	if (chain_attach_python_version(j->minor, sizeof(j->minor), j->o->pid, err, sizeof(err)) < 0)
		return fail(CHAIN_EXIT_USAGE, "%s", err);
	minor = atoi(j->minor + 2);
	if (minor < 8 || minor > 13)
		return fail(CHAIN_EXIT_USAGE, "pid %d runs Python %s; objref attaches to CPython 3.8 to 3.13",
			j->o->pid, j->minor);
	return 0;
}

/* After the lock: a stop by someone else (a second objref-chain would be
 * refused by the lock before it could see our own gdb's tracing stop). */
static int check_running(attach_job *j)
{
	char state = proc_state(j->o->pid);

	if (state == 'Z')
		return fail(CHAIN_EXIT_USAGE, "pid %d has exited (a zombie its parent has not reaped)",
			j->o->pid);
	if (state == 'T' || state == 't')
		return fail(CHAIN_EXIT_USAGE, "pid %d is stopped (state %c: SIGSTOP, or another debugger); "
			"resume it with `kill -CONT %d` (or detach the debugger), then try again", j->o->pid,
			state, j->o->pid);
	return 0;
}

/* ---- the means --------------------------------------------------------------- */

static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, prog);
		if (access(buf, X_OK) == 0)
			return 1;
		p += len + (p[len] == ':');
	}
	return 0;
}

/* name in OBJREF_ATTACH_PATH's directories, beside this executable (the
 * build tree: cli/../attach), or in the install directory. */
static int find_file(char *out, size_t size, const char *name)
{
	char self[PATH_MAX], dirs[3 * PATH_MAX + 8], *d, *save = NULL;
	const char *env = getenv("OBJREF_ATTACH_PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		n = 0;
	self[n] = '\0';
	if (strrchr(self, '/'))
		*strrchr(self, '/') = '\0';
	snprintf(dirs, sizeof(dirs), "%s:%s/../attach:%s", env ? env : "", self, OBJREF_ATTACH_INSTALL_DIR);
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", d, name);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

/* Whether this process has CAP_SYS_PTRACE in its effective set. */
static int have_cap_ptrace(void)
{
	char buf[4096], *p;
	unsigned long long eff;

	if (slurp(buf, sizeof(buf), "/proc/self/status") <= 0 || !(p = strstr(buf, "CapEff:")))
		return 0;
	eff = strtoull(p + 7, NULL, 16);
	return (eff >> CAP_SYS_PTRACE_BIT) & 1;
}

static int check_means(attach_job *j)
{
	char name[64], buf[16];
	int scope = -1;

	if (!on_path("gdb"))
		return fail(CHAIN_EXIT_USAGE, "gdb is not installed; --pid loads objref into the process with "
			"it: apt-get install gdb");
	snprintf(name, sizeof(name), "objref-payload-%s.so", j->minor);
	if (find_file(j->payload, sizeof(j->payload), name) < 0)
		return fail(CHAIN_EXIT_USAGE, "pid %d runs Python %s, and objref has no payload built for it "
			"(%s): build objref for that Python (make build PYTHON=python%s, or "
			"tests/run_pythons.sh %s) and point OBJREF_ATTACH_PATH at its attach/ directory, or "
			"install it (make install)", j->o->pid, j->minor, name, j->minor, j->minor);
	if (find_file(j->script, sizeof(j->script), "inject_gdb.py") < 0)
		return fail(CHAIN_EXIT_INTERNAL, "inject_gdb.py is not installed beside %s", j->payload);
	if (slurp(buf, sizeof(buf), "/proc/sys/kernel/yama/ptrace_scope") > 0)
		scope = atoi(buf);
	if (scope == 3)
		return fail(CHAIN_EXIT_USAGE, "ptrace is disabled on this machine (kernel.yama.ptrace_scope = 3, "
			"which only a reboot resets): objref cannot attach to pid %d", j->o->pid);
	if ((scope == 1 || scope == 2) && !have_cap_ptrace())
		return fail(CHAIN_EXIT_USAGE, "ptrace of pid %d is not permitted (kernel.yama.ptrace_scope = %d "
			"and no CAP_SYS_PTRACE): run as root, or `sudo sysctl kernel.yama.ptrace_scope=0`, or "
			"grant the capability (setcap cap_sys_ptrace+ep, or docker run --cap-add=SYS_PTRACE)",
			j->o->pid, scope);
	return 0;
}

/* ---- lock and exchange directory ------------------------------------------ */

static int take_lock(attach_job *j)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/objref-attach-%d.lock", j->o->pid);
	if ((j->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return fail(CHAIN_EXIT_INTERNAL, "cannot create %s: %s", path, strerror(errno));
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return fail(CHAIN_EXIT_USAGE, "another objref-chain is attached to pid %d (it holds %s): wait "
			"for it to finish", j->o->pid, path);
	return 0;
}

/* The target's effective uid and gid (to own the exchange directory). */
static void target_ids(int pid, uid_t *uid, gid_t *gid)
{
	char path[64], buf[4096], *p;

	*uid = getuid();
	*gid = getgid();
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (slurp(buf, sizeof(buf), path) <= 0)
		return;
	if ((p = strstr(buf, "\nUid:")))
		sscanf(p + 5, "%*u %u", uid);
	if ((p = strstr(buf, "\nGid:")))
		sscanf(p + 5, "%*u %u", gid);
}

static int write_small(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		return -1;
	ok = fputs(text, f) >= 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Copy src to dst (the target's /tmp may be another file system). */
static int copy_file(const char *src, const char *dst)
{
	char buf[1 << 16], tmp[PATH_MAX + 8];
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = 0;

	if (in < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) < 0 || n < 0 || rename(tmp, dst) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The payload goes into the exchange directory: the target loads it from
 * there, a path that exists in its own mount namespace (a container). */
static int copy_payload(attach_job *j, uid_t uid, gid_t gid)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", j->xdir, strrchr(j->payload, '/') + 1);
	if (copy_file(j->payload, path) < 0)
		return fail(CHAIN_EXIT_INTERNAL, "cannot copy %s to %s: %s", j->payload, path, strerror(errno));
	if (chown(path, uid, gid) < 0 && errno != EPERM)
		return fail(CHAIN_EXIT_INTERNAL, "cannot give %s to pid %d's user: %s", path, j->o->pid,
			strerror(errno));
	return 0;
}

/* Whether pid has our mount namespace and our root directory. */
static int same_root(int pid)
{
	char path[64], ours[64], theirs[64];
	ssize_t a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	a = readlink("/proc/self/ns/mnt", ours, sizeof(ours) - 1);
	b = readlink(path, theirs, sizeof(theirs) - 1);
	if (a <= 0 || a != b || memcmp(ours, theirs, (size_t)a) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	return readlink(path, theirs, sizeof(theirs) - 1) == 1 && theirs[0] == '/';
}

static int make_exchange(attach_job *j)
{
	char path[PATH_MAX + 16], req[128];
	unsigned int r = 0;
	uid_t uid;
	gid_t gid;

	if (getrandom(&r, sizeof(r), 0) < 0)
		r = (unsigned int)(now() * 1e6);
	j->token = (long)((r & 0x3fffffffu) | 1u);
	/* through /proc/PID/root (a container's /tmp), unless that is our own
	 * root: then by its plain name, which stays reachable for the cleanup
	 * when the target exits */
	if (same_root(j->o->pid))
		snprintf(j->xdir, sizeof(j->xdir), "/tmp/objref-attach-%ld", j->token);
	else
		snprintf(j->xdir, sizeof(j->xdir), "/proc/%d/root/tmp/objref-attach-%ld", j->o->pid, j->token);
	if (mkdir(j->xdir, 0700) < 0)
		return fail(CHAIN_EXIT_USAGE, "cannot create %s in pid %d's /tmp: %s", j->xdir, j->o->pid,
			strerror(errno));
	target_ids(j->o->pid, &uid, &gid);
	if (chown(j->xdir, uid, gid) < 0 && errno != EPERM)
		return fail(CHAIN_EXIT_INTERNAL, "cannot give %s to pid %d's user: %s", j->xdir, j->o->pid,
			strerror(errno));
	snprintf(req, sizeof(req), "count %d\ninterval_ms %ld\ncompress %d\n", j->o->count,
		(long)(j->o->interval * 1000.0), j->o->compress ? 1 : 0);
	snprintf(path, sizeof(path), "%s/request", j->xdir);
	if (write_small(path, req) < 0)
		return fail(CHAIN_EXIT_INTERNAL, "cannot write %s: %s", path, strerror(errno));
	if (chown(path, uid, gid) < 0 && errno != EPERM)
		return fail(CHAIN_EXIT_INTERNAL, "cannot give %s to pid %d's user: %s", path, j->o->pid,
			strerror(errno));
	return copy_payload(j, uid, gid);
}

/* Remove the exchange directory (after a cancel file if the payload may
 * still be running). */
static void remove_exchange(attach_job *j, int cancel)
{
	char path[PATH_MAX + 32];
	static const char *const names[] = { "request", "done", "cancel" };

	if (!j->xdir[0])
		return;
	snprintf(path, sizeof(path), "%s/cancel", j->xdir);
	if (cancel) {
		write_small(path, "cancel\n");
	} else { /* after the last dump the payload writes `done`, then ends: wait for it (2 s at most) */
		snprintf(path, sizeof(path), "%s/done", j->xdir);
		for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
			usleep(10000);
	}
	for (int seq = 1; seq <= j->o->count; seq++) {
		snprintf(path, sizeof(path), "%s/status-%d", j->xdir, seq);
		unlink(path);
		snprintf(path, sizeof(path), "%s/dump-%d.objref", j->xdir, seq);
		unlink(path);
		snprintf(path, sizeof(path), "%s/dump-%d.objref.tmp", j->xdir, seq);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", j->xdir, names[i]);
		unlink(path);
	}
	/* the payload: the target keeps its mapping, the name goes */
	snprintf(path, sizeof(path), "%s/%s", j->xdir, strrchr(j->payload, '/') + 1);
	unlink(path);
	rmdir(j->xdir); /* fails, harmlessly, while a cancelled payload still writes */
}

/* ---- gdb ---------------------------------------------------------------------- */

/* Wait for gdb with a deadline; past it, interrupt it (it then removes its
 * breakpoints and detaches), then end it.  Returns its wait status. */
static int reap_gdb(attach_job *j, pid_t gdb, int fd)
{
	double deadline = now() + j->o->gdb_timeout;
	int stage = 0, st = 0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, 100);
		if (r > 0) {
			ssize_t n = read(fd, j->out + j->nout, sizeof(j->out) - 1 - j->nout);
			if (n > 0) {
				j->nout += (size_t)n;
				if (j->nout == sizeof(j->out) - 1) { /* keep the latest half */
					memmove(j->out, j->out + j->nout / 2, j->nout - j->nout / 2);
					j->nout -= j->nout / 2;
				}
				continue;
			}
			if (n == 0 || (n < 0 && errno != EINTR))
				break;
		}
		if (now() > deadline) {
			/* SIGINT: gdb stops the target and our script cleans up;
			 * then SIGTERM, then SIGKILL */
			static const int sigs[] = { SIGINT, SIGTERM, SIGKILL };
			if (stage < 3)
				kill(gdb, sigs[stage++]);
			deadline = now() + 5.0;
		}
	}
	j->out[j->nout] = '\0';
	while (waitpid(gdb, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* "add-symbol-file PATH -o 0xBASE" for the library of pid whose file name
 * starts with name (its mapping at file offset 0), PATH seen through
 * /proc/PID/root (a target in a container); 0, or -1 when none is mapped. */
static int symbol_file_command(char *cmd, size_t size, int pid, const char *name)
{
	static char maps[1 << 20];
	char path[64];
	const char *line;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (slurp(maps, sizeof(maps), path) < 0)
		return -1;
	for (line = maps; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != '\0')) {
		unsigned long start, offset;
		int file_at = 0;
		const char *file, *base;
		size_t len = strcspn(line, "\n");

		if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %n", &start, &offset, &file_at) < 2 ||
		    !file_at || offset != 0 || line[file_at] != '/')
			continue;
		file = line + file_at;
		base = file;
		for (const char *c = file; c < line + len; c++)
			if (*c == '/')
				base = c + 1;
		if (strncmp(base, name, strlen(name)) != 0)
			continue;
		snprintf(cmd, size, "add-symbol-file /proc/%d/root%.*s -o 0x%lx", pid,
			(int)(line + len - file), file, start);
		return 0;
	}
	return -1;
}

static int run_gdb(attach_job *j)
{
	char pid[32], exe[64], payload[PATH_MAX + 40], token[64], wait[64], script[PATH_MAX + 8];
	char file[80], libc[PATH_MAX + 80], libpython[PATH_MAX + 80];
	/* The target is stopped from gdb's attach to its detach: everything gdb
	 * can do before the attach is done before it (the executable's symbols:
	 * the file argument), and what costs most after it is turned off:
	 * libc's separate debug information (libc6-dbg: hundreds of ms to read;
	 * the exported symbols are enough to name frames and call dlopen),
	 * libthread_db (it forces libc's symbols in at the attach; gdb follows
	 * threads through /proc without it), auto-loaded scripts and debuginfod.
	 * The symbols of libc, the dynamic loader and a shared libpython are
	 * read before the attach too, at the addresses /proc/PID/maps gives,
	 * without their DWARF (-readnever: a libpython built with -g took
	 * 100 ms and more to name 20 frames; the ELF symbols name them, the
	 * unwinder needs .eh_frame only); then the script loads no library's
	 * symbols ($objref_presym), and gdb is kept from opening every other
	 * library of the target at the attach (1-2 ms each, hundreds in a big
	 * service) by a sysroot where none is found.  The script's modules
	 * are imported before the attach.  bench/attach_bench.py measures it. */
	char *argv[48] = { "gdb", "-readnever", "-batch", "-nx", "-nw", "-iex", "set auto-load off",
		"-iex", "set debuginfod enabled off", "-iex", "set debug-file-directory /dev/null",
		"-iex", "set libthread-db-search-path /dev/null", "-iex", "set auto-solib-add off",
		"-iex", "python import os, re, signal, threading" };
	char ld[PATH_MAX + 80];
	int argc = 17;
	char state_before = proc_state(j->o->pid);
	int pfd[2], st;
	pid_t child;

	snprintf(pid, sizeof(pid), "%d", j->o->pid);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", j->o->pid);
	if (symbol_file_command(libc, sizeof(libc), j->o->pid, "libc.so") == 0) {
		snprintf(file, sizeof(file), "file %s", exe);
		argv[argc++] = "-iex";
		argv[argc++] = file;
		argv[argc++] = "-iex";
		argv[argc++] = libc;
		if (symbol_file_command(libpython, sizeof(libpython), j->o->pid, "libpython3.") == 0) {
			argv[argc++] = "-iex";
			argv[argc++] = libpython;
		}
		if (symbol_file_command(ld, sizeof(ld), j->o->pid, "ld-linux") == 0) {
			argv[argc++] = "-iex";
			argv[argc++] = ld;
		}
		argv[argc++] = "-iex";
		argv[argc++] = "set sysroot /nonexistent/objref-symbols-read-before-the-attach";
		argv[argc++] = "-iex";
		argv[argc++] = "set $objref_presym = 1";
	} else { /* no libc mapped (a static executable): gdb finds its way */
		argv[argc++] = exe;
	}
	argv[argc++] = "-p";
	argv[argc++] = pid;
	argv[argc++] = "-ex";
	argv[argc++] = payload;
	argv[argc++] = "-ex";
	argv[argc++] = token;
	argv[argc++] = "-ex";
	argv[argc++] = wait;
	argv[argc++] = script;
	argv[argc] = NULL;
	/* the copy in the exchange directory, named as the target sees it */
	snprintf(payload, sizeof(payload), "set $objref_payload = \"/tmp/objref-attach-%ld/%s\"", j->token,
		strrchr(j->payload, '/') + 1);
	snprintf(token, sizeof(token), "set $objref_token = %ld", j->token);
	snprintf(wait, sizeof(wait), "set $objref_wait = %g", j->o->gdb_timeout / 2);
	snprintf(script, sizeof(script), "-x=%s", j->script);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail(CHAIN_EXIT_INTERNAL, "pipe: %s", strerror(errno));
	if ((child = fork()) < 0)
		return fail(CHAIN_EXIT_INTERNAL, "fork: %s", strerror(errno));
	if (child == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		setpgid(0, 0); /* a ^C of ours reaches gdb only through reap_gdb */
		execvp("gdb", argv);
		_exit(127);
	}
	close(pfd[1]);
	st = reap_gdb(j, child, pfd[0]);
	close(pfd[0]);
	/* never leave the target stopped */
	if (state_before != 'T' && (proc_state(j->o->pid) == 'T' || proc_state(j->o->pid) == 't'))
		kill(j->o->pid, SIGCONT);
	if (j->o->verbose)
		fprintf(stderr, "%s", j->out);
	if (strstr(j->out, "OBJREF: started"))
		return 0;
	if (strstr(j->out, "ptrace: Operation not permitted"))
		return fail(CHAIN_EXIT_USAGE, "ptrace of pid %d was refused (Operation not permitted): run as "
			"pid %d's user or root; in a container grant CAP_SYS_PTRACE (docker run "
			"--cap-add=SYS_PTRACE; Kubernetes: securityContext.capabilities.add: [\"SYS_PTRACE\"])",
			j->o->pid, j->o->pid);
	if (strstr(j->out, "ptrace: No such process"))
		return fail(CHAIN_EXIT_USAGE, "pid %d exited before objref could attach", j->o->pid);
	{
		const char *e = strstr(j->out, "OBJREF: error ");
		if (e) {
			size_t len = strcspn(e + 14, "\n");
			return fail(CHAIN_EXIT_INTERNAL, "attaching to pid %d: %.*s", j->o->pid, (int)len, e + 14);
		}
	}
	if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 127))
		return fail(CHAIN_EXIT_INTERNAL, "gdb did not run to its end (%s); run with --verbose to see "
			"its output", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "could not be started");
	return fail(CHAIN_EXIT_INTERNAL, "gdb could not load objref into pid %d; run with --verbose to see "
		"its output", j->o->pid);
}

/* ---- collecting the dumps ------------------------------------------------------- */

static int collect_one(attach_job *j, int seq, chain_attach_dump *d)
{
	char path[PATH_MAX + 32], line[1024];
	double deadline = now() + (seq > 1 ? j->o->interval : 0) + j->o->dump_timeout;
	unsigned long long pause, walk, wr, objs;

	snprintf(path, sizeof(path), "%s/status-%d", j->xdir, seq);
	while (slurp(line, sizeof(line), path) <= 0) {
		/* gone, or a zombie its parent has not reaped yet */
		if ((kill(j->o->pid, 0) < 0 && errno == ESRCH) || proc_state(j->o->pid) == 'Z')
			return fail(CHAIN_EXIT_USAGE, "pid %d exited during dump %d of %d", j->o->pid, seq,
				j->o->count);
		if (now() > deadline)
			return fail(CHAIN_EXIT_INTERNAL, "dump %d of pid %d did not finish within %g s", seq,
				j->o->pid, j->o->dump_timeout);
		nap(50);
	}
	if (strncmp(line, "ok ", 3) != 0 ||
	    sscanf(line + 3, "%llu %llu %llu %llu", &pause, &walk, &wr, &objs) != 4)
		return fail(CHAIN_EXIT_INTERNAL, "dump %d of pid %d failed: %.*s", seq, j->o->pid,
			(int)strcspn(line + (strncmp(line, "error ", 6) ? 0 : 6), "\n"),
			line + (strncmp(line, "error ", 6) ? 0 : 6));
	snprintf(path, sizeof(path), "%s/dump-%d.objref", j->xdir, seq);
	snprintf(d->path, sizeof(d->path), "%s/dump-%d.objref", j->o->dump_dir, seq);
	if (rename(path, d->path) < 0 && copy_file(path, d->path) < 0)
		return fail(CHAIN_EXIT_USAGE, "cannot move %s to %s: %s", path, d->path, strerror(errno));
	unlink(path);
	d->pause_ns = pause;
	d->walk_ns = walk;
	d->write_ns = wr;
	d->objects = objs;
	fprintf(stderr, "objref-chain: dump %d of %d from pid %d: %llu objects; the process paused "
		"%.1f ms (fork), the walk took %.2f s in the child\n", seq, j->o->count, j->o->pid, objs,
		(double)pause / 1e6, (double)walk / 1e9);
	return 0;
}

int chain_attach_dumps(chain_attach_dump **dumps, size_t *ndumps, const chain_attach_options *o)
{
	attach_job *j = calloc(1, sizeof(*j));
	int rc;

	*dumps = NULL;
	*ndumps = 0;
	if (!j)
		return fail(CHAIN_EXIT_INTERNAL, "out of memory");
	j->o = o;
	j->lock_fd = -1;
	if ((rc = check_target(j)) || (rc = check_means(j)) || (rc = take_lock(j)) ||
	    (rc = check_running(j)) || (rc = make_exchange(j)) || (rc = run_gdb(j)))
		goto cleanup;
	if (!(*dumps = calloc((size_t)o->count, sizeof(**dumps)))) {
		rc = fail(CHAIN_EXIT_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (int seq = 1; seq <= o->count; seq++) {
		if ((rc = collect_one(j, seq, &(*dumps)[seq - 1])) != 0)
			break;
		(*ndumps)++;
	}
cleanup:
	remove_exchange(j, rc != 0);
	if (j->lock_fd >= 0)
		close(j->lock_fd); /* the lock file stays: unlinking it would race a waiter */
	free(j);
	return rc;
}

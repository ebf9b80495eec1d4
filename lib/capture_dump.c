/*
 * lib/capture_dump.c — a dump of the live heap: the dump's header facts
 * about this process, and capture + write + rename in one call usable in a
 * forked child (objref/capture_dump.h has the contract).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
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
	ssize_t n;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
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
#if PY_VERSION_HEX < 0x030C0000
	/* Before 3.12 capture asks gc.get_objects() for the tracked objects,
	 * reaching `gc` through PyImport_ImportModule, which calls
	 * builtins.__import__: a replaced one would run Python code. */
	PyObject *builtins = PyEval_GetBuiltins(), *imp;

	imp = builtins ? (PyObject *)objref_capture_dict_get(builtins, "__import__") : NULL;
	if (imp && !PyCFunction_Check(imp))
		return objref__error(OBJREF_EINVAL, "builtins.__import__ is replaced by Python code, which "
			"a forked dump would run: use fork=False");
#endif
	return 0;
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
	if ((err = objref_capture_snapshot(&snap, OBJREF_CAPTURE_UNTRACKED)) < 0)
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

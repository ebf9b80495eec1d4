/*
 * lib/proc.c — facts about the running process (include/objref/proc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "objref/proc.h"

size_t objref_command_line(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/cmdline", "rb");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	if (f)
		fclose(f);
	while (n && !buf[n - 1])
		n--;  /* the last argument's terminator */
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = '\0';
	return n;
}

ssize_t objref__read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, size - 1)) < 0 && errno == EINTR)
		;
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Fields 3 (state), 14 and 15 (utime, stime) of /proc/<pid>/stat; after
 * the last ')', as the command name may hold both spaces and ')'.  Read
 * with open/read: a forked child's parent thread, no stdio needed. */
static int proc_cpu(int pid, char *state, unsigned long long *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (objref__read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", state, &ut, &st) != 3)
		return -1;
	*ticks = ut + st;
	return 0;
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int objref__child_watch(objref__watch *w, int pid, double stall_s)
{
	unsigned long long ticks;
	double now = monotonic_s();
	char state;

	if (proc_cpu(pid, &state, &ticks) < 0)
		return OBJREF__CHILD_BUSY; /* no /proc to read: no watch */
	if (state == 'Z' || state == 'X')
		return OBJREF__CHILD_GONE;
	/* Asleep ('S': on a lock or a pipe; not 'D', the disk) and no CPU
	 * time used since the last look: the stall goes on. */
	if (state != 'S' || !w->seen || ticks != w->ticks) {
		w->seen = 1;
		w->ticks = ticks;
		w->since = now;
		return OBJREF__CHILD_BUSY;
	}
	return now - w->since >= stall_s ? OBJREF__CHILD_STALLED : OBJREF__CHILD_BUSY;
}

double objref__child_stall_seconds(void)
{
	const char *e = getenv("OBJREF_CHILD_STALL_SECONDS");
	double s = e ? atof(e) : 0;
	return s > 0 ? s : 10.0;
}

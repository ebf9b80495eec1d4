/*
 * cli/follow.c — --follow-fork's names (see follow.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "follow.h"

static char display[4096], output[4096], log_path[4096];

int chain_follow_name(char *out, size_t size, const char *path, pid_t pid)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	int n;

	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path))
		n = snprintf(out, size, "%s.%ld", path, (long)pid);
	else
		n = snprintf(out, size, "%.*s.%ld%s", (int)(dot - path), path, (long)pid, dot);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int chain_follow_options(chain_options *child, const chain_options *parent, pid_t pid)
{
	int n = snprintf(display, sizeof(display), "%s [pid %ld]", parent->display, (long)pid);

	*child = *parent;
	child->display = display;
	child->interval = 0;
	child->duration = 0;
	if (n < 0 || (size_t)n >= sizeof(display))
		return -1;
	if (parent->output) {
		if (chain_follow_name(output, sizeof(output), parent->output, pid) < 0)
			return -1;
		child->output = output;
	}
	if (parent->log_path) {
		n = snprintf(log_path, sizeof(log_path), "%s.%ld", parent->log_path, (long)pid);
		if (n < 0 || (size_t)n >= sizeof(log_path))
			return -1;
		child->log_path = log_path;
	}
	return 0;
}

int chain_follow_json_to_file(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "objref-chain.%ld.json", (long)pid);
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		fprintf(stderr, "objref-chain: cannot write '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	fprintf(stderr, "objref-chain: %s: the report of pid %ld\n", path, (long)pid);
	return 0;
}

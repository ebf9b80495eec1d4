/*
 * cli/output_check.c — is an output path writable (see output_check.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "output_check.h"

static int refuse(const char *path, const char *what, const char *fix, const char *reason)
{
	fprintf(stderr, "objref-chain: cannot write %s '%s': %s; %s\n", what, path, reason, fix);
	return -1;
}

/* An existing file: it must be a regular file we may open for writing.
 * O_NONBLOCK: a FIFO must not block the check. */
static int check_existing(const char *path, const char *what, const char *fix)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int regular;

	if (fd < 0)
		return refuse(path, what, fix, strerror(errno));
	regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return regular ? 0 : refuse(path, what, fix, "not a regular file");
}

int chain_output_check(const char *path, const char *what, const char *fix)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0 && errno == EEXIST)
		return check_existing(path, what, fix);
	if (fd < 0)
		return refuse(path, what, fix, strerror(errno));
	close(fd);
	if (unlink(path) < 0)
		return refuse(path, what, fix, strerror(errno));
	return 0;
}

int chain_output_check_picture(const char *image)
{
	const char *ext = strrchr(image, '.'), *fix = "choose another path with -o";
	char dot[4096];

	if (!ext || strchr(ext, '/'))
		ext = image + strlen(image);
	if (chain_output_check(image, "the picture", fix) < 0)
		return -1;
	if (snprintf(dot, sizeof(dot), "%.*s.dot", (int)(ext - image), image) >= (int)sizeof(dot))
		return refuse(image, "the picture", fix, "path too long");
	return strcmp(dot, image) ? chain_output_check(dot, "the DOT beside the picture", fix) : 0;
}

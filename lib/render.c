/*
 * lib/render.c — DOT to PNG/SVG/PDF with libgvc, in this process or in a
 * forked child (include/objref/render.h).
 *
 * The child: the parent takes the Graphviz lock and forks, so the child
 * starts with Graphviz in a consistent state (no other thread of ours was
 * inside it); the child releases the lock it inherited, renders, writes
 * the file, reports on a pipe and leaves with _exit (no atexit handler,
 * no Python).  The parent waits on the pipe with a deadline; a child that
 * crashes closes the pipe without a report, one that runs late is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "objref/render.h"
#include "gv_internal.h"
#include "internal.h"

#define DEFAULT_TIMEOUT_MS 60000u

const char *objref_render_format_of(const char *path)
{
	static const char *const formats[] = { "png", "svg", "pdf", "dot" };
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcasecmp(dot + 1, formats[i]))
			return formats[i];
	return NULL;
}

/* ---- in this process --------------------------------------------------- */

static int layout_error(const char *what)
{
	const char *msg = objref__gv_errors();

	if (strstr(msg, "not recognized"))
		return objref__error(OBJREF_ERROR, "Graphviz has no %s plugin (%s); its plugin list "
			"config6a is missing or stale: as root run `dot -c`, or reinstall libgvc6 "
			"(apt-get install --reinstall libgvc6)", what, msg);
	return objref__error(OBJREF_ERROR, "Graphviz failed at %s%s%s", what, *msg ? ": " : "", msg);
}

/* Lay out and render under the lock; *data is Graphviz's, freed with
 * gvFreeRenderData by the caller (also under the lock). */
static int render_locked(char **data, unsigned *len, const char *dot, const char *format)
{
	GVC_t *gvc = objref__gv_context();
	Agraph_t *g;
	int err = 0;

	*data = NULL;
	objref__gv_errors_clear();
	if (!gvc)
		return objref__error(OBJREF_ERROR, "Graphviz could not start (gvContext failed)");
	if (!(g = agmemread(dot)))
		return objref__error(OBJREF_EINVAL, "the DOT text does not parse%s%s",
			*objref__gv_errors() ? ": " : "", objref__gv_errors());
	if (gvLayout(gvc, g, "dot") != 0 || *objref__gv_errors()) {
		err = layout_error("layout \"dot\"");
		agclose(g);
		return err;
	}
	if (gvRenderData(gvc, g, format, data, len) != 0 || !*data) {
		err = layout_error(format);
		if (*data)
			gvFreeRenderData(*data);
		*data = NULL;
	}
	gvFreeLayout(gvc, g);
	agclose(g);
	return err;
}

int objref_render_data(objref_buf *out, const char *dot, const char *format,
	const objref_png_text *texts, size_t ntexts)
{
	objref_png_text *all = NULL;
	char software[128];
	char *data = NULL;
	unsigned len = 0;
	int err;

	if (!format || (strcmp(format, "png") && strcmp(format, "svg") && strcmp(format, "pdf")))
		return objref__error(OBJREF_EINVAL, "cannot render to '%s': png, svg and pdf are known",
			format ? format : "(none)");
	objref__gv_lock();
	err = render_locked(&data, &len, dot, format);
	snprintf(software, sizeof(software), "objref %s (Graphviz %s)", objref_version(),
		objref__gv_context() ? gvcVersion(objref__gv_context()) : "?");
	if (!err && strcmp(format, "png"))
		err = objref_buf_put(out, data, len) < 0 ? OBJREF_ENOMEM : 0;
	else if (!err && !(all = objref__malloc((ntexts + 2) * sizeof(*all))))
		err = OBJREF_ENOMEM;
	else if (!err) {
		all[0] = (objref_png_text){ "DOT", dot };
		all[1] = (objref_png_text){ "Software", software };
		if (ntexts)
			memcpy(all + 2, texts, ntexts * sizeof(*all));
		err = objref_png_add_text(out, (const unsigned char *)data, len, all, ntexts + 2);
	}
	if (data)
		gvFreeRenderData(data);
	objref__gv_unlock();
	objref__free(all);
	return err;
}

/* ---- files ------------------------------------------------------------------ */

/* Write len bytes to path through a temporary file beside it. */
int objref__write_renamed(const char *path, const void *data, size_t len)
{
	char tmp[4096];
	FILE *f;
	int ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
		return objref__error(OBJREF_EIO, "cannot write '%s': the path is too long", path);
	if (!(f = fopen(tmp, "wb")))
		return objref__error(OBJREF_EIO, "cannot write '%s': %s", path, strerror(errno));
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return objref__error(OBJREF_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

static int render_here(const char *path, const char *dot, const char *format, const objref_render_options *o)
{
	objref_buf img = { 0 };
	int err = objref_render_data(&img, dot, format, o->texts, o->ntexts);

	if (!err)
		err = objref__write_renamed(path, img.data ? img.data : "", img.len);
	objref_buf_dispose(&img);
	return err;
}

/* The child: render, report "0" or "1<message>" on fd, and leave. */
static void child(int fd, const char *path, const char *dot, const char *format, const objref_render_options *o)
{
	int err;
	char status = '0';
	const char *msg;
	ssize_t w;

	objref__gv_unlock();
	/* The tests' way to show that a crash here leaves the caller alone. */
	if (getenv("OBJREF_RENDER_CRASH_FOR_TESTS"))
		raise(SIGSEGV);
	err = render_here(path, dot, format, o);
	if (err < 0)
		status = '1';
	msg = err < 0 ? objref_error_last() : "";
	w = write(fd, &status, 1);
	if (w == 1 && *msg)
		w = write(fd, msg, strlen(msg));
	(void)w;
	_exit(err < 0 ? 1 : 0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the child's report until EOF or the deadline; 1 if it timed out. */
static int read_report(int fd, objref_buf *report, unsigned timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char buf[512];

	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		int r;

		if (left <= 0)
			return 1;
		r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		objref_buf_put(report, buf, (size_t)n);
	}
}

static int render_isolated(const char *path, const char *dot, const char *format, const objref_render_options *o)
{
	unsigned timeout = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	objref_buf report = { 0 };
	int fds[2], status = 0, timed_out, err;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return objref__error(OBJREF_ERROR, "cannot render '%s': pipe: %s", path, strerror(errno));
	objref__gv_lock();
	pid = fork();
	if (pid == 0)
		child(fds[1], path, dot, format, o);
	objref__gv_unlock();
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return objref__error(OBJREF_ERROR, "cannot render '%s': fork: %s", path, strerror(errno));
	}
	timed_out = read_report(fds[0], &report, timeout);
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)pid);
		unlink(tmp);
		err = objref__error(OBJREF_ERROR, "Graphviz took more than %.1f s to draw '%s' and was "
			"stopped; draw less (a smaller max_depth or too_many)", timeout / 1000.0, path);
	} else if (report.len && report.data[0] == '0') {
		err = 0;
	} else if (report.len) {
		err = objref__error(OBJREF_ERROR, "%s", report.data + 1);
	} else {
		err = objref__error(OBJREF_ERROR, "Graphviz crashed drawing '%s' (%s %d); the process "
			"that asked is unharmed", path, WIFSIGNALED(status) ? "signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	objref_buf_dispose(&report);
	return err;
}

int objref_render_file(const char *path, const char *dot, const objref_render_options *o)
{
	static const objref_render_options defaults = OBJREF_RENDER_OPTIONS_INIT;
	const char *format;

	o = o ? o : &defaults;
	format = o->format ? o->format : objref_render_format_of(path);
	if (!format)
		return objref__error(OBJREF_EINVAL, "cannot tell the format of '%s': name it .png, "
			".svg, .pdf or .dot", path);
	if (!strcmp(format, "dot"))
		return objref__write_renamed(path, dot, strlen(dot));
	return o->isolate ? render_isolated(path, dot, format, o) : render_here(path, dot, format, o);
}

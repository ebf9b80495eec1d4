/*
 * cli/interp.c — which Python the observed program runs with (see
 * interp.h).  Runs before Python is initialized: plain C, one process.
 */
#include <Python.h> /* PY_MAJOR_VERSION, PY_MINOR_VERSION */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "interp.h"
#include "options.h"

#define OLDEST_MINOR 8
#define NEWEST_MINOR 13
#define ASK_TIMEOUT_MS 20000

static char *chosen; /* malloc'ed absolute path, or NULL */
static int named;    /* chosen by --python or VIRTUAL_ENV, not by default */

/* Asked of the interpreter: valid Python 2 and 3, one line. */
static const char ask_code[] =
	"import sys; sys.stdout.write('objref-interp %d.%d %s\\n' % "
	"(sys.version_info[0], sys.version_info[1], sys.executable))";

/* An absolute path for `name` as a shell would run it: searched on PATH
 * when it has no slash, joined to the current directory when relative.
 * Symlinks are kept.  malloc'ed; NULL when not found. */
static char *absolute(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX], *cwd;

	if (strchr(name, '/')) {
		if (name[0] == '/')
			return strdup(name);
		if (!(cwd = getcwd(NULL, 0)))
			return NULL;
		snprintf(buf, sizeof(buf), "%s/%s", cwd, name);
		free(cwd);
		return strdup(buf);
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? p : ".", name);
		if (access(buf, X_OK) == 0)
			return buf[0] == '/' ? strdup(buf) : absolute(buf);
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* Read up to size-1 bytes from fd within ASK_TIMEOUT_MS; NUL-terminated.
 * Returns 0, or -1 on timeout. */
static int read_answer(int fd, char *buf, size_t size)
{
	size_t len = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t got = 1;

	while (len + 1 < size && got > 0) {
		int ready = poll(&pfd, 1, ASK_TIMEOUT_MS);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return -1;
		got = read(fd, buf + len, size - 1 - len);
		if (got < 0 && errno == EINTR)
			got = 1;
		else if (got > 0)
			len += (size_t)got;
	}
	buf[len] = '\0';
	return 0;
}

/* Run `exe -E -s -c ask_code` and read its X.Y and sys.executable (a
 * pyenv shim is a shell script: the Python it runs names itself; a venv's
 * python names the venv's path).  Returns 0 with *major, *minor set and
 * *real malloc'ed (NULL when it named none), or -1 when it is not a Python
 * that answers. */
static int ask_version(const char *exe, int *major, int *minor, char **real)
{
	int at = 0;
	int fds[2], status, timed_out;
	char answer[256];
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(null, 2);
		execl(exe, exe, "-E", "-s", "-c", ask_code, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	timed_out = read_answer(fds[0], answer, sizeof(answer)) < 0;
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	if (sscanf(answer, "objref-interp %d.%d %n", major, minor, &at) < 2)
		return -1;
	answer[strcspn(answer, "\n")] = '\0';
	*real = at && answer[at] == '/' ? strdup(answer + at) : NULL;
	return 0;
}

/* The directory of this executable, from /proc/self/exe; malloc'ed. */
static char *own_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if (!(slash = strrchr(buf, '/')))
		return NULL;
	*slash = '\0';
	return strdup(buf);
}

/* objref-chain-3.MINOR: in $OBJREF_LIBEXEC, DIR/../libexec/objref, DIR.
 * Writes the places looked at into `looked`.  malloc'ed path or NULL. */
static char *find_build(int minor, char *looked, size_t size)
{
	char *dir = own_dir(), cand[PATH_MAX];
	const char *places[3] = { getenv("OBJREF_LIBEXEC"), NULL, NULL };
	char up[PATH_MAX], here[PATH_MAX];
	size_t used = 0;

	if (dir) {
		snprintf(up, sizeof(up), "%s/../libexec/objref", dir);
		snprintf(here, sizeof(here), "%s", dir);
		places[1] = up;
		places[2] = here;
	}
	looked[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (!places[i] || !*places[i])
			continue;
		snprintf(cand, sizeof(cand), "%s/objref-chain-3.%d", places[i], minor);
		if (access(cand, X_OK) == 0) {
			free(dir);
			return strdup(cand);
		}
		used += (size_t)snprintf(looked + used, used < size ? size - used : 0, "%s%s",
			used ? ", " : "", places[i]);
		if (used >= size)
			used = size - 1;
	}
	free(dir);
	return NULL;
}

/* exec objref-chain-3.MINOR with our arguments; returns only on failure. */
static int run_other_build(const char *exe, int major, int minor, char **argv)
{
	char looked[2048];
	char *build;

	if (getenv("OBJREF_CHAIN_REEXEC")) { /* the build found was not for 3.MINOR */
		fprintf(stderr, "objref-chain: '%s' is Python %d.%d, but this objref-chain (run "
			"for it) embeds Python %d.%d; reinstall objref for %d.%d (make install "
			"PYTHON=%s)\n", exe, major, minor, PY_MAJOR_VERSION, PY_MINOR_VERSION,
			major, minor, exe);
		return CHAIN_EXIT_USAGE;
	}
	if (!(build = find_build(minor, looked, sizeof(looked)))) {
		fprintf(stderr, "objref-chain: '%s' is Python %d.%d and this objref-chain embeds "
			"Python %d.%d; no objref-chain-%d.%d found (looked in %s): build one with "
			"`make install PYTHON=%s`, or name a Python %d.%d with --python\n", exe, major,
			minor, PY_MAJOR_VERSION, PY_MINOR_VERSION, major, minor,
			looked[0] ? looked : "nowhere", exe, PY_MAJOR_VERSION, PY_MINOR_VERSION);
		return CHAIN_EXIT_USAGE;
	}
	setenv("OBJREF_CHAIN_REEXEC", "1", 1);
	execv(build, argv);
	fprintf(stderr, "objref-chain: cannot run '%s' (for Python %d.%d): %s\n", build, major,
		minor, strerror(errno));
	free(build);
	return CHAIN_EXIT_USAGE;
}

/* A venv's bin/python is a symlink; deleting the Python it was made with
 * leaves it dangling.  Say so, with the fix. */
static int missing(const char *exe, const char *how)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (lstat(exe, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (n = readlink(exe, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		fprintf(stderr, "objref-chain: %s '%s' links to '%s', which no longer exists (the "
			"Python it was made with was removed?); recreate the virtualenv with an "
			"installed Python (python3 -m venv --clear DIR) or name one with --python\n",
			how, exe, target);
	} else {
		fprintf(stderr, "objref-chain: %s '%s': %s; name a Python interpreter, e.g. "
			"--python /usr/bin/python3\n", how, exe, strerror(errno));
	}
	return CHAIN_EXIT_USAGE;
}

/* exe must be a CPython 3.8 .. 3.13; another minor than ours is exec'ed. */
static int check(const char *exe, const char *how, char **argv)
{
	int major, minor;
	char *real = NULL;

	if (access(exe, X_OK) != 0)
		return missing(exe, how);
	if (ask_version(exe, &major, &minor, &real) < 0) {
		fprintf(stderr, "objref-chain: %s '%s' is not a Python interpreter (it did not "
			"answer `-c 'import sys'`); name a CPython 3.%d to 3.%d\n", how, exe,
			OLDEST_MINOR, NEWEST_MINOR);
		return CHAIN_EXIT_USAGE;
	}
	if (major != 3 || minor < OLDEST_MINOR || minor > NEWEST_MINOR) {
		fprintf(stderr, "objref-chain: %s '%s' is Python %d.%d; objref supports Python "
			"3.%d to 3.%d: name one of those (or a virtualenv made with one)\n", how, exe,
			major, minor, OLDEST_MINOR, NEWEST_MINOR);
		free(real);
		return CHAIN_EXIT_USAGE;
	}
	if (minor != PY_MINOR_VERSION) {
		free(real);
		return run_other_build(exe, major, minor, argv);
	}
	if (real) { /* what it calls itself: sys.executable under it */
		free(chosen);
		chosen = real;
	}
	return 0;
}

/* The python3 on PATH, as `python3 app.py` would run: its sys.executable
 * (so its prefix and site-packages) when it is our minor version, the
 * objref-chain built for its version when that is installed.  Otherwise
 * (no python3 on PATH, not a supported CPython, no build for it) the
 * program runs under the interpreter objref-chain embeds, and a one-line
 * note says why when there was a python3 it could not use. */
static int choose_default(char **argv)
{
	char *exe = absolute("python3"), *real = NULL, *build = NULL;
	char looked[2048];
	int major, minor;

	if (!exe)
		return 0;
	if (ask_version(exe, &major, &minor, &real) < 0) {
		fprintf(stderr, "objref-chain: note: the python3 on PATH ('%s') did not answer as a "
			"Python interpreter; running the program under objref-chain's own Python "
			"%d.%d (name one with --python)\n", exe, PY_MAJOR_VERSION, PY_MINOR_VERSION);
	} else if (major == PY_MAJOR_VERSION && minor == PY_MINOR_VERSION) {
		chosen = real ? real : exe;
		if (chosen == real)
			free(exe);
		return 0;
	} else if (major != 3 || minor < OLDEST_MINOR || minor > NEWEST_MINOR) {
		fprintf(stderr, "objref-chain: note: the python3 on PATH ('%s') is Python %d.%d, which "
			"objref does not support (3.%d to 3.%d); running the program under "
			"objref-chain's own Python %d.%d (name another with --python)\n",
			real ? real : exe, major, minor, OLDEST_MINOR, NEWEST_MINOR, PY_MAJOR_VERSION,
			PY_MINOR_VERSION);
	} else if (!getenv("OBJREF_CHAIN_REEXEC") &&
		   (build = find_build(minor, looked, sizeof(looked))) != NULL) {
		free(build);
		chosen = real ? real : exe;
		if (chosen == real)
			free(exe);
		return run_other_build(chosen, major, minor, argv);
	} else {
		fprintf(stderr, "objref-chain: note: the python3 on PATH ('%s') is Python %d.%d and "
			"no objref-chain for %d.%d is installed (`make install PYTHON=%s` builds "
			"one); running the program under objref-chain's own Python %d.%d\n",
			real ? real : exe, major, minor, major, minor, real ? real : exe,
			PY_MAJOR_VERSION, PY_MINOR_VERSION);
	}
	free(real);
	free(exe);
	return 0;
}

int chain_interp_choose(const char *python_opt, char **argv)
{
	const char *venv = getenv("VIRTUAL_ENV");
	const char *how = "--python";
	char buf[PATH_MAX];
	int status;

	chain_interp_dispose();
	if (python_opt) {
		if (!*python_opt || !(chosen = absolute(python_opt))) {
			fprintf(stderr, "objref-chain: --python '%s': not found%s; name a Python "
				"interpreter, e.g. --python /usr/bin/python3\n", python_opt,
				strchr(python_opt, '/') ? "" : " on PATH");
			return CHAIN_EXIT_USAGE;
		}
	} else if (venv && *venv) {
		snprintf(buf, sizeof(buf), "%s/bin/python", venv);
		how = "the active virtualenv's interpreter (VIRTUAL_ENV)";
		if (!(chosen = absolute(buf)))
			return CHAIN_EXIT_INTERNAL;
	}
	named = chosen != NULL;
	if ((status = chosen ? check(chosen, how, argv) : choose_default(argv)) != 0)
		chain_interp_dispose();
	unsetenv("OBJREF_CHAIN_REEXEC"); /* the program's own objref-chain runs start afresh */
	return status;
}

void chain_interp_use_running(void)
{
	PyObject *exe = PySys_GetObject("executable"); /* borrowed */
	const char *s = exe && PyUnicode_Check(exe) ? PyUnicode_AsUTF8(exe) : NULL;

	chain_interp_dispose();
	if (s && *s)
		chosen = strdup(s);
	named = 1; /* the user ran it: name it, as --python */
	PyErr_Clear();
}

const char *chain_interp_executable(void)
{
	return chosen;
}

int chain_interp_named(void)
{
	return chosen && named;
}

void chain_interp_dispose(void)
{
	free(chosen);
	chosen = NULL;
	named = 0;
}

/*
 * cli/dumps.c — --dump FILE, --dump-every N (see dumps.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dumps.h"
#include "pycompat.h"

static struct {
	const chain_options *opts;
	char path[4096];        /* --dump FILE, absolute */
	size_t stem;            /* its length without ".objref" */
	unsigned long checkpoints, written;
	char pending[4096];     /* the forked dump still being written, or "" */
} D;

int chain_dumps_start(const chain_options *o)
{
	const char *slash;
	char dir[4096], cwd[4096] = "";

	D.opts = o;
	if (!o->dump)
		return 0;
	if (o->dump[0] != '/' && !getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "objref-chain: --dump %s: cannot read the current directory: %s\n",
			o->dump, strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(D.path, sizeof(D.path), "%s%s%s", cwd, *cwd ? "/" : "", o->dump) >=
	    sizeof(D.path) - 32) {
		fprintf(stderr, "objref-chain: --dump %s: path too long\n", o->dump);
		return -1;
	}
	slash = strrchr(D.path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash == D.path ? 1 : (int)(slash - D.path), D.path);
	if (access(dir, W_OK) != 0) {
		fprintf(stderr, "objref-chain: cannot write the dump '%s': directory '%s': %s; choose "
			"another path with --dump\n", o->dump, dir, strerror(errno));
		return -1;
	}
	D.stem = strlen(D.path);
	if (D.stem > 7 && strcmp(D.path + D.stem - 7, ".objref") == 0)
		D.stem -= 7;
	return 0;
}

/* api->dump(path, fork, wait); 0, or -1 after a message naming `what`
 * (the file whose dump failed). */
static int call_dump(const objref_CAPI *api, const char *path, int wait, const char *what)
{
	chain_pyerr saved, e;
	PyObject *text = NULL;
	int rc;

	chain_pyerr_fetch(&saved);
	if ((rc = api->dump(api->state, path, 1, wait)) < 0) {
		chain_pyerr_fetch(&e);
		if (chain_pyerr_value(&e) && !(text = PyObject_Str(chain_pyerr_value(&e))))
			PyErr_Clear();
		fprintf(stderr, "objref-chain: --dump %s failed: %s\n", what,
			text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "unknown error");
		PyErr_Clear();
		Py_XDECREF(text);
		chain_pyerr_clear(&e);
	}
	chain_pyerr_restore(&saved);
	return rc;
}

/* Wait for the dump still being written, if any. */
static int finish_pending(const objref_CAPI *api)
{
	int rc = 0;

	if (D.pending[0])
		rc = call_dump(api, NULL, 1, D.pending);
	D.pending[0] = '\0';
	return rc;
}

int chain_dumps_checkpoint(const objref_CAPI *api)
{
	char path[4096];

	if (!D.opts || !D.opts->dump_every || ++D.checkpoints % D.opts->dump_every)
		return 0;
	snprintf(path, sizeof(path), "%.*s-%lu.objref", (int)D.stem, D.path, ++D.written);
	/* the child walks while the program goes on: waited for at the next */
	if (finish_pending(api) < 0 || call_dump(api, path, 0, path) < 0)
		return -1;
	snprintf(D.pending, sizeof(D.pending), "%s", path);
	return 0;
}

int chain_dumps_end(const objref_CAPI *api, int write)
{
	int rc;

	if (!D.opts || !D.opts->dump)
		return 0;
	rc = finish_pending(api);
	if (write && rc == 0)
		rc = call_dump(api, D.path, 1, D.path);
	return rc;
}

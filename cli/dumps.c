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

/* One dump into path through the module: 0, or -1 after a message. */
static int dump_to(const objref_CAPI *api, const char *path)
{
	chain_pyerr saved, e;
	PyObject *text = NULL;
	int rc;

	chain_pyerr_fetch(&saved);
	if ((rc = api->dump(api->state, path, 1)) < 0) {
		chain_pyerr_fetch(&e);
		if (chain_pyerr_value(&e) && !(text = PyObject_Str(chain_pyerr_value(&e))))
			PyErr_Clear();
		fprintf(stderr, "objref-chain: --dump %s failed: %s\n", path,
			text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "unknown error");
		PyErr_Clear();
		Py_XDECREF(text);
		chain_pyerr_clear(&e);
	}
	chain_pyerr_restore(&saved);
	return rc;
}

int chain_dumps_checkpoint(const objref_CAPI *api)
{
	char path[4096];

	if (!D.opts || !D.opts->dump_every || ++D.checkpoints % D.opts->dump_every)
		return 0;
	snprintf(path, sizeof(path), "%.*s-%lu.objref", (int)D.stem, D.path, ++D.written);
	return dump_to(api, path);
}

int chain_dumps_end(const objref_CAPI *api)
{
	if (!D.opts || !D.opts->dump)
		return 0;
	return dump_to(api, D.path);
}

/*
 * cli/pictures.c — the picture of the chains (see pictures.h).  The DOT
 * comes from objref.chains(picture=True); the image is drawn by
 * objref.render_dot, in a forked child, so a Graphviz failure costs the
 * image and never the report or the .dot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "objref/render.h"
#include "pictures.h"

int chain_picture_check_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (!objref_render_format_of(path)) {
		fprintf(stderr, "objref-chain: -o '%s': name the picture .png, .svg, .pdf or .dot\n", path);
		return -1;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (access(dir, W_OK) != 0) {
		fprintf(stderr, "objref-chain: cannot write the picture '%s': directory '%s': %s; "
			"choose another path with -o\n", path, dir, strerror(errno));
		return -1;
	}
	return 0;
}

int chain_extract_dot(const char *path)
{
	char *text;
	size_t len;

	if (objref_png_get_text(&text, &len, path, "DOT") < 0) {
		fprintf(stderr, "objref-chain: --extract-dot: %s\n", objref_error_last());
		return CHAIN_EXIT_USAGE;
	}
	fwrite(text, 1, len, stdout);
	objref_free(text);
	return CHAIN_EXIT_OK;
}

/* "objref-<type>" with the type's characters kept safe for a file name. */
static void default_stem(char *buf, size_t size, const char *type)
{
	size_t n = (size_t)snprintf(buf, size, "objref-%s", type);

	for (size_t i = 7; i < n && i < size; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", buf[i]))
			buf[i] = '_';
}

static int write_dot(const char *path, const char *dot)
{
	FILE *f = fopen(path, "w");
	int ok = f && fputs(dot, f) >= 0;

	if (f)
		ok = (fclose(f) == 0) && ok;
	if (!ok)
		fprintf(stderr, "objref-chain: cannot write '%s': %s\n", path, strerror(errno));
	return ok ? 0 : -1;
}

/* objref.render_dot(dot, image): 0, or -1 after a message naming dot_path. */
static int render(const char *dot, const char *image, const char *dot_path)
{
	PyObject *m = PyImport_ImportModule("objref");
	PyObject *r = m ? PyObject_CallMethod(m, "render_dot", "ss", dot, image) : NULL;
	PyObject *text = NULL;
	chain_pyerr e;

	Py_XDECREF(m);
	if (r) {
		Py_DECREF(r);
		return 0;
	}
	chain_pyerr_fetch(&e);
	if (chain_pyerr_value(&e) && !(text = PyObject_Str(chain_pyerr_value(&e))))
		PyErr_Clear();
	fprintf(stderr, "objref-chain: no picture '%s': %s; the DOT is in %s\n", image,
		text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "objref.render_dot failed", dot_path);
	PyErr_Clear();
	Py_XDECREF(text);
	chain_pyerr_clear(&e);
	return -1;
}

int chain_picture_write(objref_buf *msg, const char *image, const char *dot, const char *note)
{
	const char *ext = strrchr(image, '.');
	char dot_path[4096];
	char tail[256] = "";

	if (!ext || strchr(ext, '/'))
		ext = image + strlen(image);
	snprintf(dot_path, sizeof(dot_path), "%.*s.dot", (int)(ext - image), image);
	if (note)
		snprintf(tail, sizeof(tail), " (%s)", note);
	if (write_dot(dot_path, dot) < 0)
		return -1;
	if (!strcasecmp(ext, ".dot"))
		return objref_buf_printf(msg, "wrote %s%s\n", dot_path, tail), 0;
	if (render(dot, image, dot_path) < 0) {
		objref_buf_printf(msg, "wrote %s%s\n", dot_path, tail);
		return -1; /* the image asked for is missing */
	}
	objref_buf_printf(msg, "wrote %s%s, %s%s\n", image,
		!strcasecmp(ext, ".png") ? " (DOT inside)" : "", dot_path, tail);
	return 0;
}

int chain_pictures_write(objref_buf *msg, const chain_options *o, PyObject *chains)
{
	PyObject *dot_obj = PyDict_Check(chains) ? PyDict_GetItemString(chains, "dot") : NULL;
	PyObject *type_obj = PyDict_Check(chains) ? PyDict_GetItemString(chains, "type") : NULL;
	const char *dot = dot_obj ? PyUnicode_AsUTF8(dot_obj) : NULL;
	const char *type = type_obj ? PyUnicode_AsUTF8(type_obj) : NULL;
	char image[4096];

	if (!dot || !type) {
		PyErr_Clear();
		return -1;
	}
	if (o->output)
		snprintf(image, sizeof(image), "%s", o->output);
	else {
		default_stem(image, sizeof(image) - 4, type);
		strcat(image, ".png");
	}
	return chain_picture_write(msg, image, dot, NULL);
}

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

	Py_XDECREF(m);
	if (r) {
		Py_DECREF(r);
		return 0;
	}
	PyObject *type, *value, *tb, *msg;
	PyErr_Fetch(&type, &value, &tb);
	msg = value ? PyObject_Str(value) : NULL;
	fprintf(stderr, "objref-chain: no picture '%s': %s; the DOT is in %s\n", image,
		msg && PyUnicode_AsUTF8(msg) ? PyUnicode_AsUTF8(msg) : "objref.render_dot failed", dot_path);
	PyErr_Clear();
	Py_XDECREF(msg);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return -1;
}

int chain_pictures_write(objref_buf *msg, const chain_options *o, PyObject *chains)
{
	PyObject *dot_obj = PyDict_Check(chains) ? PyDict_GetItemString(chains, "dot") : NULL;
	PyObject *type_obj = PyDict_Check(chains) ? PyDict_GetItemString(chains, "type") : NULL;
	const char *dot = dot_obj ? PyUnicode_AsUTF8(dot_obj) : NULL;
	const char *type = type_obj ? PyUnicode_AsUTF8(type_obj) : NULL;
	char image[4096], dot_path[4096];
	const char *ext;

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
	ext = strrchr(image, '.');
	snprintf(dot_path, sizeof(dot_path), "%.*s.dot", (int)(ext - image), image);
	if (write_dot(dot_path, dot) < 0)
		return -1;
	if (!strcmp(ext, ".dot") || !strcasecmp(ext, ".dot")) {
		objref_buf_printf(msg, "wrote %s\n", dot_path);
		return 0;
	}
	if (render(dot, image, dot_path) < 0) {
		objref_buf_printf(msg, "wrote %s\n", dot_path);
		return 0;
	}
	objref_buf_printf(msg, "wrote %s%s, %s\n", image,
		!strcasecmp(ext, ".png") ? " (DOT inside)" : "", dot_path);
	return 0;
}

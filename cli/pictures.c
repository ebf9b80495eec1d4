/*
 * cli/pictures.c — the pictures beside the report (see pictures.h).  The
 * DOT comes with the chains or cycles report; the image is drawn through the
 * module's C API (api->render), in a forked child, so a Graphviz failure
 * costs the image and never the report or the .dot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "objref/proc.h"
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

/* Draw dot into image with libobjref alone (no interpreter: --from,
 * --pid), isolated in a forked child as the module draws: 0, or -1 after a
 * message naming dot_path. */
static int render_c(const char *dot, const char *image, const char *dot_path)
{
	char command[2048];
	objref_png_text texts[1] = { { "Command", command } };
	objref_render_options o = OBJREF_RENDER_OPTIONS_INIT;

	o.isolate = 1;
	o.texts = texts;
	o.ntexts = 1;
	objref_command_line(command, sizeof(command));
	if (objref_render_file(image, dot, &o) == 0)
		return 0;
	fprintf(stderr, "objref-chain: no picture '%s': %s; the DOT is in %s\n", image,
		objref_error_last(), dot_path);
	return -1;
}

/* Draw dot into image through the module's C API (api NULL: libobjref's
 * renderer, render_c): 0, or -1 after a message naming dot_path. */
static int render(const objref_CAPI *api, const char *dot, const char *image, const char *dot_path)
{
	PyObject *text = NULL;
	chain_pyerr e;

	if (!api)
		return render_c(dot, image, dot_path);
	if (api->render(api->state, dot, image) == 0)
		return 0;
	chain_pyerr_fetch(&e);
	if (chain_pyerr_value(&e) && !(text = PyObject_Str(chain_pyerr_value(&e))))
		PyErr_Clear();
	fprintf(stderr, "objref-chain: no picture '%s': %s; the DOT is in %s\n", image,
		text && PyUnicode_AsUTF8(text) ? PyUnicode_AsUTF8(text) : "drawing failed", dot_path);
	PyErr_Clear();
	Py_XDECREF(text);
	chain_pyerr_clear(&e);
	return -1;
}

int chain_picture_write(objref_buf *msg, const objref_CAPI *api, const char *image, const char *dot,
	const char *note)
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
	if (render(api, dot, image, dot_path) < 0) {
		objref_buf_printf(msg, "wrote %s%s\n", dot_path, tail);
		return -1; /* the image asked for is missing */
	}
	objref_buf_printf(msg, "wrote %s%s, %s%s\n", image,
		!strcasecmp(ext, ".png") ? " (DOT inside)" : "", dot_path, tail);
	return 0;
}

int chain_pictures_write(objref_buf *msg, const objref_CAPI *api, const chain_options *o,
	const objref_chains_report *chains)
{
	char image[4096];

	if (!chains->dot)
		return -1;
	if (o->output)
		snprintf(image, sizeof(image), "%s", o->output);
	else {
		default_stem(image, sizeof(image) - 4, chains->type);
		strcat(image, ".png");
	}
	return chain_picture_write(msg, api, image, chains->dot, NULL);
}

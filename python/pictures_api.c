/*
 * python/pictures_api.c — objgraph's show_backrefs, show_refs and
 * show_chain, and objref's render_dot and extract_dot.
 *
 * A picture is a view of one pinned snapshot (include/objref/view.h),
 * written as DOT by libcgraph; images are drawn by libgvc in a forked
 * child with a time limit (objref_render_file with isolate), with the GIL
 * released meanwhile, so neither a Graphviz crash nor a runaway layout
 * reaches the observed process.  The DOT is always written first.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "module.h"
#include "objref/proc.h"
#include "objref/render.h"

#define DEFAULT_TIMEOUT OBJREF_PY_RENDER_TIMEOUT

/* ---- writing pictures ------------------------------------------------------ */

/* Render dot into path (format from its extension), isolated, the GIL
 * released.  0, or -1 with an exception (OSError, ValueError, RuntimeError). */
int objref_py_render(const char *dot, const char *path, double timeout)
{
	char command[2048], python[64];
	objref_png_text texts[2] = { { "Command", command }, { "Python", python } };
	objref_render_options o = OBJREF_RENDER_OPTIONS_INIT;
	const char *version = Py_GetVersion();
	int err;

	o.isolate = 1;
	o.timeout_ms = (unsigned)(timeout * 1000);
	o.texts = texts;
	o.ntexts = 2;
	objref_command_line(command, sizeof(command));
	snprintf(python, sizeof(python), "%.*s", (int)strcspn(version, " "), version);
	if (timeout <= 0 || timeout > 86400) {
		PyErr_SetString(PyExc_ValueError, "timeout must be between 0 and 86400 seconds");
		return -1;
	}
	Py_BEGIN_ALLOW_THREADS
	err = objref_render_file(path, dot, &o);
	Py_END_ALLOW_THREADS
	if (err == OBJREF_EIO) {
		PyErr_SetString(PyExc_OSError, objref_error_last());
		return -1;
	}
	return err < 0 ? (objref_py_error(err), -1) : 0;
}

static PyObject *py_render_dot(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "dot", "filename", "timeout", NULL };
	const char *dot, *path;
	double timeout = DEFAULT_TIMEOUT;

	(void)m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|d:render_dot", kwlist, &dot, &path, &timeout))
		return NULL;
	if (objref_py_render(dot, path, timeout) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *py_extract_dot(PyObject *m, PyObject *arg)
{
	PyObject *path = NULL, *r = NULL;
	char *text;
	size_t len;
	int err;

	(void)m;
	if (!PyUnicode_FSConverter(arg, &path))
		return NULL;
	err = objref_png_get_text(&text, &len, PyBytes_AS_STRING(path), "DOT");
	Py_DECREF(path);
	if (err == OBJREF_EIO)
		PyErr_SetString(PyExc_OSError, objref_error_last());
	else if (err < 0)
		objref_py_error(err);
	else
		r = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "replace");
	if (!err)
		objref_free(text);
	return r;
}

static int say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int say(const char *fmt, ...)
{
	objref_buf b = { 0 };
	va_list ap;
	int err;

	va_start(ap, fmt);
	objref_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	err = b.data ? objref_py_write(NULL, b.data) : 0;
	objref_buf_dispose(&b);
	return err;
}

/* A new temporary file name with the suffix; NULL with an exception. */
static char *temp_name(const char *suffix)
{
	const char *dir = getenv("TMPDIR");
	char *name = PyMem_Malloc(4096);
	int fd;

	if (!name)
		return (char *)PyErr_NoMemory();
	snprintf(name, 4096, "%s/objref-XXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
	if ((fd = mkstemps(name, (int)strlen(suffix))) < 0) {
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, name);
		PyMem_Free(name);
		return NULL;
	}
	close(fd);
	return name;
}

/*
 * objgraph's way to present a graph: to `output` (a file object) as DOT;
 * to `filename` as DOT or, by its extension, as an image (the DOT kept in
 * a temporary file); with neither, DOT and PNG in temporary files.  What
 * happened is printed, as objgraph prints it.
 */
static PyObject *present(const char *dot, size_t nodes, size_t lost, PyObject *output,
	const char *filename, double timeout)
{
	char *dot_name = NULL, *image = NULL;
	const char *fmt = filename ? objref_render_format_of(filename) : "png";
	PyObject *r = NULL;
	int rc;

	if (output != Py_None && filename)
		return PyErr_Format(PyExc_ValueError, "Cannot specify both output and filename.");
	if (output != Py_None) {
		PyObject *w = PyObject_CallMethod(output, "write", "s", dot);
		Py_XDECREF(w);
		return w ? Py_NewRef(Py_None) : NULL;
	}
	if (filename && !fmt)
		return PyErr_Format(PyExc_ValueError, "cannot tell the format of '%s': name it .png, "
			".svg, .pdf or .dot", filename);
	if (lost && say("objref: %zu object%s left out: a picture shows at most %zu nodes "
			"(lower max_depth or too_many, or raise max_nodes)\n", lost,
			lost == 1 ? " was" : "s were", nodes) < 0)
		return NULL;
	if (filename && !strcmp(fmt, "dot")) {
		if (objref_py_render(dot, filename, timeout) < 0)
			return NULL;
		if (say("Graph written to %s (%zu nodes)\n", filename, nodes) < 0)
			return NULL;
		Py_RETURN_NONE;
	}
	if (!(dot_name = temp_name(".dot")))
		goto cleanup;
	if (objref_py_render(dot, dot_name, timeout) < 0 ||
	    say("Graph written to %s (%zu nodes)\n", dot_name, nodes) < 0)
		goto cleanup;
	if (!filename && !(image = temp_name(".png")))
		goto cleanup;
	if (nodes > OBJREF_RENDER_MAX_NODES) {
		rc = say("Image not generated: %zu nodes are more than a picture can show (%d); "
			"the DOT is in %s\n", nodes, OBJREF_RENDER_MAX_NODES, dot_name);
	} else if (objref_py_render(dot, filename ? filename : image, timeout) < 0) {
		objref__pyerr e;
		PyObject *msg;
		const char *text;
		objref__pyerr_fetch_normalized(&e);
		msg = objref__pyerr_value(&e) ? PyObject_Str(objref__pyerr_value(&e)) : NULL;
		text = msg ? PyUnicode_AsUTF8(msg) : NULL;
		PyErr_Clear();
		rc = say("Image not generated: %s; the DOT is in %s\n", text ? text : "Graphviz failed",
			dot_name);
		Py_XDECREF(msg);
		objref__pyerr_clear(&e);
	} else {
		rc = say("Image generated as %s\n", filename ? filename : image);
	}
	if (rc >= 0)
		r = Py_NewRef(Py_None);
cleanup:
	PyMem_Free(dot_name);
	PyMem_Free(image);
	return r;
}

/* ---- the caller's callables ------------------------------------------------- */

typedef struct {
	objref_py_pinned *p;
	PyObject *filter;
	int failed;
} bridge;

/* filter(obj) for the walk; an exception stops it. */
static int call_filter(const objref_snapshot *snap, objref_id id, void *arg)
{
	bridge *b = arg;
	PyObject *r;
	int yes;

	(void)snap;
	r = PyObject_CallFunctionObjArgs(b->filter, (PyObject *)b->p->objs[id], NULL);
	yes = r ? PyObject_IsTrue(r) : -1;
	Py_XDECREF(r);
	if (yes < 0)
		b->failed = 1;
	return yes;
}

/* highlight(obj) and extra_info(obj) on every object node. */
static int decorate(objref_view *v, objref_py_pinned *p, PyObject *highlight, PyObject *extra_info)
{
	size_t n;
	const objref_view_node *nodes = objref_view_nodes(v, &n);

	for (size_t i = 0; i < n; i++) {
		PyObject *obj = p->objs[nodes[i].id], *r;
		int yes;

		if (nodes[i].kind != OBJREF_VN_OBJECT)
			continue;
		if (highlight != Py_None) {
			r = PyObject_CallFunctionObjArgs(highlight, obj, NULL);
			yes = r ? PyObject_IsTrue(r) : -1;
			Py_XDECREF(r);
			if (yes < 0)
				return -1;
			if (yes)
				objref_view_node_flag(v, (uint32_t)i, OBJREF_VN_HIGHLIGHT);
		}
		if (extra_info != Py_None) {
			const char *s;
			r = PyObject_CallFunctionObjArgs(extra_info, obj, NULL);
			if (r && r != Py_None) {
				PyObject *str = PyObject_Str(r);
				Py_SETREF(r, str);
			}
			if (!r)
				return -1;
			s = r != Py_None ? PyUnicode_AsUTF8(r) : NULL;
			if (r != Py_None && !s) {
				Py_DECREF(r);
				return -1;
			}
			if (s && *s && objref_view_node_extra(v, (uint32_t)i, s) < 0) {
				Py_DECREF(r);
				return objref_py_error(OBJREF_ENOMEM), -1;
			}
			Py_DECREF(r);
		}
	}
	return 0;
}

/* Name the inline attributes (3.11+) of the view's edges between objects:
 * the edges handed to capture's one naming entry point.  Without memory
 * they stay ".?". */
static void name_edges(objref_view *v, objref_py_pinned *p)
{
	size_t ne, nn;
	objref_view_edge *e = (objref_view_edge *)objref_view_edges(v, &ne);
	const objref_view_node *nodes = objref_view_nodes(v, &nn);
	objref_ref *refs = ne ? PyMem_Calloc(ne, sizeof(*refs)) : NULL;

	if (!refs)
		return;
	for (size_t i = 0; i < ne; i++) {
		int objects = nodes[e[i].from].kind == OBJREF_VN_OBJECT &&
			nodes[e[i].to].kind == OBJREF_VN_OBJECT;
		refs[i] = (objref_ref){ nodes[e[i].from].id, nodes[e[i].to].id,
			objects ? e[i].label : OBJREF_LABEL(OBJREF_LABEL_NONE, 0) };
	}
	if (objref_capture_name_refs(refs, ne, p->snap, p->objs, p->n) == 0)
		for (size_t i = 0; i < ne; i++)
			if (refs[i].label != OBJREF_LABEL(OBJREF_LABEL_NONE, 0))
				e[i].label = refs[i].label;
	PyMem_Free(refs);
}

/* ---- show_backrefs / show_refs ---------------------------------------------- */

typedef struct {
	PyObject *objs, *extra_ignore, *filter, *highlight, *extra_info, *output, *extra_node_attrs;
	Py_ssize_t max_depth, too_many, max_nodes;
	const char *filename;
	int refcounts, shortnames;
	double timeout;
} graph_args;

/* The DOT of a finished view, then present it. */
static PyObject *finish(objref_view *v, objref_py_pinned *p, const graph_args *a)
{
	objref_dot_options o = { .longnames = !a->shortnames, .refcounts = a->refcounts, .title = NULL };
	objref_buf dot = { 0 };
	size_t n;
	PyObject *r = NULL;
	int err;

	if (decorate(v, p, a->highlight, a->extra_info) < 0)
		return NULL;
	name_edges(v, p);
	if ((err = objref_view_dot(&dot, v, &o)) < 0)
		return objref_py_error(err);
	objref_view_nodes(v, &n);
	r = present(dot.data, n, objref_view_truncated(v), a->output, a->filename, a->timeout);
	objref_buf_dispose(&dot);
	return r;
}

/* The ids of objs (an object or a list/tuple of them) in *ids. */
static int start_ids(objref_py_pinned *p, PyObject *objs, objref_id **ids, size_t *n)
{
	PyObject *seq = PyList_Check(objs) || PyTuple_Check(objs) ? Py_NewRef(objs)
		: PyTuple_Pack(1, objs);
	Py_ssize_t len = seq ? PySequence_Fast_GET_SIZE(seq) : 0;

	*n = 0;
	if (!seq || !(*ids = PyMem_Calloc((size_t)len + 1, sizeof(objref_id)))) {
		Py_XDECREF(seq);
		return seq ? (PyErr_NoMemory(), -1) : -1;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		objref_id id = objref_py_id_of(p, PySequence_Fast_GET_ITEM(seq, i));
		if (id != OBJREF_NO_ID)
			(*ids)[(*n)++] = id;
	}
	Py_DECREF(seq);
	if (!*n && len) {
		PyErr_SetString(PyExc_LookupError, "none of the objects is in the heap snapshot "
			"(an object held only by the caller's running frame on 3.11+ is not an object "
			"of the heap: store it in a list first)");
		return -1;
	}
	return 0;
}

/* The ids to leave out: extra_ignore, and what this call itself holds (its
 * argument tuple and dict, the objs list). */
static int ignored(objref_py_pinned *p, const graph_args *a, PyObject *args, PyObject *kw,
	objref_id **ids, size_t *n)
{
	size_t k = 0;

	*ids = NULL;
	if (a->extra_ignore != Py_None && objref_py_ignore_ids(p, a->extra_ignore, ids, &k) < 0)
		return -1;
	if (!(*ids = PyMem_Realloc(*ids, (k + 3) * sizeof(objref_id)))) {
		PyErr_NoMemory();
		return -1;
	}
	(*ids)[k++] = objref_py_id_of(p, args);
	(*ids)[k++] = kw ? objref_py_id_of(p, kw) : OBJREF_NO_ID;
	(*ids)[k++] = PyList_Check(a->objs) || PyTuple_Check(a->objs) ? objref_py_id_of(p, a->objs)
		: OBJREF_NO_ID;
	*n = k;
	return 0;
}

static int parse_graph_args(graph_args *a, PyObject *args, PyObject *kw, const char *fmt)
{
	static char *kwlist[] = { "objs", "max_depth", "extra_ignore", "filter", "too_many",
		"highlight", "filename", "extra_info", "refcounts", "shortnames", "output",
		"extra_node_attrs", "max_nodes", "timeout", NULL };

	memset(a, 0, sizeof(*a));
	a->max_depth = 3;
	a->too_many = 10;
	a->max_nodes = OBJREF_VIEW_MAX_NODES;
	a->extra_ignore = a->filter = a->highlight = a->extra_info = a->output =
		a->extra_node_attrs = Py_None;
	a->shortnames = 1;
	a->timeout = DEFAULT_TIMEOUT;
	if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, &a->objs, &a->max_depth,
			&a->extra_ignore, &a->filter, &a->too_many, &a->highlight, &a->filename,
			&a->extra_info, &a->refcounts, &a->shortnames, &a->output,
			&a->extra_node_attrs, &a->max_nodes, &a->timeout))
		return -1;
	if (a->max_depth < 0 || a->too_many < 0 || a->max_nodes < 1) {
		PyErr_SetString(PyExc_ValueError, "max_depth and too_many must be >= 0, max_nodes >= 1");
		return -1;
	}
	if (a->extra_node_attrs != Py_None) {
		PyErr_SetString(PyExc_NotImplementedError, "objref does not support extra_node_attrs");
		return -1;
	}
	return 0;
}

/* Are all of objs (an object or a list/tuple of them) tracked?  Then
 * their referrers are too (a container holding a tracked object is
 * tracked), and a backward walk needs no untracked objects: a snapshot of
 * the tracked ones is twice as fast. */
static int all_tracked(PyObject *objs)
{
	if (!PyList_Check(objs) && !PyTuple_Check(objs))
		return objref_capture_is_tracked(objs);
	for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(objs); i++)
		if (!objref_capture_is_tracked(PySequence_Fast_GET_ITEM(objs, i)))
			return 0;
	return 1;
}

static PyObject *show_graph(PyObject *args, PyObject *kw, int forward)
{
	graph_args a;
	objref_py_pinned p;
	objref_view *v = NULL;
	objref_view_walk_options o;
	objref_id *starts = NULL, *ign = NULL;
	size_t nstarts = 0, nign = 0;
	bridge b;
	PyObject *r = NULL;
	int err;

	if (parse_graph_args(&a, args, kw, forward ? "O|nOOnOzOppOOnd:show_refs"
						   : "O|nOOnOzOppOOnd:show_backrefs") < 0)
		return NULL;
	if (objref_py_pin(&p, forward || !all_tracked(a.objs)) < 0)
		return NULL;
	b = (bridge){ &p, a.filter, 0 };
	if (start_ids(&p, a.objs, &starts, &nstarts) < 0 || ignored(&p, &a, args, kw, &ign, &nign) < 0)
		goto cleanup;
	objref_view_walk_options_init(&o);
	o.max_depth = (size_t)a.max_depth;
	o.too_many = (size_t)a.too_many;
	o.ignore = ign;
	o.nignore = nign;
	o.filter = a.filter != Py_None ? call_filter : NULL;
	o.filter_arg = &b;
	o.forward = forward;
	if ((err = objref_view_new(&v, p.snap, (size_t)a.max_nodes)) < 0 ||
	    ((err = objref_view_walk(v, objref_paths_revindex(p.paths), starts, nstarts, &o)) < 0 &&
	     err != OBJREF_ENOTFOUND)) {
		if (!b.failed)
			objref_py_error(err);
		goto cleanup;
	}
	r = finish(v, &p, &a);
cleanup:
	objref_view_free(v);
	PyMem_Free(starts);
	PyMem_Free(ign);
	objref_py_unpin(&p);
	return r;
}

static PyObject *py_show_backrefs(PyObject *m, PyObject *args, PyObject *kw)
{
	(void)m;
	return show_graph(args, kw, 0);
}

static PyObject *py_show_refs(PyObject *m, PyObject *args, PyObject *kw)
{
	(void)m;
	return show_graph(args, kw, 1);
}

/* ---- show_chain ------------------------------------------------------------ */

/* The label of the first reference src -> dst in the snapshot, or none. */
static objref_label label_between(const objref_snapshot *snap, objref_id src, objref_id dst)
{
	const objref_id *t;
	const objref_label *l;
	size_t n;

	if (objref_snapshot_edges(&t, &l, &n, snap, src) == 0)
		for (size_t i = 0; i < n; i++)
			if (t[i] == dst)
				return l[i];
	return OBJREF_LABEL(OBJREF_LABEL_NONE, 0);
}

/* Add one chain (a sequence of objects) to the view. */
static int add_object_chain(objref_view *v, objref_py_pinned *p, PyObject *chain, int backrefs)
{
	PyObject *seq = PySequence_Fast(chain, "show_chain takes chains (lists of objects)");
	Py_ssize_t len = seq ? PySequence_Fast_GET_SIZE(seq) : 0;
	objref_id *ids = seq ? PyMem_Calloc((size_t)len + 1, sizeof(*ids)) : NULL;
	objref_label *labels = seq ? PyMem_Calloc((size_t)len + 1, sizeof(*labels)) : NULL;
	objref_chain c = { ids, labels, 0, (size_t)len, OBJREF_PATH_FOUND, 0 };
	int err = -1;

	if (!seq || !ids || !labels) {
		if (seq)
			PyErr_NoMemory();
		goto cleanup;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		objref_id id = objref_py_id_of(p, PySequence_Fast_GET_ITEM(seq, i));
		if (id == OBJREF_NO_ID)
			continue;
		if (c.n)
			labels[c.n - 1] = label_between(p->snap, ids[c.n - 1], id);
		ids[c.n++] = id;
	}
	err = 0;
	if (!c.n)
		goto cleanup;
	objref_py_name_attributes(p, &c);
	/* forward chains (find_ref_chain) start at the object asked about */
	if ((err = objref_view_add_chain(v, &c, SIZE_MAX)) == 0 && !backrefs)
		err = objref_view_node_flag(v, objref_view_find(v, ids[0]), OBJREF_VN_SAMPLE);
	if (err < 0 && err != OBJREF_ENOTFOUND)
		objref_py_error(err);
	err = err == OBJREF_ENOTFOUND ? 0 : err;
cleanup:
	Py_XDECREF(seq);
	PyMem_Free(ids);
	PyMem_Free(labels);
	return err < 0 ? -1 : 0;
}

static PyObject *py_show_chain(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "backrefs", "highlight", "extra_info", "refcounts", "shortnames",
		"filename", "output", "extra_node_attrs", "max_nodes", "timeout", NULL };
	graph_args a;
	PyObject *empty = PyTuple_New(0), *r = NULL;
	objref_py_pinned p;
	objref_view *v = NULL;
	int backrefs = 1, err;

	(void)m;
	memset(&a, 0, sizeof(a));
	a.highlight = a.extra_info = a.output = a.extra_node_attrs = Py_None;
	a.shortnames = 1;
	a.max_nodes = OBJREF_VIEW_MAX_NODES;
	a.timeout = DEFAULT_TIMEOUT;
	if (!empty || !PyArg_ParseTupleAndKeywords(empty, kw, "|pOOppzOOnd:show_chain", kwlist,
			&backrefs, &a.highlight, &a.extra_info, &a.refcounts, &a.shortnames,
			&a.filename, &a.output, &a.extra_node_attrs, &a.max_nodes, &a.timeout)) {
		Py_XDECREF(empty);
		return NULL;
	}
	Py_DECREF(empty);
	if (a.extra_node_attrs != Py_None)
		return PyErr_Format(PyExc_NotImplementedError, "objref does not support extra_node_attrs");
	if (objref_py_pin(&p, 1) < 0)
		return NULL;
	if ((err = objref_view_new(&v, p.snap, a.max_nodes > 0 ? (size_t)a.max_nodes : 1)) < 0) {
		objref_py_error(err);
		goto cleanup;
	}
	for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(args); i++)
		if (add_object_chain(v, &p, PyTuple_GET_ITEM(args, i), backrefs) < 0)
			goto cleanup;
	r = finish(v, &p, &a);
cleanup:
	objref_view_free(v);
	objref_py_unpin(&p);
	return r;
}

PyMethodDef objref_pictures_methods[] = {
	{ "show_backrefs", FN(py_show_backrefs), KW,
	  "show_backrefs(objs, max_depth=3, extra_ignore=(), filter=None, too_many=10, "
	  "highlight=None, filename=None, extra_info=None, refcounts=False, shortnames=True, "
	  "output=None, extra_node_attrs=None, max_nodes=2000, timeout=60.0)\n\n"
	  "objgraph.show_backrefs: draw what refers to objs, max_depth references back.  "
	  "filename: .dot, .png, .svg or .pdf (drawn in-process by libgvc, in a child process "
	  "killed after timeout seconds); a PNG carries its DOT (objref.extract_dot)." },
	{ "show_refs", FN(py_show_refs), KW,
	  "show_refs(objs, max_depth=3, ...)\n\nobjgraph.show_refs: draw what objs refer to; "
	  "arguments as show_backrefs." },
	{ "show_chain", FN(py_show_chain), KW,
	  "show_chain(*chains, backrefs=True, highlight=None, extra_info=None, refcounts=False, "
	  "shortnames=True, filename=None, output=None)\n\nobjgraph.show_chain: draw chains "
	  "from find_backref_chain (or find_ref_chain with backrefs=False), labelled." },
	{ "render_dot", FN(py_render_dot), KW,
	  "render_dot(dot, filename, timeout=60.0)\n\nDraw DOT text into filename (.png, .svg, "
	  ".pdf or .dot) as objref draws its own pictures." },
	{ "extract_dot", (PyCFunction)py_extract_dot, METH_O,
	  "extract_dot(path) -> str\n\nThe DOT source an objref PNG carries." },
	{ NULL, NULL, 0, NULL }
};

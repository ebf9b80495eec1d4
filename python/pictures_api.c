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
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "module.h"
#include "objref/pictures_report.h"
#include "objref/proc.h"
#include "objref/render.h"

#define DEFAULT_TIMEOUT OBJREF_PY_RENDER_TIMEOUT

/* ---- writing pictures ------------------------------------------------------ */

/* The PNG text chunks of this process's pictures: its command line and the
 * Python version. */
typedef struct {
	char command[2048], python[64];
	objref_png_text texts[2];
} png_texts;

/* Render options: isolated, killed after timeout seconds, with the PNG
 * texts t.  0, or -1 with a ValueError (timeout out of range). */
static int render_options(objref_render_options *o, png_texts *t, double timeout)
{
	const char *version = Py_GetVersion();

	if (timeout <= 0 || timeout > 86400) {
		PyErr_SetString(PyExc_ValueError, "timeout must be between 0 and 86400 seconds");
		return -1;
	}
	objref_command_line(t->command, sizeof(t->command));
	snprintf(t->python, sizeof(t->python), "%.*s", (int)strcspn(version, " "), version);
	t->texts[0] = (objref_png_text){ "Command", t->command };
	t->texts[1] = (objref_png_text){ "Python", t->python };
	*o = (objref_render_options)OBJREF_RENDER_OPTIONS_INIT;
	o->isolate = 1;
	o->timeout_ms = (unsigned)(timeout * 1000);
	o->texts = t->texts;
	o->ntexts = 2;
	return 0;
}

/* A failed render as an exception: OSError for a file, else by code. */
static void render_error(int err)
{
	if (err == OBJREF_EIO)
		PyErr_SetString(PyExc_OSError, objref_error_last());
	else
		objref_py_error(err);
}

/* Render dot into path (format from its extension), isolated, the GIL
 * released.  0, or -1 with an exception (OSError, ValueError, RuntimeError). */
int objref_py_render(const char *dot, const char *path, double timeout)
{
	objref_render_options o;
	png_texts t;
	int err;

	if (render_options(&o, &t, timeout) < 0)
		return -1;
	Py_BEGIN_ALLOW_THREADS
	err = objref_render_file(path, dot, &o);
	Py_END_ALLOW_THREADS
	return err < 0 ? (render_error(err), -1) : 0;
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

/* The directory of temporary files, as objgraph's tempfile.mkstemp picks
 * it: tempfile.gettempdir() (tempfile.tempdir when set) when the program
 * imported tempfile, else $TMPDIR or /tmp.  A new reference to a str, or
 * NULL with an exception. */
static PyObject *temp_dir(void)
{
	PyObject *modules = PySys_GetObject("modules"), *tf, *r;
	const char *env = getenv("TMPDIR");

	tf = modules && PyDict_Check(modules) ? PyDict_GetItemString(modules, "tempfile") : NULL;
	if (tf && (r = PyObject_CallMethod(tf, "gettempdir", NULL)) != NULL) {
		if (PyUnicode_Check(r))
			return r;
		Py_DECREF(r);
		return PyErr_Format(PyExc_TypeError, "tempfile.gettempdir() returned a non-str");
	}
	if (PyErr_Occurred())
		return NULL;
	return PyUnicode_FromString(env && *env ? env : "/tmp");
}

/* A new temporary file name with the suffix; NULL with an exception. */
static char *temp_name(const char *suffix)
{
	PyObject *dir = temp_dir(), *fs = NULL;
	char *name = dir ? PyMem_Malloc(4096) : NULL;
	int fd;

	if (!name || !PyUnicode_FSConverter(dir, &fs)) {
		Py_XDECREF(dir);
		PyMem_Free(name);
		return dir && !PyErr_Occurred() ? (char *)PyErr_NoMemory() : NULL;
	}
	snprintf(name, 4096, "%s/objref-XXXXXX%s", PyBytes_AS_STRING(fs), suffix);
	Py_DECREF(fs);
	Py_DECREF(dir);
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
 * otherwise as objref_picture_present decides (to `filename` as DOT or an
 * image, the DOT kept in a temporary file; with neither, DOT and PNG in
 * temporary files), printing what it says, as objgraph prints it.
 */
static PyObject *present(const char *dot, size_t objects, size_t nodes, size_t lost, PyObject *output,
	const char *filename, double timeout)
{
	objref_present_options po = OBJREF_PRESENT_OPTIONS_INIT;
	const char *fmt = filename ? objref_render_format_of(filename) : "png";
	char *dot_name = NULL, *image = NULL;
	objref_buf msg = OBJREF_BUF_INIT;
	PyObject *r = NULL;
	png_texts t;
	int err;

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
	if (render_options(&po.render, &t, timeout) < 0 ||
	    ((!filename || strcmp(fmt, "dot")) && !(dot_name = temp_name(".dot"))) ||
	    (!filename && !(image = temp_name(".png"))))
		goto cleanup;
	po.filename = filename;
	po.dot_temp = dot_name;
	po.image_temp = image;
	po.objects = objects;
	po.nodes = nodes;
	po.lost = lost;
	Py_BEGIN_ALLOW_THREADS
	err = objref_picture_present(&msg, dot, &po);
	Py_END_ALLOW_THREADS
	if (msg.data && objref_py_write(NULL, msg.data) < 0)
		goto cleanup;
	if (err < 0)
		render_error(err);
	else
		r = Py_NewRef(Py_None);
cleanup:
	if (!r && image)
		unlink(image);
	objref_buf_dispose(&msg);
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
	size_t max_depth, too_many;
	Py_ssize_t max_nodes;
	const char *filename;
	int refcounts, shortnames;
	double timeout;
} graph_args;

/* Append one node's extra_node_attrs(obj) (a mapping; None values left
 * out, as objgraph does) to *attrs; the strs stay alive in keep. */
static int node_attrs(objref_dot_attr **attrs, size_t *n, size_t *cap, PyObject *keep, uint32_t node,
	PyObject *fn, PyObject *obj)
{
	PyObject *r = PyObject_CallFunctionObjArgs(fn, obj, NULL), *items = NULL;
	int rc = -1;

	if (!r)
		return -1;
	if (r == Py_None) {
		rc = 0;
		goto cleanup;
	}
	if (!(items = PyMapping_Items(r)) || PyList_Sort(items) < 0)
		goto cleanup;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
		PyObject *kv = PyList_GET_ITEM(items, i), *k, *v;
		if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2)
			goto cleanup;
		if (PyTuple_GET_ITEM(kv, 1) == Py_None)
			continue;
		if (!(k = PyObject_Str(PyTuple_GET_ITEM(kv, 0))) || PyList_Append(keep, k) < 0) {
			Py_XDECREF(k);
			goto cleanup;
		}
		Py_DECREF(k);
		if (!(v = PyObject_Str(PyTuple_GET_ITEM(kv, 1))) || PyList_Append(keep, v) < 0) {
			Py_XDECREF(v);
			goto cleanup;
		}
		Py_DECREF(v);
		if (*n == *cap) {
			objref_dot_attr *more = PyMem_Realloc(*attrs, (*cap * 2 + 8) * sizeof(**attrs));
			if (!more) {
				PyErr_NoMemory();
				goto cleanup;
			}
			*attrs = more;
			*cap = *cap * 2 + 8;
		}
		(*attrs)[*n] = (objref_dot_attr){ node, PyUnicode_AsUTF8(k), PyUnicode_AsUTF8(v) };
		if (!(*attrs)[*n].key || !(*attrs)[*n].value)
			goto cleanup;
		(*n)++;
	}
	rc = 0;
cleanup:
	Py_XDECREF(items);
	Py_DECREF(r);
	return rc;
}

/* The DOT of a finished view, then present it. */
static PyObject *finish(objref_view *v, objref_py_pinned *p, const graph_args *a)
{
	objref_dot_options o = OBJREF_DOT_OPTIONS_INIT;
	objref_buf dot = OBJREF_BUF_INIT;
	objref_dot_attr *attrs = NULL;
	size_t n, nattrs = 0, cap = 0;
	const objref_view_node *nodes;
	PyObject *r = NULL, *keep = PyList_New(0);
	int err;

	if (!keep || decorate(v, p, a->highlight, a->extra_info) < 0)
		goto cleanup;
	name_edges(v, p);
	nodes = objref_view_nodes(v, &n);
	for (size_t i = 0; a->extra_node_attrs != Py_None && i < n; i++)
		if (nodes[i].kind == OBJREF_VN_OBJECT &&
		    node_attrs(&attrs, &nattrs, &cap, keep, (uint32_t)i, a->extra_node_attrs,
			    p->objs[nodes[i].id]) < 0)
			goto cleanup;
	o.longnames = !a->shortnames;
	o.refcounts = a->refcounts;
	o.node_attrs = attrs;
	o.nnode_attrs = nattrs;
	if ((err = objref_view_dot(&dot, v, &o)) < 0) {
		if (err == OBJREF_EINVAL)
			PyErr_Format(PyExc_ValueError, "extra_node_attrs: %s", objref_error_last());
		else
			objref_py_error(err);
		goto cleanup;
	}
	r = present(dot.data, objref_view_object_count(v), n, objref_view_truncated(v), a->output,
		a->filename, a->timeout);
cleanup:
	objref_buf_dispose(&dot);
	PyMem_Free(attrs);
	Py_XDECREF(keep);
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

/* O& converter: objgraph's max_depth and too_many, compared with `>=` to
 * counts, so an int or a float (2.5 acts as 3, inf as no limit) >= 0. */
static int count_arg(PyObject *o, void *out)
{
	size_t *n = out;
	double d;

	if (PyLong_Check(o)) {
		Py_ssize_t v = PyLong_AsSsize_t(o);
		if (v == -1 && PyErr_Occurred()) {
			int neg;
			if (!PyErr_ExceptionMatches(PyExc_OverflowError))
				return 0;
			PyErr_Clear();
			if ((neg = PyObject_RichCompareBool(o, Py_False, Py_LT)) < 0)
				return 0;
			v = neg ? -1 : PY_SSIZE_T_MAX;
		}
		d = (double)v;
		if (v >= 0) {
			*n = (size_t)v;
			return 1;
		}
	} else if (PyFloat_Check(o)) {
		d = PyFloat_AS_DOUBLE(o);
	} else {
		PyErr_Format(PyExc_TypeError, "max_depth and too_many take an int or a float, not %.100s",
			Py_TYPE(o)->tp_name);
		return 0;
	}
	if (!(d >= 0)) {
		PyErr_SetString(PyExc_ValueError, "max_depth and too_many must be >= 0, max_nodes >= 1");
		return 0;
	}
	*n = d >= 1e18 ? SIZE_MAX : (size_t)ceil(d);
	return 1;
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
	if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, &a->objs, count_arg, &a->max_depth,
			&a->extra_ignore, &a->filter, count_arg, &a->too_many, &a->highlight, &a->filename,
			&a->extra_info, &a->refcounts, &a->shortnames, &a->output,
			&a->extra_node_attrs, &a->max_nodes, &a->timeout))
		return -1;
	if (a->max_nodes < 1) {
		PyErr_SetString(PyExc_ValueError, "max_depth and too_many must be >= 0, max_nodes >= 1");
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

	if (parse_graph_args(&a, args, kw, forward ? "O|O&OOO&OzOppOOnd:show_refs"
						   : "O|O&OOO&OzOppOOnd:show_backrefs") < 0)
		return NULL;
	if (objref_py_pin(&p, forward || !all_tracked(a.objs) ? OBJREF_CAPTURE_UNTRACKED : 0) < 0)
		return NULL;
	b = (bridge){ &p, a.filter, 0 };
	if (start_ids(&p, a.objs, &starts, &nstarts) < 0 || ignored(&p, &a, args, kw, &ign, &nign) < 0)
		goto cleanup;
	objref_view_walk_options_init(&o);
	o.max_depth = a.max_depth;
	o.too_many = a.too_many;
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

/* One chain (a sequence of objects) as an objref_chain of the snapshot's
 * ids (objects missing from it left out), its inline attributes named.
 * The arrays are PyMem: free with chain_free.  0, or -1 with an exception. */
static int chain_of(objref_chain *c, objref_py_pinned *p, PyObject *chain)
{
	PyObject *seq = PySequence_Fast(chain, "show_chain takes chains (lists of objects)");
	Py_ssize_t len = seq ? PySequence_Fast_GET_SIZE(seq) : 0;

	memset(c, 0, sizeof(*c));
	c->status = OBJREF_PATH_FOUND;
	if (!seq)
		return -1;
	c->ids = PyMem_Calloc((size_t)len + 1, sizeof(*c->ids));
	c->labels = PyMem_Calloc((size_t)len + 1, sizeof(*c->labels));
	if (!c->ids || !c->labels) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	c->cap = (size_t)len;
	for (Py_ssize_t i = 0; i < len; i++) {
		objref_id id = objref_py_id_of(p, PySequence_Fast_GET_ITEM(seq, i));
		if (id == OBJREF_NO_ID)
			continue;
		if (c->n)
			c->labels[c->n - 1] = label_between(p->snap, c->ids[c->n - 1], id);
		c->ids[c->n++] = id;
	}
	Py_DECREF(seq);
	objref_py_name_attributes(p, c);
	return 0;
}

static void chains_free(objref_chain *chains, Py_ssize_t n)
{
	for (Py_ssize_t i = 0; chains && i < n; i++) {
		PyMem_Free(chains[i].ids);
		PyMem_Free(chains[i].labels);
	}
	PyMem_Free(chains);
}

static int parse_chain_args(graph_args *a, int *backrefs, PyObject *kw)
{
	static char *kwlist[] = { "backrefs", "highlight", "extra_info", "refcounts", "shortnames",
		"filename", "output", "extra_node_attrs", "too_many", "extra_ignore", "max_nodes",
		"timeout", NULL };
	PyObject *empty = PyTuple_New(0);
	int ok;

	memset(a, 0, sizeof(*a));
	a->highlight = a->extra_info = a->output = a->extra_node_attrs = a->extra_ignore = Py_None;
	a->shortnames = 1;
	a->too_many = 10;
	a->max_nodes = OBJREF_VIEW_MAX_NODES;
	a->timeout = DEFAULT_TIMEOUT;
	ok = empty && PyArg_ParseTupleAndKeywords(empty, kw, "|pOOppzOOO&Ond:show_chain", kwlist,
		backrefs, &a->highlight, &a->extra_info, &a->refcounts, &a->shortnames, &a->filename,
		&a->output, &a->extra_node_attrs, count_arg, &a->too_many, &a->extra_ignore,
		&a->max_nodes, &a->timeout);
	Py_XDECREF(empty);
	if (ok && a->max_nodes < 1) {
		PyErr_SetString(PyExc_ValueError, "max_nodes must be >= 1");
		ok = 0;
	}
	return ok ? 0 : -1;
}

/* objgraph.show_chain(*chains, **kw): kw as show_backrefs' (show_refs'
 * with backrefs=False) but max_depth and filter, which show_chain sets. */
static PyObject *py_show_chain(PyObject *m, PyObject *args, PyObject *kw)
{
	objref_chain_view_options co = OBJREF_CHAIN_VIEW_OPTIONS_INIT;
	Py_ssize_t n = PyTuple_GET_SIZE(args);
	objref_chain *chains = NULL;
	objref_id *ign = NULL;
	size_t nign = 0;
	graph_args a;
	objref_py_pinned p;
	objref_view *v = NULL;
	PyObject *r = NULL;
	int backrefs = 1, err;

	(void)m;
	if (parse_chain_args(&a, &backrefs, kw) < 0 || objref_py_pin(&p, OBJREF_CAPTURE_UNTRACKED) < 0)
		return NULL;
	if (!(chains = PyMem_Calloc((size_t)n + 1, sizeof(*chains)))) {
		PyErr_NoMemory();
		goto cleanup;
	}
	for (Py_ssize_t i = 0; i < n; i++)
		if (chain_of(&chains[i], &p, PyTuple_GET_ITEM(args, i)) < 0)
			goto cleanup;
	if (a.extra_ignore != Py_None && objref_py_ignore_ids(&p, a.extra_ignore, &ign, &nign) < 0)
		goto cleanup;
	co.backrefs = backrefs;
	co.too_many = a.too_many;
	co.ignore = ign;
	co.nignore = nign;
	if ((err = objref_view_new(&v, p.snap, (size_t)a.max_nodes)) < 0 ||
	    ((err = objref_view_add_chains(v, chains, (size_t)n, &co)) < 0 && err != OBJREF_ENOTFOUND)) {
		objref_py_error(err);
		goto cleanup;
	}
	r = finish(v, &p, &a);
cleanup:
	objref_view_free(v);
	chains_free(chains, n);
	PyMem_Free(ign);
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
	  "shortnames=True, filename=None, output=None, extra_node_attrs=None, too_many=10, "
	  "extra_ignore=(), max_nodes=2000, timeout=60.0)\n\nobjgraph.show_chain: draw chains "
	  "from find_backref_chain (or find_ref_chain with backrefs=False), labelled, as far as "
	  "objgraph's walk from their ends reaches them (too_many, extra_ignore)." },
	{ "render_dot", FN(py_render_dot), KW,
	  "render_dot(dot, filename, timeout=60.0)\n\nDraw DOT text into filename (.png, .svg, "
	  ".pdf or .dot) as objref draws its own pictures." },
	{ "extract_dot", (PyCFunction)py_extract_dot, METH_O,
	  "extract_dot(path) -> str\n\nThe DOT source an objref PNG carries." },
	{ NULL, NULL, 0, NULL }
};

/*
 * python/snapshot_type.c — objref.Snapshot: a captured heap, for
 * inspection from Python (and for testing what capture records).
 */
#include <string.h>
#include "module.h"

typedef struct {
	PyObject_HEAD
	objref_snapshot *snap;
} snapshot_object;

PyObject *objref_py_snapshot_wrap(PyObject *type, objref_snapshot *snap)
{
	snapshot_object *self = PyObject_New(snapshot_object, (PyTypeObject *)type);

	if (!self) {
		objref_snapshot_free(snap);
		return NULL;
	}
	self->snap = snap;
	return (PyObject *)self;
}

objref_snapshot *objref_py_snapshot_get(PyObject *module, PyObject *obj)
{
	PyObject *type = objref_py_state(module)->snapshot_type;

	if (!PyObject_TypeCheck(obj, (PyTypeObject *)type))
		return NULL;
	return ((snapshot_object *)obj)->snap;
}

static void snapshot_dealloc(PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);

	objref_snapshot_free(((snapshot_object *)op)->snap);
	PyObject_Free(op);
	Py_DECREF(tp);
}

static objref_snapshot *snap_of(PyObject *self)
{
	return ((snapshot_object *)self)->snap;
}

static Py_ssize_t snapshot_len(PyObject *self)
{
	return (Py_ssize_t)objref_snapshot_nobjects(snap_of(self));
}

/* The id of an object given as an int address, or OBJREF_NO_ID. */
static objref_id id_of(PyObject *self, PyObject *addr)
{
	void *p = PyLong_AsVoidPtr(addr);

	if (!p && PyErr_Occurred())
		return OBJREF_NO_ID;
	return objref_snapshot_find(snap_of(self), (uint64_t)(uintptr_t)p);
}

static PyObject *type_name(objref_snapshot *s, const objref_object *o)
{
	const objref_type *t = objref_snapshot_type(s, o->type);
	return PyUnicode_FromString(objref_snapshot_string(s, t->name));
}

static PyObject *snapshot_stats(PyObject *self, PyObject *unused)
{
	objref_snapshot_stats st;

	(void)unused;
	objref_snapshot_stats_get(&st, snap_of(self));
	return Py_BuildValue("{snsnsnsnsnsnsnsnsnsK}", "objects", (Py_ssize_t)st.nobjects,
		"edges", (Py_ssize_t)st.nedges, "types", (Py_ssize_t)st.ntypes,
		"strings", (Py_ssize_t)st.nstrings, "roots", (Py_ssize_t)st.nroots,
		"tracked", (Py_ssize_t)st.tracked, "bytes_objects", (Py_ssize_t)st.bytes_objects,
		"bytes_edges", (Py_ssize_t)st.bytes_edges, "bytes_strings", (Py_ssize_t)st.bytes_strings,
		"heap_bytes", (unsigned long long)st.heap_bytes);
}

static PyObject *snapshot_object_info(PyObject *self, PyObject *addr)
{
	objref_snapshot *s = snap_of(self);
	objref_id id = id_of(self, addr);
	const objref_object *o;

	if (id == OBJREF_NO_ID)
		return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
	o = objref_snapshot_object(s, id);
	return Py_BuildValue("{sKsNsKsIsIss}", "addr", (unsigned long long)o->addr,
		"type", type_name(s, o), "size", (unsigned long long)o->size, "refcnt", o->refcnt,
		"flags", o->flags, "desc", objref_snapshot_string(s, o->desc));
}

static PyObject *snapshot_referents(PyObject *self, PyObject *addr)
{
	objref_snapshot *s = snap_of(self);
	objref_id id = id_of(self, addr);
	const objref_id *dst;
	const objref_label *lab;
	PyObject *list;
	size_t n;
	char text[600];

	if (id == OBJREF_NO_ID)
		return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_LookupError, "no object at that address");
	objref_snapshot_edges(&dst, &lab, &n, s, id);
	if (!(list = PyList_New((Py_ssize_t)n)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const objref_object *t = objref_snapshot_object(s, dst[i]);
		objref_label_format(text, sizeof(text), s, lab[i]);
		PyObject *item = Py_BuildValue("(sKN)", text, (unsigned long long)t->addr, type_name(s, t));
		if (!item) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, item);
	}
	return list;
}

static PyObject *snapshot_census(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "shortnames", "tracked_only", NULL };
	int shortnames = 1, tracked_only = 0, err;
	objref_census *c;
	PyObject *dict;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pp:census", kwlist, &shortnames, &tracked_only))
		return NULL;
	if ((err = objref_census_from_snapshot(&c, snap_of(self),
			(shortnames ? 0 : OBJREF_CENSUS_LONGNAMES) |
			(tracked_only ? OBJREF_CENSUS_TRACKED_ONLY : 0))) < 0)
		return objref_py_error(err);
	dict = PyDict_New();
	for (size_t i = 0; dict && i < objref_census_len(c); i++) {
		const objref_census_row *r = &objref_census_rows(c)[i];
		PyObject *v = Py_BuildValue("(KK)", (unsigned long long)r->count, (unsigned long long)r->bytes);
		if (!v || PyDict_SetItemString(dict, r->name, v) < 0)
			Py_CLEAR(dict);
		Py_XDECREF(v);
	}
	objref_census_free(c);
	return dict;
}

/*
 * A root record: a struct sequence that unpacks as (kind, name, addr), as
 * roots() always returned, and names the rest: extra, and for frame roots
 * thread, function, file, line, depth.
 */
static PyStructSequence_Field root_fields[] = {
	{ "kind", "ROOT_MODULE, ROOT_FRAME, ROOT_HELD_FROM_C, ROOT_IMMORTAL, ROOT_FROZEN or ROOT_GC_GARBAGE" },
	{ "name", "module name, variable name, 'gc.garbage', or ''" },
	{ "addr", "id() of the object" },
	{ "extra", "held from C: the unexplained references; gc.garbage: the index" },
	{ "thread", "frame: threading.get_ident() of its thread" },
	{ "function", "frame: qualified name of its code" },
	{ "file", "frame: co_filename of its code" },
	{ "line", "frame: the line it is executing" },
	{ "depth", "frame: 0 for the thread's innermost frame, 1 for its caller ..." },
	{ NULL, NULL }
};

static PyStructSequence_Desc root_desc = {
	"objref.Root", "A root record of a snapshot: (kind, name, addr), more by name.", root_fields, 3
};

static PyObject *root_record(PyObject *rtype, objref_snapshot *s, const objref_root *r)
{
	PyObject *t = PyStructSequence_New((PyTypeObject *)rtype), *v[9];
	int n = 0;

	if (!t)
		return NULL;
	v[n++] = PyLong_FromLong((long)r->kind);
	v[n++] = PyUnicode_FromString(objref_snapshot_string(s, r->name));
	v[n++] = PyLong_FromUnsignedLongLong((unsigned long long)objref_snapshot_object(s, r->object)->addr);
	v[n++] = PyLong_FromUnsignedLong(r->extra);
	v[n++] = PyLong_FromUnsignedLongLong((unsigned long long)r->thread);
	v[n++] = PyUnicode_FromString(objref_snapshot_string(s, r->function));
	v[n++] = PyUnicode_FromString(objref_snapshot_string(s, r->file));
	v[n++] = PyLong_FromUnsignedLong(r->line);
	v[n++] = PyLong_FromUnsignedLong(r->depth);
	for (int i = 0; i < n; i++) {
		if (!v[i]) {
			for (int j = i; j < n; j++)
				Py_XDECREF(v[j]);
			Py_DECREF(t);
			return NULL;
		}
		PyStructSequence_SET_ITEM(t, i, v[i]);
	}
	return t;
}

static PyObject *snapshot_roots(PyObject *self, PyObject *unused)
{
	objref_snapshot *s = snap_of(self);
	size_t n;
	const objref_root *r = objref_snapshot_roots(s, &n);
	PyObject *rtype = PyObject_GetAttrString((PyObject *)Py_TYPE(self), "Root"), *list;

	(void)unused;
	if (!rtype)
		return NULL;
	if (!PyType_Check(rtype)) {
		Py_DECREF(rtype);
		return PyErr_Format(PyExc_TypeError, "Snapshot.Root is not the root record type");
	}
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *t = root_record(rtype, s, &r[i]);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	Py_DECREF(rtype);
	return list;
}

static PyObject *snapshot_validate(PyObject *self, PyObject *unused)
{
	int err = objref_snapshot_validate(snap_of(self));

	(void)unused;
	if (err < 0)
		return objref_py_error(err);
	Py_RETURN_TRUE;
}

static PyMethodDef snapshot_methods[] = {
	{ "stats", snapshot_stats, METH_NOARGS, "Counts and memory of the snapshot." },
	{ "object", snapshot_object_info, METH_O, "object(addr): what the snapshot knows of id() addr." },
	{ "referents", snapshot_referents, METH_O,
	  "referents(addr): [(label, addr, type name)] of the references of id() addr." },
	{ "census", (PyCFunction)(void (*)(void))snapshot_census, METH_VARARGS | METH_KEYWORDS,
	  "census(shortnames=True, tracked_only=False): {type name: (count, bytes)}." },
	{ "roots", snapshot_roots, METH_NOARGS,
	  "roots(): [Root]: (kind, name, addr) tuples that also have extra, thread,\n"
	  "function, file, line and depth (frame roots) by name." },
	{ "validate", snapshot_validate, METH_NOARGS, "Check the snapshot's invariants." },
	{ NULL, NULL, 0, NULL }
};

static PyType_Slot snapshot_slots[] = {
	{ Py_tp_dealloc, (void *)snapshot_dealloc },
	{ Py_tp_methods, snapshot_methods },
	{ Py_sq_length, (void *)snapshot_len },
	{ Py_tp_doc, (void *)"A heap snapshot taken by objref.snapshot()." },
	{ 0, NULL }
};

static PyType_Spec snapshot_spec = {
	"objref.Snapshot", sizeof(snapshot_object), 0, Py_TPFLAGS_DEFAULT, snapshot_slots
};

/* Snapshot.Root (the record type) and Snapshot.ROOT_* (the kinds). */
static int add_root_names(PyObject *type)
{
	static const struct { const char *name; long kind; } kinds[] = {
		{ "ROOT_MODULE", OBJREF_ROOT_MODULE }, { "ROOT_FRAME", OBJREF_ROOT_FRAME },
		{ "ROOT_HELD_FROM_C", OBJREF_ROOT_HELD_FROM_C }, { "ROOT_IMMORTAL", OBJREF_ROOT_IMMORTAL },
		{ "ROOT_FROZEN", OBJREF_ROOT_FROZEN }, { "ROOT_GC_GARBAGE", OBJREF_ROOT_GC_GARBAGE },
		{ "F_ROOT", OBJREF_F_ROOT }, { "F_FROZEN", OBJREF_F_FROZEN },
	};
	PyObject *rtype = (PyObject *)PyStructSequence_NewType(&root_desc);
	int err = rtype ? PyObject_SetAttrString(type, "Root", rtype) : -1;

	Py_XDECREF(rtype);
	for (size_t i = 0; !err && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		PyObject *v = PyLong_FromLong(kinds[i].kind);
		err = v ? PyObject_SetAttrString(type, kinds[i].name, v) : -1;
		Py_XDECREF(v);
	}
	return err;
}

PyObject *objref_py_snapshot_type_new(PyObject *module)
{
#if PY_VERSION_HEX >= 0x03090000
	PyObject *type = PyType_FromModuleAndSpec(module, &snapshot_spec, NULL);
#else
	PyObject *type = PyType_FromSpec(&snapshot_spec);
	(void)module;
#endif
	if (type && add_root_names(type) < 0)
		Py_CLEAR(type);
	return type;
}

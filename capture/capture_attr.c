/*
 * capture/capture_attr.c — the name of an instance attribute stored inline.
 *
 * From 3.11 an instance's attributes live in "inline values" whose names
 * only the type's private shared keys know; the public way to list them,
 * obj.__dict__, would create a dict and change the observed object.  For the
 * few objects of a reported chain, objref finds the name instead: it tries
 * the attribute names the program's code uses (the names of the class's
 * methods and of its module's functions) with PyObject_GenericGetAttr,
 * which reads inline values without creating a dict and never calls
 * __getattr__ or __getattribute__ overrides.  Only names that no class in
 * the MRO defines are tried, so no descriptor, property or method of the
 * program runs.
 */
#include <string.h>
#include "capture_internal.h"

/* Is `name` defined by a class of the MRO (then reading it could run a
 * descriptor)? */
static int defined_by_type(PyTypeObject *tp, PyObject *name)
{
	PyObject *mro = tp->tp_mro;

	for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); i++) {
		PyObject *base = PyTuple_GET_ITEM(mro, i), *d, *k, *v;
		Py_ssize_t pos = 0;
		int found = 0;
		if (!PyType_Check(base) || !(d = objref__type_dict((PyTypeObject *)base)))
			continue;
		while (!found && PyDict_Next(d, &pos, &k, &v))
			found = PyUnicode_CheckExact(k) && PyUnicode_Compare(k, name) == 0;
		Py_DECREF(d);
		if (found)
			return 1;
	}
	return 0;
}

/* ---- the names the program's code uses ---------------------------------- */

static void push_code(objref__names *s, PyObject *code)
{
	int added;

	if (!code || !PyCode_Check(code) || objref__objset_add(&s->seen, code, &added) == OBJREF_NO_ID ||
	    !added)
		return;
	if (objref__grow((void **)&s->stack, &s->stack_cap, s->nstack + 1, sizeof(PyObject *)) < 0) {
		s->failed = 1;
		return;
	}
	s->stack[s->nstack++] = code;
}

/* Pass name to s->each once. */
static void pass_name(objref__names *s, PyObject *name)
{
	int added;

	if (s->stop || !PyUnicode_CheckExact(name) ||
	    objref__objset_add(&s->seen, name, &added) == OBJREF_NO_ID || !added)
		return;
	s->stop = s->each(s, name);
}

/* Pass every name of the code objects on the stack and of their nested
 * code (comprehensions, inner functions, class bodies) to s->each; also
 * the identifiers among its constants: keyword names of calls (a tuple),
 * a name given to setattr. */
static void drain(objref__names *s)
{
	while (s->nstack && !s->stop && !s->failed) {
		PyCodeObject *co = (PyCodeObject *)s->stack[--s->nstack];
		for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(co->co_names); i++)
			pass_name(s, PyTuple_GET_ITEM(co->co_names, i));
		for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(co->co_consts); i++) {
			PyObject *c = PyTuple_GET_ITEM(co->co_consts, i);
			push_code(s, c);
			if (PyUnicode_CheckExact(c) && PyUnicode_IsIdentifier(c))
				pass_name(s, c);  /* setattr(obj, "name", v) */
			for (Py_ssize_t j = 0; PyTuple_CheckExact(c) && j < PyTuple_GET_SIZE(c); j++)
				if (PyUnicode_CheckExact(PyTuple_GET_ITEM(c, j)) &&
				    PyUnicode_IsIdentifier(PyTuple_GET_ITEM(c, j)))
					pass_name(s, PyTuple_GET_ITEM(c, j));  /* f(**kw)'s keywords */
		}
	}
}

/* The code of a function, or of what a class dict wraps one in. */
static PyObject *code_of(PyObject *v)
{
	if (PyFunction_Check(v))
		return PyFunction_GET_CODE(v);
	if (PyMethod_Check(v) && PyFunction_Check(PyMethod_GET_FUNCTION(v)))
		return PyFunction_GET_CODE(PyMethod_GET_FUNCTION(v));
	return NULL;
}

/* Push the code of every function in a dict (a class's or a module's),
 * and, one level down, of the classes it defines. */
static void push_dict(objref__names *s, PyObject *d, int classes)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	int added;

	if (!d || !PyDict_Check(d) || objref__objset_add(&s->seen, d, &added) == OBJREF_NO_ID || !added)
		return;
	while (PyDict_Next(d, &pos, &k, &v)) {
		push_code(s, code_of(v));
		if (classes && PyType_Check(v))
			push_dict(s, ((PyTypeObject *)v)->tp_dict, 0);
	}
}

static PyObject *module_dict_of(PyTypeObject *tp)
{
	PyObject *name = objref__dict_get_safe(tp->tp_dict, "__module__");
	PyObject *modules = PySys_GetObject("modules"), *k, *v;
	Py_ssize_t pos = 0;

	while (name && PyUnicode_CheckExact(name) && modules && PyDict_Check(modules) &&
	       PyDict_Next(modules, &pos, &k, &v))
		if (PyUnicode_CheckExact(k) && PyUnicode_Compare(k, name) == 0)
			return PyModule_Check(v) ? PyModule_GetDict(v) : NULL;
	return NULL;
}

void objref__names_of_class(objref__names *s, PyTypeObject *tp)
{
	PyObject *mro = tp->tp_mro;

	/* First the methods of the class and its bases, then its module. */
	for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro) && !s->stop; i++) {
		if (PyType_Check(PyTuple_GET_ITEM(mro, i))) {
			push_dict(s, ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict, 0);
			drain(s);
		}
	}
	if (!s->stop) {
		push_dict(s, module_dict_of(tp), 1);
		drain(s);
	}
}

void objref__names_of_modules(objref__names *s)
{
	PyObject *modules = PySys_GetObject("modules"), *k, *v;
	Py_ssize_t pos = 0;

	while (modules && PyDict_Check(modules) && !s->stop && PyDict_Next(modules, &pos, &k, &v))
		if (PyModule_Check(v)) {
			push_dict(s, PyModule_GetDict(v), 1);
			drain(s);
		}
}

void objref__names_dispose(objref__names *s)
{
	objref__objset_dispose(&s->seen);
	objref__free(s->stack);
	s->stack = NULL;
	s->nstack = s->stack_cap = 0;
}

/* ---- one attribute of one object, for a chain's step ---------------------- */

typedef struct {
	objref__names names;  /* first: the walker's callback gets it */
	PyObject *obj, *target;
	PyObject *found;      /* borrowed name, when found */
} attr_search;

static int try_name(objref__names *n, PyObject *name)
{
	attr_search *s = (attr_search *)n;
	PyObject *v;

	if (defined_by_type(Py_TYPE(s->obj), name))
		return 0;
	v = PyObject_GenericGetAttr(s->obj, name);
	if (!v) {
		PyErr_Clear();
		return 0;
	}
	if (v == s->target)
		s->found = name;
	Py_DECREF(v);
	return s->found != NULL;
}

size_t objref_capture_attr_name(char *buf, size_t size, void *obj, void *target)
{
	objref__session session;
	attr_search s;
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	memset(&s, 0, sizeof(s));
	s.names.each = try_name;
	s.obj = obj;
	s.target = target;
	if (objref__session_enter(&session) < 0)
		return 0;
	objref__names_of_class(&s.names, Py_TYPE((PyObject *)obj));
	if (s.found)
		n = objref__utf8(buf, size, s.found, 0);
	objref__names_dispose(&s.names);
	objref__session_exit(&session);
	return n;
}

size_t objref_capture_instance_str(char *buf, size_t size, void *objp, const char *name)
{
	PyObject *obj = objp, *key, *v = NULL;
	objref__session session;
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	if (objref__session_enter(&session) < 0)
		return 0;
	key = PyUnicode_FromString(name);
	if (key && !defined_by_type(Py_TYPE(obj), key))
		v = PyObject_GenericGetAttr(obj, key);
	if (v && PyUnicode_CheckExact(v))
		n = objref__utf8(buf, size, v, 0);
	Py_XDECREF(v);
	Py_XDECREF(key);
	objref__session_exit(&session); /* clears what a failed lookup raised */
	return n;
}

int objref_capture_name_refs(objref_ref *refs, size_t n, objref_snapshot *snap, void **objs,
	size_t nobjs)
{
	const objref_label unnamed = OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED);
	char name[256];

	for (size_t k = 0; k < n; k++) {
		objref_ref *r = &refs[k];
		objref_str s;
		int err;
		if (r->label != unnamed || r->holder >= nobjs || r->target >= nobjs ||
		    !objs[r->holder] || !objs[r->target] ||
		    !objref_capture_attr_name(name, sizeof(name), objs[r->holder], objs[r->target]))
			continue;
		if ((err = objref_snapshot_add_string(&s, snap, name, strlen(name))) < 0)
			return err;
		r->label = OBJREF_LABEL(OBJREF_LABEL_ATTR, s);
	}
	return 0;
}

int objref_capture_namer(objref_ref *refs, size_t n, void *arg)
{
	const objref_capture_pinned *p = arg;

	return objref_capture_name_refs(refs, n, p->snap, p->objs, p->n);
}

/* ---- references the collector shows without a name ---------------------- */

static PyObject *xnewref(PyObject *o)
{
	Py_XINCREF(o);
	return o;
}

/* got == target: set *name; got (a new reference or NULL) is released. */
static int is_ref(PyObject *got, PyObject *target, const char **name, const char *as)
{
	int yes = got && got == target;

	Py_XDECREF(got);
	if (yes)
		*name = as;
	return yes;
}

#if PY_VERSION_HEX >= 0x030B0000
/* The local variable of frame f whose value is target (3.11+, where a
 * frame's layout is private): the code's variable names read one by one
 * (3.12+: PyFrame_GetVar, no object made), or the locals dict (3.11,
 * PyFrame_GetLocals: fills the frame's f_locals, runs no Python code). */
static size_t frame_local(char *buf, size_t size, PyFrameObject *f, PyObject *target)
{
	PyCodeObject *co = PyFrame_GetCode(f);
	size_t n = 0;
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *names[3] = { PyCode_GetVarnames(co), PyCode_GetCellvars(co), PyCode_GetFreevars(co) };

	for (int g = 0; g < 3 && !n; g++)
		for (Py_ssize_t i = 0; names[g] && i < PyTuple_GET_SIZE(names[g]) && !n; i++) {
			PyObject *v = PyFrame_GetVar(f, PyTuple_GET_ITEM(names[g], i));
			if (!v)
				PyErr_Clear();
			else if (v == target)
				n = objref__utf8(buf, size, PyTuple_GET_ITEM(names[g], i), 0);
			Py_XDECREF(v);
		}
	for (int g = 0; g < 3; g++)
		Py_XDECREF(names[g]);
#else
	PyObject *locals = PyFrame_GetLocals(f), *k, *v;
	Py_ssize_t pos = 0;

	while (locals && PyDict_Check(locals) && !n && PyDict_Next(locals, &pos, &k, &v))
		if (v == target && PyUnicode_Check(k))
			n = objref__utf8(buf, size, k, 0);
	Py_XDECREF(locals);
	PyErr_Clear();
#endif
	Py_DECREF(co);
	return n;
}
#endif

/* A builtin getset attribute read through the type's own slot (no
 * instance dict, no override): new reference or NULL. */
static PyObject *builtin_attr(PyObject *obj, const char *name)
{
	for (PyGetSetDef *g = Py_TYPE(obj)->tp_getset; g && g->name; g++)
		if (strcmp(g->name, name) == 0 && g->get) {
			PyObject *r = g->get(obj, g->closure);
			if (!r)
				PyErr_Clear();
			return r;
		}
	return NULL;
}

size_t objref_capture_ref_name(char *buf, size_t size, int *is_local, void *from, void *to)
{
	PyObject *obj = from, *target = to;
	const char *name = NULL;
	objref__session session;
	size_t n = 0;

	*is_local = 0;
	if (size)
		buf[0] = '\0';
	if (objref__session_enter(&session) < 0)
		return 0;
	if (PyExceptionInstance_Check(obj)) {
		(void)(is_ref(PyException_GetTraceback(obj), target, &name, "__traceback__") ||
		       is_ref(PyException_GetContext(obj), target, &name, "__context__") ||
		       is_ref(PyException_GetCause(obj), target, &name, "__cause__") ||
		       is_ref(xnewref(((PyBaseExceptionObject *)obj)->args), target, &name, "args"));
	} else if (PyTraceBack_Check(obj)) {
		PyTracebackObject *tb = (PyTracebackObject *)obj;
		(void)(is_ref(xnewref((PyObject *)tb->tb_next), target, &name, "tb_next") ||
		       is_ref(xnewref((PyObject *)tb->tb_frame), target, &name, "tb_frame"));
	} else if (PyMethod_Check(obj)) {
		(void)(is_ref(xnewref(PyMethod_GET_FUNCTION(obj)), target, &name, "__func__") ||
		       is_ref(xnewref(PyMethod_GET_SELF(obj)), target, &name, "__self__"));
	} else if (PyCell_Check(obj)) {
		(void)is_ref(xnewref(PyCell_GET(obj)), target, &name, "cell_contents");
	} else if (PyGen_Check(obj) || PyCoro_CheckExact(obj)) {
		const char *await = PyGen_Check(obj) ? "gi_yieldfrom" : "cr_await";
		const char *frame = PyGen_Check(obj) ? "gi_frame" : "cr_frame";
		PyObject *f = builtin_attr(obj, frame);
		if (!is_ref(builtin_attr(obj, await), target, &name, await) &&
		    !is_ref(xnewref(f), target, &name, frame)) {
#if PY_VERSION_HEX >= 0x030B0000
			/* the frame lives inside the generator: its locals are the
			   generator's references */
			if (f && PyFrame_Check(f) && (n = frame_local(buf, size, (PyFrameObject *)f, target)))
				*is_local = 1;
#endif
		}
		Py_XDECREF(f);
	}
#if PY_VERSION_HEX >= 0x030B0000
	else if (PyFrame_Check(obj)) {
		PyFrameObject *f = (PyFrameObject *)obj;
		if (!is_ref((PyObject *)PyFrame_GetBack(f), target, &name, "f_back") &&
		    !is_ref((PyObject *)PyFrame_GetCode(f), target, &name, "f_code") &&
		    !is_ref(PyFrame_GetGlobals(f), target, &name, "f_globals") &&
		    !is_ref(PyFrame_GetBuiltins(f), target, &name, "f_builtins") &&
		    (n = frame_local(buf, size, f, target)))
			*is_local = 1;
	}
#endif
	if (name)
		n = (size_t)snprintf(buf, size, "%s", name);
	PyErr_Clear();
	objref__session_exit(&session);
	return n < size ? n : 0;
}

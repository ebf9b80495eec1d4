/*
 * capture/capture_frames.c — every thread's running frames and their local
 * variables, read without running code, for the FRAME roots.
 *
 * Which API, per version:
 *   3.8       tstate->frame, f_back, and the frame's f_localsplus slots
 *             (public struct in frameobject.h) named by co_varnames,
 *             co_cellvars, co_freevars.
 *   3.9-3.10  PyThreadState_GetFrame / PyFrame_GetBack, then the slots.
 *             Before 3.11 running frames are objects, and seeds of the walk.
 *   3.11      PyFrame_GetLocals: there is no public way to read one local,
 *             so this copies them into the frame's f_locals dict (created
 *             on first use and kept by the frame, as frame.f_locals or
 *             locals() would), which we read with PyDict_Next.
 *   3.12+     PyFrame_GetVar per name of PyCode_GetVarnames/Cellvars/
 *             Freevars: it reads the slot (a cell's contents) and creates
 *             no f_locals.
 * From 3.11 PyThreadState_GetFrame and PyFrame_GetBack create the frame
 * objects of running frames (kept by the interpreter frames until they
 * return, as sys._getframe() would); no other object is created, except
 * on 3.11 the f_locals dicts.  Class bodies and exec() namespaces (not
 * the globals) are read as dicts, not on 3.12 when the code has cells
 * (reading would copy them into the namespace).
 */
#include <string.h>
#include "capture_internal.h"

static PyInterpreterState *current_interp(void)
{
#if PY_VERSION_HEX >= 0x03090000
	return PyInterpreterState_Get();
#else
	return PyThreadState_Get()->interp;
#endif
}

/* The innermost frame of ts, borrowed: the thread's evaluation holds it.
 * From 3.11 this creates the frame object (the interpreter frame keeps it). */
static PyFrameObject *top_frame(PyThreadState *ts)
{
#if PY_VERSION_HEX >= 0x03090000
	PyFrameObject *f = PyThreadState_GetFrame(ts);
	Py_XDECREF(f);
	return f;
#else
	return ts->frame;
#endif
}

/* f's caller, borrowed (f holds it, or its interpreter frame does). */
static PyFrameObject *caller_frame(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x03090000
	PyFrameObject *b = PyFrame_GetBack(f);
	Py_XDECREF(b);
	return b;
#else
	return f->f_back;
#endif
}

static PyCodeObject *code_of(PyFrameObject *f)
{
	PyCodeObject *co = objref__frame_code(f);

	Py_DECREF(co);  /* the frame holds it */
	return co;
}

/* Record that local `name` of the last frame is bound to value, a seed of
 * the walk; cell: read through a cell the frame holds. */
static int add_local(objref__frames *r, objref__objset *objs, PyObject *name, PyObject *value, int cell)
{

	if (!value || !name || !PyUnicode_Check(name))
		return 0;
	if (objref__grow((void **)&r->locals, &r->locals_cap, r->nlocals + 1, sizeof(objref__local)) < 0 ||
	    objref__objset_insert(objs, value) < 0)
		return OBJREF_ENOMEM;
	r->locals[r->nlocals++] = (objref__local){ value, name, (uint32_t)(r->nframes - 1), cell != 0 };
	return 0;
}

#if PY_VERSION_HEX >= 0x030B0000
/* Is name one of the tuple's strings?  (Exact str compare: no code runs.) */
static int name_in(PyObject *tuple, PyObject *name)
{
	for (Py_ssize_t i = 0; tuple && i < PyTuple_GET_SIZE(tuple); i++) {
		PyObject *s = PyTuple_GET_ITEM(tuple, i);
		if (s == name || (PyUnicode_CheckExact(s) && PyUnicode_CheckExact(name) &&
				  PyUnicode_Compare(s, name) == 0))
			return 1;
	}
	return 0;
}
#endif

/* The entries of a namespace (class body, exec with separate locals) that
 * is not the frame's globals: str keys only, read with PyDict_Next. */
static int add_namespace(objref__frames *r, objref__objset *objs, PyObject *ns, PyObject *globals)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	int err = 0;

	r->frames[r->nframes - 1].locals = ns;  /* the frame's f_locals */
	while (!err && ns != globals && PyDict_Check(ns) && PyDict_Next(ns, &pos, &k, &v))
		if (PyUnicode_CheckExact(k))
			err = add_local(r, objs, k, v, 0);
	return err;
}

#if PY_VERSION_HEX < 0x030B0000
/* Before 3.11 a frame is an object with a public layout: read its slots as
 * its own traversal does.  The frame itself becomes a seed. */
static int read_locals(objref__frames *r, objref__objset *objs, PyFrameObject *f)
{
	PyCodeObject *co = f->f_code;
	PyObject *groups[3] = { co->co_varnames, co->co_cellvars, co->co_freevars };
	Py_ssize_t at = 0;
	int added, err = 0;

	if (objref__objset_insert(objs, (PyObject *)f) < 0)
		return OBJREF_ENOMEM;
	if (!(co->co_flags & CO_OPTIMIZED))
		return f->f_locals ? add_namespace(r, objs, f->f_locals, f->f_globals) : 0;
	for (int g = 0; g < 3 && !err; g++) {
		Py_ssize_t n = g == 0 ? co->co_nlocals : PyTuple_GET_SIZE(groups[g]);
		for (Py_ssize_t i = 0; i < n && !err; i++, at++) {
			PyObject *v = f->f_localsplus[at];
			if (g > 0 && v && PyCell_Check(v))
				v = PyCell_GET(v);
			if (i < PyTuple_GET_SIZE(groups[g]))
				err = add_local(r, objs, PyTuple_GET_ITEM(groups[g], i), v, g > 0);
		}
	}
	return err;
}
#elif PY_VERSION_HEX < 0x030C0000
/* 3.11 has no public way to read one local: PyFrame_GetLocals copies them
 * into the frame's f_locals dict (created on first use and kept by the
 * frame, as frame.f_locals or locals() would).  We read that dict. */
static int read_locals(objref__frames *r, objref__objset *objs, PyFrameObject *f)
{
	PyCodeObject *co = code_of(f);
	PyObject *locals, *globals, *cells = NULL, *frees = NULL, *k, *v;
	Py_ssize_t pos = 0;
	int added, err = 0;

	if (!(locals = PyFrame_GetLocals(f))) {
		PyErr_Clear();
		return 0;
	}
	Py_DECREF(locals); /* the frame keeps it */
	if (!PyDict_Check(locals))
		return 0;
	if (!(co->co_flags & CO_OPTIMIZED)) {
		globals = PyFrame_GetGlobals(f);
		Py_XDECREF(globals);
		return add_namespace(r, objs, locals, globals);
	}
	/* Not listed by the collector: created (or first tracked) by us, so
	 * never frozen. */
	if (!objref__objset_has(objs, locals) &&
	    objref__objset_add(&r->ours, locals, &added) == OBJREF_NO_ID)
		return OBJREF_ENOMEM;
	r->frames[r->nframes - 1].locals = locals;
	cells = PyCode_GetCellvars(co);
	frees = PyCode_GetFreevars(co);
	PyErr_Clear();
	r->empty_cells += (uint32_t)((cells ? PyTuple_GET_SIZE(cells) : 0) + (frees ? PyTuple_GET_SIZE(frees) : 0));
	while (!err && PyDict_Next(locals, &pos, &k, &v)) {
		int cell = PyUnicode_CheckExact(k) && (name_in(cells, k) || name_in(frees, k));
		if (cell)
			r->empty_cells--;  /* bound: not empty */
		if (PyUnicode_CheckExact(k))
			err = add_local(r, objs, k, v, cell);
	}
	Py_XDECREF(cells);
	Py_XDECREF(frees);
	return err;
}
#else
/* 3.12+: PyFrame_GetVar reads one slot (a cell's contents for cell and free
 * variables) without creating f_locals. */
static int frame_vars(objref__frames *r, objref__objset *objs, PyFrameObject *f, PyObject *names,
	PyObject *skip, int cell)
{
	int err = 0;

	for (Py_ssize_t i = 0; names && i < PyTuple_GET_SIZE(names) && !err; i++) {
		PyObject *name = PyTuple_GET_ITEM(names, i), *v;
		if (skip && name_in(skip, name))
			continue;  /* an argument that is also a cell: read once, as a cell */
		if (!(v = PyFrame_GetVar(f, name))) {
			PyErr_Clear();  /* unbound: its cell, if it has one, is empty */
			r->empty_cells += cell != 0;
			continue;
		}
		Py_DECREF(v); /* the frame (or the cell) holds it */
		err = add_local(r, objs, name, v, cell);
	}
	return err;
}

static int read_locals(objref__frames *r, objref__objset *objs, PyFrameObject *f)
{
	PyCodeObject *co = code_of(f);
	PyObject *vars, *cells, *frees, *ns, *globals;
	int err = 0;

	if (!(co->co_flags & CO_OPTIMIZED)) {
		/* The namespace dict itself; 3.12 would first copy cells into it
		 * (class bodies), so leave those alone there. */
#if PY_VERSION_HEX < 0x030D0000
		if (co->co_ncellvars > 0 || co->co_nfreevars > 0)
			return 0;
#endif
		if (!(ns = PyFrame_GetLocals(f))) {
			PyErr_Clear();
			return 0;
		}
		globals = PyFrame_GetGlobals(f);
		Py_XDECREF(globals);
		if (PyDict_Check(ns))  /* 3.13 gives a proxy when hidden locals exist */
			err = add_namespace(r, objs, ns, globals);
		Py_DECREF(ns);
		return err;
	}
	vars = PyCode_GetVarnames(co);
	cells = PyCode_GetCellvars(co);
	frees = PyCode_GetFreevars(co);
	PyErr_Clear();
	err = frame_vars(r, objs, f, cells, NULL, 1);
	err = err ? err : frame_vars(r, objs, f, frees, NULL, 1);
	err = err ? err : frame_vars(r, objs, f, vars, cells, 0);
	Py_XDECREF(vars);
	Py_XDECREF(cells);
	Py_XDECREF(frees);
	return err;
}
#endif

static int add_frame(objref__frames *r, objref__objset *objs, PyFrameObject *f, uint64_t thread,
	uint32_t depth)
{
	PyCodeObject *co = code_of(f);
	int line = PyFrame_GetLineNumber(f), added;

	if (objref__grow((void **)&r->frames, &r->frames_cap, r->nframes + 1, sizeof(objref__frame)) < 0)
		return OBJREF_ENOMEM;
	r->frames[r->nframes++] = (objref__frame){ co, (PyObject *)f, NULL, thread,
		line > 0 ? (uint32_t)line : 0, depth };
	if (objref__objset_add(&r->running, (PyObject *)co, &added) == OBJREF_NO_ID)
		return OBJREF_ENOMEM;
	return read_locals(r, objs, f);
}

int objref__frames_gather(objref__frames *r, objref__objset *objs)
{
	int err = 0;

	for (PyThreadState *ts = PyInterpreterState_ThreadHead(current_interp()); ts && !err;
	     ts = PyThreadState_Next(ts)) {
		uint32_t depth = 0;
		if (ts->dict) {  /* PyThreadState_GetDict(): a seed, held by the thread state */
			if (objref__grow((void **)&r->tsdicts, &r->tsdicts_cap, r->ntsdicts + 1,
					sizeof(PyObject *)) < 0 ||
			    objref__objset_insert(objs, ts->dict) < 0)
				return OBJREF_ENOMEM;
			r->tsdicts[r->ntsdicts++] = ts->dict;
		}
		for (PyFrameObject *f = top_frame(ts); f && !err; f = caller_frame(f))
			err = add_frame(r, objs, f, (uint64_t)ts->thread_id, depth++);
		PyErr_Clear(); /* a frame object we could not create ends that stack */
	}
	return err;
}

void objref__frames_dispose(objref__frames *r)
{
	objref__free(r->frames);
	objref__free(r->locals);
	objref__free(r->tsdicts);
	objref__objset_dispose(&r->running);
	objref__objset_dispose(&r->ours);
	memset(r, 0, sizeof(*r));
}

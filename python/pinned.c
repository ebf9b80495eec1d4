/*
 * python/pinned.c — one pinned snapshot per call (module.h): the snapshot,
 * a strong reference to the object behind every id (so Python callbacks
 * may run while ids are mapped back to objects), and a searcher over it.
 */
#include <string.h>
#include "module.h"

void objref_py_unpin(objref_py_pinned *p)
{
	objref_paths_free(p->paths);
	objref_capture_release(p->objs, p->n);
	objref_snapshot_free(p->snap);
	memset(p, 0, sizeof(*p));
}

/* 0, or -1 with an exception. */
int objref_py_pin(objref_py_pinned *p, unsigned flags)
{
	int err;

	memset(p, 0, sizeof(*p));
	if ((err = objref_capture_snapshot_pinned(&p->snap, &p->objs, &p->n, flags)) < 0 ||
	    (err = objref_paths_new(&p->paths, p->snap, NULL)) < 0) {
		objref_py_unpin(p);
		objref_py_error(err);
		return -1;
	}
	return 0;
}

objref_id objref_py_id_of(objref_py_pinned *p, PyObject *obj)
{
	return objref_snapshot_find(p->snap, (uint64_t)(uintptr_t)obj);
}

/* The addresses extra_ignore (an iterable of id() values) names. */
int objref_py_addresses(PyObject *extra, uintptr_t **addrs, size_t *n)
{
	PyObject *seq = PySequence_Fast(extra, "extra_ignore must be iterable");
	Py_ssize_t len;

	*addrs = NULL;
	*n = 0;
	if (!seq)
		return -1;
	len = PySequence_Fast_GET_SIZE(seq);
	if (!(*addrs = PyMem_Calloc((size_t)len + 1, sizeof(uintptr_t)))) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		void *addr = PyLong_AsVoidPtr(PySequence_Fast_GET_ITEM(seq, i));
		if (!addr && PyErr_Occurred()) {
			Py_DECREF(seq);
			return -1;
		}
		(*addrs)[(*n)++] = (uintptr_t)addr;
	}
	Py_DECREF(seq);
	return 0;
}

/* The ids of extra_ignore (an iterable of id() values) in *ids. */
int objref_py_ignore_ids(objref_py_pinned *p, PyObject *extra, objref_id **ids, size_t *n)
{
	uintptr_t *addrs;

	*ids = NULL;
	if (objref_py_addresses(extra, &addrs, n) < 0) {
		PyMem_Free(addrs);
		return -1;
	}
	if (!(*ids = PyMem_Calloc(*n + 1, sizeof(objref_id)))) {
		PyMem_Free(addrs);
		PyErr_NoMemory();
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		(*ids)[i] = objref_snapshot_find(p->snap, (uint64_t)addrs[i]);
	PyMem_Free(addrs);
	return 0;
}

/* The references the collector shows unnamed (no label at all) that have
 * a name all the same (an exception's traceback, a frame's local...). */
static void name_unnamed_refs(objref_py_pinned *p, objref_chain *c)
{
	char name[256];
	objref_str s;
	int local;

	for (size_t i = 0; i + 1 < c->n; i++)
		if (OBJREF_LABEL_KIND(c->labels[i]) == OBJREF_LABEL_NONE &&
		    objref_capture_ref_name(name, sizeof(name), &local, p->objs[c->ids[i]],
			    p->objs[c->ids[i + 1]]) &&
		    objref_snapshot_add_string(&s, p->snap, name, strlen(name)) == 0)
			c->labels[i] = OBJREF_LABEL(local ? OBJREF_LABEL_LOCAL : OBJREF_LABEL_ATTR, s);
}

/* Name the attributes a chain passes through that CPython stores inline
 * (3.11+: labelled ".?" by the capture), while their objects are alive:
 * the chain's steps handed to capture's one naming entry point. */
void objref_py_name_attributes(objref_py_pinned *p, objref_chain *c)
{
	objref_ref *refs;

	if (c->n < 2 || !(refs = PyMem_Calloc(c->n - 1, sizeof(*refs))))
		return; /* no memory: the steps stay ".?" */
	for (size_t i = 0; i + 1 < c->n; i++)
		refs[i] = (objref_ref){ c->ids[i], c->ids[i + 1], c->labels[i] };
	objref_capture_name_refs(refs, c->n - 1, p->snap, p->objs, p->n);
	for (size_t i = 0; i + 1 < c->n; i++)
		c->labels[i] = refs[i].label;
	PyMem_Free(refs);
	name_unnamed_refs(p, c);
}

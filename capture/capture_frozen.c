/*
 * capture/capture_frozen.c — gc.freeze()'s permanent generation.
 *
 * The collector's listings (gc.get_objects() before 3.12,
 * PyUnstable_GC_VisitObjects from 3.12) leave out the permanent
 * generation that gc.freeze() moves every tracked object to, except
 * PyUnstable_GC_VisitObjects from 3.12.10 and 3.13.3 on (gh-131740).
 * After a freeze (the pre-fork pattern of gunicorn and uwsgi) that is
 * the whole heap but what was made since.  No public function lists
 * those objects; this file reads the collector's own list, without
 * Py_BUILD_CORE, from two facts of every default (GIL) build of 3.8 to
 * 3.13 (Include/internal/pycore_gc.h; pycore_pymem.h in 3.8):
 *
 *   - a tracked object is preceded by its PyGC_Head, two words: _gc_next,
 *     the next node's address, and _gc_prev, the previous node's address
 *     with two flag bits in its low bits;
 *   - the collector's state holds, in this order,
 *         struct gc_generation { PyGC_Head head; int threshold, count; }
 *             generations[3];
 *         PyGC_Head *generation0;           (== &generations[0].head)
 *         struct gc_generation permanent_generation;
 *     each generation a circular doubly linked list through its head.
 *
 * A generation's head is found from what the collector just listed: the
 * first object listed is the first of the first generation not empty
 * (its _gc_prev is that generation's head), and the list gc.get_objects()
 * returns, made after every object it lists, is the last object of
 * generation 0 (its _gc_next is generation 0's head).  A candidate is
 * taken only if its generation0 field points back at generations[0] and
 * every head links both ways with its neighbours; the permanent
 * generation is then walked, each node's _gc_prev checked against the
 * node before it, and kept only if the walk comes back to its head.
 * Anything else (another layout, a free-threaded build) lists nothing:
 * the capture then has the frozen objects traversal reaches, and says so
 * (objref_gc_state.frozen_listed).
 *
 * Reads only: the collector's lists are never changed, no Python code
 * runs, no Python object is made (forked children call this).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "capture_internal.h"

typedef struct {
	uintptr_t next;   /* _gc_next: the next node */
	uintptr_t prev;   /* _gc_prev: the previous node | 2 flag bits */
} gc_head;

typedef struct {
	gc_head head;
	int threshold, count;
} gc_generation;

/* The part of the collector's state read here. */
typedef struct {
	gc_generation generations[3];
	gc_head *generation0;
	gc_generation permanent;
} gc_lists;

#define PREV_MASK (~(uintptr_t)3)
#define AS_GC(op) ((const gc_head *)(op) - 1)
#define FROM_GC(g) ((PyObject *)((gc_head *)(g) + 1))
#define ALIGNED(a) ((a) != 0 && ((uintptr_t)(a) & (sizeof(void *) - 1)) == 0)

/* lists_from_member reads the word before an object's header on purpose
 * (the allocator's, for a block malloc gave), and on a chance match the
 * words around it: not an overflow of ours. */
#if defined(__GNUC__) || defined(__clang__)
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define NO_ASAN
#endif

int objref__frozen_listed_by_collector(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	return (Py_Version >= 0x030C0A00 && Py_Version < 0x030D0000) || Py_Version >= 0x030D0300;
#else
	return 0;
#endif
}

#if !defined(Py_GIL_DISABLED) && PY_VERSION_HEX < 0x030E0000

/* Does the head at h link both ways with its neighbours? */
NO_ASAN static int head_linked(const gc_head *h)
{
	uintptr_t n = h->next, p = h->prev & PREV_MASK;

	return ALIGNED(n) && ALIGNED(p) && (((const gc_head *)n)->prev & PREV_MASK) == (uintptr_t)h &&
	       ((const gc_head *)p)->next == (uintptr_t)h;
}

/* Are these the collector's lists?  g's generation0 field points at its
 * generations[0], and every head links both ways. */
NO_ASAN static int lists_valid(const gc_lists *g)
{
	if ((uintptr_t)g->generation0 != (uintptr_t)&g->generations[0].head)
		return 0;
	for (int i = 0; i < 3; i++)
		if (!head_linked(&g->generations[i].head))
			return 0;
	return head_linked(&g->permanent.head);
}

/* The collector's lists, if the head of generation k (k = 0, 1 or 2) is
 * at h; else NULL.  Reads stay inside the collector's state when h is a
 * generation's head (the callers' candidates are). */
static const gc_lists *lists_at(uintptr_t h)
{
	if (!ALIGNED(h))
		return NULL;
	for (uintptr_t k = 0; k < 3; k++)
		if (lists_valid((const gc_lists *)(h - k * sizeof(gc_generation))))
			return (const gc_lists *)(h - k * sizeof(gc_generation));
	return NULL;
}

/* The collector's lists, found from a node of the permanent generation
 * (m, a frozen object): its head is the node just after the collector's
 * generation0 field, which points at generations[0].  The word before
 * each node is read to test that: for an object, inside the allocator's
 * memory (the block or header before it, or from 3.12 the object's own
 * pre-header).  That word can be such a pointer by chance (it was, on
 * 3.12, for an object's pre-header): only a whole valid state ends the
 * search, and its reads start at an address that word points to. */
NO_ASAN static const gc_lists *lists_from_member(PyObject *m)
{
	const uintptr_t off = offsetof(gc_lists, permanent), g0 = offsetof(gc_lists, generation0);
	uintptr_t start = (uintptr_t)AS_GC(m), x = start, prev = ((const gc_head *)x)->prev & PREV_MASK;

	do {
		const gc_head *h = (const gc_head *)x;
		if (!ALIGNED(x) || (h->prev & PREV_MASK) != prev)
			return NULL;
		if (*(const uintptr_t *)(x - off + g0) == x - off && lists_valid((const gc_lists *)(x - off)))
			return (const gc_lists *)(x - off);
		prev = x;
		x = h->next;
	} while (x != start);
	return NULL;
}

/* The collector's lists, from the last object it tracked (tail: the list
 * gc.get_objects() made), else the first object it listed (first), else
 * a frozen object when it listed none: sys.modules. */
static const gc_lists *find_lists(PyObject *first, PyObject *tail)
{
	PyObject *modules;

	if (tail)
		return lists_at(AS_GC(tail)->next);
	if (first)
		return lists_at(AS_GC(first)->prev & PREV_MASK);
	modules = PyImport_GetModuleDict();
	return modules && objref__is_tracked(modules) ? lists_from_member(modules) : NULL;
}

/* Drop the references taken to out->objs[n0 ..) and forget them: each
 * object had one before, so none is freed. */
static void unwalk(objref__objset *out, size_t n0, int refs)
{
	for (size_t i = n0; refs && i < out->n; i++)
		Py_DECREF(out->objs[i]);
	out->n = n0;
}

/*
 * Call fn on every node of the list at head, checking each link on the
 * way; *left: how many nodes may still be visited (tests break the walk
 * with it).  1 if the walk came back to the head with every link checked,
 * 0 at a link that does not check (or when *left runs out), fn's negative
 * code if it fails.
 */
static int visit_list(const gc_head *head, size_t *left, int (*fn)(PyObject *op, void *arg),
	void *arg)
{
	uintptr_t prev = (uintptr_t)head, x;
	int err;

	for (x = head->next; x != (uintptr_t)head; x = ((const gc_head *)x)->next) {
		if (!ALIGNED(x) || (((const gc_head *)x)->prev & PREV_MASK) != prev || !(*left)--)
			return 0;
		if ((err = fn(FROM_GC(x), arg)) < 0)
			return err;
		prev = x;
	}
	return (head->prev & PREV_MASK) == prev;
}

typedef struct {
	objref__objset *out;
	int refs;
} appender;

/* visit_list's fn: append op (with refs, taking a reference while its
 * header is at hand). */
static int append(PyObject *op, void *arg)
{
	appender *a = arg;
	objref__objset *out = a->out;

	if (out->n == out->cap &&
	    (out->n >= OBJREF_NO_ID - 1 ||
	     objref__grow((void **)&out->objs, &out->cap, out->n + 1, sizeof(PyObject *)) < 0))
		return OBJREF_ENOMEM;
	out->objs[out->n++] = op;
	if (a->refs)
		Py_INCREF(op);
	return 0;
}

/* Append every node of the list at head to out (with refs, taking a
 * reference to each); as visit_list, and on anything but 1 out is as it
 * was (*left: see visit_list). */
static int walk_list(objref__objset *out, const gc_head *head, int refs, size_t *left)
{
	appender a = { out, refs };
	size_t n0 = out->n;
	int ok = visit_list(head, left, append, &a);

	if (ok != 1)
		unwalk(out, n0, refs);
	return ok;
}

int objref__frozen_walk(objref__frozen_status *st, objref__objset *out, const void *lists)
{
	const gc_lists *g = lists;
	size_t left = SIZE_MAX;
	int ok;

	*st = OBJREF__FROZEN_NONE;
	if (g->permanent.head.next == (uintptr_t)&g->permanent.head)
		return 0; /* nothing frozen: the common case, two reads */
	if ((ok = walk_list(out, &g->permanent.head, 0, &left)) < 0)
		return ok;
	*st = ok ? OBJREF__FROZEN_WALKED : OBJREF__FROZEN_UNREAD;
	return 0;
}

int objref__frozen_gather(objref__frozen_status *st, const void **lists, objref__objset *out,
	PyObject *first, PyObject *tail)
{
	const gc_lists *g = NULL;

	if (lists)
		*lists = NULL;
	*st = OBJREF__FROZEN_LISTED;
	if (objref__frozen_listed_by_collector())
		return 0;
	*st = OBJREF__FROZEN_UNREAD;
	if (!(g = find_lists(first, tail)))
		return 0;
	if (lists)
		*lists = g;
	return objref__frozen_walk(st, out, g);
}

/* ---- every generation, before 3.12 ------------------------------------
 *
 * Before 3.12 the collector's only public listing, gc.get_objects(),
 * builds a list of every object (the largest part of a capture of the
 * tracked objects, with its growth) and raises an audit event, which runs
 * the program's audit hooks; in a forked child each reference it takes
 * copies the page the object lives on, so the child would copy most of
 * the program's heap.  The lists are found once (the list made to find
 * them, tracked last, has generation 0's head for next node; in a child,
 * by the parent before the fork) and walked, reading only: the program's
 * process then takes a reference to each object, the child none.  3.12
 * on lists without references (PyUnstable_GC_VisitObjects). */

static const gc_lists *known_lists;      /* found by the parent */
static const void *known_interp;         /* for this interpreter */
static int walk_generations;             /* 1 in a forked child */

static const void *this_interpreter(void)
{
#if PY_VERSION_HEX >= 0x03090000
	return PyInterpreterState_Get();
#else
	return PyThreadState_Get()->interp;
#endif
}

void objref__gc_lists_prepare(void)
{
#if PY_VERSION_HEX < 0x030C0000
	PyObject *probe;

	if (known_lists && known_interp == this_interpreter())
		return;
	known_lists = NULL;
	known_interp = this_interpreter();
	if ((probe = PyList_New(0)) != NULL) { /* tracked last: gen 0's head next */
		known_lists = lists_at(AS_GC(probe)->next);
		Py_DECREF(probe);
	}
	PyErr_Clear();
#endif
}

void objref__gc_lists_in_child(void)
{
	walk_generations = known_lists != NULL && known_interp == this_interpreter();
}

int objref__gc_lists_child(void)
{
	return walk_generations;
}

/* Tests break the walk of the generations after N objects, as a link
 * that does not check would: OBJREF_GC_LISTS_FAULT_FOR_TESTS=N (0: the
 * lists are not found).  SIZE_MAX without it. */
static size_t lists_fault(void)
{
	const char *fault = getenv("OBJREF_GC_LISTS_FAULT_FOR_TESTS");

	return fault && *fault ? (size_t)strtoull(fault, NULL, 10) : SIZE_MAX;
}

int objref__gc_lists_visit(int (*fn)(PyObject *op, void *arg), void *arg, const void **lists)
{
	const gc_lists *g;
	size_t left = lists_fault();

	*lists = NULL;
	if (!walk_generations)  /* the program's process: found once */
		objref__gc_lists_prepare();
	if (!(g = known_lists) || !lists_valid(g))
		return 0;
	for (int i = 0; i < 3; i++) { /* gc.get_objects()' order */
		int ok = visit_list(&g->generations[i].head, &left, fn, arg);
		if (ok != 1)
			return ok;
	}
	*lists = g;
	return 1;
}

int objref__gc_lists_walk(objref__objset *out, const void **lists)
{
	const gc_lists *g;
	size_t n0 = out->n, left = lists_fault();

	*lists = NULL;
	if (!walk_generations)  /* the program's process: found once */
		objref__gc_lists_prepare();
	if (!(g = known_lists) || !lists_valid(g))
		return 0;
	for (int i = 0; i < 3; i++) { /* gc.get_objects()' order */
		int ok = walk_list(out, &g->generations[i].head, !walk_generations, &left);
		if (ok != 1) {
			unwalk(out, n0, !walk_generations);
			return ok;
		}
	}
	*lists = g;
	return 1;
}

#else /* a free-threaded build, or a layout not known here */

int objref__frozen_walk(objref__frozen_status *st, objref__objset *out, const void *lists)
{
	(void)out;
	(void)lists;
	*st = OBJREF__FROZEN_UNREAD;
	return 0;
}

int objref__frozen_gather(objref__frozen_status *st, const void **lists, objref__objset *out,
	PyObject *first, PyObject *tail)
{
	(void)out;
	(void)first;
	(void)tail;
	if (lists)
		*lists = NULL;
	*st = objref__frozen_listed_by_collector() ? OBJREF__FROZEN_LISTED : OBJREF__FROZEN_UNREAD;
	return 0;
}

void objref__gc_lists_prepare(void)
{
}

void objref__gc_lists_in_child(void)
{
}

int objref__gc_lists_child(void)
{
	return 0;
}

int objref__gc_lists_visit(int (*fn)(PyObject *op, void *arg), void *arg, const void **lists)
{
	(void)fn;
	(void)arg;
	*lists = NULL;
	return 0;
}

int objref__gc_lists_walk(objref__objset *out, const void **lists)
{
	(void)out;
	*lists = NULL;
	return 0;
}

#endif

/*
 * lib/dump_ident.c — object identities across the dumps of one process.
 *
 * CPython never moves an object, and gives its address to another object
 * only after freeing it.  So within one process, (address, type address)
 * names one object for as long as it lives; it can name a later object too
 * when the first is freed and another of the same type takes its block
 * (pymalloc hands out freed blocks of the same size class first).  The
 * dumps know nothing more per object that survives between two captures
 * without writing into the heap, which capture never does.  What "new since
 * dump A" therefore means is written in objref/dump.h and
 * docs/dump-format.md.
 */
#include "snapshot_internal.h"
#include "objref/dump.h"

int objref_dump_same_process(const objref_dump_info *a, const objref_dump_info *b)
{
	return a->pid && a->pid == b->pid && a->process_start && a->process_start == b->process_start &&
		a->boot_id == b->boot_id;
}

uint64_t objref_dump_stable_id(const objref_snapshot *snap, objref_id id)
{
	const objref_object *o = objref_snapshot_object(snap, id);
	const objref_type *t;
	uint64_t type_hash;

	if (!o)
		return 0;
	t = objref_snapshot_type(snap, o->type);
	type_hash = objref__hash64(t ? t->addr : 0) & 0xff;
	/* addr >> 3: objects are at least 8-aligned; 44 bits cover the 47-bit
	 * user space of x86-64 and arm64, so the id stays below 2^53. */
	return ((((o->addr >> 3) & ((UINT64_C(1) << 44) - 1)) << 8 | type_hash) << 1) | 1;
}

/* The type address of object id of s. */
static uint64_t type_addr(const objref_snapshot *s, objref_id id)
{
	const objref_type *t = objref_snapshot_type(s, s->objects[id].type);
	return t ? t->addr : 0;
}

int objref_dump_new_since(uint8_t **out, size_t *nnew, objref_snapshot *now, objref_snapshot *before)
{
	const objref_dump_info *a = objref_dump_info_of(before), *b = objref_dump_info_of(now);
	uint8_t *is_new;
	size_t count = 0;

	*out = NULL;
	*nnew = 0;
	if (a && b && !objref_dump_same_process(a, b))
		return objref__error(OBJREF_EINVAL, "the dumps come from different processes "
			"(pid %u and %u, or the same pid restarted): their objects cannot be matched",
			a->pid, b->pid);
	if (a && b && a->sequence && b->sequence && a->sequence >= b->sequence)
		return objref__error(OBJREF_EINVAL, "dump %llu is not older than dump %llu: "
			"give the dumps in time order", (unsigned long long)a->sequence,
			(unsigned long long)b->sequence);
	if (!(is_new = objref__malloc(OBJREF__MAX(now->nobjects, 1))))
		return OBJREF_ENOMEM;
	if (before->nobjects && objref_snapshot_find(before, before->objects[0].addr) == OBJREF_NO_ID) {
		objref__free(is_new); /* the address index could not be built */
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < now->nobjects; i++) {
		objref_id old = objref_snapshot_find(before, now->objects[i].addr);
		is_new[i] = old == OBJREF_NO_ID || type_addr(before, old) != type_addr(now, (objref_id)i);
		count += is_new[i];
	}
	*out = is_new;
	*nnew = count;
	return 0;
}

/*
 * tests/c/fixtures.h — hand-built snapshots, censuses and series for the
 * tests.  Every helper returns TEST_OK or TEST_FAIL (after printing why), so
 * a test calls it through CHECK(...).
 */
#ifndef OBJREF_TEST_FIXTURES_H
#define OBJREF_TEST_FIXTURES_H

#include "test.h"

/*
 * The identity flags capture would set on a CPython type called
 * module.name (OBJREF_T_STR, _DICT, _BUILTIN, _HIDES_REFS, _INTERNAL; a
 * NULL module is "builtins", as for objref_builder_type).  Tests may know
 * type names; the engine may not, so hand-built heaps carry these flags.
 */
uint32_t fx_type_facts(const char *module, const char *name);

/* Add a type to b, its flags set to fx_type_facts(module, name). */
int fx_type(objref_type_id *out, objref_builder *b, uint64_t addr, const char *module,
	const char *name, const char *qualname);

/* Add an object with the given fields (desc 0, refcnt 1) to b. */
int fx_object(objref_id *out, objref_builder *b, uint64_t addr, objref_type_id type,
	uint64_t size, uint32_t flags);

/*
 * The census fixture: a finished, valid snapshot whose census is known.
 *
 *   type (module, name, qualname)      objects (size, tracked?)
 *   builtins.dict                      3 x 232 tracked
 *   builtins.tuple                     56 T, 64 T, 48 untracked
 *   app.Session                        2 x 48 tracked
 *   other.Session                      1 x 48 tracked
 *   m.Inner (qualname Outer.Inner)     1 x 56 tracked
 *   builtins.int                       4 x 28 untracked
 *   "" weird (module empty)            1 x 16 tracked
 *   builtins.set                       none
 *
 * Objects are added interleaved by type, not grouped.
 */
int fx_census_snapshot(objref_snapshot **out);

/*
 * A census from a spec "name=count[/bytes] name=count ...", rows added in
 * the order written (bytes default to 0).
 */
int fx_census(objref_census **out, const char *spec);

/*
 * A series of nckpt checkpoints over ntypes types: counts[t * nckpt + k] is
 * the count of names[t] at checkpoint k (0: no row at all), with
 * unit_bytes[t] bytes per object (NULL: 0).  Checkpoint k has time k and
 * label "ckpt<k>".
 */
int fx_series(objref_series **out, size_t nckpt, size_t ntypes, const char *const *names,
	const uint64_t *counts, const uint64_t *unit_bytes);

/* The row called name in rows[0..n), or NULL. */
const objref_growing_row *fx_growing_find(const objref_growing_row *rows, size_t n,
	const char *name);

/* Render a label of snap into a static buffer (for asserts). */
const char *fx_label(const objref_snapshot *snap, objref_label label);

#endif

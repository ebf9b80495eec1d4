/*
 * tests/c/dump-fixtures.h — what the dump tests and the dump fuzzer
 * (bench/dump_fuzz.c) share: a small heap with every kind of label and
 * root, its dump as bytes, and a mutator of dump bytes.  Public API only
 * (plus lib/dump_format.h to re-sign mutants), no test runner: the fuzzer
 * links it alone.
 */
#ifndef OBJREF_TEST_DUMP_FIXTURES_H
#define OBJREF_TEST_DUMP_FIXTURES_H

#include <stddef.h>
#include <stdint.h>
#include "objref/objref.h"
#include "objref/dump.h"

/*
 * A heap of 24 objects: module app -> dict ['cache'] -> list [0..2] ->
 * Session .history -> tuple; a frame root with a local, a held-from-C
 * object, an immortal, a gc.garbage item, a frozen one; two garbage
 * cycles (Node .next -> Node .next -> first) and a weak-ish unnamed edge;
 * every label kind; gc state known.  Returns 0 or an OBJREF_E* code.
 */
int dfx_heap(objref_snapshot **out);

/* The dump of snap as malloc'ed bytes (free()), written through
 * objref_dump_write_fd into a memfd.  0 or an OBJREF_E* code. */
int dfx_dump_bytes(unsigned char **data, size_t *len, const objref_snapshot *snap, int compress,
	const objref_dump_info *info);

/* Recompute every checksum of an (uncompressed) dump in place, as far as
 * its header and table can be read: a mutant that passes the CRCs reaches
 * the deeper checks. */
void dfx_resign(unsigned char *data, size_t len);

/* A small fast PRNG (xorshift64*). */
uint64_t dfx_rand(uint64_t *state);

/*
 * Mutate buf (len bytes, capacity cap >= len) in place: bit flips, bytes
 * set to edge values, truncation, header and section-table fields set to
 * edge values, then (every other time) re-signed.  Returns the new length.
 */
size_t dfx_mutate(unsigned char *buf, size_t len, size_t cap, uint64_t *rng);

/*
 * Load data as a dump and, if that succeeds, use it: validate, census,
 * chains from a few objects, cycles, label texts.  Returns 1 when the
 * load was rejected (with a message naming "fuzz"), 0 when it loaded and
 * everything ran, -1 when something that must hold did not (message on
 * stderr).
 */
int dfx_try(const unsigned char *data, size_t len);

#endif

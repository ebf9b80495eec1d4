/*
 * bench/dump_fuzz.c — fuzz the dump reader: N mutants of a small dump (bit
 * flips, edge-value bytes and header/table fields, truncations, half of
 * them with their checksums recomputed so they reach the deeper checks),
 * each loaded and, when it loads, run through validate, census, chains and
 * cycles.  Run it in the sanitizer build:
 *
 *   cmake -S . -B build-asan -DOBJREF_SANITIZE=ON && cmake --build build-asan --target objref-dump-fuzz
 *   build-asan/bench/objref-dump-fuzz 1000000 [seed]
 *
 * Prints how many mutants were rejected (by error code) and how many
 * loaded; exits 1 on the first mutant that breaks a promise (a crash is
 * the sanitizer's to report).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../tests/c/dump-fixtures.h"

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	uint64_t rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x2545F4914F6CDD1Dull;
	unsigned long loaded = 0, rejected = 0;
	objref_snapshot *s = NULL;
	unsigned char *data[2], *buf;
	size_t len[2];
	struct timespec t0, t1;

	if (dfx_heap(&s) < 0 || dfx_dump_bytes(&data[0], &len[0], s, 0, NULL) < 0 ||
	    dfx_dump_bytes(&data[1], &len[1], s, 1, NULL) < 0) {
		fprintf(stderr, "dump_fuzz: cannot build the seed dump: %s\n", objref_error_last());
		return 2;
	}
	buf = malloc(len[0] > len[1] ? len[0] : len[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < n; i++) {
		int which = (i % 16) == 15; /* one in 16 mutates the compressed form */
		size_t m;
		int rc;
		memcpy(buf, data[which], len[which]);
		m = dfx_mutate(buf, len[which], len[which], &rng);
		rc = dfx_try(buf, m);
		if (rc < 0) {
			fprintf(stderr, "dump_fuzz: mutant %lu broke a promise\n", i);
			return 1;
		}
		loaded += rc == 0;
		rejected += rc == 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("dump_fuzz: %lu mutants (seed dump %zu bytes, %zu compressed): %lu rejected, "
		"%lu loaded and analysed, 0 failures, %.1f s\n", n, len[0], len[1], rejected, loaded,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(buf);
	free(data[0]);
	free(data[1]);
	objref_snapshot_free(s);
	return 0;
}

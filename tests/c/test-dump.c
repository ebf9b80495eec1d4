/*
 * tests/c/test-dump.c — dump files: round trips (every array, and the
 * analyses' results), metadata, identities, every kind of bad input,
 * write failures, fault injection, and a bounded fuzz run.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixtures.h"
#include "dump-fixtures.h"
#include "../../lib/dump_format.h"

/* A fresh directory under $TMPDIR for this test's files. */
static const char *tmpdir(void)
{
	static char dir[256];
	const char *base = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/objref-dump-XXXXXX", base && base[0] ? base : "/tmp");
	return mkdtemp(dir);
}

static void rmtree(const char *dir)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Every array of two snapshots equal. */
static int same_arrays(const objref_snapshot *a, const objref_snapshot *b)
{
	objref_snapshot_stats sa, sb;
	const objref_root *ra, *rb;
	size_t na, nb;

	objref_snapshot_stats_get(&sa, a);
	objref_snapshot_stats_get(&sb, b);
	ASSERT_EQ(sa.nobjects, sb.nobjects);
	ASSERT_EQ(sa.nedges, sb.nedges);
	ASSERT_EQ(sa.ntypes, sb.ntypes);
	ASSERT_EQ(sa.nstrings, sb.nstrings);
	ASSERT_EQ(sa.nroots, sb.nroots);
	ASSERT_EQ(sa.heap_bytes, sb.heap_bytes);
	for (objref_id i = 0; i < sa.nobjects; i++) {
		const objref_id *ta, *tb;
		const objref_label *la, *lb;
		size_t ea, eb;
		ASSERT_EQ(memcmp(objref_snapshot_object(a, i), objref_snapshot_object(b, i),
			sizeof(objref_object)), 0);
		ASSERT_EQ(objref_snapshot_edges(&ta, &la, &ea, a, i), 0);
		ASSERT_EQ(objref_snapshot_edges(&tb, &lb, &eb, b, i), 0);
		ASSERT_EQ(ea, eb);
		ASSERT_EQ(memcmp(ta, tb, ea * sizeof(*ta)), 0);
		ASSERT_EQ(memcmp(la, lb, ea * sizeof(*la)), 0);
	}
	for (objref_type_id i = 0; i < sa.ntypes; i++)
		ASSERT_EQ(memcmp(objref_snapshot_type(a, i), objref_snapshot_type(b, i),
			sizeof(objref_type)), 0);
	for (objref_str i = 0; i < sa.nstrings; i++)
		ASSERT_STR_EQ(objref_snapshot_string(a, i), objref_snapshot_string(b, i));
	ra = objref_snapshot_roots(a, &na);
	rb = objref_snapshot_roots(b, &nb);
	ASSERT_EQ(na, nb);
	for (size_t i = 0; i < na; i++) {
		ASSERT_EQ(ra[i].kind, rb[i].kind);
		ASSERT_EQ(ra[i].object, rb[i].object);
		ASSERT_EQ(ra[i].name, rb[i].name);
		ASSERT_EQ(ra[i].extra, rb[i].extra);
		ASSERT_EQ(ra[i].depth, rb[i].depth);
		ASSERT_EQ(ra[i].thread, rb[i].thread);
		ASSERT_EQ(ra[i].function, rb[i].function);
		ASSERT_EQ(ra[i].file, rb[i].file);
		ASSERT_EQ(ra[i].line, rb[i].line);
	}
	ASSERT_EQ(objref_snapshot_gc(a)->known, objref_snapshot_gc(b)->known);
	ASSERT_EQ(objref_snapshot_gc(a)->enabled, objref_snapshot_gc(b)->enabled);
	ASSERT_EQ(objref_snapshot_gc(a)->debug, objref_snapshot_gc(b)->debug);
	ASSERT_EQ(objref_snapshot_gc(a)->freeze_count, objref_snapshot_gc(b)->freeze_count);
	ASSERT_EQ(objref_snapshot_gc(a)->frozen_listed, objref_snapshot_gc(b)->frozen_listed);
	ASSERT_EQ(objref_snapshot_gc(a)->garbage_list, objref_snapshot_gc(b)->garbage_list);
	return TEST_OK;
}

/* The text of every analysis of snap: census, a chain per object, cycles. */
static int analyses_text(objref_buf *b, objref_snapshot *snap)
{
	objref_census *c = NULL;
	objref_paths *p = NULL;
	objref_cycles *cyc = NULL;

	ASSERT_EQ(objref_census_from_snapshot(&c, snap, OBJREF_CENSUS_LONGNAMES), 0);
	objref_census_sort(c);
	ASSERT_EQ(objref_format_census(b, objref_census_rows(c), objref_census_len(c)), 0);
	objref_census_free(c);
	ASSERT_EQ(objref_paths_new(&p, snap, NULL), 0);
	for (objref_id id = 0; id < objref_snapshot_nobjects(snap); id++) {
		objref_chain ch = { 0 };
		int rc = objref_paths_find(&ch, p, id, NULL);
		objref_buf_printf(b, "%u: %d ", id, rc);
		if (ch.n)
			ASSERT_EQ(objref_chain_format(b, snap, &ch, 0), 0);
		objref_buf_printf(b, "\n");
		objref_chain_dispose(&ch);
	}
	objref_paths_free(p);
	ASSERT_EQ(objref_cycles_find(&cyc, snap), 0);
	ASSERT_EQ(objref_cycles_format(b, cyc, 0, NULL, NULL), 0);
	objref_cycles_free(cyc);
	ASSERT(!objref_buf_failed(b));
	return TEST_OK;
}

static int roundtrip(int compress, unsigned flags)
{
	const char *dir = tmpdir();
	char path[300], tmp[310];
	objref_snapshot *orig = NULL, *back = NULL;
	objref_dump_options opts = OBJREF_DUMP_OPTIONS_INIT;
	objref_dump_info info, got;
	objref_buf ta = { 0 }, tb = { 0 };
	struct stat st;

	ASSERT(dir != NULL);
	snprintf(path, sizeof(path), "%s/heap.objref", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ASSERT_EQ(dfx_heap(&orig), 0);
	objref_dump_info_init(&info);
	snprintf(info.python_version, sizeof(info.python_version), "3.11.2");
	snprintf(info.python_build, sizeof(info.python_build), "main, Mar 13 2023");
	info.python_hexversion = 0x030B02F0;
	info.pid = 4242;
	info.process_start = 123456;
	info.boot_id = 99;
	info.sequence = 3;
	info.time_ns = 1700000000123456789ull;
	info.capture_flags = 1;
	info.walk_ns = 5000;
	opts.compress = compress;
	opts.info = &info;
	ASSERT_EQ(objref_dump_write(orig, path, &opts), 0);
	ASSERT_EQ(stat(tmp, &st), -1); /* renamed away */
	ASSERT_EQ(objref_dump_load(&back, &got, path, flags), 0);
	ASSERT_EQ(same_arrays(orig, back), TEST_OK);
	ASSERT_EQ(objref_snapshot_validate(back), 0);
	ASSERT_EQ(analyses_text(&ta, orig), TEST_OK);
	ASSERT_EQ(analyses_text(&tb, back), TEST_OK);
	ASSERT_STR_EQ(ta.data, tb.data);
	ASSERT(strstr(ta.data, "Node") != NULL); /* the cycles were found at all */
	ASSERT_EQ(got.format_version, OBJREF_DUMP_FORMAT_VERSION);
	ASSERT_STR_EQ(got.objref_version, objref_version());
	ASSERT_STR_EQ(got.python_version, "3.11.2");
	ASSERT_STR_EQ(got.python_build, "main, Mar 13 2023");
	ASSERT_EQ(got.python_hexversion, 0x030B02F0);
	ASSERT_EQ(got.pid, 4242);
	ASSERT_EQ(got.sequence, 3);
	ASSERT_EQ(got.time_ns, 1700000000123456789ull);
	ASSERT_EQ(got.walk_ns, 5000);
	ASSERT_EQ(got.capture_flags, 1);
	ASSERT_EQ(got.compressed, (uint32_t)compress);
	ASSERT(objref_dump_info_of(back) != NULL);
	ASSERT_EQ(objref_dump_info_of(back)->pid, 4242);
	ASSERT_NULL(objref_dump_info_of(orig));
	objref_buf_dispose(&ta);
	objref_buf_dispose(&tb);
	objref_snapshot_free(orig);
	objref_snapshot_free(back);
	rmtree(dir);
	return TEST_OK;
}

int test_dump_roundtrip(void)
{
	return roundtrip(0, 0);
}

int test_dump_roundtrip_compressed(void)
{
	return roundtrip(1, 0);
}

int test_dump_roundtrip_unchecked(void)
{
	return roundtrip(0, OBJREF_DUMP_NO_CHECKSUMS | OBJREF_DUMP_NO_BOUNDS);
}

int test_dump_roundtrip_read(void)
{
	return roundtrip(0, OBJREF_DUMP_NO_MMAP);
}

int test_dump_roundtrip_empty(void)
{
	objref_builder *b = NULL;
	objref_snapshot *s = NULL, *back = NULL;
	unsigned char *data;
	size_t len;

	ASSERT_EQ(objref_builder_new(&b), 0);
	ASSERT_EQ(objref_builder_finish(&s, b), 0);
	ASSERT_EQ(dfx_dump_bytes(&data, &len, s, 0, NULL), 0);
	ASSERT_EQ(objref_dump_load_buffer(&back, NULL, data, len, "empty", 0), 0);
	ASSERT_EQ(same_arrays(s, back), TEST_OK);
	ASSERT_EQ(objref_snapshot_nobjects(back), 0);
	free(data);
	objref_snapshot_free(s);
	objref_snapshot_free(back);
	return TEST_OK;
}

/* A loaded snapshot takes new strings (its table is copied out of the
 * mapping first) and keeps the old ones. */
int test_dump_add_string(void)
{
	objref_snapshot *s = NULL, *back = NULL;
	unsigned char *data;
	size_t len, n;
	objref_str id;

	ASSERT_EQ(dfx_heap(&s), 0);
	ASSERT_EQ(dfx_dump_bytes(&data, &len, s, 0, NULL), 0);
	ASSERT_EQ(objref_dump_load_buffer(&back, NULL, data, len, "mem", 0), 0);
	{
		objref_snapshot_stats st;
		objref_snapshot_stats_get(&st, back);
		n = st.nstrings;
	}
	ASSERT_EQ(objref_snapshot_add_string(&id, back, "a new name", 10), 0);
	ASSERT_EQ(id, n);
	ASSERT_STR_EQ(objref_snapshot_string(back, id), "a new name");
	ASSERT_EQ(objref_snapshot_add_string(&id, back, "'cache'", 7), 0);
	ASSERT_LT(id, n);
	ASSERT_STR_EQ(objref_snapshot_string(back, 0), "");
	free(data);
	objref_snapshot_free(s);
	objref_snapshot_free(back);
	return TEST_OK;
}

/* Load `len` bytes of data from a file; expect code and a message with
 * the file's name and `reason`. */
static int expect_bad(const char *dir, const void *data, size_t len, int code, const char *reason)
{
	char path[300];
	objref_snapshot *s = (objref_snapshot *)1;

	snprintf(path, sizeof(path), "%s/bad.objref", dir);
	ASSERT_EQ(write_file(path, data, len), 0);
	ASSERT_EQ(objref_dump_load(&s, NULL, path, 0), code);
	ASSERT_NULL(s);
	ASSERT(strstr(objref_error_last(), path) != NULL);
	if (!strstr(objref_error_last(), reason)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", objref_error_last(), reason);
		return TEST_FAIL;
	}
	return TEST_OK;
}

int test_dump_bad_inputs(void)
{
	const char *dir = tmpdir();
	objref_snapshot *s = NULL;
	unsigned char *data, *copy;
	size_t len;
	objref__dump_header h;
	char path[300];
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char json[] = "{\"snapshot\":{\"meta\":{}}}";

	ASSERT(dir != NULL);
	ASSERT_EQ(dfx_heap(&s), 0);
	ASSERT_EQ(dfx_dump_bytes(&data, &len, s, 0, NULL), 0);
	copy = malloc(len + 16);
	ASSERT(copy != NULL);
	ASSERT_EQ(expect_bad(dir, "", 0, OBJREF_EINVAL, "empty file"), TEST_OK);
	ASSERT_EQ(expect_bad(dir, png, sizeof(png), OBJREF_EINVAL, "not an objref dump"), TEST_OK);
	ASSERT_EQ(expect_bad(dir, json, strlen(json), OBJREF_EINVAL, "not an objref dump"), TEST_OK);
	ASSERT_EQ(expect_bad(dir, data, 100, OBJREF_ECORRUPT, "truncated"), TEST_OK);
	ASSERT_EQ(expect_bad(dir, data, len - 1, OBJREF_ECORRUPT, "truncated"), TEST_OK);
	ASSERT_EQ(expect_bad(dir, data, len / 2, OBJREF_ECORRUPT, "truncated"), TEST_OK);
	memcpy(copy, data, len);
	memset(copy + len, 0, 16);
	ASSERT_EQ(expect_bad(dir, copy, len + 16, OBJREF_ECORRUPT, "after the end"), TEST_OK);
	/* A future version, properly signed: "newer". */
	memcpy(&h, data, sizeof(h));
	h.version = OBJREF_DUMP_FORMAT_VERSION + 1;
	memcpy(copy, &h, sizeof(h));
	dfx_resign(copy, len);
	ASSERT_EQ(expect_bad(dir, copy, len, OBJREF_EINVAL, "newer than this objref"), TEST_OK);
	/* A bit flipped in the header, the table, and each section. */
	memcpy(copy, data, len);
	copy[50] ^= 4;
	ASSERT_EQ(expect_bad(dir, copy, len, OBJREF_ECORRUPT, "header checksum"), TEST_OK);
	memcpy(copy, data, len);
	copy[sizeof(h) + 9] ^= 1;
	ASSERT_EQ(expect_bad(dir, copy, len, OBJREF_ECORRUPT, "section table checksum"), TEST_OK);
	for (uint32_t i = 0; i < h.nsections; i++) {
		objref__dump_section sec;
		memcpy(&sec, data + sizeof(h) + i * sizeof(sec), sizeof(sec));
		if (!sec.length)
			continue;
		memcpy(copy, data, len);
		copy[sec.offset + sec.length / 2] ^= 0x10;
		ASSERT_EQ(expect_bad(dir, copy, len, OBJREF_ECORRUPT, "checksum mismatch"), TEST_OK);
		/* Re-signed, a bad id is caught by the bounds checks instead, or
		 * the change was harmless and the file loads (a size, a flag). */
	}
	/* An edge to a missing object, re-signed: only the bounds check sees it. */
	{
		objref__dump_section sec;
		for (uint32_t i = 0; i < h.nsections; i++) {
			memcpy(&sec, data + sizeof(h) + i * sizeof(sec), sizeof(sec));
			if (sec.kind == OBJREF__SEC_EDGE_DST)
				break;
		}
		memcpy(copy, data, len);
		memset(copy + sec.offset, 0xff, 4);
		dfx_resign(copy, len);
		ASSERT_EQ(expect_bad(dir, copy, len, OBJREF_ECORRUPT, "edge 0 names a missing object"), TEST_OK);
	}
	/* A gzip file of something else. */
	{
		char gzpath[300], cmd[400];
		snprintf(gzpath, sizeof(gzpath), "%s/x.gz", dir);
		snprintf(cmd, sizeof(cmd), "printf 'hello' | gzip > '%s'", gzpath);
		if (system(cmd) == 0) {
			objref_snapshot *x = NULL;
			ASSERT_EQ(objref_dump_load(&x, NULL, gzpath, 0), OBJREF_ECORRUPT);
			ASSERT(strstr(objref_error_last(), gzpath) != NULL);
		}
	}
	/* A directory; a missing file. */
	{
		objref_snapshot *x = NULL;
		ASSERT_EQ(objref_dump_load(&x, NULL, dir, 0), OBJREF_EIO);
	}
	ASSERT(strstr(objref_error_last(), "is a directory") != NULL);
	snprintf(path, sizeof(path), "%s/missing.objref", dir);
	{
		objref_snapshot *x = NULL;
		ASSERT_EQ(objref_dump_load(&x, NULL, path, 0), OBJREF_EIO);
		ASSERT(strstr(objref_error_last(), "No such file") != NULL);
	}
	free(copy);
	free(data);
	objref_snapshot_free(s);
	rmtree(dir);
	return TEST_OK;
}

/* A truncated compressed dump, and one cut in its header. */
int test_dump_bad_compressed(void)
{
	objref_snapshot *s = NULL, *x = NULL;
	const char *dir = tmpdir();
	unsigned char *data;
	size_t len;
	char path[300];

	ASSERT_EQ(dfx_heap(&s), 0);
	ASSERT_EQ(dfx_dump_bytes(&data, &len, s, 1, NULL), 0);
	ASSERT_EQ(data[0], 0x1f);
	snprintf(path, sizeof(path), "%s/c.objref", dir);
	for (size_t cut = 10; cut < len; cut += len / 7 + 1) {
		ASSERT_EQ(write_file(path, data, cut), 0);
		ASSERT_EQ(objref_dump_load(&x, NULL, path, 0), OBJREF_ECORRUPT);
		ASSERT(strstr(objref_error_last(), "truncated or corrupt") != NULL);
	}
	free(data);
	objref_snapshot_free(s);
	rmtree(dir);
	return TEST_OK;
}

/* Writing where it cannot: a clear EIO naming the file, nothing left. */
int test_dump_write_errors(void)
{
	objref_snapshot *s = NULL;
	const char *dir = tmpdir();
	char path[300], tmp[310];
	struct stat st;

	ASSERT_EQ(dfx_heap(&s), 0);
	snprintf(path, sizeof(path), "%s/no/such/dir/x.objref", dir);
	ASSERT_EQ(objref_dump_write(s, path, NULL), OBJREF_EIO);
	ASSERT(strstr(objref_error_last(), "x.objref.tmp: cannot create") != NULL);
	/* The target is a directory: the rename fails, the temp file goes. */
	snprintf(path, sizeof(path), "%s/adir", dir);
	ASSERT_EQ(mkdir(path, 0755), 0);
	snprintf(tmp, sizeof(tmp), "%s/adir/f", dir);
	ASSERT_EQ(write_file(tmp, "x", 1), 0);
	ASSERT_EQ(objref_dump_write(s, path, NULL), OBJREF_EIO);
	ASSERT(strstr(objref_error_last(), "cannot rename") != NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ASSERT_EQ(stat(tmp, &st), -1);
	/* A full disk: /dev/full fails every write with ENOSPC. */
	if (access("/dev/full", W_OK) == 0) {
		int fd = open("/dev/full", O_WRONLY);
		ASSERT_EQ(objref_dump_write_fd(fd, "/dev/full", s, NULL), OBJREF_EIO);
		ASSERT(strstr(objref_error_last(), "No space left") != NULL);
		close(fd);
	}
	objref_snapshot_free(s);
	rmtree(dir);
	return TEST_OK;
}

int test_dump_identity(void)
{
	objref_snapshot *a = NULL, *b = NULL;
	objref_builder *bl = NULL;
	objref_type_id t0, t1;
	objref_id id;
	uint8_t *is_new = NULL;
	size_t nnew;
	objref_object o = { .size = 16, .refcnt = 1 };

	ASSERT_EQ(dfx_heap(&a), 0);
	/* b: object 0 as in a (same address, same type), object 1 at a's
	 * object 1 address but another type, object 2 at a fresh address. */
	ASSERT_EQ(objref_builder_new(&bl), 0);
	ASSERT_EQ(objref_builder_type(&t0, bl, objref_snapshot_type(a, objref_snapshot_object(a, 0)->type)->addr,
		"builtins", "module", NULL), 0);
	ASSERT_EQ(objref_builder_type(&t1, bl, 0x999000, "app", "Other", NULL), 0);
	o.addr = objref_snapshot_object(a, 0)->addr;
	o.type = t0;
	ASSERT_EQ(objref_builder_object(&id, bl, &o), 0);
	o.addr = objref_snapshot_object(a, 1)->addr;
	o.type = t1;
	ASSERT_EQ(objref_builder_object(&id, bl, &o), 0);
	o.addr = 0x10;
	ASSERT_EQ(objref_builder_object(&id, bl, &o), 0);
	ASSERT_EQ(objref_builder_finish(&b, bl), 0);
	ASSERT_EQ(objref_dump_new_since(&is_new, &nnew, b, a), 0);
	ASSERT_EQ(nnew, 2);
	ASSERT_EQ(is_new[0], 0);
	ASSERT_EQ(is_new[1], 1);
	ASSERT_EQ(is_new[2], 1);
	objref_free(is_new);
	/* Stable ids: odd, below 2^53, equal for the same object, different
	 * for another type at the same address. */
	ASSERT_EQ(objref_dump_stable_id(a, 0) & 1, 1);
	ASSERT_LT(objref_dump_stable_id(a, 0), UINT64_C(1) << 53);
	ASSERT_EQ(objref_dump_stable_id(a, 0), objref_dump_stable_id(b, 0));
	ASSERT_NE(objref_dump_stable_id(a, 1), objref_dump_stable_id(b, 1));
	ASSERT_EQ(objref_dump_stable_id(a, OBJREF_NO_ID), 0);
	objref_snapshot_free(a);
	objref_snapshot_free(b);
	return TEST_OK;
}

/* Dumps of two processes, or given out of order, are refused. */
int test_dump_identity_process(void)
{
	objref_snapshot *s = NULL, *x = NULL, *y = NULL;
	objref_dump_info ia, ib;
	unsigned char *da, *db;
	size_t la, lb, nnew;
	uint8_t *is_new = NULL;

	ASSERT_EQ(dfx_heap(&s), 0);
	objref_dump_info_init(&ia);
	ia.pid = 7;
	ia.process_start = 100;
	ia.boot_id = 5;
	ia.sequence = 1;
	ib = ia;
	ib.sequence = 2;
	ASSERT_EQ(dfx_dump_bytes(&da, &la, s, 0, &ia), 0);
	ASSERT_EQ(dfx_dump_bytes(&db, &lb, s, 0, &ib), 0);
	ASSERT_EQ(objref_dump_load_buffer(&x, NULL, da, la, "a", 0), 0);
	ASSERT_EQ(objref_dump_load_buffer(&y, NULL, db, lb, "b", 0), 0);
	ASSERT_EQ(objref_dump_new_since(&is_new, &nnew, y, x), 0);
	ASSERT_EQ(nnew, 0);
	objref_free(is_new);
	ASSERT_EQ(objref_dump_new_since(&is_new, &nnew, x, y), OBJREF_EINVAL);
	ASSERT(strstr(objref_error_last(), "time order") != NULL);
	objref_snapshot_free(y);
	free(db);
	ib.process_start = 101; /* the pid was reused by another process */
	ASSERT_EQ(dfx_dump_bytes(&db, &lb, s, 0, &ib), 0);
	ASSERT_EQ(objref_dump_load_buffer(&y, NULL, db, lb, "b", 0), 0);
	ASSERT_EQ(objref_dump_new_since(&is_new, &nnew, y, x), OBJREF_EINVAL);
	ASSERT(strstr(objref_error_last(), "different processes") != NULL);
	ASSERT_NULL(is_new);
	objref_snapshot_free(x);
	objref_snapshot_free(y);
	objref_snapshot_free(s);
	free(da);
	free(db);
	return TEST_OK;
}

/* Fail each allocation of writing and of loading in turn. */
int test_dump_fault_injection(void)
{
	const char *dir = tmpdir();
	char path[300];
	objref_snapshot *s = NULL, *back = NULL;
	unsigned long made;
	objref_dump_options opts = OBJREF_DUMP_OPTIONS_INIT;

	ASSERT_EQ(dfx_heap(&s), 0);
	snprintf(path, sizeof(path), "%s/f.objref", dir);
	for (int compress = 0; compress < 2; compress++) {
		opts.compress = compress;
		objref_alloc_fail_nth(0);
		ASSERT_EQ(objref_dump_write(s, path, &opts), 0);
		made = objref_alloc_fail_nth(0);
		ASSERT_GT(made, 0);
		for (unsigned long n = 1; n <= made; n++) {
			objref_alloc_fail_nth(n);
			ASSERT_EQ(objref_dump_write(s, path, &opts), OBJREF_ENOMEM);
		}
		objref_alloc_fail_nth(0);
		ASSERT_EQ(objref_dump_write(s, path, &opts), 0);
		objref_alloc_fail_nth(0);
		ASSERT_EQ(objref_dump_load(&back, NULL, path, 0), 0);
		objref_snapshot_free(back);
		made = objref_alloc_fail_nth(0);
		ASSERT_GT(made, 0);
		for (unsigned long n = 1; n <= made; n++) {
			objref_alloc_fail_nth(n);
			back = NULL;
			ASSERT_EQ(objref_dump_load(&back, NULL, path, 0), OBJREF_ENOMEM);
			ASSERT_NULL(back);
		}
		objref_alloc_fail_nth(0);
	}
	objref_snapshot_free(s);
	rmtree(dir);
	return TEST_OK;
}

/* A bounded fuzz run (bench/dump_fuzz.c runs millions): every mutant is
 * rejected with a message naming it, or loads and survives the analyses. */
int test_dump_fuzz_quick(void)
{
	objref_snapshot *s = NULL;
	unsigned char *data, *buf;
	size_t len, loaded = 0, rejected = 0;
	uint64_t rng = 0x9E3779B97F4A7C15ull;

	ASSERT_EQ(dfx_heap(&s), 0);
	ASSERT_EQ(dfx_dump_bytes(&data, &len, s, 0, NULL), 0);
	ASSERT_EQ(dfx_try(data, len), 0);
	buf = malloc(len);
	ASSERT(buf != NULL);
	for (int i = 0; i < 3000; i++) {
		size_t n;
		int rc;
		memcpy(buf, data, len);
		n = dfx_mutate(buf, len, len, &rng);
		rc = dfx_try(buf, n);
		ASSERT_GE(rc, 0);
		loaded += rc == 0;
		rejected += rc == 1;
	}
	ASSERT_GT(rejected, 0);
	ASSERT_GT(loaded, 0); /* some harmless mutants load: the deep path ran */
	free(buf);
	free(data);
	objref_snapshot_free(s);
	return TEST_OK;
}

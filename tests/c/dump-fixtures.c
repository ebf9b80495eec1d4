/*
 * tests/c/dump-fixtures.c — the dump tests' heap, dump bytes and mutator
 * (see dump-fixtures.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include "dump-fixtures.h"
#include "objref/sys/builder.h"
#include "../../lib/dump_format.h"

typedef struct {
	objref_builder *b;
	int err;
	objref_id n;
} fb;

static objref_str str(fb *f, const char *s)
{
	objref_str id = 0;
	if (!f->err)
		f->err = objref_builder_string(&id, f->b, s, strlen(s));
	return id;
}

static objref_id obj(fb *f, objref_type_id t, uint64_t size, uint32_t flags, const char *desc)
{
	objref_object o = { .addr = 0x7f1000000000ull + 0x40ull * f->n, .size = size, .type = t,
		.refcnt = 1, .flags = flags, .desc = desc ? str(f, desc) : 0 };
	objref_id id = OBJREF_NO_ID;
	if (!f->err)
		f->err = objref_builder_object(&id, f->b, &o);
	f->n += !f->err;
	return id;
}

static void ref(fb *f, objref_id a, objref_id b, objref_label l)
{
	if (!f->err)
		f->err = objref_builder_edge(f->b, a, b, l);
}

static void root(fb *f, objref_root_kind kind, objref_id id, const char *name, uint32_t extra)
{
	objref_root r = { .kind = kind, .object = id, .name = str(f, name), .extra = extra };
	if (kind == OBJREF_ROOT_FRAME) {
		r.thread = 140000000001ull;
		r.depth = 1;
		r.function = str(f, "Worker.run");
		r.file = str(f, "/srv/app/worker.py");
		r.line = 42;
	}
	if (!f->err)
		f->err = objref_builder_root(f->b, &r);
}

#define KEY(f, k) OBJREF_LABEL(OBJREF_LABEL_KEY, str(f, k))
#define ATTR(f, k) OBJREF_LABEL(OBJREF_LABEL_ATTR, str(f, k))
#define IDX(i) OBJREF_LABEL(OBJREF_LABEL_INDEX, (i))
#define SPECIAL(s) OBJREF_LABEL(OBJREF_LABEL_SPECIAL, (s))

int dfx_heap(objref_snapshot **out)
{
	static const char *const tn[][2] = {
		{ "builtins", "module" }, { "builtins", "dict" }, { "builtins", "list" },
		{ "app", "Session" }, { "builtins", "tuple" }, { "builtins", "str" },
		{ "app", "Node" }, { "builtins", "int" }, { "builtins", "function" },
	};
	enum { T_MOD, T_DICT, T_LIST, T_SESSION, T_TUPLE, T_STR, T_NODE, T_INT, T_FUNC };
	objref_gc_state gc = { .known = 1, .enabled = 1, .debug = 0, .freeze_count = 1,
		.frozen_listed = 1, .garbage_list = 0x7f1000000800ull };
	fb f = { 0 };
	objref_type_id t;
	objref_id mod, mdict, cache, list, s[3], sd[3], tup[3], key, n1, n2, n3, loc, held, imm, gb, fr, fn;

	*out = NULL;
	if ((f.err = objref_builder_new(&f.b)) < 0)
		return f.err;
	for (size_t i = 0; i < sizeof(tn) / sizeof(tn[0]) && !f.err; i++) {
		f.err = objref_builder_type(&t, f.b, 0x5500000 + 0x100 * i, tn[i][0], tn[i][1],
			i == T_SESSION ? "web.Session" : tn[i][1]);
		if (!f.err)
			objref_builder_type_at(f.b, t)->flags = OBJREF_T_KNOWN |
				(i == T_STR || i == T_INT ? OBJREF_T_ATOMIC : OBJREF_T_GC);
	}
	mod = obj(&f, T_MOD, 72, OBJREF_F_TRACKED | OBJREF_F_MODULE | OBJREF_F_GCTYPE, "app");
	mdict = obj(&f, T_DICT, 1200, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_SIZE_EST, NULL);
	cache = obj(&f, T_DICT, 232, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
	list = obj(&f, T_LIST, 88, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, "len 3");
	for (int i = 0; i < 3; i++) {
		s[i] = obj(&f, T_SESSION, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
		sd[i] = obj(&f, T_DICT, 104, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
		tup[i] = obj(&f, T_TUPLE, 56, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, "len 2");
	}
	key = obj(&f, T_STR, 54, 0, "'cache'");
	n1 = obj(&f, T_NODE, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
	n2 = obj(&f, T_NODE, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
	n3 = obj(&f, T_NODE, 48, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_FINALIZED, NULL);
	loc = obj(&f, T_LIST, 56, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, "len 0");
	held = obj(&f, T_TUPLE, 40, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
	imm = obj(&f, T_INT, 28, OBJREF_F_IMMORTAL, "7");
	gb = obj(&f, T_LIST, 56, OBJREF_F_TRACKED | OBJREF_F_GCTYPE, NULL);
	fr = obj(&f, T_DICT, 64, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_FROZEN, NULL);
	fn = obj(&f, T_FUNC, 136, OBJREF_F_TRACKED | OBJREF_F_GCTYPE | OBJREF_F_FUNCTION, "handler");
	ref(&f, mod, mdict, SPECIAL(OBJREF_SP_DICT));
	ref(&f, mdict, cache, KEY(&f, "'cache'"));
	ref(&f, mdict, key, OBJREF_LABEL(OBJREF_LABEL_DICTKEY, 0));
	ref(&f, mdict, fn, KEY(&f, "'handler'"));
	ref(&f, cache, list, KEY(&f, "'sessions'"));
	for (int i = 0; i < 3; i++) {
		ref(&f, list, s[i], IDX(i));
		ref(&f, s[i], sd[i], SPECIAL(OBJREF_SP_DICT));
		ref(&f, sd[i], tup[i], KEY(&f, "'history'"));
		ref(&f, s[i], tup[i], ATTR(&f, "history"));
		ref(&f, tup[i], imm, IDX(0));
	}
	ref(&f, fn, mdict, OBJREF_LABEL(OBJREF_LABEL_NONE, 0));
	ref(&f, fn, loc, OBJREF_LABEL(OBJREF_LABEL_CELL, str(&f, "pending")));
	ref(&f, n1, n2, ATTR(&f, "next"));
	ref(&f, n2, n1, ATTR(&f, "prev"));
	ref(&f, n3, n3, SPECIAL(OBJREF_SP_HIDDEN));
	ref(&f, gb, held, SPECIAL(OBJREF_SP_SET_ITEM));
	ref(&f, fr, gb, OBJREF_LABEL(OBJREF_LABEL_LOCAL, str(&f, "x")));
	root(&f, OBJREF_ROOT_MODULE, mod, "app", 0);
	root(&f, OBJREF_ROOT_FRAME, loc, "pending", 0);
	root(&f, OBJREF_ROOT_HELD_FROM_C, held, "", 2);
	root(&f, OBJREF_ROOT_IMMORTAL, imm, "", 0);
	root(&f, OBJREF_ROOT_GC_GARBAGE, gb, "gc.garbage", 0);
	root(&f, OBJREF_ROOT_FROZEN, fr, "", 0);
	if (f.err) {
		objref_builder_free(f.b);
		return f.err;
	}
	objref_builder_gc_state(f.b, &gc);
	return objref_builder_finish(out, f.b);
}

int dfx_dump_bytes(unsigned char **data, size_t *len, const objref_snapshot *snap, int compress,
	const objref_dump_info *info)
{
	objref_dump_options opts = OBJREF_DUMP_OPTIONS_INIT;
	int fd = memfd_create("objref-dump", MFD_CLOEXEC), err;
	off_t end;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return OBJREF_EIO;
	opts.compress = compress;
	opts.info = info;
	if ((err = objref_dump_write_fd(fd, "memfd", snap, &opts)) < 0)
		goto cleanup;
	err = OBJREF_EIO;
	if ((end = lseek(fd, 0, SEEK_END)) < 0 || !(*data = malloc((size_t)end + 1)))
		goto cleanup;
	if (pread(fd, *data, (size_t)end, 0) != end) {
		free(*data);
		*data = NULL;
		goto cleanup;
	}
	*len = (size_t)end;
	err = 0;
cleanup:
	close(fd);
	return err;
}

void dfx_resign(unsigned char *data, size_t len)
{
	objref__dump_header h;
	objref__dump_section sec;
	size_t table;

	if (len < sizeof(h))
		return;
	memcpy(&h, data, sizeof(h));
	if (h.nsections > OBJREF__DUMP_MAX_SECTIONS)
		return;
	table = sizeof(h) + (size_t)h.nsections * sizeof(sec);
	if (table > len)
		return;
	for (uint32_t i = 0; i < h.nsections; i++) {
		memcpy(&sec, data + sizeof(h) + i * sizeof(sec), sizeof(sec));
		if (sec.offset <= len && sec.length <= len - sec.offset) {
			sec.crc = (uint32_t)crc32_z(0, data + sec.offset, sec.length);
			memcpy(data + sizeof(h) + i * sizeof(sec), &sec, sizeof(sec));
		}
	}
	h.table_crc = (uint32_t)crc32_z(0, data + sizeof(h), table - sizeof(h));
	h.header_crc = 0;
	h.header_crc = (uint32_t)crc32_z(0, (const unsigned char *)&h, sizeof(h));
	memcpy(data, &h, sizeof(h));
}

uint64_t dfx_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static uint64_t edge_value(uint64_t *rng, size_t len)
{
	static const uint64_t v[] = { 0, 1, 2, 7, 8, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff,
		0xfffffffe, 0x100000000ull, UINT64_MAX, UINT64_MAX - 1, 0x0fffffff, 0x10000000 };
	uint64_t r = dfx_rand(rng);

	switch (r % 4) {
	case 0: return len + (r >> 8) % 16 - 8;
	case 1: return (r >> 8) % 64;
	default: return v[(r >> 8) % (sizeof(v) / sizeof(v[0]))];
	}
}

/* Set the `width`-byte field at off to an edge value. */
static void set_field(unsigned char *buf, size_t len, size_t off, int width, uint64_t *rng)
{
	uint64_t v = edge_value(rng, len);
	if (off + (size_t)width <= len)
		memcpy(buf + off, &v, (size_t)width); /* little-endian host */
}

size_t dfx_mutate(unsigned char *buf, size_t len, size_t cap, uint64_t *rng)
{
	uint64_t r = dfx_rand(rng);
	size_t table_end = sizeof(objref__dump_header) + 9 * sizeof(objref__dump_section);
	int rounds = 1 + (int)(r % 4);

	(void)cap;
	for (int i = 0; i < rounds && len; i++) {
		uint64_t k = dfx_rand(rng);
		size_t at = (size_t)(dfx_rand(rng) % len);
		switch (k % 6) {
		case 0: buf[at] ^= (unsigned char)(1u << (k >> 8) % 8); break;   /* bit flip */
		case 1: buf[at] = (unsigned char)edge_value(rng, len); break;      /* byte */
		case 2: len = (size_t)(dfx_rand(rng) % (len + 1)); break;           /* truncate */
		case 3:                                                            /* header field */
			set_field(buf, len, (size_t)(dfx_rand(rng) % (sizeof(objref__dump_header) / 4)) * 4,
				(k >> 8) % 2 ? 8 : 4, rng);
			break;
		case 4:                                                            /* table field */
			set_field(buf, len, sizeof(objref__dump_header) +
				(size_t)(dfx_rand(rng) % ((table_end - sizeof(objref__dump_header)) / 4)) * 4,
				(k >> 8) % 2 ? 8 : 4, rng);
			break;
		default:                                                           /* data word */
			set_field(buf, len, at & ~(size_t)3, 4, rng);
			break;
		}
	}
	if (r >> 63)
		dfx_resign(buf, len);
	return len;
}

/* Use a loaded snapshot the way the analyses do; -1 if something broke. */
static int use(objref_snapshot *snap)
{
	objref_census *c = NULL;
	objref_paths *p = NULL;
	objref_cycles *cyc = NULL;
	objref_buf b = { 0 };
	size_t n = objref_snapshot_nobjects(snap), nroots;
	int rc = 0, err;
	char buf[64];

	err = objref_snapshot_validate(snap);
	if (err < 0 && !strstr(objref_error_last(), "share address")) {
		fprintf(stderr, "loaded a dump that fails validation: %s\n", objref_error_last());
		return -1;
	}
	(void)objref_snapshot_roots(snap, &nroots);
	for (objref_id id = 0; id < n; id++) {
		const objref_id *t;
		const objref_label *l;
		size_t ne;
		if (objref_snapshot_edges(&t, &l, &ne, snap, id) < 0)
			return -1;
		for (size_t e = 0; e < ne; e++)
			objref_label_format(buf, sizeof(buf), snap, l[e]);
	}
	if (objref_census_from_snapshot(&c, snap, 0) == 0)
		objref_census_free(c);
	if (objref_paths_new(&p, snap, NULL) == 0) {
		for (objref_id id = 0; id < n && id < 8; id++) {
			objref_chain ch = { 0 };
			if (objref_paths_find(&ch, p, id, NULL) == 0)
				objref_chain_format(&b, snap, &ch, 0);
			objref_chain_dispose(&ch);
		}
		objref_paths_free(p);
	}
	if (objref_cycles_find(&cyc, snap) == 0) {
		objref_cycles_format(&b, cyc, 0, NULL, NULL);
		objref_cycles_free(cyc);
	}
	objref_buf_dispose(&b);
	return rc;
}

int dfx_try(const unsigned char *data, size_t len)
{
	objref_snapshot *snap = NULL;
	int err = objref_dump_load_buffer(&snap, NULL, data, len, "fuzz", 0), rc;

	if (err < 0) {
		if (snap || strncmp(objref_error_last(), "fuzz: ", 6) != 0) {
			fprintf(stderr, "rejected without naming the file: %s\n", objref_error_last());
			return -1;
		}
		return 1;
	}
	rc = use(snap);
	objref_snapshot_free(snap);
	return rc;
}

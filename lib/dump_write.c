/*
 * lib/dump_write.c — writing a snapshot as a dump file (layout in
 * dump_format.h).  Sections are written straight from the snapshot's arrays
 * (objects, edges, types, strings); only roots and the census are copied
 * into records first.  Output goes through write(2) only, optionally
 * through zlib's deflate in gzip framing, so a forked child can use it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "snapshot_internal.h"
#include "dump_format.h"
#include "objref/dump.h"

#define OUT_CHUNK (256u * 1024u)

typedef struct {
	uint32_t kind;
	const void *data;
	uint64_t length, count;
} sec_src;

/* Where bytes go: the fd, through deflate when compressing. */
typedef struct {
	int fd;
	const char *name;
	z_stream z;
	int zinit;
	unsigned char *zbuf;
} sink;

void objref_dump_info_init(objref_dump_info *info)
{
	memset(info, 0, sizeof(*info));
	info->format_version = OBJREF_DUMP_FORMAT_VERSION;
	snprintf(info->objref_version, sizeof(info->objref_version), "%s", OBJREF_VERSION);
}

static int write_all(int fd, const char *name, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return objref__error(OBJREF_EIO, "%s: cannot write: %s", name,
				w < 0 ? strerror(errno) : "no progress");
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Deflate `len` bytes at p (flush: Z_FINISH at the end) and write out. */
static int deflate_out(sink *s, const void *p, size_t len, int flush)
{
	s->z.next_in = (Bytef *)(uintptr_t)p;
	s->z.avail_in = (uInt)len;
	do {
		int zr, err;
		s->z.next_out = s->zbuf;
		s->z.avail_out = OUT_CHUNK;
		zr = deflate(&s->z, flush);
		if (zr == Z_STREAM_ERROR)
			return objref__error(OBJREF_ERROR, "%s: compression failed", s->name);
		if ((err = write_all(s->fd, s->name, s->zbuf, OUT_CHUNK - s->z.avail_out)) < 0)
			return err;
	} while (s->z.avail_out == 0 || s->z.avail_in);
	return 0;
}

static int sink_put(sink *s, const void *p, size_t len)
{
	if (!s->zinit)
		return write_all(s->fd, s->name, p, len);
	while (len) {  /* avail_in is a uInt: feed at most 1 GiB at a time */
		size_t n = len > (1u << 30) ? (1u << 30) : len;
		int err = deflate_out(s, p, n, Z_NO_FLUSH);
		if (err < 0)
			return err;
		p = (const char *)p + n;
		len -= n;
	}
	return 0;
}

/* zlib's state from objref's allocator, as everything else (in a forked
 * child that is not the C library's malloc). */
static voidpf z_alloc(voidpf opaque, uInt n, uInt size)
{
	(void)opaque;
	return objref__calloc(n, size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	objref__free(p);
}

static int sink_open(sink *s, int fd, const char *name, int compress)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->name = name;
	if (!compress)
		return 0;
	if (!(s->zbuf = objref__malloc(OUT_CHUNK)))
		return OBJREF_ENOMEM;
	s->z.zalloc = z_alloc;
	s->z.zfree = z_free;
	/* 15 + 16: a gzip wrapper; level 1: a dump is written while a service
	 * waits for its memory back, speed matters more than the last bytes. */
	if (deflateInit2(&s->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		objref__free(s->zbuf);
		s->zbuf = NULL;
		return objref__error(OBJREF_ENOMEM, "%s: cannot start compression", name);
	}
	s->zinit = 1;
	return 0;
}

static int sink_close(sink *s, int ok)
{
	int err = 0;

	if (s->zinit) {
		if (ok)
			err = deflate_out(s, "", 0, Z_FINISH);
		deflateEnd(&s->z);
	}
	objref__free(s->zbuf);
	return err;
}

/* The root records with their padding zeroed (the struct's padding bytes
 * are undefined in memory; the file's are 0 so CRCs are reproducible). */
static objref_root *roots_records(const objref_snapshot *snap)
{
	objref_root *r = objref__calloc(OBJREF__MAX(snap->nroots, 1), sizeof(*r));

	for (size_t i = 0; r && i < snap->nroots; i++) {
		const objref_root *s = &snap->roots[i];
		r[i].kind = s->kind;
		r[i].object = s->object;
		r[i].name = s->name;
		r[i].extra = s->extra;
		r[i].depth = s->depth;
		r[i].thread = s->thread;
		r[i].function = s->function;
		r[i].file = s->file;
		r[i].line = s->line;
	}
	return r;
}

static objref__dump_census_row *census_rows(const objref_snapshot *snap)
{
	objref__dump_census_row *c = objref__calloc(OBJREF__MAX(snap->ntypes, 1), sizeof(*c));

	for (size_t i = 0; c && i < snap->nobjects; i++) {
		c[snap->objects[i].type].count++;
		c[snap->objects[i].type].bytes += snap->objects[i].size;
	}
	return c;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	memset(dst, 0, size);
	memcpy(dst, src, strnlen(src, size - 1));
}

static void fill_header(objref__dump_header *h, const objref_snapshot *snap,
	const objref_dump_info *info, uint32_t nsections, uint64_t file_size)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, OBJREF__DUMP_MAGIC, 8);
	h->version = OBJREF_DUMP_FORMAT_VERSION;
	h->header_size = OBJREF__DUMP_HEADER_SIZE;
	h->endian = OBJREF__DUMP_ENDIAN;
	h->nsections = nsections;
	h->file_size = file_size;
	h->pid = info->pid;
	h->python_hexversion = info->python_hexversion;
	h->process_start = info->process_start;
	h->boot_id = info->boot_id;
	h->sequence = info->sequence;
	h->time_ns = info->time_ns;
	h->walk_ns = info->walk_ns;
	h->capture_flags = info->capture_flags;
	h->gc_known = (uint32_t)snap->gc.known;
	h->gc_enabled = (uint32_t)snap->gc.enabled;
	h->gc_debug = snap->gc.debug;
	h->gc_freeze_count = snap->gc.freeze_count;
	h->gc_garbage_list = snap->gc.garbage_list;
	h->gc_frozen_listed = (uint32_t)snap->gc.frozen_listed;
	h->nobjects = snap->nobjects;
	h->nedges = snap->nedges;
	h->ntypes = snap->ntypes;
	h->nstrings = snap->strings.n;
	h->nroots = snap->nroots;
	copy_str(h->objref_version, sizeof(h->objref_version), OBJREF_VERSION);
	copy_str(h->python_version, sizeof(h->python_version), info->python_version);
	copy_str(h->python_build, sizeof(h->python_build), info->python_build);
}

static int write_sections(sink *s, const objref_snapshot *snap, const objref_dump_info *info,
	const sec_src *src, size_t n)
{
	static const char zeros[8];
	objref__dump_section table[OBJREF__SEC_COUNT];
	objref__dump_header h;
	uint64_t at = OBJREF__DUMP_HEADER_SIZE + n * OBJREF__DUMP_SECTION_SIZE;
	int err;

	memset(table, 0, sizeof(table));
	for (size_t i = 0; i < n; i++) {
		at = (at + 7) & ~(uint64_t)7;
		table[i].kind = src[i].kind;
		table[i].offset = at;
		table[i].length = src[i].length;
		table[i].count = src[i].count;
		table[i].crc = (uint32_t)crc32_z(0, src[i].data, (z_size_t)src[i].length);
		at += src[i].length;
	}
	fill_header(&h, snap, info, (uint32_t)n, at);
	h.table_crc = (uint32_t)crc32_z(0, (const Bytef *)table, n * sizeof(table[0]));
	h.header_crc = (uint32_t)crc32_z(0, (const Bytef *)&h, sizeof(h));
	if ((err = sink_put(s, &h, sizeof(h))) < 0 ||
	    (err = sink_put(s, table, n * sizeof(table[0]))) < 0)
		return err;
	at = OBJREF__DUMP_HEADER_SIZE + n * OBJREF__DUMP_SECTION_SIZE;
	for (size_t i = 0; i < n; i++) {
		if ((err = sink_put(s, zeros, table[i].offset - at)) < 0 ||
		    (err = sink_put(s, src[i].data, src[i].length)) < 0)
			return err;
		at = table[i].offset + table[i].length;
	}
	return 0;
}

int objref_dump_write_fd(int fd, const char *name, const objref_snapshot *snap,
	const objref_dump_options *opts)
{
	static const objref_dump_options defaults = OBJREF_DUMP_OPTIONS_INIT;
	objref_dump_info dflt;
	objref_root *roots = NULL;
	objref__dump_census_row *census = NULL;
	sink s;
	int err, opened = 0;

	if (!opts)
		opts = &defaults;
	if (opts->version != OBJREF_DUMP_OPTIONS_VERSION)
		return objref__error(OBJREF_EINVAL, "%s: dump options version %u, expected %u",
			name, opts->version, OBJREF_DUMP_OPTIONS_VERSION);
	if (!opts->info)
		objref_dump_info_init(&dflt);
	err = OBJREF_ENOMEM;
	if (!(roots = roots_records(snap)) || !(census = census_rows(snap)))
		goto cleanup;
	{
		const sec_src src[] = {
			{ OBJREF__SEC_TYPES, snap->types, snap->ntypes * sizeof(objref_type), snap->ntypes },
			{ OBJREF__SEC_STRING_OFFSETS, snap->strings.off, snap->strings.n * sizeof(uint64_t),
			  snap->strings.n },
			{ OBJREF__SEC_STRING_DATA, snap->strings.arena, snap->strings.arena_len,
			  snap->strings.arena_len },
			{ OBJREF__SEC_OBJECTS, snap->objects, snap->nobjects * sizeof(objref_object),
			  snap->nobjects },
			{ OBJREF__SEC_EDGE_START, snap->edge_start, (snap->nobjects + 1) * sizeof(uint64_t),
			  snap->nobjects + 1 },
			{ OBJREF__SEC_EDGE_DST, snap->edge_dst, snap->nedges * sizeof(objref_id), snap->nedges },
			{ OBJREF__SEC_EDGE_LABEL, snap->edge_label, snap->nedges * sizeof(objref_label),
			  snap->nedges },
			{ OBJREF__SEC_ROOTS, roots, snap->nroots * sizeof(objref_root), snap->nroots },
			{ OBJREF__SEC_CENSUS, census, snap->ntypes * sizeof(*census), snap->ntypes },
		};
		if ((err = sink_open(&s, fd, name, opts->compress)) < 0)
			goto cleanup;
		opened = 1;
		err = write_sections(&s, snap, opts->info ? opts->info : &dflt, src,
			sizeof(src) / sizeof(src[0]));
	}
cleanup:
	if (opened) {
		int cerr = sink_close(&s, err == 0);
		if (err == 0)
			err = cerr;
	}
	objref__free(roots);
	objref__free(census);
	return err;
}

int objref_dump_write(const objref_snapshot *snap, const char *path, const objref_dump_options *opts)
{
	char *tmp = NULL;
	size_t len = strlen(path);
	int fd = -1, created = 0, err = OBJREF_ENOMEM;

	if (!(tmp = objref__malloc(len + 5)))
		return OBJREF_ENOMEM;
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp", 5);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		err = objref__error(OBJREF_EIO, "%s: cannot create: %s", tmp, strerror(errno));
		goto cleanup;
	}
	created = 1;
	if ((err = objref_dump_write_fd(fd, tmp, snap, opts)) < 0)
		goto cleanup;
	if (fsync(fd) < 0 && errno != EINVAL) {
		err = objref__error(OBJREF_EIO, "%s: cannot write: %s", tmp, strerror(errno));
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		err = objref__error(OBJREF_EIO, "%s: cannot write: %s", tmp, strerror(errno));
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		err = objref__error(OBJREF_EIO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
cleanup:
	if (fd >= 0)
		close(fd);
	if (err < 0 && created)
		unlink(tmp);
	objref__free(tmp);
	return err;
}

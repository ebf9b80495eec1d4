/*
 * lib/dump_read.c — loading a dump file as a snapshot whose arrays point
 * into the file's private mapping (layout and invariants in dump_format.h).
 *
 * Every check is made before anything is trusted, in this order: magic,
 * size, version, byte order, header CRC, file size, section table CRC,
 * section bounds and record sizes, section CRCs (unless
 * OBJREF_DUMP_NO_CHECKSUMS), string table, then the ids inside the
 * sections (unless OBJREF_DUMP_NO_BOUNDS).  The first failure is the
 * message: "<file>: <what is wrong>".
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "snapshot_internal.h"
#include "dump_format.h"
#include "objref/dump.h"

/* The records of the file are the in-memory structs, byte for byte. */
_Static_assert(sizeof(objref_object) == 32 && offsetof(objref_object, type) == 16 &&
	offsetof(objref_object, desc) == 28, "objref_object layout");
_Static_assert(sizeof(objref_type) == 24 && offsetof(objref_type, flags) == 20, "objref_type layout");
_Static_assert(sizeof(objref_root) == 48 && offsetof(objref_root, thread) == 24 &&
	offsetof(objref_root, line) == 40 && sizeof(objref_root_kind) == 4, "objref_root layout");
_Static_assert(sizeof(objref_id) == 4 && sizeof(objref_label) == 4, "id sizes");

static const uint64_t record_size[OBJREF__SEC_COUNT] = {
	[OBJREF__SEC_TYPES] = sizeof(objref_type),
	[OBJREF__SEC_STRING_OFFSETS] = sizeof(uint64_t),
	[OBJREF__SEC_STRING_DATA] = 1,
	[OBJREF__SEC_OBJECTS] = sizeof(objref_object),
	[OBJREF__SEC_EDGE_START] = sizeof(uint64_t),
	[OBJREF__SEC_EDGE_DST] = sizeof(objref_id),
	[OBJREF__SEC_EDGE_LABEL] = sizeof(objref_label),
	[OBJREF__SEC_ROOTS] = sizeof(objref_root),
	[OBJREF__SEC_CENSUS] = sizeof(objref__dump_census_row),
};

static const char *const section_name[OBJREF__SEC_COUNT] = {
	[OBJREF__SEC_TYPES] = "types", [OBJREF__SEC_STRING_OFFSETS] = "string offsets",
	[OBJREF__SEC_STRING_DATA] = "strings", [OBJREF__SEC_OBJECTS] = "objects",
	[OBJREF__SEC_EDGE_START] = "edge offsets", [OBJREF__SEC_EDGE_DST] = "edge targets",
	[OBJREF__SEC_EDGE_LABEL] = "edge labels", [OBJREF__SEC_ROOTS] = "roots",
	[OBJREF__SEC_CENSUS] = "census",
};

/* What backs a loaded snapshot: the mapping or buffer, and the header. */
typedef struct {
	void *base;
	size_t len;
	int mapped;            /* munmap, else objref__free */
	objref_dump_info info;
} backing;

/* A file being checked. */
typedef struct {
	const unsigned char *base;
	size_t len;
	const char *name;
	unsigned flags;
	objref__dump_header h;
	const objref__dump_section *sec[OBJREF__SEC_COUNT];
} loader;

#define BAD(ld, ...) bad_(ld, OBJREF_ECORRUPT, __VA_ARGS__)

static int bad_(const loader *ld, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad_(const loader *ld, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return objref__error(code, "%s: %s", ld->name, msg);
}

static int check_header(loader *ld)
{
	objref__dump_header *h = &ld->h;
	uint32_t crc;

	if (ld->len == 0)
		return bad_(ld, OBJREF_EINVAL, "empty file, not an objref dump");
	if (ld->len < 8 || memcmp(ld->base, OBJREF__DUMP_MAGIC, 8) != 0)
		return bad_(ld, OBJREF_EINVAL, "not an objref dump (no \\x89ORDUMP magic at its start)");
	if (ld->len < OBJREF__DUMP_HEADER_SIZE)
		return BAD(ld, "truncated: %zu bytes, the header alone has %u", ld->len,
			OBJREF__DUMP_HEADER_SIZE);
	memcpy(h, ld->base, sizeof(*h));
	if (h->endian != OBJREF__DUMP_ENDIAN && h->endian == 0x04030201u)
		return bad_(ld, OBJREF_EINVAL, "written in big-endian byte order, which this build does not read");
	crc = h->header_crc;
	h->header_crc = 0;
	if ((uint32_t)crc32_z(0, (const Bytef *)h, sizeof(*h)) != crc)
		return h->version > OBJREF_DUMP_FORMAT_VERSION
			? bad_(ld, OBJREF_EINVAL, "format version %u is newer than this objref's (%u): "
				"read it with a newer objref", h->version, OBJREF_DUMP_FORMAT_VERSION)
			: BAD(ld, "header checksum mismatch (the file is corrupt)");
	h->header_crc = crc;
	if (h->version > OBJREF_DUMP_FORMAT_VERSION)
		return bad_(ld, OBJREF_EINVAL, "format version %u is newer than this objref's (%u): "
			"read it with a newer objref", h->version, OBJREF_DUMP_FORMAT_VERSION);
	if (h->version == 0 || h->header_size != OBJREF__DUMP_HEADER_SIZE ||
	    h->endian != OBJREF__DUMP_ENDIAN)
		return BAD(ld, "inconsistent header (version %u, header size %u)", h->version,
			h->header_size);
	if (h->file_size > ld->len)
		return BAD(ld, "truncated: %zu bytes of %llu", ld->len, (unsigned long long)h->file_size);
	if (h->file_size < ld->len)
		return BAD(ld, "%llu bytes after the end of the dump", (unsigned long long)(ld->len - h->file_size));
	if (h->nsections == 0 || h->nsections > OBJREF__DUMP_MAX_SECTIONS ||
	    OBJREF__DUMP_HEADER_SIZE + (uint64_t)h->nsections * OBJREF__DUMP_SECTION_SIZE > ld->len)
		return BAD(ld, "section table of %u entries does not fit", h->nsections);
	if ((uint32_t)crc32_z(0, ld->base + OBJREF__DUMP_HEADER_SIZE,
			h->nsections * OBJREF__DUMP_SECTION_SIZE) != h->table_crc)
		return BAD(ld, "section table checksum mismatch (the file is corrupt)");
	if (h->nobjects >= OBJREF_NO_ID || h->ntypes >= UINT32_MAX || h->nstrings >= UINT32_MAX ||
	    h->nroots > UINT32_MAX || h->nstrings == 0)
		return BAD(ld, "impossible counts (%llu objects, %llu strings)",
			(unsigned long long)h->nobjects, (unsigned long long)h->nstrings);
	return 0;
}

/* The count each section must have, from the header. */
static uint64_t expected_count(const objref__dump_header *h, uint32_t kind)
{
	switch (kind) {
	case OBJREF__SEC_TYPES: case OBJREF__SEC_CENSUS: return h->ntypes;
	case OBJREF__SEC_STRING_OFFSETS: return h->nstrings;
	case OBJREF__SEC_OBJECTS: return h->nobjects;
	case OBJREF__SEC_EDGE_START: return h->nobjects + 1;
	case OBJREF__SEC_EDGE_DST: case OBJREF__SEC_EDGE_LABEL: return h->nedges;
	case OBJREF__SEC_ROOTS: return h->nroots;
	default: return UINT64_MAX; /* STRING_DATA: any */
	}
}

static int check_table(loader *ld)
{
	const objref__dump_section *t = (const void *)(ld->base + OBJREF__DUMP_HEADER_SIZE);
	uint64_t data_start = OBJREF__DUMP_HEADER_SIZE + (uint64_t)ld->h.nsections * OBJREF__DUMP_SECTION_SIZE;

	for (uint32_t i = 0; i < ld->h.nsections; i++) {
		const objref__dump_section *s = &t[i];
		uint64_t want;
		if (s->kind == 0 || s->kind >= OBJREF__SEC_COUNT)
			continue; /* a later version's section: skipped */
		if (ld->sec[s->kind])
			return BAD(ld, "section %s appears twice", section_name[s->kind]);
		if (s->offset % 8 || s->offset < data_start || s->offset > ld->len ||
		    s->length > ld->len - s->offset)
			return BAD(ld, "section %s (offset %llu, %llu bytes) lies outside the file",
				section_name[s->kind], (unsigned long long)s->offset,
				(unsigned long long)s->length);
		want = expected_count(&ld->h, s->kind);
		if ((want != UINT64_MAX && s->count != want) ||
		    s->count > s->length || s->length != s->count * record_size[s->kind])
			return BAD(ld, "section %s holds %llu records in %llu bytes, expected %llu",
				section_name[s->kind], (unsigned long long)s->count,
				(unsigned long long)s->length,
				(unsigned long long)(want == UINT64_MAX ? s->length : want));
		ld->sec[s->kind] = s;
	}
	for (uint32_t k = 1; k < OBJREF__SEC_COUNT; k++)
		if (!ld->sec[k])
			return BAD(ld, "section %s is missing", section_name[k]);
	return 0;
}

static int check_crcs(const loader *ld)
{
	for (uint32_t k = 1; k < OBJREF__SEC_COUNT; k++) {
		const objref__dump_section *s = ld->sec[k];
		if ((uint32_t)crc32_z(0, ld->base + s->offset, (z_size_t)s->length) != s->crc)
			return BAD(ld, "section %s checksum mismatch (the file is corrupt)", section_name[k]);
	}
	return 0;
}

#define SEC(ld, kind, type) ((const type *)(const void *)((ld)->base + (ld)->sec[kind]->offset))

static int check_strings(const loader *ld)
{
	const uint64_t *off = SEC(ld, OBJREF__SEC_STRING_OFFSETS, uint64_t);
	const char *data = SEC(ld, OBJREF__SEC_STRING_DATA, char);
	uint64_t len = ld->sec[OBJREF__SEC_STRING_DATA]->length;

	if (len == 0 || data[len - 1] != '\0')
		return BAD(ld, "the string data does not end with a NUL");
	if (off[0] >= len || data[off[0]] != '\0')
		return BAD(ld, "string 0 is not the empty string");
	if (ld->flags & OBJREF_DUMP_NO_BOUNDS)
		return 0;
	for (uint64_t i = 1; i < ld->h.nstrings; i++)
		if (off[i] >= len)
			return BAD(ld, "string %llu starts at %llu, past the %llu bytes of strings",
				(unsigned long long)i, (unsigned long long)off[i], (unsigned long long)len);
	return 0;
}

static int label_ok(objref_label l, uint64_t nstrings)
{
	switch (OBJREF_LABEL_KIND(l)) {
	case OBJREF_LABEL_KEY: case OBJREF_LABEL_ATTR:
	case OBJREF_LABEL_LOCAL: case OBJREF_LABEL_CELL:
		return OBJREF_LABEL_PAYLOAD(l) < nstrings;
	default:
		return 1;
	}
}

/* The ids inside the sections: what analyses index arrays with. */
static int check_ids(const loader *ld)
{
	const objref__dump_header *h = &ld->h;
	const objref_object *o = SEC(ld, OBJREF__SEC_OBJECTS, objref_object);
	const objref_type *t = SEC(ld, OBJREF__SEC_TYPES, objref_type);
	const uint64_t *start = SEC(ld, OBJREF__SEC_EDGE_START, uint64_t);
	const objref_id *dst = SEC(ld, OBJREF__SEC_EDGE_DST, objref_id);
	const objref_label *lab = SEC(ld, OBJREF__SEC_EDGE_LABEL, objref_label);
	const objref_root *r = SEC(ld, OBJREF__SEC_ROOTS, objref_root);

	for (uint64_t i = 0; i < h->ntypes; i++)
		if (t[i].name >= h->nstrings || t[i].module >= h->nstrings || t[i].qualname >= h->nstrings)
			return BAD(ld, "type %llu names a missing string", (unsigned long long)i);
	for (uint64_t i = 0; i < h->nobjects; i++)
		if (o[i].type >= h->ntypes || o[i].desc >= h->nstrings)
			return BAD(ld, "object %llu names a missing type or string", (unsigned long long)i);
	if (start[0] != 0 || start[h->nobjects] != h->nedges)
		return BAD(ld, "edge offsets span %llu..%llu, expected 0..%llu",
			(unsigned long long)start[0], (unsigned long long)start[h->nobjects],
			(unsigned long long)h->nedges);
	for (uint64_t i = 0; i < h->nobjects; i++)
		if (start[i] > start[i + 1])
			return BAD(ld, "edge offsets decrease at object %llu", (unsigned long long)i);
	for (uint64_t e = 0; e < h->nedges; e++)
		if (dst[e] >= h->nobjects || !label_ok(lab[e], h->nstrings))
			return BAD(ld, "edge %llu names a missing object or string", (unsigned long long)e);
	for (uint64_t i = 0; i < h->nroots; i++)
		if (r[i].kind < OBJREF_ROOT_MODULE || r[i].kind > OBJREF_ROOT_GC_GARBAGE ||
		    r[i].object >= h->nobjects || r[i].name >= h->nstrings ||
		    r[i].function >= h->nstrings || r[i].file >= h->nstrings)
			return BAD(ld, "root %llu names a missing object or string", (unsigned long long)i);
	return 0;
}

static void fill_info(objref_dump_info *info, const objref__dump_header *h)
{
	memset(info, 0, sizeof(*info));
	info->format_version = h->version;
	memcpy(info->objref_version, h->objref_version, sizeof(h->objref_version));
	info->objref_version[sizeof(info->objref_version) - 1] = '\0';
	memcpy(info->python_version, h->python_version, sizeof(h->python_version));
	info->python_version[sizeof(info->python_version) - 1] = '\0';
	memcpy(info->python_build, h->python_build, sizeof(h->python_build));
	info->python_build[sizeof(info->python_build) - 1] = '\0';
	info->python_hexversion = h->python_hexversion;
	info->pid = h->pid;
	info->process_start = h->process_start;
	info->boot_id = h->boot_id;
	info->sequence = h->sequence;
	info->time_ns = h->time_ns;
	info->walk_ns = h->walk_ns;
	info->capture_flags = h->capture_flags;
	info->file_size = h->file_size;
}

static void release_backing(objref_snapshot *snap)
{
	backing *bk = snap->release_arg;

	if (bk->mapped)
		munmap(bk->base, bk->len);
	else
		objref__free(bk->base);
	objref__free(bk);
}

/* Point a new snapshot's arrays into the checked file. */
static int make_snapshot(objref_snapshot **out, const loader *ld, backing *bk)
{
	const objref__dump_header *h = &ld->h;
	objref_snapshot *s = objref__calloc(1, sizeof(*s));

	if (!s)
		return OBJREF_ENOMEM;
	s->objects = (objref_object *)SEC(ld, OBJREF__SEC_OBJECTS, objref_object);
	s->nobjects = h->nobjects;
	s->edge_start = (uint64_t *)SEC(ld, OBJREF__SEC_EDGE_START, uint64_t);
	s->edge_dst = (objref_id *)SEC(ld, OBJREF__SEC_EDGE_DST, objref_id);
	s->edge_label = (objref_label *)SEC(ld, OBJREF__SEC_EDGE_LABEL, objref_label);
	s->nedges = h->nedges;
	s->types = (objref_type *)SEC(ld, OBJREF__SEC_TYPES, objref_type);
	s->ntypes = h->ntypes;
	s->roots = (objref_root *)SEC(ld, OBJREF__SEC_ROOTS, objref_root);
	s->nroots = h->nroots;
	s->strings.arena = (char *)SEC(ld, OBJREF__SEC_STRING_DATA, char);
	s->strings.arena_len = s->strings.arena_cap = ld->sec[OBJREF__SEC_STRING_DATA]->length;
	s->strings.off = (uint64_t *)SEC(ld, OBJREF__SEC_STRING_OFFSETS, uint64_t);
	s->strings.n = s->strings.off_cap = h->nstrings;
	s->strings_borrowed = 1;
	s->gc.known = h->gc_known != 0;
	s->gc.enabled = h->gc_enabled != 0;
	s->gc.debug = h->gc_debug;
	s->gc.freeze_count = h->gc_freeze_count;
	s->gc.garbage_list = h->gc_garbage_list;
	s->gc.frozen_listed = h->gc_frozen_listed != 0;
	fill_info(&bk->info, h);
	s->release = release_backing;
	s->release_arg = bk;
	*out = s;
	return 0;
}

/* Check the dump in bk and make a snapshot of it; bk is taken over (freed
 * on failure). */
static int load_backing(objref_snapshot **out, objref_dump_info *info, backing *bk,
	const char *name, unsigned flags)
{
	loader ld = { .base = bk->base, .len = bk->len, .name = name, .flags = flags };
	int err;

	if ((err = check_header(&ld)) < 0 || (err = check_table(&ld)) < 0 ||
	    (!(flags & OBJREF_DUMP_NO_CHECKSUMS) && (err = check_crcs(&ld)) < 0) ||
	    (err = check_strings(&ld)) < 0 ||
	    (!(flags & OBJREF_DUMP_NO_BOUNDS) && (err = check_ids(&ld)) < 0) ||
	    (err = make_snapshot(out, &ld, bk)) < 0) {
		release_backing(&(objref_snapshot){ .release_arg = bk });
		return err;
	}
	if (info)
		*info = bk->info;
	return 0;
}

/* A gzip-compressed dump, inflated into bk.  fd is consumed. */
static int inflate_file(backing *bk, int fd, const char *name, uint64_t csize)
{
	gzFile gz = gzdopen(fd, "rb");
	objref__dump_header h;
	int n, err = 0;

	if (!gz) {
		close(fd);
		return OBJREF_ENOMEM;
	}
	gzbuffer(gz, 256 * 1024);
	n = gzread(gz, &h, sizeof(h));
	if (n >= 8 && memcmp(h.magic, OBJREF__DUMP_MAGIC, 8) != 0) {
		err = objref__error(OBJREF_EINVAL, "%s: a gzip file that holds no objref dump", name);
		goto cleanup;
	}
	if (n != (int)sizeof(h)) {
		err = objref__error(OBJREF_ECORRUPT, "%s: compressed dump truncated or corrupt", name);
		goto cleanup;
	}
	/* Deflate cannot expand by more than about 1032:1: a bigger claim is
	 * corrupt, and must not make us allocate it. */
	if (h.file_size < sizeof(h) || h.file_size / 1100 > csize || h.file_size > SIZE_MAX / 2) {
		err = objref__error(OBJREF_ECORRUPT, "%s: compressed dump claims an impossible size", name);
		goto cleanup;
	}
	if (!(bk->base = objref__malloc(h.file_size))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	bk->len = h.file_size;
	memcpy(bk->base, &h, sizeof(h));
	for (size_t at = sizeof(h); at < bk->len && !err; ) {
		size_t want = OBJREF__MIN(bk->len - at, (size_t)1 << 30);
		n = gzread(gz, (char *)bk->base + at, (unsigned)want);
		if (n <= 0)
			err = objref__error(OBJREF_ECORRUPT, "%s: compressed dump truncated or corrupt (%zu bytes of %zu)",
				name, at, bk->len);
		at += n > 0 ? (size_t)n : 0;
	}
cleanup:
	gzclose(gz);
	return err;
}

/* Read or map path into bk. */
static int open_file(backing *bk, const char *path, unsigned flags)
{
	unsigned char magic[2] = { 0, 0 };
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return objref__error(OBJREF_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		err = objref__error(OBJREF_EIO, "%s: %s", path, S_ISDIR(st.st_mode)
			? "is a directory, not a dump file" : "not a regular file");
		goto cleanup;
	}
	if (st.st_size >= 2 && pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		err = inflate_file(bk, fd, path, (uint64_t)st.st_size);
		bk->info.compressed = 1;
		return err;
	}
	bk->len = (size_t)st.st_size;
	if (bk->len && !(flags & OBJREF_DUMP_NO_MMAP)) {
		void *p = mmap(NULL, bk->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			bk->base = p;
			bk->mapped = 1;
			goto cleanup;
		}
	}
	if (!(bk->base = objref__malloc(bk->len))) {
		err = OBJREF_ENOMEM;
		goto cleanup;
	}
	for (size_t at = 0; at < bk->len; ) {
		ssize_t r = pread(fd, (char *)bk->base + at, bk->len - at, (off_t)at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = objref__error(OBJREF_EIO, "%s: cannot read: %s", path,
				r < 0 ? strerror(errno) : "the file shrank while read");
			break;
		}
		at += (size_t)r;
	}
cleanup:
	close(fd);
	return err;
}

int objref_dump_load(objref_snapshot **out, objref_dump_info *info, const char *path, unsigned flags)
{
	backing *bk = objref__calloc(1, sizeof(*bk));
	int err, compressed;

	*out = NULL;
	if (!bk)
		return OBJREF_ENOMEM;
	if ((err = open_file(bk, path, flags)) < 0) {
		release_backing(&(objref_snapshot){ .release_arg = bk });
		return err;
	}
	compressed = bk->info.compressed;
	if ((err = load_backing(out, info, bk, path, flags)) < 0)
		return err;
	bk->info.compressed = (uint32_t)compressed;
	if (info)
		info->compressed = (uint32_t)compressed;
	return 0;
}

int objref_dump_load_buffer(objref_snapshot **out, objref_dump_info *info, const void *data,
	size_t len, const char *name, unsigned flags)
{
	backing *bk = objref__calloc(1, sizeof(*bk));

	*out = NULL;
	if (!bk || !(bk->base = objref__malloc(len))) {
		objref__free(bk);
		return OBJREF_ENOMEM;
	}
	memcpy(bk->base, data, len);
	bk->len = len;
	return load_backing(out, info, bk, name ? name : "<buffer>", flags);
}

const objref_dump_info *objref_dump_info_of(const objref_snapshot *snap)
{
	return snap->release == release_backing ? &((const backing *)snap->release_arg)->info : NULL;
}

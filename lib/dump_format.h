/*
 * lib/dump_format.h — the on-disk layout of a dump (docs/dump-format.md is
 * the prose of this file; keep them together).
 *
 *   header      256 bytes at offset 0 (objref__dump_header)
 *   table       nsections x 40 bytes right after it (objref__dump_section)
 *   sections    each at an offset that is a multiple of 8, in any order,
 *               inside the file, not overlapping; zero padding between.
 *
 * Every integer is little-endian.  Records are the in-memory structs of
 * include/objref/snapshot.h on a little-endian LP64 host, byte for byte
 * (static assertions in dump_read.c hold the layouts to that), so a mapped
 * section is used in place.  Padding inside records is written as zeros.
 *
 * Invariants a loaded file satisfies (after the checks of
 * objref_dump_load with flags 0):
 *   - magic, version <= OBJREF_DUMP_FORMAT_VERSION, header CRC, table CRC;
 *   - every required section present once, its length == count x record
 *     size, its CRC matching;
 *   - the counts agree: OBJECTS count == nobjects, EDGE_START count ==
 *     nobjects + 1, EDGE_DST and EDGE_LABEL counts == nedges ...;
 *   - STRING_DATA ends with a NUL, every string offset is inside it, and
 *     string 0 is "";
 *   - the snapshot invariants that analyses rely on without checking:
 *     type, string, edge and root ids in range, CSR offsets
 *     non-decreasing from 0 to nedges.  (Duplicate addresses are not
 *     checked: nothing crashes on them.)
 */
#ifndef OBJREF_DUMP_FORMAT_H
#define OBJREF_DUMP_FORMAT_H

#include <stdint.h>

/* "\x89ORDUMP\n": the high byte catches 7-bit transfers, the newline a
 * text-mode one, the name a glance with `head -c 8`. */
#define OBJREF__DUMP_MAGIC "\x89ORDUMP\n"
#define OBJREF__DUMP_HEADER_SIZE 256u
#define OBJREF__DUMP_SECTION_SIZE 40u
#define OBJREF__DUMP_ENDIAN 0x01020304u
#define OBJREF__DUMP_MAX_SECTIONS 64u

typedef enum {
	OBJREF__SEC_TYPES = 1,        /* ntypes x objref_type (24 B) */
	OBJREF__SEC_STRING_OFFSETS,   /* nstrings x uint64: start of each string */
	OBJREF__SEC_STRING_DATA,      /* bytes: NUL-terminated strings */
	OBJREF__SEC_OBJECTS,          /* nobjects x objref_object (32 B) */
	OBJREF__SEC_EDGE_START,       /* nobjects + 1 x uint64 (CSR offsets) */
	OBJREF__SEC_EDGE_DST,         /* nedges x uint32 */
	OBJREF__SEC_EDGE_LABEL,       /* nedges x uint32 (objref_label) */
	OBJREF__SEC_ROOTS,            /* nroots x objref_root (48 B) */
	OBJREF__SEC_CENSUS,           /* ntypes x objref__dump_census_row (16 B) */
	OBJREF__SEC_COUNT             /* one past the last known kind */
} objref__dump_section_kind;

/* Per type: how many objects of the type, and their bytes. */
typedef struct {
	uint64_t count;
	uint64_t bytes;
} objref__dump_census_row;

typedef struct {
	uint32_t kind;     /* objref__dump_section_kind; unknown kinds are skipped */
	uint32_t flags;    /* 0 */
	uint64_t offset;   /* from the start of the file, a multiple of 8 */
	uint64_t length;   /* bytes */
	uint64_t count;    /* records */
	uint32_t crc;      /* zlib crc32 of the length bytes */
	uint32_t reserved; /* 0 */
} objref__dump_section;

typedef struct {
	char magic[8];              /*   0 OBJREF__DUMP_MAGIC */
	uint32_t version;           /*   8 format version */
	uint32_t header_size;       /*  12 OBJREF__DUMP_HEADER_SIZE */
	uint32_t endian;            /*  16 OBJREF__DUMP_ENDIAN as written */
	uint32_t nsections;         /*  20 entries of the section table */
	uint64_t file_size;         /*  24 bytes of the whole (uncompressed) file */
	uint32_t header_crc;        /*  32 crc32 of the header with this field 0 */
	uint32_t table_crc;         /*  36 crc32 of the section table */
	uint32_t pid;               /*  40 */
	uint32_t python_hexversion; /*  44 */
	uint64_t process_start;     /*  48 */
	uint64_t boot_id;           /*  56 */
	uint64_t sequence;          /*  64 */
	uint64_t time_ns;           /*  72 */
	uint64_t walk_ns;           /*  80 */
	uint32_t capture_flags;     /*  88 */
	uint32_t gc_known;          /*  92 objref_gc_state, field by field */
	uint32_t gc_enabled;        /*  96 */
	uint32_t gc_debug;          /* 100 */
	uint64_t gc_freeze_count;   /* 104 */
	uint64_t gc_garbage_list;   /* 112 */
	uint32_t gc_frozen_listed;  /* 120 */
	uint32_t reserved0;         /* 124 */
	uint64_t nobjects;          /* 128 */
	uint64_t nedges;            /* 136 */
	uint64_t ntypes;            /* 144 */
	uint64_t nstrings;          /* 152 */
	uint64_t nroots;            /* 160 */
	char objref_version[16];    /* 168 */
	char python_version[24];    /* 184 */
	char python_build[48];      /* 208 */
} objref__dump_header;          /* 256 */

_Static_assert(sizeof(objref__dump_header) == OBJREF__DUMP_HEADER_SIZE, "dump header size");
_Static_assert(sizeof(objref__dump_section) == OBJREF__DUMP_SECTION_SIZE, "dump section size");

#endif

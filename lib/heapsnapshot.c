/*
 * lib/heapsnapshot.c — a snapshot as V8's .heapsnapshot JSON, streamed
 * (the mapping is in objref/heapsnapshot.h).
 *
 * The loader (devtools-frontend HeapSnapshotLoader.ts) reads "snapshot"
 * (meta, node_count, edge_count) with JSON.parse, then the "nodes" and
 * "edges" arrays digit run by digit run into 32-bit arrays, then
 * "strings" with JSON.parse.  So every number written is an unsigned
 * integer below 2^32, the counts in the header must be exact, edges come in
 * node order (a node's edge_count edges follow the previous node's), and
 * to_node is a node's index times the number of node fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "snapshot_internal.h"
#include "objref/heapsnapshot.h"

#define NODE_FIELDS 7
#define OUT_SIZE (64u * 1024u)

enum { NT_OBJECT = 3, NT_SYNTHETIC = 9 };
enum { ET_ELEMENT = 1, ET_PROPERTY = 2, ET_INTERNAL = 3 };

/* Root categories, by objref_root_kind. */
static const char *const category_name[] = {
	[OBJREF_ROOT_MODULE] = "(modules)", [OBJREF_ROOT_FRAME] = "(thread frames)",
	[OBJREF_ROOT_HELD_FROM_C] = "(held from C)", [OBJREF_ROOT_IMMORTAL] = "(immortal)",
	[OBJREF_ROOT_FROZEN] = "(frozen)", [OBJREF_ROOT_GC_GARBAGE] = "(gc.garbage)",
};
#define NCATEGORY (OBJREF_ROOT_GC_GARBAGE + 1)

/* The writer's state. */
typedef struct {
	const objref_snapshot *snap;
	objref_write_fn fn;
	void *arg;
	char *buf;
	size_t len;
	int err;
	objref__strtab strings;   /* the JSON's "strings" */
	uint32_t *type_name;      /* per type: its string */
	uint32_t *ids;            /* per object: its node id */
	uint32_t *lab_key, *lab_val; /* label -> string (open addressing; val 0: empty) */
	size_t lab_cap, lab_n;
	uint32_t cat_node[NCATEGORY]; /* node index of each category, 0: absent */
	uint32_t cat_edges[NCATEGORY];
	uint32_t ncat;
} hs;

static void flush(hs *w)
{
	if (!w->err && w->len)
		w->err = w->fn(w->buf, w->len, w->arg);
	w->len = 0;
}

static void put(hs *w, const char *s, size_t n)
{
	while (n && !w->err) {
		size_t k = OBJREF__MIN(n, OUT_SIZE - w->len);
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == OUT_SIZE)
			flush(w);
	}
}

static void puts_(hs *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_u64(hs *w, uint64_t v)
{
	char tmp[24];
	int i = 24;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, tmp + i, (size_t)(24 - i));
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 : (s[0] >> 3) == 30 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] >> 6) != 2)
			return 0;
	return n;
}

/* s as a JSON string: quotes, backslashes and controls escaped, invalid
 * UTF-8 (a description cut mid-character) as U+FFFD. */
static void put_json_string(hs *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	put(w, "\"", 1);
	while (*s) {
		size_t n = utf8_len(s);
		char esc[8];
		if (n == 0) {
			puts_(w, "\\ufffd");
			s++;
		} else if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*s++;
			put(w, esc, 2);
		} else if (*s < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *s++);
			put(w, esc, 6);
		} else {
			put(w, (const char *)s, n);
			s += n;
		}
	}
	put(w, "\"", 1);
}

/* ---- strings ----------------------------------------------------------- */

static uint32_t intern(hs *w, const char *s)
{
	uint32_t id = 0;
	int err;

	if (!w->err && (err = objref__strtab_intern(&id, &w->strings, s, strlen(s))) < 0)
		w->err = err;
	return id;
}

static int lab_grow(hs *w)
{
	size_t cap = w->lab_cap ? w->lab_cap * 2 : 1024;
	uint32_t *k = objref__calloc(cap, sizeof(uint32_t)), *v = objref__calloc(cap, sizeof(uint32_t));

	if (!k || !v) {
		objref__free(k);
		objref__free(v);
		return OBJREF_ENOMEM;
	}
	for (size_t i = 0; i < w->lab_cap; i++) {
		size_t h;
		if (!w->lab_val[i])
			continue;
		for (h = objref__hash64(w->lab_key[i]) & (cap - 1); v[h]; h = (h + 1) & (cap - 1))
			;
		k[h] = w->lab_key[i];
		v[h] = w->lab_val[i];
	}
	objref__free(w->lab_key);
	objref__free(w->lab_val);
	w->lab_key = k;
	w->lab_val = v;
	w->lab_cap = cap;
	return 0;
}

/* The string of a label's text (interned once per distinct label). */
static uint32_t label_string(hs *w, objref_label l)
{
	char text[512];
	size_t h;
	int err;

	if ((w->lab_n + 1) * 2 > w->lab_cap && (err = lab_grow(w)) < 0) {
		w->err = err;
		return 0;
	}
	for (h = objref__hash64(l) & (w->lab_cap - 1); w->lab_val[h]; h = (h + 1) & (w->lab_cap - 1))
		if (w->lab_key[h] == l)
			return w->lab_val[h] - 1;
	objref_label_format(text, sizeof(text), w->snap, l);
	w->lab_key[h] = l;
	w->lab_val[h] = intern(w, text) + 1;
	w->lab_n++;
	return w->lab_val[h] - 1;
}

/* "dict" for builtins, "app.Session" for the others. */
static int type_names(hs *w)
{
	const objref_snapshot *s = w->snap;
	char name[600];

	if (!(w->type_name = objref__calloc(OBJREF__MAX(s->ntypes, 1), sizeof(uint32_t))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < s->ntypes && !w->err; i++) {
		const char *mod = objref_snapshot_string(s, s->types[i].module);
		const char *qual = objref_snapshot_string(s, s->types[i].qualname);
		if (!qual[0])
			qual = objref_snapshot_string(s, s->types[i].name);
		if (!strcmp(mod, "builtins") || !mod[0])
			snprintf(name, sizeof(name), "%s", qual);
		else
			snprintf(name, sizeof(name), "%s.%s", mod, qual);
		w->type_name[i] = intern(w, name);
	}
	return w->err;
}

/* ---- ids -------------------------------------------------------------- */

uint32_t objref_heapsnapshot_id(const objref_snapshot *snap, objref_id id)
{
	const objref_object *o = objref_snapshot_object(snap, id);
	const objref_type *t = o ? objref_snapshot_type(snap, o->type) : NULL;
	uint32_t x;

	if (!o)
		return 0;
	/* 28 bits of the address (8-aligned: unique within 2 GiB) and 3 of the
	 * type's: another type at a reused address gets another id. */
	x = (uint32_t)((o->addr >> 3) & 0x0fffffffu) |
		(uint32_t)((objref__hash64(t ? t->addr : 0) & 7u) << 28);
	return x * 2 + 1;
}

/* The ids of every object, made unique by taking the next free odd
 * number; ids below first_free belong to the synthetic nodes. */
static int assign_ids(hs *w, uint32_t first_free)
{
	size_t n = w->snap->nobjects, cap = 64;
	uint32_t *set;

	while (cap < n * 2 + 2)
		cap *= 2;
	if (!(w->ids = objref__malloc(OBJREF__MAX(n, 1) * sizeof(uint32_t))) ||
	    !(set = objref__calloc(cap, sizeof(uint32_t))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t id = objref_heapsnapshot_id(w->snap, (objref_id)i);
		for (;;) {
			size_t h;
			if (id < first_free) {
				id = first_free;
				continue;
			}
			for (h = objref__hash64(id) & (cap - 1); set[h] && set[h] != id; h = (h + 1) & (cap - 1))
				;
			if (!set[h]) {
				set[h] = id;
				break;
			}
			id += 2; /* taken: the next odd number (wraps past 2^32 to 1) */
		}
		w->ids[i] = id;
	}
	objref__free(set);
	return 0;
}

/* ---- nodes and edges --------------------------------------------------- */

static void put_node(hs *w, uint32_t type, uint32_t name, uint32_t id, uint64_t size, uint64_t nedges)
{
	put_u64(w, type);
	put(w, ",", 1);
	put_u64(w, name);
	put(w, ",", 1);
	put_u64(w, id);
	put(w, ",", 1);
	put_u64(w, size > UINT32_MAX ? UINT32_MAX : size);
	put(w, ",", 1);
	put_u64(w, nedges);
	put(w, ",0,0", 4);
}

static void put_edge(hs *w, uint32_t type, uint32_t name_or_index, uint64_t to_node, int *first)
{
	if (!*first)
		put(w, ",", 1);
	*first = 0;
	put_u64(w, type);
	put(w, ",", 1);
	put_u64(w, name_or_index);
	put(w, ",", 1);
	put_u64(w, to_node * NODE_FIELDS);
}

static uint64_t obj_node(const hs *w, objref_id id)
{
	return 1 + (uint64_t)w->ncat + id;
}

static void write_nodes(hs *w)
{
	const objref_snapshot *s = w->snap;

	puts_(w, "\"nodes\":[");
	put_node(w, NT_SYNTHETIC, intern(w, ""), 1, 0, w->ncat);
	for (uint32_t k = 1; k < NCATEGORY; k++)
		if (w->cat_node[k]) {
			put(w, ",", 1);
			put_node(w, NT_SYNTHETIC, intern(w, category_name[k]), 1 + 2 * w->cat_node[k], 0,
				w->cat_edges[k]);
		}
	for (size_t i = 0; i < s->nobjects && !w->err; i++) {
		put(w, ",", 1);
		put_node(w, NT_OBJECT, w->type_name[s->objects[i].type], w->ids[i], s->objects[i].size,
			s->edge_start[i + 1] - s->edge_start[i]);
	}
	puts_(w, "],\n");
}

/* The name of a root record's edge from its category. */
static uint32_t root_edge_name(hs *w, const objref_root *r)
{
	const objref_snapshot *s = w->snap;
	char text[600];

	if (r->kind == OBJREF_ROOT_FRAME)
		snprintf(text, sizeof(text), "local %s in %s (%s:%u, thread %llu)",
			objref_snapshot_string(s, r->name), objref_snapshot_string(s, r->function),
			objref_snapshot_string(s, r->file), r->line, (unsigned long long)r->thread);
	else if (r->kind == OBJREF_ROOT_HELD_FROM_C && !objref_snapshot_string(s, r->name)[0])
		snprintf(text, sizeof(text), "(%u references unexplained)", r->extra);
	else
		snprintf(text, sizeof(text), "%s", objref_snapshot_string(s, r->name));
	return intern(w, text);
}

static void write_edges(hs *w)
{
	const objref_snapshot *s = w->snap;
	int first = 1;

	puts_(w, "\"edges\":[");
	for (uint32_t k = 1; k < NCATEGORY; k++)
		if (w->cat_node[k])
			put_edge(w, ET_ELEMENT, w->cat_node[k], w->cat_node[k], &first);
	for (uint32_t k = 1; k < NCATEGORY; k++)
		for (size_t i = 0; w->cat_node[k] && i < s->nroots; i++)
			if (s->roots[i].kind == k)
				put_edge(w, ET_PROPERTY, root_edge_name(w, &s->roots[i]),
					obj_node(w, s->roots[i].object), &first);
	for (size_t e = 0; e < s->nedges && !w->err; e++) {
		objref_label l = s->edge_label[e];
		objref_label_kind kind = OBJREF_LABEL_KIND(l);
		if (kind == OBJREF_LABEL_INDEX)
			put_edge(w, ET_ELEMENT, OBJREF_LABEL_PAYLOAD(l), obj_node(w, s->edge_dst[e]), &first);
		else if (kind == OBJREF_LABEL_NONE)
			put_edge(w, ET_INTERNAL, intern(w, ""), obj_node(w, s->edge_dst[e]), &first);
		else
			put_edge(w, ET_PROPERTY, label_string(w, l), obj_node(w, s->edge_dst[e]), &first);
	}
	puts_(w, "],\n");
}

static void write_header(hs *w, uint64_t nnodes, uint64_t nedges)
{
	puts_(w, "{\"snapshot\":{\"meta\":{"
		"\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],"
		"\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\","
		"\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\","
		"\"bigint\",\"object shape\"],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],"
		"\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
		"\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],"
		"\"string_or_number\",\"node\"],"
		"\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],"
		"\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
		"\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
		"\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},"
		"\"node_count\":");
	put_u64(w, nnodes);
	puts_(w, ",\"edge_count\":");
	put_u64(w, nedges);
	puts_(w, ",\"trace_function_count\":0},\n");
}

static void write_strings(hs *w)
{
	puts_(w, "\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[],\n"
		"\"strings\":[");
	for (size_t i = 0; i < w->strings.n && !w->err; i++) {
		if (i)
			put(w, ",\n", 2);
		put_json_string(w, objref__strtab_get(&w->strings, (uint32_t)i));
	}
	puts_(w, "]}\n");
}

int objref_heapsnapshot_write(const objref_snapshot *snap, objref_write_fn fn, void *arg)
{
	hs w = { .snap = snap, .fn = fn, .arg = arg };
	uint64_t nedges;

	if ((w.err = objref__strtab_init(&w.strings)) < 0)
		return w.err;
	if (!(w.buf = objref__malloc(OUT_SIZE)) || (w.err = type_names(&w)) < 0) {
		w.err = w.err ? w.err : OBJREF_ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < snap->nroots; i++)
		if ((unsigned)snap->roots[i].kind < NCATEGORY && snap->roots[i].kind > 0)
			w.cat_edges[snap->roots[i].kind]++;
	for (uint32_t k = 1; k < NCATEGORY; k++)
		if (w.cat_edges[k])
			w.cat_node[k] = ++w.ncat;
	if ((w.err = assign_ids(&w, 3 + 2 * w.ncat)) < 0)
		goto cleanup;
	nedges = w.ncat + snap->nroots + snap->nedges;
	write_header(&w, 1 + w.ncat + snap->nobjects, nedges);
	write_nodes(&w);
	write_edges(&w);
	write_strings(&w);
	flush(&w);
cleanup:
	objref__free(w.buf);
	objref__free(w.type_name);
	objref__free(w.ids);
	objref__free(w.lab_key);
	objref__free(w.lab_val);
	objref__strtab_dispose(&w.strings);
	return w.err;
}

typedef struct {
	int fd;
	const char *name;
} fd_out;

static int write_fd(const void *data, size_t len, void *arg)
{
	fd_out *o = arg;
	const char *p = data;

	while (len) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return objref__error(OBJREF_EIO, "%s: cannot write: %s", o->name,
				n < 0 ? strerror(errno) : "no progress");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int objref_heapsnapshot_write_file(const objref_snapshot *snap, const char *path)
{
	size_t len = strlen(path);
	char *tmp = objref__malloc(len + 5);
	fd_out o;
	int err;

	if (!tmp)
		return OBJREF_ENOMEM;
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp", 5);
	o.name = tmp;
	if ((o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		err = objref__error(OBJREF_EIO, "%s: cannot create: %s", tmp, strerror(errno));
		objref__free(tmp);
		return err;
	}
	err = objref_heapsnapshot_write(snap, write_fd, &o);
	if (close(o.fd) < 0 && !err)
		err = objref__error(OBJREF_EIO, "%s: cannot write: %s", tmp, strerror(errno));
	if (!err && rename(tmp, path) < 0)
		err = objref__error(OBJREF_EIO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
	if (err)
		unlink(tmp);
	objref__free(tmp);
	return err;
}

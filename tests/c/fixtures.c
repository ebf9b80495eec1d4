/*
 * tests/c/fixtures.c — hand-built snapshots, censuses and series.
 */
#include "fixtures.h"

uint32_t fx_type_facts(const char *module, const char *name)
{
	int core = !module || strcmp(module, "builtins") == 0;
	int ctypes = module && (strcmp(module, "ctypes") == 0 || strcmp(module, "_ctypes") == 0);
	uint32_t f = core ? OBJREF_T_BUILTIN : 0;

	if (core && strcmp(name, "str") == 0)
		f |= OBJREF_T_STR;
	if (core && strcmp(name, "dict") == 0)
		f |= OBJREF_T_DICT;
	if ((core && strcmp(name, "PyCapsule") == 0) || ctypes)
		f |= OBJREF_T_HIDES_REFS;
	if (core && strcmp(name, "moduledef") == 0)
		f |= OBJREF_T_INTERNAL;
	return f;
}

int fx_type(objref_type_id *out, objref_builder *b, uint64_t addr, const char *module,
	const char *name, const char *qualname)
{
	ASSERT_OK(objref_builder_type(out, b, addr, module, name, qualname));
	objref_builder_type_at(b, *out)->flags = fx_type_facts(module, name);
	return TEST_OK;
}

int fx_object(objref_id *out, objref_builder *b, uint64_t addr, objref_type_id type,
	uint64_t size, uint32_t flags)
{
	objref_object o;

	memset(&o, 0, sizeof(o));
	o.addr = addr;
	o.size = size;
	o.type = type;
	o.refcnt = 1;
	o.flags = flags;
	ASSERT_OK(objref_builder_object(out, b, &o));
	return TEST_OK;
}

enum { T_DICT, T_TUPLE, T_SESSION_A, T_SESSION_B, T_INNER, T_INT, T_WEIRD, T_SET, T_COUNT };

static int census_types(objref_type_id ids[T_COUNT], objref_builder *b)
{
	static const char *const spec[T_COUNT][3] = {
		{"builtins", "dict", "dict"},
		{"builtins", "tuple", "tuple"},
		{"app", "Session", "Session"},
		{"other", "Session", "Session"},
		{"m", "Inner", "Outer.Inner"},
		{"builtins", "int", "int"},
		{"", "weird", "weird"},
		{"builtins", "set", "set"},
	};
	size_t i;

	for (i = 0; i < T_COUNT; i++)
		CHECK(fx_type(&ids[i], b, 0x1000 + 0x100 * i, spec[i][0], spec[i][1], spec[i][2]));
	return TEST_OK;
}

int fx_census_snapshot(objref_snapshot **out)
{
	/* type, size, tracked — interleaved on purpose */
	static const struct { int type; uint64_t size; int tracked; } objs[] = {
		{T_DICT, 232, 1}, {T_INT, 28, 0}, {T_TUPLE, 56, 1}, {T_SESSION_A, 48, 1},
		{T_DICT, 232, 1}, {T_SESSION_B, 48, 1}, {T_INT, 28, 0}, {T_TUPLE, 64, 1},
		{T_INNER, 56, 1}, {T_SESSION_A, 48, 1}, {T_TUPLE, 48, 0}, {T_INT, 28, 0},
		{T_WEIRD, 16, 1}, {T_DICT, 232, 1}, {T_INT, 28, 0},
	};
	objref_type_id types[T_COUNT];
	objref_builder *b = NULL;
	objref_id id;
	size_t i;

	*out = NULL;
	ASSERT_OK(objref_builder_new(&b));
	CHECK(census_types(types, b));
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		uint32_t flags = objs[i].tracked ? OBJREF_F_TRACKED | OBJREF_F_GCTYPE : 0;
		CHECK(fx_object(&id, b, 0x100000 + 0x40 * i, types[objs[i].type], objs[i].size, flags));
		ASSERT_EQ(id, i);
	}
	ASSERT_OK(objref_builder_finish(out, b));
	ASSERT_OK(objref_snapshot_validate(*out));
	return TEST_OK;
}

int fx_census(objref_census **out, const char *spec)
{
	const char *p = spec;

	ASSERT_OK(objref_census_new(out));
	while (*p) {
		const char *name = p;
		size_t len;
		uint64_t count, bytes = 0;
		char *end;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != '=')
			p++;
		ASSERT_EQ(*p, '=');
		len = (size_t)(p - name);
		count = strtoull(p + 1, &end, 10);
		p = end;
		if (*p == '/') {
			bytes = strtoull(p + 1, &end, 10);
			p = end;
		}
		ASSERT_OK(objref_census_add(*out, name, len, count, bytes));
	}
	return TEST_OK;
}

int fx_series(objref_series **out, size_t nckpt, size_t ntypes, const char *const *names,
	const uint64_t *counts, const uint64_t *unit_bytes)
{
	size_t k, t;

	ASSERT_OK(objref_series_new(out));
	for (k = 0; k < nckpt; k++) {
		objref_census *c = NULL;
		char label[32];

		ASSERT_OK(objref_census_new(&c));
		for (t = 0; t < ntypes; t++) {
			uint64_t n = counts[t * nckpt + k];
			uint64_t unit = unit_bytes ? unit_bytes[t] : 0;

			if (n == 0)
				continue;
			ASSERT_OK(objref_census_add(c, names[t], strlen(names[t]), n, n * unit));
		}
		snprintf(label, sizeof(label), "ckpt%zu", k);
		ASSERT_OK(objref_series_add(*out, c, (double)k, label));
	}
	return TEST_OK;
}

const objref_growing_row *fx_growing_find(const objref_growing_row *rows, size_t n,
	const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].name && strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

const char *fx_label(const objref_snapshot *snap, objref_label label)
{
	static char buf[256];
	size_t need;

	memset(buf, 0x55, sizeof(buf));
	need = objref_label_format(buf, sizeof(buf), snap, label);
	if (need >= sizeof(buf) || strlen(buf) != need)
		return "<objref_label_format returned a length that is not strlen>";
	return buf;
}

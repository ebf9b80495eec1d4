/*
 * capture/capture_describe.c — names, sizes and short descriptions of live
 * objects, computed from their C fields.  Nothing here calls repr(),
 * getattr(), __eq__, __hash__ or __sizeof__, and nothing allocates Python
 * objects except int.bit_length for integers too large for a C long.
 */
#include <stdio.h>
#include <string.h>
#include "capture_internal.h"

/* Append code point c as UTF-8 (or an escape when quoted) if it fits. */
static size_t put_char(char *buf, size_t size, size_t at, Py_UCS4 c, int quoted)
{
	char tmp[12];
	size_t n = 0;

	if (quoted && (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')) {
		n = (size_t)snprintf(tmp, sizeof(tmp), c == '\'' ? "\\'" : c == '\\' ? "\\\\" :
			c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : "\\x%02x", (unsigned)c);
	} else if (c < 0x80) {
		tmp[n++] = (char)c;
	} else if (c < 0x800) {
		tmp[n++] = (char)(0xc0 | (c >> 6));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		if (c >= 0xd800 && c <= 0xdfff)  /* a lone surrogate: not valid UTF-8 */
			return put_char(buf, size, at, 0xfffd, quoted);
		tmp[n++] = (char)(0xe0 | (c >> 12));
		tmp[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	} else {
		tmp[n++] = (char)(0xf0 | (c >> 18));
		tmp[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
		tmp[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	}
	if (at + n >= size)
		return 0;
	memcpy(buf + at, tmp, n);
	return n;
}

size_t objref__utf8(char *buf, size_t size, PyObject *str, int quoted)
{
	Py_ssize_t chars;
	return objref__utf8_count(buf, size, str, quoted, &chars);
}

size_t objref__utf8_count(char *buf, size_t size, PyObject *str, int quoted, Py_ssize_t *chars)
{
	size_t at = 0;
	Py_ssize_t len;
	int kind;
	const void *data;

	*chars = 0;
	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (!PyUnicode_Check(str))
		return 0;
#if PY_VERSION_HEX < 0x030C0000
	if (PyUnicode_READY(str) < 0) {  /* legacy strings only; never fails for ready ones */
		PyErr_Clear();
		return 0;
	}
#endif
	len = PyUnicode_GET_LENGTH(str);
	kind = PyUnicode_KIND(str);
	data = PyUnicode_DATA(str);
	if (PyUnicode_IS_ASCII(str)) {
		/* most strings: a byte a character, copied unless escaped */
		const unsigned char *p = data;
		Py_ssize_t i = 0;

		for (; i < len && at + 1 < size; i++) {
			unsigned char c = p[i];
			size_t n;
			if (!quoted || (c >= 0x20 && c != 0x7f && c != '\'' && c != '\\')) {
				buf[at++] = (char)c;
				continue;
			}
			if (!(n = put_char(buf, size, at, c, quoted)))
				break;
			at += n;
		}
		*chars = i;
		buf[at] = '\0';
		return at;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		size_t n = put_char(buf, size, at, PyUnicode_READ(kind, data, i), quoted);
		if (!n)
			break;
		at += n;
		(*chars)++;
	}
	buf[at] = '\0';
	return at;
}

PyObject *objref__dict_get_safe(PyObject *d, const char *name)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;

	if (!d || !PyDict_Check(d))
		return NULL;
	while (PyDict_Next(d, &pos, &k, &v))
		if (PyUnicode_CheckExact(k) && PyUnicode_CompareWithASCIIString(k, name) == 0)
			return v;
	return NULL;
}

void objref__type_names(PyTypeObject *tp, char *name, size_t nsize, char *module, size_t msize,
	char *qualname, size_t qsize)
{
	const char *dot = strrchr(tp->tp_name, '.');

	name[0] = module[0] = qualname[0] = '\0';
	if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
		PyHeapTypeObject *ht = (PyHeapTypeObject *)tp;
		PyObject *mod = objref__dict_get_safe(tp->tp_dict, "__module__");
		objref__utf8(name, nsize, ht->ht_name, 0);
		objref__utf8(qualname, qsize, ht->ht_qualname, 0);
		if (mod && PyUnicode_Check(mod))
			objref__utf8(module, msize, mod, 0);
	} else {
		snprintf(name, nsize, "%s", dot ? dot + 1 : tp->tp_name);
		snprintf(qualname, qsize, "%s", name);
		if (dot)
			snprintf(module, msize, "%.*s", (int)(dot - tp->tp_name), tp->tp_name);
		else
			snprintf(module, msize, "builtins");
	}
	if (!qualname[0])
		snprintf(qualname, qsize, "%s", name);
}

static uint64_t str_size(PyObject *op)
{
	Py_ssize_t len = PyUnicode_GET_LENGTH(op);

	if (PyUnicode_IS_COMPACT_ASCII(op))
		return sizeof(PyASCIIObject) + (uint64_t)len + 1;
	if (PyUnicode_IS_COMPACT(op))
		return sizeof(PyCompactUnicodeObject) + ((uint64_t)len + 1) * PyUnicode_KIND(op);
	return (uint64_t)Py_TYPE(op)->tp_basicsize + ((uint64_t)len + 1) * PyUnicode_KIND(op);
}

/* Digits of an int: Py_SIZE before 3.12; from the value after. */
static uint64_t int_size(PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);
	uint64_t digits;
#if PY_VERSION_HEX >= 0x030C0000
	int overflow = 0;
	long v;
	if (PyUnstable_Long_IsCompact((PyLongObject *)op))
		return (uint64_t)tp->tp_basicsize + (uint64_t)tp->tp_itemsize;
	v = PyLong_AsLongAndOverflow(op, &overflow);
	if (!overflow) {
		unsigned long m = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
		uint64_t bits = m ? 64 - (uint64_t)__builtin_clzl(m) : 1;
		digits = (bits + PyLong_SHIFT - 1) / PyLong_SHIFT;
	} else {
		PyObject *bl = PyObject_CallMethod((PyObject *)&PyLong_Type, "bit_length", "O", op);
		size_t bits = bl ? PyLong_AsSize_t(bl) : 0;
		Py_XDECREF(bl);
		PyErr_Clear();
		digits = (bits + PyLong_SHIFT - 1) / PyLong_SHIFT;
	}
#else
	Py_ssize_t n = Py_SIZE(op);
	digits = (uint64_t)(n < 0 ? -n : n);
#endif
#if PY_VERSION_HEX >= 0x030B0000
	digits = OBJREF__MAX(digits, 1); /* 3.11+: zero is stored with one digit */
#endif
	return (uint64_t)tp->tp_basicsize + (uint64_t)tp->tp_itemsize * digits;
}

/* A dict's key table is private; estimate it from the fill, as
 * dict.__sizeof__ would count a table grown by insertion. */
static uint64_t dict_size(PyObject *op, uint32_t *flags)
{
	Py_ssize_t used = PyDict_GET_SIZE(op);
	uint64_t size = 8, index_bytes;

	if (used == 0)
		return (uint64_t)Py_TYPE(op)->tp_basicsize;
	*flags |= OBJREF_F_SIZE_EST;
	while (size * 2 / 3 < (uint64_t)used)
		size *= 2;
	index_bytes = size <= 128 ? 1 : size <= 0xffff ? 2 : 4;
	return (uint64_t)Py_TYPE(op)->tp_basicsize + 32 + size * index_bytes +
		(size * 2 / 3) * 3 * sizeof(void *);
}

/* More items than any real object could hold in memory: a type whose
 * instances have tp_itemsize but no ob_size field (frames from 3.11). */
#define VAR_ITEMS_MAX ((Py_ssize_t)1 << 36)

/* Bytes every instance of tp has outside its own struct: the collector's
 * header, and before 3.13 the pre-header of managed dicts and weakrefs. */
static uint64_t extra_of(PyTypeObject *tp)
{
	uint64_t extra = PyType_IS_GC(tp) ? OBJREF__GC_HEAD_SIZE : 0;
#if PY_VERSION_HEX >= 0x030C0000
	if (tp->tp_flags & (Py_TPFLAGS_MANAGED_DICT | Py_TPFLAGS_MANAGED_WEAKREF))
		extra += 2 * sizeof(void *);
#elif PY_VERSION_HEX >= 0x030B0000
	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT)
		extra += 2 * sizeof(void *);
#endif
	return extra;
}

void objref__size_class_of(objref__size_class *c, PyTypeObject *tp)
{
	c->extra = extra_of(tp);
	if (tp->tp_is_gc)
		c->kind = OBJREF__SZ_GENERIC; /* GC or not depends on the object (types) */
	else if (PyType_IsSubtype(tp, &PyUnicode_Type))
		c->kind = OBJREF__SZ_STR;
	else if (PyType_IsSubtype(tp, &PyLong_Type))
		c->kind = OBJREF__SZ_INT;
	else if (PyType_IsSubtype(tp, &PyDict_Type))
		c->kind = OBJREF__SZ_DICT;
	else if (PyType_IsSubtype(tp, &PyList_Type))
		c->kind = OBJREF__SZ_LIST;
	else if (PyType_IsSubtype(tp, &PySet_Type) || PyType_IsSubtype(tp, &PyFrozenSet_Type))
		c->kind = OBJREF__SZ_SET;
	else if (PyType_IsSubtype(tp, &PyByteArray_Type))
		c->kind = OBJREF__SZ_BYTEARRAY;
#if PY_VERSION_HEX >= 0x030B0000
	else if (PyType_IsSubtype(tp, &PyFrame_Type))
		c->kind = OBJREF__SZ_FIXED; /* has tp_itemsize but no ob_size from 3.11 */
#endif
	else if (tp->tp_itemsize)
		c->kind = OBJREF__SZ_VAR;
	else
		c->kind = OBJREF__SZ_FIXED;
	c->fixed = c->kind == OBJREF__SZ_FIXED ? (uint64_t)tp->tp_basicsize + c->extra : 0;
}

uint64_t objref__sizeof_class(PyObject *op, const objref__size_class *c, uint32_t *flags)
{
	PyTypeObject *tp = Py_TYPE(op);
	Py_ssize_t n;

	switch (c->kind) {
	case OBJREF__SZ_FIXED:
		return c->fixed;
	case OBJREF__SZ_VAR:
		n = Py_SIZE(op);
		if (n < 0)
			n = -n;
		if (n > VAR_ITEMS_MAX) {  /* not an item count: a type that is not a PyVarObject */
			*flags |= OBJREF_F_SIZE_EST;
			n = 0;
		}
		return (uint64_t)tp->tp_basicsize + (uint64_t)tp->tp_itemsize * (uint64_t)n + c->extra;
	case OBJREF__SZ_STR:
		return str_size(op) + c->extra;
	case OBJREF__SZ_INT:
		return int_size(op) + c->extra;
	case OBJREF__SZ_DICT:
		return dict_size(op, flags) + c->extra;
	case OBJREF__SZ_LIST:
		return (uint64_t)tp->tp_basicsize + (uint64_t)((PyListObject *)op)->allocated * sizeof(void *) + c->extra;
	case OBJREF__SZ_SET: {
		PySetObject *so = (PySetObject *)op;
		uint64_t size = (uint64_t)tp->tp_basicsize + c->extra;
		return so->table != so->smalltable ? size + ((uint64_t)so->mask + 1) * sizeof(setentry) : size;
	}
	case OBJREF__SZ_BYTEARRAY:
		return (uint64_t)tp->tp_basicsize + (uint64_t)((PyByteArrayObject *)op)->ob_alloc + c->extra;
	default: /* types with tp_is_gc (metatypes): GC-ness depends on the object */
		n = Py_SIZE(op);
		return (uint64_t)tp->tp_basicsize + (uint64_t)tp->tp_itemsize * (uint64_t)(n < 0 ? -n : n) +
			(PyObject_IS_GC(op) ? OBJREF__GC_HEAD_SIZE : 0);
	}
}

/* Is tp a ctypes data type: _ctypes._CData on its tp_base chain?  Found by
 * the base's tp_name (a static type before 3.13, a heap type from 3.13),
 * so ctypes need not be imported, nor even loaded. */
static int is_ctypes_data(PyTypeObject *tp)
{
	for (int depth = 0; tp && depth < 64; tp = tp->tp_base, depth++)
		if (strcmp(tp->tp_name, "_ctypes._CData") == 0)
			return 1;
	return 0;
}

uint32_t objref__type_flags(PyTypeObject *tp, const char *module)
{
	static PyTypeObject *const atomic[] = {
		&PyUnicode_Type, &PyLong_Type, &PyFloat_Type, &PyComplex_Type, &PyBytes_Type,
		&PyBool_Type, &PyByteArray_Type, &PyRange_Type
	};
	uint32_t f = OBJREF_T_KNOWN;

	if (PyType_IS_GC(tp))
		f |= OBJREF_T_GC;
	if (tp->tp_del)
		f |= OBJREF_T_LEGACY_DEL;
	if (tp->tp_finalize)
		f |= OBJREF_T_FINALIZE;
	for (size_t i = 0; i < sizeof(atomic) / sizeof(atomic[0]); i++)
		if (tp == atomic[i])
			f |= OBJREF_T_ATOMIC;
	if (tp == Py_TYPE(Py_None) || tp == Py_TYPE(Py_Ellipsis) || tp == Py_TYPE(Py_NotImplemented))
		f |= OBJREF_T_ATOMIC;
	if (tp == &PyUnicode_Type)
		f |= OBJREF_T_STR;
	if (tp == &PyDict_Type)
		f |= OBJREF_T_DICT;
	if (strcmp(module, "builtins") == 0)
		f |= OBJREF_T_BUILTIN;
	if (tp == &PyCapsule_Type || is_ctypes_data(tp))
		f |= OBJREF_T_HIDES_REFS;
	if (tp == &PyModuleDef_Type)
		f |= OBJREF_T_INTERNAL;
	return f;
}

uint32_t objref__object_flags(PyObject *op)
{
	uint32_t f = 0;

	if (PyObject_IS_GC(op))
		f |= OBJREF_F_GCTYPE;
	if (objref__is_tracked(op))
		f |= OBJREF_F_TRACKED;
#if PY_VERSION_HEX >= 0x030C0000
	if ((int32_t)Py_REFCNT(op) < 0)
		f |= OBJREF_F_IMMORTAL;
#endif
#if PY_VERSION_HEX >= 0x03090000
	if (PyObject_IS_GC(op) && PyObject_GC_IsFinalized(op))
		f |= OBJREF_F_FINALIZED;
#endif
	if (PyModule_Check(op))
		f |= OBJREF_F_MODULE;
	else if (PyType_Check(op))
		f |= OBJREF_F_TYPE;
	else if (PyFrame_Check(op))
		f |= OBJREF_F_FRAME;
	else if (PyFunction_Check(op))
		f |= OBJREF_F_FUNCTION;
	else if (PyCode_Check(op))
		f |= OBJREF_F_CODE;
	return f;
}

/* Append the n bytes at s, as many as fit with a terminating NUL. */
static size_t put_mem(char *buf, size_t size, size_t at, const char *s, size_t n)
{
	if (at >= size)
		return at;
	n = OBJREF__MIN(n, size - at - 1);
	memcpy(buf + at, s, n);
	buf[at + n] = '\0';
	return at + n;
}

#define put_text(buf, size, at, s) put_mem(buf, size, at, s, strlen(s))

/* Write u's decimal digits (at least one) and a '-' when negative, ending
 * just before tmp[n]: where they begin. */
static size_t digits_before(char *tmp, size_t n, unsigned long long u, int negative)
{
	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (negative)
		tmp[--n] = '-';
	return n;
}

/* Append v in decimal, as snprintf's "%lld" would (the whole number or
 * nothing: a cut number would lie). */
static size_t put_decimal(char *buf, size_t size, size_t at, long long v)
{
	char tmp[24];
	size_t n = digits_before(tmp, sizeof(tmp),
		v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, v < 0);

	if (at + (sizeof(tmp) - n) >= size)
		return at;
	return put_mem(buf, size, at, tmp + n, sizeof(tmp) - n);
}

/* 'text' (escaped as repr() would), cut after about 40 bytes with "...". */
static size_t describe_str(char *buf, size_t size, PyObject *op)
{
	size_t n, cap = OBJREF__MIN(size, 48);
	Py_ssize_t chars;

	if (cap < 8)
		return 0;
	buf[0] = '\'';
	n = 1 + objref__utf8_count(buf + 1, cap - 5, op, 1, &chars);
	n = put_text(buf, size, n, chars < PyUnicode_GET_LENGTH(op) ? "'..." : "'");
	return OBJREF__MIN(n, size - 1);
}

static size_t describe_code(char *buf, size_t size, PyCodeObject *co)
{
	char name[128], file[256];

	objref__utf8(name, sizeof(name), co->co_name, 0);
	objref__utf8(file, sizeof(file), co->co_filename, 0);
	return (size_t)snprintf(buf, size, "%s %s:%d", name, file, co->co_firstlineno);
}

static size_t describe_frame(char *buf, size_t size, PyFrameObject *f)
{
	PyCodeObject *co = objref__frame_code(f);
	char name[128], file[256];

	objref__utf8(name, sizeof(name), co->co_name, 0);
	objref__utf8(file, sizeof(file), co->co_filename, 0);
	Py_DECREF(co);
	return (size_t)snprintf(buf, size, "%s %s:%d", name, file, PyFrame_GetLineNumber(f));
}

/*
 * repr(x) for the floats that are a short decimal (a price, 0.25, 3.0),
 * without the shortest-digits algorithm: 0 when x is not one of them.
 *
 * For k = 0, 1, ... the integers m next to x * 10^k are tried: m / 10^k,
 * one correctly rounded division of two exact doubles (m < 2^53, 10^k
 * exact), is the double that reading the decimal m * 10^-k gives, so m
 * round-trips exactly when it equals x.  The first k with one m that does
 * is the fewest decimals, so the fewest significant digits: the digits
 * repr() writes, and in its fixed notation (1e-4 <= |x| < 1e16).  Two m
 * that both round-trip (repr() would take the nearer), a k past 8, or an
 * x outside the range: 0, and the caller asks the interpreter.
 */
#define FLOAT_FAST_DECIMALS 8

static size_t describe_float_short(char *buf, size_t size, double x)
{
	double ax = x < 0 ? -x : x, scale = 1;
	char tmp[40];
	size_t n = sizeof(tmp);

	if (!(ax >= 1e-4 && ax < 1e15))
		return 0;
	for (int k = 0; k <= FLOAT_FAST_DECIMALS; k++, scale *= 10) {
		double y = ax * scale, m = (double)(long long)(y + 0.5), hit = 0;
		uint64_t u;

		if (y >= 9007199254740991.0)  /* 2^53 - 1: m and m + 1 exact */
			return 0;
		for (double c = m - 1; c <= m + 1; c++)
			if (c >= 0 && c / scale == ax) {
				if (hit)
					return 0;
				hit = c + 1;  /* + 1: c may be 0 */
			}
		if (!hit)
			continue;
		u = (uint64_t)(hit - 1);
		tmp[--n] = '\0';
		if (!k)
			tmp[--n] = '0';  /* 3.0 */
		for (int d = 0; d < k; d++) {  /* the decimals */
			tmp[--n] = (char)('0' + u % 10);
			u /= 10;
		}
		tmp[--n] = '.';
		n = digits_before(tmp, n, u, x < 0);
		return put_mem(buf, size, 0, tmp + n, sizeof(tmp) - 1 - n);
	}
	return 0;
}

static size_t describe_number(char *buf, size_t size, PyObject *op)
{
	int overflow = 0;
	long long v;

	if (PyFloat_Check(op)) {
		size_t n = describe_float_short(buf, size, PyFloat_AS_DOUBLE(op));
		char *r;

		if (n)
			return n;
		r = PyOS_double_to_string(PyFloat_AS_DOUBLE(op), 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
		n = r ? put_text(buf, size, 0, r) : 0;
		PyMem_Free(r);
		return n;
	}
	v = PyLong_AsLongLongAndOverflow(op, &overflow);
	if (v == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return 0;
	}
	return overflow ? put_text(buf, size, 0, overflow > 0 ? "> 2**63" : "< -2**63")
			: put_decimal(buf, size, 0, v);
}

size_t objref__describe(char *buf, size_t size, PyObject *op)
{
	size_t n = 0;

	buf[0] = '\0';
	if (PyUnicode_Check(op)) {
		n = describe_str(buf, size, op);
	} else if (PyLong_Check(op) || PyFloat_Check(op)) {
		n = describe_number(buf, size, op);
	} else if (PyModule_Check(op)) {
		PyObject *name = objref__dict_get_safe(PyModule_GetDict(op), "__name__");
		n = name ? objref__utf8(buf, size, name, 0) : 0;
	} else if (PyType_Check(op)) {
		char name[128], mod[128], qual[256];
		objref__type_names((PyTypeObject *)op, name, sizeof(name), mod, sizeof(mod), qual, sizeof(qual));
		n = (size_t)snprintf(buf, size, "%s%s%s", mod, mod[0] ? "." : "", qual);
	} else if (PyFunction_Check(op)) {
		n = objref__utf8(buf, size, ((PyFunctionObject *)op)->func_qualname, 0);
	} else if (PyCode_Check(op)) {
		n = describe_code(buf, size, (PyCodeObject *)op);
	} else if (PyFrame_Check(op)) {
		n = describe_frame(buf, size, (PyFrameObject *)op);
	} else if (PyMethod_Check(op) && PyFunction_Check(PyMethod_GET_FUNCTION(op))) {
		n = objref__utf8(buf, size, ((PyFunctionObject *)PyMethod_GET_FUNCTION(op))->func_qualname, 0);
	} else if (PyBytes_Check(op)) {
		n = put_text(buf, size, put_decimal(buf, size, 0, PyBytes_GET_SIZE(op)), " bytes");
	} else if (objref__described_by_len(Py_TYPE(op))) {
		n = put_decimal(buf, size, put_text(buf, size, 0, "len "), objref__described_len(op));
	}
	return OBJREF__MIN(n, size - 1);
}

int objref__described_by_len(PyTypeObject *tp)
{
	return PyType_FastSubclass(tp, Py_TPFLAGS_TUPLE_SUBCLASS | Py_TPFLAGS_LIST_SUBCLASS |
		       Py_TPFLAGS_DICT_SUBCLASS) ||
	       PyType_IsSubtype(tp, &PySet_Type) || PyType_IsSubtype(tp, &PyFrozenSet_Type);
}

Py_ssize_t objref__described_len(PyObject *op)
{
	return PyTuple_Check(op) ? PyTuple_GET_SIZE(op) : PyList_Check(op) ? PyList_GET_SIZE(op) :
	       PyDict_Check(op) ? PyDict_GET_SIZE(op) : PySet_GET_SIZE(op);
}

size_t objref__render_key(char *buf, size_t size, PyObject *key)
{
	size_t n;

	if (PyUnicode_Check(key)) {
		buf[0] = '\'';
		n = 1 + objref__utf8(buf + 1, size - 2, key, 1);
		buf[n++] = '\'';
		buf[n] = '\0';
		return n;
	}
	if (PyLong_CheckExact(key) || PyFloat_CheckExact(key))
		return objref__describe(buf, size, key);
	return (size_t)snprintf(buf, size, "<%s>", Py_TYPE(key)->tp_name);
}

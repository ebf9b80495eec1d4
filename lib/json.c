/*
 * lib/json.c — the streaming JSON writer (objref/json.h): Python's
 * json.dumps text, byte for byte.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "objref/json.h"
#include "internal.h"

/* The writer fails with code, now and on every later call. */
static int fail(objref_json *w, int code)
{
	if (!w->failed)
		w->failed = code;
	return w->failed;
}

/* The separator before a value, and the bookkeeping of the container. */
static int before_value(objref_json *w)
{
	if (w->failed || objref_buf_failed(w->out))
		return fail(w, OBJREF_ENOMEM); /* keeps an earlier code */
	if (w->depth > 0 && w->open[w->depth - 1]) {
		if (!w->want_value)
			return fail(w, OBJREF_EINVAL);
		w->want_value = 0;
		return 0;
	}
	if (w->depth > 0 && w->count[w->depth - 1]++ && objref_buf_put(w->out, ", ", 2) < 0)
		return fail(w, OBJREF_ENOMEM);
	return 0;
}

static int done(objref_json *w)
{
	return objref_buf_failed(w->out) ? fail(w, OBJREF_ENOMEM) : 0;
}

static int begin(objref_json *w, int object)
{
	int err = before_value(w);

	if (err < 0)
		return err;
	if (w->depth == OBJREF_JSON_MAX_DEPTH)
		return fail(w, OBJREF_EINVAL);
	w->open[w->depth] = (unsigned char)object;
	w->count[w->depth++] = 0;
	objref_buf_put(w->out, object ? "{" : "[", 1);
	return done(w);
}

int objref_json_object(objref_json *w)
{
	return begin(w, 1);
}

int objref_json_array(objref_json *w)
{
	return begin(w, 0);
}

int objref_json_end(objref_json *w)
{
	if (w->failed || !w->depth || w->want_value)
		return fail(w, OBJREF_EINVAL);
	w->depth--;
	objref_buf_put(w->out, w->open[w->depth] ? "}" : "]", 1);
	return done(w);
}

/* The code point of the UTF-8 sequence at s (n bytes left) in *cp, and its
 * length; 0 when it is not valid UTF-8. */
static size_t utf8_decode(uint32_t *cp, const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
		: (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t v;

	if (!len || len > n)
		return 0;
	v = len == 1 ? s[0] : s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* One code point as ensure_ascii writes it. */
static void put_char(objref_buf *b, uint32_t c)
{
	switch (c) {
	case '"': objref_buf_put(b, "\\\"", 2); return;
	case '\\': objref_buf_put(b, "\\\\", 2); return;
	case '\n': objref_buf_put(b, "\\n", 2); return;
	case '\r': objref_buf_put(b, "\\r", 2); return;
	case '\t': objref_buf_put(b, "\\t", 2); return;
	case '\b': objref_buf_put(b, "\\b", 2); return;
	case '\f': objref_buf_put(b, "\\f", 2); return;
	}
	if (c >= 0x20 && c < 0x7f) {
		char ch = (char)c;
		objref_buf_put(b, &ch, 1);
	} else if (c < 0x10000) {
		objref_buf_printf(b, "\\u%04x", (unsigned)c);
	} else {
		c -= 0x10000;
		objref_buf_printf(b, "\\u%04x\\u%04x", (unsigned)(0xd800 | (c >> 10)),
			(unsigned)(0xdc00 | (c & 0x3ff)));
	}
}

static void put_string(objref_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	objref_buf_put(b, "\"", 1);
	for (size_t i = 0; i < len;) {
		uint32_t c = 0xfffd;
		size_t n = utf8_decode(&c, p + i, len - i);
		put_char(b, c);
		i += n ? n : 1;
	}
	objref_buf_put(b, "\"", 1);
}

int objref_json_key(objref_json *w, const char *key)
{
	if (w->failed || !w->depth || !w->open[w->depth - 1] || w->want_value)
		return fail(w, OBJREF_EINVAL);
	if (w->count[w->depth - 1]++)
		objref_buf_put(w->out, ", ", 2);
	put_string(w->out, key, strlen(key));
	objref_buf_put(w->out, ": ", 2);
	w->want_value = 1;
	return done(w);
}

int objref_json_strn(objref_json *w, const char *s, size_t len)
{
	int err = before_value(w);

	if (err < 0)
		return err;
	put_string(w->out, s, len);
	return done(w);
}

int objref_json_str(objref_json *w, const char *s)
{
	return s ? objref_json_strn(w, s, strlen(s)) : objref_json_null(w);
}

static int raw(objref_json *w, const char *text)
{
	int err = before_value(w);

	if (err < 0)
		return err;
	objref_buf_put(w->out, text, strlen(text));
	return done(w);
}

int objref_json_int(objref_json *w, int64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	return raw(w, s);
}

int objref_json_uint(objref_json *w, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	return raw(w, s);
}

/* repr(v) for a finite double: the shortest digits that read back as v;
 * positional when the decimal exponent is in [-4, 16), else d.ddde+XX. */
static void float_repr(char *out, size_t size, double v)
{
	char e[40], digits[24];
	int p, exp, nd = 0, decpt;
	const char *s;
	char *at = out;

	for (p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	s = e;
	if (*s == '-')
		*at++ = *s++;
	for (; *s && *s != 'e'; s++)
		if (*s != '.')
			digits[nd++] = *s;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	exp = atoi(s + 1);
	decpt = exp + 1;
	size -= (size_t)(at - out);
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0)
			snprintf(at, size, "0.%.*s%s", -decpt, "000", digits);
		else if (decpt >= nd)
			snprintf(at, size, "%s%.*s.0", digits, decpt - nd, "0000000000000000");
		else
			snprintf(at, size, "%.*s.%s", decpt, digits, digits + decpt);
	} else {
		snprintf(at, size, "%c%s%se%c%02d", digits[0], nd > 1 ? "." : "", digits + 1,
			exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
}

int objref_json_double(objref_json *w, double v)
{
	char s[64];

	if (isnan(v))
		return raw(w, "NaN");
	if (isinf(v))
		return raw(w, v > 0 ? "Infinity" : "-Infinity");
	float_repr(s, sizeof(s), v);
	return raw(w, s);
}

int objref_json_bool(objref_json *w, int v)
{
	return raw(w, v ? "true" : "false");
}

int objref_json_null(objref_json *w)
{
	return raw(w, "null");
}

int objref_json_failed(const objref_json *w)
{
	return w->failed || objref_buf_failed(w->out);
}

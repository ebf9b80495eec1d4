/*
 * objref/json.h — a small streaming JSON writer into an objref_buf: the one
 * schema writer of the reports, for the CLI's --json and the module alike.
 *
 * The text is what Python's json.dumps(obj) writes with its defaults
 * (separators ", " and ": ", ensure_ascii, floats as repr() writes them,
 * NaN/Infinity), so a report is the same bytes whichever face writes it.
 *
 *   objref_json w = OBJREF_JSON_INIT(&buf);
 *   objref_json_object(&w);
 *   objref_json_key(&w, "type"); objref_json_str(&w, "tuple");
 *   objref_json_end(&w);
 *
 * Nesting deeper than OBJREF_JSON_MAX_DEPTH, a value where a key is due,
 * or an end without a begin make the writer fail; like objref_buf, every
 * call after a failure fails too, with the first failure's code: check once
 * with objref_json_failed.
 */
#ifndef OBJREF_JSON_H
#define OBJREF_JSON_H

#include <stdint.h>
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OBJREF_JSON_MAX_DEPTH 32

/* Invariants: open[0..depth) says, per open container, whether it is an
 * object (1) or an array (0); count[i] is how many members it has so far;
 * in an object, want_value is set between a key and its value. */
typedef struct {
	objref_buf *out;
	int depth;
	int want_value;
	int failed;           /* 0, or the first failure's code */
	unsigned char open[OBJREF_JSON_MAX_DEPTH];
	size_t count[OBJREF_JSON_MAX_DEPTH];
} objref_json;

#define OBJREF_JSON_INIT(buf) { (buf), 0, 0, 0, { 0 }, { 0 } }

/* Begin an object or an array (a value); objref_json_end closes the last
 * one begun.  Each returns 0 or OBJREF_ENOMEM / OBJREF_EINVAL. */
OBJREF_EXTERN int objref_json_object(objref_json *w);
OBJREF_EXTERN int objref_json_array(objref_json *w);
OBJREF_EXTERN int objref_json_end(objref_json *w);

/* The key of the next member of the open object. */
OBJREF_EXTERN int objref_json_key(objref_json *w, const char *key);

/* Values.  objref_json_str(w, NULL) writes null; strings are UTF-8 (an
 * invalid byte is written as \ufffd). */
OBJREF_EXTERN int objref_json_str(objref_json *w, const char *s);
OBJREF_EXTERN int objref_json_strn(objref_json *w, const char *s, size_t len);
OBJREF_EXTERN int objref_json_int(objref_json *w, int64_t v);
OBJREF_EXTERN int objref_json_uint(objref_json *w, uint64_t v);
OBJREF_EXTERN int objref_json_double(objref_json *w, double v);
OBJREF_EXTERN int objref_json_bool(objref_json *w, int v);
OBJREF_EXTERN int objref_json_null(objref_json *w);

/* Nonzero when a call failed (out of memory, or misuse). */
OBJREF_EXTERN int objref_json_failed(const objref_json *w);

#ifdef __cplusplus
}
#endif

#endif

/*
 * objref/buf.h — a growable text buffer: what every formatter of objref
 * writes into (libgit2's git_buf is the model).  The caller decides where
 * the text goes (stdout, a log, a Python file object).
 *
 *     objref_buf b = OBJREF_BUF_INIT;
 *     objref_buf_printf(&b, "%d objects", n);
 *     if (objref_buf_failed(&b)) ... ;   else use b.data (b.len bytes)
 *     objref_buf_dispose(&b);
 */
#ifndef OBJREF_BUF_H
#define OBJREF_BUF_H

#include <stdarg.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable NUL-terminated string.  Initialise with OBJREF_BUF_INIT (or
 * zero it) before use; release with objref_buf_dispose.  After an
 * allocation failure the buffer keeps what it had and every later append
 * fails too (check once at the end with objref_buf_failed). */
typedef struct {
	char *data;
	size_t len, cap;
	int failed;
} objref_buf;

#define OBJREF_BUF_INIT { .data = NULL, .len = 0, .cap = 0, .failed = 0 }

OBJREF_EXTERN int objref_buf_printf(objref_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
OBJREF_EXTERN int objref_buf_vprintf(objref_buf *b, const char *fmt, va_list ap);
OBJREF_EXTERN int objref_buf_put(objref_buf *b, const char *s, size_t len);
OBJREF_EXTERN int objref_buf_failed(const objref_buf *b);
OBJREF_EXTERN void objref_buf_dispose(objref_buf *b);

#ifdef __cplusplus
}
#endif
#endif

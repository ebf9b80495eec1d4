/*
 * lib/gv_internal.h — the one door to Graphviz (lib/gv.c).
 *
 * Graphviz 2.42 keeps process-global state and breaks when a second
 * context is made: every call into libcgraph or libgvc is made between
 * objref__gv_lock() and objref__gv_unlock(), with the context that
 * objref__gv_context() keeps for the life of the process.
 */
#ifndef OBJREF_GV_INTERNAL_H
#define OBJREF_GV_INTERNAL_H

#include <graphviz/gvc.h>

void objref__gv_lock(void);
void objref__gv_unlock(void);

/* The process's context, made on first use (under the lock), or NULL. */
GVC_t *objref__gv_context(void);

/* Graphviz's messages since the last objref__gv_errors_clear() (under the
 * lock), whole lines, "" when none. */
const char *objref__gv_errors(void);
void objref__gv_errors_clear(void);

#endif

/*
 * lib/view_internal.h — what the view's files share (lib/view.c owns the
 * struct; lib/view_walk.c adds MORE nodes and sets depths through these).
 */
#ifndef OBJREF_VIEW_INTERNAL_H
#define OBJREF_VIEW_INTERNAL_H

#include "objref/view.h"

/* Append a node that is not an OBJECT node (MORE, FRAME).  Returns 0,
 * OBJREF_ENOTFOUND when the view is full, or OBJREF_ENOMEM. */
int objref__view_push(uint32_t *out, objref_view *v, const objref_view_node *n);

/* Node `node` for updating (depth); node < the node count. */
objref_view_node *objref__view_node(objref_view *v, uint32_t node);

#endif

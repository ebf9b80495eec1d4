/*
 * cli/cycles.h — the --cycles part of the report: objref._cycles() taken
 * once at the first report, its text, and its JSON ("cycles" in the
 * objref-chain/1 schema, docs/guide.md).
 */
#ifndef OBJREF_CLI_CYCLES_H
#define OBJREF_CLI_CYCLES_H

#include <Python.h>
#include "objref/report.h"

/* How many shapes the report shows. */
#define CHAIN_CYCLES_SHOWN 10

/* objref._cycles(limit=CHAIN_CYCLES_SHOWN, picture): (summary, shapes,
 * text, picture), a new reference, or NULL with a Python exception set;
 * picture is (DOT, shapes drawn) when asked and there is garbage, else
 * None.  plain: shapes without their live objects (which would keep the
 * garbage alive). */
PyObject *chain_cycles_get(int plain, int picture);

/* Append "garbage cycles:" and the text of cyc to b; 0 or OBJREF_ENOMEM. */
int chain_cycles_text(objref_buf *b, PyObject *cyc);

/* The JSON value of cyc: {"summary": {...}, "shapes": [...]} without the
 * live objects.  New reference, or NULL with an exception. */
PyObject *chain_cycles_json(PyObject *cyc);

#endif

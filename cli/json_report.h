/*
 * cli/json_report.h — the report as JSON (--json), schema "objref-chain/1":
 *
 *   {"schema": "objref-chain/1", "program": "app.py", "seconds": 1.2,
 *    "checkpoints": 31, "heap": {"objects": N, "bytes": N},
 *    "growing": [{"type", "first", "last", "objects_per_ckpt",
 *                 "bytes_per_ckpt", "rises", "intervals", "steady_since"}],
 *    "top": [{"type", "count", "bytes"}],            (with --top N)
 *    "chains": null | {"type", "instances", "samples",
 *       "patterns": [{"count", "status", "text", "root": {"kind", ...},
 *                     "root_text", "steps": [{"type", "label"}],
 *                     "suspect", "suspect_text"}]},
 *    "cycles": {"summary": {...}, "shapes": [{...}]}}  (with --cycles)
 *
 * steady_since numbers checkpoints from 1 (null: not steady); suspect is
 * the index in steps of the container the samples' chains share last.
 */
#ifndef OBJREF_CLI_JSON_REPORT_H
#define OBJREF_CLI_JSON_REPORT_H

#include <Python.h>
#include "objref/chains_report.h"
#include "report.h"

/* Append the JSON report to b (one line), written in C by objref/json.h.
 * chains: the chains report, or NULL.  Returns 0, or -1 after a message on
 * stderr. */
int chain_report_json(objref_buf *b, const chain_report *r, const objref_chains_report *chains);

#endif

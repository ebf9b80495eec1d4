/*
 * cli/json_report.h — the report as JSON (--json), schema "objref-chain/1":
 * the document objref_run_report_json writes (objref/run_report.h, where
 * the schema is described), the same as the module's objref.report_json().
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

/*
 * cli/report.h — the report objref-chain prints when the program is done:
 *
 *   objref-chain: app.py ran 1.2 s, 31 checkpoints, heap 61,874 objects (9.1 MB)
 *   growing types (per checkpoint, trend over 31 samples):
 *     tuple  +1,000/ckpt  (+62 KB)  now 30,512, rose in 30/30 intervals
 *
 * Plain C over a series: no Python needed.
 */
#ifndef OBJREF_CLI_REPORT_H
#define OBJREF_CLI_REPORT_H

#include "objref/report.h"
#include "objref/cycles_report.h"
#include "objref/unexplained.h"

typedef struct {
	const char *display;          /* the program: "app.py", "-m pkg" */
	double seconds;               /* how long it ran */
	const objref_series *series;  /* its checkpoints */
	unsigned long top;            /* rows of the last census to print; 0: none */
	int growth;                   /* print the growing types */
	const objref_cycles_report *cycles; /* --cycles: the garbage cycles, or NULL */
	const objref_alloc_sites *sites;    /* --tracemalloc's allocation sites, or NULL */
} chain_report;

/* Append the report to b.  Returns 0 or a negative OBJREF_E* code. */
int chain_report_format(objref_buf *b, const chain_report *r);

#endif

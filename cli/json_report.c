/*
 * cli/json_report.c — the --json report (see json_report.h): the run's
 * facts handed to libobjref's one writer of the document
 * (objref_run_report_json, objref/run_report.h).
 */
#include "objref/run_report.h"
#include "json_report.h"
#include "pycompat.h"

int chain_report_json(objref_buf *b, const chain_report *r, const objref_chains_report *chains)
{
	objref_run_report doc = OBJREF_RUN_REPORT_INIT;

	doc.program = r->display;
	doc.seconds = r->seconds;
	doc.series = r->series;
	doc.top = r->top;
	doc.chains = chains;
	doc.cycles = r->cycles;
	doc.sites = r->sites;
	if (objref_run_report_json(b, &doc) < 0 || objref_buf_printf(b, "\n") < 0) {
		if (Py_IsInitialized() && PyErr_Occurred()) /* --from runs no interpreter */
			PyErr_Print();
		fprintf(stderr, "objref-chain: the JSON report could not be written\n");
		return -1;
	}
	return 0;
}

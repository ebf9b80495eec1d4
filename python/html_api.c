/*
 * python/html_api.c — objref.write_html(): the program's own checkpoints,
 * the chains of a type (the fastest-growing one by default), the garbage
 * cycles when asked and the retained sizes, as one HTML page.  The page is
 * made by lib/report_html.c, the same function objref-chain --html calls.
 */
#include "module.h"
#include "objref/html_report.h"

#define RETAINED_ROWS 20

/* The fastest-growing type of the series into buf; 0 when none grew. */
static int fastest_growing(char *buf, size_t size, const objref_series *s)
{
	objref_growing_row *rows;
	size_t n;

	if (objref_series_growing(&rows, &n, s, NULL) < 0)
		return 0;
	if (n)
		snprintf(buf, size, "%s", rows[0].name);
	objref_free(rows);
	return n > 0;
}

/* "N checkpoints ..., heap X objects (Y)" */
static void summary(objref_buf *b, const objref_series *s, const char *chained, const char *why)
{
	size_t k = objref_series_len(s);
	const objref_census *last = k ? objref_series_census(s, k - 1) : NULL;

	objref_buf_printf(b, "objref.write_html: %zu checkpoint%s", k, k == 1 ? "" : "s");
	if (last) {
		objref_buf_printf(b, ", heap at the last ('%s') ", objref_series_label(s, k - 1) ?
			objref_series_label(s, k - 1) : "");
		objref_format_count(b, objref_census_total_count(last));
		objref_buf_printf(b, " objects (");
		objref_format_bytes(b, (double)objref_census_total_bytes(last), 0);
		objref_buf_printf(b, ")");
	}
	objref_buf_printf(b, "\n");
	if (chained)
		objref_buf_printf(b, "chains of %s\n", chained);
	else if (why)
		objref_buf_printf(b, "%s\n", why);
}

static PyObject *py_write_html(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "type", "samples", "max_depth", "cycles", "retained", NULL };
	objref_modstate *st = objref_py_state(m);
	objref_chains_report_options co = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_html_report r = OBJREF_HTML_REPORT_INIT;
	objref_chains_report *chains = NULL;
	objref_cycles_report *cyc = NULL;
	objref_html_retained *ret = NULL;
	size_t nret = 0;
	Py_ssize_t samples = 5, depth = OBJREF_PATHS_DEFAULT_DEPTH;
	int cycles = 0, retained = 1, err;
	PyObject *path_obj = NULL, *res = NULL;
	const char *type = NULL, *why = NULL;
	char grown[512];
	objref_buf sum = { 0 };

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|znnpp:write_html", kwlist, PyUnicode_FSConverter,
			&path_obj, &type, &samples, &depth, &cycles, &retained))
		return NULL;
	if (samples < 1 || depth < 1) {
		PyErr_SetString(PyExc_ValueError, "samples and max_depth must be at least 1");
		goto done;
	}
	if (!type && fastest_growing(grown, sizeof(grown), st->series))
		type = grown;
	if (!type)
		why = "no type grew between the checkpoints: no chains (name one with type=...)";
	if (type) {
		co.type = type;
		co.samples = (size_t)samples;
		co.max_depth = (size_t)depth;
		co.picture = 1;
		if (objref_py_chains_report(&chains, st, &co) < 0) {
			/* the fastest-growing type may be gone by now: the page says so */
			if (type != grown || !PyErr_ExceptionMatches(PyExc_LookupError))
				goto done;
			PyErr_Clear();
			why = "the fastest-growing type has no live object now: no chains";
		}
	}
	if (cycles && objref_py_cycles_report(&cyc, 10, 1) < 0)
		goto done;
	if (retained && objref_py_retained_rows(&ret, &nret, RETAINED_ROWS) < 0)
		goto done;
	summary(&sum, st->series, chains ? chains->type : NULL, why);
	if (objref_buf_failed(&sum)) {
		PyErr_NoMemory();
		goto done;
	}
	r.title = "objref report";
	r.summary = sum.data;
	r.series = st->series;
	r.chains = chains;
	r.cycles = cyc;
	r.retained = ret;
	r.nretained = nret;
	r.isolate = 1;
	if ((err = objref_html_report_file(PyBytes_AS_STRING(path_obj), &r)) < 0) {
		if (err == OBJREF_EIO)
			PyErr_SetString(PyExc_OSError, objref_error_last());
		else
			objref_py_error(err);
		goto done;
	}
	res = Py_NewRef(Py_None);
done:
	objref_buf_dispose(&sum);
	objref_py_retained_free(ret, nret);
	objref_cycles_report_free(cyc);
	objref_chains_report_free(chains);
	Py_XDECREF(path_obj);
	return res;
}

PyMethodDef objref_html_methods[] = {
	{ "write_html", FN(py_write_html), KW,
	  "write_html(path, type=None, samples=5, max_depth=20, cycles=False, retained=True)\n\n"
	  "Write one self-contained HTML page (no network, no external script or\n"
	  "font): the checkpoints taken with objref.checkpoint() (a chart of the\n"
	  "growing types, the census table), the chains of `type` (default: the\n"
	  "fastest-growing type) with their picture, the garbage cycles when\n"
	  "cycles=True, and the 20 types that retain most.  Written to a\n"
	  "temporary name beside path, then renamed.  LookupError when `type`\n"
	  "names no live type." },
	{ NULL, NULL, 0, NULL }
};

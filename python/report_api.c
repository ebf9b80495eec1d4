/*
 * python/report_api.c — objref.report_json(): the document objref-chain
 * --json prints (schema "objref-chain/1"), for the program's own
 * checkpoints.  Parses the arguments, takes the chains and cycles reports
 * the module's other functions take, and hands everything to libobjref's
 * one writer (objref_run_report_json, objref/run_report.h).
 */
#include "module.h"
#include "objref/run_report.h"

/* sys.argv[0], as objref-chain shows the program it runs, into buf
 * ("python" when there is none). */
static void program_name(char *buf, size_t size)
{
	PyObject *argv = PySys_GetObject("argv"); /* borrowed */
	const char *s = NULL;

	if (argv && PyList_Check(argv) && PyList_GET_SIZE(argv) > 0 &&
	    PyUnicode_Check(PyList_GET_ITEM(argv, 0)))
		s = PyUnicode_AsUTF8(PyList_GET_ITEM(argv, 0));
	if (!s || !*s) {
		PyErr_Clear();
		s = "python";
	}
	snprintf(buf, size, "%s", s);
}

static PyObject *py_report_json(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "type", "top", "cycles", "samples", "max_depth", "program", NULL };
	objref_modstate *st = objref_py_state(m);
	objref_chains_report_options co = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	objref_run_report doc = OBJREF_RUN_REPORT_INIT;
	objref_chains_report *chains = NULL;
	objref_cycles_report *cycles = NULL;
	objref_buf b = OBJREF_BUF_INIT;
	Py_ssize_t top = 0, samples = 5, depth = OBJREF_PATHS_DEFAULT_DEPTH;
	const char *type = NULL, *program = NULL;
	char name[4096];
	int with_cycles = 0, err;
	PyObject *res = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|znpnnz:report_json", kwlist, &type, &top,
			&with_cycles, &samples, &depth, &program))
		return NULL;
	if (top < 0 || samples < 1 || depth < 1)
		return PyErr_Format(PyExc_ValueError, "top must be >= 0, samples and max_depth >= 1");
	co.type = type;
	co.samples = (size_t)samples;
	co.max_depth = (size_t)depth;
	if (type && objref_py_chains_report(&chains, st, &co) < 0)
		goto cleanup;
	if (with_cycles && objref_py_cycles_report(&cycles, SIZE_MAX, 0) < 0)
		goto cleanup;
	if (!program)
		program_name(name, sizeof(name));
	doc.program = program ? program : name;
	doc.seconds = objref_py_now() - st->t0;
	doc.series = st->series;
	doc.top = (size_t)top;
	doc.chains = chains;
	doc.cycles = cycles;
	if ((err = objref_run_report_json(&b, &doc)) < 0)
		objref_py_error(err);
	else
		res = PyUnicode_FromStringAndSize(b.data ? b.data : "", (Py_ssize_t)b.len);
cleanup:
	objref_buf_dispose(&b);
	objref_chains_report_free(chains);
	objref_cycles_report_free(cycles);
	return res;
}

PyMethodDef objref_report_methods[] = {
	{ "report_json", FN(py_report_json), KW,
	  "report_json(type=None, top=0, cycles=False, samples=5, max_depth=20, program=None)"
	  "\n--\n\nThe report objref-chain --json prints, as a str of JSON (schema "
	  "\"objref-chain/1\"), over this program's checkpoints (objref.checkpoint()): the heap, "
	  "the growing types, the `top` most common types, the chains of `type` (None: "
	  "\"chains\": null) and, with cycles=True, the garbage cycles.  program: the name "
	  "shown (default: sys.argv[0], as objref-chain shows it)." },
	{ NULL, NULL, 0, NULL }
};

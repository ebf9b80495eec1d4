/*
 * cli/run.c — one run of objref-chain: start CPython (PyConfig, sys.argv =
 * [SCRIPT, ARGS...] or ["-m", ARGS...], `objref` built in), observe the
 * program (program.c runs it), and turn the way it ended into the exit
 * status, as Python would (pythonrun.c handle_system_exit).
 *
 * Python is never allowed to exit the process: SystemExit is read here, so
 * that the end checkpoint and the report always happen.  The exit statuses
 * are listed in options.h.
 */
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "observe.h"
#include "program.h"
#include "pycompat.h"
#include "follow.h"
#include "interp.h"
#include "run.h"
#include "signals.h"

PyMODINIT_FUNC PyInit_objref(void);

/* SCRIPT must be readable before Python starts, as `python` checks it. */
static int check_script(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "objref-chain: cannot open script '%s': %s\n", path, strerror(errno));
		return CHAIN_EXIT_USAGE;
	}
	close(fd);
	return 0;
}

/* The interpreter sys.executable names, so that the program's subprocesses
 * (sys.executable -c ..., multiprocessing) start a Python, not us. */
static const char *program_name(const char *argv0)
{
	if (chain_interp_executable())
		return chain_interp_executable(); /* --python, or the active virtualenv's */
#ifdef OBJREF_PYTHON_EXECUTABLE
	if (access(OBJREF_PYTHON_EXECUTABLE, X_OK) == 0)
		return OBJREF_PYTHON_EXECUTABLE;
#endif
	return argv0;
}

/* sys.argv: [SCRIPT, ARGS...], or ["-m", ARGS...] until runpy sets argv[0]. */
static PyStatus set_argv(PyConfig *c, const chain_options *o)
{
	char **argv = malloc(sizeof(char *) * ((size_t)o->nargs + 1));
	PyStatus st;

	if (!argv)
		return PyStatus_NoMemory();
	argv[0] = o->run_module ? (char *)"-m" : (char *)o->script;
	memcpy(argv + 1, o->args, sizeof(char *) * (size_t)o->nargs);
	st = PyConfig_SetBytesArgv(c, o->nargs + 1, argv);
	free(argv);
	return st;
}

/* PyConfig from the options; *safe_path: PYTHONSAFEPATH (3.11+). */
static PyStatus configure(PyConfig *c, const chain_options *o, int *safe_path)
{
	PyStatus st;

	*safe_path = 0;
	c->parse_argv = 0;
	st = PyConfig_SetBytesString(c, &c->program_name, program_name(o->argv0));
	if (!PyStatus_Exception(st))
		st = set_argv(c, o);
	if (!PyStatus_Exception(st))
		st = PyConfig_Read(c);
#if PY_VERSION_HEX >= 0x030B0000
	*safe_path = c->safe_path;
#endif
	return st;
}

/* Py_InitializeFromConfig with `objref` built in.  Returns 0 or a status. */
static int start_python(const chain_options *o, int *safe_path)
{
	PyConfig config;
	PyStatus st;

	if (PyImport_AppendInittab("objref", PyInit_objref) < 0) {
		fprintf(stderr, "objref-chain: cannot register the objref module\n");
		return CHAIN_EXIT_INTERNAL;
	}
	PyConfig_InitPythonConfig(&config);
	st = configure(&config, o, safe_path);
	if (!PyStatus_Exception(st))
		st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_IsExit(st))
		return st.exitcode;
	if (PyStatus_Exception(st)) {
		fprintf(stderr, "objref-chain: cannot start Python: %s%s%s\n",
			st.func ? st.func : "", st.func ? ": " : "", st.err_msg ? st.err_msg : "");
		return CHAIN_EXIT_INTERNAL;
	}
	return 0;
}


/* Write obj to sys.stderr (or C stderr), then a newline. */
static void print_to_stderr(PyObject *obj)
{
	PyObject *f = PySys_GetObject("stderr"); /* borrowed */

	if (f && f != Py_None && PyFile_WriteObject(obj, f, Py_PRINT_RAW) == 0) {
		PyFile_WriteString("\n", f);
	} else {
		PyErr_Clear();
		PyObject_Print(obj, stderr, Py_PRINT_RAW);
		fputc('\n', stderr);
	}
	PyErr_Clear();
}

/* SystemExit's code as Python reads it: None -> 0, an int -> that int,
 * anything else is printed on stderr -> 1. */
static int system_exit_status(PyObject *exc)
{
	PyObject *code = PyObject_GetAttrString(exc, "code");
	int status = 1;

	if (!code) {
		PyErr_Clear();
		Py_INCREF(exc);
		code = exc;
	}
	if (code == Py_None) {
		status = 0;
	} else if (PyLong_Check(code)) {
		status = (int)PyLong_AsLong(code);
		PyErr_Clear();
	} else {
		print_to_stderr(code);
	}
	Py_DECREF(code);
	return status;
}

/* The exit status for the way the program ended; prints what Python would
 * print (a traceback, a SystemExit message) or a one-line message. */
static int exit_status(chain_pyerr *err, int stopped, const char *display)
{
	if (!chain_pyerr_value(err))
		return CHAIN_EXIT_OK;
	if (chain_pyerr_matches(err, PyExc_SystemExit))
		return system_exit_status(chain_pyerr_value(err));
	if (chain_pyerr_matches(err, PyExc_KeyboardInterrupt)) {
		int term = chain_signals_terminated();

		if (stopped)
			return CHAIN_EXIT_OK;
		chain_observe_interrupted(term ? "SIGTERM" : "SIGINT");
		chain_flush_python_std();
		if (chain_observe_in_child())
			return CHAIN_EXIT_SIGINT;
		fprintf(stderr, term ? "objref-chain: %s terminated (SIGTERM)\n" :
			"objref-chain: %s interrupted (KeyboardInterrupt)\n", display);
		return term ? CHAIN_EXIT_SIGTERM : CHAIN_EXIT_SIGINT;
	}
	chain_pyerr_restore(err);
	PyErr_Print();
	return CHAIN_EXIT_EXCEPTION;
}

/*
 * A process the program forked returned from it (sys.exit in the child, or
 * the end of the script): it leaves as python would, with no checkpoint and
 * no report; the --interval/--duration thread is not in this process.
 */
static int child_status(chain_pyerr *err, const char *display)
{
	int status = exit_status(err, 0, display);

	chain_pyerr_clear(err);
	chain_flush_python_std();
	return status;
}

/* The status after the report: objref's own failures first (3), then a
 * picture asked for and not written (4), then SIGTERM (143). */
static int final_status(int status)
{
	if (chain_observe_failed())
		return CHAIN_EXIT_INTERNAL;
	if (chain_observe_type_error())
		return CHAIN_EXIT_USAGE;
	if (chain_observe_output_failed())
		return CHAIN_EXIT_OUTPUT;
	if (chain_signals_terminated() && status == CHAIN_EXIT_OK)
		return CHAIN_EXIT_SIGTERM; /* SIGTERM came while the report was written */
	return status;
}

/* Run the program between its observation's start and end; the report. */
static int observe_program(const chain_options *o, int safe_path)
{
	char *main_name = chain_program_main_name(o);
	int started = main_name && chain_observe_start(o, main_name) == 0, stopped, status;
	chain_pyerr err;
	PyObject *r;

	free(main_name);
	if (!started || chain_signals_install() < 0 || chain_observe_script_started() < 0)
		return CHAIN_EXIT_INTERNAL;
	r = chain_program_run(o, safe_path);
	chain_pyerr_fetch(&err); /* held: its frames stay alive for the census */
	Py_XDECREF(r);
	if (chain_observe_in_child())
		return child_status(&err, o->display);
	chain_signals_program_ended();
	if (chain_observe_forked() && o->json && chain_follow_json_to_file(getpid()) < 0)
		return CHAIN_EXIT_OUTPUT;
	stopped = chain_observe_script_ended();
	status = exit_status(&err, stopped, o->display);
	chain_pyerr_clear(&err);
	if (stopped) {
		chain_flush_python_std();
		fprintf(stderr, "objref-chain: stopped %s after --duration %g s\n", o->display,
			o->duration);
	}
	chain_observe_report();
	return final_status(status);
}

/* sys.argv as set_argv gives it to an embedded interpreter. */
static int set_sys_argv(const chain_options *o)
{
	PyObject *list = PyList_New(0), *item;
	int err = !list;

	for (int i = -1; !err && i < o->nargs; i++) {
		const char *a = i >= 0 ? o->args[i] : o->run_module ? "-m" : o->script;
		item = PyUnicode_DecodeFSDefault(a);
		err = !item || PyList_Append(list, item) < 0;
		Py_XDECREF(item);
	}
	if (!err)
		err = PySys_SetObject("argv", list) < 0;
	Py_XDECREF(list);
	return err ? -1 : 0;
}

/* sys.flags.safe_path (3.11+), read from the running interpreter. */
static int running_safe_path(void)
{
#if PY_VERSION_HEX >= 0x030B0000
	PyObject *flags = PySys_GetObject("flags"); /* borrowed */
	PyObject *v = flags ? PyObject_GetAttrString(flags, "safe_path") : NULL;
	int r = v ? PyObject_IsTrue(v) : 0;

	Py_XDECREF(v);
	PyErr_Clear();
	return r > 0;
#else
	return 0;
#endif
}

/*
 * `python -m objref`: a fresh __main__ and sys.argv for the program (runpy
 * runs `-m MODULE` in the __main__ it finds, and objref's own __main__ must
 * not become the program's globals); both put back afterwards.
 */
int chain_run_embedded(const chain_options *o)
{
	PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
	PyObject *old_main = PyDict_GetItemString(modules, "__main__"); /* borrowed */
	PyObject *old_argv = PySys_GetObject("argv"); /* borrowed */
	PyObject *fresh = PyModule_New("__main__");
	int status;

	if (o->script && (status = check_script(o->script)) != 0) {
		Py_XDECREF(fresh);
		return status;
	}
	Py_XINCREF(old_main);
	Py_XINCREF(old_argv);
	if (!fresh || PyDict_SetItemString(PyModule_GetDict(fresh), "__builtins__",
			PyEval_GetBuiltins()) < 0 ||
	    PyDict_SetItemString(modules, "__main__", fresh) < 0 || set_sys_argv(o) < 0) {
		PyErr_Print();
		status = CHAIN_EXIT_INTERNAL;
	} else {
		status = observe_program(o, running_safe_path());
	}
	chain_observe_dispose();
	if (old_main && PyDict_SetItemString(modules, "__main__", old_main) < 0)
		PyErr_Clear();
	if (old_argv && PySys_SetObject("argv", old_argv) < 0)
		PyErr_Clear();
	Py_XDECREF(old_main);
	Py_XDECREF(old_argv);
	Py_XDECREF(fresh);
	return status;
}

int chain_run(const chain_options *o)
{
	int status, safe_path;

	if (o->script && (status = check_script(o->script)) != 0)
		return status;
	if ((status = start_python(o, &safe_path)) != 0)
		return status;
	status = observe_program(o, safe_path);
	chain_observe_dispose();
	if (Py_FinalizeEx() < 0 && status == CHAIN_EXIT_OK)
		status = 120; /* as python: flushing sys.stdout failed */
	return status;
}

/*
 * cli/program.c — the observed program run as `python` runs it (see
 * program.h), following Modules/main.c and Python/pythonrun.c:
 *
 *   python SCRIPT  sys.path[0] = SCRIPT's directory, symlinks resolved
 *                  (skipped with PYTHONSAFEPATH, 3.11+); __main__ gets
 *                  __file__ (absolute from 3.9 on, cwd joined without
 *                  normalizing; as given on 3.8), __cached__ = None and a
 *                  SourceFileLoader, removed again afterwards; the source
 *                  is compiled under that file name and run in __main__'s
 *                  dict.
 *   python DIR|ZIP an importer exists for the path: it becomes sys.path[0]
 *                  and runpy runs its __main__ module, sys.argv untouched.
 *   python -m MOD  sys.path[0] = the current directory; sys.argv[0] is "-m"
 *                  until runpy._run_module_as_main(MOD, True) sets it.
 *
 * Not reproduced: running a compiled .pyc given as SCRIPT.
 */
#include <Python.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pycompat.h"
#include "program.h"

/* The file name __file__ and tracebacks show: absolute from Python 3.9 on
 * (cwd joined, not normalized), as given before.  New reference. */
static PyObject *script_filename(const char *script)
{
#if PY_VERSION_HEX >= 0x03090000
	char *cwd = script[0] == '/' ? NULL : getcwd(NULL, 0), *joined;
	size_t len;
	PyObject *r;

	if (!cwd)
		return PyUnicode_DecodeFSDefault(script);
	len = strlen(cwd) + strlen(script) + 2;
	if ((joined = malloc(len)))
		snprintf(joined, len, "%s/%s", cwd, script);
	r = joined ? PyUnicode_DecodeFSDefault(joined) : PyErr_NoMemory();
	free(joined);
	free(cwd);
	return r;
#else
	return PyUnicode_DecodeFSDefault(script);
#endif
}

static int sys_path_insert0(PyObject *dir)
{
	PyObject *path = PySys_GetObject("path"); /* borrowed */

	if (!path || !PyList_Check(path)) {
		PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
		return -1;
	}
	return PyList_Insert(path, 0, dir);
}

/* sys.path[0] for SCRIPT: its directory, symlinks resolved (realpath).
 * For -m: the current directory.  New reference. */
static PyObject *path0(const chain_options *o)
{
	char *p = o->run_module ? getcwd(NULL, 0) : realpath(o->script, NULL);
	PyObject *r;

	if (!p && o->run_module)
		return PyErr_SetFromErrno(PyExc_OSError);
	if (!p && !(p = strdup(o->script)))
		return PyErr_NoMemory();
	r = PyUnicode_DecodeFSDefault(o->run_module ? p : dirname(p));
	free(p);
	return r;
}

/* The whole file, NUL-terminated, malloc'ed; NULL with OSError set. */
static char *read_source(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0, got = 1;

	if (!f)
		return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path), NULL;
	while (got) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			if (!(grown = realloc(buf, cap + 1)))
				break;
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	}
	if (got || ferror(f)) {
		got ? PyErr_NoMemory() : PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
		free(buf);
		buf = NULL;
	} else {
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

/* __file__, __cached__ and __loader__ of __main__, as pythonrun.c sets them. */
static int set_main_file(PyObject *d, PyObject *filename)
{
	PyObject *ext = PyImport_ImportModule("_frozen_importlib_external");
	PyObject *loader = ext ?
		PyObject_CallMethod(ext, "SourceFileLoader", "sO", "__main__", filename) : NULL;
	int err = !loader || PyDict_SetItemString(d, "__file__", filename) < 0 ||
		PyDict_SetItemString(d, "__cached__", Py_None) < 0 ||
		PyDict_SetItemString(d, "__loader__", loader) < 0;

	Py_XDECREF(ext);
	Py_XDECREF(loader);
	return err ? -1 : 0;
}

/* pythonrun.c removes __file__ and __cached__ once the script is done. */
static void forget_main_file(PyObject *d)
{
	chain_pyerr saved;

	chain_pyerr_fetch(&saved);
	if (PyDict_DelItemString(d, "__file__") < 0 || PyDict_DelItemString(d, "__cached__") < 0)
		PyErr_Clear();
	chain_pyerr_restore(&saved);
}

/* Compile SCRIPT under filename and run it in __main__. */
static PyObject *run_source(const char *script, PyObject *filename)
{
	PyObject *m = PyImport_AddModule("__main__"); /* borrowed */
	PyObject *d = m ? PyModule_GetDict(m) : NULL, *code = NULL, *r = NULL;
	char *src;

	if (!d || set_main_file(d, filename) < 0)
		return NULL;
	if ((src = read_source(script))) {
		code = Py_CompileStringObject(src, filename, Py_file_input, NULL, -1);
		free(src);
	}
	if (code)
		r = PyEval_EvalCode(code, d, d);
	Py_XDECREF(code);
	forget_main_file(d);
	return r;
}

/* runpy._run_module_as_main(name, alter_argv) */
static PyObject *run_module(const char *name, int alter_argv)
{
	PyObject *runpy = PyImport_ImportModule("runpy");
	PyObject *fn = runpy ? PyObject_GetAttrString(runpy, "_run_module_as_main") : NULL;
	PyObject *mod = fn ? PyUnicode_DecodeFSDefault(name) : NULL;
	PyObject *r = mod ?
		PyObject_CallFunctionObjArgs(fn, mod, alter_argv ? Py_True : Py_False, NULL) : NULL;

	Py_XDECREF(runpy);
	Py_XDECREF(fn);
	Py_XDECREF(mod);
	return r;
}

/* sys.path.insert(0, path0(o)) */
static int insert_path0(const chain_options *o)
{
	PyObject *dir = path0(o);
	int err = dir ? sys_path_insert0(dir) : -1;

	Py_XDECREF(dir);
	return err;
}

/* SCRIPT: a file of source, or a directory / zip with a __main__ module. */
static PyObject *run_script(const chain_options *o, int safe_path)
{
	PyObject *filename = script_filename(o->script), *importer, *r = NULL;

	if (!filename || !(importer = PyImport_GetImporter(filename))) {
		Py_XDECREF(filename);
		return NULL;
	}
	if (importer != Py_None) {
		if (sys_path_insert0(filename) == 0)
			r = run_module("__main__", 0);
	} else if (safe_path || insert_path0(o) == 0) {
		r = run_source(o->script, filename);
	}
	Py_DECREF(importer);
	Py_DECREF(filename);
	return r;
}

PyObject *chain_program_run(const chain_options *o, int safe_path)
{
	if (!o->run_module)
		return run_script(o, safe_path);
	if (!safe_path && insert_path0(o) < 0)
		return NULL;
	return run_module(o->run_module, 1);
}

char *chain_program_main_name(const chain_options *o)
{
	const char *base, *dot;

	if (o->run_module)
		return strdup(o->run_module);
	base = strrchr(o->script, '/');
	base = base ? base + 1 : o->script;
	dot = strrchr(base, '.');
	return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/*
 * python/capi.c — the objref._C_API capsule (capi.h): the module's entry
 * points for objref-chain, over the same engine calls its Python functions
 * make.
 */
#include "module.h"

static int capi_checkpoint(void *state, const char *label)
{
	return objref_py_checkpoint(state, label, 1);
}

static int capi_set_log(void *state, const char *path)
{
	return objref_py_set_log(state, path);
}

static int capi_chains_report(void *state, objref_chains_report **out,
	const objref_chains_report_options *o)
{
	return objref_py_chains_report(out, state, o);
}

static int capi_cycles_report(void *state, objref_cycles_report **out, size_t limit, int picture)
{
	(void)state;
	return objref_py_cycles_report(out, limit, picture);
}

static int capi_render(void *state, const char *dot, const char *path)
{
	(void)state;
	return objref_py_render(dot, path, OBJREF_PY_RENDER_TIMEOUT);
}

static int capi_dump(void *state, const char *path, int fork, int wait)
{
	(void)state;
	return objref_py_dump_file(path, fork, wait);
}

static int capi_retained(void *state, objref_html_retained **rows, size_t *n, size_t limit)
{
	(void)state;
	return objref_py_retained_rows(rows, n, limit);
}

static int capi_checkpoint_fork(void *state, const char *label, char *why, size_t size)
{
	return objref_py_checkpoint_fork(state, label, why, size);
}

static int capi_checkpoint_settle(void *state, int block)
{
	return objref_py_checkpoint_settle(state, block);
}

static void capi_checkpoint_hook(void *state, void (*fn)(void *arg), void *arg)
{
	(void)state;
	objref_py_checkpoint_hook(fn, arg);
}

static int capi_tracemalloc_start(void *state, int nframe)
{
	int err = objref_capture_tracemalloc_start(nframe);

	(void)state;
	return err < 0 ? objref_py_error(err), -1 : 0;
}

static int capi_alloc_sites(void *state, objref_census **traced, objref_census **reached)
{
	int err;

	(void)state;
	if (reached)
		*reached = NULL;
	if ((err = objref_capture_traced_sites(traced)) < 0 ||
	    (reached && *traced && (err = objref_capture_reached_sites(reached)) < 0)) {
		objref_census_free(*traced);
		*traced = NULL;
		objref_py_error(err);
		return -1;
	}
	return 0;
}

/* The objref._C_API capsule over st->capi. */
int objref_py_capi_add(PyObject *m, objref_modstate *st)
{
	PyObject *capsule;

	st->capi = (objref_CAPI){
		.version = OBJREF_CAPI_VERSION, .state = st, .series = st->series,
		.checkpoint = capi_checkpoint, .set_log = capi_set_log,
		.chains_report = capi_chains_report, .cycles_report = capi_cycles_report,
		.render = capi_render, .dump = capi_dump, .retained = capi_retained,
		.retained_free = objref_py_retained_free,
		.checkpoint_fork = capi_checkpoint_fork, .checkpoint_settle = capi_checkpoint_settle,
		.checkpoint_hook = capi_checkpoint_hook,
		.tracemalloc_start = capi_tracemalloc_start, .alloc_sites = capi_alloc_sites,
	};
	capsule = PyCapsule_New(&st->capi, OBJREF_CAPI_NAME, NULL);
	if (!capsule || PyModule_AddObject(m, "_C_API", capsule) < 0) {
		Py_XDECREF(capsule);
		return -1;
	}
	return 0;
}

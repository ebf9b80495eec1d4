/*
 * cli/chains.c — the chains part of the report (see chains.h).  The report
 * itself is libobjref's (objref/chains_report.h), over a snapshot the
 * module's C API takes (python/capi.h).
 */
#include <stdlib.h>
#include <string.h>
#include "chains.h"
#include "pycompat.h"

/* Edit distance between two names (for "closest names"). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

/* Up to five names of the last census closest to `name`. */
static void closest_names(objref_buf *b, const objref_series *s, const char *name)
{
	const objref_census *c = objref_series_census(s, objref_series_len(s) - 1);
	const objref_census_row *rows = c ? objref_census_rows(c) : NULL;
	size_t n = c ? objref_census_len(c) : 0, shown = 0;
	const char *dot = strrchr(name, '.');

	for (size_t d = 0; d <= 3 && shown < 5; d++)
		for (size_t i = 0; i < n && shown < 5; i++)
			if (distance(rows[i].name, dot ? dot + 1 : name) == d)
				objref_buf_printf(b, "%s%s", shown++ ? ", " : "; closest: ", rows[i].name);
}

static void growing_names(objref_buf *b, const objref_series *s)
{
	objref_growing_row *rows;
	size_t n;

	if (objref_series_growing(&rows, &n, s, NULL) < 0)
		return;
	for (size_t i = 0; i < n && i < 5; i++)
		objref_buf_printf(b, "%s%s", i ? ", " : "; growing: ", rows[i].name);
	if (!n)
		objref_buf_printf(b, "; no type grew");
	objref_free(rows);
}

size_t chain_growing_get(chain_growing *g, const objref_series *s)
{
	size_t n;

	memset(g, 0, sizeof(*g));
	if (objref_series_growing(&g->rows, &n, s, NULL) < 0 || !n)
		return 0;
	if (!(g->names = calloc(n, sizeof(*g->names))))
		return 0;
	for (size_t i = 0; i < n; i++)
		g->names[i] = g->rows[i].name;
	return g->n = n;
}

void chain_growing_dispose(chain_growing *g)
{
	objref_free(g->rows);
	free(g->names);
	memset(g, 0, sizeof(*g));
}

int chain_chains_get(objref_chains_report **out, objref_buf *why, int *type_error,
	const objref_CAPI *api, const chain_options *o, const objref_series *series)
{
	objref_chains_report_options ro = OBJREF_CHAINS_REPORT_OPTIONS_INIT;
	chain_growing g;
	int rc;

	*out = NULL;
	*type_error = 0;
	ro.type = o->type;
	if (!ro.type && !chain_growing_get(&g, series)) {
		chain_growing_dispose(&g);
		return 0;
	}
	if (!ro.type) {
		ro.candidates = g.names;
		ro.ncandidates = g.n;
	}
	ro.samples = o->samples;
	ro.max_depth = o->max_depth;
	ro.picture = !o->no_picture || o->html; /* --html draws it too */
	if (api->chains_report(api->state, out, &ro) == 0 ||
	    !PyErr_ExceptionMatches(PyExc_LookupError)) {
		rc = *out ? 0 : -1;
	} else {
		PyErr_Clear();
		chain_chains_why(why, series, o->type ? o->type : g.names[0], "at the end");
		*type_error = o->type != NULL;
		rc = 0;
	}
	if (!o->type)
		chain_growing_dispose(&g);
	return rc;
}

void chain_chains_why(objref_buf *why, const objref_series *series, const char *type,
	const char *when)
{
	objref_buf_printf(why, "objref-chain: no live object of type '%s' %s", type, when);
	closest_names(why, series, type);
	growing_names(why, series);
	objref_buf_printf(why, "\n");
}

/*
 * cli/entry.c — objref-chain's one entry point (see entry.h).
 */
#include <stdio.h>
#include "entry.h"
#include "interp.h"
#include "options.h"
#include "run.h"
#include "attach_run.h"
#include "from.h"
#include "html.h"

int objref_cli_main(int argc, char **argv, int embedded)
{
	chain_options opts;
	int status = chain_options_parse(&opts, argc, argv);

	if (status == CHAIN_OPTIONS_RUN)
		status = chain_options_act(&opts);
	if (status == CHAIN_OPTIONS_RUN && opts.html && chain_html_check(opts.html) < 0)
		status = CHAIN_EXIT_USAGE;

	if (status == CHAIN_OPTIONS_RUN && opts.from) {
		/* --from: dump files, no interpreter of ours (cli/from.h) */
		status = chain_from_run(&opts);
		chain_options_dispose(&opts);
		return status;
	}
	if (status == CHAIN_OPTIONS_RUN && opts.pid) {
		/* --pid: no interpreter of ours is needed (cli/attach.h) */
		status = chain_attach_run(&opts);
		chain_options_dispose(&opts);
		return status;
	}
	if (status == CHAIN_OPTIONS_RUN && embedded && opts.python) {
		fprintf(stderr, "objref-chain: --python '%s': `python -m objref` runs the program "
			"with the Python running it; run `%s -m objref ...` instead\n",
			opts.python, opts.python);
		status = CHAIN_EXIT_USAGE;
	}
	if (status == CHAIN_OPTIONS_RUN && embedded) {
		chain_interp_use_running();
		status = chain_run_embedded(&opts);
	}
	else if (status == CHAIN_OPTIONS_RUN && (status = chain_interp_choose(opts.python, argv)) == 0)
		status = chain_run(&opts);
	chain_interp_dispose();
	chain_options_dispose(&opts);
	return status;
}

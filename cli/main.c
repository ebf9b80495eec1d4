/*
 * cli/main.c — objref-chain: run a Python program under observation and
 * report which types of objects grow.
 *
 *   objref-chain [OPTIONS] SCRIPT [ARGS...]
 *   objref-chain [OPTIONS] -m MODULE [ARGS...]
 *
 * Exit status: 0 ok (the program exited 0, or --duration stopped it); the
 * program's own status (sys.exit(N)); 1 uncaught exception or syntax error;
 * 2 usage error (bad option or value, script not found); 3 objref failed
 * (a heap capture or the interpreter setup); 130 SIGINT.  See options.h.
 */
#include "options.h"
#include "run.h"
#include "attach_run.h"

int main(int argc, char **argv)
{
	chain_options opts;
	int status = chain_options_parse(&opts, argc, argv);

	if (status == CHAIN_OPTIONS_RUN)
		status = opts.pid ? chain_attach_run(&opts) : chain_run(&opts);
	chain_options_dispose(&opts);
	return status;
}

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
 * (a heap capture or the interpreter setup); 4 the -o picture could not be
 * written after the run; 130 SIGINT; 143 SIGTERM.  See options.h.
 * `python -m objref` runs the same entry point (entry.h).
 */
#include "entry.h"

int main(int argc, char **argv)
{
	return objref_cli_main(argc, argv, 0);
}

/*
 * cli/entry.h — objref-chain's one entry point, shared by its two faces:
 * the objref-chain executable (main.c: it starts and ends its own embedded
 * interpreter) and `python -m objref` (objref/__main__.py calls it, through
 * the extension, in the interpreter already running).  Same options, same
 * report, same exit statuses (options.h).
 */
#ifndef OBJREF_CLI_ENTRY_H
#define OBJREF_CLI_ENTRY_H

/*
 * Run objref-chain with argv[0..argc-1] (argv[0]: how it was invoked, for
 * messages).  embedded = 0: no interpreter runs yet; one is started
 * (--python / VIRTUAL_ENV honoured, see interp.h) and finalized.
 * embedded = 1: called with the GIL held from the running interpreter,
 * which the program then shares (its sys.executable and sys.prefix are
 * that interpreter's; --python is refused); __main__ and sys.argv are
 * replaced for the run and restored.  Returns the exit status.
 */
__attribute__((visibility("default")))
int objref_cli_main(int argc, char **argv, int embedded);

#endif

/*
 * cli/every.h — --every MODULE:FUNC=N: a checkpoint every N calls of a
 * Python function, seen by a C-level profile hook in every thread.
 */
#ifndef OBJREF_CLI_EVERY_H
#define OBJREF_CLI_EVERY_H

#include "options.h"

/* What the hook does every N calls (GIL held): label is "every MODULE:FUNC". */
typedef void (*chain_every_cb)(void *arg, const char *label);

/*
 * Install the hook, which calls cb(arg, label) every N calls: in the calling (main) thread and, on 3.12+, every
 * running thread; threads started later install it on their first event
 * (threading.setprofile).  main_name: a MODULE spelling that also matches
 * the program's __main__.  GIL held.  Returns 0, or -1 with a Python
 * exception set.
 */
int chain_every_start(const chain_every_spec *spec, const char *main_name, chain_every_cb cb,
	void *arg);

/* The hook stops counting (it stays installed, inert).  GIL held. */
void chain_every_stop(void);

#endif

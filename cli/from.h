/*
 * cli/from.h — objref-chain --from FILE ...: the report of a live run made
 * from dump files (objref/dump.h), with no Python interpreter: growth
 * across the dumps (a series of their censuses), the chains of the objects
 * new in the last dump, the garbage cycles of the last dump, the pictures,
 * and the Chrome export (--heapsnapshot).  --pid reports through it too.
 */
#ifndef OBJREF_CLI_FROM_H
#define OBJREF_CLI_FROM_H

#include <stddef.h>
#include "options.h"

/*
 * Load the dumps at paths[0..n) (oldest first) and print the report that
 * o asks for, as a live run prints it, headed "objref-chain: DISPLAY ran
 * ..." (display NULL: the dump's name, or "FIRST .. LAST").  Every dump is
 * loaded and checked before anything is printed: a bad file (unreadable,
 * truncated, corrupt, not a dump, a newer format), dumps of two processes
 * or dumps out of time order print one line on stderr naming the file and
 * the reason and return 2.  Returns the exit status: 0; 2 (bad dumps, a
 * --type with no instance in the last dump); 3 (out of memory); 4 (-o or
 * --heapsnapshot or --html could not be written).  note: a line more for
 * the HTML page's summary (--pid: how long the process paused), or NULL.
 */
int chain_from_report(const chain_options *o, const char *const *paths, size_t n,
	const char *display, const char *note);

/* objref-chain --from: chain_from_report over o->from. */
int chain_from_run(const chain_options *o);

#endif

/*
 * objref/proc.h — facts about the running process that the reports record
 * (the command line in every PNG's "Command" text chunk), in one place for
 * the module and the CLI.
 */
#ifndef OBJREF_PROC_H
#define OBJREF_PROC_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The command line of this process (/proc/self/cmdline, arguments joined
 * by spaces) in buf, NUL-terminated and cut to size - 1 bytes; "" where
 * /proc is missing.  Returns the length written.  size must be >= 1.
 */
OBJREF_EXTERN size_t objref_command_line(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

/*
 * lib/proc.c — facts about the running process (include/objref/proc.h).
 */
#include <stdio.h>
#include "objref/proc.h"

size_t objref_command_line(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/cmdline", "rb");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	if (f)
		fclose(f);
	while (n && !buf[n - 1])
		n--;  /* the last argument's terminator */
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = '\0';
	return n;
}

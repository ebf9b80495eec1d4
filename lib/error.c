/*
 * lib/error.c — the last error message, one per thread.
 */
#include <stdio.h>
#include "internal.h"

static _Thread_local char last_error[512];

int objref__error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return code;
}

const char *objref_error_last(void)
{
	return last_error;
}

void objref_error_clear(void)
{
	last_error[0] = '\0';
}

const char *objref_version(void)
{
	return OBJREF_VERSION;
}

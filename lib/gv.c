/*
 * lib/gv.c — the Graphviz context, its lock, and its messages
 * (lib/gv_internal.h).
 *
 * Graphviz reports errors through a callback in fragments (agerr prints a
 * prefix, then the message); they are kept in one buffer, truncated at
 * 4 KB, until the next clear.
 */
#include <pthread.h>
#include <string.h>
#include "gv_internal.h"

static pthread_mutex_t gv_mutex = PTHREAD_MUTEX_INITIALIZER;
static GVC_t *gv_context;
static char gv_messages[4096];
static size_t gv_len;
static int gv_hooked;

static int gv_message(char *s);

void objref__gv_lock(void)
{
	pthread_mutex_lock(&gv_mutex);
	if (!gv_hooked) {
		agseterrf(gv_message);
		/* Warnings (unknown attributes, fonts) are not failures. */
		agseterr(AGERR);
		gv_hooked = 1;
	}
}

void objref__gv_unlock(void)
{
	pthread_mutex_unlock(&gv_mutex);
}

static int gv_message(char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(gv_messages) - 1 - gv_len)
		n = sizeof(gv_messages) - 1 - gv_len;
	memcpy(gv_messages + gv_len, s, n);
	gv_len += n;
	gv_messages[gv_len] = '\0';
	return 0;
}

GVC_t *objref__gv_context(void)
{
	if (!gv_context)
		gv_context = gvContext();
	return gv_context;
}

const char *objref__gv_errors(void)
{
	/* Drop the trailing newline: messages end up inside our own. */
	while (gv_len && (gv_messages[gv_len - 1] == '\n' || gv_messages[gv_len - 1] == ' '))
		gv_messages[--gv_len] = '\0';
	return gv_messages;
}

void objref__gv_errors_clear(void)
{
	gv_len = 0;
	gv_messages[0] = '\0';
}

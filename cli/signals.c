/*
 * cli/signals.c — SIGTERM handled like SIGINT (see signals.h).
 *
 * The handler only does what a signal handler may: it reads and sets
 * sig_atomic_t flags, asks sigaction what SIGINT's disposition is, and
 * trips Python's SIGINT flag with PyErr_SetInterrupt, which is what
 * Python's own C handler does for SIGINT (async-signal-safe).  It is
 * installed without SA_RESTART, so a main thread blocked in sleep() or
 * read() wakes with EINTR and runs the KeyboardInterrupt at once.
 */
#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include "signals.h"

static pthread_t main_thread;
static pid_t observed_pid;                  /* a forked child is not observed */
static volatile sig_atomic_t terminated;    /* SIGTERMs taken by the main thread */
static volatile sig_atomic_t program_ended; /* the report is being written */

/* Default action: the process dies of SIGTERM, as python would. */
static void die(void)
{
	signal(SIGTERM, SIG_DFL);
	raise(SIGTERM);
}

/* Python's SIGINT handler is installed (not SIG_IGN, not SIG_DFL). */
static int sigint_handled(void)
{
	struct sigaction sa;

	if (sigaction(SIGINT, NULL, &sa) < 0)
		return 0;
	if (sa.sa_flags & SA_SIGINFO)
		return 1;
	return sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL;
}

static void on_sigterm(int sig)
{
	int saved_errno = errno;

	(void)sig;
	if (getpid() != observed_pid) {
		die();
	} else if (!pthread_equal(pthread_self(), main_thread)) {
		/* Only the main thread runs Python's signal handlers and may be
		 * blocked in a call that must be interrupted. */
		pthread_kill(main_thread, SIGTERM);
	} else if (terminated++ || (!program_ended && !sigint_handled())) {
		die();
	} else if (!program_ended) {
		PyErr_SetInterrupt();
	}
	errno = saved_errno;
}

/*
 * SIGINT ignored when Python started (a background job of a shell, nohup):
 * Python installed no SIGINT handler, so PyErr_SetInterrupt would do
 * nothing.  SIGTERM then gets a Python-level handler (run by Python in the
 * main thread, where raising is allowed) that raises KeyboardInterrupt.
 */
static PyObject *sigterm_handler(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	if (terminated++)
		die();
	if (program_ended)
		Py_RETURN_NONE; /* the report under way finishes; exit 143 */
	PyErr_SetNone(PyExc_KeyboardInterrupt);
	return NULL;
}

static PyMethodDef sigterm_def = {
	"objref_chain_sigterm", sigterm_handler, METH_VARARGS,
	"objref-chain: SIGTERM raises KeyboardInterrupt (SIGINT is ignored)"
};

static int install_python_handler(void)
{
	PyObject *signal_mod = PyImport_ImportModule("_signal");
	PyObject *fn = signal_mod ? PyCFunction_New(&sigterm_def, NULL) : NULL;
	PyObject *r = fn ? PyObject_CallMethod(signal_mod, "signal", "iO", SIGTERM, fn) : NULL;

	Py_XDECREF(signal_mod);
	Py_XDECREF(fn);
	if (!r) {
		PyErr_Print();
		fprintf(stderr, "objref-chain: cannot handle SIGTERM\n");
		return -1;
	}
	Py_DECREF(r);
	return 0;
}

int chain_signals_install(void)
{
	struct sigaction sa, old;

	main_thread = pthread_self();
	observed_pid = getpid();
	if (sigaction(SIGTERM, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
	    old.sa_handler == SIG_IGN)
		return 0;
	if (!sigint_handled())
		return install_python_handler();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigterm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked call returns EINTR */
	if (sigaction(SIGTERM, &sa, NULL) < 0) {
		fprintf(stderr, "objref-chain: cannot handle SIGTERM: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

void chain_signals_program_ended(void)
{
	program_ended = 1;
}

int chain_signals_terminated(void)
{
	return terminated != 0;
}

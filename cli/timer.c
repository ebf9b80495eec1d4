/*
 * cli/timer.c — the --interval / --duration thread (see timer.h).
 *
 * Locking: T.mu guards script_done and stopped.  The thread never waits for
 * the GIL while holding T.mu, and the main thread sets script_done while it
 * holds the GIL; so a thread that holds the GIL and reads script_done == 0
 * knows the program is still running and stays so until it lets go.
 */
#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "objref/report.h"
#include "timer.h"

/* How long the program may take to stop after --duration interrupted it. */
#define STOP_GRACE_SECONDS 5.0

static struct {
	double interval, duration;
	const char *display;
	pthread_t thread, main_thread;
	unsigned long main_ident;   /* PyThread_get_thread_ident() of main */
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* signalled when script_done is set */
	int started;
	int script_done;
	int stopped;
	chain_timer_callbacks cb;
} T = { .mu = PTHREAD_MUTEX_INITIALIZER };

double chain_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait on T.cv (T.mu held) until script_done or the monotonic time `until`. */
static void wait_until(double until)
{
	struct timespec ts;

	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec > 999999999)
		ts.tv_nsec = 999999999;
	while (!T.script_done && chain_clock() < until)
		if (pthread_cond_timedwait(&T.cv, &T.mu, &ts) == ETIMEDOUT)
			break;
}

static int script_done(void)
{
	int done;
	pthread_mutex_lock(&T.mu);
	done = T.script_done;
	pthread_mutex_unlock(&T.mu);
	return done;
}

/* One --interval checkpoint, unless the program has returned. */
static void tick(void)
{
	PyGILState_STATE g = PyGILState_Ensure();

	if (!script_done())
		T.cb.tick(T.cb.arg);
	PyGILState_Release(g);
}

/*
 * Interrupt the main thread as Ctrl-C would.  Called with the GIL held, so
 * the signal's two trips (PyErr_SetInterrupt, the handler run by
 * pthread_kill) land before main runs Python again and raise once.
 * pthread_kill wakes a main thread blocked in sleep() or a read().  When
 * SIGINT is not handled (SIG_IGN inherited, or set by the program),
 * a signal would do nothing or kill the process without a report: raise
 * KeyboardInterrupt in the main thread directly instead.
 */
static void interrupt_main(void)
{
	struct sigaction sa;

	sigaction(SIGINT, NULL, &sa);
	if (!(sa.sa_flags & SA_SIGINFO) &&
	    (sa.sa_handler == SIG_IGN || sa.sa_handler == SIG_DFL)) {
		PyThreadState_SetAsyncExc(T.main_ident, PyExc_KeyboardInterrupt);
		return;
	}
	PyErr_SetInterrupt();
	pthread_kill(T.main_thread, SIGINT);
}

/* The program would not stop: print the report taken at --duration, end. */
static void give_up(const objref_buf *report)
{
	fprintf(stderr, "objref-chain: %s did not stop within %.0f s after --duration %g s; "
		"exiting without cleanup\n", T.display, STOP_GRACE_SECONDS, T.duration);
	fputs(report->data ? report->data : "", stdout);
	fflush(stdout);
	fflush(stderr);
	_exit(T.cb.failed(T.cb.arg) ? 3 : 0);
}

/* --duration: last checkpoint, report kept aside, interrupt, wait. */
static void stop_program(void)
{
	PyGILState_STATE g = PyGILState_Ensure();
	objref_buf report = { 0 };
	int done = script_done();

	if (!done) {
		T.cb.stop(T.cb.arg, &report);
		pthread_mutex_lock(&T.mu);
		T.stopped = 1;
		pthread_mutex_unlock(&T.mu);
		interrupt_main();
	}
	PyGILState_Release(g);
	pthread_mutex_lock(&T.mu);
	wait_until(chain_clock() + STOP_GRACE_SECONDS);
	done = T.script_done;
	pthread_mutex_unlock(&T.mu);
	if (!done)
		give_up(&report);
	objref_buf_dispose(&report);
}

static void *timer_main(void *unused)
{
	double t0 = chain_clock(), end = t0 + T.duration, next = t0 + T.interval;

	(void)unused;
	pthread_mutex_lock(&T.mu);
	for (;;) {
		double deadline = !T.interval ? end : !T.duration || next < end ? next : end;
		wait_until(deadline);
		if (T.script_done)
			break;
		if (chain_clock() < deadline)
			continue;
		pthread_mutex_unlock(&T.mu);
		if (T.duration && deadline == end) {
			stop_program();
			return NULL;
		}
		tick();
		while (next <= chain_clock()) /* skip ticks a slow checkpoint overran */
			next += T.interval;
		pthread_mutex_lock(&T.mu);
	}
	pthread_mutex_unlock(&T.mu);
	return NULL;
}

/* A condition variable on the monotonic clock (wait_until uses it). */
static int init_cond(void)
{
	pthread_condattr_t attr;
	int err = pthread_condattr_init(&attr);

	if (!err)
		err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(&T.cv, &attr);
	pthread_condattr_destroy(&attr);
	return err;
}

int chain_timer_start(double interval, double duration, const char *display,
	const chain_timer_callbacks *cb)
{
	sigset_t all, old;
	int err;

	T.interval = interval;
	T.duration = duration;
	T.display = display;
	T.cb = *cb;
	T.main_thread = pthread_self();
	T.main_ident = PyThread_get_thread_ident();
	if ((err = init_cond()) == 0) {
		/* The thread inherits a full mask: SIGINT is for the main thread. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		err = pthread_create(&T.thread, NULL, timer_main, NULL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (err) {
		fprintf(stderr, "objref-chain: cannot start the timer thread: %s\n", strerror(err));
		return -1;
	}
	T.started = 1;
	return 0;
}

void chain_timer_finish(void)
{
	if (!T.started)
		return;
	pthread_mutex_lock(&T.mu);
	T.script_done = 1;
	pthread_cond_broadcast(&T.cv);
	pthread_mutex_unlock(&T.mu);
	Py_BEGIN_ALLOW_THREADS
	pthread_join(T.thread, NULL);
	Py_END_ALLOW_THREADS
	T.started = 0;
}

int chain_timer_stopped(void)
{
	int stopped;
	pthread_mutex_lock(&T.mu);
	stopped = T.stopped;
	pthread_mutex_unlock(&T.mu);
	return stopped;
}

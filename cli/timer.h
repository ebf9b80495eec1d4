/*
 * cli/timer.h — the timer thread of --interval and --duration.
 *
 * A plain pthread, signals blocked, that sleeps on a monotonic clock and
 * takes the GIL (PyGILState_Ensure) for each checkpoint.  At --duration it
 * takes the last checkpoint while the program is still alive, renders the
 * report, then interrupts the main thread as Ctrl-C would; if the program
 * has not returned 5 s later, it prints that report and ends the process.
 */
#ifndef OBJREF_CLI_TIMER_H
#define OBJREF_CLI_TIMER_H

/* Seconds on the monotonic clock. */
double chain_clock(void);

#include "objref/report.h"

/* What the timer does; each is called from the timer thread with the GIL
 * held, with arg.  The timer never names its users (libuv's uv_timer_start). */
typedef struct {
	void (*tick)(void *arg);  /* --interval: take a checkpoint */
	/* --duration: take the last checkpoint, stop the clock, render the
	 * report into `report` (printed only if the program will not stop) */
	void (*stop)(void *arg, objref_buf *report);
	int (*failed)(void *arg); /* nonzero: a giving-up exit is status 3 */
	void *arg;
} chain_timer_callbacks;

/*
 * Start the thread (from the main thread, GIL held): cb->tick every
 * `interval` seconds (0: none); after `duration` seconds (0: none) the
 * stop described above, through cb->stop.  display names the program in
 * messages (kept).  *cb is copied.  Returns 0, or -1 after printing why.
 */
int chain_timer_start(double interval, double duration, const char *display,
	const chain_timer_callbacks *cb);

/* The program has returned: no checkpoint or stop will be started from
 * now on.  Joins the thread, releasing the GIL the caller holds. */
void chain_timer_finish(void);

/* Whether --duration interrupted the program. */
int chain_timer_stopped(void);

#endif

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

/*
 * Start the thread (from the main thread, GIL held): a checkpoint every
 * `interval` seconds (0: none); after `duration` seconds (0: none) the
 * stop described above.  display names the program in messages (kept).
 * Returns 0, or -1 after printing why.
 */
int chain_timer_start(double interval, double duration, const char *display);

/* The program has returned: no checkpoint or stop will be started from
 * now on.  Joins the thread, releasing the GIL the caller holds. */
void chain_timer_finish(void);

/* Whether --duration interrupted the program. */
int chain_timer_stopped(void);

#endif

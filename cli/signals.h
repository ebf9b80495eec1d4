/*
 * cli/signals.h — SIGTERM handled like SIGINT.
 *
 * systemd, docker stop and supervisors stop a service with SIGTERM.  Under
 * `python` that kills the program without a word; under objref-chain it
 * must end like Ctrl-C: the program gets KeyboardInterrupt (its own SIGINT
 * handler runs, as for Ctrl-C), the last checkpoint, the report and the
 * pictures are written, and objref-chain exits 143 (128 + SIGTERM).
 *
 * A program that installs its own SIGTERM handler (signal.signal) replaces
 * ours, as it would under python.  A second SIGTERM kills at once.  When
 * SIGINT was ignored at the start (a background job of a shell), the
 * handler is a Python-level one (signal.getsignal(SIGTERM) shows it), as
 * Python has no SIGINT handler to trip.  When the program itself makes
 * SIGINT ignored or default later, SIGTERM kills at once, as under python.
 */
#ifndef OBJREF_CLI_SIGNALS_H
#define OBJREF_CLI_SIGNALS_H

/* Install the SIGTERM handler; call from the main thread after Python is
 * initialized (so that signal.getsignal(SIGTERM) still says SIG_DFL) and
 * before the program runs.  An inherited SIG_IGN is kept.  Returns 0 or -1
 * after printing why. */
int chain_signals_install(void);

/* The program has returned: a SIGTERM from now on is only recorded (the
 * report under way finishes), a second one kills. */
void chain_signals_program_ended(void);

/* 1 when a SIGTERM arrived (and was turned into an interruption or
 * recorded during the report), else 0. */
int chain_signals_terminated(void);

#endif

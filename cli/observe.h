/*
 * cli/observe.h — the observation of one program run: checkpoints taken
 * through the built-in `objref` module, from the program's end, from the
 * --every hook and from the --interval/--duration timer; the final report.
 *
 * There is one observation per process.  Every function here is called
 * with the GIL held; a checkpoint is taken by whichever thread holds it.
 */
#ifndef OBJREF_CLI_OBSERVE_H
#define OBJREF_CLI_OBSERVE_H

#include "objref/report.h"
#include "options.h"

/*
 * Import `objref`, find its series, set up --log and --every.  main_name:
 * the name MODULE of --every may use for the program's __main__ (the
 * script's file name without .py, or the -m module).  Returns 0, or -1
 * after printing why (exit status 3).
 */
int chain_observe_start(const chain_options *o, const char *main_name);

/* The program starts now: the clock and the timer thread start.  Returns 0
 * or -1 after printing why. */
int chain_observe_script_started(void);

/*
 * The program has returned.  No exception may be pending (the caller keeps
 * the program's exception, so its frames stay alive for the census).  Stops
 * --every, joins the timer (releasing the GIL meanwhile), then takes the
 * end checkpoint unless --duration took the last one while the program was
 * alive.  Returns 1 when --duration stopped the program, else 0.
 */
int chain_observe_script_ended(void);

/* Take a checkpoint named label.  A pending exception is kept.  Returns 0,
 * or -1 when this or an earlier checkpoint failed (reported once on
 * stderr; chain_observe_failed() turns true). */
int chain_observe_checkpoint(const char *label);

/* 1 in a process forked by the program (the observation belongs to the
 * process objref-chain started; a child takes no checkpoint and reports
 * nothing), else 0. */
int chain_observe_in_child(void);

/* 1 in a forked child that --follow-fork made observe itself. */
int chain_observe_forked(void);

/* The program was stopped by a signal (how: "SIGINT", "SIGTERM"): the
 * report explains an empty growth that way.  how must outlive the
 * observation (a literal). */
void chain_observe_interrupted(const char *how);

/* The run's clock stops now (the report's "ran N s"). */
void chain_observe_mark_end(void);

/* The report, appended to b. */
int chain_observe_render(objref_buf *b);

/* Flush the program's sys.stderr and sys.stdout (Python-level buffers), so
 * that what objref-chain writes next comes after them. */
void chain_flush_python_std(void);

/* Flush as above, then write the report to stdout. */
void chain_observe_report(void);

int chain_observe_failed(void);

/* A picture asked for with -o FILE could not be written (said on
 * stderr): the run exits 4. */
int chain_observe_output_failed(void);

/* --type named no live type (reported on stderr): the run exits 2. */
int chain_observe_type_error(void);

/* Release what the observation holds (before Py_FinalizeEx). */
void chain_observe_dispose(void);

#endif

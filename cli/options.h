/*
 * cli/options.h — the command line of objref-chain.
 *
 * Exit statuses of objref-chain (also listed by --help):
 *   0    the script ran to its end and exited 0 (or --duration stopped it)
 *   N    the script's own exit status (sys.exit(N), SystemExit)
 *   1    the script raised an uncaught exception (or a syntax error)
 *   2    usage error: unknown option, bad value, script not found, a --type
 *        that names no live type
 *   3    objref failed: a checkpoint (heap capture) or the interpreter setup
 *   4    the picture asked for with -o FILE could not be written after the run
 *   130  interrupted by SIGINT (KeyboardInterrupt not caught by the script)
 *   143  stopped by SIGTERM, handled as SIGINT (report, pictures), unless the
 *        program exited with its own non-zero status
 * objref failing (3), then 2 (--type), then 4 take precedence over the script's status: a report
 * with a missing checkpoint must not pass for a good one.
 */
#ifndef OBJREF_CLI_OPTIONS_H
#define OBJREF_CLI_OPTIONS_H

enum {
	CHAIN_EXIT_OK = 0,
	CHAIN_EXIT_EXCEPTION = 1,
	CHAIN_EXIT_USAGE = 2,
	CHAIN_EXIT_INTERNAL = 3,
	CHAIN_EXIT_OUTPUT = 4,
	CHAIN_EXIT_SIGINT = 130,
	CHAIN_EXIT_SIGTERM = 143,
	/* chain_options_parse / chain_options_act: go on */
	CHAIN_OPTIONS_RUN = -1,
	/* internal to the parser: a terminal option (--help ...) ends it */
	CHAIN_OPTIONS_DONE = -2
};

/* --every MODULE:FUNC=N: a checkpoint every n calls of MODULE.FUNC. */
typedef struct {
	char *module; /* owned; "app", "pkg.mod" */
	char *func;   /* owned; "handle" or "Class.method" */
	unsigned long n;
} chain_every_spec;

typedef struct {
	const char *argv0;       /* how objref-chain was invoked */
	const char *script;      /* SCRIPT, or NULL when -m is given */
	const char *run_module;  /* MODULE of -m, or NULL */
	char **args;             /* the program's arguments after SCRIPT/MODULE */
	int nargs;
	unsigned long top;       /* --top N; 0: not asked */
	int growth;              /* the growing-types table is wanted */
	int has_every;
	chain_every_spec every;
	double interval;         /* --interval SEC; 0: none */
	double duration;         /* --duration SEC; 0: none */
	const char *log_path;    /* --log FILE; NULL: none */
	const char *type;        /* --type T; NULL: the fastest-growing type */
	unsigned long samples;   /* --samples K (5) */
	unsigned long max_depth; /* --max-depth D (20) */
	int json;                /* --json */
	const char *output;      /* -o FILE: the picture (.png .svg .pdf .dot); NULL:
				    objref-<type>.png in the current directory */
	int no_picture;          /* --no-picture */
	const char *html;        /* --html FILE: the report as an HTML page; NULL: none */
	int cycles;              /* --cycles: garbage cycles grouped by shape */
	int help, version;       /* --help, --version: print, exit 0 */
	const char *extract_dot; /* --extract-dot PNG: print its DOT, exit */
	char *display;           /* owned: "app.py" or "-m pkg.mod", for messages;
				    NULL after --help, --version, --extract-dot */
	int follow_fork;         /* --follow-fork: forked children report too (follow.h) */
	int pid;                 /* --pid PID: attach instead of running a program; 0: none */
	unsigned long count;     /* --count K: dumps with --pid; 0: the default (3) */
	const char *dump_dir;    /* --dump-dir DIR: keep the dumps of --pid; NULL: none */
	int verbose;             /* --verbose */
	const char *python;      /* --python PATH: the interpreter the program runs with
				    (see interp.h); NULL: $VIRTUAL_ENV's, else the built-in */
	const char **from;       /* owned array: --from FILE ..., in time order; NULL: none */
	size_t nfrom;
	const char *heapsnapshot; /* --heapsnapshot OUT: with --from, the last dump as a
				     Chrome .heapsnapshot; NULL: none */
	const char *dump;        /* --dump FILE: a dump at the end of the run; NULL: none */
	unsigned long dump_every; /* --dump-every N: also FILE-1.objref ... every N
				     checkpoints (the program's too); 0: none */
	int census_in_process;   /* --census-in-process: no forked census at checkpoints */
	unsigned long tracemalloc; /* --tracemalloc[=N]: frames traced from the start; 0: off */
} chain_options;

#define CHAIN_OPTIONS_INIT { .samples = 5, .max_depth = 20 }

/*
 * Parse argv into *out, doing nothing else.  Returns CHAIN_OPTIONS_RUN, or
 * 2 after a usage error (reported on stderr).  Options stop at SCRIPT (or
 * at -m MODULE): what follows is the program's; --help, --version and
 * --extract-dot stop them too (no SCRIPT needed).  Release with
 * chain_options_dispose.
 */
int chain_options_parse(chain_options *out, int argc, char **argv);

/*
 * What parsed options do before a run: print --help or --version (exit
 * 0), --extract-dot (its exit status), create or truncate the --log file
 * (2 when it cannot be written).  Returns CHAIN_OPTIONS_RUN when the
 * program should run, else the exit status.
 */
int chain_options_act(const chain_options *o);
void chain_options_dispose(chain_options *o);

#endif

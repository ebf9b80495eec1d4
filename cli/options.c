/*
 * cli/options.c — the command line of objref-chain: one option table
 * (opts_table) from which --help, the usage error's list and getopt's
 * tables are made; a parser that only parses (chain_options_parse), and
 * the few things options do before the run (chain_options_act).
 *
 * Options come before SCRIPT (getopt_long with "+"): everything from SCRIPT
 * on, or after -m MODULE, belongs to the program, as with `python`.
 * Every bad input is a usage error (exit 2) that says what was wrong and
 * what would be accepted.
 */
#include <Python.h> /* PY_VERSION; first, as Python requires */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "objref/common.h"
#include "options.h"
#include "output_check.h"
#include "pictures.h"

enum {
	OPT_TYPE = 256, OPT_TOP, OPT_GROWTH, OPT_EVERY, OPT_INTERVAL, OPT_DURATION,
	OPT_LOG, OPT_JSON, OPT_VERSION, OPT_SAMPLES, OPT_MAX_DEPTH, OPT_NO_PICTURE, OPT_EXTRACT_DOT,
	OPT_CYCLES, OPT_PYTHON, OPT_FOLLOW_FORK, OPT_PID, OPT_COUNT, OPT_DUMP_DIR, OPT_VERBOSE,
	OPT_FROM, OPT_HEAPSNAPSHOT, OPT_DUMP, OPT_DUMP_EVERY, OPT_HTML, OPT_CENSUS_IN_PROCESS,
	OPT_TRACEMALLOC
};

/* One option of the table: --help, the usage error's list and getopt's
 * tables are all made from it (libgit2's src/cli/opt.h). */
typedef struct {
	int id;            /* getopt's value: the short letter, or OPT_* */
	char letter;       /* -X, or 0 */
	const char *name;  /* --name, or NULL */
	const char *arg;   /* the value's name, NULL for a flag */
	const char *help;  /* the --help text, lines separated by \n */
} chain_opt;

static const chain_opt opts_table[] = {
	{ OPT_TYPE, 0, "type", "T", "who holds the objects of type T (tuple, Session or\n"
	  "pkg.mod.Session): chains from roots to samples of it;\n"
	  "without --type, the growing type whose new objects keep\n"
	  "the most alive is chained" },
	{ OPT_SAMPLES, 0, "samples", "K", "chain K samples, the newest first (default 5)" },
	{ OPT_MAX_DEPTH, 0, "max-depth", "D", "longest chain searched (default 20)" },
	{ 'o', 'o', "output", "FILE", "the picture of the chains: FILE.png, .svg, .pdf or\n"
	  ".dot (default objref-TYPE.png); the DOT is always\n"
	  "written too (FILE with .dot), and a PNG carries it" },
	{ OPT_HTML, 0, "html", "FILE", "also write the report as one self-contained HTML page:\n"
	  "summary, growth chart, census table, the chains and\n"
	  "their picture, --cycles, retained sizes per type" },
	{ OPT_NO_PICTURE, 0, "no-picture", NULL, "no picture, only the text report" },
	{ OPT_EXTRACT_DOT, 0, "extract-dot", "PNG", "print the DOT source an objref PNG carries, and exit" },
	{ OPT_GROWTH, 0, "growth", NULL, "print the growing-types table (the default report)" },
	{ OPT_CYCLES, 0, "cycles", NULL, "garbage cycles at the end, grouped by shape, found\n"
	  "without a collection: collectable ones (gc disabled\n"
	  "or not run yet), frozen, uncollectable (gc.garbage,\n"
	  "legacy finalizers, untraversable objects); pictures\n"
	  "of the top shapes in objref-cycles.png (-o FILE when\n"
	  "no --type)" },
	{ OPT_TOP, 0, "top", "N", "print the N most common types at the last checkpoint\n"
	  "(objgraph show_most_common_types format, untracked\n"
	  "objects counted)" },
	{ OPT_EVERY, 0, "every", "MODULE:FUNC=N", "a checkpoint every N calls of MODULE.FUNC, in any\n"
	  "thread; FUNC may be Class.method (before Python 3.11\n"
	  "only the last name is compared); MODULE may name the\n"
	  "script (app for app.py) or be __main__" },
	{ OPT_INTERVAL, 0, "interval", "SEC", "a checkpoint every SEC seconds" },
	{ OPT_DURATION, 0, "duration", "SEC", "after SEC seconds take a last checkpoint, stop the\n"
	  "program (as Ctrl-C would) and report" },
	{ OPT_LOG, 0, "log", "FILE", "append every checkpoint's census to FILE (truncated at\n"
	  "start), one '# checkpoint' header per census" },
	{ 'm', 'm', NULL, "MODULE", "run a library module as a script, as `python -m`" },
	{ OPT_PID, 0, "pid", "PID", "attach to a running CPython 3.8-3.13 process instead\n"
	  "of starting one: take --count fork-based dumps of its\n"
	  "heap --interval seconds apart (default 3, 10 s; it\n"
	  "pauses for each fork only) and report what grows;\n"
	  "needs gdb and permission to ptrace the process" },
	{ OPT_COUNT, 0, "count", "K", "dumps to take with --pid (default 3)" },
	{ OPT_DUMP_DIR, 0, "dump-dir", "DIR", "keep the dumps of --pid in DIR (dump-1.objref ...)" },
	{ OPT_VERBOSE, 0, "verbose", NULL, "with --pid, show gdb's output" },
	{ OPT_FROM, 0, "from", "FILE", "analyse dump files instead of running a program (give\n"
	  "it once per dump, oldest first): growth across them,\n"
	  "chains of the objects new in the last dump, --cycles;\n"
	  "no Python runs (a dump of any supported Python)" },
	{ OPT_HEAPSNAPSHOT, 0, "heapsnapshot", "OUT", "with --from, also write the last dump as a Chrome\n"
	  "DevTools .heapsnapshot (Memory tab, memlab)" },
	{ OPT_DUMP, 0, "dump", "FILE", "write a dump of the heap at the end of the run (in a\n"
	  "forked child: the program pauses for the fork only);\n"
	  "read it later with --from FILE" },
	{ OPT_DUMP_EVERY, 0, "dump-every", "N", "with --dump FILE, also a dump every N checkpoints\n"
	  "(objref-chain's and the program's objref.checkpoint()):\n"
	  "FILE-1.objref, FILE-2.objref ..." },
	{ OPT_CENSUS_IN_PROCESS, 0, "census-in-process", NULL, "take the census of --interval and --every checkpoints\n"
	  "in the program's process (it pauses for the whole heap\n"
	  "walk) instead of in a forked child (it pauses for the\n"
	  "fork only; the default where fork is safe)" },
	{ OPT_TRACEMALLOC, 0, "tracemalloc", "[=N]", "trace allocations (tracemalloc, N frames, default 1)\n"
	  "from the program's start: memory no object explains\n"
	  "is then told in bytes and by allocation site\n"
	  "(PYTHONTRACEMALLOC and -X tracemalloc do the same)" },
	{ OPT_FOLLOW_FORK, 0, "follow-fork", NULL, "a child the program forks (os.fork) reports too\n"
	  "when it returns to objref-chain, under names with\n"
	  "its pid: 'SCRIPT [pid N]', PIC.N.png, LOG.N,\n"
	  "objref-chain.N.json (default: only the process\n"
	  "objref-chain started is observed)" },
	{ OPT_PYTHON, 0, "python", "PATH", "run the program as PATH would (PATH SCRIPT ARGS...):\n"
	  "its sys.executable, sys.prefix and sys.path, a\n"
	  "virtualenv's site-packages included; default: the\n"
	  "active virtualenv's python ($VIRTUAL_ENV), else the\n"
	  "python3 on PATH, else the Python objref-chain was\n"
	  "built with.  Another version than the embedded one\n"
	  "runs objref-chain-3.X (installed by `make install`)" },
	{ 'h', 'h', "help", NULL, "this help" },
	{ OPT_VERSION, 0, "version", NULL, "versions of objref-chain and of its Python" },
	{ OPT_JSON, 0, "json", NULL, "the report as JSON (schema objref-chain/1, see\n"
	  "docs/guide.md) instead of text" },
};

#define NOPTS (sizeof(opts_table) / sizeof(opts_table[0]))
#define HELP_COLUMN 25

static const char usage_line[] =
	"usage: objref-chain [OPTIONS] SCRIPT [ARGS...]\n"
	"       objref-chain [OPTIONS] -m MODULE [ARGS...]\n"
	"       objref-chain [OPTIONS] --pid PID\n"
	"       objref-chain [OPTIONS] --from FILE [--from FILE ...]\n";

static const char help_intro[] =
	"Run a Python program as `python SCRIPT ARGS...` would, take checkpoints of\n"
	"its heap (a census of live objects by type), and report what grows.\n"
	"\n"
	"options:\n";

static const char help_outro[] =
	"\n"
	"A checkpoint is always taken when the program ends (normally, by sys.exit,\n"
	"an exception or Ctrl-C).  Programs may take their own with\n"
	"objref.checkpoint().  The report goes to stdout after the program's output;\n"
	"messages of objref-chain go to stderr.\n"
	"\n"
	"exit status:\n"
	"  0     the program ended normally, or --duration stopped it\n"
	"  N     the program's own status (sys.exit(N))\n"
	"  1     the program raised an uncaught exception (or has a syntax error)\n"
	"  2     usage error (bad option or value, script not found)\n"
	"  3     objref failed (a heap capture or the interpreter setup failed)\n"
	"  4     the picture asked for with -o FILE could not be written after the run\n"
	"  130   interrupted by SIGINT\n"
	"  143   stopped by SIGTERM (handled as SIGINT: last checkpoint, report,\n"
	"        pictures), unless the program exited with its own non-zero status\n"
	"\n"
	"Only the process objref-chain started is observed: a child the program\n"
	"forks (os.fork) takes no checkpoint and writes no report (--follow-fork).\n";

/* How option o is written: "-o, --output FILE" (help) or "-o/--output FILE"
 * (the usage error's list). */
static void spelling(char *buf, size_t size, const chain_opt *o, const char *sep)
{
	char letter[4] = "";

	if (o->letter)
		snprintf(letter, sizeof(letter), "-%c", o->letter);
	snprintf(buf, size, "%s%s%s%s%s%s", letter, o->letter && o->name ? sep : "",
		o->name ? "--" : "", o->name ? o->name : "", o->arg && o->arg[0] != '[' ? " " : "",
		o->arg ? o->arg : "");
}

/* The --help text of the options, from the table. */
static void print_options_help(FILE *f)
{
	char left[64];

	for (size_t i = 0; i < NOPTS; i++) {
		const char *h = opts_table[i].help;
		spelling(left, sizeof(left), &opts_table[i], ", ");
		fprintf(f, "  %-*s", HELP_COLUMN - 2, left);
		if (strlen(left) > HELP_COLUMN - 3)
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COLUMN, "");
		fprintf(f, "%s\n", h);
	}
}

/* "valid options: --type T, --samples K, ..." wrapped under 80 columns. */
static void print_valid_options(FILE *f)
{
	size_t col = (size_t)fprintf(f, "valid options:");
	char item[64];

	for (size_t i = 0; i < NOPTS; i++) {
		spelling(item, sizeof(item), &opts_table[i], "/");
		if (col + strlen(item) + 3 > 79) {
			fprintf(f, "\n ");
			col = 1;
		}
		col += (size_t)fprintf(f, " %s%s", item, i + 1 < NOPTS ? "," : "\n");
	}
}

/* A usage error: the message, the valid choices, exit status 2. */
static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "objref-chain: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n%s", usage_line);
	print_valid_options(stderr);
	fprintf(stderr, "Try 'objref-chain --help' for more.\n");
	return CHAIN_EXIT_USAGE;
}

/* A positive integer that fits an unsigned long, the whole string. */
static int parse_count(unsigned long *out, const char *s)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoul(s, &end, 10);
	return (errno || *end || *out == 0) ? -1 : 0;
}

/* A positive finite number of seconds, the whole string. */
static int parse_seconds(double *out, const char *s)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return (errno || end == s || *end || !isfinite(*out) || *out <= 0) ? -1 : 0;
}

/* MODULE:FUNC=N into spec; MODULE and FUNC must be non-empty. */
static int parse_every(chain_every_spec *spec, const char *s)
{
	const char *colon = strchr(s, ':'), *eq = strrchr(s, '=');

	if (!colon || !eq || eq < colon || colon == s || eq == colon + 1)
		return -1;
	if (parse_count(&spec->n, eq + 1) < 0)
		return -1;
	spec->module = strndup(s, (size_t)(colon - s));
	spec->func = strndup(colon + 1, (size_t)(eq - colon - 1));
	return spec->module && spec->func ? 0 : -1;
}

/* --log FILE must be writable now, not after the program ran for an hour.
 * The file is truncated: a log describes one run.  (chain_options_act) */
static int check_log(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "objref-chain: cannot write log '%s': %s\n", path, strerror(errno));
		return CHAIN_EXIT_USAGE;
	}
	fclose(f);
	return 0;
}

static int print_version(void)
{
	printf("objref-chain %s (libobjref %s, Python %s)\n", OBJREF_VERSION, objref_version(),
		PY_VERSION);
	return CHAIN_EXIT_OK;
}

static int print_help(void)
{
	printf("%s\n%s", usage_line, help_intro);
	print_options_help(stdout);
	printf("%s", help_outro);
	return CHAIN_EXIT_OK;
}

/* The option getopt stopped at, as the user typed it. */
static int bad_option(char **argv, int c)
{
	/* optopt: the short option, or the val of a long one (>= 256), or 0
	 * for an unknown long option */
	char shortopt[3] = { '-', (char)optopt, 0 };
	const char *what = optopt > 0 && optopt < 256 ? shortopt : argv[optind - 1];

	if (c == ':')
		return usage_error("option '%s' needs a value%s", what, "");
	return usage_error("unknown option '%s'%s", what, "");
}

/* One option with its value into *o; returns CHAIN_OPTIONS_RUN (go on),
 * CHAIN_OPTIONS_DONE (--help, --version, --extract-dot: the parse ends
 * there) or CHAIN_EXIT_USAGE after a message. */
static int take_option(chain_options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_TYPE:
		if (!*arg)
			return usage_error("--type needs a type name, e.g. %s or %s", "tuple", "app.Session");
		o->type = arg;
		return CHAIN_OPTIONS_RUN;
	case OPT_SAMPLES:
	case OPT_MAX_DEPTH:
		if (parse_count(c == OPT_SAMPLES ? &o->samples : &o->max_depth, arg) < 0)
			return usage_error("%s '%s': expected a positive integer",
				c == OPT_SAMPLES ? "--samples" : "--max-depth", arg);
		return CHAIN_OPTIONS_RUN;
	case OPT_JSON:
		o->json = 1;
		return CHAIN_OPTIONS_RUN;
	case 'o':
		o->output = arg;
		if (chain_picture_check_path(arg) < 0)
			return CHAIN_EXIT_USAGE;
		return CHAIN_OPTIONS_RUN;
	case OPT_HTML:
		o->html = arg;
		return CHAIN_OPTIONS_RUN;
	case OPT_NO_PICTURE:
		o->no_picture = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_EXTRACT_DOT:
		o->extract_dot = arg;
		return CHAIN_OPTIONS_DONE;
	case OPT_CYCLES:
		o->cycles = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_FOLLOW_FORK:
		o->follow_fork = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_CENSUS_IN_PROCESS:
		o->census_in_process = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_TRACEMALLOC:
		o->tracemalloc = 1;
		if (arg && (parse_count(&o->tracemalloc, arg) < 0 || o->tracemalloc > 65535))
			return usage_error("--tracemalloc=%s: expected N, the frames kept per allocation, "
				"a whole number from 1 to 65535%s", arg, "");
		return CHAIN_OPTIONS_RUN;
	case OPT_PID: {
		unsigned long pid;
		if (parse_count(&pid, arg) < 0 || pid > 0x7fffffff)
			return usage_error("--pid '%s': expected the process id of a running Python%s", arg, "");
		o->pid = (int)pid;
		return CHAIN_OPTIONS_RUN;
	}
	case OPT_COUNT:
		if (parse_count(&o->count, arg) < 0 || o->count > 1000)
			return usage_error("--count '%s': expected K, a whole number from 1 to 1000%s", arg, "");
		return CHAIN_OPTIONS_RUN;
	case OPT_DUMP_DIR:
		o->dump_dir = arg;
		return CHAIN_OPTIONS_RUN;
	case OPT_VERBOSE:
		o->verbose = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_FROM: {
		const char **grown = realloc((void *)o->from, (o->nfrom + 1) * sizeof(*o->from));
		if (!grown)
			return usage_error("out of memory at --from '%s'%s", arg, "");
		o->from = grown;
		o->from[o->nfrom++] = arg;
		return CHAIN_OPTIONS_RUN;
	}
	case OPT_HEAPSNAPSHOT:
		o->heapsnapshot = arg;
		return CHAIN_OPTIONS_RUN;
	case OPT_DUMP:
		o->dump = arg;
		return CHAIN_OPTIONS_RUN;
	case OPT_DUMP_EVERY:
		if (parse_count(&o->dump_every, arg) < 0)
			return usage_error("--dump-every '%s': expected N, a positive integer%s", arg, "");
		return CHAIN_OPTIONS_RUN;
	case OPT_PYTHON:
		o->python = arg;
		return CHAIN_OPTIONS_RUN;
	case OPT_TOP:
		if (parse_count(&o->top, arg) < 0)
			return usage_error("--top '%s': expected N, a positive integer%s", arg, "");
		return CHAIN_OPTIONS_RUN;
	case OPT_GROWTH:
		o->growth = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_EVERY:
		if (o->has_every)
			return usage_error("--every given twice ('%s'); one function can be watched%s",
				arg, "");
		o->has_every = 1;
		if (parse_every(&o->every, arg) < 0)
			return usage_error("--every '%s': expected MODULE:FUNC=N with N a positive "
				"integer, e.g. %s", arg, "app:handle_request=100");
		return CHAIN_OPTIONS_RUN;
	case OPT_INTERVAL:
	case OPT_DURATION:
		if (parse_seconds(c == OPT_INTERVAL ? &o->interval : &o->duration, arg) < 0)
			return usage_error("%s '%s': expected SEC, a positive number of seconds",
				c == OPT_INTERVAL ? "--interval" : "--duration", arg);
		return CHAIN_OPTIONS_RUN;
	case OPT_LOG:
		o->log_path = arg;
		return CHAIN_OPTIONS_RUN;
	case 'h':
		o->help = 1;
		return CHAIN_OPTIONS_DONE;
	case OPT_VERSION:
		o->version = 1;
		return CHAIN_OPTIONS_DONE;
	}
	return usage_error("internal: unhandled option %s%s", "", "");
}

/* getopt_long's tables, made from opts_table. */
static void getopt_tables(struct option *longs, char *shorts)
{
	size_t k = 0;

	strcpy(shorts, "+:");
	for (size_t i = 0; i < NOPTS; i++) {
		const chain_opt *o = &opts_table[i];
		if (o->letter) {
			size_t n = strlen(shorts);
			shorts[n] = o->letter;
			strcpy(shorts + n + 1, o->arg ? ":" : "");
		}
		if (o->name)
			longs[k++] = (struct option){ o->name, !o->arg ? no_argument :
				o->arg[0] == '[' ? optional_argument : required_argument, NULL, o->id };
	}
	longs[k] = (struct option){ NULL, 0, NULL, 0 };
}

/* Options up to SCRIPT, or up to and including -m MODULE. */
static int parse_options(chain_options *o, int argc, char **argv)
{
	struct option longs[NOPTS + 1];
	char shorts[2 * NOPTS + 3];
	int c, rc;

	getopt_tables(longs, shorts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(argv, c);
		if (c == 'm') {
			o->run_module = optarg;
			return CHAIN_OPTIONS_RUN;
		}
		if ((rc = take_option(o, c, optarg)) != CHAIN_OPTIONS_RUN)
			return rc;
	}
	return CHAIN_OPTIONS_RUN;
}

static int make_display(chain_options *o)
{
	size_t len = o->run_module ? strlen(o->run_module) + 4 : strlen(o->script) + 1;

	if (!(o->display = malloc(len)))
		return -1;
	if (o->run_module)
		snprintf(o->display, len, "-m %s", o->run_module);
	else
		memcpy(o->display, o->script, len);
	return 0;
}

int chain_options_parse(chain_options *out, int argc, char **argv)
{
	int rc;

	*out = (chain_options)CHAIN_OPTIONS_INIT;
	out->argv0 = argv[0];
	if ((rc = parse_options(out, argc, argv)) == CHAIN_OPTIONS_DONE)
		return CHAIN_OPTIONS_RUN;
	if (rc != CHAIN_OPTIONS_RUN)
		return rc;
	if (out->from && out->pid)
		return usage_error("--from reads dumps and --pid takes them: give one of the two%s%s", "", "");
	if (out->dump_every && !out->dump)
		return usage_error("--dump-every goes with --dump FILE (the dumps are FILE-1.objref ...)%s%s",
			"", "");
	if ((out->from || out->pid) && out->dump)
		return usage_error("--dump goes with a program run; %s%s", out->from ?
			"--from reads dumps" : "--pid keeps its dumps with --dump-dir DIR", "");
	if ((out->from || out->pid) && out->tracemalloc)
		return usage_error("--tracemalloc goes with a program run (%s)%s", out->from ?
			"--from reads dumps" : "--pid attaches to a process already running", "");
	if (out->heapsnapshot && !out->from)
		return usage_error("--heapsnapshot goes with --from FILE (it exports a dump)%s%s", "", "");
	if (out->from) {
		if (optind < argc || out->run_module)
			return usage_error("--from analyses dumps: no SCRIPT or -m MODULE goes with it ('%s')%s",
				out->run_module ? out->run_module : argv[optind], "");
		if (out->count || out->dump_dir)
			return usage_error("%s goes with --pid%s", out->count ? "--count" : "--dump-dir", "");
		if (!out->top)
			out->growth = 1;
		return CHAIN_OPTIONS_RUN;
	}
	if (out->pid) {
		if (optind < argc || out->run_module)
			return usage_error("--pid attaches to a running process: no SCRIPT or -m MODULE "
				"goes with it ('%s')%s", out->run_module ? out->run_module : argv[optind], "");
		if (!out->top)
			out->growth = 1;
		return CHAIN_OPTIONS_RUN;
	}
	if (out->count || out->dump_dir)
		return usage_error("%s goes with --pid%s", out->count ? "--count" : "--dump-dir", "");
	if (!out->run_module) {
		if (optind >= argc)
			return usage_error("no script given%s%s", "", "");
		out->script = argv[optind++];
	}
	out->args = argv + optind;
	out->nargs = argc - optind;
	if (!out->top)
		out->growth = 1;
	if (make_display(out) < 0) {
		fprintf(stderr, "objref-chain: out of memory\n");
		return CHAIN_EXIT_INTERNAL;
	}
	return CHAIN_OPTIONS_RUN;
}

int chain_options_act(const chain_options *o)
{
	if (o->help)
		return print_help();
	if (o->version)
		return print_version();
	if (o->extract_dot)
		return chain_extract_dot(o->extract_dot);
	if (o->output && chain_output_check_picture(o->output) < 0)
		return CHAIN_EXIT_USAGE;
	if (o->log_path && check_log(o->log_path))
		return CHAIN_EXIT_USAGE;
	return CHAIN_OPTIONS_RUN;
}

void chain_options_dispose(chain_options *o)
{
	free(o->every.module);
	free(o->every.func);
	free(o->display);
	free((void *)o->from);
	memset(o, 0, sizeof(*o));
}

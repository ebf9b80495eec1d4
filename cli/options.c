/*
 * cli/options.c — parsing the command line of objref-chain.
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
#include "pictures.h"

enum {
	OPT_TYPE = 256, OPT_TOP, OPT_GROWTH, OPT_EVERY, OPT_INTERVAL, OPT_DURATION,
	OPT_LOG, OPT_JSON, OPT_VERSION, OPT_SAMPLES, OPT_MAX_DEPTH, OPT_NO_PICTURE, OPT_EXTRACT_DOT,
	OPT_CYCLES, OPT_PID, OPT_COUNT, OPT_DUMP_DIR, OPT_VERBOSE
};

static const struct option long_options[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "growth", no_argument, NULL, OPT_GROWTH },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "output", required_argument, NULL, 'o' },
	{ "no-picture", no_argument, NULL, OPT_NO_PICTURE },
	{ "extract-dot", required_argument, NULL, OPT_EXTRACT_DOT },
	{ "cycles", no_argument, NULL, OPT_CYCLES },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "dump-dir", required_argument, NULL, OPT_DUMP_DIR },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char usage_line[] =
	"usage: objref-chain [OPTIONS] SCRIPT [ARGS...]\n"
	"       objref-chain [OPTIONS] -m MODULE [ARGS...]\n"
	"       objref-chain [OPTIONS] --pid PID\n";

static const char valid_options[] =
	"valid options: --type T, --samples K, --max-depth D, -o FILE, --no-picture,\n"
	"  --extract-dot PNG, --top N, --growth, --cycles,\n"
	"  --every MODULE:FUNC=N, --interval SEC, --duration SEC, --log FILE, --json,\n"
	"  -m MODULE, --pid PID, --count K, --dump-dir DIR, --verbose, -h/--help, --version\n";

static const char help_text[] =
	"Run a Python program as `python SCRIPT ARGS...` would, take checkpoints of\n"
	"its heap (a census of live objects by type), and report what grows.\n"
	"\n"
	"options:\n"
	"  --type T               who holds the objects of type T (tuple, Session or\n"
	"                         pkg.mod.Session): chains from roots to samples of it;\n"
	"                         without --type, the fastest-growing type is chained\n"
	"  --samples K            chain K samples, the newest first (default 5)\n"
	"  --max-depth D          longest chain searched (default 20)\n"
	"  -o, --output FILE      the picture of the chains: FILE.png, .svg, .pdf or\n"
	"                         .dot (default objref-TYPE.png); the DOT is always\n"
	"                         written too (FILE with .dot), and a PNG carries it\n"
	"  --no-picture           no picture, only the text report\n"
	"  --extract-dot PNG      print the DOT source an objref PNG carries, and exit\n"
	"  --growth               print the growing-types table (the default report)\n"
	"  --cycles               garbage cycles at the end, grouped by shape, found\n"
	"                         without a collection: collectable ones (gc disabled\n"
	"                         or not run yet), frozen, uncollectable (gc.garbage,\n"
	"                         legacy finalizers, untraversable objects); pictures\n"
	"                         of the top shapes in objref-cycles.png (-o FILE when\n"
	"                         no --type)\n"
	"  --top N                print the N most common types at the last checkpoint\n"
	"                         (objgraph show_most_common_types format, untracked\n"
	"                         objects counted)\n"
	"  --every MODULE:FUNC=N  a checkpoint every N calls of MODULE.FUNC, in any\n"
	"                         thread; FUNC may be Class.method (before Python 3.11\n"
	"                         only the last name is compared); MODULE may name the\n"
	"                         script (app for app.py) or be __main__\n"
	"  --interval SEC         a checkpoint every SEC seconds\n"
	"  --duration SEC         after SEC seconds take a last checkpoint, stop the\n"
	"                         program (as Ctrl-C would) and report\n"
	"  --log FILE             append every checkpoint's census to FILE (truncated at\n"
	"                         start), one '# checkpoint' header per census\n"
	"  -m MODULE              run a library module as a script, as `python -m`\n"
	"  --pid PID              attach to a running CPython 3.8-3.13 process instead of\n"
	"                         starting one: take --count dumps (default 3) of its\n"
	"                         heap --interval seconds apart (default 10) by fork,\n"
	"                         so it pauses for the fork only, and report their\n"
	"                         growth; needs gdb and ptrace permission\n"
	"  --count K              dumps to take with --pid (default 3)\n"
	"  --dump-dir DIR         keep the dumps of --pid in DIR (dump-1.objref ...)\n"
	"  --verbose              with --pid, show gdb's output\n"
	"  -h, --help             this help\n"
	"  --version              versions of objref-chain and of its Python\n"
	"  --json                 the report as JSON (schema objref-chain/1, see\n"
	"                         docs/guide.md) instead of text\n"
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
	"  130   interrupted by SIGINT\n";

/* A usage error: the message, the valid choices, exit status 2. */
static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "objref-chain: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n%s%sTry 'objref-chain --help' for more.\n", usage_line, valid_options);
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
 * The file is truncated: a log describes one run. */
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
	printf("%s\n%s", usage_line, help_text);
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

/* One option with its value; returns CHAIN_OPTIONS_RUN or an exit status. */
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
		return chain_picture_check_path(arg) < 0 ? CHAIN_EXIT_USAGE : CHAIN_OPTIONS_RUN;
	case OPT_NO_PICTURE:
		o->no_picture = 1;
		return CHAIN_OPTIONS_RUN;
	case OPT_EXTRACT_DOT:
		return chain_extract_dot(arg);
	case OPT_CYCLES:
		o->cycles = 1;
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
		return check_log(arg) ? CHAIN_EXIT_USAGE : CHAIN_OPTIONS_RUN;
	case 'h':
		return print_help();
	case OPT_VERSION:
		return print_version();
	}
	return usage_error("internal: unhandled option %s%s", "", "");
}

/* Options up to SCRIPT, or up to and including -m MODULE. */
static int parse_options(chain_options *o, int argc, char **argv)
{
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hm:o:", long_options, NULL)) != -1) {
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

	memset(out, 0, sizeof(*out));
	out->argv0 = argv[0];
	out->samples = 5;
	out->max_depth = 20;
	if ((rc = parse_options(out, argc, argv)) != CHAIN_OPTIONS_RUN)
		return rc;
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

void chain_options_dispose(chain_options *o)
{
	free(o->every.module);
	free(o->every.func);
	free(o->display);
	memset(o, 0, sizeof(*o));
}

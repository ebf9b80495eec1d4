/*
 * cli/interp.h — which Python the observed program runs with.
 *
 * `PATH/python app.py` sees sys.executable = PATH, and from it sys.prefix
 * and sys.path: a pyvenv.cfg beside PATH (or one directory up) makes it a
 * virtualenv (getpath reads `home`, site.py sets sys.prefix to the venv and
 * adds its site-packages).  objref-chain gives its embedded interpreter the
 * same program name, so getpath and site compute the same things:
 *
 *   --python PATH         the sys.executable PATH reports when asked (so a
 *                         pyenv shim, a shell script, gives the Python it
 *                         runs; a venv's bin/python, a link to the base
 *                         interpreter, gives itself)
 *   VIRTUAL_ENV=DIR       DIR/bin/python (an activated virtualenv)
 *   neither               the python3 on PATH, as a shell runs it; when
 *                         there is none, or it is unsupported, or no
 *                         objref-chain is built for its version, the
 *                         interpreter objref-chain was built with (a
 *                         one-line note on stderr says why)
 *
 * The interpreter named must be the Python version objref-chain embeds (the
 * same minor version: the program's compiled extensions and the stdlib
 * depend on it).  Another supported version is run by the objref-chain
 * built for it, objref-chain-3.X, looked for in $OBJREF_LIBEXEC, in
 * <prefix>/libexec/objref/ and beside this executable: this process execs
 * it with the same arguments.  Every bad input is one line naming it and
 * the fix (exit 2).
 */
#ifndef OBJREF_CLI_INTERP_H
#define OBJREF_CLI_INTERP_H

/*
 * Choose the interpreter; python_opt is --python's value or NULL; argv is
 * objref-chain's own (for the exec).  Returns 0 (chain_interp_executable()
 * says what was chosen), or an exit status (2) after a message on stderr.
 * When another version's objref-chain is exec'ed, does not return.  Call
 * before Python is initialized (it may fork and exec the interpreter to
 * ask its version).
 */
int chain_interp_choose(const char *python_opt, char **argv);

/* The program name for PyConfig (sys.executable), or NULL for the built-in
 * default.  Valid until chain_interp_dispose. */
const char *chain_interp_executable(void);

/* 1 when the interpreter was named (--python, VIRTUAL_ENV), 0 when it is
 * the default (the python3 on PATH, or the built-in one). */
int chain_interp_named(void);

/* `python -m objref`: the interpreter is the one running (GIL held): its
 * sys.executable is what the report names. */
void chain_interp_use_running(void);

void chain_interp_dispose(void);

#endif

/*
 * cli/output_check.h — is an output path writable, before the program runs?
 *
 * access(dir, W_OK) says yes for /proc and /sys as root, where no file can
 * be created: only creating the file proves it.  A picture refused after a
 * run of an hour is a run lost.
 */
#ifndef OBJREF_CLI_OUTPUT_CHECK_H
#define OBJREF_CLI_OUTPUT_CHECK_H

/*
 * Prove that `path` can be written: create it (O_EXCL) and remove it again,
 * or, when it exists, open it for writing without truncating it (it must be
 * a regular file).  Nothing is left behind and an existing file is not
 * changed.  Returns 0, or -1 after printing on stderr "objref-chain: cannot
 * write WHAT 'PATH': REASON; FIX".
 */
int chain_output_check(const char *path, const char *what, const char *fix);

/* -o IMAGE: IMAGE and the .dot written beside it (IMAGE with its extension
 * replaced by .dot), checked as above.  Returns 0 or -1 after a message. */
int chain_output_check_picture(const char *image);

#endif

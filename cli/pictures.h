/*
 * cli/pictures.h — the picture of the chains, beside the text report:
 * objref-TYPE.png (or -o FILE) with its DOT inside, and objref-TYPE.dot.
 */
#ifndef OBJREF_CLI_PICTURES_H
#define OBJREF_CLI_PICTURES_H

#include "pycompat.h"
#include "objref/report.h"
#include "options.h"

/* -o FILE, checked before the program runs: a known extension and a
 * writable directory.  0, or -1 after a message on stderr. */
int chain_picture_check_path(const char *path);

/* --extract-dot PNG: print the DOT it carries on stdout.  Returns the exit
 * status: 0, or 2 after a message on stderr (no file, not a PNG, no DOT). */
int chain_extract_dot(const char *path);

/*
 * Write the picture of `chains` (the dict of objref.chains(picture=True)):
 * the .dot first, then the image, drawn by objref.render_dot.  What was
 * written is appended to msg ("wrote objref-tuple.png (DOT inside),
 * objref-tuple.dot"); a failure is reported on stderr, naming the .dot
 * that was kept.  Returns 0, or -1 when nothing could be written.
 */
int chain_pictures_write(objref_buf *msg, const chain_options *o, PyObject *chains);

#endif

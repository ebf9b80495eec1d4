/*
 * cli/pictures.h — the picture of the chains, beside the text report:
 * objref-TYPE.png (or -o FILE) with its DOT inside, and objref-TYPE.dot.
 */
#ifndef OBJREF_CLI_PICTURES_H
#define OBJREF_CLI_PICTURES_H

#include "pycompat.h"
#include "../python/capi.h"
#include "objref/chains_report.h"
#include "options.h"

/* -o FILE, checked before the program runs: a known extension and a
 * writable directory.  0, or -1 after a message on stderr. */
int chain_picture_check_path(const char *path);

/* --extract-dot PNG: print the DOT it carries on stdout.  Returns the exit
 * status: 0, or 2 after a message on stderr (no file, not a PNG, no DOT). */
int chain_extract_dot(const char *path);

/*
 * Write `dot` beside `image` (its name with .dot) first, then draw `image`
 * (.png .svg .pdf; nothing more when it is the .dot) with the module's
 * api->render, or with no interpreter (api NULL: --from, --pid) by
 * libobjref's objref_render_file in a forked child.  Appends to msg "wrote IMAGE (DOT inside), STEM.dot
 * (NOTE)" (the note when given); a failed image is reported on stderr,
 * naming the .dot kept, and msg says only the .dot.  Returns 0, or -1 when
 * the .dot or the image could not be written (said on stderr).
 */
int chain_picture_write(objref_buf *msg, const objref_CAPI *api, const char *image, const char *dot,
	const char *note);

/*
 * Write the picture of `chains` (a report built with .picture set):
 * objref-TYPE.png in the current directory, or -o FILE, through
 * chain_picture_write.  -1 when the report has no DOT.
 */
int chain_pictures_write(objref_buf *msg, const objref_CAPI *api, const chain_options *o,
	const objref_chains_report *chains);

#endif

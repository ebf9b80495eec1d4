/*
 * objref/objref.h — the umbrella header: everything of libobjref, the
 * Python-free library.  Not included here: objref/capture.h (live capture,
 * compiled per Python: it needs Python.h's world) and objref/sys/ (the
 * builder, for capture, loaders and tests).
 */
#ifndef OBJREF_H
#define OBJREF_H

#include "common.h"
#include "buf.h"
#include "snapshot.h"
#include "census.h"
#include "growth.h"
#include "report.h"
#include "paths.h"
#include "cycles.h"
#include "view.h"
#include "render.h"
#include "roots.h"
#include "json.h"
#include "chains_report.h"
#include "cycles_report.h"
#include "dump.h"
#include "heapsnapshot.h"
#include "dominators.h"
#include "html.h"
#include "html_report.h"
#include "proc.h"
#include "pictures_report.h"
#include "census_report.h"
#include "run_report.h"
#include "unexplained.h"

#endif

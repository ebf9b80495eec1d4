/*
 * objref/objref.h — the umbrella header: everything of libobjref.
 * objref/capture.h (live capture, per Python) is included separately.
 */
#ifndef OBJREF_H
#define OBJREF_H

#include "common.h"
#include "snapshot.h"
#include "census.h"
#include "growth.h"
#include "report.h"
#include "paths.h"
#include "cycles.h"
#include "dominators.h"
#include "html.h"

#endif

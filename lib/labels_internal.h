/*
 * lib/labels_internal.h — the one place that says how labels read: which
 * dict keys are strings, when "X __dict__ -> dict ['k']" is the attribute
 * "X .k", and what grouping folds to "[*]" (lib/labels.c).  The chains
 * (paths_group.c, report_chains.c) and the cycles (cycles_report.c) use it.
 */
#ifndef OBJREF_LABELS_INTERNAL_H
#define OBJREF_LABELS_INTERNAL_H

#include "objref/snapshot.h"

/* "[*]": what indices and non-string keys fold to. */
#define OBJREF__FOLDED OBJREF_LABEL(OBJREF_LABEL_INDEX, OBJREF_LABEL_PAYLOAD_MAX)

/* A rendered KEY payload ('text' for a str key, digits for a number,
 * <type> for anything else) is a str key. */
int objref__key_is_str(const char *key);

/* Is type t the builtin dict? */
int objref__type_is_dict(const objref_snapshot *snap, objref_type_id t);

/* Is "holder -[held]-> dict of type dict_type -[key]->" an attribute of the
 * holder: held is __dict__ and key a str key of a dict?  Then the pair
 * reads ".k". */
int objref__is_attr_pair(const objref_snapshot *snap, objref_label held, objref_type_id dict_type,
	objref_label key);

#endif

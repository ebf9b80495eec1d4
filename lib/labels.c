/*
 * lib/labels.c — how labels read (labels_internal.h).
 */
#include <string.h>
#include "labels_internal.h"

int objref__key_is_str(const char *key)
{
	size_t len = strlen(key);

	return len >= 2 && key[0] == '\'' && key[len - 1] == '\'';
}

int objref__type_is_dict(const objref_snapshot *snap, objref_type_id t)
{
	const objref_type *tp = objref_snapshot_type(snap, t);

	return tp && (tp->flags & OBJREF_T_DICT);
}

int objref__is_attr_pair(const objref_snapshot *snap, objref_label held, objref_type_id dict_type,
	objref_label key)
{
	return held == OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT) &&
		OBJREF_LABEL_KIND(key) == OBJREF_LABEL_KEY && objref__type_is_dict(snap, dict_type) &&
		objref__key_is_str(objref_snapshot_string(snap, OBJREF_LABEL_PAYLOAD(key)));
}

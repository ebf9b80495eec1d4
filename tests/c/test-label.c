/*
 * tests/c/test-label.c — objref_label_format: the text of a chain step.
 */
#include "fixtures.h"

struct label_snap {
	objref_snapshot *snap;
	objref_str key_k, key_3, name, x, odd;
};

static int label_snapshot(struct label_snap *ls)
{
	objref_builder *b = NULL;

	memset(ls, 0, sizeof(*ls));
	ASSERT_OK(objref_builder_new(&b));
	/* KEY payloads are the rendered key: repr() of a str key, digits of an int */
	ASSERT_OK(objref_builder_string(&ls->key_k, b, "'k'", 3));
	ASSERT_OK(objref_builder_string(&ls->key_3, b, "3", 1));
	ASSERT_OK(objref_builder_string(&ls->name, b, "name", 4));
	ASSERT_OK(objref_builder_string(&ls->x, b, "x", 1));
	ASSERT_OK(objref_builder_string(&ls->odd, b, "a\"b'c\\", 6));
	ASSERT_OK(objref_builder_finish(&ls->snap, b));
	return TEST_OK;
}

TEST_IMPL(label_format_kinds)
{
	struct label_snap ls;
	objref_snapshot *s;

	CHECK(label_snapshot(&ls));
	s = ls.snap;
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_KEY, ls.key_k)), "['k']");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_KEY, ls.key_3)), "[3]");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_INDEX, 3)), "[3]");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_INDEX, 0)), "[0]");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_INDEX, 1234567)), "[1234567]");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_ATTR, ls.name)), ".name");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_LOCAL, ls.x)), "local x");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_CELL, ls.x)), "cell x");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_CLASS)), "__class__");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_DICT)), "__dict__");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_SET_ITEM)), "{item}");
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_DICTKEY, 0)), "key");
	/* the payload is data: printed as is, not interpreted */
	ASSERT_STR_EQ(fx_label(s, OBJREF_LABEL(OBJREF_LABEL_ATTR, ls.odd)), ".a\"b'c\\");
	objref_snapshot_free(s);
	return TEST_OK;
}

/* Labels with no fixed text still give a NUL-terminated string whose length
 * is the return value, and never crash (out-of-range payloads included). */
TEST_IMPL(label_format_other)
{
	struct label_snap ls;
	objref_label odd[] = {
		OBJREF_LABEL(OBJREF_LABEL_NONE, 0),
		OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_ATTR_UNNAMED),
		OBJREF_LABEL(OBJREF_LABEL_SPECIAL, 0),
		OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_SP_COUNT),
		OBJREF_LABEL(OBJREF_LABEL_SPECIAL, OBJREF_LABEL_PAYLOAD_MAX),
		OBJREF_LABEL(OBJREF_LABEL_INDEX, OBJREF_LABEL_PAYLOAD_MAX),
		OBJREF_LABEL(OBJREF_LABEL_ATTR, 99999),
		OBJREF_LABEL(OBJREF_LABEL_KEY, 99999),
		OBJREF_LABEL(9, 1),
		OBJREF_LABEL(15, OBJREF_LABEL_PAYLOAD_MAX),
	};
	size_t i;

	CHECK(label_snapshot(&ls));
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		const char *text = fx_label(ls.snap, odd[i]);
		ASSERT_NOT_NULL(strchr(text, '\0'));
		ASSERT_NE(text[0], '<'); /* fx_label's complaint about the length */
	}
	/* the saturated index still reads as an index */
	ASSERT_STR_PREFIX(fx_label(ls.snap, OBJREF_LABEL(OBJREF_LABEL_INDEX, OBJREF_LABEL_PAYLOAD_MAX)), "[");
	objref_snapshot_free(ls.snap);
	return TEST_OK;
}

/* snprintf semantics: truncated and NUL-terminated, returns the full length. */
TEST_IMPL(label_format_truncate)
{
	struct label_snap ls;
	char buf[8];
	objref_label l;

	CHECK(label_snapshot(&ls));
	l = OBJREF_LABEL(OBJREF_LABEL_LOCAL, ls.name); /* "local name": 10 */

	memset(buf, 'Z', sizeof(buf));
	ASSERT_EQ(objref_label_format(buf, 4, ls.snap, l), 10);
	ASSERT_STR_EQ(buf, "loc");
	ASSERT_EQ(buf[4], 'Z'); /* nothing written past size */

	memset(buf, 'Z', sizeof(buf));
	ASSERT_EQ(objref_label_format(buf, 1, ls.snap, l), 10);
	ASSERT_EQ(buf[0], '\0');
	ASSERT_EQ(buf[1], 'Z');

	memset(buf, 'Z', sizeof(buf));
	ASSERT_EQ(objref_label_format(buf, 0, ls.snap, l), 10);
	ASSERT_EQ(buf[0], 'Z');
	ASSERT_EQ(objref_label_format(NULL, 0, ls.snap, l), 10);

	/* exactly fitting: 5 chars + NUL */
	l = OBJREF_LABEL(OBJREF_LABEL_ATTR, ls.name);
	memset(buf, 'Z', sizeof(buf));
	ASSERT_EQ(objref_label_format(buf, 6, ls.snap, l), 5);
	ASSERT_STR_EQ(buf, ".name");
	memset(buf, 'Z', sizeof(buf));
	ASSERT_EQ(objref_label_format(buf, 5, ls.snap, l), 5);
	ASSERT_STR_EQ(buf, ".nam");
	objref_snapshot_free(ls.snap);
	return TEST_OK;
}

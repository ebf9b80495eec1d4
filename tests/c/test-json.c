/*
 * tests/c/test-json.c — the JSON writer (objref/json.h) writes what
 * Python's json.dumps writes (the expected texts below are json.dumps's).
 */
#include <math.h>
#include "fixtures.h"

TEST_IMPL(json_writer)
{
	objref_buf b = { 0 };
	objref_json w = OBJREF_JSON_INIT(&b);

	ASSERT_OK(objref_json_object(&w));
	ASSERT_OK(objref_json_key(&w, "a"));
	ASSERT_OK(objref_json_str(&w, "\xc3\xa9\xf0\x9f\x98\x80\x7f\x01\"\\\n\t\b\f\r/"));
	ASSERT_OK(objref_json_key(&w, "b"));
	ASSERT_OK(objref_json_array(&w));
	ASSERT_OK(objref_json_int(&w, 1));
	ASSERT_OK(objref_json_null(&w));
	ASSERT_OK(objref_json_bool(&w, 1));
	ASSERT_OK(objref_json_bool(&w, 0));
	ASSERT_OK(objref_json_object(&w));
	ASSERT_OK(objref_json_end(&w));
	ASSERT_OK(objref_json_array(&w));
	ASSERT_OK(objref_json_end(&w));
	ASSERT_OK(objref_json_end(&w));
	ASSERT_OK(objref_json_key(&w, "c"));
	ASSERT_OK(objref_json_str(&w, NULL));
	ASSERT_OK(objref_json_key(&w, "bad utf-8"));
	ASSERT_OK(objref_json_strn(&w, "x\xffy\xc3", 4));
	ASSERT_OK(objref_json_key(&w, "big"));
	ASSERT_OK(objref_json_uint(&w, UINT64_MAX));
	ASSERT_OK(objref_json_key(&w, "neg"));
	ASSERT_OK(objref_json_int(&w, INT64_MIN));
	ASSERT_OK(objref_json_end(&w));
	ASSERT_EQ(objref_json_failed(&w), 0);
	ASSERT_STR_EQ(b.data, "{\"a\": \"\\u00e9\\ud83d\\ude00\\u007f\\u0001\\\"\\\\\\n\\t\\b\\f\\r/\", "
		"\"b\": [1, null, true, false, {}, []], \"c\": null, "
		"\"bad utf-8\": \"x\\ufffdy\\ufffd\", \"big\": 18446744073709551615, "
		"\"neg\": -9223372036854775808}");
	objref_buf_dispose(&b);
	return TEST_OK;
}

TEST_IMPL(json_floats)
{
	static const double v[] = { 966.6666666666666, 0.1, 1e-05, 1e16, 100.0,
		1234567890123456.0, 0.0001, -0.0, 2.5e-300, 1.7976931348623157e+308, 0.0, 123.456,
		5e-324, 258994.93333333332 };
	objref_buf b = { 0 };
	objref_json w = OBJREF_JSON_INIT(&b);

	ASSERT_OK(objref_json_array(&w));
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		ASSERT_OK(objref_json_double(&w, v[i]));
	ASSERT_OK(objref_json_double(&w, NAN));
	ASSERT_OK(objref_json_double(&w, INFINITY));
	ASSERT_OK(objref_json_double(&w, -INFINITY));
	ASSERT_OK(objref_json_end(&w));
	ASSERT_STR_EQ(b.data, "[966.6666666666666, 0.1, 1e-05, 1e+16, 100.0, 1234567890123456.0, "
		"0.0001, -0.0, 2.5e-300, 1.7976931348623157e+308, 0.0, 123.456, 5e-324, "
		"258994.93333333332, NaN, Infinity, -Infinity]");
	objref_buf_dispose(&b);
	return TEST_OK;
}

TEST_IMPL(json_misuse)
{
	objref_buf b = { 0 };
	objref_json w = OBJREF_JSON_INIT(&b);

	/* a value where a key is due fails, and so does everything after */
	ASSERT_OK(objref_json_object(&w));
	ASSERT_EQ(objref_json_int(&w, 1), OBJREF_EINVAL);
	ASSERT_NE(objref_json_failed(&w), 0);
	ASSERT_NE(objref_json_end(&w), 0);
	objref_buf_dispose(&b);

	{
		objref_buf b2 = { 0 };
		objref_json w2 = OBJREF_JSON_INIT(&b2);
		ASSERT_EQ(objref_json_end(&w2), OBJREF_EINVAL); /* nothing open */
		ASSERT_EQ(objref_json_key(&w2, "k"), OBJREF_EINVAL);
		objref_buf_dispose(&b2);
	}
	{
		objref_buf b3 = { 0 };
		objref_json w3 = OBJREF_JSON_INIT(&b3);
		int rc = 0;
		for (int i = 0; i <= OBJREF_JSON_MAX_DEPTH && rc == 0; i++)
			rc = objref_json_array(&w3);
		ASSERT_EQ(rc, OBJREF_EINVAL); /* too deep */
		objref_buf_dispose(&b3);
	}
	return TEST_OK;
}

/*
 * tests/c/test-report.c — text output, byte for byte where objgraph fixes
 * the layout.  Expected strings are written out by hand from Python's
 * formatting rules, never produced with the same printf the library uses.
 */
#include "fixtures.h"

/* Run one formatting call on a fresh buffer and compare the text. */
#define ASSERT_FORMAT(call_with_buf, expected) \
	do { \
		objref_buf fb_ = {0}; \
		objref_buf *buf = &fb_; \
		int frc_ = (call_with_buf); \
		if (frc_ != 0) \
			objref_buf_dispose(&fb_); \
		ASSERT_OK(frc_); \
		ASSERT_EQ(objref_buf_failed(&fb_), 0); \
		ASSERT_STR_EQ(fb_.data ? fb_.data : "", expected); \
		ASSERT_EQ(fb_.len, strlen(expected)); \
		objref_buf_dispose(&fb_); \
	} while (0)

TEST_IMPL(buf_basic)
{
	objref_buf b = {0};
	size_t i;

	ASSERT_OK(objref_buf_printf(&b, "%d-%s", 5, "x"));
	ASSERT_STR_EQ(b.data, "5-x");
	ASSERT_EQ(b.len, 3);
	ASSERT_OK(objref_buf_put(&b, "abcdef", 2));
	ASSERT_STR_EQ(b.data, "5-xab");
	ASSERT_OK(objref_buf_put(&b, "", 0));
	ASSERT_EQ(b.len, 5);
	/* growth well past any initial capacity */
	for (i = 0; i < 1000; i++)
		ASSERT_OK(objref_buf_printf(&b, "%04zu|", i));
	ASSERT_EQ(b.len, 5 + 5000);
	ASSERT_EQ(strlen(b.data), b.len);
	ASSERT_LT(b.len, b.cap);
	ASSERT_EQ(memcmp(b.data + 5, "0000|0001|", 10), 0);
	ASSERT_STR_EQ(b.data + b.len - 5, "0999|");
	/* one piece larger than everything so far */
	{
		static char big[20000];
		memset(big, 'q', sizeof(big) - 1);
		ASSERT_OK(objref_buf_printf(&b, "%s", big));
		ASSERT_EQ(b.len, 5 + 5000 + sizeof(big) - 1);
		ASSERT_EQ(b.data[b.len], '\0');
		ASSERT_EQ(b.data[b.len - 1], 'q');
	}
	ASSERT_EQ(objref_buf_failed(&b), 0);
	objref_buf_dispose(&b);
	return TEST_OK;
}

TEST_IMPL(format_count)
{
	ASSERT_FORMAT(objref_format_count(buf, 0), "0");
	ASSERT_FORMAT(objref_format_count(buf, 7), "7");
	ASSERT_FORMAT(objref_format_count(buf, 999), "999");
	ASSERT_FORMAT(objref_format_count(buf, 1000), "1,000");
	ASSERT_FORMAT(objref_format_count(buf, 12345), "12,345");
	ASSERT_FORMAT(objref_format_count(buf, 100000), "100,000");
	ASSERT_FORMAT(objref_format_count(buf, 1048395), "1,048,395");
	ASSERT_FORMAT(objref_format_count(buf, UINT64_MAX), "18,446,744,073,709,551,615");
	/* appends, does not overwrite */
	{
		objref_buf b = {0};
		ASSERT_OK(objref_buf_put(&b, "n=", 2));
		ASSERT_OK(objref_format_count(&b, 1000000));
		ASSERT_OK(objref_buf_put(&b, ";", 1));
		ASSERT_STR_EQ(b.data, "n=1,000,000;");
		objref_buf_dispose(&b);
	}
	return TEST_OK;
}

/* The header fixes neither the unit base (1000 or 1024) nor rounding nor
 * decimals below 10 ("2 KB" or "2.0 KB"); test what every choice agrees on:
 * bytes below 1000, and 10 KB or 10 MB (10.24 or 10.49 in base 1000). */
TEST_IMPL(format_bytes)
{
	ASSERT_FORMAT(objref_format_bytes(buf, 0, 0), "0 B");
	ASSERT_FORMAT(objref_format_bytes(buf, 512, 0), "512 B");
	ASSERT_FORMAT(objref_format_bytes(buf, 999, 0), "999 B");
	ASSERT_FORMAT(objref_format_bytes(buf, 10240, 0), "10 KB");
	ASSERT_FORMAT(objref_format_bytes(buf, 10.0 * 1024 * 1024, 0), "10 MB");
	ASSERT_FORMAT(objref_format_bytes(buf, 512, 1), "+512 B");
	ASSERT_FORMAT(objref_format_bytes(buf, -512, 1), "-512 B");
	ASSERT_FORMAT(objref_format_bytes(buf, 0, 1), "+0 B");
	ASSERT_FORMAT(objref_format_bytes(buf, 10240, 1), "+10 KB");
	ASSERT_FORMAT(objref_format_bytes(buf, -10240, 1), "-10 KB");
	/* below 10 units: a digit, maybe a decimal, then the unit */
	{
		objref_buf b = {0};
		ASSERT_OK(objref_format_bytes(&b, 2048, 0));
		ASSERT(strcmp(b.data, "2 KB") == 0 || strcmp(b.data, "2.0 KB") == 0);
		objref_buf_dispose(&b);
	}
	return TEST_OK;
}

/* objgraph.show_most_common_types:
 *     width = max(len(name) for name, count in stats)
 *     file.write('%-*s %i\n' % (width, name, count))        */
TEST_IMPL(format_most_common)
{
	static const objref_census_row rows[] = {
		{"function", 3000, 0}, {"dict", 120, 0}, {"tuple", 5, 0},
	};
	static const objref_census_row big[] = {{"int", 3000000000ull, 0}};
	static const objref_census_row limit[] = {
		{"a", 5, 0}, {"bb", 4, 0}, {"averyveryverylongname", 1, 0},
	};

	ASSERT_FORMAT(objref_format_most_common(buf, rows, 3),
		"function 3000\n"
		"dict     120\n"
		"tuple    5\n");
	/* the width is over the rows shown */
	ASSERT_FORMAT(objref_format_most_common(buf, limit, 2),
		"a  5\n"
		"bb 4\n");
	/* %i in Python is unbounded */
	ASSERT_FORMAT(objref_format_most_common(buf, big, 1), "int 3000000000\n");
	ASSERT_FORMAT(objref_format_most_common(buf, rows, 0), "");
	return TEST_OK;
}

/* Python pads by characters, not bytes: "Café" is 4 wide. */
TEST_IMPL(format_most_common_utf8)
{
	static const objref_census_row rows[] = {{"Caf\xc3\xa9", 1, 0}, {"dict", 22, 0}};

	ASSERT_FORMAT(objref_format_most_common(buf, rows, 2),
		"Caf\xc3\xa9 1\n"
		"dict 22\n");
	return TEST_OK;
}

/* objgraph.show_growth:
 *     width = max(len(name) for name, _, _ in result)
 *     file.write('%-*s%9d %+9d\n' % (width, name, count, delta))   */
TEST_IMPL(format_growth)
{
	static const objref_growth_row rows[] = {
		{"tuple", 1048395, 1000}, {"list", 12, 10},
	};
	static const objref_growth_row wide[] = {{"x", 5000000000ull, 4294967296ull}};
	static const objref_growth_row nine[] = {{"OrderedDict", 123456789, 123456789}};

	ASSERT_FORMAT(objref_format_growth(buf, rows, 2),
		"tuple" "  1048395" " " "    +1000" "\n"
		"list " "       12" " " "      +10" "\n");
	/* wider than 9 digits: Python does not truncate */
	ASSERT_FORMAT(objref_format_growth(buf, wide, 1), "x5000000000 +4294967296\n");
	/* exactly 9 digits; the sign makes the delta 10 wide */
	ASSERT_FORMAT(objref_format_growth(buf, nine, 1), "OrderedDict123456789 +123456789\n");
	ASSERT_FORMAT(objref_format_growth(buf, rows, 0), "");
	return TEST_OK;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* With a bytes column: "%-*s %*i %*s\n" — the widths are not fixed by the
 * header, so check the shape: one line per row, name padded to the widest
 * name, columns aligned (all lines equally long), numbers present. */
TEST_IMPL(format_census)
{
	static const objref_census_row rows[] = {
		{"function", 3000, 408000}, {"dict", 120, 27840}, {"tuple", 5, 280},
	};
	objref_buf b = {0};
	const char *line;
	size_t i, len0 = 0;

	ASSERT_OK(objref_format_census(&b, rows, 3));
	ASSERT_NOT_NULL(b.data);
	ASSERT_EQ(count_lines(b.data), 3);
	line = b.data;
	for (i = 0; i < 3; i++) {
		const char *end = strchr(line, '\n');
		size_t len = (size_t)(end - line);
		char count[32];

		ASSERT_NOT_NULL(end);
		ASSERT_EQ(strncmp(line, rows[i].name, strlen(rows[i].name)), 0);
		ASSERT_EQ(line[8], ' '); /* the name column is 8 wide */
		if (i == 0)
			len0 = len;
		ASSERT_EQ(len, len0);
		snprintf(count, sizeof(count), " %" PRIu64 " ", rows[i].count);
		ASSERT_NOT_NULL(memmem(line, len, count, strlen(count)));
		line = end + 1;
	}
	ASSERT_EQ(*line, '\0');
	objref_buf_dispose(&b);
	ASSERT_FORMAT(objref_format_census(buf, rows, 0), "");
	return TEST_OK;
}

/* The growing-types table: one line per row, the name and the objects per
 * checkpoint in it (with thousands separators, signed, as in DESIGN.md:
 * "tuple        +1,000/ckpt  (+88 KB)   steady since ckpt 1"). */
TEST_IMPL(format_growing)
{
	objref_growing_row rows[2];
	objref_buf b = {0};
	const char *second;

	memset(rows, 0, sizeof(rows));
	rows[0].name = "tuple";
	rows[0].first = 1000;
	rows[0].last = 12000;
	rows[0].last_bytes = 12000 * 88;
	rows[0].objects_per_ckpt = 1000;
	rows[0].bytes_per_ckpt = 88000;
	rows[0].rises = rows[0].intervals = 11;
	rows[0].steady_since = 0;
	rows[1].name = "list";
	rows[1].first = 10;
	rows[1].last = 120;
	rows[1].objects_per_ckpt = 10;
	rows[1].bytes_per_ckpt = 1000;
	rows[1].rises = 8;
	rows[1].falls = 2;
	rows[1].intervals = 11;
	rows[1].steady_since = 9;

	ASSERT_OK(objref_format_growing(&b, rows, 2));
	ASSERT_NOT_NULL(b.data);
	ASSERT_EQ(count_lines(b.data), 2);
	ASSERT_STR_CONTAINS(b.data, "tuple");
	ASSERT_STR_CONTAINS(b.data, "+1,000");
	second = strchr(b.data, '\n') + 1;
	ASSERT_STR_CONTAINS(second, "list");
	ASSERT_STR_CONTAINS(second, "+10");
	ASSERT_NULL(strstr(second, "tuple"));
	objref_buf_dispose(&b);
	ASSERT_FORMAT(objref_format_growing(buf, rows, 0), "");
	return TEST_OK;
}

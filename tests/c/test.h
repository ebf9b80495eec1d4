/*
 * tests/c/test.h — assertion macros for the objref C tests.
 *
 * A test is `int test_<name>(void)` returning TEST_OK (0) on success.  Each
 * ASSERT_* macro, when its condition does not hold, prints the expression,
 * both values and file:line to stderr and makes the test function return
 * TEST_FAIL.  Nothing aborts: the runner goes on with the next test.  (What
 * the failing test had allocated is not freed; in the sanitizer build that
 * shows up as a leak of the failing test, never of a passing one.)
 *
 * Integer asserts compare mathematically, whatever the signedness of the two
 * sides: ASSERT_LT(-1, (size_t)0) holds, and a uint64_t above INT64_MAX
 * prints as itself.  Use them for any integer, enum or size; pointers have
 * ASSERT_PTR_EQ / ASSERT_NULL, strings ASSERT_STR_EQ, doubles ASSERT_DBL_NEAR.
 */
#ifndef OBJREF_TEST_H
#define OBJREF_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objref/objref.h"
#include "objref/sys/builder.h"

enum { TEST_OK = 0, TEST_FAIL = 1 };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- integers: value plus whether it is negative ---- */

typedef struct {
	uintmax_t bits; /* the value converted to uintmax_t */
	int neg;        /* it came from a signed type and was < 0 */
} test_int;

#define TEST__SIGNED(x) _Generic((x), \
	_Bool: 0, unsigned char: 0, unsigned short: 0, unsigned int: 0, \
	unsigned long: 0, unsigned long long: 0, default: 1)

#define TEST__INT(x) test__int_make(TEST__SIGNED(x), (uintmax_t)(x))

static inline test_int test__int_make(int is_signed, uintmax_t bits)
{
	test_int v;
	v.bits = bits;
	v.neg = is_signed && (intmax_t)bits < 0;
	return v;
}

/* -1, 0 or 1 as a is below, equal to or above b. */
static inline int test__int_cmp(test_int a, test_int b)
{
	if (a.neg != b.neg)
		return a.neg ? -1 : 1;
	return a.bits < b.bits ? -1 : a.bits > b.bits;
}

static inline void test__int_print(FILE *f, test_int v)
{
	if (v.neg)
		fprintf(f, "%jd", (intmax_t)v.bits);
	else
		fprintf(f, "%ju", v.bits);
}

/* Starts every failure message; defined in runner.c, so `break
 * test__fail_head` in gdb stops at any failing assertion. */
void test__fail_head(const char *file, int line);

#define TEST__FAIL_RETURN() \
	do { fflush(stderr); return TEST_FAIL; } while (0)

/* ---- the macros ---- */

#define ASSERT(expr) \
	do { \
		if (!(expr)) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "%s\n", #expr); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

#define ASSERT_INT_BASE(a, op, b) \
	do { \
		test_int test_a_ = TEST__INT(a); \
		test_int test_b_ = TEST__INT(b); \
		if (!(test__int_cmp(test_a_, test_b_) op 0)) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s %s %s` (", #a, #op, #b); \
			test__int_print(stderr, test_a_); \
			fprintf(stderr, " %s ", #op); \
			test__int_print(stderr, test_b_); \
			fprintf(stderr, ")\n"); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_BASE(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_BASE(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_BASE(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_BASE(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_BASE(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_BASE(a, >=, b)

/* Strings; NULL prints as (null) and equals only NULL. */
#define ASSERT_STR_BASE(a, op, b) \
	do { \
		const char *test_sa_ = (a); \
		const char *test_sb_ = (b); \
		int test_c_ = (test_sa_ && test_sb_) ? strcmp(test_sa_, test_sb_) \
			: (test_sa_ != test_sb_); \
		if (!(test_c_ op 0)) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s %s %s` (\"%s\" %s \"%s\")\n", #a, #op, #b, \
				test_sa_ ? test_sa_ : "(null)", #op, test_sb_ ? test_sb_ : "(null)"); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

#define ASSERT_STR_EQ(a, b) ASSERT_STR_BASE(a, ==, b)
#define ASSERT_STR_NE(a, b) ASSERT_STR_BASE(a, !=, b)

/* The string a starts with prefix. */
#define ASSERT_STR_PREFIX(a, prefix) \
	do { \
		const char *test_sa_ = (a); \
		const char *test_sp_ = (prefix); \
		if (!test_sa_ || strncmp(test_sa_, test_sp_, strlen(test_sp_)) != 0) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s` starts with `%s` (\"%s\" vs \"%s\")\n", #a, #prefix, \
				test_sa_ ? test_sa_ : "(null)", test_sp_); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

/* The string a contains needle. */
#define ASSERT_STR_CONTAINS(a, needle) \
	do { \
		const char *test_sa_ = (a); \
		const char *test_sn_ = (needle); \
		if (!test_sa_ || !strstr(test_sa_, test_sn_)) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s` contains `%s` (\"%s\" vs \"%s\")\n", #a, #needle, \
				test_sa_ ? test_sa_ : "(null)", test_sn_); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

#define ASSERT_PTR_BASE(a, op, b) \
	do { \
		const void *test_pa_ = (const void *)(a); \
		const void *test_pb_ = (const void *)(b); \
		if (!(test_pa_ op test_pb_)) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s %s %s` (%p %s %p)\n", #a, #op, #b, \
				test_pa_, #op, test_pb_); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

#define ASSERT_PTR_EQ(a, b) ASSERT_PTR_BASE(a, ==, b)
#define ASSERT_PTR_NE(a, b) ASSERT_PTR_BASE(a, !=, b)
#define ASSERT_NULL(a) ASSERT_PTR_BASE(a, ==, NULL)
#define ASSERT_NOT_NULL(a) ASSERT_PTR_BASE(a, !=, NULL)

/* |a - b| <= eps */
#define ASSERT_DBL_NEAR(a, b, eps) \
	do { \
		double test_da_ = (a); \
		double test_db_ = (b); \
		if (!(fabs(test_da_ - test_db_) <= (eps))) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s == %s` within %g (%.17g vs %.17g)\n", #a, #b, \
				(double)(eps), test_da_, test_db_); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

/* An objref call succeeds (returns 0); on failure prints its code and
 * objref_error_last(). */
#define ASSERT_OK(expr) \
	do { \
		int test_rc_ = (expr); \
		if (test_rc_ != 0) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s` returned %d, expected 0 (objref_error_last: \"%s\")\n", \
				#expr, test_rc_, objref_error_last()); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

/* An objref call fails with exactly the code `code`. */
#define ASSERT_ERR(expr, code) \
	do { \
		int test_rc_ = (expr); \
		if (test_rc_ != (code)) { \
			test__fail_head(__FILE__, __LINE__); \
			fprintf(stderr, "`%s` returned %d, expected %s (%d) (objref_error_last: \"%s\")\n", \
				#expr, test_rc_, #code, (int)(code), objref_error_last()); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

/* Run a helper that returns TEST_OK or TEST_FAIL; fail with it. */
#define CHECK(helper_call) \
	do { \
		if ((helper_call) != TEST_OK) { \
			fprintf(stderr, "  from %s on line %d: %s\n", __FILE__, __LINE__, #helper_call); \
			TEST__FAIL_RETURN(); \
		} \
	} while (0)

#define TEST_IMPL(name) \
	int test_##name(void); \
	int test_##name(void)

#endif

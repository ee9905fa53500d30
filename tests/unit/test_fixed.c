/* test_fixed.c - fixed-point parsing of days, hours and cents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/fixed.h"

static char why[128];

static int64_t
ok2(const char *s)
{
	int64_t v = -1;
	assert_int_equal(fixed_parse(s, SIZE_MAX, 2, INT64_MAX, &v, why, sizeof why), GW_OK);
	return v;
}

static void
bad2(const char *s, const char *reason)
{
	int64_t v = 777;
	why[0] = '\0';
	assert_int_equal(fixed_parse(s, SIZE_MAX, 2, 99999999, &v, why, sizeof why), GW_EINPUT);
	assert_string_equal(why, reason);
	assert_int_equal(v, 777);
}

static void
test_parse_hundredths(void **state)
{
	(void)state;
	assert_int_equal(ok2("12"), 1200);
	assert_int_equal(ok2("12.5"), 1250);
	assert_int_equal(ok2("12.50"), 1250);
	assert_int_equal(ok2("0.01"), 1);
	assert_int_equal(ok2("0"), 0);
	assert_int_equal(ok2("007.60"), 760);
	assert_int_equal(ok2("999999.99"), 99999999);
	/* 0.1 + 0.2 style values stay exact. */
	assert_int_equal(ok2("0.1") + ok2("0.2"), ok2("0.3"));
	bad2("12.505", "3 decimals, at most 2");
	bad2("7.125", "3 decimals, at most 2");
	bad2("-1", "must not be negative");
	bad2("+1", "must be a decimal number like 12 or 12.50");
	bad2("1e3", "must be a decimal number like 12 or 12.50");
	bad2(".5", "must be a decimal number like 12 or 12.50");
	bad2("5.", "must be a decimal number like 12 or 12.50");
	bad2(" 5", "must be a decimal number like 12 or 12.50");
	bad2("5 ", "must be a decimal number like 12 or 12.50");
	bad2("1,5", "must be a decimal number like 12 or 12.50");
	bad2("", "empty number");
	bad2("1000000", "too large");
	bad2("99999999999999999999", "too large");
}

static void
test_parse_whole(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(fixed_parse("25000", SIZE_MAX, 0, INT64_MAX, &v, why, sizeof why), GW_OK);
	assert_int_equal(v, 25000);
	assert_int_equal(fixed_parse("250.00", SIZE_MAX, 0, INT64_MAX, &v, why, sizeof why),
	    GW_EINPUT);
	assert_string_equal(why, "must be a whole number");
	assert_int_equal(fixed_parse("250x", SIZE_MAX, 0, INT64_MAX, &v, why, sizeof why),
	    GW_EINPUT);
	assert_string_equal(why, "must be a whole number");
	/* len bounds the text. */
	assert_int_equal(fixed_parse("1234", 2, 0, INT64_MAX, &v, NULL, 0), GW_OK);
	assert_int_equal(v, 12);
	/* Scaling up must not overflow silently. */
	assert_int_equal(fixed_parse("999999999999999999", SIZE_MAX, 6, INT64_MAX, &v, why,
	    sizeof why), GW_EINPUT);
	assert_string_equal(why, "too large");
}

/* Parse with no field maximum: only the int64_t range limits. */
static gw_rc
parse_any(const char *s, int places, int64_t *v)
{
	why[0] = '\0';
	return fixed_parse(s, SIZE_MAX, places, INT64_MAX, v, why, sizeof why);
}

/* The values of the security review: with the fraction loop unchecked they
 * wrapped to -1.00 and 7.60 and were accepted as hours. */
static void
test_overflow_refused(void **state)
{
	(void)state;
	int64_t v = 777;
	assert_int_equal(fixed_parse("184467440737095515.16", SIZE_MAX, 2, 99999999, &v, why,
	    sizeof why), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(fixed_parse("184467440737095523.76", SIZE_MAX, 2, 99999999, &v, why,
	    sizeof why), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(parse_any("184467440737095515.16", 2, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(v, 777);
}

/* The largest value each scale holds, and one unit more. */
static void
test_int64_edges(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(parse_any("92233720368547758.07", 2, &v), GW_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_any("92233720368547758.08", 2, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(parse_any("9223372036854775807", 0, &v), GW_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_any("9223372036854775808", 0, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(parse_any("9223372036854.775807", 6, &v), GW_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_any("9223372036854.775808", 6, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	/* Scaling a short fraction up is the last step that can overflow. */
	assert_int_equal(parse_any("92233720368547758.1", 2, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(parse_any("92233720368547758", 2, &v), GW_OK);
	assert_true(v == INT64_MAX - 7);
	assert_int_equal(parse_any("92233720368547759", 2, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	/* Leading zeros are not digits of the value. */
	assert_int_equal(parse_any("000000000000000000000000000000012.50", 2, &v), GW_OK);
	assert_int_equal(v, 1250);
	assert_int_equal(parse_any("0.00", 2, &v), GW_OK);
	assert_int_equal(v, 0);
	/* No negatives at all: the edges just below zero are refused too. */
	assert_int_equal(parse_any("-0", 2, &v), GW_EINPUT);
	assert_string_equal(why, "must not be negative");
	assert_int_equal(parse_any("-92233720368547758.08", 2, &v), GW_EINPUT);
	assert_string_equal(why, "must not be negative");
}

/* Many digits: refused as too large however long, many decimals as too
 * many decimals, and neither wraps. */
static void
test_many_digits(void **state)
{
	(void)state;
	static char big[4096];
	int64_t v = 777;
	memset(big, '9', sizeof big - 1);
	assert_int_equal(parse_any(big, 2, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	/* 19 nines: the digit bound itself; 20 digits of ones are past it. */
	assert_int_equal(parse_any("9999999999999999999", 0, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	assert_int_equal(parse_any("11111111111111111111", 0, &v), GW_EINPUT);
	assert_string_equal(why, "too large");
	memset(big, '1', sizeof big - 1);
	big[1] = '.';
	assert_int_equal(parse_any(big, 6, &v), GW_EINPUT);
	assert_string_equal(why, "4093 decimals, at most 6");
	assert_int_equal(parse_any("1.1234567", 6, &v), GW_EINPUT);
	assert_string_equal(why, "7 decimals, at most 6");
	assert_int_equal(parse_any("1.123456", 6, &v), GW_OK);
	assert_int_equal(v, 1123456);
	assert_int_equal(v == 777, 0);
}

static void
test_format(void **state)
{
	(void)state;
	char b[32];
	fixed_format(1250, 2, b, sizeof b);
	assert_string_equal(b, "12.50");
	fixed_format(1, 2, b, sizeof b);
	assert_string_equal(b, "0.01");
	fixed_format(0, 2, b, sizeof b);
	assert_string_equal(b, "0.00");
	fixed_format(-5, 2, b, sizeof b);
	assert_string_equal(b, "-0.05");
	fixed_format(3800, 0, b, sizeof b);
	assert_string_equal(b, "3800");
	fixed_format(INT64_MIN, 2, b, sizeof b);
	assert_string_equal(b, "-92233720368547758.08");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_hundredths),
		cmocka_unit_test(test_parse_whole),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_int64_edges),
		cmocka_unit_test(test_many_digits),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

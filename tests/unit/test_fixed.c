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
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

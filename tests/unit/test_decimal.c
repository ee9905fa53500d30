/* test_decimal.c - exact decimal arithmetic: parsing, rounding, division, overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include "core/decimal.h"

static decimal
D(const char *s)
{
	decimal d;
	assert_int_equal(dec_parse(s, SIZE_MAX, &d), GW_OK);
	return d;
}

static void
assert_dec(decimal d, const char *want)
{
	char buf[80];
	dec_format(d, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void
test_parse_format(void **state)
{
	(void)state;
	assert_dec(D("43.80"), "43.80");
	assert_dec(D("-0.05"), "-0.05");
	assert_dec(D("+7"), "7");
	assert_dec(D("0"), "0");
	assert_dec(D("123456789012345678901234.5"), "123456789012345678901234.5");
	decimal d;
	const char *bad[] = { "", "-", ".5", "5.", "1.2.3", " 1", "1 ", "1e5", "0x10", "12,5", "--1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(dec_parse(bad[i], SIZE_MAX, &d), GW_EINPUT);
	/* length-bounded parse stops at len */
	assert_int_equal(dec_parse("12.5xyz", 4, &d), GW_OK);
	assert_dec(d, "12.5");
}

static void
test_arithmetic(void **state)
{
	(void)state;
	assert_dec(dec_add(D("0.1"), D("0.2")), "0.3");
	assert_dec(dec_sub(D("10"), D("0.01")), "9.99");
	assert_dec(dec_mul(D("3"), D("850.00")), "2550.00");
	assert_dec(dec_mul(D("1.5"), D("-2.25")), "-3.375");
	assert_int_equal(dec_cmp(D("1.10"), D("1.1")), 0);
	assert_int_equal(dec_cmp(D("-1"), D("0.001")), -1);
	assert_true(dec_is_zero(D("0.000")));
	assert_int_equal(dec_significant_places(D("2.500")), 1);
}

static void
test_rounding_half_away_from_zero(void **state)
{
	(void)state;
	assert_dec(dec_round(D("0.005"), 2), "0.01");
	assert_dec(dec_round(D("0.0049"), 2), "0.00");
	assert_dec(dec_round(D("-0.005"), 2), "-0.01");
	assert_dec(dec_round(D("2.675"), 2), "2.68");     /* 2.675 is not exact in binary */
	assert_dec(dec_round(D("1.2"), 2), "1.2");         /* never adds places */
	char buf[32];
	dec_format_min(D("21.000"), 2, buf, sizeof buf);
	assert_string_equal(buf, "21.00");
	dec_format_min(D("6"), 0, buf, sizeof buf);
	assert_string_equal(buf, "6");
}

static void
test_division(void **state)
{
	(void)state;
	decimal q;
	assert_int_equal(dec_div(D("10"), D("3"), 2, &q), GW_OK);
	assert_dec(q, "3.33");
	assert_int_equal(dec_div(D("2"), D("3"), 2, &q), GW_OK);
	assert_dec(q, "0.67");
	assert_int_equal(dec_div(D("-1"), D("8"), 2, &q), GW_OK);
	assert_dec(q, "-0.13");
	assert_int_equal(dec_div(D("1"), D("0.00"), 2, &q), GW_EINPUT);
}

static void
test_overflow_is_reported(void **state)
{
	(void)state;
	dec_reset_overflow();
	decimal big = D("99999999999999999999999999999999999999");
	(void)dec_mul(big, big);
	assert_true(dec_overflowed());
	dec_reset_overflow();
	(void)dec_add(D("1"), D("2"));
	assert_false(dec_overflowed());
}

/* Powers of ten past 10^38 and the negation of the most negative mantissa
 * do not fit: both are reported as overflow instead of wrapping (signed
 * overflow). A base quantity of 30 decimals makes the line-price rule
 * divide to 30 places, which asks for 10^61. */
static void
test_overflow_in_scaling_and_negation(void **state)
{
	(void)state;
	decimal q;
	dec_reset_overflow();
	assert_int_equal(dec_div(D("1"), D("1.000000000000000000000000000000"), 30, &q), GW_OK);
	assert_true(dec_overflowed());
	dec_reset_overflow();
	assert_int_equal(dec_div(D("1"), D("1.000000000000000000000000000000"), 2, &q), GW_OK);
	assert_false(dec_overflowed());
	assert_dec(q, "1.00");
	dec_reset_overflow();
	decimal low = dec_sub(D("-170141183460469231731687303715884105727"), D("1"));
	assert_false(dec_overflowed());
	(void)dec_neg(low);
	assert_true(dec_overflowed());
	dec_reset_overflow();
	(void)dec_sub(D("0"), low);
	assert_true(dec_overflowed());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_rounding_half_away_from_zero),
		cmocka_unit_test(test_division),
		cmocka_unit_test(test_overflow_is_reported),
		cmocka_unit_test(test_overflow_in_scaling_and_negation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_date.c - date and time parsing, validation and arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"

static char why[128];

static void
expect_bad_date(const char *s, const char *reason)
{
	gw_ymd d = 12345;
	why[0] = '\0';
	assert_int_equal(date_parse(s, SIZE_MAX, &d, why, sizeof why), GW_EINPUT);
	assert_string_equal(why, reason);
	assert_int_equal(d, 12345);          /* untouched on failure */
}

static void
test_calendar(void **state)
{
	(void)state;
	assert_true(date_is_leap(2000));
	assert_false(date_is_leap(1900));
	assert_true(date_is_leap(2028));
	assert_false(date_is_leap(2026));
	assert_int_equal(date_days_in_month(2028, 2), 29);
	assert_int_equal(date_days_in_month(2026, 2), 28);
	assert_int_equal(date_days_in_month(2026, 4), 30);
	assert_int_equal(date_days_in_month(2026, 13), 0);
	assert_true(date_valid(2000, 2, 29));
	assert_false(date_valid(1900, 2, 29));
	assert_false(date_valid(2026, 11, 31));
	assert_false(date_valid(0, 1, 1));
	assert_int_equal(date_make(2026, 12, 31), 20261231);
	assert_int_equal(date_make(2026, 2, 29), 0);
	assert_true(date_ymd_valid(20261125));
	assert_false(date_ymd_valid(20261131));
	assert_false(date_ymd_valid(0));
}

static void
test_parse(void **state)
{
	(void)state;
	gw_ymd d;
	char buf[16];
	assert_int_equal(date_parse("2026-12-05", SIZE_MAX, &d, why, sizeof why), GW_OK);
	assert_int_equal(d, 20261205);
	/* len bounds the text: the rest of the buffer is not looked at. */
	assert_int_equal(date_parse("2028-02-29xyz", 10, &d, NULL, 0), GW_OK);
	assert_int_equal(d, 20280229);
	date_format(d, buf, sizeof buf);
	assert_string_equal(buf, "2028-02-29");
	date_format(0, buf, sizeof buf);
	assert_string_equal(buf, "");
	expect_bad_date("2026-02-29", "2026-02 has no day 29");
	expect_bad_date("2026-02-30", "2026-02 has no day 30");
	expect_bad_date("2026-13-01", "month 13 does not exist");
	expect_bad_date("2026-00-10", "month 00 does not exist");
	expect_bad_date("2026-12-00", "2026-12 has no day 00");
	expect_bad_date("0000-01-01", "year 0000 does not exist");
	expect_bad_date("2026-1-05", "must be YYYY-MM-DD");
	expect_bad_date("05/12/2026", "must be YYYY-MM-DD");
	expect_bad_date("2026-12-05 ", "must be YYYY-MM-DD");
	expect_bad_date("2026-12-0x", "must be YYYY-MM-DD");
	expect_bad_date("", "must be YYYY-MM-DD");
}

static void
test_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(date_to_days(19700101), 0);
	assert_int_equal(date_to_days(20000301), 11017);
	assert_int_equal(date_to_days(19691231), -1);
	assert_int_equal(date_from_days(0), 19700101);
	assert_int_equal(date_from_days(-1), 19691231);
	/* Every day of 1899..2101 survives the round trip and is consecutive. */
	int64_t first = date_to_days(18990101);
	gw_ymd prev = date_from_days(first - 1);
	for (int64_t n = first; n <= date_to_days(21011231); n++) {
		gw_ymd d = date_from_days(n);
		assert_true(date_ymd_valid(d));
		assert_true(d > prev);
		assert_int_equal(date_to_days(d), n);
		prev = d;
	}
	assert_int_equal(date_add_days(20261231, 1), 20270101);
	assert_int_equal(date_add_days(20280228, 1), 20280229);
	assert_int_equal(date_add_days(20270301, -1), 20270228);
	assert_int_equal(date_diff_days(20261201, 20270101), 31);
	assert_int_equal(date_diff_days(20270101, 20261201), -31);
	assert_int_equal(date_weekday(20261125), 3);   /* a Wednesday */
	assert_int_equal(date_weekday(19700101), 4);   /* a Thursday */
	assert_int_equal(date_weekday(20270103), 7);   /* a Sunday */
	assert_int_equal(date_weekday(19691229), 1);   /* a Monday, before the epoch */
	assert_int_equal(date_quarter(20261231), 4);
	assert_int_equal(date_quarter(20270101), 1);
	assert_int_equal(date_quarter(20260630), 2);
	assert_int_equal(date_quarter_first(2026, 4), 20261001);
	assert_int_equal(date_quarter_last(2026, 4), 20261231);
	assert_int_equal(date_quarter_last(2028, 1), 20280331);
	assert_int_equal(date_quarter_last(2026, 2), 20260630);
	assert_int_equal(date_quarter_first(2026, 5), 0);
}

static void
test_time(void **state)
{
	(void)state;
	gw_hm t;
	char buf[8];
	assert_int_equal(time_parse_hm("00:00", SIZE_MAX, &t, why, sizeof why), GW_OK);
	assert_int_equal(t, 0);
	assert_int_equal(time_parse_hm("23:59", SIZE_MAX, &t, why, sizeof why), GW_OK);
	assert_int_equal(t, 23 * 60 + 59);
	time_format_hm(t, buf, sizeof buf);
	assert_string_equal(buf, "23:59");
	time_format_hm(-1, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_int_equal(time_parse_hm("24:61", SIZE_MAX, &t, why, sizeof why), GW_EINPUT);
	assert_string_equal(why, "hour 24 does not exist");
	assert_int_equal(time_parse_hm("24:00", SIZE_MAX, &t, why, sizeof why), GW_EINPUT);
	assert_int_equal(time_parse_hm("12:60", SIZE_MAX, &t, why, sizeof why), GW_EINPUT);
	assert_string_equal(why, "minute 60 does not exist");
	assert_int_equal(time_parse_hm("7:30", SIZE_MAX, &t, why, sizeof why), GW_EINPUT);
	assert_string_equal(why, "must be HH:MM");
	assert_int_equal(time_parse_hm("07.30", SIZE_MAX, &t, why, sizeof why), GW_EINPUT);
	assert_int_equal(time_parse_hm("07:30:00", SIZE_MAX, &t, why, sizeof why), GW_EINPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

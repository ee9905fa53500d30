/* test_clock.c - the one clock: ISO parsing, pinning through GATEWAY_NOW
 * (and the refusal of a bad value), Brussels wall time on both sides of
 * both summer-time changes, the Belgian public holidays, and the Dimona
 * deadlines that follow from them, read from a pinned clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"

static char why[200];

static int64_t
iso(const char *s)
{
	int64_t ms = 0;
	assert_int_equal(clock_parse_iso(s, &ms, why, sizeof why), GW_OK);
	return ms;
}

static void
test_parse_iso(void **state)
{
	(void)state;
	int64_t ms;
	assert_true(iso("1970-01-01T00:00:00Z") == 0);
	assert_true(iso("1970-01-01T01:00+01:00") == 0);
	assert_true(iso("2026-03-01T08:00:00+01:00") == iso("2026-03-01T07:00:00Z"));
	assert_true(iso("2026-07-01T06:00:00+02:00") == iso("2026-07-01T04:00:00Z"));
	assert_true(iso("2026-07-01T04:00:00.250Z") == iso("2026-07-01T04:00:00Z") + 250);
	assert_true(iso("1969-12-31T23:59:59Z") == -1000);
	const char *bad[] = { "2026-03-01", "2026-03-01T08:00", "2026-02-30T08:00Z", "2026-03-01T24:00Z",
	    "2026-03-01T08:60Z", "2026-03-01T08:00:61Z", "2026-03-01T08:00+1", "2026-03-01T08:00:00.Z",
	    "2026-03-01 08:00Z", "2026-03-01T08:00ZZ", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		assert_int_not_equal(clock_parse_iso(bad[i], &ms, why, sizeof why), GW_OK);
		assert_true(why[0] != '\0');
	}
	char buf[32];
	clock_format_utc(iso("2026-10-25T02:30:00+02:00"), buf, sizeof buf);
	assert_string_equal(buf, "2026-10-25T00:30:00Z");
}

/* GATEWAY_NOW pins the clock for every process that reads the environment;
 * GATEWAY_NOW_FROM says since when, so all of them agree. */
static void
test_env_pin(void **state)
{
	(void)state;
	char from[32];
	int64_t pinned = iso("2030-06-15T12:00:00+02:00");

	clock_unpin();
	setenv("GATEWAY_NOW", "2030-06-15T12:00:00+02:00", 1);
	unsetenv("GATEWAY_NOW_FROM");
	assert_int_equal(clock_init(why, sizeof why), GW_OK);
	int64_t d = clock_now_ms() - pinned;
	assert_true(d >= 0 && d < 60000);              /* starts at the pinned moment, runs on */
	assert_int_equal(clock_brussels_today(), 20300615);

	/* Pinned an hour ago: the clock reads an hour past the pin. */
	unsetenv("GATEWAY_NOW");
	assert_int_equal(clock_init(why, sizeof why), GW_OK);
	snprintf(from, sizeof from, "%lld", (long long)(clock_now_s() - 3600));
	setenv("GATEWAY_NOW", "2030-06-15T12:00:00+02:00", 1);
	setenv("GATEWAY_NOW_FROM", from, 1);
	assert_int_equal(clock_init(why, sizeof why), GW_OK);
	d = clock_now_ms() - pinned;
	assert_true(d >= 3600000 - 1000 && d < 3600000 + 60000);

	setenv("GATEWAY_NOW", "2026-13-01T00:00Z", 1);
	assert_int_not_equal(clock_init(why, sizeof why), GW_OK);
	assert_non_null(strstr(why, "GATEWAY_NOW"));
	setenv("GATEWAY_NOW", "2026-03-01T00:00Z", 1);
	setenv("GATEWAY_NOW_FROM", "yesterday", 1);
	assert_int_not_equal(clock_init(why, sizeof why), GW_OK);
	assert_non_null(strstr(why, "GATEWAY_NOW_FROM"));
	unsetenv("GATEWAY_NOW");
	assert_int_not_equal(clock_init(why, sizeof why), GW_OK);   /* FROM alone means a mistake */
	unsetenv("GATEWAY_NOW_FROM");
	assert_int_equal(clock_init(why, sizeof why), GW_OK);

	clock_pin(pinned, true);
	assert_true(clock_now_ms() == pinned);
	assert_true(clock_now_s() == pinned / 1000);
	clock_unpin();
}

static void
brussels(const char *utc, gw_ymd day, int hh, int mm, int offset)
{
	struct clock_wall w;
	clock_brussels(iso(utc), &w);
	assert_int_equal(w.day, day);
	assert_int_equal(w.minutes, hh * 60 + mm);
	assert_int_equal(w.offset_min, offset);
}

/* 2026: summer time from Sunday 29 March 01:00 UTC to Sunday 25 October
 * 01:00 UTC; 2027: 28 March and 31 October. */
static void
test_brussels_wall_time(void **state)
{
	(void)state;
	brussels("2026-01-15T05:00:00Z", 20260115, 6, 0, 60);
	brussels("2026-07-15T04:00:00Z", 20260715, 6, 0, 120);
	brussels("2026-03-29T00:59:59Z", 20260329, 1, 59, 60);
	brussels("2026-03-29T01:00:00Z", 20260329, 3, 0, 120);
	brussels("2026-10-25T00:59:59Z", 20261025, 2, 59, 120);
	brussels("2026-10-25T01:00:00Z", 20261025, 2, 0, 60);
	brussels("2027-03-28T01:00:00Z", 20270328, 3, 0, 120);
	brussels("2027-10-31T00:30:00Z", 20271031, 2, 30, 120);
	brussels("2027-10-31T01:30:00Z", 20271031, 2, 30, 60);
	/* Midnight: a UTC evening is already the next Belgian day. */
	brussels("2026-12-31T23:30:00Z", 20270101, 0, 30, 60);
	brussels("2026-06-30T22:30:00Z", 20260701, 0, 30, 120);

	/* Wall time back to the moment, with the gap and the overlap. */
	assert_true(clock_brussels_to_ms(20260715, 6 * 60) == iso("2026-07-15T04:00:00Z"));
	assert_true(clock_brussels_to_ms(20260115, 6 * 60) == iso("2026-01-15T05:00:00Z"));
	assert_true(clock_brussels_to_ms(20260329, 6 * 60) == iso("2026-03-29T04:00:00Z"));
	assert_true(clock_brussels_to_ms(20260329, 1 * 60 + 30) == iso("2026-03-29T00:30:00Z"));
	assert_true(clock_brussels_to_ms(20260329, 2 * 60 + 30) == iso("2026-03-29T01:30:00Z"));
	assert_true(clock_brussels_to_ms(20261025, 2 * 60 + 30) == iso("2026-10-25T00:30:00Z"));
	assert_true(clock_brussels_to_ms(20261025, 6 * 60) == iso("2026-10-25T05:00:00Z"));
}

/* The machine's time zone plays no part. */
static void
test_brussels_ignores_tz(void **state)
{
	(void)state;
	setenv("TZ", "America/Los_Angeles", 1);
	brussels("2026-07-15T04:00:00Z", 20260715, 6, 0, 120);
	setenv("TZ", "UTC", 1);
	brussels("2026-07-15T04:00:00Z", 20260715, 6, 0, 120);
	unsetenv("TZ");
}

static void
test_holidays(void **state)
{
	(void)state;
	assert_int_equal(date_easter(2024), 20240331);
	assert_int_equal(date_easter(2025), 20250420);
	assert_int_equal(date_easter(2026), 20260405);
	assert_int_equal(date_easter(2027), 20270328);
	assert_int_equal(date_easter(2038), 20380425);    /* the latest possible */
	assert_int_equal(date_easter(2285), 22850322);    /* the earliest possible */
	const gw_ymd holidays[] = { 20260101, 20260406, 20260501, 20260514, 20260525, 20260721,
	    20260815, 20261101, 20261111, 20261225, 20270329, 20270506, 20270517 };
	for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
		assert_true(date_is_be_holiday(holidays[i]));
	const gw_ymd ordinary[] = { 20260102, 20260405, 20260407, 20260513, 20260526, 20261226,
	    20261224, 20260720 };
	for (size_t i = 0; i < sizeof ordinary / sizeof ordinary[0]; i++)
		assert_false(date_is_be_holiday(ordinary[i]));
	/* Thursday 24 Dec 2026: Christmas is a Friday, then the weekend. */
	assert_int_equal(date_next_be_working_day(20261224), 20261228);
	/* Good Friday is a working day; Easter Monday is not. */
	assert_int_equal(date_next_be_working_day(20260403), 20260407);
	/* Wednesday before Ascension. */
	assert_int_equal(date_next_be_working_day(20260513), 20260515);
	assert_int_equal(date_next_be_working_day(20260305), 20260306);
}

static struct dimona_decl
in_starting(gw_ymd day, int hh)
{
	struct contract c;
	struct dimona_decl d;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "C-CLOCK-1");
	c.revision = 1;
	snprintf(c.employer_noss, sizeof c.employer_noss, "175110801");
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0668600511");
	snprintf(c.worker_inss, sizeof c.worker_inss, "90051212384");
	snprintf(c.worker_type, sizeof c.worker_type, "EXT");
	snprintf(c.joint_committee, sizeof c.joint_committee, "302");
	snprintf(c.worker_code, sizeof c.worker_code, "046");
	c.start_date = c.end_date = day;
	c.start_time = (gw_hm)(hh * 60);
	c.end_time = (gw_hm)(hh * 60 + 240);
	assert_int_equal(dimona_decl_from_contract(&d, &c), GW_OK);
	return d;
}

static bool
late_at(const struct dimona_decl *d, const char *utc)
{
	struct dimona_findings f;
	gw_ymd today;
	int minutes;
	clock_pin(iso(utc), true);
	clock_brussels_now(&today, &minutes);
	dimona_rules_check(d, NULL, today, minutes, &f);
	clock_unpin();
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.f[i].code, "90373-460") == 0)
			return true;
	return false;
}

/* "Before work starts" in Brussels: 06:00 in July is 04:00 UTC, in January
 * 05:00 UTC, and on the days the clocks change the offset of that day. */
static void
test_in_deadline_brussels(void **state)
{
	(void)state;
	struct dimona_decl d = in_starting(20260715, 6);
	assert_false(late_at(&d, "2026-07-15T03:59:00Z"));
	assert_true(late_at(&d, "2026-07-15T04:01:00Z"));
	d = in_starting(20260115, 6);
	assert_false(late_at(&d, "2026-01-15T04:59:00Z"));
	assert_true(late_at(&d, "2026-01-15T05:01:00Z"));
	d = in_starting(20260329, 6);                      /* spring forward: CEST by 06:00 */
	assert_false(late_at(&d, "2026-03-29T03:59:00Z"));
	assert_true(late_at(&d, "2026-03-29T04:01:00Z"));
	d = in_starting(20261025, 6);                      /* fall back: CET by 06:00 */
	assert_false(late_at(&d, "2026-10-25T04:59:00Z"));
	assert_true(late_at(&d, "2026-10-25T05:01:00Z"));
	/* A UTC evening that is already the Belgian start day. */
	d = in_starting(20260716, 0);
	assert_false(late_at(&d, "2026-07-15T21:59:00Z"));
	assert_true(late_at(&d, "2026-07-15T22:01:00Z"));
}

/* The OUT is due by the first working day after the end: public holidays
 * do not count. Work ending Thursday 24 Dec 2026 may be declared out until
 * Monday 28 Dec (25 Dec is Christmas). */
static void
test_out_deadline_holiday(void **state)
{
	(void)state;
	struct dimona_decl d = in_starting(20261224, 8);
	struct dimona_findings f;
	d.action = DIMONA_OUT;
	d.c.end_date = 20261224;
	snprintf(d.period_id, sizeof d.period_id, "600027876089");
	assert_int_equal(dimona_rules_check(&d, NULL, 20261228, 600, &f), 0);
	assert_int_equal(f.n, 0);
	dimona_rules_check(&d, NULL, 20261229, 600, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.f[0].check, "deadline_out_next_working_day");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_env_pin),
		cmocka_unit_test(test_brussels_wall_time),
		cmocka_unit_test(test_brussels_ignores_tz),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_in_deadline_brussels),
		cmocka_unit_test(test_out_deadline_holiday),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

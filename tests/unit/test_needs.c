/*
 * test_needs.c - the DmfA due dates the dashboard and `gateway summary`
 * announce (service/needs.c): the last day of the month after the quarter,
 * by hand: Q1 -> 30 April, Q2 -> 31 July, Q3 -> 31 October, Q4 -> 31
 * January of the next year; and which one is next on a given day.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "service/needs.h"

static void
test_due_is_the_last_day_of_the_month_after_the_quarter(void **state)
{
	(void)state;
	assert_int_equal(needs_dmfa_due(20261), 20260430);
	assert_int_equal(needs_dmfa_due(20262), 20260731);
	assert_int_equal(needs_dmfa_due(20263), 20261031);
	assert_int_equal(needs_dmfa_due(20264), 20270131);
	assert_int_equal(needs_dmfa_due(20274), 20280131);
}

static void
test_next_due_switches_the_day_after_the_due_date(void **state)
{
	(void)state;
	gw_ymd due;
	/* On the due day itself the last quarter is still the one due. */
	assert_int_equal(needs_dmfa_next(20270131, &due), 20264);
	assert_int_equal(due, 20270131);
	/* The next day, the current quarter's. */
	assert_int_equal(needs_dmfa_next(20270201, &due), 20271);
	assert_int_equal(due, 20270430);
	/* Late in a quarter whose predecessor is long filed. */
	assert_int_equal(needs_dmfa_next(20261125, &due), 20264);
	assert_int_equal(due, 20270131);
	/* Early January: the Q4 of the year before. */
	assert_int_equal(needs_dmfa_next(20270105, &due), 20264);
	assert_int_equal(due, 20270131);
	/* Between the due day of Q1 and the end of Q2. */
	assert_int_equal(needs_dmfa_next(20260501, &due), 20262);
	assert_int_equal(due, 20260731);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_is_the_last_day_of_the_month_after_the_quarter),
		cmocka_unit_test(test_next_due_switches_the_day_after_the_due_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

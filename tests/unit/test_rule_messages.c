/*
 * test_rule_messages.c - the official message of a rule, read from the
 * Schematron files of the reference folder (peppol/rules/messages.c).
 *
 * Expected texts read by hand off the files: BR-CO-16 in both CEN builds;
 * PEPPOL-EN16931-R008 written without its "[id]-" prefix in 3.0.19 and
 * with it in 3.0.21 (the same message either way); PEPPOL-COMMON-R052
 * only in 3.0.21.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include "core/config.h"
#include "peppol/rules/messages.h"

static int
setup(void **state)
{
	(void)state;
	const char *ref = getenv("REF");
	setenv("GW_REFERENCE_DIR", ref ? ref : "../shared/reference", 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rule_messages_free();
	return 0;
}

static void
test_messages_come_without_their_id_prefix(void **state)
{
	(void)state;
	assert_string_equal(rule_message("BR-CO-16"), "Amount due for payment (BT-115) = Invoice"
	    " total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114).");
	assert_string_equal(rule_message("PEPPOL-EN16931-R008"),
	    "Document MUST not contain empty elements.");
}

static void
test_rules_of_the_newer_release_are_there(void **state)
{
	(void)state;
	assert_string_equal(rule_message("PEPPOL-COMMON-R052"),
	    "Danish chamber of commerce number (P) MUST be stated in the correct format.");
}

static void
test_unknown_rules_have_no_message(void **state)
{
	(void)state;
	assert_null(rule_message("BR-NOPE-1"));
	assert_null(rule_message(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_come_without_their_id_prefix),
		cmocka_unit_test(test_rules_of_the_newer_release_are_there),
		cmocka_unit_test(test_unknown_rules_have_no_message),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

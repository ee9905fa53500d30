/* test_checkdigit.c - INSS/BIS, KBO, ONSS, IBAN and structured communication
 * checks against values whose check digits were computed independently. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/checkdigit.h"

static char why[160];

#define OK(fn, s)   do { why[0] = '\0'; assert_true(fn(s, why, sizeof why)); } while (0)
#define BAD(fn, s, reason) do { \
		why[0] = '\0'; \
		assert_false(fn(s, why, sizeof why)); \
		assert_string_equal(why, reason); \
	} while (0)

static void
test_inss(void **state)
{
	(void)state;
	OK(check_inss, "85073003328");          /* 1985-07-30, pre-2000 rule */
	OK(check_inss, "03091408736");          /* 2003-09-14, "2" prefixed */
	OK(check_inss, "00022902422");          /* 2000-02-29 exists */
	OK(check_inss, "85070003355");          /* day unknown */
	BAD(check_inss, "85073003329",
	    "check digits 29, expected 28 (born before 2000) or 57 (born 2000 or later)");
	BAD(check_inss, "03091408737",
	    "check digits 37, expected 07 (born before 2000) or 36 (born 2000 or later)");
	BAD(check_inss, "90022901252", "birth date 1990-02-29 does not exist");
	BAD(check_inss, "85023003390", "birth date 1985-02-30 does not exist");
	BAD(check_inss, "85123203303", "birth day 32 is impossible");
	BAD(check_inss, "8507300332", "must be 11 digits");
	BAD(check_inss, "850730033280", "must be 11 digits");
	BAD(check_inss, "8507300332A", "must be 11 digits");
	BAD(check_inss, "", "must be 11 digits");
	/* why may be NULL. */
	assert_true(check_inss("85073003328", NULL, 0));
	assert_false(check_inss("85073003329", NULL, 0));
}

static void
test_bis(void **state)
{
	(void)state;
	OK(check_inss, "93241504376");          /* month 04 + 20: sex unknown */
	OK(check_inss, "98420006655");          /* month 02 + 40, day unknown */
	OK(check_inss, "92400000573");          /* month and day unknown (40, 00) */
	OK(check_inss, "92200001124");          /* month and day unknown (20, 00) */
	BAD(check_inss, "85331502190", "birth month 33 is impossible");
	BAD(check_inss, "85153003384", "birth month 15 is impossible");
}

static void
test_kbo(void **state)
{
	(void)state;
	OK(check_kbo, "0456789034");
	OK(check_kbo, "0668600511");
	OK(check_kbo, "0739484052");
	OK(check_kbo, "0801234549");
	BAD(check_kbo, "0456789035", "check digits 35, expected 34");
	BAD(check_kbo, "2456789076", "must start with 0 or 1");
	BAD(check_kbo, "456789034", "must be 10 digits");
	BAD(check_kbo, "0456.789.034", "must be 10 digits");
}

static void
test_noss(void **state)
{
	(void)state;
	OK(check_noss, "051234526");
	OK(check_noss, "123456749");
	OK(check_noss, "000100006");           /* lower end of the glossary's domain */
	OK(check_noss, "199999934");           /* upper end */
	OK(check_noss, "000100297");           /* remainder 96: check digits 97, not 00 */
	BAD(check_noss, "000100200", "check digits 00, expected 97");
	BAD(check_noss, "051234527", "check digits 27, expected 26");
	BAD(check_noss, "000099909",
	    "not a definitive registration number (outside 000100006..199999934)");
	BAD(check_noss, "200000097",
	    "not a definitive registration number (outside 000100006..199999934)");
	BAD(check_noss, "05123452A", "must be 9 digits");
	BAD(check_noss, "0512345", "must be 9 digits");
}

static void
test_iban(void **state)
{
	(void)state;
	OK(check_iban, "BE71096123456769");
	OK(check_iban, "BE68539007547034");
	OK(check_iban, "BE68 5390 0754 7034");
	OK(check_iban, "NL91ABNA0417164300");
	OK(check_iban, "DE89370400440532013000");
	OK(check_iban, "FR1420041010050500013M02606");
	OK(check_iban, "GB82WEST12345698765432");
	OK(check_iban, "CH9300762011623852957");
	OK(check_iban, "NO9386011117947");
	BAD(check_iban, "BE71096123456768", "check digits 71 do not match (mod 97 = 71)");
	BAD(check_iban, "BE7109612345676", "BE IBAN has 15 characters, expected 16");
	BAD(check_iban, "NL91ABNA041716430", "NL IBAN has 17 characters, expected 18");
	BAD(check_iban, "be71096123456769", "only digits and capital letters are allowed");
	BAD(check_iban, "BE71-0961-2345-6769", "only digits and capital letters are allowed");
	BAD(check_iban, "1271096123456769", "must start with a country code and 2 check digits");
	BAD(check_iban, "XX12", "must start with a country code and 2 check digits");
}

static void
test_structured_communication(void **state)
{
	(void)state;
	char d[13];
	OK(check_structured_communication, "+++123/4567/89002+++");
	OK(check_structured_communication, "***123/4567/89002***");
	OK(check_structured_communication, "123456789002");
	OK(check_structured_communication, "+++016/1780/00005+++");
	OK(check_structured_communication, "+++000/0000/09797+++");   /* remainder 0 -> 97 */
	BAD(check_structured_communication, "+++000/0000/09700+++", "check digits 00, expected 97");
	BAD(check_structured_communication, "+++123/4567/89003+++", "check digits 03, expected 02");
	BAD(check_structured_communication, "+++123/4567/89002***",
	    "must be +++ddd/dddd/ddddd+++ or 12 digits");
	BAD(check_structured_communication, "+++123/4567/8900+++",
	    "must be +++ddd/dddd/ddddd+++ or 12 digits");
	BAD(check_structured_communication, "+++12a/4567/89002+++",
	    "must be +++ddd/dddd/ddddd+++ or 12 digits");
	assert_true(structured_communication_digits("+++123/4567/89002+++", d));
	assert_string_equal(d, "123456789002");
	assert_false(structured_communication_digits("123/4567/89002", d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inss),
		cmocka_unit_test(test_bis),
		cmocka_unit_test(test_kbo),
		cmocka_unit_test(test_noss),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_structured_communication),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_ubl_calc.c - EN 16931 amounts on hand-computed cases.
 *
 * Every expected figure below was worked out by hand from the formulas of
 * peppol/ubl/calc.h (line net = round(qty * price, 2); category tax =
 * round(taxable * rate / 100, 2), half away from zero), the working is in
 * the comment of each case. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_invoice_fixture.h"
#include "peppol/ubl/calc.h"

static void
parse(struct invoice *inv, const char *type, const char *lines, const char *extra)
{
	struct record_rejection rej;
	char *s = fix_record("T-1", type, lines, extra, NULL);
	gw_rc rc = invoice_parse_json(s, strlen(s), inv, &rej);
	if (rc != GW_OK)
		fail_msg("record rejected: %s: %s", rej.field, rej.reason);
	free(s);
}

static void
assert_dec(decimal d, const char *want)
{
	char buf[64];
	dec_format(d, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static const struct ubl_vat_group *
group(const struct ubl_totals *t, size_t i, const char *cat, const char *rate)
{
	char buf[32];
	assert_true(i < t->n_groups);
	const struct ubl_vat_group *g = &t->groups[i];
	assert_string_equal(vat_cat_code(g->category), cat);
	if (rate) {
		assert_true(g->has_rate);
		dec_format_min(g->rate, 0, buf, sizeof buf);
		assert_string_equal(buf, rate);
	} else {
		assert_false(g->has_rate);
	}
	return g;
}

/* 1 x 0.125 = 0.125 -> 0.13 (the half goes away from zero);
 * 3 x 0.335 = 1.005 -> 1.01; sum 1.14; 21 % of 1.14 = 0.2394 -> 0.24;
 * total 1.38. A half cent of tax: 2.50 at 21 % = 0.525 -> 0.53 (case b). */
static void
test_rounding_half_cent(void **state)
{
	(void)state;
	char l1[512], l2[512], lines[1100];
	struct invoice inv;
	struct ubl_totals t;
	snprintf(lines, sizeof lines, "%s, %s", fix_line(l1, sizeof l1, 1, "1", "0.125", "S", "21"),
	    fix_line(l2, sizeof l2, 2, "3", "0.335", "S", "21"));
	parse(&inv, "invoice", lines, "");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_dec(t.line_net[0], "0.13");
	assert_dec(t.line_net[1], "1.01");
	assert_dec(t.line_total, "1.14");
	assert_dec(group(&t, 0, "S", "21")->tax, "0.24");
	assert_dec(t.tax_inclusive, "1.38");
	ubl_totals_free(&t);
	invoice_clear(&inv);

	parse(&inv, "invoice", fix_line(l1, sizeof l1, 1, "1", "2.50", "S", "21"), "");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_dec(group(&t, 0, "S", "21")->tax, "0.53");
	assert_dec(t.payable, "3.03");
	ubl_totals_free(&t);
	invoice_clear(&inv);
}

/* Rounding happens per line, not on the sum: 3 x (1 x 0.333) = 3 x 0.33
 * = 0.99, not 1.00. 21 % of 0.99 = 0.2079 -> 0.21. Total 1.20. */
static void
test_per_line_rounding(void **state)
{
	(void)state;
	char l[3][512], lines[1700];
	struct invoice inv;
	struct ubl_totals t;
	snprintf(lines, sizeof lines, "%s, %s, %s",
	    fix_line(l[0], sizeof l[0], 1, "1", "0.333", "S", "21"),
	    fix_line(l[1], sizeof l[1], 2, "1", "0.333", "S", "21"),
	    fix_line(l[2], sizeof l[2], 3, "1", "0.333", "S", "21"));
	parse(&inv, "invoice", lines, "");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_dec(t.line_total, "0.99");
	assert_dec(t.tax_total, "0.21");
	assert_dec(t.tax_inclusive, "1.20");
	ubl_totals_free(&t);
	invoice_clear(&inv);
}

/* Lines: S21 2 x 50.00 = 100.00, S6 4 x 10.00 = 40.00, Z 1 x 10.00 = 10.00.
 * Allowance 10.00 in S21, charge 5.00 in S6.
 * S21 taxable 100.00 - 10.00 = 90.00, tax 18.90; S6 40.00 + 5.00 = 45.00,
 * tax 2.70; Z 10.00, tax 0.00. Lines 150.00, allowances 10.00, charges
 * 5.00, without VAT 145.00, VAT 21.60, with VAT 166.60. */
static void
test_allowances_change_category_base(void **state)
{
	(void)state;
	char l[3][512], lines[1700];
	struct invoice inv;
	struct ubl_totals t;
	snprintf(lines, sizeof lines, "%s, %s, %s",
	    fix_line(l[0], sizeof l[0], 1, "2", "50.00", "S", "21"),
	    fix_line(l[1], sizeof l[1], 2, "4", "10.00", "S", "6"),
	    fix_line(l[2], sizeof l[2], 3, "1", "10.00", "Z", "0"));
	parse(&inv, "invoice", lines,
	    ", \"allowances\": [{\"reason\": \"Discount\", \"amount\": \"10.00\", "
	    "\"vat_category\": \"S\", \"vat_rate\": \"21\"}], \"charges\": [{\"reason\": "
	    "\"Travel\", \"amount\": \"5\", \"vat_category\": \"S\", \"vat_rate\": \"6\"}]");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_int_equal(t.n_groups, 3);
	const struct ubl_vat_group *g = group(&t, 0, "S", "21");
	assert_dec(g->taxable, "90.00");
	assert_dec(g->tax, "18.90");
	g = group(&t, 1, "S", "6");
	assert_dec(g->taxable, "45.00");
	assert_dec(g->tax, "2.70");
	g = group(&t, 2, "Z", "0");
	assert_dec(g->taxable, "10.00");
	assert_dec(g->tax, "0.00");
	assert_dec(t.line_total, "150.00");
	assert_dec(t.allowance_total, "10.00");
	assert_dec(t.charge_total, "5.00");
	assert_dec(t.tax_exclusive, "145.00");
	assert_dec(t.tax_total, "21.60");
	assert_dec(t.tax_inclusive, "166.60");
	assert_dec(t.payable, "166.60");
	ubl_totals_free(&t);
	invoice_clear(&inv);
}

/* Credit note: 2 x 100.00 = 200.00 and -1 x 50.00 = -50.00 (a line that
 * reduces the credit), S21 taxable 150.00, tax 31.50, total 181.50.
 * A negative half cent: -1 x 0.50 at 21 % = -0.105 -> -0.11 (away from
 * zero, the mirror of +0.11). */
static void
test_credit_note_negative_lines(void **state)
{
	(void)state;
	char l1[512], l2[512], lines[1100];
	struct invoice inv;
	struct ubl_totals t;
	snprintf(lines, sizeof lines, "%s, %s", fix_line(l1, sizeof l1, 1, "2", "100.00", "S", "21"),
	    fix_line(l2, sizeof l2, 2, "-1", "50.00", "S", "21"));
	parse(&inv, "credit_note", lines, "");
	assert_int_equal(inv.type, INVOICE_CREDIT_NOTE);
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_dec(t.line_net[1], "-50.00");
	assert_dec(group(&t, 0, "S", "21")->taxable, "150.00");
	assert_dec(t.tax_total, "31.50");
	assert_dec(t.payable, "181.50");
	ubl_totals_free(&t);
	invoice_clear(&inv);

	parse(&inv, "credit_note", fix_line(l1, sizeof l1, 1, "-1", "0.50", "S", "21"), "");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_dec(t.tax_total, "-0.11");
	assert_dec(t.payable, "-0.61");
	ubl_totals_free(&t);
	invoice_clear(&inv);
}

/* 1000 lines of 1 x 0.015 -> 0.02 each: 20.00 (not 15.00), 21 % = 4.20. */
static void
test_many_lines(void **state)
{
	(void)state;
	size_t cap = 1000 * 220;
	char *lines = malloc(cap), l[512];
	size_t o = 0;
	struct invoice inv;
	struct ubl_totals t;
	for (int i = 1; i <= 1000; i++)
		o += (size_t)snprintf(lines + o, cap - o, "%s%s", i > 1 ? ", " : "",
		    fix_line(l, sizeof l, i, "1", "0.015", "S", "21"));
	parse(&inv, "invoice", lines, "");
	assert_int_equal(inv.n_lines, 1000);
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_dec(t.line_total, "20.00");
	assert_dec(t.tax_total, "4.20");
	assert_dec(t.payable, "24.20");
	ubl_totals_free(&t);
	invoice_clear(&inv);
	free(lines);
}

/* Breakdown order is category (S, Z, E, AE, K, G, O) then rate descending,
 * whatever the line order; exempt categories keep their reason; no tax. */
static void
test_group_order_and_exempt(void **state)
{
	(void)state;
	char l[4][512], lines[2200];
	struct invoice inv;
	struct ubl_totals t;
	snprintf(lines, sizeof lines, "%s, %s, %s, %s",
	    fix_line(l[0], sizeof l[0], 1, "1", "10.00", "E", "0"),
	    fix_line(l[1], sizeof l[1], 2, "1", "20.00", "S", "6"),
	    fix_line(l[2], sizeof l[2], 3, "1", "30.00", "Z", "0"),
	    fix_line(l[3], sizeof l[3], 4, "1", "40.00", "S", "21"));
	parse(&inv, "invoice", lines, "");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_int_equal(t.n_groups, 4);
	assert_dec(group(&t, 0, "S", "21")->tax, "8.40");
	assert_dec(group(&t, 1, "S", "6")->tax, "1.20");
	group(&t, 2, "Z", "0");
	const struct ubl_vat_group *g = group(&t, 3, "E", "0");
	assert_dec(g->tax, "0.00");
	assert_string_equal(g->exemption_reason, "Exempt E");
	assert_dec(t.tax_total, "9.60");
	assert_dec(t.payable, "109.60");
	ubl_totals_free(&t);
	invoice_clear(&inv);

	/* O: no rate anywhere, one group, no tax. 2.5 x 40.004 = 100.01 */
	parse(&inv, "invoice", fix_line(l[0], sizeof l[0], 1, "2.5", "40.004", "O", NULL), "");
	assert_int_equal(ubl_calc(&inv, &t), GW_OK);
	assert_int_equal(t.n_groups, 1);
	g = group(&t, 0, "O", NULL);
	assert_dec(g->taxable, "100.01");
	assert_string_equal(g->exemption_code, "VATEX-EU-O");
	assert_dec(t.payable, "100.01");
	ubl_totals_free(&t);
	invoice_clear(&inv);
}

static void
test_dec_scale(void **state)
{
	(void)state;
	decimal d = dec_from_int(7);
	assert_dec(ubl_dec_scale(d, 2), "7.00");
	assert_int_equal(dec_parse("1.005", SIZE_MAX, &d), GW_OK);
	assert_dec(ubl_dec_scale(d, 2), "1.01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounding_half_cent),
		cmocka_unit_test(test_per_line_rounding),
		cmocka_unit_test(test_allowances_change_category_base),
		cmocka_unit_test(test_credit_note_negative_lines),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_group_order_and_exempt),
		cmocka_unit_test(test_dec_scale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

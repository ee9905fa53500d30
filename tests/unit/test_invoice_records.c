/* test_invoice_records.c - invoice record parsing, validation and the
 * rejections (file, line, record id, field, reason) of records.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "test_invoice_fixture.h"

static char line1[512];

/* Parse text; return the rc and leave the rejection in *rej. */
static gw_rc
try_parse(const char *text, struct invoice *inv, struct record_rejection *rej)
{
	memset(rej, 0, sizeof *rej);
	return invoice_parse_json(text, strlen(text), inv, rej);
}

/* A record with one S 21 line and `extra` spliced in, expected to be
 * rejected on `field` with a reason containing `why`. */
static void
expect_reject(const char *text, const char *field, const char *why)
{
	struct invoice inv;
	struct record_rejection rej;
	gw_rc rc = try_parse(text, &inv, &rej);
	if (rc != GW_EINPUT)
		fail_msg("accepted, expected rejection on %s", field);
	if (strcmp(rej.field, field) != 0 || strstr(rej.reason, why) == NULL)
		fail_msg("rejected on '%s' (%s), expected '%s' (%s)", rej.field, rej.reason, field, why);
	assert_null(inv.lines);
}

static char *
rec(const char *lines, const char *extra)
{
	return fix_record("INV-9", "invoice", lines, extra, NULL);
}

static char *
s21(void)
{
	return fix_line(line1, sizeof line1, 1, "2", "50.00", "S", "21");
}

/* Replace the first occurrence of `from` by `to` in a malloc'ed string. */
static char *
subst(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from);
	assert_non_null(p);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r = malloc(n);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	free(s);
	return r;
}

/* One edit of the S 21 record and the rejection it must bring. */
struct s21_case {
	const char *from, *to;   /* first occurrence of from becomes to */
	const char *field, *why;
};

/* Each case's edited record is rejected on its field with its reason. */
static void
expect_s21_rejects(const struct s21_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *s = subst(rec(s21(), ""), c[i].from, c[i].to);
		expect_reject(s, c[i].field, c[i].why);
		free(s);
	}
}

static void
test_valid_record_fields(void **state)
{
	(void)state;
	struct invoice inv;
	struct record_rejection rej;
	char *s = rec(s21(), ", \"note\": \"Merci\", \"due_date\": \"2026-04-01\"");
	s = subst(s, "BE71096123456769", "be71 0961 2345 6769");
	assert_int_equal(try_parse(s, &inv, &rej), GW_OK);
	assert_string_equal(inv.invoice_id, "INV-9");
	assert_int_equal(inv.revision, 1);
	assert_int_equal(inv.type, INVOICE_INVOICE);
	assert_string_equal(inv.due_date, "2026-04-01");
	assert_string_equal(inv.seller.peppol_scheme, "0208");
	assert_string_equal(inv.seller.peppol_value, "0668600511");
	assert_string_equal(inv.payment.iban, "BE71096123456769");   /* compacted */
	assert_string_equal(inv.payment.structured_communication, "123456789002");
	assert_int_equal(inv.n_lines, 1);
	char buf[32];
	dec_format(inv.lines[0].unit_price, buf, sizeof buf);
	assert_string_equal(buf, "50.00");                            /* exact, as written */
	assert_int_equal(inv.lines[0].vat.category, VAT_S);
	invoice_clear(&inv);
	free(s);
}

static void
test_json_number_is_rejected(void **state)
{
	(void)state;
	static const struct s21_case numbers[] = {
		{ "\"quantity\": \"2\"", "\"quantity\": 2", "lines[0].quantity", "JSON number" },
		{ "\"vat_rate\": \"21\"", "\"vat_rate\": 21", "lines[0].vat_rate", "JSON number" },
	};
	char *s;

	expect_s21_rejects(numbers, sizeof numbers / sizeof numbers[0]);
	s = rec(s21(), ", \"allowances\": [{\"reason\": \"x\", \"amount\": 1.5, "
	    "\"vat_category\": \"S\", \"vat_rate\": \"21\"}]");
	expect_reject(s, "allowances[0].amount", "JSON number");
	free(s);
}

static void
test_record_id_in_rejection(void **state)
{
	(void)state;
	struct invoice inv;
	struct record_rejection rej;
	char *s = rec(s21(), "");
	s = subst(s, "\"unit_price\": \"50.00\"", "\"unit_price\": \"5O.00\"");
	assert_int_equal(try_parse(s, &inv, &rej), GW_EINPUT);
	assert_string_equal(rej.record_id, "INV-9");
	assert_string_equal(rej.field, "lines[0].unit_price");
	assert_non_null(strstr(rej.reason, "not a decimal"));
	free(s);
	/* Without a usable id, the rejection says so with an empty id. */
	s = rec(s21(), "");
	s = subst(s, "\"invoice_id\": \"INV-9\"", "\"invoice_id\": \"../etc\"");
	assert_int_equal(try_parse(s, &inv, &rej), GW_EINPUT);
	assert_string_equal(rej.record_id, "");
	assert_string_equal(rej.field, "invoice_id");
	free(s);
	assert_int_equal(try_parse("[1,2]", &inv, &rej), GW_EINPUT);
	assert_int_equal(try_parse("{\"invoice_id\": \"A\", \"invoice_id\": \"B\"}", &inv, &rej),
	    GW_EINPUT);
	assert_non_null(strstr(rej.reason, "not valid JSON"));
}

static void
test_field_rules(void **state)
{
	(void)state;
	static const struct s21_case fields[] = {
		{ "0739484052\", \"vat\"", "0739484053\", \"vat\"",
		  "buyer.enterprise_number", "enterprise number" },
		{ "BE71096123456769", "BE71096123456768", "payment.iban", "IBAN" },
		{ "+++123/4567/89002+++", "+++123/4567/89003+++",
		  "payment.structured_communication", "structured communication" },
		{ "\"currency\": \"EUR\"", "\"currency\": \"USD\"", "currency", "EUR" },
		{ "\"buyer_reference\": \"PO-77\"", "\"buyer_reference\": \"\"", "buyer_reference", "R003" },
		{ "\"issue_date\": \"2026-03-02\"", "\"issue_date\": \"2026-02-30\"", "issue_date", "date" },
		{ "\"unit_code\": \"C62\"", "\"unit_code\": \"XYZ\"", "lines[0].unit_code", "unit code" },
		{ "\"unit_price\": \"50.00\"", "\"unit_price\": \"-50.00\"", "lines[0].unit_price", "BR-27" },
		{ "\"peppol_id\": \"0208:0739484052\"", "\"peppol_id\": \"9999:x\"",
		  "buyer.peppol_id", "electronic address scheme" },
	};
	char *s;
	char l[512];

	expect_s21_rejects(fields, sizeof fields / sizeof fields[0]);
	s = rec(s21(), ", \"colour\": \"blue\"");
	expect_reject(s, "colour", "unknown field");
	free(s);
	s = rec("", "");
	expect_reject(s, "lines", "BR-16");
	free(s);
	/* Credit notes name the invoice they correct. */
	s = fix_record("CN-1", "credit_note", s21(), "", NULL);
	s = subst(s, "\"preceding_invoice_id\": \"INV-1\"", "\"preceding_invoice_id\": \"\"");
	expect_reject(s, "preceding_invoice_id", "credit note");
	free(s);
	/* Exemption reasons: required for E, forbidden for S, coherent VATEX. */
	s = rec(fix_line(l, sizeof l, 1, "1", "10", "E", "0"), "");
	s = subst(s, ", \"exemption_reason\": \"Exempt E\"", "");
	expect_reject(s, "lines[0].exemption_reason", "needs exemption_reason");
	free(s);
	s = subst(rec(s21(), ""), "\"vat_rate\": \"21\"", "\"vat_rate\": \"21\", \"exemption_reason\": \"x\"");
	expect_reject(s, "lines[0].exemption_reason", "BR-S-10");
	free(s);
	s = rec(fix_line(l, sizeof l, 1, "1", "10", "E", "0"), "");
	s = subst(s, "\"exemption_reason\": \"Exempt E\"", "\"exemption_reason_code\": \"VATEX-EU-IC\"");
	expect_reject(s, "lines[0].exemption_reason_code", "category K");
	free(s);
	s = rec(fix_line(l, sizeof l, 1, "1", "10", "Z", "6"), "");
	expect_reject(s, "lines[0].vat_rate", "rate 0");
	free(s);
}

static void
test_category_rules(void **state)
{
	(void)state;
	char l1[512], l2[512], lines[1100];
	char *s;

	/* O has no rate and excludes every other category (BR-O-*). */
	s = rec(fix_line(l1, sizeof l1, 1, "1", "10", "O", NULL), "");
	s = subst(s, "\"vat_category\": \"O\"", "\"vat_category\": \"O\", \"vat_rate\": \"0\"");
	expect_reject(s, "lines[0].vat_rate", "BR-O-05");
	free(s);
	snprintf(lines, sizeof lines, "%s, %s", fix_line(l1, sizeof l1, 1, "1", "10", "O", NULL),
	    fix_line(l2, sizeof l2, 2, "1", "10", "S", "21"));
	s = rec(lines, "");
	expect_reject(s, "lines[1].vat_category", "BR-O-11");
	free(s);
	/* K needs the buyer's VAT number and a delivery date (BR-IC-02, -11). */
	s = rec(fix_line(l1, sizeof l1, 1, "1", "10", "K", "0"), "");
	expect_reject(s, "delivery_date", "BR-IC-11");
	free(s);
	s = rec(fix_line(l1, sizeof l1, 1, "1", "10", "K", "0"), ", \"delivery_date\": \"2026-03-01\"");
	s = subst(s, "\"vat\": \"BE0739484052\", ", "");
	expect_reject(s, "buyer.vat", "BR-IC-02");
	free(s);
	/* One breakdown per exempt category: reasons must agree. */
	snprintf(lines, sizeof lines, "%s, %s", fix_line(l1, sizeof l1, 1, "1", "10", "E", "0"),
	    fix_line(l2, sizeof l2, 2, "1", "10", "E", "0"));
	s = subst(rec(lines, ""), "Exempt E\"}", "Other reason\"}");
	expect_reject(s, "lines[1].exemption_reason", "one VAT breakdown");
	free(s);
	/* Duplicate line ids. */
	snprintf(lines, sizeof lines, "%s, %s", fix_line(l1, sizeof l1, 1, "1", "10", "S", "21"),
	    fix_line(l2, sizeof l2, 1, "1", "10", "S", "21"));
	s = rec(lines, "");
	expect_reject(s, "lines[1].id", "duplicate");
	free(s);
	/* Credit transfer needs the account (BR-61); seller VAT is required
	 * unless not subject to VAT (BR-S-02). */
	static const struct s21_case missing[] = {
		{ "\"iban\": \"BE71096123456769\", ", "", "payment.iban", "BR-61" },
		{ "\"vat\": \"BE0668600511\", ", "", "seller.vat", "BR-S-02" },
	};
	expect_s21_rejects(missing, sizeof missing / sizeof missing[0]);
	s = subst(rec(fix_line(l1, sizeof l1, 1, "1", "10", "O", NULL), ""),
	    "\"vat\": \"BE0668600511\", ", "");
	struct invoice inv;
	struct record_rejection rej;
	assert_int_equal(try_parse(s, &inv, &rej), GW_OK);
	invoice_clear(&inv);
	free(s);
}

/* The reader: rejections name file and line, the rest of the file is
 * still read, blank lines are skipped. */
static void
test_reader_continues_after_rejection(void **state)
{
	(void)state;
	char path[] = "/tmp/gwinvXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	char *good = rec(s21(), "");
	char *bad = subst(rec(s21(), ""), "\"quantity\": \"2\"", "\"quantity\": 2");
	char *good2 = subst(rec(s21(), ""), "INV-9", "INV-10");
	/* A byte-order mark first, a blank line, no final newline. */
	fprintf(f, "\xEF\xBB\xBF%s\n\n%s\n%s", good, bad, good2);
	fclose(f);

	struct invoice_reader *r;
	struct invoice inv;
	struct record_rejection rej;
	char err[256];
	assert_int_equal(invoice_reader_open(&r, path, err, sizeof err), GW_OK);
	assert_int_equal(invoice_reader_next(r, &inv, &rej), GW_OK);
	assert_string_equal(inv.invoice_id, "INV-9");
	invoice_clear(&inv);
	assert_int_equal(invoice_reader_next(r, &inv, &rej), GW_EINPUT);
	assert_string_equal(rej.file, path);
	assert_int_equal(rej.line, 3);
	assert_string_equal(rej.record_id, "INV-9");
	assert_string_equal(rej.field, "lines[0].quantity");
	assert_int_equal(invoice_reader_next(r, &inv, &rej), GW_OK);
	assert_string_equal(inv.invoice_id, "INV-10");
	assert_int_equal(rej.line, 4);
	invoice_clear(&inv);
	assert_int_equal(invoice_reader_next(r, &inv, &rej), GW_ENOTFOUND);
	invoice_reader_close(r);
	unlink(path);
	free(good);
	free(bad);
	free(good2);
	assert_int_equal(invoice_reader_open(&r, "/nonexistent/x.jsonl", err, sizeof err), GW_EIO);
	assert_non_null(strstr(err, "/nonexistent/x.jsonl"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_record_fields),
		cmocka_unit_test(test_json_number_is_rejected),
		cmocka_unit_test(test_record_id_in_rejection),
		cmocka_unit_test(test_field_rules),
		cmocka_unit_test(test_category_rules),
		cmocka_unit_test(test_reader_continues_after_rejection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_report.c - the monthly TSR and EUSR: every official example passes
 * the native rules; what the builders write is valid against the official
 * XSDs and passes the rules, with the counts worked out by hand below, for
 * a month with traffic and one without; mutants of the examples fail the
 * rule they break. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlschemas.h>

#include "peppol/report/report.h"

static char rdir[512];

static char *
slurp(const char *name, size_t *len)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", rdir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot read %s", path);
	char *buf = malloc(1 << 17);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 17) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
collect(void *arg, const char *rule, const char *text)
{
	char *acc = arg;
	(void)text;
	size_t n = strlen(acc);
	snprintf(acc + n, 1024 - n, "%s ", rule);
}

/* 0 when xml is valid against the official XSD xsd (under rdir). */
static int
xsd_errors(const char *xsd, const char *xml, size_t len)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", rdir, xsd);
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
	xmlSchemaPtr s = xmlSchemaParse(pc);
	assert_non_null(s);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
	xmlDocPtr d = xmlReadMemory(xml, (int)len, "r.xml", NULL, XML_PARSE_NONET);
	assert_non_null(d);
	int r = xmlSchemaValidateDoc(vc, d);
	xmlFreeDoc(d);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(s);
	xmlSchemaFreeParserCtxt(pc);
	return r;
}

static int
setup(void **state)
{
	(void)state;
	const char *ref = getenv("REF");
	snprintf(rdir, sizeof rdir, "%s/peppol/reporting", ref ? ref : "../shared/reference");
	return 0;
}

static void
test_examples_pass(void **state)
{
	(void)state;
	static const char *tsr[] = { "tsr/transaction-statistics-2.xml", "tsr/transaction-statistics-3.xml",
	                             "tsr/transaction-statistics-4.xml", "tsr/transaction-statistics-minimal.xml" };
	static const char *eusr[] = { "eusr/end-user-statistics-reporting-1.xml",
	                              "eusr/end-user-statistics-reporting-2.xml",
	                              "eusr/end-user-statistics-reporting-empty.xml",
	                              "eusr/end-user-statistics-reporting-minimal.xml",
	                              "eusr/eusr-generated-1.xml", "eusr/eusr-good-template.xml" };
	for (size_t i = 0; i < sizeof tsr / sizeof *tsr; i++) {
		size_t len;
		char *x = slurp(tsr[i], &len), fired[1024] = "";
		if (report_tsr_check(x, len, collect, fired) != 0)
			fail_msg("%s: %s", tsr[i], fired);
		free(x);
	}
	for (size_t i = 0; i < sizeof eusr / sizeof *eusr; i++) {
		size_t len;
		char *x = slurp(eusr[i], &len), fired[1024] = "";
		if (report_eusr_check(x, len, collect, fired) != 0)
			fail_msg("%s: %s", eusr[i], fired);
		free(x);
	}
}

static char *
mutate(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	if (at == NULL)
		fail_msg("mutant: \"%s\" is not in the example", from);
	size_t head = (size_t)(at - base), n = strlen(base) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, base, head);
	memcpy(out + head, to, strlen(to));
	memcpy(out + head + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	return out;
}

static void
test_mutants_fail(void **state)
{
	(void)state;
	static const struct { int eusr; const char *from, *to, *fired; } mu[] = {
		{ 0, "reporting:1.0</CustomizationID>", "reporting:1.1</CustomizationID>", "SCH-TSR-01 " },
		{ 0, "<Incoming>19</Incoming>", "<Incoming>20</Incoming>", "SCH-TSR-04 SCH-TSR-08 SCH-TSR-12 " },
		{ 0, "<Outgoing>17</Outgoing>", "<Outgoing>18</Outgoing>", "SCH-TSR-05 SCH-TSR-09 " },
		{ 0, "type=\"PerTP\"", "type=\"PerXX\"", "SCH-TSR-37 SCH-TSR-03 SCH-TSR-04 SCH-TSR-05 " },
		{ 0, "POP000360", "POP00036", "SCH-TSR-18 " },
		{ 0, "<EndDate>2022-01-31", "<EndDate>2021-12-31", "SCH-TSR-42 " },
		{ 0, "schemeID=\"CertSubjectCN\">POP000001", "schemeID=\"CertSubjectCN\">X", "SCH-TSR-19 " },
		{ 0, "schemeID=\"SenderCountry\">AT", "schemeID=\"SenderCountry\">at", "SCH-TSR-20 " },
		{ 0, "    <Key metaSchemeID=\"CC\" schemeID=\"ReceiverCountry\">DE</Key>\n", "",
		  "SCH-TSR-29 SCH-TSR-36 " },
		{ 0, "<Incoming>4</Incoming>\n    <Outgoing>0</Outgoing>", "<Incoming>4</Incoming>\n"
		  "    <Outgoing>1</Outgoing>", "SCH-TSR-43 " },
		{ 0, "schemeID=\"SenderCountry\">DE</Key>\n    <Key metaSchemeID=\"CC\" schemeID=\"ReceiverCountry\">DE",
		  "schemeID=\"SenderCountry\">AT</Key>\n    <Key metaSchemeID=\"CC\" schemeID=\"ReceiverCountry\">DE",
		  "SCH-TSR-14 " },
		{ 1, "<SendingEndUsers>5</SendingEndUsers>", "<SendingEndUsers>3</SendingEndUsers>",
		  "SCH-EUSR-03 " },
		{ 1, "<SendingOrReceivingEndUsers>6</SendingOrReceivingEndUsers>",
		  "<SendingOrReceivingEndUsers>9</SendingOrReceivingEndUsers>", "SCH-EUSR-19 " },
		{ 1, "type=\"PerEUC\"", "type=\"PerXY\"", "SCH-EUSR-14 SCH-EUSR-39 " },
		{ 1, "end-user-statistics-report:1.1</CustomizationID>", "x</CustomizationID>", "SCH-EUSR-01 " },
		{ 1, "schemeID=\"EndUserCountry\">FI", "schemeID=\"EndUserCountry\">FIN", "SCH-EUSR-30 " },
		{ 1, "<Subset type=\"PerDT-PR\">", "<Subset type=\"PerDT-PR\"><Key metaSchemeID=\"CC\" "
		  "schemeID=\"EndUserCountry\">BE</Key>", "SCH-EUSR-09 " },
		{ 1, "CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1</Key>\n"
		  "    <Key metaSchemeID=\"PR\"", "Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:"
		  "poacc:billing:3.0::2.1</Key>\n    <Key metaSchemeID=\"PR\"", "SCH-EUSR-13 " },
	};
	size_t tl, el;
	char *tsr = slurp("tsr/transaction-statistics-2.xml", &tl);
	char *eusr = slurp("eusr/end-user-statistics-reporting-1.xml", &el);
	for (size_t i = 0; i < sizeof mu / sizeof *mu; i++) {
		char *x = mutate(mu[i].eusr ? eusr : tsr, mu[i].from, mu[i].to), fired[1024] = "";
		int n = mu[i].eusr ? report_eusr_check(x, strlen(x), collect, fired) :
		                     report_tsr_check(x, strlen(x), collect, fired);
		if (strcmp(fired, mu[i].fired) != 0)
			fail_msg("mutant %zu: fired \"%s\", expected \"%s\"", i, fired, mu[i].fired);
		assert_true(n > 0);
		free(x);
	}
	free(tsr);
	free(eusr);
}

#define INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017" \
	"#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
#define CN "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:" \
	"en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
#define BILL "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

static void
test_build_month(void **state)
{
	(void)state;
	/* Sent: 3 invoices and 1 credit note by two of our entities to PBE000102;
	 * received: 2 invoices for one entity from PNL000007 (from NL and DE). */
	const struct report_tx tx[] = {
		{ 0, "PBE000102", INV, BILL, "0208:0000000196", "BE", "BE", "" },
		{ 0, "PBE000102", INV, BILL, "0208:0000000196", "BE", "BE", "" },
		{ 0, "PBE000102", INV, BILL, "0208:0000000295", "BE", "BE", "" },
		{ 0, "PBE000102", CN, BILL, "0208:0000000196", "BE", "BE", "" },
		{ 1, "PNL000007", INV, BILL, "0208:0000000196", "BE", "NL", "BE" },
		{ 1, "PNL000007", INV, BILL, "0208:0000000196", "BE", "DE", "BE" },
	};
	char *x, why[256], fired[1024] = "";
	size_t len;
	assert_int_equal(report_tsr_build("2026-11", "PBE000101", tx, 6, &x, &len, why, sizeof why), GW_OK);
	if (report_tsr_check(x, len, collect, fired) != 0)
		fail_msg("built TSR breaks %s\n%s", fired, x);
	assert_int_equal(xsd_errors("tsr/peppol-transaction-statistics-reporting-1.0.1.xsd", x, len), 0);
	assert_non_null(strstr(x, "<StartDate>2026-11-01</StartDate>"));
	assert_non_null(strstr(x, "<EndDate>2026-11-30</EndDate>"));
	assert_non_null(strstr(x, "<Total>\n    <Incoming>2</Incoming>\n    <Outgoing>4</Outgoing>"));
	/* PBE000102 + Invoice: 0 in, 3 out. */
	assert_non_null(strstr(x, "billing:01:1.0</Key>\n    <Incoming>0</Incoming>\n    <Outgoing>3</Outgoing>"));
	/* One CC subtotal per sender country of what came in. */
	assert_non_null(strstr(x, "\"SenderCountry\">DE</Key>\n    <Key metaSchemeID=\"CC\" "
	                          "schemeID=\"ReceiverCountry\">BE</Key>\n    <Incoming>1</Incoming>"));
	free(x);

	memset(fired, 0, sizeof fired);
	assert_int_equal(report_eusr_build("2026-11", "PBE000101", tx, 6, &x, &len, why, sizeof why), GW_OK);
	if (report_eusr_check(x, len, collect, fired) != 0)
		fail_msg("built EUSR breaks %s\n%s", fired, x);
	assert_int_equal(xsd_errors("eusr/peppol-end-user-statistics-reporting-1.1.xsd", x, len), 0);
	/* Two entities sent, one received, and it also sent: 2 distinct. */
	assert_non_null(strstr(x, "<FullSet>\n    <SendingEndUsers>2</SendingEndUsers>\n"
	                          "    <ReceivingEndUsers>1</ReceivingEndUsers>\n"
	                          "    <SendingOrReceivingEndUsers>2</SendingOrReceivingEndUsers>"));
	/* Credit notes: one entity sent them. */
	assert_non_null(strstr(x, "billing:01:1.0</Key>\n    <SendingEndUsers>1</SendingEndUsers>\n"
	                          "    <ReceivingEndUsers>0</ReceivingEndUsers>"));
	free(x);
}

static void
test_build_empty_month(void **state)
{
	(void)state;
	char *x, why[256], fired[1024] = "";
	size_t len;
	assert_int_equal(report_tsr_build("2027-02", "PBE000101", NULL, 0, &x, &len, why, sizeof why), GW_OK);
	assert_int_equal(report_tsr_check(x, len, collect, fired), 0);
	assert_int_equal(xsd_errors("tsr/peppol-transaction-statistics-reporting-1.0.1.xsd", x, len), 0);
	assert_non_null(strstr(x, "<EndDate>2027-02-28</EndDate>"));
	assert_non_null(strstr(x, "<Incoming>0</Incoming>"));
	assert_null(strstr(x, "<Subtotal"));
	free(x);
	assert_int_equal(report_eusr_build("2027-02", "PBE000101", NULL, 0, &x, &len, why, sizeof why), GW_OK);
	assert_int_equal(report_eusr_check(x, len, collect, fired), 0);
	assert_int_equal(xsd_errors("eusr/peppol-end-user-statistics-reporting-1.1.xsd", x, len), 0);
	assert_non_null(strstr(x, "<SendingOrReceivingEndUsers>0</SendingOrReceivingEndUsers>"));
	assert_null(strstr(x, "<Subset"));
	assert_string_equal(fired, "");
	free(x);
}

static void
test_build_refuses(void **state)
{
	(void)state;
	const struct report_tx bad[] = { { 1, "PNL000007", INV, BILL, "0208:0000000196", "BE", "", "BE" } };
	char *x = NULL, why[256];
	size_t len;
	assert_int_equal(report_tsr_build("2026-13", "PBE000101", NULL, 0, &x, &len, why, sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "month \"2026-13\""));
	assert_int_equal(report_eusr_build("2026-12", "gateway", NULL, 0, &x, &len, why, sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "reporter \"gateway\""));
	assert_int_equal(report_tsr_build("2026-12", "PBE000101", bad, 1, &x, &len, why, sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "sender or receiver country"));
	assert_null(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_pass),
		cmocka_unit_test(test_mutants_fail),
		cmocka_unit_test(test_build_month),
		cmocka_unit_test(test_build_empty_month),
		cmocka_unit_test(test_build_refuses),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

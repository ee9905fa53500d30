/* test_rules_release.c - the BIS release table (peppol/rules/release.h) and
 * every rule that changed from 3.0.19 to 3.0.21, on hand-made documents:
 * each case is run under both releases and must differ where the releases
 * differ (and only there). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "core/clock.h"
#include "peppol/rules/engine.h"
#include "peppol/rules/peppol_ids.h"
#include "peppol/rules/release.h"

#define NS "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\""
#define CUST "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>"
#define PROF "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>"
#define REST "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>PO-1</cbc:BuyerReference>" \
	"<cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">21.00</cbc:TaxAmount><cac:TaxSubtotal>" \
	"<cbc:TaxableAmount currencyID=\"EUR\">100</cbc:TaxableAmount></cac:TaxSubtotal></cac:TaxTotal>"
#define HEAD CUST PROF REST
/* Seller and buyer in one country, each with an endpoint of scheme 0208. */
#define PARTY(role, cc, extra) "<cac:" role "><cac:Party><cbc:EndpointID schemeID=\"0208\">0739484052</cbc:EndpointID>" \
	"<cac:PostalAddress><cac:Country><cbc:IdentificationCode>" cc "</cbc:IdentificationCode></cac:Country></cac:PostalAddress>" \
	extra "</cac:Party></cac:" role ">"
#define PAIR(cc, sx, bx) PARTY("AccountingSupplierParty", cc, sx) PARTY("AccountingCustomerParty", cc, bx)

static struct rule_findings found;

/* Run the Peppol set of release rel over xml; findings land in `found`. */
static void
run(enum rule_release rel, const char *xml)
{
	rule_findings_free(&found);
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	assert_non_null(d);
	assert_int_equal(rules_validate_doc_at(d, RULES_PEPPOL, rel, &found), GW_OK);
	xmlFreeDoc(d);
	if (getenv("TEST_VERBOSE"))
		for (size_t i = 0; i < found.n; i++)
			fprintf(stderr, "  fired %s %s\n", found.v[i].rule_id, found.v[i].location);
}

/* Times rule id fired with flag; *loc gets the location of the last one. */
static int
fired_as(const char *id, enum rule_flag flag, const char **loc)
{
	int n = 0;
	for (size_t i = 0; i < found.n; i++)
		if (strcmp(found.v[i].rule_id, id) == 0 && found.v[i].flag == flag) {
			n++;
			if (loc)
				*loc = found.v[i].location;
		}
	return n;
}

static int
fired(const char *id)
{
	return fired_as(id, RULE_FATAL, NULL) + fired_as(id, RULE_WARNING, NULL);
}

/* How often id fires under 3.0.19 and under 3.0.21, as 19 * 100 + 21. */
static int
both(const char *id, const char *xml)
{
	run(RULE_RELEASE_3_0_19, xml);
	int a = fired(id);
	run(RULE_RELEASE_3_0_21, xml);
	return a * 100 + fired(id);
}

static void
test_release_table(void **state)
{
	(void)state;
	assert_int_equal(rule_release_at(20250101), RULE_RELEASE_3_0_19);
	assert_int_equal(rule_release_at(20260816), RULE_RELEASE_3_0_19);
	assert_int_equal(rule_release_at(20260817), RULE_RELEASE_3_0_21);
	assert_null(rule_release_pending(20270221));
	/* Billing 3.1.0 is in force from 22 February 2027 but not implemented:
	 * the newest implemented release applies and the gap is named. */
	assert_int_equal(rule_release_at(20270222), RULE_RELEASE_3_0_21);
	assert_string_equal(rule_release_pending(20270222), "3.1.0");
	enum rule_release r = RULE_RELEASE_IN_FORCE;
	assert_true(rule_release_by_name("3.0.19", &r));
	assert_int_equal(r, RULE_RELEASE_3_0_19);
	assert_true(rule_release_by_name("3.0.21", &r));
	assert_int_equal(r, RULE_RELEASE_3_0_21);
	assert_false(rule_release_by_name("3.0.20", &r));
	assert_false(rule_release_by_name("3.1.0", &r));
	assert_string_equal(rule_release_name(RULE_RELEASE_3_0_19), "3.0.19");
}

/* The release in force follows the one clock, by the Brussels day: at
 * 00:30 in Brussels on 17 August 2026 (22:30 UTC the day before) 3.0.21
 * already applies. */
static void
test_release_by_clock(void **state)
{
	(void)state;
	int64_t ms;
	char why[128];
	assert_int_equal(clock_parse_iso("2026-08-16T23:30:00+02:00", &ms, why, sizeof why), GW_OK);
	clock_pin(ms, true);
	assert_int_equal(rule_release_now(), RULE_RELEASE_3_0_19);
	const char *doc = "<Invoice " NS ">" "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#"
	    "urn:fdc:peppol.eu:2017:poacc:billing:3.0::x</cbc:CustomizationID>" PROF REST "</Invoice>";
	xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "t.xml", NULL, XML_PARSE_NONET);
	assert_non_null(d);
	rule_findings_free(&found);
	assert_int_equal(rules_validate_doc(d, RULES_PEPPOL, &found), GW_OK);
	assert_int_equal(fired("PEPPOL-EN16931-R004"), 0);
	assert_int_equal(clock_parse_iso("2026-08-17T00:30:00+02:00", &ms, why, sizeof why), GW_OK);
	clock_pin(ms, true);
	assert_int_equal(rule_release_now(), RULE_RELEASE_3_0_21);
	rule_findings_free(&found);
	assert_int_equal(rules_validate_doc(d, RULES_PEPPOL, &found), GW_OK);
	assert_int_equal(fired("PEPPOL-EN16931-R004"), 1);
	xmlFreeDoc(d);
	clock_unpin();
}

static void
test_id_formats(void **state)
{
	(void)state;
	assert_true(peppol_id_dk_p("1234567890"));
	assert_false(peppol_id_dk_p("123456789"));
	assert_false(peppol_id_dk_p("12345678901"));
	assert_false(peppol_id_dk_p("123456789\xc3\xa9"));   /* 10 characters, one not a digit */
	assert_true(peppol_id_dk_se("DK12345678"));
	assert_false(peppol_id_dk_se("dk12345678"));
	assert_false(peppol_id_dk_se("DK1234567X"));
	assert_true(peppol_id_nl_kvk("12345678"));
	assert_false(peppol_id_nl_kvk("1234567"));
	assert_true(peppol_id_nl_oin("12345678901234567890"));
	assert_false(peppol_id_nl_oin("1234567890123456789"));
	assert_true(peppol_id_nl_vat("NL123456789B01"));
	assert_false(peppol_id_nl_vat("NL123456789B1"));
	assert_false(peppol_id_nl_vat("NL123456789C01"));
	assert_false(peppol_id_nl_vat("NL123456789B012"));
	assert_true(peppol_id_nl_kvk_branch("123456789012"));
	assert_false(peppol_id_nl_kvk_branch("12345678901"));
}

/* R052..R057 in their three contexts, with their flags, only in 3.0.21. */
static void
test_common_r052_r057(void **state)
{
	(void)state;
	const char *loc = NULL;
#define EP(scheme, v) "<Invoice " NS ">" HEAD "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"" scheme "\">" v \
	"</cbc:EndpointID></cac:Party></cac:AccountingSupplierParty></Invoice>"
	assert_int_equal(both("PEPPOL-COMMON-R052", EP("0096", "123456789")), 1);
	assert_int_equal(both("PEPPOL-COMMON-R052", EP("0096", "1234567890")), 0);
	/* string() as it is: a leading space is one of the 10 characters and no digit. */
	assert_int_equal(both("PEPPOL-COMMON-R052", EP("0096", " 123456789")), 1);
	assert_int_equal(fired_as("PEPPOL-COMMON-R052", RULE_FATAL, &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cbc:EndpointID[1]");
	assert_int_equal(both("PEPPOL-COMMON-R053", EP("0198", "DK1234567")), 1);
	assert_int_equal(fired_as("PEPPOL-COMMON-R053", RULE_FATAL, NULL), 1);
	assert_int_equal(both("PEPPOL-COMMON-R053", EP("0198", "DK12345678")), 0);
	/* The Dutch ones are warnings and read normalize-space(). */
	assert_int_equal(both("PEPPOL-COMMON-R054", EP("0106", "1234567")), 1);
	assert_int_equal(fired_as("PEPPOL-COMMON-R054", RULE_WARNING, NULL), 1);
	assert_int_equal(both("PEPPOL-COMMON-R054", EP("0106", " 12345678 ")), 0);
	assert_int_equal(both("PEPPOL-COMMON-R055", EP("0190", "1234567890123456789")), 1);
	assert_int_equal(both("PEPPOL-COMMON-R055", EP("0190", "12345678901234567890")), 0);
	assert_int_equal(both("PEPPOL-COMMON-R056-1", EP("9944", "NL123456789B1")), 1);
	assert_int_equal(both("PEPPOL-COMMON-R056-1", EP("9944", "NL123456789B01")), 0);
	assert_int_equal(both("PEPPOL-COMMON-R057", EP("0217", "12345678901")), 1);
	assert_int_equal(both("PEPPOL-COMMON-R057", EP("0217", "123456789012")), 0);
	/* PartyIdentification/ID and PartyLegalEntity/CompanyID are contexts too;
	 * an ID outside PartyIdentification is not. */
	const char *pid = "<Invoice " NS ">" HEAD "<cac:AccountingSupplierParty><cac:Party>"
	    "<cac:PartyIdentification><cbc:ID schemeID=\"0106\">1234</cbc:ID></cac:PartyIdentification>"
	    "<cac:PartyLegalEntity><cbc:CompanyID schemeID=\"0217\">1234</cbc:CompanyID></cac:PartyLegalEntity>"
	    "<cac:Contact><cbc:ID schemeID=\"0106\">1234</cbc:ID></cac:Contact></cac:Party></cac:AccountingSupplierParty></Invoice>";
	assert_int_equal(both("PEPPOL-COMMON-R054", pid), 1);
	assert_int_equal(both("PEPPOL-COMMON-R057", pid), 1);
#undef EP
}

/* R056-2: a VAT CompanyID starting with NL, whatever its scheme, before
 * R057 takes a 0217 one; not for another tax scheme. */
static void
test_common_r056_2(void **state)
{
	(void)state;
#define PTS(attr, v, ts) "<Invoice " NS ">" HEAD "<cac:AccountingCustomerParty><cac:Party><cac:PartyTaxScheme>" \
	"<cbc:CompanyID" attr ">" v "</cbc:CompanyID><cac:TaxScheme><cbc:ID>" ts "</cbc:ID></cac:TaxScheme>" \
	"</cac:PartyTaxScheme></cac:Party></cac:AccountingCustomerParty></Invoice>"
	assert_int_equal(both("PEPPOL-COMMON-R056-2", PTS("", "NL12345678B01", "VAT")), 1);
	assert_int_equal(fired_as("PEPPOL-COMMON-R056-2", RULE_WARNING, NULL), 1);
	assert_int_equal(both("PEPPOL-COMMON-R056-2", PTS("", " NL123456789B01 ", " VAT ")), 0);
	assert_int_equal(both("PEPPOL-COMMON-R056-2", PTS("", "NL12345678B01", "TAX")), 0);
	assert_int_equal(both("PEPPOL-COMMON-R056-2", PTS("", "BE0739484052", "VAT")), 0);
	const char *x = PTS(" schemeID=\"0217\"", "NL12345678B01", "VAT");
	assert_int_equal(both("PEPPOL-COMMON-R056-2", x), 1);
	assert_int_equal(fired("PEPPOL-COMMON-R057"), 0);
	/* A scheme tried earlier (0208, R043) keeps the element. */
	assert_int_equal(both("PEPPOL-COMMON-R056-2", PTS(" schemeID=\"0208\"", "NL12345678B01", "VAT")), 0);
	assert_int_equal(fired("PEPPOL-COMMON-R043"), 1);
#undef PTS
}

/* R004 refuses '::'; $profile is a closed list in 3.0.21 (R007), with
 * P0100/P0101 for profiles 01 and 02. */
static void
test_document_level(void **state)
{
	(void)state;
#define DOC(cust, prof, type) "<Invoice " NS "><cbc:CustomizationID>" cust "</cbc:CustomizationID><cbc:ProfileID>" prof \
	"</cbc:ProfileID><cbc:InvoiceTypeCode>" type "</cbc:InvoiceTypeCode>" REST "</Invoice>"
#define C30 "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#define B01 "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
	assert_int_equal(both("PEPPOL-EN16931-R004", DOC(C30 "::x", B01, "380")), 1);
	assert_int_equal(both("PEPPOL-EN16931-R004", DOC(C30 "#conformant#a:b", B01, "380")), 0);
	assert_int_equal(both("PEPPOL-EN16931-R004", DOC("urn:x", B01, "380")), 101);
	/* billing 03 matched the 3.0.19 pattern; it is no approved identifier now. */
	assert_int_equal(both("PEPPOL-EN16931-R007", DOC(C30, "urn:fdc:peppol.eu:2017:poacc:billing:03:1.0", "380")), 1);
	assert_int_equal(both("PEPPOL-EN16931-R007", DOC(C30, "x" B01, "380")), 1);
	assert_int_equal(both("PEPPOL-EN16931-R007", DOC(C30, "urn:peppol:france:billing:regulated", "380")), 100);
	assert_int_equal(both("PEPPOL-EN16931-R007", DOC(C30, "urn:peppol:bis:billing_with_response", "380")), 100);
	/* Profile 02 (billing with response) has its type codes checked. */
	assert_int_equal(both("PEPPOL-EN16931-P0100", DOC(C30, "urn:peppol:bis:billing_with_response", "999")), 1);
	assert_int_equal(both("PEPPOL-EN16931-P0100", DOC(C30, B01, "999")), 101);
#undef DOC
#undef C30
#undef B01
}

/* DK-R-017 (new), DK-R-003 (fatal now), DK-R-014 (normalize-space). */
static void
test_denmark(void **state)
{
	(void)state;
	const char *loc = NULL;
#define DKLE(scheme) "<cac:PartyLegalEntity><cbc:CompanyID schemeID=\"" scheme "\">DK12345678</cbc:CompanyID></cac:PartyLegalEntity>"
#define DKDOC(sx, bx, line) "<Invoice " NS ">" HEAD PAIR("DK", sx, bx) line "</Invoice>"
	assert_int_equal(both("DK-R-017", DKDOC(DKLE("0184"), DKLE("0096"), "")), 1);
	assert_int_equal(fired_as("DK-R-017", RULE_FATAL, &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:AccountingCustomerParty[1]/cac:Party[1]");
	assert_int_equal(both("DK-R-017", DKDOC(DKLE("0184"), DKLE(" 0184 "), "")), 0);
	assert_int_equal(both("DK-R-017", DKDOC(DKLE("0184"), "", "")), 0);
	assert_int_equal(both("DK-R-017", DKDOC(DKLE("0184"), "<cac:PartyLegalEntity><cbc:CompanyID>1</cbc:CompanyID></cac:PartyLegalEntity>", "")), 1);
	/* Inner spaces are kept by normalize-space: "01 84" is not 0184. */
	assert_int_equal(both("DK-R-014", DKDOC(DKLE("01 84"), "", "")), 101);
	assert_int_equal(both("DK-R-014", DKDOC(DKLE(" 0184\n"), "", "")), 0);
	const char *tst = DKDOC(DKLE("0184"), "", "<cac:InvoiceLine><cac:Item><cac:CommodityClassification>"
	    "<cbc:ItemClassificationCode listID=\"TST\" listVersionID=\"25.01.01\">1</cbc:ItemClassificationCode>"
	    "</cac:CommodityClassification></cac:Item></cac:InvoiceLine>");
	run(RULE_RELEASE_3_0_19, tst);
	assert_int_equal(fired_as("DK-R-003", RULE_WARNING, NULL), 1);
	run(RULE_RELEASE_3_0_21, tst);
	assert_int_equal(fired_as("DK-R-003", RULE_FATAL, NULL), 1);
#undef DKLE
#undef DKDOC
}

/* The German block: string codes, DE-R-T02, Skonto anchoring, e-mail form. */
static void
test_germany(void **state)
{
	(void)state;
	const char *loc = NULL;
#define DEDOC(x) "<Invoice " NS ">" HEAD PAIR("DE", "", "") x "</Invoice>"
#define EXT(uri) "<cac:AdditionalDocumentReference><cbc:ID>1</cbc:ID><cac:Attachment><cac:ExternalReference>" uri \
	"</cac:ExternalReference></cac:Attachment></cac:AdditionalDocumentReference>"
	assert_int_equal(both("DE-R-T02", DEDOC(EXT("<cbc:URI>h:x</cbc:URI>"))), 1);
	assert_int_equal(fired_as("DE-R-T02", RULE_WARNING, &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:AdditionalDocumentReference[1]/cac:Attachment[1]/cac:ExternalReference[1]");
	assert_int_equal(both("DE-R-T02", DEDOC(EXT("<cbc:URI>ht:</cbc:URI>"))), 0);
	assert_int_equal(both("DE-R-T02", DEDOC(EXT("<cbc:URI>a+b.c-d:x</cbc:URI>"))), 0);
	assert_int_equal(both("DE-R-T02", DEDOC(EXT("<cbc:URI> http://x</cbc:URI>"))), 1);
	assert_int_equal(both("DE-R-T02", DEDOC(EXT("<cbc:URI>1http://x</cbc:URI>"))), 1);
	assert_int_equal(both("DE-R-T02", DEDOC(EXT(""))), 1);
	/* Only for a German pair. */
	assert_int_equal(both("DE-R-T02", "<Invoice " NS ">" HEAD PAIR("BE", "", "") EXT("") "</Invoice>"), 0);
	/* ' 58 ' is 58 for both, but only 3.0.21's normalised test checks the IBAN. */
#define PM(code) "<cac:PaymentMeans><cbc:PaymentMeansCode>" code "</cbc:PaymentMeansCode>" \
	"<cac:PayeeFinancialAccount><cbc:ID>DE75512108001245126198</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>"
	assert_int_equal(both("DE-R-019", DEDOC(PM(" 58 "))), 1);
	assert_int_equal(both("DE-R-019", DEDOC(PM("58"))), 101);
	/* '058' is the number 58 but not the string '58'. */
	assert_int_equal(both("DE-R-023-2", DEDOC("<cac:PaymentMeans><cbc:PaymentMeansCode>058</cbc:PaymentMeansCode>"
	    "<cac:PayeeFinancialAccount><cbc:ID>X</cbc:ID></cac:PayeeFinancialAccount><cac:CardAccount/></cac:PaymentMeans>")), 100);
	/* Type codes: ' 380 ' is supported once normalised; '384.0' is 384 only as a number. */
	assert_int_equal(both("DE-R-017", DEDOC("<cbc:InvoiceTypeCode> 380 </cbc:InvoiceTypeCode>")), 100);
	assert_int_equal(both("DE-R-026", DEDOC("<cbc:InvoiceTypeCode>384.0</cbc:InvoiceTypeCode>")), 100);
	assert_int_equal(both("DE-R-026", DEDOC("<cbc:InvoiceTypeCode> 384 </cbc:InvoiceTypeCode>")), 101);
	/* Skonto: 3.0.21 wants the statement at the start of its line. */
#define SK(note) "<cac:PaymentTerms><cbc:Note>" note "</cbc:Note></cac:PaymentTerms>"
	assert_int_equal(both("DE-R-018", DEDOC(SK("#A#SKONTO#TAGE=14#PROZENT=2.00#\n"))), 1);
	assert_int_equal(both("DE-R-018", DEDOC(SK("#SKONTO#TAGE=14#PROZENT=2.00#\n"))), 0);
	assert_int_equal(both("DE-R-018", DEDOC(SK("#SKONTO#TAGE=14#PROZENT=2.0#\n"))), 101);
	/* E-mail: any character but '@' and white space, two labels after '@'. */
	const char *umlaut = "<Invoice " NS ">" HEAD PARTY("AccountingSupplierParty", "DE",
	    "<cac:Contact><cbc:Name>A</cbc:Name><cbc:Telephone>123</cbc:Telephone><cbc:ElectronicMail>\xc3\xa4@\xc3\xb6.de</cbc:ElectronicMail></cac:Contact>")
	    PARTY("AccountingCustomerParty", "DE", "") "</Invoice>";
	assert_int_equal(both("DE-R-028", umlaut), 100);
	const char *one_label = "<Invoice " NS ">" HEAD PARTY("AccountingSupplierParty", "DE",
	    "<cac:Contact><cbc:Name>A</cbc:Name><cbc:Telephone>123</cbc:Telephone><cbc:ElectronicMail>a@b</cbc:ElectronicMail></cac:Contact>")
	    PARTY("AccountingCustomerParty", "DE", "") "</Invoice>";
	assert_int_equal(both("DE-R-028", one_label), 101);
#undef SK
#undef PM
#undef EXT
#undef DEDOC
}

/* The 3.0.21 currency (CL007) and electronic address scheme (CL008) lists. */
static void
test_code_lists(void **state)
{
	(void)state;
#define CUR(c) "<Invoice " NS ">" HEAD "<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID=\"" c "\">1</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>"
	assert_int_equal(both("PEPPOL-EN16931-CL007", CUR("CNH")), 100);
	assert_int_equal(both("PEPPOL-EN16931-CL007", CUR("XCG")), 100);
	assert_int_equal(both("PEPPOL-EN16931-CL007", CUR("BGN")), 1);
	assert_int_equal(both("PEPPOL-EN16931-CL007", CUR("EUR")), 0);
#define EAS(s) "<Invoice " NS ">" HEAD "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"" s "\">1</cbc:EndpointID></cac:Party></cac:AccountingSupplierParty></Invoice>"
	assert_int_equal(both("PEPPOL-EN16931-CL008", EAS("0242")), 100);
	assert_int_equal(both("PEPPOL-EN16931-CL008", EAS("0037")), 1);
	assert_int_equal(both("PEPPOL-EN16931-CL008", EAS("0088")), 0);
#undef CUR
#undef EAS
}

static int
teardown(void **state)
{
	(void)state;
	rule_findings_free(&found);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_table),
		cmocka_unit_test(test_release_by_clock),
		cmocka_unit_test(test_id_formats),
		cmocka_unit_test(test_common_r052_r057),
		cmocka_unit_test(test_common_r056_2),
		cmocka_unit_test(test_document_level),
		cmocka_unit_test(test_denmark),
		cmocka_unit_test(test_germany),
		cmocka_unit_test(test_code_lists),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}

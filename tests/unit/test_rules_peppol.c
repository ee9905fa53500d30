/* test_rules_peppol.c - the Peppol BIS 3.0 rule set: identifier schemes,
 * rule contexts and first-match semantics, locations, exact arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "core/checkdigit.h"
#include "peppol/rules/engine.h"
#include "peppol/rules/peppol_ids.h"

#define NS "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\""
#define NS_CN "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\""

/* A document head that satisfies the document-level rules. */
#define HEAD \
	"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>" \
	"<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>" \
	"<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>" \
	"<cbc:BuyerReference>PO-1</cbc:BuyerReference>" \
	"<cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">21.00</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID=\"EUR\">100</cbc:TaxableAmount></cac:TaxSubtotal></cac:TaxTotal>"

static struct rule_findings found;

/* Run only the Peppol set over text; findings land in `found`. */
static void
run(const char *xml)
{
	rule_findings_free(&found);
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	assert_non_null(d);
	assert_int_equal(rules_validate_doc(d, RULES_PEPPOL, &found), GW_OK);
	xmlFreeDoc(d);
	if (getenv("TEST_VERBOSE"))
		for (size_t i = 0; i < found.n; i++)
			fprintf(stderr, "  fired %s %s\n", found.v[i].rule_id, found.v[i].location);
}

/* Times rule id fired; *loc gets the location of the last one. */
static int
fired(const char *id, const char **loc)
{
	int n = 0;
	for (size_t i = 0; i < found.n; i++)
		if (strcmp(found.v[i].rule_id, id) == 0) {
			n++;
			if (loc)
				*loc = found.v[i].location;
		}
	return n;
}

static void
test_identifier_schemes(void **state)
{
	(void)state;
	/* GS1 check digit: a published EAN-13 and its neighbour. */
	assert_true(peppol_id_gln("4006381333931"));
	assert_false(peppol_id_gln("4006381333932"));
	assert_false(peppol_id_gln("40063813339a1"));
	/* Norwegian organisation numbers (mod 11). */
	assert_true(peppol_id_no_orgnr("923609016"));
	assert_false(peppol_id_no_orgnr("923609017"));
	assert_false(peppol_id_no_orgnr("000000000"));
	/* Danish CVR is a format check only. */
	assert_true(peppol_id_dk_cvr("DK12345678"));
	assert_true(peppol_id_dk_cvr("12345678"));
	assert_false(peppol_id_dk_cvr("DK1234567"));
	assert_false(peppol_id_dk_cvr("SE12345678"));
	/* Swedish organisation numbers (Luhn), Australian ABN (mod 89). */
	assert_true(peppol_id_se_orgnr("5560360793"));
	assert_false(peppol_id_se_orgnr("5560360794"));
	assert_true(peppol_id_au_abn("51824753556"));
	assert_false(peppol_id_au_abn("51824753557"));
	/* Italian ids: IPA, Codice Fiscale, Partita IVA (non-IT passes). */
	assert_true(peppol_id_it_ipa("UFY9MH"));
	assert_false(peppol_id_it_ipa("UFY9M-"));
	assert_true(peppol_id_it_cf("RSSMRA85T10A562S"));
	assert_true(peppol_id_it_cf("12345678901"));
	assert_false(peppol_id_it_cf("RSSMRA8XT10A562S"));
	assert_true(peppol_id_it_piva("IT07643520567"));
	assert_false(peppol_id_it_piva("IT07643520568"));
	assert_true(peppol_id_it_piva("DE123"));
}

/* 0208 agrees with the shared KBO check for enterprise numbers and keeps
 * the rule's arithmetic for other first digits. */
static void
test_belgian_enterprise_number(void **state)
{
	(void)state;
	const char *ok[] = { "0739484052", "0403170701" };
	for (size_t i = 0; i < 2; i++) {
		assert_true(peppol_id_be_cbe(ok[i]));
		assert_true(check_kbo(ok[i], NULL, 0));
	}
	assert_false(peppol_id_be_cbe("0739484059"));
	assert_false(peppol_id_be_cbe("073948405"));
	assert_false(peppol_id_be_cbe("BE0739484052"));
	/* 20000000 mod 97 = 55, so 42 is right and 97 is not. */
	assert_true(peppol_id_be_cbe("2000000042"));
	assert_false(peppol_id_be_cbe("2000000097"));
}

static void
test_dates(void **state)
{
	(void)state;
	long y;
	int m, d;
	assert_true(peppol_parse_date("2024-02-29", &y, &m, &d));
	assert_int_equal(y, 2024);
	assert_int_equal(d, 29);
	assert_false(peppol_parse_date("2023-02-29", &y, &m, &d));
	assert_false(peppol_parse_date("2023-13-01", &y, &m, &d));
	assert_false(peppol_parse_date("23-01-01", &y, &m, &d));
	assert_true(peppol_parse_date("2023-01-01Z", &y, &m, &d));
	assert_true(peppol_parse_date("2023-01-01+01:00", &y, &m, &d));
	assert_false(peppol_parse_date("2023-01-01+15:00", &y, &m, &d));
}

static void
test_document_rules_and_locations(void **state)
{
	(void)state;
	const char *loc = NULL;
	run("<Invoice " NS "><cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R001", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]");
	assert_int_equal(fired("PEPPOL-EN16931-R007", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R002", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R003", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R004", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R053", NULL), 1);
	/* A complete head silences all of them. */
	run("<Invoice " NS ">" HEAD "</Invoice>");
	assert_int_equal(found.n, 0);
	/* Two notes are allowed when both parties are German. */
	run("<Invoice " NS ">" HEAD "<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note>"
	    "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"9930\">x</cbc:EndpointID>"
	    "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>de</cbc:IdentificationCode></cac:Country></cac:PostalAddress></cac:Party></cac:AccountingSupplierParty>"
	    "<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID=\"9930\">y</cbc:EndpointID>"
	    "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress></cac:Party></cac:AccountingCustomerParty>"
	    "</Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R002", NULL), 0);
	/* ...and that pair brings in the German block: no payment means, no contact. */
	assert_int_equal(fired("DE-R-001", NULL), 1);
	assert_int_equal(fired("DE-R-002", NULL), 1);
}

static void
test_empty_element_and_currency(void **state)
{
	(void)state;
	const char *loc = NULL;
	run("<Invoice " NS ">" HEAD "<cbc:Note>  </cbc:Note>"
	    "<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID=\"USD\">1</cbc:PayableAmount>"
	    "<cbc:PrepaidAmount currencyID=\"EURO\">0</cbc:PrepaidAmount></cac:LegalMonetaryTotal></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R008", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cbc:Note[1]");
	assert_int_equal(fired("PEPPOL-EN16931-R051", &loc), 2);
	assert_string_equal(loc, "/Invoice[1]/cac:LegalMonetaryTotal[1]/cbc:PrepaidAmount[1]");
	/* USD is a currency, EURO is not. */
	assert_int_equal(fired("PEPPOL-EN16931-CL007", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:LegalMonetaryTotal[1]/cbc:PrepaidAmount[1]");
}

/* R041 and R042 are their own rule contexts: an allowance they catch is
 * not checked again by R040/R043 (Schematron first-match). */
static void
test_allowance_first_match(void **state)
{
	(void)state;
	/* R046 with no net price fires even when the gross price is not a
	 * number (the empty side decides first, as under Saxon); with a net
	 * price, a gross price that is not a number leaves it silent. */
	run("<Invoice " NS ">" HEAD "<cac:InvoiceLine><cac:Price><cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
	    "<cbc:Amount currencyID=\"EUR\">10</cbc:Amount><cbc:BaseAmount currencyID=\"EUR\">AAA</cbc:BaseAmount>"
	    "</cac:AllowanceCharge></cac:Price></cac:InvoiceLine></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R046", NULL), 1);
	run("<Invoice " NS ">" HEAD "<cac:InvoiceLine><cac:Price><cbc:PriceAmount currencyID=\"EUR\">90</cbc:PriceAmount>"
	    "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
	    "<cbc:Amount currencyID=\"EUR\">10</cbc:Amount><cbc:BaseAmount currencyID=\"EUR\">AAA</cbc:BaseAmount>"
	    "</cac:AllowanceCharge></cac:Price></cac:InvoiceLine></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R046", NULL), 0);
	run("<Invoice " NS ">" HEAD "<cac:AllowanceCharge><cbc:ChargeIndicator>maybe</cbc:ChargeIndicator>"
	    "<cbc:MultiplierFactorNumeric>10</cbc:MultiplierFactorNumeric></cac:AllowanceCharge></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R041", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R043", NULL), 0);
	run("<Invoice " NS ">" HEAD "<cac:AllowanceCharge><cbc:ChargeIndicator>maybe</cbc:ChargeIndicator>"
	    "<cbc:Amount currencyID=\"EUR\">10.03</cbc:Amount><cbc:MultiplierFactorNumeric>10</cbc:MultiplierFactorNumeric>"
	    "<cbc:BaseAmount currencyID=\"EUR\">100</cbc:BaseAmount></cac:AllowanceCharge></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R040", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R043", NULL), 1);
	/* Within 0.02 of base * percentage / 100 is accepted. */
	run("<Invoice " NS ">" HEAD "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
	    "<cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode>"
	    "<cbc:Amount currencyID=\"EUR\">10.02</cbc:Amount><cbc:MultiplierFactorNumeric>10</cbc:MultiplierFactorNumeric>"
	    "<cbc:BaseAmount currencyID=\"EUR\">100</cbc:BaseAmount></cac:AllowanceCharge></Invoice>");
	assert_int_equal(found.n, 0);
}

static void
test_line_amount_exact(void **state)
{
	(void)state;
	/* 3 * (10.00 / 3) = 10.000...0 (18 places) within slack of 10.00. */
	run("<Invoice " NS ">" HEAD "<cac:InvoiceLine><cbc:InvoicedQuantity unitCode=\"C62\">3</cbc:InvoicedQuantity>"
	    "<cbc:LineExtensionAmount currencyID=\"EUR\">10.00</cbc:LineExtensionAmount>"
	    "<cac:Price><cbc:PriceAmount currencyID=\"EUR\">10.00</cbc:PriceAmount>"
	    "<cbc:BaseQuantity unitCode=\"C62\">3</cbc:BaseQuantity></cac:Price></cac:InvoiceLine></Invoice>");
	assert_int_equal(found.n, 0);
	/* Line allowances are summed and rounded: 100 - 33.333 -> 66.67 expected. */
	run("<Invoice " NS ">" HEAD "<cac:InvoiceLine><cbc:InvoicedQuantity unitCode=\"C62\">1</cbc:InvoicedQuantity>"
	    "<cbc:LineExtensionAmount currencyID=\"EUR\">66.64</cbc:LineExtensionAmount>"
	    "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:Amount currencyID=\"EUR\">33.333</cbc:Amount></cac:AllowanceCharge>"
	    "<cac:Price><cbc:PriceAmount currencyID=\"EUR\">100</cbc:PriceAmount>"
	    "<cbc:BaseQuantity unitCode=\"HUR\">1</cbc:BaseQuantity></cac:Price></cac:InvoiceLine></Invoice>");
	const char *loc = NULL;
	assert_int_equal(fired("PEPPOL-EN16931-R120", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:InvoiceLine[1]");
	assert_int_equal(fired("PEPPOL-EN16931-R130", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:InvoiceLine[1]/cac:Price[1]/cbc:BaseQuantity[1]");
}

/* R110/R111: an empty line date compares false (fires); a date that is not
 * a date stops the official validator, and the engine stays silent. */
static void
test_line_period(void **state)
{
	(void)state;
	const char *loc = NULL;
#define PERIOD "<cac:InvoicePeriod><cbc:StartDate>2026-01-01</cbc:StartDate><cbc:EndDate>2026-01-31</cbc:EndDate></cac:InvoicePeriod>"
	run("<Invoice " NS ">" HEAD PERIOD "<cac:InvoiceLine><cac:InvoicePeriod><cbc:StartDate/>"
	    "<cbc:EndDate>2026-02-01</cbc:EndDate></cac:InvoicePeriod></cac:InvoiceLine></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R110", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:InvoiceLine[1]/cac:InvoicePeriod[1]/cbc:StartDate[1]");
	assert_int_equal(fired("PEPPOL-EN16931-R111", NULL), 1);
	run("<Invoice " NS ">" HEAD PERIOD "<cac:InvoiceLine><cac:InvoicePeriod><cbc:StartDate>2026-13-01</cbc:StartDate>"
	    "<cbc:EndDate>2026-01-31</cbc:EndDate></cac:InvoicePeriod></cac:InvoiceLine></Invoice>");
	assert_int_equal(fired("PEPPOL-EN16931-R110", NULL), 0);
	assert_int_equal(fired("PEPPOL-EN16931-F001", NULL), 1);
}

static void
test_identifiers_in_context(void **state)
{
	(void)state;
	const char *loc = NULL;
	run("<Invoice " NS ">" HEAD "<cac:AccountingSupplierParty><cac:Party>"
	    "<cbc:EndpointID schemeID=\"0208\">0739484059</cbc:EndpointID>"
	    "<cac:PartyIdentification><cbc:ID schemeID=\"0208\">0739484052</cbc:ID></cac:PartyIdentification>"
	    "<cac:PartyLegalEntity><cbc:CompanyID schemeID=\"0088\">4006381333932</cbc:CompanyID></cac:PartyLegalEntity>"
	    "</cac:Party></cac:AccountingSupplierParty>"
	    "<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID=\"9999\">x</cbc:EndpointID>"
	    "<cac:PartyLegalEntity><cbc:CompanyID schemeID=\"0201\">ABC</cbc:CompanyID></cac:PartyLegalEntity>"
	    "</cac:Party></cac:AccountingCustomerParty></Invoice>");
	assert_int_equal(fired("PEPPOL-COMMON-R043", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cbc:EndpointID[1]");
	assert_int_equal(fired("PEPPOL-COMMON-R040", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-CL008", NULL), 1);
	/* The IPA check is a warning. */
	assert_int_equal(fired("PEPPOL-COMMON-R044", NULL), 1);
	for (size_t i = 0; i < found.n; i++)
		if (strcmp(found.v[i].rule_id, "PEPPOL-COMMON-R044") == 0)
			assert_int_equal(found.v[i].flag, RULE_WARNING);
}

static void
test_credit_note_rules(void **state)
{
	(void)state;
	run("<CreditNote " NS_CN ">" HEAD "<cbc:CreditNoteTypeCode>380</cbc:CreditNoteTypeCode>"
	    "<cac:AdditionalDocumentReference><cbc:ID>p1</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>"
	    "<cac:AdditionalDocumentReference><cbc:ID>p2</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>"
	    "<cac:CreditNoteLine><cbc:CreditedQuantity unitCode=\"C62\">2</cbc:CreditedQuantity>"
	    "<cbc:LineExtensionAmount currencyID=\"EUR\">20</cbc:LineExtensionAmount>"
	    "<cac:Price><cbc:PriceAmount currencyID=\"EUR\">10</cbc:PriceAmount></cac:Price></cac:CreditNoteLine>"
	    "</CreditNote>");
	assert_int_equal(fired("PEPPOL-EN16931-R080", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-P0101", NULL), 1);
	assert_int_equal(fired("PEPPOL-EN16931-R120", NULL), 0);
}

/* Country blocks: Norway's VAT number form, the Dutch address and payment rules. */
static void
test_country_blocks(void **state)
{
	(void)state;
	const char *loc = NULL;
#define NO_SELLER(vat) "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0192\">923609016</cbc:EndpointID>" \
	"<cac:PartyTaxScheme><cbc:CompanyID>" vat "</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>" \
	"<cac:PartyTaxScheme><cbc:CompanyID>Foretaksregisteret</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>" \
	"</cac:Party></cac:AccountingSupplierParty>"
	run("<Invoice " NS ">" HEAD NO_SELLER("NO923609016MVA") "</Invoice>");
	assert_int_equal(found.n, 0);
	run("<Invoice " NS ">" HEAD NO_SELLER("NO923609017MVA") "</Invoice>");
	assert_int_equal(fired("NO-R-001", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]");
	assert_int_equal(fired("NO-R-002", NULL), 0);
	/* A Belgian seller is not judged by the Dutch or Norwegian rules. */
	run("<Invoice " NS ">" HEAD "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0208\">0739484052</cbc:EndpointID>"
	    "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
	    "<cac:PartyLegalEntity><cbc:CompanyID schemeID=\"0208\">0739484052</cbc:CompanyID></cac:PartyLegalEntity>"
	    "</cac:Party></cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID=\"EUR\">5</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>");
	assert_int_equal(found.n, 0);
	/* The same seller in the Netherlands: address incomplete, KVK/OIN missing, no payment means. */
	run("<Invoice " NS ">" HEAD "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0106\">12345678</cbc:EndpointID>"
	    "<cac:PostalAddress><cbc:CityName>Breda</cbc:CityName><cac:Country><cbc:IdentificationCode>nl</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
	    "<cac:PartyLegalEntity><cbc:CompanyID schemeID=\"0208\">0739484052</cbc:CompanyID></cac:PartyLegalEntity>"
	    "</cac:Party></cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID=\"EUR\">5</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>");
	assert_int_equal(fired("NL-R-002", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PostalAddress[1]");
	assert_int_equal(fired("NL-R-003", NULL), 1);
	assert_int_equal(fired("NL-R-007", &loc), 1);
	assert_string_equal(loc, "/Invoice[1]/cac:LegalMonetaryTotal[1]");
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
		cmocka_unit_test(test_identifier_schemes),
		cmocka_unit_test(test_belgian_enterprise_number),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_document_rules_and_locations),
		cmocka_unit_test(test_empty_element_and_currency),
		cmocka_unit_test(test_allowance_first_match),
		cmocka_unit_test(test_line_amount_exact),
		cmocka_unit_test(test_line_period),
		cmocka_unit_test(test_identifiers_in_context),
		cmocka_unit_test(test_credit_note_rules),
		cmocka_unit_test(test_country_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}

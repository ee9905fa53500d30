/* test_rules_cen.c - the rule engine core and the CEN rule set: locations,
 * one firing per context node, exact decimal rounding, code lists, UBL-CR
 * once per document, and no CEN error on the official complete examples. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "core/config.h"
#include "peppol/rules/cen_internal.h"

#define INV_OPEN "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
#define CN_OPEN "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"

struct run {
	xmlDocPtr doc;
	struct rule_findings f;
};

static void
run_cen(struct run *r, const char *xml)
{
	memset(r, 0, sizeof *r);
	r->doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET);
	assert_non_null(r->doc);
	assert_int_equal(rules_validate_doc(r->doc, RULES_CEN, &r->f), GW_OK);
}

static void
run_free(struct run *r)
{
	rule_findings_free(&r->f);
	xmlFreeDoc(r->doc);
}

static size_t
count(const struct run *r, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < r->f.n; i++)
		if (strcmp(r->f.v[i].rule_id, id) == 0)
			n++;
	return n;
}

static const struct rule_finding *
nth(const struct run *r, const char *id, size_t k)
{
	for (size_t i = 0; i < r->f.n; i++)
		if (strcmp(r->f.v[i].rule_id, id) == 0 && k-- == 0)
			return &r->f.v[i];
	return NULL;
}

static void
test_location_and_multiple_firings(void **state)
{
	(void)state;
	struct run r;
	run_cen(&r, INV_OPEN "<cbc:Note>a</cbc:Note>"
	    "<cac:InvoiceLine><cbc:Note>x</cbc:Note></cac:InvoiceLine>"
	    "<cac:InvoiceLine><cbc:ID> </cbc:ID></cac:InvoiceLine>"
	    "<cac:InvoiceLine><cbc:ID>3</cbc:ID></cac:InvoiceLine></Invoice>");
	/* BR-21 (line id) fires once per line without an id, at that line */
	assert_int_equal(count(&r, "BR-21"), 2);
	assert_string_equal(nth(&r, "BR-21", 0)->location, "/Invoice[1]/cac:InvoiceLine[1]");
	assert_string_equal(nth(&r, "BR-21", 1)->location, "/Invoice[1]/cac:InvoiceLine[2]");
	assert_int_equal(nth(&r, "BR-21", 0)->flag, RULE_FATAL);
	/* root-context rules fire once, at the root */
	assert_int_equal(count(&r, "BR-01"), 1);
	assert_string_equal(nth(&r, "BR-01", 0)->location, "/Invoice[1]");
	assert_int_equal(count(&r, "BR-16"), 0);
	run_free(&r);
}

static void
test_node_location_helper(void **state)
{
	(void)state;
	struct run r;
	run_cen(&r, CN_OPEN "<cac:AccountingSupplierParty><cac:Party>"
	    "<cac:PartyName><cbc:Name>A</cbc:Name></cac:PartyName>"
	    "<cac:PartyName><cbc:Name>B</cbc:Name><other:X xmlns:other=\"urn:x\"/></cac:PartyName>"
	    "</cac:Party></cac:AccountingSupplierParty></CreditNote>");
	assert_true(r.doc != NULL);
	xmlNodePtr pn2 = rule_path(xmlDocGetRootElement(r.doc), "cac:AccountingSupplierParty/cac:Party");
	assert_non_null(pn2);
	xmlNodePtr all[4];
	assert_int_equal(rule_path_all(pn2, "cac:PartyName/cbc:Name", all, 4), 2);
	char buf[256];
	rule_node_location(all[1], buf, sizeof buf);
	assert_string_equal(buf, "/CreditNote[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyName[2]/cbc:Name[1]");
	xmlNodePtr x = rule_path(pn2, "cac:PartyName/*");
	assert_non_null(x);
	rule_node_location(all[1]->parent->last, buf, sizeof buf);
	assert_string_equal(buf, "/CreditNote[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyName[2]/other:X[1]");
	/* truncation never overflows */
	char small[12];
	rule_node_location(all[1], small, sizeof small);
	assert_true(strlen(small) < sizeof small);
	run_free(&r);
}

static void
test_xpath_round(void **state)
{
	(void)state;
	decimal d;
	char b[64];
	/* XPath round(): halves go toward positive infinity */
	assert_int_equal(dec_parse("-0.005", SIZE_MAX, &d), GW_OK);
	dec_format(cen_xround(d, 2), b, sizeof b);
	assert_string_equal(b, "0.00");
	assert_int_equal(dec_parse("-2.125", SIZE_MAX, &d), GW_OK);
	dec_format(cen_xround(d, 2), b, sizeof b);
	assert_string_equal(b, "-2.12");
	assert_int_equal(dec_parse("2.125", SIZE_MAX, &d), GW_OK);
	dec_format(cen_xround(d, 2), b, sizeof b);
	assert_string_equal(b, "2.13");
	assert_int_equal(dec_parse("7.4", SIZE_MAX, &d), GW_OK);
	dec_format(cen_xround(d, 0), b, sizeof b);
	assert_string_equal(b, "7");
}

static const char *
co10_doc(char *buf, size_t cap, const char *total, const char *l1, const char *l2)
{
	snprintf(buf, cap, INV_OPEN "<cac:LegalMonetaryTotal><cbc:LineExtensionAmount>%s</cbc:LineExtensionAmount>"
	    "</cac:LegalMonetaryTotal>"
	    "<cac:InvoiceLine><cbc:LineExtensionAmount>%s</cbc:LineExtensionAmount></cac:InvoiceLine>"
	    "<cac:InvoiceLine><cbc:LineExtensionAmount>%s</cbc:LineExtensionAmount></cac:InvoiceLine>"
	    "</Invoice>", total, l1, l2);
	return buf;
}

static void
test_decimal_sums_exact(void **state)
{
	(void)state;
	char buf[2048];
	struct run r;
	/* 0.1 + 0.2 is exactly 0.3 (a double sum is not) */
	run_cen(&r, co10_doc(buf, sizeof buf, "0.3", "0.1", "0.2"));
	assert_int_equal(count(&r, "BR-CO-10"), 0);
	run_free(&r);
	/* 10.004 + 0.001 = 10.005, rounded half up to 10.01 */
	run_cen(&r, co10_doc(buf, sizeof buf, "10.01", "10.004", "0.001"));
	assert_int_equal(count(&r, "BR-CO-10"), 0);
	run_free(&r);
	run_cen(&r, co10_doc(buf, sizeof buf, "10.00", "10.004", "0.001"));
	assert_int_equal(count(&r, "BR-CO-10"), 1);
	assert_string_equal(nth(&r, "BR-CO-10", 0)->location, "/Invoice[1]/cac:LegalMonetaryTotal[1]");
	run_free(&r);
	/* -0.005 rounds to 0.00 under XPath rules, so 0 matches and -0.01 does not */
	run_cen(&r, co10_doc(buf, sizeof buf, "0", "-0.006", "0.001"));
	assert_int_equal(count(&r, "BR-CO-10"), 0);
	run_free(&r);
	run_cen(&r, co10_doc(buf, sizeof buf, "-0.01", "-0.006", "0.001"));
	assert_int_equal(count(&r, "BR-CO-10"), 1);
	run_free(&r);
	/* more than two decimals: BR-DEC-09 and UBL-DT-01 */
	run_cen(&r, co10_doc(buf, sizeof buf, "1.000", "1", "0"));
	assert_int_equal(count(&r, "BR-DEC-09"), 1);
	assert_int_equal(count(&r, "UBL-DT-01"), 1);
	run_free(&r);
}

/* One S breakdown of 100.10 at 21%, with the total and subtotal tax amounts given. */
#define VAT_FMT INV_OPEN "<cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">%s</cbc:TaxAmount>" \
	"<cac:TaxSubtotal><cbc:TaxableAmount currencyID=\"EUR\">100.10</cbc:TaxableAmount>" \
	"<cbc:TaxAmount currencyID=\"EUR\">%s</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID>" \
	"<cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>vat</cbc:ID></cac:TaxScheme></cac:TaxCategory>" \
	"</cac:TaxSubtotal></cac:TaxTotal></Invoice>"

static void
test_vat_breakdown_tolerance(void **state)
{
	(void)state;
	char buf[2048];
	struct run r;
	/* 100.10 * 21% = 21.021 -> 21.02; within one unit passes */
	snprintf(buf, sizeof buf, VAT_FMT, "21.02", "21.02");
	run_cen(&r, buf);
	assert_int_equal(count(&r, "BR-S-09"), 0);
	assert_int_equal(count(&r, "BR-CO-17"), 0);
	assert_int_equal(count(&r, "BR-CO-14"), 0);
	run_free(&r);
	snprintf(buf, sizeof buf, VAT_FMT, "22.03", "22.03");
	run_cen(&r, buf);
	assert_int_equal(count(&r, "BR-S-09"), 1);
	assert_int_equal(count(&r, "BR-CO-17"), 1);
	assert_string_equal(nth(&r, "BR-S-09", 0)->location,
	    "/Invoice[1]/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cac:TaxCategory[1]");
	run_free(&r);
	/* BR-CO-14: the total must equal the rounded sum of the subtotals */
	snprintf(buf, sizeof buf, VAT_FMT, "21.03", "21.02");
	run_cen(&r, buf);
	assert_int_equal(count(&r, "BR-CO-14"), 1);
	run_free(&r);
}

static void
test_code_lists(void **state)
{
	(void)state;
	struct run r;
	run_cen(&r, INV_OPEN "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
	    "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"
	    "<cbc:TaxCurrencyCode>EU</cbc:TaxCurrencyCode>"
	    "<cac:PaymentMeans><cbc:PaymentMeansCode> 30 </cbc:PaymentMeansCode></cac:PaymentMeans>"
	    "<cac:PaymentMeans><cbc:PaymentMeansCode>3 0</cbc:PaymentMeansCode></cac:PaymentMeans>"
	    "</Invoice>");
	assert_int_equal(count(&r, "BR-CL-01"), 0);
	assert_int_equal(count(&r, "BR-CL-04"), 0);
	assert_int_equal(count(&r, "BR-CL-05"), 1);   /* a token, not a substring */
	assert_int_equal(count(&r, "BR-CL-16"), 1);   /* " 30 " is normalized, "3 0" is not a code */
	assert_string_equal(nth(&r, "BR-CL-16", 0)->location, "/Invoice[1]/cac:PaymentMeans[2]/cbc:PaymentMeansCode[1]");
	run_free(&r);
	/* the credit note type list is a different list */
	run_cen(&r, CN_OPEN "<cbc:CreditNoteTypeCode>380</cbc:CreditNoteTypeCode></CreditNote>");
	assert_int_equal(count(&r, "BR-CL-01"), 1);
	run_free(&r);
	run_cen(&r, CN_OPEN "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode></CreditNote>");
	assert_int_equal(count(&r, "BR-CL-01"), 0);
	run_free(&r);
}

static void
test_ubl_cr_once_per_document(void **state)
{
	(void)state;
	struct run r;
	run_cen(&r, INV_OPEN "<cbc:UUID>u</cbc:UUID>"
	    "<cac:PaymentMeans><cbc:PaymentDueDate>2024-01-01</cbc:PaymentDueDate></cac:PaymentMeans>"
	    "<cac:InvoiceLine><cbc:UUID>a</cbc:UUID></cac:InvoiceLine>"
	    "<cac:InvoiceLine><cbc:UUID>b</cbc:UUID></cac:InvoiceLine>"
	    "<cac:InvoiceLine><cbc:Note languageID=\"nl\">x</cbc:Note></cac:InvoiceLine></Invoice>");
	assert_int_equal(count(&r, "UBL-CR-005"), 1);
	size_t line_uuid = 0;
	for (size_t i = 0; i < r.f.n; i++)
		if (r.f.v[i].flag == RULE_WARNING && strncmp(r.f.v[i].rule_id, "UBL-CR-", 7) == 0 &&
		    strcmp(r.f.v[i].location, "/Invoice[1]") == 0)
			line_uuid++;
	assert_int_equal(line_uuid, 3);   /* CR-005, the line UUID rule once, CR-412 */
	assert_int_equal(count(&r, "UBL-CR-412"), 1);
	assert_int_equal(count(&r, "UBL-DT-19"), 1);
	assert_int_equal(nth(&r, "UBL-DT-19", 0)->flag, RULE_WARNING);
	run_free(&r);
	/* two CR rules are fatal, not warnings; each fires once for the document */
	run_cen(&r, INV_OPEN "<cac:AdditionalDocumentReference><cbc:ID>a</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode>"
	    "<cac:Attachment/></cac:AdditionalDocumentReference>"
	    "<cac:AdditionalDocumentReference><cbc:ID>b</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode>"
	    "<cac:Attachment/></cac:AdditionalDocumentReference></Invoice>");
	assert_int_equal(count(&r, "UBL-CR-666"), 1);
	assert_int_equal(nth(&r, "UBL-CR-666", 0)->flag, RULE_FATAL);
	run_free(&r);
	/* the payment due date is allowed in a credit note */
	run_cen(&r, CN_OPEN "<cac:PaymentMeans><cbc:PaymentDueDate>2024-01-01</cbc:PaymentDueDate></cac:PaymentMeans></CreditNote>");
	assert_int_equal(count(&r, "UBL-CR-412"), 0);
	run_free(&r);
}

static void
test_text_helpers(void **state)
{
	(void)state;
	struct run r;
	run_cen(&r, INV_OPEN "<cbc:ID>  a \n\t b  </cbc:ID><cbc:Note> 5. </cbc:Note><cbc:Amount>.5</cbc:Amount>"
	    "<cbc:PaymentID>x1y</cbc:PaymentID></Invoice>");
	xmlNodePtr root = xmlDocGetRootElement(r.doc);
	char b[64];
	rule_norm(rule_child(root, RULE_NS_CBC, "ID"), b, sizeof b);
	assert_string_equal(b, "a b");
	decimal d;
	assert_true(rule_decimal(rule_child(root, RULE_NS_CBC, "Note"), &d));
	dec_format(d, b, sizeof b);
	assert_string_equal(b, "5");
	assert_true(rule_decimal(rule_child(root, RULE_NS_CBC, "Amount"), &d));
	dec_format(d, b, sizeof b);
	assert_string_equal(b, "0.5");
	assert_false(rule_decimal(rule_child(root, RULE_NS_CBC, "PaymentID"), &d));
	assert_false(rule_decimal(NULL, &d));
	assert_int_equal(rule_frac_digits(rule_child(root, RULE_NS_CBC, "Amount")), 1);
	run_free(&r);
	/* long padding: normalize-space sees the tail, a truncated copy would not */
	char doc[1024];
	snprintf(doc, sizeof doc, INV_OPEN "<cbc:ID>vat%300s</cbc:ID><cbc:Note>vat%300sX</cbc:Note></Invoice>", "", "");
	run_cen(&r, doc);
	root = xmlDocGetRootElement(r.doc);
	assert_true(rule_norm_upper_eq(rule_child(root, RULE_NS_CBC, "ID"), "VAT"));
	assert_false(rule_norm_upper_eq(rule_child(root, RULE_NS_CBC, "Note"), "VAT"));
	assert_false(rule_norm_eq(rule_child(root, RULE_NS_CBC, "Note"), "vat"));
	run_free(&r);
}

/* BR-17 compares names of any length exactly. */
static void
test_long_names_compared_exactly(void **state)
{
	(void)state;
	char a[301], b[301], doc[2048];
	memset(a, 'n', 300);
	a[300] = '\0';
	memcpy(b, a, sizeof b);
	b[299] = 'm';
	struct run r;
	snprintf(doc, sizeof doc, INV_OPEN "<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>%s</cbc:Name>"
	    "</cac:PartyName></cac:Party></cac:AccountingSupplierParty><cac:PayeeParty><cac:PartyName><cbc:Name>%s"
	    "</cbc:Name></cac:PartyName></cac:PayeeParty></Invoice>", a, b);
	run_cen(&r, doc);
	assert_int_equal(count(&r, "BR-17"), 0);
	run_free(&r);
	snprintf(doc, sizeof doc, INV_OPEN "<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>%s</cbc:Name>"
	    "</cac:PartyName></cac:Party></cac:AccountingSupplierParty><cac:PayeeParty><cac:PartyName><cbc:Name>%s"
	    "</cbc:Name></cac:PartyName></cac:PayeeParty></Invoice>", a, a);
	run_cen(&r, doc);
	assert_int_equal(count(&r, "BR-17"), 1);
	assert_string_equal(nth(&r, "BR-17", 0)->location, "/Invoice[1]/cac:PayeeParty[1]");
	run_free(&r);
}

static void
test_official_examples_have_no_cen_error(void **state)
{
	(void)state;
	const char *ref = getenv("REF");
	if (ref == NULL || *ref == '\0')
		ref = gw_reference_dir();
	const char *dirs[] = { "peppol/examples/peppol", "peppol/examples/peppol-snippets" };
	size_t docs = 0;
	for (size_t k = 0; k < 2; k++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%s", ref, dirs[k]);
		DIR *d = opendir(dir);
		assert_non_null(d);
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
				continue;
			char path[8192];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
			assert_non_null(doc);
			struct rule_findings f = { 0 };
			assert_int_equal(rules_validate_doc(doc, RULES_CEN, &f), GW_OK);
			for (size_t i = 0; i < f.n; i++) {
				if (f.v[i].flag == RULE_FATAL)
					fprintf(stderr, "%s: %s at %s\n", path, f.v[i].rule_id, f.v[i].location);
				assert_int_not_equal(f.v[i].flag, RULE_FATAL);
			}
			rule_findings_free(&f);
			xmlFreeDoc(doc);
			docs++;
		}
		closedir(d);
	}
	assert_true(docs >= 10);
}

static void
test_fragment_root(void **state)
{
	(void)state;
	struct run r;
	/* a root that is neither Invoice nor CreditNote: no root-context rule,
	 * element rules still apply */
	run_cen(&r, "<X xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\">"
	    "<cac:BillingReference/></X>");
	assert_int_equal(count(&r, "BR-01"), 0);
	assert_int_equal(count(&r, "BR-55"), 1);
	run_free(&r);
	struct rule_findings f = { 0 };
	assert_int_equal(rules_validate_doc(NULL, RULES_CEN, &f), GW_EINPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_location_and_multiple_firings),
		cmocka_unit_test(test_node_location_helper),
		cmocka_unit_test(test_xpath_round),
		cmocka_unit_test(test_decimal_sums_exact),
		cmocka_unit_test(test_vat_breakdown_tolerance),
		cmocka_unit_test(test_code_lists),
		cmocka_unit_test(test_ubl_cr_once_per_document),
		cmocka_unit_test(test_text_helpers),
		cmocka_unit_test(test_long_names_compared_exactly),
		cmocka_unit_test(test_official_examples_have_no_cen_error),
		cmocka_unit_test(test_fragment_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

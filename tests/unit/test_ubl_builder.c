/* test_ubl_builder.c - the UBL documents: schema validity (the official UBL
 * 2.1 XSD, read at run time from $REF), determinism, the BIS-specific
 * choices (credit notes, O, K, endpoints), no empty element, and the
 * atomic file writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "test_invoice_fixture.h"
#include "core/config.h"
#include "peppol/ubl/builder.h"

static xmlSchemaPtr schema_inv, schema_cn;

static xmlSchemaPtr
load_schema(const char *name)
{
	char path[1024];
	const char *ref = getenv("REF");
	snprintf(path, sizeof path, "%s/peppol/ubl-xsd/maindoc/%s", ref ? ref : gw_reference_dir(), name);
	xmlSchemaParserCtxtPtr p = xmlSchemaNewParserCtxt(path);
	xmlSchemaPtr s = p ? xmlSchemaParse(p) : NULL;
	xmlSchemaFreeParserCtxt(p);
	return s;
}

static int
setup(void **state)
{
	(void)state;
	schema_inv = load_schema("UBL-Invoice-2.1.xsd");
	schema_cn = load_schema("UBL-CreditNote-2.1.xsd");
	return schema_inv && schema_cn ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	xmlSchemaFree(schema_inv);
	xmlSchemaFree(schema_cn);
	return 0;
}

/* Build the document of a record text; the caller frees. */
static char *
build(const char *text, struct ubl_build_info *info, const struct ubl_build_opts *o)
{
	struct invoice inv;
	struct record_rejection rej;
	char *xml = NULL, err[160];
	size_t len;
	if (invoice_parse_json(text, strlen(text), &inv, &rej) != GW_OK)
		fail_msg("rejected: %s: %s", rej.field, rej.reason);
	assert_int_equal(ubl_build(&inv, o, &xml, &len, info, err, sizeof err), GW_OK);
	assert_int_equal(strlen(xml), len);
	invoice_clear(&inv);
	return xml;
}

/* No element without children and without text (PEPPOL-EN16931-R008). */
static int
count_empty(xmlNodePtr n)
{
	int empty = 0;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		bool has_el = false;
		for (xmlNodePtr k = c->children; k; k = k->next)
			has_el |= k->type == XML_ELEMENT_NODE;
		xmlChar *t = xmlNodeGetContent(c);
		bool blank = true;
		for (const xmlChar *p = t; p && *p; p++)
			blank &= (*p == ' ' || *p == '\n' || *p == '\t');
		xmlFree(t);
		if (!has_el && blank)
			empty++;
		empty += count_empty(c);
	}
	return empty;
}

/* Parse, check against the right XSD, no empty element; returns the doc. */
static xmlDocPtr
check_doc(const char *xml)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET);
	assert_non_null(d);
	xmlNodePtr root = xmlDocGetRootElement(d);
	bool cn = strcmp((const char *)root->name, "CreditNote") == 0;
	xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(cn ? schema_cn : schema_inv);
	int rc = xmlSchemaValidateDoc(v, d);
	xmlSchemaFreeValidCtxt(v);
	if (rc != 0)
		fail_msg("not valid against the UBL 2.1 XSD:\n%s", xml);
	assert_int_equal(count_empty(root), 0);
	return d;
}

static bool
has(const char *xml, const char *needle)
{
	return strstr(xml, needle) != NULL;
}

/* A one-line invoice (quantity 1 at price, VAT cat at rate) with extra
 * top-level fields and buyer (NULL: the fixture's), built and checked
 * against the UBL schema; the document is the caller's to free. */
static char *
build_invoice(const char *id, const char *price, const char *cat, const char *rate,
              const char *extra, const char *buyer, struct ubl_build_info *info)
{
	char l1[512];
	char *rec = fix_record(id, "invoice", fix_line(l1, sizeof l1, 1, "1", price, cat, rate),
	    extra, buyer);
	char *a = build(rec, info, NULL);
	xmlFreeDoc(check_doc(a));
	free(rec);
	return a;
}

static void
test_invoice_valid_and_deterministic(void **state)
{
	(void)state;
	char l1[512], l2[512], lines[1100];
	snprintf(lines, sizeof lines, "%s, %s", fix_line(l1, sizeof l1, 1, "2", "50.00", "S", "21"),
	    fix_line(l2, sizeof l2, 2, "1", "10.00", "E", "0"));
	char *rec = fix_record("INV-1", "invoice", lines,
	    ", \"allowances\": [{\"reason\": \"Discount\", \"amount\": \"5.00\", "
	    "\"vat_category\": \"S\", \"vat_rate\": \"21\"}], \"note\": \"A & B <ok>\"", NULL);
	struct ubl_build_info info;
	char *a = build(rec, &info, NULL), *b = build(rec, NULL, NULL);
	assert_string_equal(a, b);                     /* byte-identical */
	xmlFreeDoc(check_doc(a));
	assert_true(has(a, "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#"
	    "urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>"));
	assert_true(has(a, "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>"));
	assert_true(has(a, "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"));
	assert_true(has(a, "<cbc:Note>A &amp; B &lt;ok&gt;</cbc:Note>"));
	assert_true(has(a, "<cbc:EndpointID schemeID=\"0208\">0739484052</cbc:EndpointID>"));
	assert_true(has(a, "<cbc:CompanyID schemeID=\"0208\">0668600511</cbc:CompanyID>"));
	assert_true(has(a, "<cbc:PaymentID>+++123/4567/89002+++</cbc:PaymentID>"));
	assert_true(has(a, "<cbc:TaxExemptionReason>Exempt E</cbc:TaxExemptionReason>"));
	assert_true(has(a, "<cbc:AllowanceTotalAmount currencyID=\"EUR\">5.00</cbc:AllowanceTotalAmount>"));
	assert_false(has(a, "ChargeTotalAmount"));   /* no charges: no element */
	/* 100.00 - 5.00 = 95.00 at 21 % = 19.95; E 10.00; payable 124.95 */
	assert_true(has(a, "<cbc:PayableAmount currencyID=\"EUR\">124.95</cbc:PayableAmount>"));
	assert_int_equal(info.buyer_endpoint, UBL_ENDPOINT_PEPPOL_ID);
	free(a);
	free(b);

	struct ubl_build_opts digits = { UBL_PAYMENT_ID_DIGITS };
	a = build(rec, NULL, &digits);
	assert_true(has(a, "<cbc:PaymentID>123456789002</cbc:PaymentID>"));
	free(a);
	free(rec);
}

static void
test_credit_note(void **state)
{
	(void)state;
	char l1[512];
	char *rec = fix_record("CN-1", "credit_note", fix_line(l1, sizeof l1, 1, "-1", "50.00", "S", "21"),
	    ", \"due_date\": \"2026-04-01\"", NULL);
	char *a = build(rec, NULL, NULL);
	xmlFreeDoc(check_doc(a));
	assert_true(has(a, "<CreditNote xmlns"));
	assert_true(has(a, "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"));
	assert_true(has(a, "<cac:CreditNoteLine>"));
	assert_true(has(a, "<cbc:CreditedQuantity unitCode=\"C62\">-1</cbc:CreditedQuantity>"));
	assert_true(has(a, "<cac:InvoiceDocumentReference>\n      <cbc:ID>INV-1</cbc:ID>"));
	assert_true(has(a, "<cbc:PaymentDueDate>2026-04-01</cbc:PaymentDueDate>"));
	assert_false(has(a, "<cbc:DueDate>"));
	assert_true(has(a, "<cbc:PayableAmount currencyID=\"EUR\">-60.50</cbc:PayableAmount>"));
	free(a);
	free(rec);
}

static void
test_outside_scope_and_intra_community(void **state)
{
	(void)state;
	/* O: no VAT identifiers (BR-O-02), no percentages (BR-O-05). */
	char *a = build_invoice("O-1", "10.00", "O", NULL, "", NULL, NULL);
	assert_false(has(a, "PartyTaxScheme"));
	assert_false(has(a, "<cbc:Percent>"));
	assert_true(has(a, "<cbc:TaxExemptionReasonCode>VATEX-EU-O</cbc:TaxExemptionReasonCode>"));
	free(a);
	/* K: delivery date and deliver-to country (BR-IC-11, BR-IC-12). */
	a = build_invoice("K-1", "10.00", "K", "0", ", \"delivery_date\": \"2026-03-01\"", NULL, NULL);
	assert_true(has(a, "<cbc:ActualDeliveryDate>2026-03-01</cbc:ActualDeliveryDate>"));
	assert_true(has(a, "<cac:DeliveryLocation>"));
	assert_true(has(a, "<cbc:CompanyID>BE0739484052</cbc:CompanyID>"));
	free(a);
}

static void
test_endpoints(void **state)
{
	(void)state;
	struct ubl_build_info info;
	/* A Belgian buyer without peppol_id: 0208 from its enterprise number. */
	char *a = build_invoice("E-1", "10", "S", "21", "",
	    "\"buyer\": {\"name\": \"B\", \"enterprise_number\": \"0739484052\", \"country\": \"BE\"}",
	    &info);
	assert_int_equal(info.buyer_endpoint, UBL_ENDPOINT_DERIVED);
	assert_true(has(a, "<cbc:EndpointID schemeID=\"0208\">0739484052</cbc:EndpointID>"));
	free(a);
	/* Dutch and French buyers: VAT-number schemes, KvK / SIREN legal ids. */
	a = build_invoice("E-2", "10", "AE", "0", "",
	    "\"buyer\": {\"name\": \"B\", \"enterprise_number\": \"12345678\", \"vat\": "
	    "\"NL123456789B01\", \"country\": \"NL\"}", &info);
	assert_true(has(a, "<cbc:EndpointID schemeID=\"9944\">NL123456789B01</cbc:EndpointID>"));
	assert_true(has(a, "<cbc:CompanyID schemeID=\"0106\">12345678</cbc:CompanyID>"));
	assert_false(has(a, "schemeID=\"0208\">12345678"));
	free(a);
	a = build_invoice("E-3", "10", "AE", "0", "",
	    "\"buyer\": {\"name\": \"B\", \"enterprise_number\": \"732829320\", \"vat\": "
	    "\"FR44732829320\", \"country\": \"FR\"}", &info);
	assert_true(has(a, "<cbc:EndpointID schemeID=\"9957\">FR44732829320</cbc:EndpointID>"));
	assert_true(has(a, "<cbc:ID schemeID=\"0002\">732829320</cbc:ID>"));
	free(a);
	/* No identifier at all: no EndpointID, the caller is told. */
	a = build_invoice("E-4", "10", "S", "21", "",
	    "\"buyer\": {\"name\": \"Marie\", \"country\": \"BE\", \"contact_email\": \"m@example.be\"}",
	    &info);
	assert_int_equal(info.buyer_endpoint, UBL_ENDPOINT_NONE);
	assert_true(has(a, "<cbc:ElectronicMail>m@example.be</cbc:ElectronicMail>"));
	free(a);
}

/* EN 16931 BR-CO-25: an amount due needs a due date or payment terms; a
 * credit note can only carry its due date in PaymentMeans. */
static void
test_amount_due_needs_date_or_terms(void **state)
{
	(void)state;
	char l1[512], *xml = NULL, err[200];
	size_t len;
	struct invoice inv;
	struct record_rejection rej;
	struct ubl_build_info info;
	char *rec = fix_record("CN-2", "credit_note", fix_line(l1, sizeof l1, 1, "1", "50.00", "S", "21"),
	    ", \"due_date\": \"2026-04-01\"", NULL);
	assert_int_equal(invoice_parse_json(rec, strlen(rec), &inv, &rej), GW_OK);
	/* No payment means: the credit note cannot carry its due date, and it
	 * has no terms either. */
	memset(&inv.payment, 0, sizeof inv.payment);
	assert_int_equal(ubl_build(&inv, NULL, &xml, &len, &info, err, sizeof err), GW_EINPUT);
	assert_string_equal(info.field, "due_date");
	assert_non_null(strstr(err, "BR-CO-25"));
	assert_non_null(strstr(err, "means_code"));
	assert_null(xml);
	/* With terms it builds, and the terms stand without a PaymentMeans. */
	snprintf(inv.payment.terms, sizeof inv.payment.terms, "Refund within 30 days");
	assert_int_equal(ubl_build(&inv, NULL, &xml, &len, &info, err, sizeof err), GW_OK);
	xmlFreeDoc(check_doc(xml));
	assert_false(has(xml, "PaymentMeans"));
	assert_true(has(xml, "<cbc:Note>Refund within 30 days</cbc:Note>"));
	free(xml);
	/* Nothing due (a negative credit note): no date or terms needed. */
	inv.payment.terms[0] = '\0';
	inv.lines[0].quantity = dec_neg(inv.lines[0].quantity);
	assert_int_equal(ubl_build(&inv, NULL, &xml, &len, &info, err, sizeof err), GW_OK);
	free(xml);
	invoice_clear(&inv);
	free(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invoice_valid_and_deterministic),
		cmocka_unit_test(test_credit_note),
		cmocka_unit_test(test_outside_scope_and_intra_community),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_amount_due_needs_date_or_terms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

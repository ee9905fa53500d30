/* test_validate.c - one document through safe parse, UBL schema and rules:
 * the official examples pass, schema and rule failures are reported, hostile
 * XML is neither expanded nor fetched, missing schemas are a config error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "peppol/rules/validate.h"
#include "peppol/rules/xsd_ubl.h"

static char ref[1024];

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 20];
	*len = fread(buf, 1, sizeof buf - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	const char *r = getenv("REF");
	snprintf(ref, sizeof ref, "%s", r ? r : "../shared/reference");
	gw_cfg = config_new();
	config_set(gw_cfg, "reference_dir", ref);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	invoice_parser_release();
	config_free(gw_cfg);
	gw_cfg = NULL;
	return 0;
}

/* Runs first: a wrong schema folder is a configuration error, not a pass;
 * the cache does not remember the failure. */
static void
test_missing_schemas(void **state)
{
	(void)state;
	char why[512];
	config_set(gw_cfg, "peppol.ubl_xsd_dir", "/nonexistent/ubl");
	assert_int_equal(xsd_ubl_load(why, sizeof why), GW_ECONFIG);
	assert_non_null(strstr(why, "/nonexistent/ubl/maindoc/UBL-Invoice-2.1.xsd"));
	config_set(gw_cfg, "peppol.ubl_xsd_dir", "");
	assert_int_equal(xsd_ubl_load(why, sizeof why), GW_OK);
}

static void
test_examples_are_clean(void **state)
{
	(void)state;
	const char *names[] = { "base-example.xml", "base-creditnote-correction.xml",
		"Allowance-example.xml", "vat-category-E.xml" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[1200];
		size_t len;
		snprintf(p, sizeof p, "%s/peppol/examples/peppol/%s", ref, names[i]);
		char *b = slurp(p, &len);
		struct invoice_report rep = { 0 };
		assert_int_equal(invoice_validate_mem(b, len, p, RULES_PEPPOL, true, &rep), GW_OK);
		assert_int_equal(rep.xsd_errors, 0);
		assert_int_equal(invoice_report_errors(&rep), 0);
		invoice_report_free(&rep);
	}
}

/* Schema failures and rule findings come together: rules run anyway. */
static void
test_schema_and_rules_both_reported(void **state)
{
	(void)state;
	char p[1200];
	size_t len;
	snprintf(p, sizeof p, "%s/peppol/examples/peppol/base-example.xml", ref);
	char *b = slurp(p, &len);
	static char mod[1 << 20];
	const char *at = strstr(b, "<cbc:BuyerReference>");
	assert_non_null(at);
	size_t head = (size_t)(at - b);
	int n = snprintf(mod, sizeof mod, "%.*s<cbc:Unknown>1</cbc:Unknown>%s", (int)head, b,
	    strstr(at, "</cbc:BuyerReference>") + strlen("</cbc:BuyerReference>"));
	struct invoice_report rep = { 0 };
	assert_int_equal(invoice_validate_mem(mod, (size_t)n, "mod.xml", RULES_PEPPOL, true, &rep), GW_OK);
	assert_int_equal(rep.xsd_errors, 1);
	assert_non_null(strstr(rep.xsd[0], "Unknown"));
	assert_non_null(strstr(rep.xsd[0], "line "));
	int r003 = 0;
	for (size_t i = 0; i < rep.rules.n; i++)
		r003 += strcmp(rep.rules.v[i].rule_id, "PEPPOL-EN16931-R003") == 0;
	assert_int_equal(r003, 1);
	assert_int_equal(invoice_report_errors(&rep), 2);
	invoice_report_free(&rep);
}

static void
test_not_well_formed(void **state)
{
	(void)state;
	const char *bad = "<Invoice>\n<a></b>\n</Invoice>";
	struct invoice_report rep = { 0 };
	assert_int_equal(invoice_validate_mem(bad, strlen(bad), "bad.xml", RULES_ALL, true, &rep), GW_EINPUT);
	assert_non_null(strstr(rep.why, "line 2"));
	invoice_report_free(&rep);
	assert_int_equal(invoice_validate_mem("", 0, "empty.xml", RULES_ALL, true, &rep), GW_EINPUT);
	invoice_report_free(&rep);
}

#define UBL_OPEN "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"

/* No text below root holds more than `max` bytes or the word "root:". */
static void
assert_texts_small(xmlDocPtr d, size_t max)
{
	xmlNodePtr root = xmlDocGetRootElement(d);
	for (xmlNodePtr k = root->children; k != NULL; k = k->next) {
		xmlChar *t = xmlNodeGetContent(k);
		assert_null(strstr((const char *)t, "root:"));
		assert_true(strlen((const char *)t) < max);
		xmlFree(t);
	}
}

/* An external entity is neither fetched nor substituted. */
static void
test_external_entity_not_loaded(void **state)
{
	(void)state;
	const char *x = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE Invoice [<!ENTITY f SYSTEM \"file:///etc/passwd\">]>\n"
	    UBL_OPEN "<cbc:Note>&f;</cbc:Note></Invoice>";
	char why[256];
	xmlDocPtr d = invoice_parse(x, strlen(x), "ent.xml", why, sizeof why);
	assert_non_null(d);
	assert_texts_small(d, 16);
	xmlFreeDoc(d);
}

/* Nested internal entities ("billion laughs") are refused by the parser
 * or left unexpanded; either way nothing large reaches the rules. */
static void
test_entity_expansion_bounded(void **state)
{
	(void)state;
	static char x[4096];
	size_t o = (size_t)snprintf(x, sizeof x, "<?xml version=\"1.0\"?>\n<!DOCTYPE Invoice [<!ENTITY e0 \"lol\">");
	for (int i = 1; i < 10; i++)
		o += (size_t)snprintf(x + o, sizeof x - o,
		    "<!ENTITY e%d \"&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;\">", i, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	snprintf(x + o, sizeof x - o, "]>\n" UBL_OPEN "<cbc:Note>&e9;</cbc:Note></Invoice>");
	char why[256];
	xmlDocPtr d = invoice_parse(x, strlen(x), "lol.xml", why, sizeof why);
	if (d != NULL) {
		assert_texts_small(d, 1000);
		xmlFreeDoc(d);
	} else {
		assert_non_null(strstr(why, "not well-formed"));
	}
}

static void
test_wrong_root_is_schema_error(void **state)
{
	(void)state;
	const char *x = "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>";
	struct invoice_report rep = { 0 };
	assert_int_equal(invoice_validate_mem(x, strlen(x), "o.xml", RULES_PEPPOL, true, &rep), GW_OK);
	assert_int_equal(rep.xsd_errors, 1);
	assert_non_null(strstr(rep.xsd[0], "Order"));
	invoice_report_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_schemas),
		cmocka_unit_test(test_examples_are_clean),
		cmocka_unit_test(test_schema_and_rules_both_reported),
		cmocka_unit_test(test_not_well_formed),
		cmocka_unit_test(test_external_entity_not_loaded),
		cmocka_unit_test(test_entity_expansion_bounded),
		cmocka_unit_test(test_wrong_root_is_schema_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

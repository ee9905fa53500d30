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
#include "core/xml_safe.h"
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

/* A document with a DOCTYPE is refused before the schema check or the
 * rules see it, with the reason; a report of the whole validation too. */
static void
assert_doctype_refused(const char *x, const char *name)
{
	char why[256];
	assert_null(invoice_parse(x, strlen(x), name, why, sizeof why));
	assert_string_equal(why, XML_SAFE_DOCTYPE_REFUSED);
	struct invoice_report rep = { 0 };
	assert_int_equal(invoice_validate_mem(x, strlen(x), name, RULES_ALL, true, &rep), GW_EINPUT);
	assert_string_equal(rep.why, XML_SAFE_DOCTYPE_REFUSED);
	assert_int_equal(rep.xsd_errors, 0);
	assert_int_equal(rep.rules.n, 0);
	invoice_report_free(&rep);
}

/* An external entity (XXE) or an external subset: refused, never fetched. */
static void
test_external_entity_refused(void **state)
{
	(void)state;
	assert_doctype_refused("<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE Invoice [<!ENTITY f SYSTEM \"file:///etc/passwd\">]>\n"
	    UBL_OPEN "<cbc:Note>&f;</cbc:Note></Invoice>", "ent.xml");
	assert_doctype_refused("<!DOCTYPE Invoice SYSTEM \"http://127.0.0.1:9/ubl.dtd\">\n"
	    UBL_OPEN "</Invoice>", "ext.xml");
}

/* Nested internal entities ("billion laughs") and entity references in an
 * attribute value (which the schema check expanded: 3,200 references took
 * 22 s and 169 MB) are refused at the DOCTYPE. */
static void
test_entity_expansion_refused(void **state)
{
	(void)state;
	static char x[8192];
	size_t o = (size_t)snprintf(x, sizeof x, "<?xml version=\"1.0\"?>\n<!DOCTYPE Invoice [<!ENTITY e0 \"lol\">");
	for (int i = 1; i < 10; i++)
		o += (size_t)snprintf(x + o, sizeof x - o,
		    "<!ENTITY e%d \"&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;\">", i, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	snprintf(x + o, sizeof x - o, "]>\n" UBL_OPEN "<cbc:Note>&e9;</cbc:Note></Invoice>");
	assert_doctype_refused(x, "lol.xml");
	o = (size_t)snprintf(x, sizeof x, "<!DOCTYPE Invoice [<!ENTITY a \"xxxxxxxxxxxxxxxx\">]>\n"
	    "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" foo=\"");
	for (int i = 0; i < 400; i++)
		o += (size_t)snprintf(x + o, sizeof x - o, "&a;");
	snprintf(x + o, sizeof x - o, "\"/>");
	assert_doctype_refused(x, "attr.xml");
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
		cmocka_unit_test(test_external_entity_refused),
		cmocka_unit_test(test_entity_expansion_refused),
		cmocka_unit_test(test_wrong_root_is_schema_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

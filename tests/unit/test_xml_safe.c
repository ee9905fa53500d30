/* test_xml_safe.c - documents from outside: a DOCTYPE in any form is
 * refused before its subset is read; documents without one parse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "core/xml_safe.h"

static char why[400];

static xmlDocPtr
parse(const char *x, int opts)
{
	why[0] = '\0';
	return xml_safe_read_memory(NULL, x, strlen(x), "t.xml", opts, why, sizeof why);
}

static void
refused(const char *x, int opts)
{
	xmlDocPtr d = parse(x, opts);
	if (d != NULL || strcmp(why, XML_SAFE_DOCTYPE_REFUSED) != 0)
		fprintf(stderr, "got: %s\n", d ? "a document" : why);
	assert_null(d);
	assert_string_equal(why, XML_SAFE_DOCTYPE_REFUSED);
}

/* An attribute value of n references to an entity of 16 bytes: what the
 * schema check expanded for seconds (3,200 references: 22 s, 169 MB). */
static char *
attribute_expansion(const char *root, int n)
{
	size_t cap = 200 + (size_t)n * 3;
	char *x = malloc(cap);
	assert_non_null(x);
	size_t o = (size_t)snprintf(x, cap, "<?xml version=\"1.0\"?>\n<!DOCTYPE %s [<!ENTITY a "
	    "\"xxxxxxxxxxxxxxxx\">]>\n<%s foo=\"", root, root);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(x + o, cap - o, "&a;");
	snprintf(x + o, cap - o, "\"/>");
	return x;
}

static void
test_doctype_forms_refused(void **state)
{
	(void)state;
	char *x = attribute_expansion("ACRF", 400);
	refused(x, 0);
	free(x);
	/* External entity (XXE) and external subset. */
	refused("<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>", 0);
	refused("<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/a.dtd\"><a/>", 0);
	refused("<!DOCTYPE a PUBLIC \"-//x//y//EN\" \"a.dtd\"><a/>", 0);
	refused("<!DOCTYPE a><a/>", 0);
	/* After a declaration, comments and processing instructions. */
	refused("<?xml version=\"1.0\"?><!-- c --><?pi x?>\n<!DOCTYPE a []><a/>", 0);
	/* Options asking for entity substitution or DTD loading change nothing. */
	refused("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
	    XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR | XML_PARSE_DTDVALID);
	/* The parser stops at the DOCTYPE: a subset that is not even
	 * well-formed is never read. */
	refused("<!DOCTYPE a [<!ENTITY e \"unterminated ]><a/>", 0);
}

/* Another encoding does not hide a DOCTYPE from the parser. */
static void
test_doctype_in_utf16_refused(void **state)
{
	(void)state;
	const char *x = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>";
	size_t n = strlen(x);
	char *u = calloc(2 * n + 2, 1);
	assert_non_null(u);
	u[0] = (char)0xFF;
	u[1] = (char)0xFE;
	for (size_t i = 0; i < n; i++)
		u[2 + 2 * i] = x[i];
	xmlDocPtr d = xml_safe_read_memory(NULL, u, 2 * n + 2, "u.xml", 0, why, sizeof why);
	assert_null(d);
	assert_string_equal(why, XML_SAFE_DOCTYPE_REFUSED);
	free(u);
}

static void
test_plain_documents_parse(void **state)
{
	(void)state;
	xmlDocPtr d = parse("<?xml version=\"1.0\"?><!-- DOCTYPE in a comment --><a b=\"&amp;&lt;\">"
	    "<![CDATA[<!DOCTYPE x>]]>&#65;</a>", 0);
	assert_non_null(d);
	xmlChar *b = xmlGetProp(xmlDocGetRootElement(d), (const xmlChar *)"b");
	assert_string_equal((const char *)b, "&<");
	xmlFree(b);
	xmlFreeDoc(d);
	/* A reused context keeps working after a refusal. */
	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	assert_non_null(pc);
	const char *bad = "<!DOCTYPE a><a/>", *good = "<a/>";
	for (int i = 0; i < 3; i++) {
		assert_null(xml_safe_read_memory(pc, bad, strlen(bad), "b.xml", 0, why, sizeof why));
		assert_string_equal(why, XML_SAFE_DOCTYPE_REFUSED);
		d = xml_safe_read_memory(pc, good, strlen(good), "g.xml", 0, why, sizeof why);
		assert_non_null(d);
		xmlFreeDoc(d);
	}
	xmlFreeParserCtxt(pc);
}

static void
test_other_refusals(void **state)
{
	(void)state;
	assert_null(parse("<a>\n<b></c>\n</a>", 0));
	assert_non_null(strstr(why, "line 2: not well-formed XML: "));
	assert_null(parse("<x:a/>", 0));
	assert_non_null(strstr(why, "not well-formed XML"));
	assert_null(parse("<a>&undeclared;</a>", 0));
	assert_non_null(strstr(why, "not well-formed XML"));
	assert_null(parse("", 0));
}

static void
test_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_xml_safe_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *x = attribute_expansion("Invoice", 300);
	assert_int_equal(write(fd, x, strlen(x)), (ssize_t)strlen(x));
	close(fd);
	free(x);
	assert_null(xml_safe_read_file(path, XML_PARSE_HUGE, why, sizeof why));
	assert_string_equal(why, XML_SAFE_DOCTYPE_REFUSED);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("<Invoice/>", f);
	fclose(f);
	xmlDocPtr d = xml_safe_read_file(path, XML_PARSE_HUGE, why, sizeof why);
	assert_non_null(d);
	xmlFreeDoc(d);
	unlink(path);
}

/* n nested <a> elements, or NULL when n is 0: 100,000 levels would run a
 * recursive consumer out of stack; the parser must stop at its depth limit
 * (256) whatever options the caller asks for. */
static char *
nested(int n)
{
	size_t cap = (size_t)n * 7 + 1;
	char *x = malloc(cap);
	assert_non_null(x);
	size_t o = 0;
	for (int i = 0; i < n; i++, o += 3)
		memcpy(x + o, "<a>", 3);
	for (int i = 0; i < n; i++, o += 4)
		memcpy(x + o, "</a>", 4);
	x[o] = '\0';
	return x;
}

static void
test_deep_nesting_refused(void **state)
{
	(void)state;
	char *x = nested(100000);
	/* HUGE is what lifts the depth limit: it is dropped, never honoured. */
	int asks[] = { 0, XML_PARSE_HUGE, XML_PARSE_HUGE | XML_PARSE_NOBLANKS };
	for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
		assert_null(parse(x, asks[i]));
		if (strstr(why, "Excessive depth") == NULL)
			fprintf(stderr, "got: %s\n", why);
		assert_non_null(strstr(why, "not well-formed XML: Excessive depth in document: 256"));
	}
	free(x);
	/* Legitimate nesting (answers and invoices stay under 20) parses. */
	x = nested(200);
	xmlDocPtr d = parse(x, 0);
	assert_non_null(d);
	xmlFreeDoc(d);
	free(x);
}

/* One attribute value of 11 MB, beyond libxml2's 10 MB limit on a single
 * value, is refused even when the caller asks for HUGE. (libxml2 2.9 keeps
 * one text node of any length read in one piece: that costs memory in
 * proportion to the input only, and the input is capped by each reader:
 * 512 MiB for an answer, [peppol] max_invoice_bytes for an invoice.) */
static void
test_huge_attribute_refused(void **state)
{
	(void)state;
	size_t n = 11u << 20;
	char *x = malloc(n + 64);
	assert_non_null(x);
	memcpy(x, "<a b=\"", 6);
	memset(x + 6, 'x', n);
	memcpy(x + 6 + n, "\"/>", 4);
	assert_null(parse(x, XML_PARSE_HUGE));
	assert_non_null(strstr(why, "not well-formed XML: AttValue length too long"));
	/* The same at 1 MB is an ordinary document. */
	memcpy(x + 6 + (1u << 20), "\"/>", 4);
	xmlDocPtr d = parse(x, 0);
	assert_non_null(d);
	xmlFreeDoc(d);
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doctype_forms_refused),
		cmocka_unit_test(test_doctype_in_utf16_refused),
		cmocka_unit_test(test_plain_documents_parse),
		cmocka_unit_test(test_other_refusals),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_deep_nesting_refused),
		cmocka_unit_test(test_huge_attribute_refused),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}

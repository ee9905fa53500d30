/*
 * fuzz_rules.c - libFuzzer target: any bytes parsed as XML (no network, no
 * entity expansion) and run through both rule sets. The engine must never
 * crash, read out of bounds or leak on hostile trees: deep nesting, huge
 * numbers, odd namespaces, attributes where elements are expected.
 */
#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

#include "peppol/rules/engine.h"

static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		xmlSetGenericErrorFunc(NULL, quiet);
		init = 1;
	}
	if (size > 1 << 20)
		return 0;
	xmlDocPtr doc = xmlReadMemory((const char *)data, (int)size, "fuzz.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return 0;
	struct rule_findings f = { 0 };
	rules_validate_doc(doc, RULES_ALL, &f);
	for (size_t i = 0; i < f.n; i++)
		if (f.v[i].location[0] != '/' || f.v[i].rule_id == NULL)
			__builtin_trap();
	rule_findings_free(&f);
	xmlFreeDoc(doc);
	return 0;
}

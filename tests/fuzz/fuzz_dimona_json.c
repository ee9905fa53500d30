/* fuzz_dimona_json.c - Dimona declarations from outside: the REST v2 JSON
 * the simulator parses from a client, and (input starting with '<') the
 * Dimona_20231 forms the batch simulator reads. Parse, and when it parses,
 * check the rules and write both forms back; nothing may crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dimona_decl d, back;
	struct dimona_findings f, f2;
	char err[256], *out = NULL;
	size_t n;

	if (size > 0 && data[0] == '<') {
		xmlDocPtr x = xmlReadMemory((const char *)data, (int)size, "f.xml", NULL,
		    XML_PARSE_NONET);
		xmlNodePtr root = x ? xmlDocGetRootElement(x) : NULL;
		for (xmlNodePtr fm = root ? root->children : NULL; fm != NULL; fm = fm->next) {
			if (fm->type != XML_ELEMENT_NODE)
				continue;
			if (dimona_from_xml_form(fm, &d, err, sizeof err) == GW_OK) {
				dimona_rules_check(&d, NULL, 20260301, 600, &f2);
				if (dimona_form_to_xml(&d, &out, &n) == GW_OK)
					free(out);
			}
		}
		xmlFreeDoc(x);
		return 0;
	}
	if (dimona_from_json((const char *)data, size, &d, err, sizeof err) != GW_OK)
		return 0;
	dimona_rules_check(&d, NULL, 20260301, 600, &f);
	if (dimona_to_json(&d, &out, &n) == GW_OK) {
		/* What we write we can read again, to the same action. */
		if (dimona_from_json(out, n, &back, err, sizeof err) != GW_OK || back.action != d.action)
			abort();
		free(out);
	}
	if (dimona_form_to_xml(&d, &out, &n) == GW_OK)
		free(out);
	return 0;
}

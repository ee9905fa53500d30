/* fuzz_dimona_json.c - Dimona REST v2 declaration JSON from outside (the
 * simulator parses what a client posts): parse, and when it parses, check
 * the rules and write both forms back; nothing may crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dimona_decl d, back;
	struct dimona_findings f;
	char err[256], *out = NULL;
	size_t n;

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

/* fuzz_mls.c - the MLS reader and the native MLS rules on arbitrary bytes;
 * what parses is built again, and what builds must pass the rules and read
 * back with the same code and reference (abort otherwise). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peppol/mls/mls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mls m, again;
	char why[512], *x = NULL;
	size_t len = 0;
	(void)mls_check((const char *)data, size, NULL, NULL);
	if (mls_parse((const char *)data, size, &m, why, sizeof why) != GW_OK)
		return 0;
	if (mls_build(&m, &x, &len, why, sizeof why) != GW_OK)
		return 0;
	if (mls_check(x, len, NULL, NULL) != 0 ||
	    mls_parse(x, len, &again, why, sizeof why) != GW_OK ||
	    strcmp(again.code, m.code) != 0 || strcmp(again.ref_id, m.ref_id) != 0 ||
	    again.nissues != m.nissues)
		abort();
	free(x);
	return 0;
}

/* fuzz_dmfa_params.c - the DmfA parameter-table parser on arbitrary bytes:
 * it must refuse or resolve, never crash, and a resolved table must be
 * self-consistent (every student code overflows to an ordinary code). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "onss/dmfa/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int quarters[] = { 20221, 20231, 20262, 99994 };
	struct dmfa_params p;
	char err[256];
	for (size_t i = 0; i < sizeof quarters / sizeof quarters[0]; i++) {
		if (dmfa_params_parse((const char *)data, size, "fuzz", quarters[i], &p, err, sizeof err) != GW_OK)
			continue;
		for (size_t k = 0; k < p.ncodes; k++)
			if (p.codes[k].kind == DMFA_RULE_STUDENT) {
				const struct dmfa_code_rule *o = dmfa_params_rule(&p, p.codes[k].overflow_code);
				if (!o || o->kind != DMFA_RULE_ORDINARY)
					abort();
			}
		if (p.rate_worker < 0 || p.rate_worker > 100 * DMFA_RATE_ONE || p.ncodes > DMFA_MAX_CODES)
			abort();
	}
	return 0;
}

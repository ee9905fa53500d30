/* fuzz_sim_rates.c - the batch simulator's own rate file (sim/dmfa_rates.c,
 * schemas/dmfa/sim-rates.txt) on arbitrary bytes: both line forms (a
 * contribution line's rate, the structural reduction's formula) must be
 * refused with an error or read, never crash; a line read is in its
 * domain, and the reduction it gives is never negative and never above
 * F + ALPHA x S0 + GAMMA x S2 (the amount at S = 0 and mu = 1). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sim/dmfa_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int quarters[] = { 20154, 20263, 20264, 99994 };
	static const char *cats[] = { "000", "017", "*" };
	struct simd_rates *r = NULL;
	char err[256];
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';   /* the parser reads a C string: a NUL ends the file */
	if (simd_rates_parse(text, "fuzz", &r, err, sizeof err) != GW_OK) {
		if (r != NULL || err[0] == '\0')
			abort();
		free(text);
		return 0;
	}
	for (size_t i = 0; i < sizeof quarters / sizeof *quarters; i++)
		for (size_t k = 0; k < sizeof cats / sizeof *cats; k++) {
			long long e4;
			struct simd_reduction p;
			if (simd_rates_get(r, quarters[i], "015", 1, cats[k], &e4) && (e4 < 0 || e4 > 10000))
				abort();
			if (!simd_rates_reduction(r, quarters[i], cats[k], &p))
				continue;
			if (p.from > quarters[i] || p.alpha < 0 || p.gamma < 0 || p.f < 0 || p.s0 < 0 || p.s2 < 0)
				abort();
			long long most = p.f + (p.alpha * p.s0 + p.gamma * p.s2 + 9999) / 10000;
			long long a = simd_reduction_amount(&p, 100, 500, 15000);
			long long b = simd_reduction_amount(&p, 6500, 500, 1);
			if (a < 0 || b < 0 || a > most || b > most)
				abort();
		}
	simd_rates_free(r);
	free(text);
	return 0;
}

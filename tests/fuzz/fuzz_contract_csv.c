/*
 * fuzz_contract_csv.c - libFuzzer target: arbitrary bytes as a CSV contract
 * file. The checks (one outcome per record, canonical JSON reads back to
 * the same contract, no out-of-bounds access) are in contract_fuzz.h,
 * shared with the JSON Lines target.
 */
#include "contract_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return contract_fuzz_one(data, size, "fuzz.csv", CONTRACT_FMT_CSV);
}

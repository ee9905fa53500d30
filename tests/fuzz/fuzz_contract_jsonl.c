/*
 * fuzz_contract_jsonl.c - libFuzzer target: arbitrary bytes as a JSON Lines contract
 * file. Every record must end in exactly one of OK / rejected / end, a
 * valid record's canonical JSON must read back to the same contract, and
 * the reader must never read or write out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contract_reader *r;
	struct contract c, back;
	struct record_rejection rej;
	char err[512];
	FILE *fp;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (fp == NULL)
		return 0;
	if (contract_reader_open_stream(&r, fp, "fuzz.jsonl", CONTRACT_FMT_JSONL, err,
	    sizeof err) != GW_OK) {
		fclose(fp);
		return 0;
	}
	for (int n = 0; n < 100000; n++) {
		gw_rc rc = contract_reader_next(r, &c, &rej);
		if (rc == GW_ENOTFOUND || rc == GW_EIO)
			break;
		if (rc == GW_OK) {
			char *json;
			size_t len;
			if (contract_to_json(&c, &json, &len) != GW_OK)
				abort();
			if (contract_from_json(json, len, &back, &rej) != GW_OK ||
			    memcmp(&c, &back, sizeof c) != 0)
				abort();
			free(json);
		} else if (rc != GW_EINPUT || rej.reason[0] == '\0')
			abort();
	}
	contract_reader_close(r);
	fclose(fp);
	return 0;
}

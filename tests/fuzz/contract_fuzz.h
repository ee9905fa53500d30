/*
 * contract_fuzz.h - the one body of the contract reader fuzz targets
 * (fuzz_contract_csv.c, fuzz_contract_jsonl.c): arbitrary bytes read as a
 * contract file of one format. Every record must end in exactly one of
 * OK / rejected / end, a valid record's canonical JSON must read back to
 * the same contract, and the reader must never read or write out of
 * bounds. Header-only (static) because each target is its own program;
 * never included by library code.
 */
#ifndef GW_TESTS_CONTRACT_FUZZ_H
#define GW_TESTS_CONTRACT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/reader.h"

/* Read data as the contract file `name` of format fmt; abort() on a broken
 * promise of the reader. */
static int
contract_fuzz_one(const uint8_t *data, size_t size, const char *name,
                  enum contract_format fmt)
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
	if (contract_reader_open_stream(&r, fp, name, fmt, err, sizeof err) != GW_OK) {
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

#endif

/*
 * contract_jsonl.h - one JSON Lines contract record (a flat object of strings) into
 * a validated contract. Internal to records/; used by the reader and by
 * contract_from_json.
 */
#ifndef GW_RECORDS_CONTRACT_JSONL_H
#define GW_RECORDS_CONTRACT_JSONL_H

#include <stddef.h>
#include "records/contract_fields.h"

/* Parse and check one object. fix is scratch for repairing invalid UTF-8
 * so the offending field can be named: at least 3 * n + 1 bytes, or NULL
 * to allocate it when needed. */
gw_rc contract_jsonl_parse(const char *line, size_t n, char *fix, struct contract *c,
                           struct record_rejection *rej);

#endif

/*
 * contract_rules.h - the rules between contract fields (shared/spec/records.md):
 * the identity block of a worker without INSS, the fields Dimona requires
 * or forbids per worker type, date order, the student place of work, and
 * the defaults of the weekly hours. Internal to records/.
 */
#ifndef GW_RECORDS_CONTRACT_RULES_H
#define GW_RECORDS_CONTRACT_RULES_H

#include "records/contract_fields.h"

/* c holds every field that passed its own check; v says which were given.
 * Applies the defaults on success; GW_EINPUT with rej filled otherwise. */
gw_rc contract_rules_check(struct contract *c, const struct field_value v[CF_COUNT],
                           struct record_rejection *rej);

#endif

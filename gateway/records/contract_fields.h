/*
 * contract_fields.h - the contract record's fields (shared/spec/records.md) as one
 * table, and the validation that turns raw field texts into a struct
 * contract. Internal to records/: the CSV and JSON Lines readers fill a
 * field_value array and hand it to contract_build().
 *
 * Never keeps pointers into the values after returning; never allocates.
 */
#ifndef GW_RECORDS_CONTRACT_FIELDS_H
#define GW_RECORDS_CONTRACT_FIELDS_H

#include <stddef.h>
#include "core/err.h"
#include "records/contract.h"
#include "records/reader.h"

/* In the order of the spec's table: the order rejections are looked for
 * and the order of the canonical JSON. */
enum contract_field {
	CF_CONTRACT_ID, CF_REVISION, CF_STATUS, CF_EMPLOYER_NOSS, CF_EMPLOYER_KBO,
	CF_EMPLOYER_UNIT_ID,
	CF_WORKER_INSS, CF_WORKER_LAST_NAME, CF_WORKER_FIRST_NAME,
	CF_WORKER_BIRTH_DATE, CF_WORKER_BIRTH_PLACE, CF_WORKER_BIRTH_COUNTRY,
	CF_WORKER_SEX, CF_WORKER_NATIONALITY, CF_WORKER_STREET,
	CF_WORKER_HOUSE_NUMBER, CF_WORKER_POSTCODE, CF_WORKER_MUNICIPALITY,
	CF_WORKER_COUNTRY, CF_WORKER_TYPE, CF_JOINT_COMMITTEE, CF_WORKER_CODE,
	CF_START_DATE, CF_START_TIME, CF_END_DATE, CF_END_TIME, CF_PLANNED_HOURS,
	CF_DAYS_WORKED, CF_HOURS_WORKED, CF_WEEKLY_HOURS,
	CF_REFERENCE_WEEKLY_HOURS, CF_GROSS_WAGE_CENTS, CF_FUNCTION_CODE,
	CF_PLACE_OF_WORK_NAME, CF_PLACE_OF_WORK_STREET,
	CF_PLACE_OF_WORK_HOUSE_NUMBER, CF_PLACE_OF_WORK_POSTCODE,
	CF_PLACE_OF_WORK_MUNICIPALITY, CF_INVOICE_ID,
	/* DmfA details the spec page leaves open (docs/records.md). */
	CF_RETIRED, CF_REMUN_METHOD, CF_LEGAL_HOLIDAY_DAYS, CF_LEGAL_HOLIDAY_HOURS,
	CF_COPYRIGHT_FEES_CENTS, CF_EXIT_HOLIDAY_PAY_CENTS, CF_EXIT_HOLIDAY_PAY_EXEMPT_CENTS,
	CF_SPECIAL_SS_CONTRIBUTION_CENTS,
	CF_QUARTER_FIGURES,
	CF_COUNT
};

/* One raw value: n == 0 means absent (an empty CSV cell or JSON ""). */
struct field_value {
	const char *p;
	size_t n;
};

/* The field's name as it appears in headers, keys and rejections. */
const char *contract_field_name(enum contract_field f);
/* Field for a header/key name; -1 when it is not a contract field. */
int contract_field_lookup(const char *name, size_t n);
/* True when v is a well-formed contract_id (used to name a record in a
 * rejection before the rest of it is checked). */
int contract_id_valid(const char *p, size_t n);
/* Set rej->record_id from a raw contract_id when it is well formed. */
void contract_rejection_set_id(struct record_rejection *rej, const struct field_value *id);
/* Fill rej->field and rej->reason (record_id, file and line are the
 * caller's); returns GW_EINPUT. */
gw_rc contract_reject(struct record_rejection *rej, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check every field and the rules between them; GW_OK fills *c,
 * GW_EINPUT fills rej's record_id, field and reason (the first problem in
 * table order). */
gw_rc contract_build(const struct field_value v[CF_COUNT], struct contract *c,
                     struct record_rejection *rej);

/* Offset of the first byte of s[0..n) that is not valid UTF-8, n when none. */
size_t text_utf8_check(const char *s, size_t n);

#endif

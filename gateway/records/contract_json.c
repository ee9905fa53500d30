/*
 * contract_json.c - the canonical JSON of a validated contract and back
 * (records/reader.h: contract_to_json, contract_from_json).
 *
 * Canonical means: one compact line, keys in the order of the spec's
 * table, every value a string, absent fields left out, decimals with
 * exactly two places, weekly hours with their defaults filled in. The
 * queue stores this text; reading it back goes through the same checks
 * as any record, so a stored payload can never hold what intake refused.
 */
#include "records/reader.h"
#include "records/contract_fields.h"
#include "records/contract_jsonl.h"
#include "core/date.h"
#include "core/json_mem.h"
#include "core/fixed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Add a string member unless it is empty; 0 on allocation failure. */
static int
add(json_t *o, enum contract_field f, const char *s)
{
	if (s[0] == '\0')
		return 1;
	return json_object_set_new(o, contract_field_name(f), json_string(s)) == 0;
}

static int
add_date(json_t *o, enum contract_field f, gw_ymd d)
{
	char b[16];
	date_format(d, b, sizeof b);
	return add(o, f, b);
}

static int
add_time(json_t *o, enum contract_field f, gw_hm t)
{
	char b[8];
	time_format_hm(t, b, sizeof b);
	return add(o, f, b);
}

static int
add_int(json_t *o, enum contract_field f, long long v, int pad3)
{
	char b[32];
	if (v == 0)
		return 1;
	snprintf(b, sizeof b, pad3 ? "%03lld" : "%lld", v);
	return add(o, f, b);
}

static int
add_fixed(json_t *o, enum contract_field f, int64_t v)
{
	char b[32];
	fixed_format(v, 2, b, sizeof b);
	return add(o, f, b);
}

/* quarter_figures in its one canonical form. */
static int
add_qfig(json_t *o, const struct contract *c)
{
	char buf[CONTRACT_QFIG_MAX * 64] = "", d[32], h[32];
	size_t l = 0;
	for (int i = 0; i < c->nquarter_figures; i++) {
		const struct contract_quarter_figures *q = &c->quarter_figures[i];
		fixed_format(q->days, 2, d, sizeof d);
		fixed_format(q->hours, 2, h, sizeof h);
		l += (size_t)snprintf(buf + l, sizeof buf - l, "%s%dQ%d=%s/%s/%lld", i ? " " : "",
		                      q->quarter / 10, q->quarter % 10, d, h, (long long)q->cents);
	}
	return add(o, CF_QUARTER_FIGURES, buf);
}

gw_rc
contract_to_json(const struct contract *c, char **out, size_t *len)
{
	json_t *o;
	char b[32];
	int ok;

	*out = NULL;
	json_mem_begin();
	o = json_object();
	if (o == NULL)
		return GW_ENOMEM;
	snprintf(b, sizeof b, "%u", (unsigned)c->revision);
	ok = add(o, CF_CONTRACT_ID, c->contract_id) && add(o, CF_REVISION, b) &&
	    add(o, CF_STATUS, c->status == CONTRACT_CANCELLED ? "cancelled" : "active") &&
	    add(o, CF_EMPLOYER_NOSS, c->employer_noss) &&
	    add(o, CF_EMPLOYER_KBO, c->employer_kbo) &&
	    add(o, CF_EMPLOYER_UNIT_ID, c->employer_unit_id) &&
	    add(o, CF_WORKER_INSS, c->worker_inss) &&
	    add(o, CF_WORKER_LAST_NAME, c->worker_last_name) &&
	    add(o, CF_WORKER_FIRST_NAME, c->worker_first_name) &&
	    add_date(o, CF_WORKER_BIRTH_DATE, c->worker_birth_date) &&
	    add(o, CF_WORKER_BIRTH_PLACE, c->worker_birth_place) &&
	    add_int(o, CF_WORKER_BIRTH_COUNTRY, c->worker_birth_country, 1) &&
	    add_int(o, CF_WORKER_SEX, c->worker_sex, 0) &&
	    add_int(o, CF_WORKER_NATIONALITY, c->worker_nationality, 1) &&
	    add(o, CF_WORKER_STREET, c->worker_address.street) &&
	    add(o, CF_WORKER_HOUSE_NUMBER, c->worker_address.house_number) &&
	    add(o, CF_WORKER_POSTCODE, c->worker_address.postcode) &&
	    add(o, CF_WORKER_MUNICIPALITY, c->worker_address.municipality) &&
	    add_int(o, CF_WORKER_COUNTRY, c->worker_address.country, 1) &&
	    add(o, CF_WORKER_TYPE, c->worker_type) &&
	    add(o, CF_JOINT_COMMITTEE, c->joint_committee) &&
	    add(o, CF_WORKER_CODE, c->worker_code) &&
	    add_date(o, CF_START_DATE, c->start_date) &&
	    add_time(o, CF_START_TIME, c->start_time) &&
	    add_date(o, CF_END_DATE, c->end_date) &&
	    add_time(o, CF_END_TIME, c->end_time) &&
	    add_int(o, CF_PLANNED_HOURS, c->planned_hours, 0) &&
	    add_fixed(o, CF_DAYS_WORKED, c->days_worked) &&
	    add_fixed(o, CF_HOURS_WORKED, c->hours_worked) &&
	    add_fixed(o, CF_WEEKLY_HOURS, c->weekly_hours) &&
	    add_fixed(o, CF_REFERENCE_WEEKLY_HOURS, c->reference_weekly_hours);
	if (ok) {
		snprintf(b, sizeof b, "%lld", (long long)c->gross_wage_cents);
		ok = add(o, CF_GROSS_WAGE_CENTS, b) && add(o, CF_FUNCTION_CODE, c->function_code);
	}
	if (ok && c->has_place_of_work)
		ok = add(o, CF_PLACE_OF_WORK_NAME, c->place_of_work_name) &&
		    add(o, CF_PLACE_OF_WORK_STREET, c->place_of_work.street) &&
		    add(o, CF_PLACE_OF_WORK_HOUSE_NUMBER, c->place_of_work.house_number) &&
		    add(o, CF_PLACE_OF_WORK_POSTCODE, c->place_of_work.postcode) &&
		    add(o, CF_PLACE_OF_WORK_MUNICIPALITY, c->place_of_work.municipality);
	if (ok)
		ok = add(o, CF_INVOICE_ID, c->invoice_id) &&
		    add_int(o, CF_RETIRED, c->retired, 0) &&
		    add_int(o, CF_REMUN_METHOD, c->remun_method, 0) &&
		    (c->legal_holiday_days == 0 || add_fixed(o, CF_LEGAL_HOLIDAY_DAYS, c->legal_holiday_days)) &&
		    (c->legal_holiday_hours == 0 ||
		     add_fixed(o, CF_LEGAL_HOLIDAY_HOURS, c->legal_holiday_hours)) &&
		    add_int(o, CF_COPYRIGHT_FEES_CENTS, c->copyright_fees_cents, 0) &&
		    add_int(o, CF_EXIT_HOLIDAY_PAY_CENTS, c->exit_holiday_pay_cents, 0) &&
		    add_int(o, CF_EXIT_HOLIDAY_PAY_EXEMPT_CENTS, c->exit_holiday_pay_exempt_cents, 0) &&
		    add_int(o, CF_SPECIAL_SS_CONTRIBUTION_CENTS, c->special_ss_contribution_cents, 0) &&
		    add_qfig(o, c);
	if (ok)
		*out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	/* The canonical text is the record's identity (its hash decides
	 * replays): after any allocation failure of jansson's it is not
	 * trusted, even when jansson returned one. */
	if (*out != NULL && json_mem_failed()) {
		free(*out);
		*out = NULL;
	}
	if (*out == NULL)
		return GW_ENOMEM;
	*len = strlen(*out);
	return GW_OK;
}

gw_rc
contract_from_json(const char *json, size_t len, struct contract *c,
                   struct record_rejection *rej)
{
	memset(rej, 0, sizeof *rej);
	snprintf(rej->file, sizeof rej->file, "%s", "json");
	rej->line = 1;
	return contract_jsonl_parse(json, len, NULL, c, rej);
}

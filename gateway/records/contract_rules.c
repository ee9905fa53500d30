/*
 * contract_rules.c - rules between the fields of a contract record (records/contract_rules.h).
 *
 * Owns which fields a worker type requires or forbids, in the Dimona
 * glossary's terms (zones 00655 worker type, 01135 planned hours,
 * StartingHour/EndingHour, EndingDate), and the defaults of weekly hours.
 * Never touches a field's format: contract_fields.c has checked it already.
 */
#include "records/contract_rules.h"
#include "core/date.h"
#include "records/worker_regime.h"

#include <string.h>

/* Is the worker type one of the NUL-separated list? */
static int
type_in(const struct contract *c, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(c->worker_type, *list) == 0)
			return 1;
	return 0;
}

static const char *const needs_end_date[] = {
	"STU", "EXT", "FLX", "IVT", "TRI", "STG", "O17", "S17", "T17", NULL };
static const char *const needs_planned_hours[] = { "STU", "O17", "S17", NULL };
static const enum contract_field identity[] = {
	CF_WORKER_LAST_NAME, CF_WORKER_FIRST_NAME, CF_WORKER_BIRTH_DATE,
	CF_WORKER_BIRTH_PLACE, CF_WORKER_BIRTH_COUNTRY, CF_WORKER_SEX,
	CF_WORKER_NATIONALITY, CF_WORKER_STREET, CF_WORKER_HOUSE_NUMBER,
	CF_WORKER_POSTCODE, CF_WORKER_MUNICIPALITY, CF_WORKER_COUNTRY,
};
static const enum contract_field place_of_work[] = {
	CF_PLACE_OF_WORK_NAME, CF_PLACE_OF_WORK_STREET, CF_PLACE_OF_WORK_HOUSE_NUMBER,
	CF_PLACE_OF_WORK_POSTCODE, CF_PLACE_OF_WORK_MUNICIPALITY,
};

/* A joint committee with an occasional-work (EXT) scheme. */
static int
ext_committee(const char *jc)
{
	if (strncmp(jc, "145.04", 6) == 0)
		return 0;
	static const char *const l[] = { "302", "144", "145", "320", "322" };
	for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
		if (strncmp(jc, l[i], 3) == 0)
			return 1;
	return 0;
}

#define HAS(f) (v[f].n != 0)
#define NAME(f) contract_field_name(f)

/* Starting and ending hours: EXT, and FLX for a single day. */
static gw_rc
check_hours(struct contract *c, const struct field_value v[CF_COUNT],
            struct record_rejection *rej)
{
	int ext = strcmp(c->worker_type, "EXT") == 0;
	int flx1 = strcmp(c->worker_type, "FLX") == 0 && c->end_date == c->start_date;
	static const enum contract_field hour_fields[2] = { CF_START_TIME, CF_END_TIME };
	for (int i = 0; i < 2; i++) {
		enum contract_field f = hour_fields[i];
		if ((ext || flx1) && !HAS(f))
			return contract_reject(rej, NAME(f), ext ? "required for worker_type EXT"
			    : "required for a one-day FLX");
		if (!ext && !flx1 && HAS(f))
			return contract_reject(rej, NAME(f),
			    "only for worker_type EXT or a one-day FLX, not %s",
			    strcmp(c->worker_type, "FLX") == 0 ? "a FLX period" : c->worker_type);
	}
	if (HAS(CF_START_TIME) && c->end_date == c->start_date && c->end_time <= c->start_time)
		return contract_reject(rej, NAME(CF_END_TIME),
		    "not after start_time on a one-day contract");
	return GW_OK;
}

gw_rc
contract_rules_check(struct contract *c, const struct field_value v[CF_COUNT],
                     struct record_rejection *rej)
{
	gw_rc rc;

	/* A worker without a Belgian number is identified by the full block. */
	if (!HAS(CF_WORKER_INSS))
		for (size_t i = 0; i < sizeof identity / sizeof identity[0]; i++)
			if (!HAS(identity[i]))
				return contract_reject(rej, NAME(identity[i]),
				    "required when worker_inss is empty");
	if (c->worker_birth_date != 0 && c->worker_birth_date > c->start_date)
		return contract_reject(rej, NAME(CF_WORKER_BIRTH_DATE), "after start_date");

	if (HAS(CF_END_DATE) && c->end_date < c->start_date)
		return contract_reject(rej, NAME(CF_END_DATE), "before start_date");
	if (!HAS(CF_END_DATE) && type_in(c, needs_end_date))
		return contract_reject(rej, NAME(CF_END_DATE), "required for worker_type %s",
		    c->worker_type);
	if (!HAS(CF_END_DATE) && strncmp(c->joint_committee, "322", 3) == 0)
		return contract_reject(rej, NAME(CF_END_DATE),
		    "required for joint committee 322 (temporary agency work)");
	/* Students and article 17: the period stays inside one quarter;
	 * T17 is declared day by day. */
	if (type_in(c, needs_planned_hours) &&
	    (DATE_YEAR(c->end_date) != DATE_YEAR(c->start_date) ||
	     date_quarter(c->end_date) != date_quarter(c->start_date)))
		return contract_reject(rej, NAME(CF_END_DATE),
		    "not in the quarter of start_date (worker_type %s)", c->worker_type);
	if (strcmp(c->worker_type, "T17") == 0 && c->end_date != c->start_date)
		return contract_reject(rej, NAME(CF_END_DATE),
		    "must equal start_date for worker_type T17");

	if ((rc = check_hours(c, v, rej)) != GW_OK)
		return rc;

	if (type_in(c, needs_planned_hours) && !HAS(CF_PLANNED_HOURS))
		return contract_reject(rej, NAME(CF_PLANNED_HOURS), "required for worker_type %s",
		    c->worker_type);
	if (!type_in(c, needs_planned_hours) && HAS(CF_PLANNED_HOURS))
		return contract_reject(rej, NAME(CF_PLANNED_HOURS),
		    "not allowed for worker_type %s (only STU, O17, S17)", c->worker_type);

	if (!HAS(CF_REFERENCE_WEEKLY_HOURS))
		c->reference_weekly_hours = 3800;
	else if (c->reference_weekly_hours == 0)
		return contract_reject(rej, NAME(CF_REFERENCE_WEEKLY_HOURS), "must be more than 0");
	if (!HAS(CF_WEEKLY_HOURS))
		c->weekly_hours = c->reference_weekly_hours;

	/* Occasional workers (EXT) exist only in the sectors with an
	 * occasional-work scheme (ONSS instructions, "Dimona pour les
	 * travailleurs occasionnels"; glossary 00795 for funeral undertakers);
	 * elsewhere the Dimona is blocked with 90374-349. */
	if (strcmp(c->worker_type, "EXT") == 0 && !ext_committee(c->joint_committee))
		return contract_reject(rej, NAME(CF_JOINT_COMMITTEE), "worker_type EXT not allowed in joint "
		    "committee %s (Dimona anomaly 90374-349): only 302 (Horeca), 144 (agriculture), 145 "
		    "(horticulture, not 145.04), 320 (funeral undertakers), 322 (temporary agency work)",
		    c->joint_committee);

	/* Per-quarter figures: only quarters the period touches. */
	for (int i = 0; i < c->nquarter_figures; i++) {
		int q = c->quarter_figures[i].quarter;
		int qs = DATE_YEAR(c->start_date) * 10 + date_quarter(c->start_date);
		int qe = c->end_date ? DATE_YEAR(c->end_date) * 10 + date_quarter(c->end_date) : 99994;
		if (q < qs || q > qe)
			return contract_reject(rej, NAME(CF_QUARTER_FIGURES),
			    "entry %d: %dQ%d is outside the contract's period", i + 1, q / 10, q % 10);
	}

	/* Service code 002 is the legal holiday of manual workers (working
	 * time codes list): worker codes 0xx, students excepted. */
	if ((HAS(CF_LEGAL_HOLIDAY_DAYS) || HAS(CF_LEGAL_HOLIDAY_HOURS)) &&
	    (c->worker_code[0] != '0' || strcmp(c->worker_type, "STU") == 0))
		return contract_reject(rej, NAME(HAS(CF_LEGAL_HOLIDAY_DAYS) ? CF_LEGAL_HOLIDAY_DAYS
		    : CF_LEGAL_HOLIDAY_HOURS), "only for a manual worker (worker code 0xx, not a student): "
		    "DmfA service code 002, not %s", c->worker_code);

	/* The exit holiday pay (remuneration codes 007 and 011, "paid to
	 * employees") is a white-collar worker's (4xx; not flexi-job 450,
	 * whose flexi pay already includes its holiday pay), paid when the
	 * contract ends: only on a record with its end_date. */
	for (int k = 0; k < 2; k++) {
		enum contract_field f = k ? CF_EXIT_HOLIDAY_PAY_EXEMPT_CENTS : CF_EXIT_HOLIDAY_PAY_CENTS;
		if (!HAS(f))
			continue;
		if (c->worker_code[0] != '4' || strcmp(c->worker_code, "450") == 0)
			return contract_reject(rej, NAME(f), "only for a white-collar worker (worker code 4xx, "
			    "not flexi-job 450): DmfA remuneration %s is exit holiday pay paid to employees, "
			    "not to worker code %s", k ? "011" : "007", c->worker_code);
		if (c->end_date == 0)
			return contract_reject(rej, NAME(f), "needs the contract's end_date: the exit holiday "
			    "pay is paid when the contract ends, and declared in that quarter");
	}

	/* The special social security contribution (856) is withheld from a
	 * worker's pay by quarter, on a scale of the quarter's pay: one amount
	 * belongs to one quarter, so only on a record inside one quarter. The
	 * student solidarity (840, 841) and flexi-job (050, 450) codes are
	 * declared without personal contributions (docs/dmfa.md). */
	if (HAS(CF_SPECIAL_SS_CONTRIBUTION_CENTS)) {
		enum contract_field f = CF_SPECIAL_SS_CONTRIBUTION_CENTS;
		if (strcmp(c->worker_code, "840") == 0 || strcmp(c->worker_code, "841") == 0 ||
		    strcmp(c->worker_code, "050") == 0 || strcmp(c->worker_code, "450") == 0)
			return contract_reject(rej, NAME(f), "not on worker code %s: the student solidarity "
			    "and flexi-job codes carry no personal contribution, so no DmfA line 856",
			    c->worker_code);
		if (c->end_date == 0 || c->start_date / 10000 != c->end_date / 10000 ||
		    date_quarter(c->start_date) != date_quarter(c->end_date))
			return contract_reject(rej, NAME(f), "only on a record whose start_date and end_date "
			    "fall in one quarter: the amount is the quarter's withholding (DmfA line 856), "
			    "and a contract spanning quarters cannot say which quarter it belongs to");
	}

	/* The student's place of work: all five fields or none, STU only. */
	int any = 0;
	for (size_t i = 0; i < sizeof place_of_work / sizeof place_of_work[0]; i++)
		any |= HAS(place_of_work[i]);
	if (any) {
		for (size_t i = 0; i < sizeof place_of_work / sizeof place_of_work[0]; i++)
			if (!HAS(place_of_work[i]))
				return contract_reject(rej, NAME(place_of_work[i]),
				    "required with the other place_of_work fields");
		if (strcmp(c->worker_type, "STU") != 0)
			return contract_reject(rej, NAME(CF_PLACE_OF_WORK_NAME),
			    "only for worker_type STU, not %s", c->worker_type);
		c->has_place_of_work = true;
	}

	/* The Dimona worker type and the DmfA worker code must agree: the ONSS
	 * cross-checks them after the quarter (records/worker_regime.h). */
	char why[320];
	int code = (c->worker_code[0] - '0') * 100 + (c->worker_code[1] - '0') * 10 + (c->worker_code[2] - '0');
	if (worker_regime_check(c->worker_type, code, why, sizeof why) != 0)
		return contract_reject(rej, NAME(CF_WORKER_CODE), "%s", why);
	return GW_OK;
}

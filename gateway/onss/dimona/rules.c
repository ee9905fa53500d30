/*
 * rules.c - the named Dimona checks (see rules.h for the contract).
 *
 * Owns the rule semantics taken from the Dimona glossary 2023/2 (zones
 * 00011, 00024, 00046, 00655, 00777, 00778, 00910, 00911, 00913, 01135,
 * 01231 and blocks 90017, 90256, 90373, 90376, 90378, 90594). Each finding carries the
 * anomaly code the ONSS would return. Pure: no I/O, no allocation; the
 * ledger is only read.
 */
#include "onss/dimona/rules.h"
#include "onss/dimona/dates.h"
#include "core/checkdigit.h"

#include <string.h>

static const char *const worker_types[] = {
	"A17", "ALT", "BCW", "DWD", "EXT", "FLX", "IVT", "O17", "PMP", "RTA",
	"S17", "STU", "T17", "TEA", "TRI", "STG", "OTH",
};
static const char *const dimona_jcs[] = { "124", "140", "144", "145", "149", "302", "320", "322", "XXX" };

const struct dimona_check_info dimona_checks[] = {
	{ "employer_id_required", "90256-364", "an NOSS or enterprise number identifies the employer" },
	{ "employer_noss_valid", "00011-003", "the NOSS number has its check digits" },
	{ "employer_kbo_valid", "00014-003", "the enterprise number has its check digits" },
	{ "employer_matches_period", "00011-347", "a follow-up names the employer of the period" },
	{ "inss_valid", "00024-003", "the INSS has its check digits" },
	{ "inss_matches_period", "00024-347", "a follow-up names the worker of the period" },
	{ "worker_identity_required", "90017-363", "without INSS, the whole identity block" },
	{ "worker_type_valid", "00655-003", "a Dimona worker type" },
	{ "joint_committee_dimona_value", "00046-003", "only 124 140 144 145 149 302 320 322 XXX" },
	{ "student_place_of_work_only_for_students", "00776-005", "a place of work only for STU" },
	{ "construction_cards_required", "00663-001", "JC 124 needs the C3.2A control card numbers, which records do not carry" },
	{ "using_employer_required", "90107-351", "agency work (JC 322) needs the using employer, which records do not carry" },
	{ "small_statutes_required", "01231-001", "IVT TRI STG need SmallStatutesInformation (FB 90594: employment nature, worker status), which records do not carry" },
	{ "start_date_required", "00910-001", "an IN has its starting date" },
	{ "start_date_domain", "00910-008", "from 1920 to the current year + 10" },
	{ "flexi_not_too_early", "00910-008", "a FLX IN at most 31 days before its quarter starts" },
	{ "art17_not_too_early", "00910-008", "an O17 S17 T17 IN at most 15 days before the start, not before 2022" },
	{ "a17_closed", "00910-008", "A17 only for periods up to 2021" },
	{ "hours_format", "00777-003 00778-003", "hours are HHMM within a day" },
	{ "start_hour_required", "00777-001", "EXT and a one-day FLX have a starting hour" },
	{ "end_hour_required", "00778-001", "EXT (outside the Horeca day forfait) and a one-day FLX have an ending hour" },
	{ "start_hour_forbidden", "00777-005", "no starting hour for the other types" },
	{ "end_hour_forbidden", "00778-005", "no ending hour for the other types" },
	{ "end_date_required", "00911-001", "STU EXT FLX IVT TRI STG A17 O17 S17 T17 (and JC 322) and an OUT have an ending date" },
	{ "end_not_before_start", "00911-014", "the end is not before the start" },
	{ "end_hour_after_start_hour", "00778-345", "on one day the ending hour is after the starting hour" },
	{ "same_quarter", "90373-421 90378-421", "STU O17 S17 end in the quarter they start" },
	{ "same_day", "00911-008", "T17 and A17 end on their starting day" },
	{ "period_at_most_24h", "90373-341 90378-341", "an EXT or FLX period with hours lasts at most 24 h" },
	{ "planned_hours_required", "01135-001", "STU O17 S17 have planned hours" },
	{ "planned_hours_range", "01135-003", "planned hours within [1, 999]" },
	{ "planned_hours_forbidden", "01135-005", "no planned hours for the other types" },
	{ "deadline_in_before_start", "90373-460", "an IN is due before the work starts (warning)" },
	{ "deadline_update_before_start", "90378-460", "an UPDATE moving the start is due before it (warning)" },
	{ "deadline_out_next_working_day", "", "an OUT is due by the first working day after the end (warning)" },
	{ "deadline_cancel_by_start", "", "a CANCEL is due at the latest on the starting date (warning)" },
	{ "period_id_required", "00913-001", "OUT UPDATE CANCEL name the period" },
	{ "no_start_date_in_student_update", "00910-005", "an UPDATE of a STU period carries no starting date (ledger)" },
	{ "period_id_format", "00913-003", "a period id has at most 12 digits" },
	{ "period_known", "00913-354", "the period exists (ledger)" },
	{ "period_not_cancelled", "00913-355", "the period is not cancelled (ledger)" },
	{ "no_duplicate_period", "90373-333 90378-333", "not the same period twice (ledger)" },
	{ "no_overlapping_period", "90373-334 90378-334", "no overlap with the worker's live periods (ledger)" },
	{ "ext_at_most_two_consecutive_days", "00910-459", "an occasional worker at most two consecutive days (ledger)" },
};
const size_t dimona_n_checks = sizeof dimona_checks / sizeof dimona_checks[0];

static int
in_list(const char *s, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, l[i]) == 0)
			return 1;
	return 0;
}

static int
is(const char *t, const char *a)
{
	return strcmp(t, a) == 0;
}

static int
needs_planned_hours(const char *t)
{
	return is(t, "STU") || is(t, "O17") || is(t, "S17");
}

/* 00911: an ending date is required for these types (and agency work). */
static int
needs_end_date(const char *t, const char *jc)
{
	static const char *const l[] = { "STU", "EXT", "FLX", "IVT", "TRI", "STG", "A17", "O17", "S17", "T17" };
	return in_list(t, l, sizeof l / sizeof l[0]) || is(jc, "322");
}

static int
has_hours(const char *t)
{
	return is(t, "EXT") || is(t, "FLX");
}

static void
add(struct dimona_findings *o, const char *check, const char *code, const char *field, char sev)
{
	if (o->n >= DIMONA_MAX_FINDINGS)
		return;
	struct dimona_finding *f = &o->f[o->n++];
	f->check = check;
	snprintf(f->code, sizeof f->code, "%s", code);
	snprintf(f->field, sizeof f->field, "%s", field);
	f->severity = sev;
}

#define BLOCK(o, check, code, field) add(o, check, code, field, 'B')
#define WARN(o, check, code, field)  add(o, check, code, field, 'W')

/* Block code prefix of the declaration kind: the same anomaly (333, 421,
 * 460...) is reported on 90373 for an IN and on 90378 for an UPDATE. */
static const char *
block_code(const struct dimona_decl *d)
{
	return d->action == DIMONA_UPDATE ? "90378" : "90373";
}

static void
coded(char *buf, size_t cap, const char *blk, const char *suffix)
{
	snprintf(buf, cap, "%s-%s", blk, suffix);
}

static void
check_employer(const struct contract *c, struct dimona_findings *o)
{
	if (c->employer_noss[0] == '\0' && c->employer_kbo[0] == '\0') {
		BLOCK(o, "employer_id_required", "90256-364", "EmployerId");
		return;
	}
	if (c->employer_noss[0] != '\0' && !check_noss(c->employer_noss, NULL, 0))
		BLOCK(o, "employer_noss_valid", "00011-003", "NOSSRegistrationNbr");
	if (c->employer_kbo[0] != '\0' && !check_kbo(c->employer_kbo, NULL, 0))
		BLOCK(o, "employer_kbo_valid", "00014-003", "CompanyID");
}

static void
check_worker(const struct contract *c, struct dimona_findings *o)
{
	if (c->worker_inss[0] != '\0') {
		if (!check_inss(c->worker_inss, NULL, 0))
			BLOCK(o, "inss_valid", "00024-003", "INSS");
		return;
	}
	/* 90017-363: without an INSS the whole identity block is required. */
	if (c->worker_last_name[0] == '\0' || c->worker_first_name[0] == '\0' ||
	    c->worker_birth_date == 0 || c->worker_birth_place[0] == '\0' ||
	    c->worker_birth_country == 0 || (c->worker_sex != 1 && c->worker_sex != 2) ||
	    c->worker_nationality == 0 || c->worker_address.street[0] == '\0' ||
	    c->worker_address.house_number[0] == '\0' || c->worker_address.postcode[0] == '\0' ||
	    c->worker_address.municipality[0] == '\0' || c->worker_address.country == 0)
		BLOCK(o, "worker_identity_required", "90017-363", "NaturalPerson");
}

/* The checks on the period itself, shared by IN and the result of an
 * UPDATE: dates, hours, planned hours. */
static void
check_period_shape(const struct dimona_decl *d, const char *type, const char *jc,
                   gw_ymd start, gw_hm st, gw_ymd end, gw_hm et, int planned,
                   gw_ymd today, struct dimona_findings *o)
{
	char code[16];
	const char *blk = block_code(d);

	if (start == 0) {
		BLOCK(o, "start_date_required", "00910-001", "StartingDate");
		return;
	}
	if (start < 19200101 || start / 10000 >= today / 10000 + 10)
		BLOCK(o, "start_date_domain", "00910-008", "StartingDate");
	if (d->action == DIMONA_IN) {
		int q = ymd_quarter(start);
		gw_ymd qstart = (q / 10) * 10000 + ((q % 10) * 3 - 2) * 100 + 1;
		if (is(type, "FLX") && ymd_to_days(today) < ymd_to_days(qstart) - 31)
			BLOCK(o, "flexi_not_too_early", "00910-008", "StartingDate");
		if ((is(type, "O17") || is(type, "S17") || is(type, "T17")) &&
		    (start < 20220101 || ymd_to_days(today) < ymd_to_days(start) - 15))
			BLOCK(o, "art17_not_too_early", "00910-008", "StartingDate");
		if (is(type, "A17") && start >= 20220101)
			BLOCK(o, "a17_closed", "00910-008", "StartingDate");
	}
	/* Hours: HHMM within a day (00777/00778 -003). */
	if (st >= 1440 || (st < 0 && st != -1))
		BLOCK(o, "hours_format", "00777-003", "StartingHour");
	if (et >= 1440 || (et < 0 && et != -1))
		BLOCK(o, "hours_format", "00778-003", "EndingHour");
	int one_day_flx = is(type, "FLX") && end != 0 && end == start;
	if (is(type, "EXT") || one_day_flx) {
		if (st < 0)
			BLOCK(o, "start_hour_required", "00777-001", "StartingHour");
		/* Horeca (302) occasional workers may use the day forfait,
		 * which is declared without an ending hour. */
		int day_forfait = is(type, "EXT") && is(jc, "302");
		if (et < 0 && !day_forfait)
			BLOCK(o, "end_hour_required", "00778-001", "EndingHour");
	} else if (!has_hours(type)) {
		if (st >= 0)
			BLOCK(o, "start_hour_forbidden", "00777-005", "StartingHour");
		if (et >= 0)
			BLOCK(o, "end_hour_forbidden", "00778-005", "EndingHour");
	}
	if (end == 0) {
		if (needs_end_date(type, jc))
			BLOCK(o, "end_date_required", "00911-001", "EndingDate");
	} else {
		if (end < start)
			BLOCK(o, "end_not_before_start", "00911-014", "EndingDate");
		else if (end == start && st >= 0 && et >= 0 && et < st)
			BLOCK(o, "end_hour_after_start_hour", "00778-345", "EndingHour");
		if (needs_planned_hours(type) && ymd_quarter(end) != ymd_quarter(start)) {
			coded(code, sizeof code, blk, "421");
			BLOCK(o, "same_quarter", code, "EndingDate");
		}
		if ((is(type, "T17") || is(type, "A17")) && end != start)
			BLOCK(o, "same_day", "00911-008", "EndingDate");
		if (has_hours(type) && st >= 0 && et >= 0 && end >= start) {
			long minutes = (ymd_to_days(end) - ymd_to_days(start)) * 1440 + et - st;
			if (minutes > 1440) {
				coded(code, sizeof code, blk, "341");
				BLOCK(o, "period_at_most_24h", code, "EndingDate");
			}
		}
	}
	if (needs_planned_hours(type)) {
		if (planned <= 0)
			BLOCK(o, "planned_hours_required", "01135-001", "PlannedHoursNbr");
		else if (planned > 999)
			BLOCK(o, "planned_hours_range", "01135-003", "PlannedHoursNbr");
	} else if (planned > 0) {
		BLOCK(o, "planned_hours_forbidden", "01135-005", "PlannedHoursNbr");
	}
}

/* Start and end of a period in minutes since the epoch, for overlaps; an
 * open end is far in the future, a day period covers whole days. */
static void
span(gw_ymd start, gw_hm st, gw_ymd end, gw_hm et, long long *a, long long *b)
{
	*a = (long long)ymd_to_days(start) * 1440 + (st >= 0 ? st : 0);
	if (end == 0)
		*b = (long long)1 << 60;
	else
		*b = (long long)ymd_to_days(end) * 1440 + (et >= 0 ? et : 1440);
}

struct overlap_ctx {
	const char *self_id;
	const char *type;
	gw_ymd start, end;
	gw_hm st, et;
	int duplicate, overlap;
};

static int
overlap_cb(const struct dimona_period *p, void *arg)
{
	struct overlap_ctx *x = arg;
	long long a1, b1, a2, b2;
	if (p->cancelled || (x->self_id != NULL && strcmp(p->id, x->self_id) == 0))
		return 0;
	if (p->start == x->start && p->end == x->end && p->start_time == x->st &&
	    p->end_time == x->et && strcmp(p->worker_type, x->type) == 0) {
		x->duplicate = 1;
		return 1;
	}
	span(x->start, x->st, x->end, x->et, &a1, &b1);
	span(p->start, p->start_time, p->end, p->end_time, &a2, &b2);
	if (a1 < b2 && a2 < b1)
		x->overlap = 1;
	return 0;
}

/* Days covered by the worker's live EXT periods at this employer, for the
 * consecutive-days rule. */
struct ext_ctx {
	long days[64];
	size_t n;
};

static int
ext_cb(const struct dimona_period *p, void *arg)
{
	struct ext_ctx *x = arg;
	if (p->cancelled || !is(p->worker_type, "EXT"))
		return 0;
	gw_ymd e = p->end != 0 ? p->end : p->start;
	for (long d = ymd_to_days(p->start); d <= ymd_to_days(e) && x->n < 64; d++)
		x->days[x->n++] = d;
	return 0;
}

static int
ext_has(const struct ext_ctx *x, long d)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->days[i] == d)
			return 1;
	return 0;
}

static void
check_history_in(const struct dimona_decl *d, const struct dimona_ledger *l, const char *noss,
                 const char *worker, const char *self_id, const char *type, gw_ymd start,
                 gw_hm st, gw_ymd end, gw_hm et, struct dimona_findings *o)
{
	char code[16];
	struct overlap_ctx x = { self_id, type, start, end, st, et, 0, 0 };

	if (l->each(l->ctx, noss, worker, overlap_cb, &x) != GW_OK)
		return;
	if (x.duplicate) {
		coded(code, sizeof code, block_code(d), "333");
		BLOCK(o, "no_duplicate_period", code, d->action == DIMONA_IN ? "DimonaIn" : "DimonaUpdate");
	} else if (x.overlap) {
		coded(code, sizeof code, block_code(d), "334");
		BLOCK(o, "no_overlapping_period", code, d->action == DIMONA_IN ? "DimonaIn" : "DimonaUpdate");
	}
	/* 00910-459: an EXT run with the same employer may not exceed two
	 * consecutive days. */
	if (is(type, "EXT") && d->action == DIMONA_IN) {
		struct ext_ctx e = { { 0 }, 0 };
		if (l->each(l->ctx, noss, worker, ext_cb, &e) != GW_OK)
			return;
		long s = ymd_to_days(start), t = ymd_to_days(end != 0 ? end : start);
		long run = t - s + 1;
		for (long k = s - 1; ext_has(&e, k); k--)
			run++;
		for (long k = t + 1; ext_has(&e, k); k++)
			run++;
		if (run > 2)
			BLOCK(o, "ext_at_most_two_consecutive_days", "00910-459", "StartingDate");
	}
}

static int
period_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (id[i] < '0' || id[i] > '9')
			return 0;
	return 1;
}

size_t
dimona_rules_check(const struct dimona_decl *d, const struct dimona_ledger *l,
                   gw_ymd today, int now_min, struct dimona_findings *o)
{
	const struct contract *c = &d->c;
	struct dimona_period p;
	int have_p = 0;
	char code[16];

	memset(o, 0, sizeof *o);
	check_employer(c, o);
	if (d->action == DIMONA_IN) {
		check_worker(c, o);
		if (!in_list(c->worker_type, worker_types, sizeof worker_types / sizeof worker_types[0]))
			BLOCK(o, "worker_type_valid", "00655-003", "WorkerType");
		if (!in_list(d->jc, dimona_jcs, sizeof dimona_jcs / sizeof dimona_jcs[0]))
			BLOCK(o, "joint_committee_dimona_value", "00046-003", "JointCommissionNbr");
		/* Blocks the records cannot fill: refuse here rather than send
		 * what the ONSS refuses (90375 construction cards, 90107 using
		 * employer). */
		if (is(d->jc, "124"))
			BLOCK(o, "construction_cards_required", "00663-001", "ConstructionControlCards");
		if (is(d->jc, "322"))
			BLOCK(o, "using_employer_required", "90107-351", "UsingEmployer");
		/* FB 90594 is required for interns and trainees since the
		 * December 2019 Dimona; its zones 01231 (EmploymentNature) and
		 * 00053 (WorkerStatus) are "onmisbaar", so the ONSS refuses the
		 * IN without them, as 01231-001. */
		if (is(c->worker_type, "IVT") || is(c->worker_type, "TRI") || is(c->worker_type, "STG"))
			BLOCK(o, "small_statutes_required", "01231-001",
			    "SmallStatutesInformation/EmploymentNature");
		if (c->has_place_of_work && !is(c->worker_type, "STU"))
			BLOCK(o, "student_place_of_work_only_for_students", "00776-005", "StudentPlaceOfWork");
		check_period_shape(d, c->worker_type, d->jc, c->start_date, c->start_time, c->end_date,
		    c->end_time, c->planned_hours, today, o);
		/* 90373-460: the IN is due before the work starts. */
		if (c->start_date != 0 && (today > c->start_date ||
		    (today == c->start_date && c->start_time >= 0 && now_min > c->start_time)))
			WARN(o, "deadline_in_before_start", "90373-460", "StartingDate");
		if (l != NULL && c->start_date != 0) {
			char worker[DIMONA_WORKER_KEY_MAX];
			dimona_worker_key(c, worker, sizeof worker);
			check_history_in(d, l, c->employer_noss, worker, NULL, c->worker_type,
			    c->start_date, c->start_time, c->end_date, c->end_time, o);
		}
		goto done;
	}

	/* OUT, UPDATE, CANCEL act on a period the ONSS gave. */
	if (d->period_id[0] == '\0') {
		BLOCK(o, "period_id_required", "00913-001", "DimonaPeriodId");
		goto done;
	}
	if (!period_id_ok(d->period_id)) {
		BLOCK(o, "period_id_format", "00913-003", "DimonaPeriodId");
		goto done;
	}
	if (c->worker_inss[0] != '\0' && !check_inss(c->worker_inss, NULL, 0))
		BLOCK(o, "inss_valid", "00024-003", "INSS");
	if (l != NULL) {
		if (l->find(l->ctx, d->period_id, &p) != GW_OK) {
			BLOCK(o, "period_known", "00913-354", "DimonaPeriodId");
			goto done;
		}
		if (p.cancelled) {
			BLOCK(o, "period_not_cancelled", "00913-355", "DimonaPeriodId");
			goto done;
		}
		if (c->employer_noss[0] != '\0' && strcmp(c->employer_noss, p.noss) != 0)
			BLOCK(o, "employer_matches_period", "00011-347", "NOSSRegistrationNbr");
		if (c->worker_inss[0] != '\0' && strcmp(c->worker_inss, p.worker) != 0)
			BLOCK(o, "inss_matches_period", "00024-347", "INSS");
		have_p = 1;
	}

	switch (d->action) {
	case DIMONA_OUT:
		if (c->end_date == 0) {
			BLOCK(o, "end_date_required", "00911-001", "EndingDate");
			break;
		}
		if (have_p && c->end_date < p.start)
			BLOCK(o, "end_not_before_start", "00911-014", "EndingDate");
		/* The OUT is due by the first working day after the end;
		 * the ONSS has no anomaly code for it, the gateway warns. */
		if (today > ymd_next_working_day(c->end_date))
			WARN(o, "deadline_out_next_working_day", "", "EndingDate");
		break;
	case DIMONA_UPDATE: {
		struct dimona_period q;
		if (have_p) {
			if (is(p.worker_type, "STU") && c->start_date != 0)
				BLOCK(o, "no_start_date_in_student_update", "00910-005", "StartingDate");
			dimona_period_apply(&p, d, &q);
		} else {
			dimona_period_from_in(d, &q);
		}
		check_period_shape(d, q.worker_type, q.jc, q.start, q.start_time, q.end, q.end_time,
		    q.planned_hours, today, o);
		if (q.start != 0 && today > q.start && have_p && q.start != p.start) {
			coded(code, sizeof code, "90378", "460");
			WARN(o, "deadline_update_before_start", code, "StartingDate");
		}
		if (have_p)
			check_history_in(d, l, p.noss, p.worker, p.id, q.worker_type, q.start,
			    q.start_time, q.end, q.end_time, o);
		break;
	}
	case DIMONA_CANCEL: {
		/* A CANCEL is due at the latest on the starting date. */
		gw_ymd s = have_p ? p.start : c->start_date;
		if (s != 0 && today > s)
			WARN(o, "deadline_cancel_by_start", "", "DimonaPeriodId");
		break;
	}
	case DIMONA_IN:
		break;
	}
done:;
	size_t blocking = 0;
	for (size_t i = 0; i < o->n; i++)
		blocking += o->f[i].severity == 'B';
	return blocking;
}

void
dimona_period_from_in(const struct dimona_decl *d, struct dimona_period *p)
{
	const struct contract *c = &d->c;
	memset(p, 0, sizeof *p);
	snprintf(p->noss, sizeof p->noss, "%s", c->employer_noss);
	dimona_worker_key(c, p->worker, sizeof p->worker);
	snprintf(p->worker_type, sizeof p->worker_type, "%s", c->worker_type);
	snprintf(p->jc, sizeof p->jc, "%s", d->jc);
	p->start = c->start_date;
	p->end = c->end_date;
	p->start_time = has_hours(c->worker_type) ? c->start_time : -1;
	p->end_time = has_hours(c->worker_type) ? c->end_time : -1;
	p->planned_hours = c->planned_hours;
}

void
dimona_period_apply(const struct dimona_period *old, const struct dimona_decl *d,
                    struct dimona_period *q)
{
	const struct contract *c = &d->c;
	*q = *old;
	if (d->action == DIMONA_OUT) {
		q->end = c->end_date;
		if (c->end_time >= 0)
			q->end_time = c->end_time;
		return;
	}
	if (d->action != DIMONA_UPDATE)
		return;
	if (c->start_date != 0)
		q->start = c->start_date;
	if (c->start_time >= 0)
		q->start_time = c->start_time;
	if (c->end_date != 0)
		q->end = c->end_date;
	if (c->end_time >= 0)
		q->end_time = c->end_time;
	if (c->planned_hours > 0)
		q->planned_hours = c->planned_hours;
}

void
dimona_findings_print(const struct dimona_findings *f, FILE *out)
{
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, "%s %s %c %s\n", f->f[i].check, f->f[i].code[0] ? f->f[i].code : "-",
		    f->f[i].severity, f->f[i].field);
}

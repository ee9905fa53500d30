/* test_dimona.c - Dimona declarations: joint committee, JSON and XML forms
 * (validated against the official XSD read from $REF and against the
 * project's own schema), every named rule with its anomaly code, the
 * ledger rules and the Horeca EXT series merge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "onss/dimona/decl.h"
#include "onss/dimona/dates.h"
#include "onss/dimona/rules.h"
#include "onss/codelist.h"
#include "core/config.h"

#define TODAY 20260301

static struct contract
base(const char *type)
{
	struct contract c;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "C-%s-1", type);
	c.revision = 1;
	snprintf(c.employer_noss, sizeof c.employer_noss, "175110801");
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0668600511");
	snprintf(c.worker_inss, sizeof c.worker_inss, "90051212384");
	snprintf(c.worker_type, sizeof c.worker_type, "%s", type);
	snprintf(c.joint_committee, sizeof c.joint_committee, "304");
	snprintf(c.worker_code, sizeof c.worker_code, "046");
	c.start_date = 20260310;
	c.start_time = c.end_time = -1;
	if (strcmp(type, "OTH") != 0)
		c.end_date = 20260310;
	if (strcmp(type, "STU") == 0 || strcmp(type, "O17") == 0 || strcmp(type, "S17") == 0)
		c.planned_hours = 8;
	if (strcmp(type, "EXT") == 0 || strcmp(type, "FLX") == 0) {
		c.start_time = 18 * 60;
		c.end_time = 23 * 60 + 30;
		snprintf(c.joint_committee, sizeof c.joint_committee, "302");
	}
	return c;
}

static struct dimona_decl
in_of(const struct contract *c)
{
	struct dimona_decl d;
	assert_int_equal(dimona_decl_from_contract(&d, c), GW_OK);
	return d;
}

/* Every finding is a catalogued check with one of its catalogued codes. */
static void
in_catalogue(const struct dimona_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		int ok = 0;
		for (size_t k = 0; k < dimona_n_checks && !ok; k++) {
			if (strcmp(dimona_checks[k].check, f->f[i].check) != 0)
				continue;
			if (f->f[i].code[0] == '\0')
				ok = dimona_checks[k].codes[0] == '\0';
			else
				ok = strstr(dimona_checks[k].codes, f->f[i].code) != NULL;
		}
		if (!ok)
			fprintf(stderr, "finding %s %s not in the catalogue\n", f->f[i].check, f->f[i].code);
		assert_true(ok);
	}
}

/* Whether the findings include this check with this code. */
static int
has(const struct dimona_findings *f, const char *check, const char *code)
{
	in_catalogue(f);
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].check, check) == 0 && strcmp(f->f[i].code, code) == 0)
			return 1;
	return 0;
}

static void
test_jc_derivation(void **state)
{
	(void)state;
	char jc[4];
	struct { const char *full, *want; } t[] = {
		{ "302", "302" }, { "302.00", "302" }, { "124", "124" }, { "149.01", "149" },
		/* zone 00046: Dimona 149 is the electricians (149.01) only */
		{ "149.02", "XXX" }, { "149.03", "XXX" }, { "149.04", "XXX" }, { "149", "XXX" },
		{ "149.01.01", "149" },
		{ "322", "322" }, { "322.00", "322" }, { "322.01", "XXX" }, { "304", "XXX" },
		{ "200", "XXX" }, { "329.02", "XXX" }, { "", "XXX" }, { "3x2", "XXX" }, { "3021", "XXX" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		dimona_jc_derive(t[i].full, jc);
		assert_string_equal(jc, t[i].want);
	}
}

static void
test_dates(void **state)
{
	(void)state;
	assert_int_equal(ymd_add_days(20260228, 1), 20260301);
	assert_int_equal(ymd_add_days(20240228, 1), 20240229);
	assert_int_equal(ymd_weekday(20260302), 1);          /* a Monday */
	assert_int_equal(ymd_next_working_day(20260306), 20260309);  /* Friday -> Monday */
	assert_int_equal(ymd_next_working_day(20260302), 20260303);
	assert_int_equal(ymd_quarter(20260331), 20261);
	assert_int_equal(ymd_quarter(20260401), 20262);
	assert_false(ymd_valid(20250229));
	char b[11], h[5];
	dimona_fmt_date(20260305, b);
	assert_string_equal(b, "2026-03-05");
	dimona_fmt_hour(7 * 60 + 5, h);
	assert_string_equal(h, "0705");          /* hours as zero-padded HHMM */
	gw_hm hm;
	assert_int_equal(dimona_parse_hour("0930", &hm), GW_OK);
	assert_int_equal(hm, 570);
	assert_int_equal(dimona_parse_hour("930", &hm), GW_EINPUT);
	assert_int_equal(dimona_parse_hour("2460", &hm), GW_EINPUT);
}

/* Each worker type's base contract is clean (IVT, TRI and STG need a
 * block the records cannot carry: test_small_statutes). */
static void
test_clean_bases(void **state)
{
	(void)state;
	const char *types[] = { "OTH", "STU", "EXT", "FLX", "O17", "S17", "T17" };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct contract c = base(types[i]);
		struct dimona_decl d = in_of(&c);
		struct dimona_findings f;
		size_t b = dimona_rules_check(&d, NULL, TODAY, 600, &f);
		if (f.n != 0)
			dimona_findings_print(&f, stderr);
		assert_int_equal(b, 0);
		assert_int_equal(f.n, 0);
	}
}

struct rule_case {
	const char *type;
	void (*mutate)(struct contract *c, struct dimona_decl *d);
	const char *check, *code;
	char sev;
};

static void m_no_planned(struct contract *c, struct dimona_decl *d) { (void)d; c->planned_hours = 0; }
static void m_planned(struct contract *c, struct dimona_decl *d) { (void)d; c->planned_hours = 4; }
static void m_no_end(struct contract *c, struct dimona_decl *d) { (void)d; c->end_date = 0; }
static void m_next_quarter(struct contract *c, struct dimona_decl *d) { (void)d; c->start_date = 20260330; c->end_date = 20260402; }
static void m_no_start_hour(struct contract *c, struct dimona_decl *d) { (void)d; c->start_time = -1; }
static void m_no_end_hour(struct contract *c, struct dimona_decl *d) { (void)d; c->end_time = -1; }
static void m_ext_not_horeca(struct contract *c, struct dimona_decl *d) { c->end_time = -1; snprintf(c->joint_committee, sizeof c->joint_committee, "200"); dimona_jc_derive("200", d->jc); }
static void m_hour_oth(struct contract *c, struct dimona_decl *d) { (void)d; c->start_time = 600; }
static void m_end_before(struct contract *c, struct dimona_decl *d) { (void)d; c->end_date = 20260309; }
static void m_hour_order(struct contract *c, struct dimona_decl *d) { (void)d; c->end_time = 17 * 60; }
static void m_bad_jc(struct contract *c, struct dimona_decl *d) { (void)c; snprintf(d->jc, sizeof d->jc, "304"); }
static void m_bad_type(struct contract *c, struct dimona_decl *d) { (void)d; snprintf(c->worker_type, sizeof c->worker_type, "XYZ"); }
static void m_bad_inss(struct contract *c, struct dimona_decl *d) { (void)d; c->worker_inss[10] = c->worker_inss[10] == '0' ? '1' : '0'; }
static void m_no_inss(struct contract *c, struct dimona_decl *d) { (void)d; c->worker_inss[0] = '\0'; snprintf(c->worker_last_name, sizeof c->worker_last_name, "Novak"); }
static void m_no_employer(struct contract *c, struct dimona_decl *d) { (void)d; c->employer_noss[0] = c->employer_kbo[0] = '\0'; }
static void m_bad_noss(struct contract *c, struct dimona_decl *d) { (void)d; c->employer_noss[8] = '9'; }
static void m_late(struct contract *c, struct dimona_decl *d) { (void)d; c->start_date = 20260227; c->end_date = c->end_date ? 20260227 : 0; }
static void m_long(struct contract *c, struct dimona_decl *d) { (void)d; c->end_date = 20260311; c->end_time = 23 * 60; }
static void m_t17_two_days(struct contract *c, struct dimona_decl *d) { (void)d; c->end_date = 20260311; }
static void m_place_oth(struct contract *c, struct dimona_decl *d) { (void)d; c->has_place_of_work = true; }
static void m_jc124(struct contract *c, struct dimona_decl *d) { snprintf(c->joint_committee, sizeof c->joint_committee, "124"); dimona_jc_derive("124", d->jc); }
static void m_jc322(struct contract *c, struct dimona_decl *d) { snprintf(c->joint_committee, sizeof c->joint_committee, "322"); dimona_jc_derive("322", d->jc); }
static void m_far_future(struct contract *c, struct dimona_decl *d) { (void)d; c->start_date = c->end_date = 20260720; }
static void m_a17(struct contract *c, struct dimona_decl *d) { (void)d; snprintf(c->worker_type, sizeof c->worker_type, "A17"); }
static void m_flx_one_day_no_hours(struct contract *c, struct dimona_decl *d) { (void)d; c->start_time = -1; c->end_time = -1; }

static void
test_named_rules(void **state)
{
	(void)state;
	static const struct rule_case cases[] = {
		{ "STU", m_no_planned, "planned_hours_required", "01135-001", 'B' },
		{ "O17", m_no_planned, "planned_hours_required", "01135-001", 'B' },
		{ "S17", m_no_planned, "planned_hours_required", "01135-001", 'B' },
		{ "OTH", m_planned, "planned_hours_forbidden", "01135-005", 'B' },
		{ "EXT", m_planned, "planned_hours_forbidden", "01135-005", 'B' },
		{ "STU", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "EXT", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "FLX", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "IVT", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "TRI", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "STG", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "O17", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "S17", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "T17", m_no_end, "end_date_required", "00911-001", 'B' },
		{ "STU", m_next_quarter, "same_quarter", "90373-421", 'B' },
		{ "O17", m_next_quarter, "same_quarter", "90373-421", 'B' },
		{ "S17", m_next_quarter, "same_quarter", "90373-421", 'B' },
		{ "EXT", m_no_start_hour, "start_hour_required", "00777-001", 'B' },
		{ "FLX", m_no_start_hour, "start_hour_required", "00777-001", 'B' },
		{ "EXT", m_ext_not_horeca, "end_hour_required", "00778-001", 'B' },
		{ "FLX", m_no_end_hour, "end_hour_required", "00778-001", 'B' },
		{ "FLX", m_flx_one_day_no_hours, "start_hour_required", "00777-001", 'B' },
		{ "OTH", m_hour_oth, "start_hour_forbidden", "00777-005", 'B' },
		{ "STU", m_end_before, "end_not_before_start", "00911-014", 'B' },
		{ "EXT", m_hour_order, "end_hour_after_start_hour", "00778-345", 'B' },
		{ "EXT", m_long, "period_at_most_24h", "90373-341", 'B' },
		{ "T17", m_t17_two_days, "same_day", "00911-008", 'B' },
		{ "OTH", m_bad_jc, "joint_committee_dimona_value", "00046-003", 'B' },
		{ "OTH", m_bad_type, "worker_type_valid", "00655-003", 'B' },
		{ "OTH", m_bad_inss, "inss_valid", "00024-003", 'B' },
		{ "OTH", m_no_inss, "worker_identity_required", "90017-363", 'B' },
		{ "OTH", m_no_employer, "employer_id_required", "90256-364", 'B' },
		{ "OTH", m_bad_noss, "employer_noss_valid", "00011-003", 'B' },
		{ "OTH", m_late, "deadline_in_before_start", "90373-460", 'W' },
		{ "EXT", m_late, "deadline_in_before_start", "90373-460", 'W' },
		{ "OTH", m_place_oth, "student_place_of_work_only_for_students", "00776-005", 'B' },
		{ "FLX", m_far_future, "flexi_not_too_early", "00910-008", 'B' },
		{ "O17", m_far_future, "art17_not_too_early", "00910-008", 'B' },
		{ "T17", m_far_future, "art17_not_too_early", "00910-008", 'B' },
		{ "T17", m_a17, "a17_closed", "00910-008", 'B' },
		{ "OTH", m_jc124, "construction_cards_required", "00663-001", 'B' },
		{ "IVT", m_jc322, "using_employer_required", "90107-351", 'B' },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct contract c = base(cases[i].type);
		struct dimona_decl d = in_of(&c);
		struct dimona_findings f;
		cases[i].mutate(&d.c, &d);
		size_t b = dimona_rules_check(&d, NULL, TODAY, 600, &f);
		if (!has(&f, cases[i].check, cases[i].code)) {
			fprintf(stderr, "case %zu (%s %s) got:\n", i, cases[i].type, cases[i].check);
			dimona_findings_print(&f, stderr);
		}
		assert_true(has(&f, cases[i].check, cases[i].code));
		if (cases[i].sev == 'W')
			assert_int_equal(b, 0);
		else
			assert_true(b >= 1);
	}
	/* Horeca day forfait: an EXT in 302 without an ending hour is fine. */
	struct contract c = base("EXT");
	c.end_time = -1;
	struct dimona_decl d = in_of(&c);
	struct dimona_findings f;
	assert_int_equal(dimona_rules_check(&d, NULL, TODAY, 600, &f), 0);
	/* The late warning also fires on the start day after the start hour. */
	c = base("EXT");
	c.start_date = c.end_date = TODAY;
	d = in_of(&c);
	assert_int_equal(dimona_rules_check(&d, NULL, TODAY, 17 * 60, &f), 0);
	assert_int_equal(f.n, 0);
	dimona_rules_check(&d, NULL, TODAY, 19 * 60, &f);
	assert_true(has(&f, "deadline_in_before_start", "90373-460"));
}

/* FB 90594 (SmallStatutesInformation) is required for IVT, TRI and STG:
 * without it the ONSS answers 01231-001, so the gateway refuses such an
 * IN before sending, naming the block's first zone, and nothing else is
 * wrong with those contracts. Other types are untouched. */
static void
test_small_statutes(void **state)
{
	(void)state;
	const char *need[] = { "IVT", "TRI", "STG" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		struct contract c = base(need[i]);
		struct dimona_decl d = in_of(&c);
		struct dimona_findings f;
		assert_int_equal(dimona_rules_check(&d, NULL, TODAY, 600, &f), 1);
		assert_int_equal(f.n, 1);
		assert_true(has(&f, "small_statutes_required", "01231-001"));
		assert_string_equal(f.f[0].field, "SmallStatutesInformation/EmploymentNature");
		assert_int_equal(f.f[0].severity, 'B');
	}
	const char *free_of_it[] = { "OTH", "STU", "EXT", "FLX", "O17", "S17", "T17" };
	for (size_t i = 0; i < sizeof free_of_it / sizeof free_of_it[0]; i++) {
		struct contract c = base(free_of_it[i]);
		struct dimona_decl d = in_of(&c);
		struct dimona_findings f;
		dimona_rules_check(&d, NULL, TODAY, 600, &f);
		assert_false(has(&f, "small_statutes_required", "01231-001"));
	}
}

static void
test_followups_without_ledger(void **state)
{
	(void)state;
	struct contract c = base("OTH");
	struct dimona_decl d = in_of(&c);
	struct dimona_findings f;
	d.action = DIMONA_OUT;
	d.c.end_date = 20260320;
	dimona_rules_check(&d, NULL, TODAY, 600, &f);
	assert_true(has(&f, "period_id_required", "00913-001"));
	snprintf(d.period_id, sizeof d.period_id, "12A");
	dimona_rules_check(&d, NULL, TODAY, 600, &f);
	assert_true(has(&f, "period_id_format", "00913-003"));
	snprintf(d.period_id, sizeof d.period_id, "600027876089");
	assert_int_equal(dimona_rules_check(&d, NULL, TODAY, 600, &f), 0);
	assert_int_equal(f.n, 0);
	/* OUT due by the first working day after the end: 2026-02-27 is a
	 * Friday, so Monday 03-02 is still in time, Tuesday 03-03 is late. */
	d.c.end_date = 20260227;
	assert_int_equal(dimona_rules_check(&d, NULL, 20260302, 600, &f), 0);
	assert_int_equal(f.n, 0);
	dimona_rules_check(&d, NULL, 20260303, 600, &f);
	assert_true(has(&f, "deadline_out_next_working_day", ""));
	d.c.end_date = 0;
	dimona_rules_check(&d, NULL, TODAY, 600, &f);
	assert_true(has(&f, "end_date_required", "00911-001"));
	/* CANCEL at the latest on the start date. */
	d = in_of(&c);
	d.action = DIMONA_CANCEL;
	snprintf(d.period_id, sizeof d.period_id, "600027876089");
	assert_int_equal(dimona_rules_check(&d, NULL, 20260310, 600, &f), 0);
	assert_int_equal(f.n, 0);
	dimona_rules_check(&d, NULL, 20260311, 600, &f);
	assert_true(has(&f, "deadline_cancel_by_start", ""));
	/* UPDATE of a student moving into the next quarter. */
	c = base("STU");
	d = in_of(&c);
	d.action = DIMONA_UPDATE;
	snprintf(d.period_id, sizeof d.period_id, "600027876089");
	d.c.end_date = 20260405;
	dimona_rules_check(&d, NULL, TODAY, 600, &f);
	assert_true(has(&f, "same_quarter", "90378-421"));
}

/* ---- a small in-memory ledger ---- */

struct mem_ledger {
	struct dimona_period p[16];
	size_t n;
};

static gw_rc
mem_find(void *ctx, const char *id, struct dimona_period *out)
{
	struct mem_ledger *l = ctx;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->p[i].id, id) == 0) {
			*out = l->p[i];
			return GW_OK;
		}
	return GW_ENOTFOUND;
}

static gw_rc
mem_each(void *ctx, const char *noss, const char *worker,
         int (*fn)(const struct dimona_period *, void *), void *arg)
{
	struct mem_ledger *l = ctx;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->p[i].noss, noss) == 0 && strcmp(l->p[i].worker, worker) == 0 && fn(&l->p[i], arg))
			break;
	return GW_OK;
}

static void
mem_add(struct mem_ledger *l, const struct dimona_decl *d, const char *id)
{
	dimona_period_from_in(d, &l->p[l->n]);
	snprintf(l->p[l->n].id, sizeof l->p[l->n].id, "%s", id);
	l->n++;
}

static void
test_ledger_rules(void **state)
{
	(void)state;
	struct mem_ledger m = { .n = 0 };
	struct dimona_ledger l = { &m, mem_find, mem_each };
	struct dimona_findings f;
	struct contract c = base("OTH");
	c.end_date = 20260315;
	struct dimona_decl d = in_of(&c);

	assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);
	mem_add(&m, &d, "100000000001");
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "no_duplicate_period", "90373-333"));
	d.c.start_date = 20260312;
	d.c.end_date = 20260320;
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "no_overlapping_period", "90373-334"));
	d.c.start_date = 20260316;
	assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);
	/* Another employer is no overlap. */
	d.c.start_date = 20260312;
	snprintf(d.c.employer_noss, sizeof d.c.employer_noss, "123456749");
	assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);

	/* Follow-ups need a known, live period. */
	d = in_of(&c);
	d.action = DIMONA_CANCEL;
	snprintf(d.period_id, sizeof d.period_id, "999999999999");
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "period_known", "00913-354"));
	snprintf(d.period_id, sizeof d.period_id, "100000000001");
	assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);
	m.p[0].cancelled = 1;
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "period_not_cancelled", "00913-355"));
	m.p[0].cancelled = 0;
	d.action = DIMONA_OUT;
	d.c.end_date = 20260309;
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "end_not_before_start", "00911-014"));

	/* UPDATE moving onto another live period overlaps; onto itself not. */
	struct contract c2 = base("OTH");
	c2.start_date = 20260401;
	c2.end_date = 20260405;
	struct dimona_decl d2 = in_of(&c2);
	mem_add(&m, &d2, "100000000002");
	d = in_of(&c);
	d.action = DIMONA_UPDATE;
	snprintf(d.period_id, sizeof d.period_id, "100000000001");
	d.c.start_date = 20260311;
	d.c.end_date = 20260402;
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "no_overlapping_period", "90378-334"));
	d.c.end_date = 20260320;
	assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);

	/* A student period is updated without a starting date. */
	struct contract s3 = base("STU");
	s3.start_date = s3.end_date = 20260501;
	struct dimona_decl d3 = in_of(&s3);
	mem_add(&m, &d3, "100000000003");
	d3.action = DIMONA_UPDATE;
	snprintf(d3.period_id, sizeof d3.period_id, "100000000003");
	d3.c.end_date = 20260503;
	d3.c.planned_hours = 24;
	char *js;
	size_t n;
	assert_int_equal(dimona_to_json(&d3, &js, &n), GW_OK);
	assert_null(strstr(js, "startDate"));
	struct dimona_decl back;
	char err[200];
	assert_int_equal(dimona_from_json(js, n, &back, err, sizeof err), GW_OK);
	free(js);
	assert_int_equal(dimona_rules_check(&back, &l, TODAY, 600, &f), 0);
	back.c.start_date = 20260502;
	dimona_rules_check(&back, &l, TODAY, 600, &f);
	assert_true(has(&f, "no_start_date_in_student_update", "00910-005"));
	assert_int_equal(dimona_form_to_xml(&d3, &js, &n), GW_OK);
	assert_null(strstr(js, "StartingDate"));
	free(js);
}

static void
test_ext_third_day(void **state)
{
	(void)state;
	struct mem_ledger m = { .n = 0 };
	struct dimona_ledger l = { &m, mem_find, mem_each };
	struct dimona_findings f;
	struct contract c = base("EXT");
	char id[16];
	for (int i = 0; i < 2; i++) {
		c.start_date = c.end_date = 20260310 + i;
		struct dimona_decl d = in_of(&c);
		assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);
		snprintf(id, sizeof id, "20000000000%d", i);
		mem_add(&m, &d, id);
	}
	c.start_date = c.end_date = 20260312;
	struct dimona_decl d = in_of(&c);
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "ext_at_most_two_consecutive_days", "00910-459"));
	/* A day before the run also makes three. */
	d.c.start_date = d.c.end_date = 20260309;
	dimona_rules_check(&d, &l, TODAY, 600, &f);
	assert_true(has(&f, "ext_at_most_two_consecutive_days", "00910-459"));
	/* With a gap it is fine. */
	d.c.start_date = d.c.end_date = 20260313;
	assert_int_equal(dimona_rules_check(&d, &l, TODAY, 600, &f), 0);
}

static void
test_merge_ext_series(void **state)
{
	(void)state;
	struct dimona_decl v[6];
	size_t n = 0;
	struct contract c = base("EXT");
	for (int i = 0; i < 3; i++) {     /* 10, 11, 12 March: one run of three */
		c.start_date = c.end_date = 20260310 + i;
		snprintf(c.contract_id, sizeof c.contract_id, "R%d", i);
		v[n++] = in_of(&c);
	}
	c.start_date = c.end_date = 20260320;   /* alone */
	v[n++] = in_of(&c);
	c.start_date = c.end_date = 20260321;   /* a run of two stays EXT */
	v[n++] = in_of(&c);
	struct contract o = base("EXT");
	snprintf(o.worker_inss, sizeof o.worker_inss, "85122400775");
	o.start_date = o.end_date = 20260311;   /* another worker */
	v[n++] = in_of(&o);
	size_t runs;
	assert_int_equal(dimona_merge_ext_series(v, &n, &runs), GW_OK);
	assert_int_equal(runs, 1);
	assert_int_equal(n, 4);
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].c.worker_type, "OTH") == 0) {
			found++;
			assert_int_equal(v[i].c.start_date, 20260310);
			assert_int_equal(v[i].c.end_date, 20260312);
			assert_int_equal(v[i].c.start_time, -1);
			assert_string_equal(v[i].jc, "302");
			struct dimona_findings f;
			assert_int_equal(dimona_rules_check(&v[i], NULL, TODAY, 600, &f), 0);
		}
	}
	assert_int_equal(found, 1);
}

/* ---- JSON ---- */

static void
test_json_roundtrip(void **state)
{
	(void)state;
	const char *types[] = { "OTH", "STU", "EXT", "FLX" };
	for (size_t i = 0; i < 4; i++) {
		struct contract c = base(types[i]);
		if (strcmp(types[i], "STU") == 0) {
			c.has_place_of_work = true;
			snprintf(c.place_of_work_name, sizeof c.place_of_work_name, "Théâtre \"Le Rideau\"");
			snprintf(c.place_of_work.street, sizeof c.place_of_work.street, "Rue Goffart");
			snprintf(c.place_of_work.house_number, sizeof c.place_of_work.house_number, "7a");
			snprintf(c.place_of_work.postcode, sizeof c.place_of_work.postcode, "1050");
			snprintf(c.place_of_work.municipality, sizeof c.place_of_work.municipality, "Ixelles");
		}
		struct dimona_decl d = in_of(&c), back;
		char *js, err[200];
		size_t len;
		assert_int_equal(dimona_to_json(&d, &js, &len), GW_OK);
		assert_int_equal(dimona_from_json(js, len, &back, err, sizeof err), GW_OK);
		assert_int_equal(back.action, DIMONA_IN);
		assert_string_equal(back.c.worker_inss, c.worker_inss);
		assert_string_equal(back.c.employer_noss, c.employer_noss);
		assert_string_equal(back.c.employer_kbo, c.employer_kbo);
		assert_string_equal(back.jc, d.jc);
		assert_string_equal(back.c.worker_type, c.worker_type);
		assert_int_equal(back.c.start_date, c.start_date);
		assert_int_equal(back.c.end_date, c.end_date);
		assert_int_equal(back.c.start_time, c.start_time);
		assert_int_equal(back.c.end_time, c.end_time);
		assert_int_equal(back.c.planned_hours, c.planned_hours);
		assert_int_equal(back.c.has_place_of_work, c.has_place_of_work);
		assert_string_equal(back.c.place_of_work_name, c.place_of_work_name);
		if (strcmp(types[i], "EXT") == 0) {
			assert_non_null(strstr(js, "\"startHour\":\"1800\""));
			assert_non_null(strstr(js, "\"endHour\":\"2330\""));
			assert_non_null(strstr(js, "\"jointCommissionNumber\":\"302\""));
		}
		if (strcmp(types[i], "OTH") == 0)
			assert_null(strstr(js, "plannedHoursNumber"));
		free(js);
	}
	/* Worker without INSS: the identity block. */
	struct contract c = base("OTH");
	c.worker_inss[0] = '\0';
	snprintf(c.worker_last_name, sizeof c.worker_last_name, "Kowalska");
	snprintf(c.worker_first_name, sizeof c.worker_first_name, "Zofia");
	c.worker_birth_date = 19950417;
	snprintf(c.worker_birth_place, sizeof c.worker_birth_place, "Kraków");
	c.worker_birth_country = 122;
	c.worker_sex = 2;
	c.worker_nationality = 122;
	snprintf(c.worker_address.street, sizeof c.worker_address.street, "ul. Długa");
	snprintf(c.worker_address.house_number, sizeof c.worker_address.house_number, "12");
	snprintf(c.worker_address.postcode, sizeof c.worker_address.postcode, "31-147");
	snprintf(c.worker_address.municipality, sizeof c.worker_address.municipality, "Kraków");
	c.worker_address.country = 122;
	struct dimona_decl d = in_of(&c), back;
	struct dimona_findings f;
	assert_int_equal(dimona_rules_check(&d, NULL, TODAY, 600, &f), 0);
	char *js, err[200];
	size_t len;
	assert_int_equal(dimona_to_json(&d, &js, &len), GW_OK);
	assert_null(strstr(js, "ssin"));
	/* v2 as the production clients send it (docs/dimona.md): placeOfBirth
	 * and countryOfBirth, the municipality with its NIS code (99999: the
	 * records carry none). */
	assert_non_null(strstr(js, "\"placeOfBirth\":\"Krak\u00f3w\"") ||
	    strstr(js, "\"placeOfBirth\":\"Krak\xc3\xb3w\""));
	assert_non_null(strstr(js, "\"countryOfBirth\":122"));
	assert_null(strstr(js, "birthPlace"));
	assert_non_null(strstr(js, "\"municipality\":{\"name\":\"Krak"));
	assert_non_null(strstr(js, "\"code\":99999}"));
	assert_int_equal(dimona_from_json(js, len, &back, err, sizeof err), GW_OK);
	assert_string_equal(back.c.worker_birth_place, "Kraków");
	assert_int_equal(back.c.worker_birth_country, 122);
	assert_string_equal(back.c.worker_last_name, "Kowalska");
	assert_int_equal(back.c.worker_birth_date, 19950417);
	assert_int_equal(back.c.worker_sex, 2);
	assert_string_equal(back.c.worker_address.municipality, "Kraków");
	assert_int_equal(back.c.worker_address.country, 122);
	free(js);
	/* Follow-ups carry the period id. */
	d = in_of(&c);
	d.action = DIMONA_CANCEL;
	assert_int_equal(dimona_to_json(&d, &js, &len), GW_EINPUT);   /* no period id */
	snprintf(d.period_id, sizeof d.period_id, "600027876089");
	assert_int_equal(dimona_to_json(&d, &js, &len), GW_OK);
	assert_non_null(strstr(js, "\"dimonaCancel\":{\"periodId\":600027876089}"));
	assert_int_equal(dimona_from_json(js, len, &back, err, sizeof err), GW_OK);
	assert_int_equal(back.action, DIMONA_CANCEL);
	assert_string_equal(back.period_id, "600027876089");
	free(js);
	/* Malformed input names the field. */
	const char *bad[] = {
		"{", "[]", "{\"employer\":{}}",
		"{\"dimonaIn\":{\"startDate\":\"2026-13-01\"}}",
		"{\"dimonaIn\":{\"startHour\":\"930\"}}",
		"{\"dimonaIn\":{},\"dimonaOut\":{}}",
		/* a municipality without its NIS code, or with one out of range */
		"{\"worker\":{\"address\":{\"municipality\":{\"name\":\"Gent\"}}},\"dimonaIn\":{}}",
		"{\"worker\":{\"address\":{\"municipality\":{\"name\":\"Gent\",\"code\":0}}},\"dimonaIn\":{}}",
		"{\"dimonaOut\":{\"periodId\":\"x1\"}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(dimona_from_json(bad[i], strlen(bad[i]), &back, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "periodId"));
}

static void
test_result_json(void **state)
{
	(void)state;
	struct dimona_result r;
	char err[200];
	const char *ok = "{\"declarationStatus\":{\"declarationId\":656309296521,\"result\":\"W\","
	    "\"period\":{\"id\":656309292174},\"anomalies\":[{\"errorId\":\"90373-460\","
	    "\"labelNl\":\"Laattijdige aangifte\"}]}}";
	assert_int_equal(dimona_result_from_json(ok, strlen(ok), &r, err, sizeof err), GW_OK);
	assert_int_equal(r.status, 'W');
	assert_string_equal(r.period_id, "656309292174");
	assert_string_equal(r.declaration_id, "656309296521");
	assert_int_equal(r.n_anomalies, 1);
	assert_string_equal(r.anomalies[0].code, "90373-460");
	const char *refused = "{\"declarationStatus\":{\"declarationId\":\"7\",\"result\":\"B\","
	    "\"anomalies\":[{\"errorId\":\"90373-333\"},{\"errorId\":\"00910-459\"}]}}";
	assert_int_equal(dimona_result_from_json(refused, strlen(refused), &r, err, sizeof err), GW_OK);
	assert_int_equal(r.status, 'B');
	assert_string_equal(r.period_id, "");
	assert_int_equal(r.n_anomalies, 2);
	/* The v2 shape (docs/dimona.md): anomaliesCollection and
	 * informationsCollection; when both names are there the collection
	 * wins, so nothing is counted twice. */
	const char *v2 = "{\"declarationStatus\":{\"declarationId\":12,\"result\":\"W\","
	    "\"period\":{\"id\":34},\"anomaliesCollection\":[{\"errorId\":\"90373-460\","
	    "\"labelFr\":\"D\u00e9claration tardive\"},{\"errorId\":\"00910-459\",\"field\":\"StartingDate\"}],"
	    "\"informationsCollection\":[{\"errorId\":\"90017-369\"}],"
	    "\"anomalies\":[{\"errorId\":\"99999-999\"}]}}";
	assert_int_equal(dimona_result_from_json(v2, strlen(v2), &r, err, sizeof err), GW_OK);
	assert_int_equal(r.status, 'W');
	assert_int_equal(r.n_anomalies, 2);
	assert_string_equal(r.anomalies[0].code, "90373-460");
	assert_string_equal(r.anomalies[1].code, "00910-459");
	assert_string_equal(r.anomalies[1].field, "StartingDate");
	assert_int_equal(r.n_informations, 1);
	assert_string_equal(r.informations[0].code, "90017-369");
	/* The simulator answers in that shape, and the client reads it back. */
	char *js;
	size_t len;
	assert_int_equal(dimona_result_to_json(&r, &js, &len), GW_OK);
	assert_non_null(strstr(js, "\"anomaliesCollection\":[{\"errorId\":\"90373-460\""));
	assert_non_null(strstr(js, "\"informationsCollection\":[{\"errorId\":\"90017-369\""));
	assert_null(strstr(js, "\"anomalies\":"));
	struct dimona_result back;
	assert_int_equal(dimona_result_from_json(js, len, &back, err, sizeof err), GW_OK);
	assert_int_equal(back.n_anomalies, 2);
	assert_int_equal(back.n_informations, 1);
	assert_string_equal(back.anomalies[1].field, "StartingDate");
	free(js);
	const char *bad[] = {
		"{\"declarationStatus\":{\"result\":\"B\",\"anomaliesCollection\":{}}}",
		"{\"declarationStatus\":{\"result\":\"B\",\"informationsCollection\":[{\"x\":1}]}}",
		"{\"declarationStatus\":{\"result\":\"A\"}}",            /* accepted without period */
		"{\"declarationStatus\":{\"result\":\"X\"}}",
		"{\"declarationStatus\":{\"result\":\"A\",\"period\":{\"id\":", /* truncated */
		"{}", "null",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(dimona_result_from_json(bad[i], strlen(bad[i]), &r, err, sizeof err), GW_EINPUT);
}

/* ---- XML, against the official XSD and the project's own ---- */

static xmlSchemaPtr
load_schema(const char *path)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
	assert_non_null(pc);
	xmlSchemaPtr s = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (s == NULL)
		fprintf(stderr, "cannot load schema %s\n", path);
	assert_non_null(s);
	return s;
}

static int
validates(xmlSchemaPtr s, const char *doc, size_t len)
{
	xmlDocPtr x = xmlReadMemory(doc, (int)len, "dimona.xml", NULL, XML_PARSE_NONET);
	assert_non_null(x);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
	int rc = xmlSchemaValidateDoc(vc, x);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(x);
	return rc == 0;
}

static void
path_of(char *out, size_t cap, const char *rel, int official)
{
	const char *ref = getenv("REF"), *top = getenv("TOP");
	if (official)
		snprintf(out, cap, "%s/%s", ref ? ref : "../shared/reference", rel);
	else
		snprintf(out, cap, "%s/%s", top ? top : ".", rel);
}

static void
test_xml_validates(void **state)
{
	(void)state;
	char p1[512], p2[512];
	path_of(p1, sizeof p1, "onss/xsd/Dimona_20231.xsd", 1);
	path_of(p2, sizeof p2, "schemas/dimona/Dimona.xsd", 0);
	xmlSchemaPtr official = load_schema(p1), own = load_schema(p2);
	struct dimona_decl v[16];
	size_t n = 0;
	const char *types[] = { "OTH", "STU", "EXT", "FLX", "O17", "S17", "T17", "IVT", "TRI", "STG" };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct contract c = base(types[i]);
		if (i == 1) {
			c.has_place_of_work = true;
			snprintf(c.place_of_work_name, sizeof c.place_of_work_name, "Café <&> Zürich");
			snprintf(c.place_of_work.street, sizeof c.place_of_work.street, "Grote Markt");
			snprintf(c.place_of_work.house_number, sizeof c.place_of_work.house_number, "1");
			snprintf(c.place_of_work.postcode, sizeof c.place_of_work.postcode, "1000");
			snprintf(c.place_of_work.municipality, sizeof c.place_of_work.municipality, "Brussel");
		}
		v[n++] = in_of(&c);
	}
	struct contract c = base("OTH");
	c.worker_inss[0] = '\0';
	snprintf(c.worker_last_name, sizeof c.worker_last_name, "Nowak");
	snprintf(c.worker_first_name, sizeof c.worker_first_name, "Jan");
	c.worker_birth_date = 19880101;
	snprintf(c.worker_birth_place, sizeof c.worker_birth_place, "Łódź");
	c.worker_birth_country = 122;
	c.worker_sex = 1;
	c.worker_nationality = 122;
	snprintf(c.worker_address.street, sizeof c.worker_address.street, "Piotrkowska");
	snprintf(c.worker_address.house_number, sizeof c.worker_address.house_number, "3");
	snprintf(c.worker_address.postcode, sizeof c.worker_address.postcode, "90-001");
	snprintf(c.worker_address.municipality, sizeof c.worker_address.municipality, "Łódź");
	c.worker_address.country = 122;
	v[n++] = in_of(&c);
	struct contract e = base("EXT");
	e.end_time = -1;                      /* Horeca day forfait */
	snprintf(e.contract_id, sizeof e.contract_id, "a-contract-id-longer-than-twenty");
	v[n++] = in_of(&e);
	for (int a = DIMONA_OUT; a <= DIMONA_CANCEL; a++) {
		struct contract k = base(a == DIMONA_UPDATE ? "STU" : "OTH");
		k.end_date = 20260331;
		struct dimona_decl d = in_of(&k);
		d.action = (enum dimona_action)a;
		snprintf(d.period_id, sizeof d.period_id, "600027876089");
		v[n++] = d;
	}
	/* Each form alone, then all together. */
	for (size_t i = 0; i < n; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		assert_int_equal(dimona_document_to_xml(&v[i], 1, m), GW_OK);
		fclose(m);
		if (!validates(official, buf, len) || !validates(own, buf, len))
			fprintf(stderr, "form %zu does not validate:\n%s\n", i, buf);
		assert_true(validates(official, buf, len));
		assert_true(validates(own, buf, len));
		/* Parse the form back. */
		xmlDocPtr x = xmlReadMemory(buf, (int)len, "d.xml", NULL, XML_PARSE_NONET);
		xmlNodePtr form = xmlDocGetRootElement(x)->children;
		while (form && form->type != XML_ELEMENT_NODE)
			form = form->next;
		struct dimona_decl back;
		char err[200];
		assert_int_equal(dimona_from_xml_form(form, &back, err, sizeof err), GW_OK);
		assert_int_equal(back.action, v[i].action);
		assert_string_equal(back.period_id, v[i].period_id);
		if (v[i].action == DIMONA_IN) {
			assert_string_equal(back.c.worker_type, v[i].c.worker_type);
			assert_string_equal(back.jc, v[i].jc);
			assert_int_equal(back.c.start_date, v[i].c.start_date);
			assert_int_equal(back.c.end_date, v[i].c.end_date);
			assert_int_equal(back.c.planned_hours, v[i].c.planned_hours);
			struct dimona_findings f1, f2;
			assert_int_equal(dimona_rules_check(&back, NULL, TODAY, 600, &f1),
			    dimona_rules_check(&v[i], NULL, TODAY, 600, &f2));
		}
		xmlFreeDoc(x);
		free(buf);
	}
	char *all = NULL;
	size_t alen = 0;
	FILE *m = open_memstream(&all, &alen);
	assert_int_equal(dimona_document_to_xml(v, n, m), GW_OK);
	fclose(m);
	assert_true(validates(official, all, alen));
	assert_true(validates(own, all, alen));
	assert_non_null(strstr(all, "<StartingHour>1800</StartingHour>"));
	assert_non_null(strstr(all, "Caf\xc3\xa9 &lt;&amp;&gt; Z\xc3\xbcrich"));
	assert_non_null(strstr(all, "<ReferenceNbr>a-contract-"));
	free(all);

	/* Both schemas refuse the same broken documents. */
	const char *broken[] = {
		"<Dimona><Form><Identification>DIMONA</Identification><FormCreationDate>2026-03-01</FormCreationDate>"
		"<FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
		"<TypeForm>SU</TypeForm><DimonaIn><StartingDate>2026-03-10</StartingDate><StartingHour>930</StartingHour>"
		"<EmployerId><NOSSRegistrationNbr>175110801</NOSSRegistrationNbr></EmployerId><NaturalPerson>"
		"<INSS>90051212384</INSS></NaturalPerson><DimonaFeatures><JointCommissionNbr>302</JointCommissionNbr>"
		"<WorkerType>EXT</WorkerType></DimonaFeatures></DimonaIn></Form></Dimona>",
		"<Dimona><Form><Identification>DIMONA</Identification><FormCreationDate>2026-03-01</FormCreationDate>"
		"<FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
		"<TypeForm>SU</TypeForm><DimonaIn><StartingDate>2026-03-10</StartingDate>"
		"<EmployerId><NOSSRegistrationNbr>175110801</NOSSRegistrationNbr></EmployerId><NaturalPerson>"
		"<INSS>90051212384</INSS></NaturalPerson><DimonaFeatures><JointCommissionNbr>304</JointCommissionNbr>"
		"<WorkerType>OTH</WorkerType></DimonaFeatures></DimonaIn></Form></Dimona>",
		"<Dimona><Form><Identification>DIMONA</Identification><FormCreationDate>2026-03-01</FormCreationDate>"
		"<FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
		"<TypeForm>SU</TypeForm><DimonaCancel><INSS>90051212384</INSS></DimonaCancel></Form></Dimona>",
	};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		assert_false(validates(official, broken[i], strlen(broken[i])));
		assert_false(validates(own, broken[i], strlen(broken[i])));
	}
	xmlSchemaFree(official);
	xmlSchemaFree(own);
}

static void
test_xml_refuses_long_values(void **state)
{
	(void)state;
	struct contract c = base("OTH");
	c.worker_inss[0] = '\0';
	snprintf(c.worker_last_name, sizeof c.worker_last_name, "Nowak");
	snprintf(c.worker_first_name, sizeof c.worker_first_name, "Aleksandra-Magdalena-Joanna");  /* 27 > 24 */
	struct dimona_decl d = in_of(&c);
	char *s = NULL;
	size_t n;
	assert_int_equal(dimona_form_to_xml(&d, &s, &n), GW_EINPUT);
	assert_null(s);
}

/* The official samples read back into the model (the batch simulator's
 * path): the IN forms parse with their values, the daily registration is
 * not a declaration this gateway makes. */
static void
test_official_samples(void **state)
{
	(void)state;
	char path[512], err[200];
	struct dimona_decl d;
	struct { const char *file; int ok; const char *type, *jc, *inss; gw_ymd start; gw_hm st, et; } t[] = {
		{ "onss/samples/Dimona_20231_1.xml", 1, "TRI", "XXX", "01410199955", 20230208, -1, -1 },
		{ "onss/samples/Dimona_20231_2.xml", 1, "EXT", "302", "01410199955", 20230108, 600, 1200 },
		{ "onss/samples/Dimona_20231_3.xml", 0, NULL, NULL, NULL, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		path_of(path, sizeof path, t[i].file, 1);
		xmlDocPtr x = xmlReadFile(path, NULL, XML_PARSE_NONET);
		assert_non_null(x);
		xmlNodePtr form = xmlDocGetRootElement(x)->children;
		while (form && form->type != XML_ELEMENT_NODE)
			form = form->next;
		gw_rc rc = dimona_from_xml_form(form, &d, err, sizeof err);
		if (!t[i].ok) {
			assert_int_equal(rc, GW_EINPUT);
			xmlFreeDoc(x);
			continue;
		}
		assert_int_equal(rc, GW_OK);
		assert_int_equal(d.action, DIMONA_IN);
		assert_string_equal(d.c.worker_type, t[i].type);
		assert_string_equal(d.jc, t[i].jc);
		assert_string_equal(d.c.worker_inss, t[i].inss);
		assert_string_equal(d.c.employer_noss, "175110801");
		assert_int_equal(d.c.start_date, t[i].start);
		assert_int_equal(d.c.end_date, t[i].start);
		assert_int_equal(d.c.start_time, t[i].st);
		assert_int_equal(d.c.end_time, t[i].et);
		/* Written back, the form is valid again. */
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		assert_int_equal(dimona_document_to_xml(&d, 1, m), GW_OK);
		fclose(m);
		char xsd[512];
		path_of(xsd, sizeof xsd, "onss/xsd/Dimona_20231.xsd", 1);
		xmlSchemaPtr s1 = load_schema(xsd);
		assert_true(validates(s1, buf, len));
		xmlSchemaFree(s1);
		free(buf);
		xmlFreeDoc(x);
	}
}

/* Every code a check cites is an anomaly of the Dimona glossary (zones or
 * functional blocks, read from $REF), with its annex 30 labels. */
static void
test_codes_from_glossary(void **state)
{
	(void)state;
	char z[512], b[512];
	path_of(z, sizeof z, "onss/glossary/Zones_Dimona_20232_NL.xml", 1);
	path_of(b, sizeof b, "onss/glossary/FB_Dimona_20232_NL.xml", 1);
	xmlDocPtr dz = xmlReadFile(z, NULL, XML_PARSE_NONET), db = xmlReadFile(b, NULL, XML_PARSE_NONET);
	assert_non_null(dz);
	assert_non_null(db);
	size_t cited = 0;
	for (size_t k = 0; k < dimona_n_checks; k++) {
		char codes[64], *save = NULL;
		snprintf(codes, sizeof codes, "%s", dimona_checks[k].codes);
		for (char *c = strtok_r(codes, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
			int found = 0;
			xmlDocPtr docs[2] = { dz, db };
			for (int d = 0; d < 2 && !found; d++) {
				for (xmlNodePtr n = xmlDocGetRootElement(docs[d])->children; n && !found; n = n->next)
					for (xmlNodePtr a = n->children; a && !found; a = a->next) {
						if (a->type != XML_ELEMENT_NODE || xmlStrcmp(a->name, BAD_CAST "Anomalie"))
							continue;
						for (xmlNodePtr t = a->children; t && !found; t = t->next) {
							if (t->type != XML_ELEMENT_NODE || xmlStrcmp(t->name, BAD_CAST "AnomalieCode"))
								continue;
							xmlChar *v = xmlNodeGetContent(t);
							found = v && strcmp((const char *)v, c) == 0;
							xmlFree(v);
						}
					}
			}
			if (!found)
				fprintf(stderr, "%s: %s is not a Dimona glossary anomaly\n", dimona_checks[k].check, c);
			assert_true(found);
			const char *nl = NULL, *fr = NULL;
			assert_int_equal(onss_error_label(c, &nl, &fr), GW_OK);
			assert_non_null(nl);
			assert_non_null(fr);
			cited++;
		}
	}
	assert_true(cited >= 41);
	xmlFreeDoc(dz);
	xmlFreeDoc(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jc_derivation),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_clean_bases),
		cmocka_unit_test(test_named_rules),
		cmocka_unit_test(test_small_statutes),
		cmocka_unit_test(test_followups_without_ledger),
		cmocka_unit_test(test_ledger_rules),
		cmocka_unit_test(test_ext_third_day),
		cmocka_unit_test(test_merge_ext_series),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_result_json),
		cmocka_unit_test(test_xml_validates),
		cmocka_unit_test(test_xml_refuses_long_values),
		cmocka_unit_test(test_official_samples),
		cmocka_unit_test(test_codes_from_glossary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

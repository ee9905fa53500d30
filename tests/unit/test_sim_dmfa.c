/* test_sim_dmfa.c - the batch simulator's DmfA checks (sim/dmfa_check.h):
 * a small hand-written employer declaration that the glossary accepts as
 * it is, then one change per test that the glossary says the ONSS blocks
 * or reports, each expecting its anomaly code, the glossary's class and
 * label. The reference (glossary, code lists) is the official one, read
 * from $REF as the simulator reads it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "sim/dmfa_check.h"

/* Q4 2026, one part-time blue-collar worker in Horeca (JC 302), one
 * week of five days; the contribution line and NetOwedAmount agree. */
static const char BASE[] =
    "<EmployerDeclaration>"
    "<Quarter>20264</Quarter><NOSSRegistrationNbr>051234526</NOSSRegistrationNbr>"
    "<Trusteeship>0</Trusteeship><CompanyID>0456789034</CompanyID>"
    "<NetOwedAmount>24669</NetOwedAmount>"
    "<NaturalPerson><NaturalPersonSequenceNbr>0000001</NaturalPersonSequenceNbr>"
    "<INSS>80010100107</INSS>"
    "<WorkerRecord><EmployerClass>000</EmployerClass><WorkerCode>015</WorkerCode>"
    "<NOSSQuarterStartingDate>2026-10-01</NOSSQuarterStartingDate>"
    "<NOSSQuarterEndingDate>2026-12-31</NOSSQuarterEndingDate><Border>0</Border>"
    "<Occupation><OccupationSequenceNbr>01</OccupationSequenceNbr>"
    "<OccupationStartingDate>2026-10-05</OccupationStartingDate>"
    "<OccupationEndingDate>2026-10-09</OccupationEndingDate>"
    "<JointCommissionNbr>302</JointCommissionNbr><WorkingDaysSystem>500</WorkingDaysSystem>"
    "<ContractType>1</ContractType><RefMeanWorkingHours>3800</RefMeanWorkingHours>"
    "<MeanWorkingHours>1900</MeanWorkingHours><Retired>0</Retired>"
    "<LocalUnitID>2000000141</LocalUnitID><INFO/>"
    "<Service><ServiceSequenceNbr>01</ServiceSequenceNbr><ServiceCode>001</ServiceCode>"
    "<ServiceNbrDays>500</ServiceNbrDays><ServiceNbrHours>1900</ServiceNbrHours></Service>"
    "<Remun><RemunSequenceNbr>01</RemunSequenceNbr><RemunCode>001</RemunCode>"
    "<RemunAmount>60000</RemunAmount></Remun>"
    "</Occupation>"
    "<WorkerContribution><ContributionWorkerCode>015</ContributionWorkerCode>"
    "<ContributionType>1</ContributionType><ContributionCalculationBasis>64800</ContributionCalculationBasis>"
    "<ContributionAmount>24669</ContributionAmount></WorkerContribution>"
    "</WorkerRecord></NaturalPerson></EmployerDeclaration>";

static struct simd_ref *R;
static const struct simd_rates *RATES;   /* set by the line-amount test only */

static int
setup(void **state)
{
	char dir[600], err[512] = "";
	const char *ref = getenv("REF");
	(void)state;
	snprintf(dir, sizeof dir, "%s/onss", ref ? ref : "../shared/reference");
	if (simd_ref_load(dir, &R, err, sizeof err) != GW_OK) {
		fprintf(stderr, "reference: %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	simd_ref_free(R);
	return 0;
}

/* ---- a ledger of Dimona periods, for the cross-checks ---- */

static struct dimona_period periods[4];
static size_t n_periods;

static gw_rc
fake_each(void *ctx, const char *noss, const char *worker,
          int (*fn)(const struct dimona_period *p, void *arg), void *arg)
{
	(void)ctx;
	for (size_t i = 0; i < n_periods; i++)
		if (strcmp(periods[i].noss, noss) == 0 && strcmp(periods[i].worker, worker) == 0 &&
		    fn(&periods[i], arg))
			break;
	return GW_OK;
}

static const struct dimona_ledger LEDGER = { NULL, NULL, fake_each };

static void
period(const char *type, gw_ymd start, gw_ymd end)
{
	struct dimona_period *p = &periods[n_periods++];
	memset(p, 0, sizeof *p);
	snprintf(p->noss, sizeof p->noss, "051234526");
	snprintf(p->worker, sizeof p->worker, "80010100107");
	snprintf(p->worker_type, sizeof p->worker_type, "%s", type);
	snprintf(p->jc, sizeof p->jc, "302");
	p->start = start;
	p->end = end;
}

/* ---- running the checker on BASE with up to two changes ---- */

static void
replace(char *buf, size_t cap, const char *from, const char *to)
{
	char *at = strstr(buf, from);
	assert_non_null(at);                      /* the test names a real fragment */
	size_t fl = strlen(from), tl = strlen(to), rest = strlen(at + fl);
	assert_true(strlen(buf) - fl + tl < cap);
	memmove(at + tl, at + fl, rest + 1);
	memcpy(at, to, tl);
}

/* BASE with each (from, to) pair of changes applied in turn. */
static struct simd_findings
runn(const char *const *pairs, size_t npairs, const struct dimona_ledger *l)
{
	static char buf[8192];
	struct simd_findings f = { 0 };
	snprintf(buf, sizeof buf, "%s", BASE);
	for (size_t k = 0; k + 1 < 2 * npairs; k += 2)
		if (pairs[k])
			replace(buf, sizeof buf, pairs[k], pairs[k + 1]);
	if (strstr(buf, "<INFO/>"))                /* where OccupationInformations would go */
		replace(buf, sizeof buf, "<INFO/>", "");
	xmlDoc *doc = xmlReadMemory(buf, (int)strlen(buf), "t.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	assert_int_equal(simd_check(R, xmlDocGetRootElement(doc), l, RATES, &f), GW_OK);
	for (size_t i = 0; i < f.n; i++)
		fprintf(stderr, "    %s %s %s=%s (%s) %s\n", f.v[i].code, f.v[i].cls, f.v[i].tag, f.v[i].value,
		    f.v[i].where, f.v[i].label ? f.v[i].label : "(no label)");
	xmlFreeDoc(doc);
	return f;
}

static struct simd_findings
run2(const char *f1, const char *t1, const char *f2, const char *t2, const struct dimona_ledger *l)
{
	const char *pairs[] = { f1, t1, f2, t2 };
	return runn(pairs, 2, l);
}

static struct simd_findings
run(const char *from, const char *to)
{
	return run2(from, to, NULL, NULL, NULL);
}

/* Index of code among the findings, -1 when absent; a code found must
 * carry the glossary's label and the expected class. */
static int
has(const struct simd_findings *f, const char *code, const char *cls)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0) {
			assert_non_null(f->v[i].label);
			assert_string_equal(f->v[i].cls, cls);
			return (int)i;
		}
	return -1;
}

/* The one anomaly a change must cause (and, for class B, refuse with). */
static void
expect_only(const char *from, const char *to, const char *code, const char *cls)
{
	struct simd_findings f = run(from, to);
	assert_true(has(&f, code, cls) >= 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.blocking, strcmp(cls, "B") == 0 ? 1 : 0);
	simd_findings_free(&f);
}

/* ---- the tests ---- */

/* 00085-044: each contribution line recomputed from its basis and the
 * simulator's own rate. BASE's line: 015, type 1, category 000, basis
 * 648.00 EUR; at 43.64 % the ONSS computes 648.00 x 0.4364 = 282.7872,
 * i.e. 282.79 EUR = 28279 cents; BASE declares 24669 (38.07 %). */
static void
test_line_amounts(void **state)
{
	(void)state;
	static const char table[] =
	    "# a comment\n"
	    "20181 015 1 000 43.64 | the category's own line\n"
	    "20241 015 1 *   40.00 | newer, but for any other category\n";
	struct simd_rates *rates = NULL;
	char err[256];
	long long e4 = 0;
	assert_int_equal(simd_rates_parse(table, "t", &rates, err, sizeof err), GW_OK);
	assert_true(simd_rates_get(rates, 20264, "015", 1, "000", &e4));
	assert_int_equal(e4, 4364);
	assert_true(simd_rates_get(rates, 20264, "015", 1, "017", &e4));
	assert_int_equal(e4, 4000);
	assert_false(simd_rates_get(rates, 20174, "015", 1, "000", &e4));   /* before 2018/1 */
	assert_false(simd_rates_get(rates, 20264, "015", 0, "000", &e4));   /* no type 0 line */
	RATES = rates;
	struct simd_findings f = run(NULL, NULL);
	int i = has(&f, "00085-044", "P");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].value, "24669 (computed 28279)");
	assert_int_equal(f.n, 1);
	assert_int_equal(f.blocking, 0);                 /* class P: accepted with it */
	simd_findings_free(&f);
	f = run2("<ContributionAmount>24669", "<ContributionAmount>28279", "<NetOwedAmount>24669",
	    "<NetOwedAmount>28279", NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	f = run2("<ContributionAmount>24669", "<ContributionAmount>28278", "<NetOwedAmount>24669",
	    "<NetOwedAmount>28278", NULL);                   /* one cent short */
	i = has(&f, "00085-044", "P");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].value, "28278 (computed 28279)");
	simd_findings_free(&f);
	RATES = NULL;
	simd_rates_free(rates);
	/* A line without its source is refused, naming the line. */
	assert_int_equal(simd_rates_parse("20181 015 1 000 43.64\n", "t", &rates, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "t:1:"));
	assert_int_equal(simd_rates_parse("20181 015 1 000 143.64 | x\n", "t", &rates, err, sizeof err),
	    GW_EINPUT);
	/* The shipped table loads. */
	char path[600];
	const char *top = getenv("TOP");
	snprintf(path, sizeof path, "%s/schemas/dmfa/sim-rates.txt", top ? top : ".");
	assert_int_equal(simd_rates_load(path, &rates, err, sizeof err), GW_OK);
	assert_true(simd_rates_get(rates, 20264, "495", 0, "000", &e4));
	assert_int_equal(e4, 3807);
	simd_rates_free(rates);
}

static void
test_base_is_clean(void **state)
{
	(void)state;
	struct simd_findings f = run(NULL, NULL);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.blocking, 0);
	simd_findings_free(&f);
}

/* The 856 line as the gateway writes it (the official samples' form: type 0,
 * an amount, no basis) is accepted, and counts in NetOwedAmount:
 * 246.69 + 12.34 = 259.03 EUR. */
static void
test_special_ss_contribution_line(void **state)
{
	(void)state;
	struct simd_findings f = run2("<NetOwedAmount>24669</NetOwedAmount>", "<NetOwedAmount>25903</NetOwedAmount>",
	    "</WorkerRecord>", "<WorkerContribution><ContributionWorkerCode>856</ContributionWorkerCode>"
	    "<ContributionType>0</ContributionType><ContributionAmount>1234</ContributionAmount>"
	    "</WorkerContribution></WorkerRecord>", NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	/* Without it in NetOwedAmount the sum disagrees (00015-007). */
	f = run("</WorkerRecord>", "<WorkerContribution><ContributionWorkerCode>856</ContributionWorkerCode>"
	    "<ContributionType>0</ContributionType><ContributionAmount>1234</ContributionAmount>"
	    "</WorkerContribution></WorkerRecord>");
	assert_int_equal(f.n, 1);
	assert_true(has(&f, "00015-007", "B") >= 0);
	simd_findings_free(&f);
}

static void
test_reference_labels(void **state)
{
	(void)state;
	const char *label, *cls;
	/* The glossary's own words for the anomaly issue 13 is about. */
	assert_int_equal(simd_ref_anomaly(R, "00042-001", &label, &cls), GW_OK);
	assert_string_equal(label, "Niet aanwezig");
	assert_string_equal(cls, "B");
	/* From the Dimona functional blocks, for the cross-check. */
	assert_int_equal(simd_ref_anomaly(R, "90374-349", &label, &cls), GW_OK);
	assert_int_equal(simd_ref_anomaly(R, "99999-999", &label, &cls), GW_ENOTFOUND);
}

static void
test_local_unit_absent(void **state)
{
	(void)state;
	expect_only("<LocalUnitID>2000000141</LocalUnitID>", "", "00042-001", "B");
}

static void
test_path_of_an_anomaly(void **state)
{
	(void)state;
	/* The answer's Path names the worker line and the occupation. */
	struct simd_findings f = run("<LocalUnitID>2000000141</LocalUnitID>", "");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].inss, "80010100107");
	assert_string_equal(f.v[0].employer_class, "000");
	assert_string_equal(f.v[0].worker_code, "015");
	assert_string_equal(f.v[0].occupation, "01");
	simd_findings_free(&f);
	/* A contribution line is outside any occupation; the employer's
	 * total outside any worker line. */
	f = run2("<ContributionWorkerCode>015</ContributionWorkerCode>", "<ContributionWorkerCode>999</ContributionWorkerCode>",
	    "<NetOwedAmount>24669</NetOwedAmount>", "<NetOwedAmount>1</NetOwedAmount>", NULL);
	int i = has(&f, "00082-008", "B"), j = has(&f, "00015-007", "B");
	assert_true(i >= 0 && j >= 0);
	assert_string_equal(f.v[i].worker_code, "015");
	assert_string_equal(f.v[i].occupation, "");
	assert_string_equal(f.v[j].inss, "");
	assert_string_equal(f.v[j].worker_code, "");
	simd_findings_free(&f);
}

static void
test_local_unit_check_digits(void **state)
{
	(void)state;
	/* 20000001 mod 97 = 56, so the check number is 41, not 42. */
	expect_only("<LocalUnitID>2000000141</LocalUnitID>", "<LocalUnitID>2000000142</LocalUnitID>",
	    "00042-004", "B");
}

static void
test_local_unit_first_digit(void **state)
{
	(void)state;
	/* Right check number (10000000 mod 97 = 76, 97 - 76 = 21), but a
	 * sequence number must start with 2..8. */
	expect_only("<LocalUnitID>2000000141</LocalUnitID>", "<LocalUnitID>1000000021</LocalUnitID>",
	    "00042-003", "B");
}

static void
test_local_unit_length(void **state)
{
	(void)state;
	expect_only("<LocalUnitID>2000000141</LocalUnitID>", "<LocalUnitID>200000141</LocalUnitID>",
	    "00042-093", "B");
}

static void
test_local_unit_not_numeric(void **state)
{
	(void)state;
	expect_only("<LocalUnitID>2000000141</LocalUnitID>", "<LocalUnitID>20000001A1</LocalUnitID>",
	    "00042-002", "B");
}

static void
test_student_local_unit(void **state)
{
	(void)state;
	/* FB 90003: a student's contribution line needs it too from 2015/1. */
	struct simd_findings f = run("</WorkerRecord>",
	    "</WorkerRecord><WorkerRecord><EmployerClass>000</EmployerClass><WorkerCode>841</WorkerCode>"
	    "<StudentContribution><StudentRemunAmount>20000</StudentRemunAmount>"
	    "<StudentContributionAmount>0</StudentContributionAmount><StudentHoursNbr>20</StudentHoursNbr>"
	    "</StudentContribution></WorkerRecord>");
	assert_true(has(&f, "00042-001", "B") >= 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].where, "INSS 80010100107, student contribution");
	simd_findings_free(&f);
}

static void
test_worker_code_trainee(void **state)
{
	(void)state;
	/* Annex 2 lists 848, but the glossary excludes trainees from the DmfA. */
	expect_only("<WorkerCode>015</WorkerCode>", "<WorkerCode>848</WorkerCode>", "00037-008", "B");
}

static void
test_worker_code_absent(void **state)
{
	(void)state;
	expect_only("<WorkerCode>015</WorkerCode>", "", "00037-001", "B");
}

static void
test_start_absent(void **state)
{
	(void)state;
	expect_only("<OccupationStartingDate>2026-10-05</OccupationStartingDate>", "", "00044-001", "B");
}

static void
test_start_after_quarter(void **state)
{
	(void)state;
	/* (its end is then no longer compared with the start) */
	expect_only("<OccupationStartingDate>2026-10-05</OccupationStartingDate>",
	    "<OccupationStartingDate>2027-01-04</OccupationStartingDate>", "00044-008", "B");
}

static void
test_end_in_next_quarter(void **state)
{
	(void)state;
	/* A contract going on into 2027Q1 has no end date in 2026Q4. */
	expect_only("<OccupationEndingDate>2026-10-09</OccupationEndingDate>",
	    "<OccupationEndingDate>2027-01-08</OccupationEndingDate>", "00045-008", "B");
}

static void
test_end_before_start(void **state)
{
	(void)state;
	expect_only("<OccupationEndingDate>2026-10-09</OccupationEndingDate>",
	    "<OccupationEndingDate>2026-10-02</OccupationEndingDate>", "00045-014", "B");
}

static void
test_days_beyond_the_quarter(void **state)
{
	(void)state;
	/* 6 days declared on an occupation of 5 calendar days (5 to 9
	 * October): the days of another quarter declared here. */
	expect_only("<ServiceNbrDays>500</ServiceNbrDays>", "<ServiceNbrDays>600</ServiceNbrDays>",
	    "90015-095", "P");
}

static void
test_days_open_occupation(void **state)
{
	(void)state;
	/* Without an end date the occupation runs to 31 December: from 24
	 * December that is 8 calendar days, so 9 days are too many, 8 not. */
	struct simd_findings f = run2("<OccupationStartingDate>2026-10-05</OccupationStartingDate>"
	    "<OccupationEndingDate>2026-10-09</OccupationEndingDate>",
	    "<OccupationStartingDate>2026-12-24</OccupationStartingDate>",
	    "<ServiceNbrDays>500</ServiceNbrDays>", "<ServiceNbrDays>900</ServiceNbrDays>", NULL);
	assert_true(has(&f, "90015-095", "P") >= 0);
	assert_int_equal(f.n, 1);
	simd_findings_free(&f);
	f = run2("<OccupationStartingDate>2026-10-05</OccupationStartingDate>"
	    "<OccupationEndingDate>2026-10-09</OccupationEndingDate>",
	    "<OccupationStartingDate>2026-12-24</OccupationStartingDate>",
	    "<ServiceNbrDays>500</ServiceNbrDays>", "<ServiceNbrDays>800</ServiceNbrDays>", NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
}

static void
test_joint_committee_unknown(void **state)
{
	(void)state;
	expect_only("<JointCommissionNbr>302</JointCommissionNbr>", "<JointCommissionNbr>998</JointCommissionNbr>",
	    "00046-008", "B");
}

static void
test_joint_committee_shape(void **state)
{
	(void)state;
	expect_only("<JointCommissionNbr>302</JointCommissionNbr>", "<JointCommissionNbr>30.2</JointCommissionNbr>",
	    "00046-003", "B");
}

static void
test_joint_committee_absent(void **state)
{
	(void)state;
	expect_only("<JointCommissionNbr>302</JointCommissionNbr>", "", "00046-001", "B");
}

static void
test_mean_hours_q_domain(void **state)
{
	(void)state;
	expect_only("<MeanWorkingHours>1900</MeanWorkingHours>", "<MeanWorkingHours>4900</MeanWorkingHours>",
	    "00048-008", "B");
}

static void
test_mean_hours_q_zero(void **state)
{
	(void)state;
	/* Q is zero exactly when the days per week are zero. */
	expect_only("<MeanWorkingHours>1900</MeanWorkingHours>", "<MeanWorkingHours>0</MeanWorkingHours>",
	    "00048-008", "B");
}

static void
test_mean_hours_s_absent(void **state)
{
	(void)state;
	expect_only("<RefMeanWorkingHours>3800</RefMeanWorkingHours>", "", "00049-001", "B");
}

static void
test_mean_hours_q_absent(void **state)
{
	(void)state;
	expect_only("<MeanWorkingHours>1900</MeanWorkingHours>", "", "00048-001", "B");
}

static void
test_contract_type_domain(void **state)
{
	(void)state;
	expect_only("<ContractType>1</ContractType>", "<ContractType>2</ContractType>", "00050-008", "B");
}

static void
test_service_code_unknown(void **state)
{
	(void)state;
	expect_only("<ServiceCode>001</ServiceCode>", "<ServiceCode>099</ServiceCode>", "00062-008", "B");
}

static void
test_service_code_not_dmfa(void **state)
{
	(void)state;
	/* Annex 8 lists 301, but not for the DmfA. */
	expect_only("<ServiceCode>001</ServiceCode>", "<ServiceCode>301</ServiceCode>", "00062-008", "B");
}

static void
test_service_hours_part_time(void **state)
{
	(void)state;
	expect_only("<ServiceNbrHours>1900</ServiceNbrHours>", "", "00064-001", "B");
}

static void
test_service_days_absent(void **state)
{
	(void)state;
	expect_only("<ServiceNbrDays>500</ServiceNbrDays>", "", "00063-001", "B");
}

static void
test_remun_code_unknown(void **state)
{
	(void)state;
	expect_only("<RemunCode>001</RemunCode>", "<RemunCode>099</RemunCode>", "00067-008", "B");
}

static void
test_remun_amount_zero(void **state)
{
	(void)state;
	expect_only("<RemunAmount>60000</RemunAmount>", "<RemunAmount>0</RemunAmount>", "00070-008", "B");
}

static void
test_contribution_worker_code(void **state)
{
	(void)state;
	expect_only("<ContributionWorkerCode>015</ContributionWorkerCode>",
	    "<ContributionWorkerCode>999</ContributionWorkerCode>", "00082-008", "B");
}

static void
test_contribution_type_vs_worker_code(void **state)
{
	(void)state;
	/* Annex 3: a blue-collar code (0xx) takes type 0 or 1; type 2 only
	 * under employer category 754. */
	expect_only("<ContributionType>1</ContributionType>", "<ContributionType>2</ContributionType>",
	    "00083-030", "B");
	struct simd_findings f = run2("<ContributionType>1</ContributionType>", "<ContributionType>2</ContributionType>",
	    "<EmployerClass>000</EmployerClass>", "<EmployerClass>754</EmployerClass>", NULL);
	assert_int_equal(has(&f, "00083-030", "B"), -1);
	simd_findings_free(&f);
}

static void
test_net_owed_amount(void **state)
{
	(void)state;
	expect_only("<NetOwedAmount>24669</NetOwedAmount>", "<NetOwedAmount>24670</NetOwedAmount>",
	    "00015-007", "B");
}

static void
test_net_owed_amount_less_reductions(void **state)
{
	(void)state;
	/* A reduction of 5000 lowers what is owed: 24669 - 5000 = 19669. */
	struct simd_findings f = run2("</WorkerContribution>",
	    "</WorkerContribution><WorkerDeduction><DeductionCode>3000</DeductionCode>"
	    "<DeductionAmount>5000</DeductionAmount></WorkerDeduction>",
	    "<NetOwedAmount>24669</NetOwedAmount>", "<NetOwedAmount>19669</NetOwedAmount>", NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
}

/* Presence and format of the other zones, one change each: the zone
 * absent (-001), not numeric (-002), an invalid date (-003), a value out
 * of its domain (-008). */
static void
test_presence_and_format(void **state)
{
	static const struct { const char *from, *to, *code, *cls; } t[] = {
		{ "<Quarter>20264</Quarter>", "<Quarter>20265</Quarter>", "00013-008", "B" },
		{ "<NetOwedAmount>24669</NetOwedAmount>", "", "00015-001", "B" },
		{ "<NetOwedAmount>24669</NetOwedAmount>", "<NetOwedAmount>2466A</NetOwedAmount>", "00015-002", "B" },
		{ "<WorkerCode>015</WorkerCode>", "<WorkerCode>01A</WorkerCode>", "00037-002", "B" },
		{ "<OccupationStartingDate>2026-10-05</OccupationStartingDate>",
		  "<OccupationStartingDate>2026-13-05</OccupationStartingDate>", "00044-003", "B" },
		{ "<OccupationEndingDate>2026-10-09</OccupationEndingDate>",
		  "<OccupationEndingDate>2026-10-32</OccupationEndingDate>", "00045-003", "B" },
		{ "<ServiceCode>001</ServiceCode>", "", "00062-001", "B" },
		{ "<ServiceCode>001</ServiceCode>", "<ServiceCode>0A1</ServiceCode>", "00062-002", "B" },
		{ "<RemunCode>001</RemunCode>", "", "00067-001", "B" },
		{ "<RemunCode>001</RemunCode>", "<RemunCode>0A1</RemunCode>", "00067-002", "B" },
		{ "<ContributionWorkerCode>015</ContributionWorkerCode>", "", "00082-001", "B" },
		{ "<ContributionWorkerCode>015</ContributionWorkerCode>",
		  "<ContributionWorkerCode>01A</ContributionWorkerCode>", "00082-002", "B" },
		{ "<ContributionType>1</ContributionType>", "", "00083-001", "B" },
		{ "<ContributionType>1</ContributionType>", "<ContributionType>A</ContributionType>", "00083-002", "B" },
		{ "<ContributionType>1</ContributionType>", "<ContributionType>12</ContributionType>", "00083-008", "B" },
		{ "<ContributionAmount>24669</ContributionAmount>", "<ContributionAmount>2466A</ContributionAmount>",
		  "00085-002", "B" },
		{ "<INFO/>", "<OccupationInformations><HorecaExtra>X</HorecaExtra></OccupationInformations>",
		  "00795-008", "NP" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		fprintf(stderr, "  %s\n", t[i].code);
		expect_only(t[i].from, t[i].to, t[i].code, t[i].cls);
	}
	/* An absent contribution amount: 00085-001, and the total no longer
	 * matches what is owed. */
	struct simd_findings f = run("<ContributionAmount>24669</ContributionAmount>", "");
	assert_true(has(&f, "00085-001", "B") >= 0);
	assert_true(has(&f, "00015-007", "B") >= 0);
	assert_int_equal(f.n, 2);
	simd_findings_free(&f);
}

static const char EXTRA[] = "<OccupationInformations><HorecaExtra>E</HorecaExtra></OccupationInformations>";

static void
test_extra_outside_allowed_jc(void **state)
{
	(void)state;
	struct simd_findings f = run2("<INFO/>", EXTRA, "<JointCommissionNbr>302</JointCommissionNbr>",
	    "<JointCommissionNbr>200</JointCommissionNbr>", NULL);
	assert_true(has(&f, "90374-349", "B") >= 0);
	assert_int_equal(f.n, 1);
	simd_findings_free(&f);
	/* In Horeca (302) the same extra raises nothing. */
	f = run2("<INFO/>", EXTRA, NULL, NULL, NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
}

static void
test_extra_under_category_317(void **state)
{
	(void)state;
	struct simd_findings f = run2("<INFO/>", EXTRA, "<EmployerClass>000</EmployerClass>",
	    "<EmployerClass>317</EmployerClass>", NULL);
	assert_true(has(&f, "00795-025", "NP") >= 0);
	simd_findings_free(&f);
}

static void
test_extra_without_ext_dimona(void **state)
{
	(void)state;
	n_periods = 0;
	period("OTH", 20261005, 20261009);
	struct simd_findings f = run2("<INFO/>", EXTRA, NULL, NULL, &LEDGER);
	assert_true(has(&f, "90015-456", "NP") >= 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.blocking, 0);
	simd_findings_free(&f);
	/* An EXT period over the occupation answers it. */
	n_periods = 0;
	period("EXT", 20261005, 20261005);
	f = run2("<INFO/>", EXTRA, NULL, NULL, &LEDGER);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	/* One outside the occupation does not. */
	n_periods = 0;
	period("EXT", 20261012, 20261012);
	f = run2("<INFO/>", EXTRA, NULL, NULL, &LEDGER);
	assert_true(has(&f, "90015-456", "NP") >= 0);
	simd_findings_free(&f);
}

static void
test_student_code_without_stu_dimona(void **state)
{
	(void)state;
	n_periods = 0;
	period("OTH", 20261005, 20261009);
	struct simd_findings f = run2("<WorkerCode>015</WorkerCode>", "<WorkerCode>840</WorkerCode>", NULL, NULL,
	    &LEDGER);
	assert_true(has(&f, "90017-504", "NP") >= 0);
	simd_findings_free(&f);
	n_periods = 0;
	period("STU", 20261005, 20261009);
	f = run2("<WorkerCode>015</WorkerCode>", "<WorkerCode>840</WorkerCode>", NULL, NULL, &LEDGER);
	assert_int_equal(has(&f, "90017-504", "NP"), -1);
	simd_findings_free(&f);
	/* No Dimona of this worker in the ledger at all: not checkable. */
	n_periods = 0;
	f = run2("<WorkerCode>015</WorkerCode>", "<WorkerCode>840</WorkerCode>", NULL, NULL, &LEDGER);
	assert_int_equal(has(&f, "90017-504", "NP"), -1);
	simd_findings_free(&f);
}

static void
test_flexi_needs_end_date(void **state)
{
	(void)state;
	struct simd_findings f = run2("<WorkerCode>015</WorkerCode>", "<WorkerCode>050</WorkerCode>",
	    "<OccupationEndingDate>2026-10-09</OccupationEndingDate>", "", NULL);
	assert_true(has(&f, "00045-001", "P") >= 0);
	simd_findings_free(&f);
}

/* ---- corrections (DmfAUpdate, sim/dmfa_check_update.c) ---- */

/* The DB DmfA as the simulator's DMPI left it for BASE's declaration:
 * employer declaration 100, the person 101/102, worker record 000/015 at
 * version 103 with one occupation at version 104. */
static struct simd_db *
base_db(void)
{
	struct simd_db *db = NULL;
	assert_int_equal(simd_db_memory(&db), GW_OK);
	assert_int_equal(simd_db_add_declaration(db, 100, 20264, "051234526"), GW_OK);
	assert_int_equal(simd_db_add_person(db, 100, "80010100107", 101, 102), GW_OK);
	assert_int_equal(simd_db_add_record(db, 100, "80010100107", "000", "015", 103), GW_OK);
	assert_int_equal(simd_db_add_occupation(db, 103, 104), GW_OK);
	return db;
}

/* A correction of BASE's worker record (UpdateAction 1: the pay from
 * 600.00 to 648.00 EUR would change nothing the checks look at, so the
 * record is BASE's own), with the ids the DMPI gave; the checks of an
 * original apply to its content, so it is clean as BASE is. */
static const char UPDATE[] =
    "<Form><Identification>DMFAUPD</Identification>"
    "<EmployerDeclarationUpdate>"
    "<Quarter>20264</Quarter><NOSSRegistrationNbr>051234526</NOSSRegistrationNbr>"
    "<Trusteeship>0</Trusteeship><CompanyID>0456789034</CompanyID>"
    "<EmployerDeclarationPID>100</EmployerDeclarationPID>"
    "<NaturalPersonUpdate><NaturalPersonSequenceNbr>0000001</NaturalPersonSequenceNbr>"
    "<INSS>80010100107</INSS><NaturalPersonPID>101</NaturalPersonPID>"
    "<DeclNaturalPersonPID>102</DeclNaturalPersonPID><DeclNaturalPersonVersionNbr>102</DeclNaturalPersonVersionNbr>"
    "<WorkerRecordUpdate>"
    "<LastSituationWR><EmployerClass>000</EmployerClass><WorkerCode>015</WorkerCode>"
    "<WorkerRecordVersionNbr>103</WorkerRecordVersionNbr></LastSituationWR>"
    "<WorkerRecordUpdateAction><EmployerClass>000</EmployerClass><WorkerCode>015</WorkerCode>"
    "<NOSSQuarterStartingDate>2026-10-01</NOSSQuarterStartingDate>"
    "<NOSSQuarterEndingDate>2026-12-31</NOSSQuarterEndingDate><Border>0</Border>"
    "<UpdateAction>1</UpdateAction>"
    "<OccupationUpdate><OccupationSequenceNbr>01</OccupationSequenceNbr>"
    "<OccupationStartingDate>2026-10-05</OccupationStartingDate>"
    "<OccupationEndingDate>2026-10-09</OccupationEndingDate>"
    "<JointCommissionNbr>302</JointCommissionNbr><WorkingDaysSystem>500</WorkingDaysSystem>"
    "<ContractType>1</ContractType><RefMeanWorkingHours>3800</RefMeanWorkingHours>"
    "<MeanWorkingHours>1900</MeanWorkingHours><Retired>0</Retired>"
    "<OccupationVersionNbr>104</OccupationVersionNbr>"
    "<LocalUnitID>2000000141</LocalUnitID>"
    "<Service><ServiceSequenceNbr>01</ServiceSequenceNbr><ServiceCode>001</ServiceCode>"
    "<ServiceNbrDays>500</ServiceNbrDays><ServiceNbrHours>1900</ServiceNbrHours></Service>"
    "<Remun><RemunSequenceNbr>01</RemunSequenceNbr><RemunCode>001</RemunCode>"
    "<RemunAmount>60000</RemunAmount></Remun>"
    "</OccupationUpdate>"
    "<WorkerContribution><ContributionWorkerCode>015</ContributionWorkerCode>"
    "<ContributionType>1</ContributionType><ContributionCalculationBasis>64800</ContributionCalculationBasis>"
    "<ContributionAmount>24669</ContributionAmount></WorkerContribution>"
    "</WorkerRecordUpdateAction></WorkerRecordUpdate>"
    "</NaturalPersonUpdate></EmployerDeclarationUpdate></Form>";

/* UPDATE with up to two changes, judged against db. */
static struct simd_findings
run_update(const struct simd_db *db, const char *f1, const char *t1, const char *f2, const char *t2)
{
	static char buf[8192];
	struct simd_findings f = { 0 };
	snprintf(buf, sizeof buf, "%s", UPDATE);
	if (f1)
		replace(buf, sizeof buf, f1, t1);
	if (f2)
		replace(buf, sizeof buf, f2, t2);
	xmlDoc *doc = xmlReadMemory(buf, (int)strlen(buf), "u.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	assert_int_equal(simd_check_update(R, xmlDocGetRootElement(doc), db, NULL, NULL, &f), GW_OK);
	for (size_t i = 0; i < f.n; i++)
		fprintf(stderr, "    %s %s %s=%s (%s) %s\n", f.v[i].code, f.v[i].cls, f.v[i].tag, f.v[i].value,
		    f.v[i].where, f.v[i].label ? f.v[i].label : "(no label)");
	xmlFreeDoc(doc);
	return f;
}

/* The one blocking anomaly a change to UPDATE must cause, with annex 30's
 * label where the glossary has none. */
static void
expect_update(const char *from, const char *to, const char *code, const char *label)
{
	struct simd_db *db = base_db();
	struct simd_findings f = run_update(db, from, to, NULL, NULL);
	int i = has(&f, code, "B");
	assert_true(i >= 0);
	if (label)
		assert_string_equal(f.v[i].label, label);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.blocking, 1);
	simd_findings_free(&f);
	simd_db_free(db);
}

static void
test_update_clean(void **state)
{
	(void)state;
	struct simd_db *db = base_db();
	struct simd_findings f = run_update(db, NULL, NULL, NULL, NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	/* A new person with a new worker record: no ids to give, no last
	 * situation; accepted. */
	f = run_update(db, "<INSS>80010100107</INSS><NaturalPersonPID>101</NaturalPersonPID>"
	    "<DeclNaturalPersonPID>102</DeclNaturalPersonPID><DeclNaturalPersonVersionNbr>102</DeclNaturalPersonVersionNbr>",
	    "<INSS>70070700543</INSS>",
	    "<LastSituationWR><EmployerClass>000</EmployerClass><WorkerCode>015</WorkerCode>"
	    "<WorkerRecordVersionNbr>103</WorkerRecordVersionNbr></LastSituationWR>", "");
	/* ... but its action is 1, a modification without a last situation. */
	assert_true(has(&f, "00618-175", "B") >= 0);
	simd_findings_free(&f);
	simd_db_free(db);
}

static void
test_update_form_identification(void **state)
{
	(void)state;
	expect_update("<Identification>DMFAUPD<", "<Identification>DMFA<", "00296-008", NULL);
}

static void
test_update_unknown_declaration(void **state)
{
	(void)state;
	expect_update("<EmployerDeclarationPID>100<", "<EmployerDeclarationPID>99<", "00534-177",
	    "EmployerDeclarationPID - Discordantie met de DB DmfA");
}

static void
test_update_other_employer(void **state)
{
	(void)state;
	/* 051234625: another valid NOSS number, not the declaration's. */
	expect_update("<NOSSRegistrationNbr>051234526<", "<NOSSRegistrationNbr>051234625<", "00011-482",
	    "Onverenigbaar met de originele aangifte of met de laatste situatie van deze aangifte");
}

static void
test_update_other_quarter(void **state)
{
	(void)state;
	struct simd_db *db = base_db();
	/* The declaration corrected is of 2026/4; a correction for 2026/3
	 * with the same declaration id is refused (and its dates then fall
	 * outside its quarter too). */
	struct simd_findings f = run_update(db, "<Quarter>20264<", "<Quarter>20263<", NULL, NULL);
	assert_true(has(&f, "00013-482", "B") >= 0);
	simd_findings_free(&f);
	simd_db_free(db);
}

static void
test_update_person_ids(void **state)
{
	(void)state;
	expect_update("<DeclNaturalPersonPID>102<", "<DeclNaturalPersonPID>999<", "00548-178",
	    "DeclNaturalPersonPID - Discordantie met de DB DmfA");
	expect_update("<NaturalPersonPID>101<", "<NaturalPersonPID>999<", "00549-482", NULL);
	/* A person the declaration holds, sent without its ids. */
	expect_update("<NaturalPersonPID>101</NaturalPersonPID><DeclNaturalPersonPID>102</DeclNaturalPersonPID>"
	    "<DeclNaturalPersonVersionNbr>102</DeclNaturalPersonVersionNbr>", "", "00548-178", NULL);
}

static void
test_update_last_situation(void **state)
{
	(void)state;
	expect_update("<WorkerRecordVersionNbr>103<", "<WorkerRecordVersionNbr>98<", "00610-180",
	    "De wijziging of annulatie heeft geen betrekking op de laatste situatie");
	/* A last situation of a record the declaration does not have. */
	expect_update("<LastSituationWR><EmployerClass>000</EmployerClass><WorkerCode>015<",
	    "<LastSituationWR><EmployerClass>000</EmployerClass><WorkerCode>024<", "00610-180", NULL);
	expect_update("<OccupationVersionNbr>104<", "<OccupationVersionNbr>97<", "00619-180", NULL);
}

static void
test_update_actions(void **state)
{
	(void)state;
	/* A modification without its last situation. */
	expect_update("<LastSituationWR><EmployerClass>000</EmployerClass><WorkerCode>015</WorkerCode>"
	    "<WorkerRecordVersionNbr>103</WorkerRecordVersionNbr></LastSituationWR>", "", "00618-175",
	    "Incoherente actiecodes");
	/* A creation that names a last situation. */
	expect_update("<UpdateAction>1<", "<UpdateAction>3<", "00618-175", NULL);
	/* A creation of a worker record the declaration holds. */
	struct simd_db *db = base_db();
	struct simd_findings f = run_update(db, "<LastSituationWR><EmployerClass>000</EmployerClass><WorkerCode>015</WorkerCode>"
	    "<WorkerRecordVersionNbr>103</WorkerRecordVersionNbr></LastSituationWR>", "",
	    "<UpdateAction>1<", "<UpdateAction>3<");
	int i = has(&f, "00618-174", "B");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].label, "Actie niet toegelaten");
	/* (its occupation then names a version of no record: 00619-180) */
	assert_true(has(&f, "00619-180", "B") >= 0);
	assert_int_equal(f.n, 2);
	simd_findings_free(&f);
	simd_db_free(db);
}

/* What a correction creates or modifies is held to an original's checks. */
static void
test_update_content_checked(void **state)
{
	(void)state;
	expect_update("<LocalUnitID>2000000141</LocalUnitID>", "", "00042-001", "Niet aanwezig");
	expect_update("<WorkerCode>015</WorkerCode><NOSSQuarterStartingDate>",
	    "<WorkerCode>848</WorkerCode><NOSSQuarterStartingDate>", "00037-008", NULL);
}

/* A deletion applied (simd_apply_update) leaves nothing to correct: the
 * same deletion again is not the last situation. A deletion that carries
 * occupations is incoherent. */
static void
test_update_deletion_applied(void **state)
{
	(void)state;
	static const char del_from[] = "<UpdateAction>1</UpdateAction>";
	struct simd_db *db = base_db();
	char *del = strdup(UPDATE);
	assert_non_null(del);
	/* UPDATE as a deletion: action 0, no content. */
	char *a = strstr(del, del_from), *b = strstr(del, "</WorkerRecordUpdateAction>");
	assert_non_null(a);
	assert_non_null(b);
	memcpy(a, "<UpdateAction>0</UpdateAction>", strlen(del_from));
	memmove(a + strlen(del_from), b, strlen(b) + 1);
	xmlDoc *doc = xmlReadMemory(del, (int)strlen(del), "d.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	struct simd_findings f = { 0 };
	assert_int_equal(simd_check_update(R, xmlDocGetRootElement(doc), db, NULL, NULL, &f), GW_OK);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	assert_int_equal(simd_apply_update(db, xmlDocGetRootElement(doc)), GW_OK);
	assert_null(simd_db_record(db, 100, "80010100107", "000", "015"));
	assert_int_equal(simd_check_update(R, xmlDocGetRootElement(doc), db, NULL, NULL, &f), GW_OK);
	assert_true(has(&f, "00610-180", "B") >= 0);
	assert_int_equal(f.n, 1);
	simd_findings_free(&f);
	xmlFreeDoc(doc);
	free(del);
	simd_db_free(db);
	/* Action 0 with UPDATE's occupation still in it. */
	expect_update("<UpdateAction>1<", "<UpdateAction>0<", "00618-175", NULL);
}

/* The DB DmfA survives a restart: replayed from its file; a torn last
 * line is ignored. */
static void
test_db_durable(void **state)
{
	(void)state;
	char path[] = "/tmp/test_sim_dmfa_db.XXXXXX", err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct simd_db *db = NULL;
	assert_int_equal(simd_db_open(path, &db, err, sizeof err), GW_OK);
	assert_int_equal(simd_db_add_declaration(db, 100, 20264, "051234526"), GW_OK);
	assert_int_equal(simd_db_add_person(db, 100, "80010100107", 101, 102), GW_OK);
	assert_int_equal(simd_db_add_record(db, 100, "80010100107", "000", "015", 103), GW_OK);
	assert_int_equal(simd_db_add_occupation(db, 103, 104), GW_OK);
	assert_int_equal(simd_db_delete_record(db, 100, "80010100107", "000", "015"), GW_OK);
	assert_int_equal(simd_db_sync(db), GW_OK);
	simd_db_free(db);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("W\t100\t80010100107\t000\t024\t105", f);          /* torn: no newline */
	fclose(f);
	assert_int_equal(simd_db_open(path, &db, err, sizeof err), GW_OK);
	int q = 0;
	const char *noss = NULL;
	assert_true(simd_db_declaration(db, 100, &q, &noss));
	assert_int_equal(q, 20264);
	assert_string_equal(noss, "051234526");
	assert_non_null(simd_db_person(db, 100, "80010100107"));
	assert_null(simd_db_record(db, 100, "80010100107", "000", "015"));   /* deleted */
	assert_null(simd_db_record(db, 100, "80010100107", "000", "024"));   /* torn */
	assert_true(simd_db_has_occupation(db, 103, 104));
	assert_int_equal(simd_db_max_id(db), 104);
	simd_db_free(db);
	unlink(path);
}

/* ---- the structural reduction (00089-044) ---- */

/* The shipped 2026/3 line for category 000: F 0, ALPHA 0.14 under
 * S0 11,687.74, GAMMA 0.16 under S2 9,738.14 (EUR a quarter). */
static const char RED_TABLE[] =
    "20263 3000 000 0.00 0.1400 11687.74 0.1600 9738.14 | 2026/3, category 1\n";

/* BASE claims 3000 on its occupation (amount in cents), NetOwedAmount
 * lowered by as much, then the extra changes; checked against table. */
static struct simd_findings
run_reduction(const char *table, const char *amount, const char *f1, const char *t1)
{
	static char ded[256], owed[64];
	struct simd_rates *rates = NULL;
	char err[256];
	long long a = strtoll(amount, NULL, 10);
	assert_int_equal(simd_rates_parse(table, "t", &rates, err, sizeof err), GW_OK);
	snprintf(ded, sizeof ded, "</Remun><OccupationDeduction><DeductionCode>3000</DeductionCode>"
	    "<DeductionAmount>%s</DeductionAmount></OccupationDeduction></Occupation>", amount);
	snprintf(owed, sizeof owed, "<NetOwedAmount>%lld</NetOwedAmount>", 24669 - a);
	const char *pairs[] = { "</Remun></Occupation>", ded, "<NetOwedAmount>24669</NetOwedAmount>", owed,
	                        f1, t1 };
	RATES = rates;
	struct simd_findings f = runn(pairs, 3, NULL);
	RATES = NULL;
	simd_rates_free(rates);
	return f;
}

/* The formula alone, hand-computed (2026/4, category 000, 5-day week,
 * D = 13 x 5 = 65 days):
 * - one day at 150.00 EUR: mu = 1/65, S = 150.00 x 65 = 9,750.00; S > S2,
 *   so R = 0.14 x (11,687.74 - 9,750.00) = 0.14 x 1,937.74 = 271.28;
 *   x 1/65 = 4.17 EUR = 417 cents;
 * - one day at 100.00 EUR: S = 6,500.00, R = 0.14 x 5,187.74 + 0.16 x
 *   3,238.14 = 726.2836 + 518.1024 = 1,244.386; x 1/65 = 19.14 EUR;
 * - the whole quarter (65 days, or 70: mu stays 1) at 9,750.00 EUR:
 *   R = 271.2836 -> 271.28 EUR;
 * - no days, no week, or no pay: nothing. */
static void
test_reduction_formula(void **state)
{
	(void)state;
	struct simd_rates *rates = NULL;
	struct simd_reduction p;
	char err[256];
	assert_int_equal(simd_rates_parse(RED_TABLE, "t", &rates, err, sizeof err), GW_OK);
	assert_true(simd_rates_reduction(rates, 20264, "000", &p));
	assert_int_equal(p.f, 0);
	assert_int_equal(p.alpha, 1400);
	assert_int_equal(p.s0, 1168774);
	assert_int_equal(p.gamma, 1600);
	assert_int_equal(p.s2, 973814);
	assert_int_equal(simd_reduction_amount(&p, 100, 500, 15000), 417);
	assert_int_equal(simd_reduction_amount(&p, 100, 500, 10000), 1914);
	assert_int_equal(simd_reduction_amount(&p, 6500, 500, 975000), 27128);
	assert_int_equal(simd_reduction_amount(&p, 7000, 500, 975000), 27128);
	assert_int_equal(simd_reduction_amount(&p, 0, 500, 15000), 0);
	assert_int_equal(simd_reduction_amount(&p, 100, 0, 15000), 0);
	assert_int_equal(simd_reduction_amount(&p, 100, 500, 0), 0);
	/* Above S0 nothing is due: one day at 200.00 EUR, S = 13,000.00. */
	assert_int_equal(simd_reduction_amount(&p, 100, 500, 20000), 0);
	/* F counts in full at mu = 1: F 100.00 alone. */
	struct simd_reduction fixed = p;
	fixed.f = 10000;
	assert_int_equal(simd_reduction_amount(&fixed, 6500, 500, 2000000), 10000);
	/* No line before 2026/3, none for category 017. */
	assert_false(simd_rates_reduction(rates, 20262, "000", &p));
	assert_false(simd_rates_reduction(rates, 20264, "017", &p));
	simd_rates_free(rates);
}

/* BASE's occupation: 5 days of a 5-day week (mu = 5/65 = 1/13), 600.00
 * EUR: S = 7,800.00; R = 0.14 x 3,887.74 + 0.16 x 1,938.14 = 544.2836 +
 * 310.1024 = 854.386; x 1/13 = 65.722 -> 65.72 EUR = 6572 cents. */
static void
test_reduction_accepted(void **state)
{
	(void)state;
	struct simd_findings f = run_reduction(RED_TABLE, "6572", NULL, NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	/* Less than computed (a record capped at its employer share): the
	 * employer may claim less; not an anomaly. */
	f = run_reduction(RED_TABLE, "4000", NULL, NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	/* The simple exit holiday pay (remuneration 7) stays out of W: the
	 * same 6572 with 500.00 EUR of it beside the pay. */
	f = run_reduction(RED_TABLE, "6572", "</Remun><OccupationDeduction>",
	    "</Remun><Remun><RemunSequenceNbr>02</RemunSequenceNbr><RemunCode>007</RemunCode>"
	    "<RemunAmount>50000</RemunAmount></Remun><OccupationDeduction>");
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
}

/* One cent more than computed is an over-claim: 00089-044, class NP (the
 * declaration is accepted with it), on the occupation's path. */
static void
test_reduction_over_claim(void **state)
{
	(void)state;
	struct simd_findings f = run_reduction(RED_TABLE, "6573", NULL, NULL);
	int i = has(&f, "00089-044", "NP");
	assert_true(i >= 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.blocking, 0);
	assert_string_equal(f.v[i].tag, "DeductionAmount");
	assert_string_equal(f.v[i].value, "6573 (computed 6572)");
	assert_string_equal(f.v[i].label, "Berekend bedrag verschilt van het aangegeven bedrag");
	assert_string_equal(f.v[i].inss, "80010100107");
	assert_string_equal(f.v[i].worker_code, "015");
	assert_string_equal(f.v[i].occupation, "01");
	simd_findings_free(&f);
	/* Pay counted in W as well (a second Remun code 1 of 200.00 EUR):
	 * S = 10,400.00, R = 0.14 x 1,287.74 = 180.2836, x 1/13 = 13.87 EUR. */
	f = run_reduction(RED_TABLE, "6572", "</Remun><OccupationDeduction>",
	    "</Remun><Remun><RemunSequenceNbr>02</RemunSequenceNbr><RemunCode>001</RemunCode>"
	    "<RemunAmount>20000</RemunAmount></Remun><OccupationDeduction>");
	i = has(&f, "00089-044", "NP");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].value, "6572 (computed 1387)");
	simd_findings_free(&f);
	/* Unpaid days (service 030) give no fraction: nothing is due. */
	f = run_reduction(RED_TABLE, "6572", "<ServiceCode>001</ServiceCode>", "<ServiceCode>030</ServiceCode>");
	i = has(&f, "00089-044", "NP");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].value, "6572 (computed 0)");
	simd_findings_free(&f);
	/* Flexi pay (remuneration 22) has no reduction. */
	f = run_reduction(RED_TABLE, "6572", "<RemunCode>001</RemunCode>", "<RemunCode>022</RemunCode>");
	i = has(&f, "00089-044", "NP");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].value, "6572 (computed 0)");
	simd_findings_free(&f);
}

/* 3000 claimed where the simulator has no formula: before the line's
 * quarter, or for another employer category; a zero claim is no claim. */
static void
test_reduction_without_formula(void **state)
{
	(void)state;
	struct simd_findings f = run_reduction("20271 3000 000 0.00 0.1400 11687.74 0.1600 9738.14 | 2027\n",
	    "417", NULL, NULL);
	int i = has(&f, "00089-044", "NP");
	assert_true(i >= 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[i].value, "417 (no formula for 20264, category 000)");
	simd_findings_free(&f);
	f = run_reduction("20263 3000 017 0.00 0.1400 11687.74 0.1600 9738.14 | another category\n",
	    "417", NULL, NULL);
	i = has(&f, "00089-044", "NP");
	assert_true(i >= 0);
	assert_string_equal(f.v[i].value, "417 (no formula for 20264, category 000)");
	simd_findings_free(&f);
	f = run_reduction("20271 3000 000 0.00 0.1400 11687.74 0.1600 9738.14 | 2027\n", "0", NULL, NULL);
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
	/* Another deduction code is not judged here (no formula form for it). */
	f = run_reduction("20271 3000 000 0.00 0.1400 11687.74 0.1600 9738.14 | 2027\n", "417",
	    "<DeductionCode>3000</DeductionCode>", "<DeductionCode>4300</DeductionCode>");
	assert_int_equal(f.n, 0);
	simd_findings_free(&f);
}

/* The reduction line form: each bad field refused naming the file and
 * line; the shipped table carries the 2026/3 line. */
static void
test_reduction_table(void **state)
{
	(void)state;
	static const char *bad[] = {
		"20263 3000 000 0.00 0.1400 11687.74 0.1600 9738.14\n",            /* no source */
		"20263 4300 000 0.00 0.1400 11687.74 0.1600 9738.14 | x\n",        /* not 3000 */
		"20263 3000 00 0.00 0.1400 11687.74 0.1600 9738.14 | x\n",         /* category */
		"20263 3000 000 0.00 0.14001 11687.74 0.1600 9738.14 | x\n",       /* 5 decimals */
		"20263 3000 000 0.00 0.1400 11687.745 0.1600 9738.14 | x\n",       /* 3 decimals */
		"20263 3000 000 0.00 0.1400 11687.74 0.1600 | x\n",                /* S2 missing */
		"2026 3000 000 0.00 0.1400 11687.74 0.1600 9738.14 | x\n",         /* quarter */
		"20263 3000 000 -1.00 0.1400 11687.74 0.1600 9738.14 | x\n",       /* negative F */
	};
	struct simd_rates *rates = NULL;
	struct simd_reduction p;
	char err[256], text[160];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(text, sizeof text, "# header\n%s", bad[i]);
		err[0] = '\0';
		assert_int_equal(simd_rates_parse(text, "t", &rates, err, sizeof err), GW_EINPUT);
		assert_null(rates);
		assert_non_null(strstr(err, "t:2: expected FROM(YYYYQ) 3000"));
	}
	char path[600];
	const char *top = getenv("TOP");
	snprintf(path, sizeof path, "%s/schemas/dmfa/sim-rates.txt", top ? top : ".");
	assert_int_equal(simd_rates_load(path, &rates, err, sizeof err), GW_OK);
	assert_true(simd_rates_reduction(rates, 20264, "000", &p));
	assert_int_equal(p.from, 20263);
	assert_int_equal(simd_reduction_amount(&p, 100, 500, 15000), 417);
	assert_false(simd_rates_reduction(rates, 20262, "000", &p));
	simd_rates_free(rates);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_clean),
		cmocka_unit_test(test_special_ss_contribution_line),
		cmocka_unit_test(test_reference_labels),
		cmocka_unit_test(test_local_unit_absent),
		cmocka_unit_test(test_path_of_an_anomaly),
		cmocka_unit_test(test_local_unit_check_digits),
		cmocka_unit_test(test_local_unit_first_digit),
		cmocka_unit_test(test_local_unit_length),
		cmocka_unit_test(test_local_unit_not_numeric),
		cmocka_unit_test(test_student_local_unit),
		cmocka_unit_test(test_worker_code_trainee),
		cmocka_unit_test(test_worker_code_absent),
		cmocka_unit_test(test_start_absent),
		cmocka_unit_test(test_start_after_quarter),
		cmocka_unit_test(test_end_in_next_quarter),
		cmocka_unit_test(test_end_before_start),
		cmocka_unit_test(test_days_beyond_the_quarter),
		cmocka_unit_test(test_days_open_occupation),
		cmocka_unit_test(test_joint_committee_unknown),
		cmocka_unit_test(test_joint_committee_shape),
		cmocka_unit_test(test_joint_committee_absent),
		cmocka_unit_test(test_mean_hours_q_domain),
		cmocka_unit_test(test_mean_hours_q_zero),
		cmocka_unit_test(test_mean_hours_s_absent),
		cmocka_unit_test(test_mean_hours_q_absent),
		cmocka_unit_test(test_contract_type_domain),
		cmocka_unit_test(test_service_code_unknown),
		cmocka_unit_test(test_service_code_not_dmfa),
		cmocka_unit_test(test_service_hours_part_time),
		cmocka_unit_test(test_service_days_absent),
		cmocka_unit_test(test_remun_code_unknown),
		cmocka_unit_test(test_remun_amount_zero),
		cmocka_unit_test(test_contribution_worker_code),
		cmocka_unit_test(test_contribution_type_vs_worker_code),
		cmocka_unit_test(test_net_owed_amount),
		cmocka_unit_test(test_net_owed_amount_less_reductions),
		cmocka_unit_test(test_presence_and_format),
		cmocka_unit_test(test_extra_outside_allowed_jc),
		cmocka_unit_test(test_extra_under_category_317),
		cmocka_unit_test(test_extra_without_ext_dimona),
		cmocka_unit_test(test_student_code_without_stu_dimona),
		cmocka_unit_test(test_flexi_needs_end_date),
		cmocka_unit_test(test_line_amounts),
		cmocka_unit_test(test_reduction_formula),
		cmocka_unit_test(test_reduction_accepted),
		cmocka_unit_test(test_reduction_over_claim),
		cmocka_unit_test(test_reduction_without_formula),
		cmocka_unit_test(test_reduction_table),
		cmocka_unit_test(test_update_clean),
		cmocka_unit_test(test_update_form_identification),
		cmocka_unit_test(test_update_unknown_declaration),
		cmocka_unit_test(test_update_other_employer),
		cmocka_unit_test(test_update_other_quarter),
		cmocka_unit_test(test_update_person_ids),
		cmocka_unit_test(test_update_last_situation),
		cmocka_unit_test(test_update_actions),
		cmocka_unit_test(test_update_content_checked),
		cmocka_unit_test(test_update_deletion_applied),
		cmocka_unit_test(test_db_durable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

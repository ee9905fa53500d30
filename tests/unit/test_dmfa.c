/* test_dmfa.c - DmfA aggregation, contributions and XML, checked field by
 * field against hand-computed quarters (fixtures/dmfa/params-test.txt). */
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
#include <libxml/xpath.h>

#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "onss/dmfa/aggregate.h"
#include "onss/dmfa/xml.h"
#include "onss/dmfa/validate.h"
#include "onss/dmfa/inss_change.h"
#include "records/reader.h"
#include "core/config.h"

#define Q 20262
#define NOSS "123456789"
#define KBO "0123456749"

static struct dmfa_params P;

static const char *
top(void)
{
	const char *t = getenv("TOP");
	return t ? t : ".";
}

static const char *
ref(void)
{
	const char *r = getenv("REF");
	return r ? r : "../shared/reference";
}

static void
load_params(int quarter, struct dmfa_params *p)
{
	char path[512], err[256];
	snprintf(path, sizeof path, "%s/fixtures/dmfa/params-test.txt", top());
	gw_rc rc = dmfa_params_load(path, quarter, p, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);
}

/* A validated-looking contract: one day, full time, reference 38 h. */
static struct contract
mk(const char *id, const char *inss, const char *code, const char *jc, gw_ymd day,
   int64_t days, int64_t hours, int64_t gross)
{
	struct contract c;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "%s", id);
	c.revision = 1;
	c.status = CONTRACT_ACTIVE;
	snprintf(c.employer_noss, sizeof c.employer_noss, "%s", NOSS);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "%s", KBO);
	snprintf(c.worker_inss, sizeof c.worker_inss, "%s", inss);
	snprintf(c.worker_type, sizeof c.worker_type, "OTH");
	snprintf(c.joint_committee, sizeof c.joint_committee, "%s", jc);
	snprintf(c.worker_code, sizeof c.worker_code, "%s", code);
	c.start_date = day;
	c.end_date = day;
	c.start_time = c.end_time = -1;
	c.days_worked = days;
	c.hours_worked = hours;
	c.weekly_hours = 3800;
	c.reference_weekly_hours = 3800;
	c.gross_wage_cents = gross;
	return c;
}

struct rej {
	int n;
	char last[256];
};

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct rej *r = arg;
	r->n++;
	snprintf(r->last, sizeof r->last, "%s %s %s", row->contract_id, field, reason);
}

/* The hand-computed quarter: artist, blue-collar, student over the quota,
 * two worker codes, joint committee change, worker without INSS. */
static void
fill(struct dmfa_rows *rows, int with_bis)
{
	char id[32];
	dmfa_rows_init(rows);
	for (int i = 0; i < 12; i++) {           /* A: artist, 12 one-day contracts */
		snprintf(id, sizeof id, "ART-%02d", i + 1);
		struct contract c = mk(id, "80010100101", "046", "329.02", 20260401 + i, 100, 800, 15000);
		assert_int_equal(dmfa_rows_add(rows, &c, Q), GW_OK);
	}
	struct contract b[3] = {                 /* B: blue-collar */
		mk("BC-1", "80010100202", "015", "124", 20260410, 100, 760, 12345),
		mk("BC-2", "80010100202", "015", "124", 20260520, 100, 760, 23456),
		mk("BC-3", "80010100202", "015", "124", 20260615, 100, 760, 34567),
	};
	for (int i = 0; i < 3; i++)
		assert_int_equal(dmfa_rows_add(rows, &b[i], Q), GW_OK);
	struct contract s[4] = {                 /* C: student, 580 h used in Q1 */
		mk("ST-1", "02020200303", "841", "200", 20260201, 3000, 29000, 290000),
		mk("ST-2", "02020200303", "841", "200", 20260301, 3000, 29000, 290000),
		mk("ST-3", "02020200303", "841", "200", 20260502, 100, 1600, 16000),
		mk("ST-4", "02020200303", "841", "200", 20260503, 100, 1600, 16000),
	};
	for (int i = 0; i < 4; i++)
		assert_int_equal(dmfa_rows_add(rows, &s[i], Q), GW_OK);
	struct contract d[2] = {                 /* D: two worker codes */
		mk("TWO-1", "75050500404", "015", "124", 20260405, 100, 800, 10000),
		mk("TWO-2", "75050500404", "495", "200", 20260406, 100, 800, 20000),
	};
	for (int i = 0; i < 2; i++)
		assert_int_equal(dmfa_rows_add(rows, &d[i], Q), GW_OK);
	struct contract e[4] = {                 /* E: joint committee change */
		mk("JC-1", "70070700505", "495", "200", 20260401, 100, 800, 10000),
		mk("JC-2", "70070700505", "495", "200", 20260402, 100, 800, 10000),
		mk("JC-3", "70070700505", "495", "329.02", 20260505, 100, 800, 11000),
		mk("JC-4", "70070700505", "495", "329.02", 20260506, 100, 800, 11000),
	};
	for (int i = 0; i < 4; i++)
		assert_int_equal(dmfa_rows_add(rows, &e[i], Q), GW_OK);
	/* F: foreign worker declared without INSS. */
	struct contract f = mk("FW-1", "", "495", "200", 20260610, 100, 800, 30000);
	snprintf(f.worker_last_name, sizeof f.worker_last_name, "Kowalska");
	snprintf(f.worker_first_name, sizeof f.worker_first_name, "Anna");
	f.worker_birth_date = 19900303;
	if (with_bis) {
		struct idflux_info in;
		struct dmfa_inss_change ch;
		memset(&in, 0, sizeof in);
		snprintf(in.valid.inss, sizeof in.valid.inss, "90030300606");
		snprintf(in.valid.name, sizeof in.valid.name, "KOWALSKA");
		snprintf(in.valid.first_name, sizeof in.valid.first_name, "ANNA");
		snprintf(in.valid.birth_date, sizeof in.valid.birth_date, "1990-03-03");
		snprintf(in.employer_noss, sizeof in.employer_noss, NOSS);
		assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_OK);
		assert_int_equal(dmfa_inss_change_apply(&ch, 1, &f), 1);
		assert_string_equal(f.worker_inss, "90030300606");
	}
	assert_int_equal(dmfa_rows_add(rows, &f, Q), GW_OK);
	/* A cancelled contract and a superseded revision change nothing. */
	struct contract x = mk("CANC-1", "80010100202", "015", "124", 20260601, 100, 760, 99999);
	x.status = CONTRACT_CANCELLED;
	assert_int_equal(dmfa_rows_add(rows, &x, Q), GW_OK);
	struct contract r1 = mk("JC-4", "70070700505", "495", "329.02", 20260506, 100, 800, 55555);
	r1.revision = 0;   /* an older revision than JC-4's 1 */
	assert_int_equal(dmfa_rows_add(rows, &r1, Q), GW_OK);
}

static xmlDocPtr DOC;
static xmlXPathContextPtr XP;

static char *
xs(const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, XP);
	assert_non_null(o);
	char *s = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	return s;
}

static void
expect(const char *expr, const char *want)
{
	char *got = xs(expr);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s: got '%s', want '%s'\n", expr, got, want);
	assert_string_equal(got, want);
	xmlFree(got);
}

static void
expect_num(const char *expr, double want)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, XP);
	assert_non_null(o);
	double got = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	if (got != want)
		fprintf(stderr, "%s: got %.0f, want %.0f\n", expr, got, want);
	assert_true(got == want);
}

/* The DmfA original XSD of the reference folder. */
static const char *
original_xsd(void)
{
	static char xsd[512];
	snprintf(xsd, sizeof xsd, "%s/onss/xsd/DmfAOriginal_20231.xsd", ref());
	return xsd;
}

/* Write the fixture quarter (fill()) to a new temporary file; path is a
 * mkstemp template and ends up naming it (the caller unlinks it). */
static void
write_quarter(int with_bis, char *path, struct dmfa_write_stats *st, struct rej *rj)
{
	struct dmfa_rows rows;
	size_t nrej = 0;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	fill(&rows, with_bis);
	memset(rj, 0, sizeof *rj);
	assert_int_equal(dmfa_rows_prepare(&rows, &P, on_reject, rj, &nrej), GW_OK);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	struct dmfa_write_opts o = { 20260715, 8 * 3600000 + 45 * 60000, 0 };
	assert_int_equal(dmfa_write_original(f, &rows, &P, &o, on_reject, rj, st), GW_OK);
	assert_int_equal(fclose(f), 0);
	st->rejected_rows += nrej;
	dmfa_rows_free(&rows);
}

static void
open_doc(const char *path)
{
	DOC = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(DOC);
	XP = xmlXPathNewContext(DOC);
	assert_non_null(XP);
}

static void
close_doc(void)
{
	xmlXPathFreeContext(XP);
	xmlFreeDoc(DOC);
}

#define NP(inss) "//NaturalPerson[INSS='" inss "']"

static void
test_hand_computed_quarter(void **state)
{
	(void)state;
	char path[] = "/tmp/gwdmfaXXXXXX", err[512];
	struct dmfa_write_stats st;
	struct rej rj;
	write_quarter(0, path, &st, &rj);

	/* The worker without INSS is held back, named in the rejection. */
	assert_int_equal(st.rejected_rows, 1);
	assert_non_null(strstr(rj.last, "FW-1 worker_inss"));

	gw_rc rc = dmfa_validate_file(path, original_xsd(), err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);

	open_doc(path);
	expect("count(//Form)", "1");
	expect("//EmployerDeclaration/Quarter", "20262");
	expect("//EmployerDeclaration/NOSSRegistrationNbr", NOSS);
	expect("//EmployerDeclaration/CompanyID", KBO);
	expect("//FormCreationDate", "2026-07-15");
	expect("//FormCreationHour", "08:45:00.000");
	expect("count(//NaturalPerson)", "5");

	/* A: artist, 12 x (1 day, 8 h, 150.00) in one occupation. */
	expect("count(" NP("80010100101") "/WorkerRecord)", "1");
	expect(NP("80010100101") "/WorkerRecord/WorkerCode", "046");
	expect("count(" NP("80010100101") "//Occupation)", "1");
	expect(NP("80010100101") "//OccupationStartingDate", "2026-04-01");
	expect(NP("80010100101") "//OccupationEndingDate", "2026-04-12");
	expect(NP("80010100101") "//JointCommissionNbr", "329.02");
	expect(NP("80010100101") "//Service/ServiceCode", "001");
	expect(NP("80010100101") "//ServiceNbrDays", "1200");
	expect(NP("80010100101") "//ServiceNbrHours", "9600");
	expect(NP("80010100101") "//Remun/RemunCode", "001");
	expect(NP("80010100101") "//RemunAmount", "180000");
	/* 108 % of 1800.00 = 1944.00; 38.07 % = 740.0808 -> 740.08; 0.10 % -> 1.94 */
	expect(NP("80010100101") "//WorkerContribution[1]/ContributionWorkerCode", "046");
	expect(NP("80010100101") "//WorkerContribution[1]/ContributionType", "1");
	expect(NP("80010100101") "//WorkerContribution[1]/ContributionCalculationBasis", "194400");
	expect(NP("80010100101") "//WorkerContribution[1]/ContributionAmount", "74008");
	expect(NP("80010100101") "//WorkerContribution[2]/ContributionWorkerCode", "810");
	expect(NP("80010100101") "//WorkerContribution[2]/ContributionAmount", "194");

	/* B: blue-collar, 123.45 + 234.56 + 345.67 = 703.68; 108 % = 759.9744
	 * -> 759.97; 38.07 % = 289.320579 -> 289.32; 0.10 % = 0.76. The
	 * cancelled contract CANC-1 adds nothing. Three contracts with gaps
	 * between them: three occupations, one per contract. */
	expect("count(" NP("80010100202") "//Occupation)", "3");
	expect(NP("80010100202") "//Occupation[2]/OccupationStartingDate", "2026-05-20");
	expect(NP("80010100202") "//Occupation[2]/OccupationEndingDate", "2026-05-20");
	expect(NP("80010100202") "//Occupation[2]//RemunAmount", "23456");
	expect_num("sum(" NP("80010100202") "//ServiceNbrDays)", 300);
	expect_num("sum(" NP("80010100202") "//ServiceNbrHours)", 2280);
	expect_num("sum(" NP("80010100202") "//RemunAmount)", 70368);
	expect(NP("80010100202") "//WorkerContribution[1]/ContributionCalculationBasis", "75997");
	expect(NP("80010100202") "//WorkerContribution[1]/ContributionAmount", "28932");
	expect(NP("80010100202") "//WorkerContribution[2]/ContributionAmount", "76");

	/* C: student, 580 h used in Q1, quota 600: ST-3 (16 h) fits, ST-4 gives
	 * 4 h at the solidarity rate and 12 h under 495. */
	expect("count(" NP("02020200303") "/WorkerRecord)", "2");
	expect(NP("02020200303") "/WorkerRecord[1]/WorkerCode", "495");
	expect(NP("02020200303") "/WorkerRecord[1]//OccupationStartingDate", "2026-05-03");
	expect(NP("02020200303") "/WorkerRecord[1]//ServiceNbrDays", "75");
	expect(NP("02020200303") "/WorkerRecord[1]//ServiceNbrHours", "1200");
	expect(NP("02020200303") "/WorkerRecord[1]//RemunAmount", "12000");
	expect(NP("02020200303") "/WorkerRecord[1]/WorkerContribution[1]/ContributionType", "0");
	expect(NP("02020200303") "/WorkerRecord[1]/WorkerContribution[1]/ContributionCalculationBasis", "12000");
	expect(NP("02020200303") "/WorkerRecord[1]/WorkerContribution[1]/ContributionAmount", "4568");
	expect(NP("02020200303") "/WorkerRecord[2]/WorkerCode", "841");
	expect("count(" NP("02020200303") "/WorkerRecord[2]/Occupation)", "0");
	expect(NP("02020200303") "//StudentRemunAmount", "20000");
	expect(NP("02020200303") "//StudentContributionAmount", "1626");
	expect(NP("02020200303") "//StudentHoursNbr", "20");

	/* D: one person, two worker records. */
	expect("count(" NP("75050500404") "/WorkerRecord)", "2");
	expect(NP("75050500404") "/WorkerRecord[1]/WorkerCode", "015");
	expect(NP("75050500404") "/WorkerRecord[2]/WorkerCode", "495");
	/* 015: 108 % of 100.00 = 108.00, 38.07 % = 41.1156 -> 41.12, 0.10 % = 0.108 -> 0.11;
	 * 495: 100 % of 200.00, 38.07 % = 76.14. */
	expect(NP("75050500404") "/WorkerRecord[1]/WorkerContribution[1]/ContributionCalculationBasis", "10800");
	expect(NP("75050500404") "/WorkerRecord[1]/WorkerContribution[1]/ContributionAmount", "4112");
	expect(NP("75050500404") "/WorkerRecord[1]/WorkerContribution[2]/ContributionAmount", "11");
	expect(NP("75050500404") "/WorkerRecord[2]/WorkerContribution[1]/ContributionType", "0");
	expect(NP("75050500404") "/WorkerRecord[2]/WorkerContribution[1]/ContributionAmount", "7614");

	/* E: joint committee 200 -> 329.02 mid-quarter: two occupations. The
	 * stale revision 0 of JC-4 (555.55) is ignored. */
	expect("count(" NP("70070700505") "//Occupation)", "2");
	expect(NP("70070700505") "//Occupation[1]/JointCommissionNbr", "200");
	expect(NP("70070700505") "//Occupation[1]/OccupationStartingDate", "2026-04-01");
	expect(NP("70070700505") "//Occupation[1]/OccupationEndingDate", "2026-04-02");
	expect(NP("70070700505") "//Occupation[1]/OccupationSequenceNbr", "01");
	expect(NP("70070700505") "//Occupation[2]/OccupationSequenceNbr", "02");
	expect(NP("70070700505") "//Occupation[2]/JointCommissionNbr", "329.02");
	expect(NP("70070700505") "//Occupation[2]/OccupationStartingDate", "2026-05-05");
	expect(NP("70070700505") "//Occupation[2]//RemunAmount", "22000");
	expect(NP("70070700505") "//WorkerContribution[1]/ContributionCalculationBasis", "42000");

	/* NetOwedAmount is the sum of every amount owed. */
	expect_num("sum(//ContributionAmount) + sum(//StudentContributionAmount)", (double)st.net_owed);
	expect_num("number(//NetOwedAmount)", (double)st.net_owed);
	/* 74008+194 + 28932+76 + 4568+12+1626 + (4112+11 + 7614+20) + (15989+42) */
	expect_num("number(//NetOwedAmount)", 74008 + 194 + 28932 + 76 + 4568 + 12 + 1626 +
	           4112 + 11 + 7614 + 20 + 15989 + 42);
	close_doc();
	unlink(path);
}

/* F: once IDFLUX brings the BIS number, the foreign worker is declared. */
static void
test_bis_number_from_idflux(void **state)
{
	(void)state;
	char path[] = "/tmp/gwdmfaXXXXXX", err[512];
	struct dmfa_write_stats st;
	struct rej rj;
	write_quarter(1, path, &st, &rj);
	assert_int_equal(st.rejected_rows, 0);
	assert_int_equal(dmfa_validate_file(path, original_xsd(), err, sizeof err), GW_OK);
	open_doc(path);
	expect("count(//NaturalPerson)", "6");
	expect(NP("90030300606") "/WorkerRecord/WorkerCode", "495");
	expect(NP("90030300606") "//RemunAmount", "30000");
	expect(NP("90030300606") "//WorkerContribution[1]/ContributionAmount", "11421");
	close_doc();
	unlink(path);
}

static void
test_inss_change_rules(void **state)
{
	(void)state;
	struct idflux_info in;
	struct dmfa_inss_change ch;
	struct contract c = mk("X", "29311104266", "495", "200", 20260401, 100, 800, 100);
	memset(&in, 0, sizeof in);
	/* The official IDFLUX_20231_1 shape: outdated INSS -> valid INSS. */
	snprintf(in.valid.inss, sizeof in.valid.inss, "29111114418");
	snprintf(in.valid.name, sizeof in.valid.name, "DUPONT");
	snprintf(in.valid.birth_date, sizeof in.valid.birth_date, "1929-11-11");
	snprintf(in.outdated.inss, sizeof in.outdated.inss, "29311104266");
	snprintf(in.employer_noss, sizeof in.employer_noss, "162518843");
	assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_OK);
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &c), 0);        /* other employer */
	snprintf(c.employer_noss, sizeof c.employer_noss, "162518843");
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &c), 1);
	assert_string_equal(c.worker_inss, "29111114418");
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &c), 0);        /* already applied */
	/* The IDFLUX_20231_2 shape: a birth date corrected. Contracts with the
	 * INSS keep it; a contract without INSS recorded under the old identity
	 * (FRANS ROBERT, 1970-07-07) takes the INSS; the corrected identity
	 * alone does not match what the gateway recorded. */
	memset(&in, 0, sizeof in);
	snprintf(in.valid.inss, sizeof in.valid.inss, "78070739119");
	snprintf(in.valid.name, sizeof in.valid.name, "FRANS");
	snprintf(in.valid.first_name, sizeof in.valid.first_name, "ROBERT");
	snprintf(in.valid.birth_date, sizeof in.valid.birth_date, "1978-07-07");
	snprintf(in.outdated.birth_date, sizeof in.outdated.birth_date, "1970-07-07");
	assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_OK);
	struct contract k = mk("K", "78070739119", "495", "200", 20260401, 100, 800, 100);
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &k), 0);
	struct contract fr = mk("FR", "", "495", "200", 20260401, 100, 800, 100);
	snprintf(fr.worker_last_name, sizeof fr.worker_last_name, "Frans");
	snprintf(fr.worker_first_name, sizeof fr.worker_first_name, "Robert");
	fr.worker_birth_date = 19780707;
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &fr), 0);
	fr.worker_birth_date = 19700707;
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &fr), 1);
	assert_string_equal(fr.worker_inss, "78070739119");
	/* Same INSS on both sides, or nothing to match a worker by: no change. */
	memset(&in, 0, sizeof in);
	snprintf(in.valid.inss, sizeof in.valid.inss, "78070739119");
	snprintf(in.outdated.inss, sizeof in.outdated.inss, "78070739119");
	assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_ENOTFOUND);
	memset(&in, 0, sizeof in);
	snprintf(in.valid.inss, sizeof in.valid.inss, "78070739119");
	assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_ENOTFOUND);
	snprintf(in.valid.inss, sizeof in.valid.inss, "7807073911");
	assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_EINPUT);
	/* Identity match must agree on the birth date. */
	memset(&in, 0, sizeof in);
	snprintf(in.valid.inss, sizeof in.valid.inss, "90030300606");
	snprintf(in.valid.name, sizeof in.valid.name, "KOWALSKA");
	snprintf(in.valid.birth_date, sizeof in.valid.birth_date, "1990-03-04");
	assert_int_equal(dmfa_inss_change_from_idflux(&in, &ch), GW_OK);
	struct contract f = mk("F", "", "495", "200", 20260401, 100, 800, 100);
	snprintf(f.worker_last_name, sizeof f.worker_last_name, "kowalska");
	f.worker_birth_date = 19900303;
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &f), 0);
	f.worker_birth_date = 19900304;
	assert_int_equal(dmfa_inss_change_apply(&ch, 1, &f), 1);
	assert_string_equal(f.worker_inss, "90030300606");
}

static void
test_params_resolution(void **state)
{
	(void)state;
	struct dmfa_params p;
	char err[256];
	load_params(20224, &p);
	assert_int_equal(p.student_quota_hours, 475);
	assert_int_equal(p.rate_worker, 130700);
	assert_int_equal(p.rate_student, 81300);
	assert_non_null(dmfa_params_rule(&p, 46));
	load_params(20231, &p);
	assert_int_equal(p.student_quota_hours, 600);
	load_params(20271, &p);
	assert_null(dmfa_params_rule(&p, 46));           /* withdrawn */
	assert_non_null(dmfa_params_rule(&p, 495));
	const char *nosrc = "20221 rate.worker 13.07\n";
	assert_int_equal(dmfa_params_parse(nosrc, strlen(nosrc), "t", 20231, &p, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "t:1:"));
	assert_non_null(strstr(err, "source"));
	const char *missing = "20221 rate.worker 13.07 | s\n20221 rate.employer 25 | s\n"
	                      "20221 student.hours_quota 600 | s\n";
	assert_int_equal(dmfa_params_parse(missing, strlen(missing), "t", 20231, &p, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "rate.student"));
	const char *future = "20221 rate.worker 13.07 | s\n20221 rate.employer 25 | s\n"
	                     "20241 rate.student 8.13 | s\n20221 student.hours_quota 600 | s\n";
	assert_int_equal(dmfa_params_parse(future, strlen(future), "t", 20234, &p, err, sizeof err), GW_EINPUT);
	assert_int_equal(dmfa_params_parse(future, strlen(future), "t", 20241, &p, err, sizeof err), GW_OK);
	const char *badov = "20221 rate.worker 13.07 | s\n20221 rate.employer 25 | s\n"
	                    "20221 rate.student 8.13 | s\n20221 student.hours_quota 600 | s\n"
	                    "20221 code.841 student 495 | s\n";
	assert_int_equal(dmfa_params_parse(badov, strlen(badov), "t", 20231, &p, err, sizeof err), GW_EINPUT);
	int64_t r;
	assert_int_equal(dmfa_params_pct("0.0123", &r), GW_OK);
	assert_int_equal(r, 123);
	assert_int_equal(dmfa_params_pct("100.01", &r), GW_EINPUT);
	assert_int_equal(dmfa_params_pct("1.", &r), GW_EINPUT);
	assert_int_equal(dmfa_params_pct("1.23456", &r), GW_EINPUT);
}

static void
test_part_time_and_quarters(void **state)
{
	(void)state;
	int q;
	gw_ymd a, b;
	assert_int_equal(dmfa_quarter_parse("2026Q2", &q), GW_OK);
	assert_int_equal(q, 20262);
	assert_int_equal(dmfa_quarter_parse("20264", &q), GW_OK);
	assert_int_equal(dmfa_quarter_parse("20265", &q), GW_EINPUT);
	assert_int_equal(dmfa_quarter_parse("2026Q", &q), GW_EINPUT);
	assert_int_equal(dmfa_quarter_bounds(20264, &a, &b), GW_OK);
	assert_int_equal(a, 20261001);
	assert_int_equal(b, 20261231);

	struct dmfa_rows rows;
	struct dmfa_wr *wr = malloc(sizeof *wr);
	char err[256];
	size_t nrej;
	assert_non_null(wr);
	dmfa_rows_init(&rows);
	struct contract c = mk("PT-1", "80010100101", "495", "200", 20260401, 100, 400, 10000);
	c.weekly_hours = 1900;                      /* half time: Q/S 19/38 */
	assert_int_equal(dmfa_rows_add(&rows, &c, Q), GW_OK);
	c = mk("PT-2", "80010100101", "495", "200", 20260402, 100, 800, 10000);  /* full time */
	assert_int_equal(dmfa_rows_add(&rows, &c, Q), GW_OK);
	c = mk("OUT-1", "80010100101", "495", "200", 20260701, 100, 800, 10000); /* next quarter */
	assert_int_equal(dmfa_rows_add(&rows, &c, Q), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&rows, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(rows.n, 2);
	assert_int_equal(dmfa_wr_build(rows.v, rows.n, &P, wr, err, sizeof err), GW_OK);
	assert_int_equal(wr->nocc, 2);
	/* PT-1: half time, 4 h in its one day: 19 h a week / 4 h a day = 4.75
	 * days a week (475), not 500 x Q/S = 250. PT-2: full time, 5 days. */
	assert_int_equal(wr->occ[0].contract_type, 1);
	assert_int_equal(wr->occ[0].wds, 475);
	assert_int_equal(wr->occ[0].q, 1900);
	assert_int_equal(wr->occ[1].contract_type, 0);
	assert_int_equal(wr->occ[1].wds, 500);
	dmfa_rows_free(&rows);
	free(wr);
}

/* The streaming check really rejects: a zone outside its domain, and a
 * missing mandatory element, each reported with its line. */
static void
test_validation_rejects(void **state)
{
	(void)state;
	char path[] = "/tmp/gwdmfaXXXXXX", err[512];
	struct dmfa_write_stats st;
	struct rej rj;
	write_quarter(1, path, &st, &rj);
	const char *xsd = original_xsd();
	/* Rewrite the first Border 0 as 7 (domain 0..1). */
	FILE *f = fopen(path, "r+");
	assert_non_null(f);
	char line[512];
	long pos = 0;
	int lineno = 0, bad_line = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *b = strstr(line, "<Border>0<");
		if (b) {
			fseek(f, pos + (b - line) + 8, SEEK_SET);
			fputc('7', f);
			bad_line = lineno;
			break;
		}
		pos = ftell(f);
	}
	assert_int_equal(fclose(f), 0);
	assert_true(bad_line > 0);
	assert_int_equal(dmfa_validate_file(path, xsd, err, sizeof err), GW_EINPUT);
	char want[32];
	snprintf(want, sizeof want, "line %d:", bad_line);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "Border"));
	/* Not XML at all. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("<DmfAOriginal><Form>", f);
	fclose(f);
	assert_int_equal(dmfa_validate_file(path, xsd, err, sizeof err), GW_EINPUT);
	unlink(path);
}

/* The service path: contracts from their canonical JSON (queue payloads). */
static void
test_rows_from_json(void **state)
{
	(void)state;
	struct dmfa_rows rows;
	struct record_rejection rej;
	char *json = NULL;
	size_t len = 0, nrej;
	struct contract c = mk("JS-1", "80010100107", "046", "304", 20260403, 100, 800, 15000);
	snprintf(c.employer_noss, sizeof c.employer_noss, "123456749");
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	snprintf(c.worker_type, sizeof c.worker_type, "OTH");
	dmfa_rows_init(&rows);
	assert_int_equal(contract_to_json(&c, &json, &len), GW_OK);
	assert_int_equal(dmfa_rows_add_json(&rows, json, len, Q, &rej), GW_OK);
	assert_int_equal(dmfa_rows_add_json(&rows, "{\"contract_id\": \"X\"}", 18, Q, &rej), GW_EINPUT);
	assert_int_equal(dmfa_rows_prepare(&rows, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.v[0].gross, 15000);
	assert_int_equal(rows.v[0].inss, 80010100107ULL);
	assert_int_equal(rows.v[0].noss, 123456749);
	free(json);
	dmfa_rows_free(&rows);
}

static int
setup(void **state)
{
	(void)state;
	load_params(Q, &P);
	/* The employers' default establishment units (LocalUnitID, 00042). */
	gw_cfg = config_new();
	config_set(gw_cfg, "dmfa.local_units", "123456789=2123456791 123456749=2000000042");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(gw_cfg);
	gw_cfg = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_resolution),
		cmocka_unit_test(test_hand_computed_quarter),
		cmocka_unit_test(test_bis_number_from_idflux),
		cmocka_unit_test(test_inss_change_rules),
		cmocka_unit_test(test_part_time_and_quarters),
		cmocka_unit_test(test_validation_rejects),
		cmocka_unit_test(test_rows_from_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

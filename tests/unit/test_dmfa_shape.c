/* test_dmfa_shape.c - the shape of the DmfA declaration (issue 13 items
 * 1-3): LocalUnitID on every occupation and student line, one occupation
 * per contract with its real dates, the days-per-week system, and a
 * contract that spans quarters. Every expected figure is computed by hand
 * in the comments; every written file is checked against the official XSD. */
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

#include "core/config.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "onss/dmfa/aggregate.h"
#include "onss/dmfa/units.h"
#include "onss/dmfa/xml.h"
#include "onss/dmfa/validate.h"
#include "records/reader.h"

#define NOSS "123456789"      /* default unit 2123456791: 97 - 21234567 mod 97 = 91 */
#define NOSS2 "123456749"     /* no default unit in the configuration */
#define KBO "0123456749"

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

/* A validated-looking contract from start to end, full time, 38 h. */
static struct contract
mk(const char *id, const char *noss, const char *inss, const char *code, gw_ymd start, gw_ymd end,
   int64_t days, int64_t hours, int64_t gross)
{
	struct contract c;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "%s", id);
	c.revision = 1;
	c.status = CONTRACT_ACTIVE;
	snprintf(c.employer_noss, sizeof c.employer_noss, "%s", noss);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "%s", KBO);
	snprintf(c.worker_inss, sizeof c.worker_inss, "%s", inss);
	snprintf(c.worker_type, sizeof c.worker_type, "OTH");
	snprintf(c.joint_committee, sizeof c.joint_committee, "200");
	snprintf(c.worker_code, sizeof c.worker_code, "%s", code);
	c.start_date = start;
	c.end_date = end;
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
	char all[1024];
};

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct rej *r = arg;
	r->n++;
	size_t l = strlen(r->all);
	snprintf(r->all + l, sizeof r->all - l, "%s %s %s\n", row->contract_id, field, reason);
}

static xmlDocPtr DOC;
static xmlXPathContextPtr XP;

static void
expect(const char *expr, const char *want)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, XP);
	assert_non_null(o);
	char *got = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s: got '%s', want '%s'\n", expr, got, want);
	assert_string_equal(got, want);
	xmlFree(got);
}

/* Prepare rows for the quarter of p, write the DmfAOriginal, check it
 * against the XSD and open it for expect(). */
static void
write_and_open(struct dmfa_rows *rows, const struct dmfa_params *p, struct rej *rj, char *path)
{
	char xsd[512], err[512];
	size_t nrej = 0;
	struct dmfa_write_stats st;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	memset(rj, 0, sizeof *rj);
	assert_int_equal(dmfa_rows_prepare(rows, p, on_reject, rj, &nrej), GW_OK);
	assert_int_equal((size_t)rj->n, nrej);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	struct dmfa_write_opts o = { 20260715, 0, 0 };
	assert_int_equal(dmfa_write_original(f, rows, p, &o, on_reject, rj, &st), GW_OK);
	assert_int_equal(fclose(f), 0);
	snprintf(xsd, sizeof xsd, "%s/onss/xsd/DmfAOriginal_20231.xsd", ref());
	gw_rc rc = dmfa_validate_file(path, xsd, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);
	DOC = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(DOC);
	XP = xmlXPathNewContext(DOC);
	assert_non_null(XP);
}

static void
close_doc(char *path)
{
	xmlXPathFreeContext(XP);
	xmlFreeDoc(DOC);
	unlink(path);
}

#define NP(inss) "//NaturalPerson[INSS='" inss "']"

/* The canonical JSON of c with extra members added, parsed back as a
 * record: GW_OK or GW_EINPUT with rej filled. */
static gw_rc
reparse(const struct contract *c, const char *extra, struct contract *out, struct record_rejection *rej)
{
	char *json = NULL, buf[4096];
	size_t len = 0;
	assert_int_equal(contract_to_json(c, &json, &len), GW_OK);
	assert_true(len > 2 && len + strlen(extra) + 2 < sizeof buf);
	snprintf(buf, sizeof buf, "%.*s,%s}", (int)(len - 1), json, extra);
	free(json);
	return contract_from_json(buf, strlen(buf), out, rej);
}

/* Item 1: LocalUnitID. */
static void
test_local_unit(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20262, &p);
	dmfa_rows_init(&rows);
	/* U-1 names its own unit (3000000063: 97 - 30000000 mod 97 = 63);
	 * U-2 has none and takes its employer's default 2123456791. */
	struct contract c = mk("U-1", NOSS, "80010100101", "495", 20260401, 20260401, 100, 800, 10000);
	snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &c, 20262), GW_OK);
	c = mk("U-2", NOSS, "80010100202", "495", 20260402, 20260402, 100, 800, 10000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20262), GW_OK);
	/* U-3: an employer without a default and a record without a unit:
	 * refused before sending, named, with the ONSS anomaly. */
	c = mk("U-3", NOSS2, "80010100303", "495", 20260403, 20260403, 100, 800, 10000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20262), GW_OK);
	/* A student with two contracts in two units: the student line carries
	 * the unit of the last one (glossary 00042). */
	c = mk("ST-1", NOSS, "02020200303", "841", 20260410, 20260410, 100, 800, 9000);
	snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &c, 20262), GW_OK);
	c = mk("ST-2", NOSS, "02020200303", "841", 20260520, 20260520, 100, 800, 9000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20262), GW_OK);

	write_and_open(&rows, &p, &rj, path);
	assert_int_equal(rj.n, 1);
	assert_non_null(strstr(rj.all, "U-3 employer_unit_id anomaly 00042-001"));
	expect("count(//Form)", "1");
	expect("count(//Occupation)", "2");
	expect("count(//Occupation[not(LocalUnitID)])", "0");
	expect(NP("80010100101") "//LocalUnitID", "3000000063");
	expect(NP("80010100202") "//LocalUnitID", "2123456791");
	expect(NP("02020200303") "//StudentContribution/LocalUnitID", "2123456791");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* The configuration list itself is checked, naming the bad entry. */
	uint64_t unit;
	char err[200];
	assert_int_equal(dmfa_unit_lookup("123456789=2123456791", 123456789, &unit, err, sizeof err), GW_OK);
	assert_int_equal(unit, 2123456791ULL);
	assert_int_equal(dmfa_unit_lookup("123456789=2123456791", 123456749, &unit, err, sizeof err), GW_OK);
	assert_int_equal(unit, 0);
	assert_int_equal(dmfa_unit_lookup("123456789=2123456790", 123456789, &unit, err, sizeof err),
	                 GW_ECONFIG);
	assert_non_null(strstr(err, "dmfa.local_units"));
	assert_non_null(strstr(err, "2123456790"));
	assert_int_equal(dmfa_unit_lookup("123456789=1123456791", 123456789, &unit, err, sizeof err),
	                 GW_ECONFIG);

	/* The record field: kept through the canonical JSON, and a wrong
	 * check digit is refused naming the field. */
	struct record_rejection rej;
	struct contract back;
	char *json = NULL;
	size_t len = 0;
	c = mk("U-9", NOSS2, "80010100107", "495", 20260401, 20260401, 100, 800, 10000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
	assert_int_equal(contract_to_json(&c, &json, &len), GW_OK);
	assert_non_null(strstr(json, "\"employer_unit_id\":\"3000000063\""));
	assert_int_equal(contract_from_json(json, len, &back, &rej), GW_OK);
	assert_string_equal(back.employer_unit_id, "3000000063");
	char *bad = strstr(json, "3000000063");
	bad[9] = '4';                           /* check digits 64, expected 63 */
	assert_int_equal(contract_from_json(json, len, &back, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "employer_unit_id");
	assert_non_null(strstr(rej.reason, "expected 63"));
	free(json);
}

/* Item 2: one occupation per contract with its own dates. */
static void
test_one_occupation_per_contract(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20264, &p);
	dmfa_rows_init(&rows);
	/* An artist: one-day contracts on 3, 4 and 5 October (contiguous, same
	 * terms: one occupation 3-5 October), then 20 December alone. */
	struct contract c;
	c = mk("A-1", NOSS, "80010100101", "046", 20261003, 20261003, 100, 800, 15000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	c = mk("A-2", NOSS, "80010100101", "046", 20261004, 20261004, 100, 800, 15000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	c = mk("A-3", NOSS, "80010100101", "046", 20261005, 20261005, 100, 800, 15000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	c = mk("A-4", NOSS, "80010100101", "046", 20261220, 20261220, 100, 800, 20000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	/* A contiguous contract of other terms (half time) opens its own. */
	c = mk("A-5", NOSS, "80010100101", "046", 20261221, 20261221, 100, 400, 8000);
	c.weekly_hours = 1900;
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	/* A ten-day full-time contract, 8 days paid: 5 days a week. */
	c = mk("L-1", NOSS, "80010100202", "495", 20261102, 20261111, 800, 6080, 120000);
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);

	write_and_open(&rows, &p, &rj, path);
	assert_int_equal(rj.n, 0);
	expect("count(" NP("80010100101") "//Occupation)", "3");
	expect(NP("80010100101") "//Occupation[1]/OccupationStartingDate", "2026-10-03");
	expect(NP("80010100101") "//Occupation[1]/OccupationEndingDate", "2026-10-05");
	/* Full time: the reference 5-day week, however short the contract. */
	expect(NP("80010100101") "//Occupation[1]/WorkingDaysSystem", "500");
	expect(NP("80010100101") "//Occupation[1]//ServiceNbrDays", "300");
	expect(NP("80010100101") "//Occupation[1]//RemunAmount", "45000");
	expect(NP("80010100101") "//Occupation[2]/OccupationStartingDate", "2026-12-20");
	expect(NP("80010100101") "//Occupation[2]/OccupationEndingDate", "2026-12-20");
	expect(NP("80010100101") "//Occupation[2]/WorkingDaysSystem", "500");
	expect(NP("80010100101") "//Occupation[2]//RemunAmount", "20000");
	expect(NP("80010100101") "//Occupation[3]/OccupationStartingDate", "2026-12-21");
	expect(NP("80010100101") "//Occupation[3]/ContractType", "1");
	expect(NP("80010100101") "//Occupation[3]/MeanWorkingHours", "1900");
	/* Half time, 4 h in its day: 19 / 4 = 4.75 days a week. */
	expect(NP("80010100101") "//Occupation[3]/WorkingDaysSystem", "475");
	expect(NP("80010100202") "//Occupation/WorkingDaysSystem", "500");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* The days system: full time 500; part time Q x days / hours (30 h
	 * a week in 3 h days: 10 a week, 7 at most; 1 h a week in 48 h days:
	 * 1 at least); no days paid: 500 x Q / S = 250. */
	assert_int_equal(dmfa_days_system(3800, 3800, 2200, 16720), 500);
	assert_int_equal(dmfa_days_system(1900, 3800, 100, 400), 475);
	assert_int_equal(dmfa_days_system(3000, 3800, 1000, 3000), 700);
	assert_int_equal(dmfa_days_system(100, 3800, 100, 4800), 100);
	assert_int_equal(dmfa_days_system(1900, 3800, 0, 0), 250);
}

/* Item 3: a contract that goes on into the next quarter. */
static void
test_quarter_split(void **state)
{
	(void)state;
	struct dmfa_params p2, p3;
	struct dmfa_rows rows;
	struct rej rj;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	char path3[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20262, &p2);
	load_params(20263, &p3);
	/* 16 June - 15 July: 30 calendar days, 15 in each quarter. 22.00 days,
	 * 167.20 hours, 3000.01 euro. Q2: 22 x 15/30 = 11.00 days, 83.60 h,
	 * 3000.01 x 15/30 = 1500.005 -> 1500.01 (half up); Q3 the rest:
	 * 11.00 days, 83.60 h, 1500.00. Full time: 5 days a week (500). */
	struct contract span = mk("SP-1", NOSS, "80010100101", "495", 20260616, 20260715,
	                          2200, 16720, 300001);
	/* Open-ended from 1 June: declared without ending date in Q2. */
	struct contract open = mk("OE-1", NOSS, "80010100202", "495", 20260601, 0, 2200, 16720, 250000);

	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &span, 20262), GW_OK);
	assert_int_equal(dmfa_rows_add(&rows, &open, 20262), GW_OK);
	write_and_open(&rows, &p2, &rj, path);
	assert_int_equal(rj.n, 0);
	expect(NP("80010100101") "//OccupationStartingDate", "2026-06-16");
	expect("count(" NP("80010100101") "//OccupationEndingDate)", "0");
	expect(NP("80010100101") "//ServiceNbrDays", "1100");
	expect(NP("80010100101") "//ServiceNbrHours", "8360");
	expect(NP("80010100101") "//RemunAmount", "150001");
	expect(NP("80010100101") "//WorkingDaysSystem", "500");
	expect(NP("80010100202") "//OccupationStartingDate", "2026-06-01");
	expect("count(" NP("80010100202") "//OccupationEndingDate)", "0");
	expect(NP("80010100202") "//RemunAmount", "250000");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* Q3: the rest of SP-1 with its real start and end. OE-1 goes on, but
	 * its record carries no figures for Q3: refused by name, not guessed. */
	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &span, 20263), GW_OK);
	assert_int_equal(dmfa_rows_add(&rows, &open, 20263), GW_OK);
	write_and_open(&rows, &p3, &rj, path3);
	assert_int_equal(rj.n, 1);
	assert_non_null(strstr(rj.all, "OE-1 quarter_figures open-ended"));
	expect(NP("80010100101") "//OccupationStartingDate", "2026-06-16");
	expect(NP("80010100101") "//OccupationEndingDate", "2026-07-15");
	expect(NP("80010100101") "//ServiceNbrDays", "1100");
	expect(NP("80010100101") "//ServiceNbrHours", "8360");
	expect(NP("80010100101") "//RemunAmount", "150000");
	expect(NP("80010100101") "//WorkingDaysSystem", "500");
	close_doc(path3);
	dmfa_rows_free(&rows);

	/* With its Q3 figures in the record (quarter_figures), the open-ended
	 * contract is declared in Q3 too: start 1 June, no ending date, 20.00
	 * days, 152.00 h, 2000.00, full time (500). And a
	 * closed contract's own Q3 figures win over the calendar-day split. */
	struct record_rejection rej;
	struct contract oe, sp;
	snprintf(open.employer_noss, sizeof open.employer_noss, NOSS2);
	snprintf(open.employer_kbo, sizeof open.employer_kbo, "0456789034");
	snprintf(open.worker_inss, sizeof open.worker_inss, "80010100206");
	snprintf(open.employer_unit_id, sizeof open.employer_unit_id, "3000000063");
	assert_int_equal(reparse(&open, "\"quarter_figures\":\"2026Q3=20/152/200000\"", &oe, &rej), GW_OK);
	snprintf(span.employer_noss, sizeof span.employer_noss, NOSS2);
	snprintf(span.employer_kbo, sizeof span.employer_kbo, "0456789034");
	snprintf(span.worker_inss, sizeof span.worker_inss, "80010100107");
	snprintf(span.employer_unit_id, sizeof span.employer_unit_id, "3000000063");
	assert_int_equal(reparse(&span, "\"quarter_figures\":\"2026Q2=12.00/91.20/160001 "
	                         "2026Q3=10.00/76.00/140000\"", &sp, &rej), GW_OK);
	char path4[] = "/tmp/gwdmfashapeXXXXXX";
	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &oe, 20263), GW_OK);
	assert_int_equal(dmfa_rows_add(&rows, &sp, 20263), GW_OK);
	write_and_open(&rows, &p3, &rj, path4);
	assert_int_equal(rj.n, 0);
	expect(NP("80010100206") "//OccupationStartingDate", "2026-06-01");
	expect("count(" NP("80010100206") "//OccupationEndingDate)", "0");
	expect(NP("80010100206") "//ServiceNbrDays", "2000");
	expect(NP("80010100206") "//ServiceNbrHours", "15200");
	expect(NP("80010100206") "//RemunAmount", "200000");
	expect(NP("80010100206") "//WorkingDaysSystem", "500");
	expect(NP("80010100107") "//ServiceNbrDays", "1000");
	expect(NP("80010100107") "//RemunAmount", "140000");
	expect(NP("80010100107") "//OccupationEndingDate", "2026-07-15");
	close_doc(path4);
	dmfa_rows_free(&rows);
	/* The field itself: canonical form, a quarter outside the period and
	 * a malformed entry refused by name. */
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(contract_to_json(&oe, &json, &len), GW_OK);
	assert_non_null(strstr(json, "\"quarter_figures\":\"2026Q3=20.00/152.00/200000\""));
	free(json);
	assert_int_equal(reparse(&span, "\"quarter_figures\":\"2026Q4=1/1/1\"", &sp, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "quarter_figures");
	assert_non_null(strstr(rej.reason, "outside the contract's period"));
	assert_int_equal(reparse(&span, "\"quarter_figures\":\"2026Q3=1/1\"", &sp, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "quarter_figures");
	assert_int_equal(reparse(&span, "\"quarter_figures\":\"2026Q3=1/1/1 2026Q2=1/1/1\"", &sp, &rej),
	                 GW_EINPUT);

	/* A contract of the previous year that reaches Q1: 20 Dec - 9 Jan,
	 * 21 days, 12 in 2026 and 9 in 2027: 2100.00 x 9/21 = 900.00 in 2027Q1. */
	struct dmfa_params p1;
	load_params(20271, &p1);
	dmfa_rows_init(&rows);
	struct contract ny = mk("NY-1", NOSS, "80010100101", "495", 20261220, 20270109, 1500, 11400, 210000);
	assert_int_equal(dmfa_rows_add(&rows, &ny, 20271), GW_OK);
	size_t nrej;
	assert_int_equal(dmfa_rows_prepare(&rows, &p1, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.v[0].gross, 90000);
	/* 15.00 days x 9/21 = 6.428... -> 6.43 */
	assert_int_equal(rows.v[0].days, 643);
	assert_int_equal(rows.v[0].goes_on, 0);
	dmfa_rows_free(&rows);
}

/* Item 7: legal holiday of manual workers (service 002), RemunMethod,
 * Retired, copyright fees (remuneration 047). */
static void
test_service_and_pay_codes(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	struct record_rejection rej;
	struct contract c, r;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20264, &p);
	dmfa_rows_init(&rows);
	/* A retired blue-collar worker paid by the piece, 5-9 October: 4.00
	 * days worked (30.40 h, 800.00) and 1.00 day of legal holiday (7.60 h).
	 * Full time: 5 days a week (500). */
	c = mk("BC-1", NOSS2, "80010100107", "015", 20261005, 20261009, 400, 3040, 80000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"retired\":\"1\",\"remun_method\":\"1\","
	                         "\"legal_holiday_days\":\"1\",\"legal_holiday_hours\":\"7.60\"",
	                         &r, &rej), GW_OK);
	snprintf(r.employer_unit_id, sizeof r.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &r, 20264), GW_OK);
	/* An artist with 250.00 of copyright fees next to 150.00 of pay: the
	 * fee is its own remuneration line (047), outside the contribution
	 * basis: 108 % x 150.00 = 162.00. */
	c = mk("AR-1", NOSS2, "80010100206", "046", 20261012, 20261012, 100, 800, 15000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"copyright_fees_cents\":\"25000\"", &r, &rej), GW_OK);
	snprintf(r.employer_unit_id, sizeof r.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &r, 20264), GW_OK);

	write_and_open(&rows, &p, &rj, path);
	assert_int_equal(rj.n, 0);
	expect(NP("80010100107") "//Retired", "1");
	expect(NP("80010100107") "//RemunMethod", "1");
	expect(NP("80010100107") "//WorkingDaysSystem", "500");
	expect(NP("80010100107") "//Service[1]/ServiceCode", "001");
	expect(NP("80010100107") "//Service[1]/ServiceNbrDays", "400");
	expect(NP("80010100107") "//Service[2]/ServiceSequenceNbr", "02");
	expect(NP("80010100107") "//Service[2]/ServiceCode", "002");
	expect(NP("80010100107") "//Service[2]/ServiceNbrDays", "100");
	expect(NP("80010100107") "//Service[2]/ServiceNbrHours", "760");
	expect(NP("80010100107") "//Remun/RemunAmount", "80000");
	expect(NP("80010100206") "//Retired", "0");
	expect("count(" NP("80010100206") "//RemunMethod)", "0");
	expect(NP("80010100206") "//Remun[1]/RemunCode", "001");
	expect(NP("80010100206") "//Remun[1]/RemunAmount", "15000");
	expect(NP("80010100206") "//Remun[2]/RemunSequenceNbr", "02");
	expect(NP("80010100206") "//Remun[2]/RemunCode", "047");
	expect(NP("80010100206") "//Remun[2]/RemunAmount", "25000");
	expect(NP("80010100206") "//WorkerContribution[1]/ContributionCalculationBasis", "16200");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* Service 002 is for manual workers: a white-collar record is refused
	 * naming the field; RemunMethod outside 1..3 likewise. */
	c = mk("WC-1", NOSS2, "80010100107", "495", 20261005, 20261009, 400, 3040, 80000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"legal_holiday_days\":\"1\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "legal_holiday_days");
	assert_int_equal(reparse(&c, "\"remun_method\":\"4\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "remun_method");
	assert_int_equal(reparse(&c, "\"retired\":\"2\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "retired");
}

/* Item 7: the white-collar exit holiday pay at the end of a 495 contract.
 * The payroll computed it (it depends on the holidays already taken and
 * the previous year's pay, which the gateway does not see); the record
 * carries it: exit_holiday_pay_cents (remuneration 007, subject to
 * contributions) and exit_holiday_pay_exempt_cents (011, not subject). */
static void
test_exit_holiday_pay(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	struct record_rejection rej;
	struct contract c, r;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20264, &p);
	dmfa_rows_init(&rows);
	/* EX-1: 5-16 October, 10.00 days, 76.00 h, 2,000.00 EUR; at its end
	 * 153.40 EUR of exit holiday pay subject to contributions and 50.00
	 * EUR not subject. The flat test table: code 495 at 100 %, 13.07 +
	 * 25.00 = 38.07 %, and extra line 810 at 0.10 %.
	 *   basis  = 2,000.00 + 153.40 (007; 011 stays out) = 2,153.40 EUR
	 *   495    = 2,153.40 x 38.07 % = 819.79938 -> 819.80 EUR = 81980
	 *   810    = 2,153.40 x 0.10 %  = 2.1534    -> 2.15 EUR   = 215
	 * Without the exit pay in the basis it would be 2,000.00 x 38.07 %
	 * = 761.40 EUR. */
	c = mk("EX-1", NOSS2, "80010100107", "495", 20261005, 20261016, 1000, 7600, 200000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	gw_rc rc = reparse(&c, "\"exit_holiday_pay_cents\":\"15340\","
	                   "\"exit_holiday_pay_exempt_cents\":\"5000\"", &r, &rej);
	if (rc != GW_OK)
		fprintf(stderr, "%s: %s\n", rej.field, rej.reason);
	assert_int_equal(rc, GW_OK);
	assert_int_equal(r.exit_holiday_pay_cents, 15340);
	assert_int_equal(r.exit_holiday_pay_exempt_cents, 5000);
	/* The canonical form (what the service stores and rebuilds rows
	 * from) keeps both. */
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(contract_to_json(&r, &json, &len), GW_OK);
	assert_non_null(strstr(json, "\"exit_holiday_pay_cents\":\"15340\""));
	assert_non_null(strstr(json, "\"exit_holiday_pay_exempt_cents\":\"5000\""));
	free(json);
	snprintf(r.employer_unit_id, sizeof r.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &r, 20264), GW_OK);
	/* EX-2: 21 September - 9 October, exit pay 100.00 EUR: paid at the
	 * end, so all of it in Q4 (the pay is shared by calendar days:
	 * 19 days, 9 in Q4: 1,900.00 x 9/19 = 900.00 EUR). */
	c = mk("EX-2", NOSS2, "80010100206", "495", 20260921, 20261009, 1400, 10640, 190000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"exit_holiday_pay_cents\":\"10000\"", &r, &rej), GW_OK);
	snprintf(r.employer_unit_id, sizeof r.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &r, 20264), GW_OK);

	write_and_open(&rows, &p, &rj, path);
	assert_int_equal(rj.n, 0);
	expect(NP("80010100107") "//Remun[1]/RemunCode", "001");
	expect(NP("80010100107") "//Remun[1]/RemunAmount", "200000");
	expect(NP("80010100107") "//Remun[2]/RemunSequenceNbr", "02");
	expect(NP("80010100107") "//Remun[2]/RemunCode", "007");
	expect(NP("80010100107") "//Remun[2]/RemunAmount", "15340");
	expect(NP("80010100107") "//Remun[3]/RemunCode", "011");
	expect(NP("80010100107") "//Remun[3]/RemunAmount", "5000");
	expect(NP("80010100107") "//WorkerContribution[1]/ContributionWorkerCode", "495");
	expect(NP("80010100107") "//WorkerContribution[1]/ContributionCalculationBasis", "215340");
	expect(NP("80010100107") "//WorkerContribution[1]/ContributionAmount", "81980");
	expect(NP("80010100107") "//WorkerContribution[2]/ContributionWorkerCode", "810");
	expect(NP("80010100107") "//WorkerContribution[2]/ContributionAmount", "215");
	expect(NP("80010100206") "//Remun[1]/RemunAmount", "90000");
	expect(NP("80010100206") "//Remun[2]/RemunCode", "007");
	expect(NP("80010100206") "//Remun[2]/RemunAmount", "10000");
	/* 900.00 + 100.00 = 1,000.00 EUR x 38.07 % = 380.70 EUR */
	expect(NP("80010100206") "//WorkerContribution[1]/ContributionCalculationBasis", "100000");
	expect(NP("80010100206") "//WorkerContribution[1]/ContributionAmount", "38070");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* In Q3, EX-2 has not ended: its 10 days there (1,000.00 EUR) carry
	 * no exit pay. */
	struct dmfa_params p3;
	char path3[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20263, &p3);
	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &r, 20263), GW_OK);
	write_and_open(&rows, &p3, &rj, path3);
	assert_int_equal(rj.n, 0);
	expect(NP("80010100206") "//Remun[1]/RemunAmount", "100000");
	expect("count(" NP("80010100206") "//Remun)", "1");
	expect(NP("80010100206") "//WorkerContribution[1]/ContributionCalculationBasis", "100000");
	close_doc(path3);
	dmfa_rows_free(&rows);

	/* Refused by name: a blue-collar worker (015), a flexi-job (450,
	 * whose flexi pay includes its holiday pay), an open-ended contract. */
	c = mk("EX-3", NOSS2, "80010100107", "015", 20261005, 20261009, 400, 3040, 80000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"exit_holiday_pay_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "exit_holiday_pay_cents");
	assert_non_null(strstr(rej.reason, "white-collar"));
	c = mk("EX-4", NOSS2, "80010100107", "450", 20261005, 20261005, 100, 800, 12000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	snprintf(c.worker_type, sizeof c.worker_type, "FLX");
	c.start_time = 9 * 60;
	c.end_time = 17 * 60;
	assert_int_equal(reparse(&c, "\"exit_holiday_pay_exempt_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "exit_holiday_pay_exempt_cents");
	c = mk("EX-5", NOSS2, "80010100107", "495", 20261005, 0, 400, 3040, 80000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"exit_holiday_pay_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "exit_holiday_pay_cents");
	assert_non_null(strstr(rej.reason, "end_date"));
	assert_int_equal(reparse(&c, "\"exit_holiday_pay_cents\":\"-1\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "exit_holiday_pay_cents");
}

/* Item 6 (856): the special social security contribution as the payroll
 * withheld it, from special_ss_contribution_cents. */
static void
test_special_ss_contribution(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	struct record_rejection rej;
	struct contract c, r;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20264, &p);
	dmfa_rows_init(&rows);
	/* One white-collar worker, two contracts in Q4: 2,000.00 EUR with
	 * 45.60 EUR withheld, 500.00 EUR with 10.00 EUR withheld. The flat
	 * test table: 495 at 100 %, 38.07 %, and extra line 810 at 0.10 %.
	 *   basis = 2,500.00 EUR (856 is withheld from the pay, not added)
	 *   495   = 2,500.00 x 38.07 % = 951.75 EUR = 95175
	 *   810   = 2,500.00 x 0.10 %  = 2.50 EUR   = 250
	 *   856   = 45.60 + 10.00      = 55.60 EUR  = 5560, type 0, no basis
	 *   NetOwedAmount = 95175 + 250 + 5560 = 100985 */
	c = mk("SS-1", NOSS2, "80010100107", "495", 20261005, 20261016, 1000, 7600, 200000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	gw_rc rc = reparse(&c, "\"special_ss_contribution_cents\":\"4560\"", &r, &rej);
	if (rc != GW_OK)
		fprintf(stderr, "%s: %s\n", rej.field, rej.reason);
	assert_int_equal(rc, GW_OK);
	assert_int_equal(r.special_ss_contribution_cents, 4560);
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(contract_to_json(&r, &json, &len), GW_OK);
	assert_non_null(strstr(json, "\"special_ss_contribution_cents\":\"4560\""));
	free(json);
	snprintf(r.employer_unit_id, sizeof r.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &r, 20264), GW_OK);
	c = mk("SS-2", NOSS2, "80010100107", "495", 20261020, 20261023, 400, 3040, 50000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"special_ss_contribution_cents\":\"1000\"", &r, &rej), GW_OK);
	snprintf(r.employer_unit_id, sizeof r.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &r, 20264), GW_OK);
	write_and_open(&rows, &p, &rj, path);
	assert_int_equal(rj.n, 0);
	expect(NP("80010100107") "//WorkerContribution[1]/ContributionCalculationBasis", "250000");
	expect(NP("80010100107") "//WorkerContribution[1]/ContributionAmount", "95175");
	expect(NP("80010100107") "//WorkerContribution[2]/ContributionAmount", "250");
	expect(NP("80010100107") "//WorkerContribution[3]/ContributionWorkerCode", "856");
	expect(NP("80010100107") "//WorkerContribution[3]/ContributionType", "0");
	expect(NP("80010100107") "//WorkerContribution[3]/ContributionAmount", "5560");
	expect("count(" NP("80010100107") "//WorkerContribution[3]/ContributionCalculationBasis)", "0");
	expect("//NetOwedAmount", "100985");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* Refused by name: a student (840) and a flexi-job (450) carry no
	 * personal contribution; a contract spanning Q3 and Q4, and an
	 * open-ended one, cannot say which quarter the amount is for. */
	c = mk("SS-3", NOSS2, "80010100107", "840", 20261005, 20261009, 400, 3040, 80000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	snprintf(c.worker_type, sizeof c.worker_type, "STU");
	c.planned_hours = 30;
	assert_int_equal(reparse(&c, "\"special_ss_contribution_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "special_ss_contribution_cents");
	assert_non_null(strstr(rej.reason, "840"));
	c = mk("SS-4", NOSS2, "80010100107", "450", 20261005, 20261005, 100, 800, 12000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	snprintf(c.worker_type, sizeof c.worker_type, "FLX");
	c.start_time = 9 * 60;
	c.end_time = 17 * 60;
	assert_int_equal(reparse(&c, "\"special_ss_contribution_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "special_ss_contribution_cents");
	c = mk("SS-5", NOSS2, "80010100107", "495", 20260921, 20261009, 1400, 10640, 190000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"special_ss_contribution_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "special_ss_contribution_cents");
	assert_non_null(strstr(rej.reason, "one quarter"));
	c.end_date = 0;
	assert_int_equal(reparse(&c, "\"special_ss_contribution_cents\":\"100\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "special_ss_contribution_cents");
	c = mk("SS-6", NOSS2, "80010100107", "495", 20261005, 20261016, 1000, 7600, 200000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	assert_int_equal(reparse(&c, "\"special_ss_contribution_cents\":\"-1\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "special_ss_contribution_cents");
}

/* Item 5: HorecaExtra "E" for occasional workers, EXT only where allowed. */
static void
test_horeca_extra(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	struct record_rejection rej;
	struct contract c, r;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20264, &p);
	/* EXT in Horeca (302) under employer category 000: "E"; EXT in
	 * agriculture (144): no HorecaExtra; an ordinary worker in 302: none. */
	dmfa_rows_init(&rows);
	c = mk("EX-1", NOSS2, "80010100107", "015", 20261010, 20261010, 100, 600, 9000);
	snprintf(c.worker_type, sizeof c.worker_type, "EXT");
	snprintf(c.joint_committee, sizeof c.joint_committee, "302");
	c.start_time = 18 * 60;
	c.end_time = 23 * 60;
	snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	c = mk("EX-2", NOSS2, "80010100206", "015", 20261011, 20261011, 100, 600, 9000);
	snprintf(c.worker_type, sizeof c.worker_type, "EXT");
	snprintf(c.joint_committee, sizeof c.joint_committee, "144");
	snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	c = mk("OT-1", NOSS2, "80010100305", "015", 20261011, 20261011, 100, 600, 9000);
	snprintf(c.joint_committee, sizeof c.joint_committee, "302");
	snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
	assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	write_and_open(&rows, &p, &rj, path);
	expect(NP("80010100107") "//OccupationInformations/HorecaExtra", "E");
	expect("count(" NP("80010100206") "//HorecaExtra)", "0");
	expect("count(" NP("80010100305") "//HorecaExtra)", "0");
	close_doc(path);

	/* Under category 317 (Horeca extras) the marker is not written. */
	struct dmfa_wr *wr = malloc(sizeof *wr);
	char err[256];
	assert_non_null(wr);
	assert_int_equal(dmfa_wr_build(rows.v, 1, &p, wr, err, sizeof err), GW_OK);
	dmfa_wr_set_horeca(wr, 317);
	assert_int_equal(wr->occ[0].horeca_extra, 0);
	dmfa_wr_set_horeca(wr, 0);
	assert_int_equal(wr->occ[0].horeca_extra, 1);
	free(wr);
	dmfa_rows_free(&rows);

	/* At intake: EXT in a joint committee without occasional work is
	 * refused with the Dimona anomaly; 145.04 (parks and gardens) too. */
	c = mk("EX-9", NOSS2, "80010100107", "015", 20261010, 20261010, 100, 600, 9000);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
	snprintf(c.worker_type, sizeof c.worker_type, "EXT");
	c.start_time = 18 * 60;
	c.end_time = 23 * 60;
	snprintf(c.joint_committee, sizeof c.joint_committee, "302");
	assert_int_equal(reparse(&c, "\"function_code\":\"5131\"", &r, &rej), GW_OK);
	snprintf(c.joint_committee, sizeof c.joint_committee, "200");
	assert_int_equal(reparse(&c, "\"function_code\":\"5131\"", &r, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "joint_committee");
	assert_non_null(strstr(rej.reason, "90374-349"));
	snprintf(c.joint_committee, sizeof c.joint_committee, "145.04");
	assert_int_equal(reparse(&c, "\"function_code\":\"5131\"", &r, &rej), GW_EINPUT);
}

/* Item 5: the worker codes declared on forfait wages (Horeca extras of
 * category 317: 011, 020, 486, 496) are refused by name, since the forfait
 * basis is not built; the same extra under 015 is declared on its pay. */
static void
test_horeca_forfait_codes_refused(void **state)
{
	(void)state;
	static const char *const codes[] = { "011", "020", "486", "496" };
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	size_t nrej = 0;
	load_params(20264, &p);
	dmfa_rows_init(&rows);
	for (int i = 0; i < 5; i++) {
		char id[16], inss[12];
		snprintf(id, sizeof id, "FF-%d", i);
		snprintf(inss, sizeof inss, "800101%05d", 100 + 99 * i);
		struct contract c = mk(id, NOSS2, inss, i < 4 ? codes[i] : "015", 20261010, 20261010,
		                       100, 600, 9000);
		snprintf(c.worker_type, sizeof c.worker_type, "EXT");
		snprintf(c.joint_committee, sizeof c.joint_committee, "302");
		c.start_time = 18 * 60;
		c.end_time = 23 * 60;
		snprintf(c.employer_unit_id, sizeof c.employer_unit_id, "3000000063");
		assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	}
	memset(&rj, 0, sizeof rj);
	assert_int_equal(dmfa_rows_prepare(&rows, &p, on_reject, &rj, &nrej), GW_OK);
	assert_int_equal(nrej, 4);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].contract_id, "FF-4");
	for (int i = 0; i < 4; i++) {
		char want[64];
		snprintf(want, sizeof want, "FF-%d worker_code declared on forfait wages", i);
		if (!strstr(rj.all, want))
			fprintf(stderr, "missing '%s' in:\n%s", want, rj.all);
		assert_non_null(strstr(rj.all, want));
	}
	dmfa_rows_free(&rows);
}

/* Item 8: the student contingent as the Dimona answers report it. */
static void
test_student_contingent(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct rej rj;
	char path[] = "/tmp/gwdmfashapeXXXXXX";
	load_params(20262, &p);
	assert_int_equal(p.student_quota_hours, 600);
	/* ST-A 10 April 20 h 200.00 (1 day), ST-B 20 April 30 h 300.00 (1 day).
	 * The input alone leaves 600 h: everything at the solidarity rate. The
	 * Dimona answer to ST-B's declaration (90017-369) says only 10 h are
	 * left across employers: ST-A 20 h fits, ST-B splits into 10 h at the
	 * solidarity rate (300.00 x 10/30 = 100.00, 1.00 day x 10/30 = 0.33)
	 * and 20 h under 495 (200.00, 0.67 day). Student line: 300.00, 30 h,
	 * 8.13 % = 24.39. */
	struct contract a = mk("ST-A", NOSS, "02020200303", "841", 20260410, 20260410, 100, 2000, 20000);
	struct contract b = mk("ST-B", NOSS, "02020200303", "841", 20260420, 20260420, 100, 3000, 30000);
	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &a, 20262), GW_OK);
	assert_int_equal(dmfa_rows_add(&rows, &b, 20262), GW_OK);
	assert_int_equal(dmfa_rows_set_contingent(&rows, "ST-B", 1000), 1);
	write_and_open(&rows, &p, &rj, path);
	assert_int_equal(rj.n, 0);
	expect("count(" NP("02020200303") "/WorkerRecord)", "2");
	expect(NP("02020200303") "/WorkerRecord[1]/WorkerCode", "495");
	expect(NP("02020200303") "/WorkerRecord[1]//ServiceNbrDays", "67");
	expect(NP("02020200303") "/WorkerRecord[1]//ServiceNbrHours", "2000");
	expect(NP("02020200303") "/WorkerRecord[1]//RemunAmount", "20000");
	expect(NP("02020200303") "/WorkerRecord[2]/WorkerCode", "841");
	expect(NP("02020200303") "//StudentRemunAmount", "30000");
	expect(NP("02020200303") "//StudentHoursNbr", "30");
	expect(NP("02020200303") "//StudentContributionAmount", "2439");
	close_doc(path);
	dmfa_rows_free(&rows);

	/* Without the answer: 50 h, 500.00 at the solidarity rate (40.65). */
	char path2[] = "/tmp/gwdmfashapeXXXXXX";
	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &a, 20262), GW_OK);
	assert_int_equal(dmfa_rows_add(&rows, &b, 20262), GW_OK);
	write_and_open(&rows, &p, &rj, path2);
	expect("count(" NP("02020200303") "/WorkerRecord)", "1");
	expect(NP("02020200303") "//StudentRemunAmount", "50000");
	expect(NP("02020200303") "//StudentHoursNbr", "50");
	close_doc(path2);
	dmfa_rows_free(&rows);

	/* Exceeded without a figure (0 left) on the first contract: both go
	 * to 495, no student line. */
	char path3[] = "/tmp/gwdmfashapeXXXXXX";
	dmfa_rows_init(&rows);
	assert_int_equal(dmfa_rows_add(&rows, &a, 20262), GW_OK);
	assert_int_equal(dmfa_rows_add(&rows, &b, 20262), GW_OK);
	assert_int_equal(dmfa_rows_set_contingent(&rows, "ST-A", 0), 1);
	write_and_open(&rows, &p, &rj, path3);
	expect("count(" NP("02020200303") "//StudentContribution)", "0");
	expect(NP("02020200303") "/WorkerRecord/WorkerCode", "495");
	expect("sum(" NP("02020200303") "//RemunAmount)", "50000");
	close_doc(path3);
	dmfa_rows_free(&rows);
}

static int
setup(void **state)
{
	(void)state;
	gw_cfg = config_new();
	config_set(gw_cfg, "dmfa.local_units", "123456789=2123456791");
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
		cmocka_unit_test(test_local_unit),
		cmocka_unit_test(test_one_occupation_per_contract),
		cmocka_unit_test(test_quarter_split),
		cmocka_unit_test(test_service_and_pay_codes),
		cmocka_unit_test(test_exit_holiday_pay),
		cmocka_unit_test(test_special_ss_contribution),
		cmocka_unit_test(test_horeca_extra),
		cmocka_unit_test(test_horeca_forfait_codes_refused),
		cmocka_unit_test(test_student_contingent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

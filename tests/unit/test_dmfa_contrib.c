/* test_dmfa_contrib.c - the DmfA contribution engine (onss/dmfa/contrib.h):
 * every amount below is computed by hand, step by step, from the table
 * TABLE (test values, not the shipped ones), and the written declaration
 * validates against the official XSD. */
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
#include "onss/dmfa/contrib.h"
#include "onss/dmfa/xml.h"
#include "onss/dmfa/validate.h"
#include "core/array.h"

/* Two employers: 123456789 (category 000, 25 workers, closure fund 810) and
 * 150000120 (category 010, 5 workers, closure fund 811). */
static const char TABLE[] =
	"20231 part.personal.any 13.07 | test\n"
	"20231 part.employer.000 25.00 | test\n"
	"20231 part.employer.010 32.40 | test\n"
	"20231 part.holiday.any 5.57 | test\n"
	"20231 part.flexi.any 25.00 | test: before 2024\n"
	"20241 part.flexi.any 28.00 | test: from 2024\n"
	"20231 code.015 ordinary 108 1 personal,employer,holiday | test\n"
	"20231 code.046 ordinary 108 1 personal,employer,holiday | test\n"
	"20231 code.495 ordinary 100 0 personal,employer | test\n"
	"20231 code.050 flexi 0 flexi | test\n"
	"20231 code.450 flexi 0 flexi | test\n"
	"20231 code.840 student 015 | test\n"
	"20231 code.841 student 495 | test\n"
	"20231 supp.855.ten 0 1.69 min=10 | test\n"
	"20231 supp.810.small 0 0.12 max=20 fso=810 | test\n"
	"20231 supp.810.large 0 0.17 min=20 fso=810 | test\n"
	"20231 supp.811.all 0 0.02 fso=811 | test\n"
	"20231 supp.859.all 0 0.09 | test\n"
	"20231 employer.123456789 000 25 810 | test\n"
	"20231 employer.150000120 010 5 811 | test\n"
	"20241 reduce.3000.any 0.00 0.1400 9035.00 | test\n"
	"20241 reduce.4300 1000.00 517.00 5418.48 046 | test\n"
	"20231 rate.student 8.13 | test\n"
	"20231 student.hours_quota 600 | test\n";

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
load(int quarter, struct dmfa_params *p)
{
	char err[256];
	gw_rc rc = dmfa_params_parse(TABLE, sizeof TABLE - 1, "TABLE", quarter, p, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);
}

/* One contract row in 2026Q4: full time (38/38), start = end. */
static struct dmfa_row
row(const char *id, uint32_t noss, uint64_t inss, int code, gw_ymd day, int64_t days,
    int64_t hours, int64_t gross)
{
	struct dmfa_row r;
	memset(&r, 0, sizeof r);
	snprintf(r.contract_id, sizeof r.contract_id, "%s", id);
	snprintf(r.jc, sizeof r.jc, "%s", "304");
	r.revision = 1;
	r.noss = noss;
	r.kbo = noss == 123456789 ? 123456749ULL : 1500001200ULL;
	r.inss = inss;
	r.worker_code = (uint16_t)code;
	r.start = r.end = day;
	r.q = r.s = 3800;
	r.days = days;
	r.hours = hours;
	r.gross = gross;
	return r;
}

static struct dmfa_wr WR;

static void
build(const struct dmfa_row *r, size_t n, const struct dmfa_params *p)
{
	char err[256] = "";
	gw_rc rc = dmfa_wr_build(r, n, p, &WR, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);
}

static const struct dmfa_contrib *
line(int code)
{
	for (int i = 0; i < WR.ncontrib; i++)
		if (WR.contrib[i].code == code)
			return &WR.contrib[i];
	return NULL;
}

static void
test_blue_collar_big_employer(void **state)
{
	(void)state;
	struct dmfa_params p;
	load(20264, &p);
	/* 015, 10 days, 80 h, 1,500.00 EUR at employer 123456789 (000, 25 workers, FSO 810). */
	struct dmfa_row r = row("B-1", 123456789, 80010100107ULL, 15, 20261105, 1000, 8000, 150000);
	build(&r, 1, &p);
	/* basis = 150000 x 108 % = 162000 cents
	 * 015 line: 13.07 + 25.00 + 5.57 = 43.64 %; 162000 x 0.4364 = 70696.8 -> 70697
	 * 855 (25 >= 10 workers): 162000 x 1.69 % = 2737.8 -> 2738
	 * 810 large (25 >= 20, FSO 810): 162000 x 0.17 % = 275.4 -> 275; no 810 small, no 811
	 * 859: 162000 x 0.09 % = 145.8 -> 146
	 * reductions: mu = 1000 / (13 x 500) ; S = 150000 x 6500 / 1000 = 975000 (9,750.00)
	 *   3000: S0 903500 < S and F = 0 -> R = 0, nothing; 4300: 015 not an artists' code.
	 * owed = 70697 + 2738 + 275 + 146 = 73856 */
	assert_int_equal(WR.ncontrib, 4);
	assert_int_equal(WR.contrib[0].code, 15);
	assert_int_equal(WR.contrib[0].ctype, 1);
	assert_int_equal(WR.contrib[0].basis, 162000);
	assert_int_equal(WR.contrib[0].amount, 70697);
	assert_int_equal(line(855)->amount, 2738);
	assert_int_equal(line(810)->amount, 275);
	assert_null(line(811));
	assert_int_equal(line(859)->amount, 146);
	assert_int_equal(line(859)->basis, 162000);
	assert_int_equal(WR.occ[0].nded, 0);
	assert_int_equal(WR.occ[0].remun_code, 1);
	assert_int_equal(WR.owed, 73856);
}

static void
test_artist_reductions(void **state)
{
	(void)state;
	struct dmfa_params p;
	load(20264, &p);
	/* 046, one day, 8 h, 100.00 EUR at employer 123456789. */
	struct dmfa_row r = row("A-1", 123456789, 80010100107ULL, 46, 20261105, 100, 800, 10000);
	build(&r, 1, &p);
	/* basis = 10000 x 108 % = 10800
	 * 046 line: 10800 x 43.64 % = 4713.12 -> 4713
	 * 855: 10800 x 1.69 % = 182.52 -> 183; 810: 10800 x 0.17 % = 18.36 -> 18;
	 * 859: 10800 x 0.09 % = 9.72 -> 10
	 * mu = 100 / 6500; S = 10000 x 6500 / 100 = 650000 (6,500.00)
	 * 3000: R = 0 + 0.14 x (903500 - 650000) = 0.14 x 253500 = 35490;
	 *       R x mu = 35490 x 100 / 6500 = 546.0 -> 546
	 * 4300: S 650000 >= SMIN 541848: G x mu = 100000 x 100 / 6500 = 1538.46 -> 1538 (cap 51700)
	 * employer share of the 046 line: 4713 - round(10800 x 13.07 %) = 4713 - 1412 = 3301 >= 2084
	 * owed = 4713 + 183 + 18 + 10 - 546 - 1538 = 2840 */
	assert_int_equal(WR.contrib[0].amount, 4713);
	assert_int_equal(line(855)->amount, 183);
	assert_int_equal(line(810)->amount, 18);
	assert_int_equal(line(859)->amount, 10);
	assert_int_equal(WR.occ[0].nded, 2);
	assert_int_equal(WR.occ[0].ded[0].code, 3000);
	assert_int_equal(WR.occ[0].ded[0].amount, 546);
	assert_int_equal(WR.occ[0].ded[1].code, 4300);
	assert_int_equal(WR.occ[0].ded[1].amount, 1538);
	assert_int_equal(WR.owed, 2840);
}

static void
test_reduction_capped_at_employer_share(void **state)
{
	(void)state;
	struct dmfa_params p;
	load(20264, &p);
	/* 046, one day, 20.00 EUR: a large reduction on a small line. */
	struct dmfa_row r = row("A-2", 123456789, 80010100107ULL, 46, 20261105, 100, 200, 2000);
	build(&r, 1, &p);
	/* basis = 2000 x 108 % = 2160; 046 line: 2160 x 43.64 % = 942.624 -> 943
	 * personal: 2160 x 13.07 % = 282.312 -> 282; employer share 943 - 282 = 661
	 * S = 2000 x 65 = 130000 < SMIN 541848: no 4300
	 * 3000: R = 0.14 x (903500 - 130000) = 108290; x 100 / 6500 = 1666 -> capped to 661
	 * 855: 2160 x 1.69 % = 36.504 -> 37; 810: 3.672 -> 4; 859: 1.944 -> 2
	 * owed = 943 + 37 + 4 + 2 - 661 = 325 */
	assert_int_equal(WR.contrib[0].amount, 943);
	assert_int_equal(WR.occ[0].nded, 1);
	assert_int_equal(WR.occ[0].ded[0].code, 3000);
	assert_int_equal(WR.occ[0].ded[0].amount, 661);
	assert_int_equal(WR.owed, 325);
}

static void
test_flexi(void **state)
{
	(void)state;
	struct dmfa_params p;
	load(20264, &p);
	/* 050, one evening, 90.00 EUR flexi pay. */
	struct dmfa_row r = row("F-1", 123456789, 80010100107ULL, 50, 20261105, 100, 600, 9000);
	build(&r, 1, &p);
	/* basis = 9000 (100 %, no 108 %); special employer contribution 28 %:
	 * 9000 x 0.28 = 2520; no personal part, no 855/810/859, no reduction;
	 * the pay goes under remuneration code 22. */
	assert_int_equal(WR.kind, DMFA_RULE_FLEXI);
	assert_int_equal(WR.ncontrib, 1);
	assert_int_equal(WR.contrib[0].code, 50);
	assert_int_equal(WR.contrib[0].ctype, 0);
	assert_int_equal(WR.contrib[0].basis, 9000);
	assert_int_equal(WR.contrib[0].amount, 2520);
	assert_int_equal(WR.occ[0].remun_code, 22);
	assert_int_equal(WR.occ[0].nded, 0);
	assert_int_equal(WR.owed, 2520);

	/* 2023Q4: the rate in force was 25 %: 9000 x 0.25 = 2250. */
	load(20234, &p);
	r.start = r.end = 20231105;
	build(&r, 1, &p);
	assert_int_equal(WR.contrib[0].amount, 2250);
}

static void
test_small_nonprofit_employer(void **state)
{
	(void)state;
	struct dmfa_params p;
	load(20264, &p);
	/* 495, 20 days, 3,000.00 EUR at employer 150000120 (010, 5 workers, FSO 811). */
	struct dmfa_row r = row("W-1", 150000120, 80010100107ULL, 495, 20261105, 2000, 15200, 300000);
	build(&r, 1, &p);
	/* basis = 300000 (100 %); 495 line: 13.07 + 32.40 (category 010's own employer part) = 45.47 %
	 * -> 300000 x 0.4547 = 136410
	 * 855: 5 workers < 10, none; 810: FSO 811, none; 811: 300000 x 0.02 % = 60;
	 * 859: 300000 x 0.09 % = 270
	 * S = 300000 x 6500 / 2000 = 975000 > S0: no reduction
	 * owed = 136410 + 60 + 270 = 136740 */
	assert_int_equal(WR.contrib[0].amount, 136410);
	assert_null(line(855));
	assert_null(line(810));
	assert_int_equal(line(811)->amount, 60);
	assert_int_equal(line(859)->amount, 270);
	assert_int_equal(WR.owed, 136740);
	assert_int_equal(dmfa_contrib_employer_class(&p, 150000120, 0), 10);
	assert_int_equal(dmfa_contrib_employer_class(&p, 999999999, 7), 7);
}

static void
test_unknown_employer_or_category_refused(void **state)
{
	(void)state;
	struct dmfa_params p;
	char err[256] = "";
	load(20264, &p);
	struct dmfa_row r = row("U-1", 111111111, 80010100107ULL, 15, 20261105, 100, 800, 10000);
	r.kbo = 123456749ULL;
	assert_int_equal(dmfa_wr_build(&r, 1, &p, &WR, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "employer.111111111"));

	/* A category without its own employer part and no "any" line. */
	static const char t2[] =
		"20241 rate.student 8.13 | t\n20241 student.hours_quota 600 | t\n"
		"20231 part.personal.any 13.07 | t\n20241 part.employer.000 25.00 | t\n"
		"20241 code.015 ordinary 108 1 personal,employer | t\n"
		"20241 employer.111111111 999 3 810 | t\n";
	assert_int_equal(dmfa_params_parse(t2, sizeof t2 - 1, "t2", 20264, &p, err, sizeof err), GW_OK);
	assert_int_equal(dmfa_wr_build(&r, 1, &p, &WR, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "part.employer"));
	assert_non_null(strstr(err, "999"));

	/* A code naming a part the table never rates is refused at load. */
	static const char t3[] =
		"20241 rate.student 8.13 | t\n20241 student.hours_quota 600 | t\n"
		"20231 part.personal.any 13.07 | t\n"
		"20241 code.015 ordinary 108 1 personal,employer | t\n";
	assert_int_equal(dmfa_params_parse(t3, sizeof t3 - 1, "t3", 20264, &p, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "part.employer"));
	/* Malformed engine lines name the line. */
	static const char t4[] = "20241 supp.855 0 1.69 | t\n";
	assert_int_equal(dmfa_params_parse(t4, sizeof t4 - 1, "t4", 20264, &p, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "t4:1: supp.855"));
	static const char t5[] = "20241 employer.123456789 000 25 812 | t\n";
	assert_int_equal(dmfa_params_parse(t5, sizeof t5 - 1, "t5", 20264, &p, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "t5:1: employer.123456789"));
}

static double
num(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	assert_non_null(o);
	double v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

static void
test_declaration_validates(void **state)
{
	(void)state;
	struct dmfa_params p;
	struct dmfa_rows rows;
	struct dmfa_write_stats st;
	size_t nrej = 0;
	char path[] = "/tmp/gwcontribXXXXXX", xsd[512], err[512];
	load(20264, &p);
	dmfa_rows_init(&rows);
	struct dmfa_row v[] = {
		row("A-1", 123456789, 80010100107ULL, 46, 20261105, 100, 800, 10000),
		row("F-1", 123456789, 80010100206ULL, 50, 20261106, 100, 600, 9000),
		row("W-1", 150000120, 80010100305ULL, 495, 20261105, 2000, 15200, 300000),
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(ARRAY_RESERVE(rows.v, rows.n, rows.cap, 16), GW_OK);
		rows.v[rows.n++] = v[i];
	}
	assert_int_equal(dmfa_rows_prepare(&rows, &p, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(nrej, 0);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	struct dmfa_write_opts o = { 20270110, 0, 999 };
	assert_int_equal(dmfa_write_original(f, &rows, &p, &o, NULL, NULL, &st), GW_OK);
	assert_int_equal(fclose(f), 0);
	snprintf(xsd, sizeof xsd, "%s/onss/xsd/DmfAOriginal_20231.xsd", ref());
	gw_rc rc = dmfa_validate_file(path, xsd, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);

	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	/* The class of each employer from its table line, not the configured 999. */
	assert_true(num(xp, "//Form[1]//WorkerRecord[1]/EmployerClass") == 0);
	assert_true(num(xp, "//Form[2]//WorkerRecord[1]/EmployerClass") == 10);
	/* Employer 123456789: artist 2840 (see test_artist_reductions) + flexi 2520 = 5360. */
	assert_true(num(xp, "//Form[1]//NetOwedAmount") == 5360);
	assert_true(num(xp, "sum(//Form[1]//ContributionAmount) - sum(//Form[1]//DeductionAmount)") == 5360);
	assert_true(num(xp, "//Form[1]//Occupation[OccupationDeduction/DeductionCode='3000']"
	                    "/OccupationDeduction[DeductionCode='3000']/DeductionAmount") == 546);
	assert_true(num(xp, "//Form[1]//Occupation/OccupationDeduction[DeductionCode='4300']/DeductionAmount") == 1538);
	assert_true(num(xp, "//Form[1]//WorkerRecord[WorkerCode='050']//RemunCode") == 22);
	assert_true(num(xp, "//Form[1]//WorkerRecord[WorkerCode='046']//RemunCode") == 1);
	/* Employer 150000120: 136740 (see test_small_nonprofit_employer). */
	assert_true(num(xp, "//Form[2]//NetOwedAmount") == 136740);
	assert_true(st.net_owed == 5360 + 136740);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	unlink(path);
	dmfa_rows_free(&rows);
}

/* The shipped table loads for the Q4 2026 declaration, and a flexi evening
 * there owes the 2024 rate: 90.00 EUR x 28 % = 25.20 EUR, nothing else. */
static void
test_shipped_table(void **state)
{
	(void)state;
	struct dmfa_params p;
	char path[512], err[256] = "";
	snprintf(path, sizeof path, "%s/schemas/dmfa/params.txt", top());
	gw_rc rc = dmfa_params_load(path, 20264, &p, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);
	const struct dmfa_code_rule *r = dmfa_params_rule(&p, 50);
	assert_non_null(r);
	assert_int_equal(r->kind, DMFA_RULE_FLEXI);
	assert_non_null(dmfa_params_rule(&p, 450));
	assert_int_equal(dmfa_params_rule(&p, 15)->kind, DMFA_RULE_ORDINARY);
	assert_non_null(dmfa_params_employer(&p, 51234526));   /* employer.default */
	struct dmfa_row f = row("F-2", 51234526, 80010100107ULL, 50, 20261105, 100, 600, 9000);
	build(&f, 1, &p);
	assert_int_equal(WR.ncontrib, 1);
	assert_int_equal(WR.contrib[0].amount, 2520);
	assert_int_equal(WR.owed, 2520);
}

/* The shipped table for Q4 2026 on an ordinary manual worker of the
 * cooperative (employer.default: class 000, 20,000 workers, closure fund
 * 810), one full-time day (D = 13 x 5 days, mu = 1/65), worked out line by
 * line:
 *   basis 108 % of 150.00 EUR = 162.00 EUR
 *   015 type 1: 13.07 + 25.00 + 5.57 = 43.64 % -> 70.6968 -> 7070
 *   855 (10 workers or more) 1.69 % -> 2.7378 -> 274
 *   809 type 5 (20 or more, FSO 810) 0.17 % -> 0.2754 -> 28
 *   810 0.09 % -> 0.1458 -> 15;  859 0.10 % -> 0.1620 -> 16
 *   3000 (category 1 from 2026/3): S = 150.00 x 65 = 9,750.00 EUR,
 *        R = 0.14 x (11,687.74 - 9,750.00) = 271.2836 -> 271.28 (the
 *        0.16 term is 0: S > 9,738.14), x mu = 4.1735 -> 417
 *   owed 7070 + 274 + 28 + 15 + 16 - 417 = 6986.
 * And a 100.00 EUR day, under both limits: S = 6,500.00,
 *   R = 0.14 x 5,187.74 + 0.16 x 3,238.14 = 726.2836 + 518.1024 = 1,244.386
 *   -> 1,244.39 EUR, x 1/65 = 19.1444 -> 1914. */
static void
test_shipped_table_manual_worker(void **state)
{
	(void)state;
	struct dmfa_params p;
	char path[512], err[256] = "";
	snprintf(path, sizeof path, "%s/schemas/dmfa/params.txt", top());
	assert_int_equal(dmfa_params_load(path, 20264, &p, err, sizeof err), GW_OK);

	struct dmfa_row a = row("M-1", 51234526, 80010100107ULL, 15, 20261105, 100, 800, 15000);
	build(&a, 1, &p);
	assert_int_equal(line(15)->ctype, 1);
	assert_int_equal(line(15)->basis, 16200);
	assert_int_equal(line(15)->amount, 7070);
	assert_int_equal(line(855)->amount, 274);
	assert_int_equal(line(809)->ctype, 5);
	assert_int_equal(line(809)->amount, 28);
	assert_int_equal(line(810)->amount, 15);
	assert_int_equal(line(859)->ctype, 0);
	assert_int_equal(line(859)->amount, 16);
	assert_null(line(811));
	assert_int_equal(WR.nocc, 1);
	assert_int_equal(WR.occ[0].nded, 1);
	assert_int_equal(WR.occ[0].ded[0].code, 3000);
	assert_int_equal(WR.occ[0].ded[0].amount, 417);
	assert_int_equal(WR.owed, 7070 + 274 + 28 + 15 + 16 - 417);

	struct dmfa_row b = row("M-2", 51234526, 80010100206ULL, 15, 20261106, 100, 800, 10000);
	build(&b, 1, &p);
	assert_int_equal(WR.occ[0].ded[0].amount, 1914);

	/* 2026/2 has no structural-reduction line: nothing is claimed. */
	assert_int_equal(dmfa_params_load(path, 20262, &p, err, sizeof err), GW_OK);
	a.start = a.end = 20260505;
	build(&a, 1, &p);
	assert_int_equal(WR.occ[0].nded, 0);
	assert_int_equal(line(859)->amount, 16);
}

/* An employer exempted from 859 (exempt=859 on its line) owes every other
 * supplementary line and not that one; a malformed exemption is refused
 * naming the line. */
static void
test_employer_exemption(void **state)
{
	(void)state;
	static const char t[] =
		"20231 part.personal.any 13.07 | test\n"
		"20231 part.employer.000 25.00 | test\n"
		"20231 code.495 ordinary 100 0 personal,employer | test\n"
		"20231 supp.855.ten 0 1.69 min=10 | test\n"
		"20231 supp.859.all 0 0.10 | test\n"
		"20231 employer.123456789 000 25 0 exempt=859 | test\n"
		"20231 employer.default 000 25 0 | test\n"
		"20231 rate.student 8.13 | test\n"
		"20231 student.hours_quota 600 | test\n";
	struct dmfa_params p;
	char err[256] = "";
	gw_rc rc = dmfa_params_parse(t, sizeof t - 1, "t", 20264, &p, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);
	struct dmfa_row r = row("E-1", 123456789, 80010100107ULL, 495, 20261105, 100, 800, 20000);
	build(&r, 1, &p);
	assert_non_null(line(855));
	assert_null(line(859));
	r = row("E-2", 150000120, 80010100107ULL, 495, 20261105, 100, 800, 20000);
	build(&r, 1, &p);
	assert_int_equal(line(859)->amount, 20);   /* 0.10 % of 200.00 EUR */

	static const char *bad[] = {
		"20231 employer.123456789 000 25 0 exempt=85 | t\n",
		"20231 employer.123456789 000 25 0 exempt=859, | t\n",
		"20231 employer.123456789 000 25 0 exempt=859,855,810,809,811 | t\n",
		"20231 employer.123456789 000 25 0 free=859 | t\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(dmfa_params_parse(bad[i], strlen(bad[i]), "t", 20264, &p, err, sizeof err),
		                 GW_EINPUT);
		assert_non_null(strstr(err, "t:1"));
		assert_non_null(strstr(err, "exempt="));
	}
}

/* The employers' default establishment units (LocalUnitID, 00042): the
 * DmfA refuses a contract without one. */
static int
setup_units(void **state)
{
	(void)state;
	gw_cfg = config_new();
	config_set(gw_cfg, "dmfa.local_units", "123456789=2123456791 150000120=3000000063");
	return 0;
}

static int
teardown_units(void **state)
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
		cmocka_unit_test(test_blue_collar_big_employer),
		cmocka_unit_test(test_artist_reductions),
		cmocka_unit_test(test_reduction_capped_at_employer_share),
		cmocka_unit_test(test_flexi),
		cmocka_unit_test(test_small_nonprofit_employer),
		cmocka_unit_test(test_unknown_employer_or_category_refused),
		cmocka_unit_test(test_declaration_validates),
		cmocka_unit_test(test_shipped_table),
		cmocka_unit_test(test_shipped_table_manual_worker),
		cmocka_unit_test(test_employer_exemption),
	};
	return cmocka_run_group_tests(tests, setup_units, teardown_units);
}

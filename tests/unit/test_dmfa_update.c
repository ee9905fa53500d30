/* test_dmfa_update.c - DmfAUpdate (DMWA) generation: the right action per
 * worker record, the permanent ids from DMPI, justifications, XSD-valid. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "core/config.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "onss/dmfa/update.h"
#include "onss/dmfa/validate.h"

#define Q 20262
#define NOSS "123456789"

static struct dmfa_params P;

static struct contract
mk(const char *id, unsigned rev, const char *inss, const char *code, const char *jc, gw_ymd day,
   int64_t hours, int64_t gross)
{
	struct contract c;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "%s", id);
	c.revision = rev;
	snprintf(c.employer_noss, sizeof c.employer_noss, NOSS);
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0123456749");
	snprintf(c.worker_inss, sizeof c.worker_inss, "%s", inss);
	snprintf(c.joint_committee, sizeof c.joint_committee, "%s", jc);
	snprintf(c.worker_code, sizeof c.worker_code, "%s", code);
	c.start_date = c.end_date = day;
	c.days_worked = 100;
	c.hours_worked = hours;
	c.weekly_hours = c.reference_weekly_hours = 3800;
	c.gross_wage_cents = gross;
	return c;
}

/* As filed: A (artist, 2 contracts), B (white-collar), C (blue-collar). */
static void
filed_rows(struct dmfa_rows *r)
{
	struct contract c[] = {
		mk("A-1", 1, "80010100101", "046", "329.02", 20260401, 800, 15000),
		mk("A-2", 1, "80010100101", "046", "329.02", 20260402, 800, 15000),
		mk("B-1", 1, "70070700505", "495", "200", 20260410, 800, 20000),
		mk("C-1", 1, "80010100202", "015", "124", 20260420, 760, 12000),
	};
	dmfa_rows_init(r);
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		assert_int_equal(dmfa_rows_add(r, &c[i], Q), GW_OK);
}

/* Now: A-2 revised (more pay), B-1 cancelled, D new, C unchanged. */
static void
now_rows(struct dmfa_rows *r)
{
	filed_rows(r);
	struct contract a2 = mk("A-2", 2, "80010100101", "046", "329.02", 20260402, 800, 18000);
	struct contract b1 = mk("B-1", 2, "70070700505", "495", "200", 20260410, 800, 20000);
	b1.status = CONTRACT_CANCELLED;
	struct contract d1 = mk("D-1", 1, "91010100707", "495", "200", 20260505, 800, 9000);
	assert_int_equal(dmfa_rows_add(r, &a2, Q), GW_OK);
	assert_int_equal(dmfa_rows_add(r, &b1, Q), GW_OK);
	assert_int_equal(dmfa_rows_add(r, &d1, Q), GW_OK);
}

/* Permanent ids as a DMPI would give them (the DmfAPID_20224_1 shape). */
static struct dmpi_occupation OCC_A[1] = { { 1, 5000000011LL } };
static struct dmpi_occupation OCC_B[1] = { { 1, 5000000021LL } };
static struct dmpi_occupation OCC_C[1] = { { 1, 5000000031LL } };
static struct dmpi_worker_record WR_A = { "000", "046", 5000000010LL, 1, OCC_A };
static struct dmpi_worker_record WR_B = { "000", "495", 5000000020LL, 1, OCC_B };
static struct dmpi_worker_record WR_C = { "000", "015", 5000000030LL, 1, OCC_C };
static struct dmpi_person PERSONS[3] = {
	{ "80010100101", 4000001, 5000000001LL, 5000000001LL, 1, &WR_A },
	{ "70070700505", 4000002, 5000000002LL, 5000000002LL, 1, &WR_B },
	{ "80010100202", 4000003, 5000000003LL, 5000000003LL, 1, &WR_C },
};
static struct dmpi_declaration DECL = { Q, NOSS, 0, "0123456749", 1015401858LL, 3, PERSONS };

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

static gw_rc
run(const struct dmfa_rows *f, const struct dmfa_rows *n, const struct dmpi_declaration *d, size_t nd,
    const char *path, struct dmfa_update_stats *st)
{
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	struct dmfa_update_opts o = { 20261015, 9 * 3600000, 0, NULL };
	gw_rc rc = dmfa_write_update(out, f, n, &P, d, nd, &o, NULL, NULL, st);
	assert_int_equal(fclose(out), 0);
	return rc;
}

static void
test_update_actions(void **state)
{
	(void)state;
	struct dmfa_rows f, n;
	struct dmfa_update_stats st;
	size_t nrej;
	char path[] = "/tmp/gwdmwaXXXXXX", xsd[512], err[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	filed_rows(&f);
	now_rows(&n);
	assert_int_equal(dmfa_rows_prepare(&f, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&n, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(run(&f, &n, &DECL, 1, path, &st), GW_OK);
	assert_int_equal(st.employers, 1);
	assert_int_equal(st.modified, 1);
	assert_int_equal(st.created, 1);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(st.justified, 1);

	const char *r = getenv("REF");
	snprintf(xsd, sizeof xsd, "%s/onss/xsd/DmfAUpdate_20231.xsd", r ? r : "../shared/reference");
	gw_rc rc = dmfa_validate_file(path, xsd, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, GW_OK);

	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	XP = xmlXPathNewContext(doc);
	expect("//Identification", "DMFAUPD");
	expect("//EmployerDeclarationPID", "1015401858");
	expect("count(//NaturalPersonUpdate)", "3");            /* C unchanged: absent */
	expect("count(//NaturalPersonUpdate[INSS='80010100202'])", "0");
	/* A: modified, full new content, ids from DMPI. */
#define A "//NaturalPersonUpdate[INSS='80010100101']"
	expect(A "/NaturalPersonPID", "4000001");
	expect(A "/DeclNaturalPersonPID", "5000000001");
	expect(A "/DeclNaturalPersonVersionNbr", "5000000001");
	expect("count(" A "/Justification)", "0");                /* owes more: no justification */
	expect(A "//LastSituationWR/WorkerRecordVersionNbr", "5000000010");
	expect(A "//WorkerRecordUpdateAction/UpdateAction", "1");
	expect(A "//OccupationUpdate/OccupationVersionNbr", "5000000011");
	expect(A "//OccupationUpdate//RemunAmount", "33000");
	/* 108 % of 330.00 = 356.40; 38.07 % = 135.68148 -> 135.68 */
	expect(A "//WorkerContribution[1]/ContributionAmount", "13568");
	/* B: every contract cancelled -> deletion, justified, no content. */
#define B "//NaturalPersonUpdate[INSS='70070700505']"
	expect(B "//UpdateAction", "0");
	expect(B "//LastSituationWR/WorkerRecordVersionNbr", "5000000020");
	expect("count(" B "//OccupationUpdate)", "0");
	expect("count(" B "/Justification)", "1");
	/* D: new person -> creation, no PIDs, no LastSituationWR. */
#define D "//NaturalPersonUpdate[INSS='91010100707']"
	expect(D "//UpdateAction", "3");
	expect("count(" D "/NaturalPersonPID)", "0");
	expect("count(" D "//LastSituationWR)", "0");
	expect(D "//RemunAmount", "9000");
	xmlXPathFreeContext(XP);
	xmlFreeDoc(doc);

	/* Nothing changed: nothing to send. */
	assert_int_equal(run(&f, &f, &DECL, 1, path, &st), GW_ENOTFOUND);
	/* Changes but no DMPI for the employer: refused (an original comes first). */
	assert_int_equal(run(&f, &n, &DECL, 0, path, &st), GW_EINPUT);
	assert_true(st.rejected_rows > 0);
	unlink(path);
	dmfa_rows_free(&f);
	dmfa_rows_free(&n);
}

struct rejects {
	int n;
	char last[256];
};

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct rejects *r = arg;
	r->n++;
	snprintf(r->last, sizeof r->last, "%s %s %s", row->contract_id, field, reason);
}

/* A revision that cannot be declared is rejected and never turns into the
 * deletion of what was filed. */
static void
test_undeclarable_revision_is_not_a_deletion(void **state)
{
	(void)state;
	struct dmfa_rows f, n;
	struct dmfa_update_stats st;
	struct rejects rj = { 0, "" };
	size_t nrej;
	char path[] = "/tmp/gwdmwaXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	filed_rows(&f);
	filed_rows(&n);
	struct contract c1 = mk("C-1", 2, "80010100202", "015", "124", 20260420, 760, 12000);
	c1.weekly_hours = 5000;                  /* beyond the 48-hour zone limit */
	assert_int_equal(dmfa_rows_add(&n, &c1, Q), GW_OK);
	struct contract a2 = mk("A-2", 2, "80010100101", "046", "329.02", 20260402, 800, 18000);
	assert_int_equal(dmfa_rows_add(&n, &a2, Q), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&f, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&n, &P, NULL, NULL, &nrej), GW_OK);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	struct dmfa_update_opts o = { 20261015, 0, 0, "Pay corrected" };
	assert_int_equal(dmfa_write_update(out, &f, &n, &P, &DECL, 1, &o, on_reject, &rj, &st), GW_OK);
	fclose(out);
	assert_int_equal(st.deleted, 0);
	assert_int_equal(st.modified, 1);        /* A only */
	assert_int_equal(rj.n, 1);
	assert_non_null(strstr(rj.last, "C-1"));
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	XP = xmlXPathNewContext(doc);
	expect("count(//NaturalPersonUpdate[INSS='80010100202'])", "0");
	expect("count(//UpdateAction[.='0'])", "0");
	xmlXPathFreeContext(XP);
	xmlFreeDoc(doc);
	unlink(path);
	dmfa_rows_free(&f);
	dmfa_rows_free(&n);
}

static int
setup(void **state)
{
	(void)state;
	char path[512], err[256];
	const char *t = getenv("TOP");
	snprintf(path, sizeof path, "%s/fixtures/dmfa/params-test.txt", t ? t : ".");
	assert_int_equal(dmfa_params_load(path, Q, &P, err, sizeof err), GW_OK);
	/* The employer's default establishment unit (LocalUnitID, 00042). */
	gw_cfg = config_new();
	config_set(gw_cfg, "dmfa.local_units", NOSS "=2123456791");
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

/* A worker record whose only change is its exit holiday pay not subject
 * to contributions (remuneration 011) changes no contribution line, and
 * must still be corrected: the comparison looks at both exit pay amounts. */
static void
test_exit_pay_change_is_a_correction(void **state)
{
	(void)state;
	static struct dmfa_wr a, b;
	memset(&a, 0, sizeof a);
	a.worker_code = 495;
	a.nocc = 1;
	a.occ[0].gross = 200000;
	a.occ[0].exit_pay = 15340;
	b = a;
	assert_true(dmfa_wr_equal(&a, &b));
	b.occ[0].exit_pay_exempt = 5000;
	assert_false(dmfa_wr_equal(&a, &b));
	b = a;
	b.occ[0].exit_pay = 15341;
	assert_false(dmfa_wr_equal(&a, &b));
}

/* Each zone a revision can change alone must make the worker records
 * unequal, or no correction is sent. One test per zone; each starts from a
 * record with every optional zone off and turns one on (or changes it). */
static void
occ_base(struct dmfa_wr *w)
{
	memset(w, 0, sizeof *w);
	w->worker_code = 15;
	w->nocc = 1;
	snprintf(w->occ[0].jc, sizeof w->occ[0].jc, "302");
	w->occ[0].wds = 500;
	w->occ[0].q = w->occ[0].s = 3800;
	w->occ[0].start = 20260401;
	w->occ[0].end = 20260430;
	w->occ[0].days = 100;
	w->occ[0].hours = 760;
	w->occ[0].gross = 12000;
}

/* 1 when the change made by mut is seen as a change. */
static int
seen(void (*mut)(struct dmfa_occ *))
{
	static struct dmfa_wr a, b;
	occ_base(&a);
	b = a;
	assert_true(dmfa_wr_equal(&a, &b));
	mut(&b.occ[0]);
	return !dmfa_wr_equal(&a, &b);
}

static void set_copyright(struct dmfa_occ *o) { o->copyright = 5000; }
static void set_hol_days(struct dmfa_occ *o) { o->hol_days = 100; }
static void set_retired(struct dmfa_occ *o) { o->retired = 1; }
static void set_remun_method(struct dmfa_occ *o) { o->remun_method = 1; }
static void set_unit(struct dmfa_occ *o) { o->unit = 2123456791ULL; }
static void set_horeca(struct dmfa_occ *o) { o->horeca_extra = 1; }
static void set_goes_on(struct dmfa_occ *o) { o->goes_on = 1; }

static void test_copyright_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_copyright)); }
static void test_legal_holiday_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_hol_days)); }
static void test_retired_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_retired)); }
static void test_remun_method_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_remun_method)); }
static void test_local_unit_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_unit)); }
static void test_horeca_extra_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_horeca)); }
/* A contract extended into the next quarter loses its OccupationEndingDate. */
static void test_open_end_change_is_a_correction(void **s) { (void)s; assert_true(seen(set_goes_on)); }

/* Legal holiday hours with the same days (service 002's ServiceNbrHours). */
static void
test_legal_holiday_hours_change_is_a_correction(void **state)
{
	(void)state;
	static struct dmfa_wr a, b;
	occ_base(&a);
	a.occ[0].hol_days = 100;
	a.occ[0].hol_hours = 760;
	b = a;
	assert_true(dmfa_wr_equal(&a, &b));
	b.occ[0].hol_hours = 800;
	assert_false(dmfa_wr_equal(&a, &b));
}

/* The student's establishment unit (LocalUnitID in StudentContribution). */
static void
test_student_unit_change_is_a_correction(void **state)
{
	(void)state;
	static struct dmfa_wr a, b;
	memset(&a, 0, sizeof a);
	a.kind = DMFA_RULE_STUDENT;
	a.worker_code = 840;
	a.student_remun = 50000;
	a.student_amount = 2710;
	a.student_hours = 40;
	a.student_unit = 2123456791ULL;
	b = a;
	assert_true(dmfa_wr_equal(&a, &b));
	b.student_unit = 2123456792ULL;
	assert_false(dmfa_wr_equal(&a, &b));
}

/* Through the whole correction: revisions that change only the artist's
 * copyright fees, the blue-collar worker's legal holidays, or the
 * white-collar worker's establishment unit give three modified records
 * carrying the new zones, and the others stay out. */
static void
test_revision_of_a_forgotten_zone_is_sent(void **state)
{
	(void)state;
	struct dmfa_rows f, n;
	struct dmfa_update_stats st;
	size_t nrej;
	char path[] = "/tmp/gwdmwaXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	filed_rows(&f);
	filed_rows(&n);
	struct contract a2 = mk("A-2", 2, "80010100101", "046", "329.02", 20260402, 800, 15000);
	a2.copyright_fees_cents = 4000;
	struct contract c1 = mk("C-1", 2, "80010100202", "015", "124", 20260420, 760, 12000);
	c1.legal_holiday_days = 100;
	c1.legal_holiday_hours = 760;
	struct contract b1 = mk("B-1", 2, "70070700505", "495", "200", 20260410, 800, 20000);
	snprintf(b1.employer_unit_id, sizeof b1.employer_unit_id, "2123456792");
	assert_int_equal(dmfa_rows_add(&n, &a2, Q), GW_OK);
	assert_int_equal(dmfa_rows_add(&n, &c1, Q), GW_OK);
	assert_int_equal(dmfa_rows_add(&n, &b1, Q), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&f, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&n, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(run(&f, &n, &DECL, 1, path, &st), GW_OK);
	assert_int_equal(st.modified, 3);
	assert_int_equal(st.created + st.deleted, 0);
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	XP = xmlXPathNewContext(doc);
	expect(A "//OccupationUpdate/Remun[RemunCode='047']/RemunAmount", "4000");
	expect("//NaturalPersonUpdate[INSS='80010100202']//Service[ServiceCode='002']/ServiceNbrDays", "100");
	expect(B "//OccupationUpdate/LocalUnitID", "2123456792");
	xmlXPathFreeContext(XP);
	xmlFreeDoc(doc);
	unlink(path);
	dmfa_rows_free(&f);
	dmfa_rows_free(&n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_actions),
		cmocka_unit_test(test_undeclarable_revision_is_not_a_deletion),
		cmocka_unit_test(test_copyright_change_is_a_correction),
		cmocka_unit_test(test_legal_holiday_change_is_a_correction),
		cmocka_unit_test(test_legal_holiday_hours_change_is_a_correction),
		cmocka_unit_test(test_retired_change_is_a_correction),
		cmocka_unit_test(test_remun_method_change_is_a_correction),
		cmocka_unit_test(test_local_unit_change_is_a_correction),
		cmocka_unit_test(test_horeca_extra_change_is_a_correction),
		cmocka_unit_test(test_open_end_change_is_a_correction),
		cmocka_unit_test(test_student_unit_change_is_a_correction),
		cmocka_unit_test(test_exit_pay_change_is_a_correction),
		cmocka_unit_test(test_revision_of_a_forgotten_zone_is_sent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

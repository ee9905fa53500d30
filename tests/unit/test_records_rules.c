/* test_records_rules.c - the rules between contract fields, case by case,
 * through contract_from_json: what each worker type requires, allows and
 * forbids, the edges that must pass, and the defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "records/reader.h"

static struct contract c;
static struct record_rejection rej;

/* The fields every case shares, then the case's own. */
static gw_rc
rec(const char *fields)
{
	char json[2048];
	/* The worker code that agrees with the worker type (records/worker_regime.h). */
	const char *code = strstr(fields, "\"worker_type\":\"STU\"") ? "840" :
	    strstr(fields, "\"worker_type\":\"FLX\"") ? "050" : "046";
	int n = snprintf(json, sizeof json,
	    "{\"contract_id\":\"T-1\",\"revision\":\"1\",\"status\":\"active\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
	    "\"worker_code\":\"%s\",\"days_worked\":\"1\",\"hours_worked\":\"8\","
	    "\"gross_wage_cents\":\"100\",%s}", code, fields);
	assert_true(n > 0 && (size_t)n < sizeof json);
	return contract_from_json(json, (size_t)n, &c, &rej);
}

#define INSS "\"worker_inss\":\"85073003328\","
#define PASS(f) do { if (rec(f) != GW_OK) fail_msg("%s: %s", rej.field, rej.reason); } while (0)
#define REFUSE(f, fld, rsn) do { \
		assert_int_equal(rec(f), GW_EINPUT); \
		assert_string_equal(rej.field, fld); \
		assert_string_equal(rej.reason, rsn); \
	} while (0)

static void
test_end_date_by_type(void **state)
{
	(void)state;
	static const char *const need[] = { "STU", "EXT", "FLX", "IVT", "TRI", "STG",
	    "O17", "S17", "T17" };
	char f[512], why[64];
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		snprintf(f, sizeof f, INSS "\"worker_type\":\"%s\",\"joint_committee\":\"200\","
		    "\"start_date\":\"2026-12-05\"", need[i]);
		snprintf(why, sizeof why, "required for worker_type %s", need[i]);
		REFUSE(f, "end_date", why);
	}
	/* OTH, DWD, ALT, BCW... may be open-ended. */
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-05\"");
	assert_int_equal(c.end_date, 0);
	PASS(INSS "\"worker_type\":\"DWD\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-05\"");
	PASS(INSS "\"worker_type\":\"ALT\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-05\"");
	PASS(INSS "\"worker_type\":\"IVT\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-05\","
	    "\"end_date\":\"2027-06-30\"");
	/* Temporary agency work (joint committee 322) needs an end date too. */
	REFUSE(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"322\",\"start_date\":\"2026-12-05\"",
	    "end_date", "required for joint committee 322 (temporary agency work)");
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"322\",\"start_date\":\"2026-12-05\","
	    "\"end_date\":\"2026-12-05\"");
}

static void
test_planned_hours_and_quarters(void **state)
{
	(void)state;
	PASS(INSS "\"worker_type\":\"O17\",\"joint_committee\":\"329.02\",\"start_date\":\"2026-10-01\","
	    "\"end_date\":\"2026-12-31\",\"planned_hours\":\"999\"");
	assert_int_equal(c.planned_hours, 999);
	REFUSE(INSS "\"worker_type\":\"S17\",\"joint_committee\":\"223\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-02\"", "planned_hours", "required for worker_type S17");
	REFUSE(INSS "\"worker_type\":\"S17\",\"joint_committee\":\"223\",\"start_date\":\"2026-09-30\","
	    "\"end_date\":\"2026-10-01\",\"planned_hours\":\"8\"",
	    "end_date", "not in the quarter of start_date (worker_type S17)");
	REFUSE(INSS "\"worker_type\":\"STU\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2027-12-01\",\"planned_hours\":\"8\"",
	    "end_date", "not in the quarter of start_date (worker_type STU)");
	REFUSE(INSS "\"worker_type\":\"FLX\",\"joint_committee\":\"302\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-31\",\"planned_hours\":\"8\"",
	    "planned_hours", "not allowed for worker_type FLX (only STU, O17, S17)");
	REFUSE(INSS "\"worker_type\":\"STU\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-01\",\"planned_hours\":\"1000\"",
	    "planned_hours", "must be a whole number from 1 to 999");
	PASS(INSS "\"worker_type\":\"T17\",\"joint_committee\":\"227\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-01\"");
}

static void
test_hours(void **state)
{
	(void)state;
	/* EXT past midnight: the end is on the next day, so 04:00 is after 20:00. */
	PASS(INSS "\"worker_type\":\"EXT\",\"joint_committee\":\"302\",\"start_date\":\"2026-12-31\","
	    "\"start_time\":\"20:00\",\"end_date\":\"2027-01-01\",\"end_time\":\"04:00\"");
	REFUSE(INSS "\"worker_type\":\"EXT\",\"joint_committee\":\"302\",\"start_date\":\"2026-12-31\","
	    "\"start_time\":\"20:00\",\"end_date\":\"2026-12-31\",\"end_time\":\"20:00\"",
	    "end_time", "not after start_time on a one-day contract");
	REFUSE(INSS "\"worker_type\":\"EXT\",\"joint_committee\":\"302\",\"start_date\":\"2026-12-31\","
	    "\"start_time\":\"20:00\",\"end_date\":\"2026-12-31\"",
	    "end_time", "required for worker_type EXT");
	PASS(INSS "\"worker_type\":\"FLX\",\"joint_committee\":\"302\",\"start_date\":\"2026-12-31\","
	    "\"start_time\":\"00:00\",\"end_date\":\"2026-12-31\",\"end_time\":\"23:59\"");
	assert_int_equal(c.start_time, 0);
	assert_int_equal(c.end_time, 23 * 60 + 59);
	REFUSE(INSS "\"worker_type\":\"FLX\",\"joint_committee\":\"302\",\"start_date\":\"2026-12-31\","
	    "\"end_date\":\"2026-12-31\"", "start_time", "required for a one-day FLX");
	REFUSE(INSS "\"worker_type\":\"STU\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-01\",\"planned_hours\":\"8\",\"end_time\":\"12:00\"",
	    "end_time", "only for worker_type EXT or a one-day FLX, not STU");
}

static void
test_identity_and_place_of_work(void **state)
{
	(void)state;
	static const char foreign[] =
	    "\"worker_last_name\":\"Nowak\",\"worker_first_name\":\"Piotr\","
	    "\"worker_birth_date\":\"1990-05-05\",\"worker_birth_place\":\"Gda\xC5\x84sk\","
	    "\"worker_birth_country\":\"139\",\"worker_sex\":\"1\",\"worker_nationality\":\"139\","
	    "\"worker_street\":\"Ogarna\",\"worker_house_number\":\"7\",\"worker_postcode\":\"80-826\","
	    "\"worker_municipality\":\"Gda\xC5\x84sk\",\"worker_country\":\"139\","
	    "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"start_date\":\"2026-12-05\"";
	char f[1024];
	PASS(foreign);
	assert_string_equal(c.worker_inss, "");
	assert_int_equal(c.worker_birth_date, 19900505);
	assert_int_equal(c.worker_sex, 1);
	assert_int_equal(c.worker_address.country, 139);
	/* An empty worker_inss is absent too. */
	snprintf(f, sizeof f, "\"worker_inss\":\"\",%s", foreign);
	PASS(f);
	/* With an INSS the identity block is not needed. */
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"start_date\":\"2026-12-05\"");
	REFUSE("\"worker_last_name\":\"Nowak\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\","
	    "\"start_date\":\"2026-12-05\"", "worker_first_name", "required when worker_inss is empty");
	PASS(INSS "\"worker_type\":\"STU\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-01\",\"planned_hours\":\"8\",\"place_of_work_name\":\"A\","
	    "\"place_of_work_street\":\"B\",\"place_of_work_house_number\":\"1\","
	    "\"place_of_work_postcode\":\"1000\",\"place_of_work_municipality\":\"Bruxelles\"");
	assert_true(c.has_place_of_work);
	assert_string_equal(c.place_of_work.municipality, "Bruxelles");
	REFUSE(INSS "\"worker_type\":\"STU\",\"joint_committee\":\"200\",\"start_date\":\"2026-12-01\","
	    "\"end_date\":\"2026-12-01\",\"planned_hours\":\"8\",\"place_of_work_municipality\":\"X\"",
	    "place_of_work_name", "required with the other place_of_work fields");
}

static void
test_weekly_hours_defaults(void **state)
{
	(void)state;
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"start_date\":\"2026-12-05\"");
	assert_int_equal(c.reference_weekly_hours, 3800);
	assert_int_equal(c.weekly_hours, 3800);
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"start_date\":\"2026-12-05\","
	    "\"reference_weekly_hours\":\"40\"");
	assert_int_equal(c.reference_weekly_hours, 4000);
	assert_int_equal(c.weekly_hours, 4000);
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"start_date\":\"2026-12-05\","
	    "\"weekly_hours\":\"19.5\"");
	assert_int_equal(c.weekly_hours, 1950);
	assert_int_equal(c.reference_weekly_hours, 3800);
	PASS(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"304.01.02\",\"start_date\":\"2026-12-05\"");
	assert_string_equal(c.joint_committee, "304.01.02");
	REFUSE(INSS "\"worker_type\":\"OTH\",\"joint_committee\":\"304.1\",\"start_date\":\"2026-12-05\"",
	    "joint_committee", "must be NNN, NNN.NN or NNN.NN.NN");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_date_by_type),
		cmocka_unit_test(test_planned_hours_and_quarters),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_identity_and_place_of_work),
		cmocka_unit_test(test_weekly_hours_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

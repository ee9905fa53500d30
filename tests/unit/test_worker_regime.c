/* test_worker_regime.c - the Dimona worker type against the DmfA worker
 * code (records/worker_regime.h): every mismatch is refused naming the
 * anomaly the ONSS would give, and the worker types without DmfA never
 * reach the declaration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "records/worker_regime.h"
#include "records/reader.h"
#include "core/config.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"

static void
test_pairs(void **state)
{
	(void)state;
	char why[320];
	static const struct { const char *type; int code; const char *anomaly; } cases[] = {
		{ "STU", 840, NULL }, { "STU", 841, NULL },
		{ "STU", 15, "90017-502" }, { "STU", 495, "90017-502" }, { "STU", 50, "90017-502" },
		{ "OTH", 840, "90017-504" }, { "EXT", 841, "90017-504" }, { "FLX", 840, "90017-504" },
		{ "FLX", 50, NULL }, { "FLX", 450, NULL },
		{ "FLX", 15, "90015-485" }, { "FLX", 495, "90015-485" },
		{ "OTH", 50, "90015-485" }, { "EXT", 450, "90015-485" },
		{ "OTH", 15, NULL }, { "OTH", 46, NULL }, { "EXT", 15, NULL }, { "OTH", 495, NULL },
		/* no DmfA: the code is never declared, so any code passes */
		{ "DWD", 840, NULL }, { "STG", 15, NULL }, { "IVT", 50, NULL }, { "TRI", 495, NULL },
		{ "O17", 46, NULL }, { "S17", 15, NULL }, { "T17", 841, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		why[0] = '\0';
		int rc = worker_regime_check(cases[i].type, cases[i].code, why, sizeof why);
		if ((rc != 0) != (cases[i].anomaly != NULL) ||
		    (cases[i].anomaly && !strstr(why, cases[i].anomaly)))
			fail_msg("%s/%03d: rc %d, \"%s\"", cases[i].type, cases[i].code, rc, why);
	}
	assert_int_equal(worker_type_has_dmfa("OTH"), 1);
	assert_int_equal(worker_type_has_dmfa("STU"), 1);
	assert_int_equal(worker_type_has_dmfa("FLX"), 1);
	assert_int_equal(worker_type_has_dmfa("EXT"), 1);
	assert_int_equal(worker_type_has_dmfa("DWD"), 0);
	assert_int_equal(worker_type_has_dmfa("O17"), 0);
}

/* A record is refused at intake, naming the record and the field. */
static void
test_refused_at_intake(void **state)
{
	(void)state;
	static const char json[] =
	    "{\"contract_id\":\"F-9\",\"revision\":\"1\",\"status\":\"active\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
	    "\"worker_inss\":\"85073003328\",\"worker_type\":\"FLX\",\"joint_committee\":\"302\","
	    "\"worker_code\":\"015\",\"start_date\":\"2026-12-05\",\"start_time\":\"18:00\","
	    "\"end_date\":\"2026-12-05\",\"end_time\":\"23:00\",\"days_worked\":\"1\","
	    "\"hours_worked\":\"5\",\"gross_wage_cents\":\"7500\"}";
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(contract_from_json(json, sizeof json - 1, &c, &rej), GW_EINPUT);
	assert_string_equal(rej.record_id, "F-9");
	assert_string_equal(rej.field, "worker_code");
	assert_non_null(strstr(rej.reason, "90015-485"));
}

/* Contracts of DWD, STG, IVT, TRI, O17, S17, T17 are not in the DmfA. */
static void
test_no_dmfa_types_dropped(void **state)
{
	(void)state;
	static const char table[] =
	    "20261 rate.worker 13.07 | t\n20261 rate.employer 25.00 | t\n20261 rate.student 8.13 | t\n"
	    "20261 student.hours_quota 650 | t\n20261 code.046 ordinary 108 1 | t\n";
	/* Two DWD contracts, one of them in the previous quarter (not this
	 * quarter's: not counted), and one cancelled DWD (not counted). */
	static const char *const types[] = { "OTH", "DWD", "STG", "IVT", "TRI", "O17", "S17", "T17",
	    "DWD", "DWD", "DWD" };
	struct dmfa_params p;
	struct dmfa_rows rows;
	char err[256];
	size_t nrej = 9;
	assert_int_equal(dmfa_params_parse(table, sizeof table - 1, "t", 20264, &p, err, sizeof err), GW_OK);
	dmfa_rows_init(&rows);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct contract c;
		memset(&c, 0, sizeof c);
		snprintf(c.contract_id, sizeof c.contract_id, "K-%zu", i);
		c.revision = 1;
		snprintf(c.employer_noss, sizeof c.employer_noss, "051234526");
		snprintf(c.employer_kbo, sizeof c.employer_kbo, "0456789034");
		snprintf(c.worker_inss, sizeof c.worker_inss, "85073003328");
		snprintf(c.worker_type, sizeof c.worker_type, "%s", types[i]);
		snprintf(c.joint_committee, sizeof c.joint_committee, "304");
		snprintf(c.worker_code, sizeof c.worker_code, "046");
		c.start_date = c.end_date = i == 9 ? 20260805 : 20261105;
		c.status = i == 10 ? CONTRACT_CANCELLED : CONTRACT_ACTIVE;
		c.days_worked = 100;
		c.hours_worked = 800;
		c.gross_wage_cents = 10000;
		assert_int_equal(dmfa_rows_add(&rows, &c, 20264), GW_OK);
	}
	assert_int_equal(dmfa_rows_prepare(&rows, &p, NULL, NULL, &nrej), GW_OK);
	/* Only the OTH contract is declared; the others are not rejections. */
	assert_int_equal(nrej, 0);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].contract_id, "K-0");
	/* ... but each is counted and said: in 2026Q4, K-1 and K-8 (DWD),
	 * K-2 (STG), K-3 (IVT), K-4 (TRI), K-5..K-7 (art. 17): 8 contracts. */
	char said[160];
	assert_int_equal(rows.left_out.n, 8);
	dmfa_rows_left_out_text(&rows.left_out, said, sizeof said);
	assert_string_equal(said, "8 contracts (DWD 2, IVT 1, O17 1, S17 1, STG 1, T17 1, TRI 1)");
	dmfa_rows_free(&rows);
}

/* The employers' default establishment units (LocalUnitID, 00042): the
 * DmfA refuses a contract without one. */
static int
setup_units(void **state)
{
	(void)state;
	gw_cfg = config_new();
	config_set(gw_cfg, "dmfa.local_units", "051234526=5000000008");
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
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_refused_at_intake),
		cmocka_unit_test(test_no_dmfa_types_dropped),
	};
	return cmocka_run_group_tests(tests, setup_units, teardown_units);
}

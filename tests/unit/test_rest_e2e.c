/* test_rest_e2e.c - the 500-contract Dimona fixture declared through the
 * REST client against `gateway sim onss`, once cleanly and once with
 * faults (429/500/503, dropped connections, cut and garbled bodies, slow
 * answers, token endpoint down), checking every outcome against
 * fixtures/dimona/expected-500.tsv and the simulator's ledger for loss and
 * duplicates.
 *
 * It drives the client directly (read records, build declarations, submit,
 * poll, follow-ups with the period ids) with the recovery the queue runner
 * uses: after any temporary failure of a submit, look the declaration up
 * before sending it again. It polls faster than the ONSS guidance because
 * the simulator answers within 50 ms; dimona_rest_poll_delay() itself is
 * tested in test_rest.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "test_rest_sim.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "onss/rest/client.h"
#include "records/reader.h"

#define MAXREC 1024

struct expect {
	char id[48];
	int rev;
	char action[12], status[4], code[16], note[120];
};

struct outcome {
	char status;                     /* 0: not declared */
	char period[DIMONA_PERIOD_ID_MAX + 1];
	char codes[128];
	char action[12];
};

static struct simproc sim_g;
static struct contract recs[MAXREC];
static size_t nrecs;
static struct expect exps[MAXREC];
static size_t nexps;

static void
load_fixture(void)
{
	char path[512], err[512];
	struct contract_reader *r;
	struct record_rejection rej;
	gw_rc rc;
	if (nrecs)
		return;
	top_path(path, sizeof path, "fixtures/dimona/contracts-500.csv");
	assert_int_equal(contract_reader_open(&r, path, err, sizeof err), GW_OK);
	while ((rc = contract_reader_next(r, &recs[nrecs], &rej)) != GW_ENOTFOUND) {
		if (rc != GW_OK)
			record_rejection_print(&rej, stderr);
		assert_int_equal(rc, GW_OK);
		nrecs++;
		assert_true(nrecs < MAXREC);
	}
	contract_reader_close(r);
	top_path(path, sizeof path, "fixtures/dimona/expected-500.tsv");
	FILE *f = fopen(path, "r");
	char line[512];
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		struct expect *e = &exps[nexps];
		line[strcspn(line, "\n")] = '\0';
		char *save, *t[6] = { 0 };
		int k = 0;
		for (char *p = strtok_r(line, "\t", &save); p && k < 6; p = strtok_r(NULL, "\t", &save))
			t[k++] = p;
		assert_true(k >= 5);
		snprintf(e->id, sizeof e->id, "%s", t[0]);
		e->rev = (int)strtol(t[1], NULL, 10);
		snprintf(e->action, sizeof e->action, "%s", t[2]);
		snprintf(e->status, sizeof e->status, "%s", t[3]);
		snprintf(e->code, sizeof e->code, "%s", t[4]);
		snprintf(e->note, sizeof e->note, "%s", t[5] ? t[5] : "");
		nexps++;
	}
	fclose(f);
	assert_true(nrecs >= 500);
}

/* Submit with the recovery of the runner: a temporary failure means the
 * outcome is unknown, so ask the ONSS before sending again. */
static gw_rc
submit_reliably(struct dimona_rest *c, const struct dimona_decl *d, char *id, size_t cap,
                unsigned *retries)
{
	char *js, err[512];
	size_t n;
	long ra;
	gw_rc rc;
	assert_int_equal(dimona_to_json(d, &js, &n), GW_OK);
	for (int attempt = 0; attempt < 100; attempt++) {
		rc = dimona_rest_submit(c, js, n, id, cap, &ra, err, sizeof err);
		if (rc == GW_OK || rc == GW_EPERM)
			break;
		(*retries)++;
		gw_rc lk;
		do
			lk = dimona_rest_lookup(c, d, id, cap, err, sizeof err);
		while (lk == GW_ETEMP);
		if (lk == GW_OK) {
			rc = GW_OK;
			break;
		}
		usleep(ra > 0 && ra < 200 ? (useconds_t)ra * 1000 : 20000);
	}
	if (rc != GW_OK)
		fprintf(stderr, "submit failed: %s\n", err);
	free(js);
	return rc;
}

/* Poll until answered. S (waiting on the worker's identification) counts
 * as an answer here: the simulator runs with a long --identify-ms. */
static gw_rc
poll_reliably(struct dimona_rest *c, const char *id, struct dimona_result *r)
{
	char err[512];
	gw_rc rc = GW_ENOTFOUND;
	for (int i = 0; i < 3000 && (rc == GW_ENOTFOUND || rc == GW_ETEMP); i++) {
		rc = dimona_rest_poll(c, id, r, err, sizeof err);
		if (rc == GW_ENOTFOUND || rc == GW_ETEMP)
			usleep(10000);
	}
	return rc;
}

static void
record(struct outcome *o, const struct dimona_result *r, const char *action)
{
	o->status = r->status;
	snprintf(o->period, sizeof o->period, "%s", r->period_id);
	snprintf(o->action, sizeof o->action, "%s", action);
	o->codes[0] = '\0';
	for (size_t i = 0; i < r->n_anomalies; i++) {
		size_t l = strlen(o->codes);
		snprintf(o->codes + l, sizeof o->codes - l, "%s%s", l ? "," : "", r->anomalies[i].code);
	}
}

static struct outcome out1[MAXREC], out2[MAXREC];   /* by index in recs (revision 1 / 2) */

static int
idx_of(const char *id)
{
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].revision == 1 && strcmp(recs[i].contract_id, id) == 0)
			return (int)i;
	return -1;
}

/* Declare everything: revision 1 INs (Horeca EXT runs merged), then the
 * follow-ups of revision 2 with the period ids the INs got. */
static void
declare_all(unsigned *retries)
{
	struct dimona_rest *c;
	char err[512];
	static struct dimona_decl v[MAXREC];
	static char ids[MAXREC][32];
	size_t n = 0;

	memset(out1, 0, sizeof out1);
	memset(out2, 0, sizeof out2);
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].revision == 1)
			dimona_decl_from_contract(&v[n++], &recs[i]);
	size_t runs;
	assert_int_equal(dimona_merge_ext_series(v, &n, &runs), GW_OK);
	for (size_t i = 0; i < n; i++) {
		struct dimona_findings f;
		/* The gateway's own checks pass on everything it sends (the
		 * late ones only warn). */
		assert_int_equal(dimona_rules_check(&v[i], NULL, 20260301, 0, &f), 0);
		assert_int_equal(submit_reliably(c, &v[i], ids[i], sizeof ids[i], retries), GW_OK);
	}
	for (size_t i = 0; i < n; i++) {
		struct dimona_result r;
		assert_int_equal(poll_reliably(c, ids[i], &r), GW_OK);
		int k = idx_of(v[i].c.contract_id);
		assert_true(k >= 0);
		record(&out1[k], &r, "IN");
	}
	/* Revision 2: OUT for an open-ended period getting its end, CANCEL
	 * for a cancelled contract, UPDATE otherwise. */
	size_t m = 0;
	static int back[MAXREC];
	for (size_t i = 0; i < nrecs; i++) {
		if (recs[i].revision != 2)
			continue;
		int k = idx_of(recs[i].contract_id);
		assert_true(k >= 0);
		assert_true(out1[k].status == 'A' || out1[k].status == 'W' || out1[k].status == 'S');
		struct dimona_decl *d = &v[m];
		dimona_decl_from_contract(d, &recs[i]);
		snprintf(d->period_id, sizeof d->period_id, "%s", out1[k].period);
		if (recs[i].status == CONTRACT_CANCELLED)
			d->action = DIMONA_CANCEL;
		else if (recs[k].end_date == 0 && recs[i].end_date != 0)
			d->action = DIMONA_OUT;
		else
			d->action = DIMONA_UPDATE;
		back[m] = (int)i;
		assert_int_equal(submit_reliably(c, d, ids[m], sizeof ids[m], retries), GW_OK);
		m++;
	}
	for (size_t i = 0; i < m; i++) {
		struct dimona_result r;
		assert_int_equal(poll_reliably(c, ids[i], &r), GW_OK);
		record(&out2[back[i]], &r, dimona_action_name(v[i].action));
	}
	dimona_rest_close(c);
}

/* Compare with the expected outcomes; in a fault run a designed duplicate
 * may instead be recognised by the lookup as the original (same period). */
static void
check_outcomes(int faults)
{
	size_t checked = 0;
	for (size_t e = 0; e < nexps; e++) {
		const struct expect *x = &exps[e];
		int k = idx_of(x->id);
		assert_true(k >= 0);
		if (strcmp(x->action, "merged") == 0) {
			assert_int_equal(out1[k].status, 0);   /* never declared on its own */
			continue;
		}
		const struct outcome *o = NULL;
		if (x->rev == 1) {
			o = &out1[k];
		} else {
			for (size_t i = 0; i < nrecs; i++)
				if (recs[i].revision == 2 && strcmp(recs[i].contract_id, x->id) == 0)
					o = &out2[i];
		}
		assert_non_null(o);
		int ok = o->status == x->status[0] && strcmp(o->action, x->action) == 0 &&
		    (strcmp(x->code, "-") == 0 ? (o->status == 'B' || o->codes[0] == '\0')
		    : strstr(o->codes, x->code) != NULL);
		if (!ok && faults && strcmp(x->code, "90373-333") == 0 && o->status != 'B') {
			/* Same content as its original: the lookup found that one. */
			const char *orig = strstr(x->note, "as ") ? strstr(x->note, "as ") + 3 : "";
			int ko = idx_of(orig);
			ok = ko >= 0 && strcmp(out1[ko].period, o->period) == 0;
		}
		if (!ok)
			fprintf(stderr, "%s rev %d: expected %s %s %s, got %s %c [%s]\n", x->id, x->rev, x->action,
			    x->status, x->code, o->action, o->status ? o->status : '0', o->codes);
		assert_true(ok);
		checked++;
	}
	assert_true(checked >= 500);
}

/* The ledger: every accepted IN's period is there exactly once, cancelled
 * ones are cancelled, no two live periods of a worker overlap. */
static void
check_ledger(void)
{
	char *body = NULL;
	assert_int_equal(sim_http(&sim_g, "GET", "/sim/ledger", NULL, NULL, &body), 200);
	json_t *j = json_loads(body, 0, NULL);
	free(body);
	json_t *ps = json_object_get(j, "periods"), *p;
	size_t i, live = 0, expected_live = 0;
	assert_true(json_is_array(ps));
	for (size_t k = 0; k < nrecs; k++) {
		if (recs[k].revision != 1 || !out1[k].status || out1[k].status == 'B')
			continue;
		int cancelled = 0, found = 0;
		for (size_t r = 0; r < nrecs; r++)
			if (recs[r].revision == 2 && strcmp(recs[r].contract_id, recs[k].contract_id) == 0)
				cancelled = out2[r].action[0] == 'C' && out2[r].status == 'A';
		/* A designed duplicate recognised by the lookup shares its
		 * original's period: count each period once. */
		int seen = 0;
		for (size_t k2 = 0; k2 < k; k2++)
			seen |= recs[k2].revision == 1 && out1[k2].status && out1[k2].status != 'B' &&
			    strcmp(out1[k2].period, out1[k].period) == 0;
		expected_live += !cancelled && !seen;
		json_array_foreach(ps, i, p) {
			if (strcmp(json_string_value(json_object_get(p, "id")), out1[k].period) != 0)
				continue;
			found++;
			assert_int_equal(json_integer_value(json_object_get(p, "cancelled")), cancelled);
		}
		assert_int_equal(found, 1);
	}
	json_array_foreach(ps, i, p) {
		if (json_integer_value(json_object_get(p, "cancelled")))
			continue;
		live++;
		size_t i2;
		json_t *q;
		json_array_foreach(ps, i2, q) {
			if (i2 <= i || json_integer_value(json_object_get(q, "cancelled")))
				continue;
			if (strcmp(json_string_value(json_object_get(p, "noss")), json_string_value(json_object_get(q, "noss"))) ||
			    strcmp(json_string_value(json_object_get(p, "worker")), json_string_value(json_object_get(q, "worker"))))
				continue;
			long s1 = (long)json_integer_value(json_object_get(p, "start")), e1 = (long)json_integer_value(json_object_get(p, "end"));
			long s2 = (long)json_integer_value(json_object_get(q, "start")), e2 = (long)json_integer_value(json_object_get(q, "end"));
			if (e1 == 0)
				e1 = 99991231;
			if (e2 == 0)
				e2 = 99991231;
			if (s1 <= e2 && s2 <= e1)
				fprintf(stderr, "overlapping live periods %s and %s\n",
				    json_string_value(json_object_get(p, "id")), json_string_value(json_object_get(q, "id")));
			assert_false(s1 <= e2 && s2 <= e1);
		}
	}
	/* No period that no accepted IN accounts for. */
	assert_int_equal(live, expected_live);
	json_decref(j);
}

static void
run(const char *const *extra_faults, int faults)
{
	const char *base[32] = { "--process-ms", "50", "--identify-ms", "600000",
	    "--employer", "175110801", "--employer", "123456749", NULL };
	size_t n = 8;
	unsigned retries = 0;
	for (size_t i = 0; extra_faults && extra_faults[i] && n < 30; i++)
		base[n++] = extra_faults[i];
	base[n] = NULL;
	load_fixture();
	assert_int_equal(sim_start(&sim_g, base), 0);
	sim_configure(&sim_g, NULL);
	declare_all(&retries);
	check_outcomes(faults);
	check_ledger();
	/* The Horeca runs of three became one OTH period of three days. */
	int merged = 0;
	for (size_t k = 0; k < nrecs; k++)
		if (recs[k].revision == 1 && strncmp(recs[k].contract_id, "EXT-R", 5) == 0 &&
		    out1[k].status == 'A')
			merged++;
	assert_int_equal(merged, 6);
	char *body = NULL;
	sim_http(&sim_g, "GET", "/sim/ledger", NULL, NULL, &body);
	json_t *j = json_loads(body, 0, NULL);
	json_t *st = json_object_get(j, "stats");
	fprintf(stderr, "%s: %zu records, %u submit retries, %lld faults injected, %lld tokens\n",
	    faults ? "with faults" : "clean", nrecs, retries,
	    (long long)json_integer_value(json_object_get(st, "faults_injected")),
	    (long long)json_integer_value(json_object_get(st, "tokens_issued")));
	if (faults)
		assert_true(json_integer_value(json_object_get(st, "faults_injected")) > 20);
	else
		assert_int_equal(retries, 0);
	json_decref(j);
	free(body);
	sim_stop(&sim_g);
}

static void
test_fixture_clean(void **state)
{
	(void)state;
	run(NULL, 0);
}

static void
test_fixture_with_faults(void **state)
{
	(void)state;
	static const char *const faults[] = {
		"--fault", "503:0.08", "--fault", "429:0.05", "--fault", "500:0.03",
		"--fault", "drop:0.05", "--fault", "trunc:0.04", "--fault", "malformed:0.03",
		"--fault", "slow:0.01", "--slow-ms", "200", "--fault", "tokendown:0.2",
		"--token-ttl", "35", "--seed", "7", NULL,
	};
	run(faults, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_clean),
		cmocka_unit_test(test_fixture_with_faults),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sim_stop(&sim_g);
	config_free(gw_cfg);
	return rc;
}

/* test_dmfa_check.c - the quarter's reconciliation (service/dmfa_check.h):
 * DmfA occupations against the accepted Dimona periods of the same
 * employer and worker, the periods against the occupations, and 3in1
 * contracts against the invoices taken in. Every expected count below is
 * worked out by hand from the crafted quarter, written out next to it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/dmfa_check.h"

#define E1 51234526u
#define E2 123456749u
#define W1 80010100107ull
#define W2 70070700543ull
#define W3 96022107465ull

/* Quarter 2026Q1 (2026-01-01 .. 2026-03-31). Rows as dmfa_rows_prepare
 * leaves them: by employer, then INSS. */
static struct dmfa_row rows_v[8];
static size_t nrows;

static void
row(uint32_t noss, uint64_t inss, const char *id, uint32_t rev, gw_ymd start, gw_ymd end, int open)
{
	struct dmfa_row *r = &rows_v[nrows++];
	memset(r, 0, sizeof *r);
	r->noss = noss;
	r->inss = inss;
	snprintf(r->contract_id, sizeof r->contract_id, "%s", id);
	r->revision = rev;
	r->start = start;
	r->end = end;
	r->open_ended = (uint8_t)open;
	r->worker_code = 495;
}

static struct queue_msg msgs[16];
static size_t nmsgs;

static void
msg(const char *kind, const char *rec, uint32_t rev, enum queue_state st, const char *noss,
    const char *inss, const char *type, const char *start, const char *end)
{
	struct queue_msg *m = &msgs[nmsgs];
	char payload[400];
	memset(m, 0, sizeof *m);
	snprintf(m->id, sizeof m->id, "m%02zu", nmsgs);
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	snprintf(m->record_id, sizeof m->record_id, "%s", rec);
	m->revision = rev;
	m->state = st;
	m->created_ms = (int64_t)nmsgs;
	if (noss) {
		snprintf(payload, sizeof payload, "{\"contract_id\":\"%s\",\"employer_noss\":\"%s\","
		    "\"worker_inss\":\"%s\",\"worker_type\":\"%s\",\"start_date\":\"%s\",\"end_date\":\"%s\"}",
		    rec, noss, inss, type, start, end);
		m->payload = strdup(payload);
	}
	nmsgs++;
}

static const char *revs[] = {
	"{\"contract_id\":\"A1\",\"revision\":\"1\",\"invoice_id\":\"F-1\"}",
	"{\"contract_id\":\"A2\",\"revision\":\"1\",\"invoice_id\":\"F-OLD\"}",
	"{\"contract_id\":\"A2\",\"revision\":\"2\",\"invoice_id\":\"F-2\"}",
	"{\"contract_id\":\"B1\",\"revision\":\"1\",\"invoice_id\":\"F-3\"}",
	"{\"contract_id\":\"B2\",\"revision\":\"1\"}",
};

static struct dmfa_mismatch seen[16];
static size_t nseen;

static void
on_found(void *arg, const struct dmfa_mismatch *m)
{
	(void)arg;
	if (nseen < 16)
		seen[nseen++] = *m;
}

static int
setup(void **state)
{
	(void)state;
	nrows = nmsgs = nseen = 0;
	/* E1, W1: A1 on 2 March, A2 from 3 to 5 March (revision 2). */
	row(E1, W1, "A1", 1, 20260302, 20260302, 0);
	row(E1, W1, "A2", 2, 20260303, 20260305, 0);
	/* E1, W2: B1 from 10 to 12 February, B2 on 10 March. */
	row(E1, W2, "B1", 1, 20260210, 20260212, 0);
	row(E1, W2, "B2", 1, 20260310, 20260310, 0);
	/* E1, W3: C1 open-ended from 30 March, goes on after the quarter. */
	row(E1, W3, "C1", 1, 20260330, 0, 1);
	/* E2, W1: D1 on 4 March, no Dimona at all. */
	row(E2, W1, "D1", 1, 20260304, 20260304, 0);
	/* In (employer, INSS) order: W2's rows before W1's. */
	struct dmfa_row t[2] = { rows_v[0], rows_v[1] };
	rows_v[0] = rows_v[2];
	rows_v[1] = rows_v[3];
	rows_v[2] = t[0];
	rows_v[3] = t[1];

	/* A1: its IN accepted, covers 2 March. */
	msg("dimona-in", "A1", 1, QS_ACCEPTED, "051234526", "80010100107", "OTH", "2026-03-02", "2026-03-02");
	/* A2: IN (3-4 March) then UPDATE to 3-5 March, both accepted: the
	 * update's period is the live one and covers the occupation. */
	msg("dimona-in", "A2", 1, QS_ACCEPTED, "051234526", "80010100107", "OTH", "2026-03-03", "2026-03-04");
	msg("dimona-update", "A2", 2, QS_ACCEPTED_WARNINGS, "051234526", "80010100107", "OTH", "2026-03-03",
	    "2026-03-05");
	/* B1 (10-12 February) is covered by two periods together: 10, and 11-12. */
	msg("dimona-in", "B1", 1, QS_ACCEPTED, "051234526", "70070700543", "OTH", "2026-02-10", "2026-02-10");
	msg("dimona-in", "B1x", 1, QS_ACCEPTED, "051234526", "70070700543", "OTH", "2026-02-11", "2026-02-12");
	/* B2: IN accepted, then a CANCEL accepted: no period left. */
	msg("dimona-in", "B2", 1, QS_ACCEPTED, "051234526", "70070700543", "OTH", "2026-03-10", "2026-03-10");
	msg("dimona-cancel", "B2", 2, QS_ACCEPTED, "051234526", "70070700543", "OTH", "2026-03-10", "2026-03-10");
	/* B3: accepted, no occupation of W2 on 20 March. */
	msg("dimona-in", "B3", 1, QS_ACCEPTED, "051234526", "70070700543", "OTH", "2026-03-20", "2026-03-20");
	/* B4: not answered yet: no period. */
	msg("dimona-in", "B4", 1, QS_SENT, "051234526", "70070700543", "OTH", "2026-03-21", "2026-03-21");
	/* B5: a DWD worker has no DmfA: never a mismatch. */
	msg("dimona-in", "B5", 1, QS_ACCEPTED, "051234526", "70070700543", "DWD", "2026-03-25", "2026-03-25");
	/* B6: December 2025, outside the quarter. */
	msg("dimona-in", "B6", 1, QS_ACCEPTED, "051234526", "70070700543", "OTH", "2025-12-01", "2025-12-31");
	/* C1: open-ended period from 30 March. */
	msg("dimona-in", "C1", 1, QS_ACCEPTED, "051234526", "96022107465", "OTH", "2026-03-30", "");
	/* Invoices: F-1 taken in; F-3 taken in but cancelled; F-2 never. */
	msg("invoice", "inv:F-1", 1, QS_SENT, NULL, NULL, NULL, NULL, NULL);
	msg("invoice", "inv:F-3", 1, QS_CANCELLED, NULL, NULL, NULL, NULL, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < nmsgs; i++)
		free(msgs[i].payload);
	return 0;
}

static void
run(uint32_t noss, const uint64_t *accept, size_t naccept, struct dmfa_check_result *r)
{
	struct dmfa_rows rows = { .v = rows_v, .n = nrows, .cap = nrows };
	struct dmfa_check_opts o;
	memset(&o, 0, sizeof o);
	o.quarter = 20261;
	o.noss = noss;
	o.accept = accept;
	o.naccept = naccept;
	o.found = on_found;
	nseen = 0;
	assert_int_equal(dmfa_check_rows(&rows, msgs, nmsgs, revs, sizeof revs / sizeof *revs, &o, r),
	    GW_OK);
}

static void
test_every_kind(void **state)
{
	(void)state;
	struct dmfa_check_result r;
	char line[400];
	run(0, NULL, 0, &r);
	/* Occupations: B1 B2 A1 A2 C1 (E1) + D1 (E2) = 6.
	 * Live accepted periods with a DmfA touching the quarter: B1, B1x,
	 * B3, A1, A2 (the update), C1 = 6 (B2 cancelled, B4 unanswered, B5
	 * DWD, B6 December). */
	assert_int_equal(r.occupations, 6);
	assert_int_equal(r.periods, 6);
	/* Without Dimona: B2 (cancelled) and D1 (nothing at E2). */
	assert_int_equal(r.no_dimona, 2);
	/* Without DmfA: B3 only. */
	assert_int_equal(r.no_dmfa, 1);
	/* 3in1: B1 (F-3), A1 (F-1), A2 revision 2 (F-2, not F-OLD);
	 * missing: F-3 (cancelled) and F-2. */
	assert_int_equal(r.contracts_3in1, 3);
	assert_int_equal(r.no_invoice, 2);
	assert_int_equal(r.blocking, 3);
	assert_int_equal(r.accepted, 0);
	/* Found in order: W2's B1 invoice, B2 without Dimona, then W1's A2
	 * invoice, then D1, then the period B3. */
	assert_int_equal(nseen, 5);
	assert_int_equal(seen[0].kind, DMFA_MM_NO_INVOICE);
	assert_string_equal(seen[0].ref, "F-3");
	assert_false(seen[0].blocking);
	assert_int_equal(seen[1].kind, DMFA_MM_NO_DIMONA);
	assert_string_equal(seen[1].contract_id, "B2");
	assert_int_equal(seen[1].start, 20260310);
	assert_int_equal(seen[2].kind, DMFA_MM_NO_INVOICE);
	assert_string_equal(seen[2].ref, "F-2");
	assert_int_equal(seen[3].kind, DMFA_MM_NO_DIMONA);
	assert_string_equal(seen[3].contract_id, "D1");
	assert_int_equal(seen[3].noss, E2);
	assert_int_equal(seen[4].kind, DMFA_MM_NO_DMFA);
	assert_string_equal(seen[4].contract_id, "B3");
	assert_int_equal(seen[4].start, 20260320);
	assert_int_equal(seen[4].end, 20260320);
	dmfa_check_line(&seen[1], line, sizeof line);
	assert_string_equal(line, "051234526 70070700543 B2: DmfA occupation 2026-03-10..2026-03-10 has no "
	    "accepted Dimona period (blocking)");
	dmfa_check_line(&seen[4], line, sizeof line);
	assert_string_equal(line, "051234526 70070700543 B3: accepted Dimona period 2026-03-20..2026-03-20 "
	    "(m07) has no DmfA occupation (blocking)");
	dmfa_check_line(&seen[2], line, sizeof line);
	assert_string_equal(line, "051234526 80010100107 A2: 3in1 contract's invoice F-2 is not taken in "
	    "(not blocking)");
}

static void
test_one_employer_and_override(void **state)
{
	(void)state;
	struct dmfa_check_result r;
	uint64_t w2;
	/* E1 only: D1 is E2's. Occupations 5, blocking B2 and B3 = 2. */
	run(E1, NULL, 0, &r);
	assert_int_equal(r.occupations, 5);
	assert_int_equal(r.blocking, 2);
	/* The operator accepts W2: both of its blocking mismatches are
	 * reported as accepted; none blocks; the invoices are unchanged. */
	assert_int_equal(dmfa_check_parse_inss("70070700543", &w2), GW_OK);
	run(E1, &w2, 1, &r);
	assert_int_equal(r.blocking, 0);
	assert_int_equal(r.accepted, 2);
	assert_int_equal(r.no_invoice, 2);
	assert_true(seen[1].accepted);
	/* W1 accepted instead: W2's two still block. */
	uint64_t w1 = W1;
	run(E1, &w1, 1, &r);
	assert_int_equal(r.blocking, 2);
	assert_int_equal(r.accepted, 0);
}

static void
test_gap_and_bad_inss(void **state)
{
	(void)state;
	struct dmfa_check_result r;
	uint64_t x;
	/* B1x withdrawn (refused): 11-12 February is a gap in B1's cover. */
	msgs[4].state = QS_REFUSED;
	run(E1, NULL, 0, &r);
	assert_int_equal(r.no_dimona, 2);          /* B1 and B2 */
	assert_int_equal(r.periods, 5);            /* B1, B3, A1, A2's update, C1 */
	msgs[4].state = QS_ACCEPTED;
	assert_int_equal(dmfa_check_parse_inss("70070700544", &x), GW_EINPUT);   /* check digits */
	assert_int_equal(dmfa_check_parse_inss("7007070054", &x), GW_EINPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_employer_and_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_and_bad_inss, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

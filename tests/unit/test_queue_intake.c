/* test_queue_intake.c - what a record revision produces (follow-up rules),
 * and file intake: replays, conflicts, follow-ups, large replays. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "store/store.h"
#include "queue/queue.h"
#include "records/reader.h"
#include "service/followup.h"
#include "service/intake.h"

static struct contract
base(void)
{
	struct contract c;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "C-1");
	c.revision = 1;
	snprintf(c.employer_noss, sizeof c.employer_noss, "051234526");
	snprintf(c.worker_inss, sizeof c.worker_inss, "88092303720");
	snprintf(c.worker_type, sizeof c.worker_type, "OTH");
	snprintf(c.joint_committee, sizeof c.joint_committee, "304");
	c.start_date = 20261203;
	c.end_date = 20261203;
	c.start_time = c.end_time = -1;
	c.gross_wage_cents = 33000;
	return c;
}

static void
test_followup_rules(void **state)
{
	(void)state;
	struct contract a = base(), b = base();
	assert_int_equal(followup_decide(NULL, &a), FU_IN);
	b.revision = 2;
	assert_int_equal(followup_decide(&a, &b), FU_NONE);          /* nothing Dimona carries */
	b.gross_wage_cents = 1;
	assert_int_equal(followup_decide(&a, &b), FU_NONE);          /* wage: DmfA, not Dimona */
	b.end_date = 20261205;
	assert_int_equal(followup_decide(&a, &b), FU_UPDATE);
	b = base();
	b.status = CONTRACT_CANCELLED;
	assert_int_equal(followup_decide(&a, &b), FU_CANCEL);
	assert_int_equal(followup_decide(&b, &a), FU_IN);            /* re-activated after a cancel */
	assert_int_equal(followup_decide(&b, &b), FU_NONE);
	assert_int_equal(followup_decide(NULL, &b), FU_NONE);         /* cancelled before declared */
	b = base();
	snprintf(b.worker_inss, sizeof b.worker_inss, "91041218437");
	assert_int_equal(followup_decide(&a, &b), FU_CANCEL_AND_IN);  /* another worker */
	b = base();
	snprintf(b.employer_noss, sizeof b.employer_noss, "051234527");
	assert_int_equal(followup_decide(&a, &b), FU_CANCEL_AND_IN);
	/* Open-ended period gets its end, nothing else: OUT; with more: UPDATE. */
	a.end_date = 0;
	b = base();
	assert_int_equal(followup_decide(&a, &b), FU_OUT);
	b.start_date = 20261202;
	assert_int_equal(followup_decide(&a, &b), FU_UPDATE);
	b = base();
	snprintf(b.joint_committee, sizeof b.joint_committee, "302");
	a = base();
	assert_int_equal(followup_decide(&a, &b), FU_UPDATE);
}

static char dir[64], db[128];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *L1 = "{\"contract_id\":\"J-1\",\"revision\":\"1\",\"status\":\"active\","
    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\",\"worker_inss\":"
    "\"88092303720\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"worker_code\":\"046\","
    "\"start_date\":\"2026-12-03\",\"end_date\":\"2026-12-03\",\"days_worked\":\"1\","
    "\"hours_worked\":\"7.6\",\"gross_wage_cents\":\"33000\"}\n";

/* L1 with one substitution. */
static char *
variant(const char *from, const char *to)
{
	static char buf[1024];
	const char *p = strstr(L1, from);
	assert_non_null(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - L1), L1, to, p + strlen(from));
	return buf;
}

static void
test_intake_file(void **state)
{
	(void)state;
	char path[160], err[256];
	snprintf(dir, sizeof dir, "/tmp/gwintXXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/q.db", dir);
	gw_cfg = config_new();
	struct queue *q;
	assert_int_equal(queue_sqlite_ops.open(&q, db, err, sizeof err), GW_OK);
	struct intake_opts o;
	intake_opts_default(&o);
	o.batch = 50;
	struct intake_stats st;
	uint32_t rev;
	FILE *rej = fopen("/dev/null", "w");

	/* Revision 1 then 2 (cancelled) in the same file: IN, then CANCEL on it. */
	snprintf(path, sizeof path, "%s/a.jsonl", dir);
	char two[2048];
	snprintf(two, sizeof two, "%s%s", L1,
	    variant("\"revision\":\"1\",\"status\":\"active\"", "\"revision\":\"2\",\"status\":\"cancelled\""));
	write_file(path, two);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.read, 2);
	assert_int_equal(st.messages, 2);
	struct queue_msg *l;
	size_t n;
	assert_int_equal(queue_by_record(q, "J-1", &l, &n), GW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "dimona-cancel");
	assert_string_equal(l[1].kind, "dimona-in");
	assert_string_equal(l[0].depends_on, l[1].id);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);

	/* Same revision, other content: rejected; older revision: no-op. */
	snprintf(path, sizeof path, "%s/b.jsonl", dir);
	write_file(path, variant("\"revision\":\"1\",\"status\":\"active\"",
	    "\"revision\":\"2\",\"status\":\"active\""));
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 0);
	snprintf(path, sizeof path, "%s/c.jsonl", dir);
	write_file(path, L1);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.replayed, 1);
	assert_int_equal(st.messages, 0);

	/* A revision Dimona does not carry (the wage): no message to send (it
	 * is only kept for the DmfA), but the record's highest revision moves, so the same revision with other
	 * content is a conflict and the older one a replay. */
	snprintf(path, sizeof path, "%s/w.jsonl", dir);
	char *w2 = variant("\"contract_id\":\"J-1\",\"revision\":\"1\"",
	    "\"contract_id\":\"W-1\",\"revision\":\"1\"");
	char wbuf[4096];
	snprintf(wbuf, sizeof wbuf, "%s", w2);
	char *r2 = strstr(wbuf, "\"revision\":\"1\"");
	assert_non_null(r2);
	write_file(path, wbuf);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.messages, 1);
	r2[12] = '2';                                             /* revision 2 */
	char *wage = strstr(wbuf, "\"33000\"");
	assert_non_null(wage);
	memcpy(wage, "\"34000\"", 7);
	write_file(path, wbuf);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.no_change, 1);
	assert_int_equal(st.messages, 0);
	assert_int_equal(store_record_get(q, "W-1", &rev, NULL), GW_OK);
	assert_int_equal(rev, 2);
	char *day = strstr(wbuf, "\"end_date\":\"2026-12-03\"");
	assert_non_null(day);
	day[21] = '4';                                            /* other content, same revision */
	write_file(path, wbuf);
	char rpath[200], rtext[1024] = "";
	snprintf(rpath, sizeof rpath, "%s/rej.txt", dir);
	FILE *rf = fopen(rpath, "w+");
	assert_int_equal(intake_contracts(q, path, &o, &st, rf, err, sizeof err), GW_OK);
	assert_int_equal(st.rejected, 1);
	rewind(rf);
	assert_true(fread(rtext, 1, sizeof rtext - 1, rf) > 0);
	fclose(rf);
	assert_non_null(strstr(rtext, "W-1"));
	assert_non_null(strstr(rtext, "already taken in with other content"));
	r2[12] = '3';                                             /* revision 3: a real change */
	write_file(path, wbuf);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.messages, 1);
	assert_int_equal(queue_by_record(q, "W-1", &l, &n), GW_OK);
	assert_int_equal(n, 2);                  /* revision 2 was kept in the store, no message */
	assert_string_equal(l[0].kind, "dimona-update");         /* never a second IN */
	assert_string_equal(l[1].kind, "dimona-in");
	assert_string_equal(l[0].depends_on, l[1].id);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);

	/* A large file taken in twice: the replay (no message at all) must
	 * still walk through every batch. */
	snprintf(path, sizeof path, "%s/big.jsonl", dir);
	FILE *f = fopen(path, "w");
	for (int i = 0; i < 1000; i++) {
		char id[32];
		snprintf(id, sizeof id, "\"contract_id\":\"BIG-%04d\"", i);
		fputs(variant("\"contract_id\":\"J-1\"", id), f);
	}
	fclose(f);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.queued_records, 1000);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	assert_int_equal(st.unchanged, 1000);
	assert_int_equal(st.messages, 0);

	/* Disk nearly full: GW_ETEMP and nothing more written. */
	config_set(gw_cfg, "queue.min_free_mb", "999999999999");
	snprintf(path, sizeof path, "%s/d.jsonl", dir);
	write_file(path, variant("\"contract_id\":\"J-1\"", "\"contract_id\":\"J-FULL\""));
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_ETEMP);
	assert_non_null(strstr(err, "disk nearly full"));
	assert_int_equal(store_record_get(q, "J-FULL", &rev, NULL), GW_ENOTFOUND);

	fclose(rej);
	q->ops->close(q);
	config_free(gw_cfg);
	gw_cfg = NULL;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_followup_rules),
		cmocka_unit_test(test_intake_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

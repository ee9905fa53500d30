/* test_intake_kept.c - a revision with nothing for Dimona (pay, hours paid)
 * is kept for the DmfA: one never-sent message with the new payload,
 * committed with the records table, settled cancelled, on the "kept"
 * channel (outside the senders' counts); a replay adds nothing; one a
 * crash left held is settled at the next intake, an operator's hold is
 * not. */
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
#include "records/contract.h"
#include "records/reader.h"
#include "service/dmfa_followup.h"
#include "service/intake.h"

static const char *R1 = "{\"contract_id\":\"K-1\",\"revision\":\"1\",\"status\":\"active\","
    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\",\"worker_inss\":"
    "\"88092303720\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"worker_code\":\"046\","
    "\"start_date\":\"2026-12-03\",\"end_date\":\"2026-12-03\",\"days_worked\":\"1\","
    "\"hours_worked\":\"7.6\",\"gross_wage_cents\":\"33000\"}\n";

/* R1 as revision 2 with new pay and hours paid (nothing Dimona carries). */
static const char *R2 = "{\"contract_id\":\"K-1\",\"revision\":\"2\",\"status\":\"active\","
    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\",\"worker_inss\":"
    "\"88092303720\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"worker_code\":\"046\","
    "\"start_date\":\"2026-12-03\",\"end_date\":\"2026-12-03\",\"days_worked\":\"1\","
    "\"hours_worked\":\"8\",\"gross_wage_cents\":\"41250\"}\n";

struct fx {
	char dir[64], db[128], path[160];
	struct queue *q;
	struct intake_opts o;
	FILE *rej;
};

static void
put(struct fx *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
take(struct fx *f, struct intake_stats *st)
{
	char err[256] = "";
	assert_int_equal(intake_contracts(f->q, f->path, &f->o, st, f->rej, err, sizeof err), GW_OK);
}

/* Record text as intake reads it (defaults applied), into *c. */
static void
read_one(struct fx *f, const char *text, struct contract *c)
{
	struct contract_reader *rd = NULL;
	struct record_rejection rej;
	char err[256];
	put(f, text);
	assert_int_equal(contract_reader_open(&rd, f->path, err, sizeof err), GW_OK);
	assert_int_equal(contract_reader_next(rd, c, &rej), GW_OK);
	contract_reader_close(rd);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[256];
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/gwkeptXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/q.db", f->dir);
	snprintf(f->path, sizeof f->path, "%s/in.jsonl", f->dir);
	gw_cfg = config_new();
	assert_int_equal(queue_sqlite_ops.open(&f->q, f->db, err, sizeof err), GW_OK);
	intake_opts_default(&f->o);
	f->rej = fopen("/dev/null", "w");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	fclose(f->rej);
	f->q->ops->close(f->q);
	config_free(gw_cfg);
	gw_cfg = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
free_list(struct queue_msg *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
}

/* Messages in the whole queue. */
static uint64_t
total(struct queue *q)
{
	struct queue_stats st;
	uint64_t t = 0;
	assert_int_equal(q->ops->stats(q, NULL, &st), GW_OK);
	for (int s = 0; s < QS__COUNT; s++)
		t += st.count[s];
	return t;
}

static void
test_pay_only_revision_is_kept(void **state)
{
	struct fx *f = *state;
	struct intake_stats st;
	struct queue_msg *l = NULL;
	size_t n = 0;

	put(f, R1);
	take(f, &st);
	assert_int_equal(st.messages, 1);

	put(f, R2);
	take(f, &st);
	assert_int_equal(st.read, 1);
	assert_int_equal(st.messages, 0);          /* nothing for Dimona */
	assert_int_equal(st.no_change, 1);
	assert_int_equal(f->q->ops->by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, DMFA_KIND_KEPT);
	assert_int_equal(l[0].revision, 2);
	assert_string_equal(l[0].channel, DMFA_KEPT_CHANNEL);
	assert_int_equal(l[0].state, QS_CANCELLED);
	assert_int_equal(l[0].attempts, 0);
	assert_null(l[0].body);
	assert_non_null(l[0].payload);
	assert_non_null(strstr(l[0].payload, "41250"));   /* the new pay */
	assert_null(strstr(l[0].payload, "33000"));
	assert_string_equal(l[1].kind, "dimona-in");      /* no Dimona message for revision 2 */
	assert_int_equal(l[1].revision, 1);

	/* The records table holds revision 2 with the kept payload's hash. */
	uint32_t rev = 0;
	char hash[65], want[65];
	assert_int_equal(store_record_get(f->q, "K-1", &rev, hash), GW_OK);
	assert_int_equal(rev, 2);
	queue_sha256_hex(l[0].payload, strlen(l[0].payload), want);
	assert_string_equal(hash, want);

	/* Its history: born held, then cancelled by intake, never sent. */
	struct queue_event *ev = NULL;
	size_t ne = 0;
	assert_int_equal(f->q->ops->history(f->q, l[0].id, &ev, &ne), GW_OK);
	assert_int_equal(ne, 2);
	assert_int_equal(ev[0].to, QS_HELD);
	assert_int_equal(ev[1].from, QS_HELD);
	assert_int_equal(ev[1].to, QS_CANCELLED);
	assert_string_equal(ev[1].actor, "intake");
	free(ev);
	free_list(l, n);

	/* Outside every sender's channel: dimona-rest counts only the IN. */
	struct queue_stats cs;
	assert_int_equal(f->q->ops->stats(f->q, "dimona-rest", &cs), GW_OK);
	assert_int_equal(cs.count[QS_CANCELLED], 0);
	assert_int_equal(cs.count[QS_PENDING], 1);
	assert_int_equal(f->q->ops->stats(f->q, DMFA_KEPT_CHANNEL, &cs), GW_OK);
	assert_int_equal(cs.count[QS_CANCELLED], 1);

	/* A replay of the same revision (and of the older one) adds nothing. */
	uint64_t before = total(f->q);
	take(f, &st);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.no_change, 0);
	assert_int_equal(st.messages, 0);
	put(f, R1);
	take(f, &st);
	assert_int_equal(st.replayed, 1);
	assert_int_equal(total(f->q), before);
	assert_int_equal(f->q->ops->by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 2);
	free_list(l, n);

	/* A later real change compares with the kept revision: an UPDATE on
	 * the standing IN, never a second IN. */
	char r3[1024];
	const char *p = strstr(R2, "\"revision\":\"2\"");
	const char *e = strstr(R2, "\"end_date\":\"2026-12-03\"");
	assert_non_null(p);
	assert_non_null(e);
	snprintf(r3, sizeof r3, "%.*s\"revision\":\"3\"%.*s\"end_date\":\"2026-12-04\"%s",
	    (int)(p - R2), R2, (int)(e - p - 14), p + 14, e + 23);
	put(f, r3);
	take(f, &st);
	assert_int_equal(st.messages, 1);
	assert_int_equal(f->q->ops->by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].kind, "dimona-update");
	assert_string_equal(l[0].depends_on, l[2].id);
	assert_non_null(strstr(l[0].payload, "41250"));   /* the kept pay carries on */
	free_list(l, n);
}

/* intake_prepare says what a pay-only revision produces. */
static void
test_prepare_gives_kept_message(void **state)
{
	struct fx *f = *state;
	struct intake_stats st;
	struct contract c;
	struct queue_msg out[2];
	size_t n = 9;
	enum intake_verdict v;
	char why[128];

	put(f, R1);
	take(f, &st);
	read_one(f, R2, &c);
	memset(out, 0, sizeof out);
	assert_int_equal(intake_prepare(f->q, &c, &f->o, out, &n, &v, why, sizeof why), GW_OK);
	assert_int_equal(v, IV_NOTHING);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].kind, DMFA_KIND_KEPT);
	assert_int_equal(out[0].state, QS_HELD);         /* never claimable */
	assert_int_equal(out[0].revision, 2);
	assert_non_null(strstr(out[0].payload, "41250"));
	queue_msg_free(&out[0]);
}

/* A crash between the commit and the settle leaves a kept revision held:
 * the next intake settles it; a message an operator held stays held. */
static void
test_left_held_is_settled(void **state)
{
	struct fx *f = *state;
	struct intake_stats st;
	struct contract c;
	struct queue_msg m[2];
	unsigned char dup[2];
	size_t n = 0;

	put(f, R1);
	take(f, &st);
	read_one(f, R2, &c);
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(contract_to_json(&c, &json, &len), GW_OK);   /* as intake stores it */
	assert_int_equal(dmfa_followup_kept_msg(&m[0], &c, json), GW_OK);
	free(json);
	assert_int_equal(store_enqueue(f->q, m, 1, dup), GW_OK);   /* the "crash" */
	struct queue_msg *l = NULL;
	assert_int_equal(f->q->ops->by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 2);
	const char *in_id = strcmp(l[0].kind, "dimona-in") == 0 ? l[0].id : l[1].id;
	char in[QUEUE_ID_MAX + 1];
	snprintf(in, sizeof in, "%s", in_id);
	free_list(l, n);
	assert_int_equal(f->q->ops->transition(f->q, in, QS_PENDING, QS_HELD, "operator:t", "hold"),
	    GW_OK);

	/* Any intake (here an unrelated record) settles the leftover first. */
	put(f, "{\"contract_id\":\"K-2\",\"revision\":\"1\",\"status\":"
	    "\"active\",\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
	    "\"worker_inss\":\"88092303720\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\","
	    "\"worker_code\":\"046\",\"start_date\":\"2026-12-10\",\"end_date\":\"2026-12-10\","
	    "\"days_worked\":\"1\",\"hours_worked\":\"7.6\",\"gross_wage_cents\":\"33000\"}\n");
	take(f, &st);
	assert_int_equal(f->q->ops->get(f->q, m[0].id, &m[1]), GW_OK);
	assert_int_equal(m[1].state, QS_CANCELLED);
	queue_msg_free(&m[1]);
	assert_int_equal(f->q->ops->get(f->q, in, &m[1]), GW_OK);
	assert_int_equal(m[1].state, QS_HELD);
	queue_msg_free(&m[1]);
	queue_msg_free(&m[0]);
	/* The leftover's revision counts as taken in: a replay adds nothing. */
	put(f, R2);
	take(f, &st);
	assert_int_equal(st.unchanged, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pay_only_revision_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_gives_kept_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left_held_is_settled, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

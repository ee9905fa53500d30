/* test_intake_kept.c - a revision with nothing for Dimona (pay, hours paid)
 * is kept for the DmfA in the record store, with its content, in the
 * batch's commit: no message at all; a replay adds nothing; a later change
 * compares with it; the kept-revision message of a queue file older than
 * the store is still read. */
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

/* The record store's revision of K-1 (with its kept content, if any). */
static void
stored(struct fx *f, struct store_revision *r)
{
	struct store *sto;
	assert_int_equal(store_of(f->q, &sto), GW_OK);
	assert_int_equal(sto->ops->revision_get(sto, "K-1", 1, r), GW_OK);
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
	assert_int_equal(queue_by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 1);                            /* no message for revision 2 */
	assert_string_equal(l[0].kind, "dimona-in");
	assert_int_equal(l[0].revision, 1);
	free_list(l, n);
	assert_int_equal(total(f->q), 1);                  /* the outbox holds the IN only */

	/* The store holds revision 2 with its content and that content's hash. */
	struct store_revision r;
	char want[65];
	stored(f, &r);
	assert_int_equal(r.revision, 2);
	assert_non_null(r.payload);
	assert_non_null(strstr(r.payload, "41250"));       /* the new pay */
	assert_null(strstr(r.payload, "33000"));
	queue_sha256_hex(r.payload, strlen(r.payload), want);
	assert_string_equal(r.hash, want);
	store_revision_free(&r);

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
	stored(f, &r);
	assert_int_equal(r.revision, 2);
	store_revision_free(&r);

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
	assert_int_equal(queue_by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "dimona-update");
	assert_string_equal(l[0].depends_on, l[1].id);
	assert_non_null(strstr(l[0].payload, "41250"));   /* the kept pay carries on */
	free_list(l, n);
}

/* intake_prepare says what a pay-only revision produces: no message, its
 * JSON to keep. */
static void
test_prepare_keeps_revision(void **state)
{
	struct fx *f = *state;
	struct intake_stats st;
	struct contract c;
	struct queue_msg out[2];
	size_t n = 9;
	enum intake_verdict v;
	char why[128], *keep = NULL;

	put(f, R1);
	take(f, &st);
	read_one(f, R2, &c);
	memset(out, 0, sizeof out);
	assert_int_equal(intake_prepare(f->q, &c, &f->o, out, &n, &v, &keep, why, sizeof why),
	    GW_OK);
	assert_int_equal(v, IV_NOTHING);
	assert_int_equal(n, 0);
	assert_non_null(keep);
	assert_non_null(strstr(keep, "\"revision\":\"2\""));
	assert_non_null(strstr(keep, "41250"));
	free(keep);
}

/* A queue file made before the record store kept such a revision as a
 * cancelled "contract-kept" message: it is still read (the next change
 * compares with it), and an operator's hold elsewhere is left alone. */
static void
test_legacy_kept_message_is_read(void **state)
{
	struct fx *f = *state;
	struct intake_stats st;
	struct contract c;
	struct queue_msg m;
	unsigned char dup = 0;

	put(f, R1);
	take(f, &st);
	read_one(f, R2, &c);
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(contract_to_json(&c, &json, &len), GW_OK);   /* as intake stored it */
	memset(&m, 0, sizeof m);
	snprintf(m.record_id, sizeof m.record_id, "K-1");
	m.revision = 2;
	snprintf(m.kind, sizeof m.kind, "contract-kept");
	snprintf(m.channel, sizeof m.channel, "kept");
	m.state = QS_HELD;
	m.payload = json;
	assert_int_equal(store_enqueue(f->q, &m, 1, &dup), GW_OK);
	assert_int_equal(queue_transition(f->q, m.id, QS_HELD, QS_CANCELLED, "intake", "kept"),
	    GW_OK);
	free(json);
	/* Its revision counts as taken in: a replay adds nothing. */
	put(f, R2);
	take(f, &st);
	assert_int_equal(st.unchanged, 1);
	/* A later change is an UPDATE carrying the legacy revision's pay. */
	char r3[1024];
	const char *p = strstr(R2, "\"revision\":\"2\"");
	const char *e = strstr(R2, "\"end_date\":\"2026-12-03\"");
	snprintf(r3, sizeof r3, "%.*s\"revision\":\"3\"%.*s\"end_date\":\"2026-12-04\"%s",
	    (int)(p - R2), R2, (int)(e - p - 14), p + 14, e + 23);
	put(f, r3);
	take(f, &st);
	assert_int_equal(st.messages, 1);
	struct queue_msg *l = NULL;
	size_t n = 0;
	assert_int_equal(queue_by_record(f->q, "K-1", &l, &n), GW_OK);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].kind, "dimona-update");
	assert_non_null(strstr(l[0].payload, "41250"));
	free_list(l, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pay_only_revision_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_keeps_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_kept_message_is_read, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

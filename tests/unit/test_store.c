/* test_store.c - the record store beside the outbox (store/store.h), on
 * SQLite and (GW_TEST_DSN, test_backend.h) on PostgreSQL: one unit of work commits messages and store rows at once or
 * not at all; revisions are raised only and keep their payload; a stale
 * message is skipped; the worker-day index, run members, filed sets and
 * permanent ids read back; (SQLite only) a queue file made before the
 * store (records without payload, no store tables) opens and is migrated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "queue/queue.h"
#include "store/store.h"
#include "test_backend.h"

static char dir[64], dbpath[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gwstXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/q.db", dir);
	gw_cfg = config_new();
	return tb_reset();
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	config_free(gw_cfg);
	gw_cfg = NULL;
	return system(cmd) == 0 ? 0 : -1;
}

static struct queue *
open_q(void)
{
	struct queue *q;
	char err[256];
	gw_rc rc = tb_open(&q, dbpath, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "open: %s\n", err);
	assert_int_equal(rc, GW_OK);
	return q;
}

static struct store *
store(struct queue *q)
{
	struct store *st = NULL;
	assert_int_equal(store_of(q, &st), GW_OK);
	assert_non_null(st);
	return st;
}

static void
mk(struct queue_msg *m, const char *rid, uint32_t rev, const char *kind, const char *payload)
{
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", rid);
	m->revision = rev;
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	snprintf(m->channel, sizeof m->channel, "dimona-rest");
	m->state = QS_PENDING;
	m->payload = (char *)payload;
}

static void
rev(struct store_revision *r, const char *rid, uint32_t n, const char *payload)
{
	memset(r, 0, sizeof *r);
	snprintf(r->record_id, sizeof r->record_id, "%s", rid);
	r->revision = n;
	queue_sha256_hex(payload, strlen(payload), r->hash);
	r->payload = (char *)payload;
}

static size_t
count_msgs(struct queue *q, const char *rid)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	assert_int_equal(queue_by_record(q, rid, &l, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
	return n;
}

/* Messages, revision, days and a run member in one unit; all read back. */
static void
test_unit_commits_all(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct store *st = store(q);
	struct queue_msg m;
	struct store_revision r;
	struct store_day d[2] = { { "051234526", "W1", 20261207, "A-1" },
	                          { "051234526", "W1", 20261208, "A-2" } };
	struct store_run_member rm = { "A-2", 1, "", 0, "merged into A-1" };
	unsigned char dup = 9;
	mk(&m, "A-1", 1, "dimona-in", "{\"a\":1}");
	rev(&r, "A-1", 1, "{\"a\":1}");
	queue_make_id(rm.msg_id, "A-1", 1, "dimona-in");
	struct store_unit u = { .msgs = &m, .nmsgs = 1, .dup = &dup, .revs = &r, .nrevs = 1,
	                        .days = d, .ndays = 2, .runs = &rm, .nruns = 1 };
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	assert_int_equal(dup, 0);
	assert_int_equal(count_msgs(q, "A-1"), 1);

	struct store_revision got;
	assert_int_equal(st->ops->revision_get(st, "A-1", 1, &got), GW_OK);
	assert_int_equal(got.revision, 1);
	assert_string_equal(got.hash, r.hash);
	assert_string_equal(got.payload, "{\"a\":1}");
	store_revision_free(&got);

	struct store_day *dv = NULL;
	size_t n = 0;
	assert_int_equal(st->ops->days_get(st, "051234526", "W1", 20261208, 20261231, &dv, &n), GW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(dv[0].record_id, "A-2");
	free(dv);

	struct store_run_member g;
	assert_int_equal(st->ops->run_get(st, "A-2", &g), GW_OK);
	assert_string_equal(g.msg_id, m.id);
	assert_string_equal(g.why, "merged into A-1");
	assert_int_equal(st->ops->run_get(st, "A-1", &g), GW_ENOTFOUND);
	struct store_run_member *mv = NULL;
	assert_int_equal(st->ops->run_members(st, m.id, &mv, &n), GW_OK);
	assert_int_equal(n, 1);
	free(mv);

	/* The same unit again changes nothing and says the message was there. */
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	assert_int_equal(dup, 1);
	assert_int_equal(count_msgs(q, "A-1"), 1);
	q->ops->close(q);
}

/* A unit that fails half-way leaves nothing: not its message, not its rows. */
static void
test_unit_all_or_nothing(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct store *st = store(q);
	struct queue_msg m;
	struct store_revision r;
	struct store_filed f = { "DMFA:20264:051234526", "x", NULL };   /* no json: refused */
	mk(&m, "B-1", 1, "dimona-in", "{\"b\":1}");
	rev(&r, "B-1", 1, "{\"b\":1}");
	struct store_unit u = { .msgs = &m, .nmsgs = 1, .revs = &r, .nrevs = 1,
	                        .filed = &f, .nfiled = 1 };
	assert_int_equal(st->ops->commit(st, &u), GW_EINPUT);
	assert_int_equal(count_msgs(q, "B-1"), 0);
	uint32_t have = 0;
	assert_int_equal(store_record_get(q, "B-1", &have, NULL), GW_ENOTFOUND);
	q->ops->close(q);
}

/* Revisions rise only; the payload of a revision survives a write of the
 * same revision without one; an older message is stale and skipped. */
static void
test_revisions_rise_only(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct store *st = store(q);
	struct store_revision r;
	struct store_unit u = { .revs = &r, .nrevs = 1 };
	rev(&r, "C-1", 3, "{\"c\":3}");
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	rev(&r, "C-1", 2, "{\"c\":2}");
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	rev(&r, "C-1", 3, "{\"c\":3}");
	r.payload = NULL;
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	struct store_revision got;
	assert_int_equal(st->ops->revision_get(st, "C-1", 1, &got), GW_OK);
	assert_int_equal(got.revision, 3);
	assert_string_equal(got.payload, "{\"c\":3}");
	store_revision_free(&got);

	struct queue_msg m;
	unsigned char dup = 9;
	mk(&m, "C-1", 2, "dimona-update", "{\"c\":2}");
	assert_int_equal(store_enqueue(q, &m, 1, &dup), GW_OK);
	assert_int_equal(dup, 1);
	assert_int_equal(count_msgs(q, "C-1"), 0);

	/* The list of kept revisions by prefix. */
	rev(&r, "D-1", 1, "{\"d\":1}");
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	struct store_revision *v = NULL;
	size_t n = 0;
	assert_int_equal(st->ops->revisions_list(st, "C-", &v, &n), GW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].record_id, "C-1");
	store_revisions_free(v, n);
	q->ops->close(q);
}

/* store_unit_revisions: per record the highest revision, hashed from its
 * last payload (the cancel's old payload loses to the IN's new one). */
static void
test_unit_revisions(void **state)
{
	(void)state;
	struct queue_msg m[3];
	mk(&m[0], "E-1", 2, "dimona-cancel", "{\"old\":1}");
	mk(&m[1], "E-1", 2, "dimona-in", "{\"new\":2}");
	mk(&m[2], "E-2", 1, "dimona-in", NULL);
	struct store_revision *v = NULL;
	size_t n = 0;
	char want[65];
	assert_int_equal(store_unit_revisions(m, 3, &v, &n), GW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].record_id, "E-1");
	assert_int_equal(v[0].revision, 2);
	queue_sha256_hex("{\"new\":2}", 9, want);
	assert_string_equal(v[0].hash, want);
	assert_null(v[0].payload);
	free(v);
}

/* Filed sets (newest per key) and permanent ids read back. */
static void
test_filed_and_perm(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct store *st = store(q);
	struct store_filed f[2] = { { "DMFA:20264:051234526", "m1", "{\"n\":1}" },
	                            { "DMFA:20264:051234526", "m2", "{\"n\":2}" } };
	struct store_perm_ids p = { "m1", "DMPI.1", "", "perm", 4 };
	struct store_unit u = { .filed = f, .nfiled = 2, .perm = &p, .nperm = 1 };
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	struct store_filed g;
	assert_int_equal(st->ops->filed_get(st, "DMFA:20264:051234526", &g), GW_OK);
	assert_string_equal(g.msg_id, "m2");
	assert_string_equal(g.json, "{\"n\":2}");
	free(g.json);
	assert_int_equal(st->ops->filed_get(st, "DMFA:20261:051234526", &g), GW_ENOTFOUND);
	struct store_perm_ids h;
	assert_int_equal(st->ops->perm_get(st, "m1", &h), GW_OK);
	assert_int_equal(h.body_len, 4);
	assert_memory_equal(h.body, "perm", 4);
	assert_string_equal(h.name, "DMPI.1");
	free(h.body);
	assert_int_equal(st->ops->perm_get(st, "m2", &h), GW_ENOTFOUND);
	q->ops->close(q);
}

/* A queue file of the first schema (records without payload, no store
 * tables) opens; its revisions and days are read, then extended. */
static void
test_old_file_migrates(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	    "CREATE TABLE msgs(id TEXT PRIMARY KEY, record_id TEXT NOT NULL, revision INTEGER NOT NULL,"
	    " kind TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,"
	    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
	    " expires_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,"
	    " updated_ms INTEGER NOT NULL, sent_ms INTEGER NOT NULL DEFAULT 0,"
	    " content_hash TEXT NOT NULL DEFAULT '', body BLOB, body_file TEXT NOT NULL DEFAULT '',"
	    " remote_ref TEXT NOT NULL DEFAULT '', remote_ref2 TEXT NOT NULL DEFAULT '',"
	    " payload TEXT, depends_on TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',"
	    " UNIQUE(record_id, revision, kind));"
	    "CREATE TABLE events(seq INTEGER PRIMARY KEY, msg_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	    " actor TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
	    " what TEXT NOT NULL, why TEXT NOT NULL);"
	    "CREATE TABLE records(record_id TEXT PRIMARY KEY, revision INTEGER NOT NULL,"
	    " hash TEXT NOT NULL, updated_ms INTEGER NOT NULL);"
	    "CREATE TABLE seqs(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	    "CREATE TABLE worker_days(employer TEXT NOT NULL, worker TEXT NOT NULL,"
	    " day INTEGER NOT NULL, record_id TEXT NOT NULL,"
	    " PRIMARY KEY(employer, worker, day, record_id));"
	    "INSERT INTO records VALUES('OLD-1', 4, 'abc', 1);"
	    "INSERT INTO worker_days VALUES('051234526', 'W9', 20261201, 'OLD-1');"
	    /* A Horeca run as older intakes kept it: marker messages. */
	    "INSERT INTO msgs(id, record_id, revision, kind, channel, state, created_ms, updated_ms,"
	    " payload, depends_on, last_error) VALUES"
	    " ('mk-3', 'OLD-3', 1, 'dimona-run', 'dimona-rest', 'cancelled', 1, 1, '{\"own\":3}',"
	    " 'm-run-in', 'Horeca EXT run of 2 records'),"
	    " ('mk-2', 'OLD-2', 1, 'dimona-merged', 'dimona-rest', 'cancelled', 1, 1,"
	    " '{\"own\":2}', 'm-run-in', 'merged into OLD-3');"
	    "INSERT INTO records VALUES('OLD-2', 1, 'h2', 1), ('OLD-3', 1, 'h3', 1);"
	    "PRAGMA user_version=1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	struct queue *q = open_q();
	uint32_t have = 0;
	char hash[65];
	assert_int_equal(store_record_get(q, "OLD-1", &have, hash), GW_OK);
	assert_int_equal(have, 4);
	assert_string_equal(hash, "abc");
	struct store *st = store(q);
	struct store_day *dv = NULL;
	size_t n = 0;
	assert_int_equal(st->ops->days_get(st, "051234526", "W9", 20261201, 20261201, &dv, &n), GW_OK);
	assert_int_equal(n, 1);
	free(dv);
	struct store_revision r;
	struct store_unit u = { .revs = &r, .nrevs = 1 };
	rev(&r, "OLD-1", 5, "{\"o\":5}");
	assert_int_equal(st->ops->commit(st, &u), GW_OK);
	struct store_revision got;
	assert_int_equal(st->ops->revision_get(st, "OLD-1", 1, &got), GW_OK);
	assert_int_equal(got.revision, 5);
	assert_string_equal(got.payload, "{\"o\":5}");
	store_revision_free(&got);
	/* The markers became run rows, and the merged days' own revisions
	 * are kept, so a later revision of a day still finds its run. */
	struct store_run_member m;
	assert_int_equal(st->ops->run_get(st, "OLD-2", &m), GW_OK);
	assert_string_equal(m.msg_id, "m-run-in");
	assert_int_equal(m.head, 0);
	assert_string_equal(m.why, "merged into OLD-3");
	assert_int_equal(st->ops->run_get(st, "OLD-3", &m), GW_OK);
	assert_int_equal(m.head, 1);
	assert_int_equal(st->ops->revision_get(st, "OLD-2", 1, &got), GW_OK);
	assert_string_equal(got.payload, "{\"own\":2}");
	assert_string_equal(got.hash, "h2");
	store_revision_free(&got);
	char err[256];
	assert_int_equal(q->ops->check(q, err, sizeof err), GW_OK);
	q->ops->close(q);
	/* Once only: a run row gone since is not made again on the next open. */
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM run_members WHERE record_id='OLD-2'", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	q = open_q();
	st = store(q);
	assert_int_equal(st->ops->run_get(st, "OLD-2", &m), GW_ENOTFOUND);
	q->ops->close(q);
}

/* Intake rejections are kept, listed newest first, per record or all,
 * since a time, and a replayed row is not kept twice; a reopened queue
 * still has them. */
static void
test_rejections_kept(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct store *st = store(q);
	struct store_rejection r[3], *v = NULL;
	size_t n = 0;
	memset(r, 0, sizeof r);
	snprintf(r[0].record_id, sizeof r[0].record_id, "C-1");
	snprintf(r[0].file, sizeof r[0].file, "in.csv");
	r[0].line = 2;
	snprintf(r[0].field, sizeof r[0].field, "worker_inss");
	snprintf(r[0].reason, sizeof r[0].reason, "check digit");
	r[0].at_ms = 1000;
	r[1] = r[0];
	snprintf(r[1].record_id, sizeof r[1].record_id, "C-2");
	r[1].line = 3;
	r[1].at_ms = 2000;
	r[2] = r[0];
	r[2].at_ms = 3000;                      /* C-1 refused again later */
	assert_int_equal(st->ops->rejections_put(st, r, 3), GW_OK);
	assert_int_equal(st->ops->rejections_put(st, r, 1), GW_OK);    /* replayed */
	assert_int_equal(st->ops->rejections_list(st, NULL, 0, 0, &v, &n), GW_OK);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].at_ms, 3000);
	assert_string_equal(v[1].record_id, "C-2");
	assert_int_equal(v[1].line, 3);
	assert_string_equal(v[2].field, "worker_inss");
	assert_string_equal(v[2].reason, "check digit");
	free(v);
	assert_int_equal(st->ops->rejections_list(st, "C-1", 0, 0, &v, &n), GW_OK);
	assert_int_equal(n, 2);
	free(v);
	assert_int_equal(st->ops->rejections_list(st, NULL, 2000, 0, &v, &n), GW_OK);
	assert_int_equal(n, 2);
	free(v);
	assert_int_equal(st->ops->rejections_list(st, NULL, 0, 1, &v, &n), GW_OK);
	assert_int_equal(n, 1);
	free(v);
	q->ops->close(q);
	q = open_q();
	st = store(q);
	assert_int_equal(st->ops->rejections_list(st, "C-2", 0, 0, &v, &n), GW_OK);
	assert_int_equal(n, 1);
	free(v);
	q->ops->close(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unit_commits_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revisions_rise_only, setup, teardown),
		cmocka_unit_test(test_unit_revisions),
		cmocka_unit_test_setup_teardown(test_filed_and_perm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_file_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

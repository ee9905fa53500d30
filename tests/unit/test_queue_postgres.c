/* test_queue_postgres.c - what only the PostgreSQL outbox has (the shared
 * suites, test_queue_sqlite.c and test_store.c, run on it too): claims
 * that skip rows another worker holds, a connection lost in the middle of
 * a transaction (nothing kept, the next call reconnects), batch sequence
 * numbers unique across workers, deadlocks retried and not surfaced,
 * versioned migrations (a newer schema refused), no password in errors.
 * Skipped without GW_TEST_DSN (tests/run-all.sh sets it around its
 * throwaway cluster). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "queue/queue.h"
#include "store/store.h"
#include "test_queue_fixture.h"
#include "test_backend.h"

static int
setup(void **state)
{
	(void)state;
	gw_cfg = config_new();
	return tb_reset();
}

static int
teardown(void **state)
{
	(void)state;
	config_free(gw_cfg);
	gw_cfg = NULL;
	return 0;
}

#define PG_ONLY() do { if (!tb_is_pg()) { skip(); } } while (0)

static struct queue *
open_q(void)
{
	struct queue *q = NULL;
	char err[512];
	gw_rc rc = tb_open(&q, NULL, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "open: %s\n", err);
	assert_int_equal(rc, GW_OK);
	return q;
}

static void
mk(struct queue_msg *m, const char *rid, const char *channel)
{
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", rid);
	m->revision = 1;
	snprintf(m->kind, sizeof m->kind, "dimona-in");
	snprintf(m->channel, sizeof m->channel, "%s", channel);
	m->state = QS_PENDING;
}

/* A row locked by another worker's open transaction is skipped, not
 * waited for, and the others are claimed at once. */
static void
test_claim_skips_locked_rows(void **state)
{
	(void)state;
	PG_ONLY();
	/* Why: a lock wait would block the claim; lock_timeout on the
	 * queue's own connection turns it into a failure. */
	char dsn[600], err[512];
	struct queue *q = NULL;
	snprintf(dsn, sizeof dsn, "%s?options=-c%%20lock_timeout%%3D2000", tb_pg_dsn());
	assert_int_equal(queue_postgres_ops.open(&q, dsn, err, sizeof err), GW_OK);
	struct queue_msg m[3], out[3];
	mk(&m[0], "L-0", "dimona-rest");
	mk(&m[1], "L-1", "dimona-rest");
	mk(&m[2], "L-2", "dimona-rest");
	assert_int_equal(queue_enqueue(q, m, 3, NULL), GW_OK);
	PGconn *other = PQconnectdb(tb_pg_dsn());
	assert_int_equal(PQstatus(other), CONNECTION_OK);
	char sql[160];
	snprintf(sql, sizeof sql, "BEGIN; SELECT id FROM msgs WHERE id='%s' FOR UPDATE;", m[1].id);
	PGresult *r = PQexec(other, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	size_t n = 0;
	assert_int_equal(q->ops->claim(q, "dimona-rest", QS_PENDING, QS_BUILDING, "w-A", 0, queue_now_ms(), 3,
	    out, &n), GW_OK);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(out[i].id, m[1].id);
		assert_int_equal(out[i].state, QS_BUILDING);
		queue_msg_free(&out[i]);
	}
	r = PQexec(other, "ROLLBACK");
	PQclear(r);
	PQfinish(other);
	/* Released: the third is claimed now, and only it. */
	assert_int_equal(q->ops->claim(q, "dimona-rest", QS_PENDING, QS_BUILDING, "w-A", 0, queue_now_ms(), 3,
	    out, &n), GW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].id, m[1].id);
	queue_msg_free(&out[0]);
	q->ops->close(q);
}

struct claimer {
	size_t got;
	char ids[200][QUEUE_ID_MAX + 1];
};

/* A worker of its own connection claiming one at a time until none is left. */
static void *
claim_all(void *arg)
{
	struct claimer *c = arg;
	struct queue *q = NULL;
	char err[256];
	if (tb_open(&q, NULL, err, sizeof err) != GW_OK) {
		fprintf(stderr, "open: %s\n", err);
		return NULL;
	}
	for (;;) {
		struct queue_msg out[2];
		size_t n = 0;
		gw_rc rc = q->ops->claim(q, "dimona-rest", QS_PENDING, QS_BUILDING, NULL, 0, queue_now_ms(), 2,
		    out, &n);
		if (rc != GW_OK)
			fprintf(stderr, "claim: %s\n", gw_rc_name(rc));
		if (rc != GW_OK || n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (c->got < 200)
				snprintf(c->ids[c->got++], QUEUE_ID_MAX + 1, "%.40s", out[i].id);
			queue_msg_free(&out[i]);
		}
	}
	q->ops->close(q);
	return NULL;
}

/* Four workers claim 120 messages: each is claimed exactly once, with
 * one "claimed" event. */
static void
test_workers_claim_each_once(void **state)
{
	(void)state;
	PG_ONLY();
	struct queue *q = open_q();
	enum { N = 120, W = 4 };
	struct queue_msg m[N];
	for (int i = 0; i < N; i++) {
		char rid[16];
		snprintf(rid, sizeof rid, "W-%d", i);
		mk(&m[i], rid, "dimona-rest");
	}
	assert_int_equal(queue_enqueue(q, m, N, NULL), GW_OK);
	static struct claimer cl[W];
	pthread_t th[W];
	memset(cl, 0, sizeof cl);
	for (int i = 0; i < W; i++)
		assert_int_equal(pthread_create(&th[i], NULL, claim_all, &cl[i]), 0);
	size_t total = 0;
	for (int i = 0; i < W; i++) {
		pthread_join(th[i], NULL);
		total += cl[i].got;
	}
	assert_int_equal(total, N);
	for (int i = 0; i < N; i++) {
		struct queue_msg g;
		enum queue_state s = tq_state_of(q, m[i].id, &g);
		assert_int_equal(s, QS_BUILDING);
		queue_msg_free(&g);
		struct queue_event *ev = NULL;
		size_t ne = 0, claims = 0;
		assert_int_equal(q->ops->history(q, m[i].id, &ev, &ne), GW_OK);
		for (size_t k = 0; k < ne; k++)
			claims += strncmp(ev[k].why, "claimed by ", 11) == 0;
		free(ev);
		assert_int_equal(claims, 1);
	}
	q->ops->close(q);
}

/* The server kills the connection in the middle of an intake transaction
 * (after the first message's rows): a temporary failure, none of the
 * batch kept; the next call reconnects and the same batch goes in once. */
static void
test_connection_lost_mid_transaction(void **state)
{
	(void)state;
	PG_ONLY();
	struct queue *q = open_q();
	struct queue_msg m[3];
	mk(&m[0], "K-0", "dimona-rest");
	mk(&m[1], "K-1", "dimona-rest");
	mk(&m[2], "K-2", "dimona-rest");
	assert_int_equal(tb_sql(NULL, "CREATE FUNCTION cut_fn() RETURNS trigger LANGUAGE plpgsql"
	    " AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$;"
	    " CREATE TRIGGER cut BEFORE INSERT ON msgs FOR EACH ROW WHEN (NEW.record_id='K-1')"
	    " EXECUTE FUNCTION cut_fn();"), 0);
	assert_int_equal(queue_enqueue(q, m, 3, NULL), GW_ETEMP);
	assert_int_equal(tb_sql(NULL, "DROP TRIGGER cut ON msgs"), 0);
	struct queue_stats st;
	assert_int_equal(q->ops->stats(q, NULL, &st), GW_OK);   /* reconnected */
	assert_int_equal(st.count[QS_PENDING], 0);             /* K-0 not kept */
	size_t dups = 9;
	assert_int_equal(queue_enqueue(q, m, 3, &dups), GW_OK);
	assert_int_equal(dups, 0);
	assert_int_equal(q->ops->stats(q, NULL, &st), GW_OK);
	assert_int_equal(st.count[QS_PENDING], 3);
	/* A connection cut between calls (a server restart): the first call
	 * that finds it dead is a temporary failure or succeeds on a new one;
	 * the one after works. */
	assert_int_equal(tb_sql(NULL, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
	    " WHERE datname='gateway' AND pid<>pg_backend_pid()"), 0);
	gw_rc rc = q->ops->stats(q, NULL, &st);
	assert_true(rc == GW_OK || rc == GW_ETEMP);
	assert_int_equal(q->ops->stats(q, NULL, &st), GW_OK);
	assert_int_equal(st.count[QS_PENDING], 3);
	q->ops->close(q);
}

struct seq_worker {
	uint64_t got[150];
	int ok;
};

static void *
take_seqs(void *arg)
{
	struct seq_worker *w = arg;
	struct queue *q = NULL;
	char err[256];
	if (tb_open(&q, NULL, err, sizeof err) != GW_OK)
		return NULL;
	for (int i = 0; i < 150; i++)
		if (q->ops->next_seq(q, "batch", &w->got[i]) == GW_OK)
			w->ok++;
	q->ops->close(q);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Batch sequence numbers from three workers at once: 1..450, each once. */
static void
test_next_seq_unique_across_workers(void **state)
{
	(void)state;
	PG_ONLY();
	static struct seq_worker w[3];
	pthread_t th[3];
	memset(w, 0, sizeof w);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, take_seqs, &w[i]), 0);
	static uint64_t all[450];
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 150);
		memcpy(&all[i * 150], w[i].got, sizeof w[i].got);
	}
	qsort(all, 450, sizeof all[0], cmp_u64);
	for (int i = 0; i < 450; i++)
		assert_int_equal(all[i], (uint64_t)i + 1);
}

struct mover {
	const char *a, *b;
	int rounds, ok;
};

/* Notes on a then b in one transaction, each step locking its row: two
 * movers in opposite orders deadlock now and then. */
static void *
move_pairs(void *arg)
{
	struct mover *mv = arg;
	struct queue *q = NULL;
	char err[256];
	if (tb_open(&q, NULL, err, sizeof err) != GW_OK)
		return NULL;
	for (int i = 0; i < mv->rounds; i++) {
		struct queue_move steps[2] = {
			{ .id = mv->a, .from = QUEUE_ANY_STATE, .to = QUEUE_ANY_STATE, .what = "note",
			  .why = "pair" },
			{ .id = mv->b, .from = QUEUE_ANY_STATE, .to = QUEUE_ANY_STATE, .what = "note",
			  .why = "pair" },
		};
		size_t done = 0;
		gw_rc rc = q->ops->move_many(q, steps, 2, "test", &done);
		if (rc == GW_OK && done == 2)
			mv->ok++;
		else
			fprintf(stderr, "move_many: %s, %zu done\n", gw_rc_name(rc), done);
	}
	q->ops->close(q);
	return NULL;
}

/* Opposite lock orders: a deadlock is retried inside the call, never
 * surfaced; every round lands with both its notes. */
static void
test_deadlocks_retried(void **state)
{
	(void)state;
	PG_ONLY();
	struct queue *q = open_q();
	struct queue_msg m[2];
	mk(&m[0], "D-0", "dimona-rest");
	mk(&m[1], "D-1", "dimona-rest");
	assert_int_equal(queue_enqueue(q, m, 2, NULL), GW_OK);
	/* Why: make each transaction hold its first lock a while, so that
	 * the two movers do collide. */
	assert_int_equal(tb_sql(NULL, "CREATE FUNCTION slow_fn() RETURNS trigger LANGUAGE plpgsql"
	    " AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$;"
	    " CREATE TRIGGER slow BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_fn();"),
	    0);
	struct mover a = { m[0].id, m[1].id, 25, 0 }, b = { m[1].id, m[0].id, 25, 0 };
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, move_pairs, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, move_pairs, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.ok, 25);
	assert_int_equal(b.ok, 25);
	struct queue_event *ev = NULL;
	size_t n = 0, notes = 0;
	assert_int_equal(q->ops->history(q, m[0].id, &ev, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		notes += strcmp(ev[i].what, "note") == 0;
	free(ev);
	assert_int_equal(notes, 50);
	q->ops->close(q);
}

/* Migrations are recorded per component; a schema newer than the gateway
 * is refused with both versions named; a password never shows. */
static void
test_migrations_and_refusals(void **state)
{
	(void)state;
	PG_ONLY();
	struct queue *q = open_q();
	struct store *st = NULL;
	assert_int_equal(store_of(q, &st), GW_OK);
	q->ops->close(q);
	q = open_q();                          /* a second open applies nothing again */
	q->ops->close(q);
	PGconn *c = PQconnectdb(tb_pg_dsn());
	PGresult *r = PQexec(c, "SELECT component || '=' || version FROM schema_version"
	    " ORDER BY component");
	assert_int_equal(PQntuples(r), 2);
	assert_string_equal(PQgetvalue(r, 0, 0), "outbox=2");
	assert_string_equal(PQgetvalue(r, 1, 0), "store=2");  /* 2: envelope, rejections */
	PQclear(r);
	PQfinish(c);
	assert_int_equal(tb_sql(NULL, "UPDATE schema_version SET version=7 WHERE"
	    " component='outbox'"), 0);
	char err[512] = "";
	q = NULL;
	assert_int_equal(queue_postgres_ops.open(&q, tb_pg_dsn(), err, sizeof err), GW_ECONFIG);
	assert_null(q);
	assert_non_null(strstr(err, "outbox is 7, newer than this gateway (2)"));
	err[0] = '\0';
	assert_int_equal(queue_postgres_ops.open(&q, "postgresql://gw:s3cret@127.0.0.1:1/none",
	    err, sizeof err), GW_ETEMP);
	assert_non_null(strstr(err, "cannot connect"));
	assert_null(strstr(err, "s3cret"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_skips_locked_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_claim_each_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_lost_mid_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_seq_unique_across_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadlocks_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrations_and_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

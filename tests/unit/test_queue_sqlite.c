/* test_queue_sqlite.c - the outbox suite, on SQLite and (GW_TEST_DSN,
 * test_backend.h) on PostgreSQL: durable intake, replays, claims, history,
 * stats, recovery, group commit, bulk moves (move_many: per-step refusals,
 * events, nothing half-applied, a failure inside the database mid-call).
 * SQLite only: free-space refusal, a full database and a busy one
 * (temporary errors, nothing lost), the durability settings read back on
 * every open, private files, refused files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "store/store.h"
#include "queue/group.h"
#include "queue/queue.h"
#include "test_queue_fixture.h"
#include "test_backend.h"

static char dir[64], dbpath[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gwqXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/sub/q.db", dir);   /* parent created on open */
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

static void
mk(struct queue_msg *m, const char *rid, uint32_t rev, const char *kind, const char *payload)
{
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", rid);
	m->revision = rev;
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	snprintf(m->channel, sizeof m->channel, "dimona-rest");
	m->state = QS_PENDING;
	m->payload = payload ? (char *)payload : NULL;
}

/* The queue's own connection, caught when it is opened (sqlite3_auto_extension
 * runs for every connection of this process), to read its settings back and
 * to cap its size. */
static sqlite3 *last_db;

static int
catch_db(sqlite3 *db, char **err, const struct sqlite3_api_routines *api)
{
	(void)err;
	(void)api;
	last_db = db;
	return SQLITE_OK;
}

static long long
db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
exists_msg(struct queue *q, const char *id)
{
	struct queue_msg m;
	gw_rc rc = q->ops->get(q, id, &m);
	if (rc == GW_OK)
		queue_msg_free(&m);
	return rc == GW_OK;
}

static void
test_enqueue_replay_and_records(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg m[3];
	size_t dups = 99;
	mk(&m[0], "C-1", 1, "dimona-in", "{\"a\":1}");
	mk(&m[1], "C-2", 1, "dimona-in", "{\"a\":2}");
	mk(&m[2], "C-3", 1, "dimona-in", "{\"a\":3}");
	assert_int_equal(queue_enqueue(q, m, 3, &dups), GW_OK);
	assert_int_equal(dups, 0);
	assert_true(m[0].id[0] != '\0');
	assert_string_not_equal(m[0].id, m[1].id);

	/* The same message again: a duplicate, nothing new. */
	struct queue_msg again;
	mk(&again, "C-1", 1, "dimona-in", "{\"a\":1}");
	assert_int_equal(queue_enqueue(q, &again, 1, &dups), GW_OK);
	assert_int_equal(dups, 1);
	assert_string_equal(again.id, m[0].id);        /* stable id */
	/* One "created" event, written with the message (PostgreSQL writes
	 * both in one statement), none for the duplicate. */
	struct queue_event *ev = NULL;
	size_t ne = 0;
	assert_int_equal(q->ops->history(q, m[0].id, &ev, &ne), GW_OK);
	assert_int_equal(ne, 1);
	assert_string_equal(ev[0].what, "created");
	assert_string_equal(ev[0].actor, "intake");
	assert_string_equal(ev[0].why, "dimona-in revision 1 taken in");
	assert_int_equal(ev[0].from, QS_PENDING);
	assert_int_equal(ev[0].to, QS_PENDING);
	assert_true(ev[0].at_ms == m[0].created_ms);
	free(ev);
	struct queue_msg held;
	mk(&held, "C-H", 1, "dimona-in", NULL);
	held.state = QS_HELD;
	assert_int_equal(queue_enqueue(q, &held, 1, &dups), GW_OK);
	assert_int_equal(dups, 0);
	assert_int_equal(q->ops->history(q, held.id, &ev, &ne), GW_OK);
	assert_int_equal(ne, 1);
	assert_int_equal(ev[0].from, QS_HELD);
	assert_int_equal(ev[0].to, QS_HELD);
	free(ev);

	/* Revision 3 arrives, then revision 2 late: the late one changes
	 * nothing (the record store's unit of work: messages with the
	 * revisions their payloads carry). */
	struct queue_msg r3, r2;
	unsigned char d[1] = { 9 };
	mk(&r3, "C-1", 3, "dimona-update", "{\"a\":13}");
	assert_int_equal(store_enqueue(q, &r3, 1, d), GW_OK);
	assert_int_equal(d[0], 0);
	mk(&r2, "C-1", 2, "dimona-update", "{\"a\":12}");
	d[0] = 9;
	assert_int_equal(store_enqueue(q, &r2, 1, d), GW_OK);
	assert_int_equal(d[0], 1);
	uint32_t rev = 0;
	char hash[65], want[65];
	assert_int_equal(store_record_get(q, "C-1", &rev, hash), GW_OK);
	assert_int_equal(rev, 3);
	queue_sha256_hex("{\"a\":13}", 8, want);
	assert_string_equal(hash, want);
	assert_int_equal(store_record_get(q, "C-404", &rev, hash), GW_ENOTFOUND);

	struct queue_msg *list;
	size_t n;
	assert_int_equal(queue_by_record(q, "C-1", &list, &n), GW_OK);
	assert_int_equal(n, 2);                         /* rev 1 IN, rev 3 update; no rev 2 */
	assert_int_equal(list[0].revision, 3);
	assert_string_equal(list[0].payload, "{\"a\":13}");
	assert_int_equal(list[1].revision, 1);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&list[i]);
	free(list);

	/* A message is born pending or held, never elsewhere. */
	struct queue_msg bad;
	mk(&bad, "C-9", 1, "dimona-in", NULL);
	bad.state = QS_SENT;
	assert_int_equal(queue_enqueue(q, &bad, 1, &dups), GW_EINPUT);
	mk(&bad, "", 1, "dimona-in", NULL);
	assert_int_equal(queue_enqueue(q, &bad, 1, &dups), GW_EINPUT);

	/* Durable: visible after reopening. */
	q->ops->close(q);
	q = open_q();
	struct queue_msg got;
	assert_int_equal(q->ops->get(q, m[1].id, &got), GW_OK);
	assert_string_equal(got.record_id, "C-2");
	assert_int_equal(got.state, QS_PENDING);
	queue_msg_free(&got);
	char err[128];
	assert_int_equal(q->ops->check(q, err, sizeof err), GW_OK);
	assert_string_equal(err, "ok");
	q->ops->close(q);
}

/* The helpers over the backend's core (queue/helpers.c): update and
 * add_event reach a message whatever its state (held included), a
 * transition to the same state is refused rather than taken as a note,
 * by_record lists newest first and, within one revision, the last
 * written first (an IN after its CANCEL). */
static void
test_helpers_over_core(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg m[3], got, *l = NULL;
	struct queue_event *ev = NULL;
	size_t n = 0, nev = 0;
	mk(&m[0], "H-1", 1, "dimona-in", "{\"a\":1}");
	mk(&m[1], "H-1", 2, "dimona-cancel", "{\"a\":1}");
	mk(&m[2], "H-1", 2, "dimona-in", "{\"a\":2}");
	assert_int_equal(queue_enqueue(q, m, 3, NULL), GW_OK);
	assert_int_equal(queue_transition(q, m[0].id, QS_PENDING, QS_HELD, "op", "stop"), GW_OK);
	assert_int_equal(queue_transition(q, m[0].id, QS_HELD, QS_HELD, "op", "again"), GW_ESTATE);
	assert_int_equal(queue_transition(q, m[0].id, QS_PENDING, QS_HELD, "op", "twice"),
	    GW_ESTATE);
	assert_int_equal(q->ops->get(q, m[0].id, &got), GW_OK);
	snprintf(got.last_error, sizeof got.last_error, "noted while held");
	assert_int_equal(queue_update(q, &got), GW_OK);
	queue_msg_free(&got);
	struct queue_event e = { .from = QS_HELD, .to = QS_HELD };
	snprintf(e.actor, sizeof e.actor, "operator:x");
	snprintf(e.what, sizeof e.what, "note");
	snprintf(e.why, sizeof e.why, "checked");
	assert_int_equal(queue_add_event(q, m[0].id, &e), GW_OK);
	assert_int_equal(q->ops->get(q, m[0].id, &got), GW_OK);
	assert_int_equal(got.state, QS_HELD);
	assert_string_equal(got.last_error, "noted while held");
	queue_msg_free(&got);
	assert_int_equal(q->ops->history(q, m[0].id, &ev, &nev), GW_OK);
	assert_true(nev >= 2);
	assert_string_equal(ev[nev - 1].what, "note");
	assert_string_equal(ev[nev - 1].actor, "operator:x");
	assert_int_equal(ev[nev - 1].from, QS_HELD);
	free(ev);
	struct queue_msg nobody;
	mk(&nobody, "H-9", 1, "dimona-in", NULL);
	snprintf(nobody.id, sizeof nobody.id, "no-such-id");
	assert_int_equal(queue_update(q, &nobody), GW_ENOTFOUND);
	assert_int_equal(queue_by_record(q, "H-1", &l, &n), GW_OK);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].id, m[2].id);          /* rev 2, written last */
	assert_string_equal(l[1].id, m[1].id);
	assert_string_equal(l[2].id, m[0].id);
	assert_non_null(l[0].payload);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
	q->ops->close(q);
}

static void
test_claim_due_history_stats(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg m[4];
	int64_t now = queue_now_ms();
	for (int i = 0; i < 4; i++) {
		char rid[16];
		snprintf(rid, sizeof rid, "K-%d", i);
		mk(&m[i], rid, 1, "dimona-in", NULL);
		m[i].next_attempt_ms = i < 3 ? now - 1000 + i : now + 3600000;   /* last not due */
	}
	snprintf(m[3].channel, sizeof m[3].channel, "peppol-as4");
	m[3].next_attempt_ms = now - 5000;                /* due, but another channel */
	assert_int_equal(queue_enqueue(q, m, 4, NULL), GW_OK);
	struct queue_msg out[8];
	size_t n = 0;
	assert_int_equal(q->ops->claim(q, "dimona-rest", QS_PENDING, QS_BUILDING, "w1", 0, now, 2,
	    out, &n), GW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].record_id, "K-0");     /* oldest due first */
	assert_string_equal(out[1].record_id, "K-1");
	assert_int_equal(out[0].state, QS_BUILDING);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&out[i]);
	/* An illegal claim is refused outright. */
	assert_int_equal(q->ops->claim(q, NULL, QS_PENDING, QS_SENT, "w1", 0, now, 2, out, &n),
	    GW_ESTATE);

	/* Fields and state move together; a refused move writes no field. */
	struct queue_msg g;
	assert_int_equal(q->ops->get(q, m[0].id, &g), GW_OK);
	snprintf(g.remote_ref, sizeof g.remote_ref, "DECL-1");
	assert_int_equal(queue_update_transition(q, &g, QS_PENDING, QS_HELD, "t", "x"), GW_ESTATE);
	queue_msg_free(&g);
	assert_int_equal(q->ops->get(q, m[0].id, &g), GW_OK);
	assert_string_equal(g.remote_ref, "");
	g.body = strdup("BYTES");
	g.body_len = 5;
	assert_int_equal(queue_update_transition(q, &g, QS_BUILDING, QS_READY, "runner", "built"),
	    GW_OK);
	queue_msg_free(&g);
	assert_int_equal(q->ops->get(q, m[0].id, &g), GW_OK);
	assert_int_equal(g.state, QS_READY);
	assert_memory_equal(g.body, "BYTES", 5);
	queue_msg_free(&g);

	struct queue_event ev = { .actor = "onss", .from = QS_READY, .to = QS_READY,
	    .what = "note", .why = "a note" };
	assert_int_equal(queue_add_event(q, m[0].id, &ev), GW_OK);
	assert_int_equal(queue_add_event(q, "nope", &ev), GW_ENOTFOUND);
	struct queue_event *evs;
	size_t ne;
	assert_int_equal(q->ops->history(q, m[0].id, &evs, &ne), GW_OK);
	assert_int_equal(ne, 4);                          /* created, claimed, built, note */
	assert_string_equal(evs[0].what, "created");
	assert_string_equal(evs[0].actor, "intake");
	assert_int_equal(evs[1].from, QS_PENDING);
	assert_int_equal(evs[1].to, QS_BUILDING);
	assert_string_equal(evs[2].why, "built");
	assert_string_equal(evs[3].why, "a note");
	free(evs);

	struct queue_stats st;
	assert_int_equal(q->ops->stats(q, NULL, &st), GW_OK);
	assert_int_equal(st.count[QS_PENDING], 2);
	assert_int_equal(st.count[QS_BUILDING], 1);
	assert_int_equal(st.count[QS_READY], 1);
	assert_true(st.oldest_pending_ms > 0);
	assert_int_equal(q->ops->stats(q, "peppol-as4", &st), GW_OK);
	assert_int_equal(st.count[QS_PENDING], 1);
	assert_int_equal(st.count[QS_READY], 0);

	struct queue_filter f = { .state = QS_PENDING, .channel = "dimona-rest" };
	struct queue_msg *l;
	size_t nl;
	assert_int_equal(q->ops->list(q, &f, &l, &nl), GW_OK);
	assert_int_equal(nl, 1);
	assert_string_equal(l[0].record_id, "K-2");
	queue_msg_free(&l[0]);
	free(l);

	uint64_t s1, s2;
	assert_int_equal(q->ops->next_seq(q, "dimn", &s1), GW_OK);
	assert_int_equal(q->ops->next_seq(q, "dimn", &s2), GW_OK);
	assert_int_equal(s2, s1 + 1);
	q->ops->close(q);
}

static void
test_recovery(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg m[3], g;
	mk(&m[0], "B-1", 1, "dimona-in", NULL);
	mk(&m[1], "S-1", 1, "dimona-in", NULL);
	mk(&m[2], "P-1", 1, "dimona-in", NULL);
	assert_int_equal(queue_enqueue(q, m, 3, NULL), GW_OK);
	/* B-1 half built, S-1 in flight with a counted attempt. */
	assert_int_equal(queue_transition(q, m[0].id, QS_PENDING, QS_BUILDING, "t", ""), GW_OK);
	assert_int_equal(q->ops->get(q, m[0].id, &g), GW_OK);
	g.body = strdup("half");
	g.body_len = 4;
	assert_int_equal(queue_update(q, &g), GW_OK);
	queue_msg_free(&g);
	assert_int_equal(queue_transition(q, m[1].id, QS_PENDING, QS_BUILDING, "t", ""), GW_OK);
	assert_int_equal(queue_transition(q, m[1].id, QS_BUILDING, QS_READY, "t", ""), GW_OK);
	assert_int_equal(queue_transition(q, m[1].id, QS_READY, QS_SENDING, "t", ""), GW_OK);
	assert_int_equal(q->ops->get(q, m[1].id, &g), GW_OK);
	g.attempts = 1;
	assert_int_equal(queue_update(q, &g), GW_OK);
	queue_msg_free(&g);
	q->ops->close(q);                                  /* "crash" */

	q = open_q();
	size_t nb, ns;
	/* Both still under the live lease of "t" (the moves leased them to
	 * their actor): a takeover leaves them alone ... */
	assert_int_equal(q->ops->recover(q, "recovery", NULL, queue_now_ms(), &nb, &ns), GW_OK);
	assert_int_equal(nb + ns, 0);
	/* ... until "t" is known dead (a restart of the same worker). */
	assert_int_equal(q->ops->recover(q, "recovery", "t", queue_now_ms(), &nb, &ns), GW_OK);
	assert_int_equal(nb, 1);
	assert_int_equal(ns, 1);
	assert_int_equal(q->ops->get(q, m[0].id, &g), GW_OK);
	assert_int_equal(g.state, QS_PENDING);
	assert_null(g.body);                               /* half-built bytes discarded */
	queue_msg_free(&g);
	assert_int_equal(q->ops->get(q, m[1].id, &g), GW_OK);
	assert_int_equal(g.state, QS_READY);
	assert_int_equal(g.attempts, 1);                   /* the runner will look it up first */
	queue_msg_free(&g);
	assert_int_equal(q->ops->get(q, m[2].id, &g), GW_OK);
	assert_int_equal(g.state, QS_PENDING);             /* untouched */
	queue_msg_free(&g);
	struct queue_event *evs;
	size_t ne;
	assert_int_equal(q->ops->history(q, m[1].id, &evs, &ne), GW_OK);
	assert_non_null(strstr(evs[ne - 1].why, "outcome unknown"));
	assert_string_equal(evs[ne - 1].actor, "recovery");
	free(evs);
	/* Nothing left to recover. */
	assert_int_equal(q->ops->recover(q, "recovery", "t", queue_now_ms(), &nb, &ns), GW_OK);
	assert_int_equal(nb + ns, 0);
	q->ops->close(q);
}

static void
test_disk_nearly_full_refuses_intake(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	struct queue *q = open_q();
	struct queue_msg m, g;
	mk(&m, "D-1", 1, "dimona-in", "{}");
	assert_int_equal(queue_enqueue(q, &m, 1, NULL), GW_OK);
	/* Ask for more free space than any test machine has. */
	config_set(gw_cfg, "queue.min_free_mb", "999999999999");
	struct queue_msg m2;
	mk(&m2, "D-2", 1, "dimona-in", "{}");
	assert_int_equal(queue_enqueue(q, &m2, 1, NULL), GW_ETEMP);
	/* Nothing of D-2 was written: not under the id it would have had, not
	 * under any id of its record, and its revision is not noted. */
	char would[QUEUE_ID_MAX + 1];
	queue_make_id(would, "D-2", 1, "dimona-in");
	assert_int_equal(q->ops->get(q, would, &g), GW_ENOTFOUND);
	struct queue_filter f = { .state = -1, .record_id = "D-2" };
	struct queue_msg *found = NULL;
	size_t nfound = 99;
	assert_int_equal(q->ops->list(q, &f, &found, &nfound), GW_OK);
	assert_int_equal(nfound, 0);
	free(found);
	uint32_t rev = 0;
	assert_int_equal(store_record_get(q, "D-2", &rev, NULL), GW_ENOTFOUND);
	/* ...while what is queued is still served. */
	assert_int_equal(queue_transition(q, m.id, QS_PENDING, QS_BUILDING, "runner", ""), GW_OK);
	config_set(gw_cfg, "queue.min_free_mb", "1");
	assert_int_equal(queue_enqueue(q, &m2, 1, NULL), GW_OK);
	q->ops->close(q);
}

struct producer {
	struct queue_group *g;
	int id, n;
	int ok;
};

static void *
produce(void *arg)
{
	struct producer *p = arg;
	for (int i = 0; i < p->n; i++) {
		struct queue_msg m;
		char rid[32], payload[64];
		snprintf(rid, sizeof rid, "G-%d-%d", p->id, i);
		snprintf(payload, sizeof payload, "{\"p\":%d,\"i\":%d}", p->id, i);
		mk(&m, rid, 1, "dimona-in", payload);
		unsigned char d = 9;
		if (queue_group_submit(p->g, &m, 1, &d) == GW_OK && d == 0 && m.id[0] != '\0')
			p->ok++;
	}
	return NULL;
}

static void
test_group_commit(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_group *g;
	assert_int_equal(queue_group_start(&g, q, 500), GW_OK);
	enum { P = 8, N = 200 };
	struct producer ps[P];
	pthread_t th[P];
	for (int i = 0; i < P; i++) {
		ps[i] = (struct producer){ .g = g, .id = i, .n = N };
		assert_int_equal(pthread_create(&th[i], NULL, produce, &ps[i]), 0);
	}
	for (int i = 0; i < P; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ps[i].ok, N);               /* each one acknowledged, after commit */
	}
	unsigned long commits = queue_group_commits(g);
	assert_true(commits >= 1);
	assert_true(commits <= (unsigned long)P * N);
	/* A bad request fails alone; the good one in the same group passes. */
	struct queue_msg bad;
	mk(&bad, "G-bad", 1, "dimona-in", NULL);
	bad.state = QS_ACCEPTED;
	assert_int_equal(queue_group_submit(g, &bad, 1, NULL), GW_EINPUT);
	queue_group_stop(g);
	struct queue_stats st;
	assert_int_equal(q->ops->stats(q, NULL, &st), GW_OK);
	assert_int_equal(st.count[QS_PENDING], P * N);
	q->ops->close(q);
}

/* Count events of id whose what is `what`. */
static size_t
count_events(struct queue *q, const char *id, const char *what)
{
	struct queue_event *ev = NULL;
	size_t n = 0, k = 0;
	assert_int_equal(q->ops->history(q, id, &ev, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		k += strcmp(ev[i].what, what) == 0;
	free(ev);
	return k;
}

static enum queue_state
state_of(struct queue *q, const char *id)
{
	return tq_state_of(q, id, NULL);
}

static void
test_move_many(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg m[5];
	char rid[16];
	for (int i = 0; i < 5; i++) {
		snprintf(rid, sizeof rid, "B-%d", i);
		mk(&m[i], rid, 1, "dimona-in", NULL);
		m[i].state = QS_HELD;
	}
	m[4].state = QS_PENDING;
	assert_int_equal(q->ops->enqueue_each(q, m, 5, NULL), GW_OK);
	/* Valid held -> cancelled moves, a refused one (4 is pending, not held),
	 * one the table refuses (held -> sent), an unknown id, a fields write. */
	struct queue_msg f = m[3];
	snprintf(f.remote_ref2, sizeof f.remote_ref2, "FI.X.1");
	struct queue_move mv[7] = {
		{ .id = m[0].id, .from = QS_HELD, .to = QS_CANCELLED, .why = "bulk 0" },
		{ .id = m[4].id, .from = QS_HELD, .to = QS_CANCELLED, .why = "stale" },
		{ .id = m[1].id, .from = QS_HELD, .to = QS_CANCELLED, .why = "bulk 1" },
		{ .id = m[2].id, .from = QS_HELD, .to = QS_SENT, .why = "illegal" },
		{ .id = "no-such-id", .from = QS_HELD, .to = QS_CANCELLED, .why = "ghost" },
		{ .id = m[3].id, .fields = &f, .from = QS_HELD, .to = QS_HELD, .what = "note",
		  .why = "named" },
		{ .id = m[2].id, .from = QS_HELD, .to = QS_PENDING, .why = "released" },
	};
	size_t done = 99;
	assert_int_equal(q->ops->move_many(q, mv, 7, "test", &done), GW_OK);
	assert_int_equal(done, 4);
	assert_int_equal(mv[0].rc, GW_OK);
	assert_int_equal(mv[1].rc, GW_ESTATE);
	assert_int_equal(mv[2].rc, GW_OK);
	assert_int_equal(mv[3].rc, GW_ESTATE);
	assert_int_equal(mv[4].rc, GW_ENOTFOUND);
	assert_int_equal(mv[5].rc, GW_OK);
	assert_int_equal(mv[6].rc, GW_OK);
	assert_int_equal(state_of(q, m[0].id), QS_CANCELLED);
	assert_int_equal(state_of(q, m[1].id), QS_CANCELLED);
	assert_int_equal(state_of(q, m[2].id), QS_PENDING);   /* the later, legal step */
	assert_int_equal(state_of(q, m[3].id), QS_HELD);
	assert_int_equal(state_of(q, m[4].id), QS_PENDING);   /* refused: unchanged */
	/* Each applied step has its event, refused ones none. */
	assert_int_equal(count_events(q, m[0].id, "transition"), 1);
	assert_int_equal(count_events(q, m[1].id, "transition"), 1);
	assert_int_equal(count_events(q, m[2].id, "transition"), 1);
	assert_int_equal(count_events(q, m[4].id, "transition"), 0);
	assert_int_equal(count_events(q, m[3].id, "note"), 1);
	struct queue_event *ev = NULL;
	size_t nev = 0;
	assert_int_equal(q->ops->history(q, m[0].id, &ev, &nev), GW_OK);
	assert_int_equal(nev, 2);
	assert_string_equal(ev[1].actor, "test");
	assert_string_equal(ev[1].why, "bulk 0");
	assert_int_equal(ev[1].from, QS_HELD);
	assert_int_equal(ev[1].to, QS_CANCELLED);
	free(ev);
	struct queue_msg g;
	assert_int_equal(q->ops->get(q, m[3].id, &g), GW_OK);
	assert_string_equal(g.remote_ref2, "FI.X.1");
	queue_msg_free(&g);
	/* The fallback for backends without move_many gives the same reports. */
	struct queue_move again = { .id = m[0].id, .from = QS_HELD, .to = QS_CANCELLED };
	assert_int_equal(queue_move_many(q, &again, 1, "test", &done), GW_OK);
	assert_int_equal(again.rc, GW_ESTATE);
	assert_int_equal(done, 0);
	q->ops->close(q);
}

/* A failure mid-way (here a trigger makes the storage refuse the 3rd step's
 * write, as a full disk or an I/O error would) leaves nothing of the call. */
static void
test_move_many_all_or_nothing_on_failure(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg m[4];
	char rid[16];
	for (int i = 0; i < 4; i++) {
		snprintf(rid, sizeof rid, "F-%d", i);
		mk(&m[i], rid, 1, "dimona-in", NULL);
	}
	assert_int_equal(q->ops->enqueue_each(q, m, 4, NULL), GW_OK);
	assert_int_equal(tb_fail_updates_of(dbpath, m[2].id), 0);
	struct queue_move mv[4];
	memset(mv, 0, sizeof mv);
	for (int i = 0; i < 4; i++) {
		mv[i].id = m[i].id;
		mv[i].from = QS_PENDING;
		mv[i].to = QS_HELD;
		mv[i].why = "all or nothing";
	}
	size_t done = 99;
	gw_rc rc = q->ops->move_many(q, mv, 4, "test", &done);
	assert_int_not_equal(rc, GW_OK);
	assert_int_equal(done, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(state_of(q, m[i].id), QS_PENDING);
		assert_int_equal(count_events(q, m[i].id, "transition"), 0);
	}
	/* Without the failure the same call goes through whole. */
	assert_int_equal(tb_fail_updates_of(dbpath, NULL), 0);
	assert_int_equal(q->ops->move_many(q, mv, 4, "test", &done), GW_OK);
	assert_int_equal(done, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(state_of(q, m[i].id), QS_HELD);
	/* A caller's bug (no id) mid-way also undoes the steps before it. */
	mv[0].from = mv[1].from = QS_HELD;
	mv[0].to = mv[1].to = QS_PENDING;
	mv[1].id = NULL;
	assert_int_equal(q->ops->move_many(q, mv, 2, "test", &done), GW_EINPUT);
	assert_int_equal(state_of(q, m[0].id), QS_HELD);
	q->ops->close(q);
}

/* SQLITE_FULL in the middle of an intake transaction (the queue's connection
 * capped a few pages above its size): a temporary failure, none of the batch
 * kept, what was committed before intact, and the same batch goes in once
 * there is room again. */
static void
test_full_database_mid_transaction(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	assert_int_equal(sqlite3_auto_extension((void (*)(void))catch_db), SQLITE_OK);
	last_db = NULL;
	struct queue *q = open_q();
	sqlite3 *db = last_db;
	assert_non_null(db);
	struct queue_msg first, m[20];
	mk(&first, "FULL-0", 1, "dimona-in", NULL);
	assert_int_equal(queue_enqueue(q, &first, 1, NULL), GW_OK);
	static char body[4000];
	memset(body, 'x', sizeof body);
	char rid[16], sql[96];
	for (int i = 0; i < 20; i++) {
		snprintf(rid, sizeof rid, "FULL-%d", i + 1);
		mk(&m[i], rid, 1, "dimona-in", NULL);
		m[i].body = body;
		m[i].body_len = sizeof body;
	}
	long long pages = db_int(db, "PRAGMA page_count");
	snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", pages + 4);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(queue_enqueue(q, m, 20, NULL), GW_ETEMP);
	for (int i = 0; i < 20; i++)
		assert_false(exists_msg(q, m[i].id));          /* rolled back whole */
	assert_int_equal(state_of(q, first.id), QS_PENDING);
	assert_int_equal(count_events(q, first.id, "created"), 1);
	/* The connection stays usable: a small write still fits. */
	assert_int_equal(queue_transition(q, first.id, QS_PENDING, QS_HELD, "test", "still works"),
	    GW_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count=1073741823", NULL, NULL, NULL),
	    SQLITE_OK);
	size_t dups = 99;
	assert_int_equal(queue_enqueue(q, m, 20, &dups), GW_OK);
	assert_int_equal(dups, 0);
	for (int i = 0; i < 20; i++)
		assert_true(exists_msg(q, m[i].id));
	char err[256];
	assert_int_equal(q->ops->check(q, err, sizeof err), GW_OK);
	q->ops->close(q);
	sqlite3_cancel_auto_extension((void (*)(void))catch_db);
}

/* Another writer holds the write lock past busy_timeout_ms: intake, claims
 * and transitions give a temporary failure and change nothing; once the lock
 * is released the same calls go through. BEGIN IMMEDIATE takes the lock
 * first, so BUSY can only come before a transaction's first write. */
static void
test_busy_database_is_temporary(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	config_set(gw_cfg, "queue.busy_timeout_ms", "50");
	struct queue *q = open_q();
	struct queue_msg a, b;
	mk(&a, "BUSY-1", 1, "dimona-in", NULL);
	assert_int_equal(queue_enqueue(q, &a, 1, NULL), GW_OK);
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(dbpath, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	mk(&b, "BUSY-2", 1, "dimona-in", NULL);
	assert_int_equal(queue_enqueue(q, &b, 1, NULL), GW_ETEMP);
	assert_int_equal(queue_transition(q, a.id, QS_PENDING, QS_HELD, "test", "busy"), GW_ETEMP);
	struct queue_msg got[4];
	size_t n = 99;
	assert_int_equal(q->ops->claim(q, "dimona-rest", QS_PENDING, QS_BUILDING, "w1", 0,
	    queue_now_ms(), 4, got, &n), GW_ETEMP);
	/* Reads still work while a writer holds the lock (WAL). */
	assert_int_equal(state_of(q, a.id), QS_PENDING);
	assert_false(exists_msg(q, b.id));
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(queue_enqueue(q, &b, 1, NULL), GW_OK);
	assert_true(exists_msg(q, b.id));
	assert_int_equal(queue_transition(q, a.id, QS_PENDING, QS_HELD, "test", "free"), GW_OK);
	q->ops->close(q);
}

/* WAL and synchronous=FULL are set and read back on every open: an existing
 * file switched back to a rollback journal is put in WAL again, the queue's
 * own connection runs synchronous=FULL, and a store that cannot do WAL is
 * refused with the reason. */
static void
test_durability_settings_on_every_open(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	assert_int_equal(sqlite3_auto_extension((void (*)(void))catch_db), SQLITE_OK);
	struct queue *q = open_q();
	assert_int_equal(db_int(last_db, "PRAGMA synchronous"), 2);
	q->ops->close(q);
	sqlite3 *db = NULL;
	char mode[16] = "";
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	last_db = NULL;
	q = open_q();
	assert_non_null(last_db);
	assert_int_equal(db_int(last_db, "PRAGMA synchronous"), 2);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(last_db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_string_equal(mode, "wal");
	q->ops->close(q);
	sqlite3_cancel_auto_extension((void (*)(void))catch_db);
	/* An in-memory store has no WAL: refused, not run without it. */
	char err[256] = "";
	assert_int_equal(queue_sqlite_ops.open(&q, ":memory:", err, sizeof err), GW_EIO);
	assert_null(q);
	assert_non_null(strstr(err, "cannot switch to WAL (journal_mode=memory)"));
}

/* Every refusal of open names the queue and why: a parent that cannot be
 * created, a schema newer than this gateway (never downgraded); the
 * "sqlite:" prefix of a DSN is accepted. */
static void
test_open_refusals(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	struct queue *q;
	char err[512] = "", path[256], dsn[300];
	snprintf(path, sizeof path, "%s/plainfile", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(dsn, sizeof dsn, "%s/plainfile/sub/q.db", dir);
	assert_int_equal(queue_sqlite_ops.open(&q, dsn, err, sizeof err), GW_EIO);
	assert_null(q);
	assert_non_null(strstr(err, "cannot create"));
	assert_non_null(strstr(err, "plainfile/sub"));
	/* A file where the database should be is not a database: refused. */
	snprintf(dsn, sizeof dsn, "%s/plainfile", dir);
	f = fopen(dsn, "w");
	assert_non_null(f);
	fputs("not a database, but long enough to have a header of sorts.............", f);
	fclose(f);
	err[0] = '\0';
	assert_int_not_equal(queue_sqlite_ops.open(&q, dsn, err, sizeof err), GW_OK);
	assert_null(q);
	assert_non_null(strstr(err, "plainfile"));

	snprintf(dsn, sizeof dsn, "sqlite:%s", dbpath);
	assert_int_equal(queue_sqlite_ops.open(&q, dsn, err, sizeof err), GW_OK);
	q->ops->close(q);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	err[0] = '\0';
	assert_int_equal(queue_sqlite_ops.open(&q, dbpath, err, sizeof err), GW_ECONFIG);
	assert_non_null(strstr(err, "schema version 99 is newer than this gateway"));
}

/* The queue and its -wal and -shm files hold INSS numbers and names: never
 * open to others, even under a 022 umask; an old world-readable queue is
 * tightened when opened. */
static void
test_files_private(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	mode_t old_umask = umask(022);
	struct queue *q = open_q();
	struct queue_msg m;
	mk(&m, "C-PRIV", 1, "dimona-in", "{\"worker_inss\":\"85073003328\"}");
	size_t dups = 0;
	assert_int_equal(queue_enqueue(q, &m, 1, &dups), GW_OK);
	static const char *const side[] = { "", "-wal", "-shm" };
	char p[300];
	struct stat st;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, side[i]);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0007, 0);
	}
	q->ops->close(q);
	assert_int_equal(chmod(dbpath, 0644), 0);
	q = open_q();
	assert_int_equal(stat(dbpath, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	q->ops->close(q);
	umask(old_umask);
	/* An in-memory queue (refused for want of WAL) leaves no file behind. */
	char err[256];
	assert_int_not_equal(queue_sqlite_ops.open(&q, ":memory:", err, sizeof err), GW_OK);
	assert_int_equal(access(":memory:", F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enqueue_replay_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_due_history_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helpers_over_core, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_nearly_full_refuses_intake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_many_all_or_nothing_on_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_database_mid_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_database_is_temporary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_durability_settings_on_every_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

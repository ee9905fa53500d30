/* test_queue_lease.c - the leases of the outbox (queue.h): a claim leases
 * what it moves into building or sending to its worker; a live lease is
 * never taken over, an expired one is (building -> pending, sending ->
 * ready with its attempt counted, so the channel looks up before any
 * re-send), and so is a dead worker's at once; renew keeps a lease alive;
 * two claimers (two processes on one file) never get the same message; a
 * named lease has one holder at a time; a version 1 file migrates with its
 * in-flight rows ownerless. Written over the operations only (but the
 * migration case), so another backend can run the same cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "queue/queue.h"
#include "test_backend.h"

static char dir[64], dbpath[128];
static const int64_t T0 = 1790000000000;          /* the tests' own clock, ms */
static const int64_t LEASE = 60000;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gwleaseXXXXXX");
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
	assert_int_equal(tb_open(&q, dbpath, err, sizeof err), GW_OK);
	return q;
}

/* n pending messages of dimona-rest, due at T0, ids into ids[i]. */
static void
add_n(struct queue *q, const char *prefix, size_t n, char ids[][QUEUE_ID_MAX + 1])
{
	for (size_t i = 0; i < n; i++) {
		struct queue_msg m;
		memset(&m, 0, sizeof m);
		snprintf(m.record_id, sizeof m.record_id, "%s-%zu", prefix, i);
		m.revision = 1;
		snprintf(m.kind, sizeof m.kind, "dimona-in");
		snprintf(m.channel, sizeof m.channel, "dimona-rest");
		m.state = QS_PENDING;
		m.next_attempt_ms = T0 - 1000;
		assert_int_equal(queue_enqueue(q, &m, 1, NULL), GW_OK);
		if (ids != NULL)
			snprintf(ids[i], QUEUE_ID_MAX + 1, "%s", m.id);
	}
}

static struct queue_msg
get(struct queue *q, const char *id)
{
	struct queue_msg m;
	assert_int_equal(q->ops->get(q, id, &m), GW_OK);
	queue_msg_free(&m);
	return m;
}

/* The last event of id says why. */
static int
last_why_has(struct queue *q, const char *id, const char *needle)
{
	struct queue_event *evs;
	size_t n;
	assert_int_equal(q->ops->history(q, id, &evs, &n), GW_OK);
	int has = n > 0 && strstr(evs[n - 1].why, needle) != NULL;
	free(evs);
	return has;
}

/* Claim from -> to as owner at now; returns how many, ids into out. */
static size_t
claim(struct queue *q, enum queue_state from, enum queue_state to, const char *owner,
      int64_t now, size_t max, struct queue_msg *out)
{
	size_t n = 0;
	assert_int_equal(q->ops->claim(q, "dimona-rest", from, to, owner, LEASE, now, max, out, &n),
	    GW_OK);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&out[i]);
	return n;
}

/* A claim writes owner and expiry with the move; a live lease is not taken
 * over, an expired one is, with the counted attempt as the lookup marker;
 * moving out of building/sending clears the lease. */
static void
test_live_kept_expired_taken(void **state)
{
	(void)state;
	struct queue *q = open_q();
	char ids[3][QUEUE_ID_MAX + 1];
	struct queue_msg out[4];
	size_t nb, ns;
	add_n(q, "L", 3, ids);
	/* w1 builds two of them, then sends one. */
	assert_int_equal(claim(q, QS_PENDING, QS_BUILDING, "w1", T0, 2, out), 2);
	assert_string_equal(out[0].lease_owner, "w1");
	assert_true(out[0].lease_until_ms == T0 + LEASE);
	struct queue_msg m = get(q, ids[0]);
	assert_string_equal(m.lease_owner, "w1");
	assert_true(m.lease_until_ms == T0 + LEASE);
	assert_int_equal(queue_transition(q, ids[0], QS_BUILDING, QS_READY, "runner", "built"), GW_OK);
	m = get(q, ids[0]);
	assert_string_equal(m.lease_owner, "");              /* out of building: no lease */
	assert_true(m.lease_until_ms == 0);
	assert_int_equal(claim(q, QS_READY, QS_SENDING, "w1", T0 + 10, 1, out), 1);
	assert_int_equal(out[0].attempts, 1);
	/* Another worker's takeover while w1's leases live: nothing moves. */
	assert_int_equal(q->ops->recover(q, "recovery", NULL, T0 + LEASE - 1, &nb, &ns), GW_OK);
	assert_int_equal(nb + ns, 0);
	assert_int_equal(get(q, ids[0]).state, QS_SENDING);
	assert_int_equal(get(q, ids[1]).state, QS_BUILDING);
	/* Nor can it claim them: they are not in the claimed-from states. */
	assert_int_equal(claim(q, QS_READY, QS_SENDING, "w2", T0 + 20, 4, out), 0);
	/* w1 dies; its leases expire: building -> pending, sending -> ready,
	 * the attempt still counted (the runner looks up before re-sending). */
	assert_int_equal(q->ops->recover(q, "recovery", NULL, T0 + LEASE + 10, &nb, &ns), GW_OK);
	assert_int_equal(nb, 1);
	assert_int_equal(ns, 1);
	m = get(q, ids[0]);
	assert_int_equal(m.state, QS_READY);
	assert_int_equal(m.attempts, 1);
	assert_string_equal(m.lease_owner, "");
	assert_true(last_why_has(q, ids[0], "outcome unknown"));
	assert_true(last_why_has(q, ids[0], "lease of w1, expired"));
	m = get(q, ids[1]);
	assert_int_equal(m.state, QS_PENDING);
	assert_true(last_why_has(q, ids[1], "half-built"));
	assert_int_equal(get(q, ids[2]).state, QS_PENDING);  /* never claimed: untouched */
	/* w2 claims it now; the claim counts attempt 2. */
	assert_int_equal(claim(q, QS_READY, QS_SENDING, "w2", T0 + LEASE + 20, 4, out), 1);
	m = get(q, ids[0]);
	assert_int_equal(m.attempts, 2);
	assert_string_equal(m.lease_owner, "w2");
	q->ops->close(q);
}

/* A worker known dead (its own previous life, a dead local process) is
 * taken over at once, and only that worker; renew keeps a lease alive past
 * its first expiry; a plain transition into sending leases to its actor. */
static void
test_dead_owner_and_renew(void **state)
{
	(void)state;
	struct queue *q = open_q();
	char ids[3][QUEUE_ID_MAX + 1];
	struct queue_msg out[4];
	size_t nb, ns, n = 0;
	add_n(q, "D", 3, ids);
	assert_int_equal(claim(q, QS_PENDING, QS_BUILDING, "w1", T0, 1, out), 1);
	assert_int_equal(claim(q, QS_PENDING, QS_BUILDING, "w2", T0, 1, out), 1);
	assert_int_equal(queue_transition(q, ids[2], QS_PENDING, QS_BUILDING, "operator:bob", ""),
	    GW_OK);
	struct queue_msg m = get(q, ids[2]);
	assert_string_equal(m.lease_owner, "operator:bob");
	assert_true(m.lease_until_ms > 0);
	assert_int_equal(q->ops->recover(q, "recovery", "w1", T0 + 1, &nb, &ns), GW_OK);
	assert_int_equal(nb, 1);                             /* w1's, not w2's nor bob's */
	assert_int_equal(get(q, ids[0]).state, QS_PENDING);
	assert_true(last_why_has(q, ids[0], "lease of w1, a worker that is gone"));
	assert_int_equal(get(q, ids[1]).state, QS_BUILDING);
	/* w2 renews: its lease outlives the first expiry. */
	assert_int_equal(q->ops->renew(q, "w2", T0 + 3 * LEASE, &n), GW_OK);
	assert_int_equal(n, 1);
	assert_int_equal(q->ops->recover(q, "recovery", NULL, T0 + 2 * LEASE, &nb, &ns), GW_OK);
	assert_int_equal(get(q, ids[1]).state, QS_BUILDING);
	assert_int_equal(q->ops->renew(q, "nobody", T0 + 3 * LEASE, &n), GW_OK);
	assert_int_equal(n, 0);
	assert_int_equal(q->ops->recover(q, "recovery", NULL, T0 + 3 * LEASE, &nb, &ns), GW_OK);
	assert_int_equal(get(q, ids[1]).state, QS_PENDING);
	/* A lease taken over is not given back by a late renew. */
	assert_int_equal(q->ops->renew(q, "w2", T0 + 9 * LEASE, &n), GW_OK);
	assert_int_equal(n, 0);
	assert_string_equal(get(q, ids[1]).lease_owner, "");
	q->ops->close(q);
}

/* Two processes claim from one file at once: every message is claimed
 * exactly once. */
static void
test_two_claimers_never_share(void **state)
{
	(void)state;
	enum { N = 120 };
	struct queue *q = open_q();
	add_n(q, "C", N, NULL);
	q->ops->close(q);
	char out_path[2][160];
	pid_t pid[2];
	for (int w = 0; w < 2; w++) {
		snprintf(out_path[w], sizeof out_path[w], "%s/claimed.%d", dir, w);
		if ((pid[w] = fork()) == 0) {
			struct queue *cq;
			char err[256], owner[8];
			FILE *f = fopen(out_path[w], "w");
			snprintf(owner, sizeof owner, "w%d", w);
			if (f == NULL || tb_open(&cq, dbpath, err, sizeof err) != GW_OK)
				_exit(2);
			for (;;) {
				struct queue_msg o[3];
				size_t n = 0;
				if (cq->ops->claim(cq, "dimona-rest", QS_PENDING, QS_BUILDING, owner, LEASE,
				    T0, 3, o, &n) != GW_OK)
					_exit(3);
				if (n == 0)
					break;
				for (size_t i = 0; i < n; i++) {
					fprintf(f, "%s %s\n", o[i].id, o[i].lease_owner);
					queue_msg_free(&o[i]);
				}
			}
			cq->ops->close(cq);
			_exit(fclose(f) == 0 ? 0 : 4);
		}
		assert_true(pid[w] > 0);
	}
	for (int w = 0; w < 2; w++) {
		int st = 0;
		assert_int_equal(waitpid(pid[w], &st, 0), pid[w]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* Each id once over both files, and its row leased to the one who
	 * claimed it. */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cat %s %s | awk '{print $1}' | sort | uniq -d | wc -l",
	    out_path[0], out_path[1]);
	FILE *p = popen(cmd, "r");
	int dups = -1, total = 0;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &dups), 1);
	pclose(p);
	assert_int_equal(dups, 0);
	q = open_q();
	for (int w = 0; w < 2; w++) {
		FILE *f = fopen(out_path[w], "r");
		char id[64], owner[16];
		assert_non_null(f);
		while (fscanf(f, "%63s %15s", id, owner) == 2) {
			struct queue_msg m = get(q, id);
			assert_int_equal(m.state, QS_BUILDING);
			assert_string_equal(m.lease_owner, owner);
			total++;
		}
		fclose(f);
	}
	assert_int_equal(total, N);
	q->ops->close(q);
}

/* A named lease has one holder at a time; it is taken back once expired,
 * released only by its holder, renewed with the holder's other leases, and
 * dropped with a dead owner. */
static void
test_named_lease_exclusive(void **state)
{
	(void)state;
	struct queue *q = open_q();
	int got = -1;
	size_t nb, ns;
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w1", T0 + LEASE, T0, &got),
	    GW_OK);
	assert_int_equal(got, 1);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w2", T0 + LEASE, T0 + 1, &got),
	    GW_OK);
	assert_int_equal(got, 0);
	/* Another name is free; the holder may take its own again. */
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN2", "w2", T0 + LEASE, T0, &got),
	    GW_OK);
	assert_int_equal(got, 1);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w1", T0 + LEASE, T0 + 2, &got),
	    GW_OK);
	assert_int_equal(got, 1);
	/* Only the holder releases it. */
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w2", 0, T0 + 3, &got), GW_OK);
	assert_int_equal(got, 0);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w2", T0 + LEASE, T0 + 4, &got),
	    GW_OK);
	assert_int_equal(got, 0);
	/* Renewed with w1's leases, it outlives its first expiry ... */
	assert_int_equal(q->ops->renew(q, "w1", T0 + 2 * LEASE, NULL), GW_OK);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w2", T0 + 3 * LEASE,
	    T0 + LEASE + 1, &got), GW_OK);
	assert_int_equal(got, 0);
	/* ... and once expired, another worker takes it. */
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w2", T0 + 3 * LEASE,
	    T0 + 2 * LEASE, &got), GW_OK);
	assert_int_equal(got, 1);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w1", 0, T0 + 2 * LEASE, &got),
	    GW_OK);
	assert_int_equal(got, 0);                            /* w1 holds it no more */
	/* The holder's release frees it. */
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w2", 0, T0 + 2 * LEASE, &got),
	    GW_OK);
	assert_int_equal(got, 1);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w1", T0 + 3 * LEASE,
	    T0 + 2 * LEASE, &got), GW_OK);
	assert_int_equal(got, 1);
	/* A dead owner's named leases go with its messages. */
	assert_int_equal(q->ops->recover(q, "recovery", "w1", T0 + 2 * LEASE, &nb, &ns), GW_OK);
	assert_int_equal(q->ops->lease_named(q, "submission:DIMN1", "w3", T0 + 3 * LEASE,
	    T0 + 2 * LEASE + 1, &got), GW_OK);
	assert_int_equal(got, 1);
	assert_int_equal(q->ops->lease_named(q, "", "w3", T0, T0, &got), GW_EINPUT);
	q->ops->close(q);
}

/* A version 1 file (no lease columns) migrates at open; its row left in
 * sending has no owner and is taken over by the first recover. */
static void
test_version1_file_migrates(void **state)
{
	(void)state;
	TB_SQLITE_ONLY();
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	    "PRAGMA journal_mode=WAL;"
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
	    "CREATE TABLE seqs(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	    "INSERT INTO msgs(id, record_id, revision, kind, channel, state, attempts, created_ms,"
	    " updated_ms) VALUES('mold', 'OLD-1', 1, 'dimona-in', 'dimona-rest', 'sending', 1, 1, 1);"
	    "PRAGMA user_version=1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct queue *q = open_q();
	struct queue_msg m = get(q, "mold");
	assert_int_equal(m.state, QS_SENDING);
	assert_string_equal(m.lease_owner, "");
	size_t nb, ns;
	assert_int_equal(q->ops->recover(q, "recovery", NULL, T0, &nb, &ns), GW_OK);
	assert_int_equal(ns, 1);
	m = get(q, "mold");
	assert_int_equal(m.state, QS_READY);
	assert_int_equal(m.attempts, 1);
	assert_true(last_why_has(q, "mold", "no owner"));
	q->ops->close(q);
	/* Opened again: already version 2, nothing to migrate. */
	q = open_q();
	q->ops->close(q);
}

/* <host>:<pid> of a process that has ended is dead; this process, another
 * host's name or a free-form name never is. */
static void
test_dead_local_owner(void **state)
{
	(void)state;
	char host[64], name[128];
	assert_int_equal(gethostname(host, sizeof host), 0);
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	snprintf(name, sizeof name, "%s:%ld", host, (long)child);
	assert_true(queue_owner_is_dead_local(name));
	snprintf(name, sizeof name, "%s:%ld", host, (long)getpid());
	assert_false(queue_owner_is_dead_local(name));
	assert_string_equal(queue_worker_name(), name);      /* the default name */
	snprintf(name, sizeof name, "%s-elsewhere:%ld", host, (long)child);
	assert_false(queue_owner_is_dead_local(name));
	assert_false(queue_owner_is_dead_local("w1"));
	assert_int_equal(config_set(gw_cfg, "queue.worker", "w7"), GW_OK);
	assert_string_equal(queue_worker_name(), "w7");
}

/* The leases per worker, as `gateway status` shows them: how many each
 * owner holds in building and sending, and the earliest expiry. */
static void
test_lease_sums_per_worker(void **state)
{
	(void)state;
	struct queue *q = open_q();
	struct queue_msg out[4];
	struct queue_lease_sum *ls = NULL;
	size_t n = 0;
	add_n(q, "S", 4, NULL);
	assert_int_equal(claim(q, QS_PENDING, QS_BUILDING, "w2", T0 + 5, 1, out), 1);
	assert_int_equal(claim(q, QS_PENDING, QS_BUILDING, "w1", T0 + 9, 2, out), 2);
	assert_int_equal(queue_transition(q, out[0].id, QS_BUILDING, QS_READY, "runner", ""), GW_OK);
	assert_int_equal(claim(q, QS_READY, QS_SENDING, "w1", T0 + 1, 1, out), 1);
	assert_int_equal(queue_lease_sums(q, &ls, &n), GW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ls[0].owner, "w1");
	assert_int_equal(ls[0].building, 1);
	assert_int_equal(ls[0].sending, 1);
	assert_true(ls[0].earliest_until_ms == T0 + 1 + LEASE);
	assert_string_equal(ls[1].owner, "w2");
	assert_int_equal(ls[1].building, 1);
	assert_int_equal(ls[1].sending, 0);
	assert_true(ls[1].earliest_until_ms == T0 + 5 + LEASE);
	free(ls);
	q->ops->close(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live_kept_expired_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_owner_and_renew, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_claimers_never_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_lease_exclusive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version1_file_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_local_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_sums_per_worker, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_queue_runner.c - the service loop against an in-process fake channel:
 * happy path, retries with back-off, expiry, lost responses and crash
 * recovery answered by lookup (never a second send), refusals with their
 * anomalies, follow-ups that wait for the period id; several sends in
 * flight when a crash cuts them (a lookup, settle_ms, never a second send). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "core/config.h"
#include "queue/queue.h"
#include "service/runner.h"
#include "service/dimona_channel.h"
#include "test_queue_fixture.h"

/* The fake other side: a ledger of what it received. */
static int64_t clk;

struct fake {
	struct { char key[80]; char ref[16]; int polls; } led[64];
	int n_led, submits, lookups;
	int temp_failures;         /* next submits that fail with GW_ETEMP */
	int lose_responses;        /* next submits that land but answer GW_ETEMP */
	int64_t late_landing_ms;   /* next submit gets no answer and lands this much later */
	int64_t land_at;           /* when the late declaration is processed (test clock) */
	char pending[80];          /* its key, until then */
	int perm_fail;             /* submits refused for good */
	int lookup_perm;           /* lookups answer "can never be delivered" */
	int polls_before_answer;
	int poll_temp;             /* every poll fails with GW_ETEMP (no answer ever comes) */
	int poll_perm;             /* every poll fails for good (an unreadable answer) */
	long retry_after_ms;       /* what a temporary submit failure asks for (0: 10 ms) */
	char answer;               /* 'A', 'W', 'B', 'F' (failed), 'X' (not a final state) */
	int build_nomem;           /* next builds that run out of memory */
	char built_dep_ref[QUEUE_REF_MAX + 1];
};

static void
fake_key(const struct queue_msg *m, char *k, size_t cap)
{
	snprintf(k, cap, "%s/%u/%s", m->record_id, m->revision, m->kind);
}

static int
fake_find(struct fake *f, const struct queue_msg *m)
{
	char k[80];
	fake_key(m, k, sizeof k);
	for (int i = 0; i < f->n_led; i++)
		if (strcmp(f->led[i].key, k) == 0)
			return i;
	return -1;
}

static gw_rc
fk_build(void *ctx, struct queue_msg *m, const struct queue_msg *dep, char *err, size_t cap)
{
	struct fake *f = ctx;
	if (strcmp(m->record_id, "UNBUILDABLE") == 0) {
		snprintf(err, cap, "field start_date: missing");
		return GW_EINPUT;
	}
	if (f->build_nomem > 0) {
		f->build_nomem--;
		snprintf(err, cap, "out of memory reading the stored record");
		return GW_ENOMEM;
	}
	char buf[200];
	int n = snprintf(buf, sizeof buf, "%s %s rev %u period %s", m->kind, m->record_id,
	    m->revision, dep ? dep->remote_ref2 : "-");
	if (dep != NULL)
		snprintf(f->built_dep_ref, sizeof f->built_dep_ref, "%s", dep->remote_ref2);
	m->body = strdup(buf);
	m->body_len = (size_t)n;
	return GW_OK;
}

static gw_rc
fk_lookup(void *ctx, struct queue_msg *m, char *err, size_t cap)
{
	struct fake *f = ctx;
	f->lookups++;
	if (f->lookup_perm) {
		snprintf(err, cap, "not deliverable over Peppol: the SMP does not know it (HTTP 404)");
		return GW_EPERM;
	}
	if (f->pending[0] && clk >= f->land_at) {           /* processed by now */
		int k = f->n_led++;
		snprintf(f->led[k].key, sizeof f->led[k].key, "%s", f->pending);
		snprintf(f->led[k].ref, sizeof f->led[k].ref, "D%03d", k);
		f->pending[0] = '\0';
	}
	int i = fake_find(f, m);
	if (i < 0)
		return GW_ENOTFOUND;
	snprintf(m->remote_ref, sizeof m->remote_ref, "%s", f->led[i].ref);
	return GW_OK;
}

static gw_rc
fk_submit(void *ctx, struct queue_msg *m, long *retry_after, char *err, size_t cap)
{
	struct fake *f = ctx;
	f->submits++;
	if (f->perm_fail) {
		snprintf(err, cap, "HTTP 400: bad declaration");
		return GW_EPERM;
	}
	if (f->temp_failures > 0) {
		f->temp_failures--;
		snprintf(err, cap, "HTTP 503");
		*retry_after = f->retry_after_ms ? f->retry_after_ms : 10;
		return GW_ETEMP;
	}
	if (f->late_landing_ms > 0) {
		f->land_at = clk + f->late_landing_ms;
		f->late_landing_ms = 0;
		fake_key(m, f->pending, sizeof f->pending);
		snprintf(err, cap, "timeout: no answer");
		*retry_after = CHANNEL_MAYBE_LANDED;
		return GW_ETEMP;
	}
	int i = f->n_led++;
	fake_key(m, f->led[i].key, sizeof f->led[i].key);
	snprintf(f->led[i].ref, sizeof f->led[i].ref, "D%03d", i);
	if (f->lose_responses > 0) {
		f->lose_responses--;
		snprintf(err, cap, "timeout after send");
		return GW_ETEMP;
	}
	snprintf(m->remote_ref, sizeof m->remote_ref, "%s", f->led[i].ref);
	return GW_OK;
}

static gw_rc
fk_poll(void *ctx, struct queue_msg *m, struct channel_answer *a, char *err, size_t cap)
{
	struct fake *f = ctx;
	int i = fake_find(f, m);
	if (i < 0)
		return GW_EPERM;
	if (f->poll_temp) {
		snprintf(err, cap, "GET declaration: HTTP 503");
		return GW_ETEMP;
	}
	if (f->poll_perm) {
		snprintf(err, cap, "result: field status: missing");
		return GW_EINPUT;
	}
	if (f->led[i].polls++ < f->polls_before_answer)
		return GW_ENOTFOUND;
	a->outcome = f->answer == 'W' ? QS_ACCEPTED_WARNINGS
	    : f->answer == 'B' ? QS_REFUSED : f->answer == 'F' ? QS_FAILED
	    : f->answer == 'X' ? QS_SENT : QS_ACCEPTED;
	snprintf(a->ref2, sizeof a->ref2, "P-%s", f->led[i].ref);
	if (f->answer != 'A')
		snprintf(a->detail, sizeof a->detail, "00913-003 (startingDate)");
	return GW_OK;
}

static long fk_delay(void *ctx, long elapsed) { (void)ctx; return elapsed < 2000 ? 2000 : 1000; }

static const struct channel_ops fake_ops = {
	.name = "dimona-rest", .build = fk_build, .lookup = fk_lookup, .submit = fk_submit,
	.poll = fk_poll, .poll_delay = fk_delay, .dep_void = dimona_channel_dep_void,
};

static char dir[64], dbpath[128];
static struct queue *q;
static struct fake fk;
static struct runner *r;

/* The fake with several requests in flight (channel.h submit_each): each
 * request as fk_submit/fk_poll would answer it. With crash_in_flight set,
 * the POSTs leave and land only late_landing_ms later, and the runner's
 * process "dies" before it can record anything: another connection holds
 * the queue's write lock until the test lets go. */
static sqlite3 *crash_lock;
static int crash_in_flight;

static void
fk_submit_each(void *ctx, struct queue_msg *const *v, size_t n, struct channel_result *res)
{
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		res[i].rc = fk_submit(ctx, v[i], &res[i].retry_after_ms, res[i].err, sizeof res[i].err);
	}
	if (crash_in_flight) {
		crash_in_flight = 0;
		assert_int_equal(sqlite3_open(dbpath, &crash_lock), SQLITE_OK);
		assert_int_equal(sqlite3_exec(crash_lock, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		    SQLITE_OK);
	}
}

static void
fk_poll_each(void *ctx, struct queue_msg *const *v, size_t n, struct channel_result *res)
{
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		res[i].rc = fk_poll(ctx, v[i], &res[i].a, res[i].err, sizeof res[i].err);
	}
}

static const struct channel_ops fake_each_ops = {
	.name = "dimona-rest", .build = fk_build, .lookup = fk_lookup, .submit = fk_submit,
	.poll = fk_poll, .poll_delay = fk_delay, .dep_void = dimona_channel_dep_void,
	.submit_each = fk_submit_each, .poll_each = fk_poll_each,
};

static int
setup(void **state)
{
	(void)state;
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/gwrunXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/q.db", dir);
	gw_cfg = config_new();
	if (queue_sqlite_ops.open(&q, dbpath, err, sizeof err) != GW_OK)
		return -1;
	memset(&fk, 0, sizeof fk);
	fk.answer = 'A';
	struct runner_config c;
	runner_config_default(&c);
	c.seed = 1;
	c.retry_base_ms = 1000;
	c.retry_cap_ms = 8000;
	clk = queue_now_ms();
	return runner_new(&r, q, &fake_ops, &fk, &c) == GW_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	runner_free(r);
	q->ops->close(q);
	config_free(gw_cfg);
	gw_cfg = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
add(const char *rid, uint32_t rev, const char *kind, const char *dep, int64_t expires,
    char *id_out)
{
	tq_add(q, "dimona-rest", rid, rev, kind, dep, expires, NULL, id_out);
}

static enum queue_state
state_of(const char *id, struct queue_msg *out)
{
	return tq_state_of(q, id, out);
}

/* Advance the clock and step until nothing moves (bounded). */
static void
run_for(int64_t ms)
{
	int64_t end = clk + ms;
	for (; clk <= end; clk += 250) {
		size_t did;
		assert_int_equal(runner_step(r, clk, &did), GW_OK);
	}
}

static int
history_has(const char *id, const char *needle)
{
	return tq_history_has(q, id, needle);
}

static void
test_happy_path_and_warnings(void **state)
{
	(void)state;
	char a[41], b[41];
	add("C-1", 1, "dimona-in", NULL, 0, a);
	fk.polls_before_answer = 2;
	run_for(10000);
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_ACCEPTED);
	assert_string_equal(m.remote_ref, "D000");
	assert_string_equal(m.remote_ref2, "P-D000");
	assert_int_equal(m.attempts, 1);
	assert_non_null(m.body);
	char hash[65];
	queue_sha256_hex(m.body, m.body_len, hash);
	assert_string_equal(m.content_hash, hash);          /* the exact bytes sent, hashed */
	queue_msg_free(&m);
	assert_int_equal(fk.submits, 1);
	assert_int_equal(fk.lookups, 0);
	fk.answer = 'W';
	add("C-2", 1, "dimona-in", NULL, 0, b);
	run_for(10000);
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED_WARNINGS);
	assert_true(history_has(b, "00913-003 (startingDate)"));
	assert_int_equal(runner_counts(r)->accepted, 1);
	assert_int_equal(runner_counts(r)->warnings, 1);
}

static void
test_refused_with_anomalies(void **state)
{
	(void)state;
	char a[41];
	fk.answer = 'B';
	add("C-3", 1, "dimona-in", NULL, 0, a);
	run_for(5000);
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_REFUSED);
	assert_string_equal(m.last_error, "00913-003 (startingDate)");
	queue_msg_free(&m);
	assert_true(history_has(a, "answer refused"));
	assert_true(history_has(a, "00913-003"));
}

static void
test_temporary_failures_back_off(void **state)
{
	(void)state;
	char a[41];
	fk.temp_failures = 3;
	add("C-4", 1, "dimona-in", NULL, 0, a);
	size_t did;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);   /* build */
	assert_int_equal(runner_step(r, clk, &did), GW_OK);   /* send #1: 503 */
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_READY);
	assert_int_equal(m.attempts, 1);
	/* base 1000: the next attempt is 500..1000 ms away, not now. */
	assert_true(m.next_attempt_ms >= clk + 500 && m.next_attempt_ms <= clk + 1000);
	assert_non_null(strstr(m.last_error, "503"));
	queue_msg_free(&m);
	assert_int_equal(runner_step(r, clk + 100, &did), GW_OK);
	assert_int_equal(fk.submits, 1);                        /* not due yet */
	run_for(30000);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 4);
	/* Each retry asked first whether the other side had it. */
	assert_int_equal(fk.lookups, 3);
	assert_int_equal(fk.n_led, 1);
}

static void
test_expiry_ends_failed(void **state)
{
	(void)state;
	char a[41], b[41];
	fk.temp_failures = 1000;
	add("C-5", 1, "dimona-in", NULL, clk + 20000, a);
	run_for(40000);
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_FAILED);
	assert_true(m.attempts >= 2);
	queue_msg_free(&m);
	assert_true(history_has(a, "expired after"));
	/* Expired before anything happened: failed at build time. */
	add("C-6", 1, "dimona-in", NULL, clk - 1, b);
	run_for(500);
	assert_int_equal(state_of(b, NULL), QS_FAILED);
	assert_true(history_has(b, "expired before"));
	fk.temp_failures = 0;
	fk.perm_fail = 1;
	char c[41];
	add("C-7", 1, "dimona-in", NULL, 0, c);
	run_for(1000);
	assert_int_equal(state_of(c, NULL), QS_FAILED);
	assert_true(history_has(c, "HTTP 400"));
}

/* A Retry-After longer than the back-off is what delays the retry: with base
 * 1000 the back-off alone would be at most 1 s; the other side asked 60 s. */
static void
test_retry_after_longer_than_backoff(void **state)
{
	(void)state;
	char a[41];
	size_t did;
	fk.temp_failures = 1;
	fk.retry_after_ms = 60000;
	add("C-16", 1, "dimona-in", NULL, 0, a);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);   /* build */
	assert_int_equal(runner_step(r, clk, &did), GW_OK);   /* send #1: 503, Retry-After 60 s */
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_READY);
	assert_int_equal(m.next_attempt_ms, clk + 60000);
	assert_true(history_has(a, "next in 60000 ms"));
	queue_msg_free(&m);
	assert_int_equal(runner_step(r, clk + 59999, &did), GW_OK);
	assert_int_equal(fk.submits, 1);                      /* not before the asked time */
	assert_int_equal(runner_step(r, clk + 60000, &did), GW_OK);
	assert_int_equal(fk.submits, 2);
	assert_int_equal(state_of(a, NULL), QS_SENT);
}

/* A sent message whose answer never comes (every poll fails) ends failed at
 * its expiry, with the reason; one the other side reports as "not yet"
 * (processing, or Dimona's waiting on identification, which can last days)
 * stays sent past expiry: the other side has the declaration, so failing it
 * here would invite a second one. */
static void
test_sent_without_answer_expires(void **state)
{
	(void)state;
	char a[41], b[41];
	fk.poll_temp = 1;
	add("C-17", 1, "dimona-in", NULL, clk + 20000, a);
	run_for(40000);
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_FAILED);
	assert_int_equal(m.attempts, 1);                      /* sent once, never re-sent */
	assert_non_null(strstr(m.last_error, "HTTP 503"));
	queue_msg_free(&m);
	assert_true(history_has(a, "expired after 1 attempt(s); last error: GET declaration"));
	assert_int_equal(fk.submits, 1);
	assert_int_equal(runner_counts(r)->expired, 1);
	fk.poll_temp = 0;
	fk.polls_before_answer = 1000000;
	add("C-18", 1, "dimona-in", NULL, clk + 20000, b);
	run_for(40000);
	assert_int_equal(state_of(b, NULL), QS_SENT);
	assert_int_equal(runner_counts(r)->expired, 1);
}

/* The ways a message ends failed besides expiry, each with its reason: a
 * dependency missing from the queue or ended refused (for an update), a body
 * built but expired before the send, an unreadable answer, a failed answer,
 * and a channel bug (an answer that is not a final state). */
static void
test_failures_with_reasons(void **state)
{
	(void)state;
	char a[41], b[41], in[41], up[41], c[41], d[41], e[41];
	size_t did;
	add("C-20", 2, "dimona-update", "m-not-there", 0, a);
	run_for(0);
	assert_int_equal(state_of(a, NULL), QS_FAILED);
	assert_true(history_has(a, "depends on m-not-there, which is not in the queue"));

	fk.answer = 'B';
	add("C-21", 1, "dimona-in", NULL, 0, in);
	add("C-21", 2, "dimona-update", in, 0, up);
	run_for(10000);
	assert_int_equal(state_of(in, NULL), QS_REFUSED);
	assert_int_equal(state_of(up, NULL), QS_FAILED);       /* an update, unlike a cancel */
	assert_true(history_has(up, "which ended refused"));

	fk.answer = 'A';
	add("C-22", 1, "dimona-in", NULL, clk + 1000, b);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);    /* built */
	assert_int_equal(state_of(b, NULL), QS_READY);
	assert_int_equal(runner_step(r, clk + 1001, &did), GW_OK);
	assert_int_equal(state_of(b, NULL), QS_FAILED);
	assert_true(history_has(b, "expired before it could be sent"));
	assert_int_equal(fk.submits, 1);                       /* only C-21's IN went out */
	clk += 1001;

	fk.poll_perm = 1;
	add("C-23", 1, "dimona-in", NULL, 0, c);
	run_for(5000);
	assert_int_equal(state_of(c, NULL), QS_FAILED);
	assert_true(history_has(c, "answer unreadable or refused: result: field status: missing"));
	fk.poll_perm = 0;

	fk.answer = 'F';
	add("C-24", 1, "dimona-in", NULL, 0, d);
	run_for(5000);
	assert_int_equal(state_of(d, NULL), QS_FAILED);
	assert_true(history_has(d, "answer failed"));

	fk.answer = 'X';
	add("C-25", 1, "dimona-in", NULL, 0, e);
	run_for(5000);
	assert_int_equal(state_of(e, NULL), QS_FAILED);
	assert_true(history_has(e, "channel gave an answer that is not a final state"));
}

static void
test_lost_response_is_looked_up_not_resent(void **state)
{
	(void)state;
	char a[41];
	fk.lose_responses = 1;
	add("C-8", 1, "dimona-in", NULL, 0, a);
	run_for(20000);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 1);          /* landed once; the retry found it */
	assert_int_equal(fk.n_led, 1);
	assert_int_equal(runner_counts(r)->found_by_lookup, 1);
	assert_true(history_has(a, "not re-sent"));
}

/* A send that got no answer may still be processed by the other side
 * (here 20 s later): the runner asks again only after [queue] settle_ms,
 * and a lookup finding nothing is not trusted before that; by then the
 * declaration is there, and it is never sent twice. (Without the window
 * the first lookup came at once, found nothing and the runner sent again:
 * two declarations, as 25-rest-faults saw with a slow simulator.) */
static void
test_unanswered_send_gets_time_to_land(void **state)
{
	(void)state;
	char a[41];
	fk.late_landing_ms = 20000;     /* a slow server: processed 20 s after the POST */
	add("C-LATE", 1, "dimona-in", NULL, 0, a);
	run_for(150000);                /* more than settle_ms (60 s by default) */
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 1);
	assert_int_equal(fk.n_led, 1);
	assert_int_equal(runner_counts(r)->found_by_lookup, 1);
	/* Asked again only once settle_ms had passed. */
	assert_true(history_has(a, "next in 60000 ms"));
}

/* The queue seen through a counter: every move_many() call, with how many
 * of its moves go to sent and to accepted; fail_sent makes the next call
 * that carries moves to sent fail as a full disk would. */
static struct queue_ops counting;
static int mm_calls, mm_to_sent_calls, mm_to_sent, mm_to_accepted_calls, mm_to_accepted, fail_sent;

static gw_rc
counting_move_many(struct queue *cq, struct queue_move *mv, size_t n, const char *actor,
                   size_t *n_done)
{
	int sent = 0, acc = 0;
	for (size_t i = 0; i < n; i++) {
		sent += mv[i].to == QS_SENT && mv[i].from == QS_SENDING;
		acc += mv[i].to == QS_ACCEPTED;
	}
	mm_calls++;
	mm_to_sent_calls += sent > 0;
	mm_to_sent += sent;
	mm_to_accepted_calls += acc > 0;
	mm_to_accepted += acc;
	if (sent > 0 && fail_sent) {
		fail_sent = 0;
		return GW_EIO;
	}
	return queue_sqlite_ops.move_many(cq, mv, n, actor, n_done);
}

static void
count_moves(void)
{
	counting = *q->ops;
	counting.move_many = counting_move_many;
	q->ops = &counting;
	mm_calls = mm_to_sent_calls = mm_to_sent = mm_to_accepted_calls = mm_to_accepted = 0;
	fail_sent = 0;
}

/* A batch of sends is committed as one transaction, and so are its answers:
 * five messages are two commits (plus the claims), not ten, and each is
 * still sent once and answered. */
static void
test_sends_and_answers_committed_per_batch(void **state)
{
	(void)state;
	char id[5][41];
	for (int i = 0; i < 5; i++) {
		char rid[16];
		snprintf(rid, sizeof rid, "B-%d", i);
		add(rid, 1, "dimona-in", NULL, 0, id[i]);
	}
	count_moves();
	run_for(10000);
	for (int i = 0; i < 5; i++) {
		struct queue_msg m;
		assert_int_equal(state_of(id[i], &m), QS_ACCEPTED);
		assert_int_equal(m.attempts, 1);
		assert_true(history_has(id[i], "sent (attempt 1)"));
		queue_msg_free(&m);
	}
	assert_int_equal(fk.submits, 5);
	assert_int_equal(mm_to_sent, 5);
	assert_int_equal(mm_to_sent_calls, 1);
	assert_int_equal(mm_to_accepted, 5);
	assert_int_equal(mm_to_accepted_calls, 1);
	q->ops = &queue_sqlite_ops;
}

/* The commit of a batch of sends fails (a full disk): the messages stay in
 * sending with their attempt counted, as a crash would leave them; after a
 * restart each is looked up, found, and never sent a second time. */
static void
test_failed_batch_commit_is_looked_up_not_resent(void **state)
{
	(void)state;
	char id[3][41];
	for (int i = 0; i < 3; i++) {
		char rid[16];
		snprintf(rid, sizeof rid, "F-%d", i);
		add(rid, 1, "dimona-in", NULL, 0, id[i]);
	}
	count_moves();
	size_t did;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built */
	fail_sent = 1;
	assert_int_equal(runner_step(r, clk, &did), GW_EIO);     /* sent, not committed */
	for (int i = 0; i < 3; i++) {
		struct queue_msg m;
		assert_int_equal(state_of(id[i], &m), QS_SENDING);
		assert_int_equal(m.attempts, 1);
		queue_msg_free(&m);
	}
	assert_int_equal(fk.submits, 3);
	runner_free(r);
	struct runner_config c;
	runner_config_default(&c);
	c.seed = 3;
	snprintf(c.worker, sizeof c.worker, "%s", queue_worker_name());
	assert_int_equal(runner_new(&r, q, &fake_ops, &fk, &c), GW_OK);
	assert_int_equal(runner_recover(r, clk), GW_OK);
	run_for(10000);
	for (int i = 0; i < 3; i++)
		assert_int_equal(state_of(id[i], NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 3);        /* none sent twice */
	assert_int_equal(fk.lookups, 3);
	assert_int_equal(fk.n_led, 3);
	q->ops = &queue_sqlite_ops;
}

static void
test_crash_while_sending_recovers_by_lookup(void **state)
{
	(void)state;
	char a[41], b[41];
	add("C-9", 1, "dimona-in", NULL, 0, a);
	add("C-10", 1, "dimona-in", NULL, 0, b);
	size_t did;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* both built */
	/* Simulate a crash mid-send: C-9 reached the other side, C-10 did not;
	 * both rows are left in sending with their attempt counted. */
	struct queue_msg m;
	const char *ids[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		assert_int_equal(queue_transition(q, ids[i], QS_READY, QS_SENDING, "runner", ""),
		    GW_OK);
		assert_int_equal(q->ops->get(q, ids[i], &m), GW_OK);
		m.attempts = 1;
		assert_int_equal(queue_update(q, &m), GW_OK);
		if (i == 0) {
			char rm[8];
			fk_submit(&fk, &m, &(long){0}, rm, sizeof rm);
		}
		queue_msg_free(&m);
	}
	int submits_before = fk.submits;
	/* Restart: a new runner recovers first. */
	runner_free(r);
	struct runner_config c;
	runner_config_default(&c);
	c.seed = 2;
	/* The same worker comes back (the moves above leased the rows to their
	 * actor): it takes over its previous life's leases at once. */
	snprintf(c.worker, sizeof c.worker, "runner");
	assert_int_equal(runner_new(&r, q, &fake_ops, &fk, &c), GW_OK);
	assert_int_equal(runner_recover(r, clk), GW_OK);
	assert_int_equal(runner_counts(r)->recovered_sending, 2);
	assert_int_equal(state_of(a, NULL), QS_READY);
	run_for(10000);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits - submits_before, 1);   /* only C-10 was sent again */
	assert_int_equal(fk.n_led, 2);                      /* each once in the ledger */
	assert_int_equal(fk.lookups, 2);
}

/* A crash while sending, and the look-up before the re-send answers that
 * the message can never be delivered (a Peppol receiver the SMP does not
 * know): that is final, failed with the reason at once, neither sent again
 * nor tried until it expires (the look-up used to read it as "cannot tell"). */
static void
test_crash_then_lookup_says_never(void **state)
{
	(void)state;
	char a[41];
	add("C-11", 1, "dimona-in", NULL, 0, a);
	size_t did;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built */
	struct queue_msg m;
	assert_int_equal(queue_transition(q, a, QS_READY, QS_SENDING, "runner", ""), GW_OK);
	assert_int_equal(q->ops->get(q, a, &m), GW_OK);
	m.attempts = 1;
	assert_int_equal(queue_update(q, &m), GW_OK);
	queue_msg_free(&m);
	runner_free(r);
	struct runner_config c;
	runner_config_default(&c);
	c.seed = 3;
	snprintf(c.worker, sizeof c.worker, "runner");
	assert_int_equal(runner_new(&r, q, &fake_ops, &fk, &c), GW_OK);
	assert_int_equal(runner_recover(r, clk), GW_OK);
	fk.lookup_perm = 1;
	run_for(60000);
	assert_int_equal(state_of(a, &m), QS_FAILED);
	queue_msg_free(&m);
	assert_int_equal(fk.lookups, 1);                    /* asked once, believed */
	assert_int_equal(fk.submits, 0);                    /* never sent again */
	assert_true(history_has(a, "not deliverable over Peppol: the SMP does not know it"));
}

static void
test_follow_up_waits_for_period_id(void **state)
{
	(void)state;
	char in[41], up[41], cx[41], in2[41];
	add("C-11", 1, "dimona-in", NULL, 0, in);
	add("C-11", 2, "dimona-update", in, 0, up);
	fk.polls_before_answer = 3;
	size_t did;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);
	/* The update cannot be built before the IN is answered. */
	assert_int_equal(state_of(up, NULL), QS_PENDING);
	assert_true(history_has(up, "waiting for"));
	run_for(20000);
	assert_int_equal(state_of(in, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(up, NULL), QS_ACCEPTED);
	assert_string_equal(fk.built_dep_ref, "P-D000");   /* built with the IN's period id */
	/* A follow-up whose IN was refused has nothing to act on. */
	fk.answer = 'B';
	add("C-12", 1, "dimona-in", NULL, 0, in2);
	add("C-12", 2, "dimona-cancel", in2, 0, cx);
	run_for(20000);
	assert_int_equal(state_of(in2, NULL), QS_REFUSED);
	assert_int_equal(state_of(cx, NULL), QS_CANCELLED);
	char bad[41];
	add("UNBUILDABLE", 1, "dimona-in", NULL, 0, bad);
	run_for(500);
	assert_int_equal(state_of(bad, NULL), QS_FAILED);
	assert_true(history_has(bad, "field start_date"));
}

static void
test_corrupt_body_is_quarantined(void **state)
{
	(void)state;
	char a[41];
	add("C-15", 1, "dimona-in", NULL, 0, a);
	size_t did;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built, hash stored */
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_READY);
	assert_int_equal(strlen(m.content_hash), 64);
	m.body[0] ^= 1;                                            /* bit rot on disk */
	assert_int_equal(queue_update(q, &m), GW_OK);
	queue_msg_free(&m);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);
	assert_int_equal(state_of(a, NULL), QS_FAILED);
	assert_int_equal(fk.submits, 0);
	assert_true(history_has(a, "quarantined"));
}

static void
test_loop_until_idle_and_stop(void **state)
{
	(void)state;
	char a[41];
	add("C-13", 1, "dimona-in", NULL, 0, a);
	fk.polls_before_answer = 0;
	/* The real clock: the first poll is 2 s after the send. */
	assert_int_equal(runner_loop(r, 1, NULL), GW_OK);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	volatile sig_atomic_t stop = 1;
	char b[41];
	add("C-14", 1, "dimona-in", NULL, 0, b);
	assert_int_equal(runner_loop(r, 0, &stop), GW_OK);  /* stops at once */
	assert_int_equal(state_of(b, NULL), QS_PENDING);
}

/* Another process holds the queue's write lock: the claims of a step and
 * the start-up recovery are temporary failures that change nothing and are
 * simply tried again; once the lock is gone, the same message goes on. */
/* Several in flight, then a crash before their outcome is recorded, and
 * the POSTs land only later: the takeover's lookup finds nothing at
 * first, and must wait [queue] settle_ms from the stamp the runner
 * committed before the POSTs rather than declare twice. */
static void
test_parallel_crash_in_flight_waits_settle(void **state)
{
	(void)state;
	char a[41], b[41], err[256];
	size_t did = 0;
	struct runner_config c;

	runner_free(r);
	q->ops->close(q);
	config_set(gw_cfg, "queue.busy_timeout_ms", "50");
	assert_int_equal(queue_sqlite_ops.open(&q, dbpath, err, sizeof err), GW_OK);
	runner_config_default(&c);
	c.seed = 1;
	c.retry_base_ms = 1000;
	c.settle_ms = 20000;
	assert_int_equal(runner_new(&r, q, &fake_each_ops, &fk, &c), GW_OK);
	add("C-PAR1", 1, "dimona-in", NULL, 0, a);
	add("C-PAR2", 1, "dimona-in", NULL, 0, b);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* both built */
	fk.late_landing_ms = 5000;                                 /* C-PAR1 lands 5 s late */
	crash_in_flight = 1;
	assert_int_not_equal(runner_step(r, clk, &did), GW_OK);  /* sent, not recorded */
	assert_int_equal(fk.submits, 2);
	assert_int_equal(sqlite3_exec(crash_lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(crash_lock);
	crash_lock = NULL;
	assert_int_equal(state_of(a, NULL), QS_SENDING);
	assert_int_equal(state_of(b, NULL), QS_SENDING);

	/* The next life: both back to ready, looked up before any re-send. */
	assert_int_equal(runner_recover(r, clk), GW_OK);
	run_for(30000);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 2);                           /* never declared twice */
	assert_int_equal(fk.n_led, 2);
	assert_true(history_has(a, "looking again before any re-send"));
	assert_true(history_has(a, "already has it"));
}

static void
test_busy_queue_is_temporary(void **state)
{
	(void)state;
	char id[QUEUE_ID_MAX + 1], err[256];
	sqlite3 *other = NULL;
	size_t did = 0;
	struct runner_config c;

	runner_free(r);
	q->ops->close(q);
	config_set(gw_cfg, "queue.busy_timeout_ms", "50");
	assert_int_equal(queue_sqlite_ops.open(&q, dbpath, err, sizeof err), GW_OK);
	runner_config_default(&c);
	c.seed = 1;
	assert_int_equal(runner_new(&r, q, &fake_ops, &fk, &c), GW_OK);
	add("C-BUSY", 1, "dimona-in", NULL, 0, id);

	assert_int_equal(sqlite3_open(dbpath, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(runner_recover(r, clk), GW_ETEMP);
	assert_int_equal(runner_step(r, clk, &did), GW_ETEMP);
	assert_int_equal(state_of(id, NULL), QS_PENDING);
	assert_int_equal(fk.submits, 0);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);

	assert_int_equal(runner_recover(r, clk), GW_OK);
	run_for(10000);
	assert_int_equal(state_of(id, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 1);
}

/* Out of memory while building is not the record's fault: the message
 * goes back to pending and is built later, never failed for it. */
static void
test_build_out_of_memory_is_temporary(void **state)
{
	(void)state;
	char id[QUEUE_ID_MAX + 1];
	size_t did;
	struct queue_msg m;
	add("C-NOMEM", 1, "dimona-in", NULL, 0, id);
	fk.build_nomem = 2;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);
	assert_int_equal(state_of(id, &m), QS_PENDING);
	assert_non_null(strstr(m.last_error, "out of memory"));
	assert_true(m.next_attempt_ms > clk);
	queue_msg_free(&m);
	run_for(20000);
	assert_int_equal(state_of(id, NULL), QS_ACCEPTED);
	assert_int_equal(fk.build_nomem, 0);
	assert_int_equal(runner_counts(r)->failed, 0);
}

/* Several workers: a send another worker has in flight is left alone
 * while its lease lives, and taken over by the periodic takeover (not only
 * at start) once it has expired: looked up, found, never sent twice. */
static void
test_other_workers_lease_taken_over_when_expired(void **state)
{
	(void)state;
	char a[41];
	size_t did, n = 0;
	struct queue_msg buf[2];
	add("C-40", 1, "dimona-in", NULL, 0, a);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built */
	assert_int_equal(q->ops->claim(q, "dimona-rest", QS_READY, QS_SENDING, "w-other", 3000, clk,
	    2, buf, &n), GW_OK);
	assert_int_equal(n, 1);
	char rm[8];
	fk_submit(&fk, &buf[0], &(long){0}, rm, sizeof rm);      /* it lands; w-other dies */
	queue_msg_free(&buf[0]);
	assert_int_equal(runner_step(r, clk + 1000, &did), GW_OK);
	assert_int_equal(state_of(a, NULL), QS_SENDING);         /* a live lease: left alone */
	assert_int_equal(runner_counts(r)->recovered_sending, 0);
	run_for(50000);                                          /* past the lease and a period */
	assert_int_equal(runner_counts(r)->recovered_sending, 1);
	assert_true(history_has(a, "lease of w-other, expired"));
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(fk.submits, 1);                         /* only w-other's */
	assert_int_equal(fk.n_led, 1);
	assert_int_equal(fk.lookups, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_happy_path_and_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_workers_lease_taken_over_when_expired, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused_with_anomalies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temporary_failures_back_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_ends_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_after_longer_than_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sent_without_answer_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_with_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_response_is_looked_up_not_resent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_send_gets_time_to_land, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_while_sending_recovers_by_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crash_then_lookup_says_never, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_up_waits_for_period_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_body_is_quarantined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_until_idle_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_queue_is_temporary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel_crash_in_flight_waits_settle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_build_out_of_memory_is_temporary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sends_and_answers_committed_per_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_batch_commit_is_looked_up_not_resent, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_runner_group.c - the runner over a channel that carries many
 * messages in one submission (channel.h group hooks), against an
 * in-process fake transport: one name per submission from the queue
 * counter, recorded on every member before anything is written; retry with
 * back-off for the whole submission; expiry; an outcome lost after the
 * upload, or a crash while sending, answered by a lookup of the name and
 * never by a second upload; a submission that cannot be written; one made
 * at queue time keeps its name; a CANCEL whose IN never took effect; a
 * submission another worker holds (named lease) is left to it. */
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
#include "queue/queue.h"
#include "service/runner.h"
#include "service/dimona_channel.h"
#include "test_queue_fixture.h"

/* The fake other side: the submissions written and received. */
struct gfake {
	char written[16][QUEUE_REF_MAX + 1];
	size_t written_n[16];
	int n_written;
	char received[16][QUEUE_REF_MAX + 1];
	int n_received, submits, lookups, polls;
	int temp_failures;         /* next submits that fail with GW_ETEMP (nothing lands) */
	int lose_responses;        /* next submits that land but answer GW_ETEMP */
	int write_fails;           /* next writes that fail */
	char answer;               /* 'A' accepted, 'B' refused, 0 no answer yet */
};

static struct gfake gf;

static int
received(const char *name)
{
	for (int i = 0; i < gf.n_received; i++)
		if (strcmp(gf.received[i], name) == 0)
			return 1;
	return 0;
}

static gw_rc
g_build(void *ctx, struct queue_msg *m, const struct queue_msg *dep, char *err, size_t cap)
{
	char buf[200];
	int n = snprintf(buf, sizeof buf, "<Form ref=\"%s\" kind=\"%s\"/>", m->record_id, m->kind);
	if (strcmp(m->record_id, "UNBUILDABLE") == 0) {
		snprintf(err, cap, "field start_date: missing");
		return GW_EINPUT;
	}
	m->body = strdup(buf);
	m->body_len = (size_t)n;
	if (strcmp(m->kind, "dmfa") != 0)
		m->remote_ref2[0] = '\0';      /* a Dimona form joins the next submission */
	return GW_OK;
}

static gw_rc
g_name(void *ctx, uint64_t seq, const char **counter, char *name, size_t cap)
{
	*counter = "fake-SUB";
	snprintf(name, cap, "SUB.%05llu", (unsigned long long)seq);
	return GW_OK;
}

static gw_rc
g_write(void *ctx, const char *name, struct queue_msg *const *v, size_t n, char *err, size_t cap)
{
	if (gf.write_fails > 0) {
		gf.write_fails--;
		snprintf(err, cap, "name already in the outbox");
		return GW_EDUP;
	}
	/* Written only once the name is durable on every member. */
	for (size_t i = 0; i < n; i++) {
		struct queue *q = ctx;
		struct queue_msg m;
		memset(&m, 0, sizeof m);
		if (q->ops->get(q, v[i]->id, &m) != GW_OK || strcmp(m.remote_ref2, name) != 0 ||
		    m.state != QS_READY) {
			queue_msg_free(&m);
			snprintf(err, cap, "%s: name not durable", v[i]->id);
			return GW_EIO;
		}
		queue_msg_free(&m);
	}
	snprintf(gf.written[gf.n_written], sizeof gf.written[0], "%s", name);
	gf.written_n[gf.n_written++] = n;
	return GW_OK;
}

static gw_rc
g_submit(void *ctx, const char *name, long *retry_after, char *err, size_t cap)
{
	gf.submits++;
	if (gf.temp_failures > 0) {
		gf.temp_failures--;
		snprintf(err, cap, "sftp: connection refused");
		*retry_after = 10;
		return GW_ETEMP;
	}
	snprintf(gf.received[gf.n_received++], sizeof gf.received[0], "%s", name);
	if (gf.lose_responses > 0) {
		gf.lose_responses--;
		snprintf(err, cap, "sftp: connection lost after GO");
		return GW_ETEMP;
	}
	return GW_OK;
}

static gw_rc
g_lookup(void *ctx, struct queue_msg *m, char *err, size_t cap)
{
	gf.lookups++;
	return received(m->remote_ref2) ? GW_OK : GW_ENOTFOUND;
}

/* The answers of every received submission, applied as the batch
 * channel's answer files would be (one move_many per file). */
static gw_rc
g_poll_many(void *ctx, struct queue *q, size_t *moved, char *err, size_t cap)
{
	struct queue_filter f = { .state = QS_SENT, .channel = "fake-batch" };
	struct queue_msg *v = NULL;
	size_t n = 0;
	gf.polls++;
	*moved = 0;
	if (gf.answer == 0)
		return GW_OK;
	gw_rc rc = q->ops->list(q, &f, &v, &n);
	for (size_t i = 0; rc == GW_OK && i < n; i++) {
		if (!received(v[i].remote_ref2))
			continue;
		enum queue_state to = gf.answer == 'B' ? QS_REFUSED : QS_ACCEPTED;
		if ((rc = queue_transition(q, v[i].id, QS_SENT, to, "onss", "FO.NOTI")) == GW_OK)
			(*moved)++;
	}
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&v[i]);
	free(v);
	return rc;
}

static long g_delay(void *ctx, long elapsed) { return 1000; }

static const struct channel_ops group_ops = {
	.name = "fake-batch", .build = g_build, .lookup = g_lookup, .poll_delay = g_delay,
	.dep_void = dimona_channel_dep_void, .group_max = 100, .group_name = g_name,
	.group_write = g_write, .group_submit = g_submit, .poll_many = g_poll_many,
};

static char dir[64], dbpath[128];
static struct queue *q;
static struct runner *r;
static int64_t clk;

static int
setup(void **state)
{
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/gwgrpXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/q.db", dir);
	gw_cfg = config_new();
	if (queue_sqlite_ops.open(&q, dbpath, err, sizeof err) != GW_OK)
		return -1;
	memset(&gf, 0, sizeof gf);
	gf.answer = 'A';
	struct runner_config c;
	runner_config_default(&c);
	c.seed = 1;
	c.retry_base_ms = 1000;
	c.retry_cap_ms = 8000;
	clk = queue_now_ms();
	return runner_new(&r, q, &group_ops, q, &c) == GW_OK ? 0 : -1;
}

static int
teardown(void **state)
{
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
    const char *own_name, char *id_out)
{
	tq_add(q, "fake-batch", rid, rev, kind, dep, expires, own_name, id_out);
}

static enum queue_state
state_of(const char *id, struct queue_msg *out)
{
	return tq_state_of(q, id, out);
}

static int
history_has(const char *id, const char *text)
{
	return tq_history_has(q, id, text);
}

/* Step the runner over ms of simulated time, 100 ms at a time. */
static void
run_for(int64_t ms)
{
	size_t did;
	for (int64_t t = 0; t <= ms; t += 100)
		assert_int_equal(runner_step(r, clk + t, &did), GW_OK);
	clk += ms + 100;
}

static void
test_one_submission_for_many(void **state)
{
	char a[41], b[41], c[41];
	add("C-1", 1, "dimona-in", NULL, 0, NULL, a);
	add("C-2", 1, "dimona-in", NULL, 0, NULL, b);
	add("C-3", 1, "dimona-in", NULL, 0, NULL, c);
	run_for(3000);
	assert_int_equal(gf.n_written, 1);
	assert_int_equal(gf.written_n[0], 3);
	assert_string_equal(gf.written[0], "SUB.00001");
	assert_int_equal(gf.submits, 1);
	assert_int_equal(gf.lookups, 0);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(c, NULL), QS_ACCEPTED);
	assert_true(history_has(b, "built, in submission SUB.00001"));
	assert_true(history_has(b, "sent SUB.00001 (attempt 1)"));
	assert_int_equal(runner_counts(r)->sent, 3);
	/* The next submission takes the next number, never the same. */
	add("C-4", 1, "dimona-in", NULL, 0, NULL, a);
	run_for(3000);
	assert_string_equal(gf.written[1], "SUB.00002");
}

static void
test_submission_retried_with_backoff(void **state)
{
	char a[41], b[41];
	size_t did;
	add("C-5", 1, "dimona-in", NULL, 0, NULL, a);
	add("C-6", 1, "dimona-in", NULL, 0, NULL, b);
	gf.temp_failures = 2;
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built and written */
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* upload fails */
	struct queue_msg m;
	assert_int_equal(state_of(a, &m), QS_READY);
	assert_int_equal(m.attempts, 1);
	assert_true(m.next_attempt_ms >= clk + 500);             /* back-off, not at once */
	assert_true(strstr(m.last_error, "connection refused") != NULL);
	queue_msg_free(&m);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* not due yet */
	assert_int_equal(gf.submits, 1);
	run_for(10000);
	assert_int_equal(gf.submits, 3);
	assert_int_equal(gf.n_written, 1);                       /* one file, sent once */
	assert_int_equal(gf.n_received, 1);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED);
	assert_int_equal(runner_counts(r)->retried, 4);          /* 2 members x 2 failures */
	assert_true(history_has(b, "temporary failure (attempt 2)"));
}

/* The members of a written submission share one file, so they share its
 * fate: one member past its expiry stays with the others while any of them
 * is still due (failing it alone would leave it in a file that still goes),
 * and goes with them once the upload works; the submission fails as a whole
 * only when every member is past its expiry. */
static void
test_submission_expires(void **state)
{
	char a[41], b[41], c[41], d[41];
	add("C-7", 1, "dimona-in", NULL, clk + 1500, NULL, a);
	add("C-8", 1, "dimona-in", NULL, 0, NULL, b);
	gf.temp_failures = 6;
	run_for(60000);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);         /* went with C-8's file */
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED);
	assert_int_equal(gf.n_written, 1);
	assert_int_equal(gf.n_received, 1);
	assert_int_equal(runner_counts(r)->expired, 0);

	add("C-9", 1, "dimona-in", NULL, clk + 1500, NULL, c);
	add("C-10", 1, "dimona-in", NULL, clk + 2500, NULL, d);
	gf.temp_failures = 1000;
	run_for(20000);
	assert_int_equal(state_of(c, NULL), QS_FAILED);
	assert_int_equal(state_of(d, NULL), QS_FAILED);
	assert_true(history_has(c, "expired after"));
	assert_true(history_has(d, "connection refused"));
	assert_int_equal(runner_counts(r)->expired, 2);
	assert_int_equal(gf.n_received, 1);                      /* the second file never went */
}

static void
test_lost_outcome_is_looked_up_not_resent(void **state)
{
	char a[41], b[41];
	add("C-9", 1, "dimona-in", NULL, 0, NULL, a);
	add("C-10", 1, "dimona-in", NULL, 0, NULL, b);
	gf.lose_responses = 1;
	run_for(10000);
	assert_int_equal(gf.submits, 1);                         /* never uploaded twice */
	assert_int_equal(gf.n_received, 1);
	assert_int_equal(gf.lookups, 1);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_true(history_has(b, "not re-sent: the other side already has SUB.00001"));
	assert_int_equal(runner_counts(r)->found_by_lookup, 2);
}

/* A crash while sending: the members are in sending with the attempt
 * counted; whether the upload landed is unknown. Recovery puts them back in
 * ready and the next step asks the other side first. */
static void
test_crash_while_sending_recovers_by_lookup(void **state)
{
	char a[41], b[41], c[41];
	size_t did, n = 0;
	struct queue_msg buf[4];
	add("C-11", 1, "dimona-in", NULL, 0, NULL, a);
	add("C-12", 1, "dimona-in", NULL, 0, NULL, b);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built, SUB.00001 */
	/* The process claims them into sending, uploads, and dies. */
	assert_int_equal(q->ops->claim(q, "fake-batch", QS_READY, QS_SENDING, NULL, 0, clk, 4, buf,
	    &n), GW_OK);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&buf[i]);
	snprintf(gf.received[gf.n_received++], sizeof gf.received[0], "SUB.00001");
	assert_int_equal(runner_recover(r, clk), GW_OK);
	assert_int_equal(state_of(a, NULL), QS_READY);
	run_for(5000);
	assert_int_equal(gf.submits, 0);
	assert_int_equal(gf.lookups, 1);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED);
	/* The same crash before the upload: the lookup finds nothing, so the
	 * submission goes, once. */
	add("C-13", 1, "dimona-in", NULL, 0, NULL, c);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built, SUB.00002 */
	assert_int_equal(q->ops->claim(q, "fake-batch", QS_READY, QS_SENDING, NULL, 0, clk, 4, buf,
	    &n), GW_OK);
	assert_int_equal(n, 1);
	queue_msg_free(&buf[0]);
	assert_int_equal(runner_recover(r, clk), GW_OK);
	run_for(5000);
	assert_int_equal(gf.lookups, 2);
	assert_int_equal(gf.submits, 1);
	assert_int_equal(state_of(c, NULL), QS_ACCEPTED);
	assert_true(history_has(c, "not found by the lookup"));
}

static void
test_unwritable_submission_fails_members(void **state)
{
	char a[41], bad[41];
	add("C-14", 1, "dimona-in", NULL, 0, NULL, a);
	add("UNBUILDABLE", 1, "dimona-in", NULL, 0, NULL, bad);
	gf.write_fails = 1;
	run_for(3000);
	assert_int_equal(state_of(a, NULL), QS_FAILED);
	assert_true(history_has(a, "submission SUB.00001 could not be written (duplicate"));
	assert_int_equal(state_of(bad, NULL), QS_FAILED);
	assert_true(history_has(bad, "field start_date"));
	assert_int_equal(gf.submits, 0);
}

static void
test_own_submission_and_void_dependency(void **state)
{
	char d[41], in[41], cx[41], up[41];
	add("DMFA:20264:051234526", 1, "dmfa", NULL, 0, "FI.DMFA.012996.20261206.00007.T.1.1", d);
	gf.answer = 'B';
	add("C-15", 1, "dimona-in", NULL, 0, NULL, in);
	add("C-15", 2, "dimona-cancel", in, 0, NULL, cx);
	add("C-15", 3, "dimona-update", in, 0, NULL, up);
	run_for(10000);
	/* The DmfA kept the name it was queued with; the IN went in SUB.00001. */
	assert_true(received("FI.DMFA.012996.20261206.00007.T.1.1"));
	assert_true(received("SUB.00001"));
	assert_int_equal(gf.n_written, 2);
	assert_int_equal(state_of(in, NULL), QS_REFUSED);
	assert_int_equal(state_of(cx, NULL), QS_CANCELLED);      /* nothing to cancel */
	assert_int_equal(state_of(up, NULL), QS_FAILED);         /* nothing to update */
	assert_true(history_has(up, "which ended refused"));
}

/* Answers that come unasked (an IDFLUX, a DMPI after the NOTI) are
 * fetched at the channel's pace even when nothing awaits an answer. */
static void
test_answers_fetched_at_pace_without_sent(void **state)
{
	run_for(3000);                                           /* nothing queued */
	assert_true(gf.polls >= 3 && gf.polls <= 4);              /* every 1000 ms */
}

/* One worker at a time sends a submission: while another worker holds
 * its named lease, the members claimed here go back to ready without an
 * upload; once it is released, the counted attempt makes this runner look
 * up first, and the other worker's upload is found, not repeated. */
static void
test_submission_held_by_another_worker(void **state)
{
	char a[41], b[41];
	size_t did;
	int got = 0;
	add("C-30", 1, "dimona-in", NULL, 0, NULL, a);
	add("C-31", 1, "dimona-in", NULL, 0, NULL, b);
	assert_int_equal(runner_step(r, clk, &did), GW_OK);      /* built, SUB.00001 */
	assert_int_equal(state_of(a, NULL), QS_READY);
	assert_int_equal(q->ops->lease_named(q, "submission:SUB.00001", "w2", clk + 60000, clk,
	    &got), GW_OK);
	assert_int_equal(got, 1);
	assert_int_equal(runner_step(r, clk + 100, &did), GW_OK);
	assert_int_equal(gf.submits, 0);
	assert_int_equal(state_of(a, NULL), QS_READY);
	assert_int_equal(state_of(b, NULL), QS_READY);
	assert_true(history_has(a, "submission SUB.00001 is being sent by another worker"));
	/* w2 uploads it and lets go. */
	snprintf(gf.received[gf.n_received++], sizeof gf.received[0], "SUB.00001");
	assert_int_equal(q->ops->lease_named(q, "submission:SUB.00001", "w2", 0, clk + 200, &got),
	    GW_OK);
	assert_int_equal(got, 1);
	clk += 200;
	run_for(5000);
	assert_int_equal(gf.submits, 0);
	assert_int_equal(gf.lookups, 1);
	assert_int_equal(state_of(a, NULL), QS_ACCEPTED);
	assert_int_equal(state_of(b, NULL), QS_ACCEPTED);
	assert_true(history_has(a, "not re-sent: the other side already has SUB.00001"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_submission_for_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submission_retried_with_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submission_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_outcome_is_looked_up_not_resent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crash_while_sending_recovers_by_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_submission_fails_members, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_own_submission_and_void_dependency, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_answers_fetched_at_pace_without_sent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_submission_held_by_another_worker, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

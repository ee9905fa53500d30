/* test_state.c - every state transition, valid and refused, in the table and in the backend. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue/queue.h"

/* The state model, written out independently of queue/state.c. */
static const struct { enum queue_state from, to; } spec_allowed[] = {
	{ QS_PENDING, QS_BUILDING }, { QS_PENDING, QS_HELD }, { QS_PENDING, QS_CANCELLED },
	{ QS_PENDING, QS_FAILED },
	{ QS_BUILDING, QS_READY }, { QS_BUILDING, QS_PENDING }, { QS_BUILDING, QS_FAILED },
	{ QS_READY, QS_SENDING }, { QS_READY, QS_HELD }, { QS_READY, QS_CANCELLED },
	{ QS_READY, QS_FAILED },
	{ QS_SENDING, QS_SENT }, { QS_SENDING, QS_READY }, { QS_SENDING, QS_FAILED },
	{ QS_SENT, QS_ACCEPTED }, { QS_SENT, QS_ACCEPTED_WARNINGS }, { QS_SENT, QS_REFUSED },
	{ QS_SENT, QS_READY }, { QS_SENT, QS_FAILED },
	{ QS_FAILED, QS_PENDING }, { QS_FAILED, QS_CANCELLED },
	{ QS_HELD, QS_PENDING }, { QS_HELD, QS_CANCELLED },
};

static int
spec_ok(enum queue_state f, enum queue_state t)
{
	for (size_t i = 0; i < sizeof spec_allowed / sizeof spec_allowed[0]; i++)
		if (spec_allowed[i].from == f && spec_allowed[i].to == t)
			return 1;
	return 0;
}

static void
test_names_round_trip(void **state)
{
	(void)state;
	assert_string_equal(queue_state_name(QS_ACCEPTED_WARNINGS), "accepted-with-warnings");
	assert_string_equal(queue_state_name(QS_HELD), "held");
	for (int s = 0; s < QS__COUNT; s++)
		assert_int_equal(queue_state_parse(queue_state_name((enum queue_state)s)), s);
	assert_int_equal(queue_state_parse("nonsense"), -1);
	assert_int_equal(queue_state_parse(NULL), -1);
	assert_string_equal(queue_state_name((enum queue_state)99), "invalid");
}

static void
test_table_matches_spec(void **state)
{
	(void)state;
	int n_ok = 0;
	for (int f = 0; f < QS__COUNT; f++)
		for (int t = 0; t < QS__COUNT; t++) {
			int want = spec_ok((enum queue_state)f, (enum queue_state)t);
			if (queue_transition_allowed((enum queue_state)f, (enum queue_state)t) != want)
				fail_msg("%s -> %s: expected %s", queue_state_name((enum queue_state)f),
				    queue_state_name((enum queue_state)t), want ? "allowed" : "refused");
			n_ok += want;
		}
	assert_int_equal(n_ok, (int)(sizeof spec_allowed / sizeof spec_allowed[0]));
	assert_false(queue_transition_allowed((enum queue_state)-1, QS_PENDING));
	assert_false(queue_transition_allowed(QS_PENDING, QS__COUNT));
	/* Final states have no way out but (for failed) an operator requeue. */
	assert_true(queue_state_is_final(QS_ACCEPTED));
	assert_true(queue_state_is_final(QS_REFUSED));
	assert_true(queue_state_is_final(QS_CANCELLED));
	assert_true(queue_state_is_final(QS_FAILED));
	assert_false(queue_state_is_final(QS_SENT));
	assert_false(queue_state_is_final(QS_HELD));
}

/* Shortest path of allowed moves from pending to target (BFS over the spec). */
static int
path_to(enum queue_state target, enum queue_state *path)
{
	int prev[QS__COUNT], seen[QS__COUNT] = { 0 }, queue[QS__COUNT], h = 0, t = 0;
	queue[t++] = QS_PENDING;
	seen[QS_PENDING] = 1;
	prev[QS_PENDING] = -1;
	while (h < t) {
		int s = queue[h++];
		for (int n = 0; n < QS__COUNT; n++)
			if (!seen[n] && spec_ok((enum queue_state)s, (enum queue_state)n)) {
				seen[n] = 1;
				prev[n] = s;
				queue[t++] = n;
			}
	}
	assert_true(seen[target]);
	int len = 0, rev[QS__COUNT];
	for (int s = (int)target; s != -1; s = prev[s])
		rev[len++] = s;
	for (int i = 0; i < len; i++)
		path[i] = (enum queue_state)rev[len - 1 - i];
	return len;
}

static void
test_backend_enforces_every_pair(void **state)
{
	(void)state;
	char dir[] = "/tmp/gwstateXXXXXX", path[128], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/q.db", dir);
	struct queue *q;
	assert_int_equal(queue_sqlite_ops.open(&q, path, err, sizeof err), GW_OK);
	int refused = 0, done = 0;
	for (int f = 0; f < QS__COUNT; f++) {
		for (int t = 0; t < QS__COUNT; t++) {
			struct queue_msg m;
			memset(&m, 0, sizeof m);
			snprintf(m.record_id, sizeof m.record_id, "R-%d-%d", f, t);
			m.revision = 1;
			snprintf(m.kind, sizeof m.kind, "dimona-in");
			snprintf(m.channel, sizeof m.channel, "dimona-rest");
			m.state = QS_PENDING;
			assert_int_equal(queue_enqueue(q, &m, 1, NULL), GW_OK);
			enum queue_state p[QS__COUNT];
			int len = path_to((enum queue_state)f, p);
			for (int i = 1; i < len; i++)
				assert_int_equal(queue_transition(q, m.id, p[i - 1], p[i], "test", "setup"),
				    GW_OK);
			/* A stale `from` is refused even when the move itself is legal. */
			if (f != QS_PENDING && queue_transition_allowed(QS_PENDING, (enum queue_state)t))
				assert_int_equal(queue_transition(q, m.id, QS_PENDING,
				    (enum queue_state)t, "test", "stale"), GW_ESTATE);
			gw_rc rc = queue_transition(q, m.id, (enum queue_state)f, (enum queue_state)t,
			    "test", "pair");
			struct queue_msg got;
			assert_int_equal(q->ops->get(q, m.id, &got), GW_OK);
			if (spec_ok((enum queue_state)f, (enum queue_state)t)) {
				assert_int_equal(rc, GW_OK);
				assert_int_equal(got.state, t);
				done++;
			} else {
				assert_int_equal(rc, GW_ESTATE);
				assert_int_equal(got.state, f);     /* unchanged */
				refused++;
			}
			queue_msg_free(&got);
		}
	}
	assert_int_equal(done + refused, QS__COUNT * QS__COUNT);
	assert_int_equal(queue_transition(q, "no-such-id", QS_PENDING, QS_HELD, "t", "x"),
	    GW_ENOTFOUND);
	q->ops->close(q);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_table_matches_spec),
		cmocka_unit_test(test_backend_enforces_every_pair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

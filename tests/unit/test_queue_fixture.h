/* test_queue_fixture.h - reading a queue back in the queue and runner
 * tests: a message's state, whether its history says something, and
 * enqueueing a bare pending message. Header-only, test code. */
#ifndef TEST_QUEUE_FIXTURE_H
#define TEST_QUEUE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "queue/queue.h"

/* The state of message id; *out (when not NULL) gets the whole message,
 * to be freed with queue_msg_free. */
static inline enum queue_state
tq_state_of(struct queue *q, const char *id, struct queue_msg *out)
{
	struct queue_msg m;
	assert_int_equal(q->ops->get(q, id, &m), GW_OK);
	enum queue_state s = m.state;
	if (out != NULL)
		*out = m;
	else
		queue_msg_free(&m);
	return s;
}

/* Whether one of id's history events gives a reason containing text. */
static inline int
tq_history_has(struct queue *q, const char *id, const char *text)
{
	struct queue_event *ev = NULL;
	size_t n = 0;
	int found = 0;
	assert_int_equal(q->ops->history(q, id, &ev, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		found |= strstr(ev[i].why, text) != NULL;
	free(ev);
	return found;
}

/* Enqueue one pending message on channel; its id into id_out. own_name
 * (may be NULL) is its remote_ref2, a DmfA-style submission name. */
static inline void
tq_add(struct queue *q, const char *channel, const char *rid, uint32_t rev, const char *kind,
       const char *dep, int64_t expires, const char *own_name, char *id_out)
{
	struct queue_msg m;
	memset(&m, 0, sizeof m);
	snprintf(m.record_id, sizeof m.record_id, "%s", rid);
	m.revision = rev;
	snprintf(m.kind, sizeof m.kind, "%s", kind);
	snprintf(m.channel, sizeof m.channel, "%s", channel);
	snprintf(m.depends_on, sizeof m.depends_on, "%s", dep ? dep : "");
	snprintf(m.remote_ref2, sizeof m.remote_ref2, "%s", own_name ? own_name : "");
	m.expires_ms = expires;
	m.state = QS_PENDING;
	assert_int_equal(queue_enqueue(q, &m, 1, NULL), GW_OK);
	snprintf(id_out, QUEUE_ID_MAX + 1, "%s", m.id);
}

#endif

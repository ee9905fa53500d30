/*
 * queue/helpers.c - the queue operations most callers use, written once
 * over the backend's core (queue.h): enqueue over enqueue_each; transition,
 * update, update_transition and add_event as one step of move_many;
 * by_record as a list. A backend (SQLite now, PostgreSQL later) implements
 * only the core dozen.
 *
 * Owns nothing persistent. Must never reach past the ops table, never
 * allow a move the state table refuses (queue_transition_allowed decides
 * before the backend is asked).
 */
#include "queue/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gw_rc
queue_enqueue(struct queue *q, struct queue_msg *msgs, size_t n, size_t *dups)
{
	unsigned char stackbuf[256], *dup = n <= sizeof stackbuf ? stackbuf : malloc(n);
	if (dup == NULL)
		return GW_ENOMEM;
	gw_rc rc = q->ops->enqueue_each(q, msgs, n, dup);
	if (dups != NULL) {
		*dups = 0;
		for (size_t i = 0; rc == GW_OK && i < n; i++)
			*dups += dup[i];
	}
	if (dup != stackbuf)
		free(dup);
	return rc;
}

/* One step of move_many: the call's own failure, else the step's verdict. */
static gw_rc
queue_one_step(struct queue *q, struct queue_move *x, const char *actor)
{
	gw_rc rc = q->ops->move_many(q, x, 1, actor, NULL);
	return rc != GW_OK ? rc : x->rc;
}

gw_rc
queue_transition(struct queue *q, const char *id, enum queue_state from, enum queue_state to,
                 const char *actor, const char *why)
{
	/* from == to would be a note for move_many: a transition it is not. */
	if (!queue_transition_allowed(from, to))
		return GW_ESTATE;
	struct queue_move x = { .id = id, .from = from, .to = to, .why = why };
	return queue_one_step(q, &x, actor);
}

gw_rc
queue_update(struct queue *q, const struct queue_msg *m)
{
	struct queue_move x = { .id = m->id, .fields = m, .from = QUEUE_ANY_STATE,
	                        .to = QUEUE_ANY_STATE };
	return queue_one_step(q, &x, "");
}

gw_rc
queue_update_transition(struct queue *q, const struct queue_msg *m, enum queue_state from,
                        enum queue_state to, const char *actor, const char *why)
{
	if (!queue_transition_allowed(from, to))
		return GW_ESTATE;
	struct queue_move x = { .id = m->id, .fields = m, .from = from, .to = to, .why = why };
	return queue_one_step(q, &x, actor);
}

gw_rc
queue_add_event(struct queue *q, const char *id, const struct queue_event *ev)
{
	struct queue_move x = { .id = id, .from = QUEUE_ANY_STATE, .to = QUEUE_ANY_STATE,
	                        .what = ev->what, .why = ev->why };
	return queue_one_step(q, &x, ev->actor);
}

gw_rc
queue_by_record(struct queue *q, const char *record_id, struct queue_msg **out, size_t *n)
{
	struct queue_filter f = { .state = -1, .record_id = record_id, .with_bodies = 1,
	                          .newest_first = 1 };
	return q->ops->list(q, &f, out, n);
}

gw_rc
queue_move_many(struct queue *q, struct queue_move *mv, size_t n, const char *actor,
                size_t *n_done)
{
	return q->ops->move_many(q, mv, n, actor, n_done);
}

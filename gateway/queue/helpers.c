/*
 * queue/helpers.c - the queue operations most callers use, written once
 * over the backend's core (queue.h): enqueue over enqueue_each; transition,
 * update, update_transition and add_event as one step of move_many;
 * by_record as a list; the leases per worker (for `gateway status`) as two
 * lists. A backend (SQLite now, PostgreSQL later) implements only the core
 * fifteen.
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

/* The leases per worker: what each owner holds in building and sending,
 * and its earliest expiry, ordered by owner name. */
gw_rc
queue_lease_sums(struct queue *q, struct queue_lease_sum **out, size_t *n)
{
	static const enum queue_state inflight[] = { QS_BUILDING, QS_SENDING };
	struct queue_lease_sum *v = NULL;
	size_t k = 0;
	gw_rc rc = GW_OK;
	*out = NULL;
	*n = 0;
	for (size_t s = 0; s < 2 && rc == GW_OK; s++) {
		struct queue_filter f = { .state = (int)inflight[s] };
		struct queue_msg *l = NULL;
		size_t nl = 0;
		if ((rc = q->ops->list(q, &f, &l, &nl)) != GW_OK)
			break;
		for (size_t i = 0; i < nl && rc == GW_OK; i++) {
			size_t j = 0;
			while (j < k && strcmp(v[j].owner, l[i].lease_owner) != 0)
				j++;
			if (j == k) {
				struct queue_lease_sum *nv = realloc(v, (k + 1) * sizeof *v);
				if (nv == NULL) {
					rc = GW_ENOMEM;
					break;
				}
				v = nv;
				memset(&v[k], 0, sizeof v[k]);
				snprintf(v[k].owner, sizeof v[k].owner, "%s", l[i].lease_owner);
				v[k].earliest_until_ms = l[i].lease_until_ms;
				k++;
			}
			if (inflight[s] == QS_BUILDING)
				v[j].building++;
			else
				v[j].sending++;
			if (l[i].lease_until_ms < v[j].earliest_until_ms)
				v[j].earliest_until_ms = l[i].lease_until_ms;
		}
		for (size_t i = 0; i < nl; i++)
			queue_msg_free(&l[i]);
		free(l);
	}
	if (rc != GW_OK) {
		free(v);
		return rc;
	}
	/* By owner: the same order whatever order the backend listed in. */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1].owner, v[j].owner) > 0; j--) {
			struct queue_lease_sum t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	*n = k;
	return GW_OK;
}

/*
 * retention.c - the purge of personal data past its keeping period
 * (service/retention.h).
 *
 * Owns the choice of what goes: final messages older than the cutoff, read
 * through the queue interface (list, get) and purged one by one through
 * its forget_content operation, so that a message is either whole or
 * purged with its "retention" event, never half of it. Must never touch a
 * message that is not final: it may still have to be built or sent.
 */
#include "service/retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enum queue_state final_states[] = {
	QS_ACCEPTED, QS_ACCEPTED_WARNINGS, QS_REFUSED, QS_FAILED, QS_CANCELLED,
};

/* Purge (or weigh, when dry) one candidate; GW_ESTATE when it moved. */
static gw_rc
one(struct queue *q, const char *id, int64_t cutoff_ms, int dry, const char *actor,
    void (*report)(void *, const struct retention_item *), void *cls,
    struct retention_totals *tot)
{
	struct queue_msg m;
	memset(&m, 0, sizeof m);
	gw_rc rc = q->ops->get(q, id, &m);
	if (rc != GW_OK)
		return rc;
	struct retention_item it = { &m, m.body ? m.body_len : 0, m.payload ? strlen(m.payload) : 0 };
	int had = m.body != NULL || m.payload != NULL || m.body_file[0] != '\0';
	if (!queue_state_is_final(m.state) || m.updated_ms >= cutoff_ms) {
		rc = GW_ESTATE;                         /* moved since it was listed */
	} else if (!dry && had) {
		char why[120];
		snprintf(why, sizeof why, "body and payload purged (last change before the keeping "
		    "period's cutoff %lld ms)", (long long)cutoff_ms);
		rc = q->ops->forget_content(q, id, actor, why, &had);
	}
	if (rc == GW_OK) {
		if (had) {
			tot->purged++;
			tot->body_bytes += it.body_bytes;
			tot->payload_bytes += it.payload_bytes;
			if (report != NULL)
				report(cls, &it);
		} else {
			tot->already++;
		}
	}
	queue_msg_free(&m);
	return rc;
}

gw_rc
retention_purge(struct queue *q, int64_t cutoff_ms, int dry, const char *actor,
                void (*report)(void *cls, const struct retention_item *it), void *cls,
                struct retention_totals *tot, char *errbuf, size_t errcap)
{
	memset(tot, 0, sizeof *tot);
	if (q->ops->forget_content == NULL) {
		snprintf(errbuf, errcap, "the %s queue backend cannot purge message contents",
		    q->ops->name);
		return GW_ECONFIG;
	}
	for (size_t k = 0; k < sizeof final_states / sizeof *final_states; k++) {
		struct queue_filter f = { .state = (int)final_states[k] };
		struct queue_msg *l = NULL;
		size_t n = 0;
		gw_rc rc = q->ops->list(q, &f, &l, &n);
		if (rc != GW_OK) {
			snprintf(errbuf, errcap, "cannot list the %s messages: %s",
			    queue_state_name(final_states[k]), gw_rc_name(rc));
			return rc;
		}
		tot->final_msgs += n;
		for (size_t i = 0; i < n && rc == GW_OK; i++) {
			if (l[i].updated_ms < cutoff_ms) {
				rc = one(q, l[i].id, cutoff_ms, dry, actor, report, cls, tot);
				if (rc == GW_ESTATE || rc == GW_ENOTFOUND)
					rc = GW_OK;
				else if (rc != GW_OK)
					snprintf(errbuf, errcap, "%s: %s", l[i].id, gw_rc_name(rc));
			}
		}
		for (size_t i = 0; i < n; i++)
			queue_msg_free(&l[i]);
		free(l);
		if (rc != GW_OK)
			return rc;
	}
	return GW_OK;
}

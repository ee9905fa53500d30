/*
 * needs.c - what needs the operator (needs.h), read from the queue.
 *
 * The DmfA figures are read back from the message's own bytes (the
 * quarter, the employer's number and NetOwedAmount the gateway wrote):
 * what was filed is what is shown, not a second computation of it.
 */
#include "service/needs.h"
#include "core/array.h"
#include "core/params.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The payload's start date (YYYY-MM-DD) into day; 0 when absent. */
static int
payload_start(const char *payload, gw_ymd *day)
{
	json_t *j = payload ? json_loads(payload, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(j, "start_date"));
	char why[64];
	int ok = s != NULL && date_parse(s, strlen(s), day, why, sizeof why) == GW_OK;
	json_decref(j);
	return ok;
}

static int
cmp_due(const void *a, const void *b)
{
	const struct need_due *x = a, *y = b;
	return x->start != y->start ? (x->start > y->start) - (x->start < y->start)
	    : strcmp(x->record_id, y->record_id);
}

gw_rc
needs_due(struct queue *q, gw_ymd first, gw_ymd last, struct need_due **out, size_t *n)
{
	static const enum queue_state open[] = { QS_PENDING, QS_BUILDING, QS_READY, QS_SENDING,
	    QS_SENT, QS_REFUSED, QS_FAILED, QS_HELD };
	size_t cap = 0;
	gw_rc rc = GW_OK;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < sizeof open / sizeof open[0] && rc == GW_OK; i++) {
		struct queue_filter f = { .state = (int)open[i], .with_bodies = 1 };
		struct queue_msg *l = NULL;
		size_t k = 0;
		if ((rc = q->ops->list(q, &f, &l, &k)) != GW_OK)
			break;
		for (size_t j = 0; j < k; j++) {
			gw_ymd start;
			if (rc == GW_OK && strcmp(l[j].kind, "dimona-in") == 0 &&
			    payload_start(l[j].payload, &start) && start >= first && start <= last &&
			    (rc = ARRAY_RESERVE(*out, *n, cap, 16)) == GW_OK) {
				struct need_due *d = &(*out)[(*n)++];
				memcpy(d->msg_id, l[j].id, sizeof d->msg_id);
				memcpy(d->record_id, l[j].record_id, sizeof d->record_id);
				d->start = start;
				d->state = l[j].state;
				memcpy(d->why, l[j].last_error, sizeof d->why);
			}
			queue_msg_free(&l[j]);
		}
		free(l);
	}
	if (rc == GW_OK && *n > 1)
		qsort(*out, *n, sizeof **out, cmp_due);
	return rc;
}

gw_ymd
needs_dmfa_due(int quarter)
{
	int y = quarter / 10, month = (quarter % 10) * 3 + 1;   /* the month after */
	if (month > 12) {
		month -= 12;
		y++;
	}
	int next = month == 12 ? 1 : month + 1, ny = month == 12 ? y + 1 : y;
	return date_add_days(date_make(ny, next, 1), -1);
}

int
needs_dmfa_next(gw_ymd today, gw_ymd *due)
{
	int y = today / 10000, qn = ((today / 100 % 100) - 1) / 3 + 1;
	int prev = qn == 1 ? (y - 1) * 10 + 4 : y * 10 + qn - 1;
	int next = today <= needs_dmfa_due(prev) ? prev : y * 10 + qn;
	*due = needs_dmfa_due(next);
	return next;
}

/* The integer text of the first <tag> in body, or -1. */
static long long
xml_int(const char *body, const char *tag)
{
	char open[64];
	snprintf(open, sizeof open, "<%s>", tag);
	const char *p = body ? strstr(body, open) : NULL;
	return p ? strtoll(p + strlen(open), NULL, 10) : -1;
}

static int
cmp_dmfa(const void *a, const void *b)
{
	const struct need_dmfa *x = a, *y = b;
	return x->quarter != y->quarter ? (x->quarter > y->quarter) - (x->quarter < y->quarter)
	    : (x->noss > y->noss) - (x->noss < y->noss);
}

/* One DmfA message read back into d. */
static void
dmfa_read(struct queue *q, const struct queue_msg *m, struct need_dmfa *d)
{
	struct queue_msg full;
	memset(d, 0, sizeof *d);
	memcpy(d->msg_id, m->id, sizeof d->msg_id);
	memcpy(d->kind, m->kind, sizeof d->kind);
	d->state = m->state;
	if (q->ops->get(q, m->id, &full) != GW_OK)
		return;
	long long quarter = xml_int(full.body, "Quarter");
	long long noss = xml_int(full.body, "NOSSRegistrationNbr");
	d->quarter = quarter > 0 && quarter < 100000 ? (int)quarter : 0;
	d->noss = noss > 0 && noss < 1000000000 ? (uint32_t)noss : 0;
	d->owed_cents = xml_int(full.body, "NetOwedAmount");
	d->due = d->quarter ? needs_dmfa_due(d->quarter) : 0;
	queue_msg_free(&full);
}

gw_rc
needs_dmfa(struct queue *q, struct need_dmfa **out, size_t *n)
{
	struct queue_filter f = { .state = -1, .channel = "onss-batch" };
	struct queue_msg *l = NULL;
	size_t k = 0, cap = 0;
	gw_rc rc = q->ops->list(q, &f, &l, &k);
	*out = NULL;
	*n = 0;
	for (size_t j = 0; j < k; j++) {
		if (rc == GW_OK && strncmp(l[j].kind, "dmfa", 4) == 0 &&
		    (rc = ARRAY_RESERVE(*out, *n, cap, 8)) == GW_OK)
			dmfa_read(q, &l[j], &(*out)[(*n)++]);
		queue_msg_free(&l[j]);
	}
	free(l);
	if (rc == GW_OK && *n > 1)
		qsort(*out, *n, sizeof **out, cmp_dmfa);
	return rc;
}

gw_rc
needs_batch_unsendable(struct queue *q, uint64_t *n)
{
	static const enum queue_state waiting[] = { QS_PENDING, QS_BUILDING, QS_READY, QS_SENDING,
	    QS_SENT };
	const char *url = param_str(P_BATCH_SFTP_URL);
	struct queue_stats st;
	*n = 0;
	if (url != NULL && url[0] != '\0')
		return GW_OK;
	gw_rc rc = q->ops->stats(q, "onss-batch", &st);
	if (rc != GW_OK)
		return rc;
	for (size_t i = 0; i < sizeof waiting / sizeof waiting[0]; i++)
		*n += st.count[waiting[i]];
	return GW_OK;
}

int
needs_batch_unsendable_line(uint64_t n, char *buf, size_t cap)
{
	if (n == 0) {
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	snprintf(buf, cap, NEEDS_BATCH_NO_SFTP ": %llu onss-batch message%s (DmfA, Dimona batches)"
	    " will not be sent until [onss_batch] sftp_url is set", (unsigned long long)n,
	    n == 1 ? "" : "s");
	return 1;
}

/*
 * needs.h - what needs the operator, computed once for every view of it
 * (the dashboard, `gateway summary`): work that starts soon without an
 * accepted Dimona, the DmfA per quarter and employer with what is owed
 * and by when, and batch messages that no configured channel can send.
 */
#ifndef GW_SERVICE_NEEDS_H
#define GW_SERVICE_NEEDS_H

#include <stddef.h>
#include <stdint.h>
#include "core/date.h"
#include "queue/queue.h"

/* A Dimona IN not accepted whose work starts within the asked days. */
struct need_due {
	char msg_id[QUEUE_ID_MAX + 1];
	char record_id[QUEUE_ID_MAX + 1];
	gw_ymd start;
	enum queue_state state;
	char why[512];
};

/* One DmfA message: quarter, employer, what it declares owed. */
struct need_dmfa {
	char msg_id[QUEUE_ID_MAX + 1];
	char kind[QUEUE_KIND_MAX + 1];
	enum queue_state state;
	int quarter;                    /* YYYYQ, 0 when unreadable */
	uint32_t noss;
	int64_t owed_cents;
	gw_ymd due;                     /* the last day of the month after the quarter */
};

/* Dimona INs not accepted (nor cancelled) starting from first to last
 * (inclusive), earliest first; *out malloc'd. */
gw_rc needs_due(struct queue *q, gw_ymd first, gw_ymd last, struct need_due **out, size_t *n);
/* Every DmfA message, by quarter then employer; *out malloc'd. */
gw_rc needs_dmfa(struct queue *q, struct need_dmfa **out, size_t *n);
/* The DmfA of quarter YYYYQ is due on the last day of the month after it. */
gw_ymd needs_dmfa_due(int quarter);
/* The next DmfA due on or after today: its quarter (returned) and *due. */
int needs_dmfa_next(gw_ymd today, gw_ymd *due);

/* What every view says of onss-batch messages waiting while no SFTP is
 * configured (`gateway run` serves that channel only when it is). */
#define NEEDS_BATCH_NO_SFTP "DmfA waiting: no [onss_batch] sftp configured"
/* How many onss-batch messages wait (not final, not held) while
 * [onss_batch] sftp_url is empty: `gateway run` never sends them, and
 * their next attempt stays "now". 0 when the channel is configured. */
gw_rc needs_batch_unsendable(struct queue *q, uint64_t *n);
/* The line for them ("DmfA waiting: ... 2 onss-batch messages ..."),
 * into buf; 0 when there are none. */
int needs_batch_unsendable_line(uint64_t n, char *buf, size_t cap);

#endif

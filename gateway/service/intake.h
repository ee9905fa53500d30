/*
 * intake.h - contract records into the queue.
 *
 * For each valid record: its canonical JSON is the payload; the record
 * store (store/store.h) says what is known of it, and the pure decision
 * (intake_decide.h) whether it is new, a replay (same or older revision:
 * nothing happens), a conflicting replay (same revision, other content:
 * rejected) or a new revision (followup.h decides the message, or none: the
 * revision is then kept in the store for the DmfA). Messages and store rows
 * are committed in one unit of work per batch; nothing is reported as taken
 * in before its commit returned. Horeca occasional (EXT) days are held back to the end of the
 * file and taken in by runs (intake_series.h): three consecutive days or
 * more are one OTH period; a later revision of a day of such a run acts on
 * the run's period. A run is record-store rows (its members, each day's
 * own revision), never a message.
 */
#ifndef GW_SERVICE_INTAKE_H
#define GW_SERVICE_INTAKE_H

#include <stdio.h>
#include "core/progress.h"
#include "queue/queue.h"
#include "records/contract.h"

struct intake_opts {
	const char *channel;      /* queue channel of Dimona messages ([dimona] channel, dimona-rest) */
	int64_t expiry_ms;        /* time to live of a message ([queue] expiry_s, 259200 = 72 h; 0 = never) */
	size_t batch;             /* records per transaction ([intake] batch, 1000) */
	struct progress *progress;/* records read so far, drawn there; NULL: none */
	int caller_keeps_rejections; /* 0: refused records kept in the record store
	                             under the file's name; 1: the caller keeps them
	                             (the intake API, under "api") */
};

struct intake_stats {
	unsigned long read, rejected, queued_records, messages, replayed, unchanged, no_change;
};

enum intake_verdict {
	IV_QUEUE,                 /* out[0..n) are to be enqueued */
	IV_REPLAY,                /* an older revision: changes nothing */
	IV_UNCHANGED,             /* the same revision again, same content */
	IV_NOTHING,               /* a new revision with nothing to declare: no
	                             message; its canonical JSON (*keep) goes to the
	                             record store for the DmfA */
	IV_CONFLICT,              /* same revision, different content: rejected */
	IV_REFUSED                /* the Dimona rules refuse what it would declare
	                             (the build would): rejected, naming the field */
};

void intake_opts_default(struct intake_opts *o);
/* Decide what record c produces, reading q and its store (a handle the
 * caller may use from its own thread). out[] payloads are malloc'd:
 * queue_msg_free; *keep (keep may be NULL) is the JSON to keep when
 * IV_NOTHING or when c is a new revision of a Horeca run's day (its run
 * row is written by intake_contracts only), malloc'd. */
gw_rc intake_prepare(struct queue *q, const struct contract *c, const struct intake_opts *o,
                     struct queue_msg out[2], size_t *n, enum intake_verdict *v, char **keep,
                     char *why, size_t whycap);
/* Take a whole contract file in, batch by batch; rejections printed to rej
 * one line each. GW_ETEMP: the queue refused (disk nearly full, busy):
 * what was committed before stays, the rest was not taken. */
gw_rc intake_contracts(struct queue *q, const char *path, const struct intake_opts *o,
                       struct intake_stats *st, FILE *rej, char *errbuf, size_t errcap);

#endif

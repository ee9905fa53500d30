/*
 * intake_series.h - the Horeca occasional-worker rule at intake.
 *
 * An occasional (EXT) worker in Horeca (302) on more than two consecutive
 * days with one employer is one OTH period (dimona_merge_ext_series), or
 * the ONSS refuses the third day (00910-459). Intake holds back the first
 * revisions of such EXT days until the end of the file (or until the hold
 * is full), then turns each run into one dimona-in for the run's first
 * record carrying the merged OTH period, and record-store rows: a run
 * member (store_run_member) for every record of the run, naming the run's
 * IN ("merged into <first id>"), and the record's own revision with its
 * content (a merged day has no message that carries it: the DmfA and a
 * replay read it from the store). Messages and rows go in one unit of work
 * (store_unit): a run is never a message, nothing is held or settled.
 */
#ifndef GW_SERVICE_INTAKE_SERIES_H
#define GW_SERVICE_INTAKE_SERIES_H

#include "queue/queue.h"
#include "store/store.h"
#include "records/contract.h"

/* A record whose IN is held back, with the message it would have sent. */
struct intake_held {
	struct contract c;
	struct queue_msg in;       /* kind dimona-in, payload = c's canonical JSON */
	char why[256];             /* set by resolve when the record is refused */
};

/* The store rows runs leave beside their messages: members, and the
 * revisions of the records whose content no message carries (payloads
 * malloc'd). */
struct intake_run_rows {
	struct store_run_member *m;
	size_t n, cap;
	struct store_revision *kept;
	size_t nkept, capk;
};

/* Is c an active Horeca EXT contract (the rule may apply)? */
int intake_series_applies(const struct contract *c);

/* Turn v[0..n) into messages and run rows, with the days of the same
 * workers that earlier intakes took in (the store's worker-day index): a
 * run of three or more days is one OTH period; EXT periods already
 * declared in it are cancelled first (the OTH IN waits for them); a day
 * that extends a run already merged updates that run's period. *out is
 * malloc'd (*nout messages; the held payloads move there or into rows); a
 * record that cannot be placed gets v[i].why and no message. *runs: runs
 * merged or extended. A stored revision that cannot be read stops it
 * (err names the record). */
gw_rc intake_series_resolve(struct queue *q, struct intake_held *v, size_t n,
                            struct queue_msg **out, size_t *nout, struct intake_run_rows *rows,
                            size_t *runs, char *err, size_t errcap);
/* The worker-day index rows of the held records not refused (*rows
 * malloc'd). */
gw_rc intake_series_days(const struct intake_held *v, size_t n, struct store_day **rows,
                         size_t *nrows);

/* A new revision of a record merged into a run (the store's run members
 * say which). *in_run 0: it is not (or the run's IN never took effect);
 * decide as usual. Else out[0..n): an UPDATE of the run's OTH period when
 * it changes, and *member: the revision's run row (the caller keeps its
 * JSON in the store); in_run set, *member.msg_id "" and why set: the
 * revision breaks the run and is refused. */
gw_rc intake_series_followup(struct queue *q, const struct contract *c, const char *channel,
                             int64_t expires_ms, struct queue_msg out[1], size_t *n,
                             struct store_run_member *member, int *in_run, char *why,
                             size_t whycap, char *err, size_t errcap);

/* Add a run row for c (msg_id: the run's IN); payload (ownership taken,
 * may be NULL: a message carries the revision) becomes its kept revision. */
gw_rc intake_run_rows_add(struct intake_run_rows *r, const struct contract *c,
                          const char *msg_id, int head, const char *why, char *payload);
/* Free the rows and their payloads; r is empty after. */
void intake_run_rows_clear(struct intake_run_rows *r);

#endif

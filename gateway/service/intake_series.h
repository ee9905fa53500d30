/*
 * intake_series.h - the Horeca occasional-worker rule at intake.
 *
 * An occasional (EXT) worker in Horeca (302) on more than two consecutive
 * days with one employer is one OTH period (dimona_merge_ext_series), or
 * the ONSS refuses the third day (00910-459). Intake holds back the first
 * revisions of such EXT days until the end of the file (or until the hold
 * is full), then turns each run into: one dimona-in for the run's first
 * record carrying the merged OTH period, a "dimona-run" marker on that
 * record, and a "dimona-merged" marker on every later record of the run
 * ("merged into <first id>"). Markers are never sent: they are born held
 * and cancelled right after the commit; they keep each record's original
 * payload (so the records table hashes what was taken in and a replay
 * changes nothing) and name the run's IN in depends_on (so a later
 * revision of any day can find the run again).
 */
#ifndef GW_SERVICE_INTAKE_SERIES_H
#define GW_SERVICE_INTAKE_SERIES_H

#include "queue/queue.h"
#include "store/store.h"
#include "records/contract.h"

#define INTAKE_KIND_RUN    "dimona-run"
#define INTAKE_KIND_MERGED "dimona-merged"

/* A record whose IN is held back, with the message it would have sent. */
struct intake_held {
	struct contract c;
	struct queue_msg in;       /* kind dimona-in, payload = c's canonical JSON */
	char why[256];             /* set by resolve when the record is refused */
};

/* Is c an active Horeca EXT contract (the rule may apply)? */
int intake_series_applies(const struct contract *c);
/* Is kind one of the never-sent markers? */
int intake_series_is_marker(const char *kind);

/* Turn v[0..n) into messages, with the days of the same workers that
 * earlier intakes took in (the store's worker-day index): a run of three
 * or more days is one OTH period; EXT periods already declared in it are
 * cancelled first (the OTH IN waits for them); a day that extends a run
 * already merged updates that run's period. *out is malloc'd (*nout
 * messages; the held payloads move there); a record that cannot be
 * placed gets v[i].why and no message. *runs: runs merged or extended. */
gw_rc intake_series_resolve(struct queue *q, struct intake_held *v, size_t n,
                            struct queue_msg **out, size_t *nout, size_t *runs);
/* The worker-day index rows of the held records not refused (*rows
 * malloc'd). */
gw_rc intake_series_days(const struct intake_held *v, size_t n, struct store_day **rows,
                         size_t *nrows);

/* A new revision of a record merged into a run (list: the record's
 * messages). *in_run 0: it is not (or the run's IN never took effect);
 * decide as usual. Else out[0..n): an UPDATE of the run's OTH period when
 * it changes, then the record's marker; n 0 with why set: the revision
 * breaks the run and is refused. */
gw_rc intake_series_followup(struct queue *q, const struct contract *c, const char *json,
                             const struct queue_msg *list, size_t nl, const char *channel,
                             int64_t expires_ms, struct queue_msg out[2], size_t *n,
                             int *in_run, char *why, size_t whycap);

/* After the commit: move the markers among msgs (those not duplicates)
 * from held to cancelled, saying why. */
gw_rc intake_series_settle(struct queue *q, const struct queue_msg *msgs, size_t n,
                           const unsigned char *dup);

/* Settle the markers a crash left held (called when intake starts). */
gw_rc intake_series_settle_left(struct queue *q);

/* Which held messages a settle cancels (intake.c adds its kept revisions). */
typedef int (*intake_settle_pick)(const struct queue_msg *m);

/* After the commit: move the picked messages among msgs (those not
 * duplicates) from held to cancelled, all in one transaction, saying why. */
gw_rc intake_series_settle_picked(struct queue *q, const struct queue_msg *msgs, size_t n,
                                  const unsigned char *dup, intake_settle_pick pick);

/* Settle the picked messages that f lists (held ones a crash left). */
gw_rc intake_series_settle_listed(struct queue *q, const struct queue_filter *f,
                                  intake_settle_pick pick);

#endif

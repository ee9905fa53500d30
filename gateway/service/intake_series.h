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
#include "records/contract.h"

#define INTAKE_KIND_RUN    "dimona-run"
#define INTAKE_KIND_MERGED "dimona-merged"

/* A record whose IN is held back, with the message it would have sent. */
struct intake_held {
	struct contract c;
	struct queue_msg in;       /* kind dimona-in, payload = c's canonical JSON */
};

/* Is c an active Horeca EXT contract (the rule may apply)? */
int intake_series_applies(const struct contract *c);
/* Is kind one of the never-sent markers? */
int intake_series_is_marker(const char *kind);

/* Turn v[0..n) into messages: out must hold 2n; the held messages'
 * payloads move to out (v[i].in is emptied). *runs: how many runs of three
 * or more days were merged. */
gw_rc intake_series_resolve(struct intake_held *v, size_t n, struct queue_msg *out,
                            size_t *nout, size_t *runs);

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

#endif

/*
 * retention.h - purging personal data past its keeping period.
 *
 * A final message (accepted, accepted with warnings, refused, failed,
 * cancelled) whose last change is older than the keeping period loses what
 * it carries of personal data: the bytes sent (body) and the record it was
 * built from (payload). What the audit needs stays: ids, record id and
 * revision, kind, state, the ONSS references, the content hash of what was
 * sent, the times, the last error and the whole history, to which a
 * "retention" event is added. Messages still in flight or held are never
 * touched, whatever their age.
 */
#ifndef GW_SERVICE_RETENTION_H
#define GW_SERVICE_RETENTION_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "queue/queue.h"

/* One message purged (or that would be, on a dry run). */
struct retention_item {
	const struct queue_msg *m;     /* as it was before the purge */
	size_t body_bytes, payload_bytes;
};

struct retention_totals {
	size_t final_msgs;             /* final messages looked at */
	size_t purged;                 /* purged (or would be) */
	size_t already;                /* old enough, but nothing left to purge */
	uint64_t body_bytes, payload_bytes;
};

/* Purge every final message last changed before cutoff_ms (dry: only
 * report). report is called once per purged message, after its commit.
 * GW_ECONFIG when the backend has no forget_content. A message that moved
 * meanwhile (GW_ESTATE) is left alone and not counted. */
gw_rc retention_purge(struct queue *q, int64_t cutoff_ms, int dry, const char *actor,
                      void (*report)(void *cls, const struct retention_item *it), void *cls,
                      struct retention_totals *tot, char *errbuf, size_t errcap);

#endif

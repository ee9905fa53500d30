/*
 * mls_service.h - Message Level Status in the service: the MLS a receiver
 * queues back to the sender's MLS_TO after validating a document, and the
 * recording of an MLS received for a document we sent.
 */
#ifndef GW_SERVICE_MLS_SERVICE_H
#define GW_SERVICE_MLS_SERVICE_H

#include <stddef.h>
#include "core/err.h"
#include "peppol/as4/as4.h"
#include "peppol/rules/validate.h"
#include "queue/queue.h"

/* Whether a received document gets an MLS back: the sender asked (MLS_TO)
 * and it is a rejection, or MLS_TYPE is ALWAYS_SEND. Never for an MLS. */
int mls_wanted(const struct as4_sbdh *h, int rejected);

/* The queue message (kind "mls", channel peppol-as4, pending, body
 * malloc'd: free with queue_msg_free) carrying the MLS that answers in:
 * AP when rep is NULL or has no fatal finding, else RE with one issue per
 * fatal rule (BV) or schema error (SV), or why (not well-formed: SV).
 * me: our AP certificate (its CN gives our SPIS id). Its record id is
 * stable for sender + instance id: a re-delivery queues no second MLS. */
gw_rc mls_answer(const struct as4_inbound *in, X509 *me, const struct invoice_report *rep,
                 const char *why, struct queue_msg *out, char *err, size_t cap);

/* Put a pending MLS message on its way: building, then ready for the
 * peppol-as4 channel (the runner sends it). */
gw_rc mls_ready(struct queue *q, struct queue_msg *m);

/* A received MLS (document of in): find the message we sent whose SBDH
 * instance id it answers and record it on that message's history (code,
 * reasons); an RE on a message still sent is its refusal (state refused,
 * the reasons as its error). GW_ENOTFOUND when it answers nothing of ours. */
gw_rc mls_record(struct queue *q, const struct as4_inbound *in, char *err, size_t cap);

#endif

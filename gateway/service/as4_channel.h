/*
 * as4_channel.h - the runner's Peppol AS4 channel (peppol-as4): invoices
 * and credit notes waiting in ready are sent to the receiving access point
 * of [peppol_as4] endpoint_url and delivered only on a verified receipt.
 */
#ifndef GW_SERVICE_AS4_CHANNEL_H
#define GW_SERVICE_AS4_CHANNEL_H

#include "core/err.h"
#include <openssl/x509.h>
#include "queue/queue.h"
#include "service/channel.h"

extern const struct channel_ops as4_channel_ops;

struct as4_channel_counts {
	unsigned long posts, receipts_verified, error_signals, bad_receipts, unreachable, built;
};

/* Whether [peppol_as4] endpoint_url is set (gateway run serves the channel). */
int as4_channel_configured(void);
/* Our AP identity, the receiver's certificate and endpoint, the outbox,
 * and [run] send_batch sender threads (POSTs in flight at once). */
gw_rc as4_channel_open(void **ctx, struct queue *q, char *errbuf, size_t errcap);
void as4_channel_close(void *ctx);
const struct as4_channel_counts *as4_channel_counts(const void *ctx);
/* The SBDH InstanceIdentifier of queue message msg_id: a UUID derived from
 * the id, so a rebuilt message names the same document and an MLS answering
 * it can be matched back (service/mls_service.c). */
void as4_channel_instance_id(const char *msg_id, char *out, size_t cap);
/* "0242:<six digits>" (the SPIS participant id) of an AP certificate's CN;
 * 0 when the CN does not end in six digits. */
int as4_channel_spis_of(X509 *cert, char *out, size_t cap);

#endif

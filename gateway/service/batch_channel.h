/*
 * batch_channel.h - the onss-batch channel for the runner: Dimona forms of
 * many messages in one signed FI/FS/GO submission, each queued DmfA as a
 * submission of its own, uploaded over SFTP; the ACRF/NOTI/DMPI/IDFLUX
 * answers fetched and applied.
 *
 * A channel_ops client of service/runner.c like the Dimona REST channel:
 * the runner owns states, attempts, back-off, expiry and recovery; this
 * channel builds, writes, uploads, looks up ("is the GO still waiting on
 * the server, or is there an answer of that name on the server or in the
 * answers folder?") and fetches answers. Owns the channel's settings
 * ([onss_batch] sftp_url, sender, env, outbox, answers, poll_interval_ms)
 * and the signing key; never sends outside group_submit.
 */
#ifndef GW_SERVICE_BATCH_CHANNEL_H
#define GW_SERVICE_BATCH_CHANNEL_H

#include <stddef.h>
#include "service/channel.h"

extern const struct channel_ops batch_channel_ops;

struct batch_channel_counts {
	size_t declarations, dmfa, fetched, applied, unmatched, moved, polls;
};

/* Whether the configuration asks for the channel ([onss_batch] sftp_url). */
int batch_channel_configured(void);

/* Settings for the channel; NULL fields take the configuration's. */
struct batch_channel_opts {
	const char *outbox, *answers, *env, *sender, *sign_cert, *sign_key;
	long interval_ms;                  /* 0: [onss_batch] poll_interval_ms (60000) */
};

/* The channel's context (settings, signer, SFTP); GW_ECONFIG with errbuf. */
gw_rc batch_channel_open(void **ctx, const struct batch_channel_opts *o, char *errbuf,
                         size_t errcap);
void batch_channel_close(void *ctx);
const struct batch_channel_counts *batch_channel_counts(const void *ctx);

#endif

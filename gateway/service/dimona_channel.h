/*
 * dimona_channel.h - the Dimona REST v2 channel for the runner.
 *
 * Builds the REST JSON from a queued contract (with the period id of the
 * IN for OUT, UPDATE and CANCEL), runs the Dimona rules before anything is
 * sent, submits, looks up after an unknown outcome, polls the result.
 */
#ifndef GW_SERVICE_DIMONA_CHANNEL_H
#define GW_SERVICE_DIMONA_CHANNEL_H

#include "service/channel.h"

extern const struct channel_ops dimona_channel_ops;

/* Most REST clients (requests in flight) of one channel. */
#define DIMONA_CHANNEL_MAX_CLIENTS 64

/* The channel's context: [run] send_batch REST clients ([dimona] keys),
 * each with its own connection and tokens. */
gw_rc dimona_channel_open(void **ctx, char *errbuf, size_t errcap);
void dimona_channel_close(void *ctx);
/* channel_ops.dep_void of every Dimona channel (REST and batch): a CANCEL
 * whose IN never took effect ends cancelled, other follow-ups fail. */
enum queue_state dimona_channel_dep_void(void *ctx, const struct queue_msg *m);

#endif

/*
 * run_channels.h - the gateway's channels served over the queue: what `gateway
 * run` and `gateway onss run` start.
 *
 * Opens the queue and the channels asked for, one runner each
 * (service/runner.c), stepped in one loop: Dimona REST
 * (service/dimona_channel.c), onss-batch (service/batch_channel.c) and
 * peppol-as4 (service/as4_channel.c).
 * With exclusive, takes the queue's run lock first (one runner per queue:
 * start-up recovery is only safe when no other runner is sending) and runs
 * the queue-wide recovery once. Prints nothing: the counts go back to the
 * command.
 */
#ifndef GW_SERVICE_RUN_CHANNELS_H
#define GW_SERVICE_RUN_CHANNELS_H

#include <signal.h>
#include "core/err.h"
#include "service/as4_channel.h"
#include "service/batch_channel.h"
#include "service/runner.h"

struct run_channels_opts {
	int once;                          /* one pass over what is due */
	int until_idle;                    /* stop when nothing is in flight or waiting */
	int rest, batch, as4;              /* the channels to serve */
	const struct batch_channel_opts *batch_opts;   /* NULL: the configuration's */
	int exclusive;                     /* run lock and start-up recovery */
	volatile sig_atomic_t *stop;       /* set by a signal: finish the step, return */
};

struct run_channels_result {
	int have_rest, have_batch, have_as4; /* which runners ran */
	struct runner_counts rest, batch, as4;
	struct batch_channel_counts bn;
	struct as4_channel_counts an;
	char err[1200];                    /* why it did not start or stopped */
};

/* Serve until done (once, idle, *stop). GW_OK also when the queue was busy
 * at the end (GW_ETEMP); anything else, with r->err. */
gw_rc run_channels(const struct run_channels_opts *o, struct run_channels_result *r);

#endif

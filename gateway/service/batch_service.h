/*
 * batch_service.h - the onss-batch channel inside `gateway run`: one turn
 * of onss/batch/send.h's batch_cycle (send what is pending, Dimona in one
 * file and each DmfA in its own; fetch answers; apply them) whenever it is
 * due, beside the Dimona REST runner, so one daemon serves both channels.
 *
 * Owns the channel's settings for the daemon ([onss_batch] sftp_url, sender,
 * env, outbox, answers, poll_interval_ms; the signing key) and its pacing.
 * Never holds a key beyond the signer and never sends outside batch_cycle.
 */
#ifndef GW_SERVICE_BATCH_SERVICE_H
#define GW_SERVICE_BATCH_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "queue/queue.h"

struct batch_service;

struct batch_service_counts {
	size_t cycles, declarations, dmfa, fetched, applied, unmatched, moved;
};

/* Whether the configuration asks for the channel ([onss_batch] sftp_url). */
int batch_service_configured(void);
/* Read the settings and the signing key; GW_ECONFIG with errbuf. */
gw_rc batch_service_open(struct batch_service **out, char *errbuf, size_t errcap);
void batch_service_close(struct batch_service *b);
/* One cycle when due (now_ms past the next poll, or work pending); *did
 * counts what moved. GW_ETEMP: the other side could not be reached. */
gw_rc batch_service_step(struct batch_service *b, struct queue *q, int64_t now_ms, size_t *did);
/* Messages of the channel still waiting for something. */
size_t batch_service_open_count(struct queue *q);
/* ms until the next cycle is due (0: now). */
int64_t batch_service_wait_ms(const struct batch_service *b, int64_t now_ms);
const struct batch_service_counts *batch_service_counts(const struct batch_service *b);

#endif

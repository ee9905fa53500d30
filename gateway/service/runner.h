/*
 * runner.h - the service loop: claim due messages, build, send, poll,
 * apply answers, retry with back-off, expire, recover at start.
 *
 * One runner serves one channel of one queue; runner_loop_all() steps the
 * runners of every channel (Dimona REST, onss-batch) in one loop. A channel
 * of one message per request or of many per submission (channel.h group
 * hooks) gets the same states, attempts, back-off, expiry and
 * lookup-before-resend. Time is passed in so tests can move the clock;
 * `gateway run` passes the wall clock.
 */
#ifndef GW_SERVICE_RUNNER_H
#define GW_SERVICE_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "queue/queue.h"
#include "service/channel.h"

struct runner_config {
	size_t  batch;            /* messages claimed per step and phase ([run] batch, 64) */
	size_t  send_batch;       /* of which at most this many into sending ([run] send_batch, 8) */
	int64_t retry_base_ms;    /* [queue] retry_base_ms, 2000 */
	int64_t retry_cap_ms;     /* [queue] retry_cap_ms, 600000 */
	int64_t dep_wait_ms;      /* re-check of an unanswered dependency ([queue] dep_wait_ms, 2000) */
	int64_t settle_ms;        /* how long an unanswered attempt may still land ([queue] settle_ms) */
	int64_t idle_sleep_ms;    /* longest sleep when nothing is due ([run] idle_sleep_ms, 1000) */
	int64_t idle_horizon_ms;  /* --until-idle: answers not due within this are left for
	                             the next run ([run] idle_horizon_ms, 30000) */
	uint64_t seed;            /* jitter seed */
	char    worker[QUEUE_OWNER_MAX + 1];  /* lease owner ([queue] worker, --worker; host:pid) */
	int64_t lease_ms;         /* lease length ([queue] lease_ms, 120000) */
};

struct runner_counts {
	unsigned long built, sent, found_by_lookup, polled, accepted, warnings, refused,
	              failed, expired, retried, recovered_building, recovered_sending;
};

struct runner;

/* Defaults from the configuration. */
void runner_config_default(struct runner_config *c);
gw_rc runner_new(struct runner **r, struct queue *q, const struct channel_ops *ch, void *ctx,
                 const struct runner_config *cfg);
void runner_free(struct runner *r);
/* Start-up recovery (see queue_ops.recover): takes over the leases of this
 * worker's previous life (its name), of dead processes of this host, and
 * every expired one; logs what moved. */
gw_rc runner_recover(struct runner *r, int64_t now_ms);
/* One pass over every phase; *did counts the messages handled. GW_ETEMP:
 * the queue was busy; try again. */
gw_rc runner_step(struct runner *r, int64_t now_ms, size_t *did);
/* Step until *stop (checked between messages), or, with until_idle, until
 * no message is left in a non-final, non-held state. */
gw_rc runner_loop(struct runner *r, int until_idle, volatile sig_atomic_t *stop);
/* The same over several runners (one per channel) in one loop. */
gw_rc runner_loop_all(struct runner **rs, size_t n, int until_idle, volatile sig_atomic_t *stop);
/* *idle: nothing to build or send, no answer due within the idle horizon;
 * *wait_ms: until the next due message (5 ms .. idle sleep). */
gw_rc runner_idle(struct runner *r, int64_t now_ms, int *idle, int64_t *wait_ms);
const struct runner_counts *runner_counts(const struct runner *r);

#endif

/*
 * service/runner.c - the scheduler of one channel: the queue's rows move
 * pending -> building -> ready -> sending -> sent -> answer here.
 *
 * Owns the order of durable steps around every network call: the attempt
 * is counted and committed before a send; a message whose earlier attempt
 * may have reached the other side is looked up before it is sent again;
 * an answer and the state it leads to are committed together. The
 * in-memory view is rebuilt from the queue at each step, so a crash loses
 * nothing but the step in progress.
 * Several workers (processes, machines) may run over one queue: what a
 * runner claims is leased to its worker name; every third of a lease it
 * renews its leases and takes over what a dead worker left (expired
 * leases, and at once those of a dead process of this host), and a
 * submission is sent under a named lease, by one worker at a time.
 * Must never send without a committed attempt, never re-send after an
 * attempt without a lookup, never drop a message silently (expiry ends in
 * failed, with the reason in the history), never take a live lease.
 */
#include "service/runner.h"
#include "core/params.h"
#include "core/config.h"
#include "core/log.h"
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

struct runner {
	struct queue *q;
	const struct channel_ops *ch;
	void *ctx;
	struct runner_config cfg;
	uint64_t rng;
	struct runner_counts n;
	struct queue_msg *buf;
	struct queue_msg *gbuf;          /* group channels: one submission's worth */
	size_t gcap;
	int until_idle;                  /* runner_loop_all's mode (for its idle log) */
	int64_t next_poll_ms;            /* group channels: next fetch even with nothing sent
	                                    (a late DMPI, an unsolicited IDFLUX) */
	int64_t next_lease_ms;           /* next heartbeat and takeover */
	int64_t renewed_ms;              /* when this worker's leases were last renewed */
	volatile sig_atomic_t *stop;
	/* The send and poll phases' moves, committed together at the end of
	 * the phase (runner_flush): one transaction, one fsync, per claimed
	 * batch instead of one per message. */
	struct {
		int on;
		int64_t now;
		struct queue_move *mv;
		char **why;                  /* each move's reason (its own copy) */
		unsigned char *wake;         /* answered: wake its follow-ups once durable */
		size_t n;
	} defer;
};

/* Configuration defaults (documented in docs/config/queue.conf). */
void
runner_config_default(struct runner_config *c)
{
	memset(c, 0, sizeof *c);
	c->batch = (size_t)param_int(P_RUN_BATCH);
	c->send_batch = (size_t)param_int(P_RUN_SEND_BATCH);
	c->retry_base_ms = param_int(P_QUEUE_RETRY_BASE_MS);
	c->retry_cap_ms = param_int(P_QUEUE_RETRY_CAP_MS);
	c->dep_wait_ms = param_int(P_QUEUE_DEP_WAIT_MS);
	c->settle_ms = param_int(P_QUEUE_SETTLE_MS);
	c->idle_sleep_ms = param_int(P_RUN_IDLE_SLEEP_MS);
	c->idle_horizon_ms = param_int(P_RUN_IDLE_HORIZON_MS);
	c->seed = (uint64_t)clock_now_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)clock_monotonic_ms();
	if (c->batch < 1 || c->batch > 4096)
		c->batch = 64;
	snprintf(c->worker, sizeof c->worker, "%s", queue_worker_name());
	c->lease_ms = param_int(P_QUEUE_LEASE_MS);
}

/* A runner for one channel. */
gw_rc
runner_new(struct runner **rp, struct queue *q, const struct channel_ops *ch, void *ctx,
           const struct runner_config *cfg)
{
	struct runner *r = calloc(1, sizeof *r);
	*rp = NULL;
	if (r == NULL)
		return GW_ENOMEM;
	r->q = q;
	r->ch = ch;
	r->ctx = ctx;
	r->cfg = *cfg;
	if (r->cfg.batch == 0)
		r->cfg.batch = 64;
	r->rng = cfg->seed ? cfg->seed : 0x5eed;
	r->defer.mv = calloc(r->cfg.batch, sizeof *r->defer.mv);
	r->defer.why = calloc(r->cfg.batch, sizeof *r->defer.why);
	r->defer.wake = calloc(r->cfg.batch, 1);
	if ((r->buf = calloc(r->cfg.batch, sizeof *r->buf)) == NULL || r->defer.mv == NULL ||
	    r->defer.why == NULL || r->defer.wake == NULL) {
		runner_free(r);
		return GW_ENOMEM;
	}
	if (ch->group_max > 0) {
		r->gcap = ch->group_max;
		if ((r->gbuf = calloc(r->gcap, sizeof *r->gbuf)) == NULL) {
			runner_free(r);
			return GW_ENOMEM;
		}
	}
	*rp = r;
	return GW_OK;
}

void
runner_free(struct runner *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->gbuf);
	free(r->defer.mv);
	free(r->defer.why);
	free(r->defer.wake);
	free(r);
}

const struct runner_counts *runner_counts(const struct runner *r) { return &r->n; }

static int stopping(const struct runner *r) { return r->stop != NULL && *r->stop; }

/* How often leases are renewed and dead workers' work taken over. */
static int64_t
runner_lease_period(const struct runner *r)
{
	return r->cfg.lease_ms / 3 > 0 ? r->cfg.lease_ms / 3 : 1;
}

/* One takeover (queue_ops.recover) for dead_owner (NULL: expired leases
 * only), counted and logged. */
static gw_rc
runner_takeover(struct runner *r, const char *dead_owner, int64_t now_ms)
{
	size_t nb = 0, ns = 0;
	gw_rc rc = r->q->ops->recover(r->q, "recovery", dead_owner, now_ms, &nb, &ns);
	if (rc != GW_OK) {
		log_error(NULL, NULL, "queue recovery failed: %s", gw_rc_name(rc));
		return rc;
	}
	r->n.recovered_building += nb;
	r->n.recovered_sending += ns;
	if (nb != 0 || ns != 0)
		log_info(NULL, NULL, "recovery (expired leases%s%s): %zu half-built message(s) back to"
		    " pending, %zu with an unknown send outcome back to ready (lookup before any"
		    " re-send)", dead_owner != NULL ? " and those of " : "",
		    dead_owner != NULL ? dead_owner : "", nb, ns);
	return GW_OK;
}

/* Take over the in-flight messages of every dead process of this host
 * (owner <host>:<pid>): no need to wait for their leases to expire. */
static gw_rc
runner_takeover_dead_local(struct runner *r, int64_t now_ms)
{
	static const enum queue_state inflight[] = { QS_BUILDING, QS_SENDING };
	gw_rc rc = GW_OK;
	for (size_t k = 0; k < 2 && rc == GW_OK; k++) {
		struct queue_filter f = { .state = (int)inflight[k] };
		struct queue_msg *v = NULL;
		size_t n = 0;
		if ((rc = r->q->ops->list(r->q, &f, &v, &n)) != GW_OK)
			return rc;
		for (size_t i = 0; i < n && rc == GW_OK; i++) {
			int seen = 0;
			for (size_t j = 0; j < i && !seen; j++)
				seen = strcmp(v[j].lease_owner, v[i].lease_owner) == 0;
			if (!seen && queue_owner_is_dead_local(v[i].lease_owner))
				rc = runner_takeover(r, v[i].lease_owner, now_ms);
		}
		for (size_t i = 0; i < n; i++)
			queue_msg_free(&v[i]);
		free(v);
	}
	return rc;
}

/* Recovery at start: this worker's previous life, the dead processes of
 * this host, and every expired lease: building -> pending, sending ->
 * ready (lookup before re-send). */
gw_rc
runner_recover(struct runner *r, int64_t now_ms)
{
	gw_rc rc;
	if ((rc = runner_takeover(r, r->cfg.worker, now_ms)) != GW_OK ||
	    (rc = runner_takeover_dead_local(r, now_ms)) != GW_OK ||
	    (rc = runner_takeover(r, NULL, now_ms)) != GW_OK)
		return rc;
	r->next_lease_ms = now_ms + runner_lease_period(r);
	return GW_OK;
}

/* Heartbeat and takeover, every third of a lease: this worker's leases
 * renewed, what dead workers left taken over. */
static gw_rc
runner_leases(struct runner *r, int64_t now_ms)
{
	gw_rc rc;
	if (now_ms < r->next_lease_ms)
		return GW_OK;
	if ((rc = r->q->ops->renew(r->q, r->cfg.worker, now_ms + r->cfg.lease_ms, NULL)) != GW_OK ||
	    (rc = runner_takeover_dead_local(r, now_ms)) != GW_OK ||
	    (rc = runner_takeover(r, NULL, now_ms)) != GW_OK)
		return rc;
	r->renewed_ms = now_ms;
	r->next_lease_ms = now_ms + runner_lease_period(r);
	return GW_OK;
}

/* Right before a send: a step can outlast a lease (slow answers, many
 * sends), so the leases are renewed once a third of a lease has passed,
 * and a message another worker has taken over meanwhile is not sent by
 * this one (the taker looks it up first, and sends it if need be). */
static int
runner_still_mine(struct runner *r, const struct queue_msg *m)
{
	int64_t real = queue_now_ms();
	struct queue_msg cur;
	if (real - r->renewed_ms >= runner_lease_period(r) &&
	    r->q->ops->renew(r->q, r->cfg.worker, real + r->cfg.lease_ms, NULL) == GW_OK)
		r->renewed_ms = real;
	if (r->q->ops->get(r->q, m->id, &cur) != GW_OK)
		return 0;                /* unknown: not sent now; the lease decides later */
	int mine = cur.state == QS_SENDING && strcmp(cur.lease_owner, r->cfg.worker) == 0;
	queue_msg_free(&cur);
	if (!mine)
		log_warn(m->id, m->record_id, "not sent by %s: its lease was taken over (%s by %s)",
		    r->cfg.worker, queue_state_name(cur.state),
		    cur.lease_owner[0] ? cur.lease_owner : "nobody");
	return mine;
}

/* A build that failed for want of memory or another passing cause is tried
 * again later; only a refusal of the record itself fails the message. */
static int
build_is_temporary(gw_rc rc)
{
	return rc == GW_ENOMEM || rc == GW_ETEMP || rc == GW_EIO;
}

static void runner_wake_dependents(struct runner *r, const struct queue_msg *m, int64_t now);

/* Write m's fields and move it from -> to (from == to: its fields only, no
 * event), as queue_update_transition / queue_update would; inside the send
 * and poll phases the move waits for runner_flush, which commits the
 * phase's moves in one transaction. wake: an answer, whose follow-ups are
 * woken once it is durable. m must stay as it is until the flush (the
 * phase keeps its claimed messages until then). */
static gw_rc
runner_move(struct runner *r, struct queue_msg *m, enum queue_state from, enum queue_state to,
            const char *why, int wake)
{
	if (from != to && !queue_transition_allowed(from, to))
		return GW_ESTATE;
	char *w = r->defer.on && r->defer.n < r->cfg.batch ? strdup(why ? why : "") : NULL;
	if (w == NULL) {
		gw_rc rc = from == to ? queue_update(r->q, m)
		    : queue_update_transition(r->q, m, from, to, "runner", why);
		if (rc == GW_OK && wake)
			runner_wake_dependents(r, m, r->defer.on ? r->defer.now : queue_now_ms());
		return rc;
	}
	size_t i = r->defer.n++;
	r->defer.mv[i] = (struct queue_move){ .id = m->id, .fields = m,
	    .from = from == to ? QUEUE_ANY_STATE : from, .to = from == to ? QUEUE_ANY_STATE : to,
	    .why = w };
	r->defer.why[i] = w;
	r->defer.wake[i] = (unsigned char)(wake != 0);
	return GW_OK;
}

/* Commit the phase's moves together: the first failure is returned, each
 * message the queue refused is logged by name (it keeps its state: a sent
 * one is looked up or polled again, as after a crash). */
static gw_rc
runner_flush(struct runner *r)
{
	struct queue_move *mv = r->defer.mv;
	size_t n = r->defer.n;
	gw_rc rc = n > 0 ? queue_move_many(r->q, mv, n, "runner", NULL) : GW_OK, first = rc;
	for (size_t i = 0; i < n; i++) {
		const struct queue_msg *m = mv[i].fields;
		if (rc != GW_OK)
			log_error(m->id, m->record_id, "step failed: %s", gw_rc_name(rc));
		else if (mv[i].rc != GW_OK) {
			/* Not in the state it was claimed in: its lease was taken over. */
			if (mv[i].rc != GW_ESTATE) {
				log_error(m->id, m->record_id, "step failed: %s", gw_rc_name(mv[i].rc));
				if (first == GW_OK)
					first = mv[i].rc;
			}
		} else if (r->defer.wake[i])
			runner_wake_dependents(r, m, r->defer.now);
		free(r->defer.why[i]);
		r->defer.why[i] = NULL;
	}
	r->defer.n = 0;
	return first;
}

/* The next attempt after a temporary failure, or failed when past expiry. */
static gw_rc
runner_retry(struct runner *r, struct queue_msg *m, enum queue_state from,
             enum queue_state back, int64_t now, long retry_after_ms, const char *err)
{
	char why[600];
	snprintf(m->last_error, sizeof m->last_error, "%s", err);
	int64_t delay = queue_backoff_ms(m->attempts ? m->attempts : 1, r->cfg.retry_base_ms,
	    r->cfg.retry_cap_ms, &r->rng);
	if (retry_after_ms > delay)
		delay = retry_after_ms;
	if (m->expires_ms != 0 && now + delay > m->expires_ms) {
		snprintf(why, sizeof why, "expired after %u attempt(s); last error: %s",
		    m->attempts, err);
		r->n.expired++;
		r->n.failed++;
		log_error(m->id, m->record_id, "%s", why);
		return runner_move(r, m, from, QS_FAILED, why, 0);
	}
	m->next_attempt_ms = now + delay;
	snprintf(why, sizeof why, "temporary failure (attempt %u), next in %lld ms: %s",
	    m->attempts, (long long)delay, err);
	r->n.retried++;
	log_warn(m->id, m->record_id, "%s", why);
	return runner_move(r, m, from, back, why, 0);
}

/* Permanent failure with its reason. */
static gw_rc
runner_fail(struct runner *r, struct queue_msg *m, enum queue_state from, const char *why)
{
	snprintf(m->last_error, sizeof m->last_error, "%s", why);
	r->n.failed++;
	log_error(m->id, m->record_id, "failed: %s", why);
	return runner_move(r, m, from, QS_FAILED, why, 0);
}

/* What stops a claimed message (in building) before its build: expiry, a
 * dependency missing, void or not answered yet. 1: settled (moved, *rc
 * says how that went); 0: build it, with *dep filled when *have_dep. */
static int
runner_build_prep(struct runner *r, struct queue_msg *m, int64_t now, struct queue_msg *dep,
                  int *have_dep, gw_rc *rcp)
{
	char why[600];
	gw_rc rc;
	*have_dep = 0;
	memset(dep, 0, sizeof *dep);
	if (m->expires_ms != 0 && now > m->expires_ms) {
		r->n.expired++;
		*rcp = runner_fail(r, m, QS_BUILDING, "expired before it could be built");
		return 1;
	}
	if (m->depends_on[0] == '\0')
		return 0;
	if ((rc = r->q->ops->get(r->q, m->depends_on, dep)) != GW_OK) {
		snprintf(why, sizeof why, "depends on %s, which is not in the queue", m->depends_on);
		*rcp = runner_fail(r, m, QS_BUILDING, why);
		return 1;
	}
	*have_dep = 1;
	if (dep->state == QS_ACCEPTED || dep->state == QS_ACCEPTED_WARNINGS)
		return 0;
	*have_dep = 0;
	if (queue_state_is_final(dep->state)) {
		/* Nothing to follow up: the first message never took effect. */
		snprintf(why, sizeof why, "depends on %s, which ended %s", dep->id,
		    queue_state_name(dep->state));
		queue_msg_free(dep);
		enum queue_state end = r->ch->dep_void != NULL ? r->ch->dep_void(r->ctx, m) : QS_FAILED;
		if (end == QS_CANCELLED) {
			rc = queue_transition(r->q, m->id, QS_BUILDING, QS_PENDING, "runner", why);
			if (rc == GW_OK)
				rc = queue_transition(r->q, m->id, QS_PENDING, QS_CANCELLED,
				    "runner", why);
			*rcp = rc;
			return 1;
		}
		*rcp = runner_fail(r, m, QS_BUILDING, why);
		return 1;
	}
	/* Not answered yet: wait, without counting an attempt. */
	m->next_attempt_ms = now + r->cfg.dep_wait_ms;
	snprintf(why, sizeof why, "waiting for %s (%s)", dep->id, queue_state_name(dep->state));
	queue_msg_free(dep);
	*rcp = queue_update_transition(r->q, m, QS_BUILDING, QS_PENDING, "runner", why);
	return 1;
}

/* Build one claimed message (now in building). */
static gw_rc
runner_build_one(struct runner *r, struct queue_msg *m, int64_t now)
{
	struct queue_msg dep;
	int have_dep = 0;
	char err[512] = "", why[600];
	gw_rc rc;

	if (runner_build_prep(r, m, now, &dep, &have_dep, &rc))
		return rc;
	rc = r->ch->build(r->ctx, m, have_dep ? &dep : NULL, err, sizeof err);
	queue_msg_free(&dep);
	if (build_is_temporary(rc))
		return runner_retry(r, m, QS_BUILDING, QS_PENDING, now, 0, err[0] ? err : gw_rc_name(rc));
	if (rc != GW_OK) {
		snprintf(why, sizeof why, "build refused: %s", err[0] ? err : gw_rc_name(rc));
		return runner_fail(r, m, QS_BUILDING, why);
	}
	if (m->body != NULL && m->content_hash[0] == '\0')
		queue_sha256_hex(m->body, m->body_len, m->content_hash);
	m->next_attempt_ms = now;
	r->n.built++;
	snprintf(why, sizeof why, "built %zu bytes, sha256 %.16s...", m->body_len, m->content_hash);
	log_debug(m->id, m->record_id, "%s", why);
	/* Committed at once, or with the batch's other moves in the phase of
	 * a channel with several requests in flight (runner_phase_each). */
	return runner_move(r, m, QS_BUILDING, QS_READY, why, 0);
}

/* What comes before sending one claimed message (now in sending): still
 * ours, bytes intact, a lookup when an earlier attempt may have landed,
 * not expired. 1: settled (moved, *rcp says how that went); 0: send it. */
static int
runner_send_prep(struct runner *r, struct queue_msg *m, int64_t now, gw_rc *rcp)
{
	char err[512] = "", why[700];
	gw_rc rc;

	*rcp = GW_ESTATE;
	if (!runner_still_mine(r, m))
		return 1;
	/* Stored bytes check themselves: a body that no longer matches the
	 * hash taken when it was built is never sent (quarantined as failed). */
	if (m->body != NULL && m->content_hash[0] != '\0') {
		char h[65];
		queue_sha256_hex(m->body, m->body_len, h);
		if (strcmp(h, m->content_hash) != 0) {
			*rcp = runner_fail(r, m, QS_SENDING, "quarantined: the stored bytes no longer"
			    " match their SHA-256; not sent");
			return 1;
		}
	}
	/* The claim into sending counted this attempt durably before we got
	 * here; more than one means an earlier one may have landed. */
	if (m->attempts > 1) {
		rc = r->ch->lookup(r->ctx, m, err, sizeof err);
		if (rc == GW_OK) {
			m->sent_ms = now;
			m->next_attempt_ms = now;
			r->n.found_by_lookup++;
			snprintf(why, sizeof why, "not re-sent: the other side already has it as %s"
			    " (lookup after attempt %u)", m->remote_ref, m->attempts - 1);
			log_info(m->id, m->record_id, "%s", why);
			*rcp = runner_move(r, m, QS_SENDING, QS_SENT, why, 0);
			return 1;
		}
		/* A final answer met while asking (not on Peppol) is as final as
		 * the same answer to a first send: waiting would only retry it
		 * until it expires. */
		if (rc == GW_EPERM) {
			snprintf(why, sizeof why, "refused on send (lookup after attempt %u): %s",
			    m->attempts - 1, err[0] ? err : gw_rc_name(rc));
			*rcp = runner_fail(r, m, QS_SENDING, why);
			return 1;
		}
		if (rc != GW_ENOTFOUND) {
			*rcp = runner_retry(r, m, QS_SENDING, QS_READY, now, 0,
			    err[0] ? err : "lookup failed");
			return 1;
		}
		/* Nothing there yet, but the last attempt ended without an answer
		 * only a moment ago: the other side may still be processing it (a
		 * slow server finishes a request its client gave up on). Look again
		 * once it has had settle_ms, rather than declare twice. */
		if (m->sent_ms > 0 && now - m->sent_ms < r->cfg.settle_ms) {
			*rcp = runner_retry(r, m, QS_SENDING, QS_READY, now,
			    (long)(m->sent_ms + r->cfg.settle_ms - now), "not found by the lookup yet;"
			    " the last attempt may still land: looking again before any re-send");
			return 1;
		}
		/* GW_ENOTFOUND: the other side has nothing: safe to send. */
	}
	if (m->expires_ms != 0 && now > m->expires_ms) {
		r->n.expired++;
		*rcp = runner_fail(r, m, QS_SENDING, "expired before it could be sent");
		return 1;
	}
	return 0;
}

/* What a submit of m came to, recorded (or kept for runner_flush): sent,
 * a retry or a failure. */
static gw_rc
runner_send_done(struct runner *r, struct queue_msg *m, int64_t now, gw_rc rc, long retry_after,
                 const char *err)
{
	char why[700];
	if (rc == GW_OK) {
		m->sent_ms = now;
		m->next_attempt_ms = now + r->ch->poll_delay(r->ctx, 0);
		m->last_error[0] = '\0';
		r->n.sent++;
		snprintf(why, sizeof why, "sent (attempt %u), reference %s", m->attempts,
		    m->remote_ref);
		log_info(m->id, m->record_id, "%s", why);
		return runner_move(r, m, QS_SENDING, QS_SENT, why, 0);
	}
	if (rc == GW_ETEMP) {
		if (retry_after == CHANNEL_MAYBE_LANDED) {
			/* No answer: the request may still land. Ask again only once
			 * it has had settle_ms (asking earlier only adds load to a
			 * server that is already slow). */
			m->sent_ms = now;
			retry_after = r->cfg.settle_ms;
		}
		return runner_retry(r, m, QS_SENDING, QS_READY, now, retry_after,
		    err[0] ? err : "temporary failure");
	}
	snprintf(why, sizeof why, "refused on send: %s", err[0] ? err : gw_rc_name(rc));
	return runner_fail(r, m, QS_SENDING, why);
}

/* Send one claimed message (now in sending), asking first if an attempt may have landed. */
static gw_rc
runner_send_one(struct runner *r, struct queue_msg *m, int64_t now)
{
	char err[512] = "";
	long retry_after = 0;
	gw_rc rc;
	if (runner_send_prep(r, m, now, &rc))
		return rc;
	rc = r->ch->submit(r->ctx, m, &retry_after, err, sizeof err);
	return runner_send_done(r, m, now, rc, retry_after, err);
}

/* Wake the follow-ups that wait on an answered message. */
static void
runner_wake_dependents(struct runner *r, const struct queue_msg *m, int64_t now)
{
	struct queue_filter f = { .state = QS_PENDING, .depends_on = m->id, .with_bodies = 1 };
	struct queue_msg *deps = NULL;
	size_t n = 0;
	if (r->q->ops->list(r->q, &f, &deps, &n) != GW_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		if (deps[i].next_attempt_ms > now) {
			deps[i].next_attempt_ms = now;
			queue_update(r->q, &deps[i]);
		}
		queue_msg_free(&deps[i]);
	}
	free(deps);
}

/* What a poll of m came to, recorded (or kept for runner_flush): not yet,
 * an answer (its follow-ups woken once durable), a retry or a failure. */
static gw_rc
runner_poll_done(struct runner *r, struct queue_msg *m, int64_t now, gw_rc rc,
                 const struct channel_answer *ap, const char *err)
{
	struct channel_answer a = *ap;
	char why[700];
	if (rc == GW_ENOTFOUND) {
		long elapsed = (long)(now - (m->sent_ms ? m->sent_ms : now));
		long d = r->ch->poll_delay(r->ctx, elapsed);
		m->next_attempt_ms = now + (d > 0 ? d : 1000);
		return runner_move(r, m, QS_SENT, QS_SENT, NULL, 0);
	}
	if (rc == GW_ETEMP)
		return runner_retry(r, m, QS_SENT, QS_SENT, now, 0, err[0] ? err : "poll failed");
	if (rc != GW_OK) {
		snprintf(why, sizeof why, "answer unreadable or refused: %s",
		    err[0] ? err : gw_rc_name(rc));
		return runner_fail(r, m, QS_SENT, why);
	}
	if (a.ref2[0] != '\0')
		snprintf(m->remote_ref2, sizeof m->remote_ref2, "%s", a.ref2);
	snprintf(m->last_error, sizeof m->last_error, "%s", a.detail);
	switch (a.outcome) {
	case QS_ACCEPTED: r->n.accepted++; break;
	case QS_ACCEPTED_WARNINGS: r->n.warnings++; break;
	case QS_REFUSED: r->n.refused++; break;
	case QS_FAILED: r->n.failed++; break;
	default:
		return runner_fail(r, m, QS_SENT, "channel gave an answer that is not a final state");
	}
	snprintf(why, sizeof why, "answer %s%s%s%s%s", queue_state_name(a.outcome),
	    a.ref2[0] ? ", ref " : "", a.ref2, a.detail[0] ? "; " : "", a.detail);
	if (a.outcome == QS_ACCEPTED)
		log_info(m->id, m->record_id, "%s", why);
	else
		log_warn(m->id, m->record_id, "%s", why);
	return runner_move(r, m, QS_SENT, a.outcome, why, 1);
}

/* Poll one sent message and apply its answer. */
static gw_rc
runner_poll_one(struct runner *r, struct queue_msg *m, int64_t now)
{
	struct channel_answer a;
	char err[512] = "";
	memset(&a, 0, sizeof a);
	r->n.polled++;
	gw_rc rc = r->ch->poll(r->ctx, m, &a, err, sizeof err);
	return runner_poll_done(r, m, now, rc, &a, err);
}

/* Claim one batch in `from` (moving it to `to`) and run fn on each. */
static gw_rc
runner_phase(struct runner *r, enum queue_state from, enum queue_state to, int64_t now,
             gw_rc (*fn)(struct runner *, struct queue_msg *, int64_t), size_t *did)
{
	size_t n = 0;
	/* Few at a time into sending: a crash leaves each of them "maybe sent",
	 * to be looked up before it goes out again. */
	size_t max = to == QS_SENDING && r->cfg.send_batch < r->cfg.batch ? r->cfg.send_batch
	    : r->cfg.batch;
	gw_rc rc = r->q->ops->claim(r->q, r->ch->name, from, to, r->cfg.worker,
	    r->cfg.lease_ms, now, max ? max : 1, r->buf, &n);
	if (rc != GW_OK)
		return rc;
	gw_rc first = GW_OK;
	/* Sends and answers are committed together at the end of the batch
	 * (runner_flush): until then a message is still in sending (counted,
	 * maybe sent: looked up before any re-send) or in sent (polled again),
	 * which is where a crash at any point of the batch leaves it anyway. */
	r->defer.on = fn == runner_send_one || fn == runner_poll_one;
	r->defer.now = now;
	for (size_t i = 0; i < n; i++) {
		/* Claimed but not handled because a stop was asked: put it back
		 * untouched (no attempt was counted, nothing was sent). */
		if (stopping(r) && from != to) {
			queue_transition(r->q, r->buf[i].id, to, from, "runner",
			    "released unhandled at shutdown");
		} else if (!stopping(r)) {
			rc = fn(r, &r->buf[i], now);
			if (rc != GW_OK && rc != GW_ESTATE) {
				log_error(r->buf[i].id, r->buf[i].record_id, "step failed: %s",
				    gw_rc_name(rc));
				if (first == GW_OK)
					first = rc;
			}
			(*did)++;
		}
	}
	rc = runner_flush(r);
	r->defer.on = 0;
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&r->buf[i]);
	return first != GW_OK ? first : rc;
}

/* ---- channels with several requests in flight (submit_each, poll_each) ---- */

/* Before several POSTs go out together: each message's sent_ms set to now
 * and committed (prev[] keeps the old values). Should this process die
 * with them in flight, a request may still land after the lease that
 * takes them over has expired (a server that queues it); the taker's
 * lookup that finds nothing then waits settle_ms from this stamp before
 * any re-send, as after a send that got no answer. */
static gw_rc
runner_stamp_sends(struct runner *r, struct queue_msg **v, size_t k, int64_t now, int64_t *prev)
{
	struct queue_move *mv = calloc(k, sizeof *mv);
	if (mv == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		prev[i] = v[i]->sent_ms;
		v[i]->sent_ms = now;
		mv[i].id = v[i]->id;
		mv[i].fields = v[i];
		mv[i].from = mv[i].to = QS_SENDING;
	}
	gw_rc rc = queue_move_many(r->q, mv, k, "runner", NULL);
	for (size_t i = 0; rc == GW_OK && i < k; i++)
		if (mv[i].rc != GW_OK)
			rc = mv[i].rc;
	free(mv);
	return rc;
}

/* One phase for a channel with several requests in flight: claim a batch,
 * build (pending), send (ready: each message's attempt counted by the
 * claim, its lookup asked first when an earlier attempt may have landed,
 * sent_ms stamped) or poll (sent) every message of it at once through
 * submit_each or poll_each, then commit the batch's moves in one
 * transaction (runner_flush). Until that commit a crash leaves the batch
 * in sending, looked up before any re-send, or in sent, polled again: as
 * one at a time. */
static gw_rc
runner_phase_each(struct runner *r, enum queue_state from, enum queue_state to, int64_t now,
                  size_t *did)
{
	size_t n = 0, k = 0;
	size_t max = to == QS_SENDING && r->cfg.send_batch < r->cfg.batch ? r->cfg.send_batch
	    : r->cfg.batch;
	gw_rc rc = r->q->ops->claim(r->q, r->ch->name, from, to, r->cfg.worker,
	    r->cfg.lease_ms, now, max ? max : 1, r->buf, &n);
	if (rc != GW_OK || n == 0)
		return rc;
	struct queue_msg **v = calloc(n, sizeof *v);
	struct channel_result *res = calloc(n, sizeof *res);
	int64_t *prev = calloc(n, sizeof *prev);
	gw_rc first = GW_OK, src = GW_OK;
	if (v == NULL || res == NULL || prev == NULL) {
		first = GW_ENOMEM;
		n = 0;                   /* left claimed: their leases expire, recovery takes them */
	}
	r->defer.on = 1;
	r->defer.now = now;
	for (size_t i = 0; i < n; i++) {
		struct queue_msg *m = &r->buf[i];
		if (stopping(r)) {
			if (from != to)
				queue_transition(r->q, m->id, to, from, "runner",
				    "released unhandled at shutdown");
			continue;
		}
		(*did)++;
		if (from == QS_PENDING)
			src = runner_build_one(r, m, now);
		else if (from == QS_READY && runner_send_prep(r, m, now, &src))
			;                                 /* settled before any send */
		else {
			v[k++] = m;
			continue;
		}
		if (src != GW_OK && src != GW_ESTATE && first == GW_OK)
			first = src;
	}
	if (k > 0 && from == QS_READY && (src = runner_stamp_sends(r, v, k, now, prev)) != GW_OK) {
		/* Not stamped, not sent: left in sending, their attempt counted;
		 * the next takeover looks them up before any send. */
		if (first == GW_OK)
			first = src;
		k = 0;
	}
	if (k > 0) {
		if (from == QS_READY)
			r->ch->submit_each(r->ctx, v, k, res);
		else
			r->ch->poll_each(r->ctx, v, k, res);
	}
	for (size_t i = 0; i < k; i++) {
		if (from == QS_READY) {
			/* Refused outright (429, 503: the POST did not land): the
			 * stamp must not make the next attempt wait settle_ms. */
			if (res[i].rc == GW_ETEMP && res[i].retry_after_ms != CHANNEL_MAYBE_LANDED)
				v[i]->sent_ms = prev[i];
			src = runner_send_done(r, v[i], now, res[i].rc, res[i].retry_after_ms, res[i].err);
		} else {
			r->n.polled++;
			src = runner_poll_done(r, v[i], now, res[i].rc, &res[i].a, res[i].err);
		}
		if (src != GW_OK && src != GW_ESTATE && first == GW_OK)
			first = src;
	}
	rc = runner_flush(r);
	r->defer.on = 0;
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&r->buf[i]);
	free(v);
	free(res);
	free(prev);
	return first != GW_OK ? first : rc;
}

/* ---- channels that carry many messages per submission (channel.h) ---- */

/* Move v[0..n) from -> to with their fields in ONE transaction (a
 * submission of 10,000 declarations must not pay 10,000 commits); a
 * member the queue refuses is logged and keeps its state. */
static gw_rc
runner_move_group(struct runner *r, struct queue_msg **v, size_t n, enum queue_state from,
                  enum queue_state to, const char *why)
{
	if (n == 0)
		return GW_OK;
	struct queue_move *mv = calloc(n, sizeof *mv);
	if (mv == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		mv[i].id = v[i]->id;
		mv[i].fields = v[i];
		mv[i].from = from;
		mv[i].to = to;
		mv[i].what = from == to ? "note" : NULL;
		mv[i].why = why;
	}
	gw_rc rc = queue_move_many(r->q, mv, n, "runner", NULL);
	for (size_t i = 0; rc == GW_OK && i < n; i++) {
		if (mv[i].rc == GW_OK)
			v[i]->state = to;
		else
			log_error(v[i]->id, v[i]->record_id, "cannot move to %s: %s",
			    queue_state_name(to), gw_rc_name(mv[i].rc));
	}
	if (rc != GW_OK)
		log_error(NULL, v[0]->remote_ref2, "cannot move %zu message(s) to %s: %s", n,
		    queue_state_name(to), gw_rc_name(rc));
	free(mv);
	return rc;
}

/* Every member from `from` to failed with the same reason. */
static gw_rc
runner_fail_group(struct runner *r, struct queue_msg **v, size_t n, enum queue_state from,
                  const char *why)
{
	for (size_t i = 0; i < n; i++)
		snprintf(v[i]->last_error, sizeof v[i]->last_error, "%s", why);
	r->n.failed += n;
	if (n)
		log_error(NULL, v[0]->remote_ref2, "%zu message(s) failed: %s", n, why);
	return runner_move_group(r, v, n, from, QS_FAILED, why);
}

/* Whether every member of a written submission is past its expiry at t.
 * The members are in one file: they go together or not at all, so one
 * member's expiry alone never fails it while the file may still go with
 * it inside (the ONSS would declare it and the queue would say failed). */
static int
group_all_expired(struct queue_msg **v, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->expires_ms == 0 || t <= v[i]->expires_ms)
			return 0;
	return n > 0;
}

/* A submission that could not go now: its members back to ready after the
 * back-off (the same for all: they share their attempts), or all failed
 * when every one of them would be past its expiry by then. */
static gw_rc
runner_retry_group(struct runner *r, struct queue_msg **v, size_t n, int64_t now,
                   long retry_after_ms, const char *err)
{
	char why[700], gone[700];
	size_t k = 0, e = 0;
	struct queue_msg **back = calloc(n ? n : 1, sizeof *back);
	struct queue_msg **exp = calloc(n ? n : 1, sizeof *exp);
	gw_rc rc = GW_ENOMEM;
	if (back == NULL || exp == NULL)
		goto out;
	int64_t delay = queue_backoff_ms(n && v[0]->attempts ? v[0]->attempts : 1,
	    r->cfg.retry_base_ms, r->cfg.retry_cap_ms, &r->rng);
	if (retry_after_ms > delay)
		delay = retry_after_ms;
	int all_expire = group_all_expired(v, n, now + delay);
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i]->last_error, sizeof v[i]->last_error, "%s", err);
		if (all_expire) {
			exp[e++] = v[i];
		} else {
			v[i]->next_attempt_ms = now + delay;
			back[k++] = v[i];
		}
	}
	snprintf(why, sizeof why, "temporary failure (attempt %u), next in %lld ms: %s",
	    n ? v[0]->attempts : 0, (long long)delay, err);
	snprintf(gone, sizeof gone, "expired after %u attempt(s); last error: %s",
	    n ? v[0]->attempts : 0, err);
	r->n.retried += k;
	r->n.expired += e;
	r->n.failed += e;
	if (k)
		log_warn(NULL, v[0]->remote_ref2, "%zu message(s): %s", k, why);
	if (e)
		log_error(NULL, v[0]->remote_ref2, "%zu message(s): %s", e, gone);
	rc = runner_move_group(r, back, k, QS_SENDING, QS_READY, why);
	if (rc == GW_OK)
		rc = runner_move_group(r, exp, e, QS_SENDING, QS_FAILED, gone);
out:
	free(back);
	free(exp);
	return rc;
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp((*(struct queue_msg *const *)a)->remote_ref2,
	    (*(struct queue_msg *const *)b)->remote_ref2);
}

/* Claim pending messages, build each, name the new submission from the
 * queue counter and record the name on every member (building -> ready,
 * one transaction) before group_write() puts anything anywhere. */
static gw_rc
runner_build_group(struct runner *r, int64_t now, size_t *did)
{
	size_t n = 0, k = 0;
	char name[QUEUE_REF_MAX + 1] = "", err[512] = "", why[700];
	gw_rc rc = r->q->ops->claim(r->q, r->ch->name, QS_PENDING, QS_BUILDING, r->cfg.worker,
	    r->cfg.lease_ms, now, r->gcap, r->gbuf, &n);
	if (rc != GW_OK || n == 0)
		return rc;
	struct queue_msg **built = calloc(n, sizeof *built);
	if (built == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	int fresh = 0;
	for (size_t i = 0; i < n; i++) {
		struct queue_msg *m = &r->gbuf[i], dep;
		int have_dep = 0;
		gw_rc brc;
		(*did)++;
		if (stopping(r)) {
			queue_transition(r->q, m->id, QS_BUILDING, QS_PENDING, "runner",
			    "released unhandled at shutdown");
			continue;
		}
		if (runner_build_prep(r, m, now, &dep, &have_dep, &brc))
			continue;
		err[0] = '\0';
		brc = r->ch->build(r->ctx, m, have_dep ? &dep : NULL, err, sizeof err);
		queue_msg_free(&dep);
		if (build_is_temporary(brc)) {
			runner_retry(r, m, QS_BUILDING, QS_PENDING, now, 0, err[0] ? err : gw_rc_name(brc));
			continue;
		}
		if (brc != GW_OK) {
			snprintf(why, sizeof why, "build refused: %s", err[0] ? err : gw_rc_name(brc));
			runner_fail(r, m, QS_BUILDING, why);
			continue;
		}
		if (m->body != NULL && m->content_hash[0] == '\0')
			queue_sha256_hex(m->body, m->body_len, m->content_hash);
		m->next_attempt_ms = now;
		fresh |= m->remote_ref2[0] == '\0';
		built[k++] = m;
	}
	if (k == 0)
		goto out;
	if (fresh) {
		/* The number is spent whatever happens next: never reused. */
		const char *counter = NULL;
		uint64_t seq = 0;
		if ((rc = r->ch->group_name(r->ctx, 0, &counter, name, sizeof name)) != GW_OK ||
		    counter == NULL ||
		    (rc = r->q->ops->next_seq(r->q, counter, &seq)) != GW_OK ||
		    (rc = r->ch->group_name(r->ctx, seq, &counter, name, sizeof name)) != GW_OK) {
			/* Left in building: start-up recovery makes them pending. */
			log_error(NULL, counter, "cannot name a new submission: %s", gw_rc_name(rc));
			goto out;
		}
		for (size_t i = 0; i < k; i++)
			if (built[i]->remote_ref2[0] == '\0')
				snprintf(built[i]->remote_ref2, sizeof built[i]->remote_ref2, "%s", name);
	}
	qsort(built, k, sizeof *built, cmp_group);
	for (size_t i = 0; i < k && rc == GW_OK;) {
		size_t j = i;
		while (j < k && strcmp(built[j]->remote_ref2, built[i]->remote_ref2) == 0)
			j++;
		snprintf(why, sizeof why, "built, in submission %s", built[i]->remote_ref2);
		if ((rc = runner_move_group(r, built + i, j - i, QS_BUILDING, QS_READY, why)) != GW_OK)
			break;
		r->n.built += j - i;
		err[0] = '\0';
		gw_rc wrc = r->ch->group_write(r->ctx, built[i]->remote_ref2, built + i, j - i, err,
		    sizeof err);
		if (wrc != GW_OK) {
			/* The name is spent but nothing carries it: the members
			 * cannot wait in ready for an upload with nothing to send. */
			snprintf(why, sizeof why, "submission %s could not be written (%s%s%s); requeue"
			    " to send it under a new name", built[i]->remote_ref2, gw_rc_name(wrc),
			    err[0] ? ": " : "", err);
			rc = runner_fail_group(r, built + i, j - i, QS_READY, why);
		}
		i = j;
	}
out:
	free(built);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&r->gbuf[i]);
	return rc;
}

/* Send one submission whose members were claimed into sending (the
 * attempt counted): look up first when an earlier attempt may have
 * landed, then submit once for all. */
static gw_rc
runner_send_group(struct runner *r, struct queue_msg **v, size_t n, int64_t now)
{
	char err[512] = "", why[700];
	long retry_after = 0;
	size_t k = 0;
	gw_rc rc;
	const char *name = v[0]->remote_ref2;

	/* Stored bytes check themselves; a quarantined member stays out. */
	for (size_t i = 0; i < n; i++) {
		char h[65];
		if (v[i]->body != NULL && v[i]->content_hash[0] != '\0') {
			queue_sha256_hex(v[i]->body, v[i]->body_len, h);
			if (strcmp(h, v[i]->content_hash) != 0) {
				runner_fail(r, v[i], QS_SENDING, "quarantined: the stored bytes no longer"
				    " match their SHA-256; not sent");
				continue;
			}
		}
		v[k++] = v[i];
	}
	if ((n = k) == 0)
		return GW_OK;
	if (name[0] == '\0')
		return runner_fail_group(r, v, n, QS_SENDING, "no submission name: not sent");
	uint32_t before = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i]->attempts > 1 && v[i]->attempts - 1 > before)
			before = v[i]->attempts - 1;
	/* Also when the submission may have left outside this runner (a
	 * manual upload, another process): the channel knows. */
	if (before > 0 || (r->ch->group_foreign != NULL && r->ch->group_foreign(r->ctx, name))) {
		rc = r->ch->lookup(r->ctx, v[0], err, sizeof err);
		if (rc == GW_OK) {
			for (size_t i = 0; i < n; i++) {
				v[i]->sent_ms = now;
				v[i]->next_attempt_ms = now;
			}
			r->n.found_by_lookup += n;
			snprintf(why, sizeof why, "not re-sent: the other side already has %s (lookup"
			    " after attempt %u)%s%.400s", name, before, err[0] ? ": " : "", err);
			log_info(NULL, name, "%zu message(s): %s", n, why);
			return runner_move_group(r, v, n, QS_SENDING, QS_SENT, why);
		}
		if (rc != GW_ENOTFOUND)
			return runner_retry_group(r, v, n, now, 0, err[0] ? err : "lookup failed");
	}
	if (group_all_expired(v, n, now)) {
		r->n.expired += n;
		return runner_fail_group(r, v, n, QS_SENDING, "expired before it could be sent");
	}
	for (size_t i = 0; i < n; i++)
		if (v[i]->expires_ms != 0 && now > v[i]->expires_ms)
			log_warn(v[i]->id, v[i]->record_id, "past its expiry, but inside %s with messages "
			    "still due: it goes with them", name);
	err[0] = '\0';
	rc = r->ch->group_submit(r->ctx, name, &retry_after, err, sizeof err);
	if (rc == GW_OK) {
		for (size_t i = 0; i < n; i++) {
			v[i]->sent_ms = now;
			v[i]->next_attempt_ms = now + r->ch->poll_delay(r->ctx, 0);
			v[i]->last_error[0] = '\0';
		}
		r->n.sent += n;
		snprintf(why, sizeof why, "sent %s (attempt %u)%s%s%.400s", name, v[0]->attempts,
		    before ? ", not found by the lookup" : "", err[0] ? ": " : "", err);
		log_info(NULL, name, "%zu message(s) %s", n, why);
		return runner_move_group(r, v, n, QS_SENDING, QS_SENT, why);
	}
	if (rc == GW_ETEMP)
		return runner_retry_group(r, v, n, now, retry_after, err[0] ? err : "temporary failure");
	snprintf(why, sizeof why, "refused on send: %s", err[0] ? err : gw_rc_name(rc));
	return runner_fail_group(r, v, n, QS_SENDING, why);
}

/* One submission sent by one worker at a time: its members may be split
 * between two workers' claims (or taken over half), so the lookup and the
 * upload run under the named lease "submission:<name>". Members that find
 * it held go back to ready, their counted attempt making the next try look
 * up first: the holder's upload is then found, not repeated. */
static gw_rc
runner_send_group_leased(struct runner *r, struct queue_msg **v, size_t n, int64_t now)
{
	char lease[QUEUE_REF_MAX + 16], why[QUEUE_REF_MAX + QUEUE_OWNER_MAX + 96];
	int got = 0;
	gw_rc rc;
	if (v[0]->remote_ref2[0] == '\0')
		return runner_send_group(r, v, n, now);     /* refused there, no name to lease */
	snprintf(lease, sizeof lease, "submission:%s", v[0]->remote_ref2);
	if ((rc = r->q->ops->lease_named(r->q, lease, r->cfg.worker, now + r->cfg.lease_ms, now,
	    &got)) != GW_OK)
		return rc;
	if (!got) {
		for (size_t i = 0; i < n; i++)
			v[i]->next_attempt_ms = now + r->cfg.dep_wait_ms;
		snprintf(why, sizeof why, "submission %s is being sent by another worker: back to"
		    " ready, looked up before any upload", v[0]->remote_ref2);
		log_info(NULL, v[0]->remote_ref2, "%zu message(s): %s", n, why);
		return runner_move_group(r, v, n, QS_SENDING, QS_READY, why);
	}
	char name[QUEUE_REF_MAX + 1];
	snprintf(name, sizeof name, "%s", v[0]->remote_ref2);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (runner_still_mine(r, v[i]))
			v[k++] = v[i];
	rc = k > 0 ? runner_send_group(r, v, k, now) : GW_OK;
	gw_rc lrc = r->q->ops->lease_named(r->q, lease, r->cfg.worker, 0, now, &got);
	if (lrc != GW_OK)
		log_warn(NULL, name, "named lease %s not released (%s): it expires by itself", lease,
		    gw_rc_name(lrc));
	return rc;
}

/* Claim ready messages into sending (the attempt counted in the same
 * commit) and send each submission among them once. */
static gw_rc
runner_send_groups(struct runner *r, int64_t now, size_t *did)
{
	size_t n = 0;
	gw_rc rc = r->q->ops->claim(r->q, r->ch->name, QS_READY, QS_SENDING, r->cfg.worker,
	    r->cfg.lease_ms, now, r->gcap, r->gbuf, &n);
	if (rc != GW_OK || n == 0)
		return rc;
	struct queue_msg **v = calloc(n, sizeof *v);
	if (v == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &r->gbuf[i];
	qsort(v, n, sizeof *v, cmp_group);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && strcmp(v[j]->remote_ref2, v[i]->remote_ref2) == 0)
			j++;
		gw_rc grc;
		if (stopping(r)) {
			/* Unhandled: back untouched but for the attempt the claim
			 * counted, so the next run looks up before sending. */
			grc = runner_move_group(r, v + i, j - i, QS_SENDING, QS_READY,
			    "released unhandled at shutdown");
		} else {
			grc = runner_send_group_leased(r, v + i, j - i, now);
		}
		if (grc != GW_OK && rc == GW_OK)
			rc = grc;
		*did += j - i;
		i = j;
	}
out:
	free(v);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&r->gbuf[i]);
	return rc;
}

/* When a sent message is due: fetch and apply the channel's answers, then
 * put off the next poll of those still unanswered. */
static gw_rc
runner_poll_groups(struct runner *r, int64_t now, size_t *did)
{
	size_t n = 0, moved = 0;
	char err[512] = "";
	gw_rc rc = r->q->ops->claim(r->q, r->ch->name, QS_SENT, QS_SENT, NULL, 0, now, r->gcap,
	    r->gbuf, &n);
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&r->gbuf[i]);
	/* Answers also come unasked, or after their message ended (a DMPI
	 * after the NOTI, an IDFLUX): fetched at the channel's pace too. */
	if (rc != GW_OK || (n == 0 && now < r->next_poll_ms))
		return rc;
	long pace = r->ch->poll_delay(r->ctx, 0);
	r->next_poll_ms = now + (pace > 0 ? pace : 1000);
	r->n.polled++;
	gw_rc prc = r->ch->poll_many(r->ctx, r->q, &moved, err, sizeof err);
	*did += moved;
	if (prc != GW_OK)
		log_warn(NULL, NULL, "%s: answers not fetched or applied: %s", r->ch->name,
		    err[0] ? err : gw_rc_name(prc));
	if (prc != GW_OK && prc != GW_ETEMP)
		return prc;
	/* Those still unanswered wait for the next poll (one transaction). */
	for (int round = 0; round < 64; round++) {
		n = 0;
		if ((rc = r->q->ops->claim(r->q, r->ch->name, QS_SENT, QS_SENT, NULL, 0, now, r->gcap,
		    r->gbuf, &n)) != GW_OK || n == 0)
			return rc;
		struct queue_msg **v = calloc(n, sizeof *v);
		if (v == NULL)
			rc = GW_ENOMEM;
		for (size_t i = 0; v != NULL && i < n; i++) {
			long elapsed = (long)(now - (r->gbuf[i].sent_ms ? r->gbuf[i].sent_ms : now));
			long d = r->ch->poll_delay(r->ctx, elapsed);
			r->gbuf[i].next_attempt_ms = now + (d > 0 ? d : 1000);
			v[i] = &r->gbuf[i];
		}
		if (v != NULL) {
			struct queue_move *mv = calloc(n, sizeof *mv);
			if (mv == NULL)
				rc = GW_ENOMEM;
			for (size_t i = 0; mv != NULL && i < n; i++) {
				mv[i].id = v[i]->id;
				mv[i].fields = v[i];
				mv[i].from = mv[i].to = QS_SENT;
			}
			if (mv != NULL)
				rc = queue_move_many(r->q, mv, n, "runner", NULL);
			free(mv);
		}
		free(v);
		for (size_t i = 0; i < n; i++)
			queue_msg_free(&r->gbuf[i]);
		if (rc != GW_OK)
			return rc;
	}
	return GW_OK;
}

/* One pass: answers first (they unblock follow-ups), then sends, then builds. */
gw_rc
runner_step(struct runner *r, int64_t now_ms, size_t *did)
{
	gw_rc rc;
	*did = 0;
	if ((rc = runner_leases(r, now_ms)) != GW_OK)
		return rc;
	if (r->gcap > 0) {
		/* Sends before answers here: an answer file is applied to the
		 * messages as they stand, and one that was already received
		 * (found by the lookup) must be sent by then to take it. */
		if ((rc = runner_send_groups(r, now_ms, did)) != GW_OK)
			return rc;
		if (stopping(r))
			return GW_OK;
		if ((rc = runner_poll_groups(r, now_ms, did)) != GW_OK)
			return rc;
		if (stopping(r))
			return GW_OK;
		return runner_build_group(r, now_ms, did);
	}
	if (r->ch->submit_each != NULL && r->ch->poll_each != NULL) {
		/* Several requests in flight, outcomes committed together. */
		if ((rc = runner_phase_each(r, QS_SENT, QS_SENT, now_ms, did)) != GW_OK)
			return rc;
		if (stopping(r))
			return GW_OK;
		if ((rc = runner_phase_each(r, QS_READY, QS_SENDING, now_ms, did)) != GW_OK)
			return rc;
		if (stopping(r))
			return GW_OK;
		return runner_phase_each(r, QS_PENDING, QS_BUILDING, now_ms, did);
	}
	if ((rc = runner_phase(r, QS_SENT, QS_SENT, now_ms, runner_poll_one, did)) != GW_OK)
		return rc;
	if (stopping(r))
		return GW_OK;
	if ((rc = runner_phase(r, QS_READY, QS_SENDING, now_ms, runner_send_one, did)) != GW_OK)
		return rc;
	if (stopping(r))
		return GW_OK;
	return runner_phase(r, QS_PENDING, QS_BUILDING, now_ms, runner_build_one, did);
}

/* Sleep ms, waking early when asked to stop. */
static void
runner_sleep(const struct runner *r, int64_t ms)
{
	while (ms > 0 && !stopping(r)) {
		int64_t step = ms > 100 ? 100 : ms;
		struct timespec ts = { (time_t)(step / 1000), (long)(step % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* Whether the channel has nothing to build or send and no answer due
 * within the idle horizon (an ONSS "waiting" status can last days; the
 * next run polls it); *wait_ms: until its next due message, at most the
 * idle sleep. */
gw_rc
runner_idle(struct runner *r, int64_t now, int *idle, int64_t *wait_ms)
{
	struct queue_stats st;
	gw_rc rc = r->q->ops->stats(r->q, r->ch->name, &st);
	if (rc != GW_OK)
		return rc;
	uint64_t active = st.count[QS_PENDING] + st.count[QS_BUILDING] + st.count[QS_READY] +
	    st.count[QS_SENDING];
	*idle = active == 0 && (st.count[QS_SENT] == 0 ||
	    st.next_attempt_ms - now > r->cfg.idle_horizon_ms);
	/* Said once, when --until-idle stops on it (not at every idle sleep). */
	if (*idle && st.count[QS_SENT] > 0 && r->until_idle)
		log_info(NULL, NULL, "%s idle: %llu message(s) still await an answer, next poll in"
		    " %lld s", r->ch->name, (unsigned long long)st.count[QS_SENT],
		    (long long)((st.next_attempt_ms - now) / 1000));
	*wait_ms = r->cfg.idle_sleep_ms;
	if (st.next_attempt_ms != 0 && st.next_attempt_ms - now < *wait_ms)
		*wait_ms = st.next_attempt_ms - now;
	if (*wait_ms < 5)
		*wait_ms = 5;
	return GW_OK;
}

/* Step every runner until stopped or, with until_idle, until none has
 * anything left to do: one scheduler for every channel. */
gw_rc
runner_loop_all(struct runner **rs, size_t n, int until_idle, volatile sig_atomic_t *stop)
{
	if (n == 0)
		return GW_OK;
	for (size_t i = 0; i < n; i++) {
		rs[i]->stop = stop;
		rs[i]->until_idle = until_idle;
	}
	int orphans = 0;
	while (!stopping(rs[0])) {
		size_t did = 0;
		gw_rc rc = GW_OK;
		int64_t now = queue_now_ms();
		/* A step cut by a temporary queue failure (a database restart)
		 * may have left this worker's messages in building or sending,
		 * their last move lost with the connection. No step is running
		 * now, so nothing of ours is in flight: take them over as after a
		 * crash (a send looked up before any re-send). */
		if (orphans && runner_recover(rs[0], now) == GW_OK)
			orphans = 0;
		for (size_t i = 0; i < n && !stopping(rs[0]); i++) {
			size_t d = 0;
			gw_rc src = runner_step(rs[i], now, &d);
			if (src != GW_OK && src != GW_ETEMP)
				return src;
			if (src != GW_OK)
				rc = orphans = src;
			did += d;
		}
		if (did > 0 && rc == GW_OK)
			continue;
		int all_idle = 1;
		int64_t wait = INT64_MAX;
		for (size_t i = 0; i < n; i++) {
			int idle;
			int64_t w;
			/* A queue that cannot answer right now (a database server
			 * restarting) is not idle: wait and ask again. */
			if ((rc = runner_idle(rs[i], now, &idle, &w)) == GW_ETEMP) {
				idle = 0;
				w = rs[i]->cfg.idle_sleep_ms;
			} else if (rc != GW_OK) {
				return rc;
			}
			all_idle &= idle;
			if (w < wait)
				wait = w;
		}
		if (until_idle && all_idle)
			break;
		runner_sleep(rs[0], wait);
	}
	return GW_OK;
}

/* Loop until stopped or, with until_idle, until nothing is left to do. */
gw_rc
runner_loop(struct runner *r, int until_idle, volatile sig_atomic_t *stop)
{
	return runner_loop_all(&r, 1, until_idle, stop);
}

/*
 * service/dimona_channel.c - the Dimona REST v2 channel (dimona_channel.h).
 *
 * Owns the mapping between queue messages and the REST client: kind ->
 * Dimona action, the stored payload -> declaration, the ONSS result ->
 * queue outcome with its anomalies. Must never send a declaration the
 * rules block, nor an OUT/UPDATE/CANCEL without the IN's period id.
 *
 * Throughput: the context holds [run] send_batch REST clients, each with
 * its own keep-alive connection and its own tokens (kept until shortly
 * before expiry); submit_each and poll_each put one request on each at
 * the same time, on a pool of threads started with the channel (one per
 * client, the caller's being the first), and return when all have ended.
 * The runner counts and records around the call (channel.h).
 */
#include "service/dimona_channel.h"
#include "core/log.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "onss/rest/client.h"
#include "records/reader.h"
#include "core/clock.h"
#include "core/params.h"
#include "core/workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The declaration a message stands for (period id from dep or m). */
static gw_rc
dc_decl(const struct queue_msg *m, const struct queue_msg *dep, struct dimona_decl *d,
        char *err, size_t cap)
{
	struct contract c;
	struct record_rejection rej;
	int action = dimona_action_of_kind(m->kind);
	if (action < 0) {
		snprintf(err, cap, "kind %s is not a Dimona declaration", m->kind);
		return GW_EINPUT;
	}
	if (m->payload == NULL) {
		snprintf(err, cap, "no stored record to build from");
		return GW_EINPUT;
	}
	memset(&rej, 0, sizeof rej);
	gw_rc prc = contract_from_json(m->payload, strlen(m->payload), &c, &rej);
	if (prc == GW_ENOMEM) {
		/* Not the record's fault: the runner tries again later. */
		snprintf(err, cap, "out of memory reading the stored record");
		return GW_ENOMEM;
	}
	if (prc != GW_OK) {
		snprintf(err, cap, "stored record no longer valid: field %s: %s", rej.field, rej.reason);
		return GW_EINPUT;
	}
	gw_rc rc = dimona_decl_from_contract(d, &c);
	if (rc != GW_OK) {
		snprintf(err, cap, "cannot make a declaration of record %s", m->record_id);
		return rc;
	}
	d->action = (enum dimona_action)action;
	if (action != DIMONA_IN) {
		/* The message's own period id first: intake sets it when it
		 * chains several CANCELs (the Horeca EXT rule), so a CANCEL's
		 * dependency is then the previous CANCEL, not its IN. */
		const char *pid = m->remote_ref2[0] ? m->remote_ref2 :
		    dep != NULL ? dep->remote_ref2 : "";
		if (pid[0] == '\0') {
			snprintf(err, cap, "%s needs the period id of the IN, which has none",
			    dimona_action_name(d->action));
			return GW_EINPUT;
		}
		size_t pl = strlen(pid);
		if (pl > DIMONA_PERIOD_ID_MAX) {
			snprintf(err, cap, "period id %.64s is too long", pid);
			return GW_EINPUT;
		}
		memcpy(d->period_id, pid, pl + 1);
	}
	return GW_OK;
}

/* Build the REST JSON after the rules pass. */
static gw_rc
dc_build(void *ctx, struct queue_msg *m, const struct queue_msg *dep, char *err, size_t cap)
{
	struct dimona_decl *d = calloc(1, sizeof *d);
	struct dimona_findings f;
	gw_rc rc;
	(void)ctx;
	if (d == NULL)
		return GW_ENOMEM;
	if ((rc = dc_decl(m, dep, d, err, cap)) != GW_OK)
		goto out;
	gw_ymd today;
	int now_min;
	clock_brussels_now(&today, &now_min);
	memset(&f, 0, sizeof f);
	if (dimona_rules_check(d, NULL, today, now_min, &f) > 0) {
		size_t off = (size_t)snprintf(err, cap, "Dimona rules:");
		for (size_t i = 0; i < f.n && off < cap; i++)
			if (f.f[i].severity == 'B')
				off += (size_t)snprintf(err + off, cap - off, " %s %s (%s)", f.f[i].check,
				    f.f[i].code, f.f[i].field);
		rc = GW_EINPUT;
		goto out;
	}
	if (d->action != DIMONA_IN)
		snprintf(m->remote_ref2, sizeof m->remote_ref2, "%s", d->period_id);
	free(m->body);
	m->body = NULL;
	rc = dimona_to_json(d, &m->body, &m->body_len);
	m->content_hash[0] = '\0';
out:
	free(d);
	return rc;
}

/* The clients: one per request in flight; the first also serves the
 * one-at-a-time calls (lookups, submit, poll). */
struct dc_each;
struct dc_worker;
struct dc_ctx {
	struct dimona_rest **c;
	size_t n;
	/* The pool: a thread per client but the first, the call in hand. */
	struct workers pool;
	struct dc_worker *w;             /* pool thread i serves client w[i].k */
	struct dc_each *job;
};

static struct dimona_rest *dc_first(void *ctx) { return ((struct dc_ctx *)ctx)->c[0]; }

/* Ask the ONSS whether it already has this declaration. */
static gw_rc
dc_lookup(void *ctx, struct queue_msg *m, char *err, size_t cap)
{
	struct dimona_decl *d = calloc(1, sizeof *d);
	char id[QUEUE_REF_MAX + 1] = "";
	gw_rc rc;
	if (d == NULL)
		return GW_ENOMEM;
	if (m->body != NULL)
		rc = dimona_from_json(m->body, m->body_len, d, err, cap);
	else
		rc = dc_decl(m, NULL, d, err, cap);
	if (rc != GW_OK) {
		free(d);
		return GW_ETEMP;      /* cannot tell: never guess "not there" */
	}
	rc = dimona_rest_lookup(dc_first(ctx), d, id, sizeof id, err, cap);
	if (rc == GW_OK)
		snprintf(m->remote_ref, sizeof m->remote_ref, "%s", id);
	else if (rc != GW_ENOTFOUND)
		rc = GW_ETEMP;
	free(d);
	return rc;
}

/* POST the declaration on client c. */
static gw_rc
dc_submit_on(struct dimona_rest *c, struct queue_msg *m, long *retry_after_ms, char *err,
             size_t cap)
{
	char id[QUEUE_REF_MAX + 1] = "";
	if (m->body == NULL) {
		snprintf(err, cap, "nothing built to send");
		return GW_EPERM;
	}
	gw_rc rc = dimona_rest_submit(c, m->body, m->body_len, id, sizeof id, retry_after_ms,
	    err, cap);
	if (rc == GW_OK)
		snprintf(m->remote_ref, sizeof m->remote_ref, "%s", id);
	if (rc == GW_ETEMP && *retry_after_ms == DIMONA_REST_NO_ANSWER)
		*retry_after_ms = CHANNEL_MAYBE_LANDED;
	return rc;
}

/* GET the result on client c; 'S' (still waiting) is "not yet". */
static gw_rc
dc_poll_on(struct dimona_rest *c, struct queue_msg *m, struct channel_answer *a, char *err,
           size_t cap)
{
	struct dimona_result r;
	memset(&r, 0, sizeof r);
	gw_rc rc = dimona_rest_poll(c, m->remote_ref, &r, err, cap);
	if (rc != GW_OK)
		return rc;
	switch (r.status) {
	case 'A': a->outcome = QS_ACCEPTED; break;
	case 'W': a->outcome = QS_ACCEPTED_WARNINGS; break;
	case 'B': a->outcome = QS_REFUSED; break;
	case 'S': return GW_ENOTFOUND;
	default:
		snprintf(err, cap, "unknown result status '%c'", r.status ? r.status : '?');
		return GW_ETEMP;
	}
	snprintf(a->ref2, sizeof a->ref2, "%s", r.period_id[0] ? r.period_id : m->remote_ref2);
	size_t off = 0;
	for (size_t i = 0; i < r.n_anomalies && off < sizeof a->detail; i++)
		off += (size_t)snprintf(a->detail + off, sizeof a->detail - off, "%s%s%s%s%s",
		    i ? ", " : "", r.anomalies[i].code, r.anomalies[i].field[0] ? " (" : "",
		    r.anomalies[i].field, r.anomalies[i].field[0] ? ")" : "");
	/* Informations are not anomalies; shown apart so an operator sees
	 * them (e.g. the student contingent) without reading a warning. */
	for (size_t i = 0; i < r.n_informations && off < sizeof a->detail; i++)
		off += (size_t)snprintf(a->detail + off, sizeof a->detail - off, "%s%s",
		    i ? ", " : off ? "; information " : "information ", r.informations[i].code);
	return GW_OK;
}

static gw_rc
dc_submit(void *ctx, struct queue_msg *m, long *retry_after_ms, char *err, size_t cap)
{
	return dc_submit_on(dc_first(ctx), m, retry_after_ms, err, cap);
}

static gw_rc
dc_poll(void *ctx, struct queue_msg *m, struct channel_answer *a, char *err, size_t cap)
{
	return dc_poll_on(dc_first(ctx), m, a, err, cap);
}

/* One submit_each/poll_each call: each thread takes the next request not
 * taken and makes it on its own client. */
struct dc_each {
	struct queue_msg *const *v;
	struct channel_result *res;
	size_t n, next, done;
	int poll;
};

/* Request i of e on client c. */
static void
dc_each_one(struct dc_each *e, size_t i, struct dimona_rest *c)
{
	struct channel_result *r = &e->res[i];
	memset(r, 0, sizeof *r);
	if (e->poll)
		r->rc = dc_poll_on(c, e->v[i], &r->a, r->err, sizeof r->err);
	else
		r->rc = dc_submit_on(c, e->v[i], &r->retry_after_ms, r->err, sizeof r->err);
}

/* Take requests of the current call while there are any (called and
 * returning with mu held). */
static void
dc_take(struct dc_ctx *c, struct dimona_rest *client)
{
	struct dc_each *e = c->job;
	while (e != NULL && e->next < e->n) {
		size_t i = e->next++;
		pthread_mutex_unlock(&c->pool.mu);
		dc_each_one(e, i, client);
		pthread_mutex_lock(&c->pool.mu);
		if (++e->done == e->n)
			pthread_cond_broadcast(&c->pool.done);
	}
}

struct dc_worker {
	struct dc_ctx *c;
	size_t k;                         /* its client */
};

/* A pool thread: started with the channel, kept for its life, so that a
 * batch costs no thread creation. */
static void *
dc_worker_run(void *arg)
{
	struct dc_worker *w = arg;
	struct dc_ctx *c = w->c;
	pthread_mutex_lock(&c->pool.mu);
	while (!c->pool.stopping) {
		if (c->job == NULL || c->job->next >= c->job->n) {
			pthread_cond_wait(&c->pool.work, &c->pool.mu);
			continue;
		}
		dc_take(c, c->c[w->k]);
	}
	pthread_mutex_unlock(&c->pool.mu);
	return NULL;
}

/* v[0..n) on the pool's clients at once; the calling thread takes part
 * with the first client and returns when every request has ended. */
static void
dc_each(void *ctx, struct queue_msg *const *v, size_t n, struct channel_result *res, int poll)
{
	struct dc_ctx *c = ctx;
	struct dc_each e = { .v = v, .res = res, .n = n, .poll = poll };
	if (n == 0)
		return;
	pthread_mutex_lock(&c->pool.mu);
	c->job = &e;
	pthread_cond_broadcast(&c->pool.work);
	dc_take(c, c->c[0]);
	while (e.done < e.n)
		pthread_cond_wait(&c->pool.done, &c->pool.mu);
	c->job = NULL;
	pthread_mutex_unlock(&c->pool.mu);
}

static void
dc_submit_each(void *ctx, struct queue_msg *const *v, size_t n, struct channel_result *res)
{
	dc_each(ctx, v, n, res, 0);
}

static void
dc_poll_each(void *ctx, struct queue_msg *const *v, size_t n, struct channel_result *res)
{
	dc_each(ctx, v, n, res, 1);
}

static long dc_poll_delay(void *ctx, long elapsed) { (void)ctx; return dimona_rest_poll_delay(elapsed); }

/* A CANCEL of a declaration that never took effect has nothing left to
 * undo: it ends cancelled; any other follow-up cannot be made (failed). */
enum queue_state
dimona_channel_dep_void(void *ctx, const struct queue_msg *m)
{
	(void)ctx;
	return dimona_action_of_kind(m->kind) == DIMONA_CANCEL ? QS_CANCELLED : QS_FAILED;
}

const struct channel_ops dimona_channel_ops = {
	.name = "dimona-rest",
	.build = dc_build,
	.lookup = dc_lookup,
	.submit = dc_submit,
	.poll = dc_poll,
	.poll_delay = dc_poll_delay,
	.dep_void = dimona_channel_dep_void,
	.submit_each = dc_submit_each,
	.poll_each = dc_poll_each,
};

/* [run] send_batch REST clients (at most DIMONA_CHANNEL_MAX_CLIENTS). */
gw_rc
dimona_channel_open(void **ctx, char *errbuf, size_t errcap)
{
	struct dc_ctx *c = calloc(1, sizeof *c);
	long want = param_int(P_RUN_SEND_BATCH);
	gw_rc rc = GW_OK;
	*ctx = NULL;
	if (want < 1)
		want = 1;
	if (want > DIMONA_CHANNEL_MAX_CLIENTS)
		want = DIMONA_CHANNEL_MAX_CLIENTS;
	if (c == NULL || (c->c = calloc((size_t)want, sizeof *c->c)) == NULL) {
		free(c);
		return GW_ENOMEM;
	}
	workers_init(&c->pool);
	while (c->n < (size_t)want && (rc = dimona_rest_open(&c->c[c->n], errbuf, errcap)) == GW_OK)
		c->n++;
	if (rc == GW_OK && (c->w = calloc(c->n, sizeof *c->w)) != NULL) {
		/* A client whose thread cannot start is simply not used. */
		for (size_t k = 1; k < c->n; k++) {
			struct dc_worker *w = &c->w[c->pool.n];
			*w = (struct dc_worker){ .c = c, .k = k };
			(void)workers_add(&c->pool, dc_worker_run, w);
		}
	} else if (rc == GW_OK) {
		rc = GW_ENOMEM;
	}
	if (rc != GW_OK) {
		dimona_channel_close(c);
		return rc;
	}
	*ctx = c;
	return GW_OK;
}

void
dimona_channel_close(void *ctx)
{
	struct dc_ctx *c = ctx;
	if (c == NULL)
		return;
	workers_close(&c->pool);
	free(c->w);
	for (size_t i = 0; i < c->n; i++)
		dimona_rest_close(c->c[i]);
	free(c->c);
	free(c);
}

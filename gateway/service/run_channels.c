/*
 * service/run_channels.c - the channels served over the queue (run_channels.h).
 *
 * Owns the worker's run lock (SQLite: [run] lock_file, default
 * <queue.dsn>.run.<worker>.lock), the order of the start (lock, queue,
 * channels, runners, recovery) and of the stop (runners, channels, queue,
 * lock). The scheduling itself is the runner's; never moves a message
 * itself.
 */
#include "service/run_channels.h"
#include "service/peppol_report.h"
#include "service/queue_watch.h"
#include "service/dimona_channel.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/params.h"
#include "queue/queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* What one run holds, released by rc_close(). */
struct rc_held {
	int lockfd;
	struct queue *q;
	void *rest_ctx, *batch_ctx, *as4_ctx;
	struct runner *rest, *batch, *as4, *rs[3];
	size_t nr;
};

/* Several runners share a queue through the leases (queue.h), not a lock:
 * start-up recovery takes over only what no live worker holds, and what
 * this worker's name held in its previous life. That is only safe while
 * one process at a time runs under a name: an exclusive lock on a file
 * beside an SQLite queue, per worker name, refuses a second one on this
 * machine (the kernel drops it when the process dies, even by SIGKILL).
 * [run] lock_file names one lock for every worker (one runner per queue,
 * as before the leases). A server database has no file beside it: there,
 * names must be unique by configuration. */
static gw_rc
rc_lock(struct rc_held *s, struct run_channels_result *r)
{
	char path[1100], name[QUEUE_OWNER_MAX + 1];
	const char *lf = param_str(P_RUN_LOCK_FILE);
	const char *dsn = param_str(P_QUEUE_DSN);
	const char *worker = queue_worker_name();
	/* The worker's name as a file name part: only [A-Za-z0-9._-], others '_'. */
	size_t k = 0;
	for (; worker[k] != '\0' && k < QUEUE_OWNER_MAX; k++) {
		char c = worker[k];
		name[k] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' ? c : '_';
	}
	name[k] = '\0';
	if (lf != NULL)
		snprintf(path, sizeof path, "%s", lf);
	else if (strcmp(param_str(P_QUEUE_BACKEND), "sqlite") == 0 && strstr(dsn, "://") == NULL)
		snprintf(path, sizeof path, "%s.run.%s.lock", strncmp(dsn, "sqlite:", 7) == 0 ? dsn + 7
		    : dsn, name);
	else
		return GW_OK;
	if ((s->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		snprintf(r->err, sizeof r->err, "cannot open %s: %s", path, strerror(errno));
		return GW_EIO;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(r->err, sizeof r->err, "another gateway run is serving this queue as worker"
		    " %s (%s is locked)", worker, path);
		return GW_ESTATE;
	}
	return GW_OK;
}

/* The channels asked for, a runner each; the queue-wide recovery. */
static gw_rc
rc_start(struct rc_held *s, const struct run_channels_opts *o, struct run_channels_result *r)
{
	struct runner_config cfg;
	char err[512];
	gw_rc rc;
	if ((rc = queue_open_configured(&s->q, err, sizeof err)) != GW_OK) {
		snprintf(r->err, sizeof r->err, "%s", err);
		return rc;
	}
	/* A locked database or a full disk mid-run is said by its cause. */
	if (queue_watch(s->q, param_str(P_QUEUE_DSN)) != GW_OK)
		log_warn(NULL, "queue", "the queue's write failures will not be explained in the log");
	runner_config_default(&cfg);
	if (o->batch) {
		struct batch_channel_opts none;
		memset(&none, 0, sizeof none);
		if ((rc = batch_channel_open(&s->batch_ctx, o->batch_opts ? o->batch_opts : &none, err,
		    sizeof err)) != GW_OK) {
			snprintf(r->err, sizeof r->err, "onss-batch: %s", err);
			return rc;
		}
		if ((rc = runner_new(&s->batch, s->q, &batch_channel_ops, s->batch_ctx, &cfg)) != GW_OK)
			goto cannot;
	}
	if (o->rest) {
		if ((rc = dimona_channel_open(&s->rest_ctx, err, sizeof err)) != GW_OK) {
			snprintf(r->err, sizeof r->err, "Dimona REST client: %s", err);
			return rc;
		}
		if ((rc = runner_new(&s->rest, s->q, &dimona_channel_ops, s->rest_ctx, &cfg)) != GW_OK)
			goto cannot;
		s->rs[s->nr++] = s->rest;
	}
	if (s->batch != NULL)
		s->rs[s->nr++] = s->batch;
	if (o->as4) {
		if ((rc = as4_channel_open(&s->as4_ctx, s->q, err, sizeof err)) != GW_OK) {
			snprintf(r->err, sizeof r->err, "peppol-as4: %s", err);
			return rc;
		}
		if ((rc = runner_new(&s->as4, s->q, &as4_channel_ops, s->as4_ctx, &cfg)) != GW_OK)
			goto cannot;
		s->rs[s->nr++] = s->as4;
		/* The month's reports, due between the 1st and the 15th: queued
		 * once (stable record ids), sent by this channel like the rest. */
		char month[8];
		gw_rc qr = peppol_report_queue(s->q, clock_now_ms(), month, err, sizeof err);
		if (qr == GW_OK)
			log_info(NULL, NULL, "Peppol reports of %s queued for OpenPeppol", month);
		else if (qr != GW_ENOTFOUND)
			log_error(NULL, NULL, "Peppol reports of %s not queued: %s", month, err);
	}
	/* A send left unknown waits in ready and is looked up before any
	 * re-send, on every channel. */
	if (s->nr == 0 || !o->exclusive || (rc = runner_recover(s->rs[0], queue_now_ms())) == GW_OK)
		return GW_OK;
cannot:
	snprintf(r->err, sizeof r->err, "cannot start: %s", gw_rc_name(rc));
	return rc;
}

static void
rc_close(struct rc_held *s)
{
	runner_free(s->as4);
	as4_channel_close(s->as4_ctx);
	runner_free(s->batch);
	batch_channel_close(s->batch_ctx);
	runner_free(s->rest);
	if (s->rest_ctx != NULL)
		dimona_channel_close(s->rest_ctx);
	if (s->q != NULL)
		s->q->ops->close(s->q);
	if (s->lockfd >= 0)
		close(s->lockfd);
}

gw_rc
run_channels(const struct run_channels_opts *o, struct run_channels_result *r)
{
	struct rc_held s;
	gw_rc rc;
	char dsn[512];
	memset(r, 0, sizeof *r);
	memset(&s, 0, sizeof s);
	s.lockfd = -1;
	if ((o->exclusive && (rc = rc_lock(&s, r)) != GW_OK) || (rc = rc_start(&s, o, r)) != GW_OK)
		goto out;
	log_info(NULL, NULL, "running %s%s%s on queue %s%s", o->rest ? "dimona-rest" : "",
	    o->batch ? (o->rest ? " and onss-batch" : "onss-batch") : "",
	    o->as4 ? (o->rest || o->batch ? " and peppol-as4" : "peppol-as4") : "",
	    queue_dsn_shown(param_str(P_QUEUE_DSN), dsn, sizeof dsn),
	    o->once ? " (one pass)" : o->until_idle ? " (until idle)" : "");
	if (o->once) {
		rc = GW_OK;
		for (size_t i = 0; i < s.nr && (rc == GW_OK || rc == GW_ETEMP); i++) {
			size_t did = 0;
			rc = runner_step(s.rs[i], queue_now_ms(), &did);
		}
	} else {
		rc = runner_loop_all(s.rs, s.nr, o->until_idle, o->stop);
	}
	if ((r->have_rest = s.rest != NULL))
		r->rest = *runner_counts(s.rest);
	if ((r->have_batch = s.batch != NULL)) {
		r->batch = *runner_counts(s.batch);
		r->bn = *batch_channel_counts(s.batch_ctx);
	}
	if ((r->have_as4 = s.as4 != NULL)) {
		r->as4 = *runner_counts(s.as4);
		r->an = *as4_channel_counts(s.as4_ctx);
	}
	if (rc == GW_ETEMP)
		rc = GW_OK;
	else if (rc != GW_OK)
		snprintf(r->err, sizeof r->err, "stopped on %s", gw_rc_name(rc));
out:
	rc_close(&s);
	return rc;
}

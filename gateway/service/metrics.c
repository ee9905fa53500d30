/*
 * metrics.c - Prometheus exposition (metrics.h).
 *
 * The send histogram and the retry counters come from what every process
 * shares, the queue: each message that reached an answer (accepted, with
 * warnings, refused) or failed is folded in once, from its history (the
 * time from its last send to the answer) and its attempt count, so the
 * figures are the same whichever process sent (`gateway run`) and which
 * serves them (`gateway serve`). The fold is incremental: each scrape reads
 * only the messages changed since the previous one. The counters are
 * cumulative for the life of the serving process (a restart starts them
 * again from the whole queue, as Prometheus' rate() allows); the queue's
 * other figures are gauges read at each scrape.
 */
#include "service/metrics.h"
#include "core/clock.h"
#include "queue/queue.h"
#include "service/cert_info.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channels[] = { "dimona-rest", "onss-batch", "peppol-as4", "other" };
#define NCH 4
static const double bounds[] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
#define NB (sizeof bounds / sizeof bounds[0])
/* Messages changed in the same millisecond as the watermark, already
 * folded: a later scrape reads that millisecond again. */
#define SEEN_MAX 256

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t buckets[NCH][NB + 1];   /* the last is +Inf */
static double sums[NCH];
static uint64_t retries[NCH];
static int64_t watermark_ms;            /* newest updated_ms folded */
static char seen[SEEN_MAX][QUEUE_ID_MAX + 1];
static size_t nseen;

static size_t
channel_index(const char *c)
{
	for (size_t i = 0; i + 1 < NCH; i++)
		if (c != NULL && strcmp(c, channels[i]) == 0)
			return i;
	return NCH - 1;
}

/* One send of channel took seconds (from the send to its answer). */
static void
observe_send(size_t c, double seconds)
{
	size_t b = 0;
	while (b < NB && seconds > bounds[b])
		b++;
	buckets[c][b]++;
	sums[c] += seconds;
}

/* Seconds from m's last send to its answer, from its history; -1 when the
 * history holds no such pair (failed, cancelled, answered by lookup only). */
static double
send_seconds(struct queue *q, const struct queue_msg *m)
{
	struct queue_event *ev = NULL;
	size_t n = 0;
	double secs = -1;
	int64_t sent_at = -1;
	if (q->ops->history(q, m->id, &ev, &n) != GW_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (ev[i].to == QS_SENDING && ev[i].from != QS_SENDING)
			sent_at = ev[i].at_ms;
		else if (sent_at >= 0 && ev[i].from != ev[i].to && (ev[i].to == QS_ACCEPTED ||
		    ev[i].to == QS_ACCEPTED_WARNINGS || ev[i].to == QS_REFUSED)) {
			secs = (double)(ev[i].at_ms - sent_at) / 1000.0;
			sent_at = -1;
		}
	}
	free(ev);
	return secs < 0 ? -1 : secs;
}

/* True when id was folded at the watermark's millisecond already. */
static int
seen_at_watermark(const char *id)
{
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], id) == 0)
			return 1;
	return 0;
}

/* Fold in the messages of state st changed since the watermark; the
 * newest time seen goes to *newest. Called with mu held. */
static void
fold_state(struct queue *q, enum queue_state st, int64_t *newest)
{
	struct queue_filter f = { .state = (int)st, .updated_since_ms = watermark_ms };
	struct queue_msg *l = NULL;
	size_t n = 0;
	if (q->ops->list(q, &f, &l, &n) != GW_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct queue_msg *m = &l[i];
		if (m->updated_ms >= watermark_ms && !(m->updated_ms == watermark_ms &&
		    seen_at_watermark(m->id))) {
			size_t c = channel_index(m->channel);
			double secs = st == QS_FAILED ? -1 : send_seconds(q, m);
			if (secs >= 0)
				observe_send(c, secs);
			if (m->attempts > 1)
				retries[c] += m->attempts - 1;
			if (m->updated_ms > *newest)
				*newest = m->updated_ms;
		}
		queue_msg_free(&l[i]);
	}
	free(l);
}

/* Bring the counters up to the queue: every message that reached an
 * answer or failed since the last fold. */
static void
fold(struct queue *q)
{
	static const enum queue_state done[] = { QS_ACCEPTED, QS_ACCEPTED_WARNINGS, QS_REFUSED,
	    QS_FAILED };
	int64_t newest = watermark_ms;
	for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
		fold_state(q, done[i], &newest);
	/* What was folded at the new watermark's millisecond, so that the
	 * next scrape (which reads that millisecond again) skips it. */
	if (newest != watermark_ms)
		nseen = 0;
	for (size_t i = 0; i < sizeof done / sizeof done[0]; i++) {
		struct queue_filter f = { .state = (int)done[i], .updated_since_ms = newest };
		struct queue_msg *l = NULL;
		size_t n = 0;
		if (q->ops->list(q, &f, &l, &n) != GW_OK)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (l[k].updated_ms == newest && nseen < SEEN_MAX && !seen_at_watermark(l[k].id))
				snprintf(seen[nseen++], sizeof seen[0], "%s", l[k].id);
			queue_msg_free(&l[k]);
		}
		free(l);
	}
	watermark_ms = newest;
}

/* The queue's gauges. */
static void
queue_gauges(struct http_response *rs, struct queue *q)
{
	struct queue_stats st, all;
	http_printf(rs, "# HELP gateway_messages Messages in the queue by channel and state.\n"
	    "# TYPE gateway_messages gauge\n");
	for (size_t c = 0; c + 1 < NCH; c++) {
		if (q->ops->stats(q, channels[c], &st) != GW_OK)
			continue;
		for (int s = 0; s < QS__COUNT; s++)
			http_printf(rs, "gateway_messages{channel=\"%s\",state=\"%s\"} %llu\n", channels[c],
			    queue_state_name((enum queue_state)s), (unsigned long long)st.count[s]);
	}
	if (q->ops->stats(q, NULL, &all) != GW_OK)
		return;
	uint64_t depth = 0;
	for (int s = 0; s < QS__COUNT; s++)
		if (!queue_state_is_final((enum queue_state)s) && s != QS_HELD)
			depth += all.count[s];
	int64_t now = clock_now_ms();
	http_printf(rs, "# HELP gateway_queue_depth Messages not yet final (held ones aside).\n"
	    "# TYPE gateway_queue_depth gauge\ngateway_queue_depth %llu\n"
	    "# HELP gateway_oldest_unfinished_age_seconds Age of the oldest message not yet final.\n"
	    "# TYPE gateway_oldest_unfinished_age_seconds gauge\n"
	    "gateway_oldest_unfinished_age_seconds %.3f\n", (unsigned long long)depth,
	    all.oldest_pending_ms > 0 ? (double)(now - all.oldest_pending_ms) / 1000.0 : 0.0);
}

/* The send histogram and the retries, folded from the queue (q may be
 * NULL: the counters as they stand). */
static void
send_counters(struct http_response *rs, struct queue *q)
{
	pthread_mutex_lock(&mu);
	if (q != NULL)
		fold(q);
	http_printf(rs, "# HELP gateway_send_duration_seconds Time from a send to its answer"
	    " (from the queue's history, whichever process sent).\n"
	    "# TYPE gateway_send_duration_seconds histogram\n");
	for (size_t c = 0; c < NCH; c++) {
		uint64_t cum = 0;
		for (size_t b = 0; b <= NB; b++) {
			cum += buckets[c][b];
			if (b < NB)
				http_printf(rs, "gateway_send_duration_seconds_bucket{channel=\"%s\","
				    "le=\"%g\"} %llu\n", channels[c], bounds[b], (unsigned long long)cum);
			else
				http_printf(rs, "gateway_send_duration_seconds_bucket{channel=\"%s\","
				    "le=\"+Inf\"} %llu\n", channels[c], (unsigned long long)cum);
		}
		http_printf(rs, "gateway_send_duration_seconds_sum{channel=\"%s\"} %.6f\n"
		    "gateway_send_duration_seconds_count{channel=\"%s\"} %llu\n", channels[c], sums[c],
		    channels[c], (unsigned long long)cum);
	}
	http_printf(rs, "# HELP gateway_retries_total Attempts beyond the first of the messages"
	    " answered or failed.\n"
	    "# TYPE gateway_retries_total counter\n");
	for (size_t c = 0; c < NCH; c++)
		http_printf(rs, "gateway_retries_total{channel=\"%s\"} %llu\n", channels[c],
		    (unsigned long long)retries[c]);
	pthread_mutex_unlock(&mu);
}

/* Expiry of the configured certificates. */
static void
cert_gauges(struct http_response *rs)
{
	struct cert_info ci[CERT_INFO_MAX];
	size_t n = cert_info_configured(ci, CERT_INFO_MAX);
	http_printf(rs, "# HELP gateway_certificate_expiry_timestamp_seconds notAfter of each"
	    " configured certificate (0: unreadable).\n"
	    "# TYPE gateway_certificate_expiry_timestamp_seconds gauge\n");
	for (size_t i = 0; i < n; i++) {
		http_printf(rs, "gateway_certificate_expiry_timestamp_seconds{use=\"%s\",file=\"",
		    ci[i].use);
		for (const char *p = ci[i].path; *p; p++)       /* label value escaping */
			http_printf(rs, "%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p == '\n' ? 'n' : *p);
		http_printf(rs, "\"} %lld\n", (long long)(ci[i].not_after_ms / 1000));
	}
}

void
metrics_page(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	struct queue *q = NULL;
	char err[256];
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	http_printf(rs, "# HELP gateway_up 1 when the queue could be read for this scrape.\n"
	    "# TYPE gateway_up gauge\n");
	if (queue_open_configured(&q, err, sizeof err) == GW_OK) {
		http_printf(rs, "gateway_up 1\n");
		queue_gauges(rs, q);
	} else {
		http_printf(rs, "gateway_up 0\n");
	}
	send_counters(rs, q);
	if (q != NULL)
		q->ops->close(q);
	cert_gauges(rs);
}

void
health_page(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	struct queue *q = NULL;
	struct queue_stats st;
	char err[256];
	rs->content_type = "application/json";
	if (queue_open_configured(&q, err, sizeof err) != GW_OK) {
		rs->status = 503;
		http_printf(rs, "{\"status\":\"down\",\"why\":\"the queue cannot be opened\"}\n");
		return;
	}
	gw_rc rc = q->ops->stats(q, NULL, &st);
	http_printf(rs, "{\"status\":\"%s\",\"queue\":\"%s\"}\n", rc == GW_OK ? "ok" : "down",
	    q->ops->name);
	rs->status = rc == GW_OK ? 200 : 503;
	q->ops->close(q);
}

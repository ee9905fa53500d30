/*
 * metrics.c - Prometheus exposition (metrics.h).
 *
 * Counters kept here are cumulative for the life of the process, as
 * Prometheus expects (rate() over them); the queue's figures are gauges
 * read at each scrape.
 */
#include "service/metrics.h"
#include "core/clock.h"
#include "queue/queue.h"
#include "service/cert_info.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const channels[] = { "dimona-rest", "onss-batch", "peppol-as4", "other" };
#define NCH 4
static const double bounds[] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
#define NB (sizeof bounds / sizeof bounds[0])

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t buckets[NCH][NB + 1];   /* the last is +Inf */
static double sums[NCH];
static uint64_t retries[NCH];

static size_t
channel_index(const char *c)
{
	for (size_t i = 0; i + 1 < NCH; i++)
		if (c != NULL && strcmp(c, channels[i]) == 0)
			return i;
	return NCH - 1;
}

void
metrics_observe_send(const char *channel, double seconds)
{
	size_t c = channel_index(channel), b = 0;
	while (b < NB && seconds > bounds[b])
		b++;
	pthread_mutex_lock(&mu);
	buckets[c][b]++;
	sums[c] += seconds;
	pthread_mutex_unlock(&mu);
}

void
metrics_count_retry(const char *channel)
{
	size_t c = channel_index(channel);
	pthread_mutex_lock(&mu);
	retries[c]++;
	pthread_mutex_unlock(&mu);
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

/* The counters of this process. */
static void
process_counters(struct http_response *rs)
{
	pthread_mutex_lock(&mu);
	http_printf(rs, "# HELP gateway_send_duration_seconds Time from a send to its answer.\n"
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
	http_printf(rs, "# HELP gateway_retries_total Messages tried again.\n"
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
		q->ops->close(q);
	} else {
		http_printf(rs, "gateway_up 0\n");
	}
	process_counters(rs);
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

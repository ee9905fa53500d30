/*
 * metrics.h - Prometheus text metrics (/metrics) and the health check
 * (/healthz) of the embedded server.
 *
 * The queue's numbers (messages by state and channel, depth, the oldest
 * unfinished message) are read at each scrape. What only the sending
 * process sees (how long each send took, each retry) is counted in that
 * process as it happens: the runner calls metrics_observe_send() and
 * metrics_count_retry(), and a server started by `gateway run` exposes
 * them. Certificate expiry comes from the configured files.
 */
#ifndef GW_SERVICE_METRICS_H
#define GW_SERVICE_METRICS_H

#include "service/http_server.h"

/* One send of channel took seconds (from the request to its answer). */
void metrics_observe_send(const char *channel, double seconds);
/* A message of channel is tried again. */
void metrics_count_retry(const char *channel);

/* GET /metrics */
void metrics_page(void *ctx, const struct http_request *rq, struct http_response *rs);
/* GET /healthz (open): 200 when the queue answers, else 503 saying why. */
void health_page(void *ctx, const struct http_request *rq, struct http_response *rs);

#endif

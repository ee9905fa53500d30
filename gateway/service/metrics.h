/*
 * metrics.h - Prometheus text metrics (/metrics) and the health check
 * (/healthz) of the embedded server.
 *
 * The queue's numbers (messages by state and channel, depth, the oldest
 * unfinished message) are read at each scrape. The send histogram and the
 * retries come from the queue too (each answered or failed message's
 * history and attempt count), not from the serving process's memory:
 * `gateway run` sends and `gateway serve` is another process. Certificate
 * expiry comes from the configured files.
 */
#ifndef GW_SERVICE_METRICS_H
#define GW_SERVICE_METRICS_H

#include "service/http_server.h"

/* GET /metrics */
void metrics_page(void *ctx, const struct http_request *rq, struct http_response *rs);
/* GET /healthz (open): 200 when the queue answers, else 503 saying why. */
void health_page(void *ctx, const struct http_request *rq, struct http_response *rs);

#endif

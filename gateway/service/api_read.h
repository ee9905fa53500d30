/*
 * api_read.h - the intake API's read side (JSON): a record's messages with
 * their states and histories, one message, and the refusals to act on.
 */
#ifndef GW_SERVICE_API_READ_H
#define GW_SERVICE_API_READ_H

#include "service/http_server.h"

/* GET /api/v1/records/<id> */
void api_record(void *ctx, const struct http_request *rq, struct http_response *rs);
/* GET /api/v1/messages/<id> */
void api_message(void *ctx, const struct http_request *rq, struct http_response *rs);
/* GET /api/v1/refusals[?since=WHEN] : refused and failed messages, anomalies in words */
void api_refusals(void *ctx, const struct http_request *rq, struct http_response *rs);

#endif

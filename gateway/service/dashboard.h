/*
 * dashboard.h - the operator's dashboard and a timeline per message, as
 * routes of the embedded server (service/http_server.h).
 */
#ifndef GW_SERVICE_DASHBOARD_H
#define GW_SERVICE_DASHBOARD_H

#include "service/http_server.h"

/* GET / : the dashboard. */
void dashboard_page(void *ctx, const struct http_request *rq, struct http_response *rs);
/* GET /message/<id> : one message, its answer in Dutch and French, its timeline. */
void dashboard_message(void *ctx, const struct http_request *rq, struct http_response *rs);

#endif

/*
 * web.h - the operator's web routes on the embedded server: the dashboard,
 * a page per message, the health check and the metrics. One table, so that
 * `gateway serve` and (later) `gateway run` serve the same pages.
 */
#ifndef GW_SERVICE_WEB_H
#define GW_SERVICE_WEB_H

#include <stddef.h>
#include "service/http_server.h"

/* The routes; *n gets their number. Static: valid for the whole process. */
const struct http_route *web_routes(size_t *n);

#endif

/*
 * web.c - the operator's routes (web.h). /healthz is the only one open
 * without a credential.
 */
#include "service/web.h"
#include "service/dashboard.h"
#include "service/metrics.h"

static const struct http_route routes[] = {
	{ "GET", "/healthz", 1, health_page, NULL },
	{ "GET", "/metrics", 0, metrics_page, NULL },
	{ "GET", "/", 0, dashboard_page, NULL },
	{ "GET", "/message/", 0, dashboard_message, NULL },
};

const struct http_route *
web_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}

/*
 * web.c - the routes and their start (web.h). /healthz is the only one
 * open without a credential.
 */
#include "service/web.h"
#include "service/api_read.h"
#include "service/dashboard.h"
#include "service/intake_api.h"
#include "service/metrics.h"

#include <stdlib.h>

#define NROUTES 9

struct web {
	struct intake_api *api;
	struct http_server *srv;
	struct http_route routes[NROUTES];
};

gw_rc
web_start(struct web **out, const struct http_server_opts *o, char *err, size_t errcap)
{
	struct web *w = calloc(1, sizeof *w);
	*out = NULL;
	if (w == NULL)
		return GW_ENOMEM;
	gw_rc rc = intake_api_start(&w->api, err, errcap);
	if (rc != GW_OK) {
		free(w);
		return rc;
	}
	const struct http_route r[NROUTES] = {
		{ "GET", "/healthz", 1, health_page, NULL },
		{ "GET", "/metrics", 0, metrics_page, NULL },
		{ "GET", "/", 0, dashboard_page, NULL },
		{ "GET", "/message/", 0, dashboard_message, NULL },
		{ "POST", "/api/v1/contracts", 0, intake_api_contracts, w->api },
		{ "POST", "/api/v1/invoices", 0, intake_api_invoices, w->api },
		{ "GET", "/api/v1/records/", 0, api_record, NULL },
		{ "GET", "/api/v1/messages/", 0, api_message, NULL },
		{ "GET", "/api/v1/refusals", 0, api_refusals, NULL },
	};
	for (size_t i = 0; i < NROUTES; i++)
		w->routes[i] = r[i];
	if ((rc = http_server_start(&w->srv, o, w->routes, NROUTES, err, errcap)) != GW_OK) {
		intake_api_stop(w->api);
		free(w);
		return rc;
	}
	*out = w;
	return GW_OK;
}

int
web_port(const struct web *w)
{
	return http_server_port(w->srv);
}

void
web_intake_counts(struct web *w, unsigned long *groups, unsigned long *records)
{
	intake_api_counts(w->api, groups, records);
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	http_server_stop(w->srv);
	intake_api_stop(w->api);
	free(w);
}

/*
 * web.c - the routes and their start (web.h). /healthz is the only one
 * open without a credential, and POST /as4 when [peppol_as4] receive = on
 * (AS4 security is in the message: service/as4_receive.c).
 */
#include "service/web.h"
#include "service/api_read.h"
#include "service/as4_receive.h"
#include "core/params.h"
#include "service/dashboard.h"
#include "service/intake_api.h"
#include "service/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROUTES 9

struct web {
	struct intake_api *api;
	struct http_server *srv;
	struct queue *as4_q;            /* the receiver's own connection */
	struct as4_receiver *as4;
	struct http_route routes[NROUTES + 1];
};

/* The Peppol AS4 endpoint, when configured, as the last route. */
static gw_rc
web_as4(struct web *w, size_t *n, char *err, size_t errcap)
{
	if (strcmp(param_str(P_AS4_RECEIVE), "on") != 0)
		return GW_OK;
	char e[400];
	gw_rc rc = queue_open_configured(&w->as4_q, e, sizeof e);
	if (rc == GW_OK)
		rc = as4_receiver_open(&w->as4, w->as4_q, e, sizeof e);
	if (rc != GW_OK) {
		snprintf(err, errcap, "peppol_as4: %s", e);
		return rc;
	}
	w->routes[(*n)++] = (struct http_route){ "POST", "/as4", 1, as4_receive_route, w->as4 };
	return GW_OK;
}

static void
web_as4_close(struct web *w)
{
	as4_receiver_close(w->as4);
	if (w->as4_q != NULL)
		w->as4_q->ops->close(w->as4_q);
}

const struct as4_receive_counts *
web_as4_counts(const struct web *w)
{
	return w->as4 != NULL ? as4_receiver_counts(w->as4) : NULL;
}

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
	size_t n = NROUTES;
	for (size_t i = 0; i < NROUTES; i++)
		w->routes[i] = r[i];
	if ((rc = web_as4(w, &n, err, errcap)) != GW_OK ||
	    (rc = http_server_start(&w->srv, o, w->routes, n, err, errcap)) != GW_OK) {
		web_as4_close(w);
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
	web_as4_close(w);
	intake_api_stop(w->api);
	free(w);
}

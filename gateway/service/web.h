/*
 * web.h - the gateway's web side on the embedded server: the operator's
 * dashboard and message pages, the health check, the metrics, and the
 * intake API (POST records, GET their state), and the Peppol AS4 endpoint
 * (POST /as4) when [peppol_as4] receive = on. One table of routes, so that
 * `gateway serve` and (later) `gateway run` serve the same.
 */
#ifndef GW_SERVICE_WEB_H
#define GW_SERVICE_WEB_H

#include "core/err.h"
#include "service/http_server.h"

struct web;

/* Start the intake writer and the server with every route. */
gw_rc web_start(struct web **w, const struct http_server_opts *o, char *err, size_t errcap);
int web_port(const struct web *w);
/* Intake groups committed and records taken so far. */
void web_intake_counts(struct web *w, unsigned long *groups, unsigned long *records);
/* The Peppol AS4 endpoint's counts, or NULL when it is not served. */
struct as4_receive_counts;
const struct as4_receive_counts *web_as4_counts(const struct web *w);
/* Stop serving, then let the intake writer finish what it holds. */
void web_stop(struct web *w);

#endif

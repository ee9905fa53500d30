/*
 * intake_api.h - the intake API: contract and invoice records POSTed as
 * JSON, each answered only after its durable commit, with a verdict per
 * record.
 *
 * A writer thread owns one queue connection and commits whatever requests
 * arrived while the previous commit was on disk as one group (group
 * commit): one intake run, one transaction, however many clients wait.
 * The records go through the very intake the command line uses
 * (service/intake.h, service/invoice_intake.h), so the rules, the
 * idempotence on record id and revision, and the wording of each
 * rejection are the same: a record POSTed twice is stored once.
 */
#ifndef GW_SERVICE_INTAKE_API_H
#define GW_SERVICE_INTAKE_API_H

#include "core/err.h"
#include "service/http_server.h"

struct intake_api;

/* Start the writer (it opens the configured queue). */
gw_rc intake_api_start(struct intake_api **api, char *err, size_t errcap);
/* Finish what is queued, stop the writer, close its queue. */
void intake_api_stop(struct intake_api *api);

/* POST /api/v1/contracts and /api/v1/invoices (ctx: the intake_api).
 * Body: one JSON object, an array of them, or JSON Lines. */
void intake_api_contracts(void *ctx, const struct http_request *rq, struct http_response *rs);
void intake_api_invoices(void *ctx, const struct http_request *rq, struct http_response *rs);

/* Groups committed and records taken so far (for tests and benchmarks). */
void intake_api_counts(struct intake_api *api, unsigned long *groups, unsigned long *records);

#endif

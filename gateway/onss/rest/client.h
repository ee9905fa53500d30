/*
 * client.h - the Dimona REST v2 client: OAuth token, submit, poll, lookup.
 *
 * Tokens come from the token endpoint by OAuth 2.0 client credentials with a
 * JWT client assertion (RS256, signed with the organisation key through
 * crypto/signer.h), one per use with its one scope (declarant to POST a
 * declaration, consult to read results and look up), each cached until
 * shortly before expiry. TLS verification is always on. Configuration keys
 * (docs/config/dimona.conf): [dimona] base_url, token_url, client_id,
 * ca_file, cert, key, scope_declare, scope_consult, timeout_ms,
 * assertion_ttl_s, token_margin_s.
 *
 * Endpoints (Dimona REST v2): POST {base}/declarations (201 + Location),
 * GET {base}/declarations/{id} (404 until processed; the answer's
 * declarationStatus.period.id is the period id follow-ups need), POST
 * {base}/declarations/search for the lookup after a lost answer; GET
 * {base}/periods/{id}, POST {base}/periods/search and {base}/relations/search
 * for the reads a reconciliation needs (docs/dimona.md). Calls share a
 * keep-alive connection; a POST's body cannot be rewound, so libcurl never
 * silently re-sends a declaration on a connection that died under it.
 */
#ifndef GW_ONSS_REST_CLIENT_H
#define GW_ONSS_REST_CLIENT_H

#include "core/err.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"

struct dimona_rest;

gw_rc dimona_rest_open(struct dimona_rest **c, char *errbuf, size_t errcap);
void dimona_rest_close(struct dimona_rest *c);

/* dimona_rest_submit()'s *retry_after_ms when no HTTP answer came (a
 * timeout, a cut connection) or the answer could not name the declaration:
 * the POST may have landed, or may still be processed. */
#define DIMONA_REST_NO_ANSWER (-2L)

/* POST /REST/dimona/v2/declarations. GW_OK: decl_id set from Location.
 * GW_ETEMP: network, 429, 5xx, a 201 without Location, or no token (the
 * token endpoint down or refusing the assertion: a configuration problem,
 * logged, which must not fail the message) - retry later, after a lookup;
 * *retry_after_ms when the server said. GW_EPERM: 4xx other than 429
 * (detail in errbuf). */
gw_rc dimona_rest_submit(struct dimona_rest *c, const char *json, size_t len,
                         char *decl_id, size_t cap, long *retry_after_ms,
                         char *errbuf, size_t errcap);
/* GET /declarations/{id}. GW_OK: result filled. GW_ENOTFOUND: 404, not yet
 * processed. GW_ETEMP / GW_EPERM as above. */
gw_rc dimona_rest_poll(struct dimona_rest *c, const char *decl_id, struct dimona_result *r,
                       char *errbuf, size_t errcap);
/* After a crash or a temporary failure with an unknown outcome: ask the ONSS
 * whether it already has this declaration (employer, worker, kind, and the
 * dates and period id the kind carries). GW_OK: found, decl_id set (the
 * first accepted match, else the first received). GW_ENOTFOUND: the ONSS
 * has nothing; safe to send. GW_ETEMP: cannot tell; do not send. */
gw_rc dimona_rest_lookup(struct dimona_rest *c, const struct dimona_decl *d,
                         char *decl_id, size_t cap, char *errbuf, size_t errcap);

/* Reads for a reconciliation (consult scope). A period as the ONSS keeps
 * it: id, employer, worker type, joint committee, dates, cancelled. */
/* GET /periods/{id}. GW_OK: *p filled. GW_ENOTFOUND: 404. */
gw_rc dimona_rest_period_get(struct dimona_rest *c, const char *period_id, struct dimona_period *p,
                             char *errbuf, size_t errcap);
/* POST /periods/search: every period (cancelled too) of worker ssin at
 * employer noss meeting [from, to] (0: open), up to max in out[]; *n how
 * many. GW_ETEMP: cannot tell (transport, 5xx, an answer we cannot read). */
gw_rc dimona_rest_periods_search(struct dimona_rest *c, const char *noss, const char *ssin,
                                 gw_ymd from, gw_ymd to, struct dimona_period *out, size_t max,
                                 size_t *n, char *errbuf, size_t errcap);
/* A relation between an employer and a worker: a run of live periods. */
struct dimona_relation {
	gw_ymd start, end;            /* end 0: open */
	size_t n_periods;
};
/* POST /relations/search: the relations of worker ssin with employer noss
 * meeting [from, to]; as periods_search. */
gw_rc dimona_rest_relations_search(struct dimona_rest *c, const char *noss, const char *ssin,
                                   gw_ymd from, gw_ymd to, struct dimona_relation *out,
                                   size_t max, size_t *n, char *errbuf, size_t errcap);

/* The poll back-off of the ONSS guidance: nothing in the first 2 s, then
 * every second up to 30 s, then every minute. Returns ms to wait before the
 * next poll, given ms elapsed since the submit. */
long dimona_rest_poll_delay(long elapsed_ms);

#endif

/*
 * onss_rest.c - `gateway sim onss`: the ONSS Dimona REST v2 simulator.
 *
 * Serves, over HTTPS on loopback (libmicrohttpd with GnuTLS), the OAuth
 * token endpoint (client credentials with an RS256 client assertion checked
 * against the registered certificate: signature, iss/sub, audience, expiry,
 * nbf, jti replay; the token gets the scopes asked for, declarant and/or
 * consult, and POST /declarations needs declarant, every read consult)
 * and the Dimona API: POST /declarations (201 + Location),
 * GET /declarations/{id} (404 until processed), POST /declarations/search,
 * GET /periods/{id}, POST /periods/search and POST /relations/search.
 * Declarations are processed asynchronously by one
 * thread that runs the real rule engine (onss/dimona/rules.h) against the
 * durable ledger (sim/onss_ledger.h) and answers with the real anomaly
 * codes and their annex 30 labels. Every answer waits for the ledger's
 * fsync, shared: POSTs arriving together share one (group commit), the
 * processor makes one per pass. Faults on demand (--fault, POST
 * /sim/faults); POST /sim/revoke forgets the tokens issued; POST /sim/clock
 * (advance_s=N) moves the simulator's clock ahead. Owns the server, the tokens and the fault dice; never
 * listens on anything but 127.0.0.1.
 *
 * It shares the gateway's code on purpose where it must give the real
 * ONSS verdict: dimona_from_json (reading the body), the rule engine,
 * dimona_period_apply, dimona_result_to_json and jwt_verify_rs256. A
 * mistake shared by both sides is therefore invisible here; the tests
 * check what the gateway sends from outside instead: --capture writes
 * every POST body, the client assertion is verified by `openssl dgst`
 * and each body is checked against tests/oracles/dimona-rest-v2.json,
 * written from the published API (20-dimona-rest.sh).
 */
#include "core/args.h"
#include "core/array.h"
#include "core/atomicfile.h"
#include "sim/sim.h"
#include "core/err.h"
#include "onss/codelist.h"
#include "onss/dimona/dates.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "onss/rest/jwt.h"
#include "sim/onss_ledger.h"
#include "core/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (256 * 1024)
#define API "/REST/dimona/v2"
#define TOKEN_PATH "/REST/oauth/v5/token"

enum fault { F_429, F_500, F_503, F_DROP, F_SLOW, F_TRUNC, F_MALFORMED, F_TOKENDOWN, F_401, F_RESET,
	F__N };
static const char *const fault_names[F__N] = {
	"429", "500", "503", "drop", "slow", "trunc", "malformed", "tokendown", "401", "reset",
};

/* The scopes a token grants, as bits: one scope per use (docs/dimona.md). */
enum { SCOPE_DECLARANT = 1, SCOPE_CONSULT = 2 };
static const char *const scope_names[] = {
	"scope:dimona:declaration:declarant", "scope:dimona:declaration:consult",
};

struct token { char tok[65]; int64_t exp; unsigned scopes; };
struct jti { char jti[80]; int64_t exp; };

struct sim {
	pthread_mutex_t mu;
	struct sim_ledger *ledger;
	/* Group commit of received declarations: lines written (under mu)
	 * and made durable; one fsync at a time, outside mu, for all the
	 * lines written before it started. */
	pthread_mutex_t sync_mu;
	pthread_cond_t sync_cv;
	uint64_t written, synced;
	int syncing;
	/* Declaration POSTs being served now, the most seen at once, and
	 * --hold: how many a POST waits for (tests of parallel requests). */
	int posts_now, posts_max, hold;
	char client_id[128];
	EVP_PKEY *client_key;
	char aud[3][300];
	int token_ttl, process_ms, slow_ms, identify_ms, port;
	char (*employers)[10];
	size_t nemployers;
	struct token *tokens;
	size_t ntokens, captokens;
	struct jti *jtis;
	size_t njtis, capjtis;
	double fault_p[F__N];
	unsigned seed;
	size_t cursor;                       /* next declaration to process */
	unsigned long tokens_issued, assertions_refused, faults_injected;
	unsigned odd_search;                 /* which malformed search answer is next */
	const char *capture;                 /* --capture DIR, or NULL */
	unsigned long captured;
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int64_t
now_ms(void)
{
	return clock_now_ms();
}

/* ---- faults ---- */

static gw_rc
fault_parse(struct sim *s, const char *spec)
{
	char buf[512], *save = NULL;
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(t, ':'), *end;
		if (colon == NULL)
			return GW_EINPUT;
		*colon = '\0';
		double p = strtod(colon + 1, &end);
		if (*end != '\0' || p < 0 || p > 1)
			return GW_EINPUT;
		int k;
		for (k = 0; k < F__N && strcmp(fault_names[k], t) != 0; k++)
			;
		if (k == F__N)
			return GW_EINPUT;
		s->fault_p[k] = p;
	}
	return GW_OK;
}

/* Roll the dice for one fault kind (under the lock: one seeded stream). */
static int
roll(struct sim *s, enum fault f)
{
	if (s->fault_p[f] <= 0)
		return 0;
	pthread_mutex_lock(&s->mu);
	double x = (double)rand_r(&s->seed) / ((double)RAND_MAX + 1.0);
	int hit = x < s->fault_p[f];
	if (hit)
		s->faults_injected++;
	pthread_mutex_unlock(&s->mu);
	return hit;
}

/* ---- HTTP plumbing ---- */

struct req {
	char *body;
	size_t n;
	int too_big;
};

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *ctype, const char *body, size_t len,
      const char *location, int retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (ctype != NULL)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (location != NULL)
		MHD_add_response_header(r, "Location", location);
	if (retry_after >= 0) {
		char b[16];
		snprintf(b, sizeof b, "%d", retry_after);
		MHD_add_response_header(r, "Retry-After", b);
	}
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A body cut by a connection reset: what is left to send of a copy. */
struct cut_body { char *buf; size_t len, cut; };

static ssize_t
cut_body_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct cut_body *c = cls;
	if (pos >= c->cut)
		return MHD_CONTENT_READER_END_WITH_ERROR;   /* closes the connection */
	size_t n = c->cut - (size_t)pos < max ? c->cut - (size_t)pos : max;
	memcpy(out, c->buf + pos, n);
	return (ssize_t)n;
}

static void
cut_body_free(void *cls)
{
	struct cut_body *c = cls;
	free(c->buf);
	free(c);
}

/* 200 announcing len bytes (Content-Length), of which only the first half
 * is sent before the connection is closed: a reset in the middle of the
 * body, unlike "trunc", whose short body is complete as announced. */
static enum MHD_Result
reply_reset(struct MHD_Connection *conn, const char *body, size_t len)
{
	struct cut_body *c = calloc(1, sizeof *c);
	if (c == NULL || (c->buf = malloc(len ? len : 1)) == NULL) {
		free(c);
		return MHD_NO;
	}
	memcpy(c->buf, body, len);
	c->len = len;
	c->cut = len / 2;
	struct MHD_Response *r = MHD_create_response_from_callback(len, 4096, cut_body_read, c,
	    cut_body_free);
	if (r == NULL) {
		cut_body_free(c);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply_json(struct MHD_Connection *conn, unsigned status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		return MHD_NO;
	enum MHD_Result r = reply(conn, status, "application/json;charset=UTF-8", s, strlen(s), NULL, -1);
	free(s);
	return r;
}

static enum MHD_Result
status_message(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	return reply_json(conn, status, json_pack("{s:i, s:s}", "status", (int)status, "message", msg));
}

/* The common fault gate of every API call; returns 1 when it answered. */
static int
inject(struct sim *s, struct MHD_Connection *conn, enum MHD_Result *ret)
{
	if (roll(s, F_SLOW))
		usleep((useconds_t)s->slow_ms * 1000);
	if (roll(s, F_429)) {
		*ret = reply(conn, 429, "application/json", "{\"message\":\"too many requests\"}", 31, NULL, 1);
		return 1;
	}
	if (roll(s, F_503)) {
		*ret = reply(conn, 503, "text/plain", "unavailable", 11, NULL, -1);
		return 1;
	}
	if (roll(s, F_500)) {
		*ret = status_message(conn, 500, "Internal Server Error");
		return 1;
	}
	/* A valid token refused all the same (revoked on the server's side). */
	if (roll(s, F_401)) {
		*ret = status_message(conn, 401, "access token revoked");
		return 1;
	}
	return 0;
}

/* ---- OAuth ---- */

static void
url_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && s[1] && s[2]) {
			char h[3] = { s[1], s[2], '\0' };
			*o++ = (char)strtol(h, NULL, 16);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Value of a form field, decoded, into a fresh string (NULL if absent). */
static char *
form_get(const char *body, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = body; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			char *v = strndup(p + kl + 1, n - kl - 1);
			if (v != NULL)
				url_decode(v);
			return v;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static enum MHD_Result
oauth_error(struct sim *s, struct MHD_Connection *conn, const char *code, const char *why)
{
	pthread_mutex_lock(&s->mu);
	s->assertions_refused++;
	pthread_mutex_unlock(&s->mu);
	fprintf(stderr, "sim onss: token refused: %s\n", why);
	return reply_json(conn, 400, json_pack("{s:s, s:s}", "error", code, "error_description", why));
}

/* The scope bits of a space-separated scope request; 0 when it names none
 * or one this service does not know. */
static unsigned
scope_bits(const char *req)
{
	unsigned bits = 0;
	const char *p = req;
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");
		unsigned b = 0;
		for (unsigned k = 0; k < 2; k++)
			if (n == strlen(scope_names[k]) && strncmp(p, scope_names[k], n) == 0)
				b = 1u << k;
		if (n > 0 && b == 0)
			return 0;
		bits |= b;
		p += n;
		p += strspn(p, " ");
	}
	return bits;
}

/* The claims of a verified assertion against this client: NULL when
 * acceptable, else why not (the OAuth error is invalid_client). */
static const char *
claims_refusal(const struct sim *s, const struct jwt_claims *c, int64_t now)
{
	if (strcmp(c->iss, s->client_id) != 0 || strcmp(c->sub, s->client_id) != 0)
		return "iss/sub is not the registered client id";
	if (strcmp(c->aud, s->aud[0]) != 0 && strcmp(c->aud, s->aud[1]) != 0 &&
	    (s->aud[2][0] == '\0' || strcmp(c->aud, s->aud[2]) != 0))
		return "aud is not this token endpoint";
	if (c->exp <= now || c->iat > now + 60 || c->exp - c->iat > 3600)
		return "assertion expired or not yet valid";
	if (c->nbf == 0 || c->nbf > now + 60)
		return "nbf missing or in the future";
	if (c->jti[0] == '\0')
		return "jti missing";
	return NULL;
}

/* Remember a jti until its assertion expires; 1 when it was already used. */
static int
jti_replayed(struct sim *s, const struct jwt_claims *c, int64_t now)
{
	int replay = 0;
	size_t w = 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->njtis; i++) {
		if (s->jtis[i].exp < now)
			continue;                 /* forget expired ones */
		if (strcmp(s->jtis[i].jti, c->jti) == 0)
			replay = 1;
		s->jtis[w++] = s->jtis[i];
	}
	s->njtis = w;
	/* Out of memory: the id is not remembered (checked below). */
	if (!replay)
		(void)ARRAY_RESERVE(s->jtis, s->njtis, s->capjtis, 64);
	if (!replay && s->njtis < s->capjtis) {
		snprintf(s->jtis[s->njtis].jti, sizeof s->jtis[0].jti, "%s", c->jti);
		s->jtis[s->njtis++].exp = c->exp;
	}
	pthread_mutex_unlock(&s->mu);
	return replay;
}

/* A new random access token granting scopes, kept until it expires. */
static void
token_issue(struct sim *s, unsigned scopes, int64_t now, struct token *t)
{
	unsigned char rnd[24];
	RAND_bytes(rnd, sizeof rnd);
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(t->tok + 2 * i, 3, "%02x", rnd[i]);
	t->exp = now + s->token_ttl;
	t->scopes = scopes;
	pthread_mutex_lock(&s->mu);
	size_t keep = 0;
	for (size_t i = 0; i < s->ntokens; i++)      /* forget expired tokens */
		if (s->tokens[i].exp > now)
			s->tokens[keep++] = s->tokens[i];
	s->ntokens = keep;
	(void)ARRAY_RESERVE(s->tokens, s->ntokens, s->captokens, 64);
	if (s->ntokens < s->captokens)
		s->tokens[s->ntokens++] = *t;
	s->tokens_issued++;
	pthread_mutex_unlock(&s->mu);
}

/* The answer to one token request (the form fields, decoded). */
static enum MHD_Result
token_answer(struct sim *s, struct MHD_Connection *conn, const char *gt, const char *at,
             const char *as, const char *sc)
{
	struct jwt_claims c;
	struct token t;
	char err[200];
	const char *why;
	int64_t now = clock_now_s();

	if (roll(s, F_TOKENDOWN))
		return reply(conn, 503, "text/plain", "token service down", 18, NULL, -1);
	if (gt == NULL || strcmp(gt, "client_credentials") != 0)
		return oauth_error(s, conn, "unsupported_grant_type", "grant_type must be client_credentials");
	if (at == NULL || strcmp(at, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") != 0 || as == NULL)
		return oauth_error(s, conn, "invalid_client", "a jwt-bearer client_assertion is required");
	if (jwt_verify_rs256(as, s->client_key, &c, err, sizeof err) != GW_OK)
		return oauth_error(s, conn, "invalid_client", err);
	if ((why = claims_refusal(s, &c, now)) != NULL)
		return oauth_error(s, conn, "invalid_client", why);
	unsigned scopes = scope_bits(sc);
	if (scopes == 0)
		return oauth_error(s, conn, "invalid_scope",
		    "scope must be scope:dimona:declaration:declarant or scope:dimona:declaration:consult");
	if (jti_replayed(s, &c, now))
		return oauth_error(s, conn, "invalid_client", "jti already used (replay)");
	token_issue(s, scopes, now, &t);
	if (roll(s, F_TRUNC))
		return reply(conn, 200, "application/json", "{\"access_token\":\"", 17, NULL, -1);
	return reply_json(conn, 200, json_pack("{s:s, s:s, s:i, s:s}", "access_token", t.tok,
	    "token_type", "Bearer", "expires_in", s->token_ttl, "scope", sc));
}

static enum MHD_Result
token_endpoint(struct sim *s, struct MHD_Connection *conn, const char *body)
{
	char *gt = form_get(body, "grant_type"), *at = form_get(body, "client_assertion_type");
	char *as = form_get(body, "client_assertion"), *sc = form_get(body, "scope");
	enum MHD_Result ret = token_answer(s, conn, gt, at, as, sc);
	free(sc);
	free(gt);
	free(at);
	if (as != NULL) {
		memset(as, 0, strlen(as));
		free(as);
	}
	return ret;
}

/* The scope bits of the request's bearer token; 0 when it has none, or
 * one unknown or expired (401). */
static unsigned
token_scopes(struct sim *s, struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	int64_t now = clock_now_s();
	unsigned scopes = 0;
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0)
		return 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->ntokens && scopes == 0; i++)
		if (s->tokens[i].exp > now && strcmp(s->tokens[i].tok, h + 7) == 0)
			scopes = s->tokens[i].scopes;
	pthread_mutex_unlock(&s->mu);
	return scopes;
}

/* ---- the Dimona API ---- */

/* Wait until line seq (the written count after it) is durable: the first
 * waiter fsyncs for every line written so far, the others share it. */
static gw_rc
sim_sync_to(struct sim *s, uint64_t seq)
{
	gw_rc rc = GW_OK;
	pthread_mutex_lock(&s->sync_mu);
	while (s->synced < seq && rc == GW_OK) {
		if (s->syncing) {
			pthread_cond_wait(&s->sync_cv, &s->sync_mu);
			continue;
		}
		s->syncing = 1;
		pthread_mutex_unlock(&s->sync_mu);
		pthread_mutex_lock(&s->mu);
		uint64_t upto = s->written;
		pthread_mutex_unlock(&s->mu);
		rc = sim_ledger_sync(s->ledger);
		pthread_mutex_lock(&s->sync_mu);
		s->syncing = 0;
		if (rc == GW_OK && upto > s->synced)
			s->synced = upto;
		pthread_cond_broadcast(&s->sync_cv);
	}
	pthread_mutex_unlock(&s->sync_mu);
	return rc;
}

static enum MHD_Result
post_declaration_counted(struct sim *s, struct MHD_Connection *conn, const char *body, size_t len)
{
	struct dimona_decl d;
	struct sim_decl *sd = NULL;
	char err[256], loc[400];
	gw_rc rc;

	if (dimona_from_json(body, len, &d, err, sizeof err) != GW_OK)
		return reply_json(conn, 400, json_pack("{s:i, s:s}", "status", 400, "message", err));
	uint64_t seq = 0;
	pthread_mutex_lock(&s->mu);
	rc = sim_ledger_receive(s->ledger, body, len, now_ms(), &sd);
	if (sd != NULL)
		snprintf(loc, sizeof loc, "https://localhost:%d" API "/declarations/%s", s->port, sd->id);
	if (rc == GW_OK)
		seq = ++s->written;
	pthread_mutex_unlock(&s->mu);
	if (rc == GW_OK)
		rc = sim_sync_to(s, seq);
	if (rc != GW_OK)
		return status_message(conn, 500, "ledger write failed");
	/* Stored: from here on a fault loses only the answer, not the
	 * declaration, which is what lookups after a crash are for. */
	if (roll(s, F_DROP))
		return MHD_NO;
	if (roll(s, F_MALFORMED))
		return reply(conn, 201, "application/json", "", 0, NULL, -1);
	return reply(conn, 201, "application/json", "", 0, loc, -1);
}

/* POST /declarations, counted among those served at once; with --hold N
 * it first waits (250 ms at most, in 1 ms steps) until N are being served
 * together: a client that sends one at a time never gets there. Once N
 * have been seen together the count has made its point and no POST waits
 * any more (waiting on every later batch that had fewer than N ready cost
 * 27-rest-parallel half a minute). */
static enum MHD_Result
post_declaration(struct sim *s, struct MHD_Connection *conn, const char *body, size_t len)
{
	pthread_mutex_lock(&s->mu);
	int now = ++s->posts_now;
	if (now > s->posts_max)
		s->posts_max = now;
	if (s->posts_max >= s->hold)
		now = s->hold;
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < 250 && now < s->hold; i++) {
		usleep(1000);
		pthread_mutex_lock(&s->mu);
		now = s->posts_now > now ? s->posts_now : now;
		pthread_mutex_unlock(&s->mu);
	}
	enum MHD_Result ret = post_declaration_counted(s, conn, body, len);
	pthread_mutex_lock(&s->mu);
	s->posts_now--;
	pthread_mutex_unlock(&s->mu);
	return ret;
}

static enum MHD_Result
get_declaration(struct sim *s, struct MHD_Connection *conn, const char *id)
{
	struct dimona_result r;
	char *out = NULL;
	size_t len = 0;
	int found = 0;

	pthread_mutex_lock(&s->mu);
	struct sim_decl *sd = sim_ledger_decl(s->ledger, id);
	/* SIGeDIS has identified the worker: the waiting declaration is
	 * accepted, durably, on the same period. */
	if (sd != NULL && sd->r.status == 'S' &&
	    now_ms() >= sd->received_ms + s->process_ms + s->identify_ms) {
		sd->r.status = sd->r.n_anomalies ? 'W' : 'A';
		if (sim_ledger_result(s->ledger, sd, NULL) != GW_OK ||
		    sim_ledger_sync(s->ledger) != GW_OK)
			sd->r.status = 'S';
	}
	if (sd != NULL && sd->r.status != 0) {
		r = sd->r;
		found = 1;
	}
	pthread_mutex_unlock(&s->mu);
	if (!found)
		return status_message(conn, 404, "declaration unknown or not processed yet");
	if (roll(s, F_DROP))
		return MHD_NO;
	if (dimona_result_to_json(&r, &out, &len) != GW_OK)
		return status_message(conn, 500, "cannot build answer");
	enum MHD_Result ret;
	if (roll(s, F_TRUNC))
		ret = reply(conn, 200, "application/json", out, len / 2, NULL, -1);
	else if (roll(s, F_RESET))
		ret = reply_reset(conn, out, len);
	else if (roll(s, F_MALFORMED))
		ret = reply(conn, 200, "application/json", "{\"declarationStatus\":[1,2", 25, NULL, -1);
	else
		ret = reply(conn, 200, "application/json;charset=UTF-8", out, len, NULL, -1);
	free(out);
	return ret;
}

static int
match_str(json_t *q, const char *key, const char *have)
{
	json_t *v = json_object_get(q, key);
	return v == NULL || (json_is_string(v) && strcmp(json_string_value(v), have) == 0);
}

/* Find stored declarations by employer, worker, type, dates and period:
 * what a gateway asks after a crash before sending again. */
static enum MHD_Result
search_declarations(struct sim *s, struct MHD_Connection *conn, const char *body, size_t len)
{
	json_t *q = json_loadb(body, len, 0, NULL), *items = json_array();
	if (!json_is_object(q)) {
		json_decref(q);
		json_decref(items);
		return status_message(conn, 400, "search body must be a JSON object");
	}
	json_t *emp = json_object_get(json_object_get(q, "employer"), "employerId");
	json_t *w = json_object_get(q, "worker");
	const char *ssin = json_string_value(json_object_get(w, "ssin"));
	const char *key = json_string_value(json_object_get(w, "key"));
	json_t *pid = json_object_get(q, "periodId");
	char noss[16] = "", pids[24] = "";
	if (json_is_integer(emp))
		snprintf(noss, sizeof noss, "%09lld", (long long)json_integer_value(emp));
	if (json_is_integer(pid))
		snprintf(pids, sizeof pids, "%lld", (long long)json_integer_value(pid));
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < sim_ledger_ndecls(s->ledger); i++) {
		struct sim_decl *sd = sim_ledger_decl_at(s->ledger, i);
		char sd1[11] = "", ed1[11] = "";
		if (!sd->parsed_ok)
			continue;
		const struct contract *c = &sd->d.c;
		if (noss[0] && strcmp(noss, c->employer_noss) != 0)
			continue;
		if (ssin && strcmp(ssin, c->worker_inss) != 0)
			continue;
		if (key && strcmp(key, sd->worker) != 0)
			continue;
		if (!match_str(q, "declarationType", dimona_action_name(sd->d.action)))
			continue;
		if (c->start_date)
			dimona_fmt_date(c->start_date, sd1);
		if (c->end_date)
			dimona_fmt_date(c->end_date, ed1);
		if (!match_str(q, "startDate", sd1) || !match_str(q, "endDate", ed1))
			continue;
		if (pids[0] && strcmp(pids, sd->d.period_id) != 0)
			continue;
		json_array_append_new(items, json_pack("{s:I, s:s}", "declarationId",
		    (json_int_t)strtoll(sd->id, NULL, 10), "result",
		    sd->r.status ? (char[2]){ sd->r.status, '\0' } : ""));
	}
	pthread_mutex_unlock(&s->mu);
	json_decref(q);
	if (roll(s, F_MALFORMED)) {
		/* Three odd answers in turn: no items array and an item without
		 * its id (a client must not trust either), then the true items
		 * with each id as a string (still the same ids). */
		static const char *const odd[] = { "{\"results\":[]}", "{\"items\":[{\"result\":\"A\"}]}" };
		pthread_mutex_lock(&s->mu);
		unsigned k = s->odd_search++ % 3;
		pthread_mutex_unlock(&s->mu);
		if (k < 2) {
			json_decref(items);
			return reply(conn, 200, "application/json", odd[k], strlen(odd[k]), NULL, -1);
		}
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) {
			char idtext[32];
			snprintf(idtext, sizeof idtext, "%lld",
			    (long long)json_integer_value(json_object_get(it, "declarationId")));
			json_object_set_new(it, "declarationId", json_string(idtext));
		}
	}
	return reply_json(conn, 200, json_pack("{s:o}", "items", items));
}

/* A period as GET /periods/{id} and periods/search answer it. */
static json_t *
period_json(const struct dimona_period *p)
{
	char sd[11], ed[11] = "";
	dimona_fmt_date(p->start, sd);
	if (p->end)
		dimona_fmt_date(p->end, ed);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:b}",
	    "periodId", (json_int_t)strtoll(p->id, NULL, 10), "employerId",
	    (json_int_t)strtoll(p->noss, NULL, 10), "workerType", p->worker_type,
	    "jointCommissionNumber", p->jc, "startDate", sd, "endDate", ed, "cancelled", p->cancelled);
}

static enum MHD_Result
get_period(struct sim *s, struct MHD_Connection *conn, const char *id)
{
	struct dimona_ledger v;
	struct dimona_period p;
	gw_rc rc;
	pthread_mutex_lock(&s->mu);
	v = sim_ledger_rules_view(s->ledger);
	rc = v.find(v.ctx, id, &p);
	pthread_mutex_unlock(&s->mu);
	if (rc != GW_OK)
		return status_message(conn, 404, "period unknown");
	return reply_json(conn, 200, period_json(&p));
}

/* What periods/search and relations/search ask: one employer, one worker
 * (by INSS), and a window of dates (either end may be open). */
struct period_query {
	char noss[10], ssin[12];
	gw_ymd from, to;              /* 0: open */
	json_t *items;
	struct dimona_period *live;   /* relations: live periods, by start */
	size_t nlive, caplive;
};

/* Parse the search body; NULL when it is good, else why not. */
static const char *
period_query_parse(struct period_query *q, const char *body, size_t len)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	const char *why = NULL;
	json_t *emp = json_object_get(json_object_get(j, "employer"), "employerId");
	json_t *ssin = json_object_get(json_object_get(j, "worker"), "ssin");
	json_t *f = json_object_get(j, "startDate"), *t = json_object_get(j, "endDate");
	if (!json_is_integer(emp) || json_integer_value(emp) <= 0 || json_integer_value(emp) > 999999999)
		why = "employer.employerId: an ONSS number is required";
	else if (!json_is_string(ssin) || json_string_length(ssin) != 11)
		why = "worker.ssin: an INSS of 11 digits is required";
	else if ((f != NULL && (!json_is_string(f) || dimona_parse_date(json_string_value(f), &q->from) != GW_OK)) ||
	    (t != NULL && (!json_is_string(t) || dimona_parse_date(json_string_value(t), &q->to) != GW_OK)))
		why = "startDate/endDate: YYYY-MM-DD";
	if (why == NULL) {
		snprintf(q->noss, sizeof q->noss, "%09lld", (long long)json_integer_value(emp));
		snprintf(q->ssin, sizeof q->ssin, "%s", json_string_value(ssin));
	}
	json_decref(j);
	return why;
}

/* Whether a period meets the query's window. */
static int
in_window(const struct period_query *q, const struct dimona_period *p)
{
	return (q->to == 0 || p->start <= q->to) && (q->from == 0 || p->end == 0 || p->end >= q->from);
}

static int
period_item_cb(const struct dimona_period *p, void *arg)
{
	struct period_query *q = arg;
	if (in_window(q, p))
		json_array_append_new(q->items, period_json(p));
	return 0;
}

static int
live_period_cb(const struct dimona_period *p, void *arg)
{
	struct period_query *q = arg;
	if (p->cancelled || !in_window(q, p))
		return 0;
	if (ARRAY_RESERVE(q->live, q->nlive, q->caplive, 16) != GW_OK)
		return 1;
	size_t i = q->nlive++;
	while (i > 0 && q->live[i - 1].start > p->start) {
		q->live[i] = q->live[i - 1];
		i--;
	}
	q->live[i] = *p;
	return 0;
}

/* The worker's relations with the employer: each run of live periods that
 * overlap or follow each other from one day to the next, as the
 * personnel file keeps the relation (an open end stays open). */
static void
relations_json(struct period_query *q)
{
	for (size_t i = 0; i < q->nlive;) {
		gw_ymd start = q->live[i].start, end = q->live[i].end;
		json_t *ids = json_array();
		size_t k = i;
		for (; k < q->nlive; k++) {
			const struct dimona_period *p = &q->live[k];
			if (k > i && end != 0 && p->start > ymd_add_days(end, 1))
				break;                    /* a gap: the next relation */
			if (p->end == 0 || (end != 0 && p->end > end))
				end = p->end;             /* open stays open */
			json_array_append_new(ids, json_integer(strtoll(p->id, NULL, 10)));
		}
		char sd[11], ed[11] = "";
		dimona_fmt_date(start, sd);
		if (end != 0)
			dimona_fmt_date(end, ed);
		json_array_append_new(q->items, json_pack("{s:I, s:{s:s}, s:s, s:s, s:o}",
		    "employerId", (json_int_t)strtoll(q->noss, NULL, 10), "worker", "ssin", q->ssin,
		    "startDate", sd, "endDate", ed, "periodIds", ids));
		i = k;
	}
}

/* POST periods/search (every period of the worker at the employer in
 * the window, cancelled ones too) and POST relations/search (the runs of
 * live periods): the reads a reconciliation needs. */
static enum MHD_Result
search_periods(struct sim *s, struct MHD_Connection *conn, const char *body, size_t len, int relations)
{
	struct period_query q;
	memset(&q, 0, sizeof q);
	const char *why = period_query_parse(&q, body, len);
	if (why != NULL)
		return status_message(conn, 400, why);
	q.items = json_array();
	pthread_mutex_lock(&s->mu);
	struct dimona_ledger v = sim_ledger_rules_view(s->ledger);
	gw_rc rc = v.each(v.ctx, q.noss, q.ssin, relations ? live_period_cb : period_item_cb, &q);
	pthread_mutex_unlock(&s->mu);
	if (rc == GW_OK && relations)
		relations_json(&q);
	free(q.live);
	if (rc != GW_OK) {
		json_decref(q.items);
		return status_message(conn, 500, "ledger read failed");
	}
	return reply_json(conn, 200, json_pack("{s:o}", "items", q.items));
}

static enum MHD_Result
sim_ledger_json(struct sim *s, struct MHD_Connection *conn)
{
	char *dump = NULL;
	pthread_mutex_lock(&s->mu);
	gw_rc rc = sim_ledger_dump(s->ledger, &dump);
	unsigned long ti = s->tokens_issued, ar = s->assertions_refused, fi = s->faults_injected;
	pthread_mutex_unlock(&s->mu);
	if (rc != GW_OK)
		return status_message(conn, 500, "dump failed");
	json_t *j = json_loads(dump, 0, NULL);
	free(dump);
	json_object_set_new(j, "stats", json_pack("{s:I, s:I, s:I}", "tokens_issued", (json_int_t)ti,
	    "assertions_refused", (json_int_t)ar, "faults_injected", (json_int_t)fi));
	return reply_json(conn, 200, j);
}

/* --capture: every POST body as received, one file each, named by arrival
 * order and endpoint, for the tests' outside checks (the JWT verified by
 * openssl, the JSON bodies against the published API's description). */
static void
capture(struct sim *s, const char *url, const char *body, size_t len)
{
	const char *what = strcmp(url, TOKEN_PATH) == 0 ? "token.form"
	    : strcmp(url, API "/declarations") == 0 ? "declaration.json"
	    : strcmp(url, API "/declarations/search") == 0 ? "search.json"
	    : strcmp(url, API "/periods/search") == 0 ? "periods-search.json"
	    : strcmp(url, API "/relations/search") == 0 ? "relations-search.json" : "other.txt";
	char path[1200];
	pthread_mutex_lock(&s->mu);
	unsigned long n = ++s->captured;
	pthread_mutex_unlock(&s->mu);
	snprintf(path, sizeof path, "%s/%06lu-%s", s->capture, n, what);
	FILE *f = fopen(path, "wx");
	if (f == NULL || fwrite(body, 1, len, f) != len || fclose(f) != 0) {
		if (f != NULL)
			fclose(f);
		fprintf(stderr, "sim onss: cannot capture %s: %s\n", path, strerror(errno));
	}
}

static enum MHD_Result
route(struct sim *s, struct MHD_Connection *conn, const char *url, const char *method,
      const char *body, size_t len)
{
	enum MHD_Result ret;
	int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;

	if (post && s->capture != NULL && strncmp(url, "/sim/", 5) != 0)
		capture(s, url, body, len);

	if (strcmp(url, "/sim/ledger") == 0 && get)
		return sim_ledger_json(s, conn);
	if (strcmp(url, "/sim/stats") == 0 && get) {
		pthread_mutex_lock(&s->mu);
		int most = s->posts_max;
		pthread_mutex_unlock(&s->mu);
		return reply_json(conn, 200, json_pack("{s:i}", "declarations_in_flight_max", most));
	}
	if (strcmp(url, "/sim/faults") == 0 && post) {
		char spec[512];
		snprintf(spec, sizeof spec, "%.*s", (int)(len < 511 ? len : 511), body);
		pthread_mutex_lock(&s->mu);
		memset(s->fault_p, 0, sizeof s->fault_p);
		gw_rc rc = spec[0] ? fault_parse(s, spec) : GW_OK;
		pthread_mutex_unlock(&s->mu);
		return rc == GW_OK ? reply(conn, 204, NULL, "", 0, NULL, -1)
		    : status_message(conn, 400, "fault spec: KIND:P[,KIND:P...]");
	}
	if (strcmp(url, "/sim/revoke") == 0 && post) {
		/* Forget every token issued, as a server restart or key rotation
		 * does: the next API call with a cached token gets a 401. */
		pthread_mutex_lock(&s->mu);
		s->ntokens = 0;
		pthread_mutex_unlock(&s->mu);
		return reply(conn, 204, NULL, "", 0, NULL, -1);
	}
	if (strcmp(url, "/sim/clock") == 0 && post) {
		/* Move the simulator's clock ahead ("advance_s=N"), so that a test
		 * sees a token expire without waiting for it. */
		char *v = form_get(body, "advance_s"), *end = NULL;
		long long n = v ? strtoll(v, &end, 10) : -1;
		int ok = v != NULL && *end == '\0' && n >= 0 && n <= 86400LL * 366;
		free(v);
		if (!ok)
			return status_message(conn, 400, "advance_s=SECONDS (0 to a year) expected");
		clock_pin(clock_now_ms() + n * 1000, false);
		return reply(conn, 204, NULL, "", 0, NULL, -1);
	}
	if (strcmp(url, TOKEN_PATH) == 0 && post)
		return token_endpoint(s, conn, body);
	if (strncmp(url, API "/", sizeof API) != 0)
		return status_message(conn, 404, "no such resource");
	if (inject(s, conn, &ret))
		return ret;
	unsigned scopes = token_scopes(s, conn);
	if (scopes == 0)
		return status_message(conn, 401, "missing, unknown or expired access token");
	const char *rest = url + sizeof API;
	/* Declaring needs the declarant scope, everything else reads. */
	unsigned need = strcmp(rest, "declarations") == 0 && post ? SCOPE_DECLARANT : SCOPE_CONSULT;
	if ((scopes & need) == 0)
		return status_message(conn, 403, need == SCOPE_DECLARANT
		    ? "insufficient scope: scope:dimona:declaration:declarant needed"
		    : "insufficient scope: scope:dimona:declaration:consult needed");
	if (strcmp(rest, "declarations") == 0 && post)
		return post_declaration(s, conn, body, len);
	if (strcmp(rest, "declarations/search") == 0 && post)
		return search_declarations(s, conn, body, len);
	if (strncmp(rest, "declarations/", 13) == 0 && get && strchr(rest + 13, '/') == NULL)
		return get_declaration(s, conn, rest + 13);
	if (strcmp(rest, "periods/search") == 0 && post)
		return search_periods(s, conn, body, len, 0);
	if (strcmp(rest, "relations/search") == 0 && post)
		return search_periods(s, conn, body, len, 1);
	if (strncmp(rest, "periods/", 8) == 0 && get && strchr(rest + 8, '/') == NULL)
		return get_period(s, conn, rest + 8);
	return status_message(conn, 404, "no such resource");
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
        const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	(void)version;
	if (r == NULL) {
		if ((r = calloc(1, sizeof *r)) == NULL)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (r->n + *upload_size > BODY_MAX) {
			r->too_big = 1;
		} else {
			char *p = realloc(r->body, r->n + *upload_size + 1);
			if (p == NULL)
				return MHD_NO;
			memcpy(p + r->n, upload, *upload_size);
			r->body = p;
			r->n += *upload_size;
			r->body[r->n] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return status_message(conn, 413, "body too large");
	return route(cls, conn, url, method, r->body ? r->body : "", r->n);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode t)
{
	(void)cls;
	(void)conn;
	(void)t;
	struct req *r = *con_cls;
	if (r != NULL) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

/* ---- processing ---- */

static void
process_one(struct sim *s, struct sim_decl *sd)
{
	struct dimona_findings f;
	struct dimona_ledger view = sim_ledger_rules_view(s->ledger);
	struct dimona_period p, *pp = NULL;
	gw_ymd today;
	int minutes;
	size_t blocking;

	clock_brussels_now(&today, &minutes);
	memset(&sd->r, 0, sizeof sd->r);
	snprintf(sd->r.declaration_id, sizeof sd->r.declaration_id, "%s", sd->id);
	const struct dimona_decl *d = &sd->d;
	int mandate = s->nemployers == 0;
	for (size_t i = 0; i < s->nemployers && !mandate; i++)
		mandate = strcmp(s->employers[i], d->c.employer_noss) == 0;
	memset(&f, 0, sizeof f);
	if (!mandate) {
		f.n = 1;
		f.f[0].check = "mandate";
		snprintf(f.f[0].code, sizeof f.f[0].code, "90256-155");
		snprintf(f.f[0].field, sizeof f.f[0].field, "EmployerId");
		f.f[0].severity = 'B';
		blocking = 1;
	} else {
		blocking = dimona_rules_check(d, &view, today, minutes, &f);
	}
	int warnings = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (f.f[i].code[0] == '\0')
			continue;      /* the gateway's own warnings; not ONSS anomalies */
		if (blocking && f.f[i].severity != 'B')
			continue;
		if (sd->r.n_anomalies < DIMONA_MAX_ANOMALIES) {
			struct dimona_anomaly *a = &sd->r.anomalies[sd->r.n_anomalies++];
			snprintf(a->code, sizeof a->code, "%s", f.f[i].code);
			snprintf(a->field, sizeof a->field, "%s", f.f[i].field);
		}
		warnings += f.f[i].severity == 'W';
	}
	if (d->action != DIMONA_IN)
		snprintf(sd->r.period_id, sizeof sd->r.period_id, "%s", d->period_id);
	if (blocking) {
		sd->r.status = 'B';
	} else {
		sd->r.status = warnings ? 'W' : 'A';
		if (d->action == DIMONA_IN) {
			dimona_period_from_in(d, &p);
			sim_ledger_new_period_id(s->ledger, p.id);
			snprintf(sd->r.period_id, sizeof sd->r.period_id, "%s", p.id);
			/* A worker without INSS is identified by SIGeDIS first. */
			if (d->c.worker_inss[0] == '\0')
				sd->r.status = 'S';
		} else {
			struct dimona_period old;
			view.find(view.ctx, d->period_id, &old);
			if (d->action == DIMONA_CANCEL) {
				p = old;
				p.cancelled = 1;
			} else {
				dimona_period_apply(&old, d, &p);
			}
		}
		pp = &p;
	}
	if (sim_ledger_result(s->ledger, sd, pp) != GW_OK) {
		fprintf(stderr, "sim onss: ledger write failed for declaration %s\n", sd->id);
		sd->r.status = 0;   /* stays pending; retried on the next pass */
	}
}

static void *
processor(void *arg)
{
	struct sim *s = arg;
	while (!stopping) {
		pthread_mutex_lock(&s->mu);
		int64_t now = now_ms();
		size_t done = 0;
		while (s->cursor < sim_ledger_ndecls(s->ledger)) {
			struct sim_decl *sd = sim_ledger_decl_at(s->ledger, s->cursor);
			if (sd->r.status != 0 || !sd->parsed_ok) {
				s->cursor++;
				continue;
			}
			if (sd->received_ms + s->process_ms > now)
				break;
			process_one(s, sd);
			if (sd->r.status == 0)
				break;
			s->cursor++;
			done++;
		}
		/* One fsync for the pass, before the lock lets any of its
		 * results be read. */
		if (done > 0 && sim_ledger_sync(s->ledger) != GW_OK)
			fprintf(stderr, "sim onss: ledger fsync failed after %zu result(s)\n", done);
		pthread_mutex_unlock(&s->mu);
		usleep(10000);
	}
	return NULL;
}

/* ---- main ---- */

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) != NULL) {
		if (fread(b, 1, (size_t)n, f) != (size_t)n) {
			free(b);
			b = NULL;
		} else {
			b[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return b;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gateway sim onss --ledger PATH [OPTIONS]\n"
	    "       gateway sim onss --dump-ledger PATH\n\n"
	    "ONSS Dimona REST v2 simulator over HTTPS on 127.0.0.1.\n\n"
	    "  --ledger PATH        durable ledger (append-only, fsynced JSON lines); required\n"
	    "  --dump-ledger PATH   print a ledger as JSON (periods, declarations) and exit\n"
	    "  --port N             port to listen on (default 0: a free one)\n"
	    "  --port-file PATH     write the port there once listening (also printed on stdout)\n"
	    "  --tls-cert PEM       server certificate (default certs/out/tls/server.crt.pem)\n"
	    "  --tls-key PEM        its key (default certs/out/tls/server.key.pem)\n"
	    "  --client-id ID       registered OAuth client (default self_service_expeditor_0668600511)\n"
	    "  --client-cert PEM    its certificate, which verifies the assertions\n"
	    "                       (default certs/out/onss/org.crt.pem)\n"
	    "  --audience URL       accept this aud too (default: https://localhost:PORT" TOKEN_PATH
	    " and the 127.0.0.1 form)\n"
	    "  --employer NOSS      the client has a mandate for this employer (repeatable;\n"
	    "                       none: every employer); others get 90256-155\n"
	    "  --token-ttl S        access token lifetime (default 600)\n"
	    "  --process-ms MS      processing delay after receipt (default 300)\n"
	    "  --identify-ms MS     a worker without INSS is answered S (waiting on SIGeDIS), then\n"
	    "                       accepted on the same period this long after (default 2000)\n"
	    "  --fault KIND:P       inject a fault with probability P; KIND is 429, 500, 503,\n"
	    "                       drop (connection closed, after storing a POST), slow,\n"
	    "                       trunc (cut body), malformed (bad JSON; on a search,\n"
	    "                       in turn no items, an item without id, a string id),\n"
	    "                       tokendown, 401 (a valid token refused), reset (an answer\n"
	    "                       cut by a closed connection mid-body) (repeatable)\n"
	    "  --slow-ms MS         delay of a slow answer (default 3000)\n"
	    "  --hold N             a declaration POST waits (250 ms at most) until N are being\n"
	    "                       served at once, until that has happened once (default 0:\n"
	    "                       none), for tests of parallel sends\n"
	    "  --seed N             fault dice seed (default 1)\n"
	    "  --capture DIR        write every POST body received into DIR (NNNNNN-token.form,\n"
	    "                       NNNNNN-declaration.json, NNNNNN-search.json), for tests\n\n"
	    "Endpoints: POST " TOKEN_PATH ", POST " API "/declarations, GET " API "/declarations/{id},\n"
	    "POST " API "/declarations/search, GET " API "/periods/{id}, POST " API "/periods/search,\n"
	    "POST " API "/relations/search; GET /sim/ledger (JSON), GET /sim/stats (the most\n"
	    "declaration POSTs served at once),\n"
	    "POST /sim/faults (body: KIND:P,...; empty clears), POST /sim/clock (advance_s=N),\n"
	    "POST /sim/revoke (forget every\n"
	    "token issued).\n");
}

/* What the command line names: files and the ledger. */
struct opts {
	const char *ledger, *dump, *port_file;
	const char *tls_cert, *tls_key, *client_cert;
};

/* The simulator's defaults, before the command line. */
static void
sim_defaults(struct sim *s, struct opts *o)
{
	memset(s, 0, sizeof *s);
	memset(o, 0, sizeof *o);
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->sync_mu, NULL);
	pthread_cond_init(&s->sync_cv, NULL);
	snprintf(s->client_id, sizeof s->client_id, "self_service_expeditor_0668600511");
	s->token_ttl = 600;
	s->process_ms = 300;
	s->slow_ms = 3000;
	s->identify_ms = 2000;
	s->seed = 1;
	o->tls_cert = "certs/out/tls/server.crt.pem";
	o->tls_key = "certs/out/tls/server.key.pem";
	o->client_cert = "certs/out/onss/org.crt.pem";
}

/* A whole number option in [0, max]; -1 (after saying why) when not. */
static long
number_opt(const char *name, const char *v, long max)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || x < 0 || x > max) {
		fprintf(stderr, "sim onss: bad %s\n", name);
		return -1;
	}
	return x;
}

/* An option that sets a number of the simulator: 1 taken, 0 not such an
 * option, -1 a bad value. */
static int
number_option(struct sim *s, const char *a, const char *v)
{
	const struct { const char *name; int *dst; long max; } nums[] = {
		{ "--port", &s->port, 65535 },
		{ "--identify-ms", &s->identify_ms, 100000000 },
		{ "--token-ttl", &s->token_ttl, 100000000 },
		{ "--process-ms", &s->process_ms, 100000000 },
		{ "--slow-ms", &s->slow_ms, 100000000 },
		{ "--hold", &s->hold, 64 },
	};
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		if (strcmp(a, nums[k].name) != 0)
			continue;
		long x = number_opt(a, v, nums[k].max);
		if (x < 0)
			return -1;
		*nums[k].dst = (int)x;
		return 1;
	}
	if (strcmp(a, "--seed") == 0) {
		long x = number_opt(a, v, 100000000);
		if (x < 0)
			return -1;
		s->seed = (unsigned)x;
		return 1;
	}
	return 0;
}

/* One option with its value v: 0 taken, -1 refused (said why). */
static int
one_option(struct sim *s, struct opts *o, const char *a, const char *v)
{
	int n = number_option(s, a, v);
	if (n != 0)
		return n > 0 ? 0 : -1;
	if (strcmp(a, "--ledger") == 0) o->ledger = v;
	else if (strcmp(a, "--dump-ledger") == 0) o->dump = v;
	else if (strcmp(a, "--port-file") == 0) o->port_file = v;
	else if (strcmp(a, "--capture") == 0) s->capture = v;
	else if (strcmp(a, "--tls-cert") == 0) o->tls_cert = v;
	else if (strcmp(a, "--tls-key") == 0) o->tls_key = v;
	else if (strcmp(a, "--client-cert") == 0) o->client_cert = v;
	else if (strcmp(a, "--client-id") == 0) snprintf(s->client_id, sizeof s->client_id, "%s", v);
	else if (strcmp(a, "--audience") == 0) snprintf(s->aud[2], sizeof s->aud[2], "%s", v);
	else if (strcmp(a, "--employer") == 0) {
		void *p = realloc(s->employers, (s->nemployers + 1) * sizeof *s->employers);
		if (p != NULL)
			s->employers = p;
		if (p == NULL || strlen(v) != 9) {
			fprintf(stderr, "sim onss: bad --employer\n");
			return -1;
		}
		snprintf(s->employers[s->nemployers++], 10, "%s", v);
	} else if (strcmp(a, "--fault") == 0) {
		if (fault_parse(s, v) != GW_OK) {
			fprintf(stderr, "sim onss: bad --fault %s\n", v);
			return -1;
		}
	} else {
		fprintf(stderr, "sim onss: unknown option %s\n", a);
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The command line: every option takes a value. 0, or -1 (said why). */
static int
parse_args(struct sim *s, struct opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc) {
			if (strncmp(argv[i], "--", 2) == 0)
				fprintf(stderr, "sim onss: %s needs a value\n", argv[i]);
			else
				fprintf(stderr, "sim onss: unknown option %s\n", argv[i]);
			return -1;
		}
		if (one_option(s, o, argv[i], argv[i + 1]) != 0)
			return -1;
	}
	return 0;
}

/* --dump-ledger: print a ledger as JSON. An exit code. */
static int
dump_ledger(struct sim *s, const char *path)
{
	char err[512], *json = NULL;
	if (sim_ledger_open(&s->ledger, path, err, sizeof err) != GW_OK ||
	    sim_ledger_dump(s->ledger, &json) != GW_OK) {
		fprintf(stderr, "sim onss: %s\n", err);
		return GW_EXIT_USAGE;
	}
	printf("%s\n", json);
	free(json);
	return GW_EXIT_OK;
}

/* The registered client's public key, the TLS pair and the ledger. */
static gw_rc
load_files(struct sim *s, const struct opts *o, char **cert_pem, char **key_pem)
{
	char err[512];
	FILE *cf = fopen(o->client_cert, "r");
	X509 *x = cf ? PEM_read_X509(cf, NULL, NULL, NULL) : NULL;
	if (cf)
		fclose(cf);
	if (x == NULL || (s->client_key = X509_get_pubkey(x)) == NULL) {
		fprintf(stderr, "sim onss: %s: cannot read the client certificate\n", o->client_cert);
		X509_free(x);
		return GW_EINPUT;
	}
	X509_free(x);
	if ((*cert_pem = read_file(o->tls_cert, NULL)) == NULL ||
	    (*key_pem = read_file(o->tls_key, NULL)) == NULL) {
		fprintf(stderr, "sim onss: cannot read %s / %s\n", o->tls_cert, o->tls_key);
		return GW_EINPUT;
	}
	if (sim_ledger_open(&s->ledger, o->ledger, err, sizeof err) != GW_OK) {
		fprintf(stderr, "sim onss: %s\n", err);
		return GW_EIO;
	}
	return GW_OK;
}

/* Listen on 127.0.0.1 only; learn the port and the audiences it makes. */
static struct MHD_Daemon *
start_https(struct sim *s, const char *cert_pem, const char *key_pem)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A thread per connection: a request that waits (a slow answer, the
	 * ledger's fsync, --hold) never holds up another client's. */
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "sim onss: cannot start the HTTPS server on 127.0.0.1:%d\n", s->port);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : s->port;
	snprintf(s->aud[0], sizeof s->aud[0], "https://localhost:%d" TOKEN_PATH, s->port);
	snprintf(s->aud[1], sizeof s->aud[1], "https://127.0.0.1:%d" TOKEN_PATH, s->port);
	return d;
}

/* The port, whole or absent: a test waiting on the file never reads half. */
static gw_rc
write_port_file(const char *path, int port)
{
	char text[16], why[256];
	int tl = snprintf(text, sizeof text, "%d\n", port);
	if (atomic_write_file(path, text, (size_t)tl, 0644, 0, why, sizeof why) != GW_OK) {
		fprintf(stderr, "sim onss: cannot write %s: %s\n", path, why);
		return GW_EIO;
	}
	return GW_OK;
}

/* Everything the simulator holds, freed (the key PEM wiped first). */
static void
sim_free(struct sim *s, char *cert_pem, char *key_pem)
{
	sim_ledger_close(s->ledger);
	EVP_PKEY_free(s->client_key);
	free(cert_pem);
	if (key_pem != NULL) {
		memset(key_pem, 0, strlen(key_pem));
		free(key_pem);
	}
	free(s->employers);
	free(s->tokens);
	free(s->jtis);
	onss_codelist_free();
	pthread_mutex_destroy(&s->mu);
}

int
sim_onss_rest_main(int argc, char **argv)
{
	struct sim s;
	struct opts o;
	struct MHD_Daemon *daemon = NULL;
	pthread_t th;
	int th_started = 0, rc = GW_EXIT_USAGE;
	char *cert_pem = NULL, *key_pem = NULL;

	sim_defaults(&s, &o);
	if (args_wants_help(argc, argv)) {
		usage(stdout);
		rc = GW_EXIT_OK;
		goto out;
	}
	if (parse_args(&s, &o, argc, argv) != 0)
		goto out;
	if (o.dump != NULL) {
		rc = dump_ledger(&s, o.dump);
		goto out;
	}
	if (o.ledger == NULL) {
		fprintf(stderr, "sim onss: --ledger PATH is required\n");
		usage(stderr);
		goto out;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, "sim onss: this libmicrohttpd has no TLS support\n");
		goto out;
	}
	if (load_files(&s, &o, &cert_pem, &key_pem) != GW_OK ||
	    (daemon = start_https(&s, cert_pem, key_pem)) == NULL)
		goto out;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (pthread_create(&th, NULL, processor, &s) != 0) {
		fprintf(stderr, "sim onss: cannot start the processing thread\n");
		goto out;
	}
	th_started = 1;
	if (o.port_file != NULL && write_port_file(o.port_file, s.port) != GW_OK)
		goto out;
	printf("listening on https://localhost:%d\n", s.port);
	fflush(stdout);
	while (!stopping)
		usleep(50000);
	rc = GW_EXIT_OK;
out:
	stopping = 1;
	if (daemon != NULL)
		MHD_stop_daemon(daemon);
	if (th_started)
		pthread_join(th, NULL);
	sim_free(&s, cert_pem, key_pem);
	return rc;
}

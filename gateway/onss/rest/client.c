/*
 * client.c - the Dimona REST v2 client (see client.h).
 *
 * Owns one libcurl handle, the cached access token and the signer handle
 * used for client assertions. TLS peer and host verification are always on
 * (the CA comes from [dimona] ca_file); there is no option to turn them
 * off. Never retries by itself beyond one token refresh on a 401: the
 * caller (the queue's scheduler) decides when to try again. Keeps its
 * connection alive between calls, POSTs included (never re-sent by
 * libcurl: see exchange()). Not thread safe: one client per thread.
 */
#include "onss/rest/client.h"
#include "core/membuf.h"
#include "core/params.h"
#include "onss/rest/jwt.h"
#include "core/config.h"
#include "core/log.h"
#include "crypto/signer.h"
#include "core/clock.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESP_MAX (1024 * 1024)

/* What a call is for: each use has its own token with its one scope. */
enum use { USE_DECLARE, USE_CONSULT, USE__N };

struct token {
	char scope[256];
	char value[2048];
	int64_t expires;           /* unix seconds */
};

struct dimona_rest {
	CURL *curl;
	struct gw_signer *signer;
	char base_url[512], token_url[512], client_id[128], ca_file[512];
	long timeout_ms;
	int assertion_ttl, token_margin;
	struct token tok[USE__N];
};


struct hdrs {
	char location[640];
	long retry_after_s;
};

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct hdrs *h = arg;
	size_t n = size * nmemb;
	char line[600];
	size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
	memcpy(line, data, k);
	line[k] = '\0';
	while (k > 0 && (line[k - 1] == '\r' || line[k - 1] == '\n'))
		line[--k] = '\0';
	if (strncasecmp(line, "Location:", 9) == 0) {
		const char *v = line + 9;
		while (*v == ' ')
			v++;
		snprintf(h->location, sizeof h->location, "%s", v);
	} else if (strncasecmp(line, "Retry-After:", 12) == 0) {
		char *end;
		long s = strtol(line + 12, &end, 10);
		if (end != line + 12 && s >= 0 && s < 86400)
			h->retry_after_s = s;
	}
	return n;
}

static void
cfg_copy(char *dst, size_t cap, enum param_id id)
{
	snprintf(dst, cap, "%s", param_str(id));
}

gw_rc
dimona_rest_open(struct dimona_rest **out, char *err, size_t ecap)
{
	struct dimona_rest *c = calloc(1, sizeof *c);
	gw_rc rc = GW_ENOMEM;

	*out = NULL;
	if (c == NULL)
		return GW_ENOMEM;
	cfg_copy(c->base_url, sizeof c->base_url, P_DIMONA_BASE_URL);
	cfg_copy(c->token_url, sizeof c->token_url, P_DIMONA_TOKEN_URL);
	cfg_copy(c->client_id, sizeof c->client_id, P_DIMONA_CLIENT_ID);
	cfg_copy(c->ca_file, sizeof c->ca_file, P_DIMONA_CA_FILE);
	cfg_copy(c->tok[USE_DECLARE].scope, sizeof c->tok[0].scope, P_DIMONA_SCOPE_DECLARE);
	cfg_copy(c->tok[USE_CONSULT].scope, sizeof c->tok[0].scope, P_DIMONA_SCOPE_CONSULT);
	c->timeout_ms = (long)param_int(P_DIMONA_TIMEOUT_MS);
	c->assertion_ttl = (int)param_int(P_DIMONA_ASSERTION_TTL_S);
	c->token_margin = (int)param_int(P_DIMONA_TOKEN_MARGIN_S);
	size_t bl = strlen(c->base_url);
	while (bl > 0 && c->base_url[bl - 1] == '/')
		c->base_url[--bl] = '\0';
	if (strncmp(c->base_url, "https://", 8) != 0 || strncmp(c->token_url, "https://", 8) != 0) {
		snprintf(err, ecap, "dimona.base_url and dimona.token_url must be https:// URLs");
		rc = GW_ECONFIG;
		goto fail;
	}
	const char *cert = param_str(P_DIMONA_CERT);
	const char *key = param_str(P_DIMONA_KEY);
	rc = (cert != NULL && key != NULL) ? signer_load(&c->signer, cert, key, err, ecap)
	    : signer_from_config(&c->signer, NULL, NULL, err, ecap);
	if (rc != GW_OK)
		goto fail;
	if ((c->curl = curl_easy_init()) == NULL) {
		rc = GW_ENOMEM;
		goto fail;
	}
	*out = c;
	return GW_OK;
fail:
	dimona_rest_close(c);
	return rc;
}

void
dimona_rest_close(struct dimona_rest *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	signer_free(c->signer);
	OPENSSL_cleanse(c->tok, sizeof c->tok);
	free(c);
}

/* A POST body handed to libcurl piece by piece. */
struct body_src {
	const char *p;
	size_t n, off;
};

/* libcurl's read callback: the next piece of the body. */
static size_t
body_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct body_src *b = arg;
	size_t k = size * nitems, left = b->n - b->off;
	if (k > left)
		k = left;
	memcpy(buf, b->p + b->off, k);
	b->off += k;
	return k;
}

/* Refuse every rewind: a body already (partly) sent is never sent again
 * by libcurl behind the caller's back. */
static int
body_no_seek(void *arg, curl_off_t offset, int origin)
{
	(void)arg;
	(void)offset;
	(void)origin;
	return CURL_SEEKFUNC_CANTSEEK;
}

/* One HTTPS exchange. GW_OK means an HTTP status came back (in *status);
 * GW_ETEMP a transport failure (connect, TLS, timeout, cut body). */
static gw_rc
exchange(struct dimona_rest *c, const char *method, const char *url, const char *body,
         size_t blen, const char *ctype, const char *token, long *status, struct membuf *resp,
         struct hdrs *h, char *err, size_t ecap)
{
	struct curl_slist *hl = NULL;
	struct body_src src = { body, blen, 0 };
	char line[2200];
	CURLcode cc;

	memset(resp, 0, sizeof *resp);
	resp->max = RESP_MAX;
	memset(h, 0, sizeof *h);
	h->retry_after_s = -1;
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, membuf_append);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, h);
	/* Keep-alive for every call: a connection (and its TLS handshake)
	 * serves many calls, but one idle longer than a few seconds is not
	 * reused, so a server's own idle close rarely races a request. */
	curl_easy_setopt(c->curl, CURLOPT_MAXAGE_CONN, 5L);
	if (strcmp(method, "POST") == 0) {
		/* libcurl silently re-sends a request on a reused connection that
		 * turns out dead; for a declaration that could be a second copy
		 * whose answer replaces the first. The body comes from a read
		 * callback that cannot rewind: once any of it was sent, libcurl
		 * cannot send it again and the call ends without an answer
		 * (GW_ETEMP), so the caller looks the declaration up instead. */
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, body_read);
		curl_easy_setopt(c->curl, CURLOPT_READDATA, &src);
		curl_easy_setopt(c->curl, CURLOPT_SEEKFUNCTION, body_no_seek);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
		snprintf(line, sizeof line, "Content-Type: %s", ctype);
		hl = curl_slist_append(hl, line);
		/* No 100-continue round trip before a body we send anyway. */
		hl = curl_slist_append(hl, "Expect:");
	}
	hl = curl_slist_append(hl, "Accept: application/json");
	if (token != NULL) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, line);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(c->curl);
	curl_slist_free_all(hl);
	memset(line, 0, sizeof line);
	if (cc == CURLE_SEND_FAIL_REWIND) {
		snprintf(err, ecap, "%s %s: connection closed without an answer (not sent again)",
		    method, url);
		free(resp->p);
		resp->p = NULL;
		return GW_ETEMP;
	}
	if (cc != CURLE_OK) {
		snprintf(err, ecap, "%s %s: %s", method, url, curl_easy_strerror(cc));
		free(resp->p);
		resp->p = NULL;
		return GW_ETEMP;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	return GW_OK;
}

static void
body_snippet(const struct membuf *b, char *out, size_t cap)
{
	size_t n = b->p ? b->n : 0, j = 0;
	for (size_t i = 0; i < n && j + 1 < cap && j < 200; i++)
		out[j++] = isprint((unsigned char)b->p[i]) ? b->p[i] : ' ';
	out[j] = '\0';
}

/* Get the token of this use unless the cached one is good for
 * token_margin more seconds. */
static gw_rc
ensure_token(struct dimona_rest *c, struct token *t, char *err, size_t ecap)
{
	int64_t now = clock_now_s();
	char *assertion = NULL, *form = NULL, *esc = NULL, snip[256];
	struct membuf resp;
	struct hdrs h;
	long status = 0;
	gw_rc rc;

	if (t->value[0] != '\0' && now + c->token_margin < t->expires)
		return GW_OK;
	t->value[0] = '\0';
	if ((rc = jwt_client_assertion(c->signer, c->client_id, c->token_url, now, c->assertion_ttl,
	    &assertion)) != GW_OK) {
		snprintf(err, ecap, "cannot sign the client assertion: %s", gw_rc_name(rc));
		return rc;
	}
	esc = curl_easy_escape(c->curl, t->scope, 0);
	size_t flen = strlen(assertion) + strlen(esc ? esc : "") + 256;
	if (esc == NULL || (form = malloc(flen)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(form, flen, "grant_type=client_credentials&client_assertion_type="
	    "urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3Ajwt-bearer"
	    "&client_assertion=%s&scope=%s", assertion, esc);
	rc = exchange(c, "POST", c->token_url, form, strlen(form), "application/x-www-form-urlencoded",
	    NULL, &status, &resp, &h, err, ecap);
	if (rc != GW_OK)
		goto out;
	if (status != 200) {
		body_snippet(&resp, snip, sizeof snip);
		snprintf(err, ecap, "token endpoint answered %ld: %s", status, snip);
		/* A refused assertion is a configuration or clock problem, not
		 * the message's: it waits (and expires in the end) while an
		 * operator fixes it, instead of failing every message. */
		if (status != 429 && status < 500)
			log_error(NULL, NULL, "dimona: the token endpoint refuses our client assertion: %s", err);
		rc = GW_ETEMP;
		goto out;
	}
	json_t *j = json_loadb(resp.p ? resp.p : "", resp.n, 0, NULL);
	json_t *tok = json_object_get(j, "access_token"), *exp = json_object_get(j, "expires_in");
	if (!json_is_string(tok) || json_string_length(tok) >= sizeof t->value ||
	    json_string_length(tok) == 0 || !json_is_integer(exp)) {
		snprintf(err, ecap, "token endpoint: no access_token/expires_in in the answer");
		json_decref(j);
		rc = GW_ETEMP;
		goto out;
	}
	memcpy(t->value, json_string_value(tok), json_string_length(tok) + 1);
	t->expires = now + json_integer_value(exp);
	json_decref(j);
	log_debug(NULL, NULL, "dimona: new access token for %s, valid %lld s", t->scope,
	    (long long)(t->expires - now));
	rc = GW_OK;
out:
	if (resp.p != NULL)
		free(resp.p);
	curl_free(esc);
	if (form != NULL) {
		memset(form, 0, strlen(form));
		free(form);
	}
	free(assertion);
	return rc;
}

/* An authenticated call with the token of its use; a 401 drops that
 * token and tries once more. */
static gw_rc
api_call(struct dimona_rest *c, enum use use, const char *method, const char *url, const char *body,
         size_t blen, long *status, struct membuf *resp, struct hdrs *h, char *err, size_t ecap)
{
	struct token *t = &c->tok[use];
	for (int attempt = 0; attempt < 2; attempt++) {
		gw_rc rc = ensure_token(c, t, err, ecap);
		if (rc != GW_OK)
			return rc;
		rc = exchange(c, method, url, body, blen, "application/json", t->value, status, resp, h,
		    err, ecap);
		if (rc != GW_OK)
			return rc;
		if (*status != 401)
			return GW_OK;
		free(resp->p);
		resp->p = NULL;
		t->value[0] = '\0';
	}
	snprintf(err, ecap, "%s %s: 401 even with a fresh token", method, url);
	return GW_EPERM;
}

/* Map a non-success status to the caller's vocabulary. */
static gw_rc
status_rc(long status, const struct membuf *resp, const struct hdrs *h, long *retry_after_ms,
          const char *what, char *err, size_t ecap)
{
	char snip[256];
	body_snippet(resp, snip, sizeof snip);
	snprintf(err, ecap, "%s: HTTP %ld %s", what, status, snip);
	if (retry_after_ms != NULL)
		*retry_after_ms = h->retry_after_s >= 0 ? h->retry_after_s * 1000 : -1;
	if (status == 429 || status >= 500 || status == 408)
		return GW_ETEMP;
	return GW_EPERM;
}

gw_rc
dimona_rest_submit(struct dimona_rest *c, const char *json, size_t len, char *decl_id, size_t cap,
                   long *retry_after_ms, char *err, size_t ecap)
{
	char url[600];
	struct membuf resp = { 0 };
	struct hdrs h;
	long status = 0;
	gw_rc rc;

	if (retry_after_ms != NULL)
		*retry_after_ms = -1;
	snprintf(url, sizeof url, "%s/declarations", c->base_url);
	rc = api_call(c, USE_DECLARE, "POST", url, json, len, &status, &resp, &h, err, ecap);
	if (rc != GW_OK) {
		if (rc == GW_ETEMP && retry_after_ms != NULL)
			*retry_after_ms = DIMONA_REST_NO_ANSWER;
		goto out;
	}
	if (status != 201) {
		rc = status_rc(status, &resp, &h, retry_after_ms, "POST declarations", err, ecap);
		goto out;
	}
	/* The declaration id is the last segment of Location. */
	const char *slash = strrchr(h.location, '/');
	const char *id = slash ? slash + 1 : h.location;
	size_t n = strlen(id);
	int ok = n > 0 && n < cap;
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)id[i]) || id[i] == '-';
	if (!ok) {
		/* Received but we cannot name it: the caller looks it up. */
		snprintf(err, ecap, "POST declarations: 201 without a usable Location");
		if (retry_after_ms != NULL)
			*retry_after_ms = DIMONA_REST_NO_ANSWER;
		rc = GW_ETEMP;
		goto out;
	}
	memcpy(decl_id, id, n + 1);
	rc = GW_OK;
out:
	free(resp.p);
	return rc;
}

/* GET {base}/{collection}/{id} with the consult token: GW_OK with the
 * 200 body in *resp (the caller frees resp->p), GW_ENOTFOUND on 404,
 * otherwise what the status means. */
static gw_rc
get_one(struct dimona_rest *c, const char *collection, const char *id, const char *what,
        struct membuf *resp, char *err, size_t ecap)
{
	char url[700], *esc = curl_easy_escape(c->curl, id, 0);
	struct hdrs h;
	long status = 0;
	if (esc == NULL)
		return GW_ENOMEM;
	snprintf(url, sizeof url, "%s/%s/%s", c->base_url, collection, esc);
	curl_free(esc);
	gw_rc rc = api_call(c, USE_CONSULT, "GET", url, NULL, 0, &status, resp, &h, err, ecap);
	if (rc != GW_OK)
		return rc;
	if (status == 404)
		return GW_ENOTFOUND;
	if (status != 200)
		return status_rc(status, resp, &h, NULL, what, err, ecap);
	return GW_OK;
}

gw_rc
dimona_rest_poll(struct dimona_rest *c, const char *decl_id, struct dimona_result *r,
                 char *err, size_t ecap)
{
	struct membuf resp = { 0 };
	gw_rc rc = get_one(c, "declarations", decl_id, "GET declaration", &resp, err, ecap);
	if (rc != GW_OK)
		goto out;
	/* A cut or garbled answer is a transport problem: polling is
	 * idempotent, so ask again later. */
	if (dimona_result_from_json(resp.p ? resp.p : "", resp.n, r, err, ecap) != GW_OK) {
		rc = GW_ETEMP;
		goto out;
	}
	if (r->declaration_id[0] == '\0')
		snprintf(r->declaration_id, sizeof r->declaration_id, "%s", decl_id);
	rc = GW_OK;
out:
	free(resp.p);
	return rc;
}

gw_rc
dimona_rest_lookup(struct dimona_rest *c, const struct dimona_decl *d, char *decl_id, size_t cap,
                   char *err, size_t ecap)
{
	char url[600], date[11], worker[256];
	struct membuf resp = { 0 };
	struct hdrs h;
	long status = 0;
	gw_rc rc;
	json_t *q = json_object(), *res = NULL;
	char *body = NULL;

	snprintf(url, sizeof url, "%s/declarations/search", c->base_url);
	json_object_set_new(q, "employer", json_pack("{s:I}", "employerId",
	    (json_int_t)strtoll(d->c.employer_noss, NULL, 10)));
	dimona_worker_key(&d->c, worker, sizeof worker);
	if (d->c.worker_inss[0] != '\0')
		json_object_set_new(q, "worker", json_pack("{s:s}", "ssin", d->c.worker_inss));
	else
		json_object_set_new(q, "worker", json_pack("{s:s}", "key", worker));
	json_object_set_new(q, "declarationType", json_string(dimona_action_name(d->action)));
	/* Only what this kind of declaration carries: a CANCEL has no dates,
	 * an OUT only its end. */
	int dates = d->action == DIMONA_IN || d->action == DIMONA_UPDATE;
	if (dates && d->c.start_date != 0) {
		dimona_fmt_date(d->c.start_date, date);
		json_object_set_new(q, "startDate", json_string(date));
	}
	if ((dates || d->action == DIMONA_OUT) && d->c.end_date != 0) {
		dimona_fmt_date(d->c.end_date, date);
		json_object_set_new(q, "endDate", json_string(date));
	}
	if (d->period_id[0] != '\0')
		json_object_set_new(q, "periodId", json_integer(strtoll(d->period_id, NULL, 10)));
	if ((body = json_dumps(q, JSON_COMPACT)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	rc = api_call(c, USE_CONSULT, "POST", url, body, strlen(body), &status, &resp, &h, err, ecap);
	if (rc != GW_OK)
		goto out;
	if (status != 200) {
		rc = status_rc(status, &resp, &h, NULL, "POST declarations/search", err, ecap);
		goto out;
	}
	res = json_loadb(resp.p ? resp.p : "", resp.n, 0, NULL);
	json_t *items = json_object_get(res, "items");
	if (!json_is_array(items)) {
		snprintf(err, ecap, "declarations/search: no items array");
		rc = GW_ETEMP;
		goto out;
	}
	if (json_array_size(items) == 0) {
		rc = GW_ENOTFOUND;
		goto out;
	}
	/* The first accepted match is the one that made the period; failing
	 * that, the first received. */
	json_t *it = json_array_get(items, 0), *x;
	size_t i;
	json_array_foreach(items, i, x) {
		const char *st = json_string_value(json_object_get(x, "result"));
		if (st != NULL && (st[0] == 'A' || st[0] == 'W' || st[0] == 'S')) {
			it = x;
			break;
		}
	}
	json_t *id = json_object_get(it, "declarationId");
	if (json_is_integer(id))
		snprintf(decl_id, cap, "%lld", (long long)json_integer_value(id));
	else if (json_is_string(id) && json_string_length(id) < cap)
		snprintf(decl_id, cap, "%s", json_string_value(id));
	else {
		snprintf(err, ecap, "declarations/search: item without declarationId");
		rc = GW_ETEMP;
		goto out;
	}
	rc = GW_OK;
out:
	json_decref(res);
	json_decref(q);
	free(body);
	free(resp.p);
	return rc;
}

/* One period item of an answer; GW_EINPUT when it is not one. */
static gw_rc
period_from_json(json_t *it, struct dimona_period *p)
{
	json_t *id = json_object_get(it, "periodId"), *emp = json_object_get(it, "employerId");
	const char *wt = json_string_value(json_object_get(it, "workerType"));
	const char *jc = json_string_value(json_object_get(it, "jointCommissionNumber"));
	const char *sd = json_string_value(json_object_get(it, "startDate"));
	const char *ed = json_string_value(json_object_get(it, "endDate"));
	memset(p, 0, sizeof *p);
	p->start_time = p->end_time = -1;
	if (!json_is_integer(id) || json_integer_value(id) <= 0 || !json_is_integer(emp) ||
	    wt == NULL || strlen(wt) >= sizeof p->worker_type || jc == NULL ||
	    strlen(jc) >= sizeof p->jc || dimona_parse_date(sd, &p->start) != GW_OK ||
	    (ed != NULL && ed[0] != '\0' && dimona_parse_date(ed, &p->end) != GW_OK))
		return GW_EINPUT;
	snprintf(p->id, sizeof p->id, "%lld", (long long)json_integer_value(id));
	snprintf(p->noss, sizeof p->noss, "%09lld", (long long)json_integer_value(emp));
	snprintf(p->worker_type, sizeof p->worker_type, "%s", wt);
	snprintf(p->jc, sizeof p->jc, "%s", jc);
	p->cancelled = json_is_true(json_object_get(it, "cancelled"));
	return GW_OK;
}

gw_rc
dimona_rest_period_get(struct dimona_rest *c, const char *period_id, struct dimona_period *p,
                       char *err, size_t ecap)
{
	struct membuf resp = { 0 };
	gw_rc rc = get_one(c, "periods", period_id, "GET period", &resp, err, ecap);
	if (rc != GW_OK)
		goto out;
	json_t *j = json_loadb(resp.p ? resp.p : "", resp.n, 0, NULL);
	rc = period_from_json(j, p);
	json_decref(j);
	if (rc != GW_OK) {
		snprintf(err, ecap, "GET period %s: not a period", period_id);
		rc = GW_ETEMP;
	}
out:
	free(resp.p);
	return rc;
}

/* POST {base}/{what} with the employer, worker and window; *items the
 * answer's items array (the caller decrefs *root). */
static gw_rc
search_call(struct dimona_rest *c, const char *what, const char *noss, const char *ssin, gw_ymd from,
            gw_ymd to, json_t **root, json_t **items, char *err, size_t ecap)
{
	char url[600], date[11], *body = NULL;
	struct membuf resp = { 0 };
	struct hdrs h;
	long status = 0;
	json_t *q = json_pack("{s:{s:I}, s:{s:s}}", "employer", "employerId",
	    (json_int_t)strtoll(noss, NULL, 10), "worker", "ssin", ssin);
	gw_rc rc = GW_ENOMEM;

	*root = *items = NULL;
	if (q == NULL)
		return GW_ENOMEM;
	if (from != 0) {
		dimona_fmt_date(from, date);
		json_object_set_new(q, "startDate", json_string(date));
	}
	if (to != 0) {
		dimona_fmt_date(to, date);
		json_object_set_new(q, "endDate", json_string(date));
	}
	snprintf(url, sizeof url, "%s/%s", c->base_url, what);
	if ((body = json_dumps(q, JSON_COMPACT)) == NULL)
		goto out;
	rc = api_call(c, USE_CONSULT, "POST", url, body, strlen(body), &status, &resp, &h, err, ecap);
	if (rc != GW_OK)
		goto out;
	if (status != 200) {
		rc = status_rc(status, &resp, &h, NULL, what, err, ecap);
		goto out;
	}
	*root = json_loadb(resp.p ? resp.p : "", resp.n, 0, NULL);
	*items = json_object_get(*root, "items");
	if (!json_is_array(*items)) {
		snprintf(err, ecap, "%s: no items array", what);
		rc = GW_ETEMP;
	}
out:
	json_decref(q);
	free(body);
	free(resp.p);
	return rc;
}

gw_rc
dimona_rest_periods_search(struct dimona_rest *c, const char *noss, const char *ssin, gw_ymd from,
                           gw_ymd to, struct dimona_period *out, size_t max, size_t *n,
                           char *err, size_t ecap)
{
	json_t *root, *items, *it;
	size_t i;
	gw_rc rc = search_call(c, "periods/search", noss, ssin, from, to, &root, &items, err, ecap);
	*n = 0;
	if (rc != GW_OK)
		goto out;
	json_array_foreach(items, i, it) {
		if (*n >= max)
			break;
		if (period_from_json(it, &out[*n]) != GW_OK) {
			snprintf(err, ecap, "periods/search: item %zu is not a period", i);
			rc = GW_ETEMP;
			goto out;
		}
		(*n)++;
	}
out:
	json_decref(root);
	return rc;
}

gw_rc
dimona_rest_relations_search(struct dimona_rest *c, const char *noss, const char *ssin, gw_ymd from,
                             gw_ymd to, struct dimona_relation *out, size_t max, size_t *n,
                             char *err, size_t ecap)
{
	json_t *root, *items, *it;
	size_t i;
	gw_rc rc = search_call(c, "relations/search", noss, ssin, from, to, &root, &items, err, ecap);
	*n = 0;
	if (rc != GW_OK)
		goto out;
	json_array_foreach(items, i, it) {
		if (*n >= max)
			break;
		struct dimona_relation *r = &out[*n];
		const char *sd = json_string_value(json_object_get(it, "startDate"));
		const char *ed = json_string_value(json_object_get(it, "endDate"));
		json_t *ids = json_object_get(it, "periodIds");
		memset(r, 0, sizeof *r);
		if (dimona_parse_date(sd, &r->start) != GW_OK || !json_is_array(ids) ||
		    (ed != NULL && ed[0] != '\0' && dimona_parse_date(ed, &r->end) != GW_OK)) {
			snprintf(err, ecap, "relations/search: item %zu is not a relation", i);
			rc = GW_ETEMP;
			goto out;
		}
		r->n_periods = json_array_size(ids);
		(*n)++;
	}
out:
	json_decref(root);
	return rc;
}

long
dimona_rest_poll_delay(long elapsed_ms)
{
	if (elapsed_ms < 0)
		elapsed_ms = 0;
	if (elapsed_ms < 2000)
		return 2000 - elapsed_ms;
	if (elapsed_ms < 30000)
		return 1000;
	return 60000;
}

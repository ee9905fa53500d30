/* test_rest.c - the Dimona REST v2 client against `gateway sim onss`:
 * token by RS256 client assertion (and every way the token endpoint
 * refuses one), token caching, submit/poll/lookup, the result with its
 * period id and anomaly codes, the poll back-off, TLS verification and the
 * injected faults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "test_rest_sim.h"
#include "core/clock.h"
#include "crypto/signer.h"
#include "onss/dimona/decl.h"
#include "onss/rest/client.h"
#include "onss/rest/jwt.h"

static struct simproc sim;

static struct contract
contract(const char *type, gw_ymd start)
{
	struct contract c;
	memset(&c, 0, sizeof c);
	snprintf(c.contract_id, sizeof c.contract_id, "T-%s-%d", type, (int)start);
	c.revision = 1;
	snprintf(c.employer_noss, sizeof c.employer_noss, "175110801");
	snprintf(c.employer_kbo, sizeof c.employer_kbo, "0668600511");
	snprintf(c.worker_inss, sizeof c.worker_inss, "90051212384");
	snprintf(c.worker_type, sizeof c.worker_type, "%s", type);
	snprintf(c.joint_committee, sizeof c.joint_committee, "304");
	c.start_date = start;
	c.end_date = start;
	c.start_time = c.end_time = -1;
	return c;
}

static char *
to_json(const struct dimona_decl *d)
{
	char *js;
	size_t n;
	assert_int_equal(dimona_to_json(d, &js, &n), GW_OK);
	return js;
}

/* Poll until processed (the simulator answers 404 until then). */
static gw_rc
wait_result(struct dimona_rest *c, const char *id, struct dimona_result *r)
{
	char err[512];
	gw_rc rc = GW_ENOTFOUND;
	for (int i = 0; i < 200 && (rc == GW_ENOTFOUND || rc == GW_ETEMP); i++) {
		rc = dimona_rest_poll(c, id, r, err, sizeof err);
		if (rc == GW_ENOTFOUND || rc == GW_ETEMP)
			usleep(25000);
	}
	return rc;
}

static gw_rc
declare(struct dimona_rest *c, const struct dimona_decl *d, struct dimona_result *r)
{
	char id[32], err[512], *js = to_json(d);
	long ra;
	gw_rc rc = dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err);
	free(js);
	if (rc != GW_OK) {
		fprintf(stderr, "submit: %s\n", err);
		return rc;
	}
	return wait_result(c, id, r);
}

static int
has_code(const struct dimona_result *r, const char *code)
{
	if (code == NULL)                     /* none expected: there must be none */
		return r->n_anomalies == 0;
	for (size_t i = 0; i < r->n_anomalies; i++)
		if (strcmp(r->anomalies[i].code, code) == 0)
			return 1;
	return 0;
}

/* Declare d; the answer must have status and carry anomaly code. */
static void
expect_answer(struct dimona_rest *c, const struct dimona_decl *d, char status, const char *code)
{
	struct dimona_result r;
	assert_int_equal(declare(c, d, &r), GW_OK);
	assert_int_equal(r.status, status);
	assert_true(has_code(&r, code));
}

/* The same for the IN of contract k. */
static void
expect_in_answer(struct dimona_rest *c, const struct contract *k, char status, const char *code)
{
	struct dimona_decl d;
	dimona_decl_from_contract(&d, k);
	expect_answer(c, &d, status, code);
}

static long
ledger_stat(const char *name)
{
	char *body = NULL;
	assert_int_equal(sim_http(&sim, "GET", "/sim/ledger", NULL, NULL, &body), 200);
	json_t *j = json_loads(body, 0, NULL);
	free(body);
	json_t *v = json_object_get(json_object_get(j, "stats"), name);
	long x = json_is_integer(v) ? (long)json_integer_value(v) : -1;
	json_decref(j);
	return x;
}

/* How many declarations the simulator's ledger holds. */
static size_t
ledger_ndecls(void)
{
	char *body = NULL;
	assert_int_equal(sim_http(&sim, "GET", "/sim/ledger", NULL, NULL, &body), 200);
	json_t *j = json_loads(body, 0, NULL);
	free(body);
	size_t n = json_array_size(json_object_get(j, "declarations"));
	json_decref(j);
	return n;
}

/* Each test gets a simulator of its own with an empty ledger, so that no
 * test depends on what another declared before it, in any order. */
static int
sim_up(void **state)
{
	(void)state;
	static const char *const extra[] = { "--process-ms", "50", "--identify-ms", "400",
	    "--employer", "175110801", "--employer", "123456749", NULL };
	memset(&sim, 0, sizeof sim);
	if (sim_start(&sim, extra) != 0) {
		fprintf(stderr, "cannot start the simulator (GATEWAY=%s)\n", getenv("GATEWAY"));
		return -1;
	}
	sim_configure(&sim, NULL);
	return 0;
}

static int
sim_down(void **state)
{
	(void)state;
	sim_stop(&sim);
	config_free(gw_cfg);
	gw_cfg = NULL;
	clock_unpin();
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

static void
test_poll_delay(void **state)
{
	(void)state;
	/* Nothing in the first 2 s, then every second up to 30 s, then every minute. */
	assert_int_equal(dimona_rest_poll_delay(0), 2000);
	assert_int_equal(dimona_rest_poll_delay(500), 1500);
	assert_int_equal(dimona_rest_poll_delay(2000), 1000);
	assert_int_equal(dimona_rest_poll_delay(29999), 1000);
	assert_int_equal(dimona_rest_poll_delay(30000), 60000);
	assert_int_equal(dimona_rest_poll_delay(3600000), 60000);
}

static void
test_jwt_roundtrip(void **state)
{
	(void)state;
	char cert[512], key[512], err[256];
	struct gw_signer *s;
	top_path(cert, sizeof cert, "certs/out/onss/org.crt.pem");
	top_path(key, sizeof key, "certs/out/onss/org.key.pem");
	assert_int_equal(signer_load(&s, cert, key, err, sizeof err), GW_OK);
	char *jwt;
	assert_int_equal(jwt_client_assertion(s, "client-7", "https://x/token", 1700000000, 300, &jwt), GW_OK);
	struct jwt_claims c;
	EVP_PKEY *pub = X509_get_pubkey(s->cert);
	assert_int_equal(jwt_verify_rs256(jwt, pub, &c, err, sizeof err), GW_OK);
	assert_string_equal(c.iss, "client-7");
	assert_string_equal(c.sub, "client-7");
	assert_string_equal(c.aud, "https://x/token");
	assert_int_equal(c.iat, 1700000000);
	assert_int_equal(c.exp, 1700000300);
	assert_int_equal(strlen(c.jti), 32);
	/* Two assertions never share a jti. */
	char *jwt2;
	struct jwt_claims c2;
	assert_int_equal(jwt_client_assertion(s, "client-7", "https://x/token", 1700000000, 300, &jwt2), GW_OK);
	assert_int_equal(jwt_verify_rs256(jwt2, pub, &c2, err, sizeof err), GW_OK);
	assert_string_not_equal(c.jti, c2.jti);
	/* A changed payload breaks the signature. */
	char *dot = strchr(jwt, '.');
	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	assert_int_not_equal(jwt_verify_rs256(jwt, pub, &c, err, sizeof err), GW_OK);
	/* A key that is not the registered one. */
	char wcert[512], wkey[512];
	struct gw_signer *w;
	top_path(wcert, sizeof wcert, "certs/out/bad/wrong-ca.crt.pem");
	top_path(wkey, sizeof wkey, "certs/out/bad/key.pem");
	assert_int_equal(signer_load(&w, wcert, wkey, err, sizeof err), GW_OK);
	char *jwt3;
	assert_int_equal(jwt_client_assertion(w, "client-7", "https://x/token", 1700000000, 300, &jwt3), GW_OK);
	assert_int_not_equal(jwt_verify_rs256(jwt3, pub, &c, err, sizeof err), GW_OK);
	/* base64url edge cases */
	unsigned char *raw;
	size_t rl;
	char *enc;
	assert_int_equal(b64url_encode((const unsigned char *)"\xfb\xff", 2, &enc), GW_OK);
	assert_string_equal(enc, "-_8");
	assert_int_equal(b64url_decode(enc, strlen(enc), &raw, &rl), GW_OK);
	assert_int_equal(rl, 2);
	assert_memory_equal(raw, "\xfb\xff", 2);
	assert_int_equal(b64url_decode("a", 1, &raw, &rl) == GW_OK ? 0 : 1, 1);
	free(enc);
	free(raw);
	EVP_PKEY_free(pub);
	free(jwt);
	free(jwt2);
	free(jwt3);
	signer_free(s);
	signer_free(w);
}

#define SCOPE_DECLARANT "scope:dimona:declaration:declarant"
#define SCOPE_CONSULT "scope:dimona:declaration:consult"

/* Post an assertion to the token endpoint by hand, asking for scope
 * (NULL: no scope parameter). */
static long
token_scoped(const char *assertion, const char *scope, char **body)
{
	char form[8192];
	snprintf(form, sizeof form, "grant_type=client_credentials&client_assertion_type="
	    "urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3Ajwt-bearer&client_assertion=%s"
	    "%s%s", assertion, scope ? "&scope=" : "", scope ? scope : "");
	return sim_http(&sim, "POST", "/REST/oauth/v5/token", form, "application/x-www-form-urlencoded", body);
}

static long
token_with(const char *assertion, char **body)
{
	return token_scoped(assertion, SCOPE_CONSULT, body);
}

/* A fresh access token for scope, from a fresh assertion (malloc'd). */
static char *
token_for(const char *scope)
{
	char cert[512], key[512], err[256], aud[256], *tb = NULL, *jwt;
	struct gw_signer *s;
	top_path(cert, sizeof cert, "certs/out/onss/org.crt.pem");
	top_path(key, sizeof key, "certs/out/onss/org.key.pem");
	assert_int_equal(signer_load(&s, cert, key, err, sizeof err), GW_OK);
	snprintf(aud, sizeof aud, "https://localhost:%d/REST/oauth/v5/token", sim.port);
	assert_int_equal(jwt_client_assertion(s, "self_service_expeditor_0668600511", aud, clock_now_s(),
	    300, &jwt), GW_OK);
	assert_int_equal(token_scoped(jwt, scope, &tb), 200);
	json_t *tj = json_loads(tb, 0, NULL);
	char *tok = strdup(json_string_value(json_object_get(tj, "access_token")));
	assert_string_equal(json_string_value(json_object_get(tj, "scope")), scope);
	json_decref(tj);
	free(tb);
	free(jwt);
	signer_free(s);
	return tok;
}

/* One API call with a bearer token; returns the HTTP status. */
static long
api_with(const char *token, const char *method, const char *path, const char *body)
{
	char url[300], ca[512], h[200];
	struct membuf m = { NULL, 0 };
	long status = 0;
	CURL *c = curl_easy_init();
	snprintf(h, sizeof h, "Authorization: Bearer %s", token);
	struct curl_slist *hl = curl_slist_append(NULL, h);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	snprintf(url, sizeof url, "https://localhost:%d/REST/dimona/v2/%s", sim.port, path);
	top_path(ca, sizeof ca, "certs/out/tls/ca.crt.pem");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(m.p);
	return status;
}

/* An assertion signed by s without the nbf claim (jwt_client_assertion
 * always writes it), to see the token endpoint refuse it. */
static char *
assertion_without_nbf(const struct gw_signer *s, const char *aud, int64_t now)
{
	char *h, *p, *sg, input[2048], *out;
	unsigned char *sig;
	size_t siglen;
	json_t *hdr = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
	json_t *pl = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", "self_service_expeditor_0668600511",
	    "sub", "self_service_expeditor_0668600511", "aud", aud, "jti", "0123456789abcdef0123456789abcdef",
	    "iat", (json_int_t)now, "exp", (json_int_t)(now + 300));
	char *hs = json_dumps(hdr, JSON_COMPACT), *ps = json_dumps(pl, JSON_COMPACT);
	assert_int_equal(b64url_encode((const unsigned char *)hs, strlen(hs), &h), GW_OK);
	assert_int_equal(b64url_encode((const unsigned char *)ps, strlen(ps), &p), GW_OK);
	snprintf(input, sizeof input, "%s.%s", h, p);
	assert_int_equal(signer_rsa_sha256(s, (const unsigned char *)input, strlen(input), &sig, &siglen), GW_OK);
	assert_int_equal(b64url_encode(sig, siglen, &sg), GW_OK);
	size_t n = strlen(input) + strlen(sg) + 2;
	out = malloc(n);
	snprintf(out, n, "%s.%s", input, sg);
	free(h); free(p); free(sg); free(sig); free(hs); free(ps);
	json_decref(hdr);
	json_decref(pl);
	return out;
}

/* One scope per use: the token endpoint grants the scope asked for, and
 * the API checks it per endpoint (a consult token cannot declare, a
 * declarant token cannot read); an assertion without nbf is refused. */
static void
test_token_scopes(void **state)
{
	(void)state;
	char cert[512], key[512], err[256], aud[256], *body = NULL, *jwt;
	struct gw_signer *s;
	int64_t now = clock_now_s();
	top_path(cert, sizeof cert, "certs/out/onss/org.crt.pem");
	top_path(key, sizeof key, "certs/out/onss/org.key.pem");
	assert_int_equal(signer_load(&s, cert, key, err, sizeof err), GW_OK);
	snprintf(aud, sizeof aud, "https://localhost:%d/REST/oauth/v5/token", sim.port);

	/* The gateway's assertion carries nbf = iat. */
	struct jwt_claims c;
	EVP_PKEY *pub = X509_get_pubkey(s->cert);
	assert_int_equal(jwt_client_assertion(s, "x", aud, now, 300, &jwt), GW_OK);
	assert_int_equal(jwt_verify_rs256(jwt, pub, &c, err, sizeof err), GW_OK);
	assert_int_equal(c.nbf, now);
	free(jwt);
	EVP_PKEY_free(pub);
	/* Without nbf: refused. */
	jwt = assertion_without_nbf(s, aud, now);
	assert_int_equal(token_scoped(jwt, SCOPE_CONSULT, &body), 400);
	assert_non_null(strstr(body, "nbf"));
	free(body);
	free(jwt);
	/* No scope, or one this service does not know: invalid_scope. */
	const char *bad[] = { NULL, "scope:dimona:declaration:everything", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(jwt_client_assertion(s, "self_service_expeditor_0668600511", aud, now, 300,
		    &jwt), GW_OK);
		assert_int_equal(token_scoped(jwt, bad[i], &body), 400);
		assert_non_null(strstr(body, "invalid_scope"));
		free(body);
		free(jwt);
	}
	signer_free(s);

	/* A consult token reads but cannot declare; a declarant token
	 * declares but cannot read. "{}" is a bad declaration: 400 shows the
	 * scope check let it through. */
	char *consult = token_for(SCOPE_CONSULT), *declarant = token_for(SCOPE_DECLARANT);
	assert_int_equal(api_with(consult, "POST", "declarations", "{}"), 403);
	assert_int_equal(api_with(declarant, "POST", "declarations", "{}"), 400);
	assert_int_equal(api_with(consult, "GET", "declarations/1", NULL), 404);
	assert_int_equal(api_with(declarant, "GET", "declarations/1", NULL), 403);
	assert_int_equal(api_with(declarant, "GET", "periods/1", NULL), 403);
	assert_int_equal(api_with(declarant, "POST", "declarations/search", "{}"), 403);
	assert_int_equal(api_with(consult, "GET", "periods/1", NULL), 404);
	free(consult);
	free(declarant);
}

static void
test_token_endpoint_checks(void **state)
{
	(void)state;
	char cert[512], key[512], err[256], aud[256], *body = NULL, *jwt;
	struct gw_signer *s, *w;
	int64_t now = clock_now_s();
	top_path(cert, sizeof cert, "certs/out/onss/org.crt.pem");
	top_path(key, sizeof key, "certs/out/onss/org.key.pem");
	assert_int_equal(signer_load(&s, cert, key, err, sizeof err), GW_OK);
	snprintf(aud, sizeof aud, "https://localhost:%d/REST/oauth/v5/token", sim.port);
	const char *id = "self_service_expeditor_0668600511";

	/* Good, then replayed. */
	assert_int_equal(jwt_client_assertion(s, id, aud, now, 300, &jwt), GW_OK);
	assert_int_equal(token_with(jwt, &body), 200);
	assert_non_null(strstr(body, "access_token"));
	free(body);
	assert_int_equal(token_with(jwt, &body), 400);
	assert_non_null(strstr(body, "replay"));
	free(body);
	free(jwt);
	/* Wrong audience. */
	assert_int_equal(jwt_client_assertion(s, id, "https://oauth.example/token", now, 300, &jwt), GW_OK);
	assert_int_equal(token_with(jwt, &body), 400);
	assert_non_null(strstr(body, "aud"));
	free(body);
	free(jwt);
	/* Expired. */
	assert_int_equal(jwt_client_assertion(s, id, aud, now - 1000, 300, &jwt), GW_OK);
	assert_int_equal(token_with(jwt, &body), 400);
	assert_non_null(strstr(body, "expired"));
	free(body);
	free(jwt);
	/* Another client id. */
	assert_int_equal(jwt_client_assertion(s, "someone_else", aud, now, 300, &jwt), GW_OK);
	assert_int_equal(token_with(jwt, &body), 400);
	free(body);
	free(jwt);
	/* Signed with a key that is not the registered certificate's. */
	top_path(cert, sizeof cert, "certs/out/bad/wrong-ca.crt.pem");
	top_path(key, sizeof key, "certs/out/bad/key.pem");
	assert_int_equal(signer_load(&w, cert, key, err, sizeof err), GW_OK);
	assert_int_equal(jwt_client_assertion(w, id, aud, now, 300, &jwt), GW_OK);
	assert_int_equal(token_with(jwt, &body), 400);
	assert_non_null(strstr(body, "signature"));
	free(body);
	free(jwt);
	/* The API refuses a call without a token. */
	assert_int_equal(sim_http(&sim, "GET", "/REST/dimona/v2/declarations/1", NULL, NULL, NULL), 401);
	signer_free(s);
	signer_free(w);
}

/* A raw GET of a declaration with a fresh token, to see the body as sent. */
static long
raw_get_declaration(const char *id, char **body)
{
	char cert[512], key[512], err[256], aud[256], *tb = NULL, *jwt, url[300], ca[512], h[200];
	struct gw_signer *s;
	top_path(cert, sizeof cert, "certs/out/onss/org.crt.pem");
	top_path(key, sizeof key, "certs/out/onss/org.key.pem");
	assert_int_equal(signer_load(&s, cert, key, err, sizeof err), GW_OK);
	snprintf(aud, sizeof aud, "https://localhost:%d/REST/oauth/v5/token", sim.port);
	assert_int_equal(jwt_client_assertion(s, "self_service_expeditor_0668600511", aud, clock_now_s(),
	    300, &jwt), GW_OK);
	assert_int_equal(token_with(jwt, &tb), 200);
	json_t *tj = json_loads(tb, 0, NULL);
	snprintf(h, sizeof h, "Authorization: Bearer %s", json_string_value(json_object_get(tj, "access_token")));
	json_decref(tj);
	free(tb);
	free(jwt);
	signer_free(s);
	struct membuf m = { NULL, 0 };
	long status = 0;
	CURL *c = curl_easy_init();
	struct curl_slist *hl = curl_slist_append(NULL, h);
	snprintf(url, sizeof url, "https://localhost:%d/REST/dimona/v2/declarations/%s", sim.port, id);
	top_path(ca, sizeof ca, "certs/out/tls/ca.crt.pem");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	*body = m.p;
	return status;
}

static void
test_declare_cycle(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512];
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	long tokens_before = ledger_stat("tokens_issued");

	/* IN accepted: the result carries the period id (not the declaration id). */
	struct contract k = contract("OTH", 20260310);
	k.end_date = 20260315;
	struct dimona_decl in;
	dimona_decl_from_contract(&in, &k);
	assert_int_equal(declare(c, &in, &r), GW_OK);
	assert_int_equal(r.status, 'A');
	assert_int_equal(r.n_anomalies, 0);
	assert_int_not_equal(r.period_id[0], '\0');
	assert_string_not_equal(r.period_id, r.declaration_id);
	char period[DIMONA_PERIOD_ID_MAX + 1];
	snprintf(period, sizeof period, "%s", r.period_id);

	/* The same IN again: duplicate period, refused. */
	expect_answer(c, &in, 'B', "90373-333");
	/* Overlapping. */
	struct dimona_decl ov = in;
	ov.c.start_date = 20260312;
	ov.c.end_date = 20260320;
	expect_answer(c, &ov, 'B', "90373-334");

	/* UPDATE then OUT on the period id. */
	struct dimona_decl up = in;
	up.action = DIMONA_UPDATE;
	snprintf(up.period_id, sizeof up.period_id, "%s", period);
	up.c.end_date = 20260318;
	assert_int_equal(declare(c, &up, &r), GW_OK);
	assert_int_equal(r.status, 'A');
	assert_string_equal(r.period_id, period);
	struct dimona_decl out = in;
	out.action = DIMONA_OUT;
	snprintf(out.period_id, sizeof out.period_id, "%s", period);
	out.c.end_date = 20260317;
	assert_int_equal(declare(c, &out, &r), GW_OK);
	assert_int_equal(r.status, 'A');

	/* CANCEL; a second CANCEL finds it already cancelled; an unknown id. */
	struct dimona_decl cn = in;
	cn.action = DIMONA_CANCEL;
	snprintf(cn.period_id, sizeof cn.period_id, "%s", period);
	assert_int_equal(declare(c, &cn, &r), GW_OK);
	assert_int_equal(r.status, 'A');
	expect_answer(c, &cn, 'B', "00913-355");
	snprintf(cn.period_id, sizeof cn.period_id, "600099999999");
	expect_answer(c, &cn, 'B', "00913-354");

	/* Late IN: accepted with the 90373-460 warning. */
	struct contract late = contract("OTH", 20260225);
	snprintf(late.worker_inss, sizeof late.worker_inss, "85122400775");
	expect_in_answer(c, &late, 'W', "90373-460");
	/* Student without planned hours: refused 01135-001. */
	struct contract stu = contract("STU", 20260401);
	snprintf(stu.worker_inss, sizeof stu.worker_inss, "95010100131");
	expect_in_answer(c, &stu, 'B', "01135-001");
	/* An employer without mandate: 90256-155. Invalid INSS: 00024-003. */
	struct contract nm = contract("OTH", 20260402);
	snprintf(nm.employer_noss, sizeof nm.employer_noss, "100000112");
	expect_in_answer(c, &nm, 'B', "90256-155");
	struct contract bi = contract("OTH", 20260403);
	snprintf(bi.worker_inss, sizeof bi.worker_inss, "90051212385");
	expect_in_answer(c, &bi, 'B', "00024-003");
	/* Occasional worker on a third consecutive day: 00910-459. */
	for (int d = 0; d < 3; d++) {
		struct contract e = contract("EXT", 20260310 + d);
		snprintf(e.worker_inss, sizeof e.worker_inss, "05031204541");
		snprintf(e.joint_committee, sizeof e.joint_committee, "302");
		e.start_time = 18 * 60;
		struct dimona_decl ei;
		dimona_decl_from_contract(&ei, &e);
		assert_int_equal(declare(c, &ei, &r), GW_OK);
		assert_int_equal(r.status, d < 2 ? 'A' : 'B');
	}
	assert_true(has_code(&r, "00910-459"));

	/* One token per use served all of this: declarant to declare,
	 * consult to poll (each cached, never one per call). */
	assert_int_equal(ledger_stat("tokens_issued") - tokens_before, 2);

	/* The answer carries the annex 30 labels, in Dutch and French. */
	char *body = NULL;
	assert_int_equal(raw_get_declaration(r.declaration_id, &body), 200);
	assert_non_null(strstr(body, "\"errorId\":\"00910-459\""));
	assert_non_null(strstr(body, "\"labelNl\":\"Verboden om periodes met gelegenheidswerknemers"));
	assert_non_null(strstr(body, "\"labelFr\":\"Interdit d'avoir des p\u00e9riodes") ||
	    strstr(body, "\"labelFr\":\"Interdit d'avoir des p\xc3\xa9riodes"));
	free(body);
	dimona_rest_close(c);
}

/* A worker without INSS: S (waiting on identification) with a period id,
 * then accepted on that same period. */
static void
test_waiting_on_identification(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512], id[32], *js;
	long ra;
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	struct contract k = contract("OTH", 20260505);
	k.worker_inss[0] = '\0';
	snprintf(k.worker_last_name, sizeof k.worker_last_name, "Kowalska");
	snprintf(k.worker_first_name, sizeof k.worker_first_name, "Zofia");
	k.worker_birth_date = 19950417;
	snprintf(k.worker_birth_place, sizeof k.worker_birth_place, "Krakow");
	k.worker_birth_country = 139;
	k.worker_sex = 2;
	k.worker_nationality = 139;
	snprintf(k.worker_address.street, sizeof k.worker_address.street, "Dluga");
	snprintf(k.worker_address.house_number, sizeof k.worker_address.house_number, "12");
	snprintf(k.worker_address.postcode, sizeof k.worker_address.postcode, "31-147");
	snprintf(k.worker_address.municipality, sizeof k.worker_address.municipality, "Krakow");
	k.worker_address.country = 139;
	struct dimona_decl d;
	dimona_decl_from_contract(&d, &k);
	js = to_json(&d);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err), GW_OK);
	assert_int_equal(wait_result(c, id, &r), GW_OK);
	assert_int_equal(r.status, 'S');
	assert_int_not_equal(r.period_id[0], '\0');
	char period[DIMONA_PERIOD_ID_MAX + 1];
	snprintf(period, sizeof period, "%s", r.period_id);
	/* Identified --identify-ms after receipt: poll until the answer moves. */
	for (int i = 0; i < 400 && r.status == 'S'; i++) {
		usleep(25000);
		assert_int_equal(dimona_rest_poll(c, id, &r, err, sizeof err), GW_OK);
	}
	assert_int_equal(r.status, 'A');
	assert_string_equal(r.period_id, period);
	/* Incomplete identity: 90017-363. */
	k.worker_address.street[0] = '\0';
	dimona_decl_from_contract(&d, &k);
	d.c.start_date = d.c.end_date = 20260506;
	assert_int_equal(declare(c, &d, &r), GW_OK);
	assert_int_equal(r.status, 'B');
	assert_true(has_code(&r, "90017-363"));
	free(js);
	dimona_rest_close(c);
}

/* The reads a reconciliation needs, served by the simulator from its
 * ledger: GET periods/{id}, periods/search (cancelled periods too, within
 * the window) and relations/search (runs of live periods, a gap of a day
 * or more starting a new relation). Worker 85122400775 gets OTH periods
 * 10-12 March and 13-14 March (contiguous: one relation), 20 March
 * (after a gap: a second relation) and 25 March, cancelled. */
static void
test_period_lookups(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	struct dimona_decl d;
	char err[512], ids[4][DIMONA_PERIOD_ID_MAX + 1];
	const gw_ymd span[4][2] = {
		{ 20260310, 20260312 }, { 20260313, 20260314 }, { 20260320, 20260320 }, { 20260325, 20260325 },
	};
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	for (int i = 0; i < 4; i++) {
		struct contract k = contract("OTH", span[i][0]);
		snprintf(k.worker_inss, sizeof k.worker_inss, "85122400775");
		k.end_date = span[i][1];
		dimona_decl_from_contract(&d, &k);
		assert_int_equal(declare(c, &d, &r), GW_OK);
		assert_int_equal(r.status, 'A');
		snprintf(ids[i], sizeof ids[i], "%s", r.period_id);
	}
	d.action = DIMONA_CANCEL;
	snprintf(d.period_id, sizeof d.period_id, "%s", ids[3]);
	assert_int_equal(declare(c, &d, &r), GW_OK);
	assert_int_equal(r.status, 'A');

	struct dimona_period p;
	assert_int_equal(dimona_rest_period_get(c, ids[1], &p, err, sizeof err), GW_OK);
	assert_string_equal(p.id, ids[1]);
	assert_string_equal(p.noss, "175110801");
	assert_string_equal(p.worker_type, "OTH");
	assert_string_equal(p.jc, "XXX");
	assert_int_equal(p.start, 20260313);
	assert_int_equal(p.end, 20260314);
	assert_int_equal(p.cancelled, 0);
	assert_int_equal(dimona_rest_period_get(c, "999999999999", &p, err, sizeof err), GW_ENOTFOUND);

	struct dimona_period v[8];
	size_t n;
	assert_int_equal(dimona_rest_periods_search(c, "175110801", "85122400775", 0, 0, v, 8, &n,
	    err, sizeof err), GW_OK);
	assert_int_equal(n, 4);
	int cancelled = 0;
	for (size_t i = 0; i < n; i++)
		cancelled += v[i].cancelled && strcmp(v[i].id, ids[3]) == 0;
	assert_int_equal(cancelled, 1);
	/* The window 13-20 March meets the second and third periods only. */
	assert_int_equal(dimona_rest_periods_search(c, "175110801", "85122400775", 20260313, 20260319,
	    v, 8, &n, err, sizeof err), GW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, ids[1]);
	assert_int_equal(dimona_rest_periods_search(c, "175110801", "85122400775", 20260313, 20260320,
	    v, 8, &n, err, sizeof err), GW_OK);
	assert_int_equal(n, 2);
	/* Another employer has nothing for this worker. */
	assert_int_equal(dimona_rest_periods_search(c, "123456749", "85122400775", 0, 0, v, 8, &n,
	    err, sizeof err), GW_OK);
	assert_int_equal(n, 0);

	struct dimona_relation rel[4];
	assert_int_equal(dimona_rest_relations_search(c, "175110801", "85122400775", 0, 0, rel, 4, &n,
	    err, sizeof err), GW_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rel[0].start, 20260310);
	assert_int_equal(rel[0].end, 20260314);
	assert_int_equal(rel[0].n_periods, 2);
	assert_int_equal(rel[1].start, 20260320);
	assert_int_equal(rel[1].end, 20260320);
	assert_int_equal(rel[1].n_periods, 1);
	dimona_rest_close(c);
}

static void
test_lookup_after_lost_answer(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512], id[32], *js;
	long ra;
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	struct contract k = contract("OTH", 20260420);
	snprintf(k.worker_inss, sizeof k.worker_inss, "85122400775");
	struct dimona_decl d;
	dimona_decl_from_contract(&d, &k);
	/* Nothing there yet: safe to send. */
	assert_int_equal(dimona_rest_lookup(c, &d, id, sizeof id, err, sizeof err), GW_ENOTFOUND);
	/* Get a token first, then lose every answer of the POST. The POST
	 * goes on the connection the poll left alive: libcurl must not send
	 * it again on a fresh one when that connection dies unanswered. */
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	size_t before = ledger_ndecls();
	assert_int_equal(sim_faults(&sim, "drop:1"), 0);
	js = to_json(&d);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err), GW_ETEMP);
	assert_int_equal(ra, DIMONA_REST_NO_ANSWER);
	assert_int_equal(sim_faults(&sim, ""), 0);
	assert_int_equal(ledger_ndecls() - before, 1);
	/* The ONSS has it: the lookup names it, and it was processed once. */
	assert_int_equal(dimona_rest_lookup(c, &d, id, sizeof id, err, sizeof err), GW_OK);
	assert_int_equal(wait_result(c, id, &r), GW_OK);
	assert_int_equal(r.status, 'A');
	free(js);
	dimona_rest_close(c);
}

/* A search answer the client cannot trust is a temporary failure, never a
 * "not there" that would let it send a second time; an id given as a
 * string is still an id. */
static void
test_lookup_untrusted_search(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512], id[32], sent[32], *js;
	long ra;
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	struct contract k = contract("OTH", 20260421);
	struct dimona_decl d;
	dimona_decl_from_contract(&d, &k);
	js = to_json(&d);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), sent, sizeof sent, &ra, err, sizeof err), GW_OK);
	free(js);
	assert_int_equal(wait_result(c, sent, &r), GW_OK);
	assert_int_equal(sim_faults(&sim, "malformed:1"), 0);
	err[0] = '\0';
	assert_int_equal(dimona_rest_lookup(c, &d, id, sizeof id, err, sizeof err), GW_ETEMP);
	assert_non_null(strstr(err, "no items array"));
	assert_int_equal(dimona_rest_lookup(c, &d, id, sizeof id, err, sizeof err), GW_ETEMP);
	assert_non_null(strstr(err, "item without declarationId"));
	assert_int_equal(dimona_rest_lookup(c, &d, id, sizeof id, err, sizeof err), GW_OK);
	assert_string_equal(id, sent);                      /* the id given as a string */
	assert_int_equal(sim_faults(&sim, ""), 0);
	dimona_rest_close(c);
}

static void
test_faults_map_to_temporary(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512], id[32], *js;
	long ra;
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	struct contract k = contract("OTH", 20260501);
	struct dimona_decl d;
	dimona_decl_from_contract(&d, &k);
	js = to_json(&d);
	assert_int_equal(sim_faults(&sim, "tokendown:1"), 0);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err), GW_ETEMP);
	assert_int_equal(sim_faults(&sim, "429:1"), 0);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err), GW_ETEMP);
	assert_int_equal(ra, 1000);     /* Retry-After: 1 */
	assert_int_equal(sim_faults(&sim, "503:1"), 0);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err), GW_ETEMP);
	assert_int_equal(sim_faults(&sim, "500:1"), 0);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ETEMP);
	assert_int_equal(sim_faults(&sim, ""), 0);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err), GW_OK);
	assert_int_equal(wait_result(c, id, &r), GW_OK);
	/* A cut or garbled answer is retried, never read as a result. */
	assert_int_equal(sim_faults(&sim, "trunc:1"), 0);
	assert_int_equal(dimona_rest_poll(c, id, &r, err, sizeof err), GW_ETEMP);
	assert_int_equal(sim_faults(&sim, "malformed:1"), 0);
	assert_int_equal(dimona_rest_poll(c, id, &r, err, sizeof err), GW_ETEMP);
	assert_int_equal(sim_faults(&sim, ""), 0);
	assert_int_equal(dimona_rest_poll(c, id, &r, err, sizeof err), GW_OK);
	assert_int_equal(r.status, 'A');
	/* A 400 is permanent. */
	assert_int_equal(dimona_rest_submit(c, "{\"x\":1}", 7, id, sizeof id, &ra, err, sizeof err), GW_EPERM);
	free(js);
	dimona_rest_close(c);
}

static void
test_tls_always_verified(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512];
	/* Trusting another CA: the simulator's certificate is refused. */
	sim_configure(&sim, "certs/out/onss/ca.crt.pem");
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ETEMP);
	dimona_rest_close(c);
	/* A refused assertion (unknown client id) is temporary: the message
	 * waits for the configuration to be fixed instead of failing. */
	sim_configure(&sim, NULL);
	config_set(gw_cfg, "dimona.client_id", "self_service_expeditor_unknown");
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ETEMP);
	assert_non_null(strstr(err, "400"));
	dimona_rest_close(c);
	/* Plain http is refused at open. */
	config_set(gw_cfg, "dimona.base_url", "http://localhost:1/REST/dimona/v2");
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_ECONFIG);
	sim_configure(&sim, NULL);
}

/* The simulator's ledger survives kill -9: answers given before are served
 * again, declarations received but not processed are processed after the
 * restart, and nothing is there twice. */
static void
test_sim_ledger_survives_kill(void **state)
{
	(void)state;
	struct simproc k;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512], ids[20][32], ledger[300];
	long ra;
	static const char *const slow[] = { "--process-ms", "1500", NULL };
	memset(&k, 0, sizeof k);
	assert_int_equal(sim_start(&k, slow), 0);
	sim_configure(&k, NULL);
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	for (int i = 0; i < 20; i++) {
		struct contract x = contract("OTH", 20260601 + i);
		struct dimona_decl d;
		dimona_decl_from_contract(&d, &x);
		char *js = to_json(&d);
		assert_int_equal(dimona_rest_submit(c, js, strlen(js), ids[i], sizeof ids[i], &ra, err, sizeof err), GW_OK);
		free(js);
		if (i == 9) {                    /* the first ten processed, the rest not yet */
			for (int j = 0; j < 10; j++)
				assert_int_equal(wait_result(c, ids[j], &r), GW_OK);
		}
	}
	kill(k.pid, SIGKILL);
	waitpid(k.pid, NULL, 0);
	k.pid = 0;
	dimona_rest_close(c);
	/* Restart on the same ledger (a new port). */
	snprintf(ledger, sizeof ledger, "%s", k.ledger);
	char gw[512], portfile[300], tc[512], tk[512], cc[512];
	const char *g = getenv("GATEWAY");
	snprintf(gw, sizeof gw, "%s", g ? g : "build/gateway");
	snprintf(portfile, sizeof portfile, "%s/port", k.dir);
	unlink(portfile);
	top_path(tc, sizeof tc, "certs/out/tls/server.crt.pem");
	top_path(tk, sizeof tk, "certs/out/tls/server.key.pem");
	top_path(cc, sizeof cc, "certs/out/onss/org.crt.pem");
	k.pid = fork();
	if (k.pid == 0) {
		FILE *f = freopen("/dev/null", "w", stdout);
		(void)f;
		execl(gw, gw, "sim", "onss", "--ledger", ledger, "--port-file", portfile, "--tls-cert", tc,
		    "--tls-key", tk, "--client-cert", cc, "--process-ms", "50", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(portfile, "r");
		if (f && fscanf(f, "%d", &k.port) == 1) {
			fclose(f);
			break;
		}
		if (f)
			fclose(f);
		usleep(25000);
	}
	sim_configure(&k, NULL);
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	char periods[20][DIMONA_PERIOD_ID_MAX + 1];
	for (int i = 0; i < 20; i++) {
		assert_int_equal(wait_result(c, ids[i], &r), GW_OK);
		assert_int_equal(r.status, 'A');
		snprintf(periods[i], sizeof periods[i], "%s", r.period_id);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(periods[i], periods[j]);
	}
	dimona_rest_close(c);
	sim_stop(&k);
}

/* Tokens expire: the API refuses an expired one and the client renews. The
 * clocks are moved ahead instead of waiting for the expiry. */
static void
test_token_expiry(void **state)
{
	(void)state;
	struct simproc k;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512], *body = NULL;
	static const char *const ttl1[] = { "--token-ttl", "3", NULL };
	char advance[] = "advance_s=5";
	memset(&k, 0, sizeof k);
	assert_int_equal(sim_start(&k, ttl1), 0);
	sim_configure(&k, NULL);
	config_set(gw_cfg, "dimona.token_margin_s", "0");
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(sim_http(&k, "GET", "/sim/ledger", NULL, NULL, &body), 200);
	assert_non_null(strstr(body, "\"tokens_issued\":1"));
	free(body);
	/* Expired for the server only: refused with a 401, renewed once. */
	assert_int_equal(sim_http(&k, "POST", "/sim/clock", advance, "application/x-www-form-urlencoded",
	    NULL), 204);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(sim_http(&k, "GET", "/sim/ledger", NULL, NULL, &body), 200);
	assert_non_null(strstr(body, "\"tokens_issued\":2"));
	free(body);
	/* Expired for both: the client renews before using it. */
	assert_int_equal(sim_http(&k, "POST", "/sim/clock", advance, "application/x-www-form-urlencoded",
	    NULL), 204);
	clock_pin(clock_now_ms() + 5000, false);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(sim_http(&k, "GET", "/sim/ledger", NULL, NULL, &body), 200);
	assert_non_null(strstr(body, "\"tokens_issued\":3"));
	free(body);
	clock_unpin();
	/* An unknown bearer token is refused. */
	assert_int_equal(sim_http(&k, "GET", "/REST/dimona/v2/declarations/1", NULL, NULL, NULL), 401);
	dimona_rest_close(c);
	sim_stop(&k);
}

/* A 401 on a cached token (the server forgot it) drops the token, gets a new
 * one and repeats the call once; a 401 even with the fresh token is a
 * permanent error that says so. */
static void
test_401_refreshes_the_token_once(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_result r;
	char err[512];
	long issued = ledger_stat("tokens_issued");
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(ledger_stat("tokens_issued"), issued + 1);
	assert_int_equal(sim_http(&sim, "POST", "/sim/revoke", "", "text/plain", NULL), 204);
	/* The cached token is still within its lifetime: only the 401 tells. */
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(ledger_stat("tokens_issued"), issued + 2);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	assert_int_equal(ledger_stat("tokens_issued"), issued + 2);   /* the new one is kept */
	assert_int_equal(sim_faults(&sim, "401:1"), 0);
	err[0] = '\0';
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_EPERM);
	assert_non_null(strstr(err, "401 even with a fresh token"));
	assert_int_equal(ledger_stat("tokens_issued"), issued + 3);   /* one refresh, no loop */
	assert_int_equal(sim_faults(&sim, ""), 0);
	assert_int_equal(dimona_rest_poll(c, "1", &r, err, sizeof err), GW_ENOTFOUND);
	dimona_rest_close(c);
}

/* A 429 carries Retry-After; the client hands it to the scheduler in ms. */
static void
test_retry_after_reaches_the_caller(void **state)
{
	(void)state;
	struct dimona_rest *c;
	struct dimona_decl d;
	char err[512], id[32], *js;
	long ra = 0;
	struct contract k = contract("OTH", 20260310);
	dimona_decl_from_contract(&d, &k);
	js = to_json(&d);
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	assert_int_equal(sim_faults(&sim, "429:1"), 0);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err),
	    GW_ETEMP);
	assert_int_equal(ra, 1000);
	assert_int_equal(sim_faults(&sim, "503:1"), 0);
	assert_int_equal(dimona_rest_submit(c, js, strlen(js), id, sizeof id, &ra, err, sizeof err),
	    GW_ETEMP);
	assert_int_equal(ra, -1);                                     /* none given */
	assert_int_equal(sim_faults(&sim, ""), 0);
	free(js);
	dimona_rest_close(c);
}

/* --dump-ledger reads a ledger without serving it. */
static void
test_dump_ledger(void **state)
{
	(void)state;
	char gw[512], cmd[1200], buf[65536], err[512];
	const char *g = getenv("GATEWAY");
	struct dimona_rest *c;
	struct dimona_result r;
	assert_int_equal(dimona_rest_open(&c, err, sizeof err), GW_OK);
	for (int i = 0; i < 3; i++) {
		struct contract k = contract("OTH", 20260310 + i);
		expect_in_answer(c, &k, 'A', NULL);
	}
	struct contract dup = contract("OTH", 20260310);
	expect_in_answer(c, &dup, 'B', "90373-333");
	dimona_rest_close(c);
	(void)r;
	snprintf(gw, sizeof gw, "%s", g ? g : "build/gateway");
	snprintf(cmd, sizeof cmd, "%s sim onss --dump-ledger %s", gw, sim.ledger);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	json_t *j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "periods")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "declarations")), 4);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_poll_delay, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_jwt_roundtrip, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_token_endpoint_checks, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_token_scopes, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_period_lookups, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_declare_cycle, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_waiting_on_identification, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_lookup_after_lost_answer, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_faults_map_to_temporary, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_lookup_untrusted_search, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_tls_always_verified, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_sim_ledger_survives_kill, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_dump_ledger, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_token_expiry, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_401_refreshes_the_token_once, sim_up, sim_down),
		cmocka_unit_test_setup_teardown(test_retry_after_reaches_the_caller, sim_up, sim_down),
	};
	/* Forward, then backward: each test sets up what it needs, so the
	 * order must not matter (it did before each had its own simulator). */
	enum { N = sizeof tests / sizeof tests[0] };
	struct CMUnitTest reversed[N];
	for (size_t i = 0; i < N; i++)
		reversed[i] = tests[N - 1 - i];
	int failed = cmocka_run_group_tests_name("forward", tests, setup, teardown);
	return failed + cmocka_run_group_tests_name("backward", reversed, setup, teardown);
}

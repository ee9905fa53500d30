/*
 * http_server.c - the embedded HTTPS server (http_server.h).
 *
 * libmicrohttpd with one thread per connection: a handler may block (the
 * intake API and the AS4 receiver wait for their group commit), and a
 * blocked pool thread would hold every other connection it polls, so 32
 * clients on a pool of 4 made groups of at most 4 requests. The
 * connection limit bounds the threads. A request's body is gathered up
 * to max_body (a larger one is answered 413 without being kept), then the
 * route is found and the credential checked before the handler runs. The
 * client certificate is checked here, through the TLS session
 * libmicrohttpd hands over (GnuTLS), against the configured CA: the
 * library requests it but leaves the verdict to the application.
 */
#include "service/http_server.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/params.h"
#include "crypto/keyfile.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SESSIONS     64
#define SESSION_MS   (12 * 3600 * 1000LL)

/* A browser that logged in with the token: a random id in a cookie. */
struct session {
	char id[65];
	int64_t expires_ms;
};

struct http_server {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	struct session sessions[SESSIONS];
	const struct http_route *routes;
	size_t nroutes;
	char *cert_pem, *key_pem, *ca_pem;
	char token[256];
	size_t max_body;
	int port;
};

/* One request's body while it arrives. */
struct upload {
	char *buf;
	size_t len, cap;
	int too_large;
};

/* Whole small file into a malloc'd NUL-terminated string; NULL when it
 * cannot be read or is larger than max. */
static char *
slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *b = malloc(max + 1);
	size_t n = b ? fread(b, 1, max, f) : 0;
	int bad = b == NULL || ferror(f) || fgetc(f) != EOF;
	fclose(f);
	if (bad) {
		free(b);
		return NULL;
	}
	b[n] = '\0';
	return b;
}

void
http_server_opts_configured(struct http_server_opts *o)
{
	memset(o, 0, sizeof *o);
	o->listen = param_str(P_HTTP_LISTEN);
	o->port = (int)param_int(P_HTTP_PORT);
	o->cert = param_str(P_HTTP_CERT);
	o->key = param_str(P_HTTP_KEY);
	o->client_ca = param_str(P_HTTP_CLIENT_CA);
	o->token_file = param_str(P_HTTP_TOKEN_FILE);
	o->max_body = (size_t)param_int(P_HTTP_MAX_BODY_KB) * 1024;
	if (o->cert != NULL && o->cert[0] == '\0')
		o->cert = NULL;
	if (o->key != NULL && o->key[0] == '\0')
		o->key = NULL;
	if (o->client_ca != NULL && o->client_ca[0] == '\0')
		o->client_ca = NULL;
	if (o->token_file != NULL && o->token_file[0] == '\0')
		o->token_file = NULL;
}

/* The route for method and path: exact, or the longest prefix ending in
 * '/', or "*" (any path: the SMP's, whose paths are identifiers). */
static const struct http_route *
find_route(const struct http_server *s, const char *method, const char *path, int *method_ok)
{
	const struct http_route *best = NULL;
	size_t best_len = 0;
	*method_ok = 0;
	for (size_t i = 0; i < s->nroutes; i++) {
		const struct http_route *r = &s->routes[i];
		size_t l = strlen(r->path);
		int match = strcmp(path, r->path) == 0 || strcmp(r->path, "*") == 0 ||
		    (l > 1 && r->path[l - 1] == '/' && strncmp(path, r->path, l) == 0);
		if (!match)
			continue;
		if (strcmp(method, r->method) != 0) {
			*method_ok |= 2;        /* the path exists under another method */
			continue;
		}
		if (best == NULL || l > best_len) {
			best = r;
			best_len = l;
		}
	}
	if (best != NULL)
		*method_ok = 1;
	return best;
}

/* The client certificate's CN when it chains to the configured CA. */
static int
client_cert_ok(struct MHD_Connection *c, char *cn, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	gnutls_session_t tls = (gnutls_session_t)ci->tls_session;
	unsigned status = 0;
	if (gnutls_certificate_verify_peers2(tls, &status) != GNUTLS_E_SUCCESS || status != 0)
		return 0;
	unsigned n = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(tls, &n);
	gnutls_x509_crt_t crt;
	if (chain == NULL || n == 0 || gnutls_x509_crt_init(&crt) != GNUTLS_E_SUCCESS)
		return 0;
	size_t len = cap;
	int ok = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) ==
	    GNUTLS_E_SUCCESS;
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/* True when id names a session that has not expired. */
static int
session_live(struct http_server *s, const char *id)
{
	int live = 0;
	int64_t now = clock_now_ms();
	if (strlen(id) != 64)
		return 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < SESSIONS && !live; i++)
		live = s->sessions[i].expires_ms > now &&
		    CRYPTO_memcmp(s->sessions[i].id, id, 64) == 0;
	pthread_mutex_unlock(&s->mu);
	return live;
}

/* A new session (the oldest one gives way); 0 when no randomness. */
static int
session_new(struct http_server *s, char id[65])
{
	unsigned char r[32];
	if (RAND_bytes(r, sizeof r) != 1)
		return 0;
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(id + 2 * i, 3, "%02x", r[i]);
	pthread_mutex_lock(&s->mu);
	size_t oldest = 0;
	for (size_t i = 1; i < SESSIONS; i++)
		if (s->sessions[i].expires_ms < s->sessions[oldest].expires_ms)
			oldest = i;
	memcpy(s->sessions[oldest].id, id, 65);
	s->sessions[oldest].expires_ms = clock_now_ms() + SESSION_MS;
	pthread_mutex_unlock(&s->mu);
	return 1;
}

/* Which credential the request carries: "token", "cert:<CN>", or NULL. */
static const char *
credential(struct http_server *s, struct MHD_Connection *c, char *who, size_t cap)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	size_t tl = strlen(s->token);
	if (tl > 0 && auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
	    strlen(auth + 7) == tl && CRYPTO_memcmp(auth + 7, s->token, tl) == 0) {
		snprintf(who, cap, "token");
		return who;
	}
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "gw_session");
	if (cookie != NULL && session_live(s, cookie)) {
		snprintf(who, cap, "session");
		return who;
	}
	char cn[128];
	if (s->ca_pem != NULL && client_cert_ok(c, cn, sizeof cn)) {
		snprintf(who, cap, "cert:%s", cn);
		return who;
	}
	return NULL;
}

/* Queue the response and release it. */
static enum MHD_Result
send_response(struct MHD_Connection *c, struct http_response *rs, int www_auth,
              const char *location, const char *cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(rs->len, rs->body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(rs->body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", rs->content_type ? rs->content_type
	    : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (www_auth)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"gateway\"");
	if (location != NULL)
		MHD_add_response_header(r, "Location", location);
	if (rs->retry_after_s > 0) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", rs->retry_after_s);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	if (cookie != NULL)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)(rs->status ? rs->status : 200), r);
	MHD_destroy_response(r);
	return ret;
}

/* Gather the body; 1 while more is to come. */
static int
gather(struct upload *u, const char *data, size_t *size, size_t max)
{
	if (*size == 0)
		return 0;
	if (!u->too_large && u->len + *size > max)
		u->too_large = 1;
	if (!u->too_large) {
		if (u->len + *size + 1 > u->cap) {
			size_t cap = (u->len + *size + 1) * 2;
			char *b = realloc(u->buf, cap > max + 1 ? max + 1 : cap);
			if (b == NULL) {
				u->too_large = 1;
				*size = 0;
				return 1;
			}
			u->buf = b;
			u->cap = cap > max + 1 ? max + 1 : cap;
		}
		memcpy(u->buf + u->len, data, *size);
		u->len += *size;
		u->buf[u->len] = '\0';
	}
	*size = 0;
	return 1;
}

/* A browser asking for a page (GET, Accept: text/html). */
static int
wants_html(struct MHD_Connection *c, const char *method)
{
	const char *acc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	return strcmp(method, "GET") == 0 && acc != NULL && strstr(acc, "text/html") != NULL;
}

/* The token of a login: ?token= or a form's token=... body. */
static const char *
login_token(struct MHD_Connection *c, const struct upload *u, char *buf, size_t cap)
{
	const char *t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (t != NULL || u->buf == NULL || strncmp(u->buf, "token=", 6) != 0)
		return t;
	snprintf(buf, cap, "%s", u->buf + 6);
	buf[strcspn(buf, "&\r\n")] = '\0';
	MHD_http_unescape(buf);
	return buf;
}

/* /login: the token (from a form, or once in a link as `gateway serve`
 * prints it) buys a browser a session cookie, then back to the dashboard. */
static enum MHD_Result
login(struct http_server *s, struct MHD_Connection *c, const struct upload *u)
{
	struct http_response rs = { 0 };
	char buf[300], id[65], cookie[200];
	const char *t = login_token(c, u, buf, sizeof buf);
	size_t tl = strlen(s->token);
	if (t != NULL && tl > 0 && strlen(t) == tl && CRYPTO_memcmp(t, s->token, tl) == 0 &&
	    session_new(s, id)) {
		snprintf(cookie, sizeof cookie, "gw_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
		    id, s->cert_pem ? "; Secure" : "");
		/* Back where the link says, on this server only (never "//host"). */
		const char *next = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next");
		if (next == NULL || next[0] != '/' || next[1] == '/' || strpbrk(next, "\\\r\n"))
			next = "/";
		http_reply(&rs, 303, NULL, "logged in\n");
		return send_response(c, &rs, 0, next, cookie);
	}
	http_reply(&rs, t != NULL ? 401 : 200, "text/html; charset=utf-8",
	    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Gateway: log in</title>"
	    "</head><body><h1>Gateway</h1><form method=\"post\" action=\"/login\"><label>Token "
	    "<input type=\"password\" name=\"token\" autocomplete=\"off\"></label> <button>"
	    "Log in</button></form></body></html>\n");
	if (t != NULL)
		http_printf(&rs, "<p>wrong token</p>\n");
	return send_response(c, &rs, 0, NULL, NULL);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *data, size_t *size, void **con_cls)
{
	struct http_server *s = cls;
	struct upload *u = *con_cls;
	if (u == NULL) {
		if ((u = calloc(1, sizeof *u)) == NULL)
			return MHD_NO;
		*con_cls = u;
		return MHD_YES;
	}
	if (gather(u, data, size, s->max_body))
		return MHD_YES;
	if (strcmp(url, "/login") == 0 && !u->too_large)
		return login(s, c, u);
	struct http_response rs = { 0 };
	int method_ok = 0, www = 0;
	const struct http_route *r = find_route(s, method, url, &method_ok);
	char who[160] = "";
	if (u->too_large) {
		http_printf(&rs, "request body larger than %zu bytes ([http] max_body_kb)\n",
		    s->max_body);
		rs.status = 413;
	} else if (r == NULL) {
		http_printf(&rs, method_ok & 2 ? "method %s not allowed here\n" : "no such page: %s\n",
		    method_ok & 2 ? method : url);
		rs.status = method_ok & 2 ? 405 : 404;
	} else if (!r->open && credential(s, c, who, sizeof who) == NULL && wants_html(c, method) &&
	    s->token[0] != '\0') {
		/* A person's browser: to the login form rather than a bare 401. */
		http_reply(&rs, 303, NULL, "log in first\n");
		return send_response(c, &rs, 0, "/login", NULL);
	} else if (!r->open && who[0] == '\0') {
		www = 1;
		rs.status = 401;
		http_printf(&rs, s->token[0] == '\0' && s->ca_pem == NULL
		    ? "no credential is configured: set [http] token_file or [http] client_ca\n"
		    : "a bearer token or a client certificate is required\n");
	} else {
		struct http_request rq = { method, url, u->buf ? u->buf : "", u->len, who, c };
		r->fn(r->ctx, &rq, &rs);
	}
	return send_response(c, &rs, www, NULL, NULL);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;
	if (u != NULL) {
		free(u->buf);
		free(u);
	}
	*con_cls = NULL;
}

/* Read the credentials and TLS files named by o into s. */
static gw_rc
load_files(struct http_server *s, const struct http_server_opts *o, char *err, size_t cap)
{
	if (o->token_file != NULL) {
		if (keyfile_check(o->token_file, "HTTP bearer token", err, cap) != GW_OK)
			return GW_ECONFIG;
		char *t = slurp(o->token_file, sizeof s->token - 1);
		size_t n = t ? strcspn(t, "\r\n") : 0;
		if (t == NULL || n < 24) {
			snprintf(err, cap, "%s: %s", o->token_file, t == NULL ? "cannot read it"
			    : "the token must be at least 24 characters on its first line");
			free(t);
			return GW_ECONFIG;
		}
		memcpy(s->token, t, n);
		s->token[n] = '\0';
		OPENSSL_cleanse(t, strlen(t));
		free(t);
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		snprintf(err, cap, "[http] cert and key go together");
		return GW_ECONFIG;
	}
	if (o->cert != NULL) {
		if (keyfile_check(o->key, "HTTPS server key", err, cap) != GW_OK)
			return GW_ECONFIG;
		s->cert_pem = slurp(o->cert, 1 << 20);
		s->key_pem = slurp(o->key, 1 << 20);
		if (s->cert_pem == NULL || s->key_pem == NULL) {
			snprintf(err, cap, "cannot read %s", s->cert_pem == NULL ? o->cert : o->key);
			return GW_ECONFIG;
		}
	}
	if (o->client_ca != NULL) {
		if (o->cert == NULL) {
			snprintf(err, cap, "[http] client_ca needs TLS: set [http] cert and key");
			return GW_ECONFIG;
		}
		if ((s->ca_pem = slurp(o->client_ca, 1 << 20)) == NULL) {
			snprintf(err, cap, "cannot read %s", o->client_ca);
			return GW_ECONFIG;
		}
	}
	return GW_OK;
}

/* The listening address; plain HTTP only on loopback. */
static gw_rc
bind_addr(const struct http_server_opts *o, struct sockaddr_in *sa, char *err, size_t cap)
{
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->listen ? o->listen : "127.0.0.1", &sa->sin_addr) != 1) {
		snprintf(err, cap, "[http] listen: %s is not an IPv4 address", o->listen);
		return GW_ECONFIG;
	}
	if (o->cert == NULL && (ntohl(sa->sin_addr.s_addr) >> 24) != 127) {
		snprintf(err, cap, "[http] listen %s without TLS: set [http] cert and key, or listen"
		    " on 127.0.0.1 only", o->listen);
		return GW_ECONFIG;
	}
	return GW_OK;
}

gw_rc
http_server_start(struct http_server **out, const struct http_server_opts *o,
                  const struct http_route *routes, size_t n, char *err, size_t errcap)
{
	struct sockaddr_in sa;
	struct http_server *s = calloc(1, sizeof *s);
	*out = NULL;
	if (s == NULL) {
		snprintf(err, errcap, "out of memory");
		return GW_ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->routes = routes;
	s->nroutes = n;
	s->max_body = o->max_body ? o->max_body : 16u << 20;
	if (load_files(s, o, err, errcap) != GW_OK || bind_addr(o, &sa, err, errcap) != GW_OK) {
		http_server_stop(s);
		return GW_ECONFIG;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_ERROR_LOG |
	    (s->cert_pem ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls[] = {
		{ s->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem },
		{ s->ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, s->ca_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errcap, "cannot listen on %s:%d", o->listen ? o->listen : "127.0.0.1",
		    o->port);
		http_server_stop(s);
		return GW_ECONFIG;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	*out = s;
	return GW_OK;
}

int
http_server_port(const struct http_server *s)
{
	return s->port;
}

void
http_server_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	if (s->key_pem != NULL)
		OPENSSL_cleanse(s->key_pem, strlen(s->key_pem));
	OPENSSL_cleanse(s->token, sizeof s->token);
	OPENSSL_cleanse(s->sessions, sizeof s->sessions);
	pthread_mutex_destroy(&s->mu);
	free(s->cert_pem);
	free(s->key_pem);
	free(s->ca_pem);
	free(s);
}

const char *
http_header(const struct http_request *rq, const char *name)
{
	return rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *
http_query(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Append n bytes to the body. */
static void
put(struct http_response *rs, const char *p, size_t n)
{
	char *b = realloc(rs->body, rs->len + n + 1);
	if (b == NULL)
		return;         /* the page comes out short rather than not at all */
	memcpy(b + rs->len, p, n);
	rs->len += n;
	b[rs->len] = '\0';
	rs->body = b;
}

void
http_reply(struct http_response *rs, int status, const char *type, const char *text)
{
	free(rs->body);
	rs->body = NULL;
	rs->len = 0;
	rs->status = status;
	rs->content_type = type;
	put(rs, text, strlen(text));
}

void
http_printf(struct http_response *rs, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		put(rs, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (big == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	put(rs, big, (size_t)n);
	free(big);
}

void
http_put_html(struct http_response *rs, const char *text)
{
	for (const char *p = text; p != NULL && *p; p++) {
		size_t run = strcspn(p, "&<>\"'");
		put(rs, p, run);
		p += run;
		if (*p == '\0')
			break;
		const char *e = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;"
		    : *p == '"' ? "&quot;" : "&#39;";
		put(rs, e, strlen(e));
	}
}

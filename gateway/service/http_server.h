/*
 * http_server.h - the gateway's embedded HTTPS server (libmicrohttpd):
 * routes, request bodies, authentication. The dashboard, the metrics, the
 * health check and the intake API are its routes; the Peppol AS4 endpoint
 * will be one too.
 *
 * TLS is required unless the server listens on loopback only. A route is
 * open (the health check) or needs one of two credentials from the
 * configuration: a bearer token ([http] token_file) or a client
 * certificate that chains to [http] client_ca. With neither configured,
 * only open routes answer; the others say how to configure one (401).
 */
#ifndef GW_SERVICE_HTTP_SERVER_H
#define GW_SERVICE_HTTP_SERVER_H

#include <stddef.h>
#include "core/err.h"

struct http_request {
	const char *method;             /* "GET", "POST" */
	const char *path;               /* without the query string */
	const char *body;               /* NUL-terminated copy, or "" */
	size_t body_len;
	const char *who;                /* "token", "cert:<CN>", or "" on an open route */
	void *conn;                     /* for http_query() */
};

struct http_response {
	int status;                     /* 200 when left 0 */
	const char *content_type;       /* static string; "text/plain" when NULL */
	char *body;                     /* malloc'd; the server frees it */
	size_t len;
	int retry_after_s;              /* > 0: a Retry-After header */
};

typedef void (*http_handler)(void *ctx, const struct http_request *rq, struct http_response *rs);

struct http_route {
	const char *method;             /* "GET", "POST" */
	const char *path;               /* "/healthz", a prefix ending in '/', or "*" (any) */
	int open;                       /* 1: no credential needed */
	http_handler fn;
	void *ctx;
};

struct http_server_opts {
	const char *listen;             /* address, "127.0.0.1" */
	int port;                       /* 0: any free port (http_server_port) */
	const char *cert, *key;         /* PEM files; NULL: plain HTTP, loopback only */
	const char *client_ca;          /* PEM file, or NULL */
	const char *token_file;         /* first line is the bearer token, or NULL */
	size_t max_body;                /* bytes; a larger request body is refused (413) */
};

struct http_server;

/* Options from the configuration ([http] keys). */
void http_server_opts_configured(struct http_server_opts *o);
/* Start serving routes (kept by pointer: they must outlive the server).
 * GW_ECONFIG with err saying which setting is wrong. */
gw_rc http_server_start(struct http_server **s, const struct http_server_opts *o,
                        const struct http_route *routes, size_t n, char *err, size_t errcap);
int http_server_port(const struct http_server *s);
void http_server_stop(struct http_server *s);

/* A request header (case-insensitive name), or NULL. */
const char *http_header(const struct http_request *rq, const char *name);
/* A query argument of the request, or NULL. */
const char *http_query(const struct http_request *rq, const char *name);
/* Set the response: a copy of text, with its type. */
void http_reply(struct http_response *rs, int status, const char *type, const char *text);
/* printf into the response body (appends). */
void http_printf(struct http_response *rs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Text with &<>"' escaped for HTML, appended to the body. */
void http_put_html(struct http_response *rs, const char *text);

#endif

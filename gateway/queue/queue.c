/*
 * queue/queue.c - what every queue backend shares: opening the configured
 * backend, freeing messages, stable ids, hashes, the free-space check.
 *
 * Owns nothing persistent. Must never name a backend's storage details
 * beyond choosing the backend by configuration.
 */
#include "queue/queue.h"
#include "core/params.h"
#include "core/config.h"
#include "core/clock.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

/* Append n bytes of s to buf (cap) at *at, truncating. */
static void
put(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
	while (n-- > 0 && *at + 1 < cap)
		buf[(*at)++] = *s++;
	buf[*at] = '\0';
}

/* Whether p (inside dsn) starts a "password=" parameter: at the start, or
 * after the '?', '&' or blank that separates parameters. */
static int
password_param(const char *dsn, const char *p)
{
	return strncmp(p, "password=", 9) == 0 &&
	    (p == dsn || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ' || p[-1] == '\t');
}

const char *
queue_dsn_shown(const char *dsn, char *buf, size_t cap)
{
	size_t at = 0;
	buf[0] = '\0';
	if (dsn == NULL)
		return buf;
	/* The userinfo of a URI: its password runs from the first ':' after
	 * "://" to the last '@' before the query (a careless '@' or '/' in the
	 * password is masked too, never shown). */
	const char *p = dsn, *scheme = strstr(dsn, "://");
	if (scheme != NULL) {
		const char *user = scheme + 3, *q = strchr(user, '?'), *a = NULL;
		for (const char *c = user; *c && (q == NULL || c < q); c++)
			if (*c == '@')
				a = c;
		const char *colon = a ? memchr(user, ':', (size_t)(a - user)) : NULL;
		if (colon != NULL) {
			put(buf, cap, &at, dsn, (size_t)(colon + 1 - dsn));
			put(buf, cap, &at, "***", 3);
			p = a;
		}
	}
	/* password=VALUE parameters (URI query or key=value form). */
	while (*p) {
		if (password_param(dsn, p)) {
			put(buf, cap, &at, "password=***", 12);
			p += 9;
			if (*p == '\'') {      /* a quoted value: up to its closing quote */
				for (p++; *p && *p != '\''; p += p[0] == '\\' && p[1] ? 2 : 1)
					;
				p += *p == '\'';
			} else {
				p += strcspn(p, "& \t");
			}
			continue;
		}
		put(buf, cap, &at, p, 1);
		p++;
	}
	return buf;
}

/* Open the queue named by [queue] dsn (sqlite:PATH, a bare PATH, or
 * postgresql://...), or by the older [queue] backend + dsn pair. */
gw_rc
queue_open_configured(struct queue **q, char *errbuf, size_t errcap)
{
	const char *backend = param_str(P_QUEUE_BACKEND);
	const char *dsn = param_str(P_QUEUE_DSN);
	int pg_dsn = strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0;
	if (pg_dsn || strcmp(backend, "postgresql") == 0 || strcmp(backend, "postgres") == 0) {
		if (!pg_dsn) {
			char shown[512];
			snprintf(errbuf, errcap, "[queue] backend '%s' needs [queue] dsn ="
			    " postgresql://user@host/db (got '%s')", backend,
			    queue_dsn_shown(dsn, shown, sizeof shown));
			return GW_ECONFIG;
		}
		return queue_postgres_ops.open(q, dsn, errbuf, errcap);
	}
	if (strcmp(backend, "sqlite") == 0)
		return queue_sqlite_ops.open(q, dsn, errbuf, errcap);
	snprintf(errbuf, errcap, "[queue] backend '%s' is not available (sqlite, postgresql)", backend);
	return GW_ECONFIG;
}

/* Free the heap parts of a message (body, payload); the struct stays. */
void
queue_msg_free(struct queue_msg *m)
{
	if (m == NULL)
		return;
	free(m->body);
	free(m->payload);
	m->body = NULL;
	m->payload = NULL;
	m->body_len = 0;
}

/* Wall-clock unix time in ms. */
int64_t
queue_now_ms(void)
{
	return clock_now_ms();
}

/* Hex SHA-256 of a buffer. */
void
queue_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hx[] = "0123456789abcdef";
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		memset(out, '0', 64);
		out[64] = '\0';
		return;
	}
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = '\0';
}

/* "m" + 24 hex digits of SHA-256(record_id NUL revision NUL kind): stable under replay. */
void
queue_make_id(char out[QUEUE_ID_MAX + 1], const char *record_id, uint32_t revision,
              const char *kind)
{
	char buf[256], hex[65];
	int n = snprintf(buf, sizeof buf, "%s%c%u%c%s", record_id, 0, revision, 0, kind);
	if (n < 0 || (size_t)n >= sizeof buf)
		n = (int)sizeof buf - 1;
	queue_sha256_hex(buf, (size_t)n, hex);
	snprintf(out, QUEUE_ID_MAX + 1, "m%.24s", hex);
}

/* Refuse (GW_ETEMP) when the queue's file system is nearly full. */
gw_rc
queue_space_check(const char *path, char *errbuf, size_t errcap)
{
	struct statvfs sv;
	int64_t min_mb = param_int(P_QUEUE_MIN_FREE_MB);
	char dir[1024];
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (min_mb <= 0)
		return GW_OK;
	if (statvfs(dir, &sv) != 0) {
		snprintf(errbuf, errcap, "cannot check free space of %s", dir);
		return GW_ETEMP;
	}
	unsigned long long avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail < (unsigned long long)min_mb * 1024ull * 1024ull) {
		snprintf(errbuf, errcap, "disk nearly full: %llu MB free in %s, need %lld MB"
		    " ([queue] min_free_mb); intake refused, try again later",
		    avail / (1024ull * 1024ull), dir, (long long)min_mb);
		return GW_ETEMP;
	}
	return GW_OK;
}

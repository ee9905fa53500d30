/*
 * mime.c - the MIME multipart/related packaging of an AS4 message (SwA).
 *
 * Reads what arrives or was captured: optional HTTP headers (a start line,
 * then header lines), a chunked body (decoded into a copy), then either a
 * multipart/related body or a bare SOAP envelope. Parts point into the
 * bytes; nothing is decoded further (the profile sends binary parts).
 * Every length is bounded by the input: no part is read past the end.
 */
#include "peppol/as4/as4_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The end of the header block at p (after the blank line), or NULL. */
static const unsigned char *
headers_end(const unsigned char *p, const unsigned char *end)
{
	for (const unsigned char *q = p; q < end; q++) {
		if (q + 1 < end && q[0] == '\n' && q[1] == '\n')
			return q + 2;
		if (q + 3 < end && q[0] == '\r' && q[1] == '\n' && q[2] == '\r' && q[3] == '\n')
			return q + 4;
	}
	return NULL;
}

/* The value of header name in the block [p, end), into buf. */
static int
header(const unsigned char *p, const unsigned char *end, const char *name, char *buf, size_t cap)
{
	size_t nl = strlen(name);
	buf[0] = '\0';
	while (p < end) {
		const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && strncasecmp((const char *)p, name, nl) == 0 && p[nl] == ':') {
			const unsigned char *v = p + nl + 1, *ve = eol;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			size_t n = (size_t)(ve - v);
			if (n >= cap)
				return 0;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

/* A parameter (boundary="...") of a Content-Type value. */
static int
ct_param(const char *ct, const char *name, char *buf, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *p = strchr(ct, ';'); p != NULL; p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, name, nl) != 0 || q[nl] != '=')
			continue;
		q += nl + 1;
		size_t n = 0;
		if (*q == '"') {
			q++;
			while (q[n] && q[n] != '"')
				n++;
		} else {
			while (q[n] && q[n] != ';' && q[n] != ' ')
				n++;
		}
		if (n == 0 || n >= cap)
			return 0;
		memcpy(buf, q, n);
		buf[n] = '\0';
		return 1;
	}
	return 0;
}

/* Decode a chunked body into a new buffer; 0 when it is not chunked. */
static int
dechunk(const unsigned char *p, size_t len, unsigned char **out, size_t *outlen)
{
	const unsigned char *end = p + len;
	unsigned char *buf = malloc(len + 1);
	size_t n = 0;
	if (buf == NULL)
		return 0;
	while (p < end) {
		size_t sz = 0;
		int digits = 0;
		while (p < end && isxdigit(*p)) {
			int d = isdigit(*p) ? *p - '0' : (tolower(*p) - 'a' + 10);
			if (sz > len)
				goto no;
			sz = sz * 16 + (size_t)d;
			p++;
			digits++;
		}
		if (!digits)
			goto no;
		while (p < end && *p != '\n')
			p++;   /* chunk extensions, CR */
		if (p >= end)
			goto no;
		p++;
		if (sz == 0) {
			*out = buf;
			*outlen = n;
			return 1;
		}
		if ((size_t)(end - p) < sz)
			goto no;
		memcpy(buf + n, p, sz);
		n += sz;
		p += sz;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
no:
	free(buf);
	return 0;
}

/* The next "--boundary" at a line start in [p, end). */
static const unsigned char *
find_boundary(const unsigned char *start, const unsigned char *p, const unsigned char *end,
              const char *bd, size_t bl)
{
	while (p + bl + 2 <= end) {
		const unsigned char *q = memmem(p, (size_t)(end - p), "--", 2);
		if (q == NULL || q + 2 + bl > end)
			return NULL;
		if ((q == start || q[-1] == '\n') && memcmp(q + 2, bd, bl) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static gw_rc
split_multipart(const unsigned char *body, size_t len, const char *bd, struct mime_msg *m,
                char *why, size_t whycap)
{
	const unsigned char *end = body + len;
	size_t bl = strlen(bd);
	const unsigned char *b = find_boundary(body, body, end, bd, bl);
	if (b == NULL) {
		snprintf(why, whycap, "MIME: boundary \"%s\" not found", bd);
		return GW_EINPUT;
	}
	for (;;) {
		const unsigned char *p = b + 2 + bl;
		if (p + 2 <= end && p[0] == '-' && p[1] == '-')
			break;   /* the closing delimiter */
		while (p < end && *p != '\n')
			p++;
		if (p >= end) {
			snprintf(why, whycap, "MIME: part %d has no headers", m->n + 1);
			return GW_EINPUT;
		}
		/* From the boundary line's own end, so that a part without headers
		 * (a blank line right away) is found too. */
		const unsigned char *eol = (p > body && p[-1] == '\r') ? p - 1 : p;
		p++;
		const unsigned char *hend = headers_end(eol, end);
		if (hend == NULL) {
			snprintf(why, whycap, "MIME: part %d headers do not end", m->n + 1);
			return GW_EINPUT;
		}
		const unsigned char *next = find_boundary(body, hend, end, bd, bl);
		if (next == NULL) {
			snprintf(why, whycap, "MIME: part %d is not closed by the boundary", m->n + 1);
			return GW_EINPUT;
		}
		if (m->n == MIME_MAX_PARTS) {
			snprintf(why, whycap, "MIME: more than %d parts", MIME_MAX_PARTS);
			return GW_EINPUT;
		}
		struct mime_part *pt = &m->part[m->n++];
		const unsigned char *bend = next;
		if (bend > hend && bend[-1] == '\n')
			bend--;
		if (bend > hend && bend[-1] == '\r')
			bend--;
		pt->body = hend;
		pt->len = (size_t)(bend - hend);
		char v[256];
		if (header(p, hend, "Content-ID", v, sizeof v)) {
			char *s = v;
			size_t n = strlen(s);
			if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
				s[n - 1] = '\0';
				s++;
			}
			as4_copy(pt->content_id, sizeof pt->content_id, s);
		}
		header(p, hend, "Content-Type", pt->content_type, sizeof pt->content_type);
		pt->has_disposition = header(p, hend, "Content-Disposition", v, sizeof v);
		b = next;
	}
	if (m->n == 0) {
		snprintf(why, whycap, "MIME: no parts");
		return GW_EINPUT;
	}
	return GW_OK;
}

gw_rc
mime_split(const char *content_type, const unsigned char *bytes, size_t len, struct mime_msg *m,
           char *why, size_t whycap)
{
	const unsigned char *p = bytes, *end = bytes + len;
	char ct[512] = "", te[64] = "";

	memset(m, 0, sizeof *m);
	if (len > AS4_MAX_BYTES) {
		snprintf(why, whycap, "message of %zu bytes is over the %u-byte limit", len, AS4_MAX_BYTES);
		return GW_EINPUT;
	}
	if (content_type != NULL) {
		if (!as4_copy(ct, sizeof ct, content_type)) {
			snprintf(why, whycap, "Content-Type header too long");
			return GW_EINPUT;
		}
	} else {
		const unsigned char *s = p;
		while (s < end && (*s == ' ' || *s == '\r' || *s == '\n' || *s == '\t'))
			s++;
		if (s < end && *s != '<') {
			/* Headers first: an HTTP capture or a MIME message with its headers. */
			const unsigned char *hend = headers_end(p, end);
			if (hend == NULL) {
				snprintf(why, whycap, "neither headers nor an XML envelope");
				return GW_EINPUT;
			}
			header(p, hend, "Content-Type", ct, sizeof ct);
			header(p, hend, "Transfer-Encoding", te, sizeof te);
			p = hend;
		}
	}
	size_t blen = (size_t)(end - p);
	if (strcasecmp(te, "chunked") == 0) {
		unsigned char *d = NULL;
		size_t dl = 0;
		/* Captures often keep the header but hold the decoded body. */
		if (dechunk(p, blen, &d, &dl)) {
			m->owned = d;
			p = d;
			blen = dl;
		}
	}
	if (strncasecmp(ct, "multipart/related", 17) == 0) {
		char bd[128];
		if (!ct_param(ct, "boundary", bd, sizeof bd)) {
			snprintf(why, whycap, "Content-Type multipart/related without a boundary");
			mime_free(m);   /* the dechunked copy, when there is one */
			return GW_EINPUT;
		}
		gw_rc rc = split_multipart(p, blen, bd, m, why, whycap);
		if (rc != GW_OK)
			mime_free(m);
		return rc;
	}
	while (blen > 0 && (*p == ' ' || *p == '\r' || *p == '\n' || *p == '\t')) {
		p++;
		blen--;
	}
	m->part[0].body = p;
	m->part[0].len = blen;
	as4_copy(m->part[0].content_type, sizeof m->part[0].content_type,
	         ct[0] ? ct : "application/soap+xml");
	m->n = 1;
	return GW_OK;
}

void
mime_free(struct mime_msg *m)
{
	free(m->owned);
	m->owned = NULL;
}

/*
 * util.c - the small helpers of peppol/as4/: buffer, base64, ids, XML
 * look-ups, gzip, SOAP envelope reading.
 *
 * Nothing here knows the ebMS vocabulary beyond the envelope's three parts.
 */
#include "peppol/as4/as4_int.h"
#include "core/clock.h"
#include "core/xml_safe.h"
#include "core/xml_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

void
abuf_add(struct abuf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, len);
	b->n += len;
	b->p[b->n] = '\0';
}

void
abuf_str(struct abuf *b, const char *s)
{
	abuf_add(b, s, strlen(s));
}

void
abuf_printf(struct abuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	char *tmp = malloc((size_t)n + 1);
	if (tmp == NULL) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	va_end(ap);
	abuf_add(b, tmp, (size_t)n);
	free(tmp);
}

void
abuf_xml(struct abuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': abuf_str(b, "&amp;"); break;
		case '<': abuf_str(b, "&lt;"); break;
		case '>': abuf_str(b, "&gt;"); break;
		case '"': abuf_str(b, "&quot;"); break;
		default: abuf_add(b, s, 1);
		}
	}
}

char *
b64_encode(const unsigned char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

unsigned char *
b64_decode(const char *s, size_t *outlen)
{
	size_t n = strlen(s), k = 0, pad = 0;
	char *clean = malloc(n + 1);
	if (clean == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		clean[k++] = c;
	}
	clean[k] = '\0';
	if (k == 0 || k % 4 != 0) {
		free(clean);
		return NULL;
	}
	if (clean[k - 1] == '=')
		pad++;
	if (clean[k - 2] == '=')
		pad++;
	unsigned char *out = malloc(k / 4 * 3 + 1);
	if (out == NULL) {
		free(clean);
		return NULL;
	}
	int m = EVP_DecodeBlock(out, (unsigned char *)clean, (int)k);
	free(clean);
	if (m < 0 || (size_t)m < pad) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)m - pad;
	return out;
}

void
as4_uuid(char *buf, size_t cap)
{
	unsigned char r[16];
	if (RAND_bytes(r, sizeof r) != 1)
		memset(r, 0, sizeof r);   /* never reached in practice; ids stay well-formed */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(buf, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
	         r[13], r[14], r[15]);
}

void
as4_timestamp(char *buf, size_t cap)
{
	int64_t ms = clock_now_ms();
	struct clock_wall w;
	clock_utc(ms, &w);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", w.day / 10000, w.day / 100 % 100,
	         w.day % 100, w.minutes / 60, w.minutes % 60, w.second, w.millis);
}

int
as4_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap) {
		memcpy(dst, src, cap - 1);
		dst[cap - 1] = '\0';
		return 0;
	}
	memcpy(dst, src, n + 1);
	return 1;
}

static int
x_is(xmlNodePtr n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name) &&
	       n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST ns);
}

xmlNodePtr
x_child(xmlNodePtr n, const char *ns, const char *name)
{
	if (n == NULL)
		return NULL;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (x_is(c, ns, name))
			return c;
	return NULL;
}

int
x_count(xmlNodePtr n, const char *ns, const char *name)
{
	int k = 0;
	if (n == NULL)
		return 0;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (x_is(c, ns, name))
			k++;
	return k;
}

xmlNodePtr
x_next(xmlNodePtr n, const char *ns, const char *name)
{
	for (xmlNodePtr c = n ? n->next : NULL; c; c = c->next)
		if (x_is(c, ns, name))
			return c;
	return NULL;
}

int
x_text(xmlNodePtr n, char *buf, size_t cap)
{
	buf[0] = '\0';
	return n != NULL && xml_node_text(n, buf, cap);     /* no element: no text */
}

int
x_attr(xmlNodePtr n, const char *ns, const char *name, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (n == NULL)
		return 0;
	xmlChar *v = ns ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns) : xmlGetNoNsProp(n, BAD_CAST name);
	if (v == NULL)
		return 0;
	int ok = as4_copy(buf, cap, (const char *)v);
	xmlFree(v);
	if (!ok)
		buf[0] = '\0';
	return ok;
}

xmlChar *
x_id(xmlNodePtr n)
{
	xmlChar *v = xmlGetNsProp(n, BAD_CAST "Id", BAD_CAST NS_WSU);
	if (v == NULL)
		v = xmlGetNoNsProp(n, BAD_CAST "Id");
	return v;
}

gw_rc
gz_compress(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* 16 + MAX_WBITS: a gzip wrapper, as application/gzip says. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return GW_ENOMEM;
	size_t cap = deflateBound(&z, (uLong)len);
	unsigned char *buf = malloc(cap);
	if (buf == NULL) {
		deflateEnd(&z);
		return GW_ENOMEM;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int r = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END) {
		free(buf);
		return GW_EINTERNAL;
	}
	*out = buf;
	return GW_OK;
}

gw_rc
gz_decompress(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen,
              char *why, size_t whycap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return GW_ENOMEM;
	size_t cap = len * 4 + 1024, n = 0;
	unsigned char *buf = malloc(cap);
	gw_rc rc = GW_EINPUT;
	if (buf == NULL) {
		inflateEnd(&z);
		return GW_ENOMEM;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	for (;;) {
		if (n == cap) {
			if (cap >= AS4_MAX_INFLATE) {
				snprintf(why, whycap, "attachment: decompressed size over %u bytes",
				         AS4_MAX_INFLATE);
				goto out;
			}
			unsigned char *p = realloc(buf, cap * 2);
			if (p == NULL) {
				rc = GW_ENOMEM;
				goto out;
			}
			buf = p;
			cap *= 2;
		}
		z.next_out = buf + n;
		z.avail_out = (uInt)(cap - n);
		int r = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
		if (r == Z_STREAM_END)
			break;
		if (r != Z_OK && !(r == Z_BUF_ERROR && z.avail_out == 0)) {
			snprintf(why, whycap, "attachment: not gzip data (%s)", z.msg ? z.msg : "zlib error");
			goto out;
		}
		if (z.avail_in == 0 && z.avail_out != 0) {
			snprintf(why, whycap, "attachment: gzip data ends early");
			goto out;
		}
	}
	if (z.avail_in != 0) {
		snprintf(why, whycap, "attachment: bytes after the gzip data");
		goto out;
	}
	*out = buf;
	*outlen = n;
	buf = NULL;
	rc = GW_OK;
out:
	free(buf);
	inflateEnd(&z);
	return rc;
}

xmlDocPtr
soap_read(const unsigned char *bytes, size_t len, char *why, size_t whycap)
{
	return xml_safe_read_memory(NULL, (const char *)bytes, len, "soap.xml", 0, why, whycap);
}

gw_rc
soap_write(xmlDocPtr doc, unsigned char **out, size_t *len)
{
	xmlChar *mem = NULL;
	int n = 0;
	xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
	if (mem == NULL)
		return GW_ENOMEM;
	*out = malloc((size_t)n + 1);
	if (*out == NULL) {
		xmlFree(mem);
		return GW_ENOMEM;
	}
	memcpy(*out, mem, (size_t)n + 1);
	*len = (size_t)n;
	xmlFree(mem);
	return GW_OK;
}

gw_rc
soap_parts(xmlDocPtr doc, xmlNodePtr *header, xmlNodePtr *messaging, xmlNodePtr *body,
           char *why, size_t whycap)
{
	xmlNodePtr env = xmlDocGetRootElement(doc);
	if (env == NULL || !x_is(env, NS_S12, "Envelope")) {
		snprintf(why, whycap, "not a SOAP 1.2 Envelope");
		return GW_EINPUT;
	}
	/* One Header and one Body: a second one is how signature wrapping hides
	 * an unsigned part beside the signed one. */
	int nh = x_count(env, NS_S12, "Header"), nb = x_count(env, NS_S12, "Body");
	if (nh != 1 || nb != 1) {
		snprintf(why, whycap, "Envelope: expected one Header and one Body, found %d and %d", nh, nb);
		return nh > 1 || nb > 1 ? GW_ECRYPTO : GW_EINPUT;
	}
	*header = x_child(env, NS_S12, "Header");
	*body = x_child(env, NS_S12, "Body");
	int nm = x_count(*header, NS_EB, "Messaging");
	if (nm != 1) {
		snprintf(why, whycap, "Header: expected one eb:Messaging, found %d", nm);
		return nm > 1 ? GW_ECRYPTO : GW_EINPUT;
	}
	*messaging = x_child(*header, NS_EB, "Messaging");
	return GW_OK;
}

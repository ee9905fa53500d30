/*
 * name.c - where a participant's SMP is found and what to ask it: the
 * U-NAPTR owner name in the SML zone, the regexp of the NAPTR answer, and
 * the SMP REST paths with their percent-encoded identifiers. Pure string
 * work (smp.h); the look-ups themselves are the service's.
 */
#include "peppol/smp/smp.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gw_rc
smp_naptr_name(const char *participant, const char *zone, char *buf, size_t cap)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	char low[256];
	size_t n = strlen(participant);
	if (n == 0 || n >= sizeof low || zone[0] == '\0')
		return GW_EINPUT;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)participant[i]);
	unsigned char h[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)low, n, h);
	/* RFC 4648 base32 of the 32 bytes: 52 characters, the padding dropped;
	 * lower case, as DNS names are compared without case anyway. */
	char enc[64];
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < sizeof h; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			enc[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		enc[o++] = b32[(acc << (5 - bits)) & 31];
	enc[o] = '\0';
	int w = snprintf(buf, cap, "%s." SMP_SCHEME_PARTY ".%s", enc, zone);
	return w > 0 && (size_t)w < cap ? GW_OK : GW_EINPUT;
}

gw_rc
smp_naptr_apply(const char *re, char *url, size_t cap, char *why, size_t whycap)
{
	/* RFC 4848 (U-NAPTR) allows only "delim ^.*$ delim URI delim": the whole
	 * input is replaced by the URI. Anything else is refused, not guessed. */
	size_t n = strlen(re);
	char d = re[0];
	if (n < 8 || d == '\0' || isalnum((unsigned char)d) || d == '\\' || re[n - 1] != d ||
	    strncmp(re + 1, "^.*$", 4) != 0 || re[5] != d) {
		snprintf(why, whycap, "NAPTR regexp '%.200s' is not the U-NAPTR form !^.*$!URI!", re);
		return GW_EINPUT;
	}
	size_t ul = n - 7;
	if (memchr(re + 6, d, ul) != NULL || memchr(re + 6, '\\', ul) != NULL) {
		snprintf(why, whycap, "NAPTR regexp '%.200s': the URI carries a delimiter or escape", re);
		return GW_EINPUT;
	}
	if (ul >= cap) {
		snprintf(why, whycap, "NAPTR regexp: the URI is longer than %zu bytes", cap - 1);
		return GW_EINPUT;
	}
	memcpy(url, re + 6, ul);
	url[ul] = '\0';
	if (strncmp(url, "https://", 8) != 0 || ul == 8) {
		snprintf(why, whycap, "NAPTR regexp: SMP URL '%.200s' is not https:// (HTTPS only)", url);
		return GW_EINPUT;
	}
	/* Our paths are appended with their own slash. */
	while (ul > 8 && url[ul - 1] == '/')
		url[--ul] = '\0';
	return GW_OK;
}

/* Append s percent-encoded (RFC 3986 unreserved kept as they are). */
static int
pct(char *buf, size_t cap, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int keep = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
		if (*o + (keep ? 1 : 3) >= cap)
			return 0;
		if (keep)
			buf[(*o)++] = (char)c;
		else {
			buf[(*o)++] = '%';
			buf[(*o)++] = hex[c >> 4];
			buf[(*o)++] = hex[c & 15];
		}
	}
	buf[*o] = '\0';
	return 1;
}

gw_rc
smp_url(const char *base, const char *participant, const char *doctype, char *buf, size_t cap)
{
	int w = snprintf(buf, cap, "%s/", base);
	if (w < 0 || (size_t)w >= cap)
		return GW_EINPUT;
	size_t o = (size_t)w;
	if (!pct(buf, cap, &o, SMP_SCHEME_PARTY "::") || !pct(buf, cap, &o, participant))
		return GW_EINPUT;
	if (doctype == NULL)
		return GW_OK;
	if (o + 10 >= cap)
		return GW_EINPUT;
	memcpy(buf + o, "/services/", 11);
	o += 10;
	if (!pct(buf, cap, &o, SMP_SCHEME_DOC "::") || !pct(buf, cap, &o, doctype))
		return GW_EINPUT;
	return GW_OK;
}

int
smp_unescape(const char *in, size_t len, char *buf, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i];
		if (c == '%') {
			if (i + 2 >= len)
				return 0;
			if (!isxdigit((unsigned char)in[i + 1]) || !isxdigit((unsigned char)in[i + 2]))
				return 0;
			char h[3] = { in[i + 1], in[i + 2], 0 };
			c = (int)strtol(h, NULL, 16);
			i += 2;
		}
		if (c == 0 || o + 1 >= cap)
			return 0;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return 1;
}

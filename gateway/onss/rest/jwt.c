/*
 * jwt.c - RS256 client assertions (see jwt.h).
 *
 * Owns base64url and the JWT layout. Never touches a key file: signing goes
 * through the signer handle, verification gets a public key.
 */
#include "onss/rest/jwt.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

gw_rc
b64url_encode(const unsigned char *in, size_t n, char **out)
{
	char *o = malloc(n / 3 * 4 + 5);
	size_t j = 0, i = 0;
	if (o == NULL)
		return GW_ENOMEM;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		o[j++] = b64u[v >> 18 & 63];
		o[j++] = b64u[v >> 12 & 63];
		o[j++] = b64u[v >> 6 & 63];
		o[j++] = b64u[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		o[j++] = b64u[v >> 18 & 63];
		o[j++] = b64u[v >> 12 & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		o[j++] = b64u[v >> 18 & 63];
		o[j++] = b64u[v >> 12 & 63];
		o[j++] = b64u[v >> 6 & 63];
	}
	o[j] = '\0';
	*out = o;
	return GW_OK;
}

static int
b64u_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

gw_rc
b64url_decode(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
	while (n > 0 && in[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return GW_EINPUT;
	unsigned char *o = malloc(n / 4 * 3 + 3);
	size_t j = 0;
	uint32_t acc = 0;
	int bits = 0;
	if (o == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int v = b64u_val(in[i]);
		if (v < 0) {
			free(o);
			return GW_EINPUT;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[j++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	*out = o;
	*outlen = j;
	return GW_OK;
}

static gw_rc
b64_json(json_t *j, char **out)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	gw_rc rc;
	if (s == NULL)
		return GW_ENOMEM;
	rc = b64url_encode((const unsigned char *)s, strlen(s), out);
	free(s);
	return rc;
}

gw_rc
jwt_client_assertion(const struct gw_signer *s, const char *client_id, const char *aud,
                     int64_t now, int ttl, char **out)
{
	unsigned char rnd[16], *sig = NULL;
	char jti[33], *h = NULL, *p = NULL, *sg = NULL, *input = NULL;
	size_t siglen = 0;
	json_t *hdr = NULL, *pl = NULL;
	gw_rc rc = GW_ENOMEM;

	*out = NULL;
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		return GW_ECRYPTO;
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
	hdr = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
	/* nbf as the production clients send it: the token endpoint may
	 * refuse an assertion without it. */
	pl = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "iss", client_id, "sub", client_id,
	    "aud", aud, "jti", jti, "iat", (json_int_t)now, "nbf", (json_int_t)now,
	    "exp", (json_int_t)(now + ttl));
	if (hdr == NULL || pl == NULL)
		goto out;
	if ((rc = b64_json(hdr, &h)) != GW_OK || (rc = b64_json(pl, &p)) != GW_OK)
		goto out;
	size_t ilen = strlen(h) + 1 + strlen(p);
	if ((input = malloc(ilen + 1)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(input, ilen + 1, "%s.%s", h, p);
	if ((rc = signer_rsa_sha256(s, (const unsigned char *)input, ilen, &sig, &siglen)) != GW_OK)
		goto out;
	if ((rc = b64url_encode(sig, siglen, &sg)) != GW_OK)
		goto out;
	size_t olen = ilen + 1 + strlen(sg) + 1;
	if ((*out = malloc(olen)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(*out, olen, "%s.%s", input, sg);
	rc = GW_OK;
out:
	json_decref(hdr);
	json_decref(pl);
	free(h);
	free(p);
	free(sg);
	free(sig);
	free(input);
	return rc;
}

static json_t *
decode_part(const char *s, size_t n)
{
	unsigned char *raw;
	size_t len;
	json_t *j;
	if (b64url_decode(s, n, &raw, &len) != GW_OK)
		return NULL;
	j = json_loadb((const char *)raw, len, 0, NULL);
	free(raw);
	return j;
}

static void
claim_str(json_t *pl, const char *k, char *dst, size_t cap)
{
	json_t *v = json_object_get(pl, k);
	if (json_is_string(v) && json_string_length(v) < cap)
		memcpy(dst, json_string_value(v), json_string_length(v) + 1);
}

gw_rc
jwt_verify_rs256(const char *token, EVP_PKEY *key, struct jwt_claims *c, char *err, size_t ecap)
{
	const char *d1 = strchr(token, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	json_t *hdr = NULL, *pl = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	EVP_MD_CTX *md = NULL;
	gw_rc rc = GW_ECRYPTO;

	memset(c, 0, sizeof *c);
	if (d1 == NULL || d2 == NULL || strchr(d2 + 1, '.') != NULL) {
		snprintf(err, ecap, "not a compact JWS");
		return GW_EINPUT;
	}
	if ((hdr = decode_part(token, (size_t)(d1 - token))) == NULL ||
	    (pl = decode_part(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL) {
		snprintf(err, ecap, "header or payload is not base64url JSON");
		rc = GW_EINPUT;
		goto out;
	}
	json_t *alg = json_object_get(hdr, "alg");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256") != 0) {
		snprintf(err, ecap, "alg is not RS256");
		goto out;
	}
	if (b64url_decode(d2 + 1, strlen(d2 + 1), &sig, &siglen) != GW_OK) {
		snprintf(err, ecap, "signature is not base64url");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)token, (size_t)(d2 - token)) != 1) {
		snprintf(err, ecap, "signature does not verify with the registered certificate");
		goto out;
	}
	claim_str(pl, "iss", c->iss, sizeof c->iss);
	claim_str(pl, "sub", c->sub, sizeof c->sub);
	claim_str(pl, "aud", c->aud, sizeof c->aud);
	claim_str(pl, "jti", c->jti, sizeof c->jti);
	json_t *iat = json_object_get(pl, "iat"), *exp = json_object_get(pl, "exp");
	if (!json_is_integer(iat) || !json_is_integer(exp)) {
		snprintf(err, ecap, "iat or exp missing");
		goto out;
	}
	c->iat = json_integer_value(iat);
	c->exp = json_integer_value(exp);
	json_t *nbf = json_object_get(pl, "nbf");
	if (json_is_integer(nbf))
		c->nbf = json_integer_value(nbf);
	rc = GW_OK;
out:
	EVP_MD_CTX_free(md);
	free(sig);
	json_decref(hdr);
	json_decref(pl);
	return rc;
}

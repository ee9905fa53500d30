/*
 * jwt.h - the OAuth client assertion: a compact JWT signed RS256.
 *
 * The gateway signs (through crypto/signer.h, which alone holds the key);
 * the ONSS simulator verifies with the registered certificate. Claims:
 * iss = sub = client id (self_service_expeditor_<number>), aud = token
 * URL, jti (random, single use), iat, nbf (= iat), exp.
 */
#ifndef GW_ONSS_REST_JWT_H
#define GW_ONSS_REST_JWT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include "core/err.h"
#include "crypto/signer.h"

/* base64url without padding; out gets a NUL-terminated string. */
gw_rc b64url_encode(const unsigned char *in, size_t n, char **out);
/* Decode base64url (padding optional); *out malloc'd. */
gw_rc b64url_decode(const char *in, size_t n, unsigned char **out, size_t *outlen);

/* Build and sign an assertion valid for ttl seconds from now. *out malloc'd. */
gw_rc jwt_client_assertion(const struct gw_signer *s, const char *client_id, const char *aud,
                           int64_t now, int ttl, char **out);

struct jwt_claims {
	char iss[128], sub[128], aud[256], jti[80];
	int64_t iat, exp;
	int64_t nbf;            /* 0 when the assertion has none */
};

/* Verify an RS256 compact JWT with key: header alg, signature, then parse
 * the claims. Policy (audience, expiry, replay) is the caller's. errbuf says
 * what failed. */
gw_rc jwt_verify_rs256(const char *token, EVP_PKEY *key, struct jwt_claims *c,
                       char *errbuf, size_t errcap);

#endif

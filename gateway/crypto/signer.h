/*
 * signer.h - the organisation's signing identity: certificate + private key.
 *
 * The only module that reads private key files. A key file that group or
 * others can read is refused. Users (CMS for batch files, JWT for the ONSS
 * REST token, WS-Security for AS4) get an opaque handle and sign through it.
 */
#ifndef GW_CRYPTO_SIGNER_H
#define GW_CRYPTO_SIGNER_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "core/err.h"

struct gw_signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;   /* intermediates from the certificate file, may be empty */
	int in_token;            /* the key lives in a PKCS#11 token: one signature at a
	                            time (the engine's session is not shared by threads) */
};

/* Load a PEM certificate (leaf first, then any chain) and its key: a PEM
 * file, or a PKCS#11 URI ("pkcs11:...") naming a key in a token. Errors
 * are written to errbuf, naming the file or the URI (never its PIN). */
gw_rc signer_load(struct gw_signer **out, const char *cert_pem, const char *key_pem,
                  char *errbuf, size_t errcap);
/* Sign data with RSA PKCS#1 v1.5 over SHA-256; *sig is malloc'd. */
gw_rc signer_rsa_sha256(const struct gw_signer *s, const unsigned char *data, size_t len,
                        unsigned char **sig, size_t *siglen);
void signer_free(struct gw_signer *s);

/* Resolve --sign-cert/--sign-key or the configured [signing] cert/key. */
gw_rc signer_from_config(struct gw_signer **out, const char *cert_opt, const char *key_opt,
                         char *errbuf, size_t errcap);

#endif

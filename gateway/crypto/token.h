/*
 * token.h - private keys that live in a token (HSM, smart card, SoftHSM).
 *
 * A key named by a PKCS#11 URI (RFC 7512: "pkcs11:token=...;object=...")
 * instead of a file is loaded through OpenSSL's pkcs11 engine (Debian
 * libengine-pkcs11-openssl, libp11): the key never leaves the token, the
 * EVP_PKEY only forwards the signing to it, so CMS, JWT and every other
 * user of crypto/signer work unchanged. Only crypto/signer calls this.
 */
#ifndef GW_CRYPTO_TOKEN_H
#define GW_CRYPTO_TOKEN_H

#include <stddef.h>
#include <openssl/evp.h>
#include "core/err.h"

/* Whether a configured key is a PKCS#11 URI rather than a file path. */
int token_is_uri(const char *key);

/* Load the private key the URI names. module: the PKCS#11 library
 * ([signing] pkcs11_module; empty: p11-kit's proxy, which loads every
 * module registered with p11-kit). The PIN comes from the URI
 * (pin-value=, or pin-source=file:...). NULL with errbuf naming the URI
 * (without its PIN) and the reason. */
EVP_PKEY *token_load_key(const char *uri, const char *module, char *errbuf, size_t errcap);

/* The URI as it may be shown: any pin-value replaced by "***". */
void token_uri_shown(const char *uri, char *out, size_t cap);

#endif

/*
 * unwrap.h - key transport with the organisation's key: RSA-OAEP decryption.
 *
 * Beside signer.c, so that the private key is used in crypto/ only: AS4
 * receives an AES key wrapped to our certificate (xmlenc11#rsa-oaep with
 * MGF1-SHA256 and a SHA-256 digest) and asks here for it.
 */
#ifndef GW_CRYPTO_UNWRAP_H
#define GW_CRYPTO_UNWRAP_H

#include <stddef.h>
#include "core/err.h"
#include "crypto/signer.h"

/* RSA-OAEP (SHA-256 digest, MGF1-SHA256, no label) decryption of in into
 * out (cap bytes); *outlen the key's length. GW_ECRYPTO when it does not
 * decrypt (wrong key, tampered, another padding). */
gw_rc signer_oaep_unwrap(const struct gw_signer *s, const unsigned char *in, size_t len,
                         unsigned char *out, size_t cap, size_t *outlen);

#endif

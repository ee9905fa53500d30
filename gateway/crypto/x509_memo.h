/*
 * x509_memo.h - certificates decoded once per process: the AS4 ends see the
 * same few signing certificates in every message's BinarySecurityToken.
 */
#ifndef GW_CRYPTO_X509_MEMO_H
#define GW_CRYPTO_X509_MEMO_H

#include <stddef.h>
#include <openssl/x509.h>

/* The certificate whose DER is der[0..len): a reference of the caller's own
 * (X509_free it), the same object for the same bytes while it is remembered;
 * NULL when the bytes do not start with a DER certificate (as d2i_X509).
 * Any thread. */
X509 *x509_memo_d2i(const unsigned char *der, size_t len);

/* How many distinct certificates are remembered at most. */
#define X509_MEMO_SLOTS 16

#endif

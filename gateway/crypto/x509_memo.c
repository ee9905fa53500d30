/*
 * crypto/x509_memo.c - certificates decoded once per process (x509_memo.h).
 *
 * Why: OpenSSL 3 decodes a certificate's public key through its provider
 * decoders, about 1.5 million instructions per certificate, as much as a
 * quarter of an RSA-2048 signature; every AS4 message and receipt carries
 * its signer's certificate, and the peers are few. Owns a small table of
 * (DER bytes, decoded X509) keyed by the exact bytes, so a hit is the same
 * certificate a fresh decode would give. It only decodes: what a
 * certificate is worth (chain, validity, revocation) is still checked by
 * the caller on every use, and nothing here is ever trusted for it.
 */
#include "crypto/x509_memo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>

/* A certificate larger than this is decoded every time, not remembered. */
#define XM_MAX_DER 16384

struct xm_slot {
	unsigned char *der;
	size_t len;
	X509 *cert;
};

static pthread_mutex_t xm_mu = PTHREAD_MUTEX_INITIALIZER;
static struct xm_slot xm_slot[X509_MEMO_SLOTS];
static unsigned xm_next;        /* the slot replaced next (round robin) */

/* A fresh decode, as d2i_X509 gives it (NULL when the bytes do not start
 * with a certificate). */
static X509 *
xm_decode(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *c = len <= 0x7fffffff ? d2i_X509(NULL, &p, (long)len) : NULL;
	ERR_clear_error();
	return c;
}

/* The remembered certificate for these bytes, with a new reference; NULL
 * when there is none. Under xm_mu. */
static X509 *
xm_find(const unsigned char *der, size_t len)
{
	for (unsigned i = 0; i < X509_MEMO_SLOTS; i++) {
		struct xm_slot *s = &xm_slot[i];
		if (s->cert != NULL && s->len == len && memcmp(s->der, der, len) == 0)
			return X509_up_ref(s->cert) == 1 ? s->cert : NULL;
	}
	return NULL;
}

X509 *
x509_memo_d2i(const unsigned char *der, size_t len)
{
	if (der == NULL || len == 0)
		return NULL;
	pthread_mutex_lock(&xm_mu);
	X509 *c = xm_find(der, len);
	pthread_mutex_unlock(&xm_mu);
	if (c != NULL)
		return c;
	/* Decoded outside the lock: the other threads' hits do not wait on it. */
	if ((c = xm_decode(der, len)) == NULL)
		return NULL;
	unsigned char *copy = len <= XM_MAX_DER ? malloc(len) : NULL;
	if (copy == NULL)
		return c;       /* still correct, only not remembered */
	memcpy(copy, der, len);
	pthread_mutex_lock(&xm_mu);
	X509 *same = xm_find(der, len);   /* another thread was quicker */
	X509 *old = NULL;
	unsigned char *old_der = NULL;
	if (same == NULL && X509_up_ref(c) == 1) {
		struct xm_slot *s = &xm_slot[xm_next++ % X509_MEMO_SLOTS];
		old = s->cert;
		old_der = s->der;
		s->der = copy;
		s->len = len;
		s->cert = c;
		copy = NULL;
	}
	pthread_mutex_unlock(&xm_mu);
	X509_free(old);         /* its holders keep their own references */
	free(old_der);
	free(copy);
	if (same != NULL) {
		X509_free(c);
		c = same;
	}
	return c;
}

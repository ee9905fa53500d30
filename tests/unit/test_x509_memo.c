/*
 * test_x509_memo.c - crypto/x509_memo: the same DER bytes give the same,
 * remembered certificate, equal to a fresh decode; other bytes another one;
 * bytes that are no certificate nothing; more certificates than the table
 * holds, and threads asking at once, still each their own certificate. The
 * certificates are made here (one EC key, a serial number each), so the
 * test needs no PKI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/x509_memo.h"

/* More than the table holds, so that some are forgotten and decoded again. */
#define NCERTS (3 * X509_MEMO_SLOTS)

static unsigned char *der[NCERTS];
static int derlen[NCERTS];

/* A self-signed certificate with serial number serial, as DER. */
static int
make_cert(EVP_PKEY *k, long serial, unsigned char **out)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();
	int len = -1;
	*out = NULL;
	if (c != NULL && n != NULL && X509_set_version(c, 2) == 1 &&
	    ASN1_INTEGER_set(X509_get_serialNumber(c), serial) == 1 &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"memo test", -1, -1,
	    0) == 1 && X509_set_subject_name(c, n) == 1 && X509_set_issuer_name(c, n) == 1 &&
	    ASN1_TIME_set(X509_getm_notBefore(c), 1767225600) != NULL &&      /* 2026-01-01 */
	    ASN1_TIME_set(X509_getm_notAfter(c), 1798761600) != NULL &&       /* 2027-01-01 */
	    X509_set_pubkey(c, k) == 1 && X509_sign(c, k, EVP_sha256()) > 0)
		len = i2d_X509(c, out);
	X509_NAME_free(n);
	X509_free(c);
	return len;
}

static int
setup(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	if (k == NULL)
		return -1;
	for (int i = 0; i < NCERTS; i++)
		if ((derlen[i] = make_cert(k, 1000 + i, &der[i])) <= 0)
			return -1;
	EVP_PKEY_free(k);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NCERTS; i++)
		OPENSSL_free(der[i]);
	return 0;
}

/* What d2i_X509 alone makes of certificate i. */
static X509 *
fresh(int i)
{
	const unsigned char *p = der[i];
	return d2i_X509(NULL, &p, derlen[i]);
}

/* c is certificate i: the same DER as a fresh decode of its bytes. */
static void
assert_is(X509 *c, int i)
{
	assert_non_null(c);
	X509 *f = fresh(i);
	assert_non_null(f);
	assert_int_equal(X509_cmp(c, f), 0);
	assert_int_equal(ASN1_INTEGER_get(X509_get0_serialNumber(c)), 1000 + i);
	X509_free(f);
}

/* Asked twice, the same bytes give the same object (decoded once), and it
 * stays usable after the caller let go of its reference. */
static void
test_same_bytes_same_certificate(void **state)
{
	(void)state;
	X509 *a = x509_memo_d2i(der[0], (size_t)derlen[0]);
	assert_is(a, 0);
	X509_free(a);
	X509 *b = x509_memo_d2i(der[0], (size_t)derlen[0]);
	X509 *c = x509_memo_d2i(der[0], (size_t)derlen[0]);
	assert_is(b, 0);
	assert_ptr_equal(b, c);
	/* A copy of the bytes elsewhere is still the same certificate. */
	unsigned char *copy = malloc((size_t)derlen[0]);
	assert_non_null(copy);
	memcpy(copy, der[0], (size_t)derlen[0]);
	X509 *d = x509_memo_d2i(copy, (size_t)derlen[0]);
	free(copy);
	assert_ptr_equal(d, b);
	X509_free(b);
	X509_free(c);
	X509_free(d);
}

/* Other bytes, another certificate: never the one remembered before. */
static void
test_other_bytes_other_certificate(void **state)
{
	(void)state;
	X509 *a = x509_memo_d2i(der[1], (size_t)derlen[1]);
	X509 *b = x509_memo_d2i(der[2], (size_t)derlen[2]);
	assert_is(a, 1);
	assert_is(b, 2);
	assert_ptr_not_equal(a, b);
	X509_free(a);
	X509_free(b);
}

/* Bytes that are no certificate give none, and are not remembered as one. */
static void
test_not_a_certificate(void **state)
{
	(void)state;
	static const unsigned char junk[] = "not a certificate";
	assert_null(x509_memo_d2i(junk, sizeof junk));
	assert_null(x509_memo_d2i(der[3], 0));
	assert_null(x509_memo_d2i(NULL, 10));
	assert_null(x509_memo_d2i(der[3], (size_t)derlen[3] / 2));       /* cut short */
	/* A changed byte in the signature: still decodes, as its own certificate. */
	unsigned char *bent = malloc((size_t)derlen[3]);
	assert_non_null(bent);
	memcpy(bent, der[3], (size_t)derlen[3]);
	bent[derlen[3] - 1] ^= 0x01;
	X509 *b = x509_memo_d2i(bent, (size_t)derlen[3]);
	X509 *good = x509_memo_d2i(der[3], (size_t)derlen[3]);
	assert_non_null(b);
	assert_is(good, 3);
	assert_ptr_not_equal(b, good);
	assert_int_not_equal(X509_cmp(b, good), 0);
	X509_free(b);
	X509_free(good);
	free(bent);
}

/* More certificates than the table holds, twice round: each answer is the
 * certificate asked for, the forgotten ones decoded again. */
static void
test_more_than_the_table(void **state)
{
	(void)state;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < NCERTS; i++) {
			X509 *c = x509_memo_d2i(der[i], (size_t)derlen[i]);
			assert_is(c, i);
			X509_free(c);
		}
}

struct worker {
	int start, bad;
};

/* One thread: every certificate in turn from its own starting point. */
static void *
worker(void *arg)
{
	struct worker *w = arg;
	for (int n = 0; n < 4 * NCERTS; n++) {
		int i = (w->start + n) % NCERTS;
		X509 *c = x509_memo_d2i(der[i], (size_t)derlen[i]);
		X509 *f = fresh(i);
		if (c == NULL || f == NULL || X509_cmp(c, f) != 0)
			w->bad++;
		X509_free(c);
		X509_free(f);
	}
	return NULL;
}

/* Eight threads at once (as the AS4 sender's): each gets what it asked for. */
static void
test_threads(void **state)
{
	(void)state;
	pthread_t t[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){ .start = i * 5 };
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_same_certificate),
		cmocka_unit_test(test_other_bytes_other_certificate),
		cmocka_unit_test(test_not_a_certificate),
		cmocka_unit_test(test_more_than_the_table),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

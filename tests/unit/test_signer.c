/* test_signer.c - key loading refuses loose permissions and mismatched keys; signatures verify. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "crypto/signer.h"

#define ORG_CRT "certs/out/onss/org.crt.pem"
#define ORG_KEY "certs/out/onss/org.key.pem"

static int
have_pki(void **state)
{
	(void)state;
	if (access(ORG_CRT, R_OK) != 0) {
		fprintf(stderr, "test PKI missing: run sh certs/gen-test-pki.sh from the top folder\n");
		return -1;
	}
	return 0;
}

static void
test_load_and_sign(void **state)
{
	(void)state;
	struct gw_signer *s = NULL;
	char err[256];
	assert_int_equal(signer_load(&s, ORG_CRT, ORG_KEY, err, sizeof err), GW_OK);
	const unsigned char msg[] = "payload";
	unsigned char *sig;
	size_t siglen;
	assert_int_equal(signer_rsa_sha256(s, msg, sizeof msg - 1, &sig, &siglen), GW_OK);
	assert_int_equal(siglen, 256);

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY *pub = X509_get0_pubkey(s->cert);
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(ctx, sig, siglen, msg, sizeof msg - 1), 1);
	sig[10] ^= 1;
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_not_equal(EVP_DigestVerify(ctx, sig, siglen, msg, sizeof msg - 1), 1);
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(sig);
	signer_free(s);
}

static void
test_loose_permissions_refused(void **state)
{
	(void)state;
	char path[] = "/tmp/gwkeyXXXXXX";
	int fd = mkstemp(path);
	FILE *in = fopen(ORG_KEY, "r");
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf, in);
	fclose(in);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	chmod(path, 0644);
	struct gw_signer *s = NULL;
	char err[512];
	assert_int_equal(signer_load(&s, ORG_CRT, path, err, sizeof err), GW_ECONFIG);
	assert_non_null(strstr(err, "readable by group or others"));
	assert_null(s);
	chmod(path, 0600);
	assert_int_equal(signer_load(&s, ORG_CRT, path, err, sizeof err), GW_OK);
	signer_free(s);
	unlink(path);
}

static void
test_mismatched_key_refused(void **state)
{
	(void)state;
	struct gw_signer *s = NULL;
	char err[512];
	assert_int_equal(signer_load(&s, ORG_CRT, "certs/out/bad/key.pem", err, sizeof err), GW_ECRYPTO);
	assert_non_null(strstr(err, "does not match"));
	assert_int_equal(signer_load(&s, "/nonexistent.pem", ORG_KEY, err, sizeof err), GW_ECONFIG);
	assert_non_null(strstr(err, "/nonexistent.pem"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_sign),
		cmocka_unit_test(test_loose_permissions_refused),
		cmocka_unit_test(test_mismatched_key_refused),
	};
	return cmocka_run_group_tests(tests, have_pki, NULL);
}

/* test_signer.c - key loading refuses loose permissions and mismatched keys;
 * signatures verify, with the key in a PEM file and with the same key in a
 * SoftHSM token (created here in a temporary folder, loaded by PKCS#11 URI). */
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

#include "core/config.h"
#include "crypto/signer.h"

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define TOKEN_KEY "pkcs11:token=gw-test;object=org;type=private;pin-value=1234"

static char token_dir[] = "/tmp/gw-softhsm-XXXXXX";

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

/* A SoftHSM token of its own (SOFTHSM2_CONF) holding the organisation's
 * test key, imported from the PEM file (softhsm2-util wants PKCS#8). */
static int
make_token(void)
{
	char cmd[2048];
	if (access(SOFTHSM_MODULE, R_OK) != 0 || mkdtemp(token_dir) == NULL) {
		fprintf(stderr, "SoftHSM missing: install softhsm2 and libengine-pkcs11-openssl (make deps)\n");
		return -1;
	}
	snprintf(cmd, sizeof cmd, "mkdir %s/tokens && printf 'directories.tokendir = %s/tokens\\n"
	    "objectstore.backend = file\\nlog.level = ERROR\\n' >%s/softhsm2.conf && "
	    "SOFTHSM2_CONF=%s/softhsm2.conf softhsm2-util --init-token --free --label gw-test "
	    "--pin 1234 --so-pin 5678 >/dev/null && "
	    "openssl pkcs8 -topk8 -nocrypt -in %s -out %s/k8.pem && "
	    "SOFTHSM2_CONF=%s/softhsm2.conf softhsm2-util --import %s/k8.pem --token gw-test "
	    "--label org --id 01 --pin 1234 >/dev/null && rm %s/k8.pem",
	    token_dir, token_dir, token_dir, token_dir, ORG_KEY, token_dir, token_dir, token_dir, token_dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot create the SoftHSM token: %s\n", cmd);
		return -1;
	}
	snprintf(cmd, sizeof cmd, "%s/softhsm2.conf", token_dir);
	setenv("SOFTHSM2_CONF", cmd, 1);
	return 0;
}

static int
setup(void **state)
{
	if (have_pki(state) != 0)
		return -1;
	gw_cfg = config_new();
	config_set(gw_cfg, "signing.pkcs11_module", SOFTHSM_MODULE);
	return make_token();
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", token_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The same test with the key in a file (state: ORG_KEY) and in the token
 * (state: its URI): JWT and CMS signing go through signer_rsa_sha256 and
 * the EVP_PKEY alike, so what holds here holds for them. */
static void
test_load_and_sign(void **state)
{
	const char *key = *state;
	struct gw_signer *s = NULL;
	char err[512];
	assert_int_equal(signer_load(&s, ORG_CRT, key, err, sizeof err), GW_OK);
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

/* Token failures name the URI without its PIN, and the reason. */
static void
test_token_refusals(void **state)
{
	(void)state;
	struct gw_signer *s = NULL;
	char err[512];
	assert_int_equal(signer_load(&s, ORG_CRT,
	    "pkcs11:token=gw-test;object=org;type=private;pin-value=9999", err, sizeof err), GW_ECRYPTO);
	assert_null(s);
	assert_non_null(strstr(err, "pkcs11:token=gw-test;object=org;type=private;pin-value=***: "
	    "no private key from the token: "));
	assert_non_null(strstr(err, "PIN incorrect"));
	assert_null(strstr(err, "9999"));
	assert_int_equal(signer_load(&s, ORG_CRT,
	    "pkcs11:token=gw-test;object=other;type=private;pin-value=1234", err, sizeof err), GW_ECRYPTO);
	assert_non_null(strstr(err, "object=other"));
	/* The key in the token must still match the certificate. */
	assert_int_equal(signer_load(&s, "certs/out/bad/rogue-ca.crt.pem", TOKEN_KEY, err, sizeof err), GW_ECRYPTO);
	assert_non_null(strstr(err, "pin-value=*** does not match the certificate certs/out/bad/rogue-ca.crt.pem"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_load_and_sign, ORG_KEY),
		/* Refusals first: once logged in, libp11 keeps the token's
		 * session for the process and does not ask for the PIN again. */
		cmocka_unit_test(test_token_refusals),
		cmocka_unit_test_prestate(test_load_and_sign, TOKEN_KEY),
		cmocka_unit_test(test_loose_permissions_refused),
		cmocka_unit_test(test_mismatched_key_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

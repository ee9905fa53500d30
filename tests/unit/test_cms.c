/* test_cms.c - FS signing and verification: structure, tampering, the
 * certificate failure codes, and openssl cms -verify as an outside judge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/pkcs7.h>

#include "crypto/signer.h"
#include "onss/batch/cms.h"
#include "onss/batch/submission.h"

static char pki[512];
static char fi[64];

static const char *
pkipath(const char *rel)
{
	static char buf[4][640];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", pki, rel);
	return buf[i];
}

static struct gw_signer *
load(const char *cert, const char *key)
{
	struct gw_signer *s = NULL;
	char err[256];
	assert_int_equal(signer_load(&s, pkipath(cert), pkipath(key), err, sizeof err), GW_OK);
	return s;
}

static int
setup(void **state)
{
	(void)state;
	const char *top = getenv("TOP");
	snprintf(pki, sizeof pki, "%s/certs/out", top ? top : ".");
	if (access(pkipath("onss/org.key.pem"), R_OK) != 0) {
		fprintf(stderr, "test PKI missing: run sh certs/gen-test-pki.sh\n");
		return -1;
	}
	snprintf(fi, sizeof fi, "/tmp/gwcmsXXXXXX");
	int fd = mkstemp(fi);
	const char *xml = "<?xml version=\"1.0\"?>\n<DIMONA><Form/></DIMONA>\n";
	assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(fi);
	return 0;
}

static void
test_sign_structure(void **state)
{
	(void)state;
	struct gw_signer *s = load("onss/org.crt.pem", "onss/org.key.pem");
	char *b64;
	size_t len;
	assert_int_equal(batch_sign_file(s, fi, &b64, &len), GW_OK);
	/* Lines of at most 76 characters. */
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		if (b64[i] == '\n') { col = 0; continue; }
		assert_true(++col <= 76);
	}
	unsigned char *der;
	size_t dlen;
	assert_int_equal(batch_b64_decode(b64, len, &der, &dlen), GW_OK);
	const unsigned char *p = der;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)dlen);
	assert_non_null(p7);
	assert_int_equal(OBJ_obj2nid(p7->type), NID_pkcs7_signed);
	assert_int_equal(ASN1_INTEGER_get(p7->d.sign->version), 1);
	assert_true(PKCS7_get_detached(p7));
	assert_int_equal(OBJ_obj2nid(p7->d.sign->contents->type), NID_pkcs7_data);
	assert_true(p7->d.sign->crl == NULL || sk_X509_CRL_num(p7->d.sign->crl) == 0);
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
	assert_int_equal(OBJ_obj2nid(si->digest_alg->algorithm), NID_sha256);
	assert_true(si->unauth_attr == NULL || sk_X509_ATTRIBUTE_num(si->unauth_attr) == 0);
	PKCS7_free(p7);
	free(der);

	struct batch_cms_check chk;
	assert_int_equal(batch_cms_verify(fi, b64, len, pkipath("onss/ca.crt.pem"), &chk), GW_OK);
	assert_int_equal(chk.code, 0);
	assert_non_null(strstr(chk.signer, "Cooperative Test"));

	/* openssl cms -verify, the outside judge, accepts it. */
	char der_path[] = "/tmp/gwcmsderXXXXXX", b64_path[] = "/tmp/gwcmsb64XXXXXX", cmd[2048];
	int fd = mkstemp(b64_path);
	assert_int_equal(write(fd, b64, len), (ssize_t)len);
	close(fd);
	close(mkstemp(der_path));
	snprintf(cmd, sizeof cmd, "openssl base64 -d -in %s -out %s && openssl cms -verify -binary "
	    "-inform DER -in %s -content %s -CAfile %s -out /dev/null 2>/dev/null",
	    b64_path, der_path, der_path, fi, pkipath("onss/ca.crt.pem"));
	assert_int_equal(system(cmd), 0);
	unlink(der_path);
	unlink(b64_path);

	/* One changed byte in FI: the messageDigest no longer matches. */
	FILE *f = fopen(fi, "a");
	fputs("<!-- x -->", f);
	fclose(f);
	assert_int_equal(batch_cms_verify(fi, b64, len, pkipath("onss/ca.crt.pem"), &chk), GW_ECRYPTO);
	assert_int_equal(chk.code, 1205);
	/* Garbage is not a ContentInfo. */
	assert_int_equal(batch_cms_verify(fi, "AAAA\n", 5, NULL, &chk), GW_ECRYPTO);
	assert_int_equal(chk.code, 1);
	assert_int_equal(batch_cms_verify(fi, "not base64!", 11, NULL, &chk), GW_ECRYPTO);
	assert_int_equal(chk.code, 1);
	free(b64);
	signer_free(s);
}

/* Sign with a bad certificate and expect the ONSS code for it. */
static void
expect_cert_code(const char *cert, int code)
{
	struct gw_signer *s = load(cert, "bad/key.pem");
	char *b64;
	size_t len;
	struct batch_cms_check chk;
	assert_int_equal(batch_sign_file(s, fi, &b64, &len), GW_OK);
	assert_int_equal(batch_cms_verify(fi, b64, len, pkipath("onss/ca.crt.pem"), &chk), GW_ECRYPTO);
	assert_int_equal(chk.code, code);
	/* Without a CA file the signature itself is fine except for key usage. */
	gw_rc rc = batch_cms_verify(fi, b64, len, NULL, &chk);
	assert_int_equal(rc, code == 1019 ? GW_ECRYPTO : GW_OK);
	free(b64);
	signer_free(s);
}

static void
test_bad_certificates(void **state)
{
	(void)state;
	expect_cert_code("bad/wrong-ca.crt.pem", 1104);
	expect_cert_code("bad/expired.crt.pem", 1207);
	expect_cert_code("bad/not-yet-valid.crt.pem", 1207);
	expect_cert_code("bad/wrong-usage.crt.pem", 1019);
}

/* Signed answers: content inside, verified, tampering and strangers refused. */
static void
test_wrap_unwrap(void **state)
{
	(void)state;
	struct gw_signer *s = load("onss/org.crt.pem", "onss/org.key.pem");
	const char *xml = "<ACRF><Form/></ACRF>\n";
	char *b64, *content;
	size_t len, clen;
	struct batch_cms_check chk;
	assert_int_equal(batch_cms_wrap(s, xml, strlen(xml), &b64, &len), GW_OK);
	assert_true(batch_cms_looks_signed(b64, len));
	assert_false(batch_cms_looks_signed(xml, strlen(xml)));
	assert_int_equal(batch_cms_unwrap(b64, len, pkipath("onss/ca.crt.pem"), &content, &clen, &chk), GW_OK);
	assert_int_equal(clen, strlen(xml));
	assert_memory_equal(content, xml, clen);
	assert_non_null(strstr(chk.signer, "Cooperative Test"));
	free(content);
	/* Trusted by another CA only: refused. */
	assert_int_equal(batch_cms_unwrap(b64, len, pkipath("peppol/root.crt.pem"), &content, &clen, &chk),
	    GW_ECRYPTO);
	assert_int_equal(chk.code, 1104);
	/* One flipped base64 character in the middle: refused, never read. */
	size_t mid = len / 2;
	while (b64[mid] == '\n')
		mid++;
	b64[mid] = b64[mid] == 'A' ? 'B' : 'A';
	assert_int_equal(batch_cms_unwrap(b64, len, NULL, &content, &clen, &chk), GW_ECRYPTO);
	assert_null(content);
	assert_int_equal(batch_cms_unwrap(xml, strlen(xml), NULL, &content, &clen, &chk), GW_EINPUT);
	free(b64);
	signer_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_structure),
		cmocka_unit_test(test_bad_certificates),
		cmocka_unit_test(test_wrap_unwrap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * cms.c - the FS file: detached CMS (PKCS#7) signature of the FI bytes.
 *
 * Signing: SHA-256 with RSA, signedData version 1 (the signer is named by
 * issuer and serial number, so OpenSSL writes version 1), inner content type
 * data, detached (CMS_DETACHED), binary (CMS_BINARY: no CRLF translation of
 * the XML), no S/MIME capabilities (CMS_NOSMIMECAP), no CRLs and no unsigned
 * attributes (CMS_sign adds neither). Signed attributes are kept
 * (contentType, messageDigest, signingTime): they bind the content type and
 * the signing time into the signature, the ONSS signature table has codes
 * for checking them (1204-1206), and `openssl cms -verify` checks the
 * messageDigest against the FI. The signer certificate and any chain from
 * the certificate file go into `certificates`, so the receiver can find it.
 * The FI is streamed through a file BIO: a large DmfA is never in memory.
 *
 * Verifying (simulator, tests): see cms.h. Never reads a key file; the key
 * comes through struct gw_signer.
 */
#include "onss/batch/cms.h"
#include "onss/batch/submission.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Base64 of der in lines of 76 characters, each ending in "\n". */
static gw_rc
b64_lines(const unsigned char *der, size_t len, char **out, size_t *outlen)
{
	size_t raw_cap = 4 * ((len + 2) / 3) + 1;
	unsigned char *raw = malloc(raw_cap);
	if (raw == NULL)
		return GW_ENOMEM;
	int n = EVP_EncodeBlock(raw, der, (int)len);
	size_t lines = ((size_t)n + 75) / 76;
	char *buf = malloc((size_t)n + lines + 1);
	if (buf == NULL) {
		free(raw);
		return GW_ENOMEM;
	}
	size_t o = 0;
	for (size_t i = 0; i < (size_t)n; i += 76) {
		size_t chunk = (size_t)n - i < 76 ? (size_t)n - i : 76;
		memcpy(buf + o, raw + i, chunk);
		o += chunk;
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	free(raw);
	*out = buf;
	*outlen = o;
	return GW_OK;
}

/* Sign what in holds with s (SHA-256; s's chain added when with_chain)
 * and encode it in base64 lines. GW_ECRYPTO when OpenSSL fails, its
 * reason in why; the OpenSSL error queue is left empty. */
static gw_rc
cms_sign_b64(const struct gw_signer *s, BIO *in, int flags, int with_chain, char **b64,
             size_t *len, char *why, size_t whycap)
{
	CMS_ContentInfo *cms = NULL;
	BIO *mem = NULL;
	gw_rc rc = GW_ECRYPTO;

	why[0] = '\0';
	/* PARTIAL, then add1_signer: names SHA-256 explicitly instead of
	 * relying on the key type's default digest. */
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) == NULL)
		goto out;
	for (int i = 0; with_chain && s->chain && i < sk_X509_num(s->chain); i++)
		if (CMS_add1_cert(cms, sk_X509_value(s->chain, i)) != 1)
			goto out;
	if (CMS_final(cms, in, NULL, flags) != 1 ||
	    (mem = BIO_new(BIO_s_mem())) == NULL || i2d_CMS_bio(mem, cms) != 1)
		goto out;
	char *der;
	long derlen = BIO_get_mem_data(mem, &der);
	rc = b64_lines((unsigned char *)der, (size_t)derlen, b64, len);
out:
	if (rc == GW_ECRYPTO)
		ERR_error_string_n(ERR_get_error(), why, whycap);
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	BIO_free(mem);
	return rc;
}

gw_rc
batch_sign_file(const struct gw_signer *signer, const char *path, char **b64, size_t *len)
{
	const int flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
	BIO *in = NULL;
	gw_rc rc;
	char why[256];

	*b64 = NULL;
	*len = 0;
	if (signer == NULL || signer->key == NULL || signer->cert == NULL)
		return GW_ECONFIG;
	if ((in = BIO_new_file(path, "rb")) == NULL) {
		log_error(NULL, path, "cannot open the FI file to sign it");
		ERR_clear_error();
		return GW_EIO;
	}
	rc = cms_sign_b64(signer, in, flags, 1, b64, len, why, sizeof why);
	if (rc == GW_ECRYPTO)
		log_error(NULL, path, "CMS signing failed: %s", why);
	BIO_free(in);
	return rc;
}

gw_rc
batch_b64_decode(const char *b64, size_t len, unsigned char **der, size_t *der_len)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char *buf = malloc(len / 4 * 3 + 4);
	int outl = 0, fin = 0;
	gw_rc rc = GW_EINPUT;

	*der = NULL;
	*der_len = 0;
	if (ctx == NULL || buf == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	/* Refuse anything but the base64 alphabet and line ends: EVP_Decode
	 * would skip some junk silently. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)b64[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r'))
			goto out;
	}
	EVP_DecodeInit(ctx);
	if (len > INT32_MAX || EVP_DecodeUpdate(ctx, buf, &outl, (const unsigned char *)b64, (int)len) < 0 ||
	    EVP_DecodeFinal(ctx, buf + outl, &fin) < 0)
		goto out;
	if (outl + fin == 0)
		goto out;
	*der = buf;
	*der_len = (size_t)(outl + fin);
	buf = NULL;
	rc = GW_OK;
out:
	EVP_ENCODE_CTX_free(ctx);
	free(buf);
	return rc;
}

/* Record a failure: the ONSS code and a reason line. */
static gw_rc
fail(struct batch_cms_check *chk, int code, const char *why)
{
	chk->code = code;
	snprintf(chk->why, sizeof chk->why, "%s", why);
	return GW_ECRYPTO;
}

/* Structure checks on the PKCS#7 view of the FS: the fields the ONSS
 * fixes. Returns 0 when all hold. */
static int
check_structure(PKCS7 *p7, struct batch_cms_check *chk)
{
	if (OBJ_obj2nid(p7->type) != NID_pkcs7_signed || p7->d.sign == NULL)
		return fail(chk, 4001, "ContentInfo.contentType must be signedData"), 1;
	PKCS7_SIGNED *sd = p7->d.sign;
	if (ASN1_INTEGER_get(sd->version) != 1)
		return fail(chk, 4002, "signedData.version must be 1"), 1;
	if (sd->contents == NULL || OBJ_obj2nid(sd->contents->type) != NID_pkcs7_data)
		return fail(chk, 4003, "signedData.contentInfo.contentType must be data"), 1;
	if (!PKCS7_get_detached(p7))
		return fail(chk, 8, "signedData.contentInfo carries the content: the signature must be detached"), 1;
	for (int i = 0; i < sk_X509_ALGOR_num(sd->md_algs); i++)
		if (OBJ_obj2nid(sk_X509_ALGOR_value(sd->md_algs, i)->algorithm) != NID_sha256)
			return fail(chk, 3001, "digestAlgorithms holds an algorithm other than SHA-256"), 1;
	if (sd->crl != NULL && sk_X509_CRL_num(sd->crl) > 0)
		return fail(chk, 22, "signedData.crls found"), 1;
	if (sk_PKCS7_SIGNER_INFO_num(sd->signer_info) != 1)
		return fail(chk, 4004, "signedData must hold exactly one signerInfo"), 1;
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sd->signer_info, 0);
	if (ASN1_INTEGER_get(si->version) != 1)
		return fail(chk, 13, "signerInfo.version must be 1"), 1;
	if (OBJ_obj2nid(si->digest_alg->algorithm) != NID_sha256)
		return fail(chk, 3002, "signerInfo.digestAlgorithm is not SHA-256"), 1;
	int enc = OBJ_obj2nid(si->digest_enc_alg->algorithm);
	if (enc != NID_rsaEncryption && enc != NID_sha256WithRSAEncryption)
		return fail(chk, 3003, "signerInfo.digestEncryptionAlgorithm is not RSA"), 1;
	if (si->unauth_attr != NULL && sk_X509_ATTRIBUTE_num(si->unauth_attr) > 0)
		return fail(chk, 23, "signerInfo.unauthenticatedAttributes found"), 1;
	if (sd->cert == NULL || sk_X509_num(sd->cert) == 0)
		return fail(chk, 10, "no certificate in signedData.certificates"), 1;
	return 0;
}

gw_rc
batch_cms_verify(const char *fi_path, const char *fs_b64, size_t fs_len,
                 const char *ca_file, struct batch_cms_check *chk)
{
	unsigned char *der = NULL;
	size_t der_len = 0;
	const unsigned char *p;
	PKCS7 *p7 = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *content = NULL;
	STACK_OF(X509) *signers = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	gw_rc rc = GW_ECRYPTO;

	memset(chk, 0, sizeof *chk);
	if (batch_b64_decode(fs_b64, fs_len, &der, &der_len) != GW_OK) {
		rc = fail(chk, 1, "FS is not base64");
		goto out;
	}
	p = der;
	if ((p7 = d2i_PKCS7(NULL, &p, (long)der_len)) == NULL) {
		rc = fail(chk, 1, "FS is not a ContentInfo");
		goto out;
	}
	if ((size_t)(p - der) != der_len) {
		rc = fail(chk, 21, "data after ContentInfo.signedData");
		goto out;
	}
	if (check_structure(p7, chk))
		goto out;
	p = der;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len)) == NULL) {
		rc = fail(chk, 1, "FS is not a ContentInfo");
		goto out;
	}
	if ((content = BIO_new_file(fi_path, "rb")) == NULL) {
		rc = fail(chk, 8, "the FI file cannot be read");
		rc = GW_EIO;
		goto out;
	}
	/* Signature and signed attributes first, the certificate chain after,
	 * so that each failure gets its own code. */
	if (CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		unsigned long e = ERR_peek_last_error();
		if (ERR_GET_REASON(e) == CMS_R_CONTENT_VERIFY_ERROR)
			rc = fail(chk, 1205, "messageDigest in the signed attributes does not match the FI");
		else
			rc = fail(chk, 1103, "signature incorrect");
		goto out;
	}
	if ((signers = CMS_get0_signers(cms)) == NULL || sk_X509_num(signers) != 1) {
		rc = fail(chk, 12, "signer certificate not found in signedData.certificates");
		goto out;
	}
	X509 *cert = sk_X509_value(signers, 0);
	X509_NAME_oneline(X509_get_subject_name(cert), chk->signer, sizeof chk->signer);
	uint32_t ku = X509_get_key_usage(cert);
	if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		rc = fail(chk, 1019, "the signer certificate's key usage does not allow signing");
		goto out;
	}
	if (ca_file != NULL) {
		if ((store = X509_STORE_new()) == NULL || X509_STORE_load_file(store, ca_file) != 1 ||
		    (ctx = X509_STORE_CTX_new()) == NULL) {
			rc = fail(chk, 99, "cannot load the trusted CA file");
			goto out;
		}
		STACK_OF(X509) *certs = CMS_get1_certs(cms);
		int ok = X509_STORE_CTX_init(ctx, store, cert, certs) == 1 && X509_verify_cert(ctx) == 1;
		int err = X509_STORE_CTX_get_error(ctx);
		sk_X509_pop_free(certs, X509_free);
		if (!ok) {
			char why[200];
			snprintf(why, sizeof why, "signer certificate: %s", X509_verify_cert_error_string(err));
			rc = fail(chk, (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)
			    ? 1207 : 1104, why);
			goto out;
		}
	}
	chk->code = 0;
	snprintf(chk->why, sizeof chk->why, "signature valid");
	rc = GW_OK;
out:
	ERR_clear_error();
	sk_X509_free(signers);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	PKCS7_free(p7);
	free(der);
	return rc;
}

int
batch_cms_looks_signed(const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (len - i >= 2 && (unsigned char)buf[i] == 0x30 && ((unsigned char)buf[i + 1] & 0x80))
		return 1;                                 /* DER SEQUENCE, long form */
	/* Its base64: 0x30 0x81..0x83 encode as "MI" then E..P. */
	return len - i >= 3 && memcmp(buf + i, "MI", 2) == 0 && buf[i + 2] >= 'E' && buf[i + 2] <= 'P';
}

gw_rc
batch_cms_wrap(const struct gw_signer *s, const char *data, size_t len, char **b64, size_t *b64len)
{
	const int flags = CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
	BIO *in = NULL;
	char why[256];

	*b64 = NULL;
	if (s == NULL || len > INT32_MAX || (in = BIO_new_mem_buf(data, (int)len)) == NULL)
		return GW_EINTERNAL;
	gw_rc rc = cms_sign_b64(s, in, flags, 0, b64, b64len, why, sizeof why);
	BIO_free(in);
	return rc;
}

gw_rc
batch_cms_unwrap(const char *buf, size_t len, const char *ca_file, char **content,
                 size_t *clen, struct batch_cms_check *chk)
{
	unsigned char *der = NULL;
	size_t der_len = 0;
	const unsigned char *p;
	CMS_ContentInfo *cms = NULL;
	BIO *out = NULL;
	X509_STORE *store = NULL;
	gw_rc rc = GW_EINPUT;

	memset(chk, 0, sizeof *chk);
	*content = NULL;
	*clen = 0;
	if (!batch_cms_looks_signed(buf, len))
		return GW_EINPUT;
	if ((unsigned char)buf[0] == 0x30) {
		if ((der = malloc(len)) == NULL)
			return GW_ENOMEM;
		memcpy(der, buf, len);
		der_len = len;
	} else if (batch_b64_decode(buf, len, &der, &der_len) != GW_OK) {
		rc = fail(chk, 1, "signed answer: not base64");
		goto out;
	}
	p = der;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len)) == NULL ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		rc = fail(chk, 1, "signed answer: not a CMS signedData");
		goto out;
	}
	if ((out = BIO_new(BIO_s_mem())) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	int flags = CMS_BINARY;
	if (ca_file != NULL) {
		if ((store = X509_STORE_new()) == NULL || X509_STORE_load_file(store, ca_file) != 1) {
			rc = fail(chk, 99, "cannot load the CA file for answer signatures");
			goto out;
		}
	} else {
		flags |= CMS_NO_SIGNER_CERT_VERIFY;
	}
	if (CMS_verify(cms, NULL, store, NULL, out, flags) != 1) {
		unsigned long e = ERR_peek_last_error();
		int r = ERR_GET_REASON(e);
		rc = fail(chk, r == CMS_R_CERTIFICATE_VERIFY_ERROR ? 1104
		    : r == CMS_R_CONTENT_VERIFY_ERROR ? 1205 : 1103,
		    r == CMS_R_CERTIFICATE_VERIFY_ERROR ? "answer signer not trusted" : "answer signature incorrect");
		goto out;
	}
	STACK_OF(X509) *signers = CMS_get0_signers(cms);
	if (signers && sk_X509_num(signers) > 0)
		X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), chk->signer, sizeof chk->signer);
	sk_X509_free(signers);
	char *data;
	long dl = BIO_get_mem_data(out, &data);
	if (dl <= 0 || (*content = malloc((size_t)dl + 1)) == NULL) {
		rc = dl <= 0 ? fail(chk, 8, "signed answer carries no content") : GW_ENOMEM;
		goto out;
	}
	memcpy(*content, data, (size_t)dl);
	(*content)[dl] = '\0';
	*clen = (size_t)dl;
	snprintf(chk->why, sizeof chk->why, "answer signature valid");
	rc = GW_OK;
out:
	ERR_clear_error();
	X509_STORE_free(store);
	BIO_free(out);
	CMS_ContentInfo_free(cms);
	free(der);
	return rc;
}

/*
 * enc.c - the attachment's encryption: AES-128-GCM with a fresh key, the
 * key transported with RSA-OAEP (xmlenc11#rsa-oaep, MGF1-SHA256, SHA-256).
 *
 * The cipher text is laid out as XML Encryption 1.1 says for GCM: the
 * 12-byte IV, the cipher text, the 16-byte tag. OpenSSL EVP does the work:
 * Debian's xmlsec1 1.2 has no MGF1-SHA256. Decryption goes through
 * crypto/unwrap: the private key never leaves crypto/.
 */
#include "peppol/as4/as4_int.h"
#include "crypto/unwrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#define GCM_IV 12
#define GCM_TAG 16

gw_rc
enc_attachment(const unsigned char *plain, size_t len, X509 *cert, unsigned char **out,
               size_t *outlen, char **wrapped_b64, char *why, size_t whycap)
{
	unsigned char key[16], wrapped[1024];
	size_t wlen = sizeof wrapped;
	EVP_CIPHER_CTX *c = NULL;
	EVP_PKEY_CTX *pc = NULL;
	unsigned char *buf = NULL;
	gw_rc rc = GW_ECRYPTO;
	int n = 0, f = 0;

	*out = NULL;
	*wrapped_b64 = NULL;
	if ((buf = malloc(GCM_IV + len + GCM_TAG)) == NULL)
		return GW_ENOMEM;
	if (RAND_bytes(key, sizeof key) != 1 || RAND_bytes(buf, GCM_IV) != 1) {
		snprintf(why, whycap, "no random bytes for the content key");
		goto out;
	}
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, buf) != 1 ||
	    EVP_EncryptUpdate(c, buf + GCM_IV, &n, plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, buf + GCM_IV + n, &f) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, buf + GCM_IV + n + f) != 1) {
		snprintf(why, whycap, "AES-128-GCM encryption failed");
		goto out;
	}
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	if (pub == NULL || (pc = EVP_PKEY_CTX_new(pub, NULL)) == NULL ||
	    EVP_PKEY_encrypt_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(pc, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) != 1 ||
	    EVP_PKEY_encrypt(pc, wrapped, &wlen, key, sizeof key) != 1) {
		snprintf(why, whycap, "RSA-OAEP key transport to the receiver's certificate failed");
		goto out;
	}
	if ((*wrapped_b64 = b64_encode(wrapped, wlen)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	*out = buf;
	*outlen = GCM_IV + (size_t)n + (size_t)f + GCM_TAG;
	buf = NULL;
	rc = GW_OK;
out:
	OPENSSL_cleanse(key, sizeof key);
	ERR_clear_error();
	EVP_CIPHER_CTX_free(c);
	EVP_PKEY_CTX_free(pc);
	free(buf);
	return rc;
}

gw_rc
enc_decrypt(const struct gw_signer *me, const char *wrapped_b64, const unsigned char *data,
            size_t len, unsigned char **out, size_t *outlen, char *why, size_t whycap)
{
	unsigned char key[64];
	size_t klen = 0, wlen = 0;
	unsigned char *wrapped = b64_decode(wrapped_b64, &wlen), *buf = NULL;
	EVP_CIPHER_CTX *c = NULL;
	gw_rc rc = GW_ECRYPTO;
	int n = 0, f = 0;

	if (wrapped == NULL) {
		snprintf(why, whycap, "EncryptedKey: CipherValue is not base64");
		return GW_ECRYPTO;
	}
	if (signer_oaep_unwrap(me, wrapped, wlen, key, sizeof key, &klen) != GW_OK || klen != 16) {
		snprintf(why, whycap, "EncryptedKey: does not decrypt with our key (RSA-OAEP, "
		         "MGF1-SHA256) to an AES-128 key");
		goto out;
	}
	if (len < GCM_IV + GCM_TAG) {
		snprintf(why, whycap, "attachment: %zu bytes, too short for AES-GCM", len);
		goto out;
	}
	size_t clen = len - GCM_IV - GCM_TAG;
	if ((buf = malloc(clen + 1)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, data) != 1 ||
	    EVP_DecryptUpdate(c, buf, &n, data + GCM_IV, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG,
	                        (void *)(data + GCM_IV + clen)) != 1 ||
	    EVP_DecryptFinal_ex(c, buf + n, &f) != 1) {
		snprintf(why, whycap, "attachment: AES-128-GCM authentication tag does not match "
		         "(changed in transit or another key)");
		goto out;
	}
	*out = buf;
	*outlen = (size_t)n + (size_t)f;
	buf = NULL;
	rc = GW_OK;
out:
	OPENSSL_cleanse(key, sizeof key);
	ERR_clear_error();
	EVP_CIPHER_CTX_free(c);
	free(wrapped);
	free(buf);
	return rc;
}

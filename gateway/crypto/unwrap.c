/*
 * unwrap.c - RSA-OAEP decryption of a transported key (see unwrap.h).
 * The decrypted key is the caller's; nothing is kept or logged here.
 */
#include "crypto/unwrap.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

gw_rc
signer_oaep_unwrap(const struct gw_signer *s, const unsigned char *in, size_t len,
                   unsigned char *out, size_t cap, size_t *outlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->key, NULL);
	unsigned char buf[1024];
	size_t n = sizeof buf;
	gw_rc rc = GW_ECRYPTO;
	if (ctx == NULL)
		return GW_ENOMEM;
	if (EVP_PKEY_decrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_decrypt(ctx, buf, &n, in, len) != 1 || n > cap)
		goto out;
	memcpy(out, buf, n);
	*outlen = n;
	rc = GW_OK;
out:
	OPENSSL_cleanse(buf, sizeof buf);
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

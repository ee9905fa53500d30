/*
 * signer.c - loading and using the organisation's key.
 *
 * Owns the EVP_PKEY. Never logs or copies key material; buffers that held
 * PEM text are cleansed before they are freed. A key named by a PKCS#11
 * URI is loaded from its token (crypto/token.h) and stays there.
 */
#include "crypto/signer.h"
#include "core/params.h"
#include "core/config.h"
#include "crypto/keyfile.h"
#include "crypto/token.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>

static void
openssl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_get_error();
	if (e == 0)
		snprintf(buf, cap, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
}

gw_rc
signer_load(struct gw_signer **out, const char *cert_pem, const char *key_pem,
            char *errbuf, size_t errcap)
{
	struct gw_signer *s = NULL;
	FILE *f = NULL;
	char why[256];
	gw_rc rc = GW_ECRYPTO;

	*out = NULL;
	/* A key in a token has no file to check: its PIN guards it. */
	int in_token = token_is_uri(key_pem);
	if (!in_token && (rc = keyfile_check(key_pem, "private key", errbuf, errcap)) != GW_OK)
		return rc;
	rc = GW_ECRYPTO;
	if ((s = calloc(1, sizeof *s)) == NULL || (s->chain = sk_X509_new_null()) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	if ((f = fopen(cert_pem, "r")) == NULL) {
		snprintf(errbuf, errcap, "%s: %s", cert_pem, strerror(errno));
		rc = GW_ECONFIG;
		goto out;
	}
	if ((s->cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		openssl_reason(why, sizeof why);
		snprintf(errbuf, errcap, "%s: no PEM certificate: %s", cert_pem, why);
		goto out;
	}
	X509 *extra;
	while ((extra = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(s->chain, extra);
	ERR_clear_error();
	fclose(f);
	f = NULL;
	char shown[512];
	if (in_token) {
		s->in_token = 1;
		token_uri_shown(key_pem, shown, sizeof shown);
		if ((s->key = token_load_key(key_pem, param_str(P_SIGNING_PKCS11_MODULE), errbuf,
		    errcap)) == NULL)
			goto out;
		key_pem = shown;                 /* named from here on without its PIN */
	} else if ((f = fopen(key_pem, "r")) == NULL) {
		snprintf(errbuf, errcap, "%s: %s", key_pem, strerror(errno));
		rc = GW_ECONFIG;
		goto out;
	}
	if (!in_token && (s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		openssl_reason(why, sizeof why);
		snprintf(errbuf, errcap, "%s: no PEM private key: %s", key_pem, why);
		goto out;
	}
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		snprintf(errbuf, errcap, "%s does not match the certificate %s", key_pem, cert_pem);
		goto out;
	}
	*out = s;
	s = NULL;
	rc = GW_OK;
out:
	if (f != NULL)
		fclose(f);
	signer_free(s);
	return rc;
}

gw_rc
signer_rsa_sha256(const struct gw_signer *s, const unsigned char *data, size_t len,
                  unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	gw_rc rc = GW_ECRYPTO;

	*sig = NULL;
	if (ctx == NULL)
		return GW_ENOMEM;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, s->key) != 1 ||
	    EVP_DigestSign(ctx, NULL, siglen, data, len) != 1)
		goto out;
	if ((*sig = OPENSSL_malloc(*siglen)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(ctx, *sig, siglen, data, len) != 1) {
		OPENSSL_free(*sig);
		*sig = NULL;
		goto out;
	}
	rc = GW_OK;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
signer_free(struct gw_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	if (s->chain != NULL)
		sk_X509_pop_free(s->chain, X509_free);
	free(s);
}

gw_rc
signer_from_config(struct gw_signer **out, const char *cert_opt, const char *key_opt,
                   char *errbuf, size_t errcap)
{
	const char *cert = cert_opt ? cert_opt
	    : param_str(P_SIGNING_CERT);
	const char *key = key_opt ? key_opt
	    : param_str(P_SIGNING_KEY);
	return signer_load(out, cert, key, errbuf, errcap);
}

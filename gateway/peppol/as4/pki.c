/*
 * pki.c - is a peer's certificate a Peppol AP certificate, now?
 *
 * The trust store holds the configured root and AP CA and the AP CA's CRL;
 * a certificate must chain to it, be valid at the given moment (the
 * gateway's clock, passed in, never the system's) and not be revoked.
 * Anything else in the message (a chain the sender sends along) is not
 * trusted: the Peppol profile names the CA, the sender does not.
 */
#include "peppol/as4/as4_int.h"

#include <stdio.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

gw_rc
as4_trust_load(X509_STORE **out, const char *ca_file, const char *crl_file, char *why, size_t whycap)
{
	X509_STORE *st = X509_STORE_new();
	*out = NULL;
	if (st == NULL)
		return GW_ENOMEM;
	if (X509_STORE_load_file(st, ca_file) != 1) {
		snprintf(why, whycap, "%s: no PEM CA certificates to load", ca_file);
		goto bad;
	}
	if (crl_file != NULL) {
		FILE *f = fopen(crl_file, "r");
		X509_CRL *crl = f ? PEM_read_X509_CRL(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		if (crl == NULL || X509_STORE_add_crl(st, crl) != 1) {
			X509_CRL_free(crl);
			snprintf(why, whycap, "%s: not a PEM CRL", crl_file);
			goto bad;
		}
		X509_CRL_free(crl);
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	ERR_clear_error();
	*out = st;
	return GW_OK;
bad:
	ERR_clear_error();
	X509_STORE_free(st);
	return GW_ECONFIG;
}

/* The earliest nextUpdate of the CRLs in the store, unix seconds; 0 when
 * there is none (or one without a nextUpdate: never stale by date). */
int64_t
as4_trust_crl_next_update(X509_STORE *store)
{
	int64_t best = 0;
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	for (int i = 0; objs != NULL && i < sk_X509_OBJECT_num(objs); i++) {
		X509_CRL *crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objs, i));
		const ASN1_TIME *t = crl ? X509_CRL_get0_nextUpdate(crl) : NULL;
		struct tm tm;
		if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
			continue;
		int64_t s = (int64_t)timegm(&tm);
		if (best == 0 || s < best)
			best = s;
	}
	return best;
}

gw_rc
as4_cert_check(X509_STORE *store, X509 *cert, int64_t at_s, char *why, size_t whycap)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	gw_rc rc = GW_ECRYPTO;
	if (ctx == NULL)
		return GW_ENOMEM;
	if (X509_STORE_CTX_init(ctx, store, cert, NULL) != 1) {
		rc = GW_ENOMEM;
		goto out;
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at_s);
	if (X509_verify_cert(ctx) == 1) {
		rc = GW_OK;
		goto out;
	}
	int err = X509_STORE_CTX_get_error(ctx);
	char subj[256];
	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof subj);
	snprintf(why, whycap, "certificate %s: %s", subj, X509_verify_cert_error_string(err));
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	return rc;
}

/*
 * dsig.c - the enveloped XMLDSig of SMP answers, through xmlsec1: the only
 * user of xmlsec1 in the gateway. Verifying takes the key from the
 * certificate the caller found in the answer (never a key xmlsec1 would
 * look up by itself), allows only the empty reference URI (the whole
 * document) and the transforms an SMP uses; signing is RSA-SHA256 over
 * SHA-256 with exclusive C14N. Whether the certificate may sign SMP
 * answers is the caller's question (meta.c), not xmlsec1's.
 */
#include "peppol/smp/smp_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>

static pthread_once_t xs_once = PTHREAD_ONCE_INIT;
static gw_rc xs_rc = GW_OK;

/* xmlsec1 prints every failure to stderr; the reader reports its own. */
static void
xs_quiet(const char *file, int line, const char *func, const char *obj, const char *subj,
         int reason, const char *msg)
{
	(void)file; (void)line; (void)func; (void)obj; (void)subj; (void)reason; (void)msg;
}

static void
xs_init(void)
{
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
	    xmlSecCryptoInit() < 0)
		xs_rc = GW_EINTERNAL;
	xmlSecErrorsSetCallback(xs_quiet);
}

gw_rc
smp_xmlsec_init(void)
{
	pthread_once(&xs_once, xs_init);
	return xs_rc;
}

/* An xmlsec key holding pk (one more reference taken). */
static xmlSecKeyPtr
xs_key(EVP_PKEY *pk)
{
	if (pk == NULL || EVP_PKEY_up_ref(pk) != 1)
		return NULL;
	xmlSecKeyDataPtr d = xmlSecOpenSSLEvpKeyAdopt(pk);
	if (d == NULL) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	xmlSecKeyPtr k = xmlSecKeyCreate();
	if (k == NULL || xmlSecKeySetValue(k, d) < 0) {
		xmlSecKeyDataDestroy(d);
		if (k != NULL)
			xmlSecKeyDestroy(k);
		return NULL;
	}
	return k;
}

/* The transforms an SMP signature may use: anything else is refused
 * before it runs (no XPath, no XSLT, no base64 of a foreign node). */
static int
xs_allow(xmlSecDSigCtxPtr c)
{
	xmlSecTransformId ref[] = { xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId,
	    xmlSecTransformInclC14NId, xmlSecTransformSha1Id, xmlSecTransformSha256Id };
	xmlSecTransformId si[] = { xmlSecTransformExclC14NId, xmlSecTransformInclC14NId,
	    xmlSecTransformRsaSha1Id, xmlSecTransformRsaSha256Id };
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
		if (xmlSecDSigCtxEnableReferenceTransform(c, ref[i]) < 0)
			return 0;
	for (size_t i = 0; i < sizeof si / sizeof si[0]; i++)
		if (xmlSecDSigCtxEnableSignatureTransform(c, si[i]) < 0)
			return 0;
	c->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
	return 1;
}

gw_rc
smp_dsig_verify(xmlNodePtr sig, X509 *cert, struct smp_answer *a)
{
	gw_rc rc = smp_xmlsec_init();
	if (rc != GW_OK) {
		snprintf(a->sig_why, sizeof a->sig_why, "xmlsec1 cannot be initialised");
		return rc;
	}
	xmlSecKeyPtr key = xs_key(X509_get0_pubkey(cert));
	xmlSecDSigCtxPtr c = key ? xmlSecDSigCtxCreate(NULL) : NULL;
	if (c == NULL) {
		if (key != NULL)
			xmlSecKeyDestroy(key);
		return GW_ENOMEM;
	}
	c->signKey = key;
	if (!xs_allow(c)) {
		rc = GW_ENOMEM;
		goto out;
	}
	int r = xmlSecDSigCtxVerify(c, sig);
	if (c->signMethod != NULL && c->signMethod->id != NULL && c->signMethod->id->href != NULL)
		snprintf(a->sig_alg, sizeof a->sig_alg, "%s", (const char *)c->signMethod->id->href);
	if (c->c14nMethod != NULL && c->c14nMethod->id != NULL && c->c14nMethod->id->href != NULL)
		snprintf(a->c14n, sizeof a->c14n, "%s", (const char *)c->c14nMethod->id->href);
	if (c->signMethod != NULL && c->signMethod->id == xmlSecTransformRsaSha1Id)
		a->weak = 1;
	xmlSecSize nref = xmlSecPtrListGetSize(&c->signedInfoReferences);
	for (xmlSecSize i = 0; i < nref; i++) {
		xmlSecDSigReferenceCtxPtr rf = xmlSecPtrListGetItem(&c->signedInfoReferences, i);
		if (rf != NULL && rf->digestMethod != NULL && rf->digestMethod->id == xmlSecTransformSha1Id)
			a->weak = 1;
		if (rf != NULL && rf->status != xmlSecDSigStatusSucceeded && a->sig_why[0] == '\0')
			snprintf(a->sig_why, sizeof a->sig_why, "the digest of reference URI=\"%s\" does not"
			    " match the document (changed after signing)",
			    rf->uri ? (const char *)rf->uri : "");
	}
	if (r < 0) {
		if (a->sig_why[0] == '\0')
			snprintf(a->sig_why, sizeof a->sig_why, "the signature cannot be processed (an"
			    " algorithm, transform or reference URI an SMP answer does not use)");
	} else if (nref != 1) {
		snprintf(a->sig_why, sizeof a->sig_why, "%u references signed; an SMP answer signs one",
		    (unsigned)nref);
	} else if (c->status == xmlSecDSigStatusSucceeded) {
		a->sig_ok = 1;
		a->sig_why[0] = '\0';
	} else if (a->sig_why[0] == '\0') {
		snprintf(a->sig_why, sizeof a->sig_why, "the signature value does not verify with the"
		    " certificate's key");
	}
out:
	xmlSecDSigCtxDestroy(c);       /* destroys signKey too */
	ERR_clear_error();
	return rc;
}

gw_rc
smp_dsig_sign(xmlDocPtr doc, const struct gw_signer *s, char *why, size_t whycap)
{
	gw_rc rc = smp_xmlsec_init();
	if (rc != GW_OK) {
		snprintf(why, whycap, "xmlsec1 cannot be initialised");
		return rc;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId,
	    xmlSecTransformRsaSha256Id, NULL);
	if (sig == NULL)
		return GW_ENOMEM;
	xmlAddChild(root, sig);
	xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
	    (const xmlChar *)"", NULL);
	if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL)
		return GW_ENOMEM;
	xmlSecKeyPtr key = xs_key(s->key);
	xmlSecDSigCtxPtr c = key ? xmlSecDSigCtxCreate(NULL) : NULL;
	if (c == NULL) {
		if (key != NULL)
			xmlSecKeyDestroy(key);
		return GW_ENOMEM;
	}
	c->signKey = key;
	if (xmlSecDSigCtxSign(c, sig) < 0) {
		snprintf(why, whycap, "xmlsec1 could not sign the service metadata");
		rc = GW_ECRYPTO;
	}
	xmlSecDSigCtxDestroy(c);
	ERR_clear_error();
	if (rc != GW_OK)
		return rc;
	/* KeyInfo is outside what is signed: the reader takes the certificate
	 * from here and then checks that it chains to the SMP CA. */
	char *b64 = smp_cert_b64(s->cert);
	xmlNsPtr ns = sig->ns;
	xmlNodePtr ki = b64 ? xmlNewChild(sig, ns, (const xmlChar *)"KeyInfo", NULL) : NULL;
	xmlNodePtr xd = ki ? xmlNewChild(ki, ns, (const xmlChar *)"X509Data", NULL) : NULL;
	xmlNodePtr xc = xd ? xmlNewChild(xd, ns, (const xmlChar *)"X509Certificate",
	    (const xmlChar *)b64) : NULL;
	free(b64);
	return xc != NULL ? GW_OK : GW_ENOMEM;
}

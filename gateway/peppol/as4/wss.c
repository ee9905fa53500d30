/*
 * wss.c - the WS-Security 1.1 signature of an AS4 message: sign and verify.
 *
 * RSA-SHA256 over the exclusive C14N of ds:SignedInfo, SHA-256 digests,
 * references to eb:Messaging and the Body by wsu:Id and to attachments by
 * cid: with the attachment content signature transform, the signer's
 * certificate in a BinarySecurityToken. Done with libxml2's C14N and
 * OpenSSL EVP rather than xmlsec1, whose Debian 1.2 has no SwA transform.
 *
 * Verification takes nothing from the message on trust: algorithms are the
 * profile's only, every referenced id must exist exactly once, and the
 * referenced elements must be the envelope's own eb:Messaging and Body (an
 * element moved elsewhere, or a second Body, is signature wrapping). What
 * the certificate is worth (chain, revocation) is the caller's check.
 */
#include "peppol/as4/as4_int.h"
#include "crypto/x509_memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

static void
say(void (*report)(void *, const char *), void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(void (*report)(void *, const char *), void *arg, const char *fmt, ...)
{
	if (report == NULL)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	report(arg, line);
}

/* Every element with that wsu:Id or Id, counted; the first one kept. */
static void
find_id(xmlNodePtr n, const char *id, xmlNodePtr *first, int *count)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *v = x_id(n);
		if (v != NULL) {
			if (strcmp((const char *)v, id) == 0) {
				if (*count == 0)
					*first = n;
				(*count)++;
			}
			xmlFree(v);
		}
		find_id(n->children, id, first, count);
	}
}

static xmlNodePtr
find_target(xmlDocPtr doc, const char *id)
{
	xmlNodePtr t = NULL;
	int count = 0;
	find_id(xmlDocGetRootElement(doc), id, &t, &count);
	return count == 1 ? t : NULL;
}

/* Axis2/Axiom (Holodeck B2B) signs eb:Messaging with its mustUnderstand
 * attribute under a prefix the element itself declares (xmlns:mustUnderstand
 * = the SOAP namespace) and then writes the attribute as soapenv:. The
 * expanded names are the same; only the lexical prefix moved. 1 when the
 * digest matches with an attribute of n under another prefix that n
 * declares for the same namespace; the document is left as it was. */
static int
alt_prefix_digest(xmlDocPtr doc, xmlNodePtr n, const char *prefixes, const char *digest)
{
	char want[64];
	if (n == NULL)
		return 0;
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (a->ns == NULL)
			continue;
		for (xmlNsPtr d = n->nsDef; d; d = d->next) {
			if (d == a->ns || d->prefix == NULL || !xmlStrEqual(d->href, a->ns->href))
				continue;
			xmlNsPtr keep = a->ns;
			a->ns = d;
			int ok = c14n_digest(doc, n, prefixes, want, sizeof want) == GW_OK &&
			         strcmp(want, digest) == 0;
			a->ns = keep;
			if (ok)
				return 1;
		}
	}
	return 0;
}

/* Parse fragment text as children of parent (its namespaces in scope). */
static gw_rc
add_fragment(xmlNodePtr parent, const char *text, size_t len)
{
	xmlNodePtr list = NULL;
	if (xmlParseInNodeContext(parent, text, (int)len, XML_PARSE_NONET, &list) != XML_ERR_OK) {
		xmlFreeNodeList(list);
		return GW_EINTERNAL;
	}
	xmlAddChildList(parent, list);
	return GW_OK;
}

gw_rc
wss_sign(xmlDocPtr doc, const struct gw_signer *s, struct as4_refs *refs, char *why, size_t whycap)
{
	xmlNodePtr header, messaging, body;
	struct abuf b = { 0 };
	unsigned char *der = NULL, *si = NULL, *sig = NULL;
	char *bst = NULL, *sigb64 = NULL;
	size_t silen = 0, siglen = 0;
	gw_rc rc;

	if ((rc = soap_parts(doc, &header, &messaging, &body, why, whycap)) != GW_OK)
		return rc;
	xmlNodePtr sec = x_child(header, NS_WSSE, "Security");
	if (sec == NULL) {
		snprintf(why, whycap, "no wsse:Security header to sign into");
		return GW_EINTERNAL;
	}
	for (int i = 0; i < refs->n; i++) {
		struct as4_ref *r = &refs->ref[i];
		if (r->uri[0] != '#')
			continue;
		xmlNodePtr target = NULL;
		int count = 0;
		find_id(xmlDocGetRootElement(doc), r->uri + 1, &target, &count);
		if (count != 1) {
			snprintf(why, whycap, "reference %s: %d elements with that id", r->uri, count);
			return GW_EINTERNAL;
		}
		if ((rc = c14n_digest(doc, target, NULL, r->digest, sizeof r->digest)) != GW_OK)
			return rc;
	}
	int dlen = i2d_X509(s->cert, &der);
	if (dlen <= 0 || (bst = b64_encode(der, (size_t)dlen)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	char bst_id[64], sig_id[64], u[40];
	as4_uuid(u, sizeof u);
	snprintf(bst_id, sizeof bst_id, "X509-%s", u);
	as4_uuid(u, sizeof u);
	snprintf(sig_id, sizeof sig_id, "SIG-%s", u);

	abuf_printf(&b, "<wsse:BinarySecurityToken EncodingType=\"%s\" ValueType=\"%s\" wsu:Id=\"%s\">%s"
	            "</wsse:BinarySecurityToken>", ET_BASE64, VT_X509, bst_id, bst);
	abuf_printf(&b, "<ds:Signature xmlns:ds=\"%s\" Id=\"%s\"><ds:SignedInfo>"
	            "<ds:CanonicalizationMethod Algorithm=\"%s\"/>"
	            "<ds:SignatureMethod Algorithm=\"%s\"/>", NS_DS, sig_id, ALG_EXC_C14N, ALG_RSA_SHA256);
	for (int i = 0; i < refs->n; i++) {
		abuf_str(&b, "<ds:Reference URI=\"");
		abuf_xml(&b, refs->ref[i].uri);
		abuf_printf(&b, "\"><ds:Transforms><ds:Transform Algorithm=\"%s\"/></ds:Transforms>"
		            "<ds:DigestMethod Algorithm=\"%s\"/><ds:DigestValue>%s</ds:DigestValue>"
		            "</ds:Reference>", refs->ref[i].attachment ? ALG_ATT_SIG : ALG_EXC_C14N,
		            ALG_SHA256, refs->ref[i].digest);
	}
	abuf_printf(&b, "</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference>"
	            "<wsse:Reference URI=\"#%s\" ValueType=\"%s\"/></wsse:SecurityTokenReference>"
	            "</ds:KeyInfo></ds:Signature>", bst_id, VT_X509);
	if (b.failed) {
		rc = GW_ENOMEM;
		goto out;
	}
	if ((rc = add_fragment(sec, b.p, b.n)) != GW_OK) {
		snprintf(why, whycap, "signature header does not parse");
		goto out;
	}
	xmlNodePtr sigel = x_child(sec, NS_DS, "Signature");
	xmlNodePtr sinfo = x_child(sigel, NS_DS, "SignedInfo");
	if ((rc = c14n_subtree(doc, sinfo, NULL, &si, &silen)) != GW_OK)
		goto out;
	if ((rc = signer_rsa_sha256(s, si, silen, &sig, &siglen)) != GW_OK) {
		snprintf(why, whycap, "RSA-SHA256 signing failed");
		goto out;
	}
	if ((sigb64 = b64_encode(sig, siglen)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	xmlNodeSetContent(x_child(sigel, NS_DS, "SignatureValue"), BAD_CAST sigb64);
	rc = GW_OK;
out:
	OPENSSL_free(der);
	free(bst);
	free(b.p);
	free(si);
	free(sig);
	free(sigb64);
	return rc;
}

/* The InclusiveNamespaces PrefixList under an algorithm element, if any. */
static void
prefixes_of(xmlNodePtr alg, char *buf, size_t cap)
{
	buf[0] = '\0';
	xmlNodePtr in = x_child(alg, NS_EXC, "InclusiveNamespaces");
	if (in != NULL)
		x_attr(in, NULL, "PrefixList", buf, cap);
}

/* The certificate of the BinarySecurityToken KeyInfo points to. */
static X509 *
signer_cert(xmlNodePtr sec, xmlNodePtr sig, char *why, size_t whycap)
{
	char uri[256], vt[256];
	xmlNodePtr ref = x_child(x_child(x_child(sig, NS_DS, "KeyInfo"), NS_WSSE, "SecurityTokenReference"),
	                         NS_WSSE, "Reference");
	if (!x_attr(ref, NULL, "URI", uri, sizeof uri) || uri[0] != '#') {
		snprintf(why, whycap, "Signature: KeyInfo does not refer to a BinarySecurityToken");
		return NULL;
	}
	for (xmlNodePtr t = x_child(sec, NS_WSSE, "BinarySecurityToken"); t;
	     t = x_next(t, NS_WSSE, "BinarySecurityToken")) {
		xmlChar *id = x_id(t);
		int match = id != NULL && strcmp((const char *)id, uri + 1) == 0;
		xmlFree(id);
		if (!match)
			continue;
		if (!x_attr(t, NULL, "ValueType", vt, sizeof vt) || strcmp(vt, VT_X509) != 0) {
			snprintf(why, whycap, "BinarySecurityToken %s: ValueType is not X509v3", uri);
			return NULL;
		}
		xmlChar *text = xmlNodeGetContent(t);
		size_t len = 0;
		unsigned char *der = text ? b64_decode((const char *)text, &len) : NULL;
		xmlFree(text);
		/* The same few peers sign every message: decoded once (the
		 * caller still checks the certificate's chain each time). */
		X509 *c = der ? x509_memo_d2i(der, len) : NULL;
		free(der);
		if (c == NULL)
			snprintf(why, whycap, "BinarySecurityToken %s: not a DER certificate", uri);
		return c;
	}
	snprintf(why, whycap, "Signature: no BinarySecurityToken with id %s", uri + 1);
	return NULL;
}

gw_rc
wss_verify(xmlDocPtr doc, wss_att_digest_fn att, void *att_arg, int *unchecked,
           struct wss_result *res, void (*report)(void *, const char *), void *rarg,
           char *why, size_t whycap)
{
	xmlNodePtr header, messaging, body;
	char alg[256], prefixes[256], uri[256], digest[128], want[64];
	unsigned char *si = NULL, *sig = NULL;
	size_t silen = 0, siglen = 0;
	int bad = 0, saw_messaging = 0, saw_body = 0;
	EVP_MD_CTX *md = NULL;
	gw_rc rc;

	memset(res, 0, sizeof *res);
	*unchecked = 0;
	if ((rc = soap_parts(doc, &header, &messaging, &body, why, whycap)) != GW_OK)
		return rc;
	if (x_count(header, NS_WSSE, "Security") != 1) {
		snprintf(why, whycap, "Header: expected one wsse:Security, found %d",
		         x_count(header, NS_WSSE, "Security"));
		return GW_ECRYPTO;
	}
	xmlNodePtr sec = x_child(header, NS_WSSE, "Security");
	if (x_count(sec, NS_DS, "Signature") != 1) {
		snprintf(why, whycap, "Security: expected one ds:Signature, found %d",
		         x_count(sec, NS_DS, "Signature"));
		return GW_ECRYPTO;
	}
	xmlNodePtr sigel = x_child(sec, NS_DS, "Signature");
	xmlNodePtr sinfo = x_child(sigel, NS_DS, "SignedInfo");
	xmlNodePtr cm = x_child(sinfo, NS_DS, "CanonicalizationMethod");
	if (!x_attr(cm, NULL, "Algorithm", alg, sizeof alg) || strcmp(alg, ALG_EXC_C14N) != 0) {
		snprintf(why, whycap, "SignedInfo: canonicalization \"%s\" is not exclusive C14N", alg);
		return GW_ECRYPTO;
	}
	char si_prefixes[256];
	prefixes_of(cm, si_prefixes, sizeof si_prefixes);
	if (!x_attr(x_child(sinfo, NS_DS, "SignatureMethod"), NULL, "Algorithm", alg, sizeof alg) ||
	    strcmp(alg, ALG_RSA_SHA256) != 0) {
		snprintf(why, whycap, "SignedInfo: signature method \"%s\" is not RSA-SHA256", alg);
		return GW_ECRYPTO;
	}
	for (xmlNodePtr r = x_child(sinfo, NS_DS, "Reference"); r; r = x_next(r, NS_DS, "Reference")) {
		if (res->refs.n == AS4_MAX_REFS) {
			snprintf(why, whycap, "SignedInfo: more than %d references", AS4_MAX_REFS);
			rc = GW_ECRYPTO;
			goto out;
		}
		struct as4_ref *ref = &res->refs.ref[res->refs.n++];
		if (!x_attr(r, NULL, "URI", uri, sizeof uri) || uri[0] == '\0') {
			snprintf(why, whycap, "Reference %d: no URI", res->refs.n);
			rc = GW_ECRYPTO;
			goto out;
		}
		as4_copy(ref->uri, sizeof ref->uri, uri);
		if (!x_attr(x_child(r, NS_DS, "DigestMethod"), NULL, "Algorithm", alg, sizeof alg) ||
		    strcmp(alg, ALG_SHA256) != 0) {
			snprintf(why, whycap, "Reference %s: digest method \"%s\" is not SHA-256", uri, alg);
			rc = GW_ECRYPTO;
			goto out;
		}
		if (!x_text(x_child(r, NS_DS, "DigestValue"), digest, sizeof digest) ||
		    !as4_copy(ref->digest, sizeof ref->digest, digest)) {
			snprintf(why, whycap, "Reference %s: no DigestValue", uri);
			rc = GW_ECRYPTO;
			goto out;
		}
		xmlNodePtr tr = x_child(x_child(r, NS_DS, "Transforms"), NS_DS, "Transform");
		int ntr = x_count(x_child(r, NS_DS, "Transforms"), NS_DS, "Transform");
		x_attr(tr, NULL, "Algorithm", alg, sizeof alg);
		if (ntr != 1) {
			snprintf(why, whycap, "Reference %s: expected one transform, found %d", uri, ntr);
			rc = GW_ECRYPTO;
			goto out;
		}
		if (strncmp(uri, "cid:", 4) == 0) {
			ref->attachment = 1;
			if (strcmp(alg, ALG_ATT_SIG) != 0) {
				snprintf(why, whycap, "Reference %s: transform \"%s\" is not the attachment "
				         "content signature transform", uri, alg);
				rc = GW_ECRYPTO;
				goto out;
			}
			if (att == NULL || !att(att_arg, uri, want, sizeof want)) {
				(*unchecked)++;
				say(report, rarg, "reference %s: attachment digest not checked "
				    "(encrypted: cannot be checked without the receiver's key)", uri);
				continue;
			}
		} else if (uri[0] == '#') {
			if (strcmp(alg, ALG_EXC_C14N) != 0) {
				snprintf(why, whycap, "Reference %s: transform \"%s\" is not exclusive C14N",
				         uri, alg);
				rc = GW_ECRYPTO;
				goto out;
			}
			xmlNodePtr target = NULL;
			int count = 0;
			find_id(xmlDocGetRootElement(doc), uri + 1, &target, &count);
			if (count != 1) {
				snprintf(why, whycap, "Reference %s: %d elements carry that id (signature "
				         "wrapping?)", uri, count);
				rc = GW_ECRYPTO;
				goto out;
			}
			if (target == messaging)
				saw_messaging = 1;
			else if (target == body)
				saw_body = 1;
			prefixes_of(tr, prefixes, sizeof prefixes);
			if ((rc = c14n_digest(doc, target, prefixes, want, sizeof want)) != GW_OK) {
				snprintf(why, whycap, "Reference %s: canonicalization failed", uri);
				rc = GW_ECRYPTO;
				goto out;
			}
		} else {
			snprintf(why, whycap, "Reference %s: neither #id nor cid:", uri);
			rc = GW_ECRYPTO;
			goto out;
		}
		if (strcmp(want, digest) != 0 && uri[0] == '#' &&
		    alt_prefix_digest(doc, find_target(doc, uri + 1), prefixes, digest)) {
			say(report, rarg, "reference %s: digest ok once an attribute's prefix is the other "
			    "one its element declares for the same namespace (the sender's serializer "
			    "renamed it after signing; same content)", uri);
			continue;
		}
		if (strcmp(want, digest) != 0) {
			say(report, rarg, "reference %s: digest MISMATCH (message says %s, content gives %s)",
			    uri, digest, want);
			bad++;
		} else {
			say(report, rarg, "reference %s: digest ok", uri);
		}
	}
	if (bad) {
		snprintf(why, whycap, "%d reference digest(s) do not match the content", bad);
		rc = GW_ECRYPTO;
		goto out;
	}
	if (!saw_messaging || !saw_body) {
		snprintf(why, whycap, "the signature does not cover the envelope's own %s (signature "
		         "wrapping?)", !saw_messaging ? "eb:Messaging" : "Body");
		rc = GW_ECRYPTO;
		goto out;
	}
	if ((res->cert = signer_cert(sec, sigel, why, whycap)) == NULL) {
		rc = GW_ECRYPTO;
		goto out;
	}
	xmlChar *sv = xmlNodeGetContent(x_child(sigel, NS_DS, "SignatureValue"));
	sig = sv ? b64_decode((const char *)sv, &siglen) : NULL;
	xmlFree(sv);
	if (sig == NULL) {
		snprintf(why, whycap, "Signature: SignatureValue is not base64");
		rc = GW_ECRYPTO;
		goto out;
	}
	if ((rc = c14n_subtree(doc, sinfo, si_prefixes, &si, &silen)) != GW_OK) {
		rc = GW_ECRYPTO;
		goto out;
	}
	EVP_PKEY *pub = X509_get0_pubkey(res->cert);
	md = EVP_MD_CTX_new();
	if (pub == NULL || md == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, si, silen) != 1) {
		ERR_clear_error();
		say(report, rarg, "signature value: does NOT verify against the certificate in the message");
		snprintf(why, whycap, "the signature value does not verify against the signer's certificate");
		rc = GW_ECRYPTO;
		goto out;
	}
	say(report, rarg, "signature value: ok (RSA-SHA256)");
	res->messaging = messaging;
	res->body = body;
	rc = GW_OK;
out:
	EVP_MD_CTX_free(md);
	free(si);
	free(sig);
	if (rc != GW_OK)
		wss_result_free(res);
	return rc;
}

void
wss_result_free(struct wss_result *r)
{
	X509_free(r->cert);
	r->cert = NULL;
}

/*
 * meta.c - reading a signed SMP answer (SignedServiceMetadata, Peppol SMP
 * 1.x) and deciding what it is worth: the shape is checked before the
 * signature (exactly one ServiceMetadata and one Signature, both children
 * of the root, the Signature over the whole document), so that what the
 * endpoints are read from is what was signed - a wrapped or second
 * ServiceMetadata is refused, not skipped. Then the signer's certificate:
 * valid at the given moment and under the SMP CA. Parsed with
 * core/xml_safe (no DTD, no entities, no network).
 */
#include "peppol/smp/smp_int.h"
#include "core/clock.h"
#include "core/xml_safe.h"
#include "core/xml_text.h"
#include "peppol/as4/as4.h"

#include <stdio.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define DS_NS "http://www.w3.org/2000/09/xmldsig#"

char *
smp_cert_b64(X509 *cert)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	if (n <= 0)
		return NULL;
	char *b = malloc((size_t)(4 * ((n + 2) / 3) + 1));
	if (b != NULL)
		EVP_EncodeBlock((unsigned char *)b, der, n);
	OPENSSL_free(der);
	return b;
}

X509 *
smp_cert_from_b64(const char *text)
{
	size_t n = strlen(text), o = 0;
	char *clean = malloc(n + 1);
	unsigned char *der = malloc(n + 1);
	X509 *x = NULL;
	if (clean == NULL || der == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t')
			clean[o++] = text[i];
	clean[o] = '\0';
	if (o == 0 || o % 4 != 0)
		goto out;
	int dl = EVP_DecodeBlock(der, (unsigned char *)clean, (int)o);
	if (dl <= 0)
		goto out;
	dl -= (clean[o - 1] == '=') + (clean[o - 2] == '=');
	const unsigned char *p = der;
	x = d2i_X509(NULL, &p, dl);
	if (x != NULL && p != der + dl) {     /* trailing bytes: not one certificate */
		X509_free(x);
		x = NULL;
	}
out:
	free(clean);
	free(der);
	return x;
}

/* Is n the element ns:name? */
static int
is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

/* The only element child ns:name of n; NULL when none, *many when more. */
static xmlNode *
one(const xmlNode *n, const char *ns, const char *name, int *many)
{
	xmlNode *f = NULL;
	for (xmlNode *k = n ? n->children : NULL; k != NULL; k = k->next)
		if (is_el(k, ns, name)) {
			if (f != NULL && many != NULL)
				*many = 1;
			if (f == NULL)
				f = k;
		}
	return f;
}

/* How many ds:Signature elements are under n (n included). */
static int
count_sigs(const xmlNode *n)
{
	int c = is_el(n, DS_NS, "Signature");
	for (const xmlNode *k = n->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			c += count_sigs(k);
	return c;
}

/* An xs:dateTime (a zone-less one is taken as UTC) or xs:date. */
static int
read_date(const xmlNode *n, int64_t *out)
{
	char t[64], z[72], why[100];
	int64_t ms;
	if (!xml_node_text(n, t, sizeof t) || t[0] == '\0')
		return 0;
	size_t l = strlen(t);
	if (l == 10)
		snprintf(z, sizeof z, "%sT00:00:00Z", t);
	else if (l >= 19 && t[l - 1] != 'Z' && t[l - 6] != '+' && t[l - 6] != '-')
		snprintf(z, sizeof z, "%sZ", t);
	else
		snprintf(z, sizeof z, "%s", t);
	if (clock_parse_iso(z, &ms, why, sizeof why) != GW_OK)
		return 0;
	*out = ms / 1000 - (ms < 0 && ms % 1000 ? 1 : 0);
	return 1;
}

/* "scheme::value" of an identifier element. */
static int
read_id(const xmlNode *n, char *buf, size_t cap)
{
	char v[600];
	if (n == NULL || !xml_node_text(n, v, sizeof v) || v[0] == '\0')
		return 0;
	xmlChar *s = xmlGetProp(n, (const xmlChar *)"scheme");
	int ok = s != NULL && snprintf(buf, cap, "%s::%s", (const char *)s, v) < (int)cap;
	xmlFree(s);
	return ok;
}

/* An ASN1 time as unix seconds (its distance from the epoch). */
static int64_t
asn1_s(const ASN1_TIME *t)
{
	int d = 0, sec = 0;
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int ok = epoch != NULL && t != NULL && ASN1_TIME_diff(&d, &sec, epoch, t) == 1;
	ASN1_TIME_free(epoch);
	return ok ? (int64_t)d * 86400 + sec : 0;
}

static void
subject(X509 *x, char *buf, size_t cap, int issuer)
{
	BIO *b = BIO_new(BIO_s_mem());
	buf[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253);
	int n = BIO_read(b, buf, (int)cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* One Endpoint element into e. */
static const char *
read_endpoint(const xmlNode *en, const char *process, struct smp_endpoint *e)
{
	memset(e, 0, sizeof *e);
	e->activation_s = INT64_MIN;
	e->expiration_s = INT64_MAX;
	snprintf(e->process, sizeof e->process, "%s", process);
	xmlChar *tp = xmlGetProp(en, (const xmlChar *)"transportProfile");
	int ok = tp != NULL && tp[0] != '\0' &&
	    snprintf(e->transport, sizeof e->transport, "%s", (const char *)tp) < (int)sizeof e->transport;
	xmlFree(tp);
	if (!ok)
		return "Endpoint/@transportProfile";
	const xmlNode *addr = one(one(en, SMP_NS_WSA, "EndpointReference", NULL), SMP_NS_WSA, "Address",
	    NULL);
	if (!xml_node_text(addr, e->url, sizeof e->url) || e->url[0] == '\0')
		return "Endpoint/EndpointReference/Address";
	const xmlNode *d = one(en, SMP_NS, "ServiceActivationDate", NULL);
	if (d != NULL && !read_date(d, &e->activation_s))
		return "Endpoint/ServiceActivationDate";
	d = one(en, SMP_NS, "ServiceExpirationDate", NULL);
	if (d != NULL && !read_date(d, &e->expiration_s))
		return "Endpoint/ServiceExpirationDate";
	char *c = xml_child_text(en, "Certificate");
	if (c != NULL) {
		e->cert = smp_cert_from_b64(c);
		free(c);
		if (e->cert == NULL)
			return "Endpoint/Certificate (not a base64 DER certificate)";
		subject(e->cert, e->subject, sizeof e->subject, 0);
	}
	return NULL;
}

gw_rc
smp_answer_read(const unsigned char *buf, size_t len, X509_STORE *store, int64_t at_s,
                struct smp_answer *a, char *why, size_t whycap)
{
	char xwhy[300] = "";
	const char *field = NULL;
	int many = 0;
	memset(a, 0, sizeof *a);
	xmlDocPtr doc = xml_safe_read_memory(NULL, (const char *)buf, len, "smp-answer", 0, xwhy,
	    sizeof xwhy);
	if (doc == NULL) {
		snprintf(why, whycap, "%s", xwhy);
		return GW_EINPUT;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *sm = NULL, *sig = NULL, *si = NULL;
	if (!is_el(root, SMP_NS, "SignedServiceMetadata")) {
		field = "root element (SignedServiceMetadata of " SMP_NS ")";
		goto bad;
	}
	for (xmlNode *k = root->children; k != NULL && field == NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(k, SMP_NS, "ServiceMetadata") && sm == NULL)
			sm = k;
		else if (is_el(k, DS_NS, "Signature") && sig == NULL)
			sig = k;
		else
			field = "SignedServiceMetadata: an element besides one ServiceMetadata and one"
			    " Signature (a second ServiceMetadata or Signature, or a wrapper)";
	}
	if (field != NULL)
		goto bad;
	if (sm == NULL || sig == NULL) {
		field = sm == NULL ? "ServiceMetadata" : "Signature (the answer is not signed)";
		goto bad;
	}
	if (count_sigs(root) != 1) {
		field = "Signature (another Signature inside the answer)";
		goto bad;
	}
	if ((si = one(sm, SMP_NS, "ServiceInformation", &many)) == NULL || many) {
		field = one(sm, SMP_NS, "Redirect", NULL) ? "ServiceMetadata/Redirect (redirects are not"
		    " followed)" : "ServiceMetadata/ServiceInformation (exactly one)";
		goto bad;
	}
	if (!read_id(one(si, SMP_NS_IDS, "ParticipantIdentifier", NULL), a->participant,
	    sizeof a->participant)) {
		field = "ServiceInformation/ParticipantIdentifier";
		goto bad;
	}
	if (!read_id(one(si, SMP_NS_IDS, "DocumentIdentifier", NULL), a->doctype, sizeof a->doctype)) {
		field = "ServiceInformation/DocumentIdentifier";
		goto bad;
	}
	const xmlNode *pl = one(si, SMP_NS, "ProcessList", NULL);
	for (const xmlNode *p = pl ? pl->children : NULL; p != NULL && field == NULL; p = p->next) {
		if (!is_el(p, SMP_NS, "Process"))
			continue;
		char proc[256];
		if (!read_id(one(p, SMP_NS_IDS, "ProcessIdentifier", NULL), proc, sizeof proc)) {
			field = "Process/ProcessIdentifier";
			break;
		}
		const xmlNode *el = one(p, SMP_NS, "ServiceEndpointList", NULL);
		for (const xmlNode *en = el ? el->children : NULL; en != NULL; en = en->next) {
			if (!is_el(en, SMP_NS, "Endpoint"))
				continue;
			if (a->n == SMP_MAX_ENDPOINTS) {
				field = "ServiceEndpointList (more than 16 endpoints)";
				break;
			}
			if ((field = read_endpoint(en, proc, &a->ep[a->n])) != NULL) {
				X509_free(a->ep[a->n].cert);
				a->ep[a->n].cert = NULL;
				break;
			}
			a->n++;
		}
	}
	if (field != NULL)
		goto bad;
	/* The signer: the one certificate of KeyInfo/X509Data. */
	const xmlNode *xd = one(one(sig, DS_NS, "KeyInfo", NULL), DS_NS, "X509Data", NULL);
	char *ct = xml_child_text(xd, "X509Certificate");
	a->signer = ct ? smp_cert_from_b64(ct) : NULL;
	free(ct);
	if (a->signer == NULL) {
		field = "Signature/KeyInfo/X509Data/X509Certificate";
		goto bad;
	}
	subject(a->signer, a->signer_subject, sizeof a->signer_subject, 0);
	subject(a->signer, a->signer_issuer, sizeof a->signer_issuer, 1);
	a->signer_from_s = asn1_s(X509_get0_notBefore(a->signer));
	a->signer_to_s = asn1_s(X509_get0_notAfter(a->signer));
	gw_rc rc = smp_dsig_verify(sig, a->signer, a);
	if (rc != GW_OK) {
		snprintf(why, whycap, "%s", a->sig_why);
		xmlFreeDoc(doc);
		smp_answer_free(a);
		return rc;
	}
	if (store != NULL) {
		if (as4_cert_check(store, a->signer, at_s, a->cert_why, sizeof a->cert_why) == GW_OK)
			a->cert_ok = 1;
	} else if (at_s < a->signer_from_s || at_s > a->signer_to_s) {
		snprintf(a->cert_why, sizeof a->cert_why, "certificate %s: not valid at that moment",
		    a->signer_subject);
	} else {
		a->cert_ok = 1;
	}
	xmlFreeDoc(doc);
	return GW_OK;
bad:
	snprintf(why, whycap, "not an SMP answer it can read: %s", field);
	xmlFreeDoc(doc);
	smp_answer_free(a);
	return GW_EINPUT;
}

void
smp_answer_free(struct smp_answer *a)
{
	for (int i = 0; i < SMP_MAX_ENDPOINTS; i++) {
		X509_free(a->ep[i].cert);
		a->ep[i].cert = NULL;
	}
	X509_free(a->signer);
	a->signer = NULL;
	a->n = 0;
}

const struct smp_endpoint *
smp_choose(const struct smp_answer *a, const char *process, int64_t at_s, char *why, size_t whycap)
{
	const char *seen = NULL;
	for (int i = 0; i < a->n; i++) {
		const struct smp_endpoint *e = &a->ep[i];
		if (strcmp(e->transport, SMP_AS4) != 0)
			continue;
		if (process != NULL && strcmp(e->process, process) != 0) {
			seen = seen ? seen : "for another process";
			continue;
		}
		if (at_s < e->activation_s) {
			seen = "not active yet";
			continue;
		}
		if (at_s > e->expiration_s) {
			seen = "expired";
			continue;
		}
		if (e->cert == NULL || strncmp(e->url, "https://", 8) != 0) {
			seen = e->cert == NULL ? "without a certificate" : "not https://";
			continue;
		}
		return e;
	}
	if (seen != NULL)
		snprintf(why, whycap, "no usable " SMP_AS4 " endpoint for %s (one is %s)",
		    process ? process : "the document type", seen);
	else
		snprintf(why, whycap, "no " SMP_AS4 " endpoint for %s",
		    process ? process : "the document type");
	return NULL;
}

static void
fmt_s(int64_t s, char *buf, size_t cap)
{
	if (s == INT64_MIN || s == INT64_MAX)
		snprintf(buf, cap, "-");
	else
		clock_format_utc(s * 1000, buf, cap);
}

int
smp_verify_file(const unsigned char *buf, size_t len, X509_STORE *store, int64_t at_s,
                void (*line)(void *arg, const char *text), void *arg)
{
	struct smp_answer a;
	char why[400], l[1400], f[32], t[32];
	if (smp_answer_read(buf, len, store, at_s, &a, why, sizeof why) != GW_OK) {
		snprintf(l, sizeof l, "error: %s", why);
		line(arg, l);
		return 2;
	}
	snprintf(l, sizeof l, "participant: %s", a.participant);
	line(arg, l);
	snprintf(l, sizeof l, "document: %s", a.doctype);
	line(arg, l);
	for (int i = 0; i < a.n; i++) {
		fmt_s(a.ep[i].activation_s, f, sizeof f);
		fmt_s(a.ep[i].expiration_s, t, sizeof t);
		snprintf(l, sizeof l, "endpoint: %s %s activation %s expiration %s certificate %s",
		    a.ep[i].transport, a.ep[i].url, f, t, a.ep[i].subject[0] ? a.ep[i].subject : "-");
		line(arg, l);
	}
	snprintf(l, sizeof l, "signature: %s%s (%s)", a.sig_ok ? "verifies" : "does not verify: ",
	    a.sig_ok ? "" : a.sig_why, a.sig_alg[0] ? a.sig_alg : "unknown algorithm");
	line(arg, l);
	if (a.weak) {
		snprintf(l, sizeof l, "weak: RSA-SHA1 / SHA-1 digest, a weak algorithm (accepted"
		    " when it verifies; Peppol SMPs now sign with RSA-SHA256)");
		line(arg, l);
	}
	fmt_s(a.signer_from_s, f, sizeof f);
	fmt_s(a.signer_to_s, t, sizeof t);
	snprintf(l, sizeof l, "signer: %s issuer %s valid %s to %s", a.signer_subject,
	    a.signer_issuer, f, t);
	line(arg, l);
	snprintf(l, sizeof l, "certificate: %s%s", a.cert_ok ? "ok" : "not accepted: ",
	    a.cert_ok ? (store ? " (valid at that moment, chains to the SMP CA)" :
	    " (valid at that moment; no SMP CA configured, chain not checked)") : a.cert_why);
	line(arg, l);
	int ok = a.sig_ok && a.cert_ok;
	smp_answer_free(&a);
	return ok ? 0 : 1;
}

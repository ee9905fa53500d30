/*
 * publish.c - the answers of our own SMP: a participant's ServiceGroup
 * (the list of its document types' metadata URLs) and the signed
 * ServiceMetadata of one document type with its one AS4 endpoint, in the
 * Peppol SMP 1.x form that meta.c reads back (the unit test checks the
 * round trip). Signing is dsig.c's.
 */
#include "peppol/smp/smp_int.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

/* child ns:name with text (NULL: empty) under parent. */
static xmlNodePtr
el(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return parent ? xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)text) : NULL;
}

static xmlNodePtr
id_el(xmlNodePtr parent, xmlNsPtr ids, const char *name, const char *scheme, const char *value)
{
	xmlNodePtr n = el(parent, ids, name, value);
	if (n != NULL)
		xmlNewProp(n, (const xmlChar *)"scheme", (const xmlChar *)scheme);
	return n;
}

static gw_rc
dump(xmlDocPtr doc, char **out, size_t *len)
{
	xmlChar *mem = NULL;
	int n = 0;
	xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
	if (mem == NULL)
		return GW_ENOMEM;
	*out = malloc((size_t)n + 1);
	if (*out != NULL) {
		memcpy(*out, mem, (size_t)n);
		(*out)[n] = '\0';
		*len = (size_t)n;
	}
	xmlFree(mem);
	return *out ? GW_OK : GW_ENOMEM;
}

gw_rc
smp_sign_metadata(const struct smp_publish *p, const struct gw_signer *key, char **out,
                  size_t *len, char *why, size_t whycap)
{
	*out = NULL;
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = doc ? xmlNewNode(NULL, (const xmlChar *)"SignedServiceMetadata") : NULL;
	if (root == NULL) {
		xmlFreeDoc(doc);
		return GW_ENOMEM;
	}
	xmlDocSetRootElement(doc, root);
	xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)SMP_NS, NULL);
	xmlNsPtr ids = xmlNewNs(root, (const xmlChar *)SMP_NS_IDS, (const xmlChar *)"ids");
	xmlSetNs(root, ns);
	char *b64 = smp_cert_b64(p->ap_cert);
	char date[32];
	xmlNodePtr si = el(el(root, ns, "ServiceMetadata", NULL), ns, "ServiceInformation", NULL);
	id_el(si, ids, "ParticipantIdentifier", SMP_SCHEME_PARTY, p->participant);
	id_el(si, ids, "DocumentIdentifier", SMP_SCHEME_DOC, p->doctype);
	xmlNodePtr pr = el(el(si, ns, "ProcessList", NULL), ns, "Process", NULL);
	id_el(pr, ids, "ProcessIdentifier", SMP_SCHEME_PROC, p->process);
	xmlNodePtr ep = el(el(pr, ns, "ServiceEndpointList", NULL), ns, "Endpoint", NULL);
	if (ep != NULL)
		xmlNewProp(ep, (const xmlChar *)"transportProfile", (const xmlChar *)SMP_AS4);
	xmlNodePtr er = el(ep, NULL, "EndpointReference", NULL);
	if (er != NULL)
		xmlSetNs(er, xmlNewNs(er, (const xmlChar *)SMP_NS_WSA, NULL));
	el(er, er ? er->ns : NULL, "Address", p->url);
	el(ep, ns, "RequireBusinessLevelSignature", "false");
	if (p->activation_s != INT64_MIN) {
		clock_format_utc(p->activation_s * 1000, date, sizeof date);
		el(ep, ns, "ServiceActivationDate", date);
	}
	if (p->expiration_s != INT64_MAX) {
		clock_format_utc(p->expiration_s * 1000, date, sizeof date);
		el(ep, ns, "ServiceExpirationDate", date);
	}
	el(ep, ns, "Certificate", b64);
	el(ep, ns, "ServiceDescription", "gateway access point");
	xmlNodePtr last = el(ep, ns, "TechnicalContactUrl", "https://peppol.eu/");
	free(b64);
	gw_rc rc = last == NULL || b64 == NULL ? GW_ENOMEM : smp_dsig_sign(doc, key, why, whycap);
	if (rc == GW_OK)
		rc = dump(doc, out, len);
	xmlFreeDoc(doc);
	return rc;
}

gw_rc
smp_service_group(const char *base, const char *participant, const char *const *doctypes, int n,
                  char **out, size_t *len)
{
	*out = NULL;
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = doc ? xmlNewNode(NULL, (const xmlChar *)"ServiceGroup") : NULL;
	if (root == NULL) {
		xmlFreeDoc(doc);
		return GW_ENOMEM;
	}
	xmlDocSetRootElement(doc, root);
	xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)SMP_NS, NULL);
	xmlNsPtr ids = xmlNewNs(root, (const xmlChar *)SMP_NS_IDS, (const xmlChar *)"ids");
	xmlSetNs(root, ns);
	id_el(root, ids, "ParticipantIdentifier", SMP_SCHEME_PARTY, participant);
	xmlNodePtr col = el(root, ns, "ServiceMetadataReferenceCollection", NULL);
	gw_rc rc = col ? GW_OK : GW_ENOMEM;
	for (int i = 0; i < n && rc == GW_OK; i++) {
		char url[2048];
		xmlNodePtr r = el(col, ns, "ServiceMetadataReference", NULL);
		if (r == NULL || smp_url(base, participant, doctypes[i], url, sizeof url) != GW_OK)
			rc = r == NULL ? GW_ENOMEM : GW_EINPUT;
		else
			xmlNewProp(r, (const xmlChar *)"href", (const xmlChar *)url);
	}
	if (rc == GW_OK)
		rc = dump(doc, out, len);
	xmlFreeDoc(doc);
	return rc;
}

/*
 * sbdh.c - the Peppol envelope (SBDH 2.0) around a business document.
 *
 * Build: the header from struct as4_sbdh, then the document itself (its XML
 * declaration dropped). Parse: every field the profile requires, each
 * missing or malformed one named, and the payload copied out as a document
 * of its own with the namespaces it uses. Identifier schemes are fixed by
 * Peppol: a different Authority or scheme is refused, not ignored.
 */
#include "peppol/as4/as4_int.h"
#include "core/xml_safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEME_PARTY "iso6523-actorid-upis"
#define SCHEME_DOC   "busdox-docid-qns"
#define SCHEME_PROC  "cenbii-procid-ubl"

/* Standard, Type and TypeVersion out of a document type id. */
static int
doctype_parts(const char *dt, char *std, char *type, char *ver, size_t cap)
{
	const char *a = strstr(dt, "::"), *h = strstr(dt, "##"), *v = NULL;
	for (const char *p = strstr(dt, "::"); p; p = strstr(p + 2, "::"))
		v = p;
	if (a == NULL || h == NULL || v == NULL || v == a || h < a || (size_t)(a - dt) >= cap ||
	    (size_t)(h - a - 2) >= cap || strlen(v + 2) >= cap)
		return 0;
	memcpy(std, dt, (size_t)(a - dt));
	std[a - dt] = '\0';
	memcpy(type, a + 2, (size_t)(h - a - 2));
	type[h - a - 2] = '\0';
	as4_copy(ver, cap, v + 2);
	return 1;
}

gw_rc
as4_sbdh_build(const struct as4_sbdh *h, const unsigned char *doc, size_t len,
               unsigned char **out, size_t *outlen, char *why, size_t whycap)
{
	char std[256], type[128], ver[32];
	struct abuf b = { 0 };
	if (!doctype_parts(h->doctype, std, type, ver, sizeof std)) {
		snprintf(why, whycap, "SBDH: document type id \"%s\" is not <root ns>::<name>##"
		         "<customization>::<version>", h->doctype);
		return GW_EINPUT;
	}
	const char *fields[] = { h->sender, h->receiver, h->process, h->instance_id, h->created,
	                         h->country_c1 };
	const char *names[] = { "sender", "receiver", "process", "instance_id", "created", "country_c1" };
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (fields[i][0] == '\0') {
			snprintf(why, whycap, "SBDH: %s is empty", names[i]);
			return GW_EINPUT;
		}
	/* Drop the document's XML declaration: it is now inside another one. */
	if (len > 5 && memcmp(doc, "<?xml", 5) == 0) {
		const unsigned char *e = memmem(doc, len, "?>", 2);
		if (e == NULL) {
			snprintf(why, whycap, "document: XML declaration does not end");
			return GW_EINPUT;
		}
		len -= (size_t)(e + 2 - doc);
		doc = e + 2;
	}
	abuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StandardBusinessDocument "
	            "xmlns=\"%s\"><StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion>",
	            NS_SBDH);
	abuf_str(&b, "<Sender><Identifier Authority=\"" SCHEME_PARTY "\">");
	abuf_xml(&b, h->sender);
	abuf_str(&b, "</Identifier></Sender><Receiver><Identifier Authority=\"" SCHEME_PARTY "\">");
	abuf_xml(&b, h->receiver);
	abuf_str(&b, "</Identifier></Receiver><DocumentIdentification><Standard>");
	abuf_xml(&b, std);
	abuf_str(&b, "</Standard><TypeVersion>");
	abuf_xml(&b, ver);
	abuf_str(&b, "</TypeVersion><InstanceIdentifier>");
	abuf_xml(&b, h->instance_id);
	abuf_str(&b, "</InstanceIdentifier><Type>");
	abuf_xml(&b, type);
	abuf_str(&b, "</Type><CreationDateAndTime>");
	abuf_xml(&b, h->created);
	abuf_str(&b, "</CreationDateAndTime></DocumentIdentification><BusinessScope>"
	         "<Scope><Type>DOCUMENTID</Type><InstanceIdentifier>");
	abuf_xml(&b, h->doctype);
	abuf_str(&b, "</InstanceIdentifier><Identifier>" SCHEME_DOC "</Identifier></Scope>"
	         "<Scope><Type>PROCESSID</Type><InstanceIdentifier>");
	abuf_xml(&b, h->process);
	abuf_str(&b, "</InstanceIdentifier><Identifier>" SCHEME_PROC "</Identifier></Scope>"
	         "<Scope><Type>COUNTRY_C1</Type><InstanceIdentifier>");
	abuf_xml(&b, h->country_c1);
	abuf_str(&b, "</InstanceIdentifier></Scope>");
	/* The sender's request for a Message Level Status (MLS 1.0). */
	if (h->mls_to[0] != '\0') {
		abuf_str(&b, "<Scope><Type>MLS_TO</Type><InstanceIdentifier>");
		abuf_xml(&b, h->mls_to);
		abuf_str(&b, "</InstanceIdentifier><Identifier>" SCHEME_PARTY "</Identifier></Scope>"
		         "<Scope><Type>MLS_TYPE</Type><InstanceIdentifier>");
		abuf_xml(&b, h->mls_type[0] ? h->mls_type : "FAILURE_ONLY");
		abuf_str(&b, "</InstanceIdentifier></Scope>");
	}
	abuf_str(&b, "</BusinessScope></StandardBusinessDocumentHeader>");
	abuf_add(&b, doc, len);
	abuf_str(&b, "</StandardBusinessDocument>\n");
	if (b.failed) {
		free(b.p);
		return GW_ENOMEM;
	}
	*out = (unsigned char *)b.p;
	*outlen = b.n;
	return GW_OK;
}

/* The identifier of Sender or Receiver, its Authority checked. */
static int
party(xmlNodePtr hdr, const char *who, char *buf, size_t cap, char *why, size_t whycap)
{
	char auth[64];
	xmlNodePtr id = x_child(x_child(hdr, NS_SBDH, who), NS_SBDH, "Identifier");
	if (!x_text(id, buf, cap) || buf[0] == '\0') {
		snprintf(why, whycap, "SBDH: %s/Identifier is missing", who);
		return 0;
	}
	if (!x_attr(id, NULL, "Authority", auth, sizeof auth) || strcmp(auth, SCHEME_PARTY) != 0) {
		snprintf(why, whycap, "SBDH: %s/Identifier/@Authority is \"%s\", not " SCHEME_PARTY,
		         who, auth);
		return 0;
	}
	return 1;
}

gw_rc
as4_sbdh_parse(const unsigned char *xml, size_t len, struct as4_sbdh *h, unsigned char **doc,
               size_t *doclen, char *why, size_t whycap)
{
	char w[256], type[64], scheme[64];
	xmlDocPtr d = xml_safe_read_memory(NULL, (const char *)xml, len, "sbdh.xml", 0, w, sizeof w);
	xmlDocPtr pd = NULL;
	gw_rc rc = GW_EINPUT;

	memset(h, 0, sizeof *h);
	*doc = NULL;
	if (d == NULL) {
		snprintf(why, whycap, "SBDH: %s", w);
		return GW_EINPUT;
	}
	xmlNodePtr root = xmlDocGetRootElement(d);
	xmlNodePtr hdr = x_child(root, NS_SBDH, "StandardBusinessDocumentHeader");
	if (root == NULL || !xmlStrEqual(root->name, BAD_CAST "StandardBusinessDocument") ||
	    root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST NS_SBDH) || hdr == NULL) {
		snprintf(why, whycap, "SBDH: not a StandardBusinessDocument with a header");
		goto out;
	}
	if (!party(hdr, "Sender", h->sender, sizeof h->sender, why, whycap) ||
	    !party(hdr, "Receiver", h->receiver, sizeof h->receiver, why, whycap))
		goto out;
	xmlNodePtr di = x_child(hdr, NS_SBDH, "DocumentIdentification");
	if (!x_text(x_child(di, NS_SBDH, "InstanceIdentifier"), h->instance_id, sizeof h->instance_id) ||
	    h->instance_id[0] == '\0') {
		snprintf(why, whycap, "SBDH: DocumentIdentification/InstanceIdentifier is missing");
		goto out;
	}
	if (!x_text(x_child(di, NS_SBDH, "CreationDateAndTime"), h->created, sizeof h->created) ||
	    h->created[0] == '\0') {
		snprintf(why, whycap, "SBDH: DocumentIdentification/CreationDateAndTime is missing");
		goto out;
	}
	xmlNodePtr bs = x_child(hdr, NS_SBDH, "BusinessScope");
	for (xmlNodePtr sc = x_child(bs, NS_SBDH, "Scope"); sc; sc = x_next(sc, NS_SBDH, "Scope")) {
		x_text(x_child(sc, NS_SBDH, "Type"), type, sizeof type);
		int has_scheme = x_text(x_child(sc, NS_SBDH, "Identifier"), scheme, sizeof scheme) &&
		                 scheme[0];
		char *dst = NULL;
		size_t cap = 0;
		const char *want = NULL;
		if (strcmp(type, "DOCUMENTID") == 0) {
			dst = h->doctype, cap = sizeof h->doctype, want = SCHEME_DOC;
		} else if (strcmp(type, "PROCESSID") == 0) {
			dst = h->process, cap = sizeof h->process, want = SCHEME_PROC;
		} else if (strcmp(type, "COUNTRY_C1") == 0) {
			dst = h->country_c1, cap = sizeof h->country_c1;
		} else if (strcmp(type, "MLS_TO") == 0) {
			dst = h->mls_to, cap = sizeof h->mls_to, want = SCHEME_PARTY;
		} else if (strcmp(type, "MLS_TYPE") == 0) {
			dst = h->mls_type, cap = sizeof h->mls_type;
		} else {
			continue;
		}
		if (dst[0] != '\0') {
			snprintf(why, whycap, "SBDH: Scope %s given twice", type);
			goto out;
		}
		if (!x_text(x_child(sc, NS_SBDH, "InstanceIdentifier"), dst, cap) || dst[0] == '\0') {
			snprintf(why, whycap, "SBDH: Scope %s has no InstanceIdentifier", type);
			goto out;
		}
		if (want != NULL && has_scheme && strcmp(scheme, want) != 0) {
			snprintf(why, whycap, "SBDH: Scope %s/Identifier is \"%s\", not %s", type, scheme, want);
			goto out;
		}
	}
	if (h->mls_type[0] && strcmp(h->mls_type, "FAILURE_ONLY") != 0 &&
	    strcmp(h->mls_type, "ALWAYS_SEND") != 0) {
		snprintf(why, whycap, "SBDH: Scope MLS_TYPE is \"%s\", not FAILURE_ONLY or ALWAYS_SEND",
		         h->mls_type);
		goto out;
	}
	if (!h->doctype[0] || !h->process[0] || !h->country_c1[0]) {
		snprintf(why, whycap, "SBDH: BusinessScope lacks the %s scope",
		         !h->doctype[0] ? "DOCUMENTID" : !h->process[0] ? "PROCESSID" : "COUNTRY_C1");
		goto out;
	}
	xmlNodePtr payload = hdr->next;
	while (payload && payload->type != XML_ELEMENT_NODE)
		payload = payload->next;
	if (payload == NULL) {
		snprintf(why, whycap, "SBDH: no business document after the header");
		goto out;
	}
	/* A document of its own, with the namespace declarations it needs. */
	if ((pd = xmlNewDoc(BAD_CAST "1.0")) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	xmlNodePtr copy = xmlDocCopyNode(payload, pd, 1);
	if (copy == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	xmlDocSetRootElement(pd, copy);
	xmlReconciliateNs(pd, copy);
	if ((rc = soap_write(pd, doc, doclen)) != GW_OK)
		goto out;
	rc = GW_OK;
out:
	xmlFreeDoc(pd);
	xmlFreeDoc(d);
	return rc;
}

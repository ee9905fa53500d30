/*
 * signal.c - ebMS signal messages: the signed receipt with its
 * NonRepudiationInformation, the error signal, and reading either.
 *
 * A receipt acknowledges every ds:Reference of the user message's
 * signature (one MessagePartNRInformation each), so the sender can check
 * that what the receiver verified is exactly what it sent: a receipt is
 * accepted only when it is signed by the very certificate the message was
 * encrypted to, refers to the message id, and lists every reference with
 * the digest the sender computed.
 */
#include "peppol/as4/as4_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gw_rc
signal_build(const struct gw_signer *me, const char *ref_to, const char *inner,
             unsigned char **out, size_t *outlen, char *why, size_t whycap)
{
	struct abuf b = { 0 };
	struct as4_refs refs = { .n = 2 };
	char ts[40], u[40], id[80];
	xmlDocPtr doc = NULL;
	gw_rc rc;

	as4_timestamp(ts, sizeof ts);
	as4_uuid(u, sizeof u);
	snprintf(id, sizeof id, "%s@gateway", u);
	as4_uuid(u, sizeof u);
	snprintf(refs.ref[0].uri, sizeof refs.ref[0].uri, "#msg-%s", u);
	as4_uuid(u, sizeof u);
	snprintf(refs.ref[1].uri, sizeof refs.ref[1].uri, "#body-%s", u);
	abuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<S12:Envelope xmlns:S12=\"%s\">"
	            "<S12:Header><wsse:Security xmlns:wsse=\"%s\" xmlns:wsu=\"%s\" "
	            "S12:mustUnderstand=\"true\"/><eb:Messaging xmlns:eb=\"%s\" xmlns:ebbp=\"%s\" "
	            "xmlns:ds=\"%s\" xmlns:wsu=\"%s\" wsu:Id=\"%s\" S12:mustUnderstand=\"true\">"
	            "<eb:SignalMessage><eb:MessageInfo><eb:Timestamp>%s</eb:Timestamp>"
	            "<eb:MessageId>%s</eb:MessageId>", NS_S12, NS_WSSE, NS_WSU, NS_EB, NS_EBBP, NS_DS,
	            NS_WSU, refs.ref[0].uri + 1, ts, id);
	if (ref_to != NULL && ref_to[0] != '\0') {
		abuf_str(&b, "<eb:RefToMessageId>");
		abuf_xml(&b, ref_to);
		abuf_str(&b, "</eb:RefToMessageId>");
	}
	abuf_str(&b, "</eb:MessageInfo>");
	abuf_str(&b, inner);
	abuf_printf(&b, "</eb:SignalMessage></eb:Messaging></S12:Header><S12:Body xmlns:wsu=\"%s\" "
	            "wsu:Id=\"%s\"/></S12:Envelope>", NS_WSU, refs.ref[1].uri + 1);
	if (b.failed) {
		rc = GW_ENOMEM;
		goto out;
	}
	if ((doc = soap_read((unsigned char *)b.p, b.n, why, whycap)) == NULL) {
		rc = GW_EINTERNAL;
		goto out;
	}
	if ((rc = wss_sign(doc, me, &refs, why, whycap)) != GW_OK)
		goto out;
	rc = soap_write(doc, out, outlen);
out:
	xmlFreeDoc(doc);
	free(b.p);
	return rc;
}

gw_rc
as4_build_receipt(const struct gw_signer *me, const struct as4_inbound *in, unsigned char **out,
                  size_t *outlen, char *why, size_t whycap)
{
	struct abuf b = { 0 };
	gw_rc rc;
	if (in->refs.n == 0) {
		snprintf(why, whycap, "receipt: the message has no signed references to acknowledge");
		return GW_EINPUT;
	}
	abuf_str(&b, "<eb:Receipt><ebbp:NonRepudiationInformation>");
	for (int i = 0; i < in->refs.n; i++) {
		const struct as4_ref *r = &in->refs.ref[i];
		abuf_str(&b, "<ebbp:MessagePartNRInformation><ds:Reference URI=\"");
		abuf_xml(&b, r->uri);
		abuf_printf(&b, "\"><ds:Transforms><ds:Transform Algorithm=\"%s\"/></ds:Transforms>"
		            "<ds:DigestMethod Algorithm=\"%s\"/><ds:DigestValue>", r->attachment ?
		            ALG_ATT_SIG : ALG_EXC_C14N, ALG_SHA256);
		abuf_xml(&b, r->digest);
		abuf_str(&b, "</ds:DigestValue></ds:Reference></ebbp:MessagePartNRInformation>");
	}
	abuf_str(&b, "</ebbp:NonRepudiationInformation></eb:Receipt>");
	rc = b.failed ? GW_ENOMEM : signal_build(me, in->info.message_id, b.p, out, outlen, why, whycap);
	free(b.p);
	return rc;
}

gw_rc
as4_build_error(const struct gw_signer *me, as4_ebms e, const char *ref_message_id,
                const char *description, unsigned char **out, size_t *outlen, char *why,
                size_t whycap)
{
	struct abuf b = { 0 };
	gw_rc rc;
	const char *cat = (e == AS4_E0101 || e == AS4_E0102 || e == AS4_E0103) ? "Processing" : "Content";
	abuf_printf(&b, "<eb:Error category=\"%s\" errorCode=\"%s\" origin=\"ebMS\" severity=\"failure\" "
	            "shortDescription=\"%s\"", cat, as4_ebms_code(e), as4_ebms_short(e));
	if (ref_message_id != NULL && ref_message_id[0] != '\0') {
		abuf_str(&b, " refToMessageInError=\"");
		abuf_xml(&b, ref_message_id);
		abuf_str(&b, "\"");
	}
	abuf_str(&b, "><eb:Description xml:lang=\"en\">");
	abuf_xml(&b, description ? description : as4_ebms_short(e));
	abuf_str(&b, "</eb:Description>");
	if (e == AS4_E0004_NOT_SERVICED)
		abuf_str(&b, "<eb:ErrorDetail>PEPPOL:NOT_SERVICED</eb:ErrorDetail>");
	abuf_str(&b, "</eb:Error>");
	rc = b.failed ? GW_ENOMEM : signal_build(me, ref_message_id, b.p, out, outlen, why, whycap);
	free(b.p);
	return rc;
}

/* Read a signal out of an already parsed envelope. */
static gw_rc
read_signal(xmlNodePtr messaging, struct as4_signal *s, char *why, size_t whycap)
{
	xmlNodePtr sm = x_child(messaging, NS_EB, "SignalMessage");
	if (sm == NULL || x_count(messaging, NS_EB, "SignalMessage") != 1 ||
	    x_child(messaging, NS_EB, "UserMessage")) {
		snprintf(why, whycap, "eb:Messaging: expected one SignalMessage");
		return GW_EINPUT;
	}
	xmlNodePtr mi = x_child(sm, NS_EB, "MessageInfo");
	x_text(x_child(mi, NS_EB, "MessageId"), s->message_id, sizeof s->message_id);
	x_text(x_child(mi, NS_EB, "RefToMessageId"), s->ref_to, sizeof s->ref_to);
	xmlNodePtr rc = x_child(sm, NS_EB, "Receipt");
	xmlNodePtr er = x_child(sm, NS_EB, "Error");
	if (rc != NULL) {
		s->is_receipt = 1;
		xmlNodePtr nri = x_child(rc, NS_EBBP, "NonRepudiationInformation");
		for (xmlNodePtr p = x_child(nri, NS_EBBP, "MessagePartNRInformation"); p;
		     p = x_next(p, NS_EBBP, "MessagePartNRInformation")) {
			if (s->nri.n == AS4_MAX_REFS) {
				snprintf(why, whycap, "Receipt: more than %d MessagePartNRInformation", AS4_MAX_REFS);
				return GW_EINPUT;
			}
			struct as4_ref *r = &s->nri.ref[s->nri.n++];
			xmlNodePtr ref = x_child(p, NS_DS, "Reference");
			char alg[256];
			if (!x_attr(ref, NULL, "URI", r->uri, sizeof r->uri) ||
			    !x_text(x_child(ref, NS_DS, "DigestValue"), r->digest, sizeof r->digest)) {
				snprintf(why, whycap, "Receipt: MessagePartNRInformation %d without a "
				         "ds:Reference URI and DigestValue", s->nri.n);
				return GW_EINPUT;
			}
			x_attr(x_child(ref, NS_DS, "DigestMethod"), NULL, "Algorithm", alg, sizeof alg);
			if (strcmp(alg, ALG_SHA256) != 0) {
				snprintf(why, whycap, "Receipt: %s digest method \"%s\" is not SHA-256", r->uri, alg);
				return GW_EINPUT;
			}
			r->attachment = strncmp(r->uri, "cid:", 4) == 0;
		}
		return GW_OK;
	}
	if (er != NULL) {
		x_attr(er, NULL, "errorCode", s->error_code, sizeof s->error_code);
		x_attr(er, NULL, "severity", s->severity, sizeof s->severity);
		x_text(x_child(er, NS_EB, "ErrorDetail"), s->error_detail, sizeof s->error_detail);
		if (s->error_code[0] == '\0') {
			snprintf(why, whycap, "Error: no errorCode");
			return GW_EINPUT;
		}
		return GW_OK;
	}
	snprintf(why, whycap, "SignalMessage: neither Receipt nor Error");
	return GW_EINPUT;
}

/* Parse bytes (capture, MIME or bare SOAP) into a document and the signal. */
static xmlDocPtr
signal_doc(const unsigned char *bytes, size_t len, struct as4_signal *s, char *why, size_t whycap)
{
	struct mime_msg m;
	xmlNodePtr header, messaging, body;
	memset(s, 0, sizeof *s);
	if (mime_split(NULL, bytes, len, &m, why, whycap) != GW_OK)
		return NULL;
	xmlDocPtr doc = soap_read(m.part[0].body, m.part[0].len, why, whycap);
	mime_free(&m);
	if (doc == NULL)
		return NULL;
	if (soap_parts(doc, &header, &messaging, &body, why, whycap) != GW_OK ||
	    read_signal(messaging, s, why, whycap) != GW_OK) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

gw_rc
as4_parse_signal(const unsigned char *bytes, size_t len, struct as4_signal *out, char *why,
                 size_t whycap)
{
	xmlDocPtr doc = signal_doc(bytes, len, out, why, whycap);
	if (doc == NULL)
		return GW_EINPUT;
	xmlFreeDoc(doc);
	return GW_OK;
}

gw_rc
as4_verify_receipt(const unsigned char *bytes, size_t len, const struct as4_message *m,
                   X509 *receiver_cert, char *why, size_t whycap)
{
	struct as4_signal s;
	struct wss_result res;
	int unchecked = 0;
	gw_rc rc = GW_ECRYPTO;
	xmlDocPtr doc = signal_doc(bytes, len, &s, why, whycap);
	if (doc == NULL)
		return GW_EINPUT;
	if (!s.is_receipt) {
		snprintf(why, whycap, "an ebMS error %s%s%s instead of a receipt", s.error_code,
		         s.error_detail[0] ? " " : "", s.error_detail);
		xmlFreeDoc(doc);
		return GW_EPERM;
	}
	if (wss_verify(doc, NULL, NULL, &unchecked, &res, NULL, NULL, why, whycap) != GW_OK) {
		xmlFreeDoc(doc);
		return GW_ECRYPTO;
	}
	if (unchecked) {
		snprintf(why, whycap, "receipt: its signature refers to an attachment it does not carry");
		goto out;
	}
	if (X509_cmp(res.cert, receiver_cert) != 0) {
		snprintf(why, whycap, "receipt: signed by another certificate than the receiver's");
		goto out;
	}
	if (strcmp(s.ref_to, m->message_id) != 0) {
		snprintf(why, whycap, "receipt: RefToMessageId \"%s\" is not the message sent (%s)",
		         s.ref_to, m->message_id);
		rc = GW_EINPUT;
		goto out;
	}
	if (s.nri.n != m->refs.n) {
		snprintf(why, whycap, "receipt: %d MessagePartNRInformation for %d signed parts sent",
		         s.nri.n, m->refs.n);
		goto out;
	}
	for (int i = 0; i < m->refs.n; i++) {
		const struct as4_ref *sent = &m->refs.ref[i];
		int found = 0;
		for (int j = 0; j < s.nri.n && !found; j++)
			found = strcmp(s.nri.ref[j].uri, sent->uri) == 0 &&
			        strcmp(s.nri.ref[j].digest, sent->digest) == 0;
		if (!found) {
			snprintf(why, whycap, "receipt: no MessagePartNRInformation for %s with the digest sent",
			         sent->uri);
			goto out;
		}
	}
	rc = GW_OK;
out:
	wss_result_free(&res);
	xmlFreeDoc(doc);
	return rc;
}

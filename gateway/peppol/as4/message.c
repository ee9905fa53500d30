/*
 * message.c - the Peppol AS4 user message: build one, receive one.
 *
 * Build: SBDH around the document, gzip, digest (the signature covers the
 * compressed attachment), AES-128-GCM encryption to the receiver, the
 * ebMS3 UserMessage headers as the profile fixes them, the WS-Security
 * signature over eb:Messaging, the Body and the attachment, MIME packaging
 * with the SBDH as the first attachment and no Content-Disposition.
 *
 * Receive: the reverse, every step mapped to the ebMS error the profile
 * answers with (as4.h). Compress, sign, encrypt on the way out means
 * decrypt, verify, decompress on the way in. Nothing is stored here.
 */
#include "peppol/as4/as4_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#define SCHEME_PARTY "iso6523-actorid-upis"
#define SCHEME_DOC   "busdox-docid-qns"
#define SCHEME_PROC  "cenbii-procid-ubl"

static const struct {
	as4_ebms e;
	const char *code, *name;
} ebms_names[] = {
	{ AS4_OK, "", "" },
	{ AS4_E0004, "EBMS:0004", "Other" },
	{ AS4_E0004_NOT_SERVICED, "EBMS:0004", "Other" },
	{ AS4_E0009, "EBMS:0009", "InvalidHeader" },
	{ AS4_E0101, "EBMS:0101", "FailedAuthentication" },
	{ AS4_E0102, "EBMS:0102", "FailedDecryption" },
	{ AS4_E0103, "EBMS:0103", "PolicyNoncompliance" },
	{ AS4_E0303, "EBMS:0303", "DecompressionFailure" },
};

const char *
as4_ebms_code(as4_ebms e)
{
	for (size_t i = 0; i < sizeof ebms_names / sizeof *ebms_names; i++)
		if (ebms_names[i].e == e)
			return ebms_names[i].code;
	return "EBMS:0004";
}

const char *
as4_ebms_short(as4_ebms e)
{
	for (size_t i = 0; i < sizeof ebms_names / sizeof *ebms_names; i++)
		if (ebms_names[i].e == e)
			return ebms_names[i].name;
	return "Other";
}

/* The subject CN of a certificate: the AP's PartyId. */
static int
cert_cn(X509 *c, char *buf, size_t cap)
{
	buf[0] = '\0';
	return c != NULL && X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, buf,
	                                              (int)cap) > 0;
}

/* Issuer (RFC 2253) and decimal serial of a certificate. */
static int
issuer_serial(X509 *c, char *iss, size_t icap, char *ser, size_t scap)
{
	BIO *b = BIO_new(BIO_s_mem());
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
	char *dec = bn ? BN_bn2dec(bn) : NULL;
	int ok = 0;
	if (b && dec && X509_NAME_print_ex(b, X509_get_issuer_name(c), 0, XN_FLAG_RFC2253) >= 0) {
		int n = BIO_read(b, iss, (int)icap - 1);
		if (n > 0) {
			iss[n] = '\0';
			ok = as4_copy(ser, scap, dec);
		}
	}
	OPENSSL_free(dec);
	BN_free(bn);
	BIO_free(b);
	return ok;
}

void
as4_message_free(struct as4_message *m)
{
	free(m->body);
	m->body = NULL;
}

/* The SOAP envelope text of a user message (digests and signature later). */
static void
envelope(struct abuf *b, const struct as4_sbdh *h,
         const char *msgid, const char *ts, const char *from, const char *to, const char *cid,
         const char *wrapped, X509 *rcert, const char *ids[3])
{
	char iss[512], ser[128], conv[40];
	issuer_serial(rcert, iss, sizeof iss, ser, sizeof ser);
	as4_uuid(conv, sizeof conv);
	abuf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<S12:Envelope xmlns:S12=\"%s\">"
	            "<S12:Header><wsse:Security xmlns:wsse=\"%s\" xmlns:wsu=\"%s\" "
	            "S12:mustUnderstand=\"true\">", NS_S12, NS_WSSE, NS_WSU);
	abuf_printf(b, "<xenc:EncryptedKey xmlns:xenc=\"%s\" Id=\"%s\"><xenc:EncryptionMethod "
	            "Algorithm=\"%s\"><ds:DigestMethod xmlns:ds=\"%s\" Algorithm=\"%s\"/>"
	            "<xenc11:MGF xmlns:xenc11=\"%s\" Algorithm=\"%s\"/></xenc:EncryptionMethod>"
	            "<ds:KeyInfo xmlns:ds=\"%s\"><wsse:SecurityTokenReference><ds:X509Data>"
	            "<ds:X509IssuerSerial><ds:X509IssuerName>", NS_XENC, ids[2], ALG_RSA_OAEP, NS_DS,
	            ALG_SHA256, NS_XENC11, ALG_MGF1_SHA256, NS_DS);
	abuf_xml(b, iss);
	abuf_printf(b, "</ds:X509IssuerName><ds:X509SerialNumber>%s</ds:X509SerialNumber>"
	            "</ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference></ds:KeyInfo>"
	            "<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData>"
	            "<xenc:ReferenceList><xenc:DataReference URI=\"#ED-%s\"/></xenc:ReferenceList>"
	            "</xenc:EncryptedKey>", ser, wrapped, ids[2] + 3);
	abuf_printf(b, "<xenc:EncryptedData xmlns:xenc=\"%s\" Id=\"ED-%s\" MimeType=\"application/gzip\" "
	            "Type=\"%s\"><xenc:EncryptionMethod Algorithm=\"%s\"/><ds:KeyInfo xmlns:ds=\"%s\">"
	            "<wsse:SecurityTokenReference xmlns:wsse11=\"%s\" wsse11:TokenType=\"http://docs."
	            "oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey\">"
	            "<wsse:Reference URI=\"#%s\"/></wsse:SecurityTokenReference></ds:KeyInfo>"
	            "<xenc:CipherData><xenc:CipherReference URI=\"cid:%s\"><xenc:Transforms>"
	            "<ds:Transform xmlns:ds=\"%s\" Algorithm=\"%s\"/></xenc:Transforms>"
	            "</xenc:CipherReference></xenc:CipherData></xenc:EncryptedData></wsse:Security>",
	            NS_XENC, ids[2] + 3, ALG_ATT_ONLY, ALG_AES128_GCM, NS_DS, NS_WSSE11, ids[2], cid,
	            NS_DS, ALG_ATT_CIPHER);
	abuf_printf(b, "<eb:Messaging xmlns:eb=\"%s\" xmlns:wsu=\"%s\" wsu:Id=\"%s\" "
	            "S12:mustUnderstand=\"true\"><eb:UserMessage><eb:MessageInfo><eb:Timestamp>%s"
	            "</eb:Timestamp><eb:MessageId>", NS_EB, NS_WSU, ids[0], ts);
	abuf_xml(b, msgid);
	abuf_printf(b, "</eb:MessageId></eb:MessageInfo><eb:PartyInfo><eb:From><eb:PartyId type=\"%s\">",
	            PARTY_TYPE);
	abuf_xml(b, from);
	abuf_printf(b, "</eb:PartyId><eb:Role>%s</eb:Role></eb:From><eb:To><eb:PartyId type=\"%s\">",
	            ROLE_INIT, PARTY_TYPE);
	abuf_xml(b, to);
	abuf_printf(b, "</eb:PartyId><eb:Role>%s</eb:Role></eb:To></eb:PartyInfo><eb:CollaborationInfo>"
	            "<eb:AgreementRef>%s</eb:AgreementRef><eb:Service type=\"" SCHEME_PROC "\">",
	            ROLE_RESP, AGREEMENT);
	abuf_xml(b, h->process);
	abuf_str(b, "</eb:Service><eb:Action>" SCHEME_DOC "::");
	abuf_xml(b, h->doctype);
	abuf_printf(b, "</eb:Action><eb:ConversationId>%s</eb:ConversationId></eb:CollaborationInfo>"
	            "<eb:MessageProperties><eb:Property name=\"originalSender\" type=\"" SCHEME_PARTY
	            "\">", conv);
	abuf_xml(b, h->sender);
	abuf_str(b, "</eb:Property><eb:Property name=\"finalRecipient\" type=\"" SCHEME_PARTY "\">");
	abuf_xml(b, h->receiver);
	abuf_printf(b, "</eb:Property></eb:MessageProperties><eb:PayloadInfo><eb:PartInfo href=\"cid:%s\">"
	            "<eb:PartProperties><eb:Property name=\"MimeType\">application/xml</eb:Property>"
	            "<eb:Property name=\"CompressionType\">application/gzip</eb:Property>"
	            "</eb:PartProperties></eb:PartInfo></eb:PayloadInfo></eb:UserMessage></eb:Messaging>"
	            "</S12:Header><S12:Body xmlns:wsu=\"%s\" wsu:Id=\"%s\"/></S12:Envelope>",
	            cid, NS_WSU, ids[1]);
}

gw_rc
as4_build_message(const struct as4_send_params *p, struct as4_message *out, char *why, size_t whycap)
{
	struct as4_sbdh h = *p->sbdh;
	unsigned char *sbdh = NULL, *gz = NULL, *enc = NULL, *soap = NULL;
	size_t sbdh_len = 0, gz_len = 0, enc_len = 0, soap_len = 0;
	char *wrapped = NULL, from[128], to[128], ts[40], u[40], cid[96], boundary[64];
	char id_msg[48], id_body[48], id_ek[48];
	struct abuf env = { 0 }, mime = { 0 };
	xmlDocPtr doc = NULL;
	gw_rc rc;

	memset(out, 0, sizeof *out);
	if (!cert_cn(p->signer->cert, from, sizeof from) || !cert_cn(p->receiver_cert, to, sizeof to)) {
		snprintf(why, whycap, "an AP certificate without a subject CN (the PartyId)");
		return GW_ECONFIG;
	}
	if (h.instance_id[0] == '\0')
		as4_uuid(h.instance_id, sizeof h.instance_id);
	as4_timestamp(ts, sizeof ts);
	if (h.created[0] == '\0')
		as4_copy(h.created, sizeof h.created, ts);
	if (p->message_id != NULL && p->message_id[0] != '\0') {
		if (!as4_copy(out->message_id, sizeof out->message_id, p->message_id)) {
			snprintf(why, whycap, "message id longer than %zu bytes", sizeof out->message_id - 1);
			return GW_EINPUT;
		}
	} else {
		as4_uuid(u, sizeof u);
		snprintf(out->message_id, sizeof out->message_id, "%s@gateway", u);
	}
	as4_copy(out->instance_id, sizeof out->instance_id, h.instance_id);
	if ((rc = as4_sbdh_build(&h, p->document, p->document_len, &sbdh, &sbdh_len, why, whycap)) != GW_OK)
		goto out;
	if (p->test_no_gzip) {
		if ((gz = malloc(sbdh_len)) == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		memcpy(gz, sbdh, sbdh_len);
		gz_len = sbdh_len;
	} else if ((rc = gz_compress(sbdh, sbdh_len, &gz, &gz_len)) != GW_OK)
		goto out;
	if ((rc = enc_attachment(gz, gz_len, p->receiver_cert, &enc, &enc_len, &wrapped, why,
	                         whycap)) != GW_OK)
		goto out;
	as4_uuid(u, sizeof u);
	snprintf(cid, sizeof cid, "att-%s@gateway", u);
	as4_uuid(u, sizeof u);
	snprintf(id_msg, sizeof id_msg, "msg-%s", u);
	as4_uuid(u, sizeof u);
	snprintf(id_body, sizeof id_body, "body-%s", u);
	as4_uuid(u, sizeof u);
	snprintf(id_ek, sizeof id_ek, "EK-%s", u);
	const char *ids[3] = { id_msg, id_body, id_ek };
	envelope(&env, p->test_headers ? p->test_headers : &h, out->message_id, ts, from, to, cid, wrapped, p->receiver_cert, ids);
	if (env.failed) {
		rc = GW_ENOMEM;
		goto out;
	}
	if ((doc = soap_read((unsigned char *)env.p, env.n, why, whycap)) == NULL) {
		rc = GW_EINPUT;   /* a value that broke the envelope: escaping failed somewhere */
		goto out;
	}
	struct as4_refs *r = &out->refs;
	r->n = 3;
	snprintf(r->ref[0].uri, sizeof r->ref[0].uri, "#%s", id_msg);
	snprintf(r->ref[1].uri, sizeof r->ref[1].uri, "#%s", id_body);
	snprintf(r->ref[2].uri, sizeof r->ref[2].uri, "cid:%s", cid);
	r->ref[2].attachment = 1;
	sha256_b64(gz, gz_len, r->ref[2].digest, sizeof r->ref[2].digest);
	if ((rc = wss_sign(doc, p->signer, r, why, whycap)) != GW_OK)
		goto out;
	if ((rc = soap_write(doc, &soap, &soap_len)) != GW_OK)
		goto out;
	as4_uuid(u, sizeof u);
	snprintf(boundary, sizeof boundary, "----=_Part_%s", u);
	abuf_printf(&mime, "--%s\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n"
	            "Content-Transfer-Encoding: binary\r\n\r\n", boundary);
	abuf_add(&mime, soap, soap_len);
	abuf_printf(&mime, "\r\n--%s\r\nContent-Type: application/octet-stream\r\n"
	            "Content-Transfer-Encoding: binary\r\nContent-ID: <%s>\r\n\r\n", boundary, cid);
	abuf_add(&mime, enc, enc_len);
	abuf_printf(&mime, "\r\n--%s--\r\n", boundary);
	if (mime.failed) {
		rc = GW_ENOMEM;
		goto out;
	}
	snprintf(out->content_type, sizeof out->content_type,
	         "multipart/related; boundary=\"%s\"; type=\"application/soap+xml\"", boundary);
	out->body = (unsigned char *)mime.p;
	out->body_len = mime.n;
	mime.p = NULL;
	rc = GW_OK;
out:
	xmlFreeDoc(doc);
	free(sbdh);
	free(gz);
	free(enc);
	free(soap);
	free(wrapped);
	free(env.p);
	free(mime.p);
	return rc;
}

void
as4_inbound_free(struct as4_inbound *in)
{
	free(in->document);
	in->document = NULL;
	X509_free(in->sender_cert);
	in->sender_cert = NULL;
}

/* The UserMessage headers, each one the profile fixes checked. */
static as4_ebms
read_user(xmlNodePtr messaging, struct as4_user_info *u, char *cid, size_t cidcap,
          char *why, size_t whycap)
{
	char v[512], t[128];
	if (x_count(messaging, NS_EB, "UserMessage") != 1 || x_child(messaging, NS_EB, "SignalMessage")) {
		snprintf(why, whycap, "eb:Messaging: expected one UserMessage and no signal");
		return AS4_E0009;
	}
	xmlNodePtr um = x_child(messaging, NS_EB, "UserMessage");
	xmlNodePtr mi = x_child(um, NS_EB, "MessageInfo");
	if (!x_text(x_child(mi, NS_EB, "MessageId"), u->message_id, sizeof u->message_id) ||
	    !u->message_id[0]) {
		snprintf(why, whycap, "UserMessage: MessageInfo/MessageId is missing");
		return AS4_E0009;
	}
	x_text(x_child(mi, NS_EB, "Timestamp"), u->timestamp, sizeof u->timestamp);
	xmlNodePtr pi = x_child(um, NS_EB, "PartyInfo");
	const char *side[2] = { "From", "To" };
	const char *role[2] = { ROLE_INIT, ROLE_RESP };
	char *dst[2] = { u->from_party, u->to_party };
	for (int i = 0; i < 2; i++) {
		xmlNodePtr s = x_child(pi, NS_EB, side[i]);
		xmlNodePtr pid = x_child(s, NS_EB, "PartyId");
		if (x_count(s, NS_EB, "PartyId") != 1 || !x_text(pid, dst[i], sizeof u->from_party) ||
		    !dst[i][0]) {
			snprintf(why, whycap, "PartyInfo/%s: expected one PartyId", side[i]);
			return AS4_E0009;
		}
		if (!x_attr(pid, NULL, "type", t, sizeof t) || strcmp(t, PARTY_TYPE) != 0) {
			snprintf(why, whycap, "PartyInfo/%s/PartyId/@type is \"%s\", not " PARTY_TYPE, side[i], t);
			return AS4_E0009;
		}
		if (!x_text(x_child(s, NS_EB, "Role"), v, sizeof v) || strcmp(v, role[i]) != 0) {
			snprintf(why, whycap, "PartyInfo/%s/Role is \"%s\", not %s", side[i], v, role[i]);
			return AS4_E0009;
		}
	}
	xmlNodePtr ci = x_child(um, NS_EB, "CollaborationInfo");
	if (!x_text(x_child(ci, NS_EB, "AgreementRef"), v, sizeof v) || strcmp(v, AGREEMENT) != 0) {
		snprintf(why, whycap, "CollaborationInfo/AgreementRef is \"%s\", not " AGREEMENT, v);
		return AS4_E0009;
	}
	xmlNodePtr svc = x_child(ci, NS_EB, "Service");
	if (!x_text(svc, u->service, sizeof u->service) || !u->service[0]) {
		snprintf(why, whycap, "CollaborationInfo/Service is missing");
		return AS4_E0009;
	}
	x_attr(svc, NULL, "type", u->service_type, sizeof u->service_type);
	if (!x_text(x_child(ci, NS_EB, "Action"), u->action, sizeof u->action) || !u->action[0]) {
		snprintf(why, whycap, "CollaborationInfo/Action is missing");
		return AS4_E0009;
	}
	x_text(x_child(ci, NS_EB, "ConversationId"), u->conversation_id, sizeof u->conversation_id);
	xmlNodePtr mp = x_child(um, NS_EB, "MessageProperties");
	for (xmlNodePtr pr = x_child(mp, NS_EB, "Property"); pr; pr = x_next(pr, NS_EB, "Property")) {
		x_attr(pr, NULL, "name", t, sizeof t);
		char *d = strcmp(t, "originalSender") == 0 ? u->original_sender :
		          strcmp(t, "finalRecipient") == 0 ? u->final_recipient : NULL;
		if (strcmp(t, "trackingIdentifier") == 0) {
			snprintf(why, whycap, "MessageProperties: trackingIdentifier MUST NOT be used");
			return AS4_E0009;
		}
		if (d == NULL)
			continue;
		if (d[0] != '\0') {
			snprintf(why, whycap, "MessageProperties: %s given twice", t);
			return AS4_E0009;
		}
		x_text(pr, d, sizeof u->original_sender);
	}
	if (!u->original_sender[0] || !u->final_recipient[0]) {
		snprintf(why, whycap, "MessageProperties: %s is missing",
		         !u->original_sender[0] ? "originalSender" : "finalRecipient");
		return AS4_E0009;
	}
	xmlNodePtr pl = x_child(um, NS_EB, "PayloadInfo");
	if (x_count(pl, NS_EB, "PartInfo") != 1) {
		snprintf(why, whycap, "PayloadInfo: expected one PartInfo (the SBDH), found %d",
		         x_count(pl, NS_EB, "PartInfo"));
		return AS4_E0009;
	}
	xmlNodePtr part = x_child(pl, NS_EB, "PartInfo");
	if (!x_attr(part, NULL, "href", v, sizeof v) || strncmp(v, "cid:", 4) != 0) {
		snprintf(why, whycap, "PartInfo/@href \"%s\" is not a cid: (payloads go in attachments)", v);
		return AS4_E0009;
	}
	as4_copy(cid, cidcap, v + 4);
	int gz = 0;
	xmlNodePtr pp = x_child(part, NS_EB, "PartProperties");
	for (xmlNodePtr pr = x_child(pp, NS_EB, "Property"); pr; pr = x_next(pr, NS_EB, "Property")) {
		x_attr(pr, NULL, "name", t, sizeof t);
		if (strcmp(t, "CompressionType") == 0 && x_text(pr, v, sizeof v))
			gz = strcmp(v, "application/gzip") == 0;
	}
	if (!gz) {
		snprintf(why, whycap, "PartInfo: CompressionType application/gzip is missing");
		return AS4_E0103;
	}
	return AS4_OK;
}

/* The encryption elements: algorithms the profile fixes, and to us. */
static as4_ebms
read_encryption(xmlNodePtr sec, const char *cid, X509 *mine, char *wrapped, size_t wcap,
                char *why, size_t whycap)
{
	char alg[256], uri[300];
	xmlNodePtr ed = NULL;
	snprintf(uri, sizeof uri, "cid:%s", cid);
	for (xmlNodePtr e = x_child(sec, NS_XENC, "EncryptedData"); e; e = x_next(e, NS_XENC, "EncryptedData")) {
		char u[256];
		if (x_attr(x_child(x_child(e, NS_XENC, "CipherData"), NS_XENC, "CipherReference"), NULL,
		           "URI", u, sizeof u) && strcmp(u, uri) == 0)
			ed = e;
	}
	if (ed == NULL) {
		snprintf(why, whycap, "Security: the attachment %s is not encrypted", uri);
		return AS4_E0103;
	}
	if (!x_attr(x_child(ed, NS_XENC, "EncryptionMethod"), NULL, "Algorithm", alg, sizeof alg) ||
	    strcmp(alg, ALG_AES128_GCM) != 0) {
		snprintf(why, whycap, "EncryptedData: algorithm \"%s\" is not AES-128-GCM", alg);
		return AS4_E0103;
	}
	if (x_count(sec, NS_XENC, "EncryptedKey") != 1) {
		snprintf(why, whycap, "Security: expected one EncryptedKey, found %d",
		         x_count(sec, NS_XENC, "EncryptedKey"));
		return AS4_E0103;
	}
	xmlNodePtr ek = x_child(sec, NS_XENC, "EncryptedKey");
	xmlNodePtr em = x_child(ek, NS_XENC, "EncryptionMethod");
	x_attr(em, NULL, "Algorithm", alg, sizeof alg);
	/* rsa-oaep-mgf1p fixes MGF1 with SHA-1: the eDelivery profile the Peppol
	 * one builds on requires xmlenc11#rsa-oaep with MGF1-SHA256. */
	if (strcmp(alg, ALG_RSA_OAEP) != 0) {
		snprintf(why, whycap, "EncryptedKey: key transport \"%s\" is not xmlenc11#rsa-oaep "
		         "with MGF1-SHA256%s", alg,
		         strcmp(alg, ALG_RSA_OAEP_MGF1P) == 0 ? " (rsa-oaep-mgf1p means MGF1-SHA1)" : "");
		return AS4_E0103;
	}
	if (!x_attr(x_child(em, NS_DS, "DigestMethod"), NULL, "Algorithm", alg, sizeof alg) ||
	    strcmp(alg, ALG_SHA256) != 0) {
		snprintf(why, whycap, "EncryptedKey: OAEP digest \"%s\" is not SHA-256", alg);
		return AS4_E0103;
	}
	if (!x_attr(x_child(em, NS_XENC11, "MGF"), NULL, "Algorithm", alg, sizeof alg) ||
	    strcmp(alg, ALG_MGF1_SHA256) != 0) {
		snprintf(why, whycap, "EncryptedKey: MGF \"%s\" is not MGF1-SHA256", alg);
		return AS4_E0103;
	}
	/* Encrypted to us? When the sender names the certificate, it must be ours.
	 * By issuer and serial (ours), the serial alone is compared: peers spell
	 * issuer names differently, and a serial from another CA that happens to
	 * match fails at decryption anyway. By a BinarySecurityToken (phase4's
	 * way), the certificate itself is compared. */
	xmlNodePtr str = x_child(x_child(ek, NS_DS, "KeyInfo"), NS_WSSE, "SecurityTokenReference");
	xmlNodePtr is = x_child(x_child(str, NS_DS, "X509Data"), NS_DS, "X509IssuerSerial");
	char ser[128], want_iss[512], want_ser[128], ref[256];
	if (is != NULL && issuer_serial(mine, want_iss, sizeof want_iss, want_ser, sizeof want_ser)) {
		x_text(x_child(is, NS_DS, "X509SerialNumber"), ser, sizeof ser);
		if (strcmp(ser, want_ser) != 0) {
			snprintf(why, whycap, "EncryptedKey: encrypted to certificate serial %s, not ours (%s)",
			         ser, want_ser);
			return AS4_E0102;
		}
	}
	if (x_attr(x_child(str, NS_WSSE, "Reference"), NULL, "URI", ref, sizeof ref) && ref[0] == '#') {
		for (xmlNodePtr t = x_child(sec, NS_WSSE, "BinarySecurityToken"); t;
		     t = x_next(t, NS_WSSE, "BinarySecurityToken")) {
			xmlChar *id = x_id(t);
			int match = id != NULL && strcmp((const char *)id, ref + 1) == 0;
			xmlFree(id);
			if (!match)
				continue;
			xmlChar *text = xmlNodeGetContent(t);
			size_t dl = 0;
			unsigned char *der = text ? b64_decode((const char *)text, &dl) : NULL;
			xmlFree(text);
			const unsigned char *q = der;
			X509 *c = der ? d2i_X509(NULL, &q, (long)dl) : NULL;
			free(der);
			int ours = c != NULL && X509_cmp(c, mine) == 0;
			X509_free(c);
			if (!ours) {
				snprintf(why, whycap, "EncryptedKey: encrypted to the certificate in token %s, "
				         "not ours", ref + 1);
				return AS4_E0102;
			}
		}
	}
	xmlNodePtr cv = x_child(x_child(ek, NS_XENC, "CipherData"), NS_XENC, "CipherValue");
	xmlChar *text = xmlNodeGetContent(cv);
	int ok = text != NULL && as4_copy(wrapped, wcap, (const char *)text);
	xmlFree(text);
	if (!ok) {
		snprintf(why, whycap, "EncryptedKey: CipherValue missing or too long");
		return AS4_E0102;
	}
	return AS4_OK;
}

struct att_plain {
	const char *cid;
	const unsigned char *gz;
	size_t len;
};

static int
plain_digest(void *arg, const char *uri, char *b64, size_t cap)
{
	struct att_plain *a = arg;
	if (strncmp(uri, "cid:", 4) != 0 || strcmp(uri + 4, a->cid) != 0)
		return 0;
	sha256_b64(a->gz, a->len, b64, cap);
	return 1;
}

/* SBDH against the ebMS headers: the same parties, process and document type. */
static as4_ebms
sbdh_matches(const struct as4_sbdh *h, const struct as4_user_info *u, char *why, size_t whycap)
{
	const char *action = u->action;
	if (strncmp(action, SCHEME_DOC "::", sizeof SCHEME_DOC + 1) == 0)
		action += sizeof SCHEME_DOC + 1;
	const char *what = strcmp(h->sender, u->original_sender) != 0 ? "sender / originalSender" :
	                   strcmp(h->receiver, u->final_recipient) != 0 ? "receiver / finalRecipient" :
	                   strcmp(h->process, u->service) != 0 ? "PROCESSID / Service" :
	                   strcmp(h->doctype, action) != 0 ? "DOCUMENTID / Action" : NULL;
	if (what == NULL)
		return AS4_OK;
	snprintf(why, whycap, "SBDH and ebMS headers differ: %s", what);
	return AS4_E0004;
}

as4_ebms
as4_receive(const struct as4_recv_params *p, const char *content_type, const unsigned char *bytes,
            size_t len, struct as4_inbound *out, char *why, size_t whycap)
{
	struct mime_msg m;
	xmlDocPtr doc = NULL;
	xmlNodePtr header, messaging, body;
	char cid[256], *wrapped = NULL, cn[128];
	unsigned char *gz = NULL, *sbdh = NULL;
	size_t gz_len = 0, sbdh_len = 0;
	struct wss_result res;
	as4_ebms e = AS4_E0009;
	int unchecked = 0;
	gw_rc rc;

	memset(out, 0, sizeof *out);
	memset(&res, 0, sizeof res);
	if (mime_split(content_type, bytes, len, &m, why, whycap) != GW_OK)
		return AS4_E0009;
	if ((doc = soap_read(m.part[0].body, m.part[0].len, why, whycap)) == NULL)
		goto out;
	if ((rc = soap_parts(doc, &header, &messaging, &body, why, whycap)) != GW_OK) {
		/* A repeated Body or eb:Messaging is how signature wrapping hides one. */
		e = rc == GW_ECRYPTO ? AS4_E0101 : AS4_E0009;
		goto out;
	}
	if ((e = read_user(messaging, &out->info, cid, sizeof cid, why, whycap)) != AS4_OK)
		goto out;
	if (m.n != 2 || strcmp(m.part[1].content_id, cid) != 0) {
		snprintf(why, whycap, "MIME: expected the SOAP part and one attachment <%s>, found %d parts",
		         cid, m.n);
		e = AS4_E0009;
		goto out;
	}
	xmlNodePtr sec = x_child(header, NS_WSSE, "Security");
	if (sec == NULL || x_count(header, NS_WSSE, "Security") != 1 || !x_child(sec, NS_DS, "Signature")) {
		snprintf(why, whycap, "Header: no single wsse:Security with a signature");
		e = AS4_E0103;
		goto out;
	}
	if ((wrapped = malloc(8192)) == NULL) {
		e = AS4_E0004;
		goto out;
	}
	if ((e = read_encryption(sec, cid, p->me->cert, wrapped, 8192, why, whycap)) != AS4_OK)
		goto out;
	if (enc_decrypt(p->me, wrapped, m.part[1].body, m.part[1].len, &gz, &gz_len, why, whycap) != GW_OK) {
		e = AS4_E0102;
		goto out;
	}
	struct att_plain ap = { cid, gz, gz_len };
	if (wss_verify(doc, plain_digest, &ap, &unchecked, &res, NULL, NULL, why, whycap) != GW_OK) {
		e = AS4_E0101;
		goto out;
	}
	int signed_att = 0;
	for (int i = 0; i < res.refs.n; i++)
		if (res.refs.ref[i].attachment && strcmp(res.refs.ref[i].uri + 4, cid) == 0)
			signed_att = 1;
	if (!signed_att || unchecked) {
		snprintf(why, whycap, "the signature does not cover the attachment <%s>", cid);
		e = AS4_E0101;
		goto out;
	}
	if (p->trust != NULL &&
	    as4_cert_check(p->trust->store, res.cert, p->trust->at_s, why, whycap) != GW_OK) {
		e = AS4_E0101;
		goto out;
	}
	if (!cert_cn(res.cert, cn, sizeof cn) || strcmp(cn, out->info.from_party) != 0) {
		snprintf(why, whycap, "From/PartyId \"%s\" is not the signer's CN \"%s\"",
		         out->info.from_party, cn);
		e = AS4_E0101;
		goto out;
	}
	if (!cert_cn(p->me->cert, cn, sizeof cn) || strcmp(cn, out->info.to_party) != 0) {
		snprintf(why, whycap, "To/PartyId \"%s\" is not this access point (%s)",
		         out->info.to_party, cn);
		e = AS4_E0004;
		goto out;
	}
	if (gz_decompress(gz, gz_len, &sbdh, &sbdh_len, why, whycap) != GW_OK) {
		e = AS4_E0303;
		goto out;
	}
	if (as4_sbdh_parse(sbdh, sbdh_len, &out->sbdh, &out->document, &out->document_len, why,
	                   whycap) != GW_OK) {
		e = AS4_E0004;
		goto out;
	}
	if ((e = sbdh_matches(&out->sbdh, &out->info, why, whycap)) != AS4_OK)
		goto out;
	if (p->serviced != NULL &&
	    !p->serviced(p->serviced_arg, out->sbdh.receiver, out->sbdh.doctype, out->sbdh.process)) {
		snprintf(why, whycap, "receiver %s is not serviced here for this document type and process",
		         out->sbdh.receiver);
		e = AS4_E0004_NOT_SERVICED;
		goto out;
	}
	out->refs = res.refs;
	out->sender_cert = res.cert;
	res.cert = NULL;
	e = AS4_OK;
out:
	if (e != AS4_OK) {
		char id[sizeof out->info.message_id];
		memcpy(id, out->info.message_id, sizeof id);
		as4_inbound_free(out);
		memset(out, 0, sizeof *out);
		memcpy(out->info.message_id, id, sizeof id);
	}
	wss_result_free(&res);
	free(wrapped);
	free(gz);
	free(sbdh);
	xmlFreeDoc(doc);
	mime_free(&m);
	return e;
}

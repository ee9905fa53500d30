/*
 * as4_int.h - what the files of peppol/as4/ share and nobody else uses:
 * namespaces and algorithm URIs, a growing buffer, base64, XML look-ups,
 * the WS-Security signature and the attachment encryption.
 */
#ifndef GW_PEPPOL_AS4_INT_H
#define GW_PEPPOL_AS4_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <libxml/tree.h>
#include <openssl/x509.h>
#include "core/err.h"
#include "crypto/signer.h"
#include "peppol/as4/as4.h"

#define NS_S12   "http://www.w3.org/2003/05/soap-envelope"
#define NS_EB    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
#define NS_EBBP  "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0"
#define NS_WSSE  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSSE11 "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
#define NS_WSU   "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define NS_DS    "http://www.w3.org/2000/09/xmldsig#"
#define NS_XENC  "http://www.w3.org/2001/04/xmlenc#"
#define NS_XENC11 "http://www.w3.org/2009/xmlenc11#"
#define NS_EXC   "http://www.w3.org/2001/10/xml-exc-c14n#"
#define NS_SBDH  "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

#define ALG_EXC_C14N   "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define ALG_SHA256     "http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_ATT_SIG    "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Signature-Transform"
#define ALG_ATT_CIPHER "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Ciphertext-Transform"
#define ALG_ATT_ONLY   "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Only"
#define ALG_RSA_OAEP   "http://www.w3.org/2009/xmlenc11#rsa-oaep"
#define ALG_RSA_OAEP_MGF1P "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
#define ALG_MGF1_SHA256 "http://www.w3.org/2009/xmlenc11#mgf1sha256"
#define ALG_AES128_GCM "http://www.w3.org/2009/xmlenc11#aes128-gcm"
#define VT_X509        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define ET_BASE64      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
#define ROLE_INIT      NS_EB "initiator"
#define ROLE_RESP      NS_EB "responder"
#define AGREEMENT      "urn:fdc:peppol.eu:2017:agreements:tia:ap_provider"
#define PARTY_TYPE     "urn:fdc:peppol.eu:2017:identifiers:ap"

/* Largest message accepted, and largest decompressed payload (a zip bomb
 * is a decompression failure, not an allocation failure). */
#define AS4_MAX_BYTES   (64u << 20)
#define AS4_MAX_INFLATE (256u << 20)

/* A growing byte buffer; on allocation failure it sets failed and stops. */
struct abuf {
	char *p;
	size_t n, cap;
	int failed;
};
void abuf_add(struct abuf *b, const void *data, size_t len);
void abuf_str(struct abuf *b, const char *s);
void abuf_printf(struct abuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with &, <, >, " escaped for element text and attribute values. */
void abuf_xml(struct abuf *b, const char *s);

/* Base64 (no line breaks) of data, malloc'd; decode ignoring white space. */
char *b64_encode(const unsigned char *data, size_t len);
unsigned char *b64_decode(const char *s, size_t *outlen);

/* A random "uuid" (v4) into buf (37 bytes). */
void as4_uuid(char *buf, size_t cap);
/* Now as xs:dateTime UTC with milliseconds, into buf (32 bytes). */
void as4_timestamp(char *buf, size_t cap);
/* Copy src into a fixed field, truncating; returns 0 when it did not fit. */
int as4_copy(char *dst, size_t cap, const char *src);

/* The first element child of n with namespace ns and local name name. */
xmlNodePtr x_child(xmlNodePtr n, const char *ns, const char *name);
/* The number of such children. */
int x_count(xmlNodePtr n, const char *ns, const char *name);
/* The next element sibling with that name, after n. */
xmlNodePtr x_next(xmlNodePtr n, const char *ns, const char *name);
/* Trimmed text of n into buf; 0 when absent or too long. */
int x_text(xmlNodePtr n, char *buf, size_t cap);
/* An attribute (ns may be NULL) into buf; 0 when absent or too long. */
int x_attr(xmlNodePtr n, const char *ns, const char *name, char *buf, size_t cap);
/* The wsu:Id or Id of n, or NULL (libxml2 string, xmlFree it). */
xmlChar *x_id(xmlNodePtr n);

/* The MIME parts of a message, pointing into its bytes. */
struct mime_part {
	const unsigned char *body;
	size_t len;
	char content_id[256];   /* without < > */
	char content_type[128];
	int has_disposition;
};
#define MIME_MAX_PARTS 8
struct mime_msg {
	struct mime_part part[MIME_MAX_PARTS];
	int n;
	unsigned char *owned;   /* de-chunked copy when needed */
};
/* Split a capture (HTTP headers or not), a MIME multipart or a bare SOAP
 * envelope into parts; part 0 is the SOAP envelope. */
gw_rc mime_split(const char *content_type, const unsigned char *bytes, size_t len,
                 struct mime_msg *out, char *why, size_t whycap);
void mime_free(struct mime_msg *m);

/* The SHA-256 of the exclusive C14N of the subtree at n (inclusive
 * prefixes: a space-separated list or NULL), base64 into b64 (45 bytes). */
gw_rc c14n_digest(xmlDocPtr doc, xmlNodePtr n, const char *prefixes, char *b64, size_t cap);
/* The exclusive C14N bytes of the subtree at n, malloc'd. */
gw_rc c14n_subtree(xmlDocPtr doc, xmlNodePtr n, const char *prefixes, unsigned char **out, size_t *len);
void sha256_b64(const unsigned char *data, size_t len, char *b64, size_t cap);

/* Sign: references to elements by wsu:Id (refs with uri "#id") and to
 * attachments (uri "cid:..", digest precomputed); fills in every element
 * digest, adds the BinarySecurityToken and ds:Signature to the document's
 * wsse:Security header. refs gets the digests. */
gw_rc wss_sign(xmlDocPtr doc, const struct gw_signer *s, struct as4_refs *refs,
               char *why, size_t whycap);

/* A verified signature. */
struct wss_result {
	X509 *cert;                /* the signer's certificate (owned) */
	struct as4_refs refs;      /* the signed references */
	xmlNodePtr messaging;      /* the signed eb:Messaging, Body */
	xmlNodePtr body;
};
/* Verify the signature in the Security header: every reference (attachments
 * through att_digest(uri), which returns 0 when it cannot be computed: then
 * unchecked counts the reference), the signature value against the BST
 * certificate, and that eb:Messaging and the Body are the signed elements
 * (signature wrapping). GW_ECRYPTO with why otherwise; report (may be NULL)
 * gets one line per finding. */
typedef int (*wss_att_digest_fn)(void *arg, const char *uri, char *b64, size_t cap);
gw_rc wss_verify(xmlDocPtr doc, wss_att_digest_fn att, void *att_arg, int *unchecked,
                 struct wss_result *res, void (*report)(void *, const char *), void *rarg,
                 char *why, size_t whycap);
void wss_result_free(struct wss_result *r);

/* AES-128-GCM of plain (IV || ciphertext || tag) with a fresh key, the key
 * wrapped with RSA-OAEP (MGF1-SHA256, SHA-256) to cert: base64 into
 * *wrapped_b64. */
gw_rc enc_attachment(const unsigned char *plain, size_t len, X509 *cert,
                     unsigned char **out, size_t *outlen, char **wrapped_b64,
                     char *why, size_t whycap);
/* The reverse, after the EncryptedKey's algorithms were checked. */
gw_rc enc_decrypt(const struct gw_signer *me, const char *wrapped_b64,
                  const unsigned char *data, size_t len, unsigned char **out, size_t *outlen,
                  char *why, size_t whycap);

/* gzip and gunzip (bounded by AS4_MAX_INFLATE). */
gw_rc gz_compress(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen);
gw_rc gz_decompress(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen,
                    char *why, size_t whycap);

/* Parse a SOAP envelope from outside (core/xml_safe). */
xmlDocPtr soap_read(const unsigned char *bytes, size_t len, char *why, size_t whycap);
/* Serialise doc (no XML declaration changes), malloc'd. */
gw_rc soap_write(xmlDocPtr doc, unsigned char **out, size_t *len);
/* Header, eb:Messaging, Body of an envelope: GW_EINPUT when one is missing,
 * GW_ECRYPTO when one is repeated (signature wrapping hides a part so). */
gw_rc soap_parts(xmlDocPtr doc, xmlNodePtr *header, xmlNodePtr *messaging, xmlNodePtr *body,
                 char *why, size_t whycap);

/* A signal envelope (receipt or error) around inner, signed by me. */
gw_rc signal_build(const struct gw_signer *me, const char *ref_to, const char *inner,
                   unsigned char **out, size_t *outlen, char *why, size_t whycap);

#endif

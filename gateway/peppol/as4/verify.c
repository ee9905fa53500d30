/*
 * verify.c - `gateway as4 verify`: what can be checked in a captured AS4
 * message or receipt without the receiver's key.
 *
 * Every reference's digest (an encrypted attachment's is reported as not
 * checkable), the signature value against the certificate in the message,
 * and that certificate's validity at the given moment, its subject and
 * issuer (and its chain when a trust store is given). Exit codes as in
 * spec/cli.md: 0 every checkable reference and the signature verify, 1 any
 * does not, 2 not readable as AS4.
 */
#include "peppol/as4/as4_int.h"

#include <stdio.h>
#include <string.h>
#include <openssl/x509.h>

struct att_ctx {
	const struct mime_msg *m;
	xmlNodePtr security;
};

/* Is the attachment uri the cipher text of an EncryptedData? */
static int
encrypted(xmlNodePtr sec, const char *uri)
{
	char v[256];
	for (xmlNodePtr ed = x_child(sec, NS_XENC, "EncryptedData"); ed;
	     ed = x_next(ed, NS_XENC, "EncryptedData")) {
		xmlNodePtr cr = x_child(x_child(ed, NS_XENC, "CipherData"), NS_XENC, "CipherReference");
		if (x_attr(cr, NULL, "URI", v, sizeof v) && strcmp(v, uri) == 0)
			return 1;
	}
	return 0;
}

static int
att_digest(void *arg, const char *uri, char *b64, size_t cap)
{
	struct att_ctx *a = arg;
	if (encrypted(a->security, uri))
		return 0;
	for (int i = 1; i < a->m->n; i++)
		if (strcmp(a->m->part[i].content_id, uri + 4) == 0) {
			sha256_b64(a->m->part[i].body, a->m->part[i].len, b64, cap);
			return 1;
		}
	/* A receipt captured without its request: nothing to digest. */
	return 0;
}

static void
linef(void (*line)(void *, const char *), void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
linef(void (*line)(void *, const char *), void *arg, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	line(arg, buf);
}

static void
what_it_is(xmlNodePtr messaging, void (*line)(void *, const char *), void *arg)
{
	char id[256], ref[256];
	xmlNodePtr um = x_child(messaging, NS_EB, "UserMessage");
	xmlNodePtr sm = x_child(messaging, NS_EB, "SignalMessage");
	xmlNodePtr mi = x_child(um ? um : sm, NS_EB, "MessageInfo");
	x_text(x_child(mi, NS_EB, "MessageId"), id, sizeof id);
	x_text(x_child(mi, NS_EB, "RefToMessageId"), ref, sizeof ref);
	if (um)
		linef(line, arg, "message: UserMessage %s", id);
	else if (sm && x_child(sm, NS_EB, "Receipt"))
		linef(line, arg, "message: Receipt %s for %s", id, ref);
	else if (sm && x_child(sm, NS_EB, "Error"))
		linef(line, arg, "message: Error signal %s for %s", id, ref);
	else
		linef(line, arg, "message: eb:Messaging without a user or signal message");
}

int
as4_verify_file(const unsigned char *bytes, size_t len, int64_t at_s, X509_STORE *store,
                void (*line)(void *arg, const char *text), void *arg)
{
	struct mime_msg m;
	char why[512];
	xmlDocPtr doc = NULL;
	xmlNodePtr header, messaging, body;
	struct wss_result res;
	int unchecked = 0, rc = 2;

	if (mime_split(NULL, bytes, len, &m, why, sizeof why) != GW_OK) {
		linef(line, arg, "not AS4: %s", why);
		return 2;
	}
	if ((doc = soap_read(m.part[0].body, m.part[0].len, why, sizeof why)) == NULL) {
		linef(line, arg, "not AS4: SOAP part: %s", why);
		goto out;
	}
	if (soap_parts(doc, &header, &messaging, &body, why, sizeof why) != GW_OK) {
		linef(line, arg, "not AS4: %s", why);
		goto out;
	}
	what_it_is(messaging, line, arg);
	struct att_ctx a = { &m, x_child(header, NS_WSSE, "Security") };
	if (wss_verify(doc, att_digest, &a, &unchecked, &res, line, arg, why, sizeof why) != GW_OK) {
		linef(line, arg, "FAILED: %s", why);
		rc = 1;
		goto out;
	}
	char subj[512], iss[512];
	X509_NAME_oneline(X509_get_subject_name(res.cert), subj, sizeof subj);
	X509_NAME_oneline(X509_get_issuer_name(res.cert), iss, sizeof iss);
	time_t t = (time_t)at_s;
	if (X509_cmp_time(X509_get0_notAfter(res.cert), &t) < 0)
		linef(line, arg, "certificate: EXPIRED at the moment checked");
	else if (X509_cmp_time(X509_get0_notBefore(res.cert), &t) > 0)
		linef(line, arg, "certificate: NOT YET VALID at the moment checked");
	else
		linef(line, arg, "certificate: valid at the moment checked");
	linef(line, arg, "issuer: %s", iss);
	if (store != NULL) {
		if (as4_cert_check(store, res.cert, at_s, why, sizeof why) == GW_OK)
			linef(line, arg, "chain: ok");
		else
			linef(line, arg, "chain: %s", why);
	}
	linef(line, arg, "signer: %s", subj);
	if (unchecked)
		linef(line, arg, "ok: signature and every checkable reference verify (%d not checkable)",
		      unchecked);
	else
		linef(line, arg, "ok: signature and every reference verify");
	wss_result_free(&res);
	rc = 0;
out:
	xmlFreeDoc(doc);
	mime_free(&m);
	return rc;
}

/*
 * as4_forge.c - a test peer: one AS4 message as another access point would
 * send it, right or deliberately wrong, for the refusal cases of
 * tests/peppol-exchange.sh.
 *
 * Usage: as4_forge -d PKI_DIR -s SIGNER -t RECEIVER_CERT_NAME -f DOC.xml
 *                  -S SENDER_ID -R RECEIVER_ID [-m MESSAGE_ID] [-i INSTANCE_ID]
 *                  [--tamper] [--no-gzip] [--ebms-sender ID] [--ebms-receiver ID]
 *                  [--ebms-doctype DOCTYPE] [--ebms-process PROCESS] OUT
 * Writes OUT (the MIME body) and OUT.ct (its Content-Type). SIGNER and
 * RECEIVER_CERT_NAME name certs/out/g3 files (sender, receiver, expired,
 * revoked, wrongca ...). --tamper changes one character of the signed
 * ConversationId after signing (the signature no longer verifies).
 * --no-gzip attaches the SBDH uncompressed (the headers still say gzip);
 * --ebms-* put another value in the ebMS header (originalSender,
 * finalRecipient, Action, Service) than in the SBDH, signed as it is.
 * Owns nothing; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "crypto/signer.h"
#include "peppol/as4/as4.h"

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	unsigned char *buf = malloc(1 << 22);
	*len = buf ? fread(buf, 1, 1 << 22, f) : 0;
	fclose(f);
	return buf;
}

/* The document type id of a UBL invoice or credit note (its CustomizationID). */
static int
doctype_of(const unsigned char *doc, size_t len, char *out, size_t cap)
{
	const char *open = "CustomizationID>";
	const char *p = memmem(doc, len, open, strlen(open));
	int credit = memmem(doc, len, "<CreditNote", 11) != NULL;
	if (p == NULL)
		return 0;
	p += strlen(open);
	const char *e = memchr(p, '<', len - (size_t)(p - (const char *)doc));
	if (e == NULL)
		return 0;
	snprintf(out, cap, "urn:oasis:names:specification:ubl:schema:xsd:%s::%s##%.*s::2.1",
	    credit ? "CreditNote-2" : "Invoice-2", credit ? "CreditNote" : "Invoice", (int)(e - p), p);
	return 1;
}

int
main(int argc, char **argv)
{
	const char *dir = "certs/out/g3", *signer = "sender", *to = "receiver", *doc = NULL;
	const char *sid = NULL, *rid = NULL, *mid = NULL, *iid = NULL, *out = NULL;
	const char *e_sender = NULL, *e_receiver = NULL, *e_doctype = NULL, *e_process = NULL;
	int tamper = 0, no_gzip = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--tamper") == 0)
			tamper = 1;
		else if (strcmp(a, "--no-gzip") == 0)
			no_gzip = 1;
		else if (strncmp(a, "--ebms-", 7) == 0 && i + 1 < argc) {
			const char *v = argv[++i];
			if (strcmp(a + 7, "sender") == 0)
				e_sender = v;
			else if (strcmp(a + 7, "receiver") == 0)
				e_receiver = v;
			else if (strcmp(a + 7, "doctype") == 0)
				e_doctype = v;
			else if (strcmp(a + 7, "process") == 0)
				e_process = v;
			else {
				fprintf(stderr, "as4_forge: unknown option %s\n", a);
				return 2;
			}
		} else if (a[0] == '-' && i + 1 < argc) {
			const char *v = argv[++i];
			switch (a[1]) {
			case 'd': dir = v; break;
			case 's': signer = v; break;
			case 't': to = v; break;
			case 'f': doc = v; break;
			case 'S': sid = v; break;
			case 'R': rid = v; break;
			case 'm': mid = v; break;
			case 'i': iid = v; break;
			default: fprintf(stderr, "as4_forge: unknown option %s\n", a); return 2;
			}
		} else
			out = a;
	}
	if (doc == NULL || sid == NULL || rid == NULL || out == NULL) {
		fprintf(stderr, "usage: as4_forge -d PKI -s SIGNER -t TO -f DOC -S SENDER -R RECEIVER"
		    " [-m MSGID] [-i INSTANCE] [--tamper] [--no-gzip] [--ebms-sender|receiver|doctype|process V]"
		    " OUT\n");
		return 2;
	}
	char cert[600], key[600], err[512];
	struct gw_signer *s = NULL;
	snprintf(cert, sizeof cert, "%s/%s.crt.pem", dir, signer);
	snprintf(key, sizeof key, "%s/%s.key.pem", dir, signer);
	if (signer_load(&s, cert, key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "as4_forge: %s\n", err);
		return 2;
	}
	snprintf(cert, sizeof cert, "%s/%s.crt.pem", dir, to);
	FILE *f = fopen(cert, "r");
	X509 *rc = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	size_t dl = 0;
	unsigned char *d = slurp(doc, &dl);
	struct as4_sbdh h;
	memset(&h, 0, sizeof h);
	if (rc == NULL || d == NULL || !doctype_of(d, dl, h.doctype, sizeof h.doctype)) {
		fprintf(stderr, "as4_forge: cannot read %s or %s\n", cert, doc);
		return 2;
	}
	snprintf(h.sender, sizeof h.sender, "%s", sid);
	snprintf(h.receiver, sizeof h.receiver, "%s", rid);
	snprintf(h.process, sizeof h.process, "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
	snprintf(h.country_c1, sizeof h.country_c1, "BE");
	if (iid != NULL)
		snprintf(h.instance_id, sizeof h.instance_id, "%s", iid);
	struct as4_sbdh eh = h;
	if (e_sender != NULL)
		snprintf(eh.sender, sizeof eh.sender, "%s", e_sender);
	if (e_receiver != NULL)
		snprintf(eh.receiver, sizeof eh.receiver, "%s", e_receiver);
	if (e_doctype != NULL)
		snprintf(eh.doctype, sizeof eh.doctype, "%s", e_doctype);
	if (e_process != NULL)
		snprintf(eh.process, sizeof eh.process, "%s", e_process);
	int other = e_sender || e_receiver || e_doctype || e_process;
	struct as4_send_params p = { .message_id = mid, .sbdh = &h, .document = d, .document_len = dl,
	                             .signer = s, .receiver_cert = rc,
	                             .test_headers = other ? &eh : NULL, .test_no_gzip = no_gzip };
	struct as4_message m;
	if (as4_build_message(&p, &m, err, sizeof err) != GW_OK) {
		fprintf(stderr, "as4_forge: %s\n", err);
		return 2;
	}
	if (tamper) {
		unsigned char *c = memmem(m.body, m.body_len, "ConversationId>", 15);
		if (c == NULL) {
			fprintf(stderr, "as4_forge: no ConversationId to tamper with\n");
			return 2;
		}
		c[15] = c[15] == 'a' ? 'b' : 'a';
	}
	char ct[700];
	snprintf(ct, sizeof ct, "%s.ct", out);
	FILE *o = fopen(out, "wb"), *t = fopen(ct, "w");
	if (o == NULL || t == NULL || fwrite(m.body, 1, m.body_len, o) != m.body_len ||
	    fprintf(t, "%s\n", m.content_type) < 0 || fclose(o) != 0 || fclose(t) != 0) {
		fprintf(stderr, "as4_forge: cannot write %s\n", out);
		return 2;
	}
	printf("%s\n", m.message_id);
	as4_message_free(&m);
	X509_free(rc);
	signer_free(s);
	free(d);
	return 0;
}

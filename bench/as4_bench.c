/*
 * as4_bench.c - Peppol AS4 messages per second, one thread, no network.
 *
 * Usage: as4_bench [-n N] [-d PKI_DIR] [-f INVOICE.xml] [--write-samples DIR]
 * PKI_DIR defaults to certs/out/g3 (certs/gen-test-pki.sh). Measures, over N
 * messages: built + signed + encrypted per second (as the sender does),
 * parsed + decrypted + verified per second (as the receiver does, chain and
 * CRL check included), and receipts built + verified per second, in thread
 * CPU time (the machine is shared). Figures only: nothing is asserted. --write-samples also writes one message (with
 * its Content-Type header), its receipt and an error signal into DIR: the
 * fuzzers' seed corpus is made so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "crypto/signer.h"
#include "peppol/as4/as4.h"

static const char small_invoice[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" "
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
	"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	"</cbc:CustomizationID><cbc:ID>BENCH-1</cbc:ID></Invoice>\n";

static struct gw_signer *
load(const char *dir, const char *name)
{
	char cert[600], key[600], err[512];
	struct gw_signer *s = NULL;
	snprintf(cert, sizeof cert, "%s/%s.crt.pem", dir, name);
	snprintf(key, sizeof key, "%s/%s.key.pem", dir, name);
	if (signer_load(&s, cert, key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "as4_bench: %s\n", err);
		exit(2);
	}
	return s;
}

/* Thread CPU time in ms: the machine is shared, wall time would measure the others. */
static double
cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

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

static void
spit(const char *dir, const char *name, const char *head, const unsigned char *b, size_t n)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || (head && fputs(head, f) < 0) || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "as4_bench: cannot write %s\n", path);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	const char *dir = "certs/out/g3", *file = NULL, *samples = NULL;
	int n = 200;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--write-samples") == 0 && i + 1 < argc)
			samples = argv[++i];
		else {
			fprintf(stderr, "usage: as4_bench [-n N] [-d PKI_DIR] [-f INVOICE.xml] "
			        "[--write-samples DIR]\n");
			return 2;
		}
	}
	if (n < 1)
		n = 1;
	/* The test PKI's certificates are valid 2025-2035: read the clock there. */
	int64_t at;
	char why[512];
	clock_parse_iso("2026-11-25T10:00:00Z", &at, why, sizeof why);
	clock_pin(at, false);
	struct gw_signer *snd = load(dir, "sender"), *rcv = load(dir, "receiver");
	char ca[600], crl[600];
	snprintf(ca, sizeof ca, "%s/chain.pem", dir);
	snprintf(crl, sizeof crl, "%s/apca.crl.pem", dir);
	X509_STORE *store = NULL;
	if (as4_trust_load(&store, ca, crl, why, sizeof why) != GW_OK) {
		fprintf(stderr, "as4_bench: %s\n", why);
		return 2;
	}
	size_t doclen = strlen(small_invoice);
	unsigned char *doc = (unsigned char *)small_invoice;
	if (file != NULL && (doc = slurp(file, &doclen)) == NULL) {
		fprintf(stderr, "as4_bench: cannot read %s\n", file);
		return 2;
	}
	struct as4_sbdh h = {
		.sender = "0208:0668600511", .receiver = "0208:0739484052",
		.doctype = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:"
		           "en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
		.process = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", .country_c1 = "BE",
	};
	struct as4_send_params p = { .sbdh = &h, .document = doc, .document_len = doclen,
	                             .signer = snd, .receiver_cert = rcv->cert };
	struct as4_message *msgs = calloc((size_t)n, sizeof *msgs);
	struct as4_inbound *ins = calloc((size_t)n, sizeof *ins);
	struct as4_trust trust = { store, at / 1000 };
	struct as4_recv_params rp = { .me = rcv, .trust = &trust };
	if (msgs == NULL || ins == NULL)
		return 2;

	double t0 = cpu_ms();
	for (int i = 0; i < n; i++)
		if (as4_build_message(&p, &msgs[i], why, sizeof why) != GW_OK) {
			fprintf(stderr, "as4_bench: build: %s\n", why);
			return 1;
		}
	double t1 = cpu_ms();
	for (int i = 0; i < n; i++) {
		as4_ebms e = as4_receive(&rp, msgs[i].content_type, msgs[i].body, msgs[i].body_len,
		                         &ins[i], why, sizeof why);
		if (e != AS4_OK) {
			fprintf(stderr, "as4_bench: receive: %s %s\n", as4_ebms_code(e), why);
			return 1;
		}
	}
	double t2 = cpu_ms();
	unsigned char *r = NULL;
	size_t rl = 0;
	for (int i = 0; i < n; i++) {
		if (as4_build_receipt(rcv, &ins[i], &r, &rl, why, sizeof why) != GW_OK ||
		    as4_verify_receipt(r, rl, &msgs[i], rcv->cert, why, sizeof why) != GW_OK) {
			fprintf(stderr, "as4_bench: receipt: %s\n", why);
			return 1;
		}
		if (samples != NULL && i == 0) {
			char head[400];
			snprintf(head, sizeof head, "Content-Type: %s\r\n\r\n", msgs[0].content_type);
			spit(samples, "message.mime", head, msgs[0].body, msgs[0].body_len);
			spit(samples, "receipt.xml", NULL, r, rl);
		}
		free(r);
	}
	double t3 = cpu_ms();
	if (samples != NULL) {
		if (as4_build_error(rcv, AS4_E0004_NOT_SERVICED, msgs[0].message_id, "not serviced here",
		                    &r, &rl, why, sizeof why) != GW_OK)
			return 1;
		spit(samples, "error.xml", NULL, r, rl);
		free(r);
	}
	double b = (t1 - t0) / 1000.0, v = (t2 - t1) / 1000.0, c = (t3 - t2) / 1000.0;
	printf("as4: messages=%d document_bytes=%zu message_bytes=%zu\n", n, doclen, msgs[0].body_len);
	printf("as4: built+signed+encrypted_per_s=%.0f parsed+decrypted+verified_per_s=%.0f "
	       "receipts_built+verified_per_s=%.0f\n", b > 0 ? n / b : 0.0, v > 0 ? n / v : 0.0,
	       c > 0 ? n / c : 0.0);
	for (int i = 0; i < n; i++) {
		as4_message_free(&msgs[i]);
		as4_inbound_free(&ins[i]);
	}
	free(msgs);
	free(ins);
	if (doc != (unsigned char *)small_invoice)
		free(doc);
	X509_STORE_free(store);
	signer_free(snd);
	signer_free(rcv);
	return 0;
}

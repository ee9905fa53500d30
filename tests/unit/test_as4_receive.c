/*
 * test_as4_receive.c - the AS4 endpoint without HTTP (service/as4_receive.c):
 * store then receipt, the duplicate rule of docs/peppol-as4.md (same bytes:
 * the same receipt; same document under a new MessageId: a receipt for it,
 * not stored; refused: nothing stored, a corrected re-delivery with the
 * same MessageId processed anew), an invalid document refused (0004), the
 * CRL re-read when its file changes and when its nextUpdate has passed,
 * concurrent deliveries (the group commit) each answered with a receipt
 * for itself and each document stored once.
 * Needs certs/gen-test-pki.sh (TOP) and the reference examples (REF).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/clock.h"
#include "core/config.h"
#include "crypto/signer.h"
#include "peppol/as4/as4.h"
#include "queue/queue.h"
#include "service/as4_receive.h"
#include "store/store.h"

static char dir[64], pki[600];
static struct queue *q;
static struct as4_receiver *rcv;
static struct gw_signer *sender, *expired;
static X509 *rcert;
static unsigned char *doc;
static size_t doclen;

static const struct as4_sbdh hdr = {
	.sender = "0208:0668600511",
	.receiver = "0208:0739484052",
	.doctype = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:"
	           "2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
	.process = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
	.country_c1 = "BE",
	.instance_id = "0f5a6c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
};

static struct gw_signer *
load(const char *name)
{
	char cert[700], key[700], err[512];
	struct gw_signer *s = NULL;
	snprintf(cert, sizeof cert, "%s/%s.crt.pem", pki, name);
	snprintf(key, sizeof key, "%s/%s.key.pem", pki, name);
	if (signer_load(&s, cert, key, err, sizeof err) != GW_OK)
		fail_msg("%s: %s (run certs/gen-test-pki.sh)", name, err);
	return s;
}

static int
setup(void **state)
{
	(void)state;
	const char *top = getenv("TOP"), *ref = getenv("REF");
	char path[800], err[512];
	snprintf(pki, sizeof pki, "%s/certs/out/g3", top ? top : ".");
	snprintf(dir, sizeof dir, "/tmp/gwas4rXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	int64_t at;
	clock_parse_iso("2026-11-25T10:00:00+01:00", &at, err, sizeof err);
	clock_pin(at, true);
	gw_cfg = config_new();
	if (ref != NULL)
		config_set(gw_cfg, "reference_dir", ref);
	snprintf(path, sizeof path, "%s/receiver.crt.pem", pki);
	config_set(gw_cfg, "peppol_as4.cert", path);
	snprintf(path, sizeof path, "%s/receiver.key.pem", pki);
	config_set(gw_cfg, "peppol_as4.key", path);
	snprintf(path, sizeof path, "%s/chain.pem", pki);
	config_set(gw_cfg, "peppol_as4.ca", path);
	snprintf(path, sizeof path, "%s/apca.crl.pem", pki);
	config_set(gw_cfg, "peppol_as4.crl", path);
	snprintf(path, sizeof path, "%s/inbox", dir);
	config_set(gw_cfg, "peppol_as4.inbox", path);
	snprintf(path, sizeof path, "%s/q.db", dir);
	if (queue_sqlite_ops.open(&q, path, err, sizeof err) != GW_OK)
		fail_msg("queue: %s", err);
	if (as4_receiver_open(&rcv, q, err, sizeof err) != GW_OK)
		fail_msg("receiver: %s", err);
	sender = load("sender");
	expired = load("expired");
	snprintf(path, sizeof path, "%s/receiver.crt.pem", pki);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	rcert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof path, "%s/peppol/examples/peppol/base-example.xml",
	    ref ? ref : "../shared/reference");
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s missing (set REF)", path);
	doc = malloc(1 << 20);
	doclen = fread(doc, 1, 1 << 20, f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[160];
	as4_receiver_close(rcv);
	q->ops->close(q);
	signer_free(sender);
	signer_free(expired);
	X509_free(rcert);
	free(doc);
	config_free(gw_cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
build(const struct gw_signer *from, const char *msgid, const unsigned char *d, size_t dl,
      struct as4_message *m)
{
	char why[512];
	struct as4_send_params p = { .message_id = msgid, .sbdh = &hdr, .document = d,
	                             .document_len = dl, .signer = from, .receiver_cert = rcert };
	if (as4_build_message(&p, m, why, sizeof why) != GW_OK)
		fail_msg("build: %s", why);
}

/* POST m to the receiver: its status and answer. */
static int
deliver(const struct as4_message *m, unsigned char **ans, size_t *alen)
{
	int status = 0;
	as4_receiver_handle(rcv, m->content_type, m->body, m->body_len, &status, ans, alen);
	assert_non_null(*ans);
	return status;
}

/* Files in the inbox. */
static int
inbox_files(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/inbox", dir);
	DIR *d = opendir(path);
	int n = 0;
	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static int
stored(const char *msgid)
{
	struct store *st;
	struct store_inbound in;
	assert_int_equal(store_of(q, &st), GW_OK);
	gw_rc rc = st->ops->inbound_get(st, msgid, "", "", &in);
	store_inbound_free(&in);
	return rc == GW_OK;
}

/* Answer must be an error signal with code. */
static void
assert_error(const unsigned char *ans, size_t alen, const char *code)
{
	struct as4_signal sig;
	char why[256];
	assert_int_equal(as4_parse_signal(ans, alen, &sig, why, sizeof why), GW_OK);
	assert_false(sig.is_receipt);
	assert_string_equal(sig.error_code, code);
}

static void
test_store_then_receipt_and_redelivery(void **state)
{
	(void)state;
	struct as4_message m;
	unsigned char *a1, *a2;
	size_t l1, l2;
	char why[512];
	build(sender, "first@test", doc, doclen, &m);
	assert_int_equal(deliver(&m, &a1, &l1), 200);
	assert_int_equal(as4_verify_receipt(a1, l1, &m, rcert, why, sizeof why), GW_OK);
	assert_true(stored("first@test"));
	assert_int_equal(inbox_files(), 2);           /* document + sidecar */
	/* The same bytes again: the very same receipt, nothing stored again. */
	assert_int_equal(deliver(&m, &a2, &l2), 200);
	assert_int_equal(l1, l2);
	assert_memory_equal(a1, a2, l1);
	assert_int_equal(inbox_files(), 2);
	assert_int_equal(as4_receiver_counts(rcv)->stored, 1);
	assert_int_equal(as4_receiver_counts(rcv)->duplicates, 1);
	free(a1);
	free(a2);
	/* The same document (same instance id) under a new MessageId: a
	 * receipt the sender can check, not a second record. */
	struct as4_message m2;
	build(sender, "second@test", doc, doclen, &m2);
	assert_int_equal(deliver(&m2, &a2, &l2), 200);
	assert_int_equal(as4_verify_receipt(a2, l2, &m2, rcert, why, sizeof why), GW_OK);
	assert_false(stored("second@test"));
	assert_int_equal(inbox_files(), 2);
	assert_int_equal(as4_receiver_counts(rcv)->duplicates, 2);
	free(a2);
	as4_message_free(&m);
	as4_message_free(&m2);
}

static void
test_refused_then_processed_anew(void **state)
{
	(void)state;
	struct as4_message bad, good;
	unsigned char *a;
	size_t l;
	char why[512];
	/* Another document (its own instance id) signed with an expired certificate. */
	struct as4_sbdh h = hdr;
	snprintf(h.instance_id, sizeof h.instance_id, "1a2b3c4d-0000-4000-8000-000000000002");
	struct as4_send_params p = { .message_id = "retry@test", .sbdh = &h, .document = doc,
	                             .document_len = doclen, .signer = expired, .receiver_cert = rcert };
	assert_int_equal(as4_build_message(&p, &bad, why, sizeof why), GW_OK);
	int before = inbox_files();
	assert_int_equal(deliver(&bad, &a, &l), 200);
	assert_error(a, l, "EBMS:0101");
	assert_false(stored("retry@test"));
	assert_int_equal(inbox_files(), before);
	free(a);
	/* Corrected and delivered again under the same MessageId: stored (rule 5). */
	p.signer = sender;
	assert_int_equal(as4_build_message(&p, &good, why, sizeof why), GW_OK);
	assert_int_equal(deliver(&good, &a, &l), 200);
	assert_int_equal(as4_verify_receipt(a, l, &good, rcert, why, sizeof why), GW_OK);
	assert_true(stored("retry@test"));
	assert_int_equal(inbox_files(), before + 2);
	free(a);
	as4_message_free(&bad);
	as4_message_free(&good);
}

static void
test_invalid_document_refused(void **state)
{
	(void)state;
	static const char bare[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" "
		"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
		"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:"
		"billing:3.0</cbc:CustomizationID><cbc:ID>BARE-1</cbc:ID></Invoice>\n";
	struct as4_message m;
	unsigned char *a;
	size_t l;
	struct as4_sbdh h = hdr;
	char why[512];
	snprintf(h.instance_id, sizeof h.instance_id, "1a2b3c4d-0000-4000-8000-000000000003");
	struct as4_send_params p = { .message_id = "bare@test", .sbdh = &h,
	                             .document = (const unsigned char *)bare,
	                             .document_len = strlen(bare), .signer = sender,
	                             .receiver_cert = rcert };
	assert_int_equal(as4_build_message(&p, &m, why, sizeof why), GW_OK);
	int before = inbox_files();
	assert_int_equal(deliver(&m, &a, &l), 200);
	assert_error(a, l, "EBMS:0004");
	assert_false(stored("bare@test"));
	assert_int_equal(inbox_files(), before);
	free(a);
	as4_message_free(&m);
}

/* Write a CRL of the test AP CA to path, revoking the certificate of
 * pki/<revoked>.crt.pem, valid until next_s; in place (same inode) or
 * through a rename (a new file). Returns its size. */
static long
write_crl(const char *path, const char *revoked, int64_t next_s, int in_place)
{
	char p[700], tmp[700];
	snprintf(p, sizeof p, "%s/apca.crt.pem", pki);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	X509 *ca = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(p, sizeof p, "%s/apca.key.pem", pki);
	assert_non_null(f = fopen(p, "r"));
	EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(p, sizeof p, "%s/%s.crt.pem", pki, revoked);
	assert_non_null(f = fopen(p, "r"));
	X509 *gone = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(ca);
	assert_non_null(key);
	assert_non_null(gone);
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rv = X509_REVOKED_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)(clock_now_s() - 86400));
	ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)next_s);
	assert_int_equal(X509_CRL_set_version(crl, 1), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)), 1);
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, last), 1);
	assert_int_equal(X509_CRL_set1_nextUpdate(crl, next), 1);
	assert_int_equal(X509_REVOKED_set_serialNumber(rv, X509_get_serialNumber(gone)), 1);
	assert_int_equal(X509_REVOKED_set_revocationDate(rv, last), 1);
	assert_int_equal(X509_CRL_add0_revoked(crl, rv), 1);
	assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_non_null(f = fopen(in_place ? path : tmp, "w"));
	assert_int_equal(PEM_write_X509_CRL(f, crl), 1);
	long size = ftell(f);
	assert_int_equal(fclose(f), 0);
	if (!in_place)
		assert_int_equal(rename(tmp, path), 0);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	X509_free(gone);
	X509_free(ca);
	EVP_PKEY_free(key);
	return size;
}

/* Deliver a new document (its own instance id) from the sender to r. */
static void
deliver_to(struct as4_receiver *r, const char *msgid, const char *instance, const char *code)
{
	struct as4_message m;
	unsigned char *a = NULL;
	size_t l = 0;
	int status = 0;
	char why[512];
	struct as4_sbdh h = hdr;
	snprintf(h.instance_id, sizeof h.instance_id, "%s", instance);
	struct as4_send_params p = { .message_id = msgid, .sbdh = &h, .document = doc,
	                             .document_len = doclen, .signer = sender, .receiver_cert = rcert };
	assert_int_equal(as4_build_message(&p, &m, why, sizeof why), GW_OK);
	as4_receiver_handle(r, m.content_type, m.body, m.body_len, &status, &a, &l);
	assert_int_equal(status, 200);
	if (code == NULL) {
		if (as4_verify_receipt(a, l, &m, rcert, why, sizeof why) != GW_OK)
			fail_msg("%s: not a receipt (%s): %.300s", msgid, why, (const char *)a);
		assert_true(stored(msgid));
	} else {
		assert_error(a, l, code);
		assert_false(stored(msgid));
	}
	free(a);
	as4_message_free(&m);
}

/* The CRL is not read only at start: a new CRL file revoking the sender is
 * used from the next message on, and once the CRL in use is past its
 * nextUpdate the file is read again even when it looks unchanged (same
 * inode, size and mtime), instead of refusing everyone with a stale CRL. */
static void
test_crl_reread(void **state)
{
	(void)state;
	char crl[700], err[512];
	struct as4_receiver *r2 = NULL;
	int64_t t0 = clock_now_ms();
	int64_t now = t0 / 1000;
	snprintf(crl, sizeof crl, "%s/crl.pem", dir);
	/* A: the expired certificate revoked, fresh for an hour. */
	long size_a = write_crl(crl, "expired", now + 3600, 0);
	config_set(gw_cfg, "peppol_as4.crl", crl);
	assert_int_equal(as4_receiver_open(&r2, q, err, sizeof err), GW_OK);
	deliver_to(r2, "crl-1@test", "1a2b3c4d-0000-4000-8000-00000000c001", NULL);
	/* B, a new file: the sender revoked. Refused from the next message on. */
	long size_b = write_crl(crl, "sender", now + 7200, 0);
	deliver_to(r2, "crl-2@test", "1a2b3c4d-0000-4000-8000-00000000c002", "EBMS:0101");
	/* C over B in place, the sender no longer revoked, its stat made the
	 * same as B's: only B's nextUpdate passing makes it read. */
	struct stat sb;
	assert_int_equal(stat(crl, &sb), 0);
	long size_c = write_crl(crl, "expired", now + 86400, 1);
	assert_int_equal(size_a, size_b);
	assert_int_equal(size_b, size_c);
	struct timespec ts[2] = { sb.st_atim, sb.st_mtim };
	assert_int_equal(utimensat(AT_FDCWD, crl, ts, 0), 0);
	clock_pin((now + 7200 + 1) * 1000, true);
	deliver_to(r2, "crl-3@test", "1a2b3c4d-0000-4000-8000-00000000c003", NULL);
	clock_pin(t0, true);
	as4_receiver_close(r2);
	snprintf(crl, sizeof crl, "%s/apca.crl.pem", pki);
	config_set(gw_cfg, "peppol_as4.crl", crl);
}

/* One delivery on its own thread. */
struct conc {
	struct as4_message m;
	unsigned char *a;
	size_t l;
	int status;
};

static void *
conc_deliver(void *arg)
{
	struct conc *x = arg;
	as4_receiver_handle(rcv, x->m.content_type, x->m.body, x->m.body_len, &x->status, &x->a,
	    &x->l);
	return NULL;
}

/* Deliveries side by side, as a sender with several POSTs in flight makes
 * them: 12 documents, one of them three times (the same bytes twice, and
 * under another MessageId). Every answer is a receipt that verifies for
 * its own message; each document is stored once (rows and inbox pairs);
 * stored + duplicates = deliveries; the store committed no more often than
 * it stored (rows of concurrent deliveries share a commit). */
static void
test_concurrent_deliveries(void **state)
{
	(void)state;
	enum { DOCS = 12, N = DOCS + 2 };
	struct conc x[N];
	pthread_t t[N];
	char why[512], id[64];
	memset(x, 0, sizeof x);
	int files0 = inbox_files();
	const struct as4_receive_counts *n = as4_receiver_counts(rcv);
	unsigned long stored0 = n->stored, dups0 = n->duplicates, commits0 = n->commits;
	for (int i = 0; i < DOCS; i++) {
		struct as4_sbdh h = hdr;
		snprintf(h.instance_id, sizeof h.instance_id, "1a2b3c4d-0000-4000-8000-0000000d%04d", i);
		snprintf(id, sizeof id, "conc-%d@test", i);
		struct as4_send_params p = { .message_id = id, .sbdh = &h, .document = doc,
		                             .document_len = doclen, .signer = sender,
		                             .receiver_cert = rcert };
		assert_int_equal(as4_build_message(&p, &x[i].m, why, sizeof why), GW_OK);
		if (i == 0) {
			/* The same bytes again, and the same document as conc-again. */
			x[DOCS].m = x[0].m;
			x[DOCS].m.body = malloc(x[0].m.body_len);
			memcpy(x[DOCS].m.body, x[0].m.body, x[0].m.body_len);
			p.message_id = "conc-again@test";
			assert_int_equal(as4_build_message(&p, &x[DOCS + 1].m, why, sizeof why), GW_OK);
		}
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_create(&t[i], NULL, conc_deliver, &x[i]), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(x[i].status, 200);
		if (as4_verify_receipt(x[i].a, x[i].l, &x[i].m, rcert, why, sizeof why) != GW_OK)
			fail_msg("delivery %d (%s): not its receipt: %s", i, x[i].m.message_id, why);
		free(x[i].a);
	}
	for (int i = 0; i < DOCS; i++) {
		snprintf(id, sizeof id, "conc-%d@test", i);
		if (!stored(id) && !(i == 0 && stored("conc-again@test")))
			fail_msg("%s not stored", id);
	}
	assert_false(stored("conc-0@test") && stored("conc-again@test"));
	assert_int_equal(inbox_files(), files0 + 2 * DOCS);
	assert_int_equal(n->stored - stored0, DOCS);
	assert_int_equal(n->duplicates - dups0, 2);
	assert_true(n->commits - commits0 >= 1);
	assert_true(n->commits - commits0 <= DOCS);
	for (int i = 0; i < N; i++)
		as4_message_free(&x[i].m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_then_receipt_and_redelivery),
		cmocka_unit_test(test_refused_then_processed_anew),
		cmocka_unit_test(test_invalid_document_refused),
		cmocka_unit_test(test_crl_reread),
		cmocka_unit_test(test_concurrent_deliveries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

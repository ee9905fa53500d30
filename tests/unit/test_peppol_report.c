/*
 * test_peppol_report.c - the monthly reports from what the gateway really
 * sent and received (service/peppol_report.c): one invoice received
 * through the AS4 endpoint (stored with its envelope) and one sent
 * (accepted in the queue) make November's TSR count 1 in and 1 out, with
 * the sending AP of the received one and the receiving AP of the sent one
 * as keys; a message accepted in December is not November's; October,
 * without traffic, still gets both reports with zeros. Every report is
 * valid against the official XSD. Needs certs/gen-test-pki.sh (TOP) and
 * REF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlschemas.h>
#include <openssl/pem.h>

#include "core/clock.h"
#include "core/config.h"
#include "crypto/signer.h"
#include "peppol/as4/as4.h"
#include "queue/queue.h"
#include "service/as4_receive.h"
#include "service/peppol_report.h"

static char dir[64], pki[600], refdir[600];
static struct queue *q;
static char *doc;
static size_t doclen;

static const struct as4_sbdh hdr = {
	.sender = "0208:0668600511",
	.receiver = "0208:0739484052",
	.doctype = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:"
	           "2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
	.process = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
	.country_c1 = "NL",
	.instance_id = "3b1d7a52-0a8e-4c3e-9d55-1f4e2a6b7c8d",
};

static void
pin(const char *when)
{
	int64_t at;
	char err[128];
	assert_int_equal(clock_parse_iso(when, &at, err, sizeof err), GW_OK);
	clock_pin(at, true);
}

static int
setup(void **state)
{
	(void)state;
	const char *top = getenv("TOP"), *ref = getenv("REF");
	char path[800], err[512];
	snprintf(pki, sizeof pki, "%s/certs/out/g3", top ? top : ".");
	snprintf(refdir, sizeof refdir, "%s", ref ? ref : "../shared/reference");
	snprintf(dir, sizeof dir, "/tmp/gwrepXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	gw_cfg = config_new();
	config_set(gw_cfg, "reference_dir", refdir);
	snprintf(path, sizeof path, "%s/receiver.crt.pem", pki);
	config_set(gw_cfg, "peppol_as4.cert", path);
	snprintf(path, sizeof path, "%s/receiver.key.pem", pki);
	config_set(gw_cfg, "peppol_as4.key", path);
	snprintf(path, sizeof path, "%s/chain.pem", pki);
	config_set(gw_cfg, "peppol_as4.ca", path);
	/* What we send goes to the AP with the sender certificate (PBE000101). */
	snprintf(path, sizeof path, "%s/sender.crt.pem", pki);
	config_set(gw_cfg, "peppol_as4.endpoint_cert", path);
	snprintf(path, sizeof path, "%s/inbox", dir);
	config_set(gw_cfg, "peppol_as4.inbox", path);
	snprintf(path, sizeof path, "%s/q.db", dir);
	if (queue_sqlite_ops.open(&q, path, err, sizeof err) != GW_OK)
		fail_msg("queue: %s", err);
	snprintf(path, sizeof path, "%s/peppol/examples/peppol/base-example.xml", refdir);
	FILE *f = fopen(path, "rb");
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
	q->ops->close(q);
	free(doc);
	config_free(gw_cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* One invoice received through the endpoint, at the pinned moment. */
static void
receive_one(void)
{
	char path[700], err[512], why[512];
	struct as4_receiver *rcv;
	struct gw_signer *from = NULL;
	X509 *rcert;
	snprintf(path, sizeof path, "%s/receiver.crt.pem", pki);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	rcert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	char cert[700], key[700];
	snprintf(cert, sizeof cert, "%s/sender.crt.pem", pki);
	snprintf(key, sizeof key, "%s/sender.key.pem", pki);
	if (signer_load(&from, cert, key, err, sizeof err) != GW_OK)
		fail_msg("sender: %s (run certs/gen-test-pki.sh)", err);
	if (as4_receiver_open(&rcv, q, err, sizeof err) != GW_OK)
		fail_msg("receiver: %s", err);
	struct as4_message m;
	struct as4_send_params p = { .message_id = NULL, .sbdh = &hdr,
	                             .document = (unsigned char *)doc, .document_len = doclen,
	                             .signer = from, .receiver_cert = rcert };
	assert_int_equal(as4_build_message(&p, &m, why, sizeof why), GW_OK);
	int status = 0;
	unsigned char *ans = NULL;
	size_t alen = 0;
	as4_receiver_handle(rcv, m.content_type, m.body, m.body_len, &status, &ans, &alen);
	assert_int_equal(status, 200);
	assert_int_equal(as4_receiver_counts(rcv)->stored, 1);
	free(ans);
	as4_message_free(&m);
	as4_receiver_close(rcv);
	signer_free(from);
	X509_free(rcert);
}

/* One invoice of ours accepted (its receipt verified) at the pinned moment. */
static void
send_one(const char *id)
{
	struct queue_msg m;
	memset(&m, 0, sizeof m);
	snprintf(m.id, sizeof m.id, "%s", id);
	snprintf(m.record_id, sizeof m.record_id, "inv-%s", id);
	m.revision = 1;
	snprintf(m.kind, sizeof m.kind, "invoice");
	snprintf(m.channel, sizeof m.channel, "peppol-as4");
	m.state = QS_PENDING;
	assert_int_equal(queue_enqueue(q, &m, 1, NULL), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_PENDING, QS_BUILDING, "test", "build"), GW_OK);
	m.body = doc;
	m.body_len = doclen;
	assert_int_equal(queue_update_transition(q, &m, QS_BUILDING, QS_READY, "test", "built"), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_READY, QS_SENDING, "test", "send"), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_SENDING, QS_SENT, "test", "sent"), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_SENT, QS_ACCEPTED, "test", "receipt"), GW_OK);
}

/* A report file, NUL-terminated; asserts it is valid against xsd. */
static char *
report(const char *name, const char *xsd)
{
	char path[800];
	snprintf(path, sizeof path, "%s/out/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s was not written", path);
	char *x = malloc(1 << 16);
	assert_non_null(x);
	size_t n = fread(x, 1, (1 << 16) - 1, f);
	x[n] = '\0';
	fclose(f);
	snprintf(path, sizeof path, "%s/peppol/reporting/%s", refdir, xsd);
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
	xmlSchemaPtr s = xmlSchemaParse(pc);
	assert_non_null(s);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
	xmlDocPtr d = xmlReadMemory(x, (int)n, name, NULL, XML_PARSE_NONET);
	assert_non_null(d);
	assert_int_equal(xmlSchemaValidateDoc(vc, d), 0);
	xmlFreeDoc(d);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(s);
	xmlSchemaFreeParserCtxt(pc);
	return x;
}

#define TSR_XSD "tsr/peppol-transaction-statistics-reporting-1.0.1.xsd"
#define EUSR_XSD "eusr/peppol-end-user-statistics-reporting-1.1.xsd"

static void
test_month_with_traffic(void **state)
{
	(void)state;
	char out[128], err[512] = "";
	struct peppol_report_counts n;
	snprintf(out, sizeof out, "%s/out", dir);
	pin("2026-11-25T10:00:00+01:00");
	receive_one();
	send_one("m-nov");
	pin("2026-12-02T09:00:00+01:00");
	send_one("m-dec");
	if (peppol_report_write(q, "2026-11", out, &n, err, sizeof err) != GW_OK)
		fail_msg("report: %s", err);
	assert_int_equal(n.received, 1);
	assert_int_equal(n.sent, 1);
	char *x = report("TSR-2026-11.xml", TSR_XSD);
	assert_non_null(strstr(x, "<Total>\n    <Incoming>1</Incoming>\n    <Outgoing>1</Outgoing>"));
	assert_non_null(strstr(x, "<ReporterID schemeID=\"CertSubjectCN\">PBE000102</ReporterID>"));
	/* Received from, and sent to, the AP of certificate PBE000101: one subtotal. */
	assert_non_null(strstr(x, "\"CertSubjectCN\">PBE000101</Key>"));
	assert_non_null(strstr(x, "billing:01:1.0</Key>\n    <Incoming>1</Incoming>\n    <Outgoing>1</Outgoing>"));
	/* C1 from the envelope (NL), C4 from the document's buyer. */
	assert_non_null(strstr(x, "\"SenderCountry\">NL</Key>"));
	free(x);
	x = report("EUSR-2026-11.xml", EUSR_XSD);
	assert_non_null(strstr(x, "<FullSet>\n    <SendingEndUsers>1</SendingEndUsers>\n"
	                          "    <ReceivingEndUsers>1</ReceivingEndUsers>"));
	free(x);

	/* December has the other sent message only. */
	assert_int_equal(peppol_report_write(q, "2026-12", out, &n, err, sizeof err), GW_OK);
	assert_int_equal(n.received, 0);
	assert_int_equal(n.sent, 1);
}

static void
test_month_without_traffic(void **state)
{
	(void)state;
	char out[128], err[512] = "";
	struct peppol_report_counts n;
	snprintf(out, sizeof out, "%s/out", dir);
	assert_int_equal(peppol_report_write(q, "2026-10", out, &n, err, sizeof err), GW_OK);
	assert_int_equal(n.sent + n.received, 0);
	char *x = report("TSR-2026-10.xml", TSR_XSD);
	assert_non_null(strstr(x, "<Incoming>0</Incoming>\n    <Outgoing>0</Outgoing>"));
	assert_non_null(strstr(x, "<EndDate>2026-10-31</EndDate>"));
	free(x);
	x = report("EUSR-2026-10.xml", EUSR_XSD);
	assert_non_null(strstr(x, "<SendingOrReceivingEndUsers>0</SendingOrReceivingEndUsers>"));
	free(x);
	assert_int_equal(peppol_report_write(q, "2026-1", out, &n, err, sizeof err), GW_ECONFIG);
	assert_non_null(strstr(err, "\"2026-1\""));
}

/* Between the 1st and the 15th, with a receiver configured: both reports
 * of the previous month queued once, ready for the peppol-as4 channel. */
static void
test_queue_step(void **state)
{
	(void)state;
	char month[8], err[512] = "";
	int64_t at;
	clock_parse_iso("2026-11-20T10:00:00Z", &at, err, sizeof err);
	assert_int_equal(peppol_report_queue(q, at, month, err, sizeof err), GW_ENOTFOUND);
	clock_parse_iso("2026-12-02T10:00:00Z", &at, err, sizeof err);
	assert_int_equal(peppol_report_queue(q, at, month, err, sizeof err), GW_ENOTFOUND);  /* no receiver */
	config_set(gw_cfg, "peppol_as4.report_receiver", "9925:be0000000097");
	for (int round = 0; round < 2; round++) {
		if (peppol_report_queue(q, at, month, err, sizeof err) != GW_OK)
			fail_msg("queue step: %s", err);
		assert_string_equal(month, "2026-11");
	}
	struct queue_filter f = { .state = QS_READY, .channel = "peppol-as4", .with_bodies = 1 };
	struct queue_msg *v = NULL;
	size_t n = 0, tsr = 0, eusr = 0;
	assert_int_equal(q->ops->list(q, &f, &v, &n), GW_OK);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].record_id, "report:tsr-2026-11") == 0) {
			tsr++;
			assert_non_null(strstr(v[i].body, "<Outgoing>1</Outgoing>"));
		}
		eusr += strcmp(v[i].record_id, "report:eusr-2026-11") == 0;
		queue_msg_free(&v[i]);
	}
	free(v);
	assert_int_equal(tsr, 1);
	assert_int_equal(eusr, 1);
	config_set(gw_cfg, "peppol_as4.report_receiver", "");
}

static void
test_due(void **state)
{
	(void)state;
	char m[8];
	int64_t at;
	char err[64];
	clock_parse_iso("2027-01-15T22:59:00Z", &at, err, sizeof err);
	assert_true(peppol_report_due(at, m));
	assert_string_equal(m, "2026-12");
	clock_parse_iso("2027-01-16T00:00:00Z", &at, err, sizeof err);
	assert_false(peppol_report_due(at, m));
	clock_parse_iso("2026-03-01T00:00:00Z", &at, err, sizeof err);
	assert_true(peppol_report_due(at, m));
	assert_string_equal(m, "2026-02");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_with_traffic),
		cmocka_unit_test(test_month_without_traffic),
		cmocka_unit_test(test_queue_step),
		cmocka_unit_test(test_due),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

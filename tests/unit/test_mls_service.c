/*
 * test_mls_service.c - MLS in the service: the SBDH carries MLS_TO and
 * MLS_TYPE both ways (a bad MLS_TYPE refused, named); when an MLS is owed;
 * the RE built for a document our validator refuses names the rule and
 * passes the MLS rules, the AP too; an MLS received is recorded on the
 * message it answers (an RE refuses a message still sent, an AP on an
 * accepted one is a history event), and one answering nothing of ours is
 * GW_ENOTFOUND. Needs certs/gen-test-pki.sh (TOP) and REF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>

#include "core/clock.h"
#include "core/config.h"
#include "peppol/as4/as4.h"
#include "peppol/mls/mls.h"
#include "queue/queue.h"
#include "service/as4_channel.h"
#include "service/mls_service.h"

static char dir[64], refdir[600];
static struct queue *q;
static X509 *me;
static char *doc;
static size_t doclen;

static int
setup(void **state)
{
	(void)state;
	const char *top = getenv("TOP"), *ref = getenv("REF");
	char path[800], err[512];
	int64_t at;
	snprintf(refdir, sizeof refdir, "%s", ref ? ref : "../shared/reference");
	snprintf(dir, sizeof dir, "/tmp/gwmlsXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	clock_parse_iso("2026-11-25T10:00:00+01:00", &at, err, sizeof err);
	clock_pin(at, true);
	gw_cfg = config_new();
	config_set(gw_cfg, "reference_dir", refdir);
	snprintf(path, sizeof path, "%s/q.db", dir);
	if (queue_sqlite_ops.open(&q, path, err, sizeof err) != GW_OK)
		fail_msg("queue: %s", err);
	snprintf(path, sizeof path, "%s/certs/out/g3/receiver.crt.pem", top ? top : ".");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s missing (run certs/gen-test-pki.sh)", path);
	me = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof path, "%s/peppol/examples/peppol/base-example.xml", refdir);
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
	q->ops->close(q);
	X509_free(me);
	free(doc);
	config_free(gw_cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct as4_sbdh
header(const char *mls_to, const char *mls_type)
{
	struct as4_sbdh h;
	memset(&h, 0, sizeof h);
	snprintf(h.sender, sizeof h.sender, "0208:0668600511");
	snprintf(h.receiver, sizeof h.receiver, "0208:0739484052");
	snprintf(h.doctype, sizeof h.doctype, "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::"
	         "Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1");
	snprintf(h.process, sizeof h.process, "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
	snprintf(h.instance_id, sizeof h.instance_id, "5c0e9a7e-1d2b-4c3d-8e4f-5a6b7c8d9e0f");
	snprintf(h.created, sizeof h.created, "2026-11-25T09:00:00Z");
	snprintf(h.country_c1, sizeof h.country_c1, "BE");
	snprintf(h.mls_to, sizeof h.mls_to, "%s", mls_to);
	snprintf(h.mls_type, sizeof h.mls_type, "%s", mls_type);
	return h;
}

static void
test_sbdh_mls_scopes(void **state)
{
	(void)state;
	struct as4_sbdh h = header("0242:000101", "ALWAYS_SEND"), r;
	unsigned char *x, *d;
	size_t xl, dl;
	char why[256];
	assert_int_equal(as4_sbdh_build(&h, (unsigned char *)"<a/>", 4, &x, &xl, why, sizeof why), GW_OK);
	assert_int_equal(as4_sbdh_parse(x, xl, &r, &d, &dl, why, sizeof why), GW_OK);
	assert_string_equal(r.mls_to, "0242:000101");
	assert_string_equal(r.mls_type, "ALWAYS_SEND");
	free(d);
	/* A bad MLS_TYPE is refused, named. */
	char *bad = strstr((char *)x, "ALWAYS_SEND");
	assert_non_null(bad);
	memcpy(bad, "SOMETIMES__", 11);
	assert_int_equal(as4_sbdh_parse(x, xl, &r, &d, &dl, why, sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "MLS_TYPE"));
	free(x);
	/* Without MLS_TO: no scope at all. */
	h = header("", "");
	assert_int_equal(as4_sbdh_build(&h, (unsigned char *)"<a/>", 4, &x, &xl, why, sizeof why), GW_OK);
	assert_null(strstr((char *)x, "MLS_"));
	assert_int_equal(as4_sbdh_parse(x, xl, &r, &d, &dl, why, sizeof why), GW_OK);
	assert_string_equal(r.mls_to, "");
	free(d);
	free(x);
}

static void
test_wanted(void **state)
{
	(void)state;
	struct as4_sbdh h = header("0242:000101", "FAILURE_ONLY");
	assert_true(mls_wanted(&h, 1));
	assert_false(mls_wanted(&h, 0));
	h = header("0242:000101", "ALWAYS_SEND");
	assert_true(mls_wanted(&h, 0));
	h = header("", "ALWAYS_SEND");
	assert_false(mls_wanted(&h, 1));
	h = header("0242:000101", "ALWAYS_SEND");
	snprintf(h.doctype, sizeof h.doctype, "%s", MLS_DOCTYPE);
	assert_false(mls_wanted(&h, 1));                /* an MLS is never answered */
}

static void
test_answer_re_and_ap(void **state)
{
	(void)state;
	struct as4_inbound in;
	struct invoice_report rep;
	struct queue_msg m;
	struct mls p;
	char err[512];
	memset(&in, 0, sizeof in);
	in.sbdh = header("0242:000101", "ALWAYS_SEND");
	/* The document with a currency no ISO list has. */
	char *bad = malloc(doclen + 1);
	memcpy(bad, doc, doclen);
	bad[doclen] = '\0';
	char *cur = strstr(bad, "<cbc:DocumentCurrencyCode>EUR");
	assert_non_null(cur);
	memcpy(cur + strlen("<cbc:DocumentCurrencyCode>"), "XEU", 3);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(invoice_validate_mem(bad, doclen, "bad", RULES_ALL, true, &rep), GW_OK);
	assert_true(invoice_report_errors(&rep) > 0);
	assert_int_equal(mls_answer(&in, me, &rep, NULL, &m, err, sizeof err), GW_OK);
	invoice_report_free(&rep);
	assert_string_equal(m.kind, "mls");
	assert_string_equal(m.channel, "peppol-as4");
	assert_int_equal(mls_check(m.body, m.body_len, NULL, NULL), 0);
	assert_int_equal(mls_parse(m.body, m.body_len, &p, err, sizeof err), GW_OK);
	assert_string_equal(p.code, "RE");
	assert_string_equal(p.sender, "000102");
	assert_string_equal(p.receiver, "000101");
	assert_string_equal(p.ref_id, in.sbdh.instance_id);
	assert_string_equal(p.issue_date, "2026-11-25");
	assert_non_null(strstr(m.body, "[BR-CL-04]"));
	char first_id[QUEUE_ID_MAX + 1];
	snprintf(first_id, sizeof first_id, "%s", m.id);
	queue_msg_free(&m);
	/* The same document again: the same queue id (queued once). */
	assert_int_equal(mls_answer(&in, me, NULL, NULL, &m, err, sizeof err), GW_OK);
	assert_string_equal(m.id, first_id);
	assert_int_equal(mls_parse(m.body, m.body_len, &p, err, sizeof err), GW_OK);
	assert_string_equal(p.code, "AP");
	assert_int_equal(p.nissues, 0);
	queue_msg_free(&m);
	/* MLS_TO that is not an SPIS id: refused, named. */
	in.sbdh = header("0208:0668600511", "");
	assert_int_equal(mls_answer(&in, me, NULL, NULL, &m, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "0208:0668600511"));
	free(bad);
}

/* A sent invoice in state `to` (sent or accepted). */
static void
sent(const char *id, enum queue_state to)
{
	struct queue_msg m;
	memset(&m, 0, sizeof m);
	snprintf(m.id, sizeof m.id, "%s", id);
	snprintf(m.record_id, sizeof m.record_id, "inv:%s", id);
	m.revision = 1;
	snprintf(m.kind, sizeof m.kind, "invoice");
	snprintf(m.channel, sizeof m.channel, "peppol-as4");
	assert_int_equal(queue_enqueue(q, &m, 1, NULL), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_PENDING, QS_BUILDING, "t", "b"), GW_OK);
	m.body = doc;
	m.body_len = doclen;
	assert_int_equal(queue_update_transition(q, &m, QS_BUILDING, QS_READY, "t", "r"), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_READY, QS_SENDING, "t", "s"), GW_OK);
	assert_int_equal(queue_transition(q, id, QS_SENDING, QS_SENT, "t", "s"), GW_OK);
	if (to != QS_SENT)
		assert_int_equal(queue_transition(q, id, QS_SENT, to, "t", "receipt"), GW_OK);
}

/* An MLS of code for message id, received as an AS4 document. */
static void
received(const char *id, const char *code, struct as4_inbound *in)
{
	struct mls m;
	char why[256];
	size_t len;
	memset(&m, 0, sizeof m);
	memset(in, 0, sizeof *in);
	snprintf(m.id, sizeof m.id, "mls-%s", id);
	snprintf(m.issue_date, sizeof m.issue_date, "2026-11-25");
	snprintf(m.issue_time, sizeof m.issue_time, "09:00:00Z");
	snprintf(m.sender, sizeof m.sender, "000102");
	snprintf(m.receiver, sizeof m.receiver, "000101");
	snprintf(m.code, sizeof m.code, "%s", code);
	as4_channel_instance_id(id, m.ref_id, sizeof m.ref_id);
	if (strcmp(code, "RE") == 0) {
		snprintf(m.description, sizeof m.description, "Rejected: 1 validation error");
		m.nissues = 1;
		snprintf(m.issue[0].line_id, sizeof m.issue[0].line_id, "NA");
		snprintf(m.issue[0].reason, sizeof m.issue[0].reason, "BV");
		snprintf(m.issue[0].description, sizeof m.issue[0].description, "[BR-CL-04] currency");
	}
	assert_int_equal(mls_build(&m, (char **)&in->document, &len, why, sizeof why), GW_OK);
	in->document_len = len;
}

static void
test_record(void **state)
{
	(void)state;
	struct as4_inbound in;
	struct queue_msg m;
	char err[512];
	sent("m-sent", QS_SENT);
	sent("m-acc", QS_ACCEPTED);
	received("m-sent", "RE", &in);
	assert_int_equal(mls_record(q, &in, err, sizeof err), GW_OK);
	free(in.document);
	assert_int_equal(q->ops->get(q, "m-sent", &m), GW_OK);
	assert_int_equal(m.state, QS_REFUSED);
	assert_non_null(strstr(m.last_error, "MLS RE from AP 000102"));
	assert_non_null(strstr(m.last_error, "[BR-CL-04]"));
	queue_msg_free(&m);

	received("m-acc", "AP", &in);
	assert_int_equal(mls_record(q, &in, err, sizeof err), GW_OK);
	free(in.document);
	assert_int_equal(q->ops->get(q, "m-acc", &m), GW_OK);
	assert_int_equal(m.state, QS_ACCEPTED);
	queue_msg_free(&m);
	struct queue_event *ev = NULL;
	size_t n = 0;
	int seen = 0;
	assert_int_equal(q->ops->history(q, "m-acc", &ev, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		seen |= strstr(ev[i].why, "MLS AP from AP 000102") != NULL;
	free(ev);
	assert_true(seen);

	received("m-nobody", "AP", &in);
	assert_int_equal(mls_record(q, &in, err, sizeof err), GW_ENOTFOUND);
	assert_non_null(strstr(err, "which we did not send"));
	free(in.document);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbdh_mls_scopes),
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_answer_re_and_ap),
		cmocka_unit_test(test_record),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

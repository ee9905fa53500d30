/* test_invoice_intake.c - invoice records into the queue: a first revision
 * is queued ready with the bytes `gateway invoice export` writes; a higher
 * revision adds a credit note mirroring the previous document plus a new
 * invoice, both valid; replays change nothing; a conflicting revision is
 * rejected; a buyer without Peppol id ends failed with its reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "test_invoice_fixture.h"
#include "store/store.h"
#include "cmd/cmd.h"
#include "core/config.h"
#include "peppol/rules/validate.h"
#include "queue/queue.h"
#include "service/invoice_intake.h"

static char dir[64], db[128];
static struct queue *q;
static struct invoice_intake_opts opts;

#define BUYER_NO_PEPPOL \
	"\"buyer\": {\"name\": \"Client SA\", \"enterprise_number\": \"0739484052\", " \
	"\"vat\": \"BE0739484052\", \"street\": \"Meir 1\", " \
	"\"city\": \"Antwerpen\", \"postcode\": \"2000\", \"country\": \"BE\"}"
#define BUYER_PRIVATE \
	"\"buyer\": {\"name\": \"Jan Particulier\", \"street\": \"Kerkstraat 1\", " \
	"\"city\": \"Gent\", \"postcode\": \"9000\", \"country\": \"BE\"}"

static int
setup(void **state)
{
	(void)state;
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/gwinvXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db, sizeof db, "%s/q.db", dir);
	gw_cfg = config_new();
	const char *ref = getenv("REF");
	if (ref != NULL)
		config_set(gw_cfg, "reference_dir", ref);
	if (queue_sqlite_ops.open(&q, db, err, sizeof err) != GW_OK)
		return -1;
	return invoice_intake_opts_default(&opts, err, sizeof err) == GW_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[160];
	q->ops->close(q);
	config_free(gw_cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* s with the first `from` replaced by `to` (malloc'd). */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	assert_non_null(p);
	size_t cap = strlen(s) + strlen(to) + 1;
	char *out = malloc(cap);
	snprintf(out, cap, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

/* The test record INV-A at a revision, line 1 at price1. */
static char *
record_a(int revision, const char *price1)
{
	char l1[512], l2[512], lines[1100], rev[40];
	fix_line(l1, sizeof l1, 1, "2", price1, "S", "21");
	fix_line(l2, sizeof l2, 2, "3", "19.99", "S", "6");
	snprintf(lines, sizeof lines, "%s, %s", l1, l2);
	char *r = fix_record("INV-A", "invoice", lines, ", \"due_date\": \"2026-04-01\", "
	    "\"allowances\": [{\"reason\": \"Loyalty\", \"amount\": \"10.00\", "
	    "\"vat_category\": \"S\", \"vat_rate\": \"21\"}]", NULL);
	snprintf(rev, sizeof rev, "\"revision\": \"%d\"", revision);
	char *out = subst(r, "\"revision\": \"1\"", rev);
	free(r);
	return out;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fputs("\n", f);
	assert_int_equal(fclose(f), 0);
}

/* Take one record text in; returns the stats, rejections into rejbuf. */
static struct invoice_intake_stats
take(const char *text, char *rejbuf, size_t rejcap)
{
	char path[160], err[512] = "";
	struct invoice_intake_stats st;
	snprintf(path, sizeof path, "%s/in.jsonl", dir);
	write_file(path, text);
	FILE *rej = tmpfile();
	assert_non_null(rej);
	gw_rc rc = invoice_intake_file(q, path, &opts, &st, rej, err, sizeof err);
	if (rc != GW_OK)
		fail_msg("intake: %s (%s)", gw_rc_name(rc), err);
	rewind(rej);
	size_t n = fread(rejbuf, 1, rejcap - 1, rej);
	rejbuf[n] = '\0';
	fclose(rej);
	return st;
}

/* The messages of a record; *n set. */
static struct queue_msg *
messages(const char *record_key, size_t *n)
{
	struct queue_msg *l = NULL;
	assert_int_equal(queue_by_record(q, record_key, &l, n), GW_OK);
	return l;
}

static void
free_messages(struct queue_msg *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
}

static const struct queue_msg *
find(const struct queue_msg *l, size_t n, uint32_t rev, const char *kind)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].revision == rev && strcmp(l[i].kind, kind) == 0)
			return &l[i];
	fail_msg("no %s revision %u", kind, rev);
	return NULL;
}

/* The body passes the native validator (schema and rules) without error. */
static void
assert_valid(const struct queue_msg *m)
{
	struct invoice_report rep = { 0 };
	assert_non_null(m->body);
	assert_int_equal(invoice_validate_mem(m->body, m->body_len, m->id, RULES_ALL, true, &rep),
	    GW_OK);
	if (invoice_report_errors(&rep) != 0)
		fail_msg("%s: %zu error(s), first %s", m->id, invoice_report_errors(&rep),
		    rep.nxsd ? rep.xsd[0] : rep.rules.v[0].rule_id);
	invoice_report_free(&rep);
	char hash[65];
	queue_sha256_hex(m->body, m->body_len, hash);
	assert_string_equal(hash, m->content_hash);
}

/* The text between open and close in body (malloc'd). */
static char *
between(const char *body, const char *open, const char *close)
{
	const char *a = strstr(body, open);
	assert_non_null(a);
	const char *b = strstr(a, close);
	assert_non_null(b);
	size_t n = (size_t)(b - a);
	char *s = malloc(n + 1);
	memcpy(s, a, n);
	s[n] = '\0';
	return s;
}

/* Whole file into a malloc'd buffer. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
test_ids(void **state)
{
	(void)state;
	char k1[QUEUE_ID_MAX + 1], k2[QUEUE_ID_MAX + 1], d1[INVOICE_ID_MAX + 1],
	    d2[INVOICE_ID_MAX + 1];
	invoice_record_key(k1, "2026-000123");
	assert_string_equal(k1, "inv:2026-000123");
	/* 40-character ids that differ only at the end keep distinct keys. */
	invoice_record_key(k1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc1");
	invoice_record_key(k2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc2");
	assert_true(strlen(k1) <= QUEUE_ID_MAX);
	assert_string_not_equal(k1, k2);
	assert_int_equal(strncmp(k1, "inv:", 4), 0);
	invoice_derived_id(d1, "2026-000123", "CN", 2);
	assert_string_equal(d1, "2026-000123-CN2");
	invoice_derived_id(d1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc1", "R", 12);
	invoice_derived_id(d2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc2", "R", 12);
	assert_true(strlen(d1) <= INVOICE_ID_MAX);
	assert_string_not_equal(d1, d2);
	assert_non_null(strstr(d1, "-R12"));
	invoice_derived_id(d2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc1", "R", 12);
	assert_string_equal(d1, d2);                     /* deterministic */
}

static void
test_revisions(void **state)
{
	(void)state;
	char rej[2048], path[160], out[160];
	size_t n;
	struct queue_msg *l;

	/* Revision 1: one invoice, ready, with export's exact bytes. */
	char *r1 = record_a(1, "100.00");
	struct invoice_intake_stats st = take(r1, rej, sizeof rej);
	assert_int_equal(st.taken, 1);
	assert_int_equal(st.ready, 1);
	assert_int_equal(st.rejected, 0);
	snprintf(path, sizeof path, "%s/in.jsonl", dir);
	snprintf(out, sizeof out, "%s/export", dir);
	char *argv[] = { "export", "--invoices", path, "--out", out, NULL };
	assert_int_equal(invoice_export_main(5, argv), GW_EXIT_OK);
	snprintf(path, sizeof path, "%s/export/INV-A.xml", dir);
	size_t xlen;
	char *exported = slurp(path, &xlen);
	l = messages("inv:INV-A", &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].kind, "invoice");
	assert_string_equal(l[0].channel, "peppol-as4");
	assert_int_equal(l[0].state, QS_READY);
	assert_int_equal(l[0].body_len, xlen);
	assert_memory_equal(l[0].body, exported, xlen);
	assert_valid(&l[0]);
	char *orig = strdup(l[0].body);
	free_messages(l, n);
	free(exported);

	/* Revision 2: a credit note cancelling INV-A in full, and INV-A-R2. */
	char *r2 = record_a(2, "120.00");
	st = take(r2, rej, sizeof rej);
	assert_int_equal(st.taken, 1);
	assert_int_equal(st.revised, 1);
	assert_int_equal(st.messages, 2);
	l = messages("inv:INV-A", &n);
	assert_int_equal(n, 3);
	const struct queue_msg *cn = find(l, n, 2, "credit-note"), *ni = find(l, n, 2, "invoice");
	assert_int_equal(cn->state, QS_READY);
	assert_int_equal(ni->state, QS_READY);
	assert_valid(cn);
	assert_valid(ni);
	assert_non_null(strstr(cn->body, "<CreditNote "));
	assert_non_null(strstr(cn->body, "<cbc:ID>INV-A-CN2</cbc:ID>"));
	char *bref = between(cn->body, "<cac:BillingReference>", "</cac:BillingReference>");
	assert_non_null(strstr(bref, "<cbc:ID>INV-A</cbc:ID>"));
	free(bref);
	assert_non_null(strstr(ni->body, "<cbc:ID>INV-A-R2</cbc:ID>"));
	/* Every total and the VAT breakdown of the credit note equal the original's. */
	static const char *const blocks[][2] = {
		{ "<cac:LegalMonetaryTotal>", "</cac:LegalMonetaryTotal>" },
		{ "<cac:TaxTotal>", "</cac:TaxTotal>" },
		{ "<cac:AllowanceCharge>", "</cac:AllowanceCharge>" },
	};
	for (size_t b = 0; b < 3; b++) {
		char *x = between(orig, blocks[b][0], blocks[b][1]);
		char *y = between(cn->body, blocks[b][0], blocks[b][1]);
		assert_string_equal(x, y);
		free(x);
		free(y);
	}
	/* ...while the new invoice carries the new amounts. */
	char *x = between(orig, "<cbc:PayableAmount", "</cbc:PayableAmount>");
	char *y = between(ni->body, "<cbc:PayableAmount", "</cbc:PayableAmount>");
	assert_string_not_equal(x, y);
	free(x);
	free(y);
	free_messages(l, n);

	/* Replays: the old revision, then the new one re-spaced: nothing. */
	st = take(r1, rej, sizeof rej);
	assert_int_equal(st.replayed, 1);
	assert_int_equal(st.messages, 0);
	char *r2b = subst(r2, "\"invoice_id\": \"INV-A\", ", "\"invoice_id\":\"INV-A\",   ");
	st = take(r2b, rej, sizeof rej);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.messages, 0);
	assert_int_equal(st.rejected, 0);
	l = messages("inv:INV-A", &n);
	assert_int_equal(n, 3);
	free_messages(l, n);

	/* Same revision, other content: rejected, naming record and field. */
	char *r2c = record_a(2, "130.00");
	st = take(r2c, rej, sizeof rej);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 0);
	assert_non_null(strstr(rej, "INV-A"));
	assert_non_null(strstr(rej, "revision"));
	assert_non_null(strstr(rej, "other content"));

	/* Revision 3 cancels what revision 2 issued (INV-A-R2), not INV-A. */
	char *r3 = record_a(3, "140.00");
	st = take(r3, rej, sizeof rej);
	assert_int_equal(st.messages, 2);
	l = messages("inv:INV-A", &n);
	assert_int_equal(n, 5);
	cn = find(l, n, 3, "credit-note");
	assert_valid(cn);
	assert_non_null(strstr(cn->body, "<cbc:ID>INV-A-CN3</cbc:ID>"));
	bref = between(cn->body, "<cac:BillingReference>", "</cac:BillingReference>");
	assert_non_null(strstr(bref, "<cbc:ID>INV-A-R2</cbc:ID>"));
	free(bref);
	free_messages(l, n);

	/* A revision that turns the invoice into a credit note: rejected. */
	char *r4 = subst(r3, "\"revision\": \"3\", \"type\": \"invoice\"",
	    "\"revision\": \"4\", \"type\": \"credit_note\"");
	char *r4b = subst(r4, "\"preceding_invoice_id\": \"\"", "\"preceding_invoice_id\": \"INV-0\"");
	st = take(r4b, rej, sizeof rej);
	assert_int_equal(st.rejected, 1);
	assert_non_null(strstr(rej, "type changed"));
	l = messages("inv:INV-A", &n);
	assert_int_equal(n, 5);
	free_messages(l, n);

	/* Revision 5 identical to 3 but for its number: nothing issued, the
	 * revision remembered; revision 6 then cancels INV-A-R3. */
	char *r5 = record_a(5, "140.00");
	st = take(r5, rej, sizeof rej);
	assert_int_equal(st.no_change, 1);
	assert_int_equal(st.messages, 0);
	uint32_t have = 0;
	assert_int_equal(store_record_get(q, "inv:INV-A", &have, NULL), GW_OK);
	assert_int_equal(have, 5);
	st = take(r3, rej, sizeof rej);
	assert_int_equal(st.replayed, 1);
	char *r6 = record_a(6, "150.00");
	st = take(r6, rej, sizeof rej);
	assert_int_equal(st.messages, 2);
	l = messages("inv:INV-A", &n);
	assert_int_equal(n, 7);
	cn = find(l, n, 6, "credit-note");
	bref = between(cn->body, "<cac:BillingReference>", "</cac:BillingReference>");
	assert_non_null(strstr(bref, "<cbc:ID>INV-A-R3</cbc:ID>"));
	free(bref);
	assert_non_null(strstr(find(l, n, 6, "invoice")->body, "<cbc:ID>INV-A-R6</cbc:ID>"));
	free_messages(l, n);
	free(r5);
	free(r6);

	free(orig);
	free(r1);
	free(r2);
	free(r2b);
	free(r2c);
	free(r3);
	free(r4);
	free(r4b);
}

static void
test_no_peppol_id(void **state)
{
	(void)state;
	char rej[1024], l1[512];
	size_t n;
	fix_line(l1, sizeof l1, 1, "1", "250.00", "S", "21");
	char *r = fix_record("INV-P", "invoice", l1, ", \"due_date\": \"2026-04-01\"", BUYER_NO_PEPPOL);
	struct invoice_intake_stats st = take(r, rej, sizeof rej);
	if (st.taken != 1)
		fail_msg("not taken: %s", rej);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.ready, 0);
	struct queue_msg *l = messages("inv:INV-P", &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].state, QS_FAILED);
	assert_string_equal(l[0].last_error, INVOICE_REASON_NO_PEPPOL);
	assert_string_equal(l[0].last_error, "buyer has no Peppol id: deliver by other means");
	assert_valid(&l[0]);                            /* built and stored all the same */
	struct queue_event *ev = NULL;
	size_t ne = 0;
	assert_int_equal(q->ops->history(q, l[0].id, &ev, &ne), GW_OK);
	assert_true(ne >= 2);
	assert_int_equal(ev[ne - 1].to, QS_FAILED);
	assert_string_equal(ev[ne - 1].why, INVOICE_REASON_NO_PEPPOL);
	free(ev);
	free_messages(l, n);
	/* Replay: nothing, and the failed message stays as it is. */
	st = take(r, rej, sizeof rej);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.messages, 0);
	free(r);

	/* A private person: no electronic address at all. Stored and failed;
	 * the only rule its document breaks is the one asking for that address. */
	r = fix_record("INV-Q", "invoice", l1, ", \"due_date\": \"2026-04-01\"", BUYER_PRIVATE);
	st = take(r, rej, sizeof rej);
	if (st.taken != 1)
		fail_msg("private buyer not taken: %s", rej);
	l = messages("inv:INV-Q", &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].state, QS_FAILED);
	assert_string_equal(l[0].last_error, INVOICE_REASON_NO_PEPPOL);
	struct invoice_report rep = { 0 };
	assert_int_equal(invoice_validate_mem(l[0].body, l[0].body_len, "q", RULES_ALL, true, &rep),
	    GW_OK);
	assert_int_equal(invoice_report_errors(&rep), 1);
	assert_int_equal(rep.nxsd, 0);
	for (size_t i = 0; i < rep.rules.n; i++)
		if (rep.rules.v[i].flag == RULE_FATAL)
			assert_string_equal(rep.rules.v[i].rule_id, "PEPPOL-EN16931-R010");
	invoice_report_free(&rep);
	free_messages(l, n);
	free(r);
}

static void
test_bad_records(void **state)
{
	(void)state;
	char rej[1024], l1[512];
	size_t n;
	/* Amount due without a due date or payment terms (BR-CO-25): refused
	 * at intake, nothing queued for it. */
	fix_line(l1, sizeof l1, 1, "1", "250.00", "S", "21");
	char *r = fix_record("INV-D", "invoice", l1, "", NULL);
	char *r2 = subst(r, "\"terms\": \"30 days\"", "\"terms\": \"\"");
	struct invoice_intake_stats st = take(r2, rej, sizeof rej);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 0);
	assert_non_null(strstr(rej, "INV-D"));
	struct queue_msg *l = NULL;
	assert_int_equal(queue_by_record(q, "inv:INV-D", &l, &n), GW_OK);
	assert_int_equal(n, 0);
	free(l);
	uint32_t rev;
	assert_int_equal(store_record_get(q, "inv:INV-D", &rev, NULL), GW_ENOTFOUND);
	/* Not JSON: rejected with file and line, the file goes on. */
	char text[4096];
	char *ok = fix_record("INV-E", "invoice", l1, ", \"due_date\": \"2026-04-01\"", NULL);
	snprintf(text, sizeof text, "{not json\n%s", ok);
	st = take(text, rej, sizeof rej);
	assert_int_equal(st.read, 2);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.taken, 1);
	assert_non_null(strstr(rej, ":1:"));
	free(r);
	free(r2);
	free(ok);
}

/* A crash after the insert and before the moves leaves the message pending
 * with its body: taking the same record in again finishes the move, and
 * creates nothing. */
static void
test_replay_finishes_move(void **state)
{
	(void)state;
	char rej[1024], l1[512];
	size_t n;
	fix_line(l1, sizeof l1, 1, "1", "75.00", "S", "21");
	char *r = fix_record("INV-C", "invoice", l1, ", \"due_date\": \"2026-04-01\"", NULL);
	/* What intake would have committed: payload = canonical JSON, body = UBL. */
	json_error_t jerr;
	json_t *root = json_loads(r, 0, &jerr);
	assert_non_null(root);
	char *canon = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	struct invoice inv;
	struct record_rejection rr;
	assert_int_equal(invoice_parse_json(r, strlen(r), &inv, &rr), GW_OK);
	struct queue_msg m;
	memset(&m, 0, sizeof m);
	snprintf(m.record_id, sizeof m.record_id, "inv:INV-C");
	m.revision = 1;
	snprintf(m.kind, sizeof m.kind, "invoice");
	snprintf(m.channel, sizeof m.channel, "peppol-as4");
	m.state = QS_PENDING;
	assert_int_equal(ubl_build(&inv, &opts.build, &m.body, &m.body_len, NULL, rej, sizeof rej),
	    GW_OK);
	queue_sha256_hex(m.body, m.body_len, m.content_hash);
	m.payload = canon;
	unsigned char dup = 0;
	assert_int_equal(store_enqueue(q, &m, 1, &dup), GW_OK);
	struct invoice_intake_stats st = take(r, rej, sizeof rej);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.messages, 0);
	struct queue_msg *l = messages("inv:INV-C", &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].state, QS_READY);
	assert_memory_equal(l[0].body, m.body, m.body_len);
	free_messages(l, n);
	queue_msg_free(&m);
	invoice_clear(&inv);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test_setup_teardown(test_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_peppol_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_finishes_move, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_batch_match.c - ONSS batch answers applied to the SQLite queue:
 * receipts, refusals with their reasons, NOTI results per declaration,
 * DmfAPID and IDFLUX notes, unmatched answers kept, replays harmless. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onss/batch/match.h"
#include "service/batch_apply.h"
#include "onss/codelist.h"
#include "queue/queue.h"

static char dir[64], answers[96];
static struct queue *q;

#define FI1 "FI.DIMN.012996.20261125.00001.T.1.1"
#define GO1 "GO.DIMN.012996.20261125.00001.T.1"
#define FI2 "FI.DIMN.012996.20261125.00002.T.1.1"
#define GO2 "GO.DIMN.012996.20261125.00002.T.1"
#define FI3 "FI.DMFA.012996.20261125.00003.T.1.1"

#define HDR \
    "<Identification>%s</Identification><FormCreationDate>2026-11-25</FormCreationDate>" \
    "<FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>" \
    "<TypeForm>%s</TypeForm>"

static void
put(const char *name, const char *text)
{
	char p[160];
	snprintf(p, sizeof p, "%s/%s", answers, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
acrf(const char *name, const char *go, int result, const char *ticket, const char *err)
{
	char hdr[400], x[2048];
	snprintf(hdr, sizeof hdr, HDR, "ACRF001", "PA");
	snprintf(x, sizeof x, "<ACRF><Form>%s<FileReference><FileName>%s</FileName><ReferenceOrigin>2"
	    "</ReferenceOrigin><ReferenceNbr>%s</ReferenceNbr></FileReference><ReceptionResult><ResultCode>"
	    "%d</ResultCode>%s%s%s</ReceptionResult></Form></ACRF>", hdr, go, ticket, result,
	    err ? "<ErrorID>" : "", err ? err : "", err ? "</ErrorID>" : "");
	put(name, x);
}

/* One NOTI form: the declaration's own reference, result, optional anomaly. */
static void
noti_form(char *out, size_t cap, const char *ref, int result, const char *code, const char *cls,
          const char *period)
{
	char hdr[400], an[300] = "", imp[300] = "";
	snprintf(hdr, sizeof hdr, HDR, "NOTI001", "FA");
	if (code)
		snprintf(an, sizeof an, "<AnomalyReport><ErrorID>%s</ErrorID><TagName>StartingDate</TagName>"
		    "<AnomalyClass>%s</AnomalyClass></AnomalyReport>", code, cls);
	if (period)
		snprintf(imp, sizeof imp, "<ImpactReport><DimonaImpactReport><DimonaPeriodId>%s</DimonaPeriodId>"
		    "<IsLocked>0</IsLocked></DimonaImpactReport></ImpactReport>", period);
	size_t used = strlen(out);
	snprintf(out + used, cap - used, "<Form>%s<FileReference><FileName>%s</FileName><ReferenceOrigin>2"
	    "</ReferenceOrigin><ReferenceNbr>T1</ReferenceNbr></FileReference><Reference><ReferenceType>1"
	    "</ReferenceType><ReferenceOrigin>1</ReferenceOrigin><ReferenceNbr>%s</ReferenceNbr></Reference>"
	    "<HandledReference><ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>"
	    "<ReferenceNbr>D-%s</ReferenceNbr></HandledReference><HandlingResult><ResultCode>%d</ResultCode>"
	    "%s%s</HandlingResult></Form>", hdr, GO1, ref, ref, result, an, imp);
}

/* Enqueue a message and walk it to `sent` with its FI name recorded. */
static void
sent_msg(const char *record_id, const char *fi, char id_out[QUEUE_ID_MAX + 1])
{
	struct queue_msg m;
	size_t dups = 0;
	memset(&m, 0, sizeof m);
	snprintf(m.record_id, sizeof m.record_id, "%s", record_id);
	m.revision = 1;
	snprintf(m.kind, sizeof m.kind, "dimona-in");
	snprintf(m.channel, sizeof m.channel, "onss-batch");
	m.state = QS_PENDING;
	m.payload = strdup("{\"worker_inss\":\"90010100123\"}");
	assert_int_equal(queue_enqueue(q, &m, 1, &dups), GW_OK);
	free(m.payload);
	m.payload = NULL;
	snprintf(id_out, QUEUE_ID_MAX + 1, "%s", m.id);
	enum queue_state path[] = { QS_PENDING, QS_BUILDING, QS_READY, QS_SENDING, QS_SENT };
	for (int i = 0; i + 1 < 5; i++)
		assert_int_equal(queue_transition(q, m.id, path[i], path[i + 1], "test", "walk"), GW_OK);
	struct queue_msg g;
	memset(&g, 0, sizeof g);
	assert_int_equal(q->ops->get(q, m.id, &g), GW_OK);
	snprintf(g.remote_ref2, sizeof g.remote_ref2, "%s", fi);
	assert_int_equal(queue_update(q, &g), GW_OK);
	queue_msg_free(&g);
}

static struct queue_msg
get(const char *id)
{
	struct queue_msg g;
	memset(&g, 0, sizeof g);
	assert_int_equal(q->ops->get(q, id, &g), GW_OK);
	return g;
}

/* Whether any event of id says `text`. */
static int
history_says(const char *id, const char *text)
{
	struct queue_event *ev = NULL;
	size_t n = 0;
	int found = 0;
	assert_int_equal(q->ops->history(q, id, &ev, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		found |= strstr(ev[i].why, text) != NULL;
	free(ev);
	return found;
}

static int
exists(const char *sub, const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s/%s", answers, sub, name);
	return access(p, F_OK) == 0;
}

static int
setup(void **state)
{
	(void)state;
	char err[256], db[128];
	const char *ref = getenv("REF");
	setenv("GW_REFERENCE_DIR", ref ? ref : "../shared/reference", 0);
	snprintf(dir, sizeof dir, "/tmp/gwmatchXXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(answers, sizeof answers, "%s/answers", dir);
	mkdir(answers, 0755);
	snprintf(db, sizeof db, "%s/q.db", dir);
	if (queue_sqlite_ops.open(&q, db, err, sizeof err) != GW_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	q->ops->close(q);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	onss_codelist_free();
	return 0;
}

static void
test_apply(void **state)
{
	(void)state;
	char c1[QUEUE_ID_MAX + 1], c2[QUEUE_ID_MAX + 1], c3[QUEUE_ID_MAX + 1], c4[QUEUE_ID_MAX + 1],
	     c5[QUEUE_ID_MAX + 1];
	sent_msg("C1", FI1, c1);
	sent_msg("C2", FI1, c2);
	sent_msg("C3", FI1, c3);
	sent_msg("C4", FI2, c4);
	sent_msg("D1", FI3, c5);

	acrf("FO.ACRF.012996.20261125.00001.T", GO1, 1, "T1", NULL);
	acrf("FO.ACRF.012996.20261125.00002.T", GO2, 0, "T2", "ACRF-125");
	acrf("FO.ACRF.012996.20261125.00077.T", "GO.DIMN.012996.20261125.00077.T.1", 1, "T77", NULL);
	char noti[8192] = "<NOTIFICATION>";
	noti_form(noti, sizeof noti, "C1", 1, NULL, NULL, "123456789012");
	noti_form(noti, sizeof noti, "C2", 0, "90373-333", "B", NULL);
	noti_form(noti, sizeof noti, "C3", 1, "00220-009", "W", "123456789013");
	size_t l = strlen(noti);
	snprintf(noti + l, sizeof noti - l, "</NOTIFICATION>");
	put("FO.NOTI.012996.20261125.00001.T", noti);
	put("FO.ACRF.broken", "<ACRF><Form>");
	char hdr[400], dmpi[2048];
	snprintf(hdr, sizeof hdr, HDR, "DMFAPID", "SU");
	snprintf(dmpi, sizeof dmpi, "<DmfAPID><Form>%s<Reference><ReferenceType>3</ReferenceType>"
	    "<ReferenceOrigin>2</ReferenceOrigin><ReferenceNbr>TD</ReferenceNbr></Reference><Reference>"
	    "<ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin><ReferenceNbr>X</ReferenceNbr>"
	    "</Reference><IDEmployerDeclaration><Quarter>20264</Quarter><NOSSRegistrationNbr>175110801"
	    "</NOSSRegistrationNbr><CompanyID>0668600511</CompanyID><EmployerDeclarationPID>777"
	    "</EmployerDeclarationPID></IDEmployerDeclaration></Form></DmfAPID>", hdr);
	put("FO.DMPI.012996.20261125.00003.T", dmpi);

	struct batch_apply_counts c;
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	assert_int_equal(c.files, 6);
	assert_int_equal(c.matched_files, 4);
	assert_int_equal(c.unmatched_files, 2);
	assert_int_equal(c.messages_moved, 4);

	struct queue_msg m = get(c1);
	assert_int_equal(m.state, QS_ACCEPTED);
	assert_string_equal(m.remote_ref, "T1");
	assert_string_equal(m.remote_ref2, "123456789012");
	assert_true(history_says(c1, "received, ticket T1"));
	assert_true(history_says(c1, "FO.NOTI.012996.20261125.00001.T"));
	queue_msg_free(&m);

	m = get(c2);
	assert_int_equal(m.state, QS_REFUSED);
	assert_non_null(strstr(m.last_error, "90373-333 B StartingDate"));
	assert_non_null(strstr(m.last_error, "Période Dimona en double"));
	queue_msg_free(&m);

	m = get(c3);
	assert_int_equal(m.state, QS_ACCEPTED_WARNINGS);
	assert_string_equal(m.remote_ref2, "123456789013");
	assert_true(history_says(c3, "00220-009 W"));
	queue_msg_free(&m);

	m = get(c4);
	assert_int_equal(m.state, QS_REFUSED);
	assert_non_null(strstr(m.last_error, "ACRF-125 Signature invalide"));
	assert_non_null(strstr(m.last_error, "FO.ACRF.012996.20261125.00002.T"));
	queue_msg_free(&m);

	m = get(c5);
	assert_int_equal(m.state, QS_SENT);           /* DmfAPID only notes */
	assert_true(history_says(c5, "employer declaration 777"));
	queue_msg_free(&m);

	assert_true(exists("applied", "FO.NOTI.012996.20261125.00001.T"));
	assert_true(exists("unmatched", "FO.ACRF.012996.20261125.00077.T"));
	assert_true(exists("unmatched", "FO.ACRF.broken"));

	/* Replaying every applied answer changes nothing and errs nowhere. */
	char cmd[300];
	snprintf(cmd, sizeof cmd, "mv %s/applied/* %s/", answers, answers);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	assert_int_equal(c.messages_moved, 0);
	assert_int_equal(c.unmatched_files, 0);
	m = get(c2);
	assert_int_equal(m.state, QS_REFUSED);
	queue_msg_free(&m);

	/* An IDFLUX about the worker notes every stored record of that INSS. */
	char idf[2048];
	snprintf(hdr, sizeof hdr, HDR, "IDFLUX", "SU");
	snprintf(idf, sizeof idf, "<IDFLUX><Form>%s<Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>2"
	    "</ReferenceOrigin><ReferenceNbr>X</ReferenceNbr></Reference><IdfluxInformation><JustificationCode>90"
	    "</JustificationCode><EffectiveStartingDate>2026-11-25</EffectiveStartingDate><EmployerId>"
	    "<NOSSRegistrationNbr>175110801</NOSSRegistrationNbr><CompanyID>0668600511</CompanyID></EmployerId>"
	    "<ValidSituation><INSS>90010199949</INSS><WorkerName>DUPONT</WorkerName><WorkerFirstName>JEAN"
	    "</WorkerFirstName><WorkerBirthdate>1990-01-01</WorkerBirthdate><WorkerSex>1</WorkerSex>"
	    "</ValidSituation><OutdatedSituation><INSS>90010100123</INSS></OutdatedSituation>"
	    "</IdfluxInformation></Form></IDFLUX>", hdr);
	put("FO.IDFL.999999.20261125.00099.T.1", idf);
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	assert_int_equal(c.matched_files, 1);
	assert_true(history_says(c4, "INSS 90010100123 is now 90010199949"));
}

/* A repeated upload answered "name already received" does not refuse a
 * message whose first upload was received; a fresh one with that name is. */
static void
test_repeat_upload(void **state)
{
	(void)state;
	char c6[QUEUE_ID_MAX + 1], c7[QUEUE_ID_MAX + 1];
	struct batch_apply_counts c;
	sent_msg("C6", "FI.DIMN.012996.20261125.00004.T.1.1", c6);
	acrf("FO.ACRF.012996.20261125.00004.T", "GO.DIMN.012996.20261125.00004.T.1", 1, "T4", NULL);
	acrf("FO.ACRF.012996.20261125.00004.T.1", "GO.DIMN.012996.20261125.00004.T.1", 0, "T9", "ACRF-133");
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	struct queue_msg m = get(c6);
	assert_int_equal(m.state, QS_SENT);
	assert_string_equal(m.remote_ref, "T4");
	assert_true(history_says(c6, "a repeated upload"));
	queue_msg_free(&m);
	/* Without a first receipt the same refusal is final. */
	sent_msg("C7", "FI.DIMN.012996.20261125.00005.T.1.1", c7);
	acrf("FO.ACRF.012996.20261125.00005.T", "GO.DIMN.012996.20261125.00005.T.1", 0, "T10", "ACRF-133");
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	m = get(c7);
	assert_int_equal(m.state, QS_REFUSED);
	assert_non_null(strstr(m.last_error, "ACRF-133"));
	queue_msg_free(&m);
}

/* A NOTIFICATION whose forms partly match: the matched results are applied,
 * and the form that names no queued message keeps the file in unmatched/,
 * counted and reported, instead of it disappearing into applied/. Putting
 * it back once the message is there applies the rest and changes nothing
 * for what was applied. */
static void
test_noti_form_without_message(void **state)
{
	(void)state;
	char c8[QUEUE_ID_MAX + 1], c9[QUEUE_ID_MAX + 1];
	struct batch_apply_counts c;
	sent_msg("C8", FI1, c8);
	char noti[8192] = "<NOTIFICATION>";
	noti_form(noti, sizeof noti, "C8", 1, NULL, NULL, "123456789020");
	noti_form(noti, sizeof noti, "C9", 1, NULL, NULL, "123456789021");
	size_t l = strlen(noti);
	snprintf(noti + l, sizeof noti - l, "</NOTIFICATION>");
	put("FO.NOTI.012996.20261125.00001.T", noti);
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	assert_int_equal(c.files, 1);
	assert_int_equal(c.unmatched_forms, 1);
	assert_int_equal(c.unmatched_files, 1);
	assert_int_equal(c.matched_files, 0);
	assert_int_equal(c.messages_moved, 1);
	struct queue_msg m = get(c8);
	assert_int_equal(m.state, QS_ACCEPTED);
	assert_string_equal(m.remote_ref2, "123456789020");
	queue_msg_free(&m);
	assert_true(exists("unmatched", "FO.NOTI.012996.20261125.00001.T"));
	assert_false(exists("applied", "FO.NOTI.012996.20261125.00001.T"));

	/* The missing message turns up (e.g. restored); the kept file goes back. */
	sent_msg("C9", FI1, c9);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "mv %s/unmatched/FO.NOTI.012996.20261125.00001.T %s/", answers, answers);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(batch_answers_apply_dir(q, answers, &c), GW_OK);
	assert_int_equal(c.unmatched_forms, 0);
	assert_int_equal(c.matched_files, 1);
	assert_int_equal(c.messages_moved, 1);                /* C9 only; C8 unchanged */
	m = get(c9);
	assert_int_equal(m.state, QS_ACCEPTED);
	assert_string_equal(m.remote_ref2, "123456789021");
	queue_msg_free(&m);
	m = get(c8);
	assert_int_equal(m.state, QS_ACCEPTED);
	queue_msg_free(&m);
	assert_true(exists("applied", "FO.NOTI.012996.20261125.00001.T"));
}

static void
test_outcomes(void **state)
{
	(void)state;
	char fi[64];
	assert_int_equal(batch_fi_of(GO1, NULL, fi, sizeof fi), GW_OK);
	assert_string_equal(fi, FI1);
	assert_int_equal(batch_fi_of("FO.DMPI.012996.20261125.00003.T", "DMFA", fi, sizeof fi), GW_OK);
	assert_string_equal(fi, FI3);
	assert_int_equal(batch_fi_of("FO.DMPI.012996.20261125.00003.T", NULL, fi, sizeof fi), GW_EINPUT);
	assert_true(batch_ref_matches("C1", "C1"));
	assert_false(batch_ref_matches("C1", "C12"));
	assert_true(batch_ref_matches("contract-00~1234abcd", "contract-0001-very-long-identifier"));
	assert_false(batch_ref_matches("contract-01~1234abcd", "contract-0001-very-long-identifier"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat_upload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noti_form_without_message, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

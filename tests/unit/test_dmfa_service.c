/* test_dmfa_service.c - the DmfA from the queue (service/dmfa_followup.h):
 * filed sets (format, comparison), the rows as filed versus as they are
 * now, and the per-employer decision over a real SQLite queue: originals
 * once, nothing while a filing awaits its answer, nothing when unchanged,
 * a change found through a kept revision, a revision taken in without its
 * content reported; the filing state in the record store (filed sets,
 * DMPIs, an export folder's record) and its migration from older files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "store/store.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "queue/queue.h"
#include "records/reader.h"
#include "service/dmfa_filing.h"
#include "service/dmfa_followup.h"
#include "service/intake.h"

#define E1 "051234526"
#define E2 "123456749"

static char dir[64], db[128];
static struct queue *q;
static struct dmfa_params P;

static const char *
top(void)
{
	const char *t = getenv("TOP");
	return t ? t : ".";
}

/* One contract of 2026Q2 as a JSON line. */
static void
line(FILE *f, const char *id, int rev, const char *noss, const char *inss, const char *day,
     long pay)
{
	fprintf(f, "{\"contract_id\":\"%s\",\"revision\":\"%d\",\"status\":\"active\","
	    "\"employer_noss\":\"%s\",\"employer_kbo\":\"0456789034\",\"worker_inss\":\"%s\","
	    "\"worker_type\":\"OTH\",\"joint_committee\":\"200\",\"worker_code\":\"495\","
	    "\"start_date\":\"%s\",\"end_date\":\"%s\",\"days_worked\":\"1\",\"hours_worked\":\"7.6\","
	    "\"gross_wage_cents\":\"%ld\"}\n", id, rev, noss, inss, day, day, pay);
}

/* Canonical JSON of one contract line (malloc'd). */
static char *
canon(const char *id, int rev, const char *noss, const char *inss, const char *day, long pay)
{
	char *buf = NULL, *json = NULL;
	size_t len = 0, jl = 0;
	FILE *f = open_memstream(&buf, &len);
	struct contract c;
	struct record_rejection r;
	line(f, id, rev, noss, inss, day, pay);
	fclose(f);
	assert_int_equal(contract_from_json(buf, len - 1, &c, &r), GW_OK);
	assert_int_equal(contract_to_json(&c, &json, &jl), GW_OK);
	free(buf);
	return json;
}

static int
setup(void **state)
{
	(void)state;
	char err[256], path[512];
	snprintf(dir, sizeof dir, "/tmp/gwdmfasXXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/q.db", dir);
	gw_cfg = config_new();
	/* The employers' default establishment units (LocalUnitID, 00042). */
	config_set(gw_cfg, "dmfa.local_units", "051234526=5000000008 123456749=2000000042");
	assert_int_equal(queue_sqlite_ops.open(&q, db, err, sizeof err), GW_OK);
	snprintf(path, sizeof path, "%s/fixtures/dmfa/params-test.txt", top());
	assert_int_equal(dmfa_params_load(path, 20262, &P, err, sizeof err), GW_OK);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	q->ops->close(q);
	config_free(gw_cfg);
	gw_cfg = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

/* ---- filed sets ---- */

static void
test_filed_json(void **state)
{
	(void)state;
	struct dmfa_filed a, b;
	char *json = NULL;
	assert_int_equal(dmfa_filed_from_json("{\"quarter\":20262,\"noss\":\"051234526\",\"contracts\":"
	    "[[\"B\",2],[\"A\",1],[\"A\",1]]}", &a), GW_OK);
	assert_int_equal(a.n, 2);                        /* sorted, repeated ids once */
	assert_string_equal(a.v[0].id, "A");
	assert_int_equal(dmfa_filed_rev(&a, "B"), 2);
	assert_int_equal(dmfa_filed_rev(&a, "C"), 0);
	assert_int_equal(a.noss, 51234526);
	assert_int_equal(dmfa_filed_to_json(&a, &json), GW_OK);
	assert_string_equal(json, "{\"quarter\":20262,\"noss\":\"051234526\",\"contracts\":"
	    "[[\"A\",1],[\"B\",2]]}");
	assert_int_equal(dmfa_filed_from_json(json, &b), GW_OK);
	assert_true(dmfa_filed_same(&a, &b));
	b.v[1].rev = 3;
	assert_false(dmfa_filed_same(&a, &b));
	dmfa_filed_free(&b);
	free(json);
	/* Damaged sets are refused, never half read. */
	assert_int_equal(dmfa_filed_from_json("{\"quarter\":20262,\"noss\":\"x\",\"contracts\":[]}", &b),
	    GW_EINPUT);
	assert_int_equal(dmfa_filed_from_json("{\"quarter\":20262,\"noss\":\"1\",\"contracts\":"
	    "[[\"A\",0]]}", &b), GW_EINPUT);
	assert_int_equal(dmfa_filed_from_json("not json", &b), GW_EINPUT);
	assert_null(b.v);
	dmfa_filed_free(&a);
}

/* ---- rows as filed versus now ---- */

static void
test_filed_versus_now(void **state)
{
	(void)state;
	char *j[5] = {
		canon("A", 1, E1, "80010100107", "2026-04-01", 10000),
		canon("A", 2, E1, "80010100107", "2026-04-01", 12500),
		canon("B", 1, E1, "70070700543", "2026-04-02", 20000),
		canon("C", 1, E2, "80010100107", "2026-04-03", 30000),
		canon("D", 1, E1, "70070700543", "2026-05-04", 40000),  /* new since filing */
	};
	struct dmfa_rev v[5] = {
		{ "A", 1, j[0] }, { "A", 2, j[1] }, { "B", 1, j[2] }, { "C", 1, j[3] }, { "D", 1, j[4] },
	};
	struct dmfa_filed filed, now_set, filed_again;
	struct dmfa_rows now, was;
	const char *missing = NULL;
	size_t nrej = 0;

	assert_int_equal(dmfa_filed_from_json("{\"quarter\":20262,\"noss\":\"051234526\",\"contracts\":"
	    "[[\"A\",1],[\"B\",1]]}", &filed), GW_OK);
	dmfa_rows_init(&now);
	dmfa_rows_init(&was);
	/* Now: the highest revision of each contract, employer E1 only. */
	assert_int_equal(dmfa_followup_rows(v, 5, NULL, 20262, &now, &missing), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&now, &P, NULL, NULL, &nrej), GW_OK);
	dmfa_followup_keep(&now, 51234526, NULL);
	assert_int_equal(now.n, 3);
	for (size_t i = 0; i < now.n; i++) {
		assert_int_equal(now.v[i].noss, 51234526);
		if (strcmp(now.v[i].contract_id, "A") == 0) {
			assert_int_equal(now.v[i].revision, 2);
			assert_int_equal(now.v[i].gross, 12500);
		}
	}
	/* As filed: A at revision 1, B; not D (filed later), not E2's C. */
	assert_int_equal(dmfa_followup_rows(v, 5, &filed, 20262, &was, &missing), GW_OK);
	assert_int_equal(dmfa_rows_prepare(&was, &P, NULL, NULL, &nrej), GW_OK);
	dmfa_followup_keep(&was, 51234526, &filed);
	assert_int_equal(was.n, 2);
	for (size_t i = 0; i < was.n; i++) {
		assert_int_equal(was.v[i].revision, 1);
		assert_true(strcmp(was.v[i].contract_id, "D") != 0);
		if (strcmp(was.v[i].contract_id, "A") == 0)
			assert_int_equal(was.v[i].gross, 10000);
	}
	/* The sets: as filed is what was filed; now differs. */
	assert_int_equal(dmfa_filed_from_rows(&filed_again, 20262, 51234526, was.v, was.n), GW_OK);
	assert_true(dmfa_filed_same(&filed, &filed_again));
	assert_int_equal(dmfa_filed_from_rows(&now_set, 20262, 51234526, now.v, now.n), GW_OK);
	assert_false(dmfa_filed_same(&filed, &now_set));
	assert_int_equal(dmfa_filed_rev(&now_set, "A"), 2);
	assert_int_equal(dmfa_filed_rev(&now_set, "D"), 1);
	dmfa_filed_free(&filed_again);
	dmfa_filed_free(&now_set);
	/* A filed revision no longer stored: named, not guessed. */
	dmfa_rows_free(&was);
	dmfa_rows_init(&was);
	filed.v[0].rev = 3;
	assert_int_equal(dmfa_followup_rows(v, 5, &filed, 20262, &was, &missing), GW_ENOTFOUND);
	assert_string_equal(missing, "A");
	dmfa_rows_free(&was);
	dmfa_rows_free(&now);
	dmfa_filed_free(&filed);
	for (int i = 0; i < 5; i++)
		free(j[i]);
}

/* ---- over the queue ---- */

struct said {
	char lines[16][256];
	size_t n;
};

static void
on_say(void *arg, const char *record_id, const char *what)
{
	struct said *s = arg;
	if (s->n < 16)
		snprintf(s->lines[s->n++], sizeof s->lines[0], "%s: %s", record_id, what);
}

static int
said(const struct said *s, const char *prefix)
{
	for (size_t i = 0; i < s->n; i++)
		if (strncmp(s->lines[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

static void
take(const char *text)
{
	char path[160], err[256];
	struct intake_stats st;
	struct intake_opts o = { .channel = "onss-batch", .expiry_ms = 0, .batch = 50 };
	snprintf(path, sizeof path, "%s/in.jsonl", dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	FILE *rej = fopen("/dev/null", "w");
	memset(&st, 0, sizeof st);
	assert_int_equal(intake_contracts(q, path, &o, &st, rej, err, sizeof err), GW_OK);
	fclose(rej);
}

static void
run_once(struct dmfa_followup_result *r, struct said *s)
{
	struct dmfa_followup_opts o;
	memset(&o, 0, sizeof o);
	memset(s, 0, sizeof *s);
	o.quarter = 20262;
	o.sender = "012996";
	o.env = 'S';                     /* no signature in S */
	o.outbox = dir;
	o.p = &P;
	o.validate = 0;                  /* the XSD check is 72-dmfa-service.sh's */
	o.today = 20260720;
	o.say = on_say;
	o.say_arg = s;
	assert_int_equal(dmfa_followup_queue(q, &o, r), GW_OK);
}

/* The newest message of kind `kind` for rec. */
static int
get_kind(const char *rec, const char *kind, struct queue_msg *out)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	int found = 0;
	if (queue_by_record(q, rec, &l, &n) != GW_OK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!found && strcmp(l[i].kind, kind) == 0) {
			*out = l[i];
			memset(&l[i], 0, sizeof l[i]);
			found = 1;
		}
		queue_msg_free(&l[i]);
	}
	free(l);
	return found;
}

static void
walk(const char *id, const enum queue_state *path, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		assert_int_equal(queue_transition(q, id, path[i], path[i + 1], "test", "test"), GW_OK);
}

/* The ONSS accepted the Dimona IN of rec (the reconciliation needs it). */
static void
accept_dimona(const char *rec)
{
	static const enum queue_state to_ok[] = { QS_PENDING, QS_BUILDING, QS_READY, QS_SENDING, QS_SENT,
	    QS_ACCEPTED };
	struct queue_msg m;
	assert_true(get_kind(rec, "dimona-in", &m));
	walk(m.id, to_ok, 6);
	queue_msg_free(&m);
}

static void
test_queue_decisions(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	struct dmfa_followup_result r;
	struct said s;
	struct queue_msg m;
	struct dmfa_filed f;
	FILE *t = open_memstream(&buf, &len);
	line(t, "A", 1, E1, "80010100107", "2026-04-01", 10000);
	line(t, "B", 1, E1, "70070700543", "2026-04-02", 20000);
	line(t, "C", 1, E2, "80010100107", "2026-04-03", 30000);
	fclose(t);
	take(buf);
	free(buf);

	/* No Dimona accepted yet: every occupation lacks its Dimona period, both
	 * employers are held (service/dmfa_check.h), nothing is queued. */
	run_once(&r, &s);
	assert_int_equal(r.held, 2);
	assert_int_equal(r.originals + r.updates, 0);
	assert_true(said(&s, "DMFA:20262:" E1 ": 051234526 80010100107 A: DmfA occupation 2026-04-01..2026-04-01"
	    " has no accepted Dimona period (blocking)"));
	assert_true(said(&s, "DMFA:20262:" E1 ": held: 2 blocking mismatch(es)"));
	assert_false(get_kind("DMFA:20262:" E1, "dmfa", &m));
	accept_dimona("A");
	accept_dimona("B");
	accept_dimona("C");

	/* First run: one original per employer, each its own submission. */
	run_once(&r, &s);
	assert_int_equal(r.held, 0);
	assert_int_equal(r.employers, 2);
	assert_int_equal(r.originals, 2);
	assert_int_equal(r.unstored, 0);
	assert_true(get_kind("DMFA:20262:" E1, "dmfa", &m));
	assert_int_equal(m.state, QS_PENDING);
	assert_string_equal(m.channel, "onss-batch");
	assert_non_null(m.body);
	assert_non_null(strstr(m.body, "<NOSSRegistrationNbr>051234526</NOSSRegistrationNbr>"));
	assert_null(strstr(m.body, "<NOSSRegistrationNbr>123456749"));  /* one employer per file */
	assert_int_equal(strncmp(m.remote_ref2, "FI.DMFA.012996.20260720.", 24), 0);
	char fi1[QUEUE_REF_MAX + 1];
	snprintf(fi1, sizeof fi1, "%s", m.remote_ref2);
	/* The filed set is in the record store, not in the message. */
	assert_null(m.payload);
	char *set = NULL;
	assert_int_equal(dmfa_filing_filed(q, &m, &set), GW_OK);
	assert_int_equal(dmfa_filed_from_json(set, &f), GW_OK);
	free(set);
	assert_int_equal(f.n, 2);
	assert_int_equal(dmfa_filed_rev(&f, "A"), 1);
	assert_int_equal(dmfa_filed_rev(&f, "B"), 1);
	dmfa_filed_free(&f);
	char id1[QUEUE_ID_MAX + 1];
	snprintf(id1, sizeof id1, "%s", m.id);
	queue_msg_free(&m);
	assert_true(get_kind("DMFA:20262:" E2, "dmfa", &m));
	assert_string_not_equal(m.remote_ref2, fi1);     /* another sequence number */
	queue_msg_free(&m);

	/* Again before any answer: both wait, nothing more is queued. */
	run_once(&r, &s);
	assert_int_equal(r.waiting, 2);
	assert_int_equal(r.originals + r.updates, 0);
	assert_true(said(&s, "DMFA:20262:" E1 ": waits"));

	/* E1 accepted, nothing changed: unchanged; never a second original. */
	enum queue_state ok[] = { QS_PENDING, QS_BUILDING, QS_READY, QS_SENDING, QS_SENT, QS_ACCEPTED };
	walk(id1, ok, 6);
	run_once(&r, &s);
	assert_int_equal(r.unchanged, 1);
	assert_int_equal(r.waiting, 1);                  /* E2 still unanswered */
	assert_int_equal(r.originals + r.updates, 0);

	/* A pay-only revision kept in the record store (as intake keeps it):
	 * a change; without the DMPI the correction waits for it. */
	char *j2 = canon("A", 2, E1, "80010100107", "2026-04-01", 12500);
	struct store_revision kr;
	memset(&kr, 0, sizeof kr);
	snprintf(kr.record_id, sizeof kr.record_id, "A");
	kr.revision = 2;
	queue_sha256_hex(j2, strlen(j2), kr.hash);
	kr.payload = j2;
	struct store_unit ku = { .revs = &kr, .nrevs = 1 };
	assert_int_equal(store_commit(q, &ku), GW_OK);
	free(j2);
	run_once(&r, &s);
	assert_int_equal(r.unstored, 0);
	assert_int_equal(r.updates, 0);
	assert_true(said(&s, "DMFA:20262:" E1 ": waits: "));
	assert_non_null(strstr(s.lines[0], "DMPI"));

	/* Intake keeps a pay-only revision itself: the DmfA finds it. */
	buf = NULL;
	t = open_memstream(&buf, &len);
	line(t, "B", 2, E1, "70070700543", "2026-04-02", 26000);   /* pay only */
	fclose(t);
	take(buf);
	free(buf);
	{
		/* Kept in the store with its content; no message of revision 2. */
		struct store *sto;
		struct store_revision got;
		assert_int_equal(store_of(q, &sto), GW_OK);
		assert_int_equal(sto->ops->revision_get(sto, "B", 1, &got), GW_OK);
		assert_int_equal(got.revision, 2);
		assert_non_null(got.payload);
		assert_non_null(strstr(got.payload, "26000"));
		store_revision_free(&got);
		struct queue_msg *bl = NULL;
		size_t bn = 0;
		assert_int_equal(queue_by_record(q, "B", &bl, &bn), GW_OK);
		for (size_t i = 0; i < bn; i++) {
			assert_int_not_equal(bl[i].revision, 2);
			queue_msg_free(&bl[i]);
		}
		free(bl);
	}
	run_once(&r, &s);
	assert_int_equal(r.unstored, 0);

	/* A revision taken in without its content (noted only, as intake did
	 * before it kept them): reported, never declared with the old values
	 * silently. */
	struct store_revision note;
	memset(&note, 0, sizeof note);
	snprintf(note.record_id, sizeof note.record_id, "B");
	note.revision = 3;
	queue_sha256_hex("B3", 2, note.hash);
	struct store_unit u = { .revs = &note, .nrevs = 1 };
	assert_int_equal(store_commit(q, &u), GW_OK);
	run_once(&r, &s);
	assert_int_equal(r.unstored, 1);
	assert_true(said(&s, "B: revision 3 was taken in without its content being kept"));

	/* E2's only contract cancelled: no row left, its filing is still
	 * found through the queue (here: still waiting for its answer). */
	buf = NULL;
	t = open_memstream(&buf, &len);
	line(t, "C", 2, E2, "80010100107", "2026-04-03", 30000);
	fclose(t);
	char *cancelled = NULL;
	size_t cl = 0;
	FILE *t2 = open_memstream(&cancelled, &cl);
	char *p = strstr(buf, "\"active\"");
	assert_non_null(p);
	fprintf(t2, "%.*s\"cancelled\"%s", (int)(p - buf), buf, p + strlen("\"active\""));
	fclose(t2);
	take(cancelled);
	free(buf);
	free(cancelled);
	assert_true(get_kind("C", "dimona-cancel", &m));
	queue_msg_free(&m);
	run_once(&r, &s);
	assert_int_equal(r.employers, 2);
	assert_true(said(&s, "DMFA:20262:" E2 ": waits"));
}

/* The student contingent from the stored Dimona answers: an accepted IN
 * whose answer reported 90017-369 leaves 0 hours at the solidarity rate,
 * so the whole contract goes to the ordinary code 015 (the input alone
 * has 20 h of a 600 h quota: it would have stayed 840). */
static void
test_contingent_from_answers(void **state)
{
	(void)state;
	static const char *const ids[] = { "S-1", "S-2", "S-3", "S-4" };
	static const char *const inss[] = { "80010100107", "70070700543", "96022107465", "89110812331" };
	static const enum queue_state st[] = { QS_ACCEPTED, QS_ACCEPTED_WARNINGS, QS_REFUSED, QS_ACCEPTED };
	static const char *const said[] = { "90017-369 (plannedHoursNbr)", "information 90017-369",
	    "90017-369", "" };
	struct dmfa_rows rows;
	struct queue_msg msgs[4];
	size_t nrej = 9;
	dmfa_rows_init(&rows);
	memset(msgs, 0, sizeof msgs);
	for (size_t i = 0; i < 4; i++) {
		char json[700];
		snprintf(json, sizeof json, "{\"contract_id\":\"%s\",\"revision\":\"1\",\"status\":\"active\","
		    "\"employer_noss\":\"%s\",\"employer_kbo\":\"0456789034\",\"worker_inss\":\"%s\","
		    "\"worker_type\":\"STU\",\"joint_committee\":\"200\",\"worker_code\":\"840\","
		    "\"start_date\":\"2026-04-10\",\"end_date\":\"2026-04-11\",\"planned_hours\":\"20\","
		    "\"days_worked\":\"2.5\",\"hours_worked\":\"20\",\"gross_wage_cents\":\"30000\"}",
		    ids[i], E1, inss[i]);
		struct record_rejection rej;
		assert_int_equal(dmfa_rows_add_json(&rows, json, strlen(json), 20262, &rej), GW_OK);
		snprintf(msgs[i].kind, sizeof msgs[i].kind, "dimona-in");
		snprintf(msgs[i].record_id, sizeof msgs[i].record_id, "%s", ids[i]);
		msgs[i].state = st[i];
		snprintf(msgs[i].last_error, sizeof msgs[i].last_error, "%s", said[i]);
	}
	/* S-1 (anomaly) and S-2 (information) marked; S-3 refused (no
	 * period), S-4 without the code: not. */
	assert_int_equal(dmfa_followup_contingent(msgs, 4, &rows), 2);
	assert_int_equal(dmfa_rows_prepare(&rows, &P, NULL, NULL, &nrej), GW_OK);
	assert_int_equal(nrej, 0);
	assert_int_equal(rows.n, 4);
	for (size_t i = 0; i < rows.n; i++) {
		const struct dmfa_row *r = &rows.v[i];
		int over = strcmp(r->contract_id, "S-1") == 0 || strcmp(r->contract_id, "S-2") == 0;
		assert_int_equal(r->worker_code, over ? 15 : 840);
		assert_int_equal(r->hours, 2000);           /* all 20 h on the one code */
	}
	dmfa_rows_free(&rows);
}

/* A filing message of rec/rev as queued (no payload). */
static void
filing_msg(struct queue_msg *m, const char *rec, uint32_t rev)
{
	memset(m, 0, sizeof *m);
	snprintf(m->record_id, sizeof m->record_id, "%s", rec);
	m->revision = rev;
	snprintf(m->kind, sizeof m->kind, "dmfa");
	snprintf(m->channel, sizeof m->channel, "onss-batch");
	m->state = QS_PENDING;
}

/* Filed sets and DMPIs live in the store, written once; the older forms
 * (set in the payload, DMPI as an "answer" message) are read into it. */
static void
test_filing_state(void **state)
{
	(void)state;
	struct queue_msg m, old, ans;
	struct store_perm_ids p;
	struct store *st;
	struct store_filed row;
	unsigned char dup = 9;
	char *json = NULL, path[256], key[STORE_KEY_MAX + 1];
	int kept = -1;

	filing_msg(&m, "DMFA:20262:" E1, 1);
	assert_int_equal(dmfa_filing_commit(q, &m, "{\"n\":1}", &dup), GW_OK);
	assert_int_equal(dup, 0);
	assert_int_equal(dmfa_filing_filed(q, &m, &json), GW_OK);
	assert_string_equal(json, "{\"n\":1}");
	free(json);
	assert_int_equal(dmfa_filing_commit(q, &m, "{\"n\":1}", &dup), GW_OK);
	assert_int_equal(dup, 1);                          /* a replay adds nothing */

	/* The DMPI of m, kept once. */
	snprintf(path, sizeof path, "%s/FO.DMPI.012996.20260720.00001.T", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("dmpi-bytes", f);
	fclose(f);
	assert_int_equal(dmfa_filing_dmpi(q, m.id, &p), GW_ENOTFOUND);
	assert_int_equal(dmfa_filing_keep_dmpi(q, &m, path, "FO.DMPI.012996.20260720.00001.T", &kept),
	    GW_OK);
	assert_int_equal(kept, 1);
	assert_int_equal(dmfa_filing_keep_dmpi(q, &m, path, "FO.DMPI.012996.20260720.00001.T", &kept),
	    GW_OK);
	assert_int_equal(kept, 0);
	assert_int_equal(dmfa_filing_dmpi(q, m.id, &p), GW_OK);
	assert_string_equal(p.name, "FO.DMPI.012996.20260720.00001.T");
	assert_memory_equal(p.body, "dmpi-bytes", 10);
	free(p.body);

	/* An older queue file: the set in the payload, no store row. */
	filing_msg(&old, "DMFA:20262:" E2, 1);
	old.payload = strdup("{\"n\":2}");
	assert_int_equal(q->ops->enqueue_each(q, &old, 1, &dup), GW_OK);
	assert_int_equal(store_of(q, &st), GW_OK);
	dmfa_filing_key(key, old.record_id, old.revision);
	assert_int_equal(st->ops->filed_get(st, key, &row), GW_ENOTFOUND);
	assert_int_equal(dmfa_filing_filed(q, &old, &json), GW_OK);
	assert_string_equal(json, "{\"n\":2}");
	free(json);
	assert_int_equal(st->ops->filed_get(st, key, &row), GW_OK);   /* read in once */
	assert_string_equal(row.json, "{\"n\":2}");
	free(row.json);

	/* ... and its DMPI as an "answer" message. */
	memset(&ans, 0, sizeof ans);
	snprintf(ans.record_id, sizeof ans.record_id, "%s", old.record_id);
	ans.revision = 1;
	snprintf(ans.kind, sizeof ans.kind, "%s", DMFA_FILING_ANSWER_KIND);
	snprintf(ans.channel, sizeof ans.channel, "onss-answers");
	ans.state = QS_HELD;
	snprintf(ans.remote_ref2, sizeof ans.remote_ref2, "FO.DMPI.old");
	snprintf(ans.depends_on, sizeof ans.depends_on, "%s", old.id);
	ans.body = strdup("old-dmpi");
	ans.body_len = 8;
	assert_int_equal(q->ops->enqueue_each(q, &ans, 1, &dup), GW_OK);
	assert_int_equal(dmfa_filing_dmpi(q, old.id, &p), GW_ENOTFOUND);
	assert_int_equal(dmfa_filing_migrate_answer(q, &ans), GW_OK);
	assert_int_equal(dmfa_filing_dmpi(q, old.id, &p), GW_OK);
	assert_string_equal(p.name, "FO.DMPI.old");
	assert_memory_equal(p.body, "old-dmpi", 8);
	free(p.body);
	queue_msg_free(&old);
	queue_msg_free(&ans);
}

/* An export folder's record: an old marker file is honoured (read into
 * the folder's store), a new filing is recorded and found again. */
static void
test_export_folder(void **state)
{
	(void)state;
	char out[128], path[256], fi[160], err[256];
	struct dmfa_folder *fo = NULL;
	const uint32_t e2 = 123456749;

	snprintf(out, sizeof out, "%s/out", dir);
	assert_int_equal(mkdir(out, 0750), 0);
	snprintf(path, sizeof path, "%s/.gateway-dmfa-filed", out);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "20262 051234526 FI.DMFA.012996.20260720.00001.T.1.1\n");
	fclose(f);
	assert_int_equal(dmfa_folder_open(&fo, out, err, sizeof err), GW_OK);
	assert_int_equal(dmfa_folder_filed(fo, 20262, 51234526, fi, sizeof fi), 1);
	assert_string_equal(fi, "FI.DMFA.012996.20260720.00001.T.1.1");
	assert_int_equal(dmfa_folder_filed(fo, 20263, 51234526, fi, sizeof fi), 0);
	assert_int_equal(dmfa_folder_filed(fo, 20262, e2, fi, sizeof fi), 0);
	assert_int_equal(dmfa_folder_mark(fo, 20262, &e2, 1, "FI.DMFA.012996.20260720.00002.T.1.1"),
	    GW_OK);
	dmfa_folder_close(fo);
	/* Without the marker file, from the store alone. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(dmfa_folder_open(&fo, out, err, sizeof err), GW_OK);
	assert_int_equal(dmfa_folder_filed(fo, 20262, 51234526, fi, sizeof fi), 1);
	assert_int_equal(dmfa_folder_filed(fo, 20262, e2, fi, sizeof fi), 1);
	assert_string_equal(fi, "FI.DMFA.012996.20260720.00002.T.1.1");
	dmfa_folder_close(fo);
}

/* A submission that fails before it is placed (here: the XSD cannot be
 * read) spends no batch sequence number: the next one to be written
 * still gets the first number, and nothing is left in the outbox. */
static void
test_failed_build_spends_no_sequence(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	struct dmfa_followup_result r;
	struct dmfa_followup_opts o;
	struct said s;
	struct queue_msg m;
	FILE *t = open_memstream(&buf, &len);
	line(t, "A", 1, E1, "80010100107", "2026-04-01", 10000);
	fclose(t);
	take(buf);
	free(buf);
	accept_dimona("A");             /* else the reconciliation holds the employer */

	memset(&o, 0, sizeof o);
	memset(&s, 0, sizeof s);
	o.quarter = 20262;
	o.sender = "012996";
	o.env = 'S';
	o.outbox = dir;
	o.p = &P;
	o.validate = 1;
	o.today = 20260720;
	o.say = on_say;
	o.say_arg = &s;
	config_set(gw_cfg, "onss.xsd_dir", "/nonexistent-xsd-folder");
	(void)dmfa_followup_queue(q, &o, &r);
	assert_int_equal(r.originals, 0);
	assert_false(get_kind("DMFA:20262:" E1, "dmfa", &m));
	config_set(gw_cfg, "onss.xsd_dir", "");

	run_once(&r, &s);
	assert_int_equal(r.originals, 1);
	assert_true(get_kind("DMFA:20262:" E1, "dmfa", &m));
	assert_string_equal(m.remote_ref2, "FI.DMFA.012996.20260720.00001.S.1.1");
	queue_msg_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filed_json),
		cmocka_unit_test_setup_teardown(test_filed_versus_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_decisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contingent_from_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_build_spends_no_sequence, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

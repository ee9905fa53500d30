/* test_intake_series.c - the Horeca occasional-worker rule at intake: a run
 * of three or more consecutive EXT days with one employer is one OTH
 * period; later days have no message, only their run row and their own
 * revision in the record store; replays change nothing; amendments of a
 * day act on the run's period; a stored revision that cannot be read
 * stops the intake, naming the record. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "store/store.h"
#include "queue/queue.h"
#include "queue/sqlite_db.h"
#include "records/reader.h"
#include "service/intake.h"
#include "service/intake_series.h"

static char dir[64], db[128];
static struct queue *q;
static FILE *rej;

/* One Horeca EXT day as a JSONL line. */
static void
ext_line(FILE *f, const char *id, int rev, const char *status, const char *inss,
         const char *day, const char *jc, const char *type, const char *from)
{
	fprintf(f, "{\"contract_id\":\"%s\",\"revision\":\"%d\",\"status\":\"%s\","
	    "\"employer_noss\":\"123456749\",\"employer_kbo\":\"0477472701\",\"worker_inss\":"
	    "\"%s\",\"worker_type\":\"%s\",\"joint_committee\":\"%s\",\"worker_code\":\"015\","
	    "\"start_date\":\"%s\",\"start_time\":\"%s\",\"end_date\":\"%s\",\"end_time\":\"16:00\","
	    "\"days_worked\":\"1\",\"hours_worked\":\"6\",\"gross_wage_cents\":\"8000\"}\n",
	    id, rev, status, inss, type, jc, day, from, day);
}

static void
take(const char *path, struct intake_stats *st)
{
	char err[256];
	assert_int_equal(intake_contracts(q, path, &(struct intake_opts){ .channel = "dimona-rest", .batch = 50 }, st,
	    rej, err, sizeof err), GW_OK);
}

/* The messages of a record, newest revision first. */
static size_t
msgs_of(const char *rec, struct queue_msg **l)
{
	size_t n = 0;
	*l = NULL;
	gw_rc rc = queue_by_record(q, rec, l, &n);
	assert_true(rc == GW_OK || rc == GW_ENOTFOUND);
	return n;
}

static void
free_msgs(struct queue_msg *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		queue_msg_free(&l[i]);
	free(l);
}

/* The one message of kind `kind` of rec at revision rev; 0 when none. */
static int
find_kind(const char *rec, uint32_t rev, const char *kind, struct queue_msg *out)
{
	struct queue_msg *l;
	size_t n = msgs_of(rec, &l);
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (!found && l[i].revision == rev && strcmp(l[i].kind, kind) == 0) {
			*out = l[i];
			memset(&l[i], 0, sizeof l[i]);
			found = 1;
		}
	}
	free_msgs(l, n);
	return found;
}

static struct contract
payload_of(const struct queue_msg *m)
{
	struct contract c;
	struct record_rejection r;
	assert_non_null(m->payload);
	assert_int_equal(contract_from_json(m->payload, strlen(m->payload), &c, &r), GW_OK);
	return c;
}

/* The run row of rec at revision rev (the store's run members); 0 when
 * none. */
static int
find_member(const char *rec, uint32_t rev, struct store_run_member *out)
{
	struct store *sto;
	struct store_run_member newest, *v = NULL;
	size_t n = 0;
	int found = 0;
	assert_int_equal(store_of(q, &sto), GW_OK);
	gw_rc rc = sto->ops->run_get(sto, rec, &newest);
	if (rc == GW_ENOTFOUND)
		return 0;
	assert_int_equal(rc, GW_OK);
	assert_int_equal(sto->ops->run_members(sto, newest.msg_id, &v, &n), GW_OK);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].record_id, rec) == 0 && v[i].revision == rev) {
			*out = v[i];
			found = 1;
		}
	free(v);
	return found;
}

/* The record as the store keeps it (its highest revision, with content). */
static struct contract
kept_of(const char *rec, uint32_t rev)
{
	struct store *sto;
	struct store_revision r;
	struct contract c;
	struct record_rejection rj;
	assert_int_equal(store_of(q, &sto), GW_OK);
	assert_int_equal(sto->ops->revision_get(sto, rec, 1, &r), GW_OK);
	assert_int_equal(r.revision, rev);
	assert_non_null(r.payload);
	assert_int_equal(contract_from_json(r.payload, strlen(r.payload), &c, &rj), GW_OK);
	store_revision_free(&r);
	return c;
}

/* Messages in state s, whatever their record. */
static size_t
count_state(enum queue_state s)
{
	struct queue_msg *l = NULL;
	size_t n = 0;
	struct queue_filter f = { .state = (int)s };
	assert_int_equal(q->ops->list(q, &f, &l, &n), GW_OK);
	free_msgs(l, n);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/gwserXXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/q.db", dir);
	gw_cfg = config_new();
	assert_int_equal(queue_sqlite_ops.open(&q, db, err, sizeof err), GW_OK);
	rej = fopen("/dev/null", "w");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	fclose(rej);
	q->ops->close(q);
	config_free(gw_cfg);
	gw_cfg = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

/* Within one file: runs, pairs, other committees and workers. */
static void
test_run_in_one_file(void **state)
{
	(void)state;
	char path[160];
	struct intake_stats st;
	struct queue_msg m;
	snprintf(path, sizeof path, "%s/a.jsonl", dir);
	FILE *f = fopen(path, "w");
	/* Out of order on purpose: the run is found whatever the file order. */
	ext_line(f, "R-3", 1, "active", "80040573349", "2026-04-26", "302", "EXT", "10:00");
	ext_line(f, "P-1", 1, "active", "89072273538", "2026-04-06", "302", "EXT", "10:00");
	ext_line(f, "R-1", 1, "active", "80040573349", "2026-04-24", "302", "EXT", "10:00");
	ext_line(f, "P-2", 1, "active", "89072273538", "2026-04-07", "302", "EXT", "10:00");
	ext_line(f, "R-2", 1, "active", "80040573349", "2026-04-25", "302", "EXT", "10:00");
	ext_line(f, "R-4", 1, "active", "80040573349", "2026-04-27", "302", "EXT", "10:00");
	/* Same worker, a gap of one day: a run of its own (one day). */
	ext_line(f, "G-1", 1, "active", "80040573349", "2026-04-29", "302", "EXT", "10:00");
	/* Three days outside Horeca (agriculture, 144, where EXT is allowed too):
	 * no rule, three INs. */
	ext_line(f, "O-1", 1, "active", "66083073796", "2026-03-20", "144", "EXT", "10:00");
	ext_line(f, "O-2", 1, "active", "66083073796", "2026-03-21", "144", "EXT", "10:00");
	ext_line(f, "O-3", 1, "active", "66083073796", "2026-03-22", "144", "EXT", "10:00");
	fclose(f);
	take(path, &st);
	assert_int_equal(st.read, 10);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.queued_records, 10);
	assert_int_equal(st.messages, 7);      /* R run, P-1, P-2, G-1, O-1..3 */

	/* The run: one IN on its first day, the merged OTH period. */
	assert_true(find_kind("R-1", 1, "dimona-in", &m));
	struct contract p = payload_of(&m);
	assert_string_equal(p.worker_type, "OTH");
	assert_int_equal(p.start_date, 20260424);
	assert_int_equal(p.end_date, 20260427);
	assert_int_equal(p.start_time, -1);
	assert_int_equal(m.state, QS_PENDING);
	char run_in[QUEUE_ID_MAX + 1];
	snprintf(run_in, sizeof run_in, "%s", m.id);
	queue_msg_free(&m);
	/* The later days: no message at all; a run row naming the first's
	 * IN, and their own record kept in the store. */
	const char *later[] = { "R-2", "R-3", "R-4" };
	struct store_run_member mem;
	for (size_t i = 0; i < 3; i++) {
		struct queue_msg *l;
		assert_int_equal(msgs_of(later[i], &l), 0);
		free_msgs(l, 0);
		assert_true(find_member(later[i], 1, &mem));
		assert_string_equal(mem.msg_id, run_in);
		assert_int_equal(mem.head, 0);
		assert_non_null(strstr(mem.why, "merged into R-1"));
		assert_string_equal(kept_of(later[i], 1).worker_type, "EXT");   /* its own record */
	}
	/* The first day: the run's head; the store keeps its own EXT day,
	 * not the merged period its IN carries. */
	assert_true(find_member("R-1", 1, &mem));
	assert_int_equal(mem.head, 1);
	assert_string_equal(mem.msg_id, run_in);
	assert_int_equal(kept_of("R-1", 1).end_date, 20260424);
	assert_string_equal(kept_of("R-1", 1).worker_type, "EXT");
	/* Nothing is held: a run is not a message. */
	assert_int_equal(count_state(QS_HELD), 0);
	assert_int_equal(count_state(QS_CANCELLED), 0);
	/* Two days and a lone day stay EXT INs; other committees too. */
	const char *own[] = { "P-1", "P-2", "G-1", "O-1", "O-2", "O-3" };
	for (size_t i = 0; i < 6; i++) {
		assert_true(find_kind(own[i], 1, "dimona-in", &m));
		assert_string_equal(payload_of(&m).worker_type, "EXT");
		queue_msg_free(&m);
	}

	/* The same file again changes nothing: no conflict on the run's
	 * first day although its IN carries the merged period. */
	take(path, &st);
	assert_int_equal(st.unchanged, 10);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.messages, 0);
}

/* Amendments of a day of the run act on the run's period. */
static void
test_run_amendments(void **state)
{
	(void)state;
	char path[160];
	struct intake_stats st;
	struct queue_msg m;
	snprintf(path, sizeof path, "%s/b.jsonl", dir);
	FILE *f = fopen(path, "w");
	/* Another time of day on day 2: the OTH period carries no hours,
	 * nothing to declare, but the revision is recorded. */
	ext_line(f, "R-2", 2, "active", "80040573349", "2026-04-25", "302", "EXT", "11:00");
	fclose(f);
	take(path, &st);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.queued_records, 1);
	assert_int_equal(st.messages, 0);
	assert_false(find_kind("R-2", 2, "dimona-in", &m));
	assert_false(find_kind("R-2", 2, "dimona-update", &m));
	struct store_run_member mem;
	assert_true(find_member("R-2", 2, &mem));
	assert_non_null(strstr(mem.why, "stays in the Horeca EXT run of R-1"));
	assert_int_equal(kept_of("R-2", 2).start_time, 11 * 60);
	take(path, &st);                                    /* replay */
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.messages, 0);

	/* The last day cancelled: the run shrinks, UPDATE of its period. */
	f = fopen(path, "w");
	ext_line(f, "R-4", 2, "cancelled", "80040573349", "2026-04-27", "302", "EXT", "10:00");
	fclose(f);
	take(path, &st);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.messages, 1);
	struct queue_msg in;
	assert_true(find_kind("R-1", 1, "dimona-in", &in));
	assert_false(find_kind("R-4", 2, "dimona-cancel", &m));     /* not a stray CANCEL */
	assert_true(find_kind("R-4", 2, "dimona-update", &m));
	assert_string_equal(m.depends_on, in.id);
	struct contract p = payload_of(&m);
	assert_string_equal(p.worker_type, "OTH");
	assert_int_equal(p.start_date, 20260424);
	assert_int_equal(p.end_date, 20260426);
	char upd[QUEUE_ID_MAX + 1];
	snprintf(upd, sizeof upd, "%s", m.id);
	queue_msg_free(&m);

	/* Day 4 back (revision 3): the period grows again; the UPDATE follows
	 * the previous UPDATE, so the two cannot overtake each other. */
	f = fopen(path, "w");
	ext_line(f, "R-4", 3, "active", "80040573349", "2026-04-27", "302", "EXT", "10:00");
	fclose(f);
	take(path, &st);
	assert_int_equal(st.messages, 1);
	assert_false(find_kind("R-4", 3, "dimona-in", &m));
	assert_true(find_kind("R-4", 3, "dimona-update", &m));
	assert_string_equal(m.depends_on, upd);
	assert_int_equal(payload_of(&m).end_date, 20260427);
	queue_msg_free(&m);
	assert_true(find_member("R-4", 3, &mem));
	assert_string_equal(mem.msg_id, in.id);
	assert_int_equal(kept_of("R-4", 3).status, CONTRACT_ACTIVE);

	/* Day 2 cancelled: no longer one run; refused, nothing queued. */
	f = fopen(path, "w");
	ext_line(f, "R-2", 3, "cancelled", "80040573349", "2026-04-25", "302", "EXT", "10:00");
	fclose(f);
	take(path, &st);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 0);
	assert_false(find_kind("R-2", 3, "dimona-cancel", &m));
	assert_false(find_kind("R-2", 3, "dimona-in", &m));
	queue_msg_free(&in);
}


/* Move message id to accepted with the period the ONSS gave. */
static void
accept_msg(const char *id, const char *period)
{
	static const enum queue_state path[] = { QS_PENDING, QS_BUILDING, QS_READY, QS_SENDING,
	    QS_SENT, QS_ACCEPTED };
	for (size_t i = 0; i + 1 < sizeof path / sizeof path[0]; i++)
		assert_int_equal(queue_transition(q, id, path[i], path[i + 1], "test", "test"), GW_OK);
	struct queue_msg m;
	assert_int_equal(q->ops->get(q, id, &m), GW_OK);
	snprintf(m.remote_ref2, sizeof m.remote_ref2, "%s", period);
	assert_int_equal(queue_update(q, &m), GW_OK);
	queue_msg_free(&m);
}

static void
write_days(const char *path, const char *prefix, const char *inss, const char *const *days,
           size_t n, size_t first)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "%s-%zu", prefix, first + i);
		ext_line(f, id, 1, "active", inss, days[i], "302", "EXT", "09:00");
	}
	fclose(f);
}

/* Day 3 arrives after days 1 and 2 were declared and accepted as EXT:
 * both EXT periods are cancelled (a chain), then one OTH IN for the run,
 * never a second IN for a declared day. */
static void
test_run_across_intakes(void **state)
{
	(void)state;
	char path[160];
	struct intake_stats st;
	struct queue_msg m, in1, in2, c1, c2, oth;
	static const char *const d12[] = { "2026-05-10", "2026-05-11" };
	static const char *const d3[] = { "2026-05-12" };
	snprintf(path, sizeof path, "%s/x1.jsonl", dir);
	write_days(path, "X", "76071072340", d12, 2, 1);
	take(path, &st);
	assert_int_equal(st.messages, 2);
	assert_true(find_kind("X-1", 1, "dimona-in", &in1));
	assert_true(find_kind("X-2", 1, "dimona-in", &in2));
	assert_string_equal(payload_of(&in1).worker_type, "EXT");
	accept_msg(in1.id, "P000000001");
	accept_msg(in2.id, "P000000002");

	snprintf(path, sizeof path, "%s/x2.jsonl", dir);
	write_days(path, "X", "76071072340", d3, 1, 3);
	take(path, &st);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.queued_records, 1);
	assert_int_equal(st.messages, 3);              /* two CANCELs, one OTH IN */
	assert_true(find_kind("X-1", 1, "dimona-cancel", &c1));
	assert_true(find_kind("X-2", 1, "dimona-cancel", &c2));
	assert_true(find_kind("X-3", 1, "dimona-in", &oth));
	/* A chain: one cancel after its IN, the other after that cancel with
	 * its own period; the OTH IN after the last. */
	struct queue_msg *first = strcmp(c1.depends_on, in1.id) == 0 ? &c1 : &c2;
	struct queue_msg *second = first == &c1 ? &c2 : &c1;
	assert_string_equal(first->depends_on, first == &c1 ? in1.id : in2.id);
	assert_string_equal(second->depends_on, first->id);
	assert_string_equal(second->remote_ref2, second == &c2 ? "P000000002" : "P000000001");
	assert_string_equal(oth.depends_on, second->id);
	struct contract p = payload_of(&oth);
	assert_string_equal(p.worker_type, "OTH");
	assert_int_equal(p.start_date, 20260510);
	assert_int_equal(p.end_date, 20260512);
	assert_string_equal(payload_of(&c1).worker_type, "EXT");   /* the period it cancels */
	/* Run rows: days 1 and 2 merged into X-3's run, X-3 its head. */
	struct store_run_member mem;
	assert_true(find_member("X-1", 1, &mem));
	assert_string_equal(mem.msg_id, oth.id);
	assert_int_equal(mem.head, 0);
	assert_non_null(strstr(mem.why, "its EXT period is cancelled"));
	assert_true(find_member("X-2", 1, &mem));
	assert_string_equal(mem.msg_id, oth.id);
	assert_true(find_member("X-3", 1, &mem));
	assert_int_equal(mem.head, 1);
	assert_string_equal(kept_of("X-3", 1).worker_type, "EXT");
	/* Replays of both files change nothing. */
	take(path, &st);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.messages, 0);
	snprintf(path, sizeof path, "%s/x1.jsonl", dir);
	take(path, &st);
	assert_int_equal(st.unchanged, 2);
	assert_int_equal(st.messages, 0);
	queue_msg_free(&in1);
	queue_msg_free(&in2);
	queue_msg_free(&c1);
	queue_msg_free(&c2);

	/* Day 4 later: the merged run grows, UPDATE of the OTH period. */
	static const char *const d4[] = { "2026-05-13" };
	snprintf(path, sizeof path, "%s/x3.jsonl", dir);
	write_days(path, "X", "76071072340", d4, 1, 4);
	take(path, &st);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.messages, 1);
	assert_false(find_kind("X-4", 1, "dimona-in", &m));
	assert_true(find_kind("X-4", 1, "dimona-update", &m));
	assert_string_equal(m.depends_on, oth.id);
	assert_int_equal(payload_of(&m).start_date, 20260510);
	assert_int_equal(payload_of(&m).end_date, 20260513);
	queue_msg_free(&m);
	assert_true(find_member("X-4", 1, &mem));
	assert_string_equal(mem.msg_id, oth.id);
	assert_string_equal(kept_of("X-4", 1).worker_type, "EXT");
	queue_msg_free(&oth);
}

/* Earlier days not answered yet: one can lead the chain (its cancel waits
 * for its IN); two cannot, and the new day is refused until they are. */
static void
test_run_across_unanswered(void **state)
{
	(void)state;
	char path[160];
	struct intake_stats st;
	struct queue_msg m, in1, c1, oth;
	static const char *const d1[] = { "2026-04-01" };
	static const char *const d23[] = { "2026-04-02", "2026-04-03" };
	snprintf(path, sizeof path, "%s/y1.jsonl", dir);
	write_days(path, "Y", "95101972591", d1, 1, 1);
	take(path, &st);
	assert_true(find_kind("Y-1", 1, "dimona-in", &in1));
	snprintf(path, sizeof path, "%s/y2.jsonl", dir);
	write_days(path, "Y", "95101972591", d23, 2, 2);
	take(path, &st);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.messages, 2);
	assert_true(find_kind("Y-1", 1, "dimona-cancel", &c1));
	assert_string_equal(c1.depends_on, in1.id);
	assert_true(find_kind("Y-2", 1, "dimona-in", &oth));
	assert_string_equal(oth.depends_on, c1.id);
	assert_int_equal(payload_of(&oth).start_date, 20260401);
	assert_int_equal(payload_of(&oth).end_date, 20260403);
	assert_false(find_kind("Y-3", 1, "dimona-in", &m));
	queue_msg_free(&in1);
	queue_msg_free(&c1);
	queue_msg_free(&oth);

	static const char *const z12[] = { "2026-04-10", "2026-04-11" };
	static const char *const z3[] = { "2026-04-12" };
	snprintf(path, sizeof path, "%s/z1.jsonl", dir);
	write_days(path, "Z", "72031872772", z12, 2, 1);
	take(path, &st);
	snprintf(path, sizeof path, "%s/z2.jsonl", dir);
	write_days(path, "Z", "72031872772", z3, 1, 3);
	take(path, &st);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 0);
	assert_false(find_kind("Z-3", 1, "dimona-in", &m));
	uint32_t rev;
	assert_int_equal(store_record_get(q, "Z-3", &rev, NULL), GW_ENOTFOUND);
	/* Once answered, the same file goes in. */
	struct queue_msg a, b;
	assert_true(find_kind("Z-1", 1, "dimona-in", &a));
	assert_true(find_kind("Z-2", 1, "dimona-in", &b));
	accept_msg(a.id, "P000000011");
	accept_msg(b.id, "P000000012");
	take(path, &st);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.messages, 3);
	assert_true(find_kind("Z-3", 1, "dimona-in", &m));
	assert_string_equal(payload_of(&m).worker_type, "OTH");
	queue_msg_free(&m);
	queue_msg_free(&a);
	queue_msg_free(&b);
}

/* A stored revision intake cannot read stops the intake with an error
 * naming the record and the field, instead of deciding without it (it
 * would declare an EXT day standing alone a second time, or a run
 * wrongly). */
static void
test_unreadable_stored_revision(void **state)
{
	(void)state;
	char path[160], err[256];
	struct intake_stats st;
	struct queue_msg m;
	static const char *const d12[] = { "2026-07-01", "2026-07-02" };
	static const char *const d3[] = { "2026-07-03" };
	snprintf(path, sizeof path, "%s/u1.jsonl", dir);
	write_days(path, "U", "60080670939", d12, 2, 1);
	take(path, &st);
	assert_int_equal(st.messages, 2);
	assert_true(find_kind("U-2", 1, "dimona-in", &m));
	/* The IN of day 2 as stored loses its start date. */
	char *bad = strdup(m.payload);
	char *at = strstr(bad, "\"start_date\"");
	assert_non_null(at);
	memcpy(at, "\"start_dat_\"", 12);
	sqlite3_stmt *upd;
	assert_int_equal(sqlite3_prepare_v2(queue_sqlite_db(q), "UPDATE msgs SET payload=? WHERE id=?",
	    -1, &upd, NULL), SQLITE_OK);
	sqlite3_bind_text(upd, 1, bad, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, m.id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
	sqlite3_finalize(upd);
	free(bad);
	queue_msg_free(&m);
	snprintf(path, sizeof path, "%s/u2.jsonl", dir);
	write_days(path, "U", "60080670939", d3, 1, 3);
	err[0] = '\0';
	gw_rc rc = intake_contracts(q, path, &(struct intake_opts){ .channel = "dimona-rest", .batch = 50 }, &st, rej,
	    err, sizeof err);
	assert_int_not_equal(rc, GW_OK);
	assert_non_null(strstr(err, "record U-2"));
	assert_non_null(strstr(err, "field start_dat_"));
	/* Nothing of the batch: day 3 not taken in, no message for it. */
	uint32_t rev;
	assert_int_equal(store_record_get(q, "U-3", &rev, NULL), GW_ENOTFOUND);
	assert_false(find_kind("U-3", 1, "dimona-in", &m));
}

/* The Dimona rules run at intake: an IN the build would refuse (joint
 * committee 124 needs construction cards the records cannot carry) and an
 * UPDATE it would refuse (an EXT period of more than 24 hours, judged with
 * the stand-in period id) are rejections naming the record and the field;
 * nothing of them is queued or stored. */
static void
test_rules_at_intake(void **state)
{
	(void)state;
	char path[160], rpath[160], line[1024];
	struct intake_stats st;
	struct queue_msg m;
	uint32_t rev;
	snprintf(path, sizeof path, "%s/k1.jsonl", dir);
	snprintf(rpath, sizeof rpath, "%s/k.rej", dir);
	FILE *f = fopen(path, "w");
	/* (JC 124 is not one where EXT is allowed: an ordinary OTH day.) */
	fprintf(f, "{\"contract_id\":\"K-1\",\"revision\":\"1\",\"status\":\"active\","
	    "\"employer_noss\":\"123456749\",\"employer_kbo\":\"0477472701\",\"worker_inss\":"
	    "\"76071072340\",\"worker_type\":\"OTH\",\"joint_committee\":\"124\",\"worker_code\":"
	    "\"015\",\"start_date\":\"2026-08-03\",\"end_date\":\"2026-08-03\",\"days_worked\":"
	    "\"1\",\"hours_worked\":\"6\",\"gross_wage_cents\":\"8000\"}\n");
	ext_line(f, "K-2", 1, "active", "76071072340", "2026-08-10", "302", "EXT", "10:00");
	fclose(f);
	FILE *saved = rej;
	rej = fopen(rpath, "w");
	take(path, &st);
	assert_int_equal(st.read, 2);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 1);
	assert_false(find_kind("K-1", 1, "dimona-in", &m));
	assert_int_equal(store_record_get(q, "K-1", &rev, NULL), GW_ENOTFOUND);
	assert_true(find_kind("K-2", 1, "dimona-in", &m));
	queue_msg_free(&m);
	/* Revision 2 of K-2 ends the next day at 18:00: 32 hours. */
	f = fopen(path, "w");
	fprintf(f, "{\"contract_id\":\"K-2\",\"revision\":\"2\",\"status\":\"active\","
	    "\"employer_noss\":\"123456749\",\"employer_kbo\":\"0477472701\",\"worker_inss\":"
	    "\"76071072340\",\"worker_type\":\"EXT\",\"joint_committee\":\"302\",\"worker_code\":"
	    "\"015\",\"start_date\":\"2026-08-10\",\"start_time\":\"10:00\",\"end_date\":"
	    "\"2026-08-11\",\"end_time\":\"18:00\",\"days_worked\":\"2\",\"hours_worked\":\"14\","
	    "\"gross_wage_cents\":\"8000\"}\n");
	fclose(f);
	take(path, &st);
	fclose(rej);
	rej = saved;
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.messages, 0);
	assert_false(find_kind("K-2", 2, "dimona-update", &m));
	assert_int_equal(store_record_get(q, "K-2", &rev, NULL), GW_OK);
	assert_int_equal(rev, 1);
	f = fopen(rpath, "r");
	assert_non_null(fgets(line, sizeof line, f));
	assert_non_null(strstr(line, "K-1"));
	assert_non_null(strstr(line, "ConstructionControlCards"));
	assert_non_null(strstr(line, "construction_cards_required 00663-001"));
	assert_non_null(fgets(line, sizeof line, f));
	assert_non_null(strstr(line, "K-2"));
	assert_non_null(strstr(line, "EndingDate"));
	assert_non_null(strstr(line, "UPDATE"));
	assert_non_null(strstr(line, "period_at_most_24h"));
	fclose(f);
}

/* Several revisions of a day in the same file: the run is still one. */
static void
test_revisions_in_one_file(void **state)
{
	(void)state;
	char path[160];
	struct intake_stats st;
	struct queue_msg m;
	snprintf(path, sizeof path, "%s/v.jsonl", dir);
	FILE *f = fopen(path, "w");
	ext_line(f, "V-1", 1, "active", "61021573117", "2026-06-01", "302", "EXT", "10:00");
	ext_line(f, "V-2", 1, "active", "61021573117", "2026-06-02", "302", "EXT", "10:00");
	ext_line(f, "V-2", 2, "active", "61021573117", "2026-06-02", "302", "EXT", "11:00");
	ext_line(f, "V-2", 1, "active", "61021573117", "2026-06-02", "302", "EXT", "10:00");
	ext_line(f, "V-2", 2, "active", "61021573117", "2026-06-02", "302", "EXT", "12:00");
	ext_line(f, "V-3", 1, "active", "61021573117", "2026-06-03", "302", "EXT", "10:00");
	ext_line(f, "V-9", 1, "active", "61021573117", "2026-06-09", "302", "EXT", "10:00");
	ext_line(f, "V-9", 2, "cancelled", "61021573117", "2026-06-09", "302", "EXT", "10:00");
	fclose(f);
	take(path, &st);
	assert_int_equal(st.read, 8);
	assert_int_equal(st.rejected, 1);            /* V-2 rev 2 again, other content */
	assert_int_equal(st.replayed, 3);            /* V-2 rev 1 superseded, then again; V-9 rev 1 */
	assert_int_equal(st.messages, 1);            /* the run's OTH IN only */
	assert_true(find_kind("V-1", 1, "dimona-in", &m));
	assert_int_equal(payload_of(&m).end_date, 20260603);
	queue_msg_free(&m);
	struct store_run_member mem;
	assert_false(find_member("V-2", 1, &mem));
	assert_true(find_member("V-2", 2, &mem));
	assert_int_equal(kept_of("V-2", 2).start_time, 11 * 60);
	assert_false(find_kind("V-9", 1, "dimona-in", &m));   /* cancelled before declared */
	uint32_t rev;
	assert_int_equal(store_record_get(q, "V-9", &rev, NULL), GW_OK);
	assert_int_equal(rev, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_in_one_file),
		cmocka_unit_test(test_run_amendments),
		cmocka_unit_test(test_run_across_intakes),
		cmocka_unit_test(test_run_across_unanswered),
		cmocka_unit_test(test_unreadable_stored_revision),
		cmocka_unit_test(test_rules_at_intake),
		cmocka_unit_test(test_revisions_in_one_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * bench/intake.c - durable intake throughput of the queue.
 *
 *   intake gen N FILE            write N valid contract records (JSON Lines)
 *   intake sql FILE OUT.sql      the same rows as plain SQL for the sqlite3 tool
 *                                (msgs + events + records, 1,000-row transactions)
 *   intake bulk FILE DB          `gateway intake` path: read + validate + decide
 *                                + enqueue, 1,000 records per commit
 *   intake group FILE DB P       P producer threads; each record parsed, checked,
 *                                decided and acknowledged on its own after the
 *                                group commit that holds it
 *   intake single FILE DB N      baseline: the first N records, one commit each
 *
 * Every mode prints one line "mode records seconds records/s [extra]".
 * The database is synchronous=FULL in WAL mode in every case.
 */
#include "core/config.h"
#include "core/log.h"
#include "queue/group.h"
#include "queue/queue.h"
#include "records/reader.h"
#include "service/intake.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* INSS with its check digits (born before 2000). */
static void
mk_inss(unsigned long n, char out[12])
{
	int yy = 50 + (int)(n % 45), mm = 1 + (int)(n / 45 % 12), dd = 1 + (int)(n / 540 % 28);
	unsigned seq = (unsigned)(n / 15120 % 997) + 1;
	char base[48];
	snprintf(base, sizeof base, "%02d%02d%02d%03u", yy, mm, dd, seq % 1000);
	long long b = strtoll(base, NULL, 10);
	unsigned cc = (unsigned)(97 - b % 97) % 100u;
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%.9s%02u", base, cc);
	memcpy(out, tmp, 11);
	out[11] = 0;
}

static int
cmd_gen(unsigned long n, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return 2;
	for (unsigned long i = 0; i < n; i++) {
		char inss[12];
		mk_inss(i, inss);
		int day = 1 + (int)(i % 28);
		fprintf(f, "{\"contract_id\":\"B-%08lu\",\"revision\":\"1\",\"status\":\"active\","
		    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
		    "\"worker_inss\":\"%s\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\","
		    "\"worker_code\":\"046\",\"start_date\":\"2026-12-%02d\",\"end_date\":\"2026-12-%02d\","
		    "\"days_worked\":\"1\",\"hours_worked\":\"7.6\",\"gross_wage_cents\":\"33000\"}\n",
		    i, inss, day, day);
	}
	return fclose(f) == 0 ? 0 : 2;
}

/* SQL text literal, quotes doubled. */
static void
sql_str(FILE *o, const char *s)
{
	fputc('\'', o);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', o);
		fputc(*s, o);
	}
	fputc('\'', o);
}

/* The same rows as the gateway writes, as SQL for the sqlite3 tool. */
static int
cmd_sql(const char *in, const char *out)
{
	struct contract_reader *rd;
	struct contract c;
	struct record_rejection rej;
	char err[256];
	FILE *o = fopen(out, "w");
	if (o == NULL || contract_reader_open(&rd, in, err, sizeof err) != GW_OK)
		return 2;
	fprintf(o, "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
	    "CREATE TABLE msgs(id TEXT PRIMARY KEY, record_id TEXT NOT NULL, revision INTEGER"
	    " NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL, attempts"
	    " INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0, expires_ms"
	    " INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
	    " sent_ms INTEGER NOT NULL DEFAULT 0, content_hash TEXT NOT NULL DEFAULT '', body BLOB,"
	    " body_file TEXT NOT NULL DEFAULT '', remote_ref TEXT NOT NULL DEFAULT '', remote_ref2"
	    " TEXT NOT NULL DEFAULT '', payload TEXT, depends_on TEXT NOT NULL DEFAULT '',"
	    " last_error TEXT NOT NULL DEFAULT '', UNIQUE(record_id, revision, kind));\n"
	    "CREATE INDEX msgs_due ON msgs(state, channel, next_attempt_ms);\n"
	    "CREATE TABLE events(seq INTEGER PRIMARY KEY, msg_id TEXT NOT NULL, at_ms INTEGER NOT"
	    " NULL, actor TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, what TEXT"
	    " NOT NULL, why TEXT NOT NULL);\nCREATE INDEX events_msg ON events(msg_id, seq);\n"
	    "CREATE TABLE records(record_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, hash TEXT"
	    " NOT NULL, updated_ms INTEGER NOT NULL);\n");
	unsigned long n = 0;
	while (contract_reader_next(rd, &c, &rej) != GW_ENOTFOUND) {
		char *json = NULL, id[QUEUE_ID_MAX + 1], hash[65];
		size_t len;
		if (contract_to_json(&c, &json, &len) != GW_OK)
			continue;
		queue_make_id(id, c.contract_id, c.revision, "dimona-in");
		queue_sha256_hex(json, len, hash);
		if (n % 1000 == 0)
			fprintf(o, "%sBEGIN;\n", n ? "COMMIT;\n" : "");
		fprintf(o, "INSERT INTO msgs(id,record_id,revision,kind,channel,state,created_ms,"
		    "updated_ms,expires_ms,payload) VALUES('%s','%s',%u,'dimona-in','dimona-rest',"
		    "'pending',1764000000000,1764000000000,1764259200000,", id, c.contract_id,
		    c.revision);
		sql_str(o, json);
		fprintf(o, ");\nINSERT INTO events(msg_id,at_ms,actor,from_state,to_state,what,why)"
		    " VALUES('%s',1764000000000,'intake','pending','pending','created',"
		    "'dimona-in revision 1 taken in');\nINSERT INTO records VALUES('%s',%u,'%s',"
		    "1764000000000);\n", id, c.contract_id, c.revision, hash);
		free(json);
		n++;
	}
	fprintf(o, "COMMIT;\n");
	contract_reader_close(rd);
	return fclose(o) == 0 ? 0 : 2;
}

static struct queue *
open_db(const char *db)
{
	struct queue *q;
	char err[256];
	if (queue_sqlite_ops.open(&q, db, err, sizeof err) != GW_OK) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	return q;
}

static int
cmd_bulk(const char *in, const char *db)
{
	struct queue *q = open_db(db);
	struct intake_opts o;
	struct intake_stats st;
	char err[256];
	intake_opts_default(&o);
	double t0 = now_s();
	gw_rc rc = intake_contracts(q, in, &o, &st, stderr, err, sizeof err);
	double dt = now_s() - t0;
	q->ops->close(q);
	if (rc != GW_OK) {
		fprintf(stderr, "bulk: %s\n", err);
		return 2;
	}
	printf("bulk %lu %.3f %.0f (1000 per commit, %lu rejected)\n", st.queued_records, dt,
	    st.queued_records / dt, st.rejected);
	return 0;
}

/* All lines of a file in memory. */
static char **
read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, nl = 0, al = 0;
	ssize_t len;
	char **v = NULL;
	if (f == NULL)
		return NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (nl == al) {
			al = al ? al * 2 : 1024;
			v = realloc(v, al * sizeof *v);
		}
		line[len - 1] = line[len - 1] == '\n' ? '\0' : line[len - 1];
		v[nl++] = strdup(line);
	}
	free(line);
	fclose(f);
	*n = nl;
	return v;
}

struct producer {
	char **lines;
	size_t from, to;
	struct queue *reader;          /* its own read handle, store attached */
	struct queue_group *g;
	unsigned long acked, failed;
};

/* One producer: parse, check, decide, submit one record, wait for its ack. */
static void *
produce(void *arg)
{
	struct producer *p = arg;
	struct queue *reader = p->reader;
	struct intake_opts o;
	intake_opts_default(&o);
	for (size_t i = p->from; i < p->to; i++) {
		struct contract c;
		struct record_rejection rej;
		struct queue_msg m[2];
		size_t n = 0;
		enum intake_verdict v;
		char why[256];
		if (contract_from_json(p->lines[i], strlen(p->lines[i]), &c, &rej) != GW_OK ||
		    intake_prepare(reader, &c, &o, m, &n, &v, NULL, why, sizeof why) != GW_OK) {
			p->failed++;
			continue;
		}
		if (v == IV_QUEUE && queue_group_submit(p->g, m, n, NULL) == GW_OK)
			p->acked++;
		else
			p->failed++;
		for (size_t k = 0; k < n; k++)
			queue_msg_free(&m[k]);
	}
	return NULL;
}

static int
cmd_group(const char *in, const char *db, int np)
{
	size_t n;
	char **lines = read_lines(in, &n);
	if (lines == NULL || np < 1 || np > 256)
		return 2;
	struct queue *q = open_db(db);
	struct queue_group *g;
	if (queue_group_start(&g, q, 2000) != GW_OK)
		return 2;
	struct producer *ps = calloc((size_t)np, sizeof *ps);
	pthread_t *th = calloc((size_t)np, sizeof *th);
	/* The read handles and their record store before the clock: attaching
	 * the store takes the write lock once (its schema), and 32 producers
	 * doing it inside the run queued behind the writer's commits in
	 * SQLite's busy handler (up to 100 ms sleeps), which was counted as
	 * intake time. */
	for (int i = 0; i < np; i++) {
		struct store *st;
		ps[i] = (struct producer){ .lines = lines, .from = n * (size_t)i / (size_t)np,
		    .to = n * (size_t)(i + 1) / (size_t)np, .reader = open_db(db), .g = g };
		if (store_of(ps[i].reader, &st) != GW_OK)
			return 2;
	}
	double t0 = now_s();
	for (int i = 0; i < np; i++)
		pthread_create(&th[i], NULL, produce, &ps[i]);
	unsigned long acked = 0, failed = 0;
	for (int i = 0; i < np; i++) {
		pthread_join(th[i], NULL);
		acked += ps[i].acked;
		failed += ps[i].failed;
		ps[i].reader->ops->close(ps[i].reader);
	}
	double dt = now_s() - t0;
	unsigned long commits = queue_group_commits(g);
	queue_group_stop(g);
	q->ops->close(q);
	printf("group %lu %.3f %.0f (%d producers, %lu commits, %.1f records per commit,"
	    " %lu failed)\n", acked, dt, acked / dt, np, commits,
	    commits ? (double)acked / (double)commits : 0.0, failed);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(ps);
	free(th);
	return failed ? 1 : 0;
}

static int
cmd_single(const char *in, const char *db, size_t max)
{
	size_t n;
	char **lines = read_lines(in, &n);
	if (lines == NULL)
		return 2;
	struct queue *q = open_db(db);
	struct intake_opts o;
	intake_opts_default(&o);
	unsigned long acked = 0;
	double t0 = now_s();
	for (size_t i = 0; i < n && i < max; i++) {
		struct contract c;
		struct record_rejection rej;
		struct queue_msg m[2];
		size_t k = 0;
		enum intake_verdict v;
		char why[256];
		if (contract_from_json(lines[i], strlen(lines[i]), &c, &rej) == GW_OK &&
		    intake_prepare(q, &c, &o, m, &k, &v, NULL, why, sizeof why) == GW_OK &&
		    v == IV_QUEUE && queue_enqueue(q, m, k, NULL) == GW_OK)
			acked++;
		for (size_t j = 0; j < k; j++)
			queue_msg_free(&m[j]);
	}
	double dt = now_s() - t0;
	q->ops->close(q);
	printf("single %lu %.3f %.0f (one commit per record)\n", acked, dt, acked / dt);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return 0;
}

int
main(int argc, char **argv)
{
	log_init("bench-intake", LOG_LVL_WARN, LOG_FMT_TEXT);
	gw_cfg = config_new();
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(strtoul(argv[2], NULL, 10), argv[3]);
	if (argc == 4 && strcmp(argv[1], "sql") == 0)
		return cmd_sql(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "bulk") == 0)
		return cmd_bulk(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "group") == 0)
		return cmd_group(argv[2], argv[3], (int)strtol(argv[4], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "single") == 0)
		return cmd_single(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	fprintf(stderr, "usage: intake gen N FILE | sql FILE OUT.sql | bulk FILE DB |"
	    " group FILE DB PRODUCERS | single FILE DB N\n");
	return 2;
}

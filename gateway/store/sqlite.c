/*
 * store/sqlite.c - the SQLite backend of the record store (store.h).
 *
 * Owns the store's tables in the queue's file (records, worker_days,
 * run_members, filed_sets, perm_ids, as4_inbound, intake_rejections,
 * store_meta) and their
 * migration: a queue file made before the store already has records
 * (version 1) and perhaps worker_days; they are kept as they are and gain
 * the payload column, the other tables are created when the store is first
 * attached, and Horeca run markers of older intakes become run rows once.
 * Every write
 * is one unit of work in ONE transaction of the queue's connection
 * (queue/sqlite_db.h), messages included. Never lowers a record's
 * highest revision.
 */
#include "store/store.h"
#include "core/array.h"
#include "queue/sqlite_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sst {
	struct store base;              /* must stay first */
	sqlite3 *db;
	sqlite3_stmt *get_rev, *put_rev, *put_day, *put_run, *put_filed, *put_perm, *put_inbound;
};

static const char sst_tables[] =
	"CREATE TABLE IF NOT EXISTS records("
	" record_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, hash TEXT NOT NULL,"
	" updated_ms INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS worker_days(employer TEXT NOT NULL, worker TEXT NOT NULL,"
	" day INTEGER NOT NULL, record_id TEXT NOT NULL,"
	" PRIMARY KEY(employer, worker, day, record_id));"
	"CREATE TABLE IF NOT EXISTS run_members(record_id TEXT NOT NULL, revision INTEGER NOT NULL,"
	" msg_id TEXT NOT NULL, head INTEGER NOT NULL, why TEXT NOT NULL,"
	" PRIMARY KEY(record_id, revision));"
	"CREATE INDEX IF NOT EXISTS run_members_msg ON run_members(msg_id, record_id);"
	"CREATE TABLE IF NOT EXISTS filed_sets(key TEXT NOT NULL, msg_id TEXT NOT NULL,"
	" json TEXT NOT NULL, seq INTEGER PRIMARY KEY, UNIQUE(key, msg_id));"
	"CREATE TABLE IF NOT EXISTS perm_ids(msg_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" hash TEXT NOT NULL, body BLOB NOT NULL);"
	/* One row per received AS4 message; the second key is the business
	 * document's identity, so a new MessageId for it is a duplicate too. */
	"CREATE TABLE IF NOT EXISTS as4_inbound(message_id TEXT PRIMARY KEY,"
	" sender TEXT NOT NULL, instance_id TEXT NOT NULL, file TEXT NOT NULL, hash TEXT NOT NULL,"
	" document BLOB NOT NULL, receipt BLOB NOT NULL, received_ms INTEGER NOT NULL,"
	" UNIQUE(sender, instance_id));"
	"CREATE TABLE IF NOT EXISTS store_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	/* Records refused at intake (store_rejection); history, never updated. */
	"CREATE TABLE IF NOT EXISTS intake_rejections(record_id TEXT NOT NULL, file TEXT NOT NULL,"
	" line INTEGER NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" UNIQUE(record_id, file, line, field, reason, at_ms));"
	"CREATE INDEX IF NOT EXISTS intake_rejections_rec ON intake_rejections(record_id, at_ms);";

/* Queue files written before runs lived in the store kept them as marker
 * messages (kinds "dimona-run" for a run's first record, "dimona-merged"
 * for the others; depends_on: the run's IN; payload: the record's own
 * revision). Once per file, in the schema's transaction, they become
 * run rows and kept revisions, so that a later revision of such a day
 * still finds its run. The markers stay as the cancelled messages they
 * are (history). The only place the store names them. */
static const char sst_markers_to_runs[] =
	"INSERT OR IGNORE INTO run_members(record_id, revision, msg_id, head, why)"
	" SELECT record_id, revision, depends_on, kind = 'dimona-run', last_error FROM msgs"
	" WHERE kind IN ('dimona-run', 'dimona-merged') AND depends_on <> '';"
	"UPDATE records SET payload = (SELECT m.payload FROM msgs m WHERE"
	" m.record_id = records.record_id AND m.revision = records.revision AND"
	" m.kind IN ('dimona-run', 'dimona-merged') AND m.payload IS NOT NULL ORDER BY m.rowid DESC"
	" LIMIT 1) WHERE payload IS NULL AND EXISTS (SELECT 1 FROM msgs m WHERE"
	" m.record_id = records.record_id AND m.revision = records.revision AND"
	" m.kind IN ('dimona-run', 'dimona-merged') AND m.payload IS NOT NULL);"
	"INSERT INTO store_meta(key, value) VALUES('markers_to_runs', 'done');";

static struct sst *SST(struct store *st) { return (struct sst *)st; }

static void
sst_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

/* Column col as a malloc'd string (NULL stays NULL). */
static gw_rc
sst_col_dup(sqlite3_stmt *st, int col, char **out)
{
	*out = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return GW_OK;
	const char *t = (const char *)sqlite3_column_text(st, col);
	return (*out = strdup(t != NULL ? t : "")) == NULL ? GW_ENOMEM : GW_OK;
}

static void
sst_detach(struct store *base)
{
	struct sst *s = SST(base);
	if (s == NULL)
		return;
	sqlite3_finalize(s->get_rev);
	sqlite3_finalize(s->put_rev);
	sqlite3_finalize(s->put_day);
	sqlite3_finalize(s->put_run);
	sqlite3_finalize(s->put_filed);
	sqlite3_finalize(s->put_perm);
	sqlite3_finalize(s->put_inbound);
	if (s->base.q != NULL && s->base.q->store == base) {
		s->base.q->store = NULL;
		s->base.q->store_detach = NULL;
	}
	free(s);
}

/* Has table t the column c? */
static int
sst_has_column(sqlite3 *db, const char *t, const char *c)
{
	char sql[96];
	sqlite3_stmt *st = NULL;
	int found = 0;
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", t);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (!found && sqlite3_step(st) == SQLITE_ROW)
		found = strcmp((const char *)sqlite3_column_text(st, 1), c) == 0;
	sqlite3_finalize(st);
	return found;
}

/* Is key set in store_meta (a one-time migration done)? */
static int
sst_meta_has(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	int found = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM store_meta WHERE key=?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Create or migrate the tables, in one transaction. */
static gw_rc
sst_schema(struct sst *s)
{
	int r = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_exec(s->db, sst_tables, NULL, NULL, NULL);
	if (r == SQLITE_OK && !sst_has_column(s->db, "records", "payload"))
		r = sqlite3_exec(s->db, "ALTER TABLE records ADD COLUMN payload TEXT", NULL, NULL, NULL);
	if (r == SQLITE_OK && !sst_has_column(s->db, "as4_inbound", "meta"))
		r = sqlite3_exec(s->db, "ALTER TABLE as4_inbound ADD COLUMN meta TEXT", NULL, NULL, NULL);
	if (r == SQLITE_OK && !sst_meta_has(s->db, "markers_to_runs"))
		r = sqlite3_exec(s->db, sst_markers_to_runs, NULL, NULL, NULL);
	if (r != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return queue_sqlite_rc(r) == GW_OK ? GW_EIO : queue_sqlite_rc(r);
	}
	return queue_sqlite_commit(s->base.q);
}

static gw_rc
sst_prep(struct sst *s, const char *sql, sqlite3_stmt **st)
{
	int r = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	return r == SQLITE_OK ? GW_OK : queue_sqlite_rc(r) == GW_OK ? GW_EIO : queue_sqlite_rc(r);
}

gw_rc
store_sqlite_attach(struct queue *q, struct store **out)
{
	sqlite3 *db = queue_sqlite_db(q);
	gw_rc rc;
	*out = NULL;
	if (db == NULL)
		return GW_ECONFIG;
	struct sst *s = calloc(1, sizeof *s);
	if (s == NULL)
		return GW_ENOMEM;
	s->base.ops = &store_sqlite_ops;
	s->base.q = q;
	s->db = db;
	if ((rc = sst_schema(s)) != GW_OK ||
	    (rc = sst_prep(s, "SELECT revision, hash, payload FROM records WHERE record_id=?",
	    &s->get_rev)) != GW_OK ||
	    /* Raise only; the payload of the same revision survives a write without one. */
	    (rc = sst_prep(s, "INSERT INTO records(record_id, revision, hash, updated_ms, payload)"
	    " VALUES(?,?,?,?,?) ON CONFLICT(record_id) DO UPDATE SET revision=excluded.revision,"
	    " hash=excluded.hash, updated_ms=excluded.updated_ms,"
	    " payload=CASE WHEN excluded.payload IS NOT NULL THEN excluded.payload"
	    " WHEN excluded.revision = records.revision THEN records.payload END"
	    " WHERE excluded.revision >= records.revision", &s->put_rev)) != GW_OK ||
	    (rc = sst_prep(s, "INSERT OR IGNORE INTO worker_days(employer, worker, day, record_id)"
	    " VALUES(?,?,?,?)", &s->put_day)) != GW_OK ||
	    (rc = sst_prep(s, "INSERT OR IGNORE INTO run_members(record_id, revision, msg_id, head,"
	    " why) VALUES(?,?,?,?,?)", &s->put_run)) != GW_OK ||
	    (rc = sst_prep(s, "INSERT OR IGNORE INTO filed_sets(key, msg_id, json) VALUES(?,?,?)",
	    &s->put_filed)) != GW_OK ||
	    (rc = sst_prep(s, "INSERT OR IGNORE INTO perm_ids(msg_id, name, hash, body)"
	    " VALUES(?,?,?,?)", &s->put_perm)) != GW_OK ||
	    (rc = sst_prep(s, "INSERT OR IGNORE INTO as4_inbound(message_id, sender, instance_id,"
	    " file, hash, document, receipt, received_ms, meta) VALUES(?,?,?,?,?,?,?,?,?)",
	    &s->put_inbound)) != GW_OK) {
		sst_detach(&s->base);
		return rc;
	}
	q->store = &s->base;
	q->store_detach = sst_detach;
	*out = &s->base;
	return GW_OK;
}

/* Highest revision of a record (inside or outside a transaction). */
static gw_rc
sst_revision_get(struct store *base, const char *record_id, int with_payload,
                 struct store_revision *out)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = s->get_rev;
	gw_rc rc = GW_ENOTFOUND;
	memset(out, 0, sizeof *out);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		snprintf(out->record_id, sizeof out->record_id, "%s", record_id);
		out->revision = (uint32_t)sqlite3_column_int64(st, 0);
		sst_col_text(st, 1, out->hash, sizeof out->hash);
		rc = with_payload ? sst_col_dup(st, 2, &out->payload) : GW_OK;
	} else if (r != SQLITE_DONE) {
		rc = queue_sqlite_rc(r);
	}
	sqlite3_reset(st);
	return rc;
}

/* Run one prepared write to its end. */
static gw_rc
sst_step(sqlite3_stmt *st)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? GW_OK : queue_sqlite_rc(r) == GW_OK ? GW_EIO : queue_sqlite_rc(r);
}

/* Every row of the unit, inside the open transaction. */
static gw_rc
sst_write(struct sst *s, struct store_unit *u, int64_t now)
{
	gw_rc rc;
	for (size_t i = 0; i < u->nmsgs; i++) {
		struct queue_msg *m = &u->msgs[i];
		int d = 0;
		if (m->payload != NULL) {
			struct store_revision have;
			rc = sst_revision_get(&s->base, m->record_id, 0, &have);
			if (rc != GW_OK && rc != GW_ENOTFOUND)
				return rc;
			d = rc == GW_OK && have.revision > m->revision; /* an old revision replayed */
		}
		if (!d && (rc = queue_sqlite_insert(s->base.q, m, now, &d)) != GW_OK)
			return rc;
		if (u->dup != NULL)
			u->dup[i] = (unsigned char)d;
	}
	for (size_t i = 0; i < u->nrevs; i++) {
		const struct store_revision *r = &u->revs[i];
		sqlite3_stmt *st = s->put_rev;
		sqlite3_bind_text(st, 1, r->record_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, r->revision);
		sqlite3_bind_text(st, 3, r->hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		if (r->payload != NULL)
			sqlite3_bind_text(st, 5, r->payload, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		if ((rc = sst_step(st)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->ndays; i++) {
		sqlite3_stmt *st = s->put_day;
		sqlite3_bind_text(st, 1, u->days[i].employer, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->days[i].worker, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, u->days[i].day);
		sqlite3_bind_text(st, 4, u->days[i].record_id, -1, SQLITE_STATIC);
		if ((rc = sst_step(st)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->nruns; i++) {
		sqlite3_stmt *st = s->put_run;
		sqlite3_bind_text(st, 1, u->runs[i].record_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, u->runs[i].revision);
		sqlite3_bind_text(st, 3, u->runs[i].msg_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, u->runs[i].head != 0);
		sqlite3_bind_text(st, 5, u->runs[i].why, -1, SQLITE_STATIC);
		if ((rc = sst_step(st)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->nfiled; i++) {
		sqlite3_stmt *st = s->put_filed;
		if (u->filed[i].json == NULL)
			return GW_EINPUT;
		sqlite3_bind_text(st, 1, u->filed[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->filed[i].msg_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, u->filed[i].json, -1, SQLITE_STATIC);
		if ((rc = sst_step(st)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->nperm; i++) {
		sqlite3_stmt *st = s->put_perm;
		if (u->perm[i].body == NULL)
			return GW_EINPUT;
		sqlite3_bind_text(st, 1, u->perm[i].msg_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->perm[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, u->perm[i].hash, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, u->perm[i].body, (int)u->perm[i].body_len, SQLITE_STATIC);
		if ((rc = sst_step(st)) != GW_OK)
			return rc;
	}
	u->dup_inbound = 0;
	for (size_t i = 0; i < u->ninbound; i++) {
		const struct store_inbound *in = &u->inbound[i];
		sqlite3_stmt *st = s->put_inbound;
		if (in->document == NULL || in->receipt == NULL)
			return GW_EINPUT;
		sqlite3_bind_text(st, 1, in->message_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, in->sender, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, in->instance_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, in->file, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, in->hash, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 6, in->document, (int)in->document_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 7, in->receipt, (int)in->receipt_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, in->received_ms ? in->received_ms : now);
		if (in->meta != NULL)
			sqlite3_bind_text(st, 9, in->meta, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 9);
		if ((rc = sst_step(st)) != GW_OK)
			return rc;
		if (sqlite3_changes(s->db) == 0)
			u->dup_inbound = 1;     /* either key was already there: never a second row */
	}
	return GW_OK;
}

static gw_rc
sst_commit(struct store *base, struct store_unit *u)
{
	struct sst *s = SST(base);
	gw_rc rc;
	if (u->nmsgs + u->nrevs + u->ndays + u->nruns + u->nfiled + u->nperm + u->ninbound == 0)
		return GW_OK;
	if ((rc = queue_sqlite_begin_adding(base->q)) != GW_OK)
		return rc;
	if ((rc = sst_write(s, u, queue_now_ms())) != GW_OK) {
		queue_sqlite_rollback(base->q);
		return rc;
	}
	return queue_sqlite_commit(base->q);
}

/* One element's columns from the current row; GW_OK or GW_ENOMEM. */
typedef gw_rc (*sst_row_fn)(sqlite3_stmt *st, void *elem, const void *ctx);

/* Every row of a prepared, bound statement into a growing array of elem-byte
 * elements (zeroed, then filled by row), finalized either way. On failure
 * free_fn (may be NULL) releases what the rows took and *out is NULL. */
static gw_rc
sst_rows(sqlite3_stmt *st, size_t elem, sst_row_fn row, const void *ctx, void **out, size_t *n,
         void (*free_fn)(void *v, size_t n))
{
	size_t cap = 0;
	gw_rc rc = GW_OK;
	int r;
	*out = NULL;
	*n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = array_reserve(out, *n, &cap, elem, 8)) != GW_OK)
			break;
		void *x = (char *)*out + *n * elem;
		memset(x, 0, elem);
		(*n)++;
		if ((rc = row(st, x, ctx)) != GW_OK)
			break;
	}
	if (rc == GW_OK && r != SQLITE_DONE)
		rc = queue_sqlite_rc(r) == GW_OK ? GW_EIO : queue_sqlite_rc(r);
	sqlite3_finalize(st);
	if (rc != GW_OK) {
		if (free_fn != NULL)
			free_fn(*out, *n);
		else
			free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static gw_rc
revision_row(sqlite3_stmt *st, void *elem, const void *ctx)
{
	struct store_revision *x = elem;
	(void)ctx;
	sst_col_text(st, 0, x->record_id, sizeof x->record_id);
	x->revision = (uint32_t)sqlite3_column_int64(st, 1);
	sst_col_text(st, 2, x->hash, sizeof x->hash);
	return sst_col_dup(st, 3, &x->payload);
}

static void
revisions_free(void *v, size_t n)
{
	store_revisions_free(v, n);
}

static gw_rc
sst_revisions_list(struct store *base, const char *prefix, struct store_revision **out,
                   size_t *n)
{
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = sst_prep(SST(base), "SELECT record_id, revision, hash, payload FROM records"
	    " WHERE substr(record_id, 1, length(?1)) = ?1 AND payload IS NOT NULL"
	    " ORDER BY record_id", &st)) != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	return sst_rows(st, sizeof **out, revision_row, NULL, (void **)out, n, revisions_free);
}

/* The worker and employer are the query's own, not in the row. */
struct day_query {
	const char *employer, *worker;
};

static gw_rc
day_row(sqlite3_stmt *st, void *elem, const void *ctx)
{
	struct store_day *x = elem;
	const struct day_query *q = ctx;
	snprintf(x->employer, sizeof x->employer, "%s", q->employer);
	snprintf(x->worker, sizeof x->worker, "%s", q->worker);
	x->day = (int32_t)sqlite3_column_int64(st, 0);
	sst_col_text(st, 1, x->record_id, sizeof x->record_id);
	return GW_OK;
}

static gw_rc
sst_days_get(struct store *base, const char *employer, const char *worker, int32_t from,
             int32_t to, struct store_day **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct day_query q = { employer, worker };
	gw_rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = sst_prep(SST(base), "SELECT day, record_id FROM worker_days WHERE employer=?"
	    " AND worker=? AND day BETWEEN ? AND ? ORDER BY day, record_id", &st)) != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, employer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, worker, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	return sst_rows(st, sizeof **out, day_row, &q, (void **)out, n, NULL);
}

static gw_rc
run_row(sqlite3_stmt *st, void *elem, const void *ctx)
{
	struct store_run_member *x = elem;
	(void)ctx;
	sst_col_text(st, 0, x->record_id, sizeof x->record_id);
	x->revision = (uint32_t)sqlite3_column_int64(st, 1);
	sst_col_text(st, 2, x->msg_id, sizeof x->msg_id);
	x->head = sqlite3_column_int(st, 3);
	sst_col_text(st, 4, x->why, sizeof x->why);
	return GW_OK;
}

/* Run members selected by sql (one text parameter), into *out. */
static gw_rc
sst_runs(struct sst *s, const char *sql, const char *arg, struct store_run_member **out,
         size_t *n)
{
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = sst_prep(s, sql, &st)) != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	return sst_rows(st, sizeof **out, run_row, NULL, (void **)out, n, NULL);
}

static gw_rc
sst_run_get(struct store *base, const char *record_id, struct store_run_member *out)
{
	struct store_run_member *v = NULL;
	size_t n = 0;
	gw_rc rc = sst_runs(SST(base), "SELECT record_id, revision, msg_id, head, why FROM"
	    " run_members WHERE record_id=? ORDER BY revision DESC LIMIT 1", record_id, &v, &n);
	if (rc == GW_OK && n == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK)
		*out = v[0];
	free(v);
	return rc;
}

static gw_rc
sst_run_members(struct store *base, const char *msg_id, struct store_run_member **out,
                size_t *n)
{
	return sst_runs(SST(base), "SELECT record_id, revision, msg_id, head, why FROM run_members"
	    " WHERE msg_id=? ORDER BY record_id, revision", msg_id, out, n);
}

static gw_rc
sst_filed_get(struct store *base, const char *key, struct store_filed *out)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	memset(out, 0, sizeof *out);
	if ((rc = sst_prep(s, "SELECT msg_id, json FROM filed_sets WHERE key=? ORDER BY seq DESC"
	    " LIMIT 1", &st)) != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		snprintf(out->key, sizeof out->key, "%s", key);
		sst_col_text(st, 0, out->msg_id, sizeof out->msg_id);
		rc = sst_col_dup(st, 1, &out->json);
	} else {
		rc = r == SQLITE_DONE ? GW_ENOTFOUND : queue_sqlite_rc(r);
	}
	sqlite3_finalize(st);
	return rc;
}

static gw_rc
sst_perm_get(struct store *base, const char *msg_id, struct store_perm_ids *out)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	memset(out, 0, sizeof *out);
	if ((rc = sst_prep(s, "SELECT name, hash, body FROM perm_ids WHERE msg_id=?", &st)) != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, msg_id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		snprintf(out->msg_id, sizeof out->msg_id, "%s", msg_id);
		sst_col_text(st, 0, out->name, sizeof out->name);
		sst_col_text(st, 1, out->hash, sizeof out->hash);
		int len = sqlite3_column_bytes(st, 2);
		const void *b = sqlite3_column_blob(st, 2);
		if ((out->body = malloc((size_t)len + 1)) == NULL) {
			rc = GW_ENOMEM;
		} else {
			if (len > 0)
				memcpy(out->body, b, (size_t)len);
			out->body[len] = '\0';
			out->body_len = (size_t)len;
			rc = GW_OK;
		}
	} else {
		rc = r == SQLITE_DONE ? GW_ENOTFOUND : queue_sqlite_rc(r);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Column col as a malloc'd blob (NUL-terminated for convenience). */
static gw_rc
sst_col_blob(sqlite3_stmt *st, int col, char **out, size_t *len)
{
	int n = sqlite3_column_bytes(st, col);
	const void *b = sqlite3_column_blob(st, col);
	if ((*out = malloc((size_t)n + 1)) == NULL)
		return GW_ENOMEM;
	if (n > 0)
		memcpy(*out, b, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return GW_OK;
}

static gw_rc
sst_inbound_get(struct store *base, const char *message_id, const char *sender,
                const char *instance_id, struct store_inbound *out)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	memset(out, 0, sizeof *out);
	/* The MessageId first: the row of this very message is the one whose
	 * receipt is answered again. */
	if ((rc = sst_prep(s, "SELECT message_id, sender, instance_id, file, hash, document,"
	    " receipt, received_ms FROM as4_inbound WHERE message_id=?1 OR (sender=?2 AND"
	    " instance_id=?3) ORDER BY message_id=?1 DESC LIMIT 1", &st)) != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, instance_id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		sst_col_text(st, 0, out->message_id, sizeof out->message_id);
		sst_col_text(st, 1, out->sender, sizeof out->sender);
		sst_col_text(st, 2, out->instance_id, sizeof out->instance_id);
		sst_col_text(st, 3, out->file, sizeof out->file);
		sst_col_text(st, 4, out->hash, sizeof out->hash);
		out->received_ms = sqlite3_column_int64(st, 7);
		rc = sst_col_blob(st, 5, &out->document, &out->document_len);
		if (rc == GW_OK)
			rc = sst_col_blob(st, 6, &out->receipt, &out->receipt_len);
		if (rc != GW_OK)
			store_inbound_free(out);
	} else {
		rc = r == SQLITE_DONE ? GW_ENOTFOUND : queue_sqlite_rc(r);
	}
	sqlite3_finalize(st);
	return rc;
}

static gw_rc
sst_inbound_list(struct store *base, int64_t from_ms, int64_t to_ms,
                 gw_rc (*fn)(void *arg, const struct store_inbound *row), void *arg)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	if ((rc = sst_prep(s, "SELECT message_id, sender, instance_id, file, hash, document,"
	    " received_ms, meta FROM as4_inbound WHERE received_ms >= ? AND received_ms < ?"
	    " ORDER BY received_ms, message_id", &st)) != GW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	int r = SQLITE_DONE;
	while (rc == GW_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_inbound row;
		memset(&row, 0, sizeof row);
		sst_col_text(st, 0, row.message_id, sizeof row.message_id);
		sst_col_text(st, 1, row.sender, sizeof row.sender);
		sst_col_text(st, 2, row.instance_id, sizeof row.instance_id);
		sst_col_text(st, 3, row.file, sizeof row.file);
		sst_col_text(st, 4, row.hash, sizeof row.hash);
		row.received_ms = sqlite3_column_int64(st, 6);
		/* Both point into the statement's row: no copy for a month of documents. */
		row.document = (char *)sqlite3_column_blob(st, 5);
		row.document_len = (size_t)sqlite3_column_bytes(st, 5);
		row.meta = (char *)sqlite3_column_text(st, 7);
		rc = fn(arg, &row);
	}
	if (rc == GW_OK && r != SQLITE_DONE)
		rc = queue_sqlite_rc(r) == GW_OK ? GW_EIO : queue_sqlite_rc(r);
	sqlite3_finalize(st);
	return rc;
}

static gw_rc
sst_rejections_put(struct store *base, const struct store_rejection *r, size_t n)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	if (n == 0)
		return GW_OK;
	if ((rc = queue_sqlite_begin_adding(base->q)) != GW_OK)
		return rc;
	if ((rc = sst_prep(s, "INSERT OR IGNORE INTO intake_rejections(record_id, file, line,"
	    " field, reason, at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &st)) != GW_OK) {
		queue_sqlite_rollback(base->q);
		return rc;
	}
	for (size_t i = 0; i < n && rc == GW_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r[i].record_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r[i].file, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, r[i].line);
		sqlite3_bind_text(st, 4, r[i].field, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r[i].reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, r[i].at_ms);
		int x = sqlite3_step(st);
		rc = x == SQLITE_DONE ? GW_OK : queue_sqlite_rc(x) == GW_OK ? GW_EIO : queue_sqlite_rc(x);
	}
	sqlite3_finalize(st);
	if (rc != GW_OK) {
		queue_sqlite_rollback(base->q);
		return rc;
	}
	return queue_sqlite_commit(base->q);
}

/* One rejection's columns (sst_rows). */
static gw_rc
sst_rejection_row(sqlite3_stmt *st, void *elem, const void *ctx)
{
	struct store_rejection *r = elem;
	(void)ctx;
	sst_col_text(st, 0, r->record_id, sizeof r->record_id);
	sst_col_text(st, 1, r->file, sizeof r->file);
	r->line = (uint32_t)sqlite3_column_int64(st, 2);
	sst_col_text(st, 3, r->field, sizeof r->field);
	sst_col_text(st, 4, r->reason, sizeof r->reason);
	r->at_ms = sqlite3_column_int64(st, 5);
	return GW_OK;
}

static gw_rc
sst_rejections_list(struct store *base, const char *record_id, int64_t since_ms, size_t limit,
                    struct store_rejection **out, size_t *n)
{
	struct sst *s = SST(base);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = sst_prep(s, "SELECT record_id, file, line, field, reason, at_ms FROM"
	    " intake_rejections WHERE (?1 IS NULL OR record_id=?1) AND at_ms>=?2"
	    " ORDER BY at_ms DESC, rowid DESC LIMIT ?3", &st)) != GW_OK)
		return rc;
	if (record_id != NULL)
		sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, limit == 0 ? -1 : (sqlite3_int64)limit);
	return sst_rows(st, sizeof **out, sst_rejection_row, NULL, (void **)out, n, NULL);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.detach = sst_detach,
	.commit = sst_commit,
	.revision_get = sst_revision_get,
	.revisions_list = sst_revisions_list,
	.days_get = sst_days_get,
	.run_get = sst_run_get,
	.run_members = sst_run_members,
	.filed_get = sst_filed_get,
	.perm_get = sst_perm_get,
	.inbound_get = sst_inbound_get,
	.inbound_list = sst_inbound_list,
	.rejections_put = sst_rejections_put,
	.rejections_list = sst_rejections_list,
};

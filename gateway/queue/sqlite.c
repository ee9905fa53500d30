/*
 * queue/sqlite.c - the SQLite backend of the durable queue.
 *
 * Owns the queue file: its outbox schema (msgs, events, seqs, leases), its
 * versioned migrations (user_version), its pragmas
 * (WAL, synchronous=FULL, both read back and checked) and every
 * transaction. Each write is one BEGIN IMMEDIATE ... COMMIT whose result
 * is checked; a caller is told "done" only after COMMIT returned. The
 * record store (store/sqlite.c) keeps its tables in the same file and
 * writes them in these transactions (queue/sqlite_db.h); the queue itself
 * knows nothing of records. Implements the fifteen core operations of
 * queue_ops; transition, update, add_event and by_record are helpers over
 * them (queue/helpers.c).
 * Leases: BEGIN IMMEDIATE makes every claim a single writer, so two
 * workers (connections, processes) never claim the same row; the lease
 * columns are written by the same UPDATE as the state.
 * Must never change a state without queue_transition_allowed(), never
 * delete an event, never accept intake when the disk is nearly full,
 * never take over a live lease.
 */
#include "queue/queue.h"
#include "core/params.h"
#include "core/array.h"
#include "queue/sqlite_db.h"
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQ_SCHEMA_VERSION 2

struct sq {
	struct queue base;              /* must stay first */
	sqlite3 *db;
	char path[1024];
	sqlite3_stmt *ins_msg, *ins_ev, *ins_ev_created;
	/* Prepared on first use, then reused (moves, state reads, field
	 * writes): a bulk move of thousands of messages prepares each once. */
	sqlite3_stmt *st_move, *st_state, *st_fields;
};

static const char sq_schema[] =
	"CREATE TABLE IF NOT EXISTS msgs("
	" id TEXT PRIMARY KEY, record_id TEXT NOT NULL, revision INTEGER NOT NULL,"
	" kind TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
	" expires_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL, sent_ms INTEGER NOT NULL DEFAULT 0,"
	" content_hash TEXT NOT NULL DEFAULT '', body BLOB, body_file TEXT NOT NULL DEFAULT '',"
	" remote_ref TEXT NOT NULL DEFAULT '', remote_ref2 TEXT NOT NULL DEFAULT '',"
	" payload TEXT, depends_on TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',"
	" UNIQUE(record_id, revision, kind));"
	"CREATE INDEX IF NOT EXISTS msgs_due ON msgs(state, channel, next_attempt_ms);"
	"CREATE TABLE IF NOT EXISTS events("
	" seq INTEGER PRIMARY KEY, msg_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" actor TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
	" what TEXT NOT NULL, why TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_msg ON events(msg_id, seq);"
	"CREATE TABLE IF NOT EXISTS seqs(name TEXT PRIMARY KEY, value INTEGER NOT NULL);";

/* Version 2: leases, for several workers on one queue. A version 1 file's
 * rows in building or sending get no owner: the first recover() takes them
 * over, as the start-up recovery of version 1 did. */
static const char sq_schema_v2[] =
	"ALTER TABLE msgs ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE msgs ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE IF NOT EXISTS leases(name TEXT PRIMARY KEY, owner TEXT NOT NULL,"
	" until_ms INTEGER NOT NULL);"
	"PRAGMA user_version=2;";

#define SQ_COLS "id, record_id, revision, kind, channel, state, attempts, next_attempt_ms," \
	" expires_ms, created_ms, updated_ms, sent_ms, content_hash, body, body_file," \
	" remote_ref, remote_ref2, payload, depends_on, last_error"
#define SQ_COLS_NOBODY "id, record_id, revision, kind, channel, state, attempts, next_attempt_ms," \
	" expires_ms, created_ms, updated_ms, sent_ms, content_hash, NULL, body_file," \
	" remote_ref, remote_ref2, NULL, depends_on, last_error"
/* What a select reads after SQ_COLS: the lease (columns 20 and 21). */
#define SQ_LEASE ", lease_owner, lease_until_ms"
/* The states that carry a lease. */
#define SQ_INFLIGHT(st) ((st) == QS_BUILDING || (st) == QS_SENDING)

static struct sq *SQ(struct queue *q) { return (struct sq *)q; }

/* Map an SQLite result to the gateway's vocabulary: full/busy are temporary. */
static gw_rc
sq_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return GW_OK;
	case SQLITE_FULL: case SQLITE_BUSY: case SQLITE_LOCKED: return GW_ETEMP;
	case SQLITE_NOMEM: return GW_ENOMEM;
	case SQLITE_CONSTRAINT: return GW_EDUP;
	default: return GW_EIO;
	}
}

/* Run SQL without results; logs nothing, returns the mapped code. */
static gw_rc
sq_exec(struct sq *s, const char *sql)
{
	return sq_rc(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

/* BEGIN IMMEDIATE: take the write lock now, so no transaction fails half-way on BUSY. */
static gw_rc sq_begin(struct sq *s) { return sq_exec(s, "BEGIN IMMEDIATE"); }

/* COMMIT, checked; on failure the transaction is rolled back. */
static gw_rc
sq_commit(struct sq *s)
{
	int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return sq_rc(rc) == GW_OK ? GW_EIO : sq_rc(rc);
	}
	return GW_OK;
}

static void sq_rollback(struct sq *s) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }

/* BEGIN IMMEDIATE for a write that adds data: first refuse with a temporary
 * failure when the disk is nearly full (STYLE 7). */
static gw_rc
sq_begin_adding(struct sq *s)
{
	char err[256];
	gw_rc rc = queue_space_check(s->path, err, sizeof err);
	if (rc != GW_OK)
		return rc;
	return sq_begin(s);
}

/* A statement kept in *slot: prepared the first time, reset and unbound after. */
static gw_rc
sq_cached(struct sq *s, sqlite3_stmt **slot, const char *sql)
{
	if (*slot == NULL)
		return sq_rc(sqlite3_prepare_v2(s->db, sql, -1, slot, NULL));
	sqlite3_reset(*slot);
	sqlite3_clear_bindings(*slot);
	return GW_OK;
}

/* Prepare or fail with the database's message. */
static gw_rc
sq_prep(struct sq *s, const char *sql, sqlite3_stmt **st)
{
	return sq_rc(sqlite3_prepare_v2(s->db, sql, -1, st, NULL));
}

/* Bounded copy of a column's text into dst. */
static void
sq_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

/* Fill a message from a row selected with SQ_COLS (or SQ_COLS_NOBODY). */
static gw_rc
sq_row_msg(sqlite3_stmt *st, struct queue_msg *m)
{
	memset(m, 0, sizeof *m);
	sq_col_text(st, 0, m->id, sizeof m->id);
	sq_col_text(st, 1, m->record_id, sizeof m->record_id);
	m->revision = (uint32_t)sqlite3_column_int64(st, 2);
	sq_col_text(st, 3, m->kind, sizeof m->kind);
	sq_col_text(st, 4, m->channel, sizeof m->channel);
	int state = queue_state_parse((const char *)sqlite3_column_text(st, 5));
	if (state < 0)
		return GW_EINTERNAL;
	m->state = (enum queue_state)state;
	m->attempts = (uint32_t)sqlite3_column_int64(st, 6);
	m->next_attempt_ms = sqlite3_column_int64(st, 7);
	m->expires_ms = sqlite3_column_int64(st, 8);
	m->created_ms = sqlite3_column_int64(st, 9);
	m->updated_ms = sqlite3_column_int64(st, 10);
	m->sent_ms = sqlite3_column_int64(st, 11);
	sq_col_text(st, 12, m->content_hash, sizeof m->content_hash);
	if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
		int len = sqlite3_column_bytes(st, 13);
		const void *b = sqlite3_column_blob(st, 13);
		if ((m->body = malloc((size_t)len + 1)) == NULL)
			return GW_ENOMEM;
		if (len > 0)
			memcpy(m->body, b, (size_t)len);
		m->body[len] = '\0';
		m->body_len = (size_t)len;
	}
	sq_col_text(st, 14, m->body_file, sizeof m->body_file);
	sq_col_text(st, 15, m->remote_ref, sizeof m->remote_ref);
	sq_col_text(st, 16, m->remote_ref2, sizeof m->remote_ref2);
	if (sqlite3_column_type(st, 17) != SQLITE_NULL) {
		const char *p = (const char *)sqlite3_column_text(st, 17);
		if ((m->payload = strdup(p != NULL ? p : "")) == NULL) {
			queue_msg_free(m);
			return GW_ENOMEM;
		}
	}
	sq_col_text(st, 18, m->depends_on, sizeof m->depends_on);
	sq_col_text(st, 19, m->last_error, sizeof m->last_error);
	sq_col_text(st, 20, m->lease_owner, sizeof m->lease_owner);
	m->lease_until_ms = sqlite3_column_int64(st, 21);
	return GW_OK;
}

/* Append one event row (inside the caller's transaction). */
static gw_rc
sq_event(struct sq *s, const char *id, int64_t at, const char *actor, enum queue_state from,
         enum queue_state to, const char *what, const char *why)
{
	sqlite3_stmt *st = s->ins_ev;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, actor != NULL ? actor : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, queue_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, queue_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, what != NULL ? what : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, why != NULL ? why : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? GW_OK : sq_rc(rc);
}

/* Read one integer pragma. */
static long long
sq_pragma_int(struct sq *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void sq_close(struct queue *q);

/* Bring the schema to SQ_SCHEMA_VERSION in one transaction; the version is
 * read again under the write lock, so two gateways starting together
 * migrate once. On failure errbuf says why and nothing is kept. */
static gw_rc
sq_migrate(struct sq *s, const char *dsn, char *errbuf, size_t errcap)
{
	long long ver = -1;
	if (sq_begin(s) != GW_OK)
		goto fail;
	ver = sq_pragma_int(s, "PRAGMA user_version");
	if (ver < 0 || (ver < 1 && (sq_exec(s, sq_schema) != GW_OK ||
	    sq_exec(s, "PRAGMA user_version=1") != GW_OK)) ||
	    (ver < 2 && sq_exec(s, sq_schema_v2) != GW_OK) || sq_commit(s) != GW_OK)
		goto fail;
	return GW_OK;
fail:
	snprintf(errbuf, errcap, "queue %s: cannot bring the schema from version %lld to %d: %s",
	    dsn, ver, SQ_SCHEMA_VERSION, sqlite3_errmsg(s->db));
	sq_rollback(s);
	return GW_EIO;
}

/* The queue holds INSS numbers, names and message bodies: its files are
 * never open to others, whatever the umask of the process that makes them.
 * SQLite gives the -wal and -shm files the mode of the database file, so
 * creating that file 0640 first covers all three; files an older gateway
 * left open to others are tightened. */
static gw_rc
sq_private_files(const char *path, char *errbuf, size_t errcap)
{
	/* SQLite's in-memory and temporary databases have no file to protect. */
	if (path[0] == '\0' || strcmp(path, ":memory:") == 0)
		return GW_OK;
	/* Never open and close an existing queue file here: closing any
	 * descriptor of a file drops every POSIX lock this process holds on
	 * it, those of SQLite connections already open in the process too (the
	 * intake API's and the AS4 endpoint's in `gateway serve`). Another
	 * process then believes it is the last connection and deletes the WAL
	 * under a live writer. Only a file we create ourselves is opened. */
	struct stat st;
	if (stat(path, &st) != 0) {
		int fd = errno == ENOENT ? open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640) : -1;
		if ((fd < 0 && errno != EEXIST) || (fd >= 0 && close(fd) != 0) || stat(path, &st) != 0) {
			snprintf(errbuf, errcap, "queue %s: cannot open it for writing: %s", path,
			    strerror(errno));
			return GW_EIO;
		}
	} else if (access(path, R_OK | W_OK) != 0) {
		snprintf(errbuf, errcap, "queue %s: cannot open it for writing: %s", path, strerror(errno));
		return GW_EIO;
	}
	if ((st.st_mode & S_IRWXO) && chmod(path, st.st_mode & 0770) != 0) {
		snprintf(errbuf, errcap, "queue %s: cannot make it private: %s", path, strerror(errno));
		return GW_EIO;
	}
	static const char *const side[] = { "-wal", "-shm" };
	for (size_t i = 0; i < 2; i++) {
		char p[1100];
		snprintf(p, sizeof p, "%s%s", path, side[i]);
		if (stat(p, &st) == 0 && (st.st_mode & S_IRWXO) && chmod(p, st.st_mode & 0770) != 0) {
			snprintf(errbuf, errcap, "queue %s: cannot make it private: %s", p, strerror(errno));
			return GW_EIO;
		}
	}
	return GW_OK;
}

/* Why WAL could not be switched on, for the operator: WAL keeps PATH-wal
 * and PATH-shm beside the queue (why: at least 1,100 bytes), so the usual cause is a folder the
 * gateway cannot write (permissions, a read-only mount). */
static void
sq_wal_cause(struct sq *s, char *why, size_t cap)
{
	char dir[1024];
	const char *slash = strrchr(s->path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == s->path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - s->path), s->path);
	if (access(dir, W_OK | X_OK) != 0)
		snprintf(why, cap, "the folder %s is not writable (%s), and SQLite must create the "
		    "queue's -wal and -shm files there", dir, strerror(errno));
	else
		snprintf(why, cap, "%s", s->db ? sqlite3_errmsg(s->db) : "unknown cause");
}

/* Open (creating) the queue file; refuses to run without WAL and synchronous=FULL. */
static gw_rc
sq_open(struct queue **qp, const char *dsn, char *errbuf, size_t errcap)
{
	struct sq *s = calloc(1, sizeof *s);
	gw_rc rc = GW_EIO;
	*qp = NULL;
	if (s == NULL) {
		snprintf(errbuf, errcap, "queue %s: out of memory", dsn);
		return GW_ENOMEM;
	}
	s->base.ops = &queue_sqlite_ops;
	if (strncmp(dsn, "sqlite:", 7) == 0)
		dsn += 7;
	snprintf(s->path, sizeof s->path, "%s", dsn);
	/* A fresh checkout has no var/: create the one parent directory. */
	const char *slash = strrchr(s->path, '/');
	if (slash != NULL && slash != s->path) {
		char dir[1024];
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - s->path), s->path);
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			snprintf(errbuf, errcap, "queue %s: cannot create %s: %s", dsn, dir,
			    strerror(errno));
			goto out;
		}
	}
	if ((rc = sq_private_files(s->path, errbuf, errcap)) != GW_OK)
		goto out;
	rc = GW_EIO;
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		snprintf(errbuf, errcap, "queue %s: %s", dsn,
		    s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto out;
	}
	/* How long a write waits for another writer (an operator command, a
	 * second gateway) before the caller gets a temporary failure. */
	sqlite3_busy_timeout(s->db, (int)param_int(P_QUEUE_BUSY_TIMEOUT_MS));
	/* A page cache large enough for the indexes of a busy intake: the
	 * default 2 MB makes every batch re-read its b-tree pages. */
	{
		char pr[96];
		snprintf(pr, sizeof pr, "PRAGMA cache_size=-%lld",
		    (long long)param_int(P_QUEUE_CACHE_KB));
		sqlite3_exec(s->db, pr, NULL, NULL, NULL);
		sqlite3_exec(s->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
	}
	sqlite3_stmt *st = NULL;
	char mode[16] = "";
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		sq_col_text(st, 0, mode, sizeof mode);
	sqlite3_finalize(st);
	if (strcmp(mode, "wal") != 0) {
		char why[2600];
		sq_wal_cause(s, why, sizeof why);
		snprintf(errbuf, errcap, "queue %s: cannot switch to WAL (journal_mode=%s): %s", dsn,
		    mode[0] ? mode : "unchanged", why);
		goto out;
	}
	sq_exec(s, "PRAGMA synchronous=FULL");
	if (sq_pragma_int(s, "PRAGMA synchronous") != 2) {
		snprintf(errbuf, errcap, "queue %s: synchronous=FULL did not take", dsn);
		goto out;
	}
	long long ver = sq_pragma_int(s, "PRAGMA user_version");
	if (ver > SQ_SCHEMA_VERSION) {
		snprintf(errbuf, errcap, "queue %s: schema version %lld is newer than this gateway (%d)",
		    dsn, ver, SQ_SCHEMA_VERSION);
		rc = GW_ECONFIG;
		goto out;
	}
	if (ver < SQ_SCHEMA_VERSION && sq_migrate(s, dsn, errbuf, errcap) != GW_OK)
		goto out;
	if (sq_prep(s, "INSERT OR IGNORE INTO msgs(" SQ_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?)", &s->ins_msg) != GW_OK ||
	    sq_prep(s, "INSERT INTO events(msg_id, at_ms, actor, from_state, to_state, what, why)"
	    " VALUES(?,?,?,?,?,?,?)", &s->ins_ev) != GW_OK) {
		snprintf(errbuf, errcap, "queue %s: %s", dsn, sqlite3_errmsg(s->db));
		goto out;
	}
	*qp = &s->base;
	return GW_OK;
out:
	sq_close(&s->base);
	return rc;
}

/* Close the file; statements first. */
static void
sq_close(struct queue *q)
{
	struct sq *s = SQ(q);
	if (s == NULL)
		return;
	if (s->base.store != NULL && s->base.store_detach != NULL)
		s->base.store_detach(s->base.store);     /* its statements go before the connection */
	sqlite3_finalize(s->ins_msg);
	sqlite3_finalize(s->ins_ev);
	sqlite3_finalize(s->ins_ev_created);
	sqlite3_finalize(s->st_move);
	sqlite3_finalize(s->st_state);
	sqlite3_finalize(s->st_fields);
	if (s->db != NULL)
		sqlite3_close(s->db);
	free(s);
}

/* Insert one message (inside the transaction); *dup when it already existed or is stale. */
static gw_rc
sq_insert_one(struct sq *s, struct queue_msg *m, int64_t now, int *dup)
{
	gw_rc rc;
	*dup = 0;
	if (m->record_id[0] == '\0' || m->kind[0] == '\0' || m->channel[0] == '\0')
		return GW_EINPUT;
	if (m->state != QS_PENDING && m->state != QS_HELD)
		return GW_EINPUT;          /* a message is born pending (or held), nowhere else */
	if (m->id[0] == '\0')
		queue_make_id(m->id, m->record_id, m->revision, m->kind);
	if (m->created_ms == 0)
		m->created_ms = now;
	m->updated_ms = now;
	sqlite3_stmt *st = s->ins_msg;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->record_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, m->revision);
	sqlite3_bind_text(st, 4, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, queue_state_name(m->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, m->attempts);
	sqlite3_bind_int64(st, 8, m->next_attempt_ms);
	sqlite3_bind_int64(st, 9, m->expires_ms);
	sqlite3_bind_int64(st, 10, m->created_ms);
	sqlite3_bind_int64(st, 11, m->updated_ms);
	sqlite3_bind_int64(st, 12, m->sent_ms);
	sqlite3_bind_text(st, 13, m->content_hash, -1, SQLITE_STATIC);
	if (m->body != NULL)
		sqlite3_bind_blob(st, 14, m->body, (int)m->body_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, m->body_file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, m->remote_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, m->remote_ref2, -1, SQLITE_STATIC);
	if (m->payload != NULL)
		sqlite3_bind_text(st, 18, m->payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 19, m->depends_on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 20, m->last_error, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sq_rc(r);
	if (sqlite3_changes(s->db) == 0) {
		*dup = 1;
		return GW_OK;
	}
	char why[96];
	snprintf(why, sizeof why, "%s revision %u taken in", m->kind, m->revision);
	if ((rc = sq_event(s, m->id, now, "intake", m->state, m->state, "created", why)) != GW_OK)
		return rc;
	return GW_OK;
}

/* Insert n messages in one durable transaction; dup[i] says which were already there. */
static gw_rc
sq_enqueue_each(struct queue *q, struct queue_msg *msgs, size_t n, unsigned char *dup)
{
	struct sq *s = SQ(q);
	int64_t now = queue_now_ms();
	gw_rc rc;
	if (n == 0)
		return GW_OK;
	if ((rc = sq_begin_adding(s)) != GW_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int d = 0;
		if ((rc = sq_insert_one(s, &msgs[i], now, &d)) != GW_OK) {
			sq_rollback(s);
			return rc;
		}
		if (dup != NULL)
			dup[i] = (unsigned char)d;
	}
	return sq_commit(s);
}

/* One message by id, with body and payload. */
static gw_rc
sq_get(struct queue *q, const char *id, struct queue_msg *out)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	gw_rc rc = sq_prep(s, "SELECT " SQ_COLS SQ_LEASE " FROM msgs WHERE id=?", &st);
	if (rc != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = sq_row_msg(st, out);
	else
		rc = r == SQLITE_DONE ? GW_ENOTFOUND : sq_rc(r);
	sqlite3_finalize(st);
	return rc;
}

/* Current state of id inside a transaction: GW_ENOTFOUND or GW_OK. */
static gw_rc
sq_state_of(struct sq *s, const char *id, enum queue_state *st_out)
{
	gw_rc rc = sq_cached(s, &s->st_state, "SELECT state FROM msgs WHERE id=?");
	sqlite3_stmt *st = s->st_state;
	if (rc != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		int v = queue_state_parse((const char *)sqlite3_column_text(st, 0));
		rc = v < 0 ? GW_EINTERNAL : GW_OK;
		*st_out = (enum queue_state)(v < 0 ? 0 : v);
	} else {
		rc = r == SQLITE_DONE ? GW_ENOTFOUND : sq_rc(r);
	}
	sqlite3_reset(st);
	return rc;
}

/* Move id from -> to inside a transaction, with its event; refuses illegal or
 * stale moves. Into building or sending the lease goes to owner until
 * lease_until; out of them it is cleared (same UPDATE). */
static gw_rc
sq_move(struct sq *s, const char *id, enum queue_state from, enum queue_state to,
        int64_t now, const char *actor, const char *why, const char *owner, int64_t lease_until)
{
	enum queue_state cur;
	sqlite3_stmt *st;
	gw_rc rc;
	if (!queue_transition_allowed(from, to))
		return GW_ESTATE;
	if ((rc = sq_cached(s, &s->st_move, "UPDATE msgs SET state=?, updated_ms=?, lease_owner=?,"
	    " lease_until_ms=? WHERE id=? AND state=?")) != GW_OK)
		return rc;
	st = s->st_move;
	sqlite3_bind_text(st, 1, queue_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (SQ_INFLIGHT(to)) {
		sqlite3_bind_text(st, 3, owner != NULL ? owner : actor, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, lease_until);
	} else {
		sqlite3_bind_null(st, 3);
		sqlite3_bind_int64(st, 4, 0);
	}
	sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, queue_state_name(from), -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sq_rc(r);
	if (sqlite3_changes(s->db) == 0) {
		rc = sq_state_of(s, id, &cur);
		return rc == GW_OK ? GW_ESTATE : rc;   /* someone else moved it first */
	}
	return sq_event(s, id, now, actor, from, to, "transition", why);
}

/* Claim due messages: select and move them, leased to owner, in one
 * transaction (from == to: read only). */
static gw_rc
sq_claim(struct queue *q, const char *channel, enum queue_state from, enum queue_state to,
         const char *owner, int64_t lease_ms, int64_t now_ms, size_t max, struct queue_msg *out,
         size_t *n)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	*n = 0;
	if (owner == NULL || owner[0] == '\0')
		owner = queue_worker_name();
	if (lease_ms <= 0)
		lease_ms = param_int(P_QUEUE_LEASE_MS);
	if (from != to && !queue_transition_allowed(from, to))
		return GW_ESTATE;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	rc = sq_prep(s, channel != NULL
	    ? "SELECT " SQ_COLS SQ_LEASE " FROM msgs WHERE state=?1 AND next_attempt_ms<=?2"
	      " AND channel=?4 ORDER BY next_attempt_ms, created_ms LIMIT ?3"
	    : "SELECT " SQ_COLS SQ_LEASE " FROM msgs WHERE state=?1 AND next_attempt_ms<=?2"
	      " ORDER BY next_attempt_ms, created_ms LIMIT ?3", &st);
	if (rc != GW_OK)
		goto fail;
	sqlite3_bind_text(st, 1, queue_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	if (channel != NULL)
		sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
	int r;
	while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = sq_row_msg(st, &out[*n])) != GW_OK)
			goto fail;
		(*n)++;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; from != to && i < *n; i++) {
		char why[QUEUE_OWNER_MAX + 64];
		snprintf(why, sizeof why, "%s by %s", to == QS_SENDING
		    ? "claimed for sending (attempt counted)" : "claimed", owner);
		if ((rc = sq_move(s, out[i].id, from, to, now_ms, "runner", why, owner,
		    now_ms + lease_ms)) != GW_OK)
			goto fail;
		out[i].state = to;
		out[i].updated_ms = now_ms;
		if (SQ_INFLIGHT(to)) {
			snprintf(out[i].lease_owner, sizeof out[i].lease_owner, "%s", owner);
			out[i].lease_until_ms = now_ms + lease_ms;
		} else {
			out[i].lease_owner[0] = '\0';
			out[i].lease_until_ms = 0;
		}
		/* Entering sending counts the attempt in the same commit, before
		 * any byte leaves: after a crash the count says "maybe sent". */
		if (to == QS_SENDING) {
			sqlite3_stmt *up = NULL;
			if ((rc = sq_prep(s, "UPDATE msgs SET attempts=attempts+1 WHERE id=?", &up))
			    != GW_OK)
				goto fail;
			sqlite3_bind_text(up, 1, out[i].id, -1, SQLITE_STATIC);
			int ur = sqlite3_step(up);
			sqlite3_finalize(up);
			if (ur != SQLITE_DONE) {
				rc = sq_rc(ur);
				goto fail;
			}
			out[i].attempts++;
		}
	}
	if ((rc = sq_commit(s)) != GW_OK)
		goto fail_nocommit;
	return GW_OK;
fail:
	sqlite3_finalize(st);
	sq_rollback(s);
fail_nocommit:
	for (size_t i = 0; i < *n; i++)
		queue_msg_free(&out[i]);
	*n = 0;
	return rc;
}

/* One checked move with its event. */
/* Write the mutable fields of m (inside a transaction). */
static gw_rc
sq_write_fields(struct sq *s, const struct queue_msg *m, int64_t now)
{
	sqlite3_stmt *st = NULL;
	/* A message read without its body (list() without bodies, as answer
	 * matching does) must not lose the stored bytes when it is updated:
	 * NULL keeps them; start-up recovery discards them explicitly. */
	gw_rc rc = sq_cached(s, &s->st_fields, "UPDATE msgs SET attempts=?, next_attempt_ms=?,"
	    " expires_ms=?, content_hash=?, body=COALESCE(?, body), body_file=?, remote_ref=?,"
	    " remote_ref2=?, last_error=?, sent_ms=?, depends_on=?, updated_ms=? WHERE id=?");
	if (rc != GW_OK)
		return rc;
	st = s->st_fields;
	sqlite3_bind_int64(st, 1, m->attempts);
	sqlite3_bind_int64(st, 2, m->next_attempt_ms);
	sqlite3_bind_int64(st, 3, m->expires_ms);
	sqlite3_bind_text(st, 4, m->content_hash, -1, SQLITE_STATIC);
	if (m->body != NULL)
		sqlite3_bind_blob(st, 5, m->body, (int)m->body_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->body_file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->remote_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->remote_ref2, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, m->sent_ms);
	sqlite3_bind_text(st, 11, m->depends_on, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, now);
	sqlite3_bind_text(st, 13, m->id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sq_rc(r);
	return sqlite3_changes(s->db) == 0 ? GW_ENOTFOUND : GW_OK;
}

/* One step of move_many inside the transaction: refusals land in x->rc
 * (GW_OK returned), anything else is returned and undoes the call. */
static gw_rc
sq_move_one(struct sq *s, struct queue_move *x, int64_t now, const char *actor)
{
	enum queue_state cur;
	gw_rc rc;
	if (x->id == NULL || (x->fields != NULL && strcmp(x->fields->id, x->id) != 0))
		return GW_EINPUT;          /* a caller's bug: nothing of the call is kept */
	if (x->from != x->to) {
		rc = sq_move(s, x->id, x->from, x->to, now, actor, x->why, actor,
		    now + param_int(P_QUEUE_LEASE_MS));
	} else {
		rc = sq_state_of(s, x->id, &cur);
		if (rc == GW_OK && x->from != QUEUE_ANY_STATE && cur != x->from)
			rc = GW_ESTATE;
		if (rc == GW_OK && x->what != NULL)
			rc = sq_event(s, x->id, now, actor, cur, cur, x->what, x->why);
	}
	if (rc == GW_OK && x->fields != NULL)
		rc = sq_write_fields(s, x->fields, now);
	x->rc = rc;
	return rc == GW_ESTATE || rc == GW_ENOTFOUND ? GW_OK : rc;
}

/* Many checked moves, one transaction; refused steps reported, not fatal. */
static gw_rc
sq_move_many(struct queue *q, struct queue_move *mv, size_t n, const char *actor, size_t *n_done)
{
	struct sq *s = SQ(q);
	int64_t now = queue_now_ms();
	size_t done = 0;
	gw_rc rc;
	if (n_done != NULL)
		*n_done = 0;
	if (n == 0)
		return GW_OK;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((rc = sq_move_one(s, &mv[i], now, actor)) != GW_OK) {
			sq_rollback(s);
			return rc;
		}
		done += mv[i].rc == GW_OK;
	}
	if ((rc = sq_commit(s)) != GW_OK)
		return rc;
	if (n_done != NULL)
		*n_done = done;
	return GW_OK;
}

/* Retention: the body, body file name and payload of a final message go;
 * the row and its history stay. */
static gw_rc
sq_forget_content(struct queue *q, const char *id, const char *actor, const char *why, int *had)
{
	struct sq *s = SQ(q);
	enum queue_state cur;
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	if (had != NULL)
		*had = 0;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	if ((rc = sq_state_of(s, id, &cur)) != GW_OK)
		goto fail;
	if (!queue_state_is_final(cur)) {
		rc = GW_ESTATE;
		goto fail;
	}
	if ((rc = sq_prep(s, "UPDATE msgs SET body=NULL, body_file='', payload=NULL WHERE id=? AND"
	    " (body IS NOT NULL OR body_file<>'' OR payload IS NOT NULL)", &st)) != GW_OK)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		rc = sq_rc(r);
		goto fail;
	}
	if (sqlite3_changes(s->db) > 0) {
		if ((rc = sq_event(s, id, queue_now_ms(), actor, cur, cur, "retention", why)) != GW_OK)
			goto fail;
		if (had != NULL)
			*had = 1;
	}
	return sq_commit(s);
fail:
	sq_rollback(s);
	return rc;
}

/* Events of one message, oldest first. */
static gw_rc
sq_history(struct queue *q, const char *id, struct queue_event **evs, size_t *n)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	gw_rc rc = sq_prep(s, "SELECT at_ms, actor, from_state, to_state, what, why FROM events"
	    " WHERE msg_id=? ORDER BY seq", &st);
	*evs = NULL;
	*n = 0;
	if (rc != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (ARRAY_RESERVE(*evs, *n, cap, 16) != GW_OK) {
			rc = GW_ENOMEM;
			goto out;
		}
		struct queue_event *e = &(*evs)[*n];
		memset(e, 0, sizeof *e);
		e->at_ms = sqlite3_column_int64(st, 0);
		sq_col_text(st, 1, e->actor, sizeof e->actor);
		int f = queue_state_parse((const char *)sqlite3_column_text(st, 2));
		int t = queue_state_parse((const char *)sqlite3_column_text(st, 3));
		e->from = (enum queue_state)(f < 0 ? 0 : f);
		e->to = (enum queue_state)(t < 0 ? 0 : t);
		sq_col_text(st, 4, e->what, sizeof e->what);
		sq_col_text(st, 5, e->why, sizeof e->why);
		(*n)++;
	}
	if (r != SQLITE_DONE)
		rc = sq_rc(r);
out:
	sqlite3_finalize(st);
	if (rc != GW_OK) {
		free(*evs);
		*evs = NULL;
		*n = 0;
	}
	return rc;
}

/* Counts per state, oldest pending and next attempt, for one channel or all. */
static gw_rc
sq_stats(struct queue *q, const char *channel, struct queue_stats *stt)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	memset(stt, 0, sizeof *stt);
	rc = sq_prep(s, "SELECT state, count(*) FROM msgs WHERE (?1 IS NULL OR channel=?1)"
	    " GROUP BY state", &st);
	if (rc != GW_OK)
		return rc;
	if (channel != NULL)
		sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int v = queue_state_parse((const char *)sqlite3_column_text(st, 0));
		if (v >= 0)
			stt->count[v] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	rc = sq_prep(s, "SELECT (SELECT min(created_ms) FROM msgs WHERE state IN"
	    " ('pending','building','ready','sending','sent')"
	    " AND (?1 IS NULL OR channel=?1)),"
	    " (SELECT min(next_attempt_ms) FROM msgs WHERE state IN ('pending','ready','sent')"
	    " AND (?1 IS NULL OR channel=?1))", &st);
	if (rc != GW_OK)
		return rc;
	if (channel != NULL)
		sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		stt->oldest_pending_ms = sqlite3_column_int64(st, 0);
		stt->next_attempt_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return GW_OK;
}

/* Collect rows of a prepared select into a malloc'd array. */
static gw_rc
sq_collect(sqlite3_stmt *st, struct queue_msg **out, size_t *n)
{
	size_t cap = 0;
	gw_rc rc = GW_OK;
	int r;
	*out = NULL;
	*n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (ARRAY_RESERVE(*out, *n, cap, 8) != GW_OK) {
			rc = GW_ENOMEM;
			break;
		}
		if ((rc = sq_row_msg(st, &(*out)[*n])) != GW_OK)
			break;
		(*n)++;
	}
	if (rc == GW_OK && r != SQLITE_DONE)
		rc = sq_rc(r);
	if (rc != GW_OK) {
		for (size_t i = 0; i < *n; i++)
			queue_msg_free(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

#define SQ_WHERE " FROM msgs WHERE (?1 IS NULL OR state=?1) AND (?2 IS NULL OR channel=?2)" \
	" AND (?3 IS NULL OR record_id=?3) AND (?4 IS NULL OR depends_on=?4) AND updated_ms>=?5"
#define SQ_BY_ATTEMPT " ORDER BY next_attempt_ms, created_ms LIMIT ?6"
#define SQ_NEWEST " ORDER BY revision DESC, created_ms DESC, rowid DESC LIMIT ?6"

/* Messages matching a filter, by next attempt or newest first. */
static gw_rc
sq_list(struct queue *q, const struct queue_filter *f, struct queue_msg **out, size_t *n)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	static const char *const sql[2][2] = {
		{ "SELECT " SQ_COLS_NOBODY SQ_LEASE SQ_WHERE SQ_BY_ATTEMPT,
		  "SELECT " SQ_COLS_NOBODY SQ_LEASE SQ_WHERE SQ_NEWEST },
		{ "SELECT " SQ_COLS SQ_LEASE SQ_WHERE SQ_BY_ATTEMPT,
		  "SELECT " SQ_COLS SQ_LEASE SQ_WHERE SQ_NEWEST },
	};
	gw_rc rc = sq_prep(s, sql[f->with_bodies != 0][f->newest_first != 0], &st);
	if (rc != GW_OK)
		return rc;
	if (f->state >= 0)
		sqlite3_bind_text(st, 1, queue_state_name((enum queue_state)f->state), -1,
		    SQLITE_STATIC);
	if (f->channel != NULL)
		sqlite3_bind_text(st, 2, f->channel, -1, SQLITE_STATIC);
	if (f->record_id != NULL)
		sqlite3_bind_text(st, 3, f->record_id, -1, SQLITE_STATIC);
	if (f->depends_on != NULL)
		sqlite3_bind_text(st, 4, f->depends_on, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, f->updated_since_ms);
	sqlite3_bind_int64(st, 6, f->limit ? (sqlite3_int64)f->limit : -1);
	rc = sq_collect(st, out, n);
	sqlite3_finalize(st);
	return rc;
}

/* Durable named counter. */
static gw_rc
sq_next_seq(struct queue *q, const char *name, uint64_t *out)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	gw_rc rc;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	if ((rc = sq_prep(s, "INSERT INTO seqs(name, value) VALUES(?,1) ON CONFLICT(name)"
	    " DO UPDATE SET value=value+1 RETURNING value", &st)) != GW_OK)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		rc = sq_rc(r) == GW_OK ? GW_EIO : sq_rc(r);
		goto fail;
	}
	*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return sq_commit(s);
fail:
	sqlite3_finalize(st);
	sq_rollback(s);
	return rc;
}

/* Take over every message of state `from` whose lease no live worker holds
 * (expired, no owner, or dead_owner's), moving it to `to` with an event that
 * names the previous owner; counts them. */
static gw_rc
sq_recover_state(struct sq *s, enum queue_state from, enum queue_state to, int64_t now,
                 const char *actor, const char *dead_owner, const char *why,
                 const char *extra_sql, size_t *count)
{
	sqlite3_stmt *st = NULL;
	char **ids = NULL;
	size_t n = 0, cap = 0;
	gw_rc rc = sq_prep(s, "SELECT id, COALESCE(lease_owner,''), lease_until_ms FROM msgs"
	    " WHERE state=?1 AND (lease_owner IS NULL OR lease_owner='' OR lease_until_ms<=?2"
	    " OR lease_owner=?3)", &st);
	*count = 0;
	if (rc != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, queue_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (dead_owner != NULL)
		sqlite3_bind_text(st, 3, dead_owner, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *owner = (const char *)sqlite3_column_text(st, 1);
		char line[QUEUE_ID_MAX + QUEUE_OWNER_MAX + 600];
		if (ARRAY_RESERVE(ids, n, cap, 16) != GW_OK) {
			rc = GW_ENOMEM;
			goto out;
		}
		/* id, NUL, then the event's reason naming whose lease ended. */
		int len = snprintf(line, sizeof line, "%s%c%s (%s%s%s)",
		    (const char *)sqlite3_column_text(st, 0), 0, why,
		    owner[0] == '\0' ? "no owner" : "lease of ", owner,
		    owner[0] == '\0' ? "" : dead_owner != NULL && strcmp(owner, dead_owner) == 0
		    ? ", a worker that is gone" : ", expired");
		if (len < 0 || (size_t)len >= sizeof line)
			len = (int)sizeof line - 1;
		if ((ids[n] = malloc((size_t)len + 1)) == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		memcpy(ids[n], line, (size_t)len);
		ids[n][len] = '\0';
		n++;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *reason = ids[i] + strlen(ids[i]) + 1;
		if ((rc = sq_move(s, ids[i], from, to, now, actor, reason, NULL, 0)) != GW_OK)
			goto out;
		if (extra_sql != NULL) {
			if ((rc = sq_prep(s, extra_sql, &st)) != GW_OK)
				goto out;
			sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
			int r = sqlite3_step(st);
			sqlite3_finalize(st);
			st = NULL;
			if (r != SQLITE_DONE) {
				rc = sq_rc(r);
				goto out;
			}
		}
	}
	*count = n;
out:
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

/* Run one UPDATE/DELETE with up to three bound values (text, int64, text);
 * *changes (may be NULL) counts the rows it touched. */
static gw_rc
sq_write_stmt(struct sq *s, const char *sql, const char *t1, int64_t i2, const char *t3,
              size_t *changes)
{
	sqlite3_stmt *st = NULL;
	gw_rc rc = sq_prep(s, sql, &st);
	if (rc != GW_OK)
		return rc;
	sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, i2);
	if (t3 != NULL)
		sqlite3_bind_text(st, 3, t3, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return sq_rc(r);
	if (changes != NULL)
		*changes = (size_t)sqlite3_changes(s->db);
	return GW_OK;
}

/* Takeover: half-built work discarded, unknown send outcomes made safe, for
 * every message no live worker holds. */
static gw_rc
sq_recover(struct queue *q, const char *actor, const char *dead_owner, int64_t now_ms,
           size_t *n_building, size_t *n_sending)
{
	struct sq *s = SQ(q);
	gw_rc rc;
	*n_building = *n_sending = 0;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	if ((rc = sq_recover_state(s, QS_BUILDING, QS_PENDING, now_ms, actor, dead_owner,
	    "recovery: half-built message discarded, will be built again",
	    "UPDATE msgs SET body=NULL, content_hash='' WHERE id=?", n_building)) != GW_OK ||
	    (rc = sq_recover_state(s, QS_SENDING, QS_READY, now_ms, actor, dead_owner,
	    "recovery: send outcome unknown; the other side will be asked before any re-send",
	    NULL, n_sending)) != GW_OK ||
	    (dead_owner != NULL && (rc = sq_write_stmt(s, "DELETE FROM leases WHERE owner=?1"
	    " AND ?2=?2", dead_owner, 0, NULL, NULL)) != GW_OK)) {
		sq_rollback(s);
		return rc;
	}
	return sq_commit(s);
}

/* Heartbeat: every lease of owner lasts until until_ms. */
static gw_rc
sq_renew(struct queue *q, const char *owner, int64_t until_ms, size_t *n)
{
	struct sq *s = SQ(q);
	size_t k = 0;
	gw_rc rc;
	if (n != NULL)
		*n = 0;
	if (owner == NULL || owner[0] == '\0')
		return GW_EINPUT;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	if ((rc = sq_write_stmt(s, "UPDATE msgs SET lease_until_ms=?2 WHERE lease_owner=?1 AND"
	    " state IN ('building','sending')", owner, until_ms, NULL, &k)) != GW_OK ||
	    (rc = sq_write_stmt(s, "UPDATE leases SET until_ms=?2 WHERE owner=?1", owner, until_ms,
	    NULL, NULL)) != GW_OK) {
		sq_rollback(s);
		return rc;
	}
	if ((rc = sq_commit(s)) != GW_OK)
		return rc;
	if (n != NULL)
		*n = k;
	return GW_OK;
}

/* Named exclusive lease: take (free, expired or ours), or release (until 0). */
static gw_rc
sq_lease_named(struct queue *q, const char *name, const char *owner, int64_t until_ms,
               int64_t now_ms, int *got)
{
	struct sq *s = SQ(q);
	size_t k = 0;
	gw_rc rc;
	*got = 0;
	if (name == NULL || name[0] == '\0' || owner == NULL || owner[0] == '\0')
		return GW_EINPUT;
	if ((rc = sq_begin(s)) != GW_OK)
		return rc;
	if (until_ms == 0)
		rc = sq_write_stmt(s, "DELETE FROM leases WHERE name=?1 AND owner=?3 AND ?2=?2", name,
		    0, owner, &k);
	else if ((rc = sq_write_stmt(s, "DELETE FROM leases WHERE name=?1 AND until_ms<=?2 AND"
	    " owner<>?3", name, now_ms, owner, NULL)) == GW_OK)
		/* An expired lease of another owner went first: what is left is
		 * free, ours, or another owner's live lease (left untouched). */
		rc = sq_write_stmt(s, "INSERT INTO leases(name, owner, until_ms) VALUES(?1,?3,?2)"
		    " ON CONFLICT(name) DO UPDATE SET until_ms=excluded.until_ms"
		    " WHERE leases.owner=excluded.owner", name, until_ms, owner, &k);
	if (rc != GW_OK) {
		sq_rollback(s);
		return rc;
	}
	if ((rc = sq_commit(s)) != GW_OK)
		return rc;
	*got = k > 0;
	return GW_OK;
}

/* PRAGMA integrity_check must say exactly "ok". */
static gw_rc
sq_check(struct queue *q, char *errbuf, size_t errcap)
{
	struct sq *s = SQ(q);
	sqlite3_stmt *st = NULL;
	gw_rc rc = sq_prep(s, "PRAGMA integrity_check", &st);
	if (rc != GW_OK)
		return rc;
	char first[256] = "";
	if (sqlite3_step(st) == SQLITE_ROW)
		sq_col_text(st, 0, first, sizeof first);
	sqlite3_finalize(st);
	snprintf(errbuf, errcap, "%s", first);
	return strcmp(first, "ok") == 0 ? GW_OK : GW_EIO;
}

/* What the record store shares (queue/sqlite_db.h). */
sqlite3 *
queue_sqlite_db(struct queue *q)
{
	return q != NULL && q->ops == &queue_sqlite_ops ? SQ(q)->db : NULL;
}

gw_rc queue_sqlite_begin_adding(struct queue *q) { return sq_begin_adding(SQ(q)); }
gw_rc queue_sqlite_commit(struct queue *q) { return sq_commit(SQ(q)); }
void queue_sqlite_rollback(struct queue *q) { sq_rollback(SQ(q)); }
gw_rc queue_sqlite_rc(int rc) { return sq_rc(rc); }

gw_rc
queue_sqlite_insert(struct queue *q, struct queue_msg *m, int64_t now_ms, int *dup)
{
	return sq_insert_one(SQ(q), m, now_ms, dup);
}

const struct queue_ops queue_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.enqueue_each = sq_enqueue_each,
	.get = sq_get,
	.list = sq_list,
	.claim = sq_claim,
	.move_many = sq_move_many,
	.recover = sq_recover,
	.renew = sq_renew,
	.lease_named = sq_lease_named,
	.history = sq_history,
	.stats = sq_stats,
	.next_seq = sq_next_seq,
	.check = sq_check,
	.forget_content = sq_forget_content,
};

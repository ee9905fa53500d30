/*
 * queue/postgres.c - the PostgreSQL backend of the durable queue, for
 * several gateway processes (and machines) sharing one outbox.
 *
 * Owns the outbox's tables in the database named by [queue] dsn
 * (postgresql://...): msgs, events, seqs, created by versioned migrations
 * (queue/pg_schema.c). Implements the fifteen core operations of
 * queue_ops, each ONE transaction run by pg_txn (queue/pg_conn.c): a
 * serialization failure or deadlock runs it again, a lost connection is a
 * temporary failure that leaves nothing. Claims lock their rows with FOR
 * UPDATE SKIP LOCKED and move them in the same transaction, so two workers
 * never claim one message; the lease (owner, expiry) is written by the
 * same UPDATE as the state, and a takeover (recover) skips rows another
 * transaction holds. The record store (store/postgres.c) writes its
 * rows in these transactions through queue/postgres_db.h.
 * Must never change a state without queue_transition_allowed(), never
 * delete an event, never take over a live lease, never print the DSN's
 * password.
 */
#include "queue/queue.h"
#include "core/params.h"
#include "queue/postgres_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pgq {
	struct queue base;              /* must stay first */
	struct pg_conn c;
};

static struct pgq *PGQ(struct queue *q) { return (struct pgq *)q; }

/* Version n of the outbox is steps[0..n). lease_owner and lease_until_ms
 * are there for claims that carry a lease (owner, expiry); rowseq orders
 * rows written in the same millisecond. */
static const char *const pgq_steps[] = {
	"CREATE TABLE msgs("
	" id text PRIMARY KEY, record_id text NOT NULL, revision bigint NOT NULL,"
	" kind text NOT NULL, channel text NOT NULL, state text NOT NULL,"
	" attempts bigint NOT NULL DEFAULT 0, next_attempt_ms bigint NOT NULL DEFAULT 0,"
	" expires_ms bigint NOT NULL DEFAULT 0, created_ms bigint NOT NULL,"
	" updated_ms bigint NOT NULL, sent_ms bigint NOT NULL DEFAULT 0,"
	" content_hash text NOT NULL DEFAULT '', body bytea, body_file text NOT NULL DEFAULT '',"
	" remote_ref text NOT NULL DEFAULT '', remote_ref2 text NOT NULL DEFAULT '',"
	" payload text, depends_on text NOT NULL DEFAULT '', last_error text NOT NULL DEFAULT '',"
	" lease_owner text NOT NULL DEFAULT '', lease_until_ms bigint NOT NULL DEFAULT 0,"
	" rowseq bigserial NOT NULL, UNIQUE(record_id, revision, kind));"
	"CREATE INDEX msgs_due ON msgs(state, channel, next_attempt_ms);"
	"CREATE INDEX msgs_record ON msgs(record_id);"
	"CREATE TABLE events("
	" seq bigserial PRIMARY KEY, msg_id text NOT NULL, at_ms bigint NOT NULL,"
	" actor text NOT NULL, from_state text NOT NULL, to_state text NOT NULL,"
	" what text NOT NULL, why text NOT NULL);"
	"CREATE INDEX events_msg ON events(msg_id, seq);"
	"CREATE TABLE seqs(name text PRIMARY KEY, value bigint NOT NULL);",
	/* 2: named leases (one worker at a time for a submission). */
	"CREATE TABLE leases(name text PRIMARY KEY, owner text NOT NULL, until_ms bigint NOT NULL);"
	"CREATE INDEX msgs_lease ON msgs(lease_owner) WHERE lease_owner <> '';",
};

#define PG_COLS "id, record_id, revision, kind, channel, state, attempts, next_attempt_ms," \
	" expires_ms, created_ms, updated_ms, sent_ms, content_hash, body, body_file," \
	" remote_ref, remote_ref2, payload, depends_on, last_error"
#define PG_COLS_NOBODY "id, record_id, revision, kind, channel, state, attempts," \
	" next_attempt_ms, expires_ms, created_ms, updated_ms, sent_ms, content_hash," \
	" NULL::bytea, body_file, remote_ref, remote_ref2, NULL::text, depends_on, last_error"
/* What a select reads: the columns, then the lease (20 and 21). */
#define PG_SEL PG_COLS ", lease_owner, lease_until_ms"
#define PG_SEL_NOBODY PG_COLS_NOBODY ", lease_owner, lease_until_ms"
/* The states that carry a lease. */
#define PG_INFLIGHT(st) ((st) == QS_BUILDING || (st) == QS_SENDING)
#define PG_WHERE " FROM msgs WHERE ($1::text IS NULL OR state=$1)" \
	" AND ($2::text IS NULL OR channel=$2) AND ($3::text IS NULL OR record_id=$3)" \
	" AND ($4::text IS NULL OR depends_on=$4) AND updated_ms>=$5"
#define PG_BY_ATTEMPT " ORDER BY next_attempt_ms, created_ms LIMIT $6"
#define PG_NEWEST " ORDER BY revision DESC, created_ms DESC, rowseq DESC LIMIT $6"
#define PG_DUE " FROM msgs WHERE state=$1 AND next_attempt_ms<=$2" \
	" AND ($4::text IS NULL OR channel=$4) ORDER BY next_attempt_ms, created_ms LIMIT $3"

static const struct pg_stmt
	/* The message and its "created" event in one statement, one round trip:
	 * the event is written only when the message row was ($11 is the
	 * moment, $6 the state, $21 the why), and the command's count is the
	 * events written, so 0 still says "already there". */
	st_ins = { "gw_ins_ev", "WITH m AS (INSERT INTO msgs(" PG_COLS ") VALUES($1,$2,$3,$4,$5,"
	    "$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) ON CONFLICT DO NOTHING"
	    " RETURNING id) INSERT INTO events(msg_id, at_ms, actor, from_state, to_state, what,"
	    " why) SELECT id, $11, 'intake', $6, $6, 'created', $21 FROM m" },
	st_ev = { "gw_ev", "INSERT INTO events(msg_id, at_ms, actor, from_state, to_state, what,"
	    " why) VALUES($1,$2,$3,$4,$5,$6,$7)" },
	st_get = { "gw_get", "SELECT " PG_SEL " FROM msgs WHERE id=$1" },
	/* Locks the row: a note or field write sees the state no one else is changing. */
	st_state = { "gw_state", "SELECT state FROM msgs WHERE id=$1 FOR UPDATE" },
	st_move = { "gw_move", "UPDATE msgs SET state=$1, updated_ms=$2, attempts=attempts+$5,"
	    " lease_owner=$6, lease_until_ms=$7 WHERE id=$3 AND state=$4" },
	st_fields = { "gw_fields", "UPDATE msgs SET attempts=$1, next_attempt_ms=$2,"
	    " expires_ms=$3, content_hash=$4, body=COALESCE($5, body), body_file=$6,"
	    " remote_ref=$7, remote_ref2=$8, last_error=$9, sent_ms=$10, depends_on=$11,"
	    " updated_ms=$12 WHERE id=$13" },
	st_claim = { "gw_claim", "SELECT " PG_SEL PG_DUE " FOR UPDATE SKIP LOCKED" },
	st_peek = { "gw_peek", "SELECT " PG_SEL PG_DUE },
	st_forget = { "gw_forget", "UPDATE msgs SET body=NULL, body_file='', payload=NULL"
	    " WHERE id=$1 AND (body IS NOT NULL OR body_file<>'' OR payload IS NOT NULL)" },
	st_hist = { "gw_hist", "SELECT at_ms, actor, from_state, to_state, what, why FROM events"
	    " WHERE msg_id=$1 ORDER BY seq" },
	st_counts = { "gw_counts", "SELECT state, count(*) FROM msgs"
	    " WHERE ($1::text IS NULL OR channel=$1) GROUP BY state" },
	st_times = { "gw_times", "SELECT (SELECT min(created_ms) FROM msgs WHERE state IN"
	    " ('pending','building','ready','sending','sent') AND ($1::text IS NULL OR channel=$1)),"
	    " (SELECT min(next_attempt_ms) FROM msgs WHERE state IN ('pending','ready','sent')"
	    " AND ($1::text IS NULL OR channel=$1))" },
	st_list[2][2] = {
		{ { "gw_list00", "SELECT " PG_SEL_NOBODY PG_WHERE PG_BY_ATTEMPT },
		  { "gw_list01", "SELECT " PG_SEL_NOBODY PG_WHERE PG_NEWEST } },
		{ { "gw_list10", "SELECT " PG_SEL PG_WHERE PG_BY_ATTEMPT },
		  { "gw_list11", "SELECT " PG_SEL PG_WHERE PG_NEWEST } },
	},
	st_seq = { "gw_seq", "INSERT INTO seqs(name, value) VALUES($1,1) ON CONFLICT(name)"
	    " DO UPDATE SET value=seqs.value+1 RETURNING value" },
	/* What no live worker holds; a row another transaction has locked is
	 * being worked on right now, and is skipped. */
	st_orphans = { "gw_orphans", "SELECT id, lease_owner FROM msgs WHERE state=$1 AND"
	    " (lease_owner='' OR lease_until_ms<=$2 OR lease_owner=$3) ORDER BY id"
	    " FOR UPDATE SKIP LOCKED" },
	st_drop_named = { "gw_drop_named", "DELETE FROM leases WHERE owner=$1" },
	st_renew_msgs = { "gw_renew_msgs", "UPDATE msgs SET lease_until_ms=$2 WHERE lease_owner=$1"
	    " AND state IN ('building','sending')" },
	st_renew_named = { "gw_renew_named", "UPDATE leases SET until_ms=$2 WHERE owner=$1" },
	st_release = { "gw_release", "DELETE FROM leases WHERE name=$1 AND owner=$2" },
	/* Free, expired or already ours: taken; another owner's live lease stays. */
	st_take = { "gw_take", "INSERT INTO leases(name, owner, until_ms) VALUES($1,$2,$3)"
	    " ON CONFLICT(name) DO UPDATE SET owner=excluded.owner, until_ms=excluded.until_ms"
	    " WHERE leases.owner=excluded.owner OR leases.until_ms<=$4" },
	st_discard = { "gw_discard", "UPDATE msgs SET body=NULL, content_hash='' WHERE id=$1" },
	st_check = { "gw_check", "SELECT count(*) FROM msgs WHERE state NOT IN ('pending',"
	    "'building','ready','sending','sent','accepted','accepted-with-warnings','refused',"
	    "'failed','held','cancelled')" };

/* The DSN without its password, for messages: "postgresql://user@host/db". */
static void
pgq_redact(const char *dsn, char *out, size_t cap)
{
	const char *at = strchr(dsn, '@');
	const char *scheme = strstr(dsn, "://");
	const char *colon = scheme != NULL ? strchr(scheme + 3, ':') : NULL;
	if (at != NULL && colon != NULL && colon < at)
		snprintf(out, cap, "%.*s%s", (int)(colon - dsn), dsn, at);
	else
		snprintf(out, cap, "%s", dsn);
	char *pw = strstr(out, "password=");
	if (pw != NULL)
		snprintf(pw, cap - (size_t)(pw - out), "password=...");
}

/* Fill a message from row i of a result selected with PG_COLS (or _NOBODY). */
static gw_rc
pgq_row_msg(PGresult *r, int i, struct queue_msg *m)
{
	char state[32];
	memset(m, 0, sizeof *m);
	pg_col_text(r, i, 0, m->id, sizeof m->id);
	pg_col_text(r, i, 1, m->record_id, sizeof m->record_id);
	m->revision = (uint32_t)pg_col_int(r, i, 2);
	pg_col_text(r, i, 3, m->kind, sizeof m->kind);
	pg_col_text(r, i, 4, m->channel, sizeof m->channel);
	pg_col_text(r, i, 5, state, sizeof state);
	int v = queue_state_parse(state);
	if (v < 0)
		return GW_EINTERNAL;
	m->state = (enum queue_state)v;
	m->attempts = (uint32_t)pg_col_int(r, i, 6);
	m->next_attempt_ms = pg_col_int(r, i, 7);
	m->expires_ms = pg_col_int(r, i, 8);
	m->created_ms = pg_col_int(r, i, 9);
	m->updated_ms = pg_col_int(r, i, 10);
	m->sent_ms = pg_col_int(r, i, 11);
	pg_col_text(r, i, 12, m->content_hash, sizeof m->content_hash);
	if (pg_col_bytes(r, i, 13, 1, &m->body, &m->body_len) != GW_OK)
		return GW_ENOMEM;
	pg_col_text(r, i, 14, m->body_file, sizeof m->body_file);
	pg_col_text(r, i, 15, m->remote_ref, sizeof m->remote_ref);
	pg_col_text(r, i, 16, m->remote_ref2, sizeof m->remote_ref2);
	if (pg_col_bytes(r, i, 17, 0, &m->payload, NULL) != GW_OK) {
		queue_msg_free(m);
		return GW_ENOMEM;
	}
	pg_col_text(r, i, 18, m->depends_on, sizeof m->depends_on);
	pg_col_text(r, i, 19, m->last_error, sizeof m->last_error);
	pg_col_text(r, i, 20, m->lease_owner, sizeof m->lease_owner);
	m->lease_until_ms = pg_col_int(r, i, 21);
	return GW_OK;
}

/* Every row of r into a malloc'd array (none on failure). */
static gw_rc
pgq_collect(PGresult *r, struct queue_msg **out, size_t *n)
{
	int rows = PQntuples(r);
	*out = NULL;
	*n = 0;
	if (rows == 0)
		return GW_OK;
	if ((*out = calloc((size_t)rows, sizeof **out)) == NULL)
		return GW_ENOMEM;
	for (int i = 0; i < rows; i++) {
		gw_rc rc = pgq_row_msg(r, i, &(*out)[i]);
		if (rc != GW_OK) {
			for (size_t k = 0; k < *n; k++)
				queue_msg_free(&(*out)[k]);
			free(*out);
			*out = NULL;
			*n = 0;
			return rc;
		}
		(*n)++;
	}
	return GW_OK;
}

/* Append one event row (inside the caller's transaction). */
static gw_rc
pgq_event(struct pg_conn *c, const char *id, int64_t at, const char *actor,
          enum queue_state from, enum queue_state to, const char *what, const char *why)
{
	struct pg_params p = { 0 };
	pg_p_text(&p, id);
	pg_p_int(&p, at);
	pg_p_text(&p, actor != NULL ? actor : "");
	pg_p_text(&p, queue_state_name(from));
	pg_p_text(&p, queue_state_name(to));
	pg_p_text(&p, what != NULL ? what : "");
	pg_p_text(&p, why != NULL ? why : "");
	return pg_run(c, &st_ev, &p, NULL);
}

gw_rc
queue_pg_insert(struct pg_conn *c, struct queue_msg *m, int64_t now, int *dup)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
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
	pg_p_text(&p, m->id);
	pg_p_text(&p, m->record_id);
	pg_p_int(&p, m->revision);
	pg_p_text(&p, m->kind);
	pg_p_text(&p, m->channel);
	pg_p_text(&p, queue_state_name(m->state));
	pg_p_int(&p, m->attempts);
	pg_p_int(&p, m->next_attempt_ms);
	pg_p_int(&p, m->expires_ms);
	pg_p_int(&p, m->created_ms);
	pg_p_int(&p, m->updated_ms);
	pg_p_int(&p, m->sent_ms);
	pg_p_text(&p, m->content_hash);
	pg_p_bytes(&p, m->body, m->body_len);
	pg_p_text(&p, m->body_file);
	pg_p_text(&p, m->remote_ref);
	pg_p_text(&p, m->remote_ref2);
	pg_p_text(&p, m->payload);
	pg_p_text(&p, m->depends_on);
	pg_p_text(&p, m->last_error);
	char why[96];
	snprintf(why, sizeof why, "%s revision %u taken in", m->kind, m->revision);
	pg_p_text(&p, why);
	if ((rc = pg_run(c, &st_ins, &p, &r)) != GW_OK)
		return rc;
	*dup = pg_changes(r) == 0;
	PQclear(r);
	return GW_OK;
}

struct enq_ctx {
	struct queue_msg *msgs;
	size_t n;
	unsigned char *dup;
	int64_t now;
};

static gw_rc
pgq_enqueue_body(struct pg_conn *c, void *arg)
{
	struct enq_ctx *x = arg;
	for (size_t i = 0; i < x->n; i++) {
		int d = 0;
		gw_rc rc = queue_pg_insert(c, &x->msgs[i], x->now, &d);
		if (rc != GW_OK)
			return rc;
		if (x->dup != NULL)
			x->dup[i] = (unsigned char)d;
	}
	return GW_OK;
}

/* Insert n messages in one durable transaction; dup[i] says which were already there. */
static gw_rc
pgq_enqueue_each(struct queue *q, struct queue_msg *msgs, size_t n, unsigned char *dup)
{
	struct enq_ctx x = { msgs, n, dup, queue_now_ms() };
	if (n == 0)
		return GW_OK;
	return pg_txn(&PGQ(q)->c, pgq_enqueue_body, &x);
}

/* One message by id, with body and payload. */
static gw_rc
pgq_get(struct queue *q, const char *id, struct queue_msg *out)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_text(&p, id);
	gw_rc rc = pg_run(&PGQ(q)->c, &st_get, &p, &r);
	if (rc == GW_OK)
		rc = PQntuples(r) == 0 ? GW_ENOTFOUND : pgq_row_msg(r, 0, out);
	PQclear(r);
	return rc;
}

/* Current state of id, its row locked until the transaction ends. */
static gw_rc
pgq_state_of(struct pg_conn *c, const char *id, enum queue_state *out)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_text(&p, id);
	gw_rc rc = pg_run(c, &st_state, &p, &r);
	if (rc == GW_OK) {
		if (PQntuples(r) == 0) {
			rc = GW_ENOTFOUND;
		} else {
			int v = queue_state_parse(PQgetvalue(r, 0, 0));
			rc = v < 0 ? GW_EINTERNAL : GW_OK;
			*out = (enum queue_state)(v < 0 ? 0 : v);
		}
	}
	PQclear(r);
	return rc;
}

/* Move id from -> to inside a transaction, with its event (counted: add
 * one attempt); into building or sending the lease goes to owner until
 * lease_until, out of them it is cleared (same UPDATE). Refuses illegal or
 * stale moves. */
static gw_rc
pgq_move(struct pg_conn *c, const char *id, enum queue_state from, enum queue_state to,
         int64_t now, const char *actor, const char *why, int counted, const char *owner,
         int64_t lease_until)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	enum queue_state cur;
	gw_rc rc;
	if (!queue_transition_allowed(from, to))
		return GW_ESTATE;
	pg_p_text(&p, queue_state_name(to));
	pg_p_int(&p, now);
	pg_p_text(&p, id);
	pg_p_text(&p, queue_state_name(from));
	pg_p_int(&p, counted);
	pg_p_text(&p, PG_INFLIGHT(to) ? (owner != NULL ? owner : actor) : "");
	pg_p_int(&p, PG_INFLIGHT(to) ? lease_until : 0);
	if ((rc = pg_run(c, &st_move, &p, &r)) != GW_OK)
		return rc;
	long changed = pg_changes(r);
	PQclear(r);
	if (changed == 0) {
		rc = pgq_state_of(c, id, &cur);
		return rc == GW_OK ? GW_ESTATE : rc;   /* someone else moved it first */
	}
	return pgq_event(c, id, now, actor, from, to, "transition", why);
}

struct claim_ctx {
	const char *channel;
	enum queue_state from, to;
	const char *owner;
	int64_t lease_ms, now;
	size_t max;
	struct queue_msg *out;
	size_t *n;
};

static void
pgq_free_out(struct queue_msg *out, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		queue_msg_free(&out[i]);
	*n = 0;
}

/* Select due rows, skipping those another worker has locked, and move
 * them while the lock holds. */
static gw_rc
pgq_claim_body(struct pg_conn *c, void *arg)
{
	struct claim_ctx *x = arg;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	gw_rc rc;
	pgq_free_out(x->out, x->n);
	pg_p_text(&p, queue_state_name(x->from));
	pg_p_int(&p, x->now);
	pg_p_int(&p, (int64_t)x->max);
	pg_p_text(&p, x->channel);
	if ((rc = pg_run(c, x->from == x->to ? &st_peek : &st_claim, &p, &r)) != GW_OK)
		return rc;
	for (int i = 0; i < PQntuples(r) && *x->n < x->max; i++) {
		if ((rc = pgq_row_msg(r, i, &x->out[*x->n])) != GW_OK)
			goto out;
		(*x->n)++;
	}
	for (size_t i = 0; x->from != x->to && i < *x->n; i++) {
		struct queue_msg *m = &x->out[i];
		/* Entering sending counts the attempt in the same commit, before
		 * any byte leaves: after a crash the count says "maybe sent". */
		int counted = x->to == QS_SENDING;
		char why[QUEUE_OWNER_MAX + 64];
		snprintf(why, sizeof why, "%s by %s", counted
		    ? "claimed for sending (attempt counted)" : "claimed", x->owner);
		if ((rc = pgq_move(c, m->id, x->from, x->to, x->now, "runner", why, counted, x->owner,
		    x->now + x->lease_ms)) != GW_OK) {
			if (rc == GW_ESTATE)
				rc = GW_EINTERNAL;   /* the row is ours under FOR UPDATE */
			goto out;
		}
		m->state = x->to;
		m->updated_ms = x->now;
		m->attempts += (uint32_t)counted;
		snprintf(m->lease_owner, sizeof m->lease_owner, "%s", PG_INFLIGHT(x->to) ? x->owner : "");
		m->lease_until_ms = PG_INFLIGHT(x->to) ? x->now + x->lease_ms : 0;
	}
out:
	PQclear(r);
	if (rc != GW_OK)
		pgq_free_out(x->out, x->n);
	return rc;
}

static gw_rc
pgq_claim(struct queue *q, const char *channel, enum queue_state from, enum queue_state to,
          const char *owner, int64_t lease_ms, int64_t now_ms, size_t max, struct queue_msg *out,
          size_t *n)
{
	if (owner == NULL || owner[0] == '\0')
		owner = queue_worker_name();
	if (lease_ms <= 0)
		lease_ms = param_int(P_QUEUE_LEASE_MS);
	struct claim_ctx x = { channel, from, to, owner, lease_ms, now_ms, max, out, n };
	*n = 0;
	if (from != to && !queue_transition_allowed(from, to))
		return GW_ESTATE;
	if (max == 0)
		return GW_OK;
	return pg_txn(&PGQ(q)->c, pgq_claim_body, &x);
}

/* Write the mutable fields of m (inside a transaction). */
static gw_rc
pgq_write_fields(struct pg_conn *c, const struct queue_msg *m, int64_t now)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_int(&p, m->attempts);
	pg_p_int(&p, m->next_attempt_ms);
	pg_p_int(&p, m->expires_ms);
	pg_p_text(&p, m->content_hash);
	/* A message read without its body keeps the stored bytes (NULL). */
	pg_p_bytes(&p, m->body, m->body_len);
	pg_p_text(&p, m->body_file);
	pg_p_text(&p, m->remote_ref);
	pg_p_text(&p, m->remote_ref2);
	pg_p_text(&p, m->last_error);
	pg_p_int(&p, m->sent_ms);
	pg_p_text(&p, m->depends_on);
	pg_p_int(&p, now);
	pg_p_text(&p, m->id);
	gw_rc rc = pg_run(c, &st_fields, &p, &r);
	if (rc == GW_OK && pg_changes(r) == 0)
		rc = GW_ENOTFOUND;
	PQclear(r);
	return rc;
}

/* One step of move_many: refusals land in x->rc (GW_OK returned). */
static gw_rc
pgq_move_one(struct pg_conn *c, struct queue_move *x, int64_t now, const char *actor)
{
	enum queue_state cur;
	gw_rc rc;
	if (x->id == NULL || (x->fields != NULL && strcmp(x->fields->id, x->id) != 0))
		return GW_EINPUT;          /* a caller's bug: nothing of the call is kept */
	if (x->from != x->to) {
		rc = pgq_move(c, x->id, x->from, x->to, now, actor, x->why, 0, actor,
		    now + param_int(P_QUEUE_LEASE_MS));
	} else {
		rc = pgq_state_of(c, x->id, &cur);
		if (rc == GW_OK && x->from != QUEUE_ANY_STATE && cur != x->from)
			rc = GW_ESTATE;
		if (rc == GW_OK && x->what != NULL)
			rc = pgq_event(c, x->id, now, actor, cur, cur, x->what, x->why);
	}
	if (rc == GW_OK && x->fields != NULL)
		rc = pgq_write_fields(c, x->fields, now);
	x->rc = rc;
	return rc == GW_ESTATE || rc == GW_ENOTFOUND ? GW_OK : rc;
}

struct many_ctx {
	struct queue_move *mv;
	size_t n, done;
	const char *actor;
	int64_t now;
};

static gw_rc
pgq_many_body(struct pg_conn *c, void *arg)
{
	struct many_ctx *x = arg;
	x->done = 0;
	for (size_t i = 0; i < x->n; i++) {
		gw_rc rc = pgq_move_one(c, &x->mv[i], x->now, x->actor);
		if (rc != GW_OK)
			return rc;
		x->done += x->mv[i].rc == GW_OK;
	}
	return GW_OK;
}

/* Many checked moves, one transaction; refused steps reported, not fatal. */
static gw_rc
pgq_move_many(struct queue *q, struct queue_move *mv, size_t n, const char *actor,
              size_t *n_done)
{
	struct many_ctx x = { mv, n, 0, actor, queue_now_ms() };
	if (n_done != NULL)
		*n_done = 0;
	if (n == 0)
		return GW_OK;
	gw_rc rc = pg_txn(&PGQ(q)->c, pgq_many_body, &x);
	if (rc == GW_OK && n_done != NULL)
		*n_done = x.done;
	return rc;
}

struct forget_ctx {
	const char *id, *actor, *why;
	int had;
};

static gw_rc
pgq_forget_body(struct pg_conn *c, void *arg)
{
	struct forget_ctx *x = arg;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	enum queue_state cur;
	gw_rc rc;
	x->had = 0;
	if ((rc = pgq_state_of(c, x->id, &cur)) != GW_OK)
		return rc;
	if (!queue_state_is_final(cur))
		return GW_ESTATE;
	pg_p_text(&p, x->id);
	if ((rc = pg_run(c, &st_forget, &p, &r)) != GW_OK)
		return rc;
	long changed = pg_changes(r);
	PQclear(r);
	if (changed > 0) {
		if ((rc = pgq_event(c, x->id, queue_now_ms(), x->actor, cur, cur, "retention",
		    x->why)) != GW_OK)
			return rc;
		x->had = 1;
	}
	return GW_OK;
}

/* Retention: the body, body file name and payload of a final message go. */
static gw_rc
pgq_forget_content(struct queue *q, const char *id, const char *actor, const char *why, int *had)
{
	struct forget_ctx x = { id, actor, why, 0 };
	gw_rc rc = pg_txn(&PGQ(q)->c, pgq_forget_body, &x);
	if (had != NULL)
		*had = rc == GW_OK ? x.had : 0;
	return rc;
}

/* Events of one message, oldest first. */
static gw_rc
pgq_history(struct queue *q, const char *id, struct queue_event **evs, size_t *n)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*evs = NULL;
	*n = 0;
	pg_p_text(&p, id);
	gw_rc rc = pg_run(&PGQ(q)->c, &st_hist, &p, &r);
	if (rc != GW_OK)
		return rc;
	int rows = PQntuples(r);
	if (rows > 0 && (*evs = calloc((size_t)rows, sizeof **evs)) == NULL) {
		PQclear(r);
		return GW_ENOMEM;
	}
	for (int i = 0; i < rows; i++) {
		struct queue_event *e = &(*evs)[i];
		e->at_ms = pg_col_int(r, i, 0);
		pg_col_text(r, i, 1, e->actor, sizeof e->actor);
		int f = queue_state_parse(PQgetvalue(r, i, 2));
		int t = queue_state_parse(PQgetvalue(r, i, 3));
		e->from = (enum queue_state)(f < 0 ? 0 : f);
		e->to = (enum queue_state)(t < 0 ? 0 : t);
		pg_col_text(r, i, 4, e->what, sizeof e->what);
		pg_col_text(r, i, 5, e->why, sizeof e->why);
	}
	*n = (size_t)rows;
	PQclear(r);
	return GW_OK;
}

/* Counts per state, oldest pending and next attempt, for one channel or all. */
static gw_rc
pgq_stats(struct queue *q, const char *channel, struct queue_stats *stt)
{
	struct pg_conn *c = &PGQ(q)->c;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	memset(stt, 0, sizeof *stt);
	pg_p_text(&p, channel);
	gw_rc rc = pg_run(c, &st_counts, &p, &r);
	if (rc != GW_OK)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		int v = queue_state_parse(PQgetvalue(r, i, 0));
		if (v >= 0)
			stt->count[v] = (uint64_t)pg_col_int(r, i, 1);
	}
	PQclear(r);
	if ((rc = pg_run(c, &st_times, &p, &r)) != GW_OK)
		return rc;
	if (PQntuples(r) > 0) {
		stt->oldest_pending_ms = pg_col_int(r, 0, 0);
		stt->next_attempt_ms = pg_col_int(r, 0, 1);
	}
	PQclear(r);
	return GW_OK;
}

/* Messages matching a filter, by next attempt or newest first. */
static gw_rc
pgq_list(struct queue *q, const struct queue_filter *f, struct queue_msg **out, size_t *n)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*out = NULL;
	*n = 0;
	pg_p_text(&p, f->state >= 0 ? queue_state_name((enum queue_state)f->state) : NULL);
	pg_p_text(&p, f->channel);
	pg_p_text(&p, f->record_id);
	pg_p_text(&p, f->depends_on);
	pg_p_int(&p, f->updated_since_ms);
	if (f->limit)
		pg_p_int(&p, (int64_t)f->limit);
	else
		pg_p_text(&p, NULL);            /* LIMIT NULL: all */
	gw_rc rc = pg_run(&PGQ(q)->c, &st_list[f->with_bodies != 0][f->newest_first != 0], &p, &r);
	if (rc == GW_OK)
		rc = pgq_collect(r, out, n);
	PQclear(r);
	return rc;
}

struct seq_ctx {
	const char *name;
	uint64_t value;
};

static gw_rc
pgq_seq_body(struct pg_conn *c, void *arg)
{
	struct seq_ctx *x = arg;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_text(&p, x->name);
	gw_rc rc = pg_run(c, &st_seq, &p, &r);
	if (rc == GW_OK)
		x->value = PQntuples(r) == 1 ? (uint64_t)pg_col_int(r, 0, 0) : 0;
	PQclear(r);
	return rc == GW_OK && x->value == 0 ? GW_EINTERNAL : rc;
}

/* Durable named counter: the row lock makes it unique across workers. */
static gw_rc
pgq_next_seq(struct queue *q, const char *name, uint64_t *out)
{
	struct seq_ctx x = { name, 0 };
	gw_rc rc = pg_txn(&PGQ(q)->c, pgq_seq_body, &x);
	if (rc == GW_OK)
		*out = x.value;
	return rc;
}

/* Take over every message of state `from` that no live worker holds
 * (expired, no owner, or dead_owner's), moving it to `to` with an event
 * naming the previous owner; discard: drop the built bytes too. */
static gw_rc
pgq_recover_state(struct pg_conn *c, enum queue_state from, enum queue_state to, int64_t now,
                  const char *actor, const char *dead_owner, const char *why, int discard,
                  size_t *count)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	gw_rc rc;
	*count = 0;
	pg_p_text(&p, queue_state_name(from));
	pg_p_int(&p, now);
	pg_p_text(&p, dead_owner);
	if ((rc = pg_run(c, &st_orphans, &p, &r)) != GW_OK)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = PQgetvalue(r, i, 0), *owner = PQgetvalue(r, i, 1);
		char reason[QUEUE_OWNER_MAX + 600];
		snprintf(reason, sizeof reason, "%s (%s%s%s)", why,
		    owner[0] == '\0' ? "no owner" : "lease of ", owner,
		    owner[0] == '\0' ? "" : dead_owner != NULL && strcmp(owner, dead_owner) == 0
		    ? ", a worker that is gone" : ", expired");
		if ((rc = pgq_move(c, id, from, to, now, actor, reason, 0, NULL, 0)) != GW_OK)
			break;
		if (discard) {
			struct pg_params dp = { 0 };
			pg_p_text(&dp, id);
			if ((rc = pg_run(c, &st_discard, &dp, NULL)) != GW_OK)
				break;
		}
		(*count)++;
	}
	PQclear(r);
	return rc;
}

struct recover_ctx {
	const char *actor, *dead_owner;
	int64_t now;
	size_t nb, ns;
};

static gw_rc
pgq_recover_body(struct pg_conn *c, void *arg)
{
	struct recover_ctx *x = arg;
	gw_rc rc = pgq_recover_state(c, QS_BUILDING, QS_PENDING, x->now, x->actor, x->dead_owner,
	    "recovery: half-built message discarded, will be built again", 1, &x->nb);
	if (rc == GW_OK)
		rc = pgq_recover_state(c, QS_SENDING, QS_READY, x->now, x->actor, x->dead_owner,
		    "recovery: send outcome unknown; the other side will be asked before any re-send",
		    0, &x->ns);
	if (rc == GW_OK && x->dead_owner != NULL) {
		struct pg_params p = { 0 };
		pg_p_text(&p, x->dead_owner);
		rc = pg_run(c, &st_drop_named, &p, NULL);
	}
	return rc;
}

/* Takeover: half-built work discarded, unknown send outcomes made safe, for
 * every message no live worker holds. */
static gw_rc
pgq_recover(struct queue *q, const char *actor, const char *dead_owner, int64_t now_ms,
            size_t *n_building, size_t *n_sending)
{
	struct recover_ctx x = { actor, dead_owner, now_ms, 0, 0 };
	*n_building = *n_sending = 0;
	gw_rc rc = pg_txn(&PGQ(q)->c, pgq_recover_body, &x);
	if (rc == GW_OK) {
		*n_building = x.nb;
		*n_sending = x.ns;
	}
	return rc;
}

struct lease_ctx {
	const char *name, *owner;
	int64_t until, now;
	long changed;
};

static gw_rc
pgq_renew_body(struct pg_conn *c, void *arg)
{
	struct lease_ctx *x = arg;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_text(&p, x->owner);
	pg_p_int(&p, x->until);
	gw_rc rc = pg_run(c, &st_renew_msgs, &p, &r);
	x->changed = rc == GW_OK ? pg_changes(r) : 0;
	PQclear(r);
	return rc == GW_OK ? pg_run(c, &st_renew_named, &p, NULL) : rc;
}

/* Heartbeat: every lease of owner lasts until until_ms. */
static gw_rc
pgq_renew(struct queue *q, const char *owner, int64_t until_ms, size_t *n)
{
	struct lease_ctx x = { NULL, owner, until_ms, 0, 0 };
	if (n != NULL)
		*n = 0;
	if (owner == NULL || owner[0] == '\0')
		return GW_EINPUT;
	gw_rc rc = pg_txn(&PGQ(q)->c, pgq_renew_body, &x);
	if (rc == GW_OK && n != NULL)
		*n = (size_t)x.changed;
	return rc;
}

static gw_rc
pgq_named_body(struct pg_conn *c, void *arg)
{
	struct lease_ctx *x = arg;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_text(&p, x->name);
	pg_p_text(&p, x->owner);
	if (x->until != 0) {
		pg_p_int(&p, x->until);
		pg_p_int(&p, x->now);
	}
	gw_rc rc = pg_run(c, x->until == 0 ? &st_release : &st_take, &p, &r);
	x->changed = rc == GW_OK ? pg_changes(r) : 0;
	PQclear(r);
	return rc;
}

/* Named exclusive lease: take (free, expired or ours), or release (until 0). */
static gw_rc
pgq_lease_named(struct queue *q, const char *name, const char *owner, int64_t until_ms,
                int64_t now_ms, int *got)
{
	struct lease_ctx x = { name, owner, until_ms, now_ms, 0 };
	*got = 0;
	if (name == NULL || name[0] == '\0' || owner == NULL || owner[0] == '\0')
		return GW_EINPUT;
	gw_rc rc = pg_txn(&PGQ(q)->c, pgq_named_body, &x);
	if (rc == GW_OK)
		*got = x.changed > 0;
	return rc;
}

/* The server answers, the outbox is at this gateway's schema version, and
 * every message is in a state the gateway knows. */
static gw_rc
pgq_check(struct queue *q, char *errbuf, size_t errcap)
{
	struct pg_conn *c = &PGQ(q)->c;
	PGresult *r = NULL;
	gw_rc rc = pg_run(c, &st_check, NULL, &r);
	if (rc != GW_OK) {
		snprintf(errbuf, errcap, "%s", c->errmsg);
		return rc;
	}
	long bad = (long)pg_col_int(r, 0, 0);
	PQclear(r);
	if (bad != 0) {
		snprintf(errbuf, errcap, "%ld messages in an unknown state", bad);
		return GW_EIO;
	}
	snprintf(errbuf, errcap, "ok");
	return GW_OK;
}

static void
pgq_close(struct queue *q)
{
	struct pgq *s = PGQ(q);
	if (s == NULL)
		return;
	if (s->base.store != NULL && s->base.store_detach != NULL)
		s->base.store_detach(s->base.store);
	pg_conn_close(&s->c);
	free(s);
}

/* Connect and migrate; refuses a schema newer than this gateway. */
static gw_rc
pgq_open(struct queue **qp, const char *dsn, char *errbuf, size_t errcap)
{
	struct pgq *s = calloc(1, sizeof *s);
	char shown[300], why[512];
	gw_rc rc;
	*qp = NULL;
	pgq_redact(dsn, shown, sizeof shown);
	if (s == NULL) {
		snprintf(errbuf, errcap, "queue %s: out of memory", shown);
		return GW_ENOMEM;
	}
	s->base.ops = &queue_postgres_ops;
	if (snprintf(s->c.dsn, sizeof s->c.dsn, "%s", dsn) >= (int)sizeof s->c.dsn) {
		snprintf(errbuf, errcap, "queue %s: [queue] dsn is too long", shown);
		free(s);
		return GW_ECONFIG;
	}
	s->c.seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)s;
	if ((rc = pg_conn_ensure(&s->c, why, sizeof why)) != GW_OK ||
	    (rc = pg_migrate(&s->c, "outbox", pgq_steps, sizeof pgq_steps / sizeof pgq_steps[0],
	    why, sizeof why)) != GW_OK) {
		snprintf(errbuf, errcap, "queue %s: %s", shown, why);
		pgq_close(&s->base);
		return rc;
	}
	*qp = &s->base;
	return GW_OK;
}

struct pg_conn *
queue_pg_conn(struct queue *q)
{
	return q != NULL && q->ops == &queue_postgres_ops ? &PGQ(q)->c : NULL;
}

const struct queue_ops queue_postgres_ops = {
	.name = "postgres",
	.open = pgq_open,
	.close = pgq_close,
	.enqueue_each = pgq_enqueue_each,
	.get = pgq_get,
	.list = pgq_list,
	.claim = pgq_claim,
	.move_many = pgq_move_many,
	.recover = pgq_recover,
	.renew = pgq_renew,
	.lease_named = pgq_lease_named,
	.history = pgq_history,
	.stats = pgq_stats,
	.next_seq = pgq_next_seq,
	.check = pgq_check,
	.forget_content = pgq_forget_content,
};

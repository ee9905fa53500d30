/*
 * store/postgres.c - the PostgreSQL backend of the record store (store.h).
 *
 * Owns the store's tables in the outbox's database (records, worker_days,
 * run_members, filed_sets, perm_ids, as4_inbound, intake_rejections), created by versioned
 * migrations of the component "store" (queue/pg_schema.c). Every unit of
 * work is ONE transaction of the queue's connection (queue/postgres_db.h),
 * messages included, run again from the start on a serialization failure
 * or deadlock. Never lowers a record's highest revision: the upsert only
 * raises it, whichever worker commits first.
 */
#include "store/store.h"
#include "queue/postgres_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pst {
	struct store base;              /* must stay first */
	struct pg_conn *c;
};

static struct pst *PST(struct store *st) { return (struct pst *)st; }

static const char *const pst_steps[] = {
	"CREATE TABLE records(record_id text PRIMARY KEY, revision bigint NOT NULL,"
	" hash text NOT NULL, updated_ms bigint NOT NULL, payload text);"
	"CREATE TABLE worker_days(employer text NOT NULL, worker text NOT NULL,"
	" day integer NOT NULL, record_id text NOT NULL,"
	" PRIMARY KEY(employer, worker, day, record_id));"
	"CREATE TABLE run_members(record_id text NOT NULL, revision bigint NOT NULL,"
	" msg_id text NOT NULL, head integer NOT NULL, why text NOT NULL,"
	" PRIMARY KEY(record_id, revision));"
	"CREATE INDEX run_members_msg ON run_members(msg_id, record_id);"
	"CREATE TABLE filed_sets(key text NOT NULL, msg_id text NOT NULL, json text NOT NULL,"
	" seq bigserial PRIMARY KEY, UNIQUE(key, msg_id));"
	"CREATE TABLE perm_ids(msg_id text PRIMARY KEY, name text NOT NULL, hash text NOT NULL,"
	" body bytea NOT NULL);"
	/* The second key is the business document's identity: a new
	 * MessageId for it is a duplicate too. */
	"CREATE TABLE as4_inbound(message_id text PRIMARY KEY, sender text NOT NULL,"
	" instance_id text NOT NULL, file text NOT NULL, hash text NOT NULL,"
	" document bytea NOT NULL, receipt bytea NOT NULL, received_ms bigint NOT NULL,"
	" UNIQUE(sender, instance_id));",
	/* 2: the received message's envelope (the monthly reports read it),
	 * and the records refused at intake (history, never updated). */
	"ALTER TABLE as4_inbound ADD COLUMN meta text;"
	"CREATE TABLE intake_rejections(record_id text NOT NULL, file text NOT NULL,"
	" line bigint NOT NULL, field text NOT NULL, reason text NOT NULL, at_ms bigint NOT NULL,"
	" seq bigserial PRIMARY KEY, UNIQUE(record_id, file, line, field, reason, at_ms));"
	"CREATE INDEX intake_rejections_rec ON intake_rejections(record_id, at_ms);",
};

static const struct pg_stmt
	st_rev_get = { "gs_rev_get", "SELECT revision, hash, payload FROM records WHERE record_id=$1" },
	/* Raise only; the payload of the same revision survives a write without one. */
	st_rev_put = { "gs_rev_put", "INSERT INTO records(record_id, revision, hash, updated_ms,"
	    " payload) VALUES($1,$2,$3,$4,$5) ON CONFLICT(record_id) DO UPDATE SET"
	    " revision=excluded.revision, hash=excluded.hash, updated_ms=excluded.updated_ms,"
	    " payload=CASE WHEN excluded.payload IS NOT NULL THEN excluded.payload"
	    " WHEN excluded.revision = records.revision THEN records.payload END"
	    " WHERE excluded.revision >= records.revision" },
	st_day_put = { "gs_day_put", "INSERT INTO worker_days(employer, worker, day, record_id)"
	    " VALUES($1,$2,$3,$4) ON CONFLICT DO NOTHING" },
	st_run_put = { "gs_run_put", "INSERT INTO run_members(record_id, revision, msg_id, head,"
	    " why) VALUES($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING" },
	st_filed_put = { "gs_filed_put", "INSERT INTO filed_sets(key, msg_id, json)"
	    " VALUES($1,$2,$3) ON CONFLICT DO NOTHING" },
	st_perm_put = { "gs_perm_put", "INSERT INTO perm_ids(msg_id, name, hash, body)"
	    " VALUES($1,$2,$3,$4) ON CONFLICT DO NOTHING" },
	st_in_put = { "gs_in_put", "INSERT INTO as4_inbound(message_id, sender, instance_id,"
	    " file, hash, document, receipt, received_ms, meta) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)"
	    " ON CONFLICT DO NOTHING" },
	st_in_list = { "gs_in_list", "SELECT message_id, sender, instance_id, file, hash, document,"
	    " received_ms, meta FROM as4_inbound WHERE received_ms >= $1 AND received_ms < $2"
	    " ORDER BY received_ms, message_id" },
	st_rej_put = { "gs_rej_put", "INSERT INTO intake_rejections(record_id, file, line, field,"
	    " reason, at_ms) VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING" },
	/* LIMIT NULL is no limit. */
	st_rej_list = { "gs_rej_list", "SELECT record_id, file, line, field, reason, at_ms FROM"
	    " intake_rejections WHERE ($1::text IS NULL OR record_id = $1::text) AND at_ms >= $2"
	    " ORDER BY at_ms DESC, seq DESC LIMIT $3" },
	st_revs = { "gs_revs", "SELECT record_id, revision, hash, payload FROM records"
	    " WHERE left(record_id, length($1::text)) = $1::text AND payload IS NOT NULL ORDER BY record_id" },
	st_days = { "gs_days", "SELECT day, record_id FROM worker_days WHERE employer=$1"
	    " AND worker=$2 AND day BETWEEN $3 AND $4 ORDER BY day, record_id" },
	st_run_get = { "gs_run_get", "SELECT record_id, revision, msg_id, head, why FROM"
	    " run_members WHERE record_id=$1 ORDER BY revision DESC LIMIT 1" },
	st_run_members = { "gs_run_members", "SELECT record_id, revision, msg_id, head, why FROM"
	    " run_members WHERE msg_id=$1 ORDER BY record_id, revision" },
	st_filed_get = { "gs_filed_get", "SELECT msg_id, json FROM filed_sets WHERE key=$1"
	    " ORDER BY seq DESC LIMIT 1" },
	st_perm_get = { "gs_perm_get", "SELECT name, hash, body FROM perm_ids WHERE msg_id=$1" },
	/* The MessageId first: that row's receipt is the one answered again. */
	st_in_get = { "gs_in_get", "SELECT message_id, sender, instance_id, file, hash, document,"
	    " receipt, received_ms FROM as4_inbound WHERE message_id=$1 OR (sender=$2 AND"
	    " instance_id=$3) ORDER BY message_id=$1 DESC LIMIT 1" };

static void
pst_detach(struct store *base)
{
	struct pst *s = PST(base);
	if (s == NULL)
		return;
	if (s->base.q != NULL && s->base.q->store == base) {
		s->base.q->store = NULL;
		s->base.q->store_detach = NULL;
	}
	free(s);
}

gw_rc
store_postgres_attach(struct queue *q, struct store **out)
{
	struct pg_conn *c = queue_pg_conn(q);
	char why[512];
	gw_rc rc;
	*out = NULL;
	if (c == NULL)
		return GW_ECONFIG;
	if ((rc = pg_migrate(c, "store", pst_steps, sizeof pst_steps / sizeof pst_steps[0], why,
	    sizeof why)) != GW_OK)
		return rc;
	struct pst *s = calloc(1, sizeof *s);
	if (s == NULL)
		return GW_ENOMEM;
	s->base.ops = &store_postgres_ops;
	s->base.q = q;
	s->c = c;
	q->store = &s->base;
	q->store_detach = pst_detach;
	*out = &s->base;
	return GW_OK;
}

/* Run one statement; *changed (may be NULL) gets the affected rows. */
static gw_rc
pst_put(struct pg_conn *c, const struct pg_stmt *st, const struct pg_params *p, long *changed)
{
	PGresult *r = NULL;
	gw_rc rc = pg_run(c, st, p, &r);
	if (rc == GW_OK && changed != NULL)
		*changed = pg_changes(r);
	PQclear(r);
	return rc;
}

/* Highest revision of a record (inside or outside a transaction). */
static gw_rc
pst_rev_get(struct pg_conn *c, const char *record_id, int with_payload,
            struct store_revision *out)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	pg_p_text(&p, record_id);
	gw_rc rc = pg_run(c, &st_rev_get, &p, &r);
	if (rc == GW_OK && PQntuples(r) == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK) {
		snprintf(out->record_id, sizeof out->record_id, "%s", record_id);
		out->revision = (uint32_t)pg_col_int(r, 0, 0);
		pg_col_text(r, 0, 1, out->hash, sizeof out->hash);
		if (with_payload)
			rc = pg_col_bytes(r, 0, 2, 0, &out->payload, NULL);
	}
	PQclear(r);
	return rc;
}

static gw_rc
pst_revision_get(struct store *base, const char *record_id, int with_payload,
                 struct store_revision *out)
{
	return pst_rev_get(PST(base)->c, record_id, with_payload, out);
}

struct unit_ctx {
	struct store_unit *u;
	int64_t now;
};

/* The unit's messages, inside the transaction: a stale revision is a duplicate. */
static gw_rc
pst_write_msgs(struct pg_conn *c, struct store_unit *u, int64_t now)
{
	for (size_t i = 0; i < u->nmsgs; i++) {
		struct queue_msg *m = &u->msgs[i];
		int d = 0;
		gw_rc rc;
		if (m->payload != NULL) {
			struct store_revision have;
			rc = pst_rev_get(c, m->record_id, 0, &have);
			if (rc != GW_OK && rc != GW_ENOTFOUND)
				return rc;
			d = rc == GW_OK && have.revision > m->revision; /* an old revision replayed */
		}
		if (!d && (rc = queue_pg_insert(c, m, now, &d)) != GW_OK)
			return rc;
		if (u->dup != NULL)
			u->dup[i] = (unsigned char)d;
	}
	return GW_OK;
}

/* Every row of the unit, inside the transaction. */
static gw_rc
pst_unit_body(struct pg_conn *c, void *arg)
{
	struct unit_ctx *x = arg;
	struct store_unit *u = x->u;
	gw_rc rc;
	u->dup_inbound = 0;
	if ((rc = pst_write_msgs(c, u, x->now)) != GW_OK)
		return rc;
	for (size_t i = 0; i < u->nrevs; i++) {
		struct pg_params p = { 0 };
		pg_p_text(&p, u->revs[i].record_id);
		pg_p_int(&p, u->revs[i].revision);
		pg_p_text(&p, u->revs[i].hash);
		pg_p_int(&p, x->now);
		pg_p_text(&p, u->revs[i].payload);
		if ((rc = pst_put(c, &st_rev_put, &p, NULL)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->ndays; i++) {
		struct pg_params p = { 0 };
		pg_p_text(&p, u->days[i].employer);
		pg_p_text(&p, u->days[i].worker);
		pg_p_int(&p, u->days[i].day);
		pg_p_text(&p, u->days[i].record_id);
		if ((rc = pst_put(c, &st_day_put, &p, NULL)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->nruns; i++) {
		struct pg_params p = { 0 };
		pg_p_text(&p, u->runs[i].record_id);
		pg_p_int(&p, u->runs[i].revision);
		pg_p_text(&p, u->runs[i].msg_id);
		pg_p_int(&p, u->runs[i].head != 0);
		pg_p_text(&p, u->runs[i].why);
		if ((rc = pst_put(c, &st_run_put, &p, NULL)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->nfiled; i++) {
		struct pg_params p = { 0 };
		if (u->filed[i].json == NULL)
			return GW_EINPUT;
		pg_p_text(&p, u->filed[i].key);
		pg_p_text(&p, u->filed[i].msg_id);
		pg_p_text(&p, u->filed[i].json);
		if ((rc = pst_put(c, &st_filed_put, &p, NULL)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->nperm; i++) {
		struct pg_params p = { 0 };
		if (u->perm[i].body == NULL)
			return GW_EINPUT;
		pg_p_text(&p, u->perm[i].msg_id);
		pg_p_text(&p, u->perm[i].name);
		pg_p_text(&p, u->perm[i].hash);
		pg_p_bytes(&p, u->perm[i].body, u->perm[i].body_len);
		if ((rc = pst_put(c, &st_perm_put, &p, NULL)) != GW_OK)
			return rc;
	}
	for (size_t i = 0; i < u->ninbound; i++) {
		const struct store_inbound *in = &u->inbound[i];
		struct pg_params p = { 0 };
		long changed = 0;
		if (in->document == NULL || in->receipt == NULL)
			return GW_EINPUT;
		pg_p_text(&p, in->message_id);
		pg_p_text(&p, in->sender);
		pg_p_text(&p, in->instance_id);
		pg_p_text(&p, in->file);
		pg_p_text(&p, in->hash);
		pg_p_bytes(&p, in->document, in->document_len);
		pg_p_bytes(&p, in->receipt, in->receipt_len);
		pg_p_int(&p, in->received_ms ? in->received_ms : x->now);
		pg_p_text(&p, in->meta);
		if ((rc = pst_put(c, &st_in_put, &p, &changed)) != GW_OK)
			return rc;
		if (changed == 0)
			u->dup_inbound = 1;     /* either key was already there: never a second row */
	}
	return GW_OK;
}

static gw_rc
pst_commit(struct store *base, struct store_unit *u)
{
	struct unit_ctx x = { u, queue_now_ms() };
	if (u->nmsgs + u->nrevs + u->ndays + u->nruns + u->nfiled + u->nperm + u->ninbound == 0)
		return GW_OK;
	return pg_txn(PST(base)->c, pst_unit_body, &x);
}

/* Run a one-parameter select (or more: p) and hand its result over. */
static gw_rc
pst_select(struct store *base, const struct pg_stmt *st, const struct pg_params *p,
           PGresult **r)
{
	return pg_run(PST(base)->c, st, p, r);
}

static gw_rc
pst_revisions_list(struct store *base, const char *prefix, struct store_revision **out,
                   size_t *n)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*out = NULL;
	*n = 0;
	pg_p_text(&p, prefix);
	gw_rc rc = pst_select(base, &st_revs, &p, &r);
	int rows = rc == GW_OK ? PQntuples(r) : 0;
	if (rows > 0 && (*out = calloc((size_t)rows, sizeof **out)) == NULL)
		rc = GW_ENOMEM;
	for (int i = 0; rc == GW_OK && i < rows; i++) {
		struct store_revision *x = &(*out)[i];
		pg_col_text(r, i, 0, x->record_id, sizeof x->record_id);
		x->revision = (uint32_t)pg_col_int(r, i, 1);
		pg_col_text(r, i, 2, x->hash, sizeof x->hash);
		(*n)++;
		rc = pg_col_bytes(r, i, 3, 0, &x->payload, NULL);
	}
	PQclear(r);
	if (rc != GW_OK) {
		store_revisions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static gw_rc
pst_days_get(struct store *base, const char *employer, const char *worker, int32_t from,
             int32_t to, struct store_day **out, size_t *n)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*out = NULL;
	*n = 0;
	pg_p_text(&p, employer);
	pg_p_text(&p, worker);
	pg_p_int(&p, from);
	pg_p_int(&p, to);
	gw_rc rc = pst_select(base, &st_days, &p, &r);
	int rows = rc == GW_OK ? PQntuples(r) : 0;
	if (rows > 0 && (*out = calloc((size_t)rows, sizeof **out)) == NULL)
		rc = GW_ENOMEM;
	for (int i = 0; rc == GW_OK && i < rows; i++) {
		struct store_day *x = &(*out)[i];
		snprintf(x->employer, sizeof x->employer, "%s", employer);
		snprintf(x->worker, sizeof x->worker, "%s", worker);
		x->day = (int32_t)pg_col_int(r, i, 0);
		pg_col_text(r, i, 1, x->record_id, sizeof x->record_id);
		(*n)++;
	}
	PQclear(r);
	if (rc != GW_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Run members selected by st (one text parameter), into *out. */
static gw_rc
pst_runs(struct store *base, const struct pg_stmt *st, const char *arg,
         struct store_run_member **out, size_t *n)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*out = NULL;
	*n = 0;
	pg_p_text(&p, arg);
	gw_rc rc = pst_select(base, st, &p, &r);
	int rows = rc == GW_OK ? PQntuples(r) : 0;
	if (rows > 0 && (*out = calloc((size_t)rows, sizeof **out)) == NULL)
		rc = GW_ENOMEM;
	for (int i = 0; rc == GW_OK && i < rows; i++) {
		struct store_run_member *x = &(*out)[i];
		pg_col_text(r, i, 0, x->record_id, sizeof x->record_id);
		x->revision = (uint32_t)pg_col_int(r, i, 1);
		pg_col_text(r, i, 2, x->msg_id, sizeof x->msg_id);
		x->head = (int)pg_col_int(r, i, 3);
		pg_col_text(r, i, 4, x->why, sizeof x->why);
		(*n)++;
	}
	PQclear(r);
	if (rc != GW_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static gw_rc
pst_run_get(struct store *base, const char *record_id, struct store_run_member *out)
{
	struct store_run_member *v = NULL;
	size_t n = 0;
	gw_rc rc = pst_runs(base, &st_run_get, record_id, &v, &n);
	if (rc == GW_OK && n == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK)
		*out = v[0];
	free(v);
	return rc;
}

static gw_rc
pst_run_members(struct store *base, const char *msg_id, struct store_run_member **out,
                size_t *n)
{
	return pst_runs(base, &st_run_members, msg_id, out, n);
}

static gw_rc
pst_filed_get(struct store *base, const char *key, struct store_filed *out)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	pg_p_text(&p, key);
	gw_rc rc = pst_select(base, &st_filed_get, &p, &r);
	if (rc == GW_OK && PQntuples(r) == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK) {
		snprintf(out->key, sizeof out->key, "%s", key);
		pg_col_text(r, 0, 0, out->msg_id, sizeof out->msg_id);
		rc = pg_col_bytes(r, 0, 1, 0, &out->json, NULL);
	}
	PQclear(r);
	return rc;
}

static gw_rc
pst_perm_get(struct store *base, const char *msg_id, struct store_perm_ids *out)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	pg_p_text(&p, msg_id);
	gw_rc rc = pst_select(base, &st_perm_get, &p, &r);
	if (rc == GW_OK && PQntuples(r) == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK) {
		snprintf(out->msg_id, sizeof out->msg_id, "%s", msg_id);
		pg_col_text(r, 0, 0, out->name, sizeof out->name);
		pg_col_text(r, 0, 1, out->hash, sizeof out->hash);
		rc = pg_col_bytes(r, 0, 2, 1, &out->body, &out->body_len);
	}
	PQclear(r);
	return rc;
}

static gw_rc
pst_inbound_get(struct store *base, const char *message_id, const char *sender,
                const char *instance_id, struct store_inbound *out)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	pg_p_text(&p, message_id);
	pg_p_text(&p, sender);
	pg_p_text(&p, instance_id);
	gw_rc rc = pst_select(base, &st_in_get, &p, &r);
	if (rc == GW_OK && PQntuples(r) == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK) {
		pg_col_text(r, 0, 0, out->message_id, sizeof out->message_id);
		pg_col_text(r, 0, 1, out->sender, sizeof out->sender);
		pg_col_text(r, 0, 2, out->instance_id, sizeof out->instance_id);
		pg_col_text(r, 0, 3, out->file, sizeof out->file);
		pg_col_text(r, 0, 4, out->hash, sizeof out->hash);
		out->received_ms = pg_col_int(r, 0, 7);
		rc = pg_col_bytes(r, 0, 5, 1, &out->document, &out->document_len);
		if (rc == GW_OK)
			rc = pg_col_bytes(r, 0, 6, 1, &out->receipt, &out->receipt_len);
		if (rc != GW_OK)
			store_inbound_free(out);
	}
	PQclear(r);
	return rc;
}

static gw_rc
pst_inbound_list(struct store *base, int64_t from_ms, int64_t to_ms,
                 gw_rc (*fn)(void *arg, const struct store_inbound *row), void *arg)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_int(&p, from_ms);
	pg_p_int(&p, to_ms);
	gw_rc rc = pst_select(base, &st_in_list, &p, &r);
	int rows = rc == GW_OK ? PQntuples(r) : 0;
	for (int i = 0; rc == GW_OK && i < rows; i++) {
		struct store_inbound row;
		memset(&row, 0, sizeof row);
		pg_col_text(r, i, 0, row.message_id, sizeof row.message_id);
		pg_col_text(r, i, 1, row.sender, sizeof row.sender);
		pg_col_text(r, i, 2, row.instance_id, sizeof row.instance_id);
		pg_col_text(r, i, 3, row.file, sizeof row.file);
		pg_col_text(r, i, 4, row.hash, sizeof row.hash);
		row.received_ms = pg_col_int(r, i, 6);
		/* The meta text points into the result; the document is decoded. */
		row.meta = PQgetisnull(r, i, 7) ? NULL : PQgetvalue(r, i, 7);
		if ((rc = pg_col_bytes(r, i, 5, 1, &row.document, &row.document_len)) != GW_OK)
			break;
		rc = fn(arg, &row);
		free(row.document);
	}
	PQclear(r);
	return rc;
}

struct rej_ctx {
	const struct store_rejection *r;
	size_t n;
};

/* The rejections, inside their transaction. */
static gw_rc
pst_rej_body(struct pg_conn *c, void *arg)
{
	const struct rej_ctx *x = arg;
	gw_rc rc = GW_OK;
	for (size_t i = 0; rc == GW_OK && i < x->n; i++) {
		struct pg_params p = { 0 };
		pg_p_text(&p, x->r[i].record_id);
		pg_p_text(&p, x->r[i].file);
		pg_p_int(&p, x->r[i].line);
		pg_p_text(&p, x->r[i].field);
		pg_p_text(&p, x->r[i].reason);
		pg_p_int(&p, x->r[i].at_ms);
		rc = pst_put(c, &st_rej_put, &p, NULL);
	}
	return rc;
}

static gw_rc
pst_rejections_put(struct store *base, const struct store_rejection *r, size_t n)
{
	struct rej_ctx x = { r, n };
	if (n == 0)
		return GW_OK;
	return pg_txn(PST(base)->c, pst_rej_body, &x);
}

static gw_rc
pst_rejections_list(struct store *base, const char *record_id, int64_t since_ms, size_t limit,
                    struct store_rejection **out, size_t *n)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*out = NULL;
	*n = 0;
	pg_p_text(&p, record_id);
	pg_p_int(&p, since_ms);
	if (limit > 0)
		pg_p_int(&p, (int64_t)limit);
	else
		pg_p_text(&p, NULL);
	gw_rc rc = pst_select(base, &st_rej_list, &p, &r);
	int rows = rc == GW_OK ? PQntuples(r) : 0;
	if (rc == GW_OK && rows > 0 && (*out = calloc((size_t)rows, sizeof **out)) == NULL)
		rc = GW_ENOMEM;
	for (int i = 0; rc == GW_OK && i < rows; i++) {
		struct store_rejection *v = &(*out)[i];
		pg_col_text(r, i, 0, v->record_id, sizeof v->record_id);
		pg_col_text(r, i, 1, v->file, sizeof v->file);
		v->line = (uint32_t)pg_col_int(r, i, 2);
		pg_col_text(r, i, 3, v->field, sizeof v->field);
		pg_col_text(r, i, 4, v->reason, sizeof v->reason);
		v->at_ms = pg_col_int(r, i, 5);
	}
	if (rc == GW_OK)
		*n = (size_t)rows;
	PQclear(r);
	return rc;
}

const struct store_ops store_postgres_ops = {
	.name = "postgres",
	.detach = pst_detach,
	.commit = pst_commit,
	.revision_get = pst_revision_get,
	.revisions_list = pst_revisions_list,
	.days_get = pst_days_get,
	.run_get = pst_run_get,
	.run_members = pst_run_members,
	.filed_get = pst_filed_get,
	.perm_get = pst_perm_get,
	.inbound_get = pst_inbound_get,
	.inbound_list = pst_inbound_list,
	.rejections_put = pst_rejections_put,
	.rejections_list = pst_rejections_list,
};

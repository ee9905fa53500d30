/*
 * queue/pg_conn.c - the PostgreSQL connection of the outbox and the record
 * store: connecting and reconnecting, statements prepared once per
 * connection, the mapping of server errors to the gateway's vocabulary,
 * and the transaction runner with bounded retries.
 *
 * Owns the libpq connection. A connection lost mid-call is closed here and
 * the call fails with GW_ETEMP (the server rolls the open transaction
 * back: nothing of it stays); the next call connects again and prepares
 * its statements again. Must never read the clock (the retry jitter is a
 * random sleep) and never retry anything but a serialization failure or a
 * deadlock: those the server guarantees undone.
 */
#include "queue/postgres_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_TXN_TRIES 16

void
pg_p_text(struct pg_params *p, const char *s)
{
	if (p->n >= PG_MAXP)
		return;
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void
pg_p_int(struct pg_params *p, int64_t v)
{
	if (p->n >= PG_MAXP)
		return;
	snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
	pg_p_text(p, p->num[p->n]);
}

void
pg_p_bytes(struct pg_params *p, const void *b, size_t len)
{
	if (p->n >= PG_MAXP)
		return;
	p->v[p->n] = b;
	p->len[p->n] = (int)len;
	p->fmt[p->n] = b != NULL;   /* binary: the exact bytes, no escaping */
	p->n++;
}

/* Drop a connection that is gone; its prepared statements go with it. */
static void
pg_conn_drop(struct pg_conn *c)
{
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
	c->nprepared = 0;
	c->in_txn = 0;
}

void
pg_conn_close(struct pg_conn *c)
{
	pg_conn_drop(c);
}

/* The server's notices (a table already there ...) are not the operator's business. */
static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

gw_rc
pg_conn_ensure(struct pg_conn *c, char *errbuf, size_t errcap)
{
	if (c->conn != NULL && PQstatus(c->conn) == CONNECTION_OK)
		return GW_OK;
	pg_conn_drop(c);
	c->conn = PQconnectdb(c->dsn);
	if (c->conn == NULL || PQstatus(c->conn) != CONNECTION_OK) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s",
		    c->conn != NULL ? PQerrorMessage(c->conn) : "out of memory");
		c->errmsg[strcspn(c->errmsg, "\n")] = '\0';
		if (errbuf != NULL)
			snprintf(errbuf, errcap, "cannot connect: %s", c->errmsg);
		pg_conn_drop(c);
		return GW_ETEMP;
	}
	PQsetNoticeProcessor(c->conn, pg_quiet, NULL);
	/* An acknowledged intake must be on the server's disk: whatever the
	 * server's default, this session waits for the WAL flush. */
	PGresult *r = PQexec(c->conn, "SET synchronous_commit = on");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s", PQerrorMessage(c->conn));
		if (errbuf != NULL)
			snprintf(errbuf, errcap, "cannot set synchronous_commit: %s", c->errmsg);
		pg_conn_drop(c);
		return GW_ETEMP;
	}
	return GW_OK;
}

/* Map a failed result (or none) to a gw_rc; a dead connection is dropped. */
static gw_rc
pg_fail(struct pg_conn *c, PGresult *r)
{
	const char *st = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", st != NULL ? st : "");
	snprintf(c->errmsg, sizeof c->errmsg, "%s",
	    r != NULL && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) :
	    c->conn != NULL ? PQerrorMessage(c->conn) : "no connection");
	c->errmsg[strcspn(c->errmsg, "\n")] = '\0';
	if (c->conn == NULL || PQstatus(c->conn) != CONNECTION_OK) {
		pg_conn_drop(c);
		return GW_ETEMP;
	}
	if (st == NULL)
		return GW_EIO;
	/* 08: connection; 40001/40P01: retry; 53: out of disk or memory
	 * on the server; 57P: shutting down or starting. */
	if (strncmp(st, "08", 2) == 0 || strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strncmp(st, "53", 2) == 0 || strncmp(st, "57P", 3) == 0)
		return GW_ETEMP;
	if (strcmp(st, "23505") == 0)
		return GW_EDUP;
	return GW_EIO;
}

/* Prepare st on this connection unless it already is. */
static gw_rc
pg_prepare(struct pg_conn *c, const struct pg_stmt *st)
{
	for (size_t i = 0; i < c->nprepared; i++)
		if (c->prepared[i] == st)
			return GW_OK;
	if (c->nprepared == sizeof c->prepared / sizeof c->prepared[0])
		return GW_EINTERNAL;
	PGresult *r = PQprepare(c->conn, st->name, st->sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		gw_rc rc = pg_fail(c, r);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	c->prepared[c->nprepared++] = st;
	return GW_OK;
}

gw_rc
pg_run(struct pg_conn *c, const struct pg_stmt *st, const struct pg_params *p, PGresult **res)
{
	gw_rc rc;
	if (res != NULL)
		*res = NULL;
	c->sqlstate[0] = '\0';
	/* Inside a transaction a lost connection is final for it: never
	 * reconnect half-way and go on as if the first half were there. */
	if (c->conn == NULL && c->in_txn)
		return GW_ETEMP;
	if ((rc = pg_conn_ensure(c, NULL, 0)) != GW_OK || (rc = pg_prepare(c, st)) != GW_OK)
		return rc;
	static const struct pg_params none;
	if (p == NULL)
		p = &none;
	PGresult *r = PQexecPrepared(c->conn, st->name, p->n, p->v, p->len, p->fmt, 0);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		rc = pg_fail(c, r);
		PQclear(r);
		return rc;
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return GW_OK;
}

gw_rc
pg_exec(struct pg_conn *c, const char *sql)
{
	gw_rc rc;
	c->sqlstate[0] = '\0';
	if (c->conn == NULL && c->in_txn)
		return GW_ETEMP;
	if ((rc = pg_conn_ensure(c, NULL, 0)) != GW_OK)
		return rc;
	PGresult *r = PQexec(c->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? GW_OK : pg_fail(c, r);
	PQclear(r);
	return rc;
}

long
pg_changes(PGresult *r)
{
	const char *t = PQcmdTuples(r);
	return t != NULL && t[0] ? strtol(t, NULL, 10) : 0;
}

/* Whether the last failure is one the server undid and asks us to retry. */
static int
pg_retryable(const struct pg_conn *c)
{
	return strcmp(c->sqlstate, "40001") == 0 || strcmp(c->sqlstate, "40P01") == 0;
}

/* A random pause before a retry, its range doubling with each attempt
 * (2 ms up to 256 ms), so that two workers that collided drift apart
 * instead of colliding again in step. */
static void
pg_jitter(struct pg_conn *c, int attempt)
{
	long range_ms = 2L << (attempt < 7 ? attempt : 7);
	long ms = 1 + (long)(rand_r(&c->seed) % (unsigned)range_ms);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

gw_rc
pg_txn(struct pg_conn *c, gw_rc (*fn)(struct pg_conn *c, void *ctx), void *ctx)
{
	gw_rc rc = GW_ETEMP;
	for (int attempt = 0; attempt < PG_TXN_TRIES; attempt++) {
		if ((rc = pg_exec(c, "BEGIN")) != GW_OK)
			return rc;
		c->in_txn = 1;
		rc = fn(c, ctx);
		if (rc == GW_OK)
			rc = pg_exec(c, "COMMIT");
		int retry = rc != GW_OK && pg_retryable(c);
		if (rc != GW_OK && c->conn != NULL) {
			char keep[6];
			memcpy(keep, c->sqlstate, sizeof keep);
			pg_exec(c, "ROLLBACK");      /* after a failed COMMIT: a harmless no-op */
			memcpy(c->sqlstate, keep, sizeof keep);
		}
		c->in_txn = 0;
		if (!retry)
			return rc;
		pg_jitter(c, attempt);
	}
	return rc;
}

void
pg_col_text(PGresult *r, int row, int col, char *dst, size_t cap)
{
	snprintf(dst, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

int64_t
pg_col_int(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

gw_rc
pg_col_bytes(PGresult *r, int row, int col, int bytea, char **out, size_t *len)
{
	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (PQgetisnull(r, row, col))
		return GW_OK;
	size_t n = 0;
	unsigned char *raw = NULL;
	const char *src = PQgetvalue(r, row, col);
	if (bytea) {
		if ((raw = PQunescapeBytea((const unsigned char *)src, &n)) == NULL)
			return GW_ENOMEM;
		src = (const char *)raw;
	} else {
		n = (size_t)PQgetlength(r, row, col);
	}
	if ((*out = malloc(n + 1)) != NULL) {
		memcpy(*out, src, n);
		(*out)[n] = '\0';
	}
	if (raw != NULL)
		PQfreemem(raw);
	if (*out == NULL)
		return GW_ENOMEM;
	if (len != NULL)
		*len = n;
	return GW_OK;
}

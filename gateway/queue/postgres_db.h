/*
 * queue/postgres_db.h - what the PostgreSQL outbox shares with the
 * PostgreSQL record store (store/postgres.c), and with nothing else: the
 * one connection (reconnected on the next call after a loss), statements
 * prepared once per connection, the transaction runner that retries
 * serialization failures and deadlocks, the versioned migrations and the
 * insert of a message inside a transaction.
 */
#ifndef GW_QUEUE_POSTGRES_DB_H
#define GW_QUEUE_POSTGRES_DB_H

#include <libpq-fe.h>
#include "queue/queue.h"

/* A statement prepared once per connection under its name. */
struct pg_stmt {
	const char *name;
	const char *sql;
};

/* Parameters of one call, as text (or bytes for bytea), bounded. */
#define PG_MAXP 24
struct pg_params {
	const char *v[PG_MAXP];
	int len[PG_MAXP], fmt[PG_MAXP];
	char num[PG_MAXP][24];
	int n;
};
void pg_p_text(struct pg_params *p, const char *s);        /* NULL: SQL NULL */
void pg_p_int(struct pg_params *p, int64_t v);
void pg_p_bytes(struct pg_params *p, const void *b, size_t len); /* NULL: SQL NULL */

/* The connection state a PostgreSQL queue keeps (queue/pg_conn.c). */
struct pg_conn {
	PGconn *conn;                   /* NULL after a loss: reconnected on the next call */
	char dsn[1024];
	const struct pg_stmt *prepared[64];   /* prepared on this connection */
	size_t nprepared;
	char sqlstate[6];               /* of the last failure, "" when none */
	char errmsg[256];
	int in_txn;
	unsigned seed;                  /* retry jitter */
};

/* Connect (or reconnect) when there is no live connection; GW_ETEMP when
 * the server cannot be reached, errbuf says why. */
gw_rc pg_conn_ensure(struct pg_conn *c, char *errbuf, size_t errcap);
void pg_conn_close(struct pg_conn *c);
/* Run st with p; *res (may be NULL: cleared) gets the result of a
 * statement that succeeded. The failure is mapped: connection lost,
 * serialization, deadlock, server out of space or shutting down:
 * GW_ETEMP; unique violation: GW_EDUP; anything else GW_EIO. */
gw_rc pg_run(struct pg_conn *c, const struct pg_stmt *st, const struct pg_params *p,
             PGresult **res);
/* Plain SQL without parameters (BEGIN, COMMIT, DDL). */
gw_rc pg_exec(struct pg_conn *c, const char *sql);
/* Affected rows of a command result. */
long pg_changes(PGresult *r);

/* Run fn in ONE transaction; committed when fn returns GW_OK, rolled back
 * otherwise. A serialization failure or deadlock (40001, 40P01) anywhere
 * runs fn again from the start (bounded, with jitter): fn must reset its
 * outputs first. A lost connection is GW_ETEMP and nothing of fn stays. */
gw_rc pg_txn(struct pg_conn *c, gw_rc (*fn)(struct pg_conn *c, void *ctx), void *ctx);

/* Apply the versioned migrations steps[0..n) of component (one SQL text
 * each, version = index + 1) under a session advisory lock, each in its
 * own transaction with its schema_version row. */
gw_rc pg_migrate(struct pg_conn *c, const char *component, const char *const *steps, size_t n,
                 char *errbuf, size_t errcap);

/* Read helpers over a text-format result. */
void pg_col_text(PGresult *r, int row, int col, char *dst, size_t cap);
int64_t pg_col_int(PGresult *r, int row, int col);
/* A bytea or text column as a malloc'd NUL-terminated copy; NULL stays NULL. */
gw_rc pg_col_bytes(PGresult *r, int row, int col, int bytea, char **out, size_t *len);

/* The connection of a PostgreSQL queue; NULL when q is another backend. */
struct pg_conn *queue_pg_conn(struct queue *q);
/* Insert one message inside the open transaction (as enqueue_each does);
 * *dup when its id or (record_id, revision, kind) was already there. */
gw_rc queue_pg_insert(struct pg_conn *c, struct queue_msg *m, int64_t now_ms, int *dup);

#endif

/* test_backend.h - one queue test suite for both backends: GW_TEST_DSN
 * (postgresql://..., set by tests/run-all.sh around its throwaway cluster,
 * tests/lib/pg.sh) runs the suite against PostgreSQL, each test on an
 * emptied database; unset, against a SQLite file in the test's folder.
 * Tests of what only one backend has (SQLite's pragmas and files) skip
 * themselves on the other. Header-only, test code. */
#ifndef TEST_BACKEND_H
#define TEST_BACKEND_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "queue/queue.h"

/* The PostgreSQL DSN under test, or NULL for SQLite. */
static inline const char *
tb_pg_dsn(void)
{
	const char *d = getenv("GW_TEST_DSN");
	return d != NULL && strncmp(d, "postgresql://", 13) == 0 ? d : NULL;
}

static inline int tb_is_pg(void) { return tb_pg_dsn() != NULL; }

/* The server's notices (what a DROP ... CASCADE took along) are noise here. */
static inline void
tb_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Run SQL on the backend under test, outside the queue's connection
 * (as another process would). 0 on success. */
static inline int
tb_sql(const char *sqlite_path, const char *sql)
{
	if (tb_is_pg()) {
		PGconn *c = PQconnectdb(tb_pg_dsn());
		int ok = PQstatus(c) == CONNECTION_OK;
		if (ok) {
			PQsetNoticeProcessor(c, tb_quiet, NULL);
			PGresult *r = PQexec(c, sql);
			ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
			if (!ok)
				fprintf(stderr, "tb_sql: %s", PQresultErrorMessage(r));
			PQclear(r);
		}
		PQfinish(c);
		return ok ? 0 : -1;
	}
	sqlite3 *db = NULL;
	int rc = sqlite3_open(sqlite_path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* An empty database before each test (PostgreSQL; a SQLite test has its
 * own folder already). */
static inline int
tb_reset(void)
{
	if (!tb_is_pg())
		return 0;
	/* A failed test may have left a connection holding locks: gone first. */
	return tb_sql(NULL, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
	    " datname=current_database() AND pid<>pg_backend_pid();"
	    " DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

/* Open the queue under test: sqlite_path's file, or the PostgreSQL one. */
static inline gw_rc
tb_open(struct queue **q, const char *sqlite_path, char *err, size_t errcap)
{
	if (tb_is_pg())
		return queue_postgres_ops.open(q, tb_pg_dsn(), err, errcap);
	return queue_sqlite_ops.open(q, sqlite_path, err, errcap);
}

/* Make every update of message id fail inside the database (a failure in
 * the middle of a transaction), or stop doing so (id NULL). */
static inline int
tb_fail_updates_of(const char *sqlite_path, const char *id)
{
	char sql[512];
	if (tb_is_pg()) {
		if (id == NULL)
			return tb_sql(NULL, "DROP TRIGGER boom ON msgs; DROP FUNCTION boom_fn();");
		snprintf(sql, sizeof sql, "CREATE FUNCTION boom_fn() RETURNS trigger LANGUAGE plpgsql"
		    " AS $$ BEGIN RAISE EXCEPTION 'simulated failure'; END $$;"
		    " CREATE TRIGGER boom BEFORE UPDATE ON msgs FOR EACH ROW WHEN (NEW.id='%s')"
		    " EXECUTE FUNCTION boom_fn();", id);
		return tb_sql(NULL, sql);
	}
	if (id == NULL)
		return tb_sql(sqlite_path, "DROP TRIGGER boom");
	snprintf(sql, sizeof sql, "CREATE TRIGGER boom BEFORE UPDATE ON msgs WHEN NEW.id='%s'"
	    " BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;", id);
	return tb_sql(sqlite_path, sql);
}

/* The test is about what only SQLite has: skipped on PostgreSQL. */
#define TB_SQLITE_ONLY() do { if (tb_is_pg()) { skip(); } } while (0)

#endif

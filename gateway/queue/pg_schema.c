/*
 * queue/pg_schema.c - versioned schema migrations on PostgreSQL, for the
 * outbox (queue/postgres.c) and the record store (store/postgres.c).
 *
 * Owns the schema_version table: one row per component with the number of
 * migration steps applied. Several gateways may start at once against one
 * database: the steps run under a session advisory lock, so exactly one
 * process applies each step and the others then find it done. Each step
 * commits together with its version row, so a crash between steps leaves
 * a consistent, resumable schema. Must never apply a step twice, nor start
 * on a schema newer than the gateway knows.
 */
#include "queue/postgres_db.h"

#include <stdio.h>
#include <string.h>

/* The advisory lock key every gateway uses while migrating ("gwmg"). */
#define PG_MIGRATE_LOCK "1735879015"

static const struct pg_stmt st_ver_get = { "gw_ver_get",
	"SELECT version FROM schema_version WHERE component=$1" };
static const struct pg_stmt st_ver_put = { "gw_ver_put",
	"INSERT INTO schema_version(component, version) VALUES($1,$2) ON CONFLICT(component)"
	" DO UPDATE SET version=excluded.version" };

/* The version of component, 0 when never migrated. */
static gw_rc
pg_version(struct pg_conn *c, const char *component, long *ver)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_p_text(&p, component);
	gw_rc rc = pg_run(c, &st_ver_get, &p, &r);
	*ver = 0;
	if (rc == GW_OK && PQntuples(r) > 0)
		*ver = (long)pg_col_int(r, 0, 0);
	PQclear(r);
	return rc;
}

struct step_ctx {
	const char *component, *sql;
	long version;
};

/* One migration step and its version row, in the caller's transaction. */
static gw_rc
pg_step(struct pg_conn *c, void *arg)
{
	struct step_ctx *x = arg;
	struct pg_params p = { 0 };
	long have;
	gw_rc rc = pg_version(c, x->component, &have);
	if (rc != GW_OK || have >= x->version)
		return rc;              /* another process got there first */
	if ((rc = pg_exec(c, x->sql)) != GW_OK)
		return rc;
	pg_p_text(&p, x->component);
	pg_p_int(&p, x->version);
	return pg_run(c, &st_ver_put, &p, NULL);
}

gw_rc
pg_migrate(struct pg_conn *c, const char *component, const char *const *steps, size_t n,
           char *errbuf, size_t errcap)
{
	long ver = 0;
	gw_rc rc;
	if ((rc = pg_exec(c, "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ")")) != GW_OK) {
		snprintf(errbuf, errcap, "cannot take the migration lock: %s", c->errmsg);
		return rc;
	}
	if ((rc = pg_exec(c, "CREATE TABLE IF NOT EXISTS schema_version(component text PRIMARY KEY,"
	    " version integer NOT NULL)")) != GW_OK ||
	    (rc = pg_version(c, component, &ver)) != GW_OK) {
		snprintf(errbuf, errcap, "cannot read schema_version: %s", c->errmsg);
		goto out;
	}
	if (ver > (long)n) {
		snprintf(errbuf, errcap, "schema_version of %s is %ld, newer than this gateway (%zu)",
		    component, ver, n);
		rc = GW_ECONFIG;
		goto out;
	}
	for (size_t i = (size_t)ver; i < n; i++) {
		struct step_ctx x = { component, steps[i], (long)i + 1 };
		if ((rc = pg_txn(c, pg_step, &x)) != GW_OK) {
			snprintf(errbuf, errcap, "migration %s %zu failed: %s", component, i + 1,
			    c->errmsg);
			goto out;
		}
	}
out:
	if (c->conn != NULL)
		pg_exec(c, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")");
	return rc;
}

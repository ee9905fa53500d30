/*
 * onss_ledger.h - the ONSS simulator's durable memory: every declaration
 * received, its result, and the periods it created or changed.
 *
 * Kept as an append-only file of JSON lines, fsynced (sim_ledger_sync)
 * before the simulator answers, replayed at start (a torn last line is
 * ignored). The
 * crash and fault tests read it (gateway sim onss --dump-ledger, or
 * GET /sim/ledger) as the truth: no period lost, none twice.
 * Not thread safe: the simulator holds its lock around every call but
 * sim_ledger_sync, which only fsyncs the file.
 */
#ifndef GW_SIM_ONSS_LEDGER_H
#define GW_SIM_ONSS_LEDGER_H

#include <stdint.h>
#include <stdio.h>
#include "core/err.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"

struct sim_decl {
	char id[32];
	int64_t received_ms;
	char *body;                 /* the JSON as received */
	struct dimona_decl d;       /* parsed; valid only when parsed_ok */
	int parsed_ok;
	char worker[DIMONA_WORKER_KEY_MAX];
	struct dimona_result r;     /* status 0 while pending */
};

struct sim_ledger;

gw_rc sim_ledger_open(struct sim_ledger **l, const char *path, char *err, size_t ecap);
void sim_ledger_close(struct sim_ledger *l);

/* Record a received declaration (written; durable after the next sync). */
gw_rc sim_ledger_receive(struct sim_ledger *l, const char *body, size_t len, int64_t now_ms,
                         struct sim_decl **out);
/* Record the result, and the period it creates or changes (p may be NULL;
 * p->cancelled for a cancel), in one write (durable after the next sync). */
gw_rc sim_ledger_result(struct sim_ledger *l, struct sim_decl *sd, const struct dimona_period *p);
/* Make every line written so far durable (fsync); may be called without
 * the simulator's lock, so that several answers share one fsync. */
gw_rc sim_ledger_sync(struct sim_ledger *l);

struct sim_decl *sim_ledger_decl(struct sim_ledger *l, const char *id);
size_t sim_ledger_ndecls(const struct sim_ledger *l);
struct sim_decl *sim_ledger_decl_at(struct sim_ledger *l, size_t i);
/* A new period id (12 digits, unique in this ledger). */
void sim_ledger_new_period_id(struct sim_ledger *l, char out[DIMONA_PERIOD_ID_MAX + 1]);

/* The rule engine's view of the periods. */
struct dimona_ledger sim_ledger_rules_view(struct sim_ledger *l);

/* {"periods":[...],"declarations":[...]} */
gw_rc sim_ledger_dump(struct sim_ledger *l, char **json);

#endif

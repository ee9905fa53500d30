/*
 * rules.h - the Dimona rules of the glossary, as named checks.
 *
 * Each check has a stable name and cites the ONSS anomaly code it prevents
 * (Zones_Dimona / FB_Dimona glossary, annex 30 for the labels). The gateway
 * runs them before anything is sent (no ledger: only what one declaration
 * shows); the simulators run them with a ledger of accepted periods, which
 * adds the checks that need history (duplicate, overlap, unknown or
 * cancelled period, occasional worker on a third consecutive day).
 */
#ifndef GW_ONSS_DIMONA_RULES_H
#define GW_ONSS_DIMONA_RULES_H

#include <stddef.h>
#include "core/err.h"
#include "onss/dimona/decl.h"

struct dimona_finding {
	const char *check;      /* stable check name, e.g. "planned_hours_required" */
	char code[16];          /* ONSS anomaly code it prevents; "" when the ONSS has none */
	char field[48];         /* the zone (XML label) concerned */
	char severity;          /* 'B' blocking, 'W' warning */
};

#define DIMONA_MAX_FINDINGS 24
struct dimona_findings {
	size_t n;
	struct dimona_finding f[DIMONA_MAX_FINDINGS];
};

/* A period as the ONSS keeps it. */
#define DIMONA_WORKER_KEY_MAX 220
struct dimona_period {
	char id[DIMONA_PERIOD_ID_MAX + 1];
	char noss[10];
	char worker[DIMONA_WORKER_KEY_MAX];   /* dimona_worker_key() */
	char worker_type[4];
	char jc[4];
	gw_ymd start, end;                    /* end 0: open-ended */
	gw_hm start_time, end_time;           /* -1 when absent */
	int planned_hours;
	int cancelled;
};

/* What the rules need to know about the past; the simulator implements it
 * over its durable ledger, the gateway may over its queue. */
struct dimona_ledger {
	void *ctx;
	/* GW_OK and *p filled, or GW_ENOTFOUND. */
	gw_rc (*find)(void *ctx, const char *period_id, struct dimona_period *p);
	/* Call fn for every period (cancelled too) of this worker at this
	 * employer until fn returns nonzero. */
	gw_rc (*each)(void *ctx, const char *noss, const char *worker,
	              int (*fn)(const struct dimona_period *p, void *arg), void *arg);
};

/* Run every check on d; ledger may be NULL. today/now_min is the moment
 * the declaration is made (deadline warnings). Returns the number of
 * blocking findings. */
size_t dimona_rules_check(const struct dimona_decl *d, const struct dimona_ledger *ledger,
                          gw_ymd today, int now_min, struct dimona_findings *out);

/* The period an accepted IN creates (id left empty). */
void dimona_period_from_in(const struct dimona_decl *d, struct dimona_period *p);
/* The period after an accepted OUT or UPDATE on old. */
void dimona_period_apply(const struct dimona_period *old, const struct dimona_decl *d,
                         struct dimona_period *out);

/* An occasional worker (EXT) in Horeca (302) may be declared on at most two
 * consecutive days with the same employer: a longer run of daily EXT INs
 * (v sorted or not) is merged into one OTH period covering the run. v is
 * rewritten in place, *n shrinks, *runs says how many runs were merged.
 * GW_ENOMEM: nothing was changed (never a silent "no run"). */
gw_rc dimona_merge_ext_series(struct dimona_decl *v, size_t *n, size_t *runs);

/* The same merge in parts, for a caller that does not hold the
 * declarations (the batch export keeps an index of them): */
/* Whether d is a Horeca (302) EXT day, which can belong to a run. */
int dimona_is_horeca_ext_day(const struct dimona_decl *d);
/* The key that days of one run share: employer NOSS "/" worker key. */
#define DIMONA_RUN_KEY_MAX (DIMONA_WORKER_KEY_MAX + 12)
void dimona_ext_run_key(const struct dimona_decl *d, char *out, size_t cap);
/* One Horeca EXT day, as dimona_ext_runs reads and marks it. */
struct dimona_ext_day {
	size_t i;                  /* the caller's index of the declaration */
	const char *key;           /* dimona_ext_run_key */
	gw_ymd start, end;         /* first and last day (end = start for one day) */
	gw_ymd run_end;            /* out: last day of the run this day heads, else 0 */
	int in_run;                /* out: 1 when folded into an earlier day's run */
};
/* Mark the runs of more than two consecutive days among d[0..m) (sorted
 * here by key, then start, then i); returns how many runs there are. */
size_t dimona_ext_runs(struct dimona_ext_day *d, size_t m);
/* Make a run's first day the run's one OTH period, ending on run_end. */
void dimona_ext_run_apply(struct dimona_decl *head, gw_ymd run_end);

/* Every check with the anomaly codes it can report (space-separated; ""
 * for the gateway's own deadline warnings, which have no ONSS code) and
 * what it enforces. The simulator adds "mandate" (90256-155). */
struct dimona_check_info {
	const char *check;
	const char *codes;
	const char *what;
};
extern const struct dimona_check_info dimona_checks[];
extern const size_t dimona_n_checks;

/* One line per finding, "check code severity field", for logs and tests. */
void dimona_findings_print(const struct dimona_findings *f, FILE *out);

#endif

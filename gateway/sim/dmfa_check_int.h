/*
 * dmfa_check_int.h - what the simulator's two DmfA judges share: the
 * original's (dmfa_check.c) and the correction's (dmfa_check_update.c).
 * One walk of a worker record, one way to record a finding, so that a
 * correction is held to every check an original is.
 *
 * Internal to sim/: nothing outside the DmfA checks includes it.
 */
#ifndef GW_SIM_DMFA_CHECK_INT_H
#define GW_SIM_DMFA_CHECK_INT_H

#include "sim/dmfa_check.h"
#include "core/date.h"

/* The judge's state while it walks one employer declaration. */
struct simd_ctx {
	const struct simd_ref *r;
	const struct dimona_ledger *ledger;
	const struct simd_rates *rates;   /* NULL: line amounts not recomputed */
	struct simd_findings *f;
	int quarter;                     /* YYYYQ, e.g. 20264 */
	gw_ymd q_first, q_last;
	char noss[16], inss[16], ec[8], wc[8], occ[8];
	char where[96];
	gw_rc rc;
};
int simdc_is_el(const xmlNode *n, const char *name);
const xmlNode *simdc_kid(const xmlNode *n, const char *name);
/* Text of child name into buf; 0 when the zone is absent. */
int simdc_zone(const xmlNode *n, const char *name, char *buf, size_t cap);
/* Digits only (at most 15): *v its value. */
int simdc_num(const char *s, long long *v);
/* Record one anomaly with the glossary's label and class (annex 30's
 * label, class B, for a code the glossary does not list). */
void simdc_add(struct simd_ctx *c, const char *code, const char *tag, const char *value);
/* Start judging employer declaration ed (original or correction): the
 * employer and quarter; 0 (with 00013-008 recorded) when the quarter is
 * not one, and nothing else can be judged. */
int simdc_begin(struct simd_ctx *c, const struct simd_ref *r, const xmlNode *ed, const struct dimona_ledger *ledger,
                const struct simd_rates *rates, struct simd_findings *f);
/* Every check of a WorkerRecord (or a correction's WorkerRecordUpdateAction,
 * whose occupations are OccupationUpdate): codes, occupations, services,
 * pay, contribution lines, and the cross-checks with the Dimona. */
void simdc_worker_record(struct simd_ctx *c, const xmlNode *wr);
/* 00089-044: each OccupationDeduction 3000 of occupation occ against
 * the amount the simulator computes (sim/dmfa_reduce.c); wds is the
 * occupation's WorkingDaysSystem, -1 when it has none. */
void simdc_occupation_reductions(struct simd_ctx *c, const xmlNode *occ, long long wds);

#endif

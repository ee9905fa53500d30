/*
 * dmfa_check.h - the simulated ONSS's own reading of a DmfA: the blocking
 * anomalies of the DmfA glossary, applied to one EmployerDeclaration of a
 * DmfAOriginal, as the ONSS would before accepting it.
 *
 *   dmfa_ref.c    the reference it judges by, read at run time from the
 *                 official files (gw_reference_dir()/onss): every anomaly
 *                 code with its label and class (glossary), and the code
 *                 lists of worker codes (annex 2), contribution types
 *                 (annex 3), pay codes (annex 7), service codes (annex 8)
 *                 and joint committees
 *   dmfa_check.c  the checks: presence, domain and the cross-checks
 *
 * Written from the glossary, never from the gateway's DmfA builder
 * (gateway/onss/dmfa/ is not included): the simulator must be an independent
 * reader, so that it catches the builder's mistakes instead of sharing them.
 */
#ifndef GW_SIM_DMFA_CHECK_H
#define GW_SIM_DMFA_CHECK_H

#include <stddef.h>
#include <libxml/tree.h>
#include "core/err.h"
#include "onss/dimona/rules.h"

/* The reference: glossary anomalies and code lists. */
struct simd_ref;

/* Read the reference from onss_dir (holding glossary/ and codelists/).
 * A missing or unreadable file is an error naming it in err. */
gw_rc simd_ref_load(const char *onss_dir, struct simd_ref **out, char *err, size_t errcap);
void simd_ref_free(struct simd_ref *r);

/* The glossary's label and class (B, P, NP, W...) of an anomaly code;
 * GW_ENOTFOUND when the glossary has no such code. */
gw_rc simd_ref_anomaly(const struct simd_ref *r, const char *code, const char **label, const char **cls);

/* Code-list look-ups for a quarter (YYYYQ as an integer, e.g. 20264). */
int simd_ref_worker_code(const struct simd_ref *r, const char *code, int quarter);       /* 00037 */
int simd_ref_contrib_worker_code(const struct simd_ref *r, const char *code, int quarter); /* 00082 */
int simd_ref_service_code(const struct simd_ref *r, const char *code, int quarter);      /* 00062 */
int simd_ref_remun_code(const struct simd_ref *r, const char *code, int quarter);        /* 00067 */
int simd_ref_joint_committee(const struct simd_ref *r, const char *jc, int quarter);     /* 00046 */
/* Whether annex 3 allows ContributionType `type` for the contribution
 * worker code under this employer category (00083-030); 1 also when annex 3
 * says nothing of that code (nothing to hold against it). */
int simd_ref_contrib_type(const struct simd_ref *r, const char *worker_code, const char *employer_class,
                          int type, int quarter);

/* One anomaly found. */
struct simd_anomaly {
	char code[10];                   /* e.g. 00042-001 */
	char tag[40];                    /* the zone's XML label, e.g. LocalUnitID */
	char value[64];                  /* the offending value, "" when absent */
	char cls[3];                     /* the glossary's class: B, P, NP, W */
	const char *label;               /* the glossary's title; owned by the ref */
	char where[96];                  /* INSS / worker code / occupation, for the log */
	/* The answer's Path to the line: "" where not applicable. */
	char inss[12], employer_class[4], worker_code[4], occupation[3];
};

struct simd_findings {
	struct simd_anomaly *v;
	size_t n, cap;
	size_t blocking;                 /* how many are of class B */
};

void simd_findings_free(struct simd_findings *f);

/* The simulator's own rate per contribution line (sim/dmfa_rates.c,
 * schemas/dmfa/sim-rates.txt: "FROM CODE TYPE CATEGORY PERCENT | source"). */
struct simd_rates;
gw_rc simd_rates_parse(const char *text, const char *name, struct simd_rates **out, char *err,
                       size_t errcap);
gw_rc simd_rates_load(const char *path, struct simd_rates **out, char *err, size_t errcap);
void simd_rates_free(struct simd_rates *r);
/* The rate (hundredths of a percent) of a line in a quarter, the
 * category's own line before a "*" one; 0 when the table has none. */
int simd_rates_get(const struct simd_rates *r, int quarter, const char *code, int type,
                   const char *category, long long *e4);

/* Check one EmployerDeclaration of a DmfAOriginal. ledger (the Dimona
 * periods the simulator accepted) may be NULL: the cross-checks with the
 * Dimona are then skipped. rates may be NULL: each contribution line's
 * amount is then not recomputed (00085-044). Returns GW_ENOMEM only;
 * every finding is in f. */
gw_rc simd_check(const struct simd_ref *r, const xmlNode *employer_declaration,
                 const struct dimona_ledger *ledger, const struct simd_rates *rates,
                 struct simd_findings *f);

#endif

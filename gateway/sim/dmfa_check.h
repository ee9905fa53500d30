/*
 * dmfa_check.h - the simulated ONSS's own reading of a DmfA: the blocking
 * anomalies of the DmfA glossary, applied to one EmployerDeclaration of a
 * DmfAOriginal, or to a DmfAUpdate form, as the ONSS would before
 * accepting it.
 *
 *   dmfa_ref.c    the reference it judges by, read at run time from the
 *                 official files (gw_reference_dir()/onss): every anomaly
 *                 code with its label and class (glossary), and the code
 *                 lists of worker codes (annex 2), contribution types
 *                 (annex 3), pay codes (annex 7), service codes (annex 8)
 *                 and joint committees
 *   dmfa_check.c  the checks: presence, domain and the cross-checks
 *   dmfa_reduce.c each occupation's structural reduction (3000)
 *                 recomputed from the simulator's own parameters
 *   dmfa_check_update.c  a correction (DmfAUpdate): the same checks on
 *                 each worker record it sends, and what applies to a
 *                 correction only: it must name a declaration the ONSS
 *                 holds (its permanent ids), for the same quarter and
 *                 employer, and change that declaration's last situation
 *   dmfa_db.c     the simulator's DB DmfA: the declarations it accepted,
 *                 with the permanent ids and versions it gave them
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

/* Annex 30's label for the error suffix of code ("00610-180" -> "De
 * wijziging of annulatie heeft geen betrekking op de laatste situatie");
 * NULL when annex 30 has no such suffix. */
const char *simd_ref_error_label(const struct simd_ref *r, const char *code);

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

/* The structural reduction (DeductionCode 3000) of an employer category
 * from a quarter on, from a line "FROM 3000 CATEGORY F ALPHA S0 GAMMA S2 |
 * source" of the same file: R = F + ALPHA x (S0 - S) + GAMMA x (S2 - S),
 * each term only when positive (sim/dmfa_reduce.c). */
struct simd_reduction {
	int from;                        /* YYYYQ */
	char cat[4];                     /* employer category, "*" = any */
	long long f, s0, s2;             /* cents */
	long long alpha, gamma;          /* ten-thousandths: 0.1400 = 1400 */
};
/* The reduction line in force for a quarter, the category's own line
 * before a "*" one; 0 when the table has none. */
int simd_rates_reduction(const struct simd_rates *r, int quarter, const char *category,
                         struct simd_reduction *out);
/* The 3000 amount in cents the ONSS computes for one occupation: days
 * (hundredths) of the services that count, wds the WorkingDaysSystem
 * (hundredths), w the wage mass W in cents; R x mu rounded half up to the
 * cent, 0 when days, wds or w is not positive. */
long long simd_reduction_amount(const struct simd_reduction *p, long long days, long long wds, long long w);

/* Check one EmployerDeclaration of a DmfAOriginal. ledger (the Dimona
 * periods the simulator accepted) may be NULL: the cross-checks with the
 * Dimona are then skipped. rates may be NULL: each contribution line's
 * amount (00085-044) and each occupation's structural reduction
 * (00089-044) are then not recomputed. Returns GW_ENOMEM only;
 * every finding is in f. */
gw_rc simd_check(const struct simd_ref *r, const xmlNode *employer_declaration,
                 const struct dimona_ledger *ledger, const struct simd_rates *rates,
                 struct simd_findings *f);

/* ---- the DB DmfA (dmfa_db.c) ----
 * What the simulated ONSS holds of the declarations it accepted: per
 * EmployerDeclarationPID its quarter and employer, its persons with their
 * permanent ids, their worker records with the version the DMPI gave, and
 * the occupations' versions. Durable (an append-only file of lines, each
 * batch fsynced before the answers are published), replayed at start. */
struct simd_db;

struct simd_db_person {
	unsigned long long ed_pid, np_pid, decl_np_pid;   /* 0, 0 for a person a correction added */
	char inss[12];
};

struct simd_db_record {
	unsigned long long ed_pid, version;   /* version 0: created by a correction (no DMPI gave one) */
	char inss[12], ec[4], wc[4];
	int deleted;
};

/* Open (create) the DB at path and replay it; a torn last line is ignored. */
gw_rc simd_db_open(const char *path, struct simd_db **out, char *err, size_t errcap);
/* A DB in memory only (tests): nothing is written. */
gw_rc simd_db_memory(struct simd_db **out);
void simd_db_free(struct simd_db *db);
/* Make every change so far durable (fflush + fsync). */
gw_rc simd_db_sync(struct simd_db *db);

gw_rc simd_db_add_declaration(struct simd_db *db, unsigned long long ed_pid, int quarter, const char *noss);
gw_rc simd_db_add_person(struct simd_db *db, unsigned long long ed_pid, const char *inss,
                         unsigned long long np_pid, unsigned long long decl_np_pid);
gw_rc simd_db_add_record(struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec,
                         const char *wc, unsigned long long version);
gw_rc simd_db_add_occupation(struct simd_db *db, unsigned long long wr_version, unsigned long long occ_version);
gw_rc simd_db_delete_record(struct simd_db *db, unsigned long long ed_pid, const char *inss, const char *ec,
                            const char *wc);

/* Look-ups: 1, with the quarter and employer, when the DB holds the declaration. */
int simd_db_declaration(const struct simd_db *db, unsigned long long ed_pid, int *quarter, const char **noss);
const struct simd_db_person *simd_db_person(const struct simd_db *db, unsigned long long ed_pid, const char *inss);
/* The live (not deleted) worker record (ec, wc) of a person; NULL if none. */
const struct simd_db_record *simd_db_record(const struct simd_db *db, unsigned long long ed_pid, const char *inss,
                                            const char *ec, const char *wc);
/* The highest permanent id or version the DB holds (0 when empty). */
unsigned long long simd_db_max_id(const struct simd_db *db);
int simd_db_has_occupation(const struct simd_db *db, unsigned long long wr_version, unsigned long long occ_version);

/* Check one Form of a DmfAUpdate (Identification DMFAUPD, one
 * EmployerDeclarationUpdate) against the DB DmfA: the declaration it
 * corrects, each person and worker record, and every worker record it
 * creates or modifies by the checks of an original. ledger and rates as
 * for simd_check. Returns GW_ENOMEM only; every finding is in f. */
gw_rc simd_check_update(const struct simd_ref *r, const xmlNode *form, const struct simd_db *db,
                        const struct dimona_ledger *ledger, const struct simd_rates *rates,
                        struct simd_findings *f);
/* Record an accepted correction in the DB: the persons it adds, the worker
 * records it deletes (UpdateAction 0) and creates (3). */
gw_rc simd_apply_update(struct simd_db *db, const xmlNode *form);

#endif

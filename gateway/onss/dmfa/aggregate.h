/*
 * aggregate.h - one DmfA worker record from its contract rows, with its
 * occupations, services, pay and contributions.
 *
 * Owns the declaration arithmetic: occupation lines (one per contract;
 * contracts of the same terms - joint committee, Q/S, contract type,
 * establishment unit, retired, pay method - that follow each other
 * without a gap form one),
 * services (code 001, days and hours in hundredths), pay (code 001, cents)
 * and, through the contribution engine (contrib.h), the contribution lines. Never writes XML and
 * never reads files. All amounts are integers; rounding is half up, once per
 * contribution line.
 */
#ifndef GW_ONSS_DMFA_AGGREGATE_H
#define GW_ONSS_DMFA_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"

#define DMFA_MAX_OCC 99

/* A reduction claimed on an occupation (OccupationDeduction). */
struct dmfa_deduction {
	int code;                  /* DeductionCode: 3000, 4300 */
	int64_t amount;            /* cents */
};

struct dmfa_occ {
	char jc[10];
	int wds;                   /* WorkingDaysSystem: days per week x 100 */
	int32_t q, s;              /* MeanWorkingHours, RefMeanWorkingHours */
	int contract_type;         /* 0 full time, 1 part time */
	uint64_t unit;             /* LocalUnitID */
	gw_ymd start, end;         /* the contracts' own dates */
	int goes_on;               /* 1: goes on after the quarter: no OccupationEndingDate */
	int retired;               /* Retired (00054) */
	int ext;                   /* occasional worker (Dimona EXT) */
	int horeca_extra;          /* HorecaExtra "E" (00795): dmfa_wr_set_horeca */
	int remun_method;          /* RemunMethod (00056), 0: not written */
	int64_t hol_days, hol_hours;   /* service 002, hundredths */
	int64_t copyright;         /* remuneration 047, cents */
	int64_t exit_pay;          /* remuneration 007 (in the contribution basis), cents */
	int64_t exit_pay_exempt;   /* remuneration 011 (outside it), cents */
	int64_t days, hours;       /* hundredths */
	int64_t gross;             /* cents */
	int remun_code;            /* RemunCode: 1, or 22 for flexi pay */
	int nded;
	struct dmfa_deduction ded[2];
};

struct dmfa_contrib {
	int code;                  /* ContributionWorkerCode */
	int ctype;                 /* ContributionType */
	int64_t basis;             /* cents; -1 when the line has no basis */
	int64_t amount;            /* cents */
};

struct dmfa_wr {
	uint32_t noss;
	uint64_t kbo;
	uint64_t inss;
	int worker_code;
	enum dmfa_rule_kind kind;
	int nocc;
	struct dmfa_occ occ[DMFA_MAX_OCC];
	int ncontrib;
	struct dmfa_contrib contrib[1 + DMFA_MAX_EXTRAS + DMFA_MAX_SUPPS + 1];   /* + 856 */
	int64_t ssc;               /* special social security contribution withheld (856), cents */
	/* student solidarity contribution (kind == DMFA_RULE_STUDENT) */
	int64_t student_remun;     /* cents */
	int64_t student_amount;    /* cents */
	int student_hours;         /* whole hours */
	uint64_t student_unit;     /* LocalUnitID of the last student contract of the quarter */
	int64_t owed;              /* everything this record adds to NetOwedAmount:
	                              contributions less deductions */
	size_t nrows;              /* contract rows it was built from */
};

/* End (exclusive) of the group starting at i: rows with the same employer
 * (level 0), + same INSS (1), + same worker code (2). */
size_t dmfa_group_end(const struct dmfa_row *v, size_t n, size_t i, int level);

/* Build the worker record of rows[0..n) (one employer, INSS and worker
 * code, in date order). GW_EINPUT with a reason in errbuf when it cannot be
 * declared (more than 99 occupations, a value beyond its zone's domain). */
gw_rc dmfa_wr_build(const struct dmfa_row *rows, size_t n, const struct dmfa_params *p,
                    struct dmfa_wr *wr, char *errbuf, size_t errcap);

/* Mark HorecaExtra "E" (zone 00795) on the occasional workers' occupations
 * that need it: Horeca (joint committee 302) when the employer category is
 * not 317, and funeral undertakers (320). The employer category is the
 * caller's (EmployerClass). */
void dmfa_wr_set_horeca(struct dmfa_wr *wr, int employer_class);

/* WorkingDaysSystem (zone 00047, days per week x 100, 100..700) of an
 * occupation: 500 for full time (Q >= S, the reference person's 5-day
 * week); part time, Q / (hours per day) = Q x days / hours of what it
 * paid, or 500 x Q / S when it paid no days or hours. Exposed for the
 * tests. */
int dmfa_days_system(int32_t q, int32_t s, int64_t days, int64_t hours);

/* Round a*b/c half up (a, b >= 0, c > 0); exposed for the tests. */
int64_t dmfa_muldiv(int64_t a, int64_t b, int64_t c);

#endif

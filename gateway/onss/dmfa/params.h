/*
 * params.h - the DmfA parameter table: rates, thresholds and worker-code
 * facts, keyed by quarter, each value with its source.
 *
 * The ONSS changes rates and quotas; the table (schemas/dmfa/params.txt)
 * holds one line per value and the quarter it takes effect from. For a
 * quarter Q, each key takes the line with the greatest FROM <= Q. This module
 * only reads and resolves the table; it never computes an amount.
 *
 * Line format (blank lines and '#' comments ignored):
 *     FROM  KEY  VALUE...  | SOURCE
 * FROM is YYYYQ; a line without a "| source" is refused.
 *   rate.worker PCT          ordinary personal contribution (percent)
 *   rate.employer PCT        ordinary employer contribution (percent)
 *   rate.student PCT         student solidarity contribution (percent)
 *   student.hours_quota N    student hours per calendar year at the solidarity rate
 *   code.NNN ordinary BASIS_PCT CTYPE   worker code NNN: basis = BASIS_PCT% of gross
 *   code.NNN student OVERFLOW           student code; hours over the quota go to OVERFLOW
 *   code.NNN none                       code withdrawn from that quarter on
 *   extra.NNN CTYPE PCT      an extra contribution line NNN for every ordinary code
 *   extra.NNN none
 * The contribution engine (onss/dmfa/contrib.h) adds:
 *   code.NNN ordinary BASIS_PCT CTYPE PART,PART..  the worker-code line is the sum of the
 *                            named parts for the employer's category (instead of
 *                            rate.worker + rate.employer)
 *   code.NNN flexi CTYPE PART,PART..   flexi-job code: basis 100 % of the flexi pay
 *                            (remuneration code 22), no supplementary lines, no reduction
 *   part.NAME.CAT PCT        a part of a worker-code line for employer category CAT
 *                            (3 digits) or "any"; the category's own line wins
 *   supp.NNN.TAG CTYPE PCT [min=N] [max=N] [fso=NNN]
 *                            supplementary line NNN (e.g. 855, 810) on the basis of every
 *                            ordinary record of an employer with min <= workers < max
 *                            and, with fso=, of that closure-fund code
 *   employer.NOSS CLASS WORKERS FSO [exempt=NNN,..]   one employer: EmployerClass, its
 *                            average number of workers (the size the thresholds use), its
 *                            closure-fund code (810, 811, or 0) and the supplementary
 *                            lines it is exempted from; employer.default for the others
 *   reduce.3000.CAT F ALPHA S0 [GAMMA S2]   structural reduction for category CAT (or any):
 *                            R = F + ALPHA x (S0 - S) + GAMMA x (S2 - S), terms below 0 dropped
 *   reduce.4300 G CAP SMIN CODE..       artists' reduction on the listed worker codes:
 *                            G x mu, at most CAP, when S >= SMIN
 * Percentages are decimals with up to 4 places ("13.07", "0.1234"); ALPHA and
 * GAMMA are coefficients with up to 4 places ("0.1400"); F, S0, S2, G, CAP and
 * SMIN are euro amounts with cents ("495.00").
 */
#ifndef GW_ONSS_DMFA_PARAMS_H
#define GW_ONSS_DMFA_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/* Percent rates are fixed point: percent x 10^4 (13.07 % = 130700). */
#define DMFA_RATE_ONE 10000

#define DMFA_MAX_CODES  64
#define DMFA_MAX_EXTRAS 8
#define DMFA_MAX_PARTS  32       /* part.NAME.CAT lines */
#define DMFA_MAX_PART_NAMES 16   /* distinct NAMEs */
#define DMFA_MAX_SUPPS  16
#define DMFA_MAX_EMPLOYERS 256
#define DMFA_MAX_REDUCE 8
#define DMFA_MAX_EXEMPT 4        /* exempt= codes on one employer line */

enum dmfa_rule_kind { DMFA_RULE_ORDINARY = 1, DMFA_RULE_STUDENT = 2, DMFA_RULE_FLEXI = 3 };

struct dmfa_code_rule {
	int code;                /* worker code, 0..999 */
	enum dmfa_rule_kind kind;
	int basis_pct;           /* ordinary: 100 or 108; flexi: 100 */
	int ctype;               /* ordinary, flexi: ContributionType of the main line */
	int overflow_code;       /* student: ordinary code for hours over the quota */
	uint32_t parts;          /* engine: bit i = part name i; 0 = rate.worker + rate.employer */
};

/* One part of a worker-code line (part.NAME.CAT). */
struct dmfa_part {
	int name;                /* index into part_names */
	int category;            /* EmployerClass, or -1 for "any" */
	int64_t rate;            /* percent x 10^4 */
};

/* A supplementary contribution line (supp.NNN.TAG). */
struct dmfa_supp {
	int code;                /* ContributionWorkerCode */
	int ctype;
	int64_t rate;            /* percent x 10^4 */
	int min_workers, max_workers;   /* applies when min <= workers < max; max 0 = no limit */
	int fso;                 /* applies only to employers of this closure-fund code; 0 = all */
};

/* What the ONSS knows of one employer (employer.NOSS). */
struct dmfa_employer {
	uint32_t noss;           /* 0 = employer.default */
	int employer_class;      /* EmployerClass, 0..999 */
	int workers;             /* average number of workers, for the size thresholds */
	int fso;                 /* closure-fund code: 810, 811, or 0 (none) */
	int exempt[DMFA_MAX_EXEMPT];   /* supplementary codes it is exempted from */
	int nexempt;
};

/* A reduction formula (reduce.3000.CAT, reduce.4300). Amounts in cents,
 * coefficients x 10^4. */
struct dmfa_reduce {
	int code;                /* DeductionCode: 3000 or 4300 */
	int category;            /* 3000: EmployerClass or -1 for any */
	int64_t f, alpha, s0, gamma, s2;         /* 3000 */
	int64_t g, cap, smin;                    /* 4300 */
	int codes[8];            /* 4300: worker codes it applies to */
	int ncodes;
};

struct dmfa_extra {
	int code;                /* ContributionWorkerCode */
	int ctype;
	int64_t rate;            /* percent x 10^4 */
};

struct dmfa_params {
	int quarter;             /* YYYYQ this set was resolved for */
	int64_t rate_worker;
	int64_t rate_employer;
	int64_t rate_student;
	int student_quota_hours;
	struct dmfa_code_rule codes[DMFA_MAX_CODES];
	size_t ncodes;
	struct dmfa_extra extras[DMFA_MAX_EXTRAS];
	size_t nextras;
	char part_names[DMFA_MAX_PART_NAMES][16];
	size_t npart_names;
	struct dmfa_part parts[DMFA_MAX_PARTS];
	size_t nparts;
	struct dmfa_supp supps[DMFA_MAX_SUPPS];
	size_t nsupps;
	struct dmfa_employer employers[DMFA_MAX_EMPLOYERS];
	size_t nemployers;
	struct dmfa_reduce reduces[DMFA_MAX_REDUCE];
	size_t nreduces;
};

/* Read the table at path and resolve it for quarter (YYYYQ). Errors name
 * the file and line (or the missing key) in errbuf. */
gw_rc dmfa_params_load(const char *path, int quarter, struct dmfa_params *p,
                       char *errbuf, size_t errcap);
/* The same from text in memory (tests, fuzzing); name is used in messages. */
gw_rc dmfa_params_parse(const char *text, size_t len, const char *name, int quarter,
                        struct dmfa_params *p, char *errbuf, size_t errcap);
/* The rule for a worker code, or NULL when the table has none for the quarter. */
const struct dmfa_code_rule *dmfa_params_rule(const struct dmfa_params *p, int code);
/* Parse "13.07" into percent x 10^4; GW_EINPUT when malformed or > 100 %. */
gw_rc dmfa_params_pct(const char *s, int64_t *out);
/* The employer.NOSS line for noss, else employer.default, else NULL. */
const struct dmfa_employer *dmfa_params_employer(const struct dmfa_params *p, uint32_t noss);

#endif

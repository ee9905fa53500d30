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
 * Percentages are decimals with up to 4 places ("13.07", "0.1234").
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

enum dmfa_rule_kind { DMFA_RULE_ORDINARY = 1, DMFA_RULE_STUDENT = 2 };

struct dmfa_code_rule {
	int code;                /* worker code, 0..999 */
	enum dmfa_rule_kind kind;
	int basis_pct;           /* ordinary: 100 or 108 */
	int ctype;               /* ordinary: ContributionType of the main line */
	int overflow_code;       /* student: ordinary code for hours over the quota */
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

#endif

/*
 * contrib.h - the DmfA contribution engine: what the ONSS computes for one
 * worker record, from the parameter table (params.h) and the employer.
 *
 * For a worker record whose occupations aggregate.c has built, it writes the
 * contribution lines (WorkerContribution), the reductions claimed on each
 * occupation (OccupationDeduction) and what the record adds to NetOwedAmount:
 *   - ordinary codes: the worker-code line = basis x the sum of the code's
 *     parts for the employer's category (part.NAME.CAT), then one line per
 *     supplementary contribution (supp.NNN.TAG) that applies to an employer of
 *     that size and closure-fund code, then the structural reduction (3000)
 *     and the artists' reduction (4300) per occupation;
 *   - flexi-job codes (050, 450): one line, basis 100 % of the flexi pay, no
 *     personal part, no supplementary line, no reduction; the pay is declared
 *     under remuneration code 22;
 *   - tables in the older form (rate.worker + rate.employer, extra.NNN) keep
 *     computing as before.
 * Each line and each reduction is rounded once, half up, to the cent. The
 * reductions of a record never exceed the employer's share of its worker-code
 * line, so no employer category's balance turns negative (00015-011).
 * Never writes XML, never reads files; no amount is invented: a category or
 * an employer the table does not know is an error naming it.
 */
#ifndef GW_ONSS_DMFA_CONTRIB_H
#define GW_ONSS_DMFA_CONTRIB_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/aggregate.h"

/* Fill wr's contribution lines, deductions and owed from its occupations
 * (ordinary and flexi rules; gross per occupation, cents). GW_EINPUT with
 * the reason in errbuf when the table cannot say what is owed. */
gw_rc dmfa_contrib_compute(struct dmfa_wr *wr, const struct dmfa_code_rule *rule,
                           const struct dmfa_params *p, char *errbuf, size_t errcap);

/* The EmployerClass to declare for employer noss: its employer.NOSS (or
 * employer.default) line, else fallback (the configured [dmfa] employer_class). */
int dmfa_contrib_employer_class(const struct dmfa_params *p, uint32_t noss, int fallback);

/* The sum of the rates of the parts in mask for employer category cat
 * (percent x 10^4); GW_EINPUT naming the first part without a rate. */
gw_rc dmfa_contrib_rate(const struct dmfa_params *p, uint32_t mask, int cat, int64_t *rate,
                        char *errbuf, size_t errcap);

#endif

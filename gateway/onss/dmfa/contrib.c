/*
 * contrib.c - the DmfA contribution engine (see contrib.h).
 */
#include "onss/dmfa/contrib.h"

#include <stdio.h>
#include <string.h>

#define MAX_AMOUNT11 99999999999LL
/* Percent x 10^4 over 100 %: the divisor of a rate. */
#define PCT_DIV (100LL * DMFA_RATE_ONE)

/* Round a*b/c half up; a, b >= 0, c > 0. */
static int64_t
muldiv(int64_t a, int64_t b, int64_t c)
{
	__int128 t = (__int128)a * b;
	return (int64_t)((t + c / 2) / c);
}

int
dmfa_contrib_employer_class(const struct dmfa_params *p, uint32_t noss, int fallback)
{
	const struct dmfa_employer *e = dmfa_params_employer(p, noss);
	return e ? e->employer_class : fallback;
}

gw_rc
dmfa_contrib_rate(const struct dmfa_params *p, uint32_t mask, int cat, int64_t *rate,
                  char *errbuf, size_t errcap)
{
	*rate = 0;
	for (size_t b = 0; b < p->npart_names; b++) {
		if (!(mask & (1u << b)))
			continue;
		/* The category's own line wins over "any". */
		const struct dmfa_part *own = NULL, *any = NULL;
		for (size_t i = 0; i < p->nparts; i++) {
			if (p->parts[i].name != (int)b)
				continue;
			if (p->parts[i].category == cat)
				own = &p->parts[i];
			else if (p->parts[i].category < 0)
				any = &p->parts[i];
		}
		if (!own && !any) {
			snprintf(errbuf, errcap, "no part.%s rate for employer category %03d in quarter %d",
			         p->part_names[b], cat, p->quarter);
			return GW_EINPUT;
		}
		*rate += (own ? own : any)->rate;
	}
	return GW_OK;
}

/* The rate of the part named "personal" (the worker's share) in mask, 0 when none. */
static int64_t
personal_rate(const struct dmfa_params *p, uint32_t mask, int cat)
{
	char err[8];
	for (size_t b = 0; b < p->npart_names; b++) {
		int64_t r;
		if ((mask & (1u << b)) && strcmp(p->part_names[b], "personal") == 0 &&
		    dmfa_contrib_rate(p, 1u << b, cat, &r, err, sizeof err) == GW_OK)
			return r;
	}
	return 0;
}

/* The reduction formula of code for category cat: the category's own, else "any". */
static const struct dmfa_reduce *
find_reduce(const struct dmfa_params *p, int code, int cat)
{
	const struct dmfa_reduce *any = NULL;
	for (size_t i = 0; i < p->nreduces; i++) {
		if (p->reduces[i].code != code)
			continue;
		if (p->reduces[i].category == cat)
			return &p->reduces[i];
		if (p->reduces[i].category < 0)
			any = &p->reduces[i];
	}
	return any;
}

/* The reductions of one occupation. mu = days / D with D = 13 weeks x the
 * days-per-week system (both in hundredths), at most 1; S, the reference
 * quarterly wage, is W / mu, W the occupation's pay (cents). */
static void
occ_reductions(struct dmfa_occ *o, int worker_code, int cat, const struct dmfa_params *p)
{
	o->nded = 0;
	if (o->days <= 0 || o->wds <= 0 || o->gross <= 0)
		return;
	int64_t d_full = 13LL * o->wds;
	int64_t num = o->days < d_full ? o->days : d_full;   /* mu = num / d_full */
	int64_t s = muldiv(o->gross, d_full, num);

	const struct dmfa_reduce *r = find_reduce(p, 3000, cat);
	if (r) {
		int64_t lo = r->s0 > s ? r->s0 - s : 0;
		int64_t vlo = r->s2 > s ? r->s2 - s : 0;
		/* R = F + alpha x (S0 - S) + gamma x (S2 - S), one rounding. */
		int64_t rr = r->f + muldiv(lo * r->alpha + vlo * r->gamma, 1, DMFA_RATE_ONE);
		int64_t amount = muldiv(rr, num, d_full);
		if (amount > 0)
			o->ded[o->nded++] = (struct dmfa_deduction){ 3000, amount };
	}
	r = find_reduce(p, 4300, cat);
	if (r && s >= r->smin) {
		int listed = 0;
		for (int i = 0; i < r->ncodes; i++)
			listed |= r->codes[i] == worker_code;
		int64_t amount = muldiv(r->g, num, d_full);
		if (amount > r->cap)
			amount = r->cap;
		if (listed && amount > 0)
			o->ded[o->nded++] = (struct dmfa_deduction){ 4300, amount };
	}
}

/* Lower the deductions, last first, until they total at most limit. */
static void
cap_deductions(struct dmfa_wr *wr, int64_t limit)
{
	int64_t total = 0;
	for (int i = 0; i < wr->nocc; i++)
		for (int k = 0; k < wr->occ[i].nded; k++)
			total += wr->occ[i].ded[k].amount;
	for (int i = wr->nocc - 1; i >= 0 && total > limit; i--) {
		struct dmfa_occ *o = &wr->occ[i];
		for (int k = o->nded - 1; k >= 0 && total > limit; k--) {
			int64_t cut = total - limit < o->ded[k].amount ? total - limit : o->ded[k].amount;
			o->ded[k].amount -= cut;
			total -= cut;
			if (o->ded[k].amount == 0) {
				memmove(&o->ded[k], &o->ded[k + 1], (size_t)(o->nded - k - 1) * sizeof o->ded[0]);
				o->nded--;
			}
		}
	}
}

/* The special social security contribution (856) as the payroll withheld
 * it: type 0 and no basis, as in the official DmfA samples; it is owed to
 * the ONSS with the rest. */
static gw_rc
add_856(struct dmfa_wr *wr, char *errbuf, size_t errcap)
{
	if (wr->ssc <= 0)
		return GW_OK;
	if (wr->ssc > MAX_AMOUNT11) {
		snprintf(errbuf, errcap, "special social security contribution beyond the DmfA zone limit");
		return GW_EINPUT;
	}
	struct dmfa_contrib *c = &wr->contrib[wr->ncontrib++];
	c->code = 856;
	c->ctype = 0;
	c->basis = -1;
	c->amount = wr->ssc;
	wr->owed += c->amount;
	return GW_OK;
}

static int
is_exempt(const struct dmfa_employer *em, int code)
{
	for (int i = 0; i < em->nexempt; i++)
		if (em->exempt[i] == code)
			return 1;
	return 0;
}

static struct dmfa_contrib *
add_line(struct dmfa_wr *wr, int code, int ctype, int64_t basis, int64_t rate)
{
	struct dmfa_contrib *c = &wr->contrib[wr->ncontrib++];
	c->code = code;
	c->ctype = ctype;
	c->basis = basis;
	c->amount = muldiv(basis, rate, PCT_DIV);
	wr->owed += c->amount;
	return c;
}

gw_rc
dmfa_contrib_compute(struct dmfa_wr *wr, const struct dmfa_code_rule *rule,
                     const struct dmfa_params *p, char *errbuf, size_t errcap)
{
	int64_t gross = 0;
	wr->ncontrib = 0;
	wr->owed = 0;
	for (int i = 0; i < wr->nocc; i++) {
		/* Remuneration 007 is exit holiday pay "subject to contributions":
		 * in the basis beside the pay; 011 is not. */
		gross += wr->occ[i].gross + wr->occ[i].exit_pay;
		wr->occ[i].remun_code = rule->kind == DMFA_RULE_FLEXI ? 22 : 1;
		wr->occ[i].nded = 0;
	}
	int64_t basis = muldiv(gross, rule->basis_pct, 100);
	if (basis > MAX_AMOUNT11) {
		snprintf(errbuf, errcap, "contribution basis beyond the DmfA zone limit");
		return GW_EINPUT;
	}

	if (rule->parts == 0) {
		/* The older table form: one flat rate plus the extra lines. */
		add_line(wr, wr->worker_code, rule->ctype, basis, p->rate_worker + p->rate_employer);
		for (size_t i = 0; i < p->nextras; i++)
			add_line(wr, p->extras[i].code, p->extras[i].ctype, basis, p->extras[i].rate);
		return add_856(wr, errbuf, errcap);
	}

	const struct dmfa_employer *em = dmfa_params_employer(p, wr->noss);
	if (!em) {
		snprintf(errbuf, errcap, "employer %09u: no employer.%09u (or employer.default) line in the "
		         "parameter table for quarter %d: its class, size and closure-fund code decide "
		         "the contributions", wr->noss, wr->noss, p->quarter);
		return GW_EINPUT;
	}
	int64_t rate;
	gw_rc rc = dmfa_contrib_rate(p, rule->parts, em->employer_class, &rate, errbuf, errcap);
	if (rc != GW_OK)
		return rc;
	const struct dmfa_contrib *main_line = add_line(wr, wr->worker_code, rule->ctype, basis, rate);
	if (rule->kind == DMFA_RULE_FLEXI)
		return GW_OK;    /* flexi pay: the special contribution only, no reduction */

	for (size_t i = 0; i < p->nsupps; i++) {
		const struct dmfa_supp *s = &p->supps[i];
		if (em->workers < s->min_workers || (s->max_workers && em->workers >= s->max_workers) ||
		    (s->fso && s->fso != em->fso) || is_exempt(em, s->code))
			continue;
		add_line(wr, s->code, s->ctype, basis, s->rate);
	}
	for (size_t i = 0; i < p->nextras; i++)
		add_line(wr, p->extras[i].code, p->extras[i].ctype, basis, p->extras[i].rate);
	if ((rc = add_856(wr, errbuf, errcap)) != GW_OK)
		return rc;

	if (p->nreduces == 0)
		return GW_OK;
	for (int i = 0; i < wr->nocc; i++)
		occ_reductions(&wr->occ[i], wr->worker_code, em->employer_class, p);
	/* A reduction lowers employer contributions only: never more than the
	 * employer's share of the worker-code line. */
	int64_t personal = muldiv(basis, personal_rate(p, rule->parts, em->employer_class), PCT_DIV);
	cap_deductions(wr, main_line->amount > personal ? main_line->amount - personal : 0);
	for (int i = 0; i < wr->nocc; i++)
		for (int k = 0; k < wr->occ[i].nded; k++)
			wr->owed -= wr->occ[i].ded[k].amount;
	return GW_OK;
}

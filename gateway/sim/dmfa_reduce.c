/*
 * sim/dmfa_reduce.c - the simulated ONSS recomputes the structural
 * reduction (DeductionCode 3000) of every occupation and answers anomaly
 * 00089-044 ("Berekend bedrag verschilt van het aangegeven bedrag", class
 * NP) where the employer claims more than it computes, or claims it for a
 * quarter and employer category it has no formula for.
 *
 * Written from the ONSS administrative instructions ("De structurele
 * vermindering"), reading only the XML the gateway sent and the
 * simulator's own parameters (schemas/dmfa/sim-rates.txt); never includes
 * the gateway's DmfA builder (onss/dmfa/), so that a builder mistake in
 * mu, S or W shows here instead of being shared. Owns nothing.
 *
 * The reading, zone by zone (docs/dmfa.md "What the simulator recomputes"):
 *   D  = 13 x WorkingDaysSystem (zone 00047; hundredths of a day)
 *   mu = days / D, at most 1; the days are the occupation's ServiceNbrDays
 *        (00063) of the service codes covered by pay (annex 8, codes 1 to
 *        14: work, the manual workers' holidays, and the paid absences);
 *        15 (holidays inside the flexi pay) and 20 on (unpaid days, days
 *        paid by social security) do not count
 *   W  = the occupation's RemunAmount (00070), less the codes the ONSS
 *        leaves out of the wage mass: 6, 7, 11, 13, 23
 *   S  = W / mu;  R = F + ALPHA (S0 - S) + GAMMA (S2 - S), each term only
 *        when positive; amount = R x mu, rounded half up to the cent once
 * An occupation paid a flexi wage (remuneration 22) gets no reduction.
 * Under-claiming is never an anomaly: the employer may claim less (and the
 * builder lowers a record's reductions to the employer's share of its
 * contribution line).
 */
#include "sim/dmfa_check.h"
#include "sim/dmfa_check_int.h"

#include <stdio.h>
#include <string.h>

/* Service codes whose days count in mu: annex 8's days covered by pay. */
static int
service_counts(long long code)
{
	return code >= 1 && code <= 14;
}

/* Remuneration codes the ONSS leaves out of the wage mass W. */
static int
remun_outside_w(long long code)
{
	return code == 6 || code == 7 || code == 11 || code == 13 || code == 23;
}

long long
simd_reduction_amount(const struct simd_reduction *p, long long days, long long wds, long long w)
{
	/* Exact in integers: with d = min(days, D), S = W D / d, and
	 * R x mu = (F 10^4 d + ALPHA (S0 d - W D) + GAMMA (S2 d - W D)) / (10^4 D),
	 * so one rounding, at the end. */
	__int128 D = (__int128)13 * wds;
	if (days <= 0 || wds <= 0 || w <= 0)
		return 0;
	__int128 d = days < D ? days : D;
	__int128 wd = (__int128)w * D;
	__int128 num = (__int128)p->f * 10000 * d;
	if ((__int128)p->s0 * d > wd)
		num += p->alpha * ((__int128)p->s0 * d - wd);
	if ((__int128)p->s2 * d > wd)
		num += p->gamma * ((__int128)p->s2 * d - wd);
	__int128 den = D * 10000;
	return (long long)((num + den / 2) / den);
}

/* A numeric zone's value; 0 when absent or not digits (reported elsewhere). */
static int
num_of(const xmlNode *n, const char *tag, long long *v)
{
	char buf[64];
	return simdc_zone(n, tag, buf, sizeof buf) && simdc_num(buf, v);
}

void
simdc_occupation_reductions(struct simd_ctx *c, const xmlNode *occ, long long wds)
{
	long long days = 0, w = 0, code, v;
	int flexi = 0;
	if (c->rates == NULL)
		return;
	for (const xmlNode *n = occ->children; n; n = n->next) {
		if (simdc_is_el(n, "Service") && num_of(n, "ServiceCode", &code) && service_counts(code) &&
		    num_of(n, "ServiceNbrDays", &v))
			days += v;
		else if (simdc_is_el(n, "Remun") && num_of(n, "RemunCode", &code) && num_of(n, "RemunAmount", &v)) {
			if (code == 22)
				flexi = 1;
			else if (!remun_outside_w(code))
				w += v;
		}
	}
	for (const xmlNode *n = occ->children; n; n = n->next) {
		long long declared;
		char got[96];
		struct simd_reduction p;
		if (!simdc_is_el(n, "OccupationDeduction") || !num_of(n, "DeductionCode", &code) || code != 3000 ||
		    !num_of(n, "DeductionAmount", &declared) || declared == 0)
			continue;
		if (!simd_rates_reduction(c->rates, c->quarter, c->ec, &p)) {
			/* Claimed where the ONSS has no formula: nothing is due. */
			snprintf(got, sizeof got, "%lld (no formula for %d, category %s)", declared, c->quarter, c->ec);
			simdc_add(c, "00089-044", "DeductionAmount", got);
			continue;
		}
		long long want = flexi ? 0 : simd_reduction_amount(&p, days, wds, w);
		if (declared > want) {
			snprintf(got, sizeof got, "%lld (computed %lld)", declared, want);
			simdc_add(c, "00089-044", "DeductionAmount", got);
		}
	}
}

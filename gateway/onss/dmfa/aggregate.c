/*
 * aggregate.c - the arithmetic of one DmfA worker record (see aggregate.h).
 */
#include "onss/dmfa/aggregate.h"
#include "onss/dmfa/contrib.h"

#include <stdio.h>
#include "core/date.h"
#include <string.h>

/* Zone limits (Zones_DMFA glossary and the XSD). */
#define MAX_SERVICE_DAYS   36600
#define MAX_SERVICE_HOURS  9999999
#define MAX_AMOUNT11       99999999999LL
#define MAX_STUDENT_AMOUNT 999999999LL
#define MAX_STUDENT_HOURS  999
#define MAX_MEAN_HOURS     4800

int64_t
dmfa_muldiv(int64_t a, int64_t b, int64_t c)
{
	__int128 t = (__int128)a * b;
	return (int64_t)((t + c / 2) / c);
}

size_t
dmfa_group_end(const struct dmfa_row *v, size_t n, size_t i, int level)
{
	size_t j = i + 1;
	while (j < n && v[j].noss == v[i].noss &&
	       (level < 1 || v[j].inss == v[i].inss) &&
	       (level < 2 || v[j].worker_code == v[i].worker_code))
		j++;
	return j;
}

/* The terms of one row, as they would start a new occupation. */
static void
occ_key(const struct dmfa_row *r, struct dmfa_occ *o)
{
	memset(o, 0, sizeof *o);
	snprintf(o->jc, sizeof o->jc, "%s", r->jc);
	o->q = r->q;
	o->s = r->s;
	o->contract_type = r->q < r->s ? 1 : 0;
	o->unit = r->unit;
	o->retired = r->retired;
	o->remun_method = r->remun_method;
	o->ext = r->ext;
}

static int
same_terms(const struct dmfa_occ *a, const struct dmfa_occ *b)
{
	return strcmp(a->jc, b->jc) == 0 && a->q == b->q && a->s == b->s &&
	       a->contract_type == b->contract_type && a->unit == b->unit &&
	       a->retired == b->retired && a->remun_method == b->remun_method && a->ext == b->ext;
}

void
dmfa_wr_set_horeca(struct dmfa_wr *wr, int employer_class)
{
	for (int i = 0; i < wr->nocc; i++) {
		struct dmfa_occ *o = &wr->occ[i];
		o->horeca_extra = o->ext && ((strncmp(o->jc, "302", 3) == 0 && employer_class != 317) ||
		                             strncmp(o->jc, "320", 3) == 0);
	}
}

int
dmfa_days_system(int32_t q, int32_t s, int64_t days, int64_t hours)
{
	/* The records carry no weekly schedule. Full time is the reference
	 * person's week of 5 days; part time keeps the length of the days it
	 * worked: Q / (hours per day) = Q x days / hours. */
	int64_t w;
	if (q >= s)
		w = 500;
	else if (days > 0 && hours > 0)
		w = dmfa_muldiv(q, days, hours);
	else
		w = dmfa_muldiv(500, q, s);
	return (int)(w < 100 ? 100 : w > 700 ? 700 : w);
}

gw_rc
dmfa_wr_build(const struct dmfa_row *rows, size_t n, const struct dmfa_params *p,
              struct dmfa_wr *wr, char *errbuf, size_t errcap)
{
	gw_ymd qfirst, qlast;
	if (n == 0 || dmfa_quarter_bounds(p->quarter, &qfirst, &qlast) != GW_OK)
		return GW_EINTERNAL;
	const struct dmfa_code_rule *rule = dmfa_params_rule(p, rows[0].worker_code);
	if (!rule) {
		snprintf(errbuf, errcap, "worker code %03u: no rule in the parameter table", rows[0].worker_code);
		return GW_EINPUT;
	}
	memset(wr, 0, offsetof(struct dmfa_wr, occ));
	wr->ncontrib = 0;
	wr->student_remun = wr->student_amount = wr->owed = 0;
	wr->ssc = 0;
	wr->student_hours = 0;
	wr->noss = rows[0].noss;
	wr->kbo = rows[0].kbo;
	wr->inss = rows[0].inss;
	wr->worker_code = rows[0].worker_code;
	wr->kind = rule->kind;
	wr->nrows = n;

	int64_t gross = 0, hours = 0;
	gw_ymd last_start = 0;
	wr->student_unit = 0;
	for (size_t i = 0; i < n; i++) {
		const struct dmfa_row *r = &rows[i];
		if (r->q > MAX_MEAN_HOURS || r->s > MAX_MEAN_HOURS || r->s <= 0) {
			snprintf(errbuf, errcap, "contract %s: weekly hours Q/S %d/%d outside 0.01..48.00",
			         r->contract_id, r->q, r->s);
			return GW_EINPUT;
		}
		gross += r->gross;
		hours += r->hours;
		wr->ssc += r->ssc;
		if (rule->kind == DMFA_RULE_STUDENT && r->unit && r->start >= last_start) {
			last_start = r->start;
			wr->student_unit = r->unit;
		}
		if (rule->kind == DMFA_RULE_STUDENT)
			continue;
		struct dmfa_occ k;
		occ_key(r, &k);
		struct dmfa_occ *o = wr->nocc ? &wr->occ[wr->nocc - 1] : NULL;
		/* One occupation per contract; a contract of the same terms that
		 * starts at the latest the day after the previous one ends
		 * continues it. A gap is never bridged. */
		if (!o || !same_terms(o, &k) || o->goes_on ||
		    r->start > date_add_days(o->end, 1)) {
			if (wr->nocc == DMFA_MAX_OCC) {
				snprintf(errbuf, errcap, "more than %d occupation changes in the quarter", DMFA_MAX_OCC);
				return GW_EINPUT;
			}
			o = &wr->occ[wr->nocc++];
			*o = k;
			o->start = r->start;
			o->end = r->end;
		}
		if (r->end > o->end)
			o->end = r->end;
		if (r->goes_on)
			o->goes_on = 1;
		o->days += r->days;
		o->hours += r->hours;
		o->gross += r->gross;
		o->hol_days += r->hol_days;
		o->hol_hours += r->hol_hours;
		o->copyright += r->copyright;
		o->exit_pay += r->exit_pay;
		o->exit_pay_exempt += r->exit_pay_exempt;
		if (o->days > MAX_SERVICE_DAYS || o->hours > MAX_SERVICE_HOURS || o->gross > MAX_AMOUNT11 ||
		    o->hol_days > MAX_SERVICE_DAYS || o->hol_hours > MAX_SERVICE_HOURS ||
		    o->copyright > MAX_AMOUNT11 || o->exit_pay > MAX_AMOUNT11 || o->exit_pay_exempt > MAX_AMOUNT11) {
			snprintf(errbuf, errcap, "occupation from %d: days, hours or pay beyond the DmfA zone limits",
			         o->start);
			return GW_EINPUT;
		}
	}

	/* The days-per-week system of each occupation. */
	for (int i = 0; i < wr->nocc; i++) {
		struct dmfa_occ *o = &wr->occ[i];
		o->wds = dmfa_days_system(o->q, o->s, o->days, o->hours);
	}

	if (rule->kind == DMFA_RULE_STUDENT) {
		wr->student_remun = gross;
		wr->student_amount = dmfa_muldiv(gross, p->rate_student, 100LL * DMFA_RATE_ONE);
		wr->student_hours = (int)dmfa_muldiv(hours, 1, 100);
		if (gross > MAX_STUDENT_AMOUNT || wr->student_hours > MAX_STUDENT_HOURS) {
			snprintf(errbuf, errcap, "student pay or hours beyond the DmfA zone limits");
			return GW_EINPUT;
		}
		wr->owed = wr->student_amount;
		return GW_OK;
	}

	/* Ordinary and flexi: the contribution engine. */
	return dmfa_contrib_compute(wr, rule, p, errbuf, errcap);
}

/*
 * rows.c - collecting, de-duplicating, quota-splitting and ordering the
 * contract rows of a DmfA quarter (see rows.h).
 */
#include "onss/dmfa/rows.h"
#include "core/array.h"
#include "onss/dmfa/units.h"
#include "core/date.h"

#include <stdlib.h>
#include <string.h>

#include "records/reader.h"
#include "records/worker_regime.h"

/* Round a*b/c half up; all non-negative, c > 0. */
static int64_t
muldiv_round(int64_t a, int64_t b, int64_t c)
{
	__int128 t = (__int128)a * b;
	return (int64_t)((t + c / 2) / c);
}

gw_rc
dmfa_quarter_bounds(int quarter, gw_ymd *first, gw_ymd *last)
{
	static const int last_day[5] = { 0, 331, 630, 930, 1231 };
	int y = quarter / 10, q = quarter % 10;
	if (y < 2003 || y > 9999 || q < 1 || q > 4)
		return GW_EINPUT;
	*first = y * 10000 + ((q - 1) * 3 + 1) * 100 + 1;
	*last = y * 10000 + last_day[q];
	return GW_OK;
}

gw_rc
dmfa_quarter_parse(const char *s, int *quarter)
{
	char d[6];
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == 5)
				return GW_EINPUT;
			d[n++] = *p;
		} else if (!(n == 4 && (*p == 'Q' || *p == 'q' || *p == '-'))) {
			return GW_EINPUT;
		}
	}
	if (n != 5)
		return GW_EINPUT;
	int v = 0;
	for (size_t i = 0; i < 5; i++)
		v = v * 10 + (d[i] - '0');
	gw_ymd a, b;
	if (dmfa_quarter_bounds(v, &a, &b) != GW_OK)
		return GW_EINPUT;
	*quarter = v;
	return GW_OK;
}

void
dmfa_rows_init(struct dmfa_rows *r)
{
	memset(r, 0, sizeof *r);
}

void
dmfa_rows_free(struct dmfa_rows *r)
{
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Digits of s as an unsigned number; s was validated by the reader. */
static uint64_t
digits(const char *s)
{
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static gw_rc
push(struct dmfa_rows *r, const struct dmfa_row *row)
{
	if (ARRAY_RESERVE(r->v, r->n, r->cap, 1024) != GW_OK)
		return GW_ENOMEM;
	r->v[r->n++] = *row;
	return GW_OK;
}

gw_rc
dmfa_rows_add(struct dmfa_rows *r, const struct contract *c, int quarter)
{
	/* Every revision is kept until de-duplication. */
	struct dmfa_row row;
	memset(&row, 0, sizeof row);
	snprintf(row.contract_id, sizeof row.contract_id, "%s", c->contract_id);
	snprintf(row.jc, sizeof row.jc, "%s", c->joint_committee);
	snprintf(row.wtype, sizeof row.wtype, "%s", c->worker_type);
	row.revision = c->revision;
	row.noss = (uint32_t)digits(c->employer_noss);
	row.kbo = digits(c->employer_kbo);
	row.inss = c->worker_inss[0] ? digits(c->worker_inss) : 0;
	row.unit = c->employer_unit_id[0] ? digits(c->employer_unit_id) : 0;
	row.worker_code = (uint16_t)digits(c->worker_code);
	row.cancelled = c->status == CONTRACT_CANCELLED;
	row.start = c->start_date;
	row.open_ended = c->end_date == 0 && c->start_date != 0;
	row.end = c->end_date ? c->end_date : c->start_date;
	row.s = (int32_t)(c->reference_weekly_hours > 0 ? c->reference_weekly_hours : 3800);
	row.q = (int32_t)(c->weekly_hours > 0 ? c->weekly_hours : row.s);
	row.days = c->days_worked;
	row.hours = c->hours_worked;
	row.gross = c->gross_wage_cents;
	row.retired = (uint8_t)c->retired;
	row.ext = strcmp(c->worker_type, "EXT") == 0;
	row.remun_method = (uint8_t)c->remun_method;
	row.hol_days = c->legal_holiday_days;
	row.hol_hours = c->legal_holiday_hours;
	row.copyright = c->copyright_fees_cents;
	row.exit_pay = c->exit_holiday_pay_cents;
	row.exit_pay_exempt = c->exit_holiday_pay_exempt_cents;
	row.ssc = c->special_ss_contribution_cents;
	for (int i = 0; i < c->nquarter_figures; i++)
		if (c->quarter_figures[i].quarter == quarter) {
			row.qfig = 1;
			row.days = c->quarter_figures[i].days;
			row.hours = c->quarter_figures[i].hours;
			row.gross = c->quarter_figures[i].cents;
		}
	return push(r, &row);
}

gw_rc
dmfa_rows_add_json(struct dmfa_rows *r, const char *json, size_t len, int quarter,
                   struct record_rejection *rej)
{
	struct contract *c = malloc(sizeof *c);
	if (!c)
		return GW_ENOMEM;
	gw_rc rc = contract_from_json(json, len, c, rej);
	if (rc == GW_OK)
		rc = dmfa_rows_add(r, c, quarter);
	free(c);
	return rc;
}

size_t
dmfa_rows_set_contingent(struct dmfa_rows *r, const char *contract_id, int64_t hours_left)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].contract_id, contract_id) == 0) {
			r->v[i].contingent_left = hours_left < 0 ? 0 : hours_left;
			r->v[i].contingent_known = 1;
			n++;
		}
	return n;
}

static int
cmp_id_rev(const void *a, const void *b)
{
	const struct dmfa_row *x = a, *y = b;
	int c = strcmp(x->contract_id, y->contract_id);
	if (c)
		return c;
	return x->revision > y->revision ? -1 : x->revision < y->revision;
}

static int
cmp_person_date(const void *a, const void *b)
{
	const struct dmfa_row *x = a, *y = b;
	if (x->inss != y->inss)
		return x->inss < y->inss ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->contract_id, y->contract_id);
}

static int
cmp_output(const void *a, const void *b)
{
	const struct dmfa_row *x = a, *y = b;
	if (x->noss != y->noss)
		return x->noss < y->noss ? -1 : 1;
	if (x->inss != y->inss)
		return x->inss < y->inss ? -1 : 1;
	if (x->worker_code != y->worker_code)
		return x->worker_code < y->worker_code ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	int c = strcmp(x->contract_id, y->contract_id);
	if (c)
		return c;
	return (int)x->split - (int)y->split;
}

/* Split student hours over the yearly quota: rows of earlier quarters of
 * the year use it up first; within the quarter, in date order; where a
 * Dimona answer reported the contingent across employers
 * (dmfa_rows_set_contingent), that count wins when it leaves less. The part
 * over the quota becomes a row under the rule's overflow code, with pay
 * and days in proportion to the hours. */
static gw_rc
apply_student_quota(struct dmfa_rows *r, const struct dmfa_params *p, gw_ymd first, gw_ymd last)
{
	struct dmfa_rows extra;
	dmfa_rows_init(&extra);
	gw_rc rc = GW_OK;
	int64_t quota = (int64_t)p->student_quota_hours * 100;

	qsort(r->v, r->n, sizeof *r->v, cmp_person_date);
	for (size_t i = 0; i < r->n;) {
		size_t j = i;
		int64_t used = 0;
		while (j < r->n && r->v[j].inss == r->v[i].inss)
			j++;
		for (size_t k = i; k < j; k++) {
			struct dmfa_row *row = &r->v[k];
			const struct dmfa_code_rule *rule = dmfa_params_rule(p, row->worker_code);
			if (row->inss == 0 || !rule || rule->kind != DMFA_RULE_STUDENT || row->start > last)
				continue;
			if (row->start < first) {
				used += row->hours;
				continue;
			}
			int64_t left = quota - used;
			/* The input knows only this cooperative's hours; the Dimona
			 * answer knows the other employers' too. */
			if (row->contingent_known && row->contingent_left < left) {
				left = row->contingent_left;
				used = quota - left;     /* the ONSS's count from here on */
			}
			if (left < 0)
				left = 0;
			if (row->hours <= left) {
				used += row->hours;
				continue;
			}
			if (left == 0) {
				row->worker_code = (uint16_t)rule->overflow_code;
				row->split = 1;
				continue;
			}
			struct dmfa_row over = *row;
			int64_t g_in = muldiv_round(row->gross, left, row->hours);
			int64_t d_in = muldiv_round(row->days, left, row->hours);
			over.worker_code = (uint16_t)rule->overflow_code;
			over.split = 1;
			over.hours = row->hours - left;
			over.gross = row->gross - g_in;
			over.days = row->days - d_in;
			row->hours = left;
			row->gross = g_in;
			row->days = d_in;
			used = quota;
			if ((rc = push(&extra, &over)) != GW_OK)
				goto out;
		}
		i = j;
	}
	for (size_t k = 0; k < extra.n; k++)
		if ((rc = push(r, &extra.v[k])) != GW_OK)
			goto out;
out:
	dmfa_rows_free(&extra);
	return rc;
}

/* round(v * num / den) for the cumulative share. */
static int64_t
cum(int64_t v, int64_t num, int64_t den)
{
	return muldiv_round(v, num, den);
}

gw_rc
dmfa_row_quarter_share(struct dmfa_row *row, gw_ymd first, gw_ymd last)
{
	if (row->open_ended) {
		/* Declared from its start quarter on, without an ending date;
		 * later quarters only with their own figures, and the holiday
		 * and copyright amounts stay in the start quarter. */
		row->goes_on = 1;
		if (row->start >= first)
			return GW_OK;
		row->hol_days = row->hol_hours = row->copyright = 0;
		return row->qfig ? GW_OK : GW_EINPUT;
	}
	row->goes_on = row->end > last;
	/* The exit holiday pay is paid when the contract ends: all of it in
	 * that quarter, none before (records refuse it without an end_date). */
	if (row->goes_on)
		row->exit_pay = row->exit_pay_exempt = 0;
	if (row->start >= first && row->end <= last)
		return GW_OK;
	int64_t d = row->days, h = row->hours, g = row->gross;
	int64_t span = date_diff_days(row->start, row->end) + 1;
	gw_ymd a = row->start > first ? row->start : first;
	gw_ymd b = row->end < last ? row->end : last;
	int64_t before = date_diff_days(row->start, a);       /* days of the period before a */
	int64_t upto = date_diff_days(row->start, b) + 1;     /* days of the period up to b */
	row->days = cum(row->days, upto, span) - cum(row->days, before, span);
	row->hours = cum(row->hours, upto, span) - cum(row->hours, before, span);
	row->gross = cum(row->gross, upto, span) - cum(row->gross, before, span);
	row->hol_days = cum(row->hol_days, upto, span) - cum(row->hol_days, before, span);
	row->hol_hours = cum(row->hol_hours, upto, span) - cum(row->hol_hours, before, span);
	row->copyright = cum(row->copyright, upto, span) - cum(row->copyright, before, span);
	if (row->qfig) {            /* the record's own figures for the quarter */
		row->days = d;
		row->hours = h;
		row->gross = g;
	}
	return GW_OK;
}

/* Worker codes declared on forfait wages rather than on the pay (annex 2):
 * 011 and 020 (manual workers: Horeca extras of employer categories 317, 097
 * and 497, and tip-paid workers), 486 and 496 (white-collar Horeca extras).
 * The forfait basis is not built (docs/dmfa.md, "Horeca extras"): declaring
 * the real pay under these codes would be wrong without saying so. */
static int
forfait_code(int code)
{
	return code == 11 || code == 20 || code == 486 || code == 496;
}

/* Count one contract of worker type t left out of the DmfA. */
static void
left_out_add(struct dmfa_left_out *l, const char *t)
{
	size_t i = 0;
	while (i < DMFA_LEFT_OUT_TYPES && l->by[i].type[0] != '\0' && strcmp(l->by[i].type, t) != 0)
		i++;
	l->n++;
	if (i == DMFA_LEFT_OUT_TYPES)
		i--;                         /* more types than the table holds: the last bucket */
	if (l->by[i].type[0] == '\0')
		snprintf(l->by[i].type, sizeof l->by[i].type, "%s", t);
	l->by[i].n++;
}

void
dmfa_rows_left_out_text(const struct dmfa_left_out *l, char *buf, size_t cap)
{
	size_t idx[DMFA_LEFT_OUT_TYPES], k = 0, used = 0;
	buf[0] = '\0';
	if (l->n == 0)
		return;
	for (size_t i = 0; i < DMFA_LEFT_OUT_TYPES && l->by[i].type[0] != '\0'; i++) {
		size_t j = k++;
		while (j > 0 && strcmp(l->by[idx[j - 1]].type, l->by[i].type) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	int w = snprintf(buf, cap, "%zu contract%s (", l->n, l->n == 1 ? "" : "s");
	for (size_t j = 0; j < k && w > 0 && (size_t)w < cap; j++) {
		used = (size_t)w;
		w += snprintf(buf + used, cap - used, "%s%s %zu", j ? ", " : "", l->by[idx[j]].type,
		    l->by[idx[j]].n);
	}
	if (w > 0 && (size_t)w < cap)
		snprintf(buf + w, cap - (size_t)w, ")");
}

gw_rc
dmfa_rows_prepare(struct dmfa_rows *r, const struct dmfa_params *p,
                  dmfa_reject_fn reject, void *arg, size_t *nrejected)
{
	gw_ymd first, last;
	gw_rc rc;
	size_t w = 0;

	*nrejected = 0;
	memset(&r->left_out, 0, sizeof r->left_out);
	if ((rc = dmfa_quarter_bounds(p->quarter, &first, &last)) != GW_OK)
		return rc;
	/* 1. the highest revision of each contract; 2. active rows of the year. */
	qsort(r->v, r->n, sizeof *r->v, cmp_id_rev);
	for (size_t i = 0; i < r->n; i++) {
		if (i > 0 && strcmp(r->v[i].contract_id, r->v[i - 1].contract_id) == 0)
			continue;
		const struct dmfa_row *x = &r->v[i];
		/* Earlier rows of the year count for the student quota; a
		 * contract of an earlier year counts when it reaches this quarter. */
		if (x->cancelled || x->start > last ||
		    (x->start / 10000 != first / 10000 && !x->open_ended && x->end < first))
			continue;
		if (!worker_type_has_dmfa(r->v[i].wtype)) {
			/* Dimona only: no DmfA for this worker type; said, not hidden. */
			if (x->open_ended || x->end >= first)
				left_out_add(&r->left_out, x->wtype);
			continue;
		}
		r->v[w++] = r->v[i];
	}
	r->n = w;
	/* 3. the student quota over the calendar year up to this quarter. */
	if ((rc = apply_student_quota(r, p, first, last)) != GW_OK)
		return rc;
	/* 4. the quarter's declarable rows. */
	w = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct dmfa_row *row = &r->v[i];
		if (!row->open_ended && row->end < first)
			continue;
		if (row->start < first && row->open_ended && !row->qfig) {
			if (reject)
				reject(arg, row, "quarter_figures",
				       "open-ended contract going on in this quarter: the record carries no "
				       "figures for it; send a revision with this quarter's quarter_figures "
				       "or with end_date (its figures are then split by calendar days)");
			(*nrejected)++;
			continue;
		}
		if (dmfa_row_quarter_share(row, first, last) != GW_OK) {
			(*nrejected)++;
			continue;
		}
		if (row->inss == 0) {
			if (reject)
				reject(arg, row, "worker_inss",
				       "worker has no INSS yet: held until the BIS number arrives (IDFLUX)");
			(*nrejected)++;
			continue;
		}
		if (forfait_code(row->worker_code)) {
			if (reject)
				reject(arg, row, "worker_code",
				       "declared on forfait wages (Horeca extras, category 317), which the "
				       "gateway does not compute: declare the extra under 015 or 495 on the "
				       "real pay (the ONSS accepts it; marked HorecaExtra E, zone 00795)");
			(*nrejected)++;
			continue;
		}
		if (!dmfa_params_rule(p, row->worker_code)) {
			if (reject)
				reject(arg, row, "worker_code",
				       "no contribution rule for this worker code in the quarter's parameter table");
			(*nrejected)++;
			continue;
		}
		if (row->unit == 0) {
			char err[200];
			if (dmfa_unit_default(row->noss, &row->unit, err, sizeof err) != GW_OK) {
				if (reject)
					reject(arg, row, "employer_unit_id", err);
				(*nrejected)++;
				continue;
			}
			if (row->unit == 0) {
				if (reject)
					reject(arg, row, "employer_unit_id",
					       "anomaly 00042-001 (LocalUnitID missing): no employer_unit_id "
					       "in the record and no default for its employer in dmfa.local_units");
				(*nrejected)++;
				continue;
			}
		}
		r->v[w++] = *row;
	}
	r->n = w;
	qsort(r->v, r->n, sizeof *r->v, cmp_output);
	return GW_OK;
}

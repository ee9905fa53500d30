/*
 * calc.c - EN 16931 amounts of an invoice (see calc.h for the formulas).
 *
 * Owns the per-line amount array of a ubl_totals. Rounds only where the
 * norm rounds (line net, category tax); every sum is exact. Never reads
 * configuration, never does I/O.
 */
#include "peppol/ubl/calc.h"

#include <stdlib.h>
#include <string.h>

decimal
ubl_dec_scale(decimal d, int places)
{
	if (d.scale > places)
		return dec_round(d, places);
	while (d.scale < places) {
		d = dec_mul(d, (decimal){ 10, 1 });   /* *1.0: one more place, same value */
	}
	return d;
}

static decimal
zero2(void)
{
	return (decimal){ 0, 2 };
}

/* The group of (category, rate), created when new; NULL when full. */
static struct ubl_vat_group *
group_for(struct ubl_totals *t, const struct invoice_vat *v)
{
	for (size_t i = 0; i < t->n_groups; i++) {
		struct ubl_vat_group *g = &t->groups[i];
		if (g->category == v->category && g->has_rate == v->has_rate &&
		    (!v->has_rate || dec_cmp(g->rate, v->rate) == 0))
			return g;
	}
	if (t->n_groups == INVOICE_MAX_VAT_GROUPS)
		return NULL;
	struct ubl_vat_group *g = &t->groups[t->n_groups++];
	g->category = v->category;
	g->has_rate = v->has_rate;
	g->rate = v->rate;
	g->taxable = zero2();
	g->tax = zero2();
	g->exemption_code = "";
	g->exemption_reason = "";
	return g;
}

/* The first exemption code and text met in a category become the group's
 * (the record validator made sure the others agree). */
static void
note_exemption(struct ubl_vat_group *g, const struct invoice_vat *v)
{
	if (g->exemption_code[0] == '\0' && v->exemption_reason_code[0])
		g->exemption_code = v->exemption_reason_code;
	if (g->exemption_reason[0] == '\0' && v->exemption_reason[0])
		g->exemption_reason = v->exemption_reason;
}

/* Category order, then rate descending: a stable, readable breakdown. */
static int
group_cmp(const void *a, const void *b)
{
	const struct ubl_vat_group *x = a, *y = b;
	if (x->category != y->category)
		return x->category < y->category ? -1 : 1;
	if (x->has_rate != y->has_rate)
		return x->has_rate ? -1 : 1;
	return -dec_cmp(x->rate, y->rate);
}

gw_rc
ubl_calc(const struct invoice *inv, struct ubl_totals *t)
{
	memset(t, 0, sizeof *t);
	dec_reset_overflow();
	t->line_net = calloc(inv->n_lines ? inv->n_lines : 1, sizeof *t->line_net);
	if (t->line_net == NULL)
		return GW_ENOMEM;
	t->n_lines = inv->n_lines;
	t->line_total = t->allowance_total = t->charge_total = zero2();

	for (size_t i = 0; i < inv->n_lines; i++) {
		const struct invoice_line *l = &inv->lines[i];
		decimal net = ubl_dec_scale(dec_round(dec_mul(l->quantity, l->unit_price), 2), 2);
		t->line_net[i] = net;
		t->line_total = dec_add(t->line_total, net);
		struct ubl_vat_group *g = group_for(t, &l->vat);
		if (g == NULL)
			goto too_many;
		g->taxable = dec_add(g->taxable, net);
		note_exemption(g, &l->vat);
	}
	for (int k = 0; k < 2; k++) {
		const struct invoice_ac *v = k == 0 ? inv->allowances : inv->charges;
		size_t n = k == 0 ? inv->n_allowances : inv->n_charges;
		for (size_t i = 0; i < n; i++) {
			decimal amt = ubl_dec_scale(v[i].amount, 2);
			struct ubl_vat_group *g = group_for(t, &v[i].vat);
			if (g == NULL)
				goto too_many;
			if (k == 0) {
				t->allowance_total = dec_add(t->allowance_total, amt);
				g->taxable = dec_sub(g->taxable, amt);
			} else {
				t->charge_total = dec_add(t->charge_total, amt);
				g->taxable = dec_add(g->taxable, amt);
			}
			note_exemption(g, &v[i].vat);
		}
	}
	t->tax_exclusive = dec_add(dec_sub(t->line_total, t->allowance_total), t->charge_total);

	qsort(t->groups, t->n_groups, sizeof t->groups[0], group_cmp);
	t->tax_total = zero2();
	for (size_t i = 0; i < t->n_groups; i++) {
		struct ubl_vat_group *g = &t->groups[i];
		if (g->has_rate && g->category == VAT_S) {
			/* taxable * rate / 100, exact: dividing by 100 is two more
			 * decimal places; then the one rounding BR-CO-17 allows. */
			decimal raw = dec_mul(g->taxable, g->rate);
			raw.scale += 2;
			g->tax = ubl_dec_scale(dec_round(raw, 2), 2);
		} else {
			g->tax = zero2();     /* Z, E, AE, K, G, O: no tax (BR-x-09) */
		}
		t->tax_total = dec_add(t->tax_total, g->tax);
	}
	t->tax_inclusive = dec_add(t->tax_exclusive, t->tax_total);
	t->payable = t->tax_inclusive;
	if (dec_overflowed())
		goto overflow;
	return GW_OK;
too_many:
	ubl_totals_free(t);
	return GW_EINPUT;
overflow:
	ubl_totals_free(t);
	return GW_EINPUT;
}

void
ubl_totals_free(struct ubl_totals *t)
{
	free(t->line_net);
	t->line_net = NULL;
	t->n_lines = 0;
}

/*
 * peppol_lines.c - the Peppol rules on allowances, charges, lines and
 * prices: PEPPOL-EN16931-R040..R046, R100, R101, R110, R111, R120, R121,
 * R130.
 *
 * Owns the line-amount arithmetic (R120) with exact decimals, rounding the
 * way XPath 2.0 round() does (half towards positive infinity) and dividing
 * the way Saxon divides xs:decimal values (at least 18 places).
 * When a value the rule casts is present but not a number, the official
 * validator stops with a dynamic error; we then leave that rule silent (the
 * CEN decimal rules and the schema report the bad value).
 */
#include "peppol/rules/peppol_int.h"
#include "peppol/rules/peppol_ids.h"

#include <string.h>

/* XPath 2.0 round() of a decimal: floor(x + 0.5). */
static decimal
xp_round(decimal x)
{
	decimal half = { 5, 1 };
	decimal y = dec_add(x, half);
	__int128 p = 1;
	for (int i = 0; i < y.scale; i++)
		p *= 10;
	__int128 q = y.m / p, rem = y.m % p;
	if (rem < 0)
		q -= 1;
	decimal out = { q, 0 };
	return out;
}

/* u:slack(exp, val, 0.02): |exp - val| <= 0.02. */
static bool
within_slack(decimal exp, decimal val)
{
	decimal slack = { 2, 2 };
	return dec_cmp(dec_add(exp, slack), val) >= 0 && dec_cmp(dec_sub(exp, slack), val) <= 0;
}

/* R041, R042 (each its own rule context), else R040 and R043. */
void
peppol_doc_allowance(struct peppol_run *r, xmlNodePtr ac)
{
	xmlNodePtr mfn = rule_child(ac, RULE_NS_CBC, "MultiplierFactorNumeric");
	xmlNodePtr base = rule_child(ac, RULE_NS_CBC, "BaseAmount");
	if (mfn && !base) {
		rule_fire(r->c, "PEPPOL-EN16931-R041", RULE_FATAL, ac);
		return;
	}
	if (!mfn && base) {
		rule_fire(r->c, "PEPPOL-EN16931-R042", RULE_FATAL, ac);
		return;
	}
	if (mfn && base) {
		decimal b, f, a = dec_from_int(0), v;
		int ha = peppol_child_decimal(ac, RULE_NS_CBC, "Amount", &a);
		if (rule_decimal(base, &b) && rule_decimal(mfn, &f) && ha >= 0) {
			dec_reset_overflow();
			gw_rc rc = dec_div(dec_mul(b, f), dec_from_int(100), 20, &v);
			if (rc == GW_OK && !dec_overflowed() && !within_slack(a, v))
				rule_fire(r->c, "PEPPOL-EN16931-R040", RULE_FATAL, ac);
		}
	}
	char ci[32];
	peppol_own_norm(rule_child(ac, RULE_NS_CBC, "ChargeIndicator"), ci, sizeof ci);
	if (strcmp(ci, "true") != 0 && strcmp(ci, "false") != 0)
		rule_fire(r->c, "PEPPOL-EN16931-R043", RULE_FATAL, ac);
}

/* round(sum(Amount of the allowances or charges) * 100) div 100. */
static bool
line_ac_total(xmlNodePtr line, const char *indicator, decimal *out)
{
	decimal sum = dec_from_int(0);
	bool any = false;
	for (xmlNodePtr a = line->children; a != NULL; a = a->next) {
		if (!peppol_is(a, PNS_CAC, "AllowanceCharge") ||
		    !rule_norm_eq(rule_child(a, RULE_NS_CBC, "ChargeIndicator"), indicator))
			continue;
		any = true;
		for (xmlNodePtr m = a->children; m != NULL; m = m->next) {
			decimal v;
			if (!peppol_is(m, PNS_CBC, "Amount"))
				continue;
			if (!rule_decimal(m, &v))
				return false;
			sum = dec_add(sum, v);
		}
	}
	if (!any) {
		*out = dec_from_int(0);
		return true;
	}
	decimal hundred = dec_from_int(100);
	return dec_div(xp_round(dec_mul(sum, hundred)), hundred, 2, out) == GW_OK;
}

/* R120: line net amount = quantity * (price / base quantity) + charges - allowances. */
static void
line_amount(struct peppol_run *r, xmlNodePtr line)
{
	decimal lea = dec_from_int(0), qty = dec_from_int(1), price = dec_from_int(0);
	decimal bq = dec_from_int(1), allow, charge, unit, expect;
	xmlNodePtr pr = rule_child(line, RULE_NS_CAC, "Price");
	if (peppol_child_decimal(line, RULE_NS_CBC, "LineExtensionAmount", &lea) < 0 ||
	    peppol_child_decimal(line, RULE_NS_CBC,
	    r->top_is_invoice ? "InvoicedQuantity" : "CreditedQuantity", &qty) < 0 ||
	    (pr && peppol_child_decimal(pr, RULE_NS_CBC, "PriceAmount", &price) < 0))
		return;
	if (pr) {
		decimal b;
		int h = peppol_child_decimal(pr, RULE_NS_CBC, "BaseQuantity", &b);
		if (h < 0)
			return;
		if (h > 0 && !dec_is_zero(b))
			bq = b;
	}
	if (!line_ac_total(line, "false", &allow) || !line_ac_total(line, "true", &charge))
		return;
	int places = 18;
	if (price.scale > places)
		places = price.scale;
	if (bq.scale > places)
		places = bq.scale;
	dec_reset_overflow();
	if (dec_div(price, bq, places, &unit) != GW_OK)
		return;
	expect = dec_sub(dec_add(dec_mul(qty, unit), charge), allow);
	if (dec_overflowed())
		return;
	if (!within_slack(lea, expect))
		rule_fire(r->c, "PEPPOL-EN16931-R120", RULE_FATAL, line);
}

void
peppol_line(struct peppol_run *r, xmlNodePtr line)
{
	line_amount(r, line);
	xmlNodePtr bqn = rule_path(line, "cac:Price/cbc:BaseQuantity");
	decimal bq;
	if (bqn && rule_decimal(bqn, &bq) && dec_sign(bq) <= 0)
		rule_fire(r->c, "PEPPOL-EN16931-R121", RULE_FATAL, line);
	size_t nref = rule_count(line, RULE_NS_CAC, "DocumentReference");
	if (nref > 1)
		rule_fire(r->c, "PEPPOL-EN16931-R100", RULE_FATAL, line);
	if (nref > 0) {
		bool ok = false;
		for (xmlNodePtr d = line->children; d != NULL && !ok; d = d->next) {
			if (!peppol_is(d, PNS_CAC, "DocumentReference"))
				continue;
			for (xmlNodePtr t = d->children; t != NULL && !ok; t = t->next)
				ok = peppol_is(t, PNS_CBC, "DocumentTypeCode") && rule_text_eq(t, "130");
		}
		if (!ok)
			rule_fire(r->c, "PEPPOL-EN16931-R101", RULE_FATAL, line);
	}
}

/* R044 (no charge at price level) and R046 (net = gross - allowance). */
void
peppol_price_allowance(struct peppol_run *r, xmlNodePtr ac)
{
	if (!rule_norm_eq(rule_child(ac, RULE_NS_CBC, "ChargeIndicator"), "false"))
		rule_fire(r->c, "PEPPOL-EN16931-R044", RULE_FATAL, ac);
	if (rule_child(ac, RULE_NS_CBC, "BaseAmount") == NULL)
		return;
	decimal net, gross, amt;
	int hn = peppol_child_decimal(ac->parent, RULE_NS_CBC, "PriceAmount", &net);
	int hg = peppol_child_decimal(ac, RULE_NS_CBC, "BaseAmount", &gross);
	int ha = peppol_child_decimal(ac, RULE_NS_CBC, "Amount", &amt);
	/* No net price: the comparison's left side is empty, so it is false
	 * before the right side is cast; Saxon fires R046 even when the base
	 * amount is not a number (found by the 3.0.21 differential). */
	if (hn == 0) {
		rule_fire(r->c, "PEPPOL-EN16931-R046", RULE_FATAL, ac);
		return;
	}
	if (hn < 0 || hg < 0 || ha < 0)
		return;
	/* An absent operand makes the comparison empty, hence false. */
	if (hn == 0 || ha == 0 || dec_cmp(net, dec_sub(gross, amt)) != 0)
		rule_fire(r->c, "PEPPOL-EN16931-R046", RULE_FATAL, ac);
}

/* R130: the base quantity's unit is one of the line quantity's units. */
void
peppol_price_base_quantity(struct peppol_run *r, xmlNodePtr bq)
{
	xmlNodePtr line = bq->parent->parent;
	if (line == NULL || line->type != XML_ELEMENT_NODE)
		return;
	if (rule_child(line, RULE_NS_CBC, "InvoicedQuantity") == NULL &&
	    rule_child(line, RULE_NS_CBC, "CreditedQuantity") == NULL)
		return;
	const char *unit = rule_attr(bq, "unitCode");
	const char *qname = r->top_is_invoice ? "InvoicedQuantity" : "CreditedQuantity";
	for (xmlNodePtr q = line->children; q != NULL; q = q->next) {
		const char *u = peppol_is(q, PNS_CBC, qname) ? rule_attr(q, "unitCode") : NULL;
		if (u != NULL && strcmp(u, unit) == 0)
			return;
	}
	rule_fire(r->c, "PEPPOL-EN16931-R130", RULE_FATAL, bq);
}

static long
date_key(long y, int m, int d)
{
	return y * 10000 + m * 100 + d;
}

/* R110 / R111: the line period lies within the document period. */
void
peppol_line_period_date(struct peppol_run *r, xmlNodePtr date, bool start)
{
	const char *which = start ? "StartDate" : "EndDate";
	xmlNodePtr doc = date->parent->parent->parent, hd = NULL;
	for (xmlNodePtr p = doc->children; p != NULL && hd == NULL; p = p->next)
		if (peppol_is(p, PNS_CAC, "InvoicePeriod"))
			hd = rule_child(p, RULE_NS_CBC, which);
	char a[64], b[64];
	long ya, yb;
	int ma, da, mb, db;
	peppol_own_text(date, a, sizeof a);
	rule_text(hd, b, sizeof b);
	/* xs:date(text()) of an element without text is the empty sequence,
	 * and a comparison with it is false: the rule fires. */
	bool has_text = false;
	for (xmlNodePtr k = date->children; k != NULL; k = k->next)
		has_text |= k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE;
	if (!has_text) {
		rule_fire(r->c, start ? "PEPPOL-EN16931-R110" : "PEPPOL-EN16931-R111", RULE_FATAL, date);
		return;
	}
	if (!peppol_parse_date(a, &ya, &ma, &da) || !peppol_parse_date(b, &yb, &mb, &db))
		return;
	long ka = date_key(ya, ma, da), kb = date_key(yb, mb, db);
	if (start && ka < kb)
		rule_fire(r->c, "PEPPOL-EN16931-R110", RULE_FATAL, date);
	if (!start && ka > kb)
		rule_fire(r->c, "PEPPOL-EN16931-R111", RULE_FATAL, date);
}

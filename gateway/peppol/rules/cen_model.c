/*
 * cen_model.c - the CEN "UBL-model" rules whose context is an element
 * below the root: parties, allowances and charges, totals, lines, VAT
 * breakdown and the per-category VAT rules (BR-AE/E/G/IC/AF/AG/O/S/Z -05
 * to -10), BR-CO sums, BR-DEC decimals.
 *
 * Within the pattern the first matching context wins for a node, so each
 * element is routed to at most one context here. Amounts are core/decimal
 * values; "round(x * 10 * 10) div 100" is cen_xround(x, 2) (XPath round:
 * halves go toward positive infinity). Owns nothing.
 */
#include "peppol/rules/cen_internal.h"
#include "peppol/rules/cen_codes.h"

#include <string.h>

#define CBC(n, nm) rule_child((n), RULE_NS_CBC, (nm))
#define CAC(n, nm) rule_child((n), RULE_NS_CAC, (nm))
#define IS_CAC(n, nm) rule_is((n), RULE_NS_CAC, (nm))
#define IS_CBC(n, nm) rule_is((n), RULE_NS_CBC, (nm))

/* An invoice line or a credit note line. */
static bool
is_line(const xmlNode *n)
{
	return IS_CAC(n, "InvoiceLine") || IS_CAC(n, "CreditNoteLine");
}

/* normalize-space(n) = '' (absent counts as empty). */
static bool
norm_empty(const xmlNode *n)
{
	char b[8];
	return rule_norm(n, b, sizeof b) == 0;
}

/* xs:decimal of the first cbc child `nm`; false when absent or invalid. */
static bool
dec_of(const xmlNode *n, const char *nm, decimal *d)
{
	return rule_decimal(CBC(n, nm), d);
}

/* Numeric equality of two exact decimals. */
static bool
dec_eq(decimal a, decimal b)
{
	return dec_cmp(a, b) == 0;
}

/* Absolute value. */
static decimal
dec_abs(decimal a)
{
	return dec_sign(a) < 0 ? dec_neg(a) : a;
}

/* The value of round(|base| * (pct div 100) * 10 * 10) div 100. */
static decimal
vat_of(decimal base, decimal pct)
{
	decimal v = cen_xround(dec_mul(dec_abs(base), pct), 0);
	v.scale += 2;
	return v;
}

/* (abs(tax) - 1 < v) and (abs(tax) + 1 > v) */
static bool
within_one(decimal tax, decimal v)
{
	decimal a = dec_abs(tax), one = dec_from_int(1);
	return dec_cmp(dec_sub(a, one), v) < 0 && dec_cmp(dec_add(a, one), v) > 0;
}

/* BR-DEC: string-length(substring-after(child, '.')) <= 2. */
static void
dec_places(struct cen_run *r, const xmlNode *ctx, const char *child, const char *id)
{
	if (rule_frac_digits(CBC(ctx, child)) > 2)
		cen_fatal(r, id, ctx);
}

/* An allowance/charge reason or reason code is present. */
static bool
has_reason(const xmlNode *ac)
{
	return CBC(ac, "AllowanceChargeReason") || CBC(ac, "AllowanceChargeReasonCode");
}

/* exists(cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/cbc:ID) */
static bool
vat_tc_with_id(const xmlNode *n, const char *name)
{
	for (xmlNode *k = n->children; k != NULL; k = k->next)
		if (rule_is(k, RULE_NS_CAC, name) && cen_vat_scheme(k) && CBC(k, "ID"))
			return true;
	return false;
}

/* Document-level allowance (charge = 0) or charge (charge = 1). */
static void
doc_allowance(struct cen_run *r, xmlNode *ac, int charge)
{
	if (!charge) {
		if (!CBC(ac, "Amount"))
			cen_fatal(r, "BR-31", ac);
		if (!vat_tc_with_id(ac, "TaxCategory"))
			cen_fatal(r, "BR-32", ac);
		if (!has_reason(ac)) {
			cen_fatal(r, "BR-33", ac);
			cen_fatal(r, "BR-CO-21", ac);
		}
		dec_places(r, ac, "Amount", "BR-DEC-01");
		dec_places(r, ac, "BaseAmount", "BR-DEC-02");
	} else {
		if (!CBC(ac, "Amount"))
			cen_fatal(r, "BR-36", ac);
		if (!vat_tc_with_id(ac, "TaxCategory"))
			cen_fatal(r, "BR-37", ac);
		if (!has_reason(ac)) {
			cen_fatal(r, "BR-38", ac);
			cen_fatal(r, "BR-CO-22", ac);
		}
		dec_places(r, ac, "Amount", "BR-DEC-05");
		dec_places(r, ac, "BaseAmount", "BR-DEC-06");
	}
}

/* Line-level allowance or charge. */
static void
line_allowance(struct cen_run *r, xmlNode *ac, int charge)
{
	if (!charge) {
		if (!CBC(ac, "Amount"))
			cen_fatal(r, "BR-41", ac);
		if (!has_reason(ac)) {
			cen_fatal(r, "BR-42", ac);
			cen_fatal(r, "BR-CO-23", ac);
		}
		dec_places(r, ac, "Amount", "BR-DEC-24");
		dec_places(r, ac, "BaseAmount", "BR-DEC-25");
	} else {
		if (!CBC(ac, "Amount"))
			cen_fatal(r, "BR-43", ac);
		if (!has_reason(ac)) {
			cen_fatal(r, "BR-44", ac);
			cen_fatal(r, "BR-CO-24", ac);
		}
		dec_places(r, ac, "Amount", "BR-DEC-27");
		dec_places(r, ac, "BaseAmount", "BR-DEC-28");
	}
}

/* sum(../cac:AllowanceCharge[cbc:ChargeIndicator = charge]/xs:decimal(cbc:Amount)); *any set when one exists */
static decimal
sum_doc_ac(const xmlNode *parent, int charge, bool *any)
{
	decimal s = dec_from_int(0), d;
	*any = false;
	for (xmlNode *k = parent->children; k != NULL; k = k->next) {
		if (!IS_CAC(k, "AllowanceCharge") || !(cen_ac_flags(k) & (charge ? AC_TRUE : AC_FALSE)))
			continue;
		*any = true;
		if (dec_of(k, "Amount", &d))
			s = dec_add(s, d);
	}
	return s;
}

/* cac:LegalMonetaryTotal: presence, BR-CO-10..16 sums, BR-DEC. */
static void
monetary_total(struct cen_run *r, xmlNode *t)
{
	decimal lea, ata, cta, tea, tia, pre, rnd, pay, d;
	bool has_lea = dec_of(t, "LineExtensionAmount", &lea);
	bool has_ata = CBC(t, "AllowanceTotalAmount") != NULL, ok_ata = dec_of(t, "AllowanceTotalAmount", &ata);
	bool has_cta = CBC(t, "ChargeTotalAmount") != NULL, ok_cta = dec_of(t, "ChargeTotalAmount", &cta);
	bool has_tea = dec_of(t, "TaxExclusiveAmount", &tea);
	bool has_tia = dec_of(t, "TaxInclusiveAmount", &tia);
	bool has_pre = CBC(t, "PrepaidAmount") != NULL, ok_pre = dec_of(t, "PrepaidAmount", &pre);
	bool has_rnd = CBC(t, "PayableRoundingAmount") != NULL, ok_rnd = dec_of(t, "PayableRoundingAmount", &rnd);
	bool has_pay = dec_of(t, "PayableAmount", &pay);
	const xmlNode *doc = t->parent;

	if (!CBC(t, "LineExtensionAmount"))
		cen_fatal(r, "BR-12", t);
	if (!CBC(t, "TaxExclusiveAmount"))
		cen_fatal(r, "BR-13", t);
	if (!CBC(t, "TaxInclusiveAmount"))
		cen_fatal(r, "BR-14", t);
	if (!CBC(t, "PayableAmount"))
		cen_fatal(r, "BR-15", t);

	/* BR-CO-10: sum over every line of the document */
	decimal sum = dec_from_int(0);
	for (xmlNode *k = r->root->children; k != NULL; k = k->next)
		if (is_line(k) && dec_of(k, "LineExtensionAmount", &d))
			sum = dec_add(sum, d);
	if (!(has_lea && dec_eq(lea, cen_xround(sum, 2))))
		cen_fatal(r, "BR-CO-10", t);

	bool any;
	decimal sa = sum_doc_ac(doc, 0, &any);
	if (!((ok_ata && dec_eq(ata, cen_xround(sa, 2))) || (!has_ata && !any)))
		cen_fatal(r, "BR-CO-11", t);
	decimal sc = sum_doc_ac(doc, 1, &any);
	if (!((ok_cta && dec_eq(cta, cen_xround(sc, 2))) || (!has_cta && !any)))
		cen_fatal(r, "BR-CO-12", t);

	bool co13;
	if (has_cta && has_ata)
		co13 = has_tea && has_lea && ok_cta && ok_ata &&
		    dec_eq(tea, cen_xround(dec_sub(dec_add(lea, cta), ata), 2));
	else if (!has_cta && has_ata)
		co13 = has_tea && has_lea && ok_ata && dec_eq(tea, cen_xround(dec_sub(lea, ata), 2));
	else if (has_cta && !has_ata)
		co13 = has_tea && has_lea && ok_cta && dec_eq(tea, cen_xround(dec_add(lea, cta), 2));
	else
		co13 = has_tea && has_lea && dec_eq(tea, lea);
	if (!co13)
		cen_fatal(r, "BR-CO-13", t);

	bool co16;
	if (has_pre && !has_rnd)
		co16 = has_pay && has_tia && ok_pre && dec_eq(pay, cen_xround(dec_sub(tia, pre), 2));
	else if (!has_pre && !has_rnd)
		co16 = has_pay && has_tia && dec_eq(pay, tia);
	else if (has_pre && has_rnd)
		co16 = has_pay && has_tia && ok_pre && ok_rnd &&
		    dec_eq(cen_xround(dec_sub(pay, rnd), 2), cen_xround(dec_sub(tia, pre), 2));
	else
		co16 = has_pay && has_tia && ok_rnd && dec_eq(cen_xround(dec_sub(pay, rnd), 2), tia);
	if (!co16)
		cen_fatal(r, "BR-CO-16", t);

	dec_places(r, t, "LineExtensionAmount", "BR-DEC-09");
	dec_places(r, t, "AllowanceTotalAmount", "BR-DEC-10");
	dec_places(r, t, "ChargeTotalAmount", "BR-DEC-11");
	dec_places(r, t, "TaxExclusiveAmount", "BR-DEC-12");
	dec_places(r, t, "TaxInclusiveAmount", "BR-DEC-14");
	dec_places(r, t, "PrepaidAmount", "BR-DEC-16");
	dec_places(r, t, "PayableRoundingAmount", "BR-DEC-17");
	dec_places(r, t, "PayableAmount", "BR-DEC-18");
}

/* cac:InvoiceLine / cac:CreditNoteLine (BR-21..28, BR-CO-04, BR-DEC-23). */
static void
line(struct cen_run *r, xmlNode *l)
{
	decimal d;
	if (norm_empty(CBC(l, "ID")))
		cen_fatal(r, "BR-21", l);
	xmlNode *q = CBC(l, "InvoicedQuantity"), *cq = CBC(l, "CreditedQuantity");
	if (!q && !cq)
		cen_fatal(r, "BR-22", l);
	if (!(q && rule_attr(q, "unitCode")) && !(cq && rule_attr(cq, "unitCode")))
		cen_fatal(r, "BR-23", l);
	if (!CBC(l, "LineExtensionAmount"))
		cen_fatal(r, "BR-24", l);
	if (norm_empty(rule_path(l, "cac:Item/cbc:Name")))
		cen_fatal(r, "BR-25", l);
	xmlNode *pa = rule_path(l, "cac:Price/cbc:PriceAmount");
	if (!pa)
		cen_fatal(r, "BR-26", l);
	if (!(rule_decimal(pa, &d) && dec_sign(d) >= 0))
		cen_fatal(r, "BR-27", l);
	xmlNode *ba = rule_path(l, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount");
	if (ba && !(rule_decimal(ba, &d) && dec_sign(d) >= 0))
		cen_fatal(r, "BR-28", l);
	bool co04 = false;
	for (xmlNode *it = CAC(l, "Item"); it && !co04; it = rule_next_same(it))
		co04 = vat_tc_with_id(it, "ClassifiedTaxCategory");
	if (!co04)
		cen_fatal(r, "BR-CO-04", l);
	dec_places(r, l, "LineExtensionAmount", "BR-DEC-23");
}

/* xs:date(a) >= xs:date(b) on trimmed lexical dates. */
static bool
date_ge(const xmlNode *a, const xmlNode *b)
{
	char x[64], y[64];
	rule_norm(a, x, sizeof x);
	rule_norm(b, y, sizeof y);
	return strncmp(x, y, 10) >= 0;
}

/* cac:InvoicePeriod of the document (BR-29, BR-CO-19) or of a line (BR-30, BR-CO-20). */
static void
period(struct cen_run *r, xmlNode *p, bool in_line)
{
	xmlNode *s = CBC(p, "StartDate"), *e = CBC(p, "EndDate");
	if (s && e && !date_ge(e, s))
		cen_fatal(r, in_line ? "BR-30" : "BR-29", p);
	if (in_line) {
		if (!s && !e)
			cen_fatal(r, "BR-CO-20", p);
	} else if (!s && !e && !CBC(p, "DescriptionCode")) {
		cen_fatal(r, "BR-CO-19", p);
	}
}

/* Number of characters of a UTF-8 string. */
static size_t
utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* BR-CL-08: a "#XXX#" subject code at the start of a document note. */
static void
note_subject(struct cen_run *r, xmlNode *note)
{
	char b[512];
	xmlChar *full = NULL;
	char *t = b;
	if (rule_text(note, b, sizeof b) >= sizeof b - 1) {
		full = xmlNodeGetContent(note);   /* long note: the '#' may be far in */
		if (full == NULL)
			return;
		t = (char *)full;
	}
	char *h = strchr(t, '#'), *h2 = h ? strchr(h + 1, '#') : NULL;
	/* no second '#': substring-before(...,'#') is '', of length 0, not 3 */
	if (h2 != NULL) {
		*h2 = '\0';
		if (utf8_len(h + 1) == 3 && strstr(cen_cl_text_subject_str, h + 1) == NULL)
			cen_fatal(r, "BR-CL-08", note);
	}
	xmlFree(full);
}

/* (A) = (B) as an XPath general comparison: some pair of values is equal. */
static bool
any_equal(const xmlNode *ctx_a, const char *pa, const xmlNode *ctx_b, const char *pb)
{
	xmlNodePtr a[16], b[16];
	if (ctx_a == NULL || ctx_b == NULL)
		return false;
	size_t na = rule_path_all(ctx_a, pa, a, 16), nb = rule_path_all(ctx_b, pb, b, 16);
	na = na > 16 ? 16 : na;
	nb = nb > 16 ? 16 : nb;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (rule_same_text(a[i], b[j]))
				return true;
	return false;
}

/* BR-17: the payee is a party other than the seller. */
static void
payee(struct cen_run *r, xmlNode *p)
{
	const xmlNode *sup = CAC(p->parent, "AccountingSupplierParty");
	bool ok = rule_path(p, "cac:PartyName/cbc:Name") != NULL &&
	    !any_equal(p, "cac:PartyName/cbc:Name", sup, "cac:Party/cac:PartyName/cbc:Name") &&
	    !any_equal(p, "cac:PartyIdentification/cbc:ID", sup, "cac:Party/cac:PartyIdentification/cbc:ID");
	if (!ok)
		cen_fatal(r, "BR-17", p);
}

/* BR-49, BR-61. */
static void
payment_means(struct cen_run *r, xmlNode *pm)
{
	xmlNode *code = CBC(pm, "PaymentMeansCode");
	if (!code)
		cen_fatal(r, "BR-49", pm);
	char b[32];
	rule_norm(code, b, sizeof b);
	bool credit = strcmp(b, "30") == 0 || strcmp(b, "58") == 0;
	if (credit && !rule_path(pm, "cac:PayeeFinancialAccount/cbc:ID"))
		cen_fatal(r, "BR-61", pm);
}

/* BR-CO-26: some seller identifier. */
static void
supplier(struct cen_run *r, xmlNode *s)
{
	bool ok = false;
	for (xmlNode *p = CAC(s, "Party"); p && !ok; p = rule_next_same(p)) {
		for (xmlNode *t = CAC(p, "PartyTaxScheme"); t && !ok; t = rule_next_same(t))
			ok = cen_vat_scheme(t) && CBC(t, "CompanyID");
		for (xmlNode *i = CAC(p, "PartyIdentification"); i && !ok; i = rule_next_same(i))
			for (xmlNode *id = CBC(i, "ID"); id && !ok; id = rule_next_same(id)) {
				const char *sc = rule_attr(id, "schemeID");
				ok = sc == NULL || strcmp(sc, "SEPA") != 0;
			}
		if (!ok && rule_path(p, "cac:PartyLegalEntity/cbc:CompanyID"))
			ok = true;
	}
	if (!ok)
		cen_fatal(r, "BR-CO-26", s);
}

/* BR-18, BR-19, BR-56. */
static void
tax_rep(struct cen_run *r, xmlNode *t)
{
	if (norm_empty(rule_path(t, "cac:PartyName/cbc:Name")))
		cen_fatal(r, "BR-18", t);
	if (!CAC(t, "PostalAddress"))
		cen_fatal(r, "BR-19", t);
	bool ok = false;
	for (xmlNode *p = CAC(t, "PartyTaxScheme"); p && !ok; p = rule_next_same(p))
		ok = cen_vat_scheme(p) && CBC(p, "CompanyID");
	if (!ok)
		cen_fatal(r, "BR-56", t);
}

/* BR-CO-14: document TaxTotal equals the rounded sum of its subtotals. */
static void
tax_total(struct cen_run *r, xmlNode *t)
{
	decimal ta, d, sum = dec_from_int(0);
	bool any = false;
	for (xmlNode *s = CAC(t, "TaxSubtotal"); s; s = rule_next_same(s)) {
		any = true;
		if (dec_of(s, "TaxAmount", &d))
			sum = dec_add(sum, d);
	}
	if (any && !(dec_of(t, "TaxAmount", &ta) && dec_eq(ta, cen_xround(sum, 2))))
		cen_fatal(r, "BR-CO-14", t);
}

/* The VAT-scheme TaxCategory of a subtotal, or NULL. */
static xmlNode *
vat_category(const xmlNode *st)
{
	for (xmlNode *k = CAC(st, "TaxCategory"); k; k = rule_next_same(k))
		if (cen_vat_scheme(k))
			return k;
	return NULL;
}

/* BR-45..48, BR-CO-17, BR-DEC-19/20. */
static void
tax_subtotal(struct cen_run *r, xmlNode *s)
{
	if (!CBC(s, "TaxableAmount"))
		cen_fatal(r, "BR-45", s);
	if (!CBC(s, "TaxAmount"))
		cen_fatal(r, "BR-46", s);
	xmlNode *tc = vat_category(s);
	if (!vat_tc_with_id(s, "TaxCategory"))
		cen_fatal(r, "BR-47", s);
	bool pct_el = false, is_o = false;
	for (xmlNode *k = CAC(s, "TaxCategory"); k; k = rule_next_same(k))
		if (cen_vat_scheme(k)) {
			if (CBC(k, "Percent"))
				pct_el = true;
			if (cen_tc_cat(k) == CAT_O)
				is_o = true;
		}
	if (!pct_el && !is_o)
		cen_fatal(r, "BR-48", s);

	decimal pct, ta, tba;
	bool has_pct = tc && dec_of(tc, "Percent", &pct);
	bool has_ta = dec_of(s, "TaxAmount", &ta), has_tba = dec_of(s, "TaxableAmount", &tba);
	bool ok;
	if (has_pct && dec_is_zero(cen_xround(pct, 0)))
		ok = has_ta && dec_is_zero(cen_xround(ta, 0));
	else if (has_pct)
		ok = has_ta && has_tba && within_one(ta, vat_of(tba, pct));
	else
		ok = has_ta && dec_is_zero(cen_xround(ta, 0));
	if (!ok)
		cen_fatal(r, "BR-CO-17", s);
	dec_places(r, s, "TaxableAmount", "BR-DEC-19");
	dec_places(r, s, "TaxAmount", "BR-DEC-20");
}

/* Rule ids per VAT category: -05 (line), -06 (allowance), -07 (charge),
 * -08, -09, -10 (breakdown). */
static const char *const cat_ids[CAT_B][6] = {
	[CAT_AE] = { "BR-AE-05", "BR-AE-06", "BR-AE-07", "BR-AE-08", "BR-AE-09", "BR-AE-10" },
	[CAT_E] = { "BR-E-05", "BR-E-06", "BR-E-07", "BR-E-08", "BR-E-09", "BR-E-10" },
	[CAT_G] = { "BR-G-05", "BR-G-06", "BR-G-07", "BR-G-08", "BR-G-09", "BR-G-10" },
	[CAT_K] = { "BR-IC-05", "BR-IC-06", "BR-IC-07", "BR-IC-08", "BR-IC-09", "BR-IC-10" },
	[CAT_L] = { "BR-AF-05", "BR-AF-06", "BR-AF-07", "BR-AF-08", "BR-AF-09", "BR-AF-10" },
	[CAT_M] = { "BR-AG-05", "BR-AG-06", "BR-AG-07", "BR-AG-08", "BR-AG-09", "BR-AG-10" },
	[CAT_O] = { "BR-O-05", "BR-O-06", "BR-O-07", "BR-O-08", "BR-O-09", "BR-O-10" },
	[CAT_S] = { "BR-S-05", "BR-S-06", "BR-S-07", "BR-S-08", "BR-S-09", "BR-S-10" },
	[CAT_Z] = { "BR-Z-05", "BR-Z-06", "BR-Z-07", "BR-Z-08", "BR-Z-09", "BR-Z-10" },
};

/* The rate test of -05/-06/-07 on a category element. */
static bool
rate_ok(enum cen_cat cat, const xmlNode *tc)
{
	decimal p;
	xmlNode *pe = CBC(tc, "Percent");
	switch (cat) {
	case CAT_O:
		return pe == NULL;
	case CAT_S:
		return rule_decimal(pe, &p) && dec_sign(p) > 0;
	case CAT_L:
	case CAT_M:
		return rule_decimal(pe, &p) && dec_sign(p) >= 0;
	default:
		return rule_decimal(pe, &p) && dec_is_zero(p);
	}
}

/* Any child `what` (TaxCategory or Item/ClassifiedTaxCategory) with the category and, if rate, that percent. */
static bool
cat_match(const xmlNode *owner, bool is_line_el, enum cen_cat cat, const decimal *rate)
{
	bool cat_ok = false, rate_match = rate == NULL;
	const xmlNode *holder = owner;
	const char *nm = "TaxCategory";
	if (is_line_el) {
		holder = CAC(owner, "Item");
		nm = "ClassifiedTaxCategory";
	}
	for (; holder != NULL; holder = is_line_el ? rule_next_same(holder) : NULL) {
		for (xmlNode *k = rule_child(holder, RULE_NS_CAC, nm); k; k = rule_next_same(k)) {
			if (cen_tc_cat(k) == cat)
				cat_ok = true;
			decimal p;
			if (rate && rule_decimal(CBC(k, "Percent"), &p) && dec_eq(p, *rate))
				rate_match = true;
		}
		if (!is_line_el)
			break;
	}
	return cat_ok && rate_match;
}

/* sum(root lines of `which` in cat [at rate]) + charges - allowances. */
static decimal
basis_sum(const xmlNode *root, const char *which, enum cen_cat cat, const decimal *rate)
{
	decimal s = dec_from_int(0), d;
	for (xmlNode *k = root->children; k != NULL; k = k->next) {
		if (rule_is(k, RULE_NS_CAC, which)) {
			if (cat_match(k, true, cat, rate) && dec_of(k, "LineExtensionAmount", &d))
				s = dec_add(s, d);
		} else if (IS_CAC(k, "AllowanceCharge")) {
			unsigned f = cen_ac_flags(k);
			if (f == 0 || !cat_match(k, false, cat, rate) || !dec_of(k, "Amount", &d))
				continue;
			/* an element with both indicators is in both sums */
			if (f & AC_TRUE)
				s = dec_add(s, d);
			if (f & AC_FALSE)
				s = dec_sub(s, d);
		}
	}
	return s;
}

/* Some line (anywhere at root) or allowance/charge of cat at rate. */
static bool
rate_used(const xmlNode *root, const char *which, enum cen_cat cat, const decimal *rate)
{
	for (xmlNode *k = root->children; k != NULL; k = k->next) {
		if (rule_is(k, RULE_NS_CAC, which) && cat_match(k, true, cat, rate))
			return true;
		if (IS_CAC(k, "AllowanceCharge") && cat_match(k, false, cat, rate))
			return true;
		if (is_line(k))
			for (xmlNode *a = CAC(k, "AllowanceCharge"); a; a = rule_next_same(a))
				if (cat_match(a, false, cat, rate))
					return true;
	}
	return false;
}

/* TaxableAmount - 1 < sum < TaxableAmount + 1. */
static bool
tolerant(const xmlNode *st, decimal sum)
{
	decimal tba, one = dec_from_int(1);
	if (!dec_of(st, "TaxableAmount", &tba))
		return false;
	return dec_cmp(dec_sub(tba, one), sum) < 0 && dec_cmp(dec_add(tba, one), sum) > 0;
}

/* -08/-09/-10 of a VAT breakdown entry of category cat. */
static void
breakdown_category(struct cen_run *r, xmlNode *tc, enum cen_cat cat)
{
	const xmlNode *st = tc->parent, *root = r->root;
	const char *const *ids = cat_ids[cat];
	bool il = r->f.any_invoice_line || rule_child(root, RULE_NS_CAC, "InvoiceLine");
	bool cl = r->f.any_credit_line || rule_child(root, RULE_NS_CAC, "CreditNoteLine");
	decimal tba, ta, pct;
	bool reason = CBC(tc, "TaxExemptionReason") || CBC(tc, "TaxExemptionReasonCode");

	if (cat == CAT_S || cat == CAT_L || cat == CAT_M) {
		bool has_pct = dec_of(tc, "Percent", &pct);
		if (has_pct) {
			bool ok;
			if (cat == CAT_S)
				ok = (rate_used(root, "InvoiceLine", cat, &pct) &&
				    tolerant(st, basis_sum(root, "InvoiceLine", cat, &pct))) ||
				    (rate_used(root, "CreditNoteLine", cat, &pct) &&
				    tolerant(st, basis_sum(root, "CreditNoteLine", cat, &pct)));
			else
				ok = (il && tolerant(st, basis_sum(root, "InvoiceLine", cat, &pct))) ||
				    (cl && tolerant(st, basis_sum(root, "CreditNoteLine", cat, &pct)));
			if (!ok)
				cen_fatal(r, ids[3], tc);
		}
		bool ok9 = has_pct && dec_of(st, "TaxAmount", &ta) && dec_of(st, "TaxableAmount", &tba) &&
		    within_one(ta, vat_of(tba, pct));
		if (!ok9)
			cen_fatal(r, ids[4], tc);
		if (reason)
			cen_fatal(r, ids[5], tc);
		return;
	}
	bool has_tba = dec_of(st, "TaxableAmount", &tba);
	bool ok8 = has_tba && ((il && dec_eq(tba, basis_sum(root, "InvoiceLine", cat, NULL))) ||
	    (cl && dec_eq(tba, basis_sum(root, "CreditNoteLine", cat, NULL))));
	if (!ok8)
		cen_fatal(r, ids[3], tc);
	if (!(dec_of(st, "TaxAmount", &ta) && dec_is_zero(ta)))
		cen_fatal(r, ids[4], tc);
	if (cat == CAT_Z ? reason : !reason)
		cen_fatal(r, ids[5], tc);
}

/* cac:TaxCategory contexts: VAT breakdown entries and allowance/charge categories. */
static void
tax_category(struct cen_run *r, xmlNode *tc)
{
	enum cen_cat cat = cen_tc_cat(tc);
	if (cat >= CAT_B || !cen_vat_scheme(tc))
		return;
	const xmlNode *p = tc->parent;
	if (IS_CAC(p, "TaxSubtotal") && IS_CAC(p->parent, "TaxTotal") && p->parent->parent == r->root) {
		breakdown_category(r, tc, cat);
		return;
	}
	if (IS_CAC(p, "AllowanceCharge")) {
		int b = cen_ac_first(p);
		if (b >= 0 && !rate_ok(cat, tc))
			cen_fatal(r, cat_ids[cat][b ? 2 : 1], tc);
	}
}

/* -05 of a line item category. */
static void
classified_category(struct cen_run *r, xmlNode *tc)
{
	enum cen_cat cat = cen_tc_cat(tc);
	if (cat >= CAT_B || !cen_vat_scheme(tc))
		return;
	if (IS_CAC(tc->parent, "Item") && is_line(tc->parent->parent) && !rate_ok(cat, tc))
		cen_fatal(r, cat_ids[cat][0], tc);
}

/* BR-CO-09: the VAT identifier starts with a country prefix. */
static void
party_tax_scheme(struct cen_run *r, xmlNode *pts)
{
	if (!cen_vat_scheme(pts))
		return;
	char b[8] = "";
	xmlNode *id = CBC(pts, "CompanyID");
	if (id != NULL) {
		char full[256];
		rule_text(id, full, sizeof full);
		/* substring(., 1, 2): the first two characters */
		size_t o = 0, chars = 0;
		for (const char *s = full; *s && o + 1 < sizeof b; s++) {
			if (((unsigned char)*s & 0xC0) != 0x80 && ++chars > 2)
				break;
			b[o++] = *s;
		}
		b[o] = '\0';
	}
	if (strstr(cen_cl_vat_prefix_str, b) == NULL)
		cen_fatal(r, "BR-CO-09", pts);
}

/* Routes one element to its UBL-model context (first match wins). */
void
cen_model_element(struct cen_run *r, xmlNode *el)
{
	const char *nm = (const char *)el->name;
	const xmlNode *p = el->parent, *gp = p ? p->parent : NULL;
	bool cac = r->ns == RULE_NSID_CAC, cbc = r->ns == RULE_NSID_CBC;

	if (cbc) {
		if (r->tok == CT_EndpointID && IS_CAC(p, "Party")) {
			if (IS_CAC(gp, "AccountingCustomerParty") && !rule_attr(el, "schemeID"))
				cen_fatal(r, "BR-63", el);
			else if (IS_CAC(gp, "AccountingSupplierParty") && !rule_attr(el, "schemeID"))
				cen_fatal(r, "BR-62", el);
		} else if (r->tok == CT_PrimaryAccountNumberID && IS_CAC(p, "CardAccount") &&
		    IS_CAC(gp, "PaymentMeans")) {
			char b[256];
			rule_norm(el, b, sizeof b);
			if (utf8_len(b) > 10)
				cen_warn(r, "BR-51", el);
		} else if (r->tok == CT_ItemClassificationCode && IS_CAC(p, "CommodityClassification") &&
		    IS_CAC(gp, "Item") && is_line(gp->parent)) {
			if (!rule_attr(el, "listID"))
				cen_fatal(r, "BR-65", el);
		} else if (r->tok == CT_ID && IS_CAC(p, "StandardItemIdentification") &&
		    IS_CAC(gp, "Item") && is_line(gp->parent)) {
			if (!rule_attr(el, "schemeID"))
				cen_fatal(r, "BR-64", el);
		} else if (r->tok == CT_Note && p == r->root && r->root_doc) {
			note_subject(r, el);
		}
		return;
	}
	if (!cac)
		return;
	switch (nm[0]) {
	case 'A':
		if (r->tok == CT_AdditionalDocumentReference) {
			if (norm_empty(CBC(el, "ID")))
				cen_fatal(r, "BR-52", el);
		} else if (r->tok == CT_AllowanceCharge) {
			int b = cen_ac_first(el);
			if (b < 0)
				return;
			if (p == r->root && r->root_doc)
				doc_allowance(r, el, b);
			else if (is_line(p))
				line_allowance(r, el, b);
		} else if (r->tok == CT_Address) {
			if (IS_CAC(p, "DeliveryLocation") && IS_CAC(gp, "Delivery") &&
			    !rule_path(el, "cac:Country/cbc:IdentificationCode"))
				cen_fatal(r, "BR-57", el);
		} else if (r->tok == CT_AdditionalItemProperty) {
			if (!(CBC(el, "Name") && CBC(el, "Value")))
				cen_fatal(r, "BR-54", el);
		} else if (r->tok == CT_AccountingSupplierParty) {
			supplier(r, el);
		}
		return;
	case 'B':
		if (r->tok == CT_BillingReference && !rule_path(el, "cac:InvoiceDocumentReference/cbc:ID"))
			cen_fatal(r, "BR-55", el);
		return;
	case 'C':
		if (r->tok == CT_CreditNoteLine)
			line(r, el);
		else if (r->tok == CT_ClassifiedTaxCategory)
			classified_category(r, el);
		return;
	case 'I':
		if (r->tok == CT_InvoiceLine)
			line(r, el);
		else if (r->tok == CT_InvoicePeriod)
			period(r, el, is_line(p));
		return;
	case 'L':
		if (r->tok == CT_LegalMonetaryTotal)
			monetary_total(r, el);
		return;
	case 'P':
		if (r->tok == CT_PostalAddress) {
			const char *id = NULL;
			if (IS_CAC(p, "Party") && IS_CAC(gp, "AccountingCustomerParty"))
				id = "BR-11";
			else if (IS_CAC(p, "Party") && IS_CAC(gp, "AccountingSupplierParty"))
				id = "BR-09";
			else if (IS_CAC(p, "TaxRepresentativeParty"))
				id = "BR-20";
			if (id && norm_empty(rule_path(el, "cac:Country/cbc:IdentificationCode")))
				cen_fatal(r, id, el);
		} else if (r->tok == CT_PayeeParty) {
			payee(r, el);
		} else if (r->tok == CT_PayeeFinancialAccount) {
			if (IS_CAC(p, "PaymentMeans")) {
				bool credit = false;
				for (xmlNode *c = CBC(p, "PaymentMeansCode"); c; c = rule_next_same(c))
					if (rule_text_eq(c, "30") || rule_text_eq(c, "58"))
						credit = true;
				if (credit && norm_empty(CBC(el, "ID")))
					cen_fatal(r, "BR-50", el);
			}
		} else if (r->tok == CT_PaymentMeans) {
			payment_means(r, el);
		} else if (r->tok == CT_PartyTaxScheme) {
			party_tax_scheme(r, el);
		}
		return;
	case 'T':
		if (r->tok == CT_TaxRepresentativeParty)
			tax_rep(r, el);
		else if (r->tok == CT_TaxTotal && p == r->root && r->root_doc)
			tax_total(r, el);
		else if (r->tok == CT_TaxSubtotal && IS_CAC(p, "TaxTotal"))
			tax_subtotal(r, el);
		else if (r->tok == CT_TaxCategory)
			tax_category(r, el);
		return;
	default:
		return;
	}
}

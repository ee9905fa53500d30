/*
 * peppol_run.c - the Peppol BIS Billing 3.0 rule set (PEPPOL-EN16931-UBL
 * 3.0.19): one walk over the tree, each element dispatched to its rules.
 *
 * Owns rules_peppol_run(), the document-level rules (R001-R007, R053-R055,
 * R080), the party and payment rules, the currency rule R051 and the
 * empty-element rule R008. Schematron semantics are kept: within one
 * pattern an element is checked by the first rule whose context it
 * matches only; contexts match at any depth, as XSLT patterns do, because
 * the official unit tests are fragments.
 * Must never allocate per element, never print, and never read numbers as
 * binary floating point.
 */
#include "peppol/rules/peppol_int.h"
#include "peppol/rules/peppol_ids.h"

#include <string.h>

enum peppol_ns
peppol_ns_of(const xmlNode *n)
{
	if (n->ns == NULL || n->ns->href == NULL)
		return PNS_OTHER;
	const char *h = (const char *)n->ns->href;
	/* All four share this prefix; compare the tail only. */
	static const char pre[] = "urn:oasis:names:specification:ubl:schema:xsd:";
	if (strncmp(h, pre, sizeof pre - 1) != 0)
		return PNS_OTHER;
	h += sizeof pre - 1;
	if (strcmp(h, "CommonBasicComponents-2") == 0)
		return PNS_CBC;
	if (strcmp(h, "CommonAggregateComponents-2") == 0)
		return PNS_CAC;
	if (strcmp(h, "Invoice-2") == 0)
		return PNS_INV;
	if (strcmp(h, "CreditNote-2") == 0)
		return PNS_CN;
	return PNS_OTHER;
}

bool
peppol_is(const xmlNode *n, enum peppol_ns k, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, local) == 0 && peppol_ns_of(n) == k;
}

xmlNodePtr
peppol_parent_is(const xmlNode *n, enum peppol_ns k, const char *local)
{
	xmlNodePtr p = n ? n->parent : NULL;
	return peppol_is(p, k, local) ? p : NULL;
}

int
peppol_child_decimal(const xmlNode *parent, const char *ns, const char *local, decimal *out)
{
	xmlNodePtr k = rule_child(parent, ns, local);
	if (k == NULL)
		return 0;
	return rule_decimal(k, out) ? 1 : -1;
}

bool
peppol_is_amount_name(const char *l)
{
	static const char *const names[] = {
		"AllowanceTotalAmount", "Amount", "BaseAmount", "ChargeTotalAmount",
		"LineExtensionAmount", "PayableAmount", "PayableRoundingAmount", "PrepaidAmount",
		"PriceAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "TaxableAmount",
	};
	return rule_code_in(l, names, sizeof names / sizeof names[0]);
}

/* $profile: the 7th ':'-token of a ProfileID that contains the billing
 * pattern 'urn:fdc:peppol.eu:2017:poacc:billing:([0-9]{2}):1.0' (an
 * unanchored regex: '.' matches any character). */
static void
profile_init(struct peppol_run *r)
{
	char b[512];
	xmlNodePtr p = rule_child(r->top, RULE_NS_CBC, "ProfileID");
	r->profile_unknown = true;
	r->profile_01 = false;
	if (p == NULL)
		return;
	size_t l = rule_norm(p, b, sizeof b);
	static const char head[] = "urn:fdc:peppol.eu:2017:poacc:billing:";
	size_t hl = sizeof head - 1;
	bool found = false;
	for (size_t i = 0; !found && i + hl + 6 <= l; i++) {
		size_t j = 0;
		for (; j < hl; j++)
			if (head[j] != '.' ? b[i + j] != head[j] : false)
				break;
		if (j < hl)
			continue;
		const char *t = b + i + hl;
		found = t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' && t[2] == ':' &&
		    t[3] == '1' && t[5] == '0';
	}
	if (!found)
		return;
	r->profile_unknown = false;
	/* tokenize(., ':')[7] */
	const char *s = b;
	for (int tok = 1; tok < 7; tok++) {
		s = strchr(s, ':');
		if (s == NULL)
			return;
		s++;
	}
	r->profile_01 = strncmp(s, "01", 2) == 0 && (s[2] == ':' || s[2] == '\0');
}

static bool
country_is_de(xmlNodePtr top, const char *party)
{
	char path[160];
	snprintf(path, sizeof path, "%s/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
	    party);
	return rule_norm_upper_eq(rule_path(top, path), "DE");
}

/* R008: an element with no element children and only whitespace text. */
static void
empty_element(struct peppol_run *r, xmlNodePtr e)
{
	for (xmlNodePtr k = e->children; k != NULL; k = k->next) {
		if (k->type == XML_ELEMENT_NODE)
			return;
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content) {
			for (const xmlChar *p = k->content; *p; p++)
				if (!(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
					return;
		}
	}
	rule_fire(r->c, "PEPPOL-EN16931-R008", RULE_FATAL, e);
}

/* XPath "value <= 0" / ">= 0" over every TaxTotal/TaxAmount in currency cur. */
static void
tax_signs(xmlNodePtr doc, const char *cur, bool *le0, bool *ge0)
{
	*le0 = *ge0 = false;
	for (xmlNodePtr t = doc->children; t != NULL; t = t->next) {
		if (!peppol_is(t, PNS_CAC, "TaxTotal"))
			continue;
		for (xmlNodePtr a = t->children; a != NULL; a = a->next) {
			if (!peppol_is(a, PNS_CBC, "TaxAmount"))
				continue;
			const char *c = rule_attr(a, "currencyID");
			decimal v;
			if (c == NULL || strcmp(c, cur) != 0 || !rule_decimal(a, &v))
				continue;
			*le0 |= dec_sign(v) <= 0;
			*ge0 |= dec_sign(v) >= 0;
		}
	}
}

/* Rules with context ubl-invoice:Invoice | ubl-creditnote:CreditNote. */
static void
document_rules(struct peppol_run *r, xmlNodePtr d)
{
	struct rule_ctx *c = r->c;
	if (rule_child(d, RULE_NS_CBC, "ProfileID") == NULL)
		rule_fire(c, "PEPPOL-EN16931-R001", RULE_FATAL, d);
	if (r->profile_unknown)
		rule_fire(c, "PEPPOL-EN16931-R007", RULE_FATAL, d);
	if (rule_count(d, RULE_NS_CBC, "Note") > 1 && !r->de_pair)
		rule_fire(c, "PEPPOL-EN16931-R002", RULE_FATAL, d);
	if (rule_child(d, RULE_NS_CBC, "BuyerReference") == NULL &&
	    rule_path(d, "cac:OrderReference/cbc:ID") == NULL)
		rule_fire(c, "PEPPOL-EN16931-R003", RULE_FATAL, d);
	char b[512];
	rule_norm(rule_child(d, RULE_NS_CBC, "CustomizationID"), b, sizeof b);
	static const char cust[] =
	    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
	if (strncmp(b, cust, sizeof cust - 1) != 0)
		rule_fire(c, "PEPPOL-EN16931-R004", RULE_FATAL, d);
	size_t with = 0, without = 0;
	for (xmlNodePtr t = d->children; t != NULL; t = t->next) {
		if (!peppol_is(t, PNS_CAC, "TaxTotal"))
			continue;
		if (rule_child(t, RULE_NS_CAC, "TaxSubtotal"))
			with++;
		else
			without++;
	}
	if (with != 1)
		rule_fire(c, "PEPPOL-EN16931-R053", RULE_FATAL, d);
	xmlNodePtr tcc = rule_child(d, RULE_NS_CBC, "TaxCurrencyCode");
	if (without != (tcc ? 1u : 0u))
		rule_fire(c, "PEPPOL-EN16931-R054", RULE_FATAL, d);
	if (tcc != NULL) {
		char tc[64], dc[64];
		bool tle, tge, dle, dge;
		rule_norm(tcc, tc, sizeof tc);
		rule_norm(rule_child(d, RULE_NS_CBC, "DocumentCurrencyCode"), dc, sizeof dc);
		tax_signs(d, tc, &tle, &tge);
		tax_signs(d, dc, &dle, &dge);
		if (!((tle && dle) || (tge && dge)))
			rule_fire(c, "PEPPOL-EN16931-R055", RULE_FATAL, d);
	}
}

/* R051: @currencyID equals a top-level DocumentCurrencyCode, exactly. */
static void
currency_rule(struct peppol_run *r, xmlNodePtr e)
{
	const char *cur = rule_attr(e, "currencyID");
	if (cur != NULL) {
		for (xmlNodePtr d = r->top->children; d != NULL; d = d->next)
			if (peppol_is(d, PNS_CBC, "DocumentCurrencyCode") && rule_text_eq(d, cur))
				return;
	}
	rule_fire(r->c, "PEPPOL-EN16931-R051", RULE_FATAL, e);
}

static bool
is_doc_allowance(xmlNodePtr ac)
{
	xmlNodePtr p = ac->parent;
	if (p == NULL || p->type != XML_ELEMENT_NODE)
		return false;
	enum peppol_ns k = peppol_ns_of(p);
	if ((k == PNS_INV && strcmp((const char *)p->name, "Invoice") == 0) ||
	    (k == PNS_CN && strcmp((const char *)p->name, "CreditNote") == 0))
		return true;
	if (peppol_is(p, PNS_CAC, "InvoiceLine"))
		return peppol_parent_is(p, PNS_INV, "Invoice") != NULL;
	if (peppol_is(p, PNS_CAC, "CreditNoteLine"))
		return peppol_parent_is(p, PNS_CN, "CreditNote") != NULL;
	return false;
}

/* A line-period date under a document that has a period with that date. */
static bool
is_line_period_date(xmlNodePtr e, const char *which)
{
	xmlNodePtr per = peppol_parent_is(e, PNS_CAC, "InvoicePeriod");
	if (per == NULL)
		return false;
	xmlNodePtr line = per->parent, doc = line ? line->parent : NULL;
	bool ok = (peppol_is(line, PNS_CAC, "InvoiceLine") && peppol_is(doc, PNS_INV, "Invoice")) ||
	    (peppol_is(line, PNS_CAC, "CreditNoteLine") && peppol_is(doc, PNS_CN, "CreditNote"));
	if (!ok)
		return false;
	for (xmlNodePtr p = doc->children; p != NULL; p = p->next)
		if (peppol_is(p, PNS_CAC, "InvoicePeriod") && rule_child(p, RULE_NS_CBC, which))
			return true;
	return false;
}

/* The main pattern: first matching rule only. */
static void
main_pattern(struct peppol_run *r, xmlNodePtr e, enum peppol_ns k)
{
	const char *n = (const char *)e->name;
	if ((k == PNS_INV && strcmp(n, "Invoice") == 0) || (k == PNS_CN && strcmp(n, "CreditNote") == 0)) {
		document_rules(r, e);
		return;
	}
	if (k == PNS_CBC && strcmp(n, "TaxCurrencyCode") == 0) {
		char a[64], b[64];
		rule_norm(e, a, sizeof a);
		rule_norm(e->parent ? rule_child(e->parent, RULE_NS_CBC, "DocumentCurrencyCode") : NULL,
		    b, sizeof b);
		if (strcmp(a, b) == 0)
			rule_fire(r->c, "PEPPOL-EN16931-R005", RULE_FATAL, e);
		return;
	}
	if (k == PNS_CAC && strcmp(n, "Party") == 0) {
		if (peppol_parent_is(e, PNS_CAC, "AccountingCustomerParty")) {
			if (rule_child(e, RULE_NS_CBC, "EndpointID") == NULL)
				rule_fire(r->c, "PEPPOL-EN16931-R010", RULE_FATAL, e);
			return;
		}
		if (peppol_parent_is(e, PNS_CAC, "AccountingSupplierParty")) {
			if (rule_child(e, RULE_NS_CBC, "EndpointID") == NULL)
				rule_fire(r->c, "PEPPOL-EN16931-R020", RULE_FATAL, e);
			return;
		}
	}
	if (k == PNS_CAC && strcmp(n, "AllowanceCharge") == 0 && is_doc_allowance(e)) {
		peppol_doc_allowance(r, e);
		return;
	}
	if (k == PNS_CAC && strcmp(n, "PaymentMeans") == 0) {
		char b[32];
		rule_norm(rule_child(e, RULE_NS_CBC, "PaymentMeansCode"), b, sizeof b);
		if (strcmp(b, "49") == 0 || strcmp(b, "59") == 0) {
			if (rule_path(e, "cac:PaymentMandate/cbc:ID") == NULL)
				rule_fire(r->c, "PEPPOL-EN16931-R061", RULE_FATAL, e);
			return;
		}
	}
	if (k == PNS_CBC && (peppol_is_amount_name(n) ||
	    (strcmp(n, "TaxAmount") == 0 && (peppol_parent_is(e, PNS_CAC, "TaxSubtotal") ||
	    (peppol_parent_is(e, PNS_CAC, "TaxTotal") &&
	    rule_child(e->parent, RULE_NS_CAC, "TaxSubtotal")))))) {
		currency_rule(r, e);
		return;
	}
	if (k == PNS_CBC && strcmp(n, "StartDate") == 0 && is_line_period_date(e, "StartDate")) {
		peppol_line_period_date(r, e, true);
		return;
	}
	if (k == PNS_CBC && strcmp(n, "EndDate") == 0 && is_line_period_date(e, "EndDate")) {
		peppol_line_period_date(r, e, false);
		return;
	}
	if (k == PNS_CAC && (strcmp(n, "InvoiceLine") == 0 || strcmp(n, "CreditNoteLine") == 0)) {
		peppol_line(r, e);
		return;
	}
	if (k == PNS_CAC && strcmp(n, "AllowanceCharge") == 0 && peppol_parent_is(e, PNS_CAC, "Price")) {
		peppol_price_allowance(r, e);
		return;
	}
	if (k == PNS_CBC && strcmp(n, "BaseQuantity") == 0 && rule_attr(e, "unitCode") != NULL &&
	    peppol_parent_is(e, PNS_CAC, "Price")) {
		peppol_price_base_quantity(r, e);
		return;
	}
	if (k == PNS_CBC)
		peppol_icd(r, e);
}

static void
walk(struct peppol_run *r, xmlNodePtr e)
{
	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		empty_element(r, e);
		enum peppol_ns k = peppol_ns_of(e);
		if (k == PNS_CN && strcmp((const char *)e->name, "CreditNote") == 0 &&
		    rule_path_count(e, "cac:AdditionalDocumentReference") > 1) {
			size_t n50 = 0;
			for (xmlNodePtr a = e->children; a != NULL; a = a->next) {
				if (!peppol_is(a, PNS_CAC, "AdditionalDocumentReference"))
					continue;
				for (xmlNodePtr t = a->children; t != NULL; t = t->next)
					if (peppol_is(t, PNS_CBC, "DocumentTypeCode") && rule_text_eq(t, "50")) {
						n50++;
						break;
					}
			}
			if (n50 > 1)
				rule_fire(r->c, "PEPPOL-EN16931-R080", RULE_FATAL, e);
		}
		if (k != PNS_OTHER) {
			main_pattern(r, e, k);
			peppol_code_lists(r, e, k);
		}
		walk(r, e->children);
	}
}

/* Entry point called by the engine: every Peppol rule over the document. */
void
rules_peppol_run(struct rule_ctx *c)
{
	struct peppol_run r = { .c = c, .top = c->root };
	if (r.top == NULL)
		return;
	r.top_is_invoice = peppol_is(r.top, PNS_INV, "Invoice");
	profile_init(&r);
	r.de_pair = country_is_de(r.top, "cac:AccountingSupplierParty") &&
	    country_is_de(r.top, "cac:AccountingCustomerParty");
	walk(&r, r.top);
}

/*
 * peppol_run.c - the Peppol BIS Billing 3.0 rule set (PEPPOL-EN16931-UBL
 * 3.0.19 and 3.0.21, release.h): one walk over the tree, each element
 * dispatched to its rules.
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

#include <stdint.h>
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

void
peppol_own_text(const xmlNode *e, char *b, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	for (const xmlNode *k = e ? e->children : NULL; k != NULL; k = k->next) {
		if ((k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE) || !k->content)
			continue;
		size_t l = strlen((const char *)k->content);
		if (o + l >= cap)
			l = cap - 1 - o;
		memcpy(b + o, k->content, l);
		o += l;
	}
	b[o] = '\0';
}

void
peppol_own_norm(const xmlNode *e, char *b, size_t cap)
{
	peppol_own_text(e, b, cap);
	size_t o = 0;
	bool pend = false;
	for (size_t i = 0; b[i] != '\0'; i++) {
		char ch = b[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			pend = o > 0;
			continue;
		}
		if (pend)
			b[o++] = ' ';
		pend = false;
		b[o++] = ch;
	}
	b[o] = '\0';
}

/* Classify an element name (one binary search over the rule vocabulary). */
static enum peppol_tok
tok_of(const char *l)
{
	static const struct { const char *name; enum peppol_tok tok; } names[] = {
		{ "ActualDeliveryDate", PT_DATE },
		{ "AllowanceCharge", PT_ALLOWANCE_CHARGE },
		{ "AllowanceChargeReasonCode", PT_ALLOWANCE_CHARGE_REASON_CODE },
		{ "AllowanceTotalAmount", PT_AMOUNT },
		{ "Amount", PT_AMOUNT },
		{ "BaseAmount", PT_AMOUNT },
		{ "BaseQuantity", PT_BASE_QUANTITY },
		{ "ChargeTotalAmount", PT_AMOUNT },
		{ "CompanyID", PT_COMPANY_ID },
		{ "CreditNote", PT_CREDIT_NOTE },
		{ "CreditNoteLine", PT_CREDIT_NOTE_LINE },
		{ "CreditNoteTypeCode", PT_CREDIT_NOTE_TYPE_CODE },
		{ "DescriptionCode", PT_DESCRIPTION_CODE },
		{ "DueDate", PT_DATE },
		{ "EmbeddedDocumentBinaryObject", PT_EMBEDDED_DOCUMENT },
		{ "EndDate", PT_END_DATE },
		{ "EndpointID", PT_ENDPOINT_ID },
		{ "ID", PT_ID },
		{ "Invoice", PT_INVOICE },
		{ "InvoiceLine", PT_INVOICE_LINE },
		{ "InvoiceTypeCode", PT_INVOICE_TYPE_CODE },
		{ "IssueDate", PT_DATE },
		{ "LineExtensionAmount", PT_AMOUNT },
		{ "Party", PT_PARTY },
		{ "PayableAmount", PT_AMOUNT },
		{ "PayableRoundingAmount", PT_AMOUNT },
		{ "PaymentMeans", PT_PAYMENT_MEANS },
		{ "PrepaidAmount", PT_AMOUNT },
		{ "PriceAmount", PT_AMOUNT },
		{ "StartDate", PT_START_DATE },
		{ "TaxAmount", PT_TAX_AMOUNT },
		{ "TaxCategory", PT_TAX_CATEGORY },
		{ "TaxCurrencyCode", PT_TAX_CURRENCY_CODE },
		{ "TaxExclusiveAmount", PT_AMOUNT },
		{ "TaxInclusiveAmount", PT_AMOUNT },
		{ "TaxPointDate", PT_DATE },
		{ "TaxableAmount", PT_AMOUNT },
	};
	size_t lo = 0, hi = sizeof names / sizeof names[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(l, names[mid].name);
		if (c == 0)
			return names[mid].tok;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return PT_NONE;
}

/* tok_of() through the per-run cache; a full cache just computes. */
static enum peppol_tok
tok_cached(struct peppol_run *r, const xmlChar *name)
{
	size_t mask = PEPPOL_TOK_CACHE - 1;
	size_t h = ((uintptr_t)name >> 3) * 2654435761u;
	for (size_t i = 0; i < 8; i++) {
		size_t s = (h + i) & mask;
		if (r->tok_cache[s].name == name)
			return (enum peppol_tok)r->tok_cache[s].tok;
		if (r->tok_cache[s].name == NULL) {
			enum peppol_tok t = tok_of((const char *)name);
			if (r->keep_names && !rule_name_stable(name))
				return t;
			r->tok_cache[s].name = name;
			r->tok_cache[s].tok = (unsigned char)t;
			return t;
		}
	}
	return tok_of((const char *)name);
}

/* Namespace kind of e, remembering each declaration seen in this run. */
static enum peppol_ns
ns_cached(struct peppol_run *r, const xmlNode *e)
{
	if (e->ns == NULL)
		return PNS_OTHER;
	for (size_t i = 0; i < r->nns; i++)
		if (r->ns_seen[i] == e->ns)
			return r->ns_kind[i];
	enum peppol_ns k = peppol_ns_of(e);
	if (r->nns < sizeof r->ns_seen / sizeof r->ns_seen[0]) {
		r->ns_seen[r->nns] = e->ns;
		r->ns_kind[r->nns++] = k;
	}
	return k;
}

/* $profile in 3.0.19: the 7th ':'-token of a ProfileID that contains the
 * billing pattern 'urn:fdc:peppol.eu:2017:poacc:billing:([0-9]{2}):1.0' (an
 * unanchored regex: '.' matches any character). */
static void
profile_init_19(struct peppol_run *r, const char *b, size_t l)
{
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
	r->profile_types = strncmp(s, "01", 2) == 0 && (s[2] == ':' || s[2] == '\0');
}

/* $profile in 3.0.21: a closed list of approved identifiers, compared
 * whole: billing 01 and the two French profiles are '01', billing with
 * response is '02'; P0100/P0101 apply to both. */
static void
profile_init_21(struct peppol_run *r, const char *b)
{
	static const char *const approved[] = {
		"urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
		"urn:peppol:france:billing:regulated",
		"urn:peppol:france:billing:non-regulated",
		"urn:peppol:bis:billing_with_response",
	};
	for (size_t i = 0; i < sizeof approved / sizeof approved[0]; i++)
		if (strcmp(b, approved[i]) == 0) {
			r->profile_unknown = false;
			r->profile_types = true;
			return;
		}
}

/* $profile from the first cbc:ProfileID (several would be an XPath error). */
static void
profile_init(struct peppol_run *r)
{
	char b[512];
	xmlNodePtr p = rule_child(r->top, RULE_NS_CBC, "ProfileID");
	r->profile_unknown = true;
	r->profile_types = false;
	if (p == NULL)
		return;
	size_t l = rule_norm(p, b, sizeof b);
	if (r->r21)
		profile_init_21(r, b);
	else
		profile_init_19(r, b, l);
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
	peppol_own_norm(rule_child(d, RULE_NS_CBC, "CustomizationID"), b, sizeof b);
	static const char cust[] =
	    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
	/* 3.0.21 also refuses an empty segment ("::") anywhere in it. */
	if (strncmp(b, cust, sizeof cust - 1) != 0 || (r->r21 && strstr(b, "::") != NULL))
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
	if (cur != NULL)
		for (size_t i = 0; i < r->ndoc_cur; i++)
			if (strcmp(r->doc_cur[i], cur) == 0)
				return;
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
main_pattern(struct peppol_run *r, xmlNodePtr e, enum peppol_ns k, enum peppol_tok t)
{
	switch (t) {
	case PT_INVOICE:
	case PT_CREDIT_NOTE:
		if ((t == PT_INVOICE && k == PNS_INV) || (t == PT_CREDIT_NOTE && k == PNS_CN))
			document_rules(r, e);
		return;
	case PT_TAX_CURRENCY_CODE:
		if (k == PNS_CBC) {
			char a[64], b[64];
			peppol_own_norm(e, a, sizeof a);
			peppol_own_norm(e->parent ? rule_child(e->parent, RULE_NS_CBC, "DocumentCurrencyCode") : NULL,
			    b, sizeof b);
			if (strcmp(a, b) == 0)
				rule_fire(r->c, "PEPPOL-EN16931-R005", RULE_FATAL, e);
		}
		return;
	case PT_PARTY:
		if (k != PNS_CAC)
			return;
		if (peppol_parent_is(e, PNS_CAC, "AccountingCustomerParty")) {
			if (rule_child(e, RULE_NS_CBC, "EndpointID") == NULL)
				rule_fire(r->c, "PEPPOL-EN16931-R010", RULE_FATAL, e);
		} else if (peppol_parent_is(e, PNS_CAC, "AccountingSupplierParty")) {
			if (rule_child(e, RULE_NS_CBC, "EndpointID") == NULL)
				rule_fire(r->c, "PEPPOL-EN16931-R020", RULE_FATAL, e);
		}
		return;
	case PT_ALLOWANCE_CHARGE:
		if (k != PNS_CAC)
			return;
		if (is_doc_allowance(e))
			peppol_doc_allowance(r, e);
		else if (peppol_parent_is(e, PNS_CAC, "Price"))
			peppol_price_allowance(r, e);
		return;
	case PT_PAYMENT_MEANS:
		if (k == PNS_CAC) {
			char b[32];
			rule_norm(rule_child(e, RULE_NS_CBC, "PaymentMeansCode"), b, sizeof b);
			if ((strcmp(b, "49") == 0 || strcmp(b, "59") == 0) &&
			    rule_path(e, "cac:PaymentMandate/cbc:ID") == NULL)
				rule_fire(r->c, "PEPPOL-EN16931-R061", RULE_FATAL, e);
		}
		return;
	case PT_AMOUNT:
		if (k == PNS_CBC)
			currency_rule(r, e);
		return;
	case PT_TAX_AMOUNT:
		if (k == PNS_CBC && (peppol_parent_is(e, PNS_CAC, "TaxSubtotal") ||
		    (peppol_parent_is(e, PNS_CAC, "TaxTotal") &&
		    rule_child(e->parent, RULE_NS_CAC, "TaxSubtotal"))))
			currency_rule(r, e);
		return;
	case PT_START_DATE:
	case PT_END_DATE:
		if (k == PNS_CBC && is_line_period_date(e, t == PT_START_DATE ? "StartDate" : "EndDate"))
			peppol_line_period_date(r, e, t == PT_START_DATE);
		return;
	case PT_INVOICE_LINE:
	case PT_CREDIT_NOTE_LINE:
		if (k == PNS_CAC)
			peppol_line(r, e);
		return;
	case PT_BASE_QUANTITY:
		if (k == PNS_CBC && rule_attr(e, "unitCode") != NULL && peppol_parent_is(e, PNS_CAC, "Price"))
			peppol_price_base_quantity(r, e);
		return;
	case PT_ENDPOINT_ID:
	case PT_ID:
	case PT_COMPANY_ID:
		if (k == PNS_CBC)
			peppol_icd(r, e);
		return;
	default:
		return;
	}
}

/* R080: at most one project reference (DocumentTypeCode 50) on a credit note. */
static void
project_references(struct peppol_run *r, xmlNodePtr e)
{
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

static void
walk(struct peppol_run *r, xmlNodePtr e)
{
	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		empty_element(r, e);
		enum peppol_tok t = tok_cached(r, e->name);
		if (t != PT_NONE) {
			enum peppol_ns k = ns_cached(r, e);
			if (k != PNS_OTHER) {
				if (t == PT_CREDIT_NOTE && k == PNS_CN)
					project_references(r, e);
				main_pattern(r, e, k, t);
				peppol_code_lists(r, e, k, t);
			}
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
	/* The token cache outlives the run within one dictionary epoch. */
	static _Thread_local struct peppol_tok_slot cache[PEPPOL_TOK_CACHE];
	static _Thread_local unsigned long cache_epoch;
	unsigned long e = rule_names_epoch();
	if (e == 0 || e != cache_epoch) {
		memset(cache, 0, sizeof cache);
		cache_epoch = e;
	}
	r.tok_cache = cache;
	r.keep_names = e != 0;
	r.top_is_invoice = peppol_is(r.top, PNS_INV, "Invoice");
	r.r21 = c->release >= RULE_RELEASE_3_0_21;
	profile_init(&r);
	r.de_pair = country_is_de(r.top, "cac:AccountingSupplierParty") &&
	    country_is_de(r.top, "cac:AccountingCustomerParty");
	for (xmlNodePtr d = r.top->children; d != NULL && r.ndoc_cur < 4; d = d->next) {
		/* A code longer than any currency can never equal a currencyID
		 * that passes; keeping it truncated would be wrong, so skip it. */
		if (peppol_is(d, PNS_CBC, "DocumentCurrencyCode") &&
		    rule_text(d, r.doc_cur[r.ndoc_cur], sizeof r.doc_cur[0]) < sizeof r.doc_cur[0] - 1)
			r.ndoc_cur++;
	}
	walk(&r, r.top);
	peppol_national(&r);
}

/*
 * cen_run.c - the CEN EN 16931 UBL rule set: entry point and the one walk.
 *
 * Walks the document once, depth first; every element is offered to the
 * context matchers of the three CEN patterns (UBL-model, UBL-syntax,
 * Codesmodel) and to the UBL-CR table, and feeds the document facts that
 * the root-context rules read after the walk. Owns no state beyond a run.
 * Must never read the reference files (every table is compiled in) and
 * never use binary floating point.
 */
#include "peppol/rules/cen_internal.h"

#include <string.h>

/* Fire a fatal finding (see cen_internal.h). */
void
cen_fatal(struct cen_run *r, const char *id, const xmlNode *n)
{
	rule_fire(r->c, id, RULE_FATAL, (xmlNodePtr)n);
}

/* Fire a warning finding. */
void
cen_warn(struct cen_run *r, const char *id, const xmlNode *n)
{
	rule_fire(r->c, id, RULE_WARNING, (xmlNodePtr)n);
}

/* VAT category of an exact code string. */
enum cen_cat
cen_cat_of(const char *s)
{
	switch (s[0]) {
	case 'A': return strcmp(s, "AE") == 0 ? CAT_AE : CAT_OTHER;
	case 'E': return s[1] == '\0' ? CAT_E : CAT_OTHER;
	case 'G': return s[1] == '\0' ? CAT_G : CAT_OTHER;
	case 'K': return s[1] == '\0' ? CAT_K : CAT_OTHER;
	case 'L': return s[1] == '\0' ? CAT_L : CAT_OTHER;
	case 'M': return s[1] == '\0' ? CAT_M : CAT_OTHER;
	case 'O': return s[1] == '\0' ? CAT_O : CAT_OTHER;
	case 'S': return s[1] == '\0' ? CAT_S : CAT_OTHER;
	case 'Z': return s[1] == '\0' ? CAT_Z : CAT_OTHER;
	case 'B': return s[1] == '\0' ? CAT_B : CAT_OTHER;
	default: return CAT_OTHER;
	}
}

/* Some cac:TaxScheme with normalize-space(upper-case(cbc:ID)) = 'VAT'. */
bool
cen_vat_scheme(const xmlNode *taxcat)
{
	for (xmlNode *k = taxcat->children; k != NULL; k = k->next)
		if (rule_is(k, RULE_NS_CAC, "TaxScheme") &&
		    rule_norm_upper_eq(rule_child(k, RULE_NS_CBC, "ID"), "VAT"))
			return true;
	return false;
}

/* Category of normalize-space(cbc:ID). */
enum cen_cat
cen_tc_cat(const xmlNode *taxcat)
{
	char b[16];
	rule_norm(rule_child(taxcat, RULE_NS_CBC, "ID"), b, sizeof b);
	return cen_cat_of(b);
}

/* XPath round() on an exact decimal: halves toward positive infinity. */
decimal
cen_xround(decimal x, int places)
{
	if (x.scale <= places)
		return x;
	__int128 d = 1;
	for (int i = places; i < x.scale; i++)
		d *= 10;
	__int128 q = x.m / d, rem = x.m % d;
	if (rem < 0) {          /* floor division */
		q -= 1;
		rem += d;
	}
	if (rem * 2 >= d)
		q += 1;
	decimal out = { q, places };
	return out;
}

static const char *const tok_names[CT_N] = {
	[CT_NONE] = "",
	[CT_AccountingSupplierParty] = "AccountingSupplierParty",
	[CT_AdditionalDocumentReference] = "AdditionalDocumentReference",
	[CT_AdditionalItemProperty] = "AdditionalItemProperty",
	[CT_Address] = "Address",
	[CT_AllowanceCharge] = "AllowanceCharge",
	[CT_AllowanceChargeReasonCode] = "AllowanceChargeReasonCode",
	[CT_BaseQuantity] = "BaseQuantity",
	[CT_BillingReference] = "BillingReference",
	[CT_ClassifiedTaxCategory] = "ClassifiedTaxCategory",
	[CT_CompanyID] = "CompanyID",
	[CT_CreditNoteLine] = "CreditNoteLine",
	[CT_CreditNoteTypeCode] = "CreditNoteTypeCode",
	[CT_CreditedQuantity] = "CreditedQuantity",
	[CT_Delivery] = "Delivery",
	[CT_DescriptionCode] = "DescriptionCode",
	[CT_DocumentCurrencyCode] = "DocumentCurrencyCode",
	[CT_EmbeddedDocumentBinaryObject] = "EmbeddedDocumentBinaryObject",
	[CT_EndpointID] = "EndpointID",
	[CT_ID] = "ID",
	[CT_IdentificationCode] = "IdentificationCode",
	[CT_InvoiceLine] = "InvoiceLine",
	[CT_InvoicePeriod] = "InvoicePeriod",
	[CT_InvoiceTypeCode] = "InvoiceTypeCode",
	[CT_InvoicedQuantity] = "InvoicedQuantity",
	[CT_ItemClassificationCode] = "ItemClassificationCode",
	[CT_LegalMonetaryTotal] = "LegalMonetaryTotal",
	[CT_Note] = "Note",
	[CT_Party] = "Party",
	[CT_PartyTaxScheme] = "PartyTaxScheme",
	[CT_PayeeFinancialAccount] = "PayeeFinancialAccount",
	[CT_PayeeParty] = "PayeeParty",
	[CT_PaymentID] = "PaymentID",
	[CT_PaymentMeans] = "PaymentMeans",
	[CT_PaymentMeansCode] = "PaymentMeansCode",
	[CT_PostalAddress] = "PostalAddress",
	[CT_PrimaryAccountNumberID] = "PrimaryAccountNumberID",
	[CT_TaxCategory] = "TaxCategory",
	[CT_TaxCurrencyCode] = "TaxCurrencyCode",
	[CT_TaxExemptionReasonCode] = "TaxExemptionReasonCode",
	[CT_TaxRepresentativeParty] = "TaxRepresentativeParty",
	[CT_TaxSubtotal] = "TaxSubtotal",
	[CT_TaxTotal] = "TaxTotal",
};

/* bsearch comparator over the token name table. */
static int
cmp_tok(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

/* s (of length l) ends with suffix. */
static bool
name_ends(const char *s, size_t l, const char *suffix, size_t sl)
{
	return l >= sl && memcmp(s + l - sl, suffix, sl) == 0;
}

/* Token and flags of an element name: cached by pointer for the run
 * (names are interned by the parser's dictionary; without one the cache
 * simply misses). */
static void
tok_lookup(struct cen_run *r, const xmlChar *name)
{
	size_t slot = (size_t)(((uint64_t)(uintptr_t)name * 0x9E3779B97F4A7C15u) >> 56) % CEN_TOK_CACHE;
	struct cen_tok_slot *c = &r->tok_cache[slot];
	if (c->name == name) {
		r->tok = (enum cen_tok)c->tok;
		r->flags = c->flags;
		return;
	}
	const char *s = (const char *)name;
	const char *const *hit = bsearch(s, tok_names + 1, CT_N - 1, sizeof tok_names[0], cmp_tok);
	enum cen_tok tok = hit ? (enum cen_tok)(hit - tok_names) : CT_NONE;
	size_t l = strlen(s);
	unsigned f = 0;
	if (name_ends(s, l, "Amount", 6) && !name_ends(s, l, "PriceAmount", 11))
		f |= CF_AMOUNT;
	if (name_ends(s, l, "BinaryObject", 12))
		f |= CF_BINARY;
	static const char *const cl_amounts[] = {
		"AllowanceTotalAmount", "Amount", "BaseAmount", "ChargeTotalAmount",
		"LineExtensionAmount", "PayableAmount", "PayableRoundingAmount", "PrepaidAmount",
		"PriceAmount", "TaxAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "TaxableAmount",
	};
	if (rule_code_in(s, cl_amounts, sizeof cl_amounts / sizeof cl_amounts[0]))
		f |= CF_CL_AMOUNT;
	if (!r->keep_names || rule_name_stable(name)) {
		c->name = name;
		c->tok = (uint8_t)tok;
		c->flags = (uint8_t)f;
	}
	r->tok = tok;
	r->flags = f;
}

/* The ChargeIndicator values of an AllowanceCharge, as a set. */
unsigned
cen_ac_flags(const xmlNode *ac)
{
	unsigned f = 0;
	for (xmlNode *k = rule_child(ac, RULE_NS_CBC, "ChargeIndicator"); k != NULL; k = rule_next_same(k)) {
		int b = rule_bool(k);
		if (b == 0)
			f |= AC_FALSE;
		else if (b == 1)
			f |= AC_TRUE;
	}
	return f;
}

/* Which of the allowance/charge contexts a node takes (allowance first). */
int
cen_ac_first(const xmlNode *ac)
{
	unsigned f = cen_ac_flags(ac);
	return (f & AC_FALSE) ? 0 : (f & AC_TRUE) ? 1 : -1;
}

/* Which kind of TaxCategory position el (a cac:TaxCategory) has; an
 * AllowanceCharge that is both (two indicators) also counts as a charge
 * through *also. */
static enum cen_tck
tc_kind(const struct cen_run *r, const xmlNode *el, int *also)
{
	*also = -1;
	const xmlNode *p = el->parent;
	if (rule_is(p, RULE_NS_CAC, "TaxSubtotal")) {
		const xmlNode *tt = p->parent;
		if (rule_is(tt, RULE_NS_CAC, "TaxTotal") && tt->parent == r->root)
			return TCK_ST_ROOT;
		return TCK_ST_OTHER;
	}
	if (rule_is(p, RULE_NS_CAC, "AllowanceCharge")) {
		unsigned f = cen_ac_flags(p);
		bool top = p->parent == r->root;
		if ((f & AC_FALSE) && (f & AC_TRUE))
			*also = top ? TCK_AC_T_ROOT : TCK_AC_T_SUB;
		if (f & AC_FALSE)
			return top ? TCK_AC_F_ROOT : TCK_AC_F_SUB;
		if (f & AC_TRUE)
			return top ? TCK_AC_T_ROOT : TCK_AC_T_SUB;
		return TCK_AC_NONE;
	}
	return TCK_OTHER;
}

/* First ID compared exactly. */
static enum cen_cat
raw_cat(const xmlNode *taxcat)
{
	char b[16];
	xmlNode *id = rule_child(taxcat, RULE_NS_CBC, "ID");
	if (id == NULL)
		return CAT_OTHER;
	rule_text(id, b, sizeof b);
	return cen_cat_of(b);
}

/* Tracks "more than one distinct value" of an element kind. */
static void
distinct(const xmlNode **first, bool *multi, const xmlNode *el)
{
	if (*multi)
		return;
	if (*first == NULL) {
		*first = el;
		return;
	}
	char a[256], b[256];
	rule_text(*first, a, sizeof a);
	rule_text(el, b, sizeof b);
	if (strcmp(a, b) != 0)
		*multi = true;
}

void
cen_facts_element(struct cen_run *r, const xmlNode *el)
{
	struct cen_facts *f = &r->f;
	const xmlNode *p = el->parent;
	if ((r->ns == RULE_NSID_CAC && r->tok == CT_TaxCategory) || (r->ns == RULE_NSID_CAC && r->tok == CT_ClassifiedTaxCategory)) {
		int also = -1;
		enum cen_tck k = r->tok == CT_ClassifiedTaxCategory ? TCK_CTC : tc_kind(r, el, &also);
		int vat = cen_vat_scheme(el);
		enum cen_cat cat = cen_tc_cat(el), raw = raw_cat(el);
		f->cnt[k][vat][cat]++;
		f->raw[k][vat][raw]++;
		if (also >= 0) {
			f->cnt[also][vat][cat]++;
			f->raw[also][vat][raw]++;
		}
		return;
	}
	if ((r->ns == RULE_NSID_CAC && r->tok == CT_InvoiceLine)) {
		f->any_invoice_line = true;
		return;
	}
	if ((r->ns == RULE_NSID_CAC && r->tok == CT_CreditNoteLine)) {
		f->any_credit_line = true;
		return;
	}
	if ((r->ns == RULE_NSID_CBC && r->tok == CT_IdentificationCode)) {
		if (!rule_text_eq(el, "IT"))
			f->idcode_not_it = true;
		return;
	}
	if ((r->ns == RULE_NSID_CBC && r->tok == CT_PaymentID)) {
		distinct(&f->first_payment_id, &f->payment_id_distinct, el);
		return;
	}
	if ((r->ns == RULE_NSID_CBC && r->tok == CT_PaymentMeansCode)) {
		distinct(&f->first_pm_code, &f->pm_code_distinct, el);
		return;
	}
	if ((r->ns == RULE_NSID_CBC && r->tok == CT_ID) && rule_is(p, RULE_NS_CAC, "PartyIdentification")) {
		const char *s = rule_attr(el, "schemeID");
		if (s != NULL && strcasecmp(s, "SEPA") == 0)
			f->sepa_ids++;
		return;
	}
	if (!(r->ns == RULE_NSID_CBC && r->tok == CT_CompanyID))
		return;
	/* CompanyID: which party and scheme it identifies. */
	const xmlNode *party = p ? p->parent : NULL;
	if (rule_is(p, RULE_NS_CAC, "PartyTaxScheme")) {
		bool vat = false;
		for (xmlNode *k = p->children; k != NULL; k = k->next)
			if (rule_is(k, RULE_NS_CAC, "TaxScheme") &&
			    rule_norm_upper_eq(rule_child(k, RULE_NS_CBC, "ID"), "VAT"))
				vat = true;
		if (rule_is(party, RULE_NS_CAC, "TaxRepresentativeParty")) {
			if (vat)
				f->taxrep_vat_company = true;
			return;
		}
		if (!rule_is(party, RULE_NS_CAC, "Party"))
			return;
		const xmlNode *role = party->parent;
		if (rule_is(role, RULE_NS_CAC, "AccountingSupplierParty")) {
			f->sup_pts_company = true;
			if (vat)
				f->sup_vat_company = true;
		} else if (rule_is(role, RULE_NS_CAC, "AccountingCustomerParty") && vat) {
			f->cust_vat_company = true;
		}
	} else if (rule_is(p, RULE_NS_CAC, "PartyLegalEntity") && rule_is(party, RULE_NS_CAC, "Party") &&
	    rule_is(party->parent, RULE_NS_CAC, "AccountingCustomerParty")) {
		f->cust_legal_company = true;
	}
}

/* Depth-first walk; t is the UBL-CR trie node of el (-1 when off the table). */
static void
walk(struct cen_run *r, xmlNode *el, int t)
{
	r->ns = rule_ns_of(el);
	tok_lookup(r, el->name);
	cen_facts_element(r, el);
	if (el != r->root) {
		cen_model_element(r, el);
		cen_syntax_element(r, el);
		cen_codes_element(r, el);
	}
	if (t >= 0)
		cen_cr_visit(r, t, el);
	cen_cr_anywhere(r, el);
	for (xmlNode *k = el->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		walk(r, k, t >= 0 ? cen_cr_step(t, k) : -1);
	}
}

void
rules_cen_run(struct rule_ctx *c)
{
	struct cen_run r;
	memset(&r, 0, sizeof r);
	/* The token cache outlives the run within one dictionary epoch. */
	static _Thread_local struct cen_tok_slot cache[CEN_TOK_CACHE];
	static _Thread_local unsigned long cache_epoch;
	unsigned long e = rule_names_epoch();
	if (e == 0 || e != cache_epoch) {
		memset(cache, 0, sizeof cache);
		cache_epoch = e;
	}
	r.tok_cache = cache;
	r.keep_names = e != 0;
	r.c = c;
	r.root = c->root;
	r.root_doc = rule_is(r.root, RULE_NS_INV, "Invoice") || rule_is(r.root, RULE_NS_CN, "CreditNote");
	walk(&r, r.root, r.root_doc ? 0 : -1);
	if (r.root_doc) {
		cen_root_rules(&r);
		cen_cr_root(&r);
	}
}

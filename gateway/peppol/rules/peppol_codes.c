/*
 * peppol_codes.c - the Peppol code-list, format and identifier rules:
 * PEPPOL-EN16931-CL001..CL008, P0100..P0112, F001 and PEPPOL-COMMON-R040..
 * R050, with R052..R057 from release 3.0.21.
 *
 * Owns the dispatch of those two Schematron patterns (first matching rule
 * per element). The code tables and the check-digit arithmetic live in
 * peppol_ids.c. Must never fire a rule on an element outside its context.
 */
#include "peppol/rules/peppol_int.h"
#include "peppol/rules/peppol_ids.h"

#include <string.h>

#define IN(s, t) rule_code_in((s), (t), t##_n)

struct icd_rule {
	const char *scheme;
	const char *id;
	enum rule_flag flag;
	bool (*check)(const char *);
	bool endpoint_only;
	bool raw;                    /* reads string() as it is, not normalize-space() */
	bool since_21;               /* new in 3.0.21 */
};

/* In the order of the 3.0.21 Schematron's rules. The schemes are disjoint,
 * so the order only matters for R056-2 (scheme NULL: its context is a VAT
 * CompanyID starting with NL, whatever the scheme), which takes a 0217
 * CompanyID from R057 (the official XSLT agrees). */
static const struct icd_rule icd_rules[] = {
	{ "0088", "PEPPOL-COMMON-R040", RULE_FATAL, peppol_id_gln, false, false, false },
	{ "0192", "PEPPOL-COMMON-R041", RULE_FATAL, peppol_id_no_orgnr, false, false, false },
	{ "0184", "PEPPOL-COMMON-R042", RULE_FATAL, peppol_id_dk_cvr, false, true, false },
	{ "0096", "PEPPOL-COMMON-R052", RULE_FATAL, peppol_id_dk_p, false, true, true },
	{ "0198", "PEPPOL-COMMON-R053", RULE_FATAL, peppol_id_dk_se, false, true, true },
	{ "0208", "PEPPOL-COMMON-R043", RULE_FATAL, peppol_id_be_cbe, false, false, false },
	{ "0201", "PEPPOL-COMMON-R044", RULE_WARNING, peppol_id_it_ipa, false, false, false },
	{ "0210", "PEPPOL-COMMON-R045", RULE_WARNING, peppol_id_it_cf, false, false, false },
	{ "9907", "PEPPOL-COMMON-R046", RULE_WARNING, peppol_id_it_cf, true, false, false },
	{ "0211", "PEPPOL-COMMON-R047", RULE_WARNING, peppol_id_it_piva, false, false, false },
	{ "0007", "PEPPOL-COMMON-R049", RULE_FATAL, peppol_id_se_orgnr, false, false, false },
	{ "0151", "PEPPOL-COMMON-R050", RULE_FATAL, peppol_id_au_abn, false, false, false },
	{ "0106", "PEPPOL-COMMON-R054", RULE_WARNING, peppol_id_nl_kvk, false, false, true },
	{ "0190", "PEPPOL-COMMON-R055", RULE_WARNING, peppol_id_nl_oin, false, false, true },
	{ "9944", "PEPPOL-COMMON-R056-1", RULE_WARNING, peppol_id_nl_vat, false, false, true },
	{ NULL, "PEPPOL-COMMON-R056-2", RULE_WARNING, peppol_id_nl_vat, false, false, true },
	{ "0217", "PEPPOL-COMMON-R057", RULE_WARNING, peppol_id_nl_kvk_branch, false, false, true },
};

/* R056-2 (3.0.21): a Dutch VAT number in a VAT PartyTaxScheme, whatever
 * its scheme. Context cac:PartyTaxScheme[normalize-space(cac:TaxScheme/
 * cbc:ID) = 'VAT']/cbc:CompanyID[starts-with(normalize-space(.), 'NL')].
 * True when the element is in that context (the rule matched). */
static bool
nl_vat_company_id(struct peppol_run *r, xmlNodePtr e)
{
	xmlNodePtr pts = peppol_parent_is(e, PNS_CAC, "PartyTaxScheme");
	if (pts == NULL || strcmp((const char *)e->name, "CompanyID") != 0 ||
	    !rule_norm_eq(rule_path(pts, "cac:TaxScheme/cbc:ID"), "VAT"))
		return false;
	char v[256];
	rule_norm(e, v, sizeof v);
	if (strncmp(v, "NL", 2) != 0)
		return false;
	if (!peppol_id_nl_vat(v))
		rule_fire(r->c, "PEPPOL-COMMON-R056-2", RULE_WARNING, e);
	return true;
}

/* The identifier rules: EndpointID, PartyIdentification/ID and CompanyID
 * carrying one of the checked schemes. Returns true when a rule matched. */
bool
peppol_icd(struct peppol_run *r, xmlNodePtr e)
{
	const char *n = (const char *)e->name;
	bool endpoint = strcmp(n, "EndpointID") == 0;
	bool party_id = strcmp(n, "ID") == 0 && peppol_parent_is(e, PNS_CAC, "PartyIdentification");
	if (!endpoint && !party_id && strcmp(n, "CompanyID") != 0)
		return false;
	const char *scheme = rule_attr(e, "schemeID");
	for (size_t i = 0; i < sizeof icd_rules / sizeof icd_rules[0]; i++) {
		const struct icd_rule *ir = &icd_rules[i];
		if (ir->since_21 && !r->r21)
			continue;
		if (ir->scheme == NULL) {
			if (nl_vat_company_id(r, e))
				return true;
			continue;
		}
		if (scheme == NULL || strcmp(scheme, ir->scheme) != 0 || (ir->endpoint_only && !endpoint))
			continue;
		char v[256];
		if (ir->raw)
			rule_text(e, v, sizeof v);
		else
			rule_norm(e, v, sizeof v);
		if (!ir->check(v))
			rule_fire(r->c, ir->id, ir->flag, e);
		return true;
	}
	return false;
}

/* upper-case(string(n)), without normalising spaces. */
static void
upper_text(const xmlNode *n, char *b, size_t cap)
{
	rule_text(n, b, cap);
	for (char *p = b; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

/* Any ChargeIndicator child whose string value is exactly v. */
static bool
indicator_is(const xmlNode *ac, const char *v)
{
	for (xmlNodePtr k = ac->children; k != NULL; k = k->next)
		if (peppol_is(k, PNS_CBC, "ChargeIndicator") && rule_text_eq(k, v))
			return true;
	return false;
}

/* F001: string-length(text()) = 10 and castable as xs:date. */
static void
date_format(struct peppol_run *r, xmlNodePtr e)
{
	char b[64];
	size_t o = 0;
	for (xmlNodePtr k = e->children; k != NULL && o + 1 < sizeof b; k = k->next) {
		if ((k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE) || !k->content)
			continue;
		for (const xmlChar *p = k->content; *p && o + 1 < sizeof b; p++)
			b[o++] = (char)*p;
	}
	b[o] = '\0';
	/* string-length counts characters; a 10-byte ASCII date is 10 of them. */
	long y;
	int m, d;
	char full[64];
	rule_text(e, full, sizeof full);
	if (o != 10 || !peppol_parse_date(full, &y, &m, &d))
		rule_fire(r->c, "PEPPOL-EN16931-F001", RULE_FATAL, e);
}

/* P0104..P0111: the exemption reason code implies the category. */
static void
exemption_category(struct peppol_run *r, xmlNodePtr tc)
{
	static const struct { const char *code, *cat, *id; } map[] = {
		{ "VATEX-EU-G", "G", "PEPPOL-EN16931-P0104" },
		{ "VATEX-EU-O", "O", "PEPPOL-EN16931-P0105" },
		{ "VATEX-EU-IC", "K", "PEPPOL-EN16931-P0106" },
		{ "VATEX-EU-AE", "AE", "PEPPOL-EN16931-P0107" },
		{ "VATEX-EU-D", "E", "PEPPOL-EN16931-P0108" },
		{ "VATEX-EU-F", "E", "PEPPOL-EN16931-P0109" },
		{ "VATEX-EU-I", "E", "PEPPOL-EN16931-P0110" },
		{ "VATEX-EU-J", "E", "PEPPOL-EN16931-P0111" },
	};
	xmlNodePtr code = rule_child(tc, RULE_NS_CBC, "TaxExemptionReasonCode");
	if (code == NULL)
		return;
	char u[64];
	upper_text(code, u, sizeof u);
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(u, map[i].code) != 0)
			continue;
		if (!rule_norm_eq(rule_child(tc, RULE_NS_CBC, "ID"), map[i].cat))
			rule_fire(r->c, map[i].id, RULE_FATAL, tc);
		return;
	}
}

/* The restricted code lists and formats pattern: first matching rule only. */
void
peppol_code_lists(struct peppol_run *r, xmlNodePtr e, enum peppol_ns k, enum peppol_tok t)
{
	char b[256];
	if (k == PNS_CAC) {
		if (t == PT_TAX_CATEGORY)
			exemption_category(r, e);
		return;
	}
	if (k != PNS_CBC)
		return;
	switch (t) {
	case PT_EMBEDDED_DOCUMENT:
		if (rule_attr(e, "mimeCode") && !IN(rule_attr(e, "mimeCode"), peppol_mime))
			rule_fire(r->c, "PEPPOL-EN16931-CL001", RULE_FATAL, e);
		return;
	case PT_ALLOWANCE_CHARGE_REASON_CODE:
		if (peppol_parent_is(e, PNS_CAC, "AllowanceCharge")) {
			bool allowance = indicator_is(e->parent, "false");
			if (allowance || indicator_is(e->parent, "true")) {
				peppol_own_norm(e, b, sizeof b);
				if (allowance && !IN(b, peppol_uncl5189))
					rule_fire(r->c, "PEPPOL-EN16931-CL002", RULE_FATAL, e);
				if (!allowance && !IN(b, peppol_uncl7161))
					rule_fire(r->c, "PEPPOL-EN16931-CL003", RULE_FATAL, e);
			}
		}
		return;
	case PT_DESCRIPTION_CODE:
		if (peppol_parent_is(e, PNS_CAC, "InvoicePeriod")) {
			peppol_own_norm(e, b, sizeof b);
			if (!IN(b, peppol_uncl2005))
				rule_fire(r->c, "PEPPOL-EN16931-CL006", RULE_FATAL, e);
		}
		return;
	case PT_AMOUNT:
	case PT_TAX_AMOUNT: {
		const char *cur = rule_attr(e, "currencyID");
		if (cur == NULL || !(r->r21 ? IN(cur, peppol_iso4217_21) : IN(cur, peppol_iso4217)))
			rule_fire(r->c, "PEPPOL-EN16931-CL007", RULE_FATAL, e);
		return;
	}
	case PT_INVOICE_TYPE_CODE:
		peppol_own_norm(e, b, sizeof b);
		if (r->profile_types && !IN(b, peppol_inv_types_01))
			rule_fire(r->c, "PEPPOL-EN16931-P0100", RULE_FATAL, e);
		/* P0112 reads the whole string value, not text(). */
		rule_norm(e, b, sizeof b);
		if ((strcmp(b, "326") == 0 || strcmp(b, "384") == 0) && !r->de_pair)
			rule_fire(r->c, "PEPPOL-EN16931-P0112", RULE_FATAL, e);
		return;
	case PT_CREDIT_NOTE_TYPE_CODE:
		peppol_own_norm(e, b, sizeof b);
		if (r->profile_types && !IN(b, peppol_cn_types_01))
			rule_fire(r->c, "PEPPOL-EN16931-P0101", RULE_FATAL, e);
		return;
	case PT_DATE:
	case PT_START_DATE:
	case PT_END_DATE:
		date_format(r, e);
		return;
	case PT_ENDPOINT_ID:
		if (rule_attr(e, "schemeID") && !(r->r21 ? IN(rule_attr(e, "schemeID"), peppol_eas_21) :
		    IN(rule_attr(e, "schemeID"), peppol_eas)))
			rule_fire(r->c, "PEPPOL-EN16931-CL008", RULE_FATAL, e);
		return;
	default:
		return;
	}
}

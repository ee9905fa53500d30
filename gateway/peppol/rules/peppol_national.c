/*
 * peppol_national.c - the country blocks of Peppol BIS 3.0.19: the
 * shared country variables, Norway (NO-R-001, NO-R-002) and the
 * Netherlands (NL-R-001..009); Denmark, Italy, Sweden and Iceland are in
 * peppol_nordic.c. 3.0.19 has no Belgian block.
 *
 * Owns the country variables of those patterns ($supplierCountry,
 * $supplierCountryIsNL, ...) and their rules. Runs only when a block
 * applies, so Belgian documents pay a few look-ups. Greece and Germany
 * have files of their own (peppol_greece.c, peppol_germany.c).
 */
#include "peppol/rules/peppol_int.h"
#include "peppol/rules/peppol_ids.h"

#include <stdio.h>
#include <string.h>

/* First PartyTaxScheme of party whose TaxScheme/ID is "VAT" (exact, as the
 * general comparison cac:TaxScheme/cbc:ID = 'VAT'), or NULL. */
static xmlNodePtr
vat_scheme_exact(xmlNodePtr party)
{
	for (xmlNodePtr t = party ? party->children : NULL; t != NULL; t = t->next) {
		if (!peppol_is(t, PNS_CAC, "PartyTaxScheme"))
			continue;
		for (xmlNodePtr s = t->children; s != NULL; s = s->next)
			if (peppol_is(s, PNS_CAC, "TaxScheme"))
				for (xmlNodePtr i = s->children; i != NULL; i = i->next)
					if (peppol_is(i, PNS_CBC, "ID") && rule_text_eq(i, "VAT"))
						return t;
	}
	return NULL;
}

/* First PartyTaxScheme whose normalize-space(TaxScheme/ID) is id. */
static xmlNodePtr
tax_scheme_norm(xmlNodePtr party, const char *id)
{
	for (xmlNodePtr t = party ? party->children : NULL; t != NULL; t = t->next)
		if (peppol_is(t, PNS_CAC, "PartyTaxScheme") && rule_norm_eq(rule_path(t, "cac:TaxScheme/cbc:ID"), id))
			return t;
	return NULL;
}

/* upper-case(normalize-space(substring(CompanyID, 1, 2))) of party's VAT
 * scheme; false when that CompanyID is absent or empty. */
static bool
vat_prefix(xmlNodePtr party, char out[3])
{
	xmlNodePtr pts = vat_scheme_exact(party);
	char b[64];
	rule_text(pts ? rule_child(pts, RULE_NS_CBC, "CompanyID") : NULL, b, sizeof b);
	if (b[0] == '\0')
		return false;
	size_t o = 0;
	for (size_t i = 0; i < 2 && b[i]; i++) {
		char ch = b[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		out[o++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
	}
	out[o] = '\0';
	return true;
}

/* $supplierCountry (rep true) / $accountingSupplierCountry / $customerCountry:
 * the party's VAT prefix, else (supplier only) the tax representative's,
 * else the party's country code, else "XX". */
static void
party_country(xmlNodePtr top, const char *role, bool rep, char *out, size_t cap)
{
	char p[3], path[96];
	snprintf(path, sizeof path, "%s/cac:Party", role);
	xmlNodePtr party = rule_path(top, path);
	if (vat_prefix(party, p) || (rep && vat_prefix(rule_child(top, RULE_NS_CAC, "TaxRepresentativeParty"), p))) {
		snprintf(out, cap, "%s", p);
		return;
	}
	xmlNodePtr cc = rule_path(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode");
	if (cc == NULL) {
		snprintf(out, cap, "XX");
		return;
	}
	rule_norm(cc, out, cap);
	for (char *c = out; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 32);
}

/* The Norwegian block: seller's VAT number and "Foretaksregisteret". */
static void
norway(struct peppol_run *r)
{
	for (xmlNodePtr asp = r->top->children; asp != NULL; asp = asp->next) {
		if (!peppol_is(asp, PNS_CAC, "AccountingSupplierParty"))
			continue;
		for (xmlNodePtr party = asp->children; party != NULL; party = party->next) {
			if (!peppol_is(party, PNS_CAC, "Party"))
				continue;
			xmlNodePtr tax = tax_scheme_norm(party, "TAX");
			if (!rule_norm_eq(tax ? rule_child(tax, RULE_NS_CBC, "CompanyID") : NULL, "Foretaksregisteret"))
				rule_fire(r->c, "NO-R-002", RULE_WARNING, party);
			xmlNodePtr vat = tax_scheme_norm(party, "VAT");
			char id[64];
			rule_text(vat ? rule_child(vat, RULE_NS_CBC, "CompanyID") : NULL, id, sizeof id);
			if (strncmp(id, "NO", 2) != 0)
				continue;
			/* "NO" + nine digits + "MVA", the nine a valid organisation number. */
			bool ok = strlen(id) == 14 && strcmp(id + 11, "MVA") == 0;
			char nine[10];
			memcpy(nine, id + 2, 9);
			nine[9] = '\0';
			if (!ok || !peppol_id_no_orgnr(nine))
				rule_fire(r->c, "NO-R-001", RULE_FATAL, party);
		}
	}
}

/* upper-case(normalize-space(path from the document element)) = "NL". */
static bool
is_nl(xmlNodePtr top, const char *path)
{
	return rule_norm_upper_eq(rule_path(top, path), "NL");
}

struct nl {
	bool sup, cust, rep;
};

/* Street, city and post code in a postal address (NL-R-002/004/006). */
static void
nl_address(struct peppol_run *r, xmlNodePtr a, const char *id)
{
	if (!rule_child(a, RULE_NS_CBC, "StreetName") || !rule_child(a, RULE_NS_CBC, "CityName") ||
	    !rule_child(a, RULE_NS_CBC, "PostalZone"))
		rule_fire(r->c, id, RULE_FATAL, a);
}

/* A KVK (0106) or OIN (0190) legal identifier that is not empty (NL-R-003/005). */
static void
nl_legal_id(struct peppol_run *r, xmlNodePtr id, const char *rule)
{
	const char *s = rule_attr(id, "schemeID");
	char pad[80], v[8];
	snprintf(pad, sizeof pad, " %s ", s ? s : "");
	rule_norm(id, v, sizeof v);
	if (!(strstr(pad, " 0106 ") || strstr(pad, " 0190 ")) || v[0] == '\0')
		rule_fire(r->c, rule, RULE_FATAL, id);
}

static bool
parent_chain(xmlNodePtr e, const char *p1, const char *p2)
{
	xmlNodePtr a = peppol_parent_is(e, PNS_CAC, p1);
	return a != NULL && (p2 == NULL || peppol_parent_is(a, PNS_CAC, p2) != NULL);
}

/* The Dutch pattern: every element checked against its first matching rule. */
static void
nl_walk(struct peppol_run *r, const struct nl *f, xmlNodePtr e)
{
	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		enum peppol_ns k = peppol_ns_of(e);
		const char *n = (const char *)e->name;
		if (k == PNS_CBC && strcmp(n, "CreditNoteTypeCode") == 0) {
			if (rule_path(r->top, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == NULL)
				rule_fire(r->c, "NL-R-001", RULE_FATAL, e);
		} else if (k == PNS_CAC && strcmp(n, "PostalAddress") == 0) {
			xmlNodePtr party = peppol_parent_is(e, PNS_CAC, "Party");
			if (party && peppol_parent_is(party, PNS_CAC, "AccountingSupplierParty"))
				nl_address(r, e, "NL-R-002");
			else if (party && peppol_parent_is(party, PNS_CAC, "AccountingCustomerParty")) {
				if (f->cust)
					nl_address(r, e, "NL-R-004");
			} else if (peppol_parent_is(e, PNS_CAC, "TaxRepresentativeParty") && f->rep)
				nl_address(r, e, "NL-R-006");
		} else if (k == PNS_CBC && strcmp(n, "CompanyID") == 0 &&
		    parent_chain(e, "PartyLegalEntity", "Party")) {
			xmlNodePtr role = e->parent->parent->parent;
			if (peppol_is(role, PNS_CAC, "AccountingSupplierParty"))
				nl_legal_id(r, e, "NL-R-003");
			else if (peppol_is(role, PNS_CAC, "AccountingCustomerParty") && f->cust)
				nl_legal_id(r, e, "NL-R-005");
		} else if (k == PNS_CAC && strcmp(n, "LegalMonetaryTotal") == 0) {
			decimal v;
			bool have = rule_decimal(rule_child(e, RULE_NS_CBC, "PayableAmount"), &v);
			bool ok = (have && r->top_is_invoice && dec_sign(v) <= 0) ||
			    (have && peppol_is(r->top, PNS_CN, "CreditNote") && dec_sign(v) >= 0);
			if (!ok && r->has_payment_means == 0)
				rule_fire(r->c, "NL-R-007", RULE_FATAL, e);
		} else if (k == PNS_CAC && strcmp(n, "PaymentMeans") == 0) {
			if (f->cust) {
				static const char *const codes[] = { "30", "48", "49", "57", "58", "59" };
				char b[16];
				rule_norm(rule_child(e, RULE_NS_CBC, "PaymentMeansCode"), b, sizeof b);
				if (!rule_code_in(b, codes, sizeof codes / sizeof codes[0]))
					rule_fire(r->c, "NL-R-008", RULE_FATAL, e);
			}
		} else if (k == PNS_CBC && strcmp(n, "LineID") == 0 &&
		    peppol_parent_is(e, PNS_CAC, "OrderLineReference")) {
			if (rule_path(r->top, "cac:OrderReference/cbc:ID") == NULL)
				rule_fire(r->c, "NL-R-009", RULE_FATAL, e);
		}
		nl_walk(r, f, e->children);
	}
}

/* Any cac:PaymentMeans in the document (NL-R-007's //cac:PaymentMeans). */
static bool
any_payment_means(xmlNodePtr e)
{
	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		if (peppol_is(e, PNS_CAC, "PaymentMeans") || any_payment_means(e->children))
			return true;
	}
	return false;
}

/* Entry from rules_peppol_run(): each block whose condition holds. */
void
peppol_national(struct peppol_run *r)
{
	char sc[16], asc[16], cc[16];
	party_country(r->top, "cac:AccountingSupplierParty", true, sc, sizeof sc);
	if (strcmp(sc, "NO") == 0)
		norway(r);
	peppol_nordic(r, sc);
	party_country(r->top, "cac:AccountingSupplierParty", false, asc, sizeof asc);
	party_country(r->top, "cac:AccountingCustomerParty", false, cc, sizeof cc);
	peppol_greece(r, sc, asc, cc);
	if (r->de_pair)
		peppol_germany(r);
	struct nl f = {
		.sup = is_nl(r->top, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
	};
	if (!f.sup)
		return;
	f.cust = is_nl(r->top, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode");
	f.rep = is_nl(r->top, "cac:TaxRepresentativeParty/cac:PostalAddress/cac:Country/cbc:IdentificationCode");
	r->has_payment_means = any_payment_means(r->top) ? 1 : 0;
	nl_walk(r, &f, r->top);
}

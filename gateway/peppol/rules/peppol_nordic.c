/*
 * peppol_nordic.c - the Danish, Swedish, Icelandic and Italian blocks of
 * Peppol BIS 3.0.19 (DK-R-*, SE-R-*, IS-R-*, IT-R-*).
 *
 * Owns those rules and the XPath number()/string comparisons they use.
 * Each block runs only when its country condition holds, so documents of
 * other countries pay a few look-ups. Contexts are anchored at the
 * document element (a full invoice), which is where the rules' contexts
 * occur in a UBL document.
 */
#include "peppol/rules/peppol_int.h"
#include "peppol/rules/peppol_ids.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* XPath number(): the xs:double lexical form after trimming; false = NaN. */
bool
peppol_number(const char *s, double *out)
{
	char b[128];
	size_t l = 0;
	while (is_ws(*s))
		s++;
	while (s[l] && l + 1 < sizeof b) {
		b[l] = s[l];
		l++;
	}
	while (l > 0 && is_ws(b[l - 1]))
		l--;
	b[l] = '\0';
	if (strcmp(b, "INF") == 0 || strcmp(b, "+INF") == 0 || strcmp(b, "-INF") == 0) {
		*out = b[0] == '-' ? -HUGE_VAL : HUGE_VAL;
		return true;
	}
	/* [+-]? (digits (. digits?)? | . digits) ([eE] [+-]? digits)? */
	size_t i = 0, d = 0;
	if (b[i] == '+' || b[i] == '-')
		i++;
	while (b[i] >= '0' && b[i] <= '9') {
		i++;
		d++;
	}
	if (b[i] == '.') {
		i++;
		while (b[i] >= '0' && b[i] <= '9') {
			i++;
			d++;
		}
	}
	if (d == 0)
		return false;
	if (b[i] == 'e' || b[i] == 'E') {
		i++;
		if (b[i] == '+' || b[i] == '-')
			i++;
		size_t e = 0;
		while (b[i] >= '0' && b[i] <= '9') {
			i++;
			e++;
		}
		if (e == 0)
			return false;
	}
	if (b[i] != '\0')
		return false;
	/* Only the value's range is used (compared with small integers). */
	*out = strtod(b, NULL);
	return true;
}

static bool
number_of(const xmlNode *n, double *v)
{
	char b[128];
	rule_text(n, b, sizeof b);
	return n != NULL && peppol_number(b, v);
}

static size_t
norm_len(const xmlNode *n)
{
	char b[256];
	return rule_norm(n, b, sizeof b);
}

/* Any child ns:local of parent whose string value is exactly v. */
static bool
child_eq(const xmlNode *parent, const char *ns, const char *local, const char *v)
{
	for (xmlNodePtr k = parent ? parent->children : NULL; k != NULL; k = k->next)
		if (rule_is(k, ns, local) && rule_text_eq(k, v))
			return true;
	return false;
}

/* The raw country code of a party of the document element (concat(...)). */
static void
raw_country(xmlNodePtr top, const char *role, char *b, size_t cap)
{
	char path[160];
	snprintf(path, sizeof path, "%s/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode", role);
	rule_text(rule_path(top, path), b, cap);
}

/* ---- Denmark ---- */

static bool
starts3(const xmlNode *n, const char *a, const char *b, const char *c)
{
	char v[8];
	rule_text(n, v, sizeof v);
	return strncmp(v, a, 3) == 0 || (b && strncmp(v, b, 3) == 0) || (c && strncmp(v, c, 3) == 0);
}

static size_t
text_len(const xmlNode *n)
{
	char b[256];
	return rule_text(n, b, sizeof b);
}

static void
dk_payment(struct peppol_run *r, xmlNodePtr pm)
{
	xmlNodePtr code = rule_child(pm, RULE_NS_CBC, "PaymentMeansCode");
	xmlNodePtr pid = rule_child(pm, RULE_NS_CBC, "PaymentID");
	xmlNodePtr acct = rule_path(pm, "cac:PayeeFinancialAccount/cbc:ID");
	char c[64], pad[80];
	rule_text(code, c, sizeof c);
	snprintf(pad, sizeof pad, " %s ", c);
	if (strstr(" 1 10 31 42 48 49 50 58 59 93 97 ", pad) == NULL)
		rule_fire(r->c, "DK-R-005", RULE_FATAL, pm);
	bool is31 = child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "31");
	bool is42 = child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "42");
	bool is49 = child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "49");
	bool is50 = child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "50");
	bool is93 = child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "93");
	char t[64];
	if (is31 || is42) {
		peppol_own_norm(acct, t, sizeof t);
		bool a = t[0] != '\0';
		peppol_own_norm(rule_path(pm, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"), t, sizeof t);
		if (!(a && t[0] != '\0'))
			rule_fire(r->c, "DK-R-006", RULE_FATAL, pm);
	}
	if (is49) {
		peppol_own_norm(rule_path(pm, "cac:PaymentMandate/cbc:ID"), t, sizeof t);
		bool a = t[0] != '\0';
		peppol_own_norm(rule_path(pm, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"), t, sizeof t);
		if (!(a && t[0] != '\0'))
			rule_fire(r->c, "DK-R-007", RULE_FATAL, pm);
	}
	if (is50) {
		char a[64];
		rule_text(acct, a, sizeof a);
		size_t al = strlen(a), digits = 0;
		while (digits < al && a[digits] >= '0' && a[digits] <= '9')
			digits++;
		bool giro = acct != NULL && digits == al && (al == 7 || al == 8);
		if (!(starts3(pid, "01#", "04#", "15#") && giro))
			rule_fire(r->c, "DK-R-008", RULE_FATAL, pm);
		if (starts3(pid, "04#", "15#", NULL) && text_len(pid) != 19)
			rule_fire(r->c, "DK-R-009", RULE_FATAL, pm);
	}
	if (is93) {
		char a[64];
		peppol_own_text(acct, a, sizeof a);
		if (!(starts3(pid, "71#", "73#", "75#") && strlen(a) == 8))
			rule_fire(r->c, "DK-R-010", RULE_FATAL, pm);
		size_t pl = text_len(pid);
		if (starts3(pid, "71#", "75#", NULL) && pl != 18 && pl != 19)
			rule_fire(r->c, "DK-R-011", RULE_FATAL, pm);
	}
}

/* DK-R-003: a TST (UNSPSC) classification should name version 19.05.01 or
 * 26.08.01; a warning in 3.0.19, fatal since 3.0.21 (the words still say
 * "should"). */
static void
dk_line(struct peppol_run *r, xmlNodePtr line)
{
	bool tst = false, version = false;
	static const char *const ok[] = { "19.05.01", "19.0501", "26.08.01", "26.0801" };
	xmlNodePtr item = rule_child(line, RULE_NS_CAC, "Item");
	for (xmlNodePtr cc = item ? item->children : NULL; cc != NULL; cc = cc->next) {
		if (!peppol_is(cc, PNS_CAC, "CommodityClassification"))
			continue;
		for (xmlNodePtr k = cc->children; k != NULL; k = k->next) {
			if (!peppol_is(k, PNS_CBC, "ItemClassificationCode"))
				continue;
			const char *l = rule_attr(k, "listID"), *v = rule_attr(k, "listVersionID");
			tst |= l != NULL && strcmp(l, "TST") == 0;
			for (size_t i = 0; v != NULL && i < 4; i++)
				version |= strcmp(v, ok[i]) == 0;
		}
	}
	if (tst && !version)
		rule_fire(r->c, "DK-R-003", r->r21 ? RULE_FATAL : RULE_WARNING, line);
}

/* DK-R-004: a ZZZ allowance or charge names its tax as 4 digits or with an inner '#'. */
static void
dk_allowance(struct peppol_run *r, xmlNodePtr ac)
{
	if (!child_eq(ac, RULE_NS_CBC, "AllowanceChargeReasonCode", "ZZZ"))
		return;
	xmlNodePtr reason = rule_child(ac, RULE_NS_CBC, "AllowanceChargeReason");
	char own[256], s[256];
	double v;
	peppol_own_norm(reason, own, sizeof own);
	rule_text(reason, s, sizeof s);
	bool four = strlen(own) == 4 && number_of(reason, &v) && v >= 0 && v <= 9999;
	size_t l = strlen(s);
	bool hash = reason != NULL && strchr(s, '#') != NULL && s[0] != '#' && s[l - 1] != '#';
	if (!four && !hash)
		rule_fire(r->c, "DK-R-004", RULE_FATAL, ac);
}

static void
dk_allowances(struct peppol_run *r, xmlNodePtr e)
{
	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		if (peppol_is(e, PNS_CAC, "AllowanceCharge"))
			dk_allowance(r, e);
		dk_allowances(r, e->children);
	}
}

/* normalize-space(cbc:CompanyID/@schemeID) = '0184' over the legal entity's
 * CompanyIDs: the first schemeID there is (several would be an XPath
 * error); none is the empty string. Inner spaces are kept, as
 * normalize-space keeps them. */
static bool
scheme_is_0184(const xmlNode *legal_entity)
{
	for (xmlNodePtr k = legal_entity ? legal_entity->children : NULL; k != NULL; k = k->next) {
		const char *sid = rule_is(k, RULE_NS_CBC, "CompanyID") ? rule_attr(k, "schemeID") : NULL;
		if (sid == NULL)
			continue;
		while (is_ws(*sid))
			sid++;
		size_t l = strlen(sid);
		while (l > 0 && is_ws(sid[l - 1]))
			l--;
		return l == 4 && strncmp(sid, "0184", 4) == 0;
	}
	return false;
}

/* DK-R-017 (3.0.21): a Danish buyer's legal entity CompanyID carries
 * schemeID 0184, like the seller's (DK-R-014). Context: every
 * cac:AccountingCustomerParty/cac:Party of the document. */
static void
dk_customer_legal(struct peppol_run *r)
{
	for (xmlNodePtr acp = r->top->children; acp != NULL; acp = acp->next) {
		if (!peppol_is(acp, PNS_CAC, "AccountingCustomerParty"))
			continue;
		for (xmlNodePtr party = acp->children; party != NULL; party = party->next) {
			if (!peppol_is(party, PNS_CAC, "Party"))
				continue;
			xmlNodePtr legal = rule_path(party, "cac:PartyLegalEntity/cbc:CompanyID");
			if (legal != NULL && !scheme_is_0184(legal->parent))
				rule_fire(r->c, "DK-R-017", RULE_FATAL, party);
		}
	}
}

static void
denmark(struct peppol_run *r)
{
	char sup[16], cust[16];
	raw_country(r->top, "cac:AccountingSupplierParty", sup, sizeof sup);
	if (strcmp(sup, "DK") != 0)
		return;
	raw_country(r->top, "cac:AccountingCustomerParty", cust, sizeof cust);
	bool both = strcmp(cust, "DK") == 0;
	bool cn = peppol_is(r->top, PNS_CN, "CreditNote");
	xmlNodePtr legal = rule_path(r->top, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID");
	char t[64];
	peppol_own_norm(legal, t, sizeof t);
	if (t[0] == '\0')
		rule_fire(r->c, "DK-R-002", RULE_FATAL, r->top);
	if (legal != NULL && !scheme_is_0184(legal->parent))
		rule_fire(r->c, "DK-R-014", RULE_FATAL, r->top);
	double pay;
	if (cn && both && number_of(rule_path(r->top, "cac:LegalMonetaryTotal/cbc:PayableAmount"), &pay) && pay < 0)
		rule_fire(r->c, "DK-R-016", RULE_FATAL, r->top);
	if (!both)
		return;
	if (r->r21)
		dk_customer_legal(r);
	static const char *const roles[] = { "cac:AccountingSupplierParty/cac:Party",
		"cac:AccountingCustomerParty/cac:Party" };
	for (size_t i = 0; i < 2; i++) {
		xmlNodePtr party = rule_path(r->top, roles[i]);
		for (xmlNodePtr pi = party ? party->children : NULL; pi != NULL; pi = pi->next) {
			if (!peppol_is(pi, PNS_CAC, "PartyIdentification"))
				continue;
			xmlNodePtr id = rule_child(pi, RULE_NS_CBC, "ID");
			const char *sid = id ? rule_attr(id, "schemeID") : NULL;
			bool blank = true;
			for (const char *p = sid ? sid : ""; *p; p++)
				blank &= is_ws(*p);
			if (id != NULL && blank)
				rule_fire(r->c, "DK-R-013", RULE_FATAL, pi);
		}
	}
	for (xmlNodePtr k = r->top->children; k != NULL; k = k->next) {
		if (r->top_is_invoice && peppol_is(k, PNS_CAC, "PaymentMeans"))
			dk_payment(r, k);
		if ((r->top_is_invoice && peppol_is(k, PNS_CAC, "InvoiceLine")) ||
		    (cn && peppol_is(k, PNS_CAC, "CreditNoteLine")))
			dk_line(r, k);
	}
	dk_allowances(r, r->top);
}

/* ---- Italy ---- */

static void
italy(struct peppol_run *r, const char *supplier_country)
{
	if (strcmp(supplier_country, "IT") != 0)
		return;
	xmlNodePtr party = rule_path(r->top, "cac:AccountingSupplierParty/cac:Party");
	if (party == NULL)
		return;
	for (xmlNodePtr t = party->children; t != NULL; t = t->next) {
		if (!peppol_is(t, PNS_CAC, "PartyTaxScheme") ||
		    rule_norm_eq(rule_path(t, "cac:TaxScheme/cbc:ID"), "VAT"))
			continue;
		char id[64];
		size_t l = rule_norm(rule_child(t, RULE_NS_CBC, "CompanyID"), id, sizeof id);
		bool ok = l >= 11 && l <= 16;
		for (size_t i = 0; ok && i < l; i++)
			ok = (id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9');
		if (!ok)
			rule_fire(r->c, "IT-R-001", RULE_FATAL, t);
	}
	if (rule_path(party, "cac:PostalAddress/cbc:StreetName") == NULL)
		rule_fire(r->c, "IT-R-002", RULE_FATAL, party);
	if (rule_path(party, "cac:PostalAddress/cbc:CityName") == NULL)
		rule_fire(r->c, "IT-R-003", RULE_FATAL, party);
	if (rule_path(party, "cac:PostalAddress/cbc:PostalZone") == NULL)
		rule_fire(r->c, "IT-R-004", RULE_FATAL, party);
}

/* ---- Sweden ---- */

/* The first PartyTaxScheme whose TaxScheme/ID is exactly "VAT". */
static xmlNodePtr
vat_pts(xmlNodePtr party)
{
	for (xmlNodePtr t = party ? party->children : NULL; t != NULL; t = t->next)
		if (peppol_is(t, PNS_CAC, "PartyTaxScheme") &&
		    child_eq(rule_child(t, RULE_NS_CAC, "TaxScheme"), RULE_NS_CBC, "ID", "VAT"))
			return t;
	return NULL;
}

static bool
country_is(xmlNodePtr party, const char *cc)
{
	xmlNodePtr pa = rule_child(party, RULE_NS_CAC, "PostalAddress");
	for (xmlNodePtr c = pa ? pa->children : NULL; c != NULL; c = c->next)
		if (peppol_is(c, PNS_CAC, "Country") && child_eq(c, RULE_NS_CBC, "IdentificationCode", cc))
			return true;
	return false;
}

/* A VAT CompanyID starting with "SE" in one of the VAT schemes. */
static bool
se_vat(xmlNodePtr party)
{
	for (xmlNodePtr t = party ? party->children : NULL; t != NULL; t = t->next) {
		if (!peppol_is(t, PNS_CAC, "PartyTaxScheme") ||
		    !child_eq(rule_child(t, RULE_NS_CAC, "TaxScheme"), RULE_NS_CBC, "ID", "VAT"))
			continue;
		char b[8];
		rule_text(rule_child(t, RULE_NS_CBC, "CompanyID"), b, sizeof b);
		if (strncmp(b, "SE", 2) == 0)
			return true;
	}
	return false;
}

/* normalize-space(upper-case(s)) for ASCII and the Swedish letters. */
static void
upper_sv(const xmlNode *n, char *b, size_t cap)
{
	rule_norm(n, b, cap);
	for (unsigned char *p = (unsigned char *)b; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (unsigned char)(*p - 32);
		else if (*p == 0xC3 && (p[1] == 0xA4 || p[1] == 0xB6 || p[1] == 0xA5))
			p[1] = (unsigned char)(p[1] - 0x20), p++;
	}
}

static void
se_tax_categories(struct peppol_run *r, xmlNodePtr e)
{
	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		if ((peppol_is(e, PNS_CAC, "TaxCategory") || peppol_is(e, PNS_CAC, "ClassifiedTaxCategory")) &&
		    child_eq(e, RULE_NS_CBC, "ID", "S")) {
			double v;
			bool ok = number_of(rule_child(e, RULE_NS_CBC, "Percent"), &v) && (v == 25 || v == 12 || v == 6);
			if (!ok)
				rule_fire(r->c, "SE-R-006", RULE_FATAL, e);
		}
		se_tax_categories(r, e->children);
	}
}

static void
se_payment(struct peppol_run *r, xmlNodePtr pm, bool buyer_se)
{
	char code[16], branch[32];
	rule_norm(rule_child(pm, RULE_NS_CBC, "PaymentMeansCode"), code, sizeof code);
	rule_norm(rule_path(pm, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"), branch, sizeof branch);
	if (strcmp(code, "30") == 0 && (strcmp(branch, "SE:PLUSGIRO") == 0 || strcmp(branch, "SE:BANKGIRO") == 0)) {
		bool plus = strcmp(branch, "SE:PLUSGIRO") == 0;
		xmlNodePtr fa = rule_child(pm, RULE_NS_CAC, "PayeeFinancialAccount");
		for (xmlNodePtr id = fa ? fa->children : NULL; id != NULL; id = id->next) {
			if (!peppol_is(id, PNS_CBC, "ID"))
				continue;
			char b[64];
			double v;
			rule_norm(id, b, sizeof b);
			size_t l = strlen(b);
			if (!peppol_number(b, &v))
				rule_fire(r->c, plus ? "SE-R-007" : "SE-R-008", RULE_WARNING, id);
			if (plus ? (l < 2 || l > 8) : (l != 7 && l != 8))
				rule_fire(r->c, plus ? "SE-R-010" : "SE-R-009", RULE_WARNING, id);
		}
	}
	if (child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "50") || child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "56"))
		rule_fire(r->c, "SE-R-011", RULE_WARNING, pm);
	else if (buyer_se && child_eq(pm, RULE_NS_CBC, "PaymentMeansCode", "31"))
		rule_fire(r->c, "SE-R-012", RULE_WARNING, pm);
}

static void
sweden(struct peppol_run *r)
{
	xmlNodePtr party = rule_path(r->top, "cac:AccountingSupplierParty/cac:Party");
	if (party == NULL || !country_is(party, "SE"))
		return;
	if (se_vat(party)) {
		char id[64];
		rule_norm(rule_child(vat_pts(party), RULE_NS_CBC, "CompanyID"), id, sizeof id);
		if (strlen(id) != 14)
			rule_fire(r->c, "SE-R-001", RULE_FATAL, party);
		char raw[64], sub[16];
		double v;
		rule_text(rule_child(vat_pts(party), RULE_NS_CBC, "CompanyID"), raw, sizeof raw);
		snprintf(sub, sizeof sub, "%.12s", strlen(raw) > 2 ? raw + 2 : "");
		if (!peppol_number(sub, &v))
			rule_fire(r->c, "SE-R-002", RULE_FATAL, party);
		se_tax_categories(r, r->top);
	}
	xmlNodePtr ple = rule_child(party, RULE_NS_CAC, "PartyLegalEntity");
	xmlNodePtr org = rule_child(ple, RULE_NS_CBC, "CompanyID");
	if (org != NULL) {
		double v;
		char n[64];
		rule_norm(org, n, sizeof n);
		if (!number_of(org, &v))
			rule_fire(r->c, "SE-R-003", RULE_FATAL, ple);
		if (strlen(n) != 10)
			rule_fire(r->c, "SE-R-004", RULE_FATAL, ple);
		if (!peppol_id_se_orgnr(n))
			rule_fire(r->c, "SE-R-013", RULE_FATAL, ple);
		for (xmlNodePtr t = party->children; t != NULL; t = t->next) {
			char u[64];
			if (!peppol_is(t, PNS_CAC, "PartyTaxScheme"))
				continue;
			upper_sv(rule_path(t, "cac:TaxScheme/cbc:ID"), u, sizeof u);
			if (strcmp(u, "VAT") == 0)
				continue;
			for (xmlNodePtr c = t->children; c != NULL; c = c->next) {
				if (!peppol_is(c, PNS_CBC, "CompanyID"))
					continue;
				upper_sv(c, u, sizeof u);
				if (strcmp(u, "GODK\xC3\x84ND F\xC3\x96R F-SKATT") != 0)
					rule_fire(r->c, "SE-R-005", RULE_FATAL, c);
			}
		}
	}
	bool buyer_se = country_is(rule_path(r->top, "cac:AccountingCustomerParty/cac:Party"), "SE");
	for (xmlNodePtr k = r->top->children; k != NULL; k = k->next)
		if (peppol_is(k, PNS_CAC, "PaymentMeans"))
			se_payment(r, k, buyer_se);
}

/* ---- Iceland ---- */

/* The first PaymentMeans whose code is exactly code, or NULL. */
static xmlNodePtr
is_means(xmlNodePtr top, const char *code)
{
	for (xmlNodePtr k = top->children; k != NULL; k = k->next)
		if (peppol_is(k, PNS_CAC, "PaymentMeans") && child_eq(k, RULE_NS_CBC, "PaymentMeansCode", code))
			return k;
	return NULL;
}

static bool
type_380_381(xmlNodePtr top, const char *name)
{
	char b[32], pad[40];
	rule_norm(rule_child(top, RULE_NS_CBC, name), b, sizeof b);
	snprintf(pad, sizeof pad, " %s ", b);
	return strchr(b, ' ') == NULL && strstr(" 380 381 ", pad) != NULL;
}

static bool
legal_0196(xmlNodePtr party)
{
	bool any = false, ok = false;
	xmlNodePtr ple = rule_child(party, RULE_NS_CAC, "PartyLegalEntity");
	for (xmlNodePtr c = ple ? ple->children : NULL; c != NULL; c = c->next) {
		if (!peppol_is(c, PNS_CBC, "CompanyID"))
			continue;
		any = true;
		const char *s = rule_attr(c, "schemeID");
		ok |= s != NULL && strcmp(s, "0196") == 0;
	}
	return any && ok;
}

static void
iceland(struct peppol_run *r)
{
	char sup[16], cust[16];
	xmlNodePtr top = r->top;
	raw_country(top, "cac:AccountingSupplierParty", sup, sizeof sup);
	if (strcmp(sup, "IS") != 0)
		return;
	raw_country(top, "cac:AccountingCustomerParty", cust, sizeof cust);
	if (!type_380_381(top, "InvoiceTypeCode") && !type_380_381(top, "CreditNoteTypeCode"))
		rule_fire(r->c, "IS-R-001", RULE_WARNING, top);
	xmlNodePtr party = rule_path(top, "cac:AccountingSupplierParty/cac:Party");
	if (!legal_0196(party))
		rule_fire(r->c, "IS-R-002", RULE_FATAL, top);
	if (!rule_path(party, "cac:PostalAddress/cbc:StreetName") || !rule_path(party, "cac:PostalAddress/cbc:PostalZone"))
		rule_fire(r->c, "IS-R-003", RULE_FATAL, top);
	static const struct { const char *code, *id; } acct[] = { { "9", "IS-R-006" }, { "42", "IS-R-007" } };
	for (size_t i = 0; i < 2; i++) {
		xmlNodePtr pm = is_means(top, acct[i].code);
		if (pm == NULL)
			continue;
		xmlNodePtr id = NULL;
		for (xmlNodePtr k = top->children; k != NULL && id == NULL; k = k->next)
			if (peppol_is(k, PNS_CAC, "PaymentMeans") && child_eq(k, RULE_NS_CBC, "PaymentMeansCode", acct[i].code))
				id = rule_path(k, "cac:PayeeFinancialAccount/cbc:ID");
		if (id == NULL || norm_len(id) != 12)
			rule_fire(r->c, acct[i].id, RULE_FATAL, top);
	}
	xmlNodePtr eindagi = NULL;
	for (xmlNodePtr k = top->children; k != NULL && eindagi == NULL; k = k->next)
		if (peppol_is(k, PNS_CAC, "AdditionalDocumentReference") &&
		    child_eq(k, RULE_NS_CBC, "DocumentDescription", "EINDAGI"))
			eindagi = k;
	if (eindagi != NULL) {
		xmlNodePtr id = rule_child(eindagi, RULE_NS_CBC, "ID");
		char v[64];
		long y;
		int m, d;
		size_t l = rule_text(id, v, sizeof v);
		if (l != 10 || !peppol_parse_date(v, &y, &m, &d))
			rule_fire(r->c, "IS-R-008", RULE_FATAL, top);
		xmlNodePtr due = rule_child(top, RULE_NS_CBC, "DueDate");
		if (due == NULL)
			rule_fire(r->c, "IS-R-009", RULE_FATAL, top);
		char dv[64];
		rule_text(due, dv, sizeof dv);
		/* untyped <= untyped compares as strings */
		if (due == NULL || id == NULL || strcmp(dv, v) > 0)
			rule_fire(r->c, "IS-R-010", RULE_FATAL, top);
	}
	if (strcmp(cust, "IS") == 0) {
		xmlNodePtr acp = rule_child(top, RULE_NS_CAC, "AccountingCustomerParty");
		xmlNodePtr cp = rule_child(acp, RULE_NS_CAC, "Party");
		if (acp != NULL && !legal_0196(cp))
			rule_fire(r->c, "IS-R-004", RULE_FATAL, acp);
		if (acp != NULL && (!rule_path(cp, "cac:PostalAddress/cbc:StreetName") ||
		    !rule_path(cp, "cac:PostalAddress/cbc:PostalZone")))
			rule_fire(r->c, "IS-R-005", RULE_FATAL, acp);
	}
}

/* Entry from peppol_national(). */
void
peppol_nordic(struct peppol_run *r, const char *supplier_country)
{
	denmark(r);
	italy(r, supplier_country);
	sweden(r);
	iceland(r);
}

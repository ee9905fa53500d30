/*
 * peppol_germany.c - the German block of Peppol BIS 3.0.19 and 3.0.21
 * (DE-R-*), which applies when seller and buyer are both in Germany
 * (XRechnung rules). 3.0.21 compares the payment means and type codes as
 * normalised strings instead of numbers, anchors the Skonto line at its
 * start, loosens the e-mail form and adds DE-R-T02 (external document URL).
 *
 * Owns those rules, including the cash-discount ("Skonto") note syntax,
 * the e-mail and telephone forms and the IBAN mod-97 check as the
 * Schematron writes them. Runs only for German seller and buyer.
 */
#include "peppol/rules/peppol_int.h"

#include <stdio.h>
#include <string.h>

static bool
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* child[boolean(normalize-space(.))]: a child with non-blank text. */
static bool
has_text(const xmlNode *parent, const char *ns, const char *local)
{
	for (xmlNodePtr k = parent ? parent->children : NULL; k != NULL; k = k->next) {
		char b[8];
		if (rule_is(k, ns, local) && rule_norm(k, b, sizeof b) > 0)
			return true;
	}
	return false;
}

/* 3.0.19: cbc:PaymentMeansCode = want, compared as numbers, any code. */
static bool
code_is(const xmlNode *pm, double want)
{
	for (xmlNodePtr k = pm->children; k != NULL; k = k->next) {
		char b[32];
		double v;
		if (!rule_is(k, RULE_NS_CBC, "PaymentMeansCode"))
			continue;
		rule_text(k, b, sizeof b);
		if (peppol_number(b, &v) && v == want)
			return true;
	}
	return false;
}

/* 3.0.21: normalize-space(cbc:PaymentMeansCode) = want, of the first code
 * (several would be an XPath error). */
static bool
code_norm_is(const xmlNode *pm, const char *want)
{
	return rule_norm_eq(rule_child(pm, RULE_NS_CBC, "PaymentMeansCode"), want);
}

/* The payment means code test of the release: a number (3.0.19) or a string. */
static bool
pm_code(const struct peppol_run *r, const xmlNode *pm, const char *want)
{
	if (r->r21)
		return code_norm_is(pm, want);
	double v;
	return peppol_number(want, &v) && code_is(pm, v);
}

/* "#SKONTO#TAGE=n#PROZENT=n.nn(#BASISBETRAG=-?n.nn)?#" anchored at both ends. */
static bool
skonto_exact(const char *s)
{
	static const char head[] = "#SKONTO#TAGE=";
	if (strncmp(s, head, sizeof head - 1) != 0)
		return false;
	s += sizeof head - 1;
	size_t d = 0;
	while (s[d] >= '0' && s[d] <= '9')
		d++;
	if (d == 0 || strncmp(s + d, "#PROZENT=", 9) != 0)
		return false;
	s += d + 9;
	for (int part = 0; part < 2; part++) {
		if (part == 1) {
			if (strncmp(s, "#BASISBETRAG=", 13) != 0)
				break;
			s += 13;
			if (*s == '-')
				s++;
		}
		d = 0;
		while (s[d] >= '0' && s[d] <= '9')
			d++;
		if (d == 0 || s[d] != '.' || !(s[d + 1] >= '0' && s[d + 1] <= '9') ||
		    !(s[d + 2] >= '0' && s[d + 2] <= '9'))
			return false;
		s += d + 3;
	}
	return s[0] == '#' && s[1] == '\0';
}

/* matches(line, XR-SKONTO-REGEX): the pattern ends the line. */
static bool
skonto_line(const char *n)
{
	for (const char *p = strchr(n, '#'); p != NULL; p = strchr(p + 1, '#'))
		if (skonto_exact(p))
			return true;
	return false;
}

/* tokenize(note, '#.+#')[last()] matches '^\s*\n': after the last '#...#'
 * run (within one line) comes whitespace holding a line break. */
static bool
skonto_tail(const char *t)
{
	const char *tail = t;
	size_t l = strlen(t);
	for (size_t i = 0; i < l;) {
		if (t[i] != '#') {
			i++;
			continue;
		}
		size_t j = i + 1, last = 0;
		for (; j < l && t[j] != '\n' && t[j] != '\r'; j++)
			if (t[j] == '#' && j > i + 1)
				last = j;
		if (last) {
			tail = t + last + 1;
			i = last + 1;
		} else {
			i++;
		}
	}
	for (; *tail && ws(*tail); tail++)
		if (*tail == '\n')
			return true;
	return false;
}

/* DE-R-018 over every cac:PaymentTerms/cbc:Note[1]. In 3.0.21 the regex
 * starts with (^|\r?\n) and is matched against a normalised line, so the
 * statement must start the line; 3.0.19 found it anywhere after a '#'. */
static bool
skonto_ok(xmlNodePtr top, bool r21)
{
	for (xmlNodePtr pt = top->children; pt != NULL; pt = pt->next) {
		if (!rule_is(pt, RULE_NS_CAC, "PaymentTerms"))
			continue;
		xmlNodePtr note = rule_child(pt, RULE_NS_CBC, "Note");
		if (note == NULL)
			continue;
		/* Per thread: two threads may validate at once (a plain static raced). */
		static _Thread_local char t[8192];
		rule_text(note, t, sizeof t);
		for (char *line = t; line != NULL;) {
			char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			char n[1024];
			size_t o = 0;
			bool pend = false;
			for (size_t i = 0; i < len && o + 2 < sizeof n; i++) {
				if (ws(line[i])) {
					pend = o > 0;
					continue;
				}
				if (pend)
					n[o++] = ' ';
				pend = false;
				n[o++] = line[i];
			}
			n[o] = '\0';
			if (n[0] == '#' && (!(r21 ? skonto_exact(n) : skonto_line(n)) || !skonto_tail(t)))
				return false;
			line = nl ? nl + 1 : NULL;
		}
	}
	return true;
}

static bool
atom_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&\"*+/=?^_`{|}~-", c) != NULL);
}

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* XR-EMAIL-REGEX: dot-separated atoms, '@', two or more hostname labels. */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (at == NULL || at == s)
		return false;
	bool need = true;
	for (const char *p = s; p < at; p++) {
		if (*p == '.') {
			if (need)
				return false;
			need = true;
		} else if (atom_char(*p)) {
			need = false;
		} else {
			return false;
		}
	}
	if (need)
		return false;
	size_t labels = 0;
	for (const char *p = at + 1;;) {
		const char *e = p;
		while (alnum(*e) || *e == '-')
			e++;
		if (e == p || !alnum(p[0]) || !alnum(e[-1]))
			return false;
		labels++;
		if (*e == '\0')
			break;
		if (*e != '.')
			return false;
		p = e + 1;
	}
	return labels >= 2;
}

/* 3.0.21's XR-EMAIL-REGEX '^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$': one '@', no
 * white space, something before it, and after it two or more non-empty
 * labels separated by dots. Any other character is allowed. */
static bool
email_ok_21(const char *s)
{
	const char *at = strchr(s, '@');
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return false;
	for (const char *p = s; *p; p++)
		if (ws(*p))
			return false;
	size_t labels = 0, len = 0;
	for (const char *p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (len == 0)
				return false;
			labels++;
			len = 0;
			if (*p == '\0')
				break;
		} else {
			len++;
		}
	}
	return labels >= 2;
}

/* 3.0.21's XR-URL-REGEX '^([a-zA-Z])([a-zA-Z0-9+.-])+:.*': a scheme of a
 * letter and at least one more scheme character, then ':' (DE-R-T02). */
static bool
url_ok(const char *s)
{
	bool letter = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
	if (!letter)
		return false;
	size_t i = 1;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '.' || s[i] == '-')
		i++;
	return i >= 2 && s[i] == ':';
}

/* DE-R-T02 (3.0.21) on each AdditionalDocumentReference/Attachment/
 * ExternalReference: matches(cbc:URI, ...) on the first URI as it is (none
 * is the empty string, which does not match). */
static void
external_urls(struct peppol_run *r, xmlNodePtr adr)
{
	for (xmlNodePtr a = adr->children; a != NULL; a = a->next) {
		if (!rule_is(a, RULE_NS_CAC, "Attachment"))
			continue;
		for (xmlNodePtr x = a->children; x != NULL; x = x->next) {
			if (!rule_is(x, RULE_NS_CAC, "ExternalReference"))
				continue;
			char u[512];
			rule_text(rule_child(x, RULE_NS_CBC, "URI"), u, sizeof u);
			if (!url_ok(u))
				rule_fire(r->c, "DE-R-T02", RULE_WARNING, x);
		}
	}
}

static bool
three_digits(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s >= '0' && *s <= '9';
	return n >= 3;
}

/* The Schematron's IBAN test: form ^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$ after
 * removing blanks, then the rearranged digits mod 97 = 1 (letters above
 * '@' count as code - 55, as the rule computes them). */
static bool
iban_ok(const xmlNode *id)
{
	char raw[128], s[128];
	size_t o = 0;
	rule_text(id, raw, sizeof raw);
	for (const char *p = raw; *p && o + 1 < sizeof s; p++)
		if (!ws(*p))
			s[o++] = *p;
	s[o] = '\0';
	if (id == NULL || o < 4 || o > 34 || !(s[0] >= 'A' && s[0] <= 'Z') || !(s[1] >= 'A' && s[1] <= 'Z') ||
	    !(s[2] >= '0' && s[2] <= '9') || !(s[3] >= '0' && s[3] <= '9'))
		return false;
	for (size_t i = 4; i < o; i++)
		if (!alnum(s[i]))
			return false;
	unsigned rem = 0;
	for (size_t k = 0; k < o; k++) {
		char c = s[(k + 4) % o];
		int v = (unsigned char)c > 64 ? (unsigned char)c - 55 : c - '0';
		rem = v >= 10 ? (rem * 100 + (unsigned)v) % 97 : (rem * 10 + (unsigned)v) % 97;
	}
	return rem == 1;
}

/* DE-R-016: a VAT category code used on an allowance, charge or line. */
static bool
vat_code_used(xmlNodePtr top)
{
	static const char *const codes[] = { "AE", "E", "G", "K", "L", "M", "S", "Z" };
	for (xmlNodePtr k = top->children; k != NULL; k = k->next) {
		xmlNodePtr cats = NULL;
		if (rule_is(k, RULE_NS_CAC, "AllowanceCharge")) {
			bool any_ind = false;
			for (xmlNodePtr c = k->children; c != NULL; c = c->next)
				if (rule_is(c, RULE_NS_CBC, "ChargeIndicator") &&
				    (rule_text_eq(c, "false") || rule_text_eq(c, "true")))
					any_ind = true;
			if (any_ind)
				cats = k;
		} else if (rule_is(k, RULE_NS_CAC, "InvoiceLine") || rule_is(k, RULE_NS_CAC, "CreditNoteLine")) {
			cats = rule_child(k, RULE_NS_CAC, "Item");
		}
		if (cats == NULL)
			continue;
		for (xmlNodePtr t = cats->children; t != NULL; t = t->next) {
			if (!rule_is(t, RULE_NS_CAC, "TaxCategory") && !rule_is(t, RULE_NS_CAC, "ClassifiedTaxCategory"))
				continue;
			if (rule_is(t, RULE_NS_CAC, "TaxCategory") != rule_is(cats, RULE_NS_CAC, "AllowanceCharge"))
				continue;
			for (xmlNodePtr i = t->children; i != NULL; i = i->next) {
				char b[8];
				if (rule_is(i, RULE_NS_CBC, "ID") && rule_text(i, b, sizeof b) < sizeof b - 1 &&
				    rule_code_in(b, codes, sizeof codes / sizeof codes[0]))
					return true;
			}
		}
	}
	return false;
}

/* DE-R-022: no attachment file name repeated from an earlier reference. */
static bool
filenames_unique(xmlNodePtr top)
{
	for (xmlNodePtr a = top->children; a != NULL; a = a->next) {
		if (!rule_is(a, RULE_NS_CAC, "AdditionalDocumentReference"))
			continue;
		const char *fa = rule_attr(rule_path(a, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"), "filename");
		if (fa == NULL)
			continue;
		for (xmlNodePtr b = top->children; b != a; b = b->next) {
			if (!rule_is(b, RULE_NS_CAC, "AdditionalDocumentReference"))
				continue;
			const char *fb = rule_attr(rule_path(b, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"), "filename");
			if (fb != NULL && strcmp(fa, fb) == 0)
				return false;
		}
	}
	return true;
}

/* The type code is 384: as a number (3.0.19) or as the normalised string
 * '384' (3.0.21). */
static bool
type_384(xmlNodePtr top, bool r21)
{
	static const char *const names[] = { "InvoiceTypeCode", "CreditNoteTypeCode" };
	for (size_t i = 0; i < 2; i++) {
		char b[32];
		double v;
		xmlNodePtr t = rule_child(top, RULE_NS_CBC, names[i]);
		if (r21 ? rule_norm_eq(t, "384") : (rule_text(t, b, sizeof b), peppol_number(b, &v) && v == 384))
			return true;
	}
	return false;
}

static void
document(struct peppol_run *r, xmlNodePtr top)
{
	if (rule_child(top, RULE_NS_CAC, "PaymentMeans") == NULL)
		rule_fire(r->c, "DE-R-001", RULE_FATAL, top);
	if (!has_text(top, RULE_NS_CBC, "BuyerReference"))
		rule_fire(r->c, "DE-R-015", RULE_FATAL, top);
	bool seller_tax = false;
	xmlNodePtr sp = rule_path(top, "cac:AccountingSupplierParty/cac:Party");
	for (xmlNodePtr t = sp ? sp->children : NULL; t != NULL; t = t->next)
		if (rule_is(t, RULE_NS_CAC, "PartyTaxScheme") && has_text(t, RULE_NS_CBC, "CompanyID"))
			seller_tax = true;
	if (vat_code_used(top) && rule_child(top, RULE_NS_CAC, "TaxRepresentativeParty") == NULL && !seller_tax)
		rule_fire(r->c, "DE-R-016", RULE_FATAL, top);
	static const char *const types[] = { "326", "380", "381", "384", "389", "875", "876", "877" };
	char a[32], b[32];
	/* 3.0.21 normalises the code first. */
	if (r->r21) {
		rule_norm(rule_child(top, RULE_NS_CBC, "InvoiceTypeCode"), a, sizeof a);
		rule_norm(rule_child(top, RULE_NS_CBC, "CreditNoteTypeCode"), b, sizeof b);
	} else {
		rule_text(rule_child(top, RULE_NS_CBC, "InvoiceTypeCode"), a, sizeof a);
		rule_text(rule_child(top, RULE_NS_CBC, "CreditNoteTypeCode"), b, sizeof b);
	}
	if (!(rule_child(top, RULE_NS_CBC, "InvoiceTypeCode") && rule_code_in(a, types, 8)) &&
	    !(rule_child(top, RULE_NS_CBC, "CreditNoteTypeCode") && rule_code_in(b, types, 8)))
		rule_fire(r->c, "DE-R-017", RULE_WARNING, top);
	if (!skonto_ok(top, r->r21))
		rule_fire(r->c, "DE-R-018", RULE_FATAL, top);
	if (!filenames_unique(top))
		rule_fire(r->c, "DE-R-022", RULE_FATAL, top);
	if (type_384(top, r->r21) && rule_path(top, "cac:BillingReference/cac:InvoiceDocumentReference") == NULL)
		rule_fire(r->c, "DE-R-026", RULE_WARNING, top);
	if (rule_path(top, "cac:PaymentMeans/cac:PaymentMandate") != NULL) {
		bool sepa = false;
		static const char *const who[] = { "cac:AccountingSupplierParty/cac:Party", "cac:PayeeParty" };
		for (size_t i = 0; i < 2; i++) {
			xmlNodePtr p = rule_path(top, who[i]);
			for (xmlNodePtr pi = p ? p->children : NULL; pi != NULL; pi = pi->next)
				for (xmlNodePtr id = rule_is(pi, RULE_NS_CAC, "PartyIdentification") ? pi->children : NULL;
				    id != NULL; id = id->next) {
					const char *s = rule_is(id, RULE_NS_CBC, "ID") ? rule_attr(id, "schemeID") : NULL;
					sepa |= s != NULL && strcmp(s, "SEPA") == 0;
				}
		}
		if (!sepa)
			rule_fire(r->c, "DE-R-030", RULE_FATAL, top);
		if (rule_path(top, "cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID") == NULL)
			rule_fire(r->c, "DE-R-031", RULE_FATAL, top);
	}
}

static void
address(struct peppol_run *r, xmlNodePtr a, const char *city_id, const char *zone_id)
{
	if (a == NULL)
		return;
	if (!has_text(a, RULE_NS_CBC, "CityName"))
		rule_fire(r->c, city_id, RULE_FATAL, a);
	if (!has_text(a, RULE_NS_CBC, "PostalZone"))
		rule_fire(r->c, zone_id, RULE_FATAL, a);
}

static void
contact(struct peppol_run *r, xmlNodePtr c)
{
	char t[256];
	if (!has_text(c, RULE_NS_CBC, "Name"))
		rule_fire(r->c, "DE-R-005", RULE_FATAL, c);
	if (!has_text(c, RULE_NS_CBC, "Telephone"))
		rule_fire(r->c, "DE-R-006", RULE_FATAL, c);
	if (!has_text(c, RULE_NS_CBC, "ElectronicMail"))
		rule_fire(r->c, "DE-R-007", RULE_FATAL, c);
	rule_norm(rule_child(c, RULE_NS_CBC, "Telephone"), t, sizeof t);
	if (!three_digits(t))
		rule_fire(r->c, "DE-R-027", RULE_WARNING, c);
	rule_norm(rule_child(c, RULE_NS_CBC, "ElectronicMail"), t, sizeof t);
	if (!(r->r21 ? email_ok_21(t) : email_ok(t)))
		rule_fire(r->c, "DE-R-028", RULE_WARNING, c);
}

static void
payment(struct peppol_run *r, xmlNodePtr pm)
{
	bool pfa = rule_child(pm, RULE_NS_CAC, "PayeeFinancialAccount") != NULL;
	bool card = rule_child(pm, RULE_NS_CAC, "CardAccount") != NULL;
	bool mandate = rule_child(pm, RULE_NS_CAC, "PaymentMandate") != NULL;
	if (pm_code(r, pm, "30") || pm_code(r, pm, "58")) {
		bool is58 = false;
		for (xmlNodePtr k = pm->children; k != NULL && !r->r21; k = k->next)
			is58 |= rule_is(k, RULE_NS_CBC, "PaymentMeansCode") && rule_text_eq(k, "58");
		if (r->r21)
			is58 = code_norm_is(pm, "58");
		if (is58 && !iban_ok(rule_path(pm, "cac:PayeeFinancialAccount/cbc:ID")))
			rule_fire(r->c, "DE-R-019", RULE_WARNING, pm);
		if (!pfa)
			rule_fire(r->c, "DE-R-023-1", RULE_FATAL, pm);
		if (card || mandate)
			rule_fire(r->c, "DE-R-023-2", RULE_FATAL, pm);
	} else if (pm_code(r, pm, "48") || pm_code(r, pm, "54") || pm_code(r, pm, "55")) {
		if (!card)
			rule_fire(r->c, "DE-R-024-1", RULE_FATAL, pm);
		if (pfa || mandate)
			rule_fire(r->c, "DE-R-024-2", RULE_FATAL, pm);
	} else if (pm_code(r, pm, "59")) {
		bool is59 = false;
		for (xmlNodePtr k = pm->children; k != NULL && !r->r21; k = k->next)
			is59 |= rule_is(k, RULE_NS_CBC, "PaymentMeansCode") && rule_text_eq(k, "59");
		if (r->r21)
			is59 = code_norm_is(pm, "59");
		if (is59 && !iban_ok(rule_path(pm, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")))
			rule_fire(r->c, "DE-R-020", RULE_WARNING, pm);
		if (!mandate)
			rule_fire(r->c, "DE-R-025-1", RULE_FATAL, pm);
		if (pfa || card)
			rule_fire(r->c, "DE-R-025-2", RULE_FATAL, pm);
	}
}

/* Entry from peppol_national(): both parties in Germany. */
void
peppol_germany(struct peppol_run *r)
{
	xmlNodePtr top = r->top;
	if (!r->top_is_invoice && !rule_is(top, RULE_NS_CN, "CreditNote"))
		return;
	document(r, top);
	for (xmlNodePtr k = top->children; k != NULL; k = k->next) {
		if (rule_is(k, RULE_NS_CAC, "AccountingSupplierParty")) {
			if (rule_path(k, "cac:Party/cac:Contact") == NULL)
				rule_fire(r->c, "DE-R-002", RULE_FATAL, k);
			for (xmlNodePtr p = k->children; p != NULL; p = p->next) {
				if (!rule_is(p, RULE_NS_CAC, "Party"))
					continue;
				for (xmlNodePtr c = p->children; c != NULL; c = c->next) {
					if (rule_is(c, RULE_NS_CAC, "PostalAddress"))
						address(r, c, "DE-R-003", "DE-R-004");
					if (rule_is(c, RULE_NS_CAC, "Contact"))
						contact(r, c);
				}
			}
		} else if (rule_is(k, RULE_NS_CAC, "AccountingCustomerParty")) {
			for (xmlNodePtr p = k->children; p != NULL; p = p->next)
				for (xmlNodePtr c = rule_is(p, RULE_NS_CAC, "Party") ? p->children : NULL; c != NULL; c = c->next)
					if (rule_is(c, RULE_NS_CAC, "PostalAddress"))
						address(r, c, "DE-R-008", "DE-R-009");
		} else if (rule_is(k, RULE_NS_CAC, "Delivery")) {
			for (xmlNodePtr l = k->children; l != NULL; l = l->next)
				for (xmlNodePtr a = rule_is(l, RULE_NS_CAC, "DeliveryLocation") ? l->children : NULL; a != NULL; a = a->next)
					if (rule_is(a, RULE_NS_CAC, "Address"))
						address(r, a, "DE-R-010", "DE-R-011");
		} else if (rule_is(k, RULE_NS_CAC, "PaymentMeans")) {
			payment(r, k);
		} else if (r->r21 && rule_is(k, RULE_NS_CAC, "AdditionalDocumentReference")) {
			external_urls(r, k);
		} else if (rule_is(k, RULE_NS_CAC, "TaxTotal")) {
			for (xmlNodePtr s = k->children; s != NULL; s = s->next)
				if (rule_is(s, RULE_NS_CAC, "TaxSubtotal") &&
				    !has_text(rule_child(s, RULE_NS_CAC, "TaxCategory"), RULE_NS_CBC, "Percent"))
					rule_fire(r->c, "DE-R-014", RULE_FATAL, s);
		}
	}
}

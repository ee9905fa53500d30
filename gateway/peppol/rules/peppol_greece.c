/*
 * peppol_greece.c - the Greek block of Peppol BIS 3.0.19 (GR-R-*, GR-S-*):
 * the invoice number's six segments, the seller's and buyer's TINs, the
 * MARK number and the invoice URL.
 *
 * Owns the TIN check (u:TinVerification) and the block's rules. Runs only
 * when the seller is Greek (VAT prefix or country GR/EL).
 */
#include "peppol/rules/peppol_int.h"
#include "peppol/rules/peppol_ids.h"

#include <stdio.h>
#include <string.h>

/* u:TinVerification: nine digits, the last a weighted mod 11 mod 10 check;
 * characters after the ninth are ignored, as in the official function. */
static bool
tin_ok(const char *v)
{
	long sum = 0;
	for (int i = 0; i < 9; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	for (int i = 0; i < 8; i++)
		sum += (long)(v[i] - '0') << (8 - i);
	return (sum % 11) % 10 == v[8] - '0';
}

static bool
is_greek(const char *c)
{
	return strcmp(c, "GR") == 0 || strcmp(c, "EL") == 0;
}

/* Up to 8 segments of tokenize(s, '\|'); returns the count. An empty
 * string has no segment. */
static size_t
segments(char *s, char *seg[8])
{
	size_t n = 0;
	if (*s == '\0')
		return 0;
	for (char *p = s;; ) {
		char *bar = strchr(p, '|');
		if (n < 8)
			seg[n] = p;
		n++;
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	for (size_t i = n; i < 8; i++)
		seg[i] = NULL;
	return n;
}

static size_t
norm_len_str(const char *s)
{
	size_t n = 0;
	bool pend = false;
	for (; s && *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			pend = n > 0;
			continue;
		}
		n += pend ? 2 : 1;
		pend = false;
	}
	return n;
}

/* $dateRegExp (unanchored at the end): d[-\/ ]?m[-\/ ]?yyyy with day 1-31,
 * month 1-12 (optional leading zero) and a year 19xx or 20xx. */
static bool
gr_date_prefix(const char *s)
{
	size_t i = 0;
	/* Day: 0?[1-9] | [12][0-9] | 3[01]; try the alternatives with backtracking. */
	for (int dlen = 2; dlen >= 1; dlen--) {
		for (int lead0 = 0; lead0 <= 1; lead0++) {
			i = 0;
			const char *p = s;
			if (lead0) {
				if (p[0] != '0' || !(p[1] >= '1' && p[1] <= '9'))
					continue;
				i = 2;
			} else if (dlen == 2) {
				if (!((p[0] == '1' || p[0] == '2') && p[1] >= '0' && p[1] <= '9') &&
				    !(p[0] == '3' && (p[1] == '0' || p[1] == '1')))
					continue;
				i = 2;
			} else {
				if (!(p[0] >= '1' && p[0] <= '9'))
					continue;
				i = 1;
			}
			for (int sep1 = 1; sep1 >= 0; sep1--) {
				size_t j = i;
				if (sep1) {
					if (!(p[j] == '-' || p[j] == '\\' || p[j] == '/' || p[j] == ' '))
						continue;
					j++;
				}
				/* Month: 0?[1-9] | 1[0-2] */
				size_t mopts[3];
				size_t nm = 0;
				if (p[j] == '0' && p[j + 1] >= '1' && p[j + 1] <= '9')
					mopts[nm++] = j + 2;
				if (p[j] == '1' && p[j + 1] >= '0' && p[j + 1] <= '2')
					mopts[nm++] = j + 2;
				if (p[j] >= '1' && p[j] <= '9')
					mopts[nm++] = j + 1;
				for (size_t m = 0; m < nm; m++) {
					for (int sep2 = 1; sep2 >= 0; sep2--) {
						size_t k = mopts[m];
						if (sep2) {
							if (!(p[k] == '-' || p[k] == '\\' || p[k] == '/' || p[k] == ' '))
								continue;
							k++;
						}
						if (((p[k] == '1' && p[k + 1] == '9') || (p[k] == '2' && p[k + 1] == '0')) &&
						    p[k + 2] >= '0' && p[k + 2] <= '9' && p[k + 3] >= '0' && p[k + 3] <= '9')
							return true;
					}
				}
			}
		}
	}
	return false;
}

/* tokenize(s, sep)[i] (1-based) into out; "" when absent. */
static void
token(const char *s, char sep, int idx, char *out, size_t cap)
{
	out[0] = '\0';
	if (*s == '\0')
		return;
	for (int t = 1; s != NULL; t++) {
		const char *e = strchr(s, sep);
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (t == idx) {
			snprintf(out, cap, "%.*s", (int)l, s);
			return;
		}
		s = e ? e + 1 : NULL;
	}
}

/* Any VAT scheme (TaxScheme/ID exactly "VAT") of party whose CompanyID's
 * characters 3-11 equal v. */
static bool
vat_tin_is(xmlNodePtr party, const char *v)
{
	for (xmlNodePtr t = party ? party->children : NULL; t != NULL; t = t->next) {
		if (!rule_is(t, RULE_NS_CAC, "PartyTaxScheme") ||
		    !rule_text_eq(rule_path(t, "cac:TaxScheme/cbc:ID"), "VAT"))
			continue;
		char b[64];
		rule_text(rule_child(t, RULE_NS_CBC, "CompanyID"), b, sizeof b);
		char sub[16];
		snprintf(sub, sizeof sub, "%.9s", strlen(b) > 2 ? b + 2 : "");
		if (strcmp(sub, v) == 0)
			return true;
	}
	return false;
}

/* GR-R-001-*: "TIN|dd/mm/yyyy|number|type|x|y" in the invoice number. */
static void
invoice_number(struct peppol_run *r, xmlNodePtr id)
{
	char b[512], *seg[8];
	rule_text(id, b, sizeof b);
	size_t n = segments(b, seg);
	if (n != 6)
		rule_fire(r->c, "GR-R-001-1", RULE_FATAL, id);
	const char *s1 = seg[0] ? seg[0] : "";
	bool tin = norm_len_str(s1) == 9 && tin_ok(s1) &&
	    (vat_tin_is(rule_path(r->top, "cac:AccountingSupplierParty/cac:Party"), s1) ||
	    vat_tin_is(rule_child(r->top, RULE_NS_CAC, "TaxRepresentativeParty"), s1));
	if (!tin)
		rule_fire(r->c, "GR-R-001-2", RULE_FATAL, id);
	const char *s2 = seg[1] ? seg[1] : "";
	char issue[64], a[16], b2[16];
	rule_text(rule_child(r->top, RULE_NS_CBC, "IssueDate"), issue, sizeof issue);
	bool date = norm_len_str(s2) > 0 && gr_date_prefix(s2);
	for (int k = 1; date && k <= 3; k++) {
		token(s2, '/', k, a, sizeof a);
		token(issue, '-', 4 - k, b2, sizeof b2);
		date = a[0] != '\0' && strcmp(a, b2) == 0;
	}
	if (!date)
		rule_fire(r->c, "GR-R-001-3", RULE_FATAL, id);
	const char *s3 = seg[2] ? seg[2] : "";
	double v;
	if (norm_len_str(s3) == 0 || !peppol_number(s3, &v)) {
		rule_fire(r->c, "GR-R-001-4", RULE_FATAL, id);
	} else if (peppol_castable_integer(s3, strlen(s3))) {
		/* xs:integer(seg) >= 0; a non-integer number stops the official run. */
		const char *p = s3;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		bool neg = *p == '-';
		bool zero = true;
		for (const char *q = p; *q; q++)
			if (*q >= '1' && *q <= '9')
				zero = false;
		if (neg && !zero)
			rule_fire(r->c, "GR-R-001-4", RULE_FATAL, id);
	}
	static const char *const types[] = { "1.1", "1.6", "2.1", "2.4", "5.1", "5.2" };
	const char *s4 = seg[3] ? seg[3] : "";
	bool type = false;
	for (size_t i = 0; i < 6; i++)
		type |= strcmp(s4, types[i]) == 0;
	if (norm_len_str(s4) == 0 || !type)
		rule_fire(r->c, "GR-R-001-5", RULE_FATAL, id);
	if (seg[4] == NULL || seg[4][0] == '\0')
		rule_fire(r->c, "GR-R-001-6", RULE_FATAL, id);
	if (seg[5] == NULL || seg[5][0] == '\0')
		rule_fire(r->c, "GR-R-001-7", RULE_FATAL, id);
}

/* One VAT CompanyID, "EL" + a valid TIN (GR-S-011, GR-R-006). */
static bool
greek_vat(xmlNodePtr party)
{
	size_t n = 0;
	xmlNodePtr first = NULL;
	for (xmlNodePtr t = party->children; t != NULL; t = t->next) {
		if (!rule_is(t, RULE_NS_CAC, "PartyTaxScheme") ||
		    !rule_norm_eq(rule_path(t, "cac:TaxScheme/cbc:ID"), "VAT"))
			continue;
		for (xmlNodePtr c = t->children; c != NULL; c = c->next)
			if (rule_is(c, RULE_NS_CBC, "CompanyID")) {
				if (first == NULL)
					first = c;
				n++;
			}
	}
	char b[64];
	rule_text(first, b, sizeof b);
	return n == 1 && strncmp(b, "EL", 2) == 0 && tin_ok(b + 2);
}

static bool
name_nonempty(xmlNodePtr party)
{
	char b[8];
	return rule_text(rule_path(party, "cac:PartyName/cbc:Name"), b, sizeof b) > 0;
}

static size_t
count_adr(xmlNodePtr top, const char *desc)
{
	size_t n = 0;
	for (xmlNodePtr k = top->children; k != NULL; k = k->next) {
		if (!rule_is(k, RULE_NS_CAC, "AdditionalDocumentReference"))
			continue;
		for (xmlNodePtr d = k->children; d != NULL; d = d->next)
			if (rule_is(d, RULE_NS_CBC, "DocumentDescription") && rule_text_eq(d, desc)) {
				n++;
				break;
			}
	}
	return n;
}

static void
endpoint_tin(struct peppol_run *r, xmlNodePtr party, const char *id)
{
	for (xmlNodePtr e = party ? party->children : NULL; e != NULL; e = e->next) {
		if (!rule_is(e, RULE_NS_CBC, "EndpointID"))
			continue;
		const char *s = rule_attr(e, "schemeID");
		char b[64];
		rule_text(e, b, sizeof b);
		if (s == NULL || strcmp(s, "9933") != 0 || !tin_ok(b))
			rule_fire(r->c, id, RULE_FATAL, e);
	}
}

void
peppol_greece(struct peppol_run *r, const char *supplier, const char *acc_supplier, const char *customer)
{
	xmlNodePtr top = r->top;
	xmlNodePtr sparty = rule_path(top, "cac:AccountingSupplierParty/cac:Party");
	xmlNodePtr cparty = rule_path(top, "cac:AccountingCustomerParty/cac:Party");
	if (is_greek(acc_supplier))
		endpoint_tin(r, sparty, "GR-R-009");
	if (!is_greek(supplier))
		return;
	xmlNodePtr id = rule_child(top, RULE_NS_CBC, "ID");
	if (id != NULL && (r->top_is_invoice || rule_is(top, RULE_NS_CN, "CreditNote")))
		invoice_number(r, id);
	if (sparty != NULL) {
		if (!name_nonempty(sparty))
			rule_fire(r->c, "GR-R-002", RULE_FATAL, sparty);
		if (!greek_vat(sparty))
			rule_fire(r->c, "GR-S-011", RULE_WARNING, sparty);
		for (xmlNodePtr t = sparty->children; t != NULL; t = t->next) {
			if (!rule_is(t, RULE_NS_CAC, "PartyTaxScheme") ||
			    !rule_norm_eq(rule_path(t, "cac:TaxScheme/cbc:ID"), "VAT"))
				continue;
			for (xmlNodePtr c = t->children; c != NULL; c = c->next) {
				char b[64];
				if (!rule_is(c, RULE_NS_CBC, "CompanyID"))
					continue;
				rule_text(c, b, sizeof b);
				if (strncmp(b, "EL", 2) != 0 || !tin_ok(b + 2))
					rule_fire(r->c, "GR-R-003", RULE_FATAL, c);
			}
		}
	}
	bool in_gr = false;
	for (xmlNodePtr c = rule_path(sparty, "cac:PostalAddress/cac:Country"); c != NULL; c = rule_next_same(c))
		for (xmlNodePtr k = c->children; k != NULL; k = k->next)
			in_gr |= rule_is(k, RULE_NS_CBC, "IdentificationCode") && rule_text_eq(k, "GR");
	if (in_gr) {
		if (count_adr(top, "##M.AR.K##") != 1)
			rule_fire(r->c, "GR-R-004-1", RULE_FATAL, top);
		size_t urls = count_adr(top, "##INVOICE|URL##");
		if (urls != 1)
			rule_fire(r->c, "GR-S-008-1", RULE_WARNING, top);
		if (urls > 1)
			rule_fire(r->c, "GR-R-008-2", RULE_FATAL, top);
	}
	for (xmlNodePtr k = top->children; k != NULL; k = k->next) {
		if (!rule_is(k, RULE_NS_CAC, "AdditionalDocumentReference"))
			continue;
		bool mark = false, url = false;
		for (xmlNodePtr d = k->children; d != NULL; d = d->next)
			if (rule_is(d, RULE_NS_CBC, "DocumentDescription")) {
				mark |= rule_text_eq(d, "##M.AR.K##");
				url |= rule_text_eq(d, "##INVOICE|URL##");
			}
		if (mark && in_gr)
			for (xmlNodePtr i = k->children; i != NULL; i = i->next) {
				char b[8];
				if (rule_is(i, RULE_NS_CBC, "ID") && (rule_text(i, b, sizeof b) == 0 || b[0] < '1' || b[0] > '9'))
					rule_fire(r->c, "GR-R-004-2", RULE_FATAL, i);
			}
		if (url) {
			char b[8];
			if (rule_norm(rule_path(k, "cac:Attachment/cac:ExternalReference/cbc:URI"), b, sizeof b) == 0)
				rule_fire(r->c, "GR-R-008-3", RULE_FATAL, k);
		}
	}
	if (cparty != NULL && !name_nonempty(cparty))
		rule_fire(r->c, "GR-R-005", RULE_FATAL, cparty);
	if (!is_greek(customer) || cparty == NULL)
		return;
	if (!greek_vat(cparty))
		rule_fire(r->c, "GR-R-006", RULE_FATAL, cparty);
	endpoint_tin(r, cparty, "GR-R-010");
}

/*
 * cen_root.c - the CEN rules whose context is the document root
 * (/ubl:Invoice | /cn:CreditNote): BR-01..BR-16, BR-53, BR-CO-03/15/18,
 * the document-level VAT category rules (BR-xx-01..04, BR-O-11..14,
 * BR-IC-11/12, BR-B-01/02) and the UBL-SR cardinalities on the root.
 *
 * They read the facts gathered by the walk (cen_facts_element) so that no
 * rule searches the whole tree again. Each rule fires at most once, at the
 * root. The small differences between the official tests of each category
 * (with or without the VAT-scheme filter, normalize-space or not) are kept
 * on purpose: they decide edge cases. Owns nothing.
 */
#include "peppol/rules/cen_internal.h"

#include <string.h>
#include <strings.h>

#define CBC(n, nm) rule_child((n), RULE_NS_CBC, (nm))
#define CAC(n, nm) rule_child((n), RULE_NS_CAC, (nm))

/* Sum of counters over a set of kinds. */
static uint32_t
sum_kinds(const struct cen_facts *f, const enum cen_tck *k, size_t nk, int vat_only, enum cen_cat cat)
{
	uint32_t s = 0;
	for (size_t i = 0; i < nk; i++) {
		s += f->cnt[k[i]][1][cat];
		if (!vat_only)
			s += f->cnt[k[i]][0][cat];
	}
	return s;
}

static const enum cen_tck ALL_TC[] = {
	TCK_ST_ROOT, TCK_ST_OTHER, TCK_AC_F_ROOT, TCK_AC_T_ROOT, TCK_AC_F_SUB, TCK_AC_T_SUB,
	TCK_AC_NONE, TCK_OTHER,
};
static const enum cen_tck ALL_AC[] = {
	TCK_AC_F_ROOT, TCK_AC_T_ROOT, TCK_AC_F_SUB, TCK_AC_T_SUB, TCK_AC_NONE,
};
static const enum cen_tck AC_F[] = { TCK_AC_F_ROOT, TCK_AC_F_SUB };
static const enum cen_tck AC_T[] = { TCK_AC_T_ROOT, TCK_AC_T_SUB };
static const enum cen_tck ST_ROOT[] = { TCK_ST_ROOT };
static const enum cen_tck CTC[] = { TCK_CTC };

#define N(a) (sizeof (a) / sizeof (a)[0])
#define TCV(c) sum_kinds(f, ALL_TC, N(ALL_TC), 1, (c))     /* //TaxCategory[VAT]/ID[=c] */
#define CTCV(c) sum_kinds(f, CTC, 1, 1, (c))               /* //ClassifiedTaxCategory[VAT] */
#define CTCA(c) sum_kinds(f, CTC, 1, 0, (c))               /* //ClassifiedTaxCategory (any scheme) */
#define STV(c) sum_kinds(f, ST_ROOT, 1, 1, (c))            /* cac:TaxTotal/cac:TaxSubtotal/TaxCategory[VAT] */
#define STA(c) sum_kinds(f, ST_ROOT, 1, 0, (c))
#define ACFV(c) sum_kinds(f, AC_F, N(AC_F), 1, (c))        /* //AllowanceCharge[false]/TaxCategory[VAT] */
#define ACFA(c) sum_kinds(f, AC_F, N(AC_F), 0, (c))
#define ACTV(c) sum_kinds(f, AC_T, N(AC_T), 1, (c))
#define ACTA(c) sum_kinds(f, AC_T, N(AC_T), 0, (c))

/* Fires id at the root unless ok. */
static void
check(struct cen_run *r, const char *id, bool ok)
{
	if (!ok)
		cen_fatal(r, id, r->root);
}

/* normalize-space(n) != ''. */
static bool
norm_set(const xmlNode *n)
{
	char b[8];
	return rule_norm(n, b, sizeof b) > 0;
}

/* Every kind except "other" summed: count(... [normalize-space(cbc:ID) != c]) */
static uint32_t
not_cat(const struct cen_facts *f, const enum cen_tck *k, size_t nk, enum cen_cat c)
{
	uint32_t s = 0;
	for (int x = 0; x < CAT_N; x++)
		if (x != (int)c)
			s += sum_kinds(f, k, nk, 1, (enum cen_cat)x);
	return s;
}

/* BR-xx-01 where the breakdown must hold exactly one entry of the category. */
static void
exactly_one(struct cen_run *r, const char *id, enum cen_cat c)
{
	const struct cen_facts *f = &r->f;
	bool used = TCV(c) > 0 || CTCV(c) > 0;
	check(r, id, (used && STV(c) == 1) || !used);
}

/* Document-level VAT category rules (BR-xx-01..04, BR-O-11..14, BR-IC-11/12, BR-B). */
static void
category_rules(struct cen_run *r)
{
	const struct cen_facts *f = &r->f;
	bool sel_any = f->sup_pts_company || f->taxrep_vat_company;   /* seller VAT or tax rep, loose */
	bool sel_vat = f->sup_vat_company || f->taxrep_vat_company;
	bool buyer = f->cust_vat_company || f->cust_legal_company;

	/* Reverse charge */
	exactly_one(r, "BR-AE-01", CAT_AE);
	check(r, "BR-AE-02", (CTCV(CAT_AE) && sel_any && buyer) || !CTCV(CAT_AE));
	check(r, "BR-AE-03", (ACFV(CAT_AE) && sel_any && buyer) || !ACFV(CAT_AE));
	check(r, "BR-AE-04", (ACTV(CAT_AE) && sel_any && buyer) || !ACTV(CAT_AE));
	/* Exempt */
	exactly_one(r, "BR-E-01", CAT_E);
	check(r, "BR-E-02", (CTCV(CAT_E) && sel_any) || !CTCV(CAT_E));
	check(r, "BR-E-03", (ACFV(CAT_E) && sel_any) || !ACFV(CAT_E));
	check(r, "BR-E-04", (ACTV(CAT_E) && sel_any) || !ACTV(CAT_E));
	/* Export outside the EU */
	exactly_one(r, "BR-G-01", CAT_G);
	check(r, "BR-G-02", (CTCV(CAT_G) && sel_vat) || !CTCV(CAT_G));
	check(r, "BR-G-03", (ACFA(CAT_G) && sel_vat) || !ACFV(CAT_G));
	check(r, "BR-G-04", (ACTA(CAT_G) && sel_vat) || !ACTV(CAT_G));
	/* Intra-community supply */
	exactly_one(r, "BR-IC-01", CAT_K);
	check(r, "BR-IC-02", (CTCV(CAT_K) && sel_vat && f->cust_vat_company) || !CTCV(CAT_K));
	check(r, "BR-IC-03", (ACFV(CAT_K) && sel_vat && f->cust_vat_company) || !ACFV(CAT_K));
	check(r, "BR-IC-04", (ACTV(CAT_K) && sel_vat && f->cust_vat_company) || !ACTV(CAT_K));
	if (STV(CAT_K)) {
		char b[64];
		xmlNode *root = r->root;
		rule_text(rule_path(root, "cac:Delivery/cbc:ActualDeliveryDate"), b, sizeof b);
		bool period = rule_path(root, "cac:InvoicePeriod/*") != NULL;
		check(r, "BR-IC-11", strlen(b) > 1 || period);
		rule_text(rule_path(root, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"),
		    b, sizeof b);
		check(r, "BR-IC-12", strlen(b) > 1);
	}
	/* IGIC (Canary Islands) */
	{
		uint32_t used = sum_kinds(f, ALL_AC, N(ALL_AC), 1, CAT_L) + CTCV(CAT_L);
		uint32_t raw_any = f->raw[TCK_ST_ROOT][0][CAT_L] + f->raw[TCK_ST_ROOT][1][CAT_L];
		check(r, "BR-AF-01", (used > 0 && raw_any > 0) || (used == 0 && STV(CAT_L) == 0));
		check(r, "BR-AF-02", (CTCV(CAT_L) && sel_any) || !CTCV(CAT_L));
		check(r, "BR-AF-03", (ACFV(CAT_L) && sel_any) || !ACFV(CAT_L));
		uint32_t raw_t = f->raw[TCK_AC_T_ROOT][1][CAT_L] + f->raw[TCK_AC_T_SUB][1][CAT_L];
		check(r, "BR-AF-04", (ACTV(CAT_L) && sel_any) || !raw_t);
	}
	/* IPSI (Ceuta and Melilla) */
	{
		uint32_t used = sum_kinds(f, ALL_AC, N(ALL_AC), 1, CAT_M) + CTCV(CAT_M);
		uint32_t raw_vat = f->raw[TCK_ST_ROOT][1][CAT_M];
		check(r, "BR-AG-01", (used > 0 && raw_vat > 0) || (used == 0 && STV(CAT_M) == 0));
		check(r, "BR-AG-02", (CTCV(CAT_M) && sel_any) || !CTCV(CAT_M));
		check(r, "BR-AG-03", (ACFV(CAT_M) && sel_any) || !ACFV(CAT_M));
		check(r, "BR-AG-04", (ACTV(CAT_M) && sel_any) || !ACTV(CAT_M));
	}
	/* Not subject to VAT */
	{
		bool none = !f->sup_vat_company && !f->taxrep_vat_company && !f->cust_vat_company;
		exactly_one(r, "BR-O-01", CAT_O);
		check(r, "BR-O-02", (CTCV(CAT_O) && none) || !CTCV(CAT_O));
		uint32_t rf = f->cnt[TCK_AC_F_ROOT][1][CAT_O], rt = f->cnt[TCK_AC_T_ROOT][1][CAT_O];
		check(r, "BR-O-03", (rf && none) || !rf);
		check(r, "BR-O-04", (rt && none) || !rt);
		bool o = STV(CAT_O) > 0;
		check(r, "BR-O-11", (o && not_cat(f, ST_ROOT, 1, CAT_O) == 0) || !o);
		check(r, "BR-O-12", (o && not_cat(f, CTC, 1, CAT_O) == 0) || !o);
		check(r, "BR-O-13", (o && not_cat(f, AC_F, N(AC_F), CAT_O) == 0) || !o);
		check(r, "BR-O-14", (o && not_cat(f, AC_T, N(AC_T), CAT_O) == 0) || !o);
	}
	/* Standard rated (no VAT-scheme filter in BR-S-01) */
	{
		uint32_t used = sum_kinds(f, ALL_AC, N(ALL_AC), 0, CAT_S) + CTCA(CAT_S);
		uint32_t st = STA(CAT_S);
		check(r, "BR-S-01", (used > 0 && st > 0) || (used == 0 && st == 0));
		check(r, "BR-S-02", (CTCV(CAT_S) && sel_any) || !CTCA(CAT_S));
		check(r, "BR-S-03", (ACFV(CAT_S) && sel_any) || !ACFV(CAT_S));
		check(r, "BR-S-04", (ACTV(CAT_S) && sel_any) || !ACTV(CAT_S));
	}
	/* Zero rated */
	exactly_one(r, "BR-Z-01", CAT_Z);
	check(r, "BR-Z-02", (CTCV(CAT_Z) && sel_any) || !CTCV(CAT_Z));
	check(r, "BR-Z-03", (ACFV(CAT_Z) && sel_any) || !ACFV(CAT_Z));
	check(r, "BR-Z-04", (ACTV(CAT_Z) && sel_any) || !ACTV(CAT_Z));
	/* Split payment (exact, unnormalized comparisons) */
	{
		uint32_t tb = 0, ctb = f->raw[TCK_CTC][0][CAT_B] + f->raw[TCK_CTC][1][CAT_B];
		for (size_t i = 0; i < N(ALL_TC); i++)
			tb += f->raw[ALL_TC[i]][0][CAT_B] + f->raw[ALL_TC[i]][1][CAT_B];
		bool b = tb || ctb;
		check(r, "BR-B-01", (!f->idcode_not_it && b) || !b);
		uint32_t root_b = f->raw[TCK_ST_ROOT][0][CAT_B] + f->raw[TCK_ST_ROOT][1][CAT_B];
		uint32_t root_s = f->raw[TCK_ST_ROOT][0][CAT_S] + f->raw[TCK_ST_ROOT][1][CAT_S];
		for (int k = TCK_AC_F_ROOT; k <= TCK_AC_T_ROOT; k++) {
			root_b += f->raw[k][0][CAT_B] + f->raw[k][1][CAT_B];
			root_s += f->raw[k][0][CAT_S] + f->raw[k][1][CAT_S];
		}
		/* root AllowanceCharge without a boolean indicator still counts here */
		uint32_t ctc_s = f->raw[TCK_CTC][0][CAT_S] + f->raw[TCK_CTC][1][CAT_S];
		bool bb = root_b || ctb;
		check(r, "BR-B-02", (bb && !(root_s || ctc_s)) || !bb);
	}
}

/* BR-CO-15 for one DocumentCurrencyCode. */
static bool
co15(struct cen_run *r, const xmlNode *cur_el)
{
	char cur[64], b[64];
	rule_text(cur_el, cur, sizeof cur);
	const xmlNode *root = r->root;
	size_t n = 0;
	decimal tax = dec_from_int(0), d;
	for (xmlNode *t = CAC(root, "TaxTotal"); t; t = rule_next_same(t))
		for (xmlNode *a = CBC(t, "TaxAmount"); a; a = rule_next_same(a)) {
			const char *c = rule_attr(a, "currencyID");
			if (c == NULL || strcmp(c, cur) != 0)
				continue;
			n++;
			if (rule_decimal(a, &d))
				tax = dec_add(tax, d);
		}
	if (n != 1)
		return false;
	(void)b;
	decimal tia, tea;
	const xmlNode *lmt = CAC(root, "LegalMonetaryTotal");
	if (!rule_decimal(CBC(lmt, "TaxInclusiveAmount"), &tia) || !rule_decimal(CBC(lmt, "TaxExclusiveAmount"), &tea))
		return false;
	return dec_cmp(tia, cen_xround(dec_add(tea, tax), 2)) == 0;
}

/* UBL-SR cardinalities with the root as context. */
static void
syntax_rules(struct cen_run *r)
{
	const xmlNode *root = r->root;
	/* count(cac:X/rest) <= 1 for each: one pass over the root's children,
	 * each cac:X child adding the matches of rest below it. */
	static const struct { const char *id; const char *first; const char *rest; } at_most_one[] = {
		{ "UBL-SR-01", "ContractDocumentReference", "cbc:ID" },
		{ "UBL-SR-02", "ReceiptDocumentReference", "cbc:ID" },
		{ "UBL-SR-03", "DespatchDocumentReference", "cbc:ID" },
		{ "UBL-SR-05", "PaymentTerms", "cbc:Note" },
		{ "UBL-SR-08", "InvoicePeriod", NULL },
		{ "UBL-SR-09", "AccountingSupplierParty", "cac:Party/cac:PartyLegalEntity/cbc:RegistrationName" },
		{ "UBL-SR-10", "AccountingSupplierParty", "cac:Party/cac:PartyName/cbc:Name" },
		{ "UBL-SR-11", "AccountingSupplierParty", "cac:Party/cac:PartyLegalEntity/cbc:CompanyID" },
		{ "UBL-SR-14", "AccountingSupplierParty", "cac:Party/cac:PartyLegalEntity/cbc:CompanyLegalForm" },
		{ "UBL-SR-15", "AccountingCustomerParty", "cac:Party/cac:PartyLegalEntity/cbc:RegistrationName" },
		{ "UBL-SR-16", "AccountingCustomerParty", "cac:Party/cac:PartyIdentification/cbc:ID" },
		{ "UBL-SR-17", "AccountingCustomerParty", "cac:Party/cac:PartyLegalEntity/cbc:CompanyID" },
		{ "UBL-SR-24", "Delivery", NULL },
		{ "UBL-SR-39", "ProjectReference", "cbc:ID" },
		{ "UBL-SR-40", "AccountingCustomerParty", "cac:Party/cac:PartyName/cbc:Name" },
		{ "UBL-SR-45", "PaymentMeans", "cbc:PaymentDueDate" },
		{ "UBL-SR-49", "InvoicePeriod", "cbc:DescriptionCode" },
		{ "UBL-SR-54", "PaymentMeans", "cac:CardAccount" },
		{ "UBL-SR-55", "PaymentMeans", "cac:PaymentMandate" },
		{ "UBL-SR-56", "OriginatorDocumentReference", "cbc:ID" },
	};
	size_t counts[N(at_most_one)] = { 0 };
	for (xmlNode *k = root->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || rule_ns_of(k) != RULE_NSID_CAC)
			continue;
		const char *nm = (const char *)k->name;
		for (size_t i = 0; i < N(at_most_one); i++) {
			if (nm[0] != at_most_one[i].first[0] || strcmp(nm, at_most_one[i].first) != 0)
				continue;
			counts[i] += at_most_one[i].rest ? rule_path_count(k, at_most_one[i].rest) : 1;
		}
	}
	for (size_t i = 0; i < N(at_most_one); i++)
		if (counts[i] > 1)
			cen_fatal(r, at_most_one[i].id, root);

	size_t n130 = 0;
	for (xmlNode *d = CAC(root, "AdditionalDocumentReference"); d; d = rule_next_same(d)) {
		bool is130 = false;
		for (xmlNode *c = CBC(d, "DocumentTypeCode"); c; c = rule_next_same(c))
			if (rule_text_eq(c, "130"))
				is130 = true;
		if (is130)
			n130 += rule_count(d, RULE_NS_CBC, "ID");
	}
	if (n130 > 1)
		cen_fatal(r, "UBL-SR-04", root);

	/* PartyTaxScheme of the supplier / customer by scheme (upper-case, not normalized) */
	size_t sup_vat = 0, sup_other = 0, cus_vat = 0;
	for (int who = 0; who < 2; who++) {
		const xmlNode *role = CAC(root, who ? "AccountingCustomerParty" : "AccountingSupplierParty");
		for (; role; role = rule_next_same(role))
			for (xmlNode *p = CAC(role, "Party"); p; p = rule_next_same(p))
				for (xmlNode *t = CAC(p, "PartyTaxScheme"); t; t = rule_next_same(t)) {
					bool vat = false, other = false;
					for (xmlNode *s = CAC(t, "TaxScheme"); s; s = rule_next_same(s)) {
						char b[64];
						xmlNode *id = CBC(s, "ID");
						rule_text(id, b, sizeof b);
						if (strcasecmp(b, "VAT") == 0 && strlen(b) == 3)
							vat = true;
						else
							other = true;
					}
					size_t ids = rule_count(t, RULE_NS_CBC, "CompanyID");
					if (who) {
						cus_vat += vat ? ids : 0;
					} else {
						sup_vat += vat ? ids : 0;
						sup_other += other ? ids : 0;
					}
				}
	}
	if (sup_vat > 1)
		cen_fatal(r, "UBL-SR-12", root);
	if (sup_other > 1)
		cen_fatal(r, "UBL-SR-13", root);
	if (cus_vat > 1)
		cen_fatal(r, "UBL-SR-18", root);
	if (r->f.sepa_ids > 1)
		cen_fatal(r, "UBL-SR-29", root);
	if (r->f.payment_id_distinct)
		cen_fatal(r, "UBL-SR-44", root);
	size_t names = 0;
	for (xmlNode *pm = CAC(root, "PaymentMeans"); pm; pm = rule_next_same(pm))
		for (xmlNode *c = CBC(pm, "PaymentMeansCode"); c; c = rule_next_same(c))
			if (rule_attr(c, "name"))
				names++;
	if (names > 1)
		cen_fatal(r, "UBL-SR-46", root);
	if (r->f.pm_code_distinct)
		cen_fatal(r, "UBL-SR-47", root);
}

/* Every CEN rule whose context is the root, after the walk. */
void
cen_root_rules(struct cen_run *r)
{
	xmlNode *root = r->root;
	const struct cen_facts *f = &r->f;

	check(r, "BR-01", norm_set(CBC(root, "CustomizationID")));
	check(r, "BR-02", norm_set(CBC(root, "ID")));
	check(r, "BR-03", norm_set(CBC(root, "IssueDate")));
	check(r, "BR-04", norm_set(CBC(root, "InvoiceTypeCode")) || norm_set(CBC(root, "CreditNoteTypeCode")));
	check(r, "BR-05", norm_set(CBC(root, "DocumentCurrencyCode")));
	check(r, "BR-06", norm_set(rule_path(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")));
	check(r, "BR-07", norm_set(rule_path(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")));
	check(r, "BR-08", rule_path(root, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress") != NULL);
	check(r, "BR-10", rule_path(root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress") != NULL);
	check(r, "BR-16", CAC(root, "InvoiceLine") || CAC(root, "CreditNoteLine"));

	/* BR-53: every TaxCurrencyCode has a TaxAmount in that currency somewhere */
	for (xmlNode *tc = CBC(root, "TaxCurrencyCode"); tc; tc = rule_next_same(tc)) {
		char cur[64];
		rule_text(tc, cur, sizeof cur);
		bool found = false;
		for (xmlNode *t = CAC(root, "TaxTotal"); t && !found; t = rule_next_same(t))
			for (xmlNode *a = CBC(t, "TaxAmount"); a && !found; a = rule_next_same(a)) {
				const char *c = rule_attr(a, "currencyID");
				found = c != NULL && strcmp(c, cur) == 0;
			}
		if (!found) {
			cen_fatal(r, "BR-53", root);
			break;
		}
	}

	check(r, "BR-CO-03", !(CBC(root, "TaxPointDate") && rule_path(root, "cac:InvoicePeriod/cbc:DescriptionCode")));
	for (xmlNode *c = CBC(root, "DocumentCurrencyCode"); c; c = rule_next_same(c))
		if (!co15(r, c)) {
			cen_fatal(r, "BR-CO-15", root);
			break;
		}
	check(r, "BR-CO-18", rule_path(root, "cac:TaxTotal/cac:TaxSubtotal") != NULL);
	/* BR-DEC-13 and BR-DEC-15 compare @currencyID with a child of TaxAmount
	 * that never exists: as written they cannot fail. */
	(void)f;
	category_rules(r);
	syntax_rules(r);
}

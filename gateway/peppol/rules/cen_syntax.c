/*
 * cen_syntax.c - the CEN "UBL-syntax" rules with an element context
 * (UBL-SR cardinalities, UBL-DT-01/06/07) and the "Codesmodel" code-list
 * rules (BR-CL), one element at a time.
 *
 * Code lists are the C tables of cen_codes.c; membership is the official
 * "contains(' A B ', concat(' ', normalize-space(.), ' '))" test, i.e. a
 * whole token without spaces. Owns nothing.
 */
#include "peppol/rules/cen_internal.h"
#include "peppol/rules/cen_codes.h"

#include <string.h>
#include <strings.h>

#define CBC(n, nm) rule_child((n), RULE_NS_CBC, (nm))
#define CAC(n, nm) rule_child((n), RULE_NS_CAC, (nm))
#define IS_CAC(n, nm) rule_is((n), RULE_NS_CAC, (nm))
#define IS_CBC(n, nm) rule_is((n), RULE_NS_CBC, (nm))

/* (A) != (B) as an XPath general comparison: some pair of values differs. */
static bool
some_differ(const xmlNode *ctx_a, const char *pa, const xmlNode *ctx_b, const char *pb)
{
	xmlNodePtr a[16], b[16];
	if (ctx_a == NULL || ctx_b == NULL)
		return false;
	size_t na = rule_path_all(ctx_a, pa, a, 16), nb = rule_path_all(ctx_b, pb, b, 16);
	na = na > 16 ? 16 : na;
	nb = nb > 16 ? 16 : nb;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (!rule_same_text(a[i], b[j]))
				return true;
	return false;
}

static void
payee(struct cen_run *r, xmlNode *p)
{
	const xmlNode *sup = CAC(p->parent, "AccountingSupplierParty");
	bool differ = some_differ(p, "cac:PartyName/cbc:Name", sup,
	    "cac:Party/cac:PartyLegalEntity/cbc:RegistrationName");
	if (!(rule_path_count(p, "cac:PartyName/cbc:Name") <= 1 && differ))
		cen_fatal(r, "UBL-SR-19", p);
	size_t ids = 0;
	for (xmlNode *pi = CAC(p, "PartyIdentification"); pi; pi = rule_next_same(pi))
		for (xmlNode *id = CBC(pi, "ID"); id; id = rule_next_same(id)) {
			const char *s = rule_attr(id, "schemeID");
			if (s == NULL || strcasecmp(s, "SEPA") != 0)
				ids++;
		}
	if (!(ids <= 1 && differ))
		cen_fatal(r, "UBL-SR-20", p);
	if (!(rule_path_count(p, "cac:PartyLegalEntity/cbc:CompanyID") <= 1 && differ))
		cen_fatal(r, "UBL-SR-21", p);
}

static void
line(struct cen_run *r, xmlNode *l)
{
	if (rule_count(l, RULE_NS_CBC, "Note") > 1)
		cen_fatal(r, "UBL-SR-34", l);
	if (rule_path_count(l, "cac:OrderLineReference/cbc:LineID") > 1)
		cen_fatal(r, "UBL-SR-35", l);
	if (rule_count(l, RULE_NS_CAC, "InvoicePeriod") > 1)
		cen_fatal(r, "UBL-SR-36", l);
	if (rule_path_count(l, "cac:Price/cac:AllowanceCharge/cbc:Amount") > 1)
		cen_fatal(r, "UBL-SR-37", l);
	if (rule_path_count(l, "cac:Item/cac:ClassifiedTaxCategory") != 1)
		cen_fatal(r, "UBL-SR-48", l);
	if (rule_path_count(l, "cac:Item/cbc:Description") > 1)
		cen_fatal(r, "UBL-SR-50", l);
	if (rule_count(l, RULE_NS_CAC, "DocumentReference") > 1)
		cen_fatal(r, "UBL-SR-52", l);
}

static bool
any_text(const xmlNode *parent, const char *name, const char *v)
{
	for (xmlNode *k = CBC(parent, name); k; k = rule_next_same(k))
		if (rule_text_eq(k, v))
			return true;
	return false;
}

static void
doc_reference(struct cen_run *r, xmlNode *d)
{
	if (rule_count(d, RULE_NS_CBC, "DocumentDescription") > 1)
		cen_fatal(r, "UBL-SR-33", d);
	bool ok = any_text(d, "DocumentTypeCode", "130") ||
	    (r->c->credit_note && any_text(d, "DocumentTypeCode", "50")) ||
	    (!rule_attr(CBC(d, "ID"), "schemeID") && !CBC(d, "DocumentTypeCode"));
	if (!ok)
		cen_fatal(r, "UBL-SR-43", d);
}

/* not(ancestor::cac:Price/cac:AllowanceCharge) */
static bool
under_price_allowance(const xmlNode *el)
{
	for (const xmlNode *a = el->parent; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (IS_CAC(a, "Price") && CAC(a, "AllowanceCharge"))
			return true;
	return false;
}

void
cen_syntax_element(struct cen_run *r, xmlNode *el)
{
	const xmlNode *p = el->parent;

	/* elements whose name ends with Amount / BinaryObject, any namespace */
	if (r->flags & CF_AMOUNT) {
		if (!under_price_allowance(el) && rule_frac_digits(el) > 2)
			cen_fatal(r, "UBL-DT-01", el);
		return;
	}
	if (r->flags & CF_BINARY) {
		if (!rule_attr(el, "mimeCode"))
			cen_fatal(r, "UBL-DT-06", el);
		if (!rule_attr(el, "filename"))
			cen_fatal(r, "UBL-DT-07", el);
		return;
	}
	if (r->ns != RULE_NSID_CAC)
		return;
	if (r->tok == CT_PostalAddress || r->tok == CT_Address) {
		if (rule_count(el, RULE_NS_CAC, "AddressLine") > 1)
			cen_fatal(r, "UBL-SR-51", el);
	} else if (r->tok == CT_Party && IS_CAC(p, "AccountingSupplierParty")) {
		if (rule_count(el, RULE_NS_CAC, "PartyTaxScheme") > 2)
			cen_fatal(r, "UBL-SR-42", el);
	} else if (r->tok == CT_AdditionalDocumentReference) {
		doc_reference(r, el);
	} else if (r->tok == CT_Delivery) {
		if (rule_path_count(el, "cac:DeliveryParty/cac:PartyName/cbc:Name") > 1)
			cen_fatal(r, "UBL-SR-25", el);
	} else if (r->tok == CT_AllowanceCharge) {
		int b = cen_ac_first(el);
		if (b >= 0 && rule_count(el, RULE_NS_CBC, "AllowanceChargeReason") > 1)
			cen_fatal(r, b ? "UBL-SR-31" : "UBL-SR-30", el);
	} else if (r->tok == CT_PartyTaxScheme) {
		if (!(rule_path(el, "cac:TaxScheme/cbc:ID") && CBC(el, "CompanyID")))
			cen_fatal(r, "UBL-SR-53", el);
	} else if (r->tok == CT_InvoiceLine || r->tok == CT_CreditNoteLine) {
		line(r, el);
	} else if (r->tok == CT_PayeeParty) {
		payee(r, el);
	} else if (r->tok == CT_PaymentMeans) {
		if (rule_count(el, RULE_NS_CBC, "PaymentID") > 1)
			cen_fatal(r, "UBL-SR-26", el);
		if (rule_count(el, RULE_NS_CBC, "PaymentMeansCode") > 1)
			cen_fatal(r, "UBL-SR-27", el);
		if (rule_path_count(el, "cac:PaymentMandate/cbc:ID") > 1)
			cen_fatal(r, "UBL-SR-28", el);
	} else if (r->tok == CT_BillingReference) {
		if (rule_count(el, RULE_NS_CAC, "InvoiceDocumentReference") > 1)
			cen_fatal(r, "UBL-SR-06", el);
		if (!rule_path(el, "cac:InvoiceDocumentReference/cbc:ID"))
			cen_fatal(r, "UBL-SR-07", el);
	} else if (r->tok == CT_TaxRepresentativeParty) {
		if (rule_path_count(el, "cac:PartyName/cbc:Name") > 1)
			cen_fatal(r, "UBL-SR-22", el);
		if (rule_path_count(el, "cac:PartyTaxScheme/cbc:CompanyID") > 1)
			cen_fatal(r, "UBL-SR-23", el);
	} else if (r->tok == CT_TaxSubtotal) {
		if (rule_path_count(el, "cac:TaxCategory/cbc:TaxExemptionReason") > 1)
			cen_fatal(r, "UBL-SR-32", el);
	}
}

/* ---- Codesmodel ---- */

/* The official token test on an already normalized value. */
static bool
token_in(const char *v, const struct cen_codelist *l)
{
	if (*v == '\0' || strchr(v, ' ') != NULL)
		return false;
	return rule_code_in(v, l->v, l->n);
}

static bool
text_in(const xmlNode *el, const struct cen_codelist *l)
{
	char b[128];
	rule_norm(el, b, sizeof b);
	return token_in(b, l);
}

static bool
attr_in(const xmlNode *el, const char *attr, const struct cen_codelist *l)
{
	char b[128] = "";
	const char *v = rule_attr(el, attr);
	if (v != NULL) {
		/* normalize-space of the attribute value */
		size_t o = 0;
		bool pend = false;
		for (const char *s = v; *s && o + 2 < sizeof b; s++) {
			if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
				pend = o > 0;
				continue;
			}
			if (pend)
				b[o++] = ' ';
			pend = false;
			b[o++] = *s;
		}
		b[o] = '\0';
	}
	return token_in(b, l);
}

static bool
has_ancestor(const xmlNode *el, const char *name)
{
	for (const xmlNode *a = el->parent; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (IS_CAC(a, name))
			return true;
	return false;
}

static void
scheme_id(struct cen_run *r, xmlNode *el)
{
	const xmlNode *p = el->parent;
	if (!rule_attr(el, "schemeID"))
		return;
	if ((IS_CAC(p, "AdditionalDocumentReference") || IS_CAC(p, "DocumentReference")) &&
	    any_text(p, "DocumentTypeCode", "130")) {
		if (!attr_in(el, "schemeID", &cen_cl_object_scheme))
			cen_fatal(r, "BR-CL-07", el);
	} else if (IS_CAC(p, "PartyIdentification")) {
		bool ok = attr_in(el, "schemeID", &cen_cl_icd) ||
		    (attr_in(el, "schemeID", &cen_cl_sepa) &&
		    (has_ancestor(el, "AccountingSupplierParty") || has_ancestor(el, "PayeeParty")));
		if (!ok)
			cen_fatal(r, "BR-CL-10", el);
	} else if (IS_CAC(p, "StandardItemIdentification")) {
		if (!attr_in(el, "schemeID", &cen_cl_icd))
			cen_fatal(r, "BR-CL-21", el);
	} else if (IS_CAC(p, "DeliveryLocation")) {
		if (!attr_in(el, "schemeID", &cen_cl_icd))
			cen_fatal(r, "BR-CL-26", el);
	}
}

void
cen_codes_element(struct cen_run *r, xmlNode *el)
{
	if (r->ns != RULE_NSID_CBC)
		return;
	const xmlNode *p = el->parent;

	if (r->tok == CT_InvoiceTypeCode) {
		if (!text_in(el, &cen_cl_invoice_type))
			cen_fatal(r, "BR-CL-01", el);
	} else if (r->tok == CT_CreditNoteTypeCode) {
		if (!text_in(el, &cen_cl_credit_type))
			cen_fatal(r, "BR-CL-01", el);
	} else if (r->flags & CF_CL_AMOUNT) {
		if (!attr_in(el, "currencyID", &cen_cl_currency))
			cen_fatal(r, "BR-CL-03", el);
	} else if (r->tok == CT_DocumentCurrencyCode) {
		if (!text_in(el, &cen_cl_currency))
			cen_fatal(r, "BR-CL-04", el);
	} else if (r->tok == CT_TaxCurrencyCode) {
		if (!text_in(el, &cen_cl_currency))
			cen_fatal(r, "BR-CL-05", el);
	} else if (r->tok == CT_DescriptionCode) {
		if (IS_CAC(p, "InvoicePeriod") && !text_in(el, &cen_cl_period_code))
			cen_fatal(r, "BR-CL-06", el);
	} else if (r->tok == CT_ID) {
		if (IS_CAC(p, "TaxCategory")) {
			if (!text_in(el, &cen_cl_vat_category))
				cen_fatal(r, "BR-CL-17", el);
		} else if (IS_CAC(p, "ClassifiedTaxCategory")) {
			if (!text_in(el, &cen_cl_vat_category))
				cen_fatal(r, "BR-CL-18", el);
		} else {
			scheme_id(r, el);
		}
	} else if (r->tok == CT_CompanyID) {
		if (IS_CAC(p, "PartyLegalEntity") && rule_attr(el, "schemeID") &&
		    !attr_in(el, "schemeID", &cen_cl_icd))
			cen_fatal(r, "BR-CL-11", el);
	} else if (r->tok == CT_ItemClassificationCode) {
		if (IS_CAC(p, "CommodityClassification") && rule_attr(el, "listID") &&
		    !attr_in(el, "listID", &cen_cl_item_class))
			cen_fatal(r, "BR-CL-13", el);
	} else if (r->tok == CT_IdentificationCode) {
		if (IS_CAC(p, "Country") && !text_in(el, &cen_cl_country))
			cen_fatal(r, "BR-CL-14", el);
		else if (IS_CAC(p, "OriginCountry") && !text_in(el, &cen_cl_country))
			cen_fatal(r, "BR-CL-15", el);
	} else if (r->tok == CT_PaymentMeansCode) {
		if (IS_CAC(p, "PaymentMeans") && !text_in(el, &cen_cl_payment_means))
			cen_fatal(r, "BR-CL-16", el);
	} else if (r->tok == CT_AllowanceChargeReasonCode) {
		int b = IS_CAC(p, "AllowanceCharge") ? cen_ac_first(p) : -1;
		if (b == 0 && !text_in(el, &cen_cl_allowance_reason))
			cen_fatal(r, "BR-CL-19", el);
		else if (b == 1 && !text_in(el, &cen_cl_charge_reason))
			cen_fatal(r, "BR-CL-20", el);
	} else if (r->tok == CT_TaxExemptionReasonCode) {
		char b[128];
		rule_norm(el, b, sizeof b);
		bool ok = strchr(b, ' ') == NULL;
		for (char *s = b; *s; s++)
			if (*s >= 'a' && *s <= 'z')
				*s = (char)(*s - 'a' + 'A');
		if (!(ok && token_in(b, &cen_cl_vatex)))
			cen_fatal(r, "BR-CL-22", el);
	} else if (r->tok == CT_InvoicedQuantity || r->tok == CT_BaseQuantity ||
	    r->tok == CT_CreditedQuantity) {
		if (rule_attr(el, "unitCode") && !attr_in(el, "unitCode", &cen_cl_unit))
			cen_fatal(r, "BR-CL-23", el);
	} else if (r->tok == CT_EmbeddedDocumentBinaryObject) {
		static const char *const mimes[] = {
			"application/pdf", "application/vnd.oasis.opendocument.spreadsheet",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"image/jpeg", "image/png", "text/csv",
		};
		const char *m = rule_attr(el, "mimeCode");
		if (m && !rule_code_in(m, mimes, sizeof mimes / sizeof mimes[0]))
			cen_fatal(r, "BR-CL-24", el);
	} else if (r->tok == CT_EndpointID) {
		if (rule_attr(el, "schemeID") && !attr_in(el, "schemeID", &cen_cl_eas))
			cen_fatal(r, "BR-CL-25", el);
	}
}

/*
 * builder.c - UBL 2.1 Invoice / CreditNote for Peppol BIS Billing 3.0.
 *
 * Owns the XML writer and its buffer for the duration of one build. Writes
 * elements in the order of the UBL 2.1 schema (maindoc/UBL-Invoice-2.1.xsd,
 * UBL-CreditNote-2.1.xsd and the common aggregate components), never an
 * empty element (PEPPOL-EN16931-R008), never an element or attribute the
 * BIS marks as not used (UBL-CR-*, UBL-DT-*). Amounts come from calc.c;
 * nothing here computes money. Never does file I/O, never logs.
 */
#include "peppol/ubl/builder.h"
#include "peppol/ubl/calc.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_INVOICE "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CREDIT  "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_CAC     "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC     "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

struct w {
	xmlTextWriterPtr x;
	int err;                      /* sticky: set by the first failing call */
	const char *cur;              /* document currency */
};

/* Open an element (sticky error: later calls do nothing). */
static void
start(struct w *w, const char *name)
{
	if (!w->err && xmlTextWriterStartElement(w->x, BAD_CAST name) < 0)
		w->err = 1;
}

/* Close the innermost open element. */
static void
end(struct w *w)
{
	if (!w->err && xmlTextWriterEndElement(w->x) < 0)
		w->err = 1;
}

/* <name attr="aval">text</name>; nothing at all when text is empty. */
static void
el_attr(struct w *w, const char *name, const char *attr, const char *aval, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	start(w, name);
	if (!w->err && attr && aval && aval[0] &&
	    xmlTextWriterWriteAttribute(w->x, BAD_CAST attr, BAD_CAST aval) < 0)
		w->err = 1;
	if (!w->err && xmlTextWriterWriteString(w->x, BAD_CAST text) < 0)
		w->err = 1;
	end(w);
}

/* <name>text</name>, nothing when text is empty. */
static void
el(struct w *w, const char *name, const char *text)
{
	el_attr(w, name, NULL, NULL, text);
}

/* An amount with its currency, always two decimals. */
static void
amount(struct w *w, const char *name, decimal d)
{
	char buf[64];
	dec_format(ubl_dec_scale(d, 2), buf, sizeof buf);
	el_attr(w, name, "currencyID", w->cur, buf);
}

/* A price or rate with trailing zeros dropped but at least `places` decimals. */
static void
fmt_min(decimal d, int places, char *buf, size_t cap)
{
	dec_format_min(d, places, buf, cap);
}

/* TaxCategory / ClassifiedTaxCategory body: ID, Percent (not for O). */
static void
tax_category(struct w *w, const char *name, enum vat_cat c, bool has_rate, decimal rate,
             const char *exemption_code, const char *exemption_reason)
{
	char buf[64];
	start(w, name);
	el(w, "cbc:ID", vat_cat_code(c));
	if (has_rate && c != VAT_O) {
		fmt_min(rate, 0, buf, sizeof buf);
		el(w, "cbc:Percent", buf);
	}
	el(w, "cbc:TaxExemptionReasonCode", exemption_code);
	el(w, "cbc:TaxExemptionReason", exemption_reason);
	start(w, "cac:TaxScheme");
	el(w, "cbc:ID", "VAT");
	end(w);
	end(w);
}

/* PostalAddress: street, city, postcode (when given) and country. */
static void
address(struct w *w, const char *name, const struct invoice_party *p)
{
	start(w, name);
	el(w, "cbc:StreetName", p->street);
	el(w, "cbc:CityName", p->city);
	el(w, "cbc:PostalZone", p->postcode);
	start(w, "cac:Country");
	el(w, "cbc:IdentificationCode", p->country);
	end(w);
	end(w);
}

/* One party (seller or buyer). with_vat is false for invoices not subject
 * to VAT (BR-O-02 forbids the VAT identifiers there). */
static void
party(struct w *w, const char *role, const struct invoice_party *p, bool with_vat,
      struct ubl_build_info *info)
{
	char scheme[5], value[INVOICE_TEXT_MAX + 1];
	enum ubl_endpoint_source src = ubl_party_endpoint(p, scheme, value);
	const char *legal = ubl_party_legal_scheme(p);

	if (info) {
		info->buyer_endpoint = src;
		snprintf(info->buyer_scheme, sizeof info->buyer_scheme, "%s", scheme);
		snprintf(info->buyer_value, sizeof info->buyer_value, "%s", value);
	}
	start(w, role);
	start(w, "cac:Party");
	if (src != UBL_ENDPOINT_NONE)
		el_attr(w, "cbc:EndpointID", "schemeID", scheme, value);
	if (p->enterprise_number[0]) {
		start(w, "cac:PartyIdentification");
		el_attr(w, "cbc:ID", "schemeID", legal, p->enterprise_number);
		end(w);
	}
	start(w, "cac:PartyName");
	el(w, "cbc:Name", p->name);
	end(w);
	address(w, "cac:PostalAddress", p);
	if (with_vat && p->vat[0]) {
		start(w, "cac:PartyTaxScheme");
		el(w, "cbc:CompanyID", p->vat);
		start(w, "cac:TaxScheme");
		el(w, "cbc:ID", "VAT");
		end(w);
		end(w);
	}
	start(w, "cac:PartyLegalEntity");
	el(w, "cbc:RegistrationName", p->name);
	el_attr(w, "cbc:CompanyID", "schemeID", legal, p->enterprise_number);
	end(w);
	if (p->contact_name[0] || p->contact_phone[0] || p->contact_email[0]) {
		start(w, "cac:Contact");
		el(w, "cbc:Name", p->contact_name);
		el(w, "cbc:Telephone", p->contact_phone);
		el(w, "cbc:ElectronicMail", p->contact_email);
		end(w);
	}
	end(w);
	end(w);
}

/* PaymentMeans (credit transfer, structured communication) and PaymentTerms. */
static void
payment(struct w *w, const struct invoice *inv, const struct ubl_build_opts *o)
{
	const struct invoice_payment *p = &inv->payment;
	char pid[24];
	if (p->means_code[0] == '\0')
		goto terms;
	start(w, "cac:PaymentMeans");
	el(w, "cbc:PaymentMeansCode", p->means_code);
	/* A UBL 2.1 credit note has no DueDate: BT-9 goes here (UBL-CR-412). */
	if (inv->type == INVOICE_CREDIT_NOTE)
		el(w, "cbc:PaymentDueDate", inv->due_date);
	if (p->structured_communication[0]) {
		const char *d = p->structured_communication;
		if (o->payment_id == UBL_PAYMENT_ID_DIGITS)
			snprintf(pid, sizeof pid, "%s", d);
		else
			snprintf(pid, sizeof pid, "+++%.3s/%.4s/%.5s+++", d, d + 3, d + 7);
		el(w, "cbc:PaymentID", pid);
	}
	if (p->iban[0]) {
		start(w, "cac:PayeeFinancialAccount");
		el(w, "cbc:ID", p->iban);
		if (p->bic[0]) {
			start(w, "cac:FinancialInstitutionBranch");
			el(w, "cbc:ID", p->bic);
			end(w);
		}
		end(w);
	}
	end(w);
terms:
	if (p->terms[0]) {
		start(w, "cac:PaymentTerms");
		el(w, "cbc:Note", p->terms);
		end(w);
	}
}

/* One document-level AllowanceCharge (BG-20 / BG-21). */
static void
allowance_charge(struct w *w, const struct invoice_ac *a, bool charge)
{
	start(w, "cac:AllowanceCharge");
	el(w, "cbc:ChargeIndicator", charge ? "true" : "false");
	el(w, "cbc:AllowanceChargeReasonCode", a->reason_code);
	el(w, "cbc:AllowanceChargeReason", a->reason);
	amount(w, "cbc:Amount", a->amount);
	/* No exemption reason here: it belongs to the breakdown (UBL-CR-480/481). */
	tax_category(w, "cac:TaxCategory", a->vat.category, a->vat.has_rate, a->vat.rate, "", "");
	end(w);
}

/* TaxTotal with one TaxSubtotal per (category, rate) (BG-23). */
static void
tax_total(struct w *w, const struct ubl_totals *t)
{
	start(w, "cac:TaxTotal");
	amount(w, "cbc:TaxAmount", t->tax_total);
	for (size_t i = 0; i < t->n_groups; i++) {
		const struct ubl_vat_group *g = &t->groups[i];
		start(w, "cac:TaxSubtotal");
		amount(w, "cbc:TaxableAmount", g->taxable);
		amount(w, "cbc:TaxAmount", g->tax);
		tax_category(w, "cac:TaxCategory", g->category, g->has_rate, g->rate,
		    g->exemption_code, g->exemption_reason);
		end(w);
	}
	end(w);
}

/* LegalMonetaryTotal (BG-22); allowance/charge totals only when there are some. */
static void
monetary_total(struct w *w, const struct invoice *inv, const struct ubl_totals *t)
{
	start(w, "cac:LegalMonetaryTotal");
	amount(w, "cbc:LineExtensionAmount", t->line_total);
	amount(w, "cbc:TaxExclusiveAmount", t->tax_exclusive);
	amount(w, "cbc:TaxInclusiveAmount", t->tax_inclusive);
	if (inv->n_allowances)
		amount(w, "cbc:AllowanceTotalAmount", t->allowance_total);
	if (inv->n_charges)
		amount(w, "cbc:ChargeTotalAmount", t->charge_total);
	amount(w, "cbc:PayableAmount", t->payable);
	end(w);
}

/* One InvoiceLine / CreditNoteLine (BG-25). */
static void
line(struct w *w, const struct invoice *inv, size_t i, decimal net)
{
	const struct invoice_line *l = &inv->lines[i];
	bool cn = inv->type == INVOICE_CREDIT_NOTE;
	char buf[64];

	start(w, cn ? "cac:CreditNoteLine" : "cac:InvoiceLine");
	el(w, "cbc:ID", l->id);
	dec_format(l->quantity, buf, sizeof buf);
	el_attr(w, cn ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", "unitCode",
	    l->unit_code, buf);
	amount(w, "cbc:LineExtensionAmount", net);
	if (l->contract_id[0]) {
		/* The performance this line pays for: an invoiced object (BT-128). */
		start(w, "cac:DocumentReference");
		el(w, "cbc:ID", l->contract_id);
		el(w, "cbc:DocumentTypeCode", "130");
		end(w);
	}
	start(w, "cac:Item");
	el(w, "cbc:Name", l->description);
	tax_category(w, "cac:ClassifiedTaxCategory", l->vat.category, l->vat.has_rate,
	    l->vat.rate, "", "");
	end(w);
	start(w, "cac:Price");
	fmt_min(l->unit_price, 2, buf, sizeof buf);
	el_attr(w, "cbc:PriceAmount", "currencyID", w->cur, buf);
	end(w);
	end(w);
}

/* True when every line is "not subject to VAT" (category O). */
static bool
all_outside_vat(const struct invoice *inv)
{
	for (size_t i = 0; i < inv->n_lines; i++)
		if (inv->lines[i].vat.category != VAT_O)
			return false;
	return true;
}

/* The whole Invoice or CreditNote, in schema order. */
static void
document(struct w *w, const struct invoice *inv, const struct ubl_totals *t,
         const struct ubl_build_opts *o, struct ubl_build_info *info)
{
	bool cn = inv->type == INVOICE_CREDIT_NOTE;
	bool with_vat = !all_outside_vat(inv);

	if (!w->err && xmlTextWriterStartElementNS(w->x, NULL, BAD_CAST (cn ? "CreditNote" : "Invoice"),
	    BAD_CAST (cn ? NS_CREDIT : NS_INVOICE)) < 0)
		w->err = 1;
	if (!w->err && (xmlTextWriterWriteAttribute(w->x, BAD_CAST "xmlns:cac", BAD_CAST NS_CAC) < 0 ||
	    xmlTextWriterWriteAttribute(w->x, BAD_CAST "xmlns:cbc", BAD_CAST NS_CBC) < 0))
		w->err = 1;
	el(w, "cbc:CustomizationID", UBL_CUSTOMIZATION_ID);
	el(w, "cbc:ProfileID", UBL_PROFILE_ID);
	el(w, "cbc:ID", inv->invoice_id);
	el(w, "cbc:IssueDate", inv->issue_date);
	if (cn) {
		el(w, "cbc:CreditNoteTypeCode", "381");
	} else {
		el(w, "cbc:DueDate", inv->due_date);
		el(w, "cbc:InvoiceTypeCode", "380");
	}
	el(w, "cbc:Note", inv->note);
	el(w, "cbc:DocumentCurrencyCode", inv->currency);
	el(w, "cbc:BuyerReference", inv->buyer_reference);
	if (inv->order_reference[0]) {
		start(w, "cac:OrderReference");
		el(w, "cbc:ID", inv->order_reference);
		end(w);
	}
	if (inv->preceding_invoice_id[0]) {
		start(w, "cac:BillingReference");
		start(w, "cac:InvoiceDocumentReference");
		el(w, "cbc:ID", inv->preceding_invoice_id);
		end(w);
		end(w);
	}
	party(w, "cac:AccountingSupplierParty", &inv->seller, with_vat, NULL);
	party(w, "cac:AccountingCustomerParty", &inv->buyer, with_vat, info);
	if (inv->delivery_date[0]) {
		start(w, "cac:Delivery");
		el(w, "cbc:ActualDeliveryDate", inv->delivery_date);
		start(w, "cac:DeliveryLocation");
		start(w, "cac:Address");
		start(w, "cac:Country");
		el(w, "cbc:IdentificationCode", inv->buyer.country);
		end(w);
		end(w);
		end(w);
		end(w);
	}
	payment(w, inv, o);
	for (size_t i = 0; i < inv->n_allowances; i++)
		allowance_charge(w, &inv->allowances[i], false);
	for (size_t i = 0; i < inv->n_charges; i++)
		allowance_charge(w, &inv->charges[i], true);
	tax_total(w, t);
	monetary_total(w, inv, t);
	for (size_t i = 0; i < inv->n_lines; i++)
		line(w, inv, i, t->line_net[i]);
	end(w);
}

gw_rc
ubl_build(const struct invoice *inv, const struct ubl_build_opts *opts, char **xml,
          size_t *len, struct ubl_build_info *info, char *errbuf, size_t errcap)
{
	struct ubl_totals t;
	struct ubl_build_opts dflt = { UBL_PAYMENT_ID_STRUCTURED };
	struct w w = { NULL, 0, inv->currency };
	xmlBufferPtr buf = NULL;
	gw_rc rc;

	*xml = NULL;
	*len = 0;
	if (info)
		memset(info, 0, sizeof *info);
	rc = ubl_calc(inv, &t);
	if (rc != GW_OK) {
		if (info)
			snprintf(info->field, sizeof info->field, "lines");
		snprintf(errbuf, errcap, rc == GW_ENOMEM ? "out of memory"
		    : "amounts overflow or too many VAT categories");
		return rc;
	}
	/* EN 16931 BR-CO-25: an amount due needs a due date or payment terms.
	 * A UBL 2.1 credit note carries its due date only in PaymentMeans. */
	bool due = inv->due_date[0] &&
	    (inv->type == INVOICE_INVOICE || inv->payment.means_code[0]);
	if (dec_sign(t.payable) > 0 && !due && inv->payment.terms[0] == '\0') {
		if (info)
			snprintf(info->field, sizeof info->field, "due_date");
		snprintf(errbuf, errcap, "missing: an amount is due, so a due date or "
		    "payment.terms is required (BR-CO-25)%s", inv->type == INVOICE_CREDIT_NOTE &&
		    inv->due_date[0] ? "; a credit note carries its due date only with "
		    "payment.means_code" : "");
		ubl_totals_free(&t);
		return GW_EINPUT;
	}
	buf = xmlBufferCreate();
	if (buf == NULL || (w.x = xmlNewTextWriterMemory(buf, 0)) == NULL) {
		rc = GW_ENOMEM;
		snprintf(errbuf, errcap, "out of memory");
		goto out;
	}
	if (xmlTextWriterSetIndent(w.x, 1) < 0 ||
	    xmlTextWriterSetIndentString(w.x, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w.x, "1.0", "UTF-8", NULL) < 0)
		w.err = 1;
	document(&w, inv, &t, opts ? opts : &dflt, info);
	if (!w.err && xmlTextWriterEndDocument(w.x) < 0)
		w.err = 1;
	xmlFreeTextWriter(w.x);   /* flushes into buf */
	w.x = NULL;
	if (w.err) {
		rc = GW_EINTERNAL;
		snprintf(errbuf, errcap, "XML writer failed");
		goto out;
	}
	size_t n = (size_t)xmlBufferLength(buf);
	*xml = malloc(n + 1);
	if (*xml == NULL) {
		rc = GW_ENOMEM;
		snprintf(errbuf, errcap, "out of memory");
		goto out;
	}
	memcpy(*xml, xmlBufferContent(buf), n);
	(*xml)[n] = '\0';
	*len = n;
	rc = GW_OK;
out:
	if (w.x)
		xmlFreeTextWriter(w.x);
	if (buf)
		xmlBufferFree(buf);
	ubl_totals_free(&t);
	return rc;
}

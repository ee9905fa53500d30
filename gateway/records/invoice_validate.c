/*
 * invoice_validate.c - the cross-field rules of an invoice record.
 *
 * Owns the rules that need more than one field: the ones records.md states
 * (credit notes name the invoice they correct, exempt categories carry a
 * reason) and the EN 16931 / Peppol BIS rules a record could otherwise break
 * in the document built from it (PEPPOL-EN16931-R003, BR-61, BR-O-*,
 * BR-IC-*, BR-AE-02, BR-S-02 ...). A record that passes here yields a
 * document that passes the validator; one that does not is rejected with
 * the field to fix. Never allocates, never logs.
 */
#include "records/invoice_reader.h"
#include "records/invoice_codes.h"
#include "records/contract_fields.h"   /* contract_reject(), for invoices too */
#include "core/checkdigit.h"

#include <stdio.h>
#include <string.h>

/* Exactly n ASCII digits. */
static bool
all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Non-empty, upper-case letters and digits only. */
static bool
alnum_only(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* A VAT identifier: ISO country prefix (EL for Greece) and 2-13 letters or
 * digits (BR-CO-09); Belgian ones are BE + a valid enterprise number. */
static bool
vat_ok(const char *v, char *why, size_t whycap)
{
	char cc[3] = { v[0], v[0] ? v[1] : '\0', '\0' };
	size_t n = strlen(v);
	if (n < 4 || n > 15 || !(invoice_code_country(cc) || strcmp(cc, "EL") == 0)) {
		snprintf(why, whycap, "not a VAT identifier with a country prefix");
		return false;
	}
	if (!alnum_only(v + 2)) {
		snprintf(why, whycap, "only upper-case letters and digits after the prefix");
		return false;
	}
	if (strcmp(cc, "BE") == 0 && !(all_digits(v + 2, 10) && check_kbo(v + 2, NULL, 0))) {
		snprintf(why, whycap, "a Belgian VAT number is BE and a valid enterprise number");
		return false;
	}
	return true;
}

/* The enterprise (registration) number of a party in its country's form. */
static gw_rc
check_enterprise_number(const struct invoice_party *p, const char *field,
                        struct record_rejection *rej)
{
	const char *e = p->enterprise_number;
	if (e[0] == '\0')
		return GW_OK;
	if (strcmp(p->country, "BE") == 0) {
		char why[96] = "";
		if (!check_kbo(e, why, sizeof why))
			return contract_reject(rej, field, "not a valid Belgian enterprise number%s%s",
			    why[0] ? ": " : "", why);
	} else if (strcmp(p->country, "NL") == 0) {
		if (!all_digits(e, 8))
			return contract_reject(rej, field, "a Dutch KvK number has 8 digits");
	} else if (strcmp(p->country, "FR") == 0) {
		if (!all_digits(e, 9) && !all_digits(e, 14))
			return contract_reject(rej, field, "a French SIREN has 9 digits (SIRET 14)");
	} else if (!alnum_only(e)) {
		return contract_reject(rej, field, "only upper-case letters and digits");
	}
	return GW_OK;
}

/* Apply fn-like checks to the VAT treatment of every line, allowance and
 * charge: visit them in document order with their field prefix. */
struct vat_item {
	const struct invoice_vat *vat;
	char field[24];
};

/* The i-th VAT-carrying element (lines, then allowances, then charges);
 * returns how many there are. */
static size_t
collect_vat(const struct invoice *inv, size_t i, struct vat_item *it)
{
	size_t n = inv->n_lines + inv->n_allowances + inv->n_charges;
	if (i >= n)
		return n;
	if (i < inv->n_lines) {
		it->vat = &inv->lines[i].vat;
		snprintf(it->field, sizeof it->field, "lines[%u]", (unsigned)i);
	} else if ((i -= inv->n_lines) < inv->n_allowances) {
		it->vat = &inv->allowances[i].vat;
		snprintf(it->field, sizeof it->field, "allowances[%u]", (unsigned)i);
	} else {
		i -= inv->n_allowances;
		it->vat = &inv->charges[i].vat;
		snprintf(it->field, sizeof it->field, "charges[%u]", (unsigned)i);
	}
	return n;
}

/* One VAT breakdown per category for the exempt ones (BR-E-01 ...), so all
 * their elements must agree on the exemption reason they carry. */
static gw_rc
check_vat(const struct invoice *inv, struct record_rejection *rej)
{
	struct vat_item it, jt;
	char f[48];
	bool has[VAT_CAT_COUNT] = { false };
	size_t n = collect_vat(inv, 0, &it);
	size_t groups = 0;

	for (size_t i = 0; i < n; i++) {
		collect_vat(inv, i, &it);
		enum vat_cat c = it.vat->category;
		has[c] = true;
		bool first = true;   /* first of its (category, rate) group */
		for (size_t j = 0; j < i; j++) {
			collect_vat(inv, j, &jt);
			if (jt.vat->category != c)
				continue;
			if (vat_cat_exempt(c)) {
				const char *a = it.vat->exemption_reason_code, *b = jt.vat->exemption_reason_code;
				if (a[0] && b[0] && strcmp(a, b) != 0) {
					snprintf(f, sizeof f, "%s.exemption_reason_code", it.field);
					return contract_reject(rej, f, "differs from %s's (%s): one VAT breakdown "
					    "per exempt category", jt.field, b);
				}
				a = it.vat->exemption_reason;
				b = jt.vat->exemption_reason;
				if (a[0] && b[0] && strcmp(a, b) != 0) {
					snprintf(f, sizeof f, "%s.exemption_reason", it.field);
					return contract_reject(rej, f, "differs from %s's: one VAT breakdown "
					    "per exempt category", jt.field);
				}
			}
			if (it.vat->has_rate == jt.vat->has_rate &&
			    (!it.vat->has_rate || dec_cmp(it.vat->rate, jt.vat->rate) == 0))
				first = false;
		}
		if (first && ++groups > INVOICE_MAX_VAT_GROUPS) {
			snprintf(f, sizeof f, "%s.vat_rate", it.field);
			return contract_reject(rej, f, "more than %d VAT categories and rates",
			    INVOICE_MAX_VAT_GROUPS);
		}
	}
	if (has[VAT_O]) {
		for (size_t i = 0; i < n; i++) {
			collect_vat(inv, i, &it);
			if (it.vat->category != VAT_O) {
				snprintf(f, sizeof f, "%s.vat_category", it.field);
				return contract_reject(rej, f, "an invoice with category O (not subject to "
				    "VAT) may contain nothing else (BR-O-11..14)");
			}
		}
	}
	bool vat_needed = !has[VAT_O];
	if (vat_needed && inv->seller.vat[0] == '\0')
		return contract_reject(rej, "seller.vat", "missing (required unless the invoice is not "
		    "subject to VAT, BR-S-02)");
	if (has[VAT_K] && inv->buyer.vat[0] == '\0')
		return contract_reject(rej, "buyer.vat", "missing (intra-community supply, BR-IC-02)");
	if (has[VAT_K] && inv->delivery_date[0] == '\0')
		return contract_reject(rej, "delivery_date", "missing (intra-community supply, BR-IC-11)");
	if (has[VAT_AE] && inv->buyer.vat[0] == '\0' && inv->buyer.enterprise_number[0] == '\0')
		return contract_reject(rej, "buyer.vat", "missing: reverse charge needs the buyer's VAT "
		    "or legal registration number (BR-AE-02)");
	return GW_OK;
}

/* Payment instructions: a means code for any of them, an account for a credit transfer. */
static gw_rc
check_payment(const struct invoice *inv, struct record_rejection *rej)
{
	const struct invoice_payment *p = &inv->payment;
	bool any = p->iban[0] || p->bic[0] || p->structured_communication[0];
	if (any && p->means_code[0] == '\0')
		return contract_reject(rej, "payment.means_code", "missing (payment instructions need a "
		    "payment means code, BR-49)");
	if ((strcmp(p->means_code, "30") == 0 || strcmp(p->means_code, "58") == 0) &&
	    p->iban[0] == '\0')
		return contract_reject(rej, "payment.iban", "missing (credit transfer needs the account, BR-61)");
	if (p->bic[0] && p->iban[0] == '\0')
		return contract_reject(rej, "payment.bic", "given without an IBAN");
	return GW_OK;
}

/* Seller (a Belgian enterprise with its address) and buyer identifiers. */
static gw_rc
check_parties(const struct invoice *inv, struct record_rejection *rej)
{
	char why[96];
	const struct invoice_party *s = &inv->seller, *b = &inv->buyer;
	gw_rc rc;

	/* The gateway invoices for a Belgian enterprise: its number is the 0208
	 * identifier of the seller (BR-CO-26, PEPPOL-COMMON-R043). */
	if (strcmp(s->country, "BE") != 0)
		return contract_reject(rej, "seller.country", "the seller must be a Belgian enterprise (BE)");
	if (s->enterprise_number[0] == '\0')
		return contract_reject(rej, "seller.enterprise_number", "missing");
	if ((rc = check_enterprise_number(s, "seller.enterprise_number", rej)))
		return rc;
	if (s->street[0] == '\0')
		return contract_reject(rej, "seller.street", "missing");
	if (s->city[0] == '\0')
		return contract_reject(rej, "seller.city", "missing");
	if (s->postcode[0] == '\0')
		return contract_reject(rej, "seller.postcode", "missing");
	if (s->vat[0] && !vat_ok(s->vat, why, sizeof why))
		return contract_reject(rej, "seller.vat", "%s", why);
	if ((rc = check_enterprise_number(b, "buyer.enterprise_number", rej)))
		return rc;
	if (b->vat[0] && !vat_ok(b->vat, why, sizeof why))
		return contract_reject(rej, "buyer.vat", "%s", why);
	return GW_OK;
}

gw_rc
invoice_validate(const struct invoice *inv, struct record_rejection *rej)
{
	gw_rc rc;

	if (strcmp(inv->currency, "EUR") != 0)
		return contract_reject(rej, "currency", "only EUR is supported (Belgian VAT is accounted "
		    "in EUR; another currency needs a VAT accounting currency the record lacks)");
	if (inv->buyer_reference[0] == '\0' && inv->order_reference[0] == '\0')
		return contract_reject(rej, "buyer_reference", "missing: a buyer reference or an order "
		    "reference is required (PEPPOL-EN16931-R003)");
	if (inv->type == INVOICE_CREDIT_NOTE && inv->preceding_invoice_id[0] == '\0')
		return contract_reject(rej, "preceding_invoice_id", "missing: a credit note names the "
		    "invoice it corrects");
	if (strcmp(inv->preceding_invoice_id, inv->invoice_id) == 0)
		return contract_reject(rej, "preceding_invoice_id", "refers to the record itself");
	if (inv->due_date[0] && strcmp(inv->due_date, inv->issue_date) < 0)
		return contract_reject(rej, "due_date", "before issue_date");
	for (size_t i = 0; i < inv->n_lines; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(inv->lines[i].id, inv->lines[j].id) == 0) {
				char f[48];
				snprintf(f, sizeof f, "lines[%zu].id", i);
				return contract_reject(rej, f, "duplicate line id \"%s\"", inv->lines[i].id);
			}
	if ((rc = check_parties(inv, rej)) || (rc = check_payment(inv, rej)) ||
	    (rc = check_vat(inv, rej)))
		return rc;
	return GW_OK;
}

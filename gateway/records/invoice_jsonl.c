/*
 * invoice_jsonl.c - one invoice record from one JSON object.
 *
 * Owns the field-level checks of records.md: every value is a string,
 * every amount, quantity and rate a decimal string parsed exactly (a JSON
 * number is a rejection naming the field), every text bounded and free of
 * control characters, every code from its list. Unknown keys are rejected
 * too, so that a misspelt optional field cannot silently vanish. Cross-field
 * rules live in invoice_validate.c. Never writes anything anywhere.
 */
#include "records/invoice_reader.h"
#include "records/invoice_codes.h"
#include "records/contract_fields.h"   /* contract_reject(), for invoices too */
#include "core/checkdigit.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest magnitude accepted for any amount, quantity or price. */
#define INV_DEC_LIMIT_DIGITS 12
#define INV_DEC_MAX_SCALE 6

/* "prefix.key" or "key" into buf. */
static const char *
fname(char *buf, size_t cap, const char *prefix, const char *key)
{
	if (prefix && *prefix)
		snprintf(buf, cap, "%s.%s", prefix, key);
	else
		snprintf(buf, cap, "%s", key);
	return buf;
}

/* Reject keys of obj that are not in the NULL-terminated allowed list. */
static gw_rc
check_keys(json_t *obj, const char *const *allowed, const char *prefix,
           struct record_rejection *rej)
{
	const char *key;
	json_t *v;
	char f[48];
	json_object_foreach(obj, key, v) {
		(void)v;
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0) {
				ok = true;
				break;
			}
		if (!ok)
			return contract_reject(rej, fname(f, sizeof f, prefix, key), "unknown field");
	}
	return GW_OK;
}

/* Text without control characters (XML 1.0 cannot carry most of them, and
 * a record field is one line). */
static bool
text_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* A string member into out[cap]; absent or "" leaves out empty and is a
 * rejection only when required. */
static gw_rc
get_str(json_t *obj, const char *key, const char *prefix, bool required,
        char *out, size_t cap, struct record_rejection *rej)
{
	char f[48];
	json_t *v = json_object_get(obj, key);
	out[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		if (required)
			return contract_reject(rej, fname(f, sizeof f, prefix, key), "missing");
		return GW_OK;
	}
	if (json_is_number(v))
		return contract_reject(rej, fname(f, sizeof f, prefix, key),
		    "is a JSON number; every value is a string");
	if (!json_is_string(v))
		return contract_reject(rej, fname(f, sizeof f, prefix, key), "must be a string");
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n == 0) {
		if (required)
			return contract_reject(rej, fname(f, sizeof f, prefix, key), "empty");
		return GW_OK;
	}
	if (strlen(s) != n)
		return contract_reject(rej, fname(f, sizeof f, prefix, key), "contains a NUL character");
	if (n >= cap)
		return contract_reject(rej, fname(f, sizeof f, prefix, key),
		    "longer than %zu bytes", cap - 1);
	if (!text_clean(s))
		return contract_reject(rej, fname(f, sizeof f, prefix, key), "contains a control character");
	memcpy(out, s, n + 1);
	return GW_OK;
}

/* A decimal string member. *present tells whether it was given. */
static gw_rc
get_dec(json_t *obj, const char *key, const char *prefix, bool required,
        decimal *out, bool *present, struct record_rejection *rej)
{
	char f[48];
	char s[64];
	json_t *v = json_object_get(obj, key);
	*present = false;
	out->m = 0;
	out->scale = 0;
	if (v != NULL && json_is_number(v))
		return contract_reject(rej, fname(f, sizeof f, prefix, key),
		    "is a JSON number; amounts, quantities and rates are decimal strings");
	gw_rc rc = get_str(obj, key, prefix, required, s, sizeof s, rej);
	if (rc != GW_OK)
		return rc;
	if (s[0] == '\0')
		return GW_OK;
	if (dec_parse(s, strlen(s), out) != GW_OK)
		return contract_reject(rej, fname(f, sizeof f, prefix, key), "not a decimal number: \"%s\"", s);
	if (out->scale > INV_DEC_MAX_SCALE)
		return contract_reject(rej, fname(f, sizeof f, prefix, key),
		    "more than %d decimals", INV_DEC_MAX_SCALE);
	decimal lim = { 1, 0 };
	for (int i = 0; i < INV_DEC_LIMIT_DIGITS; i++)
		lim = dec_mul(lim, dec_from_int(10));
	decimal mag = dec_sign(*out) < 0 ? dec_neg(*out) : *out;
	if (dec_cmp(mag, lim) >= 0)
		return contract_reject(rej, fname(f, sizeof f, prefix, key), "too large");
	*present = true;
	return GW_OK;
}

/* Copy a string known (checked) to fit; cut rather than overflow otherwise. */
static void
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* 1-40 of A-Z a-z 0-9 . _ - and not starting with a dot: the id is also a
 * file name. */
static bool
id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > INVOICE_ID_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Days of month m (1-12) of year y, leap years included. */
static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* YYYY-MM-DD, a real calendar date between 2000 and 2099. */
static bool
date_ok(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	return y >= 2000 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* A YYYY-MM-DD member into out[11]; "" when absent and optional. */
static gw_rc
get_date(json_t *obj, const char *key, bool required, char out[11],
         struct record_rejection *rej)
{
	char s[24];
	gw_rc rc = get_str(obj, key, NULL, required, s, sizeof s, rej);
	if (rc == GW_EINPUT && strstr(rej->reason, "longer than"))
		return contract_reject(rej, key, "not a date YYYY-MM-DD");
	if (rc != GW_OK)
		return rc;
	if (s[0] && !date_ok(s))
		return contract_reject(rej, key, "not a date YYYY-MM-DD: \"%s\"", s);
	memcpy(out, s, s[0] ? 11 : 1);
	return GW_OK;
}

static const char *const party_keys[] = {
	"name", "enterprise_number", "vat", "peppol_id", "street", "city", "postcode",
	"country", "contact_name", "contact_email", "contact_phone", NULL
};

/* "NNNN:value" with a known EAS scheme. */
static gw_rc
parse_peppol_id(const char *s, struct invoice_party *p, const char *field,
                struct record_rejection *rej)
{
	const char *colon = strchr(s, ':');
	if (colon == NULL || colon - s != 4 || colon[1] == '\0')
		return contract_reject(rej, field, "not a Peppol participant id SCHEME:VALUE (\"0208:0668600511\")");
	memcpy(p->peppol_scheme, s, 4);
	p->peppol_scheme[4] = '\0';
	if (!invoice_code_eas(p->peppol_scheme))
		return contract_reject(rej, field, "scheme %s is not a Peppol electronic address scheme",
		    p->peppol_scheme);
	snprintf(p->peppol_value, sizeof p->peppol_value, "%s", colon + 1);
	for (const char *c = p->peppol_value; *c; c++)
		if (*c == ' ')
			return contract_reject(rej, field, "contains a space");
	if (strcmp(p->peppol_scheme, "0208") == 0 &&
	    !check_kbo(p->peppol_value, NULL, 0))
		return contract_reject(rej, field, "0208 value is not a valid Belgian enterprise number");
	return GW_OK;
}

/* The seller or buyer object. */
static gw_rc
parse_party(json_t *root, const char *key, struct invoice_party *p,
            struct record_rejection *rej)
{
	char f[48];
	char peppol[INVOICE_TEXT_MAX + 8];
	json_t *o = json_object_get(root, key);
	gw_rc rc;
	if (o == NULL || json_is_null(o))
		return contract_reject(rej, key, "missing");
	if (!json_is_object(o))
		return contract_reject(rej, key, "must be an object");
	if ((rc = check_keys(o, party_keys, key, rej)) != GW_OK)
		return rc;
	if ((rc = get_str(o, "name", key, true, p->name, sizeof p->name, rej)) ||
	    (rc = get_str(o, "enterprise_number", key, false, p->enterprise_number,
	                  sizeof p->enterprise_number, rej)) ||
	    (rc = get_str(o, "vat", key, false, p->vat, sizeof p->vat, rej)) ||
	    (rc = get_str(o, "peppol_id", key, false, peppol, sizeof peppol, rej)) ||
	    (rc = get_str(o, "street", key, false, p->street, sizeof p->street, rej)) ||
	    (rc = get_str(o, "city", key, false, p->city, sizeof p->city, rej)) ||
	    (rc = get_str(o, "postcode", key, false, p->postcode, sizeof p->postcode, rej)) ||
	    (rc = get_str(o, "country", key, true, p->country, sizeof p->country, rej)) ||
	    (rc = get_str(o, "contact_name", key, false, p->contact_name,
	                  sizeof p->contact_name, rej)) ||
	    (rc = get_str(o, "contact_email", key, false, p->contact_email,
	                  sizeof p->contact_email, rej)) ||
	    (rc = get_str(o, "contact_phone", key, false, p->contact_phone,
	                  sizeof p->contact_phone, rej)))
		return rc;
	if (!invoice_code_country(p->country))
		return contract_reject(rej, fname(f, sizeof f, key, "country"),
		    "not a supported ISO 3166-1 alpha-2 country code: \"%s\"", p->country);
	if (peppol[0] &&
	    (rc = parse_peppol_id(peppol, p, fname(f, sizeof f, key, "peppol_id"), rej)))
		return rc;
	if (p->contact_email[0] && (strchr(p->contact_email, '@') == NULL ||
	                            strchr(p->contact_email, ' ') != NULL))
		return contract_reject(rej, fname(f, sizeof f, key, "contact_email"), "not an e-mail address");
	return GW_OK;
}

/* vat_category, vat_rate, exemption_reason(_code) of a line, allowance or charge. */
static gw_rc
parse_vat(json_t *o, const char *prefix, struct invoice_vat *vat,
          struct record_rejection *rej)
{
	char f[48];
	char cat[8];
	bool present;
	gw_rc rc;
	if ((rc = get_str(o, "vat_category", prefix, true, cat, sizeof cat, rej)))
		return rc;
	int c = vat_cat_parse(cat);
	if (c < 0)
		return contract_reject(rej, fname(f, sizeof f, prefix, "vat_category"),
		    "not one of S, Z, E, AE, K, G, O: \"%s\"", cat);
	vat->category = (enum vat_cat)c;
	if ((rc = get_dec(o, "vat_rate", prefix, false, &vat->rate, &present, rej)))
		return rc;
	vat->has_rate = present;
	fname(f, sizeof f, prefix, "vat_rate");
	if (vat->category == VAT_O) {
		if (present)
			return contract_reject(rej, f, "category O (not subject to VAT) has no rate (BR-O-05)");
	} else if (!present) {
		return contract_reject(rej, f, "missing");
	} else if (vat->category == VAT_S) {
		if (dec_sign(vat->rate) <= 0 || dec_cmp(vat->rate, dec_from_int(100)) >= 0)
			return contract_reject(rej, f, "standard rate must be above 0 and below 100 (BR-S-05)");
	} else if (!dec_is_zero(vat->rate)) {
		return contract_reject(rej, f, "category %s requires rate 0", vat_cat_code(vat->category));
	}
	if (vat->has_rate && dec_significant_places(vat->rate) > 2)
		return contract_reject(rej, f, "more than 2 decimals");
	if ((rc = get_str(o, "exemption_reason", prefix, false, vat->exemption_reason,
	                  sizeof vat->exemption_reason, rej)) ||
	    (rc = get_str(o, "exemption_reason_code", prefix, false,
	                  vat->exemption_reason_code, sizeof vat->exemption_reason_code, rej)))
		return rc;
	for (char *p = vat->exemption_reason_code; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	bool any = vat->exemption_reason[0] || vat->exemption_reason_code[0];
	if (!vat_cat_exempt(vat->category)) {
		if (any)
			return contract_reject(rej, fname(f, sizeof f, prefix, vat->exemption_reason_code[0]
			    ? "exemption_reason_code" : "exemption_reason"),
			    "category %s takes no exemption reason (BR-%s-10)",
			    vat_cat_code(vat->category), vat_cat_code(vat->category));
		return GW_OK;
	}
	if (!any)
		return contract_reject(rej, fname(f, sizeof f, prefix, "exemption_reason"),
		    "category %s needs exemption_reason or exemption_reason_code",
		    vat_cat_code(vat->category));
	if (vat->exemption_reason_code[0]) {
		enum vat_cat want;
		fname(f, sizeof f, prefix, "exemption_reason_code");
		if (!invoice_code_vatex(vat->exemption_reason_code, &want))
			return contract_reject(rej, f, "not a supported VATEX code: \"%s\"",
			    vat->exemption_reason_code);
		if (want != vat->category)
			return contract_reject(rej, f, "%s goes with category %s, not %s",
			    vat->exemption_reason_code, vat_cat_code(want),
			    vat_cat_code(vat->category));
	}
	return GW_OK;
}

static const char *const line_keys[] = {
	"id", "description", "quantity", "unit_code", "unit_price", "vat_category",
	"vat_rate", "exemption_reason", "exemption_reason_code", "contract_id", NULL
};

/* One element of "lines". */
static gw_rc
parse_line(json_t *o, size_t idx, struct invoice_line *l, struct record_rejection *rej)
{
	char p[32], f[48];
	bool present;
	gw_rc rc;
	snprintf(p, sizeof p, "lines[%zu]", idx);
	if (!json_is_object(o))
		return contract_reject(rej, p, "must be an object");
	if ((rc = check_keys(o, line_keys, p, rej)) ||
	    (rc = get_str(o, "id", p, true, l->id, sizeof l->id, rej)) ||
	    (rc = get_str(o, "description", p, true, l->description, sizeof l->description, rej)) ||
	    (rc = get_dec(o, "quantity", p, true, &l->quantity, &present, rej)) ||
	    (rc = get_str(o, "unit_code", p, true, l->unit_code, sizeof l->unit_code, rej)) ||
	    (rc = get_dec(o, "unit_price", p, true, &l->unit_price, &present, rej)) ||
	    (rc = parse_vat(o, p, &l->vat, rej)) ||
	    (rc = get_str(o, "contract_id", p, false, l->contract_id, sizeof l->contract_id, rej)))
		return rc;
	if (!invoice_code_unit(l->unit_code))
		return contract_reject(rej, fname(f, sizeof f, p, "unit_code"),
		    "not a supported UN/ECE Rec 20 unit code: \"%s\"", l->unit_code);
	if (dec_sign(l->unit_price) < 0)
		return contract_reject(rej, fname(f, sizeof f, p, "unit_price"),
		    "negative price (BR-27); use a negative quantity");
	if (l->contract_id[0] && !id_ok(l->contract_id))
		return contract_reject(rej, fname(f, sizeof f, p, "contract_id"),
		    "not 1-40 of A-Z a-z 0-9 . _ -");
	return GW_OK;
}

static const char *const ac_keys[] = {
	"reason", "reason_code", "amount", "vat_category", "vat_rate",
	"exemption_reason", "exemption_reason_code", NULL
};

/* One document-level allowance or charge. */
static gw_rc
parse_ac(json_t *o, const char *what, size_t idx, bool charge, struct invoice_ac *a,
         struct record_rejection *rej)
{
	char p[32], f[48];
	bool present;
	gw_rc rc;
	snprintf(p, sizeof p, "%s[%zu]", what, idx);
	if (!json_is_object(o))
		return contract_reject(rej, p, "must be an object");
	if ((rc = check_keys(o, ac_keys, p, rej)) ||
	    (rc = get_str(o, "reason", p, false, a->reason, sizeof a->reason, rej)) ||
	    (rc = get_str(o, "reason_code", p, false, a->reason_code, sizeof a->reason_code, rej)) ||
	    (rc = get_dec(o, "amount", p, true, &a->amount, &present, rej)) ||
	    (rc = parse_vat(o, p, &a->vat, rej)))
		return rc;
	if (a->reason[0] == '\0' && a->reason_code[0] == '\0')
		return contract_reject(rej, fname(f, sizeof f, p, "reason"),
		    "missing (a reason or reason_code is required, BR-33/BR-38)");
	if (a->reason_code[0] && !invoice_code_ac_reason(a->reason_code, charge))
		return contract_reject(rej, fname(f, sizeof f, p, "reason_code"),
		    "not a supported %s reason code: \"%s\"",
		    charge ? "UNCL 7161 charge" : "UNCL 5189 allowance", a->reason_code);
	fname(f, sizeof f, p, "amount");
	if (dec_sign(a->amount) <= 0)
		return contract_reject(rej, f, "must be above zero");
	if (dec_significant_places(a->amount) > 2)
		return contract_reject(rej, f, "more than 2 decimals (BR-DEC-01)");
	return GW_OK;
}

/* An optional array member: NULL when absent, a rejection when not an array. */
static gw_rc
get_array(json_t *root, const char *key, size_t max, json_t **out,
          struct record_rejection *rej)
{
	json_t *a = json_object_get(root, key);
	*out = NULL;
	if (a == NULL || json_is_null(a))
		return GW_OK;
	if (!json_is_array(a))
		return contract_reject(rej, key, "must be an array");
	if (json_array_size(a) > max)
		return contract_reject(rej, key, "more than %zu entries", max);
	*out = a;
	return GW_OK;
}

static const char *const payment_keys[] = {
	"means_code", "iban", "bic", "structured_communication", "terms", NULL
};

/* The optional payment object: means, IBAN, BIC, structured communication. */
static gw_rc
parse_payment(json_t *root, struct invoice_payment *pay, struct record_rejection *rej)
{
	char iban[64], sc[32], why[96];
	json_t *o = json_object_get(root, "payment");
	gw_rc rc;
	if (o == NULL || json_is_null(o))
		return GW_OK;
	if (!json_is_object(o))
		return contract_reject(rej, "payment", "must be an object");
	if ((rc = check_keys(o, payment_keys, "payment", rej)) ||
	    (rc = get_str(o, "means_code", "payment", false, pay->means_code,
	                  sizeof pay->means_code, rej)) ||
	    (rc = get_str(o, "iban", "payment", false, iban, sizeof iban, rej)) ||
	    (rc = get_str(o, "bic", "payment", false, pay->bic, sizeof pay->bic, rej)) ||
	    (rc = get_str(o, "structured_communication", "payment", false, sc, sizeof sc, rej)) ||
	    (rc = get_str(o, "terms", "payment", false, pay->terms, sizeof pay->terms, rej)))
		return rc;
	if (pay->means_code[0] && !invoice_code_payment_means(pay->means_code))
		return contract_reject(rej, "payment.means_code",
		    "not a supported UNCL 4461 code (direct debit and cards need data "
		    "the record does not carry): \"%s\"", pay->means_code);
	/* IBANs are printed in groups of four; store them compact, upper case. */
	size_t o2 = 0;
	for (const char *c = iban; *c; c++) {
		if (*c == ' ')
			continue;
		if (o2 + 1 >= sizeof pay->iban)
			return contract_reject(rej, "payment.iban", "too long for an IBAN");
		pay->iban[o2++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
	}
	pay->iban[o2] = '\0';
	if (pay->iban[0] && !check_iban(pay->iban, why, sizeof why))
		return contract_reject(rej, "payment.iban", "not a valid IBAN: %s", why);
	size_t bl = strlen(pay->bic);
	if (bl) {
		bool ok = bl == 8 || bl == 11;
		for (size_t i = 0; ok && i < bl; i++) {
			char c = pay->bic[i];
			bool up = c >= 'A' && c <= 'Z', dig = c >= '0' && c <= '9';
			ok = i < 6 ? up : (up || dig);
		}
		if (!ok)
			return contract_reject(rej, "payment.bic", "not a BIC (8 or 11 characters)");
	}
	if (sc[0]) {
		if (!check_structured_communication(sc, why, sizeof why))
			return contract_reject(rej, "payment.structured_communication",
			    "not a valid Belgian structured communication: %s", why);
		if (!structured_communication_digits(sc, pay->structured_communication))
			return contract_reject(rej, "payment.structured_communication",
			    "not a valid Belgian structured communication");
	}
	return GW_OK;
}

static const char *const root_keys[] = {
	"invoice_id", "revision", "type", "issue_date", "due_date", "delivery_date",
	"currency", "buyer_reference", "order_reference", "note",
	"preceding_invoice_id", "seller", "buyer", "payment", "lines", "allowances",
	"charges", NULL
};

/* Every member of the record object, the id first. */
static gw_rc
parse_root(json_t *root, struct invoice *inv, struct record_rejection *rej)
{
	char s[64];
	json_t *arr;
	gw_rc rc;

	/* The id first, so that every later rejection can name the record. */
	if ((rc = get_str(root, "invoice_id", NULL, true, s, sizeof s, rej)))
		return rc;
	if (!id_ok(s))
		return contract_reject(rej, "invoice_id", "not 1-40 of A-Z a-z 0-9 . _ - (no leading dot)");
	copy_str(inv->invoice_id, sizeof inv->invoice_id, s);
	copy_str(rej->record_id, sizeof rej->record_id, s);

	if ((rc = check_keys(root, root_keys, NULL, rej)))
		return rc;
	if ((rc = get_str(root, "revision", NULL, true, s, sizeof s, rej)))
		return rc;
	char *end;
	errno = 0;
	long long rev = strtoll(s, &end, 10);
	if (*end || s[0] < '0' || s[0] > '9' || errno || rev < 1 || rev > UINT32_MAX)
		return contract_reject(rej, "revision", "not an integer >= 1: \"%s\"", s);
	inv->revision = (uint32_t)rev;

	if ((rc = get_str(root, "type", NULL, true, s, sizeof s, rej)))
		return rc;
	if (strcmp(s, "invoice") == 0)
		inv->type = INVOICE_INVOICE;
	else if (strcmp(s, "credit_note") == 0)
		inv->type = INVOICE_CREDIT_NOTE;
	else
		return contract_reject(rej, "type", "not invoice or credit_note: \"%s\"", s);

	if ((rc = get_date(root, "issue_date", true, inv->issue_date, rej)) ||
	    (rc = get_date(root, "due_date", false, inv->due_date, rej)) ||
	    (rc = get_date(root, "delivery_date", false, inv->delivery_date, rej)) ||
	    (rc = get_str(root, "currency", NULL, true, inv->currency, sizeof inv->currency, rej)) ||
	    (rc = get_str(root, "buyer_reference", NULL, false, inv->buyer_reference,
	                  sizeof inv->buyer_reference, rej)) ||
	    (rc = get_str(root, "order_reference", NULL, false, inv->order_reference,
	                  sizeof inv->order_reference, rej)) ||
	    (rc = get_str(root, "note", NULL, false, inv->note, sizeof inv->note, rej)) ||
	    (rc = get_str(root, "preceding_invoice_id", NULL, false, s, sizeof s, rej)))
		return rc;
	if (s[0] && !id_ok(s))
		return contract_reject(rej, "preceding_invoice_id", "not 1-40 of A-Z a-z 0-9 . _ -");
	copy_str(inv->preceding_invoice_id, sizeof inv->preceding_invoice_id, s);

	if ((rc = parse_party(root, "seller", &inv->seller, rej)) ||
	    (rc = parse_party(root, "buyer", &inv->buyer, rej)) ||
	    (rc = parse_payment(root, &inv->payment, rej)))
		return rc;

	if ((rc = get_array(root, "lines", INVOICE_MAX_LINES, &arr, rej)))
		return rc;
	if (arr == NULL || json_array_size(arr) == 0)
		return contract_reject(rej, "lines", "an invoice needs at least one line (BR-16)");
	inv->lines = calloc(json_array_size(arr), sizeof *inv->lines);
	if (inv->lines == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < json_array_size(arr); i++, inv->n_lines++)
		if ((rc = parse_line(json_array_get(arr, i), i, &inv->lines[i], rej)))
			return rc;

	static const char *const acs[2] = { "allowances", "charges" };
	for (int k = 0; k < 2; k++) {
		if ((rc = get_array(root, acs[k], INVOICE_MAX_AC, &arr, rej)))
			return rc;
		if (arr == NULL || json_array_size(arr) == 0)
			continue;
		struct invoice_ac *v = calloc(json_array_size(arr), sizeof *v);
		if (v == NULL)
			return GW_ENOMEM;
		size_t *n = k == 0 ? &inv->n_allowances : &inv->n_charges;
		if (k == 0)
			inv->allowances = v;
		else
			inv->charges = v;
		for (size_t i = 0; i < json_array_size(arr); i++, (*n)++)
			if ((rc = parse_ac(json_array_get(arr, i), acs[k], i, k == 1, &v[i], rej)))
				return rc;
	}
	return GW_OK;
}

gw_rc
invoice_parse_json(const char *buf, size_t len, struct invoice *inv,
                   struct record_rejection *rej)
{
	json_error_t jerr;
	gw_rc rc;

	memset(inv, 0, sizeof *inv);
	rej->record_id[0] = rej->field[0] = rej->reason[0] = '\0';
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		contract_reject(rej, "", "not valid JSON: %s (column %d)", jerr.text, jerr.column);
		return GW_EINPUT;
	}
	if (!json_is_object(root)) {
		rc = contract_reject(rej, "", "not a JSON object");
		goto out;
	}
	rc = parse_root(root, inv, rej);
	if (rc == GW_ENOMEM)
		contract_reject(rej, "", "out of memory");
	if (rc == GW_OK)
		rc = invoice_validate(inv, rej);
out:
	json_decref(root);
	if (rc != GW_OK) {
		invoice_clear(inv);
		if (rc != GW_ENOMEM)
			rc = GW_EINPUT;
	}
	return rc;
}

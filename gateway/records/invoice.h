/*
 * invoice.h - a validated invoice record (shared/spec/records.md, "Invoice
 * records"): one invoice or credit note, read from one JSON Lines line.
 *
 * This is the in-memory form the UBL builder (peppol/ubl/) works from. The
 * parser (records/invoice_jsonl.c) fills it and records/invoice_validate.c
 * checks every cross-field rule before the caller sees it, so a builder may
 * trust it: amounts, quantities and rates are exact decimals (core/decimal.h,
 * never a double), text is NUL-terminated UTF-8 without control characters,
 * and a value longer than its field is a rejection, never a cut.
 *
 * Optional fields beyond the spec's example (additive, as the spec allows):
 * top-level "delivery_date" (needed by intra-community supplies, BR-IC-11),
 * buyer contact_name/contact_email/contact_phone, and "reason_code" on
 * allowances and charges.
 */
#ifndef GW_RECORDS_INVOICE_H
#define GW_RECORDS_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/decimal.h"
#include "core/err.h"
#include "records/contract.h"

#define INVOICE_ID_MAX     CONTRACT_ID_MAX   /* fits struct record_rejection */
#define INVOICE_TEXT_MAX   200   /* names, streets, descriptions, reasons */
#define INVOICE_NOTE_MAX   1000  /* document note, payment terms */
#define INVOICE_SHORT_MAX  35    /* references, postcodes, phone numbers */
#define INVOICE_MAX_LINES  1000
#define INVOICE_MAX_AC     100   /* allowances + charges each */
#define INVOICE_MAX_VAT_GROUPS 16 /* distinct (category, rate) pairs */

enum invoice_type { INVOICE_INVOICE, INVOICE_CREDIT_NOTE };

/* UNCL 5305 VAT categories the gateway handles. */
enum vat_cat { VAT_S, VAT_Z, VAT_E, VAT_AE, VAT_K, VAT_G, VAT_O, VAT_CAT_COUNT };

struct invoice_party {
	char name[INVOICE_TEXT_MAX + 1];
	char enterprise_number[INVOICE_SHORT_MAX + 1]; /* BE: 10 digits, mod-97 checked */
	char vat[INVOICE_SHORT_MAX + 1];               /* "BE0668600511", "" when absent */
	char peppol_scheme[5];                         /* EAS code "0208", "" when absent */
	char peppol_value[INVOICE_TEXT_MAX + 1];
	char street[INVOICE_TEXT_MAX + 1];
	char city[INVOICE_TEXT_MAX + 1];
	char postcode[INVOICE_SHORT_MAX + 1];
	char country[3];                               /* ISO 3166-1 alpha-2 */
	char contact_name[INVOICE_TEXT_MAX + 1];
	char contact_email[INVOICE_TEXT_MAX + 1];
	char contact_phone[INVOICE_SHORT_MAX + 1];
};

/* The VAT treatment shared by lines, allowances and charges. */
struct invoice_vat {
	enum vat_cat category;
	bool has_rate;                 /* false only for category O */
	decimal rate;                  /* percent, e.g. 21 */
	char exemption_reason[INVOICE_TEXT_MAX + 1];
	char exemption_reason_code[24]; /* VATEX code, upper case */
};

struct invoice_line {
	char id[INVOICE_SHORT_MAX + 1];
	char description[INVOICE_TEXT_MAX + 1];  /* becomes the item name (BT-153) */
	decimal quantity;
	char unit_code[4];                       /* UN/ECE Rec 20 */
	decimal unit_price;                      /* >= 0 (BR-27) */
	struct invoice_vat vat;
	char contract_id[CONTRACT_ID_MAX + 1];   /* optional: the performance invoiced */
};

struct invoice_ac {                         /* a document-level allowance or charge */
	char reason[INVOICE_TEXT_MAX + 1];
	char reason_code[4];                     /* UNCL 5189 / 7161, optional */
	decimal amount;                          /* > 0, at most 2 decimals */
	struct invoice_vat vat;
};

struct invoice_payment {
	char means_code[4];            /* UNCL 4461, "" when no payment instructions */
	char iban[35];                 /* normalised: upper case, no spaces */
	char bic[12];
	char structured_communication[13]; /* the 12 digits, "" when absent */
	char terms[INVOICE_NOTE_MAX + 1];
};

struct invoice {
	char invoice_id[INVOICE_ID_MAX + 1];
	uint32_t revision;
	enum invoice_type type;
	char issue_date[11];           /* YYYY-MM-DD */
	char due_date[11];             /* "" when absent */
	char delivery_date[11];        /* "" when absent */
	char currency[4];
	char buyer_reference[INVOICE_TEXT_MAX + 1];
	char order_reference[INVOICE_TEXT_MAX + 1];
	char note[INVOICE_NOTE_MAX + 1];
	char preceding_invoice_id[INVOICE_ID_MAX + 1];
	struct invoice_party seller, buyer;
	struct invoice_payment payment;
	struct invoice_line *lines;    /* owned; invoice_clear() frees */
	size_t n_lines;
	struct invoice_ac *allowances;
	size_t n_allowances;
	struct invoice_ac *charges;
	size_t n_charges;
};

/* Free what an invoice owns and zero it (safe on a zeroed struct). */
void invoice_clear(struct invoice *inv);

/* UNCL 5305 code of a category ("S", "AE", ...). */
const char *vat_cat_code(enum vat_cat c);
/* Category from its code; -1 when unknown. */
int vat_cat_parse(const char *s);
/* True for the categories whose tax is always zero and that carry an
 * exemption reason in the VAT breakdown (E, AE, K, G, O). */
bool vat_cat_exempt(enum vat_cat c);

#endif

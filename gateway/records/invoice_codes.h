/*
 * invoice_codes.h - the code lists invoice records are checked against.
 *
 * Small, deliberate subsets of the official lists (ISO 3166-1, UN/ECE Rec 20,
 * CEF VATEX, UNCL 4461/5189/7161, Peppol EAS): what a Belgian cooperative
 * invoicing performances needs. A code outside the subset is a rejection
 * that says so, never a document the Peppol validator refuses later.
 */
#ifndef GW_RECORDS_INVOICE_CODES_H
#define GW_RECORDS_INVOICE_CODES_H

#include <stdbool.h>
#include "records/invoice.h"

/* ISO 3166-1 alpha-2 country code known to the gateway. */
bool invoice_code_country(const char *cc);
/* UN/ECE Rec 20/21 unit of measure in the supported subset. */
bool invoice_code_unit(const char *u);
/* UNCL 4461 payment means the records may use (no direct debit, no card). */
bool invoice_code_payment_means(const char *m);
/* UNCL 5189 allowance reason code (charge = false) or UNCL 7161 charge
 * reason code (charge = true), supported subset. */
bool invoice_code_ac_reason(const char *code, bool charge);
/* CEF VATEX exemption reason code and the one category it may go with;
 * false when the code is unknown. */
bool invoice_code_vatex(const char *code, enum vat_cat *category);
/* Peppol electronic address scheme (EAS) accepted for an EndpointID. */
bool invoice_code_eas(const char *scheme);
/* The VAT-number based EAS of a country ("9925" for BE), NULL when none. */
const char *invoice_code_vat_eas(const char *cc);

#endif

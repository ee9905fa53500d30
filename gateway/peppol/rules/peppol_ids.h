/*
 * peppol_ids.h - identifier checks of the Peppol BIS 3.0 rules (ICD/EAS
 * schemes) and the code tables they and the code-list rules use.
 *
 * Each check takes the identifier as text, already passed through
 * normalize-space() where the rule says so, and answers what the official
 * Schematron function answers. Pure functions: no allocation, no logging.
 * Internal to peppol_*.c and their tests; not a general-purpose id library
 * (core/checkdigit.h is that).
 */
#ifndef GW_PEPPOL_RULES_PEPPOL_IDS_H
#define GW_PEPPOL_RULES_PEPPOL_IDS_H

#include <stdbool.h>
#include <stddef.h>

/* 0088 GLN: digits only, GS1 mod-10 check digit (PEPPOL-COMMON-R040). */
bool peppol_id_gln(const char *s);
/* 0192 Norwegian organisation number: 9 digits, mod 11 (R041). */
bool peppol_id_no_orgnr(const char *s);
/* 0184 Danish CVR: "DK" + 8 digits or 8 digits (R042, not normalised). */
bool peppol_id_dk_cvr(const char *s);
/* 0208 Belgian enterprise number: 10 digits, 97 - (first 8 mod 97) (R043). */
bool peppol_id_be_cbe(const char *s);
/* 0201 Italian IPA code: 6 ASCII letters or digits (R044). */
bool peppol_id_it_ipa(const char *s);
/* 0210 / 9907 Italian Codice Fiscale: 16-char pattern or 11-char integer (R045, R046). */
bool peppol_id_it_cf(const char *s);
/* 0211 Italian VAT (Partita IVA): "IT" + 11 digits with Luhn-like check,
 * anything not starting with IT/it is accepted (R047). */
bool peppol_id_it_piva(const char *s);
/* 0007 Swedish organisation number: 10 digits, Luhn (R049). */
bool peppol_id_se_orgnr(const char *s);
/* 0151 Australian Business Number: 11 digits, weighted mod 89 (R050). */
bool peppol_id_au_abn(const char *s);
/* 3.0.21 format rules (no check digit), each on the text as its rule reads it:
 * 0096 Danish P number, 10 digits (R052, string() as it is); 0198 Danish
 * ERSTORG, "DK" + 8 digits (R053, as it is); 0106 Dutch KVK, 8 digits
 * (R054); 0190 Dutch OIN, 20 digits (R055); Dutch VAT, "NL" + 9 digits +
 * "B" + 2 digits (R056-1 for 9944, R056-2 for a VAT CompanyID starting
 * with NL); 0217 Dutch KVK branch number, 12 digits (R057). */
bool peppol_id_dk_p(const char *s);
bool peppol_id_dk_se(const char *s);
bool peppol_id_nl_kvk(const char *s);
bool peppol_id_nl_oin(const char *s);
bool peppol_id_nl_vat(const char *s);
bool peppol_id_nl_kvk_branch(const char *s);
/* xs:integer castable: optional sign then digits, surrounding spaces allowed. */
bool peppol_castable_integer(const char *s, size_t len);
/* xs:date castable (YYYY-MM-DD with optional timezone); fills y, m, d. */
bool peppol_parse_date(const char *s, long *y, int *m, int *d);

/* Code tables, each sorted in strcmp order for rule_code_in(). */
extern const char *const peppol_iso4217[];
extern const size_t peppol_iso4217_n;
extern const char *const peppol_mime[];
extern const size_t peppol_mime_n;
extern const char *const peppol_uncl2005[];
extern const size_t peppol_uncl2005_n;
extern const char *const peppol_uncl5189[];
extern const size_t peppol_uncl5189_n;
extern const char *const peppol_uncl7161[];
extern const size_t peppol_uncl7161_n;
extern const char *const peppol_eas[];
extern const size_t peppol_eas_n;
/* The same two lists as release 3.0.21 has them. */
extern const char *const peppol_iso4217_21[];
extern const size_t peppol_iso4217_21_n;
extern const char *const peppol_eas_21[];
extern const size_t peppol_eas_21_n;
extern const char *const peppol_inv_types_01[];
extern const size_t peppol_inv_types_01_n;
extern const char *const peppol_cn_types_01[];
extern const size_t peppol_cn_types_01_n;

#endif

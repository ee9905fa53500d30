/*
 * checkdigit.h - Belgian and banking identifier checks.
 *
 * Each function takes the identifier as text and says whether it is well
 * formed and its check digits are right. On failure, `why` (when not NULL)
 * receives a short reason fit for a rejection message ("check digits 12,
 * expected 34"). Pure functions: no allocation, no logging.
 */
#ifndef GW_CORE_CHECKDIGIT_H
#define GW_CORE_CHECKDIGIT_H

#include <stdbool.h>
#include <stddef.h>

/* INSS/NISS, 11 digits: 97 - (first 9 mod 97), or with "2" prefixed for
 * people born in 2000 or later; BIS numbers (month + 20 or + 40) too. */
bool check_inss(const char *s, char *why, size_t whycap);
/* Enterprise (KBO/BCE) number, 10 digits, 0 or 1 first: 97 - (first 8 mod 97). */
bool check_kbo(const char *s, char *why, size_t whycap);
/* ONSS/RSZ registration number, 9 digits (7-digit number + 2 check digits). */
bool check_noss(const char *s, char *why, size_t whycap);
/* Establishment unit number (KBO; DmfA LocalUnitID, zone 00042): 10 digits,
 * the first 2..8, the last two 97 - (the first eight mod 97). */
bool check_unit_id(const char *s, char *why, size_t whycap);
/* IBAN, ISO 13616 mod-97 = 1, country length known for BE and the SEPA area. */
bool check_iban(const char *s, char *why, size_t whycap);
/* Belgian structured communication "+++123/4567/89002+++" (or "***...***",
 * or the 12 bare digits): first 10 mod 97 (97 when 0) = last 2. */
bool check_structured_communication(const char *s, char *why, size_t whycap);
/* Copy the 12 digits of a structured communication into out[13]. */
bool structured_communication_digits(const char *s, char out[13]);

#endif

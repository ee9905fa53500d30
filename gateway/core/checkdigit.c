/*
 * checkdigit.c - Belgian and banking identifier checks (core/checkdigit.h).
 *
 * Owns the check-digit arithmetic for INSS/NISS and BIS numbers, KBO/BCE
 * enterprise numbers, ONSS registration numbers, IBANs and Belgian
 * structured communications. Pure functions over text: never allocates,
 * never logs, never accepts a value it had to guess at (no trimming, no
 * case folding).
 */
#include "core/checkdigit.h"
#include "core/reason.h"
#include "core/date.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* reason_set() always returns GW_EINPUT (non-zero): "return !reason_set(...)" is
 * "return false, saying why". */

/* True when s is exactly n ASCII digits. */
static bool
all_digits(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Value of the n digits at s (n <= 18). */
static uint64_t
digits_value(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

bool
check_inss(const char *s, char *why, size_t whycap)
{
	if (!all_digits(s, 11))
		return !reason_set(why, whycap, "must be 11 digits");
	uint64_t base = digits_value(s, 9);
	unsigned cc = (unsigned)digits_value(s + 9, 2);
	unsigned before2000 = 97 - (unsigned)(base % 97);
	/* People born in 2000 or later: the same rule on "2" + the 9 digits. */
	unsigned from2000 = 97 - (unsigned)((2000000000ULL + base) % 97);
	int century;
	if (cc == before2000)
		century = 1900;
	else if (cc == from2000)
		century = 2000;
	else
		return !reason_set(why, whycap, "check digits %02u, expected %02u (born before 2000) "
		    "or %02u (born 2000 or later)", cc, before2000, from2000);

	int yy = (int)digits_value(s, 2);
	int mm = (int)digits_value(s + 2, 2);
	int dd = (int)digits_value(s + 4, 2);
	/* BIS numbers add 20 (sex unknown) or 40 (sex known) to the month; a
	 * month or day of 00 means that part of the birth date is unknown. */
	int month;
	if (mm <= 12)
		month = mm;
	else if (mm >= 20 && mm <= 32)
		month = mm - 20;
	else if (mm >= 40 && mm <= 52)
		month = mm - 40;
	else
		return !reason_set(why, whycap, "birth month %02d is impossible", mm);
	if (dd > 31)
		return !reason_set(why, whycap, "birth day %02d is impossible", dd);
	if (month != 0 && dd != 0 && !date_valid(century + yy, month, dd))
		return !reason_set(why, whycap, "birth date %04d-%02d-%02d does not exist",
		    century + yy, month, dd);
	return true;
}

bool
check_kbo(const char *s, char *why, size_t whycap)
{
	if (!all_digits(s, 10))
		return !reason_set(why, whycap, "must be 10 digits");
	if (s[0] != '0' && s[0] != '1')
		return !reason_set(why, whycap, "must start with 0 or 1");
	unsigned expect = 97 - (unsigned)(digits_value(s, 8) % 97);
	unsigned cc = (unsigned)digits_value(s + 8, 2);
	if (cc != expect)
		return !reason_set(why, whycap, "check digits %02u, expected %02u", cc, expect);
	return true;
}

bool
check_unit_id(const char *s, char *why, size_t whycap)
{
	if (!all_digits(s, 10))
		return !reason_set(why, whycap, "must be 10 digits");
	if (s[0] < '2' || s[0] > '8')
		return !reason_set(why, whycap, "must start with a digit from 2 to 8");
	unsigned expect = 97 - (unsigned)(digits_value(s, 8) % 97);
	unsigned cc = (unsigned)digits_value(s + 8, 2);
	if (cc != expect)
		return !reason_set(why, whycap, "check digits %02u, expected %02u", cc, expect);
	return true;
}

bool
check_noss(const char *s, char *why, size_t whycap)
{
	/* Definitive registration numbers: 7-digit number N and check digits
	 * 96 - (N * 100 mod 97), 97 instead of 0; the DmfA glossary (zone
	 * 00011) gives the domain [100006; 199999934]. */
	if (!all_digits(s, 9))
		return !reason_set(why, whycap, "must be 9 digits");
	uint64_t n = digits_value(s, 7);
	if (n < 1000 || n > 1999999)
		return !reason_set(why, whycap, "not a definitive registration number "
		    "(outside 000100006..199999934)");
	unsigned expect = 96 - (unsigned)((n * 100) % 97);
	if (expect == 0)
		expect = 97;
	unsigned cc = (unsigned)digits_value(s + 7, 2);
	if (cc != expect)
		return !reason_set(why, whycap, "check digits %02u, expected %02u", cc, expect);
	return true;
}

/* IBAN lengths of the SEPA countries and territories (ISO 13616 registry). */
static const struct { char cc[3]; unsigned char len; } iban_lengths[] = {
	{ "AD", 24 }, { "AT", 20 }, { "AX", 18 }, { "BE", 16 }, { "BG", 22 },
	{ "BL", 27 }, { "CH", 21 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 },
	{ "DK", 18 }, { "EE", 20 }, { "ES", 24 }, { "FI", 18 }, { "FR", 27 },
	{ "GB", 22 }, { "GF", 27 }, { "GG", 22 }, { "GI", 23 }, { "GP", 27 },
	{ "GR", 27 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IM", 22 },
	{ "IS", 26 }, { "IT", 27 }, { "JE", 22 }, { "LI", 21 }, { "LT", 20 },
	{ "LU", 20 }, { "LV", 21 }, { "MC", 27 }, { "MF", 27 }, { "MQ", 27 },
	{ "MT", 31 }, { "NL", 18 }, { "NO", 15 }, { "PL", 28 }, { "PM", 27 },
	{ "PT", 25 }, { "RE", 27 }, { "RO", 24 }, { "SE", 24 }, { "SI", 19 },
	{ "SK", 24 }, { "SM", 27 }, { "VA", 22 }, { "YT", 27 },
};

/* Expected length for a country, 0 when it is outside the table. */
static unsigned
iban_length_for(const char *cc)
{
	for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
		if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
			return iban_lengths[i].len;
	return 0;
}

bool
check_iban(const char *s, char *why, size_t whycap)
{
	/* Spaces between groups (the paper form) are ignored; nothing else is. */
	char v[35];
	size_t n = 0;
	if (s == NULL)
		return !reason_set(why, whycap, "missing");
	for (const char *p = s; *p; p++) {
		if (*p == ' ')
			continue;
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')))
			return !reason_set(why, whycap, "only digits and capital letters are allowed");
		if (n >= sizeof v - 1)
			return !reason_set(why, whycap, "longer than 34 characters");
		v[n++] = *p;
	}
	v[n] = '\0';
	if (n < 5 || v[0] < 'A' || v[1] < 'A' || v[2] > '9' || v[3] > '9')
		return !reason_set(why, whycap, "must start with a country code and 2 check digits");
	unsigned want = iban_length_for(v);
	if (want != 0 && n != want)
		return !reason_set(why, whycap, "%c%c IBAN has %u characters, expected %u",
		    v[0], v[1], (unsigned)n, want);
	if (want == 0 && n < 15)
		return !reason_set(why, whycap, "shorter than 15 characters");
	/* ISO 7064 mod 97-10 over BBAN + country + check digits, letters as 10..35. */
	unsigned rem = 0;
	for (size_t k = 0; k < n; k++) {
		char ch = v[(k + 4) % n];
		if (ch >= '0' && ch <= '9')
			rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
	}
	if (rem != 1)
		return !reason_set(why, whycap, "check digits %c%c do not match (mod 97 = %u)",
		    v[2], v[3], rem);
	if (v[0] == 'B' && v[1] == 'E') {
		/* The Belgian account number inside has its own mod-97 check. */
		for (size_t k = 4; k < 16; k++)
			if (v[k] > '9')
				return !reason_set(why, whycap, "BE account number must be digits");
		unsigned expect = (unsigned)(digits_value(v + 4, 10) % 97);
		if (expect == 0)
			expect = 97;
		if ((unsigned)digits_value(v + 14, 2) != expect)
			return !reason_set(why, whycap, "Belgian account check digits %c%c, expected %02u",
			    v[14], v[15], expect);
	}
	return true;
}

bool
structured_communication_digits(const char *s, char out[13])
{
	size_t n = s ? strlen(s) : 0;
	if (n == 12 && all_digits(s, 12)) {
		memcpy(out, s, 12);
		out[12] = '\0';
		return true;
	}
	/* "+++ddd/dddd/ddddd+++" or the same between "***". */
	if (n != 20 || (s[0] != '+' && s[0] != '*'))
		return false;
	char m = s[0];
	if (s[1] != m || s[2] != m || s[17] != m || s[18] != m || s[19] != m ||
	    s[6] != '/' || s[11] != '/')
		return false;
	size_t k = 0;
	for (size_t i = 3; i < 17; i++) {
		if (i == 6 || i == 11)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return false;
		out[k++] = s[i];
	}
	out[12] = '\0';
	return true;
}

bool
check_structured_communication(const char *s, char *why, size_t whycap)
{
	char d[13];
	if (!structured_communication_digits(s, d))
		return !reason_set(why, whycap, "must be +++ddd/dddd/ddddd+++ or 12 digits");
	unsigned expect = (unsigned)(digits_value(d, 10) % 97);
	if (expect == 0)
		expect = 97;
	unsigned cc = (unsigned)digits_value(d + 10, 2);
	if (cc != expect)
		return !reason_set(why, whycap, "check digits %02u, expected %02u", cc, expect);
	return true;
}

/*
 * peppol_ids.c - the identifier checks behind PEPPOL-COMMON-R040..R057 and
 * the xs:integer / xs:date casts the Peppol rules rely on.
 *
 * Owns the arithmetic of each scheme as the official Schematron functions
 * define it (u:gln, u:mod11, u:mod97-0208, u:checkCF, u:checkPIVAseIT,
 * u:checkSEOrgnr, u:abn). Must never be stricter or looser than those
 * functions: the unit tests of OpenPeppol judge us by them.
 */
#include "peppol/rules/peppol_ids.h"

#include <string.h>

#include "core/checkdigit.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

/* Weighted sum from the rightmost digit before the check digit leftwards. */
bool
peppol_id_gln(const char *s)
{
	size_t n = strlen(s);
	if (!all_digits(s, n))
		return false;
	long sum = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		int d = s[n - 2 - i] - '0';
		sum += d * ((i % 2 == 0) ? 3 : 1);
	}
	return (10 - sum % 10) % 10 == s[n - 1] - '0';
}

/* Weights 2..7 repeating from the right; a remainder giving 10 never matches. */
bool
peppol_id_no_orgnr(const char *s)
{
	size_t n = strlen(s);
	if (n != 9 || !all_digits(s, n))
		return false;
	long sum = 0;
	bool nonzero = false;
	for (size_t i = 0; i + 1 < n; i++) {
		int d = s[n - 2 - i] - '0';
		sum += d * (long)(i % 6 + 2);
	}
	for (size_t i = 0; i < n; i++)
		nonzero |= s[i] != '0';
	return nonzero && (11 - sum % 11) % 11 == s[n - 1] - '0';
}

bool
peppol_id_dk_cvr(const char *s)
{
	size_t n = strlen(s);
	if (n == 10 && s[0] == 'D' && s[1] == 'K' && all_digits(s + 2, 8))
		return true;
	return n == 8 && all_digits(s, 8);
}

/* Enterprise numbers start with 0 or 1 and are checked by the shared
 * core/checkdigit.h; the rule itself accepts any first digit (it is what
 * Belgian establishment-unit style numbers need), so other first digits
 * get the same mod-97 arithmetic here. */
bool
peppol_id_be_cbe(const char *s)
{
	size_t n = strlen(s);
	if (n != 10 || !all_digits(s, n))
		return false;
	if (s[0] == '0' || s[0] == '1')
		return check_kbo(s, NULL, 0);
	long v = 0;
	for (int i = 0; i < 8; i++)
		v = v * 10 + (s[i] - '0');
	long want = 97 - v % 97;
	long got = (s[8] - '0') * 10 + (s[9] - '0');
	return want == got;
}

bool
peppol_id_it_ipa(const char *s)
{
	if (strlen(s) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]))
			return false;
	return true;
}

bool
peppol_castable_integer(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
	    s[len - 1] == '\r'))
		len--;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	return i < len && all_digits(s + i, len - i);
}

/* Letters in positions 1-6, 9 and 16; integers in 7-8, 10-11 and 15. */
static bool
it_cf16(const char *s)
{
	for (int i = 0; i < 6; i++)
		if (!is_alpha(s[i]))
			return false;
	return peppol_castable_integer(s + 6, 2) && is_alpha(s[8]) &&
	    peppol_castable_integer(s + 9, 2) && peppol_castable_integer(s + 14, 1) &&
	    is_alpha(s[15]);
}

bool
peppol_id_it_cf(const char *s)
{
	size_t n = strlen(s);
	if (n == 16)
		return it_cf16(s);
	if (n == 11)
		return peppol_castable_integer(s, n);
	return false;
}

/* Odd positions count as they are, even positions doubled digit-summed;
 * the total including the check digit must end in 0. */
bool
peppol_id_it_piva(const char *s)
{
	if (!((s[0] == 'I' && s[1] == 'T') || (s[0] == 'i' && s[1] == 't')))
		return true;
	const char *c = s + 2;
	if (strlen(c) != 11 || !all_digits(c, 11))
		return false;
	static const char dbl[] = "0246813579";
	int sum = 0;
	for (int i = 0; i < 11; i++) {
		int d = c[i] - '0';
		sum += (i % 2 == 1) ? dbl[d] - '0' : d;
	}
	return sum % 10 == 0;
}

/* Luhn over the first 9 digits gives the 10th. */
bool
peppol_id_se_orgnr(const char *s)
{
	size_t n = strlen(s);
	if (n != 10 || !all_digits(s, n))
		return false;
	int sum = 0;
	for (int pos = 1; pos <= 9; pos++) {
		int d = s[9 - pos] - '0';
		if (pos % 2 == 1) {
			d *= 2;
			sum += d % 10 + d / 10;
		} else {
			sum += d;
		}
	}
	return (10 - sum % 10) % 10 == s[9] - '0';
}

bool
peppol_id_au_abn(const char *s)
{
	static const int w[11] = { 10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19 };
	if (strlen(s) != 11 || !all_digits(s, 11))
		return false;
	long sum = 0;
	for (int i = 0; i < 11; i++)
		sum += (long)((s[i] - '0') - (i == 0 ? 1 : 0)) * w[i];
	return sum % 89 == 0;
}

static bool
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Optional timezone: Z or +hh:mm / -hh:mm with hh <= 14. */
static bool
parse_tz(const char *p)
{
	if (*p == '\0')
		return true;
	if (p[0] == 'Z')
		return p[1] == '\0';
	if ((p[0] != '+' && p[0] != '-') || !is_digit(p[1]) || !is_digit(p[2]) || p[3] != ':' ||
	    !is_digit(p[4]) || !is_digit(p[5]) || p[6] != '\0')
		return false;
	int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
	return mm < 60 && (hh < 14 || (hh == 14 && mm == 0));
}

bool
peppol_parse_date(const char *s, long *y, int *m, int *d)
{
	const char *p = s;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	size_t nd = 0;
	long yy = 0;
	while (is_digit(p[nd]) && nd < 9) {
		yy = yy * 10 + (p[nd] - '0');
		nd++;
	}
	if (nd < 4 || (nd > 4 && p[0] == '0') || p[nd] != '-')
		return false;
	p += nd + 1;
	if (!is_digit(p[0]) || !is_digit(p[1]) || p[2] != '-' || !is_digit(p[3]) || !is_digit(p[4]))
		return false;
	int mm = (p[0] - '0') * 10 + (p[1] - '0');
	int dd = (p[3] - '0') * 10 + (p[4] - '0');
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mm < 1 || mm > 12 || dd < 1 || dd > mdays[mm - 1] || yy == 0)
		return false;
	if (neg)
		yy = -yy;
	if (mm == 2 && dd == 29 && !leap(neg ? -yy : yy))
		return false;
	char tz[16];
	size_t tl = 0;
	for (const char *q = p + 5; *q && tl + 1 < sizeof tz; q++) {
		if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
			for (const char *r = q; *r; r++)
				if (!(*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r'))
					return false;
			break;
		}
		tz[tl++] = *q;
	}
	tz[tl] = '\0';
	if (!parse_tz(tz))
		return false;
	*y = yy;
	*m = mm;
	*d = dd;
	return true;
}

const char *const peppol_iso4217[] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
	"BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
	"CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE",
	"CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL",
	"GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
	"IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
	"KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK",
	"MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
	"NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON",
	"RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD",
	"SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD",
	"TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV",
	"WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XDR", "XOF", "XPD", "XPF",
	"XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
};
const size_t peppol_iso4217_n = sizeof peppol_iso4217 / sizeof peppol_iso4217[0];

const char *const peppol_mime[] = {
	"application/pdf", "application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/jpeg",
	"image/png", "text/csv",
};
const size_t peppol_mime_n = sizeof peppol_mime / sizeof peppol_mime[0];

const char *const peppol_uncl2005[] = { "3", "35", "432" };
const size_t peppol_uncl2005_n = sizeof peppol_uncl2005 / sizeof peppol_uncl2005[0];

const char *const peppol_uncl5189[] = {
	"100", "102", "103", "104", "105", "41", "42", "60", "62", "63", "64", "65", "66", "67",
	"68", "70", "71", "88", "95",
};
const size_t peppol_uncl5189_n = sizeof peppol_uncl5189 / sizeof peppol_uncl5189[0];

const char *const peppol_uncl7161[] = {
	"AA", "AAA", "AAC", "AAD", "AAE", "AAF", "AAH", "AAI", "AAS", "AAT", "AAV", "AAY", "AAZ",
	"ABA", "ABB", "ABC", "ABD", "ABF", "ABK", "ABL", "ABN", "ABR", "ABS", "ABT", "ABU", "ACF",
	"ACG", "ACH", "ACI", "ACJ", "ACK", "ACL", "ACM", "ACS", "ADC", "ADE", "ADJ", "ADK", "ADL",
	"ADM", "ADN", "ADO", "ADP", "ADQ", "ADR", "ADT", "ADW", "ADY", "ADZ", "AEA", "AEB", "AEC",
	"AED", "AEF", "AEH", "AEI", "AEJ", "AEK", "AEL", "AEM", "AEN", "AEO", "AEP", "AES", "AET",
	"AEU", "AEV", "AEW", "AEX", "AEY", "AEZ", "AJ", "AU", "CA", "CAB", "CAD", "CAE", "CAF",
	"CAI", "CAJ", "CAK", "CAL", "CAM", "CAN", "CAO", "CAP", "CAQ", "CAR", "CAS", "CAT", "CAU",
	"CAV", "CAW", "CAX", "CAY", "CAZ", "CD", "CG", "CS", "CT", "DAB", "DAC", "DAD", "DAF",
	"DAG", "DAH", "DAI", "DAJ", "DAK", "DAL", "DAM", "DAN", "DAO", "DAP", "DAQ", "DL", "EG",
	"EP", "ER", "FAA", "FAB", "FAC", "FC", "FH", "FI", "GAA", "HAA", "HD", "HH", "IAA", "IAB",
	"ID", "IF", "IR", "IS", "KO", "L1", "LA", "LAA", "LAB", "LF", "MAE", "MI", "ML", "NAA",
	"OA", "PA", "PAA", "PC", "PL", "PRV", "RAB", "RAC", "RAD", "RAF", "RE", "RF", "RH", "RV",
	"SA", "SAA", "SAD", "SAE", "SAI", "SG", "SH", "SM", "SU", "TAB", "TAC", "TT", "TV", "V1",
	"V2", "WH", "XAA", "YY", "ZZZ",
};
const size_t peppol_uncl7161_n = sizeof peppol_uncl7161 / sizeof peppol_uncl7161[0];

/* Electronic address schemes accepted by PEPPOL-EN16931-CL008. */
const char *const peppol_eas[] = {
	"0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135",
	"0142", "0147", "0151", "0154", "0158", "0170", "0177", "0183", "0184", "0188", "0190",
	"0191", "0192", "0193", "0194", "0195", "0196", "0198", "0199", "0200", "0201", "0202",
	"0203", "0204", "0205", "0208", "0209", "0210", "0211", "0212", "0213", "0215", "0216",
	"0217", "0218", "0221", "0225", "0230", "0235", "0240", "9910", "9913", "9914", "9915",
	"9918", "9919", "9920", "9922", "9923", "9924", "9925", "9926", "9927", "9928", "9929",
	"9930", "9931", "9932", "9933", "9934", "9935", "9936", "9937", "9938", "9939", "9940",
	"9941", "9942", "9943", "9944", "9945", "9946", "9947", "9948", "9949", "9950", "9951",
	"9952", "9953", "9957", "9959",
};
const size_t peppol_eas_n = sizeof peppol_eas / sizeof peppol_eas[0];

/* 3.0.21's $ISO4217: ANG and BGN gone, CNH and XCG added (CL007). */
const char *const peppol_iso4217_21[] = {
	"AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD",
	"BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
	"CHE", "CHF", "CHW", "CLF", "CLP", "CNH", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK",
	"DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
	"GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD",
	"IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD",
	"KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
	"MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
	"NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
	"RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP",
	"STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
	"UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST",
	"XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF",
	"XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
};
const size_t peppol_iso4217_21_n = sizeof peppol_iso4217_21 / sizeof peppol_iso4217_21[0];

/* 3.0.21's $eaid (CL008): 0037, 0147, 0154, 0158, 0170, 0177, 0193, 0194,
 * 0202, 0203, 0205, 0212, 0213, 0215 and 0217 gone; 0242, 0244, 0245, 0246
 * and 0248 added. */
const char *const peppol_eas_21[] = {
	"0002", "0007", "0009", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142",
	"0151", "0183", "0184", "0188", "0190", "0191", "0192", "0195", "0196", "0198", "0199",
	"0200", "0201", "0204", "0208", "0209", "0210", "0211", "0216", "0218", "0221", "0225",
	"0230", "0235", "0240", "0242", "0244", "0245", "0246", "0248", "9910", "9913", "9914",
	"9915", "9918", "9919", "9920", "9922", "9923", "9924", "9925", "9926", "9927", "9928",
	"9929", "9930", "9931", "9932", "9933", "9934", "9935", "9936", "9937", "9938", "9939",
	"9940", "9941", "9942", "9943", "9944", "9945", "9946", "9947", "9948", "9949", "9950",
	"9951", "9952", "9953", "9957", "9959",
};
const size_t peppol_eas_21_n = sizeof peppol_eas_21 / sizeof peppol_eas_21[0];

/* Invoice and credit note type codes allowed in billing profile 01. */
const char *const peppol_inv_types_01[] = {
	"102", "218", "219", "326", "331", "380", "382", "383", "384", "386", "388", "393", "395",
	"553", "575", "623", "71", "780", "80", "817", "82", "84", "870", "875", "876", "877",
};
const size_t peppol_inv_types_01_n = sizeof peppol_inv_types_01 / sizeof peppol_inv_types_01[0];

const char *const peppol_cn_types_01[] = { "381", "396", "532", "81", "83" };
const size_t peppol_cn_types_01_n = sizeof peppol_cn_types_01 / sizeof peppol_cn_types_01[0];

/* Exactly n ASCII digits starting at s, then the end. */
static bool
digits_exact(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

bool
peppol_id_dk_p(const char *s)
{
	/* string-length 10 and no non-digit among the 10 characters: a
	 * non-ASCII character is one character and not a digit either. */
	return digits_exact(s, 10);
}

bool
peppol_id_dk_se(const char *s)
{
	return s[0] == 'D' && s[1] == 'K' && digits_exact(s + 2, 8);
}

bool
peppol_id_nl_kvk(const char *s)
{
	return digits_exact(s, 8);
}

bool
peppol_id_nl_oin(const char *s)
{
	return digits_exact(s, 20);
}

bool
peppol_id_nl_vat(const char *s)
{
	if (s[0] != 'N' || s[1] != 'L')
		return false;
	for (size_t i = 2; i < 11; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[11] == 'B' && digits_exact(s + 12, 2);
}

bool
peppol_id_nl_kvk_branch(const char *s)
{
	return digits_exact(s, 12);
}

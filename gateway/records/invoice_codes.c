/*
 * invoice_codes.c - code-list look-ups for invoice records.
 *
 * Owns only constant tables. Each list is a space-separated string searched
 * for " CODE ": small, readable, and easy to compare with the official list.
 * Never allocates, never logs.
 */
#include "records/invoice_codes.h"

#include <string.h>

/* True when code is one of the space-separated words of list. */
static bool
in_list(const char *list, const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > 16 || strchr(code, ' '))
		return false;
	for (const char *p = list; (p = strstr(p, code)) != NULL; p++) {
		bool start = p == list || p[-1] == ' ';
		bool end = p[n] == ' ' || p[n] == '\0';
		if (start && end)
			return true;
	}
	return false;
}

/* The EU and EEA, their neighbours and the usual trading partners. */
static const char countries[] =
	"AD AE AL AT AU BA BE BG BR CA CH CN CY CZ DE DK EE ES FI FR GB GR HK HR "
	"HU IE IL IN IS IT JP KR LI LT LU LV MA MC ME MK MT MX NL NO NZ PL PT RO "
	"RS SE SG SI SK SM TN TR UA US VA ZA";

/* Units a performance, a day of work or a delivered good is counted in. */
static const char units[] =
	"C62 H87 EA HUR DAY MIN SEC WEE MON ANN KGM GRM TNE MTR KMT CMT MTK MTQ "
	"LTR SET LS E48 XBX XPK ZZ KWH";

/* Credit transfer and the other means that need no mandate or card data. */
static const char means[] = "1 10 20 30 31 42 57 58 97 ZZZ";

static const char allowance_reasons[] =
	"41 42 60 62 63 64 65 66 67 68 70 71 88 95 100 102 103 104 105";
static const char charge_reasons[] = "AAA ABK ABL ADR FC FI LA SAA ZZZ";

/* The Peppol EAS list of BIS 3.0 (PEPPOL-EN16931-CL008). */
static const char eas[] =
	"0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0151 0177 "
	"0183 0184 0188 0190 0191 0192 0193 0195 0196 0198 0199 0200 0201 0202 "
	"0204 0208 0209 0210 0211 0212 0213 0215 0216 0218 0221 0230 0235 9910 "
	"9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 "
	"9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 "
	"9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 0147 0154 "
	"0158 0170 0194 0203 0205 0217 0225 0240";

bool invoice_code_country(const char *cc) { return in_list(countries, cc); }
bool invoice_code_unit(const char *u) { return in_list(units, u); }
bool invoice_code_payment_means(const char *m) { return in_list(means, m); }
bool invoice_code_eas(const char *scheme) { return in_list(eas, scheme); }

bool
invoice_code_ac_reason(const char *code, bool charge)
{
	return in_list(charge ? charge_reasons : allowance_reasons, code);
}

/* Exemption codes tied to one category by the Peppol rules (P0104-P0111)
 * or, for the directive's articles, by what they mean (exempt: E). */
static const struct { const char *code; enum vat_cat cat; } vatex_fixed[] = {
	{ "VATEX-EU-G", VAT_G }, { "VATEX-EU-O", VAT_O }, { "VATEX-EU-IC", VAT_K },
	{ "VATEX-EU-AE", VAT_AE }, { "VATEX-EU-D", VAT_E }, { "VATEX-EU-F", VAT_E },
	{ "VATEX-EU-I", VAT_E }, { "VATEX-EU-J", VAT_E },
};

static const char vatex_exempt[] =
	"VATEX-EU-79-C VATEX-EU-132 VATEX-EU-132-1A VATEX-EU-132-1B VATEX-EU-132-1C "
	"VATEX-EU-132-1D VATEX-EU-132-1E VATEX-EU-132-1F VATEX-EU-132-1G "
	"VATEX-EU-132-1H VATEX-EU-132-1I VATEX-EU-132-1J VATEX-EU-132-1K "
	"VATEX-EU-132-1L VATEX-EU-132-1M VATEX-EU-132-1N VATEX-EU-132-1O "
	"VATEX-EU-132-1P VATEX-EU-132-1Q VATEX-EU-135-1 VATEX-EU-143 VATEX-EU-143-1A "
	"VATEX-EU-143-1B VATEX-EU-143-1C VATEX-EU-143-1D VATEX-EU-143-1E "
	"VATEX-EU-143-1F VATEX-EU-143-1FA VATEX-EU-143-1G VATEX-EU-143-1H "
	"VATEX-EU-143-1I VATEX-EU-143-1J VATEX-EU-143-1K VATEX-EU-143-1L VATEX-EU-144 "
	"VATEX-EU-146-1E VATEX-EU-148 VATEX-EU-148-A VATEX-EU-148-B VATEX-EU-148-C "
	"VATEX-EU-148-D VATEX-EU-148-E VATEX-EU-148-F VATEX-EU-148-G VATEX-EU-151 "
	"VATEX-EU-151-1A VATEX-EU-151-1AA VATEX-EU-151-1B VATEX-EU-151-1C "
	"VATEX-EU-151-1D VATEX-EU-151-1E VATEX-EU-159 VATEX-EU-309";

bool
invoice_code_vatex(const char *code, enum vat_cat *category)
{
	for (size_t i = 0; i < sizeof vatex_fixed / sizeof vatex_fixed[0]; i++)
		if (strcmp(code, vatex_fixed[i].code) == 0) {
			*category = vatex_fixed[i].cat;
			return true;
		}
	if (strlen(code) <= 20 && in_list(vatex_exempt, code)) {
		*category = VAT_E;
		return true;
	}
	return false;
}

static const struct { char cc[3]; const char *eas; } vat_eas[] = {
	{ "AD", "9922" }, { "AL", "9923" }, { "AT", "9914" }, { "BA", "9924" },
	{ "BE", "9925" }, { "BG", "9926" }, { "CH", "9927" }, { "CY", "9928" },
	{ "CZ", "9929" }, { "DE", "9930" }, { "EE", "9931" }, { "ES", "9920" },
	{ "FR", "9957" }, { "GB", "9932" }, { "GR", "9933" }, { "HR", "9934" },
	{ "HU", "9910" }, { "IE", "9935" }, { "LI", "9936" }, { "LT", "9937" },
	{ "LU", "9938" }, { "LV", "9939" }, { "MC", "9940" }, { "ME", "9941" },
	{ "MK", "9942" }, { "MT", "9943" }, { "NL", "9944" }, { "PL", "9945" },
	{ "PT", "9946" }, { "RO", "9947" }, { "RS", "9948" }, { "SI", "9949" },
	{ "SK", "9950" }, { "SM", "9951" }, { "TR", "9952" }, { "VA", "9953" },
};

const char *
invoice_code_vat_eas(const char *cc)
{
	for (size_t i = 0; i < sizeof vat_eas / sizeof vat_eas[0]; i++)
		if (strcmp(cc, vat_eas[i].cc) == 0)
			return vat_eas[i].eas;
	return NULL;
}

/*
 * contract_fields.c - the contract field table and the per-field checks
 * (records/contract_fields.h).
 *
 * Owns the format of every single field: lengths, character sets, check
 * digits, dates, fixed-point quantities. The rules between fields live in
 * rules.c. Never truncates: a value that does not fit is a rejection.
 */
#include "records/contract_fields.h"
#include "core/reason.h"
#include "records/contract_rules.h"
#include "core/checkdigit.h"
#include "core/date.h"
#include "core/fixed.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum ftype {
	FT_ID, FT_REVISION, FT_STATUS, FT_NOSS, FT_KBO, FT_INSS, FT_TEXT,
	FT_DATE, FT_COUNTRY, FT_SEX, FT_WTYPE, FT_JC, FT_WCODE, FT_TIME,
	FT_PLANNED, FT_DEC2, FT_CENTS, FT_ISCO, FT_UNIT, FT_DIGIT, FT_QFIG
};

struct fspec {
	const char *name;
	unsigned char namelen;
	unsigned char type;
	unsigned char required;
	unsigned char max;          /* FT_TEXT: maximum bytes */
};

#define F(n, t, r, m) { n, sizeof(n) - 1, t, r, m }
static const struct fspec fields[CF_COUNT] = {
	[CF_CONTRACT_ID]          = F("contract_id", FT_ID, 1, CONTRACT_ID_MAX),
	[CF_REVISION]             = F("revision", FT_REVISION, 1, 0),
	[CF_STATUS]               = F("status", FT_STATUS, 1, 0),
	[CF_EMPLOYER_NOSS]        = F("employer_noss", FT_NOSS, 1, 0),
	[CF_EMPLOYER_KBO]         = F("employer_kbo", FT_KBO, 1, 0),
	[CF_EMPLOYER_UNIT_ID]     = F("employer_unit_id", FT_UNIT, 0, 0),
	[CF_WORKER_INSS]          = F("worker_inss", FT_INSS, 0, 0),
	[CF_WORKER_LAST_NAME]     = F("worker_last_name", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_WORKER_FIRST_NAME]    = F("worker_first_name", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_WORKER_BIRTH_DATE]    = F("worker_birth_date", FT_DATE, 0, 0),
	[CF_WORKER_BIRTH_PLACE]   = F("worker_birth_place", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_WORKER_BIRTH_COUNTRY] = F("worker_birth_country", FT_COUNTRY, 0, 0),
	[CF_WORKER_SEX]           = F("worker_sex", FT_SEX, 0, 0),
	[CF_WORKER_NATIONALITY]   = F("worker_nationality", FT_COUNTRY, 0, 0),
	[CF_WORKER_STREET]        = F("worker_street", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_WORKER_HOUSE_NUMBER]  = F("worker_house_number", FT_TEXT, 0, CONTRACT_SHORT_MAX),
	[CF_WORKER_POSTCODE]      = F("worker_postcode", FT_TEXT, 0, CONTRACT_SHORT_MAX),
	[CF_WORKER_MUNICIPALITY]  = F("worker_municipality", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_WORKER_COUNTRY]       = F("worker_country", FT_COUNTRY, 0, 0),
	[CF_WORKER_TYPE]          = F("worker_type", FT_WTYPE, 1, 0),
	[CF_JOINT_COMMITTEE]      = F("joint_committee", FT_JC, 1, 0),
	[CF_WORKER_CODE]          = F("worker_code", FT_WCODE, 1, 0),
	[CF_START_DATE]           = F("start_date", FT_DATE, 1, 0),
	[CF_START_TIME]           = F("start_time", FT_TIME, 0, 0),
	[CF_END_DATE]             = F("end_date", FT_DATE, 0, 0),
	[CF_END_TIME]             = F("end_time", FT_TIME, 0, 0),
	[CF_PLANNED_HOURS]        = F("planned_hours", FT_PLANNED, 0, 0),
	[CF_DAYS_WORKED]          = F("days_worked", FT_DEC2, 1, 0),
	[CF_HOURS_WORKED]         = F("hours_worked", FT_DEC2, 1, 0),
	[CF_WEEKLY_HOURS]         = F("weekly_hours", FT_DEC2, 0, 0),
	[CF_REFERENCE_WEEKLY_HOURS] = F("reference_weekly_hours", FT_DEC2, 0, 0),
	[CF_GROSS_WAGE_CENTS]     = F("gross_wage_cents", FT_CENTS, 1, 0),
	[CF_FUNCTION_CODE]        = F("function_code", FT_ISCO, 0, 0),
	[CF_PLACE_OF_WORK_NAME]   = F("place_of_work_name", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_PLACE_OF_WORK_STREET] = F("place_of_work_street", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_PLACE_OF_WORK_HOUSE_NUMBER] = F("place_of_work_house_number", FT_TEXT, 0, CONTRACT_SHORT_MAX),
	[CF_PLACE_OF_WORK_POSTCODE] = F("place_of_work_postcode", FT_TEXT, 0, CONTRACT_SHORT_MAX),
	[CF_PLACE_OF_WORK_MUNICIPALITY] = F("place_of_work_municipality", FT_TEXT, 0, CONTRACT_TEXT_MAX),
	[CF_INVOICE_ID]           = F("invoice_id", FT_ID, 0, CONTRACT_ID_MAX),
	[CF_RETIRED]              = F("retired", FT_DIGIT, 0, 1),
	[CF_REMUN_METHOD]         = F("remun_method", FT_DIGIT, 0, 3),
	[CF_LEGAL_HOLIDAY_DAYS]   = F("legal_holiday_days", FT_DEC2, 0, 0),
	[CF_LEGAL_HOLIDAY_HOURS]  = F("legal_holiday_hours", FT_DEC2, 0, 0),
	[CF_COPYRIGHT_FEES_CENTS] = F("copyright_fees_cents", FT_CENTS, 0, 0),
	[CF_EXIT_HOLIDAY_PAY_CENTS] = F("exit_holiday_pay_cents", FT_CENTS, 0, 0),
	[CF_EXIT_HOLIDAY_PAY_EXEMPT_CENTS] = F("exit_holiday_pay_exempt_cents", FT_CENTS, 0, 0),
	[CF_SPECIAL_SS_CONTRIBUTION_CENTS] = F("special_ss_contribution_cents", FT_CENTS, 0, 0),
	[CF_QUARTER_FIGURES]      = F("quarter_figures", FT_QFIG, 0, 0),
};
#undef F

/* Dimona worker types accepted for new declarations (glossary zone 00655;
 * A17, QUA, STX and TEA are closed and refused). */
static const char worker_types[][4] = {
	"ALT", "BCW", "DWD", "EXT", "FLX", "IVT", "O17", "OTH", "PMP", "RTA",
	"S17", "STG", "STU", "T17", "TRI",
};

/* Upper bounds that keep sums far from overflow and catch typos. */
#define MAX_QUANTITY   99999999          /* 999999.99 days or hours */
#define MAX_WEEKLY     16800             /* 168.00 hours in a week */
#define MAX_CENTS      999999999999LL    /* 9,999,999,999.99 euro */

const char *
contract_field_name(enum contract_field f)
{
	return (unsigned)f < CF_COUNT ? fields[f].name : "?";
}

int
contract_field_lookup(const char *name, size_t n)
{
	for (int i = 0; i < CF_COUNT; i++)
		if (fields[i].namelen == n && memcmp(fields[i].name, name, n) == 0)
			return i;
	return -1;
}

size_t
text_utf8_check(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned lo = 0x80, hi = 0xBF;     /* range of the 2nd byte */
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;             /* no overlong forms */
			else if (c == 0xED)
				hi = 0x9F;             /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;             /* nothing above U+10FFFF */
		} else
			return i;
		if (i + len > n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return i;
		i += len;
	}
	return n;
}

int
contract_id_valid(const char *p, size_t n)
{
	if (n < 1 || n > CONTRACT_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

void
contract_rejection_set_id(struct record_rejection *rej, const struct field_value *id)
{
	rej->record_id[0] = '\0';
	if (id->p != NULL && contract_id_valid(id->p, id->n)) {
		memcpy(rej->record_id, id->p, id->n);
		rej->record_id[id->n] = '\0';
	}
}

gw_rc
contract_reject(struct record_rejection *rej, const char *field, const char *fmt, ...)
{
	va_list ap;
	snprintf(rej->field, sizeof rej->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(rej->reason, sizeof rej->reason, fmt, ap);
	va_end(ap);
	return GW_EINPUT;
}

/* True when s[0..n) is exactly n digits. */
static int
is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* Copy a checked value into a NUL-terminated field of the contract. */
static void
put(char *dst, const struct field_value *v)
{
	memcpy(dst, v->p, v->n);
	dst[v->n] = '\0';
}

/* The joint committee: NNN, NNN.NN or NNN.NN.NN. */
static int
jc_valid(const char *s, size_t n)
{
	if (n != 3 && n != 6 && n != 9)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 3 || i == 6) {
			if (s[i] != '.')
				return 0;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

/* Where a field's parsed value goes; text fields return their buffer. */
static char *
text_slot(struct contract *c, enum contract_field f)
{
	switch (f) {
	case CF_WORKER_LAST_NAME: return c->worker_last_name;
	case CF_WORKER_FIRST_NAME: return c->worker_first_name;
	case CF_WORKER_BIRTH_PLACE: return c->worker_birth_place;
	case CF_WORKER_STREET: return c->worker_address.street;
	case CF_WORKER_HOUSE_NUMBER: return c->worker_address.house_number;
	case CF_WORKER_POSTCODE: return c->worker_address.postcode;
	case CF_WORKER_MUNICIPALITY: return c->worker_address.municipality;
	case CF_PLACE_OF_WORK_NAME: return c->place_of_work_name;
	case CF_PLACE_OF_WORK_STREET: return c->place_of_work.street;
	case CF_PLACE_OF_WORK_HOUSE_NUMBER: return c->place_of_work.house_number;
	case CF_PLACE_OF_WORK_POSTCODE: return c->place_of_work.postcode;
	case CF_PLACE_OF_WORK_MUNICIPALITY: return c->place_of_work.municipality;
	case CF_CONTRACT_ID: return c->contract_id;
	case CF_INVOICE_ID: return c->invoice_id;
	default: return NULL;
	}
}

/* Where a country code goes. */
static int *
int_slot(struct contract *c, enum contract_field f)
{
	switch (f) {
	case CF_WORKER_BIRTH_COUNTRY: return &c->worker_birth_country;
	case CF_WORKER_NATIONALITY: return &c->worker_nationality;
	case CF_WORKER_COUNTRY: return &c->worker_address.country;
	default: return NULL;
	}
}

/* Where a fixed-point quantity goes. */
static int64_t *
fixed_slot(struct contract *c, enum contract_field f)
{
	switch (f) {
	case CF_DAYS_WORKED: return &c->days_worked;
	case CF_HOURS_WORKED: return &c->hours_worked;
	case CF_WEEKLY_HOURS: return &c->weekly_hours;
	case CF_REFERENCE_WEEKLY_HOURS: return &c->reference_weekly_hours;
	case CF_LEGAL_HOLIDAY_DAYS: return &c->legal_holiday_days;
	case CF_LEGAL_HOLIDAY_HOURS: return &c->legal_holiday_hours;
	case CF_GROSS_WAGE_CENTS: return &c->gross_wage_cents;
	case CF_COPYRIGHT_FEES_CENTS: return &c->copyright_fees_cents;
	case CF_EXIT_HOLIDAY_PAY_CENTS: return &c->exit_holiday_pay_cents;
	case CF_EXIT_HOLIDAY_PAY_EXEMPT_CENTS: return &c->exit_holiday_pay_exempt_cents;
	case CF_SPECIAL_SS_CONTRIBUTION_CENTS: return &c->special_ss_contribution_cents;
	default: return NULL;
	}
}

/* quarter_figures: "YYYYQn=DAYS/HOURS/CENTS" entries separated by one
 * space, quarters strictly increasing (checked against the period in
 * contract_rules.c). */
static gw_rc
qfig_parse(const char *s, size_t n, struct contract *c, struct record_rejection *rej)
{
	const char *name = contract_field_name(CF_QUARTER_FIGURES);
	size_t i = 0;
	char why[80];
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != ' ')
			e++;
		int k = c->nquarter_figures;
		if (k == CONTRACT_QFIG_MAX)
			return contract_reject(rej, name, "more than %d quarters", CONTRACT_QFIG_MAX);
		struct contract_quarter_figures *q = &c->quarter_figures[k];
		const char *p = s + i, *end = s + e;
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (!eq || eq - p != 6 || !is_digits(p, 4) || (p[4] != 'Q' && p[4] != 'q') ||
		    p[5] < '1' || p[5] > '4')
			return contract_reject(rej, name, "entry %d: must be YYYYQn=DAYS/HOURS/CENTS, "
			    "e.g. 2026Q3=11.00/83.60/150000", k + 1);
		q->quarter = ((p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0')) * 10 +
		    (p[5] - '0');
		if (k > 0 && q->quarter <= c->quarter_figures[k - 1].quarter)
			return contract_reject(rej, name, "entry %d: quarters must be in increasing order", k + 1);
		const char *a = eq + 1;
		const char *s1 = memchr(a, '/', (size_t)(end - a));
		const char *s2 = s1 ? memchr(s1 + 1, '/', (size_t)(end - s1 - 1)) : NULL;
		if (!s2 ||
		    fixed_parse(a, (size_t)(s1 - a), 2, MAX_QUANTITY, &q->days, why, sizeof why) != GW_OK ||
		    fixed_parse(s1 + 1, (size_t)(s2 - s1 - 1), 2, MAX_QUANTITY, &q->hours, why, sizeof why) != GW_OK ||
		    fixed_parse(s2 + 1, (size_t)(end - s2 - 1), 0, MAX_CENTS, &q->cents, why, sizeof why) != GW_OK)
			return contract_reject(rej, name, "entry %d: days and hours with up to 2 decimals, "
			    "pay in whole cents, e.g. 2026Q3=11.00/83.60/150000", k + 1);
		c->nquarter_figures = k + 1;
		i = e + 1;
		if (e + 1 == n)
			return contract_reject(rej, name, "ends with a space");
	}
	return GW_OK;
}

/* The arguments every field parser takes. */
#define FIELD_ARGS enum contract_field f, const struct fspec *fs, const struct field_value *v, \
                   struct contract *c, struct record_rejection *rej

/* Ids and free text: a length bound, ids a safe alphabet. shown is the
 * id escaped for the rejection (the operator's only handle on it). */
static gw_rc
parse_text(FIELD_ARGS, const char *shown)
{
	size_t n = v->n;
	if (fs->type == FT_ID) {
		if (n > fs->max)
			return contract_reject(rej, fs->name, "\"%s\": %zu bytes, at most %d", shown, n, fs->max);
		if (!contract_id_valid(v->p, n))
			return contract_reject(rej, fs->name, "\"%s\": only A-Z a-z 0-9 . _ - are allowed", shown);
	} else if (n > fs->max) {
		return contract_reject(rej, fs->name, "%zu bytes, at most %d", n, fs->max);
	}
	put(text_slot(c, f), v);
	return GW_OK;
}

/* Identity numbers with their check digits: NOSS, KBO, INSS, unit. */
static gw_rc
parse_identity(FIELD_ARGS)
{
	char buf[16], why[160];
	size_t n = v->n;
	if (n >= sizeof buf)
		return contract_reject(rej, fs->name, "%zu characters, too long", n);
	memcpy(buf, v->p, n);
	buf[n] = '\0';
	switch (fs->type) {
	case FT_NOSS:
		if (!check_noss(buf, why, sizeof why))
			return contract_reject(rej, fs->name, "%s", why);
		put(c->employer_noss, v);
		return GW_OK;
	case FT_KBO:
		if (!check_kbo(buf, why, sizeof why))
			return contract_reject(rej, fs->name, "%s", why);
		put(c->employer_kbo, v);
		return GW_OK;
	case FT_INSS:
		if (!check_inss(buf, why, sizeof why))
			return contract_reject(rej, fs->name, "%s", why);
		put(c->worker_inss, v);
		return GW_OK;
	default:        /* FT_UNIT */
		if (!check_unit_id(buf, why, sizeof why))
			return contract_reject(rej, fs->name, "establishment unit number: %s", why);
		put(c->employer_unit_id, v);
		return GW_OK;
	}
}

/* Dates and times of day. */
static gw_rc
parse_when(FIELD_ARGS)
{
	char why[160];
	if (fs->type == FT_DATE) {
		gw_ymd d;
		if (date_parse(v->p, v->n, &d, why, sizeof why) != GW_OK)
			return contract_reject(rej, fs->name, "%s", why);
		*(f == CF_START_DATE ? &c->start_date : f == CF_END_DATE ? &c->end_date
		    : &c->worker_birth_date) = d;
		return GW_OK;
	}
	gw_hm t;
	if (time_parse_hm(v->p, v->n, &t, why, sizeof why) != GW_OK)
		return contract_reject(rej, fs->name, "%s", why);
	*(f == CF_START_TIME ? &c->start_time : &c->end_time) = t;
	return GW_OK;
}

/* A worker type of the Dimona's list. */
static gw_rc
parse_worker_type(FIELD_ARGS)
{
	for (size_t i = 0; v->n == 3 && i < sizeof worker_types / sizeof worker_types[0]; i++)
		if (memcmp(worker_types[i], v->p, 3) == 0) {
			put(c->worker_type, v);
			return GW_OK;
		}
	return contract_reject(rej, fs->name, "not a Dimona worker type");
}

/* Codes: status, country, sex, joint committee, worker code, ISCO, the
 * one-digit flags. */
static gw_rc
parse_code(FIELD_ARGS)
{
	const char *s = v->p;
	size_t n = v->n;
	switch (fs->type) {
	case FT_STATUS:
		if (n == 6 && memcmp(s, "active", 6) == 0)
			c->status = CONTRACT_ACTIVE;
		else if (n == 9 && memcmp(s, "cancelled", 9) == 0)
			c->status = CONTRACT_CANCELLED;
		else
			return contract_reject(rej, fs->name, "must be active or cancelled");
		return GW_OK;
	case FT_COUNTRY:
		if (n != 3 || !is_digits(s, 3) || s[0] == '0')
			return contract_reject(rej, fs->name, "must be a 3-digit ONSS country code");
		*int_slot(c, f) = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		return GW_OK;
	case FT_SEX:
		if (n != 1 || (s[0] != '1' && s[0] != '2'))
			return contract_reject(rej, fs->name, "must be 1 (male) or 2 (female)");
		c->worker_sex = s[0] - '0';
		return GW_OK;
	case FT_JC:
		if (!jc_valid(s, n))
			return contract_reject(rej, fs->name, "must be NNN, NNN.NN or NNN.NN.NN");
		put(c->joint_committee, v);
		return GW_OK;
	case FT_WCODE:
	case FT_ISCO:
		if (fs->type == FT_WCODE ? n != 3 || !is_digits(s, 3) : n > 4 || !is_digits(s, n))
			return contract_reject(rej, fs->name, fs->type == FT_WCODE ? "must be 3 digits"
			    : "must be an ISCO-08 code of 1 to 4 digits");
		put(fs->type == FT_WCODE ? c->worker_code : c->function_code, v);
		return GW_OK;
	default:        /* FT_DIGIT: one digit from 0 (retired) or 1 up to max */
		if (n != 1 || s[0] < (f == CF_RETIRED ? '0' : '1') || s[0] > '0' + fs->max)
			return contract_reject(rej, fs->name, "must be %s", f == CF_RETIRED ? "0 or 1" :
			    "1 (task or piece work), 2 (commission) or 3 (service vouchers)");
		*(f == CF_RETIRED ? &c->retired : &c->remun_method) = s[0] - '0';
		return GW_OK;
	}
}

/* Numbers: revision, planned hours, quantities with two decimals, cents. */
static gw_rc
parse_number(FIELD_ARGS)
{
	const char *s = v->p;
	size_t n = v->n;
	char why[160];
	int64_t x;
	switch (fs->type) {
	case FT_REVISION:
		if (fixed_parse(s, n, 0, UINT32_MAX, &x, why, sizeof why) != GW_OK || x < 1)
			return contract_reject(rej, fs->name, "must be a whole number >= 1");
		c->revision = (uint32_t)x;
		return GW_OK;
	case FT_PLANNED:
		if (n > 3 || !is_digits(s, n) || fixed_parse(s, n, 0, 999, &x, NULL, 0) != GW_OK ||
		    x < 1)
			return contract_reject(rej, fs->name, "must be a whole number from 1 to 999");
		c->planned_hours = (int)x;
		return GW_OK;
	case FT_DEC2: {
		int64_t max = (f == CF_WEEKLY_HOURS || f == CF_REFERENCE_WEEKLY_HOURS)
		    ? MAX_WEEKLY : MAX_QUANTITY;
		if (fixed_parse(s, n, 2, max, &x, why, sizeof why) != GW_OK) {
			if (strcmp(why, "too large") == 0)
				return contract_reject(rej, fs->name, "too large (at most %s)",
				    max == MAX_WEEKLY ? "168.00" : "999999.99");
			return contract_reject(rej, fs->name, "%s", why);
		}
		*fixed_slot(c, f) = x;
		return GW_OK;
	}
	default:        /* FT_CENTS */
		if (fixed_parse(s, n, 0, MAX_CENTS, &x, why, sizeof why) != GW_OK) {
			if (n > 0 && s[0] == '-')
				return contract_reject(rej, fs->name, "must not be negative");
			if (strcmp(why, "too large") == 0)
				return contract_reject(rej, fs->name, "too large");
			return contract_reject(rej, fs->name, "must be a whole number of cents");
		}
		*fixed_slot(c, f) = x;
		return GW_OK;
	}
}

/* Check one present value and store it in *c: the text checks every field
 * shares first (they name it precisely), then its type's parser. */
static gw_rc
field_parse(enum contract_field f, const struct field_value *v, struct contract *c,
            struct record_rejection *rej)
{
	const struct fspec *fs = &fields[f];
	const char *s = v->p;
	size_t n = v->n;

	/* A bad id is the operator's only handle on the record: show it,
	 * escaped and cut, in every rejection of it. */
	char shown[80] = "";
	const char *q = "";
	if (fs->type == FT_ID && (n > fs->max || !contract_id_valid(s, n))) {
		reason_escape(s, n, "\"", 40, shown, sizeof shown);
		q = "\"";
	}
	if (text_utf8_check(s, n) != n)
		return contract_reject(rej, fs->name, "%s%s%s%sinvalid UTF-8", q, shown, q, *q ? ": " : "");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return contract_reject(rej, fs->name, "%s%s%s%scontrol character", q, shown, q,
			    *q ? ": " : "");

	switch ((enum ftype)fs->type) {
	case FT_ID: case FT_TEXT:
		return parse_text(f, fs, v, c, rej, shown);
	case FT_NOSS: case FT_KBO: case FT_INSS: case FT_UNIT:
		return parse_identity(f, fs, v, c, rej);
	case FT_DATE: case FT_TIME:
		return parse_when(f, fs, v, c, rej);
	case FT_WTYPE:
		return parse_worker_type(f, fs, v, c, rej);
	case FT_STATUS: case FT_COUNTRY: case FT_SEX: case FT_JC: case FT_WCODE: case FT_ISCO:
	case FT_DIGIT:
		return parse_code(f, fs, v, c, rej);
	case FT_REVISION: case FT_PLANNED: case FT_DEC2: case FT_CENTS:
		return parse_number(f, fs, v, c, rej);
	case FT_QFIG:
		return qfig_parse(s, n, c, rej);
	}
	return contract_reject(rej, fs->name, "internal: unknown field type");
}

gw_rc
contract_build(const struct field_value v[CF_COUNT], struct contract *c,
               struct record_rejection *rej)
{
	memset(c, 0, sizeof *c);
	c->start_time = -1;
	c->end_time = -1;
	contract_rejection_set_id(rej, &v[CF_CONTRACT_ID]);
	for (int f = 0; f < CF_COUNT; f++) {
		if (v[f].n == 0) {
			if (fields[f].required)
				return contract_reject(rej, fields[f].name, "required");
			continue;
		}
		gw_rc rc = field_parse((enum contract_field)f, &v[f], c, rej);
		if (rc != GW_OK)
			return rc;
	}
	return contract_rules_check(c, v, rej);
}

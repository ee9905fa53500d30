/*
 * date.c - calendar dates and times of day (core/date.h).
 *
 * Owns the Gregorian arithmetic used by records, Dimona and DmfA (quarters,
 * day counts) and the Belgian public holidays. Never reads the clock
 * (core/clock.c does) nor the local time zone.
 */
#include "core/date.h"
#include "core/reason.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
date_days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && date_is_leap(y) ? 29 : dim[m - 1];
}

bool
date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= date_days_in_month(y, m);
}

bool
date_ymd_valid(gw_ymd d)
{
	return d > 0 && date_valid(DATE_YEAR(d), DATE_MONTH(d), DATE_DAY(d));
}

gw_ymd
date_make(int y, int m, int d)
{
	return date_valid(y, m, d) ? (gw_ymd)(y * 10000 + m * 100 + d) : 0;
}

int
date_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

gw_rc
date_parse(const char *s, size_t len, gw_ymd *out, char *why, size_t whycap)
{
	if (len == SIZE_MAX)
		len = strlen(s);
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return reason_set(why, whycap, "must be YYYY-MM-DD");
	int y = date_digits(s, 4), m = date_digits(s + 5, 2), d = date_digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return reason_set(why, whycap, "must be YYYY-MM-DD");
	if (y < 1)
		return reason_set(why, whycap, "year 0000 does not exist");
	if (m < 1 || m > 12)
		return reason_set(why, whycap, "month %02d does not exist", m);
	if (d < 1 || d > date_days_in_month(y, m))
		return reason_set(why, whycap, "%04d-%02d has no day %02d", y, m, d);
	*out = (gw_ymd)(y * 10000 + m * 100 + d);
	return GW_OK;
}

void
date_format(gw_ymd d, char *buf, size_t cap)
{
	if (d == 0)
		snprintf(buf, cap, "%s", "");
	else
		snprintf(buf, cap, "%04d-%02d-%02d", DATE_YEAR(d), DATE_MONTH(d), DATE_DAY(d));
}

int64_t
date_to_days(gw_ymd d)
{
	/* Days from civil (era-based, exact for the whole proleptic calendar). */
	int64_t y = DATE_YEAR(d), m = DATE_MONTH(d), dd = DATE_DAY(d);
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

gw_ymd
date_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	if (y < 1 || y > 9999)
		return 0;
	return (gw_ymd)(y * 10000 + m * 100 + d);
}

gw_ymd
date_add_days(gw_ymd d, int64_t n)
{
	return date_from_days(date_to_days(d) + n);
}

int64_t
date_diff_days(gw_ymd a, gw_ymd b)
{
	return date_to_days(b) - date_to_days(a);
}

int
date_weekday(gw_ymd d)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (date_to_days(d) + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

int
date_quarter(gw_ymd d)
{
	return (DATE_MONTH(d) - 1) / 3 + 1;
}

gw_ymd
date_quarter_first(int y, int q)
{
	return q < 1 || q > 4 ? 0 : date_make(y, (q - 1) * 3 + 1, 1);
}

gw_ymd
date_quarter_last(int y, int q)
{
	if (q < 1 || q > 4)
		return 0;
	return date_make(y, q * 3, date_days_in_month(y, q * 3));
}

/* Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher). */
gw_ymd
date_easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return date_make(y, month, day);
}

bool
date_is_be_holiday(gw_ymd d)
{
	static const int fixed[] = { 101, 501, 721, 815, 1101, 1111, 1225 };
	int md = d % 10000;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (md == fixed[i])
			return true;
	int64_t after_easter = date_diff_days(date_easter(DATE_YEAR(d)), d);
	/* Easter Monday, Ascension Thursday, Whit Monday. */
	return after_easter == 1 || after_easter == 39 || after_easter == 50;
}

gw_ymd
date_next_be_working_day(gw_ymd d)
{
	gw_ymd n = date_add_days(d, 1);
	while (date_weekday(n) > 5 || date_is_be_holiday(n))
		n = date_add_days(n, 1);
	return n;
}

gw_rc
time_parse_hm(const char *s, size_t len, gw_hm *out, char *why, size_t whycap)
{
	if (len == SIZE_MAX)
		len = strlen(s);
	if (len != 5 || s[2] != ':')
		return reason_set(why, whycap, "must be HH:MM");
	int h = date_digits(s, 2), m = date_digits(s + 3, 2);
	if (h < 0 || m < 0)
		return reason_set(why, whycap, "must be HH:MM");
	if (h > 23)
		return reason_set(why, whycap, "hour %02d does not exist", h);
	if (m > 59)
		return reason_set(why, whycap, "minute %02d does not exist", m);
	*out = (gw_hm)(h * 60 + m);
	return GW_OK;
}

void
time_format_hm(gw_hm t, char *buf, size_t cap)
{
	if (t < 0)
		snprintf(buf, cap, "%s", "");
	else
		snprintf(buf, cap, "%02d:%02d", t / 60, t % 60);
}

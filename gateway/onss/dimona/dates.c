/*
 * dates.c - calendar arithmetic on gw_ymd (see dates.h).
 *
 * Owns nothing. Uses the days-from-civil algorithm so that no libc time
 * zone state is involved.
 */
#include "onss/dimona/dates.h"

#include <time.h>

/* Whether d is a real calendar day. */
bool
ymd_valid(gw_ymd d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = d / 10000, m = d / 100 % 100, day = d % 100;
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || day < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return day <= max;
}

/* Days since 1970-01-01 of a valid date. */
long
ymd_to_days(gw_ymd d)
{
	long y = d / 10000, m = d / 100 % 100, day = d % 100;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date days after 1970-01-01. */
gw_ymd
ymd_from_days(long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	return (gw_ymd)(y * 10000 + m * 100 + d);
}

gw_ymd
ymd_add_days(gw_ymd d, long n)
{
	return ymd_from_days(ymd_to_days(d) + n);
}

/* ISO weekday: 1970-01-01 was a Thursday (4). */
int
ymd_weekday(gw_ymd d)
{
	long z = ymd_to_days(d);
	long w = ((z % 7) + 7 + 3) % 7;   /* 0 = Monday */
	return (int)w + 1;
}

int
ymd_quarter(gw_ymd d)
{
	return d / 10000 * 10 + (d / 100 % 100 - 1) / 3 + 1;
}

gw_ymd
ymd_next_working_day(gw_ymd d)
{
	gw_ymd n = ymd_add_days(d, 1);
	while (ymd_weekday(n) > 5)
		n = ymd_add_days(n, 1);
	return n;
}

void
ymd_now(gw_ymd *today, int *minutes)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	*today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	*minutes = tm.tm_hour * 60 + tm.tm_min;
}

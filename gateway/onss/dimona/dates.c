/*
 * dates.c - the Dimona rules' view of the calendar (see dates.h).
 *
 * Owns nothing: the arithmetic is core/date.c's; this file only adds what
 * the Dimona rules mean by a date (no year before 1900), by a working day,
 * and by "now" (date and minutes, for the deadline checks).
 */
#include "onss/dimona/dates.h"
#include "core/date.h"

#include <time.h>

/* Whether d is a real calendar day the ONSS can take (1900 onwards). */
bool
ymd_valid(gw_ymd d)
{
	return d / 10000 >= 1900 && date_ymd_valid(d);
}

long ymd_to_days(gw_ymd d) { return (long)date_to_days(d); }
gw_ymd ymd_from_days(long z) { return date_from_days(z); }
gw_ymd ymd_add_days(gw_ymd d, long n) { return date_add_days(d, n); }
int ymd_weekday(gw_ymd d) { return date_weekday(d); }

/* The quarter as the DmfA and the Dimona same-quarter rule name it: YYYYQ. */
int
ymd_quarter(gw_ymd d)
{
	return d / 10000 * 10 + date_quarter(d);
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

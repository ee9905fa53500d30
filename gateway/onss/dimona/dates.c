/*
 * dates.c - the Dimona rules' view of the calendar (see dates.h).
 *
 * Owns nothing: the arithmetic is core/date.c's; this file only adds what
 * the Dimona rules mean by a date (no year before 1900) and by a working
 * day. "Now" comes from core/clock.h, in Brussels time.
 */
#include "onss/dimona/dates.h"
#include "core/date.h"


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

/* The OUT deadline's working day: weekends and Belgian public holidays
 * are not working days. */
gw_ymd
ymd_next_working_day(gw_ymd d)
{
	return date_next_be_working_day(d);
}

/*
 * dates.h - calendar arithmetic on gw_ymd for the Dimona rules.
 *
 * Proleptic Gregorian, no time zones: Dimona dates are Belgian calendar
 * days. Pure functions, no allocation.
 */
#ifndef GW_ONSS_DIMONA_DATES_H
#define GW_ONSS_DIMONA_DATES_H

#include <stdbool.h>
#include "records/contract.h"

bool ymd_valid(gw_ymd d);
long ymd_to_days(gw_ymd d);            /* days since 1970-01-01 */
gw_ymd ymd_from_days(long days);
gw_ymd ymd_add_days(gw_ymd d, long n);
int ymd_weekday(gw_ymd d);             /* 1 Monday .. 7 Sunday */
int ymd_quarter(gw_ymd d);             /* YYYYQ, e.g. 20261 */
/* The first Belgian working day (Monday-Friday, not a public holiday)
 * strictly after d. */
gw_ymd ymd_next_working_day(gw_ymd d);

#endif

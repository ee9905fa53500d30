/*
 * date.h - calendar dates (gw_ymd, YYYYMMDD as an integer) and times of
 * day (gw_hm, minutes since midnight): strict parsing, validation and
 * arithmetic in the proleptic Gregorian calendar.
 *
 * Pure functions, no time zones, no locale, no allocation. A gw_ymd of 0
 * means "absent"; a gw_hm of -1 means "absent".
 */
#ifndef GW_CORE_DATE_H
#define GW_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/* A calendar date as YYYYMMDD (20260301); 0 when absent. */
typedef int32_t gw_ymd;
/* A time of day in minutes since midnight; -1 when absent. */
typedef int16_t gw_hm;

#define DATE_YEAR(d)  ((int)((d) / 10000))
#define DATE_MONTH(d) ((int)((d) / 100 % 100))
#define DATE_DAY(d)   ((int)((d) % 100))

bool date_is_leap(int year);
/* Days in a month (1..12) of a year; 0 for a month out of range. */
int date_days_in_month(int year, int month);
/* True when year 1..9999, month and day form a real date. */
bool date_valid(int year, int month, int day);
/* True when d is a real date in YYYYMMDD form. */
bool date_ymd_valid(gw_ymd d);
/* YYYYMMDD from parts; 0 when they are not a real date. */
gw_ymd date_make(int year, int month, int day);

/* Value of n ASCII digits at s; -1 when one is not a digit. */
int date_digits(const char *s, int n);

/* Parse exactly "YYYY-MM-DD" (len bytes, or SIZE_MAX for NUL-terminated);
 * on failure why says what is wrong ("month 13 does not exist"). */
gw_rc date_parse(const char *s, size_t len, gw_ymd *out, char *why, size_t whycap);
/* "YYYY-MM-DD" into buf (at least 11 bytes); "" for 0. */
void date_format(gw_ymd d, char *buf, size_t cap);

/* Days since 1970-01-01 (negative before), and back. */
int64_t date_to_days(gw_ymd d);
gw_ymd date_from_days(int64_t days);
gw_ymd date_add_days(gw_ymd d, int64_t n);
/* b - a in days. */
int64_t date_diff_days(gw_ymd a, gw_ymd b);
/* ISO weekday: 1 Monday .. 7 Sunday. */
int date_weekday(gw_ymd d);
/* Calendar quarter 1..4, and the first and last day of that quarter. */
int date_quarter(gw_ymd d);
gw_ymd date_quarter_first(int year, int quarter);
gw_ymd date_quarter_last(int year, int quarter);
/* Easter Sunday of a Gregorian year (1583..9999). */
gw_ymd date_easter(int year);
/* True on a Belgian public holiday: 1 Jan, Easter Monday, 1 May, Ascension,
 * Whit Monday, 21 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec. */
bool date_is_be_holiday(gw_ymd d);
/* The first Belgian working day (Monday-Friday, not a public holiday)
 * strictly after d. */
gw_ymd date_next_be_working_day(gw_ymd d);

/* Parse exactly "HH:MM" (00:00 .. 23:59). */
gw_rc time_parse_hm(const char *s, size_t len, gw_hm *out, char *why, size_t whycap);
/* "HH:MM" into buf (at least 6 bytes); "" for -1. */
void time_format_hm(gw_hm t, char *buf, size_t cap);

#endif

/*
 * clock.h - the one source of "now" for the whole program.
 *
 * Every part of the gateway and of the simulators that needs the current
 * moment asks here; no other file reads the system clock (.ci/lint.sh
 * refuses time(), gettimeofday() and CLOCK_REALTIME elsewhere). Moments are
 * unix milliseconds in UTC, and stored timestamps stay UTC.
 *
 * Pinning. GATEWAY_NOW=2026-03-01T08:00:00+01:00 (ISO 8601 with Z or a
 * +hh:mm offset) makes that the moment the clock reads; it then runs on at
 * real speed. GATEWAY_NOW_FROM=<unix seconds> says at which real moment
 * GATEWAY_NOW held; without it, the pinned moment is the process start.
 * The test runner exports both once, so the gateway and every simulator it
 * starts read one and the same clock. A bad value is refused at start.
 *
 * Belgian time. Legal deadlines are Europe/Brussels wall time whatever the
 * machine's TZ: clock_brussels() applies CET/CEST by the EU rule (summer
 * time from the last Sunday of March 01:00 UTC to the last Sunday of
 * October 01:00 UTC, the rule in force since 1996) without tzdata.
 */
#ifndef GW_CORE_CLOCK_H
#define GW_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/date.h"
#include "core/err.h"

/* A moment as a wall clock shows it in one place. */
struct clock_wall {
	gw_ymd day;            /* YYYYMMDD */
	int minutes;           /* since local midnight, 0..1439 */
	int second;            /* 0..59 */
	int millis;            /* 0..999 */
	int offset_min;        /* local - UTC, in minutes (0, 60 or 120) */
};

/* Reads GATEWAY_NOW / GATEWAY_NOW_FROM (again, when called again); GW_EINPUT
 * with the reason in why when either is malformed. main() calls it before
 * any thread starts; without it the first reading of the clock reads them,
 * and a bad value aborts rather than run on the real date while the
 * operator asked for another one. */
gw_rc clock_init(char *why, size_t whycap);

/* The current moment, unix milliseconds and seconds (UTC). */
int64_t clock_now_ms(void);
int64_t clock_now_s(void);
/* Milliseconds from an arbitrary origin that never jumps: for timeouts and
 * measured durations, never for dates. */
int64_t clock_monotonic_ms(void);

/* Tests: pin the clock to at_ms; frozen keeps it there, otherwise it runs
 * on from the call. clock_unpin() returns to the environment's reading. */
void clock_pin(int64_t at_ms, bool frozen);
void clock_unpin(void);

/* A moment as the wall clock shows it in UTC, and in Brussels. */
void clock_utc(int64_t ms, struct clock_wall *out);
void clock_brussels(int64_t ms, struct clock_wall *out);
/* Brussels' offset from UTC at a moment: 60 (CET) or 120 (CEST). */
int clock_brussels_offset_min(int64_t ms);
/* The moment a Brussels wall time happens. A time skipped in spring counts
 * as an hour later (02:30 -> 03:30 CEST); one that happens twice in autumn
 * is its first occurrence, the earlier deadline. */
int64_t clock_brussels_to_ms(gw_ymd day, int minutes);

/* Today and the minutes since midnight in Brussels, now. */
void clock_brussels_now(gw_ymd *today, int *minutes);
gw_ymd clock_brussels_today(void);

/* Parse "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by Z or +hh:mm / -hh:mm. */
gw_rc clock_parse_iso(const char *s, int64_t *out_ms, char *why, size_t whycap);
/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf, at least 21 bytes. */
void clock_format_utc(int64_t ms, char *buf, size_t cap);

#endif

/*
 * clock.c - the one source of "now" (core/clock.h).
 *
 * Owns the only reads of the system clock, the pinned offset and the
 * Brussels wall-clock rule. Never consults TZ, tzdata or the locale, so
 * every machine and every process computes the same Belgian deadlines.
 */
#include "core/clock.h"
#include "core/reason.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The reading is real + offset_ms, or frozen_ms while frozen. */
static pthread_mutex_t clk_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool env_read;
	gw_rc env_rc;
	char env_why[160];
	int64_t env_offset_ms;
	/* Atomic: a simulator moves its clock from a request thread while
	 * others read it. */
	_Atomic bool test_pinned, test_frozen;
	_Atomic int64_t test_offset_ms, test_frozen_ms;
} clk;

static int64_t
real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
read_env(void)
{
	const char *now = getenv("GATEWAY_NOW"), *from = getenv("GATEWAY_NOW_FROM");
	int64_t pinned, since = real_ms();
	char why[120];

	clk.env_rc = GW_OK;
	clk.env_offset_ms = 0;
	if (now == NULL || *now == '\0') {
		if (from != NULL && *from != '\0') {
			clk.env_rc = reason_set(clk.env_why, sizeof clk.env_why,
			    "GATEWAY_NOW_FROM is set without GATEWAY_NOW");
		}
		return;
	}
	if (clock_parse_iso(now, &pinned, why, sizeof why) != GW_OK) {
		clk.env_rc = reason_set(clk.env_why, sizeof clk.env_why, "GATEWAY_NOW=\"%.40s\": %s", now, why);
		return;
	}
	if (from != NULL && *from != '\0') {
		char *end;
		long long s = strtoll(from, &end, 10);
		if (*end != '\0' || s < 0 || s > 253402300799LL) {
			clk.env_rc = reason_set(clk.env_why, sizeof clk.env_why,
			    "GATEWAY_NOW_FROM=\"%.40s\": must be unix seconds", from);
			return;
		}
		since = (int64_t)s * 1000;
	}
	clk.env_offset_ms = pinned - since;
}

gw_rc
clock_init(char *why, size_t whycap)
{
	pthread_mutex_lock(&clk_mu);
	read_env();
	clk.env_read = true;
	gw_rc rc = clk.env_rc;
	if (rc != GW_OK && why != NULL)
		snprintf(why, whycap, "%s", clk.env_why);
	pthread_mutex_unlock(&clk_mu);
	return rc;
}

/* The environment's reading, taken once unless clock_init() is called again. */
static gw_rc
env_once(void)
{
	pthread_mutex_lock(&clk_mu);
	if (!clk.env_read) {
		read_env();
		clk.env_read = true;
	}
	gw_rc rc = clk.env_rc;
	pthread_mutex_unlock(&clk_mu);
	return rc;
}

int64_t
clock_now_ms(void)
{
	if (clk.test_pinned)
		return clk.test_frozen ? clk.test_frozen_ms : real_ms() + clk.test_offset_ms;
	if (env_once() != GW_OK) {
		/* Running on the real date when another was asked for would
		 * declare on the wrong day: stop instead. */
		fprintf(stderr, "clock: %s\n", clk.env_why);
		abort();
	}
	return real_ms() + clk.env_offset_ms;
}

int64_t
clock_now_s(void)
{
	int64_t ms = clock_now_ms();
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void
clock_pin(int64_t at_ms, bool frozen)
{
	clk.test_frozen = frozen;
	clk.test_frozen_ms = at_ms;
	clk.test_offset_ms = at_ms - real_ms();
	clk.test_pinned = true;
}

void
clock_unpin(void)
{
	clk.test_pinned = false;
}

/* Floor division, so that moments before 1970 split into day and time. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void
wall_at(int64_t ms, int offset_min, struct clock_wall *out)
{
	int64_t local = ms + (int64_t)offset_min * 60000;
	int64_t day = floor_div(local, 86400000);
	int64_t in_day = local - day * 86400000;
	out->day = date_from_days(day);
	out->minutes = (int)(in_day / 60000);
	out->second = (int)(in_day / 1000 % 60);
	out->millis = (int)(in_day % 1000);
	out->offset_min = offset_min;
}

void
clock_utc(int64_t ms, struct clock_wall *out)
{
	wall_at(ms, 0, out);
}

/* The last Sunday of a month, 01:00 UTC, as unix ms: the EU switch moment. */
static int64_t
eu_switch_ms(int year, int month)
{
	gw_ymd last = date_make(year, month, date_days_in_month(year, month));
	int back = date_weekday(last) % 7;          /* Sunday (7) -> 0 */
	return (date_to_days(last) - back) * 86400000 + 3600000;
}

int
clock_brussels_offset_min(int64_t ms)
{
	struct clock_wall u;
	clock_utc(ms, &u);
	int y = DATE_YEAR(u.day);
	return ms >= eu_switch_ms(y, 3) && ms < eu_switch_ms(y, 10) ? 120 : 60;
}

void
clock_brussels(int64_t ms, struct clock_wall *out)
{
	wall_at(ms, clock_brussels_offset_min(ms), out);
}

int64_t
clock_brussels_to_ms(gw_ymd day, int minutes)
{
	int64_t wall = date_to_days(day) * 86400000 + (int64_t)minutes * 60000;
	int64_t summer = wall - 120 * 60000, winter = wall - 60 * 60000;
	if (clock_brussels_offset_min(summer) == 120)
		return summer;               /* also the first of two in autumn */
	return winter;                   /* winter time, or skipped in spring */
}

void
clock_brussels_now(gw_ymd *today, int *minutes)
{
	struct clock_wall w;
	clock_brussels(clock_now_ms(), &w);
	*today = w.day;
	if (minutes != NULL)
		*minutes = w.minutes;
}

gw_ymd
clock_brussels_today(void)
{
	gw_ymd d;
	clock_brussels_now(&d, NULL);
	return d;
}

gw_rc
clock_parse_iso(const char *s, int64_t *out_ms, char *why, size_t whycap)
{
	gw_ymd day;
	char dwhy[80];
	size_t len = strlen(s), i = 16;
	int sec = 0, ms = 0;

	if (len < 17 || s[10] != 'T' || s[13] != ':')
		return reason_set(why, whycap, "must be YYYY-MM-DDTHH:MM[:SS] with Z or +hh:mm");
	if (date_parse(s, 10, &day, dwhy, sizeof dwhy) != GW_OK)
		return reason_set(why, whycap, "%s", dwhy);
	int h = date_digits(s + 11, 2), m = date_digits(s + 14, 2);
	if (h < 0 || m < 0 || h > 23 || m > 59)
		return reason_set(why, whycap, "the time of day must be HH:MM, 00:00 to 23:59");
	if (s[i] == ':') {
		if ((sec = date_digits(s + i + 1, 2)) < 0 || sec > 59)
			return reason_set(why, whycap, "seconds must be 00 to 59");
		i += 3;
		if (s[i] == '.') {
			int n = 0;
			for (i++; s[i] >= '0' && s[i] <= '9'; i++, n++)
				if (n < 3)
					ms = ms * 10 + (s[i] - '0');
			if (n == 0)
				return reason_set(why, whycap, "a fraction of a second needs digits");
			for (; n < 3; n++)
				ms *= 10;
		}
	}
	int off = 0;
	if (strcmp(s + i, "Z") == 0) {
		off = 0;
	} else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) == 6 && s[i + 3] == ':') {
		int oh = date_digits(s + i + 1, 2), om = date_digits(s + i + 4, 2);
		if (oh < 0 || om < 0 || oh > 14 || om > 59)
			return reason_set(why, whycap, "the UTC offset must be +hh:mm");
		off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
	} else {
		return reason_set(why, whycap, "must end with Z or a UTC offset such as +01:00");
	}
	*out_ms = date_to_days(day) * 86400000 + ((int64_t)(h * 60 + m - off) * 60 + sec) * 1000 + ms;
	return GW_OK;
}

void
clock_format_utc(int64_t ms, char *buf, size_t cap)
{
	struct clock_wall w;
	char d[11];
	clock_utc(ms, &w);
	date_format(w.day, d, sizeof d);
	snprintf(buf, cap, "%sT%02d:%02d:%02dZ", d, w.minutes / 60, w.minutes % 60, w.second);
}

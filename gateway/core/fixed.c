/*
 * fixed.c - fixed-point parsing and formatting (core/fixed.h).
 *
 * Owns the text <-> scaled-integer conversion of record quantities. Never
 * rounds and never uses floating point: what cannot be represented exactly
 * is refused.
 */
#include "core/fixed.h"
#include "core/reason.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* v = v * 10 + d, refused (false) when the result would not fit an int64_t:
 * every step of the parse goes through here, so no step can overflow. */
static int
push_digit(int64_t *v, int d)
{
	if (*v > (INT64_MAX - d) / 10)
		return 0;
	*v = *v * 10 + d;
	return 1;
}

gw_rc
fixed_parse(const char *s, size_t len, int places, int64_t max, int64_t *out,
            char *why, size_t whycap)
{
	if (places < 0 || places > FIXED_MAX_PLACES)
		return reason_set(why, whycap, "internal: %d places", places);
	if (len == SIZE_MAX)
		len = strlen(s);
	if (len == 0)
		return reason_set(why, whycap, "empty number");
	if (s[0] == '-')
		return reason_set(why, whycap, "must not be negative");
	int64_t v = 0;
	size_t i = 0, intdigits = 0, significant = 0;
	/* Leading zeros do not count: "007.60" is 7.60. Past FIXED_MAX_DIGITS
	 * significant digits the value is too large for any field whatever
	 * follows, and the loop stops before the text can get expensive. */
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, intdigits++) {
		if (significant == 0 && s[i] == '0')
			continue;
		if (++significant > FIXED_MAX_DIGITS || !push_digit(&v, s[i] - '0'))
			return reason_set(why, whycap, "too large");
	}
	if (intdigits == 0)
		return reason_set(why, whycap, "must be a decimal number like 12 or 12.50");
	int got = 0;
	if (i < len && s[i] == '.') {
		i++;
		size_t start = i;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		size_t nd = i - start;
		if (nd == 0 || i != len)
			return reason_set(why, whycap, "must be a decimal number like 12 or 12.50");
		if (nd > (size_t)places) {
			if (places == 0)
				return reason_set(why, whycap, "must be a whole number");
			return reason_set(why, whycap, "%zu decimals, at most %d", nd, places);
		}
		/* 18 integer digits and 6 decimals do not fit: checked per digit. */
		for (size_t k = start; k < i; k++, got++)
			if (!push_digit(&v, s[k] - '0'))
				return reason_set(why, whycap, "too large");
	}
	if (i != len)
		return reason_set(why, whycap, places == 0 ? "must be a whole number"
		    : "must be a decimal number like 12 or 12.50");
	for (; got < places; got++)
		if (!push_digit(&v, 0))
			return reason_set(why, whycap, "too large");
	if (v > max)
		return reason_set(why, whycap, "too large");
	*out = v;
	return GW_OK;
}

void
fixed_format(int64_t v, int places, char *buf, size_t cap)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	if (places == 0)
		snprintf(buf, cap, "%s%llu", v < 0 ? "-" : "", (unsigned long long)u);
	else
		snprintf(buf, cap, "%s%llu.%0*llu", v < 0 ? "-" : "",
		    (unsigned long long)(u / scale), places, (unsigned long long)(u % scale));
}

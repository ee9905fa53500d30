/*
 * fixed.h - fixed-point numbers for days, hours and cents.
 *
 * "12", "12.5" and "12.50" with places = 2 all become 1250: the value in
 * units of 10^-places, held in an int64_t. No binary floating point ever
 * touches the text. Stricter than a general decimal: no sign, no exponent,
 * no spaces, no more decimals than `places` (a third decimal is refused,
 * never rounded). Every digit is checked against int64_t overflow: a value
 * that does not fit is "too large", never wrapped.
 */
#ifndef GW_CORE_FIXED_H
#define GW_CORE_FIXED_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

#define FIXED_MAX_PLACES 6
/* Significant digits (leading zeros aside) past which no int64_t fits. */
#define FIXED_MAX_DIGITS 19

/* Parse a non-negative decimal with at most `places` decimals (0..6) into
 * *out; values above max are refused. len may be SIZE_MAX (NUL-terminated).
 * why receives the reason on failure ("3 decimals, at most 2"). */
gw_rc fixed_parse(const char *s, size_t len, int places, int64_t max,
                  int64_t *out, char *why, size_t whycap);
/* Exact text with exactly `places` decimals ("12.50"); negative values get
 * a leading '-'. */
void fixed_format(int64_t v, int places, char *buf, size_t cap);

#endif

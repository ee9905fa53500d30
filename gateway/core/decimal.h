/*
 * decimal.h - exact decimal numbers for money, quantities and rates.
 *
 * A value is an integer mantissa and a count of decimal places: 43.80 is
 * {4380, 2}. No binary floating point anywhere. The mantissa is 128-bit, so
 * sums of invoice lines cannot overflow in practice; an operation that
 * would overflow reports it instead of wrapping.
 */
#ifndef GW_CORE_DECIMAL_H
#define GW_CORE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"

#define DEC_MAX_SCALE 30

typedef struct decimal {
	__int128 m;     /* mantissa */
	int scale;      /* decimal places, 0..DEC_MAX_SCALE */
} decimal;

/* Parse "-12.345", "+1", "0.5", "7." is refused; leading/trailing spaces are
 * refused too (callers trim when the format allows it). len may be SIZE_MAX
 * for a NUL-terminated string. */
gw_rc dec_parse(const char *s, size_t len, decimal *out);
/* Exact text, with exactly d.scale decimals ("43.80"). */
void dec_format(decimal d, char *buf, size_t cap);
/* Exact text with trailing zeros dropped, but at least min_places decimals. */
void dec_format_min(decimal d, int min_places, char *buf, size_t cap);

decimal dec_from_int(long long v);
decimal dec_add(decimal a, decimal b);
decimal dec_sub(decimal a, decimal b);
decimal dec_mul(decimal a, decimal b);           /* exact: scales add */
decimal dec_neg(decimal a);
/* Round half away from zero to `places` decimals (EN 16931 rounding). */
decimal dec_round(decimal a, int places);
/* a / b rounded half away from zero to `places`; GW_EINPUT when b == 0. */
gw_rc dec_div(decimal a, decimal b, int places, decimal *out);
int dec_cmp(decimal a, decimal b);               /* -1, 0, 1 */
bool dec_is_zero(decimal a);
int dec_sign(decimal a);
/* Number of decimals actually written in the source text is d.scale;
 * this gives the places without trailing zeros. */
int dec_significant_places(decimal a);
/* Overflow is sticky: set by any operation that overflowed since the last reset. */
bool dec_overflowed(void);
void dec_reset_overflow(void);

#endif

/*
 * decimal.c - exact decimal arithmetic on a 128-bit mantissa.
 *
 * Owns nothing but the sticky overflow flag (thread-local). Scales are
 * aligned by multiplying by powers of ten; every multiplication is checked.
 */
#include "core/decimal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static _Thread_local bool overflow_flag;

bool dec_overflowed(void) { return overflow_flag; }
void dec_reset_overflow(void) { overflow_flag = false; }

static const __int128 I128_MAX = (__int128)(((unsigned __int128)1 << 127) - 1);

static __int128
mul_checked(__int128 a, __int128 b)
{
	__int128 r;
	if (__builtin_mul_overflow(a, b, &r)) {
		overflow_flag = true;
		return (a < 0) != (b < 0) ? -I128_MAX : I128_MAX;
	}
	return r;
}

static __int128
add_checked(__int128 a, __int128 b)
{
	__int128 r;
	if (__builtin_add_overflow(a, b, &r)) {
		overflow_flag = true;
		return a < 0 ? -I128_MAX : I128_MAX;
	}
	return r;
}

/* 10^n; past 10^38 it does not fit: overflow is reported, never wrapped
 * (a division to many places by a value of many places asks for 10^61). */
static __int128
pow10_i128(int n)
{
	__int128 p = 1;
	while (n-- > 0)
		p = mul_checked(p, 10);
	return p;
}

/* Bring a to scale s (s >= a.scale). */
static __int128
rescale_up(decimal a, int s)
{
	return mul_checked(a.m, pow10_i128(s - a.scale));
}

gw_rc
dec_parse(const char *s, size_t len, decimal *out)
{
	size_t i = 0;
	bool neg = false, any = false, dot = false;
	__int128 m = 0;
	int scale = 0;

	if (len == SIZE_MAX)
		len = strlen(s);
	if (len == 0)
		return GW_EINPUT;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	for (; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (dot || !any)
				return GW_EINPUT;
			dot = true;
			if (i + 1 == len)
				return GW_EINPUT;
			continue;
		}
		if (c < '0' || c > '9')
			return GW_EINPUT;
		if (dot && ++scale > DEC_MAX_SCALE)
			return GW_EINPUT;
		__int128 next;
		if (__builtin_mul_overflow(m, 10, &next) ||
		    __builtin_add_overflow(next, c - '0', &next))
			return GW_EINPUT;
		m = next;
		any = true;
	}
	if (!any)
		return GW_EINPUT;
	out->m = neg ? -m : m;
	out->scale = scale;
	return GW_OK;
}

void
dec_format(decimal d, char *buf, size_t cap)
{
	char tmp[64];
	size_t n = 0;
	unsigned __int128 u = d.m < 0 ? -(unsigned __int128)d.m : (unsigned __int128)d.m;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0 && n < sizeof tmp);
	while ((int)n <= d.scale && n < sizeof tmp)
		tmp[n++] = '0';
	size_t o = 0;
	if (d.m < 0 && o + 1 < cap)
		buf[o++] = '-';
	while (n > 0 && o + 1 < cap) {
		if ((int)n == d.scale && d.scale > 0) {
			buf[o++] = '.';
			if (o + 1 >= cap)
				break;
		}
		buf[o++] = tmp[--n];
	}
	if (cap > 0)
		buf[o < cap ? o : cap - 1] = '\0';
}

int
dec_significant_places(decimal a)
{
	int s = a.scale;
	__int128 m = a.m;
	while (s > 0 && m % 10 == 0) {
		m /= 10;
		s--;
	}
	return s;
}

void
dec_format_min(decimal d, int min_places, char *buf, size_t cap)
{
	int keep = dec_significant_places(d);
	if (keep < min_places)
		keep = min_places;
	if (keep < d.scale)
		d = dec_round(d, keep);
	else if (keep > d.scale) {
		d.m = rescale_up(d, keep);
		d.scale = keep;
	}
	dec_format(d, buf, cap);
}

decimal
dec_from_int(long long v)
{
	decimal d = { v, 0 };
	return d;
}

decimal
dec_add(decimal a, decimal b)
{
	int s = a.scale > b.scale ? a.scale : b.scale;
	decimal r = { add_checked(rescale_up(a, s), rescale_up(b, s)), s };
	return r;
}

decimal
dec_neg(decimal a)
{
	/* The one value whose negation does not fit (a sum can reach it). */
	if (a.m < -I128_MAX) {
		overflow_flag = true;
		a.m = I128_MAX;
		return a;
	}
	a.m = -a.m;
	return a;
}

decimal
dec_sub(decimal a, decimal b)
{
	return dec_add(a, dec_neg(b));
}

decimal
dec_mul(decimal a, decimal b)
{
	decimal r = { mul_checked(a.m, b.m), a.scale + b.scale };
	if (r.scale > DEC_MAX_SCALE) {
		/* Keep exactness where it matters (money): drop excess places by rounding. */
		r = dec_round(r, DEC_MAX_SCALE);
	}
	return r;
}

decimal
dec_round(decimal a, int places)
{
	if (places >= a.scale)
		return a;
	__int128 p = pow10_i128(a.scale - places);
	__int128 q = a.m / p, rem = a.m % p;
	__int128 twice = rem < 0 ? -rem * 2 : rem * 2;
	if (twice >= p)
		q += a.m < 0 ? -1 : 1;
	decimal r = { q, places };
	return r;
}

gw_rc
dec_div(decimal a, decimal b, int places, decimal *out)
{
	if (b.m == 0)
		return GW_EINPUT;
	/* a/b = (a.m / b.m) * 10^(b.scale - a.scale); compute with places+1
	 * extra digits, then round once. */
	int shift = places + 1 + b.scale - a.scale;
	__int128 num = a.m, den = b.m;
	if (shift >= 0)
		num = mul_checked(num, pow10_i128(shift));
	else
		den = mul_checked(den, pow10_i128(-shift));
	decimal r = { num / den, places + 1 };
	*out = dec_round(r, places);
	return GW_OK;
}

int
dec_cmp(decimal a, decimal b)
{
	int s = a.scale > b.scale ? a.scale : b.scale;
	__int128 x = rescale_up(a, s), y = rescale_up(b, s);
	return x < y ? -1 : x > y;
}

bool dec_is_zero(decimal a) { return a.m == 0; }
int dec_sign(decimal a) { return a.m < 0 ? -1 : a.m > 0; }

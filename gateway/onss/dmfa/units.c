/*
 * units.c - establishment units per employer (see units.h).
 */
#include "onss/dmfa/units.h"
#include "core/checkdigit.h"
#include "core/params.h"

#include <stdio.h>
#include <string.h>

/* Digits of s[0..n) as a number; -1 when one is not a digit. */
static int64_t
num(const char *s, size_t n)
{
	int64_t v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

gw_rc
dmfa_unit_lookup(const char *list, uint32_t noss, uint64_t *unit, char *err, size_t errcap)
{
	*unit = 0;
	/* Every entry is checked, not only up to the one asked for, so that a
	 * typo is found the first time the list is used. */
	for (const char *p = list ? list : ""; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, " \t,");
		const char *eq = memchr(p, '=', n);
		int64_t k = eq ? num(p, (size_t)(eq - p)) : -1;
		char u[16] = "";
		size_t un = eq ? n - (size_t)(eq - p) - 1 : 0;
		if (eq && un < sizeof u) {
			memcpy(u, eq + 1, un);
			u[un] = '\0';
		}
		if (!eq || (size_t)(eq - p) != 9 || k < 0 || !check_unit_id(u, NULL, 0)) {
			snprintf(err, errcap, "dmfa.local_units: entry \"%.*s\" is not NOSS=UNIT "
			         "(9 digits = a 10-digit establishment unit number with its check digits)",
			         (int)(n > 40 ? 40 : n), p);
			return GW_ECONFIG;
		}
		if ((uint32_t)k == noss && *unit == 0)
			*unit = (uint64_t)num(u, 10);
		p += n;
	}
	return GW_OK;
}

gw_rc
dmfa_unit_default(uint32_t noss, uint64_t *unit, char *err, size_t errcap)
{
	return dmfa_unit_lookup(param_str(P_DMFA_LOCAL_UNITS), noss, unit, err, errcap);
}

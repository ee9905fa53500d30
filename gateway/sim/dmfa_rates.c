/*
 * sim/dmfa_rates.c - the simulated ONSS's own rate per contribution line,
 * to recompute each WorkerContribution's amount from its basis (anomaly
 * 00085-044, "Berekend bedrag verschilt van het aangegeven bedrag").
 *
 * Owns the reading of schemas/dmfa/sim-rates.txt: one line per
 * (ContributionWorkerCode, ContributionType, employer category) with the
 * total rate the ONSS applies to that line from a quarter on, and its
 * source. Written as the ONSS publishes a line's rate (one total per
 * worker category), never from the builder's parameter table or its parts
 * (onss/dmfa/ is not included), so that the simulator catches a builder
 * that composes a rate wrongly. Also the structural reduction's parameters
 * (DeductionCode 3000, anomaly 00089-044), one line per employer category
 * from a quarter on, as the ONSS instructions state them: F, ALPHA, S0,
 * GAMMA, S2 (sim/dmfa_reduce.c applies them).
 */
#include "sim/dmfa_check.h"
#include "core/array.h"
#include "core/fixed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct simd_rate {
	int from;                        /* YYYYQ */
	char code[4];                    /* ContributionWorkerCode */
	int type;                        /* ContributionType */
	char cat[4];                     /* employer category, "*" = any */
	long long e4;                    /* rate in hundredths of a percent: 43.64 % = 4364 */
};

struct simd_rates {
	struct simd_rate *v;
	size_t n, cap;
	struct simd_reduction *red;      /* the structural reduction's lines */
	size_t nred, capred;
};

/* "43.64" with places 2 -> 4364: a decimal of at most `places` decimals,
 * scaled by 10^places (core/fixed.h); -1 when it is not one or its whole
 * part exceeds max_whole. */
static long long
decimal_scaled(const char *s, int places, long long max_whole)
{
	int64_t scale = 1, v;
	for (int i = 0; i < places; i++)
		scale *= 10;
	if (fixed_parse(s, SIZE_MAX, places, max_whole * scale + scale - 1, &v, NULL, 0) != GW_OK)
		return -1;
	return v;
}

/* "43.64" -> 4364; -1 when not a percentage with at most two decimals. */
static long long
percent_e4(const char *s)
{
	return decimal_scaled(s, 2, 100);
}

/* A 3-digit employer category or "*". */
static int
category_ok(const char *cat)
{
	return strcmp(cat, "*") == 0 || (strlen(cat) == 3 && strspn(cat, "0123456789") == 3);
}

/* FROM 3000 CATEGORY F ALPHA S0 GAMMA S2 | source: amounts in EUR with
 * cents (at most 99,999,999.99), coefficients with at most four decimals
 * (at most 9.9999). 0 when the line is not of that form. */
static int
parse_reduction(const char *line, struct simd_reduction *x)
{
	char from[16], code[8], cat[8], f[24], alpha[24], s0[24], gam[24], s2[24], bar[4];
	memset(x, 0, sizeof *x);
	if (sscanf(line, "%15s %7s %7s %23s %23s %23s %23s %23s %3s", from, code, cat, f, alpha, s0, gam, s2,
	           bar) != 9 || strcmp(bar, "|") != 0 || strlen(from) != 5 || strspn(from, "0123456789") != 5 ||
	    strcmp(code, "3000") != 0 || !category_ok(cat))
		return 0;
	x->f = decimal_scaled(f, 2, 99999999);
	x->alpha = decimal_scaled(alpha, 4, 9);
	x->s0 = decimal_scaled(s0, 2, 99999999);
	x->gamma = decimal_scaled(gam, 4, 9);
	x->s2 = decimal_scaled(s2, 2, 99999999);
	if (x->f < 0 || x->alpha < 0 || x->s0 < 0 || x->gamma < 0 || x->s2 < 0)
		return 0;
	x->from = (int)strtol(from, NULL, 10);
	snprintf(x->cat, sizeof x->cat, "%s", cat);
	return 1;
}

gw_rc
simd_rates_parse(const char *text, const char *name, struct simd_rates **out, char *err, size_t errcap)
{
	struct simd_rates *r = calloc(1, sizeof *r);
	size_t lineno = 0;
	const char *p = text;
	*out = NULL;
	if (r == NULL)
		return GW_ENOMEM;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[1024], from[16], code[8], type[8], cat[8], pct[16], bar[4];
		lineno++;
		snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
		p += len + (p[len] == '\n');
		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		/* A 4-digit second field is a DeductionCode: the reduction's form. */
		char f1[16], f2[16];
		if (sscanf(line, "%15s %15s", f1, f2) == 2 && strlen(f2) == 4) {
			struct simd_reduction red;
			if (!parse_reduction(line, &red)) {
				snprintf(err, errcap, "%s:%zu: expected FROM(YYYYQ) 3000 CATEGORY(3 digits or *) "
				    "F(EUR) ALPHA S0(EUR) GAMMA S2(EUR) | source (DeductionCode 3000 only)",
				    name, lineno);
				simd_rates_free(r);
				return GW_EINPUT;
			}
			if (ARRAY_RESERVE(r->red, r->nred, r->capred, 4) != GW_OK) {
				simd_rates_free(r);
				return GW_ENOMEM;
			}
			r->red[r->nred++] = red;
			continue;
		}
		struct simd_rate x;
		memset(&x, 0, sizeof x);
		/* FROM CODE TYPE CATEGORY PERCENT | source: the source is required. */
		if (sscanf(line, "%15s %7s %7s %7s %15s %3s", from, code, type, cat, pct, bar) != 6 ||
		    strcmp(bar, "|") != 0 || strlen(from) != 5 || strspn(from, "0123456789") != 5 ||
		    strlen(code) != 3 || strspn(code, "0123456789") != 3 || strlen(type) != 1 ||
		    type[0] < '0' || type[0] > '9' || !category_ok(cat) || (x.e4 = percent_e4(pct)) < 0) {
			snprintf(err, errcap, "%s:%zu: expected FROM(YYYYQ) CODE(3 digits) TYPE(digit) "
			    "CATEGORY(3 digits or *) PERCENT | source", name, lineno);
			simd_rates_free(r);
			return GW_EINPUT;
		}
		x.from = (int)strtol(from, NULL, 10);
		snprintf(x.code, sizeof x.code, "%s", code);
		x.type = type[0] - '0';
		snprintf(x.cat, sizeof x.cat, "%s", cat);
		if (ARRAY_RESERVE(r->v, r->n, r->cap, 32) != GW_OK) {
			simd_rates_free(r);
			return GW_ENOMEM;
		}
		r->v[r->n++] = x;
	}
	*out = r;
	return GW_OK;
}

gw_rc
simd_rates_load(const char *path, struct simd_rates **out, char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	gw_rc rc;
	*out = NULL;
	if (f == NULL) {
		snprintf(err, errcap, "%s: cannot open", path);
		return GW_EIO;
	}
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t got;
	while (m && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, got, m);
	int bad = ferror(f);
	fclose(f);
	if (m == NULL || fclose(m) != 0 || bad) {
		free(buf);
		snprintf(err, errcap, "%s: cannot read", path);
		return GW_EIO;
	}
	rc = simd_rates_parse(buf, path, out, err, errcap);
	free(buf);
	return rc;
}

void
simd_rates_free(struct simd_rates *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r->red);
	free(r);
}

/* Whether a line (from, xcat) in force for quarter and category cat beats
 * the best so far (bcat NULL: none): the category's own line before "*",
 * then the newest. */
static int
line_wins(int quarter, const char *cat, int from, const char *xcat, int bfrom, const char *bcat)
{
	int own = strcmp(xcat, cat) == 0;
	if (from > quarter || (!own && strcmp(xcat, "*") != 0))
		return 0;
	if (bcat == NULL)
		return 1;
	int best_own = strcmp(bcat, cat) == 0;
	return (own && !best_own) || (own == best_own && from > bfrom);
}

int
simd_rates_get(const struct simd_rates *r, int quarter, const char *code, int type, const char *cat,
               long long *e4)
{
	const struct simd_rate *best = NULL;
	for (size_t i = 0; r && i < r->n; i++) {
		const struct simd_rate *x = &r->v[i];
		if (x->type == type && strcmp(x->code, code) == 0 &&
		    line_wins(quarter, cat, x->from, x->cat, best ? best->from : 0, best ? best->cat : NULL))
			best = x;
	}
	if (best == NULL)
		return 0;
	*e4 = best->e4;
	return 1;
}

int
simd_rates_reduction(const struct simd_rates *r, int quarter, const char *cat, struct simd_reduction *out)
{
	const struct simd_reduction *best = NULL;
	for (size_t i = 0; r && i < r->nred; i++) {
		const struct simd_reduction *x = &r->red[i];
		if (line_wins(quarter, cat, x->from, x->cat, best ? best->from : 0, best ? best->cat : NULL))
			best = x;
	}
	if (best == NULL)
		return 0;
	*out = *best;
	return 1;
}

/*
 * params.c - reads and resolves the DmfA parameter table (see params.h).
 *
 * Owns: the table grammar. Never computes contributions and never invents
 * a default rate: a quarter without a value for a required key is an error,
 * so a missing ONSS update shows up before anything is declared.
 */
#include "onss/dmfa/params.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 1024
#define MAX_FILE  (1024 * 1024)

struct entry {
	int from;
	char key[24];
	char value[64];
	unsigned line;
};

/* Trim spaces at both ends of [s, s+n) in place; returns the new start. */
static char *
trim(char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Parse a non-negative decimal integer of at most maxdig digits. */
static int
parse_uint(const char *s, int maxdig, long *out)
{
	if (!*s)
		return -1;
	int n = 0;
	long v = 0;
	for (; *s; s++, n++) {
		if (!isdigit((unsigned char)*s) || n >= maxdig)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* "NNN.TAG" (TAG not empty): the 3-digit code before the dot. */
/* "exempt=859" or "exempt=859,855": the supplementary lines an employer is
 * exempted from (an exemption is a fact of its registration, like its class). */
static int
parse_exempt(const char *s, struct dmfa_employer *em)
{
	if (strncmp(s, "exempt=", 7) != 0)
		return -1;
	s += 7;
	for (;;) {
		char code[4];
		size_t len = strcspn(s, ",");
		long x;
		if (len != 3 || em->nexempt == DMFA_MAX_EXEMPT)
			return -1;
		memcpy(code, s, 3);
		code[3] = '\0';
		if (parse_uint(code, 3, &x) != 0)
			return -1;
		em->exempt[em->nexempt++] = (int)x;
		if (s[3] == '\0')
			return 0;
		s += 4;
	}
}

static int
parse_uint_prefix3(const char *s, long *out)
{
	char d[4];
	if (strlen(s) < 5 || s[3] != '.')
		return -1;
	memcpy(d, s, 3);
	d[3] = '\0';
	return parse_uint(d, 3, out);
}

gw_rc
dmfa_params_pct(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	int places = 0, digits = 0;
	const char *p = s;
	if (!*p)
		return GW_EINPUT;
	for (; *p && *p != '.'; p++) {
		if (!isdigit((unsigned char)*p) || ++digits > 3)
			return GW_EINPUT;
		whole = whole * 10 + (*p - '0');
	}
	if (digits == 0)
		return GW_EINPUT;
	if (*p == '.') {
		p++;
		if (!*p)
			return GW_EINPUT;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p) || ++places > 4)
				return GW_EINPUT;
			frac = frac * 10 + (*p - '0');
		}
	}
	while (places++ < 4)
		frac *= 10;
	int64_t v = whole * DMFA_RATE_ONE + frac;
	if (v > 100 * DMFA_RATE_ONE)
		return GW_EINPUT;
	*out = v;
	return GW_OK;
}

const struct dmfa_code_rule *
dmfa_params_rule(const struct dmfa_params *p, int code)
{
	for (size_t i = 0; i < p->ncodes; i++)
		if (p->codes[i].code == code)
			return &p->codes[i];
	return NULL;
}

const struct dmfa_employer *
dmfa_params_employer(const struct dmfa_params *p, uint32_t noss)
{
	const struct dmfa_employer *def = NULL;
	for (size_t i = 0; i < p->nemployers; i++) {
		if (p->employers[i].noss == noss)
			return &p->employers[i];
		if (p->employers[i].noss == 0)
			def = &p->employers[i];
	}
	return def;
}

/* Split value into at most max space-separated words (in place). */
static int
words(char *v, char **w, int max)
{
	int n = 0;
	char *s = v;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == max)
			return -1;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

/* Parse a euro amount "495.00" (cents optional, at most 2 places) into cents. */
static int
parse_euro(const char *s, int64_t *out)
{
	int64_t v = 0;
	int digits = 0, places = -1;
	for (; *s; s++) {
		if (*s == '.' && places < 0) {
			places = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s) || ++digits > 13 || (places >= 0 && ++places > 2))
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0 || places == 0)
		return -1;
	for (int i = places < 0 ? 0 : places; i < 2; i++)
		v *= 10;
	*out = v;
	return 0;
}

/* "000".."999" or "any" (-1) for an employer category. */
static int
parse_category(const char *s, int *out)
{
	long c;
	if (strcmp(s, "any") == 0) {
		*out = -1;
		return 0;
	}
	if (strlen(s) != 3 || parse_uint(s, 3, &c) != 0)
		return -1;
	*out = (int)c;
	return 0;
}

/* The index of part name s, added when new; -1 when the table is full. */
static int
part_name(struct dmfa_params *p, const char *s, size_t n)
{
	if (n == 0 || n >= sizeof p->part_names[0])
		return -1;
	for (size_t i = 0; i < p->npart_names; i++)
		if (strlen(p->part_names[i]) == n && memcmp(p->part_names[i], s, n) == 0)
			return (int)i;
	if (p->npart_names == DMFA_MAX_PART_NAMES)
		return -1;
	memcpy(p->part_names[p->npart_names], s, n);
	p->part_names[p->npart_names][n] = '\0';
	return (int)p->npart_names++;
}

/* "personal,employer,holiday" -> a bit per part name. */
static int
parse_parts(struct dmfa_params *p, const char *s, uint32_t *mask)
{
	*mask = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		int i = part_name(p, s, n);
		if (i < 0)
			return -1;
		*mask |= 1u << i;
		s += n + (e ? 1 : 0);
		if (e && !*s)
			return -1;
	}
	return *mask ? 0 : -1;
}

/* Interpret one resolved entry into p. */
static gw_rc
apply(const struct entry *e, struct dmfa_params *p, const char *name, char *errbuf, size_t errcap)
{
	char v[sizeof e->value];
	char *w[8];
	snprintf(v, sizeof v, "%s", e->value);
	int n = words(v, w, 8);
	long code = 0;
#define BAD(what) do { snprintf(errbuf, errcap, "%s:%u: %s: %s", name, e->line, e->key, what); \
		return GW_EINPUT; } while (0)
	if (n <= 0)
		BAD("empty value or more than 8 words");
	if (strcmp(e->key, "rate.worker") == 0 || strcmp(e->key, "rate.employer") == 0 ||
	    strcmp(e->key, "rate.student") == 0) {
		int64_t r;
		if (n != 1 || dmfa_params_pct(w[0], &r) != GW_OK)
			BAD("expected one percentage");
		if (e->key[5] == 'w')
			p->rate_worker = r;
		else if (e->key[5] == 'e')
			p->rate_employer = r;
		else
			p->rate_student = r;
		return GW_OK;
	}
	if (strcmp(e->key, "student.hours_quota") == 0) {
		long q;
		if (n != 1 || parse_uint(w[0], 4, &q) != 0 || q > 999)
			BAD("expected hours 0..999");
		p->student_quota_hours = (int)q;
		return GW_OK;
	}
	if (strncmp(e->key, "part.", 5) == 0) {
		const char *nm = e->key + 5, *dot = strrchr(nm, '.');
		struct dmfa_part pt;
		if (!dot || dot == nm || parse_category(dot + 1, &pt.category) != 0)
			BAD("expected part.NAME.CAT with CAT 3 digits or any");
		if (strcmp(w[0], "none") == 0 && n == 1)
			return GW_OK;
		if ((pt.name = part_name(p, nm, (size_t)(dot - nm))) < 0)
			BAD("part name too long or too many part names");
		if (n != 1 || dmfa_params_pct(w[0], &pt.rate) != GW_OK)
			BAD("expected one percentage");
		if (p->nparts == DMFA_MAX_PARTS)
			BAD("too many part lines");
		p->parts[p->nparts++] = pt;
		return GW_OK;
	}
	if (strncmp(e->key, "supp.", 5) == 0) {
		struct dmfa_supp su = { 0 };
		long ct;
		if (parse_uint_prefix3(e->key + 5, &code) != 0)
			BAD("expected supp.NNN.TAG");
		if (strcmp(w[0], "none") == 0 && n == 1)
			return GW_OK;
		su.code = (int)code;
		if (n < 2 || parse_uint(w[0], 1, &ct) != 0 || dmfa_params_pct(w[1], &su.rate) != GW_OK)
			BAD("expected CTYPE PCT [min=N] [max=N] [fso=NNN]");
		su.ctype = (int)ct;
		for (int i = 2; i < n; i++) {
			long x;
			if (strncmp(w[i], "min=", 4) == 0 && parse_uint(w[i] + 4, 6, &x) == 0)
				su.min_workers = (int)x;
			else if (strncmp(w[i], "max=", 4) == 0 && parse_uint(w[i] + 4, 6, &x) == 0 && x > 0)
				su.max_workers = (int)x;
			else if (strncmp(w[i], "fso=", 4) == 0 && parse_uint(w[i] + 4, 3, &x) == 0 && x > 0)
				su.fso = (int)x;
			else
				BAD("expected min=N, max=N or fso=NNN");
		}
		if (su.max_workers && su.max_workers <= su.min_workers)
			BAD("max must be above min");
		if (p->nsupps == DMFA_MAX_SUPPS)
			BAD("too many supplementary lines");
		p->supps[p->nsupps++] = su;
		return GW_OK;
	}
	if (strncmp(e->key, "employer.", 9) == 0) {
		struct dmfa_employer em = { 0 };
		long noss = 0, cl, wk, fso;
		if (strcmp(e->key + 9, "default") != 0 &&
		    (strlen(e->key + 9) != 9 || parse_uint(e->key + 9, 9, &noss) != 0 || noss == 0))
			BAD("expected employer.NOSS (9 digits) or employer.default");
		if (strcmp(w[0], "none") == 0 && n == 1)
			return GW_OK;
		if (n < 3 || n > 4 || strlen(w[0]) != 3 || parse_uint(w[0], 3, &cl) != 0 ||
		    parse_uint(w[1], 6, &wk) != 0 || parse_uint(w[2], 3, &fso) != 0 ||
		    (fso != 0 && fso != 810 && fso != 811))
			BAD("expected CLASS(3 digits) WORKERS FSO(810, 811 or 0) [exempt=NNN,NNN..]");
		em.noss = (uint32_t)noss;
		em.employer_class = (int)cl;
		em.workers = (int)wk;
		em.fso = (int)fso;
		if (n == 4 && parse_exempt(w[3], &em) != 0)
			BAD("expected exempt=NNN[,NNN..]: the supplementary codes (3 digits, at most "
			    "4) this employer is exempted from");
		if (p->nemployers == DMFA_MAX_EMPLOYERS)
			BAD("too many employers");
		p->employers[p->nemployers++] = em;
		return GW_OK;
	}
	if (strncmp(e->key, "reduce.", 7) == 0) {
		struct dmfa_reduce r = { 0 };
		if (strcmp(w[0], "none") == 0 && n == 1)
			return GW_OK;
		if (strncmp(e->key + 7, "3000.", 5) == 0) {
			r.code = 3000;
			if (parse_category(e->key + 12, &r.category) != 0)
				BAD("expected reduce.3000.CAT with CAT 3 digits or any");
			if ((n != 3 && n != 5) || parse_euro(w[0], &r.f) != 0 ||
			    dmfa_params_pct(w[1], &r.alpha) != GW_OK || parse_euro(w[2], &r.s0) != 0 ||
			    (n == 5 && (dmfa_params_pct(w[3], &r.gamma) != GW_OK || parse_euro(w[4], &r.s2) != 0)))
				BAD("expected F ALPHA S0 [GAMMA S2] (euro amounts, coefficients)");
		} else if (strcmp(e->key + 7, "4300") == 0) {
			r.code = 4300;
			r.category = -1;
			if (n < 4 || parse_euro(w[0], &r.g) != 0 || parse_euro(w[1], &r.cap) != 0 ||
			    parse_euro(w[2], &r.smin) != 0)
				BAD("expected G CAP SMIN CODE.. (euro amounts, 3-digit worker codes)");
			for (int i = 3; i < n; i++) {
				long c;
				if (strlen(w[i]) != 3 || parse_uint(w[i], 3, &c) != 0)
					BAD("expected 3-digit worker codes");
				r.codes[r.ncodes++] = (int)c;
			}
		} else {
			BAD("expected reduce.3000.CAT or reduce.4300");
		}
		if (p->nreduces == DMFA_MAX_REDUCE)
			BAD("too many reductions");
		p->reduces[p->nreduces++] = r;
		return GW_OK;
	}
	if (strncmp(e->key, "code.", 5) == 0 || strncmp(e->key, "extra.", 6) == 0) {
		int is_code = e->key[0] == 'c';
		if (parse_uint(e->key + (is_code ? 5 : 6), 3, &code) != 0 ||
		    strlen(e->key + (is_code ? 5 : 6)) != 3)
			BAD("expected a 3-digit code in the key");
		if (strcmp(w[0], "none") == 0 && n == 1)
			return GW_OK;
		if (!is_code) {
			long ct;
			int64_t r;
			if (n != 2 || parse_uint(w[0], 1, &ct) != 0 || dmfa_params_pct(w[1], &r) != GW_OK)
				BAD("expected CTYPE PCT");
			if (p->nextras == DMFA_MAX_EXTRAS)
				BAD("too many extra lines");
			p->extras[p->nextras++] = (struct dmfa_extra){ (int)code, (int)ct, r };
			return GW_OK;
		}
		struct dmfa_code_rule r = { .code = (int)code };
		long a, b;
		if (strcmp(w[0], "ordinary") == 0) {
			if ((n != 3 && n != 4) || parse_uint(w[1], 3, &a) != 0 || (a != 100 && a != 108) ||
			    parse_uint(w[2], 1, &b) != 0 || (n == 4 && parse_parts(p, w[3], &r.parts) != 0))
				BAD("expected: ordinary 100|108 CTYPE [PART,PART..]");
			r.kind = DMFA_RULE_ORDINARY;
			r.basis_pct = (int)a;
			r.ctype = (int)b;
		} else if (strcmp(w[0], "flexi") == 0) {
			if (n != 3 || parse_uint(w[1], 1, &b) != 0 || parse_parts(p, w[2], &r.parts) != 0)
				BAD("expected: flexi CTYPE PART,PART..");
			r.kind = DMFA_RULE_FLEXI;
			r.basis_pct = 100;
			r.ctype = (int)b;
		} else if (strcmp(w[0], "student") == 0) {
			if (n != 2 || parse_uint(w[1], 3, &a) != 0 || strlen(w[1]) != 3)
				BAD("expected: student OVERFLOW_CODE");
			r.kind = DMFA_RULE_STUDENT;
			r.overflow_code = (int)a;
		} else {
			BAD("expected ordinary, flexi, student or none");
		}
		if (p->ncodes == DMFA_MAX_CODES)
			BAD("too many codes");
		p->codes[p->ncodes++] = r;
		return GW_OK;
	}
	BAD("unknown key");
#undef BAD
}

gw_rc
dmfa_params_parse(const char *text, size_t len, const char *name, int quarter,
                  struct dmfa_params *p, char *errbuf, size_t errcap)
{
	gw_rc rc = GW_EINPUT;
	struct entry *ents = calloc(MAX_LINES, sizeof *ents);
	char *line = malloc(512);
	size_t nents = 0;
	unsigned lineno = 0;

	memset(p, 0, sizeof *p);
	p->quarter = quarter;
	p->rate_worker = p->rate_employer = p->rate_student = -1;
	p->student_quota_hours = -1;
	if (!ents || !line) {
		rc = GW_ENOMEM;
		goto out;
	}
	if (quarter < 20031 || quarter % 10 < 1 || quarter % 10 > 4) {
		snprintf(errbuf, errcap, "quarter %d: expected YYYYQ", quarter);
		goto out;
	}
	for (size_t pos = 0; pos < len;) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		size_t n = end - pos;
		if (n >= 512) {
			snprintf(errbuf, errcap, "%s:%u: line too long", name, lineno);
			goto out;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		if (memchr(line, '\0', n)) {
			snprintf(errbuf, errcap, "%s:%u: NUL byte", name, lineno);
			goto out;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *bar = strchr(s, '|');
		if (!bar || !*trim(bar + 1)) {
			snprintf(errbuf, errcap, "%s:%u: value without its source (\"| source\")", name, lineno);
			goto out;
		}
		*bar = '\0';
		s = trim(s);
		char *w[11];
		int nw = 0;
		for (char *t = s; *t;) {
			while (*t == ' ' || *t == '\t')
				*t++ = '\0';
			if (!*t)
				break;
			if (nw == 10) {
				snprintf(errbuf, errcap, "%s:%u: more than 8 words in the value", name, lineno);
				goto out;
			}
			w[nw++] = t;
			while (*t && *t != ' ' && *t != '\t')
				t++;
		}
		long from;
		if (nw < 3 || parse_uint(w[0], 5, &from) != 0 || strlen(w[0]) != 5 ||
		    from % 10 < 1 || from % 10 > 4) {
			snprintf(errbuf, errcap, "%s:%u: expected FROM(YYYYQ) KEY VALUE | SOURCE", name, lineno);
			goto out;
		}
		if (nents == MAX_LINES || strlen(w[1]) >= sizeof ents[0].key) {
			snprintf(errbuf, errcap, "%s:%u: too many lines or key too long", name, lineno);
			goto out;
		}
		struct entry *e = &ents[nents++];
		e->from = (int)from;
		e->line = lineno;
		snprintf(e->key, sizeof e->key, "%s", w[1]);
		size_t off = 0;
		e->value[0] = '\0';
		for (int i = 2; i < nw; i++) {
			int k = snprintf(e->value + off, sizeof e->value - off, "%s%s", i > 2 ? " " : "", w[i]);
			if (k < 0 || (size_t)k >= sizeof e->value - off) {
				snprintf(errbuf, errcap, "%s:%u: value too long", name, lineno);
				goto out;
			}
			off += (size_t)k;
		}
	}
	/* Resolve: per key, the entry with the greatest FROM <= quarter (last wins on ties). */
	for (size_t i = 0; i < nents; i++) {
		if (ents[i].from > quarter)
			continue;
		int best = 1;
		for (size_t j = 0; j < nents && best; j++) {
			if (j == i || ents[j].from > quarter || strcmp(ents[j].key, ents[i].key) != 0)
				continue;
			if (ents[j].from > ents[i].from || (ents[j].from == ents[i].from && j > i))
				best = 0;
		}
		if (best && (rc = apply(&ents[i], p, name, errbuf, errcap)) != GW_OK)
			goto out;
	}
	rc = GW_EINPUT;
	/* rate.worker and rate.employer are needed only by codes without parts. */
	int legacy = 0;
	for (size_t i = 0; i < p->ncodes; i++)
		legacy |= p->codes[i].kind == DMFA_RULE_ORDINARY && p->codes[i].parts == 0;
	if (!legacy) {
		if (p->rate_worker < 0)
			p->rate_worker = 0;
		if (p->rate_employer < 0)
			p->rate_employer = 0;
	}
	if (p->rate_worker < 0 || p->rate_employer < 0 || p->rate_student < 0 ||
	    p->student_quota_hours < 0) {
		snprintf(errbuf, errcap, "%s: no %s in force for quarter %d", name,
		         p->rate_worker < 0 ? "rate.worker" : p->rate_employer < 0 ? "rate.employer" :
		         p->rate_student < 0 ? "rate.student" : "student.hours_quota", quarter);
		goto out;
	}
	/* Every part a code names has a rate for some category. */
	for (size_t i = 0; i < p->ncodes; i++)
		for (size_t b = 0; b < p->npart_names; b++) {
			int found = 0;
			if (!(p->codes[i].parts & (1u << b)))
				continue;
			for (size_t k = 0; k < p->nparts && !found; k++)
				found = p->parts[k].name == (int)b;
			if (!found) {
				snprintf(errbuf, errcap, "%s: code %03d names part %s, which has no part.%s line in force for %d",
				         name, p->codes[i].code, p->part_names[b], p->part_names[b], quarter);
				goto out;
			}
		}
	for (size_t i = 0; i < p->ncodes; i++) {
		if (p->codes[i].kind != DMFA_RULE_STUDENT)
			continue;
		const struct dmfa_code_rule *o = dmfa_params_rule(p, p->codes[i].overflow_code);
		if (!o || o->kind != DMFA_RULE_ORDINARY) {
			snprintf(errbuf, errcap, "%s: student code %03d overflows to %03d, which has no ordinary rule in %d",
			         name, p->codes[i].code, p->codes[i].overflow_code, quarter);
			goto out;
		}
	}
	rc = GW_OK;
out:
	free(ents);
	free(line);
	return rc;
}

gw_rc
dmfa_params_load(const char *path, int quarter, struct dmfa_params *p, char *errbuf, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		return GW_EIO;
	}
	char *buf = malloc(MAX_FILE);
	if (!buf) {
		fclose(f);
		return GW_ENOMEM;
	}
	size_t n = fread(buf, 1, MAX_FILE, f);
	int err = ferror(f);
	int more = !err && fgetc(f) != EOF;
	fclose(f);
	gw_rc rc;
	if (err || more) {
		snprintf(errbuf, errcap, "%s: %s", path, err ? "read error" : "file too large");
		rc = GW_EIO;
	} else {
		rc = dmfa_params_parse(buf, n, path, quarter, p, errbuf, errcap);
	}
	free(buf);
	return rc;
}

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

/* Split value into at most 4 space-separated words (in place). */
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

/* Interpret one resolved entry into p. */
static gw_rc
apply(const struct entry *e, struct dmfa_params *p, const char *name, char *errbuf, size_t errcap)
{
	char v[sizeof e->value];
	char *w[4];
	snprintf(v, sizeof v, "%s", e->value);
	int n = words(v, w, 4);
	long code = 0;
#define BAD(what) do { snprintf(errbuf, errcap, "%s:%u: %s: %s", name, e->line, e->key, what); \
		return GW_EINPUT; } while (0)
	if (n <= 0)
		BAD("empty value");
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
			if (n != 3 || parse_uint(w[1], 3, &a) != 0 || (a != 100 && a != 108) ||
			    parse_uint(w[2], 1, &b) != 0)
				BAD("expected: ordinary 100|108 CTYPE");
			r.kind = DMFA_RULE_ORDINARY;
			r.basis_pct = (int)a;
			r.ctype = (int)b;
		} else if (strcmp(w[0], "student") == 0) {
			if (n != 2 || parse_uint(w[1], 3, &a) != 0 || strlen(w[1]) != 3)
				BAD("expected: student OVERFLOW_CODE");
			r.kind = DMFA_RULE_STUDENT;
			r.overflow_code = (int)a;
		} else {
			BAD("expected ordinary, student or none");
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
		char *w[8];
		int nw = 0;
		for (char *t = s; *t;) {
			while (*t == ' ' || *t == '\t')
				*t++ = '\0';
			if (!*t)
				break;
			if (nw == 8)
				break;
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
	if (p->rate_worker < 0 || p->rate_employer < 0 || p->rate_student < 0 ||
	    p->student_quota_hours < 0) {
		snprintf(errbuf, errcap, "%s: no %s in force for quarter %d", name,
		         p->rate_worker < 0 ? "rate.worker" : p->rate_employer < 0 ? "rate.employer" :
		         p->rate_student < 0 ? "rate.student" : "student.hours_quota", quarter);
		goto out;
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

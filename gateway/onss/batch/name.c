/*
 * name.c - the ONSS batch file names: FI/FS/GO of a submission and FO of an
 * answer.
 *
 * Owns the name grammar only. Never touches a file: the writer, the
 * transport and the simulator all go through these two functions so that
 * a name is spelled one way everywhere.
 */
#include "onss/batch/submission.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether p is one of the purposes a submission may carry. */
static int
purpose_is_submission(const char *p)
{
	return strcmp(p, "DIMN") == 0 || strcmp(p, "DMFA") == 0 || strcmp(p, "DMWA") == 0;
}

/* Whether a YYYYMMDD value is a plausible calendar date. */
static int
ymd_ok(gw_ymd d)
{
	int y = d / 10000, m = (d / 100) % 100, day = d % 100;
	return y >= 1990 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

gw_rc
batch_name_format(const struct batch_name *n, char kind, char *out, size_t cap)
{
	const char *prefix;
	const char *tail;
	if (n == NULL || out == NULL)
		return GW_EINTERNAL;
	switch (kind) {
	case 'I': prefix = "FI"; tail = ".1.1"; break;
	case 'S': prefix = "FS"; tail = ".1.1"; break;
	case 'G': prefix = "GO"; tail = ".1"; break;
	default: return GW_EINTERNAL;
	}
	if (!purpose_is_submission(n->purpose) || (n->env != 'R' && n->env != 'T' && n->env != 'S') ||
	    !ymd_ok(n->date) || n->seq > 99999 || n->sender[0] == '\0')
		return GW_EINPUT;
	for (const char *p = n->sender; *p; p++)
		if (!isdigit((unsigned char)*p))
			return GW_EINPUT;
	int w = snprintf(out, cap, "%s.%s.%s.%08ld.%05u.%c%s", prefix, n->purpose, n->sender,
	    (long)n->date, n->seq, n->env, tail);
	return (w < 0 || (size_t)w >= cap) ? GW_EINPUT : GW_OK;
}

gw_rc
batch_name_format_answer(const struct batch_name *n, const char *type, unsigned nth,
                         char *out, size_t cap)
{
	if (n == NULL || type == NULL || strlen(type) != 4)
		return GW_EINTERNAL;
	int w = nth == 0
	    ? snprintf(out, cap, "FO.%s.%s.%08ld.%05u.%c", type, n->sender, (long)n->date, n->seq, n->env)
	    : snprintf(out, cap, "FO.%s.%s.%08ld.%05u.%c.%u", type, n->sender, (long)n->date, n->seq,
	          n->env, nth);
	return (w < 0 || (size_t)w >= cap) ? GW_EINPUT : GW_OK;
}

/* Copy the next '.'-separated part of *s into buf; 0 when absent or too long. */
static int
next_part(const char **s, char *buf, size_t cap)
{
	const char *dot = strchr(*s, '.');
	size_t len = dot ? (size_t)(dot - *s) : strlen(*s);
	if (len == 0 || len >= cap)
		return 0;
	memcpy(buf, *s, len);
	buf[len] = '\0';
	*s += len + (dot ? 1 : 0);
	if (dot && **s == '\0')
		return 0;                      /* a trailing dot */
	return 1;
}

/* Whether buf is 1..max decimal digits. */
static int
all_digits(const char *buf, size_t max)
{
	size_t n = strlen(buf);
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)buf[i]))
			return 0;
	return 1;
}

gw_rc
batch_name_parse(const char *name, struct batch_name *n, char *kind)
{
	char part[32];
	const char *s = name;
	char k;

	if (name == NULL || n == NULL)
		return GW_EINTERNAL;
	memset(n, 0, sizeof *n);
	if (!next_part(&s, part, sizeof part))
		return GW_EINPUT;
	if (strcmp(part, "FI") == 0) k = 'I';
	else if (strcmp(part, "FS") == 0) k = 'S';
	else if (strcmp(part, "GO") == 0) k = 'G';
	else if (strcmp(part, "FO") == 0) k = 'O';
	else if (strcmp(part, "TD") == 0) k = 'T';
	else return GW_EINPUT;
	if (!next_part(&s, part, sizeof part) || strlen(part) != 4)
		return GW_EINPUT;
	for (int i = 0; i < 4; i++)
		if (!isupper((unsigned char)part[i]))
			return GW_EINPUT;
	memcpy(n->purpose, part, 5);
	if (!next_part(&s, part, sizeof part) || !all_digits(part, sizeof n->sender - 1))
		return GW_EINPUT;
	snprintf(n->sender, sizeof n->sender, "%s", part);
	if (!next_part(&s, part, sizeof part) || strlen(part) != 8 || !all_digits(part, 8))
		return GW_EINPUT;
	n->date = (gw_ymd)strtol(part, NULL, 10);
	if (!ymd_ok(n->date))
		return GW_EINPUT;
	if (!next_part(&s, part, sizeof part) || !all_digits(part, 9))
		return GW_EINPUT;
	n->seq = (unsigned)strtoul(part, NULL, 10);
	if (!next_part(&s, part, sizeof part) || strlen(part) != 1 ||
	    (part[0] != 'R' && part[0] != 'T' && part[0] != 'S'))
		return GW_EINPUT;
	n->env = part[0];
	/* Version/status parts: digits only, at most three of them. */
	for (int extra = 0; *s != '\0'; extra++) {
		if (extra >= 3 || !next_part(&s, part, sizeof part) || !all_digits(part, 6))
			return GW_EINPUT;
	}
	/* Other ONSS purposes (AOAT, WECH...) are valid names too; callers decide. */
	if (kind != NULL)
		*kind = k;
	return GW_OK;
}

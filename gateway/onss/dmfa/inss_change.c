/*
 * inss_change.c - IDFLUX identity changes applied to contracts (see
 * inss_change.h).
 */
#include "onss/dmfa/inss_change.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int
is_inss(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]))
			return 0;
	return n == 11;
}

/* "YYYY-MM-DD" -> YYYYMMDD, 0 when absent or malformed. */
static gw_ymd
ymd(const char *s)
{
	int y, m, d;
	char tail;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	return y * 10000 + m * 100 + d;
}

/* Compare names ignoring case and surrounding/inner space runs. */
static int
same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

gw_rc
dmfa_inss_change_from_idflux(const struct idflux_info *in, struct dmfa_inss_change *out)
{
	memset(out, 0, sizeof *out);
	if (!is_inss(in->valid.inss))
		return GW_EINPUT;
	if (in->outdated.inss[0] && !is_inss(in->outdated.inss))
		return GW_EINPUT;
	if (strcmp(in->outdated.inss, in->valid.inss) == 0)
		return GW_ENOTFOUND;
	/* Without an outdated INSS, the change is only usable for a worker we
	 * know by identity, i.e. one declared without INSS. */
	const struct idflux_situation *id = in->outdated.name[0] ? &in->outdated : &in->valid;
	if (!in->outdated.inss[0] && (!id->name[0] || !ymd(id->birth_date[0] ? id->birth_date :
	                                                    in->valid.birth_date)))
		return GW_ENOTFOUND;
	snprintf(out->old_inss, sizeof out->old_inss, "%s", in->outdated.inss);
	snprintf(out->new_inss, sizeof out->new_inss, "%s", in->valid.inss);
	snprintf(out->last_name, sizeof out->last_name, "%s", id->name);
	snprintf(out->first_name, sizeof out->first_name, "%s",
	         id->first_name[0] ? id->first_name : in->valid.first_name);
	out->birth_date = ymd(id->birth_date[0] ? id->birth_date : in->valid.birth_date);
	if (strlen(in->employer_noss) == 9)
		snprintf(out->employer_noss, sizeof out->employer_noss, "%s", in->employer_noss);
	return GW_OK;
}

int
dmfa_inss_change_apply(const struct dmfa_inss_change *ch, size_t n, struct contract *c)
{
	for (size_t i = 0; i < n; i++) {
		const struct dmfa_inss_change *x = &ch[i];
		if (x->employer_noss[0] && strcmp(x->employer_noss, c->employer_noss) != 0)
			continue;
		if (c->worker_inss[0]) {
			if (!x->old_inss[0] || strcmp(x->old_inss, c->worker_inss) != 0)
				continue;
		} else {
			if (!x->last_name[0] || !x->birth_date || x->birth_date != c->worker_birth_date ||
			    !same_name(x->last_name, c->worker_last_name) ||
			    (x->first_name[0] && !same_name(x->first_name, c->worker_first_name)))
				continue;
		}
		snprintf(c->worker_inss, sizeof c->worker_inss, "%s", x->new_inss);
		return 1;
	}
	return 0;
}

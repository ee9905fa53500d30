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
	/* The identity a worker without INSS was recorded under: the outdated
	 * situation where it says something, else the valid one. */
	const struct idflux_situation *o = &in->outdated, *v = &in->valid;
	const char *name = o->name[0] ? o->name : v->name;
	const char *first = o->first_name[0] ? o->first_name : v->first_name;
	gw_ymd birth = ymd(o->birth_date[0] ? o->birth_date : v->birth_date);
	if (!o->inss[0] && (!name[0] || !birth))
		return GW_ENOTFOUND;
	snprintf(out->old_inss, sizeof out->old_inss, "%s", o->inss);
	snprintf(out->new_inss, sizeof out->new_inss, "%s", v->inss);
	snprintf(out->last_name, sizeof out->last_name, "%s", name);
	snprintf(out->first_name, sizeof out->first_name, "%s", first);
	out->birth_date = birth;
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
